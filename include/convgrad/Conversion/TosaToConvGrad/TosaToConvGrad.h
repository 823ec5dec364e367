//===- TosaToConvGrad.h - TOSA convolutions to convgrad ---------*- C++ -*-===//

#ifndef CONVGRAD_CONVERSION_TOSATOCONVGRAD_TOSATOCONVGRAD_H
#define CONVGRAD_CONVERSION_TOSATOCONVGRAD_TOSATOCONVGRAD_H

#include "mlir/Pass/Pass.h"

#include <optional>
#include <string>

namespace mlir {
class RewritePatternSet;

namespace convgrad {

/// What --convgrad-import-tosa does with a TOSA convolution it cannot
/// import (integer types, non-zero zero points, an accumulator type that is
/// not convgrad's, dynamic sizes other than the batch).
enum class UnsupportedTosaPolicy {
  /// Leave it to upstream's TOSA lowering (a message under
  /// -debug-only=convgrad-import-tosa).
  Ignore,
  /// Leave it, with a remark at the op saying why.
  Remark,
  /// An error at the op; the pass fails.
  Error,
};

#define GEN_PASS_DECL_CONVGRADIMPORTTOSA
#include "convgrad/Conversion/Passes.h.inc"

/// Patterns rewriting tosa.conv2d, tosa.conv3d, tosa.depthwise_conv2d and
/// tosa.transpose_conv2d of float types with zero zero points into
/// channels-last convgrad ops (plus the weight transposes and reshapes TOSA's
/// layouts need). Other TOSA ops are not touched.
void populateTosaToConvGradPatterns(RewritePatternSet &patterns);

/// Why the patterns leave `op` (a TOSA convolution) untouched, or nullopt
/// when they import it.
std::optional<std::string> unsupportedForConvGradImport(Operation *op);

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_CONVERSION_TOSATOCONVGRAD_TOSATOCONVGRAD_H
