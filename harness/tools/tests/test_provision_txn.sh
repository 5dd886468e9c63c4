#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 14, finding 13: provisioning is a transaction. Every check comes
# before anything changes (the zone's update access condition against this
# host's session, a key already in the slot), a provisioned identity is
# replaced only with --force, and with --image a refusal leaves the image
# file byte for byte as it was. Before the fix `provision --zone 0` passed
# the pre-check, generated a new slot-1 key, then failed on Update with
# 0x11: the image was saved with the device's identity destroyed.
# Usage: test_provision_txn.sh STSAFE-EMU STSAFE-CLI
set -u
EMU=$1
CLI=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
source "$(dirname "$0")/check.sh"
cd "$dir" || exit 1

"$EMU" init chip.img >/dev/null 2>&1 || { echo "init failed"; exit 1; }
"$CLI" ca init --out ca >/dev/null || { echo "ca init failed"; exit 1; }
prov() { run "$CLI" --image chip.img provision --device-id dev-1 --ca-cert ca.pem --ca-key ca.key "$@"; }
same() { cmp -s before.img chip.img && echo same || echo changed; }

# Zone 0 can never be updated: refused before Generate Key, image untouched.
cp chip.img before.img
check "zone 0: refused" " rc=1" "$(prov --zone 0)"
check "zone 0: why" "stsafe-cli: zone 0 cannot be updated (update access condition 7: never for this host); nothing was changed" \
      "$(cat stderr)"
check "zone 0: image unchanged" "same" "$(same)"
check "zone 0: slot 1 still empty" "0200ffff0001000400082a8648ce3d03010701000015" "$("$CLI" --image chip.img query keys --raw)"

# Zone 7 is updated over the secure channel only: refused without it.
check "zone 7 in the clear: refused" " rc=1" "$(prov --zone 7)"
check "zone 7 in the clear: why" "stsafe-cli: zone 7 is updated only over the secure channel (update access condition host): give --mac-key and --cipher-key; nothing was changed" \
      "$(cat stderr)"
check "zone 7 in the clear: image unchanged" "same" "$(same)"

# The size check predicts the certificate of the device's curve. With a long
# CA name and device id a P-256 certificate fits zone 2 (600 bytes) and a
# P-384 one (~30 bytes longer) does not: refused before Generate Key. Before
# the fix the prediction was always P-256's: the check passed, Generate Key
# ran, and the certificate did not fit.
"$CLI" ca init --out longca --cn "Long Test CA $(printf '%050d' 0)" >/dev/null
long=(--device-id "d$(printf '%0127d' 0)" --ca-cert longca.pem --ca-key longca.key --zone 2)
out=$(run "$CLI" --image chip.img provision "${long[@]}" --curve p384)
check "P-384 in zone 2: refused" " rc=1" "$out"
check "P-384 in zone 2: why" "stsafe-cli: zone 2 holds 600 bytes; the certificate needs about 621: nothing was changed" \
      "$(sed 's/about 6[12][0-9]:/about 621:/' stderr)"
check "P-384 in zone 2: image unchanged" "same" "$(same)"
cp chip.img p256.img
check "P-256 in zone 2: fits" "0" "$("$CLI" --image p256.img provision "${long[@]}" >/dev/null; echo $?)"

# A provisioned device is not provisioned again without --force.
check "first provisioning" " rc=0" "$(prov >/dev/null; echo " rc=$?")"
cert1=$("$CLI" --image chip.img read --zone 1 --length 64)
cp chip.img before.img
check "second provisioning: refused" " rc=1" "$(prov)"
check "second provisioning: why" "stsafe-cli: slot 1 holds a key and zone 1 a certificate for it (CN=dev-1): the device is provisioned. --force replaces its identity (the old key is lost for good); nothing was changed" \
      "$(cat stderr)"
check "second provisioning: image unchanged" "same" "$(same)"
check "--force replaces it" "0" "$(prov --force >/dev/null; echo $?)"
check "--force: a new certificate" "new" "$([ "$("$CLI" --image chip.img read --zone 1 --length 64)" != "$cert1" ] && echo new)"

# A key in the slot without a certificate is guarded too.
"$EMU" init bare.img >/dev/null 2>&1
"$CLI" --image bare.img keygen --slot 1 --curve p256 >/dev/null
cp bare.img bare-before.img
check "occupied slot: refused" " rc=1" \
      "$(run "$CLI" --image bare.img provision --device-id dev-2 --ca-cert ca.pem --ca-key ca.key)"
check "occupied slot: why" "stsafe-cli: slot 1 already holds a key; --force replaces it (the old key is lost for good); nothing was changed" \
      "$(cat stderr)"
check "occupied slot: image unchanged" "same" "$(cmp -s bare-before.img bare.img && echo same)"
finish
