#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The encoding of every certificate and CSR kind the tools write, as
# openssl asn1parse shows it (issue 17): ecdsa-with-SHA256 with no NULL
# after it (RFC 5758 3.2), twice in a certificate (TBS and outside), once
# in a CSR; openssl still verifies each. The image made by the old code
# (vectors/traces/golden.img) shows the NULL, and stsafe-emu info says so.
# ROUTE (4th argument) is the build's route to the chip's key, which
# provision's zone-1 certificate and the CSR need: pk-table (mbedTLS 2.28),
# psa (provision --psa, csr --psa: mbedTLS 3.6 with PSA_CRYPTO_SE_C) or none
# (Debian's packaged 3.6): those two kinds are then reported skipped.
set -u
EMU=$(realpath "$1")
CLI=$(realpath "$2")
VECTORS=$(realpath "$3")
ROUTE=${4:-pk-table}
case "$ROUTE" in
    pk-table) psa=() ;;
    psa) psa=(--psa) ;;
    none) ;;
    *) echo "test_x509: route '$ROUTE': pk-table, psa or none"; exit 2 ;;
esac
command -v openssl >/dev/null || { echo "test_x509: 'openssl' is missing (ci/lib.sh installs it)"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
source "$(dirname "$0")/check.sh"
cd "$dir"

# sigalgs FILE.pem: each ecdsa-with OID of the object and the line after it,
# as "OID -> NEXT" (offsets and depths dropped)
sigalgs() {
    openssl asn1parse -in "$1" | grep -A1 ':ecdsa-with' | grep -v '^--$' |
        sed -E 's/^ *[0-9]+:d=[0-9]+ +hl=[0-9]+ +l= *[0-9]+ +(prim|cons): +//; s/ +$//' | paste -d'>' - - |
        sed 's/>/ -> /'
}
pem_of_zone() { "$CLI" --image "$1" cert read --zone "$2" --pem | sed -n '/BEGIN/,$p'; }

"$EMU" init chip.img >/dev/null
"$CLI" ca init --out ca >/dev/null
"$CLI" ca issue --ca-cert ca.pem --ca-key ca.key --cn localhost --out server >/dev/null
pem_of_zone chip.img 0 >zone0.pem
kinds="zone0.pem chip.img.ca.pem ca.pem server.pem"
if [ "$ROUTE" != none ]; then
    "$CLI" --image chip.img provision "${psa[@]}" --device-id demo-device-01 --ca-cert ca.pem --ca-key ca.key >/dev/null
    check "provision ${psa[*]}" "0" "$?"
    pem_of_zone chip.img 1 >zone1.pem
    "$CLI" --image chip.img csr "${psa[@]}" --device-id demo-device-02 --out device.csr >/dev/null
    check "csr ${psa[*]}" "0" "$?"
    kinds="$kinds zone1.pem"
else
    echo "test_x509: provision's zone-1 certificate and the CSR: skipped: they sign with the chip's key, and this build has no route to it (the pk table needs mbedTLS 2.28, --psa an mbedTLS 3.6 with PSA_CRYPTO_SE_C; docs/mbedtls.md)"
fi
hex_der() { openssl "$1" -in "$2" -outform DER | od -An -tx1 -v | tr -d ' \n'; }

cert_algs="OBJECT            :ecdsa-with-SHA256 -> SEQUENCE
OBJECT            :ecdsa-with-SHA256 -> BIT STRING"
for f in $kinds; do
    check "$f: ecdsa-with-SHA256 without NULL, in the TBS and outside" "$cert_algs" "$(sigalgs $f)"
    check "$f: no NULL at all" "0" "$(openssl asn1parse -in $f | grep -c 'prim: NULL')"
    # the exact bytes: 30 0a 06 08 2a 86 48 ce 3d 04 03 02, twice in a certificate
    check "$f: the AlgorithmIdentifier's bytes, twice" "2" "$(hex_der x509 $f | grep -o '300a06082a8648ce3d040302' | wc -l)"
    check "$f: nowhere the NULL form" "0" "$(hex_der x509 $f | grep -c '300c06082a8648ce3d0403020500')"
done

# and every one still verifies, with openssl
check "zone 0 verifies with the image's test CA" "zone0.pem: OK" "$(openssl verify -CAfile chip.img.ca.pem zone0.pem 2>&1)"
check "ca issue verifies" "server.pem: OK" "$(openssl verify -CAfile ca.pem server.pem 2>&1)"
if [ "$ROUTE" != none ]; then
    check "device.csr: ecdsa-with-SHA256 without NULL" "OBJECT            :ecdsa-with-SHA256 -> BIT STRING" "$(sigalgs device.csr)"
    check "device.csr: no NULL at all" "0" "$(openssl asn1parse -in device.csr | grep -c 'prim: NULL')"
    check "device.csr: the AlgorithmIdentifier's bytes, once" "1" "$(hex_der req device.csr | grep -o '300a06082a8648ce3d040302' | wc -l)"
    check "zone 1 verifies with the CA" "zone1.pem: OK" "$(openssl verify -CAfile ca.pem zone1.pem 2>&1)"
    check "the CSR's signature (made by the chip)" "Certificate request self-signature verify OK" \
          "$(openssl req -in device.csr -verify -noout 2>&1)"
fi

# an image made before issue 17: the NULL is there, info says so, nothing breaks
cp "$VECTORS/traces/golden.img" old.img
pem_of_zone old.img 0 >old0.pem
check "old image: the NULL after ecdsa-with" "OBJECT            :ecdsa-with-SHA256 -> NULL
OBJECT            :ecdsa-with-SHA256 -> NULL" "$(sigalgs old0.pem)"
check "old image: info says so" \
      "  zone 0: 482 bytes DER, signature ecdsa-with-SHA256, explicit NULL parameter: the old encoding, refused by strict X.509 stacks; have a CA re-sign it (docs/provisioning.md)" \
      "$("$EMU" info old.img | grep '^  zone 0: ')"
# zone 0 from init, zone 1 from provision (when this build can provision)
check "new image: info says RFC 5758" "$([ "$ROUTE" = none ] && echo 1 || echo 2)" \
      "$("$EMU" info chip.img | grep -c '^  zone [01]: [0-9]* bytes DER, signature ecdsa-with-SHA256, parameters absent (RFC 5758)$')"


# re-signing the old device certificate (docs/provisioning.md): same subject
# and key, the CA's signature in the new encoding, stored in zone 2
out=$("$CLI" ca issue --ca-cert ca.pem --ca-key ca.key --cert old0.pem --out resigned)
check "re-sign: ca issue --cert" "re-signed CN=STSAFE-A110 0102030405060708AA, OU=STSAFE-A110, O=stsafe-emu (the key of 'old0.pem') by CN=stsafe-emu Demo CA, O=stsafe-emu: resigned.pem" "$out"
check "re-sign: no key file" "no" "$([ -e resigned.key ] && echo yes || echo no)"
check "re-sign: RFC 5758" "$cert_algs" "$(sigalgs resigned.pem)"
check "re-sign: verifies with the CA" "resigned.pem: OK" "$(openssl verify -CAfile ca.pem resigned.pem 2>&1)"
check "re-sign: same subject" "$(openssl x509 -in old0.pem -noout -subject)" "$(openssl x509 -in resigned.pem -noout -subject)"
check "re-sign: same public key" "$(openssl x509 -in old0.pem -noout -pubkey)" "$(openssl x509 -in resigned.pem -noout -pubkey)"
check "cert write into zone 2" "certificate ($(openssl x509 -in resigned.pem -outform DER | wc -c) bytes DER) stored in zone 2" \
      "$("$CLI" --image old.img cert write --zone 2 resigned.pem)"
check "zone 2 reads back as the file" "$(cat resigned.pem)" "$(pem_of_zone old.img 2)"
check "info: zone 0 old, zone 2 new" "2" "$("$EMU" info old.img | grep -c '^  zone [02]: ')"
cp old.img before.img
check "cert write: zone 0 is never writable" " rc=1" "$(run "$CLI" --image old.img cert write --zone 0 resigned.pem)"
check "cert write: the chip's status" "stsafe-cli: Update: chip status 0x11 (access condition not satisfied)" "$(cat "$dir/stderr")"
check "cert write: counter zone" " rc=1stsafe-cli: zone 5 is a counter zone; a certificate needs a plain zone" \
      "$(run "$CLI" --image old.img cert write --zone 5 resigned.pem)$(cat "$dir/stderr")"
check "cert write: not a certificate" " rc=1stsafe-cli: 'old.img' is not a PEM or DER certificate" \
      "$(run "$CLI" --image old.img cert write --zone 2 old.img)$(cat "$dir/stderr")"
check "refusals changed nothing" "same" "$(cmp -s before.img old.img && echo same)"

finish
