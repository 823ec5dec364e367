//===- Check.cpp - Kernel results against the reference -------------------===//

#include "convgrad/Testing/Check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace convgrad::runtime;
namespace ref = ::convgrad::reference;

std::optional<CheckMode>
convgrad::runtime::parseCheckMode(const std::string &name) {
  if (name == "exact")
    return CheckMode::Exact;
  if (name == "statistical")
    return CheckMode::Statistical;
  return std::nullopt;
}

std::optional<DyadicGrid>
convgrad::runtime::exactGrid(ElemKind kind, size_t maxReductionLength) {
  int accumulatorBits = kind == ElemKind::F64 ? 53 : 24;
  int64_t storageLimit = kind == ElemKind::F16    ? int64_t(1) << 11
                         : kind == ElemKind::BF16 ? int64_t(1) << 8
                         : kind == ElemKind::F32  ? int64_t(1) << 24
                                                  : int64_t(1) << 26;
  double n = double(std::max<size_t>(maxReductionLength, 1));
  // The largest K with n K^2 <= 2^p (computed in doubles, then corrected so
  // that rounding of the square root cannot give a K one too large).
  auto k = static_cast<int64_t>(
      std::floor(std::sqrt(std::ldexp(1.0, accumulatorBits) / n)));
  while (k > 0 && double(k) * double(k) * n > std::ldexp(1.0, accumulatorBits))
    --k;
  k = std::min(k, storageLimit);
  if (k < 1)
    return std::nullopt;
  DyadicGrid grid;
  grid.maxNumerator = k;
  // Values within [-2, 2]: 2^e >= K / 2.
  while ((int64_t(1) << grid.fractionBits) * 2 < k)
    ++grid.fractionBits;
  return grid;
}

bool convgrad::runtime::checkExact(const char *what, const HostTensor &got,
                                   const std::vector<double> &expected,
                                   std::string &message,
                                   const std::vector<size_t> &gotIndex) {
  size_t n = gotIndex.empty() ? got.size() : gotIndex.size();
  if (expected.size() != n) {
    message = std::string(what) + ": the reference has " +
              std::to_string(expected.size()) + " elements, " +
              std::to_string(n) + " to check";
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    size_t index = gotIndex.empty() ? i : gotIndex[i];
    double g = got.get(index), e = roundToElemKind(got.kind(), expected[i]);
    if (!(g == e)) {
      char buf[256];
      std::snprintf(buf, sizeof(buf),
                    "%s[%zu] = %.17g, expected exactly %.17g (exact sum "
                    "%.17g)",
                    what, index, g, e, expected[i]);
      message = buf;
      return false;
    }
  }
  return true;
}

bool convgrad::runtime::checkResult(const char *what, const HostTensor &got,
                                    const ref::Result &expected,
                                    size_t reductionSize, std::string &message,
                                    const std::vector<size_t> &gotIndex) {
  double uOut = unitRoundoff(got.kind()), uAcc = accumulatorRoundoff(got.kind());
  size_t n = gotIndex.empty() ? got.size() : gotIndex.size();
  if (expected.value.size() != n || expected.absSum.size() != n) {
    message = std::string(what) + ": the reference has " +
              std::to_string(expected.value.size()) + " elements, " +
              std::to_string(n) + " to check";
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    size_t index = gotIndex.empty() ? i : gotIndex[i];
    double g = got.get(index), e = expected.value[i];
    double tol = 2.0 * uOut * std::fabs(e) +
                 4.0 * std::sqrt(double(reductionSize + 1)) * uAcc *
                     expected.absSum[i] +
                 1e-300;
    if (!(std::fabs(g - e) <= tol)) {
      char buf[256];
      std::snprintf(buf, sizeof(buf),
                    "%s[%zu] = %.17g, expected %.17g (|diff| %.3g > "
                    "tolerance %.3g)",
                    what, index, g, e, std::fabs(g - e), tol);
      message = buf;
      return false;
    }
  }
  return true;
}

std::vector<size_t>
convgrad::runtime::indicesAlongAxis(const std::vector<int64_t> &shape,
                                    unsigned axis,
                                    const std::vector<int64_t> &keep) {
  size_t outer = 1, inner = 1;
  for (unsigned i = 0; i < axis; ++i)
    outer *= size_t(shape[i]);
  for (size_t i = axis + 1; i < shape.size(); ++i)
    inner *= size_t(shape[i]);
  size_t extent = size_t(shape[axis]);
  std::vector<size_t> indices;
  indices.reserve(outer * keep.size() * inner);
  for (size_t o = 0; o < outer; ++o)
    for (int64_t k : keep)
      for (size_t i = 0; i < inner; ++i)
        indices.push_back((o * extent + size_t(k)) * inner + i);
  return indices;
}

std::vector<double>
convgrad::runtime::sliceAlongAxis(const std::vector<double> &values,
                                  const std::vector<int64_t> &shape,
                                  unsigned axis,
                                  const std::vector<int64_t> &keep) {
  std::vector<double> out;
  for (size_t i : indicesAlongAxis(shape, axis, keep))
    out.push_back(values[i]);
  return out;
}
