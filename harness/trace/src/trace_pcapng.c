/* SPDX-License-Identifier: BSD-3-Clause */
/* A trace written as pcapng (pcapng.h), by hand: the format is three block
 * kinds of little-endian words (IETF draft "PCAP Next Generation Dump File
 * Format"; LINKTYPE_I2C_LINUX as Wireshark's wiretap reads it). */
#include "stsafe/trace/pcapng.h"

#include <stdlib.h>
#include <string.h>

#include "stsafe/protocol/error.h"
#include "stsafe/trace/trace.h"

#define BLOCK_SHB 0x0A0D0D0Au
#define BLOCK_IDB 0x00000001u
#define BLOCK_EPB 0x00000006u
#define OPT_END 0u
#define OPT_COMMENT 1u
#define OPT_IF_TSRESOL 9u
#define PSEUDO_HEADER 5u

typedef struct {
    uint8_t *p;
    size_t len;
} block;

static void put8(block *b, uint8_t v)
{
    b->p[b->len++] = v;
}

static void put16(block *b, uint16_t v)
{
    put8(b, (uint8_t)v);
    put8(b, (uint8_t)(v >> 8));
}

static void put32(block *b, uint32_t v)
{
    put16(b, (uint16_t)v);
    put16(b, (uint16_t)(v >> 16));
}

static void put_bytes(block *b, const void *p, size_t n)
{
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void pad4(block *b)
{
    while (b->len % 4)
        put8(b, 0);
}

static void option(block *b, uint16_t code, const void *value, uint16_t n)
{
    put16(b, code);
    put16(b, n);
    put_bytes(b, value, n);
    pad4(b);
}

/* Patches the total length at both ends and writes the block. */
static int emit(FILE *out, block *b)
{
    put32(b, 0);
    uint32_t total = (uint32_t)b->len;
    for (unsigned i = 0; i < 4; i++) {
        b->p[4 + i] = (uint8_t)(total >> (8 * i));
        b->p[total - 4 + i] = (uint8_t)(total >> (8 * i));
    }
    return fwrite(b->p, 1, total, out) == total ? 0 : STSAFE_ERR_IO;
}

static int write_headers(FILE *out, uint8_t *buf)
{
    block b = {buf, 0};
    put32(&b, BLOCK_SHB);
    put32(&b, 0);               /* total length, patched */
    put32(&b, 0x1A2B3C4Du);     /* byte-order magic */
    put16(&b, 1);               /* version 1.0 */
    put16(&b, 0);
    put32(&b, 0xFFFFFFFFu);     /* section length: not given */
    put32(&b, 0xFFFFFFFFu);
    int err = emit(out, &b);
    if (err)
        return err;
    static const uint8_t nanoseconds = 9;
    b.len = 0;
    put32(&b, BLOCK_IDB);
    put32(&b, 0);
    put16(&b, (uint16_t)STSAFE_PCAPNG_LINKTYPE_I2C_LINUX);
    put16(&b, 0);               /* reserved */
    put32(&b, 0);               /* snap length: no limit */
    option(&b, OPT_IF_TSRESOL, &nanoseconds, 1);
    put32(&b, OPT_END);         /* opt_endofopt: code 0, length 0 */
    return emit(out, &b);
}

static int write_packet(FILE *out, uint8_t *buf, const stsafe_trace_msg *m)
{
    block b = {buf, 0};
    uint32_t flags = m->read ? STSAFE_PCAPNG_I2C_M_RD : 0;
    uint32_t caplen = (uint32_t)(PSEUDO_HEADER + 1 + m->len);
    put32(&b, BLOCK_EPB);
    put32(&b, 0);
    put32(&b, 0);                                   /* interface 0 */
    put32(&b, (uint32_t)(m->time_ns >> 32));        /* timestamp, in if_tsresol units */
    put32(&b, (uint32_t)m->time_ns);
    put32(&b, caplen);
    put32(&b, caplen);
    put8(&b, 0);                                    /* bus 0; bit 7 clear: a message */
    for (int shift = 24; shift >= 0; shift -= 8)    /* flags, big-endian */
        put8(&b, (uint8_t)(flags >> shift));
    put8(&b, (uint8_t)(m->addr << 1 | (m->read ? 1 : 0)));
    put_bytes(&b, m->data, m->len);
    pad4(&b);
    if (!m->ack)
        option(&b, OPT_COMMENT, "NACK", 4);
    if (m->repeated_start)
        option(&b, OPT_COMMENT, "Sr", 2);
    if (!m->ack || m->repeated_start)
        put32(&b, OPT_END);
    return emit(out, &b);
}

int stsafe_trace_pcapng_write(FILE *out, const char *text, size_t len, uint64_t *messages,
                              unsigned *bad_line)
{
    stsafe_trace_reader r;
    stsafe_trace_msg *m = malloc(sizeof *m);
    uint8_t *buf = malloc(STSAFE_TRACE_MAX_DATA + 128u);
    uint64_t n = 0;
    int rc = 0, err = (!m || !buf) ? STSAFE_ERR_ALLOC : 0;
    if (!err && (!out || !text))
        err = STSAFE_ERR_BAD_INPUT;
    if (!err)
        err = write_headers(out, buf);
    stsafe_trace_reader_init(&r, text, len);
    while (!err && (rc = stsafe_trace_next(&r, m)) == 1) {
        err = write_packet(out, buf, m);
        n += err == 0;
    }
    if (!err && rc != 0) {
        err = STSAFE_ERR_TRACE_SYNTAX;
        if (bad_line)
            *bad_line = r.line;
    }
    if (messages)
        *messages = n;
    free(m);
    free(buf);
    return err;
}
