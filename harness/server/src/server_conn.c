/* SPDX-License-Identifier: BSD-3-Clause */
/* `stsafe-emu serve`: the connections. One thread polls the listening
 * socket and up to max_clients connections; it reads requests, answers
 * each whole one (server_ops.c) before it reads the next, sends answers
 * without blocking, and drops the clients that break the protocol, stall
 * in the middle of a request or leave their answers unread. */
#include "server_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include "stsafe/protocol/error.h"
#include "stsafe/trace/redact.h"

/* Why a connection ends once its answer has been taken. */
typedef enum {
    END_NONE = 0,
    END_ERROR,      /* the answer's status closes the connection */
    END_STOPPING    /* a device failed for good: the server stops */
} conn_end;

/* One connection: its socket, the bytes received so far, the answer being sent. */
typedef struct {
    int fd;                     /* -1: a free entry */
    uint64_t id;                /* numbers the log lines */
    stsafe_server_session sess;
    size_t have;                /* request bytes in in[] */
    uint64_t rx_deadline_ms;    /* a begun request must be whole by then; 0: none waited for */
    size_t out_len;             /* an answer in out[] not yet taken; 0: none */
    size_t out_sent;
    uint64_t tx_deadline_ms;    /* when it must have been taken; 0: not waited for yet */
    uint64_t idle_since_ms;     /* the last sign of life: connected, bytes received, an answer */
    conn_end end;
    char req_text[112];         /* the request being answered, for verbose lines */
    uint8_t cmd_header;         /* the last command written: what a read answers (redaction) */
    uint8_t in[STSAFE_SOCK_MAX_MSG];
    uint8_t out[STSAFE_SOCK_MAX_MSG];
} server_conn;

typedef struct {
    server_conn *conns;         /* max entries */
    struct pollfd *pfd;         /* max + 1 entries: the listening socket first */
    size_t max;
    size_t active;
    uint64_t window_end_ms;     /* the client-event log window (log_burst a window) */
    uint32_t window_logged;     /* client events logged one by one in this window */
    uint64_t window_held;       /* and those only counted, told when it ends */
    uint64_t window_start_ms;
} conn_table;

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The clock of stsafe_server_now_us() under real timing. */
static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static unsigned long long cid(const server_conn *c)
{
    return (unsigned long long)c->id;
}

/* Tells how many client events the window held back, and starts a new one. */
static void end_log_window(const stsafe_server *s, conn_table *t, uint64_t now)
{
    if (t->window_held)
        stsafe_server_log(s, "%llu more client events in %llu ms, not logged one by one (%u a window "
                             "are; --verbose logs every one)",
                          (unsigned long long)t->window_held,
                          (unsigned long long)(now - t->window_start_ms), (unsigned)s->cfg.log_burst);
    t->window_held = 0;
    t->window_logged = 0;
    t->window_start_ms = now;
    t->window_end_ms = now + s->cfg.log_window_ms;
}

