#!/usr/bin/env bash
# tools/bench.sh (make bench): what mod_cors costs per request, against the
# same Apache without it.
#
# One generated config, build/bench/conf/httpd.conf, started as separate
# servers that differ only in what -D defines select:
#   bare      Apache without mod_cors (the baseline)
#   CORS      mod_cors loaded, plus one policy on the URL measured:
#             POLICY_ONE (one origin, CorsAllowMethods PUT,
#             CorsAllowHeaders Content-Type Authorization), POLICY_ORIGINS
#             (1,000 exact origins), POLICY_PATTERNS (100 subdomain
#             patterns), POLICY_REGEX (CorsAllowOriginMatch), or none
#   RECIPE    mod_headers, mod_rewrite and mod_setenvif with the common
#             CORS recipe in one-origin (RECIPE_ONE) or SetEnvIf
#             multi-origin (RECIPE_MULTI) form
# Every server has the same <Directory> and <Location> sections (a policy
# on /elsewhere/ included), so the core walks the same configuration and
# the URL measured, /x.json (a 12-byte file), is the same everywhere.
#
# 1. Instructions per request under valgrind --tool=callgrind, apache2 -X:
#    the whole server, and inside mod_cors: the inclusive cost of every
#    call from outside mod_cors.so into it, less its own calls to
#    ap_pass_brigade and ap_get_brigade (a filter passing on to the next:
#    work the response costs with or without the module), computed from
#    the profile by tools/callgrind-inside.awk, so hook names do not
#    matter, and a hook calling another of mod_cors's (fixups invoking
#    the preflight handler) is counted once; checked against
#    callgrind_annotate on one profile.  Each figure is the difference
#    between N2 and N1 requests pipelined on one connection, divided by
#    N2-N1: start-up, warm-up and shutdown cancel.  Each variant is
#    compared with the bare server given the identical request (bare
#    answers a preflight as a plain OPTIONS).
# 2. Throughput with wrk: bare and mod_cors servers, loaded in turn, many
#    short runs; the median of the paired ratios mod_cors/bare.
# 3. Resident memory of the children of both servers before and after load.
#
# Prints a markdown table and one summary line "bench: ...", and writes the
# table to build/bench/result.md.
#
# Environment:
#   QUICK=1         fewer requests and shorter wrk runs: 1.5 to 2.5 minutes
#                   on 2 cores; the full run takes about 5 minutes there
#   BENCH_N1, BENCH_N2   requests per callgrind run (200 and 2000; QUICK
#                   50 and 250)
#   BENCH_ROUNDS, BENCH_SECONDS   wrk rounds and seconds per run (15 and 2;
#                   QUICK 5 and 1)
#   BENCH_JOBS      callgrind runs at a time (number of cores)
#   BENCH_PORT      first port to try (18400); ports are checked to be free
#   BENCH_KEEP=1    keep every callgrind profile (about 2.5 MB each), not
#                   only those of the one-origin GET
#   APACHE2         the httpd binary (/usr/sbin/apache2)
set -euo pipefail

cd "$(dirname "$0")/.."
src=$(pwd)
root=$src/build/bench
apache2=${APACHE2:-/usr/sbin/apache2}
modules=/usr/lib/apache2/modules
module_so=$src/.libs/mod_cors.so
# As root, the httpd under callgrind runs as nobody (below), which must
# reach the configuration, the module and the logs: a checkout in a private
# directory (mktemp -d makes it 0700) is out of its reach. Then the run
# happens in a directory of its own, and its result is copied back.
results=$root
if [ "$(id -u)" -eq 0 ] && ! runuser -u nobody -- test -x "$src"; then
    root=$(mktemp -d "${TMPDIR:-/tmp}/mod_cors-bench.XXXXXX")
    chmod 755 "$root"
    mkdir -p "$root/so"
    cp "$module_so" "$root/so/mod_cors.so"
    module_so=$root/so/mod_cors.so
fi
if [ -n "${QUICK:-}" ] && [ "${QUICK}" != 0 ]; then
    n1=${BENCH_N1:-50} n2=${BENCH_N2:-250}
    rounds=${BENCH_ROUNDS:-5} seconds=${BENCH_SECONDS:-1}
else
    n1=${BENCH_N1:-200} n2=${BENCH_N2:-2000}
    rounds=${BENCH_ROUNDS:-15} seconds=${BENCH_SECONDS:-2}
fi
jobs=${BENCH_JOBS:-$(nproc)}
# callers kept in each function's name in the profile; httpd's deepest
# chains are about 35 (callgrind-inside.awk reports any cut short)
depth=100
start_time=$SECONDS

