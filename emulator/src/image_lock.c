/* SPDX-License-Identifier: BSD-3-Clause */
/* Advisory image locks (image_lock.h): flock on IMAGE.lock, and on
 * FOLDER/fleet.lock for a fleet's folder. */
#include "stsafe/emulator/image_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/file.h>
#include <sys/stat.h>

#include "stsafe/protocol/error.h"

/* What the exclusive holder wrote: "PID\tPROGRAM\tADDRESS\n" (ADDRESS may be empty). */
static void read_holder(stsafe_emu_image_lock *l, int fd)
{
    char line[300] = {0};
    ssize_t n = pread(fd, line, sizeof line - 1, 0);
    if (n <= 0)
        return;
    line[n] = '\0';
    line[strcspn(line, "\n")] = '\0';
    char *prog = strchr(line, '\t');
    char *addr = prog ? strchr(prog + 1, '\t') : NULL;
    if (!prog || !addr)
        return;
    *prog++ = '\0';
    *addr++ = '\0';
    l->holder_pid = strtol(line, NULL, 10);
    (void)snprintf(l->holder, sizeof l->holder, "%s", prog);
    (void)snprintf(l->address, sizeof l->address, "%s", addr);
}

static void write_line(const stsafe_emu_image_lock *l)
{
    char line[300];
    int n = snprintf(line, sizeof line, "%ld\t%s\t%s\n", (long)getpid(), l->holder, l->address);
    if (n > 0 && ftruncate(l->fd, 0) == 0)
        (void)!pwrite(l->fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, 0);
}

/* The lock on the file now at the path: a file unlinked by its last
 * holder between our open and our flock is not the lock any more. */
static int still_linked(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Lock the file \p path (created 0600 when missing), at once or not at all. */
static int take_path(stsafe_emu_image_lock *l, const char *path, int exclusive, const char *program)
{
    memset(l, 0, sizeof *l);
    l->fd = -1;
    l->path = strdup(path);
    if (!l->path)
        return STSAFE_ERR_ALLOC;
    for (int attempt = 0; attempt < 10; attempt++) {
        int fd = open(l->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            break;
        if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
            int e = errno;
            if (e == EWOULDBLOCK)
                read_holder(l, fd);
            close(fd);
            free(l->path);
            l->path = NULL;
            errno = e;
            return e == EWOULDBLOCK ? STSAFE_ERR_IMAGE_LOCKED : STSAFE_ERR_IO;
        }
        if (!still_linked(fd, l->path)) {
            close(fd);
            continue;
        }
        l->fd = fd;
        l->exclusive = exclusive;
        (void)snprintf(l->holder, sizeof l->holder, "%s", program);
        if (exclusive)
            write_line(l);
        return 0;
    }
    int e = errno;
    free(l->path);
    l->path = NULL;
    errno = e;
    return STSAFE_ERR_IO;
}

/* Whether the lock file \p path exists and someone holds it (exclusively
 * when \p shared_too is 0; at all otherwise); who, in \p l. Nothing is
 * created and nothing stays locked. */
static int held_by_another(stsafe_emu_image_lock *l, const char *path, int shared_too)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0; /* no such file: nobody holds it */
    int held = flock(fd, (shared_too ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    if (held)
        read_holder(l, fd);
    close(fd); /* our own flock, if we got it, goes with the descriptor */
    return held;
}

/* IMAGE.lock for the image \p image; NULL when out of memory. */
static char *image_lock_path(const char *image)
{
    size_t len = strlen(image) + sizeof ".lock";
    char *path = malloc(len);
    if (path)
        (void)snprintf(path, len, "%s.lock", image);
    return path;
}

/* FOLDER/fleet.lock for the image \p image; NULL when out of memory. */
static char *folder_lock_path(const char *image)
{
    const char *slash = strrchr(image, '/');
    size_t dir_len = slash ? (size_t)(slash - image) + 1 : 0;
    size_t len = dir_len + sizeof STSAFE_EMU_FOLDER_LOCK_NAME;
    char *path = malloc(len);
    if (path)
        (void)snprintf(path, len, "%.*s%s", (int)dir_len, image, STSAFE_EMU_FOLDER_LOCK_NAME);
    return path;
}

int stsafe_emu_image_lock_take(stsafe_emu_image_lock *l, const char *image, int exclusive, const char *program)
{
    if (!l || !image || !program)
        return STSAFE_ERR_BAD_INPUT;
    memset(l, 0, sizeof *l);
    l->fd = -1;
    char *path = image_lock_path(image);
    char *folder = folder_lock_path(image);
    int err = path && folder ? take_path(l, path, exclusive, program) : STSAFE_ERR_ALLOC;
    /* Then the folder: a fleet server holds FOLDER/fleet.lock instead of a
     * lock per image. Taken in this order (image, then folder; the server:
     * folder, then every image's), one of the two always sees the other. */
    if (!err && held_by_another(l, folder, 0)) {
        stsafe_emu_image_lock_release(l);
        err = STSAFE_ERR_IMAGE_LOCKED;
    }
    free(path);
    free(folder);
    return err;
}

int stsafe_emu_folder_lock_take(stsafe_emu_image_lock *l, const char *dir, const char *program)
{
    if (!l || !dir || !program)
        return STSAFE_ERR_BAD_INPUT;
    size_t len = strlen(dir) + 1 + sizeof STSAFE_EMU_FOLDER_LOCK_NAME;
    char *path = malloc(len);
    if (!path)
        return STSAFE_ERR_ALLOC;
    (void)snprintf(path, len, "%s/%s", dir, STSAFE_EMU_FOLDER_LOCK_NAME);
    int err = take_path(l, path, 1, program);
    free(path);
    return err;
}

int stsafe_emu_image_lock_probe(stsafe_emu_image_lock *l, const char *image)
{
    if (!l || !image)
        return STSAFE_ERR_BAD_INPUT;
    memset(l, 0, sizeof *l);
    l->fd = -1;
    char *path = image_lock_path(image);
    if (!path)
        return STSAFE_ERR_ALLOC;
    int held = held_by_another(l, path, 1);
    free(path);
    return held ? STSAFE_ERR_IMAGE_LOCKED : 0;
}

void stsafe_emu_image_lock_address(stsafe_emu_image_lock *l, const char *address)
{
    if (!l || l->fd < 0 || !l->exclusive || !address)
        return;
    (void)snprintf(l->address, sizeof l->address, "%s", address);
    write_line(l);
}

void stsafe_emu_image_lock_release(stsafe_emu_image_lock *l)
{
    if (!l)
        return;
    if (l->fd >= 0) {
        /* the last one out removes the file; a reader may try for that too */
        if (l->exclusive || flock(l->fd, LOCK_EX | LOCK_NB) == 0)
            unlink(l->path);
        close(l->fd);
    }
    free(l->path);
    l->path = NULL;
    l->fd = -1;
}