static void client_log(const stsafe_server *s, conn_table *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A line about one client (connected, disconnected, dropped). A connect
 * storm would write a line per client: past log_burst lines a window they
 * are only counted, and end_log_window() tells how many. */
static void client_log(const stsafe_server *s, conn_table *t, const char *fmt, ...)
{
    uint64_t now = mono_ms();
    if (now >= t->window_end_ms)
        end_log_window(s, t, now);
    if (!s->cfg.verbose && t->window_logged >= s->cfg.log_burst) {
        t->window_held++;
        return;
    }
    t->window_logged++;
    char line[STSAFE_SERVER_MAX_REASON + 128];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(line, sizeof line, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): va_start is just above
    va_end(ap);
    stsafe_server_log(s, "%s", line);
}

static void end_conn(conn_table *t, server_conn *c)
{
    stsafe_server_session_free(&c->sess); /* a snapshot or restore cut off changes nothing */
    close(c->fd);
    c->fd = -1;
    t->active--;
}

static void drop(const stsafe_server *s, conn_table *t, server_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Logs "client N dropped: reason" and closes the connection. */
static void drop(const stsafe_server *s, conn_table *t, server_conn *c, const char *fmt, ...)
{
    char why[STSAFE_SERVER_MAX_REASON + 64];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(why, sizeof why, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): va_start is just above
    va_end(ap);
    client_log(s, t, "client %llu dropped: %s", cid(c), why);
    end_conn(t, c);
}

/* When a connection that is between requests is dropped for silence:
 * HELLO is due soon after connecting, a request within the idle timeout
 * after that. 0: never (a begun request or an answer has its own deadline). */
static uint64_t idle_deadline(const stsafe_server *s, const server_conn *c)
{
    uint32_t limit = c->sess.hello_done ? s->cfg.idle_timeout_ms : s->cfg.hello_timeout_ms;
    if (c->fd < 0 || c->have || c->out_len || limit == STSAFE_SERVER_NO_TIMEOUT)
        return 0;
    return c->idle_since_ms + limit;
}

/* A whole request, or an impossible length prefix, is buffered. */
static int request_whole(const server_conn *c)
{
    if (c->have < STSAFE_SOCK_LEN_SIZE)
        return 0;
    uint32_t len = stsafe_sock_get_u32(c->in);
    return len == 0 || len > STSAFE_SOCK_MAX_BODY || c->have >= STSAFE_SOCK_LEN_SIZE + len;
}

/* The answer has been taken: the connection goes on, or ends as its answer said. */
static int answer_taken(const stsafe_server *s, conn_table *t, server_conn *c)
{
    const uint8_t *ans = c->out + STSAFE_SOCK_LEN_SIZE;
    size_t ans_len = c->out_len - STSAFE_SOCK_LEN_SIZE;
    c->out_len = c->out_sent = 0;
    c->tx_deadline_ms = 0;
    if (c->end == END_ERROR) {
        drop(s, t, c, "%s: %.*s", stsafe_sock_status_name(ans[1]), (int)(ans_len - 2),
             (const char *)ans + 2);
        return -1;
    }
    if (c->end == END_STOPPING) {
        client_log(s, t, "client %llu closed: the server is stopping", cid(c));
        end_conn(t, c);
        return -1;
    }
    return 0;
}

/* Sends what is left of the answer without blocking: 0 while the
 * connection lives (the answer may still be pending), -1 when it ended. */
static int flush_answer(const stsafe_server *s, conn_table *t, server_conn *c)
{
    while (c->out_sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c->tx_deadline_ms)
                c->tx_deadline_ms = mono_ms() + s->cfg.frame_timeout_ms;
            return 0; /* poll says when the client takes more */
        }
        if (n <= 0) {
            drop(s, t, c, "send failed: %s", strerror(errno));
            return -1;
        }
        c->out_sent += (size_t)n;
    }
    return answer_taken(s, t, c);
}

/* "hex..." of at most 32 bytes for verbose lines. */
static void hex_preview(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t shown = n < 32 ? n : 32, k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < shown && k + 3 < cap; i++, k += 2)
        snprintf(out + k, cap - k, "%02x", p[i]);
    if (shown < n && k + 4 < cap)
        snprintf(out + k, cap - k, "...");
}

/* The preview of \p n bytes with the secret bytes \p r replaced as a trace
 * does (stsafe/trace/redact.h): --verbose logs no key, password or plaintext. */
static void redacted_preview(const uint8_t *p, size_t n, stsafe_trace_range r, char *out, size_t cap)
{
    uint8_t shown[33];
    size_t k = n < sizeof shown ? n : sizeof shown;
    if (k)
        memcpy(shown, p, k);
    size_t hidden = stsafe_trace_redact_apply(r, shown, k);
    hex_preview(shown, n, out, cap); /* its first 32 bytes: from shown[] */
    if (hidden || r.len)
        (void)snprintf(out + strlen(out), cap - strlen(out), " (redacted)");
}

static void log_answer(const stsafe_server *s, const server_conn *c, const char *req,
                       const uint8_t *ans, size_t ans_len)
{
    char rsp[96];
    stsafe_trace_range r = {0, 0};
    if (ans_len > 2 && ans[1] == 0x00 &&
        (ans[0] == STSAFE_SOCK_OP_I2C_READ || ans[0] == STSAFE_SOCK_OP_COMMAND))
        r = stsafe_trace_redact_response(c->cmd_header, ans + 2, ans_len - 2);
    redacted_preview(ans + 2, ans_len - 2, r, rsp, sizeof rsp);
    stsafe_server_log(s, "client %llu: %s -> %s%s%s", cid(c), req, stsafe_sock_status_name(ans[1]),
                      rsp[0] ? " " : "", rsp);
}

