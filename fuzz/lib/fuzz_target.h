/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file fuzz_target.h
 * \brief The libFuzzer entry point every target defines. With
 *        STSE_EMU_FUZZ=ON libFuzzer calls it; in the normal build
 *        fuzz/replay_main.c does, once per corpus file.
 */
#ifndef STSE_FUZZ_TARGET_H
#define STSE_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** \brief Run one input; always 0 (an invariant violation abort()s). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* STSE_FUZZ_TARGET_H */
