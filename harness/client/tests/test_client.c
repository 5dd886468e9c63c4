/* SPDX-License-Identifier: BSD-3-Clause */
/* The host client over the in-process bus: every command function against a
 * real emulated chip, chip statuses mapped to errors, NACK polling with the
 * datasheet timing, and a corrupted response reported as an error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "stsafe/client/client.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/emulator/rng.h"
#include "stsafe/protocol/status.h"

typedef stsafe_inproc_device host_fixture;

static int setup(void **state)
{
    static host_fixture f;
    static const uint8_t seed[] = "stsafe-emu client test";
    static const uint8_t serial[9] = {9, 8, 7, 6, 5, 4, 3, 2, 1};
    assert_int_equal(stsafe_inproc_device_default(&f, seed, sizeof seed, serial), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    stsafe_inproc_device_free(*state);
    return 0;
}

static void test_echo_and_random(void **state)
{
    host_fixture *f = *state;
    uint8_t msg[400], out[400];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 73);
    assert_int_equal(stsafe_client_echo(&f->client, msg, sizeof msg, out), 0);
    assert_memory_equal(msg, out, sizeof msg);
    assert_int_equal(stsafe_client_echo(&f->client, NULL, 0, NULL), 0);
    uint8_t r1[32], r2[32];
    assert_int_equal(stsafe_client_random(&f->client, 32, r1), 0);
    assert_int_equal(stsafe_client_random(&f->client, 32, r2), 0);
    assert_memory_not_equal(r1, r2, 32);
    assert_int_equal(stsafe_client_random(&f->client, 0, r1), STSAFE_ERR_STATUS(0x03));
    assert_int_equal(f->client.last_status, 0x03);
    assert_int_equal(stsafe_client_reset(&f->client), 0);
}

static void test_typed_queries(void **state)
{
    host_fixture *f = *state;
    stsafe_product_data pd;
    stsafe_partition_info part;
    stsafe_key_table keys;
    stsafe_host_key_info host;
    stsafe_cmd_auth_info auth;
    stsafe_i2c_info i2c;
    stsafe_password_info pwd;
    stsafe_envelope_key_table env;
    uint8_t lc = 0;
    static const uint8_t serial[9] = {9, 8, 7, 6, 5, 4, 3, 2, 1};

    assert_int_equal(stsafe_client_query_product_data(&f->client, &pd), 0);
    assert_memory_equal(pd.st_number, serial, 9);
    assert_int_equal(stsafe_client_query_partition(&f->client, &part), 0);
    assert_int_equal(part.count, 8);
    assert_int_equal(part.zone[1].length, 700);
    assert_int_equal(part.zone[6].type, 1);
    assert_int_equal(part.zone[6].counter, 500000);
    assert_int_equal(stsafe_client_query_life_cycle(&f->client, &lc), 0);
    assert_int_equal(lc, 0x03);
    assert_int_equal(stsafe_client_query_key_table(&f->client, &keys), 0);
    assert_int_equal(keys.count, 2);
    assert_int_equal(keys.slot[0].curve, STSAFE_CURVE_P256);
    assert_int_equal(keys.slot[1].present, 0);
    assert_int_equal(stsafe_client_query_host_key_slot(&f->client, &host), 0);
    assert_int_equal(host.present, 0);
    assert_int_equal(stsafe_client_query_cmd_auth(&f->client, &auth), 0);
    assert_int_equal(auth.count, 17);
    assert_int_equal(stsafe_client_query_i2c_params(&f->client, &i2c), 0);
    assert_int_equal(i2c.address, 0x20);
    assert_int_equal(stsafe_client_query_password(&f->client, &pwd), 0);
    assert_int_equal(pwd.present, 0);
    assert_int_equal(stsafe_client_query_envelope_keys(&f->client, &env), 0);
    assert_int_equal(env.count, 2);
}

static void test_zone_commands(void **state)
{
    host_fixture *f = *state;
    static const uint8_t data[] = {0xDE, 0xAD, 0xBE, 0xEF};
    uint8_t out[8];
    uint32_t counter = 0;
    assert_int_equal(stsafe_client_update(&f->client, 0, 1, 696, data, sizeof data), 0);
    assert_int_equal(stsafe_client_read(&f->client, 0, 1, 696, 4, out), 0);
    assert_memory_equal(out, data, 4);
    assert_int_equal(stsafe_client_read(&f->client, 0, 1, 697, 4, out), STSAFE_ERR_STATUS(0x14));
    assert_int_equal(stsafe_client_update(&f->client, 0, 0, 0, data, 1), STSAFE_ERR_STATUS(0x11));
    assert_int_equal(stsafe_client_decrement(&f->client, 0, 6, 0, 10, data, 2, &counter), 0);
    assert_int_equal(counter, 499990);
    assert_int_equal(stsafe_client_decrement(&f->client, 0, 6, 0, 499991, NULL, 0, &counter),
                     STSAFE_ERR_STATUS(0x13));
    assert_int_equal(counter, 499990);
    assert_true(f->chip.nvm_dirty);
    /* a counter zone reads as counter + data; the plain read refuses it */
    uint8_t back[2] = {0};
    assert_int_equal(stsafe_client_read_counter(&f->client, 0, 6, 0, 2, &counter, back), 0);
    assert_int_equal(counter, 499990);
    assert_memory_equal(back, data, 2);
    assert_int_equal(stsafe_client_read(&f->client, 0, 6, 0, 2, back), STSAFE_ERR_BUFFER_TOO_SMALL);
}

