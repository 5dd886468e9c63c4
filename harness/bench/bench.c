#include "bench.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mbedtls/ecdsa.h>

#include "stse_emu/ecc.h"
#include "stsafe/client.h"
#include "stsafe/curves.h"
#include "stsafe/inproc_device.h"
#include "stsafe/rng.h"
#include "tool_common.h"

/* Everything a measured operation touches: the emulated chip with its
 * client, and the same key as a plain mbedTLS key pair for the reference. */
typedef struct {
    stsafe_inproc_device dev;
    mbedtls_ecp_keypair raw_key;
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

static void row(const char *name, double value, const char *unit, const char *note)
{
    printf("  %-34s %12.0f %-8s %s\n", name, value, unit, note);
}

/* Runs and prints every figure; a tool exit code. */
static int measure(bench_rig *rig, double seconds)
{
    printf("stsafe-emu bench (%.1f s per figure, in-process bus, timing model off)\n", seconds);
    double echo = rate(op_echo64, rig, seconds);
    double raw = rate(op_raw_sign, rig, seconds);
    double chip = rate(op_chip_sign, rig, seconds);
    int rc = (echo < 0 || raw < 0 || chip < 0) ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
    char note[96];
    snprintf(note, sizeof note, "(target >= 1,000,000/s: %s)", echo >= 1e6 ? "met" : "not met");
    row("Echo 64 B round trips", echo, "ops/s", note);
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
