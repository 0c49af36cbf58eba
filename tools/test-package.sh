#!/usr/bin/env bash
# tools/test-package.sh (make test-package): install the Debian package built
# by make deb on this machine, check it with the system Apache, purge it, and
# check that nothing of it is left. Root only; make test-package first
# installs what it needs (tools/deps.sh package) and builds the package.
#
#  1. lintian on the .deb: no errors (warnings are shown).
#  2. dpkg -i: the files are where Debian puts a module's, the postinst
#     enabled the module through apache2-maintscript-helper, Depends has the
#     Apache API and a package for every library the module links, and
#     `apache2ctl -t` passes. a2dismod and a2enmod cors work on it.
#  3. A CORS policy in a conf-available snippet (enabled with a2enconf) and
#     the system Apache (/usr/sbin/apache2 with /etc/apache2, started through
#     apache2ctl, which reads /etc/apache2/envvars) on a loopback port of its
#     own: a preflight, an actual request and a refused origin, with curl.
#  4. apt-get purge: no file, enabled link or state marker of the package
#     left, and Apache still passes `apache2ctl -t`, starts and stops.
#
# The Apache it starts must not take Debian's "Listen 80" from
# /etc/apache2/ports.conf: it runs with `-f` on a copy of apache2.conf
# without the "Include ports.conf" line, plus its own Listen 127.0.0.1:PORT,
# PidFile, ErrorLog and DefaultRuntimeDir in a temporary directory. It is
# stopped by the PID in that PidFile. ports.conf and apache2.conf are never
# written. On exit (also on failure or Ctrl-C) the script stops its server,
# removes its snippet and purges the package if it installed it, and then
# checks that /etc/apache2 is as it found it.
#
# It refuses to run when the package is installed (or removed but not
# purged), when a mod_cors installed by make install is present, or when
# another run holds its lock: it purges only what it installed itself.
#
# The package's maintainer scripts ask invoke-rc.d to restart a running
# system Apache, as every libapache2-mod-* package's do; with Docker's
# policy-rc.d (exit 101) or no init system nothing is restarted.
#
# Environment: TEST_PACKAGE_PORT (first port to try, default 18610; the next
# free port on 127.0.0.1 is used), KEEP_TEST_DIR=1 (keep the temporary
# directory with the server's logs).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
pkg=libapache2-mod-cors
confdir=/etc/apache2
statedir=/var/lib/apache2
snippet_name=mod-cors-package-test
snippet=$confdir/conf-available/$snippet_name.conf
moddir=/usr/lib/apache2/modules
docdir=/usr/share/doc/$pkg
lock=/run/lock/mod-cors-test-package.lock
first_port=${TEST_PACKAGE_PORT:-18610}

checks=0
failures=0
ok() { checks=$((checks + 1)); echo "ok $checks - $1"; }
not_ok() {
    checks=$((checks + 1))
    failures=$((failures + 1))
    echo "not ok $checks - $1"
}
# check DESCRIPTION COMMAND...: run COMMAND, count and print the outcome.
check() {
    local description=$1
    shift
    if "$@"; then ok "$description"; else not_ok "$description"; fi
}
die() { echo "test-package: $*" >&2; exit 1; }
# run COMMAND...: run COMMAND with its output indented as a comment; its
# exit status is COMMAND's.
run() {
    local rc=0
    "$@" >"$tmp/run.log" 2>&1 || rc=$?
    sed 's/^/#   /' "$tmp/run.log"
    return "$rc"
}

# --- refuse to touch someone else's install -------------------------------

[ "$(id -u)" -eq 0 ] \
    || die "must run as root: it installs and purges $pkg" \
           "(sudo make test-package)"
mkdir -p "${lock%/*}"
exec 9>"$lock"
flock -n 9 || die "another test-package run holds $lock"

status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
case "$status" in
    ""|"unknown ok not-installed"|*" not-installed") ;;
    *) die "$pkg is on this machine ($status); this test installs and" \
           "purges it, so it refuses to touch an existing install. Remove" \
           "it first (apt-get purge $pkg) if it is yours to remove." ;;
