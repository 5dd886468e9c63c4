/* SPDX-License-Identifier: BSD-3-Clause */
/* Put Attribute, Verify Password, Delete, Hibernate and the life cycle:
 * every answer byte for byte, and every refusal leaves the NVM as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "emu_fixture.h"
#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/status.h"

static const uint8_t host_keys[33] = {
    STSAFE_TAG_HOST_KEY_SLOT,
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF,
    0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
};

/* 09 · "stsafe-emu pwd!!" · 3 tries */
static const uint8_t put_pwd[18] = {STSAFE_TAG_PASSWORD_SLOT, 's', 't', 's', 'a', 'f', 'e', '-', 'e',
                                    'm', 'u', ' ', 'p', 'w', 'd', '!', '!', 3};
#define PWD (put_pwd + 1)
static const uint8_t wrong_pwd[16] = "stsafe-emu pwd!?";

static int setup(void **state)
{
    static emu_fixture f;
    fixture_setup(&f);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture_teardown(*state);
    return 0;
}

static uint8_t cmd(emu_fixture *f, uint8_t code, const uint8_t *p, size_t n, uint8_t *d, size_t *dn)
{
    size_t ignored;
    uint8_t scratch[STSAFE_A110_MAX_FRAME_LEN];
    return fixture_cmd(f, code, p, n, d ? d : scratch, dn ? dn : &ignored);
}

/* The command is refused with \p status and the NVM does not change. */
static void expect_refused(emu_fixture *f, uint8_t code, const uint8_t *p, size_t n, uint8_t status)
{
    static stsafe_emu_nvm before;
    before = f->chip.nvm;
    assert_int_equal(cmd(f, code, p, n, NULL, NULL), status);
    assert_memory_equal(&before, &f->chip.nvm, sizeof before);
}

static void expect_query(emu_fixture *f, uint8_t tag, const uint8_t *want, size_t want_len)
{
    uint8_t d[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0;
    assert_int_equal(cmd(f, STSAFE_CMD_QUERY, &tag, 1, d, &n), STSAFE_ST_OK);
    assert_int_equal(n, want_len);
    assert_memory_equal(d, want, want_len);
}

static void expect_verify(emu_fixture *f, const uint8_t *pwd, uint8_t ok, uint8_t left)
{
    uint8_t d[8];
    size_t n = 0;
    assert_int_equal(cmd(f, STSAFE_CMD_VERIFY_PASSWORD, pwd, 16, d, &n), STSAFE_ST_OK);
    assert_int_equal(n, 2);
    assert_int_equal(d[0], ok);
    assert_int_equal(d[1], left);
}

static void test_host_keys_write_once(void **state)
{
    emu_fixture *f = *state;
    static const uint8_t none[] = {0x00}, fresh[] = {0x01, 0x00, 0x00, 0x00};
    expect_query(f, STSAFE_TAG_HOST_KEY_SLOT, none, sizeof none);
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, host_keys, 32, STSAFE_ST_INCONSISTENT_COMMAND_DATA);
    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, host_keys, sizeof host_keys, NULL, NULL), 0);
    expect_query(f, STSAFE_TAG_HOST_KEY_SLOT, fresh, sizeof fresh);
    assert_memory_equal(f->chip.nvm.host_keys.mac_key, host_keys + 1, 16);
    assert_memory_equal(f->chip.nvm.host_keys.cipher_key, host_keys + 17, 16);
    /* A real A110 answers 0x11 to a second provisioning. */
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, host_keys, sizeof host_keys, STSAFE_ST_ACCESS_CONDITION);
}

static void test_put_unknown_tag(void **state)
{
    static const uint8_t product[] = {STSAFE_TAG_PRODUCT_DATA, 0};
    expect_refused(*state, STSAFE_CMD_PUT_ATTRIBUTE, product, sizeof product, STSAFE_ST_OUT_OF_RANGE);
}

