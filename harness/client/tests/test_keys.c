/* SPDX-License-Identifier: BSD-3-Clause */
/* Key commands checked independently: every signature the chip makes is
 * verified with plain mbedTLS against the public key the chip returned;
 * every ECDH secret equals the host-side mbedTLS computation; every refusal
 * has its status and leaves the NVM unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/ecdh.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/md.h>

#include "stsafe/emulator/ecc.h"
#include "stsafe/emulator/keywrap.h"
#include "stsafe/emulator/profile.h"
#include "stsafe/bus/inproc.h"
#include "stsafe/client/client.h"
#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/emulator/rng.h"

typedef stsafe_inproc_device key_fixture;

static int setup(void **state)
{
    static key_fixture f;
    static const uint8_t seed[] = "stsafe-emu key test";
    assert_int_equal(stsafe_inproc_device_default(&f, seed, sizeof seed, NULL), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    stsafe_inproc_device_free(*state);
    return 0;
}

static void load_point(mbedtls_ecp_group *grp, mbedtls_ecp_point *q, uint8_t curve,
                       const stsafe_ecc_point *p)
{
    assert_int_equal(mbedtls_ecp_group_load(grp, stsafe_emu_curve_group(curve)), 0);
    assert_int_equal(stsafe_mbedtls_point_from_xy(grp, q, p->x, p->y, p->size), 0);
    assert_int_equal(mbedtls_ecp_check_pubkey(grp, q), 0);
}

/* Plain mbedTLS verification of a chip signature. */
static int host_verify(uint8_t curve, const stsafe_ecc_point *pub, const uint8_t *digest,
                       size_t len, const stsafe_ecc_signature *sig)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi r, s;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    load_point(&grp, &q, curve, pub);
    assert_int_equal(mbedtls_mpi_read_binary(&r, sig->r, sig->size), 0);
    assert_int_equal(mbedtls_mpi_read_binary(&s, sig->s, sig->size), 0);
    int rc = mbedtls_ecdsa_verify(&grp, digest, len, &q, &r, &s);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    return rc;
}

static void digests(uint8_t d256[32], uint8_t d384[64], const char *msg)
{
    const uint8_t *m = (const uint8_t *)msg;
    assert_int_equal(mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), m, strlen(msg), d256), 0);
    assert_int_equal(mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA384), m, strlen(msg), d384), 0);
}

static void test_sign_every_curve_and_hash(void **state)
{
    key_fixture *f = *state;
    uint8_t d256[32], d384[64];
    digests(d256, d384, "the key never leaves the chip");
    for (uint8_t curve = STSAFE_CURVE_P256; curve <= STSAFE_CURVE_BP384; curve++) {
        stsafe_ecc_point pub;
        stsafe_ecc_signature sig;
        assert_int_equal(stsafe_client_generate_key(&f->client, 1, curve, 0xFFFF, &pub), 0);
        assert_int_equal(pub.size, stsafe_curve_size(curve));
        for (int h = 0; h < 2; h++) {
            const uint8_t *d = h ? d384 : d256;
            size_t n = h ? 48 : 32;
            assert_int_equal(stsafe_client_sign(&f->client, 1, d, n, &sig), 0);
            assert_int_equal(sig.size, stsafe_curve_size(curve));
            if (host_verify(curve, &pub, d, n, &sig) != 0)
                fail_msg("%s signature over a %zu-byte digest does not verify", stsafe_curve_name(curve), n);
            sig.s[sig.size - 1] ^= 1;
            assert_int_not_equal(host_verify(curve, &pub, d, n, &sig), 0);
        }
    }
}

