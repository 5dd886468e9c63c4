#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The i2c-dev shim end to end (docs/i2cdev.md): an unmodified program that
# knows only the kernel's i2c-dev API (i2cdev_probe), and stsafe-cli with
# its real i2c: backend, run under LD_PRELOAD=libstsafe-i2cdev.so against
# `stsafe-emu serve`. Without the shim the same device does not exist.
# Usage: test_i2cdev.sh STSAFE-EMU STSAFE-CLI LIBSTSAFE-I2CDEV.SO I2CDEV_PROBE
set -u
EMU=$1
CLI=$2
SHIM=$3
PROBE=$4
dir=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
source "$(dirname "$0")/../../tools/tests/check.sh"

# A bus number no adapter of this machine has: the shim must make it exist.
n=77
while [ -e "/dev/i2c-$n" ]; do n=$((n + 1)); done
dev=/dev/i2c-$n
img=$dir/chip.img
sock=$dir/chip.sock

# An executable built with a shared ASan runtime (gcc -fsanitize=address)
# needs it first in LD_PRELOAD; clang links its runtime in statically.
asan=$(ldd "$CLI" 2>/dev/null | awk '/libasan\.so|libclang_rt\.asan/ {print $3}' | head -1)
preload=${asan:+$asan:}$SHIM
shim() { # shim CMD...: CMD with the shim, talking to the test's server
    LD_PRELOAD=$preload STSAFE_I2CDEV_SERVER=unix:$sock "$@"
}

check "without the shim there is no $dev" "open $dev: -1 ENOENT rc=2" "$(run "$PROBE" "$dev")"

"$EMU" init "$img" --serial 0A0B0C0D0E0F101112 >/dev/null
"$EMU" serve --image "$img" --listen "unix:$sock" --timing datasheet --clock nacks --timing-spread 0 2>"$dir/serve.log" &
server=$!
for _ in $(seq 200); do [ -S "$sock" ] && break; sleep 0.05; done

# The whole transcript of the probe on a fresh chip, datasheet timing (the
# virtual clock makes the NACK counts exact: Echo and Query are busy 5 ms).
cat >"$dir/expected" <<EOF
open $dev: 0
I2C_FUNCS: 0
functionality: 0x0eff0009
read before I2C_SLAVE (address 0): -1 ENXIO
I2C_SLAVE 0x80: -1 EINVAL
I2C_SLAVE 0x20: 0
read before any command: -1 ENXIO
echo: write 00010203040a38 -> 7
echo: 5 NACKs (ENXIO), then read 5 -> 5 0000060102
echo: read 9 -> 9 000006010203040a38 crc ok
query: write 1411fcbe -> 4
query: 5 NACKs (ENXIO), then read 5 -> 5 0000420103
query: read 69 -> 69 0000420103aa460202090a0b0c0d0e0f101112030201fb0402004005022000060200000701000802000009030000000a030000000b030000000c030000000d03000000a8ed crc ok
rdwr write+read on the busy chip: -1 ENXIO, read buffer 5a5a5a5a5a5a5a
rdwr read: 4 NACKs (ENXIO), then 1 000004aabb9f1b crc ok
rdwr at 0x21 (nobody): -1 ENXIO, read buffer 5a5a5a5a
rdwr 0 messages: -1 EINVAL
rdwr 43 messages: -1 EINVAL
rdwr 42 messages: 42
rdwr NULL messages: -1 EINVAL
rdwr NULL argument: -1 EFAULT
rdwr a message of 8193 bytes: -1 EINVAL
rdwr a message of 1025 bytes: -1 EOPNOTSUPP
rdwr I2C_M_TEN: -1 EAFNOSUPPORT
rdwr I2C_M_NOSTART: -1 EOPNOTSUPP
rdwr I2C_M_RECV_LEN, buffer too short: -1 EINVAL
rdwr I2C_M_RECV_LEN: -1 EOPNOTSUPP
rdwr address 0x80: -1 EINVAL
I2C_SMBUS quick write: 0
I2C_SMBUS quick read: 0
I2C_SMBUS read byte: 0 0x00
I2C_SMBUS read byte, no data: -1 EINVAL
I2C_SMBUS size 9: -1 EINVAL
I2C_RETRIES 3: 0
I2C_TIMEOUT 100: 0
I2C_TIMEOUT 2^31: -1 EINVAL
I2C_PEC 1: 0
I2C_FUNCS NULL: -1 EFAULT
ioctl 0x07ff: -1 ENOTTY
FIOCLEX: 0
FD_CLOEXEC after FIOCLEX: 1
write 1025 bytes: -1 EOPNOTSUPP
I2C_SLAVE 0x21: 0
write at 0x21: -1 ENXIO
read at 0x21: -1 ENXIO
I2C_SLAVE 0x120: -1 EINVAL
I2C_TENBIT 1: 0
I2C_SLAVE 0x120: 0
I2C_SLAVE 0x400: -1 EINVAL
read with a 10-bit address: -1 EAFNOSUPPORT
I2C_TENBIT 0: 0
I2C_SLAVE_FORCE 0x20: 0
dup: 0
close the original: 0
read 7 through the duplicate: 7 000004aabb9f1b
poll: 1
poll revents: POLLIN POLLOUT
a second open: 0
read 5 on it before I2C_SLAVE (address 0): -1 ENXIO
I2C_SLAVE 0x20 on it: 0
read 7 on it: 7 000004aabb9f1b
close it: 0
close the duplicate: 0
read 5 after close: -1 EBADF
O_RDONLY: write: -1 EBADF
O_WRONLY|O_CLOEXEC: read: -1 EBADF
O_WRONLY|O_CLOEXEC: FD_CLOEXEC: 1
read after the connection was closed: -1 EIO
write to the file that took its number: 1
close: 0
open again: 0
I2C_SLAVE 0x20: 0
read 7: 7 000004aabb9f1b
EOF
shim "$PROBE" "$dev" >"$dir/probe.out" 2>"$dir/probe.err"
check "probe under the shim" "0" "$?"
check "probe transcript" "" "$(diff "$dir/expected" "$dir/probe.out")"
check "probe stderr" "" "$(cat "$dir/probe.err")"
# Only the probe's transactions reached the chip: three commands executed
# (two Echo, one Query) and 16 NACKs (1 before the first command, 5 for
# each), nothing written to the NVM.
check "the chip saw exactly the probe's transactions" "commands 3
nacks 16
nvm_writes 0 rc=0" "$(run "$CLI" --bus "unix:$sock" stats)"

