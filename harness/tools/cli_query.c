/* SPDX-License-Identifier: BSD-3-Clause */
/* stsafe-cli: query (decoded into named fields, or raw) and info. */
#include <string.h>

#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/error.h"
#include "cli.h"
#include "tool_common.h"
#include "tool_describe.h"

static const char *prog = CLI_PROG;

static const struct {
    const char *name;
    uint8_t tag;
} query_names[] = {
    {"envelope", STSAFE_TAG_LOCAL_ENVELOPE_KEY_TABLE}, {"lifecycle", STSAFE_TAG_LIFE_CYCLE_STATE},
    {"password", STSAFE_TAG_PASSWORD_SLOT},            {"i2c", STSAFE_TAG_I2C_PARAMETERS},
    {"product", STSAFE_TAG_PRODUCT_DATA},              {"partition", STSAFE_TAG_DATA_PARTITION},
    {"keys", STSAFE_TAG_PRIVATE_KEY_TABLE},            {"hostkey", STSAFE_TAG_HOST_KEY_SLOT},
    {"cmdauth", STSAFE_TAG_COMMAND_AUTHORIZATION},     {"cmdac", STSAFE_TAG_COMMAND_AC},
    {"cmdenc", STSAFE_TAG_COMMAND_ENCRYPTION},
};

int cli_do_query(tool_session *s, const cli_args *a)
{
    unsigned long tag = 0x100;
    if (a->npositional == 1) {
        for (size_t i = 0; i < sizeof query_names / sizeof query_names[0]; i++)
            if (!strcmp(a->positional[0], query_names[i].name))
                tag = query_names[i].tag;
        if (tag > 0xFF && tool_parse_uint(a->positional[0], 0xFF, &tag) != 0)
            tag = 0x100;
    }
    if (tag > 0xFF) {
        tool_error(prog, "query needs a TAG: a number 0..255 or a name (see --help)");
        return TOOL_EXIT_USAGE;
    }
    uint8_t out[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0;
    int err = stsafe_client_query_raw(&s->dev.client, (uint8_t)tag, out, sizeof out, &n);
    if (err)
        return cli_report(err, "query");
    if (!a->raw) {
        err = tool_print_query(stdout, (uint8_t)tag, out, n);
        if (!err)
            return TOOL_EXIT_OK;
        if (err != STSAFE_ERR_UNSUPPORTED)
            tool_error(prog, "query 0x%02lX: the answer does not decode (%s); in hex:", tag,
                       stsafe_strerror(err));
    }
    tool_print_hex(stdout, out, n);
    return TOOL_EXIT_OK;
}

int cli_do_info(tool_session *s, const cli_args *a)
{
    if (a->npositional != 0) {
        tool_error(prog, "info takes no argument");
        return TOOL_EXIT_USAGE;
    }
    return tool_print_chip_info(s, prog);
}
