/* SPDX-License-Identifier: BSD-3-Clause */
/* How long the chip stays busy after a command: the timing profiles and the
 * per-chip spread (docs/protocol.md, section 1, "Timing profiles").
 *
 * minimum:  the A110 "minimum delay" waits of ST's X-CUBE-SAFEA1 V3.3.1 host
 *           library (stsafea110.h). It gives one Generate Signature wait for
 *           both curves; the 140 ms P-384 signature found in the A100 and
 *           early A110 headers is not used.
 * observed: the waits that ST's later A110 integration (x-cube-iota1,
 *           stsafea110.h) defines for the slow commands; the rest as minimum.
 * The sources give no time that depends on the curve: both columns are the
 * same, kept apart so a curve-dependent figure has its place. */
#include "internal.h"

#include <string.h>

#include <mbedtls/md.h>

#include "stsafe/protocol/commands.h"
#include "stsafe/protocol/curves.h"

/* Milliseconds per command code: [0] 256-bit curves (and commands with no
 * curve), [1] 384-bit curves. */
static const uint16_t minimum_ms[32][2] = {
    [STSAFE_CMD_ECHO] = {5, 5},
    [STSAFE_CMD_RESET] = {30, 30},
    [STSAFE_CMD_GENERATE_RANDOM] = {15, 15},
    [STSAFE_CMD_DECREMENT] = {15, 15},
    [STSAFE_CMD_READ] = {5, 5},
    [STSAFE_CMD_UPDATE] = {10, 10},
    [STSAFE_CMD_QUERY] = {5, 5},
    [STSAFE_CMD_WRAP_LOCAL_ENVELOPE] = {40, 40},
    [STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE] = {45, 45},
    [STSAFE_CMD_GENERATE_KEY] = {110, 110},
    [STSAFE_CMD_GENERATE_SIGNATURE] = {80, 80},
    [STSAFE_CMD_VERIFY_SIGNATURE] = {150, 150},
    [STSAFE_CMD_ESTABLISH_KEY] = {170, 170},
    [STSAFE_CMD_DELETE] = {15, 15},
    [STSAFE_CMD_HIBERNATE] = {50, 50},
    [STSAFE_CMD_PUT_ATTRIBUTE] = {15, 15},
    [STSAFE_CMD_VERIFY_PASSWORD] = {15, 15},
};

/* The commands whose observed wait differs from the minimum. */
static const uint16_t observed_ms[32][2] = {
    [STSAFE_CMD_WRAP_LOCAL_ENVELOPE] = {650, 650},
    [STSAFE_CMD_UNWRAP_LOCAL_ENVELOPE] = {975, 975},
    [STSAFE_CMD_GENERATE_KEY] = {990, 990},
    [STSAFE_CMD_GENERATE_SIGNATURE] = {160, 160},
    [STSAFE_CMD_VERIFY_SIGNATURE] = {500, 500},
    [STSAFE_CMD_ESTABLISH_KEY] = {340, 340},
};

static const char *const profile_names[] = {"minimum", "observed"};

int stsafe_emu_timing_profile_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof profile_names / sizeof profile_names[0]; i++)
        if (!strcmp(name, profile_names[i]))
            return (int)i;
    return -1;
}

const char *stsafe_emu_timing_profile_name(stsafe_emu_timing_profile profile)
{
    return (unsigned)profile < sizeof profile_names / sizeof profile_names[0] ? profile_names[profile]
                                                                              : "unknown";
}

uint32_t stsafe_emu_profile_time_us(stsafe_emu_timing_profile profile, uint8_t cmd_code, uint8_t curve)
{
    unsigned code = cmd_code & STSAFE_HDR_CODE_MASK;
    unsigned col = stsafe_curve_size(curve) > 32 ? 1 : 0;
    if (!stsafe_emu_find_cmd((uint8_t)code))
        return 0;
    uint16_t ms = profile == STSAFE_EMU_PROFILE_OBSERVED ? observed_ms[code][col] : 0;
    return (ms ? ms : minimum_ms[code][col]) * 1000u;
}

uint32_t stsafe_emu_exec_time_us(uint8_t cmd_code)
{
    return stsafe_emu_profile_time_us(STSAFE_EMU_PROFILE_MINIMUM, cmd_code, STSAFE_CURVE_NONE);
}

/* The chip's own deviation for a command, in per mille of the profile time:
 * one byte of SHA-256("stsafe-emu timing spread" || seed) per command code,
 * mapped onto -10*pct..+10*pct. Fixed for the chip's life, like a part's. */
int stsafe_emu_timing_spread_permille(const stsafe_emu_chip *chip, uint8_t cmd_code)
{
    static const char label[] = "stsafe-emu timing spread";
    uint8_t in[sizeof label - 1 + STSAFE_EMU_SEED_LEN], h[32];
    int range = 10 * (int)chip->timing_spread_pct;
    if (!chip->nvm.entropy.seeded || range == 0)
        return 0;
    memcpy(in, label, sizeof label - 1);
    memcpy(in + sizeof label - 1, chip->nvm.entropy.seed, STSAFE_EMU_SEED_LEN);
    if (mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), in, sizeof in, h) != 0)
        return 0;
    return (int)h[cmd_code & STSAFE_HDR_CODE_MASK] * (2 * range + 1) / 256 - range;
}

uint32_t stsafe_emu_busy_time_us(const stsafe_emu_chip *chip, uint8_t cmd_code, uint8_t curve)
{
    uint64_t t = stsafe_emu_profile_time_us(chip->timing_profile, cmd_code, curve);
    int permille = stsafe_emu_timing_spread_permille(chip, cmd_code);
    return (uint32_t)(t * (uint64_t)(1000 + permille) / 1000u);
}
