/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file mbedtls_compat.h
 * \brief What differs between mbedTLS 2.28 and 3.6 for this project, in one place.
 *
 * The project builds against both (docs/mbedtls.md). Code that touches an
 * API the two versions spell differently goes through this header instead
 * of testing MBEDTLS_VERSION_NUMBER itself:
 *
 * - structure members that 3.x made private (mbedtls_ecp_keypair's grp, d
 *   and Q, mbedtls_x509_csr's sig): STSAFE_MBEDTLS_PRIVATE(member). Points
 *   are read and written with mbedtls_ecp_point_read_binary()/write_binary()
 *   (public in both) through stsafe_mbedtls_point_from_xy()/_to_xy();
 * - functions 3.x removed or changed: SHA-256 through mbedtls_md(), the
 *   certificate serial, pk_parse_keyfile(), pk_check_pair(), pk_sign() (3.x
 *   adds an RNG or an output size), the TLS 1.2-only setting;
 * - psa_crypto_init(), which an mbedTLS 3.6 built with
 *   MBEDTLS_USE_PSA_CRYPTO needs before any PK, X.509 or TLS call.
 *
 * Each part is compiled only when the mbedTLS configuration has the module it
 * wraps, so a device configuration without X.509 or TLS still compiles it.
 */
#ifndef STSAFE_PROTOCOL_MBEDTLS_COMPAT_H
#define STSAFE_PROTOCOL_MBEDTLS_COMPAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mbedtls/version.h> /* 2.28: includes the configuration; 3.x: build_info.h */

/** 1 when building against mbedTLS 3.x, 0 against 2.28. */
#if MBEDTLS_VERSION_MAJOR >= 3
#define STSAFE_MBEDTLS_3 1
#include <mbedtls/private_access.h>
/** A structure member that mbedTLS 3.x made private (prefixed private_). */
#define STSAFE_MBEDTLS_PRIVATE(member) MBEDTLS_PRIVATE(member)
#else
#define STSAFE_MBEDTLS_3 0
#define STSAFE_MBEDTLS_PRIVATE(member) member
#endif

/** 1 when mbedTLS lets a program give mbedtls_pk_setup() its own pk info
 *  table (2.28: mbedtls/pk_internal.h is public), which the stsafe_tls
 *  adapter needs; 0 on 3.x, where the table is private. */
#define STSAFE_MBEDTLS_HAS_PK_TABLE (!STSAFE_MBEDTLS_3)

#if defined(MBEDTLS_USE_PSA_CRYPTO)
#include <psa/crypto.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \brief Prepare mbedTLS for PK, X.509 and TLS calls: psa_crypto_init() when
 *        mbedTLS is built with MBEDTLS_USE_PSA_CRYPTO (3.6 with
 *        ci/mbedtls3/stsafe_psa_config.h), nothing otherwise. Idempotent.
 * \return 0; -1 when the PSA core cannot start (no entropy, no memory).
 */
static inline int stsafe_mbedtls_init(void)
{
#if defined(MBEDTLS_USE_PSA_CRYPTO)
    return psa_crypto_init() == PSA_SUCCESS ? 0 : -1;
#else
    return 0;
#endif
}

#if defined(MBEDTLS_MD_C) && defined(MBEDTLS_SHA256_C)
#include <mbedtls/md.h>
/**
 * \brief SHA-256 of \p len bytes (2.28's mbedtls_sha256_ret() is gone in 3.x).
 * \return 0; an mbedTLS error code.
 */
static inline int stsafe_mbedtls_sha256(const unsigned char *in, size_t len, unsigned char out[32])
{
    return mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), in, len, out);
}
#endif

#if defined(MBEDTLS_ECP_C)
#include <mbedtls/ecp.h>
/**
 * \brief Load the point (\p x, \p y), \p n bytes each, big-endian, into \p pt
 *        on \p grp. The point is not checked against the curve.
 * \return 0; MBEDTLS_ERR_ECP_BAD_INPUT_DATA (size not the curve's, or over 66).
 */
static inline int stsafe_mbedtls_point_from_xy(const mbedtls_ecp_group *grp, mbedtls_ecp_point *pt,
                                               const uint8_t *x, const uint8_t *y, size_t n)
{
    unsigned char buf[1 + 2 * 66];
    if (n > 66)
        return MBEDTLS_ERR_ECP_BAD_INPUT_DATA;
    buf[0] = 0x04; /* uncompressed, SEC 1 2.3.3 */
    memcpy(buf + 1, x, n);
    memcpy(buf + 1 + n, y, n);
    return mbedtls_ecp_point_read_binary(grp, pt, buf, 1 + 2 * n);
}

/**
 * \brief Write the coordinates of \p pt on \p grp into \p x and \p y, \p n
 *        bytes each (the curve's size), big-endian.
 * \return 0; MBEDTLS_ERR_ECP_BAD_INPUT_DATA (the point at infinity, or \p n
 *         not the curve's size); MBEDTLS_ERR_ECP_BUFFER_TOO_SMALL.
 */
