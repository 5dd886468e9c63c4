/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * \file fuzz_check.h
 * \brief The invariants the fuzz targets assert (docs/fuzzing.md).
 *
 * Every predicate is pure and returns 1 when the invariant holds, so the
 * unit tests (fuzz/tests/test_fuzz_check.c) can show that each one fails
 * when it should. The targets wrap them in FUZZ_REQUIRE, which prints what
 * was violated and abort()s: libFuzzer then saves the input as a crash.
 */
#ifndef STSE_FUZZ_CHECK_H
#define STSE_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "stsafe/emulator/chip.h"
#include "stsafe/emulator/nvm.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Abort with a message naming the invariant when \p cond is false. */
#define FUZZ_REQUIRE(cond, what)                                                   \
    do {                                                                           \
        if (!(cond))                                                               \
            fuzz_fail((what), __FILE__, __LINE__);                                 \
    } while (0)

/** \brief What FUZZ_REQUIRE does on a violation: print "fuzz invariant violated: \p what", abort(). */
_Noreturn void fuzz_fail(const char *what, const char *file, int line);

/**
 * \brief 1 when the \p n bytes at \p a and \p b are equal.
 *
 * Every comparison of memory that holds private keys goes through this
 * function and not memcmp(): libFuzzer intercepts memcmp() and traces the
 * comparisons of instrumented code, and learns the bytes compared. It
 * would learn the chip's keys from the secret check and echo them back (a
 * false finding). This file is built without that instrumentation and
 * with -fno-builtin (fuzz/CMakeLists.txt).
 */
int fuzz_bytes_equal(const void *a, const void *b, size_t n);

/** Key slots 0..1 and the ephemeral slot. */
#define FUZZ_MAX_SECRETS ((size_t)2 * (STSAFE_EMU_MAX_KEY_SLOTS + 1u))
/** Length of the windows of a scalar searched for in a response. */
#define FUZZ_SECRET_WINDOW 16u

/** Private scalars a response must never contain. */
typedef struct {
    size_t count;
    size_t len[FUZZ_MAX_SECRETS];
    uint8_t value[FUZZ_MAX_SECRETS][STSAFE_EMU_MAX_SCALAR_LEN];
} fuzz_secrets;

/** \brief Forget every scalar. */
void fuzz_secrets_clear(fuzz_secrets *s);

/** \brief Add the scalars of the chip's present key slots and of its
 *         ephemeral slot (call before and after a command: a key made or
 *         consumed by the command counts too). Extra keys are ignored. */
void fuzz_secrets_add_chip(fuzz_secrets *s, const stsafe_emu_chip *chip);

/**
 * \brief 1 when \p hay contains \p secret, or any window of
 *        FUZZ_SECRET_WINDOW bytes of it (windows start every 8 bytes and
 *        at the end), big-endian or byte-reversed. Windows made of one
 *        repeated byte are not searched (they prove nothing).
 */
int fuzz_contains_secret(const uint8_t *hay, size_t hay_len, const uint8_t *secret, size_t len);

/** \brief 1 when \p buf contains any scalar of \p s (see fuzz_contains_secret). */
int fuzz_leaks_secret(const uint8_t *buf, size_t len, const fuzz_secrets *s);

/**
 * \brief 1 when \p after is byte for byte \p before, except that a
 *        well-formed protected command (header bit 7) may have advanced
 *        the C-MAC counter by one: the chip counts every command whose
 *        C-MAC it accepted, whatever the status (docs/protocol.md).
 * \param frame  The command frame (its CRC decides "well-formed").
 */
int fuzz_nvm_same(const stsafe_emu_nvm *before, const stsafe_emu_nvm *after, const uint8_t *frame,
                  size_t frame_len);

/**
 * \brief 1 when no command could have made \p after from \p before:
 *        the partition keeps its zones (count, type, size, place), a
 *        counter zone's counter never increases, and once host keys exist
 *        the C-MAC counter moves by 0 or +1.
 */
int fuzz_counters_ok(const stsafe_emu_nvm *before, const stsafe_emu_nvm *after);

/**
 * \brief 1 when \p rsp is a response frame the A110 could send: at most
 *        507 bytes, length field and CRC right, and no data after a
 *        status other than OK.
 */
int fuzz_response_ok(const uint8_t *rsp, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* STSE_FUZZ_CHECK_H */
