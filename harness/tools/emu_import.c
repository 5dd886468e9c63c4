/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu import: a sigrok-cli or Saleae Logic 2 capture into an I2C
 * trace (docs/trace-format.md, "Importing logic-analyser captures"). The
 * trace is built in memory and written only when the whole capture was
 * read: a malformed capture leaves no half-written TRACE behind. */
#include "stsafe/emulator/storage.h"
#include "emu_import.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stsafe/protocol/error.h"
#include "stsafe/trace/import.h"
#include "tool_common.h"

#define PROG "stsafe-emu import"
#define CAPTURE_MAX ((size_t)256 << 20)  /* a capture larger than this is refused */

typedef struct {
    const char *from;      /* "sigrok" or "saleae" */
    const char *capture;   /* a path, or "-" for stdin */
    const char *out;       /* NULL: stdout */
    uint64_t samplerate;   /* 0: not given */
} import_args;

/* The trace being written, or the capture being read. */
typedef struct {
    char *p;
    size_t len, cap;
} text_buf;

static int buf_add(text_buf *b, const char *s, size_t n)
{
    if (!b->p || b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return STSAFE_ERR_ALLOC;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

/* HZ, with an optional k, M or G (any case) and an optional "Hz": 2000000, 2M, 2MHz. */
static int parse_samplerate(const char *s, uint64_t *hz)
{
    static const struct {
        char c;
        uint64_t mult;
    } units[] = {{'k', 1000u}, {'m', 1000000u}, {'g', 1000000000u}};
    char *end = NULL;
    uint64_t mult = 1;
    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (*end == units[i].c || *end == units[i].c - ('a' - 'A')) {
            mult = units[i].mult;
            end++;
        }
    if ((end[0] == 'h' || end[0] == 'H') && (end[1] == 'z' || end[1] == 'Z'))
        end += 2;
    if (*end || v == 0 || v > STSAFE_IMPORT_MAX_SAMPLERATE / mult)
        return -1;
    *hz = (uint64_t)v * mult;
    return 0;
}

static int parse_args(int argc, char **argv, import_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--from") && i + 1 < argc) {
            a->from = argv[++i];
        } else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
            a->out = argv[++i];
        } else if ((!strcmp(argv[i], "--samplerate") || !strcmp(argv[i], "-r")) && i + 1 < argc) {
            if (parse_samplerate(argv[++i], &a->samplerate) != 0) {
                tool_error(PROG, "--samplerate takes a rate in Hz (2000000, 2M, 2MHz), 1 Hz to 10 GHz");
                return -1;
            }
        } else if ((argv[i][0] != '-' || !strcmp(argv[i], "-")) && !a->capture) {
            a->capture = argv[i];
        } else {
            tool_error(PROG, "unexpected argument '%s' (see --help)", argv[i]);
            return -1;
        }
    }
    if (!a->from || (strcmp(a->from, "sigrok") != 0 && strcmp(a->from, "saleae") != 0)) {
        tool_error(PROG, "--from takes sigrok or saleae (see --help)");
        return -1;
    }
    if (!a->capture) {
        tool_error(PROG, "missing CAPTURE (see --help)");
        return -1;
    }
    if (a->samplerate && strcmp(a->from, "sigrok") != 0) {
        tool_error(PROG, "--samplerate is for sigrok captures (Saleae CSV has times in seconds)");
        return -1;
    }
    return 0;
}

/* The whole capture into a malloc'd buffer; prints why and returns -1 on failure. */
static int read_capture(const char *path, char **text, size_t *len)
{
    int is_stdin = !strcmp(path, "-");
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    text_buf b = {NULL, 0, 0};
    char chunk[65536];
    size_t n;
    int err = 0;
    if (!f) {
        tool_error(PROG, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    while (!err && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        err = b.len + n > CAPTURE_MAX ? STSAFE_ERR_BAD_INPUT : buf_add(&b, chunk, n);
    if (!err && ferror(f))
        err = STSAFE_ERR_IO;
    if (!is_stdin && fclose(f) != 0 && !err)
        err = STSAFE_ERR_IO;
    if (err) {
        tool_error(PROG, "cannot read '%s': %s", path,
                   err == STSAFE_ERR_BAD_INPUT ? "larger than 256 MiB" : stsafe_strerror(err));
        free(b.p);
        return -1;
    }
    *text = b.p;
    *len = b.len;
    return 0;
}

/* The importers' callback: one trace line into the buffer. */
static int emit_line(void *ctx, const stsafe_trace_msg *msg, const char *note)
{
    char line[STSAFE_TRACE_LINE_CAP];
    size_t n = 0;
    int err = stsafe_trace_import_format(msg, note, line, sizeof line, &n);
    return err ? err : buf_add(ctx, line, n);
}

static int write_trace(const char *path, const text_buf *b)
{
    FILE *f = path ? stsafe_emu_file_open_private(path, 0) : stdout; /* 0600: a trace may hold keys */
    if (!f) {
        tool_error(PROG, "cannot write '%s': %s", path, strerror(errno));
        return TOOL_EXIT_FAIL;
    }
    int bad = fwrite(b->p, 1, b->len, f) != b->len;
    if (path)
        bad |= fclose(f) != 0;
    else
        bad |= fflush(f) != 0;
    if (bad) {
        tool_error(PROG, "writing '%s' failed: %s", path ? path : "stdout", strerror(errno));
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return !strcmp(path, "-") ? "stdin" : slash ? slash + 1 : path;
}

/* Imports \p text into \p out; prints why and returns TOOL_EXIT_FAIL on failure. */
static int import_text(const import_args *a, const char *text, size_t len, text_buf *out)
{
    stsafe_trace_import_status st = {0, NULL, 0, 0};
    char head[512];
    size_t n = 0;
    int sigrok = !strcmp(a->from, "sigrok");
    int err = stsafe_trace_import_header(sigrok ? "sigrok-cli" : "Saleae Logic 2", base_name(a->capture),
                                         head, sizeof head, &n);
    if (!err)
        err = buf_add(out, head, n);
    if (!err)
        err = sigrok ? stsafe_trace_import_sigrok(text, len, a->samplerate, emit_line, out, &st)
                     : stsafe_trace_import_saleae(text, len, emit_line, out, &st);
    if (err == STSAFE_ERR_TRACE_SYNTAX) {
        tool_error(PROG, "%s:%u: %s", a->capture, st.line, st.error);
        return TOOL_EXIT_FAIL;
    }
    if (err) {
        tool_error(PROG, "%s: %s", a->capture, stsafe_strerror(err));
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

int emu_import_main(int argc, char **argv)
{
    import_args a;
    text_buf out = {NULL, 0, 0};
    char *text = NULL;
    size_t len = 0;
    if (parse_args(argc, argv, &a) != 0)
        return TOOL_EXIT_USAGE;
    if (read_capture(a.capture, &text, &len) != 0)
        return TOOL_EXIT_FAIL;
    int rc = import_text(&a, text, len, &out);
    if (rc == TOOL_EXIT_OK)
        rc = write_trace(a.out, &out);
    free(text);
    free(out.p);
    return rc;
}
