/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-cli: the seed flow's TLS half: a TLS 1.2 (or 1.3) client whose certificate
 * is in a zone and whose key is in the chip, and MQTT over it
 * (docs/provisioning.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/ssl.h>

#include "cli.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/emulator/rng.h"
#if STSE_EMU_HAVE_PSA
#include "stsafe/psa/se_driver.h"
#endif

static const char *prog = CLI_PROG;

/* ---- a bus that counts what crosses it, for the handshake's figures ---- */

typedef struct {
    const stsafe_bus *inner;
    uint64_t writes, bytes_out, bytes_in, busy_us;
} counting_bus;

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int counting_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    counting_bus *cb = ctx;
    uint64_t t0 = mono_us();
    int err = cb->inner->ops->transfer(cb->inner->ctx, msgs, n);
    cb->busy_us += mono_us() - t0;
    for (size_t i = 0; !err && i < n; i++) {
        if (msgs[i].flags & STSAFE_I2C_MSG_READ) {
            cb->bytes_in += msgs[i].len;
        } else {
            cb->writes++;
            cb->bytes_out += msgs[i].len;
        }
    }
    return err;
}

static void counting_delay(void *ctx, uint32_t ms)
{
    counting_bus *cb = ctx;
    uint64_t t0 = mono_us();
    stsafe_bus_delay_ms(cb->inner, ms);
    cb->busy_us += mono_us() - t0;
}

static const stsafe_bus_ops counting_ops = {.transfer = counting_transfer, .delay_ms = counting_delay};

/* ---- the chip's key ----------------------------------------------------------- */

const stsafe_chip_key_route *cli_chip_key_route(const cli_args *a, const char *cmd)
{
    if (a->psa) {
#if STSE_EMU_HAVE_PSA
        return stsafe_psa_chip_key_route();
#else
        tool_error(prog, "%s --psa: the PSA route is not in this build: it needs an mbedTLS 3.6 built with "
                         "MBEDTLS_PSA_CRYPTO_SE_C and MBEDTLS_USE_PSA_CRYPTO (ci/build-mbedtls3's "
                         "build/deps/mbedtls-3.6-psa); stsafe-cli uses mbedTLS %s (docs/psa.md)",
                   cmd, MBEDTLS_VERSION_STRING);
        return NULL;
#endif
    }
    const stsafe_chip_key_route *route = stsafe_chip_key_pk_table();
    if (!route)
        tool_error(prog, "%s: the route to the chip's key is not in this build: stsafe-cli uses "
                         "mbedTLS %s, and the pk-table adapter needs mbedTLS 2.28%s (docs/mbedtls.md)",
                   cmd, MBEDTLS_VERSION_STRING, STSE_EMU_HAVE_PSA ? "; give --psa" : "");
    return route;
}

void cli_chip_key_done(const cli_args *a)
{
#if STSE_EMU_HAVE_PSA
    if (a->psa)
        stsafe_psa_se_forget_keys();
#else
    (void)a;
#endif
}

/* ---- TLS ------------------------------------------------------------------ */

typedef struct {
    mbedtls_net_context net;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca, own;
    mbedtls_pk_context key;
    const stsafe_chip_key_route *route;
    stsafe_rng rng;
    counting_bus counter;
    stsafe_bus bus;
    const stsafe_bus *saved_bus;
} tls_client;

/* ECDHE only: a static-ECDH suite would need the private scalar here. The
 * ECDHE-RSA suites are for servers with RSA certificates (Azure IoT Hub's
 * default); the client still signs with its EC key in the chip. */
static const int suites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,  0,
};

#if STSAFE_MBEDTLS_3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define CLI_HAVE_TLS13 1
/* TLS 1.3 (--tls1.3): its suites name no key exchange; the client still signs
 * CertificateVerify with its EC key in the chip. */
static const int suites13[] = {
    MBEDTLS_TLS1_3_AES_128_GCM_SHA256, MBEDTLS_TLS1_3_AES_256_GCM_SHA384, MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256, 0,
};
#else
#define CLI_HAVE_TLS13 0
#endif
#if CLI_HAVE_TLS13 && defined(MBEDTLS_SSL_SESSION_TICKETS)
/* the tickets after the first one, once confirmed: skipped by read_some() */
#define CLI_IS_TICKET(r) ((r) == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
#else
#define CLI_IS_TICKET(r) 0
#endif
#define CLI_TLS13_CONFIRM_MS 3000 /* the wait for the server's verdict on the client: tls13_confirm() */

