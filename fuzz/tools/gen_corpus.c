/* SPDX-License-Identifier: BSD-3-Clause */
/* stse_fuzz_gencorpus: writes the seed corpora and dictionaries of the fuzz
 * targets (docs/fuzzing.md).
 *
 *   stse_fuzz_gencorpus VECTORS_FRAMES_DIR OUT_DIR
 *
 * writes OUT_DIR/corpus/<target>/ and OUT_DIR/<target>.dict from:
 * - the frame vectors (the .txt files of vectors/frames): every command frame a seed of
 *   fuzz_command_frame, every file one sequence of fuzz_command_sequence;
 * - the real chip's answers: every command of fuzz_host.h run by the client
 *   against an emulated default-profile chip through a recording bus, in
 *   each client mode: the answers are seeds of fuzz_host_response, the
 *   frames the client wrote seeds of the two command targets;
 * - images of the default profile and of a chip after the recordings.
 * Only files with the generator's prefixes (vec-, host-, seq-, img-) are
 * removed and rewritten; regressions (regress-*) are left alone.
 *
 * It checks what it records: every client call meets the contract of
 * fuzz_host.h against the real chip, and every command code the emulator
 * implements gets at least one frame the chip answers with OK. Exit 0, or
 * 1 with a message. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_chip.h"
#include "fuzz_host.h"
#include "fuzz_split.h"
#include "stsafe/emulator/chip.h"
#include "stsafe/emulator/image.h"
#include "stsafe/protocol/codec.h"
#include "stsafe/protocol/crc16.h"
#include "stsafe/protocol/curves.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/hex.h"
#include "stsafe/bus/inproc.h"
#include "stsafe/protocol/status.h"

#define FRAME_MAX   STSAFE_A110_MAX_FRAME_LEN
#define REC_MAX     96u          /* exchanges in one recording */
#define READS_MAX   ((size_t)2 * REC_MAX) /* read transactions in one recording */
#define SEQ_CAP     (REC_MAX * (FRAME_MAX + FUZZ_SPLIT_HEAD))
#define DICT_MAX    512u
#define TOKEN_MAX   64u
#define SEED_FRAMES_MAX 3072u    /* distinct frames of fuzz_command_frame */

static const char *const targets[] = {"fuzz_command_frame", "fuzz_command_sequence",
                                      "fuzz_host_response", "fuzz_image_load"};
enum { T_FRAME, T_SEQUENCE, T_HOST, T_IMAGE, T_COUNT };
static const char *const generated_prefixes[] = {"vec-", "host-", "seq-", "img-"};

/* ---- failure --------------------------------------------------------------- */

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "stse_fuzz_gencorpus: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

/* ---- output: corpus files and dictionaries ------------------------------------ */

typedef struct {
    size_t count;
    size_t len[DICT_MAX];
    uint8_t tok[DICT_MAX][TOKEN_MAX];
} dict;

/* Everything written, so that identical frames become one seed. */
typedef struct {
    char root[2048];
    size_t files[T_COUNT];
    dict dicts[T_COUNT];
    size_t nframes;
    uint8_t (*frames)[FRAME_MAX];
    size_t *frame_len;
    uint32_t ok_codes;       /* command codes answered OK at least once */
    const stsafe_emu_nvm *profile; /* the fuzz targets' default profile */
} output;

static void make_dir(const char *path)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        die("cannot create", path);
}

static int generated(const char *name)
{
    for (size_t i = 0; i < sizeof generated_prefixes / sizeof generated_prefixes[0]; i++)
        if (!strncmp(name, generated_prefixes[i], strlen(generated_prefixes[i])))
            return 1;
    return 0;
}

/* Creates OUT/corpus/<target>/ and removes the seeds of an earlier run. */
static void prepare_dir(const output *o, int t)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/corpus/%s", o->root, targets[t]);
    make_dir(path);
    DIR *d = opendir(path);
    if (!d)
        die("cannot open", path);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char file[4096 + 256];
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        if (generated(e->d_name) && unlink(file) != 0)
            die("cannot remove", file);
    }
    closedir(d);
}

/* Letters, digits, '-' and '_' only: names come from vector files. */
static void clean_name(char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            *s = '_';
}

