/* SPDX-License-Identifier: BSD-3-Clause */
/* ECDSA signature AlgorithmIdentifiers as RFC 5758 wants them (x509_sigalg.h). */
#include "stsafe/protocol/x509_sigalg.h"

#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/version.h>

#include "stsafe/protocol/error.h"

#define TAG_INTEGER    0x02u
#define TAG_BIT_STRING 0x03u
#define TAG_NULL       0x05u
#define TAG_OID        0x06u
#define TAG_SEQUENCE   0x30u
#define TAG_SET        0x31u
#define TAG_VERSION    0xA0u /* [0] EXPLICIT, constructed */

/* ecdsa-with-SHA224..512 are 1.2.840.10045.4.3.1..4 (RFC 5758 section 3.2):
 * these 7 bytes and a last one of 1..4. */
static const uint8_t ecdsa_with_prefix[7] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03};
#define ECDSA_OID_LEN 8u

typedef struct {
    uint8_t tag;
    size_t off;  /* of the tag */
    size_t hdr;  /* tag and length bytes */
    size_t len;  /* content bytes */
} tlv;

static size_t tlv_end(const tlv *t)
{
    return t->off + t->hdr + t->len;
}

/* The TLV at \p off, which must end by \p end. */
static int read_tlv(const uint8_t *der, size_t off, size_t end, tlv *t)
{
    if (off >= end || end - off < 2)
        return STSAFE_ERR_CODEC_TRUNCATED;
    size_t n = der[off + 1], hdr = 2;
    if (n & 0x80u) {
        size_t k = n & 0x7Fu;
        if (k == 0 || k > 3)
            return STSAFE_ERR_CODEC_VALUE; /* indefinite (BER) or absurdly long */
        if (end - off - 2 < k)
            return STSAFE_ERR_CODEC_TRUNCATED;
        n = 0;
        for (size_t i = 0; i < k; i++)
            n = (n << 8) | der[off + 2 + i];
        hdr += k;
    }
    if (end - off - hdr < n)
        return STSAFE_ERR_CODEC_TRUNCATED;
    t->tag = der[off];
    t->off = off;
    t->hdr = hdr;
    t->len = n;
    return 0;
}

/* STSAFE_X509_SIGALG_* of the AlgorithmIdentifier \p t; *md its hash. */
static int classify(const uint8_t *der, const tlv *t, mbedtls_md_type_t *md)
{
    static const mbedtls_md_type_t hashes[4] = {MBEDTLS_MD_SHA224, MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA384,
                                                MBEDTLS_MD_SHA512};
    const uint8_t *c = der + t->off + t->hdr;
    *md = MBEDTLS_MD_NONE;
    if (t->len < 2 + ECDSA_OID_LEN || c[0] != TAG_OID || c[1] != ECDSA_OID_LEN ||
        memcmp(c + 2, ecdsa_with_prefix, sizeof ecdsa_with_prefix) != 0 || c[9] < 1 || c[9] > 4)
        return STSAFE_X509_SIGALG_OTHER;
    size_t rest = t->len - 2 - ECDSA_OID_LEN;
    int enc = rest == 0 ? STSAFE_X509_SIGALG_ABSENT
              : (rest == 2 && c[10] == TAG_NULL && c[11] == 0) ? STSAFE_X509_SIGALG_NULL
                                                             : STSAFE_X509_SIGALG_OTHER;
    if (enc != STSAFE_X509_SIGALG_OTHER)
        *md = hashes[c[9] - 1];
    return enc;
}

/* Certificate or CSR, from the TBS's first fields (x509_sigalg.h). */
static int find_inner(const uint8_t *der, const tlv *tbs, stsafe_x509_sigalg_info *info)
{
    size_t end = tlv_end(tbs);
    tlv t;
    int rc = read_tlv(der, tbs->off + tbs->hdr, end, &t);
    if (!rc && t.tag == TAG_VERSION)
        rc = read_tlv(der, tlv_end(&t), end, &t);
    if (rc)
        return rc;
    if (t.tag != TAG_INTEGER)
        return STSAFE_ERR_CODEC_VALUE;
    if ((rc = read_tlv(der, tlv_end(&t), end, &t)) != 0)
        return rc;
    if (t.tag != TAG_SEQUENCE)
        return STSAFE_ERR_CODEC_VALUE;
    const uint8_t *first = der + t.off + t.hdr;
    if (t.len == 0 || first[0] == TAG_SET) { /* a Name: this is a CSR */
        info->kind = STSAFE_X509_CSR;
        info->inner_encoding = STSAFE_X509_SIGALG_ABSENT;
        return 0;
    }
    if (first[0] != TAG_OID)
        return STSAFE_ERR_CODEC_VALUE;
    mbedtls_md_type_t md;
    info->kind = STSAFE_X509_CERTIFICATE;
    info->inner_off = t.off;
    info->inner_len = t.hdr + t.len;
    info->inner_encoding = classify(der, &t, &md);
    return 0;
}