if [ ! -f "$module_so" ]; then
    echo "bench: $module_so missing; run make" >&2
    exit 1
fi
if [ "$n2" -le "$n1" ]; then
    echo "bench: BENCH_N2 must exceed BENCH_N1" >&2
    exit 1
fi

# --- requests --------------------------------------------------------------
# Method and header lines of each request; curl and wrk are built from these.
hostile_acrh=$(awk 'BEGIN { for (i = 0; i < 4000; i++)
    printf "%s%c", (i ? "," : ""), 97 + i % 26 }')
declare -A method=(
    [get_a]=GET [get_none]=GET [get_evil]=GET [get_pattern]=GET
    [get_regex]=GET [preflight]=OPTIONS [hostile]=OPTIONS
)
declare -A headers=(
    [get_a]="Origin: https://a.example"
    [get_none]=""
    [get_evil]="Origin: https://evil.example"
    [get_pattern]="Origin: https://a.p100.example"
    [get_regex]="Origin: https://review-42.preview.example"
    [preflight]="Origin: https://a.example
Access-Control-Request-Method: PUT
Access-Control-Request-Headers: content-type,authorization"
    [hostile]="Origin: https://a.example
Access-Control-Request-Method: PUT
Access-Control-Request-Headers: $hostile_acrh"
)

curl_args=()
set_curl_args() {
    local line
    curl_args=(-X "${method[$1]}")
    while IFS= read -r line; do
        if [ -n "$line" ]; then curl_args+=(-H "$line"); fi
    done <<<"${headers[$1]}"
}

# pipelined_requests REQUEST N: N such requests, the last one closing
pipelined_requests() {
    local request=$1 n=$2 text line i
    text="${method[$request]} /x.json HTTP/1.1"$'\r\n'
    text+="Host: 127.0.0.1"$'\r\n'"User-Agent: bench"$'\r\n'
    text+="Accept: */*"$'\r\n'
    while IFS= read -r line; do
        if [ -n "$line" ]; then text+="$line"$'\r\n'; fi
    done <<<"${headers[$request]}"
    for ((i = 1; i < n; i++)); do printf '%s\r\n' "$text"; done
    printf '%sConnection: close\r\n\r\n' "$text"
}

write_wrk_script() {
    local request=$1 file=$2 line
    {
        echo "wrk.method = \"${method[$request]}\""
        while IFS= read -r line; do
            [ -n "$line" ] || continue
            echo "wrk.headers[\"${line%%: *}\"] = \"${line#*: }\""
        done <<<"${headers[$request]}"
    } >"$file"
}

# --- variants --------------------------------------------------------------
# key|label|server defines|request|expected status|checks on the response
# header (lower case; +re must match a line, -re must match none)
variants=(
    "one|GET, allowed Origin (1 origin)|CORS POLICY_ONE|get_a|200|+^access-control-allow-origin: https://a\.example$"
    "noorigin|GET, no Origin (only Vary: Origin added)|CORS POLICY_ONE|get_none|200|+^vary:.*origin;-^access-control-"
    "nopolicy|GET, URL outside every policy, module loaded|CORS|get_a|200|-^access-control-"
    "refused|GET, refused Origin (1 origin)|CORS POLICY_ONE|get_evil|200|-^access-control-allow-origin"
    "origins|GET, allowed Origin, 1,000 exact origins|CORS POLICY_ORIGINS|get_a|200|+^access-control-allow-origin: https://a\.example$"
    "patterns|GET, Origin matched by 1 of 100 subdomain patterns|CORS POLICY_PATTERNS|get_pattern|200|+^access-control-allow-origin: https://a\.p100\.example$"
    "regex|GET, Origin matched by CorsAllowOriginMatch|CORS POLICY_REGEX|get_regex|200|+^access-control-allow-origin: https://review-42\.preview\.example$"
    "preflight|preflight (PUT; content-type,authorization) vs plain OPTIONS|CORS POLICY_ONE|preflight|204|+^access-control-allow-origin: https://a\.example$;+^access-control-allow-methods:.*put;+^access-control-allow-headers:"
    "hostile|preflight, hostile ACRH (4,000 names, 8 KB) vs plain OPTIONS|CORS POLICY_ONE|hostile|any|-^access-control-allow-origin"
    "recipe1.get|recipe, 1 origin (Header set + RewriteRule): GET|RECIPE RECIPE_ONE|get_a|200|+^access-control-allow-origin: https://a\.example$"
    "recipe1.preflight|recipe, 1 origin: preflight vs plain OPTIONS|RECIPE RECIPE_ONE|preflight|204|"
    "recipeN.get|recipe, multi-origin (SetEnvIf + Header): GET|RECIPE RECIPE_MULTI|get_a|200|+^access-control-allow-origin: https://a\.example$;+^vary:.*origin"
    "recipeN.preflight|recipe, multi-origin: preflight vs plain OPTIONS|RECIPE RECIPE_MULTI|preflight|204|"
)
declare -A label=() defines=() request=() status=() checks=()
order=()
bare_requests=()
for v in "${variants[@]}"; do
    IFS='|' read -r key l d rq st ck <<<"$v"
    order+=("$key")
    label[$key]=$l defines[$key]=$d request[$key]=$rq status[$key]=$st
    checks[$key]=$ck
    case " ${bare_requests[*]:-} " in
        *" $rq "*) ;;
        *) bare_requests+=("$rq") ;;
    esac
