/* SPDX-License-Identifier: BSD-3-Clause */
#include "stsafe/protocol/hex.h"
#include "stsafe/protocol/error.h"

int stsafe_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int is_separator(char c)
{
    return c == ' ' || c == '\t' || c == ':';
}

int stsafe_hex_decode(const char *text, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t n = 0;
    if (!text || !out_len)
        return STSAFE_ERR_BAD_INPUT;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        text += 2;
    while (*text) {
        if (is_separator(*text)) {
            text++;
            continue;
        }
        int hi = stsafe_hex_digit(text[0]);
        int lo = hi < 0 ? -1 : stsafe_hex_digit(text[1]);
        if (lo < 0)
            return STSAFE_ERR_CODEC_VALUE;
        if (n >= cap)
            return STSAFE_ERR_BUFFER_TOO_SMALL;
        out[n++] = (uint8_t)((hi << 4) | lo);
        text += 2;
    }
    *out_len = n;
    return 0;
}

int stsafe_hex_encode(const uint8_t *data, size_t len, char *out, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    if (!out || (len && !data))
        return STSAFE_ERR_BAD_INPUT;
    if (cap < 2 * len + 1)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0x0F];
    }
    out[2 * len] = '\0';
    return 0;
}
