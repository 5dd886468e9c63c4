/* SPDX-License-Identifier: BSD-3-Clause */
/* The emulated chip as a server device (chip_device.h): the server's
 * operations mapped onto the chip's I2C slave and its image file; new
 * fleet images. */
#include "stsafe/server/chip_device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "stsafe/emulator/image.h"
#include "stsafe/bus/fault.h"
#include "stsafe/emulator/profile.h"
#include "stsafe/emulator/snapshot.h"
#include "stsafe/protocol/error.h"

/* ---- faults: a fault bus (bus_fault.h) in front of the chip's I2C slave ---- */

struct stsafe_chip_faults {
    stsafe_bus_fault spoiler;   /* the armed faults */
    stsafe_bus outer;           /* what the server's operations go through */
    stsafe_bus slave;           /* the chip's I2C slave as a bus */
    stsafe_chip_device *dev;
    uint64_t now_us;            /* the clock of the operation under way */
    void (*log)(void *log_ctx, const char *line);
    void *log_ctx;
};

static int slave_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    struct stsafe_chip_faults *f = ctx;
    stsafe_emu_chip *chip = &f->dev->chip;
    for (size_t i = 0; i < n; i++) {
        int err = (msgs[i].flags & STSAFE_I2C_MSG_READ)
                      ? stsafe_emu_i2c_read(chip, f->now_us, msgs[i].buf, msgs[i].len)
                      : stsafe_emu_i2c_write(chip, f->now_us, msgs[i].buf, msgs[i].len);
        if (err)
            return err;
    }
    return 0;
}

/* latency is refused before it is armed: nothing ever waits here. */
static const stsafe_bus_ops slave_ops = {.transfer = slave_transfer};

static void faults_log(void *ctx, const char *line)
{
    struct stsafe_chip_faults *f = ctx;
    if (!f->log)
        return;
    char text[512]; /* a long image path is cut, never overrun */
    (void)snprintf(text, sizeof text, "%s: %s", f->dev->image_path, line);
    f->log(f->log_ctx, text);
}

static int faulty_transfer(stsafe_chip_device *d, uint64_t now_us, uint8_t addr, uint16_t flags,
                           uint8_t *buf, size_t len)
{
    stsafe_i2c_msg m = {addr, flags, len, buf};
    d->faults->now_us = now_us;
    return d->faults->outer.ops->transfer(d->faults->outer.ctx, &m, 1);
}

/* Where item \p i of a parsed spec starts: after \p i commas. */
static const char *spec_item(const char *spec, size_t i)
{
    const char *p = spec;
    for (; i > 0 && p; i--) {
        p = strchr(p, ',');
        p = p ? p + 1 : NULL;
    }
    return p ? p : spec;
}

int stsafe_chip_device_fault(stsafe_chip_device *d, const char *spec, const char **bad,
                             void (*log)(void *log_ctx, const char *line), void *log_ctx)
{
    stsafe_fault items[STSAFE_FAULT_MAX];
    size_t n = 0;
    if (!d || !spec)
        return STSAFE_ERR_BAD_INPUT;
    int err = stsafe_fault_parse(spec, items, STSAFE_FAULT_MAX, &n, bad);
    if (err)
        return err; /* BAD_INPUT or BUFFER_TOO_SMALL: *bad says where */
    for (size_t i = 0; i < n; i++) {
        if (items[i].kind == STSAFE_FAULT_LATENCY) {
            if (bad)
                *bad = spec_item(spec, i);
            return STSAFE_ERR_UNSUPPORTED;
        }
    }
    if (!d->faults) {
        struct stsafe_chip_faults *f = calloc(1, sizeof *f);
        if (!f)
            return STSAFE_ERR_ALLOC;
        f->dev = d;
        f->slave.ops = &slave_ops;
        f->slave.ctx = f;
        stsafe_bus_fault_init(&f->spoiler, &f->outer, &f->slave, &d->chip, faults_log, f);
        d->faults = f;
    }
    d->faults->log = log;
    d->faults->log_ctx = log_ctx;
    for (size_t i = 0; i < n; i++)
        (void)stsafe_bus_fault_add(&d->faults->spoiler, &items[i]); /* every kind left is armed */
    return 0;
}

/* ---- the server's operations ---- */

static int chip_write(void *ctx, uint64_t now_us, uint8_t addr, const uint8_t *data, size_t len)
{
    stsafe_chip_device *d = ctx;
    if (addr != stsafe_emu_chip_i2c_address(&d->chip))
        return STSAFE_ERR_BUS_NACK; /* nobody there: the chip does not count it */
    if (d->faults) { /* a message's buffer is not const: give it a copy */
        uint8_t copy[STSAFE_SOCK_MAX_DATA];
        if (len > sizeof copy)
            return STSAFE_ERR_BAD_INPUT;
        memcpy(copy, data, len);
        return faulty_transfer(d, now_us, addr, STSAFE_I2C_MSG_WRITE, copy, len);
    }
    return stsafe_emu_i2c_write(&d->chip, now_us, data, len);
}

