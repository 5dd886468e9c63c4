/* SPDX-License-Identifier: BSD-3-Clause */
/* Every client command with fixed arguments, each checked against the
 * client's contract (fuzz_host.h). */
#include "fuzz_host.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/secure_channel.h"
#include "stsafe/protocol/status.h"

const uint8_t fuzz_host_mac_key[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                       0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
const uint8_t fuzz_host_cipher_key[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
                                          0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF};
const uint8_t fuzz_host_password[16] = "stsafe-emu pwd!!";

/* RFC 6979 A.2.5: P-256 key, SHA-256("sample") and its signature (k from the RFC). */
static const stsafe_ecc_point rfc6979_pub = {
    32,
    {0x60, 0xFE, 0xD4, 0xBA, 0x25, 0x5A, 0x9D, 0x31, 0xC9, 0x61, 0xEB, 0x74, 0xC6, 0x35, 0x6D, 0x68,
     0xC0, 0x49, 0xB8, 0x92, 0x3B, 0x61, 0xFA, 0x6C, 0xE6, 0x69, 0x62, 0x2E, 0x60, 0xF2, 0x9F, 0xB6},
    {0x79, 0x03, 0xFE, 0x10, 0x08, 0xB8, 0xBC, 0x99, 0xA4, 0x1A, 0xE9, 0xE9, 0x56, 0x28, 0xBC, 0x64,
     0xF2, 0xF1, 0xB2, 0x0C, 0x2D, 0x7E, 0x9F, 0x51, 0x77, 0xA3, 0xC2, 0x94, 0xD4, 0x46, 0x22, 0x99}};
static const stsafe_ecc_signature rfc6979_sig = {
    32,
    {0xEF, 0xD4, 0x8B, 0x2A, 0xAC, 0xB6, 0xA8, 0xFD, 0x11, 0x40, 0xDD, 0x9C, 0xD4, 0x5E, 0x81, 0xD6,
     0x9D, 0x2C, 0x87, 0x7B, 0x56, 0xAA, 0xF9, 0x91, 0xC3, 0x4D, 0x0E, 0xA8, 0x4E, 0xAF, 0x37, 0x16},
    {0xF7, 0xCB, 0x1C, 0x94, 0x2D, 0x65, 0x7C, 0x41, 0xD4, 0x36, 0xC7, 0xA1, 0xB6, 0xE2, 0x9F, 0x65,
     0xF3, 0xE9, 0x00, 0xDB, 0xB9, 0xAF, 0xF4, 0x06, 0x4D, 0xC4, 0xAB, 0x2F, 0x84, 0x3A, 0xCD, 0xA8}};
static const uint8_t sample_digest[32] = {
    0xAF, 0x2B, 0xDB, 0xE1, 0xAA, 0x9B, 0x6E, 0xC1, 0xE2, 0xAD, 0xE1, 0xD6, 0x94, 0xF4, 0x1F, 0xC7,
    0x1A, 0x83, 0x1D, 0x02, 0x68, 0xE9, 0x89, 0x15, 0x62, 0x11, 0x3D, 0x8A, 0x62, 0xAD, 0xD1, 0xBF};
/* RFC 5903 8.1: the responder's public value g^r on P-256. */
static const stsafe_ecc_point rfc5903_peer = {
    32,
    {0xD1, 0x2D, 0xFB, 0x52, 0x89, 0xC8, 0xD4, 0xF8, 0x12, 0x08, 0xB7, 0x02, 0x70, 0x39, 0x8C, 0x34,
     0x22, 0x96, 0x97, 0x0A, 0x0B, 0xCC, 0xB7, 0x4C, 0x73, 0x6F, 0xC7, 0x55, 0x44, 0x94, 0xBF, 0x63},
    {0x56, 0xFB, 0xF3, 0xCA, 0x36, 0x6C, 0xC2, 0x3E, 0x81, 0x57, 0x85, 0x4C, 0x13, 0xC5, 0x8D, 0x6A,
     0xAC, 0x23, 0xF0, 0x46, 0xAD, 0xA3, 0x0F, 0x83, 0x53, 0xE7, 0x4F, 0x33, 0x03, 0x98, 0x72, 0xAB}};

static const uint8_t msg16[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                  0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};

#define SENTINEL 0xA5u

/* ---- the contract ----------------------------------------------------------- */

static int codec_error(int err)
{
    return err == STSAFE_ERR_CODEC_TRUNCATED || err == STSAFE_ERR_CODEC_TRAILING ||
           err == STSAFE_ERR_CODEC_VALUE;
}

int fuzz_host_code_ok(const stsafe_client *c, int err)
{
    if (err == 0)
        return c->last_status == STSAFE_ST_OK;
    if (STSAFE_ERR_IS_STATUS(err)) {
        uint8_t s = STSAFE_ERR_TO_STATUS(err);
        return s != STSAFE_ST_OK && s <= STSAFE_STATUS_CODE_MASK && c->last_status == s;
    }
    switch (err) {
    case STSAFE_ERR_FRAME_TOO_SHORT:
    case STSAFE_ERR_FRAME_CRC:
    case STSAFE_ERR_FRAME_LENGTH:
    case STSAFE_ERR_CODEC_TRUNCATED:
    case STSAFE_ERR_CODEC_TRAILING:
    case STSAFE_ERR_CODEC_VALUE:
    case STSAFE_ERR_BUS_TIMEOUT:
    case STSAFE_ERR_BUFFER_TOO_SMALL:
    case STSAFE_ERR_SC_PADDING:
    case STSAFE_ERR_SC_RMAC:
    case STSAFE_ERR_SC_NO_KEYS:
    case STSAFE_ERR_SC_COUNTER:
        return 1;
    default:
        return 0;
    }
}

/* An output of \p n bytes, filled with the sentinel, in its own heap block. */
static void *out_new(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        abort(); /* out of memory: nothing left to test */
    memset(p, SENTINEL, n ? n : 1);
    return p;
}

static int untouched(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != SENTINEL)
            return 0;
    return 1;
}

