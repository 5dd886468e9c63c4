#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 15 item 1: a host that polls like ST's STSELib template (10 ms
# between polls, up to 100 polls: 1 s) survives datasheet timing over the
# socket and over the i2c-dev shim, because the server's virtual clock
# follows the host's real waits (docs/socket-protocol.md, "Timing"); on
# the NACK clock (1 ms per NACK, the only clock before) the same host gives
# up on a 110 ms Generate Key; and a host that gives up meets what silicon
# does: the command completes, writes are NACKed until it has.
# No timed assertions: success, and NACK counts (bounds on the host clock,
# exact on the NACK clock).
# Usage: test_polling.sh STSAFE-EMU STSAFE-CLI LIBSTSAFE-I2CDEV.SO
set -u
EMU=$1
CLI=$2
SHIM=$3
dir=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
source "$(dirname "$0")/../../tools/tests/check.sh"

n=78
while [ -e "/dev/i2c-$n" ]; do n=$((n + 1)); done
dev=/dev/i2c-$n
sock=$dir/chip.sock
asan=$(ldd "$CLI" 2>/dev/null | awk '/libasan\.so|libclang_rt\.asan/ {print $3}' | head -1)
preload=${asan:+$asan:}$SHIM
shim() { LD_PRELOAD=$preload STSAFE_I2CDEV_SERVER=unix:$sock "$@"; }

start() { # start ARGS...: serve a fresh chip with these timing arguments
    rm -f "$dir/chip.img" "$sock"
    "$EMU" init "$dir/chip.img" --seed 5eed >/dev/null
    "$EMU" serve --image "$dir/chip.img" --listen "unix:$sock" "$@" 2>"$dir/serve.log" &
    server=$!
    for _ in $(seq 200); do [ -S "$sock" ] && break; sleep 0.05; done
}
stop() {
    kill -TERM "$server"
    wait "$server"
    server=
}
nacks() { "$CLI" --bus "unix:$sock" stats | awk '/^nacks/ {print $2}'; }
dig=$(printf '%096x' 7)

# ---- datasheet timing, host clock (the default), spread on (the default)
for via in socket shim; do
    start --timing datasheet
    if [ $via = socket ]; then host=("$CLI" --poll 10,100 --i2c-level --bus "unix:$sock")
    else host=(shim "$CLI" --poll 10,100 --bus "i2c:$dev"); fi
    pub=$("${host[@]}" keygen --slot 1 --curve p384)
    check "$via, 10 ms x 100: Generate Key P-384 (110 ms)" "194 04" "${#pub} ${pub:0:2}"
    sig=$("${host[@]}" sign --slot 1 --digest "$dig")
    check "$via, 10 ms x 100: Generate Signature P-384" "192" "${#sig}"
    check "$via, 10 ms x 100: Verify Signature (150 ms)" "valid rc=0" \
          "$(run "${host[@]}" verify --curve p384 --pubkey "$pub" --digest "$dig" --signature "$sig")"
    secret=$("${host[@]}" ecdh --slot 1 --peer "$pub")
    check "$via, 10 ms x 100: Establish Key (170 ms)" "96" "${#secret}"
    # At least one NACK per command (each is busy far longer than one
    # request takes), and at most what 10 ms polls of the longest time
    # allow: (110+80+150+170) ms x 1.1 / 10 ms, plus the first poll of each.
    got=$(nacks)
    check "$via: NACK count within what 10 ms polls give" "yes" \
          "$([ "$got" -ge 4 ] && [ "$got" -le $((561 / 10 + 4 + 4)) ] && echo yes || echo "no: $got")"
    stop
done

# ---- the NACK clock (1 ms per NACK, no spread): the same host gives up
start --timing datasheet --clock nacks --timing-spread 0
check "NACK clock, 10 ms x 100: Generate Key gives up" " rc=1" \
      "$(run "$CLI" --poll 10,100 --i2c-level --bus "unix:$sock" keygen --slot 1 --curve p384)"
check "... busy past the budget" "stsafe-cli: keygen: device stayed busy past the retry budget" \
      "$(cat "$dir/stderr")"
check "... after 101 NACKs (101 ms of the 110)" "101" "$(nacks)"
# What silicon does: the command completes; the next write is NACKed until
# it has (9 more ms, 9 NACKs), then the Echo runs (5 ms, 5 NACKs).
check "the next command waits the first one out" "0102 rc=0" "$(run "$CLI" --i2c-level --bus "unix:$sock" echo 0102)"
check "... 9 write NACKs, then 5 for the Echo" "115" "$(nacks)"
stop
check "... and the key was generated (and saved)" "1" \
      "$("$EMU" info "$dir/chip.img" | grep -c 'slot 1: NIST P-384')"
finish
