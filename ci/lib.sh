# Shared by the ci/ scripts: package installation and the standard builds.
# Sourced, not run.

STSE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STSE_JOBS=${STSE_JOBS:-$(nproc 2>/dev/null || echo 2)}

# Debian packages the build and the tests need.
STSE_PACKAGES=(cmake make gcc clang libclang-rt-14-dev libmbedtls-dev libcmocka-dev openssl mosquitto tshark)

log() { printf '\n==> %s\n' "$*"; }

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

# build_tree DIR CC [extra cmake args...]: configure and build one tree.
build_tree() {
    local dir=$1 cc=$2
    shift 2
    cmake -S "$STSE_ROOT" -B "$dir" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
          -DSTSE_EMU_WERROR=ON "$@" >"$dir.configure.log" 2>&1 \
        || { cat "$dir.configure.log"; return 1; }
    cmake --build "$dir" -j "$STSE_JOBS"
}
