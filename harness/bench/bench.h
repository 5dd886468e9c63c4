/* stsafe-emu bench: figures of the emulator measured in one run, each
 * beside the raw mbedTLS operation it wraps (docs/benchmarks.md). */
#ifndef STSE_BENCH_H
#define STSE_BENCH_H

/** Run the benchmarks; \p seconds per figure. Returns a tool exit code. */
int stse_bench_run(double seconds);

#endif
