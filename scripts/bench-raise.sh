#!/usr/bin/env bash
# Benchmark of the raise (issue 13): the benchmark rows (bench/shapes.csv) as
# the foreign linalg torch-mlir emits (bench/foreign-forms.py: forward NCHW
# convolutions, and the zero-insertion data gradient), timed in one run of
# convgrad-run --compare-pipeline --time:
#
#   first:  --convgrad-raise-linalg, then --convgrad-cpu-pipeline
#   second: upstream MLIR 22's lowering of the same linalg, two ways:
#     loops:      --convgrad-upstream-cpu-pipeline (bufferization, linalg to
#                 loops, LLVM at -O2 with its loop and SLP vectorizers)
#     vectorized: bench/upstream-vectorize.mlir (transform dialect: tile,
#                 decompose to 1-D, vectorize the NCHW convolutions), then the
#                 same lowering with vector-to-scf and vector-to-llvm
#
# Both sides are checked element by element on the same inputs before timing.
#
#   scripts/bench-raise.sh                       all rows, N=8, fwd and dgrad
#   scripts/bench-raise.sh --rows=a,d --batch=1 --ops=dgrad --time=5
#
# Prints convgrad-run's lines and the machine load before and after (the
# machine is shared: compare ratios measured in one run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CONVGRAD_BUILD_DIR:-$root/build}
rows="" batch="" ops="fwd,dgrad" time=3
for arg in "$@"; do
  case $arg in
    --rows=*) rows=${arg#--rows=} ;;
    --batch=*) batch=${arg#--batch=} ;;
    --ops=*) ops=${arg#--ops=} ;;
    --time=*) time=${arg#--time=} ;;
    *) echo "bench-raise.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
forms=$(mktemp --suffix=.mlir)
trap 'rm -f "$forms"' EXIT
python3 "$root/bench/foreign-forms.py" "$root/bench/shapes.csv" \
  ${rows:+--rows=$rows} ${batch:+--batch=$batch} --ops="$ops" > "$forms"
vectorized="transform-preload-library{transform-library-paths=$root/bench/upstream-vectorize.mlir},transform-interpreter"
vectorized+=",canonicalize,cse,eliminate-empty-tensors"
vectorized+=",one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map}"
vectorized+=",canonicalize,cse,fold-memref-alias-ops,buffer-deallocation-pipeline,convert-bufferization-to-memref"
vectorized+=",convgrad-copy-to-linalg,func.func(convert-linalg-to-loops),func.func(convert-vector-to-scf),convert-vector-to-llvm"
vectorized+=",arith-expand{include-bf16},expand-strided-metadata,lower-affine,finalize-memref-to-llvm,convert-scf-to-cf"
vectorized+=",canonicalize,cse,convert-ub-to-llvm,convert-math-to-llvm,convert-to-llvm,reconcile-unrealized-casts"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "== upstream: --convgrad-upstream-cpu-pipeline (loops)"
"$build/bin/convgrad-run" "$forms" \
  --pass-pipeline=convgrad-raise-linalg,convgrad-cpu-pipeline \
  --compare-pipeline=convgrad-upstream-cpu-pipeline --time="$time"
# The vectorizing schedule crashes MLIR 22.1 on some rows (c, the data
# gradient of f): one process per function, so that a crash costs one row.
echo "== upstream: bench/upstream-vectorize.mlir (tiled, decomposed, vectorized)"
for fn in $(sed -n 's/^func.func @\([a-z0-9_]*\)(.*/\1/p' "$forms"); do
  one=$(mktemp --suffix=.mlir)
  python3 "$root/bench/foreign-forms.py" "$root/bench/shapes.csv" \
    --rows="${fn#*_}" ${batch:+--batch=$batch} --ops="${fn%%_*}" > "$one"
  "$build/bin/convgrad-run" "$one" \
    --pass-pipeline=convgrad-raise-linalg,convgrad-cpu-pipeline \
    --compare-pipeline="$vectorized" --time="$time" 2>/dev/null | grep '@' ||
    echo "@$fn: the upstream vectorizing schedule crashed MLIR (no time)"
  rm -f "$one"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
