#!/usr/bin/env bash
# Installs what convgrad needs (scripts/install-deps.sh), configures and builds.
#
#   scripts/build.sh                 Release build in build/
#   CONVGRAD_SANITIZE=1 scripts/build.sh   ASan+UBSan build in build-asan/
#   CONVGRAD_BUILD_DIR=dir scripts/build.sh  another build directory
#   CONVGRAD_FUZZ=1 scripts/build.sh     ASan+UBSan+libFuzzer build in build-fuzz/
#                                        (the fuzz targets; see scripts/fuzz.sh)
#   CONVGRAD_TARGETS="t1 t2" scripts/build.sh  build only these targets
#
# Extra arguments are passed to the first CMake configure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"

llvm=/usr/lib/llvm-22
cmake_args=(-G Ninja -S "$root"
  -DMLIR_DIR=$llvm/lib/cmake/mlir
  -DLLVM_EXTERNAL_LIT=$llvm/bin/lit
  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22
  -DLLVM_USE_LINKER=lld)
# ccache, when installed, shares objects between build directories and work
# trees (paths are made relative to the parent of the checkout).
if command -v ccache >/dev/null; then
  cmake_args+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$root")}
fi
if [ "${CONVGRAD_FUZZ:-0}" = 1 ]; then
  build=${CONVGRAD_BUILD_DIR:-$root/build-fuzz}
  cmake_args+=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVGRAD_ENABLE_SANITIZERS=ON
               -DCONVGRAD_ENABLE_FUZZER=ON)
elif [ "${CONVGRAD_SANITIZE:-0}" = 1 ]; then
  build=${CONVGRAD_BUILD_DIR:-$root/build-asan}
  cmake_args+=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVGRAD_ENABLE_SANITIZERS=ON)
else
  build=${CONVGRAD_BUILD_DIR:-$root/build}
  cmake_args+=(-DCMAKE_BUILD_TYPE=Release)
fi

if [ ! -f "$build/build.ninja" ]; then
  cmake "${cmake_args[@]}" -B "$build" "$@" >/dev/null
fi
# shellcheck disable=SC2086
cmake --build "$build" ${CONVGRAD_TARGETS:+--target $CONVGRAD_TARGETS}
