/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu: create and inspect emulated STSAFE-A110 images. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stsafe/emulator/image.h"
#include "stsafe/emulator/profile.h"
#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/hex.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/protocol/x509_sigalg.h"
#include "stsafe/server/server.h"
#if STSE_EMU_HAVE_BENCH
#include "bench.h"
#endif
#include "emu_cmds.h"
#include "emu_import.h"
#include "emu_serve.h"
#include "tool_common.h"
#include "tool_describe.h"

static const char *prog = "stsafe-emu";

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: stsafe-emu <command> [options]\n"
            "\n"
            "An emulated ST STSAFE-A110 secure element.\n"
            "\n"
            "Commands:\n"
            "  init IMAGE [--profile NAME] [--serial HEX] [--seed HEX] [--ca-out PATH] [--force|--if-missing]\n"
            "        Create a chip image personalised with a profile (default: 'default'):\n"
            "        zones, counters, a P-256 device key in slot 0 and its certificate in\n"
            "        zone 0, issued by a test CA written to PATH (default IMAGE.ca.pem).\n"
            "        --serial sets the 9-byte serial number (18 hex digits).\n"
            "        --seed gives the chip its seed (1 to 64 bytes; otherwise random): all\n"
            "        its random bytes (keys, envelope keys, Generate Random, signature\n"
            "        nonces, its timing spread) and those of the profile come from it, so\n"
            "        the same seed and the same commands give the same bytes. It is as\n"
            "        secret as the keys.\n"
            "        An existing IMAGE is kept unless --force is given; with --if-missing\n"
            "        a valid existing IMAGE is success (exit 0). A failed init leaves nothing.\n"
            "  info IMAGE\n"
            "        Show serial, life cycle, zones, counters, key slots, the certificates in\n"
            "        the zones (and whether one carries the old NULL-parameter signature\n"
            "        algorithm, docs/provisioning.md) and host keys. Private key bytes are\n"
            "        never shown.\n"
            "  info --bus ADDRESS [--chip N]\n"
            "        What a served chip (or a chip on i2c:/dev/i2c-N) says of itself through\n"
            "        Query: product data, life cycle, zones, key slots, host keys, password.\n"
            "  bench [--seconds S] [--fleet N] [--json]\n"
            "        Measure the emulator beside raw mbedTLS and a raw socket in the same run:\n"
            "        Echo round trips (in process, and over a unix socket beside a raw\n"
            "        ping-pong), P-256/P-384 signatures and ECDH through the whole frame path\n"
            "        and raw in 9 interleaved rounds (S seconds per figure and per round,\n"
            "        default 1), trace replay, snapshot restores (in process and over a unix\n"
            "        socket), and the memory per chip of a fleet of 1000.\n"
            "        --fleet N: also create and load a fleet of N chips (10000 for the\n"
            "        targets) and time both. --json: one JSON object instead of the table.\n"
            "  serve --image IMAGE --listen ADDR [--timing none|datasheet|real] [--clock host|nacks]\n"
            "        [--timing-profile minimum|observed] [--timing-spread PCT] [--trace FILE]\n"
            "        [--trace-secrets] [--idle-timeout S] [--socket-mode OCTAL] [--verbose]\n"
            "        [--pid-file FILE] [--ready-fd N] [--daemon] [--log FILE]\n"
            "        Serve the chip of IMAGE on a socket, one client at a time, with the\n"
            "        protocol of docs/socket-protocol.md. ADDR is unix:PATH or\n"
            "        tcp:HOST:PORT (use 127.0.0.1: there is no authentication). The image is\n"
            "        saved after every command that changed the NVM, and on SIGINT or SIGTERM,\n"
            "        which stop the server. --timing: none (answers at once, default),\n"
            "        datasheet (busy times on a virtual clock), real (busy times on the wall\n"
            "        clock). With datasheet, --clock host (default) moves the virtual clock\n"
            "        by the host's real waits between requests and at least 1 ms per NACK,\n"
            "        so a host polling every P ms up to N times succeeds when P x N covers\n"
            "        the command; --clock nacks moves it 1 ms per NACK only (exact NACK\n"
            "        counts, for tests of NACK handling; not for hosts that sleep).\n"
            "        --timing-profile minimum (default: ST's minimum waits) or observed\n"
            "        (the slower waits of a later ST integration); --timing-spread PCT:\n"
            "        each chip's times vary by up to PCT per cent (default 10), fixed by\n"
            "        its seed; 0 turns it off (docs/protocol.md, section 1).\n"
            "        Logs go to stderr; --verbose logs every request (secrets redacted).\n"
            "        --trace FILE records every I2C transaction that reaches the chip, from\n"
            "        any client, to FILE (mode 0600, docs/trace-format.md); host keys,\n"
            "        passwords and envelope plaintexts are redacted unless --trace-secrets,\n"
            "        which also writes the chip's seed, for an exact replay.\n"
            "        --idle-timeout S: a client silent for S seconds between requests is\n"
            "        dropped (default 30; 0: never), and one that sends no HELLO within 5 s\n"
            "        (or S when shorter): a silent client cannot hold the chip for ever.\n"
            "        A unix socket is 0600 (only this user may connect); --socket-mode 660\n"
            "        (octal) widens it, e.g. for a group.\n"
            "        For test suites: --pid-file FILE gets the PID; --ready-fd N gets the\n"
            "        bound address and a newline once listening; with tcp:HOST:0 the bound\n"
            "        address is printed on stdout; --daemon returns once the server listens\n"
            "        (printing its address); --log FILE (0600, appended) takes the log lines,\n"
            "        else a daemon is quiet.\n"
            "  wait ADDRESS [--timeout S]\n"
            "        Exit 0 as soon as a server at ADDRESS answers HELLO; 1 after S seconds\n"
            "        (default 10).\n"
            "  serve --fleet N --image-dir DIR --listen ADDR [--timing ...] [--verbose]\n"
            "        A fleet: N chips (1 to 10000) in one server, chip i's image in\n"
            "        DIR/chip-0000.img, chip-0001.img... DIR and missing images are created:\n"
            "        default profile, serial 464C454554 then i in 4 bytes, random keys, test\n"
            "        CA in IMAGE.ca.pem. Up to 64 clients at once, each on chip 0 until it\n"
            "        selects another (stsafe-cli --bus ADDR --chip I). Images are saved as\n"
            "        with --image.\n"
            "  serve --from-trace TRACE --listen ADDR [--address A] [--verbose]\n"
            "        Be the chip recorded in TRACE for a host under test: each write must be\n"
            "        the trace's next command, byte for byte, and gets the recorded answer at\n"
            "        once. The first deviation is logged with both commands, answered FAILED,\n"
            "        and stops the server (exit 1). Once the host has read the answer to the\n"
            "        last command the server stops (exit 0); stopped earlier by a signal, it\n"
            "        exits 1. A: the chip's address (default: the trace's first write's).\n"
            "  replay TRACE --image IMAGE [--address A] [--quiet]\n"
            "        Send the commands of an I2C trace (docs/trace-format.md) to a fresh\n"
            "        emulator loaded from IMAGE (the image the trace was recorded with; it is\n"
            "        not changed) and compare every answer with the recording: byte for\n"
            "        byte when the trace carries this image's seed (--trace-secrets), else\n"
            "        answers made of random bytes by status and length (saying so), with\n"
            "        signatures verified and points checked on their curve. Exit 1 and the\n"
            "        first difference when they differ. A redacted command (a secret left\n"
            "        out) is sent with a substitute and the report counts them. --address:\n"
            "        the chip's (default: the image's).\n"
            "  trace export --pcapng OUT TRACE\n"
            "        Write TRACE as a pcapng file for Wireshark or tshark: one packet per\n"
            "        message (LINKTYPE_I2C_LINUX, nanosecond times; NACKs carry the packet\n"
            "        comment NACK). OUT is created with mode 0600.\n"
            "  import --from sigrok|saleae CAPTURE [-o TRACE] [--samplerate HZ]\n"
            "        Turn a logic-analyser capture into an I2C trace (docs/trace-format.md):\n"
            "        sigrok-cli I2C decoder text (-A i2c; with --protocol-decoder-samplenum\n"
            "        and --samplerate, e.g. 2M, the times too), or a Saleae Logic 2 I2C\n"
            "        analyser CSV export. The trace goes to TRACE (default stdout).\n"
            "  help, --help\n"
            "        This text.\n"
            "  --version\n"
            "        The version, and the mbedTLS it was built and runs with.\n"
            "\n"
            "Exit status: 0 success, 1 the operation failed, 2 bad command line.\n");
}

