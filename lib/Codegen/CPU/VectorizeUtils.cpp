//===- VectorizeUtils.cpp - Vectorize tiles and fold their slices ---------===//

#include "convgrad/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

void mlir::convgrad::foldSlicesIntoTransfers(Operation *root) {
  MLIRContext *ctx = root->getContext();
  RewritePatternSet cleanup(ctx);
  tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(cleanup);
  vector::TransferReadOp::getCanonicalizationPatterns(cleanup, ctx);
  vector::TransferWriteOp::getCanonicalizationPatterns(cleanup, ctx);
  (void)applyPatternsGreedily(root, std::move(cleanup));
}

void mlir::convgrad::vectorizeAndFoldTransfers(RewriterBase &rewriter,
                                               Operation *root,
                                               ArrayRef<linalg::LinalgOp> ops) {
  for (linalg::LinalgOp op : ops) {
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::VectorizationResult> result =
        linalg::vectorize(rewriter, op);
    if (succeeded(result))
      rewriter.replaceOp(op, result->replacements);
  }
  foldSlicesIntoTransfers(root);
}
