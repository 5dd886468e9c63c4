/* SPDX-License-Identifier: BSD-3-Clause */
/* A served chip for the server's limit tests (test_fault_limits,
 * test_idle_timeout): an image in a fresh temporary folder, a server in a
 * thread with the caller's settings, its log in a temporary file. CMocka
 * asserts inside. */
#ifndef STSE_SERVER_FIXTURE_H
#define STSE_SERVER_FIXTURE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "stsafe/server/server.h"

typedef struct {
    char dir[64];
    char image[128];
    char listen[160];
    FILE *log;
    stsafe_server srv;
    atomic_int stop;
    pthread_t thread;
    int running;
    int run_rc;
} srv_fixture;

/** A folder with a default-profile image; no server yet. NULL on failure (asserted). */
srv_fixture *srv_fixture_new(void);

/** Start serving the image on a unix socket with \p cfg (image, listen, log,
 *  stop and seed are filled in). */
void srv_fixture_start(srv_fixture *f, stsafe_server_config cfg);

/** Stop the server and wait for it. */
void srv_fixture_stop(srv_fixture *f);

/** Stop, remove the folder and everything in it, free. */
void srv_fixture_free(srv_fixture *f);

/** How many lines of the log so far contain \p text. */
size_t srv_fixture_count(srv_fixture *f, const char *text);

/** The log so far contains \p text (prints the log when it does not). */
void srv_fixture_assert_logged(srv_fixture *f, const char *text);

#endif
