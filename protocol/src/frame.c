/* SPDX-License-Identifier: BSD-3-Clause */
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/buf.h"
#include "stsafe/protocol/crc16.h"
#include "stsafe/protocol/error.h"

#include <string.h>

int stsafe_cmd_frame_encode(uint8_t header, const uint8_t *payload, size_t payload_len,
                            size_t max_frame, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (!out || !out_len || (payload_len && !payload))
        return STSAFE_ERR_BAD_INPUT;
    size_t total = 1 + payload_len + STSAFE_CRC_LEN;
    if (total > max_frame)
        return STSAFE_ERR_FRAME_TOO_LONG;
    if (total > out_cap)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    out[0] = header;
    if (payload_len)
        memmove(out + 1, payload, payload_len);
    stsafe_put_u16(out + 1 + payload_len, stsafe_crc16(out, 1 + payload_len));
    *out_len = total;
    return 0;
}

int stsafe_cmd_frame_decode(const uint8_t *frame, size_t frame_len, size_t max_frame,
                            stsafe_cmd_frame *cmd)
{
    if (!frame || !cmd)
        return STSAFE_ERR_BAD_INPUT;
    if (frame_len < STSAFE_CMD_FRAME_MIN)
        return STSAFE_ERR_FRAME_TOO_SHORT;
    if (frame_len > max_frame)
        return STSAFE_ERR_FRAME_TOO_LONG;
    size_t body = frame_len - STSAFE_CRC_LEN;
    if (stsafe_crc16(frame, body) != stsafe_get_u16(frame + body))
        return STSAFE_ERR_FRAME_CRC;
    cmd->header = frame[0];
    cmd->payload = frame + 1;
    cmd->payload_len = body - 1;
    return 0;
}

/* The response CRC skips the length field: status byte, then the data. */
static uint16_t rsp_crc(uint8_t status, const uint8_t *data, size_t data_len)
{
    uint16_t reg = stsafe_crc16_update(STSAFE_CRC16_INIT, &status, 1);
    return stsafe_crc16_final(stsafe_crc16_update(reg, data, data_len));
}

int stsafe_rsp_frame_encode(uint8_t status, const uint8_t *data, size_t data_len,
                            uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (!out || !out_len || (data_len && !data) || data_len > 0xFFFFu - STSAFE_CRC_LEN)
        return STSAFE_ERR_BAD_INPUT;
    size_t total = STSAFE_RSP_FRAME_OVERHEAD + data_len;
    if (total > out_cap)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    out[0] = status;
    stsafe_put_u16(out + 1, (uint16_t)(data_len + STSAFE_CRC_LEN));
    if (data_len)
        memmove(out + 3, data, data_len);
    stsafe_put_u16(out + 3 + data_len, rsp_crc(status, out + 3, data_len));
    *out_len = total;
    return 0;
}

int stsafe_rsp_frame_total_len(const uint8_t head[3], size_t *total)
{
    uint16_t length_field = stsafe_get_u16(head + 1);
    if (length_field < STSAFE_CRC_LEN)
        return STSAFE_ERR_FRAME_LENGTH;
    *total = 3u + length_field;
    return 0;
}

int stsafe_rsp_frame_decode(const uint8_t *frame, size_t frame_len, stsafe_rsp_frame *rsp)
{
    size_t total;
    if (!frame || !rsp)
        return STSAFE_ERR_BAD_INPUT;
    if (frame_len < STSAFE_RSP_FRAME_OVERHEAD)
        return STSAFE_ERR_FRAME_TOO_SHORT;
    if (stsafe_rsp_frame_total_len(frame, &total) != 0 || total != frame_len)
        return STSAFE_ERR_FRAME_LENGTH;
    size_t data_len = frame_len - STSAFE_RSP_FRAME_OVERHEAD;
    if (rsp_crc(frame[0], frame + 3, data_len) != stsafe_get_u16(frame + 3 + data_len))
        return STSAFE_ERR_FRAME_CRC;
    rsp->status = frame[0];
    rsp->data = frame + 3;
    rsp->data_len = data_len;
    return 0;
}
