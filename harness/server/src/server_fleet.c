/* SPDX-License-Identifier: BSD-3-Clause */
/* Creating a fleet's missing images fast and still crash-safely
 * (docs/persistence.md, "Fleets"): keys and certificates generated on
 * every CPU, the files written unsynced, one filesystem sync, the renames,
 * one folder sync. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* syncfs */
#endif
#include "stsafe/server/chip_device.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "stsafe/emulator/image.h"
#include "stsafe/emulator/profile.h"
#include "stsafe/emulator/rng.h"
#include "stsafe/protocol/error.h"

#define SEED_LEN    32u   /* each new chip's key generation seed, drawn in index order */
#define MAX_WORKERS 8u

typedef struct {
    stsafe_chip_device *chips;
    const size_t *indices;
    size_t n;
    const char *dir;
    stsafe_emu_timing timing;
    stsafe_emu_rng_fn f_rng;
    void *p_rng;
    uint8_t *seeds;             /* n x SEED_LEN */
    int *errs;                  /* n: each chip's outcome */
    int *errnos;
} batch;

typedef struct {
    batch *b;
    size_t first, step;         /* this worker's chips: first, first + step, ... */
} worker;

/* Writes \p len bytes to a new file \p path (mode 0600), not synced. A
 * file or link left there (a batch cut short) is removed first, and the new
 * one is created exclusively: never written through a link, never with an
 * old file's mode (docs/persistence.md). */
static int write_new(const char *path, const void *data, size_t len)
{
    if (unlink(path) != 0 && errno != ENOENT)
        return STSAFE_ERR_IO;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return STSAFE_ERR_IO;
    const uint8_t *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            errno = e;
            return STSAFE_ERR_IO;
        }
        p += w;
        len -= (size_t)w;
    }
    return close(fd) == 0 ? 0 : STSAFE_ERR_IO;
}

/* IMAGE.ca.pem, then IMAGE.tmp: the chip's files before the sync. */
static int write_files(const char *path, const stsafe_emu_nvm *nvm, const char *pem)
{
    char name[4096 + 8];
    uint8_t *img = malloc(STSAFE_EMU_IMAGE_MAX_SIZE);
    size_t len = 0;
    if (!img)
        return STSAFE_ERR_ALLOC;
    int err = stsafe_emu_image_serialize(nvm, img, STSAFE_EMU_IMAGE_MAX_SIZE, &len);
    if (!err)
        err = (size_t)snprintf(name, sizeof name, "%s.ca.pem", path) < sizeof name
                  ? write_new(name, pem, strlen(pem)) : STSAFE_ERR_BAD_INPUT;
    if (!err)
        err = (size_t)snprintf(name, sizeof name, "%s.tmp", path) < sizeof name
                  ? write_new(name, img, len) : STSAFE_ERR_BAD_INPUT;
    memset(img, 0, STSAFE_EMU_IMAGE_MAX_SIZE); /* private keys */
    free(img);
    return err;
}

/* Chip k of the batch: the default profile from its own seed, its files. */
static int make_chip(batch *b, size_t k, stsafe_emu_profile_cache *cache)
{
    size_t index = b->indices[k];
    stsafe_chip_device *d = &b->chips[index];
    char path[4096];
    uint8_t serial[STSAFE_EMU_SERIAL_LEN];
    stsafe_rng rng;
    stsafe_emu_profile_output out;
    stsafe_emu_chip_init(&d->chip, b->f_rng, b->p_rng); /* later commands: the server's source */
    d->chip.timing = b->timing;
    d->image_path = NULL;
    d->faults = NULL;
    stsafe_fleet_serial(index, serial);
    int err = stsafe_fleet_image_path(b->dir, index, path, sizeof path);
    if (!err)
        err = stsafe_rng_init_deterministic(&rng, b->seeds + k * SEED_LEN, SEED_LEN);
    if (!err)
        err = stsafe_emu_profile_apply_cached(&d->chip.nvm, "default", serial, stsafe_rng_fn, &rng, &out,
                                              cache);
    stsafe_rng_free(&rng);
    if (!err)
        err = write_files(path, &d->chip.nvm, out.ca_cert_pem);
    if (!err && (d->image_path = strdup(path)) == NULL)
        err = STSAFE_ERR_ALLOC;
    b->errnos[k] = errno;
    if (err)
        stsafe_emu_chip_free(&d->chip);
    return err;
}

static void *work(void *arg)
{
    worker *w = arg;
    stsafe_emu_profile_cache cache; /* one P-256 table for all this thread's chips */
    memset(&cache, 0, sizeof cache);
    for (size_t k = w->first; k < w->b->n; k += w->step)
        w->b->errs[k] = make_chip(w->b, k, &cache);
    stsafe_emu_profile_cache_free(&cache);
    return NULL;
}