static void write_seed(output *o, int t, const char *name, const uint8_t *data, size_t len)
{
    char clean[512], path[4096];
    snprintf(clean, sizeof clean, "%s", name);
    clean_name(clean);
    snprintf(path, sizeof path, "%s/corpus/%s/%s", o->root, targets[t], clean);
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
        die("cannot write", path);
    o->files[t]++;
}

static void dict_add(dict *d, const uint8_t *tok, size_t len)
{
    if (len < 2 || len > TOKEN_MAX || d->count >= DICT_MAX)
        return;
    for (size_t i = 0; i < d->count; i++)
        if (d->len[i] == len && !memcmp(d->tok[i], tok, len))
            return;
    memcpy(d->tok[d->count], tok, len);
    d->len[d->count++] = len;
}

static void write_dict(const output *o, int t, const char *origin)
{
    char path[4096];
    const dict *d = &o->dicts[t];
    snprintf(path, sizeof path, "%s/%s.dict", o->root, targets[t]);
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write", path);
    fprintf(f, "# libFuzzer dictionary of %s, written by stse_fuzz_gencorpus\n# (fuzz/tools/gen_corpus.c) from %s. Do not edit.\n",
            targets[t], origin);
    for (size_t i = 0; i < d->count; i++) {
        fprintf(f, "kw%zu=\"", i + 1);
        for (size_t j = 0; j < d->len[i]; j++)
            fprintf(f, "\\x%02x", d->tok[i][j]);
        fprintf(f, "\"\n");
    }
    if (fclose(f) != 0)
        die("cannot write", path);
}

/* A command frame for fuzz_command_frame, once per content; its first
 * bytes (header and payload prefix) go to both command dictionaries. */
static void add_frame(output *o, const char *name, const uint8_t *frame, size_t len)
{
    size_t prefix = len > 2 ? len - 2 : len;
    prefix = prefix < 6 ? prefix : 6;
    dict_add(&o->dicts[T_FRAME], frame, prefix);
    dict_add(&o->dicts[T_SEQUENCE], frame, prefix);
    if (len <= 40) { /* a whole record: length field and frame */
        uint8_t rec[TOKEN_MAX];
        size_t n = 0;
        if (fuzz_split_append(rec, sizeof rec, &n, frame, len, 0) == 0)
            dict_add(&o->dicts[T_SEQUENCE], rec, n);
    }
    for (size_t i = 0; i < o->nframes; i++)
        if (o->frame_len[i] == len && !memcmp(o->frames[i], frame, len))
            return;
    if (o->nframes >= SEED_FRAMES_MAX || len > FRAME_MAX)
        return;
    memcpy(o->frames[o->nframes], frame, len);
    o->frame_len[o->nframes++] = len;
    write_seed(o, T_FRAME, name, frame, len);
}

/* ---- the vector files ---------------------------------------------------------- */

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* One vector line: name, command frame, expected response; 1 when it is one. */
static int parse_vector(char *line, char **name, uint8_t *frame, size_t *len)
{
    char *save = NULL;
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    *name = strtok_r(line, " \t\r\n", &save);
    char *cmd = strtok_r(NULL, " \t\r\n", &save);
    if (!*name || **name == '!' || !cmd)
        return 0;
    if (stsafe_hex_decode(cmd, frame, FRAME_MAX + 16, len) != 0)
        die("bad hex in vector", *name);
    return 1;
}

static void add_vector_file(output *o, const char *dir, const char *file)
{
    static char line[1 << 16];
    static uint8_t seq[SEQ_CAP * 2];
    uint8_t frame[FRAME_MAX + 16];
    char path[4096], base[256], seed[768];
    size_t seq_len = 0, len;
    char *name;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    snprintf(base, sizeof base, "%.*s", (int)(strlen(file) - 4), file);
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot read", path);
    while (fgets(line, sizeof line, f)) {
        if (!parse_vector(line, &name, frame, &len))
            continue;
        snprintf(seed, sizeof seed, "vec-%s-%s", base, name);
        add_frame(o, seed, frame, len);
        if (fuzz_split_append(seq, sizeof seq, &seq_len, frame, len, 0) != 0)
            die("vector sequence too long", path);
    }
    (void)fclose(f);
    snprintf(seed, sizeof seed, "seq-vec-%s", base);
    write_seed(o, T_SEQUENCE, seed, seq, seq_len);
}

static void add_vectors(output *o, const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0)
        die("cannot list", dir);
    for (int i = 0; i < n; i++) {
        if (has_suffix(names[i]->d_name, ".txt"))
            add_vector_file(o, dir, names[i]->d_name);
        free(names[i]);
    }
    free(names);
}

