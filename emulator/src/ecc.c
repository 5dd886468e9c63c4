#include "stsafe/emulator/ecc.h"

#include <string.h>

#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"

mbedtls_ecp_group_id stsafe_emu_curve_group(uint8_t curve)
{
    return (mbedtls_ecp_group_id)stsafe_curve_group(curve);
}

/* The public point of \p kp into \p slot, fixed-width big-endian. */
static int write_public(const mbedtls_ecp_keypair *kp, size_t n, stsafe_emu_key_slot *slot)
{
    int rc = mbedtls_mpi_write_binary(&kp->Q.X, slot->pub_x, n);
    return rc ? rc : mbedtls_mpi_write_binary(&kp->Q.Y, slot->pub_y, n);
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
    int rc = grp ? mbedtls_ecp_gen_keypair(grp, &kp.d, &kp.Q, f_rng, p_rng) /* same draws as gen_key */
                 : mbedtls_ecp_gen_key(stsafe_emu_curve_group(curve), &kp, f_rng, p_rng);
    if (!rc)
        rc = mbedtls_mpi_write_binary(&kp.d, fresh.priv, n);
    if (!rc)
        rc = write_public(&kp, n, &fresh);
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

int stsafe_emu_slot_import(stsafe_emu_key_slot *slot, uint8_t curve, const uint8_t *priv, size_t len)
{
    size_t n = stsafe_curve_size(curve);
    if (n == 0 || !priv || len != n)
        return STSAFE_ERR_BAD_INPUT;
    mbedtls_ecp_keypair kp;
    stsafe_emu_key_slot fresh;
    memset(&fresh, 0, sizeof fresh);
    mbedtls_ecp_keypair_init(&kp);
    int rc = mbedtls_ecp_group_load(&kp.grp, stsafe_emu_curve_group(curve));
    if (!rc)
        rc = mbedtls_mpi_read_binary(&kp.d, priv, len);
    if (!rc)
        rc = mbedtls_ecp_check_privkey(&kp.grp, &kp.d) ? STSAFE_ERR_BAD_INPUT : 0;
    /* Q = d.G; mbedTLS 2.28 wants an RNG only for blinding, which a
     * public computation does not need. */
    if (!rc)
        rc = mbedtls_ecp_mul(&kp.grp, &kp.Q, &kp.d, &kp.grp.G, NULL, NULL);
    if (!rc)
        rc = write_public(&kp, n, &fresh);
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
    int rc = mbedtls_ecp_group_load(&kp->grp, stsafe_emu_curve_group(slot->curve));
    if (!rc)
        rc = mbedtls_mpi_read_binary(&kp->d, slot->priv, n);
    if (!rc)
        rc = mbedtls_mpi_read_binary(&kp->Q.X, slot->pub_x, n);
    if (!rc)
        rc = mbedtls_mpi_read_binary(&kp->Q.Y, slot->pub_y, n);
    if (!rc)
        rc = mbedtls_mpi_lset(&kp->Q.Z, 1);
    return rc ? STSAFE_ERR_CRYPTO : 0;
}
