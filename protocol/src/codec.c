/* SPDX-License-Identifier: BSD-3-Clause */
#include "stsafe/protocol/codec.h"

#include <string.h>

#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"

/* ---- requests -------------------------------------------------------------- */

static void wr_zone_head(stsafe_writer *w, uint8_t option, uint8_t zone, uint16_t offset)
{
    stsafe_wr_u8(w, option);
    stsafe_wr_u8(w, zone);
    stsafe_wr_u16(w, offset);
}

static void rd_zone_head(stsafe_reader *r, uint8_t *option, uint8_t *zone, uint16_t *offset)
{
    *option = stsafe_rd_u8(r);
    *zone = stsafe_rd_u8(r);
    *offset = stsafe_rd_u16(r);
}

/* The rest of the payload as a byte string. */
static const uint8_t *rd_rest(stsafe_reader *r, size_t *len)
{
    *len = stsafe_rd_remaining(r);
    return stsafe_rd_bytes(r, *len);
}

int stsafe_random_req_encode(stsafe_writer *w, const stsafe_random_req *req)
{
    stsafe_wr_u8(w, req->subject);
    stsafe_wr_u8(w, req->size);
    return w->err;
}

int stsafe_random_req_decode(const uint8_t *p, size_t n, stsafe_random_req *req)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    req->subject = stsafe_rd_u8(&r);
    req->size = stsafe_rd_u8(&r);
    return stsafe_rd_finish(&r);
}

int stsafe_read_req_encode(stsafe_writer *w, const stsafe_read_req *req)
{
    wr_zone_head(w, req->option, req->zone, req->offset);
    stsafe_wr_u16(w, req->length);
    return w->err;
}

int stsafe_read_req_decode(const uint8_t *p, size_t n, stsafe_read_req *req)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    rd_zone_head(&r, &req->option, &req->zone, &req->offset);
    req->length = stsafe_rd_u16(&r);
    return stsafe_rd_finish(&r);
}

int stsafe_update_req_encode(stsafe_writer *w, const stsafe_update_req *req)
{
    wr_zone_head(w, req->option, req->zone, req->offset);
    stsafe_wr_bytes(w, req->data, req->data_len);
    return w->err;
}

int stsafe_update_req_decode(const uint8_t *p, size_t n, stsafe_update_req *req)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    rd_zone_head(&r, &req->option, &req->zone, &req->offset);
    req->data = rd_rest(&r, &req->data_len);
    return stsafe_rd_finish(&r);
}

int stsafe_decrement_req_encode(stsafe_writer *w, const stsafe_decrement_req *req)
{
    wr_zone_head(w, req->option, req->zone, req->offset);
    stsafe_wr_u32(w, req->amount);
    stsafe_wr_bytes(w, req->data, req->data_len);
    return w->err;
}

int stsafe_decrement_req_decode(const uint8_t *p, size_t n, stsafe_decrement_req *req)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    rd_zone_head(&r, &req->option, &req->zone, &req->offset);
    req->amount = stsafe_rd_u32(&r);
    req->data = rd_rest(&r, &req->data_len);
    return stsafe_rd_finish(&r);
}

/* ---- product data (0x11) --------------------------------------------------- */

static void wr_record(stsafe_writer *w, uint8_t tag, const uint8_t *v, uint8_t n)
{
    stsafe_wr_u8(w, tag);
    stsafe_wr_u8(w, n);
    stsafe_wr_bytes(w, v, n);
}

static void wr_record_u16(stsafe_writer *w, uint8_t tag, uint16_t v)
{
    uint8_t b[2];
    stsafe_put_u16(b, v);
    wr_record(w, tag, b, 2);
}

/* Sub-records 0x06..0x0D (dates, versions, traceability) carry nothing the
 * model knows; they are sent zeroed with the sizes of ST's A110 library. */
