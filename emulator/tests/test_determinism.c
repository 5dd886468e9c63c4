/* SPDX-License-Identifier: BSD-3-Clause */
/* Issue 15: the chip's seed and random source (chip_rng.c), its image
 * section (format v2, v1 still read), and the timing profiles and per-chip
 * spread (timing.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/sha256.h>

#include "emu_fixture.h"
#include "stsafe/emulator/image.h"
#include "stsafe/emulator/snapshot.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/buf.h"
#include "stsafe/protocol/codec_ecc.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/status.h"

static uint8_t img[STSAFE_EMU_IMAGE_MAX_SIZE];
static stsafe_emu_nvm saved, parsed;

static const uint8_t random_req[] = {0x00, 32};
static const uint8_t envkey_slot0[] = {0x07, 0x00, 0x00};

/* The answers to a session of the random-dependent commands (Random,
 * Generate Key, a signature, an envelope key), one after
 * the other in \p out; returns their total length. */
static size_t session(emu_fixture *f, uint8_t *out)
{
    size_t total = 0, n = 0;
    assert_int_equal(fixture_cmd(f, STSAFE_CMD_GENERATE_RANDOM, random_req, sizeof random_req, out, &n), 0);
    uint8_t genkey[64];
    stsafe_writer w;
    stsafe_genkey_req gk = {1, 0xFFFF, 0x0000, STSAFE_CURVE_P256};
    stsafe_writer_init(&w, genkey, sizeof genkey);
    assert_int_equal(stsafe_genkey_req_encode(&w, &gk), 0);
    total += n;
    assert_int_equal(fixture_cmd(f, STSAFE_CMD_GENERATE_KEY, genkey, w.len,
                                 out + total, &n), 0);
    total += n;
    uint8_t sign_req[3 + 32] = {0x01, 0x00, 0x20};
    sign_req[5] = 0x42;
    assert_int_equal(fixture_cmd(f, STSAFE_CMD_GENERATE_SIGNATURE, sign_req, sizeof sign_req, out + total, &n), 0);
    total += n;
    assert_int_equal(fixture_cmd(f, STSAFE_CMD_GENERATE_KEY, envkey_slot0, sizeof envkey_slot0, out + total, &n), 0);
    total += n;
    return total;
}

/* The same NVM and the same commands give the same bytes; another seed
 * gives other bytes; the draw counter moves once per drawing command. */
static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    emu_fixture a, b;
    static uint8_t out_a[4096], out_b[4096];
    fixture_setup(&a);
    fixture_setup(&b);
    assert_int_equal(a.chip.nvm.entropy.seeded, 1);
    assert_int_equal(stsafe_emu_nvm_set_seed(&a.chip.nvm, (const uint8_t *)"one seed", 8), 0);
    assert_int_equal(stsafe_emu_nvm_set_seed(&b.chip.nvm, (const uint8_t *)"one seed", 8), 0);
    size_t na = session(&a, out_a), nb = session(&b, out_b);
    assert_int_equal(na, nb);
    assert_memory_equal(out_a, out_b, na);
    /* the envelope key never leaves the chip (Wrap needs the secure channel
     * in this profile): compare the NVMs, which hold every key */
    assert_memory_equal(&a.chip.nvm, &b.chip.nvm, sizeof a.chip.nvm);
    assert_int_equal(a.chip.nvm.entropy.draws, 4); /* random, key, signature, envelope key */
    fixture_teardown(&b);

    fixture_setup(&b);
    assert_int_equal(stsafe_emu_nvm_set_seed(&b.chip.nvm, (const uint8_t *)"another seed", 12), 0);
    nb = session(&b, out_b);
    assert_memory_not_equal(out_a, out_b, 32);
    fixture_teardown(&a);
    fixture_teardown(&b);
}

/* The counter is NVM state: a power cycle keeps it, so Generate Random
 * after a power cycle does not repeat; the image carries it. */
