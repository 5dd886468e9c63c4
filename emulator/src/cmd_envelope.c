/* SPDX-License-Identifier: BSD-3-Clause */
/* Local envelopes: Generate Key with tag 0x07 makes an AES key in local
 * envelope slot 0 or 1; Wrap/Unwrap Local Envelope turn data into an AES
 * key-wrap block with it and back (docs/protocol.md, "Local envelopes"). */
#include "internal.h"

#include <string.h>

#include "stsafe/emulator/keywrap.h"
#include "stsafe/protocol/commands.h"

#define ENVELOPE_OVERHEAD   8u
#define WRAP_MIN            16u   /* RFC 3394 wraps at least two 64-bit blocks */
#define WRAP_MAX            480u  /* STSELib stsafea_wrap_payload */

static size_t key_bytes(uint8_t len_sel)
{
    return len_sel ? 32u : 16u;
}

/* Generate Key, tag 0x07: 07 · slot (1) · key type (1: 0 AES-128, 1 AES-256).
 * A local envelope key is written once: a filled slot answers 0x11, as a
 * real A110 does (vectors/frames/captured-a110.txt). */
uint8_t stsafe_emu_genkey_envelope(stsafe_emu_chip *chip, const stsafe_emu_request *req)
{
    if (req->payload_len != 3)
        return STSAFE_ST_INCONSISTENT_COMMAND_DATA;
    uint8_t slot = req->payload[1], len_sel = req->payload[2];
    if (slot >= STSAFE_EMU_ENVELOPE_SLOTS || len_sel > 1)
        return STSAFE_ST_OUT_OF_RANGE;
    stsafe_emu_envelope_key *e = &chip->nvm.envelope_keys[slot];
    if (e->present)
        return STSAFE_ST_ACCESS_CONDITION;
    stsafe_emu_envelope_key fresh = {1, len_sel, {0}};
    if (stsafe_emu_rng_draw(chip, fresh.key, key_bytes(len_sel)) != 0)
        return STSAFE_ST_UNEXPECTED_ERROR;
    *e = fresh;
    memset(&fresh, 0, sizeof fresh);
    stsafe_emu_nvm_touched(chip);
    return STSAFE_ST_OK;
}

/* The key of the slot named by the first payload byte, or a status. */
static uint8_t envelope_key(stsafe_emu_chip *chip, const stsafe_emu_request *req,
                            const stsafe_emu_envelope_key **key)
{
    uint8_t slot = req->payload[0];
    if (slot >= STSAFE_EMU_ENVELOPE_SLOTS)
        return STSAFE_ST_OUT_OF_RANGE;
    if (!chip->nvm.envelope_keys[slot].present)
        return STSAFE_ST_KEY_NOT_FOUND;
    *key = &chip->nvm.envelope_keys[slot];
    return STSAFE_ST_OK;
}

uint8_t stsafe_emu_cmd_wrap(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out)
{
    const stsafe_emu_envelope_key *k = NULL;
    uint8_t env[WRAP_MAX + ENVELOPE_OVERHEAD];
    uint8_t st = envelope_key(chip, req, &k);
    if (st != STSAFE_ST_OK)
        return st;
    size_t n = req->payload_len - 1;
    if (n < WRAP_MIN || n > WRAP_MAX || n % 8)
        return STSAFE_ST_OUT_OF_RANGE;
    if (stsafe_emu_kw_wrap(k->key, key_bytes(k->key_len_sel), req->payload + 1, n, env) != 0)
        return STSAFE_ST_UNEXPECTED_ERROR;
    stsafe_wr_bytes(out, env, n + ENVELOPE_OVERHEAD);
    return STSAFE_ST_OK;
}

/* An envelope that fails the key-wrap integrity check (not made with this
 * key, or altered) answers "access condition not satisfied", as a real
 * A110 did for a corrupted envelope (ST community, confirmed by ST). */
uint8_t stsafe_emu_cmd_unwrap(stsafe_emu_chip *chip, const stsafe_emu_request *req, stsafe_writer *out)
{
    const stsafe_emu_envelope_key *k = NULL;
    uint8_t data[WRAP_MAX];
    uint8_t st = envelope_key(chip, req, &k);
    if (st != STSAFE_ST_OK)
        return st;
    size_t n = req->payload_len - 1;
    if (n < WRAP_MIN + ENVELOPE_OVERHEAD || n > WRAP_MAX + ENVELOPE_OVERHEAD || n % 8)
        return STSAFE_ST_OUT_OF_RANGE;
    if (stsafe_emu_kw_unwrap(k->key, key_bytes(k->key_len_sel), req->payload + 1, n, data) != 0)
        return STSAFE_ST_ACCESS_CONDITION;
    stsafe_wr_bytes(out, data, n - ENVELOPE_OVERHEAD);
    memset(data, 0, sizeof data);
    return STSAFE_ST_OK;
}
