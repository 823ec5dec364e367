#!/usr/bin/env bash
# The performance benchmark: installs the benchmark dependencies (oneDNN,
# gnuplot), builds convgrad-bench with oneDNN, and runs it on the layer set
# bench/shapes.csv (dgrad and wgrad, channels-first and channels-last, 1 and
# 2 threads), writing
#
#   bench/results/latest.txt   the table as printed
#   bench/results/latest.csv   one line per row x op x thread count
#   bench/results/latest.png   GFLOP/s per row, convgrad vs oneDNN (log scale)
#
#   scripts/bench.sh                       everything (about a quarter of an hour)
#   scripts/bench.sh --rows=a,b --reps=5   extra arguments go to convgrad-bench
#   scripts/bench.sh --layouts=channels_first   one layout only
#   scripts/bench.sh --isa=avx2            the AVX2 table on an AVX-512 machine:
#       convgrad compiled for target-cpu=znver3 (16 x 256-bit registers),
#       oneDNN limited to AVX2 (ONEDNN_MAX_CPU_ISA, DNNL_MAX_CPU_ISA), the FMA
#       peak of the AVX2 loop; writes bench/results/latest-avx2.{txt,csv,png}
#   scripts/bench.sh --shapes=bench/real-layers.csv   other real layers, with
#       the odd-size pairs; writes bench/results/latest-real-layers.{txt,csv,png}
#   CONVGRAD_BUILD_DIR=dir scripts/bench.sh
#
# The machine is shared and noisy: compare convgrad/oneDNN ratios measured
# in one run, not absolute times across runs (docs/benchmark.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CONVGRAD_BUILD_DIR:-$root/build}

"$root/scripts/install-deps.sh" --bench
CONVGRAD_BUILD_DIR=$build CONVGRAD_TARGETS=convgrad-bench "$root/scripts/build.sh"
# Re-configure so that a oneDNN installed after the first configure is found.
cmake -DCONVGRAD_BENCH_DNNL=ON "$build" >/dev/null
cmake --build "$build" --target convgrad-bench

bench=$build/bin/convgrad-bench
if ! grep -q CONVGRAD_HAVE_DNNL "$build/build.ninja" 2>/dev/null &&
   ! grep -rq CONVGRAD_HAVE_DNNL "$build/bench/CMakeFiles" 2>/dev/null; then
  echo "bench.sh: convgrad-bench was built without oneDNN (libdnnl-dev not found)" >&2
  exit 1
fi

# Both layouts unless the arguments choose (--layouts accumulates, so only
# one of the two may give it). --isa is this script's.
layouts=(--layouts=channels_first,channels_last)
isa=native
args=()
for arg in "$@"; do
  case "$arg" in
    --layouts=*|-layouts=*) layouts=(); args+=("$arg") ;;
    --isa=*) isa=${arg#--isa=} ;;
    *) args+=("$arg") ;;
  esac
done
# Another layer set than shapes.csv gets its own outputs.
suffix=""
for arg in "${args[@]}"; do
  case "$arg" in
    --shapes=*|-shapes=*)
      set_name=$(basename "${arg#*=}" .csv)
      if [ "$set_name" = shapes ]; then suffix=""; else suffix=-$set_name; fi ;;
  esac
done
isa_args=()
case "$isa" in
  native) ;;
  avx2)
    # A later --pipeline-options in the arguments replaces the target.
    isa_args=(--pipeline-options=target-cpu=znver3)
    export ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2
    suffix=$suffix-avx2 ;;
  *) echo "bench.sh: --isa must be native or avx2" >&2; exit 2 ;;
esac

out=$root/bench/results
mkdir -p "$out"
"$bench" --csv="$out/latest$suffix.csv" --png="$out/latest$suffix.png" \
  "${layouts[@]}" "${isa_args[@]}" "${args[@]}" | tee "$out/latest$suffix.txt"
echo "bench.sh: wrote $out/latest$suffix.txt, latest$suffix.csv and latest$suffix.png"
