/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-cli: the test CA (ca init, ca issue) and the certificate and key
 * files the seed flow writes, shared with csr and provision (cli_seed.c)
 * through cli.h (docs/provisioning.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/ecp.h>
#include <mbedtls/pem.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "cli.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/protocol/x509_sigalg.h"
#include "stsafe/emulator/rng.h"
#include "stsafe/emulator/storage.h"

static const char *prog = CLI_PROG;

#define NOT_BEFORE "20240101000000"
#define NOT_AFTER  "20491231235959"

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

int cli_write_pem(const char *path, const char *what, const unsigned char *der, size_t len, unsigned mode)
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

/* mbedTLS's DER, written at the end of \p buf, moved to its start and its
 * signature AlgorithmIdentifiers made RFC 5758's (x509_sigalg.h): a
 * certificate is signed again by \p signer. The new length, or an error. */
int cli_finish_der(int n, unsigned char *buf, size_t cap, mbedtls_pk_context *signer, stsafe_rng *rng)
{
    if (n <= 0)
        return n < 0 ? n : STSAFE_ERR_CRYPTO;
    size_t len = (size_t)n;
    memmove(buf, buf + cap - len, len);
    int rc = stsafe_x509_sigalg_fix(buf, &len, cap, signer, stsafe_rng_fn, rng);
    return rc ? rc : (int)len;
}

/* Writes a certificate; returns its DER length (at the start of \p buf) or
 * a negative error. */
int cli_write_cert(const cli_cert_spec *c, stsafe_rng *rng, unsigned char *buf, size_t cap)
{
    mbedtls_x509write_cert crt;
    unsigned char serial[16];
    char from[16], to[16];
    mbedtls_x509write_crt_init(&crt);
    validity(c->days, from, to);
    int rc = stsafe_rng_fn(rng, serial, sizeof serial);
    serial[0] &= 0x7F; /* a positive INTEGER */
    serial[0] |= 0x01; /* and a non-zero leading byte, so the length is fixed */
    mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&crt, c->subject_key);
    mbedtls_x509write_crt_set_issuer_key(&crt, c->issuer_key);
    if (!rc) rc = stsafe_mbedtls_crt_set_serial(&crt, serial, sizeof serial);
    if (!rc) rc = mbedtls_x509write_crt_set_subject_name(&crt, c->subject);
    if (!rc) rc = mbedtls_x509write_crt_set_issuer_name(&crt, c->issuer);
    if (!rc) rc = mbedtls_x509write_crt_set_validity(&crt, from, to);
    if (!rc) rc = mbedtls_x509write_crt_set_basic_constraints(&crt, c->is_ca, c->is_ca ? 0 : -1);
    if (!rc) rc = mbedtls_x509write_crt_set_key_usage(&crt, c->is_ca ? MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN
                                                                     : MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
    if (!rc) rc = mbedtls_x509write_crt_set_subject_key_identifier(&crt);
    if (!rc) rc = mbedtls_x509write_crt_set_authority_key_identifier(&crt);
    if (!rc) rc = cli_finish_der(mbedtls_x509write_crt_der(&crt, buf, cap, stsafe_rng_fn, rng), buf, cap,
                             c->issuer_key, rng);
    mbedtls_x509write_crt_free(&crt);
    return rc;
}

int cli_gen_host_key(mbedtls_pk_context *pk, stsafe_rng *rng)
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
    int rc = cli_write_pem(path, "CERTIFICATE", der, len, 0644);
    snprintf(path, sizeof path, "%s.key", prefix);
    if (!rc)
        rc = cli_write_pem(path, "EC PRIVATE KEY", kbuf + sizeof kbuf - klen, (size_t)klen, 0600);
    memset(kbuf, 0, sizeof kbuf);
    return rc;
}

/* 1 when \p path can be opened for reading; 0 with the reason printed. */
static int readable(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        tool_error(prog, "cannot read '%s': %s", path, strerror(errno));
        return 0;
    }
    (void)fclose(f); /* opened for reading only */
    return 1;
}

