/* SPDX-License-Identifier: BSD-3-Clause */
/* Issue 14, finding 4: a change the client is told of is on disk. The
 * served chip's image lives on the in-memory disk of storage.h, which can
 * be made full (ENOSPC) or lose its power (every operation fails, reads
 * included). A Decrement whose save fails is answered FAILED with the
 * reason, the chip is back at its image on disk and has no answer to
 * read; when even the image cannot be read back the server stops. A
 * RESTORE whose save fails is undone the same way. The
 * requests go through stsafe_server_handle(), the server without sockets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "stsafe/emulator/image.h"
#include "stsafe/emulator/profile.h"
#include "stsafe/emulator/rng.h"
#include "stsafe/emulator/snapshot.h"
#include "stsafe/emulator/storage.h"
#include "stsafe/protocol/buf.h"
#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/server/chip_device.h"
#include "stsafe/server/server.h"

#define COUNTER_START 500000u /* the default profile's counter zone 5 */

typedef struct {
    char dir[64];
    char image[128];
    char listen[160];
    stsafe_rng rng;
    stsafe_emu_memfs fs;
    stsafe_emu_storage st;
    stsafe_chip_device dev;
    stsafe_server_device handle;
    stsafe_server srv;
    stsafe_server_session sess;
    FILE *log;
    uint8_t ans[STSAFE_SOCK_MAX_BODY];
    size_t ans_len;
} rig;

