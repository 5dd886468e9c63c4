/* SPDX-License-Identifier: BSD-3-Clause */
/* Issue 14, finding 2: the command table (Put Attribute 0x29 access
 * conditions, 0x2A encryption flags) is enforced as zone access conditions
 * are: once host keys are set only a C-MAC changes it, and never to
 * something weaker (docs/protocol.md, "Command access conditions"). The
 * attacks of the issue are refused 0x11 and change nothing in the NVM; a
 * strengthening is accepted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stsafe/client/client.h"
#include "stsafe/client/inproc_device.h"
#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/error.h"

static const uint8_t mac_key[16] = {0xA0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t cipher_key[16] = {0xC0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t serial[9] = {2, 2, 2, 2, 2, 2, 2, 2, 2};
static const int refused = STSAFE_ERR_STATUS(0x11);

static int setup(void **state)
{
    static stsafe_inproc_device d;
    static const uint8_t seed[] = "stsafe-emu command table test";
    assert_int_equal(stsafe_inproc_device_default(&d, seed, sizeof seed, serial), 0);
    *state = &d;
    return 0;
}

static int teardown(void **state)
{
    stsafe_inproc_device_free(*state);
    return 0;
}

static stsafe_emu_cmd_auth *record(stsafe_inproc_device *d, uint8_t code)
{
    for (uint8_t i = 0; i < d->chip.nvm.cmd_auth.count; i++)
        if (d->chip.nvm.cmd_auth.rec[i].header == code)
            return &d->chip.nvm.cmd_auth.rec[i];
    fail_msg("no record for command 0x%02X", code);
    return NULL;
}

static int put(stsafe_inproc_device *d, uint8_t tag, const uint8_t *v, size_t n)
{
    return stsafe_client_put_attribute(&d->client, tag, v, n);
}

/* Put Attribute refused, and the NVM byte for byte as before. */
static void assert_refused_unchanged(stsafe_inproc_device *d, uint8_t tag, const uint8_t *v, size_t n)
{
    static stsafe_emu_nvm before;
    before = d->chip.nvm;
    assert_int_equal(put(d, tag, v, n), refused);
    assert_memory_equal(&before, &d->chip.nvm, sizeof before);
}

/* The first attack: host keys set, Wrap/Unwrap HOST; "put 0x29
 * 020e010f01" sent in the clear made them FREE. */
static void test_relaxing_unwrap_in_the_clear_is_refused(void **state)
{
    stsafe_inproc_device *d = *state;
    static const uint8_t relax[] = {2, STSAFE_CMD_WRAP_LOCAL_ENVELOPE, STSAFE_CMD_AC_FREE,
                                    STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE, STSAFE_CMD_AC_FREE};
    assert_int_equal(stsafe_client_put_host_keys(&d->client, mac_key, cipher_key), 0);
    assert_int_equal(record(d, STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE)->ac, STSAFE_CMD_AC_HOST);
    assert_refused_unchanged(d, STSAFE_TAG_COMMAND_AC, relax, sizeof relax);
    /* Over the secure channel too: a weakening is never accepted. */
    stsafe_host_session s;
    assert_int_equal(stsafe_client_open_host_session(&d->client, &s, mac_key, cipher_key), 0);
    assert_int_equal(put(d, STSAFE_TAG_COMMAND_AC, relax, sizeof relax), refused);
    assert_int_equal(record(d, STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE)->ac, STSAFE_CMD_AC_HOST);
    assert_int_equal(record(d, STSAFE_CMD_WRAP_LOCAL_ENVELOPE)->ac, STSAFE_CMD_AC_HOST);
    stsafe_client_close_host_session(&d->client);
}

/* The second: "put 0x29 011000" froze Put Attribute (NEVER) for good, sent
 * by anyone in the clear. */
static void test_freezing_put_attribute_in_the_clear_is_refused(void **state)
{
    stsafe_inproc_device *d = *state;
    static const uint8_t freeze[] = {1, STSAFE_CMD_PUT_ATTRIBUTE, STSAFE_CMD_AC_NEVER};
    assert_int_equal(stsafe_client_put_host_keys(&d->client, mac_key, cipher_key), 0);
    assert_refused_unchanged(d, STSAFE_TAG_COMMAND_AC, freeze, sizeof freeze);
    assert_int_equal(record(d, STSAFE_CMD_PUT_ATTRIBUTE)->ac, STSAFE_CMD_AC_FREE);
}

