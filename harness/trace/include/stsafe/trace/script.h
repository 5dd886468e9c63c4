/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file trace_script.h
 * \brief A trace seen as the conversation of a host with one chip: each
 *        command the host wrote and the reads that took its answer.
 *
 * Replay (trace_replay.h) sends the commands to an emulator and compares
 * every read; the recorded device (`stsafe-emu serve --from-trace`) plays
 * the chip and expects the commands. Both need the same view of a trace:
 *
 * - only messages to the chip's address count; the others (other devices
 *   on a shared bus) are skipped and counted;
 * - an acknowledged write starts an exchange; the acknowledged reads after
 *   it, up to the next write, are its reads (the host polls and reads the
 *   5-byte head, then the whole frame: each read starts at the first byte
 *   of the same response);
 * - NACKed messages are the chip being busy or asleep: skipped and counted,
 *   since when a chip is busy depends on the host's timing, not on what it
 *   said;
 * - reads before the first write answer a command sent before the
 *   recording began: skipped and counted.
 */
#ifndef STSAFE_TRACE_SCRIPT_H
#define STSAFE_TRACE_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Pass as the address to use the address of the first acknowledged write. */
#define STSAFE_TRACE_ADDR_FIRST 0xFFu

/** One acknowledged read of an exchange. */
typedef struct {
    unsigned line;          /**< Its line in the trace. */
    size_t off, len;        /**< Its bytes in the script's arena. */
    int redacted;           /**< Its line says `redacted`: secret bytes replaced (redact.h). */
} stsafe_trace_read;

/** One command and the reads of its answer. */
typedef struct {
    unsigned line;          /**< The line of the write. */
    size_t cmd_off, cmd_len;        /**< The command bytes in the arena. */
    size_t first_read, n_reads;     /**< Its reads in the script's read list. */
    size_t longest;         /**< Index (in the read list) of its longest read; valid when n_reads. */
    int redacted;           /**< The write's line says `redacted` (redact.h): the command
                             *   cannot be sent again as it was. */
    int answer_redacted;    /**< One of its reads says `redacted` (an envelope's plaintext). */
} stsafe_trace_exchange;

typedef struct {
    uint8_t addr;                   /**< The chip's address. */
    stsafe_trace_exchange *ex;
    size_t n_ex, cap_ex;
    stsafe_trace_read *reads;
    size_t n_reads, cap_reads;
    uint8_t *bytes;
    size_t n_bytes, cap_bytes;
    uint64_t messages;              /**< Message lines in the trace. */
    uint64_t other_addr;            /**< Skipped: to another address. */
    uint64_t nacks;                 /**< Skipped: NACKed (busy, asleep). */
    uint64_t early_reads;           /**< Skipped: reads before the first write. */
    uint64_t redacted;              /**< Exchanges whose write or any read is redacted. */
    unsigned error_line;            /**< After STSAFE_ERR_TRACE_SYNTAX: the line. */
    const char *error;              /**< ... and what is wrong with it. */
} stsafe_trace_script;

/** \brief An empty script. */
void stsafe_trace_script_init(stsafe_trace_script *s);

/**
 * \brief Read a whole trace into \p s (initialised, empty).
 * \param addr  The chip's 7-bit address, or STSAFE_TRACE_ADDR_FIRST.
 * \return 0; STSAFE_ERR_TRACE_SYNTAX (error_line and error set; a trace
 *         with no acknowledged write to the address is one, on its last
 *         line); STSAFE_ERR_ALLOC.
 */
int stsafe_trace_script_load(stsafe_trace_script *s, const char *text, size_t len, uint8_t addr);

/** \brief The command bytes of exchange \p i. */
const uint8_t *stsafe_trace_script_cmd(const stsafe_trace_script *s, size_t i);

/** \brief The bytes of read \p r (an index in the read list). */
const uint8_t *stsafe_trace_script_read_bytes(const stsafe_trace_script *s, size_t r);

/** \brief Release the script's memory; \p s is empty again. */
void stsafe_trace_script_free(stsafe_trace_script *s);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_TRACE_SCRIPT_H */
