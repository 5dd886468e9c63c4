/* SPDX-License-Identifier: BSD-3-Clause */
/* What a test suite needs around `stsafe-emu serve` (issue 14 finding 14):
 * a pid file, a readiness line on a descriptor, the bound address on
 * stdout for port 0, --daemon (return once listening, like swtpm), and
 * `stsafe-emu wait ADDRESS`. */
#include "emu_serve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stsafe/bus/socket.h"
#include "stsafe/emulator/storage.h"
#include "stsafe/protocol/error.h"
#include "tool_common.h"

/* Writes all of \p text to \p fd. */
static int write_all(int fd, const char *text)
{
    size_t n = strlen(text);
    while (n) {
        ssize_t w = write(fd, text, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        text += w;
        n -= (size_t)w;
    }
    return 0;
}

int emu_serve_daemonize(const char *prog, emu_ready *r)
{
    int p[2];
    if (pipe(p) != 0) {
        tool_error(prog, "serve: --daemon: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        tool_error(prog, "serve: --daemon: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) { /* the server: it says on the pipe when it listens */
        close(p[0]);
        (void)setsid();
        r->daemon_fd = p[1];
        return 0;
    }
    close(p[1]);
    char line[200];
    size_t n = 0;
    for (ssize_t got; n + 1 < sizeof line && (got = read(p[0], line + n, sizeof line - 1 - n)) != 0;) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            break;
        n += (size_t)got;
        if (memchr(line, '\n', n))
            break;
    }
    close(p[0]);
    line[n] = '\0';
    if (!strchr(line, '\n'))
        exit(TOOL_EXIT_FAIL); /* the server said why on stderr, and exited */
    fputs(line, stdout);
    exit(TOOL_EXIT_OK);
}

int emu_serve_ready(const char *prog, const stsafe_server *s, emu_ready *r)
{
    char line[200];
    (void)snprintf(line, sizeof line, "%s\n", s->address);
    if (r->pid_file) {
        char pid[32];
        (void)snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (stsafe_emu_file_write(r->pid_file, pid, strlen(pid), 0644) != 0) {
            tool_error(prog, "serve: cannot write --pid-file '%s': %s", r->pid_file, strerror(errno));
            return -1;
        }
        r->pid_written = 1;
    }
    if (r->print_address && r->daemon_fd < 0) {
        fputs(line, stdout);
        fflush(stdout);
    }
    if (r->ready_fd >= 0) {
        int bad = write_all(r->ready_fd, line) != 0;
        close(r->ready_fd);
        r->ready_fd = -1;
        if (bad) {
            tool_error(prog, "serve: cannot write to --ready-fd: %s", strerror(errno));
            return -1;
        }
    }
    if (r->daemon_fd >= 0) { /* the caller returns now: stdio goes quiet or to --log */
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0) {
            (void)dup2(null, STDIN_FILENO);
            (void)dup2(null, STDOUT_FILENO);
            if (!r->log_given)
                (void)dup2(null, STDERR_FILENO);
            close(null);
        }
        (void)write_all(r->daemon_fd, line);
        close(r->daemon_fd);
        r->daemon_fd = -1;
    }
    return 0;
}

void emu_serve_done(emu_ready *r)
{
    if (r->pid_written)
        unlink(r->pid_file);
    r->pid_written = 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int emu_cmd_wait(const char *prog, int argc, char **argv)
{
    const char *address = NULL;
    double seconds = 10;
    for (int i = 0; i < argc; i++) {
        char *end = NULL;
        if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            seconds = strtod(argv[++i], &end);
            if (!end || *end || seconds < 0 || seconds > 3600) {
                tool_error(prog, "wait: --timeout takes 0 to 3600 seconds");
                return TOOL_EXIT_USAGE;
            }
        } else if (argv[i][0] != '-' && !address) {
            address = argv[i];
        } else {
            tool_error(prog, "wait: unexpected argument '%s' (see --help)", argv[i]);
            return TOOL_EXIT_USAGE;
        }
    }
    if (!address) {
        tool_error(prog, "wait: missing ADDRESS (see --help)");
        return TOOL_EXIT_USAGE;
    }
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        stsafe_bus_socket sock;
        stsafe_bus bus;
        stsafe_bus_socket_init(&sock);
        int err = stsafe_bus_socket_connect(&sock, &bus, address); /* HELLO included */
        stsafe_bus_socket_free(&sock);
        if (!err)
            return TOOL_EXIT_OK;
        if (err == STSAFE_ERR_BAD_INPUT) {
            tool_error(prog, "wait: takes unix:PATH or tcp:HOST:PORT, not '%s'", address);
            return TOOL_EXIT_USAGE;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        double spent = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
        if (spent >= seconds) {
            tool_error(prog, "wait: no stsafe-emu server answered HELLO at '%s' within %g s", address,
                       seconds);
            return TOOL_EXIT_FAIL;
        }
        sleep_ms(50);
    }
}
