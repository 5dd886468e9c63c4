/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file bus_inproc.h
 * \brief The in-process bus: a host and an emulated chip in one program.
 *
 * The backend owns a virtual clock: delay_ms() advances it instead of
 * sleeping, so the datasheet timing model costs no wall-clock time and
 * tests stay deterministic. When the chip's timing is
 * STSAFE_EMU_TIMING_REAL the chip sees the monotonic wall clock instead and
 * delay_ms() really sleeps.
 */
#ifndef STSAFE_BUS_INPROC_H
#define STSAFE_BUS_INPROC_H

#include <stdint.h>

#include "stsafe/emulator/chip.h"
#include "stsafe/bus/bus.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The wall clock of real timing, for tests that must not depend on how
 *  fast the machine runs: what the chip reads as "now" and how delay_ms
 *  waits. Either may be NULL: CLOCK_MONOTONIC, nanosleep. */
typedef struct {
    uint64_t (*now_us)(void *ctx);
    void (*sleep_ms)(void *ctx, uint32_t ms);
    void *ctx;
} stsafe_bus_wall_clock;

typedef struct {
    stsafe_emu_chip *chip;
    uint64_t now_us;        /**< Virtual clock, advanced by delay_ms. */
    stsafe_bus_wall_clock wall; /**< Real timing only; zeroed by init (the system's). */
} stsafe_bus_inproc;

/**
 * \brief Wire \p bus to \p chip. The chip answers at its NVM's I2C address
 *        (0x20 by default); other addresses NACK, as on an empty bus.
 */
void stsafe_bus_inproc_init(stsafe_bus_inproc *ctx, stsafe_bus *bus, stsafe_emu_chip *chip);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_BUS_INPROC_H */
