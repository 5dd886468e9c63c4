/* SPDX-License-Identifier: BSD-3-Clause */
/* The secure channel primitives against an independent computation in
 * this test: the MAC input blocks are laid out here byte by byte from
 * docs/protocol.md and fed to mbedTLS's one-shot CMAC and AES, so a slip
 * in secure_channel.c's layout cannot hide behind itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/aes.h>
#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>

#include "stsafe/protocol/error.h"
#include "stsafe/protocol/secure_channel.h"

/* ST's evaluation host keys (STSELib core/stse_session.c, commented out). */
static const uint8_t mac_key[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                    0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
static const uint8_t cipher_key[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
                                       0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF};

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + 31 * i);
}

static void reference_cmac4(const uint8_t *msg, size_t n, uint8_t out[4])
{
    uint8_t full[16];
    assert_int_equal(mbedtls_cipher_cmac(mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_128_ECB),
                                         mac_key, 128, msg, n, full), 0);
    memcpy(out, full, 4);
}

static void test_cmac_layout(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 1, 4, 15, 16, 17, 499};
    uint8_t payload[512], msg[600], want[4], got[4];
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        size_t n = lens[k];
        uint32_t counter = 0x0A0B0C + (uint32_t)k;
        fill(payload, n, (uint8_t)k);
        /* B0 = counter(3) 00 80 00*11, then M = 00 header len16 payload */
        memset(msg, 0, 16);
        msg[0] = 0x0A, msg[1] = 0x0B, msg[2] = (uint8_t)(0x0C + k), msg[3] = 0x00, msg[4] = 0x80;
        msg[16] = 0x00, msg[17] = 0xF6, msg[18] = (uint8_t)(n >> 8), msg[19] = (uint8_t)n;
        memcpy(msg + 20, payload, n);
        reference_cmac4(msg, 20 + n, want);
        assert_int_equal(stsafe_sc_cmac(mac_key, counter, 0xF6, payload, n, got), 0);
        assert_memory_equal(got, want, 4);
    }
}

static void test_rmac_layout(void **state)
{
    (void)state;
    uint8_t cmd[40], data[70], msg[200], want[4], got[4];
    fill(cmd, sizeof cmd, 1);
    fill(data, sizeof data, 2);
    /* B0' = N+1(3) 40 80 00*11, M' = 80 hdr len16 cmd status len16 data */
    memset(msg, 0, 16);
    msg[0] = 0x00, msg[1] = 0x00, msg[2] = 0x08, msg[3] = 0x40, msg[4] = 0x80;
    size_t n = 16;
    msg[n++] = 0x80;
    msg[n++] = 0xF6;
    msg[n++] = 0;
    msg[n++] = sizeof cmd;
    memcpy(msg + n, cmd, sizeof cmd);
    n += sizeof cmd;
    msg[n++] = 0x40;
    msg[n++] = 0;
    msg[n++] = sizeof data;
    memcpy(msg + n, data, sizeof data);
    n += sizeof data;
    reference_cmac4(msg, n, want);
    assert_int_equal(stsafe_sc_rmac(mac_key, 8, 0xF6, cmd, sizeof cmd, 0x40, data, sizeof data, got), 0);
    assert_memory_equal(got, want, 4);
}

/* Reference AES-CBC with the IV AES(counter 80|C0 80 00..) and 80 00.. padding. */
static size_t reference_encrypt(uint32_t counter, int response, const uint8_t *in, size_t n, uint8_t *out)
{
    uint8_t iv[16] = {(uint8_t)(counter >> 16), (uint8_t)(counter >> 8), (uint8_t)counter,
                      response ? 0xC0 : 0x80, 0x80};
    uint8_t buf[600];
    size_t total = (n / 16 + 1) * 16;
    memcpy(buf, in, n);
    buf[n] = 0x80;
    memset(buf + n + 1, 0, total - n - 1);
    mbedtls_aes_context aes;
    mbedtls_aes_init(&aes);
    assert_int_equal(mbedtls_aes_setkey_enc(&aes, cipher_key, 128), 0);
    assert_int_equal(mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, iv, iv), 0);
    assert_int_equal(mbedtls_aes_crypt_cbc(&aes, MBEDTLS_AES_ENCRYPT, total, iv, buf, out), 0);
    mbedtls_aes_free(&aes);
    return total;
}

static void test_encrypt_both_directions(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 1, 15, 16, 17, 31, 32, 480};
    uint8_t plain[512], want[600], got[600], back[600];
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        for (int response = 0; response <= 1; response++) {
            size_t n = lens[k], gl = 0, bl = 0;
            fill(plain, n, (uint8_t)(k + 7));
            size_t wl = reference_encrypt(0x123456, response, plain, n, want);
            assert_int_equal(stsafe_sc_padded_len(n), wl);
            assert_int_equal(stsafe_sc_encrypt(cipher_key, 0x123456, response, plain, n, got, sizeof got, &gl), 0);
            assert_int_equal(gl, wl);
            assert_memory_equal(got, want, wl);
            assert_int_equal(stsafe_sc_decrypt(cipher_key, 0x123456, response, got, gl, back, sizeof back, &bl), 0);
            assert_int_equal(bl, n);
            if (n)
                assert_memory_equal(back, plain, n);
        }
    }
}

/* Ciphertexts whose plaintext breaks the padding rule are refused. */
static void test_bad_padding(void **state)
{
    (void)state;
    uint8_t plain[48], ct[48], out[64];
    size_t n = 0;
    mbedtls_aes_context aes;
    /* Build raw CBC ciphertexts of chosen plaintexts with the command IV. */
    struct {
        size_t len;
        int pad_at; /* index of the 80 byte, or -1 for none */
    } cases[] = {{16, -1}, {32, 8}, {32, 15}};
    for (size_t k = 0; k < 3; k++) {
        uint8_t iv[16] = {0, 0, 1, 0x80, 0x80};
        memset(plain, 0, sizeof plain);
        if (cases[k].pad_at >= 0)
            plain[cases[k].pad_at] = 0x80; /* 80 in the first block, zeros past a whole block */
        mbedtls_aes_init(&aes);
        assert_int_equal(mbedtls_aes_setkey_enc(&aes, cipher_key, 128), 0);
        assert_int_equal(mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, iv, iv), 0);
        assert_int_equal(mbedtls_aes_crypt_cbc(&aes, MBEDTLS_AES_ENCRYPT, cases[k].len, iv, plain, ct), 0);
        mbedtls_aes_free(&aes);
        assert_int_equal(stsafe_sc_decrypt(cipher_key, 1, 0, ct, cases[k].len, out, sizeof out, &n),
                         STSAFE_ERR_SC_PADDING);
    }
    assert_int_equal(stsafe_sc_decrypt(cipher_key, 1, 0, ct, 0, out, sizeof out, &n), STSAFE_ERR_SC_PADDING);
    assert_int_equal(stsafe_sc_decrypt(cipher_key, 1, 0, ct, 17, out, sizeof out, &n), STSAFE_ERR_SC_PADDING);
}

static void test_mac_equal(void **state)
{
    (void)state;
    static const uint8_t a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 5};
    assert_true(stsafe_sc_mac_equal(a, a));
    assert_false(stsafe_sc_mac_equal(a, b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmac_layout),
        cmocka_unit_test(test_rmac_layout),
        cmocka_unit_test(test_encrypt_both_directions),
        cmocka_unit_test(test_bad_padding),
        cmocka_unit_test(test_mac_equal),
    };
    return cmocka_run_group_tests_name("secure channel", tests, NULL, NULL);
}
