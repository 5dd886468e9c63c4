/* SPDX-License-Identifier: BSD-3-Clause */
/* The operations of the socket protocol (docs/socket-protocol.md) over the
 * served devices: a request body in, an answer body out. No sockets here. */
#include "server_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "stsafe/bus/fault.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"

/* An answer with a status and data. */
uint8_t stsafe_server_reply(uint8_t op, uint8_t st, const uint8_t *data, size_t n, uint8_t *ans,
                     size_t *ans_len)
{
    ans[0] = op;
    ans[1] = st;
    if (n)
        memcpy(ans + 2, data, n);
    *ans_len = 2 + n;
    return st;
}

/* An answer whose data is a reason for people to read. */
uint8_t stsafe_server_refuse(uint8_t op, uint8_t st, uint8_t *ans, size_t *ans_len, const char *fmt, ...)
{
    char text[STSAFE_SERVER_MAX_REASON];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof text ? (size_t)n : sizeof text - 1;
    return stsafe_server_reply(op, st, (const uint8_t *)text, len, ans, ans_len);
}

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t stsafe_server_now_us(const stsafe_server *s, size_t slot)
{
    if (s->cfg.timing != STSAFE_EMU_TIMING_REAL)
        return s->slots[slot].virtual_us;
    return mono_us();
}

/* Datasheet timing, host clock: an I2C request first moves the device's
 * virtual clock by the real time since its previous I2C request, so the
 * waits of a host that sleeps between polls count as on silicon. */
static void credit_host_wait(stsafe_server *s, stsafe_server_slot *slot)
{
    slot->credited_us = 0;
    if (s->cfg.timing != STSAFE_EMU_TIMING_DATASHEET || s->cfg.clock != STSAFE_SERVER_CLOCK_HOST)
        return;
    uint64_t now = mono_us();
    if (slot->last_io_mono_us && now > slot->last_io_mono_us)
        slot->credited_us = now - slot->last_io_mono_us;
    slot->last_io_mono_us = now;
    slot->virtual_us += slot->credited_us;
}

/* The device a connection talks to. */
static stsafe_server_slot *slot_of(stsafe_server *s, const stsafe_server_session *sess)
{
    return &s->slots[sess->selected];
}

/* Under datasheet timing a NACK stands for at least one poll interval of a
 * host on the device's virtual clock: 1 ms in all with the real wait the
 * host clock already credited (a host polling in a tight loop still gets
 * its answer after the command's time in NACKs, as before). */
static uint8_t nack(stsafe_server *s, stsafe_server_slot *slot, uint8_t op, uint8_t *ans,
                    size_t *ans_len)
{
    if (s->cfg.timing == STSAFE_EMU_TIMING_DATASHEET && slot->credited_us < STSAFE_SERVER_NACK_ADVANCE_US)
        slot->virtual_us += STSAFE_SERVER_NACK_ADVANCE_US - slot->credited_us;
    return stsafe_server_reply(op, STSAFE_SOCK_ST_NACK, NULL, 0, ans, ans_len);
}

/* The outcome of a call into a device (server.h says what its codes mean).
 * A device that failed for good answers FAILED with its reason, whatever
 * the call returned, and stops the server. */
uint8_t stsafe_server_outcome(stsafe_server *s, stsafe_server_slot *slot, int err, uint8_t op,
                       const uint8_t *data, size_t n, uint8_t *ans, size_t *ans_len)
{
    const stsafe_server_device *dev = &slot->dev;
    const char *why = dev->ops->failure ? dev->ops->failure(dev->ctx) : NULL;
    if (why) {
        s->failure = why;
        s->failed_slot = (size_t)(slot - s->slots);
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_FAILED, ans, ans_len, "%s", why);
    }
    if (err == STSAFE_ERR_BUS_NACK)
        return nack(s, slot, op, ans, ans_len);
    if (err == STSAFE_ERR_UNSUPPORTED)
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_UNSUPPORTED, ans, ans_len, "the device does not offer %s",
                      stsafe_sock_op_name(op));
    if (err)
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_FAILED, ans, ans_len, "the device failed: %s",
                      stsafe_strerror(err));
    return stsafe_server_reply(op, STSAFE_SOCK_ST_OK, data, n, ans, ans_len);
}

static uint8_t device_address(const stsafe_server_slot *slot)
{
    return slot->dev.ops->address(slot->dev.ctx);
}

