/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file crc16.h
 * \brief The CRC-16 of STSAFE-A frames (facts page, section 3).
 *
 * CRC-16/X-25: polynomial 0x1021 processed reflected (0x8408), initial value
 * 0xFFFF, reflected input and output, final XOR 0xFFFF. Check value over
 * "123456789" is 0x906E. Frames carry the result high byte first.
 */
#ifndef STSAFE_CRC16_H
#define STSAFE_CRC16_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Initial register value for stsafe_crc16_update(). */
#define STSAFE_CRC16_INIT 0xFFFFu

/**
 * \brief Feed bytes into a running CRC register (no final XOR).
 * \param reg   STSAFE_CRC16_INIT for the first call, then the previous return.
 * \param data  Bytes to add; may be NULL when \p len is 0.
 * \param len   Number of bytes.
 * \return      The updated register; finish with stsafe_crc16_final().
 */
uint16_t stsafe_crc16_update(uint16_t reg, const uint8_t *data, size_t len);

/** \brief The CRC value of a finished register (applies the final XOR). */
uint16_t stsafe_crc16_final(uint16_t reg);

/** \brief CRC-16/X-25 of one buffer: update from the initial value, then final. */
uint16_t stsafe_crc16(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_CRC16_H */
