/* SPDX-License-Identifier: BSD-3-Clause */
/* The fuzz targets' invariants as pure predicates. Built without
 * libFuzzer's comparison tracing: see fuzz_bytes_equal(). */
#include "fuzz_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/status.h"

_Noreturn void fuzz_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "fuzz invariant violated: %s (%s:%d)\n", what, file, line);
    fflush(stderr);
    abort();
}

int fuzz_bytes_equal(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    uint8_t diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (uint8_t)(x[i] ^ y[i]);
    return diff == 0;
}

void fuzz_secrets_clear(fuzz_secrets *s)
{
    memset(s, 0, sizeof *s);
}

static void add_slot(fuzz_secrets *s, const stsafe_emu_key_slot *slot)
{
    size_t len = stsafe_curve_size(slot->curve);
    if (!slot->present || len == 0 || len > STSAFE_EMU_MAX_SCALAR_LEN || s->count >= FUZZ_MAX_SECRETS)
        return;
    memcpy(s->value[s->count], slot->priv, len);
    s->len[s->count++] = len;
}

void fuzz_secrets_add_chip(fuzz_secrets *s, const stsafe_emu_chip *chip)
{
    for (unsigned i = 0; i < STSAFE_EMU_MAX_KEY_SLOTS; i++)
        add_slot(s, &chip->nvm.key_slots[i]);
    add_slot(s, &chip->vol.ephemeral);
}

static int contains(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t n)
{
    for (size_t i = 0; n && i + n <= hay_len; i++)
        if (hay[i] == needle[0] && fuzz_bytes_equal(hay + i, needle, n))
            return 1;
    return 0;
}

static int one_byte_repeated(const uint8_t *p, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (p[i] != p[0])
            return 0;
    return 1;
}

/* The window at \p at, or the whole secret when it is shorter than a window. */
static int window_found(const uint8_t *hay, size_t hay_len, const uint8_t *secret, size_t len,
                        size_t at)
{
    size_t n = len < FUZZ_SECRET_WINDOW ? len : FUZZ_SECRET_WINDOW;
    return !one_byte_repeated(secret + at, n) && contains(hay, hay_len, secret + at, n);
}

static int contains_forward(const uint8_t *hay, size_t hay_len, const uint8_t *secret, size_t len)
{
    if (len <= FUZZ_SECRET_WINDOW)
        return window_found(hay, hay_len, secret, len, 0);
    for (size_t at = 0; at + FUZZ_SECRET_WINDOW < len; at += 8)
        if (window_found(hay, hay_len, secret, len, at))
            return 1;
    return window_found(hay, hay_len, secret, len, len - FUZZ_SECRET_WINDOW);
}

int fuzz_contains_secret(const uint8_t *hay, size_t hay_len, const uint8_t *secret, size_t len)
{
    uint8_t rev[STSAFE_EMU_MAX_SCALAR_LEN];
    if (len == 0 || len > sizeof rev)
        return 0;
    for (size_t i = 0; i < len; i++)
        rev[i] = secret[len - 1 - i];
    return contains_forward(hay, hay_len, secret, len) || contains_forward(hay, hay_len, rev, len);
}

int fuzz_leaks_secret(const uint8_t *buf, size_t len, const fuzz_secrets *s)
{
    for (size_t i = 0; i < s->count; i++)
        if (fuzz_contains_secret(buf, len, s->value[i], s->len[i]))
            return 1;
    return 0;
}

int fuzz_nvm_same(const stsafe_emu_nvm *before, const stsafe_emu_nvm *after, const uint8_t *frame,
                  size_t frame_len)
{
    stsafe_cmd_frame cmd;
    if (fuzz_bytes_equal(before, after, sizeof *before))
        return 1;
    if (!frame || stsafe_cmd_frame_decode(frame, frame_len, STSAFE_A110_MAX_FRAME_LEN, &cmd) != 0 ||
        !(cmd.header & STSAFE_HDR_CMAC))
        return 0;
    /* the one change allowed: the counter of an accepted C-MAC */
    stsafe_emu_nvm *counted = malloc(sizeof *counted);
    if (!counted)
        return 0;
    memcpy(counted, before, sizeof *counted);
    counted->host_keys.cmac_counter++;
    int same = fuzz_bytes_equal(counted, after, sizeof *counted);
    free(counted);
    return same;
}

int fuzz_counters_ok(const stsafe_emu_nvm *before, const stsafe_emu_nvm *after)
{
    if (before->zone_count != after->zone_count)
        return 0;
    for (unsigned i = 0; i < before->zone_count && i < STSAFE_EMU_MAX_ZONES; i++) {
        const stsafe_emu_zone *b = &before->zones[i], *a = &after->zones[i];
        if (a->type != b->type || a->size != b->size || a->offset != b->offset)
            return 0;
        if (b->type == STSAFE_ZONE_COUNTER && a->counter > b->counter)
            return 0;
    }
    if (before->host_keys.present) {
        uint32_t b = before->host_keys.cmac_counter, a = after->host_keys.cmac_counter;
        if (!after->host_keys.present || (a != b && a != b + 1))
            return 0;
    }
    return 1;
}

int fuzz_response_ok(const uint8_t *rsp, size_t len)
{
    stsafe_rsp_frame r;
    if (len > STSAFE_A110_MAX_FRAME_LEN || stsafe_rsp_frame_decode(rsp, len, &r) != 0)
        return 0;
    return (r.status & STSAFE_STATUS_CODE_MASK) == STSAFE_ST_OK || r.data_len == 0;
}
