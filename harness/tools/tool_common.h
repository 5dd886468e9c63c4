/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the command-line tools: exit codes, hex output, number parsing,
 * and opening an image as an in-process chip. */
#ifndef STSE_TOOL_COMMON_H
#define STSE_TOOL_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stsafe/emulator/chip.h"
#include "stsafe/bus/bus.h"
#include "stsafe/bus/i2cdev.h"
#include "stsafe/bus/inproc.h"
#include "stsafe/bus/socket.h"
#include "stsafe/client/client.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/emulator/rng.h"
#include "stsafe/emulator/image_lock.h"

/* Exit codes of every tool (docs/tools.md). */
#define TOOL_EXIT_OK      0  /**< Done. */
#define TOOL_EXIT_FAIL    1  /**< The operation failed: the chip refused, a file is bad, I/O. */
#define TOOL_EXIT_USAGE   2  /**< The command line is wrong. */

/** Print "prog: message" to stderr. */
void tool_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * Print the --version text to stdout: "PROG VERSION" (the library's,
 * stsafe_emu_version()), the mbedTLS it runs with, the copyright and the
 * licence. Returns TOOL_EXIT_OK.
 */
int tool_print_version(const char *prog);

/** Print bytes as lower-case hex and a newline. */
void tool_print_hex(FILE *f, const uint8_t *p, size_t n);

/** Parse an unsigned number (decimal or 0x hex) no larger than \p max. 0 on success. */
int tool_parse_uint(const char *s, unsigned long max, unsigned long *out);

/**
 * Read a whole file ("-": standard input) into a malloc'd buffer the caller
 * frees. 0, or prints why ("prog: PATH: reason") and returns TOOL_EXIT_FAIL.
 */
int tool_read_file(const char *prog, const char *path, char **text, size_t *len);

/** "none", "datasheet" or "real" as an stsafe_emu_timing, or -1. */
int tool_parse_timing(const char *name);

/** A chip loaded from an image file, reached over the in-process bus; or a
 *  chip served by `stsafe-emu serve`, reached over a socket (--bus). Either
 *  way commands go through dev.client on dev.bus. */
typedef struct {
    const char *path;           /**< The image, or NULL when the chip is remote. */
    stsafe_inproc_device dev;   /**< Remote chip: only its bus and client are used. */
    stsafe_bus_socket sock;     /**< The connection to the server (remote chip only). */
    stsafe_bus_i2cdev i2c;      /**< The I2C adapter (--bus i2c:PATH only). */
    stsafe_emu_image_lock lock; /**< Held exclusively while an image is open. */
    const char *bus_address;    /**< --bus ADDRESS of a remote chip, NULL for an image. */
    long chip_index;            /**< --chip N selected on a fleet, -1 when none. */
} tool_session;

/** \p word as one shell word a user can paste: itself when it holds only
 *  [A-Za-z0-9_./:@%+=,-], else single-quoted ('\'' for a quote). Written to
 *  \p buf (of \p cap bytes) when quoting is needed; an over-long word is
 *  cut. Returns \p word or \p buf. */
const char *tool_shell_word(const char *word, char *buf, size_t cap);

/** Print why image \p path did not load ("cannot load image 'P': reason",
 *  the failing field for STSAFE_ERR_IMAGE_FIELD). */
void tool_image_error(const char *prog, const char *path, int err);

/**
 * Take the advisory lock of image \p path (image_lock.h): exclusive to
 * change it, shared to read it. 0, or prints who holds it ("chip.img is in
 * use by PID N (stsafe-emu serve); talk to it with --bus ADDRESS") and
 * returns TOOL_EXIT_FAIL.
 */
int tool_image_lock(const char *prog, stsafe_emu_image_lock *l, const char *path, int exclusive,
                    const char *program);

/** Load \p path and connect a client to it. 0, or prints why and returns TOOL_EXIT_FAIL. */
int tool_session_open(tool_session *s, const char *prog, const char *path);

/**
 * Connect to a server at \p address ("unix:PATH" or "tcp:HOST:PORT"), or
 * open a Linux I2C adapter ("i2c:/dev/i2c-N[@ADDR]", the chip at ADDR,
 * default 0x20), and a client to its chip. 0; TOOL_EXIT_USAGE for a
 * malformed address; TOOL_EXIT_FAIL when no server answers or the adapter
 * cannot be opened (both print why).
 */
int tool_session_open_bus(tool_session *s, const char *prog, const char *address);

#define TOOL_BUS_WAIT_NOTICE_MS 1000u /**< A server silent this long after HELLO: say why. */
#define TOOL_BUS_WAIT_DEFAULT_S 60u   /**< --wait default: longer than the server's idle timeout. */

/**
 * As tool_session_open_bus(), for a client that wants chip \p chip: a
 * server that has not taken the connection after 1 s (another client holds
 * the chip) makes it print "waiting: another client holds chip N", and
 * after \p wait_s seconds (0: never) it gives up: TOOL_EXIT_FAIL.
 */
int tool_session_open_bus_wait(tool_session *s, const char *prog, const char *address,
                               unsigned long chip, unsigned long wait_s);

/**
 * Make a bus session talk to chip \p index of a server that holds several
 * (stsafe-emu serve --fleet); the client then uses that chip's address.
 * 0; TOOL_EXIT_USAGE for an index the server does not have; TOOL_EXIT_FAIL
 * (both print why).
 */
int tool_session_select(tool_session *s, const char *prog, unsigned long index);

/** The emulated chip of an image session; NULL when the chip is remote. */
stsafe_emu_chip *tool_session_chip(tool_session *s);

/**
 * For the commands only an image or `stsafe-emu serve` offers (power-cycle,
 * stats): 0 unless \p s is on an I2C adapter; then prints that \p cmd needs
 * a server and returns TOOL_EXIT_USAGE.
 */
int tool_session_need_server(const tool_session *s, const char *prog, const char *cmd);

/** Save the image when a command changed it; release everything. 0 or TOOL_EXIT_FAIL. */
int tool_session_close(tool_session *s, const char *prog);

#endif
