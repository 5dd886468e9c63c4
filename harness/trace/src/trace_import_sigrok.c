/* SPDX-License-Identifier: BSD-3-Clause */
/* sigrok-cli's I2C decoder text into trace messages (docs/trace-format.md,
 * "Importing logic-analyser captures").
 *
 * A line is [START-END ]PREFIX: ...: ANNOTATION, where the sample range
 * comes with --protocol-decoder-samplenum (or -l 3 and up), the prefixes
 * are the decoder instance ("i2c-1"), the annotation class with -l 4, or
 * PulseView's decoder and row names, and the annotation is one of the
 * texts of libsigrokdecode's i2c decoder (decoders/i2c/pd.py), in quotes
 * with -l 3 and up (-l 4 adds the short forms after it, in quotes too). */
#include <string.h>

#include "stsafe/protocol/error.h"
#include "stsafe/protocol/hex.h"
#include "stsafe/trace/import.h"
#include "trace_import_internal.h"

#define MAX_PREFIXES 3  /* instance, class or row, and one more for PulseView's decoder name */

typedef enum {
    ANN_SKIP,          /* "Read"/"Write" (the R/W bit), "0"/"1" (the bits row) */
    ANN_START,
    ANN_START_REPEAT,
    ANN_STOP,
    ANN_ACK,
    ANN_NACK,
    ANN_ADDRESS,
    ANN_DATA
} ann_kind;

typedef struct {
    ann_kind kind;
    int read;          /* ANN_ADDRESS, ANN_DATA */
    uint8_t value;     /* ANN_ADDRESS (7-bit), ANN_DATA */
} annotation;

typedef struct {
    import_asm a;
    uint64_t samplerate;
    int ranges;        /* -1 not known yet; 0 the capture has no sample numbers; 1 it has */
} sigrok_ctx;

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int text_is(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len == n && memcmp(s, word, n) == 0;
}

/* "WORDS: XX" with exactly two hex digits (pd.py writes {b:02X}). */
static int byte_text(const char *s, size_t len, const char *words, uint8_t *value)
{
    size_t n = strlen(words);
    if (len != n + 4 || memcmp(s, words, n) != 0 || s[n] != ':' || s[n + 1] != ' ')
        return 0;
    int hi = stsafe_hex_digit(s[n + 2]), lo = stsafe_hex_digit(s[n + 3]);
    if (hi < 0 || lo < 0)
        return 0;
    *value = (uint8_t)(hi << 4 | lo);
    return 1;
}

static int match_plain(const char *s, size_t len, annotation *ann)
{
    static const struct {
        const char *text;
        ann_kind kind;
    } words[] = {
        {"Start", ANN_START}, {"Start repeat", ANN_START_REPEAT}, {"Stop", ANN_STOP},
        {"ACK", ANN_ACK},     {"NACK", ANN_NACK},                {"Read", ANN_SKIP},
        {"Write", ANN_SKIP},  {"0", ANN_SKIP},                   {"1", ANN_SKIP},
    };
    static const struct {
        const char *words;
        ann_kind kind;
        int read;
    } bytes[] = {
        {"Address read", ANN_ADDRESS, 1}, {"Address write", ANN_ADDRESS, 0},
        {"Data read", ANN_DATA, 1},       {"Data write", ANN_DATA, 0},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (text_is(s, len, words[i].text)) {
            ann->kind = words[i].kind;
            return 1;
        }
    for (size_t i = 0; i < sizeof bytes / sizeof bytes[0]; i++)
        if (byte_text(s, len, bytes[i].words, &ann->value)) {
            ann->kind = bytes[i].kind;
            ann->read = bytes[i].read;
            return 1;
        }
    return 0;
}

/* After the first quoted text: nothing, or more quoted texts (the short forms). */
static int only_quoted(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (!is_blank(s[i++]))
            return 0;
        while (i < len && is_blank(s[i]))
            i++;
        if (i == len || s[i] != '"')
            return 0;
        const char *close = memchr(s + i + 1, '"', len - i - 1);
        if (!close)
            return 0;
        i = (size_t)(close - s) + 1;
    }
    return 1;
}

static int match_annotation(const char *s, size_t len, annotation *ann)
{
    if (len == 0 || s[0] != '"')
        return match_plain(s, len, ann);
    const char *close = memchr(s + 1, '"', len - 1);
    if (!close)
        return 0;
    size_t inner = (size_t)(close - s) - 1;
    return only_quoted(close + 1, len - inner - 2) && match_plain(s + 1, inner, ann);
}

/* "START-END " at the start of the line: the sample range; 0 when there is none. */
static int sample_range(const char **s, size_t *len, uint64_t *start, int *bad)
{
    size_t dash = 0, end = 0;
    while (dash < *len && (*s)[dash] >= '0' && (*s)[dash] <= '9')
        dash++;
    if (dash == 0 || dash == *len || (*s)[dash] != '-')
        return 0;
    end = dash + 1;
    while (end < *len && (*s)[end] >= '0' && (*s)[end] <= '9')
        end++;
    if (end == dash + 1 || end == *len || !is_blank((*s)[end]))
        return 0;
    uint64_t stop;
    if (import_parse_u64(*s, dash, start) != 0 || import_parse_u64(*s + dash + 1, end - dash - 1, &stop) != 0 ||
        stop < *start) {
        *bad = 1;
        return 0;
    }
    while (end < *len && is_blank((*s)[end]))
        end++;
    *s += end;
    *len -= end;
    return 1;
}

