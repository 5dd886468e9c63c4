/* SPDX-License-Identifier: BSD-3-Clause */
/* The trace format (docs/trace-format.md): the reader's fields and its
 * refusals, the writer's lines, and the recording bus, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stsafe/bus/trace.h"
#include "stsafe/client/client.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/trace/trace.h"

static int parse(const char *line, stsafe_trace_msg *m, const char **why)
{
    return stsafe_trace_parse_msg(line, strlen(line), m, why);
}

static void test_parse_fields(void **state)
{
    (void)state;
    stsafe_trace_msg m;
    assert_int_equal(parse("12.000345 Sr 0x2A W ACK 00 Ff 7e  # comment 00", &m, NULL), 0);
    assert_true(m.time_ns == 12000345000u);
    assert_int_equal(m.repeated_start, 1);
    assert_int_equal(m.addr, 0x2A);
    assert_int_equal(m.read, 0);
    assert_int_equal(m.ack, 1);
    assert_int_equal(m.len, 3);
    assert_memory_equal(m.data, "\x00\xff\x7e", 3);

    assert_int_equal(parse("3 S 0x7f R NACK\r", &m, NULL), 0);
    assert_true(m.time_ns == 3000000000u);
    assert_int_equal(m.repeated_start, 0);
    assert_int_equal(m.addr, 0x7F);
    assert_int_equal(m.read, 1);
    assert_int_equal(m.ack, 0);
    assert_int_equal(m.len, 0);

    assert_int_equal(parse("0.123456789 S 0x00 W NACK 14", &m, NULL), 0);
    assert_true(m.time_ns == 123456789u);
    assert_int_equal(m.len, 1);
}

static void test_parse_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *line, *why;
    } bad[] = {
        {"x S 0x20 W ACK", "bad time (SECONDS.FRACTION, at most 9 fraction digits)"},
        {"0.1234567891 S 0x20 W ACK", "bad time (SECONDS.FRACTION, at most 9 fraction digits)"},
        {".5 S 0x20 W ACK", "bad time (SECONDS.FRACTION, at most 9 fraction digits)"},
        {"0 P 0x20 W ACK", "start must be S or Sr"},
        {"0 S 0x80 W ACK", "address must be 0x00..0x7f"},
        {"0 S 0x2 W ACK", "address must be 0x00..0x7f"},
        {"0 S 20 W ACK", "address must be 0x00..0x7f"},
        {"0 S 0x20 w ACK", "direction must be W or R"},
        {"0 S 0x20 W AK", "acknowledge must be ACK or NACK"},
        {"0 S 0x20 W ACK", NULL}, /* an empty write is a message */
        {"0 S 0x20 W ACK 0g", "data bytes must be two hex digits each"},
        {"0 S 0x20 W ACK 001", "data bytes must be two hex digits each"},
        {"0 S 0x20 W ACK 00#x", "data bytes must be two hex digits each"},
        {"0 S 0x20 R NACK 00", "a NACKed read has no data"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        stsafe_trace_msg m;
        const char *why = NULL;
        int rc = parse(bad[i].line, &m, &why);
        if (!bad[i].why) {
            assert_int_equal(rc, 0);
            continue;
        }
        assert_int_equal(rc, STSAFE_ERR_TRACE_SYNTAX);
        assert_string_equal(why, bad[i].why);
    }
}

static void test_parse_limits(void **state)
{
    (void)state;
    static char line[40 + 3 * 1025];
    stsafe_trace_msg m;
    const char *why = NULL;
    size_t pos = (size_t)sprintf(line, "0 S 0x20 W ACK");
    for (int i = 0; i < 1024; i++)
        pos += (size_t)sprintf(line + pos, " %02x", i & 0xFF);
    assert_int_equal(stsafe_trace_parse_msg(line, pos, &m, &why), 0);
    assert_int_equal(m.len, 1024);
    assert_int_equal(m.data[1023], 0xFF);
    sprintf(line + pos, " 00");
    assert_int_equal(stsafe_trace_parse_msg(line, pos + 3, &m, &why), STSAFE_ERR_TRACE_SYNTAX);
    assert_string_equal(why, "more than 1024 data bytes");
    static char longline[STSAFE_TRACE_MAX_LINE + 1];
    memset(longline, ' ', sizeof longline);
    memcpy(longline, "0 S 0x20 W ACK", 14);
    longline[sizeof longline - 1] = '0'; /* 4097 characters, the last not a blank */
    assert_int_equal(stsafe_trace_parse_msg(longline, sizeof longline, &m, &why),
                     STSAFE_ERR_TRACE_SYNTAX);
    assert_string_equal(why, "line longer than 4096 characters");
}

