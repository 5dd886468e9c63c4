/* SPDX-License-Identifier: BSD-3-Clause */
/* The tools' shared helpers (tool_common.h): the number parser, and a word
 * of a command line the tools print for the user to paste
 * (tool_shell_word(), used by provision's repair command). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tool_common.h"

static void test_shell_word_plain_words_stay(void **state)
{
    (void)state;
    char buf[64] = "untouched";
    static const char *plain[] = {"unix:/tmp/st/chip.sock", "tcp:127.0.0.1:4567", "ca.pem", "a_b-c+d=e,f@g%h"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        assert_ptr_equal(tool_shell_word(plain[i], buf, sizeof buf), plain[i]);
    assert_string_equal(buf, "untouched");
}

static void test_shell_word_quotes_what_a_shell_splits(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(tool_shell_word("my ca.pem", buf, sizeof buf), "'my ca.pem'");
    assert_string_equal(tool_shell_word("it's", buf, sizeof buf), "'it'\\''s'");
    assert_string_equal(tool_shell_word("$HOME/ca.key", buf, sizeof buf), "'$HOME/ca.key'");
    assert_string_equal(tool_shell_word("", buf, sizeof buf), "''");
    char small[8];
    const char *cut = tool_shell_word("a long path with spaces", small, sizeof small);
    assert_ptr_equal(cut, small);
    assert_true(strlen(cut) < sizeof small && cut[0] == '\'' && cut[strlen(cut) - 1] == '\'');
}

/* tool_parse_uint(): decimal or 0x hex, as tool_common.h says; before, a
 * leading zero made it octal (010 was 8, 08 was refused). */
static void test_parse_uint_decimal_or_hex(void **state)
{
    (void)state;
    unsigned long v = 99;
    assert_int_equal(tool_parse_uint("010", 255, &v), 0);
    assert_int_equal(v, 10);
    assert_int_equal(tool_parse_uint("08", 255, &v), 0);
    assert_int_equal(v, 8);
    assert_int_equal(tool_parse_uint("17", 255, &v), 0);
    assert_int_equal(v, 17);
    assert_int_equal(tool_parse_uint("0x11", 255, &v), 0);
    assert_int_equal(v, 0x11);
    assert_int_equal(tool_parse_uint("0XfF", 255, &v), 0);
    assert_int_equal(v, 255);
    assert_int_equal(tool_parse_uint("0", 255, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(tool_parse_uint("4294967295", 0xFFFFFFFFul, &v), 0);
    assert_int_equal(v, 0xFFFFFFFFul);
    v = 99;
    static const char *bad[] = {"", "0x", "256", "0x100", "-1", "+1", " 1", "1 ", "1x", "0x0x5", "0xg", "1.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tool_parse_uint(bad[i], 255, &v), -1);
    assert_int_equal(tool_parse_uint(NULL, 255, &v), -1);
    assert_int_equal(v, 99); /* untouched on a refusal */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shell_word_plain_words_stay),
        cmocka_unit_test(test_shell_word_quotes_what_a_shell_splits),
        cmocka_unit_test(test_parse_uint_decimal_or_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
