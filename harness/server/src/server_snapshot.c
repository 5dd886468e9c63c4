/* SPDX-License-Identifier: BSD-3-Clause */
/* SNAPSHOT and RESTORE (socket protocol version 3; docs/socket-protocol.md):
 * a chip's whole state, larger than one message, read out and written back
 * in chunks. A snapshot is taken whole when the client asks for offset 0
 * and read from that copy, so every chunk is of the same state; a restore
 * is gathered whole on the connection and applied only with its last
 * chunk, after the snapshot's own checks: a restore that is refused,
 * malformed or cut off changes nothing. */
#include "server_internal.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "stsafe/protocol/error.h"

static void wipe_free(uint8_t **p, size_t n)
{
    if (*p)
        mbedtls_platform_zeroize(*p, n); /* a snapshot holds the chip's keys */
    free(*p);
    *p = NULL;
}

static void drop_snapshot(stsafe_server_session *sess)
{
    wipe_free(&sess->snap, STSAFE_SOCK_SNAPSHOT_MAX);
    sess->snap_len = 0;
}

static void drop_restore(stsafe_server_session *sess)
{
    wipe_free(&sess->restore, sess->restore_total);
    sess->restore_len = 0;
    sess->restore_total = 0;
}

void stsafe_server_session_free(stsafe_server_session *sess)
{
    if (!sess)
        return;
    drop_snapshot(sess);
    drop_restore(sess);
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Offset 0: a new snapshot of the selected device, held by the session. */
static int take_snapshot(stsafe_server_slot *slot, stsafe_server_session *sess)
{
    drop_snapshot(sess);
    sess->snap = malloc(STSAFE_SOCK_SNAPSHOT_MAX);
    if (!sess->snap)
        return STSAFE_ERR_ALLOC;
    int err = slot->dev.ops->snapshot(slot->dev.ctx, sess->snap, STSAFE_SOCK_SNAPSHOT_MAX, &sess->snap_len);
    if (err)
        drop_snapshot(sess);
    return err;
}

uint8_t stsafe_server_op_snapshot(stsafe_server *s, stsafe_server_session *sess, const uint8_t *args,
                                  size_t n, uint8_t *ans, size_t *ans_len)
{
    const uint8_t op = STSAFE_SOCK_OP_SNAPSHOT;
    if (n != 4)
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_ARGS, ans, ans_len,
                                    "snapshot takes an offset in 4 bytes");
    uint32_t offset = get_u32(args);
    stsafe_server_slot *slot = &s->slots[sess->selected];
    if (!slot->dev.ops->snapshot)
        return stsafe_server_outcome(s, slot, STSAFE_ERR_UNSUPPORTED, op, NULL, 0, ans, ans_len);
    if (offset == 0) {
        int err = take_snapshot(slot, sess);
        if (err)
            return stsafe_server_outcome(s, slot, err, op, NULL, 0, ans, ans_len);
    } else if (!sess->snap || offset >= sess->snap_len) {
        size_t total = sess->snap ? sess->snap_len : 0;
        drop_snapshot(sess);
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_ARGS, ans, ans_len,
                                    "snapshot offset %lu is past the snapshot being read (%zu bytes; "
                                    "offset 0 takes one)", (unsigned long)offset, total);
    }
    size_t chunk = sess->snap_len - offset;
    if (chunk > STSAFE_SOCK_SNAPSHOT_CHUNK)
        chunk = STSAFE_SOCK_SNAPSHOT_CHUNK;
    uint8_t out[4 + STSAFE_SOCK_SNAPSHOT_CHUNK];
    stsafe_sock_put_u32(out, (uint32_t)sess->snap_len);
    memcpy(out + 4, sess->snap + offset, chunk);
    uint8_t st = stsafe_server_reply(op, STSAFE_SOCK_ST_OK, out, 4 + chunk, ans, ans_len);
    mbedtls_platform_zeroize(out, sizeof out);
    if (offset + chunk == sess->snap_len)
        drop_snapshot(sess); /* read to its end: the copy of the keys goes */
    return st;
}

