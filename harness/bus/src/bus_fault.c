/* SPDX-License-Identifier: BSD-3-Clause */
/* Fault injection on the bus (bus_fault.h, docs/faults.md). */
#include "stsafe/bus/fault.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stsafe/protocol/error.h"

/* ---- spec ------------------------------------------------------------------- */

static const struct {
    const char *name;
    stsafe_fault_kind kind;
    int args;                   /* 0 none, 1 "=N", 2 "=A:B", 3 none or "=N" (N >= 1) */
    uint32_t max;               /* the largest N, BYTE or MS (docs/faults.md) */
} fault_names[] = {
    {"nack", STSAFE_FAULT_NACK, 1, STSAFE_FAULT_MAX_NACKS},
    {"flip", STSAFE_FAULT_FLIP, 2, STSAFE_FAULT_MAX_BYTE},
    {"drop", STSAFE_FAULT_DROP, 3, STSAFE_FAULT_MAX_COMMANDS},
    {"truncate", STSAFE_FAULT_TRUNCATE, 1, STSAFE_FAULT_MAX_BYTE},
    {"latency", STSAFE_FAULT_LATENCY, 1, STSAFE_FAULT_MAX_LATENCY_MS},
    {"brownout", STSAFE_FAULT_BROWNOUT, 3, STSAFE_FAULT_MAX_NVM_WRITES},
    {"reset", STSAFE_FAULT_RESET, 3, STSAFE_FAULT_MAX_COMMANDS},
};

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A number as docs/faults.md promises it: decimal ("010" is ten, never
 * octal eight) or 0x hex, up to 0xFFFFFFFF; nothing else (no sign, no
 * spaces, no suffix). */
static int parse_u32(const char *s, size_t len, uint32_t *out)
{
    unsigned base = 10;
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        len -= 2;
    }
    if (len == 0)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        int d = hex_digit(s[i]);
        if (d < 0 || (unsigned)d >= base)
            return -1;
        v = v * base + (unsigned)d;
        if (v > 0xFFFFFFFFu)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

/* Item results: 0, or why it is not a fault. */
enum { ITEM_OK = 0, ITEM_BAD = -1, ITEM_TOO_BIG = -2 };

/* One item "name[=a[:b]]" of \p len bytes; \p which receives its row. */
static int parse_item(const char *s, size_t len, stsafe_fault *f, size_t *which)
{
    const char *eq = memchr(s, '=', len);
    size_t name_len = eq ? (size_t)(eq - s) : len;
    for (size_t i = 0; i < sizeof fault_names / sizeof fault_names[0]; i++) {
        if (strlen(fault_names[i].name) != name_len || memcmp(s, fault_names[i].name, name_len) != 0)
            continue;
        *which = i;
        memset(f, 0, sizeof *f);
        f->kind = fault_names[i].kind;
        if (fault_names[i].args == 0)
            return eq ? ITEM_BAD : ITEM_OK;
        if (fault_names[i].args == 3 && !eq) {
            f->a = 1; /* drop, brownout, reset: the next (NVM-writing) command */
            return ITEM_OK;
        }
        if (!eq)
            return ITEM_BAD;
        const char *v = eq + 1;
        size_t vlen = len - name_len - 1;
        const char *colon = memchr(v, ':', vlen);
        if (fault_names[i].args == 3 && (colon || parse_u32(v, vlen, &f->a) != 0 || f->a == 0))
            return ITEM_BAD;
        if (fault_names[i].args == 1 && (colon || parse_u32(v, vlen, &f->a) != 0))
            return ITEM_BAD;
        if (fault_names[i].args == 2 &&
            (!colon || parse_u32(v, (size_t)(colon - v), &f->a) != 0 ||
             parse_u32(colon + 1, vlen - (size_t)(colon - v) - 1, &f->b) != 0 || f->b > 7))
            return ITEM_BAD;
        return f->a > fault_names[i].max ? ITEM_TOO_BIG : ITEM_OK;
    }
    return ITEM_BAD;
}

int stsafe_fault_parse(const char *spec, stsafe_fault *out, size_t cap, size_t *n, const char **bad)
{
    if (!spec || !out || !n)
        return STSAFE_ERR_BAD_INPUT;
    *n = 0;
    for (const char *p = spec; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        size_t which = 0;
        int err = *n >= cap ? STSAFE_ERR_BUFFER_TOO_SMALL
                  : parse_item(p, len, &out[*n], &which) != ITEM_OK ? STSAFE_ERR_BAD_INPUT : 0;
        if (err) {
            if (bad)
                *bad = p;
            return err;
        }
        (*n)++;
        p += len + (comma ? 1 : 0);
    }
    return 0;
}

