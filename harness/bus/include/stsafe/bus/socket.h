/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file bus_socket.h
 * \brief A bus backend that reaches a chip served by `stsafe-emu serve`
 *        over a unix or TCP socket (docs/socket-protocol.md).
 *
 * Each I2C message becomes one request and one answer; a combined
 * transfer runs its messages in turn and stops at the first NACK (the
 * emulated chip has no use for repeated starts). The bus's command
 * operation (bus.h) sends a whole command frame as one COMMAND request
 * (protocol version 3) and gets the whole response frame back: one round
 * trip per command instead of three or more. It declines
 * (STSAFE_ERR_UNSUPPORTED) on an older server or a device that does not
 * offer it, and the host client then falls back to I2C messages. delay_ms sleeps for real:
 * the server's clock is its own. Beside the bus operations the backend
 * offers the server's control operations: power cycle, statistics,
 * fault injection, snapshots and restores of the chip's whole state, and
 * the choice of a chip on a server that holds several (a fleet).
 *
 * A server that answers an error, breaks the protocol or goes away leaves
 * the backend disconnected: every later call returns STSAFE_ERR_BUS_IO.
 */
#ifndef STSAFE_BUS_SOCKET_H
#define STSAFE_BUS_SOCKET_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/bus/bus.h"
#include "stsafe/bus/sock_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How long a connect waits for the server to take it (docs/socket-protocol.md,
 *  "Transport": a one-chip server serves one client at a time, the others
 *  wait, connected, for their HELLO answer). */
typedef struct {
    uint32_t notice_ms;         /**< After this long without an answer to HELLO, call
                                 *   on_wait once (0: never). */
    uint32_t give_up_ms;        /**< Then give up at this long: STSAFE_ERR_BUS_TIMEOUT
                                 *   (0: wait for ever). */
    void (*on_wait)(void *ctx); /**< "Another client holds the chip": say so. May be NULL. */
    void *ctx;
} stsafe_sock_wait;

typedef struct {
    int fd;                     /**< -1 when not connected. */
    uint8_t version;            /**< Protocol version agreed by HELLO (1 to 3). */
    uint8_t i2c_address;        /**< The chip's 7-bit address when HELLO or SELECT was answered. */
    uint16_t chip;              /**< The chip selected (0 until stsafe_bus_socket_select()). */
    uint16_t chips;             /**< Chips the server has, as SELECT said (0: not asked). */
    uint8_t timing;             /**< STSAFE_SOCK_TIMING_* the server runs with. */
    uint16_t max_data;          /**< Most bytes one write or read may carry. */
    uint8_t last_status;        /**< STSAFE_SOCK_ST_* of the answer to the last request
                                 *   (OK when it got none: the stream failed first). */
    uint64_t requests;          /**< Requests answered since the connection opened. */
    const stsafe_sock_wait *wait; /**< During a connect only: how to wait for HELLO. */
    uint8_t no_command;         /**< The device answered COMMAND UNSUPPORTED: the bus's
                                 *   command operation declines from now on (until a SELECT). */
    uint8_t msg[STSAFE_SOCK_MAX_MSG];
} stsafe_bus_socket;

/** \brief A backend that is not connected yet. */
void stsafe_bus_socket_init(stsafe_bus_socket *s);

/**
 * \brief Connect to a server, say HELLO, and wire \p bus to it.
 * \param address  "unix:PATH" or "tcp:HOST:PORT".
 * \return 0; STSAFE_ERR_BAD_INPUT (malformed address); STSAFE_ERR_IO
 *         (the connection failed, errno set); STSAFE_ERR_BUS_IO (the peer
 *         does not answer HELLO as the protocol says).
 */
int stsafe_bus_socket_connect(stsafe_bus_socket *s, stsafe_bus *bus, const char *address);

/**
 * \brief As stsafe_bus_socket_connect(), waiting for the server as \p w says.
 * \return as stsafe_bus_socket_connect(), and STSAFE_ERR_BUS_TIMEOUT when the
 *         server did not answer HELLO within \p w->give_up_ms.
 */
int stsafe_bus_socket_connect_wait(stsafe_bus_socket *s, stsafe_bus *bus, const char *address,
                                   const stsafe_sock_wait *w);

/**
 * \brief Send one request and receive its answer (the generic primitive).
 * \param op        STSAFE_SOCK_OP_*.
 * \param data      Receives the answer data (may be NULL when \p cap is 0).
 * \param data_len  Receives its length (may be NULL).
 * \return 0 (status OK); STSAFE_ERR_BUS_NACK; STSAFE_ERR_UNSUPPORTED;
 *         STSAFE_ERR_BUS_IO (socket failure, an answer that breaks the
 *         protocol, FAILED, or an error status, after which the backend is
 *         disconnected); STSAFE_ERR_BUFFER_TOO_SMALL (answer data over \p cap);
 *         STSAFE_ERR_BAD_INPUT. last_status holds the answer's status.
 */
int stsafe_bus_socket_request(stsafe_bus_socket *s, uint8_t op, const uint8_t *args, size_t len,
                              uint8_t *data, size_t cap, size_t *data_len);