static uint8_t op_hello(stsafe_server *s, stsafe_server_session *sess, const uint8_t *args,
                        size_t n, uint8_t *ans, size_t *ans_len)
{
    if (n != STSAFE_SOCK_MAGIC_LEN + 1 || memcmp(args, STSAFE_SOCK_MAGIC, STSAFE_SOCK_MAGIC_LEN) != 0 ||
        args[STSAFE_SOCK_MAGIC_LEN] == 0)
        return stsafe_server_refuse(STSAFE_SOCK_OP_HELLO, STSAFE_SOCK_ST_ERR_HANDSHAKE, ans, ans_len,
                      "HELLO takes the magic STSE and a version from 1");
    uint8_t version = args[STSAFE_SOCK_MAGIC_LEN];
    if (version > STSAFE_SOCK_VERSION)
        version = STSAFE_SOCK_VERSION;
    static const uint8_t timing[] = {STSAFE_SOCK_TIMING_NONE, STSAFE_SOCK_TIMING_DATASHEET,
                                     STSAFE_SOCK_TIMING_REAL};
    uint8_t out[STSAFE_SOCK_HELLO_ANSWER_LEN] = {
        version, (uint8_t)(STSAFE_SOCK_MAX_DATA >> 8), (uint8_t)STSAFE_SOCK_MAX_DATA,
        device_address(slot_of(s, sess)), timing[s->cfg.timing]};
    sess->hello_done = 1;
    sess->version = version;
    return stsafe_server_reply(STSAFE_SOCK_OP_HELLO, STSAFE_SOCK_ST_OK, out, sizeof out, ans, ans_len);
}

static uint8_t op_write(stsafe_server *s, stsafe_server_session *sess, const uint8_t *args,
                        size_t n, uint8_t *ans, size_t *ans_len)
{
    const uint8_t op = STSAFE_SOCK_OP_I2C_WRITE;
    if (n < 1 || args[0] > 0x7F)
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_ARGS, ans, ans_len,
                      "i2c-write takes a 7-bit address and 0 to %u bytes", STSAFE_SOCK_MAX_DATA);
    stsafe_server_slot *slot = slot_of(s, sess);
    credit_host_wait(s, slot);
    int err = slot->dev.ops->i2c_write(slot->dev.ctx, stsafe_server_now_us(s, sess->selected),
                                       args[0], args + 1, n - 1);
    return stsafe_server_outcome(s, slot, err, op, NULL, 0, ans, ans_len);
}

static uint8_t op_read(stsafe_server *s, stsafe_server_session *sess, const uint8_t *args,
                       size_t n, uint8_t *ans, size_t *ans_len)
{
    const uint8_t op = STSAFE_SOCK_OP_I2C_READ;
    size_t count = n == 3 ? (size_t)(args[1] << 8 | args[2]) : 0;
    if (n != 3 || args[0] > 0x7F || count > STSAFE_SOCK_MAX_DATA)
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_ARGS, ans, ans_len,
                      "i2c-read takes a 7-bit address and a count of 0 to %u", STSAFE_SOCK_MAX_DATA);
    stsafe_server_slot *slot = slot_of(s, sess);
    uint8_t data[STSAFE_SOCK_MAX_DATA];
    credit_host_wait(s, slot);
    int err = slot->dev.ops->i2c_read(slot->dev.ctx, stsafe_server_now_us(s, sess->selected),
                                      args[0], data, count);
    return stsafe_server_outcome(s, slot, err, op, data, count, ans, ans_len);
}

static uint8_t op_control(stsafe_server *s, stsafe_server_session *sess, uint8_t op, size_t n,
                          uint8_t *ans, size_t *ans_len)
{
    if (n != 0)
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_ARGS, ans, ans_len, "%s takes no arguments",
                      stsafe_sock_op_name(op));
    stsafe_server_slot *slot = slot_of(s, sess);
    const stsafe_server_device_ops *ops = slot->dev.ops;
    if (op == STSAFE_SOCK_OP_POWER_CYCLE) {
        int err = ops->power_cycle ? ops->power_cycle(slot->dev.ctx) : STSAFE_ERR_UNSUPPORTED;
        return stsafe_server_outcome(s, slot, err, op, NULL, 0, ans, ans_len);
    }
    stsafe_sock_stats st;
    uint8_t out[STSAFE_SOCK_STATS_ANSWER_LEN];
    int err = ops->stats ? ops->stats(slot->dev.ctx, &st) : STSAFE_ERR_UNSUPPORTED;
    if (!err) {
        stsafe_sock_put_u64(out, st.commands);
        stsafe_sock_put_u64(out + 8, st.nacks);
        stsafe_sock_put_u64(out + 16, st.nvm_writes);
    }
    return stsafe_server_outcome(s, slot, err, op, out, sizeof out, ans, ans_len);
}

