/* SPDX-License-Identifier: BSD-3-Clause */
/* COMMAND (socket protocol version 3): one command frame in, the whole
 * response frame out, with the busy time waited out by the server. The
 * bytes of docs/socket-protocol.md through stsafe_server_handle() (no
 * socket, so the virtual clock can be read), faults through COMMAND, a
 * device that does not offer it, and the host client over a real socket:
 * one request per command, no NACK, the same answers as the I2C-level
 * client in process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <cmocka.h>

#include "stsafe/bus/sock_proto.h"
#include "stsafe/bus/socket.h"
#include "stsafe/client/client.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/emulator/image.h"
#include "stsafe/emulator/rng.h"
#include "stsafe/protocol/error.h"
#include "stsafe/server/chip_device.h"
#include "stsafe/server/server.h"
#include "server_fixture.h"
#include "sock_test.h"

typedef srv_fixture fixture;

static int setup(void **state)
{
    *state = srv_fixture_new_chip(&srv_chip_command);
    return 0;
}

/* A server on the image (or on \p devices), not running: requests go to
 * stsafe_server_handle() directly. */
static void init_server(fixture *f, stsafe_emu_timing timing, const stsafe_server_device *devices)
{
    stsafe_server_config cfg = {.timing = timing,
                                .timing_spread_pct = STSAFE_SERVER_SPREAD_OFF, /* the profile's times exactly */
                                .clock = STSAFE_SERVER_CLOCK_NACKS, /* NACK counts exact: they are compared */
                                .devices = devices, .device_count = devices ? 1 : 0};
    srv_fixture_init(f, cfg);
}

/* Sends body \p req (op · arguments) and checks the answer body is \p want. */
static void handle(fixture *f, const uint8_t *req, size_t req_len, const uint8_t *want,
                   size_t want_len)
{
    uint8_t ans[STSAFE_SOCK_MAX_BODY];
    size_t ans_len = 0;
    (void)stsafe_server_handle(&f->srv, &f->sess, req, req_len, ans, &ans_len);
    assert_int_equal(ans_len, want_len);
    assert_memory_equal(ans, want, want_len);
}

static void hello(fixture *f, uint8_t version, uint8_t timing)
{
    const uint8_t req[] = {0x01, 'S', 'T', 'S', 'E', version};
    const uint8_t want[] = {0x01, 0x00, version < 3 ? version : 3, 0x04, 0x00, 0x20, timing};
    handle(f, req, sizeof req, want, sizeof want);
}

