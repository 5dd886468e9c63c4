/* SPDX-License-Identifier: BSD-3-Clause */
/* One function per command: encode the request with the shared codecs,
 * transceive, decode the response strictly. */
#include "stsafe/client/client.h"

#include <string.h>

#include "stsafe/protocol/error.h"

/* Sends a request built in \p w and expects exactly \p want bytes back. */
static int exchange_exact(stsafe_client *c, uint8_t code, const stsafe_writer *w, uint8_t *out,
                          size_t want)
{
    size_t got = 0;
    if (w->err)
        return w->err;
    int err = stsafe_client_transceive(c, code, w->p, w->len, out, want, want ? &got : NULL);
    if (err)
        return err;
    return got == want ? 0 : STSAFE_ERR_CODEC_TRUNCATED;
}

int stsafe_client_echo(stsafe_client *c, const uint8_t *msg, size_t len, uint8_t *out)
{
    size_t got = 0;
    int err = stsafe_client_transceive(c, STSAFE_CMD_ECHO, msg, len, out, len, len ? &got : NULL);
    if (err)
        return err;
    return got == len ? 0 : STSAFE_ERR_CODEC_TRUNCATED;
}

int stsafe_client_reset(stsafe_client *c)
{
    stsafe_writer w;
    stsafe_writer_init(&w, NULL, 0);
    return exchange_exact(c, STSAFE_CMD_RESET, &w, NULL, 0);
}

int stsafe_client_random(stsafe_client *c, uint8_t len, uint8_t *out)
{
    uint8_t buf[2];
    stsafe_writer w;
    stsafe_writer_init(&w, buf, sizeof buf);
    stsafe_random_req rq = {STSAFE_RANDOM_SUBJECT_DEFAULT, len};
    stsafe_random_req_encode(&w, &rq);
    return exchange_exact(c, STSAFE_CMD_GENERATE_RANDOM, &w, out, len);
}

int stsafe_client_read(stsafe_client *c, uint8_t option, uint8_t zone, uint16_t offset,
                       uint16_t len, uint8_t *out)
{
    uint8_t buf[6];
    stsafe_writer w;
    stsafe_writer_init(&w, buf, sizeof buf);
    stsafe_read_req rq = {option, zone, offset, len};
    stsafe_read_req_encode(&w, &rq);
    return exchange_exact(c, STSAFE_CMD_READ, &w, out, len);
}

/* A counter zone answers its counter (4, big-endian) before the data
 * (STSELib stsafea_read_counter_zone). */
int stsafe_client_read_counter(stsafe_client *c, uint8_t option, uint8_t zone, uint16_t offset,
                               uint16_t len, uint32_t *counter, uint8_t *out)
{
    uint8_t buf[6], rsp[STSAFE_A110_MAX_FRAME_LEN];
    stsafe_writer w;
    if (!counter || (len && !out) || (size_t)len + 4 > sizeof rsp)
        return STSAFE_ERR_BAD_INPUT;
    stsafe_writer_init(&w, buf, sizeof buf);
    stsafe_read_req rq = {option, zone, offset, len};
    stsafe_read_req_encode(&w, &rq);
    int err = exchange_exact(c, STSAFE_CMD_READ, &w, rsp, (size_t)len + 4);
    if (err)
        return err;
    *counter = stsafe_get_u32(rsp);
    if (len)
        memcpy(out, rsp + 4, len);
    return 0;
}

int stsafe_client_update(stsafe_client *c, uint8_t option, uint8_t zone, uint16_t offset,
                         const uint8_t *data, size_t len)
{
    uint8_t buf[STSAFE_A110_MAX_FRAME_LEN];
    stsafe_writer w;
    stsafe_writer_init(&w, buf, sizeof buf);
    stsafe_update_req rq = {option, zone, offset, data, len};
    stsafe_update_req_encode(&w, &rq);
    return exchange_exact(c, STSAFE_CMD_UPDATE, &w, NULL, 0);
}