int stsafe_product_data_encode(stsafe_writer *w, const stsafe_product_data *v)
{
    static const uint8_t zeros[3] = {0};
    static const uint8_t tail_sizes[] = {2, 1, 2, 3, 3, 3, 3, 3}; /* sub-tags 0x06..0x0D */
    wr_record(w, STSAFE_PRODUCT_SUBTAG_MASK_ID, v->mask_id, STSAFE_MASK_ID_LEN);
    wr_record(w, STSAFE_PRODUCT_SUBTAG_ST_NUMBER, v->st_number, STSAFE_ST_NUMBER_LEN);
    wr_record_u16(w, 0x03, v->io_buffer_size);
    wr_record_u16(w, 0x04, v->atomicity_buffer_size);
    wr_record_u16(w, 0x05, v->nvm_size);
    for (size_t i = 0; i < sizeof tail_sizes; i++)
        wr_record(w, (uint8_t)(0x06 + i), zeros, tail_sizes[i]);
    return w->err;
}

/* Sub-records may come in any order and unknown ones are skipped; both
 * known ones must be present exactly once and with their fixed sizes. */
int stsafe_product_data_decode(const uint8_t *p, size_t n, stsafe_product_data *v)
{
    stsafe_reader r;
    int seen_mask = 0, seen_number = 0;
    memset(v, 0, sizeof *v);
    stsafe_reader_init(&r, p, n);
    while (stsafe_rd_remaining(&r) > 0) {
        uint8_t tag = stsafe_rd_u8(&r);
        uint8_t len = stsafe_rd_u8(&r);
        const uint8_t *val = stsafe_rd_bytes(&r, len);
        if (!val)
            return STSAFE_ERR_CODEC_TRUNCATED;
        if (tag == STSAFE_PRODUCT_SUBTAG_MASK_ID) {
            if (len != STSAFE_MASK_ID_LEN || seen_mask++)
                return STSAFE_ERR_CODEC_VALUE;
            memcpy(v->mask_id, val, len);
        } else if (tag == STSAFE_PRODUCT_SUBTAG_ST_NUMBER) {
            if (len != STSAFE_ST_NUMBER_LEN || seen_number++)
                return STSAFE_ERR_CODEC_VALUE;
            memcpy(v->st_number, val, len);
        } else if (tag >= 0x03 && tag <= 0x05 && len == 2) {
            uint16_t x = stsafe_get_u16(val);
            if (tag == 0x03)
                v->io_buffer_size = x;
            else if (tag == 0x04)
                v->atomicity_buffer_size = x;
            else
                v->nvm_size = x;
        }
    }
    if (r.err)
        return r.err;
    return (seen_mask && seen_number) ? 0 : STSAFE_ERR_CODEC_TRUNCATED;
}

/* ---- data partition (0x12) --------------------------------------------------- */

int stsafe_partition_info_encode(stsafe_writer *w, const stsafe_partition_info *v)
{
    if (v->count > STSAFE_MAX_ZONES)
        return STSAFE_ERR_BAD_INPUT;
    stsafe_wr_u8(w, v->count);
    for (uint8_t i = 0; i < v->count; i++) {
        const stsafe_zone_record *z = &v->zone[i];
        stsafe_wr_u8(w, z->index);
        stsafe_wr_u8(w, z->type);
        stsafe_wr_u8(w, z->access);
        stsafe_wr_u16(w, z->length);
        if (z->type == STSAFE_ZONE_COUNTER)
            stsafe_wr_u32(w, z->counter);
    }
    return w->err;
}

int stsafe_partition_info_decode(const uint8_t *p, size_t n, stsafe_partition_info *v)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    v->count = stsafe_rd_u8(&r);
    if (v->count > STSAFE_MAX_ZONES)
        return STSAFE_ERR_CODEC_VALUE;
    for (uint8_t i = 0; i < v->count && !r.err; i++) {
        stsafe_zone_record *z = &v->zone[i];
        z->index = stsafe_rd_u8(&r);
        z->type = stsafe_rd_u8(&r);
        z->access = stsafe_rd_u8(&r);
        z->length = stsafe_rd_u16(&r);
        if (z->type > STSAFE_ZONE_COUNTER)
            return STSAFE_ERR_CODEC_VALUE;
        z->counter = z->type == STSAFE_ZONE_COUNTER ? stsafe_rd_u32(&r) : 0;
    }
    return stsafe_rd_finish(&r);
}

/* ---- private key table (0x14) ------------------------------------------------ */