/* init on an image that is there: kept when --if-missing and it is a valid
 * image (a recipe can run again under set -e), else an error. */
static int init_existing(const char *image, int if_missing)
{
    if (!if_missing) {
        tool_error(prog, "init: '%s' exists; use --force to replace it, or --if-missing to keep it", image);
        return TOOL_EXIT_FAIL;
    }
    stsafe_emu_nvm nvm;
    stsafe_emu_image_lock lock;
    if (tool_image_lock(prog, &lock, image, 0, "stsafe-emu init") != 0)
        return TOOL_EXIT_FAIL;
    int err = stsafe_emu_image_load(image, &nvm);
    stsafe_emu_image_lock_release(&lock);
    memset(&nvm, 0, sizeof nvm);
    if (err) {
        tool_image_error(prog, image, err);
        tool_error(prog, "init: '%s' is there but is not a valid image; kept as it is (--force replaces it)",
                   image);
        return TOOL_EXIT_FAIL;
    }
    printf("kept %s (a valid image is already there)\n", image);
    return TOOL_EXIT_OK;
}

static int cmd_init(int argc, char **argv)
{
    const char *image = NULL, *profile = "default", *serial_hex = NULL, *ca_out = NULL, *seed_hex = NULL;
    int force = 0, if_missing = 0;
    uint8_t serial[STSAFE_EMU_SERIAL_LEN];
    char ca_default[4096];

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--profile") && i + 1 < argc) profile = argv[++i];
        else if (!strcmp(argv[i], "--serial") && i + 1 < argc) serial_hex = argv[++i];
        else if (!strcmp(argv[i], "--ca-out") && i + 1 < argc) ca_out = argv[++i];
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed_hex = argv[++i];
        else if (!strcmp(argv[i], "--force")) force = 1;
        else if (!strcmp(argv[i], "--if-missing")) if_missing = 1;
        else if (argv[i][0] != '-' && !image) image = argv[i];
        else {
            tool_error(prog, "init: unexpected argument '%s' (see --help)", argv[i]);
            return TOOL_EXIT_USAGE;
        }
    }
    if (!image) {
        tool_error(prog, "init: missing IMAGE (see --help)");
        return TOOL_EXIT_USAGE;
    }
    if (!stsafe_emu_profile_exists(profile)) {
        tool_error(prog, "init: unknown profile '%s' (known: default)", profile);
        return TOOL_EXIT_USAGE;
    }
    size_t n = 0;
    if (serial_hex && (stsafe_hex_decode(serial_hex, serial, sizeof serial, &n) != 0 ||
                       n != sizeof serial)) {
        tool_error(prog, "init: --serial needs exactly %u bytes (%u hex digits)",
                   STSAFE_EMU_SERIAL_LEN, 2 * STSAFE_EMU_SERIAL_LEN);
        return TOOL_EXIT_USAGE;
    }
    uint8_t seed[64];
    size_t seed_len = 0;
    if (seed_hex && (stsafe_hex_decode(seed_hex, seed, sizeof seed, &seed_len) != 0 || seed_len == 0)) {
        tool_error(prog, "init: --seed needs 1 to 64 bytes in hex (32 are used as they are)");
        return TOOL_EXIT_USAGE;
    }
    if (force && if_missing) {
        tool_error(prog, "init: --force and --if-missing contradict each other");
        return TOOL_EXIT_USAGE;
    }
    if (!force && access(image, F_OK) == 0)
        return init_existing(image, if_missing);
    if (!ca_out) {
        snprintf(ca_default, sizeof ca_default, "%s.ca.pem", image);
        ca_out = ca_default;
    }

    stsafe_rng rng;
    stsafe_emu_nvm nvm;
    stsafe_emu_profile_output out;
    int rc = TOOL_EXIT_FAIL;
    /* with --seed, the keys and the certificate come from it too: the same
     * seed makes the same image */
    if ((seed_hex ? stsafe_rng_init_deterministic(&rng, seed, seed_len)
                  : stsafe_rng_init(&rng, "stsafe-emu init")) != 0) {
        tool_error(prog, "cannot seed the random generator");
        return TOOL_EXIT_FAIL;
    }
    int err = stsafe_emu_profile_apply(&nvm, profile, serial_hex ? serial : NULL, stsafe_rng_fn, &rng,
                                     &out);
    if (!err && seed_hex)
        err = stsafe_emu_nvm_set_seed(&nvm, seed, seed_len);
    /* the CA first, then the image: a failure at either leaves neither (each
     * write leaves nothing of its own when it fails) */
    if (err) {
        tool_error(prog, "init: personalisation failed: %s", stsafe_strerror(err));
    } else if (stsafe_emu_file_write(ca_out, out.ca_cert_pem, strlen(out.ca_cert_pem), 0644) != 0) {
        tool_error(prog, "init: cannot write the CA certificate to '%s': %s", ca_out, strerror(errno));
    } else {
        if ((err = stsafe_emu_image_save(image, &nvm)) != 0) {
            tool_error(prog, "init: cannot write '%s': %s: %s", image, stsafe_strerror(err), strerror(errno));
            unlink(ca_out);
        } else {
            printf("created %s (profile %s, serial ", image, profile);
            for (unsigned i = 0; i < STSAFE_EMU_SERIAL_LEN; i++)
                printf("%02X", nvm.serial[i]);
            printf(")\ntest CA certificate: %s\n", ca_out);
            rc = TOOL_EXIT_OK;
        }
    }
    memset(&nvm, 0, sizeof nvm);
    stsafe_rng_free(&rng);
    return rc;
}

