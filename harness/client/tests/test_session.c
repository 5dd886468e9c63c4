/* SPDX-License-Identifier: BSD-3-Clause */
/* The host secure channel through the client, end to end against the
 * model: commands the table protects go MACed (and encrypted when flagged),
 * both counters stay in step, and a tampered R-MAC or response is an
 * error, never data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stsafe/client/client.h"
#include "stsafe/protocol/crc16.h"
#include "stsafe/protocol/error.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/protocol/secure_channel.h"
#include "stsafe/protocol/status.h"

static const uint8_t mac_key[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                    0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
static const uint8_t cipher_key[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
                                       0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF};

typedef struct {
    stsafe_inproc_device dev;
    stsafe_host_session session;
} fixture;

static int setup(void **state)
{
    static fixture f;
    static const uint8_t seed[] = "stsafe-emu session test";
    static const uint8_t serial[9] = {1, 1, 2, 3, 5, 8, 13, 21, 34};
    assert_int_equal(stsafe_inproc_device_default(&f.dev, seed, sizeof seed, serial), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    stsafe_client_close_host_session(&f->dev.client);
    stsafe_inproc_device_free(&f->dev);
    return 0;
}

static void open_session(fixture *f)
{
    assert_int_equal(stsafe_client_put_host_keys(&f->dev.client, mac_key, cipher_key), 0);
    assert_int_equal(stsafe_client_open_host_session(&f->dev.client, &f->session, mac_key, cipher_key), 0);
    assert_int_equal(f->session.counter, 0);
}

static void expect_counters(fixture *f, uint32_t n)
{
    assert_int_equal(f->session.counter, n);
    assert_int_equal(f->dev.chip.nvm.host_keys.cmac_counter, n);
}

static void test_no_keys_no_session(void **state)
{
    fixture *f = *state;
    assert_int_equal(stsafe_client_open_host_session(&f->dev.client, &f->session, mac_key, cipher_key),
                     STSAFE_ERR_SC_NO_KEYS);
    assert_null(f->dev.client.session);
}

/* The default profile wants HOST for Wrap and Unwrap: with the session the
 * client MACs them and they work; everything else stays in the clear. */
static void test_envelopes_through_the_session(void **state)
{
    fixture *f = *state;
    uint8_t data[32], env[40], back[32];
    size_t en = 0, bn = 0;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    assert_int_equal(stsafe_client_generate_envelope_key(&f->dev.client, 0, 0), 0);
    assert_int_equal(stsafe_client_wrap(&f->dev.client, 0, data, sizeof data, env, &en),
                     STSAFE_ERR_STATUS(STSAFE_ST_COMMAND_NOT_AUTHORIZED));
    open_session(f);
    assert_int_equal(stsafe_client_wrap(&f->dev.client, 0, data, sizeof data, env, &en), 0);
    assert_int_equal(en, 40);
    assert_int_equal(stsafe_client_unwrap(&f->dev.client, 0, env, en, back, &bn), 0);
    assert_int_equal(bn, sizeof data);
    assert_memory_equal(back, data, sizeof data);
    expect_counters(f, 2);
    uint8_t r[8];
    assert_int_equal(stsafe_client_random(&f->dev.client, sizeof r, r), 0); /* FREE: in the clear */
    expect_counters(f, 2);
    /* A refusal after a good MAC is counted on both sides. */
    assert_int_equal(stsafe_client_unwrap(&f->dev.client, 1, env, en, back, &bn),
                     STSAFE_ERR_STATUS(STSAFE_ST_KEY_NOT_FOUND));
    expect_counters(f, 3);
}

/* Encryption flags set through Put Attribute 0x2A: Establish Key's answer
 * and Generate Signature's request travel encrypted, and still work. */
