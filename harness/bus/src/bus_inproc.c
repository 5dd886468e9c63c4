/* SPDX-License-Identifier: BSD-3-Clause */
#include "stsafe/bus/inproc.h"

#include <errno.h>
#include <time.h>

#include "stsafe/protocol/error.h"

/* The clock the chip sees: virtual, or the wall clock in real timing. */
static uint64_t now_us(stsafe_bus_inproc *ctx)
{
    if (ctx->chip->timing != STSAFE_EMU_TIMING_REAL)
        return ctx->now_us;
    if (ctx->wall.now_us)
        return ctx->wall.now_us(ctx->wall.ctx);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int inproc_one(stsafe_bus_inproc *ctx, stsafe_i2c_msg *m)
{
    if (m->addr != stsafe_emu_chip_i2c_address(ctx->chip))
        return STSAFE_ERR_BUS_NACK;
    if (m->flags & STSAFE_I2C_MSG_READ)
        return stsafe_emu_i2c_read(ctx->chip, now_us(ctx), m->buf, m->len);
    return stsafe_emu_i2c_write(ctx->chip, now_us(ctx), m->buf, m->len);
}

static int inproc_transfer(void *vctx, stsafe_i2c_msg *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int err = inproc_one(vctx, &msgs[i]);
        if (err)
            return err;
    }
    return 0;
}

static int inproc_write(void *vctx, uint16_t addr, const uint8_t *data, size_t len)
{
    stsafe_bus_inproc *ctx = vctx;
    if (addr != stsafe_emu_chip_i2c_address(ctx->chip))
        return STSAFE_ERR_BUS_NACK;
    return stsafe_emu_i2c_write(ctx->chip, now_us(ctx), data, len);
}

static int inproc_read(void *vctx, uint16_t addr, uint8_t *data, size_t len)
{
    stsafe_bus_inproc *ctx = vctx;
    if (addr != stsafe_emu_chip_i2c_address(ctx->chip))
        return STSAFE_ERR_BUS_NACK;
    return stsafe_emu_i2c_read(ctx->chip, now_us(ctx), data, len);
}

static void inproc_delay(void *vctx, uint32_t ms)
{
    stsafe_bus_inproc *ctx = vctx;
    ctx->now_us += (uint64_t)ms * 1000u;
    if (ctx->chip->timing == STSAFE_EMU_TIMING_REAL && ctx->wall.sleep_ms) {
        ctx->wall.sleep_ms(ctx->wall.ctx, ms);
    } else if (ctx->chip->timing == STSAFE_EMU_TIMING_REAL) {
        struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
}

static const stsafe_bus_ops inproc_ops = {
    .transfer = inproc_transfer,
    .write = inproc_write,
    .read = inproc_read,
    .delay_ms = inproc_delay,
};

void stsafe_bus_inproc_init(stsafe_bus_inproc *ctx, stsafe_bus *bus, stsafe_emu_chip *chip)
{
    ctx->chip = chip;
    ctx->now_us = 0;
    ctx->wall = (stsafe_bus_wall_clock){NULL, NULL, NULL};
    bus->ops = &inproc_ops;
    bus->ctx = ctx;
}
