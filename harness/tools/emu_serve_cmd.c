/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu serve: its options, the stop signals, and the server run
 * (docs/socket-protocol.md); readiness and --daemon are in emu_serve.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stsafe/bus/socket.h"
#include "stsafe/emulator/storage.h"
#include "stsafe/protocol/error.h"
#include "stsafe/server/server.h"
#include "emu_cmds.h"
#include "emu_serve.h"
#include "tool_common.h"

static const char *prog = "stsafe-emu";

/* Set by SIGINT and SIGTERM while `serve` runs: the tool's one global, as a
 * signal handler can reach nothing else. */
static atomic_int serve_stop;

static void on_stop_signal(int sig)
{
    (void)sig;
    atomic_store(&serve_stop, 1);
}

/* No SA_RESTART: a signal also cuts the server's wait short. */
static int catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0 ? -1 : 0;
}

/* serve's options that are not the server's own: --from-trace, --trace, --address. */
typedef struct {
    const char *from_trace;
    const char *trace;
    int trace_secrets;          /* --trace-secrets: the trace carries the chip's seed */
    unsigned long address;
    int address_given;          /* --address: only a recorded device takes it */
    const char *pid_file;
    const char *log;
    long ready_fd;
    int daemon;
} serve_extra;

/* One of --image IMAGE, --fleet N with --image-dir DIR, --from-trace TRACE. */
static int check_serve_source(const char *fleet, const serve_extra *x, stsafe_server_config *cfg)
{
    unsigned long n = 0;
    if (fleet && (tool_parse_uint(fleet, STSAFE_SERVER_MAX_FLEET, &n) != 0 || n == 0)) {
        tool_error(prog, "serve: --fleet takes 1 to %u chips", STSAFE_SERVER_MAX_FLEET);
        return -1;
    }
    cfg->fleet = n;
    int sources = (cfg->image_path != NULL) + (fleet != NULL) + (x->from_trace != NULL);
    if (!cfg->listen || sources != 1 || (fleet != NULL) != (cfg->image_dir != NULL)) {
        tool_error(prog, "serve: needs --image IMAGE, or --fleet N and --image-dir DIR, or "
                         "--from-trace TRACE, and --listen ADDR (see --help)");
        return -1;
    }
    if (x->trace && !cfg->image_path) {
        tool_error(prog, "serve: --trace records a chip served with --image");
        return -1;
    }
    /* options of one source only: refused with another, not ignored */
    if (x->trace_secrets && !x->trace) {
        tool_error(prog, "serve: --trace-secrets goes with --trace FILE (it keeps the secrets in that trace)");
        return -1;
    }
    if (x->address_given && !x->from_trace) {
        tool_error(prog, "serve: --address goes with --from-trace (a served image answers at its own address)");
        return -1;
    }
    return 0;
}

/* --timing-profile, --timing-spread and --clock of serve (and the in-process
 * stsafe-cli, which has no clock of its own to choose). */
static int parse_serve_timing(const char *profile, const char *spread, const char *clock,
                              stsafe_server_config *cfg)
{
    unsigned long pct = 0;
    int p = profile ? stsafe_emu_timing_profile_parse(profile) : STSAFE_EMU_PROFILE_MINIMUM;
    if (p < 0) {
        tool_error(prog, "serve: --timing-profile takes minimum or observed");
        return -1;
    }
    cfg->timing_profile = (stsafe_emu_timing_profile)p;
    if (spread && tool_parse_uint(spread, STSAFE_SERVER_MAX_SPREAD, &pct) != 0) {
        tool_error(prog, "serve: --timing-spread takes a per cent from 0 to %d", STSAFE_SERVER_MAX_SPREAD);
        return -1;
    }
    cfg->timing_spread_pct = !spread ? 0 : pct == 0 ? STSAFE_SERVER_SPREAD_OFF : (int)pct;
    if (clock && strcmp(clock, "host") != 0 && strcmp(clock, "nacks") != 0) {
        tool_error(prog, "serve: --clock takes host or nacks");
        return -1;
    }
    cfg->clock = clock && !strcmp(clock, "nacks") ? STSAFE_SERVER_CLOCK_NACKS : STSAFE_SERVER_CLOCK_HOST;
    return 0;
}

