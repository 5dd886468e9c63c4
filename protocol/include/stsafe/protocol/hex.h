/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file hex.h
 * \brief Hex text to bytes and back, for tools, traces and test vectors.
 */
#ifndef STSAFE_HEX_H
#define STSAFE_HEX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** \brief The value of one hex digit (either case), or -1 for any other character. */
int stsafe_hex_digit(char c);

/**
 * \brief Parse hex digits into bytes. Spaces, tabs and ':' between byte
 *        pairs are skipped; an optional "0x" prefix is accepted.
 * \param text     NUL-terminated text.
 * \param out      Output buffer (may be NULL when \p cap is 0).
 * \param cap      Its capacity.
 * \param out_len  Receives the number of bytes.
 * \return 0; STSAFE_ERR_CODEC_VALUE for a non-hex character or an odd digit
 *         count; STSAFE_ERR_BUFFER_TOO_SMALL.
 */
int stsafe_hex_decode(const char *text, uint8_t *out, size_t cap, size_t *out_len);

/**
 * \brief Write \p len bytes as lower-case hex with no separators.
 * \param out  Receives 2 * len characters and a NUL; \p cap must be at least 2 * len + 1.
 * \return 0; STSAFE_ERR_BUFFER_TOO_SMALL.
 */
int stsafe_hex_encode(const uint8_t *data, size_t len, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_HEX_H */
