/* `stsafe-emu serve`: the chip image behind a socket. Listening, one client
 * at a time, message framing, dropping broken clients, saving the image.
 * What a request does is server_ops.c. */
#include "stsafe/server.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "stsafe/chip_device.h"
#include "stsafe/error.h"

/* One connection: its socket and the bytes received so far. */
typedef struct {
    int fd;
    uint64_t id;
    stsafe_server_session sess;
    size_t have;
    uint8_t in[STSAFE_SOCK_MAX_MSG];
    uint8_t out[STSAFE_SOCK_MAX_MSG];
} server_conn;

/* What waiting for a request ended with. */
typedef enum {
    RX_MESSAGE,     /* a whole request, or an impossible length prefix, is in conn.in */
    RX_CLOSED,      /* the client closed between requests */
    RX_DROPPED,     /* mid-request disconnect, stall or read error (reason in text) */
    RX_STOP,        /* the stop flag was set */
    RX_READY        /* (within receive_request) bytes can be read */
} rx_result;

static void server_log(const stsafe_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void server_log(const stsafe_server *s, const char *fmt, ...)
{
    FILE *f = s->cfg.log ? s->cfg.log : stderr;
    va_list ap;
    fputs("stsafe-emu serve: ", f);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fflush(f);
}

/* The stop flag is set, or a device failed for good. */
static int stop_requested(const stsafe_server *s)
{
    return s->failure || (s->cfg.stop && atomic_load(s->cfg.stop) != 0);
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Waits until \p fd is readable: 1; 0 when the stop flag is set; -1 when
 * \p deadline_ms (0: none) has passed. */
static int wait_readable(const stsafe_server *s, int fd, uint64_t deadline_ms)
{
    for (;;) {
        if (stop_requested(s))
            return 0;
        int timeout = (int)STSAFE_SERVER_POLL_TICK_MS;
        if (deadline_ms) {
            uint64_t now = mono_ms();
            if (now >= deadline_ms)
                return -1;
            if (deadline_ms - now < STSAFE_SERVER_POLL_TICK_MS)
                timeout = (int)(deadline_ms - now);
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, timeout);
        if (n > 0 || (n < 0 && errno != EINTR))
            return 1; /* a poll error shows again in recv/accept */
    }
}

/* ---- listening ------------------------------------------------------------- */

/* A unix socket file nobody listens on any more (connect is refused). */
static int stale_unix_socket(const stsafe_sock_addr *a)
{
    struct stat st;
    const char *path = ((const struct sockaddr_un *)&a->ss)->sun_path;
    if (lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode))
        return 0;
    int fd = -1;
    if (stsafe_sock_connect(a, &fd) == 0) {
        close(fd);
        return 0;
    }
    return errno == ECONNREFUSED;
}

static int bind_address(stsafe_server *s, int fd)
{
    const struct sockaddr *sa = (const struct sockaddr *)&s->addr.ss;
    if (bind(fd, sa, s->addr.len) == 0)
        return 0;
    int e = errno;
    if (e != EADDRINUSE || s->addr.family != AF_UNIX || !stale_unix_socket(&s->addr)) {
        errno = e; /* not what looking at a stale socket left there */
        return STSAFE_ERR_IO;
    }
    unlink(((const struct sockaddr_un *)&s->addr.ss)->sun_path);
    return bind(fd, sa, s->addr.len) == 0 ? 0 : STSAFE_ERR_IO;
}

/* Binds and listens; fills s->address with the address really bound. */
static int server_listen(stsafe_server *s)
{
    int fd = socket(s->addr.family, SOCK_STREAM, 0);
    if (fd < 0)
        return STSAFE_ERR_IO;
    int one = 1;
    if (s->addr.family != AF_UNIX)
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int err = bind_address(s, fd);
    if (!err && listen(fd, 16) != 0)
        err = STSAFE_ERR_IO;
    s->addr.len = (socklen_t)sizeof s->addr.ss;
    if (!err && getsockname(fd, (struct sockaddr *)&s->addr.ss, &s->addr.len) != 0)
        err = STSAFE_ERR_IO;
    if (err) {
        int saved = errno;
        close(fd);
        errno = saved;
        return err;
    }
    s->listen_fd = fd;
    s->bound_unix = s->addr.family == AF_UNIX;
    return stsafe_sock_addr_format(&s->addr, s->address, sizeof s->address);
}

/* ---- set-up ------------------------------------------------------------------ */

static int check_config(const stsafe_server_config *cfg)
{
    if (!cfg || !cfg->listen || (cfg->seed_len && !cfg->seed))
        return STSAFE_ERR_BAD_INPUT;
    if (!cfg->image_path == !cfg->devices || (cfg->devices && cfg->device_count != 1))
        return STSAFE_ERR_BAD_INPUT;
    for (size_t i = 0; cfg->devices && i < cfg->device_count; i++) {
        const stsafe_server_device_ops *ops = cfg->devices[i].ops;
        if (!ops || !ops->i2c_write || !ops->i2c_read || !ops->address || !ops->name)
            return STSAFE_ERR_BAD_INPUT;
    }
    if (cfg->timing != STSE_EMU_TIMING_NONE && cfg->timing != STSE_EMU_TIMING_DATASHEET &&
        cfg->timing != STSE_EMU_TIMING_REAL)
        return STSAFE_ERR_BAD_INPUT;
    return 0;
}

/* "reason" of an error, with errno's words when the OS said why. */
static void log_failure(const stsafe_server *s, const char *what, const char *arg, int err)
{
    int e = errno;
    server_log(s, "%s '%s': %s%s%s", what, arg, stsafe_strerror(err), err == STSAFE_ERR_IO ? ": " : "",
               err == STSAFE_ERR_IO ? strerror(e) : "");
    errno = e;
}

static int seed_rng(stsafe_server *s)
{
    const stsafe_server_config *cfg = &s->cfg;
    int err = cfg->seed ? stsafe_rng_init_deterministic(&s->rng, cfg->seed, cfg->seed_len)
                        : stsafe_rng_init(&s->rng, "stsafe-emu serve");
    if (err)
        server_log(s, "cannot seed the random generator");
    else
        s->rng_ready = 1;
    return err;
}

/* The server's own chip, loaded from cfg.image_path. */
static int load_chip(stsafe_server *s)
{
    int err = seed_rng(s);
    if (err)
        return err;
    s->chips = calloc(1, sizeof *s->chips);
    if (!s->chips)
        return STSAFE_ERR_ALLOC;
    err = stsafe_chip_device_load(s->chips, s->cfg.image_path, s->cfg.timing, stsafe_rng_fn, &s->rng);
    if (err) {
        log_failure(s, "cannot load image", s->cfg.image_path, err);
        return err;
    }
    s->chip_count = 1;
    return 0;
}

/* One slot per device: the server's chips, or the caller's devices. */
static int make_slots(stsafe_server *s)
{
    size_t n = s->cfg.devices ? s->cfg.device_count : s->chip_count;
    s->slots = calloc(n, sizeof *s->slots);
    if (!s->slots)
        return STSAFE_ERR_ALLOC;
    for (size_t i = 0; i < n; i++)
        s->slots[i].dev = s->cfg.devices ? s->cfg.devices[i] : stsafe_chip_device_handle(&s->chips[i]);
    s->slot_count = n;
    return 0;
}

int stsafe_server_init(stsafe_server *s, const stsafe_server_config *cfg)
{
    if (!s)
        return STSAFE_ERR_BAD_INPUT;
    memset(s, 0, sizeof *s);
    s->listen_fd = -1;
    int err = check_config(cfg);
    if (err)
        return err;
    s->cfg = *cfg;
    if (!s->cfg.frame_timeout_ms)
        s->cfg.frame_timeout_ms = STSAFE_SERVER_FRAME_TIMEOUT_MS;
    err = stsafe_sock_addr_parse(cfg->listen, &s->addr);
    if (err) {
        log_failure(s, "cannot use the address", cfg->listen, err);
        return err;
    }
    if (cfg->image_path)
        err = load_chip(s);
    if (!err)
        err = make_slots(s);
    if (!err && (err = server_listen(s)) != 0)
        log_failure(s, "cannot listen on", cfg->listen, err);
    if (err) {
        int saved = errno;
        stsafe_server_free(s);
        errno = saved;
    }
    return err;
}

void stsafe_server_free(stsafe_server *s)
{
    if (!s)
        return;
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->bound_unix)
        unlink(((const struct sockaddr_un *)&s->addr.ss)->sun_path);
    for (size_t i = 0; i < s->chip_count; i++)
        stsafe_chip_device_free(&s->chips[i]);
    free(s->chips);
    free(s->slots);
    if (s->rng_ready)
        stsafe_rng_free(&s->rng);
    memset(s, 0, sizeof *s);
    s->listen_fd = -1;
}

