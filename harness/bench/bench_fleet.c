/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu bench: the memory a chip of a fleet takes, measured as the
 * growth of this process's resident set while a fleet server loads. */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#include <time.h>

#include <unistd.h>

#include <sys/stat.h>

#include "stsafe/emulator/image.h"
#include "stsafe/bus/inproc.h"
#include "stsafe/server/chip_device.h"
#include "stsafe/client/client.h"
#include "stsafe/server/server.h"

/* Two fleet servers on images in one temporary folder: one of 1 chip, one
 * of STSE_BENCH_FLEET_CHIPS. */
typedef struct {
    char dir[32];
    char dir_one[48];           /* the 1-chip server's folder: chip 0 linked in (each image
                                 * has one server: image_lock.h) */
    char listen_one[64], listen_all[64];
    FILE *log;
    stsafe_server one, all;
    int one_up, all_up;
} fleet_rig;

static const uint8_t fleet_seed[] = "stsafe-emu bench fleet";

/* Resident set size of this process (/proc/self/statm); 0 when unknown. */
static size_t resident_bytes(void)
{
    unsigned long total = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    int n = fscanf(f, "%lu %lu", &total, &resident);
    (void)fclose(f); /* read only */
    long page = sysconf(_SC_PAGESIZE);
    return n == 2 && page > 0 ? (size_t)resident * (size_t)page : 0;
}

/* chip-0000.img ..: copies of one image (the memory does not depend on
 * the serial), written without fsync: they are thrown away. */
static int write_images(const fleet_rig *g, const stsafe_emu_nvm *nvm)
{
    uint8_t *img = malloc(STSAFE_EMU_IMAGE_MAX_SIZE);
    size_t len = 0;
    int err = !img || stsafe_emu_image_serialize(nvm, img, STSAFE_EMU_IMAGE_MAX_SIZE, &len) != 0;
    for (size_t i = 0; !err && i < STSE_BENCH_FLEET_CHIPS; i++) {
        char path[96];
        FILE *f = NULL;
        err = stsafe_fleet_image_path(g->dir, i, path, sizeof path) != 0 || !(f = fopen(path, "wb"));
        if (f) {
            err = fwrite(img, 1, len, f) != len;
            err |= fclose(f) != 0;
        }
    }
    free(img);
    return err ? -1 : 0;
}

static int start(fleet_rig *g, stsafe_server *s, const char *listen, size_t chips)
{
    stsafe_server_config cfg = {.image_dir = chips == 1 ? g->dir_one : g->dir, .fleet = chips, .listen = listen, .log = g->log,
                                .seed = fleet_seed, .seed_len = sizeof fleet_seed};
    return stsafe_server_init(s, &cfg);
}

static void rig_free(fleet_rig *g)
{
    char path[96];
    if (g->all_up)
        stsafe_server_free(&g->all);
    if (g->one_up)
        stsafe_server_free(&g->one);
    if (g->dir[0] && stsafe_fleet_image_path(g->dir_one, 0, path, sizeof path) == 0) {
        unlink(path);
        rmdir(g->dir_one);
    }
    for (size_t i = 0; g->dir[0] && i < STSE_BENCH_FLEET_CHIPS; i++)
        if (stsafe_fleet_image_path(g->dir, i, path, sizeof path) == 0)
            unlink(path);
    if (g->dir[0])
        rmdir(g->dir);
    if (g->log)
        (void)fclose(g->log); /* /dev/null */
}

/* One P-256 signature by slot 0 of each of the first STSE_BENCH_ACTIVE_CHIPS
 * chips: each one loads its curve group and the table of multiples of G
 * mbedTLS keeps in it. */
static int sign_once(stsafe_server *s)
{
    static const uint8_t digest[32] = {0x5A};
    int err = 0;
    for (size_t i = 0; !err && i < STSE_BENCH_ACTIVE_CHIPS; i++) {
        stsafe_bus_inproc inproc;
        stsafe_bus bus;
        stsafe_client client;
        stsafe_ecc_signature sig;
        stsafe_emu_chip *chip = &s->chips[i].chip;
        stsafe_bus_inproc_init(&inproc, &bus, chip);
        stsafe_client_init(&client, &bus, stsafe_emu_chip_i2c_address(chip));
        err = stsafe_client_sign(&client, 0, digest, sizeof digest, &sig);
        stsafe_client_free(&client);
    }
    return err;
}

