#!/usr/bin/env python3
"""Writes the benchmark rows (bench/shapes.csv) as foreign linalg, in the forms
torch-mlir emits, for timing upstream's lowering against the raise + convgrad
(scripts/bench-raise.sh):

  fwd_<row>:   aten.convolution: zero tensor.pad, zero-filled accumulator,
               linalg.conv_2d_nchw_fchw (groups: expand_shape +
               conv_2d_ngchw_gfchw; depthwise: depthwise_conv_2d_nchw_chw).
  dgrad_<row>: the zero-insertion data gradient: dy inserted with the stride
               into zeros, padded by Ke-1-p and Ke-1-p+r, the filter flipped
               (linalg.generic + tensor.extract at K-1-k) and its channels
               swapped (linalg.transpose), linalg.conv_2d_nchw_fchw (depthwise:
               depthwise_conv_2d_nchw_chw, or for other groups expand_shape +
               a per-group role swap + conv_2d_ngchw_gfchw + collapse_shape).

Usage: foreign-forms.py shapes.csv [--rows=a,d] [--batch=N] > forms.mlir
"""
import sys


def parse(path, rows, batch):
    out = []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, n, c, h, w, f, kh, kw, s, p, d, g = line.split(",")
        if rows and name not in rows and name.split("_")[0] not in rows:
            continue
        n, c, h, w, f, kh, kw, s, p, d, g = map(
            int, (n, c, h, w, f, kh, kw, s, p, d, g))
        out.append(dict(name=name.split("_")[0], n=batch or n, c=c, h=h, w=w,
                        f=f, kh=kh, kw=kw, s=s, p=p, d=d, g=g))
    return out


def t(*dims):
    return "tensor<" + "x".join(map(str, dims)) + "xf32>"


def pad(value, src, dst, lo, hi, name):
    return (f"  %{name} = tensor.pad %{value} low[0, 0, {lo[0]}, {lo[1]}] high[0, 0, {hi[0]}, {hi[1]}] {{\n"
            f"  ^bb0(%i: index, %j: index, %k: index, %l: index):\n"
            f"    tensor.yield %zero : f32\n"
            f"  }} : {src} to {dst}\n")


def fwd(r):
    n, c, h, w, f, kh, kw, s, p, d, g = (r[k] for k in
                                         "n c h w f kh kw s p d g".split())
    oh = (h + 2 * p - (kh - 1) * d - 1) // s + 1
    ow = (w + 2 * p - (kw - 1) * d - 1) // s + 1
    hp, wp = h + 2 * p, w + 2 * p
    dense = f"dilations = dense<{d}> : tensor<2xi64>, strides = dense<{s}> : tensor<2xi64>"
    body = f"func.func @fwd_{r['name']}(%x: {t(n, c, h, w)}, %w: {t(f, c // g, kh, kw)}) -> {t(n, f, oh, ow)} {{\n"
    body += "  %zero = arith.constant 0.0 : f32\n"
    body += pad("x", t(n, c, h, w), t(n, c, hp, wp), (p, p), (p, p), "xp")
    body += f"  %e = tensor.empty() : {t(n, f, oh, ow)}\n"
    body += f"  %acc = linalg.fill ins(%zero : f32) outs(%e : {t(n, f, oh, ow)}) -> {t(n, f, oh, ow)}\n"
    if g == 1:
        body += (f"  %y = linalg.conv_2d_nchw_fchw {{{dense}}} ins(%xp, %w : {t(n, c, hp, wp)}, {t(f, c, kh, kw)})"
                 f" outs(%acc : {t(n, f, oh, ow)}) -> {t(n, f, oh, ow)}\n")
    elif g == c and f == c:
        body += f"  %wd = tensor.collapse_shape %w [[0, 1], [2], [3]] : {t(f, 1, kh, kw)} into {t(f, kh, kw)}\n"
        body += (f"  %y = linalg.depthwise_conv_2d_nchw_chw {{{dense}}} ins(%xp, %wd : {t(n, c, hp, wp)}, {t(c, kh, kw)})"
                 f" outs(%acc : {t(n, f, oh, ow)}) -> {t(n, f, oh, ow)}\n")
    else:
        cg, fg = c // g, f // g
        body += f"  %xg = tensor.expand_shape %xp [[0], [1, 2], [3], [4]] output_shape [{n}, {g}, {cg}, {hp}, {wp}] : {t(n, c, hp, wp)} into {t(n, g, cg, hp, wp)}\n"
        body += f"  %wg = tensor.expand_shape %w [[0, 1], [2], [3], [4]] output_shape [{g}, {fg}, {cg}, {kh}, {kw}] : {t(f, cg, kh, kw)} into {t(g, fg, cg, kh, kw)}\n"
        body += f"  %ag = tensor.expand_shape %acc [[0], [1, 2], [3], [4]] output_shape [{n}, {g}, {fg}, {oh}, {ow}] : {t(n, f, oh, ow)} into {t(n, g, fg, oh, ow)}\n"
        body += (f"  %yg = linalg.conv_2d_ngchw_gfchw {{{dense}}} ins(%xg, %wg : {t(n, g, cg, hp, wp)}, {t(g, fg, cg, kh, kw)})"
                 f" outs(%ag : {t(n, g, fg, oh, ow)}) -> {t(n, g, fg, oh, ow)}\n")
        body += f"  %y = tensor.collapse_shape %yg [[0], [1, 2], [3], [4]] : {t(n, g, fg, oh, ow)} into {t(n, f, oh, ow)}\n"
    body += f"  return %y : {t(n, f, oh, ow)}\n}}\n"
    return body


