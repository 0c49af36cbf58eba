#!/usr/bin/env bash
# tools/soak.sh (make soak): mod_cors under sustained hostile load with
# graceful restarts.
#
# Starts a throwaway httpd from build/soak/ (event MPM, 4 children of 64
# threads) on a free loopback port with a realistic policy on /api/, and
# drives it with one wrk per kind of request at once (tools/soak.lua):
# allowed and refused GETs, malformed Origins, GETs without Origin, allowed
# and refused preflights, and preflights with ~8 KB of one-letter
# Access-Control-Request-Headers names. Time is cut into 10-second
# periods. The first is one steady 10 s run: the control for socket errors.
# Each later period is a 3 s run in which
# `apache2 -k graceful` restarts the server 0.5 s in, then a steady 7 s run:
# a graceful restart every 10 s, and the errors it causes fall in its own
# run.
#
# It passes when:
#   - every response has the status and Access-Control-Allow-Origin
#     expected for its kind (tools/soak.lua), and every kind was answered;
#   - no steady run has a socket error and no run has a timeout; connect,
#     read and write errors in the restart runs are the keep-alive
#     connections a graceful restart closes by design, counted apart;
#   - the error log shows no child crash ("exit signal", "Segmentation")
#     and there is no sanitizer report;
#   - the children's total resident memory 9 s into the first run is at
#     most 10% above its value 3 s in (a child leaking per request grows
#     with the requests it serves);
#   - 6 s into the last steady run, the last restart's 4 children are all
#     up, and their total resident memory is at most 10% above that of the
#     first restart's children at the same age, 6 s into the second steady
#     run (the warm-up: each restart replaces the children, so a leak at
#     each restart grows from one generation to the next);
#   - the parent's resident memory at the end is at most 10% above its
#     value after the first run (a leak at each restart, where it starts);
#   the three memory checks are skipped with ASAN=1 (see check_growth).
# Generations are compared only when born the same way. A child keeps the
# memory of the most connections it ever held at once (their pools stay
# for reuse, their threads' stacks touched): the children of a restart
# under load come up one by one, and the first up takes most of the 70
# reconnecting connections, ~40 KiB more each, while children forked
# before the load share it evenly; the first run's children were thus 5%
# (here) to 11% (CI) smaller than every later generation. And the parent's
# first graceful restart grows it once by a few hundred KiB (Apache's own,
# with or without mod_cors; later restarts do not), which each child's RSS
# counts again: the server is restarted once before the load.
# The summary is also written to build/soak/summary.txt.
#
# Environment: SOAK_SECONDS (60; whole periods of 10 s, at least 30),
# SOAK_CONNECTIONS (wrk connections in all, 70: 10 per kind), SOAK_PORT
# (first port tried, 18400), ASAN=1 (run build/asan/mod_cors.so through
# tools/asan-httpd; the Makefile builds it), SOAK_SO (another build of
# the module, absolute path), APACHE2.
set -euo pipefail

cd "$(dirname "$0")/.."
src=$(pwd)
apache2=${APACHE2:-/usr/sbin/apache2}
modules=/usr/lib/apache2/modules
seconds=${SOAK_SECONDS:-60}
segments=$((seconds / 10))
conns=${SOAK_CONNECTIONS:-70}
if [ "$segments" -lt 3 ]; then
    echo "soak: SOAK_SECONDS must be at least 30 (the control period" \
         "and two with a graceful restart, the warm-up and the last)" >&2
    exit 2
fi

# The children run as nobody (as root, below) and must reach the document
# root and the report directory: a checkout in a private directory (mktemp
# -d makes it 0700) is out of their reach, so those then live in a
# directory of their own, removed at exit.
www=
if [ "$(id -u)" -eq 0 ] && ! runuser -u nobody -- test -x "$src"; then
    www=$(mktemp -d "${TMPDIR:-/tmp}/mod_cors-soak.XXXXXX")
    chmod 755 "$www"
    trap 'rm -rf "$www"' EXIT
fi

if [ -n "${ASAN:-}" ]; then
    root=$src/build/soak-asan
    www=${www:-$root}
    so=${SOAK_SO:-$src/build/asan/mod_cors.so}
    ASAN_RUNTIME=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
    # a small quarantine: ASan's default 256 MB per process would be the
    # memory figure
    httpd=(env ASAN_RUNTIME="$ASAN_RUNTIME"
           ASAN_POOLS="$src/build/asan/asan-pools.so"
           SANITIZER_LOG="$www/sanitizer/report"
           ASAN_EXTRA=quarantine_size_mb=16 APACHE2="$apache2"
           "$src/tools/asan-httpd")
