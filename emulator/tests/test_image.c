/* SPDX-License-Identifier: BSD-3-Clause */
/* Image files: exact round trip, every corruption and truncation refused
 * with its own code and nothing loaded, crash-safe save through the POSIX
 * backend. Power cuts during a save: test_crash.c. */
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

#include "emu_fixture.h"
#include "stsafe/emulator/image.h"
#include "stsafe/emulator/profile.h"
#include "stsafe/emulator/rng.h"
#include "stsafe/emulator/storage.h"
#include "stsafe/protocol/error.h"

static uint8_t img[STSAFE_EMU_IMAGE_MAX_SIZE + 1];
static stsafe_emu_nvm parsed;

static void test_round_trip(void **state)
{
    (void)state;
    emu_fixture f;
    size_t len = 0;
    fixture_setup(&f);
    f.chip.nvm.host_keys.cmac_counter = 0x123456;
    f.chip.nvm.zones[5].counter = 42;
    assert_int_equal(stsafe_emu_image_serialize(&f.chip.nvm, img, sizeof img, &len), 0);
    assert_memory_equal(img, STSAFE_EMU_IMAGE_MAGIC, STSAFE_EMU_IMAGE_MAGIC_LEN);
    assert_int_equal(img[8], 0x00);
    assert_int_equal(img[9], 0x02);
    memset(&parsed, 0xEE, sizeof parsed);
    assert_int_equal(stsafe_emu_image_parse(img, len, &parsed), 0);
    assert_memory_equal(&parsed, &f.chip.nvm, sizeof parsed);
    fixture_teardown(&f);
}

/* What parse must answer for \p img cut to \p len bytes, or with a byte
 * flipped at \p pos (len == full length): the magic, the version and the
 * length are checked before the SHA-256, which catches everything else. */
static int expected_error(size_t pos, size_t len, size_t full)
{
    const size_t head = STSAFE_EMU_IMAGE_MAGIC_LEN + 2;
    if (len < full)
        return len < head + STSAFE_EMU_IMAGE_DIGEST_LEN ? STSAFE_ERR_IMAGE_FORMAT : STSAFE_ERR_IMAGE_CHECKSUM;
    if (pos < STSAFE_EMU_IMAGE_MAGIC_LEN)
        return STSAFE_ERR_IMAGE_FORMAT;
    return pos < head ? STSAFE_ERR_IMAGE_VERSION : STSAFE_ERR_IMAGE_CHECKSUM;
}

/* The refused parse left the output NVM as it was (never half-loaded, never reset). */
static void expect_untouched(const stsafe_emu_nvm *out, const char *what, size_t at)
{
    static stsafe_emu_nvm fill;
    memset(&fill, 0x5A, sizeof fill);
    if (memcmp(out, &fill, sizeof fill) != 0)
        fail_msg("%s at %zu wrote into the NVM", what, at);
}

/* Every byte position flipped, the flipped bit moving through the eight
 * bit positions from byte to byte (and the whole byte in the header):
 * refused with the code of the field it hit. */
static void test_every_flipped_byte_refused(void **state)
{
    (void)state;
    const size_t head = STSAFE_EMU_IMAGE_MAGIC_LEN + 2;
    emu_fixture f;
    size_t len = 0;
    fixture_setup(&f);
    assert_int_equal(stsafe_emu_image_serialize(&f.chip.nvm, img, sizeof img, &len), 0);
    memset(&parsed, 0x5A, sizeof parsed);
    for (size_t i = 0; i < len; i++) {
        uint8_t mask = i < head ? 0xFF : (uint8_t)(1u << (i % 8));
        img[i] ^= mask;
        int err = stsafe_emu_image_parse(img, len, &parsed);
        img[i] ^= mask;
        if (err != expected_error(i, len, len))
            fail_msg("byte %zu ^ 0x%02X: parse answered %d, not %d", i, mask, err, expected_error(i, len, len));
        expect_untouched(&parsed, "flipped byte", i);
    }
    assert_int_equal(stsafe_emu_image_parse(img, len, &parsed), 0); /* the image itself was fine */
    fixture_teardown(&f);
}

