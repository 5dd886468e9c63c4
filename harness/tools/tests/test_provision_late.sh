#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 14, finding 13: provisioning is a transaction, also when it fails
# AFTER Generate Key (test_provision_txn.sh covers the checks before it).
# The certificate's Update is cut by a brown-out (--fault brownout=N: the Nth
# command that writes the NVM, N taken from a trace of a good run), then:
# - with --image the image file is byte for byte as it was, and stsafe-cli
#   says so;
# Step 6 (the check), which writes nothing, is cut with --fault reset=K, and
# Generate Key's answer is lost with --fault drop=K (the chip ran it).
# - over --bus (a served chip, where the new key cannot be undone) stsafe-cli
#   says exactly what state the chip is in, the chip is in that state, and
#   the command it prints completes the provisioning.
# Before the fix the --bus message said "stopped after step 2" whatever step
# failed, that the old key "is gone" of an empty slot, and nothing of what
# the zone holds; after a lost Generate Key answer it said "nothing was
# changed" while the chip held a new key.
# Usage: test_provision_late.sh STSAFE-EMU STSAFE-CLI [psa]
set -u
EMU=$1
CLI=$2
extra=()
[ "${3:-}" = psa ] && extra=(--psa)
source "$(dirname "$0")/check.sh"
scratch_with_servers
cd "$dir" || exit 1

"$EMU" init chip.img >/dev/null 2>&1 || { echo "init failed"; exit 1; }
"$CLI" ca init --out ca >/dev/null || { echo "ca init failed"; exit 1; }
args=(provision --device-id dev-1 --ca-cert ca.pem --ca-key ca.key "${extra[@]}")

# A trace as one line: each command and how it ended ("Update OK",
# "Update no answer"), comma-separated.
steps() {
    awk '/ # command / { if (item) print item; s = $0; sub(/.* # command /, "", s); sub(/ \(0x.*/, "", s); item = s; next }
         / # response / { r = $0; sub(/.* # response /, "", r); sub(/ \(0x.*/, "", r); item = item " " r; next }
         / # no acknowledge/ { if (item !~ /no answer$/) item = item " no answer" }
         END { if (item) print item }' "$1" | paste -sd, -
}
# The data of the Nth Update command (1: the first) of a trace, as hex.
update_data() {
    grep ' # command Update ' "$1" | sed -n "${2}p" |
        sed 's/ *#.*//' | cut -d" " -f6- | tr -d ' ' | sed 's/^..........//; s/....$//'
}

# A good run on a copy, traced: which command is the certificate's first Update?
cp chip.img good.img
check "good run" " rc=0" "$(run "$CLI" --image good.img --trace good.trace "${args[@]}" | tail -c 5)"
good=$(steps good.trace)
before_update=${good%%,Update OK*}
check "good run: Generate Key, the CSR's signature, then the certificate's Updates" \
      "Query OK,Query OK,Generate Key OK,Generate Signature OK" "$before_update"
# The commands before the first Update that write the NVM: Generate Key only.
nvm_writes=$(tr ',' '\n' <<<"$before_update" | grep -c -E '^(Generate Key|Update|Put Attribute|Decrement) ')
first_update=$((nvm_writes + 1))
check "the first Update is NVM write 2" "2" "$first_update"
updates=$(grep -c ' # command Update ' good.trace)
check "the certificate takes 3 Updates" "3" "$updates"

# --image: cut the first Update. The image is byte for byte as it was.
cp chip.img before.img
out=$(run "$CLI" --image chip.img --fault "brownout=$first_update" --trace cut.trace "${args[@]}")
check "image, Update cut: exit 1" " rc=1" "${out: -5}"
check "image, Update cut: steps 1-4 done" "1.2.3.4." "$(grep -o '^[0-9]\.' <<<"$out" | tr -d '\n')"
check "image, Update cut: Generate Key went through, then the Update had no answer" \
      "Query OK,Query OK,Generate Key OK,Generate Signature OK,Update no answer" "$(steps cut.trace)"