static int split_host_port(const char *arg, char *host, size_t cap, const char **port)
{
    const char *colon = arg ? strrchr(arg, ':') : NULL;
    if (!colon || colon == arg || !colon[1] || (size_t)(colon - arg) >= cap) {
        tool_error(prog, "give the server as HOST:PORT");
        return -1;
    }
    memcpy(host, arg, (size_t)(colon - arg));
    host[colon - arg] = 0;
    *port = colon + 1;
    return 0;
}

static void tls_init(tls_client *t)
{
    memset(t, 0, sizeof *t);
    mbedtls_net_init(&t->net);
    mbedtls_ssl_init(&t->ssl);
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_x509_crt_init(&t->ca);
    mbedtls_x509_crt_init(&t->own);
    mbedtls_pk_init(&t->key);
}

static void tls_free(tls_client *t, tool_session *s)
{
    mbedtls_ssl_close_notify(&t->ssl);
    mbedtls_net_free(&t->net);
    mbedtls_ssl_free(&t->ssl);
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_x509_crt_free(&t->ca);
    mbedtls_x509_crt_free(&t->own);
    mbedtls_pk_free(&t->key);
    stsafe_rng_free(&t->rng);
    if (t->saved_bus)
        s->dev.client.bus = t->saved_bus;
#if STSE_EMU_HAVE_PSA
    if (t->route == stsafe_psa_chip_key_route())
        stsafe_psa_se_forget_keys(); /* removes the ITS files; the chip keeps its keys */
#endif
}

static int tls_error(int rc, const char *what)
{
    char text[160];
    mbedtls_strerror(rc, text, sizeof text);
    tool_error(prog, "%s: %s (-0x%04X)", what, text, (unsigned)-rc);
    return TOOL_EXIT_FAIL;
}

/* The device's credentials: the certificate from the zone, the key in the chip. */
static int load_credentials(tool_session *s, const cli_args *a, tls_client *t)
{
    uint8_t *der = NULL;
    size_t len = 0;
    long zone = a->zone < 0 ? 1 : a->zone;
    uint8_t slot = a->slot < 0 ? 1 : (uint8_t)a->slot;
    if (!a->ca) {
        tool_error(prog, "give the server's CA as --ca FILE");
        return TOOL_EXIT_USAGE;
    }
    if (mbedtls_x509_crt_parse_file(&t->ca, a->ca) != 0) {
        tool_error(prog, "'%s' is not a certificate", a->ca);
        return TOOL_EXIT_FAIL;
    }
    int rc = cli_load_zone_cert(s, zone, &t->own, &der, &len);
    free(der);
    if (rc)
        return rc;
    if (stsafe_chip_key_setup_from_cert(t->route, &t->key, &s->dev.client, slot, &t->own) != 0) {
        tool_error(prog, "the certificate in zone %ld has no EC key the A110 could hold", zone);
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

static int configure(tls_client *t, const char *host, int tls_version)
{
    int rc = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                         MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc)
        return rc;
#if CLI_HAVE_TLS13
    if (tls_version == 13) {
        mbedtls_ssl_conf_min_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_3);
        mbedtls_ssl_conf_max_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_3);
        mbedtls_ssl_conf_read_timeout(&t->conf, CLI_TLS13_CONFIRM_MS); /* tls13_confirm() only */
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
        /* a ticket is the server's word that it accepted the client */
        mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
            &t->conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
#endif
    } else
#endif
        stsafe_mbedtls_ssl_conf_tls12_only(&t->conf);
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
    mbedtls_ssl_conf_rng(&t->conf, stsafe_rng_fn, &t->rng);
#if CLI_HAVE_TLS13
    mbedtls_ssl_conf_ciphersuites(&t->conf, tls_version == 13 ? suites13 : suites);
#else
    (void)tls_version;
    mbedtls_ssl_conf_ciphersuites(&t->conf, suites);
#endif
    rc = mbedtls_ssl_conf_own_cert(&t->conf, &t->own, &t->key);
    if (!rc)
        rc = mbedtls_ssl_setup(&t->ssl, &t->conf);
    if (!rc)
        rc = mbedtls_ssl_set_hostname(&t->ssl, host);
    return rc;
}

#if CLI_HAVE_TLS13
/* TLS 1.3 moves the client's authentication after the client's Finished
 * (RFC 8446, 4.4.2-4.4.4 and 4.6.1): mbedtls_ssl_handshake() returns 0 as soon
 * as the client has sent Certificate, CertificateVerify and Finished, and the
 * server judges them afterwards. A server that accepts sends NewSessionTicket
 * (OpenSSL, and so Mosquitto, send two by default) or application data; one
 * that refuses sends a fatal alert (unknown_ca, decrypt_error, ...). So after a
 * TLS 1.3 handshake the client waits for the server's first record, at most
 * CLI_TLS13_CONFIRM_MS; a server that sends nothing in that time said nothing
 * against the client and is taken as having accepted it. */

