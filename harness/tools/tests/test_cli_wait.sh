#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 14, finding 7, end to end: `stsafe-emu serve --idle-timeout` drops a
# silent client and serves the one waiting behind it; `stsafe-cli --bus`
# says "waiting: another client holds chip N" when the server has not taken
# it after 1 s, and gives up after --wait S. The silent client is a bash
# /dev/tcp connection. No time is measured: the assertions are the
# messages, the exit codes and the server's log; ctest's TIMEOUT bounds it.
# Usage: test_cli_wait.sh STSAFE-EMU STSAFE-CLI
set -u
EMU=$1
CLI=$2
dir=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$dir"' EXIT
source "$(dirname "$0")/check.sh"

img=$dir/chip.img
"$EMU" init "$img" >/dev/null 2>&1 || { echo "init failed"; exit 1; }

serve() { # serve ARGS...: a server on a free loopback port; sets $spid and $addr
    "$EMU" serve --image "$img" --listen tcp:127.0.0.1:0 "$@" 2>"$dir/serve.log" &
    spid=$!
    for _ in $(seq 400); do grep -q 'listening on' "$dir/serve.log" && break; sleep 0.05; done
    addr=$(sed -n 's/^stsafe-emu serve: listening on \(tcp:127\.0\.0\.1:[0-9]*\) .*/\1/p' "$dir/serve.log")
    port=${addr##*:}
}

stop() {
    kill -TERM "$spid"
    wait "$spid"
    spid=
}

# 1. No idle timeout: a silent client holds the chip; the next one is told
#    after 1 s and gives up after --wait 3 (exit 1, saying why).
serve --idle-timeout 0
exec 3<>"/dev/tcp/127.0.0.1/$port"
check "held chip: gives up" " rc=1" "$(run "$CLI" --bus "$addr" --wait 3 echo 01)"
check "held chip: waiting message" \
      "stsafe-cli: waiting: another client holds chip 0 of $addr (giving up after 3 s, --wait)
stsafe-cli: gave up after 3 s: another client still holds chip 0 of $addr" "$(cat "$dir/stderr")"
exec 3>&-
check "served once the holder left" "01 rc=0" "$(run "$CLI" --bus "$addr" echo 01)"
stop

# 2. --idle-timeout 1: the silent client (it said HELLO, then nothing) is
#    dropped with its reason logged, and the waiting one is served.
serve --idle-timeout 1
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf '\x00\x00\x00\x06\x01STSE\x02' >&3
check "idle holder dropped, waiting client served" "0a0b rc=0" "$(run "$CLI" --bus "$addr" --wait 60 echo 0a0b)"
check "idle drop logged" "1" \
      "$(grep -c '^stsafe-emu serve: client 1 dropped: idle for 1000 ms without a request (--idle-timeout)$' "$dir/serve.log")"
exec 3>&-

# 3. The same without HELLO: dropped by the hello timeout (1 s here, the
#    idle timeout being shorter than the default 5 s).
exec 3<>"/dev/tcp/127.0.0.1/$port"
check "silent holder dropped, waiting client served" "0c rc=0" "$(run "$CLI" --bus "$addr" echo 0c)"
check "hello timeout logged" "1" \
      "$(grep -c 'dropped: no HELLO within 1000 ms of connecting (the hello timeout)$' "$dir/serve.log")"
exec 3>&-
stop

check "bad --wait" " rc=2" "$(run "$CLI" --bus "$addr" --wait x echo 01)"
check "bad --idle-timeout" " rc=2" "$(run "$EMU" serve --image "$img" --listen "unix:$dir/s" --idle-timeout -1)"
finish
