//===- DecomposeConvBackward.cpp - Gradients as forward convolutions ------===//
//
// Rewrites dgrad and wgrad into forward convgrad.conv ops over explicit data
// movement, and bgrad into a reduction, following the derivation in
// docs/conv-backward-math.md. Every size comes from Utils/ConvShape.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADDECOMPOSE
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

/// Permutation that exchanges the outer dimension (N or F) with the channel
/// dimension of a tensor in the given layout, keeping spatial dims in place.
SmallVector<int64_t> swapOuterAndChannel(const ConvDimPositions &pos) {
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, pos.rank()));
  std::swap(perm[pos.outer()], perm[pos.channel()]);
  return perm;
}

/// Creates a forward convgrad.conv, leaving default attributes absent so the
/// IR stays as short as the user would write it.
Value createForwardConv(OpBuilder &b, Location loc, Type resultType,
                        Value input, Value filter, ArrayRef<int64_t> strides,
                        ArrayRef<int64_t> dilations, int64_t groups,
                        Layout layout) {
  auto isOne = [](int64_t v) { return v == 1; };
  DenseI64ArrayAttr stridesAttr, dilationsAttr;
  if (!llvm::all_of(strides, isOne))
    stridesAttr = b.getDenseI64ArrayAttr(strides);
  if (!llvm::all_of(dilations, isOne))
    dilationsAttr = b.getDenseI64ArrayAttr(dilations);
  return ConvOp::create(b, loc, resultType, input, filter, /*bias=*/Value(),
                        stridesAttr, /*padding=*/DenseI64ArrayAttr(),
                        dilationsAttr, b.getI64IntegerAttr(groups),
                        LayoutAttr::get(b.getContext(), layout));
}

} // namespace

/// The decomposition handles a dynamic batch only: channel and filter sizes
/// decide the reshapes that move groups around.
std::optional<std::string>
mlir::convgrad::unsupportedForDecomposition(Operation *op) {
  SmallVector<Value> activations;
  Value filter;
  ConvDimPositions pos;
  if (auto dgrad = dyn_cast<ConvBackwardDataOp>(op)) {
    activations = {dgrad.getGradOutput(), dgrad.getGradInput()};
    filter = dgrad.getFilter();
    pos = dgrad.getConvParams().positions();
  } else if (auto transpose = dyn_cast<ConvTransposeOp>(op)) {
    activations = {transpose.getInput(), transpose.getOutput()};
    filter = transpose.getFilter();
    pos = transpose.getConvParams().positions();
  } else if (auto wgrad = dyn_cast<ConvBackwardFilterOp>(op)) {
    activations = {wgrad.getInput(), wgrad.getGradOutput()};
    filter = wgrad.getGradFilter();
    pos = wgrad.getConvParams().positions();
  } else {
    return std::nullopt;
  }
  for (Value v : activations)
    if (cast<RankedTensorType>(v.getType()).isDynamicDim(pos.channel()))
      return std::string("dynamic channel sizes are not supported; only the "
                         "batch size may be dynamic");
  if (!cast<RankedTensorType>(filter.getType()).hasStaticShape())
    return std::string("the filter shape must be static");
  return std::nullopt;
}

namespace {

//===----------------------------------------------------------------------===//
// dgrad
//===----------------------------------------------------------------------===//

/// Filter of the data gradient: within each group, swap the roles of output
/// and input channels, `[G*Fg, Cg, K...] -> [G*Cg, Fg, K...]` (channels-first;
/// channels-last keeps K... in the middle).
Value swapFilterChannelRoles(OpBuilder &b, Location loc, Value filter,
                             const ConvParams &p) {
  auto type = cast<RankedTensorType>(filter.getType());
  ConvDimPositions pos = p.positions();
  int64_t f = type.getDimSize(pos.outer());
  int64_t cg = type.getDimSize(pos.channel());
  int64_t fg = f / p.groups;
  if (p.groups == 1)
    return transposeTensor(b, loc, filter, swapOuterAndChannel(pos));
  if (cg == 1 && fg == 1)
    return filter; // Depthwise with multiplier 1: [C, 1, K...] either way.
  // [G, Fg, ...Cg...] with the group split off the outer dimension; in this
  // rank-(R+3) tensor the channel dimension moved one place to the right.
  Value split = splitDim(b, loc, filter, pos.outer(), p.groups);
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, pos.rank() + 1));
  std::swap(perm[1], perm[pos.channel() + 1]);
  Value swapped = transposeTensor(b, loc, split, perm);
  return mergeDims(b, loc, swapped, 0);
}

