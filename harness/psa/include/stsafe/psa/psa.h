/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file psa.h
 * \brief The chip as a PSA key location: the core shared by every PSA
 *        registration (docs/psa.md).
 *
 * One function per PSA operation on a chip slot (sign_hash, verify_hash,
 * generate_key, export_public_key, ECDH key agreement), answering
 * psa_status_t, with the key named by its chip slot: 0 (the factory key of
 * the device certificate), 1 (the key Generate Key replaces) or
 * STSAFE_PSA_SLOT_EPHEMERAL (0xFF). A registration (se_driver.h: mbedTLS
 * 3.6's dynamic secure-element interface) turns PSA's key ids and slot
 * numbers into these calls.
 *
 * **Why a process-wide binding.** A PSA driver's entry points get no
 * pointer of the caller's: the SE interface's take a driver context the
 * PSA core owns (psa_drv_se_context_t, holding the driver's persistent data
 * and one uintptr_t set in p_init), the opaque-driver interface's take only
 * the key's attributes and buffer. The host client the chip is reached
 * through must therefore be found from a place the driver owns:
 * stsafe_psa_bind() records it for the whole process. This is also what PSA
 * itself is: one key store per process. Not thread-safe (neither is the SE
 * interface); one thread talks to the chip.
 *
 * The A110 cannot read back a slot's public key: the binding keeps the
 * public point of each slot, taken from Generate Key's answer or given by
 * the caller (stsafe_psa_set_public(), from the device certificate for
 * slot 0, from a provisioned certificate for slot 1).
 *
 * **Chip status -> psa_status_t** (stsafe_psa_status()):
 *
 * | chip status / error | psa_status_t |
 * |---|---|
 * | 0x0A key not found | PSA_ERROR_DOES_NOT_EXIST |
 * | 0x0B key blocked, 0x0F invalid life cycle, 0x11 access condition, 0x13 counter limit (usage limit spent), 0x1B wrong key usage, 0x1E command not authorized | PSA_ERROR_NOT_PERMITTED |
 * | 0x02 inconsistent data, 0x03 out of range, 0x06 buffer length, 0x0C wrong key type, 0x19 invalid public key | PSA_ERROR_INVALID_ARGUMENT |
 * | 0x04 unsupported command | PSA_ERROR_NOT_SUPPORTED |
 * | 0x01 communication, 0x07 session, 0x08 messages lost, 0x09 C-MAC counter max, 0x16 invalid C-MAC | PSA_ERROR_COMMUNICATION_FAILURE |
 * | any other status (0x05 unexpected error, ...) | PSA_ERROR_HARDWARE_FAILURE |
 * | STSAFE_ERR_BUS_*, STSAFE_ERR_FRAME_*, STSAFE_ERR_CODEC_*, STSAFE_ERR_SC_*, STSAFE_ERR_DEVICE_FAILED | PSA_ERROR_COMMUNICATION_FAILURE |
 * | STSAFE_ERR_BAD_INPUT | PSA_ERROR_INVALID_ARGUMENT |
 * | STSAFE_ERR_BUFFER_TOO_SMALL | PSA_ERROR_BUFFER_TOO_SMALL |
 * | any other error | PSA_ERROR_GENERIC_ERROR |
 */
#ifndef STSAFE_PSA_PSA_H
#define STSAFE_PSA_PSA_H

#include <stddef.h>
#include <stdint.h>

#include <psa/crypto.h>

#include "stsafe/client/client.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The chip's PSA key location for mbedTLS 3.6's SE interface (1..255 there:
 *  PSA_MAX_SE_LOCATION; a PSA_KEY_LOCATION_VENDOR_FLAG location is refused). */
#define STSAFE_PSA_LOCATION ((psa_key_location_t)0x5A)

/** Key ids of the chip's slots (in PSA's user range 1..0x3FFFFFFF). */
#define STSAFE_PSA_KEY_ID_SLOT0     ((psa_key_id_t)0x2A110000u)
#define STSAFE_PSA_KEY_ID_SLOT1     ((psa_key_id_t)0x2A110001u)
#define STSAFE_PSA_KEY_ID_EPHEMERAL ((psa_key_id_t)0x2A1100FFu)

/** The ephemeral slot's number (Generate Key's and Establish Key's 0xFF). */
#define STSAFE_PSA_SLOT_EPHEMERAL 0xFFu

/**
 * \brief Bind the process's PSA route to \p client (NULL: unbind). Forgets
 *        every slot's public point and counter.
 * \return PSA_SUCCESS.
 */
psa_status_t stsafe_psa_bind(stsafe_client *client);

/** \brief The bound client, or NULL. */
stsafe_client *stsafe_psa_bound(void);

/**
 * \brief Record the public point of \p slot's key (the chip cannot read it back).
 * \return PSA_SUCCESS; PSA_ERROR_DOES_NOT_EXIST for a slot other than 0, 1,
 *         0xFF; PSA_ERROR_NOT_SUPPORTED for a curve the A110 lacks;
 *         PSA_ERROR_INVALID_ARGUMENT for a point of the wrong size.
 */
psa_status_t stsafe_psa_set_public(uint8_t slot, uint8_t curve, const stsafe_ecc_point *pub);

/** \brief The chip slot of key id \p id: PSA_SUCCESS, or PSA_ERROR_DOES_NOT_EXIST. */
psa_status_t stsafe_psa_slot_of(psa_key_id_t id, uint8_t *slot);

