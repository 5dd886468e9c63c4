#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The PSA route end to end on loopback (docs/psa.md): a chip provisioned with
# `provision --psa` (the CSR signed through psa_sign_hash), then
# `tls-connect --psa` against openssl s_server requiring a client certificate
# (-Verify 1 -verify_return_error), in TLS 1.3 and in TLS 1.2. Checks the
# server saw the device's CN, and the chip's side of the bus (a --trace of
# the connection) holds exactly one Generate Signature per handshake;
# mqtt-publish --psa --tls1.3 to Mosquitto (require_certificate,
# use_identity_as_username). Then an untrusted server, and the ITS files a
# connection leaves (none for the key). The seed test's negative cases too,
# in TLS 1.2 and in TLS 1.3 (where the refusal comes after the handshake, so
# the client waits for the server's verdict: also against a server that sends
# no session ticket, where the wait ends at its bound and the client goes on).
set -u
EMU=$(realpath "$1")
CLI=$(realpath "$2")
for tool in openssl mosquitto; do
    command -v "$tool" >/dev/null || { echo "test_psa_tls: '$tool' is missing (ci/lib.sh installs it: apt-get install $tool)"; exit 1; }
done
source "$(dirname "$0")/../../tools/tests/check.sh"
scratch_with_servers
cd "$dir"
signatures() { grep -c '# command Generate Signature (0x16)' "$1"; }
p13=$((20000 + $$ % 20000))
p12=$((p13 + 1))
pmq=$((p13 + 2))
pnt=$((p13 + 3))

# --- credentials: a CA, a server certificate, a chip provisioned through PSA ---
"$CLI" ca init --out ca >/dev/null
"$CLI" ca issue --ca-cert ca.pem --ca-key ca.key --cn localhost --out server >/dev/null
"$EMU" init chip.img >/dev/null
out=$("$CLI" --image chip.img provision --psa --device-id psa-device-01 --ca-cert ca.pem --ca-key ca.key)
check "provision --psa" "0" "$?"
check "provision --psa: CSR signed by the chip" "yes" "$(grep -q '^3\. CSR for CN=psa-device-01 signed by the chip' <<<"$out" && echo yes)"
check "openssl accepts the zone's certificate" "stdin: OK" \
      "$("$CLI" --image chip.img cert read --zone 1 --pem | sed -n '/BEGIN/,$p' | openssl verify -CAfile ca.pem 2>&1)"
check "provision --psa leaves no key ITS file" "" "$(ls | grep -E '^0+2a1100..\.psa_its$')"

# --- servers: a client certificate required ------------------------------------
openssl s_server -accept "127.0.0.1:$p13" -cert server.pem -key server.key -CAfile ca.pem \
        -Verify 1 -verify_return_error -tls1_3 -rev </dev/null >s13.log 2>&1 &
pids+=($!)
openssl s_server -accept "127.0.0.1:$p12" -cert server.pem -key server.key -CAfile ca.pem \
        -Verify 1 -verify_return_error -tls1_2 -rev </dev/null >s12.log 2>&1 &
pids+=($!)
# a TLS 1.3 server that sends no NewSessionTicket: the client hears nothing
# after its Finished until it speaks (tls13_confirm() waits its 3 s bound)
openssl s_server -accept "127.0.0.1:$pnt" -cert server.pem -key server.key -CAfile ca.pem \
        -Verify 1 -verify_return_error -tls1_3 -num_tickets 0 -rev </dev/null >snt.log 2>&1 &
pids+=($!)
start_broker "$pmq" tlsv1.3
wait_port "$p13" && wait_port "$p12" && wait_port "$pmq" && wait_port "$pnt" || exit 1

# --- TLS 1.3 and 1.2 with the key in the chip, through PSA ------------------------
out=$("$CLI" --image chip.img --trace t13.trace tls-connect "localhost:$p13" --ca ca.pem --psa --tls1.3 \
      --send "hello over psa" 2>&1)
