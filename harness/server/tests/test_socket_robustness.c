/* SPDX-License-Identifier: BSD-3-Clause */
/* A socket server that keeps going: clients served in turn (the next one
 * waits in the backlog), broken clients (cut mid-request, garbage, stalled,
 * not reading their answers) dropped without harm and logged, the image
 * saved after a change and on SIGTERM and left alone otherwise, socket files
 * (a stale one replaced, a live one or a plain file not taken over, the
 * image locked against a second server). Servers run in a thread (or a
 * forked child for SIGTERM) on a unix socket in a temporary folder
 * (server_fixture.h). */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "server_fixture.h"
#include "sock_test.h"
#include "stsafe/bus/socket.h"
#include "stsafe/client/client.h"
#include "stsafe/emulator/image.h"
#include "stsafe/protocol/error.h"
#include "stsafe/server/server.h"

static ino_t inode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_ino;
}

/* ---- clients in turn ------------------------------------------------------------------- */

static void test_clients_in_turn(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_serve(f, STSAFE_EMU_TIMING_NONE);
    sock_test_remote r1;
    sock_test_remote_open(&r1, f->listen);
    /* A second client waits in the backlog until the first one leaves. */
    int fd = sock_test_connect(f->listen);
    sock_test_send(fd, sock_test_hello_req, sizeof sock_test_hello_req);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 300), 0);
    static const uint8_t data[] = {1, 2, 3};
    assert_int_equal(stsafe_client_update(&r1.client, 0, 1, 100, data, sizeof data), 0);
    sock_test_remote_close(&r1);
    uint8_t got[64];
    assert_int_equal(sock_test_receive(fd, got, sizeof got, 2000), sizeof sock_test_hello_ans);
    assert_memory_equal(got, sock_test_hello_ans, sizeof sock_test_hello_ans);
    close(fd);
    for (int i = 0; i < 3; i++) {
        uint8_t back[3];
        sock_test_remote r;
        sock_test_remote_open(&r, f->listen);
        assert_int_equal(stsafe_client_read(&r.client, 0, 1, 100, 3, back), 0);
        assert_memory_equal(back, data, 3);
        sock_test_remote_close(&r);
    }
    srv_fixture_stop(f); /* the last disconnect is logged by then */
    srv_fixture_assert_logged(f, "client 1 connected");
    srv_fixture_assert_logged(f, "client 1 disconnected after 2 requests");
    srv_fixture_assert_logged(f, "client 2 disconnected after 1 requests");
    srv_fixture_assert_logged(f, "client 4 disconnected after 2 requests");
    srv_fixture_assert_logged(f, "client 5 connected");
}

/* ---- broken clients ----------------------------------------------------------------- */

static void test_disconnect_mid_request(void **state)
{
    srv_fixture *f = *state;
    uint8_t before[STSAFE_EMU_IMAGE_MAX_SIZE], after[STSAFE_EMU_IMAGE_MAX_SIZE];
    size_t n = srv_fixture_read_file(f->image, before, sizeof before);
    srv_fixture_serve(f, STSAFE_EMU_TIMING_NONE);
    int fd = sock_test_hello(f->listen);
    /* A write announced as 13 bytes, cut after 4 of them. */
    static const uint8_t cut[] = {0, 0, 0, 13, 0x02, 0x20, 0x06, 0x00};
    sock_test_send(fd, cut, sizeof cut);
    close(fd);
    sock_test_remote r;
    sock_test_remote_open(&r, f->listen);
    uint8_t out[4];
    assert_int_equal(stsafe_client_echo(&r.client, (const uint8_t *)"abcd", 4, out), 0);
    assert_memory_equal(out, "abcd", 4);
    sock_test_remote_close(&r);
    srv_fixture_assert_logged(f, "client 1 dropped: disconnected mid-request (8 bytes of a request received)");
    srv_fixture_assert_logged(f, "client 2 connected");
    assert_int_equal(srv_fixture_read_file(f->image, after, sizeof after), n);
    assert_memory_equal(before, after, n);
}

