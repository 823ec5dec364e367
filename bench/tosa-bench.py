#!/usr/bin/env python3
"""convgrad vs upstream MLIR's own TOSA path, on TOSA versions of the
benchmark rows (bench/shapes.csv) plus transposed-convolution rows.

For every row it writes TOSA functions (NHWC, f32, batch as in the row):
  <row>_fwd    the forward convolution (tosa.conv2d / tosa.depthwise_conv2d)
  <row>_dgrad  its data gradient as a tosa.transpose_conv2d (ungrouped,
               undilated rows: TOSA's transposed convolution has neither)
and the decoder rows t1-t3 (tosa.transpose_conv2d). Grouped row g has no
TOSA form. Then, for each thread count, one convgrad-run --compare-pipeline
process compiles the module through --convgrad-tosa-cpu-pipeline and
--convgrad-upstream-cpu-pipeline, checks that both give bit-identical
results on the same inputs and times both (median of --reps calls).
Prints a Markdown table with the ratio upstream time / convgrad time
(> 1: convgrad is faster) and the load average.

    bench/tosa-bench.py [--build build] [--rows a,t1] [--reps 5] [--threads 1,2]
"""
import argparse
import csv
import math
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Decoder / upsampling layers: name, N, C_in, H, W, C_out, K, stride, PyTorch
# padding, output_padding.
TRANSPOSED_ROWS = [
    ("t1_4x4_s2_c128to64_28", 8, 128, 28, 28, 64, 4, 2, 1, 0),
    ("t2_3x3_s2_opad1_c128to64_28", 8, 128, 28, 28, 64, 3, 2, 1, 1),
    ("t3_2x2_s2_c128to64_28", 8, 128, 28, 28, 64, 2, 2, 0, 0),
]


def t(*shape):
    return "tensor<%sxf32>" % "x".join(map(str, shape))


ZP = '  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>\n'


def fwd_function(name, n, c, h, w, f, kh, kw, s, p, d, groups):
    oh = (h + 2 * p - d * (kh - 1) - 1) // s + 1
    ow = (w + 2 * p - d * (kw - 1) - 1) // s + 1
    # TOSA needs exact division: trim the high padding to what is used, and
    # when even no padding is too much (1x1 stride 2 on 56), the input rows
    # no output reads (as a frontend's tosa.slice would).
    ph = (oh - 1) * s + d * (kh - 1) + 1 - h - p
    pw = (ow - 1) * s + d * (kw - 1) + 1 - w - p
    h, ph = h + min(ph, 0), max(ph, 0)
    w, pw = w + min(pw, 0), max(pw, 0)
    x, y = t(n, h, w, c), t(n, oh, ow, f)
    if groups == 1:
        wt, op = t(f, kh, kw, c), "tosa.conv2d"
    elif groups == c and f == c:
        wt, op = t(kh, kw, c, 1), "tosa.depthwise_conv2d"
    else:
        return None
    return ("func.func @%s_fwd(%%x: %s, %%w: %s, %%b: %s) -> %s {\n%s"
            "  %%y = %s %%x, %%w, %%b, %%zp, %%zp {acc_type = f32, dilation = array<i64: %d, %d>, "
            "pad = array<i64: %d, %d, %d, %d>, stride = array<i64: %d, %d>} : (%s, %s, %s, tensor<1xf32>, tensor<1xf32>) -> %s\n"
            "  return %%y : %s\n}\n" % (name, x, wt, t(f), y, ZP, op, d, d, p, ph, p, pw,
                                       s, s, x, wt, t(f), y, y))


def transpose_function(name, n, cin, h, w, cout, kh, kw, s, p, opad):
    """PyTorch ConvTranspose2d(cin, cout, k, s, p, output_padding) in TOSA."""
    oh = (h - 1) * s - 2 * p + kh + opad
    ow = (w - 1) * s - 2 * p + kw + opad
    x, y, wt = t(n, h, w, cin), t(n, oh, ow, cout), t(cout, kh, kw, cin)
    return ("func.func @%s(%%x: %s, %%w: %s, %%b: %s) -> %s {\n%s"
            "  %%y = tosa.transpose_conv2d %%x, %%w, %%b, %%zp, %%zp {acc_type = f32, "
            "out_pad = array<i64: %d, %d, %d, %d>, stride = array<i64: %d, %d>} : (%s, %s, %s, tensor<1xf32>, tensor<1xf32>) -> %s\n"
            "  return %%y : %s\n}\n" % (name, x, wt, t(cout), y, ZP, -p, -p + opad, -p,
                                       -p + opad, s, s, x, wt, t(cout), y, y))


