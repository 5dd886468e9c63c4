#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# stsafe-emu trace export --pcapng (issue 15 item 4), read back by tshark:
# every message of the trace is one packet, in order, with its time, its
# address, its direction, its ACK/NACK (packet comment NACK) and its bytes.
# Usage: test_pcapng.sh STSAFE-EMU VECTORS_DIR
set -u
EMU=$1
VECTORS=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
source "$(dirname "$0")/check.sh"
if ! command -v tshark >/dev/null; then
    echo "test_pcapng: tshark is not installed (Debian package tshark; ci/lib.sh installs it)" >&2
    exit 1
fi

# time (6 digits) address direction ack data, one line per message
from_trace() {
    awk '/^[0-9]/ { sub(/ *#.*/, ""); d = ""; for (i = 6; i <= NF; i++) d = d $i;
                    printf "%.6f %s %s %s %s\n", $1, $3, $4, $5, d }' "$1"
}
from_pcapng() {
    tshark -r "$1" -T fields -E separator=/t -e frame.time_epoch -e i2c.addr -e i2c.flags \
           -e data.data -e frame.comment 2>/dev/null |
    awk -F'\t' '{ dir = ($3 ~ /1$/) ? "R" : "W"; ack = ($5 ~ /NACK/) ? "NACK" : "ACK";
                  printf "%.6f %s %s %s %s\n", $1, $2, dir, ack, substr($4, 3) }'
}

for t in golden.trace import-session.sigrok.expected.trace import-session.saleae.expected.trace; do
    trace=$VECTORS/traces/$t
    [ -f "$trace" ] || continue
    check "$t: export" " rc=0" "$(run "$EMU" trace export --pcapng "$dir/$t.pcapng" "$trace")"
    check "$t: the file is private" "600" "$(stat -c %a "$dir/$t.pcapng")"
    check "$t: tshark reads it as I2C" "i2c" \
          "$(tshark -r "$dir/$t.pcapng" -c 1 -T fields -e frame.protocols 2>/dev/null | cut -d: -f1)"
    from_trace "$trace" >"$dir/want"
    from_pcapng "$dir/$t.pcapng" >"$dir/got"
    check "$t: one packet per message" "$(wc -l <"$dir/want")" "$(wc -l <"$dir/got")"
    check "$t: times, addresses, directions, ACKs and bytes" "" "$(diff "$dir/want" "$dir/got")"
done
check "golden: 850 messages, 785 of them NACKed" "850 785" \
      "$(from_pcapng "$dir/golden.trace.pcapng" | wc -l) $(from_pcapng "$dir/golden.trace.pcapng" | grep -c ' NACK ')"

printf 'stsafe-trace 1\n0 S 0x20 X ACK\n' >"$dir/bad.trace"
check "a malformed trace" " rc=1" "$(run "$EMU" trace export --pcapng "$dir/bad.pcapng" "$dir/bad.trace")"
check "... names its line" "stsafe-emu: trace: $dir/bad.trace:2: not a valid trace line; '$dir/bad.pcapng' is incomplete" "$(cat "$dir/stderr")"
check "usage" " rc=2" "$(run "$EMU" trace export "$dir/bad.trace")"
finish
