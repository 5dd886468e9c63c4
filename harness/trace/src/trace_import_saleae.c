/* SPDX-License-Identifier: BSD-3-Clause */
/* Saleae Logic 2's I2C analyser CSV into trace messages (docs/trace-format.md,
 * "Importing logic-analyser captures").
 *
 * The header names the columns: name,type,start_time,duration, then the
 * frame fields "ack","address","read","data" (and "error" when the
 * analyser flagged a frame). One row per frame: start, address (7-bit
 * address, read, ack), data (data, ack), stop. Times are seconds from the
 * start of the capture, as 0.892847542 or 4.16666667e-08; booleans true or
 * false; bytes in the analyser's display radix (Hex 0x3C, Binary 0b111100
 * are read; Decimal and ASCII cannot be told apart and are refused). */
#include <stdio.h>
#include <string.h>

#include "stsafe/protocol/error.h"
#include "stsafe/trace/import.h"
#include "trace_import_internal.h"

#define MAX_COLUMNS 16

typedef enum { COL_NAME, COL_TYPE, COL_TIME, COL_DURATION, COL_ACK, COL_ADDRESS, COL_READ, COL_DATA, COL_ERROR, COL_COUNT } column;

static const char *const column_names[COL_COUNT] = {"name", "type", "start_time", "duration", "ack",
                                                     "address", "read", "data", "error"};

typedef struct {
    const char *p;
    size_t len;
} field;

typedef struct {
    import_asm a;
    int col[COL_COUNT];        /* index of each column in a row; -1 absent */
    size_t columns;
    field analyser;            /* the name of the first row */
    int have_rows;
    int64_t base_ns;           /* subtracted from every time: the first row's, when below 0 */
} saleae_ctx;

static int field_is(field f, const char *word)
{
    size_t n = strlen(word);
    return f.len == n && memcmp(f.p, word, n) == 0;
}

/* One field at *pos: quoted ("" inside is a quote) or not. -1 when a quote is not closed. */
static int next_field(const char *s, size_t len, size_t *pos, field *f)
{
    size_t i = *pos;
    if (i < len && s[i] == '"') {
        f->p = s + i + 1;
        for (i++; i < len; i++) {
            if (s[i] != '"')
                continue;
            if (i + 1 < len && s[i + 1] == '"') {
                i++;
                continue;
            }
            break;
        }
        if (i >= len)
            return -1;
        f->len = (size_t)(s + i - f->p);
        i++;
        if (i < len && s[i] != ',')
            return -1;
    } else {
        f->p = s + i;
        while (i < len && s[i] != ',')
            i++;
        f->len = (size_t)(s + i - f->p);
    }
    *pos = i;
    return 0;
}

/* The fields of a line; -1 on a bad quote or too many fields. */
static int split(const char *s, size_t len, field *fields, size_t *count)
{
    size_t pos = 0, n = 0;
    for (;;) {
        if (n == MAX_COLUMNS || next_field(s, len, &pos, &fields[n]) != 0)
            return -1;
        n++;
        if (pos >= len)
            break;
        pos++; /* the comma */
        if (pos == len) {     /* a comma ends the line: one more, empty field */
            if (n == MAX_COLUMNS)
                return -1;
            fields[n].p = s + pos;
            fields[n++].len = 0;
            break;
        }
    }
    *count = n;
    return 0;
}

static int parse_header(saleae_ctx *x, const char *s, size_t len)
{
    field f[MAX_COLUMNS];
    size_t n;
    if (len >= 8 && memcmp(s, "Time [s]", 8) == 0)
        return import_asm_error(&x->a, "a Saleae Logic 1.x export (Time [s],...): export the I2C "
                                       "analyser from Logic 2");
    if (split(s, len, f, &n) != 0)
        return import_asm_error(&x->a, "bad CSV header (a quote not closed, or more than 16 columns)");
    for (int c = 0; c < COL_COUNT; c++)
        x->col[c] = -1;
    for (size_t i = 0; i < n; i++) {
        int c = 0;
        while (c < COL_COUNT && !field_is(f[i], column_names[c]))
            c++;
        if (c == COL_COUNT)
            return import_asm_error(&x->a, "not the CSV of a Logic 2 I2C analyser: a column other than "
                                           "name,type,start_time,duration,ack,address,read,data,error");
        if (x->col[c] >= 0)
            return import_asm_error(&x->a, "a column named twice in the header");
        x->col[c] = (int)i;
    }
    for (int c = 0; c < COL_ERROR; c++)
        if (x->col[c] < 0)
            return import_asm_error(&x->a, "the header lacks a column of name,type,start_time,duration,"
                                           "ack,address,read,data");
    x->columns = n;
    return 0;
}

