/* SPDX-License-Identifier: BSD-3-Clause */
/* The private key commands: Generate Key, Generate Signature, Verify
 * Signature, Establish Key (docs/protocol.md, "Key commands"). All crypto
 * through mbedTLS; no private scalar ever goes into a response. */
#include "internal.h"

#include <string.h>

#include <mbedtls/ecdh.h>
#include <mbedtls/ecdsa.h>

#include "stsafe/emulator/ecc.h"
#include "stsafe/protocol/codec_ecc.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/mbedtls_compat.h"

/* Mode-of-operation bits, second byte (STSELib stsafea_private_key_operation_mode_t). */
#define MODE_KEY_ESTABLISHMENT 0x01u
#define MODE_SIGNATURE         0x04u
#define MODE_GENKEY_AC_SHIFT   4
#define MODE_A110_FLAGS        0x800Du /* change right, sign cmd/rsp, sign digest, key establishment */
#define USAGE_UNLIMITED        0xFFFFu

static int is_ephemeral(uint8_t slot)
{
    return slot == STSAFE_EPHEMERAL_SLOT;
}

/* The slot a command names: 0 and 1 in NVM, 0xFF in RAM; NULL otherwise. */
static stsafe_emu_key_slot *find_slot(stsafe_emu_chip *chip, uint8_t slot)
{
    if (is_ephemeral(slot))
        return &chip->vol.ephemeral;
    return slot < STSAFE_EMU_MAX_KEY_SLOTS ? &chip->nvm.key_slots[slot] : NULL;
}

/* Whether the slot's mode allows an operation; the ephemeral slot allows both. */
static int slot_allows(const stsafe_emu_key_slot *k, uint8_t slot, uint8_t mode_bit)
{
    return is_ephemeral(slot) || (k->mode[1] & mode_bit) != 0;
}

/* The slot a signature or key establishment uses: it must exist, hold a
 * key, and have the mode bit of the operation. */
static uint8_t usable_slot(stsafe_emu_chip *chip, uint8_t slot, uint8_t mode_bit, stsafe_emu_key_slot **out)
{
    stsafe_emu_key_slot *k = find_slot(chip, slot);
    if (!k)
        return STSAFE_ST_OUT_OF_RANGE;
    if (!k->present)
        return STSAFE_ST_KEY_NOT_FOUND;
    if (!slot_allows(k, slot, mode_bit))
        return STSAFE_ST_WRONG_KEY_USAGE;
    *out = k;
    return STSAFE_ST_OK;
}

/* The Generate Key access condition of a slot (mode bits 5..4): 1 free, 3 host. */
static int genkey_allowed(const stsafe_emu_key_slot *k, const stsafe_emu_request *req)
{
    uint8_t ac = (uint8_t)((k->mode[1] >> MODE_GENKEY_AC_SHIFT) & 3u);
    return ac == 1 || (ac == 3 && req->host_authenticated);
}

static int digest_len_ok(size_t n)
{
    return n == 32 || n == 48; /* SHA-256 or SHA-384 */
}

static void slot_point(const stsafe_emu_key_slot *k, stsafe_ecc_point *p)
{
    p->size = stsafe_curve_size(k->curve);
    memcpy(p->x, k->pub_x, p->size);
    memcpy(p->y, k->pub_y, p->size);
}

/* Loads a host-supplied point into \p q on \p grp; 0 when it is on the curve. */
static int load_point(const mbedtls_ecp_group *grp, const stsafe_ecc_point *p, mbedtls_ecp_point *q)
{
    int rc = stsafe_mbedtls_point_from_xy(grp, q, p->x, p->y, p->size);
    return rc ? rc : mbedtls_ecp_check_pubkey(grp, q);
}

/* The mode word of Generate Key sets the key's A110 usage flags (0x800D).
 * 00 00, what STSELib always sends, keeps the slot's personalised flags
 * (a choice: no source says what an A110 does with it, and STSELib keys
 * must still sign). Bits outside 0x800D stay as personalised. */
