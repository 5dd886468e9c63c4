/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file keywrap.h
 * \brief AES key wrap (RFC 3394) for the local envelopes; the packaged
 *        mbedTLS is built without MBEDTLS_NIST_KW_C.
 */
#ifndef STSAFE_EMU_KEYWRAP_H
#define STSAFE_EMU_KEYWRAP_H

#include <stddef.h>
#include <stdint.h>

/**
 * Wrap \p n bytes (a multiple of 8, at least 16) into \p n + 8 bytes at \p out.
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_CRYPTO.
 */
int stsafe_emu_kw_wrap(const uint8_t *key, size_t key_len, const uint8_t *in, size_t n, uint8_t *out);

/**
 * Unwrap \p n bytes (a multiple of 8, at least 24) into \p n - 8 bytes at \p out.
 * \return 0; STSAFE_ERR_CODEC_VALUE when the integrity check fails (out is
 *         zeroed); STSAFE_ERR_BAD_INPUT; STSAFE_ERR_CRYPTO.
 */
int stsafe_emu_kw_unwrap(const uint8_t *key, size_t key_len, const uint8_t *in, size_t n, uint8_t *out);

#endif