/* ---- recording the real chip ---------------------------------------------------- */

/* A bus between the client and the emulated chip that keeps every frame
 * written, the whole answer to each, and every read transaction. */
typedef struct {
    const stsafe_bus *inner;
    size_t n, mark;                       /* exchanges; the first of the subject */
    size_t nreads, read_mark;
    uint8_t cmd[REC_MAX][FRAME_MAX];
    size_t cmd_len[REC_MAX];
    uint8_t rsp[REC_MAX][FRAME_MAX];
    size_t rsp_len[REC_MAX];
    uint8_t rd[READS_MAX][FRAME_MAX];
    size_t rd_len[READS_MAX];
} recorder;

static int rec_write(void *ctx, uint16_t addr, const uint8_t *data, size_t len)
{
    recorder *r = ctx;
    int err = stsafe_bus_write(r->inner, addr, data, len);
    if (err == 0) {
        if (r->n >= REC_MAX || len > FRAME_MAX)
            die("recording too long", NULL);
        memcpy(r->cmd[r->n], data, len);
        r->cmd_len[r->n] = len;
        r->rsp_len[r->n++] = 0;
    }
    return err;
}

static int rec_read(void *ctx, uint16_t addr, uint8_t *data, size_t len)
{
    recorder *r = ctx;
    int err = stsafe_bus_read(r->inner, addr, data, len);
    if (err == 0 && r->n > 0 && len <= FRAME_MAX) {
        if (r->nreads >= READS_MAX)
            die("recording too long", NULL);
        memcpy(r->rd[r->nreads], data, len);
        r->rd_len[r->nreads++] = len;
        if (len > r->rsp_len[r->n - 1]) { /* the whole answer is the longest read */
            memcpy(r->rsp[r->n - 1], data, len);
            r->rsp_len[r->n - 1] = len;
        }
    }
    return err;
}

static int rec_transfer(void *ctx, stsafe_i2c_msg *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int err = (msgs[i].flags & STSAFE_I2C_MSG_READ) ? rec_read(ctx, msgs[i].addr, msgs[i].buf, msgs[i].len)
                                                        : rec_write(ctx, msgs[i].addr, msgs[i].buf, msgs[i].len);
        if (err)
            return err;
    }
    return 0;
}

static void rec_delay(void *ctx, uint32_t ms)
{
    recorder *r = ctx;
    stsafe_bus_delay_ms(r->inner, ms);
}

static const stsafe_bus_ops rec_ops = {.transfer = rec_transfer, .write = rec_write, .read = rec_read, .delay_ms = rec_delay};

/* The fuzz targets' own chip (same profile, same random stream), so that a
 * recorded sequence replays in fuzz_command_sequence exactly as recorded,
 * and a client that reaches it through the recorder. */
typedef struct {
    fuzz_chip chip;
    stsafe_bus_inproc inproc;
    stsafe_bus chip_bus;
    recorder rec;
    stsafe_bus bus;
    fuzz_host host;
} session;

static session *session_new(const stsafe_emu_nvm *profile)
{
    session *s = calloc(1, sizeof *s);
    if (!s)
        die("out of memory", NULL);
    fuzz_chip_load(&s->chip, profile);
    stsafe_bus_inproc_init(&s->inproc, &s->chip_bus, &s->chip.chip);
    s->rec.inner = &s->chip_bus;
    s->bus.ops = &rec_ops;
    s->bus.ctx = &s->rec;
    fuzz_host_init(&s->host, &s->bus, STSAFE_CLIENT_MAX_POLLS);
    return s;
}

static void session_free(session *s)
{
    stsafe_client_close_host_session(&s->host.client);
    stsafe_emu_chip_free(&s->chip.chip);
    free(s);
}

static void session_mark(session *s)
{
    s->rec.mark = s->rec.n;
    s->rec.read_mark = s->rec.nreads;
}

/* Setup calls must succeed: they prepare the chip for the subject. */
static void must(int err, const char *what)
{
    if (err)
        die(what, stsafe_strerror(err));
}

