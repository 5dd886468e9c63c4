/* SPDX-License-Identifier: BSD-3-Clause */
/* Query (0x14): one subject tag in, the chip's view of that subject out.
 * Layouts: docs/protocol.md, "Query". Query never changes the NVM. */
#include "internal.h"

#include <string.h>

#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/commands.h"

static int query_product_data(const stsafe_emu_nvm *nvm, stsafe_writer *out)
{
    stsafe_product_data v;
    memcpy(v.mask_id, nvm->mask_id, sizeof v.mask_id);
    memcpy(v.st_number, nvm->serial, sizeof v.st_number);
    v.io_buffer_size = STSAFE_A110_MAX_FRAME_LEN;
    v.atomicity_buffer_size = STSAFE_EMU_ATOMICITY_BUFFER;
    v.nvm_size = STSAFE_EMU_ZONE_ARENA_SIZE;
    return stsafe_product_data_encode(out, &v);
}

static int query_partition(const stsafe_emu_nvm *nvm, stsafe_writer *out)
{
    stsafe_partition_info v;
    memset(&v, 0, sizeof v);
    v.count = nvm->zone_count;
    for (uint8_t i = 0; i < nvm->zone_count; i++) {
        const stsafe_emu_zone *z = &nvm->zones[i];
        v.zone[i] = (stsafe_zone_record){i, z->type, z->access, z->size, z->counter};
    }
    return stsafe_partition_info_encode(out, &v);
}

/* The A110 reports its two private key slots (0 and 1); the ephemeral
 * slot 0xFF is volatile and not part of the table. */
static int query_key_table(const stsafe_emu_nvm *nvm, stsafe_writer *out)
{
    stsafe_key_table v;
    memset(&v, 0, sizeof v);
    v.count = STSAFE_EMU_MAX_KEY_SLOTS;
    v.global_usage_limit = 0xFFFF;
    for (uint8_t i = 0; i < STSAFE_EMU_MAX_KEY_SLOTS; i++) {
        const stsafe_emu_key_slot *k = &nvm->key_slots[i];
        v.slot[i].slot = i;
        v.slot[i].present = k->present;
        memcpy(v.slot[i].mode, k->mode, sizeof k->mode);
        v.slot[i].curve = k->curve;
    }
    return stsafe_key_table_encode(out, &v);
}

static int query_host_key(const stsafe_emu_nvm *nvm, stsafe_writer *out)
{
    stsafe_host_key_info v = {nvm->host_keys.present, nvm->host_keys.cmac_counter};
    return stsafe_host_key_info_encode(out, &v);
}

static int query_cmd_auth(const stsafe_emu_nvm *nvm, stsafe_writer *out)
{
    stsafe_cmd_auth_info v;
    memset(&v, 0, sizeof v);
    v.change_rights = nvm->cmd_auth.change_right;
    v.count = nvm->cmd_auth.count;
    for (uint8_t i = 0; i < v.count; i++) {
        const stsafe_emu_cmd_auth *c = &nvm->cmd_auth.rec[i];
        v.rec[i] = (stsafe_cmd_auth_record){c->header, c->ext_header, c->ac, c->host_encryption};
    }
    return stsafe_cmd_auth_info_encode(out, &v);
}

/* Tags 0x29 and 0x2A: the table's access conditions or encryption flags
 * alone, count (1) then {command code, value} pairs (docs/protocol.md). */
static int query_cmd_field(const stsafe_emu_nvm *nvm, int ac, stsafe_writer *out)
{
    const stsafe_emu_cmd_auth_table *t = &nvm->cmd_auth;
    stsafe_wr_u8(out, t->count);
    for (uint8_t i = 0; i < t->count && i < STSAFE_EMU_MAX_CMD_AUTH; i++) {
        stsafe_wr_u8(out, t->rec[i].header);
        stsafe_wr_u8(out, ac ? t->rec[i].ac : t->rec[i].host_encryption);
    }
    return out->err;
}

static int query_i2c(const stsafe_emu_nvm *nvm, stsafe_writer *out)
{
    stsafe_i2c_info v = {nvm->i2c.address, nvm->i2c.locked, nvm->i2c.low_power_mode, 0};
    return stsafe_i2c_info_encode(out, &v);
}

static int query_password(const stsafe_emu_nvm *nvm, stsafe_writer *out)
{
    stsafe_password_info v = {nvm->password.present, nvm->password.max_tries,
                              nvm->password.tries_left};
    return stsafe_password_info_encode(out, &v);
}

static int query_envelope_keys(const stsafe_emu_nvm *nvm, stsafe_writer *out)
{
    stsafe_envelope_key_table v;
    memset(&v, 0, sizeof v);
    v.count = STSAFE_EMU_ENVELOPE_SLOTS;
    for (uint8_t i = 0; i < STSAFE_EMU_ENVELOPE_SLOTS; i++)
        v.slot[i] = (stsafe_envelope_key_info){i, nvm->envelope_keys[i].present,
                                               nvm->envelope_keys[i].key_len_sel};
    return stsafe_envelope_key_table_encode(out, &v);
}

uint8_t stsafe_emu_cmd_query(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out)
{
    const stsafe_emu_nvm *nvm = &chip->nvm;
    int err;
    switch (req->payload[0]) {
    case STSAFE_TAG_LOCAL_ENVELOPE_KEY_TABLE: err = query_envelope_keys(nvm, out); break;
    case STSAFE_TAG_LIFE_CYCLE_STATE:         stsafe_wr_u8(out, nvm->life_cycle); err = out->err; break;
    case STSAFE_TAG_PASSWORD_SLOT:            err = query_password(nvm, out); break;
    case STSAFE_TAG_I2C_PARAMETERS:           err = query_i2c(nvm, out); break;
    case STSAFE_TAG_PRODUCT_DATA:             err = query_product_data(nvm, out); break;
    case STSAFE_TAG_DATA_PARTITION:           err = query_partition(nvm, out); break;
    case STSAFE_TAG_PRIVATE_KEY_TABLE:        err = query_key_table(nvm, out); break;
    case STSAFE_TAG_HOST_KEY_SLOT:            err = query_host_key(nvm, out); break;
    case STSAFE_TAG_COMMAND_AUTHORIZATION:    err = query_cmd_auth(nvm, out); break;
    case STSAFE_TAG_COMMAND_AC:               err = query_cmd_field(nvm, 1, out); break;
    case STSAFE_TAG_COMMAND_ENCRYPTION:       err = query_cmd_field(nvm, 0, out); break;
    /* Tag 0x13 (private key slot) names a slot for Generate Key; it is
     * not a Query subject, like every other tag the A110 does not know. */
    default:                                  return STSAFE_ST_OUT_OF_RANGE;
    }
    return err ? STSAFE_ST_UNEXPECTED_ERROR : STSAFE_ST_OK;
}
