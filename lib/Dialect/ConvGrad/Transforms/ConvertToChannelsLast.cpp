//===- ConvertToChannelsLast.cpp - NCHW convolutions computed as NHWC -----===//

#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCONVERTTOCHANNELSLAST
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

struct ConvToChannelsLast : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getLayout() != Layout::ChannelsFirst)
      return rewriter.notifyMatchFailure(op, "already channels-last");
    rewriter.replaceOp(op, computeConvInLayout(rewriter, op,
                                               Layout::ChannelsLast));
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
    SmallVector<int64_t> composed =
        applyPermutation(producer.getPermutation(), op.getPermutation());
    rewriter.replaceOp(op, transposeTensor(rewriter, op.getLoc(),
                                           producer.getInput(), composed));
    return success();
  }
};

/// transpose(pad(x)) = pad(transpose(x)), with the pad amounts permuted.
/// The layout change then moves only the source elements, over dimensions
/// that keep their sizes (the spatial sizes of a channels-first activation
/// combine into a multiple of the vector width more often once unpadded),
/// and the padding is written in the convolution's own layout.
struct TransposeBeforePad : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto pad = op.getInput().getDefiningOp<tensor::PadOp>();
    if (!pad || !op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not a transpose of a pad");
    // Other readers of the padded tensor would keep the pad; equal
    // transposes (of the stride phases that read all of it) are this one.
    SmallVector<Operation *> sameTransposes;
    for (Operation *user : pad->getUsers()) {
      auto other = dyn_cast<linalg::TransposeOp>(user);
      if (!other || !other.hasPureTensorSemantics() ||
          other.getPermutation() != op.getPermutation())
        return rewriter.notifyMatchFailure(op, "the pad has other readers");
      if (other != op)
        sameTransposes.push_back(other);
    }
    Value padValue = pad.getConstantPaddingValue();
    if (!padValue || !pad.getLow().empty() || !pad.getHigh().empty())
      return rewriter.notifyMatchFailure(op, "not a static constant pad");
    ArrayRef<int64_t> perm = op.getPermutation();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<OpFoldResult> low = getAsIndexOpFoldResult(
        ctx, applyPermutation(pad.getStaticLow(), perm));
    SmallVector<OpFoldResult> high = getAsIndexOpFoldResult(
        ctx, applyPermutation(pad.getStaticHigh(), perm));
    Location loc = op.getLoc();
    // Equal transposes may come before `op`: then right after the old pad.
    if (!sameTransposes.empty())
      rewriter.setInsertionPointAfter(pad);
    Value transposed = transposeTensor(rewriter, loc, pad.getSource(), perm);
    auto padded = tensor::PadOp::create(rewriter, loc,
                                        op->getResult(0).getType(), transposed,
                                        low, high, padValue);
    for (Operation *other : sameTransposes)
      rewriter.replaceOp(other, padded.getResult());
    rewriter.replaceOp(op, padded.getResult());
    return success();
  }
};

/// `value` (an empty, filled or transposed tensor) in the layout
/// transpose(value, permutation), or null if that would add a transpose.
Value transposeCheaply(PatternRewriter &rewriter, Location loc, Value value,
                       ArrayRef<int64_t> permutation) {
  auto permutedEmpty = [&](Value source) {
    return tensor::EmptyOp::create(
        rewriter, loc,
        applyPermutation(getSizes(rewriter, loc, source), permutation),
        cast<RankedTensorType>(source.getType()).getElementType());
  };
  if (value.getDefiningOp<tensor::EmptyOp>())
    return permutedEmpty(value);
  if (auto fill = value.getDefiningOp<linalg::FillOp>()) {
    if (!fill.hasPureTensorSemantics() ||
        !fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
      return nullptr;
    return linalg::FillOp::create(rewriter, loc, fill.getInputs(),
                                  ValueRange{permutedEmpty(value)})
        .getResult(0);
  }
  if (value.getDefiningOp<linalg::TransposeOp>())
    return transposeTensor(rewriter, loc, value, permutation); // composes
  return nullptr;
}

/// insert_slice(transpose(x, p), d) = transpose(insert_slice(x, d'), p) with
/// d' = transpose(d, p^-1). The stride-phase dgrad interleaves its phase
/// results with strided insert_slices: done in the phases' channels-last
/// layout they write whole channel rows instead of every other element of a
/// channels-first row, the per-phase layout changes cancel and one transpose
/// of the whole result remains. Not into a filled destination (positions no
/// phase reaches): see below.
struct InsertBeforeTranspose : OpRewritePattern<tensor::InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::InsertSliceOp op,
                                PatternRewriter &rewriter) const override {
    auto transpose = op.getSource().getDefiningOp<linalg::TransposeOp>();
    if (!transpose || !transpose.hasPureTensorSemantics() ||
        op.getSourceType().getRank() != op.getDestType().getRank())
      return rewriter.notifyMatchFailure(op, "not an insert of a transpose");
    // A filled destination: the phases reach only part of the result (1x1
    // stride 2: a quarter), the rest keeps the fill. Moved into the phases'
    // layout, the fill would be transposed back with them, s^R times the
    // phases' elements; left in place, only the phases move and the fill is
    // written once, in the result's layout.
    if (op.getDest().getDefiningOp<linalg::FillOp>())
      return rewriter.notifyMatchFailure(op, "keeps a filled destination");
    ArrayRef<int64_t> perm = transpose.getPermutation();
    SmallVector<int64_t> inverse = invertPermutationVector(perm);
    Location loc = op.getLoc();
    Value dest = transposeCheaply(rewriter, loc, op.getDest(), inverse);
    if (!dest)
      return rewriter.notifyMatchFailure(op, "destination would be transposed");
    Value inserted = tensor::InsertSliceOp::create(
        rewriter, loc, transpose.getInput(), dest,
        applyPermutation(op.getMixedOffsets(), inverse),
        applyPermutation(op.getMixedSizes(), inverse),
        applyPermutation(op.getMixedStrides(), inverse));
    rewriter.replaceOp(op, transposeTensor(rewriter, loc, inserted, perm));
    return success();
  }
};

