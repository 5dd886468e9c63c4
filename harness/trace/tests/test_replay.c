/* SPDX-License-Identifier: BSD-3-Clause */
/* Replay (replay.h) of a trace against an emulated chip, the script view of
 * real traces (script.h) and the recorded device on the golden trace:
 * the golden trace replays clean, and each kind of difference a trace can
 * hold is found, on the right line, with the right words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stsafe/emulator/image.h"
#include "stsafe/protocol/codec_ecc.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/client/client.h"
#include "stsafe/trace/trace.h"
#include "stsafe/bus/recorded.h"
#include "stsafe/trace/device.h"
#include "stsafe/trace/replay.h"
#include "stsafe/trace/script.h"

#define GOLDEN STSE_EMU_VECTORS_DIR "/traces/golden.trace"
#define GOLDEN_IMG STSE_EMU_VECTORS_DIR "/traces/golden.img"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1u);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Replay \p text against a fresh chip from the golden image. */
static int replay_text(const char *text, stsafe_replay_report *rep, stsafe_trace_script *s)
{
    static stsafe_inproc_device dev;
    static const uint8_t seed[] = "replay test";
    assert_int_equal(stsafe_inproc_device_init(&dev, seed, sizeof seed), 0);
    assert_int_equal(stsafe_emu_image_load(GOLDEN_IMG, &dev.chip.nvm), 0);
    stsafe_trace_script_init(s);
    assert_int_equal(stsafe_trace_script_load(s, text, strlen(text), 0x20), 0);
    int rc = stsafe_trace_replay(s, &dev.chip, rep);
    stsafe_inproc_device_free(&dev);
    return rc;
}

static void test_golden(void **state)
{
    (void)state;
    size_t len;
    char *text = read_all(GOLDEN, &len);
    stsafe_replay_report rep;
    stsafe_trace_script s;
    assert_int_equal(replay_text(text, &rep, &s), 0);
    assert_int_equal(rep.line, 0);
    assert_int_equal(rep.commands, 23);
    assert_int_equal(rep.reads, 42);
    /* the golden image has a seed (a version 1 image: derived from its
     * bytes), so even random answers are the recorded ones */
    assert_int_equal(rep.identical, 42);
    assert_int_equal(rep.verified, 0);
    assert_int_equal(rep.by_structure, 0);
    assert_int_equal(rep.exact, 0);
    assert_int_equal(s.nacks, 785);
    assert_int_equal(s.other_addr, 0);
    assert_int_equal(s.n_ex, 23);
    stsafe_trace_script_free(&s);
    free(text);
}

/* The golden trace with message line \p line changed by \p edit. */
typedef void (*edit_fn)(stsafe_trace_msg *m);

static char *edited(unsigned line, edit_fn edit)
{
    size_t len;
    char *text = read_all(GOLDEN, &len);
    char *out = malloc(len + 8192u);
    assert_non_null(out);
    size_t o = 0;
    unsigned n = 0;
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        n++;
        if (n == line) {
            static stsafe_trace_msg m;
            size_t w;
            assert_int_equal(stsafe_trace_parse_msg(p, l, &m, NULL), 0);
            edit(&m);
            assert_int_equal(stsafe_trace_format_msg(&m, NULL, out + o, 8192u, &w), 0);
            o += w;
        } else {
            memcpy(out + o, p, l);
            o += l;
            out[o++] = '\n';
        }
        p += l + (nl ? 1u : 0u);
    }
    out[o] = '\0';
    free(text);
    return out;
}

/* Rebuild the response frame of \p m with a new CRC after an edit. */
static void recrc(stsafe_trace_msg *m)
{
    uint8_t frame[STSAFE_TRACE_MAX_DATA];
    size_t n;
    assert_int_equal(stsafe_rsp_frame_encode(m->data[0], m->data + 3, m->len - 5u, frame,
                                             sizeof frame, &n), 0);
    memcpy(m->data, frame, n);
}

