/* SPDX-License-Identifier: BSD-3-Clause */
/* x509_sigalg: ECDSA AlgorithmIdentifiers rewritten to RFC 5758's form,
 * certificates signed again over the corrected TBS, CSRs left signed,
 * objects already right left alone, malformed input refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "stsafe/protocol/error.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/protocol/x509_sigalg.h"
#include "support/x509_walk.h"

#ifndef MBEDTLS_PRIVATE /* mbedTLS 3.x hides some fields behind it */
#define MBEDTLS_PRIVATE(member) member
#endif

/* A deterministic generator: SHA-256 of a counter. */
static int test_rng(void *ctx, unsigned char *out, size_t len)
{
    uint32_t *counter = ctx;
    while (len) {
        unsigned char block[32], in[4];
        (*counter)++;
        memcpy(in, counter, sizeof in);
        mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), in, sizeof in, block);
        size_t n = len < sizeof block ? len : sizeof block;
        memcpy(out, block, n);
        out += n;
        len -= n;
    }
    return 0;
}

typedef struct {
    uint32_t rng;
    mbedtls_pk_context ca, subject;
} fixture;

static void gen_key(fixture *f, mbedtls_pk_context *pk, mbedtls_ecp_group_id curve)
{
    mbedtls_pk_init(pk);
    assert_int_equal(mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
    assert_int_equal(mbedtls_ecp_gen_key(curve, mbedtls_pk_ec(*pk), test_rng, &f->rng), 0);
}

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof f);
    if (stsafe_mbedtls_init() != 0) /* mbedTLS 3.6 with PSA: X.509 signs through PSA */
        return -1;
    gen_key(&f, &f.ca, MBEDTLS_ECP_DP_SECP256R1);
    gen_key(&f, &f.subject, MBEDTLS_ECP_DP_SECP256R1);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    mbedtls_pk_free(&f->ca);
    mbedtls_pk_free(&f->subject);
    return 0;
}

/* A certificate as mbedTLS writes it, moved to the start of \p out. */
static size_t write_cert(fixture *f, mbedtls_pk_context *issuer, const char *cn, mbedtls_md_type_t md,
                         uint8_t *out, size_t cap)
{
    mbedtls_x509write_cert w;
    static const uint8_t serial[] = {0x12, 0x34};
    char subject[300];
    mbedtls_x509write_crt_init(&w);
    snprintf(subject, sizeof subject, "CN=%s,O=stsafe-emu", cn);
    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, md);
    mbedtls_x509write_crt_set_subject_key(&w, &f->subject);
    mbedtls_x509write_crt_set_issuer_key(&w, issuer);
    assert_int_equal(stsafe_mbedtls_crt_set_serial(&w, serial, sizeof serial), 0); /* both mbedTLS versions */
    assert_int_equal(mbedtls_x509write_crt_set_subject_name(&w, subject), 0);
    assert_int_equal(mbedtls_x509write_crt_set_issuer_name(&w, "CN=Test CA"), 0);
    assert_int_equal(mbedtls_x509write_crt_set_validity(&w, "20240101000000", "20491231235959"), 0);
    int n = mbedtls_x509write_crt_der(&w, out, cap, test_rng, &f->rng);
    assert_true(n > 0);
    memmove(out, out + cap - (size_t)n, (size_t)n);
    mbedtls_x509write_crt_free(&w);
    return (size_t)n;
}

static size_t write_csr(fixture *f, const char *cn, uint8_t *out, size_t cap)
{
    mbedtls_x509write_csr w;
    char subject[300];
    snprintf(subject, sizeof subject, "CN=%s", cn);
    mbedtls_x509write_csr_init(&w);
    mbedtls_x509write_csr_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_csr_set_key(&w, &f->subject);
    assert_int_equal(mbedtls_x509write_csr_set_subject_name(&w, subject), 0);
    int n = mbedtls_x509write_csr_der(&w, out, cap, test_rng, &f->rng);
    assert_true(n > 0);
    memmove(out, out + cap - (size_t)n, (size_t)n);
    mbedtls_x509write_csr_free(&w);
    return (size_t)n;
}

static size_t put_header(uint8_t *p, uint8_t tag, size_t n)
{
    p[0] = tag;
    if (n < 0x80) {
        p[1] = (uint8_t)n;
        return 2;
    }
    if (n < 0x100) {
        p[1] = 0x81;
        p[2] = (uint8_t)n;
        return 3;
    }
    p[1] = 0x82;
    p[2] = (uint8_t)(n >> 8);
    p[3] = (uint8_t)n;
    return 4;
}

