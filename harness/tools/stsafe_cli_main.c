/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-cli: drive an STSAFE-A110 (emulated image today) command by command. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pem.h>
#include <mbedtls/x509_crt.h>

#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/hex.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/bus/fault.h"
#include "stsafe/bus/trace.h"
#include "stsafe/trace/trace.h"
#include "cli.h"
#include "tool_common.h"

static const char *prog = CLI_PROG;



/* ---- argument helpers ------------------------------------------------------ */



/* 1 when \p cmd's help names the option \p opt as a whole word: a command
 * takes the options its --help lists (before, every command took every
 * option, and one it had no use for was ignored without a word). */
static int command_takes(const cli_command *cmd, const char *opt)
{
    size_t n = strlen(opt);
    for (const char *p = strstr(cmd->help, opt); p; p = strstr(p + 1, opt)) {
        char next = p[n];
        if (!isalnum((unsigned char)next) && next != '-' && next != '.' && next != '_')
            return 1;
    }
    return 0;
}

/* An option \p cmd does not take: says so; -1. */
static int not_taken(const cli_command *cmd, const char *opt)
{
    tool_error(prog, "%s takes no %s (see stsafe-cli %s --help)", cmd->name, opt, cmd->name);
    return -1;
}

static int parse_opts(const cli_command *cmd, int argc, char **argv, cli_args *a)
{
    memset(a, 0, sizeof *a);
    a->zone = a->length = a->amount = a->slot = -1;
    a->limit = 0xFFFF;
    a->tries = 3;
    a->mode = 1;
    a->days = -1;
    for (int i = 0; i < argc; i++) {
        unsigned long v = 0;
        long *slot = NULL;
        unsigned long max = 0;
        const char **text = NULL;
        int *flag = NULL, value = 0;
        if (!strcmp(argv[i], "--curve")) text = &a->curve;
        else if (!strcmp(argv[i], "--digest")) text = &a->digest;
        else if (!strcmp(argv[i], "--peer")) text = &a->peer;
        else if (!strcmp(argv[i], "--pubkey")) text = &a->pubkey;
        else if (!strcmp(argv[i], "--signature")) text = &a->signature;
        else if (!strcmp(argv[i], "--mac")) text = &a->mac;
        else if (!strcmp(argv[i], "--cipher")) text = &a->cipher;
        else if (!strcmp(argv[i], "--password")) text = &a->password;
        else if (!strcmp(argv[i], "--device-id")) text = &a->device_id;
        else if (!strcmp(argv[i], "--ca-cert")) text = &a->ca_cert;
        else if (!strcmp(argv[i], "--ca-key")) text = &a->ca_key;
        else if (!strcmp(argv[i], "--ca")) text = &a->ca;
        else if (!strcmp(argv[i], "--out")) text = &a->out;
        else if (!strcmp(argv[i], "--send")) text = &a->send;
        else if (!strcmp(argv[i], "--topic")) text = &a->topic;
        else if (!strcmp(argv[i], "--message")) text = &a->message;
        else if (!strcmp(argv[i], "--cn")) text = &a->cn;
        else if (!strcmp(argv[i], "--cert")) text = &a->cert;
        if (text) {
            if (!command_takes(cmd, argv[i]))
                return not_taken(cmd, argv[i]);
            if (i + 1 >= argc) {
                tool_error(prog, "%s needs a value", argv[i]);
                return -1;
            }
            *text = argv[++i];
            continue;
        }
        if (!strcmp(argv[i], "--zone")) slot = &a->zone, max = 0xFF;
        else if (!strcmp(argv[i], "--slot")) slot = &a->slot, max = 0xFF;
        else if (!strcmp(argv[i], "--limit")) slot = &a->limit, max = 0xFFFF;
        else if (!strcmp(argv[i], "--offset")) slot = &a->offset, max = 0xFFFF;
        else if (!strcmp(argv[i], "--length")) slot = &a->length, max = 0xFFFF;
        else if (!strcmp(argv[i], "--amount")) slot = &a->amount, max = 0xFFFFFFFFul;
        else if (!strcmp(argv[i], "--tries")) slot = &a->tries, max = 0xFF;
        else if (!strcmp(argv[i], "--mode")) slot = &a->mode, max = 0xFF;
        else if (!strcmp(argv[i], "--days")) slot = &a->days, max = 36500;
        else if (!strcmp(argv[i], "--pem")) flag = &a->pem, value = 1;
        else if (!strcmp(argv[i], "--raw")) flag = &a->raw, value = 1;
        else if (!strcmp(argv[i], "--force")) flag = &a->force, value = 1;
        else if (!strcmp(argv[i], "--psa")) flag = &a->psa, value = 1;
        else if (!strcmp(argv[i], "--tls1.2")) flag = &a->tls_version, value = 12;
        else if (!strcmp(argv[i], "--tls1.3")) flag = &a->tls_version, value = 13;
        else if (argv[i][0] == '-' && argv[i][1]) {
            tool_error(prog, "unknown option '%s' (see --help)", argv[i]);
            return -1;
        } else {
            if (a->npositional >= 4) {
                tool_error(prog, "too many arguments (see --help)");
                return -1;
            }
            a->positional[a->npositional++] = argv[i];
            continue;
        }
        if (!command_takes(cmd, argv[i]))
            return not_taken(cmd, argv[i]);
        if (flag) {
            *flag = value;
            continue;
        }
        if (i + 1 >= argc || tool_parse_uint(argv[i + 1], max, &v) != 0) {
            tool_error(prog, "%s needs a number from 0 to %lu", argv[i], max);
            return -1;
        }
        *slot = (long)v;
        i++;
    }
    return 0;
}

