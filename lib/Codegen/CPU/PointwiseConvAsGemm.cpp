//===- PointwiseConvAsGemm.cpp - Channels-first 1x1 convolutions as GEMMs -===//
//
// A channels-first convolution with a 1 x .. x 1 kernel, unit strides and
// no padding is, per image n, the GEMM
//
//   out[n][k, p] = sum over c of w[k, c] * x[n][c, p]
//
// over the flattened output positions p, along which both x and the output
// are contiguous. The channels-last form of the vector path would transpose
// x and the output (every element read and written twice more, for a
// reduction of only C terms per output); here the register blocks put the
// positions along the vector lanes and broadcast the filter:
//
//   %wt  = transpose(collapse(w)) expanded to [1, C / ch, ch, K]
//          (a data gradient's w, a transposed tap of the layer's [C, K, S...]
//          filter: that tap itself, collapsed, with no transpose)
//   %out = scf.forall (%i) in (N * T) shared_outs(%o = [N, K, P])
//     n = i / T, t = i % T                        (T: filter tasks)
//     %xn  = x[n] expanded to                     [1, C / ch, ch, P]
//     %blk = fill 0 of %o[n, t*K/T : (t+1)*K/T, :] as [K / T, P]
//     linalg.generic (a, b parallel; n, chunk, c reduction)
//         %blk[a, b] += %wt[0, chunk, c, a] * %xn[0, chunk, c, b]
//     parallel_insert_slice %blk
//   out = expand(convert(%out))                   (f16/bf16: from f32)
//
// which is the GEMM form of the wgrad-to-GEMM rewrite (the same indexing
// maps), tiled by convgrad-tile-and-vectorize-contractions with its lane
// blocks outermost: a chunk x lanes block of x stays in L1 while all the
// filter blocks reuse it. The reduction runs in chunks of ch input channels
// so that block fits. The sizes (chunk, filter tasks, register tiles) and
// whether the GEMM form applies at all are cpu::planPointwiseGemm's.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCPUPOINTWISECONVASGEMM
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

/// `source` with its dimensions [begin, end) merged into one.
Value mergeDimRange(OpBuilder &b, Location loc, Value source, int64_t begin,
                    int64_t end) {
  for (int64_t i = begin; i + 1 < end; ++i)
    source = mergeDims(b, loc, source, begin);
  return source;
}

/// The pointwise `filter` [K, C, 1...] as the matrix [C, K]. A data
/// gradient's filter already is a transpose of the layer's [C, K, S...]
/// filter (a tap of it, sliced out, for a phase of a strided one): that
/// tap of the layer's filter is then the matrix itself, where transposing
/// the transpose would move the filter twice more in two parallel regions.
Value transposedPointwiseFilter(OpBuilder &b, Location loc, Value filter,
                                unsigned spatialRank) {
  auto filterType = cast<RankedTensorType>(filter.getType());
  int64_t rank = filterType.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  Value tapped = filter;
  auto tap = filter.getDefiningOp<tensor::ExtractSliceOp>();
  if (tap && tap.getSourceType().getRank() == rank) {
    // Only whole channel extents: the tap's offsets then apply to the
    // spatial dimensions alone, which the transpose leaves in place.
    bool wholeChannels = llvm::all_of(llvm::seq<int64_t>(0, 2), [&](int64_t d) {
      return isConstantIntValue(tap.getMixedOffsets()[d], 0) &&
             tap.getSourceType().getDimSize(d) == filterType.getDimSize(d);
    });
    if (wholeChannels) {
      offsets = tap.getMixedOffsets();
      tapped = tap.getSource();
    }
  }
  SmallVector<int64_t> swapChannels =
      llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(swapChannels[0], swapChannels[1]);
  auto transpose = tapped.getDefiningOp<linalg::TransposeOp>();
  if (!transpose || transpose.getPermutation() != ArrayRef(swapChannels)) {
    Value matrix = mergeDimRange(b, loc, filter, 1, 2 + spatialRank);
    return transposeTensor(b, loc, matrix, {1, 0});
  }
  SmallVector<int64_t> sizes(filterType.getShape());
  std::swap(sizes[0], sizes[1]);
  Value layerTap = tensor::ExtractSliceOp::create(
      b, loc, transpose.getInput(), offsets,
      getAsIndexOpFoldResult(b.getContext(), sizes),
      SmallVector<OpFoldResult>(rank, b.getIndexAttr(1)));
  return mergeDimRange(b, loc, layerTap, 1, 2 + spatialRank);
}

