/* SPDX-License-Identifier: BSD-3-Clause */
/* Replay of a redacted command: what is sent instead (docs/trace-format.md,
 * "Replaying a redacted trace"). Internal to the trace module. */
#ifndef STSAFE_TRACE_SUBSTITUTE_H
#define STSAFE_TRACE_SUBSTITUTE_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/emulator/chip.h"

/**
 * \brief The command to send for the redacted command \p cmd: its secret
 *        bytes (redact.h) filled in, its C-MAC and CRC made again.
 *        - Verify Password: the emulator's own password when the recorded
 *          answer (\p answer, the longest read, may be NULL) says verified,
 *          else that password with its first byte inverted (a wrong try);
 *        - Put Attribute (password, host keys), Wrap Local Envelope: the
 *          marker bytes (the recorded secret is unknown).
 * \param out       Receives \p len bytes.
 * \param by_structure  Set to 1 when the answer can only be compared by
 *                  status and length (it rests on the substitute: an
 *                  envelope, an R-MAC).
 * \return 0; STSAFE_ERR_BAD_INPUT (nothing to substitute); STSAFE_ERR_CRYPTO.
 */
int stsafe_trace_substitute(const stsafe_emu_chip *chip, const uint8_t *cmd, size_t len,
                            const uint8_t *answer, size_t answer_len, uint8_t *out,
                            int *by_structure);

#endif /* STSAFE_TRACE_SUBSTITUTE_H */