esac
for file in "$moddir/mod_cors.so" "$confdir/mods-available/cors.load" \
            "$confdir/mods-available/cors.conf"; do
    if [ -e "$file" ]; then
        die "$file exists (make install?); the package would replace it and" \
            "its purge delete it. Remove it first: a2dismod cors; rm" \
            "$moddir/mod_cors.so $confdir/mods-available/cors.load" \
            "$confdir/mods-available/cors.conf"
    fi
done
[ ! -e "$snippet" ] \
    || die "$snippet exists (left by an earlier run?); remove it" \
           "(a2disconf $snippet_name; rm $snippet)"

version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
deb=$src/build/deb/${pkg}_${version}_${arch}.deb
[ -f "$deb" ] || die "no $deb: run make deb (make test-package does)"

tmp=$(mktemp -d /tmp/mod-cors-test-package.XXXXXX)
# The server's children (www-data) read the documents below it.
chmod 755 "$tmp"
mkdir -p "$tmp/htdocs/api" "$tmp/run"

# What the test may change, to compare at the end: every file, link and
# directory under /etc/apache2 with its target, mode and checksum, and the
# state marker directories a2enmod and a2enconf create.
snapshot_etc() {
    find "$confdir" -printf '%p %y %l %m\n' | sort
    find "$confdir" -type f -exec md5sum {} + | sort
}
snapshot_etc >"$tmp/etc.before"
marker_dirs_before=$(find "$statedir" -mindepth 2 -maxdepth 2 -type d | sort)

installed_by_us=0
server_pid=

# stop_server: stop the Apache this script started, by the PID in its
# PidFile, and wait until it has exited.
stop_server() {
    local pid i
    pid=$server_pid
    if [ -z "$pid" ] && [ -s "$tmp/apache2.pid" ]; then
        pid=$(cat "$tmp/apache2.pid")
    fi
    [ -n "$pid" ] || return 0
    # Only if it is still the server started with this script's config.
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null \
            | grep -qF -- "-f $tmp/apache2.conf"; then
        kill -TERM "$pid"
        for i in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "test-package: apache2 $pid did not stop" >&2
            return 1
        fi
    fi
    server_pid=
    rm -f "$tmp/apache2.pid"
}