/* "op hex-args" of a request, for verbose lines; a command's secret bytes
 * are replaced, and its header kept for the answer's. */
static void request_text(server_conn *c, const uint8_t *body, size_t len, char *out, size_t cap)
{
    char args[96];
    stsafe_trace_range r = {0, 0};
    if (len > 2 && (body[0] == STSAFE_SOCK_OP_I2C_WRITE || body[0] == STSAFE_SOCK_OP_COMMAND)) {
        c->cmd_header = body[2];
        r = stsafe_trace_redact_command(body + 2, len - 2);
        if (r.len)
            r.off += 1u; /* in the arguments: after the address byte */
    }
    redacted_preview(body + 1, len - 1, r, args, sizeof args);
    (void)snprintf(out, cap, "%s%s%s", stsafe_sock_op_name(body[0]), args[0] ? " " : "", args);
}

/* Starts sending the answer in out[] (ans_len bytes after the length); the
 * change it acknowledges was saved by stsafe_server_handle(). 0 while the
 * connection lives, -1 when it ended. */
static int send_answer(stsafe_server *s, conn_table *t, server_conn *c, uint8_t st, size_t ans_len)
{
    c->idle_since_ms = mono_ms(); /* answered: the idle timeout starts again */
    if (s->failure) {
        const stsafe_server_device *d = &s->slots[s->failed_slot].dev;
        stsafe_server_log(s, "device '%s' failed: %s; the server stops", d->ops->name(d->ctx),
                          s->failure);
    }
    if (s->cfg.verbose && !STSAFE_SOCK_ST_CLOSES(st))
        log_answer(s, c, c->req_text, c->out + STSAFE_SOCK_LEN_SIZE, ans_len);
    stsafe_sock_put_u32(c->out, (uint32_t)ans_len);
    c->out_len = STSAFE_SOCK_LEN_SIZE + ans_len;
    c->out_sent = 0;
    c->end = STSAFE_SOCK_ST_CLOSES(st) ? END_ERROR : s->failure ? END_STOPPING : END_NONE;
    return flush_answer(s, t, c);
}

/* Answers the first buffered request (an impossible length prefix is
 * answered ERR_LENGTH by the handler) and starts sending the answer; a
 * COMMAND under real timing is left pending instead (finish_command()).
 * 0 while the connection lives, -1 when it ended. */
static int answer_request(stsafe_server *s, conn_table *t, server_conn *c)
{
    size_t len = stsafe_sock_get_u32(c->in), ans_len = 0;
    const uint8_t *body = c->in + STSAFE_SOCK_LEN_SIZE;
    uint8_t *ans = c->out + STSAFE_SOCK_LEN_SIZE;
    uint8_t st = stsafe_server_handle(s, &c->sess, body, len, ans, &ans_len);
    if (s->cfg.verbose && len >= 1 && len <= STSAFE_SOCK_MAX_BODY)
        request_text(c, body, len, c->req_text, sizeof c->req_text);
    if (!STSAFE_SOCK_ST_CLOSES(st)) {
        c->have -= STSAFE_SOCK_LEN_SIZE + len;
        memmove(c->in, c->in + STSAFE_SOCK_LEN_SIZE + len, c->have);
    }
    c->rx_deadline_ms = 0; /* the next request's wait starts when it is waited for */
    if (st == STSAFE_SERVER_ST_PENDING)
        return 0; /* the command ran at its write (and was saved then): finish_command() answers */
    return send_answer(s, t, c, st, ans_len);
}

/* A pending COMMAND whose chip is done: its answer. */
static int finish_command(stsafe_server *s, conn_table *t, server_conn *c)
{
    size_t ans_len = 0;
    uint8_t st = stsafe_server_command_finish(s, &c->sess, c->out + STSAFE_SOCK_LEN_SIZE, &ans_len);
    return send_answer(s, t, c, st, ans_len);
}

/* Reads what has arrived: 0 with bytes added, 1 when nothing arrived
 * (soon enough to spin for), -1 when the connection ended. */
