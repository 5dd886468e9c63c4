/* SPDX-License-Identifier: BSD-3-Clause */
/* `stsafe-emu serve`: set-up and shutdown. Loading the chip, the fleet or
 * taking the caller's devices, listening, saving. The connections are
 * server_conn.c; what a request does is server_ops.c. */
#include "server_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "stsafe/server/chip_device.h"
#include "stsafe/protocol/error.h"

void stsafe_server_log(const stsafe_server *s, const char *fmt, ...)
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

int stsafe_server_stopping(const stsafe_server *s)
{
    return s->failure || (s->cfg.stop && atomic_load(s->cfg.stop) != 0);
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

/* bind() with the umask that makes a unix socket file 0600 from its
 * creation (a socket file cannot be fchmod-ed before bind); the caller's
 * umask is put back at once. The umask is per process: the server does this
 * once, at start, before any thread of its own runs. */
static int bind_private(stsafe_server *s, int fd, const struct sockaddr *sa)
{
    mode_t old = s->addr.family == AF_UNIX ? umask(0177) : 0;
    int rc = bind(fd, sa, s->addr.len);
    int e = errno;
    if (s->addr.family == AF_UNIX)
        umask(old);
    errno = e;
    return rc;
}

static int bind_address(stsafe_server *s, int fd)
{
    const struct sockaddr *sa = (const struct sockaddr *)&s->addr.ss;
    if (bind_private(s, fd, sa) == 0)
        return 0;
    int e = errno;
    if (e != EADDRINUSE || s->addr.family != AF_UNIX || !stale_unix_socket(&s->addr)) {
        errno = e; /* not what looking at a stale socket left there */
        return STSAFE_ERR_IO;
    }
    unlink(((const struct sockaddr_un *)&s->addr.ss)->sun_path);
    return bind_private(s, fd, sa) == 0 ? 0 : STSAFE_ERR_IO;
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
    if (!err && s->addr.family == AF_UNIX && s->cfg.socket_mode && s->cfg.socket_mode != 0600 &&
        chmod(((const struct sockaddr_un *)&s->addr.ss)->sun_path, (mode_t)s->cfg.socket_mode) != 0)
    {
        err = STSAFE_ERR_IO; /* widened on request (--socket-mode) */
        unlink(((const struct sockaddr_un *)&s->addr.ss)->sun_path);
    }
    if (!err && listen(fd, 16) != 0)
        err = STSAFE_ERR_IO;
    if (!err && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0)
        err = STSAFE_ERR_IO; /* a client gone between poll and accept must not block */
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
    err = stsafe_sock_addr_format(&s->addr, s->address, sizeof s->address);
    for (size_t i = 0; !err && i < s->chip_count; i++) /* who holds an image says where */
        stsafe_emu_image_lock_address(&s->chips[i].lock, s->address);
    if (!err)
        stsafe_emu_image_lock_address(&s->folder_lock, s->address);
    return err;
}

/* ---- set-up ------------------------------------------------------------------ */

/* Exactly one of an image, a fleet and the caller's devices. */
static int check_source(const stsafe_server_config *cfg)
{
    if ((cfg->image_path != NULL) + (cfg->image_dir != NULL) + (cfg->devices != NULL) != 1)
        return STSAFE_ERR_BAD_INPUT;
    if (cfg->image_dir && (cfg->fleet == 0 || cfg->fleet > STSAFE_SERVER_MAX_FLEET))
        return STSAFE_ERR_BAD_INPUT;
    if (cfg->devices && (cfg->device_count == 0 || cfg->device_count > STSAFE_SERVER_MAX_FLEET))
        return STSAFE_ERR_BAD_INPUT;
    for (size_t i = 0; cfg->devices && i < cfg->device_count; i++) {
        const stsafe_server_device_ops *ops = cfg->devices[i].ops;
        if (!ops || !ops->i2c_write || !ops->i2c_read || !ops->address || !ops->name)
            return STSAFE_ERR_BAD_INPUT;
    }
    return 0;
}

static int check_config(const stsafe_server_config *cfg)
{
    if (!cfg || !cfg->listen || (cfg->seed_len && !cfg->seed) || check_source(cfg) != 0)
        return STSAFE_ERR_BAD_INPUT;
    if (cfg->socket_mode > 0777)
        return STSAFE_ERR_BAD_INPUT;
    if (cfg->timing != STSAFE_EMU_TIMING_NONE && cfg->timing != STSAFE_EMU_TIMING_DATASHEET &&
        cfg->timing != STSAFE_EMU_TIMING_REAL)
        return STSAFE_ERR_BAD_INPUT;
    if (cfg->clock != STSAFE_SERVER_CLOCK_HOST && cfg->clock != STSAFE_SERVER_CLOCK_NACKS)
        return STSAFE_ERR_BAD_INPUT;
    if (cfg->timing_profile != STSAFE_EMU_PROFILE_MINIMUM &&
        cfg->timing_profile != STSAFE_EMU_PROFILE_OBSERVED)
        return STSAFE_ERR_BAD_INPUT;
    if (cfg->timing_spread_pct < STSAFE_SERVER_SPREAD_OFF ||
        cfg->timing_spread_pct > STSAFE_SERVER_MAX_SPREAD)
        return STSAFE_ERR_BAD_INPUT;
    return 0;
}

/* "reason" of an error, with errno's words when the OS said why. */
static void log_failure(const stsafe_server *s, const char *what, const char *arg, int err)
{
    int e = errno;
    stsafe_server_log(s, "%s '%s': %s%s%s", what, arg, stsafe_strerror(err),
                      err == STSAFE_ERR_IO ? ": " : "", err == STSAFE_ERR_IO ? strerror(e) : "");
    errno = e;
}

/* An image (or a fleet's folder) that would not load; one in use says by
 * whom and where. */
static void log_locked_failure(const stsafe_server *s, const stsafe_emu_image_lock *l, const char *path,
                               int err)
{
    if (err != STSAFE_ERR_IMAGE_LOCKED)
        log_failure(s, "cannot load image", path, err);
    else if (l->holder_pid && l->address[0])
        stsafe_server_log(s, "%s is in use by PID %ld (%s); talk to it with --bus %s", path, l->holder_pid,
                          l->holder, l->address);
    else if (l->holder_pid)
        stsafe_server_log(s, "%s is in use by PID %ld (%s)", path, l->holder_pid, l->holder);
    else
        stsafe_server_log(s, "%s is in use by another process (reading it)", path);
}

/* The random source of the chips the server loads. */
static int seed_rng(stsafe_server *s)
{
    const stsafe_server_config *cfg = &s->cfg;
    int err = cfg->seed ? stsafe_rng_init_deterministic(&s->rng, cfg->seed, cfg->seed_len)
                        : stsafe_rng_init(&s->rng, "stsafe-emu serve");
    if (err)
        stsafe_server_log(s, "cannot seed the random generator");
    else
        s->rng_ready = 1;
    return err;
}

void stsafe_server_chip_timing(const stsafe_server_config *cfg, stsafe_emu_chip *chip)
{
    int pct = cfg->timing_spread_pct;
    chip->timing_profile = cfg->timing_profile;
    if (pct == 0)
        chip->timing_spread_pct = STSAFE_EMU_TIMING_SPREAD_DEFAULT;
    else
        chip->timing_spread_pct = pct == STSAFE_SERVER_SPREAD_OFF ? 0 : (uint8_t)pct;
}

/* The server's own chip, loaded from cfg.image_path. */
static int load_chip(stsafe_server *s)
{
    int err = stsafe_chip_device_load(s->chips, s->cfg.image_path, s->cfg.timing, stsafe_rng_fn,
                                      &s->rng);
    if (err)
        log_locked_failure(s, &s->chips->lock, s->cfg.image_path, err);
    else
        stsafe_server_chip_timing(&s->cfg, &s->chips[0].chip);
    s->chip_count = err ? 0 : 1;
    return err;
}

/* Chip \p i of the fleet from its image; *missing set when there is none. */
static int fleet_chip(stsafe_server *s, size_t i, int *missing)
{
    char path[4096];
    struct stat st;
    int err = stsafe_fleet_image_path(s->cfg.image_dir, i, path, sizeof path);
    if (err) {
        log_failure(s, "cannot use the image folder", s->cfg.image_dir, err);
        return err;
    }
    *missing = stat(path, &st) != 0 && errno == ENOENT;
    if (*missing) /* created in a batch (create_missing) under the folder's lock */
        return 0;
    s->chips[i].folder_locked = 1;
    err = stsafe_chip_device_load(&s->chips[i], path, s->cfg.timing, stsafe_rng_fn, &s->rng);
    if (err)
        log_locked_failure(s, &s->chips[i].lock, path, err);
    return err;
}

/* The fleet's folder: created 0700, or an existing folder nobody but its
 * owner can write into (others could plant or swap images there). */
static int fleet_folder(stsafe_server *s, const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        log_failure(s, "cannot create the image folder", dir, STSAFE_ERR_IO);
        return STSAFE_ERR_IO;
    }
    if (stat(dir, &st) != 0) {
        log_failure(s, "cannot use the image folder", dir, STSAFE_ERR_IO);
        return STSAFE_ERR_IO;
    }
    if (!S_ISDIR(st.st_mode)) {
        stsafe_server_log(s, "the image folder '%s' is not a folder", dir);
        errno = ENOTDIR;
        return STSAFE_ERR_IO;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        stsafe_server_log(s, "the image folder '%s' is writable by %s (mode %03o): others could "
                             "replace the images; use a private folder (chmod 700)",
                          dir, (st.st_mode & S_IWOTH) ? "others" : "its group",
                          (unsigned)(st.st_mode & 0777));
        errno = EPERM;
        return STSAFE_ERR_IO;
    }
    return 0;
}

