/* SPDX-License-Identifier: BSD-3-Clause */
#include "stsafe/emulator/nvm.h"

#include <string.h>

#include <mbedtls/md.h>

#include "stsafe/protocol/error.h"

void stsafe_emu_nvm_init(stsafe_emu_nvm *nvm)
{
    memset(nvm, 0, sizeof *nvm);
    nvm->life_cycle = STSAFE_EMU_LC_BORN;
}

static size_t arena_used(const stsafe_emu_nvm *nvm)
{
    if (nvm->zone_count == 0)
        return 0;
    const stsafe_emu_zone *last = &nvm->zones[nvm->zone_count - 1];
    return (size_t)last->offset + last->size;
}

int stsafe_emu_nvm_add_zone(stsafe_emu_nvm *nvm, uint8_t type, uint8_t access, uint16_t size,
                          uint32_t counter)
{
    size_t at = arena_used(nvm);
    if (nvm->zone_count >= STSAFE_EMU_MAX_ZONES || size > STSAFE_EMU_ZONE_ARENA_SIZE - at)
        return STSAFE_ERR_BAD_INPUT;
    stsafe_emu_zone *z = &nvm->zones[nvm->zone_count++];
    z->type = type;
    z->access = access;
    z->size = size;
    z->offset = (uint16_t)at;
    z->counter = counter;
    return 0;
}

uint8_t *stsafe_emu_nvm_zone_data(stsafe_emu_nvm *nvm, uint8_t index)
{
    return index < nvm->zone_count ? nvm->zone_arena + nvm->zones[index].offset : NULL;
}

int stsafe_emu_nvm_set_seed(stsafe_emu_nvm *nvm, const uint8_t *seed, size_t len)
{
    if (!nvm || !seed || len == 0 || len > 64)
        return STSAFE_ERR_BAD_INPUT;
    if (len == STSAFE_EMU_SEED_LEN) {
        memcpy(nvm->entropy.seed, seed, len);
    } else if (mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), seed, len,
                          nvm->entropy.seed) != 0) {
        return STSAFE_ERR_CRYPTO;
    }
    nvm->entropy.seeded = 1;
    nvm->entropy.draws = 0;
    return 0;
}
