/* SPDX-License-Identifier: BSD-3-Clause */
/* The recorded device (stsafe/trace/device.h) as a served device
 * (`stsafe-emu serve --from-trace`). */
#include "stsafe/server/recorded_device.h"

static int srv_write(void *ctx, uint64_t now_us, uint8_t addr, const uint8_t *data, size_t len)
{
    (void)now_us;
    return stsafe_trace_device_write(ctx, addr, data, len);
}

static int srv_read(void *ctx, uint64_t now_us, uint8_t addr, uint8_t *buf, size_t len)
{
    (void)now_us;
    return stsafe_trace_device_read(ctx, addr, buf, len);
}

static int srv_power_cycle(void *ctx)
{
    stsafe_trace_device_power_cycle(ctx);
    return 0;
}

static uint8_t srv_address(const void *ctx)
{
    return ((const stsafe_trace_device *)ctx)->script->addr;
}

static int srv_stats(const void *ctx, stsafe_sock_stats *out)
{
    const stsafe_trace_device *d = ctx;
    out->commands = d->writes;
    out->nacks = d->nacks;
    out->nvm_writes = 0;
    return 0;
}

static const char *srv_name(const void *ctx)
{
    return ((const stsafe_trace_device *)ctx)->label;
}

static const char *srv_failure(const void *ctx)
{
    const stsafe_trace_device *d = ctx;
    return d->failed ? d->why : NULL;
}

static const stsafe_server_device_ops server_ops = {
    .i2c_write = srv_write,
    .i2c_read = srv_read,
    .power_cycle = srv_power_cycle,
    .address = srv_address,
    .stats = srv_stats,
    .name = srv_name,
    .failure = srv_failure,
};

stsafe_server_device stsafe_trace_device_handle(stsafe_trace_device *d)
{
    stsafe_server_device h = {&server_ops, d};
    return h;
}
