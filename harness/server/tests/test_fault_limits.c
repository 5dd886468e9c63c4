/* SPDX-License-Identifier: BSD-3-Clause */
/* Issue 14, finding 8: FAULT cannot brick a chip and cannot flood the log.
 * Counts are bounded (nack=N up to STSAFE_FAULT_MAX_NACKS), POWER_CYCLE
 * clears whatever is pending, a NACK run is logged in two lines, and a
 * connect storm in a summary line (docs/faults.md, docs/socket-protocol.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include <cmocka.h>

#include "server_fixture.h"
#include "sock_test.h"
#include "stsafe/bus/fault.h"
#include "stsafe/protocol/error.h"

static int echo(sock_test_remote *r)
{
    static const uint8_t msg[3] = {1, 2, 3};
    uint8_t out[3] = {0};
    int err = stsafe_client_echo(&r->client, msg, sizeof msg, out);
    if (!err)
        assert_memory_equal(out, msg, sizeof msg);
    return err;
}

/* nack=4294967295 made the chip NACK every read until the server restarted.
 * The count has a documented maximum; above it FAULT refuses and says so. */
static void test_nack_count_has_a_maximum(void **state)
{
    srv_fixture *f = *state;
    stsafe_fault fl[STSAFE_FAULT_MAX];
    size_t n = 0;
    const char *bad = NULL;
    char why[160];
    assert_int_equal(stsafe_fault_parse("nack=1000", fl, STSAFE_FAULT_MAX, &n, &bad), 0);
    assert_int_equal(stsafe_fault_parse("nack=4294967295", fl, STSAFE_FAULT_MAX, &n, &bad),
                     STSAFE_ERR_BAD_INPUT);
    stsafe_fault_spec_error(STSAFE_ERR_BAD_INPUT, bad, why, sizeof why);
    assert_string_equal(why, "'nack=4294967295' is too large: nack takes at most 1000");
    assert_int_equal(stsafe_fault_parse("latency=10001", fl, STSAFE_FAULT_MAX, &n, &bad), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_fault_parse("truncate=1025", fl, STSAFE_FAULT_MAX, &n, &bad), STSAFE_ERR_BAD_INPUT);

    srv_fixture_start(f, (stsafe_server_config){0});
    sock_test_remote r;
    sock_test_remote_open(&r, f->listen);
    char reason[200];
    assert_int_equal(stsafe_bus_socket_fault(&r.sock, "nack=4294967295", reason, sizeof reason),
                     STSAFE_ERR_BAD_INPUT);
    assert_string_equal(reason, "'nack=4294967295' is too large: nack takes at most 1000");
    sock_test_remote_close(&r);
    sock_test_remote_open(&r, f->listen);
    assert_int_equal(echo(&r), 0); /* nothing was armed */
    sock_test_remote_close(&r);
}

/* POWER_CYCLE ends every pending fault: before, a NACK run and an armed
 * brown-out outlived it (and the client's disconnect). */
static void test_power_cycle_clears_pending_faults(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_start(f, (stsafe_server_config){0});
    sock_test_remote r;
    sock_test_remote_open(&r, f->listen);
    char reason[200];
    assert_int_equal(stsafe_bus_socket_fault(&r.sock, "nack=1000,brownout", reason, sizeof reason), 0);
    r.client.max_polls = 5;
    r.client.i2c_level = 1; /* the host polls: 5 reads NACKed, then it gives up */
    assert_int_equal(echo(&r), STSAFE_ERR_BUS_TIMEOUT);
    assert_int_equal(stsafe_bus_socket_power_cycle(&r.sock), 0);
    r.client.nacks = 0;
    assert_int_equal(echo(&r), 0);
    assert_int_equal(r.client.nacks, 0);
    static const uint8_t v[2] = {0x5A, 0xA5};
    uint8_t back[2] = {0};
    assert_int_equal(stsafe_client_update(&r.client, 0, 2, 0, v, sizeof v), 0); /* no brown-out */
    assert_int_equal(stsafe_client_read(&r.client, 0, 2, 0, sizeof back, back), 0);
    assert_memory_equal(back, v, sizeof v);
    sock_test_remote_close(&r);
    srv_fixture_stop(f);
    srv_fixture_assert_logged(f, "fault: NACK read 6 of 1000 so far (cleared by a power cycle)");
    srv_fixture_assert_logged(f, "fault: pending faults cleared by a power cycle");
}

/* A run of 1000 NACKs is two log lines, not a thousand. */
static void test_nack_run_is_logged_in_two_lines(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_start(f, (stsafe_server_config){0});
    sock_test_remote r;
    sock_test_remote_open(&r, f->listen);
    char reason[200];
    assert_int_equal(stsafe_bus_socket_fault(&r.sock, "nack=1000", reason, sizeof reason), 0);
    uint8_t b[4];
    for (int i = 0; i < 1000; i++)
        assert_int_equal(stsafe_bus_read(&r.bus, r.sock.i2c_address, b, sizeof b), STSAFE_ERR_BUS_NACK);
    sock_test_remote_close(&r);
    srv_fixture_stop(f);
    assert_int_equal(srv_fixture_count(f, "fault: NACK read"), 2);
    srv_fixture_assert_logged(f, "fault: NACK read 1 of 1000\n");
    srv_fixture_assert_logged(f, "fault: NACK read 1000 of 1000: the run is over\n");
}

/* 40 clients that connect and leave: 5 lines one by one (log_burst), the
 * rest in one summary line when the window ends (here: when the server
 * stops). Before, every connect and close was a line. */
static void test_connect_storm_is_summarised(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_start(f, (stsafe_server_config){.log_burst = 5, .log_window_ms = 3600000});
    for (int i = 0; i < 40; i++)
        close(sock_test_connect(f->listen));
    /* One client at a time: once this HELLO is answered the 40 are gone. */
    int fd = sock_test_connect(f->listen);
    sock_test_exchange(fd, sock_test_hello_req, sizeof sock_test_hello_req, sock_test_hello_ans,
                       sizeof sock_test_hello_ans);
    close(fd);
    srv_fixture_stop(f);
    assert_int_equal(srv_fixture_count(f, "serve: client "), 5);
    /* 41 connects and 41 ends (the last one's either way), 5 of them logged. */
    srv_fixture_assert_logged(f, "serve: 77 more client events in ");
    assert_int_equal(srv_fixture_count(f, "more client events"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nack_count_has_a_maximum, srv_fixture_setup,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_power_cycle_clears_pending_faults, srv_fixture_setup,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_nack_run_is_logged_in_two_lines, srv_fixture_setup,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_connect_storm_is_summarised, srv_fixture_setup,
                                        srv_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
