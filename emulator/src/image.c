/* SPDX-License-Identifier: BSD-3-Clause */
/* Image file format v2 (docs/image-format.md; v1 is still read):
 *   magic(8) version(2) sections... sha256(32)
 * a section is tag(2) length(4) body; every section appears once, in tag
 * order. Integers are big-endian like the chip's wire format. */
#include "stsafe/emulator/image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/sha256.h>

#include "stsafe/protocol/buf.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/mbedtls_compat.h"

enum {
    SEC_PRODUCT = 1,
    SEC_PARTITION = 2,
    SEC_KEY_SLOTS = 3,
    SEC_HOST_KEYS = 4,
    SEC_PASSWORD = 5,
    SEC_CMD_AUTH = 6,
    SEC_I2C = 7,
    SEC_ENVELOPE_KEYS = 8,
    SEC_ENTROPY = 9,
    SEC_COUNT = 9,
    SEC_COUNT_V1 = 8
};

/* ---- writing ------------------------------------------------------------ */

static void put_product(stsafe_writer *w, const stsafe_emu_nvm *n)
{
    stsafe_wr_bytes(w, n->serial, sizeof n->serial);
    stsafe_wr_bytes(w, n->mask_id, sizeof n->mask_id);
    stsafe_wr_u8(w, n->life_cycle);
}

static void put_partition(stsafe_writer *w, const stsafe_emu_nvm *n)
{
    stsafe_wr_u8(w, n->zone_count);
    for (uint8_t i = 0; i < n->zone_count; i++) {
        const stsafe_emu_zone *z = &n->zones[i];
        stsafe_wr_u8(w, z->type);
        stsafe_wr_u8(w, z->access);
        stsafe_wr_u16(w, z->size);
        stsafe_wr_u32(w, z->counter);
        stsafe_wr_bytes(w, n->zone_arena + z->offset, z->size);
    }
}

static void put_key_slots(stsafe_writer *w, const stsafe_emu_nvm *n)
{
    stsafe_wr_u8(w, STSAFE_EMU_MAX_KEY_SLOTS);
    for (unsigned i = 0; i < STSAFE_EMU_MAX_KEY_SLOTS; i++) {
        const stsafe_emu_key_slot *k = &n->key_slots[i];
        stsafe_wr_u8(w, k->present);
        stsafe_wr_u8(w, k->curve);
        stsafe_wr_bytes(w, k->mode, sizeof k->mode);
        stsafe_wr_u16(w, k->usage_limit);
        stsafe_wr_bytes(w, k->priv, sizeof k->priv);
        stsafe_wr_bytes(w, k->pub_x, sizeof k->pub_x);
        stsafe_wr_bytes(w, k->pub_y, sizeof k->pub_y);
    }
}

static void put_host_keys(stsafe_writer *w, const stsafe_emu_nvm *n)
{
    const stsafe_emu_host_keys *h = &n->host_keys;
    stsafe_wr_u8(w, h->present);
    stsafe_wr_bytes(w, h->mac_key, sizeof h->mac_key);
    stsafe_wr_bytes(w, h->cipher_key, sizeof h->cipher_key);
    stsafe_wr_u24(w, h->cmac_counter);
}

static void put_password(stsafe_writer *w, const stsafe_emu_nvm *n)
{
    const stsafe_emu_password *p = &n->password;
    stsafe_wr_u8(w, p->present);
    stsafe_wr_bytes(w, p->value, sizeof p->value);
    stsafe_wr_u8(w, p->max_tries);
    stsafe_wr_u8(w, p->tries_left);
}

static void put_cmd_auth(stsafe_writer *w, const stsafe_emu_nvm *n)
{
    const stsafe_emu_cmd_auth_table *t = &n->cmd_auth;
    stsafe_wr_u8(w, t->change_right);
    stsafe_wr_u8(w, t->count);
    for (uint8_t i = 0; i < t->count; i++) {
        stsafe_wr_u8(w, t->rec[i].header);
        stsafe_wr_u8(w, t->rec[i].ext_header);
        stsafe_wr_u8(w, t->rec[i].ac);
        stsafe_wr_u8(w, t->rec[i].host_encryption);
    }
}

static void put_i2c(stsafe_writer *w, const stsafe_emu_nvm *n)
{
    stsafe_wr_u8(w, n->i2c.address);
    stsafe_wr_u8(w, n->i2c.low_power_mode);
    stsafe_wr_u8(w, n->i2c.locked);
}