static void print_zones(const stsafe_emu_nvm *nvm)
{
    printf("data partition: %u zones\n", nvm->zone_count);
    tool_print_zone_heading(stdout);
    for (uint8_t i = 0; i < nvm->zone_count; i++) {
        const stsafe_emu_zone *z = &nvm->zones[i];
        tool_print_zone(stdout, i, z->type, z->size, z->access, z->counter);
    }
}

static void print_key_slots(const stsafe_emu_nvm *nvm)
{
    printf("private key slots:\n");
    for (unsigned i = 0; i < STSAFE_EMU_MAX_KEY_SLOTS; i++) {
        const stsafe_emu_key_slot *k = &nvm->key_slots[i];
        if (!k->present) {
            printf("  slot %u: empty\n", i);
            continue;
        }
        size_t n = stsafe_curve_size(k->curve);
        char x[2 * 48 + 1], y[2 * 48 + 1];
        stsafe_hex_encode(k->pub_x, n, x, sizeof x);
        stsafe_hex_encode(k->pub_y, n, y, sizeof y);
        printf("  slot %u: %s, public key 04%s%s\n", i, stsafe_curve_name(k->curve), x, y);
    }
}

/* info --bus ADDRESS [--chip N]: what a served chip (or real silicon) says
 * of itself through Query. */
