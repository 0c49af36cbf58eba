#!/usr/bin/env bash
# tools/demo.sh start|stop|status: run the demo httpd (make demo, make
# demo-stop) from a throwaway ServerRoot in build/demo/.
#
# start   generate build/demo/conf/httpd.conf from conf/demo.conf.in, start
#         /usr/sbin/apache2 in the background with .libs/mod_cors.so (a demo
#         already running is stopped first), wait until it answers and show
#         a CORS preflight made with curl.
# stop    stop the demo httpd by the PID in build/demo/logs/httpd.pid
#         (--if-running: say nothing when it is not running).
# status  tell whether it is running.
#
# Environment: DEMO_PAGE_PORT (8080), DEMO_API_PORT (8081), DEMO_THIRD_PORT
# (8082, an origin the API refuses), APACHE2 (/usr/sbin/apache2), DEMO_USER
# (as root: www-data, else nobody).
set -euo pipefail

cd "$(dirname "$0")/.."
src=$(pwd)
root=$src/build/demo
conf=$root/conf/httpd.conf
pidfile=$root/logs/httpd.pid
page_port=${DEMO_PAGE_PORT:-8080}
api_port=${DEMO_API_PORT:-8081}
third_port=${DEMO_THIRD_PORT:-8082}
apache2=${APACHE2:-/usr/sbin/apache2}
module_dir=/usr/lib/apache2/modules

