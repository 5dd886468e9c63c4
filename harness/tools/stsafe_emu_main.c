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

static const char *prog = EMU_PROG;

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

int emu_cmd_init(int argc, char **argv)
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
    if (with_chip && !strncmp(argv[1], "i2c:", 4)) { /* SELECT needs a server */
        tool_error(prog, "info: --chip picks a chip of a fleet served by 'stsafe-emu serve' (--bus unix: or "
                         "tcp:); on an I2C adapter the chip is the one at the address (i2c:/dev/i2c-N@ADDR)");
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

int emu_cmd_info(int argc, char **argv)
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
    /* Not checked at load (a multiplication per key): said here, exit 1. */
    char detail[160] = "";
    err = stsafe_emu_image_check_key_pairs(&nvm, detail, sizeof detail);
    memset(&nvm, 0, sizeof nvm);
    if (err == STSAFE_ERR_IMAGE_FIELD)
        tool_error(prog, "%s: %s: the chip would sign with the scalar and report the stored point", argv[0],
                   detail);
    else if (err)
        tool_error(prog, "%s: the key pairs could not be checked: %s", argv[0], stsafe_strerror(err));
    return err ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

#if !STSE_EMU_HAVE_BENCH
/* Configured with -DSTSE_EMU_BUILD_BENCH=OFF (a subproject's default). */
int emu_cmd_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    tool_error(prog, "bench: not built into this stsafe-emu (configure stsafe-emu with "
                     "-DSTSE_EMU_BUILD_BENCH=ON)");
    return TOOL_EXIT_FAIL;
}
#else
int emu_cmd_bench(int argc, char **argv)
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

/* 1 when \p arg asks for help. */
static int is_help(const char *arg)
{
    return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        emu_usage_short(stderr);
        return TOOL_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--version"))
        return tool_print_version(prog);
    if (!strcmp(name, "help") || is_help(name)) { /* help [COMMAND] */
        const emu_command *c = argc > 2 ? emu_find_command(argv[2]) : NULL;
        c ? emu_usage_command(stdout, c) : emu_usage(stdout);
        return TOOL_EXIT_OK;
    }
    const emu_command *cmd = emu_find_command(name);
    if (!cmd) {
        tool_error(prog, "unknown command '%s'", name);
        emu_usage_short(stderr);
        return TOOL_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (is_help(argv[i])) {
            emu_usage_command(stdout, cmd);
            return TOOL_EXIT_OK;
        }
    }
    if (stsafe_mbedtls_init() != 0) { /* mbedTLS 3.6 with PSA: before any PK or X.509 call */
        tool_error(prog, "mbedTLS: the PSA crypto core did not start");
        return TOOL_EXIT_FAIL;
    }
    return cmd->run(argc - 2, argv + 2);
}
