//===- PadInPlace.cpp - Producers of padded tensors write the interior ----===//
//
// One-shot bufferization materializes `tensor.pad` as a new buffer, a fill
// and a copy of the source into its interior. When the source is itself a
// fresh result (the channels-last transpose of a channels-first activation,
// written into a tensor.empty), that copy moves every element a second time
// (6.4 MB per call on the 3x3 rows of the benchmark). This pass rewrites such
// a pad into fills of the padded tensor's border, created before the
// source's producer, and an insert_slice of the source into the interior;
// empty-tensor elimination (the first step of the CPU pipeline's
// bufferization) then lets the producer write straight into the interior,
// and the copy disappears, as does the zeroing of the interior that a fill
// of the whole padded tensor would add (another 6.9 MB pass on row a).
// Likewise a pad of strided inserts into a fill (conv_transpose's
// output_padding after a phase-split data gradient) becomes the inserts into
// the padded fill. A pad of any other source (a function argument: the
// output gradient of a channels-last data gradient) is still copied, but
// into a tensor whose border alone is filled: the fill of the whole padded
// tensor would write its interior twice (1.6 MB more per call on the
// c_3x3_c256_14 row). That copy is 5-7% of the kernel's CPU samples on
// the 56 x 56 x 64 rows a and i (AVX2, 1 thread). Tried: the pad fused
// into the convolution's tasks (the slice of the pad moved before it,
// tensor::bubbleUpPadSlice, then tiled with the forall), each task padding
// its rows and halo into its own buffer. Exact; as is, no faster (2-5% more
// samples on row a): the copy of a task's run-time count of rows (fewer at
// the image's edges) stays a scalar linalg.copy. With that copy as a loop
// over the rows of static row copies (vectorized), row a took 2.5-4% fewer
// kernel samples on AVX2 and 4% on AVX-512 than the whole copy, row c the
// same; not kept yet (no FileCheck test, the full suite not run). A fill
// of the task buffer's border alone would save more.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCPUPADINPLACE
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;

