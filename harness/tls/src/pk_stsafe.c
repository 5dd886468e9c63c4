/* SPDX-License-Identifier: BSD-3-Clause */
/* The mbedTLS 2.28 pk adapter (pk_stsafe.h, docs/mbedtls.md). CMake builds
 * it only against 2.28; pk_stsafe.h stops a 3.x build before the include of
 * mbedtls/pk_internal.h below, which 3.x no longer has (and which a stray
 * 2.28 in /usr/include would otherwise supply). */
#include "stsafe/tls/pk_stsafe.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/pk_internal.h>

#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"

/* mbedTLS casts the context of an ECKEY to mbedtls_ecp_keypair, so the
 * keypair must come first. Its d stays zero: the scalar is in the chip. */
typedef struct {
    mbedtls_ecp_keypair key;
    stsafe_client *client;
    uint8_t slot;
    uint8_t curve;
    stsafe_pk_stats stats;
    int last_error;
} stsafe_pk_ctx;

static size_t sts_bitlen(const void *ctx)
{
    return ((const stsafe_pk_ctx *)ctx)->key.grp.pbits;
}

static int sts_can_do(mbedtls_pk_type_t type)
{
    return type == MBEDTLS_PK_ECKEY || type == MBEDTLS_PK_ECDSA;
}

static int sts_verify(void *ctx, mbedtls_md_type_t md_alg, const unsigned char *hash, size_t hash_len,
                      const unsigned char *sig, size_t sig_len)
{
    (void)md_alg;
    stsafe_pk_ctx *c = ctx;
    int rc = mbedtls_ecdsa_read_signature(&c->key, hash, hash_len, sig, sig_len);
    return rc == MBEDTLS_ERR_ECP_SIG_LEN_MISMATCH ? MBEDTLS_ERR_PK_SIG_LEN_MISMATCH : rc;
}

/* DER SEQUENCE { INTEGER r, INTEGER s } from the chip's fixed-width R and S,
 * written backwards as mbedTLS's asn1 writers do. */