static const char *alert_name(unsigned char alert)
{
    switch (alert) {
    case MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE: return "handshake_failure";
    case MBEDTLS_SSL_ALERT_MSG_BAD_CERT: return "bad_certificate";
    case MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT: return "unsupported_certificate";
    case MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED: return "certificate_revoked";
    case MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED: return "certificate_expired";
    case MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN: return "certificate_unknown";
    case MBEDTLS_SSL_ALERT_MSG_ILLEGAL_PARAMETER: return "illegal_parameter";
    case MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA: return "unknown_ca";
    case MBEDTLS_SSL_ALERT_MSG_ACCESS_DENIED: return "access_denied";
    case MBEDTLS_SSL_ALERT_MSG_DECODE_ERROR: return "decode_error";
    case MBEDTLS_SSL_ALERT_MSG_DECRYPT_ERROR: return "decrypt_error";
    case MBEDTLS_SSL_ALERT_MSG_INTERNAL_ERROR: return "internal_error";
    case MBEDTLS_SSL_ALERT_MSG_CERT_REQUIRED: return "certificate_required";
    default: return "alert";
    }
}

/* Waits for the server's verdict on the client. 0 when it accepted (a ticket,
 * data, or silence for CLI_TLS13_CONFIRM_MS); else prints why and returns
 * TOOL_EXIT_FAIL. Application data that arrived stays in \p t->ssl for the
 * next mbedtls_ssl_read() (a read of 0 bytes consumes nothing). */
static int tls13_confirm(tls_client *t)
{
    unsigned char none[1];
    int r;
    mbedtls_ssl_set_bio(&t->ssl, &t->net, mbedtls_net_send, NULL, mbedtls_net_recv_timeout);
    do
        r = mbedtls_ssl_read(&t->ssl, none, 0);
    while (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE);
    mbedtls_ssl_set_bio(&t->ssl, &t->net, mbedtls_net_send, mbedtls_net_recv, NULL);
    if (r >= 0 || r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET || r == MBEDTLS_ERR_SSL_TIMEOUT)
        return TOOL_EXIT_OK;
    tool_error(prog, "the server refused the handshake: it does not accept this device's "
                     "certificate or key (wrong CA, tampered certificate, or a key that does not match)");
    if (r == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
        /* mbedTLS 3.6 has no accessor for the alert received; the record
         * stays in in_msg (level, description) after the error. */
        unsigned char alert = t->ssl.STSAFE_MBEDTLS_PRIVATE(in_msg)[1];
        tool_error(prog, "TLS 1.3: after the client's Finished the server sent the fatal alert %s (%u)",
                   alert_name(alert), (unsigned)alert);
        return TOOL_EXIT_FAIL;
    }
    return tls_error(r, "TLS 1.3: after the client's Finished");
}
#endif

