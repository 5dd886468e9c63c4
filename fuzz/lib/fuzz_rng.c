/* SPDX-License-Identifier: BSD-3-Clause */
/* SplitMix64 (Steele, Lea, Flood 2014): one 64-bit state, one output word
 * per step. Good enough for keys nobody must trust. */
#include "fuzz_rng.h"

void fuzz_rng_seed(fuzz_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

static uint64_t next_word(fuzz_rng *rng)
{
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

int fuzz_rng_fn(void *p_rng, unsigned char *out, size_t len)
{
    fuzz_rng *rng = p_rng;
    while (len) {
        uint64_t w = next_word(rng);
        for (unsigned i = 0; i < 8 && len; i++, len--) {
            *out++ = (unsigned char)(w & 0xFFu);
            w >>= 8;
        }
    }
    return 0;
}
