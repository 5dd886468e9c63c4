/* SPDX-License-Identifier: BSD-3-Clause */
/* Recording every message of a bus to a text trace (docs/trace-format.md). */
#include "stsafe/bus/trace.h"

#include <string.h>

#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"

#define STSAFE_TRACE_COMMAND_MAX 1024u /* the most a command frame is copied for */

/* A bus error that is not a NACK moved nothing the trace can show: a comment. */
static int bus_error(stsafe_bus_trace *t, int err)
{
    if (!err || err == STSAFE_ERR_BUS_NACK)
        return 0;
    char text[96];
    snprintf(text, sizeof(text), "bus error %d: %s", err, stsafe_strerror(err));
    stsafe_trace_writer_comment(&t->w, text);
    return 1;
}

/* The outcome of a transfer as lines: every message ACKed on success; on a
 * NACK the bus API does not say which message it was, so the first one is
 * recorded as NACKed and the rest as never sent (docs/trace-format.md). */
static void record_transfer(stsafe_bus_trace *t, uint64_t time_ns, const stsafe_i2c_msg *msgs,
                            size_t n, int err)
{
    if (bus_error(t, err))
        return;
    for (size_t i = 0; i < n; i++) {
        const stsafe_i2c_msg *m = &msgs[i];
        stsafe_trace_writer_msg(&t->w, time_ns, i > 0, m->addr,
                                (m->flags & STSAFE_I2C_MSG_READ) != 0, m->buf, m->len, !err);
        if (err)
            break;
    }
}

static int trace_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    stsafe_bus_trace *t = ctx;
    uint64_t time_ns = stsafe_trace_writer_now(&t->w);
    int err = t->inner->ops->transfer(t->inner->ctx, msgs, n);
    record_transfer(t, time_ns, msgs, n, err);
    return err;
}

static int trace_write(void *ctx, uint16_t addr, const uint8_t *data, size_t len)
{
    stsafe_bus_trace *t = ctx;
    uint64_t time_ns = stsafe_trace_writer_now(&t->w);
    int err = stsafe_bus_write(t->inner, addr, data, len);
    if (!bus_error(t, err))
        stsafe_trace_writer_msg(&t->w, time_ns, 0, addr, 0, data, len, !err);
    return err;
}

static int trace_read(void *ctx, uint16_t addr, uint8_t *data, size_t len)
{
    stsafe_bus_trace *t = ctx;
    uint64_t time_ns = stsafe_trace_writer_now(&t->w);
    int err = stsafe_bus_read(t->inner, addr, data, len);
    if (!bus_error(t, err))
        stsafe_trace_writer_msg(&t->w, time_ns, 0, addr, 1, data, len, !err);
    return err;
}

static void trace_delay(void *ctx, uint32_t ms)
{
    stsafe_bus_trace *t = ctx;
    stsafe_trace_writer_advance(&t->w, (uint64_t)ms * 1000000u);
    stsafe_bus_delay_ms(t->inner, ms);
}

/* A whole command (bus.h, command) is recorded as the I2C messages a host
 * that found the response ready would have sent: the write, the 5-byte
 * read of the head, the read of the whole frame (docs/trace-format.md).
 * The server waited out the busy time, so no NACK of a busy chip appears. */
static int trace_command(void *ctx, uint16_t addr, const uint8_t *frame, size_t len, uint8_t *rsp,
                         size_t cap, size_t *rsp_len, int *written)
{
    stsafe_bus_trace *t = ctx;
    uint8_t sent[STSAFE_TRACE_COMMAND_MAX];
    if (len > sizeof sent)
        return STSAFE_ERR_UNSUPPORTED; /* the caller's I2C messages record it */
    memcpy(sent, frame, len); /* rsp may be frame */
    uint64_t time_ns = stsafe_trace_writer_now(&t->w);
    int err = stsafe_bus_command(t->inner, addr, sent, len, rsp, cap, rsp_len, written);
    if (err == STSAFE_ERR_UNSUPPORTED || bus_error(t, err == STSAFE_ERR_BUS_TIMEOUT ? 0 : err))
        return err;
    stsafe_trace_writer_msg(&t->w, time_ns, 0, addr, 0, sent, len, *written);
    if (!*written)
        return err;
    time_ns = stsafe_trace_writer_now(&t->w);
    if (err) { /* written, never answered */
        stsafe_trace_writer_msg(&t->w, time_ns, 0, addr, 1, rsp, STSAFE_RSP_FIRST_READ_LEN, 0);
        return err;
    }
    size_t head = *rsp_len < STSAFE_RSP_FIRST_READ_LEN ? *rsp_len : STSAFE_RSP_FIRST_READ_LEN;
    stsafe_trace_writer_msg(&t->w, time_ns, 0, addr, 1, rsp, head, 1);
    if (*rsp_len > head)
        stsafe_trace_writer_msg(&t->w, time_ns, 0, addr, 1, rsp, *rsp_len, 1);
    return 0;
}

static const stsafe_bus_ops trace_ops = {
    .transfer = trace_transfer,
    .write = trace_write,
    .read = trace_read,
    .delay_ms = trace_delay,
    .command = trace_command,
};

static int start(stsafe_bus_trace *t, stsafe_bus *bus, const stsafe_bus *inner, FILE *out,
                 stsafe_trace_clock clock, uint64_t after_ns, int first_line, const char *title)
{
    if (!t || !bus || !inner || !inner->ops || !out)
        return STSAFE_ERR_BAD_INPUT;
    memset(t, 0, sizeof(*t));
    t->inner = inner;
    bus->ops = &trace_ops;
    bus->ctx = t;
    return stsafe_trace_writer_start(&t->w, out, clock, after_ns, first_line, title);
}

int stsafe_bus_trace_init(stsafe_bus_trace *t, stsafe_bus *bus, const stsafe_bus *inner,
                          FILE *out, stsafe_trace_clock clock, const char *title)
{
    return start(t, bus, inner, out, clock, 0, 1, title);
}

int stsafe_bus_trace_continue(stsafe_bus_trace *t, stsafe_bus *bus, const stsafe_bus *inner,
                              FILE *out, stsafe_trace_clock clock, uint64_t after_ns,
                              const char *title)
{
    return start(t, bus, inner, out, clock, after_ns, 0, title);
}

void stsafe_bus_trace_comment(stsafe_bus_trace *t, const char *text)
{
    stsafe_trace_writer_comment(&t->w, text);
}

int stsafe_bus_trace_error(const stsafe_bus_trace *t)
{
    return stsafe_trace_writer_error(&t->w);
}