/* The old encoding made from an RFC 5758 one: 05 00 after the ecdsa-with
 * OID, in the TBS too for a certificate (whose signature is then wrong,
 * as after any change to a signed TBS). How mbedTLS 2.28 writes, for the
 * tests to hold on a writer that no longer does. */
static size_t add_nulls(uint8_t *der, size_t len, int is_cert)
{
    uint8_t tbs[2048], out[2048];
    x509_walk w;
    x509_walk_der(der, len, is_cert, &w);
    assert_int_equal(w.outer_len, 12);
    size_t t = 0, tbs_hdr = w.tbs[1] < 0x80 ? 2 : 2 + (w.tbs[1] & 0x7Fu);
    const uint8_t *content = w.tbs + tbs_hdr, *tbs_end = w.tbs + w.tbs_len;
    if (is_cert) {
        memcpy(tbs + 8, content, (size_t)(w.inner - content));
        t = 8 + (size_t)(w.inner - content);
        memcpy(tbs + t, x509_walk_ecdsa_sha256_null, 14);
        tbs[t + 11] = w.inner[11]; /* the hash of the OID */
        t += 14;
        memcpy(tbs + t, w.inner + 12, (size_t)(tbs_end - (w.inner + 12)));
        t += (size_t)(tbs_end - (w.inner + 12)) - 8;
    } else {
        memcpy(tbs + 8, content, (size_t)(tbs_end - content));
        t = (size_t)(tbs_end - content);
    }
    size_t h = put_header(out + 8, 0x30, t); /* TBS header, then its content */
    memmove(out + 8 + h, tbs + 8, t);
    size_t body = h + t;
    memcpy(out + 8 + body, x509_walk_ecdsa_sha256_null, 14);
    out[8 + body + 11] = w.outer[11];
    body += 14;
    body += put_header(out + 8 + body, 0x03, w.sig_len + 1);
    out[8 + body++] = 0;
    memcpy(out + 8 + body, w.sig, w.sig_len);
    body += w.sig_len;
    h = put_header(der, 0x30, body);
    memcpy(der + h, out + 8, body);
    return h + body;
}

/* What this build's mbedTLS writer does: 2.28 adds the NULL, 3.x does not. */
static int writer_adds_null(const uint8_t *der, size_t len)
{
    stsafe_x509_sigalg_info in;
    assert_int_equal(stsafe_x509_sigalg_inspect(der, len, &in), 0);
    return in.outer_encoding == STSAFE_X509_SIGALG_NULL;
}

/* A certificate in the old encoding: as mbedTLS 2.28 writes it, or made so. */
static size_t old_certificate(fixture *f, const char *cn, mbedtls_md_type_t md, uint8_t *der, size_t cap)
{
    size_t len = write_cert(f, &f->ca, cn, md, der, cap);
    return writer_adds_null(der, len) ? len : add_nulls(der, len, 1);
}

static void test_certificate_rewritten_and_signed_again(void **state)
{
    fixture *f = *state;
    uint8_t der[2048];
    size_t len = old_certificate(f, "device", MBEDTLS_MD_SHA256, der, sizeof der), before = len;
    stsafe_x509_sigalg_info in;
    assert_int_equal(stsafe_x509_sigalg_inspect(der, len, &in), 0);
    assert_int_equal(in.kind, STSAFE_X509_CERTIFICATE);
    assert_int_equal(in.md, MBEDTLS_MD_SHA256);
    assert_int_equal(in.inner_encoding, STSAFE_X509_SIGALG_NULL);
    assert_int_equal(in.outer_encoding, STSAFE_X509_SIGALG_NULL);
    assert_memory_equal(der + in.inner_off, x509_walk_ecdsa_sha256_null, sizeof x509_walk_ecdsa_sha256_null);
    assert_memory_equal(der + in.outer_off, x509_walk_ecdsa_sha256_null, sizeof x509_walk_ecdsa_sha256_null);
    assert_int_equal(stsafe_x509_sigalg_fix(der, &len, sizeof der, &f->ca, test_rng, &f->rng), 0);
    x509_walk_assert_rfc5758(der, len, 1, &f->ca);
    assert_true(len + 6 >= before && len <= before); /* 4 bytes fewer, +-2 for the signature */
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    assert_int_equal(mbedtls_x509_crt_parse_der(&crt, der, len), 0);
    assert_int_equal(crt.MBEDTLS_PRIVATE(sig_md), MBEDTLS_MD_SHA256);
    assert_int_equal(crt.serial.len, 2);
    mbedtls_x509_crt_free(&crt);
}

