/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file sock_proto.h
 * \brief The socket protocol of `stsafe-emu serve` (docs/socket-protocol.md):
 *        its constants, and the socket plumbing both ends share.
 *
 * Every message, in both directions, is a 4-byte big-endian length and
 * that many bytes of body. A request body is an operation code and its
 * arguments; an answer body repeats the code, adds a status byte, then
 * data. The server (server.h) and the client bus backend (bus_socket.h)
 * both build on this header; it knows no command of the chip.
 */
#ifndef STSAFE_SOCK_PROTO_H
#define STSAFE_SOCK_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_SOCK_VERSION     3u      /**< The protocol version this build speaks (2: SELECT, 3: COMMAND, SNAPSHOT, RESTORE). */
#define STSAFE_SOCK_MAGIC       "STSE"  /**< First argument of HELLO. */
#define STSAFE_SOCK_MAGIC_LEN   4u
#define STSAFE_SOCK_LEN_SIZE    4u      /**< The length prefix of every message. */
#define STSAFE_SOCK_MAX_DATA    1024u   /**< Most I2C bytes one write carries or one read asks. */
#define STSAFE_SOCK_MAX_FAULT_SPEC 255u   /**< Longest fault spec FAULT carries (docs/faults.md syntax). */
/** Largest body in either direction: op, address or status, data. */
#define STSAFE_SOCK_MAX_BODY    (2u + STSAFE_SOCK_MAX_DATA)
/** Largest message, length prefix included. */
#define STSAFE_SOCK_MAX_MSG     (STSAFE_SOCK_LEN_SIZE + STSAFE_SOCK_MAX_BODY)

/* Operations (first body byte of a request, repeated in its answer). */
#define STSAFE_SOCK_OP_HELLO        0x01u /**< magic (4) · version (1) */
#define STSAFE_SOCK_OP_I2C_WRITE    0x02u /**< address (1) · data (0..1024) */
#define STSAFE_SOCK_OP_I2C_READ     0x03u /**< address (1) · count (2) */
#define STSAFE_SOCK_OP_COMMAND      0x04u /**< version 3: address (1) · command frame (0..1024); answer: the response frame */
#define STSAFE_SOCK_OP_POWER_CYCLE  0x10u /**< no arguments */
#define STSAFE_SOCK_OP_STATS        0x11u /**< no arguments; answer: 3 x 8 bytes */
#define STSAFE_SOCK_OP_FAULT        0x12u /**< arm faults: a spec of docs/faults.md */
#define STSAFE_SOCK_OP_SELECT       0x13u /**< version 2: chip index (2); answer: address · chips (2) */
#define STSAFE_SOCK_OP_SNAPSHOT     0x14u /**< version 3: offset (4); answer: total (4) · chunk */
#define STSAFE_SOCK_OP_RESTORE      0x15u /**< version 3: offset (4) · total (4) · chunk; answer: received (4) */

/* Answer statuses. Bit 7 set: an error after which the server closes. */
#define STSAFE_SOCK_ST_OK            0x00u /**< Done; for I2C operations the device ACKed. */
#define STSAFE_SOCK_ST_NACK          0x01u /**< The device did not acknowledge its address. */
#define STSAFE_SOCK_ST_UNSUPPORTED   0x02u /**< A known operation this server does not offer yet. */
#define STSAFE_SOCK_ST_FAILED        0x03u /**< A well-formed request the server could not carry out. */
#define STSAFE_SOCK_ST_ERR_LENGTH    0x80u /**< Length 0 or above the limit. */
#define STSAFE_SOCK_ST_ERR_OP        0x81u /**< Unknown operation. */
#define STSAFE_SOCK_ST_ERR_ARGS      0x82u /**< Arguments of the wrong size or out of range. */
#define STSAFE_SOCK_ST_ERR_HANDSHAKE 0x83u /**< The first request was not a valid HELLO. */
/** True when the server closes the connection after an answer with \p st. */
#define STSAFE_SOCK_ST_CLOSES(st)    (((st) & 0x80u) != 0)

/* Timing models, as HELLO reports them. */
#define STSAFE_SOCK_TIMING_NONE      0u
#define STSAFE_SOCK_TIMING_DATASHEET 1u
#define STSAFE_SOCK_TIMING_REAL      2u

