/* SPDX-License-Identifier: BSD-3-Clause */
/* The socket protocol's basics (docs/socket-protocol.md): the example
 * session byte for byte, HELLO's versions and refusals, the host client over
 * a socket against the in-process result byte for byte (no timing, datasheet
 * timing on the NACK clock, real timing), TCP on loopback and the address
 * syntax. Operations (FAULT, STATS, POWER_CYCLE, a device that is not a chip)
 * are in test_socket_ops.c, broken clients and the image in
 * test_socket_robustness.c. Servers run in a thread on a unix socket in a
 * temporary folder (server_fixture.h). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include <cmocka.h>

#include "server_fixture.h"
#include "sock_test.h"
#include "stsafe/bus/sock_proto.h"
#include "stsafe/bus/socket.h"
#include "stsafe/client/client.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/emulator/image.h"
#include "stsafe/protocol/error.h"
#include "stsafe/server/chip_device.h"
#include "stsafe/server/server.h"

/* ---- the documented bytes ---------------------------------------------------- */

/* The example session of docs/socket-protocol.md, byte for byte. */
static void test_documented_session(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_serve(f, STSAFE_EMU_TIMING_NONE);
    int fd = sock_test_connect(f->listen);
    sock_test_exchange(fd, sock_test_hello_req, sizeof sock_test_hello_req, sock_test_hello_ans,
                       sizeof sock_test_hello_ans);
    static const uint8_t early_read[] = {0, 0, 0, 4, 0x03, 0x20, 0x00, 0x05};
    static const uint8_t nack[] = {0, 0, 0, 2, 0x03, 0x01};
    sock_test_exchange(fd, early_read, sizeof early_read, nack, sizeof nack);
    static const uint8_t echo[] = {0, 0, 0, 9, 0x02, 0x20, 0x00, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
    static const uint8_t ack[] = {0, 0, 0, 2, 0x02, 0x00};
    sock_test_exchange(fd, echo, sizeof echo, ack, sizeof ack);
    static const uint8_t read5[] = {0, 0, 0, 4, 0x03, 0x20, 0x00, 0x05};
    static const uint8_t ans5[] = {0, 0, 0, 7, 0x03, 0x00, 0x00, 0x00, 0x06, 0x01, 0x02};
    sock_test_exchange(fd, read5, sizeof read5, ans5, sizeof ans5);
    static const uint8_t read9[] = {0, 0, 0, 4, 0x03, 0x20, 0x00, 0x09};
    static const uint8_t ans9[] = {0, 0, 0, 11, 0x03, 0x00, 0x00, 0x00, 0x06,
                                   0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
    sock_test_exchange(fd, read9, sizeof read9, ans9, sizeof ans9);
    static const uint8_t other[] = {0, 0, 0, 4, 0x03, 0x21, 0x00, 0x05};
    sock_test_exchange(fd, other, sizeof other, nack, sizeof nack);
    static const uint8_t stats[] = {0, 0, 0, 1, 0x11};
    static const uint8_t stats_ans[] = {0, 0, 0, 26, 0x11, 0x00, 0, 0, 0, 0, 0, 0, 0, 1,
                                        0,  0, 0, 0,  0,    0,    0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    sock_test_exchange(fd, stats, sizeof stats, stats_ans, sizeof stats_ans);
    static const uint8_t fault[] = {0, 0, 0, 7, 0x12, 'n', 'a', 'c', 'k', '=', '1'};
    static const uint8_t fault_ans[] = {0, 0, 0, 2, 0x12, 0x00};
    sock_test_exchange(fd, fault, sizeof fault, fault_ans, sizeof fault_ans);
    sock_test_exchange(fd, read9, sizeof read9, nack, sizeof nack); /* the fault */
    sock_test_exchange(fd, read9, sizeof read9, ans9, sizeof ans9); /* the answer is still there */
    static const uint8_t power[] = {0, 0, 0, 1, 0x10};
    static const uint8_t power_ans[] = {0, 0, 0, 2, 0x10, 0x00};
    sock_test_exchange(fd, power, sizeof power, power_ans, sizeof power_ans);
    sock_test_exchange(fd, read5, sizeof read5, nack, sizeof nack); /* no response after power-up */
    close(fd);
}

static void test_hello_versions(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_serve(f, STSAFE_EMU_TIMING_DATASHEET);
    int fd = sock_test_connect(f->listen);
    /* A client newer than the server gets the server's version, 3 today. */
    static const uint8_t v9[] = {0, 0, 0, 6, 0x01, 'S', 'T', 'S', 'E', 0x09};
    static const uint8_t v9_ans[] = {0, 0, 0, 7, 0x01, 0x00, 0x03, 0x04, 0x00, 0x20, 0x01};
    sock_test_exchange(fd, v9, sizeof v9, v9_ans, sizeof v9_ans);
    sock_test_exchange(fd, v9, sizeof v9, v9_ans, sizeof v9_ans); /* HELLO again: the same answer */
    /* Version 2: SELECT, and a server of one chip has chip 0 only. */
    static const uint8_t sel0[] = {0, 0, 0, 3, 0x13, 0x00, 0x00};
    static const uint8_t sel0_ans[] = {0, 0, 0, 5, 0x13, 0x00, 0x20, 0x00, 0x01};
    sock_test_exchange(fd, sel0, sizeof sel0, sel0_ans, sizeof sel0_ans);
    close(fd);
    /* HELLO and an out-of-range SELECT sent at once: both answered, in turn. */
    static const uint8_t sel1[] = {0, 0, 0, 3, 0x13, 0x00, 0x01};
    uint8_t both[sizeof v9 + sizeof sel1];
    memcpy(both, v9, sizeof v9);
    memcpy(both + sizeof v9, sel1, sizeof sel1);
    uint8_t want[128];
    static const char why[] = "select takes a chip index from 0 to 0 in 2 bytes";
    memcpy(want, v9_ans, sizeof v9_ans);
    stsafe_sock_put_u32(want + sizeof v9_ans, (uint32_t)(2 + sizeof why - 1));
    want[sizeof v9_ans + 4] = 0x13;
    want[sizeof v9_ans + 5] = 0x82;
    memcpy(want + sizeof v9_ans + 6, why, sizeof why - 1);
    fd = sock_test_connect(f->listen);
    sock_test_exchange(fd, both, sizeof both, want, sizeof v9_ans + 6 + sizeof why - 1);
    assert_true(sock_test_closed(fd, 2000));
    close(fd);
    static const uint8_t v0[] = {0, 0, 0, 6, 0x01, 'S', 'T', 'S', 'E', 0x00};
    sock_test_refused(sock_test_connect(f->listen), v0, sizeof v0, 0x01, 0x83,
                      "HELLO takes the magic STSE and a version from 1");
    static const uint8_t magic[] = {0, 0, 0, 6, 0x01, 'S', 'T', 'S', 'X', 0x01};
    sock_test_refused(sock_test_connect(f->listen), magic, sizeof magic, 0x01, 0x83,
                      "HELLO takes the magic STSE and a version from 1");
}

/* ---- the host client over a socket -------------------------------------------- */

/* Runs the same commands on \p c; the results go to \p out, in order. */
static size_t command_script(stsafe_client *c, uint8_t *out)
{
    uint8_t msg[64], buf[512];
    size_t n = 0, len = 0;
    int rc[8];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 37 + 1);
    rc[0] = stsafe_client_echo(c, msg, sizeof msg, buf);
    memcpy(out + n, buf, sizeof msg), n += sizeof msg;
    rc[1] = stsafe_client_random(c, 32, buf);
    memcpy(out + n, buf, 32), n += 32;
    rc[2] = stsafe_client_read(c, 0, 1, 0, 16, buf);
    memcpy(out + n, buf, 16), n += 16;
    static const uint8_t data[] = {0xCA, 0xFE, 0xF0, 0x0D};
    rc[3] = stsafe_client_update(c, 0, 1, 10, data, sizeof data);
    rc[4] = stsafe_client_read(c, 0, 1, 8, 8, buf);
    memcpy(out + n, buf, 8), n += 8;
    rc[5] = stsafe_client_read(c, 0, 1, 698, 4, buf); /* past the zone: status 0x14 */
    out[n++] = c->last_status;
    rc[6] = stsafe_client_query_raw(c, STSAFE_TAG_PRODUCT_DATA, buf, sizeof buf, &len);
    memcpy(out + n, buf, len), n += len;
    uint32_t counter = 0;
    rc[7] = stsafe_client_decrement(c, 0, 5, 0, 3, NULL, 0, &counter);
    stsafe_sock_put_u32(out + n, counter), n += 4;
    for (size_t i = 0; i < 8; i++)
        stsafe_sock_put_u32(out + n + 4 * i, (uint32_t)rc[i]);
    return n + 32;
}

static void test_client_matches_inproc(void **state)
{
    srv_fixture *f = *state;
    uint8_t a[1024], b[1024], img[STSAFE_EMU_IMAGE_MAX_SIZE], ser[STSAFE_EMU_IMAGE_MAX_SIZE];
    stsafe_inproc_device dev;
    assert_int_equal(stsafe_inproc_device_init(&dev, f->chip->seed, f->chip->seed_len), 0);
    assert_int_equal(stsafe_emu_image_load(f->image, &dev.chip.nvm), 0);
    stsafe_inproc_device_connect(&dev);
    size_t na = command_script(&dev.client, a);

    srv_fixture_serve(f, STSAFE_EMU_TIMING_NONE);
    sock_test_remote r;
    sock_test_remote_open(&r, f->listen);
    assert_int_equal(r.sock.i2c_address, 0x20);
    size_t nb = command_script(&r.client, b);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    assert_int_equal(STSAFE_ERR_TO_STATUS((int)stsafe_sock_get_u32(a + na - 12)), 0x14);

    stsafe_sock_stats st;
    assert_int_equal(stsafe_bus_socket_stats(&r.sock, &st), 0);
    assert_int_equal(st.commands, dev.chip.stats.commands);
    assert_int_equal(st.nacks, dev.chip.stats.nacks);
    assert_int_equal(st.nvm_writes, dev.chip.stats.nvm_writes);
    assert_int_equal(st.nvm_writes, 2);
    sock_test_remote_close(&r);

    /* The image the server saved is the in-process chip's NVM, byte for byte. */
    size_t n = srv_fixture_read_file(f->image, img, sizeof img), m = 0;
    assert_int_equal(stsafe_emu_image_serialize(&dev.chip.nvm, ser, sizeof ser, &m), 0);
    assert_int_equal(n, m);
    assert_memory_equal(img, ser, m);
    stsafe_inproc_device_free(&dev);
}

/* Datasheet timing on the NACK clock: the NACKs of the in-process bus, exactly. */
static void test_datasheet_timing(void **state)
{
    srv_fixture *f = *state;
    stsafe_inproc_device dev;
    assert_int_equal(stsafe_inproc_device_init(&dev, f->chip->seed, f->chip->seed_len), 0);
    assert_int_equal(stsafe_emu_image_load(f->image, &dev.chip.nvm), 0);
    dev.chip.timing = STSAFE_EMU_TIMING_DATASHEET;
    stsafe_inproc_device_connect(&dev);
    uint8_t a[1024], b[1024];
    size_t na = command_script(&dev.client, a);

    /* The NACK clock: 1 ms per NACK, as the in-process bus's 1 ms delays. */
    srv_fixture_start(f, (stsafe_server_config){.timing = STSAFE_EMU_TIMING_DATASHEET, .verbose = 1,
                                                .clock = STSAFE_SERVER_CLOCK_NACKS});
    sock_test_remote r;
    sock_test_remote_open(&r, f->listen);
    assert_int_equal(r.sock.timing, STSAFE_SOCK_TIMING_DATASHEET);
    r.client.i2c_level = 1; /* the NACKs of each poll, as the in-process bus has them */
    size_t nb = command_script(&r.client, b);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    stsafe_sock_stats st;
    assert_int_equal(stsafe_bus_socket_stats(&r.sock, &st), 0);
    assert_true(st.nacks >= 5 * 8);
    assert_int_equal(st.nacks, dev.chip.stats.nacks);
    assert_int_equal(r.client.nacks, dev.client.nacks);
    sock_test_remote_close(&r);
    stsafe_inproc_device_free(&dev);
}

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Real timing: an Echo (5 ms on the datasheet, +-10 % for this chip) takes that long on the wall clock. */
static void test_real_timing(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_serve(f, STSAFE_EMU_TIMING_REAL);
    sock_test_remote r;
    sock_test_remote_open(&r, f->listen);
    assert_int_equal(r.sock.timing, STSAFE_SOCK_TIMING_REAL);
    uint8_t out[2];
    uint64_t t0 = mono_us();
    assert_int_equal(stsafe_client_echo(&r.client, (const uint8_t *)"hi", 2, out), 0);
    uint64_t took = mono_us() - t0;
    /* this chip's own Echo time: the profile's 5 ms and its spread */
    assert_true(took >= stsafe_emu_busy_time_us(&f->srv.chips[0].chip, 0x00, 0));
    assert_int_equal(r.client.nacks, 0); /* COMMAND: the server waited out the busy time */
    r.client.i2c_level = 1;
    t0 = mono_us();
    assert_int_equal(stsafe_client_echo(&r.client, (const uint8_t *)"hi", 2, out), 0);
    took = mono_us() - t0;
    assert_true(took >= stsafe_emu_busy_time_us(&f->srv.chips[0].chip, 0x00, 0));
    /* No NACK count asserted: on a loaded machine the busy time can be over
     * before the first poll (issue 14, finding 12). The polling itself is
     * asserted on an injected clock in test_client. */
    sock_test_remote_close(&r);
}

static void test_tcp_loopback(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_start(f, (stsafe_server_config){.listen = "tcp:127.0.0.1:0", .verbose = 1});
    assert_int_equal(strncmp(f->srv.address, "tcp:127.0.0.1:", 14), 0);
    assert_string_not_equal(f->srv.address, "tcp:127.0.0.1:0");
    sock_test_remote r;
    sock_test_remote_open(&r, f->srv.address);
    uint8_t out[3];
    assert_int_equal(stsafe_client_echo(&r.client, (const uint8_t *)"tcp", 3, out), 0);
    assert_memory_equal(out, "tcp", 3);
    sock_test_remote_close(&r);
}

/* ---- addresses ------------------------------------------------------------------------------ */

static void test_addresses(void **state)
{
    (void)state;
    stsafe_sock_addr a;
    char text[200];
    const char *bad[] = {"unix:", "tcp:127.0.0.1", "tcp:127.0.0.1:65536", "tcp::80",
                         "tcp:127.0.0.1:-1", "tcp:127.0.0.1:8x", "udp:127.0.0.1:80", "chip.sock",
                         "tcp:[::1:80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(stsafe_sock_addr_parse(bad[i], &a), STSAFE_ERR_BAD_INPUT);
    char longpath[140] = "unix:/";
    memset(longpath + 6, 'a', sizeof longpath - 7);
    longpath[sizeof longpath - 1] = '\0';
    assert_int_equal(stsafe_sock_addr_parse(longpath, &a), STSAFE_ERR_BAD_INPUT);
    const char *good[] = {"unix:/tmp/x.sock", "tcp:127.0.0.1:8080", "tcp:[::1]:80", "tcp:127.0.0.1:0"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(stsafe_sock_addr_parse(good[i], &a), 0);
        assert_int_equal(stsafe_sock_addr_format(&a, text, sizeof text), 0);
        assert_string_equal(text, good[i]);
    }
    assert_int_equal(stsafe_sock_addr_format(&a, text, 8), STSAFE_ERR_BUFFER_TOO_SMALL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_documented_session, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_hello_versions, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_client_matches_inproc, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_datasheet_timing, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_real_timing, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_tcp_loopback, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_addresses, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
