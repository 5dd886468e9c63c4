/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-cli: what wraps every command: the secure channel, faults, traces
 * and the server's reason for a failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/pem.h>
#include <mbedtls/x509_crt.h>

#include "stsafe/emulator/storage.h"
#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/hex.h"
#include "cli.h"
#include "tool_common.h"

#include "stsafe/bus/fault.h"
#include "stsafe/bus/trace.h"
#include "stsafe/trace/chip_info.h"
#include "stsafe/trace/trace.h"

static const char *prog = CLI_PROG;

/* With --mac-key/--cipher-key every command goes through the host secure
 * channel: MACed with an R-MAC checked, encrypted where the chip's table
 * says so (Query, Put Attribute, Reset, Hibernate, Delete stay in the
 * clear, as STSELib sends them). */
int cli_open_secure_channel(tool_session *s, stsafe_host_session *hs, const char *mac_hex,
                               const char *cipher_hex)
{
    uint8_t mac[16], cipher[16];
    if (cli_fixed_hex(mac_hex, "--mac-key", mac, sizeof mac) ||
        cli_fixed_hex(cipher_hex, "--cipher-key", cipher, sizeof cipher))
        return TOOL_EXIT_USAGE;
    int err = stsafe_client_open_host_session(&s->dev.client, hs, mac, cipher);
    memset(mac, 0, sizeof mac);
    memset(cipher, 0, sizeof cipher);
    if (err)
        return cli_report(err, "opening the host session");
    s->dev.client.mac_all = 1;
    return TOOL_EXIT_OK;
}

static void log_fault(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "%s: %s\n", prog, line);
}

static int is_chip_fault(const stsafe_fault *f)
{
    return f->kind == STSAFE_FAULT_BROWNOUT || f->kind == STSAFE_FAULT_RESET;
}

