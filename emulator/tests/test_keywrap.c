/* SPDX-License-Identifier: BSD-3-Clause */
/* AES key wrap against the RFC 3394 vectors, and its integrity check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stsafe/emulator/keywrap.h"
#include "stsafe/protocol/error.h"
#include "support/testvec.h"

static void test_rfc3394_vectors(void **state)
{
    (void)state;
    testvec_file tv;
    uint8_t kek[32], data[64], want[72], got[72], back[64];
    int count = 0;
    testvec_open(&tv, "keywrap.txt");
    while (testvec_next(&tv)) {
        size_t kn = testvec_hex(&tv, 0, kek, sizeof kek);
        size_t dn = testvec_hex(&tv, 1, data, sizeof data);
        size_t wn = testvec_hex(&tv, 2, want, sizeof want);
        assert_int_equal(wn, dn + 8);
        assert_int_equal(stsafe_emu_kw_wrap(kek, kn, data, dn, got), 0);
        assert_memory_equal(got, want, wn);
        assert_int_equal(stsafe_emu_kw_unwrap(kek, kn, want, wn, back), 0);
        assert_memory_equal(back, data, dn);
        for (size_t i = 0; i < wn; i++) { /* any altered byte fails the check */
            want[i] ^= 0x01;
            assert_int_equal(stsafe_emu_kw_unwrap(kek, kn, want, wn, back), STSAFE_ERR_CODEC_VALUE);
            want[i] ^= 0x01;
        }
        count++;
    }
    testvec_close(&tv);
    assert_int_equal(count, 4);
}

static void test_bad_sizes(void **state)
{
    (void)state;
    uint8_t key[16] = {0}, buf[64] = {0}, out[72];
    assert_int_equal(stsafe_emu_kw_wrap(key, 16, buf, 8, out), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_emu_kw_wrap(key, 16, buf, 20, out), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_emu_kw_wrap(key, 24, buf, 16, out), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_emu_kw_unwrap(key, 16, buf, 16, out), STSAFE_ERR_BAD_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3394_vectors),
        cmocka_unit_test(test_bad_sizes),
    };
    return cmocka_run_group_tests_name("key wrap", tests, NULL, NULL);
}
