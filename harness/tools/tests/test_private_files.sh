#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 14: files that hold secrets, and who may reach the server. One
# section per finding, each its own ctest (see CMakeLists.txt):
#   ca-key   finding 5: ca.key 0600 and ca.pem 0644 from the first byte,
#            whatever the umask; a reader of the old file never sees the new key
#   init-ca  finding 5: stsafe-emu init's CA certificate 0644 at umask 000
#   socket   finding 10: a unix socket is 0600 at umask 000, --socket-mode widens it
#   fleet-dir finding 10: a fleet folder is created 0700; group- or other-writable is refused
#   lock     finding 6: an image is locked by who opens it; a second writer is told
#            who holds it and where to reach it
#   init     finding 14: init --if-missing reruns under set -e; a failed init leaves nothing
#   ready    finding 14: serve --ready-fd, --pid-file, --daemon, port 0 on stdout, wait
#   trace-mode finding 9 (part): traces are created 0600, an appended one narrowed to 0600
#   save-fail finding 4: a save that fails (read-only folder) is an error for the client,
#            never an acknowledgement; the image on disk is what the client was told
set -u
EMU=$1
CLI=$2
section=$3
VECTORS=${4:-}
dir=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$dir"' EXIT
source "$(dirname "$0")/check.sh"
cd "$dir" || exit 1

case $section in
ca-key)
    umask 000
    mkdir ca && printf 'old key\n' >ca/ca.key && chmod 0644 ca/ca.key
    exec 3<ca/ca.key # a reader who opened the old file before the new key was made
    check "ca init" "rc=0" "$(run "$CLI" ca init --out ca/ca >/dev/null; echo "rc=$?")"
    check "ca.key mode" "600" "$(stat -c %a ca/ca.key)"
    check "ca.pem mode" "644" "$(stat -c %a ca/ca.pem)"
    check "the key is the new one" "-----BEGIN EC PRIVATE KEY-----" "$(head -1 ca/ca.key)"
    check "the old reader sees the old bytes only" "old key" "$(cat <&3)"
    exec 3<&-
    check "no temp file left" "ca.key ca.pem" "$(cd ca && echo *)"
    check "ca issue key mode" "rc=0 600 644" \
          "$("$CLI" ca issue --ca-cert ca/ca.pem --ca-key ca/ca.key --cn dev --out ca/dev >/dev/null; echo "rc=$? $(stat -c %a ca/dev.key) $(stat -c %a ca/dev.pem)")"
    ln -s elsewhere ca/link.key
    "$CLI" ca init --out ca/link >/dev/null 2>&1
    check "a link at the key's path is not written through" "absent link" \
          "$([ -e ca/elsewhere ] || echo absent) $( [ -L ca/link.key ] && echo link || echo replaced)"
    ;;
init-ca)
    umask 000
    check "init" "rc=0" "$(run "$EMU" init chip.img >/dev/null; echo "rc=$?")"
    check "modes" "600 644" "$(stat -c %a chip.img) $(stat -c %a chip.img.ca.pem)"
    ;;
socket)
    umask 000
    chmod 0755 "$dir" # the folder lets others in: only the socket's mode keeps them out
    "$EMU" init chip.img >/dev/null
    start() { # start ARGS...: serve chip.img on unix:$dir/s.sock in the background
        rm -f s.sock
        "$EMU" serve --image chip.img --listen "unix:$dir/s.sock" "$@" 2>serve.log &
        spid=$!
        for _ in $(seq 300); do [ -S s.sock ] && return 0; sleep 0.05; done
        echo "the server did not start"; cat serve.log
    }
    stop() { kill -TERM "$spid"; wait "$spid"; spid=; }
    start
    check "socket 0600 at umask 000" "600" "$(stat -c %a s.sock)"
    check "the owner connects" "00 rc=0" "$(run "$CLI" --bus "unix:$dir/s.sock" echo 00)"
    stop
    start --socket-mode 660
    check "--socket-mode 660" "660" "$(stat -c %a s.sock)"
    stop
    check "bad --socket-mode" " rc=2" "$(run "$EMU" serve --image chip.img --listen "unix:$dir/s.sock" --socket-mode 999)"
    check "bad --socket-mode message" "stsafe-emu: serve: --socket-mode takes octal permission bits up to 777 (e.g. 660), not '999'" "$(cat "$dir/stderr")"
    if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
        start
        check "another user cannot connect" "1" \
              "$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$CLI" --bus "unix:$dir/s.sock" echo 00 >/dev/null 2>&1; echo $?)"
        stop
    fi
    ;;
