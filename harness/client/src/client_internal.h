/* SPDX-License-Identifier: BSD-3-Clause */
/* Inside the host client: the raw frame exchange both the plain and the
 * protected paths use. */
#ifndef STSAFE_CLIENT_INTERNAL_H
#define STSAFE_CLIENT_INTERNAL_H

#include "stsafe/client/client.h"
#include "stsafe/protocol/frame.h"

/**
 * Frame \p header + \p payload, write it, poll through NACKs, read the
 * response and check its CRC. \p rsp points into c->frame afterwards.
 * \p written is set to 1 once the chip acknowledged the command.
 */
int stsafe_client_exchange(stsafe_client *c, uint8_t header, const uint8_t *payload,
                           size_t payload_len, stsafe_rsp_frame *rsp, int *written);

/** Copy response data to the caller: STSAFE_ERR_BUFFER_TOO_SMALL, or
 *  STSAFE_ERR_CODEC_TRAILING when data came but none was expected. */
int stsafe_client_hand_out(const uint8_t *data, size_t len, uint8_t *rsp_data, size_t rsp_cap,
                           size_t *rsp_len);

/** 1 when an open session protects command \p code (STSELib's rules). */
int stsafe_client_wants_protection(const stsafe_client *c, uint8_t code);

#endif
