/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file recorded_device.h
 * \brief A recorded device (stsafe/trace/device.h) served by the socket
 *        server (`stsafe-emu serve --from-trace`).
 */
#ifndef STSAFE_SERVER_RECORDED_DEVICE_H
#define STSAFE_SERVER_RECORDED_DEVICE_H

#include "stsafe/server/server.h"
#include "stsafe/trace/device.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \brief The device as a server device: I2C operations as
 *        stsafe_trace_device_write()/_read(), POWER_CYCLE, STATS (commands
 *        = writes taken, NACKs, no NVM writes); nothing to save; failure()
 *        is the deviation. Valid while \p d is.
 */
stsafe_server_device stsafe_trace_device_handle(stsafe_trace_device *d);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_SERVER_RECORDED_DEVICE_H */
