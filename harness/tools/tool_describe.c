/* SPDX-License-Identifier: BSD-3-Clause */
/* The chip's records in words (tool_describe.h). */
#include "tool_describe.h"

#include <string.h>

#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/hex.h"

const char *tool_life_cycle_name(uint8_t state)
{
    switch (state) {
    case 0x01: return "born";
    case 0x02: return "patching";
    case 0x03: return "operational";
    case 0x04: return "terminated";
    case 0x81: return "born and locked";
    case 0x83: return "operational and locked";
    default:   return "unknown";
    }
}

const char *tool_zone_ac_name(uint8_t ac)
{
    switch (ac) {
    case STSAFE_AC_ALWAYS:    return "always";
    case STSAFE_AC_HOST:      return "host";
    case STSAFE_AC_AUTH_HOST: return "auth+host";
    case STSAFE_AC_NEVER:     return "never";
    default:                  return "reserved";
    }
}

static const char *cmd_ac_name(uint8_t ac)
{
    switch (ac) {
    case STSAFE_CMD_AC_NEVER:         return "never";
    case STSAFE_CMD_AC_FREE:          return "free";
    case STSAFE_CMD_AC_ADMIN:         return "admin";
    case STSAFE_CMD_AC_HOST:          return "host";
    case STSAFE_CMD_AC_ADMIN_OR_PWD:  return "admin or password";
    case STSAFE_CMD_AC_ADMIN_OR_HOST: return "admin or host";
    default:                          return "reserved";
    }
}

static const char *encryption_name(uint8_t flags)
{
    switch (flags & (STSAFE_CMD_ENC_CMD | STSAFE_CMD_ENC_RSP)) {
    case STSAFE_CMD_ENC_CMD | STSAFE_CMD_ENC_RSP: return "command and response";
    case STSAFE_CMD_ENC_CMD:                      return "command";
    case STSAFE_CMD_ENC_RSP:                      return "response";
    default:                                      return "no";
    }
}

void tool_print_zone_heading(FILE *f)
{
    fprintf(f, "  zone  type     size  read AC               update AC             counter\n");
}

void tool_print_zone(FILE *f, uint8_t index, uint8_t type, uint16_t size, uint8_t access,
                     uint32_t counter)
{
    char rd[32], up[32];
    snprintf(rd, sizeof rd, "%s%s", tool_zone_ac_name((access >> STSAFE_ZONE_READ_AC_SHIFT) & STSAFE_ZONE_AC_MASK),
             (access & STSAFE_ZONE_READ_CR) ? " (changeable)" : "");
    snprintf(up, sizeof up, "%s%s", tool_zone_ac_name(access & STSAFE_ZONE_AC_MASK),
             (access & STSAFE_ZONE_UPDATE_CR) ? " (changeable)" : "");
    fprintf(f, "  %-4u  %-7s  %4u  %-20s  %-20s  ", index, type ? "counter" : "plain", size, rd, up);
    if (type)
        fprintf(f, "%lu\n", (unsigned long)counter);
    else
        fprintf(f, "-\n");
}

static void print_hex_field(FILE *f, const char *name, const uint8_t *p, size_t n)
{
    char hex[2 * 16 + 1];
    stsafe_hex_encode(p, n, hex, sizeof hex);
    fprintf(f, "%s: %s\n", name, hex);
}

static void print_product(FILE *f, const stsafe_product_data *v)
{
    print_hex_field(f, "mask identification", v->mask_id, sizeof v->mask_id);
    print_hex_field(f, "ST product number", v->st_number, sizeof v->st_number);
    fprintf(f, "input/output buffer: %u bytes\n", v->io_buffer_size);
    fprintf(f, "atomicity buffer: %u bytes\n", v->atomicity_buffer_size);
    fprintf(f, "data partition NVM: %u bytes\n", v->nvm_size);
}

static void print_partition(FILE *f, const stsafe_partition_info *v)
{
    fprintf(f, "data partition: %u zones\n", v->count);
    tool_print_zone_heading(f);
    for (uint8_t i = 0; i < v->count; i++) {
        const stsafe_zone_record *z = &v->zone[i];
        tool_print_zone(f, z->index, z->type, z->length, z->access, z->counter);
    }
}

