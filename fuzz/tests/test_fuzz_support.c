/* SPDX-License-Identifier: BSD-3-Clause */
/* The fuzz targets' checks, tested: each invariant predicate holds on good
 * data and fails on the violation it is there for, FUZZ_REQUIRE aborts, a
 * chip made to leak its key is caught, and the input splitter and fake bus
 * follow their documented rules (fuzz/lib/, docs/fuzzing.md). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fuzz_bus.h"
#include "fuzz_check.h"
#include "fuzz_chip.h"
#include "fuzz_host.h"
#include "fuzz_split.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"

static fuzz_chip *new_chip(void)
{
    fuzz_chip *f = malloc(sizeof *f);
    assert_non_null(f);
    assert_int_equal(fuzz_chip_init(f), 0);
    fuzz_chip_fresh(f);
    return f;
}

static void free_chip(fuzz_chip *f)
{
    stsafe_emu_chip_free(&f->chip);
    free(f);
}

/* Builds a frame with its CRC; returns its length. */
static size_t frame_of(uint8_t header, const uint8_t *payload, size_t len, uint8_t *out)
{
    size_t n = 0;
    assert_int_equal(stsafe_cmd_frame_encode(header, payload, len, STSAFE_A110_MAX_FRAME_LEN, out,
                                             STSAFE_A110_MAX_FRAME_LEN, &n), 0);
    return n;
}

/* Runs \p fn in a child process; 1 when it died of SIGABRT. */
static int aborts(void (*fn)(void *), void *arg)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        (void)fclose(stderr); /* the child's message is expected */
        fn(arg);
        _exit(0);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

/* ---- secrets ------------------------------------------------------------------ */

static void test_contains_secret(void **state)
{
    (void)state;
    uint8_t secret[32], hay[100], rev[32];
    for (size_t i = 0; i < sizeof secret; i++)
        secret[i] = (uint8_t)(0x30 + 7 * i);
    memset(hay, 0, sizeof hay);
    assert_false(fuzz_contains_secret(hay, sizeof hay, secret, sizeof secret));
    memcpy(hay + 40, secret, sizeof secret);
    assert_true(fuzz_contains_secret(hay, sizeof hay, secret, sizeof secret));
    memset(hay, 0, sizeof hay);
    memcpy(hay + 3, secret + 8, 16); /* a window from the middle */
    assert_true(fuzz_contains_secret(hay, sizeof hay, secret, sizeof secret));
    memset(hay, 0, sizeof hay);
    memcpy(hay + 3, secret + 9, 15); /* less than a window: not a leak */
    assert_false(fuzz_contains_secret(hay, sizeof hay, secret, sizeof secret));
    for (size_t i = 0; i < sizeof secret; i++)
        rev[i] = secret[sizeof secret - 1 - i];
    memcpy(hay + 60, rev, sizeof rev); /* little-endian */
    assert_true(fuzz_contains_secret(hay, sizeof hay, secret, sizeof secret));
    memset(secret, 0, 16); /* a window of zeros proves nothing */
    memset(hay, 0, sizeof hay);
    assert_false(fuzz_contains_secret(hay, sizeof hay, secret, sizeof secret));
}

static void test_secrets_of_the_chip(void **state)
{
    (void)state;
    fuzz_chip *f = new_chip();
    fuzz_secrets s;
    uint8_t buf[80] = {0};
    fuzz_secrets_clear(&s);
    fuzz_secrets_add_chip(&s, &f->chip);
    assert_int_equal(s.count, 1); /* the profile's slot 0 key */
    assert_int_equal(s.len[0], 32);
    assert_false(fuzz_leaks_secret(buf, sizeof buf, &s));
    memcpy(buf + 10, f->chip.nvm.key_slots[0].priv, 32);
    assert_true(fuzz_leaks_secret(buf, sizeof buf, &s));
    free_chip(f);
}

/* A chip whose zone 1 holds its own device key: reading it must abort. */
static void read_planted_key(void *arg)
{
    fuzz_chip *f = arg;
    static const uint8_t read_z1[6] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x40};
    uint8_t frame[STSAFE_A110_MAX_FRAME_LEN];
    memcpy(stsafe_emu_nvm_zone_data(&f->chip.nvm, 1), f->chip.nvm.key_slots[0].priv, 32);
    (void)fuzz_chip_exec(f, frame, frame_of(0x05, read_z1, sizeof read_z1, frame));
}

