/* SPDX-License-Identifier: BSD-3-Clause */
/* I2C_SMBUS on the i2c-dev model (i2cdev_dev.h). First the checks the
 * kernel's i2c-dev makes on the request (drivers/i2c/i2c-dev.c), then the
 * transaction carried out as I2C messages, the way the kernel does it for
 * an adapter with no SMBus controller of its own (SMBus emulation,
 * drivers/i2c/i2c-core-smbus.c): the same messages, the same PEC, the same
 * errno. The messages go through stsafe_i2cdev_transfer(), like I2C_RDWR,
 * so the bus's faults, trace and timing apply to them too.
 *
 *   transaction            messages (S start, Sr repeated start, P stop)
 *   quick write / read     S addr+W P                / S addr+R P
 *   send / receive byte    S addr+W cmd P            / S addr+R [byte] P
 *   write / read byte      S addr+W cmd byte P       / S addr+W cmd Sr addr+R [byte] P
 *   write / read word      S addr+W cmd lo hi P      / S addr+W cmd Sr addr+R [lo hi] P
 *   process call           S addr+W cmd lo hi Sr addr+R [lo hi] P
 *   block write            S addr+W cmd count data... P
 *   I2C block write / read S addr+W cmd data... P    / S addr+W cmd Sr addr+R [data...] P
 *
 * SMBus block read and block process call need the adapter to read the
 * count byte and extend the read by it (I2C_M_RECV_LEN), which this adapter
 * does not offer: EOPNOTSUPP, as I2C_FUNCS says. */
#include "i2cdev_dev.h"

#include <errno.h>
#include <string.h>

#include <linux/i2c.h>
#include <linux/i2c-dev.h>

/* One transaction's messages and their buffers (the kernel's sizes). */
typedef struct {
    struct i2c_msg msg[2];
    size_t n;
    uint8_t buf0[I2C_SMBUS_BLOCK_MAX + 3]; /* command, up to 33 bytes, PEC */
    uint8_t buf1[I2C_SMBUS_BLOCK_MAX + 2]; /* read data, PEC */
} smbus_xfer;

/* SMBus PEC: CRC-8 with polynomial x^8 + x^2 + x + 1, initial value 0, over
 * every byte of the transaction, address bytes included (SMBus 2.0, 5.4.1). */
static uint8_t pec_update(uint8_t crc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (uint8_t)((crc & 0x80) ? (crc << 1) ^ 0x07 : crc << 1);
    }
    return crc;
}

static uint8_t msg_pec(uint8_t crc, const struct i2c_msg *m)
{
    uint8_t addr = (uint8_t)(m->addr << 1 | ((m->flags & I2C_M_RD) ? 1 : 0));
    return pec_update(pec_update(crc, &addr, 1), m->buf, m->len);
}

/* The write half of a word transaction: command, low byte, high byte. */
static void put_word(smbus_xfer *x, uint16_t word)
{
    x->msg[0].len = 3;
    x->buf0[1] = (uint8_t)(word & 0xFF);
    x->buf0[2] = (uint8_t)(word >> 8);
}

/* The messages of one transaction (see the table above); *rw becomes READ
 * for the process calls, which write and read whatever they were asked.
 * 0 or -EINVAL (a block of more than 32 bytes). */
static int build(smbus_xfer *x, uint16_t addr, uint16_t flags, uint8_t *rw, uint8_t cmd,
                 uint32_t size, const union i2c_smbus_data *data)
{
    int read = *rw == I2C_SMBUS_READ;
    x->msg[0] = (struct i2c_msg){addr, flags, 1, x->buf0};
    x->msg[1] = (struct i2c_msg){addr, (uint16_t)(flags | I2C_M_RD), 0, x->buf1};
    x->n = read ? 2 : 1;
    x->buf0[0] = cmd;
    if (size == I2C_SMBUS_PROC_CALL || size == I2C_SMBUS_BLOCK_PROC_CALL) {
        *rw = I2C_SMBUS_READ;
        x->n = 2;
    }
    switch (size) {
    case I2C_SMBUS_QUICK: /* the read/write bit is the datum */
        x->msg[0].len = 0;
        x->msg[0].flags = (uint16_t)(flags | (read ? I2C_M_RD : 0));
        x->n = 1;
        break;
    case I2C_SMBUS_BYTE:
        if (read) {
            x->msg[0].flags = (uint16_t)(flags | I2C_M_RD);
            x->n = 1;
        }
        break;
    case I2C_SMBUS_BYTE_DATA:
        if (read)
            x->msg[1].len = 1;
        else {
            x->msg[0].len = 2;
            x->buf0[1] = data->byte;
        }
        break;
    case I2C_SMBUS_WORD_DATA:
        if (read)
            x->msg[1].len = 2;
        else
            put_word(x, data->word);
        break;
    case I2C_SMBUS_PROC_CALL:
        put_word(x, data->word);
        x->msg[1].len = 2;
        break;
    case I2C_SMBUS_BLOCK_DATA:
    case I2C_SMBUS_BLOCK_PROC_CALL:
        if (data->block[0] > I2C_SMBUS_BLOCK_MAX)
            return -EINVAL;
        if (x->n == 1 || size == I2C_SMBUS_BLOCK_PROC_CALL) { /* command, count, data */
            x->msg[0].len = (uint16_t)(data->block[0] + 2);
            memcpy(x->buf0 + 1, data->block, (size_t)data->block[0] + 1);
        }
        if (x->n == 2) { /* the count byte, then as many bytes as it says */
            x->msg[1].flags |= I2C_M_RECV_LEN;
            x->msg[1].len = 1;
        }
        break;
    default: /* I2C block: block[0] is the length and is not sent */
        if (data->block[0] > I2C_SMBUS_BLOCK_MAX)
            return -EINVAL;
        if (read)
            x->msg[1].len = data->block[0];
        else {
            x->msg[0].len = (uint16_t)(data->block[0] + 1);
            memcpy(x->buf0 + 1, data->block + 1, data->block[0]);
        }
        break;
    }
    return 0;
}

