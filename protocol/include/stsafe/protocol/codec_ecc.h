/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file codec_ecc.h
 * \brief Payload codecs of the key commands: Generate Key, Generate
 *        Signature, Verify Signature, Establish Key (facts page, 6c; STSELib
 *        stsafea_asymmetric_key_slots.c and stsafea_ecc.c).
 *
 * Wire encodings:
 * - public key: 0x04 · X length (2) · X · Y length (2) · Y
 * - signature:  R length (2) · R · S length (2) · S
 * - curve:      the identifier of curves.h (2-byte length + OID value)
 * Coordinates, R and S are fixed-width big-endian, the curve's size each.
 * Same error conventions as codec.h.
 */
#ifndef STSAFE_CODEC_ECC_H
#define STSAFE_CODEC_ECC_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/protocol/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_MAX_COORD_LEN      48u
#define STSAFE_POINT_UNCOMPRESSED 0x04u
#define STSAFE_EPHEMERAL_SLOT     0xFFu
#define STSAFE_VERIFY_SUBJECT_ECDSA 0x00u

/** A public point (X and Y \c size bytes each). */
typedef struct {
    size_t size;
    uint8_t x[STSAFE_MAX_COORD_LEN];
    uint8_t y[STSAFE_MAX_COORD_LEN];
} stsafe_ecc_point;

/** An ECDSA signature (R and S \c size bytes each). */
typedef struct {
    size_t size;
    uint8_t r[STSAFE_MAX_COORD_LEN];
    uint8_t s[STSAFE_MAX_COORD_LEN];
} stsafe_ecc_signature;

int stsafe_point_encode(stsafe_writer *w, const stsafe_ecc_point *p);
/** Reads a point; X and Y must have the same length, at most 48 bytes. */
int stsafe_point_read(stsafe_reader *r, stsafe_ecc_point *p);
int stsafe_signature_encode(stsafe_writer *w, const stsafe_ecc_signature *s);
int stsafe_signature_read(stsafe_reader *r, stsafe_ecc_signature *s);
/** Whole-buffer decoders of a point or a signature (Generate Key and Generate Signature answers). */
int stsafe_point_decode(const uint8_t *p, size_t n, stsafe_ecc_point *pt);
int stsafe_signature_decode(const uint8_t *p, size_t n, stsafe_ecc_signature *s);

/**
 * Generate Key, private key slot: tag 0x13 · slot (1) · usage limit (2) ·
 * mode of operation (2) · curve. STSELib sends the mode as 00 00 ("filler");
 * ST's A110 library and a captured A110 frame send the key's usage flags
 * there (0x8000 change right, 0x0008, 0x0004, 0x0001: docs/protocol.md).
 */
typedef struct {
    uint8_t slot;
    uint16_t usage_limit;
    uint16_t mode;
    uint8_t curve;           /**< stsafe_curve; STSAFE_CURVE_NONE after decoding an unknown id. */
} stsafe_genkey_req;

/** Generate Signature: slot (1) · digest length (2) · digest. */
typedef struct {
    uint8_t slot;
    const uint8_t *digest;
    size_t digest_len;
} stsafe_sign_req;

/** Verify Signature, subject 0 (ECDSA): subject · curve · point · signature · length (2) · digest. */
typedef struct {
    uint8_t subject;
    uint8_t curve;
    stsafe_ecc_point key;
    stsafe_ecc_signature sig;
    const uint8_t *digest;
    size_t digest_len;
} stsafe_verify_req;

/** Establish Key: slot (1) · point. Answer: secret length (2) · secret. */
typedef struct {
    uint8_t slot;
    stsafe_ecc_point peer;
} stsafe_ecdh_req;

int stsafe_genkey_req_encode(stsafe_writer *w, const stsafe_genkey_req *req);
/** An unknown curve identifier decodes with curve = STSAFE_CURVE_NONE (the chip answers it). */
int stsafe_genkey_req_decode(const uint8_t *p, size_t n, stsafe_genkey_req *req);
int stsafe_sign_req_encode(stsafe_writer *w, const stsafe_sign_req *req);
int stsafe_sign_req_decode(const uint8_t *p, size_t n, stsafe_sign_req *req);
int stsafe_verify_req_encode(stsafe_writer *w, const stsafe_verify_req *req);
int stsafe_verify_req_decode(const uint8_t *p, size_t n, stsafe_verify_req *req);
int stsafe_ecdh_req_encode(stsafe_writer *w, const stsafe_ecdh_req *req);
int stsafe_ecdh_req_decode(const uint8_t *p, size_t n, stsafe_ecdh_req *req);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_CODEC_ECC_H */