static void test_encrypted_commands(void **state)
{
    fixture *f = *state;
    static const uint8_t flags[] = {2, STSAFE_CMD_ESTABLISH_KEY, STSAFE_CMD_ENC_CMD | STSAFE_CMD_ENC_RSP,
                                    STSAFE_CMD_GENERATE_SIGNATURE, STSAFE_CMD_ENC_CMD};
    static const uint8_t digest[32] = {0xD1, 0x6E, 0x57};
    stsafe_ecc_point pub, eph;
    stsafe_ecc_signature sig;
    uint8_t s1[48], s2[48];
    size_t n1 = 0, n2 = 0;
    int valid = 0;
    assert_int_equal(stsafe_client_put_attribute(&f->dev.client, STSAFE_TAG_COMMAND_ENCRYPTION, flags,
                                                 sizeof flags), 0);
    open_session(f);
    assert_int_equal(stsafe_client_generate_key(&f->dev.client, 1, STSAFE_CURVE_P256, 0xFFFF, &pub), 0);
    assert_int_equal(stsafe_client_generate_key(&f->dev.client, 0xFF, STSAFE_CURVE_P256, 0xFFFF, &eph), 0);
    assert_int_equal(stsafe_client_establish_key(&f->dev.client, 1, &eph, s1, &n1), 0);
    assert_int_equal(stsafe_client_establish_key(&f->dev.client, 0xFF, &pub, s2, &n2), 0);
    assert_int_equal(n1, 32);
    assert_int_equal(n2, 32);
    assert_memory_equal(s1, s2, 32);
    assert_int_equal(stsafe_client_sign(&f->dev.client, 1, digest, sizeof digest, &sig), 0);
    assert_int_equal(stsafe_client_verify(&f->dev.client, STSAFE_CURVE_P256, &pub, &sig, digest,
                                          sizeof digest, &valid), 0);
    assert_true(valid);
    expect_counters(f, 3); /* two ECDH and one signature; keygen and verify are FREE */
    /* Without the session the chip refuses what must be encrypted. */
    stsafe_client_close_host_session(&f->dev.client);
    assert_int_equal(stsafe_client_sign(&f->dev.client, 1, digest, sizeof digest, &sig),
                     STSAFE_ERR_STATUS(STSAFE_ST_COMMAND_NOT_AUTHORIZED));
}

/* mac_all: a zone whose update condition is HOST (zone 7) takes a MACed Update. */
static void test_host_zone(void **state)
{
    fixture *f = *state;
    static const uint8_t v[3] = {0xC0, 0xFF, 0xEE};
    uint8_t back[3];
    open_session(f);
    assert_int_equal(stsafe_client_update(&f->dev.client, 0, 7, 0, v, sizeof v),
                     STSAFE_ERR_STATUS(STSAFE_ST_ACCESS_CONDITION));
    f->dev.client.mac_all = 1;
    assert_int_equal(stsafe_client_update(&f->dev.client, 0, 7, 0, v, sizeof v), 0);
    assert_int_equal(stsafe_client_read(&f->dev.client, 0, 7, 0, sizeof back, back), 0);
    assert_memory_equal(back, v, sizeof v);
    expect_counters(f, 2);
}

/* A man in the middle who knows CRC-16: rewrites the whole response frame
 * (the second, full read) and fixes its CRC, so only the R-MAC can tell. */
typedef enum { FORGE_NONE, FORGE_RMAC_BYTE, FORGE_DROP_RMAC_FLAG } forge_kind;

typedef struct {
    stsafe_bus *inner;
    forge_kind kind;
} forging_bus;

static void forge(forge_kind kind, uint8_t *frame, size_t len)
{
    size_t total = 3u + (size_t)((frame[1] << 8) | frame[2]);
    if (len < total || total < 5)
        return; /* the first 5-byte read: left alone */
    if (kind == FORGE_RMAC_BYTE)
        frame[total - 3] ^= 0x01;               /* last R-MAC byte */
    else if (kind == FORGE_DROP_RMAC_FLAG)
        frame[0] &= (uint8_t)~STSAFE_SC_STATUS_RMAC;
    /* CRC over status and data, high byte first */
    uint8_t tmp[STSAFE_A110_MAX_FRAME_LEN];
    tmp[0] = frame[0];
    memcpy(tmp + 1, frame + 3, total - 5);
    uint16_t crc = stsafe_crc16(tmp, total - 4);
    frame[total - 2] = (uint8_t)(crc >> 8);
    frame[total - 1] = (uint8_t)crc;
}

