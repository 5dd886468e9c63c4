/* SPDX-License-Identifier: BSD-3-Clause */
/* The command dispatch table of the A110 model: code -> handler, payload
 * bounds (processing times: timing.c). Indexed by the 5-bit code; a
 * code without a handler answers "command code not supported" (facts page,
 * section 4). */
#include "internal.h"

#include "stsafe/protocol/commands.h"

#define ANY_LEN STSAFE_A110_MAX_FRAME_LEN

static const stsafe_emu_cmd_def cmd_table[32] = {
    /*                             code                         min max                    handler */
    [STSAFE_CMD_ECHO]            = {STSAFE_CMD_ECHO,            0,  STSAFE_EMU_MAX_RSP_DATA, stsafe_emu_cmd_echo},
    [STSAFE_CMD_RESET]           = {STSAFE_CMD_RESET,           0,  0,                     stsafe_emu_cmd_reset},
    [STSAFE_CMD_GENERATE_RANDOM] = {STSAFE_CMD_GENERATE_RANDOM, 2,  2,                     stsafe_emu_cmd_random},
    [STSAFE_CMD_DECREMENT]       = {STSAFE_CMD_DECREMENT,       8,  ANY_LEN,               stsafe_emu_cmd_decrement},
    [STSAFE_CMD_READ]            = {STSAFE_CMD_READ,            6,  6,                     stsafe_emu_cmd_read},
    [STSAFE_CMD_UPDATE]          = {STSAFE_CMD_UPDATE,          4,  ANY_LEN,               stsafe_emu_cmd_update},
    [STSAFE_CMD_QUERY]           = {STSAFE_CMD_QUERY,           1,  1,                     stsafe_emu_cmd_query},
    [STSAFE_CMD_WRAP_LOCAL_ENVELOPE] = {STSAFE_CMD_WRAP_LOCAL_ENVELOPE, 1, ANY_LEN,        stsafe_emu_cmd_wrap},
    [STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE] = {STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE, 1, ANY_LEN,    stsafe_emu_cmd_unwrap},
    [STSAFE_CMD_GENERATE_KEY]    = {STSAFE_CMD_GENERATE_KEY,    3,  ANY_LEN,               stsafe_emu_cmd_generate_key},
    [STSAFE_CMD_GENERATE_SIGNATURE] = {STSAFE_CMD_GENERATE_SIGNATURE, 3, ANY_LEN,          stsafe_emu_cmd_generate_signature},
    [STSAFE_CMD_VERIFY_SIGNATURE] = {STSAFE_CMD_VERIFY_SIGNATURE, 1, ANY_LEN,              stsafe_emu_cmd_verify_signature},
    [STSAFE_CMD_ESTABLISH_KEY]   = {STSAFE_CMD_ESTABLISH_KEY,   2,  ANY_LEN,               stsafe_emu_cmd_establish_key},
    [STSAFE_CMD_DELETE]          = {STSAFE_CMD_DELETE,          1,  1,                     stsafe_emu_cmd_delete},
    [STSAFE_CMD_HIBERNATE]       = {STSAFE_CMD_HIBERNATE,       0,  1,                     stsafe_emu_cmd_hibernate},
    [STSAFE_CMD_PUT_ATTRIBUTE]   = {STSAFE_CMD_PUT_ATTRIBUTE,   1,  ANY_LEN,               stsafe_emu_cmd_put_attribute},
    [STSAFE_CMD_VERIFY_PASSWORD] = {STSAFE_CMD_VERIFY_PASSWORD, 16, 16,                    stsafe_emu_cmd_verify_password},
};

const stsafe_emu_cmd_def *stsafe_emu_find_cmd(uint8_t code)
{
    const stsafe_emu_cmd_def *def = &cmd_table[code & STSAFE_HDR_CODE_MASK];
    return def->handler ? def : NULL;
}
