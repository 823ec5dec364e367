#!/usr/bin/env python3
"""Where a JIT-compiled kernel's time goes, by innermost loop, from
`perf record -e cpu-clock` samples (a software event: it works under KVM
without hardware counters).

  perf record -e cpu-clock -F 4000 -o k.data -- convgrad-bench \\
      --dump-objects=/tmp/k --rows=f --ops=dgrad --bench-threads=1 \\
      --no-dnnl --verify=none 2>&1 | grep '^# object'
  # -> # object /tmp/k.f_7x7_s2_stem_c3to64_224.NCHW.dgrad.1.o dgrad 0x7f...
  utils/perf-jit-loops.py k.data /tmp/k.f_7x7_s2_stem_c3to64_224.NCHW.dgrad.1.o dgrad 0x7f...

The object, function and address are those the recorded run printed (the
JIT places its code anew in every run). Prints, per innermost loop (a backward branch's range that
holds no other), its share of the kernel's samples and its FMAs,
broadcasts, memory moves and shuffles, then the share outside them.
"""
import collections
import re
import subprocess
import sys


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    data, obj, function = sys.argv[1], sys.argv[2], sys.argv[3]
    symbols = subprocess.run(['nm', obj], capture_output=True, text=True,
                             check=True).stdout
    offsets = [int(f[0], 16) for f in (l.split() for l in symbols.splitlines())
               if len(f) == 3 and f[2] == function]
    if not offsets:
        sys.exit('no symbol %s in %s' % (function, obj))
    base = int(sys.argv[4], 16) - offsets[0]
    dis = subprocess.run(['objdump', '-d', '--no-show-raw-insn', obj],
                         capture_output=True, text=True, check=True).stdout
    insts = []
    for line in dis.splitlines():
        m = re.match(r'\s+([0-9a-f]+):\s+(.*)', line)
        if m:
            insts.append((int(m.group(1), 16), m.group(2).strip()))
    if not insts:
        sys.exit('no instructions in ' + obj)
    end = insts[-1][0] + 16
    ips = subprocess.run(['perf', 'script', '-i', data, '-F', 'ip'],
                         capture_output=True, text=True, check=True).stdout
    samples = collections.Counter()
    for ip in ips.split():
        offset = int(ip, 16) - base
        if 0 <= offset < end:
            samples[offset] += 1
    total = sum(samples.values())
    if total == 0:
        sys.exit('no samples in the kernel: wrong address or object?')
    loops = []
    for address, text in insts:
        m = re.match(r'j\w+\s+([0-9a-f]+)', text)
        if m and int(m.group(1), 16) <= address:
            loops.append((int(m.group(1), 16), address))
    inner = [l for l in loops
             if not any(o != l and l[0] <= o[0] and o[1] <= l[1]
                        for o in loops)]
    rows = []
    for first, last in inner:
        count = sum(v for k, v in samples.items() if first <= k <= last)
        kinds = collections.Counter()
        for address, text in insts:
            if not first <= address <= last:
                continue
            op = text.split()[0]
            if op.startswith('vfmadd'):
                kinds['fma'] += 1
            elif op.startswith('vbroadcast'):
                kinds['broadcast'] += 1
            elif op.startswith('vmov') and '(' in text:
                kinds['memory'] += 1
            elif op.startswith(('vperm', 'vunpck', 'vshuf', 'vinsert',
                                'vextract', 'vblend')):
                kinds['shuffle'] += 1
            elif op.startswith('prefetch'):
                kinds['prefetch'] += 1
        rows.append((count, first, last, kinds))
    print('%d samples in the kernel' % total)
    inside = 0
    for count, first, last, kinds in sorted(rows, reverse=True):
        if count * 200 < total:
            break
        inside += count
        print('%5.1f%%  %x-%x  %s' % (100 * count / total, first, last,
                                       ' '.join('%s=%d' % kv
                                                for kv in sorted(kinds.items()))))
    print('%5.1f%%  elsewhere (outer loops, loops under 0.5%%)' %
          (100 * (total - inside) / total))


if __name__ == '__main__':
    main()
