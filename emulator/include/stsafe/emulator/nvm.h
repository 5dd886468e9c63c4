/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file nvm.h
 * \brief The chip's non-volatile state: everything an image file holds.
 *
 * The structure is plain data with no pointers, so a snapshot is a struct
 * copy and "state unchanged" is a memcmp. Zone data live in one arena,
 * each zone at its own offset, like the chip's data partition.
 */
#ifndef STSAFE_EMU_NVM_H
#define STSAFE_EMU_NVM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_EMU_MAX_ZONES          16u
#define STSAFE_EMU_ZONE_ARENA_SIZE    8192u  /**< Bytes of data partition in all. */
#define STSAFE_EMU_SERIAL_LEN         9u     /**< ST serial number length (facts page, 3a). */
#define STSAFE_EMU_MAX_KEY_SLOTS      2u     /**< A110 private key slots 0 and 1. */
#define STSAFE_EMU_MAX_SCALAR_LEN     48u    /**< Up to 384-bit curves. */
#define STSAFE_EMU_HOST_KEY_LEN       16u    /**< A110: AES-128 host keys. */
#define STSAFE_EMU_PASSWORD_LEN       16u
#define STSAFE_EMU_MAX_CMD_AUTH       32u
#define STSAFE_EMU_ENVELOPE_SLOTS     2u     /**< A110 local envelope key slots 0 and 1. */
#define STSAFE_EMU_ATOMICITY_BUFFER   64u    /**< Product data 0x04 (ST's A110 library splits atomic updates so). */

/** Life-cycle states as Query tag 0x08 reports them (STSELib stsafea_put_query.h). */
typedef enum {
    STSAFE_EMU_LC_BORN                   = 0x01,
    STSAFE_EMU_LC_PATCHING               = 0x02,
    STSAFE_EMU_LC_OPERATIONAL            = 0x03,
    STSAFE_EMU_LC_TERMINATED             = 0x04,
    STSAFE_EMU_LC_BORN_AND_LOCKED        = 0x81,
    STSAFE_EMU_LC_OPERATIONAL_AND_LOCKED = 0x83
} stsafe_emu_life_cycle;

/** One data partition zone. */
typedef struct {
    uint8_t type;          /**< STSAFE_ZONE_PLAIN or STSAFE_ZONE_COUNTER. */
    uint8_t access;        /**< Access byte: read CR/AC (bits 7..4), update CR/AC (bits 3..0). */
    uint16_t size;         /**< Data segment length in bytes. */
    uint16_t offset;       /**< Start of the data segment in the arena. */
    uint32_t counter;      /**< One-way counter (counter zones only). */
} stsafe_emu_zone;

/** One private key slot. The scalar never leaves the emulator except in the image file. */
typedef struct {
    uint8_t present;
    uint8_t curve;                          /**< stsafe_curve */
    uint8_t mode[2];                        /**< Mode of operation, as Query 0x14 reports it. */
    uint16_t usage_limit;                   /**< Remaining signatures; 0xFFFF = unlimited. */
    uint8_t priv[STSAFE_EMU_MAX_SCALAR_LEN];  /**< Big-endian, curve size bytes. */
    uint8_t pub_x[STSAFE_EMU_MAX_SCALAR_LEN];
    uint8_t pub_y[STSAFE_EMU_MAX_SCALAR_LEN];
} stsafe_emu_key_slot;

/** The host key slot of the secure channel (A110: AES-128, 3-byte counter). */
typedef struct {
    uint8_t present;
    uint8_t mac_key[STSAFE_EMU_HOST_KEY_LEN];
    uint8_t cipher_key[STSAFE_EMU_HOST_KEY_LEN];
    uint32_t cmac_counter;                  /**< 24 bits. */
} stsafe_emu_host_keys;

/** A local envelope key slot (Wrap/Unwrap Local Envelope). */
typedef struct {
    uint8_t present;
    uint8_t key_len_sel;                    /**< 0 AES-128, 1 AES-256. */
    uint8_t key[32];
} stsafe_emu_envelope_key;