void stsafe_fault_spec_error(int err, const char *bad, char *buf, size_t cap)
{
    if (!buf || !cap)
        return;
    if (!bad) {
        (void)snprintf(buf, cap, "not a fault spec (docs/faults.md)");
        return;
    }
    const char *comma = strchr(bad, ',');
    size_t len = comma ? (size_t)(comma - bad) : strlen(bad);
    int shown = len > 64 ? 64 : (int)len;
    stsafe_fault f;
    size_t which = 0;
    if (err == STSAFE_ERR_BUFFER_TOO_SMALL)
        (void)snprintf(buf, cap, "a spec holds at most %u faults: '%.*s' is one too many",
                       STSAFE_FAULT_MAX, shown, bad);
    else if (parse_item(bad, len, &f, &which) == ITEM_TOO_BIG)
        (void)snprintf(buf, cap, "'%.*s' is too large: %s takes at most %lu", shown, bad,
                       fault_names[which].name, (unsigned long)fault_names[which].max);
    else
        (void)snprintf(buf, cap,
                       "'%.*s' is not a fault (nack=N, flip=BYTE:BIT, drop[=N], truncate=N, latency=MS, "
                       "brownout[=N], reset[=N]; numbers decimal or 0x hex)",
                       shown, bad);
}

void stsafe_fault_describe(const stsafe_fault *f, char *buf, size_t cap)
{
    const char *name = "?";
    int args = 0;
    for (size_t i = 0; i < sizeof fault_names / sizeof fault_names[0]; i++)
        if (fault_names[i].kind == f->kind)
            name = fault_names[i].name, args = fault_names[i].args;
    if (args == 0 || (args == 3 && f->a <= 1))
        (void)snprintf(buf, cap, "%s", name);
    else if (args == 1 || args == 3)
        (void)snprintf(buf, cap, "%s=%lu", name, (unsigned long)f->a);
    else
        (void)snprintf(buf, cap, "%s=%lu:%lu", name, (unsigned long)f->a, (unsigned long)f->b);
}

/* ---- the bus ------------------------------------------------------------------ */