static void add_figures(stse_bench_report *r, double idle, double signed_more)
{
    stse_bench_figure *f = stse_bench_add(r, "fleet_memory_per_idle_chip",
                                          "Memory per idle chip (fleet 1000)", idle, "bytes");
    if (f && idle < 0)
        snprintf(f->note, sizeof f->note, "(not measured: the resident set shrank in each of %d attempts)",
                 STSE_BENCH_MEMORY_ATTEMPTS);
    else if (f)
        snprintf(f->note, sizeof f->note, "(resident set growth of a %u-chip server less a 1-chip one)",
                 STSE_BENCH_FLEET_CHIPS);
    if (f) {
        f->extra_key = "chips";
        f->extra = STSE_BENCH_FLEET_CHIPS;
    }
    stse_bench_show(r, f);
    f = stse_bench_add(r, "fleet_memory_per_signing_chip", "Memory per chip after 1 signature",
                       signed_more < 0 ? -1.0 : idle + signed_more, "bytes");
    if (f && signed_more < 0)
        snprintf(f->note, sizeof f->note, "(not measured, as above)");
    else if (f)
        snprintf(f->note, sizeof f->note, "(idle + %.0f: the P-256 group it keeps loaded; on %u chips)",
                 signed_more, STSE_BENCH_ACTIVE_CHIPS);
    if (f) {
        f->extra_key = "chips";
        f->extra = STSE_BENCH_ACTIVE_CHIPS;
    }
    stse_bench_show(r, f);
    f = stse_bench_add(r, "chip_struct_size", "stsafe_emu_chip struct", (double)sizeof(stsafe_emu_chip),
                       "bytes");
    if (f)
        snprintf(f->note, sizeof f->note, "(sizeof; NVM %zu, curve group cache %zu)", sizeof(stsafe_emu_nvm),
                 sizeof(stsafe_emu_group_cache));
    stse_bench_show(r, f);
}

/* Resident set readings around the two servers and the signatures. */
typedef struct {
    size_t before_one, after_one, after_all, after_sign;
} rss_marks;

/* The readings can be used when the resident set only grew: the allocator
 * (ASan's quarantine among others) and the kernel may give pages back in
 * the middle of a measurement, and then the difference is not ours. */
static int marks_usable(const rss_marks *m)
{
    return m->before_one && m->after_one >= m->before_one && m->after_all >= m->after_one &&
           m->after_all - m->after_one >= m->after_one - m->before_one && m->after_sign >= m->after_all;
}

/* One measurement: a 1-chip server, then a STSE_BENCH_FLEET_CHIPS one, then
 * one signature on each of the first chips. -1 when a server or a
 * signature failed (an error, not noise). */
static int measure_once(fleet_rig *g, rss_marks *m)
{
    /* A first server, freed again, pages in the code and the allocator's arenas. */
    if (start(g, &g->one, g->listen_one, 1) != 0)
        return -1;
    stsafe_server_free(&g->one);
    m->before_one = resident_bytes();
    if (!(g->one_up = start(g, &g->one, g->listen_one, 1) == 0))
        return -1;
    m->after_one = resident_bytes();
    if (!(g->all_up = start(g, &g->all, g->listen_all, STSE_BENCH_FLEET_CHIPS) == 0))
        return -1;
    m->after_all = resident_bytes();
    if (sign_once(&g->all) != 0)
        return -1;
    m->after_sign = resident_bytes();
    return 0;
}

static void stop_servers(fleet_rig *g)
{
    if (g->all_up)
        stsafe_server_free(&g->all);
    if (g->one_up)
        stsafe_server_free(&g->one);
    g->all_up = g->one_up = 0;
}

static int make_rig(fleet_rig *g, const stsafe_emu_nvm *nvm)
{
    memset(g, 0, sizeof *g);
    strcpy(g->dir, "/tmp/stsafe-fleet-XXXXXX");
    if (!mkdtemp(g->dir)) {
        g->dir[0] = '\0';
        return -1;
    }
    snprintf(g->listen_one, sizeof g->listen_one, "unix:%s/one.sock", g->dir);
    snprintf(g->listen_all, sizeof g->listen_all, "unix:%s/all.sock", g->dir);
    snprintf(g->dir_one, sizeof g->dir_one, "%s/one", g->dir);
    char first[96], linked[96];
    int ok = (g->log = fopen("/dev/null", "w")) != NULL && write_images(g, nvm) == 0;
    ok = ok && mkdir(g->dir_one, 0700) == 0 && stsafe_fleet_image_path(g->dir, 0, first, sizeof first) == 0 &&
         stsafe_fleet_image_path(g->dir_one, 0, linked, sizeof linked) == 0 && link(first, linked) == 0;
    return ok ? 0 : -1;
}

