/* SPDX-License-Identifier: BSD-3-Clause */
/* A served chip for the server's tests (test_socket_*, test_command,
 * test_fleet, test_fault_limits, test_idle_timeout, test_snapshot): an
 * image (or a fleet's folder) in a fresh temporary folder, a server in a
 * thread with the caller's settings, its log in a temporary file. CMocka
 * asserts inside. */
#ifndef STSE_SERVER_FIXTURE_H
#define STSE_SERVER_FIXTURE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stsafe/server/server.h"

/** The chip of a fixture: the seed of its image (and of the server) and its serial. */
typedef struct {
    const uint8_t *seed;
    size_t seed_len;
    uint8_t serial[9];
} srv_fixture_chip;

/** The chips the suites have always used (each suite keeps its own). */
extern const srv_fixture_chip srv_chip_limits;  /* test_fault_limits, test_idle_timeout, test_snapshot */
extern const srv_fixture_chip srv_chip_socket;  /* test_socket_* */
extern const srv_fixture_chip srv_chip_command; /* test_command */
extern const srv_fixture_chip srv_chip_fleet;   /* test_fleet (the seed only: the server makes the images) */

typedef struct {
    char dir[64];
    char image[128];   /* DIR/chip.img (none written for a fleet) */
    char images[96];   /* DIR/images, a fleet's folder (made by the server) */
    char sock[128];    /* DIR/chip.sock */
    char listen[160];  /* unix:DIR/chip.sock */
    const srv_fixture_chip *chip;
    FILE *log;
    stsafe_server srv;
    int up;            /* srv initialised, not yet freed (set it after your own stsafe_server_init) */
    stsafe_server_session sess; /* for requests handed to stsafe_server_handle() */
    atomic_int stop;
    pthread_t thread;
    int running;
    int run_rc;
} srv_fixture;

/** A folder with an image of \p chip (default profile); no server yet. */
srv_fixture *srv_fixture_new_chip(const srv_fixture_chip *chip);

/** srv_fixture_new_chip(&srv_chip_limits). */
srv_fixture *srv_fixture_new(void);

/** A folder for a fleet of \p chip's seed: no image, the server makes them in f->images. */
srv_fixture *srv_fixture_new_fleet(const srv_fixture_chip *chip);

/** CMocka setup and teardown: srv_fixture_new() into *state, srv_fixture_free(*state). */
int srv_fixture_setup(void **state);
int srv_fixture_teardown(void **state);

/** CMocka setup of the test_socket_* suites: srv_fixture_new_chip(&srv_chip_socket) into *state. */
int srv_fixture_setup_socket(void **state);

/** Initialise f->srv with \p cfg, not running, and clear f->sess; fills in what \p cfg leaves
 *  empty: listen (f->listen), log, stop, seed (the chip's) and, without
 *  devices or a fleet, image_path (f->image). Asserts success. */
void srv_fixture_init(srv_fixture *f, stsafe_server_config cfg);

/** Run the initialised f->srv in a thread. */
void srv_fixture_run(srv_fixture *f);

/** srv_fixture_init() and srv_fixture_run(). */
void srv_fixture_start(srv_fixture *f, stsafe_server_config cfg);

/** srv_fixture_start() with \p timing and verbose logging (each client logged), all else default. */
void srv_fixture_serve(srv_fixture *f, stsafe_emu_timing timing);

/** Wait for the server thread to end by itself (no stop asked) and return
 *  what stsafe_server_run() returned; f->srv stays readable. */
int srv_fixture_join(srv_fixture *f);

/** Stop a running server and wait for it (its run must return 0), then free f->srv. */
void srv_fixture_stop(srv_fixture *f);

/** Stop, remove the folder and everything in it, free. */
void srv_fixture_free(srv_fixture *f);

/** Up to \p cap bytes of the file at \p path; 0 when it cannot be opened. */
size_t srv_fixture_read_file(const char *path, uint8_t *buf, size_t cap);

/** How many lines of the log so far contain \p text. */
size_t srv_fixture_count(srv_fixture *f, const char *text);

/** The log so far contains \p text (prints the log when it does not). */
void srv_fixture_assert_logged(srv_fixture *f, const char *text);

#endif
