/* SPDX-License-Identifier: BSD-3-Clause */
/* Personalisation profiles (docs/protocol.md, "Default profile"). */
#include "stsafe/emulator/profile.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "stsafe/emulator/ecc.h"
#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/protocol/x509_sigalg.h"

#if MBEDTLS_VERSION_NUMBER < 0x03000000
#include <mbedtls/pk_internal.h>

/* mbedTLS 2.28 writes a NULL after ecdsa-with-SHA256, so
 * stsafe_x509_sigalg_fix() signs every certificate again over the
 * corrected TBS and x509write's own signature is thrown away: making it
 * was 37 % of creating a fleet's images (perf). x509write is given a copy
 * of the issuer whose sign function writes a placeholder, an ECDSA
 * signature of the right shape (r = s = 1); the fix makes the one real
 * signature (write_cert checks it did). */
static const unsigned char placeholder_sig[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};

static int placeholder_sign(void *ctx, mbedtls_md_type_t md_alg, const unsigned char *hash, size_t hash_len,
                            unsigned char *sig, size_t *sig_len, int (*f_rng)(void *, unsigned char *, size_t),
                            void *p_rng)
{
    (void)ctx;
    (void)md_alg;
    (void)hash;
    (void)hash_len;
    (void)f_rng;
    (void)p_rng;
    memcpy(sig, placeholder_sig, sizeof placeholder_sig);
    *sig_len = sizeof placeholder_sig;
    return 0;
}

/* The key of \p eckey as an ECDSA pk context that borrows it. mbedTLS
 * 2.28 signs with an ECKEY context through a temporary ECDSA context whose
 * group it loads afresh, so every signature first rebuilt the table of
 * multiples of G (about as dear as the signature itself); an ECDSA context
 * signs with the key's own group, whose table gen_pk() borrowed from the
 * cache. Same signature, same random draws. Never freed. */
static mbedtls_pk_context borrowed_ecdsa(const mbedtls_pk_context *eckey)
{
    mbedtls_pk_context pk = *eckey;
    pk.pk_info = mbedtls_pk_info_from_type(MBEDTLS_PK_ECDSA);
    return pk;
}
#endif

#define ACCESS(read_cr, read_ac, upd_cr, upd_ac)                                   \
    (uint8_t)(((read_cr) ? STSAFE_ZONE_READ_CR : 0) | ((read_ac) << STSAFE_ZONE_READ_AC_SHIFT) | \
              ((upd_cr) ? STSAFE_ZONE_UPDATE_CR : 0) | ((upd_ac) << STSAFE_ZONE_UPDATE_AC_SHIFT))

typedef struct {
    uint8_t type;
    uint8_t access;
    uint16_t size;
    uint32_t counter;
} zone_def;

/* The A110 partition as shipped: eight zones. Zone 0 holds the device
 * certificate and can never be updated; zone 1 (700 bytes, the size users
 * measured on a shipped part) is where a provisioned certificate goes;
 * zones 5 and 6 are one-way counter zones. */
static const zone_def default_zones[] = {
    {STSAFE_ZONE_PLAIN, ACCESS(0, STSAFE_AC_ALWAYS, 0, STSAFE_AC_NEVER), 1000, 0},
    {STSAFE_ZONE_PLAIN, ACCESS(1, STSAFE_AC_ALWAYS, 1, STSAFE_AC_ALWAYS), 700, 0},
    {STSAFE_ZONE_PLAIN, ACCESS(1, STSAFE_AC_ALWAYS, 1, STSAFE_AC_ALWAYS), 600, 0},
    {STSAFE_ZONE_PLAIN, ACCESS(1, STSAFE_AC_ALWAYS, 1, STSAFE_AC_ALWAYS), 600, 0},
    {STSAFE_ZONE_PLAIN, ACCESS(1, STSAFE_AC_ALWAYS, 1, STSAFE_AC_ALWAYS), 1696, 0},
    {STSAFE_ZONE_COUNTER, ACCESS(1, STSAFE_AC_ALWAYS, 1, STSAFE_AC_ALWAYS), 64, 500000},
    {STSAFE_ZONE_COUNTER, ACCESS(1, STSAFE_AC_ALWAYS, 1, STSAFE_AC_ALWAYS), 1604, 500000},
    {STSAFE_ZONE_PLAIN, ACCESS(1, STSAFE_AC_ALWAYS, 1, STSAFE_AC_HOST), 1696, 0},
};

static const uint8_t default_mask_id[3] = {0xAA, 0x46, 0x02};

/* The commands the A110 implements, each FREE except the local envelope
 * commands, which need the host secure channel as in ST's SPL03 profile
 * (STSELib stsafea_commands.c). */