/* Every time that fits in 64 bits of nanoseconds reads, and what the writer
 * writes for the largest reads back (fuzz_trace_import found the reader
 * refusing times from 18446744070 s on, which the writer writes). */
static void test_time_limits(void **state)
{
    (void)state;
    stsafe_trace_msg m;
    char line[STSAFE_TRACE_LINE_CAP];
    size_t len;
    const char *why = NULL;
    assert_int_equal(parse("18446744073.709551615 S 0x20 W ACK", &m, NULL), 0);
    assert_true(m.time_ns == UINT64_MAX);
    assert_int_equal(parse("18446744070 S 0x20 W ACK", &m, NULL), 0);
    assert_true(m.time_ns == 18446744070000000000u);
    assert_int_equal(parse("000000000000000000000018446744073 S 0x20 W ACK", &m, NULL), 0);
    assert_true(m.time_ns == 18446744073000000000u);
    assert_int_equal(parse("18446744073.709551616 S 0x20 W ACK", &m, &why), STSAFE_ERR_TRACE_SYNTAX);
    assert_string_equal(why, "bad time (SECONDS.FRACTION, at most 9 fraction digits)");
    assert_int_equal(parse("18446744074 S 0x20 W ACK", &m, NULL), STSAFE_ERR_TRACE_SYNTAX);
    assert_int_equal(parse("184467440730 S 0x20 W ACK", &m, NULL), STSAFE_ERR_TRACE_SYNTAX);
    memset(&m, 0, sizeof m);
    m.time_ns = UINT64_MAX;
    m.addr = 0x20;
    assert_int_equal(stsafe_trace_format_msg(&m, NULL, line, sizeof line, &len), 0);
    assert_string_equal(line, "18446744073.709551 S 0x20 W NACK\n");
    assert_int_equal(stsafe_trace_parse_msg(line, len - 1, &m, NULL), 0);
    assert_true(m.time_ns == 18446744073709551000u);
}

static int next(stsafe_trace_reader *r, stsafe_trace_msg *m)
{
    return stsafe_trace_next(r, m);
}

static void test_reader(void **state)
{
    (void)state;
    static const char text[] = "stsafe-trace 1\r\n"
                               "# a comment\n"
                               "\n"
                               "   # indented comment\n"
                               "0.000001 S 0x20 W ACK 00 01\r\n"
                               "0.000001 Sr 0x20 R ACK 05\n"
                               "0.5 S 0x21 R NACK"; /* no final newline */
    stsafe_trace_reader r;
    stsafe_trace_msg m;
    stsafe_trace_reader_init(&r, text, sizeof text - 1);
    assert_int_equal(next(&r, &m), 1);
    assert_int_equal(r.line, 5);
    assert_int_equal(m.len, 2);
    assert_int_equal(next(&r, &m), 1);
    assert_int_equal(m.repeated_start, 1);
    assert_int_equal(m.data[0], 5);
    assert_int_equal(next(&r, &m), 1);
    assert_int_equal(r.line, 7);
    assert_int_equal(m.addr, 0x21);
    assert_int_equal(next(&r, &m), 0);
    assert_int_equal(next(&r, &m), 0);
}

static void expect_reader_error(const char *text, unsigned line, const char *why)
{
    stsafe_trace_reader r;
    stsafe_trace_msg m;
    int rc;
    stsafe_trace_reader_init(&r, text, strlen(text));
    while ((rc = next(&r, &m)) == 1)
        ;
    assert_int_equal(rc, STSAFE_ERR_TRACE_SYNTAX);
    assert_int_equal(r.line, line);
    assert_string_equal(r.error, why);
}

static void test_reader_refusals(void **state)
{
    (void)state;
    expect_reader_error("", 1, "not a trace: line 1 must be 'stsafe-trace 1'");
    expect_reader_error("stsafe-trace 2\n", 1, "not a trace: line 1 must be 'stsafe-trace 1'");
    expect_reader_error("# comment\nstsafe-trace 1\n", 1,
                        "not a trace: line 1 must be 'stsafe-trace 1'");
    expect_reader_error("stsafe-trace 1\n0 Sr 0x20 W ACK\n", 2, "Sr on the first message");
    expect_reader_error("stsafe-trace 1\n1 S 0x20 W ACK\n#\n0.9 S 0x20 R NACK\n", 4,
                        "time goes backwards");
    expect_reader_error("stsafe-trace 1\n0 S 0x20 W ACK\n0 S 0x20 Q ACK\n", 3,
                        "direction must be W or R");
}

