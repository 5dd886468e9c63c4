/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file bus_fault.h
 * \brief Fault injection between a host and a chip (docs/faults.md).
 *
 * A bus that wraps another bus and spoils what crosses it on purpose: NACK
 * the next N reads, flip a bit of the next response, drop or truncate the
 * next response, add latency to every message. Chip faults (a brown-out
 * during the next NVM write, a reset in the middle of the next command)
 * are armed in the emulated chip itself, so they need the chip's handle.
 * Faults come from a text spec ("nack=3,flip=5:0") so tests, stsafe-cli
 * --fault and the socket protocol's FAULT (a server's chips) share one syntax, and each fault
 * that fires is reported through a log callback.
 */
#ifndef STSAFE_BUS_FAULT_H
#define STSAFE_BUS_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/emulator/chip.h"
#include "stsafe/bus/bus.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    STSAFE_FAULT_NACK = 1,      /**< nack=N: the next N reads are NACKed. */
    STSAFE_FAULT_FLIP,          /**< flip=BYTE:BIT: flip one bit of the next response. */
    STSAFE_FAULT_DROP,          /**< drop[=N]: the Nth response from now is lost (reads NACK until the next write). */
    STSAFE_FAULT_TRUNCATE,      /**< truncate=N: the next response stops after N bytes (0xFF after). */
    STSAFE_FAULT_LATENCY,       /**< latency=MS: every message from now on waits MS ms first. */
    STSAFE_FAULT_BROWNOUT,      /**< brownout[=N]: power lost during the Nth NVM write from now (chip fault). */
    STSAFE_FAULT_RESET          /**< reset[=N]: the chip resets during the Nth command from now (chip fault). */
} stsafe_fault_kind;

typedef struct {
    stsafe_fault_kind kind;
    uint32_t a;                 /**< N, BYTE or MS. */
    uint32_t b;                 /**< BIT. */
} stsafe_fault;

#define STSAFE_FAULT_MAX 16u              /**< Items in one spec. */
#define STSAFE_FAULT_MAX_NACKS 1000u      /**< Largest N of nack=N: far past any host's poll
                                           *   budget, and never a chip bricked until restart. */
#define STSAFE_FAULT_MAX_BYTE 1024u       /**< Largest BYTE of flip= and N of truncate= (the
                                           *   largest read). */
#define STSAFE_FAULT_MAX_LATENCY_MS 10000u /**< Largest MS of latency= (10 s a message). */
#define STSAFE_FAULT_MAX_NVM_WRITES 255u   /**< Largest N of brownout=N: the cut comes in the Nth
                                           *   command that writes the NVM (1: the next one). */
#define STSAFE_FAULT_MAX_COMMANDS 255u     /**< Largest N of reset=N: the Nth command from now. */

/**
 * \brief Parse a fault spec: comma-separated items, each one of
 *        nack=N, flip=BYTE:BIT, drop[=N], truncate=N, latency=MS, brownout[=N], reset[=N].
 *        Numbers are decimal ("010" is ten) or 0x hex, within the maxima above.
 * \param n  Receives the number of faults written to \p out.
 * \return 0; STSAFE_ERR_BAD_INPUT (unknown item or bad number: \p bad, when
 *         not NULL, points at the offending item); STSAFE_ERR_BUFFER_TOO_SMALL
 *         (more than \p cap items: \p bad points at the first one left over).
 */
int stsafe_fault_parse(const char *spec, stsafe_fault *out, size_t cap, size_t *n, const char **bad);

/**
 * \brief The message for people of a stsafe_fault_parse() failure: which
 *        item, and why (not a fault, a number too large, one item too many).
 * \param err  What stsafe_fault_parse() returned.
 * \param bad  What it pointed \p bad at (NULL gives a general message).
 */
void stsafe_fault_spec_error(int err, const char *bad, char *buf, size_t cap);

/** \brief The spec text of one fault ("flip=5:0"), for logs. */
void stsafe_fault_describe(const stsafe_fault *f, char *buf, size_t cap);

/** Receives one line per fault event ("fault: NACK read 1 of 3"). */
typedef void (*stsafe_fault_log_fn)(void *ctx, const char *line);

/** What became of one armed fault (stsafe_bus_fault_report()). */
typedef struct {
    stsafe_fault fault;   /**< The fault as armed. */
    uint32_t fired;       /**< How often it fired: NACKed reads (nack), delayed messages
                           *   (latency), reads changed (flip, truncate); 1 once drop
                           *   NACKed the answer, brownout or reset hit the chip. */
    size_t longest_read;  /**< flip, drop, truncate: the longest read of the answer it
                           *   applied to, in bytes (0: none read). */
    uint8_t applied;      /**< flip, drop, truncate: a command was sent after it was
                           *   armed, so it applied to that command's answer. */
    uint8_t replaced;     /**< A later fault of its kind took its place before it fired
                           *   (one nack run, one answer fault, one latency at a time). */
    uint8_t cleared;      /**< Disarmed by stsafe_bus_fault_clear() before it fired. */
} stsafe_fault_report;

