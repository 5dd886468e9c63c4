/* SPDX-License-Identifier: BSD-3-Clause */
/* The chip as a PSA key location: the core (psa.h, docs/psa.md). */
#include "stsafe/psa/psa.h"

#include <string.h>

#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/status.h"

/* One entry per slot PSA can name: 0, 1 and the ephemeral slot. */
#define SLOTS 3

typedef struct {
    uint8_t known;              /* pub and curve hold the slot's public key */
    uint8_t curve;
    stsafe_ecc_point pub;
    uint32_t signatures;
    int last_error;
} slot_state;

/* The process-wide binding (psa.h says why a driver needs one). */
static struct {
    stsafe_client *client;
    slot_state slot[SLOTS];
} binding;

static int slot_index(uint8_t slot)
{
    if (slot == 0 || slot == 1)
        return slot;
    return slot == STSAFE_PSA_SLOT_EPHEMERAL ? 2 : -1;
}

psa_status_t stsafe_psa_bind(stsafe_client *client)
{
    memset(&binding, 0, sizeof binding);
    binding.client = client;
    return PSA_SUCCESS;
}

stsafe_client *stsafe_psa_bound(void)
{
    return binding.client;
}

psa_status_t stsafe_psa_set_public(uint8_t slot, uint8_t curve, const stsafe_ecc_point *pub)
{
    int i = slot_index(slot);
    if (i < 0)
        return PSA_ERROR_DOES_NOT_EXIST;
    if (!pub)
        return PSA_ERROR_INVALID_ARGUMENT;
    if (curve == STSAFE_CURVE_NONE || stsafe_curve_size(curve) == 0)
        return PSA_ERROR_NOT_SUPPORTED;
    if (pub->size != stsafe_curve_size(curve))
        return PSA_ERROR_INVALID_ARGUMENT;
    binding.slot[i].known = 1;
    binding.slot[i].curve = curve;
    binding.slot[i].pub = *pub;
    return PSA_SUCCESS;
}

psa_status_t stsafe_psa_slot_of(psa_key_id_t id, uint8_t *slot)
{
    switch (id) {
    case STSAFE_PSA_KEY_ID_SLOT0: *slot = 0; return PSA_SUCCESS;
    case STSAFE_PSA_KEY_ID_SLOT1: *slot = 1; return PSA_SUCCESS;
    case STSAFE_PSA_KEY_ID_EPHEMERAL: *slot = STSAFE_PSA_SLOT_EPHEMERAL; return PSA_SUCCESS;
    default: return PSA_ERROR_DOES_NOT_EXIST;
    }
}

psa_key_id_t stsafe_psa_key_id_of(uint8_t slot)
{
    switch (slot) {
    case 0: return STSAFE_PSA_KEY_ID_SLOT0;
    case 1: return STSAFE_PSA_KEY_ID_SLOT1;
    case STSAFE_PSA_SLOT_EPHEMERAL: return STSAFE_PSA_KEY_ID_EPHEMERAL;
    default: return PSA_KEY_ID_NULL;
    }
}

psa_status_t stsafe_psa_curve_of(psa_key_type_t type, size_t bits, uint8_t *curve)
{
    if (!PSA_KEY_TYPE_IS_ECC(type))
        return PSA_ERROR_NOT_SUPPORTED;
    psa_ecc_family_t family = PSA_KEY_TYPE_ECC_GET_FAMILY(type);
    uint8_t c = STSAFE_CURVE_NONE;
    if (family == PSA_ECC_FAMILY_SECP_R1)
        c = bits == 256 ? STSAFE_CURVE_P256 : bits == 384 ? STSAFE_CURVE_P384 : STSAFE_CURVE_NONE;
    else if (family == PSA_ECC_FAMILY_BRAINPOOL_P_R1)
        c = bits == 256 ? STSAFE_CURVE_BP256 : bits == 384 ? STSAFE_CURVE_BP384 : STSAFE_CURVE_NONE;
    if (c == STSAFE_CURVE_NONE)
        return PSA_ERROR_NOT_SUPPORTED;
    *curve = c;
    return PSA_SUCCESS;
}

