/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file opaque_driver.h
 * \brief The chip as an opaque driver of the PSA Crypto Driver Interface:
 *        the entry points a PSA core with generated driver wrappers
 *        (TF-PSA-Crypto 1.x, mbedTLS 3.6 with MBEDTLS_PSA_CRYPTO_DRIVERS)
 *        calls for keys in the chip's location (docs/psa.md, "Opaque driver").
 *
 * A second registration over the same core as se_driver.h: every entry point
 * checks the key's attributes and key context, then calls the stsafe_psa_*
 * function of psa.h on the chip slot the context names. The process-wide
 * binding (stsafe_psa_bind(), stsafe_psa_set_public()) is the same one.
 *
 * Names: the driver description (harness/psa/driver/stsafe_opaque.json) has
 * "prefix": "stsafe" and "type": "opaque"; the wrapper generator of mbedTLS
 * 3.6 and TF-PSA-Crypto 1.x names an entry point PREFIX_TYPE_ENTRYPOINT
 * (their templates do not apply a capability's "names"), hence
 * stsafe_opaque_sign_hash() and so on. The signatures are those the generated
 * wrappers call (psa_crypto_driver_wrappers.h of mbedTLS 3.6.6).
 *
 * **Key context** (the "key buffer" PSA stores for an opaque key, the driver's
 * own representation; STSAFE_OPAQUE_KEY_CONTEXT_SIZE bytes, no pointer):
 *
 * | bytes | content |
 * |---|---|
 * | 0..3 | magic 'S' 'T' 'S' 'A' |
 * | 4 | version, STSAFE_OPAQUE_KEY_CONTEXT_VERSION (1) |
 * | 5 | chip slot: 0, 1 or 0xFF (ephemeral) |
 * | 6 | stsafe_curve of the key |
 * | 7 | 0 (reserved) |
 * | 8..15 | the first 8 bytes of the public X coordinate: the key this context was made for |
 *
 * Every entry point that takes a key checks, in this order, answering:
 * the lifetime's location is STSAFE_OPAQUE_LOCATION, else
 * PSA_ERROR_INVALID_ARGUMENT (as the wrappers answer for an unknown
 * location); the type is an ECC key pair on a curve the A110 has, else
 * PSA_ERROR_NOT_SUPPORTED; the buffer is STSAFE_OPAQUE_KEY_CONTEXT_SIZE bytes,
 * else PSA_ERROR_INVALID_ARGUMENT; magic, version and reserved byte, else
 * PSA_ERROR_CORRUPTION_DETECTED (a stored context that is not this driver's);
 * the slot is 0, 1 or 0xFF, else PSA_ERROR_DOES_NOT_EXIST; the context's curve
 * is the attributes', else PSA_ERROR_INVALID_ARGUMENT; a chip is bound, else
 * PSA_ERROR_BAD_STATE; the slot's known public key is the one the context
 * was made for, else PSA_ERROR_DOES_NOT_EXIST (slot 1 regenerated since: the
 * key this context named is gone).
 *
 * **Built-in keys** (MBEDTLS_PSA_CRYPTO_BUILTIN_KEYS): the keys already in the
 * chip have key ids in mbedTLS's built-in range
 * (MBEDTLS_PSA_KEY_ID_BUILTIN_MIN..MAX) whose low byte is the chip slot; the
 * driver's slot number (psa_drv_slot_number_t) is the chip slot itself.
 * stsafe_opaque_platform_builtin_key() is the mapping a platform's
 * mbedtls_psa_platform_get_builtin_key() returns.
 *
 * Allocation and destruction: none. generate_key picks the slot from the
 * lifetime (volatile: the ephemeral slot, persistent: slot 1) and the A110
 * has no command that deletes a key, so PSA destroying a key only forgets
 * its context. Not thread-safe (as psa.h).
 */
#ifndef STSAFE_PSA_OPAQUE_DRIVER_H
#define STSAFE_PSA_OPAQUE_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include <psa/crypto.h>

#include "stsafe/psa/psa.h"

/* In a PSA core built with this driver (STSAFE_PSA_OPAQUE_DRIVER: the JSON's
 * h_condition and c_condition), the generated wrappers compile their
 * opaque-driver cases only under PSA_CRYPTO_ACCELERATOR_DRIVER_PRESENT, which
 * a driver's header defines (as mbedTLS's own p256-m driver header does). */
#if defined(STSAFE_PSA_OPAQUE_DRIVER) && !defined(PSA_CRYPTO_ACCELERATOR_DRIVER_PRESENT)
#define PSA_CRYPTO_ACCELERATOR_DRIVER_PRESENT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** The chip's location for the opaque driver: a vendor location
 *  (PSA_KEY_LOCATION_VENDOR_FLAG | 0x5A = 0x80005A). The SE interface's
 *  STSAFE_PSA_LOCATION (0x5A) cannot carry the vendor flag (mbedTLS 3.6
 *  refuses SE locations above 255), so the two registrations use two values. */
#define STSAFE_OPAQUE_LOCATION ((psa_key_location_t)(PSA_KEY_LOCATION_VENDOR_FLAG | 0x5Au))

/** The lifetime of a persistent key generated in the chip (slot 1). */
#define STSAFE_OPAQUE_LIFETIME \
    PSA_KEY_LIFETIME_FROM_PERSISTENCE_AND_LOCATION(PSA_KEY_PERSISTENCE_DEFAULT, STSAFE_OPAQUE_LOCATION)

/** The lifetime get_builtin_key reports: PSA cannot delete a chip key. */
#define STSAFE_OPAQUE_BUILTIN_LIFETIME \
    PSA_KEY_LIFETIME_FROM_PERSISTENCE_AND_LOCATION(PSA_KEY_PERSISTENCE_READ_ONLY, STSAFE_OPAQUE_LOCATION)

/** Built-in key ids (in MBEDTLS_PSA_KEY_ID_BUILTIN_MIN 0x7FFF0000 ..
 *  MBEDTLS_PSA_KEY_ID_BUILTIN_MAX 0x7FFFEFFF; low byte = chip slot). */
#define STSAFE_OPAQUE_KEY_ID_SLOT0     ((psa_key_id_t)0x7FFF5A00u)
#define STSAFE_OPAQUE_KEY_ID_SLOT1     ((psa_key_id_t)0x7FFF5A01u)
#define STSAFE_OPAQUE_KEY_ID_EPHEMERAL ((psa_key_id_t)0x7FFF5AFFu)

/** Size of a key context (the table above); also the JSON's "base_size"
 *  and "builtin_key_size". */
#define STSAFE_OPAQUE_KEY_CONTEXT_SIZE    16u
#define STSAFE_OPAQUE_KEY_CONTEXT_VERSION 1u

/**
 * \brief "size_function": bytes of key context for a key of this type and size.
 * \return STSAFE_OPAQUE_KEY_CONTEXT_SIZE for an ECC key pair on P-256, P-384,
 *         brainpoolP256r1 or brainpoolP384r1; 0 for anything else (the
 *         wrappers turn 0 into PSA_ERROR_NOT_SUPPORTED).
 */
size_t stsafe_opaque_size_function(psa_key_type_t key_type, size_t key_bits);

/**
 * \brief "get_builtin_key": the attributes and key context of a key that is
 *        already in the chip.
 * \param slot_number  The chip slot: 0, 1 or 0xFF (ephemeral).
 * \param attributes   On entry the lifetime names STSAFE_OPAQUE_LOCATION;
 *                     on PSA_SUCCESS or PSA_ERROR_BUFFER_TOO_SMALL it holds
 *                     the key's type, bits, lifetime
 *                     (STSAFE_OPAQUE_BUILTIN_LIFETIME), usage and algorithm:
 *                     slots 0 and 1 SIGN_HASH | VERIFY_HASH with
 *                     ECDSA(ANY_HASH), the ephemeral slot DERIVE with ECDH.
 * \param key_buffer   Receives the key context; NULL with size 0 to ask for
 *                     the attributes only.
 * \return PSA_SUCCESS; PSA_ERROR_BUFFER_TOO_SMALL (attributes filled);
 *         PSA_ERROR_DOES_NOT_EXIST for another slot, another location, or
 *         a slot whose public key is not known (stsafe_psa_set_public(), or
 *         an ephemeral key not generated yet); PSA_ERROR_BAD_STATE when no
 *         chip is bound.
 */
psa_status_t stsafe_opaque_get_builtin_key(psa_drv_slot_number_t slot_number, psa_key_attributes_t *attributes,
                                           uint8_t *key_buffer, size_t key_buffer_size,
                                           size_t *key_buffer_length);

/**
 * \brief The platform's half of built-in keys: the lifetime and slot number
 *        of one of this driver's key ids, what
 *        mbedtls_psa_platform_get_builtin_key() answers for them.
 * \return PSA_SUCCESS; PSA_ERROR_DOES_NOT_EXIST for any other key id.
 */
psa_status_t stsafe_opaque_platform_builtin_key(psa_key_id_t key_id, psa_key_lifetime_t *lifetime,
                                                psa_drv_slot_number_t *slot_number);

/**
 * \brief "sign_hash": Generate Signature with the key the context names;
 *        raw R||S out.
 * \param alg  PSA_ALG_ECDSA(SHA-256, SHA-384 or ANY_HASH).
 * \return PSA_SUCCESS; the key checks above; as stsafe_psa_sign_hash()
 *         (PSA_ERROR_NOT_SUPPORTED for SHA-512, deterministic ECDSA, RSA;
 *         PSA_ERROR_BUFFER_TOO_SMALL; PSA_ERROR_COMMUNICATION_FAILURE for a
 *         bus failure; the chip's status through psa.h's table).
 */
psa_status_t stsafe_opaque_sign_hash(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                     size_t key_buffer_size, psa_algorithm_t alg, const uint8_t *hash,
                                     size_t hash_length, uint8_t *signature, size_t signature_size,
                                     size_t *signature_length);

/**
 * \brief "verify_hash": Verify Signature in the chip with the key's public point.
 * \return PSA_SUCCESS; PSA_ERROR_INVALID_SIGNATURE; the key checks above;
 *         as stsafe_psa_verify_hash().
 */
psa_status_t stsafe_opaque_verify_hash(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                       size_t key_buffer_size, psa_algorithm_t alg, const uint8_t *hash,
                                       size_t hash_length, const uint8_t *signature, size_t signature_length);

/**
 * \brief "generate_key": Generate Key in the chip and write the new key's
 *        context. A volatile lifetime takes the ephemeral slot (0xFF), any
 *        other slot 1 (replacing the key there: contexts made for the old
 *        key answer PSA_ERROR_DOES_NOT_EXIST from then on).
 * \return PSA_SUCCESS; PSA_ERROR_INVALID_ARGUMENT for another location;
 *         PSA_ERROR_NOT_SUPPORTED for a type or size the A110 lacks (RSA,
 *         P-521, a public key, ...); PSA_ERROR_BUFFER_TOO_SMALL when
 *         \p key_buffer_size < STSAFE_OPAQUE_KEY_CONTEXT_SIZE;
 *         PSA_ERROR_BAD_STATE when unbound; the chip's errors.
 */
psa_status_t stsafe_opaque_generate_key(const psa_key_attributes_t *attributes, uint8_t *key_buffer,
                                        size_t key_buffer_size, size_t *key_buffer_length);

/**
 * \brief "import_key": always PSA_ERROR_NOT_SUPPORTED (the A110 imports no
 *        private key, and a public key alone is no chip key).
 */
psa_status_t stsafe_opaque_import_key(const psa_key_attributes_t *attributes, const uint8_t *data,
                                      size_t data_length, uint8_t *key_buffer, size_t key_buffer_size,
                                      size_t *key_buffer_length, size_t *bits);

/**
 * \brief "export_public_key": the key's public point, 04||X||Y.
 * \return PSA_SUCCESS; PSA_ERROR_BUFFER_TOO_SMALL; the key checks above.
 */
psa_status_t stsafe_opaque_export_public_key(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                             size_t key_buffer_size, uint8_t *data, size_t data_size,
                                             size_t *data_length);

/**
 * \brief "export_key": always PSA_ERROR_NOT_PERMITTED (the private key never
 *        leaves the chip), whatever the arguments; nothing is sent to the chip.
 */
psa_status_t stsafe_opaque_export_key(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                      size_t key_buffer_size, uint8_t *data, size_t data_size,
                                      size_t *data_length);

/**
 * \brief "key_agreement": Establish Key (raw ECDH) of the key with
 *        \p peer_key (04||X||Y on the key's curve); the shared X out.
 * \param alg  PSA_ALG_ECDH.
 * \return PSA_SUCCESS; the key checks above; as stsafe_psa_key_agreement()
 *         (PSA_ERROR_NOT_SUPPORTED for another algorithm,
 *         PSA_ERROR_INVALID_ARGUMENT for a peer key of the wrong form).
 */
psa_status_t stsafe_opaque_key_agreement(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                         size_t key_buffer_size, psa_algorithm_t alg, const uint8_t *peer_key,
                                         size_t peer_key_length, uint8_t *shared_secret,
                                         size_t shared_secret_size, size_t *shared_secret_length);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_PSA_OPAQUE_DRIVER_H */
