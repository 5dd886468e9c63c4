/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe/protocol/mbedtls_compat.h gives the same bytes on mbedTLS 2.28 and
 * 3.6: SHA-256 (FIPS 180-2 vector), points to and from fixed-width
 * coordinates (the P-256 generator, SEC 2), a certificate serial with
 * leading zeros (as 2.28's mbedtls_mpi route writes it), and pk signatures
 * through the wrappers whose signature changed in 3.x. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "stsafe/protocol/mbedtls_compat.h"

/* P-256's base point G (SEC 2 v2, 2.4.2). */
static const uint8_t gx[32] = {0x6B, 0x17, 0xD1, 0xF2, 0xE1, 0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6,
                               0xE5, 0x63, 0xA4, 0x40, 0xF2, 0x77, 0x03, 0x7D, 0x81, 0x2D, 0xEB,
                               0x33, 0xA0, 0xF4, 0xA1, 0x39, 0x45, 0xD8, 0x98, 0xC2, 0x96};
static const uint8_t gy[32] = {0x4F, 0xE3, 0x42, 0xE2, 0xFE, 0x1A, 0x7F, 0x9B, 0x8E, 0xE7, 0xEB,
                               0x4A, 0x7C, 0x0F, 0x9E, 0x16, 0x2B, 0xCE, 0x33, 0x57, 0x6B, 0x31,
                               0x5E, 0xCE, 0xCB, 0xB6, 0x40, 0x68, 0x37, 0xBF, 0x51, 0xF5};

/* Not random: enough for key generation and blinding in a test. */
static int counter_rng(void *p, unsigned char *out, size_t len)
{
    uint32_t *c = p;
    for (size_t i = 0; i < len; i++)
        out[i] = (unsigned char)(++*c * 2654435761u >> 24);
    return 0;
}

static void test_init(void **state)
{
    (void)state;
    assert_int_equal(stsafe_mbedtls_init(), 0);
    assert_int_equal(stsafe_mbedtls_init(), 0); /* idempotent */
    assert_int_equal(STSAFE_MBEDTLS_3, MBEDTLS_VERSION_MAJOR >= 3);
    assert_int_equal(STSAFE_MBEDTLS_HAS_PK_TABLE, MBEDTLS_VERSION_MAJOR == 2);
}

static void test_sha256_abc(void **state)
{
    (void)state;
    static const uint8_t want[32] = {0xBA, 0x78, 0x16, 0xBF, 0x8F, 0x01, 0xCF, 0xEA, 0x41, 0x41, 0x40,
                                     0xDE, 0x5D, 0xAE, 0x22, 0x23, 0xB0, 0x03, 0x61, 0xA3, 0x96, 0x17,
                                     0x7A, 0x9C, 0xB4, 0x10, 0xFF, 0x61, 0xF2, 0x00, 0x15, 0xAD};
    uint8_t got[32];
    assert_int_equal(stsafe_mbedtls_sha256((const unsigned char *)"abc", 3, got), 0);
    assert_memory_equal(got, want, 32);
}

static void test_points(void **state)
{
    (void)state;
    mbedtls_ecp_group grp;
    mbedtls_ecp_point pt;
    uint8_t x[32], y[32], bad[32], x48[48], y48[48];
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&pt);
    assert_int_equal(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1), 0);
    assert_int_equal(stsafe_mbedtls_point_from_xy(&grp, &pt, gx, gy, 32), 0);
    assert_int_equal(mbedtls_ecp_point_cmp(&pt, &grp.G), 0);
    assert_int_equal(stsafe_mbedtls_point_to_xy(&grp, &grp.G, x, y, 32), 0);
    assert_memory_equal(x, gx, 32);
    assert_memory_equal(y, gy, 32);
    /* the wrong size for the curve, and a point off it */
    assert_int_not_equal(stsafe_mbedtls_point_from_xy(&grp, &pt, gx, gy, 31), 0);
    assert_int_equal(stsafe_mbedtls_point_from_xy(&grp, &pt, gx, gy, 67), MBEDTLS_ERR_ECP_BAD_INPUT_DATA);
    assert_int_not_equal(stsafe_mbedtls_point_to_xy(&grp, &grp.G, x48, y48, 48), 0);
    memcpy(bad, gy, 32);
    bad[31] ^= 1;
    assert_int_equal(stsafe_mbedtls_point_from_xy(&grp, &pt, gx, bad, 32), 0); /* read, not checked */
    assert_int_not_equal(mbedtls_ecp_check_pubkey(&grp, &pt), 0);
    mbedtls_ecp_point_free(&pt);
    mbedtls_ecp_group_free(&grp);
}

