/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file ecc.h
 * \brief The A110's curves in mbedTLS terms, and key slots as mbedTLS keys.
 */
#ifndef STSAFE_EMU_ECC_H
#define STSAFE_EMU_ECC_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ecp.h>

#include "stsafe/emulator/chip.h"
#include "stsafe/emulator/nvm.h"

#ifdef __cplusplus
extern "C" {
#endif

/** \brief The mbedTLS group of an stsafe_curve (MBEDTLS_ECP_DP_NONE for none). */
mbedtls_ecp_group_id stsafe_emu_curve_group(uint8_t curve);

/**
 * \brief Generate a key pair on \p curve into \p slot.
 * \return 0; STSAFE_ERR_BAD_INPUT (unknown curve); STSAFE_ERR_CRYPTO.
 */
int stsafe_emu_slot_generate(stsafe_emu_key_slot *slot, uint8_t curve, stsafe_emu_rng_fn f_rng,
                           void *p_rng);

/**
 * \brief stsafe_emu_slot_generate() with a loaded group of \p curve that
 *        keeps mbedTLS's table of multiples of G between calls (NULL:
 *        a fresh group, as stsafe_emu_slot_generate()).
 */
int stsafe_emu_slot_generate_in(stsafe_emu_key_slot *slot, uint8_t curve, mbedtls_ecp_group *grp,
                                stsafe_emu_rng_fn f_rng, void *p_rng);

/**
 * \brief Put a known private key in \p slot (personalisation, test vectors,
 *        golden traces); the public point is derived. The slot keeps its mode.
 * \param priv  Big-endian scalar of exactly the curve's size.
 * \param f_rng  Random source blinding the computation of the public point
 *               (required: mbedTLS 3.x refuses a scalar multiplication without one).
 * \return 0; STSAFE_ERR_BAD_INPUT (unknown curve, wrong length, scalar not
 *         in [1, n-1]); STSAFE_ERR_CRYPTO.
 */
int stsafe_emu_slot_import(stsafe_emu_key_slot *slot, uint8_t curve, const uint8_t *priv, size_t len,
                           stsafe_emu_rng_fn f_rng, void *p_rng);

/**
 * \brief Load a slot into an mbedTLS key pair (group, d and Q).
 * \param kp  Initialised by the caller; free it with mbedtls_ecp_keypair_free().
 * \return 0; STSAFE_ERR_BAD_INPUT (empty slot); STSAFE_ERR_CRYPTO.
 */
int stsafe_emu_slot_to_keypair(const stsafe_emu_key_slot *slot, mbedtls_ecp_keypair *kp);

/**
 * \brief Load the public half of a slot into an mbedTLS key pair (group and Q; d stays zero).
 * \param kp  Initialised by the caller; free it with mbedtls_ecp_keypair_free().
 * \return 0; STSAFE_ERR_BAD_INPUT (empty slot); STSAFE_ERR_CRYPTO.
 */
int stsafe_emu_slot_public_keypair(const stsafe_emu_key_slot *slot, mbedtls_ecp_keypair *kp);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_EMU_ECC_H */
