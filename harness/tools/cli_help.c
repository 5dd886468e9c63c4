/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-cli's commands: the table main() dispatches from, with the help
 * text of each (stsafe-cli --help, stsafe-cli COMMAND --help). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_command commands[] = {
    {"echo", cli_do_echo, NULL,
         "  echo HEX                         Echo: the chip returns HEX.\n"},
    {"random", cli_do_random, NULL,
         "  random N                         Generate Random: N bytes (1..255).\n"},
    {"info", cli_do_info, NULL,
         "  info                             What the chip says of itself, field by field: product\n"
         "                                   data, life cycle, zones, key slots, host keys,\n"
         "                                   password, I2C parameters (Query commands only).\n"},
    {"query", cli_do_query, NULL,
         "  query TAG [--raw]                Query, decoded into named fields (--raw: the data in\n"
         "                                   hex). TAG is a number (0x11 or 17) or one of: product,\n"
         "                                   partition, lifecycle, keys, hostkey, cmdauth, cmdac,\n"
         "                                   cmdenc, i2c, password, envelope.\n"},
    {"read", cli_do_read, NULL,
         "  read --zone N [--offset O] --length L\n"
         "                                   Read L bytes (longer reads are split).\n"},
    {"update", cli_do_update, NULL,
         "  update --zone N [--offset O] HEX Update: write HEX at O.\n"},
    {"decrement", cli_do_decrement, NULL,
         "  decrement --zone N [--offset O] --amount A [HEX]\n"
         "                                   Decrement a counter zone; prints the new counter.\n"},
    {"cert", cli_do_cert, NULL,
         "  cert read --zone N [--pem]       Read the DER certificate stored at the start of\n"
         "                                   zone N; print subject and issuer (and PEM).\n"
         "  cert write --zone N FILE         Store a PEM or DER certificate in plain zone N as\n"
         "                                   DER from offset 0 (e.g. one re-signed by ca issue).\n"},
    {"frame", cli_do_frame, NULL,
         "  frame HEX                        Send HEX as a raw frame, CRC included as given;\n"
         "                                   print the raw response frame.\n"},
    {"keygen", cli_do_keygen, NULL,
         "  keygen --slot N --curve C [--limit L]\n"
         "                                   Generate Key in slot 1 or 0xFF (255); C is p256,\n"
         "                                   p384, bp256 or bp384; L signatures (65535: no\n"
         "                                   limit). Prints the public key 04|X|Y.\n"},
    {"sign", cli_do_sign, NULL,
         "  sign --slot N --digest HEX       Generate Signature over a 32- or 48-byte digest;\n"
         "                                   prints R|S.\n"},
    {"verify", cli_do_verify, NULL,
         "  verify --curve C --pubkey 04XY --digest HEX --signature RS\n"
         "                                   Verify Signature on the chip; prints valid (exit 0)\n"
         "                                   or invalid (exit 1).\n"},
    {"ecdh", cli_do_ecdh, NULL,
         "  ecdh --slot N --peer 04XY        Establish Key; prints the shared secret.\n"},
    {"envkey", cli_do_envkey, NULL,
         "  envkey --slot N [--length 128|256]\n"
         "                                   Generate a local envelope key (AES) in slot 0 or 1.\n"},
    {"wrap", cli_do_wrap, NULL,
         "  wrap --slot N HEX                Wrap Local Envelope: 16..480 bytes, a multiple of 8;\n"
         "                                   prints the envelope (8 bytes longer).\n"},
    {"unwrap", cli_do_unwrap, NULL,
         "  unwrap --slot N HEX              Unwrap Local Envelope; prints the data.\n"},
    {"pubkey", cli_do_pubkey, NULL,
         "  pubkey --slot N [--zone Z]       The public key of slot N, from the certificate in\n"
         "                                   zone Z (default: zone 0 for slot 0, zone 1 for\n"
         "                                   slot 1). The A110 returns a public key only when it\n"
         "                                   generates it, so the certificate is where it lives.\n"},
    {"hostkeys", cli_do_hostkeys, NULL,
         "  hostkeys --mac HEX --cipher HEX  Put the host secure channel keys (16 bytes each;\n"
         "                                   the chip takes them once).\n"},
    {"password", cli_do_password, NULL,
         "  password set HEX [--tries N]     Put a 16-byte password, N wrong tries (default 3).\n"
         "  password verify HEX              Verify Password; prints verified/wrong and the tries\n"
         "                                   left (exit 1 when wrong).\n"
         "  password delete HEX              Verify, then delete the password.\n"},
    {"lifecycle", cli_do_lifecycle, NULL,
         "  lifecycle STATE [--password HEX] Put the life-cycle state: operational, lock,\n"
         "                                   unlock or terminate (for ever). Lock and unlock\n"
         "                                   need the password, verified first in the same run.\n"},
    {"put", cli_do_put, NULL,
         "  put TAG HEX                      Put Attribute with a raw value (TAG a number).\n"},
    {"hibernate", cli_do_hibernate, NULL,
         "  hibernate [--mode 1|2]           Hibernate; wake on I2C start or reset (1, default)\n"
         "                                   or on reset only (2).\n"},
    {"power-cycle", cli_do_power_cycle, NULL,
         "  power-cycle                      Power the served chip (--bus) off and on: volatile\n"
         "                                   state lost (ephemeral key, verified password,\n"
         "                                   hibernation), NVM kept. Not on i2c:.\n"},
    {"stats", cli_do_stats, NULL,
         "  stats                            Commands, NACKs and NVM writes of the chip. Not on\n"
         "                                   i2c:.\n"},
    {"snapshot", cli_do_snapshot, NULL,
         "  snapshot save FILE               The chip's whole state (NVM and volatile state) to\n"
         "                                   FILE, created 0600: it holds the keys and the seed.\n"
         "                                   Over --bus: SNAPSHOT (protocol version 3).\n"
         "  snapshot restore FILE            Make the chip the one of FILE; a damaged snapshot\n"
         "                                   is refused and changes nothing. The image is saved\n"
         "                                   (by the server over --bus). Not on i2c:.\n"},
    {"ca", cli_do_ca, "The seed flow (docs/provisioning.md)",
         "  ca init --out PREFIX [--cn NAME] A test CA: PREFIX.pem and PREFIX.key (no chip needed).\n"
         "  ca issue --ca-cert C --ca-key K --cn NAME --out PREFIX\n"
         "                                   A host certificate and key signed by the CA (for a\n"
         "                                   test server: --cn localhost). No chip needed.\n"
         "  ca issue --ca-cert C --ca-key K --cert DEVICE.pem --out PREFIX [--cn NAME]\n"
         "                                   Re-sign: PREFIX.pem for DEVICE.pem's subject (or\n"
         "                                   CN=NAME) and public key, issued by the CA; no key\n"
         "                                   file (the key stays in the chip).\n"
         "                                   Each takes --days N: valid from now for N days\n"
         "                                   (default: 2024-01-01 to 2049-12-31).\n"},
    {"csr", cli_do_csr, NULL,
         "  csr --device-id ID [--slot 1] [--curve p256] [--pubkey 04XY] [--out FILE]\n"
         "                                   Generate Key in the slot (unless --pubkey gives the\n"
         "                                   slot's key) and a CSR with CN=ID signed by the chip.\n"
         "                                   --psa: the key through PSA (docs/psa.md).\n"},
    {"provision", cli_do_provision, NULL,
         "  provision --device-id ID --ca-cert C --ca-key K [--slot 1] [--zone 1] [--curve p256]\n"
         "            [--days N] [--force]   Key pair in the slot, CSR signed by the chip, the CA\n"
         "                                   signs it, the DER certificate goes to the zone and is\n"
         "                                   read back and checked against the chip's key. Checks\n"
         "                                   all first; a key already in the slot needs --force.\n"
         "                                   --psa: the key through PSA (docs/psa.md).\n"},
    {"tls-connect", cli_do_tls_connect, NULL,
         "  tls-connect HOST:PORT --ca CA.pem [--zone 1] [--slot 1] [--send LINE]\n"
         "            [--psa] [--tls1.2|--tls1.3]\n"
         "                                   TLS 1.2 with the zone's certificate; the chip signs\n"
         "                                   the handshake. Prints the suite and the reply.\n"
         "                                   --psa: the key through PSA (mbedTLS 3.6 with\n"
         "                                   PSA_CRYPTO_SE_C; docs/psa.md); --tls1.3 needs 3.6,\n"
         "                                   and waits up to 3 s after the handshake for the\n"
         "                                   server's verdict on the client (a ticket or an alert).\n"},
    {"mqtt-publish", cli_do_mqtt_publish, NULL,
         "  mqtt-publish HOST:PORT --ca CA.pem --topic T --message M [--zone 1] [--slot 1]\n"
         "            [--psa] [--tls1.2|--tls1.3]\n"
         "                                   The same TLS session, then MQTT 3.1.1 CONNECT\n"
         "                                   (client id = the certificate's CN) and PUBLISH QoS 1.\n"},
};