psa_status_t stsafe_psa_type_of(uint8_t curve, psa_key_type_t *type, size_t *bits)
{
    size_t n = curve == STSAFE_CURVE_NONE ? 0 : stsafe_curve_size(curve);
    if (n == 0)
        return PSA_ERROR_NOT_SUPPORTED;
    psa_ecc_family_t family = curve == STSAFE_CURVE_BP256 || curve == STSAFE_CURVE_BP384
                                  ? PSA_ECC_FAMILY_BRAINPOOL_P_R1
                                  : PSA_ECC_FAMILY_SECP_R1;
    *type = PSA_KEY_TYPE_ECC_KEY_PAIR(family);
    *bits = n * 8;
    return PSA_SUCCESS;
}

/* The table of psa.h, chip status by chip status. */
static const struct {
    uint8_t status;
    psa_status_t psa;
} status_map[] = {
    {STSAFE_ST_KEY_NOT_FOUND, PSA_ERROR_DOES_NOT_EXIST},
    {STSAFE_ST_KEY_BLOCKED, PSA_ERROR_NOT_PERMITTED},
    {STSAFE_ST_INVALID_LIFE_CYCLE, PSA_ERROR_NOT_PERMITTED},
    {STSAFE_ST_ACCESS_CONDITION, PSA_ERROR_NOT_PERMITTED},
    {STSAFE_ST_COUNTER_LIMIT, PSA_ERROR_NOT_PERMITTED},
    {STSAFE_ST_WRONG_KEY_USAGE, PSA_ERROR_NOT_PERMITTED},
    {STSAFE_ST_COMMAND_NOT_AUTHORIZED, PSA_ERROR_NOT_PERMITTED},
    {STSAFE_ST_INCONSISTENT_COMMAND_DATA, PSA_ERROR_INVALID_ARGUMENT},
    {STSAFE_ST_OUT_OF_RANGE, PSA_ERROR_INVALID_ARGUMENT},
    {STSAFE_ST_BUFFER_LENGTH_EXCEEDED, PSA_ERROR_INVALID_ARGUMENT},
    {STSAFE_ST_WRONG_KEY_TYPE, PSA_ERROR_INVALID_ARGUMENT},
    {STSAFE_ST_INVALID_PUBLIC_KEY, PSA_ERROR_INVALID_ARGUMENT},
    {STSAFE_ST_UNSUPPORTED_COMMAND, PSA_ERROR_NOT_SUPPORTED},
    {STSAFE_ST_COMMUNICATION_ERROR, PSA_ERROR_COMMUNICATION_FAILURE},
    {STSAFE_ST_SESSION_ERROR, PSA_ERROR_COMMUNICATION_FAILURE},
    {STSAFE_ST_TOO_MANY_MESSAGES_LOST, PSA_ERROR_COMMUNICATION_FAILURE},
    {STSAFE_ST_CMAC_COUNTER_MAX, PSA_ERROR_COMMUNICATION_FAILURE},
    {STSAFE_ST_INVALID_CMAC, PSA_ERROR_COMMUNICATION_FAILURE},
};

psa_status_t stsafe_psa_status_from_chip(uint8_t status)
{
    status &= STSAFE_STATUS_CODE_MASK;
    if (status == STSAFE_ST_OK)
        return PSA_SUCCESS;
    for (size_t i = 0; i < sizeof status_map / sizeof status_map[0]; i++)
        if (status_map[i].status == status)
            return status_map[i].psa;
    return PSA_ERROR_HARDWARE_FAILURE;
}

psa_status_t stsafe_psa_status(int err)
{
    if (err == 0)
        return PSA_SUCCESS;
    if (STSAFE_ERR_IS_STATUS(err))
        return stsafe_psa_status_from_chip(STSAFE_ERR_TO_STATUS(err));
    if (err == STSAFE_ERR_BAD_INPUT)
        return PSA_ERROR_INVALID_ARGUMENT;
    if (err == STSAFE_ERR_BUFFER_TOO_SMALL)
        return PSA_ERROR_BUFFER_TOO_SMALL;
    /* the frame, codec, bus, device and secure-channel ranges: the chip
     * could not be reached or its answer not trusted */
    if ((err <= -0x0201 && err >= -0x0405) || (err <= -0x0601 && err >= -0x0604))
        return PSA_ERROR_COMMUNICATION_FAILURE;
    return PSA_ERROR_GENERIC_ERROR;
}

