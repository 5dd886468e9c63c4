/* SPDX-License-Identifier: BSD-3-Clause */
/* Storage backends (storage.h, docs/persistence.md). */
#include "stsafe/emulator/storage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include <mbedtls/platform_util.h>

#include "stsafe/protocol/error.h"

/* ---- POSIX files ------------------------------------------------------------- */

static int px_read(void *ctx, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
    (void)ctx;
    int fd = open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC); /* a symbolic link: ELOOP */
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        errno = saved;
        return STSAFE_ERR_IO;
    }
    size_t n = fread(buf, 1, cap, f);
    int more = fgetc(f) != EOF;
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return STSAFE_ERR_IO;
    if (more)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    *len = n;
    return 0;
}

static int px_create(void *ctx, const char *name)
{
    (void)ctx;
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return STSAFE_ERR_IO;
    int bad = fchmod(fd, 0600) != 0; /* an existing file keeps its mode otherwise */
    return close(fd) != 0 || bad ? STSAFE_ERR_IO : 0;
}

/* Six letters a name no file had is looked for with: the process, the
 * clock and the attempt, mixed. Only uniqueness matters (O_EXCL makes it
 * safe); the mix makes a planted name unlikely to be the one tried. */
static void temp_suffix(char *out, unsigned attempt)
{
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    struct timespec ts;
    (void)clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t v = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
                 ((uint64_t)attempt * 0x9E3779B97F4A7C15u);
    for (int i = 0; i < 6; i++) {
        v = v * 6364136223846793005u + 1442695040888963407u;
        out[i] = letters[(v >> 33) % (sizeof letters - 1)];
    }
    out[6] = '\0';
}

static int px_create_temp(void *ctx, const char *name, char *tmp, size_t cap)
{
    (void)ctx;
    for (unsigned attempt = 0; attempt < 100; attempt++) {
        char suffix[7];
        temp_suffix(suffix, attempt);
        int n = snprintf(tmp, cap, "%s.tmp-%s", name, suffix);
        if (n < 0 || (size_t)n >= cap)
            return STSAFE_ERR_BUFFER_TOO_SMALL;
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0)
            return close(fd) != 0 ? STSAFE_ERR_IO : 0;
        if (errno != EEXIST)
            return STSAFE_ERR_IO;
    }
    return STSAFE_ERR_IO; /* errno EEXIST: 100 names taken */
}

static int px_append(void *ctx, const char *name, const uint8_t *p, size_t n)
{
    (void)ctx;
    int fd = open(name, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return STSAFE_ERR_IO;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return STSAFE_ERR_IO;
        }
        p += w;
        n -= (size_t)w;
    }
    return close(fd) != 0 ? STSAFE_ERR_IO : 0;
}

static int sync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return STSAFE_ERR_IO;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc != 0 ? STSAFE_ERR_IO : 0;
}

static int px_sync(void *ctx, const char *name)
{
    (void)ctx;
    return sync_path(name, O_WRONLY | O_NOFOLLOW);
}

static int px_rename(void *ctx, const char *from, const char *to)
{
    (void)ctx;
    struct stat st;
    if (lstat(to, &st) == 0 && S_ISLNK(st.st_mode)) {
        errno = ELOOP; /* the image would become the link's target: refused */
        return STSAFE_ERR_IO;
    }
    return rename(from, to) != 0 ? STSAFE_ERR_IO : 0;
}

/* fsync the folder holding \p name so that a rename in it is durable. */
static int px_sync_dir(void *ctx, const char *name)
{
    char dir[4096];
    (void)ctx;
    const char *slash = strrchr(name, '/');
    if (!slash)
        (void)snprintf(dir, sizeof dir, ".");
    else if (slash == name)
        (void)snprintf(dir, sizeof dir, "/");
    else
        (void)snprintf(dir, sizeof dir, "%.*s", (int)(slash - name), name);
    return sync_path(dir, O_RDONLY);
}

static void px_remove(void *ctx, const char *name)
{
    (void)ctx;
    int saved = errno;
    unlink(name);
    errno = saved;
}

static const stsafe_emu_storage_ops posix_ops = {
    px_read, px_create, px_create_temp, px_append, px_sync, px_rename, px_sync_dir, px_remove,
};

stsafe_emu_storage stsafe_emu_storage_posix(void)
{
    stsafe_emu_storage s = {&posix_ops, NULL};
    return s;
}