typedef struct {
    const stsafe_bus *inner;
    stsafe_emu_chip *chip;        /**< For chip faults; NULL when the chip is remote. */
    stsafe_fault_log_fn log;
    void *log_ctx;
    uint32_t nack_left, nack_total;
    uint32_t nack_logged;       /**< NACKs of the run the log has told of. */
    uint32_t latency_ms;
    stsafe_fault next_rsp;      /**< Armed for the response to the next write (flip/drop/truncate). */
    stsafe_fault this_rsp;      /**< Applies to reads until the next write. */
    int chip_armed;             /**< A chip fault was armed and has not been seen firing. */
    uint64_t chip_faults_seen;
    uint64_t fired;             /**< Fault events logged so far. */
    stsafe_fault_report armed[STSAFE_FAULT_MAX]; /**< The first STSAFE_FAULT_MAX faults added. */
    size_t armed_count;
    int nack_at, latency_at;    /**< Index in armed[] of the fault in that place, or -1. */
    int next_rsp_at, this_rsp_at, brownout_at, reset_at;
    size_t longest_read;        /**< The longest read that reached the chip, in bytes. */
} stsafe_bus_fault;

/**
 * \brief Wrap \p inner: \p bus becomes a bus whose messages go through the
 *        faults added with stsafe_bus_fault_add().
 * \param chip  The emulated chip behind \p inner, or NULL.
 * \param log   Called for each fault event; NULL to stay quiet.
 */
void stsafe_bus_fault_init(stsafe_bus_fault *f, stsafe_bus *bus, const stsafe_bus *inner,
                           stsafe_emu_chip *chip, stsafe_fault_log_fn log, void *log_ctx);

/**
 * \brief Arm one fault.
 * \return 0; STSAFE_ERR_UNSUPPORTED (a chip fault without a chip handle);
 *         STSAFE_ERR_BAD_INPUT.
 */
int stsafe_bus_fault_add(stsafe_bus_fault *f, const stsafe_fault *fault);

/**
 * \brief Disarm every pending fault, bus and chip (a power cycle: a
 *        served chip's POWER_CYCLE). Logs what an unfinished NACK run did
 *        and "pending faults cleared by a power cycle" when any was armed.
 * \return 1 when a fault was pending, else 0.
 */
int stsafe_bus_fault_clear(stsafe_bus_fault *f);

/** \brief Parse \p spec and arm every fault in it (stops at the first error). */
int stsafe_bus_fault_add_spec(stsafe_bus_fault *f, const char *spec, const char **bad);

/**
 * \brief The number of faults stsafe_bus_fault_report() can tell of: those
 *        armed with stsafe_bus_fault_add() since stsafe_bus_fault_init(), up
 *        to STSAFE_FAULT_MAX (later ones are armed but not reported).
 */
size_t stsafe_bus_fault_count(const stsafe_bus_fault *f);

/**
 * \brief What became of the \p i th armed fault: how often it fired, and
 *        for the faults on an answer, what the reads of that answer were.
 * \param f    The fault bus.
 * \param i    0 to stsafe_bus_fault_count() - 1, in the order they were added.
 * \param out  Receives the report.
 * \return 0; STSAFE_ERR_BAD_INPUT (NULL, or \p i out of range).
 */
int stsafe_bus_fault_report(const stsafe_bus_fault *f, size_t i, stsafe_fault_report *out);

/**
 * \brief The longest read that went through to the chip since
 *        stsafe_bus_fault_init(), in bytes (NACKed and dropped reads move no
 *        data and do not count); 0 when none did.
 */
size_t stsafe_bus_fault_longest_read(const stsafe_bus_fault *f);

/**
 * \brief The message for people when a fault fell short: a fault that never
 *        fired, or a nack=N run that NACKed fewer than N reads, with why
 *        ("fault 'flip=6:0' never fired (the longest read of the answer was
 *        6 bytes: bytes 0..5)").
 * \param r    A report from stsafe_bus_fault_report().
 * \param buf  Receives the message (cut to \p cap; empty when none).
 * \return 1 when the fault fell short and \p buf holds the message, 0 when
 *         it fired in full (\p buf is then empty).
 */
int stsafe_fault_report_note(const stsafe_fault_report *r, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_BUS_FAULT_H */