static int der_signature(const stsafe_ecc_signature *sig, unsigned char *out, size_t *out_len)
{
    unsigned char buf[MBEDTLS_ECDSA_MAX_LEN];
    unsigned char *p = buf + sizeof buf;
    size_t len = 0;
    mbedtls_mpi r, s;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    int rc = mbedtls_mpi_read_binary(&r, sig->r, sig->size);
    if (!rc)
        rc = mbedtls_mpi_read_binary(&s, sig->s, sig->size);
    int n;
    if (!rc && (n = mbedtls_asn1_write_mpi(&p, buf, &s)) < 0) rc = n; else if (!rc) len += (size_t)n;
    if (!rc && (n = mbedtls_asn1_write_mpi(&p, buf, &r)) < 0) rc = n; else if (!rc) len += (size_t)n;
    if (!rc && (n = mbedtls_asn1_write_len(&p, buf, len)) < 0) rc = n; else if (!rc) len += (size_t)n;
    if (!rc && (n = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
        rc = n;
    else if (!rc)
        len += (size_t)n;
    if (!rc) {
        memcpy(out, p, len);
        *out_len = len;
    }
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    return rc;
}

/* The chip signs the digest; a digest longer than the key (SHA-384 under a
 * P-256 key, as TLS asks in CertificateVerify) is cut to the key's size
 * first, the leftmost bytes, which is what ECDSA does with it anyway. */
static int sts_sign(void *ctx, mbedtls_md_type_t md_alg, const unsigned char *hash, size_t hash_len,
                    unsigned char *sig, size_t *sig_len, int (*f_rng)(void *, unsigned char *, size_t),
                    void *p_rng)
{
    (void)md_alg;
    (void)f_rng;
    (void)p_rng;
    stsafe_pk_ctx *c = ctx;
    stsafe_ecc_signature rs;
    size_t size = stsafe_curve_size(c->curve);
    if (hash_len > size) {
        hash_len = size;
        c->stats.truncated++;
    }
    if (hash_len != 32 && hash_len != 48)
        return MBEDTLS_ERR_PK_BAD_INPUT_DATA; /* the A110 signs 32- or 48-byte digests */
    c->stats.signatures++;
    c->last_error = stsafe_client_sign(c->client, c->slot, hash, hash_len, &rs);
    if (c->last_error)
        return MBEDTLS_ERR_PK_HW_ACCEL_FAILED;
    if (rs.size != size)
        return MBEDTLS_ERR_PK_HW_ACCEL_FAILED;
    return der_signature(&rs, sig, sig_len);
}

static void *sts_alloc(void)
{
    stsafe_pk_ctx *c = calloc(1, sizeof *c);
    if (c)
        mbedtls_ecp_keypair_init(&c->key);
    return c;
}

static void sts_free(void *ctx)
{
    stsafe_pk_ctx *c = ctx;
    if (!c)
        return;
    mbedtls_ecp_keypair_free(&c->key);
    memset(c, 0, sizeof *c);
    free(c);
}

static void sts_debug(const void *ctx, mbedtls_pk_debug_item *items)
{
    items->type = MBEDTLS_PK_DEBUG_ECP;
    items->name = "eckey.Q";
    items->value = (void *)&((const stsafe_pk_ctx *)ctx)->key.Q; /* mbedTLS reads it only */
}

static const mbedtls_pk_info_t stsafe_pk_info = {
    .type = MBEDTLS_PK_ECKEY,
    .name = "STSAFE-A110",
    .get_bitlen = sts_bitlen,
    .can_do = sts_can_do,
    .verify_func = sts_verify,
    .sign_func = sts_sign,
    .check_pair_func = NULL, /* the scalar is not here to check */
    .ctx_alloc_func = sts_alloc,
    .ctx_free_func = sts_free,
    .debug_func = sts_debug,
};

static mbedtls_ecp_group_id group_of(uint8_t curve)
{
    return (mbedtls_ecp_group_id)stsafe_curve_group(curve);
}

int stsafe_pk_setup(mbedtls_pk_context *pk, stsafe_client *client, uint8_t slot, uint8_t curve,
                    const stsafe_ecc_point *pub)
{
    if (!pk || !client || !pub || group_of(curve) == MBEDTLS_ECP_DP_NONE ||
        pub->size != stsafe_curve_size(curve))
        return MBEDTLS_ERR_PK_BAD_INPUT_DATA;
    int rc = mbedtls_pk_setup(pk, &stsafe_pk_info);
    if (rc)
        return rc;
    stsafe_pk_ctx *c = pk->pk_ctx;
    c->client = client;
    c->slot = slot;
    c->curve = curve;
    rc = mbedtls_ecp_group_load(&c->key.grp, group_of(curve));
    if (!rc)
        rc = mbedtls_mpi_read_binary(&c->key.Q.X, pub->x, pub->size);
    if (!rc)
        rc = mbedtls_mpi_read_binary(&c->key.Q.Y, pub->y, pub->size);
    if (!rc)
        rc = mbedtls_mpi_lset(&c->key.Q.Z, 1);
    if (!rc && mbedtls_ecp_check_pubkey(&c->key.grp, &c->key.Q) != 0)
        rc = MBEDTLS_ERR_PK_BAD_INPUT_DATA;
    if (rc)
        mbedtls_pk_free(pk);
    return rc;
}

int stsafe_pk_setup_from_cert(mbedtls_pk_context *pk, stsafe_client *client, uint8_t slot,
                              const mbedtls_x509_crt *crt)
{
    return stsafe_chip_key_setup_from_cert(stsafe_chip_key_pk_table(), pk, client, slot, crt);
}

int stsafe_pk_is_stsafe(const mbedtls_pk_context *pk)
{
    return pk && pk->pk_info == &stsafe_pk_info;
}

const stsafe_pk_stats *stsafe_pk_get_stats(const mbedtls_pk_context *pk)
{
    return stsafe_pk_is_stsafe(pk) ? &((const stsafe_pk_ctx *)pk->pk_ctx)->stats : NULL;
}

int stsafe_pk_last_error(const mbedtls_pk_context *pk)
{
    return stsafe_pk_is_stsafe(pk) ? ((const stsafe_pk_ctx *)pk->pk_ctx)->last_error : 0;
}
