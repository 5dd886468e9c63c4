/* SPDX-License-Identifier: BSD-3-Clause */
/* What test_psa and test_psa_opaque share: the public keys of the
 * in-process chip's slots, read from its NVM (the reference the tests check
 * the PSA route against), and binding the PSA core to a client with those
 * keys declared. CMocka asserts inside. */
#ifndef STSE_PSA_FIXTURE_H
#define STSE_PSA_FIXTURE_H

#include <stdint.h>

#include "stsafe/client/inproc_device.h"
#include "stsafe/protocol/codec_ecc.h"

/** The public key of \p slot of \p dev's chip, from its NVM (an empty
 * slot: size 0 and zero coordinates). */
stsafe_ecc_point psa_fixture_slot_pub(const stsafe_inproc_device *dev, uint8_t slot);

/** 04 || X || Y of a P-256 \p slot of \p dev's chip, from its NVM (an
 * empty slot: 04 and zeros). */
void psa_fixture_pub_bytes(const stsafe_inproc_device *dev, uint8_t slot, uint8_t out[65]);

/** Bind the PSA core to \p client and declare the public keys of slots
 * 0 .. \p n_slots - 1 of \p dev's chip (asserted to succeed). */
void psa_fixture_bind(const stsafe_inproc_device *dev, stsafe_client *client, uint8_t n_slots);

#endif /* STSE_PSA_FIXTURE_H */