static void test_garbage(void **state)
{
    srv_fixture *f = *state;
    uint8_t before[STSAFE_EMU_IMAGE_MAX_SIZE], after[STSAFE_EMU_IMAGE_MAX_SIZE];
    size_t n = srv_fixture_read_file(f->image, before, sizeof before);
    srv_fixture_serve(f, STSAFE_EMU_TIMING_NONE);
    static const char http[] = "GET / HTTP/1.1\r\n\r\n";
    sock_test_refused(sock_test_connect(f->listen), http, sizeof http - 1, 0x00, 0x80,
                      "request length 1195725856 outside 1..1026");
    static const uint8_t zero[] = {0, 0, 0, 0};
    sock_test_refused(sock_test_hello(f->listen), zero, sizeof zero, 0x00, 0x80,
                      "request length 0 outside 1..1026");
    static const uint8_t big[] = {0, 0, 0x04, 0x03, 0x02, 0x20};
    sock_test_refused(sock_test_hello(f->listen), big, sizeof big, 0x00, 0x80,
                      "request length 1027 outside 1..1026");
    static const uint8_t early[] = {0, 0, 0, 1, 0x11};
    sock_test_refused(sock_test_connect(f->listen), early, sizeof early, 0x11, 0x83,
                      "the first request must be HELLO");
    static const uint8_t unknown[] = {0, 0, 0, 1, 0x7F};
    sock_test_refused(sock_test_hello(f->listen), unknown, sizeof unknown, 0x7F, 0x81,
                      "unknown operation 0x7F");
    static const uint8_t short_read[] = {0, 0, 0, 3, 0x03, 0x20, 0x00};
    sock_test_refused(sock_test_hello(f->listen), short_read, sizeof short_read, 0x03, 0x82,
                   "i2c-read takes a 7-bit address and a count of 0 to 1024");
    static const uint8_t long_read[] = {0, 0, 0, 4, 0x03, 0x20, 0x04, 0x01};
    sock_test_refused(sock_test_hello(f->listen), long_read, sizeof long_read, 0x03, 0x82,
                   "i2c-read takes a 7-bit address and a count of 0 to 1024");
    static const uint8_t wide_addr[] = {0, 0, 0, 3, 0x02, 0x80, 0x00};
    sock_test_refused(sock_test_hello(f->listen), wide_addr, sizeof wide_addr, 0x02, 0x82,
                   "i2c-write takes a 7-bit address and 0 to 1024 bytes");
    static const uint8_t no_addr[] = {0, 0, 0, 1, 0x02};
    sock_test_refused(sock_test_hello(f->listen), no_addr, sizeof no_addr, 0x02, 0x82,
                   "i2c-write takes a 7-bit address and 0 to 1024 bytes");
    static const uint8_t power_arg[] = {0, 0, 0, 2, 0x10, 0x00};
    sock_test_refused(sock_test_hello(f->listen), power_arg, sizeof power_arg, 0x10, 0x82,
                      "power-cycle takes no arguments");

    sock_test_remote r;
    sock_test_remote_open(&r, f->listen);
    uint8_t out[2];
    assert_int_equal(stsafe_client_echo(&r.client, (const uint8_t *)"ok", 2, out), 0);
    sock_test_remote_close(&r);
    srv_fixture_assert_logged(f, "client 1 dropped: error: length: request length 1195725856 outside 1..1026");
    srv_fixture_assert_logged(f, "client 5 dropped: error: unknown operation: unknown operation 0x7F");
    assert_int_equal(srv_fixture_read_file(f->image, after, sizeof after), n);
    assert_memory_equal(before, after, n);
}