fleet-dir)
    umask 000
    check "new fleet folder" "rc=0 700" "$("$EMU" serve --fleet 1 --image-dir new --listen "unix:$dir/f.sock" 2>/dev/null & p=$!
        for _ in $(seq 300); do [ -S f.sock ] && break; sleep 0.05; done; kill -TERM $p; wait $p; echo "rc=$? $(stat -c %a new)")"
    mkdir open && chmod 0777 open
    check "world-writable folder refused" " rc=1" "$(run timeout 20 "$EMU" serve --fleet 1 --image-dir open --listen "unix:$dir/f.sock")"
    check "its message" "stsafe-emu serve: the image folder 'open' is writable by others (mode 777): others could replace the images; use a private folder (chmod 700)" "$(cat "$dir/stderr")"
    check "nothing made in it" "" "$(ls open)"
    chmod 0770 open
    check "group-writable folder refused" " rc=1" "$(run timeout 20 "$EMU" serve --fleet 1 --image-dir open --listen "unix:$dir/f.sock")"
    check "its message" "stsafe-emu serve: the image folder 'open' is writable by its group (mode 770): others could replace the images; use a private folder (chmod 700)" "$(cat "$dir/stderr")"
    ;;
save-fail)
    # A folder the server cannot write into: as root (which ignores folder
    # modes) the server and the tools run as nobody.
    AS=() # the command prefix that runs a program as the unprivileged user
    if [ "$(id -u)" = 0 ]; then
        command -v setpriv >/dev/null || { echo "setpriv is missing (util-linux)"; exit 1; }
        AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
        chmod 0755 "$dir"
    fi
    mkdir ro && "$EMU" init ro/chip.img >/dev/null && cp ro/chip.img before.img
    [ "$(id -u)" = 0 ] && chown -R nobody ro
    "${AS[@]}" "$EMU" serve --image ro/chip.img --listen "unix:$dir/ro/s.sock" 2>serve.log &
    spid=$!
    for _ in $(seq 300); do [ -S ro/s.sock ] && break; sleep 0.05; done
    chmod 0555 ro # the save cannot create its temp file any more
    check "decrement over the socket fails" " rc=1" \
          "$(run "${AS[@]}" "$CLI" --bus "unix:$dir/ro/s.sock" decrement --zone 5 --amount 7)"
    check "with the server's reason" "stsafe-cli: decrement: bus backend failure
stsafe-cli: the server said: cannot save image 'ro/chip.img': I/O error: Permission denied; the command was undone: the chip restarted from its image on disk" \
          "$(cat "$dir/stderr")"
    check "the chip is at its image on disk" "500000" \
          "$(cp ro/chip.img copy.img; "$EMU" info copy.img | awk '$1 == 5 {print $NF}')"
    kill -KILL "$spid"; wait "$spid" 2>/dev/null; spid=
    check "after kill -9 the disk holds what the client was told" "500000" \
          "$(cp ro/chip.img copy.img; "$EMU" info copy.img | awk '$1 == 5 {print $NF}')"
    check "stsafe-cli --image in the same folder" " rc=1" \
          "$(run "${AS[@]}" "$CLI" --image ro/chip.img decrement --zone 5 --amount 7 | sed 's/^499993//')"
    check "its reason" "stsafe-cli: cannot save image 'ro/chip.img': I/O error: Permission denied" "$(cat "$dir/stderr")"
    check "the image is unchanged" "same" "$(cmp -s ro/chip.img before.img && echo same)"
    ;;
