/* SPDX-License-Identifier: BSD-3-Clause */
/* The i2c-dev character device over an stsafe_bus (i2cdev_dev.h): the
 * kernel's checks and errno values, in the kernel's order. */
#include "i2cdev_dev.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <linux/i2c.h>
#include <linux/i2c-dev.h>

#include "stsafe/protocol/error.h"

_Static_assert(STSAFE_I2CDEV_FUNCS == (I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL), "I2C_FUNCS as linux/i2c.h spells it");

/* Message flags an adapter needs I2C_FUNC_PROTOCOL_MANGLING, I2C_FUNC_NOSTART
 * or SMBus block reads for; this one offers none of them. */
#define UNOFFERED_FLAGS \
    (I2C_M_RECV_LEN | I2C_M_NO_RD_ACK | I2C_M_IGNORE_NAK | I2C_M_REV_DIR_ADDR | I2C_M_NOSTART | I2C_M_STOP)

void stsafe_i2cdev_file_init(stsafe_i2cdev_file *f, int open_flags, size_t max_len)
{
    int mode = open_flags & O_ACCMODE;
    memset(f, 0, sizeof *f);
    f->readable = mode == O_RDONLY || mode == O_RDWR;
    f->writable = mode == O_WRONLY || mode == O_RDWR;
    f->max_len = max_len < STSAFE_I2CDEV_MAX_LEN ? max_len : STSAFE_I2CDEV_MAX_LEN;
}

int stsafe_i2cdev_errno(int err)
{
    switch (err) {
    case STSAFE_ERR_BUS_NACK:    return ENXIO; /* fault-codes.rst: no ACK in the address phase */
    case STSAFE_ERR_UNSUPPORTED: return EOPNOTSUPP;
    case STSAFE_ERR_BAD_INPUT:   return EINVAL;
    default:                     return EIO;
    }
}

/* What the adapter refuses before any I/O (the kernel's quirks and the
 * adapter driver's own checks). */
static int adapter_check(const stsafe_i2cdev_file *f, uint16_t addr, uint16_t flags, size_t len)
{
    if (flags & I2C_M_TEN)
        return -EAFNOSUPPORT;
    if (flags & UNOFFERED_FLAGS)
        return -EOPNOTSUPP;
    if (addr > 0x7F)
        return -EINVAL;
    if (len > f->max_len)
        return -EOPNOTSUPP;
    return 0;
}

static int bus_ok(const stsafe_bus *bus)
{
    return bus && bus->ops && bus->ops->transfer;
}

ssize_t stsafe_i2cdev_read(stsafe_i2cdev_file *f, const stsafe_bus *bus, void *buf, size_t count)
{
    uint8_t tmp[STSAFE_I2CDEV_MAX_LEN];
    if (!f->readable)
        return -EBADF;
    if (count > STSAFE_I2CDEV_KERNEL_CHUNK)
        count = STSAFE_I2CDEV_KERNEL_CHUNK;
    if (count && !buf)
        return -EFAULT;
    int rc = adapter_check(f, f->addr, f->ten_bit ? I2C_M_TEN : 0, count);
    if (rc)
        return rc;
    if (!bus_ok(bus))
        return -EIO;
    int err = stsafe_bus_read(bus, f->addr, tmp, count);
    if (err)
        return -stsafe_i2cdev_errno(err);
    if (count)
        memcpy(buf, tmp, count);
    return (ssize_t)count;
}

ssize_t stsafe_i2cdev_write(stsafe_i2cdev_file *f, const stsafe_bus *bus, const void *buf,
                            size_t count)
{
    if (!f->writable)
        return -EBADF;
    if (count > STSAFE_I2CDEV_KERNEL_CHUNK)
        count = STSAFE_I2CDEV_KERNEL_CHUNK;
    if (count && !buf)
        return -EFAULT;
    int rc = adapter_check(f, f->addr, f->ten_bit ? I2C_M_TEN : 0, count);
    if (rc)
        return rc;
    if (!bus_ok(bus))
        return -EIO;
    int err = stsafe_bus_write(bus, f->addr, buf, count);
    return err ? -stsafe_i2cdev_errno(err) : (ssize_t)count;
}

/* ---- I2C_RDWR -------------------------------------------------------------- */

