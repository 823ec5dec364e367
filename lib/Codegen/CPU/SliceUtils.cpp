//===- SliceUtils.cpp - Where tensor slices come from ---------------------===//

#include "convgrad/Codegen/CPU/SliceUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

Value mlir::convgrad::sliceRoot(Value value) {
  while (auto slice = value.getDefiningOp<tensor::ExtractSliceOp>())
    value = slice.getSource();
  return value;
}

bool mlir::convgrad::isEmptyContents(Value value) {
  return sliceRoot(value).getDefiningOp<tensor::EmptyOp>() != nullptr;
}