static void fault_fired(void *ctx, const char *line)
{
    stsafe_server_log(ctx, "%s", line);
}

/* The length of the item of a fault spec that starts at \p item. */
static int item_len(const char *item)
{
    const char *comma = strchr(item, ',');
    size_t n = comma ? (size_t)(comma - item) : strlen(item);
    return n > 64 ? 64 : (int)n;
}

/* FAULT: arm the faults of a spec (docs/faults.md) on the selected device. */
static uint8_t op_fault(stsafe_server *s, stsafe_server_session *sess, const uint8_t *args,
                        size_t n, uint8_t *ans, size_t *ans_len)
{
    const uint8_t op = STSAFE_SOCK_OP_FAULT;
    char spec[STSAFE_SOCK_MAX_FAULT_SPEC + 1];
    int printable = n >= 1 && n <= STSAFE_SOCK_MAX_FAULT_SPEC;
    for (size_t i = 0; printable && i < n; i++)
        printable = args[i] > 0x20 && args[i] < 0x7F;
    if (!printable)
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_ARGS, ans, ans_len,
                      "fault takes a spec of 1 to %u printable characters (docs/faults.md)",
                      STSAFE_SOCK_MAX_FAULT_SPEC);
    memcpy(spec, args, n);
    spec[n] = '\0';
    stsafe_server_slot *slot = slot_of(s, sess);
    const stsafe_server_device_ops *ops = slot->dev.ops;
    if (!ops->fault)
        return stsafe_server_outcome(s, slot, STSAFE_ERR_UNSUPPORTED, op, NULL, 0, ans, ans_len);
    const char *bad = spec;
    int err = ops->fault(slot->dev.ctx, spec, &bad, fault_fired, s);
    if (err == STSAFE_ERR_BAD_INPUT || err == STSAFE_ERR_BUFFER_TOO_SMALL) {
        char why[160];
        stsafe_fault_spec_error(err, bad, why, sizeof why);
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_ARGS, ans, ans_len, "%s", why);
    }
    if (err == STSAFE_ERR_UNSUPPORTED)
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_UNSUPPORTED, ans, ans_len,
                      "'%.*s' is not offered by the server: the host adds latency on its own bus",
                      item_len(bad), bad);
    if (!err)
        stsafe_server_log(s, "%s: faults armed: %s", ops->name(slot->dev.ctx), spec);
    return stsafe_server_outcome(s, slot, err, op, NULL, 0, ans, ans_len);
}


/* ---- COMMAND (version 3): one command frame in, its response frame out ---- */