static int forging_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    forging_bus *fb = ctx;
    int err = fb->inner->ops->transfer(fb->inner->ctx, msgs, n);
    for (size_t i = 0; !err && i < n; i++)
        if ((msgs[i].flags & STSAFE_I2C_MSG_READ) && fb->kind != FORGE_NONE)
            forge(fb->kind, msgs[i].buf, msgs[i].len);
    return err;
}

static void test_forged_responses_are_refused(void **state)
{
    fixture *f = *state;
    static const stsafe_bus_ops ops = {.transfer = forging_transfer};
    static const uint8_t msg[5] = {'h', 'e', 'l', 'l', 'o'};
    uint8_t out[16] = {0};
    size_t n = 0;
    open_session(f);
    forging_bus fb = {&f->dev.bus, FORGE_NONE};
    stsafe_bus bus = {&ops, &fb};
    stsafe_client *c = &f->dev.client;
    c->bus = &bus;
    assert_int_equal(stsafe_client_transceive_protected(c, STSAFE_CMD_ECHO, 0, msg, 5, out, sizeof out, &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(out, msg, 5);

    fb.kind = FORGE_RMAC_BYTE;
    memset(out, 0, sizeof out);
    assert_int_equal(stsafe_client_transceive_protected(c, STSAFE_CMD_ECHO, 0, msg, 5, out, sizeof out, &n),
                     STSAFE_ERR_SC_RMAC);
    static const uint8_t untouched[16] = {0};
    assert_memory_equal(out, untouched, sizeof out); /* nothing handed out */
    expect_counters(f, 2);                           /* both sides counted it */

    fb.kind = FORGE_DROP_RMAC_FLAG;
    assert_int_equal(stsafe_client_transceive_protected(c, STSAFE_CMD_ECHO, 0, msg, 5, out, sizeof out, &n),
                     STSAFE_ERR_SC_RMAC);

    /* The fault-test switch: R-MACs unchecked, the forged bytes come through. */
    fb.kind = FORGE_RMAC_BYTE;
    f->session.check_rmac = 0;
    assert_int_equal(stsafe_client_transceive_protected(c, STSAFE_CMD_ECHO, 0, msg, 5, out, sizeof out, &n), 0);
    assert_int_equal(n, 5 + STSAFE_SC_MAC_LEN);
    assert_memory_equal(out, msg, 5);
    c->bus = &f->dev.bus;
    expect_counters(f, 4);
}

/* The counter's last value: the chip refuses with 0x09, the host does not send. */
static void test_counter_exhausted(void **state)
{
    fixture *f = *state;
    uint8_t out[4] = {0x33};
    size_t n = 0;
    open_session(f);
    f->dev.chip.nvm.host_keys.cmac_counter = STSAFE_SC_COUNTER_MAX - 1;
    f->session.counter = STSAFE_SC_COUNTER_MAX - 1;
    assert_int_equal(stsafe_client_transceive_protected(&f->dev.client, STSAFE_CMD_ECHO, 0, out, 1, out,
                                                        sizeof out, &n), 0);
    expect_counters(f, STSAFE_SC_COUNTER_MAX);
    assert_int_equal(stsafe_client_transceive_protected(&f->dev.client, STSAFE_CMD_ECHO, 0, out, 1, out,
                                                        sizeof out, &n), STSAFE_ERR_SC_COUNTER);
    /* A host that sends anyway (its copy one behind) meets the chip's 0x09. */
    f->session.counter = STSAFE_SC_COUNTER_MAX - 1;
    assert_int_equal(stsafe_client_transceive_protected(&f->dev.client, STSAFE_CMD_ECHO, 0, out, 1, out,
                                                        sizeof out, &n),
                     STSAFE_ERR_STATUS(STSAFE_ST_CMAC_COUNTER_MAX));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_keys_no_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_envelopes_through_the_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_encrypted_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_zone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_responses_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counter_exhausted, setup, teardown),
    };
    return cmocka_run_group_tests_name("host session", tests, NULL, NULL);
}