# stsafe-cli's i2c: backend: I2C_RDWR through the shim to the served chip.
check "cli echo over i2c:" "0102 rc=0" "$(run shim "$CLI" --bus "i2c:$dev" echo 0102)"
check "cli query over i2c:" "03 rc=0" "$(run shim "$CLI" --bus "i2c:$dev" query lifecycle --raw)"
pub=$(shim "$CLI" --bus "i2c:$dev" keygen --slot 1 --curve p256)
check "cli keygen over i2c:" "130 04" "${#pub} ${pub:0:2}"
dig=$(printf '%064x' 7)
sig=$(shim "$CLI" --bus "i2c:$dev" sign --slot 1 --digest "$dig")
check "cli sign over i2c:" "128" "${#sig}"
check "the chip verifies it over i2c:" "valid rc=0" \
      "$(run shim "$CLI" --bus "i2c:$dev" verify --curve p256 --pubkey "$pub" --digest "$dig" --signature "$sig")"
check "and over the socket" "valid rc=0" \
      "$(run "$CLI" --bus "unix:$sock" verify --curve p256 --pubkey "$pub" --digest "$dig" --signature "$sig")"
check "cli at an address nobody acknowledges" " rc=1" "$(run shim "$CLI" --bus "i2c:$dev@0x21" echo 00)"
check "... its NACKs are polled as busy" "stsafe-cli: echo: device stayed busy past the retry budget" "$(cat "$dir/stderr")"
check "cli stats over i2c:" " rc=2" "$(run shim "$CLI" --bus "i2c:$dev" stats)"
check "... needs a server" "stsafe-cli: stats needs a chip served by 'stsafe-emu serve' (--bus unix:PATH or tcp:HOST:PORT) or --image; a chip on an I2C adapter (--bus i2c:) has no such control" "$(cat "$dir/stderr")"
check "cli power-cycle over i2c:" " rc=2" "$(run shim "$CLI" --bus "i2c:$dev" power-cycle)"
check "cli --chip over i2c: is a usage error" " rc=2" "$(run shim "$CLI" --bus "i2c:$dev" --chip 1 echo 00)"
check "... that says where the chip is" "stsafe-cli: --chip picks a chip of a fleet served by 'stsafe-emu serve' (--bus unix: or tcp:); on an I2C adapter the chip is the one at the address (--bus i2c:/dev/i2c-N@ADDR)" "$(cat "$dir/stderr")"
check "emu info --bus i2c: --chip is a usage error" " rc=2" "$(run shim "$EMU" info --bus "i2c:$dev" --chip 1)"
check "... that says where the chip is" "stsafe-emu: info: --chip picks a chip of a fleet served by 'stsafe-emu serve' (--bus unix: or tcp:); on an I2C adapter the chip is the one at the address (i2c:/dev/i2c-N@ADDR)" "$(cat "$dir/stderr")"
check "cli without the shim" " rc=1" "$(run "$CLI" --bus "i2c:$dev" echo 00)"
check "... message" "stsafe-cli: cannot open '$dev': No such file or directory" "$(cat "$dir/stderr")"
check "cli on a file that is no i2c-dev node" " rc=1" "$(run "$CLI" --bus i2c:/dev/null echo 00)"
check "... message" "stsafe-cli: cannot open '/dev/null': Inappropriate ioctl for device" "$(cat "$dir/stderr")"
check "cli 8-bit address" " rc=2" "$(run "$CLI" --bus "i2c:$dev@0x80" echo 00)"
check "cli no device" " rc=2" "$(run "$CLI" --bus i2c: echo 00)"
check "cli help" "1" "$("$CLI" --help | grep -c 'i2c:/dev/i2c-N\[@ADDR\]')"

