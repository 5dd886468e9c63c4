#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A third, independent TLS peer (issue 17): GnuTLS's gnutls-serv requiring
# and verifying a client certificate, TLS 1.2, the chip signing the
# handshake. The provisioned certificate (zone 1, the test's CA) and the
# image's own device certificate (zone 0, the image's test CA) must be
# accepted, and so must an image made before issue 17 (golden.img) once its
# device certificate is re-signed; a device whose certificate comes from
# another CA is refused.
# gnutls-serv has no option to bind one address (it listens on every
# interface), so the test runs in a network namespace of its own, whose
# only interface is loopback (unshare -rn; no root needed).
set -u
EMU=$(realpath "$1")
CLI=$(realpath "$2")
VECTORS=$(realpath "$3")
source "$(dirname "$0")/check.sh"
gnutls_netns test_gnutls "$@"
scratch_with_servers
cd "$dir"
base=$((20000 + ($$ % 20000)))
p_prov=$base; p_img=$((base + 1))

# --- credentials ---------------------------------------------------------------
"$CLI" ca init --out ca >/dev/null
"$CLI" ca issue --ca-cert ca.pem --ca-key ca.key --cn localhost --out server >/dev/null
"$EMU" init chip.img >/dev/null
"$CLI" --image chip.img provision --device-id demo-device-01 --ca-cert ca.pem --ca-key ca.key >/dev/null
check "provision" "0" "$?"
"$CLI" ca init --out other-ca --cn "Other CA" >/dev/null
"$EMU" init other.img >/dev/null
"$CLI" --image other.img provision --device-id rogue-device --ca-cert other-ca.pem --ca-key other-ca.key >/dev/null

# --- servers: client certificate required and verified, TLS 1.2 only ------------
serve() { # PORT TRUST LOG
    gnutls-serv -p "$1" --x509certfile server.pem --x509keyfile server.key --x509cafile "$2" \
        --require-client-cert --verify-client-cert --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' \
        --echo </dev/null >"$3" 2>&1 &
    pids+=($!)
}
serve "$p_prov" ca.pem prov.log
serve "$p_img" chip.img.ca.pem img.log
wait_port "$p_prov" && wait_port "$p_img" || exit 1

# --- the provisioned certificate (zone 1, slot 1) ---------------------------------
out=$("$CLI" --image chip.img tls-connect "localhost:$p_prov" --ca ca.pem --send "hello gnutls" 2>&1)
check "gnutls-serv: handshake" "TLS 1.2 handshake with localhost:$p_prov done: TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256" "$(head -1 <<<"$out")"
check "gnutls-serv: echo" "reply: hello gnutls" "$(grep '^reply:' <<<"$out")"
check "gnutls-serv: one chip signature" "1" "$(grep -c '^handshake: 1 chip signature' <<<"$out")"
sleep 0.3
check "gnutls-serv: certificate trusted" "1" "$(grep -c '^- Status: The certificate is trusted' prov.log)"
check "gnutls-serv: the device's CN" "1" "$(grep -c '^	Subject: CN=demo-device-01$' prov.log)"
check "gnutls-serv: issued by the test's CA" "1" "$(grep -c '^	Issuer: O=stsafe-emu,CN=stsafe-emu Demo CA$' prov.log)"
check "gnutls-serv: the chip signed CertificateVerify" "1" "$(grep -c '^- Client Signature: ECDSA-SHA256$' prov.log)"
check "gnutls-serv: TLS 1.2" "1" "$(grep -c '^- Version: TLS1.2$' prov.log)"

# --- the image's device certificate (zone 0, slot 0, written by init) ---------------
out=$("$CLI" --image chip.img tls-connect "localhost:$p_img" --ca ca.pem --zone 0 --slot 0 --send zone0 2>&1)
check "image certificate: handshake" "TLS 1.2 handshake with localhost:$p_img done: TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256" "$(head -1 <<<"$out")"
check "image certificate: echo" "reply: zone0" "$(grep '^reply:' <<<"$out")"
serial=$("$EMU" info chip.img | sed -n 's/^serial number: //p' | tr a-f A-F)
sleep 0.3
check "image certificate: trusted" "1" "$(grep -c '^- Status: The certificate is trusted' img.log)"
check "image certificate: its CN" "1" "$(grep -c "^	Subject: O=stsafe-emu,OU=STSAFE-A110,CN=STSAFE-A110 $serial\$" img.log)"

# --- an image made before issue 17: its zone-0 certificate re-signed by the CA ------
cp "$VECTORS/traces/golden.img" old.img
"$CLI" --image old.img cert read --zone 0 --pem | sed -n '/BEGIN/,$p' >old0.pem
"$CLI" ca issue --ca-cert ca.pem --ca-key ca.key --cert old0.pem --out resigned >/dev/null
"$CLI" --image old.img cert write --zone 2 resigned.pem >/dev/null
out=$("$CLI" --image old.img tls-connect "localhost:$p_prov" --ca ca.pem --zone 2 --slot 0 --send old 2>&1)
check "re-signed old certificate: handshake" "TLS 1.2 handshake with localhost:$p_prov done: TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256" "$(head -1 <<<"$out")"
check "re-signed old certificate: echo" "reply: old" "$(grep '^reply:' <<<"$out")"
sleep 0.3
check "re-signed old certificate: trusted" "2" "$(grep -c '^- Status: The certificate is trusted' prov.log)"
check "re-signed old certificate: its CN" "1" "$(grep -c '^	Subject: O=stsafe-emu,OU=STSAFE-A110,CN=STSAFE-A110 0102030405060708AA$' prov.log)"

# --- refused: a device certificate from another CA -----------------------------------
"$CLI" --image other.img tls-connect "localhost:$p_prov" --ca ca.pem >/dev/null 2>err.txt
check "another CA: refused" "1" "$?"
check "another CA: message" "stsafe-cli: the server refused the handshake: it does not accept this device's certificate or key (wrong CA, tampered certificate, or a key that does not match)" "$(head -1 err.txt)"
sleep 0.3
check "another CA: gnutls-serv's reason" "1" "$(grep -c '^Error in handshake: Error in the certificate\.$' prov.log)"
check "another CA: still two devices trusted" "2" "$(grep -c '^- Status: The certificate is trusted' prov.log)"

finish
