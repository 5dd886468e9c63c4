#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Debian's i2c-tools (i2cdetect, i2cget, i2cset, i2ctransfer: programs no
# one here wrote) under LD_PRELOAD=libstsafe-i2cdev.so against
# `stsafe-emu serve` (docs/i2cdev.md, "A session with i2c-tools"). The
# tools must find the chip at 0x20 and nothing elsewhere, carry Echo and
# Query frames byte for byte, and every SMBus function the shim's adapter
# claims must put on the wire exactly the bytes of the kernel's emulation
# (the shim's trace shows them). With datasheet timing, a bus scan during
# a Generate Key finds the chip busy; the virtual clock makes it exact.
# Usage: test_i2ctools.sh STSAFE-EMU STSAFE-CLI LIBSTSAFE-I2CDEV.SO C-COMPILER
set -u
EMU=$1
CLI=$2
SHIM=$3
CC=$4
dir=$(mktemp -d)
servers=()
trap 'for p in "${servers[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT
source "$(dirname "$0")/../../tools/tests/check.sh"

PATH=$PATH:/usr/sbin:/sbin
for tool in i2cdetect i2cget i2cset i2ctransfer; do
    if ! command -v "$tool" >/dev/null; then
        echo "test_i2ctools: '$tool' is not installed: this test needs Debian's i2c-tools" \
             "(apt-get install i2c-tools; ci/lib.sh lists it)" >&2
        exit 1
    fi
done

# The bus number: the first N with no /dev/i2c-N nor /dev/i2c/N on this
# machine (i2c-tools try /dev/i2c/N first), so that the shim's is the only one.
n=1
while [ -e "/dev/i2c-$n" ] || [ -e "/dev/i2c/$n" ]; do n=$((n + 1)); done

# A sanitized shim needs its runtime loaded first into these unsanitized
# programs: gcc's libasan, or clang's runtime, which the programs it builds
# carry inside themselves.
preload=$SHIM
if nm -D --undefined-only "$SHIM" 2>/dev/null | grep -q ' __asan_'; then
    rt=$("$CC" -print-file-name=libclang_rt.asan-x86_64.so)
    [ -f "$rt" ] || rt=$("$CC" -print-file-name=libasan.so)
    preload=$rt:$SHIM
    export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
fi

serve() { # serve NAME TIMING [OPTION...]: a fresh chip served on $dir/NAME.sock
    "$EMU" init "$dir/$1.img" --serial 0A0B0C0D0E0F101112 >/dev/null
    "$EMU" serve --image "$dir/$1.img" --listen "unix:$dir/$1.sock" --timing "$2" "${@:3}" 2>"$dir/$1.log" &
    servers+=($!)
    for _ in $(seq 200); do [ -S "$dir/$1.sock" ] && break; sleep 0.05; done
}
sock=$dir/none.sock
tools() { # tools CMD...: CMD under the shim, talking to $sock
    LD_PRELOAD=$preload STSAFE_I2CDEV_SERVER=unix:$sock "$@"
}
traced() { # traced CMD...: run; then the messages of the shim's trace, without times
    local out rc
    out=$(LD_PRELOAD=$preload STSAFE_I2CDEV_SERVER=unix:$sock STSAFE_I2CDEV_TRACE=$dir/t.trace "$@" 2>"$dir/stderr")
    rc=$?
    printf '%s rc=%d\n' "$out" "$rc"
    grep '^[0-9]' "$dir/t.trace" | cut -d' ' -f2-
}

# i2cdetect's grid, as its scan prints it: addresses FIRST..LAST probed,
# CELL at 0x20, "--" at the others.
grid() { # grid CELL [FIRST LAST]
    local cell=$1 first=${2:-8} last=${3:-119} a
    printf '     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f\n'
    for ((a = 0; a < 128; a++)); do
        ((a % 16 == 0)) && printf '%02x: ' "$a"
        if ((a < first || a > last)); then printf '   '
        elif ((a == 0x20)); then printf '%s ' "$cell"
        else printf -- '-- '
        fi
        ((a % 16 == 15)) && printf '\n'
    done
}

