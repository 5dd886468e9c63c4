/* SPDX-License-Identifier: BSD-3-Clause */
/* Put Attribute (0x10): tag (1) + value. Status only. Layouts and the
 * rules each tag follows: docs/protocol.md, "Put Attribute". Every handler
 * validates the whole value before it writes anything. */
#include "internal.h"

#include <string.h>

#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/commands.h"

/* Life-cycle moves the model accepts (docs/protocol.md): born -> operational,
 * lock and unlock (bit 7) after Verify Password, and termination. Nothing
 * leads back to born, and a terminated chip never gets here (chip.c). */
static uint8_t life_cycle_move_status(const stsafe_emu_chip *chip, uint8_t to)
{
    const uint8_t locked = 0x80;
    uint8_t from = chip->nvm.life_cycle;
    if (to != STSAFE_EMU_LC_BORN && to != STSAFE_EMU_LC_OPERATIONAL && to != STSAFE_EMU_LC_TERMINATED &&
        to != STSAFE_EMU_LC_BORN_AND_LOCKED && to != STSAFE_EMU_LC_OPERATIONAL_AND_LOCKED)
        return STSAFE_ST_OUT_OF_RANGE; /* 0x02 patching is an A120 state */
    if (to == from)
        return STSAFE_ST_OK;
    /* Locking, unlocking and any move of a locked chip need the password of
     * this power cycle: STSELib's stse_device_lock/unlock present it first. */
    if (((from | to) & locked) && !chip->vol.password_verified)
        return STSAFE_ST_ACCESS_CONDITION;
    if (to == STSAFE_EMU_LC_TERMINATED)
        return STSAFE_ST_OK;
    if ((to & 0x7F) < (from & 0x7F))
        return STSAFE_ST_ACCESS_CONDITION; /* operational never goes back to born */
    if ((to & locked) && (from & locked))
        return STSAFE_ST_ACCESS_CONDITION; /* unlock first, then move on */
    return STSAFE_ST_OK;
}

static uint8_t put_life_cycle(stsafe_emu_chip *chip, const uint8_t *v, size_t n)
{
    if (n != 1)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;
    uint8_t status = life_cycle_move_status(chip, v[0]);
    if (status == STSAFE_ST_OK)
        stsafe_emu_nvm_writing(chip);
    if (status == STSAFE_ST_OK && chip->nvm.life_cycle != v[0]) {
        chip->nvm.life_cycle = v[0];
        stsafe_emu_nvm_touched(chip);
    }
    return status;
}

/* I2C parameters, the layout Query 0x0A answers. A new address is used from
 * the next power cycle on, so the host can still read this answer at the
 * old one (docs/protocol.md). The lock bit is one-way. */
static uint8_t put_i2c(stsafe_emu_chip *chip, const uint8_t *v, size_t n)
{
    stsafe_i2c_info p;
    if (n != 2)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;
    if (stsafe_i2c_info_decode(v, n, &p) != 0 || (v[0] & 0x01) || p.idle_to_standby != 0 ||
        p.address < 0x08 || p.address > 0x77 || (p.low_power_mode != 0 && p.low_power_mode != 2))
        return STSAFE_ST_OUT_OF_RANGE;
    if (chip->nvm.i2c.locked)
        return STSAFE_ST_ACCESS_CONDITION;
    if (!chip->vol.i2c_address)
        chip->vol.i2c_address = chip->nvm.i2c.address;
    chip->nvm.i2c.address = p.address;
    chip->nvm.i2c.locked = p.locked;
    chip->nvm.i2c.low_power_mode = p.low_power_mode;
    stsafe_emu_nvm_touched(chip);
    return STSAFE_ST_OK;
}

/* Host keys: MAC key (16) then cipher key (16), written once (a second
 * write answers 0x11 on a real A110). The C-MAC counter starts at 0. */
static uint8_t put_host_keys(stsafe_emu_chip *chip, const uint8_t *v, size_t n)
{
    stsafe_emu_host_keys *h = &chip->nvm.host_keys;
    if (n != (size_t)2 * STSAFE_EMU_HOST_KEY_LEN)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;
    if (h->present)
        return STSAFE_ST_ACCESS_CONDITION;
    h->present = 1;
    memcpy(h->mac_key, v, STSAFE_EMU_HOST_KEY_LEN);
    memcpy(h->cipher_key, v + STSAFE_EMU_HOST_KEY_LEN, STSAFE_EMU_HOST_KEY_LEN);
    h->cmac_counter = 0;
    stsafe_emu_nvm_touched(chip);
    return STSAFE_ST_OK;
}

