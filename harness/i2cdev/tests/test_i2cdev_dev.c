/* SPDX-License-Identifier: BSD-3-Clause */
/* The i2c-dev model (i2cdev_dev.h) in process, without the preload shim:
 * read, write and I2C_RDWR against an emulated chip byte for byte, the
 * buffers a failed transfer must leave alone, and the errno of each bus
 * failure. test_i2cdev.sh runs the same model through the shim. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <linux/i2c.h>
#include <linux/i2c-dev.h>

#include "i2cdev_dev.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/error.h"
#include "stsafe/client/inproc_device.h"

static const uint8_t echo_cmd[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
static const uint8_t echo_rsp[] = {0x00, 0x00, 0x06, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};

static int setup(void **state)
{
    static stsafe_inproc_device dev;
    static const uint8_t seed[] = "stsafe-emu i2cdev test";
    assert_int_equal(stsafe_inproc_device_default(&dev, seed, sizeof seed, NULL), 0);
    *state = &dev;
    return 0;
}

static int teardown(void **state)
{
    stsafe_inproc_device_free(*state);
    return 0;
}

static stsafe_i2cdev_file slave_file(int flags)
{
    stsafe_i2cdev_file f;
    stsafe_i2cdev_file_init(&f, flags, STSAFE_I2CDEV_MAX_LEN);
    assert_int_equal(stsafe_i2cdev_ioctl(&f, NULL, I2C_SLAVE, (void *)(uintptr_t)STSAFE_I2C_ADDR_DEFAULT), 0);
    return f;
}

static void test_write_read_echo(void **state)
{
    stsafe_inproc_device *dev = *state;
    stsafe_i2cdev_file f = slave_file(O_RDWR);
    uint8_t rsp[sizeof echo_rsp];
    assert_int_equal(stsafe_i2cdev_write(&f, &dev->bus, echo_cmd, sizeof echo_cmd), sizeof echo_cmd);
    assert_int_equal(stsafe_i2cdev_read(&f, &dev->bus, rsp, sizeof rsp), sizeof rsp);
    assert_memory_equal(rsp, echo_rsp, sizeof rsp);
}

static void test_nack_leaves_buffer(void **state)
{
    stsafe_inproc_device *dev = *state;
    stsafe_i2cdev_file f = slave_file(O_RDWR);
    uint8_t rsp[5], untouched[5];
    memset(rsp, 0x5A, sizeof rsp);
    memset(untouched, 0x5A, sizeof untouched);
    assert_int_equal(stsafe_i2cdev_ioctl(&f, NULL, I2C_SLAVE, (void *)(uintptr_t)0x21), 0);
    assert_int_equal(stsafe_i2cdev_read(&f, &dev->bus, rsp, sizeof rsp), -ENXIO);
    assert_memory_equal(rsp, untouched, sizeof rsp);
    assert_int_equal(stsafe_i2cdev_write(&f, &dev->bus, echo_cmd, sizeof echo_cmd), -ENXIO);
}

static long rdwr(stsafe_i2cdev_file *f, const stsafe_bus *bus, struct i2c_msg *m, uint32_t n)
{
    struct i2c_rdwr_ioctl_data d = {m, n};
    return stsafe_i2cdev_ioctl(f, bus, I2C_RDWR, &d);
}

/* With no timing the chip answers at once: a write and a read in one transfer. */
static void test_rdwr_write_then_read(void **state)
{
    stsafe_inproc_device *dev = *state;
    stsafe_i2cdev_file f = slave_file(O_RDWR);
    uint8_t cmd[sizeof echo_cmd], rsp[sizeof echo_rsp];
    memcpy(cmd, echo_cmd, sizeof cmd);
    struct i2c_msg m[2] = {{0x20, 0, sizeof cmd, cmd}, {0x20, I2C_M_RD, sizeof rsp, rsp}};
    assert_int_equal(rdwr(&f, &dev->bus, m, 2), 2);
    assert_memory_equal(rsp, echo_rsp, sizeof rsp);
    assert_memory_equal(cmd, echo_cmd, sizeof cmd); /* a write buffer is only read */
}

/* A NACK on the second message: the first ran (the chip executed the
 * command), no read buffer is written, not even the earlier one's. */