typedef struct {
    uint8_t present;
    uint8_t value[STSAFE_EMU_PASSWORD_LEN];
    uint8_t max_tries;
    uint8_t tries_left;
} stsafe_emu_password;

/** Access condition of one command (Query tag 0x24). */
typedef struct {
    uint8_t header;            /**< Command code. */
    uint8_t ext_header;        /**< Extended code (unused on the A110). */
    uint8_t ac;                /**< stsafe_cmd_ac (protocol/codec.h). */
    uint8_t host_encryption;   /**< STSAFE_CMD_ENC_CMD | STSAFE_CMD_ENC_RSP. */
} stsafe_emu_cmd_auth;

typedef struct {
    uint8_t change_right;
    uint8_t count;
    stsafe_emu_cmd_auth rec[STSAFE_EMU_MAX_CMD_AUTH];
} stsafe_emu_cmd_auth_table;

typedef struct {
    uint8_t address;           /**< 7-bit I2C address. */
    uint8_t low_power_mode;
    uint8_t locked;
} stsafe_emu_i2c_params;

#define STSAFE_EMU_SEED_LEN           32u    /**< The chip seed (docs/image-format.md, section 9). */

/**
 * The chip's random source: every random byte a command uses (generated
 * keys, envelope keys, Generate Random, signature nonces) comes from an
 * CTR_DRBG (AES-256) instantiated per command from the seed, the draw counter
 * and the command frame (emulator/src/chip_rng.c). The seed is as secret as the keys.
 */
typedef struct {
    uint8_t seeded;            /**< 0: a bare NVM with no seed: the chip draws from its f_rng. */
    uint8_t seed[STSAFE_EMU_SEED_LEN];
    uint64_t draws;            /**< Commands that drew random bytes so far (never goes back). */
} stsafe_emu_entropy;

/** The whole non-volatile image. */
typedef struct {
    uint8_t serial[STSAFE_EMU_SERIAL_LEN];
    uint8_t mask_id[3];
    uint8_t life_cycle;                     /**< stsafe_emu_life_cycle */
    uint8_t zone_count;
    stsafe_emu_zone zones[STSAFE_EMU_MAX_ZONES];
    uint8_t zone_arena[STSAFE_EMU_ZONE_ARENA_SIZE];
    stsafe_emu_key_slot key_slots[STSAFE_EMU_MAX_KEY_SLOTS];
    stsafe_emu_envelope_key envelope_keys[STSAFE_EMU_ENVELOPE_SLOTS];
    stsafe_emu_host_keys host_keys;
    stsafe_emu_password password;
    stsafe_emu_cmd_auth_table cmd_auth;
    stsafe_emu_i2c_params i2c;
    stsafe_emu_entropy entropy;             /**< Seed and draw counter (section 9). */
} stsafe_emu_nvm;

/** \brief Zero the whole image (no zones, no keys, life cycle BORN). */
void stsafe_emu_nvm_init(stsafe_emu_nvm *nvm);

/**
 * \brief Add a zone at the end of the partition.
 * \return 0; STSAFE_ERR_BAD_INPUT when the table or the arena is full.
 */
int stsafe_emu_nvm_add_zone(stsafe_emu_nvm *nvm, uint8_t type, uint8_t access, uint16_t size,
                          uint32_t counter);

/**
 * \brief Give the chip its seed (stsafe_emu_entropy): \p len bytes, used as
 *        they are when 32, else their SHA-256. The draw counter restarts at 0.
 * \param len  1..64.
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_CRYPTO.
 */
int stsafe_emu_nvm_set_seed(stsafe_emu_nvm *nvm, const uint8_t *seed, size_t len);

/** \brief The data segment of zone \p index (NULL when it does not exist). */
uint8_t *stsafe_emu_nvm_zone_data(stsafe_emu_nvm *nvm, uint8_t index);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_EMU_NVM_H */