/* PEC, when asked for (I2C_PEC) and the transaction has room for it: a
 * write alone carries it last; a read ends with it, computed over the
 * whole transaction. Returns what the write half contributes. */
static uint8_t add_pec(smbus_xfer *x)
{
    uint8_t partial = 0;
    if (!(x->msg[0].flags & I2C_M_RD)) {
        uint8_t pec = msg_pec(0, &x->msg[0]);
        if (x->n == 1)
            x->buf0[x->msg[0].len++] = pec;
        else
            partial = pec;
    }
    if (x->msg[x->n - 1].flags & I2C_M_RD)
        x->msg[x->n - 1].len++;
    return partial;
}

/* The answer of a read transaction into \p data. */
static void give_back(const smbus_xfer *x, uint32_t size, union i2c_smbus_data *data)
{
    switch (size) {
    case I2C_SMBUS_BYTE:      data->byte = x->buf0[0]; break;
    case I2C_SMBUS_BYTE_DATA: data->byte = x->buf1[0]; break;
    case I2C_SMBUS_WORD_DATA:
    case I2C_SMBUS_PROC_CALL: data->word = (uint16_t)(x->buf1[0] | x->buf1[1] << 8); break;
    case I2C_SMBUS_I2C_BLOCK_DATA:
        memcpy(data->block + 1, x->buf1, data->block[0]);
        break;
    default: break; /* quick; the block reads never get here (I2C_M_RECV_LEN) */
    }
}

/* SMBus emulated over I2C messages. 0 or -errno. */
static long smbus_xfer_emulated(const stsafe_i2cdev_file *f, const stsafe_bus *bus, uint8_t rw,
                                uint8_t cmd, uint32_t size, union i2c_smbus_data *data)
{
    smbus_xfer x;
    uint16_t flags = f->ten_bit ? I2C_M_TEN : 0;
    int pec = f->pec && size != I2C_SMBUS_QUICK && size != I2C_SMBUS_I2C_BLOCK_DATA;
    int rc = build(&x, f->addr, flags, &rw, cmd, size, data);
    if (rc)
        return rc;
    uint8_t partial = pec ? add_pec(&x) : 0;
    long n = stsafe_i2cdev_transfer(f, bus, x.msg, x.n);
    if (n < 0)
        return n;
    struct i2c_msg *last = &x.msg[x.n - 1];
    if (pec && (last->flags & I2C_M_RD)) {
        last->len--;
        if (last->buf[last->len] != msg_pec(partial, last))
            return -EBADMSG;
    }
    if (rw == I2C_SMBUS_READ)
        give_back(&x, size, data);
    return 0;
}

/* Bytes of i2c_smbus_data a transaction of \p size uses. */
static size_t data_size(uint32_t size)
{
    if (size == I2C_SMBUS_BYTE || size == I2C_SMBUS_BYTE_DATA)
        return sizeof(uint8_t);
    if (size == I2C_SMBUS_WORD_DATA || size == I2C_SMBUS_PROC_CALL)
        return sizeof(uint16_t);
    return sizeof(((union i2c_smbus_data *)0)->block);
}

long stsafe_i2cdev_smbus(const stsafe_i2cdev_file *f, const stsafe_bus *bus, void *arg)
{
    const struct i2c_smbus_ioctl_data *d = arg;
    union i2c_smbus_data tmp;
    memset(&tmp, 0, sizeof tmp);
    if (!d)
        return -EFAULT;
    if (d->size > I2C_SMBUS_I2C_BLOCK_DATA)
        return -EINVAL;
    if (d->read_write != I2C_SMBUS_READ && d->read_write != I2C_SMBUS_WRITE)
        return -EINVAL;
    uint32_t size = d->size;
    if (size == I2C_SMBUS_QUICK || (size == I2C_SMBUS_BYTE && d->read_write == I2C_SMBUS_WRITE))
        return smbus_xfer_emulated(f, bus, d->read_write, d->command, size, &tmp); /* no data */
    if (!d->data)
        return -EINVAL;
    size_t len = data_size(size);
    int copy_in = size == I2C_SMBUS_PROC_CALL || size == I2C_SMBUS_BLOCK_PROC_CALL ||
                  size == I2C_SMBUS_I2C_BLOCK_DATA || d->read_write == I2C_SMBUS_WRITE;
    if (copy_in)
        memcpy(&tmp, d->data, len);
    if (size == I2C_SMBUS_I2C_BLOCK_BROKEN) { /* the old I2C block convention */
        size = I2C_SMBUS_I2C_BLOCK_DATA;
        if (d->read_write == I2C_SMBUS_READ)
            tmp.block[0] = I2C_SMBUS_BLOCK_MAX;
    }
    long rc = smbus_xfer_emulated(f, bus, d->read_write, d->command, size, &tmp);
    if (!rc && (size == I2C_SMBUS_PROC_CALL || d->size == I2C_SMBUS_BLOCK_PROC_CALL ||
                d->read_write == I2C_SMBUS_READ))
        memcpy(d->data, &tmp, len);
    return rc;
}
