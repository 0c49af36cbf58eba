#!/usr/bin/env bash
# tools/run-tests.sh [t/TEST.PL options and test files]: run the Apache::Test
# suite against the module built in .libs/ and exit with the suite's status.
#
#   tools/run-tests.sh                          whole suite
#   tools/run-tests.sh -verbose t/preflight.t   one file, TAP shown
#
# Apache::Test refuses to run as root. As root this script copies the work
# tree (without .git, build/ and t/logs) to a temporary directory owned by
# TEST_USER (default nobody), runs the suite there as that user, copies the
# copy's t/logs back to ./t/logs and removes the copy (KEEP_TEST_DIR=1 keeps
# it). As any other user it runs in place.
#
# Environment: APXS (default apxs), PERL (default perl), TEST_USER,
# KEEP_TEST_DIR, APACHE_TEST_PORT (Apache::Test's first port; by default
# the first of 8529, 8549, 8569, ... with that port and the 19 after it free,
# so that two suites can run at once; the suite's vhosts take the ports after
# the first).
#
# CORS_TEST_SO: the module to test, relative to the tree or absolute
# (default .libs/mod_cors.so); as root, its directory is copied along when
# relative (make test-asan: build/asan/). CORS_TEST_HTTPD: the httpd to
# start, relative to the tree or absolute, e.g. a wrapper script (default:
# Apache::Test's choice, the apache2 that apxs names). CORS_TEST_LOGLEVEL:
# the test server's LogLevel, debug (default) or trace8 (see t/TEST.PL).
set -euo pipefail

cd "$(dirname "$0")/.."
APXS=${APXS:-apxs}
PERL=${PERL:-perl}

apxs_path=$(command -v "$APXS") || {
    echo "run-tests: $APXS not found (Debian package apache2-dev)" >&2
    exit 1
}
so=${CORS_TEST_SO:-.libs/mod_cors.so}
if [ ! -f "$so" ] || [ mod_cors.c -nt "$so" ] || [ cors_match.c -nt "$so" ]
then
    echo "run-tests: $so is missing or older than its sources;" \
         "run make first (make test does)" >&2
    exit 1
fi

# pick_port FIRST: print the first base port >= FIRST (8529 + 20k) with it
# and the 19 ports after it free, checked as Apache::Test checks a port (bind
# on INADDR_ANY). Apache::Test's own "-port select" does not work: the test
# processes select again and pick a different port than the server's.
pick_port() {
    "$PERL" -MSocket=:all -e '
        BASE: for (my $base = $ARGV[0]; $base < 8929; $base += 20) {
            for my $port ($base .. $base + 19) {
                socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
                setsockopt($s, SOL_SOCKET, SO_REUSEADDR, pack("l", 1));
                bind($s, sockaddr_in($port, INADDR_ANY)) or next BASE;
                close $s;
            }
            print $base;
            exit 0;
        }
        exit 1;' "$1" || {
        echo "run-tests: no 20 free ports in $1-8928" >&2
        return 1
    }
}

tmp=
out=$(mktemp "${TMPDIR:-/tmp}/mod_cors-test-out.XXXXXX")

cleanup() {
    local pidfile pid
    rm -f "$out"
    [ -n "$tmp" ] || return 0
    # A test server left behind by an interrupted run is ours: stop it by PID
    # (Apache, and the varnishd that t/cache_varnish.t starts).
    for pidfile in "$tmp/t/logs/httpd.pid" "$tmp/t/logs/varnish/varnishd.pid"
    do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
        fi
    done
    if [ -n "${KEEP_TEST_DIR:-}" ]; then
        echo "run-tests: kept $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run_once() {
    if [ -z "$tmp" ]; then
        # Drop any cached configuration so t/conf is generated afresh.
        "$PERL" t/TEST.PL -clean >/dev/null
        local httpd_args=()
        case ${CORS_TEST_HTTPD:-} in
            '') ;;
            /*) httpd_args=(-httpd "$CORS_TEST_HTTPD") ;;
            *) httpd_args=(-httpd "$PWD/$CORS_TEST_HTTPD") ;;
        esac
        CORS_TEST_SO=$so "$PERL" t/TEST.PL -apxs "$apxs_path" \
            ${httpd_args[@]+"${httpd_args[@]}"} "$@"
    else
        runuser -u "$user" -- env HOME="$tmp" APXS="$apxs_path" PERL="$PERL" \
            APACHE_TEST_PORT="$APACHE_TEST_PORT" CORS_TEST_SO="$so" \
            CORS_TEST_HTTPD="${CORS_TEST_HTTPD:-}" \
            CORS_TEST_LOGLEVEL="${CORS_TEST_LOGLEVEL:-}" \
            bash "$tmp/tools/run-tests.sh" "$@"
    fi
}

if [ "$(id -u)" -eq 0 ]; then
    user=${TEST_USER:-nobody}
    group=$(id -gn "$user")
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/mod_cors-test.XXXXXX")
    tar -C . --exclude=./.git --exclude=./build --exclude=./t/logs -cf - . \
        | tar -C "$tmp" -xf -
    case $so in
        /*) ;;
        *) mkdir -p "$tmp/$(dirname "$so")"
           cp -r "$(dirname "$so")/." "$tmp/$(dirname "$so")/" ;;
    esac
    chown -R "$user:$group" "$tmp"
    echo "run-tests: running as root; running the suite as $user in $tmp"
fi

if [ -n "${APACHE_TEST_PORT:-}" ]; then
    # A port given by the user (or by the outer, root run) is used as is.
    status=0
    run_once "$@" || status=$?
else
    # Another suite may take the port between our check and the server's
    # start ("port N is in use"): then try the next free base port.
    first=8529
    for attempt in 1 2 3; do
        APACHE_TEST_PORT=$(pick_port "$first")
        export APACHE_TEST_PORT
        status=0
        run_once "$@" 2>&1 | tee "$out" || status=$?
        # Apache::Test then runs the tests against whatever server holds
        # the port, and they may even pass: never count such a run.
        if grep -q "port $APACHE_TEST_PORT is in use" "$out"; then
            status=1
            echo "run-tests: port $APACHE_TEST_PORT was taken meanwhile;" \
                 "trying another"
            first=$((APACHE_TEST_PORT + 20))
            continue
        fi
        break
    done
fi

if [ -n "$tmp" ] && [ -d "$tmp/t/logs" ]; then
    rm -rf t/logs
    cp -r "$tmp/t/logs" t/logs
    echo "run-tests: server logs copied to t/logs/"
fi
exit "$status"
