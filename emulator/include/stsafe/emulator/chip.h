/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file chip.h
 * \brief The STSAFE-A110 model: state, command execution, I2C slave.
 *
 * Two layers:
 * - stsafe_emu_execute() is the pure command model: one command frame in, one
 *   response frame out, over the chip state. It never sees a bus.
 * - stsafe_emu_i2c_write() / stsafe_emu_i2c_read() make the model an I2C slave
 *   (facts page, section 1): the host writes a whole frame; while the
 *   command is processing the chip NACKs its address; then every read
 *   transaction starts at the first byte of the response, which stays
 *   readable until the next command is written.
 *
 * Time is given by the caller (a virtual clock in microseconds), so the
 * model holds no hidden clock and tests are deterministic.
 */
#ifndef STSAFE_EMU_CHIP_H
#define STSAFE_EMU_CHIP_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ecp.h>
#include <mbedtls/ctr_drbg.h>

#include "stsafe/emulator/nvm.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/curves.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Random generator callback, as mbedTLS's f_rng: 0 on success. */
typedef int (*stsafe_emu_rng_fn)(void *p_rng, unsigned char *out, size_t len);

/** How long the chip stays busy after a command (issue: timing model). */
typedef enum {
    STSAFE_EMU_TIMING_NONE = 0,   /**< Answers are ready at once. */
    STSAFE_EMU_TIMING_DATASHEET,  /**< Busy for the command's datasheet time on the caller's clock. */
    STSAFE_EMU_TIMING_REAL        /**< The same times, and the caller's clock is the wall clock
                                 *   (bus backends pass monotonic time and really sleep). */
} stsafe_emu_timing;

/** The command times a chip follows (docs/protocol.md, section 1, "Timing profiles"). */
typedef enum {
    STSAFE_EMU_PROFILE_MINIMUM = 0, /**< ST's X-CUBE-SAFEA1 3.3.1 A110 minimum waits. */
    STSAFE_EMU_PROFILE_OBSERVED     /**< The waits of ST's later A110 integration (x-cube-iota1). */
} stsafe_emu_timing_profile;

#define STSAFE_EMU_TIMING_SPREAD_DEFAULT 10u /**< Per-chip spread of the times, in per cent (plus or minus). */

/** Where the I2C slave is between commands. */
typedef enum {
    STSAFE_EMU_I2C_IDLE = 0,      /**< No response to read (after power-up). */
    STSAFE_EMU_I2C_BUSY,          /**< Processing: reads are NACKed until busy_until_us. */
    STSAFE_EMU_I2C_RESPONSE       /**< A response is ready and can be read again and again. */
} stsafe_emu_i2c_state;

/** Volatile state: lost on power cycle. */
typedef struct {
    stsafe_emu_key_slot ephemeral;   /**< Slot 0xFF: one signature or one key establishment. */
    uint8_t password_verified;     /**< Verify Password succeeded since power-up. */
    uint8_t hibernate;             /**< 0 awake, else the wake-up mode of Hibernate. */
    uint8_t i2c_address;           /**< Address in use when a Put Attribute changed the NVM's; 0 = the NVM's. */
    stsafe_emu_i2c_state i2c_state;
    uint64_t busy_until_us;
    uint8_t exec_curve;            /**< The curve of the command under way, for its time (0: none). */
    size_t rsp_len;
    uint8_t rsp[STSAFE_A110_MAX_FRAME_LEN];
} stsafe_emu_volatile;

/** Counters for tests, traces and benchmarks. */
typedef struct {
    uint64_t commands;          /**< Frames executed (any status). */
    uint64_t nacks;             /**< Address NACKs given. */
    uint64_t nvm_writes;        /**< Commands that changed the NVM. */
    uint64_t faults;            /**< Injected chip faults that fired. */
} stsafe_emu_stats;

/** Chip faults armed for the next command (docs/faults.md). */
typedef struct {
    uint8_t brownout;           /**< N > 0: the Nth command from now that writes the NVM loses
                                 *   power mid-write (the N-1 before it run whole). */
    uint8_t reset;              /**< N > 0: the Nth command from now is cut by a reset before it
                                 *   completes (the N-1 before it run whole). */
    /* The model's bookkeeping while a command runs under an armed brown-out
     * (chip.c; callers leave these alone). */
    uint8_t nvm_written;        /**< The command wrote, or tried to write, the NVM. */
    uint8_t committed;          /**< It committed a counter before it acted (kept by a cut). */
    stsafe_emu_nvm *survives;   /**< The NVM a cut leaves: as before the command, plus its commits. */
} stsafe_emu_faults;

/** Curve groups loaded once per chip: mbedTLS keeps its precomputed
 *  multiples of G inside the group, so reusing it makes every signature
 *  after the first as fast as a raw mbedTLS one. Not chip state. */
typedef struct {
    mbedtls_ecp_group grp[STSAFE_CURVE_COUNT];
    uint8_t loaded[STSAFE_CURVE_COUNT];
} stsafe_emu_group_cache;

/** The random source of the command under way (chip_rng.c). Not chip state. */
typedef struct {
    mbedtls_ctr_drbg_context drbg;
    int active;                 /**< Instantiated for this command. */
    const uint8_t *frame;       /**< The command frame: part of the seed material. */
    size_t frame_len;
} stsafe_emu_cmd_rng;

