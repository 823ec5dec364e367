//===- TestCases.cpp - Numerical test cases: .cfg lines, random draws -----===//

#include "convgrad/Testing/TestCases.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace convgrad {
namespace testcases {

using namespace reference;

namespace {
/// "1,2,3".
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

} // namespace testcases
} // namespace convgrad