static int info_bus(int argc, char **argv)
{
    unsigned long chip = 0;
    int with_chip = argc == 4 && !strcmp(argv[2], "--chip");
    if ((argc != 2 && !with_chip) || (with_chip && tool_parse_uint(argv[3], 0xFFFF, &chip) != 0)) {
        tool_error(prog, "info: expects IMAGE, or --bus ADDRESS [--chip N] (see --help)");
        return TOOL_EXIT_USAGE;
    }
    tool_session s;
    int rc = tool_session_open_bus(&s, prog, argv[1]);
    if (rc)
        return rc;
    printf("chip: %s", argv[1]);
    if (with_chip)
        printf(", chip %lu", chip);
    printf("\n");
    if (with_chip)
        rc = tool_session_select(&s, prog, chip);
    if (!rc)
        rc = tool_print_chip_info(&s, prog);
    int close_rc = tool_session_close(&s, prog);
    return rc ? rc : close_rc;
}

/* The certificate at the start of each plain zone and how its signature
 * algorithm is encoded: images made before issue 17 carry mbedTLS 2.28's
 * explicit NULL, which strict X.509 stacks refuse (docs/provisioning.md). */
static void print_certificates(const stsafe_emu_nvm *nvm)
{
    int found = 0;
    for (uint8_t i = 0; i < nvm->zone_count; i++) {
        const stsafe_emu_zone *z = &nvm->zones[i];
        stsafe_x509_sigalg_info in;
        if (z->type != STSAFE_ZONE_PLAIN ||
            stsafe_x509_sigalg_inspect(nvm->zone_arena + z->offset, z->size, &in) != 0 ||
            in.kind != STSAFE_X509_CERTIFICATE)
            continue;
        if (!found++)
            printf("certificates:\n");
        const mbedtls_md_info_t *md = mbedtls_md_info_from_type(in.md);
        printf("  zone %u: %zu bytes DER, signature %s%s, %s", i, in.total_len, md ? "ecdsa-with-" : "",
               md ? mbedtls_md_get_name(md) : "not ECDSA", stsafe_x509_sigalg_encoding_name(in.outer_encoding));
        if (in.inner_encoding == STSAFE_X509_SIGALG_NULL || in.outer_encoding == STSAFE_X509_SIGALG_NULL)
            printf(": the old encoding, refused by strict X.509 stacks; have a CA re-sign it "
                   "(docs/provisioning.md)");
        printf("\n");
    }
    if (!found)
        printf("certificates: none\n");
}

