/* SPDX-License-Identifier: BSD-3-Clause */
/* Fleet mode: one server, many chips, each with its image in one folder.
 * The images it creates (serials from the index, keys of their own) and
 * loads again; SELECT byte for byte, and refused out of range or in a
 * version 1 session; several clients at once, interleaved on different
 * chips and on the same chip; each chip's own virtual clock; the
 * connection limit. Servers run in a thread on a unix socket in a
 * temporary folder. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "stsafe/emulator/image.h"
#include "stsafe/bus/socket.h"
#include "stsafe/server/chip_device.h"
#include "stsafe/client/client.h"
#include "server_fixture.h"
#include "sock_test.h"
#include "stsafe/protocol/error.h"
#include "stsafe/server/server.h"
#include "stsafe/bus/sock_proto.h"

typedef srv_fixture fixture;

/* ---- helpers ------------------------------------------------------------------ */

static void image_path(const fixture *f, size_t i, char *out, size_t cap)
{
    assert_int_equal(stsafe_fleet_image_path(f->images, i, out, cap), 0);
}

static void load_image(const fixture *f, size_t i, stsafe_emu_nvm *nvm)
{
    char path[200];
    image_path(f, i, path, sizeof path);
    assert_int_equal(stsafe_emu_image_load(path, nvm), 0);
}

static void start_fleet(fixture *f, size_t n, stsafe_emu_timing timing, size_t max_clients)
{
    srv_fixture_start(f, (stsafe_server_config){.image_dir = f->images, .fleet = n, .timing = timing,
                                                .max_clients = max_clients});
}

static const uint8_t hello_v2[] = {0, 0, 0, 6, 0x01, 'S', 'T', 'S', 'E', 0x02};
static const uint8_t hello_v2_ans[] = {0, 0, 0, 7, 0x01, 0x00, 0x02, 0x04, 0x00, 0x20, 0x00};

static int raw_hello(const fixture *f)
{
    int fd = sock_test_connect(f->listen);
    sock_test_exchange(fd, hello_v2, sizeof hello_v2, hello_v2_ans, sizeof hello_v2_ans);
    return fd;
}

/* SELECT \p index: the chip's address 0x20 and the number of chips. */
static void select_chip(int fd, uint16_t index, uint16_t chips)
{
    const uint8_t req[] = {0, 0, 0, 3, 0x13, (uint8_t)(index >> 8), (uint8_t)index};
    const uint8_t ans[] = {0, 0, 0, 5, 0x13, 0x00, 0x20, (uint8_t)(chips >> 8), (uint8_t)chips};
    sock_test_exchange(fd, req, sizeof req, ans, sizeof ans);
}

