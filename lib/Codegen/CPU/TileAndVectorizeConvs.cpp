//===- TileAndVectorizeConvs.cpp - CPU code generation for convolutions ---===//
//
// Tiles the channels-last linalg convolutions into register-sized blocks and
// vectorizes them, on tensors:
//
//   1. conv_2d_nhwc_fhwc -> conv_2d_nhwc_hwcf (a transpose of the small
//      filter), so the channel reduction reads contiguous filter rows, each
//      padded to whole cache lines when F is not (67 channels: 80).
//   2. An scf.forall over (batch, block of output rows): the unit of
//      parallelism; the accumulator's linalg.fill is fused into it.
//   3. scf.for tiles of (1 output row, `width-tile` columns, `channel-tile`
//      output channels, 1 kernel row, `reduction-tile` input channels): the
//      accumulator block stays in vector registers while the reduction runs.
//      A filter wider than one block of output channels is packed by blocks
//      first, so that the filter slice of a block is contiguous.
//   4. The 2-D tiles with one kernel row become 1-D convolutions, which the
//      linalg vectorizer turns into broadcasts and vector FMAs. 3-D
//      convolutions are tiled by one output and kernel depth, and their tiles
//      become 2-D convolutions first; depthwise convolutions with a channel
//      multiplier become a loop of depthwise ones before tiling.
//
// The sizes are decisions of the tiling strategy (cpu::getConvTiling in
// TilingStrategy.h) for the module's CPU target; this pass applies them.
// Tile sizes divide their dimensions, so every tile is full: no remainder
// loop, no masking. Where dividing tiles would degenerate (a prime channel
// count), the strategy splits the convolution into a part of full tiles and
// a static remainder part (splitAtPoints), each tiled on its own. Ops this
// pass does not handle are left alone and lowered to loops later.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADTILEANDVECTORIZE
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

using cpu::ConvTiling;

SmallVector<int64_t> toVector(const std::vector<int64_t> &v) {
  return SmallVector<int64_t>(v.begin(), v.end());
}

bool hasUnitStrides(linalg::LinalgOp op) {
  auto conv = dyn_cast<linalg::ConvolutionOpInterface>(op.getOperation());
  auto strides = op->getAttrOfType<DenseIntElementsAttr>("strides");
  return conv && (!strides || llvm::all_of(strides.getValues<int64_t>(),
                                           [](int64_t s) { return s == 1; }));
}