check "TLS 1.3 --psa: exit" "0" "$?"
check "TLS 1.3 --psa: handshake" "TLS 1.3 handshake with localhost:$p13 done: TLS1-3-AES-128-GCM-SHA256" "$(head -1 <<<"$out")"
check "TLS 1.3 --psa: reply" "reply: asp revo olleh" "$(grep '^reply:' <<<"$out")"
check "TLS 1.3 --psa: the route counted one signature" "1" "$(grep -c '^handshake: 1 chip signature' <<<"$out")"
check "TLS 1.3 --psa: the chip got one Generate Signature" "1" "$(signatures t13.trace)"
check "TLS 1.3 --psa: openssl saw the device's CN" "yes" "$(grep -q 'depth=0 CN = psa-device-01' s13.log && echo yes)"

out=$("$CLI" --image chip.img tls-connect "localhost:$pnt" --ca ca.pem --psa --tls1.3 --send "no ticket" 2>&1)
check "TLS 1.3 --psa, a server with no ticket: exit" "0" "$?"
check "TLS 1.3 --psa, a server with no ticket: handshake and reply" \
      "TLS 1.3 handshake with localhost:$pnt done: TLS1-3-AES-128-GCM-SHA256
reply: tekcit on" "$(grep -E '^(TLS|reply:)' <<<"$out")"

out=$("$CLI" --image chip.img --trace t12.trace tls-connect "localhost:$p12" --ca ca.pem --psa --tls1.2 \
      --send ping 2>&1)
check "TLS 1.2 --psa: exit" "0" "$?"
check "TLS 1.2 --psa: handshake" "TLS 1.2 handshake with localhost:$p12 done: TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256" "$(head -1 <<<"$out")"
check "TLS 1.2 --psa: reply" "reply: gnip" "$(grep '^reply:' <<<"$out")"
check "TLS 1.2 --psa: the chip got one Generate Signature" "1" "$(signatures t12.trace)"
check "TLS 1.2 --psa: openssl saw the device's CN" "yes" "$(grep -q 'depth=0 CN = psa-device-01' s12.log && echo yes)"

# --- MQTT over TLS 1.3 to Mosquitto (require_certificate, CN as user name) -------
out=$("$CLI" --image chip.img --trace mq.trace mqtt-publish "localhost:$pmq" --ca ca.pem --psa --tls1.3 \
      --topic devices/psa-device-01/events --message '{"temp":20.5}' 2>&1)
check "MQTT --psa --tls1.3: exit" "0" "$?"
check "MQTT --psa --tls1.3: handshake" "TLS 1.3 handshake with localhost:$pmq done: TLS1-3-AES-256-GCM-SHA384" "$(head -1 <<<"$out")"
check "MQTT --psa --tls1.3: steps" "MQTT CONNECT accepted (client id psa-device-01)
MQTT PUBLISH to 'devices/psa-device-01/events' acknowledged (PUBACK, QoS 1)" "$(grep '^MQTT' <<<"$out")"
check "MQTT --psa --tls1.3: the chip got one Generate Signature" "1" "$(signatures mq.trace)"
sleep 0.3
check "the broker took the CN as user name" "1" "$(grep -c "as psa-device-01 (.*u'psa-device-01')" broker.log)"

# The key's ITS file is gone after the connection (the PSA core's own file for
# the driver, named after the location 0x5A, may stay: it holds no key).
check "no key ITS file left" "" "$(ls | grep -E '^0+2a1100..\.psa_its$')"

