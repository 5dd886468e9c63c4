#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# GnuTLS's gnutls-serv as a peer of the PSA route (issue 17; the 2.28 route's
# TLS 1.2 is harness/tools/tests/test_gnutls.sh): TLS 1.3 only, a client
# certificate required and verified against the test's CA, echo mode. A chip
# provisioned with `provision --psa` connects with `tls-connect --psa
# --tls1.3`: the handshake and the echoed reply, gnutls-serv's log saying
# the device's certificate is trusted, and the chip's side of the bus (a
# --trace) holding exactly one Generate Signature. A device whose certificate
# comes from another CA is refused, with the server's alert named. The
# image's own device certificate (zone 0, slot 0, written by init) against a
# server trusting the image's test CA, and TLS 1.2 on this route, too.
# gnutls-serv has no option to bind one address (it listens on every
# interface), so the test runs in a network namespace of its own, whose
# only interface is loopback (unshare -rn; no root needed).
set -u
EMU=$(realpath "$1")
CLI=$(realpath "$2")
source "$(dirname "$0")/../../tools/tests/check.sh"
gnutls_netns test_psa_gnutls "$@"
scratch_with_servers
cd "$dir"
signatures() { grep -c '# command Generate Signature (0x16)' "$1"; }
port=$((20000 + $$ % 20000))
p_img=$((port + 1))
p12=$((port + 2))

# --- credentials: a CA, a server certificate, chips provisioned through PSA -----
"$CLI" ca init --out ca >/dev/null
"$CLI" ca issue --ca-cert ca.pem --ca-key ca.key --cn localhost --out server >/dev/null
"$EMU" init chip.img >/dev/null
"$CLI" --image chip.img provision --psa --device-id psa-device-01 --ca-cert ca.pem --ca-key ca.key >/dev/null
check "provision --psa" "0" "$?"
"$CLI" ca init --out other-ca --cn "Other CA" >/dev/null
"$EMU" init other.img >/dev/null
"$CLI" --image other.img provision --psa --device-id rogue-device --ca-cert other-ca.pem --ca-key other-ca.key >/dev/null
check "provision --psa with another CA" "0" "$?"

# --- gnutls-serv: client certificate required and verified, echo mode -------------
serve() { # PORT TRUST VERSION LOG
    gnutls-serv -p "$1" --x509certfile server.pem --x509keyfile server.key --x509cafile "$2" \
        --require-client-cert --verify-client-cert --priority "NORMAL:-VERS-ALL:+VERS-$3" \
        --echo </dev/null >"$4" 2>&1 &
    pids+=($!)
}
serve "$port" ca.pem TLS1.3 serv.log
serve "$p_img" chip.img.ca.pem TLS1.3 img.log
serve "$p12" ca.pem TLS1.2 s12.log
wait_port "$port" && wait_port "$p_img" && wait_port "$p12" || exit 1

# --- the provisioned certificate (zone 1), the key in the chip through PSA ---------
out=$("$CLI" --image chip.img --trace t13.trace tls-connect "localhost:$port" --ca ca.pem --psa --tls1.3 \
      --send "hello gnutls" 2>&1)
check "TLS 1.3 --psa: exit" "0" "$?"
check "TLS 1.3 --psa: handshake" "TLS 1.3 handshake with localhost:$port done: TLS1-3-AES-128-GCM-SHA256" "$(head -1 <<<"$out")"
check "TLS 1.3 --psa: echo" "reply: hello gnutls" "$(grep '^reply:' <<<"$out")"
check "TLS 1.3 --psa: the route counted one signature" "1" "$(grep -c '^handshake: 1 chip signature' <<<"$out")"
check "TLS 1.3 --psa: the chip got one Generate Signature" "1" "$(signatures t13.trace)"
sleep 0.3
check "gnutls-serv: certificate trusted" "1" "$(grep -c '^- Status: The certificate is trusted' serv.log)"
check "gnutls-serv: the device's CN" "1" "$(grep -c '^	Subject: CN=psa-device-01$' serv.log)"
check "gnutls-serv: issued by the test's CA" "1" "$(grep -c '^	Issuer: O=stsafe-emu,CN=stsafe-emu Demo CA$' serv.log)"
check "gnutls-serv: the chip signed CertificateVerify" "1" "$(grep -c '^- Client Signature: ECDSA-SECP256R1-SHA256$' serv.log)"
check "gnutls-serv: TLS 1.3" "1" "$(grep -c '^- Version: TLS1.3$' serv.log)"