/* Echo 01 02 03 04 to 0x20, and the chip's response frame. */
static const uint8_t cmd_echo[] = {0x04, 0x20, 0x00, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
static const uint8_t cmd_echo_ans[] = {0x04, 0x00, 0x00, 0x00, 0x06, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
static const uint8_t stats_req[] = {0x11};

static void expect_stats(fixture *f, uint8_t commands, uint8_t nacks)
{
    uint8_t want[26] = {0x11, 0x00};
    want[9] = commands;
    want[17] = nacks;
    handle(f, stats_req, sizeof stats_req, want, sizeof want);
}

/* The documented COMMAND bytes, under datasheet timing: the virtual clock
 * jumps over the busy time, no NACK is given. */
static void test_command_bytes(void **state)
{
    fixture *f = *state;
    init_server(f, STSAFE_EMU_TIMING_DATASHEET, NULL);
    hello(f, 3, 0x01);
    handle(f, cmd_echo, sizeof cmd_echo, cmd_echo_ans, sizeof cmd_echo_ans);
    assert_int_equal(f->srv.slots[0].virtual_us, stsafe_emu_exec_time_us(0x00)); /* 5 ms */
    expect_stats(f, 1, 0);
    /* Nobody at 0x21: NACK, stage 0 (not written), no time spent. */
    static const uint8_t to21[] = {0x04, 0x21, 0x00, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
    static const uint8_t nack0[] = {0x04, 0x01, 0x00};
    handle(f, to21, sizeof to21, nack0, sizeof nack0);
    assert_int_equal(f->srv.slots[0].virtual_us, stsafe_emu_exec_time_us(0x00));
    handle(f, cmd_echo, sizeof cmd_echo, cmd_echo_ans, sizeof cmd_echo_ans);
    assert_int_equal(f->srv.slots[0].virtual_us, 2 * stsafe_emu_exec_time_us(0x00));
    /* A chip left busy by an I2C-level write is waited for, not NACKed. */
    static const uint8_t wr[] = {0x02, 0x20, 0x00, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
    static const uint8_t ack[] = {0x02, 0x00};
    handle(f, wr, sizeof wr, ack, sizeof ack);
    handle(f, cmd_echo, sizeof cmd_echo, cmd_echo_ans, sizeof cmd_echo_ans);
    assert_int_equal(f->srv.slots[0].virtual_us, 4 * stsafe_emu_exec_time_us(0x00));
    expect_stats(f, 4, 0);
    /* Malformed: a 7-bit address is required. */
    static const uint8_t bad[] = {0x04, 0x80, 0x00};
    static const char why[] = "command takes a 7-bit address and a frame of 0 to 1024 bytes";
    uint8_t want[2 + sizeof why - 1] = {0x04, 0x82};
    memcpy(want + 2, why, sizeof why - 1);
    handle(f, bad, sizeof bad, want, sizeof want);
}

/* A connection that agreed on version 2 does not know COMMAND. */
static void test_command_needs_version_3(void **state)
{
    fixture *f = *state;
    init_server(f, STSAFE_EMU_TIMING_NONE, NULL);
    hello(f, 2, 0x00);
    static const char why[] = "unknown operation 0x04";
    uint8_t want[2 + sizeof why - 1] = {0x04, 0x81};
    memcpy(want + 2, why, sizeof why - 1);
    handle(f, cmd_echo, sizeof cmd_echo, want, sizeof want);
}

static void arm(fixture *f, const char *spec)
{
    uint8_t req[64] = {0x12};
    size_t n = strlen(spec);
    memcpy(req + 1, spec, n);
    static const uint8_t ok[] = {0x12, 0x00};
    handle(f, req, 1 + n, ok, sizeof ok);
}

/* The chip's faults act on COMMAND's reads as on a host's. */
static void test_command_faults(void **state)
{
    fixture *f = *state;
    init_server(f, STSAFE_EMU_TIMING_NONE, NULL);
    hello(f, 3, 0x00);
    /* nack=2: retried by the server, the answer comes through. */
    arm(f, "nack=2");
    handle(f, cmd_echo, sizeof cmd_echo, cmd_echo_ans, sizeof cmd_echo_ans);
    /* flip=3:0: the first data byte of the response, in both reads. */
    arm(f, "flip=3:0");
    uint8_t flipped[sizeof cmd_echo_ans];
    memcpy(flipped, cmd_echo_ans, sizeof flipped);
    flipped[2 + 3] ^= 0x01;
    handle(f, cmd_echo, sizeof cmd_echo, flipped, sizeof flipped);
    /* drop and reset: written, never answered: NACK, stage 1. */
    static const uint8_t nack1[] = {0x04, 0x01, 0x01};
    arm(f, "drop");
    handle(f, cmd_echo, sizeof cmd_echo, nack1, sizeof nack1);
    arm(f, "reset");
    handle(f, cmd_echo, sizeof cmd_echo, nack1, sizeof nack1);
    handle(f, cmd_echo, sizeof cmd_echo, cmd_echo_ans, sizeof cmd_echo_ans);
    /* 4 commands executed (the reset lost one). The NACKs of the fault bus
     * (nack=2, drop) never reach the chip; the restarted chip NACKed the
     * server's first try and its 100 retries. */
    expect_stats(f, 4, STSAFE_SERVER_COMMAND_RETRIES + 1);
}

/* A device without busy_until_us: UNSUPPORTED, and the client falls back. */
static stsafe_chip_device plain_chip;
static stsafe_server_device_ops plain_ops;

static void test_command_unsupported(void **state)
{
    fixture *f = *state;
    stsafe_rng rng;
    assert_int_equal(stsafe_rng_init_deterministic(&rng, f->chip->seed, f->chip->seed_len), 0);
    assert_int_equal(stsafe_chip_device_load(&plain_chip, f->image, STSAFE_EMU_TIMING_NONE,
                                             stsafe_rng_fn, &rng), 0);
    stsafe_server_device dev = stsafe_chip_device_handle(&plain_chip);
    plain_ops = *dev.ops;
    plain_ops.busy_until_us = NULL;
    dev.ops = &plain_ops;
    init_server(f, STSAFE_EMU_TIMING_NONE, &dev);
    hello(f, 3, 0x00);
    static const char why[] = "the device does not offer command";
    uint8_t want[2 + sizeof why - 1] = {0x04, 0x02};
    memcpy(want + 2, why, sizeof why - 1);
    handle(f, cmd_echo, sizeof cmd_echo, want, sizeof want);

    srv_fixture_run(f);
    sock_test_remote r;
    uint8_t out[2];
    sock_test_remote_open(&r, f->listen);
    assert_int_equal(stsafe_client_echo(&r.client, (const uint8_t *)"hi", 2, out), 0);
    assert_memory_equal(out, "hi", 2);
    assert_int_equal(r.sock.no_command, 1);
    uint64_t before = r.sock.requests; /* HELLO, COMMAND, write, 5-byte read, whole read */
    assert_int_equal(before, 5);
    assert_int_equal(stsafe_client_echo(&r.client, (const uint8_t *)"hi", 2, out), 0);
    assert_int_equal(r.sock.requests, before + 3); /* COMMAND is not asked again */
    sock_test_remote_close(&r);
    atomic_store(&f->stop, 1);
    assert_int_equal(srv_fixture_join(f), 0);
    stsafe_chip_device_free(&plain_chip);
    stsafe_rng_free(&rng);
}

/* The host client over the socket, datasheet timing: one request per
 * command and no NACK, the same answers as the I2C-level client in process
 * (which polls through every NACK of the busy chip). */
static void test_client_one_round_trip(void **state)
{
    fixture *f = *state;
    stsafe_inproc_device dev;
    uint8_t a[3][96], b[3][96];
    assert_int_equal(stsafe_inproc_device_init(&dev, f->chip->seed, f->chip->seed_len), 0);
    assert_int_equal(stsafe_emu_image_load(f->image, &dev.chip.nvm), 0);
    dev.chip.timing = STSAFE_EMU_TIMING_DATASHEET;
    dev.chip.timing_spread_pct = 0; /* the profile's time exactly */
    stsafe_inproc_device_connect(&dev);
    static const uint8_t msg[64] = {1, 2, 3};
    assert_int_equal(stsafe_client_echo(&dev.client, msg, sizeof msg, a[0]), 0);
    assert_int_equal(stsafe_client_read(&dev.client, 0, 1, 0, 64, a[1]), 0);
    assert_int_equal(stsafe_client_read(&dev.client, 0, 1, 600, 96, a[2]), 0);
    assert_true(dev.client.nacks > 0);

    init_server(f, STSAFE_EMU_TIMING_DATASHEET, NULL);
    srv_fixture_run(f);
    sock_test_remote r;
    sock_test_remote_open(&r, f->listen);
    assert_int_equal(r.sock.version, 3);
    assert_int_equal(stsafe_client_echo(&r.client, msg, sizeof msg, b[0]), 0);
    assert_int_equal(stsafe_client_read(&r.client, 0, 1, 0, 64, b[1]), 0);
    assert_int_equal(stsafe_client_read(&r.client, 0, 1, 600, 96, b[2]), 0);
    assert_memory_equal(a[0], b[0], sizeof msg);
    assert_memory_equal(a[1], b[1], 64);
    assert_memory_equal(a[2], b[2], 96);
    assert_int_equal(r.sock.requests, 1 + 3); /* HELLO, then one COMMAND each */
    assert_int_equal(r.client.nacks, 0);
    stsafe_sock_stats st;
    assert_int_equal(stsafe_bus_socket_stats(&r.sock, &st), 0);
    assert_int_equal(st.commands, 3);
    assert_int_equal(st.nacks, 0);
    /* Asked for I2C level: the NACKs of the in-process bus, exactly. */
    r.client.i2c_level = 1;
    uint64_t nacks_before = dev.client.nacks;
    assert_int_equal(stsafe_client_echo(&dev.client, msg, sizeof msg, a[0]), 0);
    assert_int_equal(stsafe_client_echo(&r.client, msg, sizeof msg, b[0]), 0);
    assert_int_equal(r.client.nacks, dev.client.nacks - nacks_before);
    assert_true(r.client.nacks > 0);
    sock_test_remote_close(&r);
    stsafe_inproc_device_free(&dev);
}

/* Real timing: a COMMAND does not hold the server for the busy time. The
 * frame is written and the answer left pending; another connection is
 * served meanwhile; the answer comes from stsafe_server_command_finish(). */
static void test_command_real_timing_pending(void **state)
{
    fixture *f = *state;
    init_server(f, STSAFE_EMU_TIMING_REAL, NULL);
    hello(f, 3, 0x02);
    uint8_t ans[STSAFE_SOCK_MAX_BODY];
    size_t ans_len = 99;
    assert_int_equal(stsafe_server_handle(&f->srv, &f->sess, cmd_echo, sizeof cmd_echo, ans, &ans_len),
                     STSAFE_SERVER_ST_PENDING);
    assert_int_equal(ans_len, 0);
    assert_true(f->sess.command_ready_us > 0);
    assert_int_equal(f->sess.command_addr, 0x20);
    /* Another connection meanwhile: answered at once (1 command run, the Echo). */
    stsafe_server_session other = f->sess;
    memset(&f->sess, 0, sizeof f->sess);
    hello(f, 3, 0x02);
    expect_stats(f, 1, 0);
    f->sess = other;
    assert_int_equal(stsafe_server_command_finish(&f->srv, &f->sess, ans, &ans_len), STSAFE_SOCK_ST_OK);
    assert_int_equal(f->sess.command_ready_us, 0);
    assert_int_equal(ans_len, sizeof cmd_echo_ans);
    assert_memory_equal(ans, cmd_echo_ans, sizeof cmd_echo_ans);
    expect_stats(f, 1, 0); /* no NACK: the reads came after the busy time */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_command_bytes, setup, srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_command_needs_version_3, setup, srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_command_faults, setup, srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_command_real_timing_pending, setup, srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_command_unsupported, setup, srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_client_one_round_trip, setup, srv_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
