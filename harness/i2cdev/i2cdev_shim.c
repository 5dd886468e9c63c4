/* SPDX-License-Identifier: BSD-3-Clause */
/* libstsafe-i2cdev.so: an LD_PRELOAD library that makes /dev/i2c-N of an
 * unmodified Linux program reach a chip served by `stsafe-emu serve`
 * (docs/i2cdev.md).
 *
 * It interposes open (and the variants glibc's headers turn open into),
 * close, read, __read_chk, write, ioctl and dup/dup2/dup3. An open of an
 * intercepted path returns a real descriptor (a memfd: poll, fcntl and
 * close work on it, and its inode is unique, which tells a descriptor of
 * ours from a reused number); read, write and ioctl on it are answered by
 * the i2c-dev model (i2cdev_dev.c) over an stsafe_bus. Everything else is
 * passed to the next definition (dlsym(RTLD_NEXT)) untouched.
 *
 * State: the one static struct `g` below, which a preload library cannot
 * do without: the table descriptor -> open device, the configuration read
 * from the environment once, the pointers to the real functions, and the
 * process's single connection to the server (the server serves one client
 * at a time, so every descriptor shares it). One recursive mutex guards
 * all of it and is held for the duration of each device operation, as the
 * kernel holds the adapter's lock; recursive because the bus calls close()
 * and the like, which come back through this library.
 */
#define _GNU_SOURCE     /* dlsym(RTLD_NEXT), memfd_create, O_PATH, O_TMPFILE */
#undef _FORTIFY_SOURCE  /* this file defines open() and read() itself */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i2cdev_dev.h"
#include "stsafe/bus/socket.h"
#include "stsafe/bus/trace.h"
#include "stsafe/protocol/error.h"

#define SHIM_API __attribute__((visibility("default")))
#define SHIM_SLOTS 64   /* descriptors of intercepted devices open at once */
#define SHIM_PREFIX "/dev/i2c-"

/* glibc declares these only under _FORTIFY_SOURCE. */
SHIM_API int __open_2(const char *path, int flags);
SHIM_API int __open64_2(const char *path, int flags);
SHIM_API int __openat_2(int dirfd, const char *path, int flags);
SHIM_API int __openat64_2(int dirfd, const char *path, int flags);
SHIM_API ssize_t __read_chk(int fd, void *buf, size_t nbytes, size_t buflen);

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*open2_fn)(const char *, int);
typedef int (*openat2_fn)(int, const char *, int);

/* One open file description of an intercepted device; dup() shares it. */
typedef struct {
    stsafe_i2cdev_file dev;
    int refs;                   /* descriptors pointing at it */
} shim_file;

typedef struct {
    int fd;
    dev_t st_dev;               /* identity of the memfd behind fd */
    ino_t st_ino;
    shim_file *file;            /* NULL: free slot */
} shim_slot;

static struct {
    pthread_once_t once;
    pthread_mutex_t lock;       /* recursive; held through every device operation */
    atomic_int nslots;          /* 0: no descriptor to look up, pass straight through */
    shim_slot slots[SHIM_SLOTS];
    int nfiles;                 /* open devices; the connection is closed at 0 */
    int warned;                 /* the "no server" warning was printed */
    char server[512];           /* STSAFE_I2CDEV_SERVER */
    char buses[512];            /* STSAFE_I2CDEV_BUS */
    char trace[4096];           /* STSAFE_I2CDEV_TRACE */
    stsafe_bus_socket sock;
    stsafe_bus sock_bus;        /* the socket backend */
    stsafe_bus bus;             /* what every device operation goes through: build_bus() */
    FILE *trace_file;           /* STSAFE_I2CDEV_TRACE, open from the first connection on */
    stsafe_bus_trace trace_rec; /* the recorder around sock_bus... */
    stsafe_bus trace_bus;       /* ...as a bus */
    struct {
        open_fn open, open64;
        openat_fn openat, openat64;
        open2_fn open_2, open64_2;
        openat2_fn openat_2, openat64_2;
        int (*close)(int);
        ssize_t (*read)(int, void *, size_t);
        ssize_t (*read_chk)(int, void *, size_t, size_t);
        ssize_t (*write)(int, const void *, size_t);
        int (*ioctl)(int, unsigned long, ...);
        int (*dup)(int);
        int (*dup2)(int, int);
        int (*dup3)(int, int, int);
    } real;
} g = {.once = PTHREAD_ONCE_INIT, .lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP};

