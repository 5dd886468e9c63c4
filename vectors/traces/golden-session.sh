#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The session of vectors/traces/golden.trace: the stsafe-cli runs, each with
# the global options given (how to reach the chip, what to record).
# record-golden.sh records it against golden.img; the tests play it against
# the recorded device (stsafe-emu serve --from-trace). Exit 0 when every run
# ended as it did when the trace was recorded.
# Usage: golden-session.sh STSAFE_CLI [GLOBAL OPTION...]
set -euo pipefail
cli=$1
shift
d32=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
mac=000102030405060708090a0b0c0d0e0f
cipher=f0e0d0c0b0a090807060504030201000
peer=046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5

run() { "$cli" "$@" >/dev/null; }
sc=(--mac-key "$mac" --cipher-key "$cipher")

run "$@" echo 0102030405
run "$@" query product
run "$@" random 32
run "$@" read --zone 0 --length 64
run "$@" keygen --slot 1 --curve p256
run "$@" sign --slot 1 --digest "$d32"
run "$@" sign --slot 0 --digest "$d32"
run "$@" update --zone 1 --offset 0 00112233445566778899aabbccddeeff
run "$@" read --zone 1 --length 16
run "$@" decrement --zone 5 --amount 3
run "$@" ecdh --slot 1 --peer "$peer"
run "$@" envkey --slot 0
if run "$@" read --zone 2 --offset 590 --length 32 2>/dev/null; then
    echo "golden-session: a read past the end of zone 2 was not refused" >&2
    exit 1
fi
run "$@" hostkeys --mac "$mac" --cipher "$cipher"
run "$@" "${sc[@]}" read --zone 1 --length 8
run "$@" "${sc[@]}" sign --slot 1 --digest "$d32"
run "$@" "${sc[@]}" wrap --slot 0 000102030405060708090a0b0c0d0e0f
