/* SPDX-License-Identifier: BSD-3-Clause */
/* Command and response frames: byte-exact encodings from the facts page and
 * strict decoding of every malformed shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"

#define A110 STSAFE_A110_MAX_FRAME_LEN

static void test_encode_facts_page_commands(void **state)
{
    (void)state;
    uint8_t out[16];
    size_t n;
    static const uint8_t echo_empty[] = {0x00, 0xF0, 0x78};
    assert_int_equal(stsafe_cmd_frame_encode(0x00, NULL, 0, A110, out, sizeof out, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(out, echo_empty, 3);

    static const uint8_t msg[] = {1, 2, 3, 4};
    static const uint8_t echo4[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
    assert_int_equal(stsafe_cmd_frame_encode(0x00, msg, 4, A110, out, sizeof out, &n), 0);
    assert_int_equal(n, 7);
    assert_memory_equal(out, echo4, 7);

    static const uint8_t rnd_payload[] = {0x00, 0x20};
    static const uint8_t rnd[] = {0x02, 0x00, 0x20, 0x52, 0x76};
    assert_int_equal(stsafe_cmd_frame_encode(0x02, rnd_payload, 2, A110, out, sizeof out, &n), 0);
    assert_memory_equal(out, rnd, 5);
}

static void test_encode_response(void **state)
{
    (void)state;
    uint8_t out[16];
    size_t n;
    static const uint8_t data[] = {1, 2};
    static const uint8_t want[] = {0x00, 0x00, 0x04, 0x01, 0x02, 0xFC, 0x06};
    assert_int_equal(stsafe_rsp_frame_encode(0x00, data, 2, out, sizeof out, &n), 0);
    assert_int_equal(n, 7);
    assert_memory_equal(out, want, 7);

    static const uint8_t empty[] = {0x00, 0x00, 0x02, 0xF0, 0x78};
    assert_int_equal(stsafe_rsp_frame_encode(0x00, NULL, 0, out, sizeof out, &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(out, empty, 5);
}

/* The protected Read captured on a real chip (facts page 3a): the CRC covers the C-MAC. */
static void test_decode_captured_protected_read(void **state)
{
    (void)state;
    static const uint8_t frame[] = {0xE5, 0x18, 0x02, 0x00, 0x00, 0x00, 0x01,
                                    0xC7, 0x0F, 0x15, 0x19, 0xD2, 0x17};
    stsafe_cmd_frame cmd;
    assert_int_equal(stsafe_cmd_frame_decode(frame, sizeof frame, A110, &cmd), 0);
    assert_int_equal(cmd.header, 0xE5);
    assert_int_equal(cmd.header & STSAFE_HDR_CODE_MASK, STSAFE_CMD_READ);
    assert_int_equal(cmd.payload_len, 10);
    assert_ptr_equal(cmd.payload, frame + 1);
}

