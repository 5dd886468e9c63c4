/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-cli: the seed flow's provisioning half: a CSR signed by the chip,
 * and provisioning of a device certificate into a zone (docs/provisioning.md).
 * The test CA and the certificate writer are in cli_ca.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pem.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "cli.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/emulator/rng.h"

static const char *prog = CLI_PROG;

#define UPDATE_CHUNK 200u

/* ---- CSR ------------------------------------------------------------------------ */

/* The slot's key: a new pair from Generate Key, or the point given. */
static int slot_key(tool_session *s, const cli_args *a, uint8_t slot, uint8_t curve, stsafe_ecc_point *pub)
{
    if (a->pubkey)
        return cli_parse_point(a->pubkey, stsafe_curve_size(curve), pub) ? TOOL_EXIT_USAGE : TOOL_EXIT_OK;
    int err = stsafe_client_generate_key(&s->dev.client, slot, curve, 0xFFFF, pub);
    return err ? cli_report(err, "Generate Key") : TOOL_EXIT_OK;
}

/* A CSR with CN=device id, signed by the chip; DER at the start of \p buf. */
static int chip_csr(mbedtls_pk_context *key, const char *device_id, stsafe_rng *rng, unsigned char *buf,
                    size_t cap)
{
    char subject[256];
    mbedtls_x509write_csr w;
    snprintf(subject, sizeof subject, "CN=%s", device_id);
    mbedtls_x509write_csr_init(&w);
    mbedtls_x509write_csr_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_csr_set_key(&w, key);
    int rc = mbedtls_x509write_csr_set_subject_name(&w, subject);
    if (!rc)
        rc = cli_finish_der(mbedtls_x509write_csr_der(&w, buf, cap, stsafe_rng_fn, rng), buf, cap, NULL, rng);
    mbedtls_x509write_csr_free(&w);
    return rc;
}

static uint8_t curve_arg(const cli_args *a)
{
    return a->curve ? cli_parse_curve(a->curve) : STSAFE_CURVE_P256;
}

static int check_device_id(const char *id)
{
    if (!id) {
        tool_error(prog, "give the device's identity with --device-id ID (the certificate's CN, e.g. "
                         "demo-device-01)");
        return -1;
    }
    if (!*id || strlen(id) > 128 || strpbrk(id, ",=+<>#;\"\\")) {
        tool_error(prog, "--device-id is 1..128 characters without , = + < > # ; \" \\");
        return -1;
    }
    return 0;
}

int cli_do_csr(tool_session *s, const cli_args *a)
{
    unsigned char der[CLI_CERT_MAX];
    stsafe_ecc_point pub;
    mbedtls_pk_context key;
    stsafe_rng rng;
    uint8_t curve = curve_arg(a);
    uint8_t slot = a->slot < 0 ? 1 : (uint8_t)a->slot;
    if (check_device_id(a->device_id) || curve == STSAFE_CURVE_NONE)
        return TOOL_EXIT_USAGE;
    const stsafe_chip_key_route *route = cli_chip_key_route(a, "csr");
    if (!route)
        return TOOL_EXIT_FAIL;
    int rc = slot_key(s, a, slot, curve, &pub);
    if (rc)
        return rc;
    if (stsafe_rng_init(&rng, "stsafe-cli csr") != 0)
        return cli_report(STSAFE_ERR_CRYPTO, "csr");
    mbedtls_pk_init(&key);
    int n = stsafe_chip_key_setup(route, &key, &s->dev.client, slot, curve, &pub);
    if (!n)
        n = chip_csr(&key, a->device_id, &rng, der, sizeof der);
    if (n < 0) {
        int chip = stsafe_chip_key_last_error(route, &key);
        rc = chip ? cli_report(chip, "csr: the chip's signature") : cli_report(STSAFE_ERR_CRYPTO, "csr");
    } else if (a->out) {
        rc = cli_write_pem(a->out, "CERTIFICATE REQUEST", der, (size_t)n, 0644) ? TOOL_EXIT_FAIL : 0;
    } else {
        unsigned char pem[4096];
        size_t olen = 0;
        mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE REQUEST-----\n", "-----END CERTIFICATE REQUEST-----\n",
                                 der, (size_t)n, pem, sizeof pem, &olen);
        fputs((const char *)pem, stdout);
    }
    mbedtls_pk_free(&key);
    cli_chip_key_done(a);
    stsafe_rng_free(&rng);
    return rc;
}

/* ---- provisioning ----------------------------------------------------------------- */