static void test_rdwr_nack_midway(void **state)
{
    stsafe_inproc_device *dev = *state;
    stsafe_i2cdev_file f = slave_file(O_RDWR);
    uint8_t cmd[] = {0x00, 0xAB, 0x14, 0x9E}, early[5], late[5], rsp[6];
    const uint8_t ab_rsp[] = {0x00, 0x00, 0x03, 0xAB, 0x14, 0x9E};
    assert_int_equal(rdwr(&f, &dev->bus, (struct i2c_msg[]){{0x20, 0, sizeof echo_cmd, (uint8_t *)echo_cmd}}, 1), 1);
    memset(early, 0x11, sizeof early);
    memset(late, 0x22, sizeof late);
    struct i2c_msg m[3] = {{0x20, I2C_M_RD, sizeof early, early}, {0x20, 0, sizeof cmd, cmd},
                           {0x21, I2C_M_RD, sizeof late, late}};
    assert_int_equal(rdwr(&f, &dev->bus, m, 3), -ENXIO);
    for (size_t i = 0; i < sizeof early; i++) {
        assert_int_equal(early[i], 0x11);
        assert_int_equal(late[i], 0x22);
    }
    assert_int_equal(stsafe_i2cdev_read(&f, &dev->bus, rsp, sizeof rsp), sizeof rsp);
    assert_memory_equal(rsp, ab_rsp, sizeof rsp);
}

/* ---- a bus that fails as told ------------------------------------------------ */

static int failing_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    (void)msgs;
    (void)n;
    return *(int *)ctx;
}

static const stsafe_bus_ops failing_ops = {.transfer = failing_transfer};

static void test_bus_failures(void **state)
{
    (void)state;
    int err = STSAFE_ERR_BUS_IO;
    stsafe_bus bus = {&failing_ops, &err};
    stsafe_i2cdev_file f = slave_file(O_RDWR);
    uint8_t buf[4] = {0};
    struct i2c_msg m = {0x20, I2C_M_RD, sizeof buf, buf};
    assert_int_equal(stsafe_i2cdev_read(&f, &bus, buf, sizeof buf), -EIO);
    assert_int_equal(stsafe_i2cdev_write(&f, &bus, buf, sizeof buf), -EIO);
    assert_int_equal(rdwr(&f, &bus, &m, 1), -EIO);
    err = STSAFE_ERR_UNSUPPORTED;
    assert_int_equal(rdwr(&f, &bus, &m, 1), -EOPNOTSUPP);
    err = STSAFE_ERR_BUS_NACK;
    assert_int_equal(stsafe_i2cdev_write(&f, &bus, buf, sizeof buf), -ENXIO);
    assert_int_equal(stsafe_i2cdev_read(&f, NULL, buf, sizeof buf), -EIO);
    stsafe_bus no_ops = {NULL, NULL};
    assert_int_equal(rdwr(&f, &no_ops, &m, 1), -EIO);
}

static void test_errno_map(void **state)
{
    (void)state;
    assert_int_equal(stsafe_i2cdev_errno(STSAFE_ERR_BUS_NACK), ENXIO);
    assert_int_equal(stsafe_i2cdev_errno(STSAFE_ERR_BUS_IO), EIO);
    assert_int_equal(stsafe_i2cdev_errno(STSAFE_ERR_BUS_TIMEOUT), EIO);
    assert_int_equal(stsafe_i2cdev_errno(STSAFE_ERR_UNSUPPORTED), EOPNOTSUPP);
    assert_int_equal(stsafe_i2cdev_errno(STSAFE_ERR_BAD_INPUT), EINVAL);
}

/* ---- the file: access mode, message limit ---------------------------------------- */

static void test_file_init(void **state)
{
    stsafe_inproc_device *dev = *state;
    uint8_t buf[17] = {0};
    stsafe_i2cdev_file f = slave_file(O_RDONLY);
    assert_int_equal(stsafe_i2cdev_write(&f, &dev->bus, buf, 1), -EBADF);
    f = slave_file(O_WRONLY);
    assert_int_equal(stsafe_i2cdev_read(&f, &dev->bus, buf, 1), -EBADF);
    stsafe_i2cdev_file_init(&f, O_RDWR, 16);
    assert_int_equal(f.addr, 0);
    assert_int_equal(f.max_len, 16);
    assert_int_equal(stsafe_i2cdev_write(&f, &dev->bus, buf, 17), -EOPNOTSUPP);
    assert_int_equal(stsafe_i2cdev_read(&f, &dev->bus, NULL, 1), -EFAULT);
    stsafe_i2cdev_file_init(&f, O_RDWR, 4096);
    assert_int_equal(f.max_len, STSAFE_I2CDEV_MAX_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_read_echo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nack_leaves_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rdwr_write_then_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rdwr_nack_midway, setup, teardown),
        cmocka_unit_test(test_bus_failures),
        cmocka_unit_test(test_errno_map),
        cmocka_unit_test_setup_teardown(test_file_init, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