done
# the baseline: each distinct request, sent to Apache without mod_cors
for rq in "${bare_requests[@]}"; do
    key=bare.$rq
    label[$key]="bare Apache, $rq" defines[$key]="" request[$key]=$rq
    if [ "${method[$rq]}" = OPTIONS ]; then
        checks[$key]="+^allow:;-^access-control-"
    else
        checks[$key]="-^access-control-"
    fi
    status[$key]=200
done

# --- configuration ---------------------------------------------------------
rm -rf "$root"
mkdir -p "$root/conf" "$root/logs" "$root/htdocs" "$root/callgrind"
printf '{"ok":true}\n' >"$root/htdocs/x.json"
{
    for i in $(seq 1 999); do echo "CorsAllowOrigin https://o$i.example"; done
    echo "CorsAllowOrigin https://a.example"
} >"$root/conf/origins.conf"
for i in $(seq 1 100); do
    echo "CorsAllowOrigin https://*.p$i.example"
done >"$root/conf/patterns.conf"

# As root, httpd -X would switch to User nobody before callgrind writes its
# output; run the single-process httpd as nobody from the start instead.
# The wrk servers are started as root and switch their children to nobody.
as_user=()
user_lines='#'
if [ "$(id -u)" -eq 0 ]; then
    as_user=(runuser -u nobody --)
    user_lines=''
    chown nobody "$root/callgrind" "$root/logs"
fi
chmod -R a+rX "$root"

# ${PORT} and ${NAME} come from -C "Define ..." on the command line.
cat >"$root/conf/httpd.conf" <<EOF
ServerRoot $root
ServerName 127.0.0.1
Listen 127.0.0.1:\${PORT}
PidFile $root/logs/\${NAME}.pid
ErrorLog $root/logs/\${NAME}.error_log
DefaultRuntimeDir $root/logs
LogLevel warn
LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule mime_module $modules/mod_mime.so
<IfDefine CORS>
    LoadModule cors_module $module_so
</IfDefine>
<IfDefine RECIPE>
    LoadModule headers_module $modules/mod_headers.so
    LoadModule rewrite_module $modules/mod_rewrite.so
    LoadModule setenvif_module $modules/mod_setenvif.so
</IfDefine>
${user_lines}User nobody
${user_lines}Group nogroup
TypesConfig /etc/mime.types
KeepAliveTimeout 30
MaxKeepAliveRequests 0
DocumentRoot $root/htdocs

# As Debian's apache2.conf: without it every request looks for .htaccess
# in each of the seven directories above the file (about 9,000
# instructions, a quarter of the bare server's).
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory $root/htdocs>
    Require all granted
    <IfDefine POLICY_ONE>
        CorsAllowOrigin https://a.example
        CorsAllowMethods PUT
        CorsAllowHeaders Content-Type Authorization
    </IfDefine>
    <IfDefine POLICY_ORIGINS>
        Include $root/conf/origins.conf
    </IfDefine>
    <IfDefine POLICY_PATTERNS>
        Include $root/conf/patterns.conf
    </IfDefine>
    <IfDefine POLICY_REGEX>
        CorsAllowOriginMatch ^https://review-[0-9]+\.preview\.example$
    </IfDefine>
</Directory>

# A policy elsewhere: "no policy" means none on this URL.
<Location /elsewhere/>
    <IfDefine CORS>
        CorsAllowOrigin https://a.example
    </IfDefine>
</Location>

# The recipe mod_cors replaces, as commonly copied (server context).
<IfDefine RECIPE_ONE>
    Header set Access-Control-Allow-Origin "https://a.example"
</IfDefine>
<IfDefine RECIPE_MULTI>
    SetEnvIf Origin "^(https://a\.example|https://b\.example)$" CORS_ORIGIN=\$0
    Header set Access-Control-Allow-Origin %{CORS_ORIGIN}e env=CORS_ORIGIN
    Header merge Vary Origin
