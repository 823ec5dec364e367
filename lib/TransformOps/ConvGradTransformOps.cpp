//===- ConvGradTransformOps.cpp - convgrad transform ops ------------------===//

#include "convgrad/TransformOps/ConvGradTransformOps.h"

#include "convgrad/Conversion/ConvGradToLinalg/ConvGradToLinalg.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradDialect.h"
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

void convgrad::ApplyDecomposePatternsOp::populatePatterns(
    RewritePatternSet &patterns) {
  populateDecomposeConvBackwardPatterns(patterns);
}

void convgrad::ApplyToLinalgPatternsOp::populatePatterns(
    RewritePatternSet &patterns) {
  populateConvGradToLinalgPatterns(patterns);
}

#define GET_OP_CLASSES
#include "convgrad/TransformOps/ConvGradTransformOps.cpp.inc"

namespace {
class ConvGradTransformDialectExtension
    : public transform::TransformDialectExtension<
          ConvGradTransformDialectExtension> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(
      ConvGradTransformDialectExtension)

  ConvGradTransformDialectExtension() {
    // The patterns create these ops in the payload.
    declareGeneratedDialect<convgrad::ConvGradDialect>();
    declareGeneratedDialect<arith::ArithDialect>();
    declareGeneratedDialect<linalg::LinalgDialect>();
    declareGeneratedDialect<tensor::TensorDialect>();
    registerTransformOps<
#define GET_OP_LIST
#include "convgrad/TransformOps/ConvGradTransformOps.cpp.inc"
        >();
  }
};
} // namespace

void convgrad::registerTransformDialectExtension(DialectRegistry &registry) {
  registry.addExtensions<ConvGradTransformDialectExtension>();
}