/* ---- saving ----------------------------------------------------------------- */

/* Saves one device; a failure is logged, and retried after the next change
 * and when the server stops. */
static int save_device(const stsafe_server *s, const stsafe_server_slot *slot)
{
    const stsafe_server_device *d = &slot->dev;
    int err = d->ops->save(d->ctx);
    if (err) {
        int e = errno;
        server_log(s, "cannot save image '%s': %s: %s", d->ops->name(d->ctx), stsafe_strerror(err),
                   strerror(e));
        errno = e;
    }
    return err;
}

/* Saves every device whose saved state the last request changed. */
static void save_changed(const stsafe_server *s)
{
    for (size_t i = 0; i < s->slot_count; i++) {
        const stsafe_server_device *d = &s->slots[i].dev;
        if (!d->ops->save || !d->ops->dirty || !d->ops->dirty(d->ctx))
            continue;
        if (save_device(s, &s->slots[i]) == 0 && s->cfg.verbose)
            server_log(s, "image saved to '%s'", d->ops->name(d->ctx));
    }
}

/* At the end: every device that saves, changed or not (the files left
 * behind are the devices at exit). The first error is returned. */
static int save_all(const stsafe_server *s)
{
    int first = 0;
    for (size_t i = 0; i < s->slot_count; i++) {
        const stsafe_server_device *d = &s->slots[i].dev;
        if (!d->ops->save)
            continue;
        int err = save_device(s, &s->slots[i]);
        if (!err)
            server_log(s, "stopped; image saved to '%s'", d->ops->name(d->ctx));
        else if (!first)
            first = err;
    }
    return first;
}

