/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file recorded.h
 * \brief A bus whose far end is a recorded device (stsafe/trace/device.h):
 *        a host in the same process talks to a trace as if it were a chip.
 */
#ifndef STSAFE_BUS_RECORDED_H
#define STSAFE_BUS_RECORDED_H

#include "stsafe/bus/bus.h"
#include "stsafe/trace/device.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \brief Make \p bus a bus to \p d. A write or read the recording does not
 *        hold is NACKed (what a host on a wire would see); the reason is
 *        in \p d's \c why. Valid while \p d is.
 */
void stsafe_trace_device_bus(stsafe_trace_device *d, stsafe_bus *bus);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_BUS_RECORDED_H */
