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

std::string joinList(const std::vector<int64_t> &v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i)
      s += ',';
    s += std::to_string(v[i]);
  }
  return s;
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
  std::vector<int64_t> shape{batch};
  if (layout == Layout::ChannelsFirst) {
    shape.push_back(inChannels);
    shape.insert(shape.end(), inputSizes.begin(), inputSizes.end());
  } else {
    shape.insert(shape.end(), inputSizes.begin(), inputSizes.end());
    shape.push_back(inChannels);
  }
  return shape;
}

std::vector<int64_t> ConvConfig::filterShape() const {
  int64_t cg = groups >= 1 ? inChannels / groups : inChannels;
  std::vector<int64_t> shape{outChannels};
  if (layout == Layout::ChannelsFirst) {
    shape.push_back(cg);
    shape.insert(shape.end(), kernelSizes.begin(), kernelSizes.end());
  } else {
    shape.insert(shape.end(), kernelSizes.begin(), kernelSizes.end());
    shape.push_back(cg);
  }
  return shape;
}

std::vector<int64_t> ConvConfig::outputShape() const {
  std::vector<int64_t> o = outputSizes();
  std::vector<int64_t> shape{batch};
  if (layout == Layout::ChannelsFirst) {
    shape.push_back(outChannels);
    shape.insert(shape.end(), o.begin(), o.end());
  } else {
    shape.insert(shape.end(), o.begin(), o.end());
    shape.push_back(outChannels);
  }
  return shape;
}

std::string ConvConfig::validate() const {
  unsigned r = rank();
  if (r < 1 || r > 3)
    return "spatial rank must be 1..3, got " + std::to_string(r);
  auto checkLen = [&](const std::vector<int64_t> &v,
                      const char *name) -> std::string {
    if (v.size() != r)
      return std::string(name) + " has " + std::to_string(v.size()) +
             " entries, expected " + std::to_string(r) + " (spatial rank)";
    return "";
  };
  for (auto [v, name] :
       {std::pair<const std::vector<int64_t> *, const char *>{&kernelSizes,
                                                                "kernel sizes"},
        {&strides, "strides"},
        {&dilations, "dilations"},
        {&padLow, "low paddings"},
        {&padHigh, "high paddings"}}) {
    std::string e = checkLen(*v, name);
    if (!e.empty())
      return e;
  }
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
    for (auto [v, name] :
         {std::pair<const std::vector<int64_t> *, const char *>{&inputSizes,
                                                                "input size"},
          {&kernelSizes, "kernel size"},
          {&strides, "stride"},
          {&dilations, "dilation"},
          {&padLow, "low padding"},
          {&padHigh, "high padding"}})
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

  Result res;
  res.value.assign(geo.yCount(), 0.0);
  res.absSum.assign(geo.yCount(), 0.0);
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

  Result res;
  res.value.assign(geo.xCount(), 0.0);
  res.absSum.assign(geo.xCount(), 0.0);
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

  Result res;
  res.value.assign(geo.wCount(), 0.0);
  res.absSum.assign(geo.wCount(), 0.0);
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

  Result res;
  res.value.assign(geo.f, 0.0);
  res.absSum.assign(geo.f, 0.0);
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
// Test-case lines
//===----------------------------------------------------------------------===//

namespace {

std::string stripComment(const std::string &line) {
  size_t hash = line.find('#');
  return hash == std::string::npos ? line : line.substr(0, hash);
}

bool parseInt(const std::string &text, int64_t &value) {
  if (text.empty())
    return false;
  const char *begin = text.data();
  const char *end = begin + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  return ec == std::errc() && ptr == end;
}

bool parseList(const std::string &text, std::vector<int64_t> &values) {
  values.clear();
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
    int64_t v;
    if (!parseInt(item, v))
      return false;
    values.push_back(v);
    if (comma == std::string::npos)
      return true;
    start = comma + 1;
  }
}

} // namespace

bool isBlankOrCommentLine(const std::string &line) {
  for (char ch : stripComment(line))
    if (!std::isspace(static_cast<unsigned char>(ch)))
      return false;
  return true;
}