static void shim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void shim_log(const char *fmt, ...)
{
    va_list ap;
    fputs("stsafe-i2cdev: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): va_start is just above
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- set-up ------------------------------------------------------------------ */

static void copy_env(char *dst, size_t cap, const char *name)
{
    const char *v = getenv(name);
    size_t n = v ? strlen(v) : 0;
    if (n >= cap) {
        shim_log("%s is longer than %zu bytes: ignored", name, cap - 1);
        n = 0;
    }
    memcpy(dst, v ? v : "", n);
    dst[n] = '\0';
}

static void resolve_real(void)
{
    g.real.open = (open_fn)dlsym(RTLD_NEXT, "open");
    g.real.open64 = (open_fn)dlsym(RTLD_NEXT, "open64");
    g.real.openat = (openat_fn)dlsym(RTLD_NEXT, "openat");
    g.real.openat64 = (openat_fn)dlsym(RTLD_NEXT, "openat64");
    g.real.open_2 = (open2_fn)dlsym(RTLD_NEXT, "__open_2");
    g.real.open64_2 = (open2_fn)dlsym(RTLD_NEXT, "__open64_2");
    g.real.openat_2 = (openat2_fn)dlsym(RTLD_NEXT, "__openat_2");
    g.real.openat64_2 = (openat2_fn)dlsym(RTLD_NEXT, "__openat64_2");
    g.real.close = (int (*)(int))dlsym(RTLD_NEXT, "close");
    g.real.read = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    g.real.read_chk = (ssize_t(*)(int, void *, size_t, size_t))dlsym(RTLD_NEXT, "__read_chk");
    g.real.write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    g.real.ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
    g.real.dup = (int (*)(int))dlsym(RTLD_NEXT, "dup");
    g.real.dup2 = (int (*)(int, int))dlsym(RTLD_NEXT, "dup2");
    g.real.dup3 = (int (*)(int, int, int))dlsym(RTLD_NEXT, "dup3");
}

/* fork() with the lock held elsewhere would leave the child a lock it can
 * never take: fork waits for it, and the child starts with a new one. */
static void atfork_prepare(void) { pthread_mutex_lock(&g.lock); }
static void atfork_parent(void) { pthread_mutex_unlock(&g.lock); }
static void atfork_child(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&g.lock, &attr);
    pthread_mutexattr_destroy(&attr);
}

static void init_once(void)
{
    resolve_real();
    copy_env(g.server, sizeof g.server, "STSAFE_I2CDEV_SERVER");
    copy_env(g.buses, sizeof g.buses, "STSAFE_I2CDEV_BUS");
    copy_env(g.trace, sizeof g.trace, "STSAFE_I2CDEV_TRACE");
    stsafe_bus_socket_init(&g.sock);
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

static void shim_init(void)
{
    pthread_once(&g.once, init_once);
}

/* For a real function the C library does not have (never on glibc). */
static int no_real(void)
{
    errno = ENOSYS;
    return -1;
}

/* ---- which paths --------------------------------------------------------------- */

/* "/dev/i2c-" and decimal digits. */
static int is_i2c_dev_path(const char *p)
{
    if (strncmp(p, SHIM_PREFIX, sizeof SHIM_PREFIX - 1) != 0)
        return 0;
    p += sizeof SHIM_PREFIX - 1;
    return *p && p[strspn(p, "0123456789")] == '\0';
}

/* One item of STSAFE_I2CDEV_BUS (not NUL-terminated): N for /dev/i2c-N, or a path. */
static int bus_item_matches(const char *item, size_t len, const char *path)
{
    const char *cmp = path;
    if (strspn(item, "0123456789") >= len) {
        if (!is_i2c_dev_path(path))
            return 0;
        cmp = path + sizeof SHIM_PREFIX - 1;
    }
    return strlen(cmp) == len && memcmp(cmp, item, len) == 0;
}

static int configured_path(const char *path)
{
    if (!g.buses[0])
        return is_i2c_dev_path(path);
    for (const char *s = g.buses;; s++) {
        size_t len = strcspn(s, ",");
        if (len && bus_item_matches(s, len, path))
            return 1;
        s += len;
        if (!*s)
            return 0;
    }
}

/* Whether an open of \p path with \p flags is ours. Relative paths are not. */
static int intercepts(const char *path, int flags)
{
    shim_init();
    if (!path || path[0] != '/' || (flags & (O_PATH | O_DIRECTORY)) || !configured_path(path))
        return 0;
    if (g.server[0])
        return 1;
    pthread_mutex_lock(&g.lock);
    if (!g.warned)
        shim_log("STSAFE_I2CDEV_SERVER is not set: %s is opened as it is", path);
    g.warned = 1;
    pthread_mutex_unlock(&g.lock);
    return 0;
}

/* ---- the connection and its bus ------------------------------------------------- */

/* ==== THE ONE PLACE WHERE THE BUS IS BUILT ====
 * Every read, write and ioctl of every intercepted descriptor goes through
 * g.bus: the socket backend, or with STSAFE_I2CDEV_TRACE=PATH the trace
 * recorder around it (docs/trace-format.md). The trace file is opened once
 * per process and kept across reconnections, so one program run is one
 * trace; each line is flushed as it is written. */
static int build_bus(void)
{
    if (!g.trace[0]) {
        g.bus = g.sock_bus;
        return 0;
    }
    if (!g.trace_file) {
        int tfd = open(g.trace, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600); /* keys, passwords */
        if (tfd >= 0 && fchmod(tfd, 0600) != 0) {
            close(tfd);
            tfd = -1;
        }
        g.trace_file = tfd >= 0 ? fdopen(tfd, "w") : NULL;
        if (!g.trace_file && tfd >= 0)
            close(tfd);
        if (!g.trace_file) {
            shim_log("STSAFE_I2CDEV_TRACE: cannot write '%s': %s", g.trace, strerror(errno));
            return -1;
        }
        if (stsafe_bus_trace_init(&g.trace_rec, &g.trace_bus, &g.sock_bus, g.trace_file,
                                  STSAFE_TRACE_CLOCK_WALL, "recorded by libstsafe-i2cdev") != 0) {
            shim_log("STSAFE_I2CDEV_TRACE: cannot write '%s'", g.trace);
            return -1;
        }
        /* secrets redacted unless STSAFE_I2CDEV_TRACE_SECRETS=1 (docs/trace-format.md) */
        const char *keep = getenv("STSAFE_I2CDEV_TRACE_SECRETS");
        stsafe_trace_writer_keep_secrets(&g.trace_rec.w, keep && !strcmp(keep, "1"));
    } else {
        stsafe_bus_trace_comment(&g.trace_rec, "reconnected to the server");
    }
    g.bus = g.trace_bus;
    return 0;
}

static void conn_close(void)
{
    memset(&g.bus, 0, sizeof g.bus);
    stsafe_bus_socket_free(&g.sock); /* close() comes back here: the lock is recursive */
}

/* Connects unless connected (again after the server went away). 0 or an errno. */
static int conn_open(const char *path)
{
    if (g.sock.fd >= 0)
        return 0;
    int err = stsafe_bus_socket_connect(&g.sock, &g.sock_bus, g.server);
    if (err == STSAFE_ERR_BAD_INPUT)
        shim_log("%s: STSAFE_I2CDEV_SERVER='%s' is not unix:PATH or tcp:HOST:PORT", path, g.server);
    else if (err == STSAFE_ERR_IO)
        shim_log("%s: cannot connect to %s: %s", path, g.server, strerror(errno));
    else if (err)
        shim_log("%s: %s does not answer as an stsafe-emu server", path, g.server);
    if (!err && build_bus() != 0) {
        conn_close();
        err = STSAFE_ERR_UNSUPPORTED;
    }
    return err ? ENODEV : 0; /* the kernel's answer for a /dev/i2c-N without its adapter */
}

/* ---- the table --------------------------------------------------------------------- */

static int slot_set(shim_slot *s, int fd, shim_file *file)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return errno;
    *s = (shim_slot){fd, st.st_dev, st.st_ino, file};
    file->refs++;
    atomic_fetch_add(&g.nslots, 1);
    return 0;
}

static shim_slot *free_slot(void)
{
    for (size_t i = 0; i < SHIM_SLOTS; i++)
        if (!g.slots[i].file)
            return &g.slots[i];
    return NULL;
}

/* Forgets a descriptor; the last one of a file closes the file, the last
 * file the connection. Lock held. */
static void slot_drop(shim_slot *s)
{
    shim_file *f = s->file;
    s->file = NULL;
    atomic_fetch_sub(&g.nslots, 1);
    if (--f->refs > 0)
        return;
    free(f);
    if (--g.nfiles == 0)
        conn_close();
}

/* The slot of \p fd, without checking it is still ours. Lock held. */
static shim_slot *slot_of(int fd)
{
    for (size_t i = 0; i < SHIM_SLOTS; i++)
        if (g.slots[i].file && g.slots[i].fd == fd)
            return &g.slots[i];
    return NULL;
}

/* The slot of \p fd if the descriptor is still our memfd; a slot whose
 * descriptor was closed behind our back (close_range, a raw syscall) and
 * maybe reused is dropped. Lock held. */
static shim_slot *find_slot(int fd)
{
    struct stat st;
    shim_slot *s = slot_of(fd);
    if (!s)
        return NULL;
    if (fstat(fd, &st) == 0 && st.st_dev == s->st_dev && st.st_ino == s->st_ino)
        return s;
    slot_drop(s);
    return NULL;
}

/* The slot of \p fd with the lock held, or NULL (lock not held) when the
 * descriptor is not an intercepted device. */
static shim_slot *acquire(int fd)
{
    shim_init();
    if (atomic_load(&g.nslots) == 0)
        return NULL;
    pthread_mutex_lock(&g.lock);
    shim_slot *s = find_slot(fd);
    if (!s)
        pthread_mutex_unlock(&g.lock);
    return s;
}

static void release(void)
{
    pthread_mutex_unlock(&g.lock);
}

/* A system call's return: the value, or -1 and errno for a negative errno. */
static ssize_t sys_return(ssize_t rc)
{
    if (rc >= 0)
        return rc;
    errno = (int)-rc;
    return -1;
}

/* ---- open and close -------------------------------------------------------------- */

static int fake_fd(const char *path, int flags)
{
    char name[64];
    snprintf(name, sizeof name, "stsafe-i2cdev %s", path);
    return memfd_create(name, (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0u);
}

/* A new open file description for \p path on a new descriptor. Lock held.
 * \return the descriptor, or -errno. */
static int open_device(const char *path, int flags)
{
    shim_slot *slot = free_slot();
    shim_file *file = calloc(1, sizeof *file);
    int fd = -1, err = !slot ? EMFILE : !file ? ENOMEM : 0;
    if (!err && (fd = fake_fd(path, flags)) < 0)
        err = errno;
    if (!err)
        err = conn_open(path);
    if (!err) {
        stsafe_i2cdev_file_init(&file->dev, flags, g.sock.max_data);
        err = slot_set(slot, fd, file);
    }
    if (!err) {
        g.nfiles++;
        return fd;
    }
    if (fd >= 0)
        g.real.close(fd);
    free(file);
    if (g.nfiles == 0 && g.sock.fd >= 0)
        conn_close();
    return -err;
}

static int shim_open(const char *path, int flags)
{
    pthread_mutex_lock(&g.lock);
    int rc = open_device(path, flags);
    pthread_mutex_unlock(&g.lock);
    return (int)sys_return(rc);
}

#define NEEDS_MODE(flags) (((flags) & O_CREAT) || ((flags) & O_TMPFILE) == O_TMPFILE)

static mode_t mode_arg(int flags, va_list ap)
{
    return NEEDS_MODE(flags) ? va_arg(ap, mode_t) : 0;
}

SHIM_API int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    if (intercepts(path, flags))
        return shim_open(path, flags);
    return g.real.open ? g.real.open(path, flags, mode) : no_real();
}

SHIM_API int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    if (intercepts(path, flags))
        return shim_open(path, flags);
    return g.real.open64 ? g.real.open64(path, flags, mode) : no_real();
}

