/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file chip_info.h
 * \brief What a trace says about the chip it was recorded from: the SHA-256
 *        of its image and, only when the recording was asked to carry
 *        secrets (--trace-secrets), its seed (docs/trace-format.md,
 *        "The chip's seed and image").
 *
 * Both are comment lines of the trace's header, before its first message:
 *     # chip-image-sha256: 64 hex digits
 *     # chip-seed: 64 hex digits
 * so every reader of format 1 still reads the trace. With both, and an
 * image whose SHA-256 and seed agree, replay compares every answer byte
 * for byte, random ones included.
 */
#ifndef STSAFE_TRACE_CHIP_INFO_H
#define STSAFE_TRACE_CHIP_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/emulator/nvm.h"
#include "stsafe/trace/writer.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_TRACE_IMAGE_TAG "chip-image-sha256:"
#define STSAFE_TRACE_SEED_TAG  "chip-seed:"

typedef struct {
    int has_image;              /**< A chip-image-sha256 line was in the header. */
    uint8_t image_sha256[32];
    int has_seed;               /**< A chip-seed line was in the header. */
    uint8_t seed[STSAFE_EMU_SEED_LEN];
} stsafe_trace_chip_info;

/**
 * \brief The SHA-256 of \p nvm serialised as an image of the current format
 *        (for an image of the current format: the SHA-256 of its file).
 * \return 0; STSAFE_ERR_ALLOC; the errors of stsafe_emu_image_serialize().
 */
int stsafe_trace_chip_digest(const stsafe_emu_nvm *nvm, uint8_t out[32]);

/**
 * \brief Write the header lines for \p nvm, the chip at the start of the
 *        recording: its image's SHA-256, and its seed when \p with_seed
 *        (the seed is as secret as the keys: the caller makes the file
 *        private). A chip without a seed gets no seed line.
 * \return 0; the errors of stsafe_trace_chip_digest().
 */
int stsafe_trace_writer_chip(stsafe_trace_writer *w, const stsafe_emu_nvm *nvm, int with_seed);

/**
 * \brief Read the header lines of a trace (the comment lines before its
 *        first message). Absent lines leave has_image / has_seed 0; a
 *        malformed one is ignored as any other comment.
 */
void stsafe_trace_chip_info_read(const char *text, size_t len, stsafe_trace_chip_info *info);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_TRACE_CHIP_INFO_H */