/* Every exchange answered OK counts for its command code. */
static void note_ok_codes(output *o, const recorder *r)
{
    for (size_t i = 0; i < r->n; i++) {
        stsafe_rsp_frame rsp;
        if (stsafe_rsp_frame_decode(r->rsp[i], r->rsp_len[i], &rsp) == 0 &&
            (rsp.status & STSAFE_STATUS_CODE_MASK) == STSAFE_ST_OK)
            o->ok_codes |= 1u << (r->cmd[i][0] & STSAFE_HDR_CODE_MASK);
    }
}

/* Protected frames carry the sequence flag: mutated, they get the C-MAC
 * the chip expects (fuzz_command_sequence). */
static int protected_frame(const uint8_t *frame)
{
    return (frame[0] & STSAFE_HDR_CMAC) != 0;
}

/* The recording as one command sequence, and its subject's frames one by one. */
static void emit_commands(output *o, const recorder *r, const char *name, int frames_too)
{
    static uint8_t seq[SEQ_CAP];
    char seed[512];
    size_t len = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (fuzz_split_append(seq, sizeof seq, &len, r->cmd[i], r->cmd_len[i], protected_frame(r->cmd[i])) != 0)
            die("sequence too long", name);
        if (frames_too && i >= r->mark) {
            snprintf(seed, sizeof seed, "host-%s-%zu", name, i - r->mark);
            add_frame(o, seed, r->cmd[i], r->cmd_len[i]);
        }
    }
    snprintf(seed, sizeof seed, "seq-%s", name);
    write_seed(o, T_SEQUENCE, seed, seq, len);
}

/* The subject's answers as a fuzz_host_response input in \p mode. */
static void emit_answers(output *o, const recorder *r, size_t index, uint8_t mode, const char *name)
{
    static uint8_t in[SEQ_CAP * 2];
    char seed[512];
    size_t len = 2;
    in[0] = (uint8_t)index;
    in[1] = mode;
    int per_read = (mode & FUZZ_HOST_PER_READ) != 0;
    size_t from = per_read ? r->read_mark : r->mark, to = per_read ? r->nreads : r->n;
    for (size_t i = from; i < to; i++) {
        const uint8_t *b = per_read ? r->rd[i] : r->rsp[i];
        size_t n = per_read ? r->rd_len[i] : r->rsp_len[i];
        if (fuzz_split_append(in, sizeof in, &len, b, n, !per_read) != 0)
            die("answers too long", name);
        dict_add(&o->dicts[T_HOST], b, n < 5 ? n : 5);
    }
    snprintf(seed, sizeof seed, "host-%s", name);
    write_seed(o, T_HOST, seed, in, len);
}

/* What the chip needs before command \p index can succeed. */
static void setup_for(session *s, size_t index, uint8_t mode)
{
    stsafe_client *c = &s->host.client;
    static const uint8_t echo_encrypted[3] = {1, STSAFE_CMD_ECHO, STSAFE_CMD_ENC_CMD | STSAFE_CMD_ENC_RSP};
    stsafe_ecc_point pub;
    int verified;
    uint8_t tries;
    /* Before the host keys: once they are set the chip changes its command
     * table only with a C-MAC (docs/protocol.md, "Command access conditions"). */
    if (index == FUZZ_HOST_PROTECTED_ECHO)
        must(stsafe_client_put_attribute(c, STSAFE_TAG_COMMAND_ENCRYPTION, echo_encrypted,
                                         sizeof echo_encrypted), "encryption flags");
    if (index != FUZZ_HOST_PUT_HOST_KEYS || (mode & FUZZ_HOST_SESSION)) /* a session needs them */
        must(stsafe_client_put_host_keys(c, fuzz_host_mac_key, fuzz_host_cipher_key), "put host keys");
    if (index == FUZZ_HOST_ESTABLISH_KEY)
        must(stsafe_client_generate_key(c, 1, STSAFE_CURVE_P256, 0xFFFF, &pub), "generate key");
    if (index == FUZZ_HOST_VERIFY_PASSWORD || index == FUZZ_HOST_DELETE_PASSWORD)
        must(stsafe_client_put_password(c, fuzz_host_password, 3), "put password");
    if (index == FUZZ_HOST_DELETE_PASSWORD)
        must(stsafe_client_verify_password(c, fuzz_host_password, &verified, &tries), "verify password");
    if (index == FUZZ_HOST_WRAP || index == FUZZ_HOST_UNWRAP)
        must(stsafe_client_generate_envelope_key(c, 0, 0), "envelope key");
}

