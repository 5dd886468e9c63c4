/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file testvec.h
 * \brief Reading the line-oriented vector files under vectors/ in tests.
 *
 * A vector line is whitespace-separated fields; '#' starts a comment that
 * runs to the end of the line (kept, for failure messages). Blank and
 * comment-only lines are skipped.
 */
#ifndef STSE_TESTVEC_H
#define STSE_TESTVEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TESTVEC_MAX_FIELDS 16
#define TESTVEC_LINE_MAX   16384

typedef struct {
    FILE *f;
    char path[512];
    int lineno;
    char line[TESTVEC_LINE_MAX];
    char *field[TESTVEC_MAX_FIELDS];
    int nfields;
    const char *comment;   /**< Text after '#', or "". */
} testvec_file;

/** Open vectors/<relpath>; fails the running test when it cannot. */
void testvec_open(testvec_file *tv, const char *relpath);
/** Next vector line: 1, or 0 at the end of the file. */
int testvec_next(testvec_file *tv);
void testvec_close(testvec_file *tv);
/** Decode a hex field ('-' is empty); fails the running test on bad hex. Returns the length. */
size_t testvec_hex(const testvec_file *tv, int field, uint8_t *out, size_t cap);

#endif
