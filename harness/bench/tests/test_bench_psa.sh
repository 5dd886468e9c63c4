#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# stsafe-emu bench's PSA route figures (docs/benchmarks.md), in a build with
# harness/psa: P-256 sign through the PSA core and the chip against raw PSA
# sign, and TLS 1.3 handshakes with the chip key against a file key. Checks
# the JSON lines' form (ids, names, units, 9 rounds, the cost ratios, one chip
# signature per chip-key handshake) and that the run leaves nothing in its
# working folder (the PSA core's ITS files) nor in TMPDIR. No value is
# asserted: they depend on the machine.
EMU=$1
source "$(dirname "$0")/../../tools/tests/check.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/cwd" "$dir/tmp"

json=$(cd "$dir/cwd" && TMPDIR="$dir/tmp" "$EMU" bench --json --seconds 0.1 2>"$dir/stderr"); rc=$?
check "bench --json runs" "rc=0" "rc=$rc"
[ $rc -eq 0 ] || cat "$dir/stderr"
n='[1-9][0-9]*' x='[0-9]+\.[0-9]+'
rounds='"rounds": 9, "cost_ratio_median": '$x', "cost_ratio_min": '$x', "cost_ratio_max": '$x
check "raw PSA sign" "1" \
      "$(grep -cE '^    "p256_sign_psa_raw": \{"name": "P-256 sign, raw PSA", "value": '$n', "unit": "ops/s"\},$' <<<"$json")"
check "PSA sign on the chip: ratio, target, 9 rounds" "1" \
      "$(grep -cE '^    "p256_sign_psa_chip": \{"name": "P-256 sign, PSA route to the chip", "value": '$n', "unit": "ops/s", "ratio_to_raw": '$x', "target_met": (true|false), '"$rounds"'\},$' <<<"$json")"
check "TLS 1.3 handshakes, file key" "1" \
      "$(grep -cE '^    "tls13_handshake_file_key": \{"name": "TLS 1.3 handshakes, file key", "value": '$n', "unit": "ops/s"\},$' <<<"$json")"
# no target: the issue asks for the ratio only; one Generate Signature each
check "TLS 1.3 handshakes, chip key: ratio, 1 chip signature each, 9 rounds" "1" \
      "$(grep -cE '^    "tls13_handshake_chip_key": \{"name": "TLS 1.3 handshakes, chip key", "value": '$n', "unit": "ops/s", "ratio_to_raw": '$x', "chip_signatures_per_handshake": 1, '"$rounds"'\},$' <<<"$json")"
# the PSA figures come after the trace replay, before the restores
check "order" "trace_replay p256_sign_psa_raw p256_sign_psa_chip tls13_handshake_file_key tls13_handshake_chip_key restore_inproc" \
      "$(grep -oE '^    "(trace_replay|p256_sign_psa_[a-z]+|tls13_[a-z_]+|restore_inproc)"' <<<"$json" | tr -d ' "' | tr '\n' ' ' | sed 's/ $//')"
check "no file left in the working folder" "" "$(ls -A "$dir/cwd")"
check "no file left in TMPDIR" "" "$(ls -A "$dir/tmp")"
finish
