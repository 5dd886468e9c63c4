/* SPDX-License-Identifier: BSD-3-Clause */
/* The chip-key route interface (chip_key.h), on every mbedTLS version:
 * which routes this build has, the public key taken from a certificate,
 * the arguments a route receives, and the refusals. On mbedTLS 2.28 the
 * pk-table route also signs for the device certificate's key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "stsafe/client/inproc_device.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/tls/chip_key.h"

static int setup(void **state)
{
    static stsafe_inproc_device d;
    static const uint8_t seed[] = "stsafe-emu chip key test";
    static const uint8_t serial[9] = {7, 7, 7, 7, 7, 7, 7, 7, 7};
    assert_int_equal(stsafe_mbedtls_init(), 0);
    assert_int_equal(stsafe_inproc_device_default(&d, seed, sizeof seed, serial), 0);
    *state = &d;
    return 0;
}

static int teardown(void **state)
{
    stsafe_inproc_device_free(*state);
    return 0;
}

/* The device certificate of zone 0, parsed. */
static void device_cert(stsafe_inproc_device *d, mbedtls_x509_crt *crt)
{
    uint8_t der[1000];
    for (uint16_t off = 0; off < sizeof der; off += 250)
        assert_int_equal(stsafe_client_read(&d->client, 0, 0, off, 250, der + off), 0);
    mbedtls_x509_crt_init(crt);
    assert_int_equal(mbedtls_x509_crt_parse_der(crt, der, 4u + (size_t)((der[2] << 8) | der[3])), 0);
}

/* A route that records what it was given: what a PSA route plugs in as. */
static struct {
    int calls;
    uint8_t slot, curve;
    stsafe_ecc_point pub;
    stsafe_client *client;
} seen;

static int recording_setup(mbedtls_pk_context *pk, stsafe_client *client, uint8_t slot, uint8_t curve,
                           const stsafe_ecc_point *pub)
{
    (void)pk;
    seen.calls++;
    seen.client = client;
    seen.slot = slot;
    seen.curve = curve;
    seen.pub = *pub;
    return 0;
}

static const stsafe_chip_key_route recording_route = {"recording", recording_setup, NULL, NULL};

static void test_pk_table_only_on_2_28(void **state)
{
    (void)state;
    const stsafe_chip_key_route *r = stsafe_chip_key_pk_table();
#if MBEDTLS_VERSION_MAJOR == 2
    assert_non_null(r);
    assert_string_equal(r->name, "pk table (mbedTLS 2.28)");
    assert_non_null(r->setup);
    assert_non_null(r->stats);
    assert_non_null(r->last_error);
#else
    assert_null(r);
#endif
}

static void test_public_of_device_cert(void **state)
{
    stsafe_inproc_device *d = *state;
    const stsafe_emu_key_slot *k = &d->chip.nvm.key_slots[0];
    mbedtls_x509_crt crt;
    stsafe_ecc_point pub;
    uint8_t curve = 0;
    device_cert(d, &crt);
    memset(&pub, 0xEE, sizeof pub);
    assert_int_equal(stsafe_chip_key_public(&crt.pk, &curve, &pub), 0);
    assert_int_equal(curve, STSAFE_CURVE_P256);
    assert_int_equal(pub.size, 32);
    assert_memory_equal(pub.x, k->pub_x, 32);
    assert_memory_equal(pub.y, k->pub_y, 32);
    mbedtls_x509_crt_free(&crt);
}

static void test_route_gets_slot_curve_point(void **state)
{
    stsafe_inproc_device *d = *state;
    const stsafe_emu_key_slot *k = &d->chip.nvm.key_slots[0];
    mbedtls_x509_crt crt;
    mbedtls_pk_context key;
    device_cert(d, &crt);
    mbedtls_pk_init(&key);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(stsafe_chip_key_setup_from_cert(&recording_route, &key, &d->client, 0, &crt), 0);
    assert_int_equal(seen.calls, 1);
    assert_ptr_equal(seen.client, &d->client);
    assert_int_equal(seen.slot, 0);
    assert_int_equal(seen.curve, STSAFE_CURVE_P256);
    assert_int_equal(seen.pub.size, 32);
    assert_memory_equal(seen.pub.x, k->pub_x, 32);
    assert_memory_equal(seen.pub.y, k->pub_y, 32);
    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&crt);
}

