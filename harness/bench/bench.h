/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu bench: figures of the emulator measured in one run, each
 * beside the raw mbedTLS operation it wraps, and the memory a fleet's chip
 * takes (docs/benchmarks.md). Printed as a table or as one JSON object. */
#ifndef STSE_BENCH_H
#define STSE_BENCH_H

#include <stddef.h>
#include <stdio.h>

#include "stsafe/emulator/nvm.h"

/** Run the benchmarks; \p seconds per figure; \p json: one JSON object
 *  instead of the table. \p fleet: chips of the fleet timing figures
 *  (stse_bench_fleet_times), 0 to skip them. Returns a tool exit code. */
int stse_bench_run(double seconds, int json, size_t fleet);

/** One figure of the run. */
typedef struct {
    const char *id;             /**< Its JSON key, e.g. "echo_inproc". */
    const char *name;           /**< Its label in the table. */
    double value;               /**< Negative when not measured (a failed step, or a
                                 *   reading that is not ours): "n/a" in the
                                 *   table, null in JSON; the note says why. */
    const char *unit;           /**< "ops/s" or "bytes". */
    double ratio;               /**< Of the raw mbedTLS figure; 0: not compared. */
    int target;                 /**< 1 met, -1 not met, 0: no target. */
    const char *extra_key;      /**< One more number for JSON ("mb_per_s"...), or NULL. */
    double extra;
    const char *extra2_key;     /**< And another one, or NULL. */
    double extra2;
    unsigned rounds;            /**< Interleaved rounds of a cost ratio; 0: none. */
    double cost_median;         /**< Chip time / raw time per operation: the median of the rounds, */
    double cost_min;            /**< the lowest */
    double cost_max;            /**< and the highest. */
    char note[128];             /**< The table's last column. */
} stse_bench_figure;

#define STSE_BENCH_MAX_FIGURES 32u

/** Rounds of each crypto comparison (raw, chip, raw, chip, ...). */
#define STSE_BENCH_ROUNDS 9u
/** The target of a cost ratio: the chip may cost 5 % more than raw mbedTLS. */
#define STSE_BENCH_COST_TARGET 1.05
/** The Echo of the socket figures, in bytes. */
#define STSE_BENCH_ECHO_LEN 64u
/** Rounds of the socket Echo beside the raw ping-pong, and its target ratio. */
#define STSE_BENCH_SOCKET_ROUNDS 3u
#define STSE_BENCH_SOCKET_TARGET 0.8

/**
 * \brief Round trips per second of a raw ping-pong over a unix socket
 *        between this thread and a second one, with messages of the
 *        socket Echo's sizes (the baseline of raw_socket_ratio).
 * \return The rate; negative on failure.
 */
double stse_bench_raw_socket_rate(double seconds);

/** Every figure of a run, in the order measured. */
typedef struct {
    double seconds;             /**< Per rate figure. */
    FILE *table;                /**< Where rows go as they are measured; NULL for JSON. */
    stse_bench_figure fig[STSE_BENCH_MAX_FIGURES];
    size_t count;
} stse_bench_report;

/** \brief A new figure (zeroed but for the arguments); NULL when the table is full. */
stse_bench_figure *stse_bench_add(stse_bench_report *r, const char *id, const char *name,
                                  double value, const char *unit);

/** \brief Print \p f as a table row, when the report prints a table. */
void stse_bench_show(const stse_bench_report *r, const stse_bench_figure *f);

/** \brief Print the whole report as one JSON object (docs/benchmarks.md). */
void stse_bench_print_json(const stse_bench_report *r, FILE *out);

/** An operation measured by a rate: 0 on success. */
typedef int (*stse_bench_op)(void *ctx);

/** \brief Seconds of the monotonic clock. */
double stse_bench_now(void);

/**
 * \brief Calls \p op on \p ctx (16 at a time) until \p seconds have passed.
 * \return Operations per second; negative when an operation failed.
 */