/* Loads a CA certificate and its key, and checks that they belong together. */
int cli_load_ca(const char *cert_path, const char *key_path, mbedtls_x509_crt *ca, mbedtls_pk_context *key,
                   stsafe_rng *rng)
{
    if (!cert_path || !key_path) {
        tool_error(prog, "give the CA as --ca-cert FILE --ca-key FILE (stsafe-cli ca init makes one)");
        return TOOL_EXIT_USAGE;
    }
    if (!readable(cert_path) || !readable(key_path))
        return TOOL_EXIT_FAIL;
    if (mbedtls_x509_crt_parse_file(ca, cert_path) != 0) {
        tool_error(prog, "'%s' is not a PEM or DER certificate", cert_path);
        return TOOL_EXIT_FAIL;
    }
    if (stsafe_mbedtls_pk_parse_keyfile(key, key_path, stsafe_rng_fn, rng) != 0) {
        tool_error(prog, "'%s' is not a private key mbedTLS can read (PEM or DER, unencrypted)", key_path);
        return TOOL_EXIT_FAIL;
    }
    if (stsafe_mbedtls_pk_check_pair(&ca->pk, key, stsafe_rng_fn, rng) != 0) {
        tool_error(prog, "the CA key '%s' does not match the CA certificate '%s'", key_path, cert_path);
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

static int ca_init(const cli_args *a, stsafe_rng *rng)
{
    unsigned char der[CLI_CERT_MAX];
    char subject[256];
    mbedtls_pk_context key;
    snprintf(subject, sizeof subject, "CN=%s,O=stsafe-emu", a->cn ? a->cn : "stsafe-emu Demo CA");
    int rc = cli_gen_host_key(&key, rng);
    cli_cert_spec c = {&key, &key, subject, subject, 1, a->days > 0 ? (int)a->days : 0};
    int n = rc ? rc : cli_write_cert(&c, rng, der, sizeof der);
    rc = n < 0 ? cli_report(STSAFE_ERR_CRYPTO, "ca init") : TOOL_EXIT_OK;
    if (!rc && save_pair(a->out, der, (size_t)n, &key) != 0)
        rc = TOOL_EXIT_FAIL;
    if (!rc)
        printf("CA %s: %s.pem (certificate), %s.key (private key, keep it off devices)\n", subject, a->out, a->out);
    mbedtls_pk_free(&key);
    return rc;
}

/* ca issue --cert: the CA issues a certificate for the subject (or --cn)
 * and public key of an existing one, e.g. a device certificate written in
 * the old encoding (docs/provisioning.md, "Re-signing"); no key file. */
static int ca_reissue(const cli_args *a, mbedtls_x509_crt *ca, mbedtls_pk_context *ca_key, stsafe_rng *rng)
{
    unsigned char der[CLI_CERT_MAX];
    char subject[256], issuer[256], path[4096];
    mbedtls_x509_crt old;
    mbedtls_x509_crt_init(&old);
    int rc = TOOL_EXIT_OK;
    if (mbedtls_x509_crt_parse_file(&old, a->cert) != 0) {
        tool_error(prog, "'%s' is not a PEM or DER certificate", a->cert);
        rc = TOOL_EXIT_FAIL;
    }
    if (!rc) {
        if (a->cn)
            snprintf(subject, sizeof subject, "CN=%s,O=stsafe-emu", a->cn);
        else
            mbedtls_x509_dn_gets(subject, sizeof subject, &old.subject);
        mbedtls_x509_dn_gets(issuer, sizeof issuer, &ca->subject);
        cli_cert_spec c = {&old.pk, ca_key, subject, issuer, 0, a->days > 0 ? (int)a->days : 0};
        int n = cli_write_cert(&c, rng, der, sizeof der);
        snprintf(path, sizeof path, "%s.pem", a->out);
        if (n < 0 || cli_write_pem(path, "CERTIFICATE", der, (size_t)n, 0644) != 0)
            rc = cli_report(n < 0 ? STSAFE_ERR_CRYPTO : STSAFE_ERR_IO, "ca issue");
        else
            printf("re-signed %s (the key of '%s') by %s: %s\n", subject, a->cert, issuer, path);
    }
    mbedtls_x509_crt_free(&old);
    return rc;
}

static int ca_issue(const cli_args *a, stsafe_rng *rng)
{
    unsigned char der[CLI_CERT_MAX];
    char subject[256], issuer[256];
    mbedtls_x509_crt ca;
    mbedtls_pk_context ca_key, key;
    mbedtls_x509_crt_init(&ca);
    mbedtls_pk_init(&ca_key);
    mbedtls_pk_init(&key);
    int rc = (a->cn || a->cert) ? cli_load_ca(a->ca_cert, a->ca_key, &ca, &ca_key, rng) : TOOL_EXIT_USAGE;
    if (!a->cn && !a->cert)
        tool_error(prog, "ca issue needs --cn NAME (a server on loopback: --cn localhost) or --cert FILE");
    if (!rc && a->cert) {
        rc = ca_reissue(a, &ca, &ca_key, rng);
    } else if (!rc) {
        snprintf(subject, sizeof subject, "CN=%s,O=stsafe-emu", a->cn);
        mbedtls_x509_dn_gets(issuer, sizeof issuer, &ca.subject);
        int n = cli_gen_host_key(&key, rng);
        cli_cert_spec c = {&key, &ca_key, subject, issuer, 0, a->days > 0 ? (int)a->days : 0};
        if (!n)
            n = cli_write_cert(&c, rng, der, sizeof der);
        if (n < 0 || save_pair(a->out, der, (size_t)n, &key) != 0)
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
        tool_error(prog, "usage: ca init --out PREFIX [--cn NAME] | ca issue --ca-cert C --ca-key K --cn NAME --out PREFIX"
                         " | ca issue --ca-cert C --ca-key K --cert FILE --out PREFIX");
        return TOOL_EXIT_USAGE;
    }
    if (stsafe_rng_init(&rng, "stsafe-cli ca") != 0)
        return cli_report(STSAFE_ERR_CRYPTO, "ca");
    int rc = !strcmp(op, "init") ? ca_init(a, &rng) : ca_issue(a, &rng);
    stsafe_rng_free(&rng);
    return rc;
}
