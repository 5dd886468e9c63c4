/* SPDX-License-Identifier: BSD-3-Clause */
/* The tools' shared helpers (tool_common.h) that print for people: a word
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shell_word_plain_words_stay),
        cmocka_unit_test(test_shell_word_quotes_what_a_shell_splits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
