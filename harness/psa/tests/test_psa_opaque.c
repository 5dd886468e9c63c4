/* SPDX-License-Identifier: BSD-3-Clause */
/* The opaque driver's entry points (opaque_driver.h) called directly, as the
 * generated driver wrappers would call them, with psa_key_attributes_t built
 * by the 3.6 headers' setters, against the emulated chip in process:
 * get_builtin_key for slots 0 and 1, sign_hash checked by mbedTLS with the
 * exported public key, verify_hash, generate_key into slot 1 and the
 * ephemeral slot, export_public_key, export_key refused, key_agreement equal
 * to mbedTLS's ECDH, and the bad inputs of issue 13, each leaving the chip's
 * NVM byte for byte as it was. No PSA core dispatches to the driver here:
 * that needs wrappers generated from the JSON (docs/psa.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <psa/crypto.h>

#include "stsafe/bus/fault.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/psa/opaque_driver.h"
#include "stsafe/psa/psa.h"

#include "psa_fixture.h"

#define CTX_LEN STSAFE_OPAQUE_KEY_CONTEXT_SIZE
#define P256_PAIR PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1)
/* SIGN_HASH | VERIFY_HASH as the 3.6 setter stores them: with the
 * SIGN_MESSAGE and VERIFY_MESSAGE they imply (psa_extend_key_usage_flags). */
#define USAGE_SIGN_VERIFY 0x3C00u

static stsafe_inproc_device dev;

/* 04||X||Y of a chip slot, read from the chip's NVM (the reference). */
static void pub_bytes(uint8_t slot, uint8_t out[65])
{
    psa_fixture_pub_bytes(&dev, slot, out);
}

static void bind_chip(stsafe_client *c)
{
    psa_fixture_bind(&dev, c, 2);
}

static int group_setup(void **state)
{
    (void)state;
    static const uint8_t seed[] = "stsafe-emu psa opaque test";
    static const uint8_t serial[9] = {6, 6, 6, 6, 6, 6, 6, 6, 6};
    if (psa_crypto_init() != PSA_SUCCESS) /* mbedTLS's software side, for checking */
        return -1;
    if (stsafe_inproc_device_default(&dev, seed, sizeof seed, serial) != 0)
        return -1;
    /* the default profile leaves slot 1 empty: a key there, as provisioning would */
    if (stsafe_psa_bind(&dev.client) != PSA_SUCCESS ||
        stsafe_psa_generate_key(1, P256_PAIR, 256, NULL, 0, NULL) != PSA_SUCCESS)
        return -1;
    if (dev.chip.nvm.key_slots[0].curve != STSAFE_CURVE_P256 || dev.chip.nvm.key_slots[1].curve != STSAFE_CURVE_P256)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    (void)stsafe_psa_bind(NULL);
    stsafe_inproc_device_free(&dev);
    mbedtls_psa_crypto_free();
    return 0;
}

static int each_setup(void **state)
{
    (void)state;
    bind_chip(&dev.client);
    return 0;
}

/* Attributes as the PSA core hands them to the driver. */
static psa_key_attributes_t attrs(psa_key_type_t type, size_t bits, psa_key_lifetime_t lifetime)
{
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, type);
    psa_set_key_bits(&a, bits);
    psa_set_key_lifetime(&a, lifetime);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH);
    psa_set_key_algorithm(&a, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH));
    return a;
}

static psa_key_attributes_t p256_attrs(void)
{
    return attrs(P256_PAIR, 256, STSAFE_OPAQUE_BUILTIN_LIFETIME);
}

/* The context get_builtin_key must write for \p slot (opaque_driver.h's table). */
static void expected_context(uint8_t slot, const uint8_t pub[65], uint8_t out[CTX_LEN])
{
    const uint8_t head[8] = {'S', 'T', 'S', 'A', 1, slot, STSAFE_CURVE_P256, 0};
    memcpy(out, head, 8);
    memcpy(out + 8, pub + 1, 8);
}

static void builtin(uint8_t slot, uint8_t ctx[CTX_LEN])
{
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    size_t len = 0;
    psa_set_key_lifetime(&a, STSAFE_OPAQUE_LIFETIME);
    assert_int_equal(stsafe_opaque_get_builtin_key(slot, &a, ctx, CTX_LEN, &len), PSA_SUCCESS);
    assert_int_equal(len, CTX_LEN);
}

