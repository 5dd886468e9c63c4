/* SPDX-License-Identifier: BSD-3-Clause */
/* What became of the faults armed on a fault bus, and the note for people
 * when one fell short (fault.h, docs/faults.md). */
#include "stsafe/bus/fault.h"

#include <stdio.h>
#include <string.h>

#include "stsafe/protocol/error.h"

size_t stsafe_bus_fault_count(const stsafe_bus_fault *f)
{
    return f ? f->armed_count : 0;
}

int stsafe_bus_fault_report(const stsafe_bus_fault *f, size_t i, stsafe_fault_report *out)
{
    if (!f || !out || i >= f->armed_count)
        return STSAFE_ERR_BAD_INPUT;
    *out = f->armed[i];
    return 0;
}

size_t stsafe_bus_fault_longest_read(const stsafe_bus_fault *f)
{
    return f ? f->longest_read : 0;
}

/* Why a fault on an answer (flip, drop, truncate) never fired. */
static void answer_why(const stsafe_fault_report *r, char *why, size_t cap)
{
    const stsafe_fault *k = &r->fault;
    size_t len = r->longest_read;
    if (r->replaced)
        (void)snprintf(why, cap, "another flip, drop or truncate armed after it took its place");
    else if (!r->applied && r->cleared)
        (void)snprintf(why, cap, "cleared by a power cycle");
    else if (!r->applied && k->kind == STSAFE_FAULT_DROP && k->a > 1) /* drop=N */
        (void)snprintf(why, cap, "fewer than %lu commands were sent after it was armed", (unsigned long)k->a);
    else if (!r->applied)
        (void)snprintf(why, cap, "no command was sent after it was armed");
    else if (len == 0)
        (void)snprintf(why, cap, "%s", r->cleared ? "cleared by a power cycle before the answer was read"
                                                  : "the answer was never read");
    else if (k->kind == STSAFE_FAULT_FLIP)
        (void)snprintf(why, cap, "no read reached byte %lu; the longest read was %zu byte%s: bytes 0..%zu",
                       (unsigned long)k->a, len, len == 1 ? "" : "s", len - 1);
    else
        (void)snprintf(why, cap, "no read was longer than %lu bytes; the longest was %zu",
                       (unsigned long)k->a, len);
}

/* Why any other fault never fired. */
static void other_why(const stsafe_fault_report *r, char *why, size_t cap)
{
    const stsafe_fault *k = &r->fault;
    if (!r->replaced && !r->cleared && k->a > 1 &&
        (k->kind == STSAFE_FAULT_BROWNOUT || k->kind == STSAFE_FAULT_RESET)) { /* brownout=N, reset=N */
        (void)snprintf(why, cap, "fewer than %lu commands %s", (unsigned long)k->a,
                       k->kind == STSAFE_FAULT_BROWNOUT ? "wrote the chip's NVM" : "reached the chip");
        return;
    }
    const char *s = r->replaced ? "another one armed after it took its place"
                    : r->cleared ? "cleared by a power cycle"
                    : r->fault.kind == STSAFE_FAULT_NACK ? "no read came after it was armed"
                    : r->fault.kind == STSAFE_FAULT_LATENCY ? "no message crossed the bus after it was armed"
                    : r->fault.kind == STSAFE_FAULT_BROWNOUT ? "no command wrote the chip's NVM"
                                                             : "no command reached the chip";
    (void)snprintf(why, cap, "%s", s);
}

int stsafe_fault_report_note(const stsafe_fault_report *r, char *buf, size_t cap)
{
    if (!buf || !cap)
        return 0;
    buf[0] = '\0';
    if (!r)
        return 0;
    const stsafe_fault *k = &r->fault;
    if (k->kind == STSAFE_FAULT_NACK ? r->fired >= k->a : r->fired > 0)
        return 0;
    char spec[40], why[128];
    stsafe_fault_describe(k, spec, sizeof spec);
    if (k->kind == STSAFE_FAULT_NACK && r->fired > 0) {
        (void)snprintf(buf, cap, "fault '%s' NACKed %lu of %lu reads (%s)", spec, (unsigned long)r->fired,
                       (unsigned long)k->a,
                       r->replaced  ? "then another nack armed after it took its place"
                       : r->cleared ? "then a power cycle cleared it"
                                    : "no more reads came");
        return 1;
    }
    if (k->kind == STSAFE_FAULT_FLIP || k->kind == STSAFE_FAULT_DROP || k->kind == STSAFE_FAULT_TRUNCATE)
        answer_why(r, why, sizeof why);
    else
        other_why(r, why, sizeof why);
    (void)snprintf(buf, cap, "fault '%s' never fired (%s)", spec, why);
    return 1;
}
