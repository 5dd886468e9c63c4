/* SPDX-License-Identifier: BSD-3-Clause */
/* The socket bus backend: I2C messages and control operations as requests
 * to `stsafe-emu serve` (docs/socket-protocol.md). */
#include "stsafe/bus/socket.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stsafe/protocol/error.h"

void stsafe_bus_socket_init(stsafe_bus_socket *s)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
}

void stsafe_bus_socket_free(stsafe_bus_socket *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    stsafe_bus_socket_init(s);
}

/* Any failure of the stream: the connection is of no further use. */
static int broken(stsafe_bus_socket *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    return STSAFE_ERR_BUS_IO;
}

static int await_hello(stsafe_bus_socket *s, const stsafe_sock_wait *w);

/* Receives one whole answer into s->msg; its body length in \p body_len. */
static int receive_answer(stsafe_bus_socket *s, size_t *body_len)
{
    size_t have = 0, want = STSAFE_SOCK_LEN_SIZE;
    while (have < want) {
        ssize_t n = stsafe_sock_recv_spin(s->fd, s->msg + have, sizeof s->msg - have);
        if (n < 0 && errno == EAGAIN)
            n = recv(s->fd, s->msg + have, sizeof s->msg - have, 0); /* now sleep */
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return broken(s);
        have += (size_t)n;
        if (have >= STSAFE_SOCK_LEN_SIZE) {
            uint32_t len = stsafe_sock_get_u32(s->msg);
            if (len < 2 || len > STSAFE_SOCK_MAX_BODY)
                return broken(s);
            want = STSAFE_SOCK_LEN_SIZE + len;
        }
    }
    if (have != want) /* more than one answer to one request */
        return broken(s);
    *body_len = want - STSAFE_SOCK_LEN_SIZE;
    return 0;
}

static int status_error(stsafe_bus_socket *s, uint8_t st)
{
    switch (st) {
    case STSAFE_SOCK_ST_OK:          return 0;
    case STSAFE_SOCK_ST_NACK:        return STSAFE_ERR_BUS_NACK;
    case STSAFE_SOCK_ST_UNSUPPORTED: return STSAFE_ERR_UNSUPPORTED;
    case STSAFE_SOCK_ST_FAILED:      return STSAFE_ERR_BUS_IO;
    default:                         return broken(s); /* the server closes after errors */
    }
}

int stsafe_bus_socket_request(stsafe_bus_socket *s, uint8_t op, const uint8_t *args, size_t len,
                              uint8_t *data, size_t cap, size_t *data_len)
{
    size_t body = 0;
    if (!s || (len && !args) || (cap && !data) || len > STSAFE_SOCK_MAX_BODY - 1)
        return STSAFE_ERR_BAD_INPUT;
    if (s->fd < 0)
        return STSAFE_ERR_BUS_IO;
    /* No answer yet: s->msg is about to hold the request, not a reason. */
    s->last_status = STSAFE_SOCK_ST_OK;
    stsafe_sock_put_u32(s->msg, (uint32_t)(1 + len));
    s->msg[STSAFE_SOCK_LEN_SIZE] = op;
    if (len)
        memcpy(s->msg + STSAFE_SOCK_LEN_SIZE + 1, args, len);
    if (stsafe_sock_send_all(s->fd, s->msg, STSAFE_SOCK_LEN_SIZE + 1 + len) != 0)
        return broken(s);
    int err = s->wait ? await_hello(s, s->wait) : 0;
    if (!err)
        err = receive_answer(s, &body);
    if (err)
        return err;
    s->requests++;
    const uint8_t *ans = s->msg + STSAFE_SOCK_LEN_SIZE;
    if (ans[0] != op && !STSAFE_SOCK_ST_CLOSES(ans[1]))
        return broken(s);
    s->last_status = ans[1];
    err = status_error(s, ans[1]);
    if (err)
        return err;
    if (body - 2 > cap)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    if (body > 2 && data) /* data may be NULL only with cap 0: refused above */
        memcpy(data, ans + 2, body - 2);
    if (data_len)
        *data_len = body - 2;
    return 0;
}

/* ---- bus operations -------------------------------------------------------- */

static int sock_write(void *ctx, uint16_t addr, const uint8_t *data, size_t len)
{
    stsafe_bus_socket *s = ctx;
    uint8_t args[1 + STSAFE_SOCK_MAX_DATA];
    if (addr > 0x7F || len > STSAFE_SOCK_MAX_DATA || (len && !data))
        return STSAFE_ERR_BAD_INPUT;
    args[0] = (uint8_t)addr;
    if (len)
        memcpy(args + 1, data, len);
    return stsafe_bus_socket_request(s, STSAFE_SOCK_OP_I2C_WRITE, args, 1 + len, NULL, 0, NULL);
}