bool parseTestCase(const std::string &line, TestCase &out,
                   std::string &error) {
  std::istringstream tokens(stripComment(line));
  TestCase tc;
  ConvConfig &cv = tc.conv;
  bool seen[13] = {};
  static const char *const keys[13] = {"n",  "c",  "f",      "g",    "in",
                                       "k",  "s",  "d",      "pl",   "ph",
                                       "layout", "type", "dynbatch"};
  std::vector<int64_t> lists[6]; // in, k, s, d, pl, ph
  std::string tok;
  bool any = false;
  while (tokens >> tok) {
    any = true;
    size_t eq = tok.find('=');
    if (eq == std::string::npos || eq == 0) {
      error = "token '" + tok + "' is not of the form key=value";
      return false;
    }
    std::string key = tok.substr(0, eq), val = tok.substr(eq + 1);
    if (key == "op") {
      if (val != "conv" && val != "transpose") {
        error = "token '" + tok + "': op must be conv or transpose";
        return false;
      }
      tc.transposed = val == "transpose";
      continue;
    }
    if (key == "opad") {
      if (!parseList(val, tc.outputPadding)) {
        error = "token '" + tok + "': '" + val +
                "' is not a comma-separated list of integers";
        return false;
      }
      continue;
    }
    int which = -1;
    for (int i = 0; i < 13; ++i)
      if (key == keys[i])
        which = i;
    if (which < 0) {
      error = "token '" + tok + "': unknown key '" + key +
              "' (expected n c f g in k s d pl ph layout type dynbatch)";
      return false;
    }
    if (seen[which]) {
      error = "token '" + tok + "': key '" + key + "' given twice";
      return false;
    }
    seen[which] = true;
    if (which < 4) {
      int64_t v;
      if (!parseInt(val, v)) {
        error = "token '" + tok + "': '" + val + "' is not an integer";
        return false;
      }
      (which == 0 ? cv.batch
       : which == 1 ? cv.inChannels
       : which == 2 ? cv.outChannels
                    : cv.groups) = v;
    } else if (which < 10) {
      if (!parseList(val, lists[which - 4])) {
        error = "token '" + tok + "': '" + val +
                "' is not a comma-separated list of integers";
        return false;
      }
      if (lists[which - 4].size() > 3) {
        error = "token '" + tok + "': at most 3 spatial dims are supported";
        return false;
      }
    } else if (which == 10) {
      if (val == "cf")
        cv.layout = Layout::ChannelsFirst;
      else if (val == "cl")
        cv.layout = Layout::ChannelsLast;
      else {
        error = "token '" + tok + "': layout must be cf or cl";
        return false;
      }
    } else if (which == 11) {
      if (val != "f32" && val != "f64" && val != "f16" && val != "bf16") {
        error = "token '" + tok + "': type must be f32, f64, f16 or bf16";
        return false;
      }
      tc.elementType = val;
    } else {
      if (val == "0")
        tc.dynamicBatch = false;
      else if (val == "1")
        tc.dynamicBatch = true;
      else {
        error = "token '" + tok + "': dynbatch must be 0 or 1";
        return false;
      }
    }
  }
  if (!any) {
    error = "empty line (no tokens)";
    return false;
  }
  if (!seen[4] || !seen[5]) {
    error = std::string("missing required key '") + (!seen[4] ? "in" : "k") +
            "'";
    return false;
  }
  size_t r = lists[0].size();
  if (lists[1].size() != r) {
    error = "token 'k=" + joinList(lists[1]) + "' has " +
            std::to_string(lists[1].size()) + " entries but 'in=" +
            joinList(lists[0]) + "' has " + std::to_string(r);
    return false;
  }
  const int64_t defaults[4] = {1, 1, 0, 0};
  for (int i = 2; i < 6; ++i) {
    if (!seen[4 + i]) {
      lists[i].assign(r, defaults[i - 2]);
    } else if (lists[i].size() != r) {
      error = "token '" + std::string(keys[4 + i]) + "=" + joinList(lists[i]) +
              "' has " + std::to_string(lists[i].size()) +
              " entries, expected " + std::to_string(r) + " (length of 'in')";
      return false;
    }
  }
  cv.inputSizes = lists[0];
  cv.kernelSizes = lists[1];
  cv.strides = lists[2];
  cv.dilations = lists[3];
  cv.padLow = lists[4];
  cv.padHigh = lists[5];
  if (!tc.outputPadding.empty() && !tc.transposed) {
    error = "'opad' needs op=transpose";
    return false;
  }
  if (tc.transposed && tc.outputPadding.empty())
    tc.outputPadding.assign(r, 0);
  std::string invalid =
      tc.transposed ? tc.transposedConfig().validate() : cv.validate();
  if (!invalid.empty()) {
    error = std::string(tc.transposed ? "invalid transposed convolution: "
                                      : "invalid convolution: ") +
            invalid;
    return false;
  }
  out = std::move(tc);
  error.clear();
  return true;
}