/* ---- whole files and private logs (POSIX) ------------------------------------ */

int stsafe_emu_file_write(const char *path, const void *data, size_t len, unsigned mode)
{
    char tmp[4096];
    if (!path || (len && !data) || (mode & ~0777u))
        return STSAFE_ERR_BAD_INPUT;
    int err = px_create_temp(NULL, path, tmp, sizeof tmp);
    if (err)
        return err == STSAFE_ERR_BUFFER_TOO_SMALL ? STSAFE_ERR_BAD_INPUT : err;
    /* still empty: widening it now shows nothing to anyone */
    if (mode != 0600 && chmod(tmp, (mode_t)mode) != 0)
        err = STSAFE_ERR_IO;
    if (!err && len)
        err = px_append(NULL, tmp, data, len);
    if (!err)
        err = px_sync(NULL, tmp);
    if (!err)
        err = px_rename(NULL, tmp, path);
    if (!err)
        err = px_sync_dir(NULL, path);
    if (err)
        px_remove(NULL, tmp);
    return err;
}

FILE *stsafe_emu_file_open_private(const char *path, int append)
{
    int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    int fd = path ? open(path, flags, 0600) : -1;
    if (fd < 0)
        return NULL;
    struct stat st;
    /* an existing file keeps its mode at open: narrow it before the first byte */
    if (fstat(fd, &st) != 0 || (S_ISREG(st.st_mode) && (st.st_mode & 077) && fchmod(fd, 0600) != 0)) {
        int saved = errno;
        close(fd);
        errno = saved;
        return NULL;
    }
    FILE *f = fdopen(fd, append ? "a" : "w");
    if (!f) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return f;
}

/* ---- in memory, with power cuts ------------------------------------------------ */

void stsafe_emu_memfs_init(stsafe_emu_memfs *fs)
{
    memset(fs, 0, sizeof *fs);
    fs->cut_at = -1;
}

void stsafe_emu_memfs_free(stsafe_emu_memfs *fs)
{
    mbedtls_platform_zeroize(fs, sizeof *fs);
    fs->cut_at = -1;
}

/* Counts a mutating operation; 0 when it may happen, else the power is off. */
static int mem_tick(stsafe_emu_memfs *fs)
{
    if (fs->cut || (fs->cut_at >= 0 && fs->ops >= fs->cut_at)) {
        fs->cut = 1;
        errno = EIO;
        return STSAFE_ERR_IO;
    }
    fs->ops++;
    return 0;
}

static stsafe_emu_memfs_file *mem_find(stsafe_emu_memfs *fs, const char *name)
{
    for (size_t i = 0; i < STSAFE_EMU_MEMFS_FILES; i++)
        if (fs->files[i].name[0] && strcmp(fs->files[i].name, name) == 0)
            return &fs->files[i];
    return NULL;
}

static int mem_read(void *ctx, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
    stsafe_emu_memfs *fs = ctx;
    if (fs->cut) {
        errno = EIO; /* the power is off */
        return STSAFE_ERR_IO;
    }
    stsafe_emu_memfs_file *f = mem_find(fs, name);
    if (!f) {
        errno = ENOENT;
        return STSAFE_ERR_IO;
    }
    if (f->len > cap)
        return STSAFE_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, f->data, f->len);
    *len = f->len;
    return 0;
}

static int mem_create(void *ctx, const char *name)
{
    stsafe_emu_memfs *fs = ctx;
    if (strlen(name) >= STSAFE_EMU_MEMFS_NAME || mem_tick(fs))
        return STSAFE_ERR_IO;
    stsafe_emu_memfs_file *f = mem_find(fs, name);
    for (size_t i = 0; !f && i < STSAFE_EMU_MEMFS_FILES; i++)
        if (!fs->files[i].name[0] && !fs->files[i].durable_name[0])
            f = &fs->files[i];
    if (!f)
        return STSAFE_ERR_IO;
    (void)snprintf(f->name, sizeof f->name, "%s", name);
    f->len = 0;
    f->recreated = 1;
    return 0;
}

