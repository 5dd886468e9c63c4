/* SPDX-License-Identifier: BSD-3-Clause */
/* The socket server's operations other than I2C traffic: POWER_CYCLE and
 * STATS, FAULT (docs/faults.md: what every client then reads, byte for byte,
 * and what the chip keeps; a spec refused before any device sees it), the
 * combined transfer, and a device that is not a chip (no stats, power cycle
 * or faults; it stops the server when it fails for good). Servers run in a
 * thread on a unix socket in a temporary folder (server_fixture.h). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include <cmocka.h>

#include "server_fixture.h"
#include "sock_test.h"
#include "stsafe/bus/sock_proto.h"
#include "stsafe/bus/socket.h"
#include "stsafe/client/client.h"
#include "stsafe/emulator/image.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/server/server.h"

/* ---- control operations ----------------------------------------------------------------- */

/* The host writes Echo "ab" (its answer: 00 · 00 04 · "ab" · CRC). */
static void write_echo(sock_test_remote *r)
{
    uint8_t frame[16];
    size_t n = 0;
    assert_int_equal(stsafe_cmd_frame_encode(0x00, (const uint8_t *)"ab", 2, 64, frame, sizeof frame, &n), 0);
    assert_int_equal(stsafe_bus_write(&r->bus, 0x20, frame, n), 0);
}

/* FAULT arms the faults of docs/faults.md in the server's chip: what every
 * client then reads, byte for byte, and what the chip keeps. */
