//===- TileAndVectorizeConvs.cpp - CPU code generation for convolutions ---===//
//
// Tiles the channels-last linalg convolutions into register-sized blocks and
// vectorizes them, on tensors:
//
//   1. conv_2d_nhwc_fhwc -> conv_2d_nhwc_hwcf (a transpose of the small
//      filter), so the channel reduction reads contiguous filter rows.
//   2. An scf.forall over (batch, block of output rows): the unit of
//      parallelism; the accumulator's linalg.fill is fused into it.
//   3. scf.for tiles of (1 output row, `width-tile` columns, `channel-tile`
//      output channels, 1 kernel row, `reduction-tile` input channels): the
//      accumulator block stays in vector registers while the reduction runs.
//   4. The 2-D tiles with one kernel row become 1-D convolutions, which the
//      linalg vectorizer turns into broadcasts and vector FMAs.
//
// Tile sizes divide their dimensions, so every tile is full: no remainder
// loop, no masking, whatever the shape (prime sizes give smaller tiles, never
// a failure). The register block of a convolution (columns x output
// channels) is the pair of divisors that loads the fewest values per FMA
// within `max-accumulators` vector registers, so that 14 columns get a 7-wide
// block rather than a 2-wide one. Inside one task the loop over blocks of
// output channels is outermost: the filter slice of one block stays in cache
// while every row and column of the task reuses it. Ops this pass does not
// handle are left alone and lowered to loops later.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADTILEANDVECTORIZE
#include "convgrad/Transforms/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;