static int chip_read(void *ctx, uint64_t now_us, uint8_t addr, uint8_t *buf, size_t len)
{
    stsafe_chip_device *d = ctx;
    if (addr != stsafe_emu_chip_i2c_address(&d->chip))
        return STSAFE_ERR_BUS_NACK;
    if (d->faults)
        return faulty_transfer(d, now_us, addr, STSAFE_I2C_MSG_READ, buf, len);
    return stsafe_emu_i2c_read(&d->chip, now_us, buf, len);
}

static int chip_power_cycle(void *ctx)
{
    stsafe_chip_device *d = ctx;
    if (d->faults) /* POWER_CYCLE ends every pending fault (docs/faults.md) */
        (void)stsafe_bus_fault_clear(&d->faults->spoiler);
    stsafe_emu_chip_power_cycle(&d->chip);
    return 0;
}

static uint8_t chip_address(const void *ctx)
{
    const stsafe_chip_device *d = ctx;
    return stsafe_emu_chip_i2c_address(&d->chip);
}

static int chip_stats(const void *ctx, stsafe_sock_stats *out)
{
    const stsafe_chip_device *d = ctx;
    out->commands = d->chip.stats.commands;
    out->nacks = d->chip.stats.nacks;
    out->nvm_writes = d->chip.stats.nvm_writes;
    return 0;
}

static int chip_dirty(const void *ctx)
{
    const stsafe_chip_device *d = ctx;
    return d->chip.nvm_dirty != 0;
}

/* Never a success for a change that is not on disk: when the save fails
 * the chip goes back to the image on disk and restarts (volatile state and
 * the pending answer lost, like a power cut just before the NVM write);
 * when even that image cannot be read, the device has failed for good. */
static int chip_save(void *ctx)
{
    stsafe_chip_device *d = ctx;
    stsafe_emu_storage posix = stsafe_emu_storage_posix();
    const stsafe_emu_storage *st = d->storage ? d->storage : &posix;
    int err = stsafe_emu_image_save_to(st, d->image_path, &d->chip.nvm);
    if (!err) {
        d->chip.nvm_dirty = 0;
        return 0;
    }
    int e = errno;
    if (stsafe_emu_image_load_from(st, d->image_path, &d->chip.nvm) == 0) {
        stsafe_emu_chip_power_cycle(&d->chip);
        d->chip.nvm_dirty = 0;
    } else {
        d->failure = "its image can neither be saved nor read back: the server stops serving it";
    }
    errno = e;
    return err;
}

/* Whether the image the last save or the load put on disk is still there.
 * Only the POSIX files can be asked; another storage answers "cannot tell",
 * so the server saves the chip when it stops as before. */
