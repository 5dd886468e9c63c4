/* SPDX-License-Identifier: BSD-3-Clause */
/* Access conditions of zones and commands (facts page, section 6a). */
#include "internal.h"

#include "stsafe/protocol/commands.h"

int stsafe_emu_ac_satisfied(uint8_t ac, const stsafe_emu_request *req)
{
    switch (ac) {
    case STSAFE_AC_ALWAYS:
        return 1;
    case STSAFE_AC_HOST:
        return req->host_authenticated;
    /* "Authenticated entity + host" needs an entity the A110 has no command
     * to authenticate; like the reserved values 2..5 it cannot be met. */
    default:
        return 0;
    }
}

/* The chip only lets an access condition get stricter. Relaxing one (host
 * back to always) answers "access condition not satisfied": what a chip
 * gave for exactly that request in STSELib issue 63, whose "17" was printed
 * in decimal (0x11; the facts page read it as 0x17). Conditions are ordered
 * by their value: always(0) < host(1) < auth+host(6) < never(7). */
uint8_t stsafe_emu_ac_change_status(uint8_t cur_ac, int change_right, uint8_t option)
{
    uint8_t new_ac = option & STSAFE_OPT_NEW_AC_MASK;
    if (!change_right)
        return STSAFE_ST_ACCESS_CONDITION;
    if (new_ac != STSAFE_AC_ALWAYS && new_ac != STSAFE_AC_HOST && new_ac != STSAFE_AC_AUTH_HOST &&
        new_ac != STSAFE_AC_NEVER)
        return STSAFE_ST_OUT_OF_RANGE; /* reserved values 2..5 */
    if (new_ac < cur_ac)
        return STSAFE_ST_ACCESS_CONDITION;
    return STSAFE_ST_OK;
}

stsafe_emu_cmd_auth *stsafe_emu_find_cmd_auth(stsafe_emu_cmd_auth_table *t, uint8_t code)
{
    for (uint8_t i = 0; i < t->count && i < STSAFE_EMU_MAX_CMD_AUTH; i++)
        if (t->rec[i].header == code)
            return &t->rec[i];
    return NULL;
}
