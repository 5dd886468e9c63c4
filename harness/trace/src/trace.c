/* SPDX-License-Identifier: BSD-3-Clause */
/* I2C traces: the text format of docs/trace-format.md. */
#include "stsafe/trace/trace.h"

#include <stdio.h>
#include <string.h>

#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/hex.h"
#include "stsafe/protocol/status.h"

#define SC_HDR_FLAGS 0xE0u   /* protocol.md 3a: protection flags of a command header */
#define RMAC_FLAG    0x40u   /* protocol.md 3a: R-MAC present in a response status */

/* ---- reading ---- */

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* A line without its newline, CR and trailing blanks. */
static size_t trim_end(const char *line, size_t len)
{
    while (len > 0 && (is_blank(line[len - 1]) || line[len - 1] == '\r'))
        len--;
    return len;
}

typedef struct {
    const char *p;
    size_t len;
} token;

/* The next blank-separated token at or after *pos; len 0 at the end. */
static token next_token(const char *line, size_t len, size_t *pos)
{
    while (*pos < len && is_blank(line[*pos]))
        (*pos)++;
    token t = {line + *pos, 0};
    while (*pos < len && !is_blank(line[*pos])) {
        (*pos)++;
        t.len++;
    }
    return t;
}

static int token_is(token t, const char *word)
{
    size_t n = strlen(word);
    return t.len == n && memcmp(t.p, word, n) == 0;
}

static int hex_byte(token t, uint8_t *out)
{
    if (t.len != 2)
        return -1;
    int hi = stsafe_hex_digit(t.p[0]), lo = stsafe_hex_digit(t.p[1]);
    if (hi < 0 || lo < 0)
        return -1;
    *out = (uint8_t)(hi << 4 | lo);
    return 0;
}

/* SECONDS[.FRACTION], at most 9 fraction digits, into nanoseconds: any
 * time that fits in 64 bits of nanoseconds (the writer writes all of them). */
static int parse_time(token t, uint64_t *ns)
{
    const uint64_t max_sec = UINT64_MAX / 1000000000u;
    uint64_t sec = 0, frac = 0;
    size_t i = 0, int_digits = 0, frac_digits = 0;
    for (; i < t.len && t.p[i] >= '0' && t.p[i] <= '9'; i++, int_digits++) {
        uint64_t d = (uint64_t)(t.p[i] - '0');
        if (sec > (max_sec - d) / 10u)
            return -1;
        sec = sec * 10u + d;
    }
    if (int_digits == 0)
        return -1;
    if (i < t.len && t.p[i] == '.') {
        for (i++; i < t.len && t.p[i] >= '0' && t.p[i] <= '9'; i++, frac_digits++) {
            if (frac_digits == 9)
                return -1;
            frac = frac * 10u + (uint64_t)(t.p[i] - '0');
        }
    }
    if (i != t.len)
        return -1;
    for (; frac_digits < 9; frac_digits++)
        frac *= 10u;
    if (sec == max_sec && frac > UINT64_MAX % 1000000000u)
        return -1;
    *ns = sec * 1000000000u + frac;
    return 0;
}

static int parse_addr(token t, uint8_t *addr)
{
    uint8_t v;
    if (t.len != 4 || t.p[0] != '0' || (t.p[1] != 'x' && t.p[1] != 'X'))
        return -1;
    token digits = {t.p + 2, 2};
    if (hex_byte(digits, &v) != 0 || v > 0x7F)
        return -1;
    *addr = v;
    return 0;
}

static int syntax(const char **error, const char *what)
{
    if (error)
        *error = what;
    return STSAFE_ERR_TRACE_SYNTAX;
}