int stsafe_x509_sigalg_inspect(const uint8_t *der, size_t len, stsafe_x509_sigalg_info *info)
{
    tlv outer, tbs, alg, sig;
    if (!der || !info)
        return STSAFE_ERR_BAD_INPUT;
    memset(info, 0, sizeof *info);
    int rc = read_tlv(der, 0, len, &outer);
    if (!rc && outer.tag != TAG_SEQUENCE)
        rc = STSAFE_ERR_CODEC_VALUE;
    size_t end = rc ? 0 : tlv_end(&outer);
    if (!rc)
        rc = read_tlv(der, outer.hdr, end, &tbs);
    if (!rc)
        rc = read_tlv(der, tlv_end(&tbs), end, &alg);
    if (!rc)
        rc = read_tlv(der, tlv_end(&alg), end, &sig);
    if (rc)
        return rc;
    if (tbs.tag != TAG_SEQUENCE || alg.tag != TAG_SEQUENCE || sig.tag != TAG_BIT_STRING || sig.len < 1 ||
        der[sig.off + sig.hdr] != 0 || tlv_end(&sig) != end)
        return STSAFE_ERR_CODEC_VALUE;
    if ((rc = find_inner(der, &tbs, info)) != 0)
        return rc;
    info->total_len = end;
    info->tbs_off = tbs.off;
    info->tbs_len = tbs.hdr + tbs.len;
    info->outer_off = alg.off;
    info->outer_len = alg.hdr + alg.len;
    info->sig_off = sig.off + sig.hdr + 1;
    info->sig_len = sig.len - 1;
    info->outer_encoding = classify(der, &alg, &info->md);
    return 0;
}

/* DER length octets for \p n (n < 2^24). */
static size_t len_size(size_t n)
{
    return n < 0x80u ? 1 : n < 0x100u ? 2 : n < 0x10000u ? 3 : 4;
}

static size_t write_header(uint8_t *p, uint8_t tag, size_t n)
{
    size_t k = len_size(n);
    p[0] = tag;
    if (k == 1) {
        p[1] = (uint8_t)n;
    } else {
        p[1] = (uint8_t)(0x80u | (k - 1));
        for (size_t i = 0; i < k - 1; i++)
            p[2 + i] = (uint8_t)(n >> (8 * (k - 2 - i)));
    }
    return 1 + k;
}

static int sign_hash(mbedtls_pk_context *signer, mbedtls_md_type_t md, const uint8_t *tbs, size_t tbs_len,
                     uint8_t *sig, size_t sig_cap, size_t *sig_len,
                     int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(md);
    if (!mi || mbedtls_md(mi, tbs, tbs_len, hash) != 0)
        return STSAFE_ERR_CRYPTO;
#if MBEDTLS_VERSION_MAJOR >= 3
    int rc = mbedtls_pk_sign(signer, md, hash, mbedtls_md_get_size(mi), sig, sig_cap, sig_len, f_rng, p_rng);
#else
    (void)sig_cap; /* 2.28 writes at most MBEDTLS_ECDSA_MAX_LEN for an ECDSA key */
    int rc = mbedtls_pk_sign(signer, md, hash, mbedtls_md_get_size(mi), sig, sig_len, f_rng, p_rng);
#endif
    return rc ? STSAFE_ERR_CRYPTO : 0;
}

/* The certificate's TBS with its inner identifier shortened, signed again,
 * and the certificate around it (x509_sigalg.h). */
