/* SPDX-License-Identifier: BSD-3-Clause */
/* The chip behind mbedTLS 3.6's PSA core through the dynamic secure-element
 * interface (se_driver.h, docs/psa.md). The driver's slot numbers are the
 * chip's slots (0, 1, 0xFF); every entry point goes to the core (psa_core.c). */
#include "stsafe/psa/se_driver.h"

#include <psa/crypto_se_driver.h>

#include "stsafe/protocol/mbedtls_compat.h"

/* psa_drv_se_* fields are private names in 3.6 (MBEDTLS_PRIVATE). */
#define F(field) STSAFE_MBEDTLS_PRIVATE(field)

static psa_status_t slot_number(psa_key_slot_number_t n, uint8_t *slot)
{
    if (n > 0xFF || stsafe_psa_key_id_of((uint8_t)n) == PSA_KEY_ID_NULL)
        return PSA_ERROR_DOES_NOT_EXIST;
    *slot = (uint8_t)n;
    return PSA_SUCCESS;
}

static psa_status_t drv_init(psa_drv_se_context_t *ctx, void *persistent, psa_key_location_t location)
{
    (void)ctx;
    (void)persistent;
    (void)location;
    return PSA_SUCCESS;
}

/* A key this chip can hold: an ECC key pair on one of its curves. */
static psa_status_t check_type(const psa_key_attributes_t *attr)
{
    uint8_t curve = 0;
    psa_key_type_t type = psa_get_key_type(attr);
    if (!PSA_KEY_TYPE_IS_ECC_KEY_PAIR(type))
        return PSA_ERROR_NOT_SUPPORTED;
    return stsafe_psa_curve_of(type, psa_get_key_bits(attr), &curve);
}

static psa_status_t drv_allocate(psa_drv_se_context_t *ctx, void *persistent, const psa_key_attributes_t *attr,
                                 psa_key_creation_method_t method, psa_key_slot_number_t *key_slot)
{
    (void)ctx;
    (void)persistent;
    uint8_t slot = 0;
    psa_status_t ps = stsafe_psa_slot_of(MBEDTLS_SVC_KEY_ID_GET_KEY_ID(psa_get_key_id(attr)), &slot);
    if (ps == PSA_SUCCESS)
        ps = check_type(attr);
    if (ps == PSA_SUCCESS && method != PSA_KEY_CREATION_REGISTER && method != PSA_KEY_CREATION_GENERATE)
        ps = PSA_ERROR_NOT_SUPPORTED; /* no import, derivation or copy into the A110 */
    if (ps == PSA_SUCCESS && method == PSA_KEY_CREATION_GENERATE && slot == 0)
        ps = PSA_ERROR_NOT_PERMITTED;
    if (ps == PSA_SUCCESS)
        *key_slot = slot;
    return ps;
}

static psa_status_t drv_validate(psa_drv_se_context_t *ctx, void *persistent, const psa_key_attributes_t *attr,
                                 psa_key_creation_method_t method, psa_key_slot_number_t key_slot)
{
    (void)ctx;
    (void)persistent;
    uint8_t slot = 0;
    psa_status_t ps = slot_number(key_slot, &slot);
    if (ps == PSA_SUCCESS)
        ps = check_type(attr);
    if (ps == PSA_SUCCESS && method != PSA_KEY_CREATION_REGISTER && method != PSA_KEY_CREATION_GENERATE)
        ps = PSA_ERROR_NOT_SUPPORTED;
    if (ps == PSA_SUCCESS && method == PSA_KEY_CREATION_GENERATE && slot == 0)
        ps = PSA_ERROR_NOT_PERMITTED;
    return ps;
}

static psa_status_t drv_generate(psa_drv_se_context_t *ctx, psa_key_slot_number_t key_slot,
                                 const psa_key_attributes_t *attr, uint8_t *pub, size_t pub_size, size_t *pub_len)
{
    (void)ctx;
    uint8_t slot = 0;
    psa_status_t ps = slot_number(key_slot, &slot);
    if (ps != PSA_SUCCESS)
        return ps;
    return stsafe_psa_generate_key(slot, psa_get_key_type(attr), psa_get_key_bits(attr), pub_size ? pub : NULL,
                                   pub_size, pub_len);
}

/* The A110 has no command that deletes a key: PSA forgets it, the chip keeps it. */
static psa_status_t drv_destroy(psa_drv_se_context_t *ctx, void *persistent, psa_key_slot_number_t key_slot)
{
    (void)ctx;
    (void)persistent;
    (void)key_slot;
    return PSA_SUCCESS;
}

static psa_status_t drv_export(psa_drv_se_context_t *ctx, psa_key_slot_number_t key_slot, uint8_t *out,
                               size_t out_size, size_t *out_len)
{
    (void)ctx;
    return stsafe_psa_export_key((uint8_t)key_slot, out, out_size, out_len);
}

static psa_status_t drv_export_public(psa_drv_se_context_t *ctx, psa_key_slot_number_t key_slot, uint8_t *out,
                                      size_t out_size, size_t *out_len)
{
    (void)ctx;
    uint8_t slot = 0;
    psa_status_t ps = slot_number(key_slot, &slot);
    return ps != PSA_SUCCESS ? ps : stsafe_psa_export_public_key(slot, out, out_size, out_len);
}

