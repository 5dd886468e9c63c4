/* SPDX-License-Identifier: BSD-3-Clause */
/* The stsafe-emu commands and their table (emu_help.c; stsafe_emu_main.c
 * dispatches). Each takes the arguments after its name and returns a tool
 * exit code (tool_common.h). */
#ifndef STSAFE_EMU_CMDS_H
#define STSAFE_EMU_CMDS_H

#include <stdio.h>

/** The name the tool gives itself in messages. */
#define EMU_PROG "stsafe-emu"

/** A stsafe-emu command: its handler takes the arguments after its name and
 *  returns a tool exit code (tool_common.h). */
typedef int (*emu_command_fn)(int argc, char **argv);

/** One entry of the command table (emu_help.c). */
typedef struct {
    const char *name;   /**< the command's name; NULL for --help-only entries */
    emu_command_fn run; /**< its handler; NULL for a command's further entries */
    const char *help;   /**< its part of --help, as printed */
} emu_command;

/** The command called \p name (its entry with the handler), or NULL. */
const emu_command *emu_find_command(const char *name);
/** The whole --help text (help2man makes the man page from it). */
void emu_usage(FILE *f);
/** A few lines for a command line with no command: synopsis, the commands. */
void emu_usage_short(FILE *f);
/** One command's help (stsafe-emu COMMAND --help): all of its entries. */
void emu_usage_command(FILE *f, const emu_command *c);

/** stsafe-emu init IMAGE [options] (stsafe_emu_main.c). */
int emu_cmd_init(int argc, char **argv);

/** stsafe-emu info IMAGE | --bus ADDRESS [--chip N] (stsafe_emu_main.c). */
int emu_cmd_info(int argc, char **argv);

/** stsafe-emu bench [--seconds S] [--fleet N] [--json] (stsafe_emu_main.c). */
int emu_cmd_bench(int argc, char **argv);


/** stsafe-emu replay TRACE --image IMAGE [--address A] [--quiet] */
int emu_cmd_replay(const char *prog, int argc, char **argv);

/** stsafe-emu trace export --pcapng OUT TRACE (docs/trace-format.md). */
int emu_cmd_trace(const char *prog, int argc, char **argv);

/** stsafe-emu serve (--image IMAGE | --fleet N --image-dir DIR | --from-trace
 *  TRACE) --listen ADDR [options]: runs until SIGINT or SIGTERM; the
 *  server logs why it could not start or had to stop (exit 1 then). */
int emu_cmd_serve(int argc, char **argv);

#include "stsafe/server/server.h"
#include "emu_serve.h"

/**
 * stsafe-emu serve --from-trace TRACE [--address A]: \p cfg holds the other
 * serve settings (listen, timing, log, stop flag); no image. \p ready: what
 * to do once the server listens (--pid-file, --ready-fd, --daemon, port 0).
 */
int emu_serve_from_trace(const char *prog, const stsafe_server_config *cfg, const char *trace,
                         unsigned long address, emu_ready *ready);

/**
 * stsafe-emu serve --image IMAGE --trace FILE: the chip of IMAGE served as
 * usual, every I2C transaction reaching it recorded to FILE; \p ready as above.
 */
int emu_serve_recording(const char *prog, const stsafe_server_config *cfg, const char *trace,
                        int secrets, emu_ready *ready);

#endif
