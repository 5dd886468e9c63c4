/* Length-prefixed records: the multi-frame input format of the fuzz targets. */
#include "fuzz_split.h"

#include <string.h>

void fuzz_split_init(fuzz_split *s, const uint8_t *data, size_t len)
{
    s->p = data;
    s->len = data ? len : 0;
    s->pos = 0;
}

int fuzz_split_next(fuzz_split *s, const uint8_t **rec, size_t *rec_len)
{
    if (s->len - s->pos < FUZZ_SPLIT_HEAD)
        return 0;
    size_t want = (size_t)s->p[s->pos] << 8 | s->p[s->pos + 1];
    s->pos += FUZZ_SPLIT_HEAD;
    size_t left = s->len - s->pos;
    *rec = s->p + s->pos;
    *rec_len = want < left ? want : left;
    s->pos += *rec_len;
    return 1;
}

int fuzz_split_append(uint8_t *out, size_t cap, size_t *len, const uint8_t *rec, size_t rec_len)
{
    if (rec_len > 0xFFFFu || cap < *len || cap - *len < FUZZ_SPLIT_HEAD + rec_len)
        return -1;
    out[*len] = (uint8_t)(rec_len >> 8);
    out[*len + 1] = (uint8_t)(rec_len & 0xFFu);
    if (rec_len)
        memcpy(out + *len + FUZZ_SPLIT_HEAD, rec, rec_len);
    *len += FUZZ_SPLIT_HEAD + rec_len;
    return 0;
}