/* The missing images, created in one batch (stsafe_fleet_create). */
static int create_missing(stsafe_server *s, const size_t *missing, size_t n)
{
    size_t failed = 0;
    int err = stsafe_fleet_create(s->chips, missing, n, s->cfg.image_dir, s->cfg.timing,
                                  stsafe_rng_fn, &s->rng, &failed);
    if (err) {
        char path[4096];
        if (stsafe_fleet_image_path(s->cfg.image_dir, failed, path, sizeof path) != 0)
            snprintf(path, sizeof path, "%s", s->cfg.image_dir);
        log_failure(s, "cannot create image", path, err);
        return err;
    }
    s->images_created = n;
    return 0;
}

/* The fleet: cfg.fleet chips in cfg.image_dir, which is created when
 * missing. Every entry of s->chips is either a chip or zeroed, so that
 * stsafe_server_free() can free them all whatever failed. */
static int load_fleet(stsafe_server *s)
{
    const char *dir = s->cfg.image_dir;
    int ferr = fleet_folder(s, dir);
    if (ferr)
        return ferr;
    ferr = stsafe_emu_folder_lock_take(&s->folder_lock, dir, "stsafe-emu serve"); /* for every image */
    if (ferr == STSAFE_ERR_IMAGE_LOCKED)
        log_locked_failure(s, &s->folder_lock, dir, ferr);
    else if (ferr)
        log_failure(s, "cannot lock the image folder", dir, ferr);
    if (ferr)
        return ferr;
    s->chip_count = s->cfg.fleet;
    size_t *missing = malloc(s->cfg.fleet * sizeof *missing), n = 0;
    if (!missing)
        return STSAFE_ERR_ALLOC;
    int err = 0;
    for (size_t i = 0; !err && i < s->cfg.fleet; i++) {
        int absent = 0;
        err = fleet_chip(s, i, &absent);
        if (absent)
            missing[n++] = i;
    }
    if (!err)
        err = create_missing(s, missing, n);
    free(missing);
    for (size_t i = 0; !err && i < s->cfg.fleet; i++) /* profile, clock and spread of each */
        stsafe_server_chip_timing(&s->cfg, &s->chips[i].chip);
    if (!err)
        stsafe_server_log(s, "fleet of %zu chip%s in '%s': %zu images loaded, %zu created",
                          s->chip_count, s->chip_count == 1 ? "" : "s", dir,
                          s->chip_count - s->images_created, s->images_created);
    return err;
}

