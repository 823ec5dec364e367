//===- CropPaddingTaps.cpp - Drop kernel taps that read only padding ------===//
//
// With a dilation larger than the input, some taps of every window land in
// the padding for every output. Computed as they are, the padded input (and
// the vectors that read a whole dilated window row) grow with the dilation
// and the padding: 3 taps 300000 apart, padded by 600000, took seconds of
// LLVM time and most of a gigabyte for 5 inputs. The convolution over the
// taps that reach the input (ConvDimGeometry::tapsReadingInput) is the same
// sum with smaller paddings, so its cost depends on the problem only.
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
#define GEN_PASS_DEF_CONVGRADCROPPADDINGTAPS
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

/// The activation whose spatial sizes are the input's (H), and the tensor
/// whose spatial sizes are the kernel's (K), of each op.
Value inputOf(ConvOp op) { return op.getInput(); }
Value inputOf(ConvBackwardDataOp op) { return op.getGradInput(); }
Value inputOf(ConvBackwardFilterOp op) { return op.getInput(); }
Value kernelOf(ConvOp op) { return op.getFilter(); }
Value kernelOf(ConvBackwardDataOp op) { return op.getFilter(); }
Value kernelOf(ConvBackwardFilterOp op) { return op.getGradFilter(); }

/// The activation operand whose batch is the result's (the result's only
/// possibly dynamic size) of the ops whose result is an activation.
Value batchSourceOf(ConvOp op) { return op.getInput(); }
Value batchSourceOf(ConvBackwardDataOp op) { return op.getGradOutput(); }

/// What the pattern changes: how much of each kernel dimension is dropped
/// below and above, and the paddings of the op over the kept taps; or, when
/// along some dimension no tap reaches the input, that every product of
/// the op reads padding (its result is zero, plus the bias).
struct TapCrop {
  bool readsOnlyPadding = false;
  SmallVector<int64_t> dropLow, dropHigh; // per filter dimension
  SmallVector<int64_t> padding;           // all lows, then all highs
};

/// The crop of a convolution with `params` whose input (H) and kernel (K)
/// have the static shapes `inputShape` and `kernelShape`; failure when every
/// tap reads the input or when a size is dynamic.
FailureOr<TapCrop> planTapCrop(const ConvParams &params,
                               ArrayRef<int64_t> inputShape,
                               ArrayRef<int64_t> kernelShape) {
  ConvDimPositions pos = params.positions();
  TapCrop crop;
  crop.dropLow.assign(pos.rank(), 0);
  crop.dropHigh.assign(pos.rank(), 0);
  SmallVector<int64_t> padHigh;
  bool crops = false;
  for (unsigned i = 0; i < params.spatialRank; ++i) {
    unsigned d = pos.spatial(i);
    if (ShapedType::isDynamic(inputShape[d]) ||
        ShapedType::isDynamic(kernelShape[d]))
      return failure();
    ConvDimGeometry g = params.dim(i, inputShape[d], kernelShape[d]);
    if (!g.fits())
      return failure();
    TapRange taps = g.tapsReadingInput();
    if (taps.empty()) {
      crop.readsOnlyPadding = true;
      continue;
    }
    crops |= taps.crops(g.kernelSize);
    crop.dropLow[d] = taps.first;
    crop.dropHigh[d] = g.kernelSize - 1 - taps.last;
    crop.padding.push_back(taps.geometry.padLow);
    padHigh.push_back(taps.geometry.padHigh);
  }
  if (crop.readsOnlyPadding)
    return crop;
  if (!crops)
    return failure();
  crop.padding.append(padHigh);
  return crop;
}

template <typename OpTy>
FailureOr<TapCrop> planTapCrop(OpTy op) {
  return planTapCrop(op.getConvParams(),
                     cast<RankedTensorType>(inputOf(op).getType()).getShape(),
                     cast<RankedTensorType>(kernelOf(op).getType()).getShape());
}

/// The padding attribute of `padding`, absent when all zero (as a user
/// would write the op).
DenseI64ArrayAttr paddingAttr(Builder &b, ArrayRef<int64_t> padding) {
  return llvm::all_of(padding, [](int64_t v) { return v == 0; })
             ? DenseI64ArrayAttr()
             : b.getDenseI64ArrayAttr(padding);
}

SmallVector<int64_t> negated(ArrayRef<int64_t> values) {
  return llvm::map_to_vector(values, [](int64_t v) { return -v; });
}

