/* stsafe-cli: drive an STSAFE-A110 (emulated image today) command by command. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pem.h>
#include <mbedtls/x509_crt.h>

#include "stsafe/codec.h"
#include "stsafe/curves.h"
#include "stsafe/frame.h"
#include "stsafe/error.h"
#include "stsafe/hex.h"
#include "stsafe/bus_fault.h"
#include "stsafe/bus_trace.h"
#include "stsafe/trace.h"
#include "cli.h"
#include "tool_common.h"

static const char *prog = CLI_PROG;

#define MAX_READ_CHUNK 256u  /* well below the A110 limit of 502 data bytes */

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: stsafe-cli --image IMAGE | --bus ADDRESS <command> [arguments]\n"
            "\n"
            "Sends STSAFE-A110 commands to an emulated chip and prints the answers in hex.\n"
            "The image is saved again when a command changed it.\n"
            "\n"
            "Commands:\n"
            "  echo HEX                         Echo: the chip returns HEX.\n"
            "  random N                         Generate Random: N bytes (1..255).\n"
            "  query TAG                        Query, raw data in hex. TAG is a number or one of:\n"
            "                                   product, partition, lifecycle, keys, hostkey,\n"
            "                                   cmdauth, cmdac, cmdenc, i2c, password, envelope.\n"
            "  read --zone N [--offset O] --length L\n"
            "                                   Read L bytes (longer reads are split).\n"
            "  update --zone N [--offset O] HEX Update: write HEX at O.\n"
            "  decrement --zone N [--offset O] --amount A [HEX]\n"
            "                                   Decrement a counter zone; prints the new counter.\n"
            "  cert read --zone N [--pem]       Read the DER certificate stored at the start of\n"
            "                                   zone N; print subject and issuer (and PEM).\n"
            "  frame HEX                        Send HEX as a raw frame, CRC included as given;\n"
            "                                   print the raw response frame.\n"
            "  keygen --slot N --curve C [--limit L]\n"
            "                                   Generate Key in slot 1 or 0xFF (255); C is p256,\n"
            "                                   p384, bp256 or bp384; L signatures (65535: no\n"
            "                                   limit). Prints the public key 04|X|Y.\n"
            "  sign --slot N --digest HEX       Generate Signature over a 32- or 48-byte digest;\n"
            "                                   prints R|S.\n"
            "  verify --curve C --pubkey 04XY --digest HEX --signature RS\n"
            "                                   Verify Signature on the chip; prints valid (exit 0)\n"
            "                                   or invalid (exit 1).\n"
            "  ecdh --slot N --peer 04XY        Establish Key; prints the shared secret.\n"
            "  envkey --slot N [--length 128|256]\n"
            "                                   Generate a local envelope key (AES) in slot 0 or 1.\n"
            "  wrap --slot N HEX                Wrap Local Envelope: 16..480 bytes, a multiple of 8;\n"
            "                                   prints the envelope (8 bytes longer).\n"
            "  unwrap --slot N HEX              Unwrap Local Envelope; prints the data.\n"
            "  pubkey --slot N [--zone Z]       The public key of slot N, from the certificate in\n"
            "                                   zone Z (default: zone 0 for slot 0, zone 1 for\n"
            "                                   slot 1). The A110 returns a public key only when it\n"
            "                                   generates it, so the certificate is where it lives.\n"
            "  hostkeys --mac HEX --cipher HEX  Put the host secure channel keys (16 bytes each;\n"
            "                                   the chip takes them once).\n"
            "  password set HEX [--tries N]     Put a 16-byte password, N wrong tries (default 3).\n"
            "  password verify HEX              Verify Password; prints verified/wrong and the tries\n"
            "                                   left (exit 1 when wrong).\n"
            "  password delete HEX              Verify, then delete the password.\n"
            "  lifecycle STATE [--password HEX] Put the life-cycle state: operational, lock,\n"
            "                                   unlock or terminate (for ever). Lock and unlock\n"
            "                                   need the password, verified first in the same run.\n"
            "  put TAG HEX                      Put Attribute with a raw value (TAG a number).\n"
            "  hibernate [--mode 1|2]           Hibernate; wake on I2C start or reset (1, default)\n"
            "                                   or on reset only (2).\n"
            "  power-cycle                      Power the served chip (--bus) off and on: volatile\n"
            "                                   state lost (ephemeral key, verified password,\n"
            "                                   hibernation), NVM kept. Not on i2c:.\n"
            "  stats                            Commands, NACKs and NVM writes of the chip. Not on\n"
            "                                   i2c:.\n"
            "\n"
            "The seed flow (docs/provisioning.md):\n"
            "  ca init --out PREFIX [--cn NAME] A test CA: PREFIX.pem and PREFIX.key (no chip needed).\n"
            "  ca issue --ca-cert C --ca-key K --cn NAME --out PREFIX\n"
            "                                   A host certificate and key signed by the CA (for a\n"
            "                                   test server: --cn localhost). No chip needed.\n"
            "  csr --device-id ID [--slot 1] [--curve p256] [--pubkey 04XY] [--out FILE]\n"
            "                                   Generate Key in the slot (unless --pubkey gives the\n"
            "                                   slot's key) and a CSR with CN=ID signed by the chip.\n"
            "  provision --device-id ID --ca-cert C --ca-key K [--slot 1] [--zone 1] [--curve p256]\n"
            "            [--days N]             Key pair in the slot, CSR signed by the chip, the CA\n"
            "                                   signs it, the DER certificate goes to the zone and is\n"
            "                                   read back and checked against the chip's key.\n"
            "  tls-connect HOST:PORT --ca CA.pem [--zone 1] [--slot 1] [--send LINE]\n"
            "                                   TLS 1.2 with the zone's certificate; the chip signs\n"
            "                                   the handshake. Prints the suite and the reply.\n"
            "  mqtt-publish HOST:PORT --ca CA.pem --topic T --message M [--zone 1] [--slot 1]\n"
            "                                   The same TLS session, then MQTT 3.1.1 CONNECT\n"
            "                                   (client id = the certificate's CN) and PUBLISH QoS 1.\n"
            "\n"
            "Options:\n"
            "  --image IMAGE   The chip image (created with 'stsafe-emu init').\n"
            "  --bus ADDRESS   Instead of an image: the chip served by 'stsafe-emu serve' at\n"
            "                  unix:PATH or tcp:HOST:PORT. The server keeps the chip powered\n"
            "                  between runs and saves its image. Or i2c:/dev/i2c-N[@ADDR]: a\n"
            "                  chip on a Linux I2C adapter through i2c-dev, at ADDR (default\n"
            "                  0x20): real silicon, or the emulator behind libstsafe-i2cdev.so\n"
            "                  (docs/i2cdev.md).\n"
            "  --chip N        With --bus: chip N of a server that holds a fleet\n"
            "                  ('stsafe-emu serve --fleet'); default chip 0.\n"
            "  --mac-key HEX --cipher-key HEX\n"
            "                  Open the host secure channel with these keys (16 bytes each, as\n"
            "                  given to 'hostkeys') and send every command MACed, R-MAC checked,\n"
            "                  encrypted where the chip's table says so.\n"
            "  --timing MODE   none (default: answers at once), datasheet (the chip is busy for\n"
            "                  each command's A110 time on a virtual clock: NACK polling without\n"
            "                  waiting) or real (the same times on the wall clock).\n"
            "  --fault SPEC    Inject faults between this tool and the chip, e.g. 'nack=3',\n"
            "                  'flip=6:0', 'drop', 'truncate=4', 'latency=5', 'brownout',\n"
            "                  'reset' (comma-separated; docs/faults.md). Each one that fires\n"
            "                  is logged on stderr. With --bus unix: or tcp:, brownout and\n"
            "                  reset are armed in the server's chip, which logs them.\n"
            "  --trace FILE    Record every I2C message between this tool and the chip to\n"
            "                  FILE (docs/trace-format.md; '-' for stdout), as the host sees\n"
            "                  them (after --fault). With --image the clock is virtual, so a\n"
            "                  run gives the same trace each time.\n"
            "  --trace-append FILE\n"
            "                  The same, going on at the end of the trace in FILE (created\n"
            "                  when missing): one trace of a session of several runs.\n"
            "  --help          This text.\n"
            "\n"
            "Exit status: 0 success, 1 the chip refused or an I/O error (the chip status is\n"
            "printed), 2 bad command line.\n");
}

