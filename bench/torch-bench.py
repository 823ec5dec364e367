#!/usr/bin/env python3
"""convgrad against PyTorch end to end, on the benchmark rows (bench/shapes.csv).

What a PyTorch user compares: the gradient PyTorch 1.13 computes in
backward, torch.ops.aten.convolution_backward, on contiguous NCHW f32
tensors (output_mask selects the input gradient for dgrad, the weight
gradient for wgrad), timed as called, i.e. with whatever layout reorders
PyTorch (oneDNN inside) does; against convgrad's channels-first kernels,
timed by convgrad-bench (--no-dnnl, --layouts=channels_first).

For every row and thread count, in turn (so both see the same machine load):
  1. convgrad-bench times dgrad and wgrad of the row at that thread count,
     after checking every element against lib/Reference exactly (inputs on
     a dyadic grid on which every sum is exact); at the first thread count it
     also saves those inputs and its results (--save-tensors);
  2. PyTorch, with torch.set_num_threads(T), runs convolution_backward on the
     same inputs: the first result is compared element by element with
     convgrad's (on these inputs any correct summation order gives the exact
     sum, so the two must be equal bit for bit), then warm-up calls (at
     least --warmup calls and --warmup-ms) and the median of --reps calls,
     in --rounds rounds of which the fastest counts. As in convgrad-bench, a
     round whose threads lost more than --max-lost % of their CPU time (to
     the hypervisor's steal or to other processes) is disturbed: it counts
     only if no undisturbed one exists, and up to max(2, --rounds) extra
     rounds replace it. convgrad-bench gets the same --rounds and --max-lost.
Prints a Markdown table with ratio = convgrad time / PyTorch time (< 1:
convgrad is faster) and geomeans per op and thread count.

PyTorch is a benchmark-only dependency (Debian python3-torch,
scripts/install-deps.sh --bench). When the python3 on PATH has no torch
(e.g. a pyenv), the script runs itself again with /usr/bin/python3.

    bench/torch-bench.py [--build build] [--rows a,h] [--threads 1,2] [--reps 20]
"""
import argparse
import csv
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:
    import numpy as np
    import torch
except ImportError:
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") \
            and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    sys.exit("torch-bench.py: PyTorch not found (scripts/install-deps.sh --bench "
             "installs Debian's python3-torch)")


