/* SPDX-License-Identifier: BSD-3-Clause */
/* The chip's random source (nvm.h, stsafe_emu_entropy): a CTR_DRBG
 * (AES-256 with the derivation function, NIST SP 800-90A) instantiated for
 * each command that draws random bytes, its whole entropy input
 *   seed (32) || draw counter (8, big-endian) || SHA-256(command frame) (32),
 * with no nonce and no personalisation, after which the counter goes up by
 * one. (An HMAC_DRBG over SHA-256 cost a signature about 5 % more than raw
 * mbedTLS signing, which draws from a CTR_DRBG: docs/benchmarks.md.)
 * The same NVM and the same command give the same bytes; the counter lives
 * in the NVM, so power cycles and snapshots keep it and a chip never
 * repeats a draw; the frame in the seed material means that even an image
 * reloaded with an old counter draws other bytes for another command. Only
 * calls present in mbedTLS 2.28 and 3.6. */
#include "internal.h"

#include <string.h>

#include <mbedtls/md.h>

#include "stsafe/protocol/error.h"

void stsafe_emu_rng_begin(stsafe_emu_chip *chip, const uint8_t *frame, size_t frame_len)
{
    chip->cmd_rng.frame = frame;
    chip->cmd_rng.frame_len = frame_len;
}

void stsafe_emu_rng_end(stsafe_emu_chip *chip)
{
    if (chip->cmd_rng.active)
        mbedtls_ctr_drbg_free(&chip->cmd_rng.drbg);
    chip->cmd_rng.active = 0;
    chip->cmd_rng.frame = NULL;
    chip->cmd_rng.frame_len = 0;
}

/* The seed material, handed to CTR_DRBG as its whole entropy input. */
typedef struct {
    const uint8_t *bytes;
    size_t len;
} seed_material;

static int give_material(void *ctx, unsigned char *out, size_t len)
{
    const seed_material *m = ctx;
    if (len != m->len)
        return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
    memcpy(out, m->bytes, len);
    return 0;
}

static int instantiate(stsafe_emu_chip *chip)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    stsafe_emu_entropy *e = &chip->nvm.entropy;
    uint8_t material[STSAFE_EMU_SEED_LEN + 8 + 32];
    seed_material src = {material, sizeof material};
    memcpy(material, e->seed, STSAFE_EMU_SEED_LEN);
    for (unsigned i = 0; i < 8; i++)
        material[STSAFE_EMU_SEED_LEN + i] = (uint8_t)(e->draws >> (56 - 8 * i));
    int rc = mbedtls_md(md, chip->cmd_rng.frame ? chip->cmd_rng.frame : material, chip->cmd_rng.frame_len,
                        material + STSAFE_EMU_SEED_LEN + 8);
    mbedtls_ctr_drbg_init(&chip->cmd_rng.drbg);
    /* All 72 bytes as the entropy input, no nonce: the same request on
     * mbedTLS 2.28 and 3.6, whatever their default lengths. */
    mbedtls_ctr_drbg_set_entropy_len(&chip->cmd_rng.drbg, sizeof material);
    if (!rc)
        rc = mbedtls_ctr_drbg_set_nonce_len(&chip->cmd_rng.drbg, 0);
    if (!rc)
        rc = mbedtls_ctr_drbg_seed(&chip->cmd_rng.drbg, give_material, &src, NULL, 0);
    memset(material, 0, sizeof material);
    if (rc) {
        mbedtls_ctr_drbg_free(&chip->cmd_rng.drbg);
        return rc;
    }
    chip->cmd_rng.active = 1;
    e->draws++;
    chip->nvm_dirty = 1; /* the counter must reach the image; not an NVM write of a command */
    return 0;
}

int stsafe_emu_rng_draw(void *p_chip, unsigned char *out, size_t len)
{
    stsafe_emu_chip *chip = p_chip;
    if (!chip->nvm.entropy.seeded)
        return chip->f_rng ? chip->f_rng(chip->p_rng, out, len) : -1;
    if (!chip->cmd_rng.active) {
        int rc = instantiate(chip);
        if (rc)
            return rc;
    }
    while (len) {
        size_t n = len < MBEDTLS_CTR_DRBG_MAX_REQUEST ? len : MBEDTLS_CTR_DRBG_MAX_REQUEST;
        int rc = mbedtls_ctr_drbg_random(&chip->cmd_rng.drbg, out, n);
        if (rc)
            return rc;
        out += n;
        len -= n;
    }
    return 0;
}
