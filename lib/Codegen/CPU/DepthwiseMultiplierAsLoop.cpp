//===- DepthwiseMultiplierAsLoop.cpp - Channel multipliers as a loop ------===//
//
// A channels-last depthwise convolution with a channel multiplier M
// (linalg.depthwise_conv_{1,2,3}d_n*wc_*wcm: output [N, O..., C, M], filter
// [K..., C, M]) has M innermost in its output and filter, and M is usually
// small (2-4): vectors along M would be mostly empty, vectors along C would
// read and write with stride M. Instead the filter and the output are
// transposed to [..., M, C] and the convolution becomes an scf.for over m of
// M depthwise convolutions without multiplier (depthwise_conv_*_n*wc_*wc)
// on contiguous [..., C] slices: the form convgrad-tile-and-vectorize tiles
// and vectorizes along C. The transposes move the filter and the output once
// (vectorized by convgrad-vectorize-data-movement), against KH*KW (*KD) FMAs
// per output element; a zero (fill) accumulator is not transposed but filled
// per slice.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::convgrad;

namespace {

/// The permutation that swaps the two innermost of `rank` dims.
SmallVector<int64_t> swapInnermostTwo(int64_t rank) {
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 2], perm[rank - 1]);
  return perm;
}

/// The slice [..., m, :] of `source` ([..., M, C]) without its M dim.
Value sliceMultiplier(OpBuilder &b, Location loc, Value source, Value m) {
  int64_t rank = cast<RankedTensorType>(source.getType()).getRank();
  return sliceWithoutDim(b, loc, source, rank - 2, m);
}

template <typename MultiplierOp, typename DepthwiseOp>
struct DepthwiseMultiplierAsLoop : OpRewritePattern<MultiplierOp> {
  using OpRewritePattern<MultiplierOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(MultiplierOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Value input = op.getDpsInputs()[0];
    Value filter = op.getDpsInputs()[1];
    Value init = op.getDpsInits()[0];
    auto filterType = cast<RankedTensorType>(filter.getType());
    auto initType = cast<RankedTensorType>(init.getType());
    int64_t multiplier = filterType.getShape().back();
    if (!filterType.hasStaticShape() ||
        initType.isDynamicDim(initType.getRank() - 1) ||
        initType.isDynamicDim(initType.getRank() - 2))
      return rewriter.notifyMatchFailure(op, "dynamic filter or channels");

    Location loc = op.getLoc();
    SmallVector<int64_t> swapOutput = swapInnermostTwo(initType.getRank());
    Value filterMC = transposeTensor(rewriter, loc, filter,
                                     swapInnermostTwo(filterType.getRank()));
    // An accumulator that is a fill is filled per multiplier slice inside
    // the loop instead of transposed, so that the tiling fuses the fill into
    // the tiles of each convolution.
    auto fill = init.getDefiningOp<linalg::FillOp>();
    Value initMC;
    if (fill) {
      SmallVector<OpFoldResult> sizes = getSizes(rewriter, loc, init);
      initMC = tensor::EmptyOp::create(
          rewriter, loc, applyPermutation(sizes, swapOutput),
          initType.getElementType());
    } else {
      initMC = transposeTensor(rewriter, loc, init, swapOutput);
    }
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value count = arith::ConstantIndexOp::create(rewriter, loc, multiplier);
    DenseIntElementsAttr strides = op.getStrides();
    DenseIntElementsAttr dilations = op.getDilations();
    auto loop = scf::ForOp::create(
        rewriter, loc, zero, count, one, ValueRange{initMC},
        [&](OpBuilder &b, Location l, Value m, ValueRange iterArgs) {
          Value filterSlice = sliceMultiplier(b, l, filterMC, m);
          Value accSlice = sliceMultiplier(b, l, iterArgs[0], m);
          auto extract = accSlice.getDefiningOp<tensor::ExtractSliceOp>();
          if (fill)
            accSlice = linalg::FillOp::create(b, l, fill.getInputs()[0],
                                              accSlice)
                           .getResult(0);
          auto conv = DepthwiseOp::create(
              b, l, accSlice.getType(), ValueRange{input, filterSlice},
              ValueRange{accSlice}, strides, dilations);
          // Insert back at [..., m, :] (the inverse of sliceMultiplier).
          Value updated = tensor::InsertSliceOp::create(
              b, l, conv.getResult(0), iterArgs[0],
              extract.getMixedOffsets(), extract.getMixedSizes(),
              extract.getMixedStrides());
          scf::YieldOp::create(b, l, updated);
        });
    rewriter.replaceOp(op,
                       transposeTensor(rewriter, loc, loop.getResult(0), swapOutput));
    return success();
  }
};

} // namespace

void mlir::convgrad::populateDepthwiseMultiplierAsLoopPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DepthwiseMultiplierAsLoop<linalg::DepthwiseConv1DNwcWcmOp,
                                         linalg::DepthwiseConv1DNwcWcOp>,
               DepthwiseMultiplierAsLoop<linalg::DepthwiseConv2DNhwcHwcmOp,
                                         linalg::DepthwiseConv2DNhwcHwcOp>,
               DepthwiseMultiplierAsLoop<linalg::DepthwiseConv3DNdhwcDhwcmOp,
                                         linalg::DepthwiseConv3DNdhwcDhwcOp>>(
      patterns.getContext());
}
