//===- NarrowConvsToChannelsFirst.cpp - Few output channels: width vectors ===//
//
// convgrad-convert-to-channels-last computes every convolution channels-last
// so that vectors run along the output channels. A convolution with few
// output channels per group (the phases of an RGB stem's data gradient
// have 3) fills a small part of each vector that way; computed
// channels-first, convgrad-tile-and-vectorize vectorizes it along the
// output width instead (VectorizeConvAlongWidth.cpp), unless it vectorizes
// it better channels-last along the reduction channels
// (cpu::prefersReductionLanes). A channels-first
// convolution with a short reduction per output (pointwise layers) is also
// better computed that way: the transposes around its channels-last form
// cost more than its multiply-adds, and channels-first they cancel. The
// lane remainder of a channels-first convolution's output channels (3 of
// 67) is likewise split off into a channels-first convolution of its own.
// This pass makes these choices, from the tiling strategy, for the module's
// CPU target.
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

/// Whether the input, filter and result of `op` have static shapes (the
/// rewrites below size their parts from them).
bool hasStaticShapes(ConvOp op) {
  return llvm::all_of(
      ValueRange{op.getInput(), op.getFilter(), op.getOutput()},
      [](Value v) { return cast<ShapedType>(v.getType()).hasStaticShape(); });
}

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

/// Whether the strategy computes the whole static channels-last `op`
/// channels-first, vectorized along its output width
/// (cpu::vectorizeAlongWidthOrSaveTransposes).
bool isWholeWidthForm(ConvOp op, const cpu::CPUTarget &target) {
  ConvParams p = op.getConvParams();
  auto filterType = cast<RankedTensorType>(op.getFilter().getType());
  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  ConvDimPositions pos = p.positions();
  int64_t filtersPerGroup = outType.getDimSize(pos.channel()) / p.groups;
  unsigned inner = p.spatialRank - 1;
  Type accType = getAccumulatorType(outType.getElementType());
  // Per output element: the taps and channels of one filter (FHWC), also
  // for a zero-size filter (the fuzzer's), which has no multiply-adds.
  int64_t reduction = computeProduct(filterType.getShape().drop_front());
  // Lanes along the reduction channels, which tile-and-vectorize emits for
  // ungrouped 2-D convolutions of one float type, when they are better.
  int64_t channels = filterType.getDimSize(pos.channel());
  Type inputElementType = getElementTypeOrSelf(op.getInput().getType());
  if (p.spatialRank == 2 && p.groups == 1 && channels > 0 &&
      isa<FloatType>(accType) &&
      llvm::all_equal({accType, inputElementType,
                       filterType.getElementType(),
                       outType.getElementType()}) &&
      cpu::prefersReductionLanes(
          filtersPerGroup,
          reduction / channels,
          filterType.getDimSize(pos.spatial(inner)), channels,
          outType.getDimSize(pos.spatial(inner)),
          accType.getIntOrFloatBitWidth(), target))
    return false;
  cpu::WidthFormCandidate candidate;
  candidate.filters = filtersPerGroup;
  candidate.width = outType.getDimSize(pos.spatial(inner));
  candidate.stride = p.strides[inner];
  candidate.reduction = reduction;
  candidate.outputElements = outType.getNumElements();
  candidate.transposedElements =
      cancellingTransposeElements(op, p.spatialRank);
  return cpu::vectorizeAlongWidthOrSaveTransposes(
      candidate, accType.getIntOrFloatBitWidth(), target);
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
    if (!hasStaticShapes(op))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    auto filterType = cast<RankedTensorType>(op.getFilter().getType());
    ConvDimPositions pos = p.positions();
    int64_t channelsPerGroup = filterType.getDimSize(pos.channel());
    if (p.groups > 1 && channelsPerGroup == 1)
      return rewriter.notifyMatchFailure(op, "depthwise");
    if (!isWholeWidthForm(op, target))
      return rewriter.notifyMatchFailure(op, "channels-last is better");

    rewriter.replaceOp(op, computeConvInLayout(rewriter, op,
                                               Layout::ChannelsFirst));
    return success();
  }

  cpu::CPUTarget target;
};

