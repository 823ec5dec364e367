//===- ConvReference.cpp - Independent convolution reference --------------===//
//
// Direct loop nests over the defining sums; see ConvReference.h. Standard
// library only, on purpose.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Reference/ConvReference.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace convgrad {
namespace reference {

//===----------------------------------------------------------------------===//
// ConvConfig
//===----------------------------------------------------------------------===//

namespace {
/// floor(a / b) for b > 0, correct for negative a.
int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && (a < 0))
    --q;
  return q;
}

/// [N, C, S...] or [N, S..., C] (filters: [F, C/G, K...] or [F, K..., C/G]).
std::vector<int64_t> activationShape(int64_t n, int64_t c,
                                     const std::vector<int64_t> &sizes,
                                     Layout layout) {
  std::vector<int64_t> shape = {n};
  if (layout == Layout::ChannelsFirst)
    shape.push_back(c);
  shape.insert(shape.end(), sizes.begin(), sizes.end());
  if (layout == Layout::ChannelsLast)
    shape.push_back(c);
  return shape;
}

/// A result of `count` elements, all zero: what each defining sum starts from.
Result zeroResult(int64_t count) {
  Result res;
  res.value.assign(count, 0.0);
  res.absSum.assign(count, 0.0);
  return res;
}

} // namespace

unsigned ConvConfig::rank() const {
  return static_cast<unsigned>(inputSizes.size());
}

std::vector<int64_t> ConvConfig::outputSizes() const {
  std::vector<int64_t> out;
  unsigned r = rank();
  if (kernelSizes.size() != r || strides.size() != r ||
      dilations.size() != r || padLow.size() != r || padHigh.size() != r)
    return out;
  for (unsigned i = 0; i < r; ++i) {
    int64_t ke = (kernelSizes[i] - 1) * dilations[i] + 1;
    int64_t span = inputSizes[i] + padLow[i] + padHigh[i] - ke;
    int64_t s = strides[i] >= 1 ? strides[i] : 1;
    out.push_back(floorDiv(span, s) + 1);
  }
  return out;
}

std::vector<int64_t> ConvConfig::inputShape() const {
  return activationShape(batch, inChannels, inputSizes, layout);
}

std::vector<int64_t> ConvConfig::filterShape() const {
  int64_t cg = groups >= 1 ? inChannels / groups : inChannels;
  return activationShape(outChannels, cg, kernelSizes, layout);
}

std::vector<int64_t> ConvConfig::outputShape() const {
  return activationShape(batch, outChannels, outputSizes(), layout);
}

