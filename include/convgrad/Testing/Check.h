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
#include <string>
#include <vector>

namespace convgrad {
namespace runtime {

/// Compares element `gotIndex[i]` of `got` (every element if `gotIndex` is
/// empty, then i = element index) with `expected.value[i]`. The bound is the
/// rounding of the result (u_out |ref|) plus a worst-case accumulation error
/// (n u_acc sum|terms|, n = `reductionSize`), times a safety factor of 2.
/// Returns false with `message` ("<what>[index] = got, expected ...") at the
/// first mismatch.
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
