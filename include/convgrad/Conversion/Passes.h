//===- Passes.h - convgrad conversion passes --------------------*- C++ -*-===//

#ifndef CONVGRAD_CONVERSION_PASSES_H
#define CONVGRAD_CONVERSION_PASSES_H

#include "convgrad/Conversion/ConvGradToLinalg/ConvGradToLinalg.h"
#include "convgrad/Conversion/TosaToConvGrad/TosaToConvGrad.h"
#include "convgrad/Conversion/LinalgToConvGrad/LinalgToConvGrad.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace convgrad {

#define GEN_PASS_REGISTRATION
#include "convgrad/Conversion/Passes.h.inc"

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_CONVERSION_PASSES_H
