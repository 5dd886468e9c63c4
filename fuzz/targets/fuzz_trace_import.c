/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_trace_import: the input is text, read four ways: as an I2C trace
 * (docs/trace-format.md), as the script a replay or a recorded device plays
 * (trace_script.h), as sigrok-cli I2C decoder output and as a Saleae
 * Logic 2 I2C CSV ("Importing logic-analyser captures"). Invariants:
 * - every reader returns a value it documents, and a syntax error names a
 *   line of the input and a reason;
 * - every message given out is one the formatter takes, and formatting it
 *   then parsing the line back gives the same message;
 * - what an importer gives out is a valid trace: its lines, after the
 *   import header, read back as exactly the imported messages; its status
 *   counts what the callback received; a note is one line that fits;
 * - a trace's messages, written out again, read back the same; the script
 *   of a trace fails on the line the reader fails on, and a recorded
 *   device playing a loaded script accepts every command and read of it,
 *   answers each read with the recorded bytes (a redacted answer read
 *   whole with a CRC made for them), then fails on one more command. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_target.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/trace/trace.h"
#include "stsafe/trace/device.h"
#include "stsafe/trace/import.h"
#include "stsafe/trace/script.h"

/* The sigrok importer's sample rate comes from the input's length: unknown
 * (times 0), the smallest, a usual one and the largest. */
static const uint64_t samplerates[] = {0, 1, 2000000, STSAFE_IMPORT_MAX_SAMPLERATE};

/* A growing byte buffer, kept between inputs. */
typedef struct {
    uint8_t *p;
    size_t len, cap;
} bytes;

typedef struct {
    stsafe_trace_msg msg, again;
    char line[STSAFE_TRACE_LINE_CAP];
    bytes text;      /* a trace rebuilt from messages */
    bytes seq;       /* the messages as given out, packed */
    bytes seq_again; /* the messages read back, packed */
    size_t emitted, notes;
    unsigned input_lines;
} import_ctx;

static import_ctx *shared_ctx(void)
{
    static import_ctx *x;
    if (!x) {
        x = calloc(1, sizeof *x);
        FUZZ_REQUIRE(x != NULL, "the context is allocated");
    }
    return x;
}

