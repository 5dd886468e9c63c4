/* SPDX-License-Identifier: BSD-3-Clause */
/* The capture importers (stsafe/trace_import.h): the samples of
 * vectors/traces against their expected traces byte for byte, the output
 * variants of sigrok-cli, the NACK and cut-capture cases, and every
 * refusal with its line and reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stsafe/protocol/error.h"
#include "stsafe/trace/trace.h"
#include "stsafe/trace/import.h"

#define MAX_MSGS 64

/* What an import handed out: the trace lines, and the messages themselves. */
typedef struct {
    char text[65536];
    size_t len;
    stsafe_trace_msg msgs[MAX_MSGS];
    size_t count;
    int stop_after;      /* >0: the callback returns 99 at this message */
} collected;

static int collect(void *ctx, const stsafe_trace_msg *msg, const char *note)
{
    collected *c = ctx;
    size_t n = 0;
    assert_int_equal(stsafe_trace_import_format(msg, note, c->text + c->len, sizeof c->text - c->len, &n), 0);
    c->len += n;
    if (msg) {
        assert_true(c->count < MAX_MSGS);
        c->msgs[c->count++] = *msg;
        if (c->stop_after && (int)c->count == c->stop_after)
            return 99;
    }
    return 0;
}

static collected *fresh(void)
{
    static collected c;
    memset(&c, 0, sizeof c);
    return &c;
}

static int sigrok(const char *text, uint64_t rate, collected *c, stsafe_trace_import_status *st)
{
    return stsafe_trace_import_sigrok(text, strlen(text), rate, collect, c, st);
}

static int saleae(const char *text, collected *c, stsafe_trace_import_status *st)
{
    return stsafe_trace_import_saleae(text, strlen(text), collect, c, st);
}