static void flip_last_data_byte(stsafe_trace_msg *m)
{
    m->data[m->len - 3u] ^= 0x01;
}

static void flip_sig_s(stsafe_trace_msg *m) /* a byte of S, CRC made right */
{
    m->data[m->len - 10u] ^= 0x80;
    recrc(m);
}

static void flip_point_y(stsafe_trace_msg *m) /* a byte of Y: off the curve */
{
    m->data[m->len - 4u] ^= 0x01;
    recrc(m);
}

static void other_status(stsafe_trace_msg *m)
{
    m->data[0] = 0x01;
}

static void flip_sig_s_crc_wrong(stsafe_trace_msg *m)
{
    m->data[m->len - 10u] ^= 0x80;
}

/* The line of the golden trace's message that holds \p needle (fixed
 * bytes: commands, answers that do not depend on the chip's keys). */
static unsigned find_line(const char *needle)
{
    size_t len;
    char *text = read_all(GOLDEN, &len);
    char *hit = strstr(text, needle);
    assert_non_null(hit);
    unsigned line = 1;
    for (char *p = text; p < hit; p++)
        line += *p == '\n';
    free(text);
    return line;
}

/* The line of the \p nth (from 1) whole answer in the golden trace that
 * starts with the \p n bytes of \p head, and that answer in \p msg: the
 * random bytes, keys and signatures of the trace change when it is
 * recorded again, their place does not. A whole answer is a read longer
 * than the 5-byte header read the host does first. */
static unsigned find_answer(const uint8_t *head, size_t n, unsigned nth, stsafe_trace_msg *msg)
{
    size_t len;
    char *text = read_all(GOLDEN, &len);
    stsafe_trace_reader r;
    stsafe_trace_reader_init(&r, text, len);
    while (stsafe_trace_next(&r, msg) == 1) {
        if (msg->read && msg->ack && msg->len > 5u && msg->len >= n && !memcmp(msg->data, head, n) &&
            --nth == 0) {
            free(text);
            return r.line;
        }
    }
    fail_msg("no such answer in %s", GOLDEN);
    return 0;
}

static unsigned answer_line(const uint8_t *head, size_t n, unsigned nth)
{
    static stsafe_trace_msg msg;
    return find_answer(head, n, nth, &msg);
}

/* The heads of the answers the tests edit: status, length, first bytes. */
static const uint8_t random_head[] = {0x00, 0x00, 0x22};             /* Generate Random 32 */
static const uint8_t signature_head[] = {0x00, 0x00, 0x46, 0x00, 0x20}; /* P-256 signature */
static const uint8_t sc_signature_head[] = {0x40, 0x00, 0x4a, 0x00, 0x20}; /* with an R-MAC */
static const uint8_t genkey_head[] = {0x00, 0x00, 0x47, 0x04, 0x00, 0x20}; /* P-256 point */

static void expect_mismatch_at(unsigned line, edit_fn edit, unsigned at, const char *words)
{
    char *text = edited(line, edit);
    static stsafe_replay_report rep;
    stsafe_trace_script s;
    assert_int_equal(replay_text(text, &rep, &s), STSAFE_ERR_TRACE_MISMATCH);
    assert_int_equal(rep.line, at);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "line %u: ", at);
    assert_memory_equal(rep.message, prefix, strlen(prefix));
    if (!strstr(rep.message, words))
        fail_msg("'%s' not in: %s", words, rep.message);
    stsafe_trace_script_free(&s);
    free(text);
}

static void expect_mismatch(unsigned line, edit_fn edit, const char *words)
{
    expect_mismatch_at(line, edit, line, words);
}

static void test_exact_difference(void **state)
{
    (void)state;
    unsigned line = find_line("R ACK 00 00 12 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff");
    expect_mismatch(line, flip_last_data_byte,
                    "the answer to Read (line ");
    expect_mismatch(line, flip_last_data_byte,
                    "differs (first difference at byte 18)\n"
                    "  recorded: 00 00 12 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee fe e8 e7\n"
                    "  emulator: 00 00 12 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff e8 e7");
}

