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