static char *read_vector(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/traces/%s", STSE_EMU_VECTORS_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    assert_true(feof(f));
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* The header and the lines, as stsafe-emu import writes them, against the expected file. */
static void check_sample(const char *capture, const char *from, const char *expected, collected *c)
{
    char head[256];
    size_t hlen, elen;
    char *want = read_vector(expected, &elen);
    assert_int_equal(stsafe_trace_import_header(from, capture, head, sizeof head, &hlen), 0);
    assert_true(hlen + c->len == elen);
    assert_memory_equal(want, head, hlen);
    assert_memory_equal(want + hlen, c->text, c->len);
    free(want);
}

static void test_sigrok_sample(void **state)
{
    (void)state;
    size_t len;
    collected *c = fresh();
    stsafe_trace_import_status st;
    char *cap = read_vector("import-session.sigrok.txt", &len);
    assert_int_equal(stsafe_trace_import_sigrok(cap, len, 2000000u, collect, c, &st), 0);
    assert_int_equal(st.messages, 20);
    assert_int_equal(st.notes, 0);
    check_sample("import-session.sigrok.txt", "sigrok-cli", "import-session.sigrok.expected.trace", c);
    free(cap);
}

static void test_saleae_sample(void **state)
{
    (void)state;
    size_t len;
    collected *c = fresh();
    stsafe_trace_import_status st;
    char *cap = read_vector("import-session.saleae.csv", &len);
    assert_int_equal(stsafe_trace_import_saleae(cap, len, collect, c, &st), 0);
    assert_int_equal(st.messages, 20);
    assert_int_equal(st.notes, 0);
    check_sample("import-session.saleae.csv", "Saleae Logic 2", "import-session.saleae.expected.trace", c);
    free(cap);
}

/* Both captures are the same session: the same messages, and the ones
 * that matter are what the session was. */
static void test_samples_agree(void **state)
{
    (void)state;
    size_t len;
    stsafe_trace_import_status st;
    static collected a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    char *cap = read_vector("import-session.sigrok.txt", &len);
    assert_int_equal(stsafe_trace_import_sigrok(cap, len, 2000000u, collect, &a, &st), 0);
    free(cap);
    cap = read_vector("import-session.saleae.csv", &len);
    assert_int_equal(stsafe_trace_import_saleae(cap, len, collect, &b, &st), 0);
    free(cap);
    assert_int_equal(a.count, b.count);
    for (size_t i = 0; i < a.count; i++)
        assert_memory_equal(&a.msgs[i], &b.msgs[i], offsetof(stsafe_trace_msg, data) + a.msgs[i].len);
    const stsafe_trace_msg *m = a.msgs;
    assert_true(m[1].time_ns == 2000000u && m[1].addr == 0x20 && m[1].read && !m[1].ack && !m[1].len);
    assert_true(m[5].addr == 0x21 && !m[5].read && !m[5].ack && !m[5].len);   /* a probe nobody answers */
    assert_true(m[7].time_ns == 11200000u && m[7].repeated_start && m[7].addr == 0x48 && m[7].read &&
                m[7].ack && m[7].len == 2 && m[7].data[0] == 0x19 && m[7].data[1] == 0x80);
    assert_true(m[19].repeated_start && m[19].len == 8 && !m[18].repeated_start && m[18].len == 6);
    assert_int_equal(m[17].len, 13);
}

static void expect_sigrok(const char *text, uint64_t rate, const char *want)
{
    collected *c = fresh();
    stsafe_trace_import_status st;
    assert_int_equal(sigrok(text, rate, c, &st), 0);
    assert_string_equal(c->text, want);
}

/* The same write-then-read in each output style of sigrok-cli (and PulseView). */
static void test_sigrok_styles(void **state)
{
    (void)state;
    static const char want[] = "0.000001 S 0x20 W ACK 00  # not a command frame\n"
                               "0.000003 Sr 0x20 R ACK 5a\n";
    /* default: "-A i2c=..." without sample numbers, one line per annotation */
    expect_sigrok("i2c-1: Start\ni2c-1: Write\ni2c-1: Address write: 20\ni2c-1: ACK\n"
                  "i2c-1: Data write: 00\ni2c-1: ACK\ni2c-1: Start repeat\ni2c-1: Address read: 20\n"
                  "i2c-1: Read\ni2c-1: ACK\ni2c-1: Data read: 5A\ni2c-1: NACK\ni2c-1: Stop\n",
                  0, "# no sample numbers in the capture (sigrok-cli --protocol-decoder-samplenum): "
                     "times are 0\n0.000000 S 0x20 W ACK 00  # not a command frame\n"
                     "0.000000 Sr 0x20 R ACK 5a\n");
    /* --protocol-decoder-samplenum, with the bits row (-A i2c: every class) and CRLF */
    expect_sigrok("1-1 i2c-1: Start\r\n2-3 i2c-1: 0\r\n2-9 i2c-1: Address write: 20\r\n"
                  "9-10 i2c-1: ACK\r\n10-18 i2c-1: Data write: 00\r\n18-19 i2c-1: ACK\r\n"
                  "3-3 i2c-1: Start repeat\r\n4-11 i2c-1: Address read: 20\r\n11-12 i2c-1: ACK\r\n"
                  "12-19 i2c-1: 1\r\n12-19 i2c-1: Data read: 5a\r\n19-20 i2c-1: NACK\r\n20-20 i2c-1: Stop\r\n",
                  1000000, want);
    /* -l 3: quoted; -l 4: the class and the short forms */
    expect_sigrok("1-1 i2c-1: \"Start\"\n2-9 i2c-1: \"Address write: 20\"\n9-10 i2c-1: \"ACK\"\n"
                  "10-18 i2c-1: data-write: \"Data write: 00\" \"DW: 00\" \"00\"\n18-19 i2c-1: ack: \"ACK\" \"A\"\n"
                  "3-3 i2c-1: repeat-start: \"Start repeat\" \"Sr\"\n"
                  "4-11 i2c-1: address-read: \"Read\" \"Rd\" \"R\"\n"
                  "4-11 i2c-1: address-read: \"Address read: 20\" \"AR: 20\" \"20\"\n"
                  "11-12 i2c-1: \"ACK\"\n12-19 i2c-1: \"Data read: 5A\"\n19-20 i2c-1: nack: \"NACK\" \"N\"\n"
                  "20-20 i2c-1: stop: \"Stop\" \"P\"\n",
                  1000000, want);
    /* PulseView's "export all annotations", and sigrok-cli before 0.7 (the text alone) */
    expect_sigrok("1-1 I\xc2\xb2\x43: Address/data: Start\n2-9 I\xc2\xb2\x43: Address/data: Address write: 20\n"
                  "9-10 I\xc2\xb2\x43: Address/data: ACK\n10-18 I\xc2\xb2\x43: Address/data: Data write: 00\n"
                  "18-19 I\xc2\xb2\x43: Address/data: ACK\n3-3 I\xc2\xb2\x43: Address/data: Start repeat\n"
                  "4-11 I\xc2\xb2\x43: Address/data: Address read: 20\n11-12 I\xc2\xb2\x43: Address/data: ACK\n"
                  "12-19 I\xc2\xb2\x43: Address/data: Data read: 5A\n19-20 I\xc2\xb2\x43: Address/data: NACK\n",
                  1000000, "0.000001 S 0x20 W ACK 00  # not a command frame\n"
                           "0.000003 Sr 0x20 R ACK 5a  # the capture ends before the stop condition\n");
    expect_sigrok("\xef\xbb\xbf  Start  \n\nAddress write: 20\nACK\nStop", 0,
                  "# no sample numbers in the capture (sigrok-cli --protocol-decoder-samplenum): "
                  "times are 0\n0.000000 S 0x20 W ACK\n");
}

/* Times: sample number / rate, truncated to the nanosecond (the trace shows microseconds). */
static void test_sigrok_times(void **state)
{
    (void)state;
    collected *c = fresh();
    stsafe_trace_import_status st;
    assert_int_equal(sigrok("5-5 i2c-1: Start\n6-7 i2c-1: Address read: 20\n7-8 i2c-1: NACK\n"
                            "9-9 i2c-1: Stop\n", 3000000, c, &st), 0);
    assert_true(c->msgs[0].time_ns == 1666u);  /* 5 / 3 MHz = 1666.67 ns */
    assert_string_equal(c->text, "0.000001 S 0x20 R NACK  # no acknowledge\n");
    c = fresh();
    assert_int_equal(sigrok("18446744073709551615-18446744073709551615 i2c-1: Start\n", 10000000000u, c, &st), 0);
    assert_string_equal(c->text, "# a start condition with no address byte after it (the capture ends)\n");
    c = fresh();
    assert_int_equal(sigrok("1-1 i2c-1: Start\n18446744073709551615-18446744073709551615 i2c-1: Start\n", 1, c, &st),
                     STSAFE_ERR_TRACE_SYNTAX);
    assert_int_equal(st.line, 2);
    assert_string_equal(st.error, "sample number too large for a time at this sample rate");
    /* the largest times read back (fuzz_trace_import: the reader refused them) */
    c = fresh();
    assert_int_equal(sigrok("55340232210000000-55340232210000000 i2c-1: Start\n"
                            "55340232210000001-55340232210000002 i2c-1: Address read: 20\n", 3000000, c, &st), 0);
    assert_string_equal(c->text, "# the capture ends after the address byte of 0x20 R, before its ACK/NACK\n");
    assert_int_equal(sigrok("55340232210000000-55340232210000000 i2c-1: Start\n"
                            "55340232210000001-55340232210000002 i2c-1: Address read: 20\n"
                            "55340232210000002-55340232210000003 i2c-1: NACK\n", 3000000, c, &st), 0);
    assert_true(c->msgs[0].time_ns == 18446744070000000000u);
    stsafe_trace_msg back;
    const char *nl = strchr(c->text, '\n');
    assert_non_null(nl);
    assert_int_equal(stsafe_trace_parse_msg(nl + 1, strlen(nl + 1), &back, NULL), 0);
    assert_true(back.time_ns == 18446744070000000000u);
    c = fresh();
    assert_int_equal(sigrok("7-7 i2c-1: Start\n8-9 i2c-1: Address write: 20\n9-9 i2c-1: NACK\n", 0, c, &st), 0);
    assert_string_equal(c->text, "# no sample rate given (stsafe-emu import --samplerate): times are 0\n"
                                 "0.000000 S 0x20 W NACK  # no acknowledge; the capture ends before the stop condition\n");
    assert_int_equal(stsafe_trace_import_sigrok("", 0, STSAFE_IMPORT_MAX_SAMPLERATE + 1, collect, c, &st),
                     STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_trace_import_sigrok(NULL, 0, 0, collect, c, &st), 0);
    assert_int_equal(st.messages, 0);
}

/* NACKs that end messages, and what is said about them. */
static void test_nacks(void **state)
{
    (void)state;
    /* the device NACKs the second written byte: the message ends there, the byte is kept */
    expect_sigrok("Start\nAddress write: 48\nACK\nData write: 01\nACK\nData write: 02\nNACK\nStop\n"
                  /* the host NACKs the last byte it reads: normal, nothing said */
                  "Start\nAddress read: 48\nACK\nData read: 07\nACK\nData read: 08\nNACK\nStop\n"
                  /* a host that ACKs its last byte: on the wire, kept as it is */
                  "Start\nAddress read: 48\nACK\nData read: 09\nACK\nStop\n",
                  0, "# no sample numbers in the capture (sigrok-cli --protocol-decoder-samplenum): times are 0\n"
                     "0.000000 S 0x48 W ACK 01 02  # not a command frame; the device NACKed data byte 2: "
                     "the message ends there\n"
                     "0.000000 S 0x48 R ACK 07 08\n0.000000 S 0x48 R ACK 09\n");
}

/* Starts without an address, a start with no stop before it, a cut capture. */
static void test_odd_transactions(void **state)
{
    (void)state;
    static const char head[] = "# no sample numbers in the capture (sigrok-cli --protocol-decoder-samplenum): "
                               "times are 0\n";
    char want[1024];
    /* "Start" inside a transaction: the decoder saw a stop the capture does not show (no Stop class) */
    snprintf(want, sizeof want, "%s0.000000 S 0x20 W ACK 00  # not a command frame\n"
                                "0.000000 S 0x21 R NACK  # no acknowledge\n"
                                "# a start condition with no address byte after it (a stop follows)\n"
                                "# a start condition with no address byte after it (another start follows)\n"
                                "0.000000 S 0x22 R NACK  # no acknowledge\n", head);
    expect_sigrok("Start\nAddress write: 20\nACK\nData write: 00\nACK\nStart\nAddress read: 21\nNACK\nStop\n"
                  "Start\nStop\nStart\nStart repeat\nAddress read: 22\nNACK\nStop\n", 0, want);
    static const struct {
        const char *tail, *note;
    } cuts[] = {
        {"Start\n", "# a start condition with no address byte after it (the capture ends)\n"},
        {"Start\nAddress write: 20\n", "# the capture ends after the address byte of 0x20 W, before its ACK/NACK\n"},
        {"Start\nAddress write: 20\nACK\nData write: 00\n",
         "0.000000 S 0x20 W ACK 00  # not a command frame; the capture ends before the ACK/NACK of the last byte\n"},
        {"Start\nAddress write: 20\nACK\nData write: 00\nACK\n",
         "0.000000 S 0x20 W ACK 00  # not a command frame; the capture ends inside this message (no stop)\n"},
        {"Start\nAddress write: 20\nACK\nData write: 00\nNACK\n",
         "0.000000 S 0x20 W ACK 00  # not a command frame; the device NACKed data byte 1: the message ends "
         "there; the capture ends before the stop condition\n"},
        {"Stop\nStop\n", ""},
    };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        snprintf(want, sizeof want, "%s%s", head, cuts[i].note);
        expect_sigrok(cuts[i].tail, 0, want);
    }
}