static void test_random_status_differs(void **state)
{
    (void)state;
    unsigned line = answer_line(random_head, sizeof random_head, 1);
    expect_mismatch(line, other_status, "the answer to Generate Random");
    expect_mismatch(line, other_status, "has another status or length");
}

static void test_signature_checked(void **state)
{
    (void)state;
    unsigned line = answer_line(signature_head, sizeof signature_head, 1); /* slot 1 */
    expect_mismatch(line, flip_sig_s,
                    "the recorded signature (slot 1) does not verify with the key the recorded "
                    "chip has in that slot");
    expect_mismatch(line, flip_sig_s_crc_wrong, "is not a valid frame in the recording (CRC)");
    line = answer_line(signature_head, sizeof signature_head, 2); /* slot 0 */
    expect_mismatch(line, flip_sig_s, "the recorded signature (slot 0) does not verify");
    /* under the secure channel, the R-MAC is set aside and the signature still checked */
    line = answer_line(sc_signature_head, sizeof sc_signature_head, 1);
    expect_mismatch(line, flip_sig_s, "the recorded signature (slot 1) does not verify");
}

static void test_generated_key_checked(void **state)
{
    (void)state;
    unsigned line = answer_line(genkey_head, sizeof genkey_head, 1); /* slot 1 */
    expect_mismatch(line, flip_point_y,
                    "the recorded Generate Key answer is not a point on NIST P-256");
}

/* The recorded chip's key is the one its Generate Key answer showed, not
 * the emulator's: give that answer another valid point (slot 0's) and the
 * recorded signature of slot 1 no longer verifies. */
static stsafe_ecc_point slot0_point;

static void point_of_slot0(stsafe_trace_msg *m)
{
    /* data: 04 · 00 20 · X · 00 20 · Y */
    memcpy(m->data + 6, slot0_point.x, 32);
    memcpy(m->data + 40, slot0_point.y, 32);
    recrc(m);
}

static void test_recorded_key_followed(void **state)
{
    (void)state;
    stsafe_emu_nvm nvm;
    assert_int_equal(stsafe_emu_image_load(GOLDEN_IMG, &nvm), 0);
    slot0_point.size = 32;
    memcpy(slot0_point.x, nvm.key_slots[0].pub_x, 32);
    memcpy(slot0_point.y, nvm.key_slots[0].pub_y, 32);
    unsigned genkey = answer_line(genkey_head, sizeof genkey_head, 1);
    unsigned sign = answer_line(signature_head, sizeof signature_head, 1);
    expect_mismatch_at(genkey, point_of_slot0, sign,
                       "the recorded signature (slot 1) does not verify");
}

static void test_script_view(void **state)
{
    (void)state;
    static const char text[] = "stsafe-trace 1\n"
                               "0 S 0x20 R ACK 00 00 02 f0 78\n"          /* before any command */
                               "0 S 0x48 W ACK 01\n"                      /* another device */
                               "0 S 0x20 W NACK 00 01 02 03 a7 29\n"      /* busy */
                               "0 S 0x20 W ACK 00 01 02 03 a7 29\n"
                               "0 S 0x20 R NACK\n"
                               "0 S 0x20 R ACK 00 00 05 01 02\n"
                               "0 Sr 0x20 R ACK 00 00 05 01 02 03 a7 29\n";
    stsafe_trace_script s;
    stsafe_trace_script_init(&s);
    assert_int_equal(stsafe_trace_script_load(&s, text, sizeof text - 1, STSAFE_TRACE_ADDR_FIRST), 0);
    assert_int_equal(s.addr, 0x48); /* the first acknowledged write */
    stsafe_trace_script_free(&s);
    stsafe_trace_script_init(&s);
    assert_int_equal(stsafe_trace_script_load(&s, text, sizeof text - 1, 0x20), 0);
    assert_int_equal(s.messages, 7);
    assert_int_equal(s.early_reads, 1);
    assert_int_equal(s.other_addr, 1);
    assert_int_equal(s.nacks, 2);
    assert_int_equal(s.n_ex, 1);
    assert_int_equal(s.ex[0].line, 5);
    assert_int_equal(s.ex[0].n_reads, 2);
    assert_int_equal(s.reads[s.ex[0].longest].len, 8);
    assert_int_equal(s.reads[s.ex[0].longest].line, 8);
    assert_memory_equal(stsafe_trace_script_cmd(&s, 0), "\x00\x01\x02\x03\xa7\x29", 6);

    stsafe_replay_report rep;
    static stsafe_inproc_device dev;
    assert_int_equal(stsafe_inproc_device_default(&dev, (const uint8_t *)"s", 1, NULL), 0);
    assert_int_equal(stsafe_trace_replay(&s, &dev.chip, &rep), 0);
    assert_int_equal(rep.commands, 1);
    assert_int_equal(rep.identical, 2);
    assert_int_equal(rep.i2c_bytes, 6 + 5 + 8);
    stsafe_inproc_device_free(&dev);
    stsafe_trace_script_free(&s);
}

