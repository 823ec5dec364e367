//===- SubsampleStridedInput.cpp - Slice what strided windows read first --===//
//
// A convolution whose windows read only a lattice of its input (a 1x1
// kernel with stride s reads every s-th row and column; in general the
// positions o * s + k * d - lo have the step gcd(s, d)) reads the same
// elements through a strided slice of the input, with stride and dilation
// divided by that step (ConvDimGeometry::subsampledInput). For a
// channels-first convolution the vector path transposes the input to
// channels-last: after this rewrite the transpose moves the slice (a quarter
// of a 1x1 stride-2 layer's input) instead of the whole input.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADSUBSAMPLESTRIDEDINPUT
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

/// The tensor whose spatial sizes are the kernel's.
Value kernelOf(ConvOp op) { return op.getFilter(); }
Value kernelOf(ConvBackwardFilterOp op) { return op.getGradFilter(); }

/// Rewrites a channels-first op of the forward family (convgrad.conv,
/// conv_backward_filter: both read their `input` through the windows) to
/// read a strided slice of its input when some spatial dimension reads a
/// lattice with a step > 1.
template <typename OpTy>
struct SubsampleStridedInput : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    ConvParams p = op.getConvParams();
    if (p.layout != Layout::ChannelsFirst)
      return rewriter.notifyMatchFailure(
          op, "channels-last: no layout change to save");
    ConvDimPositions pos = p.positions();
    auto xType = cast<RankedTensorType>(op.getInput().getType());
    auto wType = cast<RankedTensorType>(kernelOf(op).getType());
    SmallVector<SubsampledInput> dims;
    bool strided = false;
    for (unsigned i = 0; i < p.spatialRank; ++i) {
      unsigned d = pos.spatial(i);
      if (xType.isDynamicDim(d) || wType.isDynamicDim(d))
        return rewriter.notifyMatchFailure(op, "dynamic spatial size");
      ConvDimGeometry g =
          p.dim(i, xType.getDimSize(d), wType.getDimSize(d));
      if (!g.fits())
        return rewriter.notifyMatchFailure(op, "no window fits");
      dims.push_back(g.subsampledInput());
      if (dims.back().size == 0)
        return rewriter.notifyMatchFailure(op, "every window in the padding");
      strided |= dims.back().step > 1;
    }
    if (!strided)
      return rewriter.notifyMatchFailure(op, "reads every input position");

    Location loc = op.getLoc();
    SmallVector<OpFoldResult> offsets(pos.rank(), rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes = getSizes(rewriter, loc, op.getInput());
    SmallVector<OpFoldResult> steps(pos.rank(), rewriter.getIndexAttr(1));
    SmallVector<int64_t> shape(xType.getShape());
    SmallVector<int64_t> strides, dilations, padLow, padHigh;
    for (auto [i, sub] : llvm::enumerate(dims)) {
      unsigned d = pos.spatial(i);
      offsets[d] = rewriter.getIndexAttr(sub.offset);
      sizes[d] = rewriter.getIndexAttr(sub.size);
      steps[d] = rewriter.getIndexAttr(sub.step);
      shape[d] = sub.size;
      strides.push_back(sub.geometry.stride);
      dilations.push_back(sub.geometry.dilation);
      padLow.push_back(sub.geometry.padLow);
      padHigh.push_back(sub.geometry.padHigh);
    }
    Value slice = tensor::ExtractSliceOp::create(
        rewriter, loc, xType.clone(shape), op.getInput(), offsets, sizes,
        steps);
    SmallVector<int64_t> padding(padLow);
    padding.append(padHigh);
    // Default values stay absent, as a user would write the op.
    auto attrUnless = [&](ArrayRef<int64_t> values, int64_t dflt) {
      return llvm::all_of(values, [&](int64_t v) { return v == dflt; })
                 ? DenseI64ArrayAttr()
                 : rewriter.getDenseI64ArrayAttr(values);
    };
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(slice);
      op.setStridesAttr(attrUnless(strides, 1));
      op.setDilationsAttr(attrUnless(dilations, 1));
      op.setPaddingAttr(attrUnless(padding, 0));
    });
    return success();
  }
};

struct ConvGradSubsampleStridedInputPass
    : public convgrad::impl::ConvGradSubsampleStridedInputBase<
          ConvGradSubsampleStridedInputPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateSubsampleStridedInputPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::convgrad::populateSubsampleStridedInputPatterns(
    RewritePatternSet &patterns) {
  patterns.add<SubsampleStridedInput<ConvOp>,
               SubsampleStridedInput<ConvBackwardFilterOp>>(
      patterns.getContext());
}
