/* Power cuts at every storage write of a scripted session. The chip runs a
 * sequence of NVM-changing commands, saving its image after each through
 * the in-memory disk of storage.h; for every k the power is cut at the
 * k-th mutating operation, the disk reboots, and the image that loads must
 * be exactly the state before or after the save that was cut (never a
 * mix), and the one-way counters must never have gone back up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emu_fixture.h"
#include "stse_emu/image.h"
#include "stse_emu/storage.h"
#include "stsafe/commands.h"
#include "stsafe/error.h"

#define IMAGE "chip.img"

typedef struct {
    uint8_t code;
    uint8_t payload[64];
    size_t len;
} script_cmd;

/* Each one changes the NVM: Update (one atomic), Decrement on both counter
 * zones, Generate Key, Put Attribute of the host keys. */
static const script_cmd script[] = {
    {STSAFE_CMD_UPDATE, {0x80, 1, 0, 0, 'a', 't', 'o', 'm', 'i', 'c'}, 10},
    {STSAFE_CMD_DECREMENT, {0, 5, 0, 0, 0, 0, 0, 7, 'c', '1'}, 10},
    {STSAFE_CMD_GENERATE_KEY, {0x13, 1, 0xFF, 0xFF, 0, 0, 0, 8, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 3, 1, 7}, 16},
    {STSAFE_CMD_UPDATE, {0, 2, 0, 10, 1, 2, 3, 4, 5, 6, 7, 8}, 12},
    {STSAFE_CMD_PUT_ATTRIBUTE, {STSAFE_TAG_HOST_KEY_SLOT, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}, 33},
    {STSAFE_CMD_DECREMENT, {0, 6, 0, 4, 0, 0, 1, 0}, 8},
    {STSAFE_CMD_DECREMENT, {0, 5, 0, 0, 0, 0, 0, 1}, 8},
};
#define STEPS (sizeof script / sizeof script[0])

typedef struct {
    emu_fixture f;
    stse_emu_memfs fs;
    stse_emu_nvm states[STEPS + 1]; /* states[i]: after i commands (from the run without a cut) */
} crash_rig;

static crash_rig *rig_new(void)
{
    crash_rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    return r;
}

/* A fresh chip and a disk holding its initial image (not counted). */
static stse_emu_storage start(crash_rig *r)
{
    fixture_setup(&r->f);
    stse_emu_memfs_init(&r->fs);
    stse_emu_storage st = stse_emu_memfs_storage(&r->fs);
    assert_int_equal(stse_emu_image_save_to(&st, IMAGE, &r->f.chip.nvm), 0);
    r->fs.ops = 0;
    return st;
}

/* Runs the script, saving after each command; returns how many saves
 * completed (STEPS when the power stayed on). */