static int receive(const stsafe_server *s, conn_table *t, server_conn *c)
{
    ssize_t n = stsafe_sock_recv_spin(c->fd, c->in + c->have, sizeof c->in - c->have);
    if (n < 0 && errno == EAGAIN) {
        if (c->have && !c->rx_deadline_ms)
            c->rx_deadline_ms = mono_ms() + s->cfg.frame_timeout_ms;
        return 1;
    }
    if (n < 0) {
        drop(s, t, c, "read error: %s", strerror(errno));
        return -1;
    }
    if (n == 0 && c->have) {
        drop(s, t, c, "disconnected mid-request (%zu bytes of a request received)", c->have);
        return -1;
    }
    if (n == 0) {
        client_log(s, t, "client %llu disconnected after %llu requests", cid(c),
                   (unsigned long long)c->sess.requests);
        end_conn(t, c);
        return -1;
    }
    c->have += (size_t)n;
    c->idle_since_ms = mono_ms();
    return 0;
}

/* One connection's turn: the rest of a pending answer, then the requests it
 * sent, reading as they arrive (a client that answers at once sends its
 * next request within the receive's short spin), until it would block,
 * has had STSAFE_SERVER_TURN_REQUESTS answers, or ends. */
static void serve_turn(stsafe_server *s, conn_table *t, server_conn *c)
{
    if (c->sess.command_ready_us) /* a COMMAND waits for its chip: finish_due() */
        return;
    if (c->out_len && flush_answer(s, t, c) != 0)
        return;
    unsigned answered = 0;
    while (!c->out_len && !c->sess.command_ready_us && answered < STSAFE_SERVER_TURN_REQUESTS &&
           !stsafe_server_stopping(s)) {
        if (request_whole(c)) {
            if (answer_request(s, t, c) != 0)
                return;
            answered++;
        } else if (receive(s, t, c) != 0) {
            return;
        }
    }
}

static void accept_one(stsafe_server *s, conn_table *t)
{
    int fd = accept(s->listen_fd, NULL, NULL);
    if (fd < 0) {
        if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN && errno != EWOULDBLOCK)
            stsafe_server_log(s, "accept failed: %s", strerror(errno));
        return;
    }
    if (s->addr.family != AF_UNIX) {
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    server_conn *c = t->conns;
    while (c->fd >= 0) /* a free entry exists: the socket is polled only then */
        c++;
    memset(c, 0, offsetof(server_conn, in));
    c->fd = fd;
    c->id = ++s->clients;
    c->idle_since_ms = mono_ms();
    t->active++;
    client_log(s, t, "client %llu connected", cid(c));
}

/* A connection with a request to answer now, without waiting for the socket. */
static int ready_now(const server_conn *c)
{
    return c->fd >= 0 && !c->out_len && !c->sess.command_ready_us && request_whole(c);
}

/* Answers the pending COMMANDs whose chip is done. */
static void finish_due(stsafe_server *s, conn_table *t)
{
    uint64_t now = mono_us();
    for (size_t i = 0; i < t->max && !stsafe_server_stopping(s); i++) {
        server_conn *c = &t->conns[i];
        if (c->fd >= 0 && c->sess.command_ready_us && c->sess.command_ready_us <= now)
            (void)finish_command(s, t, c);
    }
}

/* Until the next tick of the stop flag or the first deadline; 0 when a
 * buffered request waits. */
static int poll_timeout(const stsafe_server *s, const conn_table *t)
{
    uint64_t now = mono_ms(), wait = STSAFE_SERVER_POLL_TICK_MS;
    for (size_t i = 0; i < t->max; i++) {
        const server_conn *c = &t->conns[i];
        if (ready_now(c))
            return 0;
        if (c->fd >= 0 && c->sess.command_ready_us) { /* round up: never wake too early */
            uint64_t us = mono_us();
            uint64_t due = c->sess.command_ready_us <= us ? 0 : (c->sess.command_ready_us - us + 999) / 1000;
            wait = due < wait ? due : wait;
            continue;
        }
        uint64_t d = c->fd < 0 ? 0 : c->out_len ? c->tx_deadline_ms : c->rx_deadline_ms;
        uint64_t idle = idle_deadline(s, c);
        if (!d || (idle && idle < d))
            d = idle;
        if (d)
            wait = d <= now ? 0 : d - now < wait ? d - now : wait;
    }
    return (int)wait;
}

