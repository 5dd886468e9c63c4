/* SPDX-License-Identifier: BSD-3-Clause */
#include "stsafe/emulator/rng.h"

#include <string.h>

#include "stsafe/protocol/error.h"

int stsafe_rng_init(stsafe_rng *rng, const char *personalization)
{
    rng->fixed_seed_len = 0;
    mbedtls_entropy_init(&rng->entropy);
    mbedtls_ctr_drbg_init(&rng->drbg);
    const char *label = personalization ? personalization : "";
    int rc = mbedtls_ctr_drbg_seed(&rng->drbg, mbedtls_entropy_func, &rng->entropy,
                                   (const unsigned char *)label, strlen(label));
    return rc ? STSAFE_ERR_CRYPTO : 0;
}

/* The "entropy" of a deterministic DRBG: the seed, zero-padded, on every
 * call (the first seeding and each reseed), so the stream is fixed. */
static int fixed_entropy_func(void *p, unsigned char *out, size_t len)
{
    const stsafe_rng *rng = p;
    size_t n = rng->fixed_seed_len < len ? rng->fixed_seed_len : len;
    memset(out, 0, len);
    memcpy(out, rng->fixed_seed, n);
    return 0;
}

int stsafe_rng_init_deterministic(stsafe_rng *rng, const uint8_t *seed, size_t seed_len)
{
    /* contexts first, so stsafe_rng_free() is safe after any failure */
    mbedtls_entropy_init(&rng->entropy);
    mbedtls_ctr_drbg_init(&rng->drbg);
    if (!seed || seed_len > sizeof rng->fixed_seed)
        return STSAFE_ERR_BAD_INPUT;
    memcpy(rng->fixed_seed, seed, seed_len);
    rng->fixed_seed_len = seed_len;
    int rc = mbedtls_ctr_drbg_seed(&rng->drbg, fixed_entropy_func, rng, NULL, 0);
    return rc ? STSAFE_ERR_CRYPTO : 0;
}

void stsafe_rng_free(stsafe_rng *rng)
{
    mbedtls_ctr_drbg_free(&rng->drbg);
    mbedtls_entropy_free(&rng->entropy);
}

int stsafe_rng_fn(void *p_rng, unsigned char *out, size_t len)
{
    stsafe_rng *rng = p_rng;
    return mbedtls_ctr_drbg_random(&rng->drbg, out, len);
}