static int setup(void **state)
{
    static const uint8_t seed[] = "test_save_failure";
    static const uint8_t serial[STSAFE_EMU_SERIAL_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    snprintf(r->dir, sizeof r->dir, "/tmp/stse-savefail-XXXXXX");
    assert_non_null(mkdtemp(r->dir));
    snprintf(r->image, sizeof r->image, "%s/chip.img", r->dir);
    snprintf(r->listen, sizeof r->listen, "unix:%s/s.sock", r->dir);
    assert_int_equal(stsafe_rng_init_deterministic(&r->rng, seed, sizeof seed), 0);
    stsafe_emu_nvm *nvm = calloc(1, sizeof *nvm);
    stsafe_emu_profile_output out;
    assert_non_null(nvm);
    assert_int_equal(stsafe_emu_profile_apply(nvm, "default", serial, stsafe_rng_fn, &r->rng, &out), 0);
    assert_int_equal(stsafe_emu_image_save(r->image, nvm), 0);
    free(nvm);
    assert_int_equal(stsafe_chip_device_load(&r->dev, r->image, STSAFE_EMU_TIMING_NONE, stsafe_rng_fn,
                                             &r->rng), 0);
    stsafe_emu_memfs_init(&r->fs);
    r->st = stsafe_emu_memfs_storage(&r->fs);
    assert_int_equal(stsafe_emu_image_save_to(&r->st, r->image, &r->dev.chip.nvm), 0);
    r->dev.storage = &r->st; /* the image now lives on the in-memory disk */
    r->handle = stsafe_chip_device_handle(&r->dev);
    r->log = tmpfile();
    assert_non_null(r->log);
    stsafe_server_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.devices = &r->handle;
    cfg.device_count = 1;
    cfg.listen = r->listen;
    cfg.log = r->log;
    assert_int_equal(stsafe_server_init(&r->srv, &cfg), 0);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    rig *r = *state;
    stsafe_server_free(&r->srv);
    stsafe_chip_device_free(&r->dev);
    stsafe_emu_memfs_free(&r->fs);
    stsafe_rng_free(&r->rng);
    fclose(r->log);
    unlink(r->image);
    rmdir(r->dir);
    free(r);
    return 0;
}

static uint8_t request(rig *r, const uint8_t *body, size_t len)
{
    return stsafe_server_handle(&r->srv, &r->sess, body, len, r->ans, &r->ans_len);
}

static void hello(rig *r)
{
    static const uint8_t body[] = {STSAFE_SOCK_OP_HELLO, 'S', 'T', 'S', 'E', 2};
    assert_int_equal(request(r, body, sizeof body), STSAFE_SOCK_ST_OK);
}

/* I2C_WRITE of a Decrement of zone 5 by 7 to the chip at 0x20. */
static uint8_t write_decrement(rig *r)
{
    uint8_t payload[16], body[64];
    size_t frame_len = 0;
    stsafe_writer w;
    stsafe_decrement_req req = {.option = 0, .zone = 5, .offset = 0, .amount = 7};
    stsafe_writer_init(&w, payload, sizeof payload);
    assert_int_equal(stsafe_decrement_req_encode(&w, &req), 0);
    body[0] = STSAFE_SOCK_OP_I2C_WRITE;
    body[1] = 0x20;
    assert_int_equal(stsafe_cmd_frame_encode(STSAFE_CMD_DECREMENT, payload, w.len, STSAFE_A110_MAX_FRAME_LEN,
                                             body + 2, sizeof body - 2, &frame_len),
                     0);
    return request(r, body, 2 + frame_len);
}

static uint8_t read_answer(rig *r)
{
    static const uint8_t body[] = {STSAFE_SOCK_OP_I2C_READ, 0x20, 0x00, 0x09};
    return request(r, body, sizeof body);
}

static uint32_t counter_on_disk(rig *r)
{
    static stsafe_emu_nvm nvm;
    r->fs.cut = 0;
    assert_int_equal(stsafe_emu_image_load_from(&r->st, r->image, &nvm), 0);
    return nvm.zones[5].counter;
}

static void expect_reason(const rig *r, uint8_t op, const char *want)
{
    assert_int_equal(r->ans[0], op);
    assert_int_equal(r->ans[1], STSAFE_SOCK_ST_FAILED);
    assert_int_equal(r->ans_len, 2 + strlen(want));
    assert_memory_equal(r->ans + 2, want, strlen(want));
}

/* A full disk: FAILED with the reason, the counter on disk and in the chip
 * unchanged, no answer to read; once there is room the same command works
 * and its answer is on disk before it is given. */
static void test_disk_full(void **state)
{
    rig *r = *state;
    char want[400];
    hello(r);
    r->fs.full = 1;
    assert_int_equal(write_decrement(r), STSAFE_SOCK_ST_FAILED);
    snprintf(want, sizeof want,
             "cannot save image '%s': I/O error: No space left on device; the command was undone: "
             "the chip restarted from its image on disk",
             r->image);
    expect_reason(r, STSAFE_SOCK_OP_I2C_WRITE, want);
    assert_int_equal(r->dev.chip.nvm.zones[5].counter, COUNTER_START);
    assert_int_equal(r->dev.chip.nvm_dirty, 0);
    assert_int_equal(read_answer(r), STSAFE_SOCK_ST_NACK); /* the new counter is never told */
    assert_int_equal(counter_on_disk(r), COUNTER_START);
    assert_null(r->srv.failure);

    r->fs.full = 0;
    assert_int_equal(write_decrement(r), STSAFE_SOCK_ST_OK);
    assert_int_equal(counter_on_disk(r), COUNTER_START - 7);
    assert_int_equal(read_answer(r), STSAFE_SOCK_ST_OK);
    static const uint8_t rsp[] = {0x00, 0x00, 0x06, 0x00, 0x07, 0xa1, 0x19}; /* status, length 6: 499993, CRC */
    assert_int_equal(r->ans_len, 2 + 9);
    assert_memory_equal(r->ans + 2, rsp, sizeof rsp);
}

/* The disk gone (every operation fails, reading the image back too): the
 * chip cannot be put back, so the server says so and stops serving. */
static void test_disk_gone(void **state)
{
    rig *r = *state;
    char want[400];
    hello(r);
    r->fs.cut_at = r->fs.ops; /* the next operation, create_temp, fails, and all after it */
    assert_int_equal(write_decrement(r), STSAFE_SOCK_ST_FAILED);
    snprintf(want, sizeof want,
             "cannot save image '%s': I/O error: Input/output error; its image can neither be saved "
             "nor read back: the server stops serving it",
             r->image);
    expect_reason(r, STSAFE_SOCK_OP_I2C_WRITE, want);
    assert_non_null(r->srv.failure);
    assert_int_equal(r->srv.failed_slot, 0);
    assert_int_equal(counter_on_disk(r), COUNTER_START);
}

/* RESTORE of \p snap in chunks (version 3); the last answer's status. */
static uint8_t restore(rig *r, const uint8_t *snap, size_t len)
{
    static const uint8_t hello3[] = {STSAFE_SOCK_OP_HELLO, 'S', 'T', 'S', 'E', 3};
    uint8_t body[9 + STSAFE_SOCK_SNAPSHOT_CHUNK], st = 0;
    assert_int_equal(request(r, hello3, sizeof hello3), STSAFE_SOCK_ST_OK);
    for (size_t off = 0; off < len; off += STSAFE_SOCK_SNAPSHOT_CHUNK) {
        size_t part = len - off < STSAFE_SOCK_SNAPSHOT_CHUNK ? len - off : STSAFE_SOCK_SNAPSHOT_CHUNK;
        body[0] = STSAFE_SOCK_OP_RESTORE;
        stsafe_sock_put_u32(body + 1, (uint32_t)off);
        stsafe_sock_put_u32(body + 5, (uint32_t)len);
        memcpy(body + 9, snap + off, part);
        st = request(r, body, 9 + part);
        if (off + part < len)
            assert_int_equal(st, STSAFE_SOCK_ST_OK);
    }
    return st;
}

/* A restore is a change to the image: on a full disk it is answered FAILED
 * and undone (the chip is its image on disk); with room, it is on disk
 * before the OK. */
static void test_restore_disk_full(void **state)
{
    rig *r = *state;
    static uint8_t snap[STSAFE_EMU_SNAPSHOT_MAX_SIZE];
    size_t len = 0;
    char want[400];
    assert_int_equal(stsafe_emu_snapshot_save(&r->dev.chip, snap, sizeof snap, &len), 0);
    hello(r);
    assert_int_equal(write_decrement(r), STSAFE_SOCK_ST_OK);
    assert_int_equal(counter_on_disk(r), COUNTER_START - 7);
    r->fs.full = 1;
    assert_int_equal(restore(r, snap, len), STSAFE_SOCK_ST_FAILED);
    snprintf(want, sizeof want,
             "cannot save image '%s': I/O error: No space left on device; the command was undone: "
             "the chip restarted from its image on disk",
             r->image);
    expect_reason(r, STSAFE_SOCK_OP_RESTORE, want);
    assert_int_equal(r->dev.chip.nvm.zones[5].counter, COUNTER_START - 7);
    assert_int_equal(counter_on_disk(r), COUNTER_START - 7);
    r->fs.full = 0;
    assert_int_equal(restore(r, snap, len), STSAFE_SOCK_ST_OK);
    assert_int_equal(r->dev.chip.nvm.zones[5].counter, COUNTER_START);
    assert_int_equal(counter_on_disk(r), COUNTER_START);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_disk_full, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