/* The part of the contract every call shares; \p out may be NULL. */
static void check(const fuzz_host *h, int err, const void *out, size_t n)
{
    FUZZ_REQUIRE(fuzz_host_code_ok(&h->client, err), "the client returns 0 or a documented error");
    if (err && !codec_error(err) && out)
        FUZZ_REQUIRE(untouched(out, n), "an answer refused before decoding is never handed out");
    const stsafe_host_session *s = h->client.session;
    FUZZ_REQUIRE(!s || (s == &h->session && s->counter <= STSAFE_SC_COUNTER_MAX),
                 "the session's counter stays a 24-bit value");
}

/* Runs a call that hands out \p n bytes into a buffer of exactly n bytes. */
#define RUN_BUFFER(h, n, call_with_out)                                            \
    do {                                                                           \
        uint8_t *out = out_new(n);                                                 \
        int err_ = (call_with_out);                                                \
        check((h), err_, out, (n));                                                \
        free(out);                                                                 \
        return err_;                                                               \
    } while (0)

/* ---- commands ------------------------------------------------------------ */

static int cmd_echo(fuzz_host *h)
{
    RUN_BUFFER(h, 4, stsafe_client_echo(&h->client, msg16, 4, out));
}

static int cmd_reset(fuzz_host *h)
{
    int err = stsafe_client_reset(&h->client);
    check(h, err, NULL, 0);
    return err;
}

static int cmd_random(fuzz_host *h)
{
    RUN_BUFFER(h, 32, stsafe_client_random(&h->client, 32, out));
}

static int cmd_read(fuzz_host *h)
{
    RUN_BUFFER(h, 16, stsafe_client_read(&h->client, 0, 1, 0, 16, out));
}

static int cmd_update(fuzz_host *h)
{
    int err = stsafe_client_update(&h->client, 0, 1, 0, msg16, 4);
    check(h, err, NULL, 0);
    return err;
}

static int cmd_decrement(fuzz_host *h)
{
    uint32_t *counter = out_new(sizeof *counter);
    int err = stsafe_client_decrement(&h->client, 0, 5, 0, 1, msg16, 2, counter);
    check(h, err, counter, sizeof *counter);
    free(counter);
    return err;
}

static int cmd_query_raw(fuzz_host *h)
{
    size_t *len = out_new(sizeof *len);
    uint8_t *out = out_new(128);
    int err = stsafe_client_query_raw(&h->client, STSAFE_TAG_DATA_PARTITION, out, 128, len);
    check(h, err, out, 128);
    check(h, err, len, sizeof *len);
    if (!err)
        FUZZ_REQUIRE(*len <= 128, "query_raw: length within the buffer");
    free(out);
    free(len);
    return err;
}