class Row:
    """One line of the shapes CSV (name,N,C,H,W,F,KH,KW,stride,pad,dilation,groups)."""

    def __init__(self, line):
        fields = [f.strip() for f in line.split(",")]
        if len(fields) != 12:
            raise ValueError("expected 12 fields, got %d: %s" % (len(fields), line))
        self.line = ",".join(fields)
        self.name = fields[0]
        (self.n, self.c, self.h, self.w, self.f, self.kh, self.kw, self.stride,
         self.pad, self.dil, self.groups) = map(int, fields[1:])
        self.oh = (self.h + 2 * self.pad - self.dil * (self.kh - 1) - 1) // self.stride + 1
        self.ow = (self.w + 2 * self.pad - self.dil * (self.kw - 1) - 1) // self.stride + 1

    def shapes(self):
        return {"x": (self.n, self.c, self.h, self.w),
                "w": (self.f, self.c // self.groups, self.kh, self.kw),
                "dy": (self.n, self.f, self.oh, self.ow)}

    def flops(self):
        return (2.0 * self.n * self.f * (self.c // self.groups) * self.oh * self.ow
                * self.kh * self.kw)


def read_rows(path, selected):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            row = Row(line)
            if not selected or row.name in selected or row.name.split("_")[0] in selected:
                rows.append(row)
    return rows


def run_convgrad(args, row, threads, save_dir):
    """convgrad-bench on one row and thread count: {op: csv record}, header."""
    with tempfile.NamedTemporaryFile(suffix=".csv") as out:
        cmd = [args.bench, "--no-dnnl", "--shape=" + row.line, "--threads=%d" % threads,
               "--ops=dgrad,wgrad", "--layouts=channels_first", "--reps=%d" % args.reps,
               "--warmup=%d" % args.warmup, "--warmup-ms=%d" % args.warmup_ms,
               "--peak-seconds=0.05", "--rounds=%d" % args.rounds,
               "--max-lost=%g" % args.max_lost, "--csv=" + out.name]
        if args.pipeline_options:
            cmd.append("--pipeline-options=" + args.pipeline_options)
        if save_dir:
            cmd.append("--save-tensors=" + save_dir)
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)
        if proc.returncode not in (0, 1):
            sys.exit("torch-bench.py: %s failed:\n%s" % (" ".join(cmd), proc.stderr))
        with open(out.name) as f:
            records = {r["op"]: r for r in csv.DictReader(f)}
    target = [l for l in proc.stdout.splitlines() if l.startswith("# convgrad compiled for")]
    return records, (target[0][2:] if target else "")


def load(save_dir, row, op, what):
    """One tensor convgrad-bench --save-tensors wrote (result: dx or dw)."""
    shapes = row.shapes()
    shapes["result"] = shapes["x" if op == "dgrad" else "w"]
    path = os.path.join(save_dir, "%s.channels_first.%s.%s.f32" % (row.name, op, what))
    return torch.from_numpy(np.fromfile(path, dtype=np.float32).reshape(shapes[what]))


def torch_call(row, op, x, w, dy):
    mask = [op == "dgrad", op == "wgrad", False]
    return lambda: torch.ops.aten.convolution_backward(
        dy, x, w, None, [row.stride] * 2, [row.pad] * 2, [row.dil] * 2, False,
        [0, 0], row.groups, mask)


def cpu_seconds():
    """(stolen, busy) CPU seconds of the machine since boot (/proc/stat) and
    this process's CPU seconds (all its threads), or None where unknown."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    tick = os.sysconf("SC_CLK_TCK")
    # user nice system idle iowait irq softirq steal ...
    busy = sum(fields[i] for i in (0, 1, 2, 5, 6) if i < len(fields))
    steal = fields[7] if len(fields) > 7 else 0
    own = resource.getrusage(resource.RUSAGE_SELF)
    return steal / tick, busy / tick, own.ru_utime + own.ru_stime


def lost_percent(before, after, threads, elapsed):
    """CPU time lost to steal and to other processes, as % of what `threads`
    threads had in `elapsed` s (None if unknown or too short to judge:
    /proc/stat counts in 10 ms ticks)."""
    if before is None or after is None or threads * elapsed < 0.1:
        return None
    stolen = after[0] - before[0]
    others = max(0.0, (after[1] - before[1]) - (after[2] - before[2]))
    return 100.0 * (stolen + others) / (threads * elapsed)


def time_round(call, args, threads):
    """One round: warm-up, then the median of --reps calls (ms), and the %
    of CPU time the threads lost meanwhile (None if unknown)."""
    usage = cpu_seconds()
    start = time.perf_counter()
    done = 0
    while done < args.warmup or time.perf_counter() - start < args.warmup_ms / 1000.0:
        call()
        done += 1
    times = []
    for _ in range(args.reps):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    lost = lost_percent(usage, cpu_seconds(), threads, time.perf_counter() - start)
    return statistics.median(times) * 1e3, lost


def time_call(call, args, threads):
    """The fastest undisturbed round's median (ms), the rounds run and how
    many were disturbed (see the module doc)."""
    best = None  # (disturbed, ms)
    clean = run = disturbed = 0
    while clean < args.rounds and run < args.rounds + max(2, args.rounds):
        ms, lost = time_round(call, args, threads)
        bad = args.max_lost < 100 and lost is not None and lost > args.max_lost
        run += 1
        disturbed += bad
        clean += not bad
        best = min(best, (bad, ms)) if best else (bad, ms)
    return best[1], run, disturbed


def check(row, op, save_dir, result):
    """PyTorch's result against convgrad's on the same inputs."""
    expected = load(save_dir, row, op, "result")
    if result.shape != expected.shape:
        return "FAIL (shape %s, convgrad %s)" % (tuple(result.shape), tuple(expected.shape))
    diff = (result.double() - expected.double()).abs()
    bad = int((diff != 0).sum())
    if bad == 0:
        return "equal"
    return "FAIL (%d of %d differ, max %.3g)" % (bad, diff.numel(), float(diff.max()))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--shapes", default=os.path.join(ROOT, "bench", "shapes.csv"))
    p.add_argument("--rows", default="", help="names or letters, e.g. a,h")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--warmup-ms", type=int, default=300)
    p.add_argument("--rounds", type=int, default=1,
                   help="timing rounds per kernel; the fastest counts")
    p.add_argument("--max-lost", type=float, default=5,
                   help="%% of CPU time lost above which a round is disturbed "
                   "and run again (100: off)")
    p.add_argument("--pipeline-options", default="",
                   help="passed to convgrad-bench, e.g. target-cpu=znver3")
    args = p.parse_args()
    args.bench = os.path.join(args.build, "bin", "convgrad-bench")
    if not os.path.exists(args.bench):
        sys.exit("torch-bench.py: %s not found (build it first)" % args.bench)
    threads = [int(t) for t in args.threads.split(",")]
    rows = read_rows(args.shapes, set(filter(None, args.rows.split(","))))
    if not rows:
        sys.exit("torch-bench.py: no rows selected")

    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    print("# convgrad vs PyTorch %s (convolution_backward, NCHW f32 contiguous, "
          "oneDNN inside: %s), %s, %d hardware threads, %s" % (
              torch.__version__, torch.backends.mkldnn.is_available(), cpu,
              os.cpu_count(), time.strftime("%Y-%m-%d %H:%M %Z")))
    print("# Load average (1/5/15 min) at start: %s" % " ".join(
        "%.2f" % l for l in os.getloadavg()))
    print("# time = median of %d calls after >= %d warm-up calls and >= %d ms, fastest "
          "of %d rounds (a round whose threads lost > %g%% of their CPU time is run "
          "again); convgrad verified exactly against lib/Reference, PyTorch against "
          "convgrad's result on the same inputs (equal = bit for bit)"
          % (args.reps, args.warmup, args.warmup_ms, args.rounds, args.max_lost))
    sys.stdout.flush()

    results = []  # (row, op, threads, cg_ms, cg_verify, torch_ms, torch_check)
    torch_rounds = torch_disturbed = 0
    target = ""
    with tempfile.TemporaryDirectory(prefix="torch-bench-") as save_dir:
        for row in rows:
            checks = {}
            for ti, t in enumerate(threads):
                records, target = run_convgrad(args, row, t, save_dir if ti == 0 else None)
                torch.set_num_threads(t)
                for op in ("dgrad", "wgrad"):
                    x, w, dy = (load(save_dir, row, op, k) for k in ("x", "w", "dy"))
                    call = torch_call(row, op, x, w, dy)
                    if op not in checks:
                        out = call()
                        checks[op] = check(row, op, save_dir, out[0 if op == "dgrad" else 1])
                    torch_ms, run, disturbed = time_call(call, args, t)
                    torch_rounds += run
                    torch_disturbed += disturbed
                    r = records.get(op, {})
                    cg_ms = float(r["cg_ms"]) if r.get("cg_ms") else float("nan")
                    results.append((row, op, t, cg_ms, r.get("verify", "error"), torch_ms,
                                    checks[op]))
                    print("%s %s %d thr: convgrad %.3f ms (%s), PyTorch %.3f ms (%s)" % (
                        row.name, op, t, cg_ms, r.get("verify", "error"), torch_ms, checks[op])
                        + (", %d of %d PyTorch rounds disturbed" % (disturbed, run)
                           if disturbed else ""),
                        file=sys.stderr)
            for f in os.listdir(save_dir):
                os.remove(os.path.join(save_dir, f))

    print("# %s" % target)
    print("# Load average (1/5/15 min) at end: %s" % " ".join(
        "%.2f" % l for l in os.getloadavg()))
    print("# PyTorch rounds disturbed (lost > %g%% of their CPU time) and run again: %d of %d"
          % (args.max_lost, torch_disturbed, torch_rounds))
    print()
    print("| row | op | thr | convgrad check | PyTorch check | convgrad ms | GFLOP/s | "
          "PyTorch ms | GFLOP/s | convgrad / PyTorch |")
    print("|---|---|---:|---|---|---:|---:|---:|---:|---:|")
    for row, op, t, cg_ms, cg_verify, torch_ms, torch_check in results:
        gf = lambda ms: row.flops() / (ms * 1e-3) / 1e9
        print("| %s | %s | %d | %s | %s | %.3f | %.1f | %.3f | %.1f | %.2f |" % (
            row.name, op, t, cg_verify, torch_check, cg_ms, gf(cg_ms), torch_ms,
            gf(torch_ms), cg_ms / torch_ms))
    print()
    failed = False
    for op in ("dgrad", "wgrad"):
        for t in threads:
            ratios = [cg / tm for _, o, tt, cg, _, tm, _ in results
                      if o == op and tt == t and cg > 0 and tm > 0]
            if ratios:
                print("Geomean convgrad / PyTorch, %s, %d thread(s): %.2f (min %.2f, max %.2f, "
                      "%d rows)" % (op, t, math.exp(sum(map(math.log, ratios)) / len(ratios)),
                                    min(ratios), max(ratios), len(ratios)))
    for row, op, t, cg_ms, cg_verify, torch_ms, torch_check in results:
        failed |= cg_verify != "ok" or torch_check != "equal"
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
