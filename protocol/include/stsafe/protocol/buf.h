/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file buf.h
 * \brief Bounds-checked big-endian readers and writers for payload codecs.
 *
 * Both keep a sticky error: after the first overrun every further call is a
 * no-op, so a codec reads or writes all its fields and checks once at the
 * end. All multi-byte integers on the STSAFE-A wire are big-endian (facts
 * page, section 6a).
 */
#ifndef STSAFE_BUF_H
#define STSAFE_BUF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Reads fields from a byte string; never reads past \c len. */
typedef struct {
    const uint8_t *p;
    size_t len;
    size_t pos;
    int err; /**< 0, or STSAFE_ERR_CODEC_TRUNCATED after an overrun. */
} stsafe_reader;

/** Writes fields into a caller buffer; never writes past \c cap. */
typedef struct {
    uint8_t *p;
    size_t cap;
    size_t len;
    int err; /**< 0, or STSAFE_ERR_BUFFER_TOO_SMALL after an overrun. */
} stsafe_writer;

void stsafe_reader_init(stsafe_reader *r, const uint8_t *p, size_t len);
uint8_t stsafe_rd_u8(stsafe_reader *r);
uint16_t stsafe_rd_u16(stsafe_reader *r);
uint32_t stsafe_rd_u24(stsafe_reader *r);
uint32_t stsafe_rd_u32(stsafe_reader *r);
/** \return A pointer to the next \p n bytes inside the input, or NULL on overrun. */
const uint8_t *stsafe_rd_bytes(stsafe_reader *r, size_t n);
/** \brief Bytes not read yet (0 after an error). */
size_t stsafe_rd_remaining(const stsafe_reader *r);
/**
 * \brief Close a read that must consume the whole input.
 * \return 0; STSAFE_ERR_CODEC_TRUNCATED after an overrun;
 *         STSAFE_ERR_CODEC_TRAILING when bytes are left.
 */
int stsafe_rd_finish(const stsafe_reader *r);

void stsafe_writer_init(stsafe_writer *w, uint8_t *p, size_t cap);
void stsafe_wr_u8(stsafe_writer *w, uint8_t v);
void stsafe_wr_u16(stsafe_writer *w, uint16_t v);
void stsafe_wr_u24(stsafe_writer *w, uint32_t v);
void stsafe_wr_u32(stsafe_writer *w, uint32_t v);
/** \brief Append \p n bytes; \p src may be NULL only when \p n is 0. */
void stsafe_wr_bytes(stsafe_writer *w, const uint8_t *src, size_t n);

/** \brief Store \p v big-endian at \p out (2 bytes). */
void stsafe_put_u16(uint8_t *out, uint16_t v);
/** \brief Load a big-endian 16-bit value from \p in. */
uint16_t stsafe_get_u16(const uint8_t *in);
void stsafe_put_u32(uint8_t *out, uint32_t v);
uint32_t stsafe_get_u32(const uint8_t *in);

/** \brief 1 when the \p n bytes at \p a and \p b are equal, in a time that does
 *         not depend on where they differ (MACs, passwords). */
int stsafe_equal_ct(const uint8_t *a, const uint8_t *b, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_BUF_H */