static int parse_bool(field f, int *v)
{
    if (field_is(f, "true"))
        *v = 1;
    else if (field_is(f, "false"))
        *v = 0;
    else
        return -1;
    return 0;
}

/* 0x + 1..2 hex digits, or 0b + 1..8 binary digits. */
static int parse_byte(field f, unsigned *v)
{
    unsigned value = 0;
    if (f.len < 3 || f.p[0] != '0' || (f.p[1] != 'x' && f.p[1] != 'b'))
        return -1;
    int hex = f.p[1] == 'x';
    if (f.len > (hex ? 4u : 10u))
        return -1;
    for (size_t i = 2; i < f.len; i++) {
        char c = f.p[i];
        unsigned d;
        if (c >= '0' && c <= (hex ? '9' : '1'))
            d = (unsigned)(c - '0');
        else if (hex && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (hex && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return -1;
        value = value * (hex ? 16u : 2u) + d;
    }
    *v = value;
    return 0;
}

typedef struct {
    uint64_t mant;      /* significant digits, at most 18 */
    int exp10;          /* the value is mant * 10^exp10 */
    int digits;         /* digits in the mantissa (0: no number) */
} decimal;

/* DIGITS[.DIGITS] or .DIGITS; digits past 18 significant ones are dropped. */
static size_t parse_mantissa(const char *s, size_t len, decimal *d)
{
    size_t i = 0;
    int frac = 0;
    for (; i < len; i++) {
        if (s[i] == '.' && !frac) {
            frac = 1;
            continue;
        }
        if (s[i] < '0' || s[i] > '9')
            break;
        d->digits++;
        if (d->mant < 100000000000000000u) {   /* 10^17: one more digit still fits */
            d->mant = d->mant * 10u + (uint64_t)(s[i] - '0');
            d->exp10 -= frac;
        } else if (!frac) {
            d->exp10++;
        }
    }
    return i;
}

/* [eE][+-]DIGITS, at most 4 digits. */
static int parse_exponent(const char *s, size_t len, int *exp10)
{
    int neg = 0, e = 0;
    size_t i = 1;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i == len || len - i > 4)
        return -1;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        e = e * 10 + (s[i] - '0');
    }
    *exp10 += neg ? -e : e;
    return 0;
}

