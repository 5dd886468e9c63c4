/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file fuzz_split.h
 * \brief How a fuzz input carries several frames (docs/fuzzing.md).
 *
 * An input is a list of records: a 2-byte big-endian head, then the
 * record's bytes. Bits 14..0 of the head are the length, bit 15 a flag
 * whose meaning is the target's: fuzz_command_sequence recomputes the
 * frame's C-MAC, fuzz_host_response the response's CRC. A length past the
 * end of the input takes what is left; a single byte left over at the end
 * is ignored.
 */
#ifndef STSE_FUZZ_SPLIT_H
#define STSE_FUZZ_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FUZZ_SPLIT_HEAD     2u        /**< Bytes of the head. */
#define FUZZ_SPLIT_FLAG     0x8000u   /**< The flag bit of the head. */
#define FUZZ_SPLIT_MAX_LEN  0x7FFFu   /**< The longest record. */

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t pos;
} fuzz_split;

/** \brief Read records from \p data (not copied; must outlive the reader). */
void fuzz_split_init(fuzz_split *s, const uint8_t *data, size_t len);

/**
 * \brief The next record.
 * \param flag  Receives 1 when the head's flag is set (may be NULL).
 * \return 1 with \p rec and \p rec_len set (rec_len may be 0); 0 at the end.
 */
int fuzz_split_next(fuzz_split *s, const uint8_t **rec, size_t *rec_len, int *flag);

/**
 * \brief Append a record (head and bytes) to \p out, which holds \p *len
 *        bytes (the corpus generator writes inputs with it).
 * \return 0; -1 when \p cap is too small or \p rec_len over FUZZ_SPLIT_MAX_LEN.
 */
int fuzz_split_append(uint8_t *out, size_t cap, size_t *len, const uint8_t *rec, size_t rec_len,
                      int flag);

#ifdef __cplusplus
}
#endif

#endif /* STSE_FUZZ_SPLIT_H */
