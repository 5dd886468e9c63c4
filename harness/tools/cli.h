/* stsafe-cli's parts: the parsed command line and the helpers the command
 * files share (stsafe_cli_main.c, cli_seed.c). */
#ifndef STSE_CLI_H
#define STSE_CLI_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

#include "tool_common.h"

#define CLI_PROG "stsafe-cli"

/** Options after the command name; numbers are -1 when not given. */
typedef struct {
    long zone, offset, length, amount, slot, limit;
    long tries, mode, days;
    const char *curve, *digest, *peer, *pubkey, *signature, *mac, *cipher, *password;
    const char *device_id, *ca_cert, *ca_key, *ca, *out, *send, *topic, *message, *cn;
    int pem;
    const char *positional[4];
    int npositional;
} cli_args;

/** A missing option: prints why, returns -1. */
int cli_need(const cli_args *a, long value, const char *opt);
/** Prints a failed command's error; returns TOOL_EXIT_FAIL. */
int cli_report(int err, const char *what);
/** Hex argument into \p out; prints why on error. */
int cli_hex_arg(const char *text, uint8_t *out, size_t cap, size_t *len);
/** Exactly \p n bytes of hex, or -1 with a message. */
int cli_fixed_hex(const char *text, const char *what, uint8_t *out, size_t n);
/** Reads \p len bytes of a zone in chunks the frame limit allows. */
int cli_read_zone(tool_session *s, uint8_t zone, uint16_t offset, size_t len, uint8_t *out);
/** Reads and parses the DER certificate at the start of \p zone. */
int cli_load_zone_cert(tool_session *s, long zone, mbedtls_x509_crt *crt, uint8_t **der, size_t *len);
/** A curve name (p256, p384, bp256, bp384), or STSAFE_CURVE_NONE with a message. */
uint8_t cli_parse_curve(const char *name);
/** "04" X Y in hex for a curve of \p size bytes; -1 with a message otherwise. */
int cli_parse_point(const char *text, size_t size, stsafe_ecc_point *p);
/** Prints 04 X Y in hex. */
void cli_print_point(const stsafe_ecc_point *p);

/* The seed flow (cli_seed.c, cli_tls.c) */
int cli_do_ca(tool_session *s, const cli_args *a);
int cli_do_csr(tool_session *s, const cli_args *a);
int cli_do_provision(tool_session *s, const cli_args *a);
int cli_do_tls_connect(tool_session *s, const cli_args *a);
int cli_do_mqtt_publish(tool_session *s, const cli_args *a);

#endif
