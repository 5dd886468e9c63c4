/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file bus_trace.h
 * \brief A bus that records every message crossing it to a text trace
 *        (docs/trace-format.md), around any other bus.
 *
 * Wrap the bus a host uses; each message is passed on to the inner bus
 * unchanged and written, with its outcome and a decoded comment, as one
 * line. Recording never changes what the host sees: a failed write to the
 * trace file is remembered (stsafe_bus_trace_error()) and recording stops,
 * the bus goes on.
 */
#ifndef STSAFE_BUS_TRACE_H
#define STSAFE_BUS_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "stsafe/bus/bus.h"
#include "stsafe/trace/writer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const stsafe_bus *inner;
    stsafe_trace_writer w;      /**< The trace file and its clock. */
} stsafe_bus_trace;

/**
 * \brief Make \p bus a recording wrapper around \p inner and write the
 *        trace's first line (and \p title as a comment, when not NULL).
 * \param out  The trace file, open for writing; the caller closes it.
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_IO (writing the first line).
 */
int stsafe_bus_trace_init(stsafe_bus_trace *t, stsafe_bus *bus, const stsafe_bus *inner,
                          FILE *out, stsafe_trace_clock clock, const char *title);

/**
 * \brief Like stsafe_bus_trace_init(), but for a trace that goes on in an
 *        existing file (opened for appending): no first line is written and
 *        times start at \p after_ns, the time of the file's last message.
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_IO (writing the title).
 */
int stsafe_bus_trace_continue(stsafe_bus_trace *t, stsafe_bus *bus, const stsafe_bus *inner,
                              FILE *out, stsafe_trace_clock clock, uint64_t after_ns,
                              const char *title);

/**
 * \brief Add a comment line ("# text") to the trace, e.g. a power cycle or
 *        a bus error the host saw.
 */
void stsafe_bus_trace_comment(stsafe_bus_trace *t, const char *text);

/** \brief 0, or STSAFE_ERR_IO when a line could not be written (recording stopped there). */
int stsafe_bus_trace_error(const stsafe_bus_trace *t);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_BUS_TRACE_H */
