/* SPDX-License-Identifier: BSD-3-Clause */
/* A fresh default-profile chip with a fixed serial and a deterministic
 * random source, shared by the emulator tests. */
#ifndef STSAFE_EMU_FIXTURE_H
#define STSAFE_EMU_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>

#include "stsafe/emulator/chip.h"

#define FIXTURE_SERIAL {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09}

typedef struct {
    mbedtls_ctr_drbg_context drbg;
    stsafe_emu_chip chip;
} emu_fixture;

/** Set up a personalised chip; fails the running test on error. */
void fixture_setup(emu_fixture *f);
void fixture_teardown(emu_fixture *f);
/** The f_rng of the fixture (deterministic CTR-DRBG). */
int fixture_rng(void *p, unsigned char *out, size_t len);

/** Execute a command frame; returns the response length, fills \p rsp. */
size_t fixture_exec(emu_fixture *f, const uint8_t *frame, size_t len, uint8_t *rsp);

/** Build a frame (header, payload, CRC) and execute it; returns the status byte. */
uint8_t fixture_cmd(emu_fixture *f, uint8_t header, const uint8_t *payload, size_t len,
                    uint8_t *data, size_t *data_len);

#endif
