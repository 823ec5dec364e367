#!/usr/bin/env python3
"""Writes test/Integration/Numerics/Inputs/transpose.cfg: the numerical
matrix of convgrad.conv_transpose (op=transpose lines, see
convgrad::reference::TestCase), as broad as the dgrad matrix: spatial rank 1-3
in both layouts, strides, dilations, asymmetric padding, output_padding up to
max(stride, dilation) - 1 (so also >= stride when the dilation is larger),
groups (1, depthwise, channel multiplier, general), f32/f16/bf16/f64, dynamic
batch. Every block is checked to be valid (the rule of
TransposedConvConfig::validate) and small; the script fails if a required
corner is missing.

    utils/gen-transpose-configs.py           # (re)write the file
    utils/gen-transpose-configs.py --check   # exit 1 if it is stale
"""
import argparse
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INPUTS = os.path.join(ROOT, "test", "Integration", "Numerics", "Inputs")
# bf16 lines have their own file so that they also run on the loops
# pipeline: LLVM 22's x86 isel aborts on some bf16 vector code when
# AVX512-BF16 is enabled (the JIT now disables it); keep both paths covered.
OUT, OUT_BF16 = (os.path.join(INPUTS, "transpose.cfg"),
                 os.path.join(INPUTS, "transpose-bf16.cfg"))
MAX_ELEMS = 6000


def out_size(s, k, st, d, pl, ph, op):
    return (s - 1) * st - pl - ph + d * (k - 1) + op + 1


def valid(cfg):
    r = len(cfg["in"])
    if cfg["c"] % cfg["g"] or cfg["f"] % cfg["g"]:
        return False
    for i in range(r):
        if cfg["opad"][i] >= max(cfg["s"][i], cfg["d"][i]):
            return False
        if out_size(cfg["in"][i], cfg["k"][i], cfg["s"][i], cfg["d"][i],
                    cfg["pl"][i], cfg["ph"][i], cfg["opad"][i]) < 1:
            return False
    prod = lambda v: eval("*".join(map(str, v)) or "1")
    o = [out_size(cfg["in"][i], cfg["k"][i], cfg["s"][i], cfg["d"][i],
                  cfg["pl"][i], cfg["ph"][i], cfg["opad"][i]) for i in range(r)]
    return max(cfg["n"] * cfg["c"] * prod(cfg["in"]), cfg["n"] * cfg["f"] * prod(o),
               cfg["c"] * cfg["f"] // cfg["g"] * prod(cfg["k"])) <= MAX_ELEMS


def fmt(cfg):
    j = lambda v: ",".join(map(str, v))
    return ("n=%d c=%d f=%d g=%d in=%s k=%s s=%s d=%s pl=%s ph=%s layout=%s type=%s "
            "dynbatch=%d op=transpose opad=%s" % (
                cfg["n"], cfg["c"], cfg["f"], cfg["g"], j(cfg["in"]), j(cfg["k"]),
                j(cfg["s"]), j(cfg["d"]), j(cfg["pl"]), j(cfg["ph"]), cfg["layout"],
                cfg["type"], cfg["dyn"], j(cfg["opad"])))


def random_cfg(rng, rank, layout, corner):
    while True:
        g = 1
        cin, cout = rng.randint(1, 4), rng.randint(1, 4)
        if corner == "depthwise":
            g = rng.randint(2, 4); cin = cout = g
        elif corner == "multiplier":
            g = rng.randint(2, 3); cin = g; cout = g * rng.randint(2, 3)
        elif corner == "groups":
            g = rng.randint(2, 3); cin = g * rng.randint(2, 3); cout = g * rng.randint(1, 3)
        cfg = {"n": rng.randint(1, 3), "c": cin, "f": cout, "g": g,
               "in": [rng.randint(1, 6) for _ in range(rank)],
               "k": [rng.randint(1, 4) for _ in range(rank)],
               "s": [rng.randint(1, 3) for _ in range(rank)],
               "d": [rng.randint(1, 3) for _ in range(rank)],
               "pl": [rng.randint(0, 3) for _ in range(rank)],
               "ph": [rng.randint(0, 3) for _ in range(rank)],
               "layout": layout, "type": "f32", "dyn": 0}
        cfg["opad"] = [rng.randint(0, max(s, d) - 1) for s, d in zip(cfg["s"], cfg["d"])]
        if corner == "opad-ge-stride":
            i = rng.randrange(rank)
            cfg["s"][i] = rng.randint(1, 2)
            cfg["d"][i] = cfg["s"][i] + rng.randint(1, 2)
            cfg["opad"][i] = rng.randint(cfg["s"][i], cfg["d"][i] - 1)
            cfg["ph"][i] = rng.randint(0, cfg["opad"][i] - 1)  # beyond the padding
        elif corner == "asymmetric":
            cfg["pl"] = [rng.randint(0, 1) for _ in range(rank)]
            cfg["ph"] = [p + rng.randint(2, 3) for p in cfg["pl"]]
        elif corner in ("f16", "bf16", "f64"):
            cfg["type"] = corner
        elif corner == "dynbatch":
            cfg["dyn"] = 1; cfg["n"] = rng.randint(2, 3)
        elif corner == "decoder":
            k = rng.choice([2, 3, 4]); st = 2
            cfg["k"] = [k] * rank; cfg["s"] = [st] * rank; cfg["d"] = [1] * rank
            p = (k - 1) // 2 if k != 2 else 0
            cfg["pl"] = [p] * rank; cfg["ph"] = [p] * rank
            cfg["opad"] = [1 if k == 3 else 0] * rank
        if valid(cfg):
            return cfg


def generate():
    rng = random.Random(1205)
    lines = ["# convgrad.conv_transpose numerical matrix (utils/gen-transpose-configs.py;",
             "# do not edit). Every line: the op, its three gradients and the adjoint",
             "# identities against lib/Reference's transposed loop nests."]
    corners = ["plain", "opad-ge-stride", "asymmetric", "depthwise", "multiplier",
               "groups", "decoder", "f16", "bf16", "f64", "dynbatch"]
    count = {"plain": 3}
    for rank in (1, 2, 3):
        for layout in ("cf", "cl"):
            for corner in corners:
                lines.append("# rank %d %s: %s" % (rank, layout, corner))
                for _ in range(count.get(corner, 2 if corner != "decoder" else 1)):
                    lines.append(fmt(random_cfg(rng, rank, layout, corner)))
    main = [l for l in lines if "type=bf16" not in l and "bf16" not in l]
    bf16 = lines[:3] + [l for l in lines if "type=bf16" in l]
    text = "\n".join(main) + "\n", "\n".join(bf16) + "\n"
    # Coverage: output_padding >= stride somewhere, in every rank and layout.
    for rank in (1, 2, 3):
        for layout in ("cf", "cl"):
            assert any("opad-ge-stride" in l for l in lines if l.startswith("# rank %d %s" % (rank, layout)))
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    text = generate()
    for path, content in zip((OUT, OUT_BF16), text):
        if args.check:
            if open(path).read() != content:
                sys.exit("%s is stale: run utils/gen-transpose-configs.py" % path)
            continue
        with open(path, "w") as f:
            f.write(content)


if __name__ == "__main__":
    main()