int stsafe_key_table_encode(stsafe_writer *w, const stsafe_key_table *v)
{
    if (v->count > STSAFE_MAX_KEY_SLOTS)
        return STSAFE_ERR_BAD_INPUT;
    stsafe_wr_u8(w, v->count);
    stsafe_wr_u8(w, v->change_right);
    stsafe_wr_u16(w, v->global_usage_limit);
    for (uint8_t i = 0; i < v->count; i++) {
        const stsafe_key_slot_info *s = &v->slot[i];
        size_t id_len = 0;
        stsafe_wr_u8(w, s->slot);
        stsafe_wr_u8(w, s->present);
        stsafe_wr_bytes(w, s->mode, sizeof s->mode);
        if (!s->present)
            continue;
        const uint8_t *id = stsafe_curve_id(s->curve, &id_len);
        if (!id)
            return STSAFE_ERR_BAD_INPUT;
        stsafe_wr_bytes(w, id, id_len);
    }
    return w->err;
}

int stsafe_key_table_decode(const uint8_t *p, size_t n, stsafe_key_table *v)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    v->count = stsafe_rd_u8(&r);
    v->change_right = stsafe_rd_u8(&r);
    v->global_usage_limit = stsafe_rd_u16(&r);
    if (v->count > STSAFE_MAX_KEY_SLOTS)
        return STSAFE_ERR_CODEC_VALUE;
    for (uint8_t i = 0; i < v->count && !r.err; i++) {
        stsafe_key_slot_info *s = &v->slot[i];
        s->slot = stsafe_rd_u8(&r);
        s->present = stsafe_rd_u8(&r);
        const uint8_t *mode = stsafe_rd_bytes(&r, sizeof s->mode);
        if (mode)
            memcpy(s->mode, mode, sizeof s->mode);
        s->curve = STSAFE_CURVE_NONE;
        if (s->present != 1)
            continue;
        size_t used = 0;
        size_t avail = stsafe_rd_remaining(&r);
        s->curve = stsafe_curve_from_id(r.p + r.pos, avail, &used);
        if (s->curve == STSAFE_CURVE_NONE)
            return avail < 2 ? STSAFE_ERR_CODEC_TRUNCATED : STSAFE_ERR_CODEC_VALUE;
        stsafe_rd_bytes(&r, used);
    }
    return stsafe_rd_finish(&r);
}

/* ---- host key slot (0x17) ------------------------------------------------------ */

/* A real A110 without host keys answers the presence byte alone (captured
 * frame 14 17 -> 00 00 03 00 0F 47); the counter follows only a present key. */
int stsafe_host_key_info_encode(stsafe_writer *w, const stsafe_host_key_info *v)
{
    stsafe_wr_u8(w, v->present);
    if (v->present)
        stsafe_wr_u24(w, v->cmac_counter);
    return w->err;
}

int stsafe_host_key_info_decode(const uint8_t *p, size_t n, stsafe_host_key_info *v)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    v->present = stsafe_rd_u8(&r);
    v->cmac_counter = v->present ? stsafe_rd_u24(&r) : 0;
    return stsafe_rd_finish(&r);
}

/* ---- command authorisation (0x24) -------------------------------------------- */

int stsafe_cmd_auth_info_encode(stsafe_writer *w, const stsafe_cmd_auth_info *v)
{
    if (v->count > STSAFE_MAX_CMD_AUTH)
        return STSAFE_ERR_BAD_INPUT;
    stsafe_wr_u8(w, v->change_rights);
    stsafe_wr_u8(w, v->count);
    for (uint8_t i = 0; i < v->count; i++) {
        const stsafe_cmd_auth_record *c = &v->rec[i];
        stsafe_wr_u8(w, c->header);
        if (c->header == STSAFE_CMD_EXTENDED_PREFIX)
            stsafe_wr_u8(w, c->ext_header);
        stsafe_wr_u8(w, c->ac);
        stsafe_wr_u8(w, c->enc_flags);
    }
    return w->err;
}

