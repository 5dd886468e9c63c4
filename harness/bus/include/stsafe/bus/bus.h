/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file bus.h
 * \brief The I2C bus primitive every backend implements.
 *
 * Modelled on Linux I2C_RDWR and Zephyr's i2c_emul API: a backend gets one
 * call, transfer(msgs[], n), where each message is a read or a write to a
 * 7-bit address. A device that does not acknowledge its address makes the
 * transfer fail with STSAFE_ERR_BUS_NACK (the busy STSAFE does exactly that
 * while it processes a command). write/read are optional shortcuts for
 * single-message transfers; delay_ms is how a host waits, so a backend with
 * a virtual clock can advance it instead of sleeping.
 */
#ifndef STSAFE_BUS_H
#define STSAFE_BUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_I2C_MSG_WRITE 0x0000u
#define STSAFE_I2C_MSG_READ  0x0001u /**< As Linux I2C_M_RD. */

/** One I2C message: a start condition, the address, then \c len bytes. */
typedef struct {
    uint16_t addr;   /**< 7-bit address. */
    uint16_t flags;  /**< STSAFE_I2C_MSG_READ or STSAFE_I2C_MSG_WRITE. */
    size_t len;
    uint8_t *buf;    /**< Source of a write, destination of a read. */
} stsafe_i2c_msg;

/** Operations of a bus backend. transfer is required; the others may be NULL. */
typedef struct {
    /**
     * Run \p n messages as one combined transaction (repeated starts between
     * them, one stop at the end).
     * \return 0; STSAFE_ERR_BUS_NACK when the device NACKed its address (no
     *         data moved for that message and the ones after it);
     *         STSAFE_ERR_BUS_IO on a backend failure.
     */
    int (*transfer)(void *ctx, stsafe_i2c_msg *msgs, size_t n);
    /** Optional: one write message. Same returns as transfer. */
    int (*write)(void *ctx, uint16_t addr, const uint8_t *data, size_t len);
    /** Optional: one read message. Same returns as transfer. */
    int (*read)(void *ctx, uint16_t addr, uint8_t *data, size_t len);
    /** Optional: wait \p ms milliseconds (a virtual clock may just advance). */
    void (*delay_ms)(void *ctx, uint32_t ms);
    /**
     * Optional: one whole command in one exchange, for a backend whose far
     * end can run it (the socket protocol's COMMAND): write \p frame to
     * \p addr, wait until the device has executed it, read its whole
     * response frame (status, length, data, CRC) into \p rsp. The waiting
     * is the far end's: no NACK of a busy device reaches the caller.
     * \p rsp may be \p frame: the frame is sent before the response lands.
     * \param written  Set to 1 once the device acknowledged the frame.
     * \return 0 with \p rsp_len set; STSAFE_ERR_UNSUPPORTED (this bus
     *         cannot do it now, nothing was sent: use write, poll and
     *         read); STSAFE_ERR_BUS_TIMEOUT (the device NACKed the frame
     *         or never answered: \p written says which);
     *         STSAFE_ERR_BUFFER_TOO_SMALL; STSAFE_ERR_BUS_IO.
     */
    int (*command)(void *ctx, uint16_t addr, const uint8_t *frame, size_t len, uint8_t *rsp,
                   size_t cap, size_t *rsp_len, int *written);
} stsafe_bus_ops;

/** A bus: a backend's operations and its context. */
typedef struct {
    const stsafe_bus_ops *ops;
    void *ctx;
} stsafe_bus;

/** \brief Write \p len bytes to \p addr (uses ops->write when present). */
int stsafe_bus_write(const stsafe_bus *bus, uint16_t addr, const uint8_t *data, size_t len);
/** \brief Read \p len bytes from \p addr (uses ops->read when present). */
int stsafe_bus_read(const stsafe_bus *bus, uint16_t addr, uint8_t *data, size_t len);
/**
 * \brief One command round trip through ops->command.
 * \return STSAFE_ERR_UNSUPPORTED when the backend has no command operation;
 *         otherwise as ops->command.
 */
int stsafe_bus_command(const stsafe_bus *bus, uint16_t addr, const uint8_t *frame, size_t len,
                       uint8_t *rsp, size_t cap, size_t *rsp_len, int *written);
/** \brief Wait \p ms milliseconds through the backend; a no-op without delay_ms. */
void stsafe_bus_delay_ms(const stsafe_bus *bus, uint32_t ms);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_BUS_H */