static int cmd_info(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "--bus"))
        return info_bus(argc, argv);
    if (argc != 1 || argv[0][0] == '-') {
        tool_error(prog, "info: expects IMAGE, or --bus ADDRESS [--chip N] (see --help)");
        return TOOL_EXIT_USAGE;
    }
    stsafe_emu_nvm nvm;
    stsafe_emu_image_lock lock;
    if (tool_image_lock(prog, &lock, argv[0], 0, "stsafe-emu info") != 0)
        return TOOL_EXIT_FAIL;
    int err = stsafe_emu_image_load(argv[0], &nvm);
    stsafe_emu_image_lock_release(&lock);
    if (err) {
        tool_image_error(prog, argv[0], err);
        return TOOL_EXIT_FAIL;
    }
    printf("image: %s (format v%u)\nserial number: ", argv[0], STSAFE_EMU_IMAGE_VERSION);
    tool_print_hex(stdout, nvm.serial, sizeof nvm.serial);
    printf("mask identification: ");
    tool_print_hex(stdout, nvm.mask_id, sizeof nvm.mask_id);
    printf("life cycle: %s (0x%02X)\n", tool_life_cycle_name(nvm.life_cycle), nvm.life_cycle);
    printf("I2C address: 0x%02X\n", nvm.i2c.address);
    print_zones(&nvm);
    print_key_slots(&nvm);
    print_certificates(&nvm);
    printf("host keys: %s, C-MAC counter %lu\n", nvm.host_keys.present ? "provisioned" : "not provisioned",
           (unsigned long)nvm.host_keys.cmac_counter);
    printf("password: %s\n", nvm.password.present ? "set" : "not set");
    memset(&nvm, 0, sizeof nvm);
    return TOOL_EXIT_OK;
}

#if !STSE_EMU_HAVE_BENCH
/* Configured with -DSTSE_EMU_BUILD_BENCH=OFF (a subproject's default). */
static int cmd_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    tool_error(prog, "bench: not built into this stsafe-emu (configure stsafe-emu with "
                     "-DSTSE_EMU_BUILD_BENCH=ON)");
    return TOOL_EXIT_FAIL;
}
#else
static int cmd_bench(int argc, char **argv)
{
    unsigned long tenths = 10, fleet = 0;
    int json = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = 1;
            continue;
        }
        if (!strcmp(argv[i], "--fleet") && i + 1 < argc) {
            if (tool_parse_uint(argv[++i], STSAFE_SERVER_MAX_FLEET, &fleet) != 0 || fleet == 0) {
                tool_error(prog, "bench: --fleet takes 1 to %u chips", STSAFE_SERVER_MAX_FLEET);
                return TOOL_EXIT_USAGE;
            }
            continue;
        }
        char *end = NULL;
        double s = i + 1 < argc && !strcmp(argv[i], "--seconds") ? strtod(argv[++i], &end) : 0;
        if (!end || *end || s < 0.1 || s > 600) {
            tool_error(prog, "bench: takes --seconds 0.1 to 600, --fleet N and --json (see --help)");
            return TOOL_EXIT_USAGE;
        }
        tenths = (unsigned long)(s * 10.0 + 0.5);
    }
    return stse_bench_run((double)tenths / 10.0, json, (size_t)fleet);
}
#endif

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return TOOL_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return TOOL_EXIT_OK;
    }
    if (!strcmp(cmd, "--version"))
        return tool_print_version(prog);
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return TOOL_EXIT_OK;
        }
    }
    if (stsafe_mbedtls_init() != 0) { /* mbedTLS 3.6 with PSA: before any PK or X.509 call */
        tool_error(prog, "mbedTLS: the PSA crypto core did not start");
        return TOOL_EXIT_FAIL;
    }
    if (!strcmp(cmd, "init"))
        return cmd_init(argc - 2, argv + 2);
    if (!strcmp(cmd, "info"))
        return cmd_info(argc - 2, argv + 2);
    if (!strcmp(cmd, "bench"))
        return cmd_bench(argc - 2, argv + 2);
    if (!strcmp(cmd, "serve"))
        return emu_cmd_serve(argc - 2, argv + 2);
    if (!strcmp(cmd, "replay"))
        return emu_cmd_replay(prog, argc - 2, argv + 2);
    if (!strcmp(cmd, "wait"))
        return emu_cmd_wait(prog, argc - 2, argv + 2);
    if (!strcmp(cmd, "trace"))
        return emu_cmd_trace(prog, argc - 2, argv + 2);
    if (!strcmp(cmd, "import"))
        return emu_import_main(argc - 2, argv + 2);
    tool_error(prog, "unknown command '%s' (see --help)", cmd);
    return TOOL_EXIT_USAGE;
}
