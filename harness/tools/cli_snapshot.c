/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-cli snapshot save FILE | snapshot restore FILE: the chip's whole
 * state (NVM and volatile state; stsafe/emulator/snapshot.h) to a private
 * file and back, over --bus (SNAPSHOT and RESTORE of
 * docs/socket-protocol.md) or on an --image chip. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "cli.h"
#include "stsafe/bus/socket.h"
#include "stsafe/emulator/snapshot.h"
#include "stsafe/emulator/storage.h"
#include "stsafe/protocol/error.h"

static const char *prog = CLI_PROG;

static int snapshot_save(tool_session *s, const char *path)
{
    static uint8_t snap[STSAFE_EMU_SNAPSHOT_MAX_SIZE];
    size_t len = 0;
    stsafe_emu_chip *chip = tool_session_chip(s);
    int err = chip ? stsafe_emu_snapshot_save(chip, snap, sizeof snap, &len)
                   : stsafe_bus_socket_snapshot(&s->sock, snap, sizeof snap, &len);
    if (err == STSAFE_ERR_UNSUPPORTED) {
        tool_error(prog, "snapshot save: the server does not offer snapshots (protocol version %u; "
                   "SNAPSHOT needs version 3 and an emulated chip)", s->sock.version);
        return TOOL_EXIT_FAIL;
    }
    if (err)
        return cli_report(err, "snapshot save");
    /* 0600 from its creation, whatever the umask: it holds the private keys and the seed */
    err = stsafe_emu_file_write(path, snap, len, 0600);
    mbedtls_platform_zeroize(snap, len);
    if (err) {
        tool_error(prog, "snapshot save: cannot write '%s': %s", path, strerror(errno));
        return TOOL_EXIT_FAIL;
    }
    printf("snapshot saved: %zu bytes in %s (mode 0600: it holds the chip's keys)\n", len, path);
    return TOOL_EXIT_OK;
}

static int snapshot_restore(tool_session *s, const char *path)
{
    char *data = NULL;
    size_t len = 0;
    if (tool_read_file(prog, path, &data, &len) != 0)
        return TOOL_EXIT_FAIL;
    int err;
    stsafe_emu_chip *chip = tool_session_chip(s);
    if (len == 0 || len > STSAFE_SOCK_SNAPSHOT_MAX)
        err = STSAFE_ERR_IMAGE_FORMAT;
    else if (chip)
        err = stsafe_emu_snapshot_restore(chip, (const uint8_t *)data, len); /* the image is saved on close */
    else
        err = stsafe_bus_socket_restore(&s->sock, (const uint8_t *)data, len);
    mbedtls_platform_zeroize(data, len);
    free(data);
    if (err == STSAFE_ERR_UNSUPPORTED) {
        tool_error(prog, "snapshot restore: the server does not offer restores (protocol version %u; "
                   "RESTORE needs version 3 and an emulated chip)", s->sock.version);
        return TOOL_EXIT_FAIL;
    }
    if (err == STSAFE_ERR_BUS_IO && s->sock.last_status == STSAFE_SOCK_ST_FAILED) {
        tool_error(prog, "snapshot restore: '%s' was not restored; the chip is unchanged", path);
        return TOOL_EXIT_FAIL; /* the server's reason follows (cli_show_server_reason) */
    }
    if (err && chip) {
        tool_error(prog, "snapshot restore: '%s' is not a snapshot this build can restore: %s; "
                   "the chip is unchanged", path, stsafe_strerror(err));
        return TOOL_EXIT_FAIL;
    }
    if (err)
        return cli_report(err, "snapshot restore");
    printf("restored from %s (%zu bytes)\n", path, len);
    return TOOL_EXIT_OK;
}

int cli_do_snapshot(tool_session *s, const cli_args *a)
{
    const char *op = a->npositional == 2 ? a->positional[0] : "";
    if (strcmp(op, "save") != 0 && strcmp(op, "restore") != 0) {
        tool_error(prog, "usage: snapshot save FILE | snapshot restore FILE");
        return TOOL_EXIT_USAGE;
    }
    int rc = tool_session_need_server(s, prog, "snapshot");
    if (rc)
        return rc;
    return !strcmp(op, "save") ? snapshot_save(s, a->positional[1]) : snapshot_restore(s, a->positional[1]);
}
