/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file i2cdev_dev.h
 * \brief The Linux i2c-dev character device, modelled over an stsafe_bus.
 *
 * What the kernel's drivers/i2c/i2c-dev.c does for read(), write() and
 * ioctl() on an open /dev/i2c-N, with the emulated bus as the adapter:
 * the same argument checks in the same order and the same errno values
 * (docs/i2cdev.md has the table). Every function returns what the system
 * call returns on success, or a negative errno as the kernel does; the
 * preload shim (i2cdev_shim.c) turns that into -1 and errno.
 *
 * The adapter this models is an I2C controller with no SMBus hardware, as
 * most are (a Raspberry Pi's i2c-bcm2835, for one): I2C_FUNCS says
 * I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL, and I2C_SMBUS is carried out as I2C
 * messages the way the kernel emulates it (i2cdev_smbus.c). No 10-bit
 * addresses, no protocol mangling, no I2C_M_RECV_LEN (so no SMBus block
 * read or block process call), and messages of at most max_len bytes. A
 * request beyond that gets EOPNOTSUPP (EAFNOSUPPORT for 10-bit addresses),
 * as the kernel's fault codes (Documentation/i2c/fault-codes.rst) tell
 * adapters to answer.
 *
 * No globals; one stsafe_i2cdev_file per open file description.
 */
#ifndef STSAFE_I2CDEV_DEV_H
#define STSAFE_I2CDEV_DEV_H

#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include "stsafe/bus/bus.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest message the model carries (the socket protocol's limit). */
#define STSAFE_I2CDEV_MAX_LEN      1024u
/** read()/write() counts above this are cut to it, as in the kernel. */
#define STSAFE_I2CDEV_KERNEL_CHUNK 8192u
/** Messages one I2C_RDWR may carry (I2C_RDWR_IOCTL_MAX_MSGS). */
#define STSAFE_I2CDEV_MAX_MSGS     42u
/** What I2C_FUNCS answers: I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL (linux/i2c.h).
 *  Written out, so that this header needs no kernel header. */
#define STSAFE_I2CDEV_FUNCS        0x0EFF0009ul

/** One open /dev/i2c-N: what the kernel keeps in the file's i2c_client. */
typedef struct {
    uint16_t addr;      /**< I2C_SLAVE address; 0 after open, as in the kernel. */
    uint8_t ten_bit;    /**< I2C_TENBIT set: messages carry I2C_M_TEN. */
    uint8_t pec;        /**< I2C_PEC: SMBus transactions carry a PEC byte. */
    uint8_t readable;   /**< Opened O_RDONLY or O_RDWR. */
    uint8_t writable;   /**< Opened O_WRONLY or O_RDWR. */
    size_t max_len;     /**< Longest message the bus takes (<= STSAFE_I2CDEV_MAX_LEN). */
} stsafe_i2cdev_file;

/**
 * \brief The state of a freshly opened device.
 * \param open_flags  The flags given to open(); only O_ACCMODE is used.
 * \param max_len     Longest message the bus carries; above
 *                    STSAFE_I2CDEV_MAX_LEN it is cut to that.
 */
void stsafe_i2cdev_file_init(stsafe_i2cdev_file *f, int open_flags, size_t max_len);

/**
 * \brief read(): one read message of \p count bytes from the I2C_SLAVE address.
 * \return \p count (cut to 8192); -EBADF (not opened for reading); -EFAULT
 *         (NULL buffer); -EAFNOSUPPORT (I2C_TENBIT); -EOPNOTSUPP (longer
 *         than max_len); -ENXIO (the address was not acknowledged); -EIO
 *         (the bus failed). \p buf is written only on success.
 */
ssize_t stsafe_i2cdev_read(stsafe_i2cdev_file *f, const stsafe_bus *bus, void *buf, size_t count);

/**
 * \brief write(): one write message of \p count bytes to the I2C_SLAVE address.
 * \return \p count (cut to 8192), or the errors of stsafe_i2cdev_read()
 *         (-EBADF when not opened for writing).
 */
ssize_t stsafe_i2cdev_write(stsafe_i2cdev_file *f, const stsafe_bus *bus, const void *buf,
                            size_t count);

/**
 * \brief ioctl() with an i2c-dev request.
 * \param request  I2C_SLAVE, I2C_SLAVE_FORCE, I2C_TENBIT, I2C_PEC,
 *                 I2C_FUNCS, I2C_RDWR, I2C_SMBUS, I2C_RETRIES or
 *                 I2C_TIMEOUT; anything else is -ENOTTY.
 * \param arg      The third argument of ioctl(): a pointer for I2C_FUNCS,
 *                 I2C_RDWR and I2C_SMBUS, a number (carried in the pointer,
 *                 as the kernel takes it) for the others.
 * \return I2C_RDWR: the number of messages; the others: 0. Errors: -EINVAL
 *         (an address or value out of range, an I2C_RDWR with no messages,
 *         more than 42 or one over 8192 bytes), -EFAULT (NULL pointer),
 *         -EOPNOTSUPP (a message flag or length the adapter
 *         does not offer), -EAFNOSUPPORT (a 10-bit message), -ENXIO (a
 *         message's address was not acknowledged: the messages before it
 *         were carried out, no read buffer is written), -EIO, -ENOMEM,
 *         -ENOTTY.
 */
long stsafe_i2cdev_ioctl(stsafe_i2cdev_file *f, const stsafe_bus *bus, unsigned long request,
                         void *arg);

struct i2c_msg;

/**
 * \brief Messages through the adapter: its checks on each (10-bit, flags
 *        it does not offer, address, length), then one bus transfer.
 *        What I2C_RDWR runs after i2c-dev's own checks, and the SMBus
 *        emulation runs for each transaction.
 * \param m  The messages (struct i2c_msg of linux/i2c.h); read buffers are
 *           written only when every message went through.
 * \return \p n; -EAFNOSUPPORT, -EOPNOTSUPP, -EINVAL (checks); -ENXIO (an
 *         address was not acknowledged), -EIO, -ENOMEM.
 */
long stsafe_i2cdev_transfer(const stsafe_i2cdev_file *f, const stsafe_bus *bus, struct i2c_msg *m,
                            size_t n);

/**
 * \brief ioctl(I2C_SMBUS): i2c-dev's checks, then the SMBus transaction as
 *        I2C messages, as the kernel emulates SMBus on an I2C adapter
 *        (i2cdev_smbus.c has the messages of each), with PEC when I2C_PEC
 *        is set.
 * \param arg  A struct i2c_smbus_ioctl_data (linux/i2c-dev.h).
 * \return 0, the read data in arg->data; -EFAULT (NULL \p arg); -EINVAL (a
 *         size or direction out of range, no data where the transaction
 *         needs some, a block over 32 bytes); -EOPNOTSUPP (SMBus block read
 *         and block process call); -EBADMSG (PEC mismatch on a read); the
 *         errors of stsafe_i2cdev_transfer().
 */
long stsafe_i2cdev_smbus(const stsafe_i2cdev_file *f, const stsafe_bus *bus, void *arg);

/**
 * \brief The errno for an STSAFE_ERR_* code of a bus operation.
 * \return ENXIO for STSAFE_ERR_BUS_NACK, EOPNOTSUPP for
 *         STSAFE_ERR_UNSUPPORTED, EINVAL for STSAFE_ERR_BAD_INPUT, EIO
 *         for anything else.
 */
int stsafe_i2cdev_errno(int err);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_I2CDEV_DEV_H */