/* With the datasheet timing the chip NACKs until the command is done; the
 * client polls through the bus delay (the virtual clock) and gets the
 * answer: Generate Signature takes 80 ms, so 80 NACKs at 1 ms. */
static void test_polls_through_nacks(void **state)
{
    host_fixture *f = *state;
    static const uint8_t digest[32] = {1};
    stsafe_ecc_signature sig;
    f->chip.timing = STSAFE_EMU_TIMING_DATASHEET;
    f->client.nacks = 0;
    f->chip.timing_spread_pct = 0; /* the profile's time exactly */
    uint64_t t0 = f->inproc.now_us;
    assert_int_equal(stsafe_client_sign(&f->client, 0, digest, sizeof digest, &sig), 0);
    assert_int_equal(f->client.nacks, 80);
    assert_int_equal(f->inproc.now_us - t0, 80000);
    /* a budget too small to wait the command out is a timeout, not data */
    f->client.max_polls = 5;
    assert_int_equal(stsafe_client_sign(&f->client, 0, digest, sizeof digest, &sig), STSAFE_ERR_BUS_TIMEOUT);
    assert_int_equal(f->client.last_status, STSAFE_CLIENT_NO_STATUS);
    f->client.max_polls = STSAFE_CLIENT_MAX_POLLS;
    f->chip.timing = STSAFE_EMU_TIMING_NONE;
}

/* A wall clock the test drives: each reading moves it on by step_us (the
 * time the machine takes between two bus operations), each sleep by the
 * time slept. */
typedef struct {
    uint64_t now_us;
    uint64_t step_us;
    uint64_t slept_ms;
    unsigned sleeps;
} test_wall;

static uint64_t test_wall_now(void *ctx)
{
    test_wall *w = ctx;
    uint64_t t = w->now_us;
    w->now_us += w->step_us;
    return t;
}

static void test_wall_sleep(void *ctx, uint32_t ms)
{
    test_wall *w = ctx;
    w->now_us += (uint64_t)ms * 1000u;
    w->slept_ms += ms;
    w->sleeps++;
}

/* Signs in real timing on the wall clock \p w; returns the NACKs seen. */
static uint32_t sign_on_wall(host_fixture *f, test_wall *w)
{
    static const uint8_t digest[32] = {2};
    stsafe_ecc_signature sig;
    f->chip.timing = STSAFE_EMU_TIMING_REAL;
    f->chip.timing_spread_pct = 0; /* the profile's time exactly */
    f->inproc.wall = (stsafe_bus_wall_clock){test_wall_now, test_wall_sleep, w};
    f->client.nacks = 0;
    assert_int_equal(stsafe_client_sign(&f->client, 0, digest, sizeof digest, &sig), 0);
    f->chip.timing = STSAFE_EMU_TIMING_NONE;
    f->inproc.wall = (stsafe_bus_wall_clock){NULL, NULL, NULL};
    return (uint32_t)f->client.nacks;
}

