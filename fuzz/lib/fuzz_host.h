/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file fuzz_host.h
 * \brief The host client under attack: every client command with fixed
 *        arguments, each call checked against the client's contract
 *        (fuzz_host_response, and the corpus generator that records the
 *        real chip's answers to the same calls).
 *
 * The contract (client.h): a call returns 0 or a documented error code; a
 * chip status comes back as STSAFE_ERR_STATUS(s) with last_status = s; on
 * success last_status is OK and the outputs hold decoded data within their
 * bounds (lengths, counts); when the answer was refused before decoding
 * (bus, frame, status, R-MAC, buffer errors) the outputs are untouched.
 * Out-of-bounds accesses are left to the sanitizers: every output buffer
 * is a heap block of the exact size.
 */
#ifndef STSE_FUZZ_HOST_H
#define STSE_FUZZ_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/client/client.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Mode bits: the second byte of a fuzz_host_response input. */
#define FUZZ_HOST_PER_READ 0x01u  /**< A new response for every read transaction (fuzz_bus.h). */
#define FUZZ_HOST_SESSION  0x02u  /**< Open the host session first (its two queries take responses too). */
#define FUZZ_HOST_NO_RMAC  0x04u  /**< ... with R-MAC checking off (the client's fault-test switch). */
#define FUZZ_HOST_MAC_ALL  0x08u  /**< ... MACing the free commands too. */

/** The commands, in the order of the first input byte (taken modulo FUZZ_HOST_CMD_COUNT). */
typedef enum {
    FUZZ_HOST_ECHO, FUZZ_HOST_RESET, FUZZ_HOST_RANDOM, FUZZ_HOST_READ, FUZZ_HOST_UPDATE,
    FUZZ_HOST_DECREMENT, FUZZ_HOST_QUERY_RAW, FUZZ_HOST_QUERY_PRODUCT, FUZZ_HOST_QUERY_PARTITION,
    FUZZ_HOST_QUERY_LIFE_CYCLE, FUZZ_HOST_QUERY_KEY_TABLE, FUZZ_HOST_QUERY_HOST_KEYS,
    FUZZ_HOST_QUERY_CMD_AUTH, FUZZ_HOST_QUERY_I2C, FUZZ_HOST_QUERY_PASSWORD, FUZZ_HOST_QUERY_ENVELOPE,
    FUZZ_HOST_GENKEY_SLOT1, FUZZ_HOST_GENKEY_EPHEMERAL, FUZZ_HOST_SIGN, FUZZ_HOST_VERIFY,
    FUZZ_HOST_ESTABLISH_KEY, FUZZ_HOST_GENKEY_ENVELOPE, FUZZ_HOST_WRAP, FUZZ_HOST_UNWRAP,
    FUZZ_HOST_PUT_HOST_KEYS, FUZZ_HOST_PUT_PASSWORD, FUZZ_HOST_PUT_LIFE_CYCLE, FUZZ_HOST_PUT_I2C,
    FUZZ_HOST_VERIFY_PASSWORD, FUZZ_HOST_DELETE_PASSWORD, FUZZ_HOST_HIBERNATE, FUZZ_HOST_TRANSCEIVE,
    FUZZ_HOST_OPEN_SESSION, FUZZ_HOST_PROTECTED_ECHO,
    FUZZ_HOST_CMD_COUNT
} fuzz_host_cmd;

/** Host keys of the session: ST's evaluation keys, as in vectors/frames/secure-channel.txt. */
extern const uint8_t fuzz_host_mac_key[16];
extern const uint8_t fuzz_host_cipher_key[16];
/** The password the password commands use ("stsafe-emu pwd!!", vectors/frames/keys.txt). */
extern const uint8_t fuzz_host_password[16];

/** A client and the storage of the session it may open. Do not copy. */
typedef struct {
    stsafe_client client;
    stsafe_host_session session;
} fuzz_host;

/** \brief A client on \p bus at the default address, with \p max_polls tries per NACK. */
void fuzz_host_init(fuzz_host *h, const stsafe_bus *bus, uint32_t max_polls);

/** \brief The command's name ("echo", "sign", ...), or "?" past the table. */
const char *fuzz_host_cmd_name(size_t index);

/**
 * \brief With FUZZ_HOST_SESSION in \p mode, open the host session with the
 *        keys above (and apply NO_RMAC and MAC_ALL); checked like a command.
 * \return The client's return; 0 without FUZZ_HOST_SESSION.
 */
int fuzz_host_open(fuzz_host *h, uint8_t mode);

/**
 * \brief Run command \p index (below FUZZ_HOST_CMD_COUNT) and assert the
 *        contract on what it returns.
 * \return The client's return.
 */
int fuzz_host_cmd_run(fuzz_host *h, size_t index);

/** \brief 1 when \p err is something the client may return to an answer it got (see above). */
int fuzz_host_code_ok(const stsafe_client *c, int err);

#ifdef __cplusplus
}
#endif

#endif /* STSE_FUZZ_HOST_H */