static void expect_sigrok_error(const char *text, unsigned line, const char *why)
{
    collected *c = fresh();
    stsafe_trace_import_status st;
    assert_int_equal(sigrok(text, 1000, c, &st), STSAFE_ERR_TRACE_SYNTAX);
    assert_int_equal(st.line, line);
    assert_string_equal(st.error, why);
}

static void test_sigrok_refusals(void **state)
{
    (void)state;
    static const char *const not_ann = "not an annotation of sigrok's I2C decoder";
    expect_sigrok_error("Start\nAddress write: 2\n", 2, not_ann);
    expect_sigrok_error("Start\ni2c-1: Address write: 20x\n", 2, not_ann);
    expect_sigrok_error("i2c-1: Data write: 0\n", 1, not_ann);           /* not taken for a bit */
    expect_sigrok_error("i2c-1: \"Start\" S\n", 1, not_ann);             /* short forms are quoted */
    expect_sigrok_error("i2c-1: \"Start\n", 1, not_ann);
    expect_sigrok_error("a: b: c: d: Start\n", 1, not_ann);              /* at most three prefixes */
    expect_sigrok_error("i2c-1: Bitrate: 100000\n", 1, not_ann);         /* -M i2c meta output */
    expect_sigrok_error("i2c-1: start\n", 1, not_ann);
    expect_sigrok_error("Address write: 20\n", 1, "an address byte without a start condition just before it");
    expect_sigrok_error("Start\nAddress write: F0\n", 2, "address above 0x7f (10-bit addressing is not supported)");
    expect_sigrok_error("Start\nAddress write: 20\nData write: 00\n", 3,
                        "a data byte before the ACK/NACK of the byte before it");
    expect_sigrok_error("Start\nAddress write: 20\nACK\nData write: 00\nData write: 01\n", 5,
                        "a data byte before the ACK/NACK of the byte before it");
    expect_sigrok_error("Data write: 00\n", 1, "a data byte outside a message (no acknowledged address before it)");
    expect_sigrok_error("Start\nAddress write: 20\nACK\nData read: 00\n", 4, "a data read in a write message");
    expect_sigrok_error("Start\nAddress read: 20\nACK\nData write: 00\n", 4, "a data write in a read message");
    expect_sigrok_error("Start\nAddress read: 20\nNACK\nData read: 00\n", 4, "a data byte after a NACKed address");
    expect_sigrok_error("Start\nAddress write: 20\nACK\nData write: 00\nNACK\nData write: 01\n", 6,
                        "a data byte after the NACK that ended the message");
    expect_sigrok_error("Start\nACK\n", 2, "an ACK or NACK with no byte before it");
    expect_sigrok_error("Start\nAddress write: 20\nStop\n", 3, "a stop condition before the ACK/NACK of the byte before it");
    expect_sigrok_error("Start\nAddress write: 20\nStart repeat\n", 3,
                        "a start condition before the ACK/NACK of the byte before it");
    expect_sigrok_error("\n\nStart repeat\n", 3, "a repeated start outside a transaction (no start before it, or a stop)");
    expect_sigrok_error("Start\nAddress write: 20\nNACK\nStop\nStart repeat\n", 5,
                        "a repeated start outside a transaction (no start before it, or a stop)");
    expect_sigrok_error("10-10 i2c-1: Start\n11-12 i2c-1: Address write: 20\n12-13 i2c-1: NACK\n"
                        "14-14 i2c-1: Stop\n9-9 i2c-1: Start\n", 5, "time goes backwards");
    expect_sigrok_error("1-1 i2c-1: Start\ni2c-1: Stop\n", 2, "sample numbers on some lines only");
    expect_sigrok_error("i2c-1: Start\n1-1 i2c-1: Stop\n", 2, "sample numbers on some lines only");
    expect_sigrok_error("20-10 i2c-1: Start\n", 1, "bad sample range (START-END, decimal, END not before START)");
    expect_sigrok_error("1-18446744073709551616 i2c-1: Start\n", 1,
                        "bad sample range (START-END, decimal, END not before START)");
    /* 1025 data bytes */
    static char many[20 + 1025 * 20];
    size_t n = (size_t)sprintf(many, "Start\nAddress write: 20\nACK\n");
    for (int i = 0; i < 1025; i++)
        n += (size_t)sprintf(many + n, "Data write: %02X\nACK\n", i & 0xFF);
    expect_sigrok_error(many, 3 + 2 * 1024 + 1, "more than 1024 data bytes in one message");
}

