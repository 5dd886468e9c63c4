/* SPDX-License-Identifier: BSD-3-Clause */
/* Socket plumbing shared by the server and the client bus backend:
 * addresses, connecting, sending whole messages, big-endian fields. */
#include "stsafe/bus/sock_proto.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/un.h>
#include <unistd.h>

#include "stsafe/protocol/error.h"

static int parse_unix(const char *path, stsafe_sock_addr *out)
{
    struct sockaddr_un *un = (struct sockaddr_un *)&out->ss;
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof un->sun_path)
        return STSAFE_ERR_BAD_INPUT;
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, path, n + 1);
    out->len = (socklen_t)sizeof *un;
    out->family = AF_UNIX;
    return 0;
}

/* Splits "HOST:PORT" (HOST may be "[v6]") into \p host and a port number. */
static int split_host_port(const char *text, char *host, size_t cap, uint16_t *port)
{
    const char *colon = strrchr(text, ':');
    if (!colon || colon == text || !colon[1])
        return STSAFE_ERR_BAD_INPUT;
    char *end = NULL;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (errno || *end || p > 65535 || colon[1] == '-' || colon[1] == '+')
        return STSAFE_ERR_BAD_INPUT;
    const char *h = text;
    size_t n = (size_t)(colon - text);
    if (h[0] == '[') {
        if (n < 3 || h[n - 1] != ']')
            return STSAFE_ERR_BAD_INPUT;
        h++;
        n -= 2;
    }
    if (n >= cap)
        return STSAFE_ERR_BAD_INPUT;
    memcpy(host, h, n);
    host[n] = '\0';
    *port = (uint16_t)p;
    return 0;
}

static int parse_tcp(const char *text, stsafe_sock_addr *out)
{
    char host[256];
    uint16_t port = 0;
    int err = split_host_port(text, host, sizeof host, &port);
    if (err)
        return err;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
        return STSAFE_ERR_IO;
    memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
    out->len = (socklen_t)res->ai_addrlen;
    out->family = res->ai_family;
    freeaddrinfo(res);
    if (out->family == AF_INET)
        ((struct sockaddr_in *)&out->ss)->sin_port = htons(port);
    else if (out->family == AF_INET6)
        ((struct sockaddr_in6 *)&out->ss)->sin6_port = htons(port);
    else
        return STSAFE_ERR_BAD_INPUT;
    return 0;
}

int stsafe_sock_addr_parse(const char *text, stsafe_sock_addr *out)
{
    if (!text || !out)
        return STSAFE_ERR_BAD_INPUT;
    memset(out, 0, sizeof *out);
    if (!strncmp(text, "unix:", 5))
        return parse_unix(text + 5, out);
    if (!strncmp(text, "tcp:", 4))
        return parse_tcp(text + 4, out);
    return STSAFE_ERR_BAD_INPUT;
}

int stsafe_sock_addr_format(const stsafe_sock_addr *a, char *out, size_t cap)
{
    char host[INET6_ADDRSTRLEN];
    int n = -1;
    if (!a || !out)
        return STSAFE_ERR_BAD_INPUT;
    if (a->family == AF_UNIX) {
        n = snprintf(out, cap, "unix:%s", ((const struct sockaddr_un *)&a->ss)->sun_path);
    } else if (a->family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&a->ss;
        if (inet_ntop(AF_INET, &in->sin_addr, host, sizeof host))
            n = snprintf(out, cap, "tcp:%s:%u", host, (unsigned)ntohs(in->sin_port));
    } else if (a->family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a->ss;
        if (inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host))
            n = snprintf(out, cap, "tcp:[%s]:%u", host, (unsigned)ntohs(in6->sin6_port));
    }
    if (n < 0)
        return STSAFE_ERR_BAD_INPUT;
    return (size_t)n < cap ? 0 : STSAFE_ERR_BUFFER_TOO_SMALL;
}

int stsafe_sock_connect(const stsafe_sock_addr *a, int *fd)
{
    if (!a || !fd)
        return STSAFE_ERR_BAD_INPUT;
    int s = socket(a->family, SOCK_STREAM, 0);
    if (s < 0)
        return STSAFE_ERR_IO;
    if (a->family != AF_UNIX) {
        int one = 1;
        (void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    int rc;
    do
        rc = connect(s, (const struct sockaddr *)&a->ss, a->len);
    while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        int saved = errno;
        close(s);
        errno = saved;
        return STSAFE_ERR_IO;
    }
    *fd = s;
    return 0;
}

int stsafe_sock_send_all(int fd, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return STSAFE_ERR_IO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t stsafe_sock_recv_spin(int fd, uint8_t *p, size_t cap)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        ssize_t n = recv(fd, p, cap, MSG_DONTWAIT);
        if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            return n;
        sched_yield(); /* a peer on this very CPU gets to answer */
        clock_gettime(CLOCK_MONOTONIC, &now);
        long us = (long)(now.tv_sec - start.tv_sec) * 1000000L + (now.tv_nsec - start.tv_nsec) / 1000L;
        if (us >= (long)STSAFE_SOCK_SPIN_US)
            break;
    }
    errno = EAGAIN;
    return -1;
}

void stsafe_sock_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

uint32_t stsafe_sock_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void stsafe_sock_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

uint64_t stsafe_sock_get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

const char *stsafe_sock_op_name(uint8_t op)
{
    switch (op) {
    case STSAFE_SOCK_OP_HELLO:       return "hello";
    case STSAFE_SOCK_OP_I2C_WRITE:   return "i2c-write";
    case STSAFE_SOCK_OP_I2C_READ:    return "i2c-read";
    case STSAFE_SOCK_OP_COMMAND:     return "command";
    case STSAFE_SOCK_OP_POWER_CYCLE: return "power-cycle";
    case STSAFE_SOCK_OP_STATS:       return "stats";
    case STSAFE_SOCK_OP_FAULT:       return "fault";
    case STSAFE_SOCK_OP_SELECT:      return "select";
    case STSAFE_SOCK_OP_SNAPSHOT:    return "snapshot";
    case STSAFE_SOCK_OP_RESTORE:     return "restore";
    default:                         return "unknown";
    }
}

const char *stsafe_sock_status_name(uint8_t st)
{
    switch (st) {
    case STSAFE_SOCK_ST_OK:            return "ok";
    case STSAFE_SOCK_ST_NACK:          return "nack";
    case STSAFE_SOCK_ST_UNSUPPORTED:   return "unsupported";
    case STSAFE_SOCK_ST_FAILED:        return "failed";
    case STSAFE_SOCK_ST_ERR_LENGTH:    return "error: length";
    case STSAFE_SOCK_ST_ERR_OP:        return "error: unknown operation";
    case STSAFE_SOCK_ST_ERR_ARGS:      return "error: arguments";
    case STSAFE_SOCK_ST_ERR_HANDSHAKE: return "error: handshake";
    default:                           return "unknown";
    }
}