/* 1 when zone \p zone starts with a DER certificate that parses (its
 * subject into \p crt), quietly 0 otherwise: an empty zone is an answer. */
static int probe_zone_cert(tool_session *s, long zone, mbedtls_x509_crt *crt)
{
    uint8_t der[CLI_CERT_MAX];
    if (stsafe_client_read(&s->dev.client, 0, (uint8_t)zone, 0, 4, der) != 0 || der[0] != 0x30 || der[1] != 0x82)
        return 0;
    size_t len = 4u + (size_t)(der[2] << 8 | der[3]);
    if (len > sizeof der)
        return 0;
    for (size_t done = 4; done < len; done += UPDATE_CHUNK) {
        size_t chunk = len - done < UPDATE_CHUNK ? len - done : UPDATE_CHUNK;
        if (stsafe_client_read(&s->dev.client, 0, (uint8_t)zone, (uint16_t)done, (uint16_t)chunk, der + done) != 0)
            return 0;
    }
    return mbedtls_x509_crt_parse_der(crt, der, len) == 0;
}

/* The zone must be a plain zone that this host may update: its update
 * access condition is "always", or "host" with the secure channel open
 * (--mac-key/--cipher-key). Checked before anything changes. */
static int zone_size(tool_session *s, long zone, uint16_t *size)
{
    uint8_t ac = 0;
    int rc = cli_cert_zone(s, zone, size, &ac);
    if (rc)
        return rc;
    if (ac == STSAFE_AC_HOST && !s->dev.client.session) {
        tool_error(prog, "zone %ld is updated only over the secure channel (update access condition "
                         "host): give --mac-key and --cipher-key; nothing was changed", zone);
        return TOOL_EXIT_FAIL;
    }
    if (ac != STSAFE_AC_ALWAYS && ac != STSAFE_AC_HOST) {
        tool_error(prog, "zone %ld cannot be updated (update access condition %u: never for this "
                         "host); nothing was changed", zone, ac);
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

/* The slot must be free, or --force given: Generate Key would destroy the
 * key there, and with a certificate for it in the zone, the device's
 * working identity. */
static int slot_free(tool_session *s, const cli_args *a, uint8_t slot, long zone, int *had_key)
{
    stsafe_key_table keys;
    int err = stsafe_client_query_key_table(&s->dev.client, &keys);
    if (err)
        return cli_report(err, "Query key table");
    int present = 0;
    for (uint8_t i = 0; i < keys.count && i < STSAFE_MAX_KEY_SLOTS; i++)
        if (keys.slot[i].slot == slot)
            present = keys.slot[i].present;
    *had_key = present;
    if (!present || a->force)
        return TOOL_EXIT_OK;
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int has_cert = probe_zone_cert(s, zone, &crt);
    if (has_cert) {
        char cn[256];
        mbedtls_x509_dn_gets(cn, sizeof cn, &crt.subject);
        tool_error(prog, "slot %u holds a key and zone %ld a certificate for it (%s): the device is "
                         "provisioned. --force replaces its identity (the old key is lost for good); "
                         "nothing was changed", slot, zone, cn);
    } else {
        tool_error(prog, "slot %u already holds a key; --force replaces it (the old key is lost for "
                         "good); nothing was changed", slot);
    }
    mbedtls_x509_crt_free(&crt);
    return TOOL_EXIT_FAIL;
}

/* The size a certificate for this device will have, from a stand-in key
 * of the same curve: known before the chip is touched. ECDSA signatures
 * vary by up to 2 bytes; that is the margin. (Before, the stand-in was
 * always P-256: a P-384 certificate, ~30 bytes longer, passed this check
 * and failed after Generate Key.) */
static int predicted_cert_size(const char *device_id, uint8_t curve, mbedtls_x509_crt *ca,
                               mbedtls_pk_context *ca_key, int days, stsafe_rng *rng)
{
    unsigned char der[CLI_CERT_MAX];
    char subject[256], issuer[256];
    mbedtls_pk_context stand_in;
    snprintf(subject, sizeof subject, "CN=%s", device_id);
    mbedtls_x509_dn_gets(issuer, sizeof issuer, &ca->subject);
    mbedtls_pk_init(&stand_in);
    int n = mbedtls_pk_setup(&stand_in, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    if (!n)
        n = mbedtls_ecp_gen_key((mbedtls_ecp_group_id)stsafe_curve_group(curve), mbedtls_pk_ec(stand_in),
                                stsafe_rng_fn, rng);
    cli_cert_spec c = {&stand_in, ca_key, subject, issuer, 0, days};
    if (!n)
        n = cli_write_cert(&c, rng, der, sizeof der);
    mbedtls_pk_free(&stand_in);
    return n < 0 ? n : n + 2;
}

/* \p acked receives the bytes the chip acknowledged: on a failure, what
 * the zone surely holds of the new data. */
static int write_zone(tool_session *s, uint8_t zone, const unsigned char *data, size_t len, size_t *acked)
{
    for (*acked = 0; *acked < len; *acked += UPDATE_CHUNK) {
        size_t chunk = len - *acked < UPDATE_CHUNK ? len - *acked : UPDATE_CHUNK;
        int err = stsafe_client_update(&s->dev.client, 0, zone, (uint16_t)*acked, data + *acked, chunk);
        if (err)
            return err;
    }
    *acked = len;
    return 0;
}

/* The certificate read back from the zone must be the one written, carry
 * the chip's public key, and the chip must sign for it. */
static int check_provisioned(tool_session *s, const stsafe_chip_key_route *route, long zone, uint8_t slot,
                             const unsigned char *der, size_t len, const stsafe_ecc_point *pub, uint8_t curve)
{
    mbedtls_x509_crt crt;
    uint8_t *back = NULL;
    size_t back_len = 0;
    mbedtls_pk_context key;
    unsigned char hash[32] = "stsafe-emu provisioning check", sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    size_t sig_len = 0;
    mbedtls_x509_crt_init(&crt);
    mbedtls_pk_init(&key);
    int rc = cli_load_zone_cert(s, zone, &crt, &back, &back_len);
    if (!rc && (back_len != len || memcmp(back, der, len) != 0)) {
        tool_error(prog, "zone %ld does not read back as the certificate written", zone);
        rc = TOOL_EXIT_FAIL;
    }
    if (!rc && stsafe_chip_key_setup(route, &key, &s->dev.client, slot, curve, pub) != 0)
        rc = TOOL_EXIT_FAIL;
    if (!rc && (stsafe_mbedtls_pk_sign(&key, MBEDTLS_MD_SHA256, hash, sizeof hash, sig, sizeof sig, &sig_len, NULL,
                                       NULL) != 0 ||
                mbedtls_pk_verify(&crt.pk, MBEDTLS_MD_SHA256, hash, sizeof hash, sig, sig_len) != 0)) {
        tool_error(prog, "the certificate in zone %ld does not match the key in slot %u", zone, slot);
        rc = TOOL_EXIT_FAIL;
    }
    free(back);
    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&crt);
    return rc;
}

typedef struct {
    mbedtls_x509_crt ca;
    mbedtls_pk_context ca_key, chip_key;
    mbedtls_x509_csr csr;
    stsafe_rng rng;
    int key_generated;          /* step 2 done (or maybe: key_unknown): the slot's old key is gone */
    int key_unknown;            /* Generate Key got no answer: the slot may hold a new key */
    int slot_had_key;           /* the slot held a key before (--force) */
    int step;                   /* the last step that succeeded (1..6) */
    int zone_touched;           /* step 5 began: the zone may hold part of the new certificate */
    int zone_refused;           /* the chip refused the write that failed (a status): it wrote nothing */
    size_t cert_len, zone_acked; /* the certificate's bytes; those the chip acknowledged */
} provision_ctx;

static int issue_device_cert(provision_ctx *p, const unsigned char *csr_der, size_t csr_len, int days,
                             unsigned char *buf, size_t cap)
{
    char subject[256], issuer[256];
    unsigned char hash[32];
    if (mbedtls_x509_csr_parse_der(&p->csr, csr_der, csr_len) != 0 ||
        mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), p->csr.cri.p, p->csr.cri.len, hash) != 0 ||
        mbedtls_pk_verify(&p->csr.pk, MBEDTLS_MD_SHA256, hash, sizeof hash, p->csr.STSAFE_MBEDTLS_PRIVATE(sig).p,
                          p->csr.STSAFE_MBEDTLS_PRIVATE(sig).len) != 0) {
        tool_error(prog, "the CSR's signature does not verify: the chip did not sign for its key");
        return -1;
    }
    mbedtls_x509_dn_gets(subject, sizeof subject, &p->csr.subject);
    mbedtls_x509_dn_gets(issuer, sizeof issuer, &p->ca.subject);
    cli_cert_spec c = {&p->csr.pk, &p->ca_key, subject, issuer, 0, days};
    return cli_write_cert(&c, &p->rng, buf, cap);
}