static void print_key_table(FILE *f, const stsafe_key_table *v)
{
    fprintf(f, "private key slots: %u\n", v->count);
    fprintf(f, "change right: %s\n", v->change_right ? "yes" : "no");
    fprintf(f, "global usage limit: %u\n", v->global_usage_limit);
    for (uint8_t i = 0; i < v->count && i < STSAFE_MAX_KEY_SLOTS; i++) {
        const stsafe_key_slot_info *k = &v->slot[i];
        if (k->present)
            fprintf(f, "  slot %u: %s key, mode of operation %02x%02x\n", k->slot,
                    stsafe_curve_name(k->curve), k->mode[0], k->mode[1]);
        else
            fprintf(f, "  slot %u: empty\n", k->slot);
    }
}

static void print_cmd_auth(FILE *f, const stsafe_cmd_auth_info *v)
{
    fprintf(f, "access conditions changeable: %s\n", (v->change_rights & 0x02u) ? "yes" : "no");
    fprintf(f, "encryption flags changeable: %s\n", (v->change_rights & 0x01u) ? "yes" : "no");
    fprintf(f, "  command                       access condition    encrypted\n");
    for (uint8_t i = 0; i < v->count && i < STSAFE_MAX_CMD_AUTH; i++) {
        const stsafe_cmd_auth_record *r = &v->rec[i];
        fprintf(f, "  %-28s  %-18s  %s\n", stsafe_cmd_name(r->header), cmd_ac_name(r->ac),
                encryption_name(r->enc_flags));
    }
}

static void print_envelope_keys(FILE *f, const stsafe_envelope_key_table *v)
{
    fprintf(f, "local envelope key slots: %u\n", v->count);
    for (uint8_t i = 0; i < v->count && i < STSAFE_MAX_ENVELOPE_SLOTS; i++) {
        const stsafe_envelope_key_info *k = &v->slot[i];
        if (k->present)
            fprintf(f, "  slot %u: AES-%s\n", k->slot, k->key_len_sel ? "256" : "128");
        else
            fprintf(f, "  slot %u: empty\n", k->slot);
    }
}

static void print_i2c(FILE *f, const stsafe_i2c_info *v)
{
    fprintf(f, "I2C address: 0x%02X\n", v->address);
    fprintf(f, "address locked: %s\n", v->locked ? "yes" : "no");
    fprintf(f, "low-power mode: %s\n", v->low_power_mode == 2 ? "standby" : "none");
    fprintf(f, "idle to standby: %u ms\n", 50u * v->idle_to_standby);
}

static void print_password(FILE *f, const stsafe_password_info *v)
{
    fprintf(f, "password: %s\n", v->present ? "set" : "not set");
    if (v->present)
        fprintf(f, "tries left: %u of %u\n", v->remaining, v->max_tries);
}

static void print_host_key(FILE *f, const stsafe_host_key_info *v)
{
    fprintf(f, "host keys: %s\n", v->present ? "provisioned" : "not provisioned");
    if (v->present)
        fprintf(f, "C-MAC counter: %lu\n", (unsigned long)v->cmac_counter);
}

/* Tags 0x29 and 0x2A: count(1), then {command code(1), value(1)} pairs. */
static int print_cmd_pairs(FILE *f, uint8_t tag, const uint8_t *data, size_t len)
{
    if (len < 1)
        return STSAFE_ERR_CODEC_TRUNCATED;
    if (len < 1u + 2u * data[0])
        return STSAFE_ERR_CODEC_TRUNCATED;
    if (len > 1u + 2u * data[0])
        return STSAFE_ERR_CODEC_TRAILING;
    int ac = tag == STSAFE_TAG_COMMAND_AC;
    fprintf(f, "  command                       %s\n", ac ? "access condition" : "encrypted");
    for (size_t i = 0; i < data[0]; i++) {
        uint8_t code = data[1 + 2 * i], v = data[2 + 2 * i];
        fprintf(f, "  %-28s  %s\n", stsafe_cmd_name(code),
                ac ? cmd_ac_name(v) : encryption_name(v));
    }
    return 0;
}