/* make_chip() for every chip, on up to one thread per CPU. */
static void make_all(batch *b)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = cpus < 1 ? 1 : (size_t)cpus > MAX_WORKERS ? MAX_WORKERS : (size_t)cpus;
    if (n > b->n)
        n = b->n;
    worker w[MAX_WORKERS];
    pthread_t t[MAX_WORKERS];
    size_t started = 1;
    for (size_t i = 0; i < n; i++)
        w[i] = (worker){.b = b, .first = i, .step = n};
    for (size_t i = 1; i < n; i++, started++)
        if (pthread_create(&t[i], NULL, work, &w[i]) != 0)
            break;
    if (started < n) /* fewer threads than planned: the caller takes the rest */
        for (size_t i = started; i < n; i++)
            work(&w[i]);
    work(&w[0]);
    for (size_t i = 1; i < started; i++)
        pthread_join(t[i], NULL);
}

/* Every written file durable: one sync of the filesystem that holds dir
 * (Linux syncfs), or of each file elsewhere. */
static int sync_written(const batch *b)
{
#ifdef __linux__
    int fd = open(b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return STSAFE_ERR_IO;
    int rc = syncfs(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc == 0 ? 0 : STSAFE_ERR_IO;
#else
    for (size_t k = 0; k < b->n; k++) {
        const char *path = b->chips[b->indices[k]].image_path;
        for (int pem = 0; pem < 2; pem++) {
            char name[4096 + 8];
            (void)snprintf(name, sizeof name, pem ? "%s.ca.pem" : "%s.tmp", path);
            int fd = open(name, O_RDONLY | O_CLOEXEC);
            int rc = fd < 0 ? -1 : fsync(fd);
            if (fd >= 0)
                close(fd);
            if (rc != 0)
                return STSAFE_ERR_IO;
        }
    }
    return 0;
#endif
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return STSAFE_ERR_IO;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc == 0 ? 0 : STSAFE_ERR_IO;
}

/* The renames, after the sync: an image appears under its name only whole. */
static int commit(const batch *b, size_t *failed)
{
    int err = sync_written(b);
    for (size_t k = 0; !err && k < b->n; k++) {
        const char *path = b->chips[b->indices[k]].image_path;
        char tmp[4096 + 8];
        (void)snprintf(tmp, sizeof tmp, "%s.tmp", path);
        if (rename(tmp, path) != 0) {
            *failed = b->indices[k];
            return STSAFE_ERR_IO;
        }
    }
    return err ? err : sync_dir(b->dir);
}

/* Undoes a batch that failed: the chips freed, their files removed. */
static void undo(const batch *b)
{
    for (size_t k = 0; k < b->n; k++) {
        stsafe_chip_device *d = &b->chips[b->indices[k]];
        if (b->errs[k] || !d->image_path)
            continue;
        char tmp[4096 + 8];
        (void)snprintf(tmp, sizeof tmp, "%s.tmp", d->image_path);
        unlink(tmp);
        stsafe_chip_device_free(d);
    }
}

int stsafe_fleet_create(stsafe_chip_device *chips, const size_t *indices, size_t n, const char *dir,
                        stsafe_emu_timing timing, stsafe_emu_rng_fn f_rng, void *p_rng,
                        size_t *failed)
{
    if (!chips || (n && !indices) || !dir || !f_rng || !failed)
        return STSAFE_ERR_BAD_INPUT;
    if (n == 0)
        return 0;
    batch b = {.chips = chips, .indices = indices, .n = n, .dir = dir, .timing = timing,
               .f_rng = f_rng, .p_rng = p_rng};
    b.seeds = malloc(n * SEED_LEN);
    b.errs = calloc(n, sizeof *b.errs);
    b.errnos = calloc(n, sizeof *b.errnos);
    int err = !b.seeds || !b.errs || !b.errnos ? STSAFE_ERR_ALLOC : 0;
    for (size_t k = 0; !err && k < n; k++) /* in index order: the fleet is reproducible */
        err = f_rng(p_rng, b.seeds + k * SEED_LEN, SEED_LEN) ? STSAFE_ERR_CRYPTO : 0;
    if (!err) {
        make_all(&b);
        for (size_t k = 0; !err && k < n; k++) {
            if (b.errs[k]) {
                err = b.errs[k];
                *failed = indices[k];
                errno = b.errnos[k];
            }
        }
    }
    if (!err)
        err = commit(&b, failed);
    if (err && b.errs) {
        int e = errno;
        undo(&b);
        errno = e;
    }
    if (b.seeds)
        memset(b.seeds, 0, n * SEED_LEN);
    free(b.seeds);
    free(b.errs);
    free(b.errnos);
    return err;
}
