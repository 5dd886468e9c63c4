/* SPDX-License-Identifier: BSD-3-Clause */
/* Records with a 2-byte head (flag and length): the multi-frame input
 * format of the fuzz targets. */
#include "fuzz_split.h"

#include <string.h>

void fuzz_split_init(fuzz_split *s, const uint8_t *data, size_t len)
{
    s->p = data;
    s->len = data ? len : 0;
    s->pos = 0;
}

int fuzz_split_next(fuzz_split *s, const uint8_t **rec, size_t *rec_len, int *flag)
{
    if (s->len - s->pos < FUZZ_SPLIT_HEAD)
        return 0;
    size_t head = (size_t)s->p[s->pos] << 8 | s->p[s->pos + 1];
    size_t want = head & FUZZ_SPLIT_MAX_LEN;
    s->pos += FUZZ_SPLIT_HEAD;
    size_t left = s->len - s->pos;
    *rec = s->p + s->pos;
    *rec_len = want < left ? want : left;
    s->pos += *rec_len;
    if (flag)
        *flag = (head & FUZZ_SPLIT_FLAG) != 0;
    return 1;
}

int fuzz_split_append(uint8_t *out, size_t cap, size_t *len, const uint8_t *rec, size_t rec_len,
                      int flag)
{
    if (rec_len > FUZZ_SPLIT_MAX_LEN || cap < *len || cap - *len < FUZZ_SPLIT_HEAD + rec_len)
        return -1;
    size_t head = rec_len | (flag ? FUZZ_SPLIT_FLAG : 0);
    out[*len] = (uint8_t)(head >> 8);
    out[*len + 1] = (uint8_t)(head & 0xFFu);
    if (rec_len)
        memcpy(out + *len + FUZZ_SPLIT_HEAD, rec, rec_len);
    *len += FUZZ_SPLIT_HEAD + rec_len;
    return 0;
}