/* The slot's state for an operation on its key: bound, a slot, a key known. */
static psa_status_t usable(uint8_t slot, slot_state **st)
{
    int i = slot_index(slot);
    if (i < 0)
        return PSA_ERROR_DOES_NOT_EXIST;
    if (!binding.client)
        return PSA_ERROR_BAD_STATE;
    if (!binding.slot[i].known)
        return PSA_ERROR_DOES_NOT_EXIST;
    *st = &binding.slot[i];
    return PSA_SUCCESS;
}

/* ECDSA with a hash the chip's digests fit: randomized ECDSA only (the chip
 * draws its own nonce), SHA-256, SHA-384 or any hash of 32 or 48 bytes. */
static psa_status_t check_ecdsa(psa_algorithm_t alg, size_t hash_len)
{
    if (!PSA_ALG_IS_RANDOMIZED_ECDSA(alg))
        return PSA_ERROR_NOT_SUPPORTED;
    psa_algorithm_t hash = PSA_ALG_SIGN_GET_HASH(alg);
    if (hash == PSA_ALG_ANY_HASH)
        return hash_len == 32 || hash_len == 48 ? PSA_SUCCESS : PSA_ERROR_NOT_SUPPORTED;
    if (hash != PSA_ALG_SHA_256 && hash != PSA_ALG_SHA_384)
        return PSA_ERROR_NOT_SUPPORTED;
    return hash_len == PSA_HASH_LENGTH(hash) ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
}

/* What signing and verifying with \p slot both need: a usable slot, an
 * algorithm and hash the chip can do, and a hash. */
static psa_status_t ecdsa_slot(uint8_t slot, psa_algorithm_t alg, const uint8_t *hash, size_t hash_len,
                               slot_state **st)
{
    psa_status_t ps = usable(slot, st);
    if (ps == PSA_SUCCESS)
        ps = check_ecdsa(alg, hash_len);
    if (ps == PSA_SUCCESS && !hash)
        ps = PSA_ERROR_INVALID_ARGUMENT;
    return ps;
}

psa_status_t stsafe_psa_sign_hash(uint8_t slot, psa_algorithm_t alg, const uint8_t *hash, size_t hash_len,
                                  uint8_t *sig, size_t sig_size, size_t *sig_len)
{
    slot_state *st = NULL;
    psa_status_t ps = ecdsa_slot(slot, alg, hash, hash_len, &st);
    if (ps != PSA_SUCCESS)
        return ps;
    if (!sig || !sig_len)
        return PSA_ERROR_INVALID_ARGUMENT;
    if (sig_size < 2 * st->pub.size)
        return PSA_ERROR_BUFFER_TOO_SMALL;
    stsafe_ecc_signature s;
    st->signatures++;
    int err = stsafe_client_sign(binding.client, slot, hash, hash_len, &s);
    if (err) {
        st->last_error = err;
        return stsafe_psa_status(err);
    }
    if (s.size != st->pub.size)
        return PSA_ERROR_HARDWARE_FAILURE; /* the slot holds another curve's key */
    memcpy(sig, s.r, s.size);
    memcpy(sig + s.size, s.s, s.size);
    *sig_len = 2 * s.size;
    return PSA_SUCCESS;
}

psa_status_t stsafe_psa_verify_hash(uint8_t slot, psa_algorithm_t alg, const uint8_t *hash, size_t hash_len,
                                    const uint8_t *sig, size_t sig_len)
{
    slot_state *st = NULL;
    psa_status_t ps = ecdsa_slot(slot, alg, hash, hash_len, &st);
    if (ps != PSA_SUCCESS)
        return ps;
    if (!sig)
        return PSA_ERROR_INVALID_ARGUMENT;
    if (sig_len != 2 * st->pub.size)
        return PSA_ERROR_INVALID_SIGNATURE;
    stsafe_ecc_signature s;
    s.size = st->pub.size;
    memcpy(s.r, sig, s.size);
    memcpy(s.s, sig + s.size, s.size);
    int valid = 0;
    int err = stsafe_client_verify(binding.client, st->curve, &st->pub, &s, hash, hash_len, &valid);
    if (err)
        return stsafe_psa_status(err);
    return valid ? PSA_SUCCESS : PSA_ERROR_INVALID_SIGNATURE;
}