static void test_faults(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_serve(f, STSAFE_EMU_TIMING_NONE);
    sock_test_remote r;
    char reason[160];
    uint8_t clean[7], got[7];
    sock_test_remote_open(&r, f->listen);
    write_echo(&r);
    assert_int_equal(stsafe_bus_read(&r.bus, 0x20, clean, sizeof clean), 0);
    assert_memory_equal(clean, "\x00\x00\x04" "ab", 5); /* status OK, length 4 (data and CRC), the echo */

    /* nack=2: two reads NACKed before the chip sees them, then the answer. */
    assert_int_equal(stsafe_bus_socket_fault(&r.sock, "nack=2", reason, sizeof reason), 0);
    write_echo(&r);
    assert_int_equal(stsafe_bus_read(&r.bus, 0x20, got, sizeof got), STSAFE_ERR_BUS_NACK);
    assert_int_equal(stsafe_bus_read(&r.bus, 0x20, got, sizeof got), STSAFE_ERR_BUS_NACK);
    assert_int_equal(stsafe_bus_read(&r.bus, 0x20, got, sizeof got), 0);
    assert_memory_equal(got, clean, sizeof clean);
    srv_fixture_assert_logged(f, "stsafe-emu serve: ");
    srv_fixture_assert_logged(f, ": faults armed: nack=2");
    srv_fixture_assert_logged(f, ": fault: NACK read 2 of 2: the run is over");

    /* flip=3:0 then truncate=2, each on the next answer, in every read of it. */
    assert_int_equal(stsafe_bus_socket_fault(&r.sock, "flip=3:0", reason, sizeof reason), 0);
    write_echo(&r);
    uint8_t want[7];
    memcpy(want, clean, sizeof want);
    want[3] ^= 0x01;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(stsafe_bus_read(&r.bus, 0x20, got, sizeof got), 0);
        assert_memory_equal(got, want, sizeof want);
    }
    assert_int_equal(stsafe_bus_socket_fault(&r.sock, "truncate=2", reason, sizeof reason), 0);
    write_echo(&r);
    assert_int_equal(stsafe_bus_read(&r.bus, 0x20, got, sizeof got), 0);
    assert_memory_equal(got, "\x00\x00\xff\xff\xff\xff\xff", 7);
    assert_int_equal(stsafe_client_echo(&r.client, (const uint8_t *)"ab", 2, got), 0); /* spent */

    /* drop: the command ran, its answer is lost until the next write. */
    assert_int_equal(stsafe_bus_socket_fault(&r.sock, "drop", reason, sizeof reason), 0);
    write_echo(&r);
    assert_int_equal(stsafe_bus_read(&r.bus, 0x20, got, sizeof got), STSAFE_ERR_BUS_NACK);
    assert_int_equal(stsafe_bus_read(&r.bus, 0x20, got, sizeof got), STSAFE_ERR_BUS_NACK);
    srv_fixture_assert_logged(f, ": fault: response dropped: reads NACKed until the next command");

    /* brownout: an Update is lost, zone and image as before, the chip silent. */
    uint8_t zone[3], before[STSAFE_EMU_IMAGE_MAX_SIZE], after[STSAFE_EMU_IMAGE_MAX_SIZE];
    static const uint8_t data[] = {0xB0, 0x0B, 0x1E};
    assert_int_equal(stsafe_client_read(&r.client, 0, 2, 0, 3, zone), 0);
    size_t image_len = srv_fixture_read_file(f->image, before, sizeof before);
    assert_true(image_len > 0);
    assert_int_equal(stsafe_bus_socket_fault(&r.sock, "brownout", reason, sizeof reason), 0);
    r.client.max_polls = 2;
    assert_int_not_equal(stsafe_client_update(&r.client, 0, 2, 0, data, sizeof data), 0);
    srv_fixture_assert_logged(f, ": fault: brown-out during the NVM write (write undone): the chip lost the "
                     "command, restarted and will not answer");
    assert_int_equal(stsafe_client_read(&r.client, 0, 2, 0, 3, got), 0);
    assert_memory_equal(got, zone, 3);
    assert_int_equal(srv_fixture_read_file(f->image, after, sizeof after), image_len);
    assert_memory_equal(after, before, image_len);
    /* reset: the command is lost, nothing answers it. */
    assert_int_equal(stsafe_bus_socket_fault(&r.sock, "reset", reason, sizeof reason), 0);
    assert_int_not_equal(stsafe_client_echo(&r.client, (const uint8_t *)"ab", 2, got), 0);
    srv_fixture_assert_logged(f, ": fault: reset mid-command: the chip lost the command");
    assert_int_equal(stsafe_client_echo(&r.client, (const uint8_t *)"ab", 2, got), 0);

    /* Faults live in the chip, not the connection: another client sees them. */
    assert_int_equal(stsafe_bus_socket_fault(&r.sock, "nack=1", reason, sizeof reason), 0);
    sock_test_remote_close(&r);
    sock_test_remote_open(&r, f->listen);
    write_echo(&r);
    assert_int_equal(stsafe_bus_read(&r.bus, 0x20, got, sizeof got), STSAFE_ERR_BUS_NACK);
    assert_int_equal(stsafe_bus_read(&r.bus, 0x20, got, sizeof got), 0);

    /* A malformed spec: ERR_ARGS naming the item, and the server closes. */
    assert_int_equal(stsafe_bus_socket_fault(&r.sock, "drop,flip=9", reason, sizeof reason),
                     STSAFE_ERR_BAD_INPUT);
    assert_string_equal(reason, "'flip=9' is not a fault (nack=N, flip=BYTE:BIT, drop[=N], truncate=N, "
                                "latency=MS, brownout[=N], reset[=N]; numbers decimal or 0x hex)");
    assert_int_equal(r.sock.fd, -1);
    sock_test_remote_close(&r);
    /* Not sent at all: an empty or over-long spec. */
    sock_test_remote_open(&r, f->listen);
    char big[STSAFE_SOCK_MAX_FAULT_SPEC + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(stsafe_bus_socket_fault(&r.sock, "", reason, sizeof reason), STSAFE_ERR_BAD_INPUT);
    assert_int_equal(stsafe_bus_socket_fault(&r.sock, big, reason, sizeof reason), STSAFE_ERR_BAD_INPUT);
    uint64_t requests = r.sock.requests;
    assert_int_equal(stsafe_client_echo(&r.client, (const uint8_t *)"ab", 2, got), 0);
    assert_int_equal(r.sock.requests, requests + 1); /* one COMMAND */
    sock_test_remote_close(&r);
    srv_fixture_stop(f);
}

/* The FAULT request's bytes: a spec that is not printable text is refused
 * before any device sees it. */
static void test_fault_bytes(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_serve(f, STSAFE_EMU_TIMING_NONE);
    int fd = sock_test_hello(f->listen);
    static const uint8_t nack1[] = {0, 0, 0, 7, 0x12, 'n', 'a', 'c', 'k', '=', '1'};
    static const uint8_t ok[] = {0, 0, 0, 2, 0x12, 0x00};
    sock_test_exchange(fd, nack1, sizeof nack1, ok, sizeof ok);
    static const uint8_t read3[] = {0, 0, 0, 4, 0x03, 0x20, 0x00, 0x03};
    static const uint8_t nacked[] = {0, 0, 0, 2, 0x03, 0x01};
    sock_test_exchange(fd, read3, sizeof read3, nacked, sizeof nacked);
    static const uint8_t binary[] = {0, 0, 0, 3, 0x12, 'x', 0x00};
    uint8_t want[160];
    sock_test_exchange(fd, binary, sizeof binary, want,
                       sock_test_reason_answer(want, 0x12, 0x82,
                                          "fault takes a spec of 1 to 255 printable characters "
                                          "(docs/faults.md)"));
    assert_true(sock_test_closed(fd, 5000));
    close(fd);
    srv_fixture_stop(f);
}

