/* SPDX-License-Identifier: BSD-3-Clause */
#include "stsafe/client/inproc_device.h"

#include <string.h>

#include "stsafe/emulator/profile.h"

int stsafe_inproc_device_init(stsafe_inproc_device *d, const uint8_t *seed, size_t seed_len)
{
    memset(d, 0, sizeof *d);
    int err = seed ? stsafe_rng_init_deterministic(&d->rng, seed, seed_len)
                   : stsafe_rng_init(&d->rng, "stsafe-emu");
    if (err)
        return err;
    stsafe_emu_chip_init(&d->chip, stsafe_rng_fn, &d->rng);
    return 0;
}

void stsafe_inproc_device_connect(stsafe_inproc_device *d)
{
    stsafe_bus_inproc_init(&d->inproc, &d->bus, &d->chip);
    stsafe_client_init(&d->client, &d->bus, stsafe_emu_chip_i2c_address(&d->chip));
}

int stsafe_inproc_device_default(stsafe_inproc_device *d, const uint8_t *seed, size_t seed_len,
                                 const uint8_t *serial)
{
    int err = stsafe_inproc_device_init(d, seed, seed_len);
    if (!err)
        err = stsafe_emu_profile_apply(&d->chip.nvm, "default", serial, stsafe_rng_fn, &d->rng, NULL);
    if (err) {
        stsafe_inproc_device_free(d);
        return err;
    }
    stsafe_inproc_device_connect(d);
    return 0;
}

void stsafe_inproc_device_free(stsafe_inproc_device *d)
{
    stsafe_client_free(&d->client);
    stsafe_emu_chip_free(&d->chip);
    stsafe_rng_free(&d->rng);
}
