/* SPDX-License-Identifier: BSD-3-Clause */
/* The i2c-dev bus backend (bus_i2cdev.h): stsafe_bus transfers as I2C_RDWR. */
#include "stsafe/bus/i2cdev.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/i2c.h>
#include <linux/i2c-dev.h>

#include "stsafe/protocol/error.h"

void stsafe_bus_i2cdev_init(stsafe_bus_i2cdev *d)
{
    memset(d, 0, sizeof *d);
    d->fd = -1;
}

void stsafe_bus_i2cdev_free(stsafe_bus_i2cdev *d)
{
    if (!d)
        return;
    if (d->fd >= 0)
        close(d->fd);
    stsafe_bus_i2cdev_init(d);
}

static int check_msgs(const stsafe_i2c_msg *msgs, size_t n)
{
    if (n > STSAFE_BUS_I2CDEV_MAX_MSGS || (n && !msgs))
        return STSAFE_ERR_BAD_INPUT;
    for (size_t i = 0; i < n; i++)
        if (msgs[i].addr > 0x7F || msgs[i].len > STSAFE_BUS_I2CDEV_MAX_LEN || (msgs[i].len && !msgs[i].buf))
            return STSAFE_ERR_BAD_INPUT;
    return 0;
}

static int i2cdev_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    stsafe_bus_i2cdev *d = ctx;
    struct i2c_msg km[STSAFE_BUS_I2CDEV_MAX_MSGS];
    int err = check_msgs(msgs, n);
    if (err || n == 0)
        return err;
    if (d->fd < 0)
        return STSAFE_ERR_BUS_IO;
    for (size_t i = 0; i < n; i++)
        km[i] = (struct i2c_msg){.addr = msgs[i].addr,
                                 .flags = (msgs[i].flags & STSAFE_I2C_MSG_READ) ? I2C_M_RD : 0,
                                 .len = (uint16_t)msgs[i].len,
                                 .buf = msgs[i].buf};
    struct i2c_rdwr_ioctl_data data = {km, (uint32_t)n};
    int rc = ioctl(d->fd, I2C_RDWR, &data);
    if (rc >= 0 && (size_t)rc == n) {
        d->last_errno = 0;
        return 0;
    }
    d->last_errno = rc < 0 ? errno : EIO;
    if (d->last_errno == ENXIO || d->last_errno == EREMOTEIO)
        return STSAFE_ERR_BUS_NACK;
    return STSAFE_ERR_BUS_IO;
}

static void i2cdev_delay(void *ctx, uint32_t ms)
{
    (void)ctx;
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000u), .tv_nsec = (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static const stsafe_bus_ops i2cdev_ops = {
    .transfer = i2cdev_transfer,
    .delay_ms = i2cdev_delay,
};

int stsafe_bus_i2cdev_open(stsafe_bus_i2cdev *d, stsafe_bus *bus, const char *path)
{
    unsigned long funcs = 0;
    if (!d || !bus || !path)
        return STSAFE_ERR_BAD_INPUT;
    stsafe_bus_i2cdev_free(d);
    d->fd = open(path, O_RDWR | O_CLOEXEC);
    if (d->fd < 0)
        return STSAFE_ERR_IO;
    int err = 0;
    if (ioctl(d->fd, I2C_FUNCS, &funcs) != 0)
        err = STSAFE_ERR_IO;
    else if (!(funcs & I2C_FUNC_I2C))
        err = STSAFE_ERR_UNSUPPORTED;
    if (err) {
        int saved = errno;
        stsafe_bus_i2cdev_free(d);
        errno = saved;
        return err;
    }
    bus->ops = &i2cdev_ops;
    bus->ctx = d;
    return 0;
}