static void test_leaking_chip_aborts(void **state)
{
    (void)state;
    fuzz_chip *f = new_chip();
    assert_true(aborts(read_planted_key, f));
    f->check_secrets = 0; /* the image target's setting: no secret check */
    assert_false(aborts(read_planted_key, f));
    free_chip(f);
}

static void require_false(void *arg)
{
    (void)arg;
    FUZZ_REQUIRE(0, "test");
}

static void require_true(void *arg)
{
    (void)arg;
    FUZZ_REQUIRE(1, "test");
}

static void test_require_aborts(void **state)
{
    (void)state;
    assert_true(aborts(require_false, NULL));
    assert_false(aborts(require_true, NULL));
}

/* ---- NVM and counters ----------------------------------------------------------- */

static void test_nvm_same(void **state)
{
    (void)state;
    fuzz_chip *f = new_chip();
    stsafe_emu_nvm *a = &f->chip.nvm, *b = &f->before;
    uint8_t plain[16], prot[16], bad[16];
    static const uint8_t mac[4] = {1, 2, 3, 4};
    size_t np = frame_of(0x00, mac, 4, plain), nm = frame_of(0xE0, mac, 4, prot);
    memcpy(bad, prot, nm);
    bad[nm - 1] ^= 1;
    memcpy(b, a, sizeof *a);
    assert_true(fuzz_nvm_same(b, a, plain, np));
    a->zone_arena[100] ^= 1;
    assert_false(fuzz_nvm_same(b, a, prot, nm));
    a->zone_arena[100] ^= 1;
    a->host_keys.cmac_counter++; /* counted C-MAC */
    assert_true(fuzz_nvm_same(b, a, prot, nm));
    assert_false(fuzz_nvm_same(b, a, plain, np)); /* no C-MAC: nothing may move */
    assert_false(fuzz_nvm_same(b, a, bad, nm));   /* a bad frame is never counted */
    a->host_keys.cmac_counter++;
    assert_false(fuzz_nvm_same(b, a, prot, nm));  /* one count per command */
    free_chip(f);
}

static void test_counters(void **state)
{
    (void)state;
    fuzz_chip *f = new_chip();
    stsafe_emu_nvm *a = &f->chip.nvm, *b = &f->before;
    memcpy(b, a, sizeof *a);
    assert_true(fuzz_counters_ok(b, a));
    a->zones[5].counter--;
    assert_true(fuzz_counters_ok(b, a));
    a->zones[5].counter += 2;
    assert_false(fuzz_counters_ok(b, a));
    a->zones[5].counter = b->zones[5].counter;
    a->zones[1].size--;
    assert_false(fuzz_counters_ok(b, a));
    a->zones[1].size++;
    b->host_keys.present = a->host_keys.present = 1;
    a->host_keys.cmac_counter = b->host_keys.cmac_counter + 1;
    assert_true(fuzz_counters_ok(b, a));
    a->host_keys.cmac_counter = b->host_keys.cmac_counter + 2;
    assert_false(fuzz_counters_ok(b, a));
    free_chip(f);
}

static void test_response_ok(void **state)
{
    (void)state;
    uint8_t rsp[600];
    size_t n = 0;
    static const uint8_t data[2] = {0xAB, 0xCD};
    assert_int_equal(stsafe_rsp_frame_encode(0x00, data, 2, rsp, sizeof rsp, &n), 0);
    assert_true(fuzz_response_ok(rsp, n));
    rsp[n - 1] ^= 1;
    assert_false(fuzz_response_ok(rsp, n));
    assert_int_equal(stsafe_rsp_frame_encode(0x11, data, 2, rsp, sizeof rsp, &n), 0);
    assert_false(fuzz_response_ok(rsp, n)); /* an error with data */
    assert_int_equal(stsafe_rsp_frame_encode(0x11, NULL, 0, rsp, sizeof rsp, &n), 0);
    assert_true(fuzz_response_ok(rsp, n));
    uint8_t big[510] = {0};
    assert_int_equal(stsafe_rsp_frame_encode(0x00, big, 505, rsp, sizeof rsp, &n), 0);
    assert_false(fuzz_response_ok(rsp, n)); /* over 507 bytes */
}