static psa_status_t drv_sign(psa_drv_se_context_t *ctx, psa_key_slot_number_t key_slot, psa_algorithm_t alg,
                             const uint8_t *hash, size_t hash_len, uint8_t *sig, size_t sig_size, size_t *sig_len)
{
    (void)ctx;
    uint8_t slot = 0;
    psa_status_t ps = slot_number(key_slot, &slot);
    return ps != PSA_SUCCESS ? ps : stsafe_psa_sign_hash(slot, alg, hash, hash_len, sig, sig_size, sig_len);
}

static psa_status_t drv_verify(psa_drv_se_context_t *ctx, psa_key_slot_number_t key_slot, psa_algorithm_t alg,
                               const uint8_t *hash, size_t hash_len, const uint8_t *sig, size_t sig_len)
{
    (void)ctx;
    uint8_t slot = 0;
    psa_status_t ps = slot_number(key_slot, &slot);
    return ps != PSA_SUCCESS ? ps : stsafe_psa_verify_hash(slot, alg, hash, hash_len, sig, sig_len);
}

static const psa_drv_se_key_management_t key_management = {
    .F(p_allocate) = drv_allocate,
    .F(p_validate_slot_number) = drv_validate,
    .F(p_import) = NULL, /* PSA answers NOT_SUPPORTED: the A110 imports no private key */
    .F(p_generate) = drv_generate,
    .F(p_destroy) = drv_destroy,
    .F(p_export) = drv_export,
    .F(p_export_public) = drv_export_public,
};

static const psa_drv_se_asymmetric_t asymmetric = {
    .F(p_sign) = drv_sign,
    .F(p_verify) = drv_verify,
};

/* Key agreement: the 3.6 core sends no key agreement to an SE driver (its
 * derivation table is never called), so ECDH stays a core function
 * (stsafe_psa_key_agreement()) until the opaque-driver route (docs/psa.md). */
static const psa_drv_se_t methods = {
    .F(hal_version) = PSA_DRV_SE_HAL_VERSION,
    .F(persistent_data_size) = 0,
    .F(p_init) = drv_init,
    .F(key_management) = &key_management,
    .F(asymmetric) = &asymmetric,
};

const psa_drv_se_t *stsafe_psa_se_methods(void)
{
    return &methods;
}

/* No flag of our own: mbedtls_psa_crypto_free() unregisters every SE driver,
 * so the driver table is asked each time (ALREADY_EXISTS: still there). */
psa_status_t stsafe_psa_se_register(void)
{
    psa_status_t ps = psa_register_se_driver(STSAFE_PSA_LOCATION, &methods);
    if (ps == PSA_ERROR_BAD_STATE) { /* a PSA core that refuses once running: restart it */
        mbedtls_psa_crypto_free();
        ps = psa_register_se_driver(STSAFE_PSA_LOCATION, &methods);
    }
    if (ps == PSA_ERROR_ALREADY_EXISTS)
        ps = PSA_SUCCESS;
    return ps == PSA_SUCCESS ? psa_crypto_init() : ps;
}

static psa_status_t same_slot(psa_key_id_t id, uint8_t slot)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_slot_number_t n = 0;
    psa_status_t ps = psa_get_key_attributes(mbedtls_svc_key_id_make(0, id), &attr);
    if (ps == PSA_SUCCESS)
        ps = psa_get_key_slot_number(&attr, &n);
    if (ps == PSA_SUCCESS && n != slot)
        ps = PSA_ERROR_ALREADY_EXISTS;
    psa_reset_key_attributes(&attr);
    return ps;
}

psa_status_t stsafe_psa_se_register_key(uint8_t slot)
{
    psa_key_id_t id = stsafe_psa_key_id_of(slot);
    if (id == PSA_KEY_ID_NULL)
        return PSA_ERROR_DOES_NOT_EXIST;
    psa_key_type_t type = 0;
    size_t bits = 0;
    if (stsafe_psa_type_of(stsafe_psa_slot_curve(slot), &type, &bits) != PSA_SUCCESS)
        return PSA_ERROR_DOES_NOT_EXIST; /* no public point known: stsafe_psa_set_public() */

    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_id(&attr, mbedtls_svc_key_id_make(0, id));
    psa_set_key_lifetime(&attr, PSA_KEY_LIFETIME_FROM_PERSISTENCE_AND_LOCATION(PSA_KEY_PERSISTENCE_DEFAULT,
                                                                               STSAFE_PSA_LOCATION));
    psa_set_key_type(&attr, type);
    psa_set_key_bits(&attr, bits);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH);
    psa_set_key_algorithm(&attr, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH));
    psa_set_key_slot_number(&attr, slot);
    psa_status_t ps = mbedtls_psa_register_se_key(&attr);
    psa_reset_key_attributes(&attr);
    return ps == PSA_ERROR_ALREADY_EXISTS ? same_slot(id, slot) : ps;
}

void stsafe_psa_se_forget_keys(void)
{
    static const uint8_t slots[] = {0, 1, STSAFE_PSA_SLOT_EPHEMERAL};
    for (size_t i = 0; i < sizeof slots; i++)
        (void)psa_destroy_key(mbedtls_svc_key_id_make(0, stsafe_psa_key_id_of(slots[i])));
}