/* Echo frames (CRC included) and the responses the chip gives them. */
static const uint8_t echo_a[] = {0, 0, 0, 9, 0x02, 0x20, 0x00, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
static const uint8_t echo_a_rsp[] = {0, 0, 0, 11, 0x03, 0x00, 0x00, 0x00, 0x06,
                                     0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
static const uint8_t echo_b[] = {0, 0, 0, 7, 0x02, 0x20, 0x00, 0x01, 0x02, 0xFC, 0x06};
static const uint8_t echo_b_rsp[] = {0, 0, 0, 11, 0x03, 0x00, 0x00, 0x00, 0x04,
                                     0x01, 0x02, 0xFC, 0x06, 0xFF, 0xFF};
static const uint8_t ack[] = {0, 0, 0, 2, 0x02, 0x00};
static const uint8_t read9[] = {0, 0, 0, 4, 0x03, 0x20, 0x00, 0x09};
static const uint8_t read5[] = {0, 0, 0, 4, 0x03, 0x20, 0x00, 0x05};
static const uint8_t nack_read[] = {0, 0, 0, 2, 0x03, 0x01};
static const uint8_t stats_req[] = {0, 0, 0, 1, 0x11};

/* STATS: \p commands, \p nacks, 0 NVM writes. */
static void expect_stats(int fd, uint8_t commands, uint8_t nacks)
{
    uint8_t want[30] = {0, 0, 0, 26, 0x11, 0x00};
    want[13] = commands;
    want[21] = nacks;
    sock_test_exchange(fd, stats_req, sizeof stats_req, want, sizeof want);
}

/* A client over the socket backend on chip \p index. */
typedef sock_test_remote remote;

static void remote_open(remote *r, const fixture *f, uint16_t index)
{
    uint8_t addr = 0;
    stsafe_bus_socket_init(&r->sock);
    assert_int_equal(stsafe_bus_socket_connect(&r->sock, &r->bus, f->listen), 0);
    assert_int_equal(r->sock.version, 3);
    assert_int_equal(stsafe_bus_socket_select(&r->sock, index, &addr), 0);
    assert_int_equal(addr, 0x20);
    assert_int_equal(r->sock.chip, index);
    stsafe_client_init(&r->client, &r->bus, addr);
}

static void remote_close(remote *r)
{
    sock_test_remote_close(r);
}

/* ---- fixture ------------------------------------------------------------------- */

static int setup(void **state)
{
    *state = srv_fixture_new_fleet(&srv_chip_fleet);
    return 0;
}

/* ---- images --------------------------------------------------------------------- */
/* A seeded fleet is created byte for byte the same again, whatever the
 * threads that generate its keys do (each chip from its own seed, drawn
 * in index order), and the batch leaves no temporary file behind. */
static void test_fleet_reproducible(void **state)
{
    fixture *f = *state;
    static uint8_t first[4][STSAFE_EMU_IMAGE_MAX_SIZE], again[STSAFE_EMU_IMAGE_MAX_SIZE];
    size_t len[4];
    char path[200];
    for (int round = 0; round < 2; round++) {
        start_fleet(f, 4, STSAFE_EMU_TIMING_NONE, 0);
        assert_int_equal(f->srv.images_created, 4);
        srv_fixture_stop(f);
        for (size_t i = 0; i < 4; i++) {
            image_path(f, i, path, sizeof path);
            FILE *img = fopen(path, "rb");
            assert_non_null(img);
            size_t n = fread(round ? again : first[i], 1, sizeof again, img);
            fclose(img);
            if (round) {
                assert_int_equal(n, len[i]);
                assert_memory_equal(again, first[i], n);
            }
            len[i] = n;
            strcat(path, ".tmp");
            assert_int_equal(access(path, F_OK), -1); /* renamed, none left */
            image_path(f, i, path, sizeof path);
            unlink(path); /* the next round creates them anew */
            strcat(path, ".ca.pem");
            unlink(path);
        }
    }
}


static void test_images_created_then_loaded(void **state)
{
    fixture *f = *state;
    uint8_t before[3][STSAFE_EMU_IMAGE_MAX_SIZE], after[STSAFE_EMU_IMAGE_MAX_SIZE];
    size_t len[3];
    start_fleet(f, 3, STSAFE_EMU_TIMING_NONE, 0);
    assert_int_equal(f->srv.images_created, 3);
    assert_int_equal(f->srv.slot_count, 3);
    assert_int_equal(f->srv.cfg.max_clients, STSAFE_SERVER_MAX_CLIENTS);
    srv_fixture_stop(f);
    srv_fixture_assert_logged(f, "': 0 images loaded, 3 created");
    srv_fixture_assert_logged(f, "(fleet of 3 chips in '");
    srv_fixture_assert_logged(f, "': 3 up to date, 0 saved now"); /* created before listening */
    stsafe_emu_nvm nvm[3];
    for (size_t i = 0; i < 3; i++) {
        /* Serial "FLEET" and the index; each chip its own device key. */
        static const uint8_t prefix[] = {0x46, 0x4C, 0x45, 0x45, 0x54, 0x00, 0x00, 0x00};
        load_image(f, i, &nvm[i]);
        assert_memory_equal(nvm[i].serial, prefix, sizeof prefix);
        assert_int_equal(nvm[i].serial[8], i);
        assert_int_equal(nvm[i].key_slots[0].present, 1);
        for (size_t j = 0; j < i; j++)
            assert_memory_not_equal(nvm[i].key_slots[0].pub_x, nvm[j].key_slots[0].pub_x, 32);
        char path[200];
        image_path(f, i, path, sizeof path);
        FILE *img = fopen(path, "rb");
        assert_non_null(img);
        len[i] = fread(before[i], 1, sizeof before[i], img);
        fclose(img);
        strcat(path, ".ca.pem");
        FILE *ca = fopen(path, "r");
        assert_non_null(ca);
        char line[64] = "";
        assert_non_null(fgets(line, sizeof line, ca));
        fclose(ca);
        assert_string_equal(line, "-----BEGIN CERTIFICATE-----\n");
    }
    /* A second start loads them as they are; a larger fleet creates the rest. */
    start_fleet(f, 4, STSAFE_EMU_TIMING_NONE, 0);
    assert_int_equal(f->srv.images_created, 1);
    srv_fixture_stop(f);
    srv_fixture_assert_logged(f, "': 3 images loaded, 1 created");
    srv_fixture_assert_logged(f, "': 4 up to date, 0 saved now");
    for (size_t i = 0; i < 3; i++) {
        char path[200];
        image_path(f, i, path, sizeof path);
        FILE *img = fopen(path, "rb");
        assert_non_null(img);
        assert_int_equal(fread(after, 1, sizeof after, img), len[i]);
        fclose(img);
        assert_memory_equal(after, before[i], len[i]);
    }
    memset(nvm, 0, sizeof nvm);
}

static void test_bad_image_refused(void **state)
{
    fixture *f = *state;
    char path[200];
    start_fleet(f, 2, STSAFE_EMU_TIMING_NONE, 0);
    srv_fixture_stop(f);
    image_path(f, 1, path, sizeof path);
    FILE *img = fopen(path, "wb");
    assert_non_null(img);
    fputs("garbage", img);
    fclose(img);
    stsafe_server_config cfg = {.image_dir = f->images, .fleet = 2, .listen = f->listen,
                                .log = f->log, .seed = f->chip->seed, .seed_len = f->chip->seed_len};
    assert_int_equal(stsafe_server_init(&f->srv, &cfg), STSAFE_ERR_IMAGE_FORMAT);
    char line[300];
    snprintf(line, sizeof line, "cannot load image '%s': not a valid stsafe-emu image", path);
    srv_fixture_assert_logged(f, line);
    char text[16] = "";
    img = fopen(path, "rb");
    assert_non_null(img);
    assert_int_equal(fread(text, 1, sizeof text, img), 7); /* left as it was */
    fclose(img);
    /* The settings a fleet needs. */
    cfg.fleet = 0;
    assert_int_equal(stsafe_server_init(&f->srv, &cfg), STSAFE_ERR_BAD_INPUT);
    cfg.fleet = STSAFE_SERVER_MAX_FLEET + 1;
    assert_int_equal(stsafe_server_init(&f->srv, &cfg), STSAFE_ERR_BAD_INPUT);
    cfg.fleet = 2;
    cfg.image_path = path;
    assert_int_equal(stsafe_server_init(&f->srv, &cfg), STSAFE_ERR_BAD_INPUT);
}

/* ---- SELECT ------------------------------------------------------------------------ */

/* The fleet session of docs/socket-protocol.md, byte for byte, then the
 * selection's other effects and refusals. */
static void test_select_bytes(void **state)
{
    fixture *f = *state;
    start_fleet(f, 3, STSAFE_EMU_TIMING_NONE, 0);
    int fd = raw_hello(f);
    select_chip(fd, 2, 3);
    sock_test_exchange(fd, echo_a, sizeof echo_a, ack, sizeof ack);
    sock_test_exchange(fd, read9, sizeof read9, echo_a_rsp, sizeof echo_a_rsp);
    expect_stats(fd, 1, 0);
    select_chip(fd, 0, 3);
    expect_stats(fd, 0, 0);
    static const uint8_t sel3[] = {0, 0, 0, 3, 0x13, 0x00, 0x03};
    sock_test_refused(fd, sel3, sizeof sel3, 0x13, 0x82, "select takes a chip index from 0 to 2 in 2 bytes");

    /* HELLO again reports the selected chip; the selection stays; each
     * chip has its own response and counters. */
    fd = raw_hello(f);
    select_chip(fd, 2, 3);
    sock_test_exchange(fd, hello_v2, sizeof hello_v2, hello_v2_ans, sizeof hello_v2_ans);
    expect_stats(fd, 1, 0);
    sock_test_exchange(fd, read9, sizeof read9, echo_a_rsp, sizeof echo_a_rsp);
    select_chip(fd, 1, 3);
    sock_test_exchange(fd, read5, sizeof read5, nack_read, sizeof nack_read); /* chip 1 has no response */
    expect_stats(fd, 0, 1);
    static const uint8_t sel_short[] = {0, 0, 0, 2, 0x13, 0x01};
    sock_test_refused(fd, sel_short, sizeof sel_short, 0x13, 0x82,
                   "select takes a chip index from 0 to 2 in 2 bytes");
    /* A version 1 session does not know SELECT, as a version 1 server. */
    fd = sock_test_connect(f->listen);
    static const uint8_t hello_v1[] = {0, 0, 0, 6, 0x01, 'S', 'T', 'S', 'E', 0x01};
    static const uint8_t hello_v1_ans[] = {0, 0, 0, 7, 0x01, 0x00, 0x01, 0x04, 0x00, 0x20, 0x00};
    sock_test_exchange(fd, hello_v1, sizeof hello_v1, hello_v1_ans, sizeof hello_v1_ans);
    static const uint8_t sel0[] = {0, 0, 0, 3, 0x13, 0x00, 0x00};
    sock_test_refused(fd, sel0, sizeof sel0, 0x13, 0x81, "unknown operation 0x13");
    srv_fixture_stop(f);
    srv_fixture_assert_logged(f, "client 1 dropped: error: arguments: select takes a chip index from 0 to 2");
    srv_fixture_assert_logged(f, "client 3 dropped: error: unknown operation: unknown operation 0x13");
}

/* The client backend: version 1 servers, out-of-range chips. */
static void test_select_client(void **state)
{
    fixture *f = *state;
    start_fleet(f, 2, STSAFE_EMU_TIMING_NONE, 0);
    remote r;
    remote_open(&r, f, 1);
    assert_int_equal(r.sock.chips, 2);
    assert_int_equal(stsafe_bus_socket_select(&r.sock, 2, NULL), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(r.sock.last_status, STSAFE_SOCK_ST_ERR_ARGS);
    assert_int_equal(r.sock.fd, -1); /* the server closed the connection */
    assert_int_equal(stsafe_bus_socket_select(&r.sock, 0, NULL), STSAFE_ERR_BUS_IO);
    remote_close(&r);
    stsafe_bus_socket_init(&r.sock);
    assert_int_equal(stsafe_bus_socket_connect(&r.sock, &r.bus, f->listen), 0);
    r.sock.version = 1; /* as after a HELLO answered by a version 1 server */
    assert_int_equal(stsafe_bus_socket_select(&r.sock, 1, NULL), STSAFE_ERR_UNSUPPORTED);
    assert_int_equal(r.sock.requests, 1); /* nothing was sent */
    stsafe_bus_socket_free(&r.sock);
}

/* ---- several clients at once ------------------------------------------------------------ */

/* Two stations on two chips, their transactions interleaved: each chip
 * keeps its own response, the changes land in each chip's own image. */
static void test_two_clients_two_chips(void **state)
{
    fixture *f = *state;
    start_fleet(f, 3, STSAFE_EMU_TIMING_NONE, 0);
    int a = raw_hello(f), b = raw_hello(f);
    select_chip(a, 1, 3);
    select_chip(b, 2, 3);
    sock_test_exchange(a, echo_a, sizeof echo_a, ack, sizeof ack);
    sock_test_exchange(b, echo_b, sizeof echo_b, ack, sizeof ack);
    sock_test_exchange(a, read9, sizeof read9, echo_a_rsp, sizeof echo_a_rsp);
    sock_test_exchange(b, read9, sizeof read9, echo_b_rsp, sizeof echo_b_rsp);
    /* A client stalled in the middle of a request holds nobody else up. */
    static const uint8_t part[] = {0, 0, 0, 9, 0x02};
    assert_int_equal(stsafe_sock_send_all(a, part, sizeof part), 0);
    expect_stats(b, 1, 0);
    close(a);
    close(b);

    remote r1, r2;
    remote_open(&r1, f, 1);
    remote_open(&r2, f, 2);
    static const uint8_t d1[] = {0x11, 0x11}, d2[] = {0x22, 0x22, 0x22};
    uint8_t back[3];
    assert_int_equal(stsafe_client_update(&r1.client, 0, 1, 4, d1, sizeof d1), 0);
    assert_int_equal(stsafe_client_update(&r2.client, 0, 1, 4, d2, sizeof d2), 0);
    assert_int_equal(stsafe_client_read(&r1.client, 0, 1, 4, 3, back), 0);
    static const uint8_t want1[] = {0x11, 0x11, 0x00};
    assert_memory_equal(back, want1, 3);
    assert_int_equal(stsafe_client_read(&r2.client, 0, 1, 4, 3, back), 0);
    assert_memory_equal(back, d2, 3);
    /* Saved before the Update was acknowledged, each in its own image. */
    stsafe_emu_nvm nvm;
    load_image(f, 1, &nvm);
    assert_memory_equal(stsafe_emu_nvm_zone_data(&nvm, 1) + 4, want1, 3);
    load_image(f, 2, &nvm);
    assert_memory_equal(stsafe_emu_nvm_zone_data(&nvm, 1) + 4, d2, 3);
    load_image(f, 0, &nvm);
    static const uint8_t zero[3] = {0};
    assert_memory_equal(stsafe_emu_nvm_zone_data(&nvm, 1) + 4, zero, 3);
    memset(&nvm, 0, sizeof nvm);
    remote_close(&r1);
    remote_close(&r2);
    srv_fixture_stop(f);
    srv_fixture_assert_logged(f, "client 1 dropped: disconnected mid-request (5 bytes of a request received)");
    srv_fixture_assert_logged(f, "client 2 disconnected after 5 requests"); /* hello, select, 3 more */
}

/* Every change is saved before it is acknowledged, so a stopping server
 * leaves the images alone (each save is an fsync: 10,000 of them made a
 * large fleet slow to stop) and saves only one whose file is gone. A file
 * written again would be a new inode: the inodes show nothing was. */
static void test_stop_saves_only_what_is_not_on_disk(void **state)
{
    fixture *f = *state;
    start_fleet(f, 3, STSAFE_EMU_TIMING_NONE, 0);
    remote r;
    remote_open(&r, f, 1);
    static const uint8_t data[] = {0x5A, 0xA5};
    assert_int_equal(stsafe_client_update(&r.client, 0, 1, 8, data, sizeof data), 0);
    remote_close(&r);
    char path[3][200];
    struct stat before[3], after;
    for (size_t i = 0; i < 3; i++) {
        image_path(f, i, path[i], sizeof path[i]);
        assert_int_equal(stat(path[i], &before[i]), 0);
    }
    assert_int_equal(unlink(path[2]), 0);
    srv_fixture_stop(f);
    srv_fixture_assert_logged(f, "': 2 up to date, 1 saved now");
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(stat(path[i], &after), 0);
        assert_int_equal(after.st_ino, before[i].st_ino);
    }
    stsafe_emu_nvm nvm;
    load_image(f, 1, &nvm); /* the Update, saved when it was made */
    assert_memory_equal(stsafe_emu_nvm_zone_data(&nvm, 1) + 8, data, sizeof data);
    load_image(f, 2, &nvm); /* written again from the chip in memory */
    assert_int_equal(nvm.serial[8], 2);
    memset(&nvm, 0, sizeof nvm);
}

/* Two connections on one chip are two masters on one bus: the last write
 * wins, and both read its response. */
static void test_two_clients_one_chip(void **state)
{
    fixture *f = *state;
    start_fleet(f, 2, STSAFE_EMU_TIMING_NONE, 0);
    int a = raw_hello(f), b = raw_hello(f);
    select_chip(a, 1, 2);
    select_chip(b, 1, 2);
    sock_test_exchange(a, echo_a, sizeof echo_a, ack, sizeof ack);
    sock_test_exchange(b, echo_b, sizeof echo_b, ack, sizeof ack);
    sock_test_exchange(a, read9, sizeof read9, echo_b_rsp, sizeof echo_b_rsp);
    sock_test_exchange(b, read9, sizeof read9, echo_b_rsp, sizeof echo_b_rsp);
    expect_stats(a, 2, 0);
    close(a);
    close(b);
}

/* Datasheet timing: every chip has its own virtual clock, so interleaved
 * polling of two busy chips gives each one the NACKs it gives alone
 * (Echo: 5 ms, 5 NACKs at 1 ms each on the NACK clock, no spread). */
static void test_clock_per_chip(void **state)
{
    fixture *f = *state;
    srv_fixture_start(f, (stsafe_server_config){.image_dir = f->images, .fleet = 2,
                                                .timing = STSAFE_EMU_TIMING_DATASHEET,
                                                .clock = STSAFE_SERVER_CLOCK_NACKS, /* exact NACK counts */
                                                .timing_spread_pct = STSAFE_SERVER_SPREAD_OFF});
    int a = sock_test_connect(f->listen), b = sock_test_connect(f->listen);
    static const uint8_t hello_ds[] = {0, 0, 0, 7, 0x01, 0x00, 0x02, 0x04, 0x00, 0x20, 0x01};
    sock_test_exchange(a, hello_v2, sizeof hello_v2, hello_ds, sizeof hello_ds);
    sock_test_exchange(b, hello_v2, sizeof hello_v2, hello_ds, sizeof hello_ds);
    select_chip(b, 1, 2);
    sock_test_exchange(a, echo_a, sizeof echo_a, ack, sizeof ack);
    sock_test_exchange(b, echo_b, sizeof echo_b, ack, sizeof ack);
    for (int i = 0; i < 5; i++) {
        sock_test_exchange(a, read9, sizeof read9, nack_read, sizeof nack_read);
        sock_test_exchange(b, read9, sizeof read9, nack_read, sizeof nack_read);
    }
    sock_test_exchange(a, read9, sizeof read9, echo_a_rsp, sizeof echo_a_rsp);
    sock_test_exchange(b, read9, sizeof read9, echo_b_rsp, sizeof echo_b_rsp);
    expect_stats(a, 1, 5);
    expect_stats(b, 1, 5);
    close(a);
    close(b);
}

/* With max_clients 2, a third connection waits in the backlog until one closes. */
static void test_client_limit(void **state)
{
    fixture *f = *state;
    start_fleet(f, 1, STSAFE_EMU_TIMING_NONE, 2);
    int a = raw_hello(f), b = raw_hello(f), c = sock_test_connect(f->listen);
    assert_int_equal(stsafe_sock_send_all(c, hello_v2, sizeof hello_v2), 0);
    struct pollfd p = {.fd = c, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 300), 0);
    expect_stats(b, 0, 0);
    close(a);
    uint8_t got[sizeof hello_v2_ans];
    size_t n = 0;
    while (n < sizeof got) {
        assert_int_equal(poll(&p, 1, 5000), 1);
        ssize_t k = recv(c, got + n, sizeof got - n, 0);
        assert_true(k > 0);
        n += (size_t)k;
    }
    assert_memory_equal(got, hello_v2_ans, sizeof got);
    close(b);
    close(c);
    srv_fixture_stop(f);
    srv_fixture_assert_logged(f, "(fleet of 1 chip in '");
    srv_fixture_assert_logged(f, "timing none, 2 clients at a time)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_images_created_then_loaded, setup, srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_fleet_reproducible, setup, srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bad_image_refused, setup, srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_select_bytes, setup, srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_select_client, setup, srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_two_clients_two_chips, setup, srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_two_clients_one_chip, setup, srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_stop_saves_only_what_is_not_on_disk, setup, srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_clock_per_chip, setup, srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_client_limit, setup, srv_fixture_teardown),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
