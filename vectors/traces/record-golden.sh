#!/usr/bin/env bash
# Records vectors/traces/golden.trace: a session of stsafe-cli runs against a
# copy of golden.img, every message on one trace (--trace-append), with the
# datasheet timing so the host polls a busy chip as it would on a real bus.
# The image is not changed: replay starts from it.
# Usage: vectors/traces/record-golden.sh BUILD_DIR   (remake the trace by hand
# after a change that is meant to change the wire; review the diff.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: record-golden.sh BUILD_DIR}
cli="$build/harness/stsafe-cli"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/golden.img" "$work/chip.img"
trace="$work/golden.trace"
d32=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
mac=000102030405060708090a0b0c0d0e0f
cipher=f0e0d0c0b0a090807060504030201000
peer=04$(printf '%s' \
  6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296\
4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5)

run() { "$cli" --image "$work/chip.img" --timing datasheet --trace-append "$trace" "$@" >/dev/null; }

run echo 0102030405
run query product
run random 32
run read --zone 0 --length 64
run keygen --slot 1 --curve p256
run sign --slot 1 --digest "$d32"
run sign --slot 0 --digest "$d32"
run update --zone 1 --offset 0 00112233445566778899aabbccddeeff
run read --zone 1 --length 16
run decrement --zone 5 --amount 3
run ecdh --slot 1 --peer "$peer"
run envkey --slot 0
"$cli" --image "$work/chip.img" --timing datasheet --trace-append "$trace" \
    read --zone 2 --offset 590 --length 32 >/dev/null 2>&1 && exit 1  # refused: past the zone's end
run hostkeys --mac "$mac" --cipher "$cipher"
"$cli" --image "$work/chip.img" --timing datasheet --trace-append "$trace" \
    --mac-key "$mac" --cipher-key "$cipher" read --zone 1 --length 8 >/dev/null
"$cli" --image "$work/chip.img" --timing datasheet --trace-append "$trace" \
    --mac-key "$mac" --cipher-key "$cipher" sign --slot 1 --digest "$d32" >/dev/null
"$cli" --image "$work/chip.img" --timing datasheet --trace-append "$trace" \
    --mac-key "$mac" --cipher-key "$cipher" wrap --slot 0 000102030405060708090a0b0c0d0e0f >/dev/null
cp "$trace" "$here/golden.trace"
echo "wrote $here/golden.trace ($(grep -c '^[0-9]' "$here/golden.trace") messages)"
