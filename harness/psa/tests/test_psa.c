/* SPDX-License-Identifier: BSD-3-Clause */
/* The chip as a PSA key location (psa.h, se_driver.h) through mbedTLS 3.6's
 * real PSA core, against the emulated chip in process: keys declared with
 * mbedtls_psa_register_se_key() and generated with psa_generate_key(),
 * psa_sign_hash() checked by a software verification with the slot's public
 * key, psa_export_public_key(), the refusals (each leaving the chip's NVM as
 * it was), and the ITS files, which must never hold a private scalar.
 * Runs in a fresh temporary directory: the PSA core writes its ITS files in
 * the current directory. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <psa/crypto.h>

#include "stsafe/client/inproc_device.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/status.h"
#include "stsafe/psa/psa.h"
#include "stsafe/psa/se_driver.h"

#include "psa_fixture.h"

static stsafe_inproc_device dev;
static char dir[64];

static psa_key_lifetime_t chip_lifetime(void)
{
    return PSA_KEY_LIFETIME_FROM_PERSISTENCE_AND_LOCATION(PSA_KEY_PERSISTENCE_DEFAULT, STSAFE_PSA_LOCATION);
}

static void bind_slot0(void)
{
    psa_fixture_bind(&dev, &dev.client, 1);
}

static int setup_failed(const char *what, int rc)
{
    fprintf(stderr, "test_psa setup: %s: %d\n", what, rc);
    return -1;
}

static int group_setup(void **state)
{
    (void)state;
    static const uint8_t seed[] = "stsafe-emu psa test";
    static const uint8_t serial[9] = {5, 5, 5, 5, 5, 5, 5, 5, 5};
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/stsafe-psa-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(dir) || chdir(dir) != 0)
        return setup_failed(dir, -1);
    /* the driver first: PSA takes SE drivers only before psa_crypto_init() */
    psa_status_t ps = stsafe_psa_se_register();
    if (ps != PSA_SUCCESS)
        return setup_failed("registering the driver", (int)ps);
    int err = stsafe_inproc_device_default(&dev, seed, sizeof seed, serial);
    if (err)
        return setup_failed("the in-process chip", err);
    bind_slot0();
    ps = stsafe_psa_se_register_key(0);
    return ps == PSA_SUCCESS ? 0 : setup_failed("declaring slot 0's key", (int)ps);
}

static int group_teardown(void **state)
{
    (void)state;
    stsafe_psa_se_forget_keys();
    mbedtls_psa_crypto_free();
    stsafe_inproc_device_free(&dev);
    /* the ITS files left (the test of ITS contents checks them first) */
    DIR *d = opendir(".");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            (void)unlink(e->d_name);
    if (d)
        closedir(d);
    return chdir("/") == 0 && rmdir(dir) == 0 ? 0 : -1;
}

/* A software verification with the public key \p pub (04||X||Y, P-256). */
static psa_status_t soft_verify(const uint8_t *pub, size_t pub_len, const uint8_t *hash, const uint8_t *sig,
                                size_t sig_len)
{
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    mbedtls_svc_key_id_t k;
    psa_set_key_type(&a, PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_VERIFY_HASH);
    psa_set_key_algorithm(&a, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    psa_status_t ps = psa_import_key(&a, pub, pub_len, &k);
    if (ps != PSA_SUCCESS)
        return ps;
    ps = psa_verify_hash(k, PSA_ALG_ECDSA(PSA_ALG_SHA_256), hash, 32, sig, sig_len);
    psa_destroy_key(k);
    return ps;
}

static void pub_bytes(uint8_t slot, uint8_t out[65])
{
    psa_fixture_pub_bytes(&dev, slot, out);
}

static const uint8_t digest[32] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
                                   0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                   0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x12};

static mbedtls_svc_key_id_t id(psa_key_id_t k)
{
    return mbedtls_svc_key_id_make(0, k);
}

