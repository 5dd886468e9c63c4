/* SPDX-License-Identifier: BSD-3-Clause */
/* The recorded device (stsafe/trace/device.h) as a bus backend, for a host
 * in the same process. */
#include "stsafe/bus/recorded.h"

#include "stsafe/protocol/error.h"

static int device_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        stsafe_i2c_msg *m = &msgs[i];
        if (m->addr > 0x7F)
            return STSAFE_ERR_BUS_NACK;
        int err = (m->flags & STSAFE_I2C_MSG_READ)
                      ? stsafe_trace_device_read(ctx, (uint8_t)m->addr, m->buf, m->len)
                      : stsafe_trace_device_write(ctx, (uint8_t)m->addr, m->buf, m->len);
        if (err == STSAFE_ERR_TRACE_MISMATCH)
            return STSAFE_ERR_BUS_NACK; /* what a host on a wire would see */
        if (err)
            return err;
    }
    return 0;
}

static const stsafe_bus_ops device_ops = {
    .transfer = device_transfer,
};

void stsafe_trace_device_bus(stsafe_trace_device *d, stsafe_bus *bus)
{
    bus->ops = &device_ops;
    bus->ctx = d;
}
