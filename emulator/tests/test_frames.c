/* SPDX-License-Identifier: BSD-3-Clause */
/* Replays the frame vector files, each against one fresh chip: every
 * response must match byte for byte, and every refused command must leave
 * the NVM exactly as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emu_fixture.h"
#include "stsafe/emulator/ecc.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/curves.h"
#include "support/testvec.h"

/* "!slot N CURVE PRIV" and "!envkey N KEY": known keys put in the chip
 * before the frames that use them (vectors/frames/keys.txt); "!cmdac CODE
 * AC" and "!cmdenc CODE FLAGS": a command table entry set directly (Put
 * Attribute may only make it stricter). */
static void apply_directive(emu_fixture *f, const testvec_file *tv)
{
    uint8_t key[64];
    if (!strcmp(tv->field[0], "!slot") && tv->nfields == 4) {
        int slot = atoi(tv->field[1]);
        uint8_t curve = !strcmp(tv->field[2], "p256")   ? STSAFE_CURVE_P256
                        : !strcmp(tv->field[2], "p384") ? STSAFE_CURVE_P384
                                                        : STSAFE_CURVE_NONE;
        size_t n = testvec_hex(tv, 3, key, sizeof key);
        assert_in_range(slot, 0, STSAFE_EMU_MAX_KEY_SLOTS - 1);
        assert_int_equal(stsafe_emu_slot_import(&f->chip.nvm.key_slots[slot], curve, key, n,
                                                f->chip.f_rng, f->chip.p_rng), 0);
    } else if (!strcmp(tv->field[0], "!envkey") && tv->nfields == 3) {
        int slot = atoi(tv->field[1]);
        size_t n = testvec_hex(tv, 2, key, sizeof key);
        assert_in_range(slot, 0, STSAFE_EMU_ENVELOPE_SLOTS - 1);
        assert_true(n == 16 || n == 32);
        stsafe_emu_envelope_key *k = &f->chip.nvm.envelope_keys[slot];
        k->present = 1;
        k->key_len_sel = n == 32;
        memcpy(k->key, key, n);
    } else if ((!strcmp(tv->field[0], "!cmdac") || !strcmp(tv->field[0], "!cmdenc")) && tv->nfields == 3) {
        uint8_t code = (uint8_t)strtoul(tv->field[1], NULL, 16);
        uint8_t value = (uint8_t)strtoul(tv->field[2], NULL, 16);
        stsafe_emu_cmd_auth *rec = NULL;
        for (uint8_t i = 0; i < f->chip.nvm.cmd_auth.count; i++)
            if (f->chip.nvm.cmd_auth.rec[i].header == code)
                rec = &f->chip.nvm.cmd_auth.rec[i];
        assert_non_null(rec);
        if (tv->field[0][4] == 'a')
            rec->ac = value;
        else
            rec->host_encryption = value;
    } else {
        fail_msg("line %d: unknown directive %s", tv->lineno, tv->field[0]);
    }
}

/* Replays one vector file against a fresh chip; returns the vector count. */
static int replay_file(const char *relpath)
{
    emu_fixture f;
    testvec_file tv;
    static uint8_t cmd[1024], want[1024], got[1024];
    static stsafe_emu_nvm before;
    int count = 0;

    fixture_setup(&f);
    testvec_open(&tv, relpath);
    while (testvec_next(&tv)) {
        if (tv.field[0][0] == '!') {
            apply_directive(&f, &tv);
            continue;
        }
        size_t cn = testvec_hex(&tv, 1, cmd, sizeof cmd);
        size_t wn = testvec_hex(&tv, 2, want, sizeof want);
        before = f.chip.nvm;
        size_t gn = fixture_exec(&f, cmd, cn, got);
        if (gn != wn || memcmp(got, want, wn) != 0) {
            char hex[2100] = {0};
            for (size_t i = 0; i < gn && i < 1000; i++)
                snprintf(hex + 2 * i, 3, "%02x", got[i]);
            fail_msg("%s (line %d): response %s differs from the vector", tv.field[0], tv.lineno, hex);
        }
        /* A protected command whose C-MAC was right is counted whatever
         * its status: the counter may move by one, nothing else. */
        if ((cmd[0] & STSAFE_HDR_CMAC) &&
            f.chip.nvm.host_keys.cmac_counter == before.host_keys.cmac_counter + 1)
            before.host_keys.cmac_counter++;
        /* status byte != 0: the command was refused and the NVM must not move */
        if ((want[0] & 0x1F) != 0 && memcmp(&before, &f.chip.nvm, sizeof before) != 0)
            fail_msg("%s (line %d): refused command changed the NVM", tv.field[0], tv.lineno);
        count++;
    }
    testvec_close(&tv);
    fixture_teardown(&f);
    return count;
}

static void test_foundation_vectors(void **state)
{
    (void)state;
    assert_true(replay_file("frames/foundation.txt") >= 40);
}

/* Frames captured on real A110s: the model answers byte for byte as they did. */
static void test_captured_a110_frames(void **state)
{
    (void)state;
    assert_int_equal(replay_file("frames/captured-a110.txt"), 5);
}

/* Key commands, attributes and passwords, with answers from RFC 6979, RFC
 * 5903 and RFC 3394 (independent of the model's code). */
static void test_key_and_attribute_vectors(void **state)
{
    (void)state;
    assert_int_equal(replay_file("frames/keys.txt"), 42);
}

/* The host secure channel: MACs, IVs and ciphertexts from an independent
 * implementation; replays, wrong MACs and missing MACs refused. */
static void test_secure_channel_vectors(void **state)
{
    (void)state;
    assert_int_equal(replay_file("frames/secure-channel.txt"), 23);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_foundation_vectors),
        cmocka_unit_test(test_captured_a110_frames),
        cmocka_unit_test(test_key_and_attribute_vectors),
        cmocka_unit_test(test_secure_channel_vectors),
    };
    return cmocka_run_group_tests_name("emulator frames", tests, NULL, NULL);
}
