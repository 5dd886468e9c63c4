/* SPDX-License-Identifier: BSD-3-Clause */
/* A trace as a host's conversation with one chip (trace_script.h). */
#include "stsafe/trace/script.h"

#include <stdlib.h>
#include <string.h>

#include "stsafe/protocol/error.h"
#include "stsafe/trace/trace.h"

void stsafe_trace_script_init(stsafe_trace_script *s)
{
    memset(s, 0, sizeof(*s));
}

void stsafe_trace_script_free(stsafe_trace_script *s)
{
    free(s->ex);
    free(s->reads);
    free(s->bytes);
    stsafe_trace_script_init(s);
}

/* Room for \p more elements of \p size in *arr (capacity doubles). */
static int grow(void **arr, size_t *cap, size_t used, size_t more, size_t size)
{
    if (used + more <= *cap)
        return 0;
    size_t n = *cap ? *cap : 64u;
    while (n < used + more)
        n *= 2u;
    void *p = realloc(*arr, n * size);
    if (!p)
        return STSAFE_ERR_ALLOC;
    *arr = p;
    *cap = n;
    return 0;
}

static int keep_bytes(stsafe_trace_script *s, const uint8_t *data, size_t len, size_t *off)
{
    /* Room for one byte at least: the arena exists even when every command
     * is empty (bare address writes), so an empty command points into it,
     * never at NULL + 0 (fuzz/corpus/fuzz_trace_import/regress-empty-write). */
    if (grow((void **)&s->bytes, &s->cap_bytes, s->n_bytes, len ? len : 1u, 1u) != 0)
        return STSAFE_ERR_ALLOC;
    if (len)
        memcpy(s->bytes + s->n_bytes, data, len);
    *off = s->n_bytes;
    s->n_bytes += len;
    return 0;
}

static int add_exchange(stsafe_trace_script *s, const stsafe_trace_msg *m, unsigned line)
{
    stsafe_trace_exchange e = {line, 0, m->len, s->n_reads, 0, 0, m->redacted, 0};
    if (grow((void **)&s->ex, &s->cap_ex, s->n_ex, 1u, sizeof(*s->ex)) != 0 ||
        keep_bytes(s, m->data, m->len, &e.cmd_off) != 0)
        return STSAFE_ERR_ALLOC;
    s->ex[s->n_ex++] = e;
    s->redacted += e.redacted ? 1u : 0u;
    return 0;
}

static int add_read(stsafe_trace_script *s, const stsafe_trace_msg *m, unsigned line)
{
    stsafe_trace_exchange *e = &s->ex[s->n_ex - 1u];
    stsafe_trace_read r = {line, 0, m->len, m->redacted};
    if (grow((void **)&s->reads, &s->cap_reads, s->n_reads, 1u, sizeof(*s->reads)) != 0 ||
        keep_bytes(s, m->data, m->len, &r.off) != 0)
        return STSAFE_ERR_ALLOC;
    if (e->n_reads == 0 || m->len > s->reads[e->longest].len)
        e->longest = s->n_reads;
    s->reads[s->n_reads++] = r;
    e->n_reads++;
    if (r.redacted && !e->redacted && !e->answer_redacted)
        s->redacted++; /* its answer holds a secret (an envelope's plaintext): count it once */
    e->answer_redacted |= r.redacted;
    return 0;
}

static int add_msg(stsafe_trace_script *s, const stsafe_trace_msg *m, unsigned line)
{
    s->messages++;
    if (s->addr == STSAFE_TRACE_ADDR_FIRST && !m->read && m->ack)
        s->addr = m->addr;
    if (m->addr != s->addr) {
        s->other_addr++;
        return 0;
    }
    if (!m->ack) {
        s->nacks++;
        return 0;
    }
    if (!m->read)
        return add_exchange(s, m, line);
    if (s->n_ex == 0) {
        s->early_reads++;
        return 0;
    }
    return add_read(s, m, line);
}

int stsafe_trace_script_load(stsafe_trace_script *s, const char *text, size_t len, uint8_t addr)
{
    stsafe_trace_reader r;
    stsafe_trace_msg *m = malloc(sizeof(*m));
    int rc;
    if (!m)
        return STSAFE_ERR_ALLOC;
    s->addr = addr;
    stsafe_trace_reader_init(&r, text, len);
    while ((rc = stsafe_trace_next(&r, m)) == 1) {
        if ((rc = add_msg(s, m, r.line)) != 0)
            break;
    }
    free(m);
    if (rc == 0 && s->n_ex == 0) {
        r.error = "no command written to the chip's address in the trace";
        rc = STSAFE_ERR_TRACE_SYNTAX;
    }
    if (rc == STSAFE_ERR_TRACE_SYNTAX) {
        s->error_line = r.line;
        s->error = r.error;
    }
    return rc;
}

const uint8_t *stsafe_trace_script_cmd(const stsafe_trace_script *s, size_t i)
{
    return s->bytes + s->ex[i].cmd_off;
}

const uint8_t *stsafe_trace_script_read_bytes(const stsafe_trace_script *s, size_t r)
{
    return s->bytes + s->reads[r].off;
}