struct TileAndVectorizeConvsPass
    : public convgrad::impl::ConvGradTileAndVectorizeBase<
          TileAndVectorizeConvsPass> {
  using Base::Base;

  /// The strategy's tiling of `op`, if the pass handles it.
  std::optional<ConvTiling> getTiling(linalg::LinalgOp op,
                                      const cpu::CPUTarget &target) {
    std::optional<cpu::ConvKind> kind;
    if (isa<linalg::Conv2DNhwcHwcfOp>(op))
      kind = cpu::ConvKind::Conv2DNhwcHwcf;
    else if (isa<linalg::DepthwiseConv2DNhwcHwcOp>(op))
      kind = cpu::ConvKind::DepthwiseConv2DNhwcHwc;
    else if (isa<linalg::Conv1DNwcWcfOp>(op))
      kind = cpu::ConvKind::Conv1DNwcWcf;
    else if (isa<linalg::DepthwiseConv1DNwcWcOp>(op))
      kind = cpu::ConvKind::DepthwiseConv1DNwcWc;
    else if (isa<linalg::Conv3DNdhwcDhwcfOp>(op))
      kind = cpu::ConvKind::Conv3DNdhwcDhwcf;
    else if (isa<linalg::DepthwiseConv3DNdhwcDhwcOp>(op))
      kind = cpu::ConvKind::DepthwiseConv3DNdhwcDhwc;
    else if (isa<linalg::Conv2DNchwFchwOp, linalg::Conv1DNcwFcwOp>(op) &&
             hasUnitStrides(op))
      // Channels-first: vectors along the output width, whose input rows
      // are contiguous only with stride 1.
      kind = isa<linalg::Conv2DNchwFchwOp>(op) ? cpu::ConvKind::Conv2DNchwFchw
                                               : cpu::ConvKind::Conv1DNcwFcw;
    if (!kind)
      return std::nullopt;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return std::nullopt;
    Type elementType = getElementTypeOrSelf(op.getDpsInits()[0].getType());
    int64_t bits =
        elementType.isIntOrFloat() ? elementType.getIntOrFloatBitWidth() : 32;
    return cpu::getConvTiling(*kind,
                              std::vector<int64_t>(ranges.begin(), ranges.end()),
                              bits, target);
  }

  /// Makes the cache-block tile `conv` read its filter slice [..., c, f]
  /// (f = `block` output channels at a multiple of `block`) from a copy of
  /// the filter packed as [F / block, ..., C, block], built once before
  /// `outermost`: the slice is then contiguous along c instead of F
  /// elements apart (see cpu::ConvTiling::filterBlock). Leaves the tile
  /// alone if its filter is not such a slice.
  void readPackedFilter(RewriterBase &rewriter, linalg::LinalgOp conv,
                        int64_t block, Operation *outermost) {
    OpOperand *filterOperand = conv.getDpsInputOperand(1);
    auto slice = filterOperand->get().getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice || !slice.hasUnitStride())
      return;
    // The task's slice of the filter is the whole filter (tasks split rows).
    Value filter = slice.getSource();
    while (auto whole = filter.getDefiningOp<tensor::ExtractSliceOp>()) {
      if (!whole.hasZeroOffset() || !whole.hasUnitStride() ||
          whole.getSourceType() != whole.getType())
        break;
      filter = whole.getSource();
    }
    auto filterType = cast<RankedTensorType>(filter.getType());
    int64_t rank = filterType.getRank();
    int64_t filters = filterType.getShape().back();
    if (!filterType.hasStaticShape() || filters % block != 0 ||
        slice.getStaticSizes().back() != block ||
        slice.getSourceType().getRank() != slice.getType().getRank() ||
        !filter.getParentRegion()->isAncestor(outermost->getParentRegion()))
      return;

    // The channel offset must be a multiple of `block`: a constant, or the
    // induction variable of the cache block loop that steps by `block`.
    OpFoldResult channelOffset = slice.getMixedOffsets().back();
    std::optional<int64_t> constantOffset = getConstantIntValue(channelOffset);
    auto loop =
        scf::getForInductionVarOwner(dyn_cast_if_present<Value>(channelOffset));
    std::optional<int64_t> lower, step;
    if (loop) {
      lower = getConstantIntValue(loop.getLowerBound());
      step = getConstantIntValue(loop.getStep());
    }
    bool aligned = constantOffset
                       ? *constantOffset % block == 0
                       : loop && lower && step && *lower % block == 0 &&
                             *step % block == 0;
    if (!aligned)
      return;

    // [..., C, F] -> [..., C, F / block, block] -> [F / block, ..., C, block].
    // A filter that is itself a chain of transposes (the HWCF view of a
    // data gradient's FHWC filter with its channel roles swapped) is packed
    // from the chain's first input in one copy. A reverse in the chain (the
    // kernel rotation) moves before the transposes and into that copy too,
    // which then reads the caller's taps backwards: a separate reverse was
    // a pass of its own over the filter, one short row of taps at a time
    // (row c, 256 x 256 x 3 x 3: 4% of the data gradient's samples, a
    // parallel region of its own).
    Location loc = slice.getLoc();
    rewriter.setInsertionPoint(outermost);
    Value source = filter;
    SmallVector<int64_t> sourcePerm =
        llvm::to_vector(llvm::seq<int64_t>(0, rank));
    // Which dims of the source the packing copy reads backwards.
    SmallVector<bool> sourceReversed(rank, false);
    // Filter dim d is source dim sourcePerm[d], which is dim perm[source-
    // Perm[d]] of the input of a transpose that defines the source.
    auto composeTranspose = [&](linalg::TransposeOp transpose) {
      ArrayRef<int64_t> perm = transpose.getPermutation();
      for (int64_t &d : sourcePerm)
        d = perm[d];
      SmallVector<bool> inputReversed(rank, false);
      for (auto [i, r] : llvm::enumerate(sourceReversed))
        inputReversed[perm[i]] = r;
      sourceReversed = inputReversed;
      source = transpose.getInput();
    };
    auto definedBefore = [&](Value v) {
      return v.getParentRegion()->isAncestor(outermost->getParentRegion());
    };
    while (true) {
      if (auto transpose = source.getDefiningOp<linalg::TransposeOp>();
          transpose && definedBefore(transpose.getInput())) {
        composeTranspose(transpose);
        continue;
      }
      auto reverse = source.getDefiningOp<linalg::GenericOp>();
      std::optional<SmallVector<bool>> reversed =
          reverse ? getReversedDims(reverse) : std::nullopt;
      auto transpose =
          reversed ? reverse.getDpsInputs()[0].getDefiningOp<linalg::TransposeOp>()
                   : linalg::TransposeOp();
      if (!transpose || !definedBefore(transpose.getInput()) ||
          llvm::is_contained(sourceReversed, true))
        break;
      // reverse(transpose(x, perm)) == transpose(reverse'(x), perm), where
      // reverse' reverses dim perm[i] of x for each reversed dim i.
      sourceReversed = *reversed;
      composeTranspose(transpose);
    }
    auto sourceType = cast<RankedTensorType>(source.getType());
    // The filter dim F of the source, split into [F / block, block]; the
    // source dims after it move up by one.
    int64_t splitDim = sourcePerm.back();
    // A reverse that is not folded (filters reversed, which a data
    // gradient's rotation never does, or too many taps) is a copy of its
    // own before the packing.
    int64_t reversedElements = 1;
    for (int64_t d = 0; d < rank; ++d)
      if (sourceReversed[d])
        reversedElements *= sourceType.getDimSize(d);
    if (llvm::is_contained(sourceReversed, true) &&
        (sourceReversed[splitDim] ||
         !cpu::foldsReverseIntoTranspose(reversedElements))) {
      source = createReverse(rewriter, loc, source, sourceReversed);
      sourceReversed.assign(rank, false);
    }
    auto expandedDim = [&](int64_t d) { return d > splitDim ? d + 1 : d; };
    SmallVector<int64_t> expandedShape;
    SmallVector<bool> expandedReversed;
    SmallVector<ReassociationIndices> reassociation;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t next = expandedShape.size();
      if (d == splitDim) {
        expandedShape.append({filters / block, block});
        expandedReversed.append({false, false});
        reassociation.push_back({next, next + 1});
      } else {
        expandedShape.push_back(sourceType.getDimSize(d));
        expandedReversed.push_back(sourceReversed[d]);
        reassociation.push_back({next});
      }
    }
    Value expanded = tensor::ExpandShapeOp::create(
        rewriter, loc, sourceType.clone(expandedShape), source, reassociation);
    SmallVector<int64_t> permutation = {splitDim};
    for (int64_t d = 0; d < rank - 1; ++d)
      permutation.push_back(expandedDim(sourcePerm[d]));
    permutation.push_back(splitDim + 1);
    SmallVector<int64_t> packedShape;
    SmallVector<bool> packedReversed;
    for (int64_t d : permutation) {
      packedShape.push_back(expandedShape[d]);
      packedReversed.push_back(expandedReversed[d]);
    }
    Value empty = tensor::EmptyOp::create(rewriter, loc, packedShape,
                                          filterType.getElementType());
    Value packed =
        llvm::is_contained(packedReversed, true)
            ? createReversedTransposeInto(rewriter, loc, expanded, empty,
                                          permutation, packedReversed)
                  ->getResult(0)
            : linalg::TransposeOp::create(rewriter, loc, expanded, empty,
                                          permutation)
                  ->getResult(0);

    // The tile's slice: block f / block, the same offsets and sizes in the
    // other dims, rank-reduced to the tile's filter type.
    rewriter.setInsertionPoint(slice);
    SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
    AffineExpr d0 = rewriter.getAffineDimExpr(0);
    OpFoldResult blockIndex = affine::makeComposedFoldedAffineApply(
        rewriter, loc, d0.floorDiv(block), {offsets.back()});
    offsets.back() = rewriter.getIndexAttr(0);
    offsets.insert(offsets.begin(), blockIndex);
    SmallVector<OpFoldResult> sizes = slice.getMixedSizes();
    sizes.insert(sizes.begin(), rewriter.getIndexAttr(1));
    SmallVector<OpFoldResult> strides(rank + 1, rewriter.getIndexAttr(1));
    Value packedSlice = tensor::ExtractSliceOp::create(
        rewriter, loc, slice.getType(), packed, offsets, sizes, strides);
    rewriter.modifyOpInPlace(conv, [&] { filterOperand->set(packedSlice); });
  }

  /// Replaces the channels-last convolution `op` (fewer output channels F
  /// than `lanes`) by vector code whose lanes run along its reduction
  /// channels C (cpu::chooseReductionLaneColumns): an scf.forall of
  /// (image, `rowsPerTask` output rows) tasks; per output row, blocks of
  /// `columns` columns (and one block of the remaining columns) keep F x
  /// columns accumulators of `lanes` partial sums, over the kernel taps and
  /// the C input channels `lanes` at a time, `unroll` vectors per step (the
  /// last vector masked: zeros beyond C), which one tree of lane sums
  /// (createLaneSums) turns into the block's outputs, stored as one
  /// [columns x F] block of the row. The filter [KH, KW, C, F] is
  /// transposed to [F, KH, KW, C] first (F small: a small copy), so that each
  /// accumulator's filter vector is contiguous, as the input's channels
  /// are. Returns failure, leaving `op` alone, if it is not such a
  /// convolution.
  LogicalResult emitReductionLanes(RewriterBase &rewriter,
                                   linalg::Conv2DNhwcHwcfOp op,
                                   int64_t rowsPerTask, int64_t columns,
                                   int64_t unroll, int64_t lanes) {
    Value input = op.getDpsInputs()[0];
    Value filter = op.getDpsInputs()[1];
    Value init = op.getDpsInits()[0];
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    auto filterType = dyn_cast<RankedTensorType>(filter.getType());
    auto initType = dyn_cast<RankedTensorType>(init.getType());
    if (!inputType || !filterType || !initType || !inputType.hasStaticShape() ||
        !filterType.hasStaticShape() || !initType.hasStaticShape() ||
        op->getNumResults() != 1)
      return failure();
    Type elementType = initType.getElementType();
    if (!isa<FloatType>(elementType) ||
        inputType.getElementType() != elementType ||
        filterType.getElementType() != elementType)
      return failure();
    ArrayRef<int64_t> outShape = initType.getShape();
    ArrayRef<int64_t> filterShape = filterType.getShape();
    int64_t batch = outShape[0], rows = outShape[1], width = outShape[2],
            filters = outShape[3];
    int64_t kh = filterShape[0], kw = filterShape[1], channels = filterShape[2];
    if (filters >= lanes || columns < 1 || rowsPerTask < 1 || unroll < 1 ||
        (channels / lanes) % unroll != 0 ||
        rows % rowsPerTask != 0 || inputType.getShape()[3] != channels)
      return failure();
    auto attrValues = [&](StringRef name) {
      SmallVector<int64_t> values = {1, 1};
      if (auto attr = op->getAttrOfType<DenseIntElementsAttr>(name))
        values = llvm::to_vector(attr.getValues<int64_t>());
      return values;
    };
    SmallVector<int64_t> strides = attrValues("strides");
    SmallVector<int64_t> dilations = attrValues("dilations");

    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    // [KH, KW, C, F] -> [F, KH, KW, C].
    Value filterEmpty = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<int64_t>{filters, kh, kw, channels},
        elementType);
    Value packed =
        linalg::TransposeOp::create(rewriter, loc, filter, filterEmpty,
                                    ArrayRef<int64_t>{3, 0, 1, 2})
            ->getResult(0);
    // An accumulator filled with a constant starts the sums from it; the
    // fill then has no pass of its own over the output.
    Value dest = init;
    Value fillValue;
    if (auto fill = init.getDefiningOp<linalg::FillOp>();
        fill && init.hasOneUse()) {
      dest = fill.getDpsInits()[0];
      fillValue = fill.getDpsInputs()[0];
    }

    auto index = [&](OpBuilder &b, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    auto vecType = VectorType::get({lanes}, elementType);
    Value padding = arith::ConstantOp::create(
        rewriter, loc, elementType, rewriter.getFloatAttr(elementType, 0.0));
    Value zeros = arith::ConstantOp::create(
        rewriter, loc, vecType,
        DenseElementsAttr::get(vecType,
                               rewriter.getFloatAttr(elementType, 0.0)));
    AffineExpr d0 = rewriter.getAffineDimExpr(0),
               d1 = rewriter.getAffineDimExpr(1);
    int64_t fullChannels = channels - channels % lanes;

    auto forall = scf::ForallOp::create(
        rewriter, loc,
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0),
                               rewriter.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(batch),
                               rewriter.getIndexAttr(rows)},
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1),
                               rewriter.getIndexAttr(rowsPerTask)},
        ValueRange{dest}, std::nullopt);
    OpBuilder b = OpBuilder::atBlockBegin(forall.getBody());
    Value n = forall.getInductionVar(0), row0 = forall.getInductionVar(1);
    Value shared = forall.getRegionIterArgs()[0];
    SmallVector<OpFoldResult> taskOffsets = {n, row0, b.getIndexAttr(0),
                                             b.getIndexAttr(0)};
    SmallVector<OpFoldResult> taskSizes = {
        b.getIndexAttr(1), b.getIndexAttr(rowsPerTask), b.getIndexAttr(width),
        b.getIndexAttr(filters)};
    SmallVector<OpFoldResult> unitStrides(4, b.getIndexAttr(1));
    Value task = tensor::ExtractSliceOp::create(b, loc, shared, taskOffsets,
                                                taskSizes, unitStrides);

    // One block of `block` columns at column `w0` of task row `r`.
    auto emitBlock = [&](OpBuilder &bb, Value taskRow, Value r, Value w0,
                         int64_t block) -> Value {
      Value outRow =
          affine::AffineApplyOp::create(bb, loc, d0 + d1, ValueRange{row0, r});
      SmallVector<Value> accs(filters * block, zeros);
      auto taps = [&](OpBuilder &tb, Value ki, Value kj, ValueRange in,
                      Value c0, bool masked) {
        SmallVector<Value> acc(in);
        Value ih = affine::AffineApplyOp::create(
            tb, loc, d0 * strides[0] + d1 * dilations[0],
            ValueRange{outRow, ki});
        SmallVector<Value> filterVectors;
        for (int64_t f = 0; f < filters; ++f)
          filterVectors.push_back(vector::TransferReadOp::create(
              tb, loc, vecType, packed, ValueRange{index(tb, f), ki, kj, c0},
              padding, ArrayRef<bool>{!masked}));
        for (int64_t col = 0; col < block; ++col) {
          Value iw = affine::AffineApplyOp::create(
              tb, loc, (d0 + col) * strides[1] + d1 * dilations[1],
              ValueRange{w0, kj});
          Value x = vector::TransferReadOp::create(
              tb, loc, vecType, input, ValueRange{n, ih, iw, c0}, padding,
              ArrayRef<bool>{!masked});
          for (int64_t f = 0; f < filters; ++f) {
            Value &a = acc[f * block + col];
            a = vector::FMAOp::create(tb, loc, x, filterVectors[f], a);
          }
        }
        return acc;
      };
      auto khLoop = scf::ForOp::create(
          bb, loc, index(bb, 0), index(bb, kh), index(bb, 1), accs,
          [&](OpBuilder &b1, Location, Value ki, ValueRange a1) {
            auto kwLoop = scf::ForOp::create(
                b1, loc, index(b1, 0), index(b1, kw), index(b1, 1), a1,
                [&](OpBuilder &b2, Location, Value kj, ValueRange a2) {
                  SmallVector<Value> a3(a2);
                  // `unroll` channel vectors per step from channel c0.
                  auto step = [&](OpBuilder &b3, Value c0, ValueRange a) {
                    SmallVector<Value> acc(a);
                    for (int64_t u = 0; u < unroll; ++u)
                      acc = taps(b3, ki, kj, acc,
                                 affine::AffineApplyOp::create(
                                     b3, loc, d0 + u * lanes, ValueRange{c0}),
                                 false);
                    return acc;
                  };
                  if (fullChannels == unroll * lanes) {
                    a3 = step(b2, index(b2, 0), a3);
                  } else if (fullChannels > 0) {
                    auto cLoop = scf::ForOp::create(
                        b2, loc, index(b2, 0), index(b2, fullChannels),
                        index(b2, lanes * unroll), a3,
                        [&](OpBuilder &b3, Location, Value c0, ValueRange a) {
                          scf::YieldOp::create(b3, loc, step(b3, c0, a));
                        });
                    a3.assign(cLoop.getResults().begin(),
                              cLoop.getResults().end());
                  }
                  if (fullChannels < channels)
                    a3 = taps(b2, ki, kj, a3, index(b2, fullChannels), true);
                  scf::YieldOp::create(b2, loc, a3);
                });
            scf::YieldOp::create(b1, loc, kwLoop.getResults());
          });
      // The block's outputs, [column][filter] as the row stores them.
      SmallVector<Value> byColumn;
      for (int64_t col = 0; col < block; ++col)
        for (int64_t f = 0; f < filters; ++f)
          byColumn.push_back(khLoop.getResult(f * block + col));
      auto blockType = VectorType::get({block, filters}, elementType);
      Value sums = vector::ShapeCastOp::create(
          bb, loc, blockType, createLaneSums(bb, loc, byColumn));
      SmallVector<Value> at = {index(bb, 0), r, w0, index(bb, 0)};
      Value base =
          fillValue
              ? vector::BroadcastOp::create(bb, loc, blockType, fillValue)
                    .getResult()
              : vector::TransferReadOp::create(bb, loc, blockType, taskRow, at,
                                               padding,
                                               ArrayRef<bool>{true, true})
                    .getResult();
      Value total = arith::AddFOp::create(bb, loc, base, sums);
      return vector::TransferWriteOp::create(bb, loc, total, taskRow, at,
                                             ArrayRef<bool>{true, true})
          ->getResult(0);
    };
    int64_t full = width - width % columns;
    auto rowLoop = scf::ForOp::create(
        b, loc, index(b, 0), index(b, rowsPerTask), index(b, 1),
        ValueRange{task},
        [&](OpBuilder &rb, Location, Value r, ValueRange rowArgs) {
          Value taskRow = rowArgs[0];
          if (full > 0) {
            auto colLoop = scf::ForOp::create(
                rb, loc, index(rb, 0), index(rb, full), index(rb, columns),
                ValueRange{taskRow},
                [&](OpBuilder &cb, Location, Value w0, ValueRange colArgs) {
                  scf::YieldOp::create(
                      cb, loc, emitBlock(cb, colArgs[0], r, w0, columns));
                });
            taskRow = colLoop.getResult(0);
          }
          if (full < width)
            taskRow = emitBlock(rb, taskRow, r, index(rb, full), width - full);
          scf::YieldOp::create(rb, loc, taskRow);
        });
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, loc, rowLoop.getResult(0), shared,
                                          taskOffsets, taskSizes, unitStrides);
    rewriter.replaceOp(op, forall.getResults());
    return success();
  }

  /// Tiles `op` (forall + for) and its fill; returns failure if tiling
  /// does not apply, leaving the op untouched.
  LogicalResult tileConv(RewriterBase &rewriter, linalg::LinalgOp op,
                         const ConvTiling &t) {
    rewriter.setInsertionPoint(op);
    scf::SCFTileAndFuseOptions fuseOptions;
    scf::SCFTilingOptions forallOptions;
    forallOptions.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp)
        .setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), toVector(t.parallel)));
    fuseOptions.setTilingOptions(forallOptions);
    // Fuse only the accumulator initialization: each task then writes its
    // own block once. Pads and transposes of the operands stay outside.
    fuseOptions.setFusionControlFn(
        [](tensor::ExtractSliceOp, OpResult producer, bool isDestination)
            -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          if (isDestination && isa<linalg::FillOp>(producer.getOwner()))
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          return std::nullopt;
        });
    FailureOr<scf::SCFTileAndFuseResult> outer =
        scf::tileConsumerAndFuseProducersUsingSCF(
            rewriter, cast<TilingInterface>(op.getOperation()), fuseOptions);
    if (failed(outer))
      return failure();
    for (OpResult res : op->getResults())
      if (Value repl = outer->replacements.lookup(res))
        rewriter.replaceAllUsesWith(res, repl);
    rewriter.eraseOp(op);

    Operation *tiledConv = outer->tiledAndFusedOps.front();
    linalg::FillOp fusedFill;
    for (Operation *fused : outer->tiledAndFusedOps)
      if (auto fill = dyn_cast<linalg::FillOp>(fused))
        fusedFill = fill;

    auto tileWithFor = [&](Operation *target, ArrayRef<int64_t> sizes,
                           ArrayRef<int64_t> order) {
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
      if (!order.empty())
        options.setInterchange(order);
      rewriter.setInsertionPoint(target);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(target), options);
      if (failed(tiled))
        return FailureOr<Operation *>(failure());
      rewriter.replaceOp(target, tiled->replacements);
      return FailureOr<Operation *>(tiled->tiledOps.front());
    };
    // Tiles `target` by `sizes` in `order` with the fill of its
    // destination fused into the loops of the parallel dims, and then its
    // reduction dims inside them (cache blocks of output channels: no
    // reduction dim). Register tiles so tiled start from zero: after
    // vectorization the zero block written before their reduction loops is
    // what the hoisted accumulator read returns (forwarded by LowerVectors),
    // so no zero block is stored.
    auto tileWithFill = [&](Operation *target, ArrayRef<int64_t> sizes,
                            ArrayRef<int64_t> order) -> FailureOr<Operation *> {
      SmallVector<utils::IteratorType> iterators =
          cast<linalg::LinalgOp>(target).getIteratorTypesArray();
      SmallVector<int64_t> parallelSizes(sizes), reductionSizes(sizes);
      for (auto [i, iterator] : llvm::enumerate(iterators))
        (iterator == utils::IteratorType::reduction ? parallelSizes
                                                    : reductionSizes)[i] = 0;
      scf::SCFTilingOptions options;
      options.setTileSizes(
          getAsIndexOpFoldResult(rewriter.getContext(), parallelSizes));
      if (!order.empty())
        options.setInterchange(order);
      scf::SCFTileAndFuseOptions fillOptions;
      fillOptions.setTilingOptions(options);
      Operation *fill = fusedFill;
      fillOptions.setFusionControlFn(
          [&](tensor::ExtractSliceOp, OpResult producer, bool isDestination)
              -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
            if (isDestination && producer.getOwner() == fill)
              return scf::SCFTileAndFuseOptions::ControlFnResult{};
            return std::nullopt;
          });
      rewriter.setInsertionPoint(target);
      FailureOr<scf::SCFTileAndFuseResult> tiled =
          scf::tileConsumerAndFuseProducersUsingSCF(
              rewriter, cast<TilingInterface>(target), fillOptions);
      if (failed(tiled))
        return failure();
      for (OpResult res : target->getResults())
        if (Value repl = tiled->replacements.lookup(res))
          rewriter.replaceAllUsesWith(res, repl);
      rewriter.eraseOp(target);
      fusedFill = nullptr;
      for (Operation *fused : tiled->tiledAndFusedOps)
        if (auto tiledFill = dyn_cast<linalg::FillOp>(fused))
          fusedFill = tiledFill;
      if (fill->use_empty())
        rewriter.eraseOp(fill);
      Operation *tiledOp = tiled->tiledAndFusedOps.front();
      if (llvm::all_of(reductionSizes, [](int64_t s) { return s == 0; }))
        return tiledOp;
      return tileWithFor(tiledOp, reductionSizes, order);
    };
    // Whether the fill may be tiled with `conv`: it initializes exactly
    // `conv`'s destination.
    auto fillsDestination = [&](Operation *conv) {
      return t.fillInRegisterTile && fusedFill &&
             cast<linalg::LinalgOp>(conv).getDpsInits()[0].getDefiningOp() ==
                 fusedFill.getOperation();
    };
    if (!t.cacheBlock.empty()) {
      FailureOr<Operation *> blocked =
          fillsDestination(tiledConv)
              ? tileWithFill(tiledConv, toVector(t.cacheBlock),
                             toVector(t.cacheOrder))
              : tileWithFor(tiledConv, toVector(t.cacheBlock),
                            toVector(t.cacheOrder));
      if (failed(blocked))
        return failure();
      tiledConv = *blocked;
      if (t.filterBlock > 0)
        readPackedFilter(rewriter, cast<linalg::LinalgOp>(tiledConv),
                         t.filterBlock, outer->loops.front());
    }
    if (fillsDestination(tiledConv))
      return success(succeeded(
          tileWithFill(tiledConv, toVector(t.inner), toVector(t.innerOrder))));
    if (failed(tileWithFor(tiledConv, toVector(t.inner), toVector(t.innerOrder))))
      return failure();
    if (fusedFill && failed(tileWithFor(fusedFill, toVector(t.fill), {})))
      return failure();
    return success();
  }

  /// After a split, `fill` initializes the whole result, of which each part
  /// reads its slice and into which the parts insert theirs. Each part gets
  /// a fill of its own slice instead, which tileConv fuses into its tasks
  /// (each zeroes its block, as an unsplit convolution's tasks do), and the
  /// inserts start from the fill's destination, which the parts cover: no
  /// separate pass over the whole result.
  void fillPartsSeparately(RewriterBase &rewriter, linalg::FillOp fill,
                           ArrayRef<Operation *> parts) {
    Value filled = fill.getResult(0);
    Value dest = fill.getDpsInits()[0];
    // Each part reads its slice of the inserts of the parts before it, whose
    // chain starts at the fill (splitAtPoints).
    auto startsAtFill = [&](Value v) {
      while (auto insert = v.getDefiningOp<tensor::InsertSliceOp>())
        v = insert.getDest();
      return v == filled;
    };
    for (Operation *part : parts) {
      OpOperand &init = cast<linalg::LinalgOp>(part).getDpsInitsMutable()[0];
      auto slice = init.get().getDefiningOp<tensor::ExtractSliceOp>();
      if (!slice || !startsAtFill(slice.getSource()))
        continue;
      rewriter.setInsertionPoint(slice);
      Value destSlice = tensor::ExtractSliceOp::create(
          rewriter, slice.getLoc(), slice.getType(), dest,
          slice.getMixedOffsets(), slice.getMixedSizes(),
          slice.getMixedStrides());
      Value partFill = linalg::FillOp::create(rewriter, fill.getLoc(),
                                              fill.getDpsInputs()[0], destSlice)
                           .getResult(0);
      rewriter.modifyOpInPlace(part, [&] { init.set(partFill); });
      if (slice->use_empty())
        rewriter.eraseOp(slice);
    }
    for (OpOperand &use : llvm::make_early_inc_range(filled.getUses())) {
      Operation *user = use.getOwner();
      if (auto slice = dyn_cast<tensor::ExtractSliceOp>(user)) {
        rewriter.setInsertionPoint(slice);
        Value destSlice = tensor::ExtractSliceOp::create(
            rewriter, slice.getLoc(), slice.getType(), dest,
            slice.getMixedOffsets(), slice.getMixedSizes(),
            slice.getMixedStrides());
        rewriter.replaceOp(slice,
                           linalg::FillOp::create(rewriter, fill.getLoc(),
                                                  fill.getDpsInputs()[0],
                                                  destSlice)
                               .getResult(0));
      } else if (auto insert = dyn_cast<tensor::InsertSliceOp>(user);
                 insert && use.get() == insert.getDest()) {
        rewriter.modifyOpInPlace(insert, [&] { use.set(dest); });
      }
    }
    if (filled.use_empty())
      rewriter.eraseOp(fill);
  }

  /// Gives `conv` a linalg.fill of its own when CSE merged its
  /// accumulator's fill with that of a sibling (the stride phases of a data
  /// gradient have identical zero-filled results). A shared fill cannot be
  /// fused into the tasks of either (each would zero the other's result) and
  /// bufferizes as one zeroed buffer that every sibling copies before and
  /// after its task loop. The own fill writes into a new tensor of its own:
  /// a bufferization.alloc_tensor when the result is inserted with a
  /// non-unit innermost stride (a channels-first stride phase, which
  /// accumulates in a contiguous buffer; see allocateStridedPhase), else a
  /// tensor.empty.
  void giveOwnFill(RewriterBase &rewriter, linalg::LinalgOp conv) {
    if (conv->getNumResults() != 1)
      return;
    OpOperand &init = conv.getDpsInitsMutable()[0];
    auto fill = init.get().getDefiningOp<linalg::FillOp>();
    if (!fill || fill->hasOneUse())
      return;
    auto empty = fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>();
    if (!empty)
      return;
    bool stridedInsert =
        conv->getResult(0).hasOneUse() &&
        llvm::any_of(conv->getResult(0).getUsers(), [](Operation *user) {
          auto insert = dyn_cast<tensor::InsertSliceOp>(user);
          return insert && insert.getStaticStrides().back() != 1;
        });
    rewriter.setInsertionPoint(conv);
    Value dest =
        stridedInsert
            ? bufferization::AllocTensorOp::create(rewriter, empty.getLoc(),
                                                   empty.getType(),
                                                   empty.getDynamicSizes())
                  .getResult()
            : tensor::EmptyOp::create(rewriter, empty.getLoc(), empty.getType(),
                                      empty.getDynamicSizes())
                  .getResult();
    Value ownFill = linalg::FillOp::create(rewriter, fill.getLoc(),
                                           fill.getDpsInputs()[0], dest)
                        .getResult(0);
    rewriter.modifyOpInPlace(conv, [&] { init.set(ownFill); });
  }

  /// Replaces the tensor.empty that the scf.forall of a channels-first
  /// convolution tile writes into by a bufferization.alloc_tensor (which
  /// empty-tensor elimination leaves alone) when its result is inserted with
  /// a non-unit innermost stride.
  void allocateStridedPhase(tensor::InsertSliceOp insert) {
    if (insert.getStaticStrides().back() == 1)
      return;
    auto forall = insert.getSource().getDefiningOp<scf::ForallOp>();
    if (!forall || forall.getNumResults() != 1 ||
        !llvm::any_of(forall.getBody()->getOperations(), [](Operation &op) {
          return isa<scf::ForOp>(op) &&
                 op.walk([](Operation *nested) {
                     return isa<linalg::Conv1DNcwFcwOp>(nested)
                                ? WalkResult::interrupt()
                                : WalkResult::advance();
                   }).wasInterrupted();
        }))
      return;
    auto empty = forall.getOutputs()[0].getDefiningOp<tensor::EmptyOp>();
    if (!empty)
      return;
    // Only this use: CSE may have merged the empty tensors of all phases.
    OpBuilder b(forall);
    Value alloc = bufferization::AllocTensorOp::create(
        b, empty.getLoc(), empty.getType(), empty.getDynamicSizes());
    forall.getOutputsMutable()[0].assign(alloc);
  }

  /// Makes the [KH, KW, C, F] filter that transposeConv2D built for `conv`
  /// the first F channels of rows padded to whole cache lines
  /// (cpu::getPaddedLanePitch): the register blocks load each row's output
  /// channels as vectors, and with F = 67 f32 (rows 268 bytes apart) every
  /// 64-byte vector of the 64-channel part split two cache lines. The
  /// padding is never read. The 3x3 stride-2 67 -> 131 data gradient, 1
  /// thread, AVX-512: 9.3-9.7 -> 8.1-8.3 ms channels-first, 8.1-8.3 ->
  /// 7.0-7.1 ms channels-last (exact results); AVX2 (32-byte vectors, half
  /// of them split) and the stride-1 67 -> 67 layer did not change.
  void padFilterRows(RewriterBase &rewriter, linalg::LinalgOp conv) {
    auto transpose =
        conv.getDpsInputs()[1].getDefiningOp<linalg::TransposeOp>();
    if (!transpose || !transpose.getInit().getDefiningOp<tensor::EmptyOp>())
      return;
    auto type = cast<RankedTensorType>(transpose.getInit().getType());
    if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
      return;
    int64_t filters = type.getShape().back();
    int64_t pitch = cpu::getPaddedLanePitch(
        filters, std::max<int64_t>(1, type.getElementTypeBitWidth() / 8));
    if (pitch == filters)
      return;
    // An alloc_tensor, not a tensor.empty: canonicalization folds a slice
    // of an empty tensor into an empty tensor of the slice's shape.
    Location loc = transpose.getLoc();
    rewriter.setInsertionPoint(transpose);
    SmallVector<int64_t> paddedShape(type.getShape());
    paddedShape.back() = pitch;
    Value padded = bufferization::AllocTensorOp::create(
        rewriter, loc, type.clone(paddedShape), ValueRange{});
    Value rows = sliceAlongDim(rewriter, loc, padded, type.getRank() - 1,
                               rewriter.getIndexAttr(0), filters);
    rewriter.modifyOpInPlace(
        transpose, [&] { transpose.getInitMutable().assign(rows); });
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);
    FailureOr<cpu::CPUTarget> target = getCPUTarget(func);
    if (failed(target))
      return signalPassFailure();

    // 1. Filters [F, KH, KW, C] -> [KH, KW, C, F] with rows of whole cache
    //    lines, for the convolutions tiled below (static shapes; upstream's
    //    rewrite mishandles a dynamic batch).
    SmallVector<linalg::Conv2DNhwcFhwcOp> fhwc;
    func.walk([&](linalg::Conv2DNhwcFhwcOp op) {
      if (!llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
        fhwc.push_back(op);
    });
    for (linalg::Conv2DNhwcFhwcOp op : fhwc) {
      rewriter.setInsertionPoint(op);
      FailureOr<Operation *> hwcf = linalg::transposeConv2D(rewriter, op);
      if (succeeded(hwcf))
        padFilterRows(rewriter, cast<linalg::LinalgOp>(*hwcf));
    }

    //    Depthwise convolutions with a channel multiplier: a loop over the
    //    multiplier of depthwise convolutions along contiguous channels.
    {
      RewritePatternSet patterns(ctx);
      populateDepthwiseMultiplierAsLoopPatterns(patterns);
      (void)applyPatternsGreedily(func, std::move(patterns));
    }

    // 2-3. Tile every convolution the vectorizer can handle.
    //    A convolution the strategy splits (remainderSplit: 67 channels =
    //    64 + 3) becomes its static parts first, each tiled by its own
    //    decision, which may split it again (remainder columns of a part):
    //    parts are strictly smaller than what they were split from.
    SmallVector<std::pair<linalg::LinalgOp, ConvTiling>, 4> convs;
    func.walk([&](linalg::LinalgOp op) {
      if (std::optional<ConvTiling> t = getTiling(op, *target))
        convs.emplace_back(op, *t);
    });
    for (auto &[op, tiling] : convs)
      giveOwnFill(rewriter, op);
    while (!convs.empty()) {
      auto [op, tiling] = convs.pop_back_val();
      if (tiling.reductionLaneColumns > 0) {
        auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(op.getOperation());
        Type elementType = getElementTypeOrSelf(op.getDpsInits()[0].getType());
        if (conv && elementType.isIntOrFloat() &&
            succeeded(emitReductionLanes(
                rewriter, conv, tiling.parallel[1], tiling.reductionLaneColumns,
                tiling.reductionLaneUnroll,
                target->lanes(elementType.getIntOrFloatBitWidth()))))
          continue;
      }
      if (tiling.split.empty()) {
        (void)tileConv(rewriter, op, tiling);
        continue;
      }
      linalg::FillOp fill;
      if (op->getNumResults() == 1 && op.getDpsInits()[0].hasOneUse())
        fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
      FailureOr<SmallVector<Operation *>> parts =
          splitAtPoints(rewriter, op, toVector(tiling.split));
      if (failed(parts))
        continue;
      if (fill)
        fillPartsSeparately(rewriter, fill, *parts);
      for (Operation *part : *parts) {
        auto partOp = cast<linalg::LinalgOp>(part);
        if (std::optional<ConvTiling> partTiling = getTiling(partOp, *target))
          convs.emplace_back(partOp, *partTiling);
      }
    }

    // 4. One kernel row (and depth) per tile: 3-D -> 2-D -> 1-D
    //    convolutions.
    {
      RewritePatternSet patterns(ctx);
      populateDownscaleUnitDepthConv3DPatterns(patterns);
      linalg::populateDecomposeConvolutionPatterns(patterns);
      (void)applyPatternsGreedily(func, std::move(patterns));
    }

    //    A channels-first tiled convolution that a strided insert_slice (a
    //    stride phase of a data gradient) consumes accumulates in a buffer of
    //    its own: bufferized in place, its output rows would be every other
    //    element of the result's rows, which no vector load or store reads.
    func.walk([&](tensor::InsertSliceOp op) { allocateStridedPhase(op); });

    // 5. Vectorize the 1-D convolutions and fills inside the tile loops. A
    //    cap on the vector size keeps untiled ops (outside any loop) scalar
    //    rather than turning them into huge vectors.
    SmallVector<linalg::LinalgOp> toVectorize;
    func.walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::Conv1DNwcWcfOp, linalg::DepthwiseConv1DNwcWcOp,
               linalg::FillOp>(op))
        return;
      if (!op->getParentOfType<scf::ForOp>())
        return;
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (llvm::any_of(ranges, ShapedType::isDynamic))
        return;
      int64_t elements = 1;
      for (int64_t r : ranges)
        elements *= r;
      // A tiled convolution's vectors are one register block (the kernel
      // width is unrolled, not vectorized); only fills become one vector.
      if (!isa<linalg::FillOp>(op) || elements <= maxVectorElements)
        toVectorize.push_back(op);
    });
    vectorizeAndFoldTransfers(rewriter, func, toVectorize);

    // Channels-first tiles: vectors along the output width (the upstream
    // vectorizer would put the few output channels along the lanes).
    {
      RewritePatternSet patterns(ctx);
      populateVectorizeConvAlongWidthPatterns(patterns, target->vectorBits);
      SmallVector<Operation *> tiles;
      func.walk([&](linalg::Conv1DNcwFcwOp op) {
        if (op->getParentOfType<scf::ForOp>())
          tiles.push_back(op);
      });
      GreedyRewriteConfig config;
      config.setStrictness(GreedyRewriteStrictness::ExistingOps);
      (void)applyOpPatternsGreedily(tiles, std::move(patterns), config);
      foldSlicesIntoTransfers(func);
    }
  }
};

} // namespace
