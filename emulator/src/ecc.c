/* SPDX-License-Identifier: BSD-3-Clause */
#include "stsafe/emulator/ecc.h"

#include <string.h>

#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/mbedtls_compat.h"

/* mbedtls_ecp_keypair's members are private in mbedTLS 3.x. */
#define KP_GRP(kp) ((kp)->STSAFE_MBEDTLS_PRIVATE(grp))
#define KP_D(kp)   ((kp)->STSAFE_MBEDTLS_PRIVATE(d))
#define KP_Q(kp)   ((kp)->STSAFE_MBEDTLS_PRIVATE(Q))

mbedtls_ecp_group_id stsafe_emu_curve_group(uint8_t curve)
{
    return (mbedtls_ecp_group_id)stsafe_curve_group(curve);
}

/* The public point of \p kp into \p slot, fixed-width big-endian. */
/* \p grp: the group the point is on (a cached one, or the pair's own). */
static int write_public(const mbedtls_ecp_group *grp, const mbedtls_ecp_keypair *kp, size_t n,
                        stsafe_emu_key_slot *slot)
{
    return stsafe_mbedtls_point_to_xy(grp, &KP_Q(kp), slot->pub_x, slot->pub_y, n);
}

int stsafe_emu_slot_generate(stsafe_emu_key_slot *slot, uint8_t curve, stsafe_emu_rng_fn f_rng,
                           void *p_rng)
{
    return stsafe_emu_slot_generate_in(slot, curve, NULL, f_rng, p_rng);
}

int stsafe_emu_slot_generate_in(stsafe_emu_key_slot *slot, uint8_t curve, mbedtls_ecp_group *grp,
                                stsafe_emu_rng_fn f_rng, void *p_rng)
{
    size_t n = stsafe_curve_size(curve);
    if (n == 0 || !f_rng || (grp && grp->id != stsafe_emu_curve_group(curve)))
        return STSAFE_ERR_BAD_INPUT;
    mbedtls_ecp_keypair kp;
    stsafe_emu_key_slot fresh;
    memset(&fresh, 0, sizeof fresh);
    mbedtls_ecp_keypair_init(&kp);
    int rc = grp ? mbedtls_ecp_gen_keypair(grp, &KP_D(&kp), &KP_Q(&kp), f_rng, p_rng) /* same draws as gen_key */
                 : mbedtls_ecp_gen_key(stsafe_emu_curve_group(curve), &kp, f_rng, p_rng);
    if (!rc)
        rc = mbedtls_mpi_write_binary(&KP_D(&kp), fresh.priv, n);
    if (!rc)
        rc = write_public(grp ? grp : &KP_GRP(&kp), &kp, n, &fresh);
    mbedtls_ecp_keypair_free(&kp);
    if (rc) {
        memset(&fresh, 0, sizeof fresh);
        return STSAFE_ERR_CRYPTO;
    }
    fresh.present = 1;
    fresh.curve = curve;
    fresh.usage_limit = 0xFFFF;
    *slot = fresh;
    memset(&fresh, 0, sizeof fresh);
    return 0;
}

int stsafe_emu_slot_import(stsafe_emu_key_slot *slot, uint8_t curve, const uint8_t *priv, size_t len,
                           stsafe_emu_rng_fn f_rng, void *p_rng)
{
    size_t n = stsafe_curve_size(curve);
    if (n == 0 || !priv || len != n || !f_rng)
        return STSAFE_ERR_BAD_INPUT;
    mbedtls_ecp_keypair kp;
    stsafe_emu_key_slot fresh;
    memset(&fresh, 0, sizeof fresh);
    mbedtls_ecp_keypair_init(&kp);
    /* Loads the group and d, and refuses a scalar outside [1, n-1]. */
    int rc = mbedtls_ecp_read_key(stsafe_emu_curve_group(curve), &kp, priv, len);
    if (rc == MBEDTLS_ERR_ECP_INVALID_KEY)
        rc = STSAFE_ERR_BAD_INPUT;
    /* Q = d.G. The RNG only blinds the multiplication: mbedTLS 2.28 made
     * its own when given none, 3.x refuses NULL (MBEDTLS_ERR_ECP_BAD_INPUT_DATA). */
    if (!rc)
        rc = mbedtls_ecp_mul(&KP_GRP(&kp), &KP_Q(&kp), &KP_D(&kp), &KP_GRP(&kp).G, f_rng, p_rng);
    if (!rc)
        rc = write_public(&KP_GRP(&kp), &kp, n, &fresh);
    mbedtls_ecp_keypair_free(&kp);
    if (rc) {
        memset(&fresh, 0, sizeof fresh);
        return rc == STSAFE_ERR_BAD_INPUT ? rc : STSAFE_ERR_CRYPTO;
    }
    memcpy(fresh.priv, priv, n);
    fresh.present = 1;
    fresh.curve = curve;
    fresh.usage_limit = 0xFFFF;
    memcpy(fresh.mode, slot->mode, sizeof fresh.mode); /* the slot keeps its personalised mode */
    *slot = fresh;
    memset(&fresh, 0, sizeof fresh);
    return 0;
}

int stsafe_emu_slot_to_keypair(const stsafe_emu_key_slot *slot, mbedtls_ecp_keypair *kp)
{
    size_t n = stsafe_curve_size(slot->curve);
    if (!slot->present || n == 0)
        return STSAFE_ERR_BAD_INPUT;
    int rc = mbedtls_ecp_read_key(stsafe_emu_curve_group(slot->curve), kp, slot->priv, n);
    if (!rc)
        rc = stsafe_mbedtls_point_from_xy(&KP_GRP(kp), &KP_Q(kp), slot->pub_x, slot->pub_y, n);
    return rc ? STSAFE_ERR_CRYPTO : 0;
}

int stsafe_emu_slot_public_keypair(const stsafe_emu_key_slot *slot, mbedtls_ecp_keypair *kp)
{
    size_t n = stsafe_curve_size(slot->curve);
    if (!slot->present || n == 0)
        return STSAFE_ERR_BAD_INPUT;
    int rc = mbedtls_ecp_group_load(&KP_GRP(kp), stsafe_emu_curve_group(slot->curve));
    if (!rc)
        rc = stsafe_mbedtls_point_from_xy(&KP_GRP(kp), &KP_Q(kp), slot->pub_x, slot->pub_y, n);
    return rc ? STSAFE_ERR_CRYPTO : 0;
}
