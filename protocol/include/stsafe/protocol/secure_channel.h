/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file secure_channel.h
 * \brief The A110 host secure channel: C-MAC, R-MAC and payload encryption
 *        (docs/protocol.md, "Secure channel"), shared by the chip model and
 *        the host client. Pure functions over mbedTLS AES and CMAC.
 *
 * The A110's channel uses AES-128 host keys and a 24-bit C-MAC counter N
 * kept by the chip (Query 0x17 reports it):
 * - C-MAC: first 4 bytes of CMAC(MAC key, B0 || M), B0 = N (3) || 00 || 80
 *   || zeros, M = 00 || header || len16(payload) || payload;
 * - R-MAC: first 4 bytes of CMAC(MAC key, B0' || M'), B0' = N+1 || 40 || 80
 *   || zeros, M' = 80 || command header || len16 || command payload ||
 *   response status byte as sent || len16(data) || data;
 * - encryption: AES-CBC with the cipher key, IV = AES(N+1 || 80 || 80 ||
 *   zeros) for commands and AES(N+1 || C0 || 80 || zeros) for responses,
 *   padding 80 00..00 (always at least one byte).
 * Payloads in the MACs are what travels on the wire (ciphertext when
 * encrypted), without the MAC itself.
 */
#ifndef STSAFE_SECURE_CHANNEL_H
#define STSAFE_SECURE_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_SC_KEY_LEN       16u        /**< AES-128 host keys on the A110. */
#define STSAFE_SC_MAC_LEN       4u         /**< C-MAC and R-MAC length on the wire. */
#define STSAFE_SC_COUNTER_MAX   0xFFFFFFu  /**< 24-bit counter: no command is MACed with this value. */
#define STSAFE_SC_BLOCK         16u

/** Header bits of a host-protected command (STSELib sets all three). */
#define STSAFE_SC_HDR_FLAGS     0xE0u
/** Status bit set by the chip when an R-MAC ends the response data. */
#define STSAFE_SC_STATUS_RMAC   0x40u

/**
 * \brief The C-MAC of a command.
 * \param counter  The chip's counter N before the command.
 * \param header   The header byte as sent (flags included).
 * \param payload  The payload as sent, without the C-MAC.
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_CRYPTO.
 */
int stsafe_sc_cmac(const uint8_t mac_key[STSAFE_SC_KEY_LEN], uint32_t counter, uint8_t header,
                   const uint8_t *payload, size_t len, uint8_t mac[STSAFE_SC_MAC_LEN]);

/**
 * \brief The R-MAC of a response.
 * \param counter     N + 1 (the counter after the command).
 * \param rsp_status  The status byte exactly as sent (R-MAC bit included).
 * \param rsp_data    The response data as sent, without the R-MAC.
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_CRYPTO.
 */
int stsafe_sc_rmac(const uint8_t mac_key[STSAFE_SC_KEY_LEN], uint32_t counter, uint8_t cmd_header,
                   const uint8_t *cmd_payload, size_t cmd_len, uint8_t rsp_status,
                   const uint8_t *rsp_data, size_t rsp_len, uint8_t mac[STSAFE_SC_MAC_LEN]);

/** \brief Ciphertext length of \p len plaintext bytes: the next multiple of 16 above \p len. */
size_t stsafe_sc_padded_len(size_t len);

/**
 * \brief Encrypt a command payload (\p response 0) or response data (1).
 * \param counter  N + 1.
 * \param out      Receives stsafe_sc_padded_len(len) bytes; may not overlap \p in.
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_BUFFER_TOO_SMALL; STSAFE_ERR_CRYPTO.
 */
int stsafe_sc_encrypt(const uint8_t cipher_key[STSAFE_SC_KEY_LEN], uint32_t counter, int response,
                      const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/**
 * \brief Decrypt and strip the padding.
 * \param out  Receives at most len - 1 bytes; may not overlap \p in.
 * \return 0; STSAFE_ERR_SC_PADDING (length not a positive multiple of 16,
 *         or no 80 00..00 padding in the last block); STSAFE_ERR_BAD_INPUT;
 *         STSAFE_ERR_BUFFER_TOO_SMALL; STSAFE_ERR_CRYPTO.
 */
int stsafe_sc_decrypt(const uint8_t cipher_key[STSAFE_SC_KEY_LEN], uint32_t counter, int response,
                      const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/** \brief Constant-time comparison of two MACs: 1 when equal. */
int stsafe_sc_mac_equal(const uint8_t a[STSAFE_SC_MAC_LEN], const uint8_t b[STSAFE_SC_MAC_LEN]);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_SECURE_CHANNEL_H */