lock)
    "$EMU" init chip.img >/dev/null
    "$EMU" serve --image chip.img --listen "unix:$dir/s.sock" 2>serve.log &
    spid=$!
    for _ in $(seq 300); do [ -S s.sock ] && grep -q listening serve.log && break; sleep 0.05; done
    held="chip.img is in use by PID $spid (stsafe-emu serve); talk to it with --bus unix:$dir/s.sock"
    check "stsafe-cli --image on a served image" " rc=1" "$(run "$CLI" --image chip.img update --zone 1 cafe)"
    check "its message" "stsafe-cli: $held" "$(cat "$dir/stderr")"
    check "a second server" " rc=1" "$(run timeout 20 "$EMU" serve --image chip.img --listen "unix:$dir/t.sock")"
    check "its message" "stsafe-emu serve: $held" "$(cat "$dir/stderr")"
    check "info (a reader) waits for no one: refused at once" " rc=1" "$(run "$EMU" info chip.img)"
    check "its message" "stsafe-emu: $held" "$(cat "$dir/stderr")"
    check "the lock file" "600" "$(stat -c %a chip.img.lock)"
    check "the served chip still answers" "00 rc=0" "$(run "$CLI" --bus "unix:$dir/s.sock" echo 00)"
    kill -TERM "$spid"; wait "$spid"; spid=
    check "the lock file goes with the server" "absent" "$([ -e chip.img.lock ] || echo absent)"
    check "then --image works" "ok rc=0" "$(run "$CLI" --image chip.img update --zone 1 cafe)"
    "$EMU" serve --fleet 2 --image-dir fleet --listen "unix:$dir/f.sock" 2>fleet.log &
    spid=$!
    for _ in $(seq 300); do [ -S f.sock ] && grep -q listening fleet.log && break; sleep 0.05; done
    check "a fleet image" " rc=1" "$(run "$CLI" --image fleet/chip-0001.img echo 00)"
    check "its message" "stsafe-cli: fleet/chip-0001.img is in use by PID $spid (stsafe-emu serve); talk to it with --bus unix:$dir/f.sock" "$(cat "$dir/stderr")"
    # One lock for the folder (fleet.lock), none per image: the others meet it.
    check "the fleet's lock files" "fleet.lock 600" "$(cd fleet && ls -- *lock*) $(stat -c %a fleet/fleet.lock)"
    check "a second fleet server on the folder" " rc=1" \
          "$(run timeout 20 "$EMU" serve --fleet 2 --image-dir fleet --listen "unix:$dir/g.sock")"
    check "its message" "stsafe-emu serve: fleet is in use by PID $spid (stsafe-emu serve); talk to it with --bus unix:$dir/f.sock" "$(cat "$dir/stderr")"
    check "serve --image on a fleet's image" " rc=1" \
          "$(run timeout 20 "$EMU" serve --image fleet/chip-0000.img --listen "unix:$dir/h.sock")"
    check "info on a fleet's image" " rc=1" "$(run "$EMU" info fleet/chip-0000.img)"
    check "they leave no lock file behind" "fleet.lock" "$(cd fleet && ls -- *lock*)"
    kill -TERM "$spid"; wait "$spid"; spid=
    check "the folder's lock goes with the server" "" "$(cd fleet && ls -- *lock* 2>/dev/null)"
    # A fleet meets an image someone else holds: this shell, as a reader would.
    exec 9>fleet/chip-0001.img.lock
    flock -s 9
    check "a fleet with one image held" " rc=1" \
          "$(run timeout 20 "$EMU" serve --fleet 2 --image-dir fleet --listen "unix:$dir/g.sock")"
    check "its message" "stsafe-emu serve: fleet/chip-0001.img is in use by another process (reading it)" "$(cat "$dir/stderr")"
    exec 9>&-
    "$EMU" serve --fleet 2 --image-dir fleet --listen "unix:$dir/f.sock" 2>fleet.log &
    spid=$!
    for _ in $(seq 300); do [ -S f.sock ] && grep -q listening fleet.log && break; sleep 0.05; done
    kill -KILL "$spid"; wait "$spid" 2>/dev/null; spid=
    check "a holder killed by -9 holds nothing" "00 rc=0" "$(run "$CLI" --image fleet/chip-0001.img echo 00)"
    ;;
init)
    check "init" "rc=0" "$(run "$EMU" init x.img >/dev/null; echo "rc=$?")"
    check "again: refused" " rc=1" "$(run "$EMU" init x.img)"
    check "its message" "stsafe-emu: init: 'x.img' exists; use --force to replace it, or --if-missing to keep it" "$(cat "$dir/stderr")"
    cp x.img x.copy
    check "again with --if-missing: success" "kept x.img (a valid image is already there) rc=0" "$(run "$EMU" init --if-missing x.img)"
    check "the image untouched" "same" "$(cmp -s x.img x.copy && echo same)"
    printf 'not an image' >z.img
    check "--if-missing over a file that is no image" " rc=1" "$(run "$EMU" init --if-missing z.img)"
    check "--force and --if-missing" " rc=2" "$(run "$EMU" init --force --if-missing x.img)"
    check "a bad CA path" " rc=1" "$(run "$EMU" init y.img --ca-out "$dir/missing/ca.pem")"
    check "its message" "stsafe-emu: init: cannot write the CA certificate to '$dir/missing/ca.pem': No such file or directory" "$(cat "$dir/stderr")"
    check "a bad image path" " rc=1" "$(run "$EMU" init missing/w.img --ca-out w.pem)"
    check "leaves nothing behind" "stderr x.copy x.img x.img.ca.pem z.img" "$(echo *)"
    ;;
