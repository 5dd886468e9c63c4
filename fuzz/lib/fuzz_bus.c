/* SPDX-License-Identifier: BSD-3-Clause */
/* The malicious chip of fuzz_host_response: answers are fuzz bytes. */
#include "fuzz_bus.h"

#include <string.h>

#include "fuzz_check.h"
#include "stsafe/protocol/buf.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/crc16.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"

/* A copy of the response with the CRC its length field points at made
 * right: over the status byte and the data, high byte first (frame.h).
 * The bytes after the response read as 0xFF, as on the bus. */
static void fix_crc(fuzz_bus *fb)
{
    size_t n = fb->cur_len < sizeof fb->fixed ? fb->cur_len : sizeof fb->fixed;
    memcpy(fb->fixed, fb->cur, n);
    memset(fb->fixed + n, 0xFF, sizeof fb->fixed - n);
    size_t total = 0;
    if (n < 3 || stsafe_rsp_frame_total_len(fb->fixed, &total) != 0 || total > sizeof fb->fixed)
        return; /* no CRC where it could be written: served as it is */
    uint16_t reg = stsafe_crc16_update(STSAFE_CRC16_INIT, fb->fixed, 1);
    reg = stsafe_crc16_update(reg, fb->fixed + 3, total - STSAFE_RSP_FRAME_OVERHEAD);
    stsafe_put_u16(fb->fixed + total - STSAFE_CRC_LEN, stsafe_crc16_final(reg));
    fb->cur = fb->fixed;
    fb->cur_len = total > n ? total : n;
}

static void next_response(fuzz_bus *fb)
{
    int flag = 0;
    if (!fuzz_split_next(&fb->responses, &fb->cur, &fb->cur_len, &flag))
        fb->cur = NULL;
    else if (flag && fb->cur_len > 0)
        fix_crc(fb);
}

static int fake_write(void *ctx, uint16_t addr, const uint8_t *data, size_t len)
{
    fuzz_bus *fb = ctx;
    stsafe_cmd_frame cmd;
    (void)addr;
    FUZZ_REQUIRE(stsafe_cmd_frame_decode(data, len, STSAFE_A110_MAX_FRAME_LEN, &cmd) == 0,
                 "the host writes only well-formed command frames");
    fb->writes++;
    if (!fb->per_read)
        next_response(fb);
    return 0;
}

static int fake_read(void *ctx, uint16_t addr, uint8_t *data, size_t len)
{
    fuzz_bus *fb = ctx;
    (void)addr;
    fb->reads++;
    if (fb->per_read)
        next_response(fb);
    if (!fb->cur || fb->cur_len == 0)
        return STSAFE_ERR_BUS_NACK;
    size_t n = len < fb->cur_len ? len : fb->cur_len;
    memcpy(data, fb->cur, n);
    memset(data + n, 0xFF, len - n);
    return 0;
}

static int fake_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int err = (msgs[i].flags & STSAFE_I2C_MSG_READ)
                      ? fake_read(ctx, msgs[i].addr, msgs[i].buf, msgs[i].len)
                      : fake_write(ctx, msgs[i].addr, msgs[i].buf, msgs[i].len);
        if (err)
            return err;
    }
    return 0;
}

static void fake_delay(void *ctx, uint32_t ms)
{
    (void)ctx;
    (void)ms; /* no clock: a NACK is retried at once */
}

static const stsafe_bus_ops fake_ops = {.transfer = fake_transfer, .write = fake_write, .read = fake_read, .delay_ms = fake_delay};

void fuzz_bus_init(fuzz_bus *fb, stsafe_bus *bus, const uint8_t *data, size_t len, int per_read)
{
    memset(fb, 0, sizeof *fb);
    fuzz_split_init(&fb->responses, data, len);
    fb->per_read = per_read;
    bus->ops = &fake_ops;
    bus->ctx = fb;
}
