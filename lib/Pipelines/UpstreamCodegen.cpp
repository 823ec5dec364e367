//===- UpstreamCodegen.cpp - Upstream-only tiling and vectorization -------===//
//
// What a user of MLIR 22 can assemble for convolutions without convgrad: the
// textbook sequence of upstream's own transforms (tile so that one kernel row
// and one output row remain, decompose 2-D to 1-D, vectorize, hoist, lower).
// Tile sizes are fixed register-sized targets, rounded down to divisors so
// that every tile is static (the vectorizer needs static shapes).
//
//===----------------------------------------------------------------------===//

#include "UpstreamCodegen.h"

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using namespace mlir::convgrad;

namespace {

/// The tile size for a dimension of `size` and a register-sized `target`:
/// the largest divisor up to `target` when it is at least half of it (all
/// tiles full), otherwise `target` itself, whose loop is then peeled
/// (upstream's peelForLoopAndSimplifyBounds) so that both the full tiles and
/// the one partial tile are static.
int64_t tileSize(int64_t size, int64_t target) {
  int64_t limit = std::min(size, target);
  int64_t divisor = cpu::largestDivisorAtMost(size, limit);
  return 2 * divisor >= limit ? divisor : limit;
}

struct UpstreamTileAndVectorizeConvs
    : public PassWrapper<UpstreamTileAndVectorizeConvs,
                         OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(UpstreamTileAndVectorizeConvs)
  StringRef getArgument() const override {
    return "convgrad-upstream-tile-and-vectorize-convs";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<scf::SCFDialect, vector::VectorDialect,
                    tensor::TensorDialect>();
  }

  /// Tiles one conv_2d_nhwc_hwcf: loops (n, oh, ow, f, kh, kw, c).
  void tile(RewriterBase &rewriter, linalg::Conv2DNhwcHwcfOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    // Register tile: up to 8 columns x 32 channels (2 AVX-512 vectors of
    // f32) with 8 input channels per reduction step.
    int64_t ow = tileSize(ranges[2], 8), f = tileSize(ranges[3], 32),
            c = tileSize(ranges[6], 8);
    scf::SCFTilingOptions rows;
    MLIRContext *ctx = rewriter.getContext();
    rows.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp)
        .setTileSizes(getAsIndexOpFoldResult(ctx, {1, 1}));
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> outer = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), rows);
    if (failed(outer))
      return;
    rewriter.replaceOp(op, outer->replacements);
    Operation *rowOp = outer->tiledOps.front();
    scf::SCFTilingOptions inner;
    inner.setTileSizes(getAsIndexOpFoldResult(ctx, {0, 0, ow, f, 1, 1, c}));
    rewriter.setInsertionPoint(rowOp);
    FailureOr<scf::SCFTilingResult> tiles = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(rowOp), inner);
    if (failed(tiles))
      return;
    rewriter.replaceOp(rowOp, tiles->replacements);
    // Loops in the order of the tiled dimensions: ow, f, kh, kw, c. Peel
    // the inner ones first so that the outer loop's copies contain them.
    const unsigned loopIndex[] = {4, 1, 0};
    const int64_t sizes[] = {ranges[6], ranges[3], ranges[2]};
    const int64_t tileSizes[] = {c, f, ow};
    for (unsigned i = 0; i < 3; ++i) {
      auto loop =
          dyn_cast<scf::ForOp>(tiles->loops[loopIndex[i]].getOperation());
      scf::ForOp partial;
      if (loop && sizes[i] % tileSizes[i] != 0 &&
          failed(scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial)))
        loop->emitWarning("upstream tiling: could not peel the partial tile");
    }
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);
    SmallVector<linalg::Conv2DNhwcHwcfOp> convs;
    func.walk([&](linalg::Conv2DNhwcHwcfOp op) {
      if (!llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
        convs.push_back(op);
    });
    for (linalg::Conv2DNhwcHwcfOp op : convs)
      tile(rewriter, op);
    // Peeled tiles: fold their now-constant sizes into static types, before
    // and after the decomposition (the vectorizer needs static shapes).
    auto canonicalize = [&] {
      RewritePatternSet patterns(ctx);
      for (Dialect *dialect : ctx->getLoadedDialects())
        dialect->getCanonicalizationPatterns(patterns);
      for (RegisteredOperationName name : ctx->getRegisteredOperations())
        name.getCanonicalizationPatterns(patterns, ctx);
      (void)applyPatternsGreedily(func, std::move(patterns));
    };
    canonicalize();
    RewritePatternSet decompose(ctx);
    linalg::populateDecomposeConvolutionPatterns(decompose);
    (void)applyPatternsGreedily(func, std::move(decompose));
    canonicalize();

    SmallVector<linalg::LinalgOp> rows;
    func.walk([&](linalg::Conv1DNwcWcfOp op) {
      if (op->getParentOfType<scf::ForOp>())
        rows.push_back(op);
    });
    vectorizeAndFoldTransfers(rewriter, func, rows);
  }
};

struct UpstreamLowerVectors
    : public PassWrapper<UpstreamLowerVectors, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(UpstreamLowerVectors)
  StringRef getArgument() const override {
    return "convgrad-upstream-lower-vectors";
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    linalg::hoistRedundantVectorTransfers(func, /*verifyNonZeroTrip=*/true);
    if (failed(lowerVectorsInStages(func, /*shuffle16x16Transposes=*/false)))
      signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass> mlir::convgrad::createUpstreamTileAndVectorizeConvsPass() {
  return std::make_unique<UpstreamTileAndVectorizeConvs>();
}

std::unique_ptr<Pass> mlir::convgrad::createUpstreamLowerVectorsPass() {
  return std::make_unique<UpstreamLowerVectors>();
}
