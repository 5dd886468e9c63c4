/* SPDX-License-Identifier: BSD-3-Clause */
/* The script view of a trace (script.h) and the recorded device that plays
 * it (device.h), on short hand-written traces: what a script refuses, empty
 * commands, and the device's rules (NACKs, reads from byte 0, deviations, a
 * redacted answer's CRC). Replay against an emulated chip and the golden
 * trace are in test_replay.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/trace/device.h"
#include "stsafe/trace/script.h"
#include "stsafe/trace/trace.h"

/* A trace of bare address writes (probes) and empty reads: the commands
 * are empty but still point into the script's arena, and the recorded
 * device plays them (a fuzz finding: regress-empty-write). */
static void test_script_empty_writes(void **state)
{
    (void)state;
    static const char text[] = "stsafe-trace 1\n"
                               "0 S 0x20 W ACK\n"
                               "0 S 0x20 R ACK\n"
                               "0 S 0x20 W ACK\n";
    stsafe_trace_script s;
    stsafe_trace_device d;
    uint8_t buf[1];
    stsafe_trace_script_init(&s);
    assert_int_equal(stsafe_trace_script_load(&s, text, sizeof text - 1, 0x20), 0);
    assert_int_equal(s.n_ex, 2);
    assert_int_equal(s.ex[0].cmd_len, 0);
    assert_int_equal(s.ex[0].n_reads, 1);
    assert_non_null(stsafe_trace_script_cmd(&s, 0));
    assert_non_null(stsafe_trace_script_cmd(&s, 1));
    assert_non_null(stsafe_trace_script_read_bytes(&s, 0));
    stsafe_trace_device_init(&d, &s);
    assert_int_equal(stsafe_trace_device_write(&d, 0x20, buf, 0), 0);
    assert_int_equal(stsafe_trace_device_read(&d, 0x20, buf, 0), 0);
    assert_int_equal(stsafe_trace_device_read(&d, 0x20, buf, 1), STSAFE_ERR_TRACE_MISMATCH);
    stsafe_trace_device_init(&d, &s);
    assert_int_equal(stsafe_trace_device_write(&d, 0x20, buf, 0), 0);
    assert_int_equal(stsafe_trace_device_write(&d, 0x20, buf, 0), 0);
    assert_true(stsafe_trace_device_finished(&d));
    stsafe_trace_script_free(&s);
}

/* A redacted answer (Unwrap's plaintext replaced by markers) keeps the CRC
 * of the real bytes. The recorded device sends it read whole with a CRC
 * made for the marker bytes, so the host can check the frame; a shorter
 * read (the head) is the recorded bytes (docs/trace-format.md, "How a
 * redacted message reads"). The fuzz target's answer check follows this
 * rule (fuzz/corpus/fuzz_trace_import/regress-redacted-answer). */
static void test_recorded_device_redacted_answer(void **state)
{
    (void)state;
    static const char text[] = "stsafe-trace 1\n"
                               "0 S 0x20 W ACK 00 01 02 03 a7 29\n"
                               "0 S 0x20 R ACK 00 00 0a 00 00 00 00 00 00 00 00 12 34"
                               "  # response OK (0x00), redacted 8 bytes from byte 3\n";
    static const uint8_t echo[] = {0x00, 0x01, 0x02, 0x03, 0xa7, 0x29};
    static const uint8_t markers[8] = {0};
    uint8_t want[13];
    size_t want_len = 0;
    uint8_t buf[13];
    stsafe_trace_script s;
    stsafe_trace_device d;
    assert_int_equal(stsafe_rsp_frame_encode(0x00, markers, sizeof markers, want, sizeof want, &want_len), 0);
    assert_int_equal(want_len, sizeof want);
    assert_memory_not_equal(want + 11, "\x12\x34", 2);
    stsafe_trace_script_init(&s);
    assert_int_equal(stsafe_trace_script_load(&s, text, sizeof text - 1, 0x20), 0);
    assert_true(s.reads[0].redacted);
    stsafe_trace_device_init(&d, &s);
    assert_int_equal(stsafe_trace_device_write(&d, 0x20, echo, sizeof echo), 0);
    assert_int_equal(stsafe_trace_device_read(&d, 0x20, buf, 3), 0);
    assert_memory_equal(buf, "\x00\x00\x0a", 3);
    assert_int_equal(stsafe_trace_device_read(&d, 0x20, buf, sizeof buf), 0);
    assert_memory_equal(buf, want, sizeof want);
    assert_true(stsafe_trace_device_finished(&d));
    stsafe_trace_script_free(&s);
}

