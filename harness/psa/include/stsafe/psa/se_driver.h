/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file se_driver.h
 * \brief The chip behind a real PSA core today: mbedTLS 3.6's dynamic
 *        secure-element interface (MBEDTLS_PSA_CRYPTO_SE_C), and the
 *        chip-key route (chip_key.h) that wraps its keys for TLS.
 *
 * Built only against an mbedTLS with MBEDTLS_PSA_CRYPTO_SE_C (ci/build-mbedtls3's
 * mbedtls-3.6-psa prefix). The SE interface is deprecated upstream and gone
 * from TF-PSA-Crypto 1.x / mbedTLS 4.x (docs/psa.md: the opaque-driver route).
 *
 * Use: stsafe_psa_bind(client), stsafe_psa_set_public() for slot 0 or 1,
 * stsafe_psa_se_register() (before psa_crypto_init(), or it restarts PSA),
 * stsafe_psa_se_register_key(); then psa_sign_hash(STSAFE_PSA_KEY_ID_SLOT1, ...)
 * or mbedtls_pk_setup_opaque(&pk, STSAFE_PSA_KEY_ID_SLOT1).
 *
 * The PSA core keeps one ITS file per registered key in the current
 * directory (MBEDTLS_PSA_ITS_FILE_C; "<key id>.psa_its"): the slot number and
 * the attributes, never key material. psa_destroy_key() removes it and leaves
 * the chip's key alone (the A110 has no command that deletes a key).
 */
#ifndef STSAFE_PSA_SE_DRIVER_H
#define STSAFE_PSA_SE_DRIVER_H

#include <psa/crypto.h>
#include <psa/crypto_se_driver.h>

#include "stsafe/psa/psa.h"
#include "stsafe/tls/chip_key.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \brief The psa_drv_se_t of the chip (for a caller that registers it
 *        itself with psa_register_se_driver()).
 */
const psa_drv_se_t *stsafe_psa_se_methods(void);

/**
 * \brief Register the chip at STSAFE_PSA_LOCATION, then psa_crypto_init().
 *        PSA's documentation asks for registration before psa_crypto_init();
 *        3.6.6 also accepts it later (the driver's p_init, which does nothing
 *        here, is then not called), which is what the tools rely on. Should a
 *        PSA core answer PSA_ERROR_BAD_STATE, this shuts it down
 *        (mbedtls_psa_crypto_free(): volatile keys are lost), registers, and
 *        initialises it again. Calling it again is harmless.
 * \return PSA_SUCCESS; psa_register_se_driver()'s or psa_crypto_init()'s errors.
 */
psa_status_t stsafe_psa_se_register(void);

/**
 * \brief Declare the chip's existing key of \p slot (0, 1 or 0xFF) to PSA
 *        (mbedtls_psa_register_se_key()) under stsafe_psa_key_id_of(slot):
 *        an ECC key pair on the slot's curve (stsafe_psa_set_public() first),
 *        usage SIGN_HASH | VERIFY_HASH, algorithm ECDSA(ANY_HASH), persistent.
 *        A key already registered with the same slot number is kept.
 * \return PSA_SUCCESS; PSA_ERROR_DOES_NOT_EXIST for another slot or no public
 *         point known; mbedtls_psa_register_se_key()'s errors.
 */
psa_status_t stsafe_psa_se_register_key(uint8_t slot);

/**
 * \brief Destroy every chip key registered with PSA (their ITS files go; the
 *        chip's keys stay).
 */
void stsafe_psa_se_forget_keys(void);

/**
 * \brief The route "PSA SE (mbedTLS 3.6)": setup binds \p client, records
 *        \p pub, registers the driver and the key, and wraps the key id with
 *        mbedtls_pk_setup_opaque(). stats counts the slot's Generate Signature
 *        commands; last_error is the slot's last failed signature's error.
 */
const stsafe_chip_key_route *stsafe_psa_chip_key_route(void);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_PSA_SE_DRIVER_H */