static const uint8_t a110_commands[] = {
    STSAFE_CMD_ECHO, STSAFE_CMD_RESET, STSAFE_CMD_GENERATE_RANDOM, STSAFE_CMD_DECREMENT,
    STSAFE_CMD_READ, STSAFE_CMD_UPDATE, STSAFE_CMD_DELETE, STSAFE_CMD_HIBERNATE,
    STSAFE_CMD_WRAP_LOCAL_ENVELOPE, STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE, STSAFE_CMD_PUT_ATTRIBUTE,
    STSAFE_CMD_GENERATE_KEY, STSAFE_CMD_QUERY, STSAFE_CMD_GENERATE_SIGNATURE,
    STSAFE_CMD_VERIFY_SIGNATURE, STSAFE_CMD_ESTABLISH_KEY, STSAFE_CMD_VERIFY_PASSWORD,
};

static void default_cmd_auth(stsafe_emu_cmd_auth_table *t)
{
    t->change_right = 0x03; /* both the access conditions and the encryption flags may change */
    t->count = (uint8_t)(sizeof a110_commands / sizeof a110_commands[0]);
    for (uint8_t i = 0; i < t->count; i++) {
        uint8_t code = a110_commands[i];
        int host = code == STSAFE_CMD_WRAP_LOCAL_ENVELOPE || code == STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE;
        t->rec[i] = (stsafe_emu_cmd_auth){code, 0, host ? STSAFE_CMD_AC_HOST : STSAFE_CMD_AC_FREE, 0};
    }
}

/* Mode of operation of the private key slots (Query 0x14, second byte:
 * bit 0 key establishment, bit 2 signature over external data, bits 5..4
 * the Generate Key access condition). Slot 0 holds the personalised device
 * key: signatures only, never regenerated. Slot 1 is the user's: signature
 * and key establishment, Generate Key free. */
static const uint8_t slot_mode[STSAFE_EMU_MAX_KEY_SLOTS][2] = {
    {0x00, 0x04},
    {0x00, 0x15},
};

#define TEST_CA_SUBJECT "CN=stsafe-emu Test CA,O=stsafe-emu"
#define CERT_NOT_BEFORE "20240101000000"
#define CERT_NOT_AFTER  "20491231235959"

int stsafe_emu_profile_exists(const char *name)
{
    return name && strcmp(name, "default") == 0;
}

/* The loaded P-256 group of \p cache, or NULL (no cache, or it cannot load). */
static mbedtls_ecp_group *cached_p256(stsafe_emu_profile_cache *cache)
{
    if (cache && !cache->loaded) {
        mbedtls_ecp_group_init(&cache->p256);
        cache->loaded = mbedtls_ecp_group_load(&cache->p256, MBEDTLS_ECP_DP_SECP256R1) == 0;
    }
    return cache && cache->loaded ? &cache->p256 : NULL;
}

/* A P-256 key pair. With \p grp, the pair *borrows* that group (a shallow
 * copy, so its signatures use the group's table of multiples of G):
 * release it with free_pk(), which forgets the borrowed group first. */
static int gen_pk(mbedtls_pk_context *pk, mbedtls_ecp_group *grp, stsafe_emu_rng_fn f_rng, void *p_rng)
{
    int rc = mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    if (rc || !grp)
        return rc ? rc : mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*pk), f_rng, p_rng);
    mbedtls_ecp_keypair *kp = mbedtls_pk_ec(*pk);
    rc = mbedtls_ecp_gen_keypair(grp, &kp->STSAFE_MBEDTLS_PRIVATE(d), &kp->STSAFE_MBEDTLS_PRIVATE(Q), f_rng, p_rng); /* the draws of gen_key */
    if (!rc)
        kp->STSAFE_MBEDTLS_PRIVATE(grp) = *grp; /* read-only from here: its table is built */
    return rc;
}

static void free_pk(mbedtls_pk_context *pk, const mbedtls_ecp_group *borrowed)
{
    if (borrowed && mbedtls_pk_get_type(pk) == MBEDTLS_PK_ECKEY)
        mbedtls_ecp_group_init(&mbedtls_pk_ec(*pk)->STSAFE_MBEDTLS_PRIVATE(grp)); /* not ours to free */
    mbedtls_pk_free(pk);
}

/* The device key of slot 0 as a pk context holding only the public point. */
static int slot_public_pk(const stsafe_emu_key_slot *slot, mbedtls_pk_context *pk)
{
    int rc = mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    if (rc)
        return rc;
    return stsafe_emu_slot_public_keypair(slot, mbedtls_pk_ec(*pk)); /* the certificate needs only Q */
}

