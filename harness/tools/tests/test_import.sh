#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# End-to-end checks of `stsafe-emu import`: the samples of vectors/traces
# give their expected traces byte for byte (stdout, -o, stdin), and every
# bad command line (exit 2) and bad capture (exit 1) is refused with its
# message, leaving no output file behind.
set -u
EMU=$1
VEC=$2/traces
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
source "$(dirname "$0")/check.sh"

sig=$VEC/import-session.sigrok.txt
sal=$VEC/import-session.saleae.csv
"$EMU" import --from sigrok "$sig" --samplerate 2M >"$dir/sig.trace"
check "sigrok to stdout, rc" "0" "$?"
check "sigrok to stdout, byte for byte" "same" "$(cmp -s "$dir/sig.trace" "$VEC/import-session.sigrok.expected.trace" && echo same)"
check "sigrok -r in Hz, -o" " rc=0" "$(run "$EMU" import -r 2000000 --from sigrok -o "$dir/sig2.trace" "$sig")"
check "sigrok -o file" "same" "$(cmp -s "$dir/sig2.trace" "$VEC/import-session.sigrok.expected.trace" && echo same)"
check "saleae -o file" " rc=0" "$(run "$EMU" import --from saleae "$sal" -o "$dir/sal.trace")"
check "saleae byte for byte" "same" "$(cmp -s "$dir/sal.trace" "$VEC/import-session.saleae.expected.trace" && echo same)"
check "capture from stdin" "# imported from Saleae Logic 2 capture stdin rc=0" \
      "$(out=$("$EMU" import --from saleae - <"$sal"); rc=$?; echo "$(sed -n 2p <<<"$out") rc=$rc")"
check "sample rate as 2MHz" "0.004700 S 0x20 R ACK 00 00 04 01 02 fc 06  # response OK (0x00)" \
      "$("$EMU" import --from sigrok "$sig" -r 2MHz | sed -n 7p)"
check "no sample rate: a note, times 0" "# no sample rate given (stsafe-emu import --samplerate): times are 0
0.000000 S 0x20 W ACK 00 01 02 fc 06  # command Echo (0x00)" "$("$EMU" import --from sigrok "$sig" | sed -n 3,4p)"
check "import help" "0 1" "$("$EMU" import --help >"$dir/help"; echo "$? $(grep -c '^  import --from sigrok|saleae CAPTURE' "$dir/help")")"

# bad command lines: exit 2
check "no --from" " rc=2" "$(run "$EMU" import "$sig")"
check "no --from message" "stsafe-emu import: --from takes sigrok or saleae (see --help)" "$(cat "$dir/stderr")"
check "unknown --from" " rc=2" "$(run "$EMU" import --from pulseview "$sig")"
check "no capture" " rc=2" "$(run "$EMU" import --from sigrok)"
check "no capture message" "stsafe-emu import: missing CAPTURE (see --help)" "$(cat "$dir/stderr")"
check "two captures" " rc=2" "$(run "$EMU" import --from sigrok "$sig" "$sal")"
check "unknown option" " rc=2" "$(run "$EMU" import --from sigrok --fast "$sig")"
check "sample rate for saleae" " rc=2" "$(run "$EMU" import --from saleae -r 1M "$sal")"
check "sample rate for saleae message" \
      "stsafe-emu import: --samplerate is for sigrok captures (Saleae CSV has times in seconds)" "$(cat "$dir/stderr")"
for bad in 0 fast 2X -5 11G 20000000000 ''; do
    check "bad sample rate '$bad'" " rc=2" "$(run "$EMU" import --from sigrok -r "$bad" "$sig")"
done
check "sample rate message" "stsafe-emu import: --samplerate takes a rate in Hz (2000000, 2M, 2MHz), 1 Hz to 10 GHz" \
      "$(cat "$dir/stderr")"
check "highest sample rate" " rc=0" "$(run "$EMU" import --from sigrok -r 10G -o "$dir/fast.trace" "$sig")"
check "highest sample rate times" "0.000000 S 0x20 W ACK 00 01 02 fc 06  # command Echo (0x00)
0.000008 Sr 0x20 R ACK 00 00 05 01 02 03 a7 29  # response OK (0x00)" "$(sed -n '3p;$p' "$dir/fast.trace")"

# bad captures: exit 1, a message with the line, no output file
check "missing capture" " rc=1" "$(run "$EMU" import --from sigrok "$dir/none.txt" -o "$dir/x.trace")"
check "missing capture message" "stsafe-emu import: cannot read '$dir/none.txt': No such file or directory" "$(cat "$dir/stderr")"
{ sed -n 1,4p "$sig"; echo "2190-2350 i2c-1: Data write: 0"; } >"$dir/bad.txt"
check "malformed sigrok capture" " rc=1" "$(run "$EMU" import --from sigrok "$dir/bad.txt" -o "$dir/bad.trace")"
check "malformed sigrok message" "stsafe-emu import: $dir/bad.txt:5: not an annotation of sigrok's I2C decoder" "$(cat "$dir/stderr")"
check "no trace written for a bad capture" "absent" "$([ -e "$dir/bad.trace" ] || echo absent)"
check "saleae CSV read as sigrok" " rc=1" "$(run "$EMU" import --from sigrok "$sal")"
check "saleae CSV read as sigrok message" \
      "stsafe-emu import: $sal:1: not an annotation of sigrok's I2C decoder" "$(cat "$dir/stderr")"
check "sigrok text read as saleae" " rc=1" "$(run "$EMU" import --from saleae "$sig")"
check "sigrok text read as saleae message" "stsafe-emu import: $sig:1: not the CSV of a Logic 2 I2C analyser: a column other than name,type,start_time,duration,ack,address,read,data,error" "$(cat "$dir/stderr")"
check "unwritable output" " rc=1" "$(run "$EMU" import --from saleae "$sal" -o "$dir/no/such/dir.trace")"
check "unwritable output message" "stsafe-emu import: cannot write '$dir/no/such/dir.trace': No such file or directory" "$(cat "$dir/stderr")"
check "full disk" " rc=1" "$(run "$EMU" import --from saleae "$sal" -o /dev/full)"
: >"$dir/empty.txt"
check "empty sigrok capture: an empty trace" "stsafe-trace 1
# imported from sigrok-cli capture empty.txt rc=0" "$(run "$EMU" import --from sigrok "$dir/empty.txt")"

finish