# --- the seed test's negative cases on the PSA route (TLS 1.2: the server's
# refusal of a client certificate arrives within the handshake) -----------------
refused="stsafe-cli: the server refused the handshake: it does not accept this device's certificate or key (wrong CA, tampered certificate, or a key that does not match)"
"$CLI" ca init --out other-ca --cn "Other CA" >/dev/null
"$EMU" init other.img >/dev/null
"$CLI" --image other.img provision --psa --device-id rogue-device --ca-cert other-ca.pem --ca-key other-ca.key >/dev/null
"$CLI" --image other.img tls-connect "localhost:$p12" --ca ca.pem --psa --tls1.2 >/dev/null 2>err.txt
check "another CA: refused" "1" "$?"
check "another CA: message" "$refused" "$(head -1 err.txt)"
cp chip.img tampered.img
len=$("$CLI" --image tampered.img cert read --zone 1 | sed -n 's/^length: \([0-9]*\) bytes.*/\1/p')
byte=$("$CLI" --image tampered.img read --zone 1 --offset $((len - 3)) --length 1)
"$CLI" --image tampered.img update --zone 1 --offset $((len - 3)) "$(printf '%02x' $((0x$byte ^ 0x01)))" >/dev/null
"$CLI" --image tampered.img tls-connect "localhost:$p12" --ca ca.pem --psa --tls1.2 >/dev/null 2>err.txt
check "tampered certificate: refused" "1" "$?"
check "tampered certificate: message" "$refused" "$(head -1 err.txt)"
cp chip.img rekeyed.img
"$CLI" --image rekeyed.img keygen --slot 1 --curve p256 >/dev/null
"$CLI" --image rekeyed.img --trace rekeyed.trace tls-connect "localhost:$p12" --ca ca.pem --psa --tls1.2 >/dev/null 2>err.txt
check "mismatched key: refused" "1" "$?"
check "mismatched key: message" "$refused" "$(head -1 err.txt)"
check "mismatched key: the chip signed once (with its new key)" "1" "$(signatures rekeyed.trace)"

# --- the same over TLS 1.3: the server judges the client after the client's
# Finished, so tls-connect waits for its verdict (a ticket or an alert) -----------
after13() { printf '%s\nstsafe-cli: TLS 1.3: after the client'"'"'s Finished the server sent the fatal alert %s\n' "$refused" "$1"; }
"$CLI" --image other.img tls-connect "localhost:$p13" --ca ca.pem --psa --tls1.3 >out.txt 2>err.txt
check "TLS 1.3 another CA: refused" "1" "$?"
check "TLS 1.3 another CA: message" "$(after13 'unknown_ca (48)')" "$(cat err.txt)"
check "TLS 1.3 another CA: no success line" "" "$(cat out.txt)"
"$CLI" --image tampered.img tls-connect "localhost:$p13" --ca ca.pem --psa --tls1.3 >out.txt 2>err.txt
check "TLS 1.3 tampered certificate: refused" "1" "$?"
check "TLS 1.3 tampered certificate: message" "$(after13 'decrypt_error (51)')" "$(cat err.txt)"
"$CLI" --image rekeyed.img --trace rekeyed13.trace tls-connect "localhost:$p13" --ca ca.pem --psa --tls1.3 \
      >out.txt 2>err.txt
check "TLS 1.3 mismatched key: refused" "1" "$?"
check "TLS 1.3 mismatched key: message" "$(after13 'decrypt_error (51)')" "$(cat err.txt)"
check "TLS 1.3 mismatched key: the chip signed once (with its new key)" "1" "$(signatures rekeyed13.trace)"
"$CLI" --image other.img mqtt-publish "localhost:$pmq" --ca ca.pem --psa --tls1.3 \
      --topic devices/rogue-device/events --message x >out.txt 2>err.txt
check "MQTT --tls1.3 another CA: refused" "1" "$?"
check "MQTT --tls1.3 another CA: message" "$(after13 'unknown_ca (48)')" "$(cat err.txt)"
check "MQTT --tls1.3 another CA: nothing sent" "" "$(cat out.txt)"

# --- an untrusted server: refused before the chip signs ---------------------------
"$CLI" --image chip.img --trace bad.trace tls-connect "localhost:$p13" --ca other-ca.pem --psa --tls1.3 >/dev/null 2>err.txt
check "untrusted server: exit" "1" "$?"
check "untrusted server: message" "stsafe-cli: the server's certificate does not verify with --ca other-ca.pem: The certificate is not correctly signed by the trusted CA" "$(head -1 err.txt)"
check "untrusted server: no signature" "0" "$(signatures bad.trace)"
"$CLI" --image chip.img --trace bad12.trace tls-connect "localhost:$p12" --ca other-ca.pem --psa --tls1.2 >/dev/null 2>err.txt
check "TLS 1.2 untrusted server: exit" "1" "$?"
check "TLS 1.2 untrusted server: message" "stsafe-cli: the server's certificate does not verify with --ca other-ca.pem: The certificate is not correctly signed by the trusted CA" "$(head -1 err.txt)"
check "TLS 1.2 untrusted server: no signature" "0" "$(signatures bad12.trace)"

finish
