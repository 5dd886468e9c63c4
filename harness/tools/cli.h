/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-cli's parts: the parsed command line and the helpers the command
 * files share (stsafe_cli_main.c and the cli_*.c files). */
#ifndef STSE_CLI_H
#define STSE_CLI_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "stsafe/bus/fault.h"
#include "stsafe/bus/trace.h"
#include "stsafe/emulator/rng.h"
#include "stsafe/tls/chip_key.h"
#include "tool_common.h"

#define CLI_PROG "stsafe-cli"
/** Room for a certificate or a CSR the seed flow writes (DER). */
#define CLI_CERT_MAX 2048

/** Options after the command name; numbers are -1 when not given. */
typedef struct {
    long zone, offset, length, amount, slot, limit;
    long tries, mode, days;
    const char *curve, *digest, *peer, *pubkey, *signature, *mac, *cipher, *password;
    const char *device_id, *ca_cert, *ca_key, *ca, *out, *send, *topic, *message, *cn;
    const char *cert;                  /* ca issue --cert: re-sign this certificate */
    int pem, raw;
    int force;                  /**< provision --force: replace a key in the slot. */
    int psa;                    /**< --psa: the chip's key through PSA (harness/psa, mbedTLS 3.6). */
    int tls_version;            /**< --tls1.2: 12, --tls1.3: 13; 0: TLS 1.2, as before. */
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
/** The size of plain zone \p zone (a certificate's home) and, when
 *  \p update_ac is not NULL, its update access condition: TOOL_EXIT_OK, or
 *  TOOL_EXIT_FAIL with the reason printed (a counter zone, no such zone). */
int cli_cert_zone(tool_session *s, long zone, uint16_t *size, uint8_t *update_ac);
/** Reads and parses the DER certificate at the start of \p zone. */
int cli_load_zone_cert(tool_session *s, long zone, mbedtls_x509_crt *crt, uint8_t **der, size_t *len);
/** A curve name (p256, p384, bp256, bp384), or STSAFE_CURVE_NONE with a message. */
uint8_t cli_parse_curve(const char *name);
/** "04" X Y in hex for a curve of \p size bytes; -1 with a message otherwise. */
int cli_parse_point(const char *text, size_t size, stsafe_ecc_point *p);
/** Prints 04 X Y in hex. */
void cli_print_point(const stsafe_ecc_point *p);

/* A command: 0 (TOOL_EXIT_OK) or a TOOL_EXIT_ code, its error printed. */
typedef int (*cli_cmd_fn)(tool_session *s, const cli_args *a);

/* A command of the table (cli_help.c): its name, handler and help text. */
typedef struct {
    const char *name;
    cli_cmd_fn fn;
    const char *section;  /**< A heading printed before it in --help, or NULL. */
    const char *help;     /**< Its lines of --help, synopsis first. */
} cli_command;

/** The command called \p name, or NULL. */
const cli_command *cli_find_command(const char *name);
/** The whole --help text. */
void cli_usage(FILE *f);
/** A few lines for a command line with no command. */
void cli_usage_short(FILE *f);
/** One command's help (stsafe-cli COMMAND --help). */
void cli_usage_command(FILE *f, const cli_command *c);

/* Query decoded, and the chip's summary (cli_query.c) */
int cli_do_query(tool_session *s, const cli_args *a);
int cli_do_info(tool_session *s, const cli_args *a);

/* The data commands (cli_data.c) */
int cli_do_echo(tool_session *s, const cli_args *a);
int cli_do_random(tool_session *s, const cli_args *a);
int cli_do_read(tool_session *s, const cli_args *a);
int cli_do_update(tool_session *s, const cli_args *a);
int cli_do_decrement(tool_session *s, const cli_args *a);
int cli_do_cert(tool_session *s, const cli_args *a);
int cli_do_frame(tool_session *s, const cli_args *a);

/* Keys, envelopes, attributes, password, power (cli_keys.c) */
int cli_do_keygen(tool_session *s, const cli_args *a);
int cli_do_sign(tool_session *s, const cli_args *a);
int cli_do_verify(tool_session *s, const cli_args *a);
int cli_do_ecdh(tool_session *s, const cli_args *a);
int cli_do_envkey(tool_session *s, const cli_args *a);
int cli_do_wrap(tool_session *s, const cli_args *a);
int cli_do_unwrap(tool_session *s, const cli_args *a);
int cli_do_pubkey(tool_session *s, const cli_args *a);
int cli_do_hostkeys(tool_session *s, const cli_args *a);
int cli_do_password(tool_session *s, const cli_args *a);
int cli_do_lifecycle(tool_session *s, const cli_args *a);
int cli_do_put(tool_session *s, const cli_args *a);
int cli_do_hibernate(tool_session *s, const cli_args *a);
int cli_do_power_cycle(tool_session *s, const cli_args *a);
int cli_do_stats(tool_session *s, const cli_args *a);

/* The chip's whole state to a file and back (cli_snapshot.c) */
int cli_do_snapshot(tool_session *s, const cli_args *a);

/* What wraps every command (cli_session.c) */

/** --trace FILE: record what crosses the host's bus (after --fault). */
typedef struct {
    FILE *file;
    stsafe_bus_trace rec;
    stsafe_bus bus;
} cli_trace;

/** --mac-key/--cipher-key: every command through the host secure channel. */
int cli_open_secure_channel(tool_session *s, stsafe_host_session *hs, const char *mac_hex,
                            const char *cipher_hex);
/** --fault SPEC: bus faults wrap the session's bus (\p fb, \p bus); chip faults go to the server. */
int cli_arm_faults(tool_session *s, stsafe_bus_fault *fb, stsafe_bus *bus, const char *spec);
/** After the command: one note on stderr for each fault of \p fb that fell short. */
void cli_note_unfired_faults(const stsafe_bus_fault *fb);
/** After a failed command over --bus: prints what the server said, if anything. */
void cli_show_server_reason(const tool_session *s);
/** --trace / --trace-append: start recording the session's bus into \p path. */
int cli_start_trace(tool_session *s, cli_trace *t, const char *path, int append, int remote,
                    int secrets);
/** Closes the trace; TOOL_EXIT_FAIL when it could not be written whole. */
int cli_end_trace(cli_trace *t, const char *path);

/* Certificates and key files (cli_ca.c), for ca, csr and provision */

/** What cli_write_cert() writes. */
typedef struct {
    mbedtls_pk_context *subject_key;   /**< Its public half is enough. */
    mbedtls_pk_context *issuer_key;    /**< Private, or the chip's. */
    const char *subject, *issuer;
    int is_ca;
    int days;                          /**< 0: the fixed 2024..2049 window. */
} cli_cert_spec;

/** Writes \p der as PEM ("-----BEGIN \p what-----") into \p path, created
 *  with \p mode; 0, or -1 with the reason printed. */
int cli_write_pem(const char *path, const char *what, const unsigned char *der, size_t len, unsigned mode);
/** mbedTLS's DER of \p n bytes at the end of \p buf, moved to its start with
 *  RFC 5758 AlgorithmIdentifiers (x509_sigalg.h, signed again by \p signer):
 *  its new length, or a negative error. */
int cli_finish_der(int n, unsigned char *buf, size_t cap, mbedtls_pk_context *signer, stsafe_rng *rng);
/** A certificate as \p c says: its DER length (at the start of \p buf) or a negative error. */
int cli_write_cert(const cli_cert_spec *c, stsafe_rng *rng, unsigned char *buf, size_t cap);
/** A new P-256 key pair in \p pk (initialised here): 0 or an mbedTLS error. */
int cli_gen_host_key(mbedtls_pk_context *pk, stsafe_rng *rng);
/** Loads a CA certificate and its key and checks that they belong together:
 *  TOOL_EXIT_OK, or TOOL_EXIT_USAGE / TOOL_EXIT_FAIL with the reason printed. */
int cli_load_ca(const char *cert_path, const char *key_path, mbedtls_x509_crt *ca, mbedtls_pk_context *key,
                stsafe_rng *rng);

/* The seed flow (cli_ca.c, cli_seed.c, cli_tls.c) */
int cli_do_ca(tool_session *s, const cli_args *a);
int cli_do_csr(tool_session *s, const cli_args *a);
int cli_do_provision(tool_session *s, const cli_args *a);
int cli_do_tls_connect(tool_session *s, const cli_args *a);
int cli_do_mqtt_publish(tool_session *s, const cli_args *a);
/**
 * The route to the chip's key for command \p cmd (csr, provision,
 * tls-connect, mqtt-publish): the pk table on mbedTLS 2.28, the PSA route
 * (--psa) on an mbedTLS 3.6 with PSA_CRYPTO_SE_C. NULL, with a message naming
 * this build's mbedTLS, when the build has no such route.
 */
const stsafe_chip_key_route *cli_chip_key_route(const cli_args *a, const char *cmd);
/**
 * After a command that used cli_chip_key_route(): with --psa, makes PSA forget
 * the chip keys it registered (their ITS files in the current directory go;
 * the chip keeps its keys). Nothing otherwise.
 */
void cli_chip_key_done(const cli_args *a);

#endif