static int sock_read(void *ctx, uint16_t addr, uint8_t *data, size_t len)
{
    stsafe_bus_socket *s = ctx;
    size_t got = 0;
    if (addr > 0x7F || len > STSAFE_SOCK_MAX_DATA || (len && !data))
        return STSAFE_ERR_BAD_INPUT;
    const uint8_t args[3] = {(uint8_t)addr, (uint8_t)(len >> 8), (uint8_t)len};
    int err = stsafe_bus_socket_request(s, STSAFE_SOCK_OP_I2C_READ, args, sizeof args, data, len, &got);
    if (err == STSAFE_ERR_BUFFER_TOO_SMALL || (!err && got != len))
        return broken(s);
    return err;
}

static int sock_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int err = (msgs[i].flags & STSAFE_I2C_MSG_READ)
                      ? sock_read(ctx, msgs[i].addr, msgs[i].buf, msgs[i].len)
                      : sock_write(ctx, msgs[i].addr, msgs[i].buf, msgs[i].len);
        if (err)
            return err;
    }
    return 0;
}

static void sock_delay(void *ctx, uint32_t ms)
{
    (void)ctx;
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000u), .tv_nsec = (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* COMMAND (version 3): the frame out, the whole response frame back. */
static int sock_command(void *ctx, uint16_t addr, const uint8_t *frame, size_t len, uint8_t *rsp,
                        size_t cap, size_t *rsp_len, int *written)
{
    stsafe_bus_socket *s = ctx;
    uint8_t args[1 + STSAFE_SOCK_MAX_DATA];
    *written = 0;
    if (s->fd >= 0 && (s->version < 3 || s->no_command))
        return STSAFE_ERR_UNSUPPORTED; /* nothing sent: the caller uses I2C messages */
    if (addr > 0x7F || len > STSAFE_SOCK_MAX_DATA || (len && !frame))
        return STSAFE_ERR_BAD_INPUT;
    args[0] = (uint8_t)addr;
    if (len)
        memcpy(args + 1, frame, len);
    int err = stsafe_bus_socket_request(s, STSAFE_SOCK_OP_COMMAND, args, 1 + len, rsp, cap, rsp_len);
    if (err == STSAFE_ERR_UNSUPPORTED)
        s->no_command = 1;
    if (err == STSAFE_ERR_BUS_NACK) {
        /* NACK carries the stage: 0 the frame was not taken, 1 no response */
        uint32_t body = stsafe_sock_get_u32(s->msg);
        if (body != 3)
            return broken(s);
        *written = s->msg[STSAFE_SOCK_LEN_SIZE + 2] == STSAFE_SOCK_COMMAND_NO_RESPONSE;
        return STSAFE_ERR_BUS_TIMEOUT;
    }
    if (!err)
        *written = 1;
    return err;
}

static const stsafe_bus_ops socket_ops = {
    .transfer = sock_transfer,
    .write = sock_write,
    .read = sock_read,
    .delay_ms = sock_delay,
    .command = sock_command,
};

/* ---- connection and control ------------------------------------------------------ */

/* Waits up to \p ms for the answer to start arriving: 1 when it has, 0 when
 * the time ran out, -1 when poll failed. ms 0: for ever. */
static int answer_within(int fd, uint32_t ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    for (;;) {
        int rc = poll(&p, 1, ms ? (int)ms : -1);
        if (rc >= 0 || errno != EINTR)
            return rc > 0 ? 1 : rc;
    }
}

/* HELLO is sent; wait as \p w says for the server to take this connection. */
static int await_hello(stsafe_bus_socket *s, const stsafe_sock_wait *w)
{
    uint32_t waited = 0;
    if (w->notice_ms && (!w->give_up_ms || w->notice_ms < w->give_up_ms)) {
        int rc = answer_within(s->fd, w->notice_ms);
        if (rc != 0)
            return rc > 0 ? 0 : broken(s);
        if (w->on_wait)
            w->on_wait(w->ctx);
        waited = w->notice_ms;
    }
    int rc = answer_within(s->fd, w->give_up_ms ? w->give_up_ms - waited : 0);
    if (rc == 0) {
        (void)broken(s);
        return STSAFE_ERR_BUS_TIMEOUT;
    }
    return rc > 0 ? 0 : broken(s);
}

static int hello(stsafe_bus_socket *s, const stsafe_sock_wait *w)
{
    uint8_t args[STSAFE_SOCK_MAGIC_LEN + 1], out[STSAFE_SOCK_HELLO_ANSWER_LEN];
    size_t n = 0;
    s->wait = w;
    memcpy(args, STSAFE_SOCK_MAGIC, STSAFE_SOCK_MAGIC_LEN); /* NOLINT(bugprone-not-null-terminated-result): 4 bytes on the wire, no NUL */
    args[STSAFE_SOCK_MAGIC_LEN] = STSAFE_SOCK_VERSION;
    int err = stsafe_bus_socket_request(s, STSAFE_SOCK_OP_HELLO, args, sizeof args, out, sizeof out, &n);
    s->wait = NULL;
    if (err == STSAFE_ERR_BUS_TIMEOUT)
        return err;
    if (err || n != sizeof out || out[0] == 0 || out[0] > STSAFE_SOCK_VERSION || out[3] > 0x7F)
        return broken(s);
    s->version = out[0];
    s->max_data = (uint16_t)(out[1] << 8 | out[2]);
    s->i2c_address = out[3];
    s->timing = out[4];
    return 0;
}

int stsafe_bus_socket_connect(stsafe_bus_socket *s, stsafe_bus *bus, const char *address)
{
    return stsafe_bus_socket_connect_wait(s, bus, address, NULL);
}

int stsafe_bus_socket_connect_wait(stsafe_bus_socket *s, stsafe_bus *bus, const char *address,
                                   const stsafe_sock_wait *w)
{
    stsafe_sock_addr a;
    if (!s || !bus)
        return STSAFE_ERR_BAD_INPUT;
    stsafe_bus_socket_free(s);
    int err = stsafe_sock_addr_parse(address, &a);
    if (!err)
        err = stsafe_sock_connect(&a, &s->fd);
    if (!err)
        err = hello(s, w);
    if (err)
        return err;
    bus->ops = &socket_ops;
    bus->ctx = s;
    return 0;
}

int stsafe_bus_socket_select(stsafe_bus_socket *s, uint16_t index, uint8_t *address)
{
    const uint8_t args[2] = {(uint8_t)(index >> 8), (uint8_t)index};
    uint8_t out[STSAFE_SOCK_SELECT_ANSWER_LEN];
    size_t n = 0;
    if (!s)
        return STSAFE_ERR_BAD_INPUT;
    if (s->fd < 0) /* last_status may be an earlier connection's ERR_ARGS */
        return STSAFE_ERR_BUS_IO;
    if (s->version < 2)
        return STSAFE_ERR_UNSUPPORTED;
    int err = stsafe_bus_socket_request(s, STSAFE_SOCK_OP_SELECT, args, sizeof args, out, sizeof out, &n);
    if (err == STSAFE_ERR_BUS_IO && s->last_status == STSAFE_SOCK_ST_ERR_ARGS)
        return STSAFE_ERR_BAD_INPUT;
    if (err == STSAFE_ERR_BUFFER_TOO_SMALL || (!err && (n != sizeof out || out[0] > 0x7F)))
        return broken(s);
    if (err)
        return err;
    s->i2c_address = out[0];
    s->chip = index;
    s->no_command = 0; /* another device: it may offer COMMAND */
    s->chips = (uint16_t)(out[1] << 8 | out[2]);
    if (address)
        *address = out[0];
    return 0;
}

int stsafe_bus_socket_power_cycle(stsafe_bus_socket *s)
{
    return stsafe_bus_socket_request(s, STSAFE_SOCK_OP_POWER_CYCLE, NULL, 0, NULL, 0, NULL);
}

int stsafe_bus_socket_stats(stsafe_bus_socket *s, stsafe_sock_stats *out)
{
    uint8_t data[STSAFE_SOCK_STATS_ANSWER_LEN];
    size_t n = 0;
    if (!out)
        return STSAFE_ERR_BAD_INPUT;
    int err = stsafe_bus_socket_request(s, STSAFE_SOCK_OP_STATS, NULL, 0, data, sizeof data, &n);
    if (err == STSAFE_ERR_BUFFER_TOO_SMALL || (!err && n != sizeof data))
        return broken(s);
    if (err)
        return err;
    out->commands = stsafe_sock_get_u64(data);
    out->nacks = stsafe_sock_get_u64(data + 8);
    out->nvm_writes = stsafe_sock_get_u64(data + 16);
    return 0;
}

void stsafe_bus_socket_last_reason(const stsafe_bus_socket *s, char *out, size_t cap)
{
    if (!out || cap == 0)
        return;
    out[0] = '\0';
    if (!s || s->requests == 0 || s->last_status == STSAFE_SOCK_ST_OK || s->last_status == STSAFE_SOCK_ST_NACK)
        return;
    uint32_t body = stsafe_sock_get_u32(s->msg);
    size_t n = body > 2 && body <= STSAFE_SOCK_MAX_BODY ? body - 2u : 0u;
    if (n >= cap)
        n = cap - 1u;
    memcpy(out, s->msg + STSAFE_SOCK_LEN_SIZE + 2, n);
    out[n] = '\0';
}

int stsafe_bus_socket_fault(stsafe_bus_socket *s, const char *spec, char *reason, size_t cap)
{
    if (reason && cap)
        reason[0] = '\0';
    if (!s || !spec || spec[0] == '\0' || strlen(spec) > STSAFE_SOCK_MAX_FAULT_SPEC)
        return STSAFE_ERR_BAD_INPUT;
    if (s->fd < 0)
        return STSAFE_ERR_BUS_IO;
    int err = stsafe_bus_socket_request(s, STSAFE_SOCK_OP_FAULT, (const uint8_t *)spec, strlen(spec),
                                        NULL, 0, NULL);
    if (err)
        stsafe_bus_socket_last_reason(s, reason, cap);
    if (err == STSAFE_ERR_BUS_IO && s->last_status == STSAFE_SOCK_ST_ERR_ARGS)
        return STSAFE_ERR_BAD_INPUT;
    return err;
}

/* ---- snapshots (version 3): the chip's state in chunks ------------------------------ */

int stsafe_bus_socket_snapshot(stsafe_bus_socket *s, uint8_t *buf, size_t cap, size_t *len)
{
    uint8_t chunk[4 + STSAFE_SOCK_SNAPSHOT_CHUNK];
    size_t offset = 0, total = 0;
    if (!s || !buf || !len)
        return STSAFE_ERR_BAD_INPUT;
    if (s->fd < 0)
        return STSAFE_ERR_BUS_IO;
    if (s->version < 3)
        return STSAFE_ERR_UNSUPPORTED;
    do {
        uint8_t args[4];
        size_t n = 0;
        stsafe_sock_put_u32(args, (uint32_t)offset);
        int err = stsafe_bus_socket_request(s, STSAFE_SOCK_OP_SNAPSHOT, args, sizeof args, chunk,
                                            sizeof chunk, &n);
        if (err == STSAFE_ERR_BUFFER_TOO_SMALL || (!err && n < 4))
            return broken(s);
        if (err)
            return err;
        size_t this_total = stsafe_sock_get_u32(chunk);
        if (offset == 0)
            total = this_total;
        size_t want = total - offset < STSAFE_SOCK_SNAPSHOT_CHUNK ? total - offset : STSAFE_SOCK_SNAPSHOT_CHUNK;
        if (total == 0 || this_total != total || n - 4 != want)
            return broken(s); /* not the chunking of docs/socket-protocol.md */
        *len = total;
        if (total > cap)
            return STSAFE_ERR_BUFFER_TOO_SMALL;
        memcpy(buf + offset, chunk + 4, want);
        offset += want;
    } while (offset < total);
    return 0;
}

int stsafe_bus_socket_restore(stsafe_bus_socket *s, const uint8_t *buf, size_t len)
{
    uint8_t args[8 + STSAFE_SOCK_SNAPSHOT_CHUNK], out[4];
    if (!s || !buf || len == 0 || len > STSAFE_SOCK_SNAPSHOT_MAX)
        return STSAFE_ERR_BAD_INPUT;
    if (s->fd < 0)
        return STSAFE_ERR_BUS_IO;
    if (s->version < 3)
        return STSAFE_ERR_UNSUPPORTED;
    for (size_t offset = 0; offset < len;) {
        size_t part = len - offset < STSAFE_SOCK_SNAPSHOT_CHUNK ? len - offset : STSAFE_SOCK_SNAPSHOT_CHUNK;
        size_t n = 0;
        stsafe_sock_put_u32(args, (uint32_t)offset);
        stsafe_sock_put_u32(args + 4, (uint32_t)len);
        memcpy(args + 8, buf + offset, part);
        int err = stsafe_bus_socket_request(s, STSAFE_SOCK_OP_RESTORE, args, 8 + part, out, sizeof out, &n);
        if (err == STSAFE_ERR_BUFFER_TOO_SMALL || (!err && (n != 4 || stsafe_sock_get_u32(out) != offset + part)))
            err = broken(s);
        if (err)
            return err;
        offset += part;
    }
    return 0;
}