namespace {

/// The largest divisor of `size` that is at most `cap` (at least 1).
int64_t divisorAtMost(int64_t size, int64_t cap) {
  if (ShapedType::isDynamic(size) || size <= 0)
    return 1;
  for (int64_t d = std::min(size, std::max<int64_t>(cap, 1)); d > 1; --d)
    if (size % d == 0)
      return d;
  return 1;
}

/// The divisors of `size` that are at most `cap`, ascending.
SmallVector<int64_t> divisorsAtMost(int64_t size, int64_t cap) {
  SmallVector<int64_t> divisors;
  for (int64_t d = 1; d <= std::min(size, cap); ++d)
    if (size % d == 0)
      divisors.push_back(d);
  if (divisors.empty())
    divisors.push_back(1);
  return divisors;
}

/// Output columns and channels of the accumulator block of a convolution
/// tile. Per input channel and kernel tap the block costs one broadcast per
/// column and one filter load per vector of channels, for columns x vectors
/// FMAs: the best block maximizes the useful FMA lanes per loaded value,
/// within `maxAccumulators` vector registers (the filter row and the
/// broadcast need a few more).
std::pair<int64_t, int64_t> chooseRegisterBlock(int64_t width,
                                                int64_t channels,
                                                int64_t maxWidth,
                                                int64_t maxChannels,
                                                int64_t lanes,
                                                int64_t maxAccumulators) {
  std::pair<int64_t, int64_t> best = {1, 1};
  double bestScore = -1;
  for (int64_t w : divisorsAtMost(width, maxWidth)) {
    for (int64_t c : divisorsAtMost(channels, maxChannels)) {
      int64_t vectors = llvm::divideCeil(c, lanes);
      if (w * vectors > maxAccumulators && !(w == 1 && vectors == 1))
        continue;
      double score = double(w) * c / lanes / double(w + vectors);
      // Ties: more channels (contiguous stores), then more columns.
      if (score > bestScore + 1e-9 ||
          (score > bestScore - 1e-9 &&
           std::make_pair(c, w) > std::make_pair(best.second, best.first))) {
        bestScore = score;
        best = {w, c};
      }
    }
  }
  return best;
}

SmallVector<OpFoldResult> toAttrs(OpBuilder &b, ArrayRef<int64_t> sizes) {
  SmallVector<OpFoldResult> attrs;
  for (int64_t s : sizes)
    attrs.push_back(b.getIndexAttr(s));
  return attrs;
}

/// Tile sizes of one convolution kind, over its iteration space.
struct ConvTiling {
  SmallVector<int64_t> parallel; ///< scf.forall tiles (0 = not tiled)
  SmallVector<int64_t> inner;    ///< scf.for tiles inside one task
  SmallVector<int64_t> innerOrder; ///< loop order of `inner` (empty: as is)
  /// Optional scf.for tiles between the task and `inner` (empty: none): a
  /// block of output and input channels whose filter slice stays in cache.
  SmallVector<int64_t> cacheBlock;
  SmallVector<int64_t> cacheOrder;
  SmallVector<int64_t> fill;     ///< scf.for tiles of the fused fill
};

struct TileAndVectorizeConvsPass
    : public convgrad::impl::ConvGradTileAndVectorizeBase<
          TileAndVectorizeConvsPass> {
  using Base::Base;

  /// Kernel columns per vectorized 1-D convolution. The vectorizer unrolls
  /// them, so small kernels stay whole (0 = untiled), while the huge kernels
  /// of a filter gradient (the output gradient acts as kernel) get a loop.
  int64_t kernelWidthTile(int64_t kw) {
    return kw <= 8 ? 0 : divisorAtMost(kw, 4);
  }

  /// Elements of the output type per vector register (`vector-bits` wide).
  int64_t getVectorLanes(linalg::LinalgOp op) {
    Type elementType = getElementTypeOrSelf(op.getDpsInits()[0].getType());
    unsigned bits = elementType.isIntOrFloat()
                        ? elementType.getIntOrFloatBitWidth()
                        : 32;
    return std::max<int64_t>(1, vectorBits / std::max(bits, 8u));
  }

  /// Tile sizes for the ops the pass handles, from the static loop ranges.
  std::optional<ConvTiling> getTiling(linalg::LinalgOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return std::nullopt;
    // A zero-trip loop (zero channels or batch) leaves nothing to tile, and
    // upstream tiling crashes on it (found by convgrad-fuzz-gen).
    if (llvm::is_contained(ranges, 0))
      return std::nullopt;
    ConvTiling t;
    int64_t lanes = getVectorLanes(op);
    if (isa<linalg::Conv2DNhwcHwcfOp>(op)) {
      // (n, oh, ow, f, kh, kw, c); output channel blocks outermost.
      auto [ow, f] = chooseRegisterBlock(ranges[2], ranges[3], widthTile,
                                         channelTile, lanes, maxAccumulators);
      t.parallel = {1, divisorAtMost(ranges[1], parallelRows)};
      t.inner = {0, 1, ow, f, 1, kernelWidthTile(ranges[5]),
                 divisorAtMost(ranges[6], reductionTile)};
      t.fill = {0, 1, ow, f};
      // A filter larger than `filter-cache-bytes` (about an L2 cache) is
      // streamed from L3 by every tile. It is then split into blocks of
      // [KH, KW, c, f] of at most an eighth of that (room for the inputs
      // and outputs), each reused by every row and column of the task
      // before the next (the partial sums go through the output, once per
      // block). Measured: a smaller filter gains nothing from blocks, and
      // loses up to 30% (rows b, d of the benchmark).
      int64_t elementBytes = std::max<int64_t>(1, vectorBits / 8 / lanes);
      int64_t taps = ranges[4] * ranges[5];
      bool filterFits =
          taps * ranges[3] * ranges[6] * elementBytes <= filterCacheBytes;
      int64_t c =
          filterFits
              ? ranges[6]
              : divisorAtMost(ranges[6],
                              std::max<int64_t>(1, filterCacheBytes / 8 /
                                                       (taps * f *
                                                        elementBytes)));
      c = std::max(c, t.inner[6]);
      if (c % t.inner[6] != 0)
        c = t.inner[6];
      // A filter gradient's "kernel" is a whole output gradient: no block of
      // it fits, keep whole channel rows.
      if (t.inner[5] != 0 || c == ranges[6]) {
        // No input channel blocks: output channel blocks outermost.
        t.innerOrder = {0, 3, 1, 2, 4, 5, 6};
      } else {
        t.cacheBlock = {0, 0, 0, f, 0, 0, c};
        t.cacheOrder = {0, 3, 6, 1, 2, 4, 5};
        t.inner[3] = 0;
      }
      return t;
    }
    // A depthwise tile also holds its input window and one filter vector per
    // tap in registers: at most 4 columns.
    int64_t depthwiseWidth = std::min<int64_t>(widthTile, 4);
    if (isa<linalg::DepthwiseConv2DNhwcHwcOp>(op)) {
      // (n, oh, ow, c, kh, kw)
      int64_t ow = divisorAtMost(ranges[2], depthwiseWidth);
      int64_t c = divisorAtMost(ranges[3], channelTile);
      t.parallel = {1, divisorAtMost(ranges[1], parallelRows)};
      t.inner = {0, 1, ow, c, 1, 0};
      t.fill = {0, 1, ow, c};
      return t;
    }
    if (isa<linalg::Conv1DNwcWcfOp>(op)) {
      // (n, ow, f, kw, c): parallel over blocks of columns.
      int64_t block = divisorAtMost(ranges[1], parallelRows * widthTile);
      auto [ow, f] = chooseRegisterBlock(block, ranges[2], widthTile,
                                         channelTile, lanes, maxAccumulators);
      t.parallel = {1, block};
      t.inner = {0, ow, f, 0, divisorAtMost(ranges[4], reductionTile)};
      t.innerOrder = {0, 2, 1, 3, 4};
      t.fill = {0, ow, f};
      return t;
    }
    if (isa<linalg::DepthwiseConv1DNwcWcOp>(op)) {
      // (n, ow, c, kw)
      int64_t block = divisorAtMost(ranges[1], parallelRows * widthTile);
      int64_t ow = divisorAtMost(block, depthwiseWidth);
      int64_t c = divisorAtMost(ranges[2], channelTile);
      t.parallel = {1, block};
      t.inner = {0, ow, c, 0};
      t.fill = {0, ow, c};
      return t;
    }
    return std::nullopt;
  }

  /// Tiles `op` (forall + for) and its fill; returns failure if tiling
  /// does not apply, leaving the op untouched.
  LogicalResult tileConv(RewriterBase &rewriter, linalg::LinalgOp op,
                         const ConvTiling &t) {
    rewriter.setInsertionPoint(op);
    scf::SCFTileAndFuseOptions fuseOptions;
    scf::SCFTilingOptions forallOptions;
    forallOptions.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp)
        .setTileSizes(toAttrs(rewriter, t.parallel));
    fuseOptions.setTilingOptions(forallOptions);
    // Fuse only the accumulator initialization: each task then writes its
    // own block once. Pads and transposes of the operands stay outside.
    fuseOptions.setFusionControlFn(
        [](tensor::ExtractSliceOp, OpResult producer, bool isDestination)
            -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          if (isDestination && isa<linalg::FillOp>(producer.getOwner()))
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          return std::nullopt;
        });
    FailureOr<scf::SCFTileAndFuseResult> outer =
        scf::tileConsumerAndFuseProducersUsingSCF(
            rewriter, cast<TilingInterface>(op.getOperation()), fuseOptions);
    if (failed(outer))
      return failure();
    for (OpResult res : op->getResults())
      if (Value repl = outer->replacements.lookup(res))
        rewriter.replaceAllUsesWith(res, repl);
    rewriter.eraseOp(op);

