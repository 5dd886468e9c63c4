/* SPDX-License-Identifier: BSD-3-Clause */
#include "tool_common.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/version.h>

#include "stsafe/emulator/image.h"
#include "stsafe/emulator/version.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/error.h"

void tool_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): va_start is just above
    va_end(ap);
    fputc('\n', stderr);
}

int tool_print_version(const char *prog)
{
    char mbed[18];
    mbedtls_version_get_string(mbed);
    printf("%s %s\n"
           "Built with mbedTLS %s, running with mbedTLS %s.\n"
           "\n"
           "Copyright (c) the stsafe-emu authors.\n"
           "License BSD-3-Clause <https://spdx.org/licenses/BSD-3-Clause.html>.\n",
           prog, stsafe_emu_version(), MBEDTLS_VERSION_STRING, mbed);
    return TOOL_EXIT_OK;
}

void tool_print_hex(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", p[i]);
    fputc('\n', f);
}

int tool_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    /* decimal or 0x hex, as documented: a leading zero is no octal (strtoul's
     * base 0 read --zone 010 as 8 and refused --slot 08), and nothing else
     * (no sign, no space) is taken */
    if (!s)
        return -1;
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *digits = hex ? s + 2 : s;
    if (!*digits)
        return -1;
    for (const char *c = digits; *c; c++)
        if (hex ? !isxdigit((unsigned char)*c) : !isdigit((unsigned char)*c))
            return -1;
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(digits, &end, hex ? 16 : 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

const char *tool_shell_word(const char *word, char *buf, size_t cap)
{
    static const char safe[] = "_./:@%+=,-";
    int plain = *word != '\0';
    for (const char *c = word; *c && plain; c++)
        plain = isalnum((unsigned char)*c) || strchr(safe, *c) != NULL;
    if (plain || cap < 3)
        return word;
    size_t n = 0;
    buf[n++] = '\'';
    for (const char *c = word; *c && n + 6 < cap; c++) {
        if (*c == '\'') {
            memcpy(buf + n, "'\\''", 4); /* close, an escaped quote, reopen */
            n += 4;
        } else {
            buf[n++] = *c;
        }
    }
    buf[n++] = '\'';
    buf[n] = '\0';
    return buf;
}

int tool_session_open(tool_session *s, const char *prog, const char *path)
{
    memset(s, 0, sizeof *s);
    s->lock.fd = -1; /* no image locked (a bus session never takes one) */
    s->chip_index = -1;
    s->path = path;
    stsafe_bus_socket_init(&s->sock);
    stsafe_bus_i2cdev_init(&s->i2c);
    if (stsafe_inproc_device_init(&s->dev, NULL, 0) != 0) {
        tool_error(prog, "cannot seed the random generator");
        return TOOL_EXIT_FAIL;
    }
    if (tool_image_lock(prog, &s->lock, path, 1, "stsafe-cli --image") != 0) {
        stsafe_inproc_device_free(&s->dev);
        return TOOL_EXIT_FAIL;
    }
    int err = stsafe_emu_image_load(path, &s->dev.chip.nvm);
    if (err) {
        tool_image_error(prog, path, err);
        stsafe_emu_image_lock_release(&s->lock);
        stsafe_inproc_device_free(&s->dev);
        return TOOL_EXIT_FAIL;
    }
    stsafe_inproc_device_connect(&s->dev);
    return 0;
}

/* --bus i2c:PATH[@ADDR]: a chip on a Linux I2C adapter, at ADDR (default 0x20). */
static int open_i2c(tool_session *s, const char *prog, const char *spec)
{
    char path[256];
    unsigned long addr = STSAFE_I2C_ADDR_DEFAULT;
    const char *at = strrchr(spec, '@');
    size_t n = at ? (size_t)(at - spec) : strlen(spec);
    if (n == 0 || n >= sizeof path || (at && tool_parse_uint(at + 1, 0x7F, &addr) != 0)) {
        tool_error(prog, "--bus i2c: takes a device and an optional 7-bit address (i2c:/dev/i2c-1, "
                         "i2c:/dev/i2c-1@0x20), not 'i2c:%s'", spec);
        return TOOL_EXIT_USAGE;
    }
    memcpy(path, spec, n);
    path[n] = '\0';
    int err = stsafe_bus_i2cdev_open(&s->i2c, &s->dev.bus, path);
    if (err == STSAFE_ERR_UNSUPPORTED)
        tool_error(prog, "'%s': the adapter offers no plain I2C transfers (SMBus only)", path);
    else if (err)
        tool_error(prog, "cannot open '%s': %s", path, strerror(errno));
    if (err)
        return TOOL_EXIT_FAIL;
    stsafe_client_init(&s->dev.client, &s->dev.bus, (uint16_t)addr);
    return 0;
}

/* What a waiting client says: its server serves another client. */
typedef struct {
    const char *prog;
    const char *address;
    unsigned long chip;
    unsigned long wait_s;
} bus_waiter;

static void say_waiting(void *ctx)
{
    const bus_waiter *w = ctx;
    if (w->wait_s)
        fprintf(stderr, "%s: waiting: another client holds chip %lu of %s (giving up after %lu s, --wait)\n",
                w->prog, w->chip, w->address, w->wait_s);
    else
        fprintf(stderr, "%s: waiting: another client holds chip %lu of %s\n", w->prog, w->chip,
                w->address);
}

int tool_session_open_bus(tool_session *s, const char *prog, const char *address)
{
    return tool_session_open_bus_wait(s, prog, address, 0, TOOL_BUS_WAIT_DEFAULT_S);
}

int tool_session_open_bus_wait(tool_session *s, const char *prog, const char *address,
                               unsigned long chip, unsigned long wait_s)
{
    memset(s, 0, sizeof *s);
    s->lock.fd = -1; /* no image locked (a bus session never takes one) */
    s->bus_address = address;
    s->chip_index = -1;
    stsafe_bus_socket_init(&s->sock);
    stsafe_bus_i2cdev_init(&s->i2c);
    if (stsafe_inproc_device_init(&s->dev, NULL, 0) != 0) { /* unused chip: a uniform close */
        tool_error(prog, "cannot seed the random generator");
        return TOOL_EXIT_FAIL;
    }
    if (!strncmp(address, "i2c:", 4)) {
        int rc = open_i2c(s, prog, address + 4);
        if (rc)
            stsafe_inproc_device_free(&s->dev);
        return rc;
    }
    bus_waiter waiter = {prog, address, chip, wait_s};
    stsafe_sock_wait w = {TOOL_BUS_WAIT_NOTICE_MS, (uint32_t)(wait_s * 1000u), say_waiting, &waiter};
    int err = stsafe_bus_socket_connect_wait(&s->sock, &s->dev.bus, address, &w);
    if (err == STSAFE_ERR_BUS_TIMEOUT)
        tool_error(prog, "gave up after %lu s: another client still holds chip %lu of %s", wait_s, chip,
                   address);
    if (err == STSAFE_ERR_BAD_INPUT)
        tool_error(prog, "--bus takes unix:PATH, tcp:HOST:PORT or i2c:/dev/i2c-N, not '%s'", address);
    else if (err == STSAFE_ERR_IO)
        tool_error(prog, "cannot connect to '%s': %s", address, strerror(errno));
    else if (err && err != STSAFE_ERR_BUS_TIMEOUT)
        tool_error(prog, "'%s' does not answer as an stsafe-emu server", address);
    if (err) {
        stsafe_inproc_device_free(&s->dev);
        return err == STSAFE_ERR_BAD_INPUT ? TOOL_EXIT_USAGE : TOOL_EXIT_FAIL;
    }
    stsafe_client_init(&s->dev.client, &s->dev.bus, s->sock.i2c_address);
    return 0;
}

int tool_session_select(tool_session *s, const char *prog, unsigned long index)
{
    uint8_t addr = 0;
    int err = index > 0xFFFF ? STSAFE_ERR_BAD_INPUT
                             : stsafe_bus_socket_select(&s->sock, (uint16_t)index, &addr);
    if (err == STSAFE_ERR_BAD_INPUT)
        tool_error(prog, "--chip %lu: the server has no such chip", index);
    else if (err == STSAFE_ERR_UNSUPPORTED)
        tool_error(prog, "--chip: the server speaks protocol version 1 (one chip, no fleet)");
    else if (err)
        tool_error(prog, "--chip %lu: %s", index, stsafe_strerror(err));
    if (err)
        return err == STSAFE_ERR_BAD_INPUT ? TOOL_EXIT_USAGE : TOOL_EXIT_FAIL;
    stsafe_client_init(&s->dev.client, &s->dev.bus, addr);
    s->chip_index = (long)index;
    return 0;
}

stsafe_emu_chip *tool_session_chip(tool_session *s)
{
    return s->path ? &s->dev.chip : NULL;
}

int tool_session_need_server(const tool_session *s, const char *prog, const char *cmd)
{
    if (s->i2c.fd < 0)
        return 0;
    tool_error(prog, "%s needs a chip served by 'stsafe-emu serve' (--bus unix:PATH or tcp:HOST:PORT) "
                     "or --image; a chip on an I2C adapter (--bus i2c:) has no such control", cmd);
    return TOOL_EXIT_USAGE;
}

int tool_session_close(tool_session *s, const char *prog)
{
    int rc = 0;
    if (s->dev.chip.nvm_dirty) {
        int err = stsafe_emu_image_save(s->path, &s->dev.chip.nvm);
        if (err) {
            tool_error(prog, "cannot save image '%s': %s: %s", s->path, stsafe_strerror(err),
                       strerror(errno));
            rc = TOOL_EXIT_FAIL;
        }
    }
    stsafe_bus_socket_free(&s->sock);
    stsafe_bus_i2cdev_free(&s->i2c);
    stsafe_emu_image_lock_release(&s->lock); /* after the save */
    stsafe_inproc_device_free(&s->dev);
    return rc;
}

int tool_parse_timing(const char *name)
{
    if (!strcmp(name, "none"))
        return STSAFE_EMU_TIMING_NONE;
    if (!strcmp(name, "datasheet"))
        return STSAFE_EMU_TIMING_DATASHEET;
    if (!strcmp(name, "real"))
        return STSAFE_EMU_TIMING_REAL;
    return -1;
}

int tool_read_file(const char *prog, const char *path, char **text, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    size_t cap = 1u << 16, n = 0;
    char *buf = malloc(cap);
    if (!f || !buf) {
        tool_error(prog, "%s: %s", path, f ? "out of memory" : strerror(errno));
        free(buf);
        if (f && f != stdin)
            (void)fclose(f);
        return TOOL_EXIT_FAIL;
    }
    for (size_t got; (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) {
            char *bigger = cap > SIZE_MAX / 2u ? NULL : realloc(buf, cap * 2u);
            if (!bigger)
                break;
            buf = bigger;
            cap *= 2u;
        }
    }
    int failed = ferror(f) || n == cap;
    if (f != stdin)
        (void)fclose(f);
    if (failed) {
        tool_error(prog, "%s: cannot read the whole file", path);
        free(buf);
        return TOOL_EXIT_FAIL;
    }
    *text = buf;
    *len = n;
    return TOOL_EXIT_OK;
}

void tool_image_error(const char *prog, const char *path, int err)
{
    char detail[200];
    int e = errno;
    if (err == STSAFE_ERR_IMAGE_FIELD && stsafe_emu_image_explain(path, detail, sizeof detail) == err)
        tool_error(prog, "cannot load image '%s': %s: %s", path, stsafe_strerror(err), detail);
    else
        tool_error(prog, "cannot load image '%s': %s%s%s", path, stsafe_strerror(err),
                   err == STSAFE_ERR_IO ? ": " : "", err == STSAFE_ERR_IO ? strerror(e) : "");
}

int tool_image_lock(const char *prog, stsafe_emu_image_lock *l, const char *path, int exclusive,
                    const char *program)
{
    int err = stsafe_emu_image_lock_take(l, path, exclusive, program);
    if (!err)
        return 0;
    if (err != STSAFE_ERR_IMAGE_LOCKED)
        tool_error(prog, "cannot lock image '%s': %s: %s", path, stsafe_strerror(err), strerror(errno));
    else if (l->holder_pid && l->address[0])
        tool_error(prog, "%s is in use by PID %ld (%s); talk to it with --bus %s", path, l->holder_pid,
                   l->holder, l->address);
    else if (l->holder_pid)
        tool_error(prog, "%s is in use by PID %ld (%s)", path, l->holder_pid, l->holder);
    else
        tool_error(prog, "%s is in use by another process (reading it); try again when it is done", path);
    return TOOL_EXIT_FAIL;
}