/* Error answers are compared byte for byte like any other: a frame with a
 * bad CRC is answered 0x01 by the chip and by the emulator. */
static void test_error_answers_compared(void **state)
{
    (void)state;
    static const char good[] = "stsafe-trace 1\n"
                               "0 S 0x20 W ACK 00 ff ff\n"
                               "0 S 0x20 R ACK 01 00 02 e1 f1\n";
    static const char bad[] = "stsafe-trace 1\n"
                              "0 S 0x20 W ACK 00 01 02 03 a7 29\n"
                              "0 S 0x20 R ACK 00 00 05 01 02 03 a7 29\n"
                              "0 S 0x20 W ACK 00 ff ff\n"
                              "0 S 0x20 R ACK 00 00 02 f0 78\n";
    stsafe_trace_script s;
    stsafe_replay_report rep;
    static stsafe_inproc_device dev;
    assert_int_equal(stsafe_inproc_device_default(&dev, (const uint8_t *)"s", 1, NULL), 0);
    stsafe_trace_script_init(&s);
    assert_int_equal(stsafe_trace_script_load(&s, good, sizeof good - 1, 0x20), 0);
    assert_int_equal(stsafe_trace_replay(&s, &dev.chip, &rep), 0);
    assert_int_equal(rep.identical, 1);
    stsafe_trace_script_free(&s);
    stsafe_trace_script_init(&s);
    assert_int_equal(stsafe_trace_script_load(&s, bad, sizeof bad - 1, 0x20), 0);
    assert_int_equal(stsafe_trace_replay(&s, &dev.chip, &rep), STSAFE_ERR_TRACE_MISMATCH);
    assert_int_equal(rep.line, 5);
    assert_string_equal(rep.message,
                        "line 5: the answer to Echo (line 4) differs (first difference at byte 0)\n"
                        "  recorded: 00 00 02 f0 78\n"
                        "  emulator: 01 00 02 e1 f1");
    stsafe_trace_script_free(&s);
    stsafe_inproc_device_free(&dev);
}

/* A command the emulator does not acknowledge: the chip is asleep after a
 * Hibernate whose mode wakes it on reset only. */
