#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The opaque driver's JSON description (harness/psa/driver/stsafe_opaque.json)
# with jq, no Python: well-formed; the fields mbedTLS 3.6's
# driver_opaque_schema.json requires, its "type" const and its "prefix" and
# "location" patterns (read from that schema with jq when its path is given:
# ci/build-mbedtls3's source tree; the same rules written here otherwise);
# every entry point one the driver implements, declared in opaque_driver.h
# under the name the wrapper generator gives it (PREFIX_TYPE_ENTRYPOINT);
# the location equal to STSAFE_OPAQUE_LOCATION; the size function declared.
# Usage: test_psa_driver_json.sh JSON HEADER [SCHEMA]
set -u
JSON=$1
HEADER=$2
SCHEMA=${3:-}
command -v jq >/dev/null || { echo "test_psa_driver_json: 'jq' is missing (ci/lib.sh installs it: apt-get install jq)"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
source "$(dirname "$0")/../../tools/tests/check.sh"

check "well-formed JSON" "0" "$(jq empty "$JSON" >/dev/null 2>&1; echo $?)"

# --- what the schema asks for ---
if [ -n "$SCHEMA" ] && [ -f "$SCHEMA" ]; then
    required=$(jq -r '.required[]' "$SCHEMA")
    type_const=$(jq -r '.properties.type.const' "$SCHEMA")
    prefix_re=$(jq -r '.properties.prefix.pattern' "$SCHEMA")
    location_re=$(jq -r '.properties.location.pattern' "$SCHEMA")
    cap_required=$(jq -r '.properties.capabilities.items[0].required[]' "$SCHEMA")
    echo "rules from $SCHEMA"
else
    required=$'prefix\ntype\nlocation\ncapabilities'
    type_const=opaque
    prefix_re='^[A-Z_a-z][0-9A-Z_a-z]*$'
    location_re='^(0x|0X)?[a-fA-F0-9]+$'
    cap_required=entry_points
    echo "rules written here (no schema path given)"
fi
for field in $required; do
    check "required field $field" "true" "$(jq --arg f "$field" 'has($f)' "$JSON")"
done
check "type" "$type_const" "$(jq -r '.type' "$JSON")"
check "prefix pattern" "true" "$(jq --arg re "$prefix_re" '.prefix | test($re)' "$JSON")"
check "location pattern" "true" "$(jq --arg re "$location_re" '.location | tostring | test($re)' "$JSON")"
for field in $cap_required; do
    check "every capability has $field" "true" "$(jq --arg f "$field" '[.capabilities[] | has($f)] | all' "$JSON")"
done
check "entry points are strings" "true" "$(jq '[.capabilities[].entry_points[] | type == "string"] | all' "$JSON")"
check "the key context named (mandatory for opaque drivers)" "true" "$(jq '.key_context | has("base_size")' "$JSON")"

# --- the JSON and the C header agree ---
prefix=$(jq -r '.prefix' "$JSON")
check "prefix" "stsafe" "$prefix"
loc=$(jq -r '.location' "$JSON")
check "location = STSAFE_OPAQUE_LOCATION (VENDOR_FLAG | 0x5A)" "$((0x80005A))" "$((loc))"
check "header defines the location as VENDOR_FLAG | 0x5A" "1" \
      "$(grep -c 'define STSAFE_OPAQUE_LOCATION ((psa_key_location_t)(PSA_KEY_LOCATION_VENDOR_FLAG | 0x5Au))' "$HEADER")"
want="export_key export_public_key generate_key get_builtin_key import_key key_agreement sign_hash verify_hash"
check "entry points" "$want" "$(jq -r '[.capabilities[].entry_points[]] | unique | join(" ")' "$JSON")"
for ep in $(jq -r '.capabilities[].entry_points[]' "$JSON"); do
    check "$ep declared as ${prefix}_opaque_$ep" "1" "$(grep -c "^psa_status_t ${prefix}_opaque_${ep}(" "$HEADER")"
done
fn=$(jq -r '.key_context.size_function' "$JSON")
check "size function $fn declared" "1" "$(grep -c "^size_t ${fn}(psa_key_type_t key_type, size_t key_bits);" "$HEADER")"
for m in $(jq -r '.key_context | .base_size, .builtin_key_size' "$JSON"); do
    check "$m defined" "1" "$(grep -c "^#define $m " "$HEADER")"
done
check "headers name opaque_driver.h" '["stsafe/psa/opaque_driver.h"]' "$(jq -c '.headers' "$JSON")"
finish
