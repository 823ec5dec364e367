//===- DepthwiseUtils.h - Builders shared by the depthwise kernels -*- C++
//-*-===//
//
// The hand-scheduled depthwise kernels (convgrad-cpu-depthwise-planes,
// convgrad-cpu-depthwise-channels-last) emit scf loops and vectors directly;
// these are the index arithmetic, element casts, shape checks and parallel
// task structure they share.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_CODEGEN_CPU_DEPTHWISEUTILS_H
#define CONVGRAD_CODEGEN_CPU_DEPTHWISEUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

namespace mlir {
namespace convgrad {

/// An index constant.
Value indexConstant(OpBuilder &b, Location loc, int64_t v);
/// `v + c` and `v * c` on indices, `v` itself for c == 0 (resp. 1).
Value addIndex(OpBuilder &b, Location loc, Value v, int64_t c);
Value mulIndex(OpBuilder &b, Location loc, Value v, int64_t c);

/// `v` (a vector or scalar float) converted to `elementType` (extf or
/// truncf; `v` itself when the types match).
Value castElements(OpBuilder &b, Location loc, Value v, Type elementType);

/// The 1-D vectors `rows` (one type) stacked into one [rows, lanes] vector,
/// so that a block of accumulators is written with one transfer_write: each
/// write into a tensor is another value for one-shot bufferization's
/// analysis, whose cost grows with the cube of the writes into a tensor.
Value stackVectors(OpBuilder &b, Location loc, ValueRange rows);

/// A read-only buffer of the ranked tensor `t` in place, with a fully
/// dynamic layout (any buffer casts to it without a copy): what prefetches
/// of a tensor's elements address.
Value readOnlyBuffer(OpBuilder &b, Location loc, Value t);

/// Whether `v` is a ranked tensor with static sizes except dim 0 (the
/// batch) and no zero size.
bool staticButBatch(Value v);

/// Runs `body(builder, first, count, slice)` for `tasks` tasks over blocks
/// of the `planes` planes along dim `planeDim` of `dest`: in one scf.forall
/// (one parallel insert per task) when there are several tasks, else once on
/// `dest`. Returns the filled `dest`.
Value forEachTask(OpBuilder &b, Location loc, int64_t tasks, int64_t planes,
                  Value dest, unsigned planeDim,
                  function_ref<Value(OpBuilder &, Value, Value, Value)> body);

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_CODEGEN_CPU_DEPTHWISEUTILS_H
