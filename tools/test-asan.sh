#!/usr/bin/env bash
# tools/test-asan.sh [run-tests.sh arguments]: make test-asan. Runs the whole
# Apache::Test suite against a module built with AddressSanitizer and
# UndefinedBehaviorSanitizer (the Makefile builds it), with apache2 started
# through tools/asan-httpd, and fails if the suite fails or if any
# sanitizer report is found: in a report file (t/logs/sanitizer.*), in an
# error log under t/logs, or in the suite's output (stderr included).
# Report files are also copied to build/asan/reports/.
#
# Environment:
#   ASAN_SO        the sanitized module (default build/asan/mod_cors.so);
#                  asan-pools.so is taken from the same directory
#   ASAN_SELFTEST  set for the build with the planted overread
#                  (make test-asan ASAN_SELFTEST=1): the run must fail, and
#                  the script says whether the report names the overread
set -euo pipefail

cd "$(dirname "$0")/.."
so=${ASAN_SO:-build/asan/mod_cors.so}
ASAN_RUNTIME=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
[ -f "$ASAN_RUNTIME" ] || {
    echo "test-asan: no $ASAN_RUNTIME (Debian package libclang-rt-14-dev)" >&2
    exit 1
}
export ASAN_RUNTIME
export ASAN_POOLS=$(dirname "$so")/asan-pools.so
export CORS_TEST_SO=$so CORS_TEST_HTTPD=tools/asan-httpd
# make test runs the suite at LogLevel debug, where most GETs take the
# answers decided at start-up; here every request is decided anew
export CORS_TEST_LOGLEVEL=${CORS_TEST_LOGLEVEL:-trace8}
unset SANITIZER_LOG

mkdir -p build/asan
out=build/asan/test-asan.log
rm -f t/logs/sanitizer.*

echo "test-asan: the suite against $so (ASan+UBSan, pools unpooled)"
status=0
bash tools/run-tests.sh "$@" 2>&1 | tee "$out" || status=$?

# Every report starts with "==PID==ERROR: ...Sanitizer" or, for UBSan,
# "file:line:col: runtime error:".
pattern='==[0-9]+==(ERROR|WARNING): [A-Za-z]+Sanitizer|runtime error:'
pattern+='|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer'
reports=()
for f in t/logs/sanitizer.*; do
    [ -e "$f" ] && reports+=("$f")
done
found=$(grep -lE "$pattern" t/logs/*error_log* "$out" 2>/dev/null || true)
# kept apart: the next suite run replaces t/logs
rm -rf "$(dirname "$so")/reports"
if [ ${#reports[@]} -gt 0 ]; then
    mkdir -p "$(dirname "$so")/reports"
    cp "${reports[@]}" "$(dirname "$so")/reports/"
fi

echo
echo "==================== test-asan summary ===================="
echo "module:  $so"
grep -E '^(Files=|Result:)' "$out" | sed 's/^/suite:   /' || true
echo "suite exit status: $status"
if [ ${#reports[@]} -eq 0 ] && [ -z "$found" ]; then
    echo "sanitizer reports: none"
else
    echo "sanitizer reports:"
    for f in "${reports[@]}"; do
        echo "  $f: $(grep -m1 -E 'ERROR|runtime error' "$f" || head -1 "$f")"
        grep -m3 -E '^ +#[0-9]+ .* in ' "$f" | sed 's/^ */      /' || true
    done
    for f in $found; do
        echo "  $f: $(grep -m1 -E "$pattern" "$f")"
    done
fi
echo "==========================================================="

if [ -n "${ASAN_SELFTEST:-}" ]; then
    if [ ${#reports[@]} -gt 0 ] \
       && grep -l 'heap-buffer-overflow' "${reports[@]}" \
          | xargs -r grep -l 'cors_parse_origin' >/dev/null; then
        echo "test-asan: selftest build: the planted overread in" \
             "cors_parse_origin was reported"
    else
        echo "test-asan: selftest build: no report of the planted overread"
    fi
    # this build must never pass
    [ "$status" -ne 0 ] || status=1
fi
if [ ${#reports[@]} -gt 0 ] || [ -n "$found" ]; then
    echo "test-asan: FAIL (sanitizer report)"
    exit 1
fi
if [ "$status" -ne 0 ]; then
    echo "test-asan: FAIL (the suite exited $status)"
    exit "$status"
fi
echo "test-asan: PASS"