/* Connects and shakes hands; prints what happened. */
static int tls_connect(tool_session *s, const cli_args *a, tls_client *t, const char *cmd)
{
    char host[256];
    const char *port;
    if (a->npositional != 1 || split_host_port(a->positional[0], host, sizeof host, &port))
        return TOOL_EXIT_USAGE;
    if (a->tls_version == 13 && !CLI_HAVE_TLS13) {
        tool_error(prog, "%s --tls1.3: this stsafe-cli uses mbedTLS %s, whose TLS 1.3 is missing "
                         "(it needs mbedTLS 3.6; docs/mbedtls.md)", cmd, MBEDTLS_VERSION_STRING);
        return TOOL_EXIT_USAGE;
    }
    t->route = cli_chip_key_route(a, cmd);
    if (!t->route)
        return TOOL_EXIT_FAIL;
    if (stsafe_rng_init(&t->rng, "stsafe-cli tls") != 0)
        return cli_report(STSAFE_ERR_CRYPTO, "tls");
    int rc = load_credentials(s, a, t);
    if (rc)
        return rc;
    int err = configure(t, host, a->tls_version);
    if (err)
        return tls_error(err, "TLS setup");
    /* count the chip's share of the handshake */
    t->counter.inner = s->dev.client.bus;
    t->bus = (stsafe_bus){&counting_ops, &t->counter};
    t->saved_bus = s->dev.client.bus;
    s->dev.client.bus = &t->bus;
    err = mbedtls_net_connect(&t->net, host, port, MBEDTLS_NET_PROTO_TCP);
    if (err)
        return tls_error(err, "connect");
    mbedtls_ssl_set_bio(&t->ssl, &t->net, mbedtls_net_send, mbedtls_net_recv, NULL);
    uint64_t t0 = mono_us();
    while ((err = mbedtls_ssl_handshake(&t->ssl)) != 0)
        if (err != MBEDTLS_ERR_SSL_WANT_READ && err != MBEDTLS_ERR_SSL_WANT_WRITE)
            break;
    uint64_t total = mono_us() - t0;
    if (err) {
        int chip = stsafe_chip_key_last_error(t->route, &t->key);
        if (chip)
            return cli_report(chip, "TLS handshake: the chip's signature");
        if (err == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
            char why[256];
            mbedtls_x509_crt_verify_info(why, sizeof why, "", mbedtls_ssl_get_verify_result(&t->ssl));
            why[strcspn(why, "\n")] = 0;
            tool_error(prog, "the server's certificate does not verify with --ca %s: %s", a->ca, why);
        }
        else if (err == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE || err == MBEDTLS_ERR_NET_CONN_RESET ||
                 err == MBEDTLS_ERR_SSL_CONN_EOF)
            tool_error(prog, "the server refused the handshake: it does not accept this device's "
                             "certificate or key (wrong CA, tampered certificate, or a key that does not match)");
        return tls_error(err, "TLS handshake");
    }
#if CLI_HAVE_TLS13
    if (a->tls_version == 13 && (err = tls13_confirm(t)) != 0)
        return err;
#endif
    char subject[256];
    const stsafe_pk_stats *stats = stsafe_chip_key_stats(t->route, &t->key);
    mbedtls_x509_dn_gets(subject, sizeof subject, &t->own.subject);
    const char *version = mbedtls_ssl_get_version(&t->ssl); /* "TLSv1.2" */
    printf("TLS %s handshake with %s:%s done: %s\n", strncmp(version, "TLSv", 4) ? version : version + 4, host,
           port, mbedtls_ssl_get_ciphersuite(&t->ssl));
    printf("client certificate: %s (zone %ld); private key: in the chip, slot %ld\n", subject,
           a->zone < 0 ? 1 : a->zone, a->slot < 0 ? 1 : a->slot);
    printf("handshake: %u chip signature(s), %llu command(s), %llu bytes written and %llu read on the bus, "
           "%.1f ms in the chip, %.1f ms in mbedTLS and the network\n",
           stats ? stats->signatures : 0u, (unsigned long long)t->counter.writes,
           (unsigned long long)t->counter.bytes_out, (unsigned long long)t->counter.bytes_in,
           (double)t->counter.busy_us / 1000.0, (double)(total - t->counter.busy_us) / 1000.0);
    return TOOL_EXIT_OK;
}

