//===- convgrad-fuzz-gen.cpp - libFuzzer target: near-valid convgrad ops -===//
//
// Structure-aware fuzzing: the fuzz bytes are the choices of a generator of
// well-typed, NEAR-valid convgrad functions (all seven ops: conv,
// conv_backward_data, conv_backward_filter, conv_backward_bias,
// conv_transpose, insert_zeros, reverse). Each op starts from a valid configuration (random spatial rank,
// sizes including 0 and 1, stride, dilation, asymmetric padding possibly
// larger than the kernel, groups, layout, element type, dynamic batch) and
// then a few choices perturb it: attribute lengths and values (0, negative,
// huge), groups that do not divide, unsupported element types, dynamic
// dimensions anywhere, ranks 1-6, wrong result sizes. The text goes through
// the same parse / verify / --convgrad-to-linalg / CPU pipeline path as
// convgrad-fuzz, so most inputs reach the passes, not only the parser.
//
// CONVGRAD_FUZZ_PRINT=1 prints each generated module to stderr (to turn a
// crashing input into a .mlir regression test).
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

namespace {

constexpr int64_t kDyn = -1; // printed as '?'

struct Gen {
  FuzzedDataProvider &fdp;
  std::string out;
  int valueId = 0;

  explicit Gen(FuzzedDataProvider &fdp) : fdp(fdp) {}

  int64_t range(int64_t lo, int64_t hi) {
    return fdp.ConsumeIntegralInRange<int64_t>(lo, hi);
  }
  /// True with probability about 1/n.
  bool oneIn(unsigned n) { return fdp.ConsumeIntegralInRange<unsigned>(1, n) == 1; }
  /// Half of the modules are generated valid (only the random configuration
  /// varies), the other half with perturbations: maybe() is a perturbation.
  bool mutate = true;
  bool maybe(unsigned n) { return mutate && oneIn(n); }

  /// A value that breaks an attribute entry: 0, negative, huge, large.
  int64_t badValue() {
    switch (range(0, 6)) {
    case 0:
      return 0;
    case 1:
      return -1;
    case 2:
      return std::numeric_limits<int64_t>::max();
    case 3:
      return std::numeric_limits<int64_t>::min();
    case 4:
      return int64_t(1) << 32;
    case 5:
      return int64_t(1) << 62;
    default:
      return range(-1000, 1000);
    }
  }

  /// A dimension size for a broken type: usually small, sometimes large.
  int64_t badDim() {
    switch (range(0, 4)) {
    case 0:
      return 0;
    case 1:
      return kDyn;
    case 2:
      return int64_t(1) << range(20, 62);
    default:
      return range(0, 12);
    }
  }

  std::string elementType() {
    // Mostly supported types; sometimes unsupported ones.
    static const char *const types[] = {"f32", "f16",  "bf16", "f64",
                                        "f32", "f32",  "i32",  "i8",
                                        "f8E4M3FN", "complex<f32>", "index",
                                        "tf32"};
    unsigned n = maybe(6) ? 12 : 4;
    return types[range(0, n - 1)];
  }

  static std::string tensorType(const std::vector<int64_t> &shape,
                                const std::string &et) {
    std::string s = "tensor<";
    for (int64_t d : shape)
      s += (d == kDyn ? std::string("?") : std::to_string(d)) + "x";
    return s + et + ">";
  }

  static std::string array(const std::vector<int64_t> &v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i)
      s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
  }

  /// Randomly breaks an attribute array: length +-1, or one bad entry.
  void perturbArray(std::vector<int64_t> &v) {
    if (!maybe(8))
      return;
    switch (range(0, 3)) {
    case 0:
      v.push_back(range(0, 3));
      break;
    case 1:
      if (!v.empty())
        v.pop_back();
      break;
    case 2:
      v.clear();
      break;
    default:
      if (!v.empty())
        v[range(0, v.size() - 1)] = badValue();
      break;
    }
  }

  /// Randomly breaks a shape: a dynamic or odd dimension, or a rank change.
  void perturbShape(std::vector<int64_t> &shape, bool allowDynamic = true) {
    if (allowDynamic && maybe(10) && !shape.empty())
      shape[range(0, shape.size() - 1)] = kDyn;
    if (maybe(12) && !shape.empty())
      shape[range(0, shape.size() - 1)] = badDim();
    if (maybe(20)) {
      if (oneIn(2) && !shape.empty())
        shape.pop_back();
      else
        shape.push_back(range(0, 4));
    }
  }

