/* SPDX-License-Identifier: BSD-3-Clause */
/* CRC-16/X-25 against vectors/crc16.txt and a bit-by-bit reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "stsafe/protocol/crc16.h"
#include "support/testvec.h"

/* The definition of the facts page, section 3, one bit at a time. */
static uint16_t reference_crc(const uint8_t *p, size_t n)
{
    uint16_t r = 0xFFFF;
    for (size_t i = 0; i < n; i++) {
        r ^= p[i];
        for (int b = 0; b < 8; b++)
            r = (r & 1) ? (uint16_t)((r >> 1) ^ 0x8408) : (uint16_t)(r >> 1);
    }
    return (uint16_t)(r ^ 0xFFFF);
}

static void test_vector_file(void **state)
{
    (void)state;
    testvec_file tv;
    uint8_t in[1024], want[2];
    int checked = 0;
    testvec_open(&tv, "crc16.txt");
    while (testvec_next(&tv)) {
        size_t n = testvec_hex(&tv, 0, in, sizeof in);
        assert_int_equal(testvec_hex(&tv, 1, want, sizeof want), 2);
        uint16_t expect = (uint16_t)((want[0] << 8) | want[1]);
        if (stsafe_crc16(in, n) != expect)
            fail_msg("crc16.txt:%d (%s): got %04X, want %04X", tv.lineno, tv.comment,
                     stsafe_crc16(in, n), expect);
        checked++;
    }
    testvec_close(&tv);
    assert_true(checked >= 10);
}

static void test_check_value(void **state)
{
    (void)state;
    assert_int_equal(stsafe_crc16((const uint8_t *)"123456789", 9), 0x906E);
}

/* Chunked updates equal one call, for every split point. */
static void test_incremental_equals_one_shot(void **state)
{
    (void)state;
    uint8_t buf[64];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    uint16_t whole = stsafe_crc16(buf, sizeof buf);
    for (size_t split = 0; split <= sizeof buf; split++) {
        uint16_t reg = stsafe_crc16_update(STSAFE_CRC16_INIT, buf, split);
        reg = stsafe_crc16_update(reg, buf + split, sizeof buf - split);
        assert_int_equal(stsafe_crc16_final(reg), whole);
    }
}

/* The table-driven code equals the bitwise definition on every single byte
 * value and on pseudo-random buffers of every length up to 600. */
static void test_matches_reference(void **state)
{
    (void)state;
    uint8_t buf[600];
    for (unsigned v = 0; v < 256; v++) {
        uint8_t b = (uint8_t)v;
        assert_int_equal(stsafe_crc16(&b, 1), reference_crc(&b, 1));
    }
    uint32_t x = 0x12345678u;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t n = 0; n <= sizeof buf; n++)
        assert_int_equal(stsafe_crc16(buf, n), reference_crc(buf, n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_file),
        cmocka_unit_test(test_check_value),
        cmocka_unit_test(test_incremental_equals_one_shot),
        cmocka_unit_test(test_matches_reference),
    };
    return cmocka_run_group_tests_name("crc16", tests, NULL, NULL);
}
