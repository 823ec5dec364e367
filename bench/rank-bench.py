#!/usr/bin/env python3
"""1-D and 3-D convolutions against the 2-D layer with the same channels and
output positions (issue 14: "a 3-D layer reaches >= 70% of the GFLOP/s of
the 2-D layer with the same channels and output positions, at every type").

Each pair below is one layer family written at ranks 1, 2 and 3 with the
same batch, channels, groups and number of output positions (3x3x3 / 3x3 / 3
kernels, stride 1, padding 1, so the output size is the input size). For
every element type and layout, convgrad-run compiles forward, dgrad and
wgrad through the default CPU pipeline, checks them exactly against the
reference loop nests, and times them (median of --reps calls). The table
gives GFLOP/s per rank and the ratios rank-3 / rank-2 and rank-1 / rank-2
(FLOPs = 2 * N * F * C/G * positions * taps, so the ratio compares how well
each rank uses the machine, not how long it takes).

Each rank is run --rounds times, the ranks alternating (1-D, 2-D, 3-D, 1-D,
...), and the table keeps each rank's best round (the least disturbed one).
On a shared machine one round is not enough: these kernels take 0.1-0.3 ms
and read 1-2 MiB per call, more than L2, from the L3 cache they share with
the other processes of the machine (and on a cloud host, other guests).
The same kernel in the same process, on the same buffers, runs 20-25%
slower for stretches of tens to hundreds of milliseconds that come and go
with what the neighbours do (a neighbour streaming memory brought them on,
one doing FMAs did not). A median of 30 calls lies inside one stretch, so a
single round of 2-D and of 3-D each measured whichever mode its moment
hit, and the 3-D / 2-D ratio of one layer moved between 0.65 and 1.04 from
run to run. The best of alternating rounds is what the kernels do when they
have the machine, as in the A/B rule of docs/benchmark.md; the footer gives
the largest spread between the rounds of one configuration. The first
round checks the kernels exactly; the others only time them (convgrad-run
--time-only: the reference loop nests of the dense 3-D layer take seconds).

    bench/rank-bench.py [--build build] [--pairs dense,grouped,multiplier]
                        [--types f32,f64,f16,bf16] [--layouts cf,cl]
                        [--threads 1] [--reps 30] [--rounds 3]
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name: (n, c, f, groups, {rank: spatial input size}). 8*28*28 = 56*112 =
# 6272 output positions; 8*14*14 = 28*56 = 1568.
PAIRS = {
    "dense": (1, 64, 64, 1, {1: [6272], 2: [56, 112], 3: [8, 28, 28]}),
    "grouped": (4, 64, 64, 4, {1: [1568], 2: [28, 56], 3: [8, 14, 14]}),
    "multiplier": (1, 32, 64, 32, {1: [6272], 2: [56, 112], 3: [8, 28, 28]}),
}
OPS = ("fwd", "dgrad", "wgrad")


def run_config(binary, cfg, reps, threads, check=True):
    cmd = [binary, "--config=" + cfg, "--time=%d" % reps]
    if not check:
        cmd.append("--time-only")
    if threads > 1:
        cmd += ["--pass-pipeline=convgrad-cpu-pipeline{num-threads=%d}" % threads,
                "--shared-libs=" + libomp()]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0 or " 0 failed" not in out.stdout:
        sys.exit("rank-bench: %s failed:\n%s%s" % (cfg, out.stdout, out.stderr))
    gflops = {}
    for line in out.stdout.splitlines():
        m = re.match(r"\s*(fwd|dgrad|wgrad)\s+([\d.]+) ms\s+([\d.]+) GFLOP/s", line)
        if m:
            gflops[m.group(1)] = float(m.group(3))
    return gflops


def libomp():
    for path in ("/usr/lib/llvm-22/lib/libomp.so", "/usr/lib/x86_64-linux-gnu/libomp.so.5"):
        if os.path.exists(path):
            return path
    sys.exit("rank-bench: libomp not found (scripts/install-deps.sh)")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--pairs", default=",".join(PAIRS))
    ap.add_argument("--types", default="f32,f64,f16,bf16")
    ap.add_argument("--layouts", default="cf,cl")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3,
                    help="runs of each rank, alternating; the best one counts")
    args = ap.parse_args()
    binary = os.path.join(args.build, "bin", "convgrad-run")
    if not os.path.exists(binary):
        sys.exit("rank-bench: %s not built (scripts/build.sh)" % binary)

    load_before = os.getloadavg()
    print("| pair | type | layout | op | 1-D GF/s | 2-D GF/s | 3-D GF/s | 1-D / 2-D | 3-D / 2-D |")
    print("|---|---|---|---|---:|---:|---:|---:|---:|")
    worst = None
    spread = None  # (worst / best - 1 over the rounds, what)
    for pair in args.pairs.split(","):
        n, c, f, g, sizes = PAIRS[pair]
        for elem in args.types.split(","):
            for layout in args.layouts.split(","):
                rounds = {rank: [] for rank in sizes}
                for rnd in range(max(1, args.rounds)):
                    for rank, spatial in sizes.items():
                        ones = ",".join(["1"] * rank)
                        cfg = ("n=%d c=%d f=%d g=%d in=%s k=%s pl=%s ph=%s layout=%s type=%s"
                               % (n, c, f, g, ",".join(map(str, spatial)),
                                  ",".join(["3"] * rank), ones, ones, layout, elem))
                        # The first round checks the kernels exactly, the
                        # others only time them.
                        rounds[rank].append(run_config(binary, cfg, args.reps,
                                                       args.threads, check=rnd == 0))
                per_rank = {rank: {op: max(r[op] for r in runs) for op in OPS}
                            for rank, runs in rounds.items()}
                for rank, runs in rounds.items():
                    for op in OPS:
                        rel = per_rank[rank][op] / min(r[op] for r in runs) - 1
                        if spread is None or rel > spread[0]:
                            spread = (rel, "%s %s %s %s %d-D" % (pair, elem, layout, op, rank))
                for op in OPS:
                    r1 = per_rank[1][op] / per_rank[2][op]
                    r3 = per_rank[3][op] / per_rank[2][op]
                    if worst is None or r3 < worst[0]:
                        worst = (r3, pair, elem, layout, op)
                    print("| %s | %s | %s | %s | %.1f | %.1f | %.1f | %.2f | %.2f |"
                          % (pair, elem, layout, op, per_rank[1][op], per_rank[2][op],
                             per_rank[3][op], r1, r3))
                sys.stdout.flush()
    load_after = os.getloadavg()
    print("\nThreads %d, median of %d calls, best of %d alternating rounds; load average "
          "%.2f before, %.2f after." % (args.threads, args.reps, max(1, args.rounds),
                                        load_before[0], load_after[0]))
    if spread and args.rounds > 1:
        print("Largest spread between rounds: best %.0f%% above worst (%s)"
              % (100 * spread[0], spread[1]))
    if worst:
        print("Lowest 3-D / 2-D: %.2f (%s %s %s %s)" % worst)


if __name__ == "__main__":
    main()
