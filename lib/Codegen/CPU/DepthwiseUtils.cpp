//===- DepthwiseUtils.cpp - Builders shared by the depthwise kernels ------===//

#include "convgrad/Codegen/CPU/DepthwiseUtils.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::convgrad;

Value mlir::convgrad::indexConstant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value mlir::convgrad::mulIndex(OpBuilder &b, Location loc, Value v, int64_t c) {
  return c == 1 ? v
                : arith::MulIOp::create(b, loc, v, indexConstant(b, loc, c));
}
Value mlir::convgrad::addIndex(OpBuilder &b, Location loc, Value v, int64_t c) {
  return c == 0 ? v
                : arith::AddIOp::create(b, loc, v, indexConstant(b, loc, c));
}

Value mlir::convgrad::stackVectors(OpBuilder &b, Location loc,
                                   ValueRange rows) {
  auto rowType = cast<VectorType>(rows.front().getType());
  SmallVector<int64_t> shape = {static_cast<int64_t>(rows.size())};
  llvm::append_range(shape, rowType.getShape());
  auto type = VectorType::get(shape, rowType.getElementType());
  Value stacked = ub::PoisonOp::create(b, loc, type);
  for (auto [i, row] : llvm::enumerate(rows))
    stacked = vector::InsertOp::create(b, loc, row, stacked,
                                       static_cast<int64_t>(i));
  return stacked;
}

Value mlir::convgrad::castElements(OpBuilder &b, Location loc, Value v,
                                   Type elementType) {
  Type from = getElementTypeOrSelf(v.getType());
  if (from == elementType)
    return v;
  Type to = elementType;
  if (auto vt = dyn_cast<VectorType>(v.getType()))
    to = VectorType::get(vt.getShape(), elementType);
  if (from.getIntOrFloatBitWidth() < elementType.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

bool mlir::convgrad::staticButBatch(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type)
    return false;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (type.isDynamicDim(i) ? i != 0 : type.getDimSize(i) == 0)
      return false;
  }
  return true;
}

Value mlir::convgrad::forEachTask(
    OpBuilder &b, Location loc, int64_t tasks, int64_t planes, Value dest,
    unsigned planeDim,
    function_ref<Value(OpBuilder &, Value, Value, Value)> body) {
  if (tasks <= 1)
    return body(b, indexConstant(b, loc, 0), indexConstant(b, loc, planes),
                dest);
  int64_t perTask = (planes + tasks - 1) / tasks;
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(tasks)}, ValueRange{dest},
      /*mapping=*/std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value task = forall.getInductionVars().front();
  Value first = mulIndex(b, loc, task, perTask);
  Value count = arith::MinSIOp::create(
      b, loc, indexConstant(b, loc, perTask),
      arith::SubIOp::create(b, loc, indexConstant(b, loc, planes), first));
  Value shared = forall.getRegionIterArgs().front();
  auto type = cast<RankedTensorType>(dest.getType());
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, shared);
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  offsets[planeDim] = first;
  sizes[planeDim] = count;
  Value slice =
      tensor::ExtractSliceOp::create(b, loc, shared, offsets, sizes, strides);
  Value result = body(b, first, count, slice);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, result, shared, offsets, sizes,
                                        strides);
  return forall.getResult(0);
}

Value mlir::convgrad::readOnlyBuffer(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  int64_t dyn = ShapedType::kDynamic;
  auto bufferType = MemRefType::get(
      type.getShape(), type.getElementType(),
      StridedLayoutAttr::get(b.getContext(), dyn,
                             SmallVector<int64_t>(type.getRank(), dyn)));
  return bufferization::ToBufferOp::create(b, loc, bufferType, t,
                                           /*readOnly=*/true);
}
