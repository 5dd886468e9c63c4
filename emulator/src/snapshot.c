/* SPDX-License-Identifier: BSD-3-Clause */
/* Chip snapshots (snapshot.h): the NVM as an image, the volatile state
 * field by field, a SHA-256 over all of it. */
#include "stsafe/emulator/snapshot.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>

#include "stsafe/protocol/buf.h"
#include "stsafe/protocol/error.h"

#define HEAD (8u + 2u)
#define DIGEST 32u

static int sha256(const uint8_t *p, size_t n, uint8_t out[DIGEST])
{
    return mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), p, n, out) ? STSAFE_ERR_CRYPTO : 0;
}

static void put_u64(stsafe_writer *w, uint64_t v)
{
    stsafe_wr_u32(w, (uint32_t)(v >> 32));
    stsafe_wr_u32(w, (uint32_t)v);
}

static void put_volatile(stsafe_writer *w, const stsafe_emu_volatile *v)
{
    const stsafe_emu_key_slot *k = &v->ephemeral;
    stsafe_wr_u8(w, k->present);
    stsafe_wr_u8(w, k->curve);
    stsafe_wr_bytes(w, k->mode, sizeof k->mode);
    stsafe_wr_u16(w, k->usage_limit);
    stsafe_wr_bytes(w, k->priv, sizeof k->priv);
    stsafe_wr_bytes(w, k->pub_x, sizeof k->pub_x);
    stsafe_wr_bytes(w, k->pub_y, sizeof k->pub_y);
    stsafe_wr_u8(w, v->password_verified);
    stsafe_wr_u8(w, v->hibernate);
    stsafe_wr_u8(w, v->i2c_address);
    stsafe_wr_u8(w, (uint8_t)v->i2c_state);
    put_u64(w, v->busy_until_us);
    stsafe_wr_u8(w, v->exec_curve);
    stsafe_wr_u16(w, (uint16_t)v->rsp_len);
    stsafe_wr_bytes(w, v->rsp, v->rsp_len);
}

int stsafe_emu_snapshot_save(const stsafe_emu_chip *chip, uint8_t *out, size_t cap, size_t *out_len)
{
    stsafe_writer w;
    size_t img_len = 0;
    if (!chip || !out || !out_len || chip->vol.rsp_len > sizeof chip->vol.rsp)
        return STSAFE_ERR_BAD_INPUT;
    if (cap < HEAD + 4u + DIGEST)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    int err = stsafe_emu_image_serialize(&chip->nvm, out + HEAD + 4u, cap - HEAD - 4u, &img_len);
    if (err)
        return err;
    stsafe_writer_init(&w, out, cap);
    stsafe_wr_bytes(&w, (const uint8_t *)STSAFE_EMU_SNAPSHOT_MAGIC, 8);
    stsafe_wr_u16(&w, STSAFE_EMU_SNAPSHOT_VERSION);
    stsafe_wr_u32(&w, (uint32_t)img_len);
    w.len += img_len; /* the image is already in place */
    put_volatile(&w, &chip->vol);
    if (w.err || cap - w.len < DIGEST)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    err = sha256(out, w.len, out + w.len);
    if (!err)
        *out_len = w.len + DIGEST;
    return err;
}

static uint64_t get_u64(stsafe_reader *r)
{
    uint64_t hi = stsafe_rd_u32(r);
    return hi << 32 | stsafe_rd_u32(r);
}

static void rd_copy(stsafe_reader *r, uint8_t *dst, size_t n)
{
    const uint8_t *src = stsafe_rd_bytes(r, n);
    if (src)
        memcpy(dst, src, n);
}

static int get_volatile(stsafe_reader *r, stsafe_emu_volatile *v)
{
    stsafe_emu_key_slot *k = &v->ephemeral;
    k->present = stsafe_rd_u8(r);
    k->curve = stsafe_rd_u8(r);
    rd_copy(r, k->mode, sizeof k->mode);
    k->usage_limit = stsafe_rd_u16(r);
    rd_copy(r, k->priv, sizeof k->priv);
    rd_copy(r, k->pub_x, sizeof k->pub_x);
    rd_copy(r, k->pub_y, sizeof k->pub_y);
    v->password_verified = stsafe_rd_u8(r);
    v->hibernate = stsafe_rd_u8(r);
    v->i2c_address = stsafe_rd_u8(r);
    uint8_t state = stsafe_rd_u8(r);
    v->busy_until_us = get_u64(r);
    v->exec_curve = stsafe_rd_u8(r);
    v->rsp_len = stsafe_rd_u16(r);
    if (state > STSAFE_EMU_I2C_RESPONSE || v->rsp_len > sizeof v->rsp || k->present > 1 ||
        k->curve >= STSAFE_CURVE_COUNT)
        return STSAFE_ERR_IMAGE_FORMAT;
    v->i2c_state = (stsafe_emu_i2c_state)state;
    rd_copy(r, v->rsp, v->rsp_len);
    return stsafe_rd_finish(r) ? STSAFE_ERR_IMAGE_FORMAT : 0;
}

int stsafe_emu_snapshot_restore(stsafe_emu_chip *chip, const uint8_t *snap, size_t len)
{
    uint8_t digest[DIGEST];
    if (!chip || !snap)
        return STSAFE_ERR_BAD_INPUT;
    if (len < HEAD + 4u + DIGEST || memcmp(snap, STSAFE_EMU_SNAPSHOT_MAGIC, 8) != 0)
        return STSAFE_ERR_IMAGE_FORMAT;
    if (stsafe_get_u16(snap + 8) != STSAFE_EMU_SNAPSHOT_VERSION)
        return STSAFE_ERR_IMAGE_VERSION;
    int err = sha256(snap, len - DIGEST, digest);
    if (err)
        return err;
    if (memcmp(digest, snap + len - DIGEST, DIGEST) != 0)
        return STSAFE_ERR_IMAGE_CHECKSUM;
    size_t img_len = stsafe_get_u32(snap + HEAD);
    if (img_len > len - HEAD - 4u - DIGEST)
        return STSAFE_ERR_IMAGE_FORMAT;
    stsafe_emu_nvm *nvm = malloc(sizeof *nvm);
    stsafe_emu_volatile *vol = malloc(sizeof *vol);
    err = (!nvm || !vol) ? STSAFE_ERR_ALLOC : 0;
    if (!err)
        err = stsafe_emu_image_parse(snap + HEAD + 4u, img_len, nvm);
    if (!err) {
        stsafe_reader r;
        memset(vol, 0, sizeof *vol);
        stsafe_reader_init(&r, snap + HEAD + 4u + img_len, len - HEAD - 4u - img_len - DIGEST);
        err = get_volatile(&r, vol);
    }
    if (!err) {
        chip->nvm = *nvm;
        chip->vol = *vol;
        chip->nvm_dirty = 1;
    }
    if (nvm)
        memset(nvm, 0, sizeof *nvm);
    if (vol)
        memset(vol, 0, sizeof *vol);
    free(nvm);
    free(vol);
    return err;
}
