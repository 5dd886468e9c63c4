/* SPDX-License-Identifier: BSD-3-Clause */
/* AES key wrap (RFC 3394, NIST SP 800-38F "KW") over mbedTLS AES-ECB: the
 * packaged mbedTLS is built without MBEDTLS_NIST_KW_C. The local envelopes
 * of Wrap/Unwrap Local Envelope are key-wrap blocks (docs/protocol.md). */
#include "stsafe/emulator/keywrap.h"

#include <string.h>

#include <mbedtls/aes.h>

#include "stsafe/protocol/error.h"

static const uint8_t default_iv[8] = {0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6};

static void xor_counter(uint8_t a[8], uint64_t t)
{
    for (int i = 7; i >= 0 && t; i--, t >>= 8)
        a[i] ^= (uint8_t)t;
}

int stsafe_emu_kw_wrap(const uint8_t *key, size_t key_len, const uint8_t *in, size_t n, uint8_t *out)
{
    mbedtls_aes_context aes;
    uint8_t b[16];
    if (n < 16 || n % 8 || (key_len != 16 && key_len != 32))
        return STSAFE_ERR_BAD_INPUT;
    size_t blocks = n / 8;
    mbedtls_aes_init(&aes);
    int rc = mbedtls_aes_setkey_enc(&aes, key, (unsigned)(key_len * 8));
    memcpy(out, default_iv, 8);
    memmove(out + 8, in, n);
    for (unsigned j = 0; !rc && j < 6; j++) {
        for (size_t i = 1; !rc && i <= blocks; i++) {
            memcpy(b, out, 8);
            memcpy(b + 8, out + 8 * i, 8);
            rc = mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, b, b);
            memcpy(out, b, 8);
            xor_counter(out, (uint64_t)blocks * j + i);
            memcpy(out + 8 * i, b + 8, 8);
        }
    }
    mbedtls_aes_free(&aes);
    memset(b, 0, sizeof b);
    return rc ? STSAFE_ERR_CRYPTO : 0;
}

int stsafe_emu_kw_unwrap(const uint8_t *key, size_t key_len, const uint8_t *in, size_t n, uint8_t *out)
{
    mbedtls_aes_context aes;
    uint8_t a[8], b[16];
    if (n < 24 || n % 8 || (key_len != 16 && key_len != 32))
        return STSAFE_ERR_BAD_INPUT;
    size_t blocks = n / 8 - 1;
    mbedtls_aes_init(&aes);
    int rc = mbedtls_aes_setkey_dec(&aes, key, (unsigned)(key_len * 8));
    memcpy(a, in, 8);
    memmove(out, in + 8, n - 8);
    for (int j = 5; !rc && j >= 0; j--) {
        for (size_t i = blocks; !rc && i >= 1; i--) {
            memcpy(b, a, 8);
            xor_counter(b, (uint64_t)blocks * (unsigned)j + i);
            memcpy(b + 8, out + 8 * (i - 1), 8);
            rc = mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_DECRYPT, b, b);
            memcpy(a, b, 8);
            memcpy(out + 8 * (i - 1), b + 8, 8);
        }
    }
    mbedtls_aes_free(&aes);
    memset(b, 0, sizeof b);
    if (rc)
        return STSAFE_ERR_CRYPTO;
    if (memcmp(a, default_iv, 8) != 0) {
        memset(out, 0, n - 8);
        return STSAFE_ERR_CODEC_VALUE; /* integrity check failed */
    }
    return 0;
}
