#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# stsafe-emu --version and stsafe-cli --version: "TOOL VERSION" first, the
# mbedTLS, the licence; exit 0; the version is CMakeLists.txt's.
# Usage: test_version.sh STSAFE_EMU STSAFE_CLI VERSION
EMU=$1 CLI=$2 VERSION=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
source "$(dirname "$0")/check.sh"

for tool in "$EMU" "$CLI"; do
    name=$(basename "$tool")
    out=$(run "$tool" --version)
    check "$name --version: first line" "$name $VERSION" "$(head -1 <<<"$out")"
    check "$name --version: exit 0, nothing on stderr" "rc=0 0" "$(grep -o 'rc=[0-9]*$' <<<"$out") $(wc -c <"$dir/stderr")"
    check "$name --version: mbedTLS" "1" "$(grep -cE '^Built with mbedTLS [0-9.]+, running with mbedTLS [0-9.]+\.$' <<<"$out")"
    check "$name --version: licence" "1" "$(grep -c '^License BSD-3-Clause' <<<"$out")"
    check "$name --help lists --version" "1" "$(grep -c -- '--version' <<<"$("$tool" --help)")"
done
finish
