/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file error.h
 * \brief Error codes shared by every stsafe-emu module.
 *
 * Functions return 0 on success and a negative STSAFE_ERR_* value on failure,
 * in the style of mbedTLS. A status byte answered by the chip (or by the
 * emulator) is reported to host code as STSAFE_ERR_STATUS(status), so one
 * negative int carries both "the chip refused" and which status it gave.
 */
#ifndef STSAFE_ERROR_H
#define STSAFE_ERROR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Generic */
#define STSAFE_ERR_BAD_INPUT           (-0x0101) /**< A parameter is invalid (NULL, out of range). */
#define STSAFE_ERR_BUFFER_TOO_SMALL    (-0x0102) /**< The output buffer cannot hold the result. */
#define STSAFE_ERR_ALLOC               (-0x0103) /**< Memory allocation failed. */
#define STSAFE_ERR_IO                  (-0x0104) /**< A file or OS call failed (errno says why). */

/* Frames (protocol/frame.h) */
#define STSAFE_ERR_FRAME_TOO_SHORT     (-0x0201) /**< Fewer bytes than the smallest frame. */
#define STSAFE_ERR_FRAME_TOO_LONG      (-0x0202) /**< More bytes than the chip's largest frame. */
#define STSAFE_ERR_FRAME_CRC           (-0x0203) /**< The CRC does not match the frame. */
#define STSAFE_ERR_FRAME_LENGTH        (-0x0204) /**< A response length field disagrees with the bytes. */

/* Payload codecs (protocol/codec.h) */
#define STSAFE_ERR_CODEC_TRUNCATED     (-0x0301) /**< The payload ends before a field it announces. */
#define STSAFE_ERR_CODEC_TRAILING      (-0x0302) /**< Bytes left over after the last field. */
#define STSAFE_ERR_CODEC_VALUE         (-0x0303) /**< A field holds a value the format does not allow. */

/* Bus and host client (harness/) */
#define STSAFE_ERR_BUS_NACK            (-0x0401) /**< The device did not acknowledge its address. */
#define STSAFE_ERR_BUS_IO              (-0x0402) /**< The bus backend failed (socket closed, ioctl error). */
#define STSAFE_ERR_BUS_TIMEOUT         (-0x0403) /**< The device stayed busy past the retry budget. */
#define STSAFE_ERR_UNSUPPORTED         (-0x0404) /**< The backend does not offer the operation. */
#define STSAFE_ERR_DEVICE_FAILED       (-0x0405) /**< A served device failed for good (a recorded
                                                  *   device whose host left the script): the server stopped. */

/* Emulator image and model (emulator/) */
#define STSAFE_ERR_IMAGE_FORMAT        (-0x0501) /**< Not an stsafe-emu image, or a malformed one. */
#define STSAFE_ERR_IMAGE_VERSION       (-0x0502) /**< An image version this build cannot read. */
#define STSAFE_ERR_IMAGE_CHECKSUM      (-0x0503) /**< The image checksum does not match: corrupted. */
#define STSAFE_ERR_CRYPTO              (-0x0504) /**< An mbedTLS call failed. */
#define STSAFE_ERR_IMAGE_FIELD         (-0x0505) /**< An intact image holding a value the chip cannot
                                                  *   have (stsafe_emu_image_check() names the field). */
#define STSAFE_ERR_IMAGE_LOCKED        (-0x0506) /**< Another process has the image open (image_lock.h). */

/* Host secure channel (protocol/secure_channel.h, the host client) */
#define STSAFE_ERR_SC_PADDING          (-0x0601) /**< Decrypted data does not end in 80 00..00. */
#define STSAFE_ERR_SC_RMAC             (-0x0602) /**< The response's R-MAC is missing or wrong. */
#define STSAFE_ERR_SC_NO_KEYS          (-0x0603) /**< The chip has no host keys: no session can open. */
#define STSAFE_ERR_SC_COUNTER          (-0x0604) /**< The C-MAC counter reached its maximum. */

/* I2C traces (harness: trace.h, trace replay, the recorded device) */
#define STSAFE_ERR_TRACE_SYNTAX        (-0x0701) /**< A trace or capture line is malformed. */
#define STSAFE_ERR_TRACE_MISMATCH      (-0x0702) /**< The bus did not do what the trace says. */

/** Base of the range that carries a chip status byte (1..0x1F). */
#define STSAFE_ERR_STATUS_BASE         (-0x1000)
/** The error code for a non-zero chip status \p s. */
#define STSAFE_ERR_STATUS(s)           (STSAFE_ERR_STATUS_BASE - (int)(s))
/** True when \p err carries a chip status. */
#define STSAFE_ERR_IS_STATUS(err)      ((err) < STSAFE_ERR_STATUS_BASE && (err) >= STSAFE_ERR_STATUS_BASE - 0xFF)
/** The chip status carried by \p err (only meaningful when STSAFE_ERR_IS_STATUS). */
#define STSAFE_ERR_TO_STATUS(err)      ((uint8_t)(STSAFE_ERR_STATUS_BASE - (err)))

/**
 * \brief A short English description of an error code.
 * \param err  0 or any STSAFE_ERR_* value (chip statuses included).
 * \return     A static string; never NULL.
 */
const char *stsafe_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_ERROR_H */
