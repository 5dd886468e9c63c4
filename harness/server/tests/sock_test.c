/* SPDX-License-Identifier: BSD-3-Clause */
/* Raw socket-protocol helpers shared by the server tests (sock_test.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sock_test.h"
#include "stsafe/bus/sock_proto.h"

void sock_test_remote_open(sock_test_remote *r, const char *address)
{
    stsafe_bus_socket_init(&r->sock);
    assert_int_equal(stsafe_bus_socket_connect(&r->sock, &r->bus, address), 0);
    stsafe_client_init(&r->client, &r->bus, r->sock.i2c_address);
}

void sock_test_remote_close(sock_test_remote *r)
{
    stsafe_client_free(&r->client);
    stsafe_bus_socket_free(&r->sock);
}

int sock_test_connect(const char *listen)
{
    stsafe_sock_addr a;
    int fd = -1;
    assert_int_equal(stsafe_sock_addr_parse(listen, &a), 0);
    assert_int_equal(stsafe_sock_connect(&a, &fd), 0);
    return fd;
}

void sock_test_send(int fd, const void *p, size_t n)
{
    assert_int_equal(stsafe_sock_send_all(fd, p, n), 0);
}

size_t sock_test_receive(int fd, uint8_t *buf, size_t cap, int ms)
{
    size_t have = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, ms) <= 0)
            return have;
        ssize_t n = recv(fd, buf + have, cap - have, 0);
        if (n <= 0)
            return have;
        have += (size_t)n;
    }
}

int sock_test_closed(int fd, int ms)
{
    uint8_t b;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, ms) == 1 && recv(fd, &b, 1, 0) == 0;
}

void sock_test_exchange(int fd, const void *req, size_t req_len, const void *want, size_t want_len)
{
    uint8_t got[2048];
    sock_test_send(fd, req, req_len);
    size_t n = 0;
    while (n < want_len) {
        ssize_t k = recv(fd, got + n, sizeof got - n, 0);
        assert_true(k > 0);
        n += (size_t)k;
    }
    assert_int_equal(n, want_len);
    assert_memory_equal(got, want, want_len);
}

const uint8_t sock_test_hello_req[10] = {0, 0, 0, 6, 0x01, 'S', 'T', 'S', 'E', 0x01};
const uint8_t sock_test_hello_ans[11] = {0, 0, 0, 7, 0x01, 0x00, 0x01, 0x04, 0x00, 0x20, 0x00};

int sock_test_hello(const char *listen)
{
    int fd = sock_test_connect(listen);
    sock_test_exchange(fd, sock_test_hello_req, sizeof sock_test_hello_req, sock_test_hello_ans,
                       sizeof sock_test_hello_ans);
    return fd;
}

size_t sock_test_reason_answer(uint8_t *out, uint8_t op, uint8_t st, const char *reason)
{
    size_t n = strlen(reason);
    stsafe_sock_put_u32(out, (uint32_t)(2 + n));
    out[4] = op;
    out[5] = st;
    memcpy(out + 6, reason, n);
    return 6 + n;
}

void sock_test_refused(int fd, const void *req, size_t req_len, uint8_t op, uint8_t st,
                       const char *reason)
{
    uint8_t want[256];
    sock_test_exchange(fd, req, req_len, want, sock_test_reason_answer(want, op, st, reason));
    assert_true(sock_test_closed(fd, 2000));
    close(fd);
}