SHIM_API int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    if (intercepts(path, flags))
        return shim_open(path, flags);
    return g.real.openat ? g.real.openat(dirfd, path, flags, mode) : no_real();
}

SHIM_API int openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    if (intercepts(path, flags))
        return shim_open(path, flags);
    return g.real.openat64 ? g.real.openat64(dirfd, path, flags, mode) : no_real();
}

SHIM_API int __open_2(const char *path, int flags)
{
    if (intercepts(path, flags))
        return shim_open(path, flags);
    return g.real.open_2 ? g.real.open_2(path, flags) : no_real();
}

SHIM_API int __open64_2(const char *path, int flags)
{
    if (intercepts(path, flags))
        return shim_open(path, flags);
    return g.real.open64_2 ? g.real.open64_2(path, flags) : no_real();
}

SHIM_API int __openat_2(int dirfd, const char *path, int flags)
{
    if (intercepts(path, flags))
        return shim_open(path, flags);
    return g.real.openat_2 ? g.real.openat_2(dirfd, path, flags) : no_real();
}

SHIM_API int __openat64_2(int dirfd, const char *path, int flags)
{
    if (intercepts(path, flags))
        return shim_open(path, flags);
    return g.real.openat64_2 ? g.real.openat64_2(dirfd, path, flags) : no_real();
}