  /// `%a<i>` function arguments and their types.
  struct Func {
    std::vector<std::string> argTypes;
    std::string body;
  };

  std::string arg(Func &f, const std::string &type) {
    // Sometimes a constant splat instead of an argument (static shapes only).
    if (type.find('?') == std::string::npos && oneIn(10) &&
        type.find("x0x") == std::string::npos) {
      size_t x = type.rfind('x');
      std::string et = x == std::string::npos ? "" : type.substr(x + 1);
      if (!et.empty())
        et.pop_back(); // '>'
      if (et == "f32" || et == "f16" || et == "bf16" || et == "f64" ||
          et == "i32" || et == "i8") {
        bool isFloat = et[0] == 'f' || et[0] == 'b';
        std::string name = "%c" + std::to_string(valueId++);
        f.body += "  " + name + " = arith.constant dense<" +
                  (isFloat ? "1.5" : "3") + "> : " + type + "\n";
        return name;
      }
    }
    f.argTypes.push_back(type);
    return "%a" + std::to_string(f.argTypes.size() - 1);
  }

  /// The attribute clause of the convolution family.
  std::string convAttrs(std::vector<int64_t> strides,
                        std::vector<int64_t> padding,
                        std::vector<int64_t> dilations, int64_t groups,
                        bool channelsLast) {
    perturbArray(strides);
    perturbArray(padding);
    perturbArray(dilations);
    if (maybe(12))
      groups = badValue();
    std::string s;
    auto allEq = [](const std::vector<int64_t> &v, int64_t x) {
      for (int64_t e : v)
        if (e != x)
          return false;
      return true;
    };
    if (!allEq(strides, 1) || oneIn(4))
      s += " strides = " + array(strides);
    if (!allEq(padding, 0) || oneIn(4))
      s += " padding = " + array(padding);
    if (!allEq(dilations, 1) || oneIn(4))
      s += " dilations = " + array(dilations);
    if (groups != 1 || oneIn(4))
      s += " groups = " + std::to_string(groups);
    if (channelsLast)
      s += " layout = channels_last";
    else if (oneIn(4))
      s += " layout = channels_first";
    return s;
  }

