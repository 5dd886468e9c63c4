/* SPDX-License-Identifier: BSD-3-Clause */
/* The chip as an opaque driver of the PSA Crypto Driver Interface
 * (opaque_driver.h, docs/psa.md): each entry point checks the key's
 * attributes and context, then calls the core (psa_core.c) on the chip slot
 * the context names. */
#include "stsafe/psa/opaque_driver.h"

#include <string.h>

#include "stsafe/protocol/curves.h"

static const uint8_t magic[4] = {'S', 'T', 'S', 'A'};

#define FINGERPRINT_LEN 8u  /* bytes of the public X kept in a context */
#define CTX_SLOT 5u
#define CTX_CURVE 6u
#define CTX_RESERVED 7u
#define CTX_FINGERPRINT 8u

static int is_chip_slot(psa_drv_slot_number_t n)
{
    return n == 0 || n == 1 || n == STSAFE_PSA_SLOT_EPHEMERAL;
}

/* The first bytes of \p slot's known public X (the core keeps the point). */
static psa_status_t fingerprint(uint8_t slot, uint8_t out[FINGERPRINT_LEN])
{
    uint8_t pub[1 + 2 * STSAFE_MAX_COORD_LEN];
    size_t len = 0;
    psa_status_t ps = stsafe_psa_export_public_key(slot, pub, sizeof pub, &len);
    if (ps == PSA_SUCCESS)
        memcpy(out, pub + 1, FINGERPRINT_LEN);
    return ps;
}

/* A context for \p slot's current key, on \p curve. */
static psa_status_t write_context(uint8_t slot, uint8_t curve, uint8_t *buf, size_t size, size_t *len)
{
    if (!buf || size < STSAFE_OPAQUE_KEY_CONTEXT_SIZE)
        return PSA_ERROR_BUFFER_TOO_SMALL;
    uint8_t ctx[STSAFE_OPAQUE_KEY_CONTEXT_SIZE] = {0};
    psa_status_t ps = fingerprint(slot, ctx + CTX_FINGERPRINT);
    if (ps != PSA_SUCCESS)
        return ps;
    memcpy(ctx, magic, sizeof magic);
    ctx[4] = STSAFE_OPAQUE_KEY_CONTEXT_VERSION;
    ctx[CTX_SLOT] = slot;
    ctx[CTX_CURVE] = curve;
    memcpy(buf, ctx, sizeof ctx);
    if (len)
        *len = sizeof ctx;
    return PSA_SUCCESS;
}

/* The attributes of a key of this driver: its location, and the curve of
 * its type and size. */
static psa_status_t check_attributes(const psa_key_attributes_t *attr, uint8_t *curve)
{
    if (!attr || PSA_KEY_LIFETIME_GET_LOCATION(psa_get_key_lifetime(attr)) != STSAFE_OPAQUE_LOCATION)
        return PSA_ERROR_INVALID_ARGUMENT;
    psa_key_type_t type = psa_get_key_type(attr);
    if (!PSA_KEY_TYPE_IS_ECC_KEY_PAIR(type))
        return PSA_ERROR_NOT_SUPPORTED;
    return stsafe_psa_curve_of(type, psa_get_key_bits(attr), curve);
}

