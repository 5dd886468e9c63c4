/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu replay (a recorded trace against a fresh emulator) and serve
 * --from-trace (a recorded device for a host under test):
 * docs/trace-format.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "stsafe/emulator/image.h"
#include "stsafe/protocol/error.h"
#include "stsafe/server/chip_device.h"
#include "stsafe/server/device_trace.h"
#include "stsafe/emulator/rng.h"
#include "stsafe/server/recorded_device.h"
#include "stsafe/trace/chip_info.h"
#include "stsafe/trace/device.h"
#include "stsafe/trace/pcapng.h"
#include "stsafe/trace/replay.h"
#include "emu_cmds.h"
#include "tool_common.h"

typedef struct {
    const char *trace, *image;
    unsigned long address;      /* STSAFE_TRACE_ADDR_FIRST: the chip's own */
    int quiet;
} replay_args;

static int parse_args(const char *prog, int argc, char **argv, replay_args *a)
{
    a->address = STSAFE_TRACE_ADDR_FIRST;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--image") && i + 1 < argc) {
            a->image = argv[++i];
        } else if (!strcmp(argv[i], "--address") && i + 1 < argc) {
            if (tool_parse_uint(argv[++i], 0x7F, &a->address) != 0) {
                tool_error(prog, "replay: --address is a 7-bit address (0x00..0x7f)");
                return TOOL_EXIT_USAGE;
            }
        } else if (!strcmp(argv[i], "--quiet")) {
            a->quiet = 1;
        } else if (argv[i][0] != '-' && !a->trace) {
            a->trace = argv[i];
        } else {
            tool_error(prog, "replay: unexpected argument '%s' (see --help)", argv[i]);
            return TOOL_EXIT_USAGE;
        }
    }
    if (!a->trace || !a->image) {
        tool_error(prog, "replay: give TRACE and --image IMAGE (see --help)");
        return TOOL_EXIT_USAGE;
    }
    return TOOL_EXIT_OK;
}

static void print_report(const replay_args *a, const stsafe_trace_script *s,
                         const stsafe_replay_report *rep)
{
    printf("%s: %llu commands, %llu reads: %llu identical, %llu verified (signatures, keys), "
           "%llu random answers by status and length\n",
           a->trace, (unsigned long long)rep->commands, (unsigned long long)rep->reads,
           (unsigned long long)rep->identical, (unsigned long long)rep->verified,
           (unsigned long long)rep->by_structure);
    printf("skipped: %llu NACKed messages (busy), %llu to other addresses, %llu reads before "
           "the first command\n",
           (unsigned long long)s->nacks, (unsigned long long)s->other_addr,
           (unsigned long long)s->early_reads);
    if (s->redacted)
        printf("redacted: %llu exchanges carry redacted secrets: %llu commands sent with a "
               "substitute, %llu not sent, %llu answers compared outside their redacted bytes\n",
               (unsigned long long)s->redacted, (unsigned long long)rep->redacted_substituted,
               (unsigned long long)rep->redacted_skipped, (unsigned long long)rep->redacted_reads);
    if (rep->exact)
        printf("exact: every answer compared byte for byte (the trace carries this image's seed)\n");
}

/* Whether the trace can be replayed byte for byte: it carries the seed of
 * the chip it was recorded from, and IMAGE is that chip (same SHA-256, same
 * seed). Otherwise says why on stderr: random answers by structure. */
static int exact_mode(const char *prog, const replay_args *a, const char *text, size_t len,
                      const stsafe_emu_nvm *nvm)
{
    stsafe_trace_chip_info info;
    uint8_t digest[32];
    stsafe_trace_chip_info_read(text, len, &info);
    const char *why = NULL;
    if (!info.has_seed)
        why = "carries no chip seed (recorded without --trace-secrets, or not by stsafe-emu)";
    else if (!info.has_image || stsafe_trace_chip_digest(nvm, digest) != 0 ||
             memcmp(digest, info.image_sha256, sizeof digest) != 0)
        why = "was not recorded from this image (its chip-image-sha256 differs)";
    else if (!nvm->entropy.seeded || memcmp(nvm->entropy.seed, info.seed, STSAFE_EMU_SEED_LEN) != 0)
        why = "carries another seed than the image's";
    memset(&info, 0, sizeof info);
    if (why && !a->quiet)
        fprintf(stderr, "%s: replay: note: %s %s: answers that rest on the chip's random bytes are "
                        "compared by structure, not byte for byte\n", prog, a->trace, why);
    return why == NULL;
}