  /// One convolution-family op (kind 0..4: conv, dgrad, wgrad, bgrad,
  /// conv_transpose) from a valid configuration plus perturbations.
  void convFamily(Func &f, unsigned kind) {
    unsigned r = range(1, 3);
    if (maybe(16))
      r = range(0, 4); // rank 2 or 6 tensors
    bool cl = oneIn(2);
    int64_t n = range(0, 3) ? range(1, 3) : 0;
    int64_t g = range(1, 4), cg = range(0, 3) ? range(1, 3) : 0,
            fg = range(0, 3) ? range(1, 3) : 0;
    std::vector<int64_t> in, k, s, d, pl, ph, o;
    for (unsigned i = 0; i < r; ++i) {
      int64_t h = range(0, 9), kk = range(0, 9) ? range(1, 4) : 0;
      int64_t ss = range(1, 4), dd = range(1, 3);
      int64_t lo = range(0, 5), hi = range(0, 5);
      // The size paths (issue 11): valid strides, dilations and paddings up
      // to the verifier's bound 2^31 - 1, far beyond the kernel extent.
      if (oneIn(8))
        ss = range(5, (int64_t(1) << 31) - 1);
      if (oneIn(16))
        dd = range(4, (int64_t(1) << 31) - 1);
      if (oneIn(16))
        lo = range(6, (int64_t(1) << 31) - 1);
      if (oneIn(16))
        hi = range(6, (int64_t(1) << 31) - 1);
      int64_t span = h + lo + hi - ((kk - 1) * dd + 1);
      int64_t oo = span >= 0 ? span / ss + 1 : 0;
      in.push_back(h);
      k.push_back(kk);
      s.push_back(ss);
      d.push_back(dd);
      pl.push_back(lo);
      ph.push_back(hi);
      o.push_back(oo);
    }
    std::vector<int64_t> padding = pl;
    padding.insert(padding.end(), ph.begin(), ph.end());
    if (maybe(16)) { // groups * channels per group wraps int64 (to 0)
      g = int64_t(1) << 32;
      cg = int64_t(1) << range(32, 40);
      fg = 0;
    }
    int64_t c = int64_t(uint64_t(g) * uint64_t(cg)),
            fch = int64_t(uint64_t(g) * uint64_t(fg));
    if (maybe(10))
      c = range(0, 9); // groups may not divide
    if (maybe(10))
      fch = range(0, 9);
    // [outer, ch, sp...] or [outer, sp..., ch]: activations (outer = n) and
    // the filter (outer = fch, ch = cg).
    auto layoutShape = [&](int64_t outer, int64_t ch,
                           const std::vector<int64_t> &sp) {
      std::vector<int64_t> shape = {outer};
      if (!cl)
        shape.push_back(ch);
      shape.insert(shape.end(), sp.begin(), sp.end());
      if (cl)
        shape.push_back(ch);
      return shape;
    };
    std::vector<int64_t> xs = layoutShape(n, c, in);
    std::vector<int64_t> ys = layoutShape(n, fch, o);
    std::vector<int64_t> ws = layoutShape(fch, cg, k);
    bool dynBatch = oneIn(4);
    if (dynBatch) {
      xs[0] = kDyn;
      ys[0] = kDyn;
    }
    if (maybe(10)) { // dynamic channels
      xs[cl ? xs.size() - 1 : 1] = kDyn;
      if (oneIn(2))
        ys[cl ? ys.size() - 1 : 1] = kDyn;
    }
    if (maybe(16))
      ws[0] = kDyn;
    perturbShape(xs);
    perturbShape(ys);
    perturbShape(ws);
    std::string et = elementType();
    std::string et2 = maybe(16) ? elementType() : et;
    std::string xt = tensorType(xs, et), yt = tensorType(ys, et),
                wt = tensorType(ws, et2);
    std::string attrs = convAttrs(s, padding, d, g, cl);
    std::string res = "%r" + std::to_string(valueId++);
    std::string line, resultType;
    switch (kind) {
    case 0: { // conv
      std::string x = arg(f, xt), w = arg(f, wt);
      std::string operands = x + ", " + w, types = xt + ", " + wt;
      if (oneIn(2)) {
        std::vector<int64_t> bs = {fch};
        if (maybe(10))
          bs = {badDim()};
        if (maybe(20))
          bs.push_back(1);
        std::string bt = tensorType(bs, et);
        operands += ", " + arg(f, bt);
        types += ", " + bt;
      }
      line = res + " = convgrad.conv " + operands + attrs + " : (" + types +
             ") -> " + yt;
      resultType = yt;
      break;
    }
    case 1: { // dgrad
      std::string dy = arg(f, yt), w = arg(f, wt);
      line = res + " = convgrad.conv_backward_data " + dy + ", " + w + attrs +
             " : (" + yt + ", " + wt + ") -> " + xt;
      resultType = xt;
      break;
    }
    case 2: { // wgrad
      std::string x = arg(f, xt), dy = arg(f, yt);
      line = res + " = convgrad.conv_backward_filter " + x + ", " + dy +
             attrs + " : (" + xt + ", " + yt + ") -> " + wt;
      resultType = wt;
      break;
    }
    case 4: { // conv_transpose: the transpose of the forward relation
      // above, from dy's sizes back to x's; output_padding is the remainder
      // rows, below the stride as PyTorch requires.
      std::vector<int64_t> opad;
      for (unsigned i = 0; i < r; ++i) {
        int64_t base = (o[i] - 1) * s[i] - pl[i] - ph[i] + (k[i] - 1) * d[i] + 1;
        opad.push_back(in[i] - base);
      }
      if (maybe(8))
        perturbArray(opad);
      std::string dy = arg(f, yt), w = arg(f, wt);
      std::string operands = dy + ", " + w, types = yt + ", " + wt;
      if (oneIn(2)) {
        std::string bt = tensorType({maybe(10) ? badDim() : c}, et);
        operands += ", " + arg(f, bt);
        types += ", " + bt;
      }
      bool zeroPadding = true;
      for (int64_t v : opad)
        zeroPadding &= v == 0;
      line = res + " = convgrad.conv_transpose " + operands +
             (zeroPadding && !oneIn(4) ? "" : " output_padding = " + array(opad)) +
             attrs + " : (" + types + ") -> " + xt;
      resultType = xt;
      break;
    }
    default: { // bgrad
      std::vector<int64_t> bs = {fch};
      if (maybe(8))
        bs = {badDim()};
      if (maybe(16))
        bs.push_back(2);
      std::string bt = tensorType(bs, maybe(16) ? elementType() : et);
      std::string dy = arg(f, yt);
      line = res + " = convgrad.conv_backward_bias " + dy +
             (cl ? " layout = channels_last" : "") + " : (" + yt + ") -> " +
             bt;
      resultType = bt;
      break;
    }
    }
    f.body += "  " + line + "\n";
    f.body += "  func.return " + res + " : " + resultType + "\n";
    f.argTypes.push_back("!result:" + resultType);
  }