std::string formatTestCase(const TestCase &tc) {
  const ConvConfig &cv = tc.conv;
  std::string s;
  s += "n=" + std::to_string(cv.batch);
  s += " c=" + std::to_string(cv.inChannels);
  s += " f=" + std::to_string(cv.outChannels);
  s += " g=" + std::to_string(cv.groups);
  s += " in=" + joinList(cv.inputSizes);
  s += " k=" + joinList(cv.kernelSizes);
  s += " s=" + joinList(cv.strides);
  s += " d=" + joinList(cv.dilations);
  s += " pl=" + joinList(cv.padLow);
  s += " ph=" + joinList(cv.padHigh);
  s += std::string(" layout=") +
       (cv.layout == Layout::ChannelsLast ? "cl" : "cf");
  s += " type=" + tc.elementType;
  s += std::string(" dynbatch=") + (tc.dynamicBatch ? "1" : "0");
  if (tc.transposed)
    s += " op=transpose opad=" + joinList(tc.outputPadding);
  return s;
}

//===----------------------------------------------------------------------===//
// Random test cases
//===----------------------------------------------------------------------===//

RandomLimits midSizeRandomLimits() {
  RandomLimits limits;
  limits.maxBatch = 4;
  limits.maxChannelsPerGroup = 160;
  limits.maxGroups = 160;
  limits.maxChannels = 160;
  limits.maxSize = 64;
  limits.maxKernel = 7;
  limits.maxPad = 7;
  limits.maxReferenceWork = 3e6;
  return limits;
}

double referenceWork(const ConvConfig &conv) {
  double kernel = double(numElements(conv.kernelSizes));
  double in = double(numElements(conv.inputSizes));
  double out = double(numElements(conv.outputSizes()));
  double cg = double(conv.inChannels / conv.groups);
  double fg = double(conv.outChannels / conv.groups);
  double n = double(conv.batch);
  // fwd and wgrad: every product term; dgrad: every (input, tap) pair is
  // visited, with fg terms when it hits.
  return 2 * n * conv.outChannels * cg * out * kernel +
         n * conv.inChannels * in * kernel * (1 + fg);
}

