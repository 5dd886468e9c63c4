/* SPDX-License-Identifier: BSD-3-Clause */
/* Issue 14, finding 7: a silent client cannot hold a server for ever. A
 * connection that sends no HELLO within the hello timeout, or no request
 * within the idle timeout, is dropped with its reason logged, and the
 * client waiting behind it is then served. Timeouts are short (0.5 s, 1 s)
 * and nothing here measures time: the assertions are what happens in
 * which order; the ctest TIMEOUT is the only bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "server_fixture.h"
#include "sock_test.h"
#include "stsafe/protocol/error.h"

/* The second client waits for the server; before the fix it waited for
 * ever (here: it gave up after 60 s and the test failed). */
static void connect_behind(srv_fixture *f, sock_test_remote *r)
{
    stsafe_sock_wait w = {0, 60000, NULL, NULL};
    stsafe_bus_socket_init(&r->sock);
    assert_int_equal(stsafe_bus_socket_connect_wait(&r->sock, &r->bus, f->listen, &w), 0);
    stsafe_client_init(&r->client, &r->bus, r->sock.i2c_address);
    static const uint8_t msg[2] = {0xAB, 0xCD};
    uint8_t out[2] = {0};
    assert_int_equal(stsafe_client_echo(&r->client, msg, sizeof msg, out), 0);
    assert_memory_equal(out, msg, sizeof msg);
}

/* A client that connects and says nothing, not even HELLO. */
static void test_client_without_hello_is_dropped(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_start(f, (stsafe_server_config){.idle_timeout_ms = 1000, .hello_timeout_ms = 500});
    int silent = sock_test_connect(f->listen);
    sock_test_remote r;
    connect_behind(f, &r);
    srv_fixture_assert_logged(f, "client 1 dropped: no HELLO within 500 ms of connecting (the hello timeout)");
    assert_true(sock_test_closed(silent, 5000)); /* the server closed it */
    sock_test_remote_close(&r);
    close(silent);
}

/* A client that says HELLO and then nothing more. */
static void test_idle_client_is_dropped(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_start(f, (stsafe_server_config){.idle_timeout_ms = 1000});
    int idle = sock_test_connect(f->listen);
    sock_test_exchange(idle, sock_test_hello_req, sizeof sock_test_hello_req, sock_test_hello_ans,
                       sizeof sock_test_hello_ans);
    sock_test_remote r;
    connect_behind(f, &r);
    srv_fixture_assert_logged(f, "client 1 dropped: idle for 1000 ms without a request (--idle-timeout)");
    assert_true(sock_test_closed(idle, 5000));
    sock_test_remote_close(&r);
    close(idle);
}

/* A client that keeps talking is never dropped, however long it stays:
 * the idle time counts from its last request. */
static void test_busy_client_is_kept(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_start(f, (stsafe_server_config){.idle_timeout_ms = 2000});
    sock_test_remote r;
    sock_test_remote_open(&r, f->listen);
    static const uint8_t msg[1] = {0x42};
    uint8_t out[1];
    for (int i = 0; i < 12; i++) { /* 3 s in all, a request every 0.25 s */
        struct timespec quarter = {0, 250000000L};
        nanosleep(&quarter, NULL);
        assert_int_equal(stsafe_client_echo(&r.client, msg, sizeof msg, out), 0);
    }
    sock_test_remote_close(&r);
    srv_fixture_stop(f);
    assert_int_equal(srv_fixture_count(f, "dropped"), 0);
}

/* A waiting client is told once, after notice_ms, and gives up at give_up_ms. */
static int waited;
static void on_wait(void *ctx)
{
    (void)ctx;
    waited++;
}

static void test_waiting_client_is_told_and_gives_up(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_start(f, (stsafe_server_config){.idle_timeout_ms = STSAFE_SERVER_NO_TIMEOUT});
    sock_test_remote holder;
    sock_test_remote_open(&holder, f->listen);
    sock_test_remote r;
    stsafe_sock_wait w = {100, 300, on_wait, NULL};
    waited = 0;
    stsafe_bus_socket_init(&r.sock);
    assert_int_equal(stsafe_bus_socket_connect_wait(&r.sock, &r.bus, f->listen, &w), STSAFE_ERR_BUS_TIMEOUT);
    assert_int_equal(waited, 1);
    assert_int_equal(r.sock.fd, -1);
    stsafe_bus_socket_free(&r.sock);
    sock_test_remote_close(&holder);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_client_without_hello_is_dropped, srv_fixture_setup,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_idle_client_is_dropped, srv_fixture_setup,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_busy_client_is_kept, srv_fixture_setup,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_waiting_client_is_told_and_gives_up, srv_fixture_setup,
                                        srv_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