/* A real command through the checked execution: an Update is answered OK,
 * changes the NVM and marks it dirty; a refused one changes nothing. */
static void test_chip_exec(void **state)
{
    (void)state;
    fuzz_chip *f = new_chip();
    uint8_t frame[STSAFE_A110_MAX_FRAME_LEN];
    static const uint8_t update_z1[5] = {0x00, 0x01, 0x00, 0x00, 0x5A};
    static const uint8_t update_z0[5] = {0x00, 0x00, 0x00, 0x00, 0x5A};
    assert_int_equal(fuzz_chip_exec(f, frame, frame_of(0x06, update_z1, 5, frame)), 0x00);
    assert_true(f->chip.nvm_dirty);
    assert_int_equal(stsafe_emu_nvm_zone_data(&f->chip.nvm, 1)[0], 0x5A);
    assert_int_equal(fuzz_chip_exec(f, frame, frame_of(0x06, update_z0, 5, frame)), 0x11);
    fuzz_chip_fresh(f); /* and a fresh chip forgets it */
    assert_int_equal(stsafe_emu_nvm_zone_data(&f->chip.nvm, 1)[0], 0x00);
    size_t n = frame_of(0x06, update_z1, 5, frame);
    assert_true(fuzz_frame_crc_ok(frame, n));
    frame[n - 1] ^= 0xFF;
    assert_false(fuzz_frame_crc_ok(frame, n));
    fuzz_frame_fix_crc(frame, n);
    assert_true(fuzz_frame_crc_ok(frame, n));
    assert_false(fuzz_frame_crc_ok(frame, 2)); /* too short to have a CRC */
    free_chip(f);
}

/* ---- input format and the fake chip ---------------------------------------------- */

static void test_split(void **state)
{
    (void)state;
    static const uint8_t in[] = {0x00, 0x02, 0xAA, 0xBB, 0x80, 0x00, 0x01, 0x00, 0xCC, 0xDD};
    fuzz_split s;
    const uint8_t *rec;
    size_t len;
    int flag = -1;
    fuzz_split_init(&s, in, sizeof in);
    assert_true(fuzz_split_next(&s, &rec, &len, &flag));
    assert_int_equal(len, 2);
    assert_int_equal(flag, 0);
    assert_memory_equal(rec, in + 2, 2);
    assert_true(fuzz_split_next(&s, &rec, &len, &flag));
    assert_int_equal(len, 0); /* an empty record, flagged */
    assert_int_equal(flag, 1);
    assert_true(fuzz_split_next(&s, &rec, &len, NULL));
    assert_int_equal(len, 2); /* 256 asked, the rest given */
    assert_false(fuzz_split_next(&s, &rec, &len, NULL));
    fuzz_split_init(&s, in, 3); /* a head and one byte */
    assert_true(fuzz_split_next(&s, &rec, &len, NULL));
    assert_int_equal(len, 1);
    fuzz_split_init(&s, in, 1); /* a lone byte is ignored */
    assert_false(fuzz_split_next(&s, &rec, &len, NULL));

    uint8_t out[8];
    size_t n = 0;
    assert_int_equal(fuzz_split_append(out, sizeof out, &n, in + 2, 2, 0), 0);
    assert_int_equal(fuzz_split_append(out, sizeof out, &n, NULL, 0, 1), 0);
    assert_int_equal(n, 6);
    assert_memory_equal(out, in, 6);
    assert_int_equal(fuzz_split_append(out, sizeof out, &n, in, 1, 0), -1); /* 3 bytes, 2 left */
    n = 0;
    assert_int_equal(fuzz_split_append(out, sizeof out, &n, in, FUZZ_SPLIT_MAX_LEN + 1, 0), -1);
}

