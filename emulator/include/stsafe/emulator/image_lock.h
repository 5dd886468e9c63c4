/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file image_lock.h
 * \brief Who has an image open: an advisory lock beside it (docs/persistence.md).
 *
 * Every process that opens an image locks IMAGE.lock (created 0600, never
 * through a symbolic link) with flock(): exclusively to change the image
 * (`stsafe-emu serve`, `stsafe-cli --image`), shared to read it
 * (`stsafe-emu info`, `replay`). The lock is on a file of its own because a
 * save replaces the image's inode. An exclusive holder writes one line
 * into it, "PID<tab>PROGRAM<tab>ADDRESS", so a process refused can say who holds
 * the image and where to reach it; the lock dies with its process (kill -9
 * included), and a stale file is harmless: only the flock counts.
 *
 * A fleet server locks its folder instead, FOLDER/fleet.lock, and no image
 * in it: one file and one descriptor for any number of chips (a lock file
 * per image cost a fleet of 10,000 chips 2.3 s of its load). Whoever locks
 * an image also checks the folder's lock, and the fleet server checks every
 * image's lock after taking the folder's, so the two always meet.
 */
#ifndef STSAFE_EMU_IMAGE_LOCK_H
#define STSAFE_EMU_IMAGE_LOCK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The name of a fleet folder's lock file. */
#define STSAFE_EMU_FOLDER_LOCK_NAME "fleet.lock"

/** A held lock, and who held it when taking it failed. */
typedef struct {
    int fd;                 /**< The lock file; -1 when not held. */
    int exclusive;
    char *path;             /**< IMAGE.lock (malloc'd). */
    long holder_pid;        /**< When refused: the exclusive holder's PID (0: unknown, a reader). */
    char holder[64];        /**< Its program ("stsafe-emu serve"), "" when unknown. */
    char address[160];      /**< Where it serves the chip, "" when it does not. */
} stsafe_emu_image_lock;

/**
 * \brief Lock \p image, at once or not at all (never waits).
 * \param exclusive  1 to change the image, 0 to read it.
 * \param program    Written into the lock file by an exclusive holder.
 *        Also refused while a fleet server holds the image's folder
 *        (stsafe_emu_folder_lock_take()).
 * \return 0; STSAFE_ERR_IMAGE_LOCKED (someone holds it, or its folder:
 *         holder_pid, holder and address say who, when they said);
 *         STSAFE_ERR_IO (errno set; ELOOP for a symbolic link at IMAGE.lock);
 *         STSAFE_ERR_ALLOC; STSAFE_ERR_BAD_INPUT.
 */
int stsafe_emu_image_lock_take(stsafe_emu_image_lock *l, const char *image, int exclusive, const char *program);

/**
 * \brief Lock a fleet's folder \p dir exclusively (DIR/fleet.lock), at once or
 *        not at all: the lock of every image in it. Released with
 *        stsafe_emu_image_lock_release().
 * \return As stsafe_emu_image_lock_take().
 */
int stsafe_emu_folder_lock_take(stsafe_emu_image_lock *l, const char *dir, const char *program);

/**
 * \brief Whether another process holds \p image's own lock (IMAGE.lock,
 *        shared or exclusive), without taking it or creating anything: what a
 *        fleet server that holds the folder asks of each image.
 * \return 0 (free); STSAFE_ERR_IMAGE_LOCKED (\p l says who, when they said);
 *         STSAFE_ERR_ALLOC; STSAFE_ERR_BAD_INPUT. \p l holds nothing after.
 */
int stsafe_emu_image_lock_probe(stsafe_emu_image_lock *l, const char *image);

/** \brief An exclusive holder says where it can be reached (the server's address). */
void stsafe_emu_image_lock_address(stsafe_emu_image_lock *l, const char *address);

/** \brief Release the lock (an exclusive holder removes the lock file); idempotent. */
void stsafe_emu_image_lock_release(stsafe_emu_image_lock *l);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_EMU_IMAGE_LOCK_H */