/* Writes a certificate as DER at the start of \p out, its signature
 * AlgorithmIdentifiers as RFC 5758 wants them (x509_sigalg.h: mbedTLS 2.28
 * adds a NULL that strict stacks refuse); returns its length or an error. */
static int write_cert(mbedtls_pk_context *subject_key, mbedtls_pk_context *issuer_key,
                      const char *subject, const char *issuer, const uint8_t *serial,
                      size_t serial_len, int is_ca, uint8_t *out, size_t cap,
                      stsafe_emu_rng_fn f_rng, void *p_rng)
{
    mbedtls_x509write_cert crt;
    mbedtls_x509write_crt_init(&crt);
    mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&crt, subject_key);
#if MBEDTLS_VERSION_NUMBER < 0x03000000
    mbedtls_pk_info_t placeholder_info = *issuer_key->pk_info;
    mbedtls_pk_context placeholder = *issuer_key; /* shares the key: never freed */
    placeholder_info.sign_func = placeholder_sign;
    placeholder.pk_info = &placeholder_info;
    mbedtls_x509write_crt_set_issuer_key(&crt, &placeholder);
#else
    mbedtls_x509write_crt_set_issuer_key(&crt, issuer_key);
#endif
    int rc = stsafe_mbedtls_crt_set_serial(&crt, serial, serial_len);
    if (!rc) rc = mbedtls_x509write_crt_set_subject_name(&crt, subject);
    if (!rc) rc = mbedtls_x509write_crt_set_issuer_name(&crt, issuer);
    if (!rc) rc = mbedtls_x509write_crt_set_validity(&crt, CERT_NOT_BEFORE, CERT_NOT_AFTER);
    if (!rc) rc = mbedtls_x509write_crt_set_basic_constraints(&crt, is_ca, is_ca ? 0 : -1);
    if (!rc) rc = mbedtls_x509write_crt_set_key_usage(&crt, is_ca
                      ? (MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN)
                      : (MBEDTLS_X509_KU_DIGITAL_SIGNATURE | MBEDTLS_X509_KU_KEY_AGREEMENT));
    if (!rc) rc = mbedtls_x509write_crt_set_subject_key_identifier(&crt);
    if (!rc) rc = mbedtls_x509write_crt_set_authority_key_identifier(&crt);
    int len = rc ? rc : mbedtls_x509write_crt_der(&crt, out, cap, f_rng, p_rng);
    if (len > 0) { /* mbedTLS writes at the end of the buffer */
        size_t n = (size_t)len;
        memmove(out, out + cap - n, n);
#if MBEDTLS_VERSION_NUMBER < 0x03000000
        mbedtls_pk_context signer = borrowed_ecdsa(issuer_key);
        rc = stsafe_x509_sigalg_fix(out, &n, cap, &signer, f_rng, p_rng);
#else
        rc = stsafe_x509_sigalg_fix(out, &n, cap, issuer_key, f_rng, p_rng);
#endif
#if MBEDTLS_VERSION_NUMBER < 0x03000000
        /* never a certificate that ends with the placeholder: the fix signed it */
        if (!rc && (n < sizeof placeholder_sig ||
                    memcmp(out + n - sizeof placeholder_sig, placeholder_sig, sizeof placeholder_sig) == 0))
            rc = STSAFE_ERR_CRYPTO;
#endif
        len = rc ? rc : (int)n;
    }
    mbedtls_x509write_crt_free(&crt);
    return len;
}

