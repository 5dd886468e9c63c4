/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file device.h
 * \brief A recorded device: a chip that answers from a trace, for a host
 *        under test (`stsafe-emu serve --from-trace`).
 *
 * The device expects the host to write the trace's commands, in order,
 * byte for byte, and answers each with the bytes the recorded chip gave
 * (the longest read of that answer in the trace). It answers at once: the
 * recording's busy NACKs are not played back. The first time the host
 * deviates from the script (another command, a read longer than the
 * recording holds, a command after the last one) the device fails: it
 * says why, and NACKs everything after.
 */
#ifndef STSAFE_TRACE_DEVICE_H
#define STSAFE_TRACE_DEVICE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "stsafe/trace/script.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const stsafe_trace_script *script;
    size_t next;            /**< The exchange the host's next write must be. */
    int answering;          /**< 1: reads get the answer of exchange next - 1. */
    int failed;             /**< The host deviated; \c why says how. */
    char why[768];
    uint64_t writes, reads, nacks;
    const char *label;      /**< What the server's log calls it (default "recorded device"). */
    atomic_int *stop_when_done; /**< Optional: set to 1 once the host has written the last
                             *   command and read its whole answer (a server's stop flag). */
} stsafe_trace_device;

/** \brief Play \p script (which must outlive the device) from its start. */
void stsafe_trace_device_init(stsafe_trace_device *d, const stsafe_trace_script *script);

/**
 * \brief The host writes \p len bytes to \p addr.
 * \return 0 (ACK: the write is the script's next command); STSAFE_ERR_BUS_NACK
 *         (another address, or the device has failed); STSAFE_ERR_TRACE_MISMATCH
 *         (this write is the deviation: \c why is set, the device has failed).
 */
int stsafe_trace_device_write(stsafe_trace_device *d, uint8_t addr, const uint8_t *data, size_t len);

/**
 * \brief The host reads \p len bytes from \p addr: the recorded answer's first bytes.
 * \return 0; STSAFE_ERR_BUS_NACK (another address, no command written yet,
 *         or the device has failed); STSAFE_ERR_TRACE_MISMATCH (more bytes
 *         than the recording holds: the deviation).
 */
int stsafe_trace_device_read(stsafe_trace_device *d, uint8_t addr, uint8_t *buf, size_t len);

/** \brief Power cycle: no answer to read until the next command (the script goes on). */
void stsafe_trace_device_power_cycle(stsafe_trace_device *d);

/** \brief 1 when every command of the script was written and the device has not failed. */
int stsafe_trace_device_finished(const stsafe_trace_device *d);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_TRACE_DEVICE_H */