cleanup() {
    local rc=$? dir
    set +e
    stop_server
    if [ -e "$confdir/conf-enabled/$snippet_name.conf" ]; then
        a2disconf -q -p "$snippet_name" >/dev/null
    fi
    rm -f "$snippet"
    if [ "$installed_by_us" = 1 ] \
            && dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
               | grep -qv 'not-installed'; then
        echo "test-package: purging $pkg after a failure"
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$pkg" \
            </dev/null >/dev/null
    fi
    # Marker directories that a2enmod/a2dismod/a2enconf created, if empty.
    for dir in $(find "$statedir" -mindepth 2 -maxdepth 2 -type d); do
        if ! grep -qxF "$dir" <<<"$marker_dirs_before"; then
            rmdir "$dir" 2>/dev/null
        fi
    done
    snapshot_etc >"$tmp/etc.after"
    if ! diff -u "$tmp/etc.before" "$tmp/etc.after" >"$tmp/etc.diff"; then
        echo "test-package: /etc/apache2 differs from before the test:" >&2
        cat "$tmp/etc.diff" >&2
        rc=1
    fi
    if [ "${KEEP_TEST_DIR:-}" = 1 ] || [ "$rc" -ne 0 ]; then
        echo "test-package: logs kept in $tmp"
    else
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# port_free PORT: nothing listens on PORT, on 127.0.0.1 or on every address.
port_free() {
    perl -MSocket -e '
        for my $addr (INADDR_LOOPBACK, INADDR_ANY) {
            socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
            bind($s, sockaddr_in($ARGV[0], $addr)) or exit 1;
        }' "$1"
}

ports_include='^[[:space:]]*Include[[:space:]]+ports\.conf[[:space:]]*$'
# write_server_conf PORT: the top-level config of the server the test
# starts: Debian's apache2.conf (mods-enabled, conf-enabled, sites-enabled
# from /etc/apache2, which stays the ServerRoot) without ports.conf.
write_server_conf() {
    local port=$1
    if [ "$(grep -cE "$ports_include" "$confdir/apache2.conf")" != 1 ]; then
        die "$confdir/apache2.conf has no single 'Include ports.conf' line" \
            "to leave out"
    fi
    {
        echo "# Written by mod_cors's tools/test-package.sh:"
        echo "# $confdir/apache2.conf without 'Include ports.conf', and a"
        echo "# loopback port of its own."
        grep -vE "$ports_include" "$confdir/apache2.conf"
        echo
        echo "Listen 127.0.0.1:$port"
        echo "ServerName 127.0.0.1"
        echo "PidFile $tmp/apache2.pid"
        echo "DefaultRuntimeDir $tmp/run"
        echo "ErrorLog $tmp/error.log"
    } >"$tmp/apache2.conf"
}

# start_server: start the system Apache on the next free port from
# first_port (another program may take a port between the check and the
# start: then try the next one); sets port and server_pid.
start_server() {
    local tries i
    port=$first_port
    for tries in 1 2 3 4 5; do
        while ! port_free "$port"; do
            port=$((port + 1))
        done
        write_server_conf "$port"
        : >"$tmp/error.log"
        if apache2ctl -f "$tmp/apache2.conf" -k start >"$tmp/start.log" 2>&1
        then
            for i in $(seq 1 100); do
                [ -s "$tmp/apache2.pid" ] && break
                sleep 0.1
            done
            [ -s "$tmp/apache2.pid" ] || die "apache2 wrote no PidFile;" \
                "see $tmp/error.log"
            server_pid=$(cat "$tmp/apache2.pid")
            for i in $(seq 1 100); do
                curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
                sleep 0.1
            done
            die "apache2 ($server_pid) does not answer on 127.0.0.1:$port"
        fi
        if ! grep -q 'Address already in use' "$tmp/start.log" \
                "$tmp/error.log"; then
            cat "$tmp/start.log" >&2
            die "apache2 did not start; see $tmp/error.log"
        fi
        port=$((port + 1))
    done
    die "apache2 did not start: ports taken meanwhile 5 times"
}

# listening_addresses PID: the TCP addresses PID listens on, one a line.
listening_addresses() {
    ss -ltnpH | awk -v pid="pid=$1," 'index($0, pid) { print $4 }' | sort -u
}

# header NAME FILE: the value of response header NAME in curl's -D FILE.
header() {
    awk -v name="$1" '
        BEGIN { name = tolower(name) }
        { sub(/\r$/, "") }
        tolower(substr($0, 1, length(name) + 1)) == name ":" {
            value = substr($0, length(name) + 2)
            sub(/^[ \t]+/, "", value)
            print value
        }' "$2"
}
status_code() { awk 'NR == 1 { print $2 }' "$1"; }
# has_token LIST TOKEN: the comma-separated LIST holds TOKEN (any case).
has_token() {
    tr ',' '\n' <<<"$1" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' \
        | grep -qixF -- "$2"
}
no_marker_left() {
    [ -z "$(find "$statedir" -name "$1" 2>/dev/null)" ]
}

# --- 1. lintian -----------------------------------------------------------

echo "test-package: ${deb#"$src"/}"
echo "# lintian ${deb##*/}"
lintian_rc=0
lintian --fail-on error "$deb" >"$tmp/lintian.log" 2>&1 || lintian_rc=$?
sed '/^running with root privileges/d; s/^/#   /' "$tmp/lintian.log"
check "lintian: no errors" test "$lintian_rc" -eq 0

# --- 2. install -----------------------------------------------------------

echo "# dpkg -i ${deb##*/}"
installed_by_us=1
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" </dev/null \
    >"$tmp/dpkg.log" 2>&1 \
    || { cat "$tmp/dpkg.log"; die "dpkg -i failed"; }
sed 's/^/#   /' "$tmp/dpkg.log"

check "dpkg: $pkg $version installed" \
    test "$(dpkg-query -W -f='${Status} ${Version}' "$pkg")" \
         = "install ok installed $version"
for file in "$moddir/mod_cors.so" "$docdir/README.md.gz" \
            "$docdir/changelog.gz" "$docdir/copyright"; do
    check "installed: $file" test -f "$file"
done
for file in cors.load cors.conf; do
    check "installed: $confdir/mods-available/$file, as conf/$file" \
        cmp -s "$src/conf/$file" "$confdir/mods-available/$file"
    check "conffile: $confdir/mods-available/$file" \
        grep -qxF "$confdir/mods-available/$file" \
        "/var/lib/dpkg/info/$pkg.conffiles"
    check "enabled by the postinst: mods-enabled/$file" \
        test "$(readlink "$confdir/mods-enabled/$file")" \
             = "../mods-available/$file"
done
check "enabled through apache2-maintscript-helper (enabled_by_maint marker)" \
    test -f "$statedir/module/enabled_by_maint/cors"
check "a2query -m cors: enabled" a2query -q -m cors

depends=$(dpkg-query -W -f='${Depends}' "$pkg")
echo "# Depends: $depends"
check "Depends: the Apache module API (apache2-api-*)" \
    grep -qE '(^|, )apache2-api-[0-9]+' <<<"$depends"
# Every shared library the module links is in Depends through
# ${shlibs:Depends} (libc6 and libpsl5).
needed=$(objdump -p "$moddir/mod_cors.so" | awk '$1 == "NEEDED" { print $2 }')
for lib in $needed; do
    # (awk reads all its input: an early exit would kill the writer with
    # SIGPIPE, a failure under pipefail.)
    path=$(ldconfig -p \
           | awk -v lib="$lib" '$1 == lib && !seen++ { print $NF }')
    # dpkg knows the path it installed: /lib/... or, merged, /usr/lib/...
    owner=$({ dpkg-query -S "$path" 2>/dev/null \
              || dpkg-query -S "$(readlink -f "$path")" 2>/dev/null \
              || true; } | awk -F: '!seen++ { print $1 }')
    if [ -z "$owner" ]; then
        not_ok "Depends: no package found for $lib ($path)"
        continue
    fi
    check "Depends: $owner (for $lib)" \
        grep -qE "(^|, )$owner( |,|$)" <<<"$depends"
done

check "apache2ctl -t with the module enabled" run apache2ctl -t
run a2dismod cors
check "a2dismod cors: mods-enabled/cors.load gone" \
    test ! -e "$confdir/mods-enabled/cors.load" \
         -a ! -L "$confdir/mods-enabled/cors.load"
run a2enmod cors
check "a2enmod cors: mods-enabled/cors.load and cors.conf back" \
    test -L "$confdir/mods-enabled/cors.load" \
         -a -L "$confdir/mods-enabled/cors.conf"

# --- 3. a policy, the system Apache, curl ---------------------------------

printf '{"ok": true}\n' >"$tmp/htdocs/api/data.json"
chmod -R a+rX "$tmp/htdocs"
write_snippet() {
    cat >"$snippet" <<EOF
# Written by mod_cors's tools/test-package.sh for one test run and removed at
# its end (a2disconf $snippet_name; rm $snippet).
Alias /mod-cors-package-test "$tmp/htdocs"
<Directory "$tmp/htdocs">
    Require all granted
</Directory>
<Location /mod-cors-package-test/api>
    CorsAllowOrigin https://app.example.com
    CorsAllowMethods GET PUT
    CorsAllowHeaders Content-Type
    CorsExposeHeaders X-Request-Id
    CorsMaxAge 600
</Location>
EOF
}
write_snippet
run a2enconf "$snippet_name"
check "a2enconf $snippet_name: enabled" \
    test -L "$confdir/conf-enabled/$snippet_name.conf"
check "apache2ctl -t with the module and the policy" run apache2ctl -t

echo "# apache2ctl -f $tmp/apache2.conf -k start"
start_server
echo "# apache2 $server_pid on 127.0.0.1:$port"
check "apache2 listens on 127.0.0.1:$port only (not ports.conf's *:80)" \
    test "$(listening_addresses "$server_pid")" = "127.0.0.1:$port"
check "start-up notice names mod_cors/$version" \
    grep -qE "mod_cors/$version .*configured -- resuming normal operations" \
    "$tmp/error.log"

url=http://127.0.0.1:$port/mod-cors-package-test/api/data.json
origin=https://app.example.com

curl -s -o /dev/null -D "$tmp/preflight.h" -X OPTIONS -H "Origin: $origin" \
    -H 'Access-Control-Request-Method: PUT' \
    -H 'Access-Control-Request-Headers: content-type' "$url"
sed 's/^/#   /; s/\r$//' "$tmp/preflight.h"
check "preflight: 204" test "$(status_code "$tmp/preflight.h")" = 204
check "preflight: Access-Control-Allow-Origin: $origin" \
    test "$(header Access-Control-Allow-Origin "$tmp/preflight.h")" = "$origin"
check "preflight: Access-Control-Allow-Methods has PUT" \
    has_token "$(header Access-Control-Allow-Methods "$tmp/preflight.h")" PUT
check "preflight: Access-Control-Allow-Headers has Content-Type" \
    has_token "$(header Access-Control-Allow-Headers "$tmp/preflight.h")" \
        Content-Type
check "preflight: Access-Control-Max-Age: 600" \
    test "$(header Access-Control-Max-Age "$tmp/preflight.h")" = 600
check "preflight: Vary has Origin" \
    has_token "$(header Vary "$tmp/preflight.h" | paste -sd,)" Origin

curl -s -o "$tmp/actual.body" -D "$tmp/actual.h" -H "Origin: $origin" "$url"
sed 's/^/#   /; s/\r$//' "$tmp/actual.h"
check "actual GET: 200 and the file" \
    test "$(status_code "$tmp/actual.h")" = 200 \
    -a "$(cat "$tmp/actual.body")" = '{"ok": true}'
check "actual GET: Access-Control-Allow-Origin: $origin" \
    test "$(header Access-Control-Allow-Origin "$tmp/actual.h")" = "$origin"
check "actual GET: Access-Control-Expose-Headers: X-Request-Id" \
    has_token "$(header Access-Control-Expose-Headers "$tmp/actual.h")" \
        X-Request-Id
check "actual GET: Vary has Origin" \
    has_token "$(header Vary "$tmp/actual.h" | paste -sd,)" Origin

curl -s -o /dev/null -D "$tmp/refused.h" -H 'Origin: https://evil.example' \
    "$url"
check "refused origin: 200 without Access-Control-Allow-Origin" \
    test "$(status_code "$tmp/refused.h")" = 200 \
    -a -z "$(header Access-Control-Allow-Origin "$tmp/refused.h")"

stop_server
check "apache2 stopped" test -z "$server_pid"

# -p: leave no "disabled by admin" state marker behind either.
run a2disconf -p "$snippet_name"
rm -f "$snippet"
check "a2disconf $snippet_name: no link, no state marker left" \
    test ! -e "$confdir/conf-enabled/$snippet_name.conf" \
    -a -z "$(find "$statedir" -name "$snippet_name")"

# --- 4. purge -------------------------------------------------------------

dpkg-query -L "$pkg" | sort >"$tmp/files"
echo "# apt-get purge $pkg"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q -o Dpkg::Use-Pty=0 \
    "$pkg" </dev/null >"$tmp/purge.log" 2>&1 \
    || { cat "$tmp/purge.log"; die "apt-get purge failed"; }
sed '/^\(Reading\|Building\)/d; s/^/#   /' "$tmp/purge.log"
installed_by_us=0

check "dpkg: $pkg not installed, no config files kept" \
    test -z "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
               | grep -v 'not-installed')"
