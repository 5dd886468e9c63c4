/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file snapshot.h
 * \brief The whole state of a chip, NVM and volatile, as bytes: save it,
 *        restore it later into the same or another chip, and the chip goes
 *        on exactly as it would have (issue 15 item 3; docs/image-format.md,
 *        "Snapshots").
 *
 * Layout: magic "STSESNAP" (8) · version (2) · image length (4) · the NVM
 * as an image of the current format (its own SHA-256 inside) · volatile
 * state (ephemeral key slot, password verified, hibernation, I2C address
 * in use, I2C slave state, busy-until time, the command's curve, the
 * pending response) · SHA-256 of every byte before it (32).
 * A snapshot holds the private keys and the seed: keep it as secret as
 * the image. Counters, faults armed, timing settings are not chip state
 * and are not in it.
 */
#ifndef STSAFE_EMU_SNAPSHOT_H
#define STSAFE_EMU_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/emulator/chip.h"
#include "stsafe/emulator/image.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_EMU_SNAPSHOT_MAGIC     "STSESNAP"
#define STSAFE_EMU_SNAPSHOT_VERSION   1u
/** Upper bound of a snapshot, for buffers. */
#define STSAFE_EMU_SNAPSHOT_MAX_SIZE  (STSAFE_EMU_IMAGE_MAX_SIZE + 512u + STSAFE_A110_MAX_FRAME_LEN)

/**
 * \brief Write the state of \p chip into \p out.
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_BUFFER_TOO_SMALL; STSAFE_ERR_CRYPTO.
 */
int stsafe_emu_snapshot_save(const stsafe_emu_chip *chip, uint8_t *out, size_t cap, size_t *out_len);

/**
 * \brief Make \p chip the chip of the snapshot: NVM and volatile state
 *        replaced whole, only when the snapshot is valid (nothing changes
 *        otherwise). The chip's timing settings, counters and random source
 *        callback stay; its NVM is marked for saving.
 * \return 0; STSAFE_ERR_BAD_INPUT; STSAFE_ERR_IMAGE_FORMAT (not a snapshot,
 *         or malformed); STSAFE_ERR_IMAGE_VERSION; STSAFE_ERR_IMAGE_CHECKSUM;
 *         STSAFE_ERR_ALLOC.
 */
int stsafe_emu_snapshot_restore(stsafe_emu_chip *chip, const uint8_t *snap, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_EMU_SNAPSHOT_H */
