/* SPDX-License-Identifier: BSD-3-Clause */
/* Issue 14, finding 15: a fault spec is parsed as docs/faults.md says:
 * numbers decimal or 0x hex (never octal), at most STSAFE_FAULT_MAX items,
 * and a refusal names the real problem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stsafe/bus/fault.h"
#include "stsafe/protocol/error.h"

static uint32_t nack_of(const char *spec)
{
    stsafe_fault fl[STSAFE_FAULT_MAX];
    size_t n = 0;
    assert_int_equal(stsafe_fault_parse(spec, fl, STSAFE_FAULT_MAX, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(fl[0].kind, STSAFE_FAULT_NACK);
    return fl[0].a;
}

/* "010" is ten and "09" nine: a leading zero is not octal. */
static void test_numbers_are_decimal_or_hex(void **state)
{
    (void)state;
    assert_int_equal(nack_of("nack=010"), 10);
    assert_int_equal(nack_of("nack=09"), 9);
    assert_int_equal(nack_of("nack=0"), 0);
    assert_int_equal(nack_of("nack=0x1F"), 31);
    assert_int_equal(nack_of("nack=0X10"), 16);
    stsafe_fault fl[STSAFE_FAULT_MAX];
    size_t n = 0;
    const char *bad = NULL;
    static const char *const wrong[] = {"nack=0x", "nack=1e", "nack=+1", "nack= 1", "nack=0o7",
                                        "nack=0b1", "nack=1.0", "flip=08:09x", "truncate=0x1G"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        bad = NULL;
        assert_int_equal(stsafe_fault_parse(wrong[i], fl, STSAFE_FAULT_MAX, &n, &bad), STSAFE_ERR_BAD_INPUT);
        assert_ptr_equal(bad, wrong[i]);
    }
    assert_int_equal(stsafe_fault_parse("flip=010:07", fl, STSAFE_FAULT_MAX, &n, NULL), 0);
    assert_int_equal(fl[0].a, 10);
    assert_int_equal(fl[0].b, 7);
}

/* 16 items are taken; the 17th is refused as one too many, not as "not a fault". */
static void test_item_limit_is_named(void **state)
{
    (void)state;
    char spec[128] = "";
    for (int i = 0; i < 16; i++)
        strcat(spec, i ? ",drop" : "drop");
    stsafe_fault fl[STSAFE_FAULT_MAX];
    size_t n = 0;
    const char *bad = NULL;
    assert_int_equal(stsafe_fault_parse(spec, fl, STSAFE_FAULT_MAX, &n, &bad), 0);
    assert_int_equal(n, 16);
    strcat(spec, ",nack=1");
    assert_int_equal(stsafe_fault_parse(spec, fl, STSAFE_FAULT_MAX, &n, &bad), STSAFE_ERR_BUFFER_TOO_SMALL);
    assert_ptr_equal(bad, spec + 16 * 5);
    char why[160];
    stsafe_fault_spec_error(STSAFE_ERR_BUFFER_TOO_SMALL, bad, why, sizeof why);
    assert_string_equal(why, "a spec holds at most 16 faults: 'nack=1' is one too many");
}

static void test_refusals_name_the_item(void **state)
{
    (void)state;
    stsafe_fault fl[STSAFE_FAULT_MAX];
    size_t n = 0;
    const char *bad = NULL;
    char why[160];
    const char *spec = "drop,nack=08x,reset";
    assert_int_equal(stsafe_fault_parse(spec, fl, STSAFE_FAULT_MAX, &n, &bad), STSAFE_ERR_BAD_INPUT);
    stsafe_fault_spec_error(STSAFE_ERR_BAD_INPUT, bad, why, sizeof why);
    assert_string_equal(why, "'nack=08x' is not a fault (nack=N, flip=BYTE:BIT, drop[=N], truncate=N, "
                             "latency=MS, brownout[=N], reset[=N]; numbers decimal or 0x hex)");
}

/* brownout is brownout=1; brownout=N counts the commands that write the
 * NVM, 1 to STSAFE_FAULT_MAX_NVM_WRITES; drop=N and reset=N count commands;
 * each described back as written. */
static void test_counted_faults(void **state)
{
    (void)state;
    stsafe_fault fl[STSAFE_FAULT_MAX];
    size_t n = 0;
    const char *bad = NULL;
    char text[32], why[160];
    assert_int_equal(stsafe_fault_parse("brownout,brownout=2,brownout=0xff", fl, STSAFE_FAULT_MAX, &n, NULL), 0);
    assert_int_equal(n, 3);
    assert_int_equal(fl[0].kind, STSAFE_FAULT_BROWNOUT);
    assert_int_equal(fl[0].a, 1);
    assert_int_equal(fl[1].a, 2);
    assert_int_equal(fl[2].a, 255);
    stsafe_fault_describe(&fl[0], text, sizeof text);
    assert_string_equal(text, "brownout");
    stsafe_fault_describe(&fl[1], text, sizeof text);
    assert_string_equal(text, "brownout=2");
    static const char *const wrong[] = {"brownout=0", "brownout=", "brownout=1:2", "brownout=x"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        assert_int_equal(stsafe_fault_parse(wrong[i], fl, STSAFE_FAULT_MAX, &n, &bad), STSAFE_ERR_BAD_INPUT);
        assert_ptr_equal(bad, wrong[i]);
    }
    assert_int_equal(stsafe_fault_parse("brownout=256", fl, STSAFE_FAULT_MAX, &n, &bad), STSAFE_ERR_BAD_INPUT);
    stsafe_fault_spec_error(STSAFE_ERR_BAD_INPUT, bad, why, sizeof why);
    assert_string_equal(why, "'brownout=256' is too large: brownout takes at most 255");
    /* drop=N and reset=N likewise count commands. */
    assert_int_equal(stsafe_fault_parse("drop,drop=4", fl, STSAFE_FAULT_MAX, &n, NULL), 0);
    assert_int_equal(fl[0].kind, STSAFE_FAULT_DROP);
    assert_int_equal(fl[0].a, 1);
    stsafe_fault_describe(&fl[0], text, sizeof text);
    assert_string_equal(text, "drop");
    stsafe_fault_describe(&fl[1], text, sizeof text);
    assert_string_equal(text, "drop=4");
    assert_int_equal(stsafe_fault_parse("reset,reset=7", fl, STSAFE_FAULT_MAX, &n, NULL), 0);
    assert_int_equal(fl[0].kind, STSAFE_FAULT_RESET);
    assert_int_equal(fl[0].a, 1);
    assert_int_equal(fl[1].a, 7);
    stsafe_fault_describe(&fl[1], text, sizeof text);
    assert_string_equal(text, "reset=7");
    assert_int_equal(stsafe_fault_parse("reset=0", fl, STSAFE_FAULT_MAX, &n, &bad), STSAFE_ERR_BAD_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_are_decimal_or_hex),
        cmocka_unit_test(test_item_limit_is_named),
        cmocka_unit_test(test_refusals_name_the_item),
        cmocka_unit_test(test_counted_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