static void test_refusals(void **state)
{
    stsafe_inproc_device *d = *state;
    mbedtls_x509_crt crt;
    mbedtls_pk_context key, p521;
    stsafe_ecc_point pub;
    uint8_t curve = 0;
    device_cert(d, &crt);
    mbedtls_pk_init(&key);
    memset(&seen, 0, sizeof seen);
    /* no route (mbedTLS 3.x's stsafe_chip_key_pk_table()), and a route without setup */
    static const stsafe_chip_key_route empty = {"empty", NULL, NULL, NULL};
    assert_int_equal(stsafe_chip_key_setup_from_cert(NULL, &key, &d->client, 0, &crt), MBEDTLS_ERR_PK_BAD_INPUT_DATA);
    assert_int_equal(stsafe_chip_key_setup_from_cert(&empty, &key, &d->client, 0, &crt), MBEDTLS_ERR_PK_BAD_INPUT_DATA);
    assert_int_equal(stsafe_chip_key_setup_from_cert(&recording_route, &key, &d->client, 0, NULL),
                     MBEDTLS_ERR_PK_TYPE_MISMATCH);
    /* a key not set up, and one on a curve the A110 lacks */
    assert_int_equal(stsafe_chip_key_public(&key, &curve, &pub), MBEDTLS_ERR_PK_TYPE_MISMATCH);
    mbedtls_pk_init(&p521);
    assert_int_equal(mbedtls_pk_setup(&p521, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
    assert_int_equal(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP521R1, mbedtls_pk_ec(p521), stsafe_rng_fn, &d->rng), 0);
    assert_int_equal(stsafe_chip_key_public(&p521, &curve, &pub), MBEDTLS_ERR_PK_TYPE_MISMATCH);
    assert_int_equal(seen.calls, 0);
    /* the optional functions of a route */
    assert_null(stsafe_chip_key_stats(NULL, &key));
    assert_null(stsafe_chip_key_stats(&recording_route, &key));
    assert_int_equal(stsafe_chip_key_last_error(NULL, &key), 0);
    assert_int_equal(stsafe_chip_key_last_error(&recording_route, &key), 0);
    mbedtls_pk_free(&p521);
    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&crt);
}

#if MBEDTLS_VERSION_MAJOR == 2
/* The pk-table route signs with slot 0 for the device certificate's key. */
static void test_pk_table_signs_for_device_cert(void **state)
{
    stsafe_inproc_device *d = *state;
    const stsafe_chip_key_route *r = stsafe_chip_key_pk_table();
    mbedtls_x509_crt crt;
    mbedtls_pk_context key;
    unsigned char hash[32] = {0xC3}, sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    size_t sig_len = 0;
    device_cert(d, &crt);
    mbedtls_pk_init(&key);
    assert_int_equal(stsafe_chip_key_setup_from_cert(r, &key, &d->client, 0, &crt), 0);
    assert_int_equal(stsafe_mbedtls_pk_sign(&key, MBEDTLS_MD_SHA256, hash, 32, sig, sizeof sig, &sig_len, NULL, NULL), 0);
    assert_int_equal(mbedtls_pk_verify(&crt.pk, MBEDTLS_MD_SHA256, hash, 32, sig, sig_len), 0);
    assert_int_equal(stsafe_chip_key_stats(r, &key)->signatures, 1);
    assert_int_equal(stsafe_chip_key_last_error(r, &key), 0);
    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&crt);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pk_table_only_on_2_28),
        cmocka_unit_test_setup_teardown(test_public_of_device_cert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_route_gets_slot_curve_point, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
#if MBEDTLS_VERSION_MAJOR == 2
        cmocka_unit_test_setup_teardown(test_pk_table_signs_for_device_cert, setup, teardown),
#endif
    };
    return cmocka_run_group_tests_name("chip key routes", tests, NULL, NULL);
}
