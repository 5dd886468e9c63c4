/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file codec.h
 * \brief Payload codecs of the foundation commands, shared by host and chip.
 *
 * Requests: the host encodes, the emulator decodes. Query responses: the
 * emulator encodes, the host decodes. Layouts are in docs/protocol.md, each
 * with the STSELib file it was taken from.
 *
 * Encoders write into a stsafe_writer and return its error (0, or
 * STSAFE_ERR_BUFFER_TOO_SMALL). Decoders are strict: they return
 * STSAFE_ERR_CODEC_TRUNCATED when a field is missing,
 * STSAFE_ERR_CODEC_TRAILING when bytes are left over, and
 * STSAFE_ERR_CODEC_VALUE for a value the format forbids; they never read
 * outside the given buffer. Decoded pointers point into that buffer.
 */
#ifndef STSAFE_CODEC_H
#define STSAFE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/protocol/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- requests -------------------------------------------------------------- */

/** Generate Random: subject(1) size(1). */
typedef struct {
    uint8_t subject;
    uint8_t size;
} stsafe_random_req;

/** Read: option(1) zone(1) offset(2) length(2). */
typedef struct {
    uint8_t option;
    uint8_t zone;
    uint16_t offset;
    uint16_t length;
} stsafe_read_req;

/** Update: option(1) zone(1) offset(2) data(n). */
typedef struct {
    uint8_t option;
    uint8_t zone;
    uint16_t offset;
    const uint8_t *data;
    size_t data_len;
} stsafe_update_req;

/** Decrement: option(1) zone(1) offset(2) amount(4) data(n). */
typedef struct {
    uint8_t option;
    uint8_t zone;
    uint16_t offset;
    uint32_t amount;
    const uint8_t *data;
    size_t data_len;
} stsafe_decrement_req;

int stsafe_random_req_encode(stsafe_writer *w, const stsafe_random_req *req);
int stsafe_random_req_decode(const uint8_t *p, size_t n, stsafe_random_req *req);
int stsafe_read_req_encode(stsafe_writer *w, const stsafe_read_req *req);
int stsafe_read_req_decode(const uint8_t *p, size_t n, stsafe_read_req *req);
int stsafe_update_req_encode(stsafe_writer *w, const stsafe_update_req *req);
int stsafe_update_req_decode(const uint8_t *p, size_t n, stsafe_update_req *req);
int stsafe_decrement_req_encode(stsafe_writer *w, const stsafe_decrement_req *req);
int stsafe_decrement_req_decode(const uint8_t *p, size_t n, stsafe_decrement_req *req);

/* ---- Query responses --------------------------------------------------------- */

#define STSAFE_MASK_ID_LEN        3u
#define STSAFE_ST_NUMBER_LEN      9u
#define STSAFE_PRODUCT_SUBTAG_MASK_ID   0x01u
#define STSAFE_PRODUCT_SUBTAG_ST_NUMBER 0x02u

/**
 * Tag 0x11: sub-records tag(1) size(1) value. The A110 sends 13 of them
 * (64 bytes, docs/protocol.md); STSELib reads the first two and ignores the
 * rest. The decoder keeps the ones below and skips the others.
 */
typedef struct {
    uint8_t mask_id[STSAFE_MASK_ID_LEN];      /**< sub-tag 0x01 */
    uint8_t st_number[STSAFE_ST_NUMBER_LEN];  /**< sub-tag 0x02 */
    uint16_t io_buffer_size;                  /**< sub-tag 0x03 */
    uint16_t atomicity_buffer_size;           /**< sub-tag 0x04 */
    uint16_t nvm_size;                        /**< sub-tag 0x05 */
} stsafe_product_data;

#define STSAFE_MAX_ZONES 32u

/** One record of tag 0x12. */
typedef struct {
    uint8_t index;
    uint8_t type;       /**< 0 plain, 1 one-way counter. */
    uint8_t access;     /**< read CR/AC bits 7..4, update CR/AC bits 3..0. */
    uint16_t length;    /**< Data segment length. */
    uint32_t counter;   /**< Counter zones only (0 otherwise). */
} stsafe_zone_record;

/** Tag 0x12: count(1), then per zone index(1) type(1) access(1) length(2) [counter(4)]. */
typedef struct {
    uint8_t count;
    stsafe_zone_record zone[STSAFE_MAX_ZONES];
} stsafe_partition_info;

#define STSAFE_MAX_KEY_SLOTS 8u

/** One record of tag 0x14. */
typedef struct {
    uint8_t slot;
    uint8_t present;
    uint8_t mode[2];    /**< Mode of operation (docs/protocol.md). */
    uint8_t curve;      /**< stsafe_curve (present slots only). */
} stsafe_key_slot_info;