int stsafe_cmd_auth_info_decode(const uint8_t *p, size_t n, stsafe_cmd_auth_info *v)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    v->change_rights = stsafe_rd_u8(&r);
    v->count = stsafe_rd_u8(&r);
    if (v->count > STSAFE_MAX_CMD_AUTH)
        return STSAFE_ERR_CODEC_VALUE;
    for (uint8_t i = 0; i < v->count && !r.err; i++) {
        stsafe_cmd_auth_record *c = &v->rec[i];
        c->header = stsafe_rd_u8(&r);
        c->ext_header = c->header == STSAFE_CMD_EXTENDED_PREFIX ? stsafe_rd_u8(&r) : 0;
        c->ac = stsafe_rd_u8(&r);
        c->enc_flags = stsafe_rd_u8(&r);
    }
    return stsafe_rd_finish(&r);
}

/* ---- I2C parameters (0x0A) ------------------------------------------------------
 * STSELib sends and receives these two bytes as a C bit-field struct; with
 * the bit order of the little-endian targets it runs on, byte 0 is the
 * 7-bit address in bits 7..1, byte 1 holds lock (bit 0), low-power mode
 * (bits 2..1) and the idle-to-standby time (bits 7..3). */

int stsafe_i2c_info_encode(stsafe_writer *w, const stsafe_i2c_info *v)
{
    stsafe_wr_u8(w, (uint8_t)((v->address & 0x7Fu) << 1));
    stsafe_wr_u8(w, (uint8_t)((v->locked & 1u) | ((v->low_power_mode & 3u) << 1) |
                              ((v->idle_to_standby & 0x1Fu) << 3)));
    return w->err;
}

int stsafe_i2c_info_decode(const uint8_t *p, size_t n, stsafe_i2c_info *v)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    uint8_t b0 = stsafe_rd_u8(&r);
    uint8_t b1 = stsafe_rd_u8(&r);
    v->address = (uint8_t)(b0 >> 1);
    v->locked = b1 & 1u;
    v->low_power_mode = (uint8_t)((b1 >> 1) & 3u);
    v->idle_to_standby = (uint8_t)(b1 >> 3);
    return stsafe_rd_finish(&r);
}

/* ---- password slot (0x09) -------------------------------------------------------- */

int stsafe_password_info_encode(stsafe_writer *w, const stsafe_password_info *v)
{
    stsafe_wr_u8(w, v->present);
    stsafe_wr_u8(w, v->max_tries);
    stsafe_wr_u8(w, v->remaining);
    return w->err;
}

int stsafe_password_info_decode(const uint8_t *p, size_t n, stsafe_password_info *v)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    v->present = stsafe_rd_u8(&r);
    v->max_tries = stsafe_rd_u8(&r);
    v->remaining = stsafe_rd_u8(&r);
    return stsafe_rd_finish(&r);
}

/* ---- local envelope key table (0x07) -----------------------------------------------
 * The key length byte follows only a present key (ST's A110 library parses
 * it so; STSELib has no parser). */

int stsafe_envelope_key_table_encode(stsafe_writer *w, const stsafe_envelope_key_table *v)
{
    if (v->count > STSAFE_MAX_ENVELOPE_SLOTS)
        return STSAFE_ERR_BAD_INPUT;
    stsafe_wr_u8(w, v->count);
    for (uint8_t i = 0; i < v->count; i++) {
        stsafe_wr_u8(w, v->slot[i].slot);
        stsafe_wr_u8(w, v->slot[i].present);
        if (v->slot[i].present)
            stsafe_wr_u8(w, v->slot[i].key_len_sel);
    }
    return w->err;
}

int stsafe_envelope_key_table_decode(const uint8_t *p, size_t n, stsafe_envelope_key_table *v)
{
    stsafe_reader r;
    stsafe_reader_init(&r, p, n);
    v->count = stsafe_rd_u8(&r);
    if (v->count > STSAFE_MAX_ENVELOPE_SLOTS)
        return STSAFE_ERR_CODEC_VALUE;
    for (uint8_t i = 0; i < v->count; i++) {
        v->slot[i].slot = stsafe_rd_u8(&r);
        v->slot[i].present = stsafe_rd_u8(&r);
        v->slot[i].key_len_sel = v->slot[i].present ? stsafe_rd_u8(&r) : 0;
    }
    return stsafe_rd_finish(&r);
}
