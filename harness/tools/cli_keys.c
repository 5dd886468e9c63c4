/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-cli: the key commands, local envelopes, public keys, attributes,
 * password, life cycle and power. */
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
#include "stsafe/protocol/mbedtls_compat.h"
#include "cli.h"
#include "tool_common.h"

static const char *prog = CLI_PROG;

static const struct {
    const char *name;
    uint8_t curve;
} curve_names[] = {
    {"p256", STSAFE_CURVE_P256}, {"p384", STSAFE_CURVE_P384},
    {"bp256", STSAFE_CURVE_BP256}, {"bp384", STSAFE_CURVE_BP384},
};

uint8_t cli_parse_curve(const char *name)
{
    for (size_t i = 0; name && i < sizeof curve_names / sizeof curve_names[0]; i++)
        if (!strcmp(name, curve_names[i].name))
            return curve_names[i].curve;
    tool_error(prog, "--curve must be one of p256, p384, bp256, bp384");
    return STSAFE_CURVE_NONE;
}

void cli_print_point(const stsafe_ecc_point *p)
{
    printf("04");
    for (size_t i = 0; i < p->size; i++)
        printf("%02x", p->x[i]);
    tool_print_hex(stdout, p->y, p->size);
}

/* "04" X Y in hex, for a curve of \p size bytes. */
int cli_parse_point(const char *text, size_t size, stsafe_ecc_point *p)
{
    uint8_t raw[1 + 2 * STSAFE_MAX_COORD_LEN];
    size_t n = 0;
    if (!text || stsafe_hex_decode(text, raw, sizeof raw, &n) != 0 || n != 1 + 2 * size ||
        raw[0] != 0x04) {
        tool_error(prog, "a public key is 04, X and Y in hex (%zu bytes for this curve)", 1 + 2 * size);
        return -1;
    }
    p->size = size;
    memcpy(p->x, raw + 1, size);
    memcpy(p->y, raw + 1 + size, size);
    return 0;
}

static int parse_digest(const char *text, uint8_t *d, size_t *n)
{
    if (!text || stsafe_hex_decode(text, d, 48, n) != 0 || (*n != 32 && *n != 48)) {
        tool_error(prog, "--digest needs 32 or 48 bytes of hex (SHA-256 or SHA-384)");
        return -1;
    }
    return 0;
}

int cli_do_keygen(tool_session *s, const cli_args *a)
{
    stsafe_ecc_point pub;
    uint8_t curve = cli_parse_curve(a->curve);
    if (cli_need(a, a->slot, "--slot") || curve == STSAFE_CURVE_NONE)
        return TOOL_EXIT_USAGE;
    int err = stsafe_client_generate_key(&s->dev.client, (uint8_t)a->slot, curve, (uint16_t)a->limit, &pub);
    if (err)
        return cli_report(err, "keygen");
    cli_print_point(&pub);
    return TOOL_EXIT_OK;
}

int cli_do_sign(tool_session *s, const cli_args *a)
{
    uint8_t d[48];
    size_t n = 0;
    stsafe_ecc_signature sig;
    if (cli_need(a, a->slot, "--slot") || parse_digest(a->digest, d, &n))
        return TOOL_EXIT_USAGE;
    int err = stsafe_client_sign(&s->dev.client, (uint8_t)a->slot, d, n, &sig);
    if (err)
        return cli_report(err, "sign");
    for (size_t i = 0; i < sig.size; i++)
        printf("%02x", sig.r[i]);
    tool_print_hex(stdout, sig.s, sig.size);
    return TOOL_EXIT_OK;
}