static int write_all(tls_client *t, const unsigned char *p, size_t n)
{
    while (n) {
        int w = mbedtls_ssl_write(&t->ssl, p, n);
        if (w == MBEDTLS_ERR_SSL_WANT_READ || w == MBEDTLS_ERR_SSL_WANT_WRITE)
            continue;
        if (w <= 0)
            return w ? w : -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_some(tls_client *t, unsigned char *buf, size_t cap)
{
    int r;
    do
        r = mbedtls_ssl_read(&t->ssl, buf, cap);
    while (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE || CLI_IS_TICKET(r));
    return r;
}

int cli_do_tls_connect(tool_session *s, const cli_args *a)
{
    tls_client t;
    unsigned char buf[1024];
    tls_init(&t);
    int rc = tls_connect(s, a, &t, "tls-connect");
    if (!rc && a->send) {
        char line[1024];
        snprintf(line, sizeof line, "%s\n", a->send);
        int err = write_all(&t, (const unsigned char *)line, strlen(line));
        int r = err ? err : read_some(&t, buf, sizeof buf - 1);
        if (r <= 0) {
            rc = tls_error(r ? r : MBEDTLS_ERR_SSL_CONN_EOF, "no reply");
        } else {
            buf[r] = 0;
            printf("reply: %s%s", (char *)buf, buf[r - 1] == '\n' ? "" : "\n");
        }
    }
    tls_free(&t, s);
    return rc;
}

/* ---- MQTT 3.1.1, just CONNECT, PUBLISH QoS 1 and DISCONNECT ---------------- */

static size_t put_remaining_length(unsigned char *p, size_t len)
{
    size_t n = 0;
    do {
        unsigned char b = (unsigned char)(len % 128);
        len /= 128;
        p[n++] = (unsigned char)(b | (len ? 0x80 : 0));
    } while (len);
    return n;
}

static size_t put_string(unsigned char *p, const char *s)
{
    size_t n = strlen(s);
    p[0] = (unsigned char)(n >> 8);
    p[1] = (unsigned char)n;
    memcpy(p + 2, s, n); /* NOLINT(bugprone-not-null-terminated-result): MQTT strings carry no NUL */
    return n + 2;
}

/* A whole MQTT packet: fixed header byte, remaining length, body. */
static int mqtt_send(tls_client *t, unsigned char type, const unsigned char *body, size_t len)
{
    unsigned char pkt[2048];
    if (len + 5 > sizeof pkt)
        return -1;
    pkt[0] = type;
    size_t h = 1 + put_remaining_length(pkt + 1, len);
    memcpy(pkt + h, body, len);
    return write_all(t, pkt, h + len);
}

/* Reads one short packet (CONNACK, PUBACK: 4 bytes). */
static int mqtt_expect(tls_client *t, unsigned char type, unsigned char *pkt)
{
    size_t got = 0;
    while (got < 4) {
        int r = read_some(t, pkt + got, 4 - got);
        if (r <= 0)
            return r ? r : MBEDTLS_ERR_SSL_CONN_EOF;
        got += (size_t)r;
    }
    return pkt[0] == type && pkt[1] == 2 ? 0 : -1;
}

static int mqtt_session(tls_client *t, const cli_args *a, const char *client_id)
{
    unsigned char body[1500], ack[4] = {0};
    size_t n = put_string(body, "MQTT");
    body[n++] = 4;      /* protocol level 3.1.1 */
    body[n++] = 0x02;   /* clean session, no user name: the broker takes the certificate's CN */
    body[n++] = 0;
    body[n++] = 60;     /* keep-alive, seconds */
    n += put_string(body + n, client_id);
    int err = mqtt_send(t, 0x10, body, n);
    if (!err)
        err = mqtt_expect(t, 0x20, ack);
    if (err || ack[3] != 0) {
        tool_error(prog, "MQTT CONNECT refused (%s)", err ? "no CONNACK" : ack[3] == 5 ? "not authorised" : "CONNACK error");
        return TOOL_EXIT_FAIL;
    }
    printf("MQTT CONNECT accepted (client id %s)\n", client_id);
    size_t msg_len = strlen(a->message);
    if (strlen(a->topic) + msg_len + 4 > sizeof body) {
        tool_error(prog, "topic and message together must stay under 1.5 KB");
        return TOOL_EXIT_USAGE;
    }
    n = put_string(body, a->topic);
    body[n++] = 0;
    body[n++] = 1;      /* packet id 1 */
    memcpy(body + n, a->message, msg_len);
    err = mqtt_send(t, 0x32, body, n + msg_len); /* PUBLISH, QoS 1 */
    if (!err)
        err = mqtt_expect(t, 0x40, ack);
    if (err || ack[2] != 0 || ack[3] != 1) {
        tool_error(prog, "PUBLISH to '%s' was not acknowledged", a->topic);
        return TOOL_EXIT_FAIL;
    }
    printf("MQTT PUBLISH to '%s' acknowledged (PUBACK, QoS 1)\n", a->topic);
    mqtt_send(t, 0xE0, body, 0); /* DISCONNECT */
    return TOOL_EXIT_OK;
}

/* The certificate's CN, used as the MQTT client id (the device id). */
static void common_name(const mbedtls_x509_crt *crt, char *out, size_t cap)
{
    snprintf(out, cap, "stsafe-device");
    for (const mbedtls_x509_name *n = &crt->subject; n; n = n->next)
        if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0 && n->val.len < cap) {
            memcpy(out, n->val.p, n->val.len);
            out[n->val.len] = 0;
        }
}

int cli_do_mqtt_publish(tool_session *s, const cli_args *a)
{
    tls_client t;
    char client_id[129];
    if (!a->topic || !a->message) {
        tool_error(prog, "mqtt-publish needs --topic T and --message M");
        return TOOL_EXIT_USAGE;
    }
    tls_init(&t);
    int rc = tls_connect(s, a, &t, "mqtt-publish");
    if (!rc) {
        common_name(&t.own, client_id, sizeof client_id);
        rc = mqtt_session(&t, a, client_id);
    }
    tls_free(&t, s);
    return rc;
}