static int provision(tool_session *s, const cli_args *a, provision_ctx *p)
{
    unsigned char csr[CLI_CERT_MAX], crt[CLI_CERT_MAX];
    stsafe_ecc_point pub;
    uint16_t room = 0;
    uint8_t curve = curve_arg(a), slot = a->slot < 0 ? 1 : (uint8_t)a->slot;
    long zone = a->zone < 0 ? 1 : a->zone;
    int days = a->days > 0 ? (int)a->days : 0;
    if (check_device_id(a->device_id) || curve == STSAFE_CURVE_NONE)
        return TOOL_EXIT_USAGE;
    int rc = cli_load_ca(a->ca_cert, a->ca_key, &p->ca, &p->ca_key, &p->rng);
    if (rc)
        return rc;
    const stsafe_chip_key_route *route = cli_chip_key_route(a, "provision"); /* before the chip */
    if (!route)
        return TOOL_EXIT_FAIL;
    rc = zone_size(s, zone, &room);
    if (rc)
        return rc;
    int need = predicted_cert_size(a->device_id, curve, &p->ca, &p->ca_key, days, &p->rng);
    if (need < 0 || need > room) {
        tool_error(prog, "zone %ld holds %u bytes; the certificate needs about %d: nothing was changed",
                   zone, room, need);
        return TOOL_EXIT_FAIL;
    }
    rc = slot_free(s, a, slot, zone, &p->slot_had_key);
    if (rc)
        return rc;
    p->step = 1;
    printf("1. CA '%s' and its key match; zone %ld (%u bytes) fits the certificate (~%d bytes)\n",
           a->ca_cert, zone, room, need);
    int err = stsafe_client_generate_key(&s->dev.client, slot, curve, 0xFFFF, &pub);
    if (err && !STSAFE_ERR_IS_STATUS(err)) {
        /* No answer: the chip may have run the command and lost only its
         * answer (docs/faults.md, drop). Before, this said "nothing was changed". */
        p->key_generated = p->key_unknown = 1;
        return cli_report(err, "Generate Key");
    }
    if (err)
        return cli_report(err, "Generate Key (the chip refused it: nothing was changed)");
    p->key_generated = 1;
    p->step = 2;
    printf("2. key pair generated inside the chip, slot %u; public key ", slot);
    cli_print_point(&pub);
    int n = stsafe_chip_key_setup(route, &p->chip_key, &s->dev.client, slot, curve, &pub);
    if (!n)
        n = chip_csr(&p->chip_key, a->device_id, &p->rng, csr, sizeof csr);
    if (n < 0) {
        int chip = stsafe_chip_key_last_error(route, &p->chip_key);
        return cli_report(chip ? chip : STSAFE_ERR_CRYPTO, "CSR");
    }
    p->step = 3;
    printf("3. CSR for CN=%s signed by the chip (%d bytes)\n", a->device_id, n);
    int m = issue_device_cert(p, csr, (size_t)n, days, crt, sizeof crt);
    if (m < 0)
        return m == -1 ? TOOL_EXIT_FAIL : cli_report(STSAFE_ERR_CRYPTO, "certificate");
    p->step = 4;
    printf("4. the CA signed the certificate (%d bytes DER)\n", m);
    if ((size_t)m > room) {
        tool_error(prog, "the certificate (%d bytes) does not fit zone %ld (%u)", m, zone, room);
        return TOOL_EXIT_FAIL;
    }
    p->zone_touched = 1;
    p->cert_len = (size_t)m;
    err = write_zone(s, (uint8_t)zone, crt, (size_t)m, &p->zone_acked);
    if (err) {
        p->zone_refused = STSAFE_ERR_IS_STATUS(err);
        return cli_report(err, "Update");
    }
    p->step = 5;
    printf("5. certificate stored in zone %ld (DER: its header holds its length)\n", zone);
    rc = check_provisioned(s, route, zone, slot, crt, (size_t)m, &pub, curve);
    if (!rc)
        printf("6. read back from zone %ld: same bytes, and the chip's slot %u signs for its key\n", zone, slot);
    return rc;
}

