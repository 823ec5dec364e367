#!/usr/bin/env bash
# Builds convgrad (scripts/build.sh) and runs the whole lit suite: FileCheck
# tests, the compiled-and-run integration tests and the unit tests. Ends with
# lit's summary and a line "N passed, N failed[, N skipped]".
#
# Same environment variables as scripts/build.sh (CONVGRAD_SANITIZE=1 runs the
# suite on the ASan+UBSan build). LIT_OPTS adds lit options.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" || { echo "0 passed, 1 failed"; exit 1; }
if [ "${CONVGRAD_SANITIZE:-0}" = 1 ]; then
  build=${CONVGRAD_BUILD_DIR:-$root/build-asan}
else
  build=${CONVGRAD_BUILD_DIR:-$root/build}
fi

log=$(mktemp)
# shellcheck disable=SC2086
/usr/lib/llvm-22/bin/lit -sv ${LIT_OPTS:-} "$build/test" "$build/test/Unit" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

count() { sed -n -E "s/^ *$1 *: *([0-9]+).*/\1/p" "$log" | tail -n 1; }
passed=$(( $(count Passed || true) + 0 ))
failed=$(( $(count Failed || true) + $(count Unresolved || true) + $(count "Timed Out" || true) + $(count "Unexpectedly Passed" || true) + 0 ))
skipped=$(( $(count Unsupported || true) + $(count Excluded || true) + $(count Skipped || true) + 0 ))
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
line="$passed passed, $failed failed"
if [ "$skipped" -gt 0 ]; then line="$line, $skipped skipped"; fi
echo "$line"
exit "$status"
