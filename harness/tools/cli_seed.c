/* stsafe-cli: the seed flow's provisioning half: a test CA, a CSR signed by
 * the chip, and provisioning of a device certificate into a zone
 * (docs/provisioning.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mbedtls/ecp.h>
#include <mbedtls/pem.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "cli.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/tls/pk_stsafe.h"
#include "stsafe/emulator/rng.h"
#include "stsafe/emulator/storage.h"

static const char *prog = CLI_PROG;

#define NOT_BEFORE "20240101000000"
#define NOT_AFTER  "20491231235959"
#define CERT_MAX   2048
#define UPDATE_CHUNK 200u

/* ---- files ------------------------------------------------------------------ */

/* The file is created with \p mode from its first byte (storage.h): a
 * key is never readable by others, not even while it is written. */
static int write_file(const char *path, const void *data, size_t len, unsigned mode)
{
    if (stsafe_emu_file_write(path, data, len, mode) != 0) {
        tool_error(prog, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int write_pem(const char *path, const char *what, const unsigned char *der, size_t len, unsigned mode)
{
    char begin[64], end[64];
    unsigned char pem[4096];
    size_t olen = 0;
    snprintf(begin, sizeof begin, "-----BEGIN %s-----\n", what);
    snprintf(end, sizeof end, "-----END %s-----\n", what);
    if (mbedtls_pem_write_buffer(begin, end, der, len, pem, sizeof pem, &olen) != 0)
        return -1;
    int rc = write_file(path, pem, olen - 1, mode); /* olen counts the terminating NUL */
    mbedtls_platform_zeroize(pem, sizeof pem); /* a key's PEM is the key */
    return rc;
}

/* ---- certificates -------------------------------------------------------------- */

typedef struct {
    mbedtls_pk_context *subject_key;   /* public half is enough */
    mbedtls_pk_context *issuer_key;    /* private, or the chip */
    const char *subject, *issuer;
    int is_ca;
    int days;                          /* 0: the fixed 2024..2049 window */
} cert_spec;

static void validity(int days, char *from, char *to)
{
    if (days <= 0) {
        strcpy(from, NOT_BEFORE);
        strcpy(to, NOT_AFTER);
        return;
    }
    time_t now = time(NULL), later = now + (time_t)days * 86400;
    struct tm a, b;
    gmtime_r(&now, &a);
    gmtime_r(&later, &b);
    strftime(from, 16, "%Y%m%d%H%M%S", &a);
    strftime(to, 16, "%Y%m%d%H%M%S", &b);
}

/* Writes a certificate; returns its DER length (at the END of \p buf, as
 * mbedTLS writes) or a negative error. */
static int write_cert(const cert_spec *c, stsafe_rng *rng, unsigned char *buf, size_t cap)
{
    mbedtls_x509write_cert crt;
    mbedtls_mpi sn;
    unsigned char serial[16];
    char from[16], to[16];
    mbedtls_x509write_crt_init(&crt);
    mbedtls_mpi_init(&sn);
    validity(c->days, from, to);
    int rc = stsafe_rng_fn(rng, serial, sizeof serial);
    serial[0] &= 0x7F; /* a positive INTEGER */
    serial[0] |= 0x01; /* and a non-zero leading byte, so the length is fixed */
    if (!rc) rc = mbedtls_mpi_read_binary(&sn, serial, sizeof serial);
    mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&crt, c->subject_key);
    mbedtls_x509write_crt_set_issuer_key(&crt, c->issuer_key);
    if (!rc) rc = mbedtls_x509write_crt_set_serial(&crt, &sn);
    if (!rc) rc = mbedtls_x509write_crt_set_subject_name(&crt, c->subject);
    if (!rc) rc = mbedtls_x509write_crt_set_issuer_name(&crt, c->issuer);
    if (!rc) rc = mbedtls_x509write_crt_set_validity(&crt, from, to);
    if (!rc) rc = mbedtls_x509write_crt_set_basic_constraints(&crt, c->is_ca, c->is_ca ? 0 : -1);
    if (!rc) rc = mbedtls_x509write_crt_set_key_usage(&crt, c->is_ca ? MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN
                                                                     : MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
    if (!rc) rc = mbedtls_x509write_crt_set_subject_key_identifier(&crt);
    if (!rc) rc = mbedtls_x509write_crt_set_authority_key_identifier(&crt);
    if (!rc) rc = mbedtls_x509write_crt_der(&crt, buf, cap, stsafe_rng_fn, rng);
    mbedtls_mpi_free(&sn);
    mbedtls_x509write_crt_free(&crt);
    return rc;
}

static int gen_host_key(mbedtls_pk_context *pk, stsafe_rng *rng)
{
    mbedtls_pk_init(pk);
    int rc = mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    return rc ? rc : mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*pk), stsafe_rng_fn, rng);
}

/* Writes PREFIX.pem (certificate) and PREFIX.key (its key, mode 0600). */
static int save_pair(const char *prefix, const unsigned char *der, size_t len, mbedtls_pk_context *key)
{
    char path[4096];
    unsigned char kbuf[512];
    int klen = mbedtls_pk_write_key_der(key, kbuf, sizeof kbuf);
    if (klen < 0)
        return -1;
    snprintf(path, sizeof path, "%s.pem", prefix);
    int rc = write_pem(path, "CERTIFICATE", der, len, 0644);
    snprintf(path, sizeof path, "%s.key", prefix);
    if (!rc)
        rc = write_pem(path, "EC PRIVATE KEY", kbuf + sizeof kbuf - klen, (size_t)klen, 0600);
    memset(kbuf, 0, sizeof kbuf);
    return rc;
}

/* Loads a CA certificate and its key, and checks that they belong together. */
static int load_ca(const char *cert_path, const char *key_path, mbedtls_x509_crt *ca, mbedtls_pk_context *key,
                   stsafe_rng *rng)
{
    if (!cert_path || !key_path) {
        tool_error(prog, "give the CA as --ca-cert FILE --ca-key FILE (stsafe-cli ca init makes one)");
        return TOOL_EXIT_USAGE;
    }
    if (mbedtls_x509_crt_parse_file(ca, cert_path) != 0) {
        tool_error(prog, "'%s' is not a PEM or DER certificate", cert_path);
        return TOOL_EXIT_FAIL;
    }
    if (mbedtls_pk_parse_keyfile(key, key_path, NULL) != 0) {
        tool_error(prog, "'%s' is not a private key mbedTLS can read (PEM or DER, unencrypted)", key_path);
        return TOOL_EXIT_FAIL;
    }
    (void)rng;
    if (mbedtls_pk_check_pair(&ca->pk, key) != 0) {
        tool_error(prog, "the CA key '%s' does not match the CA certificate '%s'", key_path, cert_path);
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

static int ca_init(const cli_args *a, stsafe_rng *rng)
{
    unsigned char der[CERT_MAX];
    char subject[256];
    mbedtls_pk_context key;
    snprintf(subject, sizeof subject, "CN=%s,O=stsafe-emu", a->cn ? a->cn : "stsafe-emu Demo CA");
    int rc = gen_host_key(&key, rng);
    cert_spec c = {&key, &key, subject, subject, 1, a->days > 0 ? (int)a->days : 0};
    int n = rc ? rc : write_cert(&c, rng, der, sizeof der);
    rc = n < 0 ? cli_report(STSAFE_ERR_CRYPTO, "ca init") : TOOL_EXIT_OK;
    if (!rc && save_pair(a->out, der + sizeof der - n, (size_t)n, &key) != 0)
        rc = TOOL_EXIT_FAIL;
    if (!rc)
        printf("CA %s: %s.pem (certificate), %s.key (private key, keep it off devices)\n", subject, a->out, a->out);
    mbedtls_pk_free(&key);
    return rc;
}

static int ca_issue(const cli_args *a, stsafe_rng *rng)
{
    unsigned char der[CERT_MAX];
    char subject[256], issuer[256];
    mbedtls_x509_crt ca;
    mbedtls_pk_context ca_key, key;
    mbedtls_x509_crt_init(&ca);
    mbedtls_pk_init(&ca_key);
    mbedtls_pk_init(&key);
    int rc = a->cn ? load_ca(a->ca_cert, a->ca_key, &ca, &ca_key, rng) : TOOL_EXIT_USAGE;
    if (!a->cn)
        tool_error(prog, "ca issue needs --cn NAME (a server on loopback: --cn localhost)");
    if (!rc) {
        snprintf(subject, sizeof subject, "CN=%s,O=stsafe-emu", a->cn);
        mbedtls_x509_dn_gets(issuer, sizeof issuer, &ca.subject);
        int n = gen_host_key(&key, rng);
        cert_spec c = {&key, &ca_key, subject, issuer, 0, a->days > 0 ? (int)a->days : 0};
        if (!n)
            n = write_cert(&c, rng, der, sizeof der);
        if (n < 0 || save_pair(a->out, der + sizeof der - n, (size_t)n, &key) != 0)
            rc = cli_report(n < 0 ? STSAFE_ERR_CRYPTO : STSAFE_ERR_IO, "ca issue");
        else
            printf("issued %s by %s: %s.pem, %s.key\n", subject, issuer, a->out, a->out);
    }
    mbedtls_pk_free(&key);
    mbedtls_pk_free(&ca_key);
    mbedtls_x509_crt_free(&ca);
    return rc;
}

int cli_do_ca(tool_session *s, const cli_args *a)
{
    (void)s;
    stsafe_rng rng;
    const char *op = a->npositional == 1 ? a->positional[0] : "";
    if ((strcmp(op, "init") != 0 && strcmp(op, "issue") != 0) || !a->out) {
        tool_error(prog, "usage: ca init --out PREFIX [--cn NAME] | ca issue --ca-cert C --ca-key K --cn NAME --out PREFIX");
        return TOOL_EXIT_USAGE;
    }
    if (stsafe_rng_init(&rng, "stsafe-cli ca") != 0)
        return cli_report(STSAFE_ERR_CRYPTO, "ca");
    int rc = !strcmp(op, "init") ? ca_init(a, &rng) : ca_issue(a, &rng);
    stsafe_rng_free(&rng);
    return rc;
}

/* ---- CSR ------------------------------------------------------------------------ */

/* The slot's key: a new pair from Generate Key, or the point given. */
static int slot_key(tool_session *s, const cli_args *a, uint8_t slot, uint8_t curve, stsafe_ecc_point *pub)
{
    if (a->pubkey)
        return cli_parse_point(a->pubkey, stsafe_curve_size(curve), pub) ? TOOL_EXIT_USAGE : TOOL_EXIT_OK;
    int err = stsafe_client_generate_key(&s->dev.client, slot, curve, 0xFFFF, pub);
    return err ? cli_report(err, "Generate Key") : TOOL_EXIT_OK;
}

/* A CSR with CN=device id, signed by the chip; DER at the end of \p buf. */
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
        rc = mbedtls_x509write_csr_der(&w, buf, cap, stsafe_rng_fn, rng);
    mbedtls_x509write_csr_free(&w);
    return rc;
}

static uint8_t curve_arg(const cli_args *a)
{
    return a->curve ? cli_parse_curve(a->curve) : STSAFE_CURVE_P256;
}

static int check_device_id(const char *id)
{
    if (!id || !*id || strlen(id) > 128 || strpbrk(id, ",=+<>#;\"\\")) {
        tool_error(prog, "--device-id is 1..128 characters without , = + < > # ; \" \\");
        return -1;
    }
    return 0;
}

int cli_do_csr(tool_session *s, const cli_args *a)
{
    unsigned char der[CERT_MAX];
    stsafe_ecc_point pub;
    mbedtls_pk_context key;
    stsafe_rng rng;
    uint8_t curve = curve_arg(a);
    uint8_t slot = a->slot < 0 ? 1 : (uint8_t)a->slot;
    if (check_device_id(a->device_id) || curve == STSAFE_CURVE_NONE)
        return TOOL_EXIT_USAGE;
    int rc = slot_key(s, a, slot, curve, &pub);
    if (rc)
        return rc;
    if (stsafe_rng_init(&rng, "stsafe-cli csr") != 0)
        return cli_report(STSAFE_ERR_CRYPTO, "csr");
    mbedtls_pk_init(&key);
    int n = stsafe_pk_setup(&key, &s->dev.client, slot, curve, &pub);
    if (!n)
        n = chip_csr(&key, a->device_id, &rng, der, sizeof der);
    if (n < 0) {
        int chip = stsafe_pk_last_error(&key);
        rc = chip ? cli_report(chip, "csr: the chip's signature") : cli_report(STSAFE_ERR_CRYPTO, "csr");
    } else if (a->out) {
        rc = write_pem(a->out, "CERTIFICATE REQUEST", der + sizeof der - n, (size_t)n, 0644) ? TOOL_EXIT_FAIL : 0;
    } else {
        unsigned char pem[4096];
        size_t olen = 0;
        mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE REQUEST-----\n", "-----END CERTIFICATE REQUEST-----\n",
                                 der + sizeof der - n, (size_t)n, pem, sizeof pem, &olen);
        fputs((const char *)pem, stdout);
    }
    mbedtls_pk_free(&key);
    stsafe_rng_free(&rng);
    return rc;
}

/* ---- provisioning ----------------------------------------------------------------- */

/* The zone must be a plain zone the host may update. */
static int zone_size(tool_session *s, long zone, uint16_t *size)
{
    stsafe_partition_info part;
    int err = stsafe_client_query_partition(&s->dev.client, &part);
    if (err)
        return cli_report(err, "Query data partition");
    for (uint8_t i = 0; i < part.count; i++) {
        if (part.zone[i].index != zone)
            continue;
        if (part.zone[i].type != STSAFE_ZONE_PLAIN) {
            tool_error(prog, "zone %ld is a counter zone; a certificate needs a plain zone", zone);
            return TOOL_EXIT_FAIL;
        }
        *size = part.zone[i].length;
        return TOOL_EXIT_OK;
    }
    tool_error(prog, "the chip has no zone %ld", zone);
    return TOOL_EXIT_FAIL;
}

/* The size a certificate for this device will have, from a stand-in key
 * of the same curve: known before the chip is touched. ECDSA signatures
 * vary by up to 2 bytes; that is the margin. */
static int predicted_cert_size(const char *device_id, mbedtls_x509_crt *ca, mbedtls_pk_context *ca_key,
                               int days, stsafe_rng *rng)
{
    unsigned char der[CERT_MAX];
    char subject[256], issuer[256];
    mbedtls_pk_context stand_in;
    snprintf(subject, sizeof subject, "CN=%s", device_id);
    mbedtls_x509_dn_gets(issuer, sizeof issuer, &ca->subject);
    int n = gen_host_key(&stand_in, rng);
    cert_spec c = {&stand_in, ca_key, subject, issuer, 0, days};
    if (!n)
        n = write_cert(&c, rng, der, sizeof der);
    mbedtls_pk_free(&stand_in);
    return n < 0 ? n : n + 2;
}

static int write_zone(tool_session *s, uint8_t zone, const unsigned char *data, size_t len)
{
    for (size_t done = 0; done < len; done += UPDATE_CHUNK) {
        size_t chunk = len - done < UPDATE_CHUNK ? len - done : UPDATE_CHUNK;
        int err = stsafe_client_update(&s->dev.client, 0, zone, (uint16_t)done, data + done, chunk);
        if (err)
            return err;
    }
    return 0;
}

/* The certificate read back from the zone must be the one written, carry
 * the chip's public key, and the chip must sign for it. */
static int check_provisioned(tool_session *s, long zone, uint8_t slot, const unsigned char *der, size_t len,
                             const stsafe_ecc_point *pub, uint8_t curve)
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
    if (!rc && stsafe_pk_setup(&key, &s->dev.client, slot, curve, pub) != 0)
        rc = TOOL_EXIT_FAIL;
    if (!rc && (mbedtls_pk_sign(&key, MBEDTLS_MD_SHA256, hash, sizeof hash, sig, &sig_len, NULL, NULL) != 0 ||
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
} provision_ctx;

static int issue_device_cert(provision_ctx *p, const unsigned char *csr_der, size_t csr_len, int days,
                             unsigned char *buf, size_t cap)
{
    char subject[256], issuer[256];
    unsigned char hash[32];
    if (mbedtls_x509_csr_parse_der(&p->csr, csr_der, csr_len) != 0 ||
        mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), p->csr.cri.p, p->csr.cri.len, hash) != 0 ||
        mbedtls_pk_verify(&p->csr.pk, MBEDTLS_MD_SHA256, hash, sizeof hash, p->csr.sig.p, p->csr.sig.len) != 0) {
        tool_error(prog, "the CSR's signature does not verify: the chip did not sign for its key");
        return -1;
    }
    mbedtls_x509_dn_gets(subject, sizeof subject, &p->csr.subject);
    mbedtls_x509_dn_gets(issuer, sizeof issuer, &p->ca.subject);
    cert_spec c = {&p->csr.pk, &p->ca_key, subject, issuer, 0, days};
    return write_cert(&c, &p->rng, buf, cap);
}