echo_w="w6@0x20 0x00 0x01 0x02 0x03 0xA7 0x29"   # Echo 01 02 03, from the facts page
echo_r="0x00 0x00 0x05 0x01 0x02 0x03 0xa7 0x29 rc=0"
query_w="w4@0x20 0x14 0x11 0xfc 0xbe"            # Query product data (tag 0x11)
query_r="0x00 0x00 0x42 0x01 0x03 0xaa 0x46 0x02 0x02 0x09 0x0a 0x0b 0x0c 0x0d 0x0e 0x0f 0x10 0x11 0x12 \
0x03 0x02 0x01 0xfb 0x04 0x02 0x00 0x40 0x05 0x02 0x20 0x00 0x06 0x02 0x00 0x00 0x07 0x01 0x00 0x08 0x02 \
0x00 0x00 0x09 0x03 0x00 0x00 0x00 0x0a 0x03 0x00 0x00 0x00 0x0b 0x03 0x00 0x00 0x00 0x0c 0x03 0x00 0x00 \
0x00 0x0d 0x03 0x00 0x00 0x00 0xa8 0xed rc=0"

# ---- a chip that answers at once ---------------------------------------------
serve fast none
sock=$dir/fast.sock

# i2cdetect probes 0x30-0x37 and 0x50-0x5f with a receive byte, the rest
# with a quick write: the idle chip ACKs its address.
check "i2cdetect -y: the chip at 0x20, nobody else" "$(grid 20) rc=0" "$(run tools i2cdetect -y "$n")"
check "... no complaint" "" "$(cat "$dir/stderr")"
# -r probes with a receive byte everywhere. A chip that has answered no
# command since power-up has nothing to read and NACKs it (docs/protocol.md).
check "i2cdetect -y -r before any command: nothing to read" "$(grid --) rc=0" "$(run tools i2cdetect -y -r "$n")"

check "i2ctransfer Echo, one combined transfer" "$echo_r" "$(run tools i2ctransfer -y "$n" $echo_w r8@0x20)"
check "i2cdetect -y -r: the chip at 0x20" "$(grid 20) rc=0" "$(run tools i2cdetect -y -r "$n")"
# A scan between a command and its read (another program probing the bus)
# leaves the answer alone: the quick write runs nothing.
stats_before=$("$CLI" --bus "unix:$sock" stats)
check "i2cdetect -y again" "$(grid 20) rc=0" "$(run tools i2cdetect -y "$n")"
check "... the Echo answer is still there" "$echo_r" "$(run tools i2ctransfer -y "$n" r8@0x20)"
check "... and the scan was no command" "$stats_before" "$("$CLI" --bus "unix:$sock" stats)"
check "i2ctransfer Echo, the write" " rc=0" "$(run tools i2ctransfer -y "$n" $echo_w)"
check "... then the read" "$echo_r" "$(run tools i2ctransfer -y "$n" r8@0x20)"
check "i2ctransfer Query product data" "$query_r" "$(run tools i2ctransfer -y "$n" $query_w r69@0x20)"

check "i2cdetect -F: what the adapter offers" "Functionalities implemented by /dev/i2c-$n:
I2C                              yes
SMBus Quick Command              yes
SMBus Send Byte                  yes
SMBus Receive Byte               yes
SMBus Write Byte                 yes
SMBus Read Byte                  yes
SMBus Write Word                 yes
SMBus Read Word                  yes
SMBus Process Call               yes
SMBus Block Write                yes
SMBus Block Read                 no
SMBus Block Process Call         no
SMBus PEC                        yes
I2C Block Write                  yes
I2C Block Read                   yes rc=0" "$(run tools i2cdetect -F "$n")"