static void put_envelope_keys(stsafe_writer *w, const stsafe_emu_nvm *n)
{
    stsafe_wr_u8(w, STSAFE_EMU_ENVELOPE_SLOTS);
    for (unsigned i = 0; i < STSAFE_EMU_ENVELOPE_SLOTS; i++) {
        const stsafe_emu_envelope_key *e = &n->envelope_keys[i];
        stsafe_wr_u8(w, e->present);
        stsafe_wr_u8(w, e->key_len_sel);
        stsafe_wr_bytes(w, e->key, sizeof e->key);
    }
}

static void put_entropy(stsafe_writer *w, const stsafe_emu_nvm *n)
{
    stsafe_wr_u8(w, n->entropy.seeded);
    stsafe_wr_bytes(w, n->entropy.seed, sizeof n->entropy.seed);
    stsafe_wr_u32(w, (uint32_t)(n->entropy.draws >> 32));
    stsafe_wr_u32(w, (uint32_t)n->entropy.draws);
}

typedef void (*section_writer)(stsafe_writer *w, const stsafe_emu_nvm *n);

static const section_writer section_writers[SEC_COUNT + 1] = {
    [SEC_PRODUCT] = put_product,     [SEC_PARTITION] = put_partition,
    [SEC_KEY_SLOTS] = put_key_slots, [SEC_HOST_KEYS] = put_host_keys,
    [SEC_PASSWORD] = put_password,   [SEC_CMD_AUTH] = put_cmd_auth,
    [SEC_I2C] = put_i2c,             [SEC_ENVELOPE_KEYS] = put_envelope_keys,
    [SEC_ENTROPY] = put_entropy,
};

/* Writes tag, a length placeholder, the body, then patches the length. */
static void put_section(stsafe_writer *w, uint16_t tag, const stsafe_emu_nvm *n)
{
    stsafe_wr_u16(w, tag);
    size_t len_at = w->len;
    stsafe_wr_u32(w, 0);
    section_writers[tag](w, n);
    if (!w->err)
        stsafe_put_u32(w->p + len_at, (uint32_t)(w->len - len_at - 4));
}

int stsafe_emu_image_serialize(const stsafe_emu_nvm *nvm, uint8_t *out, size_t cap, size_t *out_len)
{
    stsafe_writer w;
    if (!nvm || !out || !out_len || nvm->zone_count > STSAFE_EMU_MAX_ZONES ||
        nvm->cmd_auth.count > STSAFE_EMU_MAX_CMD_AUTH)
        return STSAFE_ERR_BAD_INPUT;
    stsafe_writer_init(&w, out, cap);
    stsafe_wr_bytes(&w, (const uint8_t *)STSAFE_EMU_IMAGE_MAGIC, STSAFE_EMU_IMAGE_MAGIC_LEN);
    stsafe_wr_u16(&w, STSAFE_EMU_IMAGE_VERSION);
    for (uint16_t tag = 1; tag <= (uint16_t)SEC_COUNT; tag++)
        put_section(&w, tag, nvm);
    if (w.err || cap - w.len < STSAFE_EMU_IMAGE_DIGEST_LEN)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    if (stsafe_mbedtls_sha256(out, w.len, out + w.len) != 0)
        return STSAFE_ERR_CRYPTO;
    *out_len = w.len + STSAFE_EMU_IMAGE_DIGEST_LEN;
    return 0;
}

/* ---- reading ------------------------------------------------------------ */

static void rd_copy(stsafe_reader *r, uint8_t *dst, size_t n)
{
    const uint8_t *src = stsafe_rd_bytes(r, n);
    if (src)
        memcpy(dst, src, n);
}

static int get_product(stsafe_reader *r, stsafe_emu_nvm *n)
{
    rd_copy(r, n->serial, sizeof n->serial);
    rd_copy(r, n->mask_id, sizeof n->mask_id);
    n->life_cycle = stsafe_rd_u8(r);
    return 0;
}

static int get_partition(stsafe_reader *r, stsafe_emu_nvm *n)
{
    uint8_t count = stsafe_rd_u8(r);
    if (count > STSAFE_EMU_MAX_ZONES)
        return STSAFE_ERR_IMAGE_FORMAT;
    for (uint8_t i = 0; i < count && !r->err; i++) {
        uint8_t type = stsafe_rd_u8(r);
        uint8_t access = stsafe_rd_u8(r);
        uint16_t size = stsafe_rd_u16(r);
        uint32_t counter = stsafe_rd_u32(r);
        if (type > 1 || stsafe_emu_nvm_add_zone(n, type, access, size, counter) != 0)
            return STSAFE_ERR_IMAGE_FORMAT;
        rd_copy(r, stsafe_emu_nvm_zone_data(n, i), size);
    }
    return 0;
}