/* The chip slot of a key: the checks, in the order opaque_driver.h lists. */
static psa_status_t key_slot(const psa_key_attributes_t *attr, const uint8_t *buf, size_t len, uint8_t *slot)
{
    uint8_t curve = STSAFE_CURVE_NONE;
    psa_status_t ps = check_attributes(attr, &curve);
    if (ps != PSA_SUCCESS)
        return ps;
    if (!buf || len != STSAFE_OPAQUE_KEY_CONTEXT_SIZE)
        return PSA_ERROR_INVALID_ARGUMENT;
    if (memcmp(buf, magic, sizeof magic) != 0 || buf[4] != STSAFE_OPAQUE_KEY_CONTEXT_VERSION ||
        buf[CTX_RESERVED] != 0)
        return PSA_ERROR_CORRUPTION_DETECTED;
    if (!is_chip_slot(buf[CTX_SLOT]))
        return PSA_ERROR_DOES_NOT_EXIST;
    if (buf[CTX_CURVE] != curve)
        return PSA_ERROR_INVALID_ARGUMENT;
    if (!stsafe_psa_bound())
        return PSA_ERROR_BAD_STATE;
    /* the slot still holds the key this context was made for */
    uint8_t now[FINGERPRINT_LEN];
    if (stsafe_psa_slot_curve(buf[CTX_SLOT]) != curve || fingerprint(buf[CTX_SLOT], now) != PSA_SUCCESS ||
        memcmp(now, buf + CTX_FINGERPRINT, FINGERPRINT_LEN) != 0)
        return PSA_ERROR_DOES_NOT_EXIST;
    *slot = buf[CTX_SLOT];
    return PSA_SUCCESS;
}

size_t stsafe_opaque_size_function(psa_key_type_t key_type, size_t key_bits)
{
    uint8_t curve = STSAFE_CURVE_NONE;
    if (!PSA_KEY_TYPE_IS_ECC_KEY_PAIR(key_type) || stsafe_psa_curve_of(key_type, key_bits, &curve) != PSA_SUCCESS)
        return 0;
    return STSAFE_OPAQUE_KEY_CONTEXT_SIZE;
}

psa_status_t stsafe_opaque_get_builtin_key(psa_drv_slot_number_t slot_number, psa_key_attributes_t *attributes,
                                           uint8_t *key_buffer, size_t key_buffer_size,
                                           size_t *key_buffer_length)
{
    if (!attributes || !is_chip_slot(slot_number) ||
        PSA_KEY_LIFETIME_GET_LOCATION(psa_get_key_lifetime(attributes)) != STSAFE_OPAQUE_LOCATION)
        return PSA_ERROR_DOES_NOT_EXIST;
    if (!stsafe_psa_bound())
        return PSA_ERROR_BAD_STATE;
    uint8_t slot = (uint8_t)slot_number;
    uint8_t curve = stsafe_psa_slot_curve(slot);
    psa_key_type_t type = 0;
    size_t bits = 0;
    if (stsafe_psa_type_of(curve, &type, &bits) != PSA_SUCCESS)
        return PSA_ERROR_DOES_NOT_EXIST; /* no public key known for the slot */
    psa_set_key_type(attributes, type);
    psa_set_key_bits(attributes, bits);
    psa_set_key_lifetime(attributes, STSAFE_OPAQUE_BUILTIN_LIFETIME);
    if (slot == STSAFE_PSA_SLOT_EPHEMERAL) { /* one key establishment (chip.h) */
        psa_set_key_usage_flags(attributes, PSA_KEY_USAGE_DERIVE);
        psa_set_key_algorithm(attributes, PSA_ALG_ECDH);
    } else {
        psa_set_key_usage_flags(attributes, PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH);
        psa_set_key_algorithm(attributes, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH));
    }
    return write_context(slot, curve, key_buffer, key_buffer_size, key_buffer_length);
}

psa_status_t stsafe_opaque_platform_builtin_key(psa_key_id_t key_id, psa_key_lifetime_t *lifetime,
                                                psa_drv_slot_number_t *slot_number)
{
    if (key_id != STSAFE_OPAQUE_KEY_ID_SLOT0 && key_id != STSAFE_OPAQUE_KEY_ID_SLOT1 &&
        key_id != STSAFE_OPAQUE_KEY_ID_EPHEMERAL)
        return PSA_ERROR_DOES_NOT_EXIST;
    *lifetime = STSAFE_OPAQUE_BUILTIN_LIFETIME;
    *slot_number = key_id & 0xFFu;
    return PSA_SUCCESS;
}