# --- the image's device certificate (zone 0, slot 0, written by init) ---------------
out=$("$CLI" --image chip.img --trace img.trace tls-connect "localhost:$p_img" --ca ca.pem --psa --tls1.3 \
      --zone 0 --slot 0 --send zone0 2>&1)
check "image certificate: handshake" "TLS 1.3 handshake with localhost:$p_img done: TLS1-3-AES-128-GCM-SHA256" "$(head -1 <<<"$out")"
check "image certificate: echo" "reply: zone0" "$(grep '^reply:' <<<"$out")"
check "image certificate: the chip got one Generate Signature" "1" "$(signatures img.trace)"
serial=$("$EMU" info chip.img | sed -n 's/^serial number: //p' | tr a-f A-F)
sleep 0.3
check "image certificate: trusted" "1" "$(grep -c '^- Status: The certificate is trusted' img.log)"
check "image certificate: its CN" "1" "$(grep -c "^	Subject: O=stsafe-emu,OU=STSAFE-A110,CN=STSAFE-A110 $serial\$" img.log)"

# --- TLS 1.2 on the PSA route ---------------------------------------------------------
out=$("$CLI" --image chip.img --trace t12.trace tls-connect "localhost:$p12" --ca ca.pem --psa --tls1.2 \
      --send ping 2>&1)
check "TLS 1.2 --psa: handshake" "TLS 1.2 handshake with localhost:$p12 done: TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256" "$(head -1 <<<"$out")"
check "TLS 1.2 --psa: echo" "reply: ping" "$(grep '^reply:' <<<"$out")"
check "TLS 1.2 --psa: the chip got one Generate Signature" "1" "$(signatures t12.trace)"
sleep 0.3
check "TLS 1.2 --psa: trusted" "1" "$(grep -c '^- Status: The certificate is trusted' s12.log)"
check "TLS 1.2 --psa: the device's CN" "1" "$(grep -c '^	Subject: CN=psa-device-01$' s12.log)"
check "TLS 1.2 --psa: the chip signed CertificateVerify" "1" "$(grep -c '^- Client Signature: ECDSA-SHA256$' s12.log)"

# --- refused: a device certificate from another CA. In TLS 1.3 the server judges
# the client after the client's Finished: tls-connect waits for its verdict -------
"$CLI" --image other.img --trace other.trace tls-connect "localhost:$port" --ca ca.pem --psa --tls1.3 \
      --send x >out.txt 2>err.txt
check "another CA: refused" "1" "$?"
check "another CA: message" "stsafe-cli: the server refused the handshake: it does not accept this device's certificate or key (wrong CA, tampered certificate, or a key that does not match)
stsafe-cli: TLS 1.3: after the client's Finished the server sent the fatal alert access_denied (49)" "$(cat err.txt)"
check "another CA: no success line" "" "$(cat out.txt)"
check "another CA: the chip signed once" "1" "$(signatures other.trace)"
sleep 0.3
check "another CA: gnutls-serv's reason" "1" "$(grep -c '^Error in handshake: Error in the certificate\.$' serv.log)"
check "another CA: still one device trusted" "1" "$(grep -c '^- Status: The certificate is trusted' serv.log)"
check "no key ITS file left" "" "$(ls | grep -E '^0+2a1100..\.psa_its$')"

finish