static void test_stalled_client(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_start(f, (stsafe_server_config){.verbose = 1, .frame_timeout_ms = 200});
    int fd = sock_test_hello(f->listen);
    static const uint8_t part[] = {0, 0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sock_test_send(fd, part, sizeof part);
    assert_true(sock_test_closed(fd, 5000));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 190);
    close(fd);
    /* Idle between requests is no stall. */
    fd = sock_test_hello(f->listen);
    assert_false(sock_test_closed(fd, 400));
    sock_test_exchange(fd, sock_test_hello_req, sizeof sock_test_hello_req, sock_test_hello_ans,
                       sizeof sock_test_hello_ans);
    close(fd);
    srv_fixture_assert_logged(f, "client 1 dropped: stalled mid-request for 200 ms (2 bytes received)");
}

/* A client that sends and never reads its answers is dropped once the
 * server has waited a frame timeout to send one; the next client is served. */
static void test_client_not_reading(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_start(f, (stsafe_server_config){.verbose = 1, .frame_timeout_ms = 200});
    int fd = sock_test_hello(f->listen);
    static const uint8_t stats[] = {0, 0, 0, 1, 0x11};
    /* Requests until the server stops taking them: it is then stuck sending
     * answers nobody reads, or it has dropped this client. */
    struct timeval tv = {.tv_sec = 1};
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), 0);
    int sent = 0;
    while (sent < 1000000 && send(fd, stats, sizeof stats, MSG_NOSIGNAL) == (ssize_t)sizeof stats)
        sent++;
    assert_true(sent > 100);
    int next = sock_test_connect(f->listen);
    sock_test_send(next, sock_test_hello_req, sizeof sock_test_hello_req);
    uint8_t got[64];
    assert_int_equal(sock_test_receive(next, got, sizeof got, 5000), sizeof sock_test_hello_ans);
    assert_memory_equal(got, sock_test_hello_ans, sizeof sock_test_hello_ans);
    close(next);
    close(fd);
    srv_fixture_assert_logged(f, "client 1 dropped: send failed: ");
}

/* ---- the image -------------------------------------------------------------------------- */

static void test_image_saved_after_update(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_serve(f, STSAFE_EMU_TIMING_NONE);
    sock_test_remote r;
    sock_test_remote_open(&r, f->listen);
    ino_t first = inode_of(f->image);
    uint8_t out[3];
    assert_int_equal(stsafe_client_echo(&r.client, (const uint8_t *)"abc", 3, out), 0);
    assert_int_equal(stsafe_client_read(&r.client, 0, 1, 0, 3, out), 0);
    assert_int_equal(inode_of(f->image), first); /* nothing changed, nothing written */
    static const uint8_t data[] = {0x5E, 0xC0, 0xDE};
    assert_int_equal(stsafe_client_update(&r.client, 0, 2, 7, data, sizeof data), 0);
    assert_int_not_equal(inode_of(f->image), first);
    stsafe_emu_nvm nvm;
    assert_int_equal(stsafe_emu_image_load(f->image, &nvm), 0);
    assert_memory_equal(stsafe_emu_nvm_zone_data(&nvm, 2) + 7, data, sizeof data);
    sock_test_remote_close(&r);
    srv_fixture_assert_logged(f, "image saved to '");
}

static atomic_int child_stop;

static void on_term(int sig)
{
    (void)sig;
    atomic_store(&child_stop, 1);
}

/* The server in a child process, stopped by SIGTERM as `stsafe-emu serve` is. */
static void child_server(srv_fixture *f)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    stsafe_server_config cfg = {.image_path = f->image, .listen = f->listen, .log = f->log,
                                .stop = &child_stop};
    stsafe_server srv;
    if (stsafe_server_init(&srv, &cfg) != 0)
        _exit(3);
    int rc = stsafe_server_run(&srv);
    stsafe_server_free(&srv);
    _exit(rc == 0 ? 0 : 4);
}