psa_status_t stsafe_opaque_sign_hash(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                     size_t key_buffer_size, psa_algorithm_t alg, const uint8_t *hash,
                                     size_t hash_length, uint8_t *signature, size_t signature_size,
                                     size_t *signature_length)
{
    uint8_t slot = 0;
    psa_status_t ps = key_slot(attributes, key_buffer, key_buffer_size, &slot);
    if (ps != PSA_SUCCESS)
        return ps;
    return stsafe_psa_sign_hash(slot, alg, hash, hash_length, signature, signature_size, signature_length);
}

psa_status_t stsafe_opaque_verify_hash(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                       size_t key_buffer_size, psa_algorithm_t alg, const uint8_t *hash,
                                       size_t hash_length, const uint8_t *signature, size_t signature_length)
{
    uint8_t slot = 0;
    psa_status_t ps = key_slot(attributes, key_buffer, key_buffer_size, &slot);
    if (ps != PSA_SUCCESS)
        return ps;
    return stsafe_psa_verify_hash(slot, alg, hash, hash_length, signature, signature_length);
}

psa_status_t stsafe_opaque_generate_key(const psa_key_attributes_t *attributes, uint8_t *key_buffer,
                                        size_t key_buffer_size, size_t *key_buffer_length)
{
    uint8_t curve = STSAFE_CURVE_NONE;
    psa_status_t ps = check_attributes(attributes, &curve);
    if (ps != PSA_SUCCESS)
        return ps;
    if (!key_buffer || key_buffer_size < STSAFE_OPAQUE_KEY_CONTEXT_SIZE)
        return PSA_ERROR_BUFFER_TOO_SMALL;
    if (!key_buffer_length)
        return PSA_ERROR_INVALID_ARGUMENT;
    uint8_t slot = PSA_KEY_LIFETIME_IS_VOLATILE(psa_get_key_lifetime(attributes)) ? STSAFE_PSA_SLOT_EPHEMERAL : 1;
    ps = stsafe_psa_generate_key(slot, psa_get_key_type(attributes), psa_get_key_bits(attributes), NULL, 0, NULL);
    if (ps != PSA_SUCCESS)
        return ps;
    return write_context(slot, curve, key_buffer, key_buffer_size, key_buffer_length);
}

psa_status_t stsafe_opaque_import_key(const psa_key_attributes_t *attributes, const uint8_t *data,
                                      size_t data_length, uint8_t *key_buffer, size_t key_buffer_size,
                                      size_t *key_buffer_length, size_t *bits)
{
    (void)attributes;
    (void)data;
    (void)data_length;
    (void)key_buffer;
    (void)key_buffer_size;
    (void)key_buffer_length;
    (void)bits;
    return PSA_ERROR_NOT_SUPPORTED; /* the A110 has no command that imports a private key */
}

psa_status_t stsafe_opaque_export_public_key(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                             size_t key_buffer_size, uint8_t *data, size_t data_size,
                                             size_t *data_length)
{
    uint8_t slot = 0;
    psa_status_t ps = key_slot(attributes, key_buffer, key_buffer_size, &slot);
    if (ps != PSA_SUCCESS)
        return ps;
    return stsafe_psa_export_public_key(slot, data, data_size, data_length);
}

psa_status_t stsafe_opaque_export_key(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                      size_t key_buffer_size, uint8_t *data, size_t data_size,
                                      size_t *data_length)
{
    (void)attributes;
    (void)key_buffer;
    (void)key_buffer_size;
    return stsafe_psa_export_key(0, data, data_size, data_length); /* always NOT_PERMITTED */
}

psa_status_t stsafe_opaque_key_agreement(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                         size_t key_buffer_size, psa_algorithm_t alg, const uint8_t *peer_key,
                                         size_t peer_key_length, uint8_t *shared_secret,
                                         size_t shared_secret_size, size_t *shared_secret_length)
{
    uint8_t slot = 0;
    psa_status_t ps = key_slot(attributes, key_buffer, key_buffer_size, &slot);
    if (ps != PSA_SUCCESS)
        return ps;
    return stsafe_psa_key_agreement(slot, alg, peer_key, peer_key_length, shared_secret, shared_secret_size,
                                    shared_secret_length);
}