static void test_counter_survives(void **state)
{
    (void)state;
    emu_fixture f;
    uint8_t r1[40], r2[40];
    size_t n = 0, len = 0;
    fixture_setup(&f);
    assert_int_equal(fixture_cmd(&f, STSAFE_CMD_GENERATE_RANDOM, random_req, sizeof random_req, r1, &n), 0);
    stsafe_emu_chip_power_cycle(&f.chip);
    assert_int_equal(fixture_cmd(&f, STSAFE_CMD_GENERATE_RANDOM, random_req, sizeof random_req, r2, &n), 0);
    assert_memory_not_equal(r1, r2, 32);
    assert_int_equal(f.chip.nvm.entropy.draws, 2);
    assert_true(f.chip.nvm_dirty); /* the counter must reach the image */
    assert_int_equal(f.chip.stats.nvm_writes, 0); /* but no command wrote the NVM */
    assert_int_equal(stsafe_emu_image_serialize(&f.chip.nvm, img, sizeof img, &len), 0);
    assert_int_equal(stsafe_emu_image_parse(img, len, &parsed), 0);
    assert_int_equal(parsed.entropy.draws, 2);
    assert_memory_equal(parsed.entropy.seed, f.chip.nvm.entropy.seed, STSAFE_EMU_SEED_LEN);
    fixture_teardown(&f);
}

/* A version 1 image (no section 9) loads with a seed derived from its
 * bytes: the same each time, another for another image; saved, it is v2. */
static void test_v1_image(void **state)
{
    (void)state;
    emu_fixture f;
    size_t len = 0;
    fixture_setup(&f);
    saved = f.chip.nvm;
    assert_int_equal(stsafe_emu_image_serialize(&saved, img, sizeof img, &len), 0);
    /* make it a version 1 image: drop section 9 (tag 2, length 4, 41 bytes), fix version and digest */
    size_t sec9 = 2 + 4 + 1 + STSAFE_EMU_SEED_LEN + 8;
    size_t body = len - STSAFE_EMU_IMAGE_DIGEST_LEN - sec9;
    assert_int_equal(img[body + 1], 9);
    img[9] = 1;
    assert_int_equal(stsafe_mbedtls_sha256(img, body, img + body), 0);
    len = body + STSAFE_EMU_IMAGE_DIGEST_LEN;
    assert_int_equal(stsafe_emu_image_parse(img, len, &parsed), 0);
    assert_int_equal(parsed.entropy.seeded, 1);
    assert_int_equal(parsed.entropy.draws, 0);
    assert_memory_not_equal(parsed.entropy.seed, saved.entropy.seed, STSAFE_EMU_SEED_LEN);
    uint8_t first[STSAFE_EMU_SEED_LEN];
    memcpy(first, parsed.entropy.seed, sizeof first);
    assert_int_equal(stsafe_emu_image_parse(img, len, &parsed), 0);
    assert_memory_equal(first, parsed.entropy.seed, sizeof first);
    parsed.entropy = saved.entropy; /* everything else is as it was */
    assert_memory_equal(&parsed, &saved, sizeof parsed);
    img[20] ^= 1; /* another v1 image (its digest no longer matches: recompute) */
    assert_int_equal(stsafe_mbedtls_sha256(img, body, img + body), 0);
    if (stsafe_emu_image_parse(img, len, &parsed) == 0)
        assert_memory_not_equal(first, parsed.entropy.seed, sizeof first);
    fixture_teardown(&f);
}

/* Profiles: minimum (X-CUBE-SAFEA1 3.3.1) and observed (x-cube-iota1). */
static void test_profiles(void **state)
{
    (void)state;
    assert_int_equal(stsafe_emu_profile_time_us(STSAFE_EMU_PROFILE_MINIMUM, STSAFE_CMD_GENERATE_KEY,
                                                STSAFE_CURVE_P384), 110000);
    assert_int_equal(stsafe_emu_profile_time_us(STSAFE_EMU_PROFILE_MINIMUM, STSAFE_CMD_GENERATE_SIGNATURE,
                                                STSAFE_CURVE_P384), 80000);
    assert_int_equal(stsafe_emu_profile_time_us(STSAFE_EMU_PROFILE_OBSERVED, STSAFE_CMD_GENERATE_KEY,
                                                STSAFE_CURVE_P256), 990000);
    assert_int_equal(stsafe_emu_profile_time_us(STSAFE_EMU_PROFILE_OBSERVED, STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE,
                                                STSAFE_CURVE_NONE), 975000);
    assert_int_equal(stsafe_emu_profile_time_us(STSAFE_EMU_PROFILE_OBSERVED, STSAFE_CMD_ECHO,
                                                STSAFE_CURVE_NONE), 5000);
    assert_int_equal(stsafe_emu_profile_time_us(STSAFE_EMU_PROFILE_MINIMUM, 0x1F, STSAFE_CURVE_NONE), 0);
    assert_int_equal(stsafe_emu_timing_profile_parse("observed"), STSAFE_EMU_PROFILE_OBSERVED);
    assert_int_equal(stsafe_emu_timing_profile_parse("minimum"), STSAFE_EMU_PROFILE_MINIMUM);
    assert_int_equal(stsafe_emu_timing_profile_parse("fast"), -1);
}

