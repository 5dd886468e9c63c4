/* SPDX-License-Identifier: BSD-3-Clause */
#include "stsafe/protocol/codec_ecc.h"

#include <string.h>

#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"

/* A length-prefixed fixed-width value: length (2) then that many bytes. */
static void wr_lv(stsafe_writer *w, const uint8_t *v, size_t n)
{
    stsafe_wr_u16(w, (uint16_t)n);
    stsafe_wr_bytes(w, v, n);
}

static size_t rd_lv(stsafe_reader *r, uint8_t *out)
{
    uint16_t n = stsafe_rd_u16(r);
    if (n == 0 || n > STSAFE_MAX_COORD_LEN) {
        if (!r->err)
            r->err = STSAFE_ERR_CODEC_VALUE;
        return 0;
    }
    const uint8_t *v = stsafe_rd_bytes(r, n);
    if (v)
        memcpy(out, v, n);
    return v ? n : 0;
}

int stsafe_point_encode(stsafe_writer *w, const stsafe_ecc_point *p)
{
    stsafe_wr_u8(w, STSAFE_POINT_UNCOMPRESSED);
    wr_lv(w, p->x, p->size);
    wr_lv(w, p->y, p->size);
    return w->err;
}

int stsafe_point_read(stsafe_reader *r, stsafe_ecc_point *p)
{
    uint8_t form = stsafe_rd_u8(r);
    if (!r->err && form != STSAFE_POINT_UNCOMPRESSED)
        r->err = STSAFE_ERR_CODEC_VALUE;
    size_t nx = rd_lv(r, p->x);
    size_t ny = rd_lv(r, p->y);
    if (!r->err && nx != ny)
        r->err = STSAFE_ERR_CODEC_VALUE;
    p->size = nx;
    return r->err;
}

int stsafe_signature_encode(stsafe_writer *w, const stsafe_ecc_signature *s)
{
    wr_lv(w, s->r, s->size);
    wr_lv(w, s->s, s->size);
    return w->err;
}

int stsafe_signature_read(stsafe_reader *r, stsafe_ecc_signature *s)
{
    size_t nr = rd_lv(r, s->r);
    size_t ns = rd_lv(r, s->s);
    if (!r->err && nr != ns)
        r->err = STSAFE_ERR_CODEC_VALUE;
    s->size = nr;
    return r->err;
}

int stsafe_point_decode(const uint8_t *p, size_t n, stsafe_ecc_point *pt)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    stsafe_point_read(&r, pt);
    return stsafe_rd_finish(&r);
}

int stsafe_signature_decode(const uint8_t *p, size_t n, stsafe_ecc_signature *s)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    stsafe_signature_read(&r, s);
    return stsafe_rd_finish(&r);
}

static int wr_curve(stsafe_writer *w, uint8_t curve)
{
    size_t len = 0;
    const uint8_t *id = stsafe_curve_id(curve, &len);
    if (!id)
        return STSAFE_ERR_BAD_INPUT;
    stsafe_wr_bytes(w, id, len);
    return 0;
}

/* Reads a curve identifier: its length field, then that many bytes. An id
 * that is well formed but unknown gives STSAFE_CURVE_NONE, not an error. */
static uint8_t rd_curve(stsafe_reader *r)
{
    size_t avail = stsafe_rd_remaining(r);
    const uint8_t *at = r->err ? NULL : r->p + r->pos;
    uint16_t len = stsafe_rd_u16(r);
    if (!stsafe_rd_bytes(r, len))
        return STSAFE_CURVE_NONE;
    return stsafe_curve_from_id(at, avail, NULL);
}

int stsafe_genkey_req_encode(stsafe_writer *w, const stsafe_genkey_req *req)
{
    stsafe_wr_u8(w, STSAFE_TAG_PRIVATE_KEY_SLOT);
    stsafe_wr_u8(w, req->slot);
    stsafe_wr_u16(w, req->usage_limit);
    stsafe_wr_u16(w, req->mode);
    int err = wr_curve(w, req->curve);
    return err ? err : w->err;
}

int stsafe_genkey_req_decode(const uint8_t *p, size_t n, stsafe_genkey_req *req)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    uint8_t tag = stsafe_rd_u8(&r);
    req->slot = stsafe_rd_u8(&r);
    req->usage_limit = stsafe_rd_u16(&r);
    req->mode = stsafe_rd_u16(&r);
    req->curve = rd_curve(&r);
    int err = stsafe_rd_finish(&r);
    if (err)
        return err;
    return tag != STSAFE_TAG_PRIVATE_KEY_SLOT ? STSAFE_ERR_CODEC_VALUE : 0;
}

int stsafe_sign_req_encode(stsafe_writer *w, const stsafe_sign_req *req)
{
    stsafe_wr_u8(w, req->slot);
    wr_lv(w, req->digest, req->digest_len);
    return w->err;
}

int stsafe_sign_req_decode(const uint8_t *p, size_t n, stsafe_sign_req *req)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    req->slot = stsafe_rd_u8(&r);
    req->digest_len = stsafe_rd_u16(&r);
    req->digest = stsafe_rd_bytes(&r, req->digest_len);
    return stsafe_rd_finish(&r);
}

int stsafe_verify_req_encode(stsafe_writer *w, const stsafe_verify_req *req)
{
    stsafe_wr_u8(w, req->subject);
    int err = wr_curve(w, req->curve);
    if (err)
        return err;
    stsafe_point_encode(w, &req->key);
    stsafe_signature_encode(w, &req->sig);
    wr_lv(w, req->digest, req->digest_len);
    return w->err;
}

int stsafe_verify_req_decode(const uint8_t *p, size_t n, stsafe_verify_req *req)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    req->subject = stsafe_rd_u8(&r);
    req->curve = rd_curve(&r);
    stsafe_point_read(&r, &req->key);
    stsafe_signature_read(&r, &req->sig);
    req->digest_len = stsafe_rd_u16(&r);
    req->digest = stsafe_rd_bytes(&r, req->digest_len);
    return stsafe_rd_finish(&r);
}

int stsafe_ecdh_req_encode(stsafe_writer *w, const stsafe_ecdh_req *req)
{
    stsafe_wr_u8(w, req->slot);
    return stsafe_point_encode(w, &req->peer);
}

int stsafe_ecdh_req_decode(const uint8_t *p, size_t n, stsafe_ecdh_req *req)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    req->slot = stsafe_rd_u8(&r);
    stsafe_point_read(&r, &req->peer);
    return stsafe_rd_finish(&r);
}