static void test_fake_bus(void **state)
{
    (void)state;
    static const uint8_t answers[] = {0x00, 0x03, 0x10, 0x11, 0x12, 0x00, 0x00, 0x00, 0x01, 0x20};
    uint8_t cmd[8], buf[5];
    size_t n = frame_of(0x00, NULL, 0, cmd);
    fuzz_bus fb;
    stsafe_bus bus;

    fuzz_bus_init(&fb, &bus, answers, sizeof answers, 0);
    assert_int_equal(stsafe_bus_read(&bus, 0x20, buf, 2), STSAFE_ERR_BUS_NACK); /* nothing written */
    assert_int_equal(stsafe_bus_write(&bus, 0x20, cmd, n), 0);
    assert_int_equal(stsafe_bus_read(&bus, 0x20, buf, 5), 0);
    const uint8_t first[5] = {0x10, 0x11, 0x12, 0xFF, 0xFF};
    assert_memory_equal(buf, first, 5);
    assert_int_equal(stsafe_bus_read(&bus, 0x20, buf, 2), 0); /* again from byte 0 */
    assert_int_equal(buf[0], 0x10);
    assert_int_equal(stsafe_bus_write(&bus, 0x20, cmd, n), 0);
    assert_int_equal(stsafe_bus_read(&bus, 0x20, buf, 1), STSAFE_ERR_BUS_NACK); /* empty: busy */
    assert_int_equal(stsafe_bus_write(&bus, 0x20, cmd, n), 0);
    assert_int_equal(stsafe_bus_read(&bus, 0x20, buf, 1), 0);
    assert_int_equal(buf[0], 0x20);

    fuzz_bus_init(&fb, &bus, answers, sizeof answers, 1); /* per read */
    assert_int_equal(stsafe_bus_read(&bus, 0x20, buf, 1), 0);
    assert_int_equal(buf[0], 0x10);
    assert_int_equal(stsafe_bus_read(&bus, 0x20, buf, 1), STSAFE_ERR_BUS_NACK);
    assert_int_equal(stsafe_bus_read(&bus, 0x20, buf, 1), 0);
    assert_int_equal(buf[0], 0x20);
    assert_int_equal(fb.reads, 3);
}

/* A flagged response gets the CRC its length field points at; an
 * unflagged one is served as it is. */
static void test_fake_bus_fixes_crc(void **state)
{
    (void)state;
    /* OK, length 4 (2 data bytes + CRC), CRC bytes wrong; then the same unflagged */
    static const uint8_t answers[] = {0x80, 0x07, 0x00, 0x00, 0x04, 0xAB, 0xCD, 0x00, 0x00,
                                      0x00, 0x07, 0x00, 0x00, 0x04, 0xAB, 0xCD, 0x00, 0x00,
                                      0x80, 0x03, 0x00, 0x00, 0x06};
    uint8_t cmd[8], buf[9];
    size_t n = frame_of(0x00, NULL, 0, cmd);
    stsafe_rsp_frame rsp;
    fuzz_bus fb;
    stsafe_bus bus;
    fuzz_bus_init(&fb, &bus, answers, sizeof answers, 0);
    assert_int_equal(stsafe_bus_write(&bus, 0x20, cmd, n), 0);
    assert_int_equal(stsafe_bus_read(&bus, 0x20, buf, 7), 0);
    assert_int_equal(stsafe_rsp_frame_decode(buf, 7, &rsp), 0);
    assert_int_equal(rsp.data_len, 2);
    assert_int_equal(stsafe_bus_write(&bus, 0x20, cmd, n), 0);
    assert_int_equal(stsafe_bus_read(&bus, 0x20, buf, 7), 0);
    assert_int_equal(stsafe_rsp_frame_decode(buf, 7, &rsp), STSAFE_ERR_FRAME_CRC);
    /* the length field says 9 bytes, 3 were given: the CRC lands in the padding */
    assert_int_equal(stsafe_bus_write(&bus, 0x20, cmd, n), 0);
    assert_int_equal(stsafe_bus_read(&bus, 0x20, buf, 9), 0);
    assert_int_equal(stsafe_rsp_frame_decode(buf, 9, &rsp), 0);
    assert_int_equal(rsp.data[0], 0xFF);
}

static void write_bad_frame(void *arg)
{
    stsafe_bus *bus = arg;
    static const uint8_t bad[3] = {0x00, 0x00, 0x00};
    (void)stsafe_bus_write(bus, 0x20, bad, sizeof bad);
}

static void test_fake_bus_checks_frames(void **state)
{
    (void)state;
    fuzz_bus fb;
    stsafe_bus bus;
    fuzz_bus_init(&fb, &bus, NULL, 0, 0);
    assert_true(aborts(write_bad_frame, &bus));
}