static int get_key_slots(stsafe_reader *r, stsafe_emu_nvm *n)
{
    if (stsafe_rd_u8(r) != STSAFE_EMU_MAX_KEY_SLOTS)
        return STSAFE_ERR_IMAGE_FORMAT;
    for (unsigned i = 0; i < STSAFE_EMU_MAX_KEY_SLOTS; i++) {
        stsafe_emu_key_slot *k = &n->key_slots[i];
        k->present = stsafe_rd_u8(r);
        k->curve = stsafe_rd_u8(r);
        rd_copy(r, k->mode, sizeof k->mode);
        k->usage_limit = stsafe_rd_u16(r);
        rd_copy(r, k->priv, sizeof k->priv);
        rd_copy(r, k->pub_x, sizeof k->pub_x);
        rd_copy(r, k->pub_y, sizeof k->pub_y);
        if (k->present > 1 || k->curve >= STSAFE_CURVE_COUNT)
            return STSAFE_ERR_IMAGE_FORMAT;
    }
    return 0;
}

static int get_host_keys(stsafe_reader *r, stsafe_emu_nvm *n)
{
    stsafe_emu_host_keys *h = &n->host_keys;
    h->present = stsafe_rd_u8(r);
    rd_copy(r, h->mac_key, sizeof h->mac_key);
    rd_copy(r, h->cipher_key, sizeof h->cipher_key);
    h->cmac_counter = stsafe_rd_u24(r);
    return 0;
}

static int get_password(stsafe_reader *r, stsafe_emu_nvm *n)
{
    stsafe_emu_password *p = &n->password;
    p->present = stsafe_rd_u8(r);
    rd_copy(r, p->value, sizeof p->value);
    p->max_tries = stsafe_rd_u8(r);
    p->tries_left = stsafe_rd_u8(r);
    return 0;
}

static int get_cmd_auth(stsafe_reader *r, stsafe_emu_nvm *n)
{
    stsafe_emu_cmd_auth_table *t = &n->cmd_auth;
    t->change_right = stsafe_rd_u8(r);
    t->count = stsafe_rd_u8(r);
    if (t->count > STSAFE_EMU_MAX_CMD_AUTH)
        return STSAFE_ERR_IMAGE_FORMAT;
    for (uint8_t i = 0; i < t->count; i++) {
        t->rec[i].header = stsafe_rd_u8(r);
        t->rec[i].ext_header = stsafe_rd_u8(r);
        t->rec[i].ac = stsafe_rd_u8(r);
        t->rec[i].host_encryption = stsafe_rd_u8(r);
    }
    return 0;
}

static int get_i2c(stsafe_reader *r, stsafe_emu_nvm *n)
{
    n->i2c.address = stsafe_rd_u8(r);
    n->i2c.low_power_mode = stsafe_rd_u8(r);
    n->i2c.locked = stsafe_rd_u8(r);
    return 0;
}

static int get_envelope_keys(stsafe_reader *r, stsafe_emu_nvm *n)
{
    if (stsafe_rd_u8(r) != STSAFE_EMU_ENVELOPE_SLOTS)
        return STSAFE_ERR_IMAGE_FORMAT;
    for (unsigned i = 0; i < STSAFE_EMU_ENVELOPE_SLOTS; i++) {
        stsafe_emu_envelope_key *e = &n->envelope_keys[i];
        e->present = stsafe_rd_u8(r);
        e->key_len_sel = stsafe_rd_u8(r);
        rd_copy(r, e->key, sizeof e->key);
        if (e->present > 1 || e->key_len_sel > 1)
            return STSAFE_ERR_IMAGE_FORMAT;
    }
    return 0;
}

static int get_entropy(stsafe_reader *r, stsafe_emu_nvm *n)
{
    n->entropy.seeded = stsafe_rd_u8(r);
    rd_copy(r, n->entropy.seed, sizeof n->entropy.seed);
    uint64_t hi = stsafe_rd_u32(r);
    n->entropy.draws = hi << 32 | stsafe_rd_u32(r);
    return n->entropy.seeded > 1 ? STSAFE_ERR_IMAGE_FORMAT : 0;
}

typedef int (*section_reader)(stsafe_reader *r, stsafe_emu_nvm *n);

static const section_reader section_readers[SEC_COUNT + 1] = {
    [SEC_PRODUCT] = get_product,     [SEC_PARTITION] = get_partition,
    [SEC_KEY_SLOTS] = get_key_slots, [SEC_HOST_KEYS] = get_host_keys,
    [SEC_PASSWORD] = get_password,   [SEC_CMD_AUTH] = get_cmd_auth,
    [SEC_I2C] = get_i2c,             [SEC_ENVELOPE_KEYS] = get_envelope_keys,
    [SEC_ENTROPY] = get_entropy,
};