struct DecomposeConvBackwardData : OpRewritePattern<ConvBackwardDataOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvBackwardDataOp op,
                                PatternRewriter &rewriter) const override {
    if (std::optional<std::string> reason = unsupportedForDecomposition(op))
      return rewriter.notifyMatchFailure(op, *reason);

    ConvParams p = op.getConvParams();
    ConvDimPositions pos = p.positions();
    Location loc = op.getLoc();
    auto dxType = cast<RankedTensorType>(op.getGradInput().getType());
    auto wType = cast<RankedTensorType>(op.getFilter().getType());

    // 1. Insert s - 1 zeros between neighbouring gradient elements.
    SmallVector<int64_t> zeroStrides(pos.rank(), 1);
    for (unsigned i = 0; i < p.spatialRank; ++i)
      zeroStrides[pos.spatial(i)] = p.strides[i];
    Value dy = op.getGradOutput();
    if (llvm::any_of(p.strides, [](int64_t s) { return s > 1; }))
      dy = InsertZerosOp::create(rewriter, loc, dy, zeroStrides);

    // 2. Re-pad by Ke - 1 - lo / Ke - 1 - hi + r (negative amounts crop).
    SmallVector<int64_t> low(pos.rank(), 0), high(pos.rank(), 0);
    SmallVector<int64_t> spatialDims;
    for (unsigned i = 0; i < p.spatialRank; ++i) {
      unsigned d = pos.spatial(i);
      ConvDimGeometry g =
          p.dim(i, dxType.getDimSize(d), wType.getDimSize(d));
      low[d] = g.dgradPadLow();
      high[d] = g.dgradPadHigh();
      spatialDims.push_back(d);
    }
    Value padded = padOrCrop(rewriter, loc, dy, low, high);

    // 3. Swap channel roles within each group and rotate the kernel by 180
    //    degrees (reverse every spatial dimension).
    Value swapped = swapFilterChannelRoles(rewriter, loc, op.getFilter(), p);
    Value reversed = ReverseOp::create(rewriter, loc, swapped.getType(), swapped,
                                       rewriter.getDenseI64ArrayAttr(spatialDims));

    // 4. Stride-1 convolution with the forward dilation and groups.
    SmallVector<int64_t> ones(p.spatialRank, 1);
    rewriter.replaceOp(op, createForwardConv(rewriter, loc, dxType, padded,
                                             reversed, ones, p.dilations,
                                             p.groups, p.layout));
    return success();
  }
};