static int chip_on_disk(const void *ctx)
{
    const stsafe_chip_device *d = ctx;
    struct stat st;
    return !d->storage && lstat(d->image_path, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *chip_failure(const void *ctx)
{
    const stsafe_chip_device *d = ctx;
    return d->failure;
}

static const char *chip_name(const void *ctx)
{
    const stsafe_chip_device *d = ctx;
    return d->image_path;
}

static int chip_fault(void *ctx, const char *spec, const char **bad,
                      void (*log)(void *log_ctx, const char *line), void *log_ctx)
{
    return stsafe_chip_device_fault(ctx, spec, bad, log, log_ctx);
}

/* COMMAND waits until then (STSAFE_EMU_I2C_BUSY ends at busy_until_us). */
static uint64_t chip_busy_until(const void *ctx)
{
    const stsafe_chip_device *d = ctx;
    return d->chip.vol.i2c_state == STSAFE_EMU_I2C_BUSY ? d->chip.vol.busy_until_us : 0;
}

static int chip_snapshot(const void *ctx, uint8_t *out, size_t cap, size_t *len)
{
    const stsafe_chip_device *d = ctx;
    return stsafe_emu_snapshot_save(&d->chip, out, cap, len);
}

/* The armed faults and the counters are the server's, not the chip's:
 * they stay (snapshot.h). The NVM is marked dirty: the server saves it. */
static int chip_restore(void *ctx, const uint8_t *snap, size_t len)
{
    stsafe_chip_device *d = ctx;
    return stsafe_emu_snapshot_restore(&d->chip, snap, len);
}

static const stsafe_server_device_ops chip_ops = {
    .i2c_write = chip_write,
    .i2c_read = chip_read,
    .power_cycle = chip_power_cycle,
    .address = chip_address,
    .stats = chip_stats,
    .dirty = chip_dirty,
    .on_disk = chip_on_disk,
    .save = chip_save,
    .name = chip_name,
    .failure = chip_failure, /* only when a failed save cannot be undone */
    .fault = chip_fault,
    .busy_until_us = chip_busy_until,
    .snapshot = chip_snapshot,
    .restore = chip_restore,
};

/* The image's own lock, or, in a fleet whose folder the server holds, a
 * check that nobody holds the image's own lock. */
static int lock_image(stsafe_chip_device *d, const char *image_path)
{
    return d->folder_locked ? stsafe_emu_image_lock_probe(&d->lock, image_path)
                            : stsafe_emu_image_lock_take(&d->lock, image_path, 1, "stsafe-emu serve");
}

int stsafe_chip_device_load(stsafe_chip_device *d, const char *image_path, stsafe_emu_timing timing,
                            stsafe_emu_rng_fn f_rng, void *p_rng)
{
    if (!d || !image_path || !f_rng)
        return STSAFE_ERR_BAD_INPUT;
    stsafe_emu_chip_init(&d->chip, f_rng, p_rng);
    d->chip.timing = timing;
    d->image_path = NULL;
    d->faults = NULL;
    d->storage = NULL;
    d->failure = NULL;
    int err = lock_image(d, image_path);
    if (!err)
        err = stsafe_emu_image_load(image_path, &d->chip.nvm);
    if (!err) {
        d->image_path = strdup(image_path);
        if (!d->image_path)
            err = STSAFE_ERR_ALLOC;
    }
    if (err) {
        int saved = errno;
        stsafe_emu_chip_free(&d->chip);
        stsafe_emu_image_lock_release(&d->lock); /* the holder seen stays in d->lock */
        errno = saved;
    }
    return err;
}

void stsafe_chip_device_free(stsafe_chip_device *d)
{
    if (!d)
        return;
    stsafe_emu_chip_free(&d->chip);
    free(d->faults);
    d->faults = NULL;
    free(d->image_path);
    d->image_path = NULL;
    stsafe_emu_image_lock_release(&d->lock);
}

stsafe_server_device stsafe_chip_device_handle(stsafe_chip_device *d)
{
    stsafe_server_device dev = {.ops = &chip_ops, .ctx = d};
    return dev;
}

/* IMAGE.ca.pem: the test CA that issued the device certificate. */
static int write_ca(const char *image_path, const char *pem)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s.ca.pem", image_path);
    if (n < 0 || (size_t)n >= sizeof path)
        return STSAFE_ERR_BAD_INPUT;
    return stsafe_emu_file_write(path, pem, strlen(pem), 0644); /* 0644 whatever the umask */
}

int stsafe_chip_device_create(stsafe_chip_device *d, const char *image_path, const uint8_t *serial,
                              stsafe_emu_timing timing, stsafe_emu_rng_fn f_rng, void *p_rng)
{
    stsafe_emu_profile_output out;
    if (!d || !image_path || !serial || !f_rng)
        return STSAFE_ERR_BAD_INPUT;
    stsafe_emu_chip_init(&d->chip, f_rng, p_rng);
    d->chip.timing = timing;
    d->image_path = NULL;
    d->faults = NULL;
    d->storage = NULL;
    d->failure = NULL;
    int err = lock_image(d, image_path);
    if (!err)
        err = stsafe_emu_profile_apply(&d->chip.nvm, "default", serial, f_rng, p_rng, &out);
    if (!err)
        err = write_ca(image_path, out.ca_cert_pem);
    if (!err)
        err = stsafe_emu_image_save(image_path, &d->chip.nvm);
    if (!err && (d->image_path = strdup(image_path)) == NULL)
        err = STSAFE_ERR_ALLOC;
    if (err) {
        int saved = errno;
        stsafe_emu_chip_free(&d->chip);
        stsafe_emu_image_lock_release(&d->lock); /* the holder seen stays in d->lock */
        errno = saved;
    }
    return err;
}

int stsafe_fleet_image_path(const char *dir, size_t index, char *out, size_t cap)
{
    if (!dir || !out)
        return STSAFE_ERR_BAD_INPUT;
    int n = snprintf(out, cap, "%s/chip-%04zu.img", dir, index);
    return n >= 0 && (size_t)n < cap ? 0 : STSAFE_ERR_BUFFER_TOO_SMALL;
}

void stsafe_fleet_serial(size_t index, uint8_t *serial)
{
    static const char prefix[] = "FLEET";
    memcpy(serial, prefix, sizeof prefix - 1);
    for (size_t i = 0; i < 4; i++)
        serial[5 + i] = (uint8_t)(index >> (8 * (3 - i)));
}