static int resign_certificate(uint8_t *der, size_t *len, size_t cap, const stsafe_x509_sigalg_info *in,
                              const uint8_t *algid, mbedtls_pk_context *signer,
                              int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
    uint8_t sig[MBEDTLS_ECDSA_MAX_LEN];
    size_t sig_len = 0;
    tlv tbs;
    int rc = read_tlv(der, in->tbs_off, in->tbs_off + in->tbs_len, &tbs);
    if (rc)
        return rc;
    /* 1. the TBS content without the inner NULL, where it was */
    size_t content = tbs.off + tbs.hdr, inner_end = in->inner_off + in->inner_len;
    memcpy(der + in->inner_off, algid, STSAFE_X509_ECDSA_ALGID_LEN);
    memmove(der + in->inner_off + STSAFE_X509_ECDSA_ALGID_LEN, der + inner_end, tlv_end(&tbs) - inner_end);
    size_t tbs_content = tbs.len - (in->inner_len - STSAFE_X509_ECDSA_ALGID_LEN);
    /* 2. its header just before it: never longer than the old one */
    size_t hdr = 1 + len_size(tbs_content);
    size_t tbs_start = content - hdr, new_tbs = hdr + tbs_content;
    (void)write_header(der + tbs_start, TAG_SEQUENCE, tbs_content);
    /* 3. the new signature over the new TBS */
    rc = sign_hash(signer, in->md, der + tbs_start, new_tbs, sig, sizeof sig, &sig_len, f_rng, p_rng);
    if (rc)
        return rc;
    /* 4. SEQUENCE { TBS, algorithm, BIT STRING { 00, signature } } */
    size_t bits = 1 + len_size(sig_len + 1) + 1 + sig_len;
    size_t body = new_tbs + STSAFE_X509_ECDSA_ALGID_LEN + bits;
    size_t total = 1 + len_size(body) + body;
    if (total > cap)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    size_t p = 1 + len_size(body);
    memmove(der + p, der + tbs_start, new_tbs);
    (void)write_header(der, TAG_SEQUENCE, body);
    p += new_tbs;
    memcpy(der + p, algid, STSAFE_X509_ECDSA_ALGID_LEN);
    p += STSAFE_X509_ECDSA_ALGID_LEN;
    p += write_header(der + p, TAG_BIT_STRING, sig_len + 1);
    der[p++] = 0x00; /* no unused bits */
    memcpy(der + p, sig, sig_len);
    *len = total;
    return 0;
}

/* A CSR's outer identifier shortened in place; the signature stays. */
static size_t shorten_outer(uint8_t *der, const stsafe_x509_sigalg_info *in, const uint8_t *algid)
{
    size_t cut = in->outer_len - STSAFE_X509_ECDSA_ALGID_LEN;
    tlv outer = {0};
    (void)read_tlv(der, 0, in->total_len, &outer); /* inspected already: cannot fail */
    size_t body = outer.len - cut;
    size_t tail = in->outer_off + in->outer_len;
    memcpy(der + in->outer_off, algid, STSAFE_X509_ECDSA_ALGID_LEN);
    memmove(der + in->outer_off + STSAFE_X509_ECDSA_ALGID_LEN, der + tail, in->total_len - tail);
    size_t new_hdr = 1 + len_size(body);
    if (new_hdr != outer.hdr) /* the length got one byte shorter: slide everything up */
        memmove(der + new_hdr, der + outer.hdr, body);
    (void)write_header(der, TAG_SEQUENCE, body);
    return new_hdr + body;
}

int stsafe_x509_sigalg_fix(uint8_t *der, size_t *len, size_t cap, mbedtls_pk_context *signer,
                           int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
    stsafe_x509_sigalg_info in;
    uint8_t algid[STSAFE_X509_ECDSA_ALGID_LEN];
    if (!der || !len || *len > cap)
        return STSAFE_ERR_BAD_INPUT;
    int rc = stsafe_x509_sigalg_inspect(der, *len, &in);
    if (rc)
        return rc;
    int inner_null = in.inner_encoding == STSAFE_X509_SIGALG_NULL;
    int outer_null = in.outer_encoding == STSAFE_X509_SIGALG_NULL;
    if (!inner_null && !outer_null)
        return 0; /* RFC 5758 already (mbedTLS 3.x), or not ECDSA: nothing to do */
    if (in.outer_encoding == STSAFE_X509_SIGALG_OTHER || in.inner_encoding == STSAFE_X509_SIGALG_OTHER)
        return STSAFE_ERR_BAD_INPUT;
    /* ecdsa-with-SHA*, no parameters: the outer identifier's OID */
    algid[0] = TAG_SEQUENCE;
    algid[1] = 2 + ECDSA_OID_LEN;
    memcpy(algid + 2, der + in.outer_off + 2, 2 + ECDSA_OID_LEN);
    if (in.kind == STSAFE_X509_CERTIFICATE && memcmp(der + in.inner_off + 2, algid + 2, 2 + ECDSA_OID_LEN) != 0)
        return STSAFE_ERR_BAD_INPUT; /* RFC 5280 4.1.1.2: the two must be the same algorithm */
    if (!inner_null) { /* a CSR, or a certificate whose TBS is right already */
        *len = shorten_outer(der, &in, algid);
        return 0;
    }
    if (!signer || !mbedtls_pk_can_do(signer, MBEDTLS_PK_ECDSA))
        return STSAFE_ERR_BAD_INPUT;
    return resign_certificate(der, len, cap, &in, algid, signer, f_rng, p_rng);
}

const char *stsafe_x509_sigalg_encoding_name(int encoding)
{
    switch (encoding) {
    case STSAFE_X509_SIGALG_ABSENT: return "parameters absent (RFC 5758)";
    case STSAFE_X509_SIGALG_NULL:   return "explicit NULL parameter";
    default:                        return "not ECDSA";
    }
}
