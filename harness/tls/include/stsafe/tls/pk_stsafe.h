/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file pk_stsafe.h
 * \brief An mbedTLS 2.28 pk context whose private key stays in the STSAFE.
 *
 * The packaged mbedTLS has neither ECDSA_SIGN_ALT nor the PSA opaque-key
 * route (docs/mbedtls.md), but it accepts any pk info table: this module
 * gives one whose type is MBEDTLS_PK_ECKEY (so mbedtls_pk_ec(), the public
 * key writers, CSRs and certificates work), whose context starts with an
 * mbedtls_ecp_keypair holding the group and the public point only (the
 * private scalar is zero and never set), and whose sign operation sends
 * Generate Signature to the chip and DER-encodes the chip's R||S.
 *
 * Use it wherever mbedTLS wants a private key: mbedtls_x509write_csr_set_key(),
 * mbedtls_ssl_conf_own_cert(), mbedtls_pk_sign(). Programs that should also
 * build against mbedTLS 3.6 reach it through chip_key.h
 * (stsafe_chip_key_pk_table()) instead.
 *
 * mbedTLS 2.28 only: 3.x made the pk info table private, and CMake builds
 * this module only against 2.28 (STSE_EMU_MBEDTLS_PK_TABLE).
 */
#ifndef STSAFE_PK_STSAFE_H
#define STSAFE_PK_STSAFE_H

#include <stdint.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "stsafe/client/client.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/tls/chip_key.h" /* stsafe_pk_stats */

#if !STSAFE_MBEDTLS_HAS_PK_TABLE
#error "pk_stsafe.h is the pk-table adapter of mbedTLS 2.28; with mbedTLS 3.x use chip_key.h and a PSA route"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \brief Set up \p pk as the key of chip slot \p slot.
 *
 * The A110 hands a public key out only in the answer to Generate Key, so the
 * caller gives it: the point stsafe_client_generate_key() returned, or the
 * one of the device certificate (stsafe_pk_setup_from_cert()).
 * \param pk      Initialised with mbedtls_pk_init(), not set up yet.
 * \param client  Stays in use by \p pk until mbedtls_pk_free().
 * \param slot    0, 1 or 0xFF.
 * \param curve   stsafe_curve of the key.
 * \return 0; MBEDTLS_ERR_PK_BAD_INPUT_DATA (unknown curve, point not on it);
 *         MBEDTLS_ERR_PK_ALLOC_FAILED.
 */
int stsafe_pk_setup(mbedtls_pk_context *pk, stsafe_client *client, uint8_t slot, uint8_t curve,
                    const stsafe_ecc_point *pub);

/**
 * \brief Set up \p pk as slot \p slot's key, whose public half is the
 *        certificate's (the chip's device certificate, or one provisioned).
 * \return as stsafe_pk_setup(); MBEDTLS_ERR_PK_TYPE_MISMATCH when the
 *         certificate's key is not an EC key on a curve the A110 has.
 */
int stsafe_pk_setup_from_cert(mbedtls_pk_context *pk, stsafe_client *client, uint8_t slot,
                              const mbedtls_x509_crt *crt);

/** \brief 1 when \p pk was set up by this module. */
int stsafe_pk_is_stsafe(const mbedtls_pk_context *pk);

/** \brief The adapter's counters (NULL when \p pk is not an STSAFE key). */
const stsafe_pk_stats *stsafe_pk_get_stats(const mbedtls_pk_context *pk);

/**
 * \brief Chip status of the last failed signature (0 when none), since mbedTLS
 *        reports any sign failure as one pk error code.
 */
int stsafe_pk_last_error(const mbedtls_pk_context *pk);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_PK_STSAFE_H */
