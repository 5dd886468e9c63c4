/* SPDX-License-Identifier: BSD-3-Clause */
/* Host side of the private key commands. */
#include "stsafe/client/client.h"

#include <string.h>

#include "stsafe/protocol/error.h"

/* Sends the request built in \p w (or returns the encoder's error). */
static int send_built(stsafe_client *c, uint8_t code, int enc_err, const stsafe_writer *w,
                      uint8_t *rsp, size_t cap, size_t *rsp_len)
{
    if (enc_err)
        return enc_err;
    return stsafe_client_transceive(c, code, w->p, w->len, rsp, cap, rsp_len);
}

/* NOLINTBEGIN(bugprone-macro-parentheses): the argument is pasted into a name */
#define REQUEST_BUFFER(w)                                                          \
    uint8_t w##_buf[STSAFE_A110_MAX_FRAME_LEN];                                   \
    stsafe_writer w;                                                              \
    stsafe_writer_init(&w, w##_buf, sizeof w##_buf)
/* NOLINTEND(bugprone-macro-parentheses) */

int stsafe_client_generate_key(stsafe_client *c, uint8_t slot, uint8_t curve, uint16_t usage_limit,
                               stsafe_ecc_point *pub)
{
    uint8_t rsp[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0;
    stsafe_genkey_req rq = {slot, usage_limit, 0x0000, curve}; /* mode 00 00, as STSELib */
    REQUEST_BUFFER(w);
    int err = send_built(c, STSAFE_CMD_GENERATE_KEY, stsafe_genkey_req_encode(&w, &rq), &w, rsp,
                         sizeof rsp, &n);
    return err ? err : stsafe_point_decode(rsp, n, pub);
}

int stsafe_client_sign(stsafe_client *c, uint8_t slot, const uint8_t *digest, size_t digest_len,
                       stsafe_ecc_signature *sig)
{
    uint8_t rsp[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0;
    stsafe_sign_req rq = {slot, digest, digest_len};
    REQUEST_BUFFER(w);
    int err = send_built(c, STSAFE_CMD_GENERATE_SIGNATURE, stsafe_sign_req_encode(&w, &rq), &w,
                         rsp, sizeof rsp, &n);
    return err ? err : stsafe_signature_decode(rsp, n, sig);
}

int stsafe_client_verify(stsafe_client *c, uint8_t curve, const stsafe_ecc_point *key,
                         const stsafe_ecc_signature *sig, const uint8_t *digest, size_t digest_len,
                         int *valid)
{
    uint8_t rsp[4];
    size_t n = 0;
    stsafe_verify_req rq = {STSAFE_VERIFY_SUBJECT_ECDSA, curve, *key, *sig, digest, digest_len};
    REQUEST_BUFFER(w);
    int err = send_built(c, STSAFE_CMD_VERIFY_SIGNATURE, stsafe_verify_req_encode(&w, &rq), &w,
                         rsp, sizeof rsp, &n);
    if (err)
        return err;
    if (n != 1 || rsp[0] > 1)
        return n != 1 ? STSAFE_ERR_CODEC_TRUNCATED : STSAFE_ERR_CODEC_VALUE;
    *valid = rsp[0];
    return 0;
}

int stsafe_client_establish_key(stsafe_client *c, uint8_t slot, const stsafe_ecc_point *peer,
                                uint8_t *secret, size_t *secret_len)
{
    uint8_t rsp[2 + STSAFE_MAX_COORD_LEN];
    size_t n = 0;
    stsafe_ecdh_req rq = {slot, *peer};
    REQUEST_BUFFER(w);
    int err = send_built(c, STSAFE_CMD_ESTABLISH_KEY, stsafe_ecdh_req_encode(&w, &rq), &w, rsp,
                         sizeof rsp, &n);
    if (err)
        return err;
    stsafe_reader r;
    stsafe_reader_init(&r, rsp, n);
    uint16_t len = stsafe_rd_u16(&r);
    const uint8_t *z = stsafe_rd_bytes(&r, len);
    if ((err = stsafe_rd_finish(&r)) != 0)
        return err;
    if (len == 0 || len > STSAFE_MAX_COORD_LEN)
        return STSAFE_ERR_CODEC_VALUE;
    memcpy(secret, z, len);
    *secret_len = len;
    return 0;
}

int stsafe_client_generate_envelope_key(stsafe_client *c, uint8_t slot, uint8_t len_sel)
{
    const uint8_t payload[3] = {STSAFE_TAG_LOCAL_ENVELOPE_KEY_TABLE, slot, len_sel};
    return stsafe_client_transceive(c, STSAFE_CMD_GENERATE_KEY, payload, sizeof payload, NULL, 0, NULL);
}

/* Slot byte, then the bytes as they are: the layout of Wrap and Unwrap. */
static int envelope_op(stsafe_client *c, uint8_t code, uint8_t slot, const uint8_t *in, size_t len,
                       uint8_t *out, size_t cap, size_t *out_len)
{
    REQUEST_BUFFER(w);
    stsafe_wr_u8(&w, slot);
    stsafe_wr_bytes(&w, in, len);
    return send_built(c, code, w.err, &w, out, cap, out_len);
}

int stsafe_client_wrap(stsafe_client *c, uint8_t slot, const uint8_t *data, size_t len,
                       uint8_t *env, size_t *env_len)
{
    return envelope_op(c, STSAFE_CMD_WRAP_LOCAL_ENVELOPE, slot, data, len, env, len + 8, env_len);
}

int stsafe_client_unwrap(stsafe_client *c, uint8_t slot, const uint8_t *env, size_t len,
                         uint8_t *data, size_t *data_len)
{
    return envelope_op(c, STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE, slot, env, len, data,
                       len > 8 ? len - 8 : 0, data_len);
}