static void test_password_tries(void **state)
{
    emu_fixture *f = *state;
    static const uint8_t empty[] = {0, 0, 0}, full[] = {1, 3, 3}, two[] = {1, 3, 2};
    expect_query(f, STSAFE_TAG_PASSWORD_SLOT, empty, sizeof empty);
    expect_refused(f, STSAFE_CMD_VERIFY_PASSWORD, PWD, 16, STSAFE_ST_ENTRY_NOT_FOUND);
    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, put_pwd, sizeof put_pwd, NULL, NULL), 0);
    expect_query(f, STSAFE_TAG_PASSWORD_SLOT, full, sizeof full);
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, put_pwd, sizeof put_pwd, STSAFE_ST_ACCESS_CONDITION);
    expect_refused(f, STSAFE_CMD_VERIFY_PASSWORD, PWD, 15, STSAFE_ST_INCONSISTENT_COMMAND_DATA);

    expect_verify(f, wrong_pwd, 0, 2);
    expect_query(f, STSAFE_TAG_PASSWORD_SLOT, two, sizeof two);
    expect_verify(f, PWD, 1, 3);            /* the right one gives the tries back */
    assert_int_equal(f->chip.vol.password_verified, 1);
    expect_verify(f, wrong_pwd, 0, 2);
    assert_int_equal(f->chip.vol.password_verified, 0);
    expect_verify(f, wrong_pwd, 0, 1);
    expect_verify(f, wrong_pwd, 0, 0);
    /* Blocked: even the right password is refused, and nothing changes. */
    expect_refused(f, STSAFE_CMD_VERIFY_PASSWORD, PWD, 16, STSAFE_ST_PASSWORD_BLOCKED);
    expect_refused(f, STSAFE_CMD_VERIFY_PASSWORD, wrong_pwd, 16, STSAFE_ST_PASSWORD_BLOCKED);
}

static void test_password_zero_tries_refused(void **state)
{
    uint8_t p[18];
    memcpy(p, put_pwd, sizeof p);
    p[17] = 0;
    expect_refused(*state, STSAFE_CMD_PUT_ATTRIBUTE, p, sizeof p, STSAFE_ST_OUT_OF_RANGE);
    expect_refused(*state, STSAFE_CMD_PUT_ATTRIBUTE, p, 17, STSAFE_ST_INCONSISTENT_COMMAND_DATA);
}

static void test_delete_password(void **state)
{
    emu_fixture *f = *state;
    static const uint8_t tag = STSAFE_TAG_PASSWORD_SLOT, other = STSAFE_TAG_HOST_KEY_SLOT;
    static const uint8_t empty[] = {0, 0, 0};
    expect_refused(f, STSAFE_CMD_DELETE, &tag, 1, STSAFE_ST_ENTRY_NOT_FOUND);
    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, put_pwd, sizeof put_pwd, NULL, NULL), 0);
    expect_refused(f, STSAFE_CMD_DELETE, &tag, 1, STSAFE_ST_ACCESS_CONDITION);
    expect_refused(f, STSAFE_CMD_DELETE, &other, 1, STSAFE_ST_OUT_OF_RANGE);
    expect_verify(f, PWD, 1, 3);
    assert_int_equal(cmd(f, STSAFE_CMD_RESET, NULL, 0, NULL, NULL), STSAFE_ST_OK);
    expect_refused(f, STSAFE_CMD_DELETE, &tag, 1, STSAFE_ST_ACCESS_CONDITION); /* Reset ended it */
    expect_verify(f, PWD, 1, 3);
    assert_int_equal(cmd(f, STSAFE_CMD_DELETE, &tag, 1, NULL, NULL), STSAFE_ST_OK);
    expect_query(f, STSAFE_TAG_PASSWORD_SLOT, empty, sizeof empty);
    /* The slot can be filled again. */
    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, put_pwd, sizeof put_pwd, NULL, NULL), 0);
}

static uint8_t put_life_cycle(emu_fixture *f, uint8_t lc)
{
    uint8_t p[2] = {STSAFE_TAG_LIFE_CYCLE_STATE, lc};
    return cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, p, sizeof p, NULL, NULL);
}

