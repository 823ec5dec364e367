#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz/ (ASan + UBSan + coverage,
# CONVGRAD_FUZZ=1 scripts/build.sh) and runs each for a bounded time:
#
#   scripts/fuzz.sh [seconds]      default 60 seconds per target
#
#   convgrad-fuzz       arbitrary bytes as MLIR (seeds: the .mlir tests,
#                       fuzz/make-corpus.sh, plus fuzz/corpus; fuzz/convgrad.dict)
#   convgrad-fuzz-gen   bytes as choices of a near-valid convgrad generator
#
# The growing corpora and any crash/timeout/OOM inputs stay in
# build-fuzz/fuzz/ (never in the source tree). Ends with one line per target,
# "<target>: N executions, N crashes", and exits non-zero if anything crashed.
# FUZZ_JOBS=N runs the targets N at a time (default 1); FUZZ_ARGS adds
# libFuzzer options. docs/robustness.md describes the long run and how to
# turn a crash into a regression test.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
build=${CONVGRAD_BUILD_DIR:-$root/build-fuzz}
targets=(convgrad-fuzz convgrad-fuzz-gen)

CONVGRAD_FUZZ=1 CONVGRAD_BUILD_DIR="$build" CONVGRAD_TARGETS="${targets[*]}" \
  "$root/scripts/build.sh" || { echo "fuzz.sh: build failed"; exit 2; }

work=$build/fuzz
mkdir -p "$work/seeds"
"$root/fuzz/make-corpus.sh" "$work/seeds" >/dev/null
cp "$root"/fuzz/corpus/* "$work/seeds/" 2>/dev/null || true

# LeakSanitizer: see test/lsan.supp. Leaks are not findings of the fuzzer
# (every input runs in a fresh MLIRContext; libFuzzer's own leak check would
# only report MLIR's global registries).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run() {
  local t=$1 corpus=$work/corpus-$1 log=$work/$1.log
  mkdir -p "$corpus"
  local seeds=()
  [ "$t" = convgrad-fuzz ] && seeds=("$work/seeds")
  # shellcheck disable=SC2086
  "$build/bin/$t" "$corpus" "${seeds[@]}" -max_total_time="$seconds" \
    -timeout=30 -rss_limit_mb=3072 -max_len=8192 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/$t/" \
    $([ "$t" = convgrad-fuzz ] && echo "-dict=$root/fuzz/convgrad.dict") \
    ${FUZZ_ARGS:-} >"$log" 2>&1
  echo $? >"$work/$t.status"
}

jobs_max=${FUZZ_JOBS:-1}
for t in "${targets[@]}"; do
  rm -rf "$work/artifacts/$t" && mkdir -p "$work/artifacts/$t"
  echo "fuzz.sh: running $t for ${seconds}s (log: $work/$t.log)"
  run "$t" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
done
wait

status=0
for t in "${targets[@]}"; do
  log=$work/$t.log
  execs=$(sed -n -E 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
  if [ -z "$execs" ]; then # stopped by a crash: the last status line
    execs=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -E 's/^#([0-9]+).*/\1/')
  fi
  crashes=$(find "$work/artifacts/$t" -type f | wc -l)
  echo "$t: ${execs:-0} executions, $crashes crashes"
  for a in "$work/artifacts/$t"/*; do
    [ -f "$a" ] || continue
    echo "  $a"
    grep -m1 -E 'ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error|BUG:' "$log" | sed 's/^/    /'
  done
  [ "$crashes" -eq 0 ] && [ "$(cat "$work/$t.status")" = 0 ] || status=1
done
exit $status
