#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Fleet mode end to end: `stsafe-emu serve --fleet 3` creates the images,
# three stations provision their chips at the same time through
# `stsafe-cli --bus --chip N`, SIGTERM saves every image, a restart loads
# them, and the command lines that make no sense are refused. With a third
# argument "no-pk-table" (a build against mbedTLS 3.x, where provision has no
# route to the chip's key) the stations write a host-issued certificate with
# Update instead: the fleet is tested the same way.
set -u
EMU=$1
CLI=$2
MODE=${3:-pk-table}
dir=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$dir"' EXIT
source "$(dirname "$0")/check.sh"
fleet=$dir/fleet
sock=$dir/fleet.sock
bus=unix:$sock

serve() { # serve N: a fleet of N in the background, logging to $dir/serve.log
    "$EMU" serve --fleet "$1" --image-dir "$fleet" --listen "$bus" 2>"$dir/serve.log" &
    spid=$!
    for _ in $(seq 300); do [ -S "$sock" ] && return 0; sleep 0.05; done
    echo "test_fleet: the server did not start"; cat "$dir/serve.log"
}
stop() { # SIGTERM, then the server's exit status
    kill -TERM "$spid"
    wait "$spid"
    local rc=$?
    spid=
    return $rc
}

# --- command lines -----------------------------------------------------------------
check "fleet needs --image-dir" " rc=2" "$(run "$EMU" serve --fleet 3 --listen "$bus")"
check "fleet message" "stsafe-emu: serve: needs --image IMAGE, or --fleet N and --image-dir DIR, or --from-trace TRACE, and --listen ADDR (see --help)" "$(cat "$dir/stderr")"
check "image-dir needs --fleet" " rc=2" "$(run "$EMU" serve --image-dir "$fleet" --listen "$bus")"
check "image and fleet" " rc=2" "$(run "$EMU" serve --image "$dir/x.img" --fleet 3 --image-dir "$fleet" --listen "$bus")"
check "fleet 0" " rc=2" "$(run "$EMU" serve --fleet 0 --image-dir "$fleet" --listen "$bus")"
check "fleet 10001" " rc=2" "$(run "$EMU" serve --fleet 10001 --image-dir "$fleet" --listen "$bus")"
check "fleet range message" "stsafe-emu: serve: --fleet takes 1 to 10000 chips" "$(cat "$dir/stderr")"
check "nothing created by refused command lines" "absent" "$([ -e "$fleet" ] || echo absent)"
check "help shows the fleet" "1" "$("$EMU" --help | grep -c 'serve --fleet N --image-dir DIR --listen ADDR')"

# --- a fleet of 3, created --------------------------------------------------------------
serve 3
check "images created" "stsafe-emu serve: fleet of 3 chips in '$fleet': 0 images loaded, 3 created" \
      "$(head -1 "$dir/serve.log")"
check "files: one lock for the folder, none per image" "chip-0000.img chip-0000.img.ca.pem chip-0001.img chip-0001.img.ca.pem chip-0002.img chip-0002.img.ca.pem fleet.lock" \
      "$(cd "$fleet" && echo *)"
check "folder is private" "700" "$(stat -c %a "$fleet")"
for i in 0 1 2; do
    check "chip $i serial" "464c4545540000000$i rc=0" \
          "$(out=$("$CLI" --bus "$bus" --chip $i query product --raw); rc=$?; echo "${out:14:18} rc=$rc")"
done
check "default chip is 0" "464c45455400000000" "$("$CLI" --bus "$bus" query product --raw | cut -c15-32)"
check "chip out of range" " rc=2" "$(run "$CLI" --bus "$bus" --chip 3 echo 00)"
check "chip out of range message" "stsafe-cli: --chip 3: the server has no such chip" "$(cat "$dir/stderr")"
check "chip not a number" " rc=2" "$(run "$CLI" --bus "$bus" --chip x echo 00)"
check "chip without --bus" " rc=2" "$(run "$CLI" --image "$fleet/chip-0000.img" --chip 1 echo 00)"
check "chip message" "stsafe-cli: --chip takes a chip number from 0 to 65535, with --bus" "$(cat "$dir/stderr")"

