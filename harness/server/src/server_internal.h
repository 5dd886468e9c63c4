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

/** Save every device whose saved state changed (failures are logged). */
void stsafe_server_save_changed(const stsafe_server *s);

/**
 * Serve connections until stsafe_server_stopping(); then close them.
 * 0; STSAFE_ERR_ALLOC (the connection table).
 */
int stsafe_server_serve(stsafe_server *s);

#endif
