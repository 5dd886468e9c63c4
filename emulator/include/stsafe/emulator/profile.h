/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file profile.h
 * \brief Personalisation profiles: what an image holds when it is created.
 *
 * The "default" profile mirrors a shipped A110 (docs/protocol.md,
 * "Default profile"): the data partition's zones with their sizes, counters
 * and access conditions, life cycle operational, slot 0 holding a P-256
 * device key, and zone 0 holding that key's X.509 certificate, issued by a
 * test CA generated with the image.
 */
#ifndef STSAFE_EMU_PROFILE_H
#define STSAFE_EMU_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/emulator/chip.h"
#include "stsafe/emulator/nvm.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What stsafe_emu_profile_apply() hands back besides the NVM. */
typedef struct {
    char ca_cert_pem[2048];   /**< The test CA certificate, PEM (its key is discarded). */
    size_t device_cert_len;   /**< DER length of the certificate written to zone 0. */
} stsafe_emu_profile_output;

/**
 * \brief Personalise a fresh NVM.
 * \param nvm      Overwritten entirely.
 * \param profile  Profile name; "default" is the only one today.
 * \param serial   STSAFE_EMU_SERIAL_LEN bytes, or NULL for a random serial.
 * \param f_rng    Random source (keys, serial, certificate signatures).
 * \param out      Receives the CA certificate; may be NULL.
 * \return 0; STSAFE_ERR_BAD_INPUT (unknown profile); STSAFE_ERR_CRYPTO.
 */
int stsafe_emu_profile_apply(stsafe_emu_nvm *nvm, const char *profile, const uint8_t *serial,
                           stsafe_emu_rng_fn f_rng, void *p_rng, stsafe_emu_profile_output *out);

/**
 * A P-256 group kept loaded between profile applications, with the table
 * of multiples of G that mbedTLS builds on its first use: creating many
 * chips one after the other (a fleet) then does not build it twice per
 * chip (device key, CA key and signatures). Zero it to start empty; one
 * per thread.
 */
typedef struct {
    mbedtls_ecp_group p256;
    int loaded;
} stsafe_emu_profile_cache;

/** \brief Release the cache's group. */
void stsafe_emu_profile_cache_free(stsafe_emu_profile_cache *cache);

/**
 * \brief stsafe_emu_profile_apply() with \p cache (may be NULL: the same
 *        as stsafe_emu_profile_apply()). The same random draws in the
 *        same order, so the same NVM for the same random stream.
 */
int stsafe_emu_profile_apply_cached(stsafe_emu_nvm *nvm, const char *profile, const uint8_t *serial,
                                    stsafe_emu_rng_fn f_rng, void *p_rng,
                                    stsafe_emu_profile_output *out, stsafe_emu_profile_cache *cache);

/** \brief 1 when \p name is a profile this build knows. */
int stsafe_emu_profile_exists(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_EMU_PROFILE_H */
