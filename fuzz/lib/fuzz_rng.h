/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file fuzz_rng.h
 * \brief A deterministic random source for the fuzz targets (f_rng style).
 *
 * SplitMix64: fast, and the same stream for the same seed, so that a crash
 * input replays with the same keys, signatures and random bytes. Never use
 * it for anything but tests.
 */
#ifndef STSE_FUZZ_RNG_H
#define STSE_FUZZ_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Seed of the default profile the chip targets start from. */
#define FUZZ_RNG_SEED_PROFILE 0x5354534146452d50u   /* "STSAFE-P" */
/** Seed reset before every input (Generate Random, Generate Key, signatures). */
#define FUZZ_RNG_SEED_RUN     0x5354534146452d52u   /* "STSAFE-R" */

typedef struct {
    uint64_t state;
} fuzz_rng;

/** \brief Restart the stream from \p seed. */
void fuzz_rng_seed(fuzz_rng *rng, uint64_t seed);

/** \brief The f_rng callback; \p p_rng is a fuzz_rng. Always 0. */
int fuzz_rng_fn(void *p_rng, unsigned char *out, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* STSE_FUZZ_RNG_H */
