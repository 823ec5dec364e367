//===- ConvertToChannelsLast.cpp - NCHW convolutions computed as NHWC -----===//

#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Transforms/Passes.h"
#include "convgrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCONVERTTOCHANNELSLAST
#include "convgrad/Transforms/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

/// [X, Y, S_1..S_R] -> [X, S_1..S_R, Y]: moves dimension 1 last.
SmallVector<int64_t> channelsFirstToLast(unsigned spatialRank) {
  SmallVector<int64_t> perm = {0};
  for (unsigned i = 0; i < spatialRank; ++i)
    perm.push_back(2 + i);
  perm.push_back(1);
  return perm;
}

/// [X, S_1..S_R, Y] -> [X, Y, S_1..S_R]: moves the last dimension to 1.
SmallVector<int64_t> channelsLastToFirst(unsigned spatialRank) {
  SmallVector<int64_t> perm = {0, spatialRank + 1};
  for (unsigned i = 0; i < spatialRank; ++i)
    perm.push_back(1 + i);
  return perm;
}

struct ConvToChannelsLast : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getLayout() != Layout::ChannelsFirst)
      return rewriter.notifyMatchFailure(op, "already channels-last");
    unsigned r = op.getSpatialRank();
    Location loc = op.getLoc();
    SmallVector<int64_t> toLast = channelsFirstToLast(r);
    Value input = transposeTensor(rewriter, loc, op.getInput(), toLast);
    Value filter = transposeTensor(rewriter, loc, op.getFilter(), toLast);
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    SmallVector<int64_t> shape;
    for (int64_t p : toLast)
      shape.push_back(outType.getDimSize(p));
    auto conv = ConvOp::create(
        rewriter, loc, outType.clone(shape), input, filter, op.getBias(),
        op.getStridesAttr(), op.getPaddingAttr(), op.getDilationsAttr(),
        op.getGroupsAttr(),
        LayoutAttr::get(rewriter.getContext(), Layout::ChannelsLast));
    rewriter.replaceOp(op, transposeTensor(rewriter, loc, conv.getResult(),
                                           channelsLastToFirst(r)));
    return success();
  }
};

/// transpose(transpose(x, p1), p2) = transpose(x, p1 o p2): the layout
/// changes around consecutive convolutions often cancel or compose.
struct ComposeTransposes : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<linalg::TransposeOp>();
    if (!producer || !op.hasPureTensorSemantics() ||
        !producer.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not a transpose of a transpose");
    ArrayRef<int64_t> inner = producer.getPermutation();
    SmallVector<int64_t> composed;
    for (int64_t p : op.getPermutation())
      composed.push_back(inner[p]);
    rewriter.replaceOp(op, transposeTensor(rewriter, op.getLoc(),
                                           producer.getInput(), composed));
    return success();
  }
};

struct ConvGradConvertToChannelsLastPass
    : public convgrad::impl::ConvGradConvertToChannelsLastBase<
          ConvGradConvertToChannelsLastPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateConvertToChannelsLastPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::convgrad::populateConvertToChannelsLastPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ConvToChannelsLast, ComposeTransposes>(patterns.getContext());
}