std::string ConvConfig::validate() const {
  unsigned r = rank();
  if (r < 1 || r > 3)
    return "spatial rank must be 1..3, got " + std::to_string(r);
  // The vectors with one entry per spatial dimension, by the name of one
  // entry (the rank is the number of input sizes).
  const std::pair<const std::vector<int64_t> *, const char *> perDim[] = {
      {&inputSizes, "input size"}, {&kernelSizes, "kernel size"},
      {&strides, "stride"},        {&dilations, "dilation"},
      {&padLow, "low padding"},    {&padHigh, "high padding"}};
  for (auto [v, name] : perDim)
    if (v->size() != r)
      return std::string(name) + "s has " + std::to_string(v->size()) +
             " entries, expected " + std::to_string(r) + " (spatial rank)";
  if (batch < 1)
    return "batch must be >= 1, got " + std::to_string(batch);
  if (inChannels < 1)
    return "input channels must be >= 1, got " + std::to_string(inChannels);
  if (outChannels < 1)
    return "output channels must be >= 1, got " + std::to_string(outChannels);
  if (groups < 1)
    return "groups must be >= 1, got " + std::to_string(groups);
  if (inChannels % groups != 0)
    return "groups (" + std::to_string(groups) +
           ") must divide input channels (" + std::to_string(inChannels) + ")";
  if (outChannels % groups != 0)
    return "groups (" + std::to_string(groups) +
           ") must divide output channels (" + std::to_string(outChannels) +
           ")";
  // The convgrad verifier's bound: with every size, stride, dilation and
  // padding below 2^31 the shape arithmetic below cannot overflow int64.
  const int64_t maxValue = (int64_t(1) << 31) - 1;
  for (auto [v, name] : {std::pair<int64_t, const char *>{batch, "batch"},
                         {inChannels, "input channels"},
                         {outChannels, "output channels"},
                         {groups, "groups"}})
    if (v > maxValue)
      return std::string(name) + " must be <= " + std::to_string(maxValue) +
             ", got " + std::to_string(v);
  for (unsigned i = 0; i < r; ++i)
    for (auto [v, name] : perDim)
      if ((*v)[i] > maxValue)
        return std::string(name) + " must be <= " + std::to_string(maxValue) +
               ", got " + std::to_string((*v)[i]) + " in spatial dim " +
               std::to_string(i);
  for (unsigned i = 0; i < r; ++i) {
    std::string dim = " in spatial dim " + std::to_string(i);
    if (inputSizes[i] < 1)
      return "input size must be >= 1, got " + std::to_string(inputSizes[i]) +
             dim;
    if (kernelSizes[i] < 1)
      return "kernel size must be >= 1, got " +
             std::to_string(kernelSizes[i]) + dim;
    if (strides[i] < 1)
      return "stride must be >= 1, got " + std::to_string(strides[i]) + dim;
    if (dilations[i] < 1)
      return "dilation must be >= 1, got " + std::to_string(dilations[i]) +
             dim;
    if (padLow[i] < 0)
      return "low padding must be >= 0, got " + std::to_string(padLow[i]) +
             dim;
    if (padHigh[i] < 0)
      return "high padding must be >= 0, got " + std::to_string(padHigh[i]) +
             dim;
  }
  std::vector<int64_t> o = outputSizes();
  for (unsigned i = 0; i < r; ++i) {
    if (o[i] < 1) {
      int64_t ke = (kernelSizes[i] - 1) * dilations[i] + 1;
      return "output size " + std::to_string(o[i]) + " < 1 in spatial dim " +
             std::to_string(i) + ": padded input " +
             std::to_string(inputSizes[i] + padLow[i] + padHigh[i]) +
             " is shorter than the effective kernel " + std::to_string(ke);
    }
  }
  return "";
}

int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t e : shape)
    n *= e;
  return n;
}

//===----------------------------------------------------------------------===//
// Loop nests
//===----------------------------------------------------------------------===//

namespace {

/// Everything the loop nests need, flattened. Spatial positions are flattened
/// row-major over the spatial dims only; in both layouts a tensor element is
/// then addressed by (outer index, channel, flat spatial position).
struct Geometry {
  unsigned r = 0;
  int64_t n = 0, c = 0, f = 0, g = 0, cg = 0, fg = 0;
  bool channelsLast = false;
  std::vector<int64_t> h, k, o, s, d, pl;
  int64_t hs = 1, ks = 1, os = 1; // flattened spatial element counts
  // Multi-indices of every flat spatial position: xxIdx[flat * r + dim].
  std::vector<int64_t> hIdx, kIdx, oIdx;

  explicit Geometry(const ConvConfig &conv) {
    std::string err = conv.validate();
    if (!err.empty())
      throw std::invalid_argument("convgrad::reference: invalid config: " +
                                  err);
    r = conv.rank();
    n = conv.batch;
    c = conv.inChannels;
    f = conv.outChannels;
    g = conv.groups;
    cg = c / g;
    fg = f / g;
    channelsLast = conv.layout == Layout::ChannelsLast;
    h = conv.inputSizes;
    k = conv.kernelSizes;
    o = conv.outputSizes();
    s = conv.strides;
    d = conv.dilations;
    pl = conv.padLow;
    hs = numElements(h);
    ks = numElements(k);
    os = numElements(o);
    hIdx = decodeAll(h);
    kIdx = decodeAll(k);
    oIdx = decodeAll(o);
  }

  std::vector<int64_t> decodeAll(const std::vector<int64_t> &sizes) const {
    int64_t total = numElements(sizes);
    std::vector<int64_t> idx(static_cast<size_t>(total) * r);
    for (int64_t flat = 0; flat < total; ++flat) {
      int64_t rem = flat;
      for (unsigned dim = r; dim-- > 0;) {
        idx[flat * r + dim] = rem % sizes[dim];
        rem /= sizes[dim];
      }
    }
    return idx;
  }

