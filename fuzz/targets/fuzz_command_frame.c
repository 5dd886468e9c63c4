/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_command_frame: the input is one command frame, executed on a fresh
 * default-profile chip (docs/fuzzing.md). When its CRC is wrong, the same
 * frame with the CRC made right is then executed on another fresh chip, so
 * that mutated frames reach the command handlers and not only the CRC
 * check. Every execution asserts the chip's invariants (fuzz_chip.h). */
#include <stdlib.h>
#include <string.h>

#include "fuzz_chip.h"
#include "fuzz_target.h"

/** Longer inputs only repeat the "frame too long" answer. */
#define FRAME_INPUT_MAX 1024u

/* libFuzzer gives the entry point no context: the chip lives here. */
static fuzz_chip *shared_chip(void)
{
    static fuzz_chip *f;
    if (!f) {
        f = malloc(sizeof *f);
        FUZZ_REQUIRE(f != NULL && fuzz_chip_init(f) == 0, "the default profile is made");
    }
    return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t frame[FRAME_INPUT_MAX];
    fuzz_chip *f = shared_chip();
    if (size > FRAME_INPUT_MAX)
        return 0;
    fuzz_chip_fresh(f);
    fuzz_chip_exec(f, data, size);
    if (size >= 3 && !fuzz_frame_crc_ok(data, size)) {
        memcpy(frame, data, size);
        fuzz_frame_fix_crc(frame, size);
        fuzz_chip_fresh(f);
        fuzz_chip_exec(f, frame, size);
    }
    return 0;
}