static void sleep_us(uint64_t us)
{
    struct timespec ts = {.tv_sec = (time_t)(us / 1000000u), .tv_nsec = (long)(us % 1000000u) * 1000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Waits until the device is no longer busy, as the timing says: the
 * virtual clock jumps to the end of the busy time, the real one is slept
 * through; without timing the device is never busy. */
static void wait_ready(stsafe_server *s, stsafe_server_slot *slot, size_t index)
{
    uint64_t until = slot->dev.ops->busy_until_us(slot->dev.ctx);
    uint64_t now = stsafe_server_now_us(s, index);
    if (until <= now)
        return;
    if (s->cfg.timing == STSAFE_EMU_TIMING_REAL)
        sleep_us(until - now);
    else
        slot->virtual_us = until;
}

/* One I2C transaction of a COMMAND, as a polling host would do it: a busy
 * device is waited for, the NACKs of one that is not busy (a fault, a
 * wake-up from hibernation) are retried, each one standing for a poll. */
static int command_xfer(stsafe_server *s, stsafe_server_session *sess, stsafe_server_slot *slot,
                        int is_read, uint8_t addr, uint8_t *buf, size_t len)
{
    const stsafe_server_device *dev = &slot->dev;
    for (unsigned tries = 0;; tries++) {
        wait_ready(s, slot, sess->selected);
        uint64_t now = stsafe_server_now_us(s, sess->selected);
        int err = is_read ? dev->ops->i2c_read(dev->ctx, now, addr, buf, len)
                          : dev->ops->i2c_write(dev->ctx, now, addr, buf, len);
        int failed = dev->ops->failure && dev->ops->failure(dev->ctx);
        if (err != STSAFE_ERR_BUS_NACK || tries >= STSAFE_SERVER_COMMAND_RETRIES || failed)
            return err;
        if (s->cfg.timing == STSAFE_EMU_TIMING_DATASHEET)
            slot->virtual_us += STSAFE_SERVER_NACK_ADVANCE_US;
    }
}

/* The outcome of a COMMAND; a NACK carries the stage it stopped at. */
static uint8_t command_outcome(stsafe_server *s, stsafe_server_slot *slot, int err, uint8_t stage,
                               const uint8_t *rsp, size_t n, uint8_t *ans, size_t *ans_len)
{
    uint8_t st = stsafe_server_outcome(s, slot, err, STSAFE_SOCK_OP_COMMAND, rsp, n, ans, ans_len);
    if (st == STSAFE_SOCK_ST_NACK) {
        ans[2] = stage;
        *ans_len = 3;
    }
    return st;
}

static uint8_t command_read(stsafe_server *s, stsafe_server_session *sess, stsafe_server_slot *slot,
                            uint8_t addr, uint8_t *ans, size_t *ans_len);

static uint8_t op_command(stsafe_server *s, stsafe_server_session *sess, const uint8_t *args,
                          size_t n, uint8_t *ans, size_t *ans_len)
{
    const uint8_t op = STSAFE_SOCK_OP_COMMAND;
    if (n < 1 || args[0] > 0x7F)
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_ARGS, ans, ans_len,
                      "command takes a 7-bit address and a frame of 0 to %u bytes", STSAFE_SOCK_MAX_DATA);
    stsafe_server_slot *slot = slot_of(s, sess);
    if (!slot->dev.ops->busy_until_us)
        return stsafe_server_outcome(s, slot, STSAFE_ERR_UNSUPPORTED, op, NULL, 0, ans, ans_len);
    uint8_t addr = args[0];
    if (addr != device_address(slot)) /* an empty bus: nothing to wait for */
        return stsafe_server_reply(op, STSAFE_SOCK_ST_NACK, (const uint8_t[]){STSAFE_SOCK_COMMAND_NOT_WRITTEN}, 1,
                     ans, ans_len);
    uint8_t frame[STSAFE_SOCK_MAX_DATA];
    memcpy(frame, args + 1, n - 1);
    int err = command_xfer(s, sess, slot, 0, addr, frame, n - 1);
    if (err)
        return command_outcome(s, slot, err, STSAFE_SOCK_COMMAND_NOT_WRITTEN, NULL, 0, ans, ans_len);
    uint64_t until = slot->dev.ops->busy_until_us(slot->dev.ctx);
    if (s->cfg.timing == STSAFE_EMU_TIMING_REAL && until > stsafe_server_now_us(s, sess->selected)) {
        /* the wall clock must pass: the caller serves others meanwhile */
        sess->command_ready_us = until;
        sess->command_addr = addr;
        *ans_len = 0;
        return STSAFE_SERVER_ST_PENDING;
    }
    return command_read(s, sess, slot, addr, ans, ans_len);
}

uint8_t stsafe_server_command_finish(stsafe_server *s, stsafe_server_session *sess, uint8_t *ans,
                                     size_t *ans_len)
{
    sess->command_ready_us = 0;
    return command_read(s, sess, slot_of(s, sess), sess->command_addr, ans, ans_len);
}

/* COMMAND's reads once the chip is done: as STSELib and the host client
 * read, the head, then the whole frame. */
static uint8_t command_read(stsafe_server *s, stsafe_server_session *sess, stsafe_server_slot *slot,
                            uint8_t addr, uint8_t *ans, size_t *ans_len)
{
    uint8_t rsp[STSAFE_SOCK_MAX_DATA];
    size_t total = STSAFE_RSP_FIRST_READ_LEN, whole = 0;
    int err = command_xfer(s, sess, slot, 1, addr, rsp, total);
    if (!err && stsafe_rsp_frame_total_len(rsp, &whole) == 0 && whole > total &&
        whole <= sizeof rsp) {
        total = whole;
        err = command_xfer(s, sess, slot, 1, addr, rsp, total);
    }
    return command_outcome(s, slot, err, STSAFE_SOCK_COMMAND_NO_RESPONSE, rsp, total, ans, ans_len);
}

/* Version 2: the connection talks to another device from now on. */
static uint8_t op_select(stsafe_server *s, stsafe_server_session *sess, const uint8_t *args,
                         size_t n, uint8_t *ans, size_t *ans_len)
{
    const uint8_t op = STSAFE_SOCK_OP_SELECT;
    size_t index = n == 2 ? (size_t)(args[0] << 8 | args[1]) : 0;
    if (n != 2 || index >= s->slot_count)
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_ARGS, ans, ans_len,
                      "select takes a chip index from 0 to %zu in 2 bytes", s->slot_count - 1);
    stsafe_server_session_free(sess); /* a snapshot or restore under way was another chip's */
    sess->selected = index;
    uint8_t out[STSAFE_SOCK_SELECT_ANSWER_LEN] = {
        device_address(&s->slots[index]), (uint8_t)(s->slot_count >> 8), (uint8_t)s->slot_count};
    return stsafe_server_reply(op, STSAFE_SOCK_ST_OK, out, sizeof out, ans, ans_len);
}

