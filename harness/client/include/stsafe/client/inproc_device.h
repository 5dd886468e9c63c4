/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file inproc_device.h
 * \brief An emulated chip with a host client wired to it over the
 *        in-process bus: what tests, tools and the benchmark all start from.
 *
 * The struct holds pointers into itself (the client to the bus, the chip to
 * the random source): set it up where it will stay, and do not copy it.
 */
#ifndef STSAFE_INPROC_DEVICE_H
#define STSAFE_INPROC_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/emulator/chip.h"
#include "stsafe/bus/bus.h"
#include "stsafe/bus/inproc.h"
#include "stsafe/client/client.h"
#include "stsafe/emulator/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    stsafe_rng rng;
    stsafe_emu_chip chip;
    stsafe_bus_inproc inproc;
    stsafe_bus bus;
    stsafe_client client;
} stsafe_inproc_device;

/**
 * \brief A chip with an empty NVM and its random source; fill the NVM
 *        (image load or profile), then call stsafe_inproc_device_connect().
 * \param seed  Deterministic seed (tests, benchmarks), or NULL for OS entropy.
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_CRYPTO.
 */
int stsafe_inproc_device_init(stsafe_inproc_device *d, const uint8_t *seed, size_t seed_len);

/** \brief Wire the bus and a client to the chip, at the NVM's I2C address. */
void stsafe_inproc_device_connect(stsafe_inproc_device *d);

/**
 * \brief init, the default profile (serial NULL: random), then connect.
 * \return 0; the errors of init and of stsafe_emu_profile_apply().
 */
int stsafe_inproc_device_default(stsafe_inproc_device *d, const uint8_t *seed, size_t seed_len,
                                 const uint8_t *serial);

/** \brief Release and wipe everything (the chip's keys included). */
void stsafe_inproc_device_free(stsafe_inproc_device *d);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_INPROC_DEVICE_H */
