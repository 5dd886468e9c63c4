#!/usr/bin/env bash
# Issue 14: files that hold secrets, and who may reach the server. One
# section per finding, each its own ctest (see CMakeLists.txt):
#   ca-key   finding 5: ca.key 0600 and ca.pem 0644 from the first byte,
#            whatever the umask; a reader of the old file never sees the new key
#   init-ca  finding 5: stsafe-emu init's CA certificate 0644 at umask 000
set -u
EMU=$1
CLI=$2
section=$3
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
*)
    echo "unknown section $section"; exit 2 ;;
esac
finish