/* ---- one connection ---------------------------------------------------------- */

/* Nothing has arrived: sleeps until something does (RX_READY), the stop
 * flag is set, or a request begun long ago is still not whole. */
static rx_result wait_for_bytes(stsafe_server *s, server_conn *c, uint64_t *deadline, char *why,
                                size_t cap)
{
    if (c->have && !*deadline)
        *deadline = mono_ms() + s->cfg.frame_timeout_ms;
    int w = wait_readable(s, c->fd, c->have ? *deadline : 0);
    if (w == 0)
        return RX_STOP;
    if (w < 0) {
        snprintf(why, cap, "stalled mid-request for %u ms (%zu bytes received)",
                 (unsigned)s->cfg.frame_timeout_ms, c->have);
        return RX_DROPPED;
    }
    return RX_READY;
}

/* Receives until a whole request is buffered; \p why gets the reason of RX_DROPPED. */
static rx_result receive_request(stsafe_server *s, server_conn *c, char *why, size_t cap)
{
    uint64_t deadline = 0;
    for (;;) {
        if (c->have >= STSAFE_SOCK_LEN_SIZE) {
            uint32_t len = stsafe_sock_get_u32(c->in);
            if (len == 0 || len > STSAFE_SOCK_MAX_BODY || c->have >= STSAFE_SOCK_LEN_SIZE + len)
                return RX_MESSAGE;
        }
        if (stop_requested(s))
            return RX_STOP;
        ssize_t n = stsafe_sock_recv_spin(c->fd, c->in + c->have, sizeof c->in - c->have);
        if (n < 0 && errno == EAGAIN) {
            rx_result r = wait_for_bytes(s, c, &deadline, why, cap);
            if (r != RX_READY)
                return r;
            continue;
        }
        if (n < 0) {
            snprintf(why, cap, "read error: %s", strerror(errno));
            return RX_DROPPED;
        }
        if (n == 0 && !c->have)
            return RX_CLOSED;
        if (n == 0) {
            snprintf(why, cap, "disconnected mid-request (%zu bytes of a request received)", c->have);
            return RX_DROPPED;
        }
        c->have += (size_t)n;
    }
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

static void log_request(const stsafe_server *s, const server_conn *c, const uint8_t *body,
                        size_t len, const uint8_t *ans, size_t ans_len)
{
    char req[80], rsp[80];
    hex_preview(body + 1, len - 1, req, sizeof req);
    hex_preview(ans + 2, ans_len - 2, rsp, sizeof rsp);
    server_log(s, "client %llu: %s%s%s -> %s%s%s", (unsigned long long)c->id,
               stsafe_sock_op_name(body[0]), req[0] ? " " : "", req,
               stsafe_sock_status_name(ans[1]), rsp[0] ? " " : "", rsp);
}

/* Answers the buffered request; 0 to go on, -1 when the connection ends.
 * An impossible length prefix is answered ERR_LENGTH by the handler. */
static int answer_request(stsafe_server *s, server_conn *c)
{
    size_t len = stsafe_sock_get_u32(c->in), ans_len = 0;
    const uint8_t *body = c->in + STSAFE_SOCK_LEN_SIZE;
    uint8_t *ans = c->out + STSAFE_SOCK_LEN_SIZE;
    uint8_t st = stsafe_server_handle(s, &c->sess, body, len, ans, &ans_len);
    save_changed(s); /* before the answer: an ACKed change is on disk */
    if (s->failure) {
        const stsafe_server_device *d = &s->slots[s->failed_slot].dev;
        server_log(s, "device '%s' failed: %s; the server stops", d->ops->name(d->ctx), s->failure);
    }
    if (s->cfg.verbose && !STSAFE_SOCK_ST_CLOSES(st))
        log_request(s, c, body, len, ans, ans_len);
    stsafe_sock_put_u32(c->out, (uint32_t)ans_len);
    if (stsafe_sock_send_all(c->fd, c->out, STSAFE_SOCK_LEN_SIZE + ans_len) != 0) {
        server_log(s, "client %llu dropped: send failed: %s", (unsigned long long)c->id,
                   strerror(errno));
        return -1;
    }
    if (STSAFE_SOCK_ST_CLOSES(st)) {
        server_log(s, "client %llu dropped: %s: %.*s", (unsigned long long)c->id,
                   stsafe_sock_status_name(st), (int)(ans_len - 2), (const char *)ans + 2);
        return -1;
    }
    if (s->failure) {
        server_log(s, "client %llu closed: the server is stopping", (unsigned long long)c->id);
        return -1;
    }
    c->have -= STSAFE_SOCK_LEN_SIZE + len;
    memmove(c->in, c->in + STSAFE_SOCK_LEN_SIZE + len, c->have);
    return 0;
}

static void serve_client(stsafe_server *s, server_conn *c)
{
    char why[128];
    server_log(s, "client %llu connected", (unsigned long long)c->id);
    for (;;) {
        rx_result r = receive_request(s, c, why, sizeof why);
        if (r == RX_MESSAGE && answer_request(s, c) == 0)
            continue;
        if (r == RX_CLOSED)
            server_log(s, "client %llu disconnected after %llu requests", (unsigned long long)c->id,
                       (unsigned long long)c->sess.requests);
        else if (r == RX_DROPPED)
            server_log(s, "client %llu dropped: %s", (unsigned long long)c->id, why);
        else if (r == RX_STOP)
            server_log(s, "client %llu closed: the server is stopping", (unsigned long long)c->id);
        return;
    }
}

/* ---- the accept loop ------------------------------------------------------------ */

/* A client that stops reading its answers cannot hold the server (and every
 * client after it) in send() for longer than a stalled request may last. */
static void tune_client_socket(const stsafe_server *s, int fd)
{
    struct timeval tv = {.tv_sec = (time_t)(s->cfg.frame_timeout_ms / 1000u),
                         .tv_usec = (suseconds_t)(s->cfg.frame_timeout_ms % 1000u) * 1000};
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (s->addr.family != AF_UNIX) {
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
}

static void accept_one(stsafe_server *s, server_conn *c)
{
    int fd = accept(s->listen_fd, NULL, NULL);
    if (fd < 0) {
        if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN)
            server_log(s, "accept failed: %s", strerror(errno));
        return;
    }
    tune_client_socket(s, fd);
    memset(&c->sess, 0, sizeof c->sess);
    c->fd = fd;
    c->id = ++s->clients;
    c->have = 0;
    serve_client(s, c);
    close(fd);
}

static const char *timing_name(stse_emu_timing t)
{
    return t == STSE_EMU_TIMING_REAL ? "real"
           : t == STSE_EMU_TIMING_DATASHEET ? "datasheet" : "none";
}

/* What the server serves, for its first log line. */
static void describe(const stsafe_server *s, char *out, size_t cap)
{
    const stsafe_server_device *d = &s->slots[0].dev;
    if (s->cfg.image_path)
        snprintf(out, cap, "image '%s'", s->cfg.image_path);
    else
        snprintf(out, cap, "device '%s'", d->ops->name(d->ctx));
}

int stsafe_server_run(stsafe_server *s)
{
    server_conn c;
    char what[300];
    if (!s || s->listen_fd < 0)
        return STSAFE_ERR_BAD_INPUT;
    describe(s, what, sizeof what);
    server_log(s, "listening on %s (%s, timing %s)", s->address, what, timing_name(s->cfg.timing));
    while (wait_readable(s, s->listen_fd, 0) == 1)
        accept_one(s, &c);
    int err = save_all(s);
    return s->failure ? STSAFE_ERR_DEVICE_FAILED : err;
}
