/* SPDX-License-Identifier: BSD-3-Clause */
/* The A110 host secure channel primitives (secure_channel.h). */
#include "stsafe/protocol/secure_channel.h"

#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>

#include "stsafe/protocol/buf.h"
#include "stsafe/protocol/error.h"

#define SUBJECT_CMAC     0x00u
#define SUBJECT_RMAC     0x40u
#define IV_SUBJECT_CMD   0x80u
#define IV_SUBJECT_RSP   0xC0u

/* counter (3, big-endian) || subject || 80 || zeros: the first block of
 * every MAC and the input of every IV. */
static void counter_block(uint32_t counter, uint8_t subject, uint8_t block[STSAFE_SC_BLOCK])
{
    memset(block, 0, STSAFE_SC_BLOCK);
    block[0] = (uint8_t)(counter >> 16);
    block[1] = (uint8_t)(counter >> 8);
    block[2] = (uint8_t)counter;
    block[3] = subject;
    block[4] = 0x80;
}

static void put_len16(uint8_t out[2], size_t len)
{
    out[0] = (uint8_t)(len >> 8);
    out[1] = (uint8_t)len;
}

/* CMAC over a list of byte strings, truncated to 4 bytes. */
typedef struct {
    const uint8_t *p;
    size_t n;
} chunk;

static int cmac4(const uint8_t key[STSAFE_SC_KEY_LEN], const chunk *parts, size_t nparts,
                 uint8_t mac[STSAFE_SC_MAC_LEN])
{
    uint8_t full[STSAFE_SC_BLOCK];
    mbedtls_cipher_context_t ctx;
    mbedtls_cipher_init(&ctx);
    int rc = mbedtls_cipher_setup(&ctx, mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_128_ECB));
    if (!rc)
        rc = mbedtls_cipher_cmac_starts(&ctx, key, (size_t)8 * STSAFE_SC_KEY_LEN);
    for (size_t i = 0; !rc && i < nparts; i++)
        if (parts[i].n)
            rc = mbedtls_cipher_cmac_update(&ctx, parts[i].p, parts[i].n);
    if (!rc)
        rc = mbedtls_cipher_cmac_finish(&ctx, full);
    mbedtls_cipher_free(&ctx);
    if (rc)
        return STSAFE_ERR_CRYPTO;
    memcpy(mac, full, STSAFE_SC_MAC_LEN);
    return 0;
}

int stsafe_sc_cmac(const uint8_t mac_key[STSAFE_SC_KEY_LEN], uint32_t counter, uint8_t header,
                   const uint8_t *payload, size_t len, uint8_t mac[STSAFE_SC_MAC_LEN])
{
    uint8_t b0[STSAFE_SC_BLOCK], head[4];
    if (!mac_key || !mac || (len && !payload) || len > 0xFFFF)
        return STSAFE_ERR_BAD_INPUT;
    counter_block(counter, SUBJECT_CMAC, b0);
    head[0] = 0x00;
    head[1] = header;
    put_len16(head + 2, len);
    const chunk parts[] = {{b0, sizeof b0}, {head, sizeof head}, {payload, len}};
    return cmac4(mac_key, parts, 3, mac);
}

int stsafe_sc_rmac(const uint8_t mac_key[STSAFE_SC_KEY_LEN], uint32_t counter, uint8_t cmd_header,
                   const uint8_t *cmd_payload, size_t cmd_len, uint8_t rsp_status,
                   const uint8_t *rsp_data, size_t rsp_len, uint8_t mac[STSAFE_SC_MAC_LEN])
{
    uint8_t b0[STSAFE_SC_BLOCK], cmd_head[4], rsp_head[3];
    if (!mac_key || !mac || (cmd_len && !cmd_payload) || (rsp_len && !rsp_data) ||
        cmd_len > 0xFFFF || rsp_len > 0xFFFF)
        return STSAFE_ERR_BAD_INPUT;
    counter_block(counter, SUBJECT_RMAC, b0);
    cmd_head[0] = 0x80;
    cmd_head[1] = cmd_header;
    put_len16(cmd_head + 2, cmd_len);
    rsp_head[0] = rsp_status;
    put_len16(rsp_head + 1, rsp_len);
    const chunk parts[] = {{b0, sizeof b0},          {cmd_head, sizeof cmd_head}, {cmd_payload, cmd_len},
                           {rsp_head, sizeof rsp_head}, {rsp_data, rsp_len}};
    return cmac4(mac_key, parts, 5, mac);
}