static void test_format(void **state)
{
    (void)state;
    stsafe_trace_msg m = {.time_ns = 1234567891u, .repeated_start = 1, .addr = 0x20,
                          .read = 1, .ack = 1, .len = 3, .data = {0x00, 0xAB, 0x0F}};
    char line[STSAFE_TRACE_LINE_CAP];
    size_t len;
    assert_int_equal(stsafe_trace_format_msg(&m, "note\nnot this", line, sizeof line, &len), 0);
    assert_string_equal(line, "1.234567 Sr 0x20 R ACK 00 ab 0f  # note\n");
    assert_int_equal(len, strlen(line));
    m.ack = 0;
    assert_int_equal(stsafe_trace_format_msg(&m, NULL, line, sizeof line, &len),
                     STSAFE_ERR_BAD_INPUT);
    m.len = 0;
    assert_int_equal(stsafe_trace_format_msg(&m, "", line, sizeof line, &len), 0);
    assert_string_equal(line, "1.234567 Sr 0x20 R NACK\n");
    m.addr = 0x80;
    assert_int_equal(stsafe_trace_format_msg(&m, NULL, line, sizeof line, &len),
                     STSAFE_ERR_BAD_INPUT);
    m.addr = 0x20;
    assert_int_equal(stsafe_trace_format_msg(&m, NULL, line, 10, &len),
                     STSAFE_ERR_BUFFER_TOO_SMALL);
}

/* What the writer writes, the reader reads back (times to the microsecond). */
static void test_round_trip(void **state)
{
    (void)state;
    uint32_t x = 12345;
    for (int i = 0; i < 200; i++) {
        stsafe_trace_msg m, back;
        char line[STSAFE_TRACE_LINE_CAP];
        size_t len;
        memset(&m, 0, sizeof m);
        memset(&back, 0, sizeof back); /* the padding is compared too */
        x = x * 1103515245u + 12345u;
        m.time_ns = (uint64_t)x * 1000u;
        m.repeated_start = (uint8_t)(x >> 3 & 1u);
        m.addr = (uint8_t)(x >> 8 & 0x7Fu);
        m.read = (uint8_t)(x >> 16 & 1u);
        m.ack = (uint8_t)(x >> 17 & 1u);
        m.len = (m.read && !m.ack) ? 0 : (size_t)(x >> 20) % 300u;
        for (size_t k = 0; k < m.len; k++)
            m.data[k] = (uint8_t)(x >> (k % 24));
        assert_int_equal(stsafe_trace_format_msg(&m, "x", line, sizeof line, &len), 0);
        assert_int_equal(stsafe_trace_parse_msg(line, len - 1, &back, NULL), 0);
        assert_memory_equal(&back, &m, offsetof(stsafe_trace_msg, data) + m.len);
    }
}

static void describe(const char *line, const char *want)
{
    stsafe_trace_msg m;
    char text[128];
    assert_int_equal(parse(line, &m, NULL), 0);
    stsafe_trace_describe(&m, text, sizeof text);
    assert_string_equal(text, want);
}

static void test_describe(void **state)
{
    (void)state;
    describe("0 S 0x20 W ACK 00 01 02 03 a7 29", "command Echo (0x00)");
    describe("0 S 0x20 W ACK 00 01 02 03 a7 28", "not a command frame");
    describe("0 S 0x20 R ACK 00 00 05 01 02", "status OK (0x00), 8-byte frame");
    describe("0 S 0x20 R ACK 00 00 05 01 02 03 a7 29", "response OK (0x00)");
    describe("0 S 0x20 R ACK 00 00 05 01 02 03 a7 28", "");
    describe("0 S 0x20 R ACK 00 00", "");
    describe("0 S 0x20 R NACK", "no acknowledge");
    describe("0 S 0x20 W NACK 00 01", "no acknowledge");
}

/* ---- the recording bus ---- */

typedef struct {
    stsafe_inproc_device dev;
    stsafe_bus_trace rec;
    stsafe_bus bus;
    char *text;
    size_t text_len;
    FILE *out;
} fixture;

