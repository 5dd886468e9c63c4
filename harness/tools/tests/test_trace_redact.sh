#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 14 finding 9: traces and --verbose logs keep no secret unless
# --trace-secrets (docs/trace-format.md, "Redaction"). Sections:
#   cli     stsafe-cli --trace of hostkeys, password set/verify/delete, wrap/unwrap:
#           no secret byte in the trace; all of them with --trace-secrets
#   serve   stsafe-emu serve --trace and --verbose: the same on the server's side
#   replay  stsafe-emu replay of redacted traces exits 0 and reports the redacted exchanges
#   device  serve --from-trace of a redacted trace takes the host's real secrets
#   shim    the i2c-dev shim's STSAFE_I2CDEV_TRACE, and STSAFE_I2CDEV_TRACE_SECRETS=1
# Usage: test_trace_redact.sh STSAFE-EMU STSAFE-CLI SECTION [LIBSTSAFE-I2CDEV.SO]
set -u
EMU=$1
CLI=$2
section=$3
SHIM=${4:-}
dir=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$dir"' EXIT
source "$(dirname "$0")/check.sh"
cd "$dir" || exit 1

# Secrets no other byte of a session looks like.
MAC=1111111111111111111111111111aa01
CIPHER=2222222222222222222222222222bb02
PW=3333333333333333333333333333cc03
WRONG=3333333333333333333333333333cc04
DATA=44444444444444444444444444dd0405
hexspaced() { echo "$1" | sed 's/../& /g; s/ $//'; } # "11 11 ... 01", as a trace writes it
# found TRACE: which of the secrets' hex the trace holds, in order
found() {
    local s out=
    for s in "$MAC" "$CIPHER" "$PW" "$WRONG" "$DATA"; do
        grep -q "$(hexspaced "$s")" "$1" && out="$out ${s: -4}"
    done
    echo "found:${out}"
}
# session OPTS...: hostkeys, a password set, a wrong and a right verify, an
# envelope key, wrap and unwrap, the password deleted (stsafe-cli OPTS ...)
session() {
    local env
    "$CLI" "$@" hostkeys --mac "$MAC" --cipher "$CIPHER" >/dev/null &&
    "$CLI" "$@" password set "$PW" >/dev/null &&
    { "$CLI" "$@" password verify "$WRONG"; [ $? -eq 1 ]; } >/dev/null && # a wrong try: exit 1
    "$CLI" "$@" password verify "$PW" >/dev/null &&
    "$CLI" "$@" envkey --slot 0 >/dev/null &&
    env=$("$CLI" "$@" --mac-key "$MAC" --cipher-key "$CIPHER" wrap --slot 0 "$DATA") &&
    [ "$("$CLI" "$@" --mac-key "$MAC" --cipher-key "$CIPHER" unwrap --slot 0 "$env")" == "$DATA" ] &&
    "$CLI" "$@" password delete "$PW" >/dev/null && echo "session ok"
}
wait_socket() { for _ in $(seq 200); do [ -S "$1" ] && return 0; sleep 0.05; done; return 1; }

"$EMU" init chip.img >/dev/null
cp chip.img fresh.img

case $section in
cli)
    check "a session recorded by stsafe-cli" "session ok" "$(session --image chip.img --trace-append r.trace)"
    check "... holds none of its secrets" "found:" "$(found r.trace)"
    check "... marks each redacted line" "8" "$(grep -c '# .*redacted [0-9]* bytes from byte' r.trace)"
    check "... host keys: the marker, structure kept" "W ACK 10 17 $(printf '00 %.0s' $(seq 32))f6 a8  # command Put Attribute (0x10), redacted 32 bytes from byte 2" \
          "$(grep -o 'W ACK 10 17 .*' r.trace)"
    check "... the password's tries byte stays" "W ACK 10 09 $(printf '00 %.0s' $(seq 16))03 b8 7c  # command Put Attribute (0x10), redacted 16 bytes from byte 2" \
          "$(grep -o 'W ACK 10 09 .*' r.trace)"
    check "... the envelope's plaintext, head and whole" "redacted 2 bytes from byte 3