  /// Flat spatial index of the input position read by output position oFlat
  /// through kernel tap kFlat (i = o*s + k*d - pl per dim), or -1 if that
  /// position lies in the padding.
  int64_t inputPosition(int64_t oFlat, int64_t kFlat) const {
    int64_t flat = 0;
    for (unsigned dim = 0; dim < r; ++dim) {
      int64_t i = oIdx[oFlat * r + dim] * s[dim] +
                  kIdx[kFlat * r + dim] * d[dim] - pl[dim];
      if (i < 0 || i >= h[dim])
        return -1;
      flat = flat * h[dim] + i;
    }
    return flat;
  }

  // Element offsets. CF: [N,C,S], CL: [N,S,C] (S = flattened spatial).
  int64_t xOff(int64_t ni, int64_t ci, int64_t sp) const {
    return channelsLast ? (ni * hs + sp) * c + ci : (ni * c + ci) * hs + sp;
  }
  int64_t yOff(int64_t ni, int64_t fi, int64_t sp) const {
    return channelsLast ? (ni * os + sp) * f + fi : (ni * f + fi) * os + sp;
  }
  // CF: [F,Cg,K], CL: [F,K,Cg].
  int64_t wOff(int64_t fi, int64_t ci, int64_t sp) const {
    return channelsLast ? (fi * ks + sp) * cg + ci : (fi * cg + ci) * ks + sp;
  }

  int64_t xCount() const { return n * c * hs; }
  int64_t yCount() const { return n * f * os; }
  int64_t wCount() const { return f * cg * ks; }
};

void checkSize(const std::vector<double> &v, int64_t expected,
               const char *what) {
  if (static_cast<int64_t>(v.size()) != expected)
    throw std::invalid_argument(
        std::string("convgrad::reference: ") + what + " has " +
        std::to_string(v.size()) + " elements, expected " +
        std::to_string(expected));
}

} // namespace

Result forward(const ConvConfig &conv, const std::vector<double> &x,
               const std::vector<double> &w, const std::vector<double> *bias) {
  Geometry geo(conv);
  checkSize(x, geo.xCount(), "forward input x");
  checkSize(w, geo.wCount(), "forward filter w");
  if (bias)
    checkSize(*bias, geo.f, "forward bias");

  Result res = zeroResult(geo.yCount());
  for (int64_t ni = 0; ni < geo.n; ++ni) {
    for (int64_t fi = 0; fi < geo.f; ++fi) {
      int64_t grp = fi / geo.fg;
      for (int64_t oFlat = 0; oFlat < geo.os; ++oFlat) {
        double acc = bias ? (*bias)[fi] : 0.0;
        double abs = bias ? std::fabs((*bias)[fi]) : 0.0;
        for (int64_t ci = 0; ci < geo.cg; ++ci) {
          for (int64_t kFlat = 0; kFlat < geo.ks; ++kFlat) {
            int64_t iFlat = geo.inputPosition(oFlat, kFlat);
            if (iFlat < 0)
              continue; // reads padding: x == 0
            double prod = w[geo.wOff(fi, ci, kFlat)] *
                          x[geo.xOff(ni, grp * geo.cg + ci, iFlat)];
            acc += prod;
            abs += std::fabs(prod);
          }
        }
        int64_t off = geo.yOff(ni, fi, oFlat);
        res.value[off] = acc;
        res.absSum[off] = abs;
      }
    }
  }
  return res;
}

