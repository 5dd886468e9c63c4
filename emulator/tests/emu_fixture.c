/* SPDX-License-Identifier: BSD-3-Clause */
#include "emu_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

#include "stsafe/emulator/profile.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/frame.h"

/* Fixed entropy: the same bytes every time, so keys and certificates are
 * the same in every run. */
static int fixed_entropy(void *p, unsigned char *out, size_t len)
{
    (void)p;
    for (size_t i = 0; i < len; i++)
        out[i] = (unsigned char)(i * 7 + 3);
    return 0;
}

int fixture_rng(void *p, unsigned char *out, size_t len)
{
    return mbedtls_ctr_drbg_random(p, out, len);
}

void fixture_setup(emu_fixture *f)
{
    static const uint8_t serial[] = FIXTURE_SERIAL;
    mbedtls_ctr_drbg_init(&f->drbg);
    assert_int_equal(mbedtls_ctr_drbg_seed(&f->drbg, fixed_entropy, NULL, NULL, 0), 0);
    stsafe_emu_chip_init(&f->chip, fixture_rng, &f->drbg);
    assert_int_equal(stsafe_emu_profile_apply(&f->chip.nvm, "default", serial, fixture_rng, &f->drbg, NULL), 0);
}

void fixture_teardown(emu_fixture *f)
{
    stsafe_emu_chip_free(&f->chip);
    mbedtls_ctr_drbg_free(&f->drbg);
}

size_t fixture_exec(emu_fixture *f, const uint8_t *frame, size_t len, uint8_t *rsp)
{
    size_t rsp_len = 0;
    assert_int_equal(stsafe_emu_execute(&f->chip, frame, len, rsp, STSAFE_A110_MAX_FRAME_LEN, &rsp_len), 0);
    return rsp_len;
}

uint8_t fixture_cmd(emu_fixture *f, uint8_t header, const uint8_t *payload, size_t len,
                    uint8_t *data, size_t *data_len)
{
    uint8_t frame[STSAFE_A110_MAX_FRAME_LEN], rsp[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0;
    stsafe_rsp_frame r;
    assert_int_equal(stsafe_cmd_frame_encode(header, payload, len, STSAFE_A110_MAX_FRAME_LEN, frame,
                                             sizeof frame, &n), 0);
    size_t rn = fixture_exec(f, frame, n, rsp);
    assert_int_equal(stsafe_rsp_frame_decode(rsp, rn, &r), 0);
    if (data && data_len) {
        memcpy(data, r.data, r.data_len);
        *data_len = r.data_len;
    }
    return r.status;
}