redacted 16 bytes from byte 3" "$(grep -A2 'Unwrap Local Envelope' r.trace | grep -o 'redacted.*')"
    cp fresh.img chip.img
    check "with --trace-secrets" "session ok" "$(session --image chip.img --trace-secrets --trace-append s.trace)"
    check "... every secret is there" "found: aa01 bb02 cc03 cc04 0405" "$(found s.trace)"
    check "... and nothing is redacted" "0" "$(grep -c redacted s.trace)"
    ;;
serve)
    "$EMU" serve --image chip.img --listen "unix:$dir/s.sock" --trace srv.trace --verbose 2>serve.log &
    spid=$!
    wait_socket s.sock
    check "a session through serve --trace --verbose" "session ok" "$(session --bus "unix:$dir/s.sock")"
    kill -TERM "$spid"; wait "$spid"; spid=
    check "the server's trace holds none of its secrets" "found:" "$(found srv.trace)"
    check "... marks each redacted line" "8" "$(grep -c 'redacted [0-9]* bytes from byte' srv.trace)"
    check "the --verbose log holds none (its hex is unspaced; it shows 32 bytes a message)" "0" \
          "$(grep -c -e "$MAC" -e "$PW" -e "$WRONG" -e "$DATA" -e "${CIPHER:0:20}" serve.log)"
    check "... and says where it left them out" "yes" "$(grep -q 'command 201a0000.*(redacted)' serve.log && echo yes)"
    check "... an envelope's plaintext too" "yes" "$(grep -q 'ok 40001600000000.*(redacted)' serve.log && echo yes)"
    cp fresh.img chip.img
    "$EMU" serve --image chip.img --listen "unix:$dir/t.sock" --trace srv2.trace --trace-secrets 2>serve2.log &
    spid=$!
    wait_socket t.sock
    check "with --trace-secrets" "session ok" "$(session --bus "unix:$dir/t.sock")"
    kill -TERM "$spid"; wait "$spid"; spid=
    check "... every secret is there" "found: aa01 bb02 cc03 cc04 0405" "$(found srv2.trace)"
    ;;
replay)
    # three traces: host keys; a password (from the image with keys); an envelope
    "$CLI" --image chip.img --trace a.trace hostkeys --mac "$MAC" --cipher "$CIPHER" >/dev/null
    cp chip.img keys.img
    { "$CLI" --image chip.img --trace-append b.trace password set "$PW"
      "$CLI" --image chip.img --trace-append b.trace password verify "$WRONG" # exit 1
      "$CLI" --image chip.img --trace-append b.trace password verify "$PW" &&
      "$CLI" --image chip.img --trace-append b.trace password delete "$PW"; } >/dev/null
    cp keys.img chip.img
    "$CLI" --image chip.img envkey --slot 0 >/dev/null # before the recording: answers byte for byte
    cp chip.img envkey.img
    env=$("$CLI" --image chip.img --trace-append c.trace --mac-key "$MAC" --cipher-key "$CIPHER" wrap --slot 0 "$DATA")
    "$CLI" --image chip.img --trace-append c.trace --mac-key "$MAC" --cipher-key "$CIPHER" unwrap --slot 0 "$env" >/dev/null
    check "host keys replay" "a.trace: 1 commands, 1 reads: 1 identical, 0 verified (signatures, keys), 0 random answers by status and length
redacted: 1 exchanges carry redacted secrets: 1 commands sent with a substitute, 0 not sent, 0 answers compared outside their redacted bytes rc=0" \
          "$(run "$EMU" replay a.trace --image fresh.img | grep -v '^skipped')"
    check "a password set, a wrong and a right try, a delete: each answer as recorded" "b.trace: 5 commands, 8 reads: 8 identical, 0 verified (signatures, keys), 0 random answers by status and length
redacted: 4 exchanges carry redacted secrets: 4 commands sent with a substitute, 0 not sent, 0 answers compared outside their redacted bytes rc=0" \
          "$(run "$EMU" replay b.trace --image keys.img | grep -v '^skipped')"
    check "wrap and unwrap: the envelope by structure, the plaintext around its marker" "c.trace: 6 commands, 12 reads: 10 identical, 0 verified (signatures, keys), 2 random answers by status and length