Result backwardData(const ConvConfig &conv, const std::vector<double> &dy,
                    const std::vector<double> &w) {
  Geometry geo(conv);
  checkSize(dy, geo.yCount(), "backwardData output gradient dy");
  checkSize(w, geo.wCount(), "backwardData filter w");

  Result res = zeroResult(geo.xCount());
  // Gather form: for each input element i and kernel tap k, the output
  // position o (if any) with o*s + k*d - pl == i, i.e. o = (i + pl - k*d) / s
  // when that division is exact and 0 <= o < O, in every spatial dim.
  for (int64_t ni = 0; ni < geo.n; ++ni) {
    for (int64_t cAbs = 0; cAbs < geo.c; ++cAbs) {
      int64_t grp = cAbs / geo.cg;
      int64_t ci = cAbs % geo.cg;
      for (int64_t iFlat = 0; iFlat < geo.hs; ++iFlat) {
        double acc = 0.0, abs = 0.0;
        for (int64_t kFlat = 0; kFlat < geo.ks; ++kFlat) {
          int64_t oFlat = 0;
          bool hit = true;
          for (unsigned dim = 0; dim < geo.r && hit; ++dim) {
            int64_t t = geo.hIdx[iFlat * geo.r + dim] + geo.pl[dim] -
                        geo.kIdx[kFlat * geo.r + dim] * geo.d[dim];
            if (t < 0 || t % geo.s[dim] != 0 || t / geo.s[dim] >= geo.o[dim])
              hit = false;
            else
              oFlat = oFlat * geo.o[dim] + t / geo.s[dim];
          }
          if (!hit)
            continue;
          for (int64_t fl = 0; fl < geo.fg; ++fl) {
            int64_t fi = grp * geo.fg + fl;
            double prod = dy[geo.yOff(ni, fi, oFlat)] * w[geo.wOff(fi, ci, kFlat)];
            acc += prod;
            abs += std::fabs(prod);
          }
        }
        int64_t off = geo.xOff(ni, cAbs, iFlat);
        res.value[off] = acc;
        res.absSum[off] = abs;
      }
    }
  }
  return res;
}

Result backwardFilter(const ConvConfig &conv, const std::vector<double> &x,
                      const std::vector<double> &dy) {
  Geometry geo(conv);
  checkSize(x, geo.xCount(), "backwardFilter input x");
  checkSize(dy, geo.yCount(), "backwardFilter output gradient dy");

  Result res = zeroResult(geo.wCount());
  for (int64_t fi = 0; fi < geo.f; ++fi) {
    int64_t grp = fi / geo.fg;
    for (int64_t ci = 0; ci < geo.cg; ++ci) {
      int64_t cAbs = grp * geo.cg + ci;
      for (int64_t kFlat = 0; kFlat < geo.ks; ++kFlat) {
        double acc = 0.0, abs = 0.0;
        for (int64_t ni = 0; ni < geo.n; ++ni) {
          for (int64_t oFlat = 0; oFlat < geo.os; ++oFlat) {
            int64_t iFlat = geo.inputPosition(oFlat, kFlat);
            if (iFlat < 0)
              continue;
            double prod = dy[geo.yOff(ni, fi, oFlat)] * x[geo.xOff(ni, cAbs, iFlat)];
            acc += prod;
            abs += std::fabs(prod);
          }
        }
        int64_t off = geo.wOff(fi, ci, kFlat);
        res.value[off] = acc;
        res.absSum[off] = abs;
      }
    }
  }
  return res;
}

Result backwardBias(const ConvConfig &conv, const std::vector<double> &dy) {
  Geometry geo(conv);
  checkSize(dy, geo.yCount(), "backwardBias output gradient dy");

  Result res = zeroResult(geo.f);
  for (int64_t fi = 0; fi < geo.f; ++fi) {
    double acc = 0.0, abs = 0.0;
    for (int64_t ni = 0; ni < geo.n; ++ni) {
      for (int64_t oFlat = 0; oFlat < geo.os; ++oFlat) {
        double v = dy[geo.yOff(ni, fi, oFlat)];
        acc += v;
        abs += std::fabs(v);
      }
    }
    res.value[fi] = acc;
    res.absSum[fi] = abs;
  }
  return res;
}

double dot(const std::vector<double> &a, const std::vector<double> &b) {
  if (a.size() != b.size())
    throw std::invalid_argument("convgrad::reference::dot: size mismatch (" +
                                std::to_string(a.size()) + " vs " +
                                std::to_string(b.size()) + ")");
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i)
    s += a[i] * b[i];
  return s;
}

//===----------------------------------------------------------------------===//
// Transposed convolution
//===----------------------------------------------------------------------===//

std::vector<int64_t> TransposedConvConfig::outputSizes() const {
  std::vector<int64_t> o;
  for (unsigned i = 0; i < conv.rank(); ++i)
    o.push_back((conv.inputSizes[i] - 1) * conv.strides[i] - conv.padLow[i] -
                conv.padHigh[i] +
                conv.dilations[i] * (conv.kernelSizes[i] - 1) +
                outputPadding[i] + 1);
  return o;
}