# Which paths the shim takes, and what it says when it cannot serve them.
check "STSAFE_I2CDEV_BUS=N" "0102 rc=0" "$(STSAFE_I2CDEV_BUS=$n run shim "$CLI" --bus "i2c:$dev" echo 0102)"
check "STSAFE_I2CDEV_BUS list with the path" "0102 rc=0" \
      "$(STSAFE_I2CDEV_BUS="3,$dev" run shim "$CLI" --bus "i2c:$dev" echo 0102)"
check "STSAFE_I2CDEV_BUS without it" "open $dev: -1 ENOENT rc=2" \
      "$(STSAFE_I2CDEV_BUS="$((n + 1)),/dev/i2c-x" run shim "$PROBE" "$dev")"
check "no STSAFE_I2CDEV_SERVER" "open $dev: -1 ENOENT rc=2" "$(LD_PRELOAD=$preload run "$PROBE" "$dev")"
check "... warns" "stsafe-i2cdev: STSAFE_I2CDEV_SERVER is not set: $dev is opened as it is" "$(cat "$dir/stderr")"
check "no server there" "open $dev: -1 ENODEV rc=2" \
      "$(LD_PRELOAD=$preload STSAFE_I2CDEV_SERVER=unix:$dir/none.sock run "$PROBE" "$dev")"
check "... says why" "stsafe-i2cdev: $dev: cannot connect to unix:$dir/none.sock: No such file or directory" "$(cat "$dir/stderr")"
check "malformed server" "open $dev: -1 ENODEV rc=2" \
      "$(LD_PRELOAD=$preload STSAFE_I2CDEV_SERVER=udp:1 run "$PROBE" "$dev")"
check "... says why" "stsafe-i2cdev: $dev: STSAFE_I2CDEV_SERVER='udp:1' is not unix:PATH or tcp:HOST:PORT" "$(cat "$dir/stderr")"
# STSAFE_I2CDEV_TRACE: the program's whole conversation as a trace.
STSAFE_I2CDEV_TRACE=$dir/shim.trace shim "$CLI" --bus "i2c:$dev" echo 0a0b >/dev/null
check "STSAFE_I2CDEV_TRACE: a trace" "stsafe-trace 1
# recorded by libstsafe-i2cdev" "$(head -2 "$dir/shim.trace")"
check "... of the Echo, as the host saw it" "S 0x20 W ACK 00 0a 0b 85 6f  # command Echo (0x00)
S 0x20 R ACK 00 00 04 0a 0b  # status OK (0x00), 7-byte frame
S 0x20 R ACK 00 00 04 0a 0b 85 6f  # response OK (0x00)" \
      "$(grep -v NACK "$dir/shim.trace" | grep '^[0-9]' | cut -d' ' -f2-)"
check "... the busy polls too" "yes" "$(grep -q 'S 0x20 R NACK' "$dir/shim.trace" && echo yes)"
check "an unwritable trace" "open $dev: -1 ENODEV rc=2" \
      "$(STSAFE_I2CDEV_TRACE=$dir/no/such/trace run shim "$PROBE" "$dev")"
check "... says why" "stsafe-i2cdev: STSAFE_I2CDEV_TRACE: cannot write '$dir/no/such/trace': No such file or directory" "$(cat "$dir/stderr")"

# The server came through all of it, and its image holds the key.
check "server still serves" "0102 rc=0" "$(run "$CLI" --bus "unix:$sock" echo 0102)"
check "no client was dropped" "0" "$(grep -c 'dropped' "$dir/serve.log")"
kill -TERM "$server"
wait "$server"
check "server stops cleanly" "0" "$?"
server=
check "image intact, with the key" "1 rc=0" "$(out=$("$EMU" info "$img"); rc=$?; printf "%s rc=%s" "$(echo "$out" | grep -c "slot 1: NIST P-256, public key $pub\$")" "$rc")"
finish