redacted: 2 exchanges carry redacted secrets: 1 commands sent with a substitute, 0 not sent, 2 answers compared outside their redacted bytes rc=0" \
          "$(run "$EMU" replay c.trace --image envkey.img | grep -v '^skipped')"
    # the marker in the unwrapped answer changed to other bytes: the CRC (of the real data) catches it
    sed '/Unwrap/,/response OK/ s/\(R ACK 40 00 16\( [0-9a-f][0-9a-f]\)\{2\}\) 00 00/\1 00 01/' c.trace >c-bad.trace
    check "a changed plaintext (kept CRC) is a difference" " rc=1" "$(run "$EMU" replay c-bad.trace --image envkey.img --quiet)"
    check "... said so" "yes" "$(grep -q 'differs outside its redacted bytes' stderr && echo yes)"
    # the hostkeys trace then commands MACed with the real keys: replay says why it fails
    cp fresh.img chip.img
    { "$CLI" --image chip.img --trace-append ac.trace hostkeys --mac "$MAC" --cipher "$CIPHER" &&
      "$CLI" --image chip.img --trace-append ac.trace --mac-key "$MAC" --cipher-key "$CIPHER" random 8; } >/dev/null
    check "MACed commands after redacted host keys fail" " rc=1" "$(run "$EMU" replay ac.trace --image fresh.img --quiet)"
    check "... and the report names the substitutes" "yes" "$(grep -q '1 redacted commands before it were sent with substitutes, 0 left out; record with --trace-secrets for a full replay' stderr && echo yes)"
    ;;
device)
    "$CLI" --image chip.img --trace-append d.trace hostkeys --mac "$MAC" --cipher "$CIPHER" >/dev/null
    "$CLI" --image chip.img --trace-append d.trace password set "$PW" >/dev/null
    "$CLI" --image chip.img --trace-append d.trace password verify "$PW" >/dev/null
    check "a redacted trace" "found:" "$(found d.trace)"
    "$EMU" serve --from-trace d.trace --listen "unix:$dir/d.sock" 2>d.log &
    spid=$!
    wait_socket d.sock
    check "the recorded device takes the real secrets where the trace has the marker" "ok
ok
verified, 3 tries left" \
          "$("$CLI" --bus "unix:$dir/d.sock" hostkeys --mac "$MAC" --cipher "$CIPHER" &&
             "$CLI" --bus "unix:$dir/d.sock" password set "$PW" && "$CLI" --bus "unix:$dir/d.sock" password verify "$PW")"
    wait "$spid"
    check "... and the whole script was done" "0" "$?"
    spid=
    "$EMU" serve --from-trace d.trace --listen "unix:$dir/e.sock" 2>e.log &
    spid=$!
    wait_socket e.sock
    check "... but not another command" " rc=1" "$(run "$CLI" --bus "unix:$dir/e.sock" password set "$PW")"
    wait "$spid"; spid=
    ;;
shim)
    n=77
    while [ -e "/dev/i2c-$n" ]; do n=$((n + 1)); done
    asan=$(ldd "$CLI" 2>/dev/null | awk '/libasan\.so|libclang_rt\.asan/ {print $3}' | head -1)
    "$EMU" serve --image chip.img --listen "unix:$dir/s.sock" 2>serve.log &
    spid=$!
    wait_socket s.sock
    shimmed() { LD_PRELOAD=${asan:+$asan:}$SHIM STSAFE_I2CDEV_SERVER=unix:$dir/s.sock "$@"; }
    # (the variables before a function are in its commands' environment)
    STSAFE_I2CDEV_TRACE=$dir/shim.trace shimmed "$CLI" --bus "i2c:/dev/i2c-$n" password set "$PW" >/dev/null
    STSAFE_I2CDEV_TRACE=$dir/shim2.trace STSAFE_I2CDEV_TRACE_SECRETS=1 \
        shimmed "$CLI" --bus "i2c:/dev/i2c-$n" password verify "$PW" >/dev/null
    kill -TERM "$spid"; wait "$spid"; spid=
    check "the shim's trace holds no password" "found:
1" "$(found shim.trace; grep -c 'Put Attribute (0x10), redacted 16 bytes' shim.trace)"
    check "... with STSAFE_I2CDEV_TRACE_SECRETS=1 it does" "found: cc03" "$(found shim2.trace)"
    ;;
*)
    echo "unknown section $section"; exit 2 ;;
esac
finish