size_t stsafe_sc_padded_len(size_t len)
{
    return (len / STSAFE_SC_BLOCK + 1) * STSAFE_SC_BLOCK;
}

/* AES-CBC over whole blocks with the channel's IV for this direction. */
static int cbc(const uint8_t key[STSAFE_SC_KEY_LEN], uint32_t counter, int response, int mode,
               const uint8_t *in, size_t len, uint8_t *out)
{
    uint8_t iv[STSAFE_SC_BLOCK];
    mbedtls_aes_context aes;
    mbedtls_aes_init(&aes);
    counter_block(counter, response ? IV_SUBJECT_RSP : IV_SUBJECT_CMD, iv);
    int rc = mbedtls_aes_setkey_enc(&aes, key, 8 * STSAFE_SC_KEY_LEN);
    if (!rc)
        rc = mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, iv, iv);
    if (!rc && mode == MBEDTLS_AES_DECRYPT)
        rc = mbedtls_aes_setkey_dec(&aes, key, 8 * STSAFE_SC_KEY_LEN);
    if (!rc)
        rc = mbedtls_aes_crypt_cbc(&aes, mode, len, iv, in, out);
    mbedtls_aes_free(&aes);
    return rc ? STSAFE_ERR_CRYPTO : 0;
}

int stsafe_sc_encrypt(const uint8_t cipher_key[STSAFE_SC_KEY_LEN], uint32_t counter, int response,
                      const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t total = stsafe_sc_padded_len(len);
    if (!cipher_key || !out || !out_len || (len && !in))
        return STSAFE_ERR_BAD_INPUT;
    if (total > cap)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    if (len)
        memmove(out, in, len);
    out[len] = 0x80;
    memset(out + len + 1, 0, total - len - 1);
    int err = cbc(cipher_key, counter, response, MBEDTLS_AES_ENCRYPT, out, total, out);
    if (!err)
        *out_len = total;
    return err;
}

/* Length of the data before the 80 00..00 padding, which must start in the
 * last block; 0 when there is none. */
static size_t unpadded_len(const uint8_t *p, size_t len, int *ok)
{
    size_t i = len;
    while (i > 0 && p[i - 1] == 0x00)
        i--;
    *ok = i > 0 && p[i - 1] == 0x80 && len - (i - 1) <= STSAFE_SC_BLOCK;
    return *ok ? i - 1 : 0;
}

int stsafe_sc_decrypt(const uint8_t cipher_key[STSAFE_SC_KEY_LEN], uint32_t counter, int response,
                      const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t plain[1024]; /* more than any A110 frame carries */
    int ok = 0;
    if (!cipher_key || !out_len || (len && !in) || (cap && !out))
        return STSAFE_ERR_BAD_INPUT;
    if (len == 0 || len % STSAFE_SC_BLOCK != 0 || len > sizeof plain)
        return STSAFE_ERR_SC_PADDING;
    int err = cbc(cipher_key, counter, response, MBEDTLS_AES_DECRYPT, in, len, plain);
    size_t n = err ? 0 : unpadded_len(plain, len, &ok);
    if (!err && !ok)
        err = STSAFE_ERR_SC_PADDING;
    if (!err && n > cap)
        err = STSAFE_ERR_BUFFER_TOO_SMALL;
    if (!err) {
        if (n)
            memcpy(out, plain, n);
        *out_len = n;
    }
    memset(plain, 0, sizeof plain);
    return err;
}

int stsafe_sc_mac_equal(const uint8_t a[STSAFE_SC_MAC_LEN], const uint8_t b[STSAFE_SC_MAC_LEN])
{
    return stsafe_equal_ct(a, b, STSAFE_SC_MAC_LEN);
}