static void apply_mode_word(stsafe_emu_key_slot *k, uint16_t mode)
{
    if (mode == 0)
        return;
    uint16_t cur = (uint16_t)((k->mode[0] << 8) | k->mode[1]);
    uint16_t next = (uint16_t)((cur & ~MODE_A110_FLAGS) | (mode & MODE_A110_FLAGS));
    k->mode[0] = (uint8_t)(next >> 8);
    k->mode[1] = (uint8_t)next;
}

uint8_t stsafe_emu_cmd_generate_key(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out)
{
    stsafe_genkey_req rq;
    if (req->payload[0] == STSAFE_TAG_LOCAL_ENVELOPE_KEY_TABLE)
        return stsafe_emu_genkey_envelope(chip, req);
    if (stsafe_genkey_req_decode(req->payload, req->payload_len, &rq) != 0)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;
    chip->vol.exec_curve = rq.curve;
    stsafe_emu_key_slot *k = find_slot(chip, rq.slot);
    if (!k || rq.curve == STSAFE_CURVE_NONE || rq.usage_limit == 0)
        return STSAFE_ST_OUT_OF_RANGE;
    if (!is_ephemeral(rq.slot) && !genkey_allowed(k, req))
        return STSAFE_ST_ACCESS_CONDITION;

    stsafe_emu_key_slot fresh;
    if (stsafe_emu_slot_generate(&fresh, rq.curve, stsafe_emu_rng_draw, chip) != 0)
        return STSAFE_ST_UNEXPECTED_ERROR;
    memcpy(fresh.mode, k->mode, sizeof fresh.mode);
    apply_mode_word(&fresh, rq.mode);
    fresh.usage_limit = is_ephemeral(rq.slot) ? 1 : rq.usage_limit;
    *k = fresh;
    memset(&fresh, 0, sizeof fresh);
    if (!is_ephemeral(rq.slot))
        stsafe_emu_nvm_touched(chip);

    stsafe_ecc_point pub;
    slot_point(k, &pub);
    stsafe_point_encode(out, &pub);
    return STSAFE_ST_OK;
}

/* After a signature: count the use down; the ephemeral key is gone. */
static void consume_use(stsafe_emu_chip *chip, stsafe_emu_key_slot *k, uint8_t slot)
{
    if (is_ephemeral(slot)) {
        memset(k, 0, sizeof *k);
        return;
    }
    if (k->usage_limit != USAGE_UNLIMITED) {
        k->usage_limit--;
        stsafe_emu_nvm_touched(chip);
    }
}

static int ecdsa_sign(stsafe_emu_chip *chip, const stsafe_emu_key_slot *k, const uint8_t *digest,
                      size_t digest_len, stsafe_ecc_signature *sig)
{
    mbedtls_ecp_group *grp = stsafe_emu_chip_group(chip, k->curve);
    mbedtls_mpi d, r, s;
    if (!grp)
        return -1;
    mbedtls_mpi_init(&d);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    sig->size = stsafe_curve_size(k->curve);
    int rc = mbedtls_mpi_read_binary(&d, k->priv, sig->size);
    if (!rc)
        rc = mbedtls_ecdsa_sign(grp, &r, &s, &d, digest, digest_len, stsafe_emu_rng_draw, chip);
    if (!rc)
        rc = mbedtls_mpi_write_binary(&r, sig->r, sig->size);
    if (!rc)
        rc = mbedtls_mpi_write_binary(&s, sig->s, sig->size);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&d); /* zeroises the scalar */
    return rc;
}

uint8_t stsafe_emu_cmd_generate_signature(stsafe_emu_chip *chip, const stsafe_emu_request *req,
                                        stsafe_writer *out)
{
    stsafe_sign_req rq;
    stsafe_ecc_signature sig;
    if (stsafe_sign_req_decode(req->payload, req->payload_len, &rq) != 0)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;
    stsafe_emu_key_slot *k = NULL;
    uint8_t st = usable_slot(chip, rq.slot, MODE_SIGNATURE, &k);
    if (st != STSAFE_ST_OK)
        return st;
    if (k->usage_limit == 0)
        return STSAFE_ST_KEY_BLOCKED;
    if (!digest_len_ok(rq.digest_len))
        return STSAFE_ST_OUT_OF_RANGE;
    chip->vol.exec_curve = k->curve;
    if (ecdsa_sign(chip, k, rq.digest, rq.digest_len, &sig) != 0)
        return STSAFE_ST_UNEXPECTED_ERROR;
    consume_use(chip, k, rq.slot);
    stsafe_signature_encode(out, &sig);
    return STSAFE_ST_OK;
}

