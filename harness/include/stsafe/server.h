/**
 * \file server.h
 * \brief One emulated STSAFE-A110 behind a socket (`stsafe-emu serve`).
 *
 * The server loads a chip image, listens on a unix or TCP socket and
 * serves clients one at a time with the protocol of
 * docs/socket-protocol.md: I2C writes and reads to a 7-bit address, power
 * cycle, statistics. After every request that changed the NVM it saves the
 * image (crash-safely, before answering), and again when it stops. A
 * client that breaks the protocol, stalls in the middle of a request,
 * leaves its answers unread or disconnects is dropped with a logged
 * reason; the server keeps serving.
 *
 * The server forwards bytes to the chip's I2C slave and never looks inside
 * them; the chip model never sees a socket.
 */
#ifndef STSAFE_SERVER_H
#define STSAFE_SERVER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stse_emu/chip.h"
#include "stsafe/rng.h"
#include "stsafe/sock_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_SERVER_FRAME_TIMEOUT_MS 10000u /**< Default time a started request may take to arrive. */
#define STSAFE_SERVER_POLL_TICK_MS     50u    /**< How often a waiting server looks at its stop flag. */
#define STSAFE_SERVER_NACK_ADVANCE_US  1000u  /**< Datasheet timing: virtual time one NACK stands for. */

/** What to serve and how. Only image_path and listen are required. */
typedef struct {
    const char *image_path;     /**< The chip image; loaded at init, saved after changes. */
    const char *listen;         /**< "unix:PATH" or "tcp:HOST:PORT" (port 0: any free port). */
    stse_emu_timing timing;     /**< NONE: answers at once. DATASHEET: the datasheet busy
                                 *   times on a virtual clock that advances 1 ms per NACK
                                 *   given (deterministic, as if the host polled every
                                 *   millisecond). REAL: the same times on the
                                 *   CLOCK_MONOTONIC wall clock. */
    int verbose;                /**< Also log one line per request. */
    FILE *log;                  /**< Where log lines go; NULL: stderr. */
    atomic_int *stop;           /**< Optional: the server stops once this reads non-zero
                                 *   (a signal handler or another thread sets it). */
    uint32_t frame_timeout_ms;  /**< How long a begun request may take to arrive, and an
                                 *   answer to be taken; 0: STSAFE_SERVER_FRAME_TIMEOUT_MS. */
    const uint8_t *seed;        /**< Deterministic random seed (tests), or NULL for OS entropy. */
    size_t seed_len;
} stsafe_server_config;

/** A running server. Holds its chip; set it up where it will stay, do not copy. */
typedef struct {
    stsafe_server_config cfg;
    stsafe_rng rng;
    stse_emu_chip chip;
    stsafe_sock_addr addr;
    char address[160];          /**< The bound address as text (the chosen port filled in). */
    int listen_fd;
    int bound_unix;             /**< The unix socket file is ours to remove. */
    uint64_t virtual_us;        /**< The chip's clock under TIMING_NONE and TIMING_DATASHEET. */
    uint64_t clients;           /**< Connections accepted so far (numbers the log lines). */
} stsafe_server;

/** One connection's protocol state. */
typedef struct {
    int hello_done;             /**< A valid HELLO was answered. */
    uint64_t requests;          /**< Requests answered. */
} stsafe_server_session;

/**
 * \brief Load the image, then bind and listen.
 *
 * A unix socket file left behind by a server that is gone is replaced; a
 * live one, or any other file at PATH, is an error.
 * \param cfg  Copied; the strings it points to must outlive the server.
 * \return 0; STSAFE_ERR_BAD_INPUT (missing or malformed setting); the
 *         errors of stse_emu_image_load(); STSAFE_ERR_CRYPTO (random
 *         source); STSAFE_ERR_IO (socket calls; errno set, EADDRINUSE
 *         when another server listens there).
 *         On error everything is released: do not call stsafe_server_free().
 */
int stsafe_server_init(stsafe_server *s, const stsafe_server_config *cfg);

/**
 * \brief Serve clients one at a time until the stop flag is set, then save
 *        the image.
 * \return 0 when stopped and the image saved; STSAFE_ERR_BAD_INPUT;
 *         the errors of stse_emu_image_save() (errno set).
 */
int stsafe_server_run(stsafe_server *s);

/** \brief Close the socket, remove a unix socket file, wipe the chip. Saves nothing. */
void stsafe_server_free(stsafe_server *s);

/**
 * \brief Answer one request (the body after the length prefix), the core
 *        of the server without any socket: tests and other transports
 *        call it directly.
 * \param sess     The connection's state.
 * \param body     op · arguments.
 * \param len      Its length, from the length prefix: a value outside
 *                 1..STSAFE_SOCK_MAX_BODY is answered ERR_LENGTH (op 0x00)
 *                 without reading \p body.
 * \param ans      Receives the answer body op · status · data
 *                 (STSAFE_SOCK_MAX_BODY bytes always suffice).
 * \param ans_len  Receives its length.
 * \return The answer's status, STSAFE_SOCK_ST_*. A status with bit 7 set
 *         (STSAFE_SOCK_ST_CLOSES) means the connection must be closed;
 *         the data of every status but OK is a reason in ASCII.
 */
uint8_t stsafe_server_handle(stsafe_server *s, stsafe_server_session *sess, const uint8_t *body,
                             size_t len, uint8_t *ans, size_t *ans_len);

/** \brief The chip's clock now, in microseconds, as the timing setting defines it. */
uint64_t stsafe_server_now_us(const stsafe_server *s);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_SERVER_H */