/* Test CA plus the device certificate of slot 0, written to zone 0. */
static int personalise_certificate(stsafe_emu_nvm *nvm, stsafe_emu_rng_fn f_rng, void *p_rng,
                                   stsafe_emu_profile_output *out, mbedtls_ecp_group *grp)
{
    mbedtls_pk_context ca_key, dev_key;
    uint8_t der[1024];
    char subject[128], hex[2 * STSAFE_EMU_SERIAL_LEN + 1];
    static const uint8_t ca_serial[] = {0x01};
    int rc;

    for (size_t i = 0; i < STSAFE_EMU_SERIAL_LEN; i++)
        (void)snprintf(hex + 2 * i, 3, "%02X", nvm->serial[i]);
    (void)snprintf(subject, sizeof subject, "CN=STSAFE-A110 %s,OU=STSAFE-A110,O=stsafe-emu", hex);

    if (stsafe_mbedtls_init() != 0) /* mbedTLS 3.6 with PSA: X.509 signs through PSA */
        return STSAFE_ERR_CRYPTO;
    mbedtls_pk_init(&ca_key);
    mbedtls_pk_init(&dev_key);
    rc = gen_pk(&ca_key, grp, f_rng, p_rng);
    if (!rc)
        rc = slot_public_pk(&nvm->key_slots[0], &dev_key);
    int ca_len = rc ? rc
                    : write_cert(&ca_key, &ca_key, TEST_CA_SUBJECT, TEST_CA_SUBJECT, ca_serial,
                                 sizeof ca_serial, 1, der, sizeof der, f_rng, p_rng);
    if (ca_len > 0 && out) {
        size_t olen = 0;
        rc = mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n",
                                      "-----END CERTIFICATE-----\n", der, (size_t)ca_len,
                                      (unsigned char *)out->ca_cert_pem, sizeof out->ca_cert_pem,
                                      &olen);
    }
    int dev_len = (ca_len <= 0 || rc) ? -1
                  : write_cert(&dev_key, &ca_key, subject, TEST_CA_SUBJECT, nvm->serial,
                               STSAFE_EMU_SERIAL_LEN, 0, der, sizeof der, f_rng, p_rng);
    const stsafe_emu_zone *z0 = &nvm->zones[0];
    if (dev_len > 0 && (size_t)dev_len <= z0->size) {
        memcpy(nvm->zone_arena + z0->offset, der, (size_t)dev_len);
        if (out)
            out->device_cert_len = (size_t)dev_len;
    }
    free_pk(&ca_key, grp); /* the CA key is not kept anywhere */
    mbedtls_pk_free(&dev_key);
    return (dev_len > 0 && (size_t)dev_len <= z0->size) ? 0 : STSAFE_ERR_CRYPTO;
}

void stsafe_emu_profile_cache_free(stsafe_emu_profile_cache *cache)
{
    if (cache && cache->loaded)
        mbedtls_ecp_group_free(&cache->p256);
    if (cache)
        cache->loaded = 0;
}

int stsafe_emu_profile_apply(stsafe_emu_nvm *nvm, const char *profile, const uint8_t *serial,
                           stsafe_emu_rng_fn f_rng, void *p_rng, stsafe_emu_profile_output *out)
{
    return stsafe_emu_profile_apply_cached(nvm, profile, serial, f_rng, p_rng, out, NULL);
}

int stsafe_emu_profile_apply_cached(stsafe_emu_nvm *nvm, const char *profile, const uint8_t *serial,
                                    stsafe_emu_rng_fn f_rng, void *p_rng,
                                    stsafe_emu_profile_output *out, stsafe_emu_profile_cache *cache)
{
    if (!nvm || !f_rng || !stsafe_emu_profile_exists(profile))
        return STSAFE_ERR_BAD_INPUT;
    if (out)
        memset(out, 0, sizeof *out);
    stsafe_emu_nvm_init(nvm);
    if (serial)
        memcpy(nvm->serial, serial, STSAFE_EMU_SERIAL_LEN);
    else if (f_rng(p_rng, nvm->serial, STSAFE_EMU_SERIAL_LEN) != 0)
        return STSAFE_ERR_CRYPTO;
    memcpy(nvm->mask_id, default_mask_id, sizeof default_mask_id);
    nvm->life_cycle = STSAFE_EMU_LC_OPERATIONAL;
    nvm->i2c.address = STSAFE_I2C_ADDR_DEFAULT;
    for (size_t i = 0; i < sizeof default_zones / sizeof default_zones[0]; i++) {
        const zone_def *d = &default_zones[i];
        if (stsafe_emu_nvm_add_zone(nvm, d->type, d->access, d->size, d->counter) != 0)
            return STSAFE_ERR_BAD_INPUT;
    }
    default_cmd_auth(&nvm->cmd_auth);
    mbedtls_ecp_group *grp = cached_p256(cache);
    int rc = stsafe_emu_slot_generate_in(&nvm->key_slots[0], STSAFE_CURVE_P256, grp, f_rng, p_rng);
    for (unsigned i = 0; i < STSAFE_EMU_MAX_KEY_SLOTS; i++)
        memcpy(nvm->key_slots[i].mode, slot_mode[i], sizeof slot_mode[i]);
    if (!rc)
        rc = personalise_certificate(nvm, f_rng, p_rng, out, grp);
    if (!rc) /* the chip's own seed, drawn last so the keys above stay what they were */
        rc = f_rng(p_rng, nvm->entropy.seed, sizeof nvm->entropy.seed) ? STSAFE_ERR_CRYPTO : 0;
    if (!rc)
        nvm->entropy.seeded = 1;
    if (rc)
        stsafe_emu_nvm_init(nvm);
    return rc;
}