/* The fields before the data: time, start, address, direction, ack. */
static int parse_head(const char *line, size_t len, size_t *pos, stsafe_trace_msg *msg,
                      const char **error)
{
    if (parse_time(next_token(line, len, pos), &msg->time_ns) != 0)
        return syntax(error, "bad time (SECONDS.FRACTION, at most 9 fraction digits)");
    token start = next_token(line, len, pos);
    if (!token_is(start, "S") && !token_is(start, "Sr"))
        return syntax(error, "start must be S or Sr");
    msg->repeated_start = (uint8_t)token_is(start, "Sr");
    if (parse_addr(next_token(line, len, pos), &msg->addr) != 0)
        return syntax(error, "address must be 0x00..0x7f");
    token dir = next_token(line, len, pos);
    if (!token_is(dir, "W") && !token_is(dir, "R"))
        return syntax(error, "direction must be W or R");
    msg->read = (uint8_t)token_is(dir, "R");
    token ack = next_token(line, len, pos);
    if (!token_is(ack, "ACK") && !token_is(ack, "NACK"))
        return syntax(error, "acknowledge must be ACK or NACK");
    msg->ack = (uint8_t)token_is(ack, "ACK");
    return 0;
}

/* The comment holds the word the recorders write on a redacted line. */
static uint8_t says_redacted(const char *comment, size_t len)
{
    static const char word[] = "redacted";
    for (size_t i = 0; i + sizeof(word) - 1u <= len; i++)
        if (memcmp(comment + i, word, sizeof(word) - 1u) == 0)
            return 1;
    return 0;
}

int stsafe_trace_parse_msg(const char *line, size_t len, stsafe_trace_msg *msg, const char **error)
{
    size_t pos = 0;
    if (!line || !msg)
        return STSAFE_ERR_BAD_INPUT;
    len = trim_end(line, len);
    if (len > STSAFE_TRACE_MAX_LINE)
        return syntax(error, "line longer than 4096 characters");
    int err = parse_head(line, len, &pos, msg, error);
    if (err)
        return err;
    msg->len = 0;
    msg->redacted = 0;
    for (;;) {
        token t = next_token(line, len, &pos);
        if (t.len == 0)
            break;
        if (t.p[0] == '#') {
            msg->redacted = says_redacted(t.p, len - (size_t)(t.p - line));
            break;
        }
        if (msg->len == STSAFE_TRACE_MAX_DATA)
            return syntax(error, "more than 1024 data bytes");
        if (hex_byte(t, &msg->data[msg->len]) != 0)
            return syntax(error, "data bytes must be two hex digits each");
        msg->len++;
    }
    if (msg->read && !msg->ack && msg->len)
        return syntax(error, "a NACKed read has no data");
    return 0;
}

void stsafe_trace_reader_init(stsafe_trace_reader *r, const char *text, size_t len)
{
    memset(r, 0, sizeof(*r));
    r->text = text;
    r->len = text ? len : 0;
}

/* The next line of the text; 0 at the end. */
static int next_line(stsafe_trace_reader *r, const char **line, size_t *len)
{
    if (r->pos >= r->len)
        return 0;
    const char *start = r->text + r->pos;
    const char *nl = memchr(start, '\n', r->len - r->pos);
    *line = start;
    *len = nl ? (size_t)(nl - start) : r->len - r->pos;
    r->pos += *len + (nl ? 1u : 0u);
    r->line++;
    return 1;
}

static int is_comment(const char *line, size_t len)
{
    size_t i = 0;
    while (i < len && (is_blank(line[i]) || line[i] == '\r'))
        i++;
    return i == len || line[i] == '#';
}

static int reader_error(stsafe_trace_reader *r, const char *what)
{
    r->error = what;
    return STSAFE_ERR_TRACE_SYNTAX;
}

static int check_order(stsafe_trace_reader *r, const stsafe_trace_msg *msg)
{
    if (msg->repeated_start && !r->have_prev)
        return reader_error(r, "Sr on the first message");
    if (r->have_prev && msg->time_ns < r->prev_time_ns)
        return reader_error(r, "time goes backwards");
    r->have_prev = 1;
    r->prev_time_ns = msg->time_ns;
    return 0;
}

int stsafe_trace_next(stsafe_trace_reader *r, stsafe_trace_msg *msg)
{
    const char *line;
    size_t len;
    if (!r->started) {
        if (!next_line(r, &line, &len) || trim_end(line, len) != strlen(STSAFE_TRACE_MAGIC) ||
            memcmp(line, STSAFE_TRACE_MAGIC, strlen(STSAFE_TRACE_MAGIC)) != 0) {
            r->line = 1;
            return reader_error(r, "not a trace: line 1 must be 'stsafe-trace 1'");
        }
        r->started = 1;
    }
    while (next_line(r, &line, &len)) {
        if (len > STSAFE_TRACE_MAX_LINE + 1u)
            return reader_error(r, "line longer than 4096 characters");
        if (is_comment(line, len))
            continue;
        if (stsafe_trace_parse_msg(line, len, msg, &r->error) != 0)
            return STSAFE_ERR_TRACE_SYNTAX;
        return check_order(r, msg) ? STSAFE_ERR_TRACE_SYNTAX : 1;
    }
    return 0;
}