static const uint8_t host_modes[] = {
    0, FUZZ_HOST_PER_READ, FUZZ_HOST_SESSION, FUZZ_HOST_SESSION | FUZZ_HOST_MAC_ALL,
    FUZZ_HOST_SESSION | FUZZ_HOST_NO_RMAC,
};
static const char *const host_mode_names[] = {"plain", "per-read", "session", "session-mac-all",
                                              "session-no-rmac"};

/* One command in one mode: set up, record, emit. */
static void record_command(output *o, size_t index, size_t m, stsafe_emu_nvm *keep)
{
    char name[256];
    session *s = session_new(o->profile);
    setup_for(s, index, host_modes[m]);
    session_mark(s);
    int err = fuzz_host_open(&s->host, host_modes[m]);
    if (host_modes[m] & FUZZ_HOST_SESSION)
        must(err, "open session");
    err = fuzz_host_cmd_run(&s->host, index);
    printf("  %-18s %-16s -> %s\n", fuzz_host_cmd_name(index), host_mode_names[m], stsafe_strerror(err));
    snprintf(name, sizeof name, "%02zu-%s-%s", index, fuzz_host_cmd_name(index), host_mode_names[m]);
    note_ok_codes(o, &s->rec);
    emit_answers(o, &s->rec, index, host_modes[m], name);
    if (host_modes[m] == 0 || host_modes[m] == FUZZ_HOST_SESSION)
        emit_commands(o, &s->rec, name, host_modes[m] == 0);
    if (keep)
        memcpy(keep, &s->chip.chip.nvm, sizeof *keep);
    session_free(s);
}

/* A local envelope through the secure channel, wrapped then unwrapped: the
 * Unwrap of the table cannot succeed (it sends no real envelope). */
static void record_envelope_tour(output *o, stsafe_emu_nvm *keep)
{
    session *s = session_new(o->profile);
    stsafe_client *c = &s->host.client;
    uint8_t env[24], data[16];
    size_t env_len = 0, data_len = 0;
    static const uint8_t secret[16] = "envelope payload";
    must(stsafe_client_put_host_keys(c, fuzz_host_mac_key, fuzz_host_cipher_key), "put host keys");
    must(stsafe_client_generate_envelope_key(c, 1, 1), "envelope key");
    must(fuzz_host_open(&s->host, FUZZ_HOST_SESSION), "open session");
    must(stsafe_client_wrap(c, 1, secret, sizeof secret, env, &env_len), "wrap");
    must(stsafe_client_unwrap(c, 1, env, env_len, data, &data_len), "unwrap");
    if (data_len != sizeof secret || memcmp(data, secret, sizeof secret) != 0)
        die("unwrap did not give the wrapped data back", NULL);
    note_ok_codes(o, &s->rec);
    emit_commands(o, &s->rec, "tour-envelope", 0);
    memcpy(keep, &s->chip.chip.nvm, sizeof *keep);
    session_free(s);
}

static void record_host(output *o, stsafe_emu_nvm *after)
{
    printf("the client against the emulated chip:\n");
    for (size_t i = 0; i < FUZZ_HOST_CMD_COUNT; i++)
        for (size_t m = 0; m < sizeof host_modes; m++)
            record_command(o, i, m, i == FUZZ_HOST_DELETE_PASSWORD && m == 2 ? &after[0] : NULL);
    record_envelope_tour(o, &after[1]);
}

/* ---- images ------------------------------------------------------------------------ */

/* An image as the file holds it, and without its digest (the target appends one). */
static void add_image(output *o, const char *name, const stsafe_emu_nvm *nvm)
{
    static uint8_t img[STSAFE_EMU_IMAGE_MAX_SIZE];
    char seed[256];
    size_t len = 0;
    if (stsafe_emu_image_serialize(nvm, img, sizeof img, &len) != 0)
        die("cannot serialise", name);
    snprintf(seed, sizeof seed, "img-%s-file", name);
    write_seed(o, T_IMAGE, seed, img, len);
    snprintf(seed, sizeof seed, "img-%s-body", name);
    write_seed(o, T_IMAGE, seed, img, len - STSAFE_EMU_IMAGE_DIGEST_LEN);
    /* the magic, the version, and every section's tag and length */
    dict_add(&o->dicts[T_IMAGE], img, STSAFE_EMU_IMAGE_MAGIC_LEN + 2);
    for (size_t at = STSAFE_EMU_IMAGE_MAGIC_LEN + 2; at + 6 <= len - STSAFE_EMU_IMAGE_DIGEST_LEN;) {
        uint32_t body = stsafe_get_u32(img + at + 2);
        dict_add(&o->dicts[T_IMAGE], img + at, 6);
        at += 6 + (size_t)body;
    }
}