static void fault_log(stsafe_bus_fault *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fault_log(stsafe_bus_fault *f, const char *fmt, ...)
{
    char line[160] = "fault: ";
    va_list ap;
    va_start(ap, fmt);
    /* A long line is cut, never overrun. (The analyzer misses va_start above.) */
    (void)vsnprintf(line + 7, sizeof line - 7, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
    va_end(ap);
    f->fired++;
    if (f->log)
        f->log(f->log_ctx, line);
}

/* A chip fault fired during the write that just went through. */
static void note_chip_faults(stsafe_bus_fault *f, int reset_was_armed)
{
    if (!f->chip || f->chip->stats.faults == f->chip_faults_seen)
        return;
    f->chip_faults_seen = f->chip->stats.faults;
    int was_reset = reset_was_armed && !f->chip->faults.reset;
    int *at = was_reset ? &f->reset_at : &f->brownout_at;
    if (*at >= 0)
        f->armed[*at].fired++;
    *at = -1;
    fault_log(f, "%s: the chip lost the command, restarted and will not answer",
              was_reset ? "reset mid-command" : "brown-out during the NVM write (write undone)");
}

/* The report of the fault in place \p at (-1: none, or not recorded). */
static stsafe_fault_report *armed_at(stsafe_bus_fault *f, int at)
{
    return at >= 0 ? &f->armed[at] : NULL;
}

/* A NACK run logs its first read and its last, not each one: nack=20000
 * would otherwise write 20,000 lines. What the log has not said yet of an
 * unfinished run is said before the next different event. */
static void nack_summary(stsafe_bus_fault *f, const char *why)
{
    uint32_t done = f->nack_total - f->nack_left;
    if (done > f->nack_logged) {
        fault_log(f, "NACK read %lu of %lu so far (%s)", (unsigned long)done, (unsigned long)f->nack_total, why);
        f->nack_logged = done;
    }
}

static int fault_write(stsafe_bus_fault *f, stsafe_i2c_msg *m)
{
    if (f->nack_left)
        nack_summary(f, "a write came first");
    int reset_armed = f->chip && f->chip->faults.reset;
    int err = f->inner->ops->transfer(f->inner->ctx, m, 1);
    if (err || m->len == 0)
        return err; /* a quick write is no command: the answer's fault stays (docs/protocol.md) */
    memset(&f->this_rsp, 0, sizeof f->this_rsp);
    f->this_rsp_at = -1;
    if (f->next_rsp.kind == STSAFE_FAULT_DROP && f->next_rsp.a > 1) {
        f->next_rsp.a--; /* drop=N: not this command's answer yet */
    } else {
        f->this_rsp = f->next_rsp; /* the armed response fault applies to this command's answer */
        memset(&f->next_rsp, 0, sizeof f->next_rsp);
        f->this_rsp_at = f->next_rsp_at;
        f->next_rsp_at = -1;
        if (f->this_rsp_at >= 0)
            f->armed[f->this_rsp_at].applied = 1;
    }
    note_chip_faults(f, reset_armed);
    return 0;
}

static int fault_read(stsafe_bus_fault *f, stsafe_i2c_msg *m)
{
    stsafe_fault_report *rsp = armed_at(f, f->this_rsp_at);
    if (f->nack_left) {
        f->nack_left--;
        if (f->nack_at >= 0)
            f->armed[f->nack_at].fired++;
        uint32_t done = f->nack_total - f->nack_left;
        if (done == 1)
            fault_log(f, "NACK read 1 of %lu", (unsigned long)f->nack_total);
        else if (f->nack_left == 0)
            fault_log(f, "NACK read %lu of %lu: the run is over", (unsigned long)done,
                      (unsigned long)f->nack_total);
        if (done == 1 || f->nack_left == 0)
            f->nack_logged = done;
        return STSAFE_ERR_BUS_NACK;
    }
    if (f->this_rsp.kind == STSAFE_FAULT_DROP) {
        if (f->this_rsp.b++ == 0) { /* b counts the NACKed reads: log the first */
            if (rsp)
                rsp->fired = 1;
            fault_log(f, "response dropped: reads NACKed until the next command");
        }
        return STSAFE_ERR_BUS_NACK;
    }
    int err = f->inner->ops->transfer(f->inner->ctx, m, 1);
    if (err)
        return err;
    if (m->len > f->longest_read)
        f->longest_read = m->len;
    if (rsp && m->len > rsp->longest_read)
        rsp->longest_read = m->len;
    int changes = (f->this_rsp.kind == STSAFE_FAULT_FLIP || f->this_rsp.kind == STSAFE_FAULT_TRUNCATE) &&
                  m->len > f->this_rsp.a;
    if (rsp && changes)
        rsp->fired++;
    if (f->this_rsp.kind == STSAFE_FAULT_FLIP && m->len > f->this_rsp.a) {
        m->buf[f->this_rsp.a] ^= (uint8_t)(1u << f->this_rsp.b);
        fault_log(f, "flipped bit %lu of response byte %lu", (unsigned long)f->this_rsp.b,
                  (unsigned long)f->this_rsp.a);
    } else if (f->this_rsp.kind == STSAFE_FAULT_TRUNCATE && m->len > f->this_rsp.a) {
        memset(m->buf + f->this_rsp.a, 0xFF, m->len - f->this_rsp.a);
        fault_log(f, "response truncated after %lu bytes", (unsigned long)f->this_rsp.a);
    }
    return 0;
}

static int fault_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    stsafe_bus_fault *f = ctx;
    for (size_t i = 0; i < n; i++) {
        if (f->latency_ms) {
            stsafe_bus_delay_ms(f->inner, f->latency_ms);
            if (f->latency_at >= 0)
                f->armed[f->latency_at].fired++;
        }
        int err = (msgs[i].flags & STSAFE_I2C_MSG_READ) ? fault_read(f, &msgs[i]) : fault_write(f, &msgs[i]);
        if (err)
            return err;
    }
    return 0;
}

static void fault_delay(void *ctx, uint32_t ms)
{
    stsafe_bus_fault *f = ctx;
    stsafe_bus_delay_ms(f->inner, ms);
}

static const stsafe_bus_ops fault_ops = {.transfer = fault_transfer, .delay_ms = fault_delay};

void stsafe_bus_fault_init(stsafe_bus_fault *f, stsafe_bus *bus, const stsafe_bus *inner,
                           stsafe_emu_chip *chip, stsafe_fault_log_fn log, void *log_ctx)
{
    memset(f, 0, sizeof *f);
    f->inner = inner;
    f->chip = chip;
    f->log = log;
    f->log_ctx = log_ctx;
    f->chip_faults_seen = chip ? chip->stats.faults : 0;
    f->nack_at = f->latency_at = f->next_rsp_at = f->this_rsp_at = f->brownout_at = f->reset_at = -1;
    bus->ops = &fault_ops;
    bus->ctx = f;
}

/* Whether the fault of report \p r has done all it was armed to do. */
static int fired_in_full(const stsafe_fault_report *r)
{
    return r->fault.kind == STSAFE_FAULT_NACK ? r->fired >= r->fault.a : r->fired > 0;
}

/* \p fault takes place \p at (the one nack run, answer fault...): the one
 * there before is replaced when it had not done its work; the new one is
 * recorded while there is room. */
static void record(stsafe_bus_fault *f, int *at, const stsafe_fault *fault)
{
    if (*at >= 0 && !fired_in_full(&f->armed[*at]))
        f->armed[*at].replaced = 1;
    *at = -1;
    if (f->armed_count >= STSAFE_FAULT_MAX)
        return;
    stsafe_fault_report *r = &f->armed[f->armed_count];
    memset(r, 0, sizeof *r);
    r->fault = *fault;
    *at = (int)f->armed_count++;
}

int stsafe_bus_fault_add(stsafe_bus_fault *f, const stsafe_fault *fault)
{
    if (!f || !fault)
        return STSAFE_ERR_BAD_INPUT;
    switch (fault->kind) {
    case STSAFE_FAULT_NACK:
        f->nack_left = f->nack_total = fault->a;
        f->nack_logged = 0;
        record(f, &f->nack_at, fault);
        return 0;
    case STSAFE_FAULT_LATENCY:
        f->latency_ms = fault->a;
        record(f, &f->latency_at, fault);
        return 0;
    case STSAFE_FAULT_FLIP:
    case STSAFE_FAULT_DROP:
    case STSAFE_FAULT_TRUNCATE:
        f->next_rsp = *fault;
        record(f, &f->next_rsp_at, fault);
        return 0;
    case STSAFE_FAULT_BROWNOUT:
    case STSAFE_FAULT_RESET:
        if (!f->chip)
            return STSAFE_ERR_UNSUPPORTED;
        if (fault->kind == STSAFE_FAULT_BROWNOUT) { /* brownout=N: the Nth command that writes the NVM */
            f->chip->faults.brownout = (uint8_t)(fault->a > 1 ? fault->a : 1);
            record(f, &f->brownout_at, fault);
        } else { /* reset=N: the Nth command */
            f->chip->faults.reset = (uint8_t)(fault->a > 1 ? fault->a : 1);
            record(f, &f->reset_at, fault);
        }
        return 0;
    default:
        return STSAFE_ERR_BAD_INPUT;
    }
}

int stsafe_bus_fault_clear(stsafe_bus_fault *f)
{
    if (!f)
        return 0;
    int pending = f->nack_left || f->latency_ms || f->next_rsp.kind || f->this_rsp.kind ||
                  (f->chip && (f->chip->faults.brownout || f->chip->faults.reset));
    if (f->nack_left)
        nack_summary(f, "cleared by a power cycle");
    if (pending)
        fault_log(f, "pending faults cleared by a power cycle");
    int *places[] = {&f->nack_at, &f->latency_at, &f->next_rsp_at, &f->this_rsp_at, &f->brownout_at,
                     &f->reset_at};
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        if (*places[i] >= 0 && !fired_in_full(&f->armed[*places[i]]))
            f->armed[*places[i]].cleared = 1;
        *places[i] = -1;
    }
    f->nack_left = f->nack_total = f->nack_logged = 0;
    f->latency_ms = 0;
    memset(&f->next_rsp, 0, sizeof f->next_rsp);
    memset(&f->this_rsp, 0, sizeof f->this_rsp);
    if (f->chip)
        f->chip->faults.brownout = f->chip->faults.reset = 0;
    return pending;
}

int stsafe_bus_fault_add_spec(stsafe_bus_fault *f, const char *spec, const char **bad)
{
    stsafe_fault faults[STSAFE_FAULT_MAX];
    size_t n = 0;
    int err = stsafe_fault_parse(spec, faults, STSAFE_FAULT_MAX, &n, bad);
    for (size_t i = 0; !err && i < n; i++) {
        err = stsafe_bus_fault_add(f, &faults[i]);
        if (err && bad)
            *bad = spec;
    }
    return err;
}