/* The callback stops an import; its value comes back. */
static void test_emit_stops(void **state)
{
    (void)state;
    collected *c = fresh();
    stsafe_trace_import_status st;
    c->stop_after = 1;
    assert_int_equal(sigrok("Start\nAddress read: 20\nNACK\nStart\nAddress read: 20\nNACK\n", 0, c, &st), 99);
    assert_int_equal(c->count, 1);
    c = fresh();
    c->stop_after = 2;
    assert_int_equal(saleae("name,type,start_time,duration,ack,address,read,data\n"
                            "I2C,start,0,0,,,,\nI2C,address,0,0,false,0x20,true,\n"
                            "I2C,start,1,0,,,,\nI2C,address,1,0,false,0x20,true,\nI2C,stop,2,0,,,,\n",
                            c, &st), 99);
    assert_int_equal(c->count, 2);
}

static const char csv_head[] = "name,type,start_time,duration,\"ack\",\"address\",\"read\",\"data\"\n";

static void expect_saleae(const char *rows, const char *want)
{
    char text[4096];
    collected *c = fresh();
    stsafe_trace_import_status st;
    snprintf(text, sizeof text, "%s%s", csv_head, rows);
    assert_int_equal(saleae(text, c, &st), 0);
    assert_string_equal(c->text, want);
}