else
    root=$src/build/soak
    www=${www:-$root}
    so=${SOAK_SO:-$src/.libs/mod_cors.so}
    httpd=("$apache2")
fi
[ -f "$so" ] || { echo "soak: $so is missing (make soak builds it)" >&2; exit 1; }

# free_port FIRST: the first port >= FIRST that can be bound on 127.0.0.1
# (another suite's server may still take it before ours starts: then the
# start is retried on a later port)
free_port() {
    perl -MSocket=:all -e '
        for my $port ($ARGV[0] .. 18999) {
            socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
            setsockopt($s, SOL_SOCKET, SO_REUSEADDR, pack("l", 1));
            next unless bind($s, sockaddr_in($port, INADDR_LOOPBACK));
            print $port;
            exit 0;
        }
        exit 1;' "$1" || { echo "soak: no free port from $1" >&2; exit 1; }
}

port=$(free_port "${SOAK_PORT:-18400}")
rm -rf "$root"
mkdir -p "$root/conf" "$root/logs"
mkdir -p "$www/htdocs/api" "$www/sanitizer"
chmod 1777 "$www/sanitizer"
user_lines=
if [ "$(id -u)" -eq 0 ]; then
    user_lines=$'User nobody\nGroup nogroup'
fi
printf '{"ok":true}\n' >"$www/htdocs/api/data.json"
chmod -R a+rX "$www/htdocs"

write_conf() {
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
LoadModule headers_module $modules/mod_headers.so
LoadModule cors_module $so
$user_lines
TypesConfig /etc/mime.types
# 4 children, never fewer or more (the memory figure compares like with
# like), with room in the scoreboard for the old generation finishing its
# requests after a graceful restart. Each child has a thread for every wrk
# connection: the event MPM closes idle keep-alive connections of a child
# whose threads are all busy, which would count as socket errors.
StartServers 4
ServerLimit 8
ThreadsPerChild 64
MaxRequestWorkers 256
MinSpareThreads 16
MaxSpareThreads 256
MaxConnectionsPerChild 0
KeepAliveTimeout 30
MaxKeepAliveRequests 0
DocumentRoot $www/htdocs
<Directory $www/htdocs>
    Require all granted
</Directory>
# tools/soak.lua tells the kinds of responses apart by this header
Header always echo ^X-Soak-Kind\$
<Location /api>
    CorsAllowOrigin https://app.example https://admin.example
    CorsAllowOrigin https://*.partner.example
    CorsAllowOriginMatch ^https://review-[0-9]+[.]preview[.]example\$
    CorsAllowMethods GET POST PUT DELETE
    CorsAllowHeaders Content-Type X-Requested-With Authorization
    CorsExposeHeaders X-Request-Id
    CorsAllowCredentials On
    CorsMaxAge 600
</Location>
EOF
}
write_conf

pid=
stop_server() {
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    # the children check for leaks (ASan) as they exit: wait for them all
    for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    pid=
}
trap 'stop_server; [ "$www" = "$root" ] || rm -rf "$www"' EXIT

for attempt in 1 2 3; do
    if "${httpd[@]}" -f "$root/conf/httpd.conf" -k start 2>"$root/start.err"
    then
        break
    fi
    cat "$root/start.err" >&2
    grep -q 'Address already in use' "$root/start.err" && [ "$attempt" -lt 3 ] \
        || { echo "soak: apache2 did not start" >&2; exit 1; }
    port=$(free_port $((port + 1)))
    echo "soak: the port was taken meanwhile; trying $port"
    write_conf
done
url=http://127.0.0.1:$port
for _ in $(seq 1 100); do
    curl -s -o /dev/null "$url/api/data.json" && break
    sleep 0.1
done
pid=$(cat "$root/logs/httpd.pid")

# children_rss [MAX_AGE]: "<total KiB> <number of children>" of the
# children at most MAX_AGE seconds old: after a graceful restart, the
# current generation (the old one, 10 s older, may still be finishing
# requests). One second more: ps truncates the start time and the clock
# to whole seconds, so a child can show one second more than the whole
# seconds since the restart.
children_rss() {
    ps --ppid "$pid" -o etimes=,rss= | awk -v max="${1:-999998}" '
        $1 <= max + 1 { s += $2; n++ } END { print s + 0, n + 0 }'
}
parent_rss() {
    ps -o rss= -p "$pid" | awk '{ print $1 }'
}

kinds=(get_allowed get_refused get_malformed get_no_origin
       preflight_allowed preflight_refused preflight_hostile)
