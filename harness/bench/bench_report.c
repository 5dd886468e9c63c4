/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu bench: the figures of a run, as table rows or one JSON object. */
#include "bench.h"

#include <string.h>

stse_bench_figure *stse_bench_add(stse_bench_report *r, const char *id, const char *name,
                                  double value, const char *unit)
{
    if (r->count >= STSE_BENCH_MAX_FIGURES)
        return NULL;
    stse_bench_figure *f = &r->fig[r->count++];
    memset(f, 0, sizeof *f);
    f->id = id;
    f->name = name;
    f->value = value;
    f->unit = unit;
    return f;
}

void stse_bench_show(const stse_bench_report *r, const stse_bench_figure *f)
{
    if (r->table && f && f->value < 0)
        fprintf(r->table, "  %-34s %12s %-8s %s\n", f->name, "n/a", f->unit, f->note);
    else if (r->table && f)
        fprintf(r->table, "  %-34s %12.*f %-8s %s\n", f->name, strcmp(f->unit, "s") ? 0 : 2, f->value,
                f->unit, f->note);
}

/* The ids, names and units are the bench's own literals: no character
 * needs escaping. */
static void json_figure(const stse_bench_figure *f, FILE *out)
{
    fprintf(out, "    \"%s\": {\"name\": \"%s\", \"value\": ", f->id, f->name);
    if (f->value < 0)
        fputs("null", out); /* not measured */
    else
        fprintf(out, "%.*f", strcmp(f->unit, "s") ? 0 : 3, f->value);
    fprintf(out, ", \"unit\": \"%s\"", f->unit);
    if (f->ratio > 0)
        fprintf(out, ", \"ratio_to_raw\": %.3f", f->ratio);
    if (f->target)
        fprintf(out, ", \"target_met\": %s", f->target > 0 ? "true" : "false");
    if (f->extra_key)
        fprintf(out, ", \"%s\": %.6g", f->extra_key, f->extra);
    if (f->extra2_key)
        fprintf(out, ", \"%s\": %.6g", f->extra2_key, f->extra2);
    if (f->rounds)
        fprintf(out, ", \"rounds\": %u, \"cost_ratio_median\": %.4f, \"cost_ratio_min\": %.4f, \"cost_ratio_max\": %.4f",
                f->rounds, f->cost_median, f->cost_min, f->cost_max);
    fputc('}', out);
}

void stse_bench_print_json(const stse_bench_report *r, FILE *out)
{
    fprintf(out, "{\n  \"seconds_per_figure\": %.1f,\n  \"figures\": {\n", r->seconds);
    for (size_t i = 0; i < r->count; i++) {
        json_figure(&r->fig[i], out);
        fputs(i + 1 < r->count ? ",\n" : "\n", out);
    }
    fputs("  }\n}\n", out);
}
