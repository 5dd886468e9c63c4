/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_image_load: the input is an image file (docs/image-format.md),
 * parsed twice: as it is (magic, version, checksum), then with the SHA-256
 * of the input appended, so that mutated images pass the checksum and
 * reach the section parsers. Invariants: an error is one the parser
 * documents and leaves the NVM untouched; an image that parses
 * re-serialises to the same bytes and re-parses to the same NVM; and a
 * chip holding that NVM answers a fixed round of commands with the chip
 * invariants of fuzz_chip.h (not the secret check: a hostile image may put
 * its own key bytes in a zone). */
#include <stdlib.h>
#include <string.h>

#include "fuzz_chip.h"
#include "fuzz_target.h"
#include "stsafe/emulator/image.h"
#include "stsafe/protocol/error.h"
#include "stsafe/protocol/frame.h"
#include "stsafe/protocol/mbedtls_compat.h"
#include "stsafe/protocol/secure_channel.h"

#define NVM_FILL 0x5Au

typedef struct {
    fuzz_chip chip;
    stsafe_emu_nvm nvm;
    stsafe_emu_nvm again;
    uint8_t img[STSAFE_EMU_IMAGE_MAX_SIZE + STSAFE_EMU_IMAGE_DIGEST_LEN];
    uint8_t out[STSAFE_EMU_IMAGE_MAX_SIZE];
} image_ctx;

static image_ctx *shared_ctx(void)
{
    static image_ctx *x;
    if (!x) {
        x = malloc(sizeof *x);
        FUZZ_REQUIRE(x != NULL && fuzz_chip_init(&x->chip) == 0, "the default profile is made");
        x->chip.check_secrets = 0;
    }
    return x;
}

static void run(fuzz_chip *f, uint8_t code, const uint8_t *payload, size_t len)
{
    uint8_t frame[STSAFE_A110_MAX_FRAME_LEN];
    size_t n = 0;
    FUZZ_REQUIRE(stsafe_cmd_frame_encode(code, payload, len, sizeof frame, frame, sizeof frame, &n) == 0,
                 "the round's frames encode");
    (void)fuzz_chip_exec(f, frame, n);
}

/* Echo in the clear and protected (a bad C-MAC: the host key and counter
 * checks), every Query tag, a read, update and decrement of every zone, and
 * the key and password commands, on a chip holding the parsed NVM. */
static void command_round(image_ctx *x)
{
    static const uint8_t tags[] = {0x07, 0x08, 0x09, 0x0A, 0x11, 0x12, 0x14, 0x17, 0x24, 0x29, 0x2A};
    static const uint8_t sign0[35] = {0x00, 0x00, 0x20, 0xAF, 0x2B, 0xDB, 0xE1};
    static const uint8_t sign1[35] = {0x01, 0x00, 0x20, 0xAF, 0x2B, 0xDB, 0xE1};
    static const uint8_t password[16] = "stsafe-emu pwd!!";
    static const uint8_t random8[2] = {0x00, 0x08};
    fuzz_chip *f = &x->chip;

    fuzz_chip_load(f, &x->nvm);
    run(f, STSAFE_CMD_ECHO, tags, sizeof tags);
    run(f, STSAFE_CMD_ECHO | STSAFE_SC_HDR_FLAGS, tags, sizeof tags); /* C-MAC checks, counter */
    for (size_t i = 0; i < sizeof tags; i++)
        run(f, STSAFE_CMD_QUERY, &tags[i], 1);
    for (uint8_t z = 0; z < x->nvm.zone_count; z++) {
        const uint8_t read[6] = {0x00, z, 0x00, 0x00, 0x00, 0x08};
        const uint8_t update[5] = {0x00, z, 0x00, 0x00, 0x42};
        const uint8_t decrement[9] = {0x00, z, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x42};
        run(f, STSAFE_CMD_READ, read, sizeof read);
        run(f, STSAFE_CMD_UPDATE, update, sizeof update);
        run(f, STSAFE_CMD_DECREMENT, decrement, sizeof decrement);
    }
    run(f, STSAFE_CMD_GENERATE_RANDOM, random8, sizeof random8);
    run(f, STSAFE_CMD_GENERATE_SIGNATURE, sign0, sizeof sign0);
    run(f, STSAFE_CMD_GENERATE_SIGNATURE, sign1, sizeof sign1);
    run(f, STSAFE_CMD_VERIFY_PASSWORD, password, sizeof password);
}

static int nvm_untouched(const stsafe_emu_nvm *nvm)
{
    const uint8_t *p = (const uint8_t *)nvm;
    for (size_t i = 0; i < sizeof *nvm; i++)
        if (p[i] != NVM_FILL)
            return 0;
    return 1;
}

static void check_image(image_ctx *x, const uint8_t *img, size_t len)
{
    size_t n = 0;
    memset(&x->nvm, NVM_FILL, sizeof x->nvm);
    int err = stsafe_emu_image_parse(img, len, &x->nvm);
    FUZZ_REQUIRE(err == 0 || err == STSAFE_ERR_IMAGE_FORMAT || err == STSAFE_ERR_IMAGE_VERSION ||
                     err == STSAFE_ERR_IMAGE_CHECKSUM || err == STSAFE_ERR_IMAGE_FIELD,
                 "image_parse returns 0 or a documented error");
    if (err) {
        FUZZ_REQUIRE(nvm_untouched(&x->nvm), "a refused image leaves the NVM untouched");
        return;
    }
    FUZZ_REQUIRE(stsafe_emu_image_check(&x->nvm, NULL, 0) == 0,
                 "a loaded image passes every field check (issue 14)");
    FUZZ_REQUIRE(stsafe_emu_image_serialize(&x->nvm, x->out, sizeof x->out, &n) == 0,
                 "a parsed image serialises");
    /* a version 1 image is written out as the current version (its seed added) */
    int old = img[STSAFE_EMU_IMAGE_MAGIC_LEN + 1] == STSAFE_EMU_IMAGE_VERSION_1;
    FUZZ_REQUIRE(old || (n == len && fuzz_bytes_equal(x->out, img, len)),
                 "a parsed image re-serialises to its bytes");
    memset(&x->again, NVM_FILL, sizeof x->again);
    FUZZ_REQUIRE(stsafe_emu_image_parse(x->out, n, &x->again) == 0 &&
                     fuzz_bytes_equal(&x->again, &x->nvm, sizeof x->nvm),
                 "a re-serialised image parses to the same NVM");
    command_round(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    image_ctx *x = shared_ctx();
    if (size > STSAFE_EMU_IMAGE_MAX_SIZE)
        return 0;
    check_image(x, data, size);
    memcpy(x->img, data, size);
    FUZZ_REQUIRE(stsafe_mbedtls_sha256(data, size, x->img + size) == 0, "SHA-256");
    check_image(x, x->img, size + STSAFE_EMU_IMAGE_DIGEST_LEN);
    return 0;
}
