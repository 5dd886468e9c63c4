/* SPDX-License-Identifier: BSD-3-Clause */
/* SNAPSHOT and RESTORE (socket protocol version 3, issue 15 item 3): the
 * documented chunk bytes through stsafe_server_handle(); a version 2
 * connection does not know them; over a real socket, a chip restored from
 * a snapshot answers a rerun of Generate Key, Generate Random and Generate
 * Signature byte for byte, and so does the image the server saved (after a
 * restart); a damaged, truncated or cut-off restore changes nothing, not
 * the chip's whole state, not the image on disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "stsafe/bus/sock_proto.h"
#include "stsafe/bus/socket.h"
#include "stsafe/client/client.h"
#include "stsafe/emulator/snapshot.h"
#include "stsafe/protocol/error.h"
#include "stsafe/server/chip_device.h"
#include "stsafe/server/server.h"
#include "server_fixture.h"
#include "sock_test.h"

static uint8_t snap_a[STSAFE_EMU_SNAPSHOT_MAX_SIZE], snap_b[STSAFE_EMU_SNAPSHOT_MAX_SIZE],
    snap_c[STSAFE_EMU_SNAPSHOT_MAX_SIZE];

/* Sends a request body to the server core and returns the answer's status. */
static uint8_t handle(stsafe_server *s, stsafe_server_session *sess, const uint8_t *req, size_t len,
                      uint8_t *ans, size_t *ans_len)
{
    return stsafe_server_handle(s, sess, req, len, ans, ans_len);
}

static void hello(stsafe_server *s, stsafe_server_session *sess, uint8_t version)
{
    const uint8_t req[] = {0x01, 'S', 'T', 'S', 'E', version};
    uint8_t ans[STSAFE_SOCK_MAX_BODY];
    size_t n = 0;
    assert_int_equal(handle(s, sess, req, sizeof req, ans, &n), STSAFE_SOCK_ST_OK);
}

