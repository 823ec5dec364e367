//===- Check.h - Kernel results against the reference -----------*- C++ -*-===//
//
// No MLIR dependency.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_TESTING_CHECK_H
#define CONVGRAD_TESTING_CHECK_H

#include "convgrad/Reference/ConvReference.h"
#include "convgrad/Testing/HostTensor.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace convgrad {
namespace runtime {

/// How results are compared with the reference.
///  - Exact: inputs on a dyadic grid (exactGrid) so that every product and
///    every partial sum, in any order, is exact in the accumulator; the
///    result must equal the reference to the last bit of the output type
///    (after one round-to-nearest-even for f16/bf16). Catches any wrong,
///    missing or extra term whose value survives that rounding.
///  - Statistical: uniform random inputs k/1024; a probabilistic bound
///    (checkResult) that exercises real rounding but tolerates errors of the
///    order of sqrt(n) u sum|terms|.
enum class CheckMode { Exact, Statistical };

/// "exact" / "statistical" -> the mode; anything else -> std::nullopt.
std::optional<CheckMode> parseCheckMode(const std::string &name);

/// The values k / 2^fractionBits, k an integer in [-maxNumerator,
/// maxNumerator].
struct DyadicGrid {
  int64_t maxNumerator = 1;
  int fractionBits = 0;
};

/// The finest grid within [-2, 2] on which reductions of up to
/// `maxReductionLength` products of two grid values are exact in the
/// accumulator of `kind` (f32 for f16/bf16/f32, f64 for f64): with
/// K = maxNumerator, every product is an integer multiple of 2^-2e of
/// magnitude <= K^2 and every partial sum one of magnitude <= n K^2, so
/// n K^2 <= 2^p (p = 24 or 53 significant bits) makes all of them exact.
/// K is also capped so that grid values are exact in `kind` (2^11 for f16,
/// 2^8 for bf16). std::nullopt if no grid with K >= 1 fits (n > 2^p).
std::optional<DyadicGrid> exactGrid(ElemKind kind, size_t maxReductionLength);

/// Exact check: element `gotIndex[i]` of `got` (every element if `gotIndex`
/// is empty) must equal roundToElemKind(kind, expected[i]) (NaN never
/// matches). `expected` must be the exact result (the reference on inputs of
/// an exactGrid). Returns false with `message` at the first mismatch.
bool checkExact(const char *what, const HostTensor &got,
                const std::vector<double> &expected, std::string &message,
                const std::vector<size_t> &gotIndex = {});

/// Statistical check: compares element `gotIndex[i]` of `got` (every element
/// if `gotIndex` is empty, then i = element index) with
/// `expected.value[i]`. The bound is the rounding of the result
/// (u_out |ref|) plus a probabilistic accumulation error
/// lambda sqrt(n) u_acc sum|terms| (n = `reductionSize`, lambda = 4): for
/// independent rounding errors of either sign, the error of a sum of n terms
/// exceeds lambda sqrt(n) u sum|terms| with probability below
/// 2 exp(-lambda^2 (1 - u)^2 / 2) (Higham and Mary, 2019), whatever the
/// summation order. It is not a proof: exact mode is the default.
/// Returns false with `message` ("<what>[index] = got, expected ...") at
/// the first mismatch.
bool checkResult(const char *what, const HostTensor &got,
                 const reference::Result &expected, size_t reductionSize,
                 std::string &message,
                 const std::vector<size_t> &gotIndex = {});

/// Row-major linear indices of the elements of a tensor of `shape` whose
/// coordinate on `axis` is in `keep`, in the row-major order of the sliced
/// tensor (whose coordinate j on `axis` is keep[j]).
std::vector<size_t> indicesAlongAxis(const std::vector<int64_t> &shape,
                                     unsigned axis,
                                     const std::vector<int64_t> &keep);

/// The sub-tensor of `values` (shape `shape`) selected by indicesAlongAxis.
std::vector<double> sliceAlongAxis(const std::vector<double> &values,
                                   const std::vector<int64_t> &shape,
                                   unsigned axis,
                                   const std::vector<int64_t> &keep);

} // namespace runtime
} // namespace convgrad

#endif // CONVGRAD_TESTING_CHECK_H
