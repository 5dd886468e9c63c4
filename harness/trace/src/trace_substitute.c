/* SPDX-License-Identifier: BSD-3-Clause */
/* What replay sends for a redacted command (trace_substitute.h). */
#include "trace_substitute.h"

#include <string.h>

#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/crc16.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/secure_channel.h"
#include "stsafe/protocol/status.h"
#include "stsafe/trace/redact.h"

/* The recorded answer says the password was right: status OK, data 01 .. */
static int recorded_verified(const uint8_t *answer, size_t len)
{
    stsafe_rsp_frame f;
    return answer && stsafe_rsp_frame_decode(answer, len, &f) == 0 &&
           (f.status & STSAFE_STATUS_CODE_MASK) == STSAFE_ST_OK && f.data_len >= 1u &&
           f.data[0] == 0x01u;
}

int stsafe_trace_substitute(const stsafe_emu_chip *chip, const uint8_t *cmd, size_t len,
                            const uint8_t *answer, size_t answer_len, uint8_t *out,
                            int *by_structure)
{
    stsafe_trace_range r = stsafe_trace_redact_command(cmd, len);
    size_t mac = (len && (cmd[0] & STSAFE_HDR_CMAC)) ? STSAFE_SC_MAC_LEN : 0u;
    if (r.len == 0 || len < STSAFE_CMD_FRAME_MIN + mac)
        return STSAFE_ERR_BAD_INPUT;
    memcpy(out, cmd, len);
    *by_structure = (cmd[0] & STSAFE_HDR_RMAC) != 0; /* the R-MAC covers the substitute */
    uint8_t code = (uint8_t)(cmd[0] & STSAFE_HDR_CODE_MASK);
    if (code == STSAFE_CMD_VERIFY_PASSWORD) {
        const stsafe_emu_password *p = &chip->nvm.password;
        size_t n = r.len < sizeof p->value ? r.len : sizeof p->value;
        memcpy(out + r.off, p->value, n);
        if (!recorded_verified(answer, answer_len))
            out[r.off] = (uint8_t)~out[r.off];
    } else {
        stsafe_trace_redact_apply(r, out, len); /* already the marker: kept */
        if (code == STSAFE_CMD_WRAP_LOCAL_ENVELOPE)
            *by_structure = 1; /* the envelope of other data */
    }
    size_t body = len - STSAFE_CRC_LEN;
    if (mac) { /* the chip checks the C-MAC over the payload it receives */
        const stsafe_emu_host_keys *k = &chip->nvm.host_keys;
        if (stsafe_sc_cmac(k->mac_key, k->cmac_counter, out[0], out + 1, body - 1u - mac,
                           out + body - mac) != 0)
            return STSAFE_ERR_CRYPTO;
    }
    uint16_t crc = stsafe_crc16(out, body);
    out[body] = (uint8_t)(crc >> 8);
    out[body + 1u] = (uint8_t)crc;
    return 0;
}
