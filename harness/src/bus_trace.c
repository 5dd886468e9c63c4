/* Recording every message of a bus to a text trace (docs/trace-format.md). */
#include "stsafe/bus_trace.h"

#include <string.h>
#include <time.h>

#include "stsafe/error.h"
#include "stsafe/trace.h"

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t trace_now(stsafe_bus_trace *t)
{
    uint64_t now = t->offset_ns +
                   (t->clock == STSAFE_TRACE_CLOCK_VIRTUAL ? t->virtual_ns : wall_ns() - t->start_ns);
    if (now < t->last_ns)
        now = t->last_ns;
    t->last_ns = now;
    return now;
}

static void emit(stsafe_bus_trace *t, const char *text, size_t len)
{
    if (t->io_error)
        return;
    if (fwrite(text, 1, len, t->out) != len || fflush(t->out) != 0)
        t->io_error = 1;
}

static void record(stsafe_bus_trace *t, uint64_t time_ns, int repeated, uint16_t addr, int read,
                   const uint8_t *data, size_t len, int ack)
{
    static const size_t line_cap = STSAFE_TRACE_LINE_CAP;
    stsafe_trace_msg msg;
    char comment[128];
    char line[STSAFE_TRACE_LINE_CAP];
    size_t line_len;
    if (t->io_error)
        return;
    msg.time_ns = time_ns;
    msg.repeated_start = (uint8_t)repeated;
    msg.addr = (uint8_t)(addr & 0x7Fu);
    msg.read = read ? 1u : 0u;
    msg.ack = (uint8_t)ack;
    msg.len = (read && !ack) ? 0 : len;
    if (msg.len > STSAFE_TRACE_MAX_DATA) {
        stsafe_bus_trace_comment(t, "message over 1024 bytes not recorded");
        return;
    }
    if (msg.len)
        memcpy(msg.data, data, msg.len);
    stsafe_trace_describe(&msg, comment, sizeof(comment));
    if (stsafe_trace_format_msg(&msg, comment, line, line_cap, &line_len) == 0) {
        emit(t, line, line_len);
        t->messages += t->io_error ? 0u : 1u;
    }
}

/* The outcome of a transfer as lines: every message ACKed on success; on a
 * NACK the bus API does not say which message it was, so the first one is
 * recorded as NACKed and the rest as never sent (docs/trace-format.md). */
static int bus_error(stsafe_bus_trace *t, int err)
{
    if (!err || err == STSAFE_ERR_BUS_NACK)
        return 0;
    char text[96];
    snprintf(text, sizeof(text), "bus error %d: %s", err, stsafe_strerror(err));
    stsafe_bus_trace_comment(t, text);
    return 1;
}

static void record_transfer(stsafe_bus_trace *t, uint64_t time_ns, const stsafe_i2c_msg *msgs,
                            size_t n, int err)
{
    if (bus_error(t, err))
        return;
    for (size_t i = 0; i < n; i++) {
        const stsafe_i2c_msg *m = &msgs[i];
        record(t, time_ns, i > 0, m->addr, (m->flags & STSAFE_I2C_MSG_READ) != 0, m->buf, m->len,
               !err);
        if (err)
            break;
    }
}

static int trace_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    stsafe_bus_trace *t = ctx;
    uint64_t time_ns = trace_now(t);
    int err = t->inner->ops->transfer(t->inner->ctx, msgs, n);
    record_transfer(t, time_ns, msgs, n, err);
    return err;
}

static int trace_write(void *ctx, uint16_t addr, const uint8_t *data, size_t len)
{
    stsafe_bus_trace *t = ctx;
    uint64_t time_ns = trace_now(t);
    int err = stsafe_bus_write(t->inner, addr, data, len);
    if (!bus_error(t, err))
        record(t, time_ns, 0, addr, 0, data, len, !err);
    return err;
}

static int trace_read(void *ctx, uint16_t addr, uint8_t *data, size_t len)
{
    stsafe_bus_trace *t = ctx;
    uint64_t time_ns = trace_now(t);
    int err = stsafe_bus_read(t->inner, addr, data, len);
    if (!bus_error(t, err))
        record(t, time_ns, 0, addr, 1, data, len, !err);
    return err;
}

static void trace_delay(void *ctx, uint32_t ms)
{
    stsafe_bus_trace *t = ctx;
    t->virtual_ns += (uint64_t)ms * 1000000u;
    stsafe_bus_delay_ms(t->inner, ms);
}

static const stsafe_bus_ops trace_ops = {
    .transfer = trace_transfer,
    .write = trace_write,
    .read = trace_read,
    .delay_ms = trace_delay,
};

static int start(stsafe_bus_trace *t, stsafe_bus *bus, const stsafe_bus *inner, FILE *out,
                 stsafe_trace_clock clock, uint64_t after_ns, int magic, const char *title)
{
    if (!t || !bus || !inner || !inner->ops || !out)
        return STSAFE_ERR_BAD_INPUT;
    memset(t, 0, sizeof(*t));
    t->inner = inner;
    t->out = out;
    t->clock = clock;
    t->start_ns = wall_ns();
    t->offset_ns = after_ns;
    t->last_ns = after_ns;
    bus->ops = &trace_ops;
    bus->ctx = t;
    if (magic)
        emit(t, STSAFE_TRACE_MAGIC "\n", sizeof(STSAFE_TRACE_MAGIC));
    if (title)
        stsafe_bus_trace_comment(t, title);
    return t->io_error ? STSAFE_ERR_IO : 0;
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
    char line[512];
    int n = snprintf(line, sizeof(line), "# %.*s\n", (int)strcspn(text, "\r\n"), text);
    if (n > 0)
        emit(t, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1u);
}

int stsafe_bus_trace_error(const stsafe_bus_trace *t)
{
    return t->io_error ? STSAFE_ERR_IO : 0;
}