/* ---- argument helpers ------------------------------------------------------ */



static int parse_opts(int argc, char **argv, cli_args *a)
{
    memset(a, 0, sizeof *a);
    a->zone = a->length = a->amount = a->slot = -1;
    a->limit = 0xFFFF;
    a->tries = 3;
    a->mode = 1;
    a->days = -1;
    for (int i = 0; i < argc; i++) {
        unsigned long v = 0;
        long *slot = NULL;
        unsigned long max = 0;
        const char **text = NULL;
        if (!strcmp(argv[i], "--curve")) text = &a->curve;
        else if (!strcmp(argv[i], "--digest")) text = &a->digest;
        else if (!strcmp(argv[i], "--peer")) text = &a->peer;
        else if (!strcmp(argv[i], "--pubkey")) text = &a->pubkey;
        else if (!strcmp(argv[i], "--signature")) text = &a->signature;
        else if (!strcmp(argv[i], "--mac")) text = &a->mac;
        else if (!strcmp(argv[i], "--cipher")) text = &a->cipher;
        else if (!strcmp(argv[i], "--password")) text = &a->password;
        else if (!strcmp(argv[i], "--device-id")) text = &a->device_id;
        else if (!strcmp(argv[i], "--ca-cert")) text = &a->ca_cert;
        else if (!strcmp(argv[i], "--ca-key")) text = &a->ca_key;
        else if (!strcmp(argv[i], "--ca")) text = &a->ca;
        else if (!strcmp(argv[i], "--out")) text = &a->out;
        else if (!strcmp(argv[i], "--send")) text = &a->send;
        else if (!strcmp(argv[i], "--topic")) text = &a->topic;
        else if (!strcmp(argv[i], "--message")) text = &a->message;
        else if (!strcmp(argv[i], "--cn")) text = &a->cn;
        if (text) {
            if (i + 1 >= argc) {
                tool_error(prog, "%s needs a value", argv[i]);
                return -1;
            }
            *text = argv[++i];
            continue;
        }
        if (!strcmp(argv[i], "--zone")) slot = &a->zone, max = 0xFF;
        else if (!strcmp(argv[i], "--slot")) slot = &a->slot, max = 0xFF;
        else if (!strcmp(argv[i], "--limit")) slot = &a->limit, max = 0xFFFF;
        else if (!strcmp(argv[i], "--offset")) slot = &a->offset, max = 0xFFFF;
        else if (!strcmp(argv[i], "--length")) slot = &a->length, max = 0xFFFF;
        else if (!strcmp(argv[i], "--amount")) slot = &a->amount, max = 0xFFFFFFFFul;
        else if (!strcmp(argv[i], "--tries")) slot = &a->tries, max = 0xFF;
        else if (!strcmp(argv[i], "--mode")) slot = &a->mode, max = 0xFF;
        else if (!strcmp(argv[i], "--days")) slot = &a->days, max = 36500;
        else if (!strcmp(argv[i], "--pem")) { a->pem = 1; continue; }
        else if (argv[i][0] == '-' && argv[i][1]) {
            tool_error(prog, "unknown option '%s' (see --help)", argv[i]);
            return -1;
        } else {
            if (a->npositional >= 4) {
                tool_error(prog, "too many arguments (see --help)");
                return -1;
            }
            a->positional[a->npositional++] = argv[i];
            continue;
        }
        if (i + 1 >= argc || tool_parse_uint(argv[i + 1], max, &v) != 0) {
            tool_error(prog, "%s needs a number from 0 to %lu", argv[i], max);
            return -1;
        }
        *slot = (long)v;
        i++;
    }
    return 0;
}

