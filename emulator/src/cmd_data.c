/* SPDX-License-Identifier: BSD-3-Clause */
/* Read, Update and Decrement over the data partition (facts page, 6 and 6a).
 *
 * All three start with option(1) zone(1) offset(2). Each validates the
 * whole request (zone, access condition, a requested access-condition
 * change, bounds, counter) before it changes anything, so a refused command
 * leaves the partition as it was. */
#include "internal.h"

#include <string.h>

#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/commands.h"

/* Which of the zone's two access conditions a command uses: Read the read
 * condition; Update and Decrement the update condition. */
typedef enum { AC_READ, AC_UPDATE } ac_field;


static uint8_t zone_ac(const stsafe_emu_zone *z, ac_field f)
{
    int shift = f == AC_READ ? STSAFE_ZONE_READ_AC_SHIFT : STSAFE_ZONE_UPDATE_AC_SHIFT;
    return (uint8_t)((z->access >> shift) & STSAFE_ZONE_AC_MASK);
}

static int zone_change_right(const stsafe_emu_zone *z, ac_field f)
{
    return (z->access & (f == AC_READ ? STSAFE_ZONE_READ_CR : STSAFE_ZONE_UPDATE_CR)) != 0;
}

/* Checks the option's reserved bits are clear, the zone exists, the command
 * meets its current access condition, and any change of condition the
 * option asks for is allowed. */
static uint8_t check_access(stsafe_emu_chip *chip, const stsafe_emu_request *req, uint8_t option,
                            uint8_t reserved, uint8_t zone, ac_field f, stsafe_emu_zone **out)
{
    if (option & reserved)
        return STSAFE_ST_OUT_OF_RANGE;
    if (zone >= chip->nvm.zone_count)
        return STSAFE_ST_ENTRY_NOT_FOUND;
    stsafe_emu_zone *z = &chip->nvm.zones[zone];
    if (!stsafe_emu_ac_satisfied(zone_ac(z, f), req))
        return STSAFE_ST_ACCESS_CONDITION;
    if (option & STSAFE_OPT_CHANGE_AC) {
        uint8_t st = stsafe_emu_ac_change_status(zone_ac(z, f), zone_change_right(z, f), option);
        if (st != STSAFE_ST_OK)
            return st;
    }
    *out = z;
    return STSAFE_ST_OK;
}

/* Applies an access-condition change the option asks for (already checked). */
static void apply_ac_change(stsafe_emu_chip *chip, stsafe_emu_zone *z, ac_field f, uint8_t option)
{
    if (!(option & STSAFE_OPT_CHANGE_AC))
        return;
    stsafe_emu_nvm_writing(chip);
    int shift = f == AC_READ ? STSAFE_ZONE_READ_AC_SHIFT : STSAFE_ZONE_UPDATE_AC_SHIFT;
    uint8_t cr_bit = f == AC_READ ? STSAFE_ZONE_READ_CR : STSAFE_ZONE_UPDATE_CR;
    uint8_t access = (uint8_t)(z->access & ~(cr_bit | (STSAFE_ZONE_AC_MASK << shift)));
    access |= (uint8_t)((option & STSAFE_OPT_NEW_AC_MASK) << shift);
    if (option & STSAFE_OPT_NEW_CR)
        access |= cr_bit;
    if (access != z->access) {
        z->access = access;
        stsafe_emu_nvm_touched(chip);
    }
}

static int in_bounds(const stsafe_emu_zone *z, uint16_t offset, size_t len)
{
    return (size_t)offset + len <= z->size;
}

/* Read. On a counter zone the answer is the counter (4 bytes) followed by
 * the requested bytes of the zone's data (STSELib stsafea_read_counter_zone). */
uint8_t stsafe_emu_cmd_read(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out)
{
    stsafe_read_req rq;
    stsafe_emu_zone *z = NULL;
    if (stsafe_read_req_decode(req->payload, req->payload_len, &rq) != 0)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;
    uint8_t st = check_access(chip, req, rq.option, STSAFE_OPT_READ_RESERVED, rq.zone, AC_READ, &z);
    if (st != STSAFE_ST_OK)
        return st;
    size_t counter_len = z->type == STSAFE_ZONE_COUNTER ? 4u : 0u;
    if (rq.length + counter_len > STSAFE_EMU_MAX_RSP_DATA)
        return STSAFE_ST_BUFFER_LENGTH_EXCEEDED;
    if (!in_bounds(z, rq.offset, rq.length))
        return STSAFE_ST_BOUNDARY_EXCEEDED;

    apply_ac_change(chip, z, AC_READ, rq.option);
    if (counter_len)
        stsafe_wr_u32(out, z->counter);
    stsafe_wr_bytes(out, chip->nvm.zone_arena + z->offset + rq.offset, rq.length);
    return STSAFE_ST_OK;
}

uint8_t stsafe_emu_cmd_update(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out)
{
    stsafe_update_req rq;
    stsafe_emu_zone *z = NULL;
    (void)out;
    if (stsafe_update_req_decode(req->payload, req->payload_len, &rq) != 0)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;
    uint8_t st = check_access(chip, req, rq.option, STSAFE_OPT_UPDATE_RESERVED, rq.zone, AC_UPDATE, &z);
    if (st != STSAFE_ST_OK)
        return st;
    if (z->type != STSAFE_ZONE_PLAIN)
        return STSAFE_ST_WRONG_ZONE_TYPE;
    if (!in_bounds(z, rq.offset, rq.data_len))
        return STSAFE_ST_BOUNDARY_EXCEEDED;

    apply_ac_change(chip, z, AC_UPDATE, rq.option);
    /* Every update is all-or-nothing in the model; the atomicity bit is
     * accepted and matters only to the persistence layer. */
    uint8_t *dst = chip->nvm.zone_arena + z->offset + rq.offset;
    if (rq.data_len)
        stsafe_emu_nvm_writing(chip); /* equal bytes are written too */
    if (rq.data_len && memcmp(dst, rq.data, rq.data_len) != 0) {
        memcpy(dst, rq.data, rq.data_len);
        stsafe_emu_nvm_touched(chip);
    }
    return STSAFE_ST_OK;
}

uint8_t stsafe_emu_cmd_decrement(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out)
{
    stsafe_decrement_req rq;
    stsafe_emu_zone *z = NULL;
    if (stsafe_decrement_req_decode(req->payload, req->payload_len, &rq) != 0)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;
    uint8_t st = check_access(chip, req, rq.option, STSAFE_OPT_READ_RESERVED, rq.zone, AC_UPDATE, &z);
    if (st != STSAFE_ST_OK)
        return st;
    if (z->type != STSAFE_ZONE_COUNTER)
        return STSAFE_ST_WRONG_ZONE_TYPE;
    if (rq.amount == 0)
        return STSAFE_ST_OUT_OF_RANGE;
    /* One-way: the counter never goes below zero, and at zero the zone is
     * locked (facts page, 6a). */
    if (rq.amount > z->counter)
        return STSAFE_ST_COUNTER_LIMIT;
    if (!in_bounds(z, rq.offset, rq.data_len))
        return STSAFE_ST_BOUNDARY_EXCEEDED;

    apply_ac_change(chip, z, AC_UPDATE, rq.option);
    z->counter -= rq.amount;
    if (rq.data_len)
        memcpy(chip->nvm.zone_arena + z->offset + rq.offset, rq.data, rq.data_len);
    stsafe_emu_nvm_touched(chip);
    stsafe_wr_u32(out, z->counter);
    return STSAFE_ST_OK;
}
