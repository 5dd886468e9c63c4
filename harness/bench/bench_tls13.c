/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu bench: TLS 1.3 handshakes per second, the client
 * authenticating with the chip's key through PSA against the same client
 * with a file key, in the same run (docs/benchmarks.md).
 *
 * Both peers are mbedTLS 3.6 in this thread, joined by two memory buffers
 * and stepped in turn with non-blocking I/O (the PSA SE interface is not
 * thread-safe, and one thread keeps the scheduler's wake-ups out of the
 * figure). The server requires a client certificate. The two clients have
 * the same configuration, CA and certificate layout; only the key differs:
 * a software P-256 key read from PEM, as a key file gives it, or the chip's
 * slot wrapped by mbedtls_pk_setup_opaque(). Rounds interleave (file, chip,
 * file, chip, ...) so a neighbour's burst of work hits both alike. */
#include "bench_psa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/psa_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>

#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/psa/psa.h"

/* One direction of the connection: more than a whole flight of the
 * handshake (the certificates are about 400 bytes each). */
typedef struct {
    unsigned char data[16384];
    size_t len;
} mem_pipe;

/* One peer's end: what it reads and what it writes. */
typedef struct {
    mem_pipe *in, *out;
} mem_end;

static int end_send(void *ctx, const unsigned char *buf, size_t len)
{
    mem_pipe *p = ((mem_end *)ctx)->out;
    size_t room = sizeof p->data - p->len;
    if (room == 0)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    if (len > room)
        len = room;
    memcpy(p->data + p->len, buf, len);
    p->len += len;
    return (int)len;
}

static int end_recv(void *ctx, unsigned char *buf, size_t len)
{
    mem_pipe *p = ((mem_end *)ctx)->in;
    if (p->len == 0)
        return MBEDTLS_ERR_SSL_WANT_READ;
    if (len > p->len)
        len = p->len;
    memcpy(buf, p->data, len);
    memmove(p->data, p->data + len, p->len - len);
    p->len -= len;
    return (int)len;
}

/* One client of the comparison: its key, certificate, configuration. */
typedef struct {
    mbedtls_pk_context *key;
    mbedtls_x509_crt crt;
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    unsigned long handshakes;
} tls_client;

typedef struct {
    mbedtls_pk_context ca_key, srv_key, file_key;
    mbedtls_x509_crt ca, srv_crt;
    mbedtls_ssl_config srv_conf;
    mbedtls_ssl_context srv;
    tls_client file, chip;
    mem_pipe c2s, s2c;
    mem_end cli_end, srv_end;
    int last_rc;                /* the last failed handshake's error */
} tls_rig;

#define RNG mbedtls_psa_get_random, MBEDTLS_PSA_RANDOM_STATE

static int gen_key(mbedtls_pk_context *pk)
{
    int rc = mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    return rc ? rc : mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*pk), RNG);
}

/* A new software key written as PEM and read back, as from a key file. */
static int file_key(mbedtls_pk_context *pk)
{
    mbedtls_pk_context gen;
    unsigned char pem[512];
    mbedtls_pk_init(&gen);
    int rc = gen_key(&gen);
    if (!rc)
        rc = mbedtls_pk_write_key_pem(&gen, pem, sizeof pem);
    if (!rc)
        rc = mbedtls_pk_parse_key(pk, pem, strlen((const char *)pem) + 1, NULL, 0, RNG);
    mbedtls_platform_zeroize(pem, sizeof pem);
    mbedtls_pk_free(&gen);
    return rc;
}

/* A certificate of \p subject_key signed by \p issuer_key, parsed into
 * \p crt. mbedTLS 3.x writes the ECDSA AlgorithmIdentifier as RFC 5758
 * wants (no stsafe_x509_sigalg_fix() needed: this file needs 3.6). */
