/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe_emu_version(): the library says the version CMakeLists.txt's
 * project(VERSION) gave it, as the generated header does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "stsafe/emulator/version.h"

static void test_version_is_the_projects(void **state)
{
    (void)state;
    assert_string_equal(stsafe_emu_version(), STSE_EMU_PROJECT_VERSION);
    assert_string_equal(STSAFE_EMU_VERSION_STRING, STSE_EMU_PROJECT_VERSION);
}

static void test_version_number(void **state)
{
    char text[32];
    unsigned long n = stsafe_emu_version_number();
    (void)state;
    assert_int_equal(n, (unsigned long)STSAFE_EMU_VERSION_NUMBER);
    assert_int_equal(n & 0xFFu, 0);
    snprintf(text, sizeof text, "%lu.%lu.%lu", n >> 24, (n >> 16) & 0xFFu, (n >> 8) & 0xFFu);
    assert_string_equal(text, STSE_EMU_PROJECT_VERSION);
    assert_int_equal(STSAFE_EMU_VERSION_MAJOR, n >> 24);
    assert_int_equal(STSAFE_EMU_VERSION_MINOR, (n >> 16) & 0xFFu);
    assert_int_equal(STSAFE_EMU_VERSION_PATCH, (n >> 8) & 0xFFu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_is_the_projects),
        cmocka_unit_test(test_version_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
