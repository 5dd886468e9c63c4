/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu bench: the raw unix-socket ping-pong the Echo-over-socket
 * figure is divided by. The same layout as that figure: the client in the
 * calling thread, the far end in a second thread of this process, one
 * unix stream socket between them, and the same primitives on both ends
 * (length-prefixed messages of the Echo's sizes, stsafe_sock_recv_spin()
 * before sleeping, poll() on the far end as the server's loop does). What
 * is left between the two figures is the server's and the chip's work. */
#include "bench.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <sys/socket.h>
#include <unistd.h>

#include "stsafe/bus/sock_proto.h"

/* COMMAND carrying an Echo of 64 bytes, and its answer: the same bytes
 * on the wire as the measured Echo (length, op, address or status, frame). */
#define PING_LEN (STSAFE_SOCK_LEN_SIZE + 2u + 3u + STSE_BENCH_ECHO_LEN)
#define PONG_LEN (STSAFE_SOCK_LEN_SIZE + 2u + 5u + STSE_BENCH_ECHO_LEN)

/* Receives exactly \p len bytes: spin, then sleep in recv (or poll). */
static int recv_exactly(int fd, uint8_t *p, size_t len, int use_poll)
{
    size_t have = 0;
    while (have < len) {
        ssize_t n = stsafe_sock_recv_spin(fd, p + have, len - have);
        if (n < 0 && errno == EAGAIN) {
            if (use_poll) {
                struct pollfd pfd = {.fd = fd, .events = POLLIN};
                (void)poll(&pfd, 1, 50);
                continue;
            }
            n = recv(fd, p + have, len - have, 0);
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        have += (size_t)n;
    }
    return 0;
}

static void *far_end(void *arg)
{
    int fd = *(int *)arg;
    uint8_t in[PING_LEN], out[PONG_LEN];
    memset(out, 0x5A, sizeof out);
    stsafe_sock_put_u32(out, (uint32_t)(PONG_LEN - STSAFE_SOCK_LEN_SIZE));
    while (recv_exactly(fd, in, sizeof in, 1) == 0)
        if (stsafe_sock_send_all(fd, out, sizeof out) != 0)
            break;
    return NULL;
}

double stse_bench_raw_socket_rate(double seconds)
{
    int sv[2];
    pthread_t thread;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return -1.0;
    if (pthread_create(&thread, NULL, far_end, &sv[1]) != 0) {
        close(sv[0]);
        close(sv[1]);
        return -1.0;
    }
    uint8_t ping[PING_LEN], pong[PONG_LEN];
    memset(ping, 0xA5, sizeof ping);
    stsafe_sock_put_u32(ping, (uint32_t)(PING_LEN - STSAFE_SOCK_LEN_SIZE));
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double start = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9, t = start;
    unsigned long n = 0;
    int err = 0;
    while (!err && t - start < seconds) {
        for (int i = 0; i < 16 && !err; i++, n++)
            err = stsafe_sock_send_all(sv[0], ping, sizeof ping) != 0 ||
                  recv_exactly(sv[0], pong, sizeof pong, 0) != 0;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    }
    shutdown(sv[0], SHUT_RDWR); /* the far end sees the end and returns */
    pthread_join(thread, NULL);
    close(sv[0]);
    close(sv[1]);
    return err ? -1.0 : (double)n / (t - start);
}