/// dgrad split by output phase: for every combination of residues
/// (i_r mod s_r), a stride-1 convolution over only the kernel taps that reach
/// those positions, inserted into the result with a strided insert_slice.
/// No multiply touches an inserted zero (the zero-insertion form wastes
/// 1 - 1/s^R of its MACs). The per-dimension arithmetic is
/// ConvDimGeometry::dgradPhases.
struct DecomposeConvBackwardDataByPhase : OpRewritePattern<ConvBackwardDataOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvBackwardDataOp op,
                                PatternRewriter &rewriter) const override {
    if (std::optional<std::string> reason = unsupportedForDecomposition(op))
      return rewriter.notifyMatchFailure(op, *reason);
    ConvParams p = op.getConvParams();
    if (llvm::all_of(p.strides, [](int64_t s) { return s == 1; }))
      return rewriter.notifyMatchFailure(op, "stride 1: one phase");
    ConvDimPositions pos = p.positions();
    Location loc = op.getLoc();
    auto dxType = cast<RankedTensorType>(op.getGradInput().getType());
    auto wType = cast<RankedTensorType>(op.getFilter().getType());
    unsigned r = p.spatialRank;

    std::vector<std::vector<DgradPhase>> phases;
    bool someUnreached = false;
    for (unsigned i = 0; i < r; ++i) {
      unsigned d = pos.spatial(i);
      ConvDimGeometry geometry =
          p.dim(i, dxType.getDimSize(d), wType.getDimSize(d));
      phases.push_back(geometry.dgradPhases());
      someUnreached |= !geometry.dgradReachesEveryPosition();
    }

    // Positions no tap reaches keep a zero gradient, written by one fill
    // (never phase by phase: with a stride larger than the kernel extent
    // most phases are empty); otherwise every element is written by exactly
    // one phase.
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < dxType.getRank(); ++i)
      sizes.push_back(dxType.isDynamicDim(i)
                          ? getSizes(rewriter, loc, op.getGradOutput())[i]
                          : OpFoldResult(
                                rewriter.getIndexAttr(dxType.getDimSize(i))));
    Value result =
        someUnreached
            ? createFilledTensor(rewriter, loc, sizes, dxType.getElementType(),
                                 0.0)
            : tensor::EmptyOp::create(rewriter, loc, sizes,
                                      dxType.getElementType())
                  .getResult();
    Value swapped = swapFilterChannelRoles(rewriter, loc, op.getFilter(), p);
    auto swappedType = cast<RankedTensorType>(swapped.getType());

    // The phases read windows of the output gradient padded (or cropped)
    // differently; all are windows of one tensor padded by the largest
    // amounts, so the gradient is padded (copied) once, not once per phase.
    SmallVector<int64_t> sharedLow(pos.rank(), 0), sharedHigh(pos.rank(), 0);
    auto dyType = cast<RankedTensorType>(op.getGradOutput().getType());
    for (unsigned i = 0; i < r; ++i) {
      unsigned d = pos.spatial(i);
      bool first = true;
      for (const DgradPhase &ph : phases[i]) {
        if (ph.numOutputs == 0 || ph.numTaps == 0)
          continue;
        sharedLow[d] = first ? ph.padLow : std::max(sharedLow[d], ph.padLow);
        sharedHigh[d] =
            first ? ph.padHigh : std::max(sharedHigh[d], ph.padHigh);
        first = false;
      }
    }
    Value sharedDy =
        padOrCrop(rewriter, loc, op.getGradOutput(), sharedLow, sharedHigh);

    // Every combination of one phase per spatial dimension (none if a
    // dimension has no phase: then no tap reaches any position and the
    // result is the zero fill).
    bool noPhase = llvm::any_of(
        phases, [](const std::vector<DgradPhase> &v) { return v.empty(); });
    SmallVector<unsigned> choice(r, 0);
    while (!noPhase) {
      SmallVector<const DgradPhase *> combo;
      for (unsigned i = 0; i < r; ++i)
        combo.push_back(&phases[i][choice[i]]);
      bool empty = llvm::any_of(combo, [](const DgradPhase *ph) {
        return ph->numOutputs == 0 || ph->numTaps == 0;
      });
      if (!empty) {
        // The taps of this phase, in reverse order.
        SmallVector<OpFoldResult> offsets, tapSizes, tapStrides;
        SmallVector<int64_t> kernelShape(swappedType.getShape());
        for (int64_t i = 0; i < swappedType.getRank(); ++i) {
          offsets.push_back(rewriter.getIndexAttr(0));
          tapSizes.push_back(rewriter.getIndexAttr(swappedType.getDimSize(i)));
          tapStrides.push_back(rewriter.getIndexAttr(1));
        }
        SmallVector<int64_t> reversedDims, low(pos.rank(), 0),
            high(pos.rank(), 0), dilations;
        SmallVector<int64_t> convShape(dxType.getShape());
        for (unsigned i = 0; i < r; ++i) {
          unsigned d = pos.spatial(i);
          offsets[d] = rewriter.getIndexAttr(combo[i]->firstTap);
          tapSizes[d] = rewriter.getIndexAttr(combo[i]->numTaps);
          tapStrides[d] = rewriter.getIndexAttr(combo[i]->tapStep);
          kernelShape[d] = combo[i]->numTaps;
          if (combo[i]->numTaps > 1)
            reversedDims.push_back(d);
          low[d] = combo[i]->padLow;
          high[d] = combo[i]->padHigh;
          dilations.push_back(combo[i]->dilation);
          convShape[d] = combo[i]->numOutputs;
        }
        Value taps = tensor::ExtractSliceOp::create(
            rewriter, loc, swappedType.clone(kernelShape), swapped, offsets,
            tapSizes, tapStrides);
        if (!reversedDims.empty())
          taps = ReverseOp::create(rewriter, loc, taps.getType(), taps,
                                   rewriter.getDenseI64ArrayAttr(reversedDims));
        // This phase's window [-low, size + high) of the gradient starts
        // at sharedLow - low in the shared padded tensor.
        SmallVector<OpFoldResult> windowOffsets, windowSizes =
                                                    getSizes(rewriter, loc,
                                                             sharedDy),
                                                windowStrides;
        SmallVector<int64_t> windowShape(
            cast<RankedTensorType>(sharedDy.getType()).getShape());
        bool whole = true;
        for (int64_t i = 0; i < dyType.getRank(); ++i) {
          windowOffsets.push_back(rewriter.getIndexAttr(0));
          windowStrides.push_back(rewriter.getIndexAttr(1));
        }
        for (unsigned i = 0; i < r; ++i) {
          unsigned d = pos.spatial(i);
          int64_t size = dyType.getDimSize(d) + low[d] + high[d];
          windowOffsets[d] = rewriter.getIndexAttr(sharedLow[d] - low[d]);
          windowSizes[d] = rewriter.getIndexAttr(size);
          whole &= size == windowShape[d];
          windowShape[d] = size;
        }
        Value dy = whole ? sharedDy
                         : tensor::ExtractSliceOp::create(
                               rewriter, loc,
                               cast<RankedTensorType>(sharedDy.getType())
                                   .clone(windowShape),
                               sharedDy, windowOffsets, windowSizes,
                               windowStrides)
                               .getResult();
        SmallVector<int64_t> ones(r, 1);
        Value conv = createForwardConv(rewriter, loc, dxType.clone(convShape),
                                       dy, taps, ones, dilations, p.groups,
                                       p.layout);
        // Interleave: positions residue + s * t.
        SmallVector<OpFoldResult> insOffsets, insStrides;
        SmallVector<OpFoldResult> insSizes = getSizes(rewriter, loc, conv);
        for (int64_t i = 0; i < dxType.getRank(); ++i) {
          insOffsets.push_back(rewriter.getIndexAttr(0));
          insStrides.push_back(rewriter.getIndexAttr(1));
        }
        for (unsigned i = 0; i < r; ++i) {
          insOffsets[pos.spatial(i)] = rewriter.getIndexAttr(combo[i]->residue);
          insStrides[pos.spatial(i)] = rewriter.getIndexAttr(p.strides[i]);
        }
        result = tensor::InsertSliceOp::create(rewriter, loc, conv, result,
                                               insOffsets, insSizes,
                                               insStrides);
      }
      // Next combination (odometer order).
      unsigned i = 0;
      while (i < r && ++choice[i] == phases[i].size())
        choice[i++] = 0;
      if (i == r)
        break;
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// wgrad
//===----------------------------------------------------------------------===//

/// Moves the batch of an activation into the channel role and a channel
/// piece into the batch role, group by group:
///   channels-first `[N, G*X, S...] -> [X, G*N, S...]`,
///   channels-last  `[N, S..., G*X] -> [X, S..., G*N]`.
/// With `outerFirst`, the result is instead `[G*X, N, S...]`
/// (channels-last `[G*X, S..., N]`), the filter view of the output gradient.
Value exchangeBatchAndChannels(OpBuilder &b, Location loc, Value value,
                               const ConvParams &p, bool outerFirst) {
  ConvDimPositions pos = p.positions();
  if (p.groups == 1)
    return transposeTensor(b, loc, value, swapOuterAndChannel(pos));
  // Split C into [G, X]: rank R+3, G at pos.channel(), X right after it.
  Value split = splitDim(b, loc, value, pos.channel(), p.groups);
  int64_t gDim = pos.channel(), xDim = pos.channel() + 1;
  SmallVector<int64_t> spatial;
  for (unsigned i = 0; i < p.spatialRank; ++i)
    spatial.push_back(pos.spatial(i) + (pos.channelsLast ? 0 : 1));
  SmallVector<int64_t> perm;
  if (outerFirst) {
    // [G, X, N, S...] (CF) or [G, X, S..., N] (CL); merge G and X.
    perm = {gDim, xDim};
    if (!pos.channelsLast)
      perm.push_back(0);
    perm.append(spatial);
    if (pos.channelsLast)
      perm.push_back(0);
  } else {
    // [X, G, N, S...] (CF) or [X, S..., G, N] (CL); merge G and N.
    perm = {xDim};
    if (!pos.channelsLast)
      perm.append({gDim, 0});
    perm.append(spatial);
    if (pos.channelsLast)
      perm.append({gDim, 0});
  }
  Value transposed = transposeTensor(b, loc, split, perm);
  int64_t mergeAt = outerFirst ? 0 : pos.channel();
  return mergeDims(b, loc, transposed, mergeAt);
}

struct DecomposeConvBackwardFilter : OpRewritePattern<ConvBackwardFilterOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvBackwardFilterOp op,
                                PatternRewriter &rewriter) const override {
    if (std::optional<std::string> reason = unsupportedForDecomposition(op))
      return rewriter.notifyMatchFailure(op, *reason);

    ConvParams p = op.getConvParams();
    ConvDimPositions pos = p.positions();
    Location loc = op.getLoc();
    auto xType = cast<RankedTensorType>(op.getInput().getType());
    auto dwType = cast<RankedTensorType>(op.getGradFilter().getType());

    // 1. Pad x by lo, and by hi - r at the end so that exactly the rows the
    //    forward windows read remain (negative: crop).
    SmallVector<int64_t> low(pos.rank(), 0), high(pos.rank(), 0);
    for (unsigned i = 0; i < p.spatialRank; ++i) {
      unsigned d = pos.spatial(i);
      ConvDimGeometry g = p.dim(i, xType.getDimSize(d), dwType.getDimSize(d));
      low[d] = g.padLow;
      high[d] = g.wgradPadHigh();
    }
    Value x = padOrCrop(rewriter, loc, op.getInput(), low, high);

    // 2. The batch becomes the reduced channel: input [Cg, G*N, L...],
    //    filter dy as [F, N, O...]; the forward stride becomes the dilation
    //    and the forward dilation the stride.
    Value input = exchangeBatchAndChannels(rewriter, loc, x, p, false);
    Value filter = exchangeBatchAndChannels(rewriter, loc, op.getGradOutput(),
                                            p, true);
    SmallVector<int64_t> convShape(dwType.getShape());
    std::swap(convShape[pos.outer()], convShape[pos.channel()]);
    Value conv = createForwardConv(rewriter, loc, dwType.clone(convShape),
                                   input, filter, p.dilations, p.strides,
                                   p.groups, p.layout);

    // 3. [Cg, F, K...] -> [F, Cg, K...].
    rewriter.replaceOp(op, transposeTensor(rewriter, loc, conv,
                                           swapOuterAndChannel(pos)));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// bgrad
//===----------------------------------------------------------------------===//

struct DecomposeConvBackwardBias : OpRewritePattern<ConvBackwardBiasOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvBackwardBiasOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto dyType = cast<RankedTensorType>(op.getGradOutput().getType());
    auto dbType = cast<RankedTensorType>(op.getGradBias().getType());
    Type accType = getAccumulatorType(dyType.getElementType());
    ConvDimPositions pos{op.getSpatialRank(),
                         op.getLayout() == Layout::ChannelsLast};

    // The result type may know the channel count when grad_output does not.
    SmallVector<OpFoldResult> sizes = {
        dbType.isDynamicDim(0)
            ? getSizes(rewriter, loc, op.getGradOutput())[pos.channel()]
            : OpFoldResult(rewriter.getIndexAttr(dbType.getDimSize(0)))};
    Value init = createFilledTensor(rewriter, loc, sizes, accType, 0.0);
    SmallVector<utils::IteratorType> iterators(pos.rank(),
                                               utils::IteratorType::reduction);
    iterators[pos.channel()] = utils::IteratorType::parallel;
    AffineMap inMap = rewriter.getMultiDimIdentityMap(pos.rank());
    AffineMap outMap = AffineMap::get(
        pos.rank(), 0, rewriter.getAffineDimExpr(pos.channel()));
    Value sum =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{init.getType()},
            ValueRange{op.getGradOutput()}, ValueRange{init},
            ArrayRef<AffineMap>{inMap, outMap}, iterators, /*doc=*/"",
            /*libraryCall=*/"",
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value v = castFloat(b, l, args[0], accType);
              linalg::YieldOp::create(
                  b, l, arith::AddFOp::create(b, l, v, args[1]).getResult());
            })
            .getResult(0);
    rewriter.replaceOp(op, convertElementType(rewriter, loc, sum,
                                              dbType.getElementType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// conv_transpose
//===----------------------------------------------------------------------===//

struct DecomposeConvTranspose : OpRewritePattern<ConvTransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvTransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (std::optional<std::string> reason = unsupportedForDecomposition(op))
      return rewriter.notifyMatchFailure(op, *reason);
    replaceConvTransposeByDataGradient(rewriter, op);
    return success();
  }
};