/* The chips of cfg.image_path or cfg.image_dir, with their random source. */
static int load_chips(stsafe_server *s)
{
    size_t n = s->cfg.image_dir ? s->cfg.fleet : 1;
    int err = seed_rng(s);
    if (err)
        return err;
    s->chips = calloc(n, sizeof *s->chips);
    if (!s->chips)
        return STSAFE_ERR_ALLOC;
    for (size_t i = 0; i < n; i++) /* no lock held: freeing a chip never met closes nothing */
        s->chips[i].lock.fd = -1;
    return s->cfg.image_dir ? load_fleet(s) : load_chip(s);
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
    if (!s->cfg.max_clients)
        s->cfg.max_clients = n > 1 || s->cfg.image_dir ? STSAFE_SERVER_MAX_CLIENTS : 1;
    return 0;
}

int stsafe_server_init(stsafe_server *s, const stsafe_server_config *cfg)
{
    if (!s)
        return STSAFE_ERR_BAD_INPUT;
    memset(s, 0, sizeof *s);
    s->listen_fd = -1;
    s->folder_lock.fd = -1;
    int err = check_config(cfg);
    if (err)
        return err;
    s->cfg = *cfg;
    if (!s->cfg.frame_timeout_ms)
        s->cfg.frame_timeout_ms = STSAFE_SERVER_FRAME_TIMEOUT_MS;
    if (!s->cfg.idle_timeout_ms)
        s->cfg.idle_timeout_ms = STSAFE_SERVER_IDLE_TIMEOUT_MS;
    if (!s->cfg.hello_timeout_ms)
        s->cfg.hello_timeout_ms = STSAFE_SERVER_HELLO_TIMEOUT_MS;
    if (s->cfg.hello_timeout_ms > s->cfg.idle_timeout_ms)
        s->cfg.hello_timeout_ms = s->cfg.idle_timeout_ms;
    if (!s->cfg.log_burst)
        s->cfg.log_burst = STSAFE_SERVER_LOG_BURST;
    if (!s->cfg.log_window_ms)
        s->cfg.log_window_ms = STSAFE_SERVER_LOG_WINDOW_MS;
    err = stsafe_sock_addr_parse(cfg->listen, &s->addr);
    if (err) {
        log_failure(s, "cannot use the address", cfg->listen, err);
        return err;
    }
    if (!cfg->devices)
        err = load_chips(s);
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
    stsafe_emu_image_lock_release(&s->folder_lock);
    free(s->slots);
    if (s->rng_ready)
        stsafe_rng_free(&s->rng);
    memset(s, 0, sizeof *s);
    s->listen_fd = -1;
    s->folder_lock.fd = -1;
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
        stsafe_server_log(s, "cannot save image '%s': %s: %s", d->ops->name(d->ctx),
                          stsafe_strerror(err), strerror(e));
        errno = e;
    }
    return err;
}

