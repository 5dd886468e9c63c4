/* SPDX-License-Identifier: BSD-3-Clause */
/* The chip as a whole: command execution (frame checks, dispatch, access to
 * commands) and the I2C slave behaviour around it. */
#include "stsafe/emulator/chip.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mbedtls/platform_util.h"
#include "stsafe/emulator/ecc.h"
#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"

void stsafe_emu_chip_init(stsafe_emu_chip *chip, stsafe_emu_rng_fn f_rng, void *p_rng)
{
    memset(chip, 0, sizeof *chip);
    stsafe_emu_nvm_init(&chip->nvm);
    chip->f_rng = f_rng;
    chip->p_rng = p_rng;
    chip->timing_spread_pct = STSAFE_EMU_TIMING_SPREAD_DEFAULT;
}

mbedtls_ecp_group *stsafe_emu_chip_group(stsafe_emu_chip *chip, uint8_t curve)
{
    stsafe_emu_group_cache *c = &chip->groups;
    if (curve == STSAFE_CURVE_NONE || curve >= STSAFE_CURVE_COUNT)
        return NULL;
    if (!c->loaded[curve]) {
        mbedtls_ecp_group_init(&c->grp[curve]);
        if (mbedtls_ecp_group_load(&c->grp[curve], stsafe_emu_curve_group(curve)) != 0) {
            mbedtls_ecp_group_free(&c->grp[curve]);
            return NULL;
        }
        c->loaded[curve] = 1;
    }
    return &c->grp[curve];
}

void stsafe_emu_chip_free(stsafe_emu_chip *chip)
{
    stsafe_emu_rng_end(chip);
    for (uint8_t c = 0; c < STSAFE_CURVE_COUNT; c++)
        if (chip->groups.loaded[c])
            mbedtls_ecp_group_free(&chip->groups.grp[c]);
    /* volatile so that the wipe of private keys is not optimised away */
    volatile uint8_t *p = (volatile uint8_t *)chip;
    for (size_t i = 0; i < sizeof *chip; i++)
        p[i] = 0;
}

void stsafe_emu_chip_power_cycle(stsafe_emu_chip *chip)
{
    memset(&chip->vol, 0, sizeof chip->vol);
}

uint8_t stsafe_emu_chip_i2c_address(const stsafe_emu_chip *chip)
{
    return chip->vol.i2c_address ? chip->vol.i2c_address : chip->nvm.i2c.address;
}

static int answer(uint8_t status, const uint8_t *data, size_t data_len, uint8_t *rsp,
                  size_t rsp_cap, size_t *rsp_len)
{
    return stsafe_rsp_frame_encode(status, data, data_len, rsp, rsp_cap, rsp_len);
}

/* Frame-level refusals (docs/protocol.md, "Malformed frames"). The sources
 * do not say which status a bad CRC gets; communication error is the
 * plausible one and what STSELib's own CRC check on responses maps to. */
static uint8_t frame_error_status(int err)
{
    return err == STSAFE_ERR_FRAME_TOO_LONG ? STSAFE_ST_BUFFER_LENGTH_EXCEEDED
                                            : STSAFE_ST_COMMUNICATION_ERROR;
}

/* Life-cycle gate: a terminated chip answers nothing but Echo. A locked
 * chip (bit 7, set by Put Attribute after Verify Password) keeps only what
 * it needs to identify itself and be unlocked (docs/protocol.md, "Life
 * cycle"). */
static int life_cycle_allows(const stsafe_emu_chip *chip, uint8_t code)
{
    uint8_t lc = chip->nvm.life_cycle;
    if (lc == STSAFE_EMU_LC_TERMINATED)
        return code == STSAFE_CMD_ECHO;
    if (lc & 0x80)
        return code == STSAFE_CMD_ECHO || code == STSAFE_CMD_RESET || code == STSAFE_CMD_QUERY ||
               code == STSAFE_CMD_VERIFY_PASSWORD || code == STSAFE_CMD_PUT_ATTRIBUTE ||
               code == STSAFE_CMD_HIBERNATE;
    return 1;
}

/* Command authorisation table (Query tag 0x24). FREE passes; HOST and
 * ADMIN_OR_HOST need a verified C-MAC; NEVER refuses. ADMIN needs an admin
 * session, which the A110 does not have, so it is never met here;
 * ADMIN_OR_PWD is met once Verify Password succeeded in this power cycle. A
 * command without a record is free. */
static int command_authorized(const stsafe_emu_chip *chip, const stsafe_emu_cmd_auth *rec,
                              const stsafe_emu_request *req)
{
    if (!rec)
        return 1;
    switch (rec->ac) {
    case STSAFE_CMD_AC_FREE:           return 1;
    case STSAFE_CMD_AC_HOST:
    case STSAFE_CMD_AC_ADMIN_OR_HOST:  return req->host_authenticated;
    case STSAFE_CMD_AC_ADMIN_OR_PWD:   return chip->vol.password_verified;
    default:                           return 0;
    }
}

