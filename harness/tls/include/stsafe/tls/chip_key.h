/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file chip_key.h
 * \brief The chip's key as an mbedtls_pk_context, by whichever route this
 *        build's mbedTLS allows.
 *
 * mbedTLS takes a private key as an mbedtls_pk_context (CSRs, certificates,
 * mbedtls_ssl_conf_own_cert()). How such a context can sign with a key that
 * stays in the chip depends on the mbedTLS version (docs/mbedtls.md):
 *
 * - mbedTLS 2.28: a custom pk info table (pk_stsafe.h), the route
 *   stsafe_chip_key_pk_table() returns. Built only against 2.28: in 3.x the
 *   table is private, and stsafe_chip_key_pk_table() returns NULL.
 * - mbedTLS 3.6: a PSA key whose location is the chip, wrapped with
 *   mbedtls_pk_setup_opaque(); a PSA module provides its own
 *   stsafe_chip_key_route.
 *
 * A route is a table of functions with one contract, so a program (the
 * tools' csr, provision, tls-connect and mqtt-publish) is written once and
 * picks the route at run time.
 */
#ifndef STSAFE_TLS_CHIP_KEY_H
#define STSAFE_TLS_CHIP_KEY_H

#include <stdint.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "stsafe/client/client.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Counters of what a route asked of the chip for one key. */
typedef struct {
    uint32_t signatures;        /**< Generate Signature commands sent. */
    uint32_t truncated;         /**< Digests longer than the key, cut to its size first. */
} stsafe_pk_stats;

/** One way of giving mbedTLS a key held by the chip. */
typedef struct stsafe_chip_key_route {
    /** What the route is, for messages ("pk table (mbedTLS 2.28)"). */
    const char *name;
    /**
     * Set up \p pk (initialised, not set up) as the key of chip slot \p slot
     * on \p curve whose public point is \p pub; \p client stays in use by
     * \p pk until mbedtls_pk_free(). 0, or a negative mbedTLS error code
     * (MBEDTLS_ERR_PK_BAD_INPUT_DATA for an unknown curve or a point not on it).
     */
    int (*setup)(mbedtls_pk_context *pk, stsafe_client *client, uint8_t slot, uint8_t curve,
                 const stsafe_ecc_point *pub);
    /** The counters of a key this route set up (NULL for any other key). */
    const stsafe_pk_stats *(*stats)(const mbedtls_pk_context *pk);
    /** The chip's status of the key's last failed signature (0 when none). */
    int (*last_error)(const mbedtls_pk_context *pk);
} stsafe_chip_key_route;

/**
 * \brief The pk-table route of mbedTLS 2.28 (pk_stsafe.h).
 * \return The route; NULL when this build uses mbedTLS 3.x, which has no
 *         public pk table (use a PSA route there).
 */
const stsafe_chip_key_route *stsafe_chip_key_pk_table(void);

/**
 * \brief Set up \p pk through \p route (route->setup()).
 * \return 0; MBEDTLS_ERR_PK_BAD_INPUT_DATA for a NULL route or argument;
 *         the route's errors.
 */
int stsafe_chip_key_setup(const stsafe_chip_key_route *route, mbedtls_pk_context *pk, stsafe_client *client,
                          uint8_t slot, uint8_t curve, const stsafe_ecc_point *pub);

/**
 * \brief Set up \p pk through \p route as slot \p slot's key, whose public
 *        half is the certificate's (the device certificate, or one provisioned).
 * \return as stsafe_chip_key_setup(); MBEDTLS_ERR_PK_TYPE_MISMATCH when the
 *         certificate's key is not an EC key on a curve the A110 has.
 */
int stsafe_chip_key_setup_from_cert(const stsafe_chip_key_route *route, mbedtls_pk_context *pk,
                                    stsafe_client *client, uint8_t slot, const mbedtls_x509_crt *crt);

/** \brief route->stats(\p pk), or NULL when the route has none or \p route is NULL. */
const stsafe_pk_stats *stsafe_chip_key_stats(const stsafe_chip_key_route *route, const mbedtls_pk_context *pk);

/** \brief route->last_error(\p pk), or 0 when the route has none or \p route is NULL. */
int stsafe_chip_key_last_error(const stsafe_chip_key_route *route, const mbedtls_pk_context *pk);

/**
 * \brief The public point and curve of an EC key (a certificate's, a CSR's).
 * \return 0; MBEDTLS_ERR_PK_TYPE_MISMATCH when \p pk is not an EC key on a
 *         curve the A110 has.
 */
int stsafe_chip_key_public(const mbedtls_pk_context *pk, uint8_t *curve, stsafe_ecc_point *pub);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_TLS_CHIP_KEY_H */