/* Verify Signature, subject 0: ECDSA with a public key the host sends.
 * Answer: 0x01 valid, 0x00 not valid; a malformed key is a status. */
uint8_t stsafe_emu_cmd_verify_signature(stsafe_emu_chip *chip, const stsafe_emu_request *req,
                                      stsafe_writer *out)
{
    stsafe_verify_req rq;
    if (stsafe_verify_req_decode(req->payload, req->payload_len, &rq) != 0)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;
    size_t n = stsafe_curve_size(rq.curve);
    if (rq.subject != STSAFE_VERIFY_SUBJECT_ECDSA || n == 0 || !digest_len_ok(rq.digest_len))
        return STSAFE_ST_OUT_OF_RANGE;
    if (rq.key.size != n || rq.sig.size != n)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;

    chip->vol.exec_curve = rq.curve;
    mbedtls_ecp_group *grp = stsafe_emu_chip_group(chip, rq.curve);
    mbedtls_ecp_point q;
    mbedtls_mpi r, s;
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    uint8_t status = STSAFE_ST_OK;
    int ready = grp && mbedtls_mpi_read_binary(&r, rq.sig.r, n) == 0 &&
                mbedtls_mpi_read_binary(&s, rq.sig.s, n) == 0;
    if (!ready)
        status = STSAFE_ST_UNEXPECTED_ERROR;
    else if (load_point(grp, &rq.key, &q) != 0)
        status = STSAFE_ST_INVALID_PUBLIC_KEY;
    else
        stsafe_wr_u8(out, mbedtls_ecdsa_verify(grp, rq.digest, rq.digest_len, &q, &r, &s) == 0);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_ecp_point_free(&q);
    return status;
}

/* Establish Key: ECDH of a slot's key with the host's point; the answer is
 * the shared secret (the X coordinate), length-prefixed. */
uint8_t stsafe_emu_cmd_establish_key(stsafe_emu_chip *chip, const stsafe_emu_request *req,
                                   stsafe_writer *out)
{
    stsafe_ecdh_req rq;
    if (stsafe_ecdh_req_decode(req->payload, req->payload_len, &rq) != 0)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;
    stsafe_emu_key_slot *k = NULL;
    uint8_t st = usable_slot(chip, rq.slot, MODE_KEY_ESTABLISHMENT, &k);
    if (st != STSAFE_ST_OK)
        return st;
    chip->vol.exec_curve = k->curve;
    size_t n = stsafe_curve_size(k->curve);
    if (rq.peer.size != n)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;

    mbedtls_ecp_group *grp = stsafe_emu_chip_group(chip, k->curve);
    mbedtls_ecp_point q;
    mbedtls_mpi d, z;
    uint8_t secret[STSAFE_MAX_COORD_LEN];
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&d);
    mbedtls_mpi_init(&z);
    uint8_t status = STSAFE_ST_OK;
    int ready = grp && mbedtls_mpi_read_binary(&d, k->priv, n) == 0;
    if (ready && load_point(grp, &rq.peer, &q) != 0)
        status = STSAFE_ST_INVALID_PUBLIC_KEY;
    else if (!ready || mbedtls_ecdh_compute_shared(grp, &z, &q, &d, stsafe_emu_rng_draw, chip) != 0 ||
             mbedtls_mpi_write_binary(&z, secret, n) != 0)
        status = STSAFE_ST_UNEXPECTED_ERROR;
    mbedtls_mpi_free(&z);
    mbedtls_mpi_free(&d);
    mbedtls_ecp_point_free(&q);
    if (status != STSAFE_ST_OK)
        return status;
    if (is_ephemeral(rq.slot))
        memset(k, 0, sizeof *k);
    stsafe_wr_u16(out, (uint16_t)n);
    stsafe_wr_bytes(out, secret, n);
    memset(secret, 0, sizeof secret);
    return STSAFE_ST_OK;
}