/* Everything between a decoded frame and the handler's status, in the
 * order of docs/protocol.md, "Order of checks". The C-MAC comes first so
 * that every protected command the chip answers advances the counter. */
static uint8_t run_command(stsafe_emu_chip *chip, const stsafe_cmd_frame *cmd, stsafe_emu_sc *sc,
                           uint8_t *enc_flags, stsafe_writer *out)
{
    uint8_t plain[STSAFE_A110_MAX_FRAME_LEN];
    stsafe_emu_request req = {
        .header = cmd->header,
        .code = (uint8_t)(cmd->header & STSAFE_HDR_CODE_MASK),
        .payload = cmd->payload,
        .payload_len = cmd->payload_len,
    };
    uint8_t status = stsafe_emu_sc_open(chip, cmd, sc);
    if (status != STSAFE_ST_OK)
        return status;
    const stsafe_emu_cmd_def *def = stsafe_emu_find_cmd(req.code);
    if (!def)
        return STSAFE_ST_UNSUPPORTED_COMMAND;
    if (!life_cycle_allows(chip, req.code))
        return STSAFE_ST_INVALID_LIFE_CYCLE;
    const stsafe_emu_cmd_auth *rec = stsafe_emu_find_cmd_auth(&chip->nvm.cmd_auth, req.code);
    *enc_flags = rec ? rec->host_encryption : 0;
    status = stsafe_emu_sc_payload(chip, sc, *enc_flags, plain, sizeof plain, &req);
    if (status != STSAFE_ST_OK)
        return status;
    if (req.payload_len < def->min_len || req.payload_len > def->max_len)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;
    if (!command_authorized(chip, rec, &req))
        return STSAFE_ST_COMMAND_NOT_AUTHORIZED;
    return def->handler(chip, &req, out);
}

int stsafe_emu_execute(stsafe_emu_chip *chip, const uint8_t *frame, size_t frame_len,
                     uint8_t *rsp, size_t rsp_cap, size_t *rsp_len)
{
    stsafe_cmd_frame cmd;
    uint8_t data[STSAFE_EMU_MAX_RSP_DATA];
    stsafe_writer out;
    stsafe_emu_sc sc;
    uint8_t enc_flags = 0;

    if (!chip || (!frame && frame_len) || !rsp || !rsp_len)
        return STSAFE_ERR_BAD_INPUT;
    chip->stats.commands++;
    int err = stsafe_cmd_frame_decode(frame, frame_len, STSAFE_A110_MAX_FRAME_LEN, &cmd);
    if (err == STSAFE_ERR_BAD_INPUT) /* frame == NULL with length 0: too short */
        err = STSAFE_ERR_FRAME_TOO_SHORT;
    if (err)
        return answer(frame_error_status(err), NULL, 0, rsp, rsp_cap, rsp_len);

    stsafe_writer_init(&out, data, sizeof data);
    chip->vol.exec_curve = STSAFE_CURVE_NONE;
    stsafe_emu_rng_begin(chip, frame, frame_len);
    uint8_t status = run_command(chip, &cmd, &sc, &enc_flags, &out);
    stsafe_emu_rng_end(chip);
    if (out.err) /* a handler overran the frame limit: a model bug, never silent */
        return answer(STSAFE_ST_UNEXPECTED_ERROR, NULL, 0, rsp, rsp_cap, rsp_len);
    /* Error responses carry no data (and no R-MAC). */
    size_t len = status == STSAFE_ST_OK ? out.len : 0;
    uint8_t seal = stsafe_emu_sc_seal(chip, &sc, enc_flags, data, &len, sizeof data, &status);
    if (seal != STSAFE_ST_OK)
        return answer(seal, NULL, 0, rsp, rsp_cap, rsp_len);
    return answer(status, data, len, rsp, rsp_cap, rsp_len);
}

/* ---- I2C slave ---------------------------------------------------------- */

static int busy(const stsafe_emu_chip *chip, uint64_t now_us)
{
    return chip->vol.i2c_state == STSAFE_EMU_I2C_BUSY && now_us < chip->vol.busy_until_us;
}

/* A hibernating chip NACKs every write. Woken by an I2C start (mode 1),
 * it restarts as from power-up: this write is lost and the host's retry
 * finds it awake. In mode 2 only a reset (a power cycle here) wakes it. */
static int hibernating(stsafe_emu_chip *chip)
{
    if (!chip->vol.hibernate)
        return 0;
    if (chip->vol.hibernate == STSAFE_WAKE_ON_I2C_OR_RESET)
        stsafe_emu_chip_power_cycle(chip);
    return 1;
}

