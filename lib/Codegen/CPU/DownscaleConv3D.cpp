//===- DownscaleConv3D.cpp - 3-D convolution tiles as 2-D convolutions ----===//
//
// A channels-last 3-D convolution whose output depth and kernel depth are 1
// (a tile of convgrad-tile-and-vectorize: od and kd are tiled by 1) reads one
// input depth slice, one filter depth slice and writes one output depth
// slice: it is the 2-D convolution of those slices with the depth dimension
// dropped. Upstream decomposes 2-D convolutions with a unit (oh, kh) into
// 1-D ones (linalg::populateDecomposeConvolutionPatterns) but has no 3-D
// step; these patterns are that step, so that a 3-D tile reaches the 1-D
// convolutions the linalg vectorizer handles.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace {

/// Rewrites Conv3DOp (input [N, D, H, W, C], filter [KD, KH, KW, ...],
/// output [N, OD, OH, OW, ...]) with static unit D, KD and OD into Conv2DOp
/// on the operands with the depth merged away, expanded back.
template <typename Conv3DOp, typename Conv2DOp>
struct DownscaleUnitDepthConv3D : OpRewritePattern<Conv3DOp> {
  using OpRewritePattern<Conv3DOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(Conv3DOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Value input = op.getDpsInputs()[0];
    Value filter = op.getDpsInputs()[1];
    Value output = op.getDpsInits()[0];
    auto inputType = cast<RankedTensorType>(input.getType());
    auto filterType = cast<RankedTensorType>(filter.getType());
    auto outputType = cast<RankedTensorType>(output.getType());
    // The depth is dim 1 of input and output, dim 0 of the filter.
    if (inputType.getDimSize(1) != 1 || filterType.getDimSize(0) != 1 ||
        outputType.getDimSize(1) != 1)
      return rewriter.notifyMatchFailure(op, "depth is not a static 1");

    // Merge the unit depth into its neighbour (batch, or the kernel rows)
    // with a collapse_shape rather than a rank-reducing slice: with other
    // unit dimensions (N = 1, one row) a rank-reducing slice is ambiguous
    // about which unit dimension it drops, and the memref.subview folding
    // after bufferization then picks the wrong one (random-seed43.test).
    auto mergeFirstTwo = [](int64_t rank) {
      SmallVector<ReassociationIndices> groups = {{0, 1}};
      for (int64_t d = 2; d < rank; ++d)
        groups.push_back({d});
      return groups;
    };
    Location loc = op.getLoc();
    Value input2d = tensor::CollapseShapeOp::create(
        rewriter, loc, input, mergeFirstTwo(inputType.getRank()));
    Value filter2d = tensor::CollapseShapeOp::create(
        rewriter, loc, filter, mergeFirstTwo(filterType.getRank()));
    Value output2d = tensor::CollapseShapeOp::create(
        rewriter, loc, output, mergeFirstTwo(outputType.getRank()));
    auto strides = llvm::to_vector(op.getStrides().template getValues<int64_t>());
    auto dilations =
        llvm::to_vector(op.getDilations().template getValues<int64_t>());
    auto conv = Conv2DOp::create(
        rewriter, loc, output2d.getType(), ValueRange{input2d, filter2d},
        ValueRange{output2d},
        rewriter.getI64VectorAttr(ArrayRef<int64_t>(strides).drop_front()),
        rewriter.getI64VectorAttr(ArrayRef<int64_t>(dilations).drop_front()));
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, outputType, conv.getResult(0), mergeFirstTwo(outputType.getRank()));
    return success();
  }
};

} // namespace

void mlir::convgrad::populateDownscaleUnitDepthConv3DPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DownscaleUnitDepthConv3D<linalg::Conv3DNdhwcDhwcfOp,
                                        linalg::Conv2DNhwcHwcfOp>,
               DownscaleUnitDepthConv3D<linalg::DepthwiseConv3DNdhwcDhwcOp,
                                        linalg::DepthwiseConv2DNhwcHwcOp>>(
      patterns.getContext());
}