/** \brief The key id of chip slot \p slot, or 0 (PSA_KEY_ID_NULL) for none. */
psa_key_id_t stsafe_psa_key_id_of(uint8_t slot);

/**
 * \brief The stsafe_curve of a PSA key type and size.
 * \return PSA_SUCCESS; PSA_ERROR_NOT_SUPPORTED for RSA, P-521, Curve25519
 *         or anything else the A110 lacks.
 */
psa_status_t stsafe_psa_curve_of(psa_key_type_t type, size_t bits, uint8_t *curve);

/**
 * \brief The PSA key pair type and size of an stsafe_curve (the inverse of
 *        stsafe_psa_curve_of()).
 * \return PSA_SUCCESS; PSA_ERROR_NOT_SUPPORTED for STSAFE_CURVE_NONE or an
 *         unknown curve.
 */
psa_status_t stsafe_psa_type_of(uint8_t curve, psa_key_type_t *type, size_t *bits);

/** \brief The PSA status of a chip status byte (table above). */
psa_status_t stsafe_psa_status_from_chip(uint8_t status);

/** \brief The PSA status of 0 or an STSAFE_ERR_* code (table above). */
psa_status_t stsafe_psa_status(int err);

/**
 * \brief sign_hash: Generate Signature with \p slot's key, raw R||S out.
 * \param alg  PSA_ALG_ECDSA(SHA-256, SHA-384 or ANY_HASH); ANY_HASH takes
 *             a 32- or 48-byte digest.
 * \return PSA_SUCCESS; PSA_ERROR_BAD_STATE when unbound;
 *         PSA_ERROR_DOES_NOT_EXIST for no such slot or no public point known;
 *         PSA_ERROR_NOT_SUPPORTED for another algorithm (deterministic
 *         ECDSA, SHA-512, RSA); PSA_ERROR_INVALID_ARGUMENT for a digest of
 *         the wrong length; PSA_ERROR_BUFFER_TOO_SMALL; the chip's errors.
 */
psa_status_t stsafe_psa_sign_hash(uint8_t slot, psa_algorithm_t alg, const uint8_t *hash, size_t hash_len,
                                  uint8_t *sig, size_t sig_size, size_t *sig_len);

/**
 * \brief verify_hash: Verify Signature in the chip with \p slot's public point.
 * \return PSA_SUCCESS; PSA_ERROR_INVALID_SIGNATURE; as stsafe_psa_sign_hash().
 */
psa_status_t stsafe_psa_verify_hash(uint8_t slot, psa_algorithm_t alg, const uint8_t *hash, size_t hash_len,
                                    const uint8_t *sig, size_t sig_len);

/**
 * \brief generate_key: Generate Key in slot 1 or the ephemeral slot; the
 *        public key out as 04||X||Y, and recorded for the slot.
 * \return PSA_SUCCESS; PSA_ERROR_NOT_PERMITTED for slot 0 (the factory key
 *         is never replaced); PSA_ERROR_DOES_NOT_EXIST for another slot;
 *         PSA_ERROR_NOT_SUPPORTED for a type or size the A110 lacks;
 *         PSA_ERROR_BUFFER_TOO_SMALL; the chip's errors.
 */
psa_status_t stsafe_psa_generate_key(uint8_t slot, psa_key_type_t type, size_t bits, uint8_t *pub,
                                     size_t pub_size, size_t *pub_len);

/**
 * \brief export_public_key: \p slot's public point as 04||X||Y.
 * \return PSA_SUCCESS; PSA_ERROR_DOES_NOT_EXIST when no point is known;
 *         PSA_ERROR_BUFFER_TOO_SMALL.
 */
psa_status_t stsafe_psa_export_public_key(uint8_t slot, uint8_t *out, size_t out_size, size_t *out_len);

/** \brief export_key of a chip key: always PSA_ERROR_NOT_PERMITTED (private keys never leave). */
psa_status_t stsafe_psa_export_key(uint8_t slot, uint8_t *out, size_t out_size, size_t *out_len);

/**
 * \brief key_agreement: Establish Key (ECDH) of \p slot's key with
 *        \p peer (04||X||Y on the slot's curve); the shared X out.
 * \param alg  PSA_ALG_ECDH.
 * \return PSA_SUCCESS; PSA_ERROR_NOT_SUPPORTED for another algorithm;
 *         PSA_ERROR_INVALID_ARGUMENT for a peer key of the wrong form or
 *         size; PSA_ERROR_BUFFER_TOO_SMALL; as stsafe_psa_sign_hash().
 */
psa_status_t stsafe_psa_key_agreement(uint8_t slot, psa_algorithm_t alg, const uint8_t *peer, size_t peer_len,
                                      uint8_t *secret, size_t secret_size, size_t *secret_len);

/** \brief The stsafe_curve of \p slot's known public key; STSAFE_CURVE_NONE when none is known. */
uint8_t stsafe_psa_slot_curve(uint8_t slot);

/** \brief Generate Signature commands sent for \p slot since the last bind (0 for no such slot). */
uint32_t stsafe_psa_signatures(uint8_t slot);

/** \brief The error of \p slot's last failed signature (an STSAFE_ERR_* code; 0 when none). */
int stsafe_psa_last_error(uint8_t slot);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_PSA_PSA_H */
