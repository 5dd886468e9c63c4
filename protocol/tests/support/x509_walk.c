/* SPDX-License-Identifier: BSD-3-Clause */
/* The tests' own walk through a DER certificate or CSR (x509_walk.h). */
#include "x509_walk.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/asn1.h>
#include <mbedtls/md.h>

const uint8_t x509_walk_ecdsa_sha256[12] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                            0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
const uint8_t x509_walk_ecdsa_sha256_null[14] = {0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                                 0xce, 0x3d, 0x04, 0x03, 0x02, 0x05, 0x00};

/* One TLV of tag \p tag at *p: *start its first byte, *total its size; *p after it. */
static void take(unsigned char **p, const unsigned char *end, int tag, const uint8_t **start, size_t *total)
{
    unsigned char *s = *p;
    size_t len = 0;
    assert_int_equal(mbedtls_asn1_get_tag(p, end, &len, tag), 0);
    *p += len;
    *start = s;
    *total = (size_t)(*p - s);
}

void x509_walk_der(const uint8_t *der, size_t len, int is_cert, x509_walk *w)
{
    unsigned char *p = (unsigned char *)(uintptr_t)der, *end = p + len;
    size_t outer_len = 0, skip = 0;
    const uint8_t *ignored;
    memset(w, 0, sizeof *w);
    assert_int_equal(mbedtls_asn1_get_tag(&p, end, &outer_len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE), 0);
    end = p + outer_len;
    w->total_len = (size_t)(end - der);
    for (const uint8_t *pad = end; pad < der + len; pad++)
        assert_int_equal(*pad, 0); /* only a zone's erased bytes after the object */
    take(&p, end, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &w->tbs, &w->tbs_len);
    take(&p, end, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &w->outer, &w->outer_len);
    const uint8_t *bits;
    size_t bits_len;
    take(&p, end, MBEDTLS_ASN1_BIT_STRING, &bits, &bits_len);
    assert_ptr_equal(p, end);
    w->sig_len = bits[1] < 0x80 ? bits[1] : bits[2]; /* ECDSA signatures stay under 256 bytes */
    w->sig = bits + bits_len - w->sig_len;
    assert_int_equal(w->sig[0], 0x00); /* no unused bits */
    w->sig++;
    w->sig_len--;

    /* inside the TBS: [0] version (certificate), INTEGER, then the inner identifier or the Name */
    unsigned char *q = (unsigned char *)(uintptr_t)w->tbs, *tend = q + w->tbs_len;
    assert_int_equal(mbedtls_asn1_get_tag(&q, tend, &skip, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE), 0);
    if (is_cert)
        take(&q, tend, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0, &ignored, &skip);
    take(&q, tend, MBEDTLS_ASN1_INTEGER, &ignored, &skip);
    if (is_cert) {
        take(&q, tend, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &w->inner, &w->inner_len);
    } else {
        const uint8_t *name;
        size_t name_len;
        take(&q, tend, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &name, &name_len);
        assert_int_equal(name[name[1] < 0x80 ? 2 : 2 + (name[1] & 0x7F)], 0x31); /* a Name: SETs */
    }
}

void x509_walk_assert_rfc5758(const uint8_t *der, size_t len, int is_cert, mbedtls_pk_context *issuer)
{
    x509_walk w;
    unsigned char hash[32];
    x509_walk_der(der, len, is_cert, &w);
    assert_int_equal(w.outer_len, sizeof x509_walk_ecdsa_sha256);
    assert_memory_equal(w.outer, x509_walk_ecdsa_sha256, sizeof x509_walk_ecdsa_sha256);
    if (is_cert) {
        assert_int_equal(w.inner_len, sizeof x509_walk_ecdsa_sha256);
        assert_memory_equal(w.inner, x509_walk_ecdsa_sha256, sizeof x509_walk_ecdsa_sha256);
    }
    assert_int_equal(mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), w.tbs, w.tbs_len, hash), 0);
    assert_int_equal(mbedtls_pk_verify(issuer, MBEDTLS_MD_SHA256, hash, sizeof hash, w.sig, w.sig_len), 0);
}
