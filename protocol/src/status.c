/* SPDX-License-Identifier: BSD-3-Clause */
#include "stsafe/protocol/status.h"
#include "stsafe/protocol/error.h"

#include <stdio.h>

static const char *const status_names[32] = {
    [0x00] = "OK",
    [0x01] = "communication error",
    [0x02] = "inconsistent command data",
    [0x03] = "value out of range",
    [0x04] = "command code not supported",
    [0x05] = "unexpected error",
    [0x06] = "buffer length exceeded",
    [0x07] = "session error",
    [0x08] = "too many messages lost",
    [0x09] = "C-MAC counter maximum reached",
    [0x0A] = "key not found",
    [0x0B] = "key blocked",
    [0x0C] = "wrong key type",
    [0x0D] = "session counter out of range",
    [0x0E] = "depth out of range",
    [0x0F] = "invalid life-cycle state",
    [0x10] = "entry not found",
    [0x11] = "access condition not satisfied",
    [0x12] = "wrong zone type",
    [0x13] = "counter limit exceeded",
    [0x14] = "boundary exceeded",
    [0x15] = "invalid private key",
    [0x16] = "invalid C-MAC",
    [0x17] = "challenge missing",
    [0x18] = "command decryption error",
    [0x19] = "invalid public key",
    [0x1A] = "password blocked",
    [0x1B] = "wrong key usage",
    [0x1C] = "wrong mode of operation",
    [0x1D] = "wrong MAC length",
    [0x1E] = "command not authorized",
    [0x1F] = "old message",
};

const char *stsafe_status_str(uint8_t status)
{
    return status_names[status & STSAFE_STATUS_CODE_MASK];
}

const char *stsafe_strerror(int err)
{
    if (err == 0)
        return "success";
    if (STSAFE_ERR_IS_STATUS(err)) {
        uint8_t s = STSAFE_ERR_TO_STATUS(err);
        return s <= STSAFE_STATUS_CODE_MASK ? stsafe_status_str(s) : "unknown chip status";
    }
    switch (err) {
    case STSAFE_ERR_BAD_INPUT:         return "invalid parameter";
    case STSAFE_ERR_BUFFER_TOO_SMALL:  return "output buffer too small";
    case STSAFE_ERR_ALLOC:             return "out of memory";
    case STSAFE_ERR_IO:                return "I/O error";
    case STSAFE_ERR_FRAME_TOO_SHORT:   return "frame too short";
    case STSAFE_ERR_FRAME_TOO_LONG:    return "frame longer than the chip accepts";
    case STSAFE_ERR_FRAME_CRC:         return "frame CRC mismatch";
    case STSAFE_ERR_FRAME_LENGTH:      return "response length field inconsistent";
    case STSAFE_ERR_CODEC_TRUNCATED:   return "payload truncated";
    case STSAFE_ERR_CODEC_TRAILING:    return "unexpected bytes after the payload";
    case STSAFE_ERR_CODEC_VALUE:       return "payload field holds an invalid value";
    case STSAFE_ERR_BUS_NACK:          return "device did not acknowledge (NACK)";
    case STSAFE_ERR_BUS_IO:            return "bus backend failure";
    case STSAFE_ERR_BUS_TIMEOUT:       return "device stayed busy past the retry budget";
    case STSAFE_ERR_UNSUPPORTED:       return "operation not supported by this backend";
    case STSAFE_ERR_DEVICE_FAILED:     return "the served device failed";
    case STSAFE_ERR_IMAGE_FORMAT:      return "not a valid stsafe-emu image";
    case STSAFE_ERR_IMAGE_VERSION:     return "unsupported stsafe-emu image version";
    case STSAFE_ERR_IMAGE_CHECKSUM:    return "image checksum mismatch (file corrupted)";
    case STSAFE_ERR_CRYPTO:            return "cryptographic operation failed";
    case STSAFE_ERR_IMAGE_FIELD:       return "image holds a value the chip cannot have";
    case STSAFE_ERR_IMAGE_LOCKED:      return "the image is in use by another process";
    case STSAFE_ERR_SC_PADDING:        return "secure channel: bad padding after decryption";
    case STSAFE_ERR_SC_RMAC:           return "secure channel: response MAC missing or wrong";
    case STSAFE_ERR_SC_NO_KEYS:        return "secure channel: the chip has no host keys";
    case STSAFE_ERR_SC_COUNTER:        return "secure channel: C-MAC counter exhausted";
    case STSAFE_ERR_TRACE_SYNTAX:      return "trace: malformed line";
    case STSAFE_ERR_TRACE_MISMATCH:    return "trace: the bus differs from the trace";
    default:                           return "unknown error";
    }
}