static void test_power_cycle_and_stats(void **state)
{
    srv_fixture *f = *state;
    srv_fixture_serve(f, STSAFE_EMU_TIMING_NONE);
    sock_test_remote r;
    stsafe_sock_stats st;
    uint8_t out[5];
    sock_test_remote_open(&r, f->listen);
    assert_int_equal(r.sock.requests, 1); /* HELLO */
    assert_int_equal(stsafe_client_echo(&r.client, (const uint8_t *)"x", 1, out), 0);
    assert_int_equal(r.sock.requests, 2); /* one COMMAND */
    assert_int_equal(stsafe_bus_read(&r.bus, 0x20, out, 5), 0); /* the response is kept */
    assert_int_equal(stsafe_bus_socket_power_cycle(&r.sock), 0);
    assert_int_equal(stsafe_bus_read(&r.bus, 0x20, out, 5), STSAFE_ERR_BUS_NACK);
    assert_int_equal(r.sock.last_status, STSAFE_SOCK_ST_NACK);
    assert_int_equal(stsafe_bus_read(&r.bus, 0x21, out, 5), STSAFE_ERR_BUS_NACK);
    assert_int_equal(stsafe_bus_socket_stats(&r.sock, &st), 0);
    assert_int_equal(st.commands, 1);
    assert_int_equal(st.nacks, 1); /* another address is no NACK of the chip */
    assert_int_equal(st.nvm_writes, 0);
    /* A fault the server does not offer: refused with a reason, the connection goes on. */
    char reason[128];
    assert_int_equal(stsafe_bus_socket_fault(&r.sock, "nack=1,latency=5", reason, sizeof reason),
                     STSAFE_ERR_UNSUPPORTED);
    assert_int_equal(r.sock.last_status, STSAFE_SOCK_ST_UNSUPPORTED);
    assert_string_equal(reason, "'latency=5' is not offered by the server: the host adds latency on its own bus");
    assert_int_equal(stsafe_client_echo(&r.client, (const uint8_t *)"y", 1, out), 0); /* nack=1 not armed */
    /* A combined transfer: write, then read, stopping at the first NACK. */
    uint8_t frame[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38}, rsp[9];
    stsafe_i2c_msg msgs[] = {{0x20, STSAFE_I2C_MSG_WRITE, sizeof frame, frame},
                             {0x20, STSAFE_I2C_MSG_READ, sizeof rsp, rsp}};
    assert_int_equal(r.bus.ops->transfer(r.bus.ctx, msgs, 2), 0);
    static const uint8_t want[] = {0x00, 0x00, 0x06, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
    assert_memory_equal(rsp, want, sizeof want);
    msgs[0].addr = 0x21; /* NACKed: the read after it does not happen */
    memset(rsp, 0, sizeof rsp);
    assert_int_equal(r.bus.ops->transfer(r.bus.ctx, msgs, 2), STSAFE_ERR_BUS_NACK);
    assert_int_equal(rsp[2], 0);
    sock_test_remote_close(&r);
}

/* ---- a device that is not a chip ------------------------------------------------------------ */

/* A scripted device at 0x30, as a recorded device will be: it expects one
 * write, answers one read, has no power cycle, no statistics and nothing to
 * save, and fails for good when the host writes anything else. */
typedef struct {
    int step;
    char failure[96];
} script_device;

static const uint8_t script_frame[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
static const uint8_t script_rsp[] = {0x00, 0x00, 0x06, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};

static int script_write(void *ctx, uint64_t now_us, uint8_t addr, const uint8_t *data, size_t len)
{
    script_device *d = ctx;
    (void)now_us;
    if (addr != 0x30)
        return STSAFE_ERR_BUS_NACK;
    if (d->step != 0 || len != sizeof script_frame || memcmp(data, script_frame, len) != 0) {
        snprintf(d->failure, sizeof d->failure, "the host left the script at step %d", d->step);
        return STSAFE_ERR_BUS_IO;
    }
    d->step++;
    return 0;
}

static int script_read(void *ctx, uint64_t now_us, uint8_t addr, uint8_t *buf, size_t len)
{
    script_device *d = ctx;
    (void)now_us;
    if (addr != 0x30)
        return STSAFE_ERR_BUS_NACK;
    if (d->step != 1 || len > sizeof script_rsp)
        return STSAFE_ERR_BUFFER_TOO_SMALL; /* an error that is not for good */
    memcpy(buf, script_rsp, len);
    return 0;
}

static uint8_t script_address(const void *ctx)
{
    (void)ctx;
    return 0x30;
}

static const char *script_name(const void *ctx)
{
    (void)ctx;
    return "script";
}

static const char *script_failure(const void *ctx)
{
    const script_device *d = ctx;
    return d->failure[0] ? d->failure : NULL;
}

static const stsafe_server_device_ops script_ops = {
    .i2c_write = script_write, .i2c_read = script_read, .address = script_address,
    .name = script_name, .failure = script_failure};

static void test_other_device(void **state)
{
    srv_fixture *f = *state;
    script_device dev = {0};
    stsafe_server_device handle = {.ops = &script_ops, .ctx = &dev};
    stsafe_server_config cfg = {.devices = &handle, .device_count = 1, .listen = f->listen,
                                .log = f->log, .stop = &f->stop};
    /* Exactly one of an image and devices. */
    cfg.image_path = f->image;
    assert_int_equal(stsafe_server_init(&f->srv, &cfg), STSAFE_ERR_BAD_INPUT);
    cfg.image_path = NULL;
    cfg.devices = NULL;
    assert_int_equal(stsafe_server_init(&f->srv, &cfg), STSAFE_ERR_BAD_INPUT);
    cfg.devices = &handle;
    assert_int_equal(stsafe_server_init(&f->srv, &cfg), 0); /* this config as it is: no seed */
    f->up = 1;
    srv_fixture_run(f);

    int fd = sock_test_connect(f->listen);
    static const uint8_t hello30[] = {0, 0, 0, 7, 0x01, 0x00, 0x01, 0x04, 0x00, 0x30, 0x00};
    sock_test_exchange(fd, sock_test_hello_req, sizeof sock_test_hello_req, hello30, sizeof hello30);
    uint8_t want[128];
    static const uint8_t stats[] = {0, 0, 0, 1, 0x11}, power[] = {0, 0, 0, 1, 0x10};
    sock_test_exchange(fd, stats, sizeof stats, want,
                 sock_test_reason_answer(want, 0x11, 0x02, "the device does not offer stats"));
    sock_test_exchange(fd, power, sizeof power, want,
                 sock_test_reason_answer(want, 0x10, 0x02, "the device does not offer power-cycle"));
    static const uint8_t fault[] = {0, 0, 0, 6, 0x12, 'r', 'e', 's', 'e', 't'};
    sock_test_exchange(fd, fault, sizeof fault, want,
                 sock_test_reason_answer(want, 0x12, 0x02, "the device does not offer fault"));
    static const uint8_t echo[] = {0, 0, 0, 9, 0x02, 0x30, 0x00, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
    static const uint8_t ack[] = {0, 0, 0, 2, 0x02, 0x00};
    sock_test_exchange(fd, echo, sizeof echo, ack, sizeof ack);
    static const uint8_t read9[] = {0, 0, 0, 4, 0x03, 0x30, 0x00, 0x09};
    static const uint8_t ans9[] = {0, 0, 0, 11, 0x03, 0x00, 0x00, 0x00, 0x06,
                                   0x01, 0x02, 0x03, 0x04, 0x0A, 0x38};
    sock_test_exchange(fd, read9, sizeof read9, ans9, sizeof ans9);
    static const uint8_t read_long[] = {0, 0, 0, 4, 0x03, 0x30, 0x00, 0x0A};
    sock_test_exchange(fd, read_long, sizeof read_long, want,
                 sock_test_reason_answer(want, 0x03, 0x03, "the device failed: output buffer too small"));
    static const uint8_t other[] = {0, 0, 0, 3, 0x02, 0x20, 0x00};
    static const uint8_t nack[] = {0, 0, 0, 2, 0x02, 0x01};
    sock_test_exchange(fd, other, sizeof other, nack, sizeof nack);
    /* Off the script: FAILED with the device's reason, and the server stops. */
    sock_test_exchange(fd, echo, sizeof echo, want,
                 sock_test_reason_answer(want, 0x02, 0x03, "the host left the script at step 1"));
    assert_true(sock_test_closed(fd, 5000));
    close(fd);
    assert_int_equal(srv_fixture_join(f), STSAFE_ERR_DEVICE_FAILED);
    assert_string_equal(f->srv.failure, "the host left the script at step 1");
    srv_fixture_stop(f); /* frees the server: it has stopped by itself */
    srv_fixture_assert_logged(f, "listening on unix:");
    srv_fixture_assert_logged(f, "(device 'script', timing none, 1 client at a time)");
    srv_fixture_assert_logged(f, "device 'script' failed: the host left the script at step 1; the server stops");
    srv_fixture_assert_logged(f, "client 1 closed: the server is stopping");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_power_cycle_and_stats, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_faults, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_fault_bytes, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_other_device, srv_fixture_setup_socket,
                                        srv_fixture_teardown),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
