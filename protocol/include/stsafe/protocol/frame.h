/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file frame.h
 * \brief STSAFE-A command and response frames (facts page, section 2).
 *
 * Command frame, host to chip:  header(1) payload(n) CRC(2, high byte first);
 * the CRC covers header and payload (and a trailing C-MAC, which is part of
 * the payload at this layer).
 *
 * Response frame, chip to host: status(1) length(2, big-endian) data(n)
 * CRC(2); length = n + 2 (it counts the CRC, not the status byte) and the CRC
 * covers the status byte and the data but not the length field.
 *
 * Decoders never read outside the buffer they are given and point into it
 * rather than copying.
 */
#ifndef STSAFE_FRAME_H
#define STSAFE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_CRC_LEN              2u
/** Smallest command frame: header and CRC. */
#define STSAFE_CMD_FRAME_MIN        3u
/** status + length field + CRC: the bytes of a response with no data. */
#define STSAFE_RSP_FRAME_OVERHEAD   5u
/** Length of the first, short read the host makes of every response. */
#define STSAFE_RSP_FIRST_READ_LEN   5u

/** A decoded command frame; \c payload points into the decoded buffer. */
typedef struct {
    uint8_t header;          /**< Command code (low 5 bits) and protection flags. */
    const uint8_t *payload;  /**< Bytes between header and CRC. */
    size_t payload_len;
} stsafe_cmd_frame;

/** A decoded response frame; \c data points into the decoded buffer. */
typedef struct {
    uint8_t status;          /**< Whole first byte: status code and R-MAC flag bits. */
    const uint8_t *data;
    size_t data_len;
} stsafe_rsp_frame;

/**
 * \brief Build a command frame: header, payload, CRC.
 * \param header       Command code with its protection flags.
 * \param payload      Payload bytes (may be NULL when \p payload_len is 0).
 * \param payload_len  Payload length.
 * \param max_frame    Largest frame the target accepts (e.g. STSAFE_A110_MAX_FRAME_LEN).
 * \param out          Output buffer.
 * \param out_cap      Its capacity.
 * \param out_len      Receives the frame length.
 * \return 0; STSAFE_ERR_FRAME_TOO_LONG when the frame exceeds \p max_frame;
 *         STSAFE_ERR_BUFFER_TOO_SMALL; STSAFE_ERR_BAD_INPUT.
 */
int stsafe_cmd_frame_encode(uint8_t header, const uint8_t *payload, size_t payload_len,
                            size_t max_frame, uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * \brief Split and check a command frame as the chip receives it.
 * \return 0; STSAFE_ERR_FRAME_TOO_SHORT (under 3 bytes);
 *         STSAFE_ERR_FRAME_TOO_LONG (over \p max_frame);
 *         STSAFE_ERR_FRAME_CRC; STSAFE_ERR_BAD_INPUT.
 */
int stsafe_cmd_frame_decode(const uint8_t *frame, size_t frame_len, size_t max_frame,
                            stsafe_cmd_frame *cmd);

/**
 * \brief Build a response frame: status, length, data, CRC.
 * \return 0; STSAFE_ERR_BUFFER_TOO_SMALL; STSAFE_ERR_BAD_INPUT (data over 65533 bytes).
 */
int stsafe_rsp_frame_encode(uint8_t status, const uint8_t *data, size_t data_len,
                            uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * \brief The total length of a response from its first three bytes.
 * \param head     status and length field (at least 3 bytes).
 * \param total    Receives 1 + 2 + length field: the bytes to read in all.
 * \return 0; STSAFE_ERR_FRAME_LENGTH when the length field is under 2.
 */
int stsafe_rsp_frame_total_len(const uint8_t head[3], size_t *total);

/**
 * \brief Check a whole response frame and point at its data.
 * \return 0; STSAFE_ERR_FRAME_TOO_SHORT; STSAFE_ERR_FRAME_LENGTH when the
 *         length field disagrees with \p frame_len; STSAFE_ERR_FRAME_CRC.
 */
int stsafe_rsp_frame_decode(const uint8_t *frame, size_t frame_len, stsafe_rsp_frame *rsp);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_FRAME_H */
