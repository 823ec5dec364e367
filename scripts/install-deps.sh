#!/usr/bin/env bash
# Installs everything convgrad needs from Debian's packages. A fast no-op when all is
# present: it checks with dpkg first and only calls apt-get for what is missing.
#
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --bench    also oneDNN, gnuplot and PyTorch (benchmark-only dependencies)
set -euo pipefail

packages=(
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 lld-22
  libomp-22-dev libclang-rt-22-dev
  cmake ninja-build
)
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(libdnnl-dev gnuplot-nox python3-torch) ;;
    *) echo "install-deps.sh: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps.sh: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
