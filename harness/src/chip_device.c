/* The emulated chip as a server device (chip_device.h): the server's
 * operations mapped onto the chip's I2C slave and its image file; new
 * fleet images. */
#include "stsafe/chip_device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stse_emu/image.h"
#include "stse_emu/profile.h"
#include "stsafe/error.h"

static int chip_write(void *ctx, uint64_t now_us, uint8_t addr, const uint8_t *data, size_t len)
{
    stsafe_chip_device *d = ctx;
    if (addr != stse_emu_chip_i2c_address(&d->chip))
        return STSAFE_ERR_BUS_NACK; /* nobody there: the chip does not count it */
    return stse_emu_i2c_write(&d->chip, now_us, data, len);
}

static int chip_read(void *ctx, uint64_t now_us, uint8_t addr, uint8_t *buf, size_t len)
{
    stsafe_chip_device *d = ctx;
    if (addr != stse_emu_chip_i2c_address(&d->chip))
        return STSAFE_ERR_BUS_NACK;
    return stse_emu_i2c_read(&d->chip, now_us, buf, len);
}

static int chip_power_cycle(void *ctx)
{
    stsafe_chip_device *d = ctx;
    stse_emu_chip_power_cycle(&d->chip);
    return 0;
}

static uint8_t chip_address(const void *ctx)
{
    const stsafe_chip_device *d = ctx;
    return stse_emu_chip_i2c_address(&d->chip);
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

static int chip_save(void *ctx)
{
    stsafe_chip_device *d = ctx;
    int err = stse_emu_image_save(d->image_path, &d->chip.nvm);
    if (!err)
        d->chip.nvm_dirty = 0;
    return err;
}

static const char *chip_name(const void *ctx)
{
    const stsafe_chip_device *d = ctx;
    return d->image_path;
}

static const stsafe_server_device_ops chip_ops = {
    .i2c_write = chip_write,
    .i2c_read = chip_read,
    .power_cycle = chip_power_cycle,
    .address = chip_address,
    .stats = chip_stats,
    .dirty = chip_dirty,
    .save = chip_save,
    .name = chip_name,
    .failure = NULL, /* the model answers every frame; it never leaves a script */
};

int stsafe_chip_device_load(stsafe_chip_device *d, const char *image_path, stse_emu_timing timing,
                            stse_emu_rng_fn f_rng, void *p_rng)
{
    if (!d || !image_path || !f_rng)
        return STSAFE_ERR_BAD_INPUT;
    stse_emu_chip_init(&d->chip, f_rng, p_rng);
    d->chip.timing = timing;
    d->image_path = NULL;
    int err = stse_emu_image_load(image_path, &d->chip.nvm);
    if (!err) {
        d->image_path = strdup(image_path);
        if (!d->image_path)
            err = STSAFE_ERR_ALLOC;
    }
    if (err) {
        int saved = errno;
        stse_emu_chip_free(&d->chip);
        errno = saved;
    }
    return err;
}

void stsafe_chip_device_free(stsafe_chip_device *d)
{
    if (!d)
        return;
    stse_emu_chip_free(&d->chip);
    free(d->image_path);
    d->image_path = NULL;
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
    FILE *f = fopen(path, "w");
    if (!f)
        return STSAFE_ERR_IO;
    int bad = fputs(pem, f) < 0;
    if (fclose(f) != 0 || bad)
        return STSAFE_ERR_IO;
    return 0;
}

int stsafe_chip_device_create(stsafe_chip_device *d, const char *image_path, const uint8_t *serial,
                              stse_emu_timing timing, stse_emu_rng_fn f_rng, void *p_rng)
{
    stse_emu_profile_output out;
    if (!d || !image_path || !serial || !f_rng)
        return STSAFE_ERR_BAD_INPUT;
    stse_emu_chip_init(&d->chip, f_rng, p_rng);
    d->chip.timing = timing;
    d->image_path = NULL;
    int err = stse_emu_profile_apply(&d->chip.nvm, "default", serial, f_rng, p_rng, &out);
    if (!err)
        err = write_ca(image_path, out.ca_cert_pem);
    if (!err)
        err = stse_emu_image_save(image_path, &d->chip.nvm);
    if (!err && (d->image_path = strdup(image_path)) == NULL)
        err = STSAFE_ERR_ALLOC;
    if (err) {
        int saved = errno;
        stse_emu_chip_free(&d->chip);
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