static int setup(void **state)
{
    static fixture f;
    static const uint8_t seed[] = "stsafe-emu trace test";
    static const uint8_t serial[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    memset(&f, 0, sizeof f);
    assert_int_equal(stsafe_inproc_device_default(&f.dev, seed, sizeof seed, serial), 0);
    f.out = open_memstream(&f.text, &f.text_len);
    assert_non_null(f.out);
    assert_int_equal(stsafe_bus_trace_init(&f.rec, &f.bus, &f.dev.bus, f.out,
                                           STSAFE_TRACE_CLOCK_VIRTUAL, "test"), 0);
    f.dev.client.bus = &f.bus;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    fclose(f->out);
    free(f->text);
    stsafe_inproc_device_free(&f->dev);
    return 0;
}

static const char *recorded(fixture *f)
{
    fflush(f->out);
    return f->text;
}

static void test_record_echo(void **state)
{
    fixture *f = *state;
    static const uint8_t msg[] = {1, 2, 3};
    uint8_t back[3];
    assert_int_equal(stsafe_client_echo(&f->dev.client, msg, sizeof msg, back), 0);
    assert_memory_equal(back, msg, sizeof msg);
    assert_string_equal(recorded(f),
                        "stsafe-trace 1\n"
                        "# test\n"
                        "0.000000 S 0x20 W ACK 00 01 02 03 a7 29  # command Echo (0x00)\n"
                        "0.000000 S 0x20 R ACK 00 00 05 01 02  # status OK (0x00), 8-byte frame\n"
                        "0.000000 S 0x20 R ACK 00 00 05 01 02 03 a7 29  # response OK (0x00)\n");
    assert_int_equal(f->rec.w.messages, 3);
    assert_int_equal(stsafe_bus_trace_error(&f->rec), 0);
}

/* A NACK, a combined transfer with a repeated start, waits on the virtual
 * clock, and a comment line. */
static void test_record_transfer(void **state)
{
    fixture *f = *state;
    uint8_t frame[] = {0x00, 0x07, 0x00, 0x00}; /* Echo 07, CRC filled below */
    uint8_t rsp[6];
    size_t n;
    assert_int_equal(stsafe_cmd_frame_encode(0x00, (const uint8_t *)"\x07", 1, 64, frame,
                                             sizeof frame, &n), 0);
    assert_int_equal(stsafe_bus_write(&f->bus, 0x21, frame, n), STSAFE_ERR_BUS_NACK);
    stsafe_bus_delay_ms(&f->bus, 3);
    stsafe_i2c_msg msgs[2] = {{0x20, STSAFE_I2C_MSG_WRITE, n, frame},
                              {0x20, STSAFE_I2C_MSG_READ, sizeof rsp, rsp}};
    assert_int_equal(f->bus.ops->transfer(f->bus.ctx, msgs, 2), 0);
    stsafe_bus_trace_comment(&f->rec, "power cycle\nignored");
    stsafe_bus_delay_ms(&f->bus, 1500);
    assert_int_equal(stsafe_bus_read(&f->bus, 0x22, rsp, 5), STSAFE_ERR_BUS_NACK);
    char want[512];
    snprintf(want, sizeof want,
             "stsafe-trace 1\n"
             "# test\n"
             "0.000000 S 0x21 W NACK 00 07 %02x %02x  # no acknowledge\n"
             "0.003000 S 0x20 W ACK 00 07 %02x %02x  # command Echo (0x00)\n"
             "0.003000 Sr 0x20 R ACK 00 00 03 07 %02x %02x  # response OK (0x00)\n"
             "# power cycle\n"
             "1.503000 S 0x22 R NACK  # no acknowledge\n",
             frame[2], frame[3], frame[2], frame[3], rsp[4], rsp[5]);
    assert_string_equal(recorded(f), want);
    /* and what was recorded reads back */
    stsafe_trace_reader r;
    stsafe_trace_msg m;
    int count = 0, rc;
    stsafe_trace_reader_init(&r, f->text, f->text_len);
    while ((rc = stsafe_trace_next(&r, &m)) == 1)
        count++;
    assert_int_equal(rc, 0);
    assert_int_equal(count, 4);
}

static void test_record_io_error(void **state)
{
    (void)state;
    stsafe_inproc_device dev;
    stsafe_bus_trace rec;
    stsafe_bus bus;
    static const uint8_t seed[] = "io";
    assert_int_equal(stsafe_inproc_device_default(&dev, seed, sizeof seed, NULL), 0);
    FILE *full = fopen("/dev/full", "w");
    assert_non_null(full);
    assert_int_equal(stsafe_bus_trace_init(&rec, &bus, &dev.bus, full, STSAFE_TRACE_CLOCK_WALL,
                                           NULL), STSAFE_ERR_IO);
    /* the bus still works: recording never changes what the host sees */
    dev.client.bus = &bus;
    uint8_t back[1];
    assert_int_equal(stsafe_client_echo(&dev.client, (const uint8_t *)"z", 1, back), 0);
    assert_int_equal(back[0], 'z');
    assert_int_equal(stsafe_bus_trace_error(&rec), STSAFE_ERR_IO);
    assert_int_equal(rec.w.messages, 0);
    fclose(full);
    stsafe_inproc_device_free(&dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_fields),
        cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_time_limits),
        cmocka_unit_test(test_reader),
        cmocka_unit_test(test_reader_refusals),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_describe),
        cmocka_unit_test_setup_teardown(test_record_echo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_transfer, setup, teardown),
        cmocka_unit_test(test_record_io_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