int stse_bench_fleet_memory(stse_bench_report *r, const stsafe_emu_nvm *nvm)
{
    fleet_rig g;
    rss_marks m = {0};
    int err = make_rig(&g, nvm), usable = 0;
    for (int attempt = 0; !err && !usable && attempt < STSE_BENCH_MEMORY_ATTEMPTS; attempt++) {
        err = measure_once(&g, &m);
        usable = !err && marks_usable(&m);
        stop_servers(&g);
    }
    double idle = -1.0, more = -1.0;
    if (usable) {
        idle = (double)((m.after_all - m.after_one) - (m.after_one - m.before_one)) / (STSE_BENCH_FLEET_CHIPS - 1);
        more = (double)(m.after_sign - m.after_all) / STSE_BENCH_ACTIVE_CHIPS;
    }
    add_figures(r, idle, more);
    rig_free(&g);
    return err ? -1 : 0;
}

/* Removes the images (and CA files) of an \p n-chip fleet in \p dir, and dir. */
static void remove_fleet(const char *dir, size_t n)
{
    char path[128], pem[140];
    for (size_t i = 0; i < n; i++) {
        if (stsafe_fleet_image_path(dir, i, path, sizeof path) != 0)
            continue;
        snprintf(pem, sizeof pem, "%s.ca.pem", path);
        unlink(path);
        unlink(pem);
    }
    rmdir(dir);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void time_figure(stse_bench_report *r, const char *id, const char *name, double s,
                        double target, size_t chips)
{
    stse_bench_figure *f = stse_bench_add(r, id, name, s, "s");
    if (!f)
        return;
    f->target = s >= 0 && s < target ? 1 : -1;
    f->extra_key = "chips";
    f->extra = (double)chips;
    snprintf(f->note, sizeof f->note, "(%zu chips; target < %.0f s: %s)", chips, target,
             f->target > 0 ? "met" : "not met");
    stse_bench_show(r, f);
}

int stse_bench_fleet_times(stse_bench_report *r, size_t chips)
{
    char parent[32] = "/tmp/stsafe-fleet-XXXXXX", dir[64], listen[96];
    stsafe_server s;
    struct timespec t0;
    FILE *log = fopen("/dev/null", "w");
    if (!log || !mkdtemp(parent)) {
        if (log)
            (void)fclose(log); /* /dev/null */
        return -1;
    }
    snprintf(dir, sizeof dir, "%s/fleet", parent);
    snprintf(listen, sizeof listen, "unix:%s/fleet.sock", parent);
    stsafe_server_config cfg = {.image_dir = dir, .fleet = chips, .listen = listen, .log = log,
                                .seed = fleet_seed, .seed_len = sizeof fleet_seed};
    size_t r0 = resident_bytes();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int err = stsafe_server_init(&s, &cfg);
    double create = err ? -1.0 : seconds_since(&t0);
    size_t r1 = resident_bytes(); /* the fleet's chips, alive */
    if (!err)
        stsafe_server_free(&s);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    err = err ? err : stsafe_server_init(&s, &cfg);
    double load = err ? -1.0 : seconds_since(&t0);
    if (!err)
        stsafe_server_free(&s);
    time_figure(r, "fleet_create", "Fleet created (images written)", create,
                STSE_BENCH_FLEET_CREATE_TARGET, chips);
    time_figure(r, "fleet_load", "Fleet loaded (images read)", load, STSE_BENCH_FLEET_LOAD_TARGET, chips);
    stse_bench_figure *f = stse_bench_add(r, "fleet_memory_per_chip", "Memory per chip (fleet loaded)",
                                          !err && r1 > r0 ? (double)(r1 - r0) / (double)chips : -1.0,
                                          "bytes");
    if (f) {
        if (f->value < 0 && !err)
            snprintf(f->note, sizeof f->note, "(not measured: %zu chips fit in pages already resident)", chips);
        else
            snprintf(f->note, sizeof f->note, "(resident set growth of the server that created %zu chips, per chip)",
                     chips);
        f->extra_key = "chips";
        f->extra = (double)chips;
    }
    stse_bench_show(r, f);
    remove_fleet(dir, chips);
    rmdir(parent);
    (void)fclose(log); /* /dev/null */
    return err ? -1 : 0;
}
