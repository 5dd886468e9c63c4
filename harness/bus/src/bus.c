/* SPDX-License-Identifier: BSD-3-Clause */
#include "stsafe/bus/bus.h"
#include "stsafe/protocol/error.h"

int stsafe_bus_write(const stsafe_bus *bus, uint16_t addr, const uint8_t *data, size_t len)
{
    if (!bus || !bus->ops || !bus->ops->transfer || (len && !data))
        return STSAFE_ERR_BAD_INPUT;
    if (bus->ops->write)
        return bus->ops->write(bus->ctx, addr, data, len);
    /* The message struct is shared with reads, hence the non-const buffer;
     * a write message is never written through. */
    stsafe_i2c_msg msg = {addr, STSAFE_I2C_MSG_WRITE, len, (uint8_t *)data};
    return bus->ops->transfer(bus->ctx, &msg, 1);
}

int stsafe_bus_read(const stsafe_bus *bus, uint16_t addr, uint8_t *data, size_t len)
{
    if (!bus || !bus->ops || !bus->ops->transfer || (len && !data))
        return STSAFE_ERR_BAD_INPUT;
    if (bus->ops->read)
        return bus->ops->read(bus->ctx, addr, data, len);
    stsafe_i2c_msg msg = {addr, STSAFE_I2C_MSG_READ, len, data};
    return bus->ops->transfer(bus->ctx, &msg, 1);
}

void stsafe_bus_delay_ms(const stsafe_bus *bus, uint32_t ms)
{
    if (bus && bus->ops && bus->ops->delay_ms)
        bus->ops->delay_ms(bus->ctx, ms);
}

int stsafe_bus_command(const stsafe_bus *bus, uint16_t addr, const uint8_t *frame, size_t len,
                       uint8_t *rsp, size_t cap, size_t *rsp_len, int *written)
{
    if (!bus || !bus->ops || (len && !frame) || !rsp || !rsp_len || !written)
        return STSAFE_ERR_BAD_INPUT;
    *written = 0;
    if (!bus->ops->command)
        return STSAFE_ERR_UNSUPPORTED;
    return bus->ops->command(bus->ctx, addr, frame, len, rsp, cap, rsp_len, written);
}