int stsafe_server_save_slot(stsafe_server *s, size_t i, char *why, size_t cap)
{
    const stsafe_server_device *d = &s->slots[i].dev;
    if (!d->ops->save || !d->ops->dirty || !d->ops->dirty(d->ctx))
        return 0;
    int err = d->ops->save(d->ctx);
    if (!err) {
        if (s->cfg.verbose)
            stsafe_server_log(s, "image saved to '%s'", d->ops->name(d->ctx));
        return 0;
    }
    int e = errno;
    const char *failed = d->ops->failure ? d->ops->failure(d->ctx) : NULL;
    (void)snprintf(why, cap, "cannot save image '%s': %s: %s; %s", d->ops->name(d->ctx),
                   stsafe_strerror(err), strerror(e),
                   failed ? failed : "the command was undone: the chip restarted from its image on disk");
    stsafe_server_log(s, "%s", why);
    if (failed) {
        s->failure = failed;
        s->failed_slot = i;
    }
    errno = e;
    return err;
}

/* What save_all() found: of the \p savers devices that save, \p pending had
 * a change not on disk (or their file was gone), \p saved of those saved. */
typedef struct {
    size_t savers, pending, saved, last;
} final_saves;

/* Logs what save_all() did. A failure was logged by save_device(). */
static void log_saved(const stsafe_server *s, const final_saves *f)
{
    const stsafe_server_device *d = &s->slots[f->last].dev;
    char failed[48] = "";
    if (f->saved < f->pending)
        snprintf(failed, sizeof failed, ", %zu could not be saved", f->pending - f->saved);
    if (!f->savers)
        stsafe_server_log(s, "stopped");
    else if (s->cfg.image_dir)
        stsafe_server_log(s, "stopped; images in '%s': %zu up to date, %zu saved now%s", s->cfg.image_dir,
                          f->savers - f->pending, f->saved, failed);
    else if (f->savers > 1)
        stsafe_server_log(s, "stopped; devices: %zu up to date, %zu saved now%s", f->savers - f->pending,
                          f->saved, failed);
    else if (!f->pending)
        stsafe_server_log(s, "stopped; image '%s' up to date", d->ops->name(d->ctx));
    else if (f->saved)
        stsafe_server_log(s, "stopped; image saved to '%s'", d->ops->name(d->ctx));
}