left=$(while IFS= read -r file; do
           if [ -f "$file" ] || [ -L "$file" ]; then echo "$file"; fi
       done <"$tmp/files")
check "no file of the package left${left:+ (left: $(echo $left))}" \
    test -z "$left"
check "no $docdir" test ! -e "$docdir"
for file in "$confdir/mods-available/cors.load" \
            "$confdir/mods-available/cors.conf"; do
    check "$file gone" test ! -e "$file"
done
check "no mods-enabled/cors.* link" \
    test -z "$(find "$confdir/mods-enabled" -name 'cors.*')"
check "no apache2-maintscript-helper or a2enmod state for cors left" \
    no_marker_left cors
check "apache2ctl -t after the purge" run apache2ctl -t

echo "# apache2ctl -f $tmp/apache2.conf -k start (without the module)"
start_server
check "apache2 starts after the purge, without mod_cors" \
    test -n "$server_pid" -a "$(listening_addresses "$server_pid")" \
         = "127.0.0.1:$port"
check "start-up notice without mod_cors" \
    bash -c "grep 'resuming normal operations' '$tmp/error.log' \
             | grep -qv mod_cors/"
stop_server
check "apache2 stopped" test -z "$server_pid"

echo
if [ "$failures" -ne 0 ]; then
    echo "test-package: FAIL ($failures of $checks checks failed)"
    exit 1
fi
echo "test-package: PASS ($checks checks)"