check "image, Update cut: why" \
"stsafe-cli: fault: brown-out during the NVM write (write undone): the chip lost the command, restarted and will not answer
stsafe-cli: Update: device stayed busy past the retry budget
stsafe-cli: chip.img was not changed: provisioning commits the image only when every step succeeded" "$(cat stderr)"
check "image, Update cut: image unchanged" "same" "$(cmp -s before.img chip.img && echo same)"

# --image: cut the second Update, after 200 bytes of the certificate are in the zone.
out=$(run "$CLI" --image chip.img --fault "brownout=$((first_update + 1))" --trace cut2.trace "${args[@]}")
check "image, 2nd Update cut: exit 1" " rc=1" "${out: -5}"
check "image, 2nd Update cut: one Update went through" \
      "Query OK,Query OK,Generate Key OK,Generate Signature OK,Update OK,Update no answer" "$(steps cut2.trace)"
check "image, 2nd Update cut: says nothing was changed" \
      "stsafe-cli: chip.img was not changed: provisioning commits the image only when every step succeeded" \
      "$(tail -n 1 stderr)"
check "image, 2nd Update cut: image unchanged" "same" "$(cmp -s before.img chip.img && echo same)"
check "image: slot 1 still empty" "0200ffff0001000400082a8648ce3d03010701000015" \
      "$("$CLI" --image chip.img query keys --raw)"

# --bus: a served chip. The key cannot be undone; the message says where the chip is.
serve() { # serve NAME: a served copy of chip.img on unix:$dir/NAME.sock
    cp chip.img "$1.img"
    "$EMU" serve --image "$1.img" --listen "unix:$dir/$1.sock" --daemon --pid-file "$1.pid" \
        --log "$1.log" >/dev/null || { echo "serve $1 failed"; exit 1; }
    pids+=("$(cat "$1.pid")")
}
zeros() { printf '%0*d' $(($1 * 2)) 0; }
# From provision's output: the certificate's DER length (step 4), the new public key (step 2).
cert_len() { sed -n 's/^4\. the CA signed the certificate (\([0-9]*\) bytes DER).*/\1/p' <<<"$1"; }
new_pubkey() { sed -n 's/^2\. key pair generated inside the chip, slot 1; public key \(04[0-9a-f]*\)$/\1/p' <<<"$1"; }
serve s1
bus="unix:$dir/s1.sock"
out=$(run "$CLI" --bus "$bus" --fault "brownout=$first_update" --trace bus.trace "${args[@]}")
check "bus, Update cut: exit 1" " rc=1" "${out: -5}"
check "bus, Update cut: Generate Key went through, then the Update had no answer" \
      "Query OK,Query OK,Generate Key OK,Generate Signature OK,Update no answer" "$(steps bus.trace)"
