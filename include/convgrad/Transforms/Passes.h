//===- Passes.h - convgrad transformation passes ----------------*- C++ -*-===//

#ifndef CONVGRAD_TRANSFORMS_PASSES_H
#define CONVGRAD_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace convgrad {

#define GEN_PASS_DECL
#include "convgrad/Transforms/Passes.h.inc"

/// Patterns that rewrite conv_backward_data, conv_backward_filter and
/// conv_backward_bias into forward convgrad.conv ops (and a linalg reduction
/// for the bias gradient) over explicit data movement.
void populateDecomposeConvBackwardPatterns(RewritePatternSet &patterns);

/// Why the decomposition patterns cannot rewrite `op` (a reason to report at
/// the op), or nullopt when they can or `op` is not a backward op.
std::optional<std::string> unsupportedForDecomposition(Operation *op);

#define GEN_PASS_REGISTRATION
#include "convgrad/Transforms/Passes.h.inc"

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_TRANSFORMS_PASSES_H
