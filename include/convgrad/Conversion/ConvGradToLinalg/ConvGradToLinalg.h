//===- ConvGradToLinalg.h - convgrad to upstream linalg ---------*- C++ -*-===//

#ifndef CONVGRAD_CONVERSION_CONVGRADTOLINALG_CONVGRADTOLINALG_H
#define CONVGRAD_CONVERSION_CONVGRADTOLINALG_CONVGRADTOLINALG_H

#include "mlir/Pass/Pass.h"

#include <optional>
#include <string>

namespace mlir {
class RewritePatternSet;

namespace convgrad {

#define GEN_PASS_DECL_CONVGRADTOLINALG
#include "convgrad/Conversion/Passes.h.inc"

/// Patterns lowering convgrad.conv, convgrad.insert_zeros and
/// convgrad.reverse to upstream linalg/tensor/arith. Combine with
/// populateDecomposeConvBackwardPatterns to lower the backward ops too.
void populateConvGradToLinalgPatterns(RewritePatternSet &patterns);

/// Why the lowering patterns cannot handle `op` (a reason to report at the
/// op), or nullopt when they can.
std::optional<std::string> unsupportedForLinalg(Operation *op);

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_CONVERSION_CONVGRADTOLINALG_CONVGRADTOLINALG_H
