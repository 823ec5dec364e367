#!/usr/bin/env bash
# Builds convgrad (scripts/build.sh), then runs the example end to end:
# examples/resnet-block.mlir (convgrad IR) is compiled through
# --convgrad-cpu-pipeline and JIT-executed by convgrad-run on random inputs;
# every result element is checked against the reference loop nests and the
# adjoint identities, and each kernel is timed. Extra arguments go to
# convgrad-run (e.g. a different .mlir file first, or
# --pass-pipeline="convgrad-cpu-pipeline{num-threads=2}" --shared-libs=/usr/lib/llvm-22/lib/libomp.so).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
build=${CONVGRAD_BUILD_DIR:-$root/build}
input="$root/examples/resnet-block.mlir"
if [ $# -gt 0 ] && [[ "$1" == *.mlir ]]; then input=$1; shift; fi
echo "== $input: compile with --convgrad-cpu-pipeline, run, check against the reference"
exec "$build/bin/convgrad-run" "$input" --time=10 "$@"
