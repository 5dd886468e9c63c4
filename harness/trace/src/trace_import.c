/* SPDX-License-Identifier: BSD-3-Clause */
/* What the capture importers share: the assembler that turns bus events
 * into trace messages (docs/trace-format.md, "Importing logic-analyser
 * captures"), the line walker, and the lines of an imported trace. */
#include "trace_import_internal.h"

#include <stdio.h>
#include <string.h>

#include "stsafe/protocol/error.h"

/* ---- the assembler ---- */

void import_asm_init(import_asm *a, stsafe_trace_import_emit_fn emit, void *ctx,
                     stsafe_trace_import_status *status)
{
    memset(a, 0, sizeof *a);
    memset(status, 0, sizeof *status);
    a->emit = emit;
    a->ctx = ctx;
    a->status = status;
    a->state = IMPORT_IDLE;
}

int import_asm_error(import_asm *a, const char *why)
{
    a->status->line = a->line;
    a->status->error = why;
    return STSAFE_ERR_TRACE_SYNTAX;
}

static int hand_out(import_asm *a, const stsafe_trace_msg *msg, const char *note)
{
    if (msg)
        a->status->messages++;
    if (note && note[0])
        a->status->notes++;
    return a->emit(a->ctx, msg, note && note[0] ? note : NULL);
}

int import_asm_note(import_asm *a, const char *note)
{
    return hand_out(a, NULL, note);
}

/* The open message goes out, with what ended it and \p tail (may be NULL). */
static int flush(import_asm *a, const char *tail)
{
    char note[STSAFE_IMPORT_NOTE_CAP];
    note[0] = '\0';
    if (a->nacked_byte)
        snprintf(note, sizeof note, "the device NACKed data byte %zu: the message ends there%s%s",
                 a->nacked_byte, tail ? "; " : "", tail ? tail : "");
    else if (tail)
        snprintf(note, sizeof note, "%s", tail);
    a->sent_in_transaction = 1;
    a->nacked_byte = 0;
    return hand_out(a, &a->msg, note);
}

/* A start with no address byte after it: said, not a message. */
static int lone_start(import_asm *a, const char *what)
{
    snprintf(a->note, sizeof a->note, "a start condition with no address byte after it (%s)", what);
    return import_asm_note(a, a->note);
}

static int start_repeated(import_asm *a, import_start_kind kind, int *repeated)
{
    int open = a->state != IMPORT_IDLE;
    if (kind == IMPORT_START_REPEAT && !open)
        return import_asm_error(a, "a repeated start outside a transaction (no start before it, or a stop)");
    /* A plain start inside a transaction: the decoder saw a stop the capture does not show. */
    *repeated = kind == IMPORT_START_PLAIN ? 0 : open;
    return 0;
}

int import_asm_start(import_asm *a, import_start_kind kind, uint64_t time_ns)
{
    int repeated = 0, err;
    if (a->state == IMPORT_ADDR || a->state == IMPORT_BYTE)
        return import_asm_error(a, "a start condition before the ACK/NACK of the byte before it");
    if (a->have_time && time_ns < a->last_time_ns)
        return import_asm_error(a, "time goes backwards");
    if ((err = start_repeated(a, kind, &repeated)) != 0)
        return err;
    if (a->state == IMPORT_START && (err = lone_start(a, "another start follows")) != 0)
        return err;
    if ((a->state == IMPORT_DATA || a->state == IMPORT_ENDED) && (err = flush(a, NULL)) != 0)
        return err;
    if (!repeated)
        a->sent_in_transaction = 0;
    memset(&a->msg, 0, offsetof(stsafe_trace_msg, data));
    a->msg.time_ns = time_ns;
    /* Sr only after a message of the same transaction: the trace's Sr continues the line before. */
    a->msg.repeated_start = (uint8_t)(repeated && a->sent_in_transaction);
    a->have_time = 1;
    a->last_time_ns = time_ns;
    a->state = IMPORT_START;
    return 0;
}

int import_asm_address(import_asm *a, unsigned addr, int read)
{
    if (a->state != IMPORT_START)
        return import_asm_error(a, "an address byte without a start condition just before it");
    if (addr > 0x7Fu)
        return import_asm_error(a, "address above 0x7f (10-bit addressing is not supported)");
    a->msg.addr = (uint8_t)addr;
    a->msg.read = (uint8_t)(read != 0);
    a->msg.ack = 0;
    a->msg.len = 0;
    a->nacked_byte = 0;
    a->state = IMPORT_ADDR;
    return 0;
}

int import_asm_data(import_asm *a, uint8_t byte, int read)
{
    if (a->state == IMPORT_ENDED)
        return import_asm_error(a, a->msg.ack ? "a data byte after the NACK that ended the message"
                                              : "a data byte after a NACKed address");
    if (a->state == IMPORT_BYTE || a->state == IMPORT_ADDR)
        return import_asm_error(a, "a data byte before the ACK/NACK of the byte before it");
    if (a->state != IMPORT_DATA)
        return import_asm_error(a, "a data byte outside a message (no acknowledged address before it)");
    if (read >= 0 && (read != 0) != (a->msg.read != 0))
        return import_asm_error(a, read ? "a data read in a write message" : "a data write in a read message");
    if (a->msg.len == STSAFE_TRACE_MAX_DATA)
        return import_asm_error(a, "more than 1024 data bytes in one message");
    a->msg.data[a->msg.len++] = byte;
    a->state = IMPORT_BYTE;
    return 0;
}

