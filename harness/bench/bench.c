#include "bench.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include <mbedtls/ecdsa.h>

#include "stse_emu/ecc.h"
#include "stse_emu/image.h"
#include "stsafe/bus_socket.h"
#include "stsafe/client.h"
#include "stsafe/curves.h"
#include "stsafe/inproc_device.h"
#include "stsafe/rng.h"
#include "stsafe/server.h"
#include "tool_common.h"

/* Everything a measured operation touches: the emulated chip with its
 * client, and the same key as a plain mbedTLS key pair for the reference. */
typedef struct {
    stsafe_inproc_device dev;
    mbedtls_ecp_keypair raw_key;
    stsafe_client *remote;      /**< The client of the socket figure. */
    uint8_t msg[64];
    uint8_t out[64];
} bench_rig;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Calls \p op until \p seconds have passed; returns operations per second,
 * or a negative value when an operation failed. */
static double rate(int (*op)(bench_rig *), bench_rig *rig, double seconds)
{
    double start = now_s(), t = start;
    unsigned long n = 0;
    while (t - start < seconds) {
        for (int i = 0; i < 16; i++, n++)
            if (op(rig) != 0)
                return -1.0;
        t = now_s();
    }
    return (double)n / (t - start);
}

static const uint8_t digest[32] = {0x5A, 0x17, 0x01};

static int op_echo64(bench_rig *r)
{
    return stsafe_client_echo(&r->dev.client, r->msg, sizeof r->msg, r->out);
}

static int op_chip_sign(bench_rig *r)
{
    stsafe_ecc_signature sig;
    return stsafe_client_sign(&r->dev.client, 0, digest, sizeof digest, &sig);
}

static int op_raw_sign(bench_rig *r)
{
    mbedtls_mpi rr, ss;
    mbedtls_mpi_init(&rr);
    mbedtls_mpi_init(&ss);
    int rc = mbedtls_ecdsa_sign(&r->raw_key.grp, &rr, &ss, &r->raw_key.d, digest, sizeof digest,
                                stsafe_rng_fn, &r->dev.rng);
    mbedtls_mpi_free(&rr);
    mbedtls_mpi_free(&ss);
    return rc;
}

static int op_socket_echo64(bench_rig *r)
{
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

static int bench_server_start(bench_server *b, const stse_emu_nvm *nvm)
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
    if (!b->log || stse_emu_image_save(b->image, nvm) != 0 || stsafe_server_init(&b->srv, &cfg) != 0)
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

/* Echo 64 B through the socket server; negative on failure. \p per_echo
 * receives the socket round trips one Echo takes (counted, not assumed). */
static double socket_echo_rate(bench_rig *rig, double seconds, uint64_t *per_echo)
{
    bench_server b;
    double r = -1.0;
    if (bench_server_start(&b, &rig->dev.chip.nvm) == 0) {
        rig->remote = &b.client;
        uint64_t before = b.sock.requests;
        int err = op_socket_echo64(rig);
        *per_echo = b.sock.requests - before;
        r = err == 0 ? rate(op_socket_echo64, rig, seconds) : -1.0;
        rig->remote = NULL;
    }
    bench_server_stop(&b);
    return r;
}

static void row(const char *name, double value, const char *unit, const char *note)
{
    printf("  %-34s %12.0f %-8s %s\n", name, value, unit, note);
}

/* Runs and prints every figure; a tool exit code. */
static int measure(bench_rig *rig, double seconds)
{
    printf("stsafe-emu bench (%.1f s per figure, in-process bus unless said, timing model off)\n", seconds);
    double echo = rate(op_echo64, rig, seconds);
    double raw = rate(op_raw_sign, rig, seconds);
    double chip = rate(op_chip_sign, rig, seconds);
    uint64_t per_echo = 0;
    double sock = socket_echo_rate(rig, seconds, &per_echo);
    int rc = (echo < 0 || raw < 0 || chip < 0 || sock < 0) ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
    char note[96];
    snprintf(note, sizeof note, "(target >= 1,000,000/s: %s)", echo >= 1e6 ? "met" : "not met");
    row("Echo 64 B round trips", echo, "ops/s", note);
    snprintf(note, sizeof note, "(%lu socket round trips each: %.0f/s; target >= 50,000/s: %s)",
             (unsigned long)per_echo, sock * (double)per_echo, sock >= 5e4 ? "met" : "not met");
    row("Echo 64 B round trips, unix socket", sock, "ops/s", note);
    row("P-256 sign, raw mbedTLS", raw, "ops/s", "");
    double overhead = raw > 0 && chip > 0 ? (raw / chip - 1.0) * 100.0 : 0.0;
    snprintf(note, sizeof note, "ratio %.3f of raw; overhead %+.1f %% (target <= 5 %%: %s)",
             raw > 0 ? chip / raw : 0.0, overhead, overhead <= 5.0 ? "met" : "not met");
    row("P-256 sign through the frame path", chip, "ops/s", note);
    return rc;
}

int stse_bench_run(double seconds)
{
    bench_rig rig;
    static const uint8_t seed[] = "stsafe-emu bench";
    if (stsafe_inproc_device_default(&rig.dev, seed, sizeof seed, NULL) != 0)
        return TOOL_EXIT_FAIL;
    mbedtls_ecp_keypair_init(&rig.raw_key);
    int rc = TOOL_EXIT_FAIL;
    if (stse_emu_slot_to_keypair(&rig.dev.chip.nvm.key_slots[0], &rig.raw_key) == 0)
        rc = measure(&rig, seconds);
    mbedtls_ecp_keypair_free(&rig.raw_key);
    stsafe_inproc_device_free(&rig.dev);
    return rc;
}