/** One emulated chip. */
typedef struct {
    stsafe_emu_nvm nvm;
    stsafe_emu_group_cache groups;
    stsafe_emu_volatile vol;
    stsafe_emu_stats stats;
    stsafe_emu_faults faults;     /**< Armed by tests or the fault-injection bus; one-shot. */
    stsafe_emu_timing timing;
    stsafe_emu_timing_profile timing_profile; /**< Which times (default: minimum). */
    uint8_t timing_spread_pct;  /**< This chip's times vary by up to this per cent, by command,
                                 *   fixed by its seed (default STSAFE_EMU_TIMING_SPREAD_DEFAULT; 0: none). */
    stsafe_emu_cmd_rng cmd_rng;
    stsafe_emu_rng_fn f_rng;
    void *p_rng;
    int nvm_dirty;              /**< Set when a command changed the NVM; the owner clears it after saving. */
} stsafe_emu_chip;

/**
 * \brief Set up a chip with an empty NVM (no zones, no keys).
 *        Load an image or apply a profile afterwards.
 * \param f_rng  Random source of a chip whose NVM has no seed (a bare NVM;
 *               images and profiles carry one: nvm.h, stsafe_emu_entropy).
 */
void stsafe_emu_chip_init(stsafe_emu_chip *chip, stsafe_emu_rng_fn f_rng, void *p_rng);

/**
 * \brief The mbedTLS group of \p curve, loaded on first use and kept.
 * \return NULL for an unknown curve or when loading fails.
 */
mbedtls_ecp_group *stsafe_emu_chip_group(stsafe_emu_chip *chip, uint8_t curve);

/** \brief Release the chip's resources and wipe it, private keys included. */
void stsafe_emu_chip_free(stsafe_emu_chip *chip);

/** \brief The 7-bit address the chip answers at now (a new address set by
 *         Put Attribute takes effect at the next power cycle). */
uint8_t stsafe_emu_chip_i2c_address(const stsafe_emu_chip *chip);

/** \brief Power cycle: volatile state lost, NVM kept. */
void stsafe_emu_chip_power_cycle(stsafe_emu_chip *chip);

/**
 * \brief Execute one command frame and build the response frame.
 *
 * A frame the chip cannot accept still gets a response: a bad CRC or a
 * frame shorter than 3 bytes answers "communication error" (0x01), a frame
 * longer than the A110 takes "buffer length exceeded" (0x06), an unknown or
 * unsupported code "command code not supported" (0x04); see
 * docs/protocol.md. A refused command leaves the NVM unchanged.
 *
 * \param frame    The command frame as written on the bus.
 * \param rsp      Receives the response frame (STSAFE_A110_MAX_FRAME_LEN bytes suffice).
 * \param rsp_len  Receives its length.
 * \return 0 (the chip answered, whatever the status); STSAFE_ERR_BAD_INPUT;
 *         STSAFE_ERR_BUFFER_TOO_SMALL.
 */
int stsafe_emu_execute(stsafe_emu_chip *chip, const uint8_t *frame, size_t frame_len,
                     uint8_t *rsp, size_t rsp_cap, size_t *rsp_len);

/**
 * \brief The host writes \p len bytes to the chip's address.
 *
 * Armed faults fire here (docs/faults.md): a reset loses the command (the
 * chip restarts, nothing is answered, the NVM is untouched); a brown-out
 * lets a command that writes the NVM run, then cuts the power before the
 * write lands: the NVM is restored to its state before the command (the
 * NVM's write is atomic, so never a mix), the chip restarts and answers
 * nothing. A brown-out stays armed across commands that do not write.
 *
 * A write of no byte (an SMBus quick write) is an address only: ACKed when
 * the chip is awake and idle, and nothing runs: a response still waiting to
 * be read stays, an armed fault stays armed, no command is counted. Any
 * other length is a frame (a bad one answers 0x01, see stsafe_emu_execute()).
 * \param now_us  The caller's clock.
 * \return 0 (ACK; a frame runs); STSAFE_ERR_BUS_NACK while the chip is busy
 *         or hibernating (whatever the length).
 */
int stsafe_emu_i2c_write(stsafe_emu_chip *chip, uint64_t now_us, const uint8_t *data, size_t len);

/**
 * \brief The host reads \p len bytes from the chip's address.
 *
 * Reads start at the first response byte every time; bytes asked past the
 * end of the response read as 0xFF (an idle bus).
 * \return 0; STSAFE_ERR_BUS_NACK while busy or when there is no response.
 */
int stsafe_emu_i2c_read(stsafe_emu_chip *chip, uint64_t now_us, uint8_t *data, size_t len);

/** \brief The minimum-profile time of a command code (256-bit curve, no spread), in microseconds. */
uint32_t stsafe_emu_exec_time_us(uint8_t cmd_code);

/** \brief A profile's time of a command code for \p curve (stsafe_curve; 0 none), in microseconds;
 *         0 for a code the A110 does not implement. */
uint32_t stsafe_emu_profile_time_us(stsafe_emu_timing_profile profile, uint8_t cmd_code, uint8_t curve);

/** \brief This chip's deviation from the profile for \p cmd_code, in per mille
 *         (-10 x spread .. +10 x spread; 0 without a seed or with spread 0). */
int stsafe_emu_timing_spread_permille(const stsafe_emu_chip *chip, uint8_t cmd_code);

/** \brief How long \p chip stays busy after \p cmd_code on \p curve: its profile's
 *         time and its spread, in microseconds. */
uint32_t stsafe_emu_busy_time_us(const stsafe_emu_chip *chip, uint8_t cmd_code, uint8_t curve);

/** \brief The profile named \p name ("minimum", "observed"), or -1. */
int stsafe_emu_timing_profile_parse(const char *name);

/** \brief The name of \p profile. */
const char *stsafe_emu_timing_profile_name(stsafe_emu_timing_profile profile);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_EMU_CHIP_H */
