/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file pcapng.h
 * \brief A trace as a pcapng file for Wireshark and tshark
 *        (`stsafe-emu trace export --pcapng`; docs/trace-format.md).
 *
 * One Section Header Block, one Interface Description Block (link type
 * LINKTYPE_I2C_LINUX, 209; if_tsresol 9: nanoseconds), then one Enhanced
 * Packet Block per message, at the message's time. Each packet is the
 * link type's 5-byte pseudo-header (byte 0: bus number 0, bit 7 clear: a
 * message, not an event; bytes 1..4: the Linux i2c_msg flags, big-endian:
 * I2C_M_RD (0x0001) for a read), then the address byte (7-bit address
 * shifted left, bit 0 set for a read), then the data. A message the device
 * NACKed carries the packet comment "NACK" (an opt_comment), and a
 * repeated start the comment "Sr"; the data of a NACKed write are the bytes
 * the host meant to send, as in the trace. Blocks are little-endian.
 */
#ifndef STSAFE_TRACE_PCAPNG_H
#define STSAFE_TRACE_PCAPNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STSAFE_PCAPNG_LINKTYPE_I2C_LINUX 209u
#define STSAFE_PCAPNG_I2C_M_RD           0x0001u

/**
 * \brief Write the trace \p text (\p len bytes) to \p out as pcapng.
 * \param messages   Receives the number of packets written (may be NULL).
 * \param bad_line   Receives the line of a syntax error (may be NULL).
 * \return 0; STSAFE_ERR_TRACE_SYNTAX (nothing useful written);
 *         STSAFE_ERR_IO (writing failed); STSAFE_ERR_ALLOC.
 */
int stsafe_trace_pcapng_write(FILE *out, const char *text, size_t len, uint64_t *messages,
                              unsigned *bad_line);

#ifdef __cplusplus
}
#endif

#endif /* STSAFE_TRACE_PCAPNG_H */
