/* SPDX-License-Identifier: BSD-3-Clause */
/* A served device that records what reaches it (device_trace.h). */
#include "stsafe/server/device_trace.h"

#include <string.h>

#include "stsafe/protocol/error.h"

/* The server's clock, from the first message on, in nanoseconds. */
static uint64_t since_start_ns(stsafe_device_trace *t, uint64_t now_us)
{
    if (!t->started) {
        t->started = 1;
        t->base_us = now_us;
    }
    return (now_us - t->base_us) * 1000u;
}

static int rec_write(void *ctx, uint64_t now_us, uint8_t addr, const uint8_t *data, size_t len)
{
    stsafe_device_trace *t = ctx;
    int err = t->inner.ops->i2c_write(t->inner.ctx, now_us, addr, data, len);
    if (!err || err == STSAFE_ERR_BUS_NACK)
        stsafe_trace_writer_msg(&t->w, since_start_ns(t, now_us), 0, addr, 0, data, len, !err);
    return err;
}

static int rec_read(void *ctx, uint64_t now_us, uint8_t addr, uint8_t *buf, size_t len)
{
    stsafe_device_trace *t = ctx;
    int err = t->inner.ops->i2c_read(t->inner.ctx, now_us, addr, buf, len);
    if (!err || err == STSAFE_ERR_BUS_NACK)
        stsafe_trace_writer_msg(&t->w, since_start_ns(t, now_us), 0, addr, 1, buf, len, !err);
    return err;
}

static int rec_power_cycle(void *ctx)
{
    stsafe_device_trace *t = ctx;
    if (!t->inner.ops->power_cycle)
        return STSAFE_ERR_UNSUPPORTED;
    stsafe_trace_writer_comment(&t->w, "power cycle");
    return t->inner.ops->power_cycle(t->inner.ctx);
}

static uint8_t rec_address(const void *ctx)
{
    const stsafe_device_trace *t = ctx;
    return t->inner.ops->address(t->inner.ctx);
}

static int rec_stats(const void *ctx, stsafe_sock_stats *out)
{
    const stsafe_device_trace *t = ctx;
    return t->inner.ops->stats ? t->inner.ops->stats(t->inner.ctx, out) : STSAFE_ERR_UNSUPPORTED;
}

static int rec_dirty(const void *ctx)
{
    const stsafe_device_trace *t = ctx;
    return t->inner.ops->dirty ? t->inner.ops->dirty(t->inner.ctx) : 0;
}

static int rec_on_disk(const void *ctx)
{
    const stsafe_device_trace *t = ctx;
    if (!t->inner.ops->save)
        return 1; /* nothing saved, nothing gone */
    return t->inner.ops->on_disk ? t->inner.ops->on_disk(t->inner.ctx) : 0;
}

static int rec_save(void *ctx)
{
    stsafe_device_trace *t = ctx;
    return t->inner.ops->save ? t->inner.ops->save(t->inner.ctx) : 0;
}

static const char *rec_name(const void *ctx)
{
    const stsafe_device_trace *t = ctx;
    return t->inner.ops->name(t->inner.ctx);
}

static const char *rec_failure(const void *ctx)
{
    const stsafe_device_trace *t = ctx;
    return t->inner.ops->failure ? t->inner.ops->failure(t->inner.ctx) : NULL;
}

/* COMMAND through a recording device: its writes and reads are recorded as
 * they reach the device, with no NACK of a busy chip (docs/trace-format.md). */
static uint64_t rec_busy_until(const void *ctx)
{
    const stsafe_device_trace *t = ctx;
    return t->inner.ops->busy_until_us ? t->inner.ops->busy_until_us(t->inner.ctx) : 0;
}

static const stsafe_server_device_ops rec_ops = {
    .i2c_write = rec_write,
    .i2c_read = rec_read,
    .power_cycle = rec_power_cycle,
    .address = rec_address,
    .stats = rec_stats,
    .dirty = rec_dirty,
    .on_disk = rec_on_disk,
    .save = rec_save,
    .name = rec_name,
    .failure = rec_failure,
    .busy_until_us = rec_busy_until,
};

int stsafe_device_trace_init(stsafe_device_trace *t, stsafe_server_device inner, FILE *out,
                             const char *title)
{
    if (!t || !inner.ops)
        return STSAFE_ERR_BAD_INPUT;
    memset(t, 0, sizeof(*t));
    t->inner = inner;
    /* the server's clock is the time source: the writer's own stays at 0 */
    return stsafe_trace_writer_start(&t->w, out, STSAFE_TRACE_CLOCK_VIRTUAL, 0, 1, title);
}

stsafe_server_device stsafe_device_trace_handle(stsafe_device_trace *t)
{
    stsafe_server_device h = {&rec_ops, t};
    return h;
}