static int make_cert(mbedtls_pk_context *subject_key, mbedtls_pk_context *issuer_key, const char *subject,
                     const char *issuer, uint8_t serial, int is_ca, mbedtls_x509_crt *crt)
{
    mbedtls_x509write_cert w;
    unsigned char der[1024];
    mbedtls_x509write_crt_init(&w);
    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&w, subject_key);
    mbedtls_x509write_crt_set_issuer_key(&w, issuer_key);
    int rc = stsafe_mbedtls_crt_set_serial(&w, &serial, 1);
    if (!rc)
        rc = mbedtls_x509write_crt_set_subject_name(&w, subject);
    if (!rc)
        rc = mbedtls_x509write_crt_set_issuer_name(&w, issuer);
    if (!rc)
        rc = mbedtls_x509write_crt_set_validity(&w, "20200101000000", "20491231235959");
    if (!rc)
        rc = mbedtls_x509write_crt_set_basic_constraints(&w, is_ca, is_ca ? 0 : -1);
    if (!rc)
        rc = mbedtls_x509write_crt_set_key_usage(&w, is_ca ? MBEDTLS_X509_KU_KEY_CERT_SIGN
                                                           : MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
    int len = rc ? rc : mbedtls_x509write_crt_der(&w, der, sizeof der, RNG);
    mbedtls_x509write_crt_free(&w);
    /* mbedTLS writes at the end of the buffer */
    return len < 0 ? len : mbedtls_x509_crt_parse_der(crt, der + sizeof der - (size_t)len, (size_t)len);
}

#define CA_NAME "CN=stsafe-emu bench CA,O=stsafe-emu"

static int make_certs(tls_rig *t)
{
    int rc = gen_key(&t->ca_key);
    if (!rc)
        rc = gen_key(&t->srv_key);
    if (!rc)
        rc = file_key(&t->file_key);
    if (!rc)
        rc = make_cert(&t->ca_key, &t->ca_key, CA_NAME, CA_NAME, 1, 1, &t->ca);
    if (!rc)
        rc = make_cert(&t->srv_key, &t->ca_key, "CN=localhost,O=stsafe-emu", CA_NAME, 2, 0, &t->srv_crt);
    /* the same subject's length and layout for both clients */
    if (!rc)
        rc = make_cert(t->file.key, &t->ca_key, "CN=bench client,OU=file,O=stsafe-emu", CA_NAME, 3, 0,
                       &t->file.crt);
    if (!rc)
        rc = make_cert(t->chip.key, &t->ca_key, "CN=bench client,OU=chip,O=stsafe-emu", CA_NAME, 4, 0,
                       &t->chip.crt);
    return rc;
}

/* TLS 1.3 only, a certificate required of the peer, the test CA. */
static int configure(tls_rig *t, mbedtls_ssl_config *conf, mbedtls_ssl_context *ssl, int endpoint,
                     mbedtls_x509_crt *own, mbedtls_pk_context *key, mem_end *end)
{
    int rc = mbedtls_ssl_config_defaults(conf, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc)
        return rc;
    mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_3);
    mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_3);
    mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(conf, &t->ca, NULL);
    mbedtls_ssl_conf_rng(conf, RNG);
    rc = mbedtls_ssl_conf_own_cert(conf, own, key);
    if (!rc)
        rc = mbedtls_ssl_setup(ssl, conf);
    if (!rc)
        mbedtls_ssl_set_bio(ssl, end, end_send, end_recv, NULL);
    return rc;
}

static int setup(tls_rig *t)
{
    t->cli_end = (mem_end){&t->s2c, &t->c2s};
    t->srv_end = (mem_end){&t->c2s, &t->s2c};
    int rc = make_certs(t);
    if (!rc)
        rc = configure(t, &t->srv_conf, &t->srv, MBEDTLS_SSL_IS_SERVER, &t->srv_crt, &t->srv_key, &t->srv_end);
    if (!rc)
        rc = configure(t, &t->file.conf, &t->file.ssl, MBEDTLS_SSL_IS_CLIENT, &t->file.crt, t->file.key,
                       &t->cli_end);
    if (!rc)
        rc = configure(t, &t->chip.conf, &t->chip.ssl, MBEDTLS_SSL_IS_CLIENT, &t->chip.crt, t->chip.key,
                       &t->cli_end);
    return rc;
}

/* One step of \p ssl's handshake; sets \p done when it is over. */
static int step(mbedtls_ssl_context *ssl, int *done)
{
    int rc = mbedtls_ssl_handshake(ssl);
    if (rc == 0)
        *done = 1;
    return rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE ? 0 : rc;
}

/* A whole handshake of \p c with the server, from fresh sessions (no
 * resumption: neither side keeps one, the server issues no tickets). */