std::vector<int64_t> TransposedConvConfig::inputShape() const {
  return activationShape(conv.batch, conv.inChannels, conv.inputSizes,
                         conv.layout);
}
std::vector<int64_t> TransposedConvConfig::outputShape() const {
  return activationShape(conv.batch, conv.outChannels, outputSizes(),
                         conv.layout);
}
std::vector<int64_t> TransposedConvConfig::filterShape() const {
  // PyTorch's [C_in, C_out/G, K...]; channels-last [C_in, K..., C_out/G].
  return activationShape(conv.inChannels, conv.outChannels / conv.groups,
                         conv.kernelSizes, conv.layout);
}

std::string TransposedConvConfig::validate() const {
  unsigned r = conv.rank();
  if (r < 1 || r > 3)
    return "spatial rank must be 1, 2 or 3";
  if (conv.kernelSizes.size() != r || conv.strides.size() != r ||
      conv.dilations.size() != r || conv.padLow.size() != r ||
      conv.padHigh.size() != r || outputPadding.size() != r)
    return "every list must have one entry per spatial dim";
  if (conv.batch < 1 || conv.inChannels < 1 || conv.outChannels < 1 ||
      conv.groups < 1)
    return "n, c, f and g must be >= 1";
  if (conv.inChannels % conv.groups || conv.outChannels % conv.groups)
    return "g must divide c and f";
  std::vector<int64_t> o = outputSizes();
  for (unsigned i = 0; i < r; ++i) {
    std::string dim = " in spatial dim " + std::to_string(i);
    if (conv.inputSizes[i] < 1 || conv.kernelSizes[i] < 1 ||
        conv.strides[i] < 1 || conv.dilations[i] < 1)
      return "sizes, kernel, stride and dilation must be >= 1" + dim;
    if (conv.padLow[i] < 0 || conv.padHigh[i] < 0 || outputPadding[i] < 0)
      return "paddings and output padding must be >= 0" + dim;
    if (outputPadding[i] >= std::max(conv.strides[i], conv.dilations[i]))
      return "output padding " + std::to_string(outputPadding[i]) +
             " must be < max(stride, dilation)" + dim;
    if (o[i] < 1)
      return "output size " + std::to_string(o[i]) + " < 1" + dim;
  }
  return "";
}

namespace {
/// The loops of the defining sum: calls visit(n, ci, co (within group),
/// iOff, wOff, yOff) for every product term x[iOff] * w[wOff] -> y[yOff].
template <typename Visit>
void forEachTransposedTerm(const TransposedConvConfig &tc, Visit visit) {
  std::string err = tc.validate();
  if (!err.empty())
    throw std::invalid_argument(
        "convgrad::reference: invalid transposed config: " + err);
  const ConvConfig &cv = tc.conv;
  unsigned r = cv.rank();
  bool cl = cv.layout == Layout::ChannelsLast;
  std::vector<int64_t> o = tc.outputSizes();
  int64_t cin = cv.inChannels, cout = cv.outChannels;
  int64_t cig = cin / cv.groups, cog = cout / cv.groups;
  int64_t ss = numElements(cv.inputSizes), ks = numElements(cv.kernelSizes),
          os = numElements(o);
  std::vector<int64_t> iIdx(r), kIdx(r);
  for (int64_t n = 0; n < cv.batch; ++n)
    for (int64_t ci = 0; ci < cin; ++ci)
      for (int64_t iFlat = 0; iFlat < ss; ++iFlat) {
        for (int64_t rem = iFlat, dim = r; dim-- > 0; rem /= cv.inputSizes[dim])
          iIdx[dim] = rem % cv.inputSizes[dim];
        for (int64_t kFlat = 0; kFlat < ks; ++kFlat) {
          for (int64_t rem = kFlat, dim = r; dim-- > 0;
               rem /= cv.kernelSizes[dim])
            kIdx[dim] = rem % cv.kernelSizes[dim];
          int64_t oFlat = 0;
          bool inside = true;
          for (unsigned dim = 0; dim < r && inside; ++dim) {
            int64_t pos = iIdx[dim] * cv.strides[dim] +
                          kIdx[dim] * cv.dilations[dim] - cv.padLow[dim];
            inside = pos >= 0 && pos < o[dim];
            oFlat = oFlat * o[dim] + pos;
          }
          if (!inside)
            continue; // cropped by the padding
          int64_t grp = ci / cig;
          for (int64_t co = 0; co < cog; ++co) {
            int64_t coAbs = grp * cog + co;
            int64_t iOff = cl ? (n * ss + iFlat) * cin + ci
                              : (n * cin + ci) * ss + iFlat;
            int64_t wOff = cl ? (ci * ks + kFlat) * cog + co
                              : (ci * cog + co) * ks + kFlat;
            int64_t yOff = cl ? (n * os + oFlat) * cout + coAbs
                              : (n * cout + coAbs) * os + oFlat;
            visit(iOff, wOff, yOff);
          }
        }
      }
}

/// The terms of the defining sum added into a result of `count` elements:
/// term(iOff, wOff, yOff) gives the result element and the product.
template <typename Term>
Result sumTransposedTerms(const TransposedConvConfig &tc, int64_t count,
                          Term term) {
  Result res = zeroResult(count);
  forEachTransposedTerm(tc, [&](int64_t iOff, int64_t wOff, int64_t yOff) {
    auto [off, prod] = term(iOff, wOff, yOff);
    res.value[off] += prod;
    res.absSum[off] += std::fabs(prod);
  });
  return res;
}
} // namespace