static size_t run_script(crash_rig *r, stse_emu_storage *st, int record)
{
    uint8_t data[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0;
    if (record)
        r->states[0] = r->f.chip.nvm;
    for (size_t i = 0; i < STEPS; i++) {
        r->f.chip.nvm_dirty = 0;
        assert_int_equal(fixture_cmd(&r->f, script[i].code, script[i].payload, script[i].len, data, &n), 0);
        assert_true(r->f.chip.nvm_dirty);
        if (record)
            r->states[i + 1] = r->f.chip.nvm;
        if (stse_emu_image_save_to(st, IMAGE, &r->f.chip.nvm) != 0)
            return i;
    }
    return STEPS;
}

static int same_nvm(const stse_emu_nvm *a, const stse_emu_nvm *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static void test_power_cut_at_every_write(void **state)
{
    (void)state;
    crash_rig *r = rig_new();
    stse_emu_nvm *loaded = malloc(sizeof *loaded);
    assert_non_null(loaded);

    /* The reference run: every state, and how many operations it takes. */
    stse_emu_storage st = start(r);
    assert_int_equal(run_script(r, &st, 1), STEPS);
    long total = r->fs.ops;
    fixture_teardown(&r->f);
    assert_true(total >= (long)STEPS * 4);
    print_message("cutting the power at each of %ld storage operations\n", total + 1);

    int seen[STEPS + 1] = {0};
    for (long k = 0; k <= total; k++) {
        st = start(r);
        r->fs.cut_at = k;
        size_t done = run_script(r, &st, 0);
        stse_emu_memfs_power_cut(&r->fs);
        assert_int_equal(stse_emu_image_load_from(&st, IMAGE, loaded), 0);
        /* The save of command `done` was cut. The image must be the state
         * before it or after it; this disk makes a save durable only at its
         * folder sync, its last step, so it is always the state before. */
        int before = same_nvm(loaded, &r->states[done]);
        int after = done < STEPS && same_nvm(loaded, &r->states[done + 1]);
        if (!before && !after)
            fail_msg("cut at operation %ld of %ld (save %zu): the image is neither state", k, total, done);
        seen[before ? done : done + 1]++;
        for (uint8_t z = 0; z < loaded->zone_count; z++)
            if (loaded->zones[z].type == STSAFE_ZONE_COUNTER)
                assert_true(loaded->zones[z].counter >= r->states[STEPS].zones[z].counter);
        fixture_teardown(&r->f);
    }
    /* every state of the session is what some cut leaves behind */
    for (size_t i = 0; i <= STEPS; i++)
        assert_true(seen[i] > 0);
    free(loaded);
    free(r);
}

/* One-way counters, step by step: a reboot at any point never shows a
 * counter above one an earlier reboot showed. */
static void test_counters_never_go_back(void **state)
{
    (void)state;
    crash_rig *r = rig_new();
    stse_emu_nvm *loaded = malloc(sizeof *loaded);
    stse_emu_storage st = start(r);
    assert_int_equal(run_script(r, &st, 1), STEPS);
    long total = r->fs.ops;
    fixture_teardown(&r->f);
    uint32_t lowest5 = 0xFFFFFFFFu;
    for (long k = 0; k <= total; k++) {
        st = start(r);
        r->fs.cut_at = k;
        run_script(r, &st, 0);
        stse_emu_memfs_power_cut(&r->fs);
        assert_int_equal(stse_emu_image_load_from(&st, IMAGE, loaded), 0);
        assert_true(loaded->zones[5].counter <= lowest5 || k == 0);
        lowest5 = loaded->zones[5].counter;
        fixture_teardown(&r->f);
    }
    assert_int_equal(lowest5, r->states[STEPS].zones[5].counter);
    free(loaded);
    free(r);
}

/* The disk model itself: unsynced data is torn, an unsynced rename undone. */
static void test_memfs_model(void **state)
{
    (void)state;
    static stse_emu_memfs fs;
    uint8_t buf[16];
    size_t n = 0;
    stse_emu_memfs_init(&fs);
    stse_emu_storage st = stse_emu_memfs_storage(&fs);
    assert_int_equal(st.ops->create(st.ctx, "a"), 0);
    assert_int_equal(st.ops->append(st.ctx, "a", (const uint8_t *)"1234", 4), 0);
    assert_int_equal(st.ops->sync(st.ctx, "a"), 0);
    assert_int_equal(st.ops->sync_dir(st.ctx, "a"), 0);
    assert_int_equal(st.ops->append(st.ctx, "a", (const uint8_t *)"5678", 4), 0);
    assert_int_equal(st.ops->create(st.ctx, "b"), 0);
    assert_int_equal(st.ops->append(st.ctx, "b", (const uint8_t *)"xy", 2), 0);
    assert_int_equal(st.ops->sync(st.ctx, "b"), 0);
    assert_int_equal(st.ops->rename(st.ctx, "b", "a"), 0);
    assert_int_equal(st.ops->read(st.ctx, "a", buf, sizeof buf, &n), 0);
    assert_int_equal(n, 2); /* the rename is visible at once */
    fs.cut_at = fs.ops;     /* the power goes before sync_dir */
    assert_int_equal(st.ops->sync_dir(st.ctx, "a"), STSAFE_ERR_IO);
    stse_emu_memfs_power_cut(&fs);
    assert_int_equal(st.ops->read(st.ctx, "a", buf, sizeof buf, &n), 0);
    assert_int_equal(n, 6); /* the old file, its unsynced tail torn in half */
    assert_memory_equal(buf, "123456", 6);
    assert_int_equal(st.ops->read(st.ctx, "b", buf, sizeof buf, &n), STSAFE_ERR_IO);
}

/* A corrupted image is refused, never loaded half or reset: every byte
 * flipped, every truncation, and the output NVM untouched each time. */
static void test_every_corruption_is_refused(void **state)
{
    (void)state;
    crash_rig *r = rig_new();
    uint8_t *img = malloc(STSE_EMU_IMAGE_MAX_SIZE);
    stse_emu_nvm *out = malloc(sizeof *out);
    size_t len = 0;
    fixture_setup(&r->f);
    assert_int_equal(stse_emu_image_serialize(&r->f.chip.nvm, img, STSE_EMU_IMAGE_MAX_SIZE, &len), 0);
    memset(out, 0x5C, sizeof *out);
    static stse_emu_nvm untouched;
    memcpy(&untouched, out, sizeof untouched);
    for (size_t i = 0; i < len; i++) {
        img[i] ^= 0x10;
        int err = stse_emu_image_parse(img, len, out);
        img[i] ^= 0x10;
        if (err != STSAFE_ERR_IMAGE_CHECKSUM && err != STSAFE_ERR_IMAGE_FORMAT && err != STSAFE_ERR_IMAGE_VERSION)
            fail_msg("byte %zu flipped: parse answered %d", i, err);
    }
    for (size_t cut = 0; cut < len; cut++)
        assert_int_not_equal(stse_emu_image_parse(img, cut, out), 0);
    assert_memory_equal(out, &untouched, sizeof untouched);
    assert_int_equal(stse_emu_image_parse(img, len, out), 0);
    fixture_teardown(&r->f);
    free(out);
    free(img);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memfs_model),
        cmocka_unit_test(test_power_cut_at_every_write),
        cmocka_unit_test(test_counters_never_go_back),
        cmocka_unit_test(test_every_corruption_is_refused),
    };
    return cmocka_run_group_tests_name("power cuts", tests, NULL, NULL);
}