/* Seconds as Logic 2 writes them, into nanoseconds (truncated toward 0). */
static int parse_seconds(field f, int64_t *ns)
{
    decimal d = {0, 9, 0};
    size_t i = 0;
    int neg = f.len > 0 && f.p[0] == '-';
    if (neg || (f.len > 0 && f.p[0] == '+'))
        i++;
    i += parse_mantissa(f.p + i, f.len - i, &d);
    if (d.digits == 0)
        return -1;
    if (i < f.len && ((f.p[i] != 'e' && f.p[i] != 'E') || parse_exponent(f.p + i, f.len - i, &d.exp10) != 0))
        return -1;
    uint64_t v = d.mant;
    for (; d.exp10 > 0 && v; d.exp10--) {
        if (v > (uint64_t)INT64_MAX / 10u)
            return -1;
        v *= 10u;
    }
    for (; d.exp10 < 0 && v; d.exp10++)
        v /= 10u;
    if (v > (uint64_t)INT64_MAX)
        return -1;
    *ns = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

/* The time of a row, shifted so that a capture whose times start below 0 starts at 0. */
static int row_time(saleae_ctx *x, field f, uint64_t *ns)
{
    int64_t t;
    char note[STSAFE_IMPORT_NOTE_CAP];
    if (parse_seconds(f, &t) != 0)
        return import_asm_error(&x->a, "bad start_time (seconds, as 0.000123 or 1.5e-05)");
    if (!x->have_rows) {
        x->have_rows = 1;
        if (t < 0) {
            x->base_ns = t;
            snprintf(note, sizeof note,
                     "times shifted by +%lld.%09lld s: the capture's times start before 0 (a trigger)",
                     (long long)(-t / 1000000000), (long long)(-t % 1000000000));
            int err = import_asm_note(&x->a, note);
            if (err)
                return err;
        }
    }
    if (t < x->base_ns)
        return import_asm_error(&x->a, "time goes backwards");
    *ns = (uint64_t)t - (uint64_t)x->base_ns; /* exact: t >= base, and the span fits in 64 bits */
    return 0;
}

static int same_analyser(saleae_ctx *x, field name)
{
    if (!x->analyser.p) {
        x->analyser = name;
        return 0;
    }
    if (name.len == x->analyser.len && memcmp(name.p, x->analyser.p, name.len) == 0)
        return 0;
    return import_asm_error(&x->a, "a row of another analyser: export one I2C analyser");
}

static int address_row(saleae_ctx *x, const field *f)
{
    int ack, read, err;
    unsigned addr;
    if (parse_bool(f[x->col[COL_ACK]], &ack) != 0 || parse_bool(f[x->col[COL_READ]], &read) != 0)
        return import_asm_error(&x->a, "an address row needs ack and read as true or false");
    if (parse_byte(f[x->col[COL_ADDRESS]], &addr) != 0)
        return import_asm_error(&x->a, "bad address (0x.. or 0b..: set the analyser's display radix to Hex)");
    if ((err = import_asm_address(&x->a, addr, read)) != 0)
        return err;
    return import_asm_ack(&x->a, ack);
}

static int data_row(saleae_ctx *x, const field *f)
{
    int ack, err;
    unsigned byte;
    if (parse_bool(f[x->col[COL_ACK]], &ack) != 0)
        return import_asm_error(&x->a, "a data row needs ack as true or false");
    if (parse_byte(f[x->col[COL_DATA]], &byte) != 0)
        return import_asm_error(&x->a, "bad data (0x.. or 0b..: set the analyser's display radix to Hex)");
    if ((err = import_asm_data(&x->a, (uint8_t)byte, -1)) != 0)
        return err;
    return import_asm_ack(&x->a, ack);
}

static int import_row(saleae_ctx *x, const char *s, size_t len)
{
    field f[MAX_COLUMNS];
    size_t n;
    uint64_t ns = 0;
    int err;
    if (split(s, len, f, &n) != 0 || n != x->columns)
        return import_asm_error(&x->a, "not as many fields as the header has columns (or a quote not closed)");
    if ((err = same_analyser(x, f[x->col[COL_NAME]])) != 0 ||
        (err = row_time(x, f[x->col[COL_TIME]], &ns)) != 0)
        return err;
    if (x->col[COL_ERROR] >= 0 && f[x->col[COL_ERROR]].len)
        return import_asm_error(&x->a, "the analyser flagged an error on this frame");
    field type = f[x->col[COL_TYPE]];
    if (field_is(type, "start"))
        return import_asm_start(&x->a, IMPORT_START_ANY, ns);
    if (field_is(type, "address"))
        return address_row(x, f);
    if (field_is(type, "data"))
        return data_row(x, f);
    if (field_is(type, "stop"))
        return import_asm_stop(&x->a);
    return import_asm_error(&x->a, "a row type other than start, address, data or stop");
}

int stsafe_trace_import_saleae(const char *text, size_t len, stsafe_trace_import_emit_fn emit,
                               void *ctx, stsafe_trace_import_status *status)
{
    saleae_ctx x;
    import_lines lines;
    const char *line;
    size_t n;
    int err = 0, header = 0;
    if ((!text && len) || !emit || !status)
        return STSAFE_ERR_BAD_INPUT;
    memset(&x, 0, sizeof x);
    import_asm_init(&x.a, emit, ctx, status);
    import_lines_init(&lines, text, len);
    while (!err && import_lines_next(&lines, &line, &n)) {
        x.a.line = lines.line;
        if (n == 0)
            continue;
        err = header ? import_row(&x, line, n) : parse_header(&x, line, n);
        header = 1;
    }
    if (!err && !header) {
        x.a.line = 1;
        err = import_asm_error(&x.a, "empty: no CSV header");
    }
    return err ? err : import_asm_finish(&x.a);
}
