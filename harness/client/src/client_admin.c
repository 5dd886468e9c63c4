/* SPDX-License-Identifier: BSD-3-Clause */
/* Host side of Put Attribute, Verify Password, Delete and Hibernate. */
#include "stsafe/client/client.h"

#include <string.h>

#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/error.h"

int stsafe_client_put_attribute(stsafe_client *c, uint8_t tag, const uint8_t *value, size_t len)
{
    uint8_t payload[STSAFE_A110_MAX_FRAME_LEN];
    if ((len && !value) || len + 1 > sizeof payload)
        return STSAFE_ERR_BAD_INPUT;
    payload[0] = tag;
    if (len)
        memcpy(payload + 1, value, len);
    /* Once host keys are set the chip takes a change of its command table
     * only with a C-MAC (docs/protocol.md, "Command access conditions"). */
    if (c->session && (tag == STSAFE_TAG_COMMAND_AC || tag == STSAFE_TAG_COMMAND_ENCRYPTION))
        return stsafe_client_transceive_protected(c, STSAFE_CMD_PUT_ATTRIBUTE, 0, payload, len + 1,
                                                  NULL, 0, NULL);
    return stsafe_client_transceive(c, STSAFE_CMD_PUT_ATTRIBUTE, payload, len + 1, NULL, 0, NULL);
}

int stsafe_client_put_host_keys(stsafe_client *c, const uint8_t mac_key[16], const uint8_t cipher_key[16])
{
    uint8_t v[32];
    if (!mac_key || !cipher_key)
        return STSAFE_ERR_BAD_INPUT;
    memcpy(v, mac_key, 16);
    memcpy(v + 16, cipher_key, 16);
    int err = stsafe_client_put_attribute(c, STSAFE_TAG_HOST_KEY_SLOT, v, sizeof v);
    memset(v, 0, sizeof v);
    return err;
}

int stsafe_client_put_password(stsafe_client *c, const uint8_t password[16], uint8_t max_tries)
{
    uint8_t v[17];
    if (!password)
        return STSAFE_ERR_BAD_INPUT;
    memcpy(v, password, 16);
    v[16] = max_tries;
    int err = stsafe_client_put_attribute(c, STSAFE_TAG_PASSWORD_SLOT, v, sizeof v);
    memset(v, 0, sizeof v);
    return err;
}

int stsafe_client_put_life_cycle(stsafe_client *c, uint8_t state)
{
    return stsafe_client_put_attribute(c, STSAFE_TAG_LIFE_CYCLE_STATE, &state, 1);
}

int stsafe_client_put_i2c_params(stsafe_client *c, const stsafe_i2c_info *params)
{
    uint8_t v[2];
    stsafe_writer w;
    if (!params)
        return STSAFE_ERR_BAD_INPUT;
    stsafe_writer_init(&w, v, sizeof v);
    int err = stsafe_i2c_info_encode(&w, params);
    return err ? err : stsafe_client_put_attribute(c, STSAFE_TAG_I2C_PARAMETERS, v, w.len);
}

int stsafe_client_verify_password(stsafe_client *c, const uint8_t password[16], int *verified,
                                  uint8_t *tries_left)
{
    uint8_t rsp[2];
    size_t n = 0;
    if (!password || !verified || !tries_left)
        return STSAFE_ERR_BAD_INPUT;
    int err = stsafe_client_transceive(c, STSAFE_CMD_VERIFY_PASSWORD, password, 16, rsp, sizeof rsp, &n);
    if (err)
        return err;
    if (n != sizeof rsp)
        return STSAFE_ERR_CODEC_TRUNCATED;
    *verified = rsp[0] != 0; /* STSELib's lock/unlock take any non-zero byte as success */
    *tries_left = rsp[1];
    return 0;
}

int stsafe_client_delete_password(stsafe_client *c)
{
    uint8_t tag = STSAFE_TAG_PASSWORD_SLOT;
    return stsafe_client_transceive(c, STSAFE_CMD_DELETE, &tag, 1, NULL, 0, NULL);
}

int stsafe_client_hibernate(stsafe_client *c, uint8_t mode)
{
    return stsafe_client_transceive(c, STSAFE_CMD_HIBERNATE, &mode, 1, NULL, 0, NULL);
}
