/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file storage.h
 * \brief Where the chip's image lives: a small storage interface with a
 *        POSIX file backend and an in-memory backend that can cut the
 *        power at any write (docs/persistence.md).
 *
 * The image is saved the way SQLite commits: write a new file beside the
 * old one, sync it, rename it over the old one, sync the folder. The
 * interface has exactly the operations that protocol needs, so a test
 * backend can count them and fail from the k-th one on.
 */
#ifndef STSAFE_EMU_STORAGE_H
#define STSAFE_EMU_STORAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Operations of a storage backend; names are paths for the file backend. */
typedef struct {
    /** Read the whole file \p name; a symbolic link is refused (errno ELOOP).
     *  0; STSAFE_ERR_IO (missing: errno ENOENT); STSAFE_ERR_BUFFER_TOO_SMALL. */
    int (*read)(void *ctx, const char *name, uint8_t *buf, size_t cap, size_t *len);
    /** Create \p name empty (or truncate it), mode 0600, never through a
     *  symbolic link. Tests build files with it; the save never does. 0; STSAFE_ERR_IO. */
    int (*create)(void *ctx, const char *name);
    /**
     * Create a new, empty file beside \p name (same folder) under a name no
     * file had, and write that name to \p tmp. The file is private to its
     * owner (POSIX: open(O_CREAT|O_EXCL|O_NOFOLLOW, 0600)): an existing file
     * or symbolic link is never opened, so nothing another user planted
     * receives the image. 0; STSAFE_ERR_IO (errno set); STSAFE_ERR_BUFFER_TOO_SMALL.
     */
    int (*create_temp)(void *ctx, const char *name, char *tmp, size_t cap);
    /** Append \p len bytes to \p name. 0; STSAFE_ERR_IO. */
    int (*append)(void *ctx, const char *name, const uint8_t *data, size_t len);
    /** Make \p name's data durable. 0; STSAFE_ERR_IO. */
    int (*sync)(void *ctx, const char *name);
    /** Atomically replace \p to with \p from; a symbolic link at \p to is
     *  refused (errno ELOOP). 0; STSAFE_ERR_IO. */
    int (*rename)(void *ctx, const char *from, const char *to);
    /** Make the folder holding \p name durable (renames in it included). 0; STSAFE_ERR_IO. */
    int (*sync_dir)(void *ctx, const char *name);
    /** Remove \p name; missing is not an error. */
    void (*remove)(void *ctx, const char *name);
} stsafe_emu_storage_ops;

typedef struct {
    const stsafe_emu_storage_ops *ops;
    void *ctx;
} stsafe_emu_storage;

/** \brief The POSIX file backend (open/write/fsync/rename; no state). */
stsafe_emu_storage stsafe_emu_storage_posix(void);

/**
 * \brief Write a whole small file the way an image is saved: a new temp
 *        file beside \p path (O_EXCL|O_NOFOLLOW, 0600), its mode set to
 *        \p mode while still empty, the bytes, fsync, rename over \p path,
 *        fsync of the folder. A key written so is never readable by others,
 *        not even for a moment, whatever the umask; a file or link already
 *        at \p path is replaced, never written through; a failure leaves
 *        \p path as it was and no temp file.
 * \param mode  The file's permission bits (0600 for secrets, 0644 for a
 *              certificate), not masked by the umask.
 * \return 0; STSAFE_ERR_IO (errno set; a symbolic link at \p path: ELOOP);
 *         STSAFE_ERR_BAD_INPUT.
 */
int stsafe_emu_file_write(const char *path, const void *data, size_t len, unsigned mode);

/**
 * \brief Open a file that will hold secrets (a trace, a verbose log) for
 *        writing: created 0600, never through a symbolic link; an existing
 *        file of ours that others can read is narrowed to 0600 before the
 *        first byte is written.
 * \param append  Non-zero: append to an existing file; 0: truncate it.
 * \return The stream, or NULL with errno set (ELOOP for a symbolic link).
 */
FILE *stsafe_emu_file_open_private(const char *path, int append);

/* ---- in-memory backend with power cuts (tests) ---------------------------- */

#define STSAFE_EMU_MEMFS_FILES    4u
#define STSAFE_EMU_MEMFS_NAME     64u
#define STSAFE_EMU_MEMFS_CAPACITY 16384u

/** One file: what a reader sees now, and what survives a power cut. */
typedef struct {
    char name[STSAFE_EMU_MEMFS_NAME];       /**< Directory entry as seen now ("" = free). */
    char durable_name[STSAFE_EMU_MEMFS_NAME]; /**< Directory entry after a power cut. */
    uint8_t data[STSAFE_EMU_MEMFS_CAPACITY];
    size_t len;
    uint8_t durable[STSAFE_EMU_MEMFS_CAPACITY];
    size_t durable_len;
    int recreated;                        /**< Truncated by create since its last sync. */
} stsafe_emu_memfs_file;

/**
 * A simulated disk. Every mutating operation (create, append, sync, rename,
 * sync_dir; not remove, which only cleans up after a failure) is counted,
 * from 0; with cut_at >= 0 the operation of that index and every later one
 * fail with STSAFE_ERR_IO (errno EIO), as if the power went just before it:
 * from then on read fails too and remove does nothing, until
 * stsafe_emu_memfs_power_cut() reboots the disk with only what was made durable.
 * It holds whole images, private keys included: stsafe_emu_memfs_free() wipes it.
 */
typedef struct {
    stsafe_emu_memfs_file files[STSAFE_EMU_MEMFS_FILES];
    long ops;                   /**< Mutating operations so far. */
    long cut_at;                /**< -1: never. */
    int cut;                    /**< The power is off. */
    int full;                   /**< The disk is full: append fails with STSAFE_ERR_IO,
                                 *   errno ENOSPC (the power stays on). */
} stsafe_emu_memfs;

/** \brief An empty disk with no cut armed. */
void stsafe_emu_memfs_init(stsafe_emu_memfs *fs);

/** \brief Wipe the disk (its files hold private keys). */
void stsafe_emu_memfs_free(stsafe_emu_memfs *fs);

/** \brief A storage handle on \p fs. */
stsafe_emu_storage stsafe_emu_memfs_storage(stsafe_emu_memfs *fs);

/**
 * \brief Reboot after a power cut (or at any time). A deterministic model of
 *        a disk that writes back some but not all of what was not synced:
 *        - a file appended to since its last sync keeps its synced bytes and
 *          the first half of the appended ones (a torn write);
 *        - a file truncated by create since its last sync keeps the first
 *          half of its new bytes: the truncation reached the disk, half the
 *          writes did (so a file rewritten in place is torn);
 *        - a rename or a new file not followed by sync_dir is undone.
 *        The cut is cleared.
 */
void stsafe_emu_memfs_power_cut(stsafe_emu_memfs *fs);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_EMU_STORAGE_H */