static void test_saleae_rows(void **state)
{
    (void)state;
    /* exponent times, binary radix, a repeated start (a start while a transaction is open), a data NACK */
    expect_saleae("\"I2C\",\"start\",1.5e-05,4.16666667e-08,,,,\n"
                  "\"I2C\",\"address\",1.6E-5,8.5e-05,true,0b1001000,false,\n"
                  "\"I2C\",\"data\",0.000106,8.5e-05,true,,,0x0a\n"
                  "\"I2C\",\"start\",0.0002,4.16666667e-08,,,,\n"
                  "\"I2C\",\"address\",0.000205,8.5e-05,true,0x48,true,\n"
                  "\"I2C\",\"data\",0.000295,8.5e-05,false,,,0b11111111\n"
                  "\"I2C\",\"stop\",0.00039,4.16666667e-08,,,,\n"
                  "\"I2C\",\"start\",12,4.16666667e-08,,,,\n"
                  "\"I2C\",\"address\",12.000005,8.5e-05,true,0x48,false,\n"
                  "\"I2C\",\"data\",12.000095,8.5e-05,true,,,0x01\n"
                  "\"I2C\",\"data\",12.000185,8.5e-05,false,,,0x02\n"
                  "\"I2C\",\"stop\",12.00028,4.16666667e-08,,,,\n",
                  "0.000015 S 0x48 W ACK 0a  # not a command frame\n"
                  "0.000200 Sr 0x48 R ACK ff\n"
                  "12.000000 S 0x48 W ACK 01 02  # not a command frame; the device NACKed data byte 2: "
                  "the message ends there\n");
    /* times before 0 (a trigger): shifted, and said; an "error" column left empty */
    char want[512];
    collected *c = fresh();
    stsafe_trace_import_status st;
    assert_int_equal(saleae("name,type,start_time,duration,ack,address,read,data,error\r\n"
                            "I2C,start,-0.25,0,,,,,\r\nI2C,address,-0.2499,0,false,0x20,true,,\r\n"
                            "I2C,stop,-0.2498,0,,,,,\r\nI2C,start,0.75,0,,,,,\r\n"
                            "I2C,address,0.7501,0,false,0x20,true,,\r\n",
                            c, &st), 0);
    snprintf(want, sizeof want,
             "# times shifted by +0.250000000 s: the capture's times start before 0 (a trigger)\n"
             "0.000000 S 0x20 R NACK  # no acknowledge\n"
             "1.000000 S 0x20 R NACK  # no acknowledge; the capture ends before the stop condition\n");
    assert_string_equal(c->text, want);
    assert_int_equal(st.notes, 2);
    assert_int_equal(st.messages, 2);
    /* nanoseconds truncated, not rounded; more than 18 significant digits dropped */
    c = fresh();
    assert_int_equal(saleae("name,type,start_time,duration,ack,address,read,data\n"
                            "I2C,start,1.9999999999e-06,0,,,,\nI2C,address,0,0,false,0x20,true,\nI2C,stop,0,0,,,,\n"
                            "I2C,start,1234567890.123456789123,0,,,,\nI2C,address,0,0,false,0x20,true,\n",
                            c, &st), 0);
    assert_true(c->msgs[0].time_ns == 1999u);
    assert_true(c->msgs[1].time_ns == 1234567890123456780u);
    /* times from a trigger 292 years before the capture to 292 years after it:
     * the shift is computed without overflow (fuzz_trace_import found a
     * signed overflow), and the trace holds the time */
    c = fresh();
    assert_int_equal(saleae("name,type,start_time,duration,ack,address,read,data\n"
                            "I2C,stop,-9223372036.854775807,0,,,,\nI2C,start,9223372036.854775807,0,,,,\n"
                            "I2C,address,0,0,false,0x20,true,\n", c, &st), 0);
    assert_true(c->msgs[0].time_ns == 18446744073709551600u); /* 18 significant digits kept */
    assert_string_equal(c->text, "# times shifted by +9223372036.854775800 s: the capture's times start before 0 "
                                 "(a trigger)\n18446744073.709551 S 0x20 R NACK  # no acknowledge; the capture "
                                 "ends before the stop condition\n");
}