/** Tag 0x14: count(1) change-right(1) global usage limit(2) records. */
typedef struct {
    uint8_t count;
    uint8_t change_right;
    uint16_t global_usage_limit;
    stsafe_key_slot_info slot[STSAFE_MAX_KEY_SLOTS];
} stsafe_key_table;

/** Tag 0x17 (A110, host key slot v1): presence(1), then C-MAC counter(3) only when present. */
typedef struct {
    uint8_t present;
    uint32_t cmac_counter;
} stsafe_host_key_info;

#define STSAFE_MAX_CMD_AUTH 40u

/** Command access conditions of tag 0x24 (STSELib stse_cmd_access_conditions_t). */
typedef enum {
    STSAFE_CMD_AC_NEVER = 0,
    STSAFE_CMD_AC_FREE = 1,
    STSAFE_CMD_AC_ADMIN = 2,
    STSAFE_CMD_AC_HOST = 3,
    STSAFE_CMD_AC_ADMIN_OR_PWD = 4,
    STSAFE_CMD_AC_ADMIN_OR_HOST = 5
} stsafe_cmd_ac;

#define STSAFE_CMD_ENC_CMD 0x02u  /**< Encryption flags: command payload encrypted. */
#define STSAFE_CMD_ENC_RSP 0x01u  /**< Encryption flags: response payload encrypted. */

typedef struct {
    uint8_t header;
    uint8_t ext_header;  /**< Present on the wire only when header is 0x1F. */
    uint8_t ac;          /**< stsafe_cmd_ac */
    uint8_t enc_flags;   /**< STSAFE_CMD_ENC_* */
} stsafe_cmd_auth_record;

/** Tag 0x24: change rights(1) count(1), then header(1) [ext(1)] AC(1) flags(1). */
typedef struct {
    uint8_t change_rights;   /**< bit 0 encryption flags CR, bit 1 command AC CR. */
    uint8_t count;
    stsafe_cmd_auth_record rec[STSAFE_MAX_CMD_AUTH];
} stsafe_cmd_auth_info;

/** Tag 0x0A: two bytes (docs/protocol.md has the bit layout). */
typedef struct {
    uint8_t address;         /**< 7-bit. */
    uint8_t locked;
    uint8_t low_power_mode;  /**< 0 none, 2 standby. */
    uint8_t idle_to_standby; /**< 5 bits, 50 ms steps (0 on the A110). */
} stsafe_i2c_info;

/** Tag 0x09: presence(1) maximum tries(1) remaining tries(1). */
typedef struct {
    uint8_t present;
    uint8_t max_tries;
    uint8_t remaining;
} stsafe_password_info;

#define STSAFE_MAX_ENVELOPE_SLOTS 4u

typedef struct {
    uint8_t slot;
    uint8_t present;
    uint8_t key_len_sel;   /**< 0 AES-128, 1 AES-256. */
} stsafe_envelope_key_info;

/** Tag 0x07: count(1), then slot(1) presence(1) [key length selector(1), present keys only]. */
typedef struct {
    uint8_t count;
    stsafe_envelope_key_info slot[STSAFE_MAX_ENVELOPE_SLOTS];
} stsafe_envelope_key_table;

int stsafe_product_data_encode(stsafe_writer *w, const stsafe_product_data *v);
int stsafe_product_data_decode(const uint8_t *p, size_t n, stsafe_product_data *v);
int stsafe_partition_info_encode(stsafe_writer *w, const stsafe_partition_info *v);
int stsafe_partition_info_decode(const uint8_t *p, size_t n, stsafe_partition_info *v);
int stsafe_key_table_encode(stsafe_writer *w, const stsafe_key_table *v);
int stsafe_key_table_decode(const uint8_t *p, size_t n, stsafe_key_table *v);
int stsafe_host_key_info_encode(stsafe_writer *w, const stsafe_host_key_info *v);
int stsafe_host_key_info_decode(const uint8_t *p, size_t n, stsafe_host_key_info *v);
int stsafe_cmd_auth_info_encode(stsafe_writer *w, const stsafe_cmd_auth_info *v);
int stsafe_cmd_auth_info_decode(const uint8_t *p, size_t n, stsafe_cmd_auth_info *v);
int stsafe_i2c_info_encode(stsafe_writer *w, const stsafe_i2c_info *v);
int stsafe_i2c_info_decode(const uint8_t *p, size_t n, stsafe_i2c_info *v);
int stsafe_password_info_encode(stsafe_writer *w, const stsafe_password_info *v);
int stsafe_password_info_decode(const uint8_t *p, size_t n, stsafe_password_info *v);
int stsafe_envelope_key_table_encode(stsafe_writer *w, const stsafe_envelope_key_table *v);
int stsafe_envelope_key_table_decode(const uint8_t *p, size_t n, stsafe_envelope_key_table *v);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_CODEC_H */