static void test_decode_rejects_every_flipped_bit(void **state)
{
    (void)state;
    uint8_t frame[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
    stsafe_cmd_frame cmd;
    for (size_t bit = 0; bit < 8 * sizeof frame; bit++) {
        frame[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(stsafe_cmd_frame_decode(frame, sizeof frame, A110, &cmd), STSAFE_ERR_FRAME_CRC);
        frame[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    assert_int_equal(stsafe_cmd_frame_decode(frame, sizeof frame, A110, &cmd), 0);
}

static void test_decode_length_limits(void **state)
{
    (void)state;
    uint8_t big[A110 + 1];
    size_t n;
    stsafe_cmd_frame cmd;
    memset(big, 0xA5, sizeof big);
    assert_int_equal(stsafe_cmd_frame_decode(big, 0, A110, &cmd), STSAFE_ERR_FRAME_TOO_SHORT);
    assert_int_equal(stsafe_cmd_frame_decode(big, 2, A110, &cmd), STSAFE_ERR_FRAME_TOO_SHORT);
    assert_int_equal(stsafe_cmd_frame_decode(big, sizeof big, A110, &cmd), STSAFE_ERR_FRAME_TOO_LONG);
    /* The largest frame the A110 takes is exactly 507 bytes. */
    assert_int_equal(stsafe_cmd_frame_encode(0x00, big, A110 - 3, A110, big, sizeof big, &n), 0);
    assert_int_equal(n, A110);
    assert_int_equal(stsafe_cmd_frame_decode(big, n, A110, &cmd), 0);
    assert_int_equal(cmd.payload_len, A110 - 3);
    assert_int_equal(stsafe_cmd_frame_encode(0x00, big, A110 - 2, A110, big, sizeof big, &n),
                     STSAFE_ERR_FRAME_TOO_LONG);
    assert_int_equal(stsafe_cmd_frame_encode(0x00, big, 4, A110, big, 6, &n),
                     STSAFE_ERR_BUFFER_TOO_SMALL);
}

static void test_response_decode_strict(void **state)
{
    (void)state;
    uint8_t ok[] = {0x00, 0x00, 0x04, 0x01, 0x02, 0xFC, 0x06};
    stsafe_rsp_frame rsp;
    size_t total;
    assert_int_equal(stsafe_rsp_frame_decode(ok, sizeof ok, &rsp), 0);
    assert_int_equal(rsp.status, 0);
    assert_int_equal(rsp.data_len, 2);
    assert_ptr_equal(rsp.data, ok + 3);
    assert_int_equal(stsafe_rsp_frame_total_len(ok, &total), 0);
    assert_int_equal(total, 7);

    /* One byte short, one byte long: the length field no longer matches. */
    assert_int_equal(stsafe_rsp_frame_decode(ok, sizeof ok - 1, &rsp), STSAFE_ERR_FRAME_LENGTH);
    uint8_t longer[8];
    memcpy(longer, ok, sizeof ok);
    longer[7] = 0;
    assert_int_equal(stsafe_rsp_frame_decode(longer, sizeof longer, &rsp), STSAFE_ERR_FRAME_LENGTH);
    assert_int_equal(stsafe_rsp_frame_decode(ok, 4, &rsp), STSAFE_ERR_FRAME_TOO_SHORT);

    /* A length field under 2 cannot even hold the CRC. */
    uint8_t bad_len[] = {0x00, 0x00, 0x01, 0xF0, 0x78};
    assert_int_equal(stsafe_rsp_frame_total_len(bad_len, &total), STSAFE_ERR_FRAME_LENGTH);
    assert_int_equal(stsafe_rsp_frame_decode(bad_len, sizeof bad_len, &rsp), STSAFE_ERR_FRAME_LENGTH);

    /* The length field is outside the CRC, the status and data are inside. */
    ok[0] ^= 0x01;
    assert_int_equal(stsafe_rsp_frame_decode(ok, sizeof ok, &rsp), STSAFE_ERR_FRAME_CRC);
    ok[0] ^= 0x01;
    ok[4] ^= 0x80;
    assert_int_equal(stsafe_rsp_frame_decode(ok, sizeof ok, &rsp), STSAFE_ERR_FRAME_CRC);
}

static void test_bad_input(void **state)
{
    (void)state;
    uint8_t out[8];
    size_t n;
    stsafe_cmd_frame cmd;
    stsafe_rsp_frame rsp;
    assert_int_equal(stsafe_cmd_frame_encode(0, NULL, 1, A110, out, sizeof out, &n), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_cmd_frame_decode(NULL, 3, A110, &cmd), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_rsp_frame_decode(NULL, 5, &rsp), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_rsp_frame_encode(0, NULL, 1, out, sizeof out, &n), STSAFE_ERR_BAD_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_facts_page_commands),
        cmocka_unit_test(test_encode_response),
        cmocka_unit_test(test_decode_captured_protected_read),
        cmocka_unit_test(test_decode_rejects_every_flipped_bit),
        cmocka_unit_test(test_decode_length_limits),
        cmocka_unit_test(test_response_decode_strict),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
