/* SPDX-License-Identifier: BSD-3-Clause */
/* The bus tests' rig: a chip of the default profile in process, the fault
 * bus in front of it, and a host client (test_faults, test_brownout,
 * test_fault_report). */
#ifndef STSAFE_FAULT_FIXTURE_H
#define STSAFE_FAULT_FIXTURE_H

#include <stdint.h>

#include "stsafe/bus/fault.h"
#include "stsafe/client/client.h"
#include "stsafe/client/inproc_device.h"

typedef struct {
    stsafe_inproc_device dev;
    stsafe_bus_fault fault;
    stsafe_bus faulty;          /* the fault bus in front of the chip */
    stsafe_client client;       /* polls 20 times at most */
} fault_rig;

/* The chip made from \p seed (its text and terminating NUL) with the serial
 * \p serial_byte nine times; the fault bus logging to \p log (may be NULL);
 * the client on \p client_bus, or on the fault bus when NULL (a test puts its
 * own bus in front of the fault bus this way). */
void fault_rig_open(fault_rig *r, const char *seed, uint8_t serial_byte, stsafe_fault_log_fn log, void *log_ctx,
                    stsafe_bus *client_bus);

void fault_rig_close(fault_rig *r);

/* Arms \p spec (docs/faults.md); fails the test when it is refused. */
void fault_rig_arm(fault_rig *r, const char *spec);

/* Echo of DE AD BE EF: the client's result, and on success the bytes
 * echoed checked. */
int fault_rig_echo(fault_rig *r);

#endif