/* A self-signed certificate with \p serial; its DER at the end of \p buf. */
static int write_cert(mbedtls_pk_context *key, const uint8_t *serial, size_t len, unsigned char *buf, size_t cap,
                      uint32_t *ctr)
{
    mbedtls_x509write_cert crt;
    mbedtls_x509write_crt_init(&crt);
    mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&crt, key);
    mbedtls_x509write_crt_set_issuer_key(&crt, key);
    int rc = stsafe_mbedtls_crt_set_serial(&crt, serial, len);
    if (!rc) rc = mbedtls_x509write_crt_set_subject_name(&crt, "CN=compat");
    if (!rc) rc = mbedtls_x509write_crt_set_issuer_name(&crt, "CN=compat");
    if (!rc) rc = mbedtls_x509write_crt_set_validity(&crt, "20260101000000", "20270101000000");
    if (!rc) rc = mbedtls_x509write_crt_der(&crt, buf, cap, counter_rng, ctr);
    mbedtls_x509write_crt_free(&crt);
    return rc;
}

static int contains(const unsigned char *hay, size_t n, const unsigned char *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return 1;
    return 0;
}

static void test_serial_and_sign(void **state)
{
    (void)state;
    uint32_t ctr = 0;
    mbedtls_pk_context key;
    unsigned char der[1024], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE], hash[32] = {0xAB};
    size_t sig_len = 0;
    assert_int_equal(stsafe_mbedtls_init(), 0);
    mbedtls_pk_init(&key);
    assert_int_equal(mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
    assert_int_equal(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key), counter_rng, &ctr), 0);

    /* 00 00 81 02: the zeros go, and a 00 comes back for the sign bit. The
     * serial follows the [0] version field: A0 03 02 01 02. */
    static const uint8_t serial[] = {0x00, 0x00, 0x81, 0x02};
    static const uint8_t want[] = {0xA0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x03, 0x00, 0x81, 0x02};
    int n = write_cert(&key, serial, sizeof serial, der, sizeof der, &ctr);
    assert_true(n > 0);
    const unsigned char *c = der + sizeof der - n;
    assert_true(contains(c, (size_t)n, want, sizeof want));
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    assert_int_equal(mbedtls_x509_crt_parse_der(&crt, c, (size_t)n), 0);
    assert_int_equal(crt.serial.len, 3);
    assert_memory_equal(crt.serial.p, want + 7, 3);

    /* pk_sign, verified by the certificate's key */
    assert_int_equal(stsafe_mbedtls_pk_sign(&key, MBEDTLS_MD_SHA256, hash, 32, sig, sizeof sig, &sig_len,
                                            counter_rng, &ctr), 0);
    assert_int_equal(mbedtls_pk_verify(&crt.pk, MBEDTLS_MD_SHA256, hash, 32, sig, sig_len), 0);
    assert_int_equal(stsafe_mbedtls_pk_check_pair(&crt.pk, &key, counter_rng, &ctr), 0);
    mbedtls_x509_crt_free(&crt);
    mbedtls_pk_free(&key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_sha256_abc),
        cmocka_unit_test(test_points),
        cmocka_unit_test(test_serial_and_sign),
    };
    return cmocka_run_group_tests_name("mbedTLS 2.28/3.6 compatibility", tests, NULL, NULL);
}