/* The program closed the connection's socket (a loop closing every
 * descriptor, say): forget it, so that nothing is ever sent to whatever
 * file gets its number next; the next open connects again. Lock held. */
static void forget_socket(int fd)
{
    if (fd >= 0 && fd == g.sock.fd)
        g.sock.fd = -1;
}

SHIM_API int close(int fd)
{
    shim_init();
    if (atomic_load(&g.nslots) > 0) {
        pthread_mutex_lock(&g.lock);
        shim_slot *s = find_slot(fd);
        if (s)
            slot_drop(s);
        else
            forget_socket(fd);
        pthread_mutex_unlock(&g.lock);
    }
    return g.real.close ? g.real.close(fd) : no_real();
}

/* ---- read, write, ioctl ----------------------------------------------------------- */

SHIM_API ssize_t read(int fd, void *buf, size_t count)
{
    shim_slot *s = acquire(fd);
    if (!s)
        return g.real.read ? g.real.read(fd, buf, count) : no_real();
    ssize_t rc = stsafe_i2cdev_read(&s->file->dev, &g.bus, buf, count);
    release();
    return sys_return(rc);
}

/* read() as _FORTIFY_SOURCE compiles it; an overflowing call is the real
 * one's to refuse. */
SHIM_API ssize_t __read_chk(int fd, void *buf, size_t nbytes, size_t buflen)
{
    shim_init();
    if (nbytes <= buflen) {
        shim_slot *s = acquire(fd);
        if (s) {
            ssize_t rc = stsafe_i2cdev_read(&s->file->dev, &g.bus, buf, nbytes);
            release();
            return sys_return(rc);
        }
    }
    return g.real.read_chk ? g.real.read_chk(fd, buf, nbytes, buflen) : no_real();
}