static void test_sign_slot0_through_psa_core(void **state)
{
    (void)state;
    uint8_t sig[64], pub[65];
    size_t len = 0;
    uint64_t before = dev.chip.stats.commands;
    uint32_t signed_before = stsafe_psa_signatures(0);
    assert_int_equal(psa_sign_hash(id(STSAFE_PSA_KEY_ID_SLOT0), PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig,
                                   sizeof sig, &len),
                     PSA_SUCCESS);
    assert_int_equal(len, 64);
    assert_int_equal(stsafe_psa_signatures(0), signed_before + 1);
    assert_int_equal(dev.chip.stats.commands, before + 1); /* one Generate Signature, nothing else */
    pub_bytes(0, pub);
    assert_int_equal(soft_verify(pub, sizeof pub, digest, sig, len), PSA_SUCCESS);
    sig[10] ^= 1;
    assert_int_equal(soft_verify(pub, sizeof pub, digest, sig, len), PSA_ERROR_INVALID_SIGNATURE);
}

static void test_export_public_key(void **state)
{
    (void)state;
    uint8_t out[100], want[65];
    size_t len = 0;
    assert_int_equal(psa_export_public_key(id(STSAFE_PSA_KEY_ID_SLOT0), out, sizeof out, &len), PSA_SUCCESS);
    pub_bytes(0, want);
    assert_int_equal(len, 65);
    assert_memory_equal(out, want, 65);
}

static void test_verify_hash_in_chip(void **state)
{
    (void)state;
    uint8_t sig[64];
    size_t len = 0;
    assert_int_equal(psa_sign_hash(id(STSAFE_PSA_KEY_ID_SLOT0), PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig,
                                   sizeof sig, &len),
                     PSA_SUCCESS);
    uint64_t before = dev.chip.stats.commands;
    assert_int_equal(psa_verify_hash(id(STSAFE_PSA_KEY_ID_SLOT0), PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig,
                                     len),
                     PSA_SUCCESS);
    assert_int_equal(dev.chip.stats.commands, before + 1); /* the chip's Verify Signature */
    sig[63] ^= 0x80;
    assert_int_equal(psa_verify_hash(id(STSAFE_PSA_KEY_ID_SLOT0), PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig,
                                     len),
                     PSA_ERROR_INVALID_SIGNATURE);
}

static psa_key_attributes_t slot1_attributes(psa_key_type_t type, size_t bits)
{
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_id(&a, id(STSAFE_PSA_KEY_ID_SLOT1));
    psa_set_key_lifetime(&a, chip_lifetime());
    psa_set_key_type(&a, type);
    psa_set_key_bits(&a, bits);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH);
    psa_set_key_algorithm(&a, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH));
    return a;
}

static void test_generate_slot1_through_psa_core(void **state)
{
    (void)state;
    psa_key_attributes_t a = slot1_attributes(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 256);
    mbedtls_svc_key_id_t k;
    uint8_t old[65], pub[65], sig[64];
    size_t len = 0;
    pub_bytes(1, old);
    assert_int_equal(psa_generate_key(&a, &k), PSA_SUCCESS);
    assert_int_equal(MBEDTLS_SVC_KEY_ID_GET_KEY_ID(k), STSAFE_PSA_KEY_ID_SLOT1);
    assert_int_equal(dev.chip.nvm.key_slots[1].present, 1);
    pub_bytes(1, pub);
    assert_memory_not_equal(pub, old, 65); /* a new key in the chip */
    uint8_t out[65];
    assert_int_equal(psa_export_public_key(k, out, sizeof out, &len), PSA_SUCCESS);
    assert_int_equal(len, 65);
    assert_memory_equal(out, pub, 65);
    assert_int_equal(psa_sign_hash(k, PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig, sizeof sig, &len),
                     PSA_SUCCESS);
    assert_int_equal(soft_verify(pub, sizeof pub, digest, sig, len), PSA_SUCCESS);
}

/* ECDH of the ephemeral slot (slot 0's mode allows no key establishment)
 * with a software key: both sides get the same secret. */