struct ConvGradDecomposePass
    : public convgrad::impl::ConvGradDecomposeBase<ConvGradDecomposePass> {
  using Base::Base;

  void runOnOperation() override {
    // Report what the patterns cannot handle at the op, rather than leaving
    // it behind silently.
    bool failedAny = false;
    getOperation()->walk([&](Operation *op) {
      if (std::optional<std::string> reason = unsupportedForDecomposition(op)) {
        op->emitOpError() << "cannot be decomposed: " << *reason;
        failedAny = true;
      }
    });
    if (failedAny)
      return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    populateDecomposeConvBackwardPatterns(patterns, dgradStrategy);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::convgrad::populateDecomposeConvBackwardPatterns(
    RewritePatternSet &patterns, DgradStrategy dgradStrategy) {
  // Phase splitting applies to strided dgrads only; the zero-insertion form
  // (lower benefit) handles the rest.
  if (dgradStrategy == DgradStrategy::Phase)
    patterns.add<DecomposeConvBackwardDataByPhase>(patterns.getContext(),
                                                   /*benefit=*/2);
  patterns.add<DecomposeConvBackwardData, DecomposeConvBackwardFilter,
               DecomposeConvBackwardBias, DecomposeConvTranspose>(
      patterns.getContext());
}

/// conv_transpose is the data gradient of the convolution it transposes,
/// whose input is the transposed output, with the same filter. The rows
/// output_padding appends are only that convolution's input when they fit
/// in its high padding (output_padding <= hi); PyTorch also allows
/// output_padding >= stride (with a larger dilation), where no such
/// convolution exists. So the dgrad gets the high padding max(0, hi - opad)
/// (output size (S-1)*s + d*(K-1) + 1 - lo - max(0, hi - opad): every row up
/// to the last one an input reaches, minus the crop), and the
/// max(0, opad - hi) rows beyond the last reachable one are zeros appended
/// after it.
TransposedConvAsDataGradient
mlir::convgrad::getTransposedConvAsDataGradient(ConvTransposeOp op) {
  ConvParams p = op.getConvParams();
  ConvDimPositions pos = p.positions();
  SmallVector<int64_t> opad = op.getOutputPaddingOrDefault();
  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  TransposedConvAsDataGradient result{p, SmallVector<int64_t>(pos.rank(), 0),
                                      llvm::to_vector(outType.getShape())};
  for (unsigned i = 0; i < p.spatialRank; ++i) {
    unsigned d = pos.spatial(i);
    result.params.padHigh[i] = std::max<int64_t>(0, p.padHigh[i] - opad[i]);
    result.appendedHigh[d] = std::max<int64_t>(0, opad[i] - p.padHigh[i]);
    if (!outType.isDynamicDim(d))
      result.gradInputShape[d] -= result.appendedHigh[d];
  }
  return result;
}

/// The data gradient of getTransposedConvAsDataGradient, the appended zero
/// rows, then the bias.
void mlir::convgrad::replaceConvTransposeByDataGradient(RewriterBase &rewriter,
                                                        ConvTransposeOp op) {
  TransposedConvAsDataGradient dgradForm = getTransposedConvAsDataGradient(op);
  ConvDimPositions pos = dgradForm.params.positions();
  Location loc = op.getLoc();
  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  rewriter.setInsertionPoint(op);
  // f16/bf16 with a bias: the bias joins the f32 accumulation and the sum
  // is rounded once, as for convgrad.conv (computing the data gradient in
  // f32 from exactly widened operands; rounding it before the bias add
  // would round twice).
  Type elementType = outType.getElementType();
  bool widen = op.getBias() && getAccumulatorType(elementType) != elementType;
  Type computeType = widen ? getAccumulatorType(elementType) : elementType;
  Value input = convertElementType(rewriter, loc, op.getInput(), computeType);
  Value filter = convertElementType(rewriter, loc, op.getFilter(), computeType);
  auto dgrad = ConvBackwardDataOp::create(
      rewriter, loc,
      TypeRange{RankedTensorType::get(dgradForm.gradInputShape, computeType)},
      ValueRange{input, filter}, op->getAttrs());
  dgrad->removeAttr(op.getOutputPaddingAttrName());
  SmallVector<int64_t> padding(dgradForm.params.padLow);
  padding.append(dgradForm.params.padHigh);
  dgrad.setPaddingAttr(rewriter.getDenseI64ArrayAttr(padding));
  Value result =
      padOrCrop(rewriter, loc, dgrad.getGradInput(),
                SmallVector<int64_t>(pos.rank(), 0), dgradForm.appendedHigh);
  if (op.getBias())
    result = addChannelBias(rewriter, loc, result, op.getBias(), pos.channel());
  result = convertElementType(rewriter, loc, result, elementType);
  if (result.getType() != outType)
    result = tensor::CastOp::create(rewriter, loc, outType, result);
  rewriter.replaceOp(op, result);
}
