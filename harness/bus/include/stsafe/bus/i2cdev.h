/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file bus_i2cdev.h
 * \brief A bus backend on a Linux I2C adapter through i2c-dev
 *        (/dev/i2c-N): a real STSAFE-A110, or the emulator behind
 *        libstsafe-i2cdev.so (docs/i2cdev.md). Linux only.
 *
 * Every transfer is one I2C_RDWR ioctl: its messages go out as one
 * combined transaction (repeated starts, one stop), at most
 * STSAFE_BUS_I2CDEV_MAX_MSGS messages of at most STSAFE_BUS_I2CDEV_MAX_LEN
 * bytes, the limits of i2c-dev. An address the device does not
 * acknowledge comes back from the adapter driver as ENXIO (the kernel's
 * documented fault code) or EREMOTEIO (what several drivers return): both
 * are STSAFE_ERR_BUS_NACK. Any other failure is STSAFE_ERR_BUS_IO, its
 * errno kept in last_errno. delay_ms sleeps.
 */
#ifndef STSAFE_BUS_I2CDEV_H
#define STSAFE_BUS_I2CDEV_H

#include "stsafe/bus/bus.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_BUS_I2CDEV_MAX_MSGS 42u    /**< I2C_RDWR_IOCTL_MAX_MSGS */
#define STSAFE_BUS_I2CDEV_MAX_LEN  8192u  /**< i2c-dev's limit per message */

typedef struct {
    int fd;                     /**< The open /dev/i2c-N; -1 when closed. */
    int last_errno;             /**< errno of the last failed transfer; 0 after a success. */
} stsafe_bus_i2cdev;

/** \brief A backend that is not open yet. */
void stsafe_bus_i2cdev_init(stsafe_bus_i2cdev *d);

/**
 * \brief Open an i2c-dev node, check that its adapter offers plain I2C
 *        (I2C_FUNCS has I2C_FUNC_I2C), and wire \p bus to it.
 * \param path  The device node, e.g. "/dev/i2c-1".
 * \return 0; STSAFE_ERR_BAD_INPUT (NULL argument); STSAFE_ERR_IO (open or
 *         I2C_FUNCS failed: errno says why, ENOTTY for a file that is not
 *         an i2c-dev node); STSAFE_ERR_UNSUPPORTED (an SMBus-only adapter).
 *         Nothing stays open after an error.
 */
int stsafe_bus_i2cdev_open(stsafe_bus_i2cdev *d, stsafe_bus *bus, const char *path);

/** \brief Close the device node (a closed or initialised backend is left as it is). */
void stsafe_bus_i2cdev_free(stsafe_bus_i2cdev *d);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_BUS_I2CDEV_H */
