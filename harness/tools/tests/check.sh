# SPDX-License-Identifier: BSD-3-Clause
# Shared by the shell tests (sourced): counters, check and run.
# The sourcing script sets $dir (a scratch folder) before calling run.
pass=0
fail=0

check() { # check NAME EXPECTED ACTUAL
    if [ "$2" == "$3" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        printf 'FAIL %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"
    fi
}

run() { # run CMD...: prints stdout, then "rc=N"; stderr goes to $dir/stderr
    local out rc
    out=$("$@" 2>"$dir/stderr")
    rc=$?
    printf '%s rc=%d' "$out" "$rc"
}

finish() { # the summary line, and the exit status
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}

# For the tests that start servers: a scratch folder $dir, the servers' PIDs
# in $pids (append each), and a trap that stops them and removes $dir.
scratch_with_servers() {
    dir=$(mktemp -d)
    pids=()
    trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$dir"' EXIT
}

wait_port() { # wait_port PORT: a server listens on 127.0.0.1:PORT, or give up after 10 s
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$(basename "$0"): nothing listens on port $1"
    return 1
}
