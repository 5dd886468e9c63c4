/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the PSA tests (psa_fixture.h). */
#include "psa_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <psa/crypto.h>

#include "stsafe/protocol/curves.h"
#include "stsafe/psa/psa.h"

stsafe_ecc_point psa_fixture_slot_pub(const stsafe_inproc_device *dev, uint8_t slot)
{
    const stsafe_emu_key_slot *k = &dev->chip.nvm.key_slots[slot];
    stsafe_ecc_point p;
    memset(&p, 0, sizeof p); /* an empty slot: size 0, zero coordinates */
    p.size = stsafe_curve_size(k->curve);
    memcpy(p.x, k->pub_x, p.size);
    memcpy(p.y, k->pub_y, p.size);
    return p;
}

void psa_fixture_pub_bytes(const stsafe_inproc_device *dev, uint8_t slot, uint8_t out[65])
{
    stsafe_ecc_point p = psa_fixture_slot_pub(dev, slot);
    assert_true(p.size == 0 || p.size == 32);
    out[0] = 0x04;
    memcpy(out + 1, p.x, 32);
    memcpy(out + 33, p.y, 32);
}

void psa_fixture_bind(const stsafe_inproc_device *dev, stsafe_client *client, uint8_t n_slots)
{
    assert_int_equal(stsafe_psa_bind(client), PSA_SUCCESS);
    for (uint8_t s = 0; s < n_slots; s++) {
        stsafe_ecc_point p = psa_fixture_slot_pub(dev, s);
        assert_int_equal(stsafe_psa_set_public(s, dev->chip.nvm.key_slots[s].curve, &p), PSA_SUCCESS);
    }
}