/* What zone \p zone holds after a failure in step 5 or 6, for people. */
static void zone_state(const provision_ctx *p, long zone, char *buf, size_t cap)
{
    if (!p->zone_touched)
        snprintf(buf, cap, "zone %ld still holds what it held before, which does not match the new key", zone);
    else if (p->step >= 5)
        snprintf(buf, cap, "zone %ld holds the new certificate (%zu bytes, every write answered), but step 6 "
                           "could not check it", zone, p->cert_len);
    else
        snprintf(buf, cap, "zone %ld holds the first %zu of the new certificate's %zu bytes; bytes %zu on %s",
                 zone, p->zone_acked, p->cert_len, p->zone_acked,
                 p->zone_refused ? "are as before (the chip refused the write)"
                                 : "may be old or new (the chip did not answer the write)");
}

/* Over a bus the key generation cannot be undone: say what state the chip
 * is in and the command that completes the provisioning. */
static void explain_partial(const tool_session *s, const cli_args *a, const provision_ctx *p)
{
    uint8_t slot = a->slot < 0 ? 1 : (uint8_t)a->slot;
    long zone = a->zone < 0 ? 1 : a->zone;
    char zs[256], days[32] = "";
    zone_state(p, zone, zs, sizeof zs);
    if (a->days > 0)
        snprintf(days, sizeof days, " --days %ld", a->days);
    tool_error(prog, "provisioning failed in step %d: slot %u %s (%s); %s. %s until this "
                     "completes:", p->step + 1, slot,
               p->key_unknown ? "may now hold a NEW key: Generate Key got no answer, and the chip may have run it"
                              : "now holds a NEW key",
               !p->slot_had_key ? "the slot was empty"
               : p->key_unknown ? "the old one may be gone for good"
                                : "the old one is gone for good",
               zs,
               p->step >= 5    ? "The device's identity is unchecked"
               : p->key_unknown ? "The device may have no working identity"
                                : "The device has no working identity");
    char bus[512], chip[32] = "", cert[512], key[512];
    if (s->chip_index >= 0)
        snprintf(chip, sizeof chip, " --chip %ld", s->chip_index);
    /* a command to paste: the session's own bus and chip; the host keys are not printed */
    fprintf(stderr, "  stsafe-cli --bus %s%s%s provision --force --device-id %s --ca-cert %s "
                    "--ca-key %s --slot %u --zone %ld%s%s%s%s\n",
            tool_shell_word(s->bus_address ? s->bus_address : "ADDRESS", bus, sizeof bus), chip,
            s->dev.client.session ? " --mac-key HEX --cipher-key HEX" : "", a->device_id,
            tool_shell_word(a->ca_cert, cert, sizeof cert), tool_shell_word(a->ca_key, key, sizeof key), slot, zone,
            a->curve ? " --curve " : "", a->curve ? a->curve : "", days, a->psa ? " --psa" : "");
}

