/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file device_trace.h
 * \brief A served device that records every I2C transaction reaching it
 *        (`stsafe-emu serve --trace FILE`): what a host in any language did
 *        through the socket protocol, in the format of docs/trace-format.md.
 *
 * It wraps another server device and passes everything on unchanged. Times
 * are the server's clock for the device (stsafe_server_now_us()) from the
 * first message on: virtual, so deterministic, under timing none and
 * datasheet; the wall clock under real. A POWER_CYCLE becomes a comment
 * line.
 */
#ifndef STSAFE_DEVICE_TRACE_H
#define STSAFE_DEVICE_TRACE_H

#include <stdio.h>

#include "stsafe/server/server.h"
#include "stsafe/trace/writer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    stsafe_server_device inner;
    stsafe_trace_writer w;
    int started;                /**< A message was recorded: base_us is set. */
    uint64_t base_us;           /**< The server's clock at the first message: time 0. */
} stsafe_device_trace;

/**
 * \brief Record what reaches \p inner into \p out (a new trace; the caller
 *        closes the file after the server has stopped).
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_IO.
 */
int stsafe_device_trace_init(stsafe_device_trace *t, stsafe_server_device inner, FILE *out,
                             const char *title);

/** \brief The recording device for the server. Valid while \p t is. */
stsafe_server_device stsafe_device_trace_handle(stsafe_device_trace *t);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_DEVICE_TRACE_H */