const cli_command *cli_find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(name, commands[i].name))
            return &commands[i];
    return NULL;
}

static const char *const synopsis =
    "Usage: stsafe-cli --image IMAGE | --bus ADDRESS [options] COMMAND [arguments]\n";

void cli_usage_short(FILE *f)
{
    fprintf(f,
            "%s"
            "Sends STSAFE-A110 commands to a chip and prints the answers. For example:\n"
            "  stsafe-cli --image chip.img info\n"
            "  stsafe-cli --bus unix:/tmp/chip.sock echo 0102\n"
            "'stsafe-cli --help' lists every command and option; 'stsafe-cli COMMAND --help'\n"
            "describes one.\n",
            synopsis);
}

void cli_usage_command(FILE *f, const cli_command *c)
{
    fprintf(f, "%s\n%s", synopsis, c->help);
}

void cli_usage(FILE *f)
{
    fprintf(f, "%s\nSends STSAFE-A110 commands to a chip (an emulated image, a served chip or\n"
               "real silicon) and prints the answers. An image is saved again when a command\n"
               "changed it.\n\nCommands:\n",
            synopsis);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (commands[i].section)
            fprintf(f, "\n%s:\n", commands[i].section);
        fputs(commands[i].help, f);
    }
    fputs("\nOptions:\n"
         "  --image IMAGE   The chip image (created with 'stsafe-emu init').\n"
         "  --bus ADDRESS   Instead of an image: the chip served by 'stsafe-emu serve' at\n"
         "                  unix:PATH or tcp:HOST:PORT. The server keeps the chip powered\n"
         "                  between runs and saves its image. Or i2c:/dev/i2c-N[@ADDR]: a\n"
         "                  chip on a Linux I2C adapter through i2c-dev, at ADDR (default\n"
         "                  0x20): real silicon, or the emulator behind libstsafe-i2cdev.so\n"
         "                  (docs/i2cdev.md).\n"
         "  --chip N        With --bus: chip N of a server that holds a fleet\n"
         "                  ('stsafe-emu serve --fleet'); default chip 0.\n"
         "  --i2c-level     With --bus: send each command as I2C writes and reads and poll\n"
         "                  through the busy chip's NACKs, as on a real bus, instead of one\n"
         "                  COMMAND round trip per command (docs/socket-protocol.md).\n"
         "  --wait S        With --bus: when the server has not taken this client after\n"
         "                  1 s (it serves another), say \"waiting: another client holds\n"
         "                  chip N\" and give up after S seconds (default 60; 0: for ever).\n"
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
         "                  'flip=6:0', 'drop', 'drop=3' (the 3rd command's answer),\n"
         "                  'truncate=4', 'latency=5', 'brownout',\n"
         "                  'brownout=2' (the 2nd command that writes the NVM), 'reset',\n"
         "                  'reset=8' (the 8th command) (comma-separated; docs/faults.md).\n"
         "                  Each one that fires is logged on stderr, and one that never\n"
         "                  fired gets a note there after the command. With --bus unix:\n"
         "                  or tcp:, brownout and reset are armed in the server's chip,\n"
         "                  which logs them.\n"
         "  --trace FILE    Record every I2C message between this tool and the chip to\n"
         "                  FILE (docs/trace-format.md; '-' for stdout), as the host sees\n"
         "                  them (after --fault). With --image the clock is virtual, so a\n"
         "                  run gives the same trace each time.\n"
         "  --trace-append FILE\n"
         "                  The same, going on at the end of the trace in FILE (created\n"
         "                  when missing): one trace of a session of several runs.\n"
         "  --trace-secrets With --trace: record secrets as they are. Without it host keys,\n"
         "                  passwords and envelope plaintexts are replaced by 00 bytes\n"
         "                  (line comment 'redacted'). With --image the new trace also\n"
         "                  carries the chip's seed (as secret as its keys), so that\n"
         "                  'stsafe-emu replay' compares random answers byte for byte.\n"
         "  --help          This text; COMMAND --help: that command's help alone.\n"
         "  --version       The version, and the mbedTLS it was built and runs with.\n"
         "\n"
         "Exit status: 0 success, 1 the chip refused or an I/O error (the chip status is\n"
         "printed), 2 bad command line.\n",
          f);
}