def flops(kind, row):
    if kind == "t":
        _, n, cin, h, w, cout, k, *_ = row
        return 2.0 * n * cin * cout * h * w * k * k
    name, n, c, h, w, f, kh, kw, s, p, d, g = row
    oh = (h + 2 * p - d * (kh - 1) - 1) // s + 1
    ow = (w + 2 * p - d * (kw - 1) - 1) // s + 1
    return 2.0 * n * f * (c // g) * oh * ow * kh * kw


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--rows", default="", help="row names or prefixes (a,t1)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--keep", help="also write the TOSA module here")
    args = ap.parse_args()
    wanted = [r for r in args.rows.split(",") if r]

    def selected(name):
        return not wanted or any(name == r or name.split("_")[0] == r for r in wanted)

    functions, rows = [], []
    with open(os.path.join(ROOT, "bench", "shapes.csv")) as f:
        for rec in csv.reader(line for line in f if not line.startswith("#")):
            if not rec or not selected(rec[0]):
                continue
            row = (rec[0],) + tuple(int(v) for v in rec[1:])
            name, n, c, h, w, fo, kh, kw, s, p, d, g = row
            fwd = fwd_function(*row)
            if fwd:
                functions.append(fwd)
                rows.append((name + "_fwd", "fwd", flops("c", row)))
            if g == 1 and d == 1:
                # dgrad: dx = transpose_conv(dy, w) of the forward's output size.
                oh = (h + 2 * p - (kh - 1) - 1) // s + 1
                ow = (w + 2 * p - (kw - 1) - 1) // s + 1
                opad = h - ((oh - 1) * s - 2 * p + kh)
                functions.append(transpose_function(name + "_dgrad", n, fo, oh, ow, c,
                                                    kh, kw, s, p, opad))
                rows.append((name + "_dgrad", "dgrad", flops("c", row)))
    for row in TRANSPOSED_ROWS:
        if selected(row[0]):
            name, n, cin, h, w, cout, k, s, p, opad = row
            functions.append(transpose_function(name, n, cin, h, w, cout, k, k, s, p, opad))
            rows.append((name, "transpose", flops("t", row)))
    module = "".join(functions)
    if args.keep:
        with open(args.keep, "w") as f:
            f.write(module)

    load = open("/proc/loadavg").read().split()[:3]
    results = {}
    with tempfile.NamedTemporaryFile("w", suffix=".mlir") as tmp:
        tmp.write(module)
        tmp.flush()
        for threads in [int(v) for v in args.threads.split(",")]:
            opts = "" if threads == 1 else "{num-threads=%d}" % threads
            cmd = [os.path.join(args.build, "bin", "convgrad-run"), tmp.name,
                   "--pass-pipeline=convgrad-tosa-cpu-pipeline" + opts,
                   "--compare-pipeline=convgrad-upstream-cpu-pipeline" + opts,
                   "--time=%d" % args.reps,
                   "--shared-libs=/usr/lib/llvm-22/lib/libomp.so"]
            out = subprocess.run(cmd, capture_output=True, text=True)
            sys.stderr.write(out.stdout + out.stderr)
            status = {}
            for line in out.stdout.splitlines():
                m = re.match(r"(PASS|FAIL) @(\S+):", line)
                if m:
                    status[m.group(2)] = m.group(1)
                m = re.match(r"\s*time @(\S+): ([\d.]+) ms vs ([\d.]+) ms", line)
                if m:
                    results[(m.group(1), threads)] = (float(m.group(2)), float(m.group(3)))
            for name, *_ in rows:
                if status.get(name) != "PASS":
                    sys.exit("%s at %d thread(s): %s" % (name, threads,
                                                         status.get(name, "not run")))
    load_after = open("/proc/loadavg").read().split()[:3]

    print("Load average (1/5/15 min) %s before, %s after. Both sides: same inputs, "
          "bit-identical outputs checked before timing; median of %d calls."
          % ("/".join(load), "/".join(load_after), args.reps))
    print()
    print("| row | op | thr | convgrad ms | GFLOP/s | upstream ms | GFLOP/s | upstream / convgrad |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    ratios = {}
    for name, kind, fl in rows:
        for threads in [int(v) for v in args.threads.split(",")]:
            if (name, threads) not in results:
                continue
            cg, up = results[(name, threads)]
            ratios.setdefault(threads, []).append(up / cg)
            print("| %s | %s | %d | %.2f | %.1f | %.2f | %.1f | %.2fx |"
                  % (name.rsplit("_", 1)[0] if kind != "transpose" else name, kind,
                     threads, cg, fl / cg * 1e-6, up, fl / up * 1e-6, up / cg))
    for threads, r in sorted(ratios.items()):
        print("\nGeomean upstream / convgrad at %d thread(s): %.2fx (min %.2fx)"
              % (threads, math.exp(sum(map(math.log, r)) / len(r)), min(r)))


if __name__ == "__main__":
    main()
