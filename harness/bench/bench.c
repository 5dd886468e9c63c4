/* SPDX-License-Identifier: BSD-3-Clause */
#include "bench.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include <mbedtls/ecdh.h>
#include <mbedtls/ecdsa.h>

#include "stsafe/emulator/ecc.h"
#include "stsafe/emulator/image.h"
#include "stsafe/bus/socket.h"
#include "stsafe/client/client.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/emulator/rng.h"
#include "stsafe/server/server.h"
#include "tool_common.h"
#if STSE_BENCH_HAVE_PSA
#include "bench_psa.h"
#endif

/* mbedtls_ecp_keypair's members are private in mbedTLS 3.x. */
#define KP_GRP(kp) ((kp)->STSAFE_MBEDTLS_PRIVATE(grp))
#define KP_D(kp)   ((kp)->STSAFE_MBEDTLS_PRIVATE(d))
#define KP_Q(kp)   ((kp)->STSAFE_MBEDTLS_PRIVATE(Q))

/* Everything a measured operation touches: the emulated chip with its
 * client, and the same key as a plain mbedTLS key pair for the reference. */
typedef struct {
    stsafe_inproc_device dev;
    mbedtls_ecp_keypair raw_key;
    mbedtls_ecp_keypair raw_slot1;  /**< Slot 1's key (P-384, then P-256) as plain mbedTLS. */
    stsafe_ecc_point peer;          /**< A host public key for ECDH. */
    mbedtls_ecp_point raw_peer;
    stsafe_client *remote;      /**< The client of the socket figure. */
    uint8_t msg[64];
    uint8_t out[64];
    uint8_t kib[1024];
} bench_rig;


static const uint8_t digest[32] = {0x5A, 0x17, 0x01};

static int op_echo64(void *ctx)
{
    bench_rig *r = ctx;
    return stsafe_client_echo(&r->dev.client, r->msg, sizeof r->msg, r->out);
}

static int op_chip_sign(void *ctx)
{
    bench_rig *r = ctx;
    stsafe_ecc_signature sig;
    return stsafe_client_sign(&r->dev.client, 0, digest, sizeof digest, &sig);
}

static int op_raw_sign(void *ctx)
{
    bench_rig *r = ctx;
    mbedtls_mpi rr, ss;
    mbedtls_mpi_init(&rr);
    mbedtls_mpi_init(&ss);
    int rc = mbedtls_ecdsa_sign(&KP_GRP(&r->raw_key), &rr, &ss, &KP_D(&r->raw_key), digest, sizeof digest,
                                stsafe_rng_fn, &r->dev.rng);
    mbedtls_mpi_free(&rr);
    mbedtls_mpi_free(&ss);
    return rc;
}

/* 1 KiB in four 256-byte frames, zone 4 (1696 bytes, free access). */
static int op_read_1k(void *ctx)
{
    bench_rig *r = ctx;
    int err = 0;
    for (uint16_t off = 0; !err && off < sizeof r->kib; off += 256)
        err = stsafe_client_read(&r->dev.client, 0, 4, off, 256, r->kib + off);
    return err;
}

static int op_update_1k(void *ctx)
{
    bench_rig *r = ctx;
    int err = 0;
    for (uint16_t off = 0; !err && off < sizeof r->kib; off += 256)
        err = stsafe_client_update(&r->dev.client, 0, 4, off, r->kib + off, 256);
    return err;
}

static const uint8_t digest48[48] = {0x38, 0x4A};

static int op_chip_sign384(void *ctx)
{
    bench_rig *r = ctx;
    stsafe_ecc_signature sig;
    return stsafe_client_sign(&r->dev.client, 1, digest48, sizeof digest48, &sig);
}

static int op_raw_sign384(void *ctx)
{
    bench_rig *r = ctx;
    mbedtls_mpi rr, ss;
    mbedtls_mpi_init(&rr);
    mbedtls_mpi_init(&ss);
    int rc = mbedtls_ecdsa_sign(&KP_GRP(&r->raw_slot1), &rr, &ss, &KP_D(&r->raw_slot1), digest48, sizeof digest48,
                                stsafe_rng_fn, &r->dev.rng);
    mbedtls_mpi_free(&rr);
    mbedtls_mpi_free(&ss);
    return rc;
}

static int op_chip_ecdh(void *ctx)
{
    bench_rig *r = ctx;
    uint8_t secret[48];
    size_t n = 0;
    return stsafe_client_establish_key(&r->dev.client, 1, &r->peer, secret, &n);
}