static void test_lock_and_unlock(void **state)
{
    emu_fixture *f = *state;
    static const uint8_t locked[] = {0x83}, operational[] = {0x03};
    static const uint8_t lock[] = {STSAFE_TAG_LIFE_CYCLE_STATE, 0x83};
    static const uint8_t born[] = {STSAFE_TAG_LIFE_CYCLE_STATE, 0x01};
    static const uint8_t patching[] = {STSAFE_TAG_LIFE_CYCLE_STATE, 0x02};
    static const uint8_t read0[] = {0, 0, 0, 0, 0, 4};
    static const uint8_t echo[] = {0xAB};
    /* No password verified: locking is refused. */
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, lock, sizeof lock, STSAFE_ST_ACCESS_CONDITION);
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, born, sizeof born, STSAFE_ST_ACCESS_CONDITION);
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, patching, sizeof patching, STSAFE_ST_OUT_OF_RANGE);
    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, put_pwd, sizeof put_pwd, NULL, NULL), 0);
    expect_verify(f, PWD, 1, 3);
    assert_int_equal(put_life_cycle(f, 0x83), STSAFE_ST_OK);
    expect_query(f, STSAFE_TAG_LIFE_CYCLE_STATE, locked, 1);
    /* Locked: data commands are refused, identification still works. */
    expect_refused(f, STSAFE_CMD_READ, read0, sizeof read0, STSAFE_ST_INVALID_LIFE_CYCLE);
    assert_int_equal(cmd(f, STSAFE_CMD_ECHO, echo, 1, NULL, NULL), STSAFE_ST_OK);
    /* After a power cycle the password must be presented again. */
    stsafe_emu_chip_power_cycle(&f->chip);
    static const uint8_t unlock[] = {STSAFE_TAG_LIFE_CYCLE_STATE, 0x03};
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, unlock, sizeof unlock, STSAFE_ST_ACCESS_CONDITION);
    expect_verify(f, PWD, 1, 3);
    assert_int_equal(put_life_cycle(f, 0x03), STSAFE_ST_OK);
    expect_query(f, STSAFE_TAG_LIFE_CYCLE_STATE, operational, 1);
    assert_int_equal(cmd(f, STSAFE_CMD_READ, read0, sizeof read0, NULL, NULL), STSAFE_ST_OK);
}

/* STSELib's stse_device_lock (docs/protocol.md, "Host library notes"):
 * Verify Password, then Put Attribute life cycle 0x83. The chip's answer
 * to the verify is the whole 2-byte response, its CRC over both bytes, so
 * a host that checks the frame with a buffer for the tries byte accepts
 * it; the lock that follows works. */
static void test_verify_then_lock_frames(void **state)
{
    emu_fixture *f = *state;
    uint8_t frame[64], rsp[STSAFE_A110_MAX_FRAME_LEN];
    size_t len = 0;
    stsafe_rsp_frame r;
    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, put_pwd, sizeof put_pwd, NULL, NULL), 0);
    assert_int_equal(stsafe_cmd_frame_encode(STSAFE_CMD_VERIFY_PASSWORD, PWD, 16, STSAFE_A110_MAX_FRAME_LEN,
                                             frame, sizeof frame, &len), 0);
    size_t n = fixture_exec(f, frame, len, rsp);
    assert_int_equal(n, 7); /* status, length 00 04, verified, tries left, CRC */
    static const uint8_t head[] = {0x00, 0x00, 0x04, 0x01, 0x03};
    assert_memory_equal(rsp, head, sizeof head);
    assert_int_equal(stsafe_rsp_frame_decode(rsp, n, &r), 0); /* the CRC covers both bytes */
    assert_int_equal(r.data_len, 2);
    static const uint8_t lock[] = {STSAFE_TAG_LIFE_CYCLE_STATE, 0x83}, locked[] = {0x83};
    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, lock, sizeof lock, NULL, NULL), STSAFE_ST_OK);
    expect_query(f, STSAFE_TAG_LIFE_CYCLE_STATE, locked, 1);
}