static void test_ecdh_matches_software(void **state)
{
    (void)state;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    mbedtls_svc_key_id_t soft;
    uint8_t soft_pub[65], chip_pub[65], s1[32], s2[32];
    size_t n1 = 0, n2 = 0, len = 0;
    psa_set_key_type(&a, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_bits(&a, 256);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_DERIVE);
    psa_set_key_algorithm(&a, PSA_ALG_ECDH);
    assert_int_equal(stsafe_psa_generate_key(STSAFE_PSA_SLOT_EPHEMERAL, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1),
                                             256, chip_pub, sizeof chip_pub, &len),
                     PSA_SUCCESS);
    assert_int_equal(len, 65);
    assert_int_equal(psa_generate_key(&a, &soft), PSA_SUCCESS);
    assert_int_equal(psa_export_public_key(soft, soft_pub, sizeof soft_pub, &len), PSA_SUCCESS);
    assert_int_equal(stsafe_psa_key_agreement(STSAFE_PSA_SLOT_EPHEMERAL, PSA_ALG_ECDH, soft_pub, len, s1, sizeof s1, &n1), PSA_SUCCESS);
    assert_int_equal(psa_raw_key_agreement(PSA_ALG_ECDH, soft, chip_pub, sizeof chip_pub, s2, sizeof s2, &n2),
                     PSA_SUCCESS);
    assert_int_equal(n1, 32);
    assert_int_equal(n2, 32);
    assert_memory_equal(s1, s2, 32);
    assert_int_equal(stsafe_psa_key_agreement(STSAFE_PSA_SLOT_EPHEMERAL, PSA_ALG_FFDH, soft_pub, len, s1, sizeof s1, &n1),
                     PSA_ERROR_NOT_SUPPORTED);
    soft_pub[0] = 0x02;
    assert_int_equal(stsafe_psa_key_agreement(STSAFE_PSA_SLOT_EPHEMERAL, PSA_ALG_ECDH, soft_pub, len, s1, sizeof s1, &n1),
                     PSA_ERROR_INVALID_ARGUMENT);
    psa_destroy_key(soft);
}

/* ---- refusals: each one leaves the chip's NVM byte for byte as it was ---- */

static stsafe_emu_nvm nvm_before;
static uint64_t commands_before;

static void snapshot(void)
{
    memcpy(&nvm_before, &dev.chip.nvm, sizeof nvm_before);
    commands_before = dev.chip.stats.commands;
}

static void assert_chip_untouched(void)
{
    assert_memory_equal(&dev.chip.nvm, &nvm_before, sizeof nvm_before);
    assert_int_equal(dev.chip.stats.commands, commands_before);
}

static void test_unknown_key_id(void **state)
{
    (void)state;
    uint8_t slot = 0x77, sig[64];
    size_t len = 0;
    snapshot();
    assert_int_equal(stsafe_psa_slot_of(STSAFE_PSA_KEY_ID_SLOT1 + 1, &slot), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(slot, 0x77);
    /* declaring a key in chip slot 2 (the A110 has 0, 1 and 0xFF) */
    psa_key_attributes_t a = slot1_attributes(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 256);
    psa_set_key_id(&a, id(STSAFE_PSA_KEY_ID_SLOT1 + 1));
    psa_set_key_slot_number(&a, 2);
    assert_int_equal(mbedtls_psa_register_se_key(&a), PSA_ERROR_DOES_NOT_EXIST);
    /* generating under a key id that names no slot */
    mbedtls_svc_key_id_t k;
    assert_int_equal(psa_generate_key(&a, &k), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(stsafe_psa_sign_hash(2, PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig, sizeof sig, &len),
                     PSA_ERROR_DOES_NOT_EXIST);
    /* a key id PSA never saw: the 3.6 core answers INVALID_HANDLE itself */
    assert_int_equal(psa_sign_hash(id(STSAFE_PSA_KEY_ID_SLOT1 + 1), PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32,
                                   sig, sizeof sig, &len),
                     PSA_ERROR_INVALID_HANDLE);
    assert_chip_untouched();
}

static void test_sha512_not_supported(void **state)
{
    (void)state;
    uint8_t h[64], sig[64];
    size_t len = 0;
    memset(h, 0x42, sizeof h);
    uint32_t signed_before = stsafe_psa_signatures(0);
    snapshot();
    assert_int_equal(psa_sign_hash(id(STSAFE_PSA_KEY_ID_SLOT0), PSA_ALG_ECDSA(PSA_ALG_SHA_512), h, 64, sig,
                                   sizeof sig, &len),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_psa_sign_hash(0, PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_256), digest, 32, sig,
                                          sizeof sig, &len),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_psa_signatures(0), signed_before);
    assert_chip_untouched();
}

static void test_rsa_not_supported(void **state)
{
    (void)state;
    uint8_t sig[256];
    size_t len = 0;
    snapshot();
    psa_key_attributes_t a = slot1_attributes(PSA_KEY_TYPE_RSA_KEY_PAIR, 2048);
    psa_set_key_id(&a, id(STSAFE_PSA_KEY_ID_EPHEMERAL));
    psa_set_key_algorithm(&a, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256));
    psa_set_key_slot_number(&a, STSAFE_PSA_SLOT_EPHEMERAL);
    assert_int_equal(mbedtls_psa_register_se_key(&a), PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_psa_sign_hash(0, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256), digest, 32, sig,
                                          sizeof sig, &len),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_psa_generate_key(1, PSA_KEY_TYPE_RSA_KEY_PAIR, 2048, NULL, 0, &len),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_chip_untouched();
}