static int op_raw_ecdh(void *ctx)
{
    bench_rig *r = ctx;
    mbedtls_mpi z;
    uint8_t secret[32];
    mbedtls_mpi_init(&z);
    int rc = mbedtls_ecdh_compute_shared(&KP_GRP(&r->raw_slot1), &z, &r->raw_peer, &KP_D(&r->raw_slot1),
                                         stsafe_rng_fn, &r->dev.rng);
    if (!rc)
        rc = mbedtls_mpi_write_binary(&z, secret, sizeof secret);
    mbedtls_mpi_free(&z);
    return rc;
}

/* Generate Key in slot 1 on \p curve and load the same key as plain mbedTLS. */
static int slot1_key(bench_rig *r, uint8_t curve)
{
    stsafe_ecc_point pub;
    mbedtls_ecp_keypair_free(&r->raw_slot1);
    mbedtls_ecp_keypair_init(&r->raw_slot1);
    int err = stsafe_client_generate_key(&r->dev.client, 1, curve, 0xFFFF, &pub);
    return err ? err : stsafe_emu_slot_to_keypair(&r->dev.chip.nvm.key_slots[1], &r->raw_slot1);
}

/* A host key pair on P-256 whose public point is the ECDH peer. */
static int ecdh_peer(bench_rig *r)
{
    mbedtls_ecp_keypair host;
    mbedtls_ecp_keypair_init(&host);
    int rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, &host, stsafe_rng_fn, &r->dev.rng);
    if (!rc)
        rc = mbedtls_ecp_copy(&r->raw_peer, &KP_Q(&host));
    r->peer.size = 32;
    if (!rc)
        rc = stsafe_mbedtls_point_to_xy(&KP_GRP(&host), &KP_Q(&host), r->peer.x, r->peer.y, 32);
    mbedtls_ecp_keypair_free(&host);
    return rc;
}

static int op_socket_echo64(void *ctx)
{
    bench_rig *r = ctx;
    return stsafe_client_echo(r->remote, r->msg, sizeof r->msg, r->out);
}

/* The socket figure's far end: a server thread serving an image of the
 * rig's chip on a unix socket in a temporary folder, and a client on it. */
typedef struct {
    char dir[32], image[64], listen[80];
    FILE *log;
    atomic_int stop;
    stsafe_server srv;
    pthread_t thread;
    int serving;
    stsafe_bus_socket sock;
    stsafe_bus bus;
    stsafe_client client;
} bench_server;

static void *bench_serve(void *arg)
{
    bench_server *b = arg;
    (void)stsafe_server_run(&b->srv);
    return NULL;
}

/* Undoes whatever bench_server_start() did. */
static void bench_server_stop(bench_server *b)
{
    stsafe_client_free(&b->client);
    stsafe_bus_socket_free(&b->sock);
    if (b->serving) {
        atomic_store(&b->stop, 1);
        pthread_join(b->thread, NULL);
        stsafe_server_free(&b->srv);
    }
    if (b->log)
        (void)fclose(b->log); /* the scratch log of a throw-away server */
    unlink(b->image);
    rmdir(b->dir);
}

static int bench_server_start(bench_server *b, const stsafe_emu_nvm *nvm)
{
    memset(b, 0, sizeof *b);
    stsafe_bus_socket_init(&b->sock);
    strcpy(b->dir, "/tmp/stsafe-bench-XXXXXX");
    if (!mkdtemp(b->dir))
        return -1;
    snprintf(b->image, sizeof b->image, "%s/chip.img", b->dir);
    snprintf(b->listen, sizeof b->listen, "unix:%s/chip.sock", b->dir);
    stsafe_server_config cfg = {.image_path = b->image, .listen = b->listen, .stop = &b->stop};
    b->log = cfg.log = fopen("/dev/null", "w");
    if (!b->log || stsafe_emu_image_save(b->image, nvm) != 0 || stsafe_server_init(&b->srv, &cfg) != 0)
        return -1;
    if (pthread_create(&b->thread, NULL, bench_serve, b) != 0) {
        stsafe_server_free(&b->srv);
        return -1;
    }
    b->serving = 1;
    if (stsafe_bus_socket_connect(&b->sock, &b->bus, b->listen) != 0)
        return -1;
    stsafe_client_init(&b->client, &b->bus, b->sock.i2c_address);
    return 0;
}

/* The socket Echo beside the raw ping-pong. */
typedef struct {
    double sock, raw;           /* Mean rates over the rounds. */
    double ratio;               /* Median of the rounds' socket / raw. */
    uint64_t per_echo;          /* Socket round trips one Echo takes (counted, not assumed). */
} socket_rounds;

/* Echo 64 B through a socket server and the raw ping-pong in interleaved
 * rounds (raw, Echo, raw, ...), \p seconds each. -1 on failure. */
