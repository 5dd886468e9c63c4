/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu serve's readiness for test suites, and stsafe-emu wait (emu_serve.c). */
#ifndef STSE_EMU_SERVE_H
#define STSE_EMU_SERVE_H

#include "stsafe/server/server.h"

/** What to do once the server listens. */
typedef struct {
    const char *pid_file;   /**< --pid-file: our PID and a newline, removed at exit. */
    int pid_written;
    int ready_fd;           /**< --ready-fd N: the bound address and a newline, then closed; -1: none. */
    int print_address;      /**< Port 0: the bound address on stdout. */
    int daemon_fd;          /**< --daemon: the pipe to the waiting parent; -1: none. */
    int log_given;          /**< --log FILE: a daemon keeps logging there, else it is quiet. */
} emu_ready;

/** --daemon: fork; the parent waits until the child listens, prints its
 *  address and exits 0 (1 when the child failed). Returns in the child: 0; -1 on error. */
int emu_serve_daemonize(const char *prog, emu_ready *r);

/** The server listens: pid file, ready fd, address on stdout, release the daemon's parent. 0 or -1. */
int emu_serve_ready(const char *prog, const stsafe_server *s, emu_ready *r);

/** The server stopped: remove the pid file. */
void emu_serve_done(emu_ready *r);

/** stsafe-emu wait ADDRESS [--timeout S]: exit 0 once a HELLO succeeds. */
int emu_cmd_wait(const char *prog, int argc, char **argv);

#endif