double stse_bench_rate(stse_bench_op op, void *ctx, double seconds);

/** \brief qsort() order of doubles, ascending. */
int stse_bench_cmp_double(const void *a, const void *b);

/** A comparison measured in interleaved rounds. */
typedef struct {
    double raw, chip;           /**< Mean rates over the rounds, ops/s. */
    double median, min, max;    /**< Cost ratio: chip time / raw time per operation. */
} stse_bench_cost;

/**
 * \brief raw, chip, raw, chip, ... STSE_BENCH_ROUNDS times, \p seconds each,
 *        after one warm-up call of each, so a change of the machine's load
 *        hits both sides alike; each pair's cost ratio is the raw rate over
 *        the chip's.
 * \return 0; -1 when an operation failed.
 */
int stse_bench_rounds(stse_bench_op raw_op, stse_bench_op chip_op, void *ctx, double seconds,
                      stse_bench_cost *out);

/** \brief A figure in ops/s with its table note; NULL when the table is full. */
stse_bench_figure *stse_bench_rate_figure(stse_bench_report *r, const char *id, const char *name,
                                          double value, const char *note);

/**
 * \brief The reference figure of a comparison (added and shown) and the
 *        chip's beside it (added, returned, not yet shown): its mean rate,
 *        ratio to the reference, the rounds' cost ratios, and the target
 *        "median cost ratio <= \p target" (0: no target).
 * \return The chip's figure; NULL when the table is full.
 */
stse_bench_figure *stse_bench_ratio_figures(stse_bench_report *r, const char *raw_id,
                                            const char *raw_name, const char *id, const char *name,
                                            const stse_bench_cost *c, double target);

/** Chips of the memory figures: the fleet measured idle, and those of it that sign once. */
#define STSE_BENCH_FLEET_CHIPS  1000u
#define STSE_BENCH_ACTIVE_CHIPS 100u

/** Attempts at the memory figures before they are reported as not measured. */
#define STSE_BENCH_MEMORY_ATTEMPTS 3

/**
 * \brief Memory per idle chip of a fleet: a server of STSE_BENCH_FLEET_CHIPS
 *        chips loaded from images of \p nvm in a temporary folder, its
 *        growth of the resident set less a one-chip server's, per chip;
 *        then the growth after one P-256 signature on each of
 *        STSE_BENCH_ACTIVE_CHIPS of them; and sizeof(stsafe_emu_chip).
 *        The resident set also moves with the allocator and the kernel:
 *        a reading where it shrank is taken again, up to
 *        STSE_BENCH_MEMORY_ATTEMPTS times, then the two figures are
 *        reported as not measured (value -1, the note says so).
 * \return 0, also when not measured; -1 when a server or a signature
 *         failed (the figures already added stay).
 */
int stse_bench_fleet_memory(stse_bench_report *r, const stsafe_emu_nvm *nvm);

/** The fleet-timing targets (issue 15): 10,000 chips created and loaded in. */
#define STSE_BENCH_FLEET_CREATE_TARGET 20.0
#define STSE_BENCH_FLEET_LOAD_TARGET   2.0

/**
 * \brief A fleet of \p chips created by a fleet server in a new temporary
 *        folder (images, CA files, crash-safe), then loaded by a second
 *        server: the seconds each took, and the resident set growth of
 *        the creation per chip (not measured when it did not grow, as
 *        for a few chips that fit in pages already resident). Removes
 *        the folder afterwards.
 * \return 0; -1 when a step failed (figures of -1 are added).
 */
int stse_bench_fleet_times(stse_bench_report *r, size_t chips);

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

/**
 * \brief The restore figures: snapshot restores per second in process
 *        (stsafe_emu_snapshot_restore()) and over a unix socket (RESTORE in
 *        chunks to a server thread, each restore saved to disk before its
 *        answer), \p seconds each.
 * \return 0; -1 when a step failed (the figures are added, -1 where failed).
 */
int stse_bench_snapshot(stse_bench_report *r, double seconds);

#endif
