//===- PadInPlace.cpp - Producers of padded tensors write the interior ----===//
//
// One-shot bufferization materializes `tensor.pad` as a new buffer, a fill
// and a copy of the source into its interior. When the source is itself a
// fresh result (the channels-last transpose of a channels-first activation,
// written into a tensor.empty), that copy moves every element a second time
// (6.4 MB per call on the 3x3 rows of the benchmark). This pass rewrites such
// a pad into a fill of the padded tensor, created before the source's
// producer, and an insert_slice of the source into it; empty-tensor
// elimination (the first step of the CPU pipeline's bufferization) then lets
// the producer write straight into the interior, and the copy disappears.
// Likewise a pad of strided inserts into a fill (conv_transpose's
// output_padding after a phase-split data gradient) becomes the inserts into
// the padded fill.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
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

/// pad(op(..., outs(empty))) -> insert_slice(op(...), fill(empty')), with the
/// fill before `op`, so that empty-tensor elimination can make `op` write
/// into the interior of the padded buffer.
struct PadIntoFilledDestination : OpRewritePattern<tensor::PadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::PadOp pad,
                                PatternRewriter &rewriter) const override {
    Value padValue = pad.getConstantPaddingValue();
    if (!padValue || !pad.getResultType().hasStaticShape() ||
        !pad.getLow().empty() || !pad.getHigh().empty())
      return rewriter.notifyMatchFailure(pad, "not a static constant pad");
    auto producer = pad.getSource().getDefiningOp<DestinationStyleOpInterface>();
    if (!producer || producer->getNumResults() != 1 ||
        !pad.getSource().hasOneUse() ||
        !producer.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>())
      return rewriter.notifyMatchFailure(
          pad, "the source is not a fresh result used only here");
    // The fill goes before the producer: a constant padding value is
    // re-created there.
    TypedAttr padAttr;
    if (!matchPattern(padValue, m_Constant(&padAttr)))
      return rewriter.notifyMatchFailure(pad, "padding value not a constant");

    Location loc = pad.getLoc();
    rewriter.setInsertionPoint(producer);
    RankedTensorType type = pad.getResultType();
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    Value value = arith::ConstantOp::create(rewriter, loc, padAttr);
    Value filled =
        linalg::FillOp::create(rewriter, loc, value, empty).getResult(0);
    rewriter.setInsertionPoint(pad);
    auto sourceType = cast<RankedTensorType>(pad.getSource().getType());
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

struct ConvGradCPUPadInPlacePass
    : public convgrad::impl::ConvGradCPUPadInPlaceBase<
          ConvGradCPUPadInPlacePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    convgrad::populatePadInPlacePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::convgrad::populatePadInPlacePatterns(RewritePatternSet &patterns) {
  patterns.add<PadIntoFilledDestination, PadOfInsertsIntoFill>(
      patterns.getContext());
}
