//===- SplitGroups.cpp - Grouped convolutions as a loop over groups -------===//
//
// A grouped convolution is G independent convolutions on channel slices.
// Upstream linalg has no vectorizable form of the grouped named ops, so for
// code generation each group becomes an ungrouped convgrad.conv inside an
// scf.for over the groups (one loop body, not G copies, to keep compile time
// independent of G). Depthwise convolutions (one input channel per group)
// keep their own, vectorizable, upstream form, and so do channels-last ones
// with one output channel per group (a sum of depthwise convolutions, see
// convgrad-to-linalg).
//
//===----------------------------------------------------------------------===//

#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADSPLITGROUPS
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

struct SplitGroupedConv : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    ConvParams p = op.getConvParams();
    if (p.groups == 1)
      return rewriter.notifyMatchFailure(op, "not grouped");
    ConvDimPositions pos = p.positions();
    auto filterType = cast<RankedTensorType>(op.getFilter().getType());
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    int64_t cg = filterType.getDimSize(pos.channel());
    int64_t f = filterType.getDimSize(pos.outer());
    if (ShapedType::isDynamic(cg) || ShapedType::isDynamic(f) ||
        outType.isDynamicDim(pos.channel()))
      return rewriter.notifyMatchFailure(op, "dynamic channels");
    if (cg == 1)
      return rewriter.notifyMatchFailure(op, "depthwise: kept as is");
    // An empty input (a zero-size dim, e.g. the output gradient of a
    // transposed convolution whose rows are all output padding) sums
    // nothing; slicing it per group would need out-of-bounds offsets.
    if (llvm::is_contained(
            cast<RankedTensorType>(op.getInput().getType()).getShape(), 0))
      return rewriter.notifyMatchFailure(op, "empty input");
    int64_t fg = f / p.groups;
    if (fg == 1 && p.isChannelsLast())
      return rewriter.notifyMatchFailure(
          op, "one output channel per group: a sum of depthwise convolutions "
              "(convgrad-to-linalg)");

    Location loc = op.getLoc();
    SmallVector<OpFoldResult> outSizes;
    SmallVector<OpFoldResult> inSizes = getSizes(rewriter, loc, op.getInput());
    for (int64_t i = 0; i < outType.getRank(); ++i)
      outSizes.push_back(i == pos.outer() && outType.isDynamicDim(i)
                             ? inSizes[pos.outer()]
                             : OpFoldResult(rewriter.getIndexAttr(
                                   outType.getDimSize(i))));
    Value init = tensor::EmptyOp::create(rewriter, loc, outSizes,
                                         outType.getElementType());
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value groups = arith::ConstantIndexOp::create(rewriter, loc, p.groups);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto loop = scf::ForOp::create(
        rewriter, loc, zero, groups, one, ValueRange{init},
        [&](OpBuilder &b, Location l, Value g, ValueRange iterArgs) {
          Value cOffset = arith::MulIOp::create(
              b, l, g, arith::ConstantIndexOp::create(b, l, cg));
          Value fOffset = arith::MulIOp::create(
              b, l, g, arith::ConstantIndexOp::create(b, l, fg));
          Value input =
              sliceAlongDim(b, l, op.getInput(), pos.channel(), cOffset, cg);
          Value filter =
              sliceAlongDim(b, l, op.getFilter(), pos.outer(), fOffset, fg);
          Value bias;
          if (op.getBias())
            bias = sliceAlongDim(b, l, op.getBias(), 0, fOffset, fg);
          SmallVector<int64_t> groupShape(outType.getShape());
          groupShape[pos.channel()] = fg;
          Value conv = ConvOp::create(
              b, l, outType.clone(groupShape), input, filter, bias,
              op.getStridesAttr(), op.getPaddingAttr(), op.getDilationsAttr(),
              b.getI64IntegerAttr(1), op.getLayoutAttr());
          SmallVector<OpFoldResult> offsets(outType.getRank(),
                                            b.getIndexAttr(0));
          offsets[pos.channel()] = fOffset;
          SmallVector<OpFoldResult> sizes = getSizes(b, l, conv);
          SmallVector<OpFoldResult> strides(outType.getRank(),
                                            b.getIndexAttr(1));
          Value updated = tensor::InsertSliceOp::create(
              b, l, conv, iterArgs[0], offsets, sizes, strides);
          scf::YieldOp::create(b, l, updated);
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }
};

struct ConvGradSplitGroupsPass
    : public convgrad::impl::ConvGradSplitGroupsBase<ConvGradSplitGroupsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateSplitGroupsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::convgrad::populateSplitGroupsPatterns(RewritePatternSet &patterns) {
  patterns.add<SplitGroupedConv>(patterns.getContext());
}