#define STSAFE_SOCK_HELLO_ANSWER_LEN 5u   /**< version · max data (2) · I2C address · timing */
#define STSAFE_SOCK_STATS_ANSWER_LEN 24u  /**< commands · nacks · NVM writes, 8 bytes each */
#define STSAFE_SOCK_SELECT_ANSWER_LEN 3u  /**< I2C address · number of chips (2) */
#define STSAFE_SOCK_SNAPSHOT_CHUNK 1016u /**< Most snapshot bytes one SNAPSHOT answer or RESTORE request carries. */
#define STSAFE_SOCK_SNAPSHOT_MAX   65536u /**< Largest snapshot RESTORE takes (total). */
#define STSAFE_SOCK_COMMAND_NOT_WRITTEN 0x00u /**< COMMAND answered NACK: the write was never acknowledged */
#define STSAFE_SOCK_COMMAND_NO_RESPONSE 0x01u /**< COMMAND answered NACK: written, but no response could be read */

/** A served device's counters, as STATS carries them (3 x 8 bytes). */
typedef struct {
    uint64_t commands;          /**< Frames the chip executed (any status). */
    uint64_t nacks;             /**< NACKs the chip gave. */
    uint64_t nvm_writes;        /**< Commands that changed the NVM. */
} stsafe_sock_stats;

/** A socket address from "unix:PATH" or "tcp:HOST:PORT". */
typedef struct {
    struct sockaddr_storage ss;
    socklen_t len;
    int family;                 /**< AF_UNIX, AF_INET or AF_INET6. */
} stsafe_sock_addr;

/**
 * \brief Parse a socket address.
 * \param text  "unix:PATH" (PATH shorter than the 108 bytes of sun_path) or
 *              "tcp:HOST:PORT" (HOST a name or a numeric address, IPv6 in
 *              brackets; PORT 0..65535, 0 lets the system choose one when
 *              listening).
 * \return 0; STSAFE_ERR_BAD_INPUT (syntax, path too long, port out of
 *         range); STSAFE_ERR_IO (HOST does not resolve).
 */
int stsafe_sock_addr_parse(const char *text, stsafe_sock_addr *out);

/**
 * \brief Write \p a as "unix:PATH" or "tcp:HOST:PORT" (numeric host).
 * \return 0; STSAFE_ERR_BUFFER_TOO_SMALL; STSAFE_ERR_BAD_INPUT.
 */
int stsafe_sock_addr_format(const stsafe_sock_addr *a, char *out, size_t cap);

/**
 * \brief Open a stream socket connected to \p a (TCP_NODELAY set on TCP).
 * \param fd  Receives the descriptor.
 * \return 0; STSAFE_ERR_IO (errno set).
 */
int stsafe_sock_connect(const stsafe_sock_addr *a, int *fd);

/**
 * \brief Send all \p len bytes (no SIGPIPE; interrupted calls resumed).
 * \return 0; STSAFE_ERR_IO (errno set; EPIPE when the peer closed).
 */
int stsafe_sock_send_all(int fd, const uint8_t *p, size_t len);

/** How long a receive keeps trying without blocking before it sleeps. */
#define STSAFE_SOCK_SPIN_US     50u

/**
 * \brief Receive what has arrived, trying for STSAFE_SOCK_SPIN_US without
 *        blocking and yielding the CPU between tries. A peer that answers
 *        within microseconds is read without putting this thread to sleep
 *        and waking it again, which on a machine with slow cross-CPU
 *        wake-ups is most of a round trip; the yield lets a peer that shares
 *        this CPU run instead of waiting for the spin to end.
 * \return As recv(): bytes received, 0 at end of stream, -1 with errno
 *         (EAGAIN when nothing arrived: wait with poll() and call again).
 */
ssize_t stsafe_sock_recv_spin(int fd, uint8_t *p, size_t cap);

/** \brief Store \p v big-endian in 4 bytes. */
void stsafe_sock_put_u32(uint8_t *p, uint32_t v);
/** \brief Read a big-endian 4-byte value. */
uint32_t stsafe_sock_get_u32(const uint8_t *p);
/** \brief Store \p v big-endian in 8 bytes. */
void stsafe_sock_put_u64(uint8_t *p, uint64_t v);
/** \brief Read a big-endian 8-byte value. */
uint64_t stsafe_sock_get_u64(const uint8_t *p);

/** \brief The name of an operation ("hello", "i2c-write"...), "unknown" otherwise. */
const char *stsafe_sock_op_name(uint8_t op);
/** \brief The name of a status ("ok", "nack", "error: length"...), "unknown" otherwise. */
const char *stsafe_sock_status_name(uint8_t st);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_SOCK_PROTO_H */
