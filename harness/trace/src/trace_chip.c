/* SPDX-License-Identifier: BSD-3-Clause */
/* The chip lines of a trace's header (chip_info.h). Kept apart from the
 * writer, which the i2c-dev shim builds without the emulator. */
#include "stsafe/trace/chip_info.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>

#include "stsafe/emulator/image.h"
#include "stsafe/protocol/error.h"

int stsafe_trace_chip_digest(const stsafe_emu_nvm *nvm, uint8_t out[32])
{
    size_t len = 0;
    uint8_t *img = malloc(STSAFE_EMU_IMAGE_MAX_SIZE);
    if (!img)
        return STSAFE_ERR_ALLOC;
    int err = stsafe_emu_image_serialize(nvm, img, STSAFE_EMU_IMAGE_MAX_SIZE, &len);
    if (!err && mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), img, len, out) != 0)
        err = STSAFE_ERR_CRYPTO;
    memset(img, 0, STSAFE_EMU_IMAGE_MAX_SIZE);
    free(img);
    return err;
}

static void hex_line(stsafe_trace_writer *w, const char *tag, const uint8_t *p, size_t n)
{
    char text[128];
    size_t at = (size_t)snprintf(text, sizeof text, "%s ", tag);
    for (size_t i = 0; i < n && at + 2 < sizeof text; i++)
        at += (size_t)snprintf(text + at, sizeof text - at, "%02x", p[i]);
    stsafe_trace_writer_comment(w, text);
    memset(text, 0, sizeof text);
}

int stsafe_trace_writer_chip(stsafe_trace_writer *w, const stsafe_emu_nvm *nvm, int with_seed)
{
    uint8_t digest[32];
    if (!w || !nvm)
        return STSAFE_ERR_BAD_INPUT;
    int err = stsafe_trace_chip_digest(nvm, digest);
    if (err)
        return err;
    hex_line(w, STSAFE_TRACE_IMAGE_TAG, digest, sizeof digest);
    if (with_seed && nvm->entropy.seeded)
        hex_line(w, STSAFE_TRACE_SEED_TAG, nvm->entropy.seed, STSAFE_EMU_SEED_LEN);
    return 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "TAG HEX" in [p, end) after "#" and blanks: 1 with the 32 bytes in out. */
static int tagged(const char *p, const char *end, const char *tag, uint8_t out[32])
{
    size_t tl = strlen(tag);
    if ((size_t)(end - p) < tl || memcmp(p, tag, tl) != 0)
        return 0;
    p += tl;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    for (size_t i = 0; i < 32; i++) {
        int hi = p + 1 < end ? hex_value(p[0]) : -1, lo = p + 1 < end ? hex_value(p[1]) : -1;
        if (hi < 0 || lo < 0)
            return 0;
        out[i] = (uint8_t)(hi << 4 | lo);
        p += 2;
    }
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    return p == end;
}

void stsafe_trace_chip_info_read(const char *text, size_t len, stsafe_trace_chip_info *info)
{
    memset(info, 0, sizeof *info);
    const char *p = text, *end = text + len;
    int first = 1;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end, *q = p;
        while (q < le && (*q == ' ' || *q == '\t'))
            q++;
        if (!first && q < le && *q != '#' && *q != '\r')
            return; /* the first message: the header is over */
        if (q < le && *q == '#') {
            q++;
            while (q < le && (*q == ' ' || *q == '\t'))
                q++;
            if (tagged(q, le, STSAFE_TRACE_IMAGE_TAG, info->image_sha256))
                info->has_image = 1;
            else if (tagged(q, le, STSAFE_TRACE_SEED_TAG, info->seed))
                info->has_seed = 1;
        }
        first = 0;
        p = nl ? nl + 1 : NULL;
    }
}
