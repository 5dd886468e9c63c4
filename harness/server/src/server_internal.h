/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the server's files: server.c (set-up, devices, saving),
 * server_conn.c (the connections) and server_ops.c (the operations). */
#ifndef STSAFE_SERVER_INTERNAL_H
#define STSAFE_SERVER_INTERNAL_H

#include "stsafe/server/server.h"

/** Print "stsafe-emu serve: " and the line to the server's log. */
void stsafe_server_log(const stsafe_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** 1 when the stop flag is set or a device failed for good. */
int stsafe_server_stopping(const stsafe_server *s);

/**
 * Save device \p i when its saved state changed. A failure is logged and
 * described in \p why ("cannot save image ...: reason; what became of the
 * device"); a device that failed for good through it sets s->failure.
 * 0 (saved, or nothing to save); the save's error.
 */
int stsafe_server_save_slot(stsafe_server *s, size_t i, char *why, size_t cap);

/**
 * Serve connections until stsafe_server_stopping(); then close them.
 * 0; STSAFE_ERR_ALLOC (the connection table).
 */
int stsafe_server_serve(stsafe_server *s);

/* ---- answers (server_ops.c), shared with server_snapshot.c ---- */

/** An answer body op · status · data into \p ans; returns \p st. */
uint8_t stsafe_server_reply(uint8_t op, uint8_t st, const uint8_t *data, size_t n, uint8_t *ans,
                            size_t *ans_len);

/** An answer whose data is a reason for people (printf-style); returns \p st. */
uint8_t stsafe_server_refuse(uint8_t op, uint8_t st, uint8_t *ans, size_t *ans_len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/**
 * The answer to a call into the device of \p slot that returned \p err
 * (server.h says what the codes mean); a device that failed for good
 * answers FAILED with its reason and stops the server.
 */
uint8_t stsafe_server_outcome(stsafe_server *s, stsafe_server_slot *slot, int err, uint8_t op,
                              const uint8_t *data, size_t n, uint8_t *ans, size_t *ans_len);

/** SNAPSHOT and RESTORE (server_snapshot.c; docs/socket-protocol.md). */
uint8_t stsafe_server_op_snapshot(stsafe_server *s, stsafe_server_session *sess, const uint8_t *args,
                                  size_t n, uint8_t *ans, size_t *ans_len);
uint8_t stsafe_server_op_restore(stsafe_server *s, stsafe_server_session *sess, const uint8_t *args,
                                 size_t n, uint8_t *ans, size_t *ans_len);

#endif