static int run(const char *prog, const replay_args *a, const char *text, size_t len)
{
    stsafe_inproc_device dev;
    stsafe_trace_script script;
    stsafe_replay_report *rep = calloc(1, sizeof(*rep));
    int rc = TOOL_EXIT_FAIL;
    stsafe_trace_script_init(&script);
    if (!rep || stsafe_inproc_device_init(&dev, NULL, 0) != 0) {
        tool_error(prog, "replay: cannot set up the emulator");
        free(rep);
        return TOOL_EXIT_FAIL;
    }
    stsafe_emu_image_lock lock;
    int err = tool_image_lock(prog, &lock, a->image, 0, "stsafe-emu replay") != 0 ? STSAFE_ERR_IMAGE_LOCKED : 0;
    if (!err) {
        err = stsafe_emu_image_load(a->image, &dev.chip.nvm);
        stsafe_emu_image_lock_release(&lock);
        if (err)
            tool_error(prog, "replay: %s: %s", a->image, stsafe_strerror(err));
    }
    if (!err) { /* a failure was said above */
        uint8_t addr = a->address == STSAFE_TRACE_ADDR_FIRST ? stsafe_emu_chip_i2c_address(&dev.chip)
                                                             : (uint8_t)a->address;
        err = stsafe_trace_script_load(&script, text, len, addr);
        if (err == STSAFE_ERR_TRACE_SYNTAX)
            tool_error(prog, "replay: %s:%u: %s", a->trace, script.error_line, script.error);
        else if (err)
            tool_error(prog, "replay: %s: %s", a->trace, stsafe_strerror(err));
        else if ((err = stsafe_trace_replay_exact(&script, &dev.chip,
                                                  exact_mode(prog, a, text, len, &dev.chip.nvm), rep)) ==
                 STSAFE_ERR_TRACE_MISMATCH)
            tool_error(prog, "replay: %s: differs from the emulator at %s", a->trace, rep->message);
        else if (err)
            tool_error(prog, "replay: %s", stsafe_strerror(err));
        else
            rc = TOOL_EXIT_OK;
        if (!err && !a->quiet)
            print_report(a, &script, rep);
    }
    stsafe_trace_script_free(&script);
    stsafe_inproc_device_free(&dev);
    free(rep);
    return rc;
}

int emu_cmd_replay(const char *prog, int argc, char **argv)
{
    replay_args a = {0};
    char *text;
    size_t len;
    int rc = parse_args(prog, argc, argv, &a);
    if (rc)
        return rc;
    if (tool_read_file(prog, a.trace, &text, &len) != 0)
        return TOOL_EXIT_FAIL;
    rc = run(prog, &a, text, len);
    free(text);
    return rc;
}