/* The text after the first ": " that is not inside quotes; 0 when there is none, or when
 * what comes before it is the start of a byte annotation with a bad value
 * ("Data write: 0" must not leave a "0" that reads as a bit). */
static int strip_prefix(const char **s, size_t *len)
{
    static const char *const byte_words[] = {"Address read", "Address write", "Data read", "Data write"};
    for (size_t i = 0; i + 1 < *len && (*s)[i] != '"'; i++)
        if ((*s)[i] == ':' && (*s)[i + 1] == ' ') {
            for (size_t k = 0; k < sizeof byte_words / sizeof byte_words[0]; k++)
                if (text_is(*s, i, byte_words[k]))
                    return 0;
            *s += i + 2;
            *len -= i + 2;
            return 1;
        }
    return 0;
}

static int parse_line(const char *s, size_t len, annotation *ann, int *has_range, uint64_t *sample,
                      import_asm *a)
{
    int bad = 0;
    *has_range = sample_range(&s, &len, sample, &bad);
    if (bad)
        return import_asm_error(a, "bad sample range (START-END, decimal, END not before START)");
    for (int prefixes = 0; !match_annotation(s, len, ann); prefixes++)
        if (prefixes == MAX_PREFIXES || !strip_prefix(&s, &len))
            return import_asm_error(a, "not an annotation of sigrok's I2C decoder");
    return 0;
}

/* Sample number to nanoseconds at x->samplerate (exact below 10 GHz, truncated). */
static int sample_time(sigrok_ctx *x, uint64_t sample, uint64_t *ns)
{
    uint64_t sec = sample / x->samplerate, rem = sample % x->samplerate;
    uint64_t frac = rem * 1000000000u / x->samplerate;
    if (sec > (UINT64_MAX - frac) / 1000000000u)
        return import_asm_error(&x->a, "sample number too large for a time at this sample rate");
    *ns = sec * 1000000000u + frac;
    return 0;
}

/* The first annotation decides whether the capture has sample numbers; notes say when times are 0. */
static int check_ranges(sigrok_ctx *x, int has_range)
{
    if (x->ranges >= 0)
        return x->ranges == has_range ? 0
                                      : import_asm_error(&x->a, "sample numbers on some lines only");
    x->ranges = has_range;
    if (!has_range)
        return import_asm_note(&x->a, "no sample numbers in the capture (sigrok-cli "
                                      "--protocol-decoder-samplenum): times are 0");
    if (!x->samplerate)
        return import_asm_note(&x->a, "no sample rate given (stsafe-emu import --samplerate): times are 0");
    return 0;
}

static int start_event(sigrok_ctx *x, import_start_kind kind, int has_range, uint64_t sample)
{
    uint64_t ns = 0;
    int err = 0;
    if (has_range && x->samplerate)
        err = sample_time(x, sample, &ns);
    return err ? err : import_asm_start(&x->a, kind, ns);
}

static int handle(sigrok_ctx *x, const annotation *ann, int has_range, uint64_t sample)
{
    switch (ann->kind) {
    case ANN_SKIP:
        return 0;
    case ANN_START:
        return start_event(x, IMPORT_START_PLAIN, has_range, sample);
    case ANN_START_REPEAT:
        return start_event(x, IMPORT_START_REPEAT, has_range, sample);
    case ANN_STOP:
        return import_asm_stop(&x->a);
    case ANN_ACK:
    case ANN_NACK:
        return import_asm_ack(&x->a, ann->kind == ANN_ACK);
    case ANN_ADDRESS:
        return import_asm_address(&x->a, ann->value, ann->read);
    case ANN_DATA:
        return import_asm_data(&x->a, ann->value, ann->read);
    }
    return 0;
}

static int import_line(sigrok_ctx *x, const char *s, size_t len)
{
    annotation ann = {ANN_SKIP, 0, 0};
    int has_range = 0, err;
    uint64_t sample = 0;
    while (len > 0 && is_blank(s[0])) {
        s++;
        len--;
    }
    while (len > 0 && is_blank(s[len - 1]))
        len--;
    if (len == 0)
        return 0;
    if ((err = parse_line(s, len, &ann, &has_range, &sample, &x->a)) != 0 ||
        (err = check_ranges(x, has_range)) != 0)
        return err;
    return handle(x, &ann, has_range, sample);
}

int stsafe_trace_import_sigrok(const char *text, size_t len, uint64_t samplerate_hz,
                               stsafe_trace_import_emit_fn emit, void *ctx,
                               stsafe_trace_import_status *status)
{
    sigrok_ctx x;
    import_lines lines;
    const char *line;
    size_t n;
    int err = 0;
    if ((!text && len) || !emit || !status || samplerate_hz > STSAFE_IMPORT_MAX_SAMPLERATE)
        return STSAFE_ERR_BAD_INPUT;
    import_asm_init(&x.a, emit, ctx, status);
    x.samplerate = samplerate_hz;
    x.ranges = -1;
    import_lines_init(&lines, text, len);
    while (!err && import_lines_next(&lines, &line, &n)) {
        x.a.line = lines.line;
        err = import_line(&x, line, n);
    }
    return err ? err : import_asm_finish(&x.a);
}