namespace {

/// `dest` with the slab at `offsets` of `sizes` filled with `value`, where
/// the first `outerRank` dimensions of the slab are looped over one position
/// at a time (an scf.for over their linearized positions) when they hold
/// more than one: see fillBorder.
Value fillSlab(OpBuilder &b, Location loc, Value value, Value dest,
               ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
               int64_t outerRank) {
  int64_t rank = offsets.size();
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  auto fillAt = [&](OpBuilder &fb, Value into, ArrayRef<OpFoldResult> at,
                    ArrayRef<int64_t> extent) -> Value {
    SmallVector<OpFoldResult> extentAttrs;
    for (int64_t size : extent)
      extentAttrs.push_back(fb.getIndexAttr(size));
    Value slab = tensor::ExtractSliceOp::create(fb, loc, into, at,
                                                extentAttrs, strides);
    Value filled = linalg::FillOp::create(fb, loc, value, slab).getResult(0);
    return tensor::InsertSliceOp::create(fb, loc, filled, into, at,
                                         extentAttrs, strides);
  };
  SmallVector<int64_t> outerSizes(sizes.take_front(outerRank));
  int64_t outerCount = 1;
  for (int64_t size : outerSizes)
    outerCount *= size;
  if (outerCount <= 1) {
    SmallVector<OpFoldResult> at;
    for (int64_t offset : offsets)
      at.push_back(b.getIndexAttr(offset));
    return fillAt(b, dest, at, sizes);
  }
  SmallVector<int64_t> innerSizes(sizes);
  for (int64_t e = 0; e < outerRank; ++e)
    innerSizes[e] = 1;
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value count = arith::ConstantIndexOp::create(b, loc, outerCount);
  auto loop = scf::ForOp::create(
      b, loc, zero, count, one, ValueRange{dest},
      [&](OpBuilder &lb, Location ll, Value position, ValueRange iterArgs) {
        // The position along each outer dimension, innermost first; the
        // outermost of more than one position is what remains.
        int64_t outermost = 0;
        while (sizes[outermost] == 1)
          ++outermost;
        SmallVector<OpFoldResult> at(rank);
        Value rest = position;
        for (int64_t e = rank - 1; e >= 0; --e) {
          if (e >= outerRank || sizes[e] == 1) {
            at[e] = lb.getIndexAttr(offsets[e]);
            continue;
          }
          Value index = rest;
          if (e > outermost) {
            Value size = arith::ConstantIndexOp::create(lb, ll, sizes[e]);
            index = arith::RemUIOp::create(lb, ll, rest, size);
            rest = arith::DivUIOp::create(lb, ll, rest, size);
          }
          Value base = arith::ConstantIndexOp::create(lb, ll, offsets[e]);
          at[e] = arith::AddIOp::create(lb, ll, base, index).getResult();
        }
        scf::YieldOp::create(lb, ll, fillAt(lb, iterArgs.front(), at,
                                            innerSizes));
      });
  return loop.getResult(0);
}

/// A tensor of `type` whose border around the interior of `interiorShape`
/// at `low` is filled with `value`, and whose interior is undefined (the
/// producer of the padded tensor writes it): one fill per padded side,
/// [0, low) and [low + interior, size) along each dimension d, over the
/// interior of the dimensions before d and all of those after it, so that
/// the sides are disjoint. A fill of the whole tensor would write the
/// interior once more, a pass over the whole activation before its
/// producer writes it again. A side along an inner dimension is one small
/// slab per interior position of the dimensions before it (the left
/// columns of every image row): filled as one op it would lower to a nest
/// of constant-trip loops that LLVM unrolls completely, hundreds of slab
/// fills in one basic block whose instruction scheduling takes seconds,
/// so those positions are one loop.
Value fillBorder(OpBuilder &b, Location loc, Value value,
                 RankedTensorType type, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> interiorShape) {
  Value result = tensor::EmptyOp::create(b, loc, type.getShape(),
                                         type.getElementType());
  int64_t rank = type.getRank();
  for (int64_t d = 0; d < rank; ++d) {
    int64_t high = type.getDimSize(d) - low[d] - interiorShape[d];
    std::pair<int64_t, int64_t> sides[] = {{0, low[d]},
                                           {low[d] + interiorShape[d], high}};
    for (auto [sideOffset, sideSize] : sides) {
      if (sideSize == 0)
        continue;
      SmallVector<int64_t> offsets, sizes;
      for (int64_t e = 0; e < rank; ++e) {
        offsets.push_back(e < d ? low[e] : e == d ? sideOffset : 0);
        sizes.push_back(e < d    ? interiorShape[e]
                        : e == d ? sideSize
                                 : type.getDimSize(e));
      }
      result = fillSlab(b, loc, value, result, offsets, sizes, d);
    }
  }
  return result;
}

/// The bytes of the shortest contiguous run of a padded side of `type`
/// around the interior of `interiorShape` at `low`: along dimension d, a
/// side of s elements is runs of s times the sizes of the dimensions after
/// d. 0 if nothing is padded.
int64_t narrowestSideRunBytes(RankedTensorType type, ArrayRef<int64_t> low,
                              ArrayRef<int64_t> interiorShape) {
  int64_t elementBytes = llvm::divideCeil(
      type.getElementType().getIntOrFloatBitWidth(), 8);
  int64_t narrowest = 0;
  int64_t innerElements = 1;
  for (int64_t d = type.getRank() - 1; d >= 0; --d) {
    int64_t high = type.getDimSize(d) - low[d] - interiorShape[d];
    for (int64_t side : {low[d], high})
      if (side > 0) {
        int64_t bytes = side * innerElements * elementBytes;
        narrowest = narrowest == 0 ? bytes : std::min(narrowest, bytes);
      }
    innerElements *= type.getDimSize(d);
  }
  return narrowest;
}

/// pad(op(..., outs(empty))) -> insert_slice(op(...), border), with the fill
/// of the padded tensor's border before `op`, so that empty-tensor
/// elimination can make `op` write into the interior of the padded buffer.
/// The pad of another source becomes insert_slice(source, border) when the
/// border alone is filled (cpu::fillsPaddedBorderOnly): the copy stays, the
/// zeroing of the interior goes.
struct PadIntoFilledDestination : OpRewritePattern<tensor::PadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::PadOp pad,
                                PatternRewriter &rewriter) const override {
    Value padValue = pad.getConstantPaddingValue();
    if (!padValue || !pad.getResultType().hasStaticShape() ||
        !pad.getLow().empty() || !pad.getHigh().empty())
      return rewriter.notifyMatchFailure(pad, "not a static constant pad");
    // The fill goes before the producer: a constant padding value is
    // re-created there.
    TypedAttr padAttr;
    if (!matchPattern(padValue, m_Constant(&padAttr)))
      return rewriter.notifyMatchFailure(pad, "padding value not a constant");
    RankedTensorType type = pad.getResultType();
    auto sourceType = cast<RankedTensorType>(pad.getSource().getType());
    bool borderOnly = convgrad::cpu::fillsPaddedBorderOnly(
        narrowestSideRunBytes(type, pad.getStaticLow(), sourceType.getShape()));
    auto producer = pad.getSource().getDefiningOp<DestinationStyleOpInterface>();
    bool freshSource =
        producer && producer->getNumResults() == 1 &&
        pad.getSource().hasOneUse() &&
        producer.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>();
    if (!freshSource && !borderOnly)
      return rewriter.notifyMatchFailure(
          pad, "the source is not a fresh result used only here, and the "
               "whole padded tensor is filled either way");

    Location loc = pad.getLoc();
    if (freshSource)
      rewriter.setInsertionPoint(producer);
    else
      rewriter.setInsertionPoint(pad);
    Value value = arith::ConstantOp::create(rewriter, loc, padAttr);
    Value filled;
    if (borderOnly) {
      filled = fillBorder(rewriter, loc, value, type, pad.getStaticLow(),
                          sourceType.getShape());
    } else {
      Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                            type.getElementType());
      filled = linalg::FillOp::create(rewriter, loc, value, empty).getResult(0);
    }
    rewriter.setInsertionPoint(pad);
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (int64_t i = 0; i < type.getRank(); ++i) {
      offsets.push_back(rewriter.getIndexAttr(pad.getStaticLow()[i]));
      sizes.push_back(rewriter.getIndexAttr(sourceType.getDimSize(i)));
      strides.push_back(rewriter.getIndexAttr(1));
    }
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        pad, pad.getSource(), filled, offsets, sizes, strides);
    return success();
  }
};

