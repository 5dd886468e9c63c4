/* SPDX-License-Identifier: BSD-3-Clause */
/* The mbedTLS pk adapter: signatures made by the chip verify with a plain
 * mbedTLS key built from the public point alone; CSRs written through the
 * adapter verify; the context never holds a private scalar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_csr.h>

#include "stsafe/client/client.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/tls/pk_stsafe.h"
#include "stsafe/emulator/rng.h"

static int setup(void **state)
{
    static stsafe_inproc_device d;
    static const uint8_t seed[] = "stsafe-emu pk test";
    static const uint8_t serial[9] = {4, 4, 4, 4, 4, 4, 4, 4, 4};
    assert_int_equal(stsafe_inproc_device_default(&d, seed, sizeof seed, serial), 0);
    *state = &d;
    return 0;
}

static int teardown(void **state)
{
    stsafe_inproc_device_free(*state);
    return 0;
}

/* A plain mbedTLS public key from the point, made without the adapter. */
static void plain_public_key(mbedtls_pk_context *pk, mbedtls_ecp_group_id gid, const stsafe_ecc_point *p)
{
    mbedtls_pk_init(pk);
    assert_int_equal(mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
    mbedtls_ecp_keypair *kp = mbedtls_pk_ec(*pk);
    assert_int_equal(mbedtls_ecp_group_load(&kp->grp, gid), 0);
    assert_int_equal(mbedtls_mpi_read_binary(&kp->Q.X, p->x, p->size), 0);
    assert_int_equal(mbedtls_mpi_read_binary(&kp->Q.Y, p->y, p->size), 0);
    assert_int_equal(mbedtls_mpi_lset(&kp->Q.Z, 1), 0);
}

static void sign_and_check(stsafe_inproc_device *d, uint8_t curve, mbedtls_ecp_group_id gid,
                           mbedtls_md_type_t md)
{
    stsafe_ecc_point pub;
    mbedtls_pk_context key, plain;
    unsigned char hash[64], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    size_t sig_len = 0;
    static const char msg[] = "CertificateVerify transcript";
    const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(md);
    assert_int_equal(mbedtls_md(mi, (const unsigned char *)msg, sizeof msg - 1, hash), 0);
    assert_int_equal(stsafe_client_generate_key(&d->client, 1, curve, 0xFFFF, &pub), 0);
    mbedtls_pk_init(&key);
    assert_int_equal(stsafe_pk_setup(&key, &d->client, 1, curve, &pub), 0);
    assert_true(stsafe_pk_is_stsafe(&key));
    assert_int_equal(mbedtls_pk_get_type(&key), MBEDTLS_PK_ECKEY);
    assert_int_equal(mbedtls_mpi_cmp_int(&mbedtls_pk_ec(key)->d, 0), 0); /* no scalar here */
    assert_int_equal(mbedtls_pk_sign(&key, md, hash, mbedtls_md_get_size(mi), sig, &sig_len, NULL, NULL), 0);
    plain_public_key(&plain, gid, &pub);
    assert_int_equal(mbedtls_pk_verify(&plain, md, hash, mbedtls_md_get_size(mi), sig, sig_len), 0);
    assert_int_equal(mbedtls_pk_verify(&key, md, hash, mbedtls_md_get_size(mi), sig, sig_len), 0);
    hash[0] ^= 1;
    assert_int_not_equal(mbedtls_pk_verify(&plain, md, hash, mbedtls_md_get_size(mi), sig, sig_len), 0);
    assert_int_equal(stsafe_pk_get_stats(&key)->signatures, 1);
    assert_int_equal(stsafe_pk_get_stats(&key)->truncated,
                     mbedtls_md_get_size(mi) > stsafe_curve_size(curve) ? 1 : 0);
    mbedtls_pk_free(&plain);
    mbedtls_pk_free(&key);
}

static void test_sign_every_curve_and_hash(void **state)
{
    stsafe_inproc_device *d = *state;
    sign_and_check(d, STSAFE_CURVE_P256, MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_MD_SHA256);
    sign_and_check(d, STSAFE_CURVE_P256, MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_MD_SHA384); /* truncated */
    sign_and_check(d, STSAFE_CURVE_P384, MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_MD_SHA384);
    sign_and_check(d, STSAFE_CURVE_P384, MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_MD_SHA256);
    sign_and_check(d, STSAFE_CURVE_BP256, MBEDTLS_ECP_DP_BP256R1, MBEDTLS_MD_SHA256);
    sign_and_check(d, STSAFE_CURVE_BP384, MBEDTLS_ECP_DP_BP384R1, MBEDTLS_MD_SHA384);
}

/* A CSR written by mbedTLS through the adapter: its signature verifies
 * with the public key inside it, and the subject is what was asked. */
static void test_csr_through_the_chip(void **state)
{
    stsafe_inproc_device *d = *state;
    stsafe_ecc_point pub;
    mbedtls_pk_context key;
    mbedtls_x509write_csr w;
    mbedtls_x509_csr csr;
    unsigned char der[1024], hash[32];
    char name[128];
    assert_int_equal(stsafe_client_generate_key(&d->client, 1, STSAFE_CURVE_P256, 0xFFFF, &pub), 0);
    mbedtls_pk_init(&key);
    assert_int_equal(stsafe_pk_setup(&key, &d->client, 1, STSAFE_CURVE_P256, &pub), 0);
    mbedtls_x509write_csr_init(&w);
    mbedtls_x509write_csr_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_csr_set_key(&w, &key);
    assert_int_equal(mbedtls_x509write_csr_set_subject_name(&w, "CN=demo-device-01"), 0);
    int n = mbedtls_x509write_csr_der(&w, der, sizeof der, stsafe_rng_fn, &d->rng);
    assert_true(n > 0);
    mbedtls_x509_csr_init(&csr);
    assert_int_equal(mbedtls_x509_csr_parse_der(&csr, der + sizeof der - n, (size_t)n), 0);
    assert_true(mbedtls_x509_dn_gets(name, sizeof name, &csr.subject) > 0);
    assert_string_equal(name, "CN=demo-device-01");
    assert_int_equal(mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), csr.cri.p, csr.cri.len, hash), 0);
    assert_int_equal(mbedtls_pk_verify(&csr.pk, MBEDTLS_MD_SHA256, hash, sizeof hash, csr.sig.p, csr.sig.len), 0);
    assert_int_equal(stsafe_pk_get_stats(&key)->signatures, 1);
    mbedtls_x509_csr_free(&csr);
    mbedtls_x509write_csr_free(&w);
    mbedtls_pk_free(&key);
}