# Each function it claims, once, with the bytes it put on the wire. The
# chip answers 0x01 (communication error) to writes too short for a frame;
# the word write and the I2C block write below carry a real Echo frame
# (00 f0 78: no payload). No i2c-tools command makes a process call or a
# quick read: test_i2cdev_dev and i2cdev_probe cover those.
check "quick write (i2cdetect -q)" "$(grid 20 0x20 0x20) rc=0
S 0x20 W ACK" "$(traced i2cdetect -y -q "$n" 0x20 0x20)"
check "send byte (i2cset c)" " rc=0
S 0x20 W ACK 00  # not a command frame" "$(traced i2cset -y "$n" 0x20 0x00 c)"
check "receive byte (i2cget): the status" "0x01 rc=0
S 0x20 R ACK 01" "$(traced i2cget -y "$n" 0x20)"
check "write byte (i2cset b)" " rc=0
S 0x20 W ACK 00 55  # not a command frame" "$(traced i2cset -y "$n" 0x20 0x00 0x55 b)"
check "read byte (i2cget b)" "0x01 rc=0
S 0x20 W ACK 00  # not a command frame
Sr 0x20 R ACK 01" "$(traced i2cget -y "$n" 0x20 0x00 b)"
check "write word (i2cset w), low byte first" " rc=0
S 0x20 W ACK 00 f0 78  # command Echo (0x00)" "$(traced i2cset -y "$n" 0x20 0x00 0x78f0 w)"
check "... an Echo the chip answered" "0x00 0x00 0x02 0xf0 0x78 rc=0" "$(run tools i2ctransfer -y "$n" r5@0x20)"
check "read word (i2cget w)" "0x0001 rc=0
S 0x20 W ACK 00  # not a command frame
Sr 0x20 R ACK 01 00" "$(traced i2cget -y "$n" 0x20 0x00 w)"
check "block write (i2cset s): command, count, data" " rc=0
S 0x20 W ACK 00 03 01 02 03  # not a command frame" "$(traced i2cset -y "$n" 0x20 0x00 0x01 0x02 0x03 s)"
check "I2C block write (i2cset i)" " rc=0
S 0x20 W ACK 00 f0 78  # command Echo (0x00)" "$(traced i2cset -y "$n" 0x20 0x00 0xf0 0x78 i)"
check "I2C block read (i2cget i)" "0x01 0x00 0x02 0xe1 0xf1 rc=0
S 0x20 W ACK 00  # not a command frame
Sr 0x20 R ACK 01 00 02 e1 f1  # response communication error (0x01)" "$(traced i2cget -y "$n" 0x20 0x00 i 5)"
# PEC: CRC-8 over 40 00 55 (address byte included) is 0x2a. The chip sends
# none, so a read with PEC fails its check.
check "PEC on a write (i2cset bp)" " rc=0
S 0x20 W ACK 00 55 2a  # not a command frame" "$(traced i2cset -y "$n" 0x20 0x00 0x55 bp)"
check "PEC on a read (i2cget bp): the chip sends none" " rc=2
S 0x20 W ACK 00  # not a command frame
Sr 0x20 R ACK 01 00" "$(traced i2cget -y "$n" 0x20 0x00 bp)"
check "... Error: Read failed" "Error: Read failed" "$(cat "$dir/stderr")"
check "block read is not offered (i2cget s)" " rc=1" "$(run tools i2cget -y "$n" 0x20 0x00 s)"
check "... says so" "Error: Adapter does not have SMBus block read capability" "$(cat "$dir/stderr")"
check "nobody at 0x21 (i2cget)" " rc=2" "$(run tools i2cget -y "$n" 0x21)"

# ---- datasheet timing: busy through a Generate Key ----------------------------
# On the NACK clock (--clock nacks) the server's virtual clock advances 1 ms
# per NACK it answers, whatever the machine's speed; with no spread, Generate
# Key keeps the chip busy 110 ms: the scan's 24 NACKs below 0x20 leave it
# busy at 0x20; its 112 NACKs in all let the command finish. (The default
# host clock would count the scan's real time, which a slow or sanitized
# build stretches past 110 ms.)
serve slow datasheet --clock nacks --timing-spread 0
sock=$dir/slow.sock
genkey="w19@0x20 0x11 0x13 0x01 0xff 0xff 0x00 0x00 0x00 0x08 0x2a 0x86 0x48 0xce 0x3d 0x03 0x01 0x07 0x88 0xe5"
check "Generate Key (slot 1, P-256), the write" " rc=0" "$(run tools i2ctransfer -y "$n" $genkey)"
check "i2cdetect -y during it: the chip NACKs its address" "$(grid --) rc=0" "$(run tools i2cdetect -y "$n")"
check "i2cdetect -y after it" "$(grid 20) rc=0" "$(run tools i2cdetect -y "$n")"
rsp=$(tools i2ctransfer -y "$n" r74@0x20)
check "... and the answer is whole: OK, 0x47 bytes, point 04, X of 0x20 bytes" "0x00 0x00 0x47 0x04 0x00 0x20" "${rsp:0:29}"
check "the chip counted one command and one NACK" "commands 1
nacks 1
nvm_writes 1 rc=0" "$(run "$CLI" --bus "unix:$sock" stats)"

for p in "${servers[@]}"; do kill -TERM "$p"; wait "$p"; done
servers=()
# The public key read with i2ctransfer is the one in the saved image.
pub=$(echo "$rsp" | tr -d ' ' | sed 's/0x//g' | cut -c7-)
pub=${pub:0:2}${pub:6:64}${pub:74:64}
check "the key in the image is the one read" "1" \
      "$("$EMU" info "$dir/slow.img" | grep -c "slot 1: NIST P-256, public key $pub\$")"
finish