/* Whether a device must be saved as the server stops: a change that is not
 * on disk yet, or its file gone. Every change is saved when it is made, so
 * this is seldom; saving them all cost a fleet of 10,000 chips 10,000
 * fsyncs (8.6 s for 1,000 here) on every stop. */
static int needs_final_save(const stsafe_server_device *d)
{
    if (!d->ops->dirty || !d->ops->on_disk)
        return 1;
    return d->ops->dirty(d->ctx) || !d->ops->on_disk(d->ctx);
}

/* At the end: every device that saves and needs it (the files left behind
 * are the devices at exit). The first error is returned. */
static int save_all(const stsafe_server *s)
{
    int first = 0;
    final_saves f = {0, 0, 0, 0};
    for (size_t i = 0; i < s->slot_count; i++) {
        const stsafe_server_device *d = &s->slots[i].dev;
        if (!d->ops->save)
            continue;
        f.savers++;
        f.last = i;
        if (!needs_final_save(d))
            continue;
        f.pending++;
        int err = save_device(s, &s->slots[i]);
        if (err && !first)
            first = err;
        f.saved += err == 0;
    }
    log_saved(s, &f);
    return first;
}

/* "none", "real", or "datasheet (minimum times ±10 %, host clock)". */
static const char *timing_name(const stsafe_server *s, char *buf, size_t cap)
{
    const stsafe_server_config *c = &s->cfg;
    if (c->timing == STSAFE_EMU_TIMING_NONE)
        return "none";
    int pct = c->timing_spread_pct == 0 ? (int)STSAFE_EMU_TIMING_SPREAD_DEFAULT
              : c->timing_spread_pct < 0 ? 0 : c->timing_spread_pct;
    snprintf(buf, cap, "%s (%s times, spread %d %%%s)",
             c->timing == STSAFE_EMU_TIMING_REAL ? "real" : "datasheet",
             stsafe_emu_timing_profile_name(c->timing_profile), pct,
             c->timing == STSAFE_EMU_TIMING_REAL      ? ""
             : c->clock == STSAFE_SERVER_CLOCK_NACKS ? ", 1 ms per NACK"
                                                     : ", host clock");
    return buf;
}

/* What the server serves, for its first log line. */
static void describe(const stsafe_server *s, char *out, size_t cap)
{
    const stsafe_server_device *d = &s->slots[0].dev;
    if (s->cfg.image_path)
        snprintf(out, cap, "image '%s'", s->cfg.image_path);
    else if (s->cfg.image_dir)
        snprintf(out, cap, "fleet of %zu chip%s in '%s'", s->slot_count,
                 s->slot_count == 1 ? "" : "s", s->cfg.image_dir);
    else if (s->slot_count == 1)
        snprintf(out, cap, "device '%s'", d->ops->name(d->ctx));
    else
        snprintf(out, cap, "%zu devices", s->slot_count);
}

int stsafe_server_run(stsafe_server *s)
{
    char what[300];
    char timing[120];
    if (!s || s->listen_fd < 0)
        return STSAFE_ERR_BAD_INPUT;
    describe(s, what, sizeof what);
    stsafe_server_log(s, "listening on %s (%s, timing %s, %zu client%s at a time)", s->address, what,
                      timing_name(s, timing, sizeof timing), s->cfg.max_clients,
                      s->cfg.max_clients == 1 ? "" : "s");
    int err = stsafe_server_serve(s);
    int save_err = save_all(s);
    if (s->failure)
        return STSAFE_ERR_DEVICE_FAILED;
    return err ? err : save_err;
}
