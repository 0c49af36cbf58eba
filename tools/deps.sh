#!/usr/bin/env bash
# tools/deps.sh TARGET...: make sure the Debian packages a make target needs
# are installed. As root, missing ones are installed with apt-get; otherwise
# the script prints the apt-get command to run and fails.
#
#   tools/deps.sh test          packages for `make test`
#   tools/deps.sh demo          packages for `make demo`
#   tools/deps.sh deb           Build-Depends of debian/control (and
#                               build-essential) for `make deb`
#   tools/deps.sh package       what tools/test-package.sh runs
#   tools/deps.sh --list test   print the package names only
#
# DEPS_NO_INSTALL=1 only checks, even as root.
#
# To add a dependency, add the package name to the target's list in TARGETS
# below. If its presence is not simply "dpkg says it is installed", also give
# it a probe in PROBES (a shell command that succeeds when it is usable).
set -euo pipefail

# The module links against libpsl (libpsl-dev) and checks wildcard origins
# against the public suffix list, whose current copy is the publicsuffix
# package. make fuzz builds only cors_match.c, which needs neither.
declare -A TARGETS=(
    [build]="apache2-dev libpsl-dev"
    [test]="apache2 apache2-dev libpsl-dev publicsuffix libapache2-mod-perl2
            libwww-perl curl chromium varnish"
    [demo]="apache2 apache2-dev libpsl-dev publicsuffix curl"
    [bench]="apache2 apache2-dev libpsl-dev publicsuffix curl wrk valgrind"
    [fuzz]="apache2-dev libpsl-dev clang libclang-rt-14-dev"
    # Keep in step with Build-Depends in debian/control: dpkg-buildpackage
    # checks them (dpkg-checkbuilddeps) and stops if one is missing.
    [deb]="build-essential debhelper dpkg-dev apache2-dev libpsl-dev"
    [package]="apache2 curl lintian iproute2 binutils"
    [asan]="apache2-dev libpsl-dev clang libclang-rt-14-dev"
    [soak]="apache2 apache2-dev libpsl-dev publicsuffix curl wrk"
)

# How to tell a package is usable. A package without a probe is checked
# with dpkg-query.
declare -A PROBES=(
    [apache2]="test -x /usr/sbin/apache2"
    [apache2-dev]="command -v \"${APXS:-apxs}\""
    [libpsl-dev]="pkg-config --exists libpsl || test -f /usr/include/libpsl.h"
    [libapache2-mod-perl2]="perl -MApache::Test -e1"
    [libwww-perl]="perl -MLWP::UserAgent -e1"
    [curl]="command -v curl"
    [chromium]="command -v chromium"
    [varnish]="test -x /usr/sbin/varnishd"
    [wrk]="command -v wrk"
    [valgrind]="command -v valgrind"
    [clang]="command -v clang"
    [lintian]="command -v lintian"
    [iproute2]="command -v ss"
    [binutils]="command -v objdump"
)

present() {
    local pkg=$1
    if [ -n "${PROBES[$pkg]:-}" ]; then
        eval "${PROBES[$pkg]}" >/dev/null 2>&1
    else
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
            | grep -q 'install ok installed'
    fi
}

list_only=0
if [ "${1:-}" = "--list" ]; then
    list_only=1
    shift
fi
if [ $# -eq 0 ]; then
    echo "usage: $0 [--list] TARGET... (targets: ${!TARGETS[*]})" >&2
    exit 2
fi

wanted=()
for target in "$@"; do
    if [ -z "${TARGETS[$target]+set}" ]; then
        echo "$0: unknown target '$target' (known: ${!TARGETS[*]})" >&2
        exit 2
    fi
    for pkg in ${TARGETS[$target]}; do
        case " ${wanted[*]:-} " in
            *" $pkg "*) ;;
            *) wanted+=("$pkg") ;;
        esac
    done
done

if [ "$list_only" = 1 ]; then
    echo "${wanted[*]}"
    exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
    present "$pkg" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || [ -n "${DEPS_NO_INSTALL:-}" ]; then
    echo "missing: ${missing[*]} ; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update </dev/null
apt-get install -y "${missing[@]}" </dev/null

still=()
for pkg in "${missing[@]}"; do
    present "$pkg" || still+=("$pkg")
done
if [ ${#still[@]} -ne 0 ]; then
    echo "deps: still missing after apt-get install: ${still[*]}" >&2
    exit 1
fi
