/* SPDX-License-Identifier: BSD-3-Clause */
/* The host side of one command: frame, write, poll through NACKs, read the
 * response in two transactions as STSELib does (facts page, section 1). */
#include "stsafe/client/client.h"

#include "client_internal.h"

#include <string.h>

#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/status.h"

void stsafe_client_init(stsafe_client *c, const stsafe_bus *bus, uint16_t addr)
{
    memset(c, 0, sizeof *c);
    c->bus = bus;
    c->addr = addr;
    c->max_frame = STSAFE_A110_MAX_FRAME_LEN;
    c->poll_interval_ms = STSAFE_CLIENT_POLL_INTERVAL_MS;
    c->max_polls = STSAFE_CLIENT_MAX_POLLS;
}

void stsafe_client_free(stsafe_client *c)
{
    memset(c, 0, sizeof *c);
}

/* Repeats a bus operation while the chip NACKs, waiting between tries. */
static int retry_nack(stsafe_client *c, int write, uint8_t *buf, size_t len)
{
    for (uint32_t attempt = 0;; attempt++) {
        int err = write ? stsafe_bus_write(c->bus, c->addr, buf, len)
                        : stsafe_bus_read(c->bus, c->addr, buf, len);
        if (err != STSAFE_ERR_BUS_NACK)
            return err;
        c->nacks++;
        if (attempt >= c->max_polls)
            return STSAFE_ERR_BUS_TIMEOUT;
        stsafe_bus_delay_ms(c->bus, c->poll_interval_ms);
    }
}

static int receive(stsafe_client *c, size_t *frame_len)
{
    size_t total;
    int err = retry_nack(c, 0, c->frame, STSAFE_RSP_FIRST_READ_LEN);
    if (err)
        return err;
    err = stsafe_rsp_frame_total_len(c->frame, &total);
    if (err)
        return err;
    if (total > c->max_frame || total > sizeof c->frame)
        return STSAFE_ERR_FRAME_LENGTH;
    if (total > STSAFE_RSP_FIRST_READ_LEN) {
        err = retry_nack(c, 0, c->frame, total); /* a new read starts at byte 0 */
        if (err)
            return err;
    }
    *frame_len = total;
    return 0;
}

/* The whole command in one exchange of the bus (bus.h, command). */
static int exchange_whole(stsafe_client *c, size_t frame_len, size_t *rsp_len, int *written)
{
    int err = stsafe_bus_command(c->bus, c->addr, c->frame, frame_len, c->frame, sizeof c->frame,
                                 rsp_len, written);
    if (err == STSAFE_ERR_BUFFER_TOO_SMALL)
        return STSAFE_ERR_FRAME_LENGTH; /* longer than an A110 frame */
    if (err)
        return err;
    size_t total = 0;
    if (*rsp_len < 3)
        return STSAFE_ERR_FRAME_LENGTH;
    err = stsafe_rsp_frame_total_len(c->frame, &total);
    if (err)
        return err;
    if (total > c->max_frame || total != *rsp_len)
        return STSAFE_ERR_FRAME_LENGTH;
    return 0;
}

int stsafe_client_exchange(stsafe_client *c, uint8_t header, const uint8_t *payload,
                           size_t payload_len, stsafe_rsp_frame *rsp, int *written)
{
    size_t frame_len;
    *written = 0;
    c->last_status = STSAFE_CLIENT_NO_STATUS;
    int err = stsafe_cmd_frame_encode(header, payload, payload_len, c->max_frame, c->frame,
                                      sizeof c->frame, &frame_len);
    int whole = !err && !c->i2c_level && c->bus->ops->command;
    if (whole) {
        size_t got = 0;
        err = exchange_whole(c, frame_len, &got, written);
        whole = err != STSAFE_ERR_UNSUPPORTED; /* declined: nothing was sent */
        if (!whole)
            err = 0;
        else if (!err)
            frame_len = got;
    }
    if (!err && !whole) { /* write, poll through NACKs, read */
        err = retry_nack(c, 1, c->frame, frame_len);
        if (!err)
            *written = 1;
        if (!err)
            err = receive(c, &frame_len);
    }
    if (!err)
        err = stsafe_rsp_frame_decode(c->frame, frame_len, rsp);
    if (!err)
        c->last_status = rsp->status & STSAFE_STATUS_CODE_MASK;
    return err;
}

/* Copies the response data out, with the strictness transceive promises. */
int stsafe_client_hand_out(const uint8_t *data, size_t len, uint8_t *rsp_data, size_t rsp_cap, size_t *rsp_len)
{
    if (len > rsp_cap)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    if (len)
        memcpy(rsp_data, data, len);
    if (rsp_len)
        *rsp_len = len;
    else if (len)
        return STSAFE_ERR_CODEC_TRAILING;
    return 0;
}

int stsafe_client_transceive(stsafe_client *c, uint8_t header, const uint8_t *payload,
                             size_t payload_len, uint8_t *rsp_data, size_t rsp_cap,
                             size_t *rsp_len)
{
    stsafe_rsp_frame rsp;
    int written;
    if (!c || !c->bus || (payload_len && !payload) || (rsp_cap && !rsp_data))
        return STSAFE_ERR_BAD_INPUT;
    uint8_t code = (uint8_t)(header & STSAFE_HDR_CODE_MASK);
    if (header == code && stsafe_client_wants_protection(c, code))
        return stsafe_client_transceive_protected(c, code, c->protection.enc[code], payload,
                                                  payload_len, rsp_data, rsp_cap, rsp_len);
    int err = stsafe_client_exchange(c, header, payload, payload_len, &rsp, &written);
    if (err)
        return err;
    if (c->last_status != STSAFE_ST_OK)
        return STSAFE_ERR_STATUS(c->last_status);
    return stsafe_client_hand_out(rsp.data, rsp.data_len, rsp_data, rsp_cap, rsp_len);
}
