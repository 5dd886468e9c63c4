/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu bench: P-256 sign through mbedTLS 3.6's PSA core and the chip's
 * secure-element registration (harness/psa) beside psa_sign_hash() with a
 * volatile software key, in the same run (docs/benchmarks.md). Both sides
 * go through psa_sign_hash(): the key lookup, the policy check and the
 * signature format are the same; what differs is the driver (the PSA
 * core's built-in ECDSA, or the SE driver, the host client, two frame
 * codecs and the chip's ECDSA). */
#include "bench_psa.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <psa/crypto.h>

#include "stsafe/protocol/curves.h"
#include "stsafe/psa/psa.h"
#include "stsafe/psa/se_driver.h"

/* The working folder the PSA core's ITS files go to, and the way back. */
typedef struct {
    char dir[64];
    int home;                   /* the caller's working folder, open; -1 when not */
    int inside;
} psa_folder;

static int folder_enter(psa_folder *f)
{
    const char *tmp = getenv("TMPDIR");
    memset(f, 0, sizeof *f);
    f->home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    snprintf(f->dir, sizeof f->dir, "%s/stsafe-bench-psa-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (f->home < 0 || !mkdtemp(f->dir)) {
        f->dir[0] = '\0';
        return -1;
    }
    if (chdir(f->dir) != 0)
        return -1;
    f->inside = 1;
    return 0;
}

/* Removes what the PSA core left in the folder (ITS files: attributes and
 * slot numbers, no key material), goes back and removes the folder. */
static void folder_leave(psa_folder *f)
{
    if (f->inside) {
        DIR *d = opendir(".");
        const struct dirent *e;
        while (d && (e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                (void)unlink(e->d_name);
        if (d)
            (void)closedir(d);
        if (fchdir(f->home) != 0)
            perror("stsafe-emu bench: back to the working folder");
    }
    if (f->dir[0])
        (void)rmdir(f->dir);
    if (f->home >= 0)
        (void)close(f->home);
}

typedef struct {
    mbedtls_svc_key_id_t soft;  /* a volatile software P-256 key */
    mbedtls_svc_key_id_t chip;  /* the chip's slot, registered with the SE driver */
    uint8_t sig[PSA_SIGNATURE_MAX_SIZE];
} psa_rig;

static const uint8_t digest[32] = {0x5A, 0x17, 0x02};

static int psa_sign(mbedtls_svc_key_id_t key, uint8_t *sig)
{
    size_t len = 0;
    psa_status_t ps = psa_sign_hash(key, PSA_ALG_ECDSA(PSA_ALG_SHA_256), digest, sizeof digest, sig,
                                    PSA_SIGNATURE_MAX_SIZE, &len);
    return ps == PSA_SUCCESS && len == 64 ? 0 : -1;
}

static int op_soft_sign(void *ctx)
{
    psa_rig *p = ctx;
    return psa_sign(p->soft, p->sig);
}

static int op_chip_sign(void *ctx)
{
    psa_rig *p = ctx;
    return psa_sign(p->chip, p->sig);
}

/* The same attributes as the chip key's (se_driver.h), but volatile and in
 * the PSA core's own location. */
static psa_status_t soft_key(mbedtls_svc_key_id_t *key)
{
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_bits(&a, 256);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_VERIFY_HASH);
    psa_set_key_algorithm(&a, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH));
    psa_status_t ps = psa_generate_key(&a, key);
    psa_reset_key_attributes(&a);
    return ps;
}

static int fail(const char *what, long code)
{
    fprintf(stderr, "stsafe-emu bench: PSA route: %s (%ld)\n", what, code);
    return -1;
}

/* The sign rounds, and the figures. */
static int sign_figures(stse_bench_report *r, psa_rig *p, double seconds)
{
    stse_bench_cost c;
    if (stse_bench_rounds(op_soft_sign, op_chip_sign, p, seconds, &c) != 0)
        return fail("psa_sign_hash failed", stsafe_psa_last_error(STSE_BENCH_PSA_SLOT));
    stse_bench_show(r, stse_bench_ratio_figures(r, "p256_sign_psa_raw", "P-256 sign, raw PSA",
                                                "p256_sign_psa_chip", "P-256 sign, PSA route to the chip",
                                                &c, STSE_BENCH_COST_TARGET));
    return 0;
}

/* Wraps the chip's slot as tls-connect --psa does (the route's setup binds
 * the client, records the slot's public key, registers the driver and the
 * key, mbedtls_pk_setup_opaque()), then the figures. */
static int measure_psa(stse_bench_report *r, stsafe_inproc_device *dev, mbedtls_pk_context *pk,
                       psa_rig *p, double seconds)
{
    const stsafe_emu_key_slot *k = &dev->chip.nvm.key_slots[STSE_BENCH_PSA_SLOT];
    stsafe_ecc_point pub;
    if (k->curve != STSAFE_CURVE_P256)
        return fail("the chip's slot 0 holds no P-256 key", k->curve);
    pub.size = 32;
    memcpy(pub.x, k->pub_x, 32);
    memcpy(pub.y, k->pub_y, 32);
    int rc = stsafe_chip_key_setup(stsafe_psa_chip_key_route(), pk, &dev->client, STSE_BENCH_PSA_SLOT,
                                   STSAFE_CURVE_P256, &pub);
    if (rc)
        return fail("the chip's key through PSA", rc);
    /* after the registration, which may restart the PSA core (volatile keys go) */
    psa_status_t ps = soft_key(&p->soft);
    if (ps != PSA_SUCCESS)
        return fail("a software P-256 key", (long)ps);
    p->chip = mbedtls_svc_key_id_make(0, stsafe_psa_key_id_of(STSE_BENCH_PSA_SLOT));
    if (sign_figures(r, p, seconds) != 0)
        return -1;
    return stse_bench_tls13(r, pk, STSE_BENCH_PSA_SLOT, seconds);
}

int stse_bench_psa(stse_bench_report *r, stsafe_inproc_device *dev, double seconds)
{
    psa_folder folder;
    psa_rig p;
    mbedtls_pk_context pk;
    memset(&p, 0, sizeof p);
    p.soft = MBEDTLS_SVC_KEY_ID_INIT;
    mbedtls_pk_init(&pk);
    int rc = folder_enter(&folder);
    if (rc)
        (void)fail("a temporary working folder for the PSA core's files", -1);
    else
        rc = measure_psa(r, dev, &pk, &p, seconds);
    mbedtls_pk_free(&pk);
    (void)psa_destroy_key(p.soft);
    stsafe_psa_se_forget_keys(); /* their ITS files go; the chip keeps its keys */
    (void)stsafe_psa_bind(NULL);
    folder_leave(&folder);
    return rc;
}