/* One section: its tag must be the expected one and its body must be read
 * to the last byte, no more, no less. */
static int get_section(stsafe_reader *r, uint16_t want_tag, stsafe_emu_nvm *n)
{
    uint16_t tag = stsafe_rd_u16(r);
    uint32_t len = stsafe_rd_u32(r);
    const uint8_t *body = stsafe_rd_bytes(r, len);
    if (!body || tag != want_tag)
        return STSAFE_ERR_IMAGE_FORMAT;
    stsafe_reader sr;
    stsafe_reader_init(&sr, body, len);
    int err = section_readers[tag](&sr, n);
    if (err)
        return err;
    return stsafe_rd_finish(&sr) ? STSAFE_ERR_IMAGE_FORMAT : 0;
}

/* A version 1 image has no seed: it gets one derived from its own bytes, so
 * the same old image gives the same chip every time (and the seed is as
 * secret as the keys in those bytes). It is written out as version 2 at
 * the next save. */
static int derive_v1_seed(const uint8_t *img, size_t len, stsafe_emu_nvm *nvm)
{
    static const char label[] = "stsafe-emu image v1 seed";
    /* the md API: the same calls in mbedTLS 2.28 and 3.6 */
    mbedtls_md_context_t ctx;
    mbedtls_md_init(&ctx);
    int rc = mbedtls_md_setup(&ctx, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 0);
    if (!rc)
        rc = mbedtls_md_starts(&ctx);
    if (!rc)
        rc = mbedtls_md_update(&ctx, (const uint8_t *)label, sizeof label - 1);
    if (!rc)
        rc = mbedtls_md_update(&ctx, img, len);
    if (!rc)
        rc = mbedtls_md_finish(&ctx, nvm->entropy.seed);
    mbedtls_md_free(&ctx);
    nvm->entropy.seeded = 1;
    nvm->entropy.draws = 0;
    return rc ? STSAFE_ERR_CRYPTO : 0;
}

/* The structure and the hash; with \p check the fields too (image_check.c). */
static int parse(const uint8_t *img, size_t len, stsafe_emu_nvm *nvm, int check)
{
    uint8_t digest[STSAFE_EMU_IMAGE_DIGEST_LEN];
    size_t head = STSAFE_EMU_IMAGE_MAGIC_LEN + 2;
    if (!img || !nvm)
        return STSAFE_ERR_BAD_INPUT;
    if (len < head + STSAFE_EMU_IMAGE_DIGEST_LEN ||
        memcmp(img, STSAFE_EMU_IMAGE_MAGIC, STSAFE_EMU_IMAGE_MAGIC_LEN) != 0)
        return STSAFE_ERR_IMAGE_FORMAT;
    uint16_t version = stsafe_get_u16(img + STSAFE_EMU_IMAGE_MAGIC_LEN);
    if (version != STSAFE_EMU_IMAGE_VERSION && version != STSAFE_EMU_IMAGE_VERSION_1)
        return STSAFE_ERR_IMAGE_VERSION;
    size_t body_len = len - STSAFE_EMU_IMAGE_DIGEST_LEN;
    if (stsafe_mbedtls_sha256(img, body_len, digest) != 0)
        return STSAFE_ERR_CRYPTO;
    if (memcmp(digest, img + body_len, sizeof digest) != 0)
        return STSAFE_ERR_IMAGE_CHECKSUM;

    stsafe_emu_nvm *tmp = malloc(sizeof *tmp);
    if (!tmp)
        return STSAFE_ERR_ALLOC;
    stsafe_emu_nvm_init(tmp);
    stsafe_reader r;
    stsafe_reader_init(&r, img + head, body_len - head);
    int err = 0;
    uint16_t sections = version == STSAFE_EMU_IMAGE_VERSION_1 ? SEC_COUNT_V1 : SEC_COUNT;
    for (uint16_t tag = 1; tag <= sections && !err; tag++)
        err = get_section(&r, tag, tmp);
    if (!err && stsafe_rd_finish(&r) != 0)
        err = STSAFE_ERR_IMAGE_FORMAT;
    if (!err && version == STSAFE_EMU_IMAGE_VERSION_1)
        err = derive_v1_seed(img, len, tmp);
    if (!err && check)
        err = stsafe_emu_image_check(tmp, NULL, 0);
    if (!err)
        *nvm = *tmp;
    memset(tmp, 0, sizeof *tmp);
    free(tmp);
    return err;
}