static void expect_saleae_error(const char *text, unsigned line, const char *why)
{
    collected *c = fresh();
    stsafe_trace_import_status st;
    assert_int_equal(saleae(text, c, &st), STSAFE_ERR_TRACE_SYNTAX);
    assert_int_equal(st.line, line);
    assert_string_equal(st.error, why);
}

static void expect_row_error(const char *rows, unsigned line, const char *why)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s", csv_head, rows);
    expect_saleae_error(text, line, why);
}

static void test_saleae_refusals(void **state)
{
    (void)state;
    static const char start[] = "\"I2C\",\"start\",0.1,4e-08,,,,\n";
    char rows[512];
    expect_saleae_error("", 1, "empty: no CSV header");
    expect_saleae_error("\n\r\n", 1, "empty: no CSV header");
    expect_saleae_error("Time [s],Packet ID,Address,Data,Read/Write,ACK/NAK\n", 1,
                        "a Saleae Logic 1.x export (Time [s],...): export the I2C analyser from Logic 2");
    expect_saleae_error("Time [s],Analyzer Name,Decoded Protocol Result\n", 1,
                        "a Saleae Logic 1.x export (Time [s],...): export the I2C analyser from Logic 2");
    expect_saleae_error("name,type,start_time,duration,\"ack\",\"address\",\"read\",\"data\",\"frame\"\n", 1,
                        "not the CSV of a Logic 2 I2C analyser: a column other than "
                        "name,type,start_time,duration,ack,address,read,data,error");
    expect_saleae_error("name,type,start_time,duration,ack,address,read\n", 1,
                        "the header lacks a column of name,type,start_time,duration,ack,address,read,data");
    expect_saleae_error("name,type,start_time,duration,ack,address,read,data,ack\n", 1,
                        "a column named twice in the header");
    expect_saleae_error("name,\"type,start_time\n", 1, "bad CSV header (a quote not closed, or more than 16 columns)");
    expect_saleae_error("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n", 1,
                        "bad CSV header (a quote not closed, or more than 16 columns)");
    static const char *const fields = "not as many fields as the header has columns (or a quote not closed)";
    expect_row_error("\"I2C\",\"start\",0.1,4e-08,,,\n", 2, fields);
    expect_row_error("\"I2C\",\"start\",0.1,4e-08,,,,,\n", 2, fields);
    expect_row_error("\"I2C\",\"start\"x,0.1,4e-08,,,,\n", 2, fields);
    expect_row_error("\"I2C\",\"start,0.1,4e-08,,,,\n", 2, fields);
    snprintf(rows, sizeof rows, "%s\"I2C [2]\",\"stop\",0.2,4e-08,,,,\n", start);
    expect_row_error(rows, 3, "a row of another analyser: export one I2C analyser");
    static const char *const bad_time = "bad start_time (seconds, as 0.000123 or 1.5e-05)";
    expect_row_error("\"I2C\",\"start\",,4e-08,,,,\n", 2, bad_time);
    expect_row_error("\"I2C\",\"start\",2023-01-01T00:00:00Z,4e-08,,,,\n", 2, bad_time);
    expect_row_error("\"I2C\",\"start\",1e,4e-08,,,,\n", 2, bad_time);
    expect_row_error("\"I2C\",\"start\",1e12345,4e-08,,,,\n", 2, bad_time);
    expect_row_error("\"I2C\",\"start\",1e15,4e-08,,,,\n", 2, bad_time);   /* past 2^63 ns */
    expect_row_error("\"I2C\",\"start\",0.1 ,4e-08,,,,\n", 2, bad_time);
    snprintf(rows, sizeof rows, "%s\"I2C\",\"stop\",0.05,4e-08,,,,\n\"I2C\",\"start\",0.05,4e-08,,,,\n", start);
    expect_row_error(rows, 4, "time goes backwards");
    snprintf(rows, sizeof rows, "\"I2C\",\"start\",-0.1,4e-08,,,,\n\"I2C\",\"stop\",-0.2,4e-08,,,,\n");
    expect_row_error(rows, 3, "time goes backwards");
    snprintf(rows, sizeof rows, "%s\"I2C\",\"address\",0.1,8e-05,yes,0x20,false,\n", start);
    expect_row_error(rows, 3, "an address row needs ack and read as true or false");
    snprintf(rows, sizeof rows, "%s\"I2C\",\"address\",0.1,8e-05,true,0x20,,\n", start);
    expect_row_error(rows, 3, "an address row needs ack and read as true or false");
    static const char *const bad_addr = "bad address (0x.. or 0b..: set the analyser's display radix to Hex)";
    snprintf(rows, sizeof rows, "%s\"I2C\",\"address\",0.1,8e-05,true,32,false,\n", start);
    expect_row_error(rows, 3, bad_addr); /* Decimal: "32" could as well be ASCII */
    snprintf(rows, sizeof rows, "%s\"I2C\",\"address\",0.1,8e-05,true,0x020,false,\n", start);
    expect_row_error(rows, 3, bad_addr);
    snprintf(rows, sizeof rows, "%s\"I2C\",\"address\",0.1,8e-05,true,0b101010101,false,\n", start);
    expect_row_error(rows, 3, bad_addr);
    snprintf(rows, sizeof rows, "%s\"I2C\",\"address\",0.1,8e-05,true,0x80,false,\n", start);
    expect_row_error(rows, 3, "address above 0x7f (10-bit addressing is not supported)");
    snprintf(rows, sizeof rows, "%s\"I2C\",\"address\",0.1,8e-05,true,0x20,false,\n"
                                "\"I2C\",\"data\",0.1,8e-05,,,,0x00\n", start);
    expect_row_error(rows, 4, "a data row needs ack as true or false");
    snprintf(rows, sizeof rows, "%s\"I2C\",\"address\",0.1,8e-05,true,0x20,false,\n"
                                "\"I2C\",\"data\",0.1,8e-05,true,,,'A'\n", start);
    expect_row_error(rows, 4, "bad data (0x.. or 0b..: set the analyser's display radix to Hex)");
    expect_row_error("\"I2C\",\"data\",0.1,8e-05,true,,,0x00\n", 2,
                     "a data byte outside a message (no acknowledged address before it)");
    expect_row_error("\"I2C\",\"frame\",0.1,8e-05,,,,\n", 2, "a row type other than start, address, data or stop");
    expect_saleae_error("name,type,start_time,duration,ack,address,read,data,error\n"
                        "I2C,start,0.1,0,,,,,\nI2C,address,0.1,0,true,0x20,false,,\"missing ack, \"\"oops\"\"\"\n",
                        3, "the analyser flagged an error on this frame");
    collected *c = fresh();
    stsafe_trace_import_status st;
    assert_int_equal(stsafe_trace_import_saleae(NULL, 1, collect, c, &st), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_trace_import_saleae("x", 1, NULL, c, &st), STSAFE_ERR_BAD_INPUT);
}

