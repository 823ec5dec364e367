//===- ConvGradOps.h - convgrad operations ----------------------*- C++ -*-===//

#ifndef CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADOPS_H
#define CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADOPS_H

#include "convgrad/Dialect/ConvGrad/IR/ConvGradDialect.h"
#include "convgrad/Dialect/ConvGrad/Utils/ConvShape.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SmallVector.h"

#include "convgrad/Dialect/ConvGrad/IR/ConvGradEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "convgrad/Dialect/ConvGrad/IR/ConvGradAttrs.h.inc"

namespace mlir {
namespace convgrad {

/// The attributes of a forward convolution with PyTorch defaults filled in.
struct ConvParams {
  unsigned spatialRank = 0;
  llvm::SmallVector<int64_t> strides, dilations, padLow, padHigh;
  int64_t groups = 1;
  Layout layout = Layout::ChannelsFirst;

  bool isChannelsLast() const { return layout == Layout::ChannelsLast; }
  ConvDimPositions positions() const {
    return ConvDimPositions{spatialRank, isChannelsLast()};
  }
  /// The geometry of spatial dimension `i` for the given input and kernel
  /// sizes along it.
  ConvDimGeometry dim(unsigned i, int64_t inputSize, int64_t kernelSize) const {
    return ConvDimGeometry{inputSize,  kernelSize, strides[i],
                           dilations[i], padLow[i], padHigh[i]};
  }
};

/// Whether `type` is an element type convgrad computes in.
bool isSupportedElementType(Type type);
/// The type convolutions of `elementType` accumulate in: f32 for f16/bf16.
Type getAccumulatorType(Type elementType);

} // namespace convgrad
} // namespace mlir

#define GET_OP_CLASSES
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h.inc"

#endif // CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADOPS_H
