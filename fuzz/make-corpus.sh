#!/usr/bin/env bash
# Builds a libFuzzer seed corpus from the .mlir tests: every file under test/
# and examples/, split at `// -----` (the -split-input-file marker) into one
# seed per piece, with the lit RUN/CHECK lines removed (they are comments to
# the parser, but only cost the fuzzer bytes).
#
#   fuzz/make-corpus.sh OUT_DIR      write the seeds to OUT_DIR
#
# scripts/fuzz.sh uses it for a full corpus in build-fuzz/; fuzz/corpus/
# holds a few dozen small seeds made this way and committed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: fuzz/make-corpus.sh OUT_DIR}
mkdir -p "$out"
n=0
while IFS= read -r -d '' f; do
  base=$(echo "${f#"$root"/}" | tr '/' '_')
  awk -v out="$out" -v base="$base" '
    function flush() {
      if (buf != "") { file = sprintf("%s/%s.%d.mlir", out, base, part); printf "%s", buf > file; close(file); part++ }
      buf = ""
    }
    /^\/\/ -----/ { flush(); next }
    /^\/\/ *(RUN|CHECK|[A-Z0-9_-]*CHECK[A-Z-]*|REQUIRES|UNSUPPORTED|XFAIL)[:-]/ { next }
    { buf = buf $0 "\n" }
    END { flush() }' "$f"
  n=$((n + 1))
done < <(find "$root/test" "$root/examples" -name '*.mlir' -print0 2>/dev/null)
echo "make-corpus: $(ls "$out" | wc -l) seeds from $n files in $out"