int cli_do_provision(tool_session *s, const cli_args *a)
{
    provision_ctx p;
    mbedtls_x509_crt_init(&p.ca);
    mbedtls_pk_init(&p.ca_key);
    mbedtls_pk_init(&p.chip_key);
    mbedtls_x509_csr_init(&p.csr);
    if (stsafe_rng_init(&p.rng, "stsafe-cli provision") != 0)
        return cli_report(STSAFE_ERR_CRYPTO, "provision");
    p.key_generated = p.key_unknown = p.slot_had_key = p.step = p.zone_touched = p.zone_refused = 0;
    p.cert_len = p.zone_acked = 0;
    stsafe_emu_nvm *before = s->path ? malloc(sizeof *before) : NULL;
    if (s->path && !before)
        return cli_report(STSAFE_ERR_ALLOC, "provision");
    int dirty = s->path ? s->dev.chip.nvm_dirty : 0;
    if (before)
        *before = s->dev.chip.nvm; /* the image's chip: work on it, keep the original */
    int rc = provision(s, a, &p);
    if (rc && before) {
        s->dev.chip.nvm = *before; /* all or nothing: the image file is not written */
        s->dev.chip.nvm_dirty = dirty;
        if (p.key_generated)
            tool_error(prog, "%s was not changed: provisioning commits the image only when every "
                             "step succeeded", s->path);
    } else if (rc && p.key_generated) {
        explain_partial(s, a, &p);
    }
    if (before) {
        mbedtls_platform_zeroize(before, sizeof *before); /* private keys */
        free(before);
    }
    mbedtls_x509_csr_free(&p.csr);
    mbedtls_pk_free(&p.chip_key);
    cli_chip_key_done(a);
    mbedtls_pk_free(&p.ca_key);
    mbedtls_x509_crt_free(&p.ca);
    stsafe_rng_free(&p.rng);
    return rc;
}
