/* SPDX-License-Identifier: BSD-3-Clause */
/* Which bytes of a frame a trace leaves out (redact.h). */
#include "stsafe/trace/redact.h"

#include <string.h>

#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/secure_channel.h"

#define PASSWORD_LEN 16u /* protocol.md, "Password" */

/* [off, end) clipped to [0, len), empty when nothing is left. */
static stsafe_trace_range span(size_t off, size_t end, size_t len)
{
    stsafe_trace_range r = {0, 0};
    if (end > len)
        end = len;
    if (off < end) {
        r.off = off;
        r.len = end - off;
    }
    return r;
}

/* Command frame: header(1) payload CRC(2); a C-MAC (header bit 7) is the
 * payload's last 4 bytes (protocol.md, section 3a). The secret starts after
 * the bytes that say what it is (a tag, a slot) and ends before the MAC. */
stsafe_trace_range stsafe_trace_redact_command(const uint8_t *frame, size_t len)
{
    stsafe_trace_range none = {0, 0};
    size_t start = 2u;   /* after the header and the tag or slot */
    size_t secret = 0;   /* its length in a plain frame; 0: up to the trailer */
    if (!frame || len < 2u)
        return none;
    switch (frame[0] & STSAFE_HDR_CODE_MASK) {
    case STSAFE_CMD_VERIFY_PASSWORD:
        start = 1u; /* password[16] */
        secret = PASSWORD_LEN;
        break;
    case STSAFE_CMD_WRAP_LOCAL_ENVELOPE:
        break;      /* slot, data[n] */
    case STSAFE_CMD_PUT_ATTRIBUTE:
        if (frame[1] == STSAFE_TAG_HOST_KEY_SLOT)
            secret = (size_t)2u * STSAFE_SC_KEY_LEN; /* MAC key, cipher key */
        else if (frame[1] == STSAFE_TAG_PASSWORD_SLOT)
            secret = PASSWORD_LEN;           /* then the tries, not secret */
        else
            return none;
        break;
    default:
        return none; /* Delete (0x0C) of the password carries its tag only */
    }
    size_t trailer = STSAFE_CRC_LEN + ((frame[0] & STSAFE_HDR_CMAC) ? STSAFE_SC_MAC_LEN : 0u);
    /* a short write (the host's first bytes only) has no trailer yet: all of it after start */
    size_t end = len > start + trailer ? len - trailer : len;
    /* an encrypted payload (protection flags) is padded: all of it goes */
    if (secret && (frame[0] & STSAFE_SC_HDR_FLAGS) == 0 && start + secret < end)
        end = start + secret;
    return span(start, end, len);
}

/* Response frame: status(1) length(2) data CRC(2); length counts data and
 * CRC; an R-MAC (status bit 6) is the data's last 4 bytes. */
stsafe_trace_range stsafe_trace_redact_response(uint8_t cmd_header, const uint8_t *rsp,
                                                size_t len)
{
    stsafe_trace_range none = {0, 0};
    size_t total;
    if ((cmd_header & STSAFE_HDR_CODE_MASK) != STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE || !rsp ||
        len < 3u || stsafe_rsp_frame_total_len(rsp, &total) != 0)
        return none;
    size_t mac = (rsp[0] & STSAFE_SC_STATUS_RMAC) ? STSAFE_SC_MAC_LEN : 0u;
    if (total < STSAFE_RSP_FRAME_OVERHEAD + mac)
        return none; /* no data: an error status */
    return span(3u, total - STSAFE_CRC_LEN - mac, len);
}

size_t stsafe_trace_redact_apply(stsafe_trace_range r, uint8_t *data, size_t len)
{
    if (!data || r.off >= len || r.len == 0)
        return 0;
    size_t n = r.len < len - r.off ? r.len : len - r.off;
    memset(data + r.off, STSAFE_TRACE_REDACT_MARKER, n);
    return n;
}
