#!/usr/bin/env bash
# The test command (README, CI): builds convgrad twice and runs one lit
# session over both builds. Ends with lit's summary and a line
# "N passed, N failed[, N skipped]".
#
#   1. build/      Release: the whole suite (FileCheck tests, the numerical
#                  matrix three ways, 2000 random differential configurations,
#                  embedding, unit tests).
#   2. build-fuzz/ ASan + UBSan + libFuzzer coverage (scripts/build.sh with
#                  CONVGRAD_FUZZ=1): the suite again, as "CONVGRAD-ASAN", minus
#                  the large numerical matrices, plus a bounded fuzzing run of
#                  both fuzz targets (test/Fuzz/short-run.test, 60 s each).
#                  The matrices are left out for time, not for coverage: under
#                  ASan the compiler is 3-4x slower and they would take
#                  25-40 min on 2 cores, while corners.test (every corner
#                  case of the matrix) and random-sanitizers.test (200 random
#                  configurations over all features) run the same code paths.
#                  Likewise the mid-size random tests (random-mid-seed*),
#                  Bench/error-injection.test (full-size reference loop
#                  nests, ~2 min under ASan), which exercise the checks more
#                  than new compiler paths, and the numerics of single
#                  codegen paths at layer size (fused-transposes, odd, stem,
#                  wgrad-lane-stationary: 2-10 min each under ASan, almost
#                  all of it in the sanitized reference loop nests): the
#                  passes behind them run under ASan in their own FileCheck
#                  tests (test/Codegen/CPU).
#                  The whole suite under ASan is `CONVGRAD_SANITIZE=1
#                  scripts/test.sh` (docs/robustness.md).
#
# Environment:
#   CONVGRAD_SANITIZER_STAGE=0   only stage 1 (a quicker local run)
#   CONVGRAD_SANITIZE=1          only the whole suite on the ASan+UBSan build
#                                (build-asan/), nothing else
#   CONVGRAD_FUZZ=1              only the whole suite on build-fuzz/
#   CONVGRAD_BUILD_DIR=dir       the build directory of a single-build run
#   LIT_OPTS="..."               extra lit options (e.g. --filter=Dialect)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

suites=()
filter_out=()
if [ "${CONVGRAD_SANITIZE:-0}" = 1 ] || [ "${CONVGRAD_FUZZ:-0}" = 1 ]; then
  "$root/scripts/build.sh" || { echo "0 passed, 1 failed"; exit 1; }
  if [ "${CONVGRAD_FUZZ:-0}" = 1 ]; then
    build=${CONVGRAD_BUILD_DIR:-$root/build-fuzz}
  else
    build=${CONVGRAD_BUILD_DIR:-$root/build-asan}
  fi
  suites+=("$build/test" "$build/test/Unit")
else
  "$root/scripts/build.sh" || { echo "0 passed, 1 failed"; exit 1; }
  build=${CONVGRAD_BUILD_DIR:-$root/build}
  suites+=("$build/test" "$build/test/Unit")
  if [ "${CONVGRAD_SANITIZER_STAGE:-1}" != 0 ]; then
    CONVGRAD_FUZZ=1 CONVGRAD_BUILD_DIR="$root/build-fuzz" "$root/scripts/build.sh" ||
      { echo "0 passed, 1 failed"; exit 1; }
    suites+=("$root/build-fuzz/test" "$root/build-fuzz/test/Unit")
    filter_out=(--filter-out 'CONVGRAD-ASAN :: (Integration/Numerics/(groups|types|rank[0-9a-z-]*|resnet|random-mid-seed[0-9]+|fused-transposes|odd|stem|wgrad-lane-stationary)|Bench/error-injection)\.test')
  fi
fi

log=$(mktemp)
# shellcheck disable=SC2086
/usr/lib/llvm-22/bin/lit -sv "${filter_out[@]}" ${LIT_OPTS:-} "${suites[@]}" 2>&1 | tee "$log"
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