Result transposedForward(const TransposedConvConfig &tc,
                         const std::vector<double> &x,
                         const std::vector<double> &w,
                         const std::vector<double> *bias) {
  checkSize(x, numElements(tc.inputShape()), "transposedForward input x");
  checkSize(w, numElements(tc.filterShape()), "transposedForward filter w");
  if (bias)
    checkSize(*bias, tc.conv.outChannels, "transposedForward bias");
  int64_t count = numElements(tc.outputShape());
  Result res = sumTransposedTerms(
      tc, count, [&](int64_t iOff, int64_t wOff, int64_t yOff) {
        return std::make_pair(yOff, x[iOff] * w[wOff]);
      });
  if (bias) {
    bool cl = tc.conv.layout == Layout::ChannelsLast;
    int64_t os = numElements(tc.outputSizes()), cout = tc.conv.outChannels;
    for (int64_t i = 0; i < count; ++i) {
      int64_t co = cl ? i % cout : (i / os) % cout;
      res.value[i] += (*bias)[co];
      res.absSum[i] += std::fabs((*bias)[co]);
    }
  }
  return res;
}

Result transposedBackwardData(const TransposedConvConfig &tc,
                              const std::vector<double> &dy,
                              const std::vector<double> &w) {
  checkSize(dy, numElements(tc.outputShape()), "transposedBackwardData dy");
  checkSize(w, numElements(tc.filterShape()), "transposedBackwardData w");
  return sumTransposedTerms(
      tc, numElements(tc.inputShape()),
      [&](int64_t iOff, int64_t wOff, int64_t yOff) {
        return std::make_pair(iOff, dy[yOff] * w[wOff]);
      });
}

Result transposedBackwardFilter(const TransposedConvConfig &tc,
                                const std::vector<double> &x,
                                const std::vector<double> &dy) {
  checkSize(x, numElements(tc.inputShape()), "transposedBackwardFilter x");
  checkSize(dy, numElements(tc.outputShape()), "transposedBackwardFilter dy");
  return sumTransposedTerms(
      tc, numElements(tc.filterShape()),
      [&](int64_t iOff, int64_t wOff, int64_t yOff) {
        return std::make_pair(wOff, x[iOff] * dy[yOff]);
      });
}

Result transposedBackwardBias(const TransposedConvConfig &tc,
                              const std::vector<double> &dy) {
  checkSize(dy, numElements(tc.outputShape()), "transposedBackwardBias dy");
  std::string err = tc.validate();
  if (!err.empty())
    throw std::invalid_argument(
        "convgrad::reference: invalid transposed config: " + err);
  bool cl = tc.conv.layout == Layout::ChannelsLast;
  int64_t os = numElements(tc.outputSizes()), cout = tc.conv.outChannels;
  Result res = zeroResult(cout);
  for (int64_t i = 0; i < static_cast<int64_t>(dy.size()); ++i) {
    int64_t co = cl ? i % cout : (i / os) % cout;
    res.value[co] += dy[i];
    res.absSum[co] += std::fabs(dy[i]);
  }
  return res;
}

} // namespace reference
} // namespace convgrad