static int socket_echo_rounds(bench_rig *rig, double seconds, socket_rounds *out)
{
    bench_server b;
    double ratio[STSE_BENCH_SOCKET_ROUNDS];
    int err = -1;
    memset(out, 0, sizeof *out);
    if (bench_server_start(&b, &rig->dev.chip.nvm) == 0) {
        rig->remote = &b.client;
        uint64_t before = b.sock.requests;
        err = op_socket_echo64(rig) != 0;
        out->per_echo = b.sock.requests - before;
        for (unsigned i = 0; !err && i < STSE_BENCH_SOCKET_ROUNDS; i++) {
            double raw = stse_bench_raw_socket_rate(seconds);
            double sock = stse_bench_rate(op_socket_echo64, rig, seconds);
            err = raw <= 0 || sock <= 0;
            ratio[i] = err ? 0.0 : sock / raw;
            out->raw += raw / STSE_BENCH_SOCKET_ROUNDS;
            out->sock += sock / STSE_BENCH_SOCKET_ROUNDS;
        }
        rig->remote = NULL;
    }
    bench_server_stop(&b);
    if (err)
        return -1;
    qsort(ratio, STSE_BENCH_SOCKET_ROUNDS, sizeof ratio[0], stse_bench_cmp_double);
    out->ratio = ratio[STSE_BENCH_SOCKET_ROUNDS / 2];
    return 0;
}

/* Read or Update 1 KiB, with its MB/s. */
static void kib_figure(stse_bench_report *r, const char *id, const char *name, double ops)
{
    char note[64];
    snprintf(note, sizeof note, "(%.1f MB/s; 4 frames of 256 B)", ops * 1024 / 1e6);
    stse_bench_figure *f = stse_bench_rate_figure(r, id, name, ops, note);
    if (f) {
        f->extra_key = "mb_per_s";
        f->extra = ops * 1024 / 1e6;
    }
    stse_bench_show(r, f);
}

/* Read/Update 1 KiB, P-384 sign and P-256 ECDH (slot 1 is regenerated). */
/* Trace replay, MB/s of trace text, beside its target. */
static int replay_figure(stse_bench_report *r, double seconds)
{
    stse_bench_replay_figures rp;
    int err = stse_bench_replay(seconds, &rp);
    stse_bench_figure *f = stse_bench_add(r, "trace_replay", "Trace replay", err ? -1.0 : rp.text_mb_s,
                                          "MB/s");
    if (f) {
        f->target = rp.text_mb_s >= 100.0 ? 1 : -1;
        f->extra_key = "i2c_mb_per_s";
        f->extra = rp.i2c_mb_s;
        snprintf(f->note, sizeof f->note,
                 "(target >= 100 MB/s: %s; %.1f MB/s of I2C data, %.0f commands/s)",
                 f->target > 0 ? "met" : "not met", rp.i2c_mb_s, rp.commands_s);
    }
    stse_bench_show(r, f);
    return err;
}

