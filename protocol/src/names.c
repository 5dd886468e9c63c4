/* SPDX-License-Identifier: BSD-3-Clause */
#include "stsafe/protocol/commands.h"

static const char *const cmd_names[32] = {
    "Echo", "Reset", "Generate Random", "Start Session", "Decrement", "Read", "Update",
    "Increment", "Derive LoRa Key", "Generate MAC", "Verify MAC", "Unwrap Issuer Envelope",
    "Delete", "Hibernate", "Wrap Local Envelope", "Unwrap Local Envelope", "Put Attribute",
    "Generate Key", "Put Key", "Configure", "Query", "Get Signature", "Generate Signature",
    "Verify Signature", "Establish Key", "Standby", "Verify Password", "Encrypt", "Decrypt",
    "unknown", "Chunk Prefix", "Extended Prefix",
};

const char *stsafe_cmd_name(uint8_t code)
{
    return cmd_names[code & STSAFE_HDR_CODE_MASK];
}