/* The chip faults of a remote chip go to its server (FAULT); the server logs them. */
static int arm_server_faults(tool_session *s, const char *spec)
{
    char reason[512]; /* the server's reason, as it sent it */
    if (tool_session_need_server(s, prog, "--fault brownout or reset") != 0)
        return TOOL_EXIT_USAGE;
    int err = stsafe_bus_socket_fault(&s->sock, spec, reason, sizeof reason);
    if (err) {
        tool_error(prog, "--fault: the server did not arm '%s': %s", spec,
                   reason[0] ? reason : stsafe_strerror(err));
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

/* After the command: a note on stderr for each bus fault that fell short
 * (never fired, or a NACK run cut short), so a spec that did nothing does
 * not look like a chip that shrugged it off. The exit code stays. */
void cli_note_unfired_faults(const stsafe_bus_fault *fb)
{
    for (size_t i = 0; i < stsafe_bus_fault_count(fb); i++) {
        stsafe_fault_report r;
        char note[256];
        if (stsafe_bus_fault_report(fb, i, &r) == 0 && stsafe_fault_report_note(&r, note, sizeof note))
            fprintf(stderr, "%s: note: %s\n", prog, note);
    }
}

/* --fault SPEC: the client talks to the chip through a faulty bus; with a
 * chip served by stsafe-emu serve, brownout and reset are armed in the
 * server's chip instead (docs/faults.md). */
int cli_arm_faults(tool_session *s, stsafe_bus_fault *fb, stsafe_bus *bus, const char *spec)
{
    stsafe_fault items[STSAFE_FAULT_MAX];
    char remote[STSAFE_SOCK_MAX_FAULT_SPEC + 1] = "";
    size_t n = 0, used = 0;
    const char *bad = NULL;
    stsafe_emu_chip *chip = tool_session_chip(s);
    int err = stsafe_fault_parse(spec, items, STSAFE_FAULT_MAX, &n, &bad);
    if (err) {
        char why[160];
        stsafe_fault_spec_error(err, bad, why, sizeof why);
        tool_error(prog, "--fault: %s (see docs/faults.md)", why);
        return TOOL_EXIT_USAGE;
    }
    stsafe_bus_fault_init(fb, bus, &s->dev.bus, chip, log_fault, NULL);
    for (size_t i = 0; i < n; i++) {
        if (!chip && is_chip_fault(&items[i])) {
            char item[32];
            stsafe_fault_describe(&items[i], item, sizeof item);
            int w = snprintf(remote + used, sizeof remote - used, "%s%s", used ? "," : "", item);
            used += w > 0 ? (size_t)w : 0;
        } else if (stsafe_bus_fault_add(fb, &items[i]) != 0) {
            tool_error(prog, "--fault: cannot use '%s' (see docs/faults.md)", spec);
            return TOOL_EXIT_USAGE;
        }
    }
    if (used) {
        int rc = arm_server_faults(s, remote);
        if (rc)
            return rc;
    }
    s->dev.client.bus = bus;
    return TOOL_EXIT_OK;
}

/* A command failed on a served chip: what the server said, when it said
 * something (a recorded device's deviation, a device failure). */
void cli_show_server_reason(const tool_session *s)
{
    char reason[512];
    stsafe_bus_socket_last_reason(&s->sock, reason, sizeof reason);
    if (reason[0])
        tool_error(prog, "the server said: %s", reason);
}

/* --trace-append: the time of the last message of an existing trace, which
 * must be a valid one (0 for a missing or empty file: a new trace). */
static int trace_end_time(const char *path, int *exists, uint64_t *end_ns)
{
    char *text;
    size_t len;
    stsafe_trace_reader r;
    stsafe_trace_msg *m;
    int rc = 0;
    FILE *probe = fopen(path, "rb");
    *exists = probe != NULL && fgetc(probe) != EOF;
    *end_ns = 0;
    if (probe)
        (void)fclose(probe);
    if (!*exists)
        return 0;
    if (tool_read_file(prog, path, &text, &len) != 0)
        return TOOL_EXIT_FAIL;
    m = malloc(sizeof(*m));
    stsafe_trace_reader_init(&r, text, len);
    while (m && (rc = stsafe_trace_next(&r, m)) == 1)
        *end_ns = m->time_ns;
    if (!m || rc != 0)
        tool_error(prog, "--trace-append: %s:%u: %s", path, r.line, m ? r.error : "out of memory");
    free(m);
    free(text);
    return (!m || rc != 0) ? TOOL_EXIT_FAIL : 0;
}

int cli_start_trace(tool_session *s, cli_trace *t, const char *path, int append, int remote,
                    int secrets)
{
    int exists = 0;
    uint64_t end_ns = 0;
    if (append && strcmp(path, "-") != 0 && trace_end_time(path, &exists, &end_ns) != 0)
        return TOOL_EXIT_FAIL;
    t->file = strcmp(path, "-") != 0 ? stsafe_emu_file_open_private(path, exists) : stdout; /* 0600: keys, passwords */
    if (!t->file) {
        tool_error(prog, "--trace: cannot write '%s': %s", path, strerror(errno));
        return TOOL_EXIT_FAIL;
    }
    int wall = remote || s->dev.chip.timing == STSAFE_EMU_TIMING_REAL;
    stsafe_trace_clock clock = wall ? STSAFE_TRACE_CLOCK_WALL : STSAFE_TRACE_CLOCK_VIRTUAL;
    int err = exists ? stsafe_bus_trace_continue(&t->rec, &t->bus, s->dev.client.bus, t->file,
                                                 clock, end_ns, "appended by stsafe-cli")
                     : stsafe_bus_trace_init(&t->rec, &t->bus, s->dev.client.bus, t->file, clock,
                                             "recorded by stsafe-cli");
    if (err != 0) {
        tool_error(prog, "--trace: cannot write '%s'", path);
        return TOOL_EXIT_FAIL;
    }
    /* a new recording of an image's chip says which chip (and, asked, its seed) */
    if (!exists && !remote && stsafe_trace_writer_chip(&t->rec.w, &s->dev.chip.nvm, secrets) != 0) {
        tool_error(prog, "--trace: cannot describe the chip in '%s'", path);
        return TOOL_EXIT_FAIL;
    }
    stsafe_trace_writer_keep_secrets(&t->rec.w, secrets); /* else redacted (docs/trace-format.md) */
    s->dev.client.bus = &t->bus;
    return TOOL_EXIT_OK;
}

int cli_end_trace(cli_trace *t, const char *path)
{
    int err = stsafe_bus_trace_error(&t->rec);
    int closed = t->file != stdout ? fclose(t->file) == 0 : fflush(stdout) == 0;
    if (err || !closed) {
        tool_error(prog, "--trace: writing '%s' failed; the trace is incomplete", path);
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

/* ---- what every command file uses ------------------------------------------------ */

int cli_need(const cli_args *a, long value, const char *opt)
{
    if (value < 0) {
        tool_error(prog, "missing %s (see --help)", opt);
        return -1;
    }
    (void)a;
    return 0;
}

/* Reports a failed command; returns the exit code. */
int cli_report(int err, const char *what)
{
    if (STSAFE_ERR_IS_STATUS(err))
        tool_error(prog, "%s: chip status 0x%02X (%s)", what, STSAFE_ERR_TO_STATUS(err),
                   stsafe_strerror(err));
    else
        tool_error(prog, "%s: %s", what, stsafe_strerror(err));
    return TOOL_EXIT_FAIL;
}

/* Says what is wrong with a hex argument the decoder refused. */
static void explain_bad_hex(const char *text, size_t cap, int err)
{
    if (err == STSAFE_ERR_BUFFER_TOO_SMALL) {
        tool_error(prog, "'%.20s...' is too long: at most %zu bytes (%zu hex digits)", text, cap, 2 * cap);
        return;
    }
    size_t digits = 0;
    const char *start = (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) ? text + 2 : text;
    for (const char *c = start; *c; c++) {
        if (stsafe_hex_digit(*c) >= 0)
            digits++;
        else if (!strchr(" \t:", *c)) {
            tool_error(prog, "'%s' is not hex: '%c' at position %zu is not a hex digit", text, *c,
                       (size_t)(c - text) + 1);
            return;
        }
    }
    if (digits % 2)
        tool_error(prog, "'%s' has an odd number of hex digits (%zu): each byte takes two", text, digits);
    else
        tool_error(prog, "'%s' is not hex (digits in pairs, optionally 0x first and ':' or spaces between)",
                   text);
}

int cli_hex_arg(const char *text, uint8_t *out, size_t cap, size_t *len)
{
    int err = stsafe_hex_decode(text, out, cap, len);
    if (err)
        explain_bad_hex(text, cap, err);
    return err;
}
