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
 * \return 0; STSAFE_ERR_IMAGE_FORMAT (not an image, or malformed);
 *         STSAFE_ERR_IMAGE_VERSION; STSAFE_ERR_IMAGE_CHECKSUM (corrupted).
 */
int stsafe_emu_image_parse(const uint8_t *img, size_t len, stsafe_emu_nvm *nvm);

/**
 * \brief Save through a storage backend, crash-safely: create NAME.tmp, write
 *        it in 512-byte pieces, sync it, rename it over NAME, sync the folder
 *        (docs/persistence.md). A power cut at any step leaves NAME either
 *        old or new, never a mix; once this returns 0 the new image is durable.
 * \param st    The backend (stsafe_emu_storage_posix(), a stsafe_emu_memfs, ...).
 * \param name  The image's name in the backend (a path for POSIX).
 * \param nvm   The state to save.
 * \return 0; STSAFE_ERR_IO (the backend failed, errno kept; NAME.tmp is
 *         removed when it can be; NAME is the old image, or the new one
 *         when only the final folder sync failed); STSAFE_ERR_BAD_INPUT
 *         (a NULL argument, a name too long for NAME.tmp); STSAFE_ERR_ALLOC;
 *         the serialise errors.
 */
int stsafe_emu_image_save_to(const stsafe_emu_storage *st, const char *name, const stsafe_emu_nvm *nvm);

/**
 * \brief Load and check the image NAME from a storage backend; \p nvm is
 *        written only when the whole image is valid (never reset to a default).
 * \param st    The backend.
 * \param name  The image's name in the backend; NAME.tmp is never read.
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

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_EMU_IMAGE_H */
