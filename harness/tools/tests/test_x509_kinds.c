/* SPDX-License-Identifier: BSD-3-Clause */
/* Every kind of certificate and CSR the project writes, walked as DER
 * (issue 17): the image's device certificate and its test CA (what
 * `stsafe-emu init` writes), `stsafe-cli ca init`, `ca issue`, the
 * certificate `provision` stores in zone 1, and `csr`. Each must carry
 * ecdsa-with-SHA256 as RFC 5758 3.2 writes it (30 0a 06 08 2a 86 48 ce 3d
 * 04 03 02, no NULL) in the TBS and outside, and its issuer's key must
 * verify the signature over the TBS bytes as they are. The commands run as
 * the tool runs them (stsafe_cli_cmds), on an image in a scratch folder.
 * The kinds made with the chip's key (zone 1, the CSR) go through the
 * build's route to it, STSE_KEY_ROUTE: "pk-table" (mbedTLS 2.28), "psa"
 * (`provision --psa`, `csr --psa`: mbedTLS 3.6 with PSA_CRYPTO_SE_C) or
 * "none" (Debian's packaged 3.6), where that test is reported skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "cli.h"
#include "stsafe/emulator/image.h"
#include "stsafe/emulator/profile.h"
#include "stsafe/emulator/rng.h"
#include "stsafe/protocol/x509_sigalg.h"
#include "support/x509_walk.h"
#include "tool_common.h"

typedef struct {
    char dir[64];
    char path[8][320];
} scratch;

static const char *file_in(scratch *s, int slot, const char *name)
{
    snprintf(s->path[slot], sizeof s->path[slot], "%s/%s", s->dir, name);
    return s->path[slot];
}

#ifndef STSE_KEY_ROUTE
#error "STSE_KEY_ROUTE: pk-table, psa or none (harness/tools/tests/CMakeLists.txt)"
#endif
static int route_is(const char *name)
{
    return strcmp(STSE_KEY_ROUTE, name) == 0;
}

/* The scratch folder is also the current directory: the PSA core writes its
 * ITS files there (docs/psa.md). */
static int setup(void **state)
{
    static scratch s;
    strcpy(s.dir, "/tmp/test_x509_kinds.XXXXXX");
    if (!mkdtemp(s.dir) || chdir(s.dir) != 0)
        return -1;
    *state = &s;
    return 0;
}

static int teardown(void **state)
{
    scratch *s = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    return chdir("/") == 0 && system(cmd) == 0 ? 0 : -1;
}

static void args_init(cli_args *a, const char *op)
{
    memset(a, 0, sizeof *a); /* as stsafe-cli's parser leaves what is not given */
    a->zone = a->length = a->amount = a->slot = a->days = -1;
    a->limit = 0xFFFF;
    if (op) {
        a->positional[0] = op;
        a->npositional = 1;
    }
}

static void load_crt(const char *path, mbedtls_x509_crt *crt)
{
    mbedtls_x509_crt_init(crt);
    if (mbedtls_x509_crt_parse_file(crt, path) != 0)
        fail_msg("%s does not parse as a certificate", path);
}

/* The image's device certificate (zone 0) and its test CA, from the profile
 * `stsafe-emu init` applies; the image is saved for the provisioning test. */
static void test_image_device_certificate_and_test_ca(void **state)
{
    scratch *s = *state;
    stsafe_rng rng;
    stsafe_emu_nvm nvm;
    stsafe_emu_profile_output out;
    mbedtls_x509_crt ca;
    assert_int_equal(stsafe_rng_init(&rng, "test_x509_kinds"), 0);
    assert_int_equal(stsafe_emu_profile_apply(&nvm, "default", NULL, stsafe_rng_fn, &rng, &out), 0);
    mbedtls_x509_crt_init(&ca);
    assert_int_equal(mbedtls_x509_crt_parse(&ca, (const unsigned char *)out.ca_cert_pem,
                                            strlen(out.ca_cert_pem) + 1), 0);
    x509_walk_assert_rfc5758(ca.raw.p, ca.raw.len, 1, &ca.pk); /* self-signed */
    const stsafe_emu_zone *z0 = &nvm.zones[0];
    x509_walk_assert_rfc5758(nvm.zone_arena + z0->offset, z0->size, 1, &ca.pk);
    x509_walk w;
    x509_walk_der(nvm.zone_arena + z0->offset, z0->size, 1, &w);
    assert_int_equal(w.total_len, out.device_cert_len);
    assert_int_equal(stsafe_emu_image_save(file_in(s, 0, "chip.img"), &nvm), 0);
    mbedtls_x509_crt_free(&ca);
    stsafe_rng_free(&rng);
}