/// Whether `insert` writes with strides into a tensor that other strided
/// inserts also write (the phases of a strided data gradient, interleaved).
/// A lone strided insert (a 1x1 stride-2 data gradient: one phase into
/// zeros) interleaves with nothing.
bool isInterleavedWithOtherPhases(tensor::InsertSliceOp insert) {
  auto isStridedInsert = [](Operation *op) {
    auto other = dyn_cast_or_null<tensor::InsertSliceOp>(op);
    return other && !other.hasUnitStride();
  };
  if (insert.hasUnitStride())
    return false;
  if (isStridedInsert(insert.getDest().getDefiningOp()))
    return true;
  return llvm::any_of(insert.getResult().getUsers(), [&](Operation *user) {
    return isStridedInsert(user) &&
           cast<tensor::InsertSliceOp>(user).getDest() == insert.getResult();
  });
}

struct PointwiseConvAsGemm : OpRewritePattern<ConvOp> {
  PointwiseConvAsGemm(MLIRContext *ctx, PatternBenefit benefit,
                      const cpu::CPUTarget &target)
      : OpRewritePattern(ctx, benefit), target(target) {}

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    ConvParams p = op.getConvParams();
    if (p.isChannelsLast() || p.groups != 1 || op.getBias())
      return rewriter.notifyMatchFailure(
          op, "not a channels-first ungrouped conv without bias");
    auto xType = cast<RankedTensorType>(op.getInput().getType());
    auto wType = cast<RankedTensorType>(op.getFilter().getType());
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    if (!wType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic filter");
    unsigned r = p.spatialRank;
    for (auto type : {xType, outType})
      for (int64_t i = 1; i < type.getRank(); ++i)
        if (type.isDynamicDim(i) || type.getDimSize(i) == 0)
          return rewriter.notifyMatchFailure(op, "dynamic or empty size");
    for (unsigned i = 0; i < r; ++i)
      if (wType.getDimSize(2 + i) != 1 || p.strides[i] != 1 ||
          p.padLow[i] != 0 || p.padHigh[i] != 0 ||
          xType.getDimSize(2 + i) != outType.getDimSize(2 + i))
        return rewriter.notifyMatchFailure(op, "not a pointwise conv");

    int64_t c = xType.getDimSize(1), k = outType.getDimSize(1);
    int64_t positions = computeProduct(outType.getShape().drop_front(2));
    int64_t batch = xType.isDynamicDim(0) ? 0 : xType.getDimSize(0);
    Type elementType = outType.getElementType();
    Type accType = getAccumulatorType(elementType);
    auto window = op.getInput().getDefiningOp<tensor::ExtractSliceOp>();
    bool inputIsWindow = window && window.hasUnitStride() &&
                         window.getSourceType() != xType;
    bool outputIsInterleaved =
        llvm::any_of(op->getUsers(), [&](Operation *user) {
          auto insert = dyn_cast<tensor::InsertSliceOp>(user);
          return insert && insert.getSource() == op.getOutput() &&
                 isInterleavedWithOtherPhases(insert);
        });
    cpu::PointwiseGemmPlan plan = cpu::planPointwiseGemm(
        c, k, positions, batch, xType.getElementTypeBitWidth(),
        accType.getIntOrFloatBitWidth(), target, inputIsWindow,
        outputIsInterleaved);
    if (!plan.useGemm)
      return rewriter.notifyMatchFailure(op, "positions leave lanes idle");

    Location loc = op.getLoc();
    int64_t chunk = plan.reductionChunk, tasks = plan.filterTasks;
    int64_t taskK = k / tasks;
    // x: [N, C, S...] -> [N, C / ch, ch, P]; w: [K, C, 1...] -> [1, C / ch,
    // ch, K]. The unit image dimension is the GEMM's first reduction, as in
    // the wgrad GEMMs: slices keep every dimension.
    Value x = mergeDimRange(rewriter, loc, op.getInput(), 2, 2 + r);
    x = splitDim(rewriter, loc, x, 1, c / chunk);
    Value wt = transposedPointwiseFilter(rewriter, loc, op.getFilter(), r);
    wt = splitDim(rewriter, loc, wt, 0, 1);
    wt = splitDim(rewriter, loc, wt, 1, c / chunk);

    // The outputs of all images (in the accumulator type): [N, K, P].
    SmallVector<OpFoldResult> outSizes = {getSizes(rewriter, loc, x)[0],
                                          rewriter.getIndexAttr(k),
                                          rewriter.getIndexAttr(positions)};
    Value shared = tensor::EmptyOp::create(rewriter, loc, outSizes, accType);
    Value numTasks = arith::ConstantIndexOp::create(rewriter, loc, tasks);
    Value work = arith::MulIOp::create(
        rewriter, loc,
        getValueOrCreateConstantIndexOp(rewriter, loc, outSizes[0]), numTasks);
    auto forall = scf::ForallOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>{work}, ValueRange{shared},
        /*mapping=*/std::nullopt);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(forall.getBody());
      Value item = forall.getInductionVars().front();
      Value n = arith::DivUIOp::create(rewriter, loc, item, numTasks);
      Value firstFilter = arith::MulIOp::create(
          rewriter, loc, arith::RemUIOp::create(rewriter, loc, item, numTasks),
          arith::ConstantIndexOp::create(rewriter, loc, taskK));

