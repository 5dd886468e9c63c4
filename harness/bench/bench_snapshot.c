/* SPDX-License-Identifier: BSD-3-Clause */
/* The restore figures of stsafe-emu bench (issue 15 item 3): how many
 * times a second a chip is put back to a snapshot, in process
 * (stsafe_emu_snapshot_restore()) and over a unix socket (RESTORE in
 * chunks, each restore saved to disk crash-safely before it is answered,
 * as the server does for every change). docs/benchmarks.md. */
#include "bench.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include "stsafe/bus/socket.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/emulator/image.h"
#include "stsafe/emulator/snapshot.h"
#include "stsafe/server/server.h"

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Restores of \p snap per second, by \p restore, for \p seconds. */
static double restore_rate(int (*restore)(void *ctx, const uint8_t *snap, size_t len), void *ctx,
                           const uint8_t *snap, size_t len, double seconds)
{
    double t0 = seconds_now(), t = t0;
    unsigned long n = 0;
    while (t - t0 < seconds) {
        for (int i = 0; i < 8; i++, n++)
            if (restore(ctx, snap, len) != 0)
                return -1.0;
        t = seconds_now();
    }
    return (double)n / (t - t0);
}

static int restore_inproc(void *ctx, const uint8_t *snap, size_t len)
{
    return stsafe_emu_snapshot_restore(ctx, snap, len);
}

static int restore_socket(void *ctx, const uint8_t *snap, size_t len)
{
    return stsafe_bus_socket_restore(ctx, snap, len);
}

typedef struct {
    char dir[32], image[64], listen[80];
    FILE *log;
    atomic_int stop;
    stsafe_server srv;
    pthread_t thread;
    int serving;
} snap_server;

static void *serve(void *arg)
{
    snap_server *b = arg;
    (void)stsafe_server_run(&b->srv);
    return NULL;
}

/* A server of \p nvm's image on a unix socket in a temporary folder, the
 * client \p sock on it; then the restores measured through it. */
static double socket_rate(const stsafe_emu_nvm *nvm, const uint8_t *snap, size_t len, double seconds)
{
    static snap_server b;
    stsafe_bus_socket sock;
    stsafe_bus bus;
    double rate = -1.0;
    memset(&b, 0, sizeof b);
    stsafe_bus_socket_init(&sock);
    strcpy(b.dir, "/tmp/stsafe-snap-XXXXXX");
    if (!mkdtemp(b.dir))
        return -1.0;
    snprintf(b.image, sizeof b.image, "%s/chip.img", b.dir);
    snprintf(b.listen, sizeof b.listen, "unix:%s/chip.sock", b.dir);
    stsafe_server_config cfg = {.image_path = b.image, .listen = b.listen, .stop = &b.stop};
    b.log = cfg.log = fopen("/dev/null", "w");
    if (b.log && stsafe_emu_image_save(b.image, nvm) == 0 && stsafe_server_init(&b.srv, &cfg) == 0) {
        b.serving = pthread_create(&b.thread, NULL, serve, &b) == 0;
        if (!b.serving)
            stsafe_server_free(&b.srv);
    }
    if (b.serving && stsafe_bus_socket_connect(&sock, &bus, b.listen) == 0)
        rate = restore_rate(restore_socket, &sock, snap, len, seconds);
    stsafe_bus_socket_free(&sock);
    if (b.serving) {
        atomic_store(&b.stop, 1);
        pthread_join(b.thread, NULL);
        stsafe_server_free(&b.srv);
    }
    if (b.log)
        (void)fclose(b.log);
    unlink(b.image);
    rmdir(b.dir);
    return rate;
}

int stse_bench_snapshot(stse_bench_report *r, double seconds)
{
    static stsafe_inproc_device dev;
    static uint8_t snap[STSAFE_EMU_SNAPSHOT_MAX_SIZE];
    static const uint8_t seed[] = "stsafe-emu bench snapshot";
    size_t len = 0;
    if (stsafe_inproc_device_default(&dev, seed, sizeof seed, NULL) != 0)
        return -1;
    int err = stsafe_emu_snapshot_save(&dev.chip, snap, sizeof snap, &len);
    double inproc = err ? -1.0 : restore_rate(restore_inproc, &dev.chip, snap, len, seconds);
    double sock = err ? -1.0 : socket_rate(&dev.chip.nvm, snap, len, seconds);
    stsafe_inproc_device_free(&dev);
    size_t chunks = (len + STSAFE_SOCK_SNAPSHOT_CHUNK - 1) / STSAFE_SOCK_SNAPSHOT_CHUNK;
    stse_bench_figure *f = stse_bench_add(r, "restore_inproc", "Snapshot restores", inproc, "ops/s");
    if (f) {
        snprintf(f->note, sizeof f->note, "(in process; a snapshot of %zu bytes, checked whole)", len);
        f->extra_key = "snapshot_bytes";
        f->extra = (double)len;
    }
    stse_bench_show(r, f);
    f = stse_bench_add(r, "restore_unix_socket", "Snapshot restores, unix socket", sock, "ops/s");
    if (f) {
        snprintf(f->note, sizeof f->note, "(RESTORE in %zu chunks, each restore saved to disk, "
                 "fsync, before its answer)", chunks);
        f->extra_key = "chunks";
        f->extra = (double)chunks;
    }
    stse_bench_show(r, f);
    return err || inproc < 0 || sock < 0 ? -1 : 0;
}