ready)
    "$EMU" init chip.img >/dev/null
    mkfifo ready.fifo
    "$EMU" serve --image chip.img --listen "unix:$dir/s.sock" --pid-file s.pid --ready-fd 3 3>ready.fifo 2>serve.log &
    spid=$!
    read -r addr <ready.fifo
    check "--ready-fd: the address once listening" "unix:$dir/s.sock" "$addr"
    check "a client right away" "00 rc=0" "$(run "$CLI" --bus "$addr" echo 00)"
    check "--pid-file" "$spid" "$(cat s.pid)"
    check "wait: a server that answers" " rc=0" "$(run "$EMU" wait "$addr" --timeout 5)"
    kill -TERM "$spid"; wait "$spid"; spid=
    check "the pid file goes with the server" "absent" "$([ -e s.pid ] || echo absent)"
    check "wait: nobody there" " rc=1" "$(run "$EMU" wait "unix:$dir/s.sock" --timeout 0.2)"
    check "its message" "stsafe-emu: wait: no stsafe-emu server answered HELLO at 'unix:$dir/s.sock' within 0.2 s" "$(cat "$dir/stderr")"
    mkfifo out.fifo
    "$EMU" serve --image chip.img --listen tcp:127.0.0.1:0 >out.fifo 2>serve.log &
    spid=$!
    read -r addr <out.fifo
    check "port 0: the bound address on stdout" "tcp:127.0.0.1:" "${addr%:*}:"
    check "and a client there" "00 rc=0" "$(run "$CLI" --bus "$addr" echo 00)"
    kill -TERM "$spid"; wait "$spid"; spid=
    addr=$("$EMU" serve --image chip.img --listen "unix:$dir/d.sock" --daemon --pid-file d.pid --log d.log --verbose)
    check "--daemon returns once listening" "0 unix:$dir/d.sock" "$? $addr"
    check "a client right away" "00 rc=0" "$(run "$CLI" --bus "$addr" echo 00)"
    dpid=$(cat d.pid)
    kill -TERM "$dpid"
    for _ in $(seq 200); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.05; done
    check "the daemon logged to --log, 0600" "600 1" "$(stat -c %a d.log) $(grep -c "client 1: command" d.log)"
    check "--ready-fd that is not open" " rc=2" "$(run "$EMU" serve --image chip.img --listen "unix:$dir/e.sock" --ready-fd 9)"
    # A recording server (--trace) and a recorded device (--from-trace) take
    # the same options (before, they ignored them: --daemon never returned).
    addr=$(timeout 20 "$EMU" serve --image chip.img --listen tcp:127.0.0.1:0 --trace r.trace --daemon --pid-file r.pid 2>r.err)
    check "serve --trace --daemon returns once listening" "0 tcp:127.0.0.1:" "$? ${addr%:*}:"
    check "a client of the recording server" "0102 rc=0" "$(run "$CLI" --bus "$addr" echo 0102)"
    dpid=$(cat r.pid 2>/dev/null)
    [ -n "$dpid" ] && kill -TERM "$dpid"
    for _ in $(seq 200); do [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null || break; sleep 0.05; done
    check "its pid file, removed at exit; the Echo recorded" "absent 1" \
          "$([ -e r.pid ] || echo absent) $(grep -c '# command Echo' r.trace)"
    mkfifo f.fifo
    "$EMU" serve --from-trace r.trace --listen "unix:$dir/f.sock" --pid-file f.pid --ready-fd 3 3>f.fifo 2>f.log &
    spid=$!
    addr=
    read -r -t 20 addr <f.fifo
    check "serve --from-trace --ready-fd: the address once listening" "unix:$dir/f.sock" "$addr"
    [ -n "$addr" ] || kill -TERM "$spid"
    check "serve --from-trace --pid-file" "$spid" "$(cat f.pid 2>/dev/null)"
    check "the recorded answer" "0102 rc=0" "$(run "$CLI" --bus "$addr" echo 0102)"
    wait "$spid"
    check "the recorded device stops after the script; its pid file goes" "0 absent" "$? $([ -e f.pid ] || echo absent)"
    spid=
    ;;
trace-mode)
    umask 000
    "$EMU" init chip.img >/dev/null
    check "stsafe-cli --trace" "rc=0 600" "$("$CLI" --image chip.img --trace t.trace echo 00 >/dev/null; echo "rc=$? $(stat -c %a t.trace)")"
    chmod 0644 t.trace
    check "--trace-append narrows an old trace" "rc=0 600" \
          "$("$CLI" --image chip.img --trace-append t.trace echo 01 >/dev/null; echo "rc=$? $(stat -c %a t.trace)")"
    check "stsafe-emu import -o" "rc=0 600" \
          "$("$EMU" import --from sigrok "$VECTORS/traces/import-session.sigrok.txt" -o i.trace; echo "rc=$? $(stat -c %a i.trace)")"
    "$EMU" serve --image chip.img --listen "unix:$dir/s.sock" --trace s.trace 2>serve.log &
    spid=$!
    for _ in $(seq 300); do [ -S s.sock ] && break; sleep 0.05; done
    check "serve --trace" "600" "$(stat -c %a s.trace)"
    kill -TERM "$spid"; wait "$spid"; spid=
    ;;
*)
    echo "unknown section $section"; exit 2 ;;
esac
finish