/* Real timing: the chip reads the wall clock and is busy for Generate
 * Signature's 80 ms of it; the client's delays are wall-clock sleeps. The
 * clock is injected, so the test asserts the behaviour whatever the speed
 * of the machine (it failed under valgrind on a loaded machine when it
 * measured the real clock: issue 14, finding 12). */
static void test_real_timing_uses_the_wall_clock(void **state)
{
    host_fixture *f = *state;
    /* A fast machine: every poll inside the 80 ms is NACKed, 1 ms apart. */
    test_wall fast = {1000000, 0, 0, 0};
    uint64_t virtual0 = f->inproc.now_us;
    assert_int_equal(sign_on_wall(f, &fast), 80);
    assert_int_equal(fast.sleeps, 80);
    assert_int_equal(fast.slept_ms, 80);
    assert_int_equal(f->inproc.now_us - virtual0, 80 * 1000);
    /* A machine so slow that 100 ms pass between two bus operations: the
     * busy window is over before the first poll, the answer comes at once. */
    test_wall slow = {1000000, 100000, 0, 0};
    assert_int_equal(sign_on_wall(f, &slow), 0);
    assert_int_equal(slow.sleeps, 0);
    /* A machine in between: 30 ms per operation, the 80 ms end during the third poll. */
    test_wall mid = {1000000, 30000, 0, 0};
    assert_int_equal(sign_on_wall(f, &mid), 2);
    assert_int_equal(mid.sleeps, 2);
}

/* A bus that flips one bit of every read, to play a noisy line. */
typedef struct {
    stsafe_bus *inner;
    size_t flip_byte;
} noisy_bus;

static int noisy_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    noisy_bus *nb = ctx;
    int err = nb->inner->ops->transfer(nb->inner->ctx, msgs, n);
    for (size_t i = 0; !err && i < n; i++)
        if ((msgs[i].flags & STSAFE_I2C_MSG_READ) && msgs[i].len > nb->flip_byte)
            msgs[i].buf[nb->flip_byte] ^= 0x04;
    return err;
}

static const stsafe_bus_ops noisy_ops = {.transfer = noisy_transfer};

static void test_corrupted_response_is_an_error(void **state)
{
    host_fixture *f = *state;
    noisy_bus nb = {&f->bus, 6};
    stsafe_bus bus = {&noisy_ops, &nb};
    stsafe_client c;
    stsafe_client_init(&c, &bus, STSAFE_I2C_ADDR_DEFAULT);
    uint8_t msg[4] = {1, 2, 3, 4}, out[4] = {0};
    assert_int_equal(stsafe_client_echo(&c, msg, 4, out), STSAFE_ERR_FRAME_CRC);
    static const uint8_t untouched[4] = {0};
    assert_memory_equal(out, untouched, 4); /* nothing handed out as data */
    /* corrupting the length field is caught as well */
    nb.flip_byte = 2;
    assert_int_equal(stsafe_client_echo(&c, msg, 4, out), STSAFE_ERR_FRAME_CRC);
    stsafe_client_free(&c);
}

static void test_wrong_address_nacks(void **state)
{
    host_fixture *f = *state;
    stsafe_client c;
    stsafe_client_init(&c, &f->bus, 0x21);
    c.max_polls = 3;
    uint8_t out[1];
    assert_int_equal(stsafe_client_echo(&c, (const uint8_t *)"a", 1, out), STSAFE_ERR_BUS_TIMEOUT);
    assert_int_equal(c.nacks, 4);
}

/* Password, life cycle and Hibernate through the client: the chip's answers
 * decoded, and a hibernating chip woken by the client's NACK polling. */