/* The chunk bytes of docs/socket-protocol.md ("0x14 SNAPSHOT", "0x15 RESTORE"). */
static void test_snapshot_bytes(void **state)
{
    (void)state;
    srv_fixture *f = srv_fixture_new();
    stsafe_server srv;
    stsafe_server_session sess;
    memset(&sess, 0, sizeof sess);
    stsafe_server_config cfg = {.image_path = f->image, .listen = f->listen, .log = f->log};
    assert_int_equal(stsafe_server_init(&srv, &cfg), 0);
    hello(&srv, &sess, 3);
    size_t want_len = 0;
    assert_int_equal(stsafe_emu_snapshot_save(&srv.chips[0].chip, snap_a, sizeof snap_a, &want_len), 0);

    /* SNAPSHOT offset 0: total (4) and the first 1016 bytes, "STSESNAP" 00 01 first */
    uint8_t ans[STSAFE_SOCK_MAX_BODY];
    size_t n = 0, got = 0;
    const uint8_t first[] = {0x14, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(handle(&srv, &sess, first, sizeof first, ans, &n), STSAFE_SOCK_ST_OK);
    assert_int_equal(n, 2 + 4 + STSAFE_SOCK_SNAPSHOT_CHUNK);
    const uint8_t head[] = {0x14, 0x00, 0x00, 0x00, (uint8_t)(want_len >> 8), (uint8_t)want_len,
                            'S', 'T', 'S', 'E', 'S', 'N', 'A', 'P', 0x00, 0x01};
    assert_int_equal(want_len, 8884); /* the default profile's, as the page says */
    assert_memory_equal(ans, head, sizeof head);
    memcpy(snap_b, ans + 6, n - 6);
    got = n - 6;
    while (got < want_len) { /* the rest, offset by offset; the last chunk is shorter */
        uint8_t req[5] = {0x14, 0, 0, (uint8_t)(got >> 8), (uint8_t)got};
        assert_int_equal(handle(&srv, &sess, req, sizeof req, ans, &n), STSAFE_SOCK_ST_OK);
        size_t part = want_len - got < STSAFE_SOCK_SNAPSHOT_CHUNK ? want_len - got : STSAFE_SOCK_SNAPSHOT_CHUNK;
        assert_int_equal(n, 6 + part);
        memcpy(snap_b + got, ans + 6, part);
        got += part;
    }
    assert_memory_equal(snap_a, snap_b, want_len);
    assert_null(sess.snap); /* read to its end: the server's copy is gone */
    /* an offset with no snapshot being read: ERR_ARGS, the connection closes */
    const uint8_t late[] = {0x14, 0x00, 0x00, 0x04, 0x00};
    assert_int_equal(handle(&srv, &sess, late, sizeof late, ans, &n), STSAFE_SOCK_ST_ERR_ARGS);
    static const char late_why[] = "\x14\x82snapshot offset 1024 is past the snapshot being read (0 bytes; "
                                   "offset 0 takes one)";
    assert_int_equal(n, sizeof late_why - 1);
    assert_memory_equal(ans, late_why, n);

    /* RESTORE: offset (4) · total (4) · data; each answer says how much is in */
    stsafe_server_session rs;
    memset(&rs, 0, sizeof rs);
    hello(&srv, &rs, 3);
    uint8_t req[9 + STSAFE_SOCK_SNAPSHOT_CHUNK];
    size_t sent = 0;
    while (sent < want_len) {
        size_t part = want_len - sent < STSAFE_SOCK_SNAPSHOT_CHUNK ? want_len - sent : STSAFE_SOCK_SNAPSHOT_CHUNK;
        req[0] = 0x15;
        stsafe_sock_put_u32(req + 1, (uint32_t)sent);
        stsafe_sock_put_u32(req + 5, (uint32_t)want_len);
        memcpy(req + 9, snap_a + sent, part);
        assert_int_equal(handle(&srv, &rs, req, 9 + part, ans, &n), STSAFE_SOCK_ST_OK);
        sent += part;
        const uint8_t ok[] = {0x15, 0x00, 0x00, 0x00, (uint8_t)(sent >> 8), (uint8_t)sent};
        assert_int_equal(n, sizeof ok);
        assert_memory_equal(ans, ok, sizeof ok);
    }
    assert_null(rs.restore);
    /* a chunk out of order: ERR_ARGS, nothing kept */
    req[0] = 0x15;
    stsafe_sock_put_u32(req + 1, 0);
    stsafe_sock_put_u32(req + 5, (uint32_t)want_len);
    assert_int_equal(handle(&srv, &rs, req, 9 + 100, ans, &n), STSAFE_SOCK_ST_OK);
    assert_non_null(rs.restore);
    stsafe_sock_put_u32(req + 1, 200);
    assert_int_equal(handle(&srv, &rs, req, 9 + 100, ans, &n), STSAFE_SOCK_ST_ERR_ARGS);
    static const char why[] = "\x15\x82restore chunk at offset 200 of 8884, expected offset 100 of 8884 "
                              "(chunks in order from offset 0)";
    assert_int_equal(n, sizeof why - 1);
    assert_memory_equal(ans, why, n);
    assert_null(rs.restore);
    /* a total of 0, or an empty chunk: ERR_ARGS */
    stsafe_sock_put_u32(req + 1, 0);
    stsafe_sock_put_u32(req + 5, 0);
    assert_int_equal(handle(&srv, &rs, req, 9 + 1, ans, &n), STSAFE_SOCK_ST_ERR_ARGS);
    assert_int_equal(handle(&srv, &rs, req, 9, ans, &n), STSAFE_SOCK_ST_ERR_ARGS);
    stsafe_server_session_free(&sess);
    stsafe_server_session_free(&rs);
    stsafe_server_free(&srv);
    srv_fixture_free(f);
}

/* A connection whose HELLO agreed on version 2 does not know them. */
static void test_snapshot_needs_version_3(void **state)
{
    (void)state;
    srv_fixture *f = srv_fixture_new();
    stsafe_server srv;
    stsafe_server_session sess;
    stsafe_server_config cfg = {.image_path = f->image, .listen = f->listen, .log = f->log};
    assert_int_equal(stsafe_server_init(&srv, &cfg), 0);
    const uint8_t snap_req[] = {0x14, 0, 0, 0, 0};
    const uint8_t restore_req[] = {0x15, 0, 0, 0, 0, 0, 0, 0, 1, 0x53};
    static const char unknown14[] = "\x14\x81unknown operation 0x14";
    static const char unknown15[] = "\x15\x81unknown operation 0x15";
    uint8_t ans[STSAFE_SOCK_MAX_BODY];
    size_t n = 0;
    memset(&sess, 0, sizeof sess);
    hello(&srv, &sess, 2);
    assert_int_equal(handle(&srv, &sess, snap_req, sizeof snap_req, ans, &n), STSAFE_SOCK_ST_ERR_OP);
    assert_int_equal(n, sizeof unknown14 - 1);
    assert_memory_equal(ans, unknown14, n);
    memset(&sess, 0, sizeof sess);
    hello(&srv, &sess, 2);
    assert_int_equal(handle(&srv, &sess, restore_req, sizeof restore_req, ans, &n), STSAFE_SOCK_ST_ERR_OP);
    assert_int_equal(n, sizeof unknown15 - 1);
    assert_memory_equal(ans, unknown15, n);
    assert_null(sess.restore);
    /* and the C client does not even ask */
    stsafe_server_free(&srv);
    srv_fixture_start(f, (stsafe_server_config){0});
    stsafe_bus_socket sock;
    stsafe_bus bus;
    size_t len = 0;
    stsafe_bus_socket_init(&sock);
    assert_int_equal(stsafe_bus_socket_connect(&sock, &bus, f->listen), 0);
    sock.version = 2; /* as after a HELLO answered by a version 2 server */
    uint64_t before = sock.requests;
    assert_int_equal(stsafe_bus_socket_snapshot(&sock, snap_a, sizeof snap_a, &len), STSAFE_ERR_UNSUPPORTED);
    assert_int_equal(stsafe_bus_socket_restore(&sock, snap_a, 100), STSAFE_ERR_UNSUPPORTED);
    assert_int_equal(sock.requests, before);
    stsafe_bus_socket_free(&sock);
    srv_fixture_free(f);
}

/* Generate Key in slot 1, Generate Random, Generate Signature with the new
 * key: every byte that depends on the chip's random source, into \p out. */
static size_t session(stsafe_client *c, uint8_t *out)
{
    stsafe_ecc_point pub;
    stsafe_ecc_signature sig;
    uint8_t digest[32];
    size_t n = 0;
    memset(&pub, 0, sizeof pub);
    memset(&sig, 0, sizeof sig);
    memset(digest, 0x5D, sizeof digest);
    assert_int_equal(stsafe_client_generate_key(c, 1, STSAFE_CURVE_P256, 0xFFFF, &pub), 0);
    memcpy(out + n, pub.x, pub.size);
    n += pub.size;
    memcpy(out + n, pub.y, pub.size);
    n += pub.size;
    assert_int_equal(stsafe_client_random(c, 32, out + n), 0);
    n += 32;
    assert_int_equal(stsafe_client_sign(c, 1, digest, sizeof digest, &sig), 0);
    memcpy(out + n, sig.r, sig.size);
    n += sig.size;
    memcpy(out + n, sig.s, sig.size);
    n += sig.size;
    return n;
}

/* Exactly \p n bytes from \p fd (an answer of known length). */
static void recv_exact(int fd, uint8_t *buf, size_t n)
{
    size_t have = 0;
    while (have < n) {
        ssize_t got = recv(fd, buf + have, n - have, 0);
        assert_true(got > 0);
        have += (size_t)got;
    }
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(buf, 1, cap, fp);
    fclose(fp);
    return n;
}

/* Over a real socket: snapshot, session, restore, the same session gives
 * the same bytes; the restore is on disk before it is acknowledged. */
static void test_snapshot_rerun_socket(void **state)
{
    (void)state;
    srv_fixture *f = srv_fixture_new();
    sock_test_remote r;
    uint8_t first[256], again[256], other[256];
    size_t len = 0;
    srv_fixture_start(f, (stsafe_server_config){0});
    sock_test_remote_open(&r, f->listen);
    assert_int_equal(r.sock.version, 3);
    assert_int_equal(stsafe_bus_socket_snapshot(&r.sock, snap_a, sizeof snap_a, &len), 0);
    assert_true(len > 4 * STSAFE_SOCK_SNAPSHOT_CHUNK); /* several chunks */
    size_t n1 = session(&r.client, first);
    size_t n0 = session(&r.client, other); /* without a restore the chip draws new bytes */
    assert_int_equal(n0, n1);
    assert_memory_not_equal(first, other, n1);
    assert_int_equal(stsafe_bus_socket_restore(&r.sock, snap_a, len), 0);
    size_t n2 = session(&r.client, again);
    assert_int_equal(n1, n2);
    assert_memory_equal(first, again, n1);
    /* restored once more, then the server restarts from its image: the
     * restore was saved before it was acknowledged */
    assert_int_equal(stsafe_bus_socket_restore(&r.sock, snap_a, len), 0);
    sock_test_remote_close(&r);
    srv_fixture_stop(f);
    srv_fixture_assert_logged(f, "restored from a snapshot of");
    srv_fixture_start(f, (stsafe_server_config){0});
    sock_test_remote_open(&r, f->listen);
    size_t n3 = session(&r.client, again);
    assert_int_equal(n1, n3);
    assert_memory_equal(first, again, n1);
    sock_test_remote_close(&r);
    srv_fixture_free(f);
}

/* A damaged or truncated snapshot, and a restore cut off by the connection,
 * change nothing: the chip's whole state (a snapshot of it) and its image
 * file are the same bytes before and after. */
static void test_restore_refused(void **state)
{
    (void)state;
    srv_fixture *f = srv_fixture_new();
    sock_test_remote r;
    static uint8_t image_before[65536], image_after[65536];
    uint8_t scratch[256];
    size_t len = 0, len_b = 0, len_c = 0;
    char reason[256];
    srv_fixture_start(f, (stsafe_server_config){0});
    sock_test_remote_open(&r, f->listen);
    assert_int_equal(stsafe_bus_socket_snapshot(&r.sock, snap_a, sizeof snap_a, &len), 0);
    (void)session(&r.client, scratch); /* the chip moves on from the snapshot */
    assert_int_equal(stsafe_bus_socket_snapshot(&r.sock, snap_b, sizeof snap_b, &len_b), 0);
    size_t img_len = read_file(f->image, image_before, sizeof image_before);

    snap_a[len / 2] ^= 0x01; /* damaged */
    assert_int_equal(stsafe_bus_socket_restore(&r.sock, snap_a, len), STSAFE_ERR_BUS_IO);
    assert_int_equal(r.sock.last_status, STSAFE_SOCK_ST_FAILED);
    stsafe_bus_socket_last_reason(&r.sock, reason, sizeof reason);
    assert_string_equal(reason, "the snapshot was refused: image checksum mismatch (file corrupted); nothing changed");
    snap_a[len / 2] ^= 0x01;
    /* truncated: sent whole, but short of its end */
    assert_int_equal(stsafe_bus_socket_restore(&r.sock, snap_a, len - 40), STSAFE_ERR_BUS_IO);
    assert_int_equal(r.sock.last_status, STSAFE_SOCK_ST_FAILED);
    assert_true(r.sock.fd >= 0); /* FAILED: the connection stays */
    assert_int_equal(stsafe_bus_socket_snapshot(&r.sock, snap_c, sizeof snap_c, &len_c), 0);
    assert_int_equal(len_c, len_b);
    assert_memory_equal(snap_b, snap_c, len_b);
    sock_test_remote_close(&r);

    /* cut off: every chunk but the last, then the connection closes */
    int fd = sock_test_connect(f->listen);
    const uint8_t hello3[] = {0, 0, 0, 6, 0x01, 'S', 'T', 'S', 'E', 3};
    uint8_t in[64], msg[4 + 9 + STSAFE_SOCK_SNAPSHOT_CHUNK];
    sock_test_send(fd, hello3, sizeof hello3);
    recv_exact(fd, in, 11);
    for (size_t sent = 0; sent + STSAFE_SOCK_SNAPSHOT_CHUNK < len; sent += STSAFE_SOCK_SNAPSHOT_CHUNK) {
        stsafe_sock_put_u32(msg, 9 + STSAFE_SOCK_SNAPSHOT_CHUNK);
        msg[4] = 0x15;
        stsafe_sock_put_u32(msg + 5, (uint32_t)sent);
        stsafe_sock_put_u32(msg + 9, (uint32_t)len);
        memcpy(msg + 13, snap_a + sent, STSAFE_SOCK_SNAPSHOT_CHUNK);
        sock_test_send(fd, msg, sizeof msg);
        recv_exact(fd, in, 10);
        assert_int_equal(in[5], STSAFE_SOCK_ST_OK);
    }
    close(fd);
    sock_test_remote_open(&r, f->listen);
    assert_int_equal(stsafe_bus_socket_snapshot(&r.sock, snap_c, sizeof snap_c, &len_c), 0);
    assert_int_equal(len_c, len_b);
    assert_memory_equal(snap_b, snap_c, len_b);
    sock_test_remote_close(&r);
    assert_int_equal(read_file(f->image, image_after, sizeof image_after), img_len);
    assert_memory_equal(image_before, image_after, img_len);
    srv_fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_bytes),
        cmocka_unit_test(test_snapshot_needs_version_3),
        cmocka_unit_test(test_snapshot_rerun_socket),
        cmocka_unit_test(test_restore_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