/// A channels-last convolution between layout transposes from and back to
/// channels-first whose output channels end in a lane remainder that the
/// strategy computes channels-first (cpu::channelsFirstRemainderSplit): the
/// whole vectors of channels stay a channels-last convolution, the
/// remainder becomes a channels-first one of its own, which reads the
/// channels-first input (padded anew when the convolution's input is
/// padded) and writes its channels of the channels-first result directly.
struct SplitLaneRemainderToChannelsFirst : OpRewritePattern<ConvOp> {
  SplitLaneRemainderToChannelsFirst(MLIRContext *ctx,
                                    const cpu::CPUTarget &target)
      : OpRewritePattern(ctx, /*benefit=*/2), target(target) {}

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    ConvParams p = op.getConvParams();
    if (!p.isChannelsLast() || p.groups != 1 || p.spatialRank != 2)
      return rewriter.notifyMatchFailure(op, "not an ungrouped 2-D conv");
    if (!hasStaticShapes(op))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto filterType = cast<RankedTensorType>(op.getFilter().getType());
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    unsigned r = p.spatialRank;
    SmallVector<int64_t> toLast = channelsFirstToLastPermutation(r);
    SmallVector<int64_t> toFirst = channelsLastToFirstPermutation(r);
    auto isLayoutChange = [](Operation *user, ArrayRef<int64_t> perm) {
      auto transpose = dyn_cast_or_null<linalg::TransposeOp>(user);
      return transpose && transpose.hasPureTensorSemantics() &&
             transpose.getPermutation() == perm;
    };
    // The channels-first input: the source of the layout change, padded
    // like the channels-last one.
    Value input = op.getInput();
    auto pad = input.getDefiningOp<tensor::PadOp>();
    if (pad) {
      if (!pad.getConstantPaddingValue() || !pad.getLow().empty() ||
          !pad.getHigh().empty())
        return rewriter.notifyMatchFailure(op, "not a static constant pad");
      input = pad.getSource();
    }
    Operation *toLastOp = input.getDefiningOp();
    if (!isLayoutChange(toLastOp, toLast))
      return rewriter.notifyMatchFailure(op, "input not from channels-first");
    Value result = op->getResult(0);
    if (result.use_empty() ||
        !llvm::all_of(result.getUsers(), [&](Operation *user) {
          return isLayoutChange(user, toFirst);
        }))
      return rewriter.notifyMatchFailure(op, "result not to channels-first");

    if (isWholeWidthForm(op, target))
      return rewriter.notifyMatchFailure(op, "all channels-first");
    ConvDimPositions pos = p.positions();
    int64_t filters = outType.getDimSize(pos.channel());
    cpu::LaneRemainderCandidate candidate;
    candidate.filters = filters;
    candidate.width = outType.getDimSize(pos.spatial(r - 1));
    candidate.stride = p.strides[r - 1];
    candidate.reduction = computeProduct(filterType.getShape().drop_front());
    candidate.outputPositions = outType.getNumElements() / filters;
    // The padded input: a tensor.pad of the channels-first source, or the
    // one convgrad-to-linalg makes for the convolution's own padding.
    int64_t padded = inType.getNumElements();
    bool padding = pad != nullptr;
    for (unsigned i = 0; i < r; ++i) {
      int64_t size = inType.getDimSize(pos.spatial(i));
      int64_t withPadding = size + p.padLow[i] + p.padHigh[i];
      padding |= withPadding != size;
      padded = size == 0 ? 0 : padded / size * withPadding;
    }
    candidate.copiedInputElements = padding ? padded : 0;
    Type accType = getAccumulatorType(outType.getElementType());
    int64_t split = cpu::channelsFirstRemainderSplit(
        candidate, accType.getIntOrFloatBitWidth(), target);
    if (split == 0)
      return rewriter.notifyMatchFailure(op, "no remainder to split off");

