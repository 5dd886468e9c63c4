/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file client.h
 * \brief The host client library: one function per STSAFE-A110 command.
 *
 * A client sends frames over any stsafe_bus and reads the answers as
 * STSELib does (facts page, section 1): it writes the whole frame (retrying
 * while the chip NACKs), polls with a short read of 5 bytes until the chip
 * answers, then reads the whole response again from its first byte.
 * On a bus that runs a whole command in one exchange (a socket to
 * `stsafe-emu serve`, protocol version 3) it sends each command that way
 * unless \c i2c_level is set: the server then does the writing, waiting
 * and reading, and no NACK reaches the client.
 *
 * Every function returns 0 or a negative STSAFE_ERR_* code. A chip status
 * other than OK comes back as STSAFE_ERR_STATUS(status) (see error.h) and
 * is kept in \c last_status; a response whose CRC is wrong is
 * STSAFE_ERR_FRAME_CRC and its bytes are never handed out as data.
 */
#ifndef STSAFE_CLIENT_H
#define STSAFE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/bus/bus.h"
#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/codec_ecc.h"
#include "stsafe/protocol/commands.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_CLIENT_POLL_INTERVAL_MS 1u     /**< Wait between two NACKed tries. */
#define STSAFE_CLIENT_MAX_POLLS        1000u  /**< Tries before STSAFE_ERR_BUS_TIMEOUT. */
#define STSAFE_CLIENT_NO_STATUS        0xFFu  /**< last_status when no response was decoded. */

/** The host side of the A110 secure channel (docs/protocol.md, "Secure channel"). */
typedef struct {
    uint8_t mac_key[16];
    uint8_t cipher_key[16];
    uint32_t counter;           /**< The host's copy of the chip's C-MAC counter N. */
    int check_rmac;             /**< 1 (default): verify every R-MAC. 0 only for fault tests. */
} stsafe_host_session;

/** How the client sends each command code once a session is open. */
typedef struct {
    uint8_t loaded;             /**< The table was read from the chip (Query 0x24). */
    uint8_t ac[32];             /**< stsafe_cmd_ac per command code. */
    uint8_t enc[32];            /**< STSAFE_CMD_ENC_* per command code. */
} stsafe_cmd_protection;

typedef struct {
    const stsafe_bus *bus;
    uint16_t addr;              /**< 7-bit I2C address of the chip. */
    stsafe_host_session *session; /**< Open host session, or NULL. */
    int mac_all;                /**< With a session: MAC every command the table leaves free too
                                 *   (zones whose access condition is HOST need it, as STSELib's
                                 *   per-call protection argument does). */
    stsafe_cmd_protection protection;
    size_t max_frame;           /**< Largest frame in either direction (A110: 507). */
    uint32_t poll_interval_ms;
    uint32_t max_polls;
    uint8_t last_status;        /**< Status of the last response, or STSAFE_CLIENT_NO_STATUS. */
    uint64_t nacks;             /**< NACKs met so far (for traces and tests). */
    int i2c_level;              /**< 1: always write, poll and read as separate I2C messages,
                                 *   even on a bus that runs a whole command in one exchange
                                 *   (bus.h, command; the socket's COMMAND): every NACK of a
                                 *   busy chip then reaches this client, as on a real bus.
                                 *   0 (default): use the bus's command operation when it
                                 *   has one. */
    uint8_t frame[STSAFE_A110_MAX_FRAME_LEN];
} stsafe_client;

/** \brief Set up a client on \p bus for the chip at \p addr, with A110 limits. */
void stsafe_client_init(stsafe_client *c, const stsafe_bus *bus, uint16_t addr);
void stsafe_client_free(stsafe_client *c);

/**
 * \brief Send one command and receive its response (the generic primitive).
 * \param header    Command code and protection flags.
 * \param rsp_data  Receives the response data (may be NULL when \p rsp_cap is 0).
 * \param rsp_len   Receives the data length; NULL when no data is expected
 *                  (data then is an error: STSAFE_ERR_CODEC_TRAILING).
 * \return 0; STSAFE_ERR_STATUS(s); STSAFE_ERR_FRAME_CRC; STSAFE_ERR_FRAME_LENGTH;
 *         STSAFE_ERR_FRAME_TOO_LONG; STSAFE_ERR_BUS_TIMEOUT; STSAFE_ERR_BUS_IO;
 *         STSAFE_ERR_BUFFER_TOO_SMALL.
 */
int stsafe_client_transceive(stsafe_client *c, uint8_t header, const uint8_t *payload,
                             size_t payload_len, uint8_t *rsp_data, size_t rsp_cap,
                             size_t *rsp_len);

/** \brief Echo: the chip sends \p msg back; \p out receives it (\p len bytes). */
int stsafe_client_echo(stsafe_client *c, const uint8_t *msg, size_t len, uint8_t *out);