static void test_p521_not_supported(void **state)
{
    (void)state;
    size_t len = 0;
    uint8_t pub[140];
    snapshot();
    psa_key_attributes_t a = slot1_attributes(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 521);
    psa_set_key_id(&a, id(STSAFE_PSA_KEY_ID_EPHEMERAL));
    mbedtls_svc_key_id_t k;
    assert_int_equal(psa_generate_key(&a, &k), PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_psa_generate_key(1, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 521, pub,
                                             sizeof pub, &len),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_psa_generate_key(0, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 256, pub,
                                             sizeof pub, &len),
                     PSA_ERROR_NOT_PERMITTED); /* the factory key stays */
    assert_chip_untouched();
}

static void test_export_private_not_permitted(void **state)
{
    (void)state;
    uint8_t out[64];
    size_t len = 0;
    snapshot();
    /* as registered (no EXPORT usage): the core's policy refuses */
    assert_int_equal(psa_export_key(id(STSAFE_PSA_KEY_ID_SLOT0), out, sizeof out, &len), PSA_ERROR_NOT_PERMITTED);
    /* declared exportable: the driver refuses */
    assert_int_equal(psa_destroy_key(id(STSAFE_PSA_KEY_ID_SLOT0)), PSA_SUCCESS);
    psa_key_attributes_t a = slot1_attributes(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 256);
    psa_set_key_id(&a, id(STSAFE_PSA_KEY_ID_SLOT0));
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_EXPORT);
    psa_set_key_slot_number(&a, 0);
    assert_int_equal(mbedtls_psa_register_se_key(&a), PSA_SUCCESS);
    assert_int_equal(psa_export_key(id(STSAFE_PSA_KEY_ID_SLOT0), out, sizeof out, &len), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(stsafe_psa_export_key(0, out, sizeof out, &len), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(psa_destroy_key(id(STSAFE_PSA_KEY_ID_SLOT0)), PSA_SUCCESS);
    assert_int_equal(stsafe_psa_se_register_key(0), PSA_SUCCESS);
    assert_chip_untouched(); /* psa_destroy_key() does not touch the chip */
}

/* ---- a bus that fails every transfer ---- */

static int dead_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    (void)ctx;
    (void)msgs;
    (void)n;
    return STSAFE_ERR_BUS_IO;
}

static void dead_delay(void *ctx, uint32_t ms)
{
    (void)ctx;
    (void)ms;
}

static void test_bus_failure(void **state)
{
    (void)state;
    static const stsafe_bus_ops ops = {.transfer = dead_transfer, .delay_ms = dead_delay};
    stsafe_bus bus = {.ops = &ops, .ctx = NULL};
    stsafe_client c;
    uint8_t sig[64];
    size_t len = 0;
    stsafe_ecc_point p = psa_fixture_slot_pub(&dev, 0);
    stsafe_client_init(&c, &bus, dev.client.addr);
    snapshot();
    assert_int_equal(stsafe_psa_bind(&c), PSA_SUCCESS);
    assert_int_equal(stsafe_psa_set_public(0, STSAFE_CURVE_P256, &p), PSA_SUCCESS);
    assert_int_equal(psa_sign_hash(id(STSAFE_PSA_KEY_ID_SLOT0), PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig,
                                   sizeof sig, &len),
                     PSA_ERROR_COMMUNICATION_FAILURE);
    assert_int_equal(stsafe_psa_last_error(0), STSAFE_ERR_BUS_IO);
    assert_int_equal(stsafe_psa_bind(NULL), PSA_SUCCESS);
    assert_int_equal(stsafe_psa_sign_hash(0, PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig, sizeof sig, &len),
                     PSA_ERROR_BAD_STATE); /* no chip bound */
    stsafe_client_free(&c);
    bind_slot0();
    assert_chip_untouched();
}