static void test_admin_commands(void **state)
{
    host_fixture *f = *state;
    static const uint8_t pwd[16] = "0123456789abcdef", wrong[16] = "0123456789abcdeF";
    int ok = -1;
    uint8_t left = 0xEE, lc = 0;
    assert_int_equal(stsafe_client_verify_password(&f->client, pwd, &ok, &left),
                     STSAFE_ERR_STATUS(STSAFE_ST_ENTRY_NOT_FOUND));
    assert_int_equal(stsafe_client_put_password(&f->client, pwd, 2), 0);
    assert_int_equal(stsafe_client_verify_password(&f->client, wrong, &ok, &left), 0);
    assert_int_equal(ok, 0);
    assert_int_equal(left, 1);
    assert_int_equal(stsafe_client_put_life_cycle(&f->client, STSAFE_EMU_LC_OPERATIONAL_AND_LOCKED),
                     STSAFE_ERR_STATUS(STSAFE_ST_ACCESS_CONDITION));
    assert_int_equal(stsafe_client_verify_password(&f->client, pwd, &ok, &left), 0);
    assert_int_equal(ok, 1);
    assert_int_equal(left, 2);
    assert_int_equal(stsafe_client_put_life_cycle(&f->client, STSAFE_EMU_LC_OPERATIONAL_AND_LOCKED), 0);
    assert_int_equal(stsafe_client_query_life_cycle(&f->client, &lc), 0);
    assert_int_equal(lc, STSAFE_EMU_LC_OPERATIONAL_AND_LOCKED);
    assert_int_equal(stsafe_client_put_life_cycle(&f->client, STSAFE_EMU_LC_OPERATIONAL), 0);

    /* Hibernate: the next command's first write is NACKed and wakes the chip
     * (volatile state lost, so the password must be verified again). */
    f->client.nacks = 0;
    assert_int_equal(stsafe_client_hibernate(&f->client, STSAFE_WAKE_ON_I2C_OR_RESET), 0);
    assert_int_equal(stsafe_client_delete_password(&f->client), STSAFE_ERR_STATUS(STSAFE_ST_ACCESS_CONDITION));
    assert_int_equal(f->client.nacks, 1);
    assert_int_equal(stsafe_client_verify_password(&f->client, pwd, &ok, &left), 0);
    assert_int_equal(stsafe_client_delete_password(&f->client), 0);
}

static void test_put_host_keys_and_i2c(void **state)
{
    host_fixture *f = *state;
    static const uint8_t mac[16] = {1}, cipher[16] = {2};
    stsafe_host_key_info hk;
    stsafe_i2c_info i2c = {0x22, 0, 0, 0}, got;
    assert_int_equal(stsafe_client_put_host_keys(&f->client, mac, cipher), 0);
    assert_int_equal(stsafe_client_query_host_key_slot(&f->client, &hk), 0);
    assert_int_equal(hk.present, 1);
    assert_int_equal(hk.cmac_counter, 0);
    assert_int_equal(stsafe_client_put_host_keys(&f->client, mac, cipher),
                     STSAFE_ERR_STATUS(STSAFE_ST_ACCESS_CONDITION));
    assert_int_equal(stsafe_client_put_i2c_params(&f->client, &i2c), 0);
    assert_int_equal(stsafe_client_query_i2c_params(&f->client, &got), 0); /* still at 0x20 */
    assert_int_equal(got.address, 0x22);
}

/* NACKs a host polling every \p ms ms gets from a chip busy \p code's time
 * on \p curve: it reads at 0, ms, 2 ms... and is NACKed while short of it. */
static uint64_t nacks_for(const stsafe_emu_chip *chip, uint8_t code, uint8_t curve, uint32_t ms)
{
    uint64_t t = stsafe_emu_busy_time_us(chip, code, curve), step = (uint64_t)ms * 1000u;
    return (t + step - 1) / step;
}

/* Issue 15 item 1, in process: a host that polls like STSELib's template
 * (10 ms, up to 100 polls) gets Generate Key P-384, Verify Signature and
 * Establish Key under datasheet timing with this chip's spread: the bus
 * delay advances the virtual clock, so the NACK counts are exact. */