static void test_terminate(void **state)
{
    emu_fixture *f = *state;
    static const uint8_t echo[] = {0x5A}, query = STSAFE_TAG_LIFE_CYCLE_STATE;
    assert_int_equal(put_life_cycle(f, 0x04), STSAFE_ST_OK);
    assert_int_equal(f->chip.nvm.life_cycle, 0x04);
    assert_int_equal(cmd(f, STSAFE_CMD_ECHO, echo, 1, NULL, NULL), STSAFE_ST_OK);
    expect_refused(f, STSAFE_CMD_QUERY, &query, 1, STSAFE_ST_INVALID_LIFE_CYCLE);
    static const uint8_t back[] = {STSAFE_TAG_LIFE_CYCLE_STATE, 0x03};
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, back, sizeof back, STSAFE_ST_INVALID_LIFE_CYCLE);
}

/* Echo through the I2C slave at \p addr: 0 when it answered, else the error. */
static int i2c_echo(emu_fixture *f, uint8_t addr)
{
    static const uint8_t payload = 0x42;
    uint8_t fr[8], rsp[8];
    size_t n = 0;
    assert_int_equal(stsafe_cmd_frame_encode(STSAFE_CMD_ECHO, &payload, 1, STSAFE_A110_MAX_FRAME_LEN,
                                             fr, sizeof fr, &n), 0);
    if (addr != stsafe_emu_chip_i2c_address(&f->chip))
        return STSAFE_ERR_BUS_NACK; /* the bus backend's address check */
    int rc = stsafe_emu_i2c_write(&f->chip, 0, fr, n);
    if (rc)
        return rc;
    rc = stsafe_emu_i2c_read(&f->chip, 0, rsp, 6);
    assert_int_equal(rc, 0);
    assert_int_equal(rsp[0], 0);
    assert_int_equal(rsp[3], 0x42);
    return 0;
}

static void test_i2c_address_after_power_cycle(void **state)
{
    emu_fixture *f = *state;
    static const uint8_t put[] = {STSAFE_TAG_I2C_PARAMETERS, 0x21 << 1, 0x00};
    static const uint8_t odd[] = {STSAFE_TAG_I2C_PARAMETERS, (0x21 << 1) | 1, 0x00};
    static const uint8_t idle[] = {STSAFE_TAG_I2C_PARAMETERS, 0x21 << 1, 0x08};
    static const uint8_t reserved[] = {STSAFE_TAG_I2C_PARAMETERS, 0x78 << 1, 0x00};
    static const uint8_t want[] = {0x21 << 1, 0x00};
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, odd, sizeof odd, STSAFE_ST_OUT_OF_RANGE);
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, idle, sizeof idle, STSAFE_ST_OUT_OF_RANGE);
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, reserved, sizeof reserved, STSAFE_ST_OUT_OF_RANGE);
    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, put, sizeof put, NULL, NULL), STSAFE_ST_OK);
    expect_query(f, STSAFE_TAG_I2C_PARAMETERS, want, sizeof want);
    assert_int_equal(i2c_echo(f, 0x20), 0);
    assert_int_equal(i2c_echo(f, 0x21), STSAFE_ERR_BUS_NACK);
    stsafe_emu_chip_power_cycle(&f->chip);
    assert_int_equal(i2c_echo(f, 0x20), STSAFE_ERR_BUS_NACK);
    assert_int_equal(i2c_echo(f, 0x21), 0);
}

static void test_i2c_lock_is_one_way(void **state)
{
    emu_fixture *f = *state;
    static const uint8_t lock[] = {STSAFE_TAG_I2C_PARAMETERS, 0x20 << 1, 0x05}; /* lock + standby */
    static const uint8_t move[] = {STSAFE_TAG_I2C_PARAMETERS, 0x22 << 1, 0x00};
    static const uint8_t want[] = {0x20 << 1, 0x05};
    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, lock, sizeof lock, NULL, NULL), STSAFE_ST_OK);
    expect_query(f, STSAFE_TAG_I2C_PARAMETERS, want, sizeof want);
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, move, sizeof move, STSAFE_ST_ACCESS_CONDITION);
}

