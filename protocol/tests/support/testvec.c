/* SPDX-License-Identifier: BSD-3-Clause */
#include "testvec.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "stsafe/protocol/hex.h"

void testvec_open(testvec_file *tv, const char *relpath)
{
    memset(tv, 0, sizeof *tv);
    snprintf(tv->path, sizeof tv->path, "%s/%s", STSE_EMU_VECTORS_DIR, relpath);
    tv->f = fopen(tv->path, "r");
    if (!tv->f)
        fail_msg("cannot open vector file %s", tv->path);
}

int testvec_next(testvec_file *tv)
{
    while (fgets(tv->line, sizeof tv->line, tv->f)) {
        tv->lineno++;
        tv->line[strcspn(tv->line, "\r\n")] = '\0';
        char *hash = strchr(tv->line, '#');
        tv->comment = "";
        if (hash) {
            *hash = '\0';
            tv->comment = hash + 1;
            while (*tv->comment == ' ')
                tv->comment++;
        }
        tv->nfields = 0;
        for (char *tok = strtok(tv->line, " \t"); tok && tv->nfields < TESTVEC_MAX_FIELDS;
             tok = strtok(NULL, " \t"))
            tv->field[tv->nfields++] = tok;
        if (tv->nfields > 0)
            return 1;
    }
    return 0;
}

void testvec_close(testvec_file *tv)
{
    if (tv->f)
        fclose(tv->f);
    tv->f = NULL;
}

size_t testvec_hex(const testvec_file *tv, int field, uint8_t *out, size_t cap)
{
    size_t n = 0;
    if (field >= tv->nfields)
        fail_msg("%s:%d: missing field %d", tv->path, tv->lineno, field + 1);
    if (strcmp(tv->field[field], "-") == 0)
        return 0;
    if (stsafe_hex_decode(tv->field[field], out, cap, &n) != 0)
        fail_msg("%s:%d: bad hex in field %d", tv->path, tv->lineno, field + 1);
    return n;
}
