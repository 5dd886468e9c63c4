/* SPDX-License-Identifier: BSD-3-Clause */
/* Power cuts at every storage operation of a scripted session.
 *
 * A default chip runs a sequence of NVM-changing commands and saves its
 * image after each one through the in-memory disk of storage.h. For every
 * k the power is cut at the k-th mutating storage operation, the disk
 * reboots, and the image that loads must be byte for byte the NVM before
 * the interrupted save or the NVM after it (never a mix), no one-way
 * counter may be above its value in a save that had succeeded, and the
 * next save must work over whatever the cut left. The same checks run
 * against three broken save protocols and must catch each of them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/ctr_drbg.h>

#include "emu_fixture.h"
#include "stsafe/emulator/image.h"
#include "stsafe/emulator/storage.h"
#include "stsafe/protocol/buf.h"
#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/codec_ecc.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/status.h"

#define IMAGE "chip.img"
#define STEPS 7u
#define COUNTER_START 500000u /* the default profile's counter zones 5 and 6 */

/** A save protocol: the real stsafe_emu_image_save_to(), or a broken one. */
typedef int (*save_fn)(const stsafe_emu_storage *st, const char *name, const stsafe_emu_nvm *nvm);

/** One command of the session and the answer it must get. */
typedef struct {
    uint8_t header;
    uint8_t payload[64];
    size_t len;
    uint8_t rsp[4];
    size_t rsp_len;
    int check_rsp;      /**< 0: only the length is known (a fresh public point). */
} script_cmd;

typedef struct {
    emu_fixture f;
    stsafe_emu_memfs fs;
    stsafe_emu_storage st;
    stsafe_emu_nvm initial;           /**< The default profile's NVM. */
    script_cmd script[STEPS];
    stsafe_emu_nvm states[STEPS + 1]; /**< states[i]: the NVM after i commands (uncut run). */
    long save_end[STEPS];           /**< Operations counted when save i returned (uncut run). */
    stsafe_emu_nvm loaded;
    stsafe_emu_nvm again;
} crash_rig;

typedef enum {
    CUT_OK = 0,
    CUT_UNLOADABLE,  /**< The image left on the disk does not load. */
    CUT_MIXED,       /**< It loads but is neither the state before the cut save nor after it. */
    CUT_COUNTER_UP,  /**< A one-way counter above its value in a save that had succeeded. */
    CUT_NO_RECOVERY  /**< The first save after the reboot fails or does not load back. */
} cut_verdict;

typedef struct {
    cut_verdict verdict;
    size_t cut_save;  /**< The save the cut hit (STEPS: none). */
    size_t state;     /**< The states[] index the image holds, when it holds one. */
    int load_err;
} cut_result;

static const char *verdict_name(cut_verdict v)
{
    static const char *const names[] = {"ok", "the image does not load", "the image is neither state",
                                        "a one-way counter went back up", "the next save fails"};
    return names[v];
}

/* ---- the session ---------------------------------------------------------------- */

static void script_update(script_cmd *c, uint8_t option, uint8_t zone, uint16_t offset, const char *text)
{
    stsafe_writer w;
    stsafe_update_req req = {option, zone, offset, (const uint8_t *)text, strlen(text)};
    stsafe_writer_init(&w, c->payload, sizeof c->payload);
    assert_int_equal(stsafe_update_req_encode(&w, &req), 0);
    c->header = STSAFE_CMD_UPDATE;
    c->len = w.len;
    c->rsp_len = 0;
    c->check_rsp = 1;
}

/* Decrement answers the new counter. */
static void script_decrement(script_cmd *c, uint8_t zone, uint16_t offset, uint32_t amount, const char *text,
                             uint32_t new_counter)
{
    stsafe_writer w;
    stsafe_decrement_req req = {0, zone, offset, amount, (const uint8_t *)text, strlen(text)};
    stsafe_writer_init(&w, c->payload, sizeof c->payload);
    assert_int_equal(stsafe_decrement_req_encode(&w, &req), 0);
    c->header = STSAFE_CMD_DECREMENT;
    c->len = w.len;
    stsafe_put_u32(c->rsp, new_counter);
    c->rsp_len = 4;
    c->check_rsp = 1;
}