/* Every truncation length, and one byte too many: refused. */
static void test_every_truncation_refused(void **state)
{
    (void)state;
    emu_fixture f;
    size_t len = 0;
    fixture_setup(&f);
    assert_int_equal(stsafe_emu_image_serialize(&f.chip.nvm, img, sizeof img, &len), 0);
    memset(&parsed, 0x5A, sizeof parsed);
    for (size_t cut = 0; cut < len; cut++) {
        int err = stsafe_emu_image_parse(img, cut, &parsed);
        if (err != expected_error(0, cut, len))
            fail_msg("image cut to %zu of %zu bytes: parse answered %d", cut, len, err);
        expect_untouched(&parsed, "truncation", cut);
    }
    img[len] = 0x00;
    assert_int_equal(stsafe_emu_image_parse(img, len + 1, &parsed), STSAFE_ERR_IMAGE_CHECKSUM);
    expect_untouched(&parsed, "extension", len + 1);
    fixture_teardown(&f);
}

/* Stores \p len bytes of \p data as a durable file \p name. */
static void store(const stsafe_emu_storage *st, const char *name, const uint8_t *data, size_t len)
{
    assert_int_equal(st->ops->create(st->ctx, name), 0);
    assert_int_equal(st->ops->append(st->ctx, name, data, len), 0);
    assert_int_equal(st->ops->sync(st->ctx, name), 0);
    assert_int_equal(st->ops->sync_dir(st->ctx, name), 0);
}

/* Through a storage backend: a damaged image gets the parse error, the NVM
 * and the file stay as they were; a file longer than any image is not one. */
static void test_damaged_file_refused_and_kept(void **state)
{
    (void)state;
    static stsafe_emu_memfs fs;
    static uint8_t back[STSAFE_EMU_IMAGE_MAX_SIZE + 1];
    emu_fixture f;
    size_t len = 0, n = 0;
    fixture_setup(&f);
    stsafe_emu_memfs_init(&fs);
    stsafe_emu_storage st = stsafe_emu_memfs_storage(&fs);
    assert_int_equal(stsafe_emu_image_save_to(&st, "chip.img", &f.chip.nvm), 0);
    assert_int_equal(st.ops->read(st.ctx, "chip.img", img, sizeof img, &len), 0);
    memset(&parsed, 0x5A, sizeof parsed);
    for (size_t i = 0; i < len; i += 61) {
        img[i] ^= 0x01;
        store(&st, "chip.img", img, len);
        assert_int_equal(stsafe_emu_image_load_from(&st, "chip.img", &parsed), expected_error(i, len, len));
        expect_untouched(&parsed, "flipped file byte", i);
        assert_int_equal(st.ops->read(st.ctx, "chip.img", back, sizeof back, &n), 0);
        assert_int_equal(n, len);
        assert_memory_equal(back, img, len);
        img[i] ^= 0x01;
    }
    store(&st, "chip.img", img, len / 2);
    assert_int_equal(stsafe_emu_image_load_from(&st, "chip.img", &parsed), STSAFE_ERR_IMAGE_CHECKSUM);
    store(&st, "chip.img", img, 0);
    assert_int_equal(stsafe_emu_image_load_from(&st, "chip.img", &parsed), STSAFE_ERR_IMAGE_FORMAT);
    memset(back, 0, sizeof back);
    store(&st, "chip.img", back, sizeof back);
    assert_int_equal(stsafe_emu_image_load_from(&st, "chip.img", &parsed), STSAFE_ERR_IMAGE_FORMAT);
    expect_untouched(&parsed, "oversized file", sizeof back);
    errno = 0;
    assert_int_equal(stsafe_emu_image_load_from(&st, "other.img", &parsed), STSAFE_ERR_IO);
    assert_int_equal(errno, ENOENT);
    store(&st, "chip.img", img, len);
    assert_int_equal(stsafe_emu_image_load_from(&st, "chip.img", &parsed), 0);
    assert_memory_equal(&parsed, &f.chip.nvm, sizeof parsed);
    stsafe_emu_memfs_free(&fs);
    fixture_teardown(&f);
}

