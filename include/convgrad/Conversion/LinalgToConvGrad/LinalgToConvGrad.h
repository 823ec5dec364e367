//===- LinalgToConvGrad.h - raise foreign linalg into convgrad --*- C++ -*-===//

#ifndef CONVGRAD_CONVERSION_LINALGTOCONVGRAD_LINALGTOCONVGRAD_H
#define CONVGRAD_CONVERSION_LINALGTOCONVGRAD_LINALGTOCONVGRAD_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace convgrad {

#define GEN_PASS_DECL_CONVGRADRAISELINALG
#include "convgrad/Conversion/Passes.h.inc"

/// Patterns that recognize convolutions and their gradients written in
/// upstream linalg/tensor ops (as torch-mlir, StableHLO-to-linalg and TOSA's
/// lowering emit them) and rewrite them into convgrad ops when the semantics
/// are exactly equal. Everything else is left untouched. See the description
/// of `--convgrad-raise-linalg` for the recognized forms.
void populateRaiseLinalgToConvGradPatterns(RewritePatternSet &patterns);

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_CONVERSION_LINALGTOCONVGRAD_LINALGTOCONVGRAD_H
