/* SPDX-License-Identifier: BSD-3-Clause */
/* The trace replay figure of stsafe-emu bench: how fast a recorded session
 * is read and replayed against a fresh chip (docs/benchmarks.md). */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stsafe/bus/trace.h"
#include "stsafe/client/client.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/trace/replay.h"

#define SESSION_ROUNDS 100u   /* Echo 64 B, Read 256 B, Update 64 B each */

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The session every replay replays: commands with no crypto, so the
 * figure is the trace machinery and the frame path, not ECDSA. */
static int record_session(stsafe_inproc_device *dev, char **text, size_t *len)
{
    FILE *out = open_memstream(text, len);
    stsafe_bus_trace rec;
    stsafe_bus bus;
    uint8_t msg[64] = {1, 2, 3}, back[256];
    int err = out ? stsafe_bus_trace_init(&rec, &bus, &dev->bus, out, STSAFE_TRACE_CLOCK_VIRTUAL,
                                          "bench session")
                  : -1;
    dev->client.bus = &bus;
    for (unsigned i = 0; !err && i < SESSION_ROUNDS; i++) {
        msg[0] = (uint8_t)i;
        err = stsafe_client_echo(&dev->client, msg, sizeof msg, back) ||
              stsafe_client_read(&dev->client, 0, 4, (uint16_t)(i * 8u), 256, back) ||
              stsafe_client_update(&dev->client, 0, 2, (uint16_t)(i % 8u * 64u), msg, sizeof msg);
    }
    dev->client.bus = &dev->bus;
    if (out && fclose(out) != 0)
        err = -1;
    return err ? -1 : stsafe_bus_trace_error(&rec);
}

int stse_bench_replay(double seconds, stse_bench_replay_figures *fig)
{
    static stsafe_inproc_device dev;
    static stsafe_emu_nvm start;
    static const uint8_t seed[] = "stsafe-emu bench replay";
    char *text = NULL;
    size_t len = 0;
    static stsafe_replay_report rep;
    memset(fig, 0, sizeof(*fig));
    memset(&rep, 0, sizeof(rep));
    if (stsafe_inproc_device_default(&dev, seed, sizeof seed, NULL) != 0)
        return -1;
    start = dev.chip.nvm;
    int err = record_session(&dev, &text, &len);
    double t0 = seconds_now(), t = t0;
    unsigned long runs = 0;
    uint64_t i2c_bytes = 0;
    while (!err && t - t0 < seconds) {
        stsafe_trace_script script;
        stsafe_trace_script_init(&script);
        dev.chip.nvm = start; /* a fresh chip from the recording's image */
        stsafe_emu_chip_power_cycle(&dev.chip);
        err = stsafe_trace_script_load(&script, text, len, 0x20) ||
              stsafe_trace_replay(&script, &dev.chip, &rep);
        stsafe_trace_script_free(&script);
        i2c_bytes += rep.i2c_bytes;
        runs++;
        t = seconds_now();
    }
    if (!err) {
        fig->trace_bytes = len;
        fig->text_mb_s = (double)len * (double)runs / (t - t0) / 1e6;
        fig->i2c_mb_s = (double)i2c_bytes / (t - t0) / 1e6;
        fig->commands_s = (double)rep.commands * (double)runs / (t - t0);
    }
    free(text);
    stsafe_inproc_device_free(&dev);
    return err ? -1 : 0;
}
