/* SPDX-License-Identifier: BSD-3-Clause */
/* Payload codecs: exact encodings, round trips, and strict decoding (every
 * truncation and every trailing byte refused, never a read past the end). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"

/* Decoding every proper prefix fails, the whole succeeds, one byte more
 * fails. Each prefix is copied to a buffer of exactly its size so ASan
 * catches any read past it. A macro, so each decoder is called with its
 * own type. */
#define CHECK_STRICT(enc, len, decode, out)                                       \
    do {                                                                          \
        for (size_t cut_ = 0; cut_ < (len); cut_++) {                             \
            uint8_t *p_ = malloc(cut_ ? cut_ : 1);                                \
            memcpy(p_, (enc), cut_);                                              \
            if (decode(p_, cut_, (out)) == 0)                                     \
                fail_msg("prefix of %zu/%zu bytes decoded", cut_, (size_t)(len)); \
            free(p_);                                                             \
        }                                                                         \
        assert_int_equal(decode((enc), (len), (out)), 0);                         \
        uint8_t *l_ = malloc((len) + 1);                                          \
        memcpy(l_, (enc), (len));                                                 \
        l_[(len)] = 0;                                                            \
        assert_int_not_equal(decode(l_, (len) + 1, (out)), 0);                    \
        free(l_);                                                                 \
    } while (0)