    Location loc = op.getLoc();
    Value inputFirst = cast<linalg::TransposeOp>(toLastOp).getInput();
    if (pad) {
      MLIRContext *ctx = rewriter.getContext();
      SmallVector<int64_t> low = applyPermutation(pad.getStaticLow(), toFirst);
      SmallVector<int64_t> high =
          applyPermutation(pad.getStaticHigh(), toFirst);
      inputFirst = tensor::PadOp::create(
          rewriter, loc,
          RankedTensorType::get(applyPermutation(inType.getShape(), toFirst),
                                inType.getElementType()),
          inputFirst, getAsIndexOpFoldResult(ctx, low),
          getAsIndexOpFoldResult(ctx, high), pad.getConstantPaddingValue());
    }
    // The filter and the bias (F first in both layouts) in two slices of F.
    auto sliceOfF = [&](Value value, int64_t offset, int64_t size) -> Value {
      if (!value)
        return value;
      auto type = cast<RankedTensorType>(value.getType());
      SmallVector<int64_t> offsets(type.getRank(), 0);
      SmallVector<int64_t> sizes(type.getShape());
      SmallVector<int64_t> strides(type.getRank(), 1);
      offsets[0] = offset;
      sizes[0] = size;
      MLIRContext *ctx = rewriter.getContext();
      return tensor::ExtractSliceOp::create(
                 rewriter, loc, value,
                 getAsIndexOpFoldResult(ctx, offsets),
                 getAsIndexOpFoldResult(ctx, sizes),
                 getAsIndexOpFoldResult(ctx, strides))
          .getResult();
    };
    auto convOf = [&](Value in, Value filter, Value bias,
                      ArrayRef<int64_t> shape, Layout layout) {
      return ConvOp::create(rewriter, loc, outType.clone(shape), in, filter,
                            bias, op.getStridesAttr(), op.getPaddingAttr(),
                            op.getDilationsAttr(), op.getGroupsAttr(),
                            LayoutAttr::get(rewriter.getContext(), layout))
          .getResult();
    };
    SmallVector<int64_t> firstShape =
        applyPermutation(outType.getShape(), toFirst);
    SmallVector<int64_t> remainderShape = firstShape;
    remainderShape[1] = filters - split;
    Value remainder =
        convOf(inputFirst,
               transposeTensor(rewriter, loc,
                               sliceOfF(op.getFilter(), split,
                                        filters - split),
                               toFirst),
               sliceOfF(op.getBias(), split, filters - split), remainderShape,
               Layout::ChannelsFirst);
    // The channels-first result: the remainder's channels inserted as they
    // are, the others transposed into place (the transpose then fuses into
    // the channels-last convolution's tasks). The destination comes before
    // the channels-last convolution, so that its transpose writes into it
    // (eliminate-empty-tensors) rather than into a copy.
    Value dest = tensor::EmptyOp::create(rewriter, loc, firstShape,
                                         outType.getElementType());
    auto insert = [&](Value source, Value into, int64_t channel) {
      int64_t rank = outType.getRank();
      SmallVector<int64_t> offsets(rank, 0);
      offsets[1] = channel;
      SmallVector<int64_t> strides(rank, 1);
      return tensor::InsertSliceOp::create(
                 rewriter, loc, source, into, getAsIndexOpFoldResult(
                     rewriter.getContext(), offsets),
                 getAsIndexOpFoldResult(
                     rewriter.getContext(),
                     cast<RankedTensorType>(source.getType()).getShape()),
                 getAsIndexOpFoldResult(rewriter.getContext(), strides))
          .getResult();
    };
    Value withRemainder = insert(remainder, dest, split);
    SmallVector<int64_t> mainShape(outType.getShape());
    mainShape[pos.channel()] = split;
    Value main = convOf(op.getInput(), sliceOfF(op.getFilter(), 0, split),
                        sliceOfF(op.getBias(), 0, split), mainShape,
                        Layout::ChannelsLast);
    Value first =
        insert(transposeTensor(rewriter, loc, main, toFirst), withRemainder, 0);
    for (Operation *user : llvm::to_vector(result.getUsers()))
      rewriter.replaceOp(user, first);
    rewriter.eraseOp(op);
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
  patterns.add<NarrowConvToChannelsFirst, SplitLaneRemainderToChannelsFirst>(
      patterns.getContext(), target);
  populateFoldLayoutTransposesPatterns(patterns);
}
