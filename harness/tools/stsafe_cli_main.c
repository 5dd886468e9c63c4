/* stsafe-cli: drive an STSAFE-A110 (emulated image today) command by command. */
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
#include "stsafe/bus/fault.h"
#include "stsafe/bus/trace.h"
#include "stsafe/trace/trace.h"
#include "cli.h"
#include "tool_common.h"

static const char *prog = CLI_PROG;


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
            "                  each command's A110 time on a virtual clock that the host's\n"
            "                  waits between polls advance) or real (the same times on the\n"
            "                  wall clock).\n"
            "  --poll MS,N     How this host polls a busy chip: after a NACK, wait MS ms and\n"
            "                  try again, up to N times (default 1,1000; STSELib's template\n"
            "                  is 10,100).\n"
            "  --timing-profile NAME\n"
            "                  minimum (default: ST's minimum waits) or observed (the slower\n"
            "                  waits of a later ST integration); docs/protocol.md, section 1.\n"
            "  --timing-spread PCT\n"
            "                  The chip's times vary by up to PCT per cent by command, fixed by\n"
            "                  its seed (default 10; 0 turns it off).\n"
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
            "  --trace-secrets With --trace and --image: the new trace also carries the chip's\n"
            "                  seed (as secret as its keys; the file is made 0600), so that\n"
            "                  'stsafe-emu replay' compares random answers byte for byte.\n"
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

static const struct {
    const char *name;
    cli_cmd_fn fn;
} commands[] = {
    {"echo", cli_do_echo},     {"random", cli_do_random},       {"query", cli_do_query},
    {"read", cli_do_read},     {"update", cli_do_update},       {"decrement", cli_do_decrement},
    {"cert", cli_do_cert},     {"frame", cli_do_frame},         {"keygen", cli_do_keygen},
    {"sign", cli_do_sign},     {"verify", cli_do_verify},       {"ecdh", cli_do_ecdh},
    {"envkey", cli_do_envkey}, {"wrap", cli_do_wrap},           {"unwrap", cli_do_unwrap},
    {"pubkey", cli_do_pubkey}, {"hostkeys", cli_do_hostkeys},   {"password", cli_do_password},
    {"lifecycle", cli_do_lifecycle}, {"put", cli_do_put},       {"hibernate", cli_do_hibernate},
    {"ca", cli_do_ca},     {"csr", cli_do_csr},         {"provision", cli_do_provision},
    {"tls-connect", cli_do_tls_connect},                {"mqtt-publish", cli_do_mqtt_publish},
    {"power-cycle", cli_do_power_cycle},                    {"stats", cli_do_stats},
};

/* --poll MS,N: how the host polls a busy chip (STSELib's template: 10,100). */
static int parse_poll(const char *text, unsigned long *ms, unsigned long *n)
{
    char buf[32];
    const char *comma = strchr(text, ',');
    if (!comma || (size_t)(comma - text) >= sizeof buf)
        return -1;
    memcpy(buf, text, (size_t)(comma - text));
    buf[comma - text] = '\0';
    if (tool_parse_uint(buf, 10000, ms) != 0 || tool_parse_uint(comma + 1, 100000, n) != 0 || *n == 0)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    const char *image = NULL, *mac_key = NULL, *cipher_key = NULL, *fault = NULL, *timing = NULL;
    const char *bus = NULL, *trace = NULL, *chip = NULL, *profile = NULL, *spread = NULL;
    const char *poll = NULL;
    int trace_append = 0, trace_secrets = 0;
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
        } else if (!strcmp(argv[i], "--trace-secrets")) {
            trace_secrets = 1;
            i += 1;
        } else if (!strcmp(argv[i], "--poll") && i + 1 < argc) {
            poll = argv[i + 1];
            i += 2;
        } else if (!strcmp(argv[i], "--timing-profile") && i + 1 < argc) {
            profile = argv[i + 1];
            i += 2;
        } else if (!strcmp(argv[i], "--timing-spread") && i + 1 < argc) {
            spread = argv[i + 1];
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
    if (bus && (timing || profile || spread)) {
        tool_error(prog, "--timing, --timing-profile and --timing-spread are the server's with --bus "
                         "(stsafe-emu serve --timing)");
        return TOOL_EXIT_USAGE;
    }
    int timing_mode = STSAFE_EMU_TIMING_NONE;
    if (timing && (timing_mode = tool_parse_timing(timing)) < 0) {
        tool_error(prog, "--timing is none, datasheet or real");
        return TOOL_EXIT_USAGE;
    }
    int profile_id = profile ? stsafe_emu_timing_profile_parse(profile) : STSAFE_EMU_PROFILE_MINIMUM;
    unsigned long spread_pct = STSAFE_EMU_TIMING_SPREAD_DEFAULT;
    if (profile_id < 0 || (spread && tool_parse_uint(spread, 50, &spread_pct) != 0)) {
        tool_error(prog, "--timing-profile is minimum or observed; --timing-spread a per cent from 0 to 50");
        return TOOL_EXIT_USAGE;
    }
    unsigned long poll_ms = STSAFE_CLIENT_POLL_INTERVAL_MS, polls = STSAFE_CLIENT_MAX_POLLS;
    if (poll && parse_poll(poll, &poll_ms, &polls) != 0) {
        tool_error(prog, "--poll takes MS,N: wait MS (0 to 10000) between up to N (1 to 100000) polls");
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
    s.dev.chip.timing = (stsafe_emu_timing)timing_mode;
    s.dev.chip.timing_profile = (stsafe_emu_timing_profile)profile_id;
    s.dev.client.poll_interval_ms = (uint32_t)poll_ms;
    s.dev.client.max_polls = (uint32_t)polls;
    s.dev.chip.timing_spread_pct = (uint8_t)spread_pct;
    if (chip)
        rc = tool_session_select(&s, prog, chip_index);
    if (!rc && fault)
        rc = cli_arm_faults(&s, &fb, &fault_bus, fault);
    if (!rc && trace)
        rc = cli_start_trace(&s, &tr, trace, trace_append, bus != NULL, trace_secrets);
    if (!rc && mac_key)
        rc = cli_open_secure_channel(&s, &hs, mac_key, cipher_key);
    if (!rc) {
        rc = fn(&s, &args);
        if (rc && bus)
            cli_show_server_reason(&s);
    }
    stsafe_client_close_host_session(&s.dev.client);
    if (tr.file) {
        int trace_rc = cli_end_trace(&tr, trace);
        rc = rc ? rc : trace_rc;
    }
    int close_rc = tool_session_close(&s, prog);
    return rc ? rc : close_rc;
}