static void test_emulator_nack(void **state)
{
    (void)state;
    char text[512];
    uint8_t hib[8], echo[8];
    size_t hn, en;
    assert_int_equal(stsafe_cmd_frame_encode(0x0D, (const uint8_t *)"\x02", 1, 64, hib, sizeof hib,
                                             &hn), 0);
    assert_int_equal(stsafe_cmd_frame_encode(0x00, (const uint8_t *)"\x07", 1, 64, echo,
                                             sizeof echo, &en), 0);
    snprintf(text, sizeof text,
             "stsafe-trace 1\n"
             "0 S 0x20 W ACK %02x %02x %02x %02x\n"
             "0 S 0x20 W ACK %02x %02x %02x %02x\n",
             hib[0], hib[1], hib[2], hib[3], echo[0], echo[1], echo[2], echo[3]);
    stsafe_trace_script s;
    stsafe_replay_report rep;
    static stsafe_inproc_device dev;
    assert_int_equal(stsafe_inproc_device_default(&dev, (const uint8_t *)"s", 1, NULL), 0);
    stsafe_trace_script_init(&s);
    assert_int_equal(stsafe_trace_script_load(&s, text, strlen(text), 0x20), 0);
    assert_int_equal(stsafe_trace_replay(&s, &dev.chip, &rep), STSAFE_ERR_TRACE_MISMATCH);
    assert_int_equal(rep.line, 3);
    assert_string_equal(rep.message,
                        "line 3: the emulator NACKed Echo, the recorded chip acknowledged it");
    stsafe_trace_script_free(&s);
    stsafe_inproc_device_free(&dev);
}

/* ---- the recorded device ---- */

/* A host that does what the golden session did is answered as then; the
 * first command that differs is the deviation, with both commands shown. */
static void test_recorded_device_golden(void **state)
{
    (void)state;
    size_t len;
    char *text = read_all(GOLDEN, &len);
    stsafe_trace_script s;
    stsafe_trace_device d;
    stsafe_bus bus;
    stsafe_client c;
    uint8_t out[64];
    stsafe_trace_script_init(&s);
    assert_int_equal(stsafe_trace_script_load(&s, text, len, 0x20), 0);
    stsafe_trace_device_init(&d, &s);
    stsafe_trace_device_bus(&d, &bus);
    stsafe_client_init(&c, &bus, 0x20);
    c.max_polls = 3;
    assert_int_equal(stsafe_client_echo(&c, (const uint8_t *)"\x01\x02\x03\x04\x05", 5, out), 0);
    assert_memory_equal(out, "\x01\x02\x03\x04\x05", 5);
    stsafe_product_data pd;
    assert_int_equal(stsafe_client_query_product_data(&c, &pd), 0);
    assert_memory_equal(pd.st_number, "\x01\x02\x03\x04\x05\x06\x07\x08\xaa", 9);
    static stsafe_trace_msg random;
    (void)find_answer(random_head, sizeof random_head, 1, &random);
    assert_int_equal(stsafe_client_random(&c, 32, out), 0);
    assert_memory_equal(out, random.data + 3, 32); /* the recorded random bytes */
    assert_int_equal(d.writes, 3);
    assert_false(stsafe_trace_device_finished(&d));
    /* the session read zone 0 next; this host reads zone 1 */
    assert_int_not_equal(stsafe_client_read(&c, 0, 1, 0, 64, out), 0);
    assert_true(d.failed);
    unsigned line = find_line("W ACK 05 00 00 00 00 00 40 3e d7");
    char want[512];
    snprintf(want, sizeof want,
             "command 4 of the trace (line %u) is Read, the host wrote Read\n"
             "  trace: 05 00 00 00 00 00 40 3e d7\n"
             "  host: 05 00 01 00 00 00 40",
             line);
    assert_memory_equal(d.why, want, strlen(want));
    /* failed: everything NACKs now, even the right command */
    assert_int_equal(stsafe_trace_device_write(&d, 0x20, stsafe_trace_script_cmd(&s, 3),
                                               s.ex[3].cmd_len), STSAFE_ERR_BUS_NACK);
    stsafe_client_free(&c);
    stsafe_trace_script_free(&s);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_exact_difference),
        cmocka_unit_test(test_random_status_differs),
        cmocka_unit_test(test_signature_checked),
        cmocka_unit_test(test_generated_key_checked),
        cmocka_unit_test(test_recorded_key_followed),
        cmocka_unit_test(test_script_view),
        cmocka_unit_test(test_error_answers_compared),
        cmocka_unit_test(test_emulator_nack),
        cmocka_unit_test(test_recorded_device_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