int import_asm_ack(import_asm *a, int ack)
{
    if (a->state == IMPORT_ADDR) {
        a->msg.ack = (uint8_t)(ack != 0);
        a->state = ack ? IMPORT_DATA : IMPORT_ENDED;
        return 0;
    }
    if (a->state != IMPORT_BYTE)
        return import_asm_error(a, "an ACK or NACK with no byte before it");
    if (ack) {
        a->state = IMPORT_DATA;
        return 0;
    }
    /* The host's NACK of the last byte it reads is normal; a written byte NACKed is said. */
    if (!a->msg.read)
        a->nacked_byte = a->msg.len;
    a->state = IMPORT_ENDED;
    return 0;
}

int import_asm_stop(import_asm *a)
{
    int err = 0;
    switch (a->state) {
    case IMPORT_IDLE:
        return 0; /* nothing open: a stop changes nothing */
    case IMPORT_START:
        err = lone_start(a, "a stop follows");
        break;
    case IMPORT_ADDR:
    case IMPORT_BYTE:
        return import_asm_error(a, "a stop condition before the ACK/NACK of the byte before it");
    case IMPORT_DATA:
    case IMPORT_ENDED:
        err = flush(a, NULL);
        break;
    }
    a->state = IMPORT_IDLE;
    a->sent_in_transaction = 0;
    return err;
}

int import_asm_finish(import_asm *a)
{
    import_state s = a->state;
    a->state = IMPORT_IDLE;
    switch (s) {
    case IMPORT_IDLE:
        return 0;
    case IMPORT_START:
        return lone_start(a, "the capture ends");
    case IMPORT_ADDR:
        snprintf(a->note, sizeof a->note,
                 "the capture ends after the address byte of 0x%02x %s, before its ACK/NACK",
                 a->msg.addr, a->msg.read ? "R" : "W");
        return import_asm_note(a, a->note);
    case IMPORT_BYTE:
        return flush(a, "the capture ends before the ACK/NACK of the last byte");
    case IMPORT_DATA:
        return flush(a, "the capture ends inside this message (no stop)");
    case IMPORT_ENDED:
        return flush(a, "the capture ends before the stop condition");
    }
    return 0;
}

/* ---- lines ---- */

void import_lines_init(import_lines *l, const char *text, size_t len)
{
    static const char bom[] = "\xEF\xBB\xBF";
    memset(l, 0, sizeof *l);
    l->text = text;
    l->len = len;
    if (len >= 3 && memcmp(text, bom, 3) == 0)
        l->pos = 3;
}

int import_lines_next(import_lines *l, const char **line, size_t *len)
{
    if (l->pos >= l->len)
        return 0;
    const char *start = l->text + l->pos;
    const char *nl = memchr(start, '\n', l->len - l->pos);
    size_t n = nl ? (size_t)(nl - start) : l->len - l->pos;
    l->pos += n + (nl ? 1u : 0u);
    l->line++;
    if (n > 0 && start[n - 1] == '\r')
        n--;
    *line = start;
    *len = n;
    return 1;
}

int import_parse_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10u)
            return -1;
        v = v * 10u + d;
    }
    *out = v;
    return 0;
}

/* ---- the lines of an imported trace ---- */

int stsafe_trace_import_header(const char *from, const char *name, char *out, size_t cap,
                               size_t *out_len)
{
    if (!from || !name || !out)
        return STSAFE_ERR_BAD_INPUT;
    int n = snprintf(out, cap, "%s\n# imported from %.*s capture %.*s\n", STSAFE_TRACE_MAGIC,
                     (int)strcspn(from, "\r\n"), from, (int)strcspn(name, "\r\n"), name);
    if (n < 0 || (size_t)n >= cap)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    if (out_len)
        *out_len = (size_t)n;
    return 0;
}

static int format_note(const char *note, char *out, size_t cap, size_t *out_len)
{
    size_t n = note ? strcspn(note, "\r\n") : 0;
    if (n == 0)
        return STSAFE_ERR_BAD_INPUT;
    if (n + 4u > cap)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    memcpy(out, "# ", 2);
    memcpy(out + 2, note, n);
    out[n + 2] = '\n';
    out[n + 3] = '\0';
    if (out_len)
        *out_len = n + 3u;
    return 0;
}

int stsafe_trace_import_format(const stsafe_trace_msg *msg, const char *note, char *out,
                               size_t cap, size_t *out_len)
{
    char comment[128 + STSAFE_IMPORT_NOTE_CAP];
    if (!out)
        return STSAFE_ERR_BAD_INPUT;
    if (!msg)
        return format_note(note, out, cap, out_len);
    stsafe_trace_describe(msg, comment, 128);
    if (note && note[0]) {
        size_t n = strlen(comment);
        snprintf(comment + n, sizeof comment - n, "%s%.*s", n ? "; " : "",
                 (int)strcspn(note, "\r\n"), note);
    }
    return stsafe_trace_format_msg(msg, comment, out, cap, out_len);
}
