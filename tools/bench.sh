#!/usr/bin/env bash
# tools/bench.sh (make bench): what mod_cors costs per request.
#
# Starts a throwaway httpd from build/bench/ on a free loopback port with
# three scopes serving the same small file:
#   /none/   no CORS policy (the baseline)
#   /small/  CorsAllowOrigin with one origin
#   /big/    1000 exact origins, 100 subdomain patterns and a regex
# and measures:
#   1. instructions per request of the whole server (valgrind callgrind;
#      the difference between 300 and 100 requests on one connection, so
#      start-up is not counted), and what each case adds over the /none/
#      baseline: repeatable, and shows that origin lookup does not grow
#      with the list;
#   2. throughput with wrk (requests per second; depends on the machine);
#   3. resident memory of the httpd processes before and after the load.
#
# Environment: BENCH_SECONDS (wrk duration per case, 5), BENCH_PORT.
set -euo pipefail

cd "$(dirname "$0")/.."
src=$(pwd)
root=$src/build/bench
apache2=${APACHE2:-/usr/sbin/apache2}
modules=/usr/lib/apache2/modules
seconds=${BENCH_SECONDS:-5}
user_line='#'
[ "$(id -u)" -eq 0 ] && user_line=''

free_port() {
    local port
    for port in $(seq "${BENCH_PORT:-18090}" 18190); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
    echo "bench: no free port in 18090-18190" >&2
    exit 1
}

port=$(free_port)
rm -rf "$root"
mkdir -p "$root/conf" "$root/logs" "$root/htdocs" "$root/callgrind"
# As root, httpd -X would switch to User nobody before callgrind writes its
# output; run the single-process httpd as nobody from the start instead.
as_user=
if [ "$(id -u)" -eq 0 ]; then
    as_user="runuser -u nobody --"
    chown nobody "$root/callgrind" "$root/logs"
fi
printf '{"ok":true}\n' >"$root/htdocs/x.json"
chmod -R a+rX "$root"

{
    for i in $(seq 1 1000); do echo "    CorsAllowOrigin https://o$i.example"; done
    for i in $(seq 1 100); do echo "    CorsAllowOrigin https://*.p$i.example"; done
} >"$root/conf/big-list.conf"

cat >"$root/conf/httpd.conf" <<EOF
ServerRoot $root
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $root/logs/httpd.pid
ErrorLog $root/logs/error_log
LogLevel warn
LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule mime_module $modules/mod_mime.so
LoadModule alias_module $modules/mod_alias.so
LoadModule cors_module $src/.libs/mod_cors.so
${user_line}User nobody
${user_line}Group nogroup
TypesConfig /etc/mime.types
KeepAliveTimeout 30
MaxKeepAliveRequests 0
DocumentRoot $root/htdocs
<Directory $root/htdocs>
    Require all granted
</Directory>
Alias /none $root/htdocs
Alias /small $root/htdocs
Alias /big $root/htdocs
<Location /small>
    CorsAllowOrigin https://a.example
    CorsAllowMethods GET PUT
</Location>
<Location /big>
    Include $root/conf/big-list.conf
    CorsAllowOriginMatch ^https://review-[0-9]+\.preview\.example$
    CorsAllowMethods GET PUT
</Location>
EOF
"$apache2" -t -f "$root/conf/httpd.conf" 2>&1 | grep -v '^Syntax OK' || true

url=http://127.0.0.1:$port
# name | path | extra curl/wrk headers (Origin first) | method
cases=(
    "no policy|/none/x.json|https://a.example|GET"
    "small list, allowed|/small/x.json|https://a.example|GET"
    "1000 origins, allowed (last)|/big/x.json|https://o1000.example|GET"
    "1000 origins, pattern|/big/x.json|https://x.y.p100.example|GET"
    "1000 origins, regex|/big/x.json|https://review-42.preview.example|GET"
    "1000 origins, refused|/big/x.json|https://evil.example|GET"
    "small list, preflight|/small/x.json|https://a.example|OPTIONS"
    "1000 origins, preflight|/big/x.json|https://o1000.example|OPTIONS"
)

# --- 1. instructions per request, with callgrind -------------------------
# The instructions of httpd -X after n requests on one connection.
cors_instructions() {
    local path=$1 origin=$2 method=$3 n=$4 out pid httpd_pid urls=() i
    out=$root/callgrind/out
    rm -f "$out" "$root/logs/httpd.pid"
    $as_user valgrind --tool=callgrind \
        --callgrind-out-file="$out" \
        "$apache2" -X -f "$root/conf/httpd.conf" >/dev/null 2>&1 &
    pid=$!
    for i in $(seq 1 200); do
        curl -s -o /dev/null "$url/none/x.json" && break
        sleep 0.2
    done
    for i in $(seq 1 "$n"); do urls+=("$url$path"); done
    curl -s -X "$method" -H "Origin: $origin" \
        -H 'Access-Control-Request-Method: PUT' "${urls[@]}" >/dev/null
    # the httpd under valgrind wrote its own PID; stop it and wait until
    # it is gone, so callgrind has written its output
    httpd_pid=$(cat "$root/logs/httpd.pid")
    kill -TERM "$httpd_pid"
    while kill -0 "$httpd_pid" 2>/dev/null; do sleep 0.2; done
    wait "$pid" 2>/dev/null || true
    awk '/^summary:|^totals:/ { print $2; exit }' "$out"
}

echo "mod_cors benchmark on 127.0.0.1:$port ($(nproc) cores)"
echo
echo "1. Instructions per request (callgrind, whole httpd; + over no policy)"
printf '   %-32s %12s %10s\n' case instructions added
baseline=
for c in "${cases[@]}"; do
    IFS='|' read -r name path origin method <<<"$c"
    lo=$(cors_instructions "$path" "$origin" "$method" 100)
    hi=$(cors_instructions "$path" "$origin" "$method" 300)
    per=$(( (hi - lo) / 200 ))
    baseline=${baseline:-$per}
    printf '   %-32s %12d %+10d\n' "$name" "$per" $(( per - baseline ))
done

# --- 2. throughput with wrk, 3. memory ------------------------------------
"$apache2" -f "$root/conf/httpd.conf" -k start
trap 'kill -TERM "$(cat "$root/logs/httpd.pid")" 2>/dev/null || true' EXIT
for i in $(seq 1 50); do
    curl -s -o /dev/null "$url/none/x.json" && break
    sleep 0.1
done
pid=$(cat "$root/logs/httpd.pid")

rss_kib() {
    local pids
    pids=$(ps --ppid "$pid" -o pid= | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
    ps -o rss= -p "$pid${pids:+,$pids}" | awk '{ s += $1 } END { print s }'
}

before=$(rss_kib)
echo
echo "2. Throughput (wrk -t2 -c16 -d${seconds}s; depends on the machine)"
printf '   %-32s %12s\n' case requests/s
for c in "${cases[@]}"; do
    IFS='|' read -r name path origin method <<<"$c"
    cat >"$root/wrk.lua" <<EOF
wrk.method = "$method"
wrk.headers["Origin"] = "$origin"
wrk.headers["Access-Control-Request-Method"] = "PUT"
EOF
    rps=$(wrk -t2 -c16 -d"${seconds}s" -s "$root/wrk.lua" "$url$path" \
          | awk '/^Requests\/sec:/ { print $2 }')
    printf '   %-32s %12s\n' "$name" "$rps"
done
after=$(rss_kib)
echo
echo "3. Resident memory of httpd (parent and children)"
echo "   before load: ${before} KiB, after load: ${after} KiB"