/// Zeros of the type of `result`, whose dynamic sizes (the batch) are
/// those of `sizeSource`.
Value zerosLike(OpBuilder &b, Location loc, Value result, Value sizeSource) {
  auto type = cast<RankedTensorType>(result.getType());
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, sizeSource);
  for (auto [i, size] : llvm::enumerate(type.getShape()))
    if (!ShapedType::isDynamic(size))
      sizes[i] = b.getIndexAttr(size);
  return createFilledTensor(b, loc, sizes, type.getElementType(), 0.0);
}

/// The result of a convolution or data gradient whose every product reads
/// padding: zeros, plus the bias of a convolution.
Value onlyPaddingResult(OpBuilder &b, ConvOp op) {
  Value zeros = zerosLike(b, op.getLoc(), op.getOutput(), batchSourceOf(op));
  if (!op.getBias())
    return zeros;
  return addChannelBias(b, op.getLoc(), zeros, op.getBias(),
                        op.getConvParams().positions().channel());
}
Value onlyPaddingResult(OpBuilder &b, ConvBackwardDataOp op) {
  return zerosLike(b, op.getLoc(), op.getGradInput(), batchSourceOf(op));
}

/// convgrad.conv and conv_backward_data: the same op over a slice of the
/// filter.
template <typename OpTy>
struct CropFilterTaps : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    FailureOr<TapCrop> crop = planTapCrop(op);
    if (failed(crop))
      return rewriter.notifyMatchFailure(op, "every tap reads the input");
    if (crop->readsOnlyPadding) {
      rewriter.replaceOp(op, onlyPaddingResult(rewriter, op));
      return success();
    }
    Value filter = padOrCrop(rewriter, op.getLoc(), op.getFilter(),
                             negated(crop->dropLow), negated(crop->dropHigh));
    rewriter.modifyOpInPlace(op, [&] {
      op.getFilterMutable().assign(filter);
      op.setPaddingAttr(paddingAttr(rewriter, crop->padding));
    });
    return success();
  }
};

/// conv_backward_filter: the gradient of the kept taps, padded with the
/// zero gradient of the others (all zero when no tap reaches the input).
struct CropFilterGradientTaps : OpRewritePattern<ConvBackwardFilterOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvBackwardFilterOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<TapCrop> crop = planTapCrop(op);
    if (failed(crop))
      return rewriter.notifyMatchFailure(op, "every tap reads the input");
    auto type = cast<RankedTensorType>(op.getGradFilter().getType());
    if (crop->readsOnlyPadding) {
      // planTapCrop saw a static kernel; the channels are static too.
      if (!type.hasStaticShape())
        return rewriter.notifyMatchFailure(op, "dynamic filter gradient");
      rewriter.replaceOp(op, createFilledTensor(
                                 rewriter, op.getLoc(),
                                 getAsIndexOpFoldResult(rewriter.getContext(),
                                                        type.getShape()),
                                 type.getElementType(), 0.0));
      return success();
    }
    SmallVector<int64_t> keptShape(type.getShape());
    for (auto [size, low, high] :
         llvm::zip_equal(keptShape, crop->dropLow, crop->dropHigh))
      size -= low + high;
    auto kept = cast<ConvBackwardFilterOp>(rewriter.clone(*op));
    rewriter.modifyOpInPlace(kept, [&] {
      kept.getGradFilter().setType(type.clone(keptShape));
      kept.setPaddingAttr(paddingAttr(rewriter, crop->padding));
    });
    rewriter.replaceOp(op,
                       padOrCrop(rewriter, op.getLoc(), kept.getGradFilter(),
                                 crop->dropLow, crop->dropHigh));
    return success();
  }
};

/// conv_transpose: the data gradient it is, when that one drops taps or
/// reads only padding (then CropFilterTaps<ConvBackwardDataOp> rewrites it).
struct CropTransposedConvTaps : OpRewritePattern<ConvTransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvTransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (std::optional<std::string> reason = unsupportedForDecomposition(op))
      return rewriter.notifyMatchFailure(op, *reason);
    TransposedConvAsDataGradient dgrad = getTransposedConvAsDataGradient(op);
    if (failed(planTapCrop(
            dgrad.params, dgrad.gradInputShape,
            cast<RankedTensorType>(op.getFilter().getType()).getShape())))
      return rewriter.notifyMatchFailure(op, "every tap reads the input");
    replaceConvTransposeByDataGradient(rewriter, op);
    return success();
  }
};

struct ConvGradCropPaddingTapsPass
    : public convgrad::impl::ConvGradCropPaddingTapsBase<
          ConvGradCropPaddingTapsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateCropPaddingTapsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::convgrad::populateCropPaddingTapsPatterns(
    RewritePatternSet &patterns) {
  patterns.add<CropFilterTaps<ConvOp>, CropFilterTaps<ConvBackwardDataOp>,
               CropFilterGradientTaps, CropTransposedConvTaps>(
      patterns.getContext());
}