int cli_need(const cli_args *a, long value, const char *opt)
{
    if (value < 0) {
        tool_error(prog, "missing %s (see --help)", opt);
        return -1;
    }
    (void)a;
    return 0;
}

/* Reports a failed command; returns the exit code. */
int cli_report(int err, const char *what)
{
    if (STSAFE_ERR_IS_STATUS(err))
        tool_error(prog, "%s: chip status 0x%02X (%s)", what, STSAFE_ERR_TO_STATUS(err),
                   stsafe_strerror(err));
    else
        tool_error(prog, "%s: %s", what, stsafe_strerror(err));
    return TOOL_EXIT_FAIL;
}

int cli_hex_arg(const char *text, uint8_t *out, size_t cap, size_t *len)
{
    int err = stsafe_hex_decode(text, out, cap, len);
    if (err)
        tool_error(prog, "'%s' is not hex of at most %zu bytes", text, cap);
    return err;
}

/* ---- commands ---------------------------------------------------------------- */

static int do_echo(tool_session *s, const cli_args *a)
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

static int do_random(tool_session *s, const cli_args *a)
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

static const struct {
    const char *name;
    uint8_t tag;
} query_names[] = {
    {"envelope", STSAFE_TAG_LOCAL_ENVELOPE_KEY_TABLE}, {"lifecycle", STSAFE_TAG_LIFE_CYCLE_STATE},
    {"password", STSAFE_TAG_PASSWORD_SLOT},            {"i2c", STSAFE_TAG_I2C_PARAMETERS},
    {"product", STSAFE_TAG_PRODUCT_DATA},              {"partition", STSAFE_TAG_DATA_PARTITION},
    {"keys", STSAFE_TAG_PRIVATE_KEY_TABLE},            {"hostkey", STSAFE_TAG_HOST_KEY_SLOT},
    {"cmdauth", STSAFE_TAG_COMMAND_AUTHORIZATION},     {"cmdac", STSAFE_TAG_COMMAND_AC},
    {"cmdenc", STSAFE_TAG_COMMAND_ENCRYPTION},
};

