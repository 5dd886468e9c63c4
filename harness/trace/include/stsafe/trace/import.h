/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file trace_import.h
 * \brief Logic-analyser captures into I2C traces (docs/trace-format.md,
 *        "Importing logic-analyser captures"): sigrok-cli's I2C decoder
 *        text and Saleae Logic 2's I2C analyser CSV.
 *
 * Pure: an importer walks a text buffer and hands each I2C message it
 * assembles to a callback, in bus order. The caller writes them
 * (stsafe_trace_import_format() gives the lines stsafe-emu import writes).
 * A message holds what was on the wire: the start (S or Sr), the 7-bit
 * address and direction, whether the device acknowledged its address,
 * and the data bytes up to the stop, the next start, or the NACK that
 * ended it.
 */
#ifndef STSAFE_TRACE_IMPORT_H
#define STSAFE_TRACE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/trace/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Highest sample rate the sigrok importer takes (10 GHz): times stay exact in 64 bits. */
#define STSAFE_IMPORT_MAX_SAMPLERATE 10000000000ull
/** Room for any note an importer hands out, NUL included. */
#define STSAFE_IMPORT_NOTE_CAP 160u

/**
 * \brief Receives what an importer found, in order.
 * \param ctx   The caller's pointer, as given to the importer.
 * \param msg   A message, valid during the call; NULL when only \p note
 *              is handed out (a comment of its own, before the next message).
 * \param note  What the importer has to say about \p msg (the device NACKed
 *              a written byte, the capture ends inside it) or on its own;
 *              NULL when nothing. Valid during the call; one line, no newline.
 * \return 0 to go on; any other value stops the import, which returns it.
 */
typedef int (*stsafe_trace_import_emit_fn)(void *ctx, const stsafe_trace_msg *msg, const char *note);

/** What an import reports besides its messages. */
typedef struct {
    unsigned line;       /**< After a syntax error: its line in the capture (1-based). */
    const char *error;   /**< After a syntax error: what is wrong, for people (static text). */
    size_t messages;     /**< Messages handed to the callback. */
    size_t notes;        /**< Notes handed out (alone or with a message). */
} stsafe_trace_import_status;

/**
 * \brief Import the text output of sigrok-cli's I2C decoder
 *        (`sigrok-cli -i CAPTURE -P i2c:scl=..:sda=.. -A i2c[=classes]`),
 *        with or without `--protocol-decoder-samplenum`, quoted or not
 *        (`-l 3`, `-l 4`), and PulseView's annotation export.
 * \param text          The capture, \p len bytes, not NUL-terminated.
 * \param samplerate_hz The capture's sample rate: message times are the
 *                      sample number of their start condition divided by
 *                      it. 0 when unknown: every time is 0 and a note says
 *                      so. At most STSAFE_IMPORT_MAX_SAMPLERATE.
 * \param emit          Receives the messages and notes.
 * \param status        Receives the counts, and the line and reason of a
 *                      syntax error.
 * \return 0; STSAFE_ERR_TRACE_SYNTAX (status->line, status->error);
 *         STSAFE_ERR_BAD_INPUT (NULL arguments, sample rate too high);
 *         or what \p emit returned when it stopped the import.
 */
int stsafe_trace_import_sigrok(const char *text, size_t len, uint64_t samplerate_hz,
                               stsafe_trace_import_emit_fn emit, void *ctx,
                               stsafe_trace_import_status *status);

/**
 * \brief Import the CSV export of Saleae Logic 2's I2C analyser (header
 *        `name,type,start_time,duration,"ack","address","read","data"`,
 *        rows of type start, address, data, stop). Addresses and data in
 *        the Hex (`0x3C`) or Binary (`0b111100`) display radix.
 * \param text    The CSV, \p len bytes, not NUL-terminated.
 * \param emit    Receives the messages and notes.
 * \param status  Receives the counts, and the line and reason of a syntax error.
 * \return 0; STSAFE_ERR_TRACE_SYNTAX (status->line, status->error);
 *         STSAFE_ERR_BAD_INPUT (NULL arguments); or what \p emit returned
 *         when it stopped the import.
 */
int stsafe_trace_import_saleae(const char *text, size_t len, stsafe_trace_import_emit_fn emit,
                               void *ctx, stsafe_trace_import_status *status);

/**
 * \brief The first lines of an imported trace: the magic line and
 *        `# imported from FROM capture NAME`.
 * \param from  What made the capture, e.g. "sigrok-cli" (no newline).
 * \param name  The capture's name, e.g. its file name (a newline ends it).
 * \param out   Receives the text, NUL-terminated.
 * \param out_len Receives its length without the NUL; may be NULL.
 * \return 0; STSAFE_ERR_BAD_INPUT (NULL arguments); STSAFE_ERR_BUFFER_TOO_SMALL.
 */
int stsafe_trace_import_header(const char *from, const char *name, char *out, size_t cap,
                               size_t *out_len);

/**
 * \brief The trace line of what an importer handed out: \p msg with the
 *        recorders' comment (stsafe_trace_describe()) and \p note after it
 *        ("; " between them); or, when \p msg is NULL, `# NOTE` alone.
 * \param out      Receives the line, newline and NUL included;
 *                 STSAFE_TRACE_LINE_CAP always suffices.
 * \param out_len  Receives its length without the NUL; may be NULL.
 * \return 0; STSAFE_ERR_BAD_INPUT (no message and no note; a message
 *         stsafe_trace_format_msg() refuses); STSAFE_ERR_BUFFER_TOO_SMALL.
 */
int stsafe_trace_import_format(const stsafe_trace_msg *msg, const char *note, char *out,
                               size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_TRACE_IMPORT_H */
