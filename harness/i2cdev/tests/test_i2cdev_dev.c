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


/* ---- I2C_SMBUS: the messages of each transaction ------------------------------ */

/* A bus that records what it is asked and answers reads from a script. */
typedef struct {
    size_t n;                   /* messages seen */
    uint16_t addr[4], flags[4], len[4];
    uint8_t bytes[4][40];       /* what was written */
    uint8_t answer[40];         /* what every read gets, from its first byte */
} rec_bus;

static int rec_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    rec_bus *r = ctx;
    for (size_t i = 0; i < n && r->n < 4; i++, r->n++) {
        r->addr[r->n] = msgs[i].addr;
        r->flags[r->n] = msgs[i].flags;
        r->len[r->n] = (uint16_t)msgs[i].len;
        if (msgs[i].flags & STSAFE_I2C_MSG_READ)
            memcpy(msgs[i].buf, r->answer, msgs[i].len);
        else
            memcpy(r->bytes[r->n], msgs[i].buf, msgs[i].len);
    }
    return 0;
}

static const stsafe_bus_ops rec_ops = {.transfer = rec_transfer};

static long smbus(stsafe_i2cdev_file *f, const stsafe_bus *bus, uint8_t rw, uint8_t cmd, uint32_t size,
                  union i2c_smbus_data *data)
{
    struct i2c_smbus_ioctl_data d = {rw, cmd, size, data};
    return stsafe_i2cdev_ioctl(f, bus, I2C_SMBUS, &d);
}

/* Message \p i was a write of \p len bytes \p want at 0x20 (NULL: a read of \p len). */
static void expect_msg(const rec_bus *r, size_t i, const uint8_t *want, uint16_t len)
{
    assert_true(i < r->n);
    assert_int_equal(r->addr[i], 0x20);
    assert_int_equal(r->flags[i], want ? STSAFE_I2C_MSG_WRITE : STSAFE_I2C_MSG_READ);
    assert_int_equal(r->len[i], len);
    if (want && len)
        assert_memory_equal(r->bytes[i], want, len);
}

static void test_smbus_funcs(void **state)
{
    (void)state;
    unsigned long funcs = 0;
    stsafe_i2cdev_file f = slave_file(O_RDWR);
    assert_int_equal(stsafe_i2cdev_ioctl(&f, NULL, I2C_FUNCS, &funcs), 0);
    assert_int_equal(funcs, I2C_FUNC_I2C | I2C_FUNC_SMBUS_QUICK | I2C_FUNC_SMBUS_BYTE |
                                I2C_FUNC_SMBUS_BYTE_DATA | I2C_FUNC_SMBUS_WORD_DATA |
                                I2C_FUNC_SMBUS_PROC_CALL | I2C_FUNC_SMBUS_WRITE_BLOCK_DATA |
                                I2C_FUNC_SMBUS_I2C_BLOCK | I2C_FUNC_SMBUS_PEC);
    assert_int_equal(funcs, 0x0EFF0009ul);
}

/* Quick, byte and byte data: the kernel's emulation, message for message. */
static void test_smbus_short_transactions(void **state)
{
    (void)state;
    rec_bus r = {.answer = {0x5C, 0x6D}};
    stsafe_bus bus = {&rec_ops, &r};
    stsafe_i2cdev_file f = slave_file(O_RDWR);
    union i2c_smbus_data d = {.byte = 0x55};
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0, I2C_SMBUS_QUICK, NULL), 0);
    assert_int_equal(r.n, 1);
    expect_msg(&r, 0, (const uint8_t *)"", 0);
    r.n = 0;
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_READ, 0, I2C_SMBUS_QUICK, NULL), 0);
    assert_int_equal(r.n, 1);
    expect_msg(&r, 0, NULL, 0);
    r.n = 0;
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0xA5, I2C_SMBUS_BYTE, NULL), 0);
    assert_int_equal(r.n, 1);
    expect_msg(&r, 0, (const uint8_t[]){0xA5}, 1);
    r.n = 0;
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_READ, 0xA5, I2C_SMBUS_BYTE, &d), 0);
    assert_int_equal(r.n, 1);
    expect_msg(&r, 0, NULL, 1);
    assert_int_equal(d.byte, 0x5C);
    r.n = 0;
    d.byte = 0x55;
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0x10, I2C_SMBUS_BYTE_DATA, &d), 0);
    assert_int_equal(r.n, 1);
    expect_msg(&r, 0, (const uint8_t[]){0x10, 0x55}, 2);
    r.n = 0;
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_READ, 0x10, I2C_SMBUS_BYTE_DATA, &d), 0);
    assert_int_equal(r.n, 2);
    expect_msg(&r, 0, (const uint8_t[]){0x10}, 1);
    expect_msg(&r, 1, NULL, 1);
    assert_int_equal(d.byte, 0x5C);
}