len=$(cert_len "$out")
pub=$(new_pubkey "$out")
psa=""
[ ${#extra[@]} -gt 0 ] && psa=" --psa"
check "bus, Update cut: what state the chip is in" \
"stsafe-cli: Update: device stayed busy past the retry budget
stsafe-cli: provisioning failed in step 5: slot 1 now holds a NEW key (the slot was empty); zone 1 holds the first 0 of the new certificate's $len bytes; bytes 0 on may be old or new (the chip did not answer the write). The device has no working identity until this completes:
  stsafe-cli --bus $bus provision --force --device-id dev-1 --ca-cert ca.pem --ca-key ca.key --slot 1 --zone 1$psa" \
      "$(cat stderr)"
check "bus: the server cut the Update" "1" "$(grep -c 'fault: brown-out during the NVM write' s1.log)"
# The chip is in that state: slot 1 holds the key printed in step 2, zone 1 as before.
check "bus, Update cut: slot 1 holds a key" "0200ffff0001000400082a8648ce3d030107010100150" \
      "$("$CLI" --bus "$bus" query keys --raw | cut -c1-45)"
digest=$(zeros 31)01
sig=$("$CLI" --bus "$bus" sign --slot 1 --digest "$digest")
check "bus, Update cut: it is the new key of step 2" "valid" \
      "$("$CLI" --bus "$bus" verify --curve p256 --pubkey "$pub" --digest "$digest" --signature "$sig")"
check "bus, Update cut: zone 1 as before (empty)" "$(zeros 200)" "$("$CLI" --bus "$bus" read --zone 1 --length 200)"
# The printed command, pasted as it is (its bus, its words), completes it.
printed=$(tail -1 stderr | sed 's/^  stsafe-cli //')
check "bus: the printed command completes the provisioning" " rc=0" \
      "$(eval "run \"\$CLI\" $printed" | tail -c 5)"
check "bus: now provisioned" "0" "$("$CLI" --bus "$bus" pubkey --slot 1 >/dev/null; echo $?)"

# --bus, the second Update cut: the zone holds the first 200 bytes of the certificate.
serve s2
bus="unix:$dir/s2.sock"
out=$(run "$CLI" --bus "$bus" --fault "brownout=$((first_update + 1))" --trace bus2.trace "${args[@]}")
check "bus, 2nd Update cut: exit 1" " rc=1" "${out: -5}"
check "bus, 2nd Update cut: one Update went through" \
      "Query OK,Query OK,Generate Key OK,Generate Signature OK,Update OK,Update no answer" "$(steps bus2.trace)"
len=$(cert_len "$out")
check "bus, 2nd Update cut: what state the chip is in" \
"stsafe-cli: provisioning failed in step 5: slot 1 now holds a NEW key (the slot was empty); zone 1 holds the first 200 of the new certificate's $len bytes; bytes 200 on may be old or new (the chip did not answer the write). The device has no working identity until this completes:" \
      "$(sed -n 2p stderr)"
check "bus, 2nd Update cut: zone 1 holds the first 200 bytes written" "$(update_data bus2.trace 1)" \
      "$("$CLI" --bus "$bus" read --zone 1 --length 200)"
check "bus, 2nd Update cut: bytes 200 on as before (the cut undid the write)" "$(zeros 200)" \
      "$("$CLI" --bus "$bus" read --zone 1 --offset 200 --length 200)"

# Step 6 (the check) writes nothing: reset=K cuts its first command, K the
# index of the first command after the certificate's Updates in the good run.
after_updates=$(( $(tr ',' '\n' <<<"$good" | grep -n '^Update OK$' | tail -n 1 | cut -d: -f1) + 1 ))
check "the check begins with command 8" "8" "$after_updates"
out=$(run "$CLI" --image chip.img --fault "reset=$after_updates" --trace check.trace "${args[@]}")
check "image, check cut: exit 1" " rc=1" "${out: -5}"
check "image, check cut: every Update went through" \
      "Query OK,Query OK,Generate Key OK,Generate Signature OK,Update OK,Update OK,Update OK,Query no answer" \
      "$(steps check.trace)"
check "image, check cut: why" \
"stsafe-cli: fault: reset mid-command: the chip lost the command, restarted and will not answer
stsafe-cli: cert read: query partition: device stayed busy past the retry budget
stsafe-cli: chip.img was not changed: provisioning commits the image only when every step succeeded" "$(cat stderr)"
check "image, check cut: image unchanged" "same" "$(cmp -s before.img chip.img && echo same)"
serve s4
bus="unix:$dir/s4.sock"
out=$(run "$CLI" --bus "$bus" --fault "reset=$after_updates" --trace bus4.trace "${args[@]}")
check "bus, check cut: exit 1" " rc=1" "${out: -5}"
check "bus, check cut: every Update went through" \
      "Query OK,Query OK,Generate Key OK,Generate Signature OK,Update OK,Update OK,Update OK,Query no answer" \
      "$(steps bus4.trace)"
len=$(cert_len "$out")
pub=$(new_pubkey "$out")
check "bus, check cut: what state the chip is in" \
"stsafe-cli: cert read: query partition: device stayed busy past the retry budget
stsafe-cli: provisioning failed in step 6: slot 1 now holds a NEW key (the slot was empty); zone 1 holds the new certificate ($len bytes, every write answered), but step 6 could not check it. The device's identity is unchecked until this completes:
  stsafe-cli --bus $bus provision --force --device-id dev-1 --ca-cert ca.pem --ca-key ca.key --slot 1 --zone 1$psa" \
      "$(cat stderr)"
cert=$(update_data bus4.trace 1)$(update_data bus4.trace 2)$(update_data bus4.trace 3)
check "bus, check cut: the certificate is $len bytes" "$len" "$((${#cert} / 2))"
check "bus, check cut: zone 1 holds all of it" "$cert" \
      "$("$CLI" --bus "$bus" read --zone 1 --length 200)$("$CLI" --bus "$bus" read --zone 1 --offset 200 --length 200)$("$CLI" --bus "$bus" read --zone 1 --offset 400 --length $((len - 400)))"
sig=$("$CLI" --bus "$bus" sign --slot 1 --digest "$digest")
check "bus, check cut: slot 1 holds the new key of step 2" "valid" \
      "$("$CLI" --bus "$bus" verify --curve p256 --pubkey "$pub" --digest "$digest" --signature "$sig")"

# Generate Key's answer lost (--fault drop=K, K its index in the good run):
# the chip ran it. Before the fix stsafe-cli said "nothing was changed".
genkey=$(tr ',' '\n' <<<"$good" | grep -n -m1 '^Generate Key OK$' | cut -d: -f1)
check "Generate Key is command 3" "3" "$genkey"
out=$(run "$CLI" --image chip.img --fault "drop=$genkey" --trace drop.trace "${args[@]}")
check "image, Generate Key answer lost: exit 1" " rc=1" "${out: -5}"
check "image, Generate Key answer lost: the trace" "Query OK,Query OK,Generate Key no answer" "$(steps drop.trace)"
check "image, Generate Key answer lost: why" \
"stsafe-cli: fault: response dropped: reads NACKed until the next command
stsafe-cli: Generate Key: device stayed busy past the retry budget
stsafe-cli: chip.img was not changed: provisioning commits the image only when every step succeeded" "$(cat stderr)"
check "image, Generate Key answer lost: image unchanged" "same" "$(cmp -s before.img chip.img && echo same)"
serve s5
bus="unix:$dir/s5.sock"
out=$(run "$CLI" --bus "$bus" --fault "drop=$genkey" "${args[@]}")
check "bus, Generate Key answer lost: exit 1" " rc=1" "${out: -5}"
check "bus, Generate Key answer lost: what state the chip may be in" \
"stsafe-cli: fault: response dropped: reads NACKed until the next command
stsafe-cli: Generate Key: device stayed busy past the retry budget
stsafe-cli: provisioning failed in step 2: slot 1 may now hold a NEW key: Generate Key got no answer, and the chip may have run it (the slot was empty); zone 1 still holds what it held before, which does not match the new key. The device may have no working identity until this completes:
  stsafe-cli --bus $bus provision --force --device-id dev-1 --ca-cert ca.pem --ca-key ca.key --slot 1 --zone 1$psa" \
      "$(cat stderr)"
check "bus, Generate Key answer lost: the chip ran it (slot 1 holds a key)" \
      "0200ffff0001000400082a8648ce3d030107010100150" "$("$CLI" --bus "$bus" query keys --raw | cut -c1-45)"
check "bus, Generate Key answer lost: zone 1 as before (empty)" "$(zeros 200)" \
      "$("$CLI" --bus "$bus" read --zone 1 --length 200)"

# A slot that held a key (--force): the message says the old key is gone.
serve s3
bus="unix:$dir/s3.sock"
"$CLI" --bus "$bus" keygen --slot 1 --curve p256 >/dev/null
run "$CLI" --bus "$bus" --fault "brownout=$first_update" "${args[@]}" --force >/dev/null
check "bus, --force, Update cut: the old key is gone" \
      "stsafe-cli: provisioning failed in step 5: slot 1 now holds a NEW key (the old one is gone for good)" \
      "$(sed -n 2p stderr | cut -d";" -f1)"
finish
