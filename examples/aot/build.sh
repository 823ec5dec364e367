#!/usr/bin/env bash
# Ahead-of-time compilation of a convgrad kernel into an object file and a
# shared library, linked into a C program:
#   examples/aot/build.sh [build-dir] [num-threads] [heap|workspace]
# (workspace: the kernel takes a caller-provided buffer for its temporaries,
# sized by dgrad_workspace_size; main.c is built with -DCONVGRAD_WORKSPACE.)
# (CONVGRAD_OPT overrides the convgrad-opt binary.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/build/examples/aot}
threads=${2:-1}
temporaries=${3:-heap}
defines=()
if [ "$temporaries" = workspace ]; then defines=(-DCONVGRAD_WORKSPACE); fi
llvm=/usr/lib/llvm-22
mkdir -p "$out"
"${CONVGRAD_OPT:-$root/build/bin/convgrad-opt}" "$here/dgrad.mlir" \
    --convgrad-cpu-pipeline="num-threads=$threads temporaries=$temporaries" -o "$out/dgrad.llvm.mlir"
"$llvm/bin/mlir-translate" --mlir-to-llvmir "$out/dgrad.llvm.mlir" -o "$out/dgrad.ll"
"$llvm/bin/clang" -Wno-override-module -O2 -march=native -c "$out/dgrad.ll" -o "$out/dgrad.o"
"$llvm/bin/clang" -Wno-override-module -O2 -march=native -shared -fPIC "$out/dgrad.ll" -o "$out/libdgrad.so"
omp=()
if [ "$threads" != 1 ]; then omp=(-L"$llvm/lib" -lomp -Wl,-rpath,"$llvm/lib"); fi
"$llvm/bin/clang" -O2 "${defines[@]}" "$here/main.c" "$out/dgrad.o" -lm "${omp[@]}" -o "$out/aot-example"
"$llvm/bin/clang" -O1 -g -fsanitize=address "${defines[@]}" "$here/main.c" "$out/dgrad.o" -lm "${omp[@]}" \
    -o "$out/aot-example-asan"
echo "built $out/aot-example, $out/aot-example-asan and $out/libdgrad.so"
