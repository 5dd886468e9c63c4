/* SPDX-License-Identifier: BSD-3-Clause */
/* Inside the emulator: the dispatch table's types and the command handlers.
 * Every handler is a function of (chip state, request) -> (status, response
 * data) and validates its whole request before it changes any state, so a
 * refused command leaves the NVM as it was. */
#ifndef STSAFE_EMU_INTERNAL_H
#define STSAFE_EMU_INTERNAL_H

#include <stdint.h>

#include "stsafe/emulator/chip.h"
#include "stsafe/protocol/buf.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/status.h"

/** The command as the handler sees it: frame checks and MAC already done. */
typedef struct {
    uint8_t header;
    uint8_t code;
    const uint8_t *payload;     /**< Without the C-MAC. */
    size_t payload_len;
    int host_authenticated;     /**< The command carried a valid C-MAC. */
} stsafe_emu_request;

/** Writes response data into \p out and returns the status byte. */
typedef uint8_t (*stsafe_emu_handler)(stsafe_emu_chip *chip, const stsafe_emu_request *req,
                                    stsafe_writer *out);

/** One row of the dispatch table. */
typedef struct {
    uint8_t code;
    uint16_t min_len;           /**< Payload bounds, C-MAC excluded. */
    uint16_t max_len;
    stsafe_emu_handler handler;
} stsafe_emu_cmd_def;

/** The row of a command the A110 implements, or NULL. */
const stsafe_emu_cmd_def *stsafe_emu_find_cmd(uint8_t code);

/** Largest response data the A110 sends: its frame limit less status, length and CRC. */
#define STSAFE_EMU_MAX_RSP_DATA (STSAFE_A110_MAX_FRAME_LEN - 5u)

/** Records that a command writes the NVM, even bytes equal to those it
 *  holds: a brown-out armed for "the next NVM write" fires (docs/faults.md). */
static inline void stsafe_emu_nvm_writing(stsafe_emu_chip *chip)
{
    chip->faults.nvm_written = 1;
}

/** Records that a command changed the NVM (the owner saves the image). */
static inline void stsafe_emu_nvm_touched(stsafe_emu_chip *chip)
{
    chip->nvm_dirty = 1;
    chip->stats.nvm_writes++;
    stsafe_emu_nvm_writing(chip);
}

/** A counter the chip commits before it acts on a command (the password
 *  tries, the C-MAC counter): it has changed in the NVM, and a brown-out
 *  later in the same command keeps it (docs/faults.md, "brownout"). */
static inline void stsafe_emu_nvm_commit(stsafe_emu_chip *chip)
{
    stsafe_emu_nvm_touched(chip);
    if (chip->faults.survives) {
        *chip->faults.survives = chip->nvm;
        chip->faults.committed = 1;
    }
}

/* The chip's random source (chip_rng.c) */
/** Start a command: \p frame seeds the draws it makes (kept by pointer until rng_end). */
void stsafe_emu_rng_begin(stsafe_emu_chip *chip, const uint8_t *frame, size_t frame_len);
/** End the command: drop its DRBG. */
void stsafe_emu_rng_end(stsafe_emu_chip *chip);
/** The f_rng every command uses; \p p_chip is the chip. 0 on success. */
int stsafe_emu_rng_draw(void *p_chip, unsigned char *out, size_t len);

/* Secure channel (secure_channel.c) */
/** What the chip remembers of a protected command while it runs. */
typedef struct {
    int active;                 /**< The C-MAC was verified. */
    uint32_t counter;           /**< N + 1: for the IVs and the R-MAC. */
    uint8_t header;
    const uint8_t *wire_payload;/**< As received, without the C-MAC. */
    size_t wire_len;
} stsafe_emu_sc;

/** Check a protected command's C-MAC and advance the counter; OK for a plain command. */
uint8_t stsafe_emu_sc_open(stsafe_emu_chip *chip, const stsafe_cmd_frame *cmd, stsafe_emu_sc *sc);
/** Set the request's payload: decrypted into \p plain when \p enc_flags say so. */
uint8_t stsafe_emu_sc_payload(stsafe_emu_chip *chip, const stsafe_emu_sc *sc, uint8_t enc_flags,
                            uint8_t *plain, size_t cap, stsafe_emu_request *req);
/** Encrypt the response data when asked and append the R-MAC; may change the status byte. */
uint8_t stsafe_emu_sc_seal(stsafe_emu_chip *chip, const stsafe_emu_sc *sc, uint8_t enc_flags,
                         uint8_t *data, size_t *len, size_t cap, uint8_t *status_byte);

/* Access conditions (access.c) */
/** The command's record in the authorisation table, or NULL. */
stsafe_emu_cmd_auth *stsafe_emu_find_cmd_auth(stsafe_emu_cmd_auth_table *t, uint8_t code);

/** 1 when command access condition \p new_ac is met by nobody who could
 *  not meet \p old_ac (the set of who can meet it does not grow). */
int stsafe_emu_cmd_ac_not_weaker(uint8_t old_ac, uint8_t new_ac);

/** 1 when \p new_flags clears no encryption flag \p old_flags has set. */
int stsafe_emu_cmd_flags_not_weaker(uint8_t old_flags, uint8_t new_flags);
/** 1 when a command with this authentication satisfies zone access condition \p ac. */
int stsafe_emu_ac_satisfied(uint8_t ac, const stsafe_emu_request *req);
/** The status for a change of access condition from \p cur (with change right \p cr) to \p option's. */
uint8_t stsafe_emu_ac_change_status(uint8_t cur_ac, int change_right, uint8_t option);

/* Handlers (cmd_general.c, cmd_query.c, cmd_data.c) */
uint8_t stsafe_emu_cmd_echo(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_reset(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_random(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_query(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_read(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_update(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_generate_key(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_generate_signature(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_verify_signature(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_establish_key(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_wrap(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_unwrap(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
/** Generate Key with tag 0x07 (a local envelope key); status only. */
uint8_t stsafe_emu_genkey_envelope(stsafe_emu_chip *chip, const stsafe_emu_request *req);
uint8_t stsafe_emu_cmd_hibernate(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_put_attribute(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_verify_password(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_delete(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);
uint8_t stsafe_emu_cmd_decrement(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out);

#endif