/// The static constant padding of `pad`, or null.
TypedAttr getStaticConstantPadding(tensor::PadOp pad) {
  Value padValue = pad.getConstantPaddingValue();
  TypedAttr padAttr;
  if (!padValue || !pad.getResultType().hasStaticShape() ||
      !pad.getLow().empty() || !pad.getHigh().empty() ||
      !matchPattern(padValue, m_Constant(&padAttr)))
    return nullptr;
  return padAttr;
}

/// pad(insert_slice(s_n, ... insert_slice(s_1, fill(v)))) by v ->
/// insert_slice(s_n, ... insert_slice(s_1, fill'(v))), the fill of the padded
/// shape and every offset moved by the low padding. A data gradient whose
/// stride phases are inserted into a zero fill and then padded
/// (conv_transpose's output_padding rows, beyond the last one an input
/// reaches) then writes its phases into the final buffer, instead of a
/// temporary that the pad fills and copies once more. The whole chain in one
/// rewrite: a data gradient of rank 3 has dozens of phases.
struct PadOfInsertsIntoFill : OpRewritePattern<tensor::PadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::PadOp pad,
                                PatternRewriter &rewriter) const override {
    TypedAttr padAttr = getStaticConstantPadding(pad);
    if (!padAttr)
      return rewriter.notifyMatchFailure(pad, "not a static constant pad");
    // The inserts, outermost first, each used only by the next one.
    SmallVector<tensor::InsertSliceOp> inserts;
    Value root = pad.getSource();
    while (auto insert = root.getDefiningOp<tensor::InsertSliceOp>()) {
      if (!insert->hasOneUse() ||
          insert.getSourceType().getRank() != insert.getDestType().getRank() ||
          ShapedType::isDynamicShape(insert.getStaticOffsets()))
        return rewriter.notifyMatchFailure(
            pad, "an insert used elsewhere or at dynamic offsets");
      inserts.push_back(insert);
      root = insert.getDest();
    }
    auto fill = root.getDefiningOp<linalg::FillOp>();
    TypedAttr fillAttr;
    if (!fill || !fill.hasPureTensorSemantics() || !root.hasOneUse() ||
        !matchPattern(fill.getInputs()[0], m_Constant(&fillAttr)) ||
        fillAttr != padAttr)
      return rewriter.notifyMatchFailure(
          pad, "not inserts into a fill by the padding value");

    Location loc = pad.getLoc();
    RankedTensorType type = pad.getResultType();
    rewriter.setInsertionPoint(fill);
    Value result =
        linalg::FillOp::create(
            rewriter, loc, fill.getInputs()[0],
            ValueRange{tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                               type.getElementType())})
            .getResult(0);
    for (tensor::InsertSliceOp insert : llvm::reverse(inserts)) {
      rewriter.setInsertionPoint(insert);
      SmallVector<OpFoldResult> offsets;
      for (auto [offset, low] :
           llvm::zip_equal(insert.getStaticOffsets(), pad.getStaticLow()))
        offsets.push_back(rewriter.getIndexAttr(offset + low));
      result = tensor::InsertSliceOp::create(
          rewriter, loc, insert.getSource(), result, offsets,
          insert.getMixedSizes(), insert.getMixedStrides());
    }
    rewriter.replaceOp(pad, result);
    return success();
  }
};

