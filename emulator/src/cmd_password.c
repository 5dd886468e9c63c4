/* SPDX-License-Identifier: BSD-3-Clause */
/* Verify Password (0x1A) and Delete (0x0C) of the password slot.
 * docs/protocol.md, "Password". */
#include "internal.h"

#include <string.h>

#include "stsafe/protocol/commands.h"

/* The try is counted in the NVM before the comparison, as smart cards do, so
 * cutting the power in the middle never gives a free try. A right password
 * gives the tries back. Answer: verified (1: 01 yes, 00 no) + tries left (1). */
uint8_t stsafe_emu_cmd_verify_password(stsafe_emu_chip *chip, const stsafe_emu_request *req,
                                     stsafe_writer *out)
{
    stsafe_emu_password *p = &chip->nvm.password;
    if (!p->present)
        return STSAFE_ST_ENTRY_NOT_FOUND;
    if (p->tries_left == 0)
        return STSAFE_ST_PASSWORD_BLOCKED;
    p->tries_left--;
    stsafe_emu_nvm_commit(chip); /* kept by a brown-out during the rest */
    int ok = stsafe_equal_ct(p->value, req->payload, STSAFE_EMU_PASSWORD_LEN); /* time tells nothing */
    if (ok)
        p->tries_left = p->max_tries;
    stsafe_emu_nvm_touched(chip);
    chip->vol.password_verified = (uint8_t)ok;
    stsafe_wr_u8(out, ok ? 0x01 : 0x00);
    stsafe_wr_u8(out, p->tries_left);
    return STSAFE_ST_OK;
}

/* Delete with tag 0x09 empties the password slot; only the password's owner
 * may do it, so it must have been verified in this power cycle. */
uint8_t stsafe_emu_cmd_delete(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out)
{
    (void)out;
    if (req->payload[0] != STSAFE_TAG_PASSWORD_SLOT)
        return STSAFE_ST_OUT_OF_RANGE;
    if (!chip->nvm.password.present)
        return STSAFE_ST_ENTRY_NOT_FOUND;
    if (!chip->vol.password_verified)
        return STSAFE_ST_ACCESS_CONDITION;
    memset(&chip->nvm.password, 0, sizeof chip->nvm.password);
    chip->vol.password_verified = 0;
    stsafe_emu_nvm_touched(chip);
    return STSAFE_ST_OK;
}
