"""Summarizes x86 assembly (llc -O2 output) for the code generation tests:
how many basic blocks execute FMAs, how many of those spill or reload a
register (llc marks them "# N-byte Spill" / "Reload"), and how many
instructions use 512-bit (zmm) or 256-bit (ymm) registers, and how many FMA
blocks broadcast from memory (vbroadcastss from an address) or shuffle
(vbroadcastss from a register, vpermps, vshufps: an element of a loaded
vector moved to all lanes, on the shuffle port)."""
import re
import sys

blocks = [[]]
for line in sys.stdin:
    if re.match(r"^[.\w$]+:", line):
        blocks.append([])
    blocks[-1].append(line)

fma = [b for b in blocks if any("vfmadd" in l for l in b)]
spilling = [b for b in fma if any(re.search(r"byte (Spill|Reload)", l) for l in b)]
text = "".join("".join(b) for b in blocks)
print("fma-blocks: %d" % len(fma))
print("fma-blocks-with-spills: %d" % len(spilling))
print("zmm-instructions: %d" % len(re.findall(r"^\s+\w+\s.*%zmm", text, re.M)))
print("ymm-fma: %d" % len(re.findall(r"vfmadd\w*\s+.*%ymm", text)))
print("fma-blocks-with-broadcast-loads: %d" % len(
    [b for b in fma if any(re.search(r"vbroadcastss\s+-?\w*\(", l) for l in b)]))
print("fma-blocks-with-shuffles: %d" % len(
    [b for b in fma if any(re.search(r"vbroadcastss\s+%[xy]mm|vperm|vshuf", l)
                           for l in b)]))