static void add_images(output *o, const stsafe_emu_nvm *after)
{
    add_image(o, "default", o->profile);
    add_image(o, "password-session", &after[0]);
    add_image(o, "envelope-session", &after[1]);
}

/* ---- dictionaries of protocol constants ---------------------------------------------- */

static void add_constants(output *o)
{
    static const uint8_t tags[] = {0x07, 0x08, 0x09, 0x0A, 0x11, 0x12, 0x13, 0x14, 0x17, 0x24, 0x29, 0x2A};
    static const uint8_t points[][3] = {{0x04, 0x00, 0x20}, {0x04, 0x00, 0x30}};
    static const uint8_t io_size[] = {0x03, 0x02, 0x01, 0xFB};   /* product data: 507 */
    for (uint8_t curve = 1; curve < STSAFE_CURVE_COUNT; curve++) {
        size_t len = 0;
        const uint8_t *id = stsafe_curve_id(curve, &len);
        for (int t = 0; t < T_COUNT; t++)
            dict_add(&o->dicts[t], id, len);
    }
    for (size_t i = 0; i < sizeof tags; i++) {
        const uint8_t query[2] = {STSAFE_CMD_QUERY, tags[i]}, put[2] = {STSAFE_CMD_PUT_ATTRIBUTE, tags[i]};
        dict_add(&o->dicts[T_FRAME], query, 2);
        dict_add(&o->dicts[T_FRAME], put, 2);
    }
    for (size_t i = 0; i < 2; i++) {
        dict_add(&o->dicts[T_FRAME], points[i], 3);
        dict_add(&o->dicts[T_HOST], points[i], 3);
        dict_add(&o->dicts[T_SEQUENCE], points[i], 3);
    }
    dict_add(&o->dicts[T_HOST], io_size, sizeof io_size);
}

/* ---- main ------------------------------------------------------------------------------- */

static void check_ok_codes(const output *o)
{
    int missing = 0;
    for (uint8_t code = 0; code < 32; code++) {
        if (stsafe_emu_exec_time_us(code) != 0 && !(o->ok_codes & (1u << code))) {
            fprintf(stderr, "no recorded frame of command 0x%02x (%s) was answered OK\n", code,
                    stsafe_cmd_name(code));
            missing = 1;
        }
    }
    if (missing)
        die("the seeds do not cover every command the emulator implements", NULL);
}

int main(int argc, char **argv)
{
    static output o;
    static stsafe_emu_nvm after[2];
    static fuzz_chip proto;
    if (argc != 3) {
        fprintf(stderr, "usage: %s VECTORS_FRAMES_DIR OUT_DIR\n", argv[0]);
        return 2;
    }
    snprintf(o.root, sizeof o.root, "%s", argv[2]);
    if (fuzz_chip_init(&proto) != 0)
        die("cannot make the default profile", NULL);
    o.profile = &proto.profile;
    o.frames = calloc(SEED_FRAMES_MAX, FRAME_MAX);
    o.frame_len = calloc(SEED_FRAMES_MAX, sizeof *o.frame_len);
    if (!o.frames || !o.frame_len)
        die("out of memory", NULL);
    char corpus[4096];
    make_dir(o.root);
    snprintf(corpus, sizeof corpus, "%s/corpus", o.root);
    make_dir(corpus);
    for (int t = 0; t < T_COUNT; t++)
        prepare_dir(&o, t);

    add_vectors(&o, argv[1]);
    record_host(&o, after);
    check_ok_codes(&o);
    add_images(&o, after);
    add_constants(&o);
    write_dict(&o, T_FRAME, "vectors/frames and the client's frames");
    write_dict(&o, T_SEQUENCE, "vectors/frames and the client's frames");
    write_dict(&o, T_HOST, "the emulated chip's answers");
    write_dict(&o, T_IMAGE, "the images of the corpus");
    for (int t = 0; t < T_COUNT; t++)
        printf("%s: %zu seeds, %zu dictionary entries\n", targets[t], o.files[t], o.dicts[t].count);
    stsafe_emu_chip_free(&proto.chip);
    free(o.frames);
    free(o.frame_len);
    return 0;
}