/* The last chunk is in: the device becomes the snapshot's, or nothing changes. */
static uint8_t apply_restore(stsafe_server *s, stsafe_server_session *sess, stsafe_server_slot *slot,
                             uint8_t *ans, size_t *ans_len)
{
    const uint8_t op = STSAFE_SOCK_OP_RESTORE;
    const stsafe_server_device *dev = &slot->dev;
    size_t total = sess->restore_total;
    int err = dev->ops->restore(dev->ctx, sess->restore, total);
    drop_restore(sess);
    if (err && !(dev->ops->failure && dev->ops->failure(dev->ctx)))
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_FAILED, ans, ans_len,
                                    "the snapshot was refused: %s; nothing changed", stsafe_strerror(err));
    if (!err)
        stsafe_server_log(s, "%s: restored from a snapshot of %zu bytes", dev->ops->name(dev->ctx), total);
    uint8_t out[4];
    stsafe_sock_put_u32(out, (uint32_t)total);
    return stsafe_server_outcome(s, slot, err, op, out, sizeof out, ans, ans_len);
}

uint8_t stsafe_server_op_restore(stsafe_server *s, stsafe_server_session *sess, const uint8_t *args,
                                 size_t n, uint8_t *ans, size_t *ans_len)
{
    const uint8_t op = STSAFE_SOCK_OP_RESTORE;
    if (n < 9 || n - 8 > STSAFE_SOCK_SNAPSHOT_CHUNK) {
        drop_restore(sess);
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_ARGS, ans, ans_len,
                                    "restore takes an offset (4), the total (4) and 1 to %u bytes",
                                    STSAFE_SOCK_SNAPSHOT_CHUNK);
    }
    uint32_t offset = get_u32(args), total = get_u32(args + 4);
    size_t len = n - 8;
    stsafe_server_slot *slot = &s->slots[sess->selected];
    if (!slot->dev.ops->restore) {
        drop_restore(sess);
        return stsafe_server_outcome(s, slot, STSAFE_ERR_UNSUPPORTED, op, NULL, 0, ans, ans_len);
    }
    if (offset == 0) {
        drop_restore(sess); /* a new restore replaces one under way */
        if (total == 0 || total > STSAFE_SOCK_SNAPSHOT_MAX)
            return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_ARGS, ans, ans_len,
                                        "restore takes a total of 1 to %u bytes", STSAFE_SOCK_SNAPSHOT_MAX);
        sess->restore = malloc(total);
        if (!sess->restore)
            return stsafe_server_outcome(s, slot, STSAFE_ERR_ALLOC, op, NULL, 0, ans, ans_len);
        sess->restore_total = total;
    } else if (!sess->restore || offset != sess->restore_len || total != sess->restore_total) {
        size_t want = sess->restore_len, of = sess->restore_total;
        drop_restore(sess);
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_ARGS, ans, ans_len,
                                    "restore chunk at offset %lu of %lu, expected offset %zu of %zu "
                                    "(chunks in order from offset 0)",
                                    (unsigned long)offset, (unsigned long)total, want, of);
    }
    if (len > sess->restore_total - sess->restore_len) {
        drop_restore(sess);
        return stsafe_server_refuse(op, STSAFE_SOCK_ST_ERR_ARGS, ans, ans_len,
                                    "restore chunk of %zu bytes at offset %lu runs past the total %lu",
                                    len, (unsigned long)offset, (unsigned long)total);
    }
    memcpy(sess->restore + sess->restore_len, args + 8, len);
    sess->restore_len += len;
    if (sess->restore_len < sess->restore_total) {
        uint8_t out[4];
        stsafe_sock_put_u32(out, (uint32_t)sess->restore_len);
        return stsafe_server_reply(op, STSAFE_SOCK_ST_OK, out, sizeof out, ans, ans_len);
    }
    return apply_restore(s, sess, slot, ans, ans_len);
}
