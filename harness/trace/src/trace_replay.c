/* SPDX-License-Identifier: BSD-3-Clause */
/* Replaying a trace against an emulated chip (trace_replay.h). */
#include "stsafe/trace/replay.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>

#include "stsafe/protocol/codec_ecc.h"
#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/protocol/secure_channel.h"
#include "stsafe/protocol/status.h"
#include "stsafe/trace/redact.h"
#include "stsafe/trace/trace.h"
#include "trace_substitute.h"

#define KEYS 3u              /* slots 0 and 1, and the ephemeral slot 0xFF */
#define HEX_SHOWN 48u        /* bytes of a differing read shown in the report */

/* How an answer is compared with the recording. */
typedef enum {
    CMP_EXACT,               /* byte for byte */
    CMP_STRUCTURE,           /* random content: status and length */
    CMP_GENKEY,              /* structure, and the points on the curve */
    CMP_SIGNATURE            /* structure, and both signatures verify */
} compare_kind;

typedef struct {
    int present;
    uint8_t curve;
    stsafe_ecc_point q;
} public_key;

/* One replay's state: the chip, the report, the two chips' public keys. */
typedef struct {
    const stsafe_trace_script *script;
    stsafe_emu_chip *chip;
    stsafe_replay_report *rep;
    public_key recorded[KEYS];   /* the recorded chip's keys, as the trace shows them */
    public_key emulated;         /* the emulator's key of the current signing slot */
    int keys_generated;          /* a Generate Key was in the trace */
    int exact;                   /* the chip has the recorded chip's seed: all byte for byte */
    size_t ex;                   /* the current exchange */
} replay;

static size_t key_index(uint8_t slot)
{
    return slot == STSAFE_EPHEMERAL_SLOT ? 2u : slot;
}

static public_key key_of(const stsafe_emu_key_slot *slot)
{
    public_key k;
    memset(&k, 0, sizeof(k));
    if (!slot->present)
        return k;
    k.present = 1;
    k.curve = slot->curve;
    k.q.size = stsafe_curve_size(slot->curve);
    memcpy(k.q.x, slot->pub_x, k.q.size);
    memcpy(k.q.y, slot->pub_y, k.q.size);
    return k;
}

static const stsafe_emu_key_slot *chip_slot(const stsafe_emu_chip *chip, uint8_t slot)
{
    if (slot == STSAFE_EPHEMERAL_SLOT)
        return &chip->vol.ephemeral;
    return slot < STSAFE_EMU_MAX_KEY_SLOTS ? &chip->nvm.key_slots[slot] : NULL;
}

/* ---- reporting ---- */

static void append(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t cap, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, cap - used, fmt, ap);
    va_end(ap);
}

static void append_hex(char *buf, size_t cap, const char *label, const uint8_t *p, size_t n)
{
    append(buf, cap, "\n  %s:", label);
    for (size_t i = 0; i < n && i < HEX_SHOWN; i++)
        append(buf, cap, " %02x", p[i]);
    if (n > HEX_SHOWN)
        append(buf, cap, " ... (%zu bytes)", n);
}

static const char *cmd_name_of(const replay *r)
{
    const stsafe_trace_exchange *e = &r->script->ex[r->ex];
    if (e->cmd_len == 0)
        return "an empty write";
    return stsafe_cmd_name((uint8_t)(stsafe_trace_script_cmd(r->script, r->ex)[0] & 0x1Fu));
}

