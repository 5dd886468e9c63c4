# SPDX-License-Identifier: BSD-3-Clause
# Shared by the ci/ scripts: package installation and the standard builds.
# Sourced, not run.

STSE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STSE_JOBS=${STSE_JOBS:-$(nproc 2>/dev/null || echo 2)}

# Debian packages the build and the tests need.
# gnutls-bin: gnutls-serv, the third TLS peer; iproute2 + util-linux: its private
# loopback-only network namespace (test_gnutls.sh). i2c-tools: test_i2ctools.sh.
# pkg-config, help2man, dpkg-dev, ccache: the install, man pages, .deb and consumer builds.
# tshark: test_pcapng.sh reads the pcapng export back.
# jq: test_psa_driver_json.sh checks the opaque driver's JSON description.
STSE_PACKAGES=(cmake make gcc clang libclang-rt-14-dev libmbedtls-dev libcmocka-dev openssl mosquitto
               gnutls-bin iproute2 util-linux i2c-tools pkg-config help2man dpkg-dev ccache tshark jq)

log() { printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Install whichever of the packages are missing; needs root for that.
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "ci: missing Debian packages: ${missing[*]}" >&2
        echo "ci: install them (sudo apt-get install ${missing[*]}) or run this script as root" >&2
        return 1
    fi
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # tshark pulls in wireshark-common, which asks whether non-root users may
    # capture: answer it beforehand (no), or the install stops to ask.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
}

# build_tree DIR CC [extra cmake args...]: configure and build one tree,
# printing the build's progress every 20 % (the whole log in DIR.build.log,
# and its errors on failure).
build_tree() {
    local dir=$1 cc=$2
    shift 2
    mkdir -p "$(dirname "$dir")"
    cmake -S "$STSE_ROOT" -B "$dir" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
          -DSTSE_EMU_WERROR=ON "$@" >"$dir.configure.log" 2>&1 \
        || { cat "$dir.configure.log"; return 1; }
    local rc
    # STSE_BUILD_TARGETS: build only these targets (a stage that needs a few)
    # shellcheck disable=SC2086
    { cmake --build "$dir" -j "$STSE_JOBS" ${STSE_BUILD_TARGETS:+--target $STSE_BUILD_TARGETS} 2>&1
      echo $? >"$dir.build.rc"; } | tee "$dir.build.log" |
        awk '/^\[ *[0-9]+%\]/ { p = substr($0, 2) + 0; if (p >= next_p) { printf "    build %3d%%\n", p; fflush(); next_p = p - p % 20 + 20 } }'
    rc=$(cat "$dir.build.rc")
    if [ "$rc" -ne 0 ]; then
        echo "ci: the build of $dir failed; its errors ($dir.build.log):" >&2
        grep -E -A3 'error|Error' "$dir.build.log" | head -60 >&2
        return "$rc"
    fi
    echo "    built $dir ($(grep -c '^\[ *[0-9]*%\] Built target' "$dir.build.log") targets)"
}

# ---- stages: a line when each starts, a summary table at the end ----------------
# stage NAME CMD...: runs CMD as one stage of a CI script. CMD (or a script it
# runs) may call stage_note TEXT to give the stage's count ("35 tests").
STSE_STAGES=()
STSE_TESTS_PASSED=0
STSE_TESTS_SKIPPED=0
STSE_TESTS_FAILED=0
stage() {
    local name=$1 note_file rc=0 t0=$SECONDS
    shift
    note_file=$(mktemp)
    log "$name"
    STSE_STAGE_NOTE=$note_file "$@" || rc=$?
    STSE_STAGES+=("$name|$([ "$rc" -eq 0 ] && echo ok || echo FAILED)|$(cat "$note_file")|$((SECONDS - t0))")
    rm -f "$note_file"
    return "$rc"
}
stage_note() { if [ -n "${STSE_STAGE_NOTE:-}" ]; then printf '%s' "$*" >"$STSE_STAGE_NOTE"; fi; }

# run_ctest DIR [ctest args...]: ctest with its output, the count as the stage's note.
run_ctest() {
    local dir=$1 rc line
    shift
    { ctest --test-dir "$dir" --output-on-failure -j "$STSE_JOBS" "$@" 2>&1; echo $? >"$dir/ctest.rc"; } |
        tee "$dir/ctest.log"
    rc=$(cat "$dir/ctest.rc")
    line=$(grep -E '^[0-9]+% tests passed' "$dir/ctest.log" | tail -1)
    local total failed skipped
    total=$(sed -n 's/.* out of \([0-9]*\).*/\1/p' <<<"$line")
    failed=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed.*/\1/p' <<<"$line")
    # one progress line per skipped test ("N/M Test #K: name ...***Skipped");
    # ctest names them again in its closing list, which is not counted
    skipped=$(grep -cE '^ *[0-9]+/[0-9]+ +Test +#[0-9]+: .*(\*\*\*Skipped|\*\*\*Not Run)' "$dir/ctest.log" || true)
    STSE_TESTS_PASSED=$((STSE_TESTS_PASSED + ${total:-0} - ${failed:-0} - ${skipped:-0}))
    STSE_TESTS_SKIPPED=$((STSE_TESTS_SKIPPED + ${skipped:-0}))
    STSE_TESTS_FAILED=$((STSE_TESTS_FAILED + ${failed:-0}))
    stage_note "${total:-?} tests, ${failed:-?} failed$([ "${skipped:-0}" -gt 0 ] && echo ", $skipped skipped")"
    return "$rc"
}

# The table of the stages run so far, their counts and wall times.
stage_summary() {
    local total=0 entry name result note secs
    log "summary"
    printf '%-44s %-7s %-40s %8s\n' stage result count time
    for entry in "${STSE_STAGES[@]}"; do
        IFS='|' read -r name result note secs <<<"$entry"
        printf '%-44s %-7s %-40s %6d s\n' "$name" "$result" "$note" "$secs"
        total=$((total + secs))
    done
    printf '%-44s %-7s %-40s %6d s (%d min %02d s)\n' "all stages" "" "" "$total" $((total / 60)) $((total % 60))
}