static void add(bytes *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        FUZZ_REQUIRE(b->p != NULL, "a buffer grows");
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

/* A line shows whole microseconds: the writers truncate the time
 * (docs/trace-format.md, "Importing logic-analyser captures"). */
static uint64_t line_time(const stsafe_trace_msg *m)
{
    return m->time_ns / 1000u * 1000u;
}

/* Every field that a line carries, and the data bytes. */
static void pack(bytes *b, const stsafe_trace_msg *m)
{
    const uint8_t head[4] = {m->repeated_start, m->addr, m->read, m->ack};
    const uint64_t t = line_time(m);
    add(b, &t, sizeof t);
    add(b, head, sizeof head);
    add(b, &m->len, sizeof m->len);
    add(b, m->data, m->len);
}

/* \p b was read from the line of \p a. */
static int same_msg(const stsafe_trace_msg *a, const stsafe_trace_msg *b)
{
    return line_time(a) == b->time_ns && a->repeated_start == b->repeated_start &&
           a->addr == b->addr && a->read == b->read && a->ack == b->ack && a->len == b->len &&
           memcmp(a->data, b->data, a->len) == 0;
}

static unsigned count_lines(const uint8_t *data, size_t size)
{
    unsigned n = 1;
    for (size_t i = 0; i < size; i++)
        n += data[i] == '\n';
    return n;
}

static void check_syntax_error(const import_ctx *x, unsigned line, const char *error)
{
    FUZZ_REQUIRE(line >= 1 && line <= x->input_lines, "a syntax error names a line of the input");
    FUZZ_REQUIRE(error != NULL && error[0] != '\0', "a syntax error says what is wrong");
}

/* A message is well formed, and its line (as the recorders write it, with
 * the description as a comment) parses back to it. */
static void check_round_trip(import_ctx *x, const stsafe_trace_msg *m)
{
    char comment[256];
    size_t n = 0;
    const char *error = NULL;
    FUZZ_REQUIRE(m->addr <= 0x7F && m->len <= STSAFE_TRACE_MAX_DATA, "a message fits the format");
    FUZZ_REQUIRE(m->ack || !m->read || m->len == 0, "a NACKed read carries no data");
    stsafe_trace_describe(m, comment, sizeof comment);
    FUZZ_REQUIRE(memchr(comment, '\0', sizeof comment) != NULL, "a description is NUL-terminated");
    FUZZ_REQUIRE(stsafe_trace_format_msg(m, comment, x->line, sizeof x->line, &n) == 0,
                 "a message given out formats");
    FUZZ_REQUIRE(n > 0 && x->line[n - 1] == '\n' && strlen(x->line) == n, "a formatted line is one line");
    FUZZ_REQUIRE(stsafe_trace_parse_msg(x->line, n - 1, &x->again, &error) == 0,
                 "a formatted line parses");
    FUZZ_REQUIRE(same_msg(m, &x->again), "a formatted line parses to its message");
}

/* Read x->text (a trace made here) back: it must hold exactly x->seq. */
static void check_rebuilt(import_ctx *x)
{
    stsafe_trace_reader r;
    int rc;
    x->seq_again.len = 0;
    stsafe_trace_reader_init(&r, (const char *)x->text.p, x->text.len);
    while ((rc = stsafe_trace_next(&r, &x->again)) == 1)
        pack(&x->seq_again, &x->again);
    FUZZ_REQUIRE(rc == 0, "a trace written from messages reads back without error");
    FUZZ_REQUIRE(x->seq_again.len == x->seq.len &&
                     (x->seq.len == 0 || memcmp(x->seq_again.p, x->seq.p, x->seq.len) == 0),
                 "a trace written from messages reads back as those messages");
}

/* ---- our trace format ---- */

static void rebuild_start(import_ctx *x)
{
    static const char magic[] = STSAFE_TRACE_MAGIC "\n";
    x->text.len = 0;
    x->seq.len = 0;
    add(&x->text, magic, sizeof magic - 1);
}

/* Returns the line of the trace's syntax error, 0 when it has none. */
static unsigned check_trace(import_ctx *x, const char *text, size_t len)
{
    stsafe_trace_reader r;
    int rc;
    rebuild_start(x);
    stsafe_trace_reader_init(&r, text, len);
    while ((rc = stsafe_trace_next(&r, &x->msg)) == 1) {
        check_round_trip(x, &x->msg);
        add(&x->text, x->line, strlen(x->line));
        pack(&x->seq, &x->msg);
    }
    FUZZ_REQUIRE(rc == 0 || rc == STSAFE_ERR_TRACE_SYNTAX, "the trace reader returns 1, 0 or a syntax error");
    if (rc)
        check_syntax_error(x, r.line, r.error);
    check_rebuilt(x); /* the messages before an error make a valid trace */
    return rc ? r.line : 0;
}

/* ---- the script and the recorded device ---- */

/* The recorded device answers a read of \p len bytes with the recorded
 * bytes, except for a redacted answer read whole: that one goes out with a
 * CRC made for its marker bytes (docs/trace-format.md, "How a redacted
 * message reads"; regress-redacted-answer). */
static void check_answer(const stsafe_trace_script *s, const stsafe_trace_exchange *e,
                         const uint8_t *answer, size_t len)
{
    const uint8_t *recorded = stsafe_trace_script_read_bytes(s, e->longest);
    size_t total = 0;
    stsafe_rsp_frame rsp;
    if (s->reads[e->longest].redacted && len >= STSAFE_RSP_FRAME_OVERHEAD &&
        stsafe_rsp_frame_total_len(recorded, &total) == 0 && total == len) {
        FUZZ_REQUIRE(memcmp(answer, recorded, len - 2u) == 0 &&
                         stsafe_rsp_frame_decode(answer, len, &rsp) == 0,
                     "a redacted answer read whole is the recorded bytes with a CRC made for them");
        return;
    }
    FUZZ_REQUIRE(memcmp(answer, recorded, len) == 0, "the recorded device answers with the recorded bytes");
}

static void play_script(const stsafe_trace_script *s)
{
    stsafe_trace_device d;
    uint8_t answer[STSAFE_TRACE_MAX_DATA];
    stsafe_trace_device_init(&d, s);
    for (size_t i = 0; i < s->n_ex; i++) {
        const stsafe_trace_exchange *e = &s->ex[i];
        FUZZ_REQUIRE(e->cmd_off + e->cmd_len <= s->n_bytes && e->first_read + e->n_reads <= s->n_reads,
                     "an exchange lies inside the script");
        FUZZ_REQUIRE(stsafe_trace_device_write(&d, s->addr, stsafe_trace_script_cmd(s, i), e->cmd_len) == 0,
                     "the recorded device takes the script's command");
        for (size_t k = e->first_read; k < e->first_read + e->n_reads; k++) {
            const stsafe_trace_read *rd = &s->reads[k];
            FUZZ_REQUIRE(rd->off + rd->len <= s->n_bytes && rd->len <= s->reads[e->longest].len,
                         "a read lies inside the script and within its longest read");
            FUZZ_REQUIRE(stsafe_trace_device_read(&d, s->addr, answer, rd->len) == 0,
                         "the recorded device answers the script's read");
            check_answer(s, e, answer, rd->len);
        }
    }
    FUZZ_REQUIRE(stsafe_trace_device_finished(&d), "the recorded device plays its whole script");
    static const uint8_t echo = 0x00;
    FUZZ_REQUIRE(stsafe_trace_device_write(&d, s->addr, &echo, 1) == STSAFE_ERR_TRACE_MISMATCH && d.failed,
                 "a command after the script is a deviation");
}

/* \p syntax_line: where the trace reader found a syntax error (0: none). */
static void check_script(import_ctx *x, const char *text, size_t len, unsigned syntax_line)
{
    stsafe_trace_script s;
    stsafe_trace_script_init(&s);
    int err = stsafe_trace_script_load(&s, text, len, STSAFE_TRACE_ADDR_FIRST);
    FUZZ_REQUIRE(err == 0 || err == STSAFE_ERR_TRACE_SYNTAX, "a script loads or names a syntax error");
    if (syntax_line)
        FUZZ_REQUIRE(err == STSAFE_ERR_TRACE_SYNTAX && s.error_line == syntax_line,
                     "a script fails on the line the reader fails on");
    if (err) {
        check_syntax_error(x, s.error_line, s.error);
    } else {
        FUZZ_REQUIRE(s.n_ex >= 1 && s.addr <= 0x7F, "a loaded script has a command for a 7-bit address");
        FUZZ_REQUIRE(s.n_ex + s.n_reads + s.other_addr + s.nacks + s.early_reads <= s.messages,
                     "a script counts no message twice");
        play_script(&s);
    }
    stsafe_trace_script_free(&s);
}

/* ---- the importers ---- */

static int collect(void *ctx, const stsafe_trace_msg *msg, const char *note)
{
    import_ctx *x = ctx;
    size_t n = 0;
    FUZZ_REQUIRE(msg != NULL || note != NULL, "an importer hands out a message or a note");
    if (note) {
        FUZZ_REQUIRE(strlen(note) < STSAFE_IMPORT_NOTE_CAP && !strchr(note, '\n'),
                     "a note is one line that fits its cap");
        x->notes++;
    }
    if (msg) {
        check_round_trip(x, msg);
        pack(&x->seq, msg);
        x->emitted++;
    }
    FUZZ_REQUIRE(stsafe_trace_import_format(msg, note, x->line, sizeof x->line, &n) == 0,
                 "what an importer hands out formats");
    add(&x->text, x->line, n);
    return 0;
}

typedef int (*import_fn)(import_ctx *x, const char *text, size_t len, stsafe_trace_import_status *st);

static int run_sigrok(import_ctx *x, const char *text, size_t len, stsafe_trace_import_status *st)
{
    uint64_t rate = samplerates[len % (sizeof samplerates / sizeof samplerates[0])];
    return stsafe_trace_import_sigrok(text, len, rate, collect, x, st);
}

static int run_saleae(import_ctx *x, const char *text, size_t len, stsafe_trace_import_status *st)
{
    return stsafe_trace_import_saleae(text, len, collect, x, st);
}

static void check_import(import_ctx *x, import_fn run, const char *text, size_t len)
{
    stsafe_trace_import_status st;
    size_t n = 0;
    memset(&st, 0, sizeof st);
    x->text.len = 0;
    x->seq.len = 0;
    x->emitted = x->notes = 0;
    FUZZ_REQUIRE(stsafe_trace_import_header("fuzz", "input", x->line, sizeof x->line, &n) == 0,
                 "the import header formats");
    add(&x->text, x->line, n);
    int err = run(x, text, len, &st);
    FUZZ_REQUIRE(err == 0 || err == STSAFE_ERR_TRACE_SYNTAX, "an import succeeds or names a syntax error");
    if (err)
        check_syntax_error(x, st.line, st.error);
    FUZZ_REQUIRE(st.messages == x->emitted && st.notes == x->notes, "an import counts what it handed out");
    check_rebuilt(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    import_ctx *x = shared_ctx();
    const char *text = (const char *)data;
    x->input_lines = count_lines(data, size);
    check_script(x, text, size, check_trace(x, text, size));
    check_import(x, run_sigrok, text, size);
    check_import(x, run_saleae, text, size);
    return 0;
}