/* The third: 0x2A stripped the encryption flags the owner had set. */
static void test_stripping_encryption_flags_is_refused(void **state)
{
    stsafe_inproc_device *d = *state;
    static const uint8_t encrypt_echo[] = {1, STSAFE_CMD_ECHO, STSAFE_CMD_ENC_CMD | STSAFE_CMD_ENC_RSP};
    static const uint8_t strip[] = {1, STSAFE_CMD_ECHO, 0};
    static const uint8_t strip_rsp[] = {1, STSAFE_CMD_ECHO, STSAFE_CMD_ENC_CMD};
    /* Before pairing nobody can be authenticated: a strengthening in the clear is taken. */
    assert_int_equal(put(d, STSAFE_TAG_COMMAND_ENCRYPTION, encrypt_echo, sizeof encrypt_echo), 0);
    assert_int_equal(stsafe_client_put_host_keys(&d->client, mac_key, cipher_key), 0);
    assert_refused_unchanged(d, STSAFE_TAG_COMMAND_ENCRYPTION, strip, sizeof strip);
    assert_refused_unchanged(d, STSAFE_TAG_COMMAND_ENCRYPTION, strip_rsp, sizeof strip_rsp);
    stsafe_host_session s;
    assert_int_equal(stsafe_client_open_host_session(&d->client, &s, mac_key, cipher_key), 0);
    assert_int_equal(put(d, STSAFE_TAG_COMMAND_ENCRYPTION, strip_rsp, sizeof strip_rsp), refused);
    assert_int_equal(record(d, STSAFE_CMD_ECHO)->host_encryption, STSAFE_CMD_ENC_CMD | STSAFE_CMD_ENC_RSP);
    stsafe_client_close_host_session(&d->client);
}

/* The owner, over the secure channel, may make the table stricter. */
static void test_strengthening_over_the_secure_channel_is_accepted(void **state)
{
    stsafe_inproc_device *d = *state;
    static const uint8_t stricter[] = {2, STSAFE_CMD_GENERATE_RANDOM, STSAFE_CMD_AC_HOST,
                                       STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE, STSAFE_CMD_AC_NEVER};
    static const uint8_t encrypt_random[] = {1, STSAFE_CMD_GENERATE_RANDOM, STSAFE_CMD_ENC_RSP};
    assert_int_equal(stsafe_client_put_host_keys(&d->client, mac_key, cipher_key), 0);
    assert_refused_unchanged(d, STSAFE_TAG_COMMAND_AC, stricter, sizeof stricter); /* in the clear */
    stsafe_host_session s;
    assert_int_equal(stsafe_client_open_host_session(&d->client, &s, mac_key, cipher_key), 0);
    assert_int_equal(put(d, STSAFE_TAG_COMMAND_AC, stricter, sizeof stricter), 0);
    assert_int_equal(put(d, STSAFE_TAG_COMMAND_ENCRYPTION, encrypt_random, sizeof encrypt_random), 0);
    assert_int_equal(record(d, STSAFE_CMD_GENERATE_RANDOM)->ac, STSAFE_CMD_AC_HOST);
    assert_int_equal(record(d, STSAFE_CMD_GENERATE_RANDOM)->host_encryption, STSAFE_CMD_ENC_RSP);
    assert_int_equal(record(d, STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE)->ac, STSAFE_CMD_AC_NEVER);
    stsafe_client_close_host_session(&d->client);
}

/* Every (old, new) pair of access conditions against the rule written in
 * docs/protocol.md: allowed iff everyone who can meet the new one could
 * meet the old one. The expected table is written out here, not computed. */
static void test_every_ac_change_follows_the_subset_rule(void **state)
{
    stsafe_inproc_device *d = *state;
    enum { N = STSAFE_CMD_AC_NEVER, F = STSAFE_CMD_AC_FREE, A = STSAFE_CMD_AC_ADMIN,
           H = STSAFE_CMD_AC_HOST, AP = STSAFE_CMD_AC_ADMIN_OR_PWD, AH = STSAFE_CMD_AC_ADMIN_OR_HOST };
    /* allowed[old][new], rows and columns in value order N F A H AP AH */
    static const int allowed[6][6] = {
        [N] = {[N] = 1},
        [F] = {1, 1, 1, 1, 1, 1},
        [A] = {[N] = 1, [A] = 1},
        [H] = {[N] = 1, [H] = 1},
        [AP] = {[N] = 1, [A] = 1, [AP] = 1},
        [AH] = {[N] = 1, [A] = 1, [H] = 1, [AH] = 1},
    };
    for (uint8_t old = 0; old < 6; old++) {
        for (uint8_t nw = 0; nw < 6; nw++) {
            record(d, STSAFE_CMD_GENERATE_RANDOM)->ac = old; /* no host keys: the clear is enough */
            uint8_t v[3] = {1, STSAFE_CMD_GENERATE_RANDOM, nw};
            int err = put(d, STSAFE_TAG_COMMAND_AC, v, sizeof v);
            if (err != (allowed[old][nw] ? 0 : refused))
                fail_msg("AC %u -> %u: got %d", old, nw, err);
            assert_int_equal(record(d, STSAFE_CMD_GENERATE_RANDOM)->ac, allowed[old][nw] ? nw : old);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_relaxing_unwrap_in_the_clear_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_freezing_put_attribute_in_the_clear_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stripping_encryption_flags_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strengthening_over_the_secure_channel_is_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_ac_change_follows_the_subset_rule, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