static void test_script_refusals(void **state)
{
    (void)state;
    stsafe_trace_script s;
    static const char none[] = "stsafe-trace 1\n0 S 0x21 W ACK 00\n# end\n";
    stsafe_trace_script_init(&s);
    assert_int_equal(stsafe_trace_script_load(&s, none, sizeof none - 1, 0x20),
                     STSAFE_ERR_TRACE_SYNTAX);
    assert_int_equal(s.error_line, 3);
    assert_string_equal(s.error, "no command written to the chip's address in the trace");
    stsafe_trace_script_free(&s);
    static const char bad[] = "stsafe-trace 1\n0 S 0x20 W ACK 00\n0 S 0x20 R ACK zz\n";
    stsafe_trace_script_init(&s);
    assert_int_equal(stsafe_trace_script_load(&s, bad, sizeof bad - 1, 0x20),
                     STSAFE_ERR_TRACE_SYNTAX);
    assert_int_equal(s.error_line, 3);
    assert_string_equal(s.error, "data bytes must be two hex digits each");
    stsafe_trace_script_free(&s);
}

static void test_recorded_device_rules(void **state)
{
    (void)state;
    static const char text[] = "stsafe-trace 1\n"
                               "0 S 0x20 W ACK 00 01 02 03 a7 29\n"
                               "0 S 0x20 R NACK\n"
                               "0 S 0x20 R ACK 00 00 05 01 02\n"
                               "0 S 0x20 R ACK 00 00 05 01 02 03 a7 29\n"
                               "0 S 0x20 W ACK 14 11 fc be\n";
    static const uint8_t echo[] = {0x00, 0x01, 0x02, 0x03, 0xa7, 0x29};
    static const uint8_t query[] = {0x14, 0x11, 0xfc, 0xbe};
    stsafe_trace_script s;
    stsafe_trace_device d;
    uint8_t buf[16];
    stsafe_trace_script_init(&s);
    assert_int_equal(stsafe_trace_script_load(&s, text, sizeof text - 1, 0x20), 0);
    stsafe_trace_device_init(&d, &s);
    assert_int_equal(stsafe_trace_device_read(&d, 0x20, buf, 5), STSAFE_ERR_BUS_NACK);
    assert_int_equal(stsafe_trace_device_write(&d, 0x21, echo, sizeof echo), STSAFE_ERR_BUS_NACK);
    assert_int_equal(stsafe_trace_device_write(&d, 0x20, echo, sizeof echo), 0);
    assert_int_equal(stsafe_trace_device_read(&d, 0x20, buf, 3), 0);
    assert_memory_equal(buf, "\x00\x00\x05", 3);
    assert_int_equal(stsafe_trace_device_read(&d, 0x20, buf, 8), 0); /* again from byte 0 */
    assert_memory_equal(buf, "\x00\x00\x05\x01\x02\x03\xa7\x29", 8);
    stsafe_trace_device_power_cycle(&d);
    assert_int_equal(stsafe_trace_device_read(&d, 0x20, buf, 5), STSAFE_ERR_BUS_NACK);
    assert_int_equal(stsafe_trace_device_write(&d, 0x20, query, sizeof query), 0);
    assert_true(stsafe_trace_device_finished(&d));
    /* the Query's answer was never recorded: any read is a deviation */
    assert_int_equal(stsafe_trace_device_read(&d, 0x20, buf, 5), STSAFE_ERR_TRACE_MISMATCH);
    assert_string_equal(d.why, "the host reads 5 bytes of the answer to Query (line 6); the trace holds 0");
    assert_false(stsafe_trace_device_finished(&d));

    stsafe_trace_device_init(&d, &s);
    assert_int_equal(stsafe_trace_device_write(&d, 0x20, echo, sizeof echo), 0);
    assert_int_equal(stsafe_trace_device_read(&d, 0x20, buf, 9), STSAFE_ERR_TRACE_MISMATCH);
    assert_string_equal(d.why, "the host reads 9 bytes of the answer to Echo (line 2); the trace holds 8");

    stsafe_trace_device_init(&d, &s);
    assert_int_equal(stsafe_trace_device_write(&d, 0x20, echo, sizeof echo), 0);
    assert_int_equal(stsafe_trace_device_write(&d, 0x20, query, sizeof query), 0);
    assert_int_equal(stsafe_trace_device_write(&d, 0x20, echo, sizeof echo), STSAFE_ERR_TRACE_MISMATCH);
    assert_string_equal(d.why, "the host wrote Echo after the last command of the trace (2 commands)");
    stsafe_trace_script_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_script_refusals),
        cmocka_unit_test(test_script_empty_writes),
        cmocka_unit_test(test_recorded_device_rules),
        cmocka_unit_test(test_recorded_device_redacted_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