/** \brief Reset the chip's volatile context. */
int stsafe_client_reset(stsafe_client *c);

/** \brief Generate Random: \p len (1..255) random bytes into \p out. */
int stsafe_client_random(stsafe_client *c, uint8_t len, uint8_t *out);

/**
 * \brief Read \p len bytes of zone \p zone at \p offset into \p out.
 * \param option  0, or an access-condition change (STSAFE_OPT_*).
 */
int stsafe_client_read(stsafe_client *c, uint8_t option, uint8_t zone, uint16_t offset,
                       uint16_t len, uint8_t *out);

/**
 * \brief Read a counter zone: its one-way counter, then \p len bytes of its
 *        data at \p offset (the chip answers both; stsafe_client_read() on a
 *        counter zone fails with STSAFE_ERR_BUFFER_TOO_SMALL).
 */
int stsafe_client_read_counter(stsafe_client *c, uint8_t option, uint8_t zone, uint16_t offset,
                               uint16_t len, uint32_t *counter, uint8_t *out);

/** \brief Update zone \p zone at \p offset with \p len bytes of \p data. */
int stsafe_client_update(stsafe_client *c, uint8_t option, uint8_t zone, uint16_t offset,
                         const uint8_t *data, size_t len);

/**
 * \brief Decrement the counter of counter zone \p zone by \p amount, writing
 *        \p len bytes of \p data (may be 0) at \p offset of its data.
 * \param new_counter  Receives the counter after the decrement.
 */
int stsafe_client_decrement(stsafe_client *c, uint8_t option, uint8_t zone, uint16_t offset,
                            uint32_t amount, const uint8_t *data, size_t len,
                            uint32_t *new_counter);

/** \brief Query with any tag; the raw response data into \p out. */
int stsafe_client_query_raw(stsafe_client *c, uint8_t tag, uint8_t *out, size_t cap,
                            size_t *out_len);

/* Typed queries: the response decoded by the codecs of stsafe/codec.h. */
int stsafe_client_query_product_data(stsafe_client *c, stsafe_product_data *out);
int stsafe_client_query_partition(stsafe_client *c, stsafe_partition_info *out);
int stsafe_client_query_life_cycle(stsafe_client *c, uint8_t *state);
int stsafe_client_query_key_table(stsafe_client *c, stsafe_key_table *out);
int stsafe_client_query_host_key_slot(stsafe_client *c, stsafe_host_key_info *out);
int stsafe_client_query_cmd_auth(stsafe_client *c, stsafe_cmd_auth_info *out);
int stsafe_client_query_i2c_params(stsafe_client *c, stsafe_i2c_info *out);
int stsafe_client_query_password(stsafe_client *c, stsafe_password_info *out);
int stsafe_client_query_envelope_keys(stsafe_client *c, stsafe_envelope_key_table *out);

/* ---- private key commands ---------------------------------------------------- */

/**
 * \brief Generate Key: a new key pair on \p curve in \p slot (1, or 0xFF
 *        for the ephemeral slot); \p pub receives its public point.
 * \param usage_limit  Signatures allowed (1..0xFFFE), or 0xFFFF for no limit.
 */
int stsafe_client_generate_key(stsafe_client *c, uint8_t slot, uint8_t curve, uint16_t usage_limit,
                               stsafe_ecc_point *pub);

/** \brief Generate Signature over a 32- or 48-byte digest with the key of \p slot. */
int stsafe_client_sign(stsafe_client *c, uint8_t slot, const uint8_t *digest, size_t digest_len,
                       stsafe_ecc_signature *sig);

/**
 * \brief Verify Signature (ECDSA, host-supplied key).
 * \param valid  Receives 1 when the chip accepted the signature, 0 otherwise.
 */
int stsafe_client_verify(stsafe_client *c, uint8_t curve, const stsafe_ecc_point *key,
                         const stsafe_ecc_signature *sig, const uint8_t *digest, size_t digest_len,
                         int *valid);

/**
 * \brief Establish Key: ECDH of \p slot's key with \p peer.
 * \param secret  Receives the shared secret (the curve's size, at most 48 bytes).
 */
int stsafe_client_establish_key(stsafe_client *c, uint8_t slot, const stsafe_ecc_point *peer,
                                uint8_t *secret, size_t *secret_len);

/* ---- local envelopes ------------------------------------------------------------ */

/** \brief Generate Key, tag 0x07: an AES key (len_sel 0: 128, 1: 256 bits) in envelope slot 0 or 1. */
int stsafe_client_generate_envelope_key(stsafe_client *c, uint8_t slot, uint8_t len_sel);