static void test_status_map(void **state)
{
    (void)state;
    assert_int_equal(stsafe_psa_status(0), PSA_SUCCESS);
    assert_int_equal(stsafe_psa_status(STSAFE_ERR_STATUS(STSAFE_ST_KEY_NOT_FOUND)), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(stsafe_psa_status(STSAFE_ERR_STATUS(STSAFE_ST_ACCESS_CONDITION)), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(stsafe_psa_status(STSAFE_ERR_STATUS(STSAFE_ST_COUNTER_LIMIT)), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(stsafe_psa_status(STSAFE_ERR_STATUS(STSAFE_ST_WRONG_KEY_TYPE)), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(stsafe_psa_status(STSAFE_ERR_STATUS(STSAFE_ST_UNSUPPORTED_COMMAND)), PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_psa_status(STSAFE_ERR_STATUS(STSAFE_ST_INVALID_CMAC)), PSA_ERROR_COMMUNICATION_FAILURE);
    assert_int_equal(stsafe_psa_status(STSAFE_ERR_STATUS(STSAFE_ST_UNEXPECTED_ERROR)), PSA_ERROR_HARDWARE_FAILURE);
    assert_int_equal(stsafe_psa_status_from_chip(0x20 | STSAFE_ST_KEY_BLOCKED), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(stsafe_psa_status(STSAFE_ERR_BUS_NACK), PSA_ERROR_COMMUNICATION_FAILURE);
    assert_int_equal(stsafe_psa_status(STSAFE_ERR_BUS_TIMEOUT), PSA_ERROR_COMMUNICATION_FAILURE);
    assert_int_equal(stsafe_psa_status(STSAFE_ERR_FRAME_CRC), PSA_ERROR_COMMUNICATION_FAILURE);
    assert_int_equal(stsafe_psa_status(STSAFE_ERR_SC_RMAC), PSA_ERROR_COMMUNICATION_FAILURE);
    assert_int_equal(stsafe_psa_status(STSAFE_ERR_BAD_INPUT), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(stsafe_psa_status(STSAFE_ERR_BUFFER_TOO_SMALL), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(stsafe_psa_status(STSAFE_ERR_IMAGE_FORMAT), PSA_ERROR_GENERIC_ERROR);
}

/* ---- the ITS files: slot numbers and attributes, never a scalar ---- */

static int file_contains(const char *path, const uint8_t *needle, size_t n)
{
    uint8_t buf[4096];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t len = fread(buf, 1, sizeof buf, f);
    (void)fclose(f);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(buf + i, needle, n) == 0)
            return 1;
    return 0;
}

static void test_its_holds_no_private_scalar(void **state)
{
    (void)state;
    int files = 0;
    DIR *d = opendir(".");
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        files++;
        for (uint8_t s = 0; s < 2; s++) {
            const stsafe_emu_key_slot *k = &dev.chip.nvm.key_slots[s];
            assert_int_equal(k->present, 1);
            assert_false(file_contains(e->d_name, k->priv, stsafe_curve_size(k->curve)));
            /* the public X is 32 bytes of the same kind: the search would find it */
            assert_false(file_contains(e->d_name, k->pub_x, stsafe_curve_size(k->curve)));
        }
    }
    closedir(d);
    assert_true(files >= 2); /* slot 0's and slot 1's keys, at least */
    /* the search reads what the core wrote: slot 1's key file, PSA's key format */
    static const uint8_t magic[8] = {'P', 'S', 'A', 0, 'K', 'E', 'Y', 0};
    assert_true(file_contains("000000002a110001.psa_its", magic, sizeof magic));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_slot0_through_psa_core),
        cmocka_unit_test(test_export_public_key),
        cmocka_unit_test(test_verify_hash_in_chip),
        cmocka_unit_test(test_generate_slot1_through_psa_core),
        cmocka_unit_test(test_ecdh_matches_software),
        cmocka_unit_test(test_unknown_key_id),
        cmocka_unit_test(test_sha512_not_supported),
        cmocka_unit_test(test_rsa_not_supported),
        cmocka_unit_test(test_p521_not_supported),
        cmocka_unit_test(test_export_private_not_permitted),
        cmocka_unit_test(test_bus_failure),
        cmocka_unit_test(test_status_map),
        cmocka_unit_test(test_its_holds_no_private_scalar),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