/* Slot 0's personalised key signs; its public key is the certificate's. */
static void test_sign_slot0(void **state)
{
    key_fixture *f = *state;
    uint8_t d256[32], d384[64];
    stsafe_ecc_point pub = {.size = 32};
    stsafe_ecc_signature sig;
    digests(d256, d384, "device authentication");
    memcpy(pub.x, f->chip.nvm.key_slots[0].pub_x, 32);
    memcpy(pub.y, f->chip.nvm.key_slots[0].pub_y, 32);
    assert_int_equal(stsafe_client_sign(&f->client, 0, d256, 32, &sig), 0);
    assert_int_equal(host_verify(STSAFE_CURVE_P256, &pub, d256, 32, &sig), 0);
    /* a SHA-384 digest with a P-256 key: standard truncation */
    assert_int_equal(stsafe_client_sign(&f->client, 0, d384, 48, &sig), 0);
    assert_int_equal(host_verify(STSAFE_CURVE_P256, &pub, d384, 48, &sig), 0);
}

static void test_ecdh_equals_host(void **state)
{
    key_fixture *f = *state;
    for (uint8_t curve = STSAFE_CURVE_P256; curve <= STSAFE_CURVE_BP384; curve++) {
        stsafe_ecc_point chip_pub, host_pub;
        uint8_t secret[48], want[48];
        size_t n = 0, size = stsafe_curve_size(curve);
        assert_int_equal(stsafe_client_generate_key(&f->client, 1, curve, 0xFFFF, &chip_pub), 0);

        mbedtls_ecp_keypair host;
        mbedtls_ecp_point q;
        mbedtls_mpi z;
        mbedtls_ecp_keypair_init(&host);
        mbedtls_ecp_point_init(&q);
        mbedtls_mpi_init(&z);
        assert_int_equal(mbedtls_ecp_gen_key(stsafe_emu_curve_group(curve), &host, stsafe_rng_fn, &f->rng), 0);
        host_pub.size = size;
        assert_int_equal(stsafe_mbedtls_point_to_xy(&host.STSAFE_MBEDTLS_PRIVATE(grp), &host.STSAFE_MBEDTLS_PRIVATE(Q),
                                                    host_pub.x, host_pub.y, size), 0);
        assert_int_equal(stsafe_client_establish_key(&f->client, 1, &host_pub, secret, &n), 0);
        assert_int_equal(n, size);

        mbedtls_ecp_group grp;
        mbedtls_ecp_group_init(&grp);
        load_point(&grp, &q, curve, &chip_pub);
        assert_int_equal(mbedtls_ecdh_compute_shared(&host.STSAFE_MBEDTLS_PRIVATE(grp), &z, &q,
                                                     &host.STSAFE_MBEDTLS_PRIVATE(d), stsafe_rng_fn, &f->rng), 0);
        assert_int_equal(mbedtls_mpi_write_binary(&z, want, size), 0);
        assert_memory_equal(secret, want, size);
        mbedtls_ecp_group_free(&grp);
        mbedtls_mpi_free(&z);
        mbedtls_ecp_point_free(&q);
        mbedtls_ecp_keypair_free(&host);
    }
}

static void test_chip_verifies(void **state)
{
    key_fixture *f = *state;
    uint8_t d256[32], d384[64];
    stsafe_ecc_point pub;
    stsafe_ecc_signature sig;
    int valid = -1;
    digests(d256, d384, "verify me");
    assert_int_equal(stsafe_client_generate_key(&f->client, 1, STSAFE_CURVE_P384, 0xFFFF, &pub), 0);
    assert_int_equal(stsafe_client_sign(&f->client, 1, d384, 48, &sig), 0);
    assert_int_equal(stsafe_client_verify(&f->client, STSAFE_CURVE_P384, &pub, &sig, d384, 48, &valid), 0);
    assert_int_equal(valid, 1);
    d384[0] ^= 1;
    assert_int_equal(stsafe_client_verify(&f->client, STSAFE_CURVE_P384, &pub, &sig, d384, 48, &valid), 0);
    assert_int_equal(valid, 0);
    pub.y[10] ^= 1; /* no longer on the curve */
    assert_int_equal(stsafe_client_verify(&f->client, STSAFE_CURVE_P384, &pub, &sig, d384, 48, &valid),
                     STSAFE_ERR_STATUS(0x19));
}