    Operation *tiledConv = outer->tiledAndFusedOps.front();
    linalg::FillOp fusedFill;
    for (Operation *fused : outer->tiledAndFusedOps)
      if (auto fill = dyn_cast<linalg::FillOp>(fused))
        fusedFill = fill;

    auto tileWithFor = [&](Operation *target, ArrayRef<int64_t> sizes,
                           ArrayRef<int64_t> order) {
      scf::SCFTilingOptions options;
      options.setTileSizes(toAttrs(rewriter, sizes));
      if (!order.empty())
        options.setInterchange(order);
      rewriter.setInsertionPoint(target);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(target), options);
      if (failed(tiled))
        return FailureOr<Operation *>(failure());
      rewriter.replaceOp(target, tiled->replacements);
      return FailureOr<Operation *>(tiled->tiledOps.front());
    };
    if (!t.cacheBlock.empty()) {
      FailureOr<Operation *> blocked =
          tileWithFor(tiledConv, t.cacheBlock, t.cacheOrder);
      if (failed(blocked))
        return failure();
      tiledConv = *blocked;
    }
    if (failed(tileWithFor(tiledConv, t.inner, t.innerOrder)))
      return failure();
    if (fusedFill && failed(tileWithFor(fusedFill, t.fill, {})))
      return failure();
    return success();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);

    // 1. Filters [F, KH, KW, C] -> [KH, KW, C, F], for the convolutions
    //    tiled below (static shapes; upstream's rewrite mishandles a dynamic
    //    batch).
    SmallVector<linalg::Conv2DNhwcFhwcOp> fhwc;
    func.walk([&](linalg::Conv2DNhwcFhwcOp op) {
      if (!llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
        fhwc.push_back(op);
    });
    for (linalg::Conv2DNhwcFhwcOp op : fhwc) {
      rewriter.setInsertionPoint(op);
      (void)linalg::transposeConv2D(rewriter, op);
    }

    // 2-3. Tile every convolution the vectorizer can handle.
    SmallVector<std::pair<linalg::LinalgOp, ConvTiling>, 4> convs;
    func.walk([&](linalg::LinalgOp op) {
      if (std::optional<ConvTiling> t = getTiling(op))
        convs.emplace_back(op, *t);
    });
    for (auto &[op, tiling] : convs)
      (void)tileConv(rewriter, op, tiling);

    // 4. One kernel row per tile: 2-D -> 1-D convolutions.
    {
      RewritePatternSet patterns(ctx);
      linalg::populateDecomposeConvolutionPatterns(patterns);
      (void)applyPatternsGreedily(func, std::move(patterns));
    }

    // 5. Vectorize the 1-D convolutions and fills inside the tile loops. A
    //    cap on the vector size keeps untiled ops (outside any loop) scalar
    //    rather than turning them into huge vectors.
    SmallVector<linalg::LinalgOp> toVectorize;
    func.walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::Conv1DNwcWcfOp, linalg::DepthwiseConv1DNwcWcOp,
               linalg::FillOp>(op))
        return;
      if (!op->getParentOfType<scf::ForOp>())
        return;
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (llvm::any_of(ranges, ShapedType::isDynamic))
        return;
      int64_t elements = 1;
      for (int64_t r : ranges)
        elements *= r;
      // A tiled convolution's vectors are one register block (the kernel
      // width is unrolled, not vectorized); only fills become one vector.
      if (!isa<linalg::FillOp>(op) || elements <= maxVectorElements)
        toVectorize.push_back(op);
    });
    for (linalg::LinalgOp op : toVectorize) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> result =
          linalg::vectorize(rewriter, op);
      if (succeeded(result))
        rewriter.replaceOp(op, result->replacements);
    }

    // Fold the slices around the vector transfers so that bufferization
    // reads and writes the tiles in place.
    RewritePatternSet cleanup(ctx);
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(cleanup);
    vector::TransferReadOp::getCanonicalizationPatterns(cleanup, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(cleanup, ctx);
    (void)applyPatternsGreedily(func, std::move(cleanup));
  }
};

} // namespace
