//===- LowerVectors.cpp - Vector code of the tiles, ready for LLVM --------===//
//
// After bufferization, keeps each tile's accumulator in registers and lowers
// the vector ops the linalg vectorizer produced, in separate stages: one
// pattern set with everything at once can loop for a very long time.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADLOWERVECTORS
#include "convgrad/Transforms/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;

namespace {
struct LowerVectorsPass
    : public convgrad::impl::ConvGradLowerVectorsBase<LowerVectorsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    auto applyStage = [&](function_ref<void(RewritePatternSet &)> populate) {
      RewritePatternSet patterns(ctx);
      populate(patterns);
      vector::populateVectorTransferDropUnitDimsPatterns(patterns);
      return applyPatternsGreedily(func, std::move(patterns));
    };

    // The accumulator block of a tile is read before and written after the
    // reduction loops: hoist that pair out so it lives in registers.
    linalg::hoistRedundantVectorTransfers(func, /*verifyNonZeroTrip=*/true);

    if (failed(applyStage([](RewritePatternSet &p) {
          vector::populateCastAwayVectorLeadingOneDimPatterns(p);
        })) ||
        failed(applyStage([](RewritePatternSet &p) {
          vector::populateVectorContractLoweringPatterns(
              p, vector::VectorContractLowering::OuterProduct);
          vector::populateVectorOuterProductLoweringPatterns(p);
        })) ||
        failed(applyStage([](RewritePatternSet &p) {
          vector::populateVectorTransferPermutationMapLoweringPatterns(p);
          vector::populateVectorMultiReductionLoweringPatterns(
              p, vector::VectorMultiReductionLowering::InnerParallel);
          vector::populateVectorBroadcastLoweringPatterns(p);
          vector::populateVectorTransposeLoweringPatterns(
              p, vector::VectorTransposeLowering::Shuffle1D);
          vector::populateVectorShapeCastLoweringPatterns(p);
          vector::populateVectorTransferLoweringPatterns(p,
                                                         /*maxRank=*/1);
        })))
      return signalPassFailure();
  }
};
} // namespace
