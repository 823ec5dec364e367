//===- TensorUtils.h - Data movement helpers for the rewrites -*- C++ -*-===//
//
// Small builders shared by the convgrad rewrites: transposes, splitting and
// merging of dimensions, and padding by possibly negative amounts. Each one
// handles dynamic sizes (the batch, and the channels that the batch becomes in
// the filter gradient) so the patterns do not repeat that logic.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_DIALECT_CONVGRAD_UTILS_TENSORUTILS_H
#define CONVGRAD_DIALECT_CONVGRAD_UTILS_TENSORUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/Value.h"

namespace mlir {
namespace convgrad {

/// The sizes of `value` (a ranked tensor): attributes for static sizes,
/// `tensor.dim` results for dynamic ones.
SmallVector<OpFoldResult> getSizes(OpBuilder &b, Location loc, Value value);

/// A tensor of `sizes` filled with `value` (`tensor.empty` + `linalg.fill`).
Value createFilledTensor(OpBuilder &b, Location loc,
                         ArrayRef<OpFoldResult> sizes, Type elementType,
                         double value);

/// The permutation of a transpose [X, Y, S_1..S_R] -> [X, S_1..S_R, Y]
/// (channels-first to channels-last: dimension 1 moves last).
SmallVector<int64_t> channelsFirstToLastPermutation(unsigned spatialRank);
/// Its inverse, [X, S_1..S_R, Y] -> [X, Y, S_1..S_R].
SmallVector<int64_t> channelsLastToFirstPermutation(unsigned spatialRank);

/// `linalg.transpose` of `source` by `permutation` (result dim i is source
/// dim permutation[i]). Returns `source` for the identity permutation.
Value transposeTensor(OpBuilder &b, Location loc, Value source,
                      ArrayRef<int64_t> permutation);

/// Splits dimension `dim` of `source` into `[outer, size / outer]`
/// (`tensor.expand_shape`). `outer` must divide the size when it is static.
Value splitDim(OpBuilder &b, Location loc, Value source, int64_t dim,
               int64_t outer);

/// Merges dimensions `dim` and `dim + 1` of `source` (`tensor.collapse_shape`).
Value mergeDims(OpBuilder &b, Location loc, Value source, int64_t dim);

/// The `size` elements of `source` from `offset` along `dim`, all of every
/// other dimension (a `tensor.extract_slice` of the same rank).
Value sliceAlongDim(OpBuilder &b, Location loc, Value source, int64_t dim,
                    OpFoldResult offset, int64_t size);

/// The slice of `source` at `index` along `dim`, without that dimension (a
/// rank-reducing `tensor.extract_slice`).
Value sliceWithoutDim(OpBuilder &b, Location loc, Value source, int64_t dim,
                      OpFoldResult index);

/// Pads dimension i of `source` by `low[i]` / `high[i]` zeros; a negative
/// amount removes that many elements instead (`tensor.extract_slice`), which
/// is how the re-padding of a gradient becomes a crop. Returns `source` when
/// every amount is zero.
Value padOrCrop(OpBuilder &b, Location loc, Value source,
                ArrayRef<int64_t> low, ArrayRef<int64_t> high);

/// Converts every element of `source` to `elementType` with a
/// `linalg.generic` (arith.extf / arith.truncf). Returns `source` when the
/// types already match.
Value convertElementType(OpBuilder &b, Location loc, Value source,
                         Type elementType);

/// The elementwise sum of `terms` (equal shapes) converted to `elementType`:
/// one linalg.generic.
Value sumTensors(OpBuilder &b, Location loc, ValueRange terms,
                 Type elementType);

/// The sum of the `parts` equal blocks of `source` along dimension 0
/// ([P * R, ...] -> [R, ...], static sizes) converted to `elementType`: one
/// elementwise linalg.generic. Parallel tasks that each accumulate into their
/// own copy of a small result (P copies stacked) are summed with it.
Value sumBlocksAlongDim0(OpBuilder &b, Location loc, Value source,
                         int64_t parts, Type elementType);

/// Converts a scalar float `value` to `type` (extf/truncf, or nothing).
Value castFloat(OpBuilder &b, Location loc, Value value, Type type);

/// `acc + lhs * rhs` in the type of `acc` (the operands are cast to it): the
/// body of the multiply-accumulate generics (convolutions, GEMM blocks) whose
/// f16/bf16 operands accumulate in f32.
Value multiplyAccumulate(OpBuilder &b, Location loc, Value acc, Value lhs,
                         Value rhs);

/// `source + bias` broadcast along dimension `channelDim` (a linalg.generic
/// writing into `source`; f16/bf16 add in f32 and round once).
Value addChannelBias(OpBuilder &b, Location loc, Value source, Value bias,
                     unsigned channelDim);

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_DIALECT_CONVGRAD_UTILS_TENSORUTILS_H