static int do_query(tool_session *s, const cli_args *a)
{
    unsigned long tag = 0x100;
    if (a->npositional == 1) {
        for (size_t i = 0; i < sizeof query_names / sizeof query_names[0]; i++)
            if (!strcmp(a->positional[0], query_names[i].name))
                tag = query_names[i].tag;
        if (tag > 0xFF && tool_parse_uint(a->positional[0], 0xFF, &tag) != 0)
            tag = 0x100;
    }
    if (tag > 0xFF) {
        tool_error(prog, "query needs a TAG: a number 0..255 or a name (see --help)");
        return TOOL_EXIT_USAGE;
    }
    uint8_t out[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0;
    int err = stsafe_client_query_raw(&s->dev.client, (uint8_t)tag, out, sizeof out, &n);
    if (err)
        return cli_report(err, "query");
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

static int do_read(tool_session *s, const cli_args *a)
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

static int do_update(tool_session *s, const cli_args *a)
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

static int do_decrement(tool_session *s, const cli_args *a)
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

/* Reads the DER certificate at the start of \p zone into a new buffer. */
static int cli_read_cert_der(tool_session *s, long zone, uint8_t **der, size_t *len)
{
    uint8_t head[4];
    int err = cli_read_zone(s, (uint8_t)zone, 0, sizeof head, head);
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
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

static int do_cert(tool_session *s, const cli_args *a)
{
    uint8_t *der = NULL;
    size_t len = 0;
    if (a->npositional != 1 || strcmp(a->positional[0], "read") != 0) {
        tool_error(prog, "usage: cert read --zone N [--pem]");
        return TOOL_EXIT_USAGE;
    }
    if (cli_need(a, a->zone, "--zone"))
        return TOOL_EXIT_USAGE;
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

static int do_frame(tool_session *s, const cli_args *a)
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

/* ---- key commands -------------------------------------------------------------- */

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

static int do_keygen(tool_session *s, const cli_args *a)
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

static int do_sign(tool_session *s, const cli_args *a)
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

static int do_verify(tool_session *s, const cli_args *a)
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

static int do_ecdh(tool_session *s, const cli_args *a)
{
    stsafe_ecc_point peer;
    uint8_t secret[STSAFE_MAX_COORD_LEN];
    size_t n = 0;
    if (cli_need(a, a->slot, "--slot"))
        return TOOL_EXIT_USAGE;
    /* the peer's size tells the curve: 65 bytes for 256-bit curves, 97 for 384-bit */
    size_t size = a->peer && strlen(a->peer) > (size_t)2 * 65 ? 48 : 32;
    if (cli_parse_point(a->peer, size, &peer))
        return TOOL_EXIT_USAGE;
    int err = stsafe_client_establish_key(&s->dev.client, (uint8_t)a->slot, &peer, secret, &n);
    if (err)
        return cli_report(err, "ecdh");
    tool_print_hex(stdout, secret, n);
    return TOOL_EXIT_OK;
}

/* ---- local envelopes ------------------------------------------------------------- */

static int do_envkey(tool_session *s, const cli_args *a)
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

static int do_wrap(tool_session *s, const cli_args *a) { return envelope_cmd(s, a, 1); }
static int do_unwrap(tool_session *s, const cli_args *a) { return envelope_cmd(s, a, 0); }

/* ---- public keys, attributes, password, power ---------------------------------- */

/* The A110 has no command that returns a stored public key: it gives the
 * point once, in the Generate Key answer. A provisioned device keeps it in
 * the certificate of its zone, so that is where pubkey reads it. */
static int do_pubkey(tool_session *s, const cli_args *a)
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
            mbedtls_ecp_point_write_binary(&mbedtls_pk_ec(crt.pk)->grp, &mbedtls_pk_ec(crt.pk)->Q,
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

static int do_hostkeys(tool_session *s, const cli_args *a)
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

static int do_password(tool_session *s, const cli_args *a)
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

static int do_lifecycle(tool_session *s, const cli_args *a)
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

static int do_put(tool_session *s, const cli_args *a)
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

static int do_hibernate(tool_session *s, const cli_args *a)
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
static int do_power_cycle(tool_session *s, const cli_args *a)
{
    (void)a;
    int rc = tool_session_need_server(s, prog, "power-cycle");
    if (rc)
        return rc;
    stse_emu_chip *chip = tool_session_chip(s);
    if (chip) {
        stse_emu_chip_power_cycle(chip);
        printf("power cycled (an image chip starts from power-up on every run anyway)\n");
        return TOOL_EXIT_OK;
    }
    int err = stsafe_bus_socket_power_cycle(&s->sock);
    if (err)
        return cli_report(err, "power-cycle");
    printf("power cycled: volatile state lost, NVM kept\n");
    return TOOL_EXIT_OK;
}

static int do_stats(tool_session *s, const cli_args *a)
{
    (void)a;
    int rc = tool_session_need_server(s, prog, "stats");
    if (rc)
        return rc;
    stsafe_sock_stats st;
    stse_emu_chip *chip = tool_session_chip(s);
    if (chip)
        st = (stsafe_sock_stats){chip->stats.commands, chip->stats.nacks, chip->stats.nvm_writes};
    int err = chip ? 0 : stsafe_bus_socket_stats(&s->sock, &st);
    if (err)
        return cli_report(err, "stats");
    printf("commands %llu\nnacks %llu\nnvm_writes %llu\n", (unsigned long long)st.commands,
           (unsigned long long)st.nacks, (unsigned long long)st.nvm_writes);
    return TOOL_EXIT_OK;
}

typedef int (*cli_cmd_fn)(tool_session *s, const cli_args *a);

static const struct {
    const char *name;
    cli_cmd_fn fn;
} commands[] = {
    {"echo", do_echo},     {"random", do_random},       {"query", do_query},
    {"read", do_read},     {"update", do_update},       {"decrement", do_decrement},
    {"cert", do_cert},     {"frame", do_frame},         {"keygen", do_keygen},
    {"sign", do_sign},     {"verify", do_verify},       {"ecdh", do_ecdh},
    {"envkey", do_envkey}, {"wrap", do_wrap},           {"unwrap", do_unwrap},
    {"pubkey", do_pubkey}, {"hostkeys", do_hostkeys},   {"password", do_password},
    {"lifecycle", do_lifecycle}, {"put", do_put},       {"hibernate", do_hibernate},
    {"ca", cli_do_ca},     {"csr", cli_do_csr},         {"provision", cli_do_provision},
    {"tls-connect", cli_do_tls_connect},                {"mqtt-publish", cli_do_mqtt_publish},
    {"power-cycle", do_power_cycle},                    {"stats", do_stats},
};

/* With --mac-key/--cipher-key every command goes through the host secure
 * channel: MACed with an R-MAC checked, encrypted where the chip's table
 * says so (Query, Put Attribute, Reset, Hibernate, Delete stay in the
 * clear, as STSELib sends them). */
static int open_secure_channel(tool_session *s, stsafe_host_session *hs, const char *mac_hex,
                               const char *cipher_hex)
{
    uint8_t mac[16], cipher[16];
    if (cli_fixed_hex(mac_hex, "--mac-key", mac, sizeof mac) ||
        cli_fixed_hex(cipher_hex, "--cipher-key", cipher, sizeof cipher))
        return TOOL_EXIT_USAGE;
    int err = stsafe_client_open_host_session(&s->dev.client, hs, mac, cipher);
    memset(mac, 0, sizeof mac);
    memset(cipher, 0, sizeof cipher);
    if (err)
        return cli_report(err, "opening the host session");
    s->dev.client.mac_all = 1;
    return TOOL_EXIT_OK;
}

static void log_fault(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "%s: %s\n", prog, line);
}

static int is_chip_fault(const stsafe_fault *f)
{
    return f->kind == STSAFE_FAULT_BROWNOUT || f->kind == STSAFE_FAULT_RESET;
}

/* The chip faults of a remote chip go to its server (FAULT); the server logs them. */
static int arm_server_faults(tool_session *s, const char *spec)
{
    char reason[512]; /* the server's reason, as it sent it */
    if (tool_session_need_server(s, prog, "--fault brownout or reset") != 0)
        return TOOL_EXIT_USAGE;
    int err = stsafe_bus_socket_fault(&s->sock, spec, reason, sizeof reason);
    if (err) {
        tool_error(prog, "--fault: the server did not arm '%s': %s", spec,
                   reason[0] ? reason : stsafe_strerror(err));
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

/* --fault SPEC: the client talks to the chip through a faulty bus; with a
 * chip served by stsafe-emu serve, brownout and reset are armed in the
 * server's chip instead (docs/faults.md). */
static int arm_faults(tool_session *s, stsafe_bus_fault *fb, stsafe_bus *bus, const char *spec)
{
    stsafe_fault items[STSAFE_FAULT_MAX];
    char remote[STSAFE_SOCK_MAX_FAULT_SPEC + 1] = "";
    size_t n = 0, used = 0;
    const char *bad = NULL;
    stse_emu_chip *chip = tool_session_chip(s);
    if (stsafe_fault_parse(spec, items, STSAFE_FAULT_MAX, &n, &bad) != 0) {
        tool_error(prog, "--fault: cannot use '%s' (see docs/faults.md)", bad ? bad : spec);
        return TOOL_EXIT_USAGE;
    }
    stsafe_bus_fault_init(fb, bus, &s->dev.bus, chip, log_fault, NULL);
    for (size_t i = 0; i < n; i++) {
        if (!chip && is_chip_fault(&items[i])) {
            char item[32];
            stsafe_fault_describe(&items[i], item, sizeof item);
            int w = snprintf(remote + used, sizeof remote - used, "%s%s", used ? "," : "", item);
            used += w > 0 ? (size_t)w : 0;
        } else if (stsafe_bus_fault_add(fb, &items[i]) != 0) {
            tool_error(prog, "--fault: cannot use '%s' (see docs/faults.md)", spec);
            return TOOL_EXIT_USAGE;
        }
    }
    if (used) {
        int rc = arm_server_faults(s, remote);
        if (rc)
            return rc;
    }
    s->dev.client.bus = bus;
    return TOOL_EXIT_OK;
}

/* A command failed on a served chip: what the server said, when it said
 * something (a recorded device's deviation, a device failure). */
static void show_server_reason(const tool_session *s)
{
    char reason[512];
    stsafe_bus_socket_last_reason(&s->sock, reason, sizeof reason);
    if (reason[0])
        tool_error(prog, "the server said: %s", reason);
}

/* --trace FILE: record what crosses the host's bus (after --fault). */
typedef struct {
    FILE *file;
    stsafe_bus_trace rec;
    stsafe_bus bus;
} cli_trace;

/* --trace-append: the time of the last message of an existing trace, which
 * must be a valid one (0 for a missing or empty file: a new trace). */
static int trace_end_time(const char *path, int *exists, uint64_t *end_ns)
{
    char *text;
    size_t len;
    stsafe_trace_reader r;
    stsafe_trace_msg *m;
    int rc = 0;
    FILE *probe = fopen(path, "rb");
    *exists = probe != NULL && fgetc(probe) != EOF;
    *end_ns = 0;
    if (probe)
        (void)fclose(probe);
    if (!*exists)
        return 0;
    if (tool_read_file(prog, path, &text, &len) != 0)
        return TOOL_EXIT_FAIL;
    m = malloc(sizeof(*m));
    stsafe_trace_reader_init(&r, text, len);
    while (m && (rc = stsafe_trace_next(&r, m)) == 1)
        *end_ns = m->time_ns;
    if (!m || rc != 0)
        tool_error(prog, "--trace-append: %s:%u: %s", path, r.line, m ? r.error : "out of memory");
    free(m);
    free(text);
    return (!m || rc != 0) ? TOOL_EXIT_FAIL : 0;
}

static int start_trace(tool_session *s, cli_trace *t, const char *path, int append, int remote)
{
    int exists = 0;
    uint64_t end_ns = 0;
    if (append && strcmp(path, "-") != 0 && trace_end_time(path, &exists, &end_ns) != 0)
        return TOOL_EXIT_FAIL;
    t->file = strcmp(path, "-") != 0 ? fopen(path, exists ? "a" : "w") : stdout;
    if (!t->file) {
        tool_error(prog, "--trace: cannot write '%s': %s", path, strerror(errno));
        return TOOL_EXIT_FAIL;
    }
    int wall = remote || s->dev.chip.timing == STSE_EMU_TIMING_REAL;
    stsafe_trace_clock clock = wall ? STSAFE_TRACE_CLOCK_WALL : STSAFE_TRACE_CLOCK_VIRTUAL;
    int err = exists ? stsafe_bus_trace_continue(&t->rec, &t->bus, s->dev.client.bus, t->file,
                                                 clock, end_ns, "appended by stsafe-cli")
                     : stsafe_bus_trace_init(&t->rec, &t->bus, s->dev.client.bus, t->file, clock,
                                             "recorded by stsafe-cli");
    if (err != 0) {
        tool_error(prog, "--trace: cannot write '%s'", path);
        return TOOL_EXIT_FAIL;
    }
    s->dev.client.bus = &t->bus;
    return TOOL_EXIT_OK;
}

static int end_trace(cli_trace *t, const char *path)
{
    int err = stsafe_bus_trace_error(&t->rec);
    int closed = t->file != stdout ? fclose(t->file) == 0 : fflush(stdout) == 0;
    if (err || !closed) {
        tool_error(prog, "--trace: writing '%s' failed; the trace is incomplete", path);
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

int main(int argc, char **argv)
{
    const char *image = NULL, *mac_key = NULL, *cipher_key = NULL, *fault = NULL, *timing = NULL;
    const char *bus = NULL, *trace = NULL, *chip = NULL;
    int trace_append = 0;
    int i = 1;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h") || !strcmp(argv[k], "help")) {
            usage(stdout);
            return TOOL_EXIT_OK;
        }
    }
    while (i < argc && argv[i][0] == '-') {
        if (!strcmp(argv[i], "--image") && i + 1 < argc) {
            image = argv[i + 1];
            i += 2;
        } else if (!strcmp(argv[i], "--bus") && i + 1 < argc) {
            bus = argv[i + 1];
            i += 2;
        } else if (!strcmp(argv[i], "--chip") && i + 1 < argc) {
            chip = argv[i + 1];
            i += 2;
        } else if (!strcmp(argv[i], "--mac-key") && i + 1 < argc) {
            mac_key = argv[i + 1];
            i += 2;
        } else if (!strcmp(argv[i], "--cipher-key") && i + 1 < argc) {
            cipher_key = argv[i + 1];
            i += 2;
        } else if (!strcmp(argv[i], "--timing") && i + 1 < argc) {
            timing = argv[i + 1];
            i += 2;
        } else if (!strcmp(argv[i], "--fault") && i + 1 < argc) {
            fault = argv[i + 1];
            i += 2;
        } else if ((!strcmp(argv[i], "--trace") || !strcmp(argv[i], "--trace-append")) &&
                   i + 1 < argc) {
            trace = argv[i + 1];
            trace_append = !strcmp(argv[i], "--trace-append");
            i += 2;
        } else {
            tool_error(prog, "unknown option '%s' (see --help)", argv[i]);
            return TOOL_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return TOOL_EXIT_USAGE;
    }
    cli_cmd_fn fn = NULL;
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (!strcmp(argv[i], commands[k].name))
            fn = commands[k].fn;
    if (!fn) {
        tool_error(prog, "unknown command '%s' (see --help)", argv[i]);
        return TOOL_EXIT_USAGE;
    }
    cli_args args;
    if (fn == cli_do_ca) { /* a host-side test CA: no chip involved */
        if (parse_opts(argc - i - 1, argv + i + 1, &args) != 0)
            return TOOL_EXIT_USAGE;
        return cli_do_ca(NULL, &args);
    }
    if (!image == !bus) {
        tool_error(prog, "%s", image ? "give --image IMAGE or --bus ADDRESS, not both"
                                     : "no chip to talk to: give --image IMAGE or --bus ADDRESS");
        return TOOL_EXIT_USAGE;
    }
    unsigned long chip_index = 0;
    if (chip && (!bus || tool_parse_uint(chip, 0xFFFF, &chip_index) != 0)) {
        tool_error(prog, "--chip takes a chip number from 0 to 65535, with --bus");
        return TOOL_EXIT_USAGE;
    }
    if (bus && timing) {
        tool_error(prog, "--timing is the server's with --bus (stsafe-emu serve --timing)");
        return TOOL_EXIT_USAGE;
    }
    int timing_mode = STSE_EMU_TIMING_NONE;
    if (timing && (timing_mode = tool_parse_timing(timing)) < 0) {
        tool_error(prog, "--timing is none, datasheet or real");
        return TOOL_EXIT_USAGE;
    }
    if (!mac_key != !cipher_key) {
        tool_error(prog, "the secure channel needs both --mac-key and --cipher-key");
        return TOOL_EXIT_USAGE;
    }
    if (parse_opts(argc - i - 1, argv + i + 1, &args) != 0)
        return TOOL_EXIT_USAGE;
    tool_session s;
    stsafe_host_session hs;
    stsafe_bus_fault fb;
    stsafe_bus fault_bus;
    cli_trace tr = {0};
    int rc = bus ? tool_session_open_bus(&s, prog, bus) : tool_session_open(&s, prog, image);
    if (rc)
        return rc;
    s.dev.chip.timing = (stse_emu_timing)timing_mode;
    if (chip)
        rc = tool_session_select(&s, prog, chip_index);
    if (!rc && fault)
        rc = arm_faults(&s, &fb, &fault_bus, fault);
    if (!rc && trace)
        rc = start_trace(&s, &tr, trace, trace_append, bus != NULL);
    if (!rc && mac_key)
        rc = open_secure_channel(&s, &hs, mac_key, cipher_key);
    if (!rc) {
        rc = fn(&s, &args);
        if (rc && bus)
            show_server_reason(&s);
    }
    stsafe_client_close_host_session(&s.dev.client);
    if (tr.file) {
        int trace_rc = end_trace(&tr, trace);
        rc = rc ? rc : trace_rc;
    }
    int close_rc = tool_session_close(&s, prog);
    return rc ? rc : close_rc;
}