static void test_format_lines(void **state)
{
    (void)state;
    char line[STSAFE_TRACE_LINE_CAP];
    size_t n = 0;
    stsafe_trace_msg m = {.time_ns = 2500u, .addr = 0x20, .read = 0, .ack = 1, .len = 6,
                          .data = {0x00, 0x01, 0x02, 0xfc, 0x06, 0x00}};
    m.len = 5;
    assert_int_equal(stsafe_trace_import_format(&m, "a note\nnot this", line, sizeof line, &n), 0);
    assert_string_equal(line, "0.000002 S 0x20 W ACK 00 01 02 fc 06  # command Echo (0x00); a note\n");
    assert_int_equal(n, strlen(line));
    m.addr = 0x48;
    m.read = 1;
    m.len = 2;
    assert_int_equal(stsafe_trace_import_format(&m, NULL, line, sizeof line, &n), 0);
    assert_string_equal(line, "0.000002 S 0x48 R ACK 00 01\n");
    assert_int_equal(stsafe_trace_import_format(&m, "", line, sizeof line, &n), 0);
    assert_string_equal(line, "0.000002 S 0x48 R ACK 00 01\n");
    assert_int_equal(stsafe_trace_import_format(NULL, "alone\r\n", line, sizeof line, &n), 0);
    assert_string_equal(line, "# alone\n");
    assert_int_equal(n, 8);
    assert_int_equal(stsafe_trace_import_format(NULL, "alone", line, 8, &n), STSAFE_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(stsafe_trace_import_format(NULL, "", line, sizeof line, &n), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_trace_import_format(NULL, NULL, line, sizeof line, &n), STSAFE_ERR_BAD_INPUT);
    m.ack = 0;
    assert_int_equal(stsafe_trace_import_format(&m, NULL, line, sizeof line, &n), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_trace_import_header("sigrok-cli", "dir/x.txt\nrest", line, sizeof line, &n), 0);
    assert_string_equal(line, "stsafe-trace 1\n# imported from sigrok-cli capture dir/x.txt\n");
    assert_int_equal(stsafe_trace_import_header("sigrok-cli", "x", line, 20, &n), STSAFE_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(stsafe_trace_import_header(NULL, "x", line, sizeof line, &n), STSAFE_ERR_BAD_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigrok_sample),
        cmocka_unit_test(test_saleae_sample),
        cmocka_unit_test(test_samples_agree),
        cmocka_unit_test(test_sigrok_styles),
        cmocka_unit_test(test_sigrok_times),
        cmocka_unit_test(test_nacks),
        cmocka_unit_test(test_odd_transactions),
        cmocka_unit_test(test_sigrok_refusals),
        cmocka_unit_test(test_emit_stops),
        cmocka_unit_test(test_saleae_rows),
        cmocka_unit_test(test_saleae_refusals),
        cmocka_unit_test(test_format_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
