/* Image files: exact round trip, every corruption refused, crash-safe save. */
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
#include "stse_emu/image.h"
#include "stsafe/error.h"

static uint8_t img[STSE_EMU_IMAGE_MAX_SIZE];
static stse_emu_nvm parsed;

static void test_round_trip(void **state)
{
    (void)state;
    emu_fixture f;
    size_t len = 0;
    fixture_setup(&f);
    f.chip.nvm.host_keys.cmac_counter = 0x123456;
    f.chip.nvm.zones[5].counter = 42;
    assert_int_equal(stse_emu_image_serialize(&f.chip.nvm, img, sizeof img, &len), 0);
    assert_memory_equal(img, STSE_EMU_IMAGE_MAGIC, STSE_EMU_IMAGE_MAGIC_LEN);
    assert_int_equal(img[8], 0x00);
    assert_int_equal(img[9], 0x01);
    memset(&parsed, 0xEE, sizeof parsed);
    assert_int_equal(stse_emu_image_parse(img, len, &parsed), 0);
    assert_memory_equal(&parsed, &f.chip.nvm, sizeof parsed);
    fixture_teardown(&f);
}

/* Flip one bit at every position: always refused, never half-loaded. */
static void test_every_corruption_refused(void **state)
{
    (void)state;
    emu_fixture f;
    size_t len = 0;
    fixture_setup(&f);
    assert_int_equal(stse_emu_image_serialize(&f.chip.nvm, img, sizeof img, &len), 0);
    for (size_t i = 0; i < len; i++) {
        img[i] ^= 0x10;
        memset(&parsed, 0x5A, sizeof parsed);
        int err = stse_emu_image_parse(img, len, &parsed);
        if (i < STSE_EMU_IMAGE_MAGIC_LEN)
            assert_int_equal(err, STSAFE_ERR_IMAGE_FORMAT);
        else if (i < STSE_EMU_IMAGE_MAGIC_LEN + 2)
            assert_int_equal(err, STSAFE_ERR_IMAGE_VERSION);
        else
            assert_int_equal(err, STSAFE_ERR_IMAGE_CHECKSUM);
        for (size_t k = 0; k < sizeof parsed; k++)
            if (((uint8_t *)&parsed)[k] != 0x5A)
                fail_msg("corrupted image at byte %zu wrote into the NVM", i);
        img[i] ^= 0x10;
    }
    for (size_t cut = 0; cut < len; cut += 97)
        assert_int_not_equal(stse_emu_image_parse(img, cut, &parsed), 0);
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
    assert_int_equal(stse_emu_image_save(path, &f.chip.nvm), 0);
    assert_int_equal(stse_emu_image_load(path, &parsed), 0);
    assert_memory_equal(&parsed, &f.chip.nvm, sizeof parsed);

    /* a stale temp file from a crashed save is ignored and replaced */
    char tmp[sizeof path + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *stale = fopen(tmp, "w");
    assert_non_null(stale);
    fputs("half-written", stale);
    fclose(stale);
    f.chip.nvm.zones[1].counter = 7;
    assert_int_equal(stse_emu_image_save(path, &f.chip.nvm), 0);
    assert_int_equal(stse_emu_image_load(path, &parsed), 0);
    assert_int_equal(parsed.zones[1].counter, 7);
    assert_int_equal(access(tmp, F_OK), -1);

    /* a damaged file is refused and left as it is */
    FILE *w = fopen(path, "r+b");
    assert_non_null(w);
    fseek(w, 100, SEEK_SET);
    fputc(0x00, w);
    fclose(w);
    assert_int_equal(stse_emu_image_load(path, &parsed), STSAFE_ERR_IMAGE_CHECKSUM);
    unlink(path);
    assert_int_equal(stse_emu_image_load(path, &parsed), STSAFE_ERR_IO);
    fixture_teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_every_corruption_refused),
        cmocka_unit_test(test_save_and_load_file),
    };
    return cmocka_run_group_tests_name("emulator image", tests, NULL, NULL);
}