int stsafe_emu_image_parse(const uint8_t *img, size_t len, stsafe_emu_nvm *nvm)
{
    return parse(img, len, nvm, 1);
}

/* ---- storage ---------------------------------------------------------------- */

#define SAVE_CHUNK 512u /* a save is many writes, so a power cut can land inside one */

/* Write-new, sync, rename-over, sync-folder (docs/persistence.md). A power
 * cut at any step leaves either the old image or the new one under name. */
static int save_bytes(const stsafe_emu_storage *st, const char *name, const uint8_t *buf, size_t len)
{
    char tmp[4096];
    int err = st->ops->create_temp(st->ctx, name, tmp, sizeof tmp);
    if (err == STSAFE_ERR_BUFFER_TOO_SMALL)
        return STSAFE_ERR_BAD_INPUT;
    if (err)
        return err; /* nothing was created */
    for (size_t off = 0; !err && off < len; off += SAVE_CHUNK)
        err = st->ops->append(st->ctx, tmp, buf + off, len - off < SAVE_CHUNK ? len - off : SAVE_CHUNK);
    if (!err)
        err = st->ops->sync(st->ctx, tmp);
    if (!err)
        err = st->ops->rename(st->ctx, tmp, name);
    if (!err)
        err = st->ops->sync_dir(st->ctx, name);
    if (err) {
        int saved = errno;
        st->ops->remove(st->ctx, tmp);
        errno = saved;
    }
    return err;
}

int stsafe_emu_image_save_to(const stsafe_emu_storage *st, const char *name, const stsafe_emu_nvm *nvm)
{
    size_t len = 0;
    if (!st || !name || !nvm)
        return STSAFE_ERR_BAD_INPUT;
    uint8_t *buf = malloc(STSAFE_EMU_IMAGE_MAX_SIZE);
    if (!buf)
        return STSAFE_ERR_ALLOC;
    int err = stsafe_emu_image_serialize(nvm, buf, STSAFE_EMU_IMAGE_MAX_SIZE, &len);
    if (!err)
        err = save_bytes(st, name, buf, len);
    memset(buf, 0, STSAFE_EMU_IMAGE_MAX_SIZE);
    free(buf);
    return err;
}

int stsafe_emu_image_load_from(const stsafe_emu_storage *st, const char *name, stsafe_emu_nvm *nvm)
{
    size_t len = 0;
    if (!st || !name || !nvm)
        return STSAFE_ERR_BAD_INPUT;
    uint8_t *buf = malloc(STSAFE_EMU_IMAGE_MAX_SIZE);
    if (!buf)
        return STSAFE_ERR_ALLOC;
    int err = st->ops->read(st->ctx, name, buf, STSAFE_EMU_IMAGE_MAX_SIZE, &len);
    if (err == STSAFE_ERR_BUFFER_TOO_SMALL)
        err = STSAFE_ERR_IMAGE_FORMAT; /* larger than any image */
    if (!err)
        err = stsafe_emu_image_parse(buf, len, nvm);
    memset(buf, 0, STSAFE_EMU_IMAGE_MAX_SIZE);
    free(buf);
    return err;
}

int stsafe_emu_image_save(const char *path, const stsafe_emu_nvm *nvm)
{
    stsafe_emu_storage st = stsafe_emu_storage_posix();
    return stsafe_emu_image_save_to(&st, path, nvm);
}

int stsafe_emu_image_load(const char *path, stsafe_emu_nvm *nvm)
{
    stsafe_emu_storage st = stsafe_emu_storage_posix();
    return stsafe_emu_image_load_from(&st, path, nvm);
}

int stsafe_emu_image_explain(const char *path, char *detail, size_t cap)
{
    size_t len = 0;
    if (!path || !detail || !cap)
        return STSAFE_ERR_BAD_INPUT;
    detail[0] = '\0';
    stsafe_emu_storage st = stsafe_emu_storage_posix();
    uint8_t *buf = malloc(STSAFE_EMU_IMAGE_MAX_SIZE);
    stsafe_emu_nvm *nvm = malloc(sizeof *nvm);
    int err = buf && nvm ? st.ops->read(st.ctx, path, buf, STSAFE_EMU_IMAGE_MAX_SIZE, &len) : STSAFE_ERR_ALLOC;
    if (!err)
        err = parse(buf, len, nvm, 0);
    if (!err)
        err = stsafe_emu_image_check(nvm, detail, cap);
    if (buf)
        memset(buf, 0, STSAFE_EMU_IMAGE_MAX_SIZE);
    if (nvm)
        memset(nvm, 0, sizeof *nvm);
    free(buf);
    free(nvm);
    return err;
}