static int mismatch(replay *r, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int mismatch(replay *r, unsigned line, const char *fmt, ...)
{
    va_list ap;
    r->rep->line = line;
    int n = snprintf(r->rep->message, sizeof(r->rep->message), "line %u: ", line);
    va_start(ap, fmt);
    vsnprintf(r->rep->message + n, sizeof(r->rep->message) - (size_t)n, fmt, ap);
    va_end(ap);
    if (r->rep->redacted_skipped || r->rep->redacted_substituted) /* what may explain it */
        append(r->rep->message, sizeof(r->rep->message),
               " (%llu redacted commands before it were sent with substitutes, %llu left out; "
               "record with --trace-secrets for a full replay)",
               (unsigned long long)r->rep->redacted_substituted,
               (unsigned long long)r->rep->redacted_skipped);
    return STSAFE_ERR_TRACE_MISMATCH;
}

static int differs(replay *r, const stsafe_trace_read *rd, const uint8_t *want, const uint8_t *got,
                   const char *what)
{
    size_t at = 0;
    while (at < rd->len && want[at] == got[at])
        at++;
    mismatch(r, rd->line, "the answer to %s (line %u) %s (first difference at byte %zu)",
             cmd_name_of(r), r->script->ex[r->ex].line, what, at);
    append_hex(r->rep->message, sizeof(r->rep->message), "recorded", want, rd->len);
    append_hex(r->rep->message, sizeof(r->rep->message), "emulator", got, rd->len);
    return STSAFE_ERR_TRACE_MISMATCH;
}

/* ---- what a command's answer rests on ---- */

/* The command's payload without its C-MAC, and its code. */
static int cmd_payload(const replay *r, uint8_t *code, const uint8_t **p, size_t *n)
{
    const stsafe_trace_exchange *e = &r->script->ex[r->ex];
    stsafe_cmd_frame f;
    if (stsafe_cmd_frame_decode(stsafe_trace_script_cmd(r->script, r->ex), e->cmd_len,
                                e->cmd_len, &f) != 0)
        return -1;
    *code = (uint8_t)(f.header & STSAFE_STATUS_CODE_MASK);
    *p = f.payload;
    *n = f.payload_len;
    if (f.header & STSAFE_SC_HDR_FLAGS) {
        if (*n < STSAFE_SC_MAC_LEN)
            return -1;
        *n -= STSAFE_SC_MAC_LEN;
    }
    return 0;
}

static compare_kind kind_of(const replay *r)
{
    uint8_t code;
    const uint8_t *p;
    size_t n;
    if (r->exact)
        return CMP_EXACT;
    if (cmd_payload(r, &code, &p, &n) != 0)
        return CMP_EXACT;
    switch (code) {
    case STSAFE_CMD_GENERATE_RANDOM:
        return CMP_STRUCTURE;
    case STSAFE_CMD_GENERATE_KEY:
        return CMP_GENKEY;
    case STSAFE_CMD_GENERATE_SIGNATURE:
        return CMP_SIGNATURE;
    case STSAFE_CMD_ESTABLISH_KEY:
    case STSAFE_CMD_WRAP_LOCAL_ENVELOPE:
    case STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE:
        return r->keys_generated ? CMP_STRUCTURE : CMP_EXACT;
    default:
        return CMP_EXACT;
    }
}

/* The answer's data without an R-MAC, when the frame is whole and valid. */
static int rsp_data(const uint8_t *frame, size_t len, stsafe_rsp_frame *f)
{
    if (stsafe_rsp_frame_decode(frame, len, f) != 0)
        return -1;
    if (f->status & STSAFE_SC_STATUS_RMAC) {
        if (f->data_len < STSAFE_SC_MAC_LEN)
            return -1;
        f->data_len -= STSAFE_SC_MAC_LEN;
    }
    return 0;
}

static int on_curve(uint8_t curve, const stsafe_ecc_point *q)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point pt;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&pt);
    int ok = mbedtls_ecp_group_load(&grp, (mbedtls_ecp_group_id)stsafe_curve_group(curve)) == 0 &&
             q->size == stsafe_curve_size(curve) &&
             stsafe_mbedtls_point_from_xy(&grp, &pt, q->x, q->y, q->size) == 0 &&
             mbedtls_ecp_check_pubkey(&grp, &pt) == 0;
    mbedtls_ecp_point_free(&pt);
    mbedtls_ecp_group_free(&grp);
    return ok;
}

static int sig_verifies(const public_key *k, const uint8_t *digest, size_t dlen,
                        const stsafe_ecc_signature *sig)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi rr, ss;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&rr);
    mbedtls_mpi_init(&ss);
    int ok = k->present &&
             mbedtls_ecp_group_load(&grp, (mbedtls_ecp_group_id)stsafe_curve_group(k->curve)) == 0 &&
             stsafe_mbedtls_point_from_xy(&grp, &q, k->q.x, k->q.y, k->q.size) == 0 &&
             mbedtls_mpi_read_binary(&rr, sig->r, sig->size) == 0 &&
             mbedtls_mpi_read_binary(&ss, sig->s, sig->size) == 0 &&
             mbedtls_ecdsa_verify(&grp, digest, dlen, &q, &rr, &ss) == 0;
    mbedtls_mpi_free(&ss);
    mbedtls_mpi_free(&rr);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    return ok;
}

/* Generate Key: both points on the curve; the recorded one is the slot's now. */
static int check_genkey(replay *r, const stsafe_trace_read *rd, const stsafe_rsp_frame *want,
                        const stsafe_rsp_frame *got)
{
    uint8_t code;
    const uint8_t *p;
    size_t n;
    stsafe_genkey_req req;
    stsafe_ecc_point wq, gq;
    if (cmd_payload(r, &code, &p, &n) != 0 || stsafe_genkey_req_decode(p, n, &req) != 0 ||
        stsafe_point_decode(want->data, want->data_len, &wq) != 0 ||
        stsafe_point_decode(got->data, got->data_len, &gq) != 0)
        return 0; /* encrypted or not a slot key: status and length only */
    if (!on_curve(req.curve, &wq))
        return mismatch(r, rd->line, "the recorded Generate Key answer is not a point on %s",
                        stsafe_curve_name(req.curve));
    if (!on_curve(req.curve, &gq))
        return mismatch(r, rd->line, "the emulator's Generate Key answer is not a point on %s",
                        stsafe_curve_name(req.curve));
    if (req.slot < STSAFE_EMU_MAX_KEY_SLOTS || req.slot == STSAFE_EPHEMERAL_SLOT) {
        public_key *k = &r->recorded[key_index(req.slot)];
        k->present = 1;
        k->curve = req.curve;
        k->q = wq;
    }
    r->rep->verified++;
    return 1;
}

