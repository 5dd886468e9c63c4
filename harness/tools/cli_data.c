/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-cli: the data commands (echo, random, query, read, update,
 * decrement, cert, frame). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pem.h>
#include <mbedtls/x509_crt.h>

#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/hex.h"
#include "cli.h"
#include "tool_common.h"

static const char *prog = CLI_PROG;

#define MAX_READ_CHUNK 256u  /* well below the A110 limit of 502 data bytes */

int cli_do_echo(tool_session *s, const cli_args *a)
{
    uint8_t msg[STSAFE_A110_MAX_FRAME_LEN], out[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0;
    if (a->npositional != 1) {
        tool_error(prog, "echo needs one HEX argument");
        return TOOL_EXIT_USAGE;
    }
    if (cli_hex_arg(a->positional[0], msg, sizeof msg, &n))
        return TOOL_EXIT_USAGE;
    int err = stsafe_client_echo(&s->dev.client, msg, n, out);
    if (err)
        return cli_report(err, "echo");
    tool_print_hex(stdout, out, n);
    return TOOL_EXIT_OK;
}

int cli_do_random(tool_session *s, const cli_args *a)
{
    unsigned long n = 0;
    uint8_t out[255];
    if (a->npositional != 1 || tool_parse_uint(a->positional[0], 255, &n) != 0 || n == 0) {
        tool_error(prog, "random needs a byte count from 1 to 255");
        return TOOL_EXIT_USAGE;
    }
    int err = stsafe_client_random(&s->dev.client, (uint8_t)n, out);
    if (err)
        return cli_report(err, "random");
    tool_print_hex(stdout, out, n);
    return TOOL_EXIT_OK;
}


/* Reads \p len bytes from \p zone in chunks the frame limit allows. */
int cli_read_zone(tool_session *s, uint8_t zone, uint16_t offset, size_t len, uint8_t *out)
{
    for (size_t done = 0; done < len;) {
        size_t chunk = len - done < MAX_READ_CHUNK ? len - done : MAX_READ_CHUNK;
        int err = stsafe_client_read(&s->dev.client, 0, zone, (uint16_t)(offset + done),
                                     (uint16_t)chunk, out + done);
        if (err)
            return err;
        done += chunk;
    }
    return 0;
}

int cli_do_read(tool_session *s, const cli_args *a)
{
    if (cli_need(a, a->zone, "--zone") || cli_need(a, a->length, "--length") || a->npositional) {
        if (a->npositional)
            tool_error(prog, "read takes no positional argument");
        return TOOL_EXIT_USAGE;
    }
    uint8_t *out = malloc((size_t)a->length + 1);
    if (!out)
        return cli_report(STSAFE_ERR_ALLOC, "read");
    uint32_t counter = 0;
    int err = cli_read_zone(s, (uint8_t)a->zone, (uint16_t)a->offset, (size_t)a->length, out);
    if (err == STSAFE_ERR_BUFFER_TOO_SMALL && a->length <= MAX_READ_CHUNK) {
        /* a counter zone answers its counter first */
        err = stsafe_client_read_counter(&s->dev.client, 0, (uint8_t)a->zone, (uint16_t)a->offset,
                                         (uint16_t)a->length, &counter, out);
        if (!err)
            printf("counter %lu\n", (unsigned long)counter);
    }
    if (!err)
        tool_print_hex(stdout, out, (size_t)a->length);
    free(out);
    return err ? cli_report(err, "read") : TOOL_EXIT_OK;
}

int cli_do_update(tool_session *s, const cli_args *a)
{
    uint8_t data[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0;
    if (cli_need(a, a->zone, "--zone"))
        return TOOL_EXIT_USAGE;
    if (a->npositional != 1) {
        tool_error(prog, "update needs one HEX argument");
        return TOOL_EXIT_USAGE;
    }
    if (cli_hex_arg(a->positional[0], data, sizeof data, &n))
        return TOOL_EXIT_USAGE;
    int err = stsafe_client_update(&s->dev.client, 0, (uint8_t)a->zone, (uint16_t)a->offset, data, n);
    if (err)
        return cli_report(err, "update");
    printf("ok\n");
    return TOOL_EXIT_OK;
}

int cli_do_decrement(tool_session *s, const cli_args *a)
{
    uint8_t data[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0;
    uint32_t counter = 0;
    if (cli_need(a, a->zone, "--zone") || cli_need(a, a->amount, "--amount"))
        return TOOL_EXIT_USAGE;
    if (a->npositional > 1 || (a->npositional == 1 && cli_hex_arg(a->positional[0], data, sizeof data, &n)))
        return TOOL_EXIT_USAGE;
    int err = stsafe_client_decrement(&s->dev.client, 0, (uint8_t)a->zone, (uint16_t)a->offset,
                                      (uint32_t)a->amount, data, n, &counter);
    if (err)
        return cli_report(err, "decrement");
    printf("%lu\n", (unsigned long)counter);
    return TOOL_EXIT_OK;
}

/* Length of a DER SEQUENCE from its first bytes (30 81 LL / 30 82 LL LL). */
static size_t der_total_len(const uint8_t *h)
{
    if (h[0] != 0x30)
        return 0;
    if (h[1] < 0x80)
        return 2u + h[1];
    if (h[1] == 0x81)
        return 3u + h[2];
    if (h[1] == 0x82)
        return 4u + (size_t)((h[2] << 8) | h[3]);
    return 0;
}

/* A certificate can only live in a plain zone the chip has: says why not. */
static int check_cert_zone(tool_session *s, long zone)
{
    stsafe_partition_info part;
    int err = stsafe_client_query_partition(&s->dev.client, &part);
    if (err)
        return cli_report(err, "cert read: query partition");
    for (uint8_t i = 0; i < part.count; i++) {
        if (part.zone[i].index != zone)
            continue;
        if (part.zone[i].type == STSAFE_ZONE_PLAIN)
            return TOOL_EXIT_OK;
        tool_error(prog, "zone %ld is a counter zone: certificates live in plain zones "
                         "('stsafe-cli query partition' lists them)", zone);
        return TOOL_EXIT_FAIL;
    }
    tool_error(prog, "the chip has no zone %ld ('stsafe-cli query partition' lists its zones)", zone);
    return TOOL_EXIT_FAIL;
}

/* Reads the DER certificate at the start of \p zone into a new buffer. */
static int cli_read_cert_der(tool_session *s, long zone, uint8_t **der, size_t *len)
{
    uint8_t head[4];
    int err = check_cert_zone(s, zone);
    if (err)
        return err;
    err = cli_read_zone(s, (uint8_t)zone, 0, sizeof head, head);
    if (err)
        return cli_report(err, "cert read");
    *len = der_total_len(head);
    if (*len == 0) {
        tool_error(prog, "zone %ld does not start with a DER certificate", zone);
        return TOOL_EXIT_FAIL;
    }
    *der = malloc(*len);
    if (!*der)
        return cli_report(STSAFE_ERR_ALLOC, "cert read");
    err = cli_read_zone(s, (uint8_t)zone, 0, *len, *der);
    if (err) {
        free(*der);
        *der = NULL;
        return cli_report(err, "cert read");
    }
    return TOOL_EXIT_OK;
}

/* Reads and parses the certificate of \p zone. */
int cli_load_zone_cert(tool_session *s, long zone, mbedtls_x509_crt *crt, uint8_t **der, size_t *len)
{
    int rc = cli_read_cert_der(s, zone, der, len);
    if (rc)
        return rc;
    if (mbedtls_x509_crt_parse_der(crt, *der, *len) != 0) {
        tool_error(prog, "zone %ld holds %zu bytes that do not parse as an X.509 certificate", zone, *len);
        free(*der);
        *der = NULL;
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

int cli_cert_zone(tool_session *s, long zone, uint16_t *size, uint8_t *update_ac)
{
    stsafe_partition_info part;
    int err = stsafe_client_query_partition(&s->dev.client, &part);
    if (err)
        return cli_report(err, "Query data partition");
    for (uint8_t i = 0; i < part.count; i++) {
        if (part.zone[i].index != zone)
            continue;
        if (part.zone[i].type != STSAFE_ZONE_PLAIN) {
            tool_error(prog, "zone %ld is a counter zone; a certificate needs a plain zone", zone);
            return TOOL_EXIT_FAIL;
        }
        *size = part.zone[i].length;
        if (update_ac)
            *update_ac = (uint8_t)((part.zone[i].access >> STSAFE_ZONE_UPDATE_AC_SHIFT) & STSAFE_ZONE_AC_MASK);
        return TOOL_EXIT_OK;
    }
    tool_error(prog, "the chip has no zone %ld", zone);
    return TOOL_EXIT_FAIL;
}

/* cert write --zone N FILE: a PEM or DER certificate into a zone, as DER
 * from offset 0 (a re-signed device certificate, docs/provisioning.md). */
static int cert_write(tool_session *s, const cli_args *a)
{
    mbedtls_x509_crt crt;
    uint16_t room = 0;
    mbedtls_x509_crt_init(&crt);
    int rc = TOOL_EXIT_OK;
    if (mbedtls_x509_crt_parse_file(&crt, a->positional[1]) != 0) {
        tool_error(prog, "'%s' is not a PEM or DER certificate", a->positional[1]);
        rc = TOOL_EXIT_FAIL;
    }
    if (!rc)
        rc = cli_cert_zone(s, a->zone, &room, NULL);
    if (!rc && crt.raw.len > room) {
        tool_error(prog, "zone %ld holds %u bytes; the certificate has %zu: nothing was changed", a->zone, room,
                   crt.raw.len);
        rc = TOOL_EXIT_FAIL;
    }
    for (size_t done = 0; !rc && done < crt.raw.len; done += 200) {
        size_t chunk = crt.raw.len - done < 200 ? crt.raw.len - done : 200;
        int err = stsafe_client_update(&s->dev.client, 0, (uint8_t)a->zone, (uint16_t)done, crt.raw.p + done, chunk);
        if (err)
            rc = cli_report(err, "Update");
    }
    if (!rc)
        printf("certificate (%zu bytes DER) stored in zone %ld\n", crt.raw.len, a->zone);
    mbedtls_x509_crt_free(&crt);
    return rc;
}

int cli_do_cert(tool_session *s, const cli_args *a)
{
    uint8_t *der = NULL;
    size_t len = 0;
    int writing = a->npositional == 2 && !strcmp(a->positional[0], "write");
    if (!writing && (a->npositional != 1 || strcmp(a->positional[0], "read") != 0)) {
        tool_error(prog, "usage: cert read --zone N [--pem] | cert write --zone N FILE");
        return TOOL_EXIT_USAGE;
    }
    if (cli_need(a, a->zone, "--zone"))
        return TOOL_EXIT_USAGE;
    if (writing)
        return cert_write(s, a);
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int rc = cli_load_zone_cert(s, a->zone, &crt, &der, &len);
    if (!rc) {
        char name[512];
        mbedtls_x509_dn_gets(name, sizeof name, &crt.subject);
        printf("subject: %s\n", name);
        mbedtls_x509_dn_gets(name, sizeof name, &crt.issuer);
        printf("issuer: %s\n", name);
        printf("length: %zu bytes (DER)\n", len);
        if (a->pem) {
            unsigned char pem[4096];
            size_t olen = 0;
            if (mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n",
                                         der, len, pem, sizeof pem, &olen) == 0)
                fputs((const char *)pem, stdout);
        }
        free(der);
    }
    mbedtls_x509_crt_free(&crt);
    return rc;
}

int cli_do_frame(tool_session *s, const cli_args *a)
{
    uint8_t frame[1024], rsp[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0, total = 0;
    if (a->npositional != 1) {
        tool_error(prog, "frame needs one HEX argument");
        return TOOL_EXIT_USAGE;
    }
    if (cli_hex_arg(a->positional[0], frame, sizeof frame, &n))
        return TOOL_EXIT_USAGE;
    int err = stsafe_bus_write(&s->dev.bus, s->dev.client.addr, frame, n);
    if (!err)
        err = stsafe_bus_read(&s->dev.bus, s->dev.client.addr, rsp, STSAFE_RSP_FIRST_READ_LEN);
    if (!err)
        err = stsafe_rsp_frame_total_len(rsp, &total);
    if (!err && total > sizeof rsp)
        err = STSAFE_ERR_FRAME_LENGTH;
    if (!err)
        err = stsafe_bus_read(&s->dev.bus, s->dev.client.addr, rsp, total);
    if (err)
        return cli_report(err, "frame");
    tool_print_hex(stdout, rsp, total);
    return TOOL_EXIT_OK;
}
