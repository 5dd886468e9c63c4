/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu bench: the PSA route's figures (docs/benchmarks.md), built only
 * when harness/psa is (an mbedTLS 3.6 with PSA_CRYPTO_SE_C and
 * USE_PSA_CRYPTO: STSE_BENCH_HAVE_PSA). */
#ifndef STSE_BENCH_PSA_H
#define STSE_BENCH_PSA_H

#include <mbedtls/pk.h>

#include "bench.h"
#include "stsafe/client/inproc_device.h"

/** The chip slot the PSA figures use: 0, the factory P-256 key (the other
 *  figures regenerate slot 1). */
#define STSE_BENCH_PSA_SLOT 0u

/**
 * \brief The PSA figures, in a temporary working folder (the PSA core
 *        writes its ITS files in the current one; the folder and they go
 *        afterwards): P-256 sign through the PSA core and the chip's SE
 *        registration against psa_sign_hash() with a volatile software
 *        P-256 key, in interleaved rounds; then stse_bench_tls13().
 *        The chip is \p dev's, reached through its client.
 * \return 0; -1 when a step failed (the message is on stderr).
 */
int stse_bench_psa(stse_bench_report *r, stsafe_inproc_device *dev, double seconds);

/**
 * \brief TLS 1.3 handshakes per second of an in-process mbedTLS client
 *        against an in-process mbedTLS server that requires a client
 *        certificate, over memory buffers in this thread, with a software
 *        P-256 key read from PEM (a file key) and with \p chip_key (the
 *        chip's key wrapped by mbedtls_pk_setup_opaque(), whose public key
 *        is \p chip_key's), in interleaved rounds. Certificates (a test CA,
 *        the server's, one client certificate per key) are made in memory.
 * \param slot  The chip slot behind \p chip_key: its Generate Signature
 *              commands are counted per chip-key handshake.
 * \return 0; -1 when a step failed (the message is on stderr).
 */
int stse_bench_tls13(stse_bench_report *r, mbedtls_pk_context *chip_key, uint8_t slot, double seconds);

#endif