static int handshake_once(tls_rig *t, tls_client *c)
{
    int cdone = 0, sdone = 0, rc;
    t->c2s.len = t->s2c.len = 0;
    if ((rc = mbedtls_ssl_session_reset(&c->ssl)) != 0 || (rc = mbedtls_ssl_session_reset(&t->srv)) != 0 ||
        (rc = mbedtls_ssl_set_hostname(&c->ssl, "localhost")) != 0)
        return rc;
    for (int i = 0; i < 32 && !(cdone && sdone); i++) {
        if (!cdone && (rc = step(&c->ssl, &cdone)) != 0)
            return rc;
        if (!sdone && (rc = step(&t->srv, &sdone)) != 0)
            return rc;
    }
    if (!cdone || !sdone || mbedtls_ssl_get_verify_result(&t->srv) != 0 || !mbedtls_ssl_get_peer_cert(&t->srv))
        return -1; /* stalled, or the server did not authenticate the client */
    c->handshakes++;
    return 0;
}

static int handshake(tls_rig *t, tls_client *c)
{
    int rc = handshake_once(t, c);
    if (rc)
        t->last_rc = rc;
    return rc;
}

static int op_file(void *ctx)
{
    tls_rig *t = ctx;
    return handshake(t, &t->file);
}

static int op_chip(void *ctx)
{
    tls_rig *t = ctx;
    return handshake(t, &t->chip);
}

static void rig_init(tls_rig *t, mbedtls_pk_context *chip_key)
{
    mbedtls_pk_init(&t->ca_key);
    mbedtls_pk_init(&t->srv_key);
    mbedtls_pk_init(&t->file_key);
    mbedtls_x509_crt_init(&t->ca);
    mbedtls_x509_crt_init(&t->srv_crt);
    mbedtls_ssl_config_init(&t->srv_conf);
    mbedtls_ssl_init(&t->srv);
    tls_client *both[2] = {&t->file, &t->chip};
    for (int i = 0; i < 2; i++) {
        mbedtls_x509_crt_init(&both[i]->crt);
        mbedtls_ssl_config_init(&both[i]->conf);
        mbedtls_ssl_init(&both[i]->ssl);
    }
    t->file.key = &t->file_key;
    t->chip.key = chip_key;
}

static void rig_free(tls_rig *t)
{
    tls_client *both[2] = {&t->file, &t->chip};
    for (int i = 0; i < 2; i++) {
        mbedtls_ssl_free(&both[i]->ssl);
        mbedtls_ssl_config_free(&both[i]->conf);
        mbedtls_x509_crt_free(&both[i]->crt);
    }
    mbedtls_ssl_free(&t->srv);
    mbedtls_ssl_config_free(&t->srv_conf);
    mbedtls_x509_crt_free(&t->srv_crt);
    mbedtls_x509_crt_free(&t->ca);
    mbedtls_pk_free(&t->file_key);
    mbedtls_pk_free(&t->srv_key);
    mbedtls_pk_free(&t->ca_key);
}

static int tls_fail(const char *what, int rc)
{
    char text[128];
    mbedtls_strerror(rc, text, sizeof text);
    fprintf(stderr, "stsafe-emu bench: TLS 1.3: %s: %s (-0x%04X)\n", what, text, (unsigned)-rc);
    return -1;
}

int stse_bench_tls13(stse_bench_report *r, mbedtls_pk_context *chip_key, uint8_t slot, double seconds)
{
    stse_bench_cost c;
    tls_rig *t = calloc(1, sizeof *t);
    if (!t)
        return tls_fail("out of memory", MBEDTLS_ERR_SSL_ALLOC_FAILED);
    rig_init(t, chip_key);
    int rc = setup(t);
    if (rc)
        rc = tls_fail("certificates and configurations", rc);
    uint32_t sigs = stsafe_psa_signatures(slot);
    if (!rc && stse_bench_rounds(op_file, op_chip, t, seconds, &c) != 0) {
        if (stsafe_psa_last_error(slot))
            fprintf(stderr, "stsafe-emu bench: TLS 1.3: the chip's last error: %d\n", stsafe_psa_last_error(slot));
        rc = tls_fail("a handshake failed", t->last_rc);
    }
    sigs = stsafe_psa_signatures(slot) - sigs;
    if (!rc) {
        stse_bench_figure *f = stse_bench_ratio_figures(r, "tls13_handshake_file_key", "TLS 1.3 handshakes, file key",
                                                        "tls13_handshake_chip_key",
                                                        "TLS 1.3 handshakes, chip key", &c, 0.0);
        if (f) {
            f->extra_key = "chip_signatures_per_handshake";
            f->extra = t->chip.handshakes ? (double)sigs / (double)t->chip.handshakes : 0.0;
        }
        stse_bench_show(r, f);
    }
    rig_free(t);
    free(t);
    return rc;
}