/* Generate Key answers the public point: 04 · 00 20 · X · 00 20 · Y. */
static void script_genkey_p256(script_cmd *c, uint8_t slot)
{
    stsafe_writer w;
    stsafe_genkey_req req = {slot, 0xFFFF, 0x0000, STSAFE_CURVE_P256};
    stsafe_writer_init(&w, c->payload, sizeof c->payload);
    assert_int_equal(stsafe_genkey_req_encode(&w, &req), 0);
    c->header = STSAFE_CMD_GENERATE_KEY;
    c->len = w.len;
    c->rsp_len = 1 + 2 + 32 + 2 + 32;
    c->check_rsp = 0;
}

/* Put Attribute 0x17: MAC key (16) · cipher key (16); status only. */
static void script_host_keys(script_cmd *c)
{
    c->header = STSAFE_CMD_PUT_ATTRIBUTE;
    c->payload[0] = STSAFE_TAG_HOST_KEY_SLOT;
    for (uint8_t i = 0; i < 2 * 16; i++)
        c->payload[1 + i] = (uint8_t)(0xA0 + i);
    c->len = 1 + 2 * 16;
    c->rsp_len = 0;
    c->check_rsp = 1;
}

static void build_script(crash_rig *r)
{
    script_update(&r->script[0], STSAFE_OPT_ATOMIC, 1, 0, "an atomic update of zone 1");
    script_decrement(&r->script[1], 5, 0, 7, "c1", COUNTER_START - 7);
    script_genkey_p256(&r->script[2], 1);
    script_update(&r->script[3], 0, 2, 10, "plain update");
    script_host_keys(&r->script[4]);
    script_decrement(&r->script[5], 6, 4, 0x100, "", COUNTER_START - 0x100);
    script_decrement(&r->script[6], 5, 2, 1, "c2", COUNTER_START - 8);
}

/* The same bytes every run, so every run's Generate Key makes the same key. */
static int session_entropy(void *p, unsigned char *out, size_t len)
{
    (void)p;
    for (size_t i = 0; i < len; i++)
        out[i] = (unsigned char)(i * 13 + 5);
    return 0;
}

/* A chip holding the default profile's NVM (made once, in setup: its key
 * generation and certificate signature would dominate every run) and a disk
 * holding its image; operations are counted from 0 after it. */
static void power_up(crash_rig *r)
{
    mbedtls_ctr_drbg_init(&r->f.drbg);
    assert_int_equal(mbedtls_ctr_drbg_seed(&r->f.drbg, session_entropy, NULL, NULL, 0), 0);
    stsafe_emu_chip_init(&r->f.chip, fixture_rng, &r->f.drbg);
    r->f.chip.nvm = r->initial;
    stsafe_emu_memfs_init(&r->fs);
    r->st = stsafe_emu_memfs_storage(&r->fs);
    assert_int_equal(stsafe_emu_image_save_to(&r->st, IMAGE, &r->f.chip.nvm), 0);
    r->fs.ops = 0;
}

static void power_down(crash_rig *r)
{
    fixture_teardown(&r->f);
    stsafe_emu_memfs_free(&r->fs);
}

