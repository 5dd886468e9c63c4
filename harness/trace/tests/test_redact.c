/* SPDX-License-Identifier: BSD-3-Clause */
/* Which bytes a trace leaves out (stsafe/trace/redact.h), the writer that
 * applies it, and the reader's `redacted` flag (docs/trace-format.md,
 * "Redaction"); issue 14 finding 9. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stsafe/protocol/frame.h"
#include "stsafe/trace/redact.h"
#include "stsafe/trace/trace.h"
#include "stsafe/trace/writer.h"

static void expect_range(stsafe_trace_range r, size_t off, size_t len)
{
    assert_int_equal(r.off, off);
    assert_int_equal(r.len, len);
}

/* header, payload, CRC: the payload filled with 0xA5 after \p keep bytes */
static size_t frame(uint8_t *out, uint8_t header, const uint8_t *keep, size_t n_keep, size_t n)
{
    uint8_t payload[64];
    size_t len;
    memset(payload, 0xA5, sizeof payload);
    if (n_keep)
        memcpy(payload, keep, n_keep);
    assert_int_equal(stsafe_cmd_frame_encode(header, payload, n, 507, out, 80, &len), 0);
    return len;
}

static void test_command_ranges(void **state)
{
    (void)state;
    uint8_t f[80];
    const uint8_t hostkey = 0x17, password = 0x09, slot = 0x00, zone = 0x12;
    /* host keys: the 32 bytes after the tag */
    expect_range(stsafe_trace_redact_command(f, frame(f, 0x10, &hostkey, 1, 33)), 2, 32);
    /* a password: 16 bytes after the tag; the tries byte after them stays */
    expect_range(stsafe_trace_redact_command(f, frame(f, 0x10, &password, 1, 18)), 2, 16);
    /* another tag: nothing */
    expect_range(stsafe_trace_redact_command(f, frame(f, 0x10, &zone, 1, 5)), 0, 0);
    /* Verify Password: the 16 bytes after the header */
    expect_range(stsafe_trace_redact_command(f, frame(f, 0x1A, NULL, 0, 16)), 1, 16);
    /* Wrap: after the slot, up to the CRC; with a C-MAC, up to the MAC */
    expect_range(stsafe_trace_redact_command(f, frame(f, 0x0E, &slot, 1, 17)), 2, 16);
    expect_range(stsafe_trace_redact_command(f, frame(f, 0xEE, &slot, 1, 21)), 2, 16);
    /* Delete of the password: its tag only */
    expect_range(stsafe_trace_redact_command(f, frame(f, 0x0C, &password, 1, 1)), 0, 0);
    /* Echo: nothing; too short: nothing */
    expect_range(stsafe_trace_redact_command(f, frame(f, 0x00, NULL, 0, 20)), 0, 0);
    expect_range(stsafe_trace_redact_command(f, 1), 0, 0);
}

static void test_response_ranges(void **state)
{
    (void)state;
    uint8_t r[40], data[16];
    size_t len;
    memset(data, 0x5A, sizeof data);
    assert_int_equal(stsafe_rsp_frame_encode(0x00, data, 16, r, sizeof r, &len), 0);
    /* Unwrap's plaintext: after the length field, up to the CRC, head or whole */
    expect_range(stsafe_trace_redact_response(0x0F, r, len), 3, 16);
    expect_range(stsafe_trace_redact_response(0xEF, r, STSAFE_RSP_FIRST_READ_LEN), 3, 2);
    /* with an R-MAC: its last 4 bytes stay */
    assert_int_equal(stsafe_rsp_frame_encode(0x40, data, 16, r, sizeof r, &len), 0);
    expect_range(stsafe_trace_redact_response(0x0F, r, len), 3, 12);
    /* another command's answer, or no data: nothing */
    expect_range(stsafe_trace_redact_response(0x0E, r, len), 0, 0);
    assert_int_equal(stsafe_rsp_frame_encode(0x05, NULL, 0, r, sizeof r, &len), 0);
    expect_range(stsafe_trace_redact_response(0x0F, r, len), 0, 0);
}

/* The writer, a Verify Password and its answer: the password becomes 00,
 * the line says so and reads back as redacted; kept with keep_secrets. */
static void record(int keep, char *text, size_t cap)
{
    uint8_t f[80];
    const uint8_t pw[16] = {0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38,
                            0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40};
    size_t n = frame(f, 0x1A, pw, 16, 16);
    FILE *out = fmemopen(text, cap, "w");
    stsafe_trace_writer w;
    assert_non_null(out);
    assert_int_equal(stsafe_trace_writer_start(&w, out, STSAFE_TRACE_CLOCK_VIRTUAL, 0, 1, NULL), 0);
    stsafe_trace_writer_keep_secrets(&w, keep);
    stsafe_trace_writer_msg(&w, 0, 0, 0x20, 0, f, n, 1);
    fclose(out);
}

static void test_writer(void **state)
{
    (void)state;
    char text[512];
    memset(text, 0, sizeof text);
    record(0, text, sizeof text);
    assert_string_equal(text, "stsafe-trace 1\n0.000000 S 0x20 W ACK 1a 00 00 00 00 00 00 00 00 00 "
                              "00 00 00 00 00 00 00 76 5b  # command Verify Password (0x1a), "
                              "redacted 16 bytes from byte 1\n");
    stsafe_trace_reader r;
    stsafe_trace_msg m;
    stsafe_trace_reader_init(&r, text, strlen(text));
    assert_int_equal(stsafe_trace_next(&r, &m), 1);
    assert_int_equal(m.redacted, 1);
    memset(text, 0, sizeof text);
    record(1, text, sizeof text);
    assert_string_equal(text, "stsafe-trace 1\n0.000000 S 0x20 W ACK 1a 31 32 33 34 35 36 37 38 39 "
                              "3a 3b 3c 3d 3e 3f 40 76 5b  # command Verify Password (0x1a)\n");
    stsafe_trace_reader_init(&r, text, strlen(text));
    assert_int_equal(stsafe_trace_next(&r, &m), 1);
    assert_int_equal(m.redacted, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_ranges),
        cmocka_unit_test(test_response_ranges),
        cmocka_unit_test(test_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