per_kind=$(( conns / ${#kinds[@]} ))
[ "$per_kind" -ge 1 ] || per_kind=1
conns=$(( per_kind * ${#kinds[@]} ))

# run NAME SECONDS [restart] [SAMPLE-AT...]: one wrk per kind for SECONDS;
# with "restart", a graceful restart 0.5 s in; with SAMPLE-AT, the memory
# figures that many seconds in (each counted from the one before), the
# last into $rss_sample and the one before into $rss_early.
run=0
run_wrk() {
    local name=$1 secs=$2 restart=${3:-} kind pids=() wait_s
    local sample_at=("${@:4}")
    run=$((run + 1))
    for kind in "${kinds[@]}"; do
        wrk -t1 -c"$per_kind" -d"${secs}s" --timeout 10s -s tools/soak.lua \
            "$url/api/data.json" -- "$kind" \
            >"$root/wrk.$run.$name.$kind.log" 2>&1 &
        pids+=($!)
    done
    if [ -n "$restart" ]; then
        sleep 0.5
        "${httpd[@]}" -f "$root/conf/httpd.conf" -k graceful
        restarts=$((restarts + 1))
        restarted_at=$(date +%s)
    fi
    for wait_s in "${sample_at[@]}"; do
        sleep "$wait_s"
        rss_early=$rss_sample
        rss_sample="$(children_rss $(( $(date +%s) - restarted_at )))"
        rss_sample="$rss_sample $(parent_rss) $(ps --ppid "$pid" -o pid= | wc -l)"
    done
    for p in "${pids[@]}"; do
        wait "$p" || { echo "soak: wrk failed:"; cat "$root"/wrk.$run.*.log; exit 1; }
    done
    awk -v run="$run" -v name="$name" '/^SOAK errors/ {
            r += $8; c += $4; rd += $5; w += $6; t += $7 }
        END { printf "  %2d %-7s %7d requests; socket errors: connect %d" \
                     " read %d write %d timeout %d\n", run, name, r, c, rd, w, t }' \
        "$root"/wrk.$run.*.log
}

echo "soak: ${seconds}s against $so on 127.0.0.1:$port;" \
     "${#kinds[@]} wrk at once, one per kind, $per_kind connections each;" \
     "a graceful restart every 10 s"
# a graceful restart before the load (see the top): wait until the first
# generation, idle, is gone and the new one is up
first_children=$(ps --ppid "$pid" -o pid= | tr -d ' ' | sort)
"${httpd[@]}" -f "$root/conf/httpd.conf" -k graceful
restarted_at=$(date +%s)
for _ in $(seq 1 100); do
    sleep 0.1
    children=$(ps --ppid "$pid" -o pid= | tr -d ' ' | sort)
    [ -z "$(comm -12 <(echo "$first_children") <(echo "$children"))" ] \
        && [ "$(echo "$children" | grep -c .)" -eq 4 ] \
        && curl -s -o /dev/null "$url/api/data.json" && break
done
restarts=0
rss_sample=
# the first 10 s: no restart (the control for socket errors)
run_wrk steady 10 "" 3 6
read -r early_rss early_n _ <<<"$rss_early"
read -r first_rss _ first_parent _ <<<"$rss_sample"
generations=
for period in $(seq 2 "$segments"); do
    run_wrk restart 3 restart
    run_wrk steady 7 "" 6
    generations="$generations ${rss_sample%% *}"
    if [ "$period" -eq 2 ]; then
        read -r warm_rss warm_n _ <<<"$rss_sample"
    fi
done
read -r end_rss end_n end_parent end_all <<<"$rss_sample"
stop_server

# --- verdict ---------------------------------------------------------------
summary=$root/summary.txt
fail=()
{
    echo "==================== soak summary ===================="
    echo "module: $so; ${seconds}s, $restarts graceful restarts," \
         "$conns connections"
    awk -v secs="$seconds" '
        /^SOAK kind/ {
            kind = $3; n = $7
            total[kind] += n
            if ($6 != 1) {
                bad[kind] += n; badall += n
                what[kind] = what[kind] " " $4 ($5 == 1 ? "" : "-acao") "x" n
            }
        }
        /^SOAK errors/ { requests += $8 }
        /^SOAK latency/ {
            if ($4 > p99[$3]) { p99[$3] = $4 }
            if ($5 > lmax[$3]) { lmax[$3] = $5 }
        }
        END {
            printf "requests: %d (%.0f/s)\n", requests, requests / secs
            printf "  %-18s %10s %8s %8s %8s  %s\n", "kind", "responses",
                   "per s", "p99 ms", "max ms", "unexpected (status[-acao]xcount)"
            n = split("get_allowed get_refused get_malformed get_no_origin " \
                      "preflight_allowed preflight_refused " \
                      "preflight_hostile", order, " ")
            for (i = 1; i <= n; i++) {
                k = order[i]; listed[k] = 1
                if (!(k in total)) { missing = missing " " k }
                printf "  %-18s %10d %8.0f %8.1f %8.1f  %s\n", k, total[k],
                       total[k] / secs, p99[k] / 1000, lmax[k] / 1000,
                       (k in bad) ? what[k] : "none"
            }
            for (k in total) {
                if (!(k in listed)) {
                    printf "  %-18s %10d %8.0f %8s %8s  %s\n", k,
                           total[k], total[k] / secs, "", "", what[k]
                }
            }
            printf "responses not as expected: %d\n", badall
            printf "kinds never answered:%s\n", missing ? missing : " none"
        }' "$root"/wrk.*.log
} >"$summary"

bad=$(awk '/^responses not as expected:/ { print $NF }' "$summary")
[ "$bad" = 0 ] || fail+=("$bad responses not as expected")
grep -q '^kinds never answered: none$' "$summary" \
    || fail+=("$(grep '^kinds never answered:' "$summary")")

# socket errors: none in a steady run; those of a restart run are the
# connections the graceful restart closed
read -r unexpected closed < <(awk '
    /^SOAK errors/ {
        socket = $4 + $5 + $6
        unexpected += $7
        if (FILENAME ~ /\.restart\./) { closed += socket }
        else { unexpected += socket }
    }
    END { print unexpected + 0, closed + 0 }' "$root"/wrk.*.log)
[ "$unexpected" -eq 0 ] || fail+=("$unexpected unexpected socket errors")

crashes=$(grep -cE 'exit signal|Segmentation|AH00052' "$root/logs/error_log" \
          || true)
[ "$crashes" -eq 0 ] || fail+=("$crashes child crashes in the error log")
reports=$(find "$www/sanitizer" -type f | wc -l)
[ "$reports" -eq 0 ] || fail+=("$reports sanitizer reports")

# like with like: all of the last restart's children up, as many as after
# the warm-up (an old generation still busy 6 s after a restart means
# requests that slow)
[ "$end_n" -eq "$warm_n" ] \
    || fail+=("$end_n of the $warm_n children of the last restart up" \
              "6 s after it, $((end_all - end_n)) older ones still busy")
# growth FROM TO: the change in percent, signed
growth() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f", (b - a) * 100 / a }'
}
# check_growth FROM TO WHAT: a failure if TO is more than 10% above FROM.
# Not under ASan: its quarantine and the unpooled allocations fill ASan's
# own memory for the first seconds or minutes, in the children and the
# parent alike; a leak there is LeakSanitizer's to report, at exit.
check_growth() {
    [ -z "${ASAN:-}" ] || return 0
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(b <= a * 1.10) }' \
        || fail+=("$3 grew by $(growth "$1" "$2")%")
}
check_growth "$early_rss" "$first_rss" \
    "the children's memory in the first run"
check_growth "$warm_rss" "$end_rss" "the children's memory"
check_growth "$first_parent" "$end_parent" "the parent's memory"

{
    echo "socket errors: $unexpected unexpected (timeouts, or outside a" \
         "restart); $closed in the 3 s runs with a graceful restart" \
         "($restarts restarts, $conns connections)"
    echo "child crashes: $crashes; sanitizer reports: $reports"
    echo "children's memory in the first run (RSS): $early_rss KiB" \
         "($early_n children) 3 s in, $first_rss KiB 9 s in:" \
         "$(growth "$early_rss" "$first_rss")%"
    echo "children's memory (RSS) of each restart's generation, 6 s into" \
         "its steady run:$generations KiB"
    echo "children's memory (RSS): $warm_rss KiB ($warm_n children) after" \
         "warm-up (the first restart), $end_rss KiB ($end_n children of" \
         "the last restart; $((end_all - end_n)) older ones still" \
         "finishing) at the end: $(growth "$warm_rss" "$end_rss")%"
    echo "parent's memory (RSS): $first_parent KiB after the first run," \
         "$end_parent KiB at the end: $(growth "$first_parent" "$end_parent")%"
    [ -z "${ASAN:-}" ] || echo "memory: not checked under ASan (its" \
         "quarantine and the unpooled allocations fill first)"
    echo "======================================================"
} >>"$summary"
cat "$summary"
if [ "$crashes" -ne 0 ]; then
    grep -E 'exit signal|Segmentation|AH00052' "$root/logs/error_log" | head
fi
if [ "$reports" -ne 0 ]; then
    find "$www/sanitizer" -type f | head -3 | xargs head -20
fi
if [ ${#fail[@]} -ne 0 ]; then
    printf 'soak: FAIL (%s)\n' "$(IFS=';'; echo "${fail[*]}")"
    exit 1
fi
echo "soak: PASS"