/* The spread: fixed by the seed, within +-10 %, off with 0 or no seed. */
static void test_spread(void **state)
{
    (void)state;
    emu_fixture a, b;
    fixture_setup(&a);
    fixture_setup(&b);
    assert_int_equal(stsafe_emu_nvm_set_seed(&b.chip.nvm, (const uint8_t *)"part 2", 6), 0);
    int nonzero = 0, differ = 0;
    for (uint8_t code = 0; code < 32; code++) {
        int p = stsafe_emu_timing_spread_permille(&a.chip, code);
        assert_true(p >= -100 && p <= 100);
        nonzero += p != 0;
        differ += p != stsafe_emu_timing_spread_permille(&b.chip, code);
        uint64_t base = stsafe_emu_profile_time_us(STSAFE_EMU_PROFILE_MINIMUM, code, STSAFE_CURVE_NONE);
        assert_int_equal(stsafe_emu_busy_time_us(&a.chip, code, STSAFE_CURVE_NONE),
                         base * (uint64_t)(1000 + p) / 1000);
    }
    assert_true(nonzero > 16);
    assert_true(differ > 16);
    a.chip.timing_spread_pct = 0;
    assert_int_equal(stsafe_emu_timing_spread_permille(&a.chip, STSAFE_CMD_GENERATE_KEY), 0);
    assert_int_equal(stsafe_emu_busy_time_us(&a.chip, STSAFE_CMD_GENERATE_KEY, STSAFE_CURVE_P384), 110000);
    b.chip.nvm.entropy.seeded = 0;
    assert_int_equal(stsafe_emu_timing_spread_permille(&b.chip, STSAFE_CMD_GENERATE_KEY), 0);
    fixture_teardown(&a);
    fixture_teardown(&b);
}

/* Snapshots (snapshot.h): a chip restored from one answers a rerun of the
 * same commands byte for byte, volatile state included (an ephemeral key,
 * a pending response); a damaged snapshot changes nothing. */
static void test_snapshot_rerun(void **state)
{
    (void)state;
    emu_fixture a, b;
    static uint8_t snap[STSAFE_EMU_SNAPSHOT_MAX_SIZE], first[4096], again[4096], other[4096];
    size_t snap_len = 0, n = 0;
    fixture_setup(&a);
    fixture_setup(&b);
    /* volatile state worth keeping: an ephemeral key, and an answer waiting on the bus */
    uint8_t genkey[64], rsp[600];
    stsafe_writer w;
    stsafe_genkey_req gk = {STSAFE_EPHEMERAL_SLOT, 0xFFFF, 0x0000, STSAFE_CURVE_P256};
    stsafe_writer_init(&w, genkey, sizeof genkey);
    assert_int_equal(stsafe_genkey_req_encode(&w, &gk), 0);
    assert_int_equal(fixture_cmd(&a, STSAFE_CMD_GENERATE_KEY, genkey, w.len, rsp, &n), 0);
    static const uint8_t echo[] = {0x00, 0xF0, 0x78};
    assert_int_equal(stsafe_emu_i2c_write(&a.chip, 0, echo, sizeof echo), 0);
    assert_int_equal(stsafe_emu_snapshot_save(&a.chip, snap, sizeof snap, &snap_len), 0);

    uint8_t pending[5];
    assert_int_equal(stsafe_emu_i2c_read(&a.chip, 0, pending, sizeof pending), 0);
    size_t n1 = session(&a, first);
    assert_int_equal(stsafe_emu_snapshot_restore(&a.chip, snap, snap_len), 0);
    uint8_t pending2[5];
    assert_int_equal(stsafe_emu_i2c_read(&a.chip, 0, pending2, sizeof pending2), 0);
    assert_memory_equal(pending, pending2, sizeof pending);
    size_t n2 = session(&a, again);
    assert_int_equal(n1, n2);
    assert_memory_equal(first, again, n1);

    /* another chip becomes the same chip */
    assert_int_equal(stsafe_emu_snapshot_restore(&b.chip, snap, snap_len), 0);
    size_t n3 = session(&b, other);
    assert_int_equal(n1, n3);
    assert_memory_equal(first, other, n1);

    /* damaged, truncated, or not a snapshot: refused, nothing changed */
    saved = b.chip.nvm;
    snap[snap_len / 2] ^= 1;
    assert_int_equal(stsafe_emu_snapshot_restore(&b.chip, snap, snap_len), STSAFE_ERR_IMAGE_CHECKSUM);
    assert_int_equal(stsafe_emu_snapshot_restore(&b.chip, snap, 20), STSAFE_ERR_IMAGE_FORMAT);
    assert_int_equal(stsafe_emu_snapshot_restore(&b.chip, img, 100), STSAFE_ERR_IMAGE_FORMAT);
    assert_memory_equal(&saved, &b.chip.nvm, sizeof saved);
    fixture_teardown(&a);
    fixture_teardown(&b);
}

