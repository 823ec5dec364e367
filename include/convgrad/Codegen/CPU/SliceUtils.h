//===- SliceUtils.h - Where tensor slices come from -------------*- C++ -*-===//
//
// The task-loop rewrites of the CPU pipeline (fuse-fill-into-tasks,
// fuse-result-transposes, fuse-sibling-tasks) look through chains of
// tensor.extract_slice to decide what a task reads or starts from.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_CODEGEN_CPU_SLICEUTILS_H
#define CONVGRAD_CODEGEN_CPU_SLICEUTILS_H

#include "mlir/IR/Value.h"

namespace mlir {
namespace convgrad {

/// The tensor that `value` is a (nested) tensor.extract_slice of, or `value`.
Value sliceRoot(Value value);

/// Whether the contents of `value` are undefined: a tensor.empty or a
/// (nested) slice of one.
bool isEmptyContents(Value value);

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_CODEGEN_CPU_SLICEUTILS_H
