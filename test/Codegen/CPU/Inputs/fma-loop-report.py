"""Summarizes x86 assembly (llc -O2 output) for the code generation tests:
how many basic blocks execute FMAs, how many of those spill or reload a
register (llc marks them "# N-byte Spill" / "Reload"), and how many
instructions use 512-bit (zmm) or 256-bit (ymm) registers."""
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
