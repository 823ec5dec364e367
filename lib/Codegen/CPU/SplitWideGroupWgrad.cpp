//===- SplitWideGroupWgrad.cpp - Wide-group filter gradients as GEMMs -----===//
//
// A grouped filter gradient whose groups hold at least a vector of channels
// and of filters (ResNeXt's groups of 16 or 32) is, per group g, an
// ungrouped filter gradient of the group's channels of x and filters of dy:
//
//   dw[g Fg + f, c, k] = sum over (n, o) of
//     x[n, g Cg + c, o s + k d - lo] * dy[n, g Fg + f, o]
//
// so it becomes a loop over the groups around one ungrouped
// `convgrad.conv_backward_filter` on channel slices, which the same
// pattern set (DecomposeConvBackwardFilterAsGemm) turns into register-
// blocked GEMMs. Otherwise the decomposition would compute it as a
// convolution by dy with vectors along the group's few filters and the
// reduction over the batch only. Narrow groups are the depthwise kernels'
// (convgrad-cpu-depthwise-channels-last, convgrad-cpu-depthwise-planes):
// whether a group is wide enough is cpu::splitsWgradGroupsIntoGemms.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/DepthwiseUtils.h"
#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::convgrad;

namespace {

struct SplitWideGroupWgrad : OpRewritePattern<ConvBackwardFilterOp> {
  SplitWideGroupWgrad(MLIRContext *ctx, const cpu::CPUTarget &target,
                      PatternBenefit benefit)
      : OpRewritePattern(ctx, benefit), target(target) {}

  LogicalResult matchAndRewrite(ConvBackwardFilterOp op,
                                PatternRewriter &rewriter) const override {
    ConvParams p = op.getConvParams();
    if (p.groups <= 1)
      return rewriter.notifyMatchFailure(op, "ungrouped");
    auto xType = dyn_cast<RankedTensorType>(op.getInput().getType());
    auto dyType = dyn_cast<RankedTensorType>(op.getGradOutput().getType());
    auto dwType = dyn_cast<RankedTensorType>(op.getGradFilter().getType());
    if (!xType || !dyType || !dwType)
      return rewriter.notifyMatchFailure(op, "unranked");
    ConvDimPositions pos = p.positions();
    int64_t c = xType.getDimSize(pos.channel());
    int64_t f = dyType.getDimSize(pos.channel());
    if (ShapedType::isDynamic(c) || ShapedType::isDynamic(f) ||
        c % p.groups != 0 || f % p.groups != 0)
      return rewriter.notifyMatchFailure(op, "channels not whole groups");
    int64_t groupChannels = c / p.groups, groupFilters = f / p.groups;
    Type accType = getAccumulatorType(dwType.getElementType());
    if (!cpu::splitsWgradGroupsIntoGemms(groupChannels, groupFilters,
                                         accType.getIntOrFloatBitWidth(),
                                         target))
      return rewriter.notifyMatchFailure(op, "narrow groups");

    Location loc = op.getLoc();
    // dw [F, C/G, K...] (channels-first) or [F, K..., C/G]: the group's
    // filters are a slice along dim 0.
    SmallVector<int64_t> groupShape(dwType.getShape());
    groupShape[0] = groupFilters;
    auto groupType = dwType.clone(groupShape);
    Value init = tensor::EmptyOp::create(rewriter, loc, dwType.getShape(),
                                         dwType.getElementType());
    auto loop = scf::ForOp::create(
        rewriter, loc, indexConstant(rewriter, loc, 0),
        indexConstant(rewriter, loc, p.groups), indexConstant(rewriter, loc, 1),
        ValueRange{init},
        [&](OpBuilder &b, Location l, Value g, ValueRange it) {
          Value x = sliceAlongDim(b, l, op.getInput(), pos.channel(),
                             mulIndex(b, l, g, groupChannels), groupChannels);
          Value dy = sliceAlongDim(b, l, op.getGradOutput(), pos.channel(),
                              mulIndex(b, l, g, groupFilters), groupFilters);
          auto group = ConvBackwardFilterOp::create(
              b, l, TypeRange{groupType}, ValueRange{x, dy}, op->getAttrs());
          group.setGroups(1);
          SmallVector<OpFoldResult> offsets(dwType.getRank(),
                                            b.getIndexAttr(0));
          offsets[0] = mulIndex(b, l, g, groupFilters);
          SmallVector<OpFoldResult> sizes, strides(dwType.getRank(),
                                                   b.getIndexAttr(1));
          for (int64_t s : groupShape)
            sizes.push_back(b.getIndexAttr(s));
          scf::YieldOp::create(
              b, l,
              ValueRange{tensor::InsertSliceOp::create(
                             b, l, group.getGradFilter(), it[0], offsets,
                             sizes, strides)
                             .getResult()});
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }

  cpu::CPUTarget target;
};

} // namespace

void mlir::convgrad::populateSplitWideGroupWgradPatterns(
    RewritePatternSet &patterns, const cpu::CPUTarget &target,
    PatternBenefit benefit) {
  patterns.add<SplitWideGroupWgrad>(patterns.getContext(), target, benefit);
}