static int measure_more(stse_bench_report *r, bench_rig *rig, double seconds)
{
    stse_bench_cost c;
    double rd = stse_bench_rate(op_read_1k, rig, seconds);
    double up = stse_bench_rate(op_update_1k, rig, seconds);
    kib_figure(r, "read_1kib", "Read 1 KiB", rd);
    kib_figure(r, "update_1kib", "Update 1 KiB", up);
    if (slot1_key(rig, STSAFE_CURVE_P384) != 0 ||
        stse_bench_rounds(op_raw_sign384, op_chip_sign384, rig, seconds, &c) != 0)
        return TOOL_EXIT_FAIL;
    stse_bench_show(r, stse_bench_ratio_figures(r, "p384_sign_raw", "P-384 sign, raw mbedTLS", "p384_sign_chip",
                                                "P-384 sign through the frame path", &c,
                                                STSE_BENCH_COST_TARGET));
    if (slot1_key(rig, STSAFE_CURVE_P256) != 0 || ecdh_peer(rig) != 0 ||
        stse_bench_rounds(op_raw_ecdh, op_chip_ecdh, rig, seconds, &c) != 0)
        return TOOL_EXIT_FAIL;
    stse_bench_show(r, stse_bench_ratio_figures(r, "p256_ecdh_raw", "P-256 ECDH, raw mbedTLS", "p256_ecdh_chip",
                                                "P-256 ECDH through the frame path", &c,
                                                STSE_BENCH_COST_TARGET));
    int replay_err = replay_figure(r, seconds);
    return rd < 0 || up < 0 || replay_err ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

/* The Echo figures with their targets, and the raw socket baseline. */
static void echo_figures(stse_bench_report *r, double echo, const socket_rounds *s)
{
    char note[128];
    snprintf(note, sizeof note, "(target >= 1,000,000/s: %s)", echo >= 1e6 ? "met" : "not met");
    stse_bench_figure *f = stse_bench_rate_figure(r, "echo_inproc", "Echo 64 B round trips", echo, note);
    if (f)
        f->target = echo >= 1e6 ? 1 : -1;
    stse_bench_show(r, f);
    stse_bench_show(r, stse_bench_rate_figure(r, "unix_socket_ping_pong", "Raw unix-socket ping-pong", s->raw,
                                              "(two threads, the socket Echo's message sizes)"));
    int met = s->ratio >= STSE_BENCH_SOCKET_TARGET;
    snprintf(note, sizeof note, "(%lu socket round trip%s each; %.3f of the raw ping-pong, "
             "target >= %.1f: %s)", (unsigned long)s->per_echo, s->per_echo == 1 ? "" : "s",
             s->ratio, STSE_BENCH_SOCKET_TARGET, met ? "met" : "not met");
    f = stse_bench_rate_figure(r, "echo_unix_socket", "Echo 64 B round trips, unix socket", s->sock, note);
    if (f) {
        f->target = met ? 1 : -1;
        f->extra_key = "socket_round_trips_per_echo";
        f->extra = (double)s->per_echo;
        f->extra2_key = "raw_socket_ratio";
        f->extra2 = s->ratio;
    }
    stse_bench_show(r, f);
}

/* Runs every figure into \p r; a tool exit code. */
static int measure(stse_bench_report *r, bench_rig *rig, double seconds, size_t fleet)
{
    stse_bench_cost c;
    socket_rounds s;
    if (r->table)
        fprintf(r->table, "stsafe-emu bench (%.1f s per figure and per round, in-process bus unless said, "
                "timing model off)\n", seconds);
    double echo = stse_bench_rate(op_echo64, rig, seconds);
    int rc = socket_echo_rounds(rig, seconds, &s) != 0 || echo < 0 ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
    echo_figures(r, echo, &s);
    if (!rc && stse_bench_rounds(op_raw_sign, op_chip_sign, rig, seconds, &c) != 0)
        rc = TOOL_EXIT_FAIL;
    if (!rc)
        stse_bench_show(r, stse_bench_ratio_figures(r, "p256_sign_raw", "P-256 sign, raw mbedTLS",
                                                    "p256_sign_chip", "P-256 sign through the frame path",
                                                    &c, STSE_BENCH_COST_TARGET));
    if (!rc)
        rc = measure_more(r, rig, seconds);
#if STSE_BENCH_HAVE_PSA
    if (!rc && stse_bench_psa(r, &rig->dev, seconds) != 0)
        rc = TOOL_EXIT_FAIL;
#endif
    if (!rc && stse_bench_snapshot(r, seconds) != 0)
        rc = TOOL_EXIT_FAIL;
    if (!rc && stse_bench_fleet_memory(r, &rig->dev.chip.nvm) != 0)
        rc = TOOL_EXIT_FAIL;
    if (!rc && fleet && stse_bench_fleet_times(r, fleet) != 0)
        rc = TOOL_EXIT_FAIL;
    return rc;
}

int stse_bench_run(double seconds, int json, size_t fleet)
{
    bench_rig rig;
    static stse_bench_report report; /* 32 figures: kept off the stack */
    static const uint8_t seed[] = "stsafe-emu bench";
    memset(&report, 0, sizeof report);
    report.seconds = seconds;
    report.table = json ? NULL : stdout;
    if (stsafe_inproc_device_default(&rig.dev, seed, sizeof seed, NULL) != 0)
        return TOOL_EXIT_FAIL;
    mbedtls_ecp_keypair_init(&rig.raw_key);
    mbedtls_ecp_keypair_init(&rig.raw_slot1);
    mbedtls_ecp_point_init(&rig.raw_peer);
    memset(rig.kib, 0xA5, sizeof rig.kib);
    int rc = TOOL_EXIT_FAIL;
    if (stsafe_emu_slot_to_keypair(&rig.dev.chip.nvm.key_slots[0], &rig.raw_key) == 0)
        rc = measure(&report, &rig, seconds, fleet);
    if (json)
        stse_bench_print_json(&report, stdout);
    mbedtls_ecp_keypair_free(&rig.raw_key);
    mbedtls_ecp_keypair_free(&rig.raw_slot1);
    mbedtls_ecp_point_free(&rig.raw_peer);
    stsafe_inproc_device_free(&rig.dev);
    return rc;
}