def dgrad(r):
    n, c, h, w, f, kh, kw, s, p, d, g = (r[k] for k in
                                         "n c h w f kh kw s p d g".split())
    depthwise = g == c and f == c and g > 1
    grouped = g > 1 and not depthwise
    ke = [(kh - 1) * d + 1, (kw - 1) * d + 1]
    size = [h, w]
    o = [(size[i] + 2 * p - ke[i]) // s + 1 for i in range(2)]
    rem = [(size[i] + 2 * p - ke[i]) % s for i in range(2)]
    z = [(o[i] - 1) * s + 1 for i in range(2)]
    lo = [ke[i] - 1 - p for i in range(2)]
    hi = [ke[i] - 1 - p + rem[i] for i in range(2)]
    if min(lo + hi) < 0:
        return ""
    zp = [z[i] + lo[i] + hi[i] for i in range(2)]
    dense = f"dilations = dense<{d}> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>"
    body = f"func.func @dgrad_{r['name']}(%dy: {t(n, f, o[0], o[1])}, %w: {t(f, c // g, kh, kw)}) -> {t(n, c, h, w)} {{\n"
    body += "  %zero = arith.constant 0.0 : f32\n"
    body += f"  %kh1 = arith.constant {kh - 1} : index\n  %kw1 = arith.constant {kw - 1} : index\n"
    body += f"  %ez = tensor.empty() : {t(n, f, z[0], z[1])}\n"
    body += f"  %z = linalg.fill ins(%zero : f32) outs(%ez : {t(n, f, z[0], z[1])}) -> {t(n, f, z[0], z[1])}\n"
    body += (f"  %ins = tensor.insert_slice %dy into %z[0, 0, 0, 0] [{n}, {f}, {o[0]}, {o[1]}] [1, 1, {s}, {s}]"
             f" : {t(n, f, o[0], o[1])} into {t(n, f, z[0], z[1])}\n")
    body += pad("ins", t(n, f, z[0], z[1]), t(n, f, zp[0], zp[1]), lo, hi, "p")
    wt = t(f, c // g, kh, kw)
    body += f"  %ef = tensor.empty() : {wt}\n"
    body += (f"  %flip = linalg.generic {{indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>],"
             f" iterator_types = [\"parallel\", \"parallel\", \"parallel\", \"parallel\"]}} outs(%ef : {wt}) {{\n"
             f"  ^bb0(%out: f32):\n"
             f"    %i0 = linalg.index 0 : index\n    %i1 = linalg.index 1 : index\n"
             f"    %i2 = linalg.index 2 : index\n    %i3 = linalg.index 3 : index\n"
             f"    %r2 = arith.subi %kh1, %i2 : index\n    %r3 = arith.subi %kw1, %i3 : index\n"
             f"    %v = tensor.extract %w[%i0, %i1, %r2, %r3] : {wt}\n"
             f"    linalg.yield %v : f32\n  }} -> {wt}\n")
    body += f"  %e = tensor.empty() : {t(n, c, h, w)}\n"
    body += f"  %acc = linalg.fill ins(%zero : f32) outs(%e : {t(n, c, h, w)}) -> {t(n, c, h, w)}\n"
    if depthwise:
        body += f"  %fd = tensor.collapse_shape %flip [[0, 1], [2], [3]] : {wt} into {t(c, kh, kw)}\n"
        body += (f"  %dx = linalg.depthwise_conv_2d_nchw_chw {{{dense}}} ins(%p, %fd : {t(n, f, zp[0], zp[1])}, {t(c, kh, kw)})"
                 f" outs(%acc : {t(n, c, h, w)}) -> {t(n, c, h, w)}\n")
    elif grouped:
        # Roles swapped within each group: [G, F/G, C/G, K] -> [G, C/G, F/G, K],
        # then linalg.conv_2d_ngchw_gfchw on the grouped views.
        fg, cg = f // g, c // g
        g5 = f"tensor<{g}x{fg}x{cg}x{kh}x{kw}xf32>"
        s5 = f"tensor<{g}x{cg}x{fg}x{kh}x{kw}xf32>"
        body += f"  %fg = tensor.expand_shape %flip [[0, 1], [2], [3], [4]] output_shape [{g}, {fg}, {cg}, {kh}, {kw}] : {wt} into {g5}\n"
        body += f"  %eg = tensor.empty() : {s5}\n"
        body += f"  %wg = linalg.transpose ins(%fg : {g5}) outs(%eg : {s5}) permutation = [0, 2, 1, 3, 4]\n"
        pin = f"tensor<{n}x{g}x{fg}x{zp[0]}x{zp[1]}xf32>"
        body += f"  %pg = tensor.expand_shape %p [[0], [1, 2], [3], [4]] output_shape [{n}, {g}, {fg}, {zp[0]}, {zp[1]}] : {t(n, f, zp[0], zp[1])} into {pin}\n"
        out5 = f"tensor<{n}x{g}x{cg}x{h}x{w}xf32>"
        body += f"  %ag = tensor.expand_shape %acc [[0], [1, 2], [3], [4]] output_shape [{n}, {g}, {cg}, {h}, {w}] : {t(n, c, h, w)} into {out5}\n"
        body += (f"  %dg = linalg.conv_2d_ngchw_gfchw {{{dense}}} ins(%pg, %wg : {pin}, {s5})"
                 f" outs(%ag : {out5}) -> {out5}\n")
        body += f"  %dx = tensor.collapse_shape %dg [[0], [1, 2], [3], [4]] : {out5} into {t(n, c, h, w)}\n"
    else:
        body += f"  %et = tensor.empty() : {t(c, f, kh, kw)}\n"
        body += f"  %ws = linalg.transpose ins(%flip : {wt}) outs(%et : {t(c, f, kh, kw)}) permutation = [1, 0, 2, 3]\n"
        body += (f"  %dx = linalg.conv_2d_nchw_fchw {{{dense}}} ins(%p, %ws : {t(n, f, zp[0], zp[1])}, {t(c, f, kh, kw)})"
                 f" outs(%acc : {t(n, c, h, w)}) -> {t(n, c, h, w)}\n")
    body += f"  return %dx : {t(n, c, h, w)}\n}}\n"
    return body


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--"))
    rows = opts.get("rows", "").split(",") if opts.get("rows") else []
    ops = opts.get("ops", "fwd,dgrad").split(",")
    for r in parse(args[0], rows, int(opts.get("batch", 0))):
        if "fwd" in ops:
            print(fwd(r))
        if "dgrad" in ops:
            print(dgrad(r))


main()
