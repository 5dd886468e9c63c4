/* SPDX-License-Identifier: BSD-3-Clause */
/* Issue 14, finding 11: an image whose hash is right but whose fields no
 * chip could hold is refused with STSAFE_ERR_IMAGE_FIELD, and the check
 * names the field. Each case edits one field of a valid default chip,
 * serialises it (the hash recomputed) and parses it back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "emu_fixture.h"
#include "stsafe/emulator/image.h"
#include "stsafe/protocol/error.h"

static uint8_t img[STSAFE_EMU_IMAGE_MAX_SIZE];
static stsafe_emu_nvm edited, parsed;

typedef void (*edit_fn)(stsafe_emu_nvm *n);

static void lc_77(stsafe_emu_nvm *n) { n->life_cycle = 0x77; }
static void lc_00(stsafe_emu_nvm *n) { n->life_cycle = 0x00; }
static void i2c_ff(stsafe_emu_nvm *n) { n->i2c.address = 0xFF; }
static void i2c_07(stsafe_emu_nvm *n) { n->i2c.address = 0x07; }
static void lpm_1(stsafe_emu_nvm *n) { n->i2c.low_power_mode = 1; }
static void lock_2(stsafe_emu_nvm *n) { n->i2c.locked = 2; }
static void tries_250(stsafe_emu_nvm *n)
{
    n->password.present = 1;
    n->password.max_tries = 3;
    n->password.tries_left = 250;
}
static void pw_flag(stsafe_emu_nvm *n) { n->password.present = 2; }
static void hk_flag(stsafe_emu_nvm *n) { n->host_keys.present = 9; }
static void scalar_0(stsafe_emu_nvm *n) { memset(n->key_slots[0].priv, 0, 32); }
static void scalar_n(stsafe_emu_nvm *n)
{
    static const uint8_t order[32] = { /* P-256 n */
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};
    memcpy(n->key_slots[0].priv, order, sizeof order);
}
static void scalar_other(stsafe_emu_nvm *n) { n->key_slots[0].priv[31] ^= 0x01; }
static void pub_off_curve(stsafe_emu_nvm *n) { n->key_slots[0].pub_y[31] ^= 0x01; }
static void cmd_ac_9(stsafe_emu_nvm *n) { n->cmd_auth.rec[0].ac = 9; }
static void cmd_enc_4(stsafe_emu_nvm *n) { n->cmd_auth.rec[1].host_encryption = 4; }
static void zone_ac_5(stsafe_emu_nvm *n) { n->zones[2].access = (uint8_t)((n->zones[2].access & 0xF0) | 0x05); }
static void counter_plain(stsafe_emu_nvm *n) { n->zones[0].counter = 12; }

static const struct {
    edit_fn edit;
    const char *detail;
} cases[] = {
    {lc_77, "life cycle 0x77 is not a life-cycle state (01 02 03 04 81 83)"},
    {lc_00, "life cycle 0x00 is not a life-cycle state (01 02 03 04 81 83)"},
    {i2c_ff, "I2C address 0xFF is outside 0x08..0x77"},
    {i2c_07, "I2C address 0x07 is outside 0x08..0x77"},
    {lpm_1, "I2C low-power mode 1 is neither 0 nor 2"},
    {lock_2, "I2C lock 2 is neither 0 nor 1"},
    {tries_250, "password: 250 tries left of a maximum of 3"},
    {pw_flag, "password present flag 2 is neither 0 nor 1"},
    {hk_flag, "host keys present flag 9 is neither 0 nor 1"},
    {scalar_0, "key slot 0: the private scalar is not in [1, n-1] of its curve"},
    {scalar_n, "key slot 0: the private scalar is not in [1, n-1] of its curve"},
    {pub_off_curve, "key slot 0: the public key is not a point of its curve"},
    {cmd_ac_9, "command table: access condition 9 of command 0x00 is not 0..5"},
    {cmd_enc_4, "command table: encryption flags 0x04 of command 0x01"},
    {zone_ac_5, "zone 2: update access condition 5 is reserved"},
    {counter_plain, "zone 0: a plain zone with counter 12"},
};

static void test_crafted_images_refused(void **state)
{
    (void)state;
    emu_fixture f;
    char detail[160];
    size_t len = 0;
    fixture_setup(&f);
    assert_int_equal(stsafe_emu_image_check(&f.chip.nvm, detail, sizeof detail), 0);
    assert_int_equal(f.chip.nvm.key_slots[0].present, 1);
    assert_int_equal(f.chip.nvm.zones[0].type, 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        edited = f.chip.nvm;
        cases[i].edit(&edited);
        assert_int_equal(stsafe_emu_image_serialize(&edited, img, sizeof img, &len), 0);
        memset(&parsed, 0x5A, sizeof parsed);
        int err = stsafe_emu_image_parse(img, len, &parsed);
        if (err != STSAFE_ERR_IMAGE_FIELD)
            fail_msg("case %zu (%s): parse answered %d", i, cases[i].detail, err);
        for (size_t b = 0; b < sizeof parsed; b++)
            if (((const uint8_t *)&parsed)[b] != 0x5A)
                fail_msg("case %zu: the NVM was written", i);
        detail[0] = '\0';
        assert_int_equal(stsafe_emu_image_check(&edited, detail, sizeof detail), STSAFE_ERR_IMAGE_FIELD);
        assert_string_equal(detail, cases[i].detail);
    }
    fixture_teardown(&f);
}

/* A public key that is a point of the curve but not the scalar's: the
 * image loads (no multiplication at load), and the key-pair check that
 * `stsafe-emu info` runs names the slot. */
static void test_mismatched_pair_found_by_the_pair_check(void **state)
{
    (void)state;
    emu_fixture f;
    char detail[160] = "";
    size_t len = 0;
    fixture_setup(&f);
    assert_int_equal(stsafe_emu_image_check_key_pairs(&f.chip.nvm, detail, sizeof detail), 0);
    edited = f.chip.nvm;
    scalar_other(&edited);
    assert_int_equal(stsafe_emu_image_serialize(&edited, img, sizeof img, &len), 0);
    assert_int_equal(stsafe_emu_image_parse(img, len, &parsed), 0);
    assert_int_equal(stsafe_emu_image_check_key_pairs(&parsed, detail, sizeof detail), STSAFE_ERR_IMAGE_FIELD);
    assert_string_equal(detail, "key slot 0: the public key is not the private scalar's point");
    assert_int_equal(stsafe_emu_image_check_key_pairs(NULL, NULL, 0), STSAFE_ERR_BAD_INPUT);
    fixture_teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_crafted_images_refused),
                                       cmocka_unit_test(test_mismatched_pair_found_by_the_pair_check)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