static void test_requests_exact(void **state)
{
    (void)state;
    uint8_t buf[32];
    stsafe_writer w;
    static const uint8_t data[] = {0xAA, 0xBB};

    stsafe_writer_init(&w, buf, sizeof buf);
    stsafe_read_req rd = {0x18, 2, 0x0102, 0x00FF};
    assert_int_equal(stsafe_read_req_encode(&w, &rd), 0);
    static const uint8_t rd_want[] = {0x18, 0x02, 0x01, 0x02, 0x00, 0xFF};
    assert_int_equal(w.len, sizeof rd_want);
    assert_memory_equal(buf, rd_want, w.len);

    stsafe_writer_init(&w, buf, sizeof buf);
    stsafe_update_req up = {0x80, 1, 0x0010, data, sizeof data};
    assert_int_equal(stsafe_update_req_encode(&w, &up), 0);
    static const uint8_t up_want[] = {0x80, 0x01, 0x00, 0x10, 0xAA, 0xBB};
    assert_memory_equal(buf, up_want, sizeof up_want);

    stsafe_writer_init(&w, buf, sizeof buf);
    stsafe_decrement_req dec = {0, 5, 0x0003, 0x01020304, data, sizeof data};
    assert_int_equal(stsafe_decrement_req_encode(&w, &dec), 0);
    static const uint8_t dec_want[] = {0x00, 0x05, 0x00, 0x03, 0x01, 0x02, 0x03, 0x04, 0xAA, 0xBB};
    assert_int_equal(w.len, sizeof dec_want);
    assert_memory_equal(buf, dec_want, w.len);

    stsafe_decrement_req back;
    assert_int_equal(stsafe_decrement_req_decode(dec_want, sizeof dec_want, &back), 0);
    assert_int_equal(back.amount, 0x01020304);
    assert_int_equal(back.data_len, 2);
    assert_ptr_equal(back.data, dec_want + 8);
    assert_int_equal(stsafe_decrement_req_decode(dec_want, 7, &back), STSAFE_ERR_CODEC_TRUNCATED);

    stsafe_read_req rback;
    CHECK_STRICT(rd_want, sizeof rd_want, stsafe_read_req_decode, &rback);
    assert_int_equal(rback.offset, 0x0102);
    assert_int_equal(rback.length, 0x00FF);

    /* A writer that is too small reports it and never overruns. */
    uint8_t tiny[3] = {0, 0, 0xEE};
    stsafe_writer_init(&w, tiny, 2);
    assert_int_equal(stsafe_read_req_encode(&w, &rd), STSAFE_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(tiny[2], 0xEE);
}

static void test_product_data(void **state)
{
    (void)state;
    static const uint8_t enc[] = {0x01, 0x03, 0xAA, 0x46, 0x02, 0x02, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    stsafe_product_data v;
    assert_int_equal(stsafe_product_data_decode(enc, sizeof enc, &v), 0);
    assert_memory_equal(v.mask_id, enc + 2, 3);
    assert_memory_equal(v.st_number, enc + 7, 9);
    for (size_t cut = 0; cut < sizeof enc; cut++)
        assert_int_not_equal(stsafe_product_data_decode(enc, cut, &v), 0);
    assert_int_equal(stsafe_product_data_decode(enc, sizeof enc, &v), 0);
    assert_int_equal(v.io_buffer_size, 0); /* absent sub-records decode as 0 */
    uint8_t out[80];
    stsafe_writer w;
    stsafe_writer_init(&w, out, sizeof out);
    v.io_buffer_size = 507;
    v.atomicity_buffer_size = 64;
    v.nvm_size = 0x2000;
    assert_int_equal(stsafe_product_data_encode(&w, &v), 0);
    assert_int_equal(w.len, 64); /* the A110's 13 sub-records */
    assert_memory_equal(out, enc, sizeof enc);
    static const uint8_t sizes[] = {0x03, 0x02, 0x01, 0xFB, 0x04, 0x02, 0x00, 0x40, 0x05, 0x02, 0x20, 0x00};
    assert_memory_equal(out + sizeof enc, sizes, sizeof sizes);
    stsafe_product_data back;
    assert_int_equal(stsafe_product_data_decode(out, w.len, &back), 0);
    assert_int_equal(back.io_buffer_size, 507);
    assert_int_equal(back.atomicity_buffer_size, 64);
    assert_int_equal(back.nvm_size, 0x2000);
    /* unknown sub-records are skipped; a wrong size is refused */
    static const uint8_t extra[] = {0x07, 0x01, 0x55, 0x01, 0x03, 0xAA, 0x46, 0x02,
                                    0x02, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    assert_int_equal(stsafe_product_data_decode(extra, sizeof extra, &v), 0);
    static const uint8_t bad[] = {0x01, 0x02, 0xAA, 0x46, 0x02, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    assert_int_equal(stsafe_product_data_decode(bad, sizeof bad, &v), STSAFE_ERR_CODEC_VALUE);
}

/* The layout behind STSELib issue 82: a plain zone record is 5 bytes, a
 * counter zone record 9. */
static void test_partition(void **state)
{
    (void)state;
    static const uint8_t enc[] = {2, 0, 0, 0x07, 0x03, 0xE8, 5, 1, 0x88, 0x00, 0x40, 0x00, 0x07, 0xA1, 0x20};
    stsafe_partition_info v;
    CHECK_STRICT(enc, sizeof enc, stsafe_partition_info_decode, &v);
    assert_int_equal(v.count, 2);
    assert_int_equal(v.zone[0].length, 1000);
    assert_int_equal(v.zone[0].counter, 0);
    assert_int_equal(v.zone[1].index, 5);
    assert_int_equal(v.zone[1].counter, 500000);
    uint8_t out[32];
    stsafe_writer w;
    stsafe_writer_init(&w, out, sizeof out);
    assert_int_equal(stsafe_partition_info_encode(&w, &v), 0);
    assert_int_equal(w.len, sizeof enc);
    assert_memory_equal(out, enc, sizeof enc);
    static const uint8_t bad_type[] = {1, 0, 2, 0x00, 0x00, 0x10};
    assert_int_equal(stsafe_partition_info_decode(bad_type, sizeof bad_type, &v), STSAFE_ERR_CODEC_VALUE);
}

static void test_key_table(void **state)
{
    (void)state;
    static const uint8_t enc[] = {
        0x02, 0x00, 0xFF, 0xFF,
        0x00, 0x01, 0x00, 0x04, 0x00, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22,
        0x01, 0x00, 0x00, 0x15,
    };
    stsafe_key_table v;
    CHECK_STRICT(enc, sizeof enc, stsafe_key_table_decode, &v);
    assert_int_equal(v.slot[0].curve, STSAFE_CURVE_P384);
    assert_int_equal(v.slot[1].present, 0);
    assert_int_equal(v.slot[1].mode[1], 0x15);
    uint8_t out[64];
    stsafe_writer w;
    stsafe_writer_init(&w, out, sizeof out);
    assert_int_equal(stsafe_key_table_encode(&w, &v), 0);
    assert_int_equal(w.len, sizeof enc);
    assert_memory_equal(out, enc, sizeof enc);
    uint8_t unknown_curve[sizeof enc];
    memcpy(unknown_curve, enc, sizeof enc);
    unknown_curve[14] = 0x23;
    assert_int_equal(stsafe_key_table_decode(unknown_curve, sizeof enc, &v), STSAFE_ERR_CODEC_VALUE);
}

static void test_small_records(void **state)
{
    (void)state;
    stsafe_host_key_info h;
    static const uint8_t host[] = {0x01, 0x00, 0x01, 0x02};
    CHECK_STRICT(host, sizeof host, stsafe_host_key_info_decode, &h);
    assert_int_equal(h.cmac_counter, 0x000102);
    static const uint8_t no_keys[] = {0x00};
    CHECK_STRICT(no_keys, sizeof no_keys, stsafe_host_key_info_decode, &h);
    assert_int_equal(h.present, 0);

    stsafe_i2c_info i;
    static const uint8_t i2c[] = {0x40, 0x05};
    CHECK_STRICT(i2c, sizeof i2c, stsafe_i2c_info_decode, &i);
    assert_int_equal(i.address, 0x20);
    assert_int_equal(i.locked, 1);
    assert_int_equal(i.low_power_mode, 2);

    stsafe_password_info p;
    static const uint8_t pwd[] = {0x01, 0x05, 0x03};
    CHECK_STRICT(pwd, sizeof pwd, stsafe_password_info_decode, &p);
    assert_int_equal(p.remaining, 3);

    stsafe_envelope_key_table e;
    static const uint8_t env[] = {0x02, 0x00, 0x01, 0x00, 0x01, 0x00};
    CHECK_STRICT(env, sizeof env, stsafe_envelope_key_table_decode, &e);
    assert_int_equal(e.slot[0].present, 1);

    stsafe_cmd_auth_info c;
    static const uint8_t auth[] = {0x03, 0x02, 0x00, 0x01, 0x00, 0x1F, 0x0A, 0x03, 0x03};
    CHECK_STRICT(auth, sizeof auth, stsafe_cmd_auth_info_decode, &c);
    assert_int_equal(c.rec[1].header, 0x1F);
    assert_int_equal(c.rec[1].ext_header, 0x0A);
    assert_int_equal(c.rec[1].enc_flags, STSAFE_CMD_ENC_CMD | STSAFE_CMD_ENC_RSP);
}

static void test_curve_ids(void **state)
{
    (void)state;
    size_t len = 0, used = 0;
    static const uint8_t p256[] = {0x00, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
    const uint8_t *id = stsafe_curve_id(STSAFE_CURVE_P256, &len);
    assert_int_equal(len, sizeof p256);
    assert_memory_equal(id, p256, len);
    for (uint8_t c = 1; c < STSAFE_CURVE_COUNT; c++) {
        id = stsafe_curve_id(c, &len);
        assert_int_equal(stsafe_curve_from_id(id, len, &used), c);
        assert_int_equal(used, len);
        assert_int_equal(stsafe_curve_from_id(id, len - 1, &used), STSAFE_CURVE_NONE);
    }
    assert_null(stsafe_curve_id(STSAFE_CURVE_NONE, &len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests_exact),
        cmocka_unit_test(test_product_data),
        cmocka_unit_test(test_partition),
        cmocka_unit_test(test_key_table),
        cmocka_unit_test(test_small_records),
        cmocka_unit_test(test_curve_ids),
    };
    return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
