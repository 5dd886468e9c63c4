/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stsafe_psa_config.h: the options ci/build-mbedtls3 adds on top of
 * mbedTLS 3.6's default configuration (include/mbedtls/mbedtls_config.h of
 * Debian 13's source package) for the PSA secure-element route of issue 13:
 * a key held by the chip, signed with through psa_sign_hash(), and used by
 * TLS 1.2 and 1.3 through mbedtls_pk_setup_opaque().
 *
 * Passed to mbedTLS's CMake as MBEDTLS_USER_CONFIG_FILE; build_info.h includes
 * it after the default configuration. The build installs a copy into
 * build/deps/mbedtls-3.6-psa/include/, and every program compiled against
 * that prefix must define MBEDTLS_USER_CONFIG_FILE the same way (CMake's
 * exported MbedTLS targets carry the definition): the structures differ with
 * these options, so a mismatch is an ABI mismatch.
 *
 * Already in the default configuration, checked by ci/build-mbedtls3 after
 * the build rather than repeated here: MBEDTLS_PSA_CRYPTO_C,
 * MBEDTLS_PSA_CRYPTO_STORAGE_C, MBEDTLS_PSA_ITS_FILE_C,
 * MBEDTLS_SSL_PROTO_TLS1_2, MBEDTLS_SSL_PROTO_TLS1_3, MBEDTLS_CMAC_C,
 * MBEDTLS_NIST_KW_C, MBEDTLS_ECDSA_DETERMINISTIC, MBEDTLS_X509_CRT_WRITE_C.
 *
 * Deliberately not defined:
 *  - MBEDTLS_DEPRECATED_WARNING (Debian's package sets it): SE_C below is
 *    deprecated, and the warning would fail mbedTLS's own -Werror build.
 *  - MBEDTLS_PSA_CRYPTO_BUILTIN_KEYS: the opaque-driver route's way of
 *    naming keys already in a chip. Experimental, and the library then calls
 *    mbedtls_psa_platform_get_builtin_key(), which every program linking it
 *    would have to provide. Not needed for the SE_C route.
 */
#ifndef STSAFE_PSA_CONFIG_H
#define STSAFE_PSA_CONFIG_H

/* PK, X.509 and TLS do their cryptography through PSA, and the API for keys
 * that PSA holds exists: mbedtls_pk_setup_opaque() wraps a PSA key id in an
 * mbedtls_pk_context, which is what mbedtls_ssl_conf_own_cert() takes. Without
 * it there is no way to give TLS a key that is not in host memory (the pk
 * info table is private in 3.x). */
#define MBEDTLS_USE_PSA_CRYPTO

/* The dynamic secure-element interface (psa/crypto_se_driver.h): a
 * psa_drv_se_t table registered at run time with psa_register_se_driver(),
 * and mbedtls_psa_register_se_key() to declare a key that already lives in
 * the chip. The only SE route that needs no generated driver wrappers in 3.6.
 * Deprecated upstream and removed in 4.x; not thread-safe (one thread talks to
 * the chip). Needs MBEDTLS_PSA_CRYPTO_C and MBEDTLS_PSA_CRYPTO_STORAGE_C. */
#define MBEDTLS_PSA_CRYPTO_SE_C

/* Mutexes around the PSA core's key slots and the DRBG. mbedTLS asks for
 * them whenever more than one thread calls PSA (directly or through PK, X.509
 * or TLS) with MBEDTLS_USE_PSA_CRYPTO; the bench and the socket tests serve
 * a chip from one thread while the client runs in another. Debian builds both its 2.28 and its 3.6 packages with these
 * two, so behaviour matches the libraries the project already uses. */
#define MBEDTLS_THREADING_C
#define MBEDTLS_THREADING_PTHREAD

#endif /* STSAFE_PSA_CONFIG_H */
