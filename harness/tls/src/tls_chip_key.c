/* SPDX-License-Identifier: BSD-3-Clause */
/* The chip's key by a route (chip_key.h, docs/mbedtls.md). */
#include "stsafe/tls/chip_key.h"

#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/mbedtls_compat.h"

#if STSAFE_MBEDTLS_HAS_PK_TABLE
#include "stsafe/tls/pk_stsafe.h"

static const stsafe_chip_key_route pk_table_route = {
    .name = "pk table (mbedTLS 2.28)",
    .setup = stsafe_pk_setup,
    .stats = stsafe_pk_get_stats,
    .last_error = stsafe_pk_last_error,
};
#endif

const stsafe_chip_key_route *stsafe_chip_key_pk_table(void)
{
#if STSAFE_MBEDTLS_HAS_PK_TABLE
    return &pk_table_route;
#else
    return NULL; /* mbedTLS 3.x: the pk info table is private */
#endif
}

int stsafe_chip_key_setup(const stsafe_chip_key_route *route, mbedtls_pk_context *pk, stsafe_client *client,
                          uint8_t slot, uint8_t curve, const stsafe_ecc_point *pub)
{
    if (!route || !route->setup)
        return MBEDTLS_ERR_PK_BAD_INPUT_DATA;
    return route->setup(pk, client, slot, curve, pub);
}

const stsafe_pk_stats *stsafe_chip_key_stats(const stsafe_chip_key_route *route, const mbedtls_pk_context *pk)
{
    return route && route->stats ? route->stats(pk) : NULL;
}

int stsafe_chip_key_last_error(const stsafe_chip_key_route *route, const mbedtls_pk_context *pk)
{
    return route && route->last_error ? route->last_error(pk) : 0;
}

int stsafe_chip_key_public(const mbedtls_pk_context *pk, uint8_t *curve, stsafe_ecc_point *pub)
{
    if (!pk || !curve || !pub || mbedtls_pk_get_type(pk) != MBEDTLS_PK_ECKEY)
        return MBEDTLS_ERR_PK_TYPE_MISMATCH;
    const mbedtls_ecp_keypair *kp = mbedtls_pk_ec(*pk);
    const mbedtls_ecp_group *grp = &kp->STSAFE_MBEDTLS_PRIVATE(grp);
    uint8_t c = stsafe_curve_from_group((int)grp->id);
    if (c == STSAFE_CURVE_NONE)
        return MBEDTLS_ERR_PK_TYPE_MISMATCH;
    pub->size = stsafe_curve_size(c);
    if (stsafe_mbedtls_point_to_xy(grp, &kp->STSAFE_MBEDTLS_PRIVATE(Q), pub->x, pub->y, pub->size) != 0)
        return MBEDTLS_ERR_PK_BAD_INPUT_DATA;
    *curve = c;
    return 0;
}

int stsafe_chip_key_setup_from_cert(const stsafe_chip_key_route *route, mbedtls_pk_context *pk,
                                    stsafe_client *client, uint8_t slot, const mbedtls_x509_crt *crt)
{
    stsafe_ecc_point pub;
    uint8_t curve = STSAFE_CURVE_NONE;
    if (!crt)
        return MBEDTLS_ERR_PK_TYPE_MISMATCH;
    int rc = stsafe_chip_key_public(&crt->pk, &curve, &pub);
    return rc ? rc : stsafe_chip_key_setup(route, pk, client, slot, curve, &pub);
}