static void test_slot0_from_its_certificate(void **state)
{
    stsafe_inproc_device *d = *state;
    uint8_t der[1000];
    mbedtls_x509_crt crt;
    mbedtls_pk_context key;
    unsigned char hash[32] = {0x5A}, sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    size_t sig_len = 0;
    for (uint16_t off = 0; off < sizeof der; off += 250)
        assert_int_equal(stsafe_client_read(&d->client, 0, 0, off, 250, der + off), 0);
    mbedtls_x509_crt_init(&crt);
    assert_int_equal(mbedtls_x509_crt_parse_der(&crt, der, 4u + (size_t)((der[2] << 8) | der[3])), 0);
    mbedtls_pk_init(&key);
    assert_int_equal(stsafe_pk_setup_from_cert(&key, &d->client, 0, &crt), 0);
    assert_int_equal(mbedtls_pk_sign(&key, MBEDTLS_MD_SHA256, hash, 32, sig, &sig_len, NULL, NULL), 0);
    assert_int_equal(mbedtls_pk_verify(&crt.pk, MBEDTLS_MD_SHA256, hash, 32, sig, sig_len), 0);
    /* the wrong slot signs, but not for this certificate's key */
    mbedtls_pk_free(&key);
    stsafe_ecc_point pub;
    assert_int_equal(stsafe_client_generate_key(&d->client, 1, STSAFE_CURVE_P256, 0xFFFF, &pub), 0);
    mbedtls_pk_init(&key);
    assert_int_equal(stsafe_pk_setup_from_cert(&key, &d->client, 1, &crt), 0);
    assert_int_equal(mbedtls_pk_sign(&key, MBEDTLS_MD_SHA256, hash, 32, sig, &sig_len, NULL, NULL), 0);
    assert_int_not_equal(mbedtls_pk_verify(&crt.pk, MBEDTLS_MD_SHA256, hash, 32, sig, sig_len), 0);
    assert_int_equal(mbedtls_pk_check_pair(&crt.pk, &key), MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE);
    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&crt);
}

static void test_chip_refusal_is_reported(void **state)
{
    stsafe_inproc_device *d = *state;
    stsafe_ecc_point pub;
    mbedtls_pk_context key;
    unsigned char hash[32] = {1}, sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    size_t sig_len = 0;
    assert_int_equal(stsafe_client_generate_key(&d->client, 1, STSAFE_CURVE_P256, 1, &pub), 0); /* one use */
    mbedtls_pk_init(&key);
    assert_int_equal(stsafe_pk_setup(&key, &d->client, 1, STSAFE_CURVE_P256, &pub), 0);
    assert_int_equal(mbedtls_pk_sign(&key, MBEDTLS_MD_SHA256, hash, 32, sig, &sig_len, NULL, NULL), 0);
    assert_int_equal(mbedtls_pk_sign(&key, MBEDTLS_MD_SHA256, hash, 32, sig, &sig_len, NULL, NULL),
                     MBEDTLS_ERR_PK_HW_ACCEL_FAILED);
    assert_int_equal(stsafe_pk_last_error(&key), STSAFE_ERR_STATUS(0x0B)); /* key blocked: usage used up */
    pub.y[0] ^= 1;
    mbedtls_pk_free(&key);
    mbedtls_pk_init(&key);
    assert_int_equal(stsafe_pk_setup(&key, &d->client, 1, STSAFE_CURVE_P256, &pub), MBEDTLS_ERR_PK_BAD_INPUT_DATA);
    mbedtls_pk_free(&key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sign_every_curve_and_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csr_through_the_chip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slot0_from_its_certificate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chip_refusal_is_reported, setup, teardown),
    };
    return cmocka_run_group_tests_name("mbedTLS pk adapter", tests, NULL, NULL);
}