/* The construction docs/image-format.md ("The seed") documents, computed
 * here apart from the chip with mbedTLS's CTR_DRBG: the whole entropy input
 * is seed || draw counter (8, big-endian) || SHA-256(command frame), with no
 * nonce and no personalisation, and Generate Random answers its first bytes.
 * The literal bytes pin it across mbedTLS versions (ctest runs this on 2.28
 * and 3.6): a chip's recorded sessions replay the same on both. */
static int give_material(void *ctx, unsigned char *out, size_t len)
{
    if (len != STSAFE_EMU_SEED_LEN + 8 + 32)
        return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
    memcpy(out, ctx, len);
    return 0;
}

static void test_documented_construction(void **state)
{
    (void)state;
    static const uint8_t known[32] = {0xAA, 0xDC, 0x3C, 0x8E, 0x4E, 0xE1, 0x8B, 0x72, 0xC6, 0x96, 0x25,
                                      0x8A, 0x2B, 0x5E, 0x01, 0xA4, 0xB0, 0xE2, 0x70, 0x9F, 0x7C, 0x75,
                                      0x40, 0x3E, 0xBE, 0x1D, 0x94, 0xCB, 0xDD, 0x30, 0x6F, 0xC2};
    emu_fixture f;
    fixture_setup(&f);
    assert_int_equal(stsafe_emu_nvm_set_seed(&f.chip.nvm, (const uint8_t *)"known answer", 12), 0);
    f.chip.nvm.entropy.draws = 0x0102030405060708u;
    uint8_t frame[16], rsp[64];
    size_t n = 0;
    assert_int_equal(stsafe_cmd_frame_encode(STSAFE_CMD_GENERATE_RANDOM, random_req, sizeof random_req,
                                             STSAFE_A110_MAX_FRAME_LEN, frame, sizeof frame, &n), 0);
    assert_int_equal(fixture_exec(&f, frame, n, rsp), 3 + 32 + 2); /* status, length, 32 bytes, CRC */
    assert_int_equal(rsp[0], STSAFE_ST_OK);
    assert_int_equal(f.chip.nvm.entropy.draws, 0x0102030405060709u);

    uint8_t material[STSAFE_EMU_SEED_LEN + 8 + 32], want[32];
    memcpy(material, f.chip.nvm.entropy.seed, STSAFE_EMU_SEED_LEN);
    static const uint8_t counter[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    memcpy(material + STSAFE_EMU_SEED_LEN, counter, sizeof counter);
    assert_int_equal(stsafe_mbedtls_sha256(frame, n, material + STSAFE_EMU_SEED_LEN + 8), 0);
    mbedtls_ctr_drbg_context drbg;
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ctr_drbg_set_entropy_len(&drbg, sizeof material);
    assert_int_equal(mbedtls_ctr_drbg_set_nonce_len(&drbg, 0), 0);
    assert_int_equal(mbedtls_ctr_drbg_seed(&drbg, give_material, material, NULL, 0), 0);
    assert_int_equal(mbedtls_ctr_drbg_random(&drbg, want, sizeof want), 0);
    mbedtls_ctr_drbg_free(&drbg);
    assert_memory_equal(rsp + 3, want, sizeof want);
    assert_memory_equal(rsp + 3, known, sizeof known);
    fixture_teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_counter_survives),
        cmocka_unit_test(test_v1_image),
        cmocka_unit_test(test_profiles),
        cmocka_unit_test(test_spread),
        cmocka_unit_test(test_snapshot_rerun),
        cmocka_unit_test(test_documented_construction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
