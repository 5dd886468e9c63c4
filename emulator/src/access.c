/* SPDX-License-Identifier: BSD-3-Clause */
/* Access conditions of zones and commands (facts page, section 6a). */
#include "internal.h"

#include "stsafe/protocol/codec.h"
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

/* Who can meet a command access condition, as a set: the admin, the host
 * (C-MAC), the password holder, anyone at all. FREE is everyone. The
 * A110 cannot authenticate an admin, but the sets are what the values
 * promise (docs/protocol.md, "Command access conditions"). */
enum { WHO_ADMIN = 1, WHO_HOST = 2, WHO_PASSWORD = 4, WHO_ANYONE = 8 };

static unsigned cmd_ac_who(uint8_t ac)
{
    switch (ac) {
    case STSAFE_CMD_AC_FREE:          return WHO_ADMIN | WHO_HOST | WHO_PASSWORD | WHO_ANYONE;
    case STSAFE_CMD_AC_ADMIN:         return WHO_ADMIN;
    case STSAFE_CMD_AC_HOST:          return WHO_HOST;
    case STSAFE_CMD_AC_ADMIN_OR_PWD:  return WHO_ADMIN | WHO_PASSWORD;
    case STSAFE_CMD_AC_ADMIN_OR_HOST: return WHO_ADMIN | WHO_HOST;
    default:                          return 0; /* NEVER */
    }
}

int stsafe_emu_cmd_ac_not_weaker(uint8_t old_ac, uint8_t new_ac)
{
    return (cmd_ac_who(new_ac) & ~cmd_ac_who(old_ac)) == 0;
}

int stsafe_emu_cmd_flags_not_weaker(uint8_t old_flags, uint8_t new_flags)
{
    return (old_flags & (uint8_t)~new_flags) == 0;
}