/* NAME.tmp-N with the smallest N no file (now or after a cut) is named. */
static int mem_create_temp(void *ctx, const char *name, char *tmp, size_t cap)
{
    stsafe_emu_memfs *fs = ctx;
    for (unsigned n = 1; n <= STSAFE_EMU_MEMFS_FILES + 1; n++) {
        int len = snprintf(tmp, cap, "%s.tmp-%u", name, n);
        if (len < 0 || (size_t)len >= cap)
            return STSAFE_ERR_BUFFER_TOO_SMALL;
        int taken = 0;
        for (size_t i = 0; i < STSAFE_EMU_MEMFS_FILES; i++)
            taken |= !strcmp(fs->files[i].name, tmp) || !strcmp(fs->files[i].durable_name, tmp);
        if (!taken)
            return mem_create(ctx, tmp);
    }
    errno = EEXIST;
    return STSAFE_ERR_IO;
}

static int mem_append(void *ctx, const char *name, const uint8_t *p, size_t n)
{
    stsafe_emu_memfs *fs = ctx;
    stsafe_emu_memfs_file *f = mem_find(fs, name);
    if (mem_tick(fs) || !f || f->len + n > STSAFE_EMU_MEMFS_CAPACITY)
        return STSAFE_ERR_IO;
    if (fs->full) {
        errno = ENOSPC; /* counted: the write was tried */
        return STSAFE_ERR_IO;
    }
    memcpy(f->data + f->len, p, n);
    f->len += n;
    return 0;
}

static int mem_sync(void *ctx, const char *name)
{
    stsafe_emu_memfs *fs = ctx;
    stsafe_emu_memfs_file *f = mem_find(fs, name);
    if (mem_tick(fs) || !f)
        return STSAFE_ERR_IO;
    memcpy(f->durable, f->data, f->len);
    f->durable_len = f->len;
    f->recreated = 0;
    return 0;
}

static int mem_rename(void *ctx, const char *from, const char *to)
{
    stsafe_emu_memfs *fs = ctx;
    stsafe_emu_memfs_file *src = mem_find(fs, from);
    if (mem_tick(fs) || !src || strlen(to) >= STSAFE_EMU_MEMFS_NAME)
        return STSAFE_ERR_IO;
    stsafe_emu_memfs_file *old = mem_find(fs, to);
    if (old && old != src)
        old->name[0] = '\0'; /* gone from the listing; its durable entry stays until sync_dir */
    (void)snprintf(src->name, sizeof src->name, "%s", to);
    return 0;
}

/* The folder's entries become durable: the durable listing is the current one. */
static int mem_sync_dir(void *ctx, const char *name)
{
    stsafe_emu_memfs *fs = ctx;
    (void)name;
    if (mem_tick(fs))
        return STSAFE_ERR_IO;
    for (size_t i = 0; i < STSAFE_EMU_MEMFS_FILES; i++) {
        stsafe_emu_memfs_file *f = &fs->files[i];
        memcpy(f->durable_name, f->name, sizeof f->name);
        if (!f->name[0])
            memset(f, 0, sizeof *f); /* unlinked and forgotten */
    }
    return 0;
}

static void mem_remove(void *ctx, const char *name)
{
    stsafe_emu_memfs *fs = ctx;
    stsafe_emu_memfs_file *f = fs->cut ? NULL : mem_find(fs, name); /* the power is off: nothing happens */
    if (f)
        f->name[0] = '\0';
}

static const stsafe_emu_storage_ops mem_ops = {
    mem_read, mem_create, mem_create_temp, mem_append, mem_sync, mem_rename, mem_sync_dir, mem_remove,
};

stsafe_emu_storage stsafe_emu_memfs_storage(stsafe_emu_memfs *fs)
{
    stsafe_emu_storage s = {&mem_ops, fs};
    return s;
}

void stsafe_emu_memfs_power_cut(stsafe_emu_memfs *fs)
{
    for (size_t i = 0; i < STSAFE_EMU_MEMFS_FILES; i++) {
        stsafe_emu_memfs_file *f = &fs->files[i];
        if (f->recreated) {
            f->len /= 2;                        /* truncated, then half the writes landed */
        } else if (f->len > f->durable_len) {
            f->len = f->durable_len + (f->len - f->durable_len) / 2; /* a torn append */
            memcpy(f->data, f->durable, f->durable_len);
        } else {
            f->len = f->durable_len;
            memcpy(f->data, f->durable, f->durable_len);
        }
        memcpy(f->durable, f->data, f->len);    /* what is on the disk now */
        f->durable_len = f->len;
        f->recreated = 0;
        memcpy(f->name, f->durable_name, sizeof f->name);
        if (!f->name[0])
            memset(f, 0, sizeof *f);
    }
    fs->cut = 0;
    fs->cut_at = -1;
}
