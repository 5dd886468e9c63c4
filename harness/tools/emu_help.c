/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-emu's commands: the table main() dispatches from, with the help
 * text of each (stsafe-emu --help, stsafe-emu COMMAND --help). The man page
 * is made from --help by help2man (cmake/Install.cmake). */
#include <stdio.h>
#include <string.h>

#include "emu_cmds.h"
#include "emu_import.h"
#include "emu_serve.h"

static int run_wait(int argc, char **argv)
{
    return emu_cmd_wait(EMU_PROG, argc, argv);
}

static int run_replay(int argc, char **argv)
{
    return emu_cmd_replay(EMU_PROG, argc, argv);
}

static int run_trace(int argc, char **argv)
{
    return emu_cmd_trace(EMU_PROG, argc, argv);
}

/* In the order of --help. A command may have several entries (serve: one per
 * source of chips, info: image or bus); its first entry carries the handler,
 * the others NULL. Entries without a name (help, --version) are in --help
 * only. */
static const emu_command commands[] = {
    {"init", emu_cmd_init,
         "  init IMAGE [--profile NAME] [--serial HEX] [--seed HEX] [--ca-out PATH] [--force|--if-missing]\n"
         "        Create a chip image personalised with a profile (default: 'default'):\n"
         "        zones, counters, a P-256 device key in slot 0 and its certificate in\n"
         "        zone 0, issued by a test CA written to PATH (default IMAGE.ca.pem).\n"
         "        --serial sets the 9-byte serial number (18 hex digits).\n"
         "        --seed gives the chip its seed (1 to 64 bytes; otherwise random): all\n"
         "        its random bytes (keys, envelope keys, Generate Random, signature\n"
         "        nonces, its timing spread) and those of the profile come from it, so\n"
         "        the same seed and the same commands give the same bytes. It is as\n"
         "        secret as the keys.\n"
         "        An existing IMAGE is kept unless --force is given; with --if-missing\n"
         "        a valid existing IMAGE is success (exit 0). A failed init leaves nothing.\n"},
    {"info", emu_cmd_info,
         "  info IMAGE\n"
         "        Show serial, life cycle, zones, counters, key slots, the certificates in\n"
         "        the zones (and whether one carries the old NULL-parameter signature\n"
         "        algorithm, docs/provisioning.md) and host keys. Private key bytes are\n"
         "        never shown.\n"},
    {"info", NULL,
         "  info --bus ADDRESS [--chip N]\n"
         "        What a served chip (or a chip on i2c:/dev/i2c-N) says of itself through\n"
         "        Query: product data, life cycle, zones, key slots, host keys, password.\n"},
    {"bench", emu_cmd_bench,
         "  bench [--seconds S] [--fleet N] [--json]\n"
         "        Measure the emulator beside raw mbedTLS and a raw socket in the same run:\n"
         "        Echo round trips (in process, and over a unix socket beside a raw\n"
         "        ping-pong), P-256/P-384 signatures and ECDH through the whole frame path\n"
         "        and raw in 9 interleaved rounds (S seconds per figure and per round,\n"
         "        default 1), trace replay, snapshot restores (in process and over a unix\n"
         "        socket), and the memory per chip of a fleet of 1000.\n"
         "        --fleet N: also create and load a fleet of N chips (10000 for the\n"
         "        targets) and time both. --json: one JSON object instead of the table.\n"},
    {"serve", emu_cmd_serve,
         "  serve --image IMAGE --listen ADDR [--timing none|datasheet|real] [--clock host|nacks]\n"
         "        [--timing-profile minimum|observed] [--timing-spread PCT] [--trace FILE]\n"
         "        [--trace-secrets] [--idle-timeout S] [--socket-mode OCTAL] [--verbose]\n"
         "        [--pid-file FILE] [--ready-fd N] [--daemon] [--log FILE]\n"
         "        Serve the chip of IMAGE on a socket, one client at a time, with the\n"
         "        protocol of docs/socket-protocol.md. ADDR is unix:PATH or\n"
         "        tcp:HOST:PORT (use 127.0.0.1: there is no authentication). The image is\n"
         "        saved after every command that changed the NVM, and on SIGINT or SIGTERM,\n"
         "        which stop the server. --timing: none (answers at once, default),\n"
         "        datasheet (busy times on a virtual clock), real (busy times on the wall\n"
         "        clock). With datasheet, --clock host (default) moves the virtual clock\n"
         "        by the host's real waits between requests and at least 1 ms per NACK,\n"
         "        so a host polling every P ms up to N times succeeds when P x N covers\n"
         "        the command; --clock nacks moves it 1 ms per NACK only (exact NACK\n"
         "        counts, for tests of NACK handling; not for hosts that sleep).\n"
         "        --timing-profile minimum (default: ST's minimum waits) or observed\n"
         "        (the slower waits of a later ST integration); --timing-spread PCT:\n"
         "        each chip's times vary by up to PCT per cent (default 10), fixed by\n"
         "        its seed; 0 turns it off (docs/protocol.md, section 1).\n"
         "        Logs go to stderr; --verbose logs every request (secrets redacted).\n"
         "        --trace FILE records every I2C transaction that reaches the chip, from\n"
         "        any client, to FILE (mode 0600, docs/trace-format.md); host keys,\n"
         "        passwords and envelope plaintexts are redacted unless --trace-secrets,\n"
         "        which also writes the chip's seed, for an exact replay.\n"
         "        --idle-timeout S: a client silent for S seconds between requests is\n"
         "        dropped (default 30; 0: never), and one that sends no HELLO within 5 s\n"
         "        (or S when shorter): a silent client cannot hold the chip for ever.\n"
         "        A unix socket is 0600 (only this user may connect); --socket-mode 660\n"
         "        (octal) widens it, e.g. for a group.\n"
         "        For test suites: --pid-file FILE gets the PID; --ready-fd N gets the\n"
         "        bound address and a newline once listening; with tcp:HOST:0 the bound\n"
         "        address is printed on stdout; --daemon returns once the server listens\n"
         "        (printing its address); --log FILE (0600, appended) takes the log lines,\n"
         "        else a daemon is quiet.\n"},
    {"wait", run_wait,
         "  wait ADDRESS [--timeout S]\n"
         "        Exit 0 as soon as a server at ADDRESS answers HELLO; 1 after S seconds\n"
         "        (default 10).\n"},
    {"serve", NULL,
         "  serve --fleet N --image-dir DIR --listen ADDR [--timing ...] [--verbose]\n"
         "        A fleet: N chips (1 to 10000) in one server, chip i's image in\n"
         "        DIR/chip-0000.img, chip-0001.img... DIR and missing images are created:\n"
         "        default profile, serial 464C454554 then i in 4 bytes, random keys, test\n"
         "        CA in IMAGE.ca.pem. Up to 64 clients at once, each on chip 0 until it\n"
         "        selects another (stsafe-cli --bus ADDR --chip I). Images are saved as\n"
         "        with --image.\n"},
    {"serve", NULL,
         "  serve --from-trace TRACE --listen ADDR [--address A] [--verbose]\n"
         "        Be the chip recorded in TRACE for a host under test: each write must be\n"
         "        the trace's next command, byte for byte, and gets the recorded answer at\n"
         "        once. The first deviation is logged with both commands, answered FAILED,\n"
         "        and stops the server (exit 1). Once the host has read the answer to the\n"
         "        last command the server stops (exit 0); stopped earlier by a signal, it\n"
         "        exits 1. A: the chip's address (default: the trace's first write's).\n"
         "        --pid-file, --ready-fd, --daemon and --log work as with --image.\n"},
    {"replay", run_replay,
         "  replay TRACE --image IMAGE [--address A] [--quiet]\n"
         "        Send the commands of an I2C trace (docs/trace-format.md) to a fresh\n"
         "        emulator loaded from IMAGE (the image the trace was recorded with; it is\n"
         "        not changed) and compare every answer with the recording: byte for\n"
         "        byte when the trace carries this image's seed (--trace-secrets), else\n"
         "        answers made of random bytes by status and length (saying so), with\n"
         "        signatures verified and points checked on their curve. Exit 1 and the\n"
         "        first difference when they differ. A redacted command (a secret left\n"
         "        out) is sent with a substitute and the report counts them. --address:\n"
         "        the chip's (default: the image's).\n"},
    {"trace", run_trace,
         "  trace export --pcapng OUT TRACE\n"
         "        Write TRACE as a pcapng file for Wireshark or tshark: one packet per\n"
         "        message (LINKTYPE_I2C_LINUX, nanosecond times; NACKs carry the packet\n"
         "        comment NACK). OUT is created with mode 0600.\n"},
    {"import", emu_import_main,
         "  import --from sigrok|saleae CAPTURE [-o TRACE] [--samplerate HZ]\n"
         "        Turn a logic-analyser capture into an I2C trace (docs/trace-format.md):\n"
         "        sigrok-cli I2C decoder text (-A i2c; with --protocol-decoder-samplenum\n"
         "        and --samplerate, e.g. 2M, the times too), or a Saleae Logic 2 I2C\n"
         "        analyser CSV export. The trace goes to TRACE (default stdout).\n"},
    {NULL, NULL,
         "  help, --help\n"
         "        This text.\n"},
    {NULL, NULL,
         "  --version\n"
         "        The version, and the mbedTLS it was built and runs with.\n"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

const emu_command *emu_find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (commands[i].name && commands[i].run && !strcmp(name, commands[i].name))
            return &commands[i];
    return NULL;
}

static const char *const synopsis = "Usage: stsafe-emu <command> [options]\n";

void emu_usage_short(FILE *f)
{
    fprintf(f, "%sAn emulated ST STSAFE-A110 secure element.\nCommands:", synopsis);
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (commands[i].run)
            fprintf(f, " %s", commands[i].name);
    fputs("\n'stsafe-emu --help' describes them all; 'stsafe-emu COMMAND --help' describes one.\n", f);
}

void emu_usage_command(FILE *f, const emu_command *c)
{
    fprintf(f, "%s\n", synopsis);
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (commands[i].name && !strcmp(commands[i].name, c->name))
            fputs(commands[i].help, f);
}

void emu_usage(FILE *f)
{
    fprintf(f, "%s\nAn emulated ST STSAFE-A110 secure element.\n\nCommands:\n", synopsis);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fputs(commands[i].help, f);
    fputs("\nExit status: 0 success, 1 the operation failed, 2 bad command line.\n", f);
}
