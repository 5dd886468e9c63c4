/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file status.h
 * \brief The status byte of an STSAFE-A response (facts page, section 5).
 *
 * The low 5 bits of a response's first byte are the status code; the high
 * bits carry the R-MAC flag on MAC-protected responses.
 */
#ifndef STSAFE_STATUS_H
#define STSAFE_STATUS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_STATUS_CODE_MASK 0x1Fu

typedef enum {
    STSAFE_ST_OK                        = 0x00,
    STSAFE_ST_COMMUNICATION_ERROR       = 0x01,
    STSAFE_ST_INCONSISTENT_COMMAND_DATA = 0x02,
    STSAFE_ST_OUT_OF_RANGE              = 0x03,
    STSAFE_ST_UNSUPPORTED_COMMAND       = 0x04,
    STSAFE_ST_UNEXPECTED_ERROR          = 0x05,
    STSAFE_ST_BUFFER_LENGTH_EXCEEDED    = 0x06,
    STSAFE_ST_SESSION_ERROR             = 0x07,
    STSAFE_ST_TOO_MANY_MESSAGES_LOST    = 0x08,
    STSAFE_ST_CMAC_COUNTER_MAX          = 0x09,
    STSAFE_ST_KEY_NOT_FOUND             = 0x0A,
    STSAFE_ST_KEY_BLOCKED               = 0x0B,
    STSAFE_ST_WRONG_KEY_TYPE            = 0x0C,
    STSAFE_ST_SESSION_COUNTER_RANGE     = 0x0D,
    STSAFE_ST_DEPTH_OUT_OF_RANGE        = 0x0E, /**< Named in ST's A110 library, not in STSELib. */
    STSAFE_ST_INVALID_LIFE_CYCLE        = 0x0F,
    STSAFE_ST_ENTRY_NOT_FOUND           = 0x10,
    STSAFE_ST_ACCESS_CONDITION          = 0x11,
    STSAFE_ST_WRONG_ZONE_TYPE           = 0x12,
    STSAFE_ST_COUNTER_LIMIT             = 0x13,
    STSAFE_ST_BOUNDARY_EXCEEDED         = 0x14,
    STSAFE_ST_INVALID_PRIVATE_KEY       = 0x15,
    STSAFE_ST_INVALID_CMAC              = 0x16,
    STSAFE_ST_CHALLENGE_MISSING         = 0x17,
    STSAFE_ST_DECRYPTION_ERROR          = 0x18,
    STSAFE_ST_INVALID_PUBLIC_KEY        = 0x19,
    STSAFE_ST_PASSWORD_BLOCKED          = 0x1A,
    STSAFE_ST_WRONG_KEY_USAGE           = 0x1B,
    STSAFE_ST_WRONG_MODE                = 0x1C,
    STSAFE_ST_WRONG_MAC_LENGTH          = 0x1D,
    STSAFE_ST_COMMAND_NOT_AUTHORIZED    = 0x1E,
    STSAFE_ST_OLD_MESSAGE               = 0x1F
} stsafe_status;

/**
 * \brief The name of a status code, e.g. "access condition not satisfied".
 * \param status  A response status byte; the R-MAC flag bits are ignored.
 * \return        A static string; never NULL.
 */
const char *stsafe_status_str(uint8_t status);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_STATUS_H */
