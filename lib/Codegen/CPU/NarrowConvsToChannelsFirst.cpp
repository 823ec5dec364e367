//===- NarrowConvsToChannelsFirst.cpp - Few output channels: width vectors ===//
//
// convgrad-convert-to-channels-last computes every convolution channels-last
// so that vectors run along the output channels. A convolution with few
// output channels per group (the phases of an RGB stem's data gradient
// have 3) fills a small part of each vector that way; computed
// channels-first, convgrad-tile-and-vectorize vectorizes it along the
// output width instead (VectorizeConvAlongWidth.cpp). A channels-first
// convolution with a short reduction per output (pointwise layers) is also
// better computed that way: the transposes around its channels-last form
// cost more than its multiply-adds, and channels-first they cancel. This
// pass makes that choice, from the tiling strategy, for the module's CPU
// target.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCPUNARROWCONVSTOCHANNELSFIRST
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

/// Elements of the layout transposes around channels-last `op` that
/// computing it channels-first removes (they then compose with the
/// transposes back to channels-first and cancel): a transpose from
/// channels-first that its input is (possibly padded or sliced), and its
/// result when every use transposes it back.
int64_t cancellingTransposeElements(ConvOp op, unsigned spatialRank) {
  int64_t elements = 0;
  Value input = op.getInput();
  while (true) {
    if (auto pad = input.getDefiningOp<tensor::PadOp>())
      input = pad.getSource();
    else if (auto slice = input.getDefiningOp<tensor::ExtractSliceOp>())
      input = slice.getSource();
    else
      break;
  }
  auto isLayoutChange = [](linalg::TransposeOp transpose,
                           ArrayRef<int64_t> perm) {
    return transpose && transpose.hasPureTensorSemantics() &&
           transpose.getPermutation() == perm;
  };
  if (auto transpose = input.getDefiningOp<linalg::TransposeOp>();
      isLayoutChange(transpose, channelsFirstToLastPermutation(spatialRank)))
    elements += cast<ShapedType>(input.getType()).getNumElements();
  Value result = op->getResult(0);
  SmallVector<int64_t> toFirst = channelsLastToFirstPermutation(spatialRank);
  if (!result.use_empty() &&
      llvm::all_of(result.getUsers(), [&](Operation *user) {
        return isLayoutChange(dyn_cast<linalg::TransposeOp>(user), toFirst);
      }))
    elements += cast<ShapedType>(result.getType()).getNumElements();
  return elements;
}

/// A channels-last convolution that the strategy vectorizes along its
/// output width, as a channels-first one between transposes.
struct NarrowConvToChannelsFirst : OpRewritePattern<ConvOp> {
  NarrowConvToChannelsFirst(MLIRContext *ctx, const cpu::CPUTarget &target)
      : OpRewritePattern(ctx), target(target) {}

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    ConvParams p = op.getConvParams();
    if (!p.isChannelsLast())
      return rewriter.notifyMatchFailure(op, "already channels-first");
    // The tiler vectorizes channels-first 1-D and 2-D convolutions only.
    if (p.spatialRank < 1 || p.spatialRank > 2)
      return rewriter.notifyMatchFailure(op, "not 1-D or 2-D");
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto filterType = cast<RankedTensorType>(op.getFilter().getType());
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    if (!inType.hasStaticShape() || !filterType.hasStaticShape() ||
        !outType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    ConvDimPositions pos = p.positions();
    int64_t channelsPerGroup = filterType.getDimSize(pos.channel());
    if (p.groups > 1 && channelsPerGroup == 1)
      return rewriter.notifyMatchFailure(op, "depthwise");
    int64_t filtersPerGroup = outType.getDimSize(pos.channel()) / p.groups;
    unsigned inner = p.spatialRank - 1;
    Type accType = getAccumulatorType(outType.getElementType());
    cpu::WidthFormCandidate candidate;
    candidate.filters = filtersPerGroup;
    candidate.width = outType.getDimSize(pos.spatial(inner));
    candidate.stride = p.strides[inner];
    // Per output element: the taps and channels of one filter (FHWC), also
    // for a zero-size filter (the fuzzer's), which has no multiply-adds.
    candidate.reduction = computeProduct(filterType.getShape().drop_front());
    candidate.outputElements = outType.getNumElements();
    candidate.transposedElements =
        cancellingTransposeElements(op, p.spatialRank);
    if (!cpu::vectorizeAlongWidthOrSaveTransposes(
            candidate, accType.getIntOrFloatBitWidth(), target))
      return rewriter.notifyMatchFailure(op, "channels-last is better");

    rewriter.replaceOp(op, computeConvInLayout(rewriter, op,
                                               Layout::ChannelsFirst));
    return success();
  }

  cpu::CPUTarget target;
};

struct NarrowConvsToChannelsFirstPass
    : public convgrad::impl::ConvGradCPUNarrowConvsToChannelsFirstBase<
          NarrowConvsToChannelsFirstPass> {
  void runOnOperation() override {
    FailureOr<cpu::CPUTarget> target = getCPUTarget(getOperation());
    if (failed(target))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateNarrowConvsToChannelsFirstPatterns(patterns, *target);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::convgrad::populateNarrowConvsToChannelsFirstPatterns(
    RewritePatternSet &patterns, const cpu::CPUTarget &target) {
  patterns.add<NarrowConvToChannelsFirst>(patterns.getContext(), target);
  populateFoldLayoutTransposesPatterns(patterns);
}