SHIM_API ssize_t write(int fd, const void *buf, size_t count)
{
    shim_slot *s = acquire(fd);
    if (!s)
        return g.real.write ? g.real.write(fd, buf, count) : no_real();
    ssize_t rc = stsafe_i2cdev_write(&s->file->dev, &g.bus, buf, count);
    release();
    return sys_return(rc);
}

/* The requests the kernel answers itself for any file, before the driver. */
static int vfs_request(unsigned long request)
{
    return request == FIOCLEX || request == FIONCLEX || request == FIONBIO || request == FIOASYNC;
}

SHIM_API int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *); /* as glibc's ioctl: the kernel gets the register, whatever was passed */
    va_end(ap);
    shim_init();
    shim_slot *s = vfs_request(request) ? NULL : acquire(fd);
    if (!s)
        return g.real.ioctl ? g.real.ioctl(fd, request, arg) : no_real();
    long rc = stsafe_i2cdev_ioctl(&s->file->dev, &g.bus, request, arg);
    release();
    return (int)sys_return(rc);
}

/* ---- dup ----------------------------------------------------------------------------- */

/* After the real dup2/dup3 made \p newfd a copy of \p oldfd (or failed):
 * newfd's former device, if any, is gone; it now shares \p from's file.
 * Lock held. */
static int dup_done(int rc, shim_slot *from, int newfd)
{
    if (rc < 0)
        return rc;
    shim_slot *old = slot_of(newfd);
    if (old)
        slot_drop(old);
    forget_socket(newfd);
    shim_slot *s = from ? free_slot() : NULL;
    if (from && (!s || slot_set(s, newfd, from->file) != 0)) {
        g.real.close(newfd);
        errno = EMFILE;
        return -1;
    }
    return rc;
}

SHIM_API int dup(int oldfd)
{
    shim_slot *s = acquire(oldfd);
    if (!s)
        return g.real.dup ? g.real.dup(oldfd) : no_real();
    int rc = g.real.dup ? g.real.dup(oldfd) : no_real();
    rc = dup_done(rc, s, rc);
    release();
    return rc;
}

/* The real dup2 (\p three 0) or dup3. */
static int real_dup_to(int three, int oldfd, int newfd, int flags)
{
    if (three)
        return g.real.dup3 ? g.real.dup3(oldfd, newfd, flags) : no_real();
    return g.real.dup2 ? g.real.dup2(oldfd, newfd) : no_real();
}

/* dup2 (\p three 0) and dup3. */
static int dup_to(int three, int oldfd, int newfd, int flags)
{
    shim_init();
    if (oldfd == newfd || atomic_load(&g.nslots) == 0)
        return real_dup_to(three, oldfd, newfd, flags);
    pthread_mutex_lock(&g.lock);
    shim_slot *from = find_slot(oldfd);
    int rc = real_dup_to(three, oldfd, newfd, flags);
    rc = dup_done(rc, from, newfd);
    pthread_mutex_unlock(&g.lock);
    return rc;
}

SHIM_API int dup2(int oldfd, int newfd)
{
    return dup_to(0, oldfd, newfd, 0);
}

SHIM_API int dup3(int oldfd, int newfd, int flags)
{
    return dup_to(1, oldfd, newfd, flags);
}