int cli_do_verify(tool_session *s, const cli_args *a)
{
    uint8_t d[48], raw[2 * STSAFE_MAX_COORD_LEN];
    size_t n = 0, sn = 0;
    stsafe_ecc_point pub;
    stsafe_ecc_signature sig;
    int valid = 0;
    uint8_t curve = cli_parse_curve(a->curve);
    if (curve == STSAFE_CURVE_NONE)
        return TOOL_EXIT_USAGE;
    size_t size = stsafe_curve_size(curve);
    if (cli_parse_point(a->pubkey, size, &pub) || parse_digest(a->digest, d, &n))
        return TOOL_EXIT_USAGE;
    if (!a->signature || stsafe_hex_decode(a->signature, raw, sizeof raw, &sn) != 0 || sn != 2 * size) {
        tool_error(prog, "--signature is R and S in hex (%zu bytes for this curve)", 2 * size);
        return TOOL_EXIT_USAGE;
    }
    sig.size = size;
    memcpy(sig.r, raw, size);
    memcpy(sig.s, raw + size, size);
    int err = stsafe_client_verify(&s->dev.client, curve, &pub, &sig, d, n, &valid);
    if (err)
        return cli_report(err, "verify");
    printf("%s\n", valid ? "valid" : "invalid");
    return valid ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

int cli_do_ecdh(tool_session *s, const cli_args *a)
{
    stsafe_ecc_point peer;
    uint8_t secret[STSAFE_MAX_COORD_LEN];
    size_t n = 0;
    if (cli_need(a, a->slot, "--slot"))
        return TOOL_EXIT_USAGE;
    /* the peer's size tells the curve: 65 bytes for 256-bit curves, 97 for
     * 384-bit; counted decoded, as the hex may carry 0x, spaces or colons */
    uint8_t raw[1 + 2 * STSAFE_MAX_COORD_LEN];
    size_t raw_len = 0;
    size_t size = a->peer && stsafe_hex_decode(a->peer, raw, sizeof raw, &raw_len) == 0 && raw_len > 65 ? 48 : 32;
    if (cli_parse_point(a->peer, size, &peer))
        return TOOL_EXIT_USAGE;
    int err = stsafe_client_establish_key(&s->dev.client, (uint8_t)a->slot, &peer, secret, &n);
    if (err)
        return cli_report(err, "ecdh");
    tool_print_hex(stdout, secret, n);
    return TOOL_EXIT_OK;
}

/* ---- local envelopes ------------------------------------------------------------- */

int cli_do_envkey(tool_session *s, const cli_args *a)
{
    if (cli_need(a, a->slot, "--slot"))
        return TOOL_EXIT_USAGE;
    long bits = a->length < 0 ? 128 : a->length;
    if (bits != 128 && bits != 256) {
        tool_error(prog, "envkey: --length is 128 or 256 (AES key bits)");
        return TOOL_EXIT_USAGE;
    }
    int err = stsafe_client_generate_envelope_key(&s->dev.client, (uint8_t)a->slot, bits == 256);
    if (err)
        return cli_report(err, "envkey");
    printf("ok\n");
    return TOOL_EXIT_OK;
}

static int envelope_cmd(tool_session *s, const cli_args *a, int wrap)
{
    uint8_t in[STSAFE_A110_MAX_FRAME_LEN], out[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0, on = 0;
    const char *what = wrap ? "wrap" : "unwrap";
    if (cli_need(a, a->slot, "--slot"))
        return TOOL_EXIT_USAGE;
    if (a->npositional != 1) {
        tool_error(prog, "%s needs one HEX argument", what);
        return TOOL_EXIT_USAGE;
    }
    if (cli_hex_arg(a->positional[0], in, sizeof in, &n))
        return TOOL_EXIT_USAGE;
    int err = wrap ? stsafe_client_wrap(&s->dev.client, (uint8_t)a->slot, in, n, out, &on)
                   : stsafe_client_unwrap(&s->dev.client, (uint8_t)a->slot, in, n, out, &on);
    if (err)
        return cli_report(err, what);
    tool_print_hex(stdout, out, on);
    return TOOL_EXIT_OK;
}

int cli_do_wrap(tool_session *s, const cli_args *a) { return envelope_cmd(s, a, 1); }
int cli_do_unwrap(tool_session *s, const cli_args *a) { return envelope_cmd(s, a, 0); }

/* ---- public keys, attributes, password, power ---------------------------------- */

/* The A110 has no command that returns a stored public key: it gives the
 * point once, in the Generate Key answer. A provisioned device keeps it in
 * the certificate of its zone, so that is where pubkey reads it. */
int cli_do_pubkey(tool_session *s, const cli_args *a)
{
    uint8_t *der = NULL, point[1 + 2 * STSAFE_MAX_COORD_LEN];
    size_t len = 0, plen = 0;
    if (cli_need(a, a->slot, "--slot"))
        return TOOL_EXIT_USAGE;
    if (a->slot != 0 && a->slot != 1) {
        tool_error(prog, "pubkey: --slot is 0 or 1 (the ephemeral key's point is only in the keygen answer)");
        return TOOL_EXIT_USAGE;
    }
    long zone = a->zone >= 0 ? a->zone : a->slot;
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int rc = cli_load_zone_cert(s, zone, &crt, &der, &len);
    if (!rc) {
        free(der);
        if (mbedtls_pk_get_type(&crt.pk) != MBEDTLS_PK_ECKEY ||
            mbedtls_ecp_point_write_binary(&mbedtls_pk_ec(crt.pk)->STSAFE_MBEDTLS_PRIVATE(grp),
                                           &mbedtls_pk_ec(crt.pk)->STSAFE_MBEDTLS_PRIVATE(Q),
                                           MBEDTLS_ECP_PF_UNCOMPRESSED, &plen, point, sizeof point) != 0) {
            tool_error(prog, "pubkey: the certificate in zone %ld does not hold an EC public key", zone);
            rc = TOOL_EXIT_FAIL;
        } else {
            tool_print_hex(stdout, point, plen);
        }
    }
    mbedtls_x509_crt_free(&crt);
    return rc;
}

/* Exactly \p n bytes of hex from an option, or a usage error. */
int cli_fixed_hex(const char *text, const char *what, uint8_t *out, size_t n)
{
    size_t got = 0;
    if (!text || stsafe_hex_decode(text, out, n, &got) != 0 || got != n) {
        tool_error(prog, "%s needs %zu bytes of hex", what, n);
        return -1;
    }
    return 0;
}

int cli_do_hostkeys(tool_session *s, const cli_args *a)
{
    uint8_t mac[16], cipher[16];
    if (cli_fixed_hex(a->mac, "--mac", mac, sizeof mac) || cli_fixed_hex(a->cipher, "--cipher", cipher, sizeof cipher))
        return TOOL_EXIT_USAGE;
    int err = stsafe_client_put_host_keys(&s->dev.client, mac, cipher);
    if (err)
        return cli_report(err, "hostkeys");
    printf("ok\n");
    return TOOL_EXIT_OK;
}

/* Verify Password and print the answer; TOOL_EXIT_OK only when it was right. */
static int verify_password(tool_session *s, const char *hex)
{
    uint8_t pwd[16], left = 0;
    int verified = 0;
    if (cli_fixed_hex(hex, "the password", pwd, sizeof pwd))
        return TOOL_EXIT_USAGE;
    int err = stsafe_client_verify_password(&s->dev.client, pwd, &verified, &left);
    if (err)
        return cli_report(err, "password verify");
    printf("%s, %u tries left\n", verified ? "verified" : "wrong password", left);
    return verified ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

int cli_do_password(tool_session *s, const cli_args *a)
{
    const char *op = a->npositional == 2 ? a->positional[0] : "";
    uint8_t pwd[16];
    if (!strcmp(op, "set")) {
        if (cli_fixed_hex(a->positional[1], "the password", pwd, sizeof pwd))
            return TOOL_EXIT_USAGE;
        if (a->tries < 1) {
            tool_error(prog, "--tries is 1..255");
            return TOOL_EXIT_USAGE;
        }
        int err = stsafe_client_put_password(&s->dev.client, pwd, (uint8_t)a->tries);
        if (err)
            return cli_report(err, "password set");
        printf("ok\n");
        return TOOL_EXIT_OK;
    }
    if (!strcmp(op, "verify"))
        return verify_password(s, a->positional[1]);
    if (!strcmp(op, "delete")) {
        int rc = verify_password(s, a->positional[1]);
        if (rc)
            return rc;
        int err = stsafe_client_delete_password(&s->dev.client);
        if (err)
            return cli_report(err, "password delete");
        printf("deleted\n");
        return TOOL_EXIT_OK;
    }
    tool_error(prog, "usage: password set|verify|delete HEX");
    return TOOL_EXIT_USAGE;
}

static const struct {
    const char *name;
    uint8_t state;
} life_cycle_names[] = {
    {"operational", 0x03}, {"lock", 0x83}, {"unlock", 0x03}, {"terminate", 0x04},
};

int cli_do_lifecycle(tool_session *s, const cli_args *a)
{
    int state = -1;
    for (size_t i = 0; a->npositional == 1 && i < sizeof life_cycle_names / sizeof life_cycle_names[0]; i++)
        if (!strcmp(a->positional[0], life_cycle_names[i].name))
            state = life_cycle_names[i].state;
    if (state < 0) {
        tool_error(prog, "usage: lifecycle operational|lock|unlock|terminate [--password HEX]");
        return TOOL_EXIT_USAGE;
    }
    if (a->password) {
        int rc = verify_password(s, a->password);
        if (rc)
            return rc;
    }
    int err = stsafe_client_put_life_cycle(&s->dev.client, (uint8_t)state);
    if (err)
        return cli_report(err, "lifecycle");
    printf("life cycle 0x%02x\n", state);
    return TOOL_EXIT_OK;
}

int cli_do_put(tool_session *s, const cli_args *a)
{
    unsigned long tag = 0;
    uint8_t v[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0;
    if (a->npositional != 2 || tool_parse_uint(a->positional[0], 0xFF, &tag) != 0) {
        tool_error(prog, "usage: put TAG HEX");
        return TOOL_EXIT_USAGE;
    }
    if (cli_hex_arg(a->positional[1], v, sizeof v, &n))
        return TOOL_EXIT_USAGE;
    int err = stsafe_client_put_attribute(&s->dev.client, (uint8_t)tag, v, n);
    if (err)
        return cli_report(err, "put");
    printf("ok\n");
    return TOOL_EXIT_OK;
}

int cli_do_hibernate(tool_session *s, const cli_args *a)
{
    if (a->mode != 1 && a->mode != 2) {
        tool_error(prog, "--mode is 1 (wake on I2C start or reset) or 2 (reset only)");
        return TOOL_EXIT_USAGE;
    }
    int err = stsafe_client_hibernate(&s->dev.client, (uint8_t)a->mode);
    if (err)
        return cli_report(err, "hibernate");
    printf("hibernating\n");
    return TOOL_EXIT_OK;
}

/* A power cycle: the served chip over --bus; with --image every run is one. */
int cli_do_power_cycle(tool_session *s, const cli_args *a)
{
    (void)a;
    int rc = tool_session_need_server(s, prog, "power-cycle");
    if (rc)
        return rc;
    stsafe_emu_chip *chip = tool_session_chip(s);
    if (chip) {
        stsafe_emu_chip_power_cycle(chip);
        printf("power cycled (an image chip starts from power-up on every run anyway)\n");
        return TOOL_EXIT_OK;
    }
    int err = stsafe_bus_socket_power_cycle(&s->sock);
    if (err)
        return cli_report(err, "power-cycle");
    printf("power cycled: volatile state lost, NVM kept\n");
    return TOOL_EXIT_OK;
}

int cli_do_stats(tool_session *s, const cli_args *a)
{
    (void)a;
    int rc = tool_session_need_server(s, prog, "stats");
    if (rc)
        return rc;
    stsafe_sock_stats st;
    stsafe_emu_chip *chip = tool_session_chip(s);
    if (chip)
        st = (stsafe_sock_stats){chip->stats.commands, chip->stats.nacks, chip->stats.nvm_writes};
    int err = chip ? 0 : stsafe_bus_socket_stats(&s->sock, &st);
    if (err)
        return cli_report(err, "stats");
    printf("commands %llu\nnacks %llu\nnvm_writes %llu\n", (unsigned long long)st.commands,
           (unsigned long long)st.nacks, (unsigned long long)st.nvm_writes);
    return TOOL_EXIT_OK;
}