/* Word data, process call, blocks: words go low byte first. */
static void test_smbus_word_and_block(void **state)
{
    (void)state;
    rec_bus r = {.answer = {0x34, 0x12, 0x56, 0x78}};
    stsafe_bus bus = {&rec_ops, &r};
    stsafe_i2cdev_file f = slave_file(O_RDWR);
    union i2c_smbus_data d = {.word = 0xBEEF};
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0x10, I2C_SMBUS_WORD_DATA, &d), 0);
    expect_msg(&r, 0, (const uint8_t[]){0x10, 0xEF, 0xBE}, 3);
    r.n = 0;
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_READ, 0x10, I2C_SMBUS_WORD_DATA, &d), 0);
    assert_int_equal(r.n, 2);
    expect_msg(&r, 0, (const uint8_t[]){0x10}, 1);
    expect_msg(&r, 1, NULL, 2);
    assert_int_equal(d.word, 0x1234);
    r.n = 0;
    d.word = 0xBEEF; /* a process call writes, then reads, whatever rw says */
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0x11, I2C_SMBUS_PROC_CALL, &d), 0);
    assert_int_equal(r.n, 2);
    expect_msg(&r, 0, (const uint8_t[]){0x11, 0xEF, 0xBE}, 3);
    expect_msg(&r, 1, NULL, 2);
    assert_int_equal(d.word, 0x1234);
    r.n = 0;
    memset(&d, 0, sizeof d);
    d.block[0] = 3, d.block[1] = 1, d.block[2] = 2, d.block[3] = 3;
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0x12, I2C_SMBUS_BLOCK_DATA, &d), 0);
    expect_msg(&r, 0, (const uint8_t[]){0x12, 3, 1, 2, 3}, 5);
    r.n = 0;
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0x13, I2C_SMBUS_I2C_BLOCK_DATA, &d), 0);
    expect_msg(&r, 0, (const uint8_t[]){0x13, 1, 2, 3}, 4);
    r.n = 0;
    d.block[0] = 4;
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_READ, 0x14, I2C_SMBUS_I2C_BLOCK_DATA, &d), 0);
    assert_int_equal(r.n, 2);
    expect_msg(&r, 0, (const uint8_t[]){0x14}, 1);
    expect_msg(&r, 1, NULL, 4);
    assert_memory_equal(d.block, ((const uint8_t[]){4, 0x34, 0x12, 0x56, 0x78}), 5);
    r.n = 0; /* the old I2C block read always reads 32 bytes */
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_READ, 0x14, I2C_SMBUS_I2C_BLOCK_BROKEN, &d), 0);
    expect_msg(&r, 1, NULL, I2C_SMBUS_BLOCK_MAX);
    assert_int_equal(d.block[0], I2C_SMBUS_BLOCK_MAX);
}

/* What the kernel refuses, and what this adapter cannot do (a block read
 * needs I2C_M_RECV_LEN): nothing reaches the bus. */
static void test_smbus_refused(void **state)
{
    (void)state;
    rec_bus r = {.n = 0};
    stsafe_bus bus = {&rec_ops, &r};
    stsafe_i2cdev_file f = slave_file(O_RDWR);
    union i2c_smbus_data d = {.block = {33}};
    assert_int_equal(stsafe_i2cdev_ioctl(&f, &bus, I2C_SMBUS, NULL), -EFAULT);
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_READ, 0, 9, &d), -EINVAL);
    assert_int_equal(smbus(&f, &bus, 2, 0, I2C_SMBUS_QUICK, NULL), -EINVAL);
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_READ, 0, I2C_SMBUS_BYTE, NULL), -EINVAL);
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0, I2C_SMBUS_BYTE_DATA, NULL), -EINVAL);
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0, I2C_SMBUS_BLOCK_DATA, &d), -EINVAL);
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0, I2C_SMBUS_I2C_BLOCK_DATA, &d), -EINVAL);
    d.block[0] = 2;
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_READ, 0, I2C_SMBUS_BLOCK_DATA, &d), -EOPNOTSUPP);
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0, I2C_SMBUS_BLOCK_PROC_CALL, &d), -EOPNOTSUPP);
    assert_int_equal(d.block[0], 2);
    assert_int_equal(stsafe_i2cdev_ioctl(&f, NULL, I2C_TENBIT, (void *)1), 0);
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0, I2C_SMBUS_QUICK, NULL), -EAFNOSUPPORT);
    assert_int_equal(r.n, 0);
    assert_int_equal(smbus(&f, NULL, I2C_SMBUS_WRITE, 0, I2C_SMBUS_QUICK, NULL), -EAFNOSUPPORT);
    assert_int_equal(stsafe_i2cdev_ioctl(&f, NULL, I2C_TENBIT, (void *)0), 0);
    assert_int_equal(smbus(&f, NULL, I2C_SMBUS_WRITE, 0, I2C_SMBUS_QUICK, NULL), -EIO);
}

/* I2C_PEC: CRC-8 (x^8 + x^2 + x + 1) over the address bytes and data. The
 * expected values come from an independent CRC-8/SMBUS (check value of
 * "123456789": 0xF4). Quick and I2C block carry none. */