# --- a provisioning line: three stations at once ---------------------------------------------
station() { # station I: chip I gets a certificate for CN=line-0I in zone 1
    if [ "$MODE" = pk-table ]; then
        "$CLI" --bus "$bus" --chip "$1" provision --device-id "line-0$1" --ca-cert "$dir/ca.pem" \
               --ca-key "$dir/ca.key"
        return
    fi
    "$CLI" ca issue --ca-cert "$dir/ca.pem" --ca-key "$dir/ca.key" --cn "line-0$1" --out "$dir/line$1" || return
    local hex off
    hex=$(openssl x509 -in "$dir/line$1.pem" -outform der | od -An -v -tx1 | tr -d ' \n')
    for ((off = 0; off < ${#hex} / 2; off += 200)); do
        "$CLI" --bus "$bus" --chip "$1" update --zone 1 --offset "$off" "${hex:off*2:400}" || return
    done
}
subject_tail= # ca issue adds the CA's organisation; a CSR's subject is the CN alone
[ "$MODE" = pk-table ] || subject_tail=", O=stsafe-emu"
"$CLI" ca init --out "$dir/ca" >/dev/null
for i in 0 1 2; do
    station $i >"$dir/station$i.out" 2>&1 &
    stations[i]=$!
done
for i in 0 1 2; do
    wait "${stations[i]}"
    rc=$?
    if [ "$MODE" = pk-table ]; then
        check "station $i provisioned" "0 6" "$rc $(grep -c '^[1-6]\. ' "$dir/station$i.out")"
    else
        check "station $i wrote its certificate" "0" "$rc"
    fi
done
for i in 0 1 2; do
    check "chip $i holds its own certificate" "subject: CN=line-0$i$subject_tail" \
          "$("$CLI" --bus "$bus" --chip $i cert read --zone 1 | head -1)"
done
check "update chip 2" "ok rc=0" "$(run "$CLI" --bus "$bus" --chip 2 update --zone 3 --offset 4 cafe)"
check "chip 2 reads it" "cafe rc=0" "$(run "$CLI" --bus "$bus" --chip 2 read --zone 3 --offset 4 --length 2)"
check "chip 1 does not" "0000 rc=0" "$(run "$CLI" --bus "$bus" --chip 1 read --zone 3 --offset 4 --length 2)"
# Each chip counts its own commands: the same ones on all three, one query
# more on chip 0 and one read on chip 1, an update and a read on chip 2.
commands() { "$CLI" --bus "$bus" --chip "$1" stats | sed -n 's/^commands //p'; }
c0=$(commands 0); c1=$(commands 1); c2=$(commands 2)
check "counters per chip" "0 1" "$((c1 - c0)) $((c2 - c1))"
stop
check "SIGTERM stops the fleet" "0" "$?"
check "stop log" "stsafe-emu serve: stopped; images in '$fleet': 3 up to date, 0 saved now" "$(tail -1 "$dir/serve.log")"
check "socket removed" "gone" "$([ -e "$sock" ] || echo gone)"

# --- the images, without the server -------------------------------------------------------------
check "chip 2 image" "cafe rc=0" "$(run "$CLI" --image "$fleet/chip-0002.img" read --zone 3 --offset 4 --length 2)"
for i in 0 1 2; do
    check "chip $i image certificate" "subject: CN=line-0$i$subject_tail" \
          "$("$CLI" --image "$fleet/chip-000$i.img" cert read --zone 1 | head -1)"
done
check "info serial" "serial number: 464c45455400000001" "$("$EMU" info "$fleet/chip-0001.img" | sed -n 2p)"
check "device certificate from the image's own CA" "OK" \
      "$("$CLI" --image "$fleet/chip-0001.img" cert read --zone 0 --pem | sed -n '/BEGIN/,$p' >"$dir/dev.pem";
         openssl verify -CAfile "$fleet/chip-0001.img.ca.pem" "$dir/dev.pem" 2>&1 | sed 's/.*: //')"

# --- restart: loaded, not created; a larger fleet creates the rest -------------------------------
serve 4
check "restart loads" "stsafe-emu serve: fleet of 4 chips in '$fleet': 3 images loaded, 1 created" \
      "$(head -1 "$dir/serve.log")"
check "chip 2 kept its data" "cafe rc=0" "$(run "$CLI" --bus "$bus" --chip 2 read --zone 3 --offset 4 --length 2)"
check "chip 3 is new" "464c45455400000003" "$("$CLI" --bus "$bus" --chip 3 query product --raw | cut -c15-32)"
stop
check "second stop" "0" "$?"

printf 'garbage' >"$fleet/chip-0001.img"
check "a corrupted image stops the start" " rc=1" "$(run "$EMU" serve --fleet 4 --image-dir "$fleet" --listen "$bus")"
check "corrupted image message" "stsafe-emu serve: cannot load image '$fleet/chip-0001.img': not a valid stsafe-emu image" \
      "$(grep 'cannot load' "$dir/stderr")"
check "corrupted image untouched" "garbage" "$(cat "$fleet/chip-0001.img")"

finish