static inline int stsafe_mbedtls_point_to_xy(const mbedtls_ecp_group *grp, const mbedtls_ecp_point *pt,
                                             uint8_t *x, uint8_t *y, size_t n)
{
    unsigned char buf[1 + 2 * 66];
    size_t olen = 0;
    if (n > 66)
        return MBEDTLS_ERR_ECP_BUFFER_TOO_SMALL;
    int rc = mbedtls_ecp_point_write_binary(grp, pt, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, buf, 1 + 2 * n);
    if (rc)
        return rc;
    if (olen != 1 + 2 * n)
        return MBEDTLS_ERR_ECP_BAD_INPUT_DATA;
    memcpy(x, buf + 1, n);
    memcpy(y, buf + 1 + n, n);
    return 0;
}
#endif

#if defined(MBEDTLS_X509_CRT_WRITE_C)
#include <mbedtls/x509_crt.h>
/**
 * \brief Set the serial number of a certificate being written, as the
 *        big-endian bytes \p serial (3.4+: set_serial_raw; the mbedtls_mpi
 *        variant is deprecated in 3.x). Leading zero bytes are dropped on
 *        both versions, as 2.28's mbedtls_mpi route does, so the DER is the same.
 * \return 0; an mbedTLS error code.
 */
static inline int stsafe_mbedtls_crt_set_serial(mbedtls_x509write_cert *crt, const uint8_t *serial, size_t len)
{
#if STSAFE_MBEDTLS_3
    unsigned char copy[MBEDTLS_X509_RFC5280_MAX_SERIAL_LEN];
    while (len > 1 && serial[0] == 0) {
        serial++;
        len--;
    }
    if (len > sizeof copy)
        return MBEDTLS_ERR_X509_BAD_INPUT_DATA;
    memcpy(copy, serial, len); /* the function takes a non-const pointer */
    return mbedtls_x509write_crt_set_serial_raw(crt, copy, len);
#else
    mbedtls_mpi sn;
    mbedtls_mpi_init(&sn);
    int rc = mbedtls_mpi_read_binary(&sn, serial, len);
    if (!rc)
        rc = mbedtls_x509write_crt_set_serial(crt, &sn);
    mbedtls_mpi_free(&sn);
    return rc;
#endif
}
#endif

#if defined(MBEDTLS_PK_C)
#include <mbedtls/pk.h>
/**
 * \brief mbedtls_pk_sign(); \p sig holds \p sig_size bytes (3.x checks it,
 *        2.28 needs MBEDTLS_PK_SIGNATURE_MAX_SIZE).
 */
static inline int stsafe_mbedtls_pk_sign(mbedtls_pk_context *ctx, mbedtls_md_type_t md_alg,
                                         const unsigned char *hash, size_t hash_len, unsigned char *sig,
                                         size_t sig_size, size_t *sig_len,
                                         int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
#if STSAFE_MBEDTLS_3
    return mbedtls_pk_sign(ctx, md_alg, hash, hash_len, sig, sig_size, sig_len, f_rng, p_rng);
#else
    (void)sig_size;
    return mbedtls_pk_sign(ctx, md_alg, hash, hash_len, sig, sig_len, f_rng, p_rng);
#endif
}

/**
 * \brief mbedtls_pk_check_pair(); 3.x checks with a blinded multiplication
 *        and needs \p f_rng, 2.28 ignores it.
 */
static inline int stsafe_mbedtls_pk_check_pair(const mbedtls_pk_context *pub, const mbedtls_pk_context *prv,
                                               int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
#if STSAFE_MBEDTLS_3
    return mbedtls_pk_check_pair(pub, prv, f_rng, p_rng);
#else
    (void)f_rng;
    (void)p_rng;
    return mbedtls_pk_check_pair(pub, prv);
#endif
}

#if defined(MBEDTLS_PK_PARSE_C) && defined(MBEDTLS_FS_IO)
/**
 * \brief mbedtls_pk_parse_keyfile() without a password; 3.x wants an RNG
 *        (it checks the key's public half with a blinded multiplication).
 */
static inline int stsafe_mbedtls_pk_parse_keyfile(mbedtls_pk_context *ctx, const char *path,
                                                  int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
#if STSAFE_MBEDTLS_3
    return mbedtls_pk_parse_keyfile(ctx, path, NULL, f_rng, p_rng);
#else
    (void)f_rng;
    (void)p_rng;
    return mbedtls_pk_parse_keyfile(ctx, path, NULL);
#endif
}
#endif
#endif /* MBEDTLS_PK_C */

#if defined(MBEDTLS_SSL_TLS_C)
#include <mbedtls/ssl.h>
/** \brief Allow TLS 1.2 only on \p conf (3.2+ names versions differently). */
static inline void stsafe_mbedtls_ssl_conf_tls12_only(mbedtls_ssl_config *conf)
{
#if STSAFE_MBEDTLS_3
    mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
    mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_PROTOCOL_MBEDTLS_COMPAT_H */