static void test_smbus_pec(void **state)
{
    (void)state;
    rec_bus r = {.answer = {0x34, 0x12, 0x91}};
    stsafe_bus bus = {&rec_ops, &r};
    stsafe_i2cdev_file f = slave_file(O_RDWR);
    union i2c_smbus_data d = {.byte = 0x55};
    assert_int_equal(stsafe_i2cdev_ioctl(&f, NULL, I2C_PEC, (void *)1), 0);
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0x10, I2C_SMBUS_BYTE_DATA, &d), 0);
    expect_msg(&r, 0, (const uint8_t[]){0x10, 0x55, 0x7D}, 3); /* PEC of 40 10 55 */
    r.n = 0;
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_READ, 0x10, I2C_SMBUS_WORD_DATA, &d), 0);
    expect_msg(&r, 0, (const uint8_t[]){0x10}, 1);
    expect_msg(&r, 1, NULL, 3); /* 34 12 and the PEC of 40 10 41 34 12 */
    assert_int_equal(d.word, 0x1234);
    r.n = 0;
    r.answer[2] = 0x92;
    d.word = 0xAAAA;
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_READ, 0x10, I2C_SMBUS_WORD_DATA, &d), -EBADMSG);
    assert_int_equal(d.word, 0xAAAA);
    r.n = 0;
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0, I2C_SMBUS_QUICK, NULL), 0);
    expect_msg(&r, 0, (const uint8_t *)"", 0);
    r.n = 0;
    memset(&d, 0, sizeof d);
    d.block[0] = 1, d.block[1] = 0xEE;
    assert_int_equal(smbus(&f, &bus, I2C_SMBUS_WRITE, 0x13, I2C_SMBUS_I2C_BLOCK_DATA, &d), 0);
    expect_msg(&r, 0, (const uint8_t[]){0x13, 0xEE}, 2);
}

/* Against the chip: a quick write is an address the chip ACKs, and leaves
 * the response it has for the host alone; busy (datasheet timing, on the
 * in-process bus's virtual clock) it is NACKed; elsewhere nobody answers.
 * A word write of 00 F0 78 is an Echo frame with no payload. */
static void test_smbus_chip(void **state)
{
    stsafe_inproc_device *dev = *state;
    stsafe_i2cdev_file f = slave_file(O_RDWR);
    uint8_t rsp[sizeof echo_rsp];
    union i2c_smbus_data d = {.word = 0x78F0};
    assert_int_equal(smbus(&f, &dev->bus, I2C_SMBUS_WRITE, 0, I2C_SMBUS_QUICK, NULL), 0);
    assert_int_equal(stsafe_i2cdev_write(&f, &dev->bus, echo_cmd, sizeof echo_cmd), sizeof echo_cmd);
    assert_int_equal(smbus(&f, &dev->bus, I2C_SMBUS_WRITE, 0, I2C_SMBUS_QUICK, NULL), 0);
    assert_int_equal(stsafe_i2cdev_read(&f, &dev->bus, rsp, sizeof rsp), sizeof rsp);
    assert_memory_equal(rsp, echo_rsp, sizeof rsp);
    assert_int_equal(smbus(&f, &dev->bus, I2C_SMBUS_READ, 0, I2C_SMBUS_BYTE, &d), 0);
    assert_int_equal(d.byte, 0x00); /* the status byte */
    dev->chip.timing = STSAFE_EMU_TIMING_DATASHEET;
    dev->chip.timing_spread_pct = 0; /* the profile's time exactly */
    d.word = 0x78F0;
    assert_int_equal(smbus(&f, &dev->bus, I2C_SMBUS_WRITE, 0x00, I2C_SMBUS_WORD_DATA, &d), 0);
    assert_int_equal(smbus(&f, &dev->bus, I2C_SMBUS_WRITE, 0, I2C_SMBUS_QUICK, NULL), -ENXIO);
    assert_int_equal(smbus(&f, &dev->bus, I2C_SMBUS_READ, 0, I2C_SMBUS_QUICK, NULL), -ENXIO);
    dev->inproc.now_us += stsafe_emu_exec_time_us(STSAFE_CMD_ECHO);
    assert_int_equal(smbus(&f, &dev->bus, I2C_SMBUS_WRITE, 0, I2C_SMBUS_QUICK, NULL), 0);
    assert_int_equal(stsafe_i2cdev_read(&f, &dev->bus, rsp, 5), 5);
    assert_memory_equal(rsp, ((const uint8_t[]){0x00, 0x00, 0x02, 0xF0, 0x78}), 5);
    assert_int_equal(stsafe_i2cdev_ioctl(&f, NULL, I2C_SLAVE, (void *)(uintptr_t)0x21), 0);
    assert_int_equal(smbus(&f, &dev->bus, I2C_SMBUS_WRITE, 0, I2C_SMBUS_QUICK, NULL), -ENXIO);
    assert_int_equal(smbus(&f, &dev->bus, I2C_SMBUS_READ, 0, I2C_SMBUS_BYTE, &d), -ENXIO);
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
        cmocka_unit_test(test_smbus_funcs),
        cmocka_unit_test(test_smbus_short_transactions),
        cmocka_unit_test(test_smbus_word_and_block),
        cmocka_unit_test(test_smbus_refused),
        cmocka_unit_test(test_smbus_pec),
        cmocka_unit_test_setup_teardown(test_smbus_chip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
