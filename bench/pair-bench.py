#!/usr/bin/env python3
"""Odd sizes against their power-of-two neighbours, measured side by side
(issue 14: "a layer with 67 channels at 57x57 (and 96 at 35x35, 192->320 at
17x17 stride 2) reaches >= 75% of the GFLOP/s of the nearest power-of-two
layer").

convgrad-bench measures each row's rounds back to back and the rows one
after another, so the two rows of a pair run minutes apart; on a host whose
shared L3 and memory bandwidth other guests load, the same kernel moved by
up to 25% between such moments (both convgrad's and oneDNN's), which says
nothing about the odd size. Here the two rows of a pair alternate: each
round times every op, layout and thread count of the odd row, then of its
neighbour, and each kernel keeps its fastest round, so both rows meet the
same conditions. Pairs come from the "# pair: <row> <neighbour>" lines of
the shapes file. The first round verifies every kernel exactly (against
lib/Reference), later rounds only time.

    bench/pair-bench.py [--build build] [--shapes bench/real-layers.csv]
                        [--rounds 4] [--reps 5] [--threads 1,2]
                        [--layouts channels_first,channels_last]
                        [--pipeline-options=...]   (e.g. target-cpu=znver3)
                        [--bench-arg=--warmup-ms=0 ...]  (more convgrad-bench arguments)
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_PERCENT = 75


def read_pairs(shapes):
    pairs = []
    with open(shapes) as f:
        for line in f:
            if line.startswith("# pair:"):
                names = line[len("# pair:"):].split()
                if len(names) != 2:
                    sys.exit("pair-bench: %s: expected '# pair: <row> <neighbour>': %s"
                             % (shapes, line.strip()))
                pairs.append(tuple(names))
    return pairs


def time_row(args, row, verify, csv_path):
    cmd = [os.path.join(args.build, "bin", "convgrad-bench"),
           "--shapes=" + args.shapes, "--rows=" + row, "--ops=dgrad,wgrad",
           "--layouts=" + args.layouts, "--threads=" + args.threads,
           "--reps=%d" % args.reps, "--rounds=1", "--no-dnnl",
           "--verify=" + ("exact" if verify else "none"), "--csv=" + csv_path,
           # The FMA peak is not used here; the core probe still needs one.
           "--peak-seconds=0.2"] + args.bench_arg
    if args.pipeline_options:
        cmd.append("--pipeline-options=" + args.pipeline_options)
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("pair-bench: %s failed:\n%s%s" % (" ".join(cmd), out.stdout, out.stderr))
    rows = list(csv.DictReader(open(csv_path)))
    bad = [r for r in rows if verify and r["verify"] != "ok"]
    if bad:
        sys.exit("pair-bench: %s: verification %s" % (row, bad[0]["verify"]))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--shapes", default=os.path.join(ROOT, "bench", "real-layers.csv"))
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--layouts", default="channels_first,channels_last")
    ap.add_argument("--pipeline-options", default="")
    ap.add_argument("--bench-arg", action="append", default=[],
                    help="an extra convgrad-bench argument (repeatable)")
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.build, "bin", "convgrad-bench")):
        sys.exit("pair-bench: convgrad-bench not built (scripts/build.sh -DCONVGRAD_BENCH_DNNL=ON)")
    pairs = read_pairs(args.shapes)
    if not pairs:
        sys.exit("pair-bench: no '# pair:' lines in " + args.shapes)

    load_before = os.getloadavg()
    # (row, op, layout, threads) -> [fastest ms, flops]
    best = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rnd in range(args.rounds):
            for odd, neighbour in pairs:
                for row in (odd, neighbour):
                    for r in time_row(args, row, rnd == 0, os.path.join(tmp, "r.csv")):
                        key = (r["row"], r["op"], r["layout"], r["threads"])
                        ms = float(r["cg_ms"])
                        if key not in best or ms < best[key][0]:
                            best[key] = [ms, float(r["flops"])]
    load_after = os.getloadavg()

    print("| row | neighbour | op | layout | threads | row GF/s | neighbour GF/s | % |")
    print("|---|---|---|---|---:|---:|---:|---:|")
    lowest = None
    for odd, neighbour in pairs:
        for key in sorted(k for k in best if k[0] == odd):
            other = (neighbour,) + key[1:]
            if other not in best:
                continue
            gf = best[key][1] / best[key][0] / 1e6
            gf_n = best[other][1] / best[other][0] / 1e6
            percent = 100 * gf / gf_n
            if lowest is None or percent < lowest[0]:
                lowest = (percent, odd, neighbour) + key[1:]
            print("| %s | %s | %s | %s | %s | %.1f | %.1f | %.0f%% |"
                  % (odd, neighbour, key[1], key[2], key[3], gf, gf_n, percent))
    print("\nFastest of %d alternating rounds, median of %d calls each%s; load average "
          "%.2f before, %.2f after."
          % (args.rounds, args.reps,
             ", pipeline options " + args.pipeline_options if args.pipeline_options else "",
             load_before[0], load_after[0]))
    if lowest:
        print("Lowest: %.0f%% (%s vs %s, %s %s %s threads); target >= %d%%"
              % (lowest + (TARGET_PERCENT,)))


if __name__ == "__main__":
    main()
