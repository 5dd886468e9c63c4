/* SPDX-License-Identifier: BSD-3-Clause */
/* The stsafe-emu commands that live in files of their own (stsafe_emu_main.c
 * dispatches). Each takes the arguments after its name and returns a tool
 * exit code (tool_common.h). */
#ifndef STSAFE_EMU_CMDS_H
#define STSAFE_EMU_CMDS_H

/** stsafe-emu replay TRACE --image IMAGE [--address A] [--quiet] */
int emu_cmd_replay(const char *prog, int argc, char **argv);

/** stsafe-emu trace export --pcapng OUT TRACE (docs/trace-format.md). */
int emu_cmd_trace(const char *prog, int argc, char **argv);

/** stsafe-emu serve (--image IMAGE | --fleet N --image-dir DIR | --from-trace
 *  TRACE) --listen ADDR [options]: runs until SIGINT or SIGTERM; the
 *  server logs why it could not start or had to stop (exit 1 then). */
int emu_cmd_serve(int argc, char **argv);

#include "stsafe/server/server.h"

/**
 * stsafe-emu serve --from-trace TRACE [--address A]: \p cfg holds the other
 * serve settings (listen, timing, log, stop flag); no image.
 */
int emu_serve_from_trace(const char *prog, const stsafe_server_config *cfg, const char *trace,
                         unsigned long address);

/**
 * stsafe-emu serve --image IMAGE --trace FILE: the chip of IMAGE served as
 * usual, every I2C transaction reaching it recorded to FILE.
 */
int emu_serve_recording(const char *prog, const stsafe_server_config *cfg, const char *trace,
                        int secrets);

#endif