static void test_ephemeral_slot_single_use(void **state)
{
    key_fixture *f = *state;
    uint8_t d256[32], d384[64];
    stsafe_ecc_point pub;
    stsafe_ecc_signature sig;
    digests(d256, d384, "once");
    assert_int_equal(stsafe_client_generate_key(&f->client, 0xFF, STSAFE_CURVE_P256, 0xFFFF, &pub), 0);
    assert_int_equal(stsafe_client_sign(&f->client, 0xFF, d256, 32, &sig), 0);
    assert_int_equal(host_verify(STSAFE_CURVE_P256, &pub, d256, 32, &sig), 0);
    assert_int_equal(stsafe_client_sign(&f->client, 0xFF, d256, 32, &sig), STSAFE_ERR_STATUS(0x0A));
    /* and a power cycle loses an unused one */
    assert_int_equal(stsafe_client_generate_key(&f->client, 0xFF, STSAFE_CURVE_P256, 0xFFFF, &pub), 0);
    stsafe_emu_chip_power_cycle(&f->chip);
    assert_int_equal(stsafe_client_sign(&f->client, 0xFF, d256, 32, &sig), STSAFE_ERR_STATUS(0x0A));
}

static void test_usage_limit(void **state)
{
    key_fixture *f = *state;
    uint8_t d256[32], d384[64];
    stsafe_ecc_point pub;
    stsafe_ecc_signature sig;
    digests(d256, d384, "limited");
    assert_int_equal(stsafe_client_generate_key(&f->client, 1, STSAFE_CURVE_P256, 2, &pub), 0);
    assert_int_equal(stsafe_client_sign(&f->client, 1, d256, 32, &sig), 0);
    assert_int_equal(stsafe_client_sign(&f->client, 1, d256, 32, &sig), 0);
    assert_int_equal(stsafe_client_sign(&f->client, 1, d256, 32, &sig), STSAFE_ERR_STATUS(0x0B));
    assert_int_equal(stsafe_client_generate_key(&f->client, 1, STSAFE_CURVE_P256, 0, &pub),
                     STSAFE_ERR_STATUS(0x03));
}

/* Each refusal: its status, and the NVM exactly as before. */
static void test_refusals_leave_state(void **state)
{
    key_fixture *f = *state;
    static stsafe_emu_nvm before;
    uint8_t d256[32], d384[64], secret[48];
    size_t n = 0;
    stsafe_ecc_point pub, slot0 = {.size = 32};
    stsafe_ecc_signature sig;
    digests(d256, d384, "refused");
    memcpy(slot0.x, f->chip.nvm.key_slots[0].pub_x, 32);
    memcpy(slot0.y, f->chip.nvm.key_slots[0].pub_y, 32);
    before = f->chip.nvm;

    assert_int_equal(stsafe_client_sign(&f->client, 1, d256, 32, &sig), STSAFE_ERR_STATUS(0x0A)); /* empty */
    assert_int_equal(stsafe_client_generate_key(&f->client, 0, STSAFE_CURVE_P256, 0xFFFF, &pub),
                     STSAFE_ERR_STATUS(0x11)); /* slot 0 is locked */
    assert_int_equal(stsafe_client_generate_key(&f->client, 2, STSAFE_CURVE_P256, 0xFFFF, &pub),
                     STSAFE_ERR_STATUS(0x03)); /* no slot 2 */
    assert_int_equal(stsafe_client_sign(&f->client, 0, d256, 31, &sig), STSAFE_ERR_STATUS(0x03));
    assert_int_equal(stsafe_client_establish_key(&f->client, 0, &slot0, secret, &n),
                     STSAFE_ERR_STATUS(0x1B)); /* slot 0: signature only */

    /* unknown curve id, sent as a raw payload: 0x13 slot 1, limit, filler, OID 1.2.3 */
    static const uint8_t bad_curve[] = {0x13, 0x01, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x02, 0x2A, 0x03};
    assert_int_equal(stsafe_client_transceive(&f->client, STSAFE_CMD_GENERATE_KEY, bad_curve,
                                              sizeof bad_curve, NULL, 0, NULL), STSAFE_ERR_STATUS(0x03));
    assert_memory_equal(&before, &f->chip.nvm, sizeof before);

    /* a point off the curve for ECDH */
    assert_int_equal(stsafe_client_generate_key(&f->client, 1, STSAFE_CURVE_P256, 0xFFFF, &pub), 0);
    before = f->chip.nvm;
    pub.x[3] ^= 0x40;
    assert_int_equal(stsafe_client_establish_key(&f->client, 1, &pub, secret, &n), STSAFE_ERR_STATUS(0x19));
    assert_memory_equal(&before, &f->chip.nvm, sizeof before);
}