/**
 * \brief Wrap Local Envelope: \p len bytes (16..480, a multiple of 8) into
 *        an envelope of len + 8 bytes at \p env.
 */
int stsafe_client_wrap(stsafe_client *c, uint8_t slot, const uint8_t *data, size_t len,
                       uint8_t *env, size_t *env_len);

/** \brief Unwrap Local Envelope: an envelope of \p len bytes back into len - 8 bytes of data. */
int stsafe_client_unwrap(stsafe_client *c, uint8_t slot, const uint8_t *env, size_t len,
                         uint8_t *data, size_t *data_len);

/* ---- host secure channel (client_session.c) ------------------------------------ */

/**
 * \brief Open the host secure channel: read the chip's C-MAC counter (Query
 *        0x17) and command table (Query 0x24), then protect every command
 *        the table asks for, as STSELib's stsafea_frame_transfer does: a
 *        command with encryption flags is encrypted (and MACed), one whose
 *        access condition is not FREE is MACed; Query, Put Attribute, Reset,
 *        Hibernate and Delete always go in the clear. Every MACed command
 *        asks for an R-MAC, and the client checks it.
 * \param s  Caller-owned; must outlive the session. Holds the keys.
 * \return 0; STSAFE_ERR_SC_NO_KEYS (the chip has no host keys); a bus,
 *         frame or status error of the queries.
 */
int stsafe_client_open_host_session(stsafe_client *c, stsafe_host_session *s,
                                    const uint8_t mac_key[16], const uint8_t cipher_key[16]);

/** \brief Stop protecting commands and wipe the session's keys. */
void stsafe_client_close_host_session(stsafe_client *c);

/**
 * \brief Send one command through the open session, MACed (header code |
 *        0xE0), its payload encrypted when \p enc has STSAFE_CMD_ENC_CMD and
 *        the response data decrypted when it has STSAFE_CMD_ENC_RSP.
 * \return as stsafe_client_transceive(), and STSAFE_ERR_SC_RMAC (R-MAC
 *         missing or wrong), STSAFE_ERR_SC_PADDING, STSAFE_ERR_SC_COUNTER,
 *         STSAFE_ERR_BAD_INPUT (no session).
 */
int stsafe_client_transceive_protected(stsafe_client *c, uint8_t code, uint8_t enc,
                                       const uint8_t *payload, size_t payload_len,
                                       uint8_t *rsp_data, size_t rsp_cap, size_t *rsp_len);

/* ---- attributes, password, power (client_admin.c) ------------------------------ */

/**
 * \brief Put Attribute: \p tag followed by \p len bytes of value; status only.
 *        The typed functions below build the values docs/protocol.md lists.
 *        With a host session open, tags 0x29 and 0x2A (the command table)
 *        go MACed: the chip requires it once host keys are set.
 * \return 0; STSAFE_ERR_STATUS(s) when the chip refused; a bus or frame error.
 */
int stsafe_client_put_attribute(stsafe_client *c, uint8_t tag, const uint8_t *value, size_t len);

/** \brief Host secure channel keys (tag 0x17): 16-byte MAC key then 16-byte cipher key; once only. */
int stsafe_client_put_host_keys(stsafe_client *c, const uint8_t mac_key[16], const uint8_t cipher_key[16]);

/** \brief Password slot (tag 0x09): a 16-byte password allowed \p max_tries wrong tries (1..255). */
int stsafe_client_put_password(stsafe_client *c, const uint8_t password[16], uint8_t max_tries);

/** \brief Life-cycle state (tag 0x08), e.g. 0x83 to lock after stsafe_client_verify_password(). */
int stsafe_client_put_life_cycle(stsafe_client *c, uint8_t state);

/** \brief I2C parameters (tag 0x0A); the new address answers from the next power cycle. */
int stsafe_client_put_i2c_params(stsafe_client *c, const stsafe_i2c_info *params);

/**
 * \brief Verify Password.
 * \param verified    Receives 1 when the chip accepted the password.
 * \param tries_left  Receives the tries left (the maximum again after a success).
 * \return 0 (whether or not the password was right); STSAFE_ERR_STATUS(0x1A) when blocked.
 */
int stsafe_client_verify_password(stsafe_client *c, const uint8_t password[16], int *verified,
                                  uint8_t *tries_left);

/** \brief Delete (tag 0x09): empty the password slot; needs the password verified first. */
int stsafe_client_delete_password(stsafe_client *c);

/**
 * \brief Hibernate. \p mode is STSAFE_WAKE_ON_I2C_OR_RESET or STSAFE_WAKE_ON_RESET.
 *        The next command wakes the chip in the first mode (the client's NACK
 *        polling covers the wake-up); only a reset does in the second.
 */
int stsafe_client_hibernate(stsafe_client *c, uint8_t mode);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_CLIENT_H */