</IfDefine>
<IfDefine RECIPE>
    RewriteEngine On
    RewriteCond %{REQUEST_METHOD} OPTIONS
    RewriteRule ^(.*)\$ \$1 [R=204,L]
</IfDefine>
EOF

# --- servers ---------------------------------------------------------------
declare -A port_taken=()
free_port() {
    local port first=${BENCH_PORT:-18400}
    for port in $(seq "$first" $((first + 200))); do
        [ -z "${port_taken[$port]:-}" ] || continue
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    echo "bench: no free port from ${BENCH_PORT:-18400}" >&2
    return 1
}

# server_args NAME PORT DEFINES...: the apache2 arguments of one server
server_args() {
    local name=$1 port=$2 d
    shift 2
    server=(-f "$root/conf/httpd.conf" -C "Define PORT $port"
            -C "Define NAME $name")
    for d in "$@"; do server+=(-D "$d"); done
}

# wait_up PORT PID PIDFILE: until the server PID has written PIDFILE (it
# does once it listens) and answers on PORT; fails if PID died (another
# server may have taken the port since free_port looked)
wait_up() {
    local i
    for i in $(seq 1 300); do
        kill -0 "$2" 2>/dev/null || return 1
        if [ -s "$3" ] && curl -s -o /dev/null "http://127.0.0.1:$1/x.json"
        then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# check_response NAME KEY PORT: the response to KEY's request is what the
# variant means (e.g. the Origin is allowed), so the figures measure that
check_response() {
    local name=$1 key=$2 port=$3 hdr=$root/logs/$1.response line got
    set_curl_args "${request[$key]}"
    curl -s -o /dev/null -D - "${curl_args[@]}" \
        "http://127.0.0.1:$port/x.json" | tr -d '\r' \
        | tr 'A-Z' 'a-z' >"$hdr"
    got=$(awk 'NR == 1 { print $2 }' "$hdr")
    if [ "${status[$key]}" != any ] && [ "$got" != "${status[$key]}" ]; then
        echo "bench: $key: status $got, expected ${status[$key]}" >&2
        cat "$hdr" >&2
        return 1
    fi
    IFS=';' read -r -a want <<<"${checks[$key]}"
    for line in "${want[@]}"; do
        case $line in
            +*) grep -Eq -- "${line#+}" "$hdr" || {
                    echo "bench: $key: no header line matches ${line#+}" >&2
                    cat "$hdr" >&2; return 1; } ;;
            -*) ! grep -Eq -- "${line#-}" "$hdr" || {
                    echo "bench: $key: a header line matches ${line#-}" >&2
                    cat "$hdr" >&2; return 1; } ;;
        esac
    done
    # the measured connection expects this status for every request
    echo "$got" >"$root/logs/$name.status"
}

# --- 1. instructions, with callgrind ---------------------------------------
# counts REQUEST: the requests of the short and the long run.  The hostile
# preflight gets a hundredth: with the module of early 2026 one costs about
# 36 million instructions, 1.5 s or more under callgrind.
counts() {
    local short long
    case $1 in
        hostile)
            short=$(( (n1 + 99) / 100 )) long=$(( (n2 + 99) / 100 ))
            [ "$long" -gt "$short" ] || long=$((short + 1))
            echo "$short $long" ;;
        *) echo "$n1 $n2" ;;
    esac
}