/* Generate Signature: each signature verifies with its own chip's key. */
static int check_signature(replay *r, const stsafe_trace_read *rd, const stsafe_rsp_frame *want,
                           const stsafe_rsp_frame *got)
{
    uint8_t code;
    const uint8_t *p;
    size_t n;
    stsafe_sign_req req;
    stsafe_ecc_signature ws, gs;
    if (cmd_payload(r, &code, &p, &n) != 0 || stsafe_sign_req_decode(p, n, &req) != 0 ||
        stsafe_signature_decode(want->data, want->data_len, &ws) != 0 ||
        stsafe_signature_decode(got->data, got->data_len, &gs) != 0)
        return 0;
    const public_key *rec = req.slot < STSAFE_EMU_MAX_KEY_SLOTS || req.slot == STSAFE_EPHEMERAL_SLOT
                                ? &r->recorded[key_index(req.slot)]
                                : NULL;
    if (!rec || !sig_verifies(rec, req.digest, req.digest_len, &ws))
        return mismatch(r, rd->line,
                        "the recorded signature (slot %u) does not verify with the key the "
                        "recorded chip has in that slot",
                        req.slot);
    if (!sig_verifies(&r->emulated, req.digest, req.digest_len, &gs))
        return mismatch(r, rd->line, "the emulator's signature (slot %u) does not verify",
                        req.slot);
    if (req.slot == STSAFE_EPHEMERAL_SLOT) /* one use, then gone (protocol.md) */
        memset(&r->recorded[key_index(req.slot)], 0, sizeof(public_key));
    r->rep->verified++;
    return 1;
}

/* A random answer: the same status and length; then what can be verified. */
static int compare_random(replay *r, const stsafe_trace_read *rd, const uint8_t *want,
                          const uint8_t *got, compare_kind kind)
{
    size_t head = rd->len < 3u ? rd->len : 3u;
    stsafe_rsp_frame wf, gf;
    if (memcmp(want, got, head) != 0)
        return differs(r, rd, want, got, "has another status or length");
    size_t total;
    if (rd->len < STSAFE_RSP_FRAME_OVERHEAD || stsafe_rsp_frame_total_len(want, &total) != 0 ||
        total != rd->len) {
        r->rep->by_structure++; /* the head of a response: nothing more to check */
        return 0;
    }
    if (rsp_data(want, rd->len, &wf) != 0)
        return differs(r, rd, want, got, "is not a valid frame in the recording (CRC)");
    if (rsp_data(got, rd->len, &gf) != 0)
        return differs(r, rd, want, got, "is not a valid frame from the emulator");
    int rc = 0;
    if ((wf.status & STSAFE_STATUS_CODE_MASK) == STSAFE_ST_OK && kind == CMP_GENKEY)
        rc = check_genkey(r, rd, &wf, &gf);
    else if ((wf.status & STSAFE_STATUS_CODE_MASK) == STSAFE_ST_OK && kind == CMP_SIGNATURE)
        rc = check_signature(r, rd, &wf, &gf);
    if (rc < 0)
        return rc;
    if (rc == 0)
        r->rep->by_structure++;
    return 0;
}

/* ---- the replay ---- */

/* A redacted answer (an envelope's plaintext): the emulator's answer with
 * the same bytes redacted (redact.h) must equal the recording; the recorded
 * CRC is the one of the real plaintext, so it checks the emulator's too.
 * Where the answer rests on random bytes, the status and length only. */
static int read_redacted(replay *r, const stsafe_trace_read *rd, const uint8_t *want, uint8_t *got,
                         compare_kind kind)
{
    uint8_t header = stsafe_trace_script_cmd(r->script, r->ex)[0];
    stsafe_trace_redact_apply(stsafe_trace_redact_response(header, got, rd->len), got, rd->len);
    r->rep->redacted_reads++;
    if (memcmp(want, got, rd->len) == 0) {
        r->rep->identical++;
        return 0;
    }
    size_t head = rd->len < 3u ? rd->len : 3u;
    if (kind == CMP_EXACT || memcmp(want, got, head) != 0)
        return differs(r, rd, want, got, "differs outside its redacted bytes");
    r->rep->by_structure++;
    return 0;
}

