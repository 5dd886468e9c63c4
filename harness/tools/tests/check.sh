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

gnutls_netns() { # gnutls_netns NAME ARGS...: runs the calling script again, with ARGS, in a
    # network namespace of its own whose only interface is loopback (unshare -rn; no root needed):
    # gnutls-serv has no option to bind one address. Returns once inside, loopback up.
    local name=$1 tool
    shift
    for tool in gnutls-serv unshare ip; do
        command -v "$tool" >/dev/null || {
            echo "$name: '$tool' is missing (ci/lib.sh installs it: gnutls-bin, util-linux, iproute2)"; exit 1; }
    done
    if [ -z "${STSE_GNUTLS_NETNS:-}" ]; then
        STSE_GNUTLS_NETNS=1 exec unshare -rn "$0" "$@"
    fi
    ip link set lo up || { echo "$name: cannot bring loopback up in the namespace"; exit 1; }
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

# start_broker PORT TLS_VERSION: Mosquitto on 127.0.0.1:PORT over TLS
# (tlsv1.2 or tlsv1.3) with $dir's ca.pem, server.pem and server.key; it
# requires a client certificate and takes its CN as the user name. Its log
# is $dir/broker.log; its PID goes in $pids.
start_broker() {
    cat >"$dir/broker.conf" <<CONF
per_listener_settings true
listener $1 127.0.0.1
cafile $dir/ca.pem
certfile $dir/server.pem
keyfile $dir/server.key
require_certificate true
use_identity_as_username true
tls_version $2
allow_anonymous false
persistence false
log_dest file $dir/broker.log
log_type all
CONF
    [ "$(id -u)" -eq 0 ] && echo "user root" >>"$dir/broker.conf" # keys are root's; the broker would drop to 'mosquitto'
    mosquitto -c "$dir/broker.conf" >"$dir/broker.out" 2>&1 &
    pids+=($!)
}

wait_port() { # wait_port PORT: a server listens on 127.0.0.1:PORT, or give up after 10 s
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$(basename "$0"): nothing listens on port $1"
    return 1
}