      Value rhs = sliceAlongDim(rewriter, loc, x, 0, n, 1);
      Value lhs = sliceAlongDim(rewriter, loc, wt, 3, firstFilter, taskK);
      SmallVector<OpFoldResult> offsets = {n, firstFilter,
                                           rewriter.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(1),
                                         rewriter.getIndexAttr(taskK),
                                         rewriter.getIndexAttr(positions)};
      SmallVector<OpFoldResult> strides(3, rewriter.getIndexAttr(1));
      Value part = tensor::ExtractSliceOp::create(
          rewriter, loc, forall.getRegionIterArgs().front(), offsets, sizes,
          strides);
      // [1, K', P] -> [K', P] by a reshape, not a rank-reducing slice:
      // which unit dimension such a slice drops is ambiguous when K' = 1.
      Value block = mergeDims(rewriter, loc, part, 0);
      Value zero = arith::ConstantOp::create(
          rewriter, loc, accType, rewriter.getFloatAttr(accType, 0.0));
      block = linalg::FillOp::create(rewriter, loc, ValueRange{zero},
                                     ValueRange{block})
                  .getResult(0);

      linalg::GenericOp gemm =
          createTaggedGemm(rewriter, loc, lhs, rhs, block, plan.tiling);
      gemm->setAttr(kGemmLaneBlocksOuterAttrName, rewriter.getUnitAttr());

      Value result = splitDim(rewriter, loc, gemm.getResult(0), 0, 1);
      rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
      tensor::ParallelInsertSliceOp::create(rewriter, loc, result,
                                            forall.getRegionIterArgs().front(),
                                            offsets, sizes, strides);
    }

    // [N, K, P] -> [N, K, O...] in the op's element type.
    Value out =
        convertElementType(rewriter, loc, forall.getResult(0), elementType);
    SmallVector<ReassociationIndices> reassociation = {{0}, {1}, {}};
    for (unsigned i = 0; i < r; ++i)
      reassociation.back().push_back(2 + i);
    SmallVector<OpFoldResult> outShape = getSizes(rewriter, loc, op.getInput());
    outShape.resize(2);
    outShape[1] = rewriter.getIndexAttr(k);
    for (unsigned i = 0; i < r; ++i)
      outShape.push_back(rewriter.getIndexAttr(outType.getDimSize(2 + i)));
    out = tensor::ExpandShapeOp::create(rewriter, loc, outType, out,
                                        reassociation, outShape);
    rewriter.replaceOp(op, out);
    return success();
  }

private:
  cpu::CPUTarget target;
};

struct PointwiseConvAsGemmPass
    : public convgrad::impl::ConvGradCPUPointwiseConvAsGemmBase<
          PointwiseConvAsGemmPass> {
  void runOnOperation() override {
    if (failed(applyPatternsForTarget(
            getOperation(),
            [](RewritePatternSet &patterns, const cpu::CPUTarget &target) {
              populatePointwiseConvAsGemmPatterns(patterns, target);
            })))
      return signalPassFailure();
  }
};

} // namespace

void mlir::convgrad::populatePointwiseConvAsGemmPatterns(
    RewritePatternSet &patterns, const cpu::CPUTarget &target,
    PatternBenefit benefit) {
  patterns.add<PointwiseConvAsGemm>(patterns.getContext(), benefit, target);
}
