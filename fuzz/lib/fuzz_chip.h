/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file fuzz_chip.h
 * \brief An emulated chip for the command fuzz targets: made fresh from
 *        the default profile for every input, and one command execution
 *        that asserts the chip's invariants (docs/fuzzing.md).
 *
 * The default profile (a P-256 key, a certificate) is generated once per
 * process with a fixed seed; every input then starts from a copy of it,
 * with the run random source reset, so an input always gives the same
 * answers. The mbedTLS curve groups are kept from one input to the next
 * (chip.h: "not chip state"): loading them is most of the cost otherwise.
 */
#ifndef STSE_FUZZ_CHIP_H
#define STSE_FUZZ_CHIP_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "fuzz_rng.h"
#include "stsafe/emulator/chip.h"
#include "stsafe/protocol/commands.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Serial number of the fuzzed chip. */
#define FUZZ_CHIP_SERIAL {0x46, 0x55, 0x5A, 0x5A, 0x00, 0x00, 0x00, 0x00, 0x01}

typedef struct {
    stsafe_emu_nvm profile;          /**< The default profile, made once. */
    stsafe_emu_chip chip;            /**< The chip under test. */
    fuzz_rng rng;                  /**< The chip's random source. */
    stsafe_emu_nvm before;           /**< The NVM before the last command. */
    fuzz_secrets secrets;          /**< Scalars the last response was checked against. */
    int check_secrets;             /**< 1: assert that no response holds a private scalar. */
    uint8_t rsp[STSAFE_A110_MAX_FRAME_LEN];
    size_t rsp_len;                /**< The last response. */
} fuzz_chip;

/**
 * \brief Make the default profile and a chip; the secret check is on.
 * \return 0; the errors of stsafe_emu_profile_apply().
 */
int fuzz_chip_init(fuzz_chip *f);

/** \brief Start over: the chip holds a copy of the default profile, the
 *         random source is reset, the volatile state is that of power-up. */
void fuzz_chip_fresh(fuzz_chip *f);

/** \brief As fuzz_chip_fresh(), with \p nvm instead of the profile. */
void fuzz_chip_load(fuzz_chip *f, const stsafe_emu_nvm *nvm);

/**
 * \brief Execute one frame and assert the invariants: the chip answers
 *        every frame with a well-formed response; a refused command
 *        leaves the NVM byte-identical (but for a counted C-MAC); no
 *        counter zone counts up and the partition keeps its shape; a
 *        changed NVM is marked dirty (else the tools would not save it);
 *        with check_secrets, no private scalar of the chip, before or
 *        after the command, is in the response.
 * \return The response's status code (bits 4..0).
 */
uint8_t fuzz_chip_exec(fuzz_chip *f, const uint8_t *frame, size_t len);

/** \brief 1 when \p frame is at least 3 bytes and its CRC is right. */
int fuzz_frame_crc_ok(const uint8_t *frame, size_t len);

/** \brief Overwrite the last two bytes with the CRC of the others (frames of 3 bytes or more). */
void fuzz_frame_fix_crc(uint8_t *frame, size_t len);

/**
 * \brief When \p frame has a C-MAC (header bit 7, at least 4 payload bytes)
 *        and the chip has host keys, overwrite the 4 bytes before the CRC
 *        with the C-MAC the chip expects now (its key, its counter), so
 *        that mutated protected commands get past the MAC check. Fix the
 *        CRC afterwards.
 */
void fuzz_frame_fix_cmac(const stsafe_emu_chip *chip, uint8_t *frame, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* STSE_FUZZ_CHIP_H */