static void test_ca_init_and_issue(void **state)
{
    scratch *s = *state;
    cli_args a;
    mbedtls_x509_crt ca, server;
    args_init(&a, "init");
    a.out = file_in(s, 1, "ca");
    assert_int_equal(cli_do_ca(NULL, &a), TOOL_EXIT_OK);
    load_crt(file_in(s, 2, "ca.pem"), &ca);
    x509_walk_assert_rfc5758(ca.raw.p, ca.raw.len, 1, &ca.pk);

    args_init(&a, "issue");
    a.ca_cert = file_in(s, 2, "ca.pem");
    a.ca_key = file_in(s, 3, "ca.key");
    a.cn = "localhost";
    a.out = file_in(s, 4, "server");
    assert_int_equal(cli_do_ca(NULL, &a), TOOL_EXIT_OK);
    load_crt(file_in(s, 5, "server.pem"), &server);
    x509_walk_assert_rfc5758(server.raw.p, server.raw.len, 1, &ca.pk);
    mbedtls_x509_crt_free(&server);
    mbedtls_x509_crt_free(&ca);
}

/* provision: the certificate as it lies in zone 1 (700 bytes read, the
 * zone's unused bytes after it), then csr: the chip's CSR. Both sign with
 * the chip's key, through the build's route (--psa on a PSA build). */
static void test_provision_zone1_and_csr(void **state)
{
    scratch *s = *state;
    tool_session ts;
    cli_args a;
    uint8_t zone[700];
    mbedtls_x509_crt ca;
    mbedtls_x509_csr csr;
    if (route_is("none")) {
        print_message("provision's zone-1 certificate and csr: skipped: they sign with the chip's key, and this "
                      "build has no route to it (the pk table needs mbedTLS 2.28, --psa an mbedTLS 3.6 with "
                      "PSA_CRYPTO_SE_C; docs/mbedtls.md)\n");
        skip();
    }
    const int psa = route_is("psa");
    load_crt(file_in(s, 2, "ca.pem"), &ca);
    assert_int_equal(tool_session_open(&ts, "test", file_in(s, 0, "chip.img")), 0);
    args_init(&a, NULL);
    a.psa = psa;
    a.device_id = "demo-device-01";
    a.ca_cert = file_in(s, 2, "ca.pem");
    a.ca_key = file_in(s, 3, "ca.key");
    assert_int_equal(cli_do_provision(&ts, &a), TOOL_EXIT_OK);
    assert_int_equal(cli_read_zone(&ts, 1, 0, sizeof zone, zone), 0);
    x509_walk_assert_rfc5758(zone, sizeof zone, 1, &ca.pk);

    args_init(&a, NULL);
    a.psa = psa;
    a.device_id = "demo-device-02";
    a.slot = 1;
    a.out = file_in(s, 6, "device.csr");
    assert_int_equal(cli_do_csr(&ts, &a), TOOL_EXIT_OK);
    assert_int_equal(tool_session_close(&ts, "test"), 0);
    mbedtls_x509_csr_init(&csr);
    assert_int_equal(mbedtls_x509_csr_parse_file(&csr, file_in(s, 6, "device.csr")), 0);
    x509_walk_assert_rfc5758(csr.raw.p, csr.raw.len, 0, &csr.pk); /* signed by the chip's slot 1 */
    mbedtls_x509_csr_free(&csr);
    mbedtls_x509_crt_free(&ca);
}

/* An image made before issue 17 keeps its old device certificate: it still
 * parses and verifies, and the inspection says which encoding it has. */
static void test_old_image_still_reads(void **state)
{
    (void)state;
    stsafe_emu_nvm nvm;
    stsafe_x509_sigalg_info in;
    mbedtls_x509_crt crt;
    assert_int_equal(stsafe_emu_image_load(STSE_EMU_VECTORS_DIR "/traces/golden.img", &nvm), 0);
    const uint8_t *z0 = nvm.zone_arena + nvm.zones[0].offset;
    assert_int_equal(stsafe_x509_sigalg_inspect(z0, nvm.zones[0].size, &in), 0);
    assert_int_equal(in.inner_encoding, STSAFE_X509_SIGALG_NULL);
    assert_int_equal(in.outer_encoding, STSAFE_X509_SIGALG_NULL);
    assert_memory_equal(z0 + in.outer_off, x509_walk_ecdsa_sha256_null, sizeof x509_walk_ecdsa_sha256_null);
    mbedtls_x509_crt_init(&crt);
    assert_int_equal(mbedtls_x509_crt_parse_der(&crt, z0, in.total_len), 0);
    mbedtls_x509_crt_free(&crt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_device_certificate_and_test_ca),
        cmocka_unit_test(test_ca_init_and_issue),
        cmocka_unit_test(test_provision_zone1_and_csr),
        cmocka_unit_test(test_old_image_still_reads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