static void test_command_access_conditions(void **state)
{
    emu_fixture *f = *state;
    static const uint8_t echo_never[] = {STSAFE_TAG_COMMAND_AC, 1, STSAFE_CMD_ECHO, STSAFE_CMD_AC_NEVER};
    static const uint8_t random_pwd[] = {STSAFE_TAG_COMMAND_AC, 1, STSAFE_CMD_GENERATE_RANDOM,
                                         STSAFE_CMD_AC_ADMIN_OR_PWD};
    static const uint8_t bad_ac[] = {STSAFE_TAG_COMMAND_AC, 1, STSAFE_CMD_ECHO, 6};
    static const uint8_t no_record[] = {STSAFE_TAG_COMMAND_AC, 1, STSAFE_CMD_START_SESSION, 1};
    static const uint8_t short_list[] = {STSAFE_TAG_COMMAND_AC, 2, STSAFE_CMD_ECHO, 1};
    static const uint8_t enc[] = {STSAFE_TAG_COMMAND_ENCRYPTION, 1, STSAFE_CMD_ESTABLISH_KEY, 0x01};
    static const uint8_t bad_enc[] = {STSAFE_TAG_COMMAND_ENCRYPTION, 1, STSAFE_CMD_ESTABLISH_KEY, 0x04};
    static const uint8_t rnd[] = {0x00, 0x04}, echo[] = {0x11};
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, bad_ac, sizeof bad_ac, STSAFE_ST_OUT_OF_RANGE);
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, no_record, sizeof no_record, STSAFE_ST_ENTRY_NOT_FOUND);
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, short_list, sizeof short_list,
                   STSAFE_ST_INCONSISTENT_COMMAND_DATA);
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, bad_enc, sizeof bad_enc, STSAFE_ST_OUT_OF_RANGE);

    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, random_pwd, sizeof random_pwd, NULL, NULL), 0);
    expect_refused(f, STSAFE_CMD_GENERATE_RANDOM, rnd, sizeof rnd, STSAFE_ST_COMMAND_NOT_AUTHORIZED);
    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, put_pwd, sizeof put_pwd, NULL, NULL), 0);
    expect_verify(f, PWD, 1, 3);
    assert_int_equal(cmd(f, STSAFE_CMD_GENERATE_RANDOM, rnd, sizeof rnd, NULL, NULL), STSAFE_ST_OK);

    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, enc, sizeof enc, NULL, NULL), 0);
    uint8_t d[128];
    size_t n = 0;
    uint8_t tag = STSAFE_TAG_COMMAND_ENCRYPTION;
    assert_int_equal(cmd(f, STSAFE_CMD_QUERY, &tag, 1, d, &n), 0);
    assert_int_equal(n, 1u + 2u * d[0]);
    int seen = 0;
    for (size_t i = 0; i < d[0]; i++)
        if (d[1 + 2 * i] == STSAFE_CMD_ESTABLISH_KEY)
            seen = (d[2 + 2 * i] == 0x01);
    assert_true(seen);

    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, echo_never, sizeof echo_never, NULL, NULL), 0);
    expect_refused(f, STSAFE_CMD_ECHO, echo, sizeof echo, STSAFE_ST_COMMAND_NOT_AUTHORIZED);
    tag = STSAFE_TAG_COMMAND_AC;
    assert_int_equal(cmd(f, STSAFE_CMD_QUERY, &tag, 1, d, &n), 0);
    assert_int_equal(d[1], STSAFE_CMD_ECHO);
    assert_int_equal(d[2], STSAFE_CMD_AC_NEVER);
}

