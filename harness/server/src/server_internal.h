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

#endif