# callgrind_run KEY RUN PORT: httpd -X under callgrind serving the short
# (RUN 1) or long (RUN 2) number of requests of KEY on one connection;
# writes "total inside entries nested unsure" to callgrind/KEY.RUN.result
callgrind_run() {
    local key=$1 run=$2 port=$3 name=$1.$2 out pid httpd_pid
    local expect n short long sock writer callers
    read -r short long <<<"$(counts "${request[$key]}")"
    if [ "$run" = 1 ]; then n=$short; else n=$long; fi
    out=$root/callgrind/$name.out
    rm -f "$root/logs/$name.pid"
    # shellcheck disable=SC2086
    server_args "$name" "$port" ${defines[$key]}
    # callers in the profile only where mod_cors is (they make it larger)
    case ${defines[$key]} in
        CORS*) callers=--separate-callers=$depth ;;
        *) callers=--separate-callers=0 ;;
    esac
    "${as_user[@]}" valgrind --tool=callgrind "$callers" \
        --callgrind-out-file="$out" "$apache2" -X "${server[@]}" \
        >"$root/logs/$name.valgrind" 2>&1 &
    pid=$!
    echo "$pid" >"$root/logs/$name.runner"
    if ! wait_up "$port" "$pid" "$root/logs/$name.pid"; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" || true
        if grep -q 'Address already in use' "$root/logs/$name.valgrind"; then
            return 75
        fi
        echo "bench: $name: httpd under callgrind did not start" >&2
        tail -5 "$root/logs/$name.valgrind" "$root/logs/$name.error_log" \
            >&2 2>/dev/null || true
        return 1
    fi
    check_response "$name" "$key" "$port"
    expect=$(cat "$root/logs/$name.status")
    # All n requests written at once (pipelined) on one connection, the
    # last one closing it: each then finds the next in the server's buffer
    # and all take the same path.  Sent one after the other, as curl does,
    # whether the next request has arrived when the server looks for it
    # depends on timing, which moved the figures by up to 1%; the server's
    # wait for the next request on a keep-alive connection (about 1,000
    # instructions) is not counted.
    pipelined_requests "${request[$key]}" "$n" >"$root/logs/$name.requests"
    exec {sock}<>"/dev/tcp/127.0.0.1/$port"
    cat "$root/logs/$name.requests" >&"$sock" &
    writer=$!
    tr -d '\r' <&"$sock" | awk '/^HTTP\/1\.1 [0-9][0-9][0-9]/ { print $2 }' \
        >"$root/logs/$name.codes"
    wait "$writer" || true
    exec {sock}>&-
    # the httpd under valgrind wrote its own PID; stop it and wait until
    # it is gone, so callgrind has written its output
    httpd_pid=$(cat "$root/logs/$name.pid")
    kill -TERM "$httpd_pid"
    wait "$pid" || true
    # every request answered, with the status checked above
    awk -v n="$n" -v want="$expect" '
        $1 != want { bad = "status " $1 }
        END {
            if (NR != n) bad = NR " answers " bad
            if (bad != "") { print bad; exit 1 }
        }' "$root/logs/$name.codes" >"$root/logs/$name.bad" || {
        echo "bench: $name: expected $n answers $expect," \
             "got $(cat "$root/logs/$name.bad")" >&2
        return 1
    }
    awk -v object="$(basename "$module_so")" -v depth=$depth \
        -f "$src/tools/callgrind-inside.awk" "$out" \
        >"$root/callgrind/$name.result"
    if [ -z "${BENCH_KEEP:-}" ] && [ "$key" != one ]; then
        rm -f "$out"
    fi
}