static int parse_serve_args(int argc, char **argv, stsafe_server_config *cfg, serve_extra *x)
{
    const char *timing = "none", *fleet = NULL, *profile = NULL, *spread = NULL, *clock = NULL;
    memset(x, 0, sizeof(*x));
    x->ready_fd = -1;
    x->address = 0xFF; /* STSAFE_TRACE_ADDR_FIRST */
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--image") && i + 1 < argc) cfg->image_path = argv[++i];
        else if (!strcmp(argv[i], "--fleet") && i + 1 < argc) fleet = argv[++i];
        else if (!strcmp(argv[i], "--image-dir") && i + 1 < argc) cfg->image_dir = argv[++i];
        else if (!strcmp(argv[i], "--from-trace") && i + 1 < argc) x->from_trace = argv[++i];
        else if (!strcmp(argv[i], "--trace") && i + 1 < argc) x->trace = argv[++i];
        else if (!strcmp(argv[i], "--trace-secrets")) x->trace_secrets = 1;
        else if (!strcmp(argv[i], "--address") && i + 1 < argc) {
            if (tool_parse_uint(argv[++i], 0x7F, &x->address) != 0) {
                tool_error(prog, "serve: --address is a 7-bit address (0x00..0x7f)");
                return -1;
            }
            x->address_given = 1;
        }
        else if (!strcmp(argv[i], "--listen") && i + 1 < argc) cfg->listen = argv[++i];
        else if (!strcmp(argv[i], "--timing") && i + 1 < argc) timing = argv[++i];
        else if (!strcmp(argv[i], "--idle-timeout") && i + 1 < argc) {
            unsigned long sec = 0;
            if (tool_parse_uint(argv[++i], 86400, &sec) != 0) {
                tool_error(prog, "serve: --idle-timeout takes seconds, 0 to 86400 (0: never)");
                return -1;
            }
            cfg->idle_timeout_ms = sec ? (uint32_t)sec * 1000u : STSAFE_SERVER_NO_TIMEOUT;
        }
        else if (!strcmp(argv[i], "--socket-mode") && i + 1 < argc) {
            char *end = NULL;
            const char *m = argv[++i];
            unsigned long v = strtoul(m, &end, 8);
            if (!*m || *m == '-' || *end || v == 0 || v > 0777) {
                tool_error(prog, "serve: --socket-mode takes octal permission bits up to 777 (e.g. 660), not '%s'", m);
                return -1;
            }
            cfg->socket_mode = (unsigned)v;
        }
        else if (!strcmp(argv[i], "--pid-file") && i + 1 < argc) x->pid_file = argv[++i];
        else if (!strcmp(argv[i], "--log") && i + 1 < argc) x->log = argv[++i];
        else if (!strcmp(argv[i], "--daemon")) x->daemon = 1;
        else if (!strcmp(argv[i], "--ready-fd") && i + 1 < argc) {
            unsigned long fd = 0;
            if (tool_parse_uint(argv[++i], 1024, &fd) != 0 || fd < 3 || fcntl((int)fd, F_GETFD) < 0) {
                tool_error(prog, "serve: --ready-fd takes an open file descriptor from 3, not '%s'", argv[i]);
                return -1;
            }
            x->ready_fd = (long)fd;
        }
        else if (!strcmp(argv[i], "--timing-profile") && i + 1 < argc) profile = argv[++i];
        else if (!strcmp(argv[i], "--timing-spread") && i + 1 < argc) spread = argv[++i];
        else if (!strcmp(argv[i], "--clock") && i + 1 < argc) clock = argv[++i];
        else if (!strcmp(argv[i], "--verbose")) cfg->verbose = 1;
        else {
            tool_error(prog, "serve: unexpected argument '%s' (see --help)", argv[i]);
            return -1;
        }
    }
    int t = tool_parse_timing(timing);
    if (t < 0) {
        tool_error(prog, "serve: --timing takes none, datasheet or real");
        return -1;
    }
    cfg->timing = (stsafe_emu_timing)t;
    if (parse_serve_timing(profile, spread, clock, cfg) != 0)
        return -1;
    stsafe_sock_addr addr;
    if (check_serve_source(fleet, x, cfg) != 0)
        return -1;
    if (stsafe_sock_addr_parse(cfg->listen, &addr) == STSAFE_ERR_BAD_INPUT) {
        tool_error(prog, "serve: --listen takes unix:PATH or tcp:HOST:PORT, not '%s'", cfg->listen);
        return -1;
    }
    return 0;
}

/* Serves the chip of --image, a fleet, a recording server (--trace) or a
 * recorded device (--from-trace); the readiness options (\p ready) work for
 * each (before, --trace and --from-trace ignored them). */
static int serve_source(const stsafe_server_config *cfg, const serve_extra *x, emu_ready *ready)
{
    stsafe_server srv;
    if (x->from_trace)
        return emu_serve_from_trace(prog, cfg, x->from_trace, x->address, ready);
    if (x->trace)
        return emu_serve_recording(prog, cfg, x->trace, x->trace_secrets, ready);
    if (stsafe_server_init(&srv, cfg) != 0)
        return TOOL_EXIT_FAIL;
    int rc = emu_serve_ready(prog, &srv, ready) != 0 || stsafe_server_run(&srv) != 0 ? TOOL_EXIT_FAIL
                                                                                       : TOOL_EXIT_OK;
    stsafe_server_free(&srv);
    return rc;
}

/* The server logs why it could not start or had to stop; exit 1 then. */
int emu_cmd_serve(int argc, char **argv)
{
    stsafe_server_config cfg;
    serve_extra extra;
    memset(&cfg, 0, sizeof cfg);
    if (parse_serve_args(argc, argv, &cfg, &extra) != 0)
        return TOOL_EXIT_USAGE;
    if (catch_stop_signals() != 0) {
        tool_error(prog, "serve: cannot catch SIGINT and SIGTERM: %s", strerror(errno));
        return TOOL_EXIT_FAIL;
    }
    cfg.stop = &serve_stop;
    size_t n = strlen(cfg.listen);
    emu_ready ready = {extra.pid_file, 0, (int)extra.ready_fd, n > 2 && !strcmp(cfg.listen + n - 2, ":0"),
                       -1, extra.log != NULL};
    FILE *log = extra.log ? stsafe_emu_file_open_private(extra.log, 1) : NULL; /* 0600: --verbose shows bytes */
    if (extra.log && !log) {
        tool_error(prog, "serve: cannot open --log '%s': %s", extra.log, strerror(errno));
        return TOOL_EXIT_FAIL;
    }
    cfg.log = log;
    int rc = TOOL_EXIT_FAIL;
    if (!extra.daemon || emu_serve_daemonize(prog, &ready) == 0)
        rc = serve_source(&cfg, &extra, &ready);
    emu_serve_done(&ready);
    if (log)
        (void)fclose(log);
    return rc;
}
