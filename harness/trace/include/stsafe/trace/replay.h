/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file trace_replay.h
 * \brief Replay: send a trace's commands to an emulated chip and compare
 *        every read with the recording (`stsafe-emu replay`).
 *
 * Answers are compared byte for byte, except where the chip's answer
 * rests on its random source (docs/trace-format.md, "Replay"):
 * - Generate Random: the same status and length;
 * - Generate Key: the same status and length, and both points on the curve
 *   (the recorded point becomes the slot's key for what follows);
 * - Generate Signature: the same status and length, and both signatures
 *   verify over the command's digest, the recorded one with the recorded
 *   chip's key, the emulator's with its own;
 * - Establish Key and local envelopes, once the trace generated a key: the
 *   same status and length.
 * A field that cannot be read (an encrypted payload) leaves the status and
 * length check alone. Everything else must match byte for byte.
 */
#ifndef STSAFE_TRACE_REPLAY_H
#define STSAFE_TRACE_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/emulator/chip.h"
#include "stsafe/trace/script.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a replay did, and its first difference. */
typedef struct {
    uint64_t commands;          /**< Commands sent. */
    uint64_t reads;             /**< Reads compared. */
    uint64_t identical;         /**< Reads equal byte for byte. */
    uint64_t by_structure;      /**< Random answers checked by status and length only. */
    uint64_t verified;          /**< Signatures verified, points checked on the curve. */
    uint64_t i2c_bytes;         /**< Data bytes written and read. */
    uint64_t redacted_substituted; /**< Redacted commands sent with a substitute for their
                                 *   secret (docs/trace-format.md, "Redaction"). */
    uint64_t redacted_skipped;  /**< Redacted commands not sent (no substitute could be made):
                                 *   their answers were not compared. */
    uint64_t redacted_reads;    /**< Redacted answers compared outside their redacted bytes. */
    int exact;                  /**< Every answer was compared byte for byte. */
    unsigned line;              /**< The trace line of the first difference (0: none). */
    char message[1024];         /**< The first difference, for people (several lines). */
} stsafe_replay_report;

/**
 * \brief Replay \p script against \p chip, a chip freshly loaded from the
 *        image the trace was recorded with. The chip's timing is set to
 *        none (it answers at once; the recording's busy NACKs are skipped).
 * \return 0 when every read matched; STSAFE_ERR_TRACE_MISMATCH (report->line
 *         and report->message say where and how); STSAFE_ERR_BAD_INPUT;
 *         STSAFE_ERR_CRYPTO.
 */
int stsafe_trace_replay(const stsafe_trace_script *script, stsafe_emu_chip *chip,
                        stsafe_replay_report *report);

/**
 * \brief Replay as stsafe_trace_replay(), and with \p exact set compare
 *        every answer byte for byte, random ones included: for a chip that
 *        has the recorded chip's seed and image (chip_info.h), whose
 *        random bytes are the recorded ones (docs/image-format.md, section 9).
 */
int stsafe_trace_replay_exact(const stsafe_trace_script *script, stsafe_emu_chip *chip, int exact,
                              stsafe_replay_report *report);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_TRACE_REPLAY_H */