/// pad(transpose) -> extract_slice(pad'(transpose)), pad' with more low and
/// high padding along the innermost dimension (cpu::alignPaddedRows), so
/// that the interior rows of the padded buffer start on a vector boundary
/// and the transpose that writes them (a square's rows into as many rows of
/// the buffer, each a partial line) stores aligned vectors; the slice is the
/// original padded tensor (after bufferization a subview, no copy). A
/// channels-first argument's plain copy into its padded buffer gains
/// nothing measurable that way (the stem's NCHW dy: 18.4% of the kernel
/// either way, bandwidth-bound), so copies keep their layout.
void alignPaddedRows(RewriterBase &rewriter, Operation *root,
                     const convgrad::cpu::CPUTarget &target) {
  SmallVector<tensor::PadOp> pads;
  root->walk([&](tensor::PadOp pad) { pads.push_back(pad); });
  for (tensor::PadOp pad : pads) {
    TypedAttr padAttr = getStaticConstantPadding(pad);
    if (!padAttr || !pad.getSource().getDefiningOp<linalg::TransposeOp>())
      continue;
    RankedTensorType type = pad.getResultType();
    Type elementType = type.getElementType();
    if (type.getRank() < 2 || !elementType.isIntOrFloat())
      continue;
    int64_t inner = type.getRank() - 1;
    int64_t elementBits = elementType.getIntOrFloatBitWidth();
    SmallVector<int64_t> low(pad.getStaticLow()), high(pad.getStaticHigh());
    int64_t interior = type.getDimSize(inner) - low[inner] - high[inner];
    int64_t bytes = type.getNumElements() * llvm::divideCeil(elementBits, 8);
    std::optional<convgrad::cpu::PaddedRowLayout> layout =
        convgrad::cpu::alignPaddedRows(low[inner], interior, high[inner],
                                       elementBits, bytes, target);
    if (!layout)
      continue;
    int64_t shift = layout->low - low[inner];
    low[inner] = layout->low;
    high[inner] = layout->size - layout->low - interior;
    SmallVector<int64_t> shape(type.getShape());
    shape[inner] = layout->size;
    rewriter.setInsertionPoint(pad);
    SmallVector<OpFoldResult> lowSizes, highSizes;
    for (auto [l, h] : llvm::zip_equal(low, high)) {
      lowSizes.push_back(rewriter.getIndexAttr(l));
      highSizes.push_back(rewriter.getIndexAttr(h));
    }
    Value value = arith::ConstantOp::create(rewriter, pad.getLoc(), padAttr);
    auto wide = tensor::PadOp::create(
        rewriter, pad.getLoc(), RankedTensorType::get(shape, elementType),
        pad.getSource(), lowSizes, highSizes, value, pad.getNofold());
    SmallVector<OpFoldResult> offsets(type.getRank(),
                                      rewriter.getIndexAttr(0));
    offsets[inner] = rewriter.getIndexAttr(shift);
    SmallVector<OpFoldResult> sizes, strides(type.getRank(),
                                             rewriter.getIndexAttr(1));
    for (int64_t size : type.getShape())
      sizes.push_back(rewriter.getIndexAttr(size));
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(pad, wide, offsets,
                                                        sizes, strides);
  }
}

struct ConvGradCPUPadInPlacePass
    : public convgrad::impl::ConvGradCPUPadInPlaceBase<
          ConvGradCPUPadInPlacePass> {
  void runOnOperation() override {
    // Only for IR with a CPU target (the pass alone on IR without one
    // keeps the padded layouts).
    if (convgrad::hasCPUTarget(getOperation())) {
      FailureOr<convgrad::cpu::CPUTarget> target =
          convgrad::getCPUTarget(getOperation());
      if (failed(target))
        return signalPassFailure();
      IRRewriter rewriter(&getContext());
      alignPaddedRows(rewriter, getOperation(), *target);
    }
    RewritePatternSet patterns(&getContext());
    convgrad::populatePadInPlacePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::convgrad::populatePadInPlacePatterns(RewritePatternSet &patterns) {
  // Inserts into a fill are tried first: for them PadIntoFilledDestination
  // would keep a copy of the inserted tensor.
  patterns.add<PadIntoFilledDestination>(patterns.getContext());
  patterns.add<PadOfInsertsIntoFill>(patterns.getContext(), /*benefit=*/2);
}