static void test_sigterm_saves(void **state)
{
    srv_fixture *f = *state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        child_server(f);
    sock_test_remote r;
    stsafe_bus_socket_init(&r.sock);
    for (int i = 0; i < 200 && stsafe_bus_socket_connect(&r.sock, &r.bus, f->listen) != 0; i++)
        nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
    assert_true(r.sock.fd >= 0);
    stsafe_client_init(&r.client, &r.bus, r.sock.i2c_address);
    static const uint8_t data[] = {0xAB, 0xCD};
    assert_int_equal(stsafe_client_update(&r.client, 0, 1, 0, data, sizeof data), 0);
    sock_test_remote_close(&r);
    /* Take the file away: only the save at SIGTERM can bring it back. */
    assert_int_equal(unlink(f->image), 0);
    assert_int_equal(kill(pid, SIGTERM), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    stsafe_emu_nvm nvm;
    assert_int_equal(stsafe_emu_image_load(f->image, &nvm), 0);
    assert_memory_equal(stsafe_emu_nvm_zone_data(&nvm, 1), data, sizeof data);
    struct stat st;
    assert_int_not_equal(lstat(f->sock, &st), 0); /* the socket file is gone */
    srv_fixture_assert_logged(f, "stopped; image saved to '");
}

/* ---- socket files -------------------------------------------------------------------------- */

static void test_socket_files(void **state)
{
    srv_fixture *f = *state;
    /* A socket file left by a server that is gone is replaced. */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    strcpy(un.sun_path, f->sock);
    assert_int_equal(bind(fd, (struct sockaddr *)&un, sizeof un), 0);
    close(fd);
    srv_fixture_serve(f, STSAFE_EMU_TIMING_NONE);
    /* A second server on the same image is refused: the image is locked
     * (issue 14 finding 6); on another image, the live socket is not taken over. */
    stsafe_server second;
    stsafe_server_config cfg = {.image_path = f->image, .listen = f->listen, .log = f->log};
    assert_int_equal(stsafe_server_init(&second, &cfg), STSAFE_ERR_IMAGE_LOCKED);
    char linked[220];
    snprintf(linked, sizeof linked, "%s/linked.img", f->dir);
    assert_int_equal(link(f->image, linked), 0);
    cfg.image_path = linked;
    errno = 0;
    assert_int_equal(stsafe_server_init(&second, &cfg), STSAFE_ERR_IO);
    assert_int_equal(errno, EADDRINUSE);
    unlink(linked);
    cfg.image_path = f->image;
    int cfd = sock_test_hello(f->listen);
    close(cfd);
    srv_fixture_stop(f);
    /* Other failures keep their own errno. */
    char missing[220];
    snprintf(missing, sizeof missing, "unix:%s/missing/chip.sock", f->dir);
    cfg.listen = missing;
    errno = 0;
    assert_int_equal(stsafe_server_init(&second, &cfg), STSAFE_ERR_IO);
    assert_int_equal(errno, ENOENT);
    /* Nor is a file that is not a socket. */
    char plain[200];
    snprintf(plain, sizeof plain, "%s/plain", f->dir);
    FILE *p = fopen(plain, "w");
    fputs("keep me", p);
    fclose(p);
    char addr[220];
    snprintf(addr, sizeof addr, "unix:%s", plain);
    cfg.listen = addr;
    assert_int_equal(stsafe_server_init(&second, &cfg), STSAFE_ERR_IO);
    uint8_t buf[16];
    assert_int_equal(srv_fixture_read_file(plain, buf, sizeof buf), 7);
    srv_fixture_assert_logged(f, "cannot listen on 'unix:");
    /* A missing image is refused before anything listens. */
    char other[200];
    snprintf(other, sizeof other, "unix:%s/other.sock", f->dir);
    cfg.listen = other;
    cfg.image_path = plain;
    assert_int_equal(stsafe_server_init(&second, &cfg), STSAFE_ERR_IMAGE_FORMAT);
    srv_fixture_assert_logged(f, "cannot load image '");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_clients_in_turn, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_disconnect_mid_request, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_garbage, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_stalled_client, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_client_not_reading, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_image_saved_after_update, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_sigterm_saves, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_socket_files, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