/* An object already in RFC 5758 form (what mbedTLS 3.x writes): not touched. */
static void test_already_right_is_left_alone(void **state)
{
    fixture *f = *state;
    uint8_t der[2048], copy[2048];
    size_t len = write_cert(f, &f->ca, "device", MBEDTLS_MD_SHA256, der, sizeof der);
    assert_int_equal(stsafe_x509_sigalg_fix(der, &len, sizeof der, &f->ca, test_rng, &f->rng), 0);
    memcpy(copy, der, len);
    size_t again = len;
    uint32_t rng_before = f->rng;
    assert_int_equal(stsafe_x509_sigalg_fix(der, &again, sizeof der, NULL, NULL, NULL), 0);
    assert_int_equal(again, len);
    assert_memory_equal(der, copy, len);
    assert_int_equal(f->rng, rng_before); /* no signature was made */
}

static void test_csr_outer_rewritten_signature_kept(void **state)
{
    fixture *f = *state;
    uint8_t der[2048];
    size_t len = write_csr(f, "demo-device-01", der, sizeof der);
    if (!writer_adds_null(der, len))
        len = add_nulls(der, len, 0);
    size_t before = len;
    uint8_t original[2048];
    memcpy(original, der, len);
    x509_walk w;
    x509_walk_der(der, len, 0, &w);
    assert_memory_equal(w.outer, x509_walk_ecdsa_sha256_null, sizeof x509_walk_ecdsa_sha256_null);
    uint8_t sig[160];
    size_t sig_len = w.sig_len;
    memcpy(sig, w.sig, sig_len);
    assert_int_equal(stsafe_x509_sigalg_fix(der, &len, sizeof der, NULL, NULL, NULL), 0);
    assert_int_equal(len, before - 2);
    x509_walk_assert_rfc5758(der, len, 0, &f->subject);
    x509_walk_der(der, len, 0, &w);
    assert_int_equal(w.sig_len, sig_len);
    assert_memory_equal(w.sig, sig, sig_len); /* the signature covers the request info only */
    mbedtls_x509_csr csr;
    mbedtls_x509_csr_init(&csr);
    assert_int_equal(mbedtls_x509_csr_parse_der(&csr, der, len), 0);
    mbedtls_x509_csr_free(&csr);
    /* and back: only the two bytes of the NULL and the lengths differ */
    assert_int_equal(add_nulls(der, len, 0), before);
    assert_memory_equal(der, original, before);
}

/* Names of every length from 1 to 200: the TBS, the CSR and the whole
 * certificate cross the 128- and 256-byte boundaries where a DER length
 * changes size, in both directions of the rewrite. */
static void test_every_length_boundary(void **state)
{
    fixture *f = *state;
    char cn[201];
    int crossed = 0;
    for (size_t n = 1; n <= 200; n++) {
        uint8_t der[2048];
        stsafe_x509_sigalg_info in;
        memset(cn, 'a' + (int)(n % 26), n);
        cn[n] = 0;
        size_t len = old_certificate(f, cn, MBEDTLS_MD_SHA256, der, sizeof der);
        assert_int_equal(stsafe_x509_sigalg_inspect(der, len, &in), 0);
        crossed += in.tbs_len == 4 + 256 || in.tbs_len == 4 + 257; /* 82 01 00: after the cut, 81 fe */
        assert_int_equal(stsafe_x509_sigalg_fix(der, &len, sizeof der, &f->ca, test_rng, &f->rng), 0);
        x509_walk_assert_rfc5758(der, len, 1, &f->ca);
        len = write_csr(f, cn, der, sizeof der);
        if (!writer_adds_null(der, len))
            len = add_nulls(der, len, 0);
        assert_int_equal(stsafe_x509_sigalg_fix(der, &len, sizeof der, NULL, NULL, NULL), 0);
        x509_walk_assert_rfc5758(der, len, 0, &f->subject);
    }
    assert_true(crossed > 0); /* the boundary was met */
}

static void test_sha384_keeps_its_oid(void **state)
{
    fixture *f = *state;
    static const uint8_t sha384[12] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
    uint8_t der[2048];
    size_t len = old_certificate(f, "device", MBEDTLS_MD_SHA384, der, sizeof der);
    assert_int_equal(stsafe_x509_sigalg_fix(der, &len, sizeof der, &f->ca, test_rng, &f->rng), 0);
    x509_walk w;
    x509_walk_der(der, len, 1, &w);
    assert_int_equal(w.inner_len, sizeof sha384);
    assert_memory_equal(w.inner, sha384, sizeof sha384);
    assert_memory_equal(w.outer, sha384, sizeof sha384);
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    assert_int_equal(mbedtls_x509_crt_parse_der(&crt, der, len), 0);
    assert_int_equal(crt.MBEDTLS_PRIVATE(sig_md), MBEDTLS_MD_SHA384);
    mbedtls_x509_crt_free(&crt);
}


