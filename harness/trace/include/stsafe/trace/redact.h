/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file redact.h
 * \brief Which bytes of a frame are secrets a trace leaves out
 *        (docs/trace-format.md, "Redaction"): the one place every recorder
 *        (trace writer, so the recording bus, the recording server device
 *        and the i2c-dev shim) and the server's --verbose previews ask.
 *
 * Secrets: the host MAC and cipher keys (Put Attribute tag 0x17), the
 * password (Put Attribute tag 0x09, Verify Password), the plaintext of a
 * local envelope (Wrap Local Envelope command, Unwrap Local Envelope
 * response). The command code, tag, slot, C-MAC, R-MAC, status, length
 * field and CRC stay, so a redacted frame keeps its structure; its CRC no
 * longer matches. Pure: no I/O, no state.
 */
#ifndef STSAFE_TRACE_REDACT_H
#define STSAFE_TRACE_REDACT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The value every redacted byte is replaced by. */
#define STSAFE_TRACE_REDACT_MARKER 0x00u

/** A run of secret bytes in a message: [off, off + len). len 0: none. */
typedef struct {
    size_t off;
    size_t len;
} stsafe_trace_range;

/**
 * \brief The secret bytes of a command frame the host writes.
 * \param frame  The bytes written (a whole frame or its first bytes; the
 *               CRC is not checked, so a frame with a bad CRC is redacted
 *               as well).
 * \return The range (len 0 when the frame holds no secret).
 */
stsafe_trace_range stsafe_trace_redact_command(const uint8_t *frame, size_t len);

/**
 * \brief The secret bytes of a read of a response: \p rsp is the first
 *        \p len bytes of the response (the 5-byte head or the whole frame)
 *        to the command whose header byte is \p cmd_header.
 * \return The range within the \p len bytes (len 0: none).
 */
stsafe_trace_range stsafe_trace_redact_response(uint8_t cmd_header, const uint8_t *rsp,
                                                size_t len);

/**
 * \brief Replace the bytes of \p r in \p data (\p len bytes) by
 *        STSAFE_TRACE_REDACT_MARKER. \return the bytes replaced.
 */
size_t stsafe_trace_redact_apply(stsafe_trace_range r, uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_TRACE_REDACT_H */