/* A fault cut the command: the chip restarts as from power-up and has no
 * answer to give (reads NACK until the next command). */
static void fault_restart(stsafe_emu_chip *chip)
{
    chip->stats.faults++;
    stsafe_emu_chip_power_cycle(chip);
}

/* Runs the command under an armed brown-out. The cut comes when the
 * command writes the NVM (even bytes it already holds): that write is
 * lost, but what the chip committed before it acted survives (the
 * password try counted before the comparison, the C-MAC counter advanced
 * when the MAC was verified), then the chip restarts and answers nothing.
 * Armed for the Nth NVM-writing command (brownout=N), the N-1 before it
 * run whole and count down. 1 when the brown-out fired. */
static int execute_with_brownout(stsafe_emu_chip *chip, const uint8_t *data, size_t len)
{
    stsafe_emu_nvm *survives = malloc(sizeof *survives);
    if (!survives)
        return 0; /* no room to model the cut: run the command normally */
    *survives = chip->nvm;
    int dirty = chip->nvm_dirty;
    chip->faults.survives = survives;
    chip->faults.nvm_written = 0;
    chip->faults.committed = 0;
    (void)stsafe_emu_execute(chip, data, len, chip->vol.rsp, sizeof chip->vol.rsp, &chip->vol.rsp_len);
    chip->faults.survives = NULL;
    /* Drawing random bytes moves the draw counter, which is not a write
     * the brown-out can cut: it counts, whatever happens to the rest. */
    int drew = survives->entropy.draws != chip->nvm.entropy.draws;
    survives->entropy.draws = chip->nvm.entropy.draws;
    int fired = chip->faults.nvm_written;
    if (fired && chip->faults.brownout > 1) {
        chip->faults.brownout--; /* not this one: the write stands */
        fired = 0;
    } else if (fired) {
        chip->nvm = *survives;
        chip->nvm_dirty = dirty || chip->faults.committed || drew;
        chip->faults.brownout = 0;
        fault_restart(chip);
    }
    chip->faults.nvm_written = chip->faults.committed = 0;
    mbedtls_platform_zeroize(survives, sizeof *survives); /* it holds private keys */
    free(survives);
    return fired;
}

int stsafe_emu_i2c_write(stsafe_emu_chip *chip, uint64_t now_us, const uint8_t *data, size_t len)
{
    if (!chip || (len && !data))
        return STSAFE_ERR_BAD_INPUT;
    if (busy(chip, now_us) || hibernating(chip)) {
        chip->stats.nacks++;
        return STSAFE_ERR_BUS_NACK;
    }
    /* A write of no byte (an SMBus quick write, i2cdetect's probe) is only an
     * address: the idle slave ACKs it and has no frame to run. It must not
     * replace a response the host has yet to read, nor fire an armed fault
     * (docs/protocol.md, section 1: **choice**). */
    if (len == 0)
        return 0;
    if (chip->faults.reset > 1) {
        chip->faults.reset--; /* reset=N: not this command yet */
    } else if (chip->faults.reset) {
        chip->faults.reset = 0;
        fault_restart(chip);
        return 0;
    }
    if (chip->faults.brownout) {
        if (execute_with_brownout(chip, data, len))
            return 0;
    } else {
        int err = stsafe_emu_execute(chip, data, len, chip->vol.rsp, sizeof chip->vol.rsp,
                                   &chip->vol.rsp_len);
        if (err)
            return err;
    }
    uint32_t t = chip->timing != STSAFE_EMU_TIMING_NONE
                     ? stsafe_emu_busy_time_us(chip, len ? (uint8_t)(data[0] & STSAFE_HDR_CODE_MASK) : 0,
                                               chip->vol.exec_curve)
                     : 0;
    chip->vol.busy_until_us = now_us + t;
    chip->vol.i2c_state = STSAFE_EMU_I2C_BUSY;
    return 0;
}

int stsafe_emu_i2c_read(stsafe_emu_chip *chip, uint64_t now_us, uint8_t *data, size_t len)
{
    if (!chip || (len && !data))
        return STSAFE_ERR_BAD_INPUT;
    if (chip->vol.i2c_state == STSAFE_EMU_I2C_IDLE || busy(chip, now_us)) {
        chip->stats.nacks++;
        return STSAFE_ERR_BUS_NACK;
    }
    chip->vol.i2c_state = STSAFE_EMU_I2C_RESPONSE;
    size_t n = len < chip->vol.rsp_len ? len : chip->vol.rsp_len;
    if (len) {
        memcpy(data, chip->vol.rsp, n);
        memset(data + n, 0xFF, len - n);
    }
    return 0;
}