/* The request, answered by its operation. */
static uint8_t dispatch(stsafe_server *s, stsafe_server_session *sess, const uint8_t *body, size_t len,
                        uint8_t *ans, size_t *ans_len)
{
    if (len == 0 || len > STSAFE_SOCK_MAX_BODY)
        return stsafe_server_refuse(0, STSAFE_SOCK_ST_ERR_LENGTH, ans, ans_len,
                      "request length %zu outside 1..%u", len, STSAFE_SOCK_MAX_BODY);
    uint8_t op = body[0];
    const uint8_t *args = body + 1;
    size_t n = len - 1;
    sess->requests++;
    if (op == STSAFE_SOCK_OP_HELLO)
        return op_hello(s, sess, args, n, ans, ans_len);
    if (!sess->hello_done)
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_HANDSHAKE, ans, ans_len,
                      "the first request must be HELLO");
    switch (op) {
    case STSAFE_SOCK_OP_I2C_WRITE:
        return op_write(s, sess, args, n, ans, ans_len);
    case STSAFE_SOCK_OP_I2C_READ:
        return op_read(s, sess, args, n, ans, ans_len);
    case STSAFE_SOCK_OP_COMMAND:
        if (sess->version >= 3)
            return op_command(s, sess, args, n, ans, ans_len);
        break; /* a version 1 or 2 connection does not know it */
    case STSAFE_SOCK_OP_POWER_CYCLE:
    case STSAFE_SOCK_OP_STATS:
        return op_control(s, sess, op, n, ans, ans_len);
    case STSAFE_SOCK_OP_FAULT:
        return op_fault(s, sess, args, n, ans, ans_len);
    case STSAFE_SOCK_OP_SELECT:
        if (sess->version >= 2)
            return op_select(s, sess, args, n, ans, ans_len);
        break; /* a version 1 connection does not know it */
    case STSAFE_SOCK_OP_SNAPSHOT:
        if (sess->version >= 3)
            return stsafe_server_op_snapshot(s, sess, args, n, ans, ans_len);
        break; /* a version 1 or 2 connection does not know it */
    case STSAFE_SOCK_OP_RESTORE:
        if (sess->version >= 3)
            return stsafe_server_op_restore(s, sess, args, n, ans, ans_len);
        break;
    default:
        break;
    }
    return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_OP, ans, ans_len, "unknown operation 0x%02X", op);
}

/* An acknowledged change is on disk (docs/socket-protocol.md): the device
 * the request reached is saved before the answer goes out. When the save
 * fails the device is back at its saved state (server.h, save) and the
 * answer is FAILED with the reason, whatever the operation answered. */
static uint8_t saved_or_failed(stsafe_server *s, const stsafe_server_session *sess, uint8_t op, uint8_t st,
                               uint8_t *ans, size_t *ans_len)
{
    char why[STSAFE_SERVER_MAX_REASON];
    if (!sess->hello_done || stsafe_server_save_slot(s, sess->selected, why, sizeof why) == 0)
        return st;
    if (STSAFE_SOCK_ST_CLOSES(st))
        return st; /* the connection ends anyway; the log has the reason */
    return stsafe_server_refuse(op, STSAFE_SOCK_ST_FAILED, ans, ans_len, "%s", why);
}

uint8_t stsafe_server_handle(stsafe_server *s, stsafe_server_session *sess, const uint8_t *body,
                             size_t len, uint8_t *ans, size_t *ans_len)
{
    uint8_t st = dispatch(s, sess, body, len, ans, ans_len);
    if (len == 0 || len > STSAFE_SOCK_MAX_BODY)
        return st;
    return saved_or_failed(s, sess, body[0], st, ans, ans_len);
}
