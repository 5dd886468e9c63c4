/* SPDX-License-Identifier: BSD-3-Clause */
#include "stsafe/protocol/buf.h"
#include "stsafe/protocol/error.h"

#include <string.h>

void stsafe_reader_init(stsafe_reader *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = p ? len : 0;
    r->pos = 0;
    r->err = 0;
}

const uint8_t *stsafe_rd_bytes(stsafe_reader *r, size_t n)
{
    if (r->err || n > r->len - r->pos) {
        r->err = STSAFE_ERR_CODEC_TRUNCATED;
        return NULL;
    }
    const uint8_t *at = r->p + r->pos;
    r->pos += n;
    return at;
}

static uint32_t rd_be(stsafe_reader *r, size_t n)
{
    const uint8_t *b = stsafe_rd_bytes(r, n);
    uint32_t v = 0;
    if (!b)
        return 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | b[i];
    return v;
}

uint8_t stsafe_rd_u8(stsafe_reader *r) { return (uint8_t)rd_be(r, 1); }
uint16_t stsafe_rd_u16(stsafe_reader *r) { return (uint16_t)rd_be(r, 2); }
uint32_t stsafe_rd_u24(stsafe_reader *r) { return rd_be(r, 3); }
uint32_t stsafe_rd_u32(stsafe_reader *r) { return rd_be(r, 4); }

size_t stsafe_rd_remaining(const stsafe_reader *r)
{
    return r->err ? 0 : r->len - r->pos;
}

int stsafe_rd_finish(const stsafe_reader *r)
{
    if (r->err)
        return r->err;
    return r->pos == r->len ? 0 : STSAFE_ERR_CODEC_TRAILING;
}

void stsafe_writer_init(stsafe_writer *w, uint8_t *p, size_t cap)
{
    w->p = p;
    w->cap = p ? cap : 0;
    w->len = 0;
    w->err = 0;
}

void stsafe_wr_bytes(stsafe_writer *w, const uint8_t *src, size_t n)
{
    if (w->err || n > w->cap - w->len) {
        w->err = STSAFE_ERR_BUFFER_TOO_SMALL;
        return;
    }
    if (n)
        memmove(w->p + w->len, src, n);
    w->len += n;
}

static void wr_be(stsafe_writer *w, uint32_t v, size_t n)
{
    uint8_t b[4];
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    stsafe_wr_bytes(w, b, n);
}

void stsafe_wr_u8(stsafe_writer *w, uint8_t v) { wr_be(w, v, 1); }
void stsafe_wr_u16(stsafe_writer *w, uint16_t v) { wr_be(w, v, 2); }
void stsafe_wr_u24(stsafe_writer *w, uint32_t v) { wr_be(w, v, 3); }
void stsafe_wr_u32(stsafe_writer *w, uint32_t v) { wr_be(w, v, 4); }

void stsafe_put_u16(uint8_t *out, uint16_t v)
{
    out[0] = (uint8_t)(v >> 8);
    out[1] = (uint8_t)v;
}

uint16_t stsafe_get_u16(const uint8_t *in)
{
    return (uint16_t)((in[0] << 8) | in[1]);
}

void stsafe_put_u32(uint8_t *out, uint32_t v)
{
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
}

uint32_t stsafe_get_u32(const uint8_t *in)
{
    return ((uint32_t)in[0] << 24) | ((uint32_t)in[1] << 16) | ((uint32_t)in[2] << 8) | in[3];
}

int stsafe_equal_ct(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (uint8_t)(a[i] ^ b[i]);
    return diff == 0;
}