/* mbedTLS's verification with a public key 04||X||Y on P-256. */
static psa_status_t soft_verify(const uint8_t *pub, const uint8_t *hash, const uint8_t *sig, size_t sig_len)
{
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    mbedtls_svc_key_id_t k;
    psa_set_key_type(&a, PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_VERIFY_HASH);
    psa_set_key_algorithm(&a, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
    psa_status_t ps = psa_import_key(&a, pub, 65, &k);
    if (ps != PSA_SUCCESS)
        return ps;
    ps = psa_verify_hash(k, PSA_ALG_ECDSA(PSA_ALG_SHA_256), hash, 32, sig, sig_len);
    psa_destroy_key(k);
    return ps;
}

static const uint8_t digest[32] = {0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18, 0x29, 0x3a, 0x4b,
                                   0x5c, 0x6d, 0x7e, 0x8f, 0x90, 0x01, 0x12, 0x23, 0x34, 0x45, 0x56,
                                   0x67, 0x78, 0x89, 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf0};

/* sign_hash with ECDSA(SHA-256) over digest, a 64-byte signature buffer. */
static psa_status_t sign256(const psa_key_attributes_t *a, const uint8_t *ctx, uint8_t sig[64], size_t *len)
{
    return stsafe_opaque_sign_hash(a, ctx, CTX_LEN, PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig, 64, len);
}

/* ---- a refused call leaves the chip's NVM byte for byte as it was ---- */

static stsafe_emu_nvm nvm_before;

static void snapshot(void)
{
    memcpy(&nvm_before, &dev.chip.nvm, sizeof nvm_before);
}

static void assert_chip_untouched(void)
{
    assert_memory_equal(&dev.chip.nvm, &nvm_before, sizeof nvm_before);
}

static void test_get_builtin_key_slot0(void **state)
{
    (void)state;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    uint8_t ctx[CTX_LEN + 4], want[CTX_LEN], pub[65];
    size_t len = 0;
    /* the core's first call: attributes only */
    psa_set_key_lifetime(&a, STSAFE_OPAQUE_LIFETIME);
    assert_int_equal(stsafe_opaque_get_builtin_key(0, &a, NULL, 0, NULL), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(psa_get_key_type(&a), P256_PAIR);
    assert_int_equal(psa_get_key_bits(&a), 256);
    assert_int_equal(psa_get_key_lifetime(&a), 0x80005AFFu); /* READ_ONLY, location 0x80005A */
    assert_int_equal(psa_get_key_usage_flags(&a), USAGE_SIGN_VERIFY);
    assert_int_equal(psa_get_key_algorithm(&a), PSA_ALG_ECDSA(PSA_ALG_ANY_HASH));
    /* the size the core then asks for */
    assert_int_equal(stsafe_opaque_size_function(psa_get_key_type(&a), psa_get_key_bits(&a)), CTX_LEN);
    memset(ctx, 0xEE, sizeof ctx);
    assert_int_equal(stsafe_opaque_get_builtin_key(0, &a, ctx, sizeof ctx, &len), PSA_SUCCESS);
    assert_int_equal(len, CTX_LEN);
    pub_bytes(0, pub);
    expected_context(0, pub, want);
    assert_memory_equal(ctx, want, CTX_LEN);
    assert_int_equal(ctx[CTX_LEN], 0xEE); /* nothing past the context */
    /* the platform's mapping of the key id */
    psa_key_lifetime_t lt = 0;
    psa_drv_slot_number_t n = 99;
    assert_int_equal(stsafe_opaque_platform_builtin_key(STSAFE_OPAQUE_KEY_ID_SLOT0, &lt, &n), PSA_SUCCESS);
    assert_int_equal(lt, STSAFE_OPAQUE_BUILTIN_LIFETIME);
    assert_int_equal(n, 0);
    /* in mbedTLS's built-in range (psa_key_id_is_builtin() needs BUILTIN_KEYS) */
    assert_true(STSAFE_OPAQUE_KEY_ID_SLOT0 >= MBEDTLS_PSA_KEY_ID_BUILTIN_MIN);
    assert_true(STSAFE_OPAQUE_KEY_ID_EPHEMERAL <= MBEDTLS_PSA_KEY_ID_BUILTIN_MAX);
}

static void test_get_builtin_key_slot1(void **state)
{
    (void)state;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    uint8_t ctx[CTX_LEN], want[CTX_LEN], pub[65];
    size_t len = 0;
    psa_set_key_lifetime(&a, STSAFE_OPAQUE_LIFETIME);
    assert_int_equal(stsafe_opaque_get_builtin_key(1, &a, ctx, 8, &len), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(stsafe_opaque_get_builtin_key(1, &a, ctx, sizeof ctx, &len), PSA_SUCCESS);
    assert_int_equal(psa_get_key_type(&a), P256_PAIR);
    assert_int_equal(psa_get_key_bits(&a), 256);
    assert_int_equal(PSA_KEY_LIFETIME_GET_LOCATION(psa_get_key_lifetime(&a)), 0x80005Au);
    assert_int_equal(PSA_KEY_LIFETIME_GET_PERSISTENCE(psa_get_key_lifetime(&a)), PSA_KEY_PERSISTENCE_READ_ONLY);
    assert_int_equal(psa_get_key_usage_flags(&a), USAGE_SIGN_VERIFY);
    assert_int_equal(psa_get_key_algorithm(&a), PSA_ALG_ECDSA(PSA_ALG_ANY_HASH));
    pub_bytes(1, pub);
    expected_context(1, pub, want);
    assert_memory_equal(ctx, want, CTX_LEN);
    psa_key_lifetime_t lt = 0;
    psa_drv_slot_number_t n = 99;
    assert_int_equal(stsafe_opaque_platform_builtin_key(STSAFE_OPAQUE_KEY_ID_SLOT1, &lt, &n), PSA_SUCCESS);
    assert_int_equal(n, 1);
}

static void test_sign_then_verify_with_mbedtls(void **state)
{
    (void)state;
    psa_key_attributes_t a = p256_attrs();
    uint8_t ctx[CTX_LEN], pub[100], sig[64], want[65];
    size_t len = 0, sig_len = 0;
    builtin(0, ctx);
    assert_int_equal(stsafe_opaque_export_public_key(&a, ctx, CTX_LEN, pub, sizeof pub, &len), PSA_SUCCESS);
    assert_int_equal(len, 65);
    pub_bytes(0, want);
    assert_memory_equal(pub, want, 65);
    uint32_t before = stsafe_psa_signatures(0);
    assert_int_equal(sign256(&a, ctx, sig, &sig_len), PSA_SUCCESS);
    assert_int_equal(sig_len, 64);
    assert_int_equal(stsafe_psa_signatures(0), before + 1);
    assert_int_equal(soft_verify(pub, digest, sig, sig_len), PSA_SUCCESS);
    sig[5] ^= 0x01;
    assert_int_equal(soft_verify(pub, digest, sig, sig_len), PSA_ERROR_INVALID_SIGNATURE);
    /* too small a signature buffer */
    assert_int_equal(stsafe_opaque_sign_hash(&a, ctx, CTX_LEN, PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig,
                                             63, &sig_len),
                     PSA_ERROR_BUFFER_TOO_SMALL);
}

static void test_verify_hash_in_chip(void **state)
{
    (void)state;
    psa_key_attributes_t a = p256_attrs();
    uint8_t ctx[CTX_LEN], sig[64];
    size_t len = 0;
    builtin(0, ctx);
    assert_int_equal(sign256(&a, ctx, sig, &len), PSA_SUCCESS);
    uint64_t commands = dev.chip.stats.commands;
    assert_int_equal(stsafe_opaque_verify_hash(&a, ctx, CTX_LEN, PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig, len),
                     PSA_SUCCESS);
    assert_int_equal(dev.chip.stats.commands, commands + 1); /* the chip's Verify Signature */
    sig[40] ^= 0x80;
    snapshot();
    assert_int_equal(stsafe_opaque_verify_hash(&a, ctx, CTX_LEN, PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig, len),
                     PSA_ERROR_INVALID_SIGNATURE);
    assert_chip_untouched();
}

static void test_generate_slot1(void **state)
{
    (void)state;
    psa_key_attributes_t a = attrs(P256_PAIR, 256, STSAFE_OPAQUE_LIFETIME);
    uint8_t old_ctx[CTX_LEN], ctx[CTX_LEN + 1], old_pub[65], pub[65], got[65], old_sig[64], sig[64], want[CTX_LEN];
    size_t len = 0, sig_len = 0;
    builtin(1, old_ctx);
    pub_bytes(1, old_pub);
    assert_int_equal(sign256(&a, old_ctx, old_sig, &sig_len), PSA_SUCCESS);
    assert_int_equal(soft_verify(old_pub, digest, old_sig, sig_len), PSA_SUCCESS);

    assert_int_equal(stsafe_opaque_generate_key(&a, ctx, sizeof ctx, &len), PSA_SUCCESS);
    assert_int_equal(len, CTX_LEN);
    pub_bytes(1, pub);
    assert_memory_not_equal(pub, old_pub, 65); /* a new key in the chip's slot 1 */
    expected_context(1, pub, want);
    assert_memory_equal(ctx, want, CTX_LEN);
    assert_int_equal(stsafe_opaque_export_public_key(&a, ctx, CTX_LEN, got, sizeof got, &len), PSA_SUCCESS);
    assert_memory_equal(got, pub, 65);
    /* the old signature no longer verifies, in the chip or in mbedTLS */
    assert_int_equal(stsafe_opaque_verify_hash(&a, ctx, CTX_LEN, PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, old_sig,
                                               sig_len),
                     PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(soft_verify(pub, digest, old_sig, sig_len), PSA_ERROR_INVALID_SIGNATURE);
    /* the old context named a key that is gone */
    snapshot();
    assert_int_equal(sign256(&a, old_ctx, sig, &sig_len), PSA_ERROR_DOES_NOT_EXIST);
    assert_chip_untouched();
    /* the new one signs */
    assert_int_equal(sign256(&a, ctx, sig, &sig_len), PSA_SUCCESS);
    assert_int_equal(soft_verify(pub, digest, sig, sig_len), PSA_SUCCESS);
    /* built-in slot 1 now describes the new key */
    builtin(1, old_ctx);
    assert_memory_equal(old_ctx, want, CTX_LEN);
}

static void test_export_key_not_permitted(void **state)
{
    (void)state;
    psa_key_attributes_t a = p256_attrs();
    uint8_t ctx[CTX_LEN], out[64];
    size_t len = 7;
    builtin(0, ctx);
    uint64_t commands = dev.chip.stats.commands;
    snapshot();
    memset(out, 0, sizeof out);
    assert_int_equal(stsafe_opaque_export_key(&a, ctx, CTX_LEN, out, sizeof out, &len), PSA_ERROR_NOT_PERMITTED);
    assert_int_equal(len, 7);
    static const uint8_t zero[64] = {0};
    assert_memory_equal(out, zero, sizeof out);
    assert_int_equal(dev.chip.stats.commands, commands); /* nothing sent */
    assert_chip_untouched();
}

/* ECDH: a volatile key generated in the ephemeral slot, with mbedTLS's key. */
static void test_key_agreement_matches_mbedtls(void **state)
{
    (void)state;
    psa_key_attributes_t a = attrs(P256_PAIR, 256, PSA_KEY_LIFETIME_FROM_PERSISTENCE_AND_LOCATION(
                                                       PSA_KEY_PERSISTENCE_VOLATILE, STSAFE_OPAQUE_LOCATION));
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_DERIVE);
    psa_set_key_algorithm(&a, PSA_ALG_ECDH);
    uint8_t ctx[CTX_LEN], chip_pub[65], soft_pub[65], s1[32], s2[32], slot1_pub[65];
    size_t len = 0, n1 = 0, n2 = 0;
    pub_bytes(1, slot1_pub);
    assert_int_equal(stsafe_opaque_generate_key(&a, ctx, sizeof ctx, &len), PSA_SUCCESS);
    assert_int_equal(ctx[5], STSAFE_PSA_SLOT_EPHEMERAL);
    pub_bytes(1, chip_pub);
    assert_memory_equal(chip_pub, slot1_pub, 65); /* slot 1 untouched */
    assert_int_equal(stsafe_opaque_export_public_key(&a, ctx, CTX_LEN, chip_pub, sizeof chip_pub, &len), PSA_SUCCESS);
    assert_int_equal(len, 65);

    psa_key_attributes_t s = PSA_KEY_ATTRIBUTES_INIT;
    mbedtls_svc_key_id_t soft;
    psa_set_key_type(&s, P256_PAIR);
    psa_set_key_bits(&s, 256);
    psa_set_key_usage_flags(&s, PSA_KEY_USAGE_DERIVE);
    psa_set_key_algorithm(&s, PSA_ALG_ECDH);
    assert_int_equal(psa_generate_key(&s, &soft), PSA_SUCCESS);
    assert_int_equal(psa_export_public_key(soft, soft_pub, sizeof soft_pub, &len), PSA_SUCCESS);
    snapshot();
    assert_int_equal(stsafe_opaque_key_agreement(&a, ctx, CTX_LEN, PSA_ALG_FFDH, soft_pub, len, s1, sizeof s1, &n1),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_chip_untouched();
    assert_int_equal(stsafe_opaque_key_agreement(&a, ctx, CTX_LEN, PSA_ALG_ECDH, soft_pub, len, s1, sizeof s1, &n1),
                     PSA_SUCCESS);
    assert_int_equal(psa_raw_key_agreement(PSA_ALG_ECDH, soft, chip_pub, sizeof chip_pub, s2, sizeof s2, &n2),
                     PSA_SUCCESS);
    assert_int_equal(n1, 32);
    assert_int_equal(n2, 32);
    assert_memory_equal(s1, s2, 32);
    psa_destroy_key(soft);
}

/* ---- bad input (issue 13): each refused, the chip's NVM as it was ---- */

static void test_no_such_slot(void **state)
{
    (void)state;
    psa_key_attributes_t a = p256_attrs();
    uint8_t ctx[CTX_LEN], sig[64], out[65];
    size_t len = 0;
    builtin(0, ctx);
    snapshot();
    uint64_t commands = dev.chip.stats.commands;
    /* key ids that map to no chip slot */
    psa_key_lifetime_t lt = 0;
    psa_drv_slot_number_t n = 0;
    assert_int_equal(stsafe_opaque_platform_builtin_key(STSAFE_OPAQUE_KEY_ID_SLOT1 + 1, &lt, &n),
                     PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(stsafe_opaque_platform_builtin_key(MBEDTLS_PSA_KEY_ID_BUILTIN_MIN, &lt, &n),
                     PSA_ERROR_DOES_NOT_EXIST);
    /* slot numbers that name no chip slot, and an ephemeral key not generated */
    psa_key_attributes_t q = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_lifetime(&q, STSAFE_OPAQUE_LIFETIME);
    assert_int_equal(stsafe_opaque_get_builtin_key(2, &q, ctx, CTX_LEN, &len), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(stsafe_opaque_get_builtin_key(0x100, &q, ctx, CTX_LEN, &len), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(stsafe_opaque_get_builtin_key(STSAFE_PSA_SLOT_EPHEMERAL, &q, ctx, CTX_LEN, &len),
                     PSA_ERROR_DOES_NOT_EXIST);
    psa_set_key_lifetime(&q, STSAFE_PSA_LOCATION << 8); /* the SE interface's location is not this driver's */
    assert_int_equal(stsafe_opaque_get_builtin_key(0, &q, ctx, CTX_LEN, &len), PSA_ERROR_DOES_NOT_EXIST);
    /* a context naming slot 2 */
    ctx[5] = 2;
    assert_int_equal(sign256(&a, ctx, sig, &len), PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(stsafe_opaque_export_public_key(&a, ctx, CTX_LEN, out, sizeof out, &len),
                     PSA_ERROR_DOES_NOT_EXIST);
    assert_int_equal(dev.chip.stats.commands, commands);
    assert_chip_untouched();
}

static void test_bad_context(void **state)
{
    (void)state;
    psa_key_attributes_t a = p256_attrs();
    uint8_t ctx[CTX_LEN + 1], sig[64];
    size_t len = 0;
    builtin(0, ctx);
    snapshot();
    uint32_t signed_before = stsafe_psa_signatures(0);
#define SIGN(buf, n) \
    stsafe_opaque_sign_hash(&a, buf, n, PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig, sizeof sig, &len)
    assert_int_equal(SIGN(ctx, CTX_LEN - 1), PSA_ERROR_INVALID_ARGUMENT); /* not a context's size */
    assert_int_equal(SIGN(ctx, CTX_LEN + 1), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(SIGN(NULL, CTX_LEN), PSA_ERROR_INVALID_ARGUMENT);
    static const size_t corrupt[] = {0, 3, 4, 7}; /* magic, version, reserved */
    for (size_t i = 0; i < sizeof corrupt / sizeof corrupt[0]; i++) {
        ctx[corrupt[i]] ^= 0x01;
        assert_int_equal(SIGN(ctx, CTX_LEN), PSA_ERROR_CORRUPTION_DETECTED);
        ctx[corrupt[i]] ^= 0x01;
    }
    ctx[6] = STSAFE_CURVE_P384; /* the context's curve is not the attributes' */
    assert_int_equal(SIGN(ctx, CTX_LEN), PSA_ERROR_INVALID_ARGUMENT);
    ctx[6] = STSAFE_CURVE_P256;
    ctx[10] ^= 0x01; /* made for another key */
    assert_int_equal(SIGN(ctx, CTX_LEN), PSA_ERROR_DOES_NOT_EXIST);
    ctx[10] ^= 0x01;
    /* attributes: another location, and P-384 attributes on a P-256 context */
    psa_set_key_lifetime(&a, PSA_KEY_LIFETIME_FROM_PERSISTENCE_AND_LOCATION(PSA_KEY_PERSISTENCE_DEFAULT,
                                                                            STSAFE_PSA_LOCATION));
    assert_int_equal(SIGN(ctx, CTX_LEN), PSA_ERROR_INVALID_ARGUMENT);
    a = attrs(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 384, STSAFE_OPAQUE_BUILTIN_LIFETIME);
    assert_int_equal(SIGN(ctx, CTX_LEN), PSA_ERROR_INVALID_ARGUMENT);
    a = p256_attrs();
    assert_int_equal(SIGN(ctx, CTX_LEN), PSA_SUCCESS); /* the untouched context still signs */
#undef SIGN
    assert_int_equal(stsafe_psa_signatures(0), signed_before + 1);
    snapshot();
    /* no chip bound */
    assert_int_equal(stsafe_psa_bind(NULL), PSA_SUCCESS);
    assert_int_equal(sign256(&a, ctx, sig, &len), PSA_ERROR_BAD_STATE);
    psa_key_attributes_t q = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_lifetime(&q, STSAFE_OPAQUE_LIFETIME);
    assert_int_equal(stsafe_opaque_get_builtin_key(0, &q, ctx, CTX_LEN, &len), PSA_ERROR_BAD_STATE);
    assert_chip_untouched();
}

static void test_not_supported(void **state)
{
    (void)state;
    psa_key_attributes_t a = p256_attrs();
    uint8_t ctx[CTX_LEN], sig[256], h[64], out[16];
    size_t len = 0, bits = 0;
    memset(h, 0x42, sizeof h);
    builtin(0, ctx);
    snapshot();
    uint64_t commands = dev.chip.stats.commands;
    /* ECDSA with SHA-512, deterministic ECDSA */
    assert_int_equal(stsafe_opaque_sign_hash(&a, ctx, CTX_LEN, PSA_ALG_ECDSA(PSA_ALG_SHA_512), h, 64, sig,
                                             sizeof sig, &len),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_opaque_verify_hash(&a, ctx, CTX_LEN, PSA_ALG_ECDSA(PSA_ALG_SHA_512), h, 64, sig, 64),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_opaque_sign_hash(&a, ctx, CTX_LEN, PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_256), digest,
                                             32, sig, sizeof sig, &len),
                     PSA_ERROR_NOT_SUPPORTED);
    /* RSA */
    psa_key_attributes_t r = attrs(PSA_KEY_TYPE_RSA_KEY_PAIR, 2048, STSAFE_OPAQUE_LIFETIME);
    psa_set_key_algorithm(&r, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256));
    assert_int_equal(stsafe_opaque_sign_hash(&r, ctx, CTX_LEN, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256), digest,
                                             32, sig, sizeof sig, &len),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_opaque_sign_hash(&a, ctx, CTX_LEN, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256), digest,
                                             32, sig, sizeof sig, &len),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_opaque_generate_key(&r, out, sizeof out, &len), PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_opaque_size_function(PSA_KEY_TYPE_RSA_KEY_PAIR, 2048), 0);
    /* P-521, Curve25519, a public key only */
    psa_key_attributes_t p521 = attrs(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 521, STSAFE_OPAQUE_LIFETIME);
    assert_int_equal(stsafe_opaque_generate_key(&p521, out, sizeof out, &len), PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_opaque_sign_hash(&p521, ctx, CTX_LEN, PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig,
                                             sizeof sig, &len),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_opaque_size_function(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 521), 0);
    psa_key_attributes_t x25519 =
        attrs(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY), 255, STSAFE_OPAQUE_LIFETIME);
    assert_int_equal(stsafe_opaque_generate_key(&x25519, out, sizeof out, &len), PSA_ERROR_NOT_SUPPORTED);
    psa_key_attributes_t pub_only =
        attrs(PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1), 256, STSAFE_OPAQUE_LIFETIME);
    assert_int_equal(stsafe_opaque_generate_key(&pub_only, out, sizeof out, &len), PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(stsafe_opaque_size_function(PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1), 256), 0);
    /* import: the A110 takes no private key */
    assert_int_equal(stsafe_opaque_import_key(&a, h, 32, out, sizeof out, &len, &bits), PSA_ERROR_NOT_SUPPORTED);
    /* generate_key: another location, too small a buffer */
    psa_key_attributes_t g = attrs(P256_PAIR, 256, PSA_KEY_LIFETIME_FROM_PERSISTENCE_AND_LOCATION(
                                                       PSA_KEY_PERSISTENCE_DEFAULT, STSAFE_PSA_LOCATION));
    assert_int_equal(stsafe_opaque_generate_key(&g, out, sizeof out, &len), PSA_ERROR_INVALID_ARGUMENT);
    g = attrs(P256_PAIR, 256, STSAFE_OPAQUE_LIFETIME);
    assert_int_equal(stsafe_opaque_generate_key(&g, out, CTX_LEN - 1, &len), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(dev.chip.stats.commands, commands); /* none reached the chip */
    assert_chip_untouched();
    /* the other curves the A110 has are taken */
    for (size_t n = 256; n <= 384; n += 128) {
        assert_int_equal(stsafe_opaque_size_function(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), n), CTX_LEN);
        assert_int_equal(stsafe_opaque_size_function(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_BRAINPOOL_P_R1), n),
                         CTX_LEN);
    }
}

/* A bus on which every transfer fails: nothing reaches the chip. */
static int dead_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    (void)ctx, (void)msgs, (void)n;
    return STSAFE_ERR_BUS_IO;
}

static void dead_delay(void *ctx, uint32_t ms)
{
    (void)ctx, (void)ms;
}

static void test_dead_bus(void **state)
{
    (void)state;
    static const stsafe_bus_ops ops = {.transfer = dead_transfer, .delay_ms = dead_delay};
    stsafe_bus bus = {.ops = &ops, .ctx = NULL};
    psa_key_attributes_t a = p256_attrs();
    psa_key_attributes_t g = attrs(P256_PAIR, 256, STSAFE_OPAQUE_LIFETIME);
    uint8_t ctx[CTX_LEN], sig[64], pub[65], secret[32], out[CTX_LEN];
    size_t len = 0;
    stsafe_client c;
    builtin(0, ctx);
    pub_bytes(0, pub);
    memset(sig, 0x33, sizeof sig);
    stsafe_client_init(&c, &bus, dev.client.addr);
    bind_chip(&c);
    snapshot();
    uint64_t commands = dev.chip.stats.commands;
    assert_int_equal(sign256(&a, ctx, sig, &len), PSA_ERROR_COMMUNICATION_FAILURE);
    assert_int_equal(stsafe_psa_last_error(0), STSAFE_ERR_BUS_IO);
    assert_int_equal(stsafe_opaque_verify_hash(&a, ctx, CTX_LEN, PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, 32, sig, 64),
                     PSA_ERROR_COMMUNICATION_FAILURE);
    assert_int_equal(stsafe_opaque_key_agreement(&a, ctx, CTX_LEN, PSA_ALG_ECDH, pub, sizeof pub, secret,
                                                 sizeof secret, &len),
                     PSA_ERROR_COMMUNICATION_FAILURE);
    assert_int_equal(stsafe_opaque_generate_key(&g, out, sizeof out, &len), PSA_ERROR_COMMUNICATION_FAILURE);
    assert_int_equal(dev.chip.stats.commands, commands);
    assert_chip_untouched();
    stsafe_client_free(&c);
}

/* A bus that loses the chip's answer (harness/bus's fault injection, "drop":
 * reads NACK until the next write): COMMUNICATION_FAILURE. The command did
 * reach the chip, which signed: not a refusal, so the NVM moved, and only
 * by the draw of the signature's nonce (the DRBG's counter, never rewound). */
static void test_answer_lost(void **state)
{
    (void)state;
    psa_key_attributes_t a = p256_attrs();
    uint8_t ctx[CTX_LEN], sig[64];
    size_t len = 0;
    stsafe_bus_fault fault;
    stsafe_bus bus;
    stsafe_client c;
    const char *bad = NULL;
    builtin(0, ctx);
    stsafe_bus_fault_init(&fault, &bus, &dev.bus, &dev.chip, NULL, NULL);
    stsafe_client_init(&c, &bus, dev.client.addr);
    bind_chip(&c);
    snapshot();
    uint64_t commands = dev.chip.stats.commands;
    assert_int_equal(stsafe_bus_fault_add_spec(&fault, "drop", &bad), 0);
    assert_int_equal(sign256(&a, ctx, sig, &len), PSA_ERROR_COMMUNICATION_FAILURE);
    assert_int_equal(stsafe_psa_last_error(0), STSAFE_ERR_BUS_TIMEOUT); /* polled past the budget */
    assert_int_equal(dev.chip.stats.commands, commands + 1);
    assert_int_equal(dev.chip.nvm.entropy.draws, nvm_before.entropy.draws + 1);
    nvm_before.entropy.draws++;
    assert_chip_untouched(); /* and nothing else */
    (void)stsafe_bus_fault_clear(&fault);
    /* the bus back: the same context signs */
    assert_int_equal(sign256(&a, ctx, sig, &len), PSA_SUCCESS);
    stsafe_client_free(&c);
}

#ifdef STSE_OPAQUE_SIGNATURES_CHECKED
int stse_opaque_signatures_checked(void);
#endif

int main(void)
{
#ifdef STSE_OPAQUE_SIGNATURES_CHECKED
    printf("entry point types checked against mbedTLS's opaque test driver: %d\n", stse_opaque_signatures_checked());
#else
    printf("entry point types not checked (no mbedTLS 3.6 source tree beside the prefix)\n");
#endif
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_get_builtin_key_slot0, each_setup),
        cmocka_unit_test_setup(test_get_builtin_key_slot1, each_setup),
        cmocka_unit_test_setup(test_sign_then_verify_with_mbedtls, each_setup),
        cmocka_unit_test_setup(test_verify_hash_in_chip, each_setup),
        cmocka_unit_test_setup(test_export_key_not_permitted, each_setup),
        cmocka_unit_test_setup(test_key_agreement_matches_mbedtls, each_setup),
        cmocka_unit_test_setup(test_no_such_slot, each_setup),
        cmocka_unit_test_setup(test_bad_context, each_setup),
        cmocka_unit_test_setup(test_not_supported, each_setup),
        cmocka_unit_test_setup(test_dead_bus, each_setup),
        cmocka_unit_test_setup(test_answer_lost, each_setup),
        cmocka_unit_test_setup(test_generate_slot1, each_setup), /* last: replaces slot 1's key */
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