/* A flagged protected frame gets the C-MAC the chip expects: the chip
 * answers it OK and counts it; without host keys nothing is changed. */
static void test_fix_cmac(void **state)
{
    (void)state;
    static const uint8_t keys[33] = {0x17, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
                                     0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x01, 0x23, 0x45, 0x67, 0x89,
                                     0xAB, 0xCD, 0xEF, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF};
    static const uint8_t echo_bad_mac[8] = {0x01, 0x02, 0x03, 0x04, 0xDE, 0xAD, 0xBE, 0xEF};
    fuzz_chip *f = new_chip();
    uint8_t frame[STSAFE_A110_MAX_FRAME_LEN], copy[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = frame_of(0xE0, echo_bad_mac, sizeof echo_bad_mac, frame);
    memcpy(copy, frame, n);
    fuzz_frame_fix_cmac(&f->chip, copy, n);
    assert_memory_equal(copy, frame, n); /* no host keys: left alone */
    size_t kn = 0;
    uint8_t put[64];
    kn = frame_of(0x10, keys, sizeof keys, put);
    assert_int_equal(fuzz_chip_exec(f, put, kn), 0x00);
    assert_int_equal(fuzz_chip_exec(f, frame, n), 0x16); /* invalid C-MAC */
    fuzz_frame_fix_cmac(&f->chip, frame, n);
    fuzz_frame_fix_crc(frame, n);
    assert_int_equal(fuzz_chip_exec(f, frame, n), 0x00);
    assert_int_equal(f->chip.nvm.host_keys.cmac_counter, 1);
    assert_int_equal(f->rsp[0], 0x40); /* R-MAC follows */
    free_chip(f);
}

static void test_host_codes(void **state)
{
    (void)state;
    stsafe_client c;
    stsafe_client_init(&c, NULL, 0x20);
    c.last_status = 0x11;
    assert_true(fuzz_host_code_ok(&c, STSAFE_ERR_STATUS(0x11)));
    assert_false(fuzz_host_code_ok(&c, STSAFE_ERR_STATUS(0x12))); /* not the status it kept */
    assert_false(fuzz_host_code_ok(&c, 0));                        /* success after a refusal */
    assert_true(fuzz_host_code_ok(&c, STSAFE_ERR_FRAME_CRC));
    assert_false(fuzz_host_code_ok(&c, STSAFE_ERR_BUS_NACK));      /* NACKs become a timeout */
    assert_false(fuzz_host_code_ok(&c, -1));
    c.last_status = 0;
    assert_true(fuzz_host_code_ok(&c, 0));
    assert_false(fuzz_host_code_ok(&c, STSAFE_ERR_STATUS(0)));
}

/* The client against a chip that answers garbage: an error, no crash. */
static void test_host_against_garbage(void **state)
{
    (void)state;
    static const uint8_t garbage[] = {0x00, 0x05, 0x00, 0x00, 0x02, 0x12, 0x34};
    fuzz_bus fb;
    stsafe_bus bus;
    fuzz_host h;
    fuzz_bus_init(&fb, &bus, garbage, sizeof garbage, 0);
    fuzz_host_init(&h, &bus, 2);
    assert_int_equal(fuzz_host_cmd_run(&h, FUZZ_HOST_ECHO), STSAFE_ERR_FRAME_CRC);
    assert_int_equal(fb.writes, 1);
    assert_string_equal(fuzz_host_cmd_name(FUZZ_HOST_SIGN), "sign");
    assert_string_equal(fuzz_host_cmd_name(FUZZ_HOST_CMD_COUNT), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contains_secret),
        cmocka_unit_test(test_secrets_of_the_chip),
        cmocka_unit_test(test_leaking_chip_aborts),
        cmocka_unit_test(test_require_aborts),
        cmocka_unit_test(test_nvm_same),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_response_ok),
        cmocka_unit_test(test_chip_exec),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_fake_bus),
        cmocka_unit_test(test_fake_bus_checks_frames),
        cmocka_unit_test(test_fake_bus_fixes_crc),
        cmocka_unit_test(test_fix_cmac),
        cmocka_unit_test(test_host_codes),
        cmocka_unit_test(test_host_against_garbage),
    };
    return cmocka_run_group_tests_name("fuzz support", tests, NULL, NULL);
}
