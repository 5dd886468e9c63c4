/* SPDX-License-Identifier: BSD-3-Clause */
#include "stsafe/protocol/curves.h"

#include <string.h>

#include <mbedtls/ecp.h>

/* Pointers and sizes first, the identifier bytes last: no padding. */
typedef struct {
    const char *name;
    size_t id_len;
    size_t size;
    mbedtls_ecp_group_id group;
    uint8_t id[STSAFE_CURVE_ID_MAX_LEN];
} curve_def;

static const curve_def curves[STSAFE_CURVE_COUNT] = {
    [STSAFE_CURVE_NONE] = {"none", 0, 0, MBEDTLS_ECP_DP_NONE, {0}},
    /* 1.2.840.10045.3.1.7 */
    [STSAFE_CURVE_P256] = {"NIST P-256", 10, 32, MBEDTLS_ECP_DP_SECP256R1,
                           {0x00, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07}},
    /* 1.3.132.0.34 */
    [STSAFE_CURVE_P384] = {"NIST P-384", 7, 48, MBEDTLS_ECP_DP_SECP384R1,
                           {0x00, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22}},
    /* 1.3.36.3.3.2.8.1.1.7 */
    [STSAFE_CURVE_BP256] = {"brainpoolP256r1", 11, 32, MBEDTLS_ECP_DP_BP256R1,
                            {0x00, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07}},
    /* 1.3.36.3.3.2.8.1.1.11 */
    [STSAFE_CURVE_BP384] = {"brainpoolP384r1", 11, 48, MBEDTLS_ECP_DP_BP384R1,
                            {0x00, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B}},
};

static const curve_def *def(uint8_t curve)
{
    return curve < STSAFE_CURVE_COUNT ? &curves[curve] : &curves[STSAFE_CURVE_NONE];
}

const uint8_t *stsafe_curve_id(uint8_t curve, size_t *len)
{
    const curve_def *d = def(curve);
    if (d->id_len == 0)
        return NULL;
    *len = d->id_len;
    return d->id;
}

uint8_t stsafe_curve_from_id(const uint8_t *id, size_t len, size_t *used)
{
    if (!id || len < 2)
        return STSAFE_CURVE_NONE;
    size_t total = 2u + (size_t)((id[0] << 8) | id[1]);
    for (uint8_t c = 1; c < STSAFE_CURVE_COUNT; c++) {
        if (curves[c].id_len == total && total <= len && memcmp(curves[c].id, id, total) == 0) {
            if (used)
                *used = total;
            return c;
        }
    }
    return STSAFE_CURVE_NONE;
}

size_t stsafe_curve_size(uint8_t curve) { return def(curve)->size; }
const char *stsafe_curve_name(uint8_t curve) { return def(curve)->name; }

int stsafe_curve_group(uint8_t curve)
{
    return (int)def(curve)->group;
}

uint8_t stsafe_curve_from_group(int group)
{
    for (uint8_t c = 1; c < STSAFE_CURVE_COUNT; c++)
        if ((int)curves[c].group == group)
            return c;
    return STSAFE_CURVE_NONE;
}