namespace {
/// Halves the largest dimensions of `tc` (never `keep`: 0 batch, 1 channels
/// per group, 2 output channels per group, 3 groups, 4+i spatial dim i)
/// until its reference work is at most `maxWork` or nothing shrinks.
void shrinkToWork(TestCase &tc, double maxWork, int keep) {
  ConvConfig &cv = tc.conv;
  while (referenceWork(cv) > maxWork) {
    int64_t cg = cv.inChannels / cv.groups, fg = cv.outChannels / cv.groups;
    // Candidates and their smallest allowed value.
    int best = -1;
    int64_t bestValue = 1;
    auto consider = [&](int which, int64_t value, int64_t minimum) {
      if (which != keep && value > minimum && value > bestValue) {
        best = which;
        bestValue = value;
      }
    };
    consider(0, cv.batch, 1);
    consider(1, cg, 1);
    consider(2, fg, 1);
    consider(3, cv.groups, 1);
    for (unsigned dim = 0; dim < cv.rank(); ++dim) {
      int64_t ke = (cv.kernelSizes[dim] - 1) * cv.dilations[dim] + 1;
      int64_t minimum =
          std::max<int64_t>(1, ke - cv.padLow[dim] - cv.padHigh[dim]);
      consider(4 + int(dim), cv.inputSizes[dim], minimum);
    }
    if (best < 0) {
      if (keep < 0)
        return;
      keep = -1; // only the kept dimension is left to shrink
      continue;
    }
    int64_t half = bestValue / 2;
    switch (best) {
    case 0:
      cv.batch = half;
      break;
    case 1:
      cv.inChannels = cv.groups * half;
      break;
    case 2:
      cv.outChannels = cv.groups * half;
      break;
    case 3:
      cv.inChannels = half * cg;
      cv.outChannels = half * fg;
      cv.groups = half;
      break;
    default: {
      unsigned dim = unsigned(best - 4);
      int64_t ke = (cv.kernelSizes[dim] - 1) * cv.dilations[dim] + 1;
      cv.inputSizes[dim] = std::max<int64_t>(
          {half, 1, ke - cv.padLow[dim] - cv.padHigh[dim]});
      break;
    }
    }
  }
}

/// Makes a fraction of the drawn cases transposed convolutions (the same
/// attributes, plus an output padding below max(stride, dilation)). The
/// draws come from a generator seeded by the case itself (FNV-1a of its
/// line), not from the caller's: every case a seed drew before transposed
/// cases existed is drawn again, only some of them now as `op=transpose`.
void drawTransposed(TestCase &tc, const RandomLimits &limits) {
  if (limits.transposedPercent <= 0)
    return;
  uint64_t hash = 14695981039346656037ull;
  for (char ch : formatTestCase(tc))
    hash = (hash ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
  std::mt19937_64 rng(hash);
  auto uni = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  if (uni(0, 99) >= limits.transposedPercent)
    return;
  TestCase transposed = tc;
  transposed.transposed = true;
  const ConvConfig &cv = tc.conv;
  for (unsigned i = 0; i < cv.rank(); ++i)
    transposed.outputPadding.push_back(
        uni(0, std::max(cv.strides[i], cv.dilations[i]) - 1));
  // The cropping may leave no output (large padding, small input): then
  // the case stays a forward one. So does a low padding that crops more
  // than every row a window writes (only output padding rows are left):
  // convgrad-run's gradient kernels cannot state that case yet (their
  // cropped output gradient would have a negative size).
  for (unsigned i = 0; i < cv.rank(); ++i)
    if (cv.padLow[i] > (cv.inputSizes[i] - 1) * cv.strides[i] +
                           (cv.kernelSizes[i] - 1) * cv.dilations[i] + 1)
      return;
  if (transposed.transposedConfig().validate().empty())
    tc = std::move(transposed);
}
} // namespace

TestCase randomTestCase(std::mt19937_64 &rng, const RandomLimits &limits) {
  auto uni = [&](int64_t lo, int64_t hi) -> int64_t {
    if (hi < lo)
      hi = lo;
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  TestCase tc;
  ConvConfig &cv = tc.conv;
  int64_t maxRank = limits.maxRank < 1 ? 1 : (limits.maxRank > 3 ? 3 : limits.maxRank);
  unsigned r = static_cast<unsigned>(uni(1, maxRank));
  cv.layout = uni(0, 1) ? Layout::ChannelsLast : Layout::ChannelsFirst;
  static const char *const types[4] = {"f32", "f64", "f16", "bf16"};
  tc.elementType = types[uni(0, 3)];
  tc.dynamicBatch = uni(0, 3) == 0;
  cv.batch = uni(1, limits.maxBatch);

  int64_t maxCg = limits.maxChannelsPerGroup, maxG = limits.maxGroups;
  // With a cap on C and F, groups take their share of it first.
  auto perGroup = [&](int64_t groups) {
    return limits.maxChannels > 0
               ? std::max<int64_t>(1, std::min(maxCg, limits.maxChannels / groups))
               : maxCg;
  };
  if (limits.maxChannels > 0)
    maxG = std::min(maxG, limits.maxChannels);
  int64_t g = 1, cg = 1, fg = 1;
  switch (uni(0, 3)) {
  case 0: // ungrouped
    cg = uni(1, perGroup(1));
    fg = uni(1, perGroup(1));
    break;
  case 1: // depthwise: G = C = F
    g = uni(1, maxG);
    break;
  case 2: // channel multiplier: G = C, F = m*C
    g = uni(1, limits.maxChannels > 0 ? maxG / 2 : maxG);
    fg = uni(perGroup(g) >= 2 ? 2 : 1, perGroup(g));
    break;
  default: // general grouped
    g = uni(1, limits.maxChannels > 0 ? std::min<int64_t>(maxG, 16) : maxG);
    cg = uni(1, perGroup(g));
    fg = uni(1, perGroup(g));
    break;
  }
  cv.groups = g;
  cv.inChannels = g * cg;
  cv.outChannels = g * fg;

  for (unsigned dim = 0; dim < r; ++dim) {
    int64_t h = 1, k = 1, s = 1, d = 1, pl = 0, ph = 0;
    bool found = false;
    for (int attempt = 0; attempt < 64 && !found; ++attempt) {
      h = uni(1, limits.maxSize);
      k = uni(1, limits.maxKernel);
      s = uni(1, limits.maxStride);
      d = uni(1, limits.maxDilation);
      pl = uni(0, limits.maxPad);
      ph = uni(0, limits.maxPad);
      found = h + pl + ph >= (k - 1) * d + 1;
    }
    if (!found) { // a 1-tap kernel always fits
      k = 1;
      d = 1;
    }
    cv.inputSizes.push_back(h);
    cv.kernelSizes.push_back(k);
    cv.strides.push_back(s);
    cv.dilations.push_back(d);
    cv.padLow.push_back(pl);
    cv.padHigh.push_back(ph);
  }
  if (limits.maxReferenceWork > 0)
    shrinkToWork(tc, limits.maxReferenceWork, int(uni(0, 3 + r)));
  drawTransposed(tc, limits);
  return tc;
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

namespace {
/// [N, C, S...] or [N, S..., C].
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
} // namespace

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
  Result res;
  res.value.assign(count, 0.0);
  res.absSum.assign(count, 0.0);
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
  Result res;
  res.value.assign(cout, 0.0);
  res.absSum.assign(cout, 0.0);
  for (int64_t i = 0; i < static_cast<int64_t>(dy.size()); ++i) {
    int64_t co = cl ? i % cout : (i / os) % cout;
    res.value[co] += dy[i];
    res.absSum[co] += std::fabs(dy[i]);
  }
  return res;
}

} // namespace reference
} // namespace convgrad