/* Reads and checks TRACE; 0 or a tool exit code (having said why). */
static int load_script(const char *prog, const char *cmd, const char *path, uint8_t addr,
                       stsafe_trace_script *script)
{
    char *text;
    size_t len;
    stsafe_trace_script_init(script);
    if (tool_read_file(prog, path, &text, &len) != 0)
        return TOOL_EXIT_FAIL;
    int err = stsafe_trace_script_load(script, text, len, addr);
    free(text);
    if (err == STSAFE_ERR_TRACE_SYNTAX)
        tool_error(prog, "%s: %s:%u: %s", cmd, path, script->error_line, script->error);
    else if (err)
        tool_error(prog, "%s: %s: %s", cmd, path, stsafe_strerror(err));
    if (err)
        stsafe_trace_script_free(script);
    return err ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

int emu_serve_from_trace(const char *prog, const stsafe_server_config *cfg, const char *trace,
                         unsigned long address, emu_ready *ready)
{
    stsafe_trace_script script;
    stsafe_trace_device dev;
    stsafe_server srv;
    if (load_script(prog, "serve", trace, (uint8_t)address, &script) != 0)
        return TOOL_EXIT_FAIL;
    stsafe_trace_device_init(&dev, &script);
    dev.label = trace;
    dev.stop_when_done = cfg->stop;
    stsafe_server_device handle = stsafe_trace_device_handle(&dev);
    stsafe_server_config with_device = *cfg;
    with_device.devices = &handle;
    with_device.device_count = 1;
    int rc = TOOL_EXIT_FAIL;
    if (stsafe_server_init(&srv, &with_device) == 0) {
        int err = emu_serve_ready(prog, &srv, ready) != 0 ? -1 : stsafe_server_run(&srv);
        stsafe_server_free(&srv);
        if (stsafe_trace_device_finished(&dev) && !err) {
            fprintf(stderr, "%s: serve: %s: the host did the whole script (%zu commands)\n", prog,
                    trace, script.n_ex);
            rc = TOOL_EXIT_OK;
        } else if (!dev.failed && err >= 0) {
            tool_error(prog, "serve: %s: stopped after command %zu of %zu; the host did not finish "
                       "the script", trace, dev.next, script.n_ex);
        } /* a deviation: the server has logged it */
    }
    stsafe_trace_script_free(&script);
    return rc;
}

/* Runs the server on one device; 0 or TOOL_EXIT_FAIL (the server logged why). */
static int serve_device(const char *prog, const stsafe_server_config *cfg, stsafe_server_device handle,
                        emu_ready *ready)
{
    stsafe_server srv;
    stsafe_server_config with_device = *cfg;
    with_device.image_path = NULL;
    with_device.devices = &handle;
    with_device.device_count = 1;
    if (stsafe_server_init(&srv, &with_device) != 0)
        return TOOL_EXIT_FAIL;
    int err = emu_serve_ready(prog, &srv, ready) != 0 || stsafe_server_run(&srv) != 0;
    stsafe_server_free(&srv);
    return err ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

int emu_serve_recording(const char *prog, const stsafe_server_config *cfg, const char *trace,
                        int secrets, emu_ready *ready)
{
    static stsafe_rng rng;
    static stsafe_chip_device chip;
    static stsafe_device_trace rec;
    FILE *out = stsafe_emu_file_open_private(trace, 0); /* 0600: a trace may hold keys */
    if (!out) {
        tool_error(prog, "serve: --trace: cannot write '%s': %s", trace, strerror(errno));
        return TOOL_EXIT_FAIL;
    }
    int err = cfg->seed ? stsafe_rng_init_deterministic(&rng, cfg->seed, cfg->seed_len)
                        : stsafe_rng_init(&rng, "stsafe-emu serve");
    if (!err && (err = stsafe_chip_device_load(&chip, cfg->image_path, cfg->timing, stsafe_rng_fn,
                                               &rng)) != 0)
        tool_error(prog, "serve: %s: %s", cfg->image_path, stsafe_strerror(err));
    else if (!err)
        stsafe_server_chip_timing(cfg, &chip.chip);
    int rc = TOOL_EXIT_FAIL;
    if (!err && stsafe_device_trace_init(&rec, stsafe_chip_device_handle(&chip), out,
                                         "recorded by stsafe-emu serve") == 0 &&
        stsafe_trace_writer_chip(&rec.w, &chip.chip.nvm, secrets) == 0) {
        stsafe_trace_writer_keep_secrets(&rec.w, secrets); /* else redacted */
        rc = serve_device(prog, cfg, stsafe_device_trace_handle(&rec), ready);
        stsafe_chip_device_free(&chip);
    } else if (!err) {
        tool_error(prog, "serve: --trace: cannot write '%s'", trace);
        stsafe_chip_device_free(&chip);
    }
    stsafe_rng_free(&rng);
    if (fclose(out) != 0 || (!err && stsafe_trace_writer_error(&rec.w) != 0)) {
        tool_error(prog, "serve: --trace: writing '%s' failed; the trace is incomplete", trace);
        rc = TOOL_EXIT_FAIL;
    }
    return rc;
}

/* stsafe-emu trace export --pcapng OUT TRACE: the trace for Wireshark. */
int emu_cmd_trace(const char *prog, int argc, char **argv)
{
    const char *out_path = NULL, *trace = NULL;
    int export = 0;
    for (int i = 0; i < argc; i++) {
        if (i == 0 && !strcmp(argv[i], "export"))
            export = 1;
        else if (!strcmp(argv[i], "--pcapng") && i + 1 < argc)
            out_path = argv[++i];
        else if (argv[i][0] != '-' && !trace && export)
            trace = argv[i];
        else {
            tool_error(prog, "trace: unexpected argument '%s' (see --help)", argv[i]);
            return TOOL_EXIT_USAGE;
        }
    }
    if (!export || !out_path || !trace) {
        tool_error(prog, "trace: usage: trace export --pcapng OUT TRACE");
        return TOOL_EXIT_USAGE;
    }
    char *text;
    size_t len;
    if (tool_read_file(prog, trace, &text, &len) != 0)
        return TOOL_EXIT_FAIL;
    /* what the host wrote (host keys, passwords) is in it: private, as the trace */
    int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!out) {
        tool_error(prog, "trace: cannot write '%s': %s", out_path, strerror(errno));
        if (fd >= 0)
            close(fd);
        free(text);
        return TOOL_EXIT_FAIL;
    }
    uint64_t n = 0;
    unsigned line = 0;
    int err = stsafe_trace_pcapng_write(out, text, len, &n, &line);
    free(text);
    if (fclose(out) != 0 && !err)
        err = STSAFE_ERR_IO;
    if (err == STSAFE_ERR_TRACE_SYNTAX)
        tool_error(prog, "trace: %s:%u: not a valid trace line; '%s' is incomplete", trace, line, out_path);
    else if (err)
        tool_error(prog, "trace: writing '%s' failed: %s", out_path, stsafe_strerror(err));
    else
        fprintf(stderr, "%s: trace: %s: %llu messages written to %s (pcapng, LINKTYPE_I2C_LINUX)\n", prog,
                trace, (unsigned long long)n, out_path);
    return err ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}