/* i2c-dev's own checks of one message, before the adapter sees any. */
static int rdwr_msg_check(const struct i2c_msg *m)
{
    if (m->len > STSAFE_I2CDEV_KERNEL_CHUNK)
        return -EINVAL;
    if (m->len && !m->buf)
        return -EFAULT;
    if ((m->flags & I2C_M_RECV_LEN) &&
        (!(m->flags & I2C_M_RD) || m->len < 1 || m->buf[0] < 1 || m->len < m->buf[0] + I2C_SMBUS_BLOCK_MAX))
        return -EINVAL;
    return 0;
}

/* Runs the messages on copies, so that a failed transfer writes no read
 * buffer (the kernel copies read data back only when all went well). */
static long rdwr_transfer(const stsafe_bus *bus, const struct i2c_msg *m, size_t n)
{
    stsafe_i2c_msg msgs[STSAFE_I2CDEV_MAX_MSGS];
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += m[i].len;
    uint8_t *copy = malloc(total ? total : 1);
    if (!copy)
        return -ENOMEM;
    for (size_t i = 0, off = 0; i < n; off += m[i].len, i++) {
        msgs[i] = (stsafe_i2c_msg){m[i].addr, (m[i].flags & I2C_M_RD) ? STSAFE_I2C_MSG_READ : STSAFE_I2C_MSG_WRITE,
                                   m[i].len, copy + off};
        if (m[i].len)
            memcpy(copy + off, m[i].buf, m[i].len);
    }
    int err = bus->ops->transfer(bus->ctx, msgs, n);
    for (size_t i = 0; !err && i < n; i++)
        if ((m[i].flags & I2C_M_RD) && m[i].len)
            memcpy(m[i].buf, msgs[i].buf, m[i].len);
    free(copy);
    return err ? -stsafe_i2cdev_errno(err) : (long)n;
}

long stsafe_i2cdev_transfer(const stsafe_i2cdev_file *f, const stsafe_bus *bus, struct i2c_msg *m,
                            size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = adapter_check(f, m[i].addr, m[i].flags, m[i].len);
        if (rc)
            return rc;
    }
    if (!bus_ok(bus))
        return -EIO;
    return rdwr_transfer(bus, m, n);
}

static long ioctl_rdwr(const stsafe_i2cdev_file *f, const stsafe_bus *bus,
                       const struct i2c_rdwr_ioctl_data *rdwr)
{
    if (!rdwr)
        return -EFAULT;
    if (!rdwr->msgs || rdwr->nmsgs == 0 || rdwr->nmsgs > STSAFE_I2CDEV_MAX_MSGS)
        return -EINVAL;
    for (size_t i = 0; i < rdwr->nmsgs; i++) {
        int rc = rdwr_msg_check(&rdwr->msgs[i]);
        if (rc)
            return rc;
    }
    return stsafe_i2cdev_transfer(f, bus, rdwr->msgs, rdwr->nmsgs);
}

/* ---- the other requests --------------------------------------------------- */

static long ioctl_slave(stsafe_i2cdev_file *f, uintptr_t addr)
{
    if (addr > 0x3FF || (!f->ten_bit && addr > 0x7F))
        return -EINVAL;
    f->addr = (uint16_t)addr; /* I2C_SLAVE's EBUSY (a kernel driver owns the address) cannot happen here */
    return 0;
}

long stsafe_i2cdev_ioctl(stsafe_i2cdev_file *f, const stsafe_bus *bus, unsigned long request,
                         void *arg)
{
    uintptr_t value = (uintptr_t)arg;
    switch (request) {
    case I2C_SLAVE:
    case I2C_SLAVE_FORCE:
        return ioctl_slave(f, value);
    case I2C_TENBIT:
        f->ten_bit = value != 0;
        return 0;
    case I2C_PEC:
        f->pec = value != 0;
        return 0;
    case I2C_FUNCS:
        if (!arg)
            return -EFAULT;
        *(unsigned long *)arg = STSAFE_I2CDEV_FUNCS;
        return 0;
    case I2C_RDWR:
        return ioctl_rdwr(f, bus, arg);
    case I2C_SMBUS:
        return stsafe_i2cdev_smbus(f, bus, arg);
    case I2C_RETRIES:
    case I2C_TIMEOUT:
        return value > INT_MAX ? -EINVAL : 0; /* accepted; the emulated bus neither retries nor times out */
    default:
        return -ENOTTY;
    }
}
