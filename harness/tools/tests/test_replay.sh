#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Traces end to end: stsafe-cli --trace/--trace-append record, stsafe-emu
# replay checks (the golden trace of vectors/traces among them), with the
# exit codes and first-difference reports people will read.
set -u
EMU=$1
CLI=$2
VECTORS=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
source "$(dirname "$0")/check.sh"
golden=$VECTORS/traces/golden.trace
gimg=$VECTORS/traces/golden.img

cp "$gimg" "$dir/before.img"
check "golden trace replays" "$golden: 23 commands, 42 reads: 42 identical, 0 verified (signatures, keys), 0 random answers by status and length
skipped: 785 NACKed messages (busy), 0 to other addresses, 0 reads before the first command
exact: every answer compared byte for byte (the trace carries this image's seed) rc=0" \
    "$(run "$EMU" replay "$golden" --image "$gimg")"
check "replay leaves the image alone" "same" "$(cmp -s "$gimg" "$dir/before.img" && echo same)"
check "--quiet" " rc=0" "$(run "$EMU" replay "$golden" --image "$gimg" --quiet)"

# One byte of a Read answer changed: exit 1 and the first difference.
sed 's/^\(0.315000 S 0x20 R ACK 00 00 12 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee\) ff/\1 fe/' \
    "$golden" >"$dir/bad.trace"
line=$(grep -n 'ee fe e8 e7' "$dir/bad.trace" | cut -d: -f1)
check "a changed answer fails" " rc=1" "$(run "$EMU" replay "$dir/bad.trace" --image "$gimg")"
check "the first difference" "stsafe-emu: replay: $dir/bad.trace: differs from the emulator at line $line: the answer to Read (line $((line - 7))) differs (first difference at byte 18)
  recorded: 00 00 12 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee fe e8 e7
  emulator: 00 00 12 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff e8 e7" "$(cat "$dir/stderr")"

# Against another chip (another image): the first Query answer differs.
"$EMU" init "$dir/other.img" --serial 0a0b0c0d0e0f101112 >/dev/null
check "another chip fails" " rc=1" "$(run "$EMU" replay "$golden" --image "$dir/other.img")"
check "... at its serial" "line 21: the answer to Query (line 14)" "$(grep -o "line 21: the answer to Query (line 14)" "$dir/stderr")"

printf 'stsafe-trace 1\n0 S 0x20 W ACK 00 01 02 03 a7 29\n0 S 0x20 X ACK\n' >"$dir/syntax.trace"
check "a malformed trace" " rc=1" "$(run "$EMU" replay "$dir/syntax.trace" --image "$gimg")"
check "... names its line" "stsafe-emu: replay: $dir/syntax.trace:3: direction must be W or R" "$(cat "$dir/stderr")"
check "not a trace" "stsafe-emu: replay: $gimg:1: not a trace: line 1 must be 'stsafe-trace 1'" \
    "$("$EMU" replay "$gimg" --image "$gimg" 2>&1)"
check "missing trace file" " rc=1" "$(run "$EMU" replay "$dir/none.trace" --image "$gimg")"
check "missing image" " rc=1" "$(run "$EMU" replay "$golden" --image "$dir/none.img")"
check "no image given" " rc=2" "$(run "$EMU" replay "$golden")"
check "bad address" " rc=2" "$(run "$EMU" replay "$golden" --image "$gimg" --address 0x80)"
check "another address: nothing to replay" " rc=1" "$(run "$EMU" replay "$golden" --image "$gimg" --address 0x21)"

# Recording: the virtual clock makes an in-process run give the same trace.
cp "$gimg" "$dir/a.img"
cp "$gimg" "$dir/b.img"
"$CLI" --image "$dir/a.img" --timing datasheet --timing-spread 0 --trace "$dir/a.trace" random 8 >/dev/null
"$CLI" --image "$dir/b.img" --timing datasheet --timing-spread 0 --trace "$dir/b.trace" random 8 >/dev/null
check "same run, same trace shape" "$(sed 's/ R ACK .*//' "$dir/a.trace")" "$(sed 's/ R ACK .*//' "$dir/b.trace")"
ahash=$(sha256sum "$dir/a.img" | cut -c1-64)
check "trace of an echo" "stsafe-trace 1
# recorded by stsafe-cli
# chip-image-sha256: $ahash
0.000000 S 0x20 W ACK 00 01 02 03 a7 29  # command Echo (0x00)
0.000000 S 0x20 R ACK 00 00 05 01 02  # status OK (0x00), 8-byte frame
0.000000 S 0x20 R ACK 00 00 05 01 02 03 a7 29  # response OK (0x00)
010203 rc=0" "$(run "$CLI" --image "$dir/a.img" --trace - echo 010203)"

# A session of several runs on one trace, replayed from the first image.
cp "$gimg" "$dir/s.img"
rm -f "$dir/s.trace"
"$CLI" --image "$dir/s.img" --trace-append "$dir/s.trace" update --zone 2 beef >/dev/null
"$CLI" --image "$dir/s.img" --timing datasheet --timing-spread 0 --trace-append "$dir/s.trace" read --zone 2 --length 2 >/dev/null
"$CLI" --image "$dir/s.img" --trace-append "$dir/s.trace" keygen --slot 1 --curve p384 >/dev/null
check "appended session: one first line" "1" "$(grep -c '^stsafe-trace 1$' "$dir/s.trace")"
check "appended session: times go on" "0.005000" "$(grep 'R ACK' "$dir/s.trace" | tail -1 | cut -d' ' -f1)"
check "appended session replays" "$dir/s.trace: 3 commands, 5 reads: 5 identical, 0 verified (signatures, keys), 0 random answers by status and length
skipped: 5 NACKed messages (busy), 0 to other addresses, 0 reads before the first command rc=0" \
    "$(run "$EMU" replay "$dir/s.trace" --image "$gimg")"
echo "garbage" >"$dir/g.trace"
check "append to a non-trace" " rc=1" "$(run "$CLI" --image "$dir/s.img" --trace-append "$dir/g.trace" echo 00)"
check "... says why" "stsafe-cli: --trace-append: $dir/g.trace:1: not a trace: line 1 must be 'stsafe-trace 1'" "$(cat "$dir/stderr")"
check "unwritable trace" " rc=1" "$(run "$CLI" --image "$dir/s.img" --trace "$dir/no/such/dir/t" echo 00)"
check "trace to /dev/full" " rc=1" "$(run "$CLI" --image "$dir/s.img" --trace /dev/full echo 00)"

# The recorded device: stsafe-emu serve --from-trace plays the golden chip.
wait_socket() { for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.05; done; return 1; }
serve_trace() { # serve_trace NAME TRACE: starts a recorded device on $dir/NAME.sock
    "$EMU" serve --from-trace "$2" --listen "unix:$dir/$1.sock" 2>"$dir/$1.log" &
    pid=$!
    wait_socket "$dir/$1.sock"
}
serve_trace whole "$golden"
check "the golden session against the recorded device" "0" \
    "$("$VECTORS/traces/golden-session.sh" "$CLI" --bus "unix:$dir/whole.sock" 2>&1; echo $?)"
wait "$pid"
check "... the server stops when the script is done" "0" "$?"
check "... and says so" "stsafe-emu: serve: $golden: the host did the whole script (23 commands)" \
    "$(tail -1 "$dir/whole.log")"

serve_trace deviate "$golden"
check "a host that deviates" " rc=1" "$(run "$CLI" --bus "unix:$dir/deviate.sock" echo 0102030406)"
check "... is told why" "stsafe-cli: the server said: command 1 of the trace (line 5) is Echo, the host wrote Echo
  trace: 00 01 02 03 04 05 1a 14
  host: 00 01 02 03 04 06 28 8f" "$(grep -A2 'the server said' "$dir/stderr")"
wait "$pid"
check "... stops the server, exit 1" "1" "$?"
check "... which logs both commands" "stsafe-emu serve: device '$golden' failed: command 1 of the trace (line 5) is Echo, the host wrote Echo
  trace: 00 01 02 03 04 05 1a 14
  host: 00 01 02 03 04 06 28 8f; the server stops" "$(grep -A2 'failed:' "$dir/deviate.log")"

serve_trace early "$golden"
"$CLI" --bus "unix:$dir/early.sock" echo 0102030405 >/dev/null
kill -TERM "$pid"
wait "$pid"
check "a host that stops early: exit 1" "1" "$?"
check "... and why" "stsafe-emu: serve: $golden: stopped after command 1 of 23; the host did not finish the script" \
    "$(tail -1 "$dir/early.log")"

check "serve: --image and --from-trace" " rc=2" \
    "$(run "$EMU" serve --image "$gimg" --from-trace "$golden" --listen "unix:$dir/x.sock")"
check "serve: a malformed trace" " rc=1" \
    "$(run "$EMU" serve --from-trace "$dir/syntax.trace" --listen "unix:$dir/x.sock")"
check "... names its line" "stsafe-emu: serve: $dir/syntax.trace:3: direction must be W or R" "$(cat "$dir/stderr")"

# Recording on the server side: any client, any language.
cp "$gimg" "$dir/srv.img"
"$EMU" serve --image "$dir/srv.img" --listen "unix:$dir/rec.sock" --timing datasheet --clock nacks --timing-spread 0 \
    --trace "$dir/srv.trace" 2>"$dir/rec.log" &
pid=$!
wait_socket "$dir/rec.sock"
"$CLI" --bus "unix:$dir/rec.sock" --i2c-level echo 0102 >/dev/null
"$CLI" --bus "unix:$dir/rec.sock" --i2c-level power-cycle >/dev/null
"$CLI" --bus "unix:$dir/rec.sock" --i2c-level sign --slot 0 --digest "$(printf '%064d' 5)" >/dev/null
kill -TERM "$pid"
wait "$pid"
check "serve --trace: the server stops cleanly" "0" "$?"
check "serve --trace: what reached the chip" "stsafe-trace 1
# recorded by stsafe-emu serve
0.000000 S 0x20 W ACK 00 01 02 fc 06  # command Echo (0x00)
0.000000 S 0x20 R NACK  # no acknowledge" "$(head -5 "$dir/srv.trace" | grep -v '^# chip-image-sha256: [0-9a-f]\{64\}$')"
check "... and the image it started from" "1" "$(grep -c '^# chip-image-sha256: [0-9a-f]\{64\}$' "$dir/srv.trace")"
check "... but not its seed (no --trace-secrets)" "0" "$(grep -c 'chip-seed' "$dir/srv.trace")"
check "serve --trace: the power cycle is a comment" "# power cycle" "$(grep '^# power' "$dir/srv.trace")"
check "serve --trace: the server's trace replays" "$dir/srv.trace: 2 commands, 4 reads: 4 identical, 0 verified (signatures, keys), 0 random answers by status and length
skipped: 85 NACKed messages (busy), 0 to other addresses, 0 reads before the first command rc=0" \
    "$(run "$EMU" replay "$dir/srv.trace" --image "$gimg")"
# The same over COMMAND (one round trip a command): the server waited out the
# busy time, so the trace has the write and the two reads, no NACK.
cp "$gimg" "$dir/srv2.img"
"$EMU" serve --image "$dir/srv2.img" --listen "unix:$dir/rec2.sock" --timing datasheet \
    --timing-spread 0 --trace "$dir/srv2.trace" 2>"$dir/rec2.log" &
pid=$!
wait_socket "$dir/rec2.sock"
"$CLI" --bus "unix:$dir/rec2.sock" echo 0102 >/dev/null
"$CLI" --bus "unix:$dir/rec2.sock" sign --slot 0 --digest "$(printf '%064d' 5)" >/dev/null
kill -TERM "$pid"
wait "$pid"
check "serve --trace over COMMAND: no NACK, reads after the busy time" "0.000000 S 0x20 W ACK 00 01 02 fc 06  # command Echo (0x00)
0.005000 S 0x20 R ACK 00 00 04 01 02  # status OK (0x00), 7-byte frame
0.005000 S 0x20 R ACK 00 00 04 01 02 fc 06  # response OK (0x00)" "$(grep -v '^#' "$dir/srv2.trace" | sed -n 2,4p)"
check "serve --trace over COMMAND: replays" "$dir/srv2.trace: 2 commands, 4 reads: 4 identical, 0 verified (signatures, keys), 0 random answers by status and length
skipped: 0 NACKed messages (busy), 0 to other addresses, 0 reads before the first command rc=0" \
    "$(run "$EMU" replay "$dir/srv2.trace" --image "$gimg")"
check "serve --trace needs --image" " rc=2" \
    "$(run "$EMU" serve --from-trace "$golden" --trace "$dir/x.trace" --listen "unix:$dir/x.sock")"


# Issue 15 item 2: a chip with a seed, a session recorded with
# --trace-secrets (Generate Key, an envelope key, Wrap and Unwrap, Random),
# replayed byte for byte from the image it started from.
"$EMU" init "$dir/seeded.img" --seed 000102030405060708090a0b0c0d0e0f >/dev/null
cp "$dir/seeded.img" "$dir/seeded-before.img"
mac=000102030405060708090a0b0c0d0e0f
cipher=f0e0d0c0b0a090807060504030201000
rec() { "$CLI" --image "$dir/seeded.img" --trace-secrets --trace-append "$dir/exact.trace" "$@"; }
rec random 16 >/dev/null
rec keygen --slot 1 --curve p384 >/dev/null
rec envkey --slot 0 >/dev/null
rec hostkeys --mac "$mac" --cipher "$cipher" >/dev/null
env=$(rec --mac-key "$mac" --cipher-key "$cipher" wrap --slot 0 00112233445566778899aabbccddeeff)
check "exact session: unwrap" "00112233445566778899aabbccddeeff" \
      "$(rec --mac-key "$mac" --cipher-key "$cipher" unwrap --slot 0 "$env")"
rec random 32 >/dev/null
check "a trace with the seed is private" "600" "$(stat -c %a "$dir/exact.trace")"
check "it carries the seed once, in its header" "1" "$(grep -c '^# chip-seed: [0-9a-f]\{64\}$' "$dir/exact.trace")"
check "exact replay" "$dir/exact.trace: 11 commands, 20 reads: 20 identical, 0 verified (signatures, keys), 0 random answers by status and length
exact: every answer compared byte for byte (the trace carries this image's seed) rc=0" \
      "$(run "$EMU" replay "$dir/exact.trace" --image "$dir/seeded-before.img" | grep -v '^skipped')"
# One byte of the first Generate Random answer changed: structure alone would
# pass it; byte for byte it fails.
first_random=$(grep -n 'R ACK 00 00 12 .*# response' "$dir/exact.trace" | head -1 | cut -d: -f1)
crc() { # CRC-16/X-25 of the bytes given, as the frame carries it
    local c=0xFFFF b i
    for b in "$@"; do
        c=$(( c ^ 0x$b ))
        for i in 1 2 3 4 5 6 7 8; do
            if (( c & 1 )); then c=$(( (c >> 1) ^ 0x8408 )); else c=$(( c >> 1 )); fi
        done
    done
    c=$(( c ^ 0xFFFF ))
    printf '%02x %02x' $(( c >> 8 )) $(( c & 0xFF ))
}
# status 00, length 00 12, 16 random bytes (the first made 5a), a good CRC over status and data
read -r -a f <<<"$(sed -n "${first_random}p" "$dir/exact.trace" | sed 's/.* R ACK //; s/ *#.*//')"
f[3]=5a
good="${f[*]:0:19} $(crc "${f[0]}" "${f[@]:3:16}")"
sed "${first_random}s/R ACK [0-9a-f ]*#/R ACK $good  #/" "$dir/exact.trace" >"$dir/exact-bad.trace"
check "a changed random byte fails" " rc=1" "$(run "$EMU" replay "$dir/exact-bad.trace" --image "$dir/seeded-before.img")"
check "... at that answer" "yes" "$(grep -q "differs from the emulator at line $first_random: the answer to Generate Random" "$dir/stderr" && echo yes)"
# Without the seed line: today's structural comparison, and it says so.
grep -v '^# chip-seed' "$dir/exact.trace" >"$dir/redacted.trace"
check "a trace without the seed replays by structure" "$dir/redacted.trace: 11 commands, 20 reads: 20 identical, 0 verified (signatures, keys), 0 random answers by status and length" \
      "$(run "$EMU" replay "$dir/redacted.trace" --image "$dir/seeded-before.img" | grep -v '^skipped')"
check "... and says so" "stsafe-emu: replay: note: $dir/redacted.trace carries no chip seed (recorded without --trace-secrets, or not by stsafe-emu): answers that rest on the chip's random bytes are compared by structure, not byte for byte" \
      "$(cat "$dir/stderr")"
check "... where the changed byte passes" " rc=0" \
      "$(grep -v '^# chip-seed' "$dir/exact-bad.trace" >"$dir/redacted-bad.trace"; run "$EMU" replay "$dir/redacted-bad.trace" --image "$dir/seeded-before.img" --quiet)"
check "against another image: by structure, and why" "yes" \
      "$(run "$EMU" replay "$dir/exact.trace" --image "$dir/seeded.img" >/dev/null; grep -q 'was not recorded from this image' "$dir/stderr" && echo yes)"
finish