/* Password slot: password (16) + maximum tries (1). Written when the slot
 * is empty; Delete (tag 0x09) empties it. */
static uint8_t put_password(stsafe_emu_chip *chip, const uint8_t *v, size_t n)
{
    stsafe_emu_password *p = &chip->nvm.password;
    if (n != STSAFE_EMU_PASSWORD_LEN + 1u)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;
    if (v[STSAFE_EMU_PASSWORD_LEN] == 0)
        return STSAFE_ST_OUT_OF_RANGE;
    if (p->present)
        return STSAFE_ST_ACCESS_CONDITION;
    p->present = 1;
    memcpy(p->value, v, STSAFE_EMU_PASSWORD_LEN);
    p->max_tries = v[STSAFE_EMU_PASSWORD_LEN];
    p->tries_left = p->max_tries;
    stsafe_emu_nvm_touched(chip);
    return STSAFE_ST_OK;
}

/* Tags 0x29 (access conditions) and 0x2A (host encryption flags): count (1)
 * then {command code, value} pairs, each for a command already in the
 * table. Enforced as zone access conditions are (docs/protocol.md,
 * "Command access conditions"; what is sourced and what is our choice is
 * marked there):
 * - the table's change right for the tag (Query 0x24, first byte), else 0x11;
 * - once host keys are present, a verified C-MAC: the change right names
 *   no level, and the host is the only party the A110 can authenticate;
 *   otherwise a stranger in the clear reconfigures the owner's chip (0x11);
 * - no weakening, like zone conditions: a new AC met by nobody who could
 *   not meet the old one, no encryption flag cleared (else 0x11);
 * the whole request is checked before anything is written. */
static uint8_t put_cmd_auth(stsafe_emu_chip *chip, const stsafe_emu_request *req, uint8_t tag,
                            const uint8_t *v, size_t n)
{
    stsafe_emu_cmd_auth_table *t = &chip->nvm.cmd_auth;
    int ac = tag == STSAFE_TAG_COMMAND_AC;
    uint8_t right = ac ? 0x02 : 0x01;
    if (n < 1 || n != 1u + 2u * v[0])
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;
    if (!(t->change_right & right))
        return STSAFE_ST_ACCESS_CONDITION;
    if (chip->nvm.host_keys.present && !req->host_authenticated)
        return STSAFE_ST_ACCESS_CONDITION;
    for (size_t i = 0; i < v[0]; i++) {
        uint8_t code = v[1 + 2 * i], val = v[2 + 2 * i];
        const stsafe_emu_cmd_auth *rec = stsafe_emu_find_cmd_auth(t, code);
        if (!rec)
            return STSAFE_ST_ENTRY_NOT_FOUND;
        if (ac ? val > STSAFE_CMD_AC_ADMIN_OR_HOST : (val & ~(STSAFE_CMD_ENC_CMD | STSAFE_CMD_ENC_RSP)))
            return STSAFE_ST_OUT_OF_RANGE;
        if (ac ? !stsafe_emu_cmd_ac_not_weaker(rec->ac, val)
               : !stsafe_emu_cmd_flags_not_weaker(rec->host_encryption, val))
            return STSAFE_ST_ACCESS_CONDITION;
    }
    for (size_t i = 0; i < v[0]; i++) {
        stsafe_emu_cmd_auth *rec = stsafe_emu_find_cmd_auth(t, v[1 + 2 * i]);
        if (ac)
            rec->ac = v[2 + 2 * i];
        else
            rec->host_encryption = v[2 + 2 * i];
    }
    stsafe_emu_nvm_writing(chip);
    if (v[0])
        stsafe_emu_nvm_touched(chip);
    return STSAFE_ST_OK;
}

uint8_t stsafe_emu_cmd_put_attribute(stsafe_emu_chip *chip, const stsafe_emu_request *req,
                                   stsafe_writer *out)
{
    (void)out;
    uint8_t tag = req->payload[0];
    const uint8_t *v = req->payload + 1;
    size_t n = req->payload_len - 1;
    switch (tag) {
    case STSAFE_TAG_LIFE_CYCLE_STATE: return put_life_cycle(chip, v, n);
    case STSAFE_TAG_PASSWORD_SLOT:    return put_password(chip, v, n);
    case STSAFE_TAG_I2C_PARAMETERS:   return put_i2c(chip, v, n);
    case STSAFE_TAG_HOST_KEY_SLOT:    return put_host_keys(chip, v, n);
    case STSAFE_TAG_COMMAND_AC:
    case STSAFE_TAG_COMMAND_ENCRYPTION: return put_cmd_auth(chip, req, tag, v, n);
    default:                          return STSAFE_ST_OUT_OF_RANGE;
    }
}
