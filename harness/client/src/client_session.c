/* SPDX-License-Identifier: BSD-3-Clause */
/* The host side of the A110 secure channel: open a session, send MACed
 * and encrypted commands, check R-MACs (docs/protocol.md, "Secure channel"). */
#include "stsafe/client/client.h"

#include <string.h>

#include "client_internal.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/secure_channel.h"
#include "stsafe/protocol/status.h"

/* STSELib sends these raw whatever the table says (stsafea_frame_raw_transfer). */
static int always_plain(uint8_t code)
{
    return code == STSAFE_CMD_QUERY || code == STSAFE_CMD_PUT_ATTRIBUTE || code == STSAFE_CMD_RESET ||
           code == STSAFE_CMD_HIBERNATE || code == STSAFE_CMD_DELETE;
}

int stsafe_client_wants_protection(const stsafe_client *c, uint8_t code)
{
    const stsafe_cmd_protection *p = &c->protection;
    if (!c->session || !p->loaded || code >= 32 || always_plain(code))
        return 0;
    return c->mac_all || p->enc[code] != 0 || p->ac[code] != STSAFE_CMD_AC_FREE;
}

/* Read the command table: what to protect. Commands without a record are
 * free, as the chip treats them. */
static int load_protection(stsafe_client *c)
{
    stsafe_cmd_auth_info t;
    int err = stsafe_client_query_cmd_auth(c, &t);
    if (err)
        return err;
    memset(&c->protection, 0, sizeof c->protection);
    memset(c->protection.ac, STSAFE_CMD_AC_FREE, sizeof c->protection.ac);
    for (uint8_t i = 0; i < t.count; i++) {
        uint8_t code = t.rec[i].header;
        if (code < 32) {
            c->protection.ac[code] = t.rec[i].ac;
            c->protection.enc[code] = t.rec[i].enc_flags;
        }
    }
    c->protection.loaded = 1;
    return 0;
}

int stsafe_client_open_host_session(stsafe_client *c, stsafe_host_session *s,
                                    const uint8_t mac_key[16], const uint8_t cipher_key[16])
{
    stsafe_host_key_info hk;
    if (!c || !s || !mac_key || !cipher_key)
        return STSAFE_ERR_BAD_INPUT;
    c->session = NULL;
    int err = stsafe_client_query_host_key_slot(c, &hk);
    if (!err && !hk.present)
        err = STSAFE_ERR_SC_NO_KEYS;
    if (!err)
        err = load_protection(c);
    if (err)
        return err;
    memset(s, 0, sizeof *s);
    memcpy(s->mac_key, mac_key, sizeof s->mac_key);
    memcpy(s->cipher_key, cipher_key, sizeof s->cipher_key);
    s->counter = hk.cmac_counter;
    s->check_rmac = 1;
    c->session = s;
    return 0;
}

void stsafe_client_close_host_session(stsafe_client *c)
{
    if (!c || !c->session)
        return;
    volatile uint8_t *p = (volatile uint8_t *)c->session;
    for (size_t i = 0; i < sizeof *c->session; i++)
        p[i] = 0;
    c->session = NULL;
    memset(&c->protection, 0, sizeof c->protection);
}

/* After a transport failure the host cannot tell whether the chip counted
 * the command: read the counter again rather than guess. */
static void resync_counter(stsafe_client *c)
{
    stsafe_host_session *s = c->session;
    stsafe_host_key_info hk;
    c->session = NULL; /* the query itself goes in the clear */
    if (stsafe_client_query_host_key_slot(c, &hk) == 0 && hk.present)
        s->counter = hk.cmac_counter;
    c->session = s;
}

/* Check and strip the R-MAC of an OK response. */
static int check_rmac(const stsafe_host_session *s, uint8_t header, const uint8_t *wire, size_t wire_len,
                      const stsafe_rsp_frame *rsp, size_t *data_len)
{
    uint8_t mac[STSAFE_SC_MAC_LEN];
    *data_len = rsp->data_len;
    if (!s->check_rmac)
        return 0; /* fault tests only: the R-MAC, if any, is left in the data */
    if (!(rsp->status & STSAFE_SC_STATUS_RMAC) || rsp->data_len < STSAFE_SC_MAC_LEN)
        return STSAFE_ERR_SC_RMAC;
    *data_len = rsp->data_len - STSAFE_SC_MAC_LEN;
    int err = stsafe_sc_rmac(s->mac_key, s->counter, header, wire, wire_len, rsp->status, rsp->data,
                             *data_len, mac);
    if (err)
        return err;
    return stsafe_sc_mac_equal(mac, rsp->data + *data_len) ? 0 : STSAFE_ERR_SC_RMAC;
}

