/* SPDX-License-Identifier: BSD-3-Clause */
/* A fresh default-profile chip per input, and the checked execution of
 * one command. */
#include "fuzz_chip.h"

#include <string.h>

#include "stsafe/emulator/profile.h"
#include "stsafe/protocol/buf.h"
#include "stsafe/protocol/crc16.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/secure_channel.h"
#include "stsafe/protocol/status.h"

int fuzz_chip_init(fuzz_chip *f)
{
    static const uint8_t serial[STSAFE_EMU_SERIAL_LEN] = FUZZ_CHIP_SERIAL;
    memset(f, 0, sizeof *f);
    fuzz_rng_seed(&f->rng, FUZZ_RNG_SEED_PROFILE);
    stsafe_emu_chip_init(&f->chip, fuzz_rng_fn, &f->rng);
    f->check_secrets = 1;
    return stsafe_emu_profile_apply(&f->profile, "default", serial, fuzz_rng_fn, &f->rng, NULL);
}

void fuzz_chip_load(fuzz_chip *f, const stsafe_emu_nvm *nvm)
{
    stsafe_emu_group_cache groups = f->chip.groups;
    fuzz_rng_seed(&f->rng, FUZZ_RNG_SEED_RUN);
    stsafe_emu_chip_init(&f->chip, fuzz_rng_fn, &f->rng);
    f->chip.groups = groups;
    memcpy(&f->chip.nvm, nvm, sizeof f->chip.nvm);
}

void fuzz_chip_fresh(fuzz_chip *f)
{
    fuzz_chip_load(f, &f->profile);
}

int fuzz_frame_crc_ok(const uint8_t *frame, size_t len)
{
    return len >= STSAFE_CMD_FRAME_MIN &&
           stsafe_crc16(frame, len - STSAFE_CRC_LEN) == stsafe_get_u16(frame + len - STSAFE_CRC_LEN);
}

void fuzz_frame_fix_crc(uint8_t *frame, size_t len)
{
    if (len >= STSAFE_CMD_FRAME_MIN)
        stsafe_put_u16(frame + len - STSAFE_CRC_LEN, stsafe_crc16(frame, len - STSAFE_CRC_LEN));
}

void fuzz_frame_fix_cmac(const stsafe_emu_chip *chip, uint8_t *frame, size_t len)
{
    const stsafe_emu_host_keys *h = &chip->nvm.host_keys;
    const size_t overhead = 1 + STSAFE_SC_MAC_LEN + STSAFE_CRC_LEN;
    if (len < overhead || !(frame[0] & STSAFE_HDR_CMAC) || !h->present ||
        h->cmac_counter >= STSAFE_SC_COUNTER_MAX)
        return;
    uint8_t *mac = frame + len - STSAFE_CRC_LEN - STSAFE_SC_MAC_LEN;
    (void)stsafe_sc_cmac(h->mac_key, h->cmac_counter, frame[0], frame + 1, len - overhead, mac);
}

uint8_t fuzz_chip_exec(fuzz_chip *f, const uint8_t *frame, size_t len)
{
    stsafe_emu_chip *chip = &f->chip;
    memcpy(&f->before, &chip->nvm, sizeof f->before);
    fuzz_secrets_clear(&f->secrets);
    fuzz_secrets_add_chip(&f->secrets, chip);
    chip->nvm_dirty = 0;
    f->rsp_len = 0;

    int err = stsafe_emu_execute(chip, frame, len, f->rsp, sizeof f->rsp, &f->rsp_len);
    FUZZ_REQUIRE(err == 0, "stsafe_emu_execute() answers every frame");
    FUZZ_REQUIRE(fuzz_response_ok(f->rsp, f->rsp_len),
                 "the response is a well-formed frame, with no data after an error status");
    uint8_t status = (uint8_t)(f->rsp[0] & STSAFE_STATUS_CODE_MASK);
    if (status != STSAFE_ST_OK)
        FUZZ_REQUIRE(fuzz_nvm_same(&f->before, &chip->nvm, frame, len),
                     "a refused command leaves the NVM byte-identical");
    FUZZ_REQUIRE(fuzz_counters_ok(&f->before, &chip->nvm),
                 "counters never count up and the partition keeps its zones");
    FUZZ_REQUIRE(chip->nvm_dirty || fuzz_bytes_equal(&f->before, &chip->nvm, sizeof f->before),
                 "a command that changes the NVM marks it dirty");
    if (f->check_secrets) {
        fuzz_secrets_add_chip(&f->secrets, chip);
        FUZZ_REQUIRE(!fuzz_leaks_secret(f->rsp, f->rsp_len, &f->secrets),
                     "no response contains a private key scalar");
    }
    return status;
}
