/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file rng.h
 * \brief A CTR-DRBG random source for tools and tests (mbedTLS style f_rng).
 */
#ifndef STSAFE_RNG_H
#define STSAFE_RNG_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    uint8_t fixed_seed[64];     /**< Deterministic mode: the seed, fed again on every reseed. */
    size_t fixed_seed_len;
} stsafe_rng;

/**
 * \brief Seed from the OS entropy source.
 * \param personalization  A label mixed into the seed (may be NULL).
 * \return 0; STSAFE_ERR_CRYPTO.
 */
int stsafe_rng_init(stsafe_rng *rng, const char *personalization);

/**
 * \brief Seed deterministically from \p seed alone (tests, reproducible demos).
 *        Never use this for real keys.
 * \param seed_len  At most 64 bytes.
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_CRYPTO.
 */
int stsafe_rng_init_deterministic(stsafe_rng *rng, const uint8_t *seed, size_t seed_len);

void stsafe_rng_free(stsafe_rng *rng);

/** \brief The f_rng callback; \p p_rng is a stsafe_rng. */
int stsafe_rng_fn(void *p_rng, unsigned char *out, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_RNG_H */