/* The options before the command. */
typedef struct {
    const char *image, *bus, *chip, *wait, *mac_key, *cipher_key, *timing, *fault, *trace;
    const char *profile, *spread, *poll;
    int trace_append;
    int trace_secrets; /**< --trace-secrets: the new trace carries the chip's seed */
    int i2c_level;     /**< --i2c-level: writes, polls and reads instead of COMMAND */
} cli_globals;

/* What the options say, checked. */
typedef struct {
    unsigned long chip_index, wait_s, spread_pct, poll_ms, polls;
    int timing_mode, profile_id;
} cli_settings;

/* 1 when \p arg asks for help. */
static int is_help(const char *arg)
{
    return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

/* The options without a value: 1 when \p arg is one (and set in \p g). */
static int flag_option(const char *arg, cli_globals *g)
{
    if (!strcmp(arg, "--i2c-level"))
        g->i2c_level = 1;
    else if (!strcmp(arg, "--trace-secrets"))
        g->trace_secrets = 1;
    else
        return 0;
    return 1;
}

/* The options before the command: the index of the command (argc when
 * there is none), or -1 with the message printed. */
static int parse_globals(int argc, char **argv, cli_globals *g)
{
    static const struct {
        const char *name;
        size_t field;
    } opts[] = {
        {"--image", offsetof(cli_globals, image)},
        {"--bus", offsetof(cli_globals, bus)},
        {"--chip", offsetof(cli_globals, chip)},
        {"--wait", offsetof(cli_globals, wait)},
        {"--mac-key", offsetof(cli_globals, mac_key)},
        {"--cipher-key", offsetof(cli_globals, cipher_key)},
        {"--timing", offsetof(cli_globals, timing)},
        {"--timing-profile", offsetof(cli_globals, profile)},
        {"--timing-spread", offsetof(cli_globals, spread)},
        {"--poll", offsetof(cli_globals, poll)},
        {"--fault", offsetof(cli_globals, fault)},
        {"--trace", offsetof(cli_globals, trace)},
        {"--trace-append", offsetof(cli_globals, trace)},
    };
    memset(g, 0, sizeof *g);
    int i = 1;
    while (i < argc && argv[i][0] == '-' && !is_help(argv[i])) {
        if (flag_option(argv[i], g)) {
            i++;
            continue;
        }
        size_t k = 0;
        while (k < sizeof opts / sizeof opts[0] && strcmp(argv[i], opts[k].name) != 0)
            k++;
        if (k == sizeof opts / sizeof opts[0]) {
            tool_error(prog, "unknown option '%s' (see --help)", argv[i]);
            return -1;
        }
        if (i + 1 >= argc) {
            tool_error(prog, "%s needs a value (see --help)", argv[i]);
            return -1;
        }
        *(const char **)(void *)((char *)g + opts[k].field) = argv[i + 1];
        g->trace_append |= !strcmp(argv[i], "--trace-append");
        i += 2;
    }
    return i;
}

/* --poll MS,N: how the host polls a busy chip (STSELib's template: 10,100). */
static int parse_poll(const char *text, unsigned long *ms, unsigned long *n)
{
    char buf[32];
    const char *comma = strchr(text, ',');
    if (!comma || (size_t)(comma - text) >= sizeof buf)
        return -1;
    memcpy(buf, text, (size_t)(comma - text));
    buf[comma - text] = '\0';
    if (tool_parse_uint(buf, 10000, ms) != 0 || tool_parse_uint(comma + 1, 100000, n) != 0 || *n == 0)
        return -1;
    return 0;
}

/* The chip's side of the options: where it is, and how it keeps time. */
static int check_chip_options(const cli_globals *g, cli_settings *c)
{
    if (!g->image == !g->bus) {
        tool_error(prog, "%s", g->image ? "give --image IMAGE or --bus ADDRESS, not both"
                                        : "no chip to talk to: give --image IMAGE or --bus ADDRESS");
        return TOOL_EXIT_USAGE;
    }
    if (g->chip && (!g->bus || tool_parse_uint(g->chip, 0xFFFF, &c->chip_index) != 0)) {
        tool_error(prog, "--chip takes a chip number from 0 to 65535, with --bus");
        return TOOL_EXIT_USAGE;
    }
    if (g->chip && !strncmp(g->bus, "i2c:", 4)) { /* a session would send SELECT on no socket */
        tool_error(prog, "--chip picks a chip of a fleet served by 'stsafe-emu serve' (--bus unix: or tcp:); "
                         "on an I2C adapter the chip is the one at the address (--bus i2c:/dev/i2c-N@ADDR)");
        return TOOL_EXIT_USAGE;
    }
    if (g->wait && (!g->bus || tool_parse_uint(g->wait, 86400, &c->wait_s) != 0)) {
        tool_error(prog, "--wait takes seconds, 0 to 86400 (0: for ever), with --bus");
        return TOOL_EXIT_USAGE;
    }
    if (g->bus && (g->timing || g->profile || g->spread)) {
        tool_error(prog, "--timing, --timing-profile and --timing-spread are the server's with --bus "
                         "(stsafe-emu serve --timing)");
        return TOOL_EXIT_USAGE;
    }
    if (g->timing && (c->timing_mode = tool_parse_timing(g->timing)) < 0) {
        tool_error(prog, "--timing is none, datasheet or real");
        return TOOL_EXIT_USAGE;
    }
    c->profile_id = g->profile ? stsafe_emu_timing_profile_parse(g->profile) : STSAFE_EMU_PROFILE_MINIMUM;
    if (c->profile_id < 0 || (g->spread && tool_parse_uint(g->spread, 50, &c->spread_pct) != 0)) {
        tool_error(prog, "--timing-profile is minimum or observed; --timing-spread a per cent from 0 to 50");
        return TOOL_EXIT_USAGE;
    }
    return TOOL_EXIT_OK;
}

/* Checks the options that go together into \p c; TOOL_EXIT_OK or
 * TOOL_EXIT_USAGE (printed). */
static int check_globals(const cli_globals *g, cli_settings *c)
{
    *c = (cli_settings){.wait_s = TOOL_BUS_WAIT_DEFAULT_S, .spread_pct = STSAFE_EMU_TIMING_SPREAD_DEFAULT,
                        .poll_ms = STSAFE_CLIENT_POLL_INTERVAL_MS, .polls = STSAFE_CLIENT_MAX_POLLS,
                        .timing_mode = STSAFE_EMU_TIMING_NONE};
    int rc = check_chip_options(g, c);
    if (rc)
        return rc;
    if (g->poll && parse_poll(g->poll, &c->poll_ms, &c->polls) != 0) {
        tool_error(prog, "--poll takes MS,N: wait MS (0 to 10000) between up to N (1 to 100000) polls");
        return TOOL_EXIT_USAGE;
    }
    if (!g->mac_key != !g->cipher_key) {
        tool_error(prog, "the secure channel needs both --mac-key and --cipher-key");
        return TOOL_EXIT_USAGE;
    }
    return TOOL_EXIT_OK;
}

/* Opens the chip, wraps the session (faults, trace, secure channel), runs
 * the command, closes everything. */
static int run_command(const cli_globals *g, const cli_command *cmd, const cli_args *args,
                       const cli_settings *c)
{
    tool_session s;
    stsafe_host_session hs;
    stsafe_bus_fault fb;
    stsafe_bus fault_bus;
    cli_trace tr = {0};
    int rc = g->bus ? tool_session_open_bus_wait(&s, prog, g->bus, c->chip_index, c->wait_s)
                    : tool_session_open(&s, prog, g->image);
    if (rc)
        return rc;
    s.dev.chip.timing = (stsafe_emu_timing)c->timing_mode;
    s.dev.chip.timing_profile = (stsafe_emu_timing_profile)c->profile_id;
    s.dev.chip.timing_spread_pct = (uint8_t)c->spread_pct;
    if (g->chip)
        rc = tool_session_select(&s, prog, c->chip_index);
    /* after select, which sets the client up anew */
    s.dev.client.i2c_level = g->i2c_level;
    s.dev.client.poll_interval_ms = (uint32_t)c->poll_ms;
    s.dev.client.max_polls = (uint32_t)c->polls;
    int faults_armed = 0;
    if (!rc && g->fault)
        faults_armed = !(rc = cli_arm_faults(&s, &fb, &fault_bus, g->fault));
    if (!rc && g->trace)
        rc = cli_start_trace(&s, &tr, g->trace, g->trace_append, g->bus != NULL, g->trace_secrets);
    if (!rc && g->mac_key)
        rc = cli_open_secure_channel(&s, &hs, g->mac_key, g->cipher_key);
    if (!rc) {
        rc = cmd->fn(&s, args);
        if (rc && g->bus)
            cli_show_server_reason(&s);
    }
    if (faults_armed)
        cli_note_unfired_faults(&fb);
    stsafe_client_close_host_session(&s.dev.client);
    if (tr.file) {
        int trace_rc = cli_end_trace(&tr, g->trace);
        rc = rc ? rc : trace_rc;
    }
    int close_rc = tool_session_close(&s, prog);
    return rc ? rc : close_rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--version"))
        return tool_print_version(prog);
    cli_globals g;
    int i = parse_globals(argc, argv, &g);
    if (i < 0)
        return TOOL_EXIT_USAGE;
    if (i < argc && (is_help(argv[i]) || !strcmp(argv[i], "help"))) {
        const cli_command *c = i + 1 < argc ? cli_find_command(argv[i + 1]) : NULL;
        c ? cli_usage_command(stdout, c) : cli_usage(stdout);
        return TOOL_EXIT_OK;
    }
    if (i >= argc) {
        cli_usage_short(stderr);
        return TOOL_EXIT_USAGE;
    }
    const cli_command *cmd = cli_find_command(argv[i]);
    if (!cmd) {
        tool_error(prog, "unknown command '%s' (see --help)", argv[i]);
        return TOOL_EXIT_USAGE;
    }
    if (stsafe_mbedtls_init() != 0) { /* mbedTLS 3.6 with PSA: before any PK, X.509 or TLS call */
        tool_error(prog, "mbedTLS: the PSA crypto core did not start");
        return TOOL_EXIT_FAIL;
    }
    for (int k = i + 1; k < argc; k++) {
        if (is_help(argv[k])) {
            cli_usage_command(stdout, cmd);
            return TOOL_EXIT_OK;
        }
    }
    cli_args args;
    if (parse_opts(cmd, argc - i - 1, argv + i + 1, &args) != 0)
        return TOOL_EXIT_USAGE;
    if (cmd->fn == cli_do_ca) /* a host-side test CA: no chip involved */
        return cli_do_ca(NULL, &args);
    cli_settings settings;
    int rc = check_globals(&g, &settings);
    return rc ? rc : run_command(&g, cmd, &args, &settings);
}
