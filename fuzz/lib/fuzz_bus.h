/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file fuzz_bus.h
 * \brief A malicious chip on a fake bus: every read returns bytes of the
 *        fuzz input, for fuzz_host_response (docs/fuzzing.md).
 *
 * The input is cut into responses with the record rule of fuzz_split.h.
 * By default a response belongs to one command: the first write takes the
 * first response, the next write the next one, and every read in between
 * starts at the first byte of it, as on the real chip. In per-read mode
 * every read transaction takes the next response instead, so the two reads
 * of one answer (5 bytes, then the whole frame) can disagree. Bytes read
 * past a response's end are 0xFF (an idle bus). An empty response, or none
 * left, is a NACK. A response whose record has the flag set gets its CRC
 * made right, where its length field puts it, so that mutated answers get
 * past the client's CRC check. Every frame the host writes must be a
 * well-formed command frame (asserted).
 */
#ifndef STSE_FUZZ_BUS_H
#define STSE_FUZZ_BUS_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz_split.h"
#include "stsafe/bus/bus.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Room for a response whose CRC is made right (the length field reaches 65537). */
#define FUZZ_BUS_FIXED_MAX 1024u

typedef struct {
    fuzz_split responses;
    int per_read;           /**< 1: one response per read transaction. */
    const uint8_t *cur;     /**< The response being read, or NULL. */
    size_t cur_len;
    size_t writes;          /**< Frames the host wrote. */
    size_t reads;           /**< Read transactions, NACKed ones included. */
    uint8_t fixed[FUZZ_BUS_FIXED_MAX]; /**< The response with its CRC made right. */
} fuzz_bus;

/**
 * \brief Set up the fake chip and the bus that reaches it.
 * \param data      The responses (records); not copied.
 * \param per_read  1 for a new response on every read transaction.
 */
void fuzz_bus_init(fuzz_bus *fb, stsafe_bus *bus, const uint8_t *data, size_t len, int per_read);

#ifdef __cplusplus
}
#endif

#endif /* STSE_FUZZ_BUS_H */