/* Command i must get its answer, byte for byte, and change the NVM. */
static void run_command(crash_rig *r, size_t i)
{
    const script_cmd *c = &r->script[i];
    uint8_t data[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0;
    r->f.chip.nvm_dirty = 0;
    uint8_t status = fixture_cmd(&r->f, c->header, c->payload, c->len, data, &n);
    if (status != STSAFE_ST_OK)
        fail_msg("command %zu (%s) answered 0x%02X, not 0x00", i, stsafe_cmd_name(c->header), status);
    assert_int_equal(n, c->rsp_len);
    if (c->check_rsp)
        assert_memory_equal(data, c->rsp, n);
    assert_true(r->f.chip.nvm_dirty);
}

/* The session, each command followed by save(); returns the index of the
 * first save that failed (the power went), STEPS when none did. */
static size_t run_session(crash_rig *r, save_fn save)
{
    for (size_t i = 0; i < STEPS; i++) {
        run_command(r, i);
        if (save(&r->st, IMAGE, &r->f.chip.nvm) != 0)
            return i;
        r->f.chip.nvm_dirty = 0;
    }
    return STEPS;
}

static int same_nvm(const stsafe_emu_nvm *a, const stsafe_emu_nvm *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* The uncut run: every state, and where each save ends in the operation count. */
static int setup(void **state)
{
    crash_rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    build_script(r);
    fixture_setup(&r->f);
    r->initial = r->f.chip.nvm;
    fixture_teardown(&r->f);
    power_up(r);
    r->states[0] = r->f.chip.nvm;
    for (size_t i = 0; i < STEPS; i++) {
        run_command(r, i);
        r->states[i + 1] = r->f.chip.nvm;
        assert_false(same_nvm(&r->states[i], &r->states[i + 1]));
        assert_int_equal(stsafe_emu_image_save_to(&r->st, IMAGE, &r->f.chip.nvm), 0);
        r->save_end[i] = r->fs.ops;
    }
    power_down(r);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

/* ---- one cut ----------------------------------------------------------------------- */

/* Some counter zone of \p nvm is above its value in states[0..saved]: the
 * states whose saves had succeeded (states[0] is the image at power-up). */
static int counter_went_up(const crash_rig *r, const stsafe_emu_nvm *nvm, size_t saved)
{
    for (size_t j = 0; j <= saved; j++)
        for (uint8_t z = 0; z < nvm->zone_count; z++)
            if (nvm->zones[z].type == STSAFE_ZONE_COUNTER && nvm->zones[z].counter > r->states[j].zones[z].counter)
                return 1;
    return 0;
}

/* The chip goes on after the reboot: its next save works over whatever the cut left. */
static int recovers(crash_rig *r)
{
    return stsafe_emu_image_save_to(&r->st, IMAGE, &r->loaded) == 0 &&
           stsafe_emu_image_load_from(&r->st, IMAGE, &r->again) == 0 && same_nvm(&r->again, &r->loaded);
}

static cut_verdict judge(crash_rig *r, cut_result *res)
{
    size_t s = res->cut_save;
    if (res->load_err)
        return CUT_UNLOADABLE;
    if (counter_went_up(r, &r->loaded, s))
        return CUT_COUNTER_UP;
    if (same_nvm(&r->loaded, &r->states[s]))
        res->state = s;
    else if (s < STEPS && same_nvm(&r->loaded, &r->states[s + 1]))
        res->state = s + 1;
    else
        return CUT_MIXED;
    return recovers(r) ? CUT_OK : CUT_NO_RECOVERY;
}

/* Runs the session with the power cut at operation k, reboots, judges. */
static cut_result cut_at(crash_rig *r, save_fn save, long k)
{
    cut_result res = {CUT_OK, STEPS, 0, 0};
    power_up(r);
    r->fs.cut_at = k;
    res.cut_save = run_session(r, save);
    stsafe_emu_memfs_power_cut(&r->fs);
    res.load_err = stsafe_emu_image_load_from(&r->st, IMAGE, &r->loaded);
    res.verdict = judge(r, &res);
    power_down(r);
    return res;
}

/* The save a cut at k must hit, from the uncut run's counts. */
static size_t save_hit(const crash_rig *r, long k)
{
    size_t i = 0;
    while (i < STEPS && r->save_end[i] <= k)
        i++;
    return i;
}

/* ---- the real protocol ---------------------------------------------------------------- */

static void test_power_cut_at_every_operation(void **state)
{
    crash_rig *r = *state;
    long total = r->save_end[STEPS - 1];
    size_t seen[STEPS + 1] = {0};
    for (long k = 0; k <= total; k++) {
        cut_result res = cut_at(r, stsafe_emu_image_save_to, k);
        if (res.verdict != CUT_OK)
            fail_msg("power cut at operation %ld of %ld (save %zu): %s (load: %d)", k, total, res.cut_save,
                     verdict_name(res.verdict), res.load_err);
        assert_int_equal(res.cut_save, save_hit(r, k));
        if (k < r->save_end[0]) /* a cut anywhere in the first save: the original image */
            assert_int_equal(res.state, 0);
        seen[res.state]++;
    }
    /* the cuts span the session: every state is what some cut leaves behind */
    for (size_t i = 0; i <= STEPS; i++)
        if (!seen[i])
            fail_msg("no power cut left the state after %zu commands", i);
    print_message("%ld power cuts over %u saves: every image loaded, old or new\n", total + 1, STEPS);
}

/* ---- broken protocols the checks must catch ---------------------------------------------- */

static int write_chunks(const stsafe_emu_storage *st, const char *name, const stsafe_emu_nvm *nvm)
{
    static uint8_t img[STSAFE_EMU_IMAGE_MAX_SIZE];
    size_t len = 0;
    int err = stsafe_emu_image_serialize(nvm, img, sizeof img, &len);
    if (!err)
        err = st->ops->create(st->ctx, name);
    for (size_t off = 0; !err && off < len; off += 512)
        err = st->ops->append(st->ctx, name, img + off, len - off < 512 ? len - off : 512);
    return err;
}

/* Rewrites the image in place: a cut mid-write leaves a torn image. */
static int save_in_place(const stsafe_emu_storage *st, const char *name, const stsafe_emu_nvm *nvm)
{
    int err = write_chunks(st, name, nvm);
    if (!err)
        err = st->ops->sync(st->ctx, name);
    return err ? err : st->ops->sync_dir(st->ctx, name);
}

/* Writes NAME.tmp and renames it over NAME; \p sync_file and \p sync_dir
 * say which of the two syncs the protocol does. */
static int save_via_tmp(const stsafe_emu_storage *st, const char *name, const stsafe_emu_nvm *nvm, int sync_file,
                        int sync_dir)
{
    char tmp[64];
    assert_true((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", name) < sizeof tmp);
    int err = write_chunks(st, tmp, nvm);
    if (!err && sync_file)
        err = st->ops->sync(st->ctx, tmp);
    if (!err)
        err = st->ops->rename(st->ctx, tmp, name);
    if (!err && sync_dir)
        err = st->ops->sync_dir(st->ctx, name);
    return err;
}

/* Renames before the data is durable: the new name may point at torn data. */
static int save_without_file_sync(const stsafe_emu_storage *st, const char *name, const stsafe_emu_nvm *nvm)
{
    return save_via_tmp(st, name, nvm, 0, 1);
}

/* Returns before the rename is durable: a cut after it brings older states back. */
static int save_without_dir_sync(const stsafe_emu_storage *st, const char *name, const stsafe_emu_nvm *nvm)
{
    return save_via_tmp(st, name, nvm, 1, 0);
}

/* The first k from \p from whose cut gets verdict \p want (-1: none). */
static long find_verdict(crash_rig *r, save_fn save, cut_verdict want, long from)
{
    for (long k = from; k <= r->save_end[STEPS - 1]; k++)
        if (cut_at(r, save, k).verdict == want)
            return k;
    return -1;
}

/* The operations \p save takes for the first \p saves commands, uncut. */
static long ops_for_saves(crash_rig *r, save_fn save, size_t saves)
{
    power_up(r);
    for (size_t i = 0; i < saves; i++) {
        run_command(r, i);
        assert_int_equal(save(&r->st, IMAGE, &r->f.chip.nvm), 0);
    }
    long ops = r->fs.ops;
    power_down(r);
    return ops;
}

/* The checks are not vacuous: each broken protocol is caught, at the first
 * cut that can show it, by the check that names what it breaks. */
static void test_broken_protocols_are_caught(void **state)
{
    crash_rig *r = *state;
    /* cut before the first append: the image is already truncated */
    assert_int_equal(find_verdict(r, save_in_place, CUT_UNLOADABLE, 0), 1);
    /* cut right after the first save returned: its data never reached the disk */
    assert_int_equal(find_verdict(r, save_without_file_sync, CUT_UNLOADABLE, 0),
                     ops_for_saves(r, save_without_file_sync, 1));
    /* no rename ever becomes durable, so the reboot shows the power-up
     * image: a mix once the first save has returned, a counter back up
     * once the save of the first Decrement has */
    long mixed = find_verdict(r, save_without_dir_sync, CUT_MIXED, 0);
    assert_int_equal(mixed, ops_for_saves(r, save_without_dir_sync, 1));
    assert_int_equal(find_verdict(r, save_without_dir_sync, CUT_COUNTER_UP, mixed),
                     ops_for_saves(r, save_without_dir_sync, 2));
}

/* ---- the disk model itself --------------------------------------------------------------------- */

static void expect_file(const stsafe_emu_storage *st, const char *name, const char *want)
{
    uint8_t buf[16];
    size_t n = 0;
    assert_int_equal(st->ops->read(st->ctx, name, buf, sizeof buf, &n), 0);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(buf, want, n);
}

static void expect_no_file(const stsafe_emu_storage *st, const char *name, int want_errno)
{
    uint8_t buf[16];
    size_t n = 0;
    errno = 0;
    assert_int_equal(st->ops->read(st->ctx, name, buf, sizeof buf, &n), STSAFE_ERR_IO);
    assert_int_equal(errno, want_errno);
}

#define APPEND(st, name, text) (st).ops->append((st).ctx, name, (const uint8_t *)(text), strlen(text))

/* Unsynced appends are torn in half, an unsynced rename is undone, the
 * power stays off from the cut operation on, and a recreated file that
 * was not synced keeps half of its new bytes. */
static void test_memfs_model(void **state)
{
    (void)state;
    static stsafe_emu_memfs fs;
    stsafe_emu_memfs_init(&fs);
    stsafe_emu_storage st = stsafe_emu_memfs_storage(&fs);
    assert_int_equal(st.ops->create(st.ctx, "a"), 0);
    assert_int_equal(APPEND(st, "a", "1234"), 0);
    assert_int_equal(st.ops->sync(st.ctx, "a"), 0);
    assert_int_equal(st.ops->sync_dir(st.ctx, "a"), 0);
    assert_int_equal(APPEND(st, "a", "5678"), 0);
    assert_int_equal(st.ops->create(st.ctx, "b"), 0);
    assert_int_equal(APPEND(st, "b", "xy"), 0);
    assert_int_equal(st.ops->sync(st.ctx, "b"), 0);
    assert_int_equal(st.ops->rename(st.ctx, "b", "a"), 0);
    assert_int_equal(fs.ops, 9);
    expect_file(&st, "a", "xy"); /* the rename is visible at once */

    fs.cut_at = 9; /* the power goes just before sync_dir */
    errno = 0;
    assert_int_equal(st.ops->sync_dir(st.ctx, "a"), STSAFE_ERR_IO);
    assert_int_equal(errno, EIO);
    assert_int_equal(fs.ops, 9);
    expect_no_file(&st, "a", EIO);  /* nothing answers with the power off */
    st.ops->remove(st.ctx, "a");    /* and nothing happens */
    assert_int_equal(st.ops->create(st.ctx, "c"), STSAFE_ERR_IO);

    stsafe_emu_memfs_power_cut(&fs);
    expect_file(&st, "a", "123456"); /* the old file, its unsynced tail torn in half */
    expect_no_file(&st, "b", ENOENT);

    /* rewritten in place, folder synced, data not: half the new bytes */
    assert_int_equal(st.ops->create(st.ctx, "a"), 0);
    assert_int_equal(APPEND(st, "a", "abcdef"), 0);
    assert_int_equal(st.ops->sync_dir(st.ctx, "a"), 0);
    stsafe_emu_memfs_power_cut(&fs);
    expect_file(&st, "a", "abc");
    stsafe_emu_memfs_free(&fs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memfs_model),
        cmocka_unit_test(test_power_cut_at_every_operation),
        cmocka_unit_test(test_broken_protocols_are_caught),
    };
    return cmocka_run_group_tests_name("power cuts", tests, setup, teardown);
}