static void test_stselib_polling(void **state)
{
    host_fixture *f = *state;
    static const uint8_t digest[48] = {7};
    stsafe_ecc_point pub;
    stsafe_ecc_signature sig;
    uint8_t secret[48];
    size_t secret_len = 0;
    int valid = 0;
    f->chip.timing = STSAFE_EMU_TIMING_DATASHEET;
    f->client.poll_interval_ms = 10;
    f->client.max_polls = 100;
    f->client.nacks = 0;
    assert_int_equal(stsafe_client_generate_key(&f->client, 1, STSAFE_CURVE_P384, 0xFFFF, &pub), 0);
    uint64_t want = nacks_for(&f->chip, STSAFE_CMD_GENERATE_KEY, STSAFE_CURVE_P384, 10);
    assert_int_equal(f->client.nacks, want);
    assert_true(want >= 10 && want <= 13); /* 110 ms +- 10 % */
    assert_int_equal(stsafe_client_sign(&f->client, 1, digest, sizeof digest, &sig), 0);
    want += nacks_for(&f->chip, STSAFE_CMD_GENERATE_SIGNATURE, STSAFE_CURVE_P384, 10);
    assert_int_equal(stsafe_client_verify(&f->client, STSAFE_CURVE_P384, &pub, &sig, digest, sizeof digest,
                                          &valid), 0);
    assert_int_equal(valid, 1);
    want += nacks_for(&f->chip, STSAFE_CMD_VERIFY_SIGNATURE, STSAFE_CURVE_P384, 10);
    assert_int_equal(stsafe_client_establish_key(&f->client, 1, &pub, secret, &secret_len), 0);
    assert_int_equal(secret_len, 48);
    want += nacks_for(&f->chip, STSAFE_CMD_ESTABLISH_KEY, STSAFE_CURVE_P384, 10);
    assert_int_equal(f->client.nacks, want);
    f->client.poll_interval_ms = STSAFE_CLIENT_POLL_INTERVAL_MS;
    f->client.max_polls = STSAFE_CLIENT_MAX_POLLS;
    f->chip.timing = STSAFE_EMU_TIMING_NONE;
}

/* A host that gives up in the middle of a command meets what silicon does:
 * the command completes (the key is there), and the next command's write is
 * NACKed until the first one's time has passed. */
static void test_host_gives_up(void **state)
{
    host_fixture *f = *state;
    stsafe_ecc_point pub;
    stsafe_key_table keys;
    uint8_t out[2];
    f->chip.timing = STSAFE_EMU_TIMING_DATASHEET;
    f->client.poll_interval_ms = 10;
    f->client.max_polls = 5; /* 50 ms of a 110 ms command */
    assert_int_equal(stsafe_client_generate_key(&f->client, 1, STSAFE_CURVE_P384, 0xFFFF, &pub),
                     STSAFE_ERR_BUS_TIMEOUT);
    uint64_t busy = stsafe_emu_busy_time_us(&f->chip, STSAFE_CMD_GENERATE_KEY, STSAFE_CURVE_P384);
    f->client.poll_interval_ms = 1;
    f->client.max_polls = STSAFE_CLIENT_MAX_POLLS;
    f->client.nacks = 0;
    assert_int_equal(stsafe_client_echo(&f->client, (const uint8_t *)"hi", 2, out), 0);
    uint64_t write_nacks = (busy - 50000 + 999) / 1000;
    assert_int_equal(f->client.nacks, write_nacks + nacks_for(&f->chip, STSAFE_CMD_ECHO, 0, 1));
    f->chip.timing = STSAFE_EMU_TIMING_NONE;
    assert_int_equal(stsafe_client_query_key_table(&f->client, &keys), 0);
    assert_int_equal(f->chip.nvm.key_slots[1].curve, STSAFE_CURVE_P384);
    assert_int_equal(f->chip.nvm.key_slots[1].present, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_echo_and_random, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stselib_polling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_gives_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typed_queries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zone_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_polls_through_nacks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_timing_uses_the_wall_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupted_response_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_address_nacks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_host_keys_and_i2c, setup, teardown),
    };
    return cmocka_run_group_tests_name("host client", tests, NULL, NULL);
}
