/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file x509_walk.h
 * \brief Tests' own walk through a DER certificate or CSR (mbedTLS's ASN.1
 *        parser, not the module under test): the exact bytes of its
 *        signature AlgorithmIdentifiers, and its signature checked over the
 *        TBS as written.
 */
#ifndef STSE_X509_WALK_H
#define STSE_X509_WALK_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

/** ecdsa-with-SHA256 as RFC 5758 section 3.2 writes it: no parameters. */
extern const uint8_t x509_walk_ecdsa_sha256[12];
/** The same with the NULL parameter of mbedTLS 2.28's writers (the old encoding). */
extern const uint8_t x509_walk_ecdsa_sha256_null[14];

typedef struct {
    const uint8_t *tbs;   size_t tbs_len;   /**< TBS (header included). */
    const uint8_t *inner; size_t inner_len; /**< TBS `signature` field; NULL for a CSR. */
    const uint8_t *outer; size_t outer_len; /**< signatureAlgorithm. */
    const uint8_t *sig;   size_t sig_len;   /**< Signature value (after the unused-bits byte). */
    size_t total_len;                       /**< The whole object. */
} x509_walk;

/**
 * Walk \p der (a certificate when \p is_cert, else a CSR); fails the running
 * test when it is not well-formed DER of that kind or has trailing bytes
 * inside \p len that are not zone padding (\p len may exceed the object).
 */
void x509_walk_der(const uint8_t *der, size_t len, int is_cert, x509_walk *w);

/**
 * Assert the RFC 5758 encoding of ecdsa-with-SHA256 in every place it must
 * be (inner and outer for a certificate, outer for a CSR), byte for byte,
 * and that \p issuer's public key verifies the signature over the TBS
 * bytes as they are. Fails the running test otherwise.
 */
void x509_walk_assert_rfc5758(const uint8_t *der, size_t len, int is_cert, mbedtls_pk_context *issuer);

#endif
