/* SPDX-License-Identifier: BSD-3-Clause */
/* Raw socket-protocol helpers shared by the server tests (test_socket_*,
 * test_fleet, ...): connect, send, receive, exchange byte for byte, HELLO,
 * refusals, and the client of the C bus backend. CMocka asserts inside. */
#ifndef STSE_SOCK_TEST_H
#define STSE_SOCK_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/bus/socket.h"
#include "stsafe/client/client.h"

/** A connection of the C socket bus and a host client on it. */
typedef struct {
    stsafe_bus_socket sock;
    stsafe_bus bus;
    stsafe_client client;
} sock_test_remote;

/** Connect the bus backend to \p address (HELLO done) and a client to its chip. */
void sock_test_remote_open(sock_test_remote *r, const char *address);
void sock_test_remote_close(sock_test_remote *r);

/** A plain stream connection to \p listen ("unix:PATH" or "tcp:HOST:PORT"). */
int sock_test_connect(const char *listen);
void sock_test_send(int fd, const void *p, size_t n);
/** Everything the server sends until it closes or goes quiet for \p ms. */
size_t sock_test_receive(int fd, uint8_t *buf, size_t cap, int ms);
/** True when the server closed \p fd (EOF within \p ms). */
int sock_test_closed(int fd, int ms);
/** Send \p req and check that exactly \p want comes back. */
void sock_test_exchange(int fd, const void *req, size_t req_len, const void *want,
                        size_t want_len);

/** HELLO version 1 and the answer of a chip at 0x20 without timing. */
extern const uint8_t sock_test_hello_req[10];
extern const uint8_t sock_test_hello_ans[11];

/** sock_test_connect() and the HELLO of version 1, answered byte for byte. */
int sock_test_hello(const char *listen);

/** An answer of \p op with status \p st and \p reason, as the server builds
 *  it, written to \p out; returns its length. */
size_t sock_test_reason_answer(uint8_t *out, uint8_t op, uint8_t st, const char *reason);

/** Send \p req on \p fd, expect the refusal (op, status, reason), then the
 *  server closes within 2 s; closes \p fd. */
void sock_test_refused(int fd, const void *req, size_t req_len, uint8_t op, uint8_t st,
                       const char *reason);

#endif
