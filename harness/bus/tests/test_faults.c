/* SPDX-License-Identifier: BSD-3-Clause */
/* Fault injection: the spec parser, each bus fault as the host client sees
 * it, and the chip faults (brown-out, reset) as the NVM sees them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fault_fixture.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/status.h"

typedef struct {
    fault_rig rig;              /* the client talks through the fault bus */
    char log[16][128];
    int nlog;
} fixture;

static void capture(void *ctx, const char *line)
{
    fixture *f = ctx;
    if (f->nlog < 16)
        snprintf(f->log[f->nlog++], sizeof f->log[0], "%s", line);
}

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof f);
    fault_rig_open(&f.rig, "stsafe-emu fault test", 7, capture, &f, NULL);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    fault_rig_close(&f->rig);
    return 0;
}

static void test_parse(void **state)
{
    (void)state;
    stsafe_fault fl[STSAFE_FAULT_MAX];
    size_t n = 0;
    char text[32];
    const char *bad = NULL;
    assert_int_equal(stsafe_fault_parse("nack=3,flip=5:7,drop,truncate=4,latency=0x10,brownout,reset",
                                        fl, STSAFE_FAULT_MAX, &n, &bad), 0);
    assert_int_equal(n, 7);
    assert_int_equal(fl[0].kind, STSAFE_FAULT_NACK);
    assert_int_equal(fl[0].a, 3);
    assert_int_equal(fl[1].kind, STSAFE_FAULT_FLIP);
    assert_int_equal(fl[1].a, 5);
    assert_int_equal(fl[1].b, 7);
    assert_int_equal(fl[4].a, 16);
    assert_int_equal(fl[6].kind, STSAFE_FAULT_RESET);
    stsafe_fault_describe(&fl[1], text, sizeof text);
    assert_string_equal(text, "flip=5:7");
    stsafe_fault_describe(&fl[5], text, sizeof text);
    assert_string_equal(text, "brownout");
    static const char *const wrong[] = {"nack", "nack=", "nack=x", "nack=-1", "flip=5", "flip=5:8",
                                        "drop=0", "bogus", "nack=1,,drop", "latency=99999999999"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
        assert_int_equal(stsafe_fault_parse(wrong[i], fl, STSAFE_FAULT_MAX, &n, &bad), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_fault_parse("nack=1,bogus", fl, STSAFE_FAULT_MAX, &n, &bad), STSAFE_ERR_BAD_INPUT);
    assert_string_equal(bad, "bogus");
}

static void test_nack_reads(void **state)
{
    fixture *f = *state;
    fault_rig_arm(&f->rig, "nack=3");
    assert_int_equal(fault_rig_echo(&f->rig), 0);
    assert_int_equal(f->rig.client.nacks, 3);
    assert_int_equal(f->nlog, 2); /* the first and the last of the run */
    assert_string_equal(f->log[0], "fault: NACK read 1 of 3");
    assert_string_equal(f->log[1], "fault: NACK read 3 of 3: the run is over");
    /* more NACKs than the client's budget: a timeout, never data */
    fault_rig_arm(&f->rig, "nack=25");
    assert_int_equal(fault_rig_echo(&f->rig), STSAFE_ERR_BUS_TIMEOUT);
}

static void test_flip_is_a_crc_error(void **state)
{
    fixture *f = *state;
    fault_rig_arm(&f->rig, "flip=6:0");
    assert_int_equal(fault_rig_echo(&f->rig), STSAFE_ERR_FRAME_CRC);
    assert_string_equal(f->log[0], "fault: flipped bit 0 of response byte 6");
    assert_int_equal(fault_rig_echo(&f->rig), 0); /* one response only */
}

static void test_truncate_and_drop(void **state)
{
    fixture *f = *state;
    fault_rig_arm(&f->rig, "truncate=4");
    assert_int_equal(fault_rig_echo(&f->rig), STSAFE_ERR_FRAME_CRC);
    assert_string_equal(f->log[0], "fault: response truncated after 4 bytes");
    /* A dropped response loses the answer, not the command: the update lands. */
    static const uint8_t v[2] = {0x12, 0x34};
    uint8_t back[2];
    fault_rig_arm(&f->rig, "drop");
    assert_int_equal(stsafe_client_update(&f->rig.client, 0, 1, 0, v, sizeof v), STSAFE_ERR_BUS_TIMEOUT);
    assert_int_equal(f->nlog, 3);
    assert_string_equal(f->log[2], "fault: response dropped: reads NACKed until the next command");
    assert_int_equal(stsafe_client_read(&f->rig.client, 0, 1, 0, sizeof back, back), 0);
    assert_memory_equal(back, v, sizeof v);
}

/* drop=N: the answers of the N-1 commands before the Nth arrive; the
 * Nth command runs and its answer is lost (a Generate Key whose answer
 * never came: the key is there). */
static void test_drop_counts_commands(void **state)
{
    fixture *f = *state;
    static const uint8_t v[2] = {0x56, 0x78};
    uint8_t back[2];
    fault_rig_arm(&f->rig, "drop=3");
    assert_int_equal(fault_rig_echo(&f->rig), 0);
    assert_int_equal(fault_rig_echo(&f->rig), 0);
    assert_int_equal(f->nlog, 0);
    assert_int_equal(stsafe_client_update(&f->rig.client, 0, 1, 0, v, sizeof v), STSAFE_ERR_BUS_TIMEOUT);
    assert_int_equal(f->nlog, 1);
    assert_string_equal(f->log[0], "fault: response dropped: reads NACKed until the next command");
    assert_int_equal(stsafe_client_read(&f->rig.client, 0, 1, 0, sizeof back, back), 0);
    assert_memory_equal(back, v, sizeof v);
    assert_int_equal(fault_rig_echo(&f->rig), 0);
}

/* A quick write (the address alone: i2cdetect's probe) between a command
 * and its read is no command: a dropped answer stays dropped, and a fault
 * armed for the next answer waits for the next real command. */
static void test_quick_write_is_no_command(void **state)
{
    fixture *f = *state;
    static const uint8_t cmd[] = {0x00, 0xF0, 0x78}; /* Echo, no payload */
    uint8_t rsp[5];
    stsafe_i2c_msg quick = {STSAFE_I2C_ADDR_DEFAULT, STSAFE_I2C_MSG_WRITE, 0, rsp};
    fault_rig_arm(&f->rig, "drop");
    assert_int_equal(stsafe_bus_write(&f->rig.faulty, STSAFE_I2C_ADDR_DEFAULT, cmd, sizeof cmd), 0);
    assert_int_equal(f->rig.faulty.ops->transfer(f->rig.faulty.ctx, &quick, 1), 0);
    assert_int_equal(stsafe_bus_read(&f->rig.faulty, STSAFE_I2C_ADDR_DEFAULT, rsp, sizeof rsp), STSAFE_ERR_BUS_NACK);
    fault_rig_arm(&f->rig, "flip=0:0");
    assert_int_equal(f->rig.faulty.ops->transfer(f->rig.faulty.ctx, &quick, 1), 0);
    assert_int_equal(stsafe_bus_write(&f->rig.faulty, STSAFE_I2C_ADDR_DEFAULT, cmd, sizeof cmd), 0);
    assert_int_equal(stsafe_bus_read(&f->rig.faulty, STSAFE_I2C_ADDR_DEFAULT, rsp, sizeof rsp), 0);
    assert_memory_equal(rsp, ((const uint8_t[]){0x01, 0x00, 0x02, 0xF0, 0x78}), sizeof rsp);
}

static void test_latency_on_the_virtual_clock(void **state)
{
    fixture *f = *state;
    fault_rig_arm(&f->rig, "latency=5");
    uint64_t t0 = f->rig.dev.inproc.now_us;
    assert_int_equal(fault_rig_echo(&f->rig), 0);
    /* one write and two reads (header, then the whole frame), 5 ms each */
    assert_int_equal(f->rig.dev.inproc.now_us - t0, 15000);
}

static void test_brownout_undoes_the_write(void **state)
{
    fixture *f = *state;
    static const uint8_t v[3] = {1, 2, 3};
    uint8_t back[3];
    static stsafe_emu_nvm before;
    fault_rig_arm(&f->rig, "brownout");
    assert_int_equal(fault_rig_echo(&f->rig), 0); /* no NVM write: the brown-out stays armed */
    before = f->rig.dev.chip.nvm;
    assert_int_equal(stsafe_client_update(&f->rig.client, 0, 2, 0, v, sizeof v), STSAFE_ERR_BUS_TIMEOUT);
    assert_memory_equal(&before, &f->rig.dev.chip.nvm, sizeof before);
    assert_int_equal(f->rig.dev.chip.stats.faults, 1);
    assert_int_equal(f->rig.dev.chip.faults.brownout, 0);
    assert_string_equal(f->log[0],
                        "fault: brown-out during the NVM write (write undone): the chip lost the command, "
                        "restarted and will not answer");
    assert_int_equal(stsafe_client_update(&f->rig.client, 0, 2, 0, v, sizeof v), 0);
    assert_int_equal(stsafe_client_read(&f->rig.client, 0, 2, 0, sizeof back, back), 0);
    assert_memory_equal(back, v, sizeof v);
}

/* A reset cuts a protected command before the chip counts it; the client
 * reads the counter again and stays in step. */
static void test_reset_mid_command_keeps_the_session(void **state)
{
    fixture *f = *state;
    static const uint8_t mac[16] = {1}, cipher[16] = {2};
    stsafe_host_session hs;
    uint8_t data[16] = {0}, env[24];
    size_t en = 0;
    assert_int_equal(stsafe_client_put_host_keys(&f->rig.client, mac, cipher), 0);
    assert_int_equal(stsafe_client_generate_envelope_key(&f->rig.client, 0, 0), 0);
    assert_int_equal(stsafe_client_open_host_session(&f->rig.client, &hs, mac, cipher), 0);
    assert_int_equal(stsafe_client_wrap(&f->rig.client, 0, data, sizeof data, env, &en), 0);
    assert_int_equal(hs.counter, 1);
    fault_rig_arm(&f->rig, "reset");
    assert_int_equal(stsafe_client_wrap(&f->rig.client, 0, data, sizeof data, env, &en), STSAFE_ERR_BUS_TIMEOUT);
    assert_string_equal(f->log[0], "fault: reset mid-command: the chip lost the command, restarted and will not answer");
    assert_int_equal(hs.counter, 1);
    assert_int_equal(f->rig.dev.chip.nvm.host_keys.cmac_counter, 1);
    assert_int_equal(stsafe_client_wrap(&f->rig.client, 0, data, sizeof data, env, &en), 0);
    assert_int_equal(hs.counter, 2);
    stsafe_client_close_host_session(&f->rig.client);
}

static void test_chip_fault_needs_the_chip(void **state)
{
    fixture *f = *state;
    stsafe_bus_fault remote;
    stsafe_bus bus;
    stsafe_bus_fault_init(&remote, &bus, &f->rig.dev.bus, NULL, NULL, NULL);
    assert_int_equal(stsafe_bus_fault_add_spec(&remote, "brownout", NULL), STSAFE_ERR_UNSUPPORTED);
    assert_int_equal(stsafe_bus_fault_add_spec(&remote, "nack=1", NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test_setup_teardown(test_nack_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flip_is_a_crc_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncate_and_drop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drop_counts_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quick_write_is_no_command, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latency_on_the_virtual_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_brownout_undoes_the_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_mid_command_keeps_the_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chip_fault_needs_the_chip, setup, teardown),
    };
    return cmocka_run_group_tests_name("fault injection", tests, NULL, NULL);
}
