/* SPDX-License-Identifier: BSD-3-Clause */
/* Writing a trace file message by message (trace_writer.h). */
#include "stsafe/trace/writer.h"

#include <string.h>
#include <time.h>

#include "stsafe/protocol/error.h"
#include "stsafe/trace/redact.h"
#include "stsafe/trace/trace.h"

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void emit(stsafe_trace_writer *w, const char *text, size_t len)
{
    if (w->io_error)
        return;
    if (fwrite(text, 1, len, w->out) != len || fflush(w->out) != 0)
        w->io_error = 1;
}

int stsafe_trace_writer_start(stsafe_trace_writer *w, FILE *out, stsafe_trace_clock clock,
                              uint64_t after_ns, int first_line, const char *title)
{
    if (!w || !out)
        return STSAFE_ERR_BAD_INPUT;
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->clock = clock;
    w->start_ns = wall_ns();
    w->offset_ns = after_ns;
    w->last_ns = after_ns;
    if (first_line)
        emit(w, STSAFE_TRACE_MAGIC "\n", sizeof(STSAFE_TRACE_MAGIC));
    if (title)
        stsafe_trace_writer_comment(w, title);
    return w->io_error ? STSAFE_ERR_IO : 0;
}

uint64_t stsafe_trace_writer_now(stsafe_trace_writer *w)
{
    return w->clock == STSAFE_TRACE_CLOCK_VIRTUAL ? w->virtual_ns : wall_ns() - w->start_ns;
}

void stsafe_trace_writer_advance(stsafe_trace_writer *w, uint64_t ns)
{
    w->virtual_ns += ns;
}

/* Which command the reads answer: the last acknowledged write to their address. */
static void note_command(stsafe_trace_writer *w, const stsafe_trace_msg *msg)
{
    if (msg->read || !msg->ack)
        return;
    w->have_cmd = msg->len > 0;
    w->cmd_addr = msg->addr;
    w->cmd_header = msg->len ? msg->data[0] : 0u;
}

/* The secret bytes of \p msg replaced by the marker, and `redacted` in its
 * comment (docs/trace-format.md, "Redaction"), unless secrets are kept. */
static void redact(stsafe_trace_writer *w, stsafe_trace_msg *msg, char *comment, size_t cap)
{
    stsafe_trace_range r = {0, 0};
    note_command(w, msg);
    if (w->keep_secrets || msg->len == 0)
        return;
    if (!msg->read)
        r = stsafe_trace_redact_command(msg->data, msg->len);
    else if (w->have_cmd && msg->addr == w->cmd_addr)
        r = stsafe_trace_redact_response(w->cmd_header, msg->data, msg->len);
    size_t n = stsafe_trace_redact_apply(r, msg->data, msg->len);
    if (n == 0)
        return;
    size_t used = strlen(comment);
    snprintf(comment + used, cap - used, "%sredacted %zu bytes from byte %zu", used ? ", " : "",
             n, r.off);
    w->redacted++;
}

void stsafe_trace_writer_keep_secrets(stsafe_trace_writer *w, int keep)
{
    w->keep_secrets = keep ? 1 : 0;
}

void stsafe_trace_writer_msg(stsafe_trace_writer *w, uint64_t time_ns, int repeated_start,
                             uint16_t addr, int read, const uint8_t *data, size_t len, int ack)
{
    static const size_t line_cap = STSAFE_TRACE_LINE_CAP;
    stsafe_trace_msg msg;
    char comment[128];
    char line[STSAFE_TRACE_LINE_CAP];
    size_t line_len;
    if (w->io_error)
        return;
    msg.time_ns = time_ns + w->offset_ns;
    if (msg.time_ns < w->last_ns)
        msg.time_ns = w->last_ns;
    w->last_ns = msg.time_ns;
    msg.repeated_start = repeated_start ? 1u : 0u;
    msg.addr = (uint8_t)(addr & 0x7Fu);
    msg.read = read ? 1u : 0u;
    msg.ack = ack ? 1u : 0u;
    msg.redacted = 0;
    msg.len = (read && !ack) ? 0 : len;
    if (msg.len > STSAFE_TRACE_MAX_DATA) {
        stsafe_trace_writer_comment(w, "message over 1024 bytes not recorded");
        return;
    }
    if (msg.len)
        memcpy(msg.data, data, msg.len);
    stsafe_trace_describe(&msg, comment, sizeof(comment)); /* of the bytes as sent: CRC intact */
    redact(w, &msg, comment, sizeof(comment));
    if (stsafe_trace_format_msg(&msg, comment, line, line_cap, &line_len) == 0) {
        emit(w, line, line_len);
        w->messages += w->io_error ? 0u : 1u;
    }
}

void stsafe_trace_writer_comment(stsafe_trace_writer *w, const char *text)
{
    char line[512];
    int n = snprintf(line, sizeof(line), "# %.*s\n", (int)strcspn(text, "\r\n"), text);
    if (n > 0)
        emit(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1u);
}

int stsafe_trace_writer_error(const stsafe_trace_writer *w)
{
    return w->io_error ? STSAFE_ERR_IO : 0;
}
