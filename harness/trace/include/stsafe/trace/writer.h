/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file trace_writer.h
 * \brief Writing a trace file (docs/trace-format.md) message by message:
 *        the part every recorder shares (the recording bus, bus_trace.h,
 *        and the recording server device, device_trace.h).
 *
 * A failed write stops the recording, never what is recorded:
 * stsafe_trace_writer_error() tells afterwards.
 */
#ifndef STSAFE_TRACE_WRITER_H
#define STSAFE_TRACE_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Where the timestamps come from. */
typedef enum {
    STSAFE_TRACE_CLOCK_WALL = 0,  /**< CLOCK_MONOTONIC since the recording began. */
    STSAFE_TRACE_CLOCK_VIRTUAL    /**< Advanced only by stsafe_trace_writer_advance() (the
                                   *   host's waits): the same run gives the same trace. */
} stsafe_trace_clock;

typedef struct {
    FILE *out;
    stsafe_trace_clock clock;
    uint64_t start_ns;          /**< Wall clock at start. */
    uint64_t virtual_ns;        /**< Virtual clock. */
    uint64_t offset_ns;         /**< Added to every time (a continued trace). */
    uint64_t last_ns;           /**< Time of the last line (times never go backwards). */
    uint64_t messages;          /**< Message lines written. */
    int io_error;               /**< Writing failed; recording stopped. */
    int keep_secrets;           /**< 1: record secrets as they are (--trace-secrets); 0: redact (redact.h). */
    int have_cmd;               /**< A command was written: the reads after it answer it. */
    uint8_t cmd_addr;           /**< ... to this address, */
    uint8_t cmd_header;         /**< ... with this header byte. */
    uint64_t redacted;          /**< Messages recorded with secret bytes replaced. */
} stsafe_trace_writer;

/**
 * \brief Start a recording into \p out (open for writing or appending; the
 *        caller closes it).
 * \param after_ns    Times start here: 0 for a new trace, the last message's
 *                    time to go on with an existing one.
 * \param first_line  1: write the trace's first line (a new trace); 0: do not.
 * \param title       A comment line written first, or NULL.
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_IO (the first lines could not be written).
 */
int stsafe_trace_writer_start(stsafe_trace_writer *w, FILE *out, stsafe_trace_clock clock,
                              uint64_t after_ns, int first_line, const char *title);

/** \brief The time of a message starting now, on the writer's clock. */
uint64_t stsafe_trace_writer_now(stsafe_trace_writer *w);

/** \brief Advance the virtual clock by \p ns (a host's wait). */
void stsafe_trace_writer_advance(stsafe_trace_writer *w, uint64_t ns);

/**
 * \brief Record one message at \p time_ns (plus the writer's offset), with
 *        the decoded comment of stsafe_trace_describe(). A NACKed read
 *        records no data; a message over STSAFE_TRACE_MAX_DATA bytes
 *        becomes a comment saying so.
 */
void stsafe_trace_writer_msg(stsafe_trace_writer *w, uint64_t time_ns, int repeated_start,
                             uint16_t addr, int read, const uint8_t *data, size_t len, int ack);

/**
 * \brief Whether secrets are recorded: 0 (the default after
 *        stsafe_trace_writer_start()) replaces the secret bytes of every
 *        message (redact.h) by STSAFE_TRACE_REDACT_MARKER and says
 *        `redacted` in the line's comment; 1 records every byte as it
 *        crossed the bus (`--trace-secrets`, docs/trace-format.md).
 */
void stsafe_trace_writer_keep_secrets(stsafe_trace_writer *w, int keep);

/** \brief A comment line ("# text"; a newline in \p text ends it). */
void stsafe_trace_writer_comment(stsafe_trace_writer *w, const char *text);

/** \brief 0, or STSAFE_ERR_IO when a line could not be written (recording stopped there). */
int stsafe_trace_writer_error(const stsafe_trace_writer *w);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_TRACE_WRITER_H */