static void test_command_ac_change_right(void **state)
{
    emu_fixture *f = *state;
    static const uint8_t free_echo[] = {STSAFE_TAG_COMMAND_AC, 1, STSAFE_CMD_ECHO, STSAFE_CMD_AC_FREE};
    static const uint8_t enc[] = {STSAFE_TAG_COMMAND_ENCRYPTION, 1, STSAFE_CMD_ECHO, 0};
    f->chip.nvm.cmd_auth.change_right = 0x01; /* encryption flags only */
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, free_echo, sizeof free_echo, STSAFE_ST_ACCESS_CONDITION);
    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, enc, sizeof enc, NULL, NULL), 0);
    f->chip.nvm.cmd_auth.change_right = 0x02;
    expect_refused(f, STSAFE_CMD_PUT_ATTRIBUTE, enc, sizeof enc, STSAFE_ST_ACCESS_CONDITION);
}

/* Hibernate through the I2C slave: the answer is read, then the next write
 * is NACKed; in mode 1 that start wakes the chip (volatile state lost), in
 * mode 2 only a power cycle does. */
static void hibernate(emu_fixture *f, uint8_t mode)
{
    uint8_t frame[8], rsp[5];
    size_t n = 0;
    assert_int_equal(stsafe_cmd_frame_encode(STSAFE_CMD_HIBERNATE, &mode, 1, STSAFE_A110_MAX_FRAME_LEN,
                                             frame, sizeof frame, &n), 0);
    assert_int_equal(stsafe_emu_i2c_write(&f->chip, 0, frame, n), 0);
    assert_int_equal(stsafe_emu_i2c_read(&f->chip, 0, rsp, sizeof rsp), 0);
    assert_int_equal(rsp[0], STSAFE_ST_OK);
}

static void test_hibernate_wake_on_i2c(void **state)
{
    emu_fixture *f = *state;
    assert_int_equal(cmd(f, STSAFE_CMD_PUT_ATTRIBUTE, put_pwd, sizeof put_pwd, NULL, NULL), 0);
    expect_verify(f, PWD, 1, 3);
    hibernate(f, STSAFE_WAKE_ON_I2C_OR_RESET);
    assert_int_equal(i2c_echo(f, 0x20), STSAFE_ERR_BUS_NACK);
    assert_int_equal(f->chip.vol.password_verified, 0); /* woke as from power-up */
    assert_int_equal(i2c_echo(f, 0x20), 0);
}

static void test_hibernate_wake_on_reset_only(void **state)
{
    emu_fixture *f = *state;
    hibernate(f, STSAFE_WAKE_ON_RESET);
    for (int i = 0; i < 3; i++)
        assert_int_equal(i2c_echo(f, 0x20), STSAFE_ERR_BUS_NACK);
    stsafe_emu_chip_power_cycle(&f->chip);
    assert_int_equal(i2c_echo(f, 0x20), 0);
}

static void test_hibernate_payloads(void **state)
{
    emu_fixture *f = *state;
    static const uint8_t bad = 0x03, two[] = {1, 1};
    expect_refused(f, STSAFE_CMD_HIBERNATE, &bad, 1, STSAFE_ST_OUT_OF_RANGE);
    expect_refused(f, STSAFE_CMD_HIBERNATE, two, 2, STSAFE_ST_INCONSISTENT_COMMAND_DATA);
    assert_int_equal(f->chip.vol.hibernate, 0);
    assert_int_equal(cmd(f, STSAFE_CMD_HIBERNATE, NULL, 0, NULL, NULL), STSAFE_ST_OK);
    assert_int_equal(f->chip.vol.hibernate, STSAFE_WAKE_ON_I2C_OR_RESET); /* no byte: mode 1 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_host_keys_write_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_unknown_tag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_tries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_zero_tries_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_password, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_then_lock_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_and_unlock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_terminate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_i2c_address_after_power_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_i2c_lock_is_one_way, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_access_conditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_ac_change_right, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hibernate_wake_on_i2c, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hibernate_wake_on_reset_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hibernate_payloads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