static void test_refusals(void **state)
{
    fixture *f = *state;
    uint8_t der[2048];
    stsafe_x509_sigalg_info in;
    size_t len = old_certificate(f, "x", MBEDTLS_MD_SHA256, der, sizeof der);
    size_t l = len;
    /* a certificate needs the issuer's key; a key that cannot sign ECDSA will not do */
    assert_int_equal(stsafe_x509_sigalg_fix(der, &l, sizeof der, NULL, NULL, NULL), STSAFE_ERR_BAD_INPUT);
    /* a buffer smaller than the object it holds */
    l = len;
    assert_int_equal(stsafe_x509_sigalg_fix(der, &l, len - 8, &f->ca, test_rng, &f->rng), STSAFE_ERR_BAD_INPUT);
    /* inner and outer identifiers that differ (SHA-256 inside, SHA-384 outside) */
    assert_int_equal(stsafe_x509_sigalg_inspect(der, len, &in), 0);
    der[in.outer_off + 11] = 0x03;
    l = len;
    assert_int_equal(stsafe_x509_sigalg_fix(der, &l, sizeof der, &f->ca, test_rng, &f->rng), STSAFE_ERR_BAD_INPUT);
    der[in.outer_off + 11] = 0x02;
    /* not ECDSA (a made-up ecdsa-with arc 5): left alone */
    der[in.outer_off + 11] = 0x05;
    der[in.inner_off + 11] = 0x05;
    assert_int_equal(stsafe_x509_sigalg_inspect(der, len, &in), 0);
    assert_int_equal(in.outer_encoding, STSAFE_X509_SIGALG_OTHER);
    assert_int_equal(in.md, MBEDTLS_MD_NONE);
    l = len;
    assert_int_equal(stsafe_x509_sigalg_fix(der, &l, sizeof der, NULL, NULL, NULL), 0);
    assert_int_equal(l, len);
    der[in.outer_off + 11] = 0x02;
    der[in.inner_off + 11] = 0x02;
    /* truncated, malformed, NULL */
    assert_int_equal(stsafe_x509_sigalg_inspect(der, len - 1, &in), STSAFE_ERR_CODEC_TRUNCATED);
    assert_int_equal(stsafe_x509_sigalg_inspect(der, 1, &in), STSAFE_ERR_CODEC_TRUNCATED);
    der[0] = 0x31;
    assert_int_equal(stsafe_x509_sigalg_inspect(der, len, &in), STSAFE_ERR_CODEC_VALUE);
    der[0] = 0x30;
    uint8_t bad_len = der[1];
    der[1] = 0x80; /* indefinite length: BER, not DER */
    assert_int_equal(stsafe_x509_sigalg_inspect(der, len, &in), STSAFE_ERR_CODEC_VALUE);
    der[1] = bad_len;
    assert_int_equal(stsafe_x509_sigalg_inspect(NULL, len, &in), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_x509_sigalg_fix(der, NULL, sizeof der, &f->ca, NULL, NULL), STSAFE_ERR_BAD_INPUT);
    assert_string_equal(stsafe_x509_sigalg_encoding_name(STSAFE_X509_SIGALG_NULL), "explicit NULL parameter");
}

/* A certificate read from a zone is followed by the zone's other bytes. */
static void test_inspect_ignores_zone_padding(void **state)
{
    fixture *f = *state;
    uint8_t der[2048];
    memset(der, 0, sizeof der);
    size_t len = write_cert(f, &f->ca, "device", MBEDTLS_MD_SHA256, der, 1024);
    memset(der + len, 0, sizeof der - len);
    stsafe_x509_sigalg_info in;
    assert_int_equal(stsafe_x509_sigalg_inspect(der, 700, &in), 0);
    assert_int_equal(in.total_len, len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_certificate_rewritten_and_signed_again),
        cmocka_unit_test(test_already_right_is_left_alone),
        cmocka_unit_test(test_csr_outer_rewritten_signature_kept),
        cmocka_unit_test(test_every_length_boundary),
        cmocka_unit_test(test_sha384_keeps_its_oid),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_inspect_ignores_zone_padding),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