static void test_save_and_load_file(void **state)
{
    (void)state;
    emu_fixture f;
    char path[] = "/tmp/stse-image-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    fixture_setup(&f);
    assert_int_equal(stsafe_emu_image_save(path, &f.chip.nvm), 0);
    assert_int_equal(stsafe_emu_image_load(path, &parsed), 0);
    assert_memory_equal(&parsed, &f.chip.nvm, sizeof parsed);

    /* a stale temp file from a crashed save is ignored and left alone */
    char tmp[sizeof path + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *stale = fopen(tmp, "w");
    assert_non_null(stale);
    fputs("half-written", stale);
    fclose(stale);
    f.chip.nvm.zones[5].counter = 7; /* a counter zone: a plain zone has none (image_check.c) */
    assert_int_equal(stsafe_emu_image_save(path, &f.chip.nvm), 0);
    assert_int_equal(stsafe_emu_image_load(path, &parsed), 0);
    assert_int_equal(parsed.zones[5].counter, 7);
    FILE *left = fopen(tmp, "r"); /* not ours to reuse or remove (issue 14, finding 3) */
    assert_non_null(left);
    fclose(left);
    unlink(tmp);

    /* a damaged file is refused and left as it is */
    FILE *w = fopen(path, "r+b");
    assert_non_null(w);
    assert_int_equal(fseek(w, 100, SEEK_SET), 0);
    int byte = fgetc(w);
    assert_true(byte >= 0);
    assert_int_equal(fseek(w, 100, SEEK_SET), 0);
    assert_int_equal(fputc(byte ^ 0xFF, w), byte ^ 0xFF);
    assert_int_equal(fclose(w), 0);
    assert_int_equal(stsafe_emu_image_load(path, &parsed), STSAFE_ERR_IMAGE_CHECKSUM);
    FILE *r = fopen(path, "rb");
    assert_non_null(r);
    assert_int_equal(fseek(r, 100, SEEK_SET), 0);
    assert_int_equal(fgetc(r), byte ^ 0xFF);
    fclose(r);

    /* a missing file or folder: an I/O error whose errno the tools print */
    unlink(path);
    errno = 0;
    assert_int_equal(stsafe_emu_image_load(path, &parsed), STSAFE_ERR_IO);
    assert_int_equal(errno, ENOENT);
    errno = 0;
    assert_int_equal(stsafe_emu_image_save("/nonexistent-stse-emu-dir/chip.img", &f.chip.nvm), STSAFE_ERR_IO);
    assert_int_equal(errno, ENOENT);
    fixture_teardown(&f);
}

/* A profile applied with a cached P-256 group (fleets) gives the NVM the
 * plain one gives from the same random stream, byte for byte, chip after
 * chip (the cache's table of multiples of G is reused, never changed). */
static void test_profile_cache_same_nvm(void **state)
{
    (void)state;
    static stsafe_emu_nvm plain, cached;
    stsafe_emu_profile_cache cache;
    stsafe_emu_profile_output out_plain, out_cached;
    memset(&cache, 0, sizeof cache);
    for (uint8_t chip = 0; chip < 3; chip++) {
        const uint8_t seed[] = {'p', 'r', 'o', 'f', chip};
        uint8_t serial[STSAFE_EMU_SERIAL_LEN] = {0x46, chip};
        stsafe_rng a, b;
        assert_int_equal(stsafe_rng_init_deterministic(&a, seed, sizeof seed), 0);
        assert_int_equal(stsafe_rng_init_deterministic(&b, seed, sizeof seed), 0);
        assert_int_equal(stsafe_emu_profile_apply(&plain, "default", serial, stsafe_rng_fn, &a, &out_plain), 0);
        assert_int_equal(stsafe_emu_profile_apply_cached(&cached, "default", serial, stsafe_rng_fn, &b,
                                                         &out_cached, &cache), 0);
        assert_memory_equal(&plain, &cached, sizeof plain);
        assert_string_equal(out_plain.ca_cert_pem, out_cached.ca_cert_pem);
        stsafe_rng_free(&a);
        stsafe_rng_free(&b);
    }
    assert_int_equal(cache.loaded, 1);
    stsafe_emu_profile_cache_free(&cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_every_flipped_byte_refused),
        cmocka_unit_test(test_every_truncation_refused),
        cmocka_unit_test(test_damaged_file_refused_and_kept),
        cmocka_unit_test(test_save_and_load_file),
        cmocka_unit_test(test_profile_cache_same_nvm),
    };
    return cmocka_run_group_tests_name("emulator image", tests, NULL, NULL);
}
