/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file image.h
 * \brief The image file: the chip's NVM on disk (docs/image-format.md).
 *
 * Serialisation is pure (buffer in, buffer out). Saving and loading go
 * through the storage interface of storage.h; stsafe_emu_image_save() writes
 * the file crash-safely: a new file beside the old one, fsync, then rename
 * over it, so a power cut leaves either the old image or the new one.
 */
#ifndef STSAFE_EMU_IMAGE_H
#define STSAFE_EMU_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/emulator/nvm.h"
#include "stsafe/emulator/storage.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_EMU_IMAGE_MAGIC      "STSEEMU\x1a"
#define STSAFE_EMU_IMAGE_MAGIC_LEN  8u
#define STSAFE_EMU_IMAGE_VERSION    2u    /**< What this build writes (2: section 9, the seed). */
#define STSAFE_EMU_IMAGE_VERSION_1  1u    /**< Still read: the seed is derived from the image bytes. */
#define STSAFE_EMU_IMAGE_DIGEST_LEN 32u   /**< SHA-256 trailer. */
/** Upper bound of a serialised image, for buffers. */
#define STSAFE_EMU_IMAGE_MAX_SIZE   (sizeof(stsafe_emu_nvm) + 1024u)

/**
 * \brief Serialise an NVM into the image format.
 * \return 0; STSAFE_ERR_BUFFER_TOO_SMALL; STSAFE_ERR_CRYPTO.
 */
int stsafe_emu_image_serialize(const stsafe_emu_nvm *nvm, uint8_t *out, size_t cap, size_t *out_len);

/**
 * \brief Parse an image; \p nvm is written only when the whole image is valid.
 * Then every field is checked as stsafe_emu_image_check() does.
 * \return 0; STSAFE_ERR_IMAGE_FORMAT (not an image, or malformed);
 *         STSAFE_ERR_IMAGE_VERSION; STSAFE_ERR_IMAGE_CHECKSUM (corrupted);
 *         STSAFE_ERR_IMAGE_FIELD (intact, but a value no chip can have).
 */
int stsafe_emu_image_parse(const uint8_t *img, size_t len, stsafe_emu_nvm *nvm);

/**
 * \brief Save through a storage backend, crash-safely: create a new private
 *        temp file beside NAME (create_temp: a unique name, O_EXCL, 0600), write
 *        it in 512-byte pieces, sync it, rename it over NAME, sync the folder
 *        (docs/persistence.md). A power cut at any step leaves NAME either
 *        old or new, never a mix; once this returns 0 the new image is durable.
 * \param st    The backend (stsafe_emu_storage_posix(), a stsafe_emu_memfs, ...).
 * \param name  The image's name in the backend (a path for POSIX).
 * \param nvm   The state to save.
 * \return 0; STSAFE_ERR_IO (the backend failed, errno kept; the temp file is
 *         removed when it can be; a symbolic link at NAME: errno ELOOP; NAME is the old image, or the new one
 *         when only the final folder sync failed); STSAFE_ERR_BAD_INPUT
 *         (a NULL argument, a name too long for a temp name); STSAFE_ERR_ALLOC;
 *         the serialise errors.
 */
int stsafe_emu_image_save_to(const stsafe_emu_storage *st, const char *name, const stsafe_emu_nvm *nvm);

/**
 * \brief Load and check the image NAME from a storage backend; \p nvm is
 *        written only when the whole image is valid (never reset to a default).
 * \param st    The backend.
 * \param name  The image's name in the backend (a symbolic link is refused,
 *              errno ELOOP); temp files are never read.
 * \param nvm   Receives the state.
 * \return 0; STSAFE_ERR_IO (missing, unreadable; errno set);
 *         STSAFE_ERR_IMAGE_FORMAT (also a file longer than any image);
 *         STSAFE_ERR_IMAGE_VERSION; STSAFE_ERR_IMAGE_CHECKSUM (corrupted or
 *         truncated); STSAFE_ERR_BAD_INPUT; STSAFE_ERR_ALLOC.
 */
int stsafe_emu_image_load_from(const stsafe_emu_storage *st, const char *name, stsafe_emu_nvm *nvm);

/**
 * \brief Save crash-safely to a file: stsafe_emu_image_save_to() with the POSIX backend.
 * \return 0; STSAFE_ERR_IO (errno set); the serialise errors.
 */
int stsafe_emu_image_save(const char *path, const stsafe_emu_nvm *nvm);

/**
 * \brief Load and check an image file.
 * \return 0; STSAFE_ERR_IO (errno set: missing file, permission); the parse errors.
 */
int stsafe_emu_image_load(const char *path, stsafe_emu_nvm *nvm);

/**
 * \brief The semantic checks an image passes after its hash (issue 14):
 *        life cycle one of 01 02 03 04 81 83; I2C address 0x08..0x77,
 *        low-power mode 0 or 2, lock 0 or 1; each zone's read and update
 *        access conditions 0, 1, 6 or 7, a counter zone at least 4 bytes,
 *        a plain zone with no counter; password and host-key flags 0 or 1,
 *        a set password with at least one try and tries left <= maximum;
 *        the command table's change right 0..3, access conditions 0..5
 *        (stsafe_cmd_ac), encryption flags 0..3; every present private key with a
 *        curve, a scalar in [1, n-1] and a public key that is a point of the curve.
 *        Whether that point is scalar x G is stsafe_emu_image_check_key_pairs():
 *        a multiplication per key, left out of every load (it made a fleet of
 *        10,000 chips take 17 s to load).
 * \param detail  Receives the first failing field in words (may be NULL).
 * \return 0; STSAFE_ERR_IMAGE_FIELD; STSAFE_ERR_CRYPTO; STSAFE_ERR_BAD_INPUT.
 */
int stsafe_emu_image_check(const stsafe_emu_nvm *nvm, char *detail, size_t cap);

/**
 * \brief Whether each present key slot's public key is its private scalar's
 *        point (scalar x G): what `stsafe-emu info` checks. A crafted image
 *        can pass stsafe_emu_image_check() and fail this: its chip would sign
 *        with the scalar and report the stored point.
 * \param detail  Receives the first slot that fails in words (may be NULL).
 * \return 0; STSAFE_ERR_IMAGE_FIELD; STSAFE_ERR_CRYPTO; STSAFE_ERR_BAD_INPUT.
 */
int stsafe_emu_image_check_key_pairs(const stsafe_emu_nvm *nvm, char *detail, size_t cap);

/**
 * \brief Why the image file \p path failed its field checks: it is read and
 *        parsed without them, then checked, naming the field in \p detail.
 * \return STSAFE_ERR_IMAGE_FIELD with \p detail set; 0 (the fields are
 *         fine); the load errors.
 */
int stsafe_emu_image_explain(const char *path, char *detail, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_EMU_IMAGE_H */
