/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file trace.h
 * \brief I2C traces in the text format of docs/trace-format.md: reading,
 *        writing, and decoding a message into a comment for people.
 *
 * Pure: the reader walks a text buffer, the formatter writes into a
 * caller's buffer. Files are the caller's business (bus_trace.h records
 * to a FILE, the tools read whole files).
 */
#ifndef STSAFE_TRACE_H
#define STSAFE_TRACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_TRACE_MAGIC        "stsafe-trace 1"
#define STSAFE_TRACE_MAX_DATA     1024u  /**< Data bytes one message may hold. */
#define STSAFE_TRACE_MAX_LINE     4096u  /**< Characters one line may hold (newline excluded). */
/** Room for any line the formatter writes, comment and newline included. */
#define STSAFE_TRACE_LINE_CAP     (40u + 3u * STSAFE_TRACE_MAX_DATA + 128u)

/** One I2C message: a line of a trace. */
typedef struct {
    uint64_t time_ns;          /**< From the start of the recording. */
    uint8_t repeated_start;    /**< 1: "Sr", the message continues the previous transaction. */
    uint8_t addr;              /**< 7-bit address. */
    uint8_t read;              /**< 1: R (device to host); 0: W. */
    uint8_t ack;               /**< 1: the device acknowledged its address. */
    uint8_t redacted;          /**< The line's comment says `redacted`: secret bytes were
                                *   replaced (redact.h; docs/trace-format.md, "Redaction"). */
    size_t len;                /**< Data bytes in \c data. */
    uint8_t data[STSAFE_TRACE_MAX_DATA];
} stsafe_trace_msg;

/** Walks the messages of a trace held in memory. */
typedef struct {
    const char *text;
    size_t len;
    size_t pos;                /**< Offset of the next line. */
    unsigned line;             /**< Number of the last line read (1-based). */
    int started;               /**< The magic line was read. */
    int have_prev;             /**< A message was read (for Sr and time checks). */
    uint64_t prev_time_ns;
    const char *error;         /**< After an error: what was wrong, for people. */
} stsafe_trace_reader;

/** \brief Read \p text (not NUL-terminated; \p len bytes), from its first line. */
void stsafe_trace_reader_init(stsafe_trace_reader *r, const char *text, size_t len);

/**
 * \brief The next message, skipping comments and empty lines.
 * \return 1 and \p msg filled; 0 at the end of the text; STSAFE_ERR_TRACE_SYNTAX
 *         (r->line is the line, r->error says what is wrong). An empty
 *         text or one whose first line is not the magic is a syntax error
 *         on line 1.
 */
int stsafe_trace_next(stsafe_trace_reader *r, stsafe_trace_msg *msg);

/**
 * \brief Parse one message line (no newline; comments and blank lines are
 *        not messages here). Checks the fields only, not the order of times.
 * \param error  Receives what is wrong, for people, on error; may be NULL.
 * \return 0; STSAFE_ERR_TRACE_SYNTAX.
 */
int stsafe_trace_parse_msg(const char *line, size_t len, stsafe_trace_msg *msg, const char **error);

/**
 * \brief Write \p msg as one line, newline included, with \p comment after
 *        a '#' when it is not NULL or empty (a newline in it ends it).
 * \param out      Receives the line, NUL-terminated; STSAFE_TRACE_LINE_CAP always suffices.
 * \param out_len  Receives its length without the NUL; may be NULL.
 * \return 0; STSAFE_ERR_BAD_INPUT (address above 0x7f, more than
 *         STSAFE_TRACE_MAX_DATA bytes, data on R NACK); STSAFE_ERR_BUFFER_TOO_SMALL.
 */
int stsafe_trace_format_msg(const stsafe_trace_msg *msg, const char *comment, char *out,
                            size_t cap, size_t *out_len);

/**
 * \brief What the bytes of \p msg are, as the recorders' comment: a command
 *        frame, the head of a response, a whole response, a NACK
 *        (docs/trace-format.md). Empty when nothing can be said.
 * \param out  Receives the text, NUL-terminated (truncated to \p cap).
 */
void stsafe_trace_describe(const stsafe_trace_msg *msg, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_TRACE_H */