/* Drops the connections that stalled mid-request, left an answer unread
 * too long, or stayed silent past the hello or idle timeout. */
static void check_deadlines(const stsafe_server *s, conn_table *t)
{
    uint64_t now = mono_ms();
    for (size_t i = 0; i < t->max; i++) {
        server_conn *c = &t->conns[i];
        if (c->fd < 0)
            continue;
        if (c->out_len && c->tx_deadline_ms && now >= c->tx_deadline_ms)
            drop(s, t, c, "send failed: the answer was left unread for %u ms",
                 (unsigned)s->cfg.frame_timeout_ms);
        else if (!c->out_len && c->rx_deadline_ms && now >= c->rx_deadline_ms)
            drop(s, t, c, "stalled mid-request for %u ms (%zu bytes received)",
                 (unsigned)s->cfg.frame_timeout_ms, c->have);
        else if (idle_deadline(s, c) && now >= idle_deadline(s, c) && !c->sess.hello_done)
            drop(s, t, c, "no HELLO within %u ms of connecting (the hello timeout)",
                 (unsigned)s->cfg.hello_timeout_ms);
        else if (idle_deadline(s, c) && now >= idle_deadline(s, c))
            drop(s, t, c, "idle for %u ms without a request (--idle-timeout)",
                 (unsigned)s->cfg.idle_timeout_ms);
    }
}

/* One poll over the listening socket (while there is room) and every
 * connection, then a turn for each one that has something to do. */
static void serve_round(stsafe_server *s, conn_table *t)
{
    size_t n = 0;
    int listening = t->active < t->max;
    if (listening)
        t->pfd[n++] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
    for (size_t i = 0; i < t->max; i++) {
        const server_conn *c = &t->conns[i];
        if (c->fd >= 0)
            t->pfd[n++] = (struct pollfd){.fd = c->sess.command_ready_us ? -1 : c->fd, .events = c->out_len ? POLLOUT : POLLIN}; /* -1: not polled while its COMMAND waits */
    }
    int rc = poll(t->pfd, (nfds_t)n, poll_timeout(s, t));
    if (rc < 0 && errno != EINTR)
        stsafe_server_log(s, "poll failed: %s", strerror(errno));
    if (t->window_held && mono_ms() >= t->window_end_ms)
        end_log_window(s, t, mono_ms());
    finish_due(s, t);
    size_t k = listening ? 1 : 0;
    for (size_t i = 0; i < t->max && !stsafe_server_stopping(s); i++) {
        server_conn *c = &t->conns[i];
        if (c->fd < 0)
            continue;
        int ev = rc > 0 && t->pfd[k].revents != 0;
        k++;
        if (ev || ready_now(c))
            serve_turn(s, t, c);
    }
    if (listening && rc > 0 && (t->pfd[0].revents & POLLIN) && !stsafe_server_stopping(s))
        accept_one(s, t);
    check_deadlines(s, t);
}

int stsafe_server_serve(stsafe_server *s)
{
    conn_table t = {.max = s->cfg.max_clients};
    t.conns = calloc(t.max, sizeof *t.conns);
    t.pfd = calloc(t.max + 1, sizeof *t.pfd);
    if (!t.conns || !t.pfd) {
        free(t.conns);
        free(t.pfd);
        return STSAFE_ERR_ALLOC;
    }
    t.window_start_ms = mono_ms();
    t.window_end_ms = t.window_start_ms + s->cfg.log_window_ms;
    for (size_t i = 0; i < t.max; i++)
        t.conns[i].fd = -1;
    while (!stsafe_server_stopping(s))
        serve_round(s, &t);
    for (size_t i = 0; i < t.max; i++) {
        if (t.conns[i].fd < 0)
            continue;
        client_log(s, &t, "client %llu closed: the server is stopping", cid(&t.conns[i]));
        end_conn(&t, &t.conns[i]);
    }
    end_log_window(s, &t, mono_ms());
    free(t.conns);
    free(t.pfd);
    return 0;
}