static int provision(tool_session *s, const cli_args *a, provision_ctx *p)
{
    unsigned char csr[CERT_MAX], crt[CERT_MAX];
    stsafe_ecc_point pub;
    uint16_t room = 0;
    uint8_t curve = curve_arg(a), slot = a->slot < 0 ? 1 : (uint8_t)a->slot;
    long zone = a->zone < 0 ? 1 : a->zone;
    int days = a->days > 0 ? (int)a->days : 0;
    if (check_device_id(a->device_id) || curve == STSAFE_CURVE_NONE)
        return TOOL_EXIT_USAGE;
    int rc = load_ca(a->ca_cert, a->ca_key, &p->ca, &p->ca_key, &p->rng);
    if (!rc)
        rc = zone_size(s, zone, &room);
    if (rc)
        return rc;
    int need = predicted_cert_size(a->device_id, &p->ca, &p->ca_key, days, &p->rng);
    if (need < 0 || need > room) {
        tool_error(prog, "zone %ld holds %u bytes; the certificate needs about %d: nothing was changed",
                   zone, room, need);
        return TOOL_EXIT_FAIL;
    }
    printf("1. CA '%s' and its key match; zone %ld (%u bytes) fits the certificate (~%d bytes)\n",
           a->ca_cert, zone, room, need);
    int err = stsafe_client_generate_key(&s->dev.client, slot, curve, 0xFFFF, &pub);
    if (err)
        return cli_report(err, "Generate Key (nothing was changed)");
    printf("2. key pair generated inside the chip, slot %u; public key ", slot);
    cli_print_point(&pub);
    int n = stsafe_pk_setup(&p->chip_key, &s->dev.client, slot, curve, &pub);
    if (!n)
        n = chip_csr(&p->chip_key, a->device_id, &p->rng, csr, sizeof csr);
    if (n < 0)
        return cli_report(stsafe_pk_last_error(&p->chip_key) ? stsafe_pk_last_error(&p->chip_key) : STSAFE_ERR_CRYPTO,
                          "CSR");
    printf("3. CSR for CN=%s signed by the chip (%d bytes)\n", a->device_id, n);
    int m = issue_device_cert(p, csr + sizeof csr - n, (size_t)n, days, crt, sizeof crt);
    if (m < 0)
        return m == -1 ? TOOL_EXIT_FAIL : cli_report(STSAFE_ERR_CRYPTO, "certificate");
    printf("4. the CA signed the certificate (%d bytes DER)\n", m);
    if ((size_t)m > room) {
        tool_error(prog, "the certificate (%d bytes) does not fit zone %ld (%u)", m, zone, room);
        return TOOL_EXIT_FAIL;
    }
    err = write_zone(s, (uint8_t)zone, crt + sizeof crt - m, (size_t)m);
    if (err)
        return cli_report(err, "Update");
    printf("5. certificate stored in zone %ld (DER: its header holds its length)\n", zone);
    rc = check_provisioned(s, zone, slot, crt + sizeof crt - m, (size_t)m, &pub, curve);
    if (!rc)
        printf("6. read back from zone %ld: same bytes, and the chip's slot %u signs for its key\n", zone, slot);
    return rc;
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
    int rc = provision(s, a, &p);
    mbedtls_x509_csr_free(&p.csr);
    mbedtls_pk_free(&p.chip_key);
    mbedtls_pk_free(&p.ca_key);
    mbedtls_x509_crt_free(&p.ca);
    stsafe_rng_free(&p.rng);
    return rc;
}