/* No response ever carries a private scalar. */
static void test_no_private_bytes_in_responses(void **state)
{
    key_fixture *f = *state;
    uint8_t d256[32], d384[64];
    stsafe_ecc_point pub;
    stsafe_ecc_signature sig;
    digests(d256, d384, "secret");
    assert_int_equal(stsafe_client_generate_key(&f->client, 1, STSAFE_CURVE_P256, 0xFFFF, &pub), 0);
    const uint8_t *priv = f->chip.nvm.key_slots[1].priv;
    for (int i = 0; i < 8; i++) {
        assert_int_equal(stsafe_client_sign(&f->client, 1, d256, 32, &sig), 0);
        for (size_t k = 0; k + 8 <= f->chip.vol.rsp_len; k++)
            assert_memory_not_equal(f->chip.vol.rsp + k, priv, 8);
    }
}

/* The Generate Key frame captured on a real A110 (usage limit 1, mode word
 * 0x800D, brainpoolP384r1) is accepted and its mode word sets the flags. */
static void test_genkey_mode_word(void **state)
{
    key_fixture *f = *state;
    static const uint8_t captured[] = {0x13, 0x01, 0x00, 0x01, 0x80, 0x0D, 0x00, 0x09, 0x2B, 0x24,
                                       0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B};
    uint8_t rsp[128], d256[32], d384[64];
    size_t n = 0;
    stsafe_ecc_point pub;
    stsafe_ecc_signature sig;
    digests(d256, d384, "mode word");
    assert_int_equal(stsafe_client_transceive(&f->client, STSAFE_CMD_GENERATE_KEY, captured,
                                              sizeof captured, rsp, sizeof rsp, &n), 0);
    assert_int_equal(n, 101); /* 04, 00 30, X, 00 30, Y as in the capture */
    assert_int_equal(stsafe_point_decode(rsp, n, &pub), 0);
    assert_int_equal(f->chip.nvm.key_slots[1].mode[0], 0x80);
    assert_int_equal(f->chip.nvm.key_slots[1].mode[1] & 0x0D, 0x0D);
    assert_int_equal(stsafe_client_sign(&f->client, 1, d384, 48, &sig), 0);
    assert_int_equal(host_verify(STSAFE_CURVE_BP384, &pub, d384, 48, &sig), 0);
    assert_int_equal(stsafe_client_sign(&f->client, 1, d384, 48, &sig), STSAFE_ERR_STATUS(0x0B));

    /* a key made for key establishment only cannot sign */
    static const uint8_t ecdh_only[] = {0x13, 0x01, 0xFF, 0xFF, 0x00, 0x01, 0x00, 0x08, 0x2A, 0x86,
                                        0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
    assert_int_equal(stsafe_client_transceive(&f->client, STSAFE_CMD_GENERATE_KEY, ecdh_only,
                                              sizeof ecdh_only, rsp, sizeof rsp, &n), 0);
    assert_int_equal(stsafe_client_sign(&f->client, 1, d256, 32, &sig), STSAFE_ERR_STATUS(0x1B));
}

/* Local envelopes: HOST-only in the default profile (as ST's SPL03), so the
 * test opens the commands first, as a profile without that condition would. */
static void open_envelope_commands(stsafe_emu_chip *chip)
{
    for (uint8_t i = 0; i < chip->nvm.cmd_auth.count; i++) {
        uint8_t code = chip->nvm.cmd_auth.rec[i].header;
        if (code == STSAFE_CMD_WRAP_LOCAL_ENVELOPE || code == STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE)
            chip->nvm.cmd_auth.rec[i].ac = STSAFE_CMD_AC_FREE;
    }
}

static void test_envelopes(void **state)
{
    key_fixture *f = *state;
    uint8_t data[480], env[488], back[480];
    size_t en = 0, bn = 0;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 31 + 7);
    /* default profile: the secure channel is required */
    assert_int_equal(stsafe_client_wrap(&f->client, 0, data, 16, env, &en), STSAFE_ERR_STATUS(0x1E));
    open_envelope_commands(&f->chip);
    assert_int_equal(stsafe_client_wrap(&f->client, 0, data, 16, env, &en), STSAFE_ERR_STATUS(0x0A));
    assert_int_equal(stsafe_client_generate_envelope_key(&f->client, 0, 0), 0);
    assert_int_equal(stsafe_client_generate_envelope_key(&f->client, 1, 1), 0);
    assert_int_equal(stsafe_client_generate_envelope_key(&f->client, 0, 1), STSAFE_ERR_STATUS(0x11));
    assert_int_equal(stsafe_client_generate_envelope_key(&f->client, 2, 0), STSAFE_ERR_STATUS(0x03));
    stsafe_envelope_key_table t;
    assert_int_equal(stsafe_client_query_envelope_keys(&f->client, &t), 0);
    assert_int_equal(t.slot[0].present, 1);
    assert_int_equal(t.slot[0].key_len_sel, 0);
    assert_int_equal(t.slot[1].key_len_sel, 1);

    static const size_t sizes[] = {16, 24, 256, 480};
    for (uint8_t slot = 0; slot < 2; slot++) {
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            size_t n = sizes[k];
            assert_int_equal(stsafe_client_wrap(&f->client, slot, data, n, env, &en), 0);
            assert_int_equal(en, n + 8);
            /* the envelope is a key-wrap block under the slot's key: check it on the host */
            const stsafe_emu_envelope_key *key = &f->chip.nvm.envelope_keys[slot];
            assert_int_equal(stsafe_emu_kw_unwrap(key->key, key->key_len_sel ? 32 : 16, env, en, back), 0);
            assert_memory_equal(back, data, n);
            memset(back, 0, sizeof back);
            assert_int_equal(stsafe_client_unwrap(&f->client, slot, env, en, back, &bn), 0);
            assert_int_equal(bn, n);
            assert_memory_equal(back, data, n);
        }
    }
    assert_int_equal(stsafe_client_wrap(&f->client, 0, data, 20, env, &en), STSAFE_ERR_STATUS(0x03));
    assert_int_equal(stsafe_client_wrap(&f->client, 0, data, 8, env, &en), STSAFE_ERR_STATUS(0x03));
    assert_int_equal(stsafe_client_wrap(&f->client, 0, data, 16, env, &en), 0);
    env[5] ^= 0x20;
    assert_int_equal(stsafe_client_unwrap(&f->client, 0, env, en, back, &bn), STSAFE_ERR_STATUS(0x11));
    env[5] ^= 0x20;
    assert_int_equal(stsafe_client_unwrap(&f->client, 1, env, en, back, &bn), STSAFE_ERR_STATUS(0x11));
    assert_int_equal(stsafe_client_unwrap(&f->client, 0, env, en, back, &bn), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sign_every_curve_and_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sign_slot0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ecdh_equals_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chip_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ephemeral_slot_single_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_leave_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_private_bytes_in_responses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_envelopes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_genkey_mode_word, setup, teardown),
    };
    return cmocka_run_group_tests_name("key commands", tests, NULL, NULL);
}
