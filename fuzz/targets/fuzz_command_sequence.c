/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_command_sequence: the input is a list of records (fuzz_split.h: a
 * 2-byte head, flag and length, then the bytes), each a command frame, run
 * in order on one chip made fresh from the default profile, so that state
 * accumulates: host keys, passwords, keys, life cycle, counters. A record
 * with the flag set first gets the C-MAC the chip expects now (when it has
 * a C-MAC and the chip host keys); then every frame's last two bytes are
 * replaced by its CRC (frames under 3 bytes go as they are). An empty
 * record power-cycles the chip. At most MAX_FRAMES frames are run. Every
 * command asserts the chip's invariants. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_chip.h"
#include "fuzz_split.h"
#include "fuzz_target.h"

#define MAX_FRAMES 64u
/** Frames are cut at this length (the chip answers anything over 507 alike). */
#define MAX_FRAME  600u

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
    uint8_t frame[MAX_FRAME];
    fuzz_chip *f = shared_chip();
    fuzz_split split;
    const uint8_t *rec;
    size_t len;
    int fix_mac = 0;

    fuzz_chip_fresh(f);
    fuzz_split_init(&split, data, size);
    for (unsigned n = 0; n < MAX_FRAMES && fuzz_split_next(&split, &rec, &len, &fix_mac); n++) {
        if (len == 0) {
            stsafe_emu_chip_power_cycle(&f->chip);
            continue;
        }
        if (len > sizeof frame)
            len = sizeof frame;
        memcpy(frame, rec, len);
        if (fix_mac)
            fuzz_frame_fix_cmac(&f->chip, frame, len);
        fuzz_frame_fix_crc(frame, len);
        fuzz_chip_exec(f, frame, len);
    }
    return 0;
}
