/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the capture importers (trace_import_*.c): the assembler that
 * turns bus events (start, address, data, ACK/NACK, stop) into trace
 * messages, and the line walker. Not installed. */
#ifndef STSAFE_TRACE_IMPORT_INTERNAL_H
#define STSAFE_TRACE_IMPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/trace/import.h"

/* Where the assembler is in a transaction. */
typedef enum {
    IMPORT_IDLE,    /* outside a transaction */
    IMPORT_START,   /* after a start: the address byte comes next */
    IMPORT_ADDR,    /* after the address byte: its ACK/NACK comes next */
    IMPORT_DATA,    /* a message is open: a data byte, a start or a stop comes next */
    IMPORT_BYTE,    /* after a data byte: its ACK/NACK comes next */
    IMPORT_ENDED    /* a NACK ended the message: a start or a stop comes next */
} import_state;

/* A start as the capture states it. */
typedef enum {
    IMPORT_START_PLAIN = 0,  /* a start after a stop (sigrok "Start") */
    IMPORT_START_REPEAT = 1, /* a repeated start (sigrok "Start repeat") */
    IMPORT_START_ANY = 2     /* the capture does not say (Saleae): repeated when a transaction is open */
} import_start_kind;

typedef struct {
    stsafe_trace_import_emit_fn emit;
    void *ctx;
    stsafe_trace_import_status *status;
    import_state state;
    int sent_in_transaction;   /* a message of the open transaction went out (Sr may follow) */
    int have_time;             /* a start was seen (its time orders the next) */
    uint64_t last_time_ns;
    unsigned line;             /* the capture line being handled */
    size_t nacked_byte;        /* 1-based: the written byte the device NACKed; 0 none */
    stsafe_trace_msg msg;      /* the open message */
    char note[STSAFE_IMPORT_NOTE_CAP];
} import_asm;

/* Start assembling for \p emit; counts go to \p status (cleared). */
void import_asm_init(import_asm *a, stsafe_trace_import_emit_fn emit, void *ctx,
                     stsafe_trace_import_status *status);

/* The events, in capture order. Each returns 0, STSAFE_ERR_TRACE_SYNTAX
 * (status->line is a->line, status->error says why), or what the
 * callback returned. */
int import_asm_start(import_asm *a, import_start_kind kind, uint64_t time_ns);
int import_asm_address(import_asm *a, unsigned addr, int read);
/* \p read: the direction the capture gives the byte; -1 when it does not. */
int import_asm_data(import_asm *a, uint8_t byte, int read);
int import_asm_ack(import_asm *a, int ack);
int import_asm_stop(import_asm *a);
/* The end of the capture: flushes an open message with a note. */
int import_asm_finish(import_asm *a);

/* A note on its own (a comment line before the next message). */
int import_asm_note(import_asm *a, const char *note);

/* A syntax error on the current line. */
int import_asm_error(import_asm *a, const char *why);

/* Walks the lines of a text: CR before LF and a UTF-8 byte-order mark at
 * the start are dropped. */
typedef struct {
    const char *text;
    size_t len;
    size_t pos;
    unsigned line;
} import_lines;

void import_lines_init(import_lines *l, const char *text, size_t len);

/* The next line without its end; 0 at the end of the text. */
int import_lines_next(import_lines *l, const char **line, size_t *len);

/* Parses exactly \p len decimal digits (at least one) into \p out; -1 on
 * overflow or another character. */
int import_parse_u64(const char *s, size_t len, uint64_t *out);

#endif /* STSAFE_TRACE_IMPORT_INTERNAL_H */