/* ---- writing ---- */

static const char hex_chars[] = "0123456789abcdef";

int stsafe_trace_format_msg(const stsafe_trace_msg *msg, const char *comment, char *out,
                            size_t cap, size_t *out_len)
{
    if (!msg || !out || msg->addr > 0x7F || msg->len > STSAFE_TRACE_MAX_DATA ||
        (msg->read && !msg->ack && msg->len))
        return STSAFE_ERR_BAD_INPUT;
    int n = snprintf(out, cap, "%llu.%06llu %s 0x%02x %s %s",
                     (unsigned long long)(msg->time_ns / 1000000000u),
                     (unsigned long long)(msg->time_ns % 1000000000u / 1000u),
                     msg->repeated_start ? "Sr" : "S", msg->addr, msg->read ? "R" : "W",
                     msg->ack ? "ACK" : "NACK");
    if (n < 0 || (size_t)n >= cap)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    size_t pos = (size_t)n;
    size_t clen = comment ? strcspn(comment, "\r\n") : 0;
    if (pos + 3u * msg->len + (clen ? clen + 4u : 0u) + 2u > cap)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    for (size_t i = 0; i < msg->len; i++) {
        out[pos++] = ' ';
        out[pos++] = hex_chars[msg->data[i] >> 4];
        out[pos++] = hex_chars[msg->data[i] & 0x0F];
    }
    if (clen) {
        memcpy(out + pos, "  # ", 4);
        memcpy(out + pos + 4, comment, clen);
        pos += clen + 4u;
    }
    out[pos++] = '\n';
    out[pos] = '\0';
    if (out_len)
        *out_len = pos;
    return 0;
}

static void describe_command(const stsafe_trace_msg *msg, char *out, size_t cap)
{
    stsafe_cmd_frame cmd;
    if (stsafe_cmd_frame_decode(msg->data, msg->len, STSAFE_TRACE_MAX_DATA, &cmd) != 0) {
        snprintf(out, cap, "not a command frame");
        return;
    }
    uint8_t code = (uint8_t)(cmd.header & ~SC_HDR_FLAGS);
    if (cmd.header & SC_HDR_FLAGS)
        snprintf(out, cap, "command %s (0x%02x), flags 0x%02x", stsafe_cmd_name(code), code,
                 cmd.header & SC_HDR_FLAGS);
    else
        snprintf(out, cap, "command %s (0x%02x)", stsafe_cmd_name(code), code);
}

static void describe_response(const stsafe_trace_msg *msg, char *out, size_t cap)
{
    size_t total;
    stsafe_rsp_frame rsp;
    uint8_t code = (uint8_t)(msg->data[0] & STSAFE_STATUS_CODE_MASK);
    if (msg->len < STSAFE_RSP_FIRST_READ_LEN || stsafe_rsp_frame_total_len(msg->data, &total) != 0)
        return;
    if (msg->len == total && stsafe_rsp_frame_decode(msg->data, msg->len, &rsp) == 0)
        snprintf(out, cap, "response %s (0x%02x)%s", stsafe_status_str(code), code,
                 (msg->data[0] & RMAC_FLAG) ? ", R-MAC" : "");
    else if (msg->len < total)
        snprintf(out, cap, "status %s (0x%02x), %zu-byte frame", stsafe_status_str(code), code,
                 total);
}

void stsafe_trace_describe(const stsafe_trace_msg *msg, char *out, size_t cap)
{
    if (!out || cap == 0)
        return;
    out[0] = '\0';
    if (!msg)
        return;
    if (!msg->ack)
        snprintf(out, cap, "no acknowledge");
    else if (!msg->read && msg->len)
        describe_command(msg, out, cap);
    else if (msg->read && msg->len)
        describe_response(msg, out, cap);
}