/* Typed queries: \p valid is what a decoded answer must satisfy. */
#define DEFINE_QUERY(name, type, call, valid)                                      \
    static int name(fuzz_host *h)                                                  \
    {                                                                              \
        type *v = out_new(sizeof *v); /* NOLINT(bugprone-macro-parentheses) */       \
        int err = call(&h->client, v);                                             \
        check(h, err, v, sizeof *v);                                               \
        if (!err)                                                                  \
            FUZZ_REQUIRE(valid, #call ": decoded answer within its bounds");       \
        free(v);                                                                   \
        return err;                                                                \
    }

DEFINE_QUERY(cmd_query_product, stsafe_product_data, stsafe_client_query_product_data, 1)
DEFINE_QUERY(cmd_query_partition, stsafe_partition_info, stsafe_client_query_partition,
             v->count <= STSAFE_MAX_ZONES)
DEFINE_QUERY(cmd_query_life_cycle, uint8_t, stsafe_client_query_life_cycle, 1)
DEFINE_QUERY(cmd_query_key_table, stsafe_key_table, stsafe_client_query_key_table,
             v->count <= STSAFE_MAX_KEY_SLOTS)
DEFINE_QUERY(cmd_query_host_keys, stsafe_host_key_info, stsafe_client_query_host_key_slot,
             v->cmac_counter <= STSAFE_SC_COUNTER_MAX)
DEFINE_QUERY(cmd_query_cmd_auth, stsafe_cmd_auth_info, stsafe_client_query_cmd_auth,
             v->count <= STSAFE_MAX_CMD_AUTH)
DEFINE_QUERY(cmd_query_i2c, stsafe_i2c_info, stsafe_client_query_i2c_params,
             v->address <= 0x7F && v->idle_to_standby <= 0x1F)
DEFINE_QUERY(cmd_query_password, stsafe_password_info, stsafe_client_query_password, 1)
DEFINE_QUERY(cmd_query_envelope, stsafe_envelope_key_table, stsafe_client_query_envelope_keys,
             v->count <= STSAFE_MAX_ENVELOPE_SLOTS)

static int genkey(fuzz_host *h, uint8_t slot, uint8_t curve)
{
    stsafe_ecc_point *pub = out_new(sizeof *pub);
    int err = stsafe_client_generate_key(&h->client, slot, curve, 0xFFFF, pub);
    check(h, err, pub, sizeof *pub);
    if (!err)
        FUZZ_REQUIRE(pub->size >= 1 && pub->size <= STSAFE_MAX_COORD_LEN, "generate_key: point size");
    free(pub);
    return err;
}

static int cmd_genkey_slot1(fuzz_host *h)
{
    return genkey(h, 1, STSAFE_CURVE_P256);
}

static int cmd_genkey_ephemeral(fuzz_host *h)
{
    return genkey(h, STSAFE_EPHEMERAL_SLOT, STSAFE_CURVE_P384);
}

static int cmd_sign(fuzz_host *h)
{
    stsafe_ecc_signature *sig = out_new(sizeof *sig);
    int err = stsafe_client_sign(&h->client, 0, sample_digest, sizeof sample_digest, sig);
    check(h, err, sig, sizeof *sig);
    if (!err)
        FUZZ_REQUIRE(sig->size >= 1 && sig->size <= STSAFE_MAX_COORD_LEN, "sign: signature size");
    free(sig);
    return err;
}

static int cmd_verify(fuzz_host *h)
{
    int *valid = out_new(sizeof *valid);
    int err = stsafe_client_verify(&h->client, STSAFE_CURVE_P256, &rfc6979_pub, &rfc6979_sig,
                                   sample_digest, sizeof sample_digest, valid);
    check(h, err, valid, sizeof *valid);
    if (!err)
        FUZZ_REQUIRE(*valid == 0 || *valid == 1, "verify: the verdict is 0 or 1");
    free(valid);
    return err;
}

static int cmd_establish_key(fuzz_host *h)
{
    uint8_t *secret = out_new(STSAFE_MAX_COORD_LEN);
    size_t *len = out_new(sizeof *len);
    int err = stsafe_client_establish_key(&h->client, 1, &rfc5903_peer, secret, len);
    check(h, err, secret, STSAFE_MAX_COORD_LEN);
    check(h, err, len, sizeof *len);
    if (!err)
        FUZZ_REQUIRE(*len >= 1 && *len <= STSAFE_MAX_COORD_LEN, "establish_key: secret length");
    free(len);
    free(secret);
    return err;
}

static int cmd_genkey_envelope(fuzz_host *h)
{
    int err = stsafe_client_generate_envelope_key(&h->client, 0, 0);
    check(h, err, NULL, 0);
    return err;
}

/* Wrap and Unwrap: \p in_len bytes in, at most \p cap out. */
static int envelope(fuzz_host *h, int wrap, size_t in_len, size_t cap)
{
    uint8_t *out = out_new(cap);
    size_t *len = out_new(sizeof *len);
    int err = wrap ? stsafe_client_wrap(&h->client, 0, msg16, in_len, out, len)
                   : stsafe_client_unwrap(&h->client, 0, msg16, in_len, out, len);
    check(h, err, out, cap);
    check(h, err, len, sizeof *len);
    if (!err)
        FUZZ_REQUIRE(*len <= cap, "wrap/unwrap: length within the buffer");
    free(len);
    free(out);
    return err;
}

static int cmd_wrap(fuzz_host *h)
{
    return envelope(h, 1, 16, 24);
}

static int cmd_unwrap(fuzz_host *h)
{
    return envelope(h, 0, 16, 8); /* too short to be an envelope: the chip's answer decides */
}

static int cmd_put_host_keys(fuzz_host *h)
{
    int err = stsafe_client_put_host_keys(&h->client, fuzz_host_mac_key, fuzz_host_cipher_key);
    check(h, err, NULL, 0);
    return err;
}

static int cmd_put_password(fuzz_host *h)
{
    int err = stsafe_client_put_password(&h->client, fuzz_host_password, 3);
    check(h, err, NULL, 0);
    return err;
}

static int cmd_put_life_cycle(fuzz_host *h)
{
    int err = stsafe_client_put_life_cycle(&h->client, 0x03);
    check(h, err, NULL, 0);
    return err;
}

static int cmd_put_i2c(fuzz_host *h)
{
    const stsafe_i2c_info p = {STSAFE_I2C_ADDR_DEFAULT, 0, 0, 0};
    int err = stsafe_client_put_i2c_params(&h->client, &p);
    check(h, err, NULL, 0);
    return err;
}

static int cmd_verify_password(fuzz_host *h)
{
    int *verified = out_new(sizeof *verified);
    uint8_t *tries = out_new(1);
    int err = stsafe_client_verify_password(&h->client, fuzz_host_password, verified, tries);
    check(h, err, verified, sizeof *verified);
    check(h, err, tries, 1);
    if (!err)
        FUZZ_REQUIRE(*verified == 0 || *verified == 1, "verify_password: the verdict is 0 or 1");
    free(tries);
    free(verified);
    return err;
}

static int cmd_delete_password(fuzz_host *h)
{
    int err = stsafe_client_delete_password(&h->client);
    check(h, err, NULL, 0);
    return err;
}

static int cmd_hibernate(fuzz_host *h)
{
    int err = stsafe_client_hibernate(&h->client, STSAFE_WAKE_ON_I2C_OR_RESET);
    check(h, err, NULL, 0);
    return err;
}

static int cmd_transceive(fuzz_host *h)
{
    uint8_t *out = out_new(16);
    size_t *len = out_new(sizeof *len);
    int err = stsafe_client_transceive(&h->client, STSAFE_CMD_ECHO, msg16, 8, out, 16, len);
    check(h, err, out, 16);
    check(h, err, len, sizeof *len);
    if (!err)
        FUZZ_REQUIRE(*len <= 16, "transceive: length within the buffer");
    free(len);
    free(out);
    return err;
}

static int open_session(fuzz_host *h)
{
    stsafe_client *c = &h->client;
    int err = stsafe_client_open_host_session(c, &h->session, fuzz_host_mac_key, fuzz_host_cipher_key);
    check(h, err, NULL, 0);
    FUZZ_REQUIRE(err ? c->session == NULL : c->session == &h->session,
                 "open_host_session: a session exactly when it succeeds");
    return err;
}

static int cmd_protected_echo(fuzz_host *h)
{
    const uint8_t enc = STSAFE_CMD_ENC_CMD | STSAFE_CMD_ENC_RSP;
    uint8_t *out = out_new(32);
    size_t *len = out_new(sizeof *len);
    int err = stsafe_client_transceive_protected(&h->client, STSAFE_CMD_ECHO, enc, msg16, 16, out,
                                                 32, len);
    if (!h->client.session) {
        FUZZ_REQUIRE(err == STSAFE_ERR_BAD_INPUT, "transceive_protected without a session: bad input");
    } else {
        check(h, err, out, 32);
        check(h, err, len, sizeof *len);
        if (!err)
            FUZZ_REQUIRE(*len <= 32, "transceive_protected: length within the buffer");
    }
    free(len);
    free(out);
    return err;
}

typedef struct {
    const char *name;
    int (*run)(fuzz_host *h);
} cmd_def;

static const cmd_def commands[FUZZ_HOST_CMD_COUNT] = {
    [FUZZ_HOST_ECHO] = {"echo", cmd_echo},
    [FUZZ_HOST_RESET] = {"reset", cmd_reset},
    [FUZZ_HOST_RANDOM] = {"random", cmd_random},
    [FUZZ_HOST_READ] = {"read", cmd_read},
    [FUZZ_HOST_UPDATE] = {"update", cmd_update},
    [FUZZ_HOST_DECREMENT] = {"decrement", cmd_decrement},
    [FUZZ_HOST_QUERY_RAW] = {"query-raw", cmd_query_raw},
    [FUZZ_HOST_QUERY_PRODUCT] = {"query-product", cmd_query_product},
    [FUZZ_HOST_QUERY_PARTITION] = {"query-partition", cmd_query_partition},
    [FUZZ_HOST_QUERY_LIFE_CYCLE] = {"query-life-cycle", cmd_query_life_cycle},
    [FUZZ_HOST_QUERY_KEY_TABLE] = {"query-key-table", cmd_query_key_table},
    [FUZZ_HOST_QUERY_HOST_KEYS] = {"query-host-keys", cmd_query_host_keys},
    [FUZZ_HOST_QUERY_CMD_AUTH] = {"query-cmd-auth", cmd_query_cmd_auth},
    [FUZZ_HOST_QUERY_I2C] = {"query-i2c", cmd_query_i2c},
    [FUZZ_HOST_QUERY_PASSWORD] = {"query-password", cmd_query_password},
    [FUZZ_HOST_QUERY_ENVELOPE] = {"query-envelope", cmd_query_envelope},
    [FUZZ_HOST_GENKEY_SLOT1] = {"genkey-slot1", cmd_genkey_slot1},
    [FUZZ_HOST_GENKEY_EPHEMERAL] = {"genkey-ephemeral", cmd_genkey_ephemeral},
    [FUZZ_HOST_SIGN] = {"sign", cmd_sign},
    [FUZZ_HOST_VERIFY] = {"verify", cmd_verify},
    [FUZZ_HOST_ESTABLISH_KEY] = {"establish-key", cmd_establish_key},
    [FUZZ_HOST_GENKEY_ENVELOPE] = {"genkey-envelope", cmd_genkey_envelope},
    [FUZZ_HOST_WRAP] = {"wrap", cmd_wrap},
    [FUZZ_HOST_UNWRAP] = {"unwrap", cmd_unwrap},
    [FUZZ_HOST_PUT_HOST_KEYS] = {"put-host-keys", cmd_put_host_keys},
    [FUZZ_HOST_PUT_PASSWORD] = {"put-password", cmd_put_password},
    [FUZZ_HOST_PUT_LIFE_CYCLE] = {"put-life-cycle", cmd_put_life_cycle},
    [FUZZ_HOST_PUT_I2C] = {"put-i2c", cmd_put_i2c},
    [FUZZ_HOST_VERIFY_PASSWORD] = {"verify-password", cmd_verify_password},
    [FUZZ_HOST_DELETE_PASSWORD] = {"delete-password", cmd_delete_password},
    [FUZZ_HOST_HIBERNATE] = {"hibernate", cmd_hibernate},
    [FUZZ_HOST_TRANSCEIVE] = {"transceive", cmd_transceive},
    [FUZZ_HOST_OPEN_SESSION] = {"open-session", open_session},
    [FUZZ_HOST_PROTECTED_ECHO] = {"protected-echo", cmd_protected_echo},
};

void fuzz_host_init(fuzz_host *h, const stsafe_bus *bus, uint32_t max_polls)
{
    memset(h, 0, sizeof *h);
    stsafe_client_init(&h->client, bus, STSAFE_I2C_ADDR_DEFAULT);
    h->client.max_polls = max_polls;
}

const char *fuzz_host_cmd_name(size_t index)
{
    return index < FUZZ_HOST_CMD_COUNT ? commands[index].name : "?";
}

int fuzz_host_open(fuzz_host *h, uint8_t mode)
{
    if (!(mode & FUZZ_HOST_SESSION))
        return 0;
    int err = open_session(h);
    if (!err) {
        h->session.check_rmac = !(mode & FUZZ_HOST_NO_RMAC);
        h->client.mac_all = (mode & FUZZ_HOST_MAC_ALL) != 0;
    }
    return err;
}

int fuzz_host_cmd_run(fuzz_host *h, size_t index)
{
    if (index < FUZZ_HOST_CMD_COUNT)
        return commands[index].run(h);
    fuzz_fail("a command of the table", __FILE__, __LINE__);
}