int stsafe_client_decrement(stsafe_client *c, uint8_t option, uint8_t zone, uint16_t offset,
                            uint32_t amount, const uint8_t *data, size_t len,
                            uint32_t *new_counter)
{
    uint8_t buf[STSAFE_A110_MAX_FRAME_LEN], counter[4];
    stsafe_writer w;
    stsafe_writer_init(&w, buf, sizeof buf);
    stsafe_decrement_req rq = {option, zone, offset, amount, data, len};
    stsafe_decrement_req_encode(&w, &rq);
    int err = exchange_exact(c, STSAFE_CMD_DECREMENT, &w, counter, sizeof counter);
    if (!err && new_counter)
        *new_counter = stsafe_get_u32(counter);
    return err;
}

int stsafe_client_query_raw(stsafe_client *c, uint8_t tag, uint8_t *out, size_t cap,
                            size_t *out_len)
{
    size_t len = 0;
    int err = stsafe_client_transceive(c, STSAFE_CMD_QUERY, &tag, 1, out, cap, &len);
    if (!err && out_len)
        *out_len = len;
    return err;
}

/* Query \p tag and decode the answer with \p decode into \p out. */
/* NOLINTBEGIN(bugprone-macro-parentheses): a type name cannot be parenthesised */
#define DEFINE_TYPED_QUERY(fn, tag, type, decode)                                  \
    int fn(stsafe_client *c, type *out)                                           \
    {                                                                              \
        uint8_t buf[STSAFE_A110_MAX_FRAME_LEN];                                    \
        size_t len = 0;                                                            \
        if (!out)                                                                  \
            return STSAFE_ERR_BAD_INPUT;                                           \
        int err = stsafe_client_query_raw(c, tag, buf, sizeof buf, &len);         \
        return err ? err : decode(buf, len, out);                                  \
    }
/* NOLINTEND(bugprone-macro-parentheses) */

DEFINE_TYPED_QUERY(stsafe_client_query_product_data, STSAFE_TAG_PRODUCT_DATA,
                   stsafe_product_data, stsafe_product_data_decode)
DEFINE_TYPED_QUERY(stsafe_client_query_partition, STSAFE_TAG_DATA_PARTITION,
                   stsafe_partition_info, stsafe_partition_info_decode)
DEFINE_TYPED_QUERY(stsafe_client_query_key_table, STSAFE_TAG_PRIVATE_KEY_TABLE,
                   stsafe_key_table, stsafe_key_table_decode)
DEFINE_TYPED_QUERY(stsafe_client_query_host_key_slot, STSAFE_TAG_HOST_KEY_SLOT,
                   stsafe_host_key_info, stsafe_host_key_info_decode)
DEFINE_TYPED_QUERY(stsafe_client_query_cmd_auth, STSAFE_TAG_COMMAND_AUTHORIZATION,
                   stsafe_cmd_auth_info, stsafe_cmd_auth_info_decode)
DEFINE_TYPED_QUERY(stsafe_client_query_i2c_params, STSAFE_TAG_I2C_PARAMETERS,
                   stsafe_i2c_info, stsafe_i2c_info_decode)
DEFINE_TYPED_QUERY(stsafe_client_query_password, STSAFE_TAG_PASSWORD_SLOT,
                   stsafe_password_info, stsafe_password_info_decode)
DEFINE_TYPED_QUERY(stsafe_client_query_envelope_keys, STSAFE_TAG_LOCAL_ENVELOPE_KEY_TABLE,
                   stsafe_envelope_key_table, stsafe_envelope_key_table_decode)

int stsafe_client_query_life_cycle(stsafe_client *c, uint8_t *state)
{
    size_t len = 0;
    uint8_t buf[4];
    int err = stsafe_client_query_raw(c, STSAFE_TAG_LIFE_CYCLE_STATE, buf, sizeof buf, &len);
    if (err)
        return err;
    if (len != 1)
        return len ? STSAFE_ERR_CODEC_TRAILING : STSAFE_ERR_CODEC_TRUNCATED;
    *state = buf[0];
    return 0;
}
