/* SPDX-License-Identifier: BSD-3-Clause */
/* The chip-key route over the PSA SE registration (se_driver.h): TLS and
 * X.509 get an opaque pk (mbedtls_pk_setup_opaque) whose key id is the
 * chip's slot. */
#include "stsafe/psa/se_driver.h"

#include <mbedtls/pk.h>

/* Which slot a pk this route set up names (the pk keeps its key id in a
 * private member): a few contexts at a time are enough for the tools. */
#define KEEP 4
static struct {
    const mbedtls_pk_context *pk;
    uint8_t slot;
} seen[KEEP];
static stsafe_pk_stats stats_of[KEEP];

static int remember(const mbedtls_pk_context *pk, uint8_t slot)
{
    for (int i = 0; i < KEEP; i++) {
        if (seen[i].pk == pk || seen[i].pk == NULL) {
            seen[i].pk = pk;
            seen[i].slot = slot;
            return i;
        }
    }
    seen[KEEP - 1].pk = pk; /* the oldest entries stay; the last is reused */
    seen[KEEP - 1].slot = slot;
    return KEEP - 1;
}

static int find(const mbedtls_pk_context *pk)
{
    for (int i = 0; pk && i < KEEP; i++)
        if (seen[i].pk == pk)
            return i;
    return -1;
}

static int route_setup(mbedtls_pk_context *pk, stsafe_client *client, uint8_t slot, uint8_t curve,
                       const stsafe_ecc_point *pub)
{
    if (!pk || !client || !pub)
        return MBEDTLS_ERR_PK_BAD_INPUT_DATA;
    if (stsafe_psa_bound() != client)
        stsafe_psa_bind(client);
    if (stsafe_psa_set_public(slot, curve, pub) != PSA_SUCCESS)
        return MBEDTLS_ERR_PK_BAD_INPUT_DATA;
    if (stsafe_psa_se_register() != PSA_SUCCESS || stsafe_psa_se_register_key(slot) != PSA_SUCCESS)
        return MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE;
    int rc = mbedtls_pk_setup_opaque(pk, mbedtls_svc_key_id_make(0, stsafe_psa_key_id_of(slot)));
    if (rc == 0)
        remember(pk, slot);
    return rc;
}

static const stsafe_pk_stats *route_stats(const mbedtls_pk_context *pk)
{
    int i = find(pk);
    if (i < 0)
        return NULL;
    stats_of[i].signatures = stsafe_psa_signatures(seen[i].slot);
    stats_of[i].truncated = 0; /* the chip takes 32- or 48-byte digests as they are */
    return &stats_of[i];
}

static int route_last_error(const mbedtls_pk_context *pk)
{
    int i = find(pk);
    return i < 0 ? 0 : stsafe_psa_last_error(seen[i].slot);
}

static const stsafe_chip_key_route psa_route = {
    .name = "PSA SE (mbedTLS 3.6)",
    .setup = route_setup,
    .stats = route_stats,
    .last_error = route_last_error,
};

const stsafe_chip_key_route *stsafe_psa_chip_key_route(void)
{
    return &psa_route;
}