static int read_one(replay *r, size_t ri, compare_kind kind)
{
    const stsafe_trace_read *rd = &r->script->reads[ri];
    const uint8_t *want = stsafe_trace_script_read_bytes(r->script, ri);
    uint8_t got[STSAFE_TRACE_MAX_DATA];
    if (stsafe_emu_i2c_read(r->chip, 0, got, rd->len) != 0)
        return mismatch(r, rd->line, "the recorded chip answered %s (line %u), the emulator NACKed",
                        cmd_name_of(r), r->script->ex[r->ex].line);
    r->rep->reads++;
    r->rep->i2c_bytes += rd->len;
    if (rd->redacted)
        return read_redacted(r, rd, want, got, kind);
    if (memcmp(want, got, rd->len) == 0) {
        r->rep->identical++;
        if (kind != CMP_GENKEY && kind != CMP_SIGNATURE)
            return 0;
        /* still learn the recorded key (or check the signature against the
         * recorded chip's key), without counting the read twice */
        stsafe_replay_report counts = *r->rep;
        int rc = compare_random(r, rd, want, got, kind);
        r->rep->verified = counts.verified;
        r->rep->by_structure = counts.by_structure;
        return rc;
    }
    if (kind == CMP_EXACT)
        return differs(r, rd, want, got, "differs");
    return compare_random(r, rd, want, got, kind);
}

/* Before a signature the emulator's key is taken: the ephemeral one is
 * gone after it has signed. */
static void note_signing_key(replay *r)
{
    uint8_t code;
    const uint8_t *p;
    size_t n;
    stsafe_sign_req req;
    memset(&r->emulated, 0, sizeof(r->emulated));
    if (cmd_payload(r, &code, &p, &n) == 0 && stsafe_sign_req_decode(p, n, &req) == 0) {
        const stsafe_emu_key_slot *slot = chip_slot(r->chip, req.slot);
        if (slot)
            r->emulated = key_of(slot);
    }
}

static int replay_exchange(replay *r)
{
    const stsafe_trace_exchange *e = &r->script->ex[r->ex];
    const uint8_t *cmd = stsafe_trace_script_cmd(r->script, r->ex);
    uint8_t sent[STSAFE_TRACE_MAX_DATA];
    compare_kind kind = kind_of(r);
    if (e->redacted) { /* its secret is not in the trace: a substitute is sent */
        int by_structure = 0;
        const stsafe_trace_read *ans = e->n_reads ? &r->script->reads[e->longest] : NULL;
        if (stsafe_trace_substitute(r->chip, cmd, e->cmd_len,
                                    ans ? stsafe_trace_script_read_bytes(r->script, e->longest) : NULL,
                                    ans ? ans->len : 0, sent, &by_structure) != 0) {
            r->rep->redacted_skipped++; /* nothing this replay can send: left out */
            return 0;
        }
        r->rep->redacted_substituted++;
        cmd = sent;
        if (by_structure)
            kind = CMP_STRUCTURE;
    }
    if (kind == CMP_SIGNATURE)
        note_signing_key(r);
    if (stsafe_emu_i2c_write(r->chip, 0, cmd, e->cmd_len) != 0)
        return mismatch(r, e->line, "the emulator NACKed %s, the recorded chip acknowledged it",
                        cmd_name_of(r));
    r->rep->commands++;
    r->rep->i2c_bytes += e->cmd_len;
    for (size_t i = 0; i < e->n_reads; i++) {
        int rc = read_one(r, e->first_read + i, kind);
        if (rc)
            return rc;
    }
    if (kind == CMP_GENKEY)
        r->keys_generated = 1;
    return 0;
}

int stsafe_trace_replay_exact(const stsafe_trace_script *script, stsafe_emu_chip *chip, int exact,
                              stsafe_replay_report *report)
{
    static replay zero;
    if (!script || !chip || !report)
        return STSAFE_ERR_BAD_INPUT;
    memset(report, 0, sizeof(*report));
    replay r = zero;
    r.script = script;
    r.chip = chip;
    r.rep = report;
    r.exact = exact;
    report->exact = exact;
    chip->timing = STSAFE_EMU_TIMING_NONE;
    for (uint8_t slot = 0; slot < STSAFE_EMU_MAX_KEY_SLOTS; slot++)
        r.recorded[slot] = key_of(&chip->nvm.key_slots[slot]);
    for (r.ex = 0; r.ex < script->n_ex; r.ex++) {
        int rc = replay_exchange(&r);
        if (rc)
            return rc;
    }
    return 0;
}

int stsafe_trace_replay(const stsafe_trace_script *script, stsafe_emu_chip *chip,
                        stsafe_replay_report *report)
{
    return stsafe_trace_replay_exact(script, chip, 0, report);
}