server_pids=()
cleanup() {
    local p f
    for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
    # the httpds started here, under callgrind or not: by the PIDs they
    # wrote, or of runuser/valgrind (which pass the signal on) if httpd
    # has not written one yet; only if that process runs our configuration
    for f in "$root"/logs/*.pid "$root"/logs/*.runner; do
        [ -s "$f" ] || continue
        p=$(cat "$f")
        if tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" \
                | grep -qF "$root/conf/httpd.conf"; then
            kill -TERM "$p" 2>/dev/null || true
        fi
    done
    wait 2>/dev/null || true
    if [ "$root" != "$results" ]; then
        mkdir -p "$results"
        cp "$root"/*.md "$root"/*.tsv "$results"/ 2>/dev/null || true
        rm -rf "$root"
    fi
}
trap cleanup EXIT

echo "mod_cors benchmark: $(nproc) cores, $(basename "$apache2")" \
     "$("$apache2" -v | awk -F'[ /]' '/^Server version/ { print $4 }')," \
     "callgrind $n1 and $n2 requests, wrk $rounds rounds of ${seconds}s"
"$apache2" -t -f "$root/conf/httpd.conf" -C "Define PORT 1" \
    -C "Define NAME syntax" -D CORS -D POLICY_ONE 2>&1 \
    | grep -v '^Syntax OK' >&2 || true

# A run whose port was taken meanwhile (exit 75) goes back in the queue
# with another port, up to 5 times in all.
declare -A job_port=() job_name=() tries=()
running=0
reap() {
    local done_pid status=0
    wait -n -p done_pid || status=$?
    # a port found taken stays out of free_port's choice
    [ "$status" -eq 75 ] || unset "port_taken[${job_port[$done_pid]}]"
    running=$((running - 1))
    if [ "$status" -eq 75 ] && [ "${tries[${job_name[$done_pid]}]}" -lt 5 ]
    then
        queue+=("${job_name[$done_pid]}")
    elif [ "$status" -ne 0 ]; then
        echo "bench: callgrind run ${job_name[$done_pid]/ /.} failed; see" \
             "build/bench/logs/${job_name[$done_pid]/ /.}.*" >&2
        exit 1
    fi
}
# the hostile preflight first: its runs are the longest
all_keys=()
for key in "bare.hostile" "${order[@]}"; do
    [ "${request[$key]}" = hostile ] && all_keys+=("$key")
done
for rq in "${bare_requests[@]}"; do
    [ "$rq" = hostile ] || all_keys+=("bare.$rq")
done
for key in "${order[@]}"; do
    [ "${request[$key]}" = hostile ] || all_keys+=("$key")
done
queue=()
for key in "${all_keys[@]}"; do queue+=("$key 2" "$key 1"); done
runs=0 next=0
while [ "$next" -lt "${#queue[@]}" ] || [ "$running" -gt 0 ]; do
    if [ "$next" -ge "${#queue[@]}" ] || [ "$running" -ge "$jobs" ]; then
        reap
        continue
    fi
    read -r key run <<<"${queue[$next]}"
    next=$((next + 1))
    port=$(free_port)
    port_taken[$port]=1
    callgrind_run "$key" "$run" "$port" &
    job_port[$!]=$port job_name[$!]="$key $run"
    tries["$key $run"]=$(( ${tries["$key $run"]:-0} + 1 ))
    running=$((running + 1))
    runs=$((runs + 1))
done
echo "callgrind: $runs runs in $((SECONDS - start_time))s"

# The parser against callgrind_annotate --inclusive=yes, on the profile
# kept (the long run of the one-origin GET): each call the parser counts or
# subtracts has, in a profile with callers, a callee of its own, whose
# inclusive cost callgrind_annotate prints.  Their sum must be the parser's.
check_parser() {
    local profile=$root/callgrind/one.2.out
    awk -v object="$(basename "$module_so")" -v depth=$depth -v list=1 \
        -f "$src/tools/callgrind-inside.awk" "$profile" >"$root/parser.list"
    callgrind_annotate --inclusive=yes --threshold=100 "$profile" \
        >"$root/annotate.txt" 2>/dev/null
    awk '
        FNR == NR {
            if ($1 == "entry" || $1 == "pass") {
                name = $0
                sub(/^[a-z]+ [0-9]+ /, "", name)
                mine[name] += $2
                sign[name] = $1 == "entry" ? 1 : -1
            }
            else {
                parser = $2
            }
            next
        }
        {
            # "  1,234 (12.34%)  file:function [object]"
            line = $0
            if (!sub(/^ *[0-9,]+ \( *[0-9.]+%\)  /, "", line)) next
            cost = $1
            gsub(/,/, "", cost)
            sub(/ \[[^]]*\]$/, "", line)
            sub(/^[^:]*:/, "", line)
            # a function may be listed once per source file: keep the
            # figure that agrees, if one does
            if ((line in mine) && theirs[line] != mine[line]) {
                theirs[line] = cost
            }
        }
        END {
            for (name in mine) {
                total += sign[name] * theirs[name]
                if (theirs[name] != mine[name]) {
                    printf "bench: parser %s, callgrind_annotate %s: %s\n",
                        mine[name], theirs[name], name > "/dev/stderr"
                    bad++
                }
            }
            if (bad || total != parser) {
                printf "bench: inside mod_cors %s by the parser, %s by " \
                    "callgrind_annotate\n", parser, total > "/dev/stderr"
                exit 1
            }
            printf "%d calls, %s instructions, as callgrind_annotate\n",
                length(mine), parser
        }' "$root/parser.list" "$root/annotate.txt"
}
parser_check=$(check_parser)
echo "inside mod_cors, one-origin GET profile: $parser_check"

# per request: (N2 run - N1 run) / (N2 - N1)
per_request() {
    local key=$1 short long
    read -r short long <<<"$(counts "${request[$key]}")"
    awk -v n1="$short" -v n2="$long" '
        FNR == 1 && NR == 1 { t1 = $1; i1 = $2 }
        FNR == 1 && NR == 2 { t2 = $1; i2 = $2; nested = $4; unsure = $5 }
        END { printf "%.0f %.0f %d %d\n", (t2 - t1) / (n2 - n1),
                     (i2 - i1) / (n2 - n1), nested, unsure }' \
        "$root/callgrind/$key.1.result" "$root/callgrind/$key.2.result"
}
: >"$root/instructions.tsv"
for key in "${order[@]}"; do
    read -r total inside nested unsure <<<"$(per_request "$key")"
    read -r bare _ <<<"$(per_request "bare.${request[$key]}")"
    case ${defines[$key]} in CORS*) ;; *) inside=- ;; esac
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "${label[$key]}" \
        "$bare" "$total" "$inside" "$nested" "$unsure" \
        >>"$root/instructions.tsv"
    if [ "$unsure" -gt 0 ]; then
        echo "bench: $key: $unsure calls into mod_cors with a caller chain" \
             "longer than $depth: raise depth in tools/bench.sh" >&2
    fi
done

# --- 2. throughput with wrk, 3. memory -------------------------------------
# Both servers run at the same time, started once and warmed up, so no run
# pays for a start or a cold cache; they are loaded in turn, never together,
# so they do not compete for the cores.  Each ratio pairs two runs made
# seconds apart, so slow drift (other work on the machine, clock speed)
# cancels, and the order alternates each round so neither side always goes
# first.  The median of the ratios ignores a run disturbed by other work.
start_server() { # NAME DEFINES...; sets the server's port in started_port
    local name=$1 pid attempt
    shift
    for attempt in 1 2 3 4 5; do
        started_port=$(free_port)
        port_taken[$started_port]=1
        server_args "$name" "$started_port" "$@"
        rm -f "$root/logs/$name.pid" "$root/logs/$name.error_log"
        "$apache2" -k start "${server[@]}" 2>"$root/logs/$name.start" || true
        for _ in $(seq 1 50); do
            [ -s "$root/logs/$name.pid" ] && break
            sleep 0.1
        done
        pid=$(cat "$root/logs/$name.pid" 2>/dev/null || echo 0)
        if [ "$pid" != 0 ] \
            && wait_up "$started_port" "$pid" "$root/logs/$name.pid"; then
            server_pids+=("$pid")
            return
        fi
        grep -q 'Address already in use' "$root/logs/$name.start" || break
    done
    echo "bench: $name did not start" >&2
    cat "$root/logs/$name.start" >&2
    tail -5 "$root/logs/$name.error_log" >&2 2>/dev/null || true
    exit 1
}
start_server wrk-bare
bare_port=$started_port bare_pid=${server_pids[-1]}
start_server wrk-cors CORS POLICY_ONE
cors_port=$started_port cors_pid=${server_pids[-1]}

# RSS_KIB PID: resident memory of the children of an httpd, and how many
children_rss() {
    local pids
    pids=$(ps --ppid "$1" -o pid= | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
    [ -n "$pids" ] || { echo "0 0"; return; }
    ps -o rss= -p "$pids" | awk '{ s += $1; n++ } END { print s, n }'
}
read -r bare_rss_before bare_children_before <<<"$(children_rss "$bare_pid")"
read -r cors_rss_before cors_children_before <<<"$(children_rss "$cors_pid")"

# wrk_rps PORT REQUEST SECONDS: requests per second, failing on errors
wrk_rps() {
    local script=$root/wrk-$2.lua out
    write_wrk_script "$2" "$script"
    out=$(wrk -t1 -c8 -d"$3s" -s "$script" "http://127.0.0.1:$1/x.json")
    if grep -Eq 'Non-2xx|Socket errors' <<<"$out"; then
        echo "bench: wrk on port $1, $2: errors" >&2
        echo "$out" >&2
        return 1
    fi
    awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
}

wrk_pairs=("get_a|GET, allowed Origin" "get_none|GET, no Origin"
           "preflight|preflight vs plain OPTIONS")
# warm-up, not counted
for p in "${wrk_pairs[@]}"; do
    rq=${p%%|*}
    wrk_rps "$bare_port" "$rq" 1 >/dev/null
    wrk_rps "$cors_port" "$rq" 1 >/dev/null
done
: >"$root/wrk.tsv"
for round in $(seq 1 "$rounds"); do
    for p in "${wrk_pairs[@]}"; do
        rq=${p%%|*}
        if [ $((round % 2)) -eq 1 ]; then
            b=$(wrk_rps "$bare_port" "$rq" "$seconds")
            c=$(wrk_rps "$cors_port" "$rq" "$seconds")
        else
            c=$(wrk_rps "$cors_port" "$rq" "$seconds")
            b=$(wrk_rps "$bare_port" "$rq" "$seconds")
        fi
        printf '%s\t%s\t%s\n' "$rq" "$b" "$c" >>"$root/wrk.tsv"
    done
done
read -r bare_rss_after bare_children_after <<<"$(children_rss "$bare_pid")"
read -r cors_rss_after cors_children_after <<<"$(children_rss "$cors_pid")"

# --- report ----------------------------------------------------------------
{
    echo "Instructions per request (callgrind, whole server; difference"
    echo "between $n2 and $n1 requests pipelined on one connection; for the"
    echo "hostile preflight" \
         "$(counts hostile | awk '{ print $2 " and " $1 }'))." \
         "\"bare\" is the same Apache without"
    echo "mod_cors given the identical request; it answers a preflight as a"
    echo "plain OPTIONS. \"inside mod_cors\": the inclusive cost of the calls"
    echo "into mod_cors.so, less its own calls to ap_pass_brigade and"
    echo "ap_get_brigade (a filter passing on to the next)."
    echo
    awk -F'\t' '
        function commas(x,    s, neg) {
            neg = x < 0; s = sprintf("%.0f", neg ? -x : x)
            while (s ~ /[0-9][0-9][0-9][0-9]/)
                sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s)
            return (neg ? "-" : "") s
        }
        BEGIN {
            print "| request | bare Apache | with it | vs bare |" \
                  " inside mod_cors |"
            print "|---|--:|--:|--:|--:|"
        }
        {
            printf "| %s | %s | %s | %+.1f%% | %s |\n", $2, commas($3),
                commas($4), 100 * ($4 - $3) / $3,
                $5 == "-" ? "-" : commas($5)
        }' "$root/instructions.tsv"
    echo
    echo "Throughput (wrk -t1 -c8, $rounds rounds of ${seconds}s each side," \
         "alternating):"
    echo
    echo "| request | bare req/s | mod_cors req/s | mod_cors/bare (median)" \
         "| min | max |"
    echo "|---|--:|--:|--:|--:|--:|"
    for p in "${wrk_pairs[@]}"; do
        rq=${p%%|*}
        awk -F'\t' -v rq="$rq" -v l="${p#*|}" '
            function median(a, n,    i, j, t) {
                for (i = 2; i <= n; i++)
                    for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
                        t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
                    }
                return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
            }
            $1 == rq { n++; b[n] = $2; c[n] = $3; r[n] = $3 / $2 }
            END {
                m = median(r, n)
                printf "| %s | %.0f | %.0f | %.3f | %.3f | %.3f |\n", l,
                    median(b, n), median(c, n), m, r[1], r[n]
            }' "$root/wrk.tsv"
    done
    echo
    echo "Resident memory of the children (KiB), before and after the load:" \
         "bare $bare_rss_before -> $bare_rss_after" \
         "($bare_children_before -> $bare_children_after processes)," \
         "mod_cors $cors_rss_before -> $cors_rss_after" \
         "($cors_children_before -> $cors_children_after processes)."
} >"$root/result.md"

summary=$(awk -F'\t' -v wrk="$root/wrk.tsv" '
    FILENAME == wrk { n[$1]++; r[$1, n[$1]] = $3 / $2; next }
    { bare[$1] = $3; total[$1] = $4; inside[$1] = $5 }
    function pct(k) { return 100 * (total[k] - bare[k]) / bare[k] }
    # what a variant adds over bare, compared with the one-origin GET
    function vs_one(k) {
        return 100 * ((total[k] - bare[k]) - (total["one"] - bare["one"])) \
               / total["one"]
    }
    function ratio(a, b) { return b > 0 ? a / b : 0 }
    function median(k,    a, i, j, t, m) {
        m = n[k]
        for (i = 1; i <= m; i++) a[i] = r[k, i]
        for (i = 2; i <= m; i++)
            for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
                t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
            }
        return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
    }
    END {
        printf "bench: GET allowed %+.1f%% (%d in mod_cors), GET no-Origin " \
               "%+.1f%% (%d), no-policy %d, preflight %+.1f%% vs OPTIONS " \
               "(%d), 1000 origins %+.1f%% vs 1 origin, 100 patterns " \
               "%+.1f%%, refused vs allowed %.2f (whole server %.2f), " \
               "hostile ACRH %.2f x " \
               "preflight (whole server %.2f x), recipe GET %+.1f%%, " \
               "recipe preflight %+.1f%%, wrk GET %.3f, wrk no-Origin " \
               "%.3f, wrk preflight %.3f\n",
            pct("one"), inside["one"], pct("noorigin"), inside["noorigin"],
            inside["nopolicy"], pct("preflight"), inside["preflight"],
            vs_one("origins"), vs_one("patterns"),
            ratio(inside["refused"], inside["one"]),
            ratio(total["refused"], total["one"]),
            ratio(inside["hostile"], inside["preflight"]),
            ratio(total["hostile"], total["preflight"]),
            pct("recipe1.get"), pct("recipe1.preflight"),
            median("get_a"), median("get_none"), median("preflight")
    }' "$root/wrk.tsv" "$root/instructions.tsv")

echo
cat "$root/result.md"
echo
echo "(\"refused vs allowed\" and \"hostile\" compare the instructions inside"
echo " mod_cors, then the whole server; \"1000 origins\" and \"100 patterns\""
echo " compare what they add over bare with what one origin adds, as a share"
echo " of the one-origin total.)"
echo "table: build/bench/result.md; took $((SECONDS - start_time))s"
echo
echo "$summary"
