/* SPDX-License-Identifier: BSD-3-Clause */
/* The chip's side of the host secure channel (docs/protocol.md, "Secure
 * channel"): check the C-MAC and advance the counter, decrypt the command,
 * then encrypt the response and append the R-MAC. */
#include "internal.h"

#include <string.h>

#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/secure_channel.h"

/* Statuses of a protected command whose MAC cannot be checked, in the
 * order the model tests them (all choices but 0x16, see the doc). */
static uint8_t mac_precondition(const stsafe_emu_chip *chip, const stsafe_cmd_frame *cmd)
{
    if (!(cmd->header & STSAFE_HDR_CMAC))
        return STSAFE_ST_INVALID_CMAC;     /* an R-MAC asked without a C-MAC */
    if (!chip->nvm.host_keys.present)
        return STSAFE_ST_KEY_NOT_FOUND;
    if (!(cmd->header & STSAFE_HDR_PROT_BIT5))
        return STSAFE_ST_SESSION_ERROR;    /* a session MAC: the A110 has no such session */
    if (cmd->payload_len < STSAFE_SC_MAC_LEN)
        return STSAFE_ST_WRONG_MAC_LENGTH;
    if (chip->nvm.host_keys.cmac_counter >= STSAFE_SC_COUNTER_MAX)
        return STSAFE_ST_CMAC_COUNTER_MAX;
    return STSAFE_ST_OK;
}

uint8_t stsafe_emu_sc_open(stsafe_emu_chip *chip, const stsafe_cmd_frame *cmd, stsafe_emu_sc *sc)
{
    uint8_t mac[STSAFE_SC_MAC_LEN];
    memset(sc, 0, sizeof *sc);
    if (!(cmd->header & (STSAFE_HDR_CMAC | STSAFE_HDR_RMAC)))
        return STSAFE_ST_OK;
    uint8_t status = mac_precondition(chip, cmd);
    if (status != STSAFE_ST_OK)
        return status;
    stsafe_emu_host_keys *h = &chip->nvm.host_keys;
    size_t len = cmd->payload_len - STSAFE_SC_MAC_LEN;
    if (stsafe_sc_cmac(h->mac_key, h->cmac_counter, cmd->header, cmd->payload, len, mac) != 0)
        return STSAFE_ST_UNEXPECTED_ERROR;
    /* A wrong MAC (a replay carries the MAC of an older counter) changes
     * nothing: the host keeps its counter too after 0x16. */
    if (!stsafe_sc_mac_equal(mac, cmd->payload + len))
        return STSAFE_ST_INVALID_CMAC;
    /* From here every answer counts: STSELib advances its copy after any
     * status but 0x16 and 0x01, so the chip advances before it decides. */
    h->cmac_counter++;
    stsafe_emu_nvm_commit(chip); /* a brown-out later in the command keeps it: no replay */
    sc->active = 1;
    sc->counter = h->cmac_counter;
    sc->header = cmd->header;
    sc->wire_payload = cmd->payload;
    sc->wire_len = len;
    return STSAFE_ST_OK;
}

uint8_t stsafe_emu_sc_payload(stsafe_emu_chip *chip, const stsafe_emu_sc *sc, uint8_t enc_flags,
                            uint8_t *plain, size_t cap, stsafe_emu_request *req)
{
    if (!sc->active) {
        /* A command the table wants encrypted cannot come in the clear. */
        return enc_flags ? STSAFE_ST_COMMAND_NOT_AUTHORIZED : STSAFE_ST_OK;
    }
    req->host_authenticated = 1;
    req->payload = sc->wire_payload;
    req->payload_len = sc->wire_len;
    if (!(enc_flags & STSAFE_CMD_ENC_CMD))
        return STSAFE_ST_OK;
    size_t n = 0;
    if (stsafe_sc_decrypt(chip->nvm.host_keys.cipher_key, sc->counter, 0, sc->wire_payload,
                          sc->wire_len, plain, cap, &n) != 0)
        return STSAFE_ST_DECRYPTION_ERROR;
    req->payload = plain;
    req->payload_len = n;
    return STSAFE_ST_OK;
}

uint8_t stsafe_emu_sc_seal(stsafe_emu_chip *chip, const stsafe_emu_sc *sc, uint8_t enc_flags,
                         uint8_t *data, size_t *len, size_t cap, uint8_t *status_byte)
{
    uint8_t tmp[STSAFE_EMU_MAX_RSP_DATA];
    const stsafe_emu_host_keys *h = &chip->nvm.host_keys;
    if (!sc->active || *status_byte != STSAFE_ST_OK)
        return STSAFE_ST_OK;
    if ((enc_flags & STSAFE_CMD_ENC_RSP) && *len) {
        size_t n = 0;
        if (stsafe_sc_encrypt(h->cipher_key, sc->counter, 1, data, *len, tmp, sizeof tmp, &n) != 0 ||
            n > cap)
            return STSAFE_ST_BUFFER_LENGTH_EXCEEDED;
        memcpy(data, tmp, n);
        *len = n;
    }
    if (!(sc->header & STSAFE_HDR_RMAC))
        return STSAFE_ST_OK;
    if (*len + STSAFE_SC_MAC_LEN > cap)
        return STSAFE_ST_BUFFER_LENGTH_EXCEEDED;
    uint8_t sent_status = (uint8_t)(*status_byte | STSAFE_SC_STATUS_RMAC);
    if (stsafe_sc_rmac(h->mac_key, sc->counter, sc->header, sc->wire_payload, sc->wire_len,
                       sent_status, data, *len, data + *len) != 0)
        return STSAFE_ST_UNEXPECTED_ERROR;
    *len += STSAFE_SC_MAC_LEN;
    *status_byte = sent_status;
    return STSAFE_ST_OK;
}
