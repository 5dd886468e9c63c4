/* SPDX-License-Identifier: BSD-3-Clause */
/* The chip's records in words, for both tools: the decoded Query answers
 * (stsafe-cli query, stsafe-cli info, stsafe-emu info --bus) and the names
 * stsafe-emu info uses for an image. */
#ifndef STSE_TOOL_DESCRIBE_H
#define STSE_TOOL_DESCRIBE_H

#include <stdint.h>
#include <stdio.h>

#include "stsafe/protocol/codec.h"
#include "tool_common.h"

/** A life-cycle state's name ("operational", ...; "unknown" for other values). */
const char *tool_life_cycle_name(uint8_t state);

/** A zone access condition's name ("always", "host", "auth+host", "never", "reserved"). */
const char *tool_zone_ac_name(uint8_t ac);

/** The heading of tool_print_zone()'s table. */
void tool_print_zone_heading(FILE *f);

/** One zone as a row of a table: index, type, size, read and update AC, counter. */
void tool_print_zone(FILE *f, uint8_t index, uint8_t type, uint16_t size, uint8_t access,
                     uint32_t counter);

/**
 * \brief Print the answer of Query \p tag in named fields, one "name: value"
 *        per line (tables as rows).
 * \return 0; STSAFE_ERR_UNSUPPORTED for a tag with no decoder (print it in
 *         hex instead); a codec error when the data does not decode.
 */
int tool_print_query(FILE *f, uint8_t tag, const uint8_t *data, size_t len);

/**
 * \brief What the chip says of itself through Query alone: product data,
 *        life cycle, partition, key slots, host keys, password, I2C.
 *        Works on any session (image, server, real chip).
 * \return TOOL_EXIT_OK, or TOOL_EXIT_FAIL with the failed query printed.
 */
int tool_print_chip_info(tool_session *s, const char *prog);

#endif