  std::vector<int64_t> randomShape(unsigned rank) {
    std::vector<int64_t> shape;
    for (unsigned i = 0; i < rank; ++i)
      shape.push_back(oneIn(8) ? kDyn : range(0, 7));
    return shape;
  }

  void insertZeros(Func &f) {
    unsigned rank = range(1, 5);
    std::vector<int64_t> src = randomShape(rank), strides, dst;
    for (unsigned i = 0; i < rank; ++i) {
      int64_t s = range(1, 4);
      if (src[i] == kDyn && s != 1 && !maybe(4))
        s = 1;
      strides.push_back(s);
      int64_t sz = src[i];
      dst.push_back(sz == kDyn ? (s == 1 ? kDyn : kDyn)
                               : (sz == 0 ? 0 : (sz - 1) * s + 1));
    }
    perturbArray(strides);
    perturbShape(dst);
    std::string et = elementType();
    std::string st = tensorType(src, et),
                dt = tensorType(dst, maybe(16) ? elementType() : et);
    std::string res = "%r" + std::to_string(valueId++);
    std::string a = arg(f, st);
    f.body += "  " + res + " = convgrad.insert_zeros " + a + " strides = " +
              array(strides) + " : " + st + " -> " + dt + "\n";
    f.body += "  func.return " + res + " : " + dt + "\n";
    f.argTypes.push_back("!result:" + dt);
  }

  void reverse(Func &f) {
    unsigned rank = range(1, 5);
    std::vector<int64_t> shape = randomShape(rank), dims;
    for (unsigned i = 0; i < rank; ++i)
      if (oneIn(2) && (shape[i] != kDyn || oneIn(3)))
        dims.push_back(i);
    if (maybe(8))
      dims.push_back(oneIn(2) ? badValue() : range(0, 5));
    if (maybe(12) && dims.size() > 1)
      std::swap(dims[0], dims[1]);
    std::string t = tensorType(shape, elementType());
    std::string res = "%r" + std::to_string(valueId++);
    std::string a = arg(f, t);
    f.body += "  " + res + " = convgrad.reverse " + a + " dimensions = " +
              array(dims) + " : " + t + "\n";
    f.body += "  func.return " + res + " : " + t + "\n";
    f.argTypes.push_back("!result:" + t);
  }

  /// A module of 1-3 functions with one op each.
  std::string module() {
    mutate = oneIn(2);
    std::string m = "module {\n";
    unsigned numFuncs = range(1, 3);
    for (unsigned i = 0; i < numFuncs && fdp.remaining_bytes() > 0; ++i) {
      Func f;
      unsigned kind = range(0, 6);
      if (kind < 5)
        convFamily(f, kind);
      else if (kind == 5)
        insertZeros(f);
      else
        reverse(f);
      std::string resultType = f.argTypes.back().substr(8);
      f.argTypes.pop_back();
      m += "func.func @f" + std::to_string(i) + "(";
      for (size_t a = 0; a < f.argTypes.size(); ++a)
        m += (a ? ", " : "") + std::string("%a") + std::to_string(a) + ": " +
             f.argTypes[a];
      m += ") -> " + resultType + " {\n" + f.body + "}\n";
    }
    return m + "}\n";
  }
};

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  convgrad_fuzz::initialize();
  convgrad_fuzz::enableStatsAtExit();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  Gen gen(fdp);
  std::string text = gen.module();
  if (const char *p = std::getenv("CONVGRAD_FUZZ_PRINT"); p && *p == '1')
    fprintf(stderr, "%s", text.c_str());
  convgrad_fuzz::runInput(text);
  return 0;
}
