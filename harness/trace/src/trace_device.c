/* SPDX-License-Identifier: BSD-3-Clause */
/* A chip that answers from a trace (trace_device.h). */
#include "stsafe/trace/device.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/crc16.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/trace/redact.h"

#define HEX_SHOWN 48u

void stsafe_trace_device_init(stsafe_trace_device *d, const stsafe_trace_script *script)
{
    memset(d, 0, sizeof(*d));
    d->script = script;
    d->label = "recorded device";
}

static void append_hex(char *buf, size_t cap, const char *label, const uint8_t *p, size_t n)
{
    size_t used = strlen(buf);
    used += (size_t)snprintf(buf + used, cap - used, "\n  %s:", label);
    for (size_t i = 0; i < n && i < HEX_SHOWN && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, " %02x", p[i]);
    if (n > HEX_SHOWN && used < cap)
        snprintf(buf + used, cap - used, " ... (%zu bytes)", n);
}

static int deviate(stsafe_trace_device *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int deviate(stsafe_trace_device *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->why, sizeof(d->why), fmt, ap);
    va_end(ap);
    d->failed = 1;
    return STSAFE_ERR_TRACE_MISMATCH;
}

static const char *name_of(const uint8_t *cmd, size_t len)
{
    return len ? stsafe_cmd_name((uint8_t)(cmd[0] & 0x1Fu)) : "an empty write";
}

/* The host's command is the recorded one; on a redacted line the secret
 * bytes (redact.h) are wildcards and the CRC, recorded over the real
 * secret, is not compared either (docs/trace-format.md, "Redaction"). */
static int same_command(const stsafe_trace_exchange *e, const uint8_t *want, const uint8_t *data,
                        size_t len)
{
    if (len != e->cmd_len)
        return 0;
    if (!e->redacted)
        return memcmp(data, want, len) == 0;
    stsafe_trace_range r = stsafe_trace_redact_command(want, len);
    size_t crc_at = len >= STSAFE_CRC_LEN ? len - STSAFE_CRC_LEN : 0;
    for (size_t i = 0; i < len; i++) {
        int wild = (i >= r.off && i - r.off < r.len) || i >= crc_at;
        if (!wild && data[i] != want[i])
            return 0;
    }
    return 1;
}

/* A redacted answer read whole goes out with the marker bytes and a CRC
 * made for them, so the host gets a frame it can check (docs/trace-format.md). */
static void fix_crc(uint8_t *buf, size_t len)
{
    size_t total;
    if (len < STSAFE_RSP_FRAME_OVERHEAD || stsafe_rsp_frame_total_len(buf, &total) != 0 ||
        total != len)
        return;
    uint16_t crc = stsafe_crc16_final(stsafe_crc16_update(stsafe_crc16_update(STSAFE_CRC16_INIT, buf, 1u),
                                                          buf + 3, len - 5u));
    buf[len - 2u] = (uint8_t)(crc >> 8);
    buf[len - 1u] = (uint8_t)crc;
}

int stsafe_trace_device_write(stsafe_trace_device *d, uint8_t addr, const uint8_t *data, size_t len)
{
    const stsafe_trace_script *s = d->script;
    if (addr != s->addr || d->failed) {
        d->nacks++;
        return STSAFE_ERR_BUS_NACK;
    }
    if (d->next == s->n_ex)
        return deviate(d, "the host wrote %s after the last command of the trace (%zu commands)",
                       name_of(data, len), s->n_ex);
    const stsafe_trace_exchange *e = &s->ex[d->next];
    const uint8_t *want = stsafe_trace_script_cmd(s, d->next);
    if (!same_command(e, want, data, len)) {
        deviate(d, "command %zu of the trace (line %u) is %s, the host wrote %s", d->next + 1u,
                e->line, name_of(want, e->cmd_len), name_of(data, len));
        append_hex(d->why, sizeof(d->why), "trace", want, e->cmd_len);
        append_hex(d->why, sizeof(d->why), "host", data, len);
        return STSAFE_ERR_TRACE_MISMATCH;
    }
    d->next++;
    d->answering = 1;
    d->writes++;
    if (d->next == s->n_ex && e->n_reads == 0 && d->stop_when_done)
        atomic_store(d->stop_when_done, 1); /* the last command has no recorded answer */
    return 0;
}

int stsafe_trace_device_read(stsafe_trace_device *d, uint8_t addr, uint8_t *buf, size_t len)
{
    const stsafe_trace_script *s = d->script;
    if (addr != s->addr || d->failed || !d->answering) {
        d->nacks++;
        return STSAFE_ERR_BUS_NACK;
    }
    const stsafe_trace_exchange *e = &s->ex[d->next - 1u];
    size_t have = e->n_reads ? s->reads[e->longest].len : 0;
    if (len > have)
        return deviate(d,
                       "the host reads %zu bytes of the answer to %s (line %u); the trace "
                       "holds %zu",
                       len, name_of(stsafe_trace_script_cmd(s, d->next - 1u), e->cmd_len),
                       e->line, have);
    if (len)
        memcpy(buf, stsafe_trace_script_read_bytes(s, e->longest), len);
    if (s->reads[e->longest].redacted)
        fix_crc(buf, len);
    d->reads++;
    if (d->next == s->n_ex && len == have && d->stop_when_done)
        atomic_store(d->stop_when_done, 1); /* the last answer is read whole */
    return 0;
}

void stsafe_trace_device_power_cycle(stsafe_trace_device *d)
{
    d->answering = 0;
}

int stsafe_trace_device_finished(const stsafe_trace_device *d)
{
    return !d->failed && d->next == d->script->n_ex;
}