# The PID of the running demo httpd, if any. The PID must belong to an
# apache2 started with our config, so a stale pidfile never kills a stranger.
demo_pid() {
    local pid
    [ -f "$pidfile" ] || return 1
    pid=$(cat "$pidfile" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$conf" \
        || return 1
    echo "$pid"
}

port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop() {
    local pid quiet=${1:-} i
    if ! pid=$(demo_pid); then
        [ -n "$quiet" ] || echo "demo: not running"
        rm -f "$pidfile"
        return 0
    fi
    echo "demo: stopping httpd (PID $pid)"
    kill -TERM "$pid"
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
        sleep 0.1
    done
    echo "demo: httpd (PID $pid) did not stop within 10 s" >&2
    return 1
}

start() {
    local pid port as_root=0 user group if_root='#' i code

    [ -f .libs/mod_cors.so ] || { echo "demo: build first (make)" >&2; exit 1; }
    [ -x "$apache2" ] || { echo "demo: $apache2 not found" >&2; exit 1; }
    case "$page_port$api_port$third_port" in
        *[!0-9]*) echo "demo: ports must be numbers" >&2; exit 1 ;;
    esac

    if pid=$(demo_pid); then
        echo "demo: already running (PID $pid); restarting"
        stop
    fi
    for port in "$page_port" "$api_port" "$third_port"; do
        if port_busy "$port"; then
            echo "demo: port $port on 127.0.0.1 is already in use by another" \
                 "program; stop it or choose other ports, e.g." \
                 "make demo DEMO_PAGE_PORT=18080 DEMO_API_PORT=18081" \
                 "DEMO_THIRD_PORT=18082" >&2
            exit 1
        fi
    done

    user=${DEMO_USER:-}
    group=
    if [ "$(id -u)" -eq 0 ]; then
        as_root=1
        if_root=
        if [ -z "$user" ]; then
            if id www-data >/dev/null 2>&1; then user=www-data; else user=nobody; fi
        fi
        group=$(id -gn "$user")
        if ! runuser -u "$user" -- test -r "$src/demo/api/data.json"; then
            echo "demo: warning: $user cannot read $src/demo; pages will" \
                 "answer 403 (make the tree readable or set DEMO_USER)" >&2
        fi
    fi

    mkdir -p "$root/conf" "$root/logs" "$root/run"
    if [ -f /etc/mime.types ]; then
        cp /etc/mime.types "$root/conf/mime.types"
    else
        : >"$root/conf/mime.types"
    fi
    sed -e "s|@DEMO_ROOT@|$root|g" \
        -e "s|@SRC_DIR@|$src|g" \
        -e "s|@MODULE_DIR@|$module_dir|g" \
        -e "s|@CORS_SO@|$src/.libs/mod_cors.so|g" \
        -e "s|@DEMO_PAGE_PORT@|$page_port|g" \
        -e "s|@DEMO_API_PORT@|$api_port|g" \
        -e "s|@DEMO_THIRD_PORT@|$third_port|g" \
        -e "s|@IF_ROOT@|$if_root|g" \
        -e "s|@DEMO_USER@|${user:-nobody}|g" \
        -e "s|@DEMO_GROUP@|${group:-nogroup}|g" \
        conf/demo.conf.in >"$conf"
    # The CGI daemon's socket directory must be writable by the child user.
    [ "$as_root" = 0 ] || chown "$user:$group" "$root/run"

    : >"$root/logs/error_log"
    if ! "$apache2" -d "$root" -f "$conf" -k start; then
        echo "demo: $apache2 failed to start; $root/logs/error_log:" >&2
        tail -n 20 "$root/logs/error_log" >&2
        exit 1
    fi
    code=000
    for i in $(seq 1 100); do
        code=$(curl -s -o /dev/null -w '%{http_code}' \
                    "http://127.0.0.1:$api_port/data.json" || true)
        [ "$code" = 000 ] || break
        sleep 0.1
    done
    if [ "$code" = 000 ]; then
        echo "demo: httpd does not answer on 127.0.0.1:$api_port;" \
             "$root/logs/error_log:" >&2
        tail -n 20 "$root/logs/error_log" >&2
        stop quiet || true
        exit 1
    fi
    pid=$(demo_pid) || pid='?'

    echo "demo: httpd running (PID $pid)"
    echo
    echo "\$ curl -si -X OPTIONS -H 'Origin: http://127.0.0.1:$page_port'" \
         "-H 'Access-Control-Request-Method: PUT'" \
         "-H 'Access-Control-Request-Headers: content-type'" \
         "http://127.0.0.1:$api_port/data.json"
    curl -si -X OPTIONS -H "Origin: http://127.0.0.1:$page_port" \
         -H 'Access-Control-Request-Method: PUT' \
         -H 'Access-Control-Request-Headers: content-type' \
         "http://127.0.0.1:$api_port/data.json" | tr -d '\r'
    echo
    echo "Page origin:  http://127.0.0.1:$page_port/   (demo/page/)"
    echo "API origin:   http://127.0.0.1:$api_port/data.json," \
         "http://127.0.0.1:$api_port/echo.cgi   (demo/api/, conf/demo-api.conf)"
    echo "Third origin: http://127.0.0.1:$third_port/   (demo/page/ again;" \
         "not allowed by the API)"
    echo
    page_url="http://127.0.0.1:$page_port/"
    if [ "$api_port" != 8081 ] || [ "$third_port" != 8082 ]; then
        page_url="${page_url}?api=http://127.0.0.1:$api_port&third=http://127.0.0.1:$third_port"
    fi
    echo "Open $page_url in a browser: each row is one cross-origin fetch;"
    echo "green = allowed and readable, red = blocked by the browser."
    echo "Each row links to the API's explain view (open to 127.0.0.1 only):"
    echo "  http://127.0.0.1:$api_port/cors-info?url=/data.json&origin=http://127.0.0.1:$third_port"
    echo "Logs:         build/demo/logs/error_log (LogLevel cors:debug)," \
         "build/demo/logs/access_log"
    echo "Stop it with: make demo-stop"
}

case "${1:-}" in
    start) start ;;
    stop)
        if [ "${2:-}" = "--if-running" ]; then stop quiet; else stop; fi ;;
    status)
        if pid=$(demo_pid); then
            echo "demo: running (PID $pid)"
        else
            echo "demo: not running"
            exit 1
        fi ;;
    *)
        echo "usage: $0 start|stop [--if-running]|status" >&2
        exit 2 ;;
esac
