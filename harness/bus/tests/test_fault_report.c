/* SPDX-License-Identifier: BSD-3-Clause */
/* Issue 12: a fault that never fires says so. The fault bus reports what
 * each armed fault did (fired counts, the longest read of the answer it was
 * on) and words a note for the ones that fell short. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fault_fixture.h"
#include "stsafe/protocol/error.h"

typedef fault_rig fixture;

static int setup(void **state)
{
    static fixture f;
    fault_rig_open(&f, "stsafe-emu fault report test", 9, NULL, NULL, NULL);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fault_rig_close(*state);
    return 0;
}

static stsafe_fault_report report(const fixture *f, size_t i)
{
    stsafe_fault_report r;
    assert_int_equal(stsafe_bus_fault_report(&f->fault, i, &r), 0);
    return r;
}

/* The note of report \p i, "" when it fired in full. */
static const char *note(const fixture *f, size_t i)
{
    static char buf[256];
    stsafe_fault_report r = report(f, i);
    int has = stsafe_fault_report_note(&r, buf, sizeof buf);
    assert_int_equal(has, buf[0] != '\0');
    return buf;
}

static void test_flip_past_the_answer_never_fires(void **state)
{
    fixture *f = *state;
    fault_rig_arm(f, "nack=2,flip=9:0,latency=1");
    assert_int_equal(fault_rig_echo(f), 0); /* nothing flipped: the answer is intact */
    assert_int_equal(stsafe_bus_fault_count(&f->fault), 3);
    assert_int_equal(stsafe_bus_fault_longest_read(&f->fault), 9);
    stsafe_fault_report r = report(f, 0);
    assert_int_equal(r.fault.kind, STSAFE_FAULT_NACK);
    assert_int_equal(r.fired, 2);
    assert_string_equal(note(f, 0), "");
    r = report(f, 1);
    assert_int_equal(r.fault.kind, STSAFE_FAULT_FLIP);
    assert_int_equal(r.fired, 0);
    assert_int_equal(r.applied, 1);
    assert_int_equal(r.longest_read, 9);
    assert_string_equal(note(f, 1), "fault 'flip=9:0' never fired (no read reached byte 9; the longest "
                                    "read was 9 bytes: bytes 0..8)");
    r = report(f, 2);
    assert_int_equal(r.fault.kind, STSAFE_FAULT_LATENCY);
    assert_true(r.fired >= 4); /* the write and the reads (two NACKed), each delayed */
    assert_string_equal(note(f, 2), "");
}

static void test_flip_in_reach_fires(void **state)
{
    fixture *f = *state;
    fault_rig_arm(f, "flip=8:0");
    assert_int_equal(fault_rig_echo(f), STSAFE_ERR_FRAME_CRC);
    stsafe_fault_report r = report(f, 0);
    assert_true(r.fired >= 1);
    assert_int_equal(r.longest_read, 9);
    assert_string_equal(note(f, 0), "");
}

static void test_truncate_drop_and_nothing_sent(void **state)
{
    fixture *f = *state;
    fault_rig_arm(f, "truncate=9");
    assert_int_equal(fault_rig_echo(f), 0);
    assert_string_equal(note(f, 0), "fault 'truncate=9' never fired (no read was longer than 9 bytes; "
                                    "the longest was 9)");
    fault_rig_arm(f, "flip=1:0,drop"); /* one answer fault at a time: drop takes flip's place */
    assert_int_not_equal(fault_rig_echo(f), 0);
    assert_true(report(f, 1).replaced);
    assert_string_equal(note(f, 1), "fault 'flip=1:0' never fired (another flip, drop or truncate armed "
                                    "after it took its place)");
    assert_int_equal(report(f, 2).fired, 1);
    assert_string_equal(note(f, 2), "");
    fault_rig_arm(f, "truncate=1"); /* no command follows */
    assert_string_equal(note(f, 3), "fault 'truncate=1' never fired (no command was sent after it was armed)");
}

static void test_nack_run_cut_short(void **state)
{
    fixture *f = *state;
    fault_rig_arm(f, "nack=50");
    assert_int_equal(fault_rig_echo(f), STSAFE_ERR_BUS_TIMEOUT);
    stsafe_fault_report r = report(f, 0);
    assert_true(r.fired > 0 && r.fired < 50);
    char want[96];
    snprintf(want, sizeof want, "fault 'nack=50' NACKed %lu of 50 reads (no more reads came)",
             (unsigned long)r.fired);
    assert_string_equal(note(f, 0), want);
    assert_int_equal(stsafe_bus_fault_longest_read(&f->fault), 0); /* no read went through */
}

static void test_chip_faults_and_power_cycle(void **state)
{
    fixture *f = *state;
    fault_rig_arm(f, "brownout");
    assert_int_equal(fault_rig_echo(f), 0); /* Echo writes no NVM */
    assert_string_equal(note(f, 0), "fault 'brownout' never fired (no command wrote the chip's NVM)");
    fault_rig_arm(f, "truncate=2");
    assert_int_equal(stsafe_bus_fault_clear(&f->fault), 1);
    assert_true(report(f, 1).cleared);
    assert_string_equal(note(f, 1), "fault 'truncate=2' never fired (cleared by a power cycle)");
    assert_string_equal(note(f, 0), "fault 'brownout' never fired (cleared by a power cycle)");
    fault_rig_arm(f, "reset");
    assert_int_not_equal(fault_rig_echo(f), 0);
    assert_int_equal(report(f, 2).fired, 1);
    assert_string_equal(note(f, 2), "");
}

/* The counted forms (drop=N, brownout=N, reset=N) that ran out of commands
 * say how many they waited for. */
static void test_counted_faults_fall_short(void **state)
{
    fixture *f = *state;
    fault_rig_arm(f, "drop=3");
    assert_int_equal(fault_rig_echo(f), 0);
    assert_int_equal(fault_rig_echo(f), 0);
    assert_string_equal(note(f, 0), "fault 'drop=3' never fired (fewer than 3 commands were sent after it "
                                    "was armed)");
    assert_int_not_equal(fault_rig_echo(f), 0); /* the third answer is dropped */
    assert_string_equal(note(f, 0), "");
    fault_rig_arm(f, "brownout=2");
    assert_int_equal(fault_rig_echo(f), 0); /* Echo writes no NVM */
    assert_string_equal(note(f, 1), "fault 'brownout=2' never fired (fewer than 2 commands wrote the chip's NVM)");
    assert_int_equal(stsafe_bus_fault_clear(&f->fault), 1);
    fault_rig_arm(f, "reset=2");
    assert_int_equal(fault_rig_echo(f), 0);
    assert_string_equal(note(f, 2), "fault 'reset=2' never fired (fewer than 2 commands reached the chip)");
    assert_int_not_equal(fault_rig_echo(f), 0); /* the second command is cut */
    assert_int_equal(report(f, 2).fired, 1);
    assert_string_equal(note(f, 2), "");
}

static void test_bad_input(void **state)
{
    fixture *f = *state;
    stsafe_fault_report r;
    char buf[8] = "x";
    assert_int_equal(stsafe_bus_fault_count(&f->fault), 0);
    assert_int_equal(stsafe_bus_fault_report(&f->fault, 0, &r), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_bus_fault_report(NULL, 0, &r), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_fault_report_note(NULL, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_flip_past_the_answer_never_fires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flip_in_reach_fires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncate_drop_and_nothing_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nack_run_cut_short, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chip_faults_and_power_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counted_faults_fall_short, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