/**
 * \brief Talk to chip \p index of the server from now on (SELECT, protocol
 *        version 2): each connection is a bus with one chip on it, chip 0
 *        until this is called. Bus operations, power cycle and statistics
 *        then reach that chip. A client (stsafe_client) must use the new
 *        address: s->i2c_address.
 * \param index    0 .. the server's chips - 1.
 * \param address  Receives the chip's 7-bit I2C address (may be NULL).
 * \return 0 (s->chip, s->chips and s->i2c_address updated);
 *         STSAFE_ERR_UNSUPPORTED (the server speaks version 1: it has one
 *         chip; nothing was sent); STSAFE_ERR_BAD_INPUT (the server has no
 *         chip \p index: it answered ERR_ARGS and closed the connection);
 *         the errors of stsafe_bus_socket_request().
 */
int stsafe_bus_socket_select(stsafe_bus_socket *s, uint16_t index, uint8_t *address);

/**
 * \brief Power-cycle the served chip: its volatile state is lost, the NVM kept.
 * \return 0; the errors of stsafe_bus_socket_request().
 */
int stsafe_bus_socket_power_cycle(stsafe_bus_socket *s);

/**
 * \brief The served chip's counters since the server started.
 * \return 0; the errors of stsafe_bus_socket_request().
 */
int stsafe_bus_socket_stats(stsafe_bus_socket *s, stsafe_sock_stats *out);

/**
 * \brief Arm faults on the selected chip of the server (FAULT): the spec
 *        syntax of docs/faults.md. The bus faults (nack, flip, drop,
 *        truncate) then spoil what every client of that chip reads; the
 *        chip faults (brownout, reset) fire in the chip. Each fault that
 *        fires is logged by the server.
 * \param spec    e.g. "nack=3" or "brownout,flip=5:0": 1 to
 *                STSAFE_SOCK_MAX_FAULT_SPEC printable characters.
 * \param reason  Receives the server's reason when it refuses
 *                (NUL-terminated, cut to \p cap); may be NULL.
 * \return 0 (armed); STSAFE_ERR_UNSUPPORTED (the server's device does not
 *         offer faults, or the spec holds one it cannot do, such as
 *         latency: nothing armed, the connection stays usable);
 *         STSAFE_ERR_BAD_INPUT (an empty or over-long spec: nothing sent;
 *         or the server refused it as malformed, answered ERR_ARGS and
 *         closed the connection); the errors of stsafe_bus_socket_request().
 */
int stsafe_bus_socket_fault(stsafe_bus_socket *s, const char *spec, char *reason, size_t cap);

/**
 * \brief The whole state of the selected chip (SNAPSHOT, protocol version
 *        3), read in chunks of STSAFE_SOCK_SNAPSHOT_CHUNK bytes: the server
 *        takes the snapshot at the first request, so the chunks are all of
 *        one state. The bytes are those of stsafe_emu_snapshot_save()
 *        (stsafe/emulator/snapshot.h): they hold the chip's keys and seed.
 * \param buf  Receives the snapshot (STSAFE_EMU_SNAPSHOT_MAX_SIZE suffices).
 * \param len  Receives its length (also when \p cap is too small).
 * \return 0; STSAFE_ERR_UNSUPPORTED (the server speaks version 1 or 2:
 *         nothing was sent; or its device does not offer snapshots);
 *         STSAFE_ERR_BUFFER_TOO_SMALL; STSAFE_ERR_BAD_INPUT; the errors of
 *         stsafe_bus_socket_request() (an answer that breaks the chunking
 *         disconnects: STSAFE_ERR_BUS_IO).
 */
int stsafe_bus_socket_snapshot(stsafe_bus_socket *s, uint8_t *buf, size_t cap, size_t *len);

/**
 * \brief Make the selected chip the chip of snapshot \p buf (RESTORE,
 *        protocol version 3), sent in chunks of STSAFE_SOCK_SNAPSHOT_CHUNK
 *        bytes. The server applies it with the last chunk, after the
 *        snapshot's own checks, and saves the chip's image before it
 *        answers: 0 means the restored chip is on disk. A snapshot that is
 *        refused (damaged, truncated, of another format), or a connection
 *        cut before the last chunk, changes nothing.
 * \param len  1..STSAFE_SOCK_SNAPSHOT_MAX bytes.
 * \return 0; STSAFE_ERR_UNSUPPORTED (version 1 or 2: nothing sent; or the
 *         device does not offer restores); STSAFE_ERR_BAD_INPUT (an empty or
 *         over-long snapshot: nothing sent); STSAFE_ERR_BUS_IO with
 *         last_status STSAFE_SOCK_ST_FAILED: the server refused the snapshot
 *         or could not save the image (nothing changed;
 *         stsafe_bus_socket_last_reason() says why; the connection stays
 *         usable); the other errors of stsafe_bus_socket_request().
 */
int stsafe_bus_socket_restore(stsafe_bus_socket *s, const uint8_t *buf, size_t len);

/**
 * \brief The reason the server gave with its last answer, when that answer
 *        refused the request (UNSUPPORTED, FAILED, or an error status that
 *        closed the connection): e.g. why a recorded device failed.
 * \param out  Receives the text, NUL-terminated, cut to \p cap; empty when
 *             the last answer was OK or NACK, or no request was answered.
 */
void stsafe_bus_socket_last_reason(const stsafe_bus_socket *s, char *out, size_t cap);

/** \brief Close the connection. */
void stsafe_bus_socket_free(stsafe_bus_socket *s);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_BUS_SOCKET_H */
