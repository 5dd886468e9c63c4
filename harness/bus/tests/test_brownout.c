/* SPDX-License-Identifier: BSD-3-Clause */
/* Issue 14, finding 1: a brown-out is no oracle. The chip commits the
 * password try before the comparison matters and advances the C-MAC
 * counter when it has verified a MAC; a power cut later in the command
 * loses the command's own write but never those (docs/faults.md,
 * "brownout"; docs/protocol.md, "Password", "Secure channel"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fault_fixture.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/status.h"

typedef struct {
    fault_rig rig;              /* the client on bus, not on the fault bus */
    stsafe_bus bus;             /* a recorder in front of the fault bus: what the client sees */
    uint8_t last_write[STSAFE_A110_MAX_FRAME_LEN];
    size_t last_write_len;
} fixture;

/* Keeps a copy of the last Decrement frame written, so that a test can replay it. */
static int record_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    fixture *f = ctx;
    for (size_t i = 0; i < n; i++) {
        if (!(msgs[i].flags & STSAFE_I2C_MSG_READ) && msgs[i].len <= sizeof f->last_write &&
            msgs[i].len > 0 && (msgs[i].buf[0] & STSAFE_HDR_CODE_MASK) == STSAFE_CMD_DECREMENT) {
            memcpy(f->last_write, msgs[i].buf, msgs[i].len);
            f->last_write_len = msgs[i].len;
        }
    }
    return f->rig.faulty.ops->transfer(f->rig.faulty.ctx, msgs, n);
}

static void record_delay(void *ctx, uint32_t ms)
{
    fixture *f = ctx;
    stsafe_bus_delay_ms(&f->rig.faulty, ms);
}

static const stsafe_bus_ops record_ops = {.transfer = record_transfer, .delay_ms = record_delay};

static const uint8_t password[16] = "right password!";
static const uint8_t mac_key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t cipher_key[16] = {16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof f);
    f.bus = (stsafe_bus){&record_ops, &f};
    fault_rig_open(&f.rig, "stsafe-emu brownout test", 9, NULL, NULL, &f.bus);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    fault_rig_close(&f->rig);
    return 0;
}

/* Verify Password under a brown-out: the answer (none) and the price (one
 * try, on the NVM) are the same for a right and a wrong guess, so a cut
 * tells nothing and gives no free try. Before the fix a right guess with
 * full tries wrote no different byte: the brown-out did not fire and the
 * guess was answered "verified"; a wrong one cost nothing. */
static void test_brownout_password_guess_costs_a_try(void **state)
{
    fixture *f = *state;
    static const uint8_t wrong[16] = "wrong password!";
    int verified = -1;
    uint8_t left = 0;
    assert_int_equal(stsafe_client_put_password(&f->rig.client, password, 5), 0);
    assert_int_equal(f->rig.dev.chip.nvm.password.tries_left, 5);

    fault_rig_arm(&f->rig, "brownout");
    assert_int_equal(stsafe_client_verify_password(&f->rig.client, password, &verified, &left),
                     STSAFE_ERR_BUS_TIMEOUT);
    assert_int_equal(f->rig.dev.chip.stats.faults, 1);
    assert_int_equal(f->rig.dev.chip.nvm.password.tries_left, 4); /* the right guess cost a try */
    assert_int_equal(f->rig.dev.chip.vol.password_verified, 0);
    assert_true(f->rig.dev.chip.nvm_dirty);                         /* and it is saved */

    fault_rig_arm(&f->rig, "brownout");
    assert_int_equal(stsafe_client_verify_password(&f->rig.client, wrong, &verified, &left),
                     STSAFE_ERR_BUS_TIMEOUT);
    assert_int_equal(f->rig.dev.chip.stats.faults, 2);
    assert_int_equal(f->rig.dev.chip.nvm.password.tries_left, 3); /* a wrong one too, alike */

    /* Without a cut a right guess gives the tries back, as always. */
    assert_int_equal(stsafe_client_verify_password(&f->rig.client, password, &verified, &left), 0);
    assert_int_equal(verified, 1);
    assert_int_equal(left, 5);
}

/* A protected Decrement cut by a brown-out: the counter zone keeps its
 * value, the C-MAC counter has moved on, and the same frame replayed later
 * is refused 0x16 (invalid C-MAC) and changes nothing. Before the fix the
 * cut restored the C-MAC counter and the replay executed. */
