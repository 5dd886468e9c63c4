#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Records vectors/traces/golden.trace: the session of golden-session.sh
# against a copy of golden.img, every message on one trace (--trace-append),
# with the datasheet timing so the host polls a busy chip as on a real bus.
# golden.img is not changed: replay starts from it.
# Usage: vectors/traces/record-golden.sh BUILD_DIR
# Remake the trace only after a change meant to change the wire; read the diff.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: record-golden.sh BUILD_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/golden.img" "$work/chip.img"
"$here/golden-session.sh" "$build/bin/stsafe-cli" --image "$work/chip.img" \
    --timing datasheet --timing-spread 0 --trace-secrets --trace-append "$work/golden.trace"
cp "$work/golden.trace" "$here/golden.trace"
echo "wrote $here/golden.trace ($(grep -c '^[0-9]' "$here/golden.trace") messages)"
