/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu bench: rates, and comparisons measured in interleaved rounds
 * (bench.h), shared by the figures of every file of the bench. */
#include "bench.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

double stse_bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double stse_bench_rate(stse_bench_op op, void *ctx, double seconds)
{
    double start = stse_bench_now(), t = start;
    unsigned long n = 0;
    while (t - start < seconds) {
        for (int i = 0; i < 16; i++, n++)
            if (op(ctx) != 0)
                return -1.0;
        t = stse_bench_now();
    }
    return (double)n / (t - start);
}

int stse_bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int stse_bench_rounds(stse_bench_op raw_op, stse_bench_op chip_op, void *ctx, double seconds,
                      stse_bench_cost *out)
{
    double ratio[STSE_BENCH_ROUNDS], raw_sum = 0, chip_sum = 0;
    memset(out, 0, sizeof *out);
    if (raw_op(ctx) != 0 || chip_op(ctx) != 0) /* warm: groups loaded, code paged in */
        return -1;
    for (unsigned i = 0; i < STSE_BENCH_ROUNDS; i++) {
        double raw = stse_bench_rate(raw_op, ctx, seconds), chip = stse_bench_rate(chip_op, ctx, seconds);
        if (raw <= 0 || chip <= 0)
            return -1;
        ratio[i] = raw / chip;
        raw_sum += raw;
        chip_sum += chip;
    }
    qsort(ratio, STSE_BENCH_ROUNDS, sizeof ratio[0], stse_bench_cmp_double);
    out->raw = raw_sum / STSE_BENCH_ROUNDS;
    out->chip = chip_sum / STSE_BENCH_ROUNDS;
    out->median = ratio[STSE_BENCH_ROUNDS / 2];
    out->min = ratio[0];
    out->max = ratio[STSE_BENCH_ROUNDS - 1];
    return 0;
}

stse_bench_figure *stse_bench_rate_figure(stse_bench_report *r, const char *id, const char *name, double value,
                                          const char *note)
{
    stse_bench_figure *f = stse_bench_add(r, id, name, value, "ops/s");
    if (f)
        snprintf(f->note, sizeof f->note, "%s", note);
    return f;
}

stse_bench_figure *stse_bench_ratio_figures(stse_bench_report *r, const char *raw_id, const char *raw_name,
                                            const char *id, const char *name, const stse_bench_cost *c,
                                            double target)
{
    char note[128];
    stse_bench_show(r, stse_bench_rate_figure(r, raw_id, raw_name, c->raw, ""));
    int met = c->median > 0 && c->median <= target;
    if (target > 0)
        snprintf(note, sizeof note, "cost ratio %.3f (%.3f..%.3f over %u rounds; target <= %.2f: %s)",
                 c->median, c->min, c->max, STSE_BENCH_ROUNDS, target, met ? "met" : "not met");
    else
        snprintf(note, sizeof note, "cost ratio %.3f (%.3f..%.3f over %u rounds; no target)", c->median,
                 c->min, c->max, STSE_BENCH_ROUNDS);
    stse_bench_figure *f = stse_bench_rate_figure(r, id, name, c->chip, note);
    if (f) {
        f->ratio = c->raw > 0 ? c->chip / c->raw : 0.0;
        f->target = target > 0 ? (met ? 1 : -1) : 0;
        f->rounds = STSE_BENCH_ROUNDS;
        f->cost_median = c->median;
        f->cost_min = c->min;
        f->cost_max = c->max;
    }
    return f;
}
