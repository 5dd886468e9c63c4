/* stsafe-emu bench: figures of the emulator measured in one run, each
 * beside the raw mbedTLS operation it wraps (docs/benchmarks.md). */
#ifndef STSE_BENCH_H
#define STSE_BENCH_H

/** Run the benchmarks; \p seconds per figure. Returns a tool exit code. */
int stse_bench_run(double seconds);

#include <stddef.h>

/** The trace replay figure. */
typedef struct {
    size_t trace_bytes;     /**< Size of the replayed trace text. */
    double text_mb_s;       /**< Trace text read and replayed, MB/s. */
    double i2c_mb_s;        /**< I2C data bytes (written and read) replayed, MB/s. */
    double commands_s;      /**< Commands replayed per second. */
} stse_bench_replay_figures;

/**
 * Record a session of 300 commands (Echo 64 B, Read 256 B, Update 64 B)
 * once, then load and replay its trace against a fresh chip for \p seconds.
 * Returns 0, or -1 when recording or a replay failed.
 */
int stse_bench_replay(double seconds, stse_bench_replay_figures *fig);

#endif
