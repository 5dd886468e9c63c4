/**
 * \file nvm.h
 * \brief The chip's non-volatile state: everything an image file holds.
 *
 * The structure is plain data with no pointers, so a snapshot is a struct
 * copy and "state unchanged" is a memcmp. Zone data live in one arena,
 * each zone at its own offset, like the chip's data partition.
 */
#ifndef STSE_EMU_NVM_H
#define STSE_EMU_NVM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STSE_EMU_MAX_ZONES          16u
#define STSE_EMU_ZONE_ARENA_SIZE    8192u  /**< Bytes of data partition in all. */
#define STSE_EMU_SERIAL_LEN         9u     /**< ST serial number length (facts page, 3a). */
#define STSE_EMU_MAX_KEY_SLOTS      2u     /**< A110 private key slots 0 and 1. */
#define STSE_EMU_MAX_SCALAR_LEN     48u    /**< Up to 384-bit curves. */
#define STSE_EMU_HOST_KEY_LEN       16u    /**< A110: AES-128 host keys. */
#define STSE_EMU_PASSWORD_LEN       16u
#define STSE_EMU_MAX_CMD_AUTH       32u
#define STSE_EMU_ENVELOPE_SLOTS     2u     /**< A110 local envelope key slots 0 and 1. */
#define STSE_EMU_ATOMICITY_BUFFER   64u    /**< Product data 0x04 (ST's A110 library splits atomic updates so). */

/** Life-cycle states as Query tag 0x08 reports them (STSELib stsafea_put_query.h). */
typedef enum {
    STSE_EMU_LC_BORN                   = 0x01,
    STSE_EMU_LC_PATCHING               = 0x02,
    STSE_EMU_LC_OPERATIONAL            = 0x03,
    STSE_EMU_LC_TERMINATED             = 0x04,
    STSE_EMU_LC_BORN_AND_LOCKED        = 0x81,
    STSE_EMU_LC_OPERATIONAL_AND_LOCKED = 0x83
} stse_emu_life_cycle;

/** One data partition zone. */
typedef struct {
    uint8_t type;          /**< STSAFE_ZONE_PLAIN or STSAFE_ZONE_COUNTER. */
    uint8_t access;        /**< Access byte: read CR/AC (bits 7..4), update CR/AC (bits 3..0). */
    uint16_t size;         /**< Data segment length in bytes. */
    uint16_t offset;       /**< Start of the data segment in the arena. */
    uint32_t counter;      /**< One-way counter (counter zones only). */
} stse_emu_zone;

/** One private key slot. The scalar never leaves the emulator except in the image file. */
typedef struct {
    uint8_t present;
    uint8_t curve;                          /**< stsafe_curve */
    uint8_t mode[2];                        /**< Mode of operation, as Query 0x14 reports it. */
    uint16_t usage_limit;                   /**< Remaining signatures; 0xFFFF = unlimited. */
    uint8_t priv[STSE_EMU_MAX_SCALAR_LEN];  /**< Big-endian, curve size bytes. */
    uint8_t pub_x[STSE_EMU_MAX_SCALAR_LEN];
    uint8_t pub_y[STSE_EMU_MAX_SCALAR_LEN];
} stse_emu_key_slot;

/** The host key slot of the secure channel (A110: AES-128, 3-byte counter). */
typedef struct {
    uint8_t present;
    uint8_t mac_key[STSE_EMU_HOST_KEY_LEN];
    uint8_t cipher_key[STSE_EMU_HOST_KEY_LEN];
    uint32_t cmac_counter;                  /**< 24 bits. */
} stse_emu_host_keys;

/** A local envelope key slot (Wrap/Unwrap Local Envelope). */
typedef struct {
    uint8_t present;
    uint8_t key_len_sel;                    /**< 0 AES-128, 1 AES-256. */
    uint8_t key[32];
} stse_emu_envelope_key;

typedef struct {
    uint8_t present;
    uint8_t value[STSE_EMU_PASSWORD_LEN];
    uint8_t max_tries;
    uint8_t tries_left;
} stse_emu_password;

/** Access condition of one command (Query tag 0x24). */
typedef struct {
    uint8_t header;            /**< Command code. */
    uint8_t ext_header;        /**< Extended code (unused on the A110). */
    uint8_t ac;                /**< stsafe_cmd_ac (protocol/codec.h). */
    uint8_t host_encryption;   /**< STSAFE_CMD_ENC_CMD | STSAFE_CMD_ENC_RSP. */
} stse_emu_cmd_auth;

typedef struct {
    uint8_t change_right;
    uint8_t count;
    stse_emu_cmd_auth rec[STSE_EMU_MAX_CMD_AUTH];
} stse_emu_cmd_auth_table;

typedef struct {
    uint8_t address;           /**< 7-bit I2C address. */
    uint8_t low_power_mode;
    uint8_t locked;
} stse_emu_i2c_params;

/** The whole non-volatile image. */
typedef struct {
    uint8_t serial[STSE_EMU_SERIAL_LEN];
    uint8_t mask_id[3];
    uint8_t life_cycle;                     /**< stse_emu_life_cycle */
    uint8_t zone_count;
    stse_emu_zone zones[STSE_EMU_MAX_ZONES];
    uint8_t zone_arena[STSE_EMU_ZONE_ARENA_SIZE];
    stse_emu_key_slot key_slots[STSE_EMU_MAX_KEY_SLOTS];
    stse_emu_envelope_key envelope_keys[STSE_EMU_ENVELOPE_SLOTS];
    stse_emu_host_keys host_keys;
    stse_emu_password password;
    stse_emu_cmd_auth_table cmd_auth;
    stse_emu_i2c_params i2c;
} stse_emu_nvm;

/** \brief Zero the whole image (no zones, no keys, life cycle BORN). */
void stse_emu_nvm_init(stse_emu_nvm *nvm);

/**
 * \brief Add a zone at the end of the partition.
 * \return 0; STSAFE_ERR_BAD_INPUT when the table or the arena is full.
 */
int stse_emu_nvm_add_zone(stse_emu_nvm *nvm, uint8_t type, uint8_t access, uint16_t size,
                          uint32_t counter);

/** \brief The data segment of zone \p index (NULL when it does not exist). */
uint8_t *stse_emu_nvm_zone_data(stse_emu_nvm *nvm, uint8_t index);

#ifdef __cplusplus
}
#endif

#endif /* STSE_EMU_NVM_H */