static void test_brownout_protected_frame_is_not_replayed(void **state)
{
    fixture *f = *state;
    stsafe_host_session session;
    uint32_t counter = 0;
    assert_int_equal(stsafe_client_put_host_keys(&f->rig.client, mac_key, cipher_key), 0);
    assert_int_equal(stsafe_client_open_host_session(&f->rig.client, &session, mac_key, cipher_key), 0);
    f->rig.client.mac_all = 1;
    uint32_t cmac = f->rig.dev.chip.nvm.host_keys.cmac_counter;
    uint32_t zone5 = f->rig.dev.chip.nvm.zones[5].counter;
    assert_int_equal(zone5, 500000);

    fault_rig_arm(&f->rig, "brownout");
    assert_int_equal(stsafe_client_decrement(&f->rig.client, 0, 5, 0, 1000, NULL, 0, &counter),
                     STSAFE_ERR_BUS_TIMEOUT);
    assert_int_equal(f->rig.dev.chip.stats.faults, 1);
    assert_int_equal(f->rig.dev.chip.nvm.zones[5].counter, 500000);     /* the write is lost */
    assert_int_equal(f->rig.dev.chip.nvm.host_keys.cmac_counter, cmac + 1); /* the MAC was spent */

    /* The attacker replays the captured frame byte for byte. */
    uint8_t frame[STSAFE_A110_MAX_FRAME_LEN];
    size_t len = f->last_write_len;
    memcpy(frame, f->last_write, len);
    assert_true(len > 4);
    assert_int_equal(stsafe_bus_write(&f->rig.faulty, STSAFE_I2C_ADDR_DEFAULT, frame, len), 0);
    uint8_t rsp[8];
    int err = STSAFE_ERR_BUS_NACK;
    for (int i = 0; i < 100 && err == STSAFE_ERR_BUS_NACK; i++) {
        stsafe_bus_delay_ms(&f->rig.faulty, 5);
        err = stsafe_bus_read(&f->rig.faulty, STSAFE_I2C_ADDR_DEFAULT, rsp, sizeof rsp);
    }
    assert_int_equal(err, 0);
    assert_int_equal(rsp[0], STSAFE_ST_INVALID_CMAC);
    assert_int_equal(f->rig.dev.chip.nvm.zones[5].counter, 500000);
    assert_int_equal(f->rig.dev.chip.nvm.host_keys.cmac_counter, cmac + 1);

    /* The host resynchronises (it cannot know whether the chip counted the
     * cut command) and goes on. */
    assert_int_equal(stsafe_client_open_host_session(&f->rig.client, &session, mac_key, cipher_key), 0);
    f->rig.client.mac_all = 1;
    assert_int_equal(stsafe_client_decrement(&f->rig.client, 0, 5, 0, 1000, NULL, 0, &counter), 0);
    assert_int_equal(counter, 499000);
    stsafe_client_close_host_session(&f->rig.client);
}

/* The brown-out fires on the write, not on a byte difference: an Update
 * with the bytes the zone already holds is cut too (before the fix it
 * passed and left the brown-out armed). */
static void test_brownout_fires_on_a_same_bytes_write(void **state)
{
    fixture *f = *state;
    static const uint8_t v[3] = {1, 2, 3};
    assert_int_equal(stsafe_client_update(&f->rig.client, 0, 2, 0, v, sizeof v), 0);
    fault_rig_arm(&f->rig, "brownout");
    assert_int_equal(stsafe_client_update(&f->rig.client, 0, 2, 0, v, sizeof v), STSAFE_ERR_BUS_TIMEOUT);
    assert_int_equal(f->rig.dev.chip.stats.faults, 1);
    assert_int_equal(f->rig.dev.chip.faults.brownout, 0);
}

/* brownout=N: the N-1 commands that write the NVM before the Nth run
 * whole (reads in between do not count); the Nth is cut. A host can thus
 * cut the second step of a flow (issue 14, finding 13: the Update after
 * Generate Key). */
static void test_brownout_counts_nvm_writes(void **state)
{
    fixture *f = *state;
    static const uint8_t v1[3] = {1, 2, 3}, v2[3] = {4, 5, 6}, v3[3] = {7, 8, 9};
    uint8_t back[3];
    fault_rig_arm(&f->rig, "brownout=3");
    assert_int_equal(f->rig.dev.chip.faults.brownout, 3);
    assert_int_equal(stsafe_client_update(&f->rig.client, 0, 2, 0, v1, sizeof v1), 0);
    assert_int_equal(stsafe_client_read(&f->rig.client, 0, 2, 0, sizeof back, back), 0);
    assert_int_equal(stsafe_client_update(&f->rig.client, 0, 2, 0, v2, sizeof v2), 0);
    assert_int_equal(f->rig.dev.chip.faults.brownout, 1);
    assert_int_equal(f->rig.dev.chip.stats.faults, 0);
    assert_int_equal(stsafe_client_update(&f->rig.client, 0, 2, 0, v3, sizeof v3), STSAFE_ERR_BUS_TIMEOUT);
    assert_int_equal(f->rig.dev.chip.stats.faults, 1);
    assert_int_equal(f->rig.dev.chip.faults.brownout, 0);
    assert_int_equal(stsafe_client_read(&f->rig.client, 0, 2, 0, sizeof back, back), 0);
    assert_memory_equal(back, v2, sizeof v2); /* the second write stands, the third is lost */
}

/* reset=N: the N-1 commands before the Nth run whole, read-only ones
 * included; the Nth is lost. */
static void test_reset_counts_commands(void **state)
{
    fixture *f = *state;
    static const uint8_t v1[3] = {1, 2, 3}, v2[3] = {4, 5, 6};
    uint8_t back[3];
    fault_rig_arm(&f->rig, "reset=3");
    assert_int_equal(stsafe_client_update(&f->rig.client, 0, 2, 0, v1, sizeof v1), 0);
    assert_int_equal(stsafe_client_read(&f->rig.client, 0, 2, 0, sizeof back, back), 0);
    assert_int_equal(f->rig.dev.chip.faults.reset, 1);
    assert_int_equal(stsafe_client_update(&f->rig.client, 0, 2, 0, v2, sizeof v2), STSAFE_ERR_BUS_TIMEOUT);
    assert_int_equal(f->rig.dev.chip.stats.faults, 1);
    assert_int_equal(f->rig.dev.chip.faults.reset, 0);
    assert_int_equal(stsafe_client_read(&f->rig.client, 0, 2, 0, sizeof back, back), 0);
    assert_memory_equal(back, v1, sizeof v1); /* the reset lost the second Update */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_brownout_password_guess_costs_a_try, setup, teardown),
        cmocka_unit_test_setup_teardown(test_brownout_protected_frame_is_not_replayed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_brownout_fires_on_a_same_bytes_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_brownout_counts_nvm_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_counts_commands, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
