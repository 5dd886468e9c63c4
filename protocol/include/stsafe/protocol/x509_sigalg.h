/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file x509_sigalg.h
 * \brief The ECDSA signature AlgorithmIdentifiers of certificates and CSRs,
 *        checked and brought to the encoding RFC 5758 requires.
 *
 * RFC 5758 section 3.2: when ecdsa-with-SHA224/256/384/512 is the signature
 * algorithm, "the encoding MUST omit the parameters field", so the
 * AlgorithmIdentifier is
 *
 *     30 0a 06 08 2a 86 48 ce 3d 04 03 02          (ecdsa-with-SHA256)
 *
 * mbedTLS 2.28's certificate and CSR writers add an explicit NULL
 * (30 0c 06 08 2a 86 48 ce 3d 04 03 02 05 00), which strict stacks such as
 * wolfSSL refuse; mbedTLS 3.x omits it. Every certificate and CSR the
 * project writes goes through stsafe_x509_sigalg_fix() right after the
 * mbedTLS writer: on 2.28 it rewrites the identifiers (and re-signs a
 * certificate, whose TBS holds one of them); when the writer already got
 * it right (3.x) it changes nothing. docs/provisioning.md, "Encoding".
 *
 * The parser reads DER only (definite lengths of up to 3 bytes, which
 * covers anything up to 16 MiB). Pure: no I/O, no allocation.
 */
#ifndef STSAFE_X509_SIGALG_H
#define STSAFE_X509_SIGALG_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/md.h>
#include <mbedtls/pk.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a DER object is. */
#define STSAFE_X509_CERTIFICATE 1 /**< Certificate (RFC 5280): an identifier in the TBS and outside. */
#define STSAFE_X509_CSR         2 /**< CertificationRequest (RFC 2986): an identifier outside only. */

/** How one AlgorithmIdentifier is encoded. */
#define STSAFE_X509_SIGALG_ABSENT 0 /**< ecdsa-with-SHA*, no parameters: RFC 5758. */
#define STSAFE_X509_SIGALG_NULL   1 /**< ecdsa-with-SHA* followed by NULL (05 00): mbedTLS 2.28. */
#define STSAFE_X509_SIGALG_OTHER  2 /**< Another algorithm (RSA...) or other parameters: left alone. */

/** Bytes of an ecdsa-with-SHA* AlgorithmIdentifier without parameters. */
#define STSAFE_X509_ECDSA_ALGID_LEN 12u

/** Where the parts of a certificate or CSR are: offsets from its first byte. */
typedef struct {
    int kind;                   /**< STSAFE_X509_CERTIFICATE or STSAFE_X509_CSR. */
    size_t total_len;           /**< The whole object (outer SEQUENCE, header included). */
    size_t tbs_off, tbs_len;    /**< tbsCertificate / certificationRequestInfo, header included. */
    size_t inner_off, inner_len;/**< The TBS's `signature` AlgorithmIdentifier; 0, 0 in a CSR. */
    size_t outer_off, outer_len;/**< The outer signatureAlgorithm. */
    size_t sig_off, sig_len;    /**< The signature value: the BIT STRING's bytes after its unused-bits byte. */
    int inner_encoding;         /**< STSAFE_X509_SIGALG_* of the inner identifier (CSR: ABSENT). */
    int outer_encoding;         /**< STSAFE_X509_SIGALG_* of the outer identifier. */
    mbedtls_md_type_t md;       /**< The hash of the outer ecdsa-with OID; MBEDTLS_MD_NONE for OTHER. */
} stsafe_x509_sigalg_info;

/**
 * \brief Find the signature AlgorithmIdentifiers of a DER certificate or CSR
 *        and say how each is encoded.
 *
 * A certificate's TBS starts with an optional [0] version and the serial
 * number INTEGER followed by an AlgorithmIdentifier (a SEQUENCE that starts
 * with an OID); a CSR's starts with the version INTEGER followed by a Name
 * (a SEQUENCE of SETs). That is how the two are told apart.
 * \param der   The object; bytes after its outer SEQUENCE are ignored (a
 *              certificate read from a chip zone may be followed by padding).
 * \param len   Bytes available at \p der.
 * \param info  Receives the layout.
 * \return 0; STSAFE_ERR_BAD_INPUT (NULL); STSAFE_ERR_CODEC_TRUNCATED (a
 *         length runs past \p len); STSAFE_ERR_CODEC_VALUE (not the DER
 *         structure of a certificate or CSR).
 */
int stsafe_x509_sigalg_inspect(const uint8_t *der, size_t len, stsafe_x509_sigalg_info *info);

/**
 * \brief Rewrite every ecdsa-with-SHA* AlgorithmIdentifier of a DER
 *        certificate or CSR that carries a NULL parameter into the RFC 5758
 *        form, in place.
 *
 * - Nothing to rewrite (RFC 5758 already, as mbedTLS 3.x writes, or not
 *   ECDSA): returns 0 and leaves \p der and \p len untouched; \p signer is
 *   not used. A second call is therefore harmless.
 * - A CSR: the outer identifier is rewritten. The signature covers the
 *   certificationRequestInfo only, so it stays as it is (no new signature;
 *   \p signer may be NULL).
 * - A certificate: the TBS `signature` field and the outer
 *   signatureAlgorithm are both rewritten (they stay equal), the new TBS is
 *   hashed with the OID's hash and signed again with \p signer, and the
 *   certificate is assembled again around the new signature.
 * \param der     The object at the start of a buffer of \p cap bytes.
 * \param len     In: its length. Out: the new length: 2 bytes shorter
 *                for a CSR; 4 for a certificate, give or take the new
 *                ECDSA signature's own length (its r and s vary in size).
 * \param cap     Size of the buffer, at least \p len. A certificate can
 *                outgrow \p len only if its old signature was unusually
 *                short (r or s with leading zero bytes): a few spare bytes
 *                make STSAFE_ERR_BUFFER_TOO_SMALL impossible.
 * \param signer  The issuer's private key (the CA's; for a self-signed
 *                certificate the subject's own): any pk context that can
 *                do ECDSA, the chip's pk_stsafe adapter included.
 * \param f_rng   Random generator for the signature (mbedTLS may need it
 *                for blinding); may be NULL where the signer does not.
 * \return 0; STSAFE_ERR_BAD_INPUT (NULL \p der or \p len, \p len > \p cap, a certificate
 *         and no \p signer or a signer that cannot do ECDSA, or a
 *         certificate whose inner and outer identifiers differ);
 *         the errors of stsafe_x509_sigalg_inspect();
 *         STSAFE_ERR_BUFFER_TOO_SMALL; STSAFE_ERR_CRYPTO (hashing or
 *         signing failed: for the chip's adapter, stsafe_pk_last_error()
 *         says why). On error the contents of \p der are undefined.
 */
int stsafe_x509_sigalg_fix(uint8_t *der, size_t *len, size_t cap, mbedtls_pk_context *signer,
                           int (*f_rng)(void *, unsigned char *, size_t), void *p_rng);

/** \brief "parameters absent (RFC 5758)", "explicit NULL parameter" or "not ECDSA", for messages. */
const char *stsafe_x509_sigalg_encoding_name(int encoding);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_X509_SIGALG_H */