/* The command's wire payload: encrypted or not, then the C-MAC. */
static int build_payload(const stsafe_host_session *s, uint8_t header, uint8_t enc, const uint8_t *payload,
                         size_t len, uint8_t *wire, size_t cap, size_t *wire_len)
{
    int err = 0;
    *wire_len = len;
    if (enc & STSAFE_CMD_ENC_CMD)
        err = stsafe_sc_encrypt(s->cipher_key, s->counter + 1, 0, payload, len, wire, cap, wire_len);
    else if (len > cap)
        err = STSAFE_ERR_BUFFER_TOO_SMALL;
    else if (len)
        memcpy(wire, payload, len);
    if (!err && *wire_len + STSAFE_SC_MAC_LEN > cap)
        err = STSAFE_ERR_BUFFER_TOO_SMALL;
    if (!err)
        err = stsafe_sc_cmac(s->mac_key, s->counter, header, wire, *wire_len, wire + *wire_len);
    return err;
}

/* Response data after the R-MAC check, decrypted when it is encrypted. */
static int open_response(stsafe_client *c, uint8_t enc, const stsafe_rsp_frame *rsp, size_t data_len,
                         uint8_t *rsp_data, size_t rsp_cap, size_t *rsp_len)
{
    uint8_t plain[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0;
    if (!(enc & STSAFE_CMD_ENC_RSP) || data_len == 0)
        return stsafe_client_hand_out(rsp->data, data_len, rsp_data, rsp_cap, rsp_len);
    int err = stsafe_sc_decrypt(c->session->cipher_key, c->session->counter, 1, rsp->data, data_len,
                                plain, sizeof plain, &n);
    if (!err)
        err = stsafe_client_hand_out(plain, n, rsp_data, rsp_cap, rsp_len);
    memset(plain, 0, sizeof plain);
    return err;
}

int stsafe_client_transceive_protected(stsafe_client *c, uint8_t code, uint8_t enc,
                                       const uint8_t *payload, size_t payload_len,
                                       uint8_t *rsp_data, size_t rsp_cap, size_t *rsp_len)
{
    uint8_t wire[STSAFE_A110_MAX_FRAME_LEN];
    size_t wire_len = 0, data_len = 0;
    stsafe_rsp_frame rsp;
    int written = 0;
    if (!c || !c->session || (payload_len && !payload) || (rsp_cap && !rsp_data))
        return STSAFE_ERR_BAD_INPUT;
    stsafe_host_session *s = c->session;
    if (s->counter >= STSAFE_SC_COUNTER_MAX)
        return STSAFE_ERR_SC_COUNTER;
    uint8_t header = (uint8_t)((code & STSAFE_HDR_CODE_MASK) | STSAFE_SC_HDR_FLAGS);
    int err = build_payload(s, header, enc, payload, payload_len, wire, sizeof wire - 3, &wire_len);
    if (!err)
        err = stsafe_client_exchange(c, header, wire, wire_len + STSAFE_SC_MAC_LEN, &rsp, &written);
    if (err) {
        if (written)
            resync_counter(c);
        return err;
    }
    /* The chip counts every command whose C-MAC it accepted: all statuses
     * but invalid C-MAC and communication error (STSELib's rule). */
    if (c->last_status != STSAFE_ST_INVALID_CMAC && c->last_status != STSAFE_ST_COMMUNICATION_ERROR)
        s->counter++;
    if (c->last_status != STSAFE_ST_OK)
        return STSAFE_ERR_STATUS(c->last_status);
    err = check_rmac(s, header, wire, wire_len, &rsp, &data_len);
    return err ? err : open_response(c, enc, &rsp, data_len, rsp_data, rsp_cap, rsp_len);
}
