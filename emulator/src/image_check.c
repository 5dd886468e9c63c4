/* SPDX-License-Identifier: BSD-3-Clause */
/* What an intact image may hold (image.h, stsafe_emu_image_check()): the
 * hash says the file is the one written, these checks that a chip could
 * have written it (issue 14 finding 11). Each failure names its field. */
#include "stsafe/emulator/image.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/ecp.h>

#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/emulator/rng.h"

static int bad(char *detail, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int bad(char *detail, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (detail && cap)
        (void)vsnprintf(detail, cap, fmt, ap);
    va_end(ap);
    return STSAFE_ERR_IMAGE_FIELD;
}

static int ac_valid(unsigned ac)
{
    return ac == STSAFE_AC_ALWAYS || ac == STSAFE_AC_HOST || ac == STSAFE_AC_AUTH_HOST ||
           ac == STSAFE_AC_NEVER;
}

static int check_product(const stsafe_emu_nvm *n, char *d, size_t cap)
{
    static const uint8_t states[] = {0x01, 0x02, 0x03, 0x04, 0x81, 0x83};
    if (!memchr(states, n->life_cycle, sizeof states))
        return bad(d, cap, "life cycle 0x%02X is not a life-cycle state (01 02 03 04 81 83)",
                   n->life_cycle);
    if (n->i2c.address < 0x08 || n->i2c.address > 0x77)
        return bad(d, cap, "I2C address 0x%02X is outside 0x08..0x77", n->i2c.address);
    if (n->i2c.low_power_mode != 0 && n->i2c.low_power_mode != 2)
        return bad(d, cap, "I2C low-power mode %u is neither 0 nor 2", n->i2c.low_power_mode);
    if (n->i2c.locked > 1)
        return bad(d, cap, "I2C lock %u is neither 0 nor 1", n->i2c.locked);
    return 0;
}

static int check_zones(const stsafe_emu_nvm *n, char *d, size_t cap)
{
    for (unsigned i = 0; i < n->zone_count; i++) {
        const stsafe_emu_zone *z = &n->zones[i];
        if (!ac_valid((z->access >> STSAFE_ZONE_READ_AC_SHIFT) & STSAFE_ZONE_AC_MASK))
            return bad(d, cap, "zone %u: read access condition %u is reserved", i,
                       (z->access >> STSAFE_ZONE_READ_AC_SHIFT) & STSAFE_ZONE_AC_MASK);
        if (!ac_valid(z->access & STSAFE_ZONE_AC_MASK))
            return bad(d, cap, "zone %u: update access condition %u is reserved", i,
                       z->access & STSAFE_ZONE_AC_MASK);
        if (z->type == STSAFE_ZONE_COUNTER && z->size < 4)
            return bad(d, cap, "zone %u: a counter zone of %u bytes (its counter needs 4)", i, z->size);
        if (z->type == STSAFE_ZONE_PLAIN && z->counter != 0)
            return bad(d, cap, "zone %u: a plain zone with counter %u", i, (unsigned)z->counter);
    }
    return 0;
}

static int check_secrets(const stsafe_emu_nvm *n, char *d, size_t cap)
{
    const stsafe_emu_password *p = &n->password;
    if (p->present > 1)
        return bad(d, cap, "password present flag %u is neither 0 nor 1", p->present);
    if (n->host_keys.present > 1)
        return bad(d, cap, "host keys present flag %u is neither 0 nor 1", n->host_keys.present);
    if (p->present && p->max_tries == 0)
        return bad(d, cap, "password: maximum tries 0");
    if (p->tries_left > p->max_tries)
        return bad(d, cap, "password: %u tries left of a maximum of %u", p->tries_left, p->max_tries);
    const stsafe_emu_cmd_auth_table *t = &n->cmd_auth;
    if (t->change_right > 3)
        return bad(d, cap, "command table: change right 0x%02X is not 0..3", t->change_right);
    for (unsigned i = 0; i < t->count; i++) {
        if (t->rec[i].ac > STSAFE_CMD_AC_ADMIN_OR_HOST)
            return bad(d, cap, "command table: access condition %u of command 0x%02X is not 0..5",
                       t->rec[i].ac, t->rec[i].header);
        if (t->rec[i].host_encryption > (STSAFE_CMD_ENC_CMD | STSAFE_CMD_ENC_RSP))
            return bad(d, cap, "command table: encryption flags 0x%02X of command 0x%02X",
                       t->rec[i].host_encryption, t->rec[i].header);
    }
    return 0;
}

/* Slot \p i's group and scalar loaded (\p grp, \p priv initialised by the caller). */
static int load_key(const stsafe_emu_key_slot *k, mbedtls_ecp_group *grp, mbedtls_mpi *priv)
{
    return mbedtls_ecp_group_load(grp, (mbedtls_ecp_group_id)stsafe_curve_group(k->curve)) != 0 ||
                   mbedtls_mpi_read_binary(priv, k->priv, stsafe_curve_size(k->curve)) != 0
               ? STSAFE_ERR_CRYPTO
               : 0;
}

/* Slot \p i: a scalar in [1, n-1] and a public key that is a point of the
 * curve. Both are cheap; that the point is scalar x G is not checked here
 * (stsafe_emu_image_check_key_pairs()): a multiplication per key made a
 * fleet of 10,000 take 17 s to load. */
static int check_key(const stsafe_emu_key_slot *k, unsigned i, char *d, size_t cap)
{
    mbedtls_ecp_group grp;
    mbedtls_mpi priv;
    mbedtls_ecp_point pub;
    mbedtls_ecp_group_init(&grp);
    mbedtls_mpi_init(&priv);
    mbedtls_ecp_point_init(&pub);
    int err = load_key(k, &grp, &priv);
    if (!err && mbedtls_ecp_check_privkey(&grp, &priv) != 0)
        err = bad(d, cap, "key slot %u: the private scalar is not in [1, n-1] of its curve", i);
    if (!err && (stsafe_mbedtls_point_from_xy(&grp, &pub, k->pub_x, k->pub_y, stsafe_curve_size(k->curve)) != 0 ||
                 mbedtls_ecp_check_pubkey(&grp, &pub) != 0))
        err = bad(d, cap, "key slot %u: the public key is not a point of its curve", i);
    mbedtls_ecp_point_free(&pub);
    mbedtls_mpi_free(&priv);
    mbedtls_ecp_group_free(&grp);
    return err;
}

/* Slot \p i: the stored public key is the private scalar's point d x G. */
static int check_pair(const stsafe_emu_key_slot *k, unsigned i, char *d, size_t cap)
{
    mbedtls_ecp_group grp;
    mbedtls_mpi priv;
    mbedtls_ecp_point q, want;
    mbedtls_ecp_group_init(&grp);
    mbedtls_mpi_init(&priv);
    mbedtls_ecp_point_init(&q);
    mbedtls_ecp_point_init(&want);
    int err = load_key(k, &grp, &priv);
    /* mbedTLS 3.x refuses a multiplication without an RNG (its blinding). */
    if (!err) {
        stsafe_rng rng; /* init sets up its contexts first: free is right after any failure */
        if (stsafe_rng_init(&rng, "stsafe-emu image check") != 0 ||
            stsafe_mbedtls_point_from_xy(&grp, &want, k->pub_x, k->pub_y, stsafe_curve_size(k->curve)) != 0 ||
            mbedtls_ecp_mul(&grp, &q, &priv, &grp.G, stsafe_rng_fn, &rng) != 0)
            err = STSAFE_ERR_CRYPTO;
        stsafe_rng_free(&rng);
    }
    if (!err && mbedtls_ecp_point_cmp(&q, &want) != 0)
        err = bad(d, cap, "key slot %u: the public key is not the private scalar's point", i);
    mbedtls_ecp_point_free(&want);
    mbedtls_ecp_point_free(&q);
    mbedtls_mpi_free(&priv);
    mbedtls_ecp_group_free(&grp);
    return err;
}

int stsafe_emu_image_check_key_pairs(const stsafe_emu_nvm *nvm, char *detail, size_t cap)
{
    if (!nvm)
        return STSAFE_ERR_BAD_INPUT;
    int err = 0;
    for (unsigned i = 0; !err && i < STSAFE_EMU_MAX_KEY_SLOTS; i++) {
        const stsafe_emu_key_slot *k = &nvm->key_slots[i];
        if (k->present && k->curve != STSAFE_CURVE_NONE)
            err = check_pair(k, i, detail, cap);
    }
    return err;
}

int stsafe_emu_image_check(const stsafe_emu_nvm *nvm, char *detail, size_t cap)
{
    if (!nvm)
        return STSAFE_ERR_BAD_INPUT;
    int err = check_product(nvm, detail, cap);
    if (!err)
        err = check_zones(nvm, detail, cap);
    if (!err)
        err = check_secrets(nvm, detail, cap);
    for (unsigned i = 0; !err && i < STSAFE_EMU_MAX_KEY_SLOTS; i++) {
        const stsafe_emu_key_slot *k = &nvm->key_slots[i];
        if (k->present && k->curve == STSAFE_CURVE_NONE)
            err = bad(detail, cap, "key slot %u: present with no curve", i);
        else if (k->present)
            err = check_key(k, i, detail, cap);
    }
    return err;
}
