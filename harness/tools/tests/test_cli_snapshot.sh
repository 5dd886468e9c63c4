#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 15 item 3, end to end: `stsafe-cli --bus ADDR snapshot save FILE`
# writes the served chip's whole state to a 0600 file (whatever the umask),
# `snapshot restore FILE` brings it back and the chip reruns Generate Key,
# Generate Random and Generate Signature byte for byte; a damaged snapshot
# is refused (exit 1, the server's reason) and changes nothing; the same on
# an --image chip. Usage: test_cli_snapshot.sh STSAFE-EMU STSAFE-CLI
set -u
EMU=$1
CLI=$2
dir=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$dir"' EXIT
source "$(dirname "$0")/check.sh"

img=$dir/chip.img
"$EMU" init "$img" --seed 5eed5eed >/dev/null 2>&1 || { echo "init failed"; exit 1; }
addr=unix:$dir/chip.sock
"$EMU" serve --image "$img" --listen "$addr" 2>"$dir/serve.log" &
spid=$!
for _ in $(seq 400); do grep -q 'listening on' "$dir/serve.log" && break; sleep 0.05; done

digest=$(printf '5d%.0s' $(seq 32))
rerun() { # the bytes that depend on the chip's random source, one line
    local k r s
    k=$("$CLI" "$@" keygen --slot 1 --curve p256) || return 1
    r=$("$CLI" "$@" random 32) || return 1
    s=$("$CLI" "$@" sign --slot 1 --digest "$digest") || return 1
    echo "$k $r $s"
}

# over --bus: save under a wide umask, the file is 0600 anyway
check "save" "snapshot saved: " "$( (umask 000; run "$CLI" --bus "$addr" snapshot save "$dir/a.snap") | cut -c1-16)"
check "mode 0600" "600" "$(stat -c %a "$dir/a.snap")"
check "snapshot magic" "STSESNAP" "$(head -c 8 "$dir/a.snap")"
first=$(rerun --bus "$addr")
check "session over --bus runs" "0" "$?"
second=$(rerun --bus "$addr")
check "without a restore the chip draws new bytes" "differ" "$([ "$first" != "$second" ] && echo differ)"
check "restore" "restored from $dir/a.snap ($(stat -c %s "$dir/a.snap") bytes) rc=0" \
      "$(run "$CLI" --bus "$addr" snapshot restore "$dir/a.snap")"
again=$(rerun --bus "$addr")
check "rerun after restore runs" "0" "$?"
check "rerun after restore: same bytes" "$first" "$again"

# a damaged snapshot: refused, the chip's whole state unchanged
"$CLI" --bus "$addr" snapshot save "$dir/before.snap" >/dev/null
cp "$dir/a.snap" "$dir/bad.snap"
byte=$(od -An -tu1 -j4000 -N1 "$dir/a.snap" | tr -d ' ')
# shellcheck disable=SC2059 # the format is the flipped byte, in octal
printf "\\$(printf %o $((byte ^ 1)))" | dd of="$dir/bad.snap" bs=1 seek=4000 conv=notrunc 2>/dev/null
check "damaged: one bit differs" "1" "$(cmp -l "$dir/a.snap" "$dir/bad.snap" | wc -l)"
check "damaged: refused" " rc=1" "$(run "$CLI" --bus "$addr" snapshot restore "$dir/bad.snap")"
check "damaged: why" "stsafe-cli: snapshot restore: '$dir/bad.snap' was not restored; the chip is unchanged
stsafe-cli: the server said: the snapshot was refused: image checksum mismatch (file corrupted); nothing changed" \
      "$(cat "$dir/stderr")"
"$CLI" --bus "$addr" snapshot save "$dir/after.snap" >/dev/null
check "damaged: nothing changed" "same" "$(cmp -s "$dir/before.snap" "$dir/after.snap" && echo same)"
check "missing file" " rc=1" "$(run "$CLI" --bus "$addr" snapshot restore "$dir/none.snap")"
check "usage" " rc=2" "$(run "$CLI" --bus "$addr" snapshot load "$dir/a.snap")"
check "usage: message" "stsafe-cli: usage: snapshot save FILE | snapshot restore FILE" "$(cat "$dir/stderr")"
kill -TERM "$spid"
wait "$spid"
spid=

# on an --image chip: the same round trip, the image saved by stsafe-cli
check "image: save" " rc=0" "$(run "$CLI" --image "$img" snapshot save "$dir/i.snap" | sed 's/.*\( rc=\)/\1/')"
check "image: mode 0600" "600" "$(stat -c %a "$dir/i.snap")"
ifirst=$(rerun --image "$img")
check "session on the image runs" "0" "$?"
check "image: restore" " rc=0" "$(run "$CLI" --image "$img" snapshot restore "$dir/i.snap" | sed 's/.*\( rc=\)/\1/')"
check "image: rerun after restore" "$ifirst" "$(rerun --image "$img")"
cp "$img" "$dir/img.before"
check "image: damaged refused" " rc=1" "$(run "$CLI" --image "$img" snapshot restore "$dir/bad.snap")"
check "image: damaged why" "stsafe-cli: snapshot restore: '$dir/bad.snap' is not a snapshot this build can restore: image checksum mismatch (file corrupted); the chip is unchanged" "$(cat "$dir/stderr")"
check "image: unchanged" "same" "$(cmp -s "$dir/img.before" "$img" && echo same)"
finish