/// transpose(extract_slice(x)) = extract_slice(transpose(x)) for a slice
/// with unit strides that covers at least half of `x`, read by a
/// convolution: the stride phases of a data gradient read overlapping
/// windows of one padded output gradient, which then changes layout once,
/// in one transpose that all the phases slice, instead of once per phase.
struct SliceAfterTranspose : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto slice = op.getInput().getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice || !op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not a transpose of a slice");
    // The layout changes of convolution inputs only: other transposes of
    // slices move what they move.
    if (!llvm::any_of(op->getResult(0).getUsers(),
                      [](Operation *user) { return isa<ConvOp>(user); }))
      return rewriter.notifyMatchFailure(op, "not read by a convolution");
    RankedTensorType sourceType = slice.getSourceType();
    RankedTensorType sliceType = slice.getResultType();
    if (sliceType.getRank() != sourceType.getRank() ||
        !sourceType.hasStaticShape() || !sliceType.hasStaticShape() ||
        !slice.hasUnitStride())
      return rewriter.notifyMatchFailure(op, "not a static unit-stride slice");
    if (2 * sliceType.getNumElements() < sourceType.getNumElements())
      return rewriter.notifyMatchFailure(op, "a small part of its source");
    ArrayRef<int64_t> perm = op.getPermutation();
    Value transposed = getSharedTranspose(rewriter, op, slice.getSource(), perm);
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (int64_t p : perm) {
      offsets.push_back(slice.getMixedOffsets()[p]);
      sizes.push_back(slice.getMixedSizes()[p]);
      strides.push_back(slice.getMixedStrides()[p]);
    }
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, transposed, offsets,
                                                        sizes, strides);
    return success();
  }

  /// A transpose of `source` by `perm` that `op` may read: an earlier one
  /// of its block (another window's), or a new one right after `source`'s
  /// definition. Every window of `source` then reads one layout change, and
  /// a pad that only it reads moves after it (TransposeBeforePad).
  static Value getSharedTranspose(PatternRewriter &rewriter, Operation *op,
                                  Value source, ArrayRef<int64_t> perm) {
    for (Operation *user : source.getUsers()) {
      auto transpose = dyn_cast<linalg::TransposeOp>(user);
      if (transpose && transpose != op &&
          transpose.hasPureTensorSemantics() &&
          transpose.getInput() == source &&
          transpose.getPermutation() == perm &&
          transpose->getBlock() == op->getBlock() &&
          transpose->isBeforeInBlock(op))
        return transpose->getResult(0);
    }
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointAfterValue(source);
    return transposeTensor(rewriter, source.getLoc(), source, perm);
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

Value mlir::convgrad::computeConvInLayout(RewriterBase &rewriter, ConvOp op,
                                          Layout layout) {
  unsigned r = op.getSpatialRank();
  Location loc = op.getLoc();
  bool toLastLayout = layout == Layout::ChannelsLast;
  SmallVector<int64_t> to = toLastLayout ? channelsFirstToLastPermutation(r)
                                         : channelsLastToFirstPermutation(r);
  SmallVector<int64_t> back = toLastLayout
                                  ? channelsLastToFirstPermutation(r)
                                  : channelsFirstToLastPermutation(r);
  Value input = transposeTensor(rewriter, loc, op.getInput(), to);
  Value filter = transposeTensor(rewriter, loc, op.getFilter(), to);
  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  SmallVector<int64_t> shape;
  for (int64_t p : to)
    shape.push_back(outType.getDimSize(p));
  auto conv = ConvOp::create(
      rewriter, loc, outType.clone(shape), input, filter, op.getBias(),
      op.getStridesAttr(), op.getPaddingAttr(), op.getDilationsAttr(),
      op.getGroupsAttr(), LayoutAttr::get(rewriter.getContext(), layout));
  return transposeTensor(rewriter, loc, conv.getResult(), back);
}

void mlir::convgrad::populateConvertToChannelsLastPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ConvToChannelsLast>(patterns.getContext());
  populateFoldLayoutTransposesPatterns(patterns);
}

void mlir::convgrad::populateFoldLayoutTransposesPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ComposeTransposes, TransposeBeforePad, InsertBeforeTranspose,
               SliceAfterTranspose>(patterns.getContext());
}