static psa_status_t write_point(const stsafe_ecc_point *p, uint8_t *out, size_t out_size, size_t *out_len)
{
    if (!out || !out_len)
        return PSA_ERROR_INVALID_ARGUMENT;
    if (out_size < 1 + 2 * p->size)
        return PSA_ERROR_BUFFER_TOO_SMALL;
    out[0] = 0x04;
    memcpy(out + 1, p->x, p->size);
    memcpy(out + 1 + p->size, p->y, p->size);
    *out_len = 1 + 2 * p->size;
    return PSA_SUCCESS;
}

psa_status_t stsafe_psa_generate_key(uint8_t slot, psa_key_type_t type, size_t bits, uint8_t *pub,
                                     size_t pub_size, size_t *pub_len)
{
    uint8_t curve = STSAFE_CURVE_NONE;
    int i = slot_index(slot);
    if (i < 0)
        return PSA_ERROR_DOES_NOT_EXIST;
    if (slot == 0)
        return PSA_ERROR_NOT_PERMITTED; /* the factory key of the device certificate */
    if (!binding.client)
        return PSA_ERROR_BAD_STATE;
    if (type != PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_KEY_TYPE_ECC_GET_FAMILY(type)))
        return PSA_ERROR_NOT_SUPPORTED;
    psa_status_t ps = stsafe_psa_curve_of(type, bits, &curve);
    if (ps != PSA_SUCCESS)
        return ps;
    if (pub && pub_size < 1 + 2 * stsafe_curve_size(curve))
        return PSA_ERROR_BUFFER_TOO_SMALL;
    stsafe_ecc_point p;
    int err = stsafe_client_generate_key(binding.client, slot, curve, 0xFFFF, &p);
    if (err)
        return stsafe_psa_status(err);
    binding.slot[i].known = 1;
    binding.slot[i].curve = curve;
    binding.slot[i].pub = p;
    return pub ? write_point(&p, pub, pub_size, pub_len) : PSA_SUCCESS;
}

psa_status_t stsafe_psa_export_public_key(uint8_t slot, uint8_t *out, size_t out_size, size_t *out_len)
{
    int i = slot_index(slot);
    if (i < 0 || !binding.slot[i].known)
        return PSA_ERROR_DOES_NOT_EXIST;
    return write_point(&binding.slot[i].pub, out, out_size, out_len);
}

psa_status_t stsafe_psa_export_key(uint8_t slot, uint8_t *out, size_t out_size, size_t *out_len)
{
    (void)slot;
    (void)out;
    (void)out_size;
    (void)out_len;
    return PSA_ERROR_NOT_PERMITTED; /* the private key never leaves the chip */
}

psa_status_t stsafe_psa_key_agreement(uint8_t slot, psa_algorithm_t alg, const uint8_t *peer, size_t peer_len,
                                      uint8_t *secret, size_t secret_size, size_t *secret_len)
{
    slot_state *st = NULL;
    psa_status_t ps = usable(slot, &st);
    if (ps != PSA_SUCCESS)
        return ps;
    if (alg != PSA_ALG_ECDH)
        return PSA_ERROR_NOT_SUPPORTED;
    size_t n = st->pub.size;
    if (!peer || peer_len != 1 + 2 * n || peer[0] != 0x04 || !secret || !secret_len)
        return PSA_ERROR_INVALID_ARGUMENT;
    if (secret_size < n)
        return PSA_ERROR_BUFFER_TOO_SMALL;
    stsafe_ecc_point p;
    p.size = n;
    memcpy(p.x, peer + 1, n);
    memcpy(p.y, peer + 1 + n, n);
    uint8_t out[STSAFE_MAX_COORD_LEN];
    size_t len = 0;
    int err = stsafe_client_establish_key(binding.client, slot, &p, out, &len);
    if (err)
        return stsafe_psa_status(err);
    memcpy(secret, out, len);
    *secret_len = len;
    return PSA_SUCCESS;
}

uint32_t stsafe_psa_signatures(uint8_t slot)
{
    int i = slot_index(slot);
    return i < 0 ? 0 : binding.slot[i].signatures;
}

int stsafe_psa_last_error(uint8_t slot)
{
    int i = slot_index(slot);
    return i < 0 ? 0 : binding.slot[i].last_error;
}

uint8_t stsafe_psa_slot_curve(uint8_t slot)
{
    int i = slot_index(slot);
    return i < 0 || !binding.slot[i].known ? STSAFE_CURVE_NONE : binding.slot[i].curve;
}
