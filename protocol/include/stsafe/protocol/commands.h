/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file commands.h
 * \brief Command codes, header flags, query tags and access conditions of
 *        the STSAFE-A protocol (facts page, sections 2, 4, 6 and 6a).
 */
#ifndef STSAFE_COMMANDS_H
#define STSAFE_COMMANDS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Largest frame the A110 accepts, in bytes (facts page, section 1). */
#define STSAFE_A110_MAX_FRAME_LEN 507u
/** Default 7-bit I2C address. */
#define STSAFE_I2C_ADDR_DEFAULT   0x20u

/* Command header: code in bits 4..0, protection flags in bits 7..5. */
#define STSAFE_HDR_CODE_MASK      0x1Fu
#define STSAFE_HDR_CMAC           0x80u /**< The command carries a C-MAC. */
#define STSAFE_HDR_RMAC           0x40u /**< The host asks for an R-MAC. */
#define STSAFE_HDR_PROT_BIT5      0x20u /**< Set on protected commands on real chips (section 3a). */

typedef enum {
    STSAFE_CMD_ECHO                 = 0x00,
    STSAFE_CMD_RESET                = 0x01,
    STSAFE_CMD_GENERATE_RANDOM      = 0x02,
    STSAFE_CMD_START_SESSION        = 0x03,
    STSAFE_CMD_DECREMENT            = 0x04,
    STSAFE_CMD_READ                 = 0x05,
    STSAFE_CMD_UPDATE               = 0x06,
    STSAFE_CMD_INCREMENT            = 0x07,
    STSAFE_CMD_DERIVE_LORA_KEY      = 0x08,
    STSAFE_CMD_GENERATE_MAC         = 0x09,
    STSAFE_CMD_VERIFY_MAC           = 0x0A,
    STSAFE_CMD_UNWRAP_ISSUER_ENV    = 0x0B,
    STSAFE_CMD_DELETE               = 0x0C,
    STSAFE_CMD_HIBERNATE            = 0x0D,
    STSAFE_CMD_WRAP_LOCAL_ENVELOPE  = 0x0E,
    STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE= 0x0F,
    STSAFE_CMD_PUT_ATTRIBUTE        = 0x10,
    STSAFE_CMD_GENERATE_KEY         = 0x11,
    STSAFE_CMD_PUT_KEY              = 0x12,
    STSAFE_CMD_CONFIGURE            = 0x13,
    STSAFE_CMD_QUERY                = 0x14,
    STSAFE_CMD_GET_SIGNATURE        = 0x15,
    STSAFE_CMD_GENERATE_SIGNATURE   = 0x16,
    STSAFE_CMD_VERIFY_SIGNATURE     = 0x17,
    STSAFE_CMD_ESTABLISH_KEY        = 0x18,
    STSAFE_CMD_STANDBY              = 0x19,
    STSAFE_CMD_VERIFY_PASSWORD      = 0x1A,
    STSAFE_CMD_ENCRYPT              = 0x1B,
    STSAFE_CMD_DECRYPT              = 0x1C,
    STSAFE_CMD_CHUNK_PREFIX         = 0x1E, /**< A120 chunked transfer prefix. */
    STSAFE_CMD_EXTENDED_PREFIX      = 0x1F  /**< A120 extended command prefix. */
} stsafe_cmd_code;

/** \brief The command's name ("Echo", "Read", ...), or "unknown". */
const char *stsafe_cmd_name(uint8_t code);

/** Subject tags of Query and Put Attribute (facts page, section 6). */
typedef enum {
    STSAFE_TAG_LOCAL_ENVELOPE_KEY_TABLE = 0x07,
    STSAFE_TAG_LIFE_CYCLE_STATE         = 0x08,
    STSAFE_TAG_PASSWORD_SLOT            = 0x09,
    STSAFE_TAG_I2C_PARAMETERS           = 0x0A,
    STSAFE_TAG_PRODUCT_DATA             = 0x11,
    STSAFE_TAG_DATA_PARTITION           = 0x12,
    STSAFE_TAG_PRIVATE_KEY_SLOT         = 0x13,
    STSAFE_TAG_PRIVATE_KEY_TABLE        = 0x14,
    STSAFE_TAG_HOST_KEY_SLOT            = 0x17,
    STSAFE_TAG_COMMAND_AUTHORIZATION    = 0x24,
    STSAFE_TAG_COMMAND_AC               = 0x29, /**< Access conditions alone: count, {code, AC}. */
    STSAFE_TAG_COMMAND_ENCRYPTION       = 0x2A  /**< Encryption flags alone: count, {code, flags}. */
} stsafe_tag;

/** Hibernate wake-up modes (STSELib stse_hibernate_wake_up_mode_t). */
#define STSAFE_WAKE_ON_I2C_OR_RESET 0x01u
#define STSAFE_WAKE_ON_RESET        0x02u

/** Zone access conditions, 3 bits (facts page, section 6a). */
typedef enum {
    STSAFE_AC_ALWAYS    = 0,
    STSAFE_AC_HOST      = 1, /**< The command must carry a valid C-MAC. */
    STSAFE_AC_AUTH_HOST = 6, /**< Authenticated entity and host. */
    STSAFE_AC_NEVER     = 7
} stsafe_ac;

/* Access byte of a data partition record. */
#define STSAFE_ZONE_READ_CR          0x80u /**< bit 7: read access condition may change */
#define STSAFE_ZONE_READ_AC_SHIFT    4
#define STSAFE_ZONE_UPDATE_CR        0x08u /**< bit 3: update access condition may change */
#define STSAFE_ZONE_UPDATE_AC_SHIFT  0
#define STSAFE_ZONE_AC_MASK          0x07u

/* Option byte of Read, Update and Decrement. */
#define STSAFE_OPT_NEW_AC_MASK       0x07u /**< bits 2..0: the new access condition */
#define STSAFE_OPT_NEW_CR            0x08u /**< bit 3: the new change right */
#define STSAFE_OPT_CHANGE_AC         0x10u /**< bit 4: change the access condition */
#define STSAFE_OPT_ATOMIC            0x80u /**< bit 7 (Update only): atomic update */
#define STSAFE_OPT_READ_RESERVED     0xE0u /**< Read and Decrement: bits 7..5 must be zero */
#define STSAFE_OPT_UPDATE_RESERVED   0x60u /**< Update: bits 6..5 must be zero */

/** Generate Random's only subject on the A110. */
#define STSAFE_RANDOM_SUBJECT_DEFAULT 0x00u

/** Zone types of a data partition record. */
typedef enum {
    STSAFE_ZONE_PLAIN   = 0,
    STSAFE_ZONE_COUNTER = 1
} stsafe_zone_type;

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_COMMANDS_H */