/* Decodes \p data as \p T with \p decode and prints it with \p print. */
#define DECODE_AND_PRINT(T, decode, print)           \
    do {                                             \
        T v_;                                        \
        memset(&v_, 0, sizeof v_);                   \
        int err_ = decode(data, len, &v_);           \
        if (!err_)                                   \
            print(f, &v_);                           \
        return err_;                                 \
    } while (0)

int tool_print_query(FILE *f, uint8_t tag, const uint8_t *data, size_t len)
{
    switch (tag) {
    case STSAFE_TAG_PRODUCT_DATA:
        DECODE_AND_PRINT(stsafe_product_data, stsafe_product_data_decode, print_product);
    case STSAFE_TAG_DATA_PARTITION:
        DECODE_AND_PRINT(stsafe_partition_info, stsafe_partition_info_decode, print_partition);
    case STSAFE_TAG_PRIVATE_KEY_TABLE:
        DECODE_AND_PRINT(stsafe_key_table, stsafe_key_table_decode, print_key_table);
    case STSAFE_TAG_COMMAND_AUTHORIZATION:
        DECODE_AND_PRINT(stsafe_cmd_auth_info, stsafe_cmd_auth_info_decode, print_cmd_auth);
    case STSAFE_TAG_LOCAL_ENVELOPE_KEY_TABLE:
        DECODE_AND_PRINT(stsafe_envelope_key_table, stsafe_envelope_key_table_decode, print_envelope_keys);
    case STSAFE_TAG_I2C_PARAMETERS:
        DECODE_AND_PRINT(stsafe_i2c_info, stsafe_i2c_info_decode, print_i2c);
    case STSAFE_TAG_PASSWORD_SLOT:
        DECODE_AND_PRINT(stsafe_password_info, stsafe_password_info_decode, print_password);
    case STSAFE_TAG_HOST_KEY_SLOT:
        DECODE_AND_PRINT(stsafe_host_key_info, stsafe_host_key_info_decode, print_host_key);
    case STSAFE_TAG_COMMAND_AC:
    case STSAFE_TAG_COMMAND_ENCRYPTION:
        return print_cmd_pairs(f, tag, data, len);
    case STSAFE_TAG_LIFE_CYCLE_STATE:
        if (len != 1)
            return len < 1 ? STSAFE_ERR_CODEC_TRUNCATED : STSAFE_ERR_CODEC_TRAILING;
        fprintf(f, "life cycle: %s (0x%02X)\n", tool_life_cycle_name(data[0]), data[0]);
        return 0;
    default:
        return STSAFE_ERR_UNSUPPORTED;
    }
}

int tool_print_chip_info(tool_session *s, const char *prog)
{
    static const uint8_t tags[] = {
        STSAFE_TAG_PRODUCT_DATA,  STSAFE_TAG_LIFE_CYCLE_STATE, STSAFE_TAG_I2C_PARAMETERS,
        STSAFE_TAG_DATA_PARTITION, STSAFE_TAG_PRIVATE_KEY_TABLE, STSAFE_TAG_LOCAL_ENVELOPE_KEY_TABLE,
        STSAFE_TAG_HOST_KEY_SLOT, STSAFE_TAG_PASSWORD_SLOT,
    };
    for (size_t i = 0; i < sizeof tags; i++) {
        uint8_t out[STSAFE_A110_MAX_FRAME_LEN];
        size_t n = 0;
        int err = stsafe_client_query_raw(&s->dev.client, tags[i], out, sizeof out, &n);
        if (!err)
            err = tool_print_query(stdout, tags[i], out, n);
        if (err) {
            tool_error(prog, "query 0x%02X: %s", tags[i], stsafe_strerror(err));
            return TOOL_EXIT_FAIL;
        }
    }
    return TOOL_EXIT_OK;
}
