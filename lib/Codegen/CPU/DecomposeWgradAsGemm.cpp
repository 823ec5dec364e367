//===- DecomposeWgradAsGemm.cpp - Filter gradients as one GEMM per tap ----===//
//
// The filter gradient of an ungrouped convolution is, for every kernel tap k
// (one position (k_1..k_R) of the kernel window),
//
//   dw[f, k, c] = sum over (n, o_1..o_R) of
//                 dy[n, o, f] * xpad[n, o_1*s_1 + k_1*d_1, ..., c]
//
// (docs/conv-backward-math.md): per tap and image a GEMM [F x M] * [M x C]
// whose reduction M runs over the output positions, reading dy as it is and
// x through a strided window of the padded input. Unlike the forward
// convolution form of convgrad-decompose (batch as the reduced channel, dy as
// a huge kernel), every operand of that GEMM is indexed by a projected
// permutation, the reduction is long (O_1 * ... * O_R per image) and the
// result block (F x C) is what stays in registers.
//
// The rewrite emits, in channels-last coordinates:
//
//   %acc = linalg.fill 0 : [T * A, B], T = K_1 * .. * K_R taps
//                                      (f32 for f16/bf16 operands)
//   scf.for %n, scf.for %rows, scf.for %k_1 .. %k_R iter_args(%acc):
//     %dyn = extract_slice dy[n:n+1, rows]             : [1, O'..., F]
//     %xk  = extract_slice xpad[n:n+1, k*d + rows*s :: s, :] : [1, O'..., C]
//     %blk = extract_slice %acc[t*A : t*A+A, :]        : [A, B]
//     linalg.generic (a, b parallel; n, o... reduction) %blk += A-op * B-op
//     insert_slice %blk into %acc
//   dw = transpose(convert(expand_shape(%acc)))        (to the op's layout)
//
// where B, the dimension the later vectorization spreads over vector lanes,
// is the larger of C and F (C on ties: x rows are contiguous along C), and A
// is the other one. The loops stay loops rather than unrolled taps so that
// the IR (and compile time) does not grow with the kernel: a 7x7 stem has 49
// taps. The batch loop and a loop over blocks of output rows (O' = a block
// of O_1 rows whose dy slice fits a cache budget) are outside the taps, so
// that the slice of dy is reused by all taps from cache (a 7x7 stem would
// otherwise stream dy 49 times from memory), and a dynamic batch only makes
// a loop bound dynamic: the GEMMs keep static shapes.
//
// With T > 1 parallel tasks the nest is the body of one scf.forall of T
// tasks outside all the loops (one parallel region per wgrad: a forall per
// GEMM would be thousands of tiny regions). Task t owns a disjoint channel
// block of every tap's [A, B] block, rows [t*A/T, (t+1)*A/T) when A/T is a
// whole number of register blocks, else lanes [t*B/T, ...) when B/T is a
// whole number of vectors. It reads only its channels of the corresponding
// operand and accumulates into its own [taps * A', B'] part of a
// [T * taps * A', B'] accumulator (tensor.parallel_insert_slice), so there
// is no cross-task reduction; a transpose and a collapse_shape put the task
// dimension back next to the channel dimension it split.
// When the filter gradient is small and a static batch's work items split
// evenly (cpu::planWgradGemm: each task then reads only its own images of
// both operands), or when neither channel count splits into whole blocks
// (67 or 131 channels), the tasks split the work items, the N * O_1 / O'
// pairs (image, block of output rows) in T contiguous ranges: each task
// runs the GEMMs of the whole [A, B] block (full register blocks and
// remainder) on its positions into its own [taps * A, B] part, and one
// elementwise generic sums the T parts after the forall.
//
// Blocks of output rows divide O_1. When no divisor is near the rows that
// fit the budget (a prime O_1 = 29 of which 22 fit would take blocks of one
// row), cpu::planWgradGemm / planWgradStaging set a row split: the op first
// becomes two filter gradients, of output rows [0, split) and the rest, each
// reading its rows of x with what is left of the padding at its ends, and
// their elementwise sum; each part is then planned, and rewritten, on its
// own.
//
// A channels-first op would first transpose all of x and dy to channels-last
// and pad x, writing both to memory and reading them back in the GEMMs. When
// cpu::planWgradStaging allows it, each work item instead stages what it
// reads, from the channels-first tensors, in channels-last buffers that stay
// in cache for all its taps:
//
//   %dys = transpose dy[n, F', o_1 block, O...]          : [1, O', O..., F']
//   %xs  = fill 0, then for each buffer row j in [top, bottom) (the rows
//          that are not padding; top and bottom clamp to the block):
//            xs[0, j, lo..., :] = transpose x[n, C', j + o_1 * s_1 - lo_1, ...]
//          (or one transpose of the rows' slab when there is no padding)
//   tap k reads %xs[0, k * d :: s, :] and all of %dys.
//
// The transposes read their rows (a few cache lines per channel, too short
// a stream for the hardware prefetchers) from memory with the FMA units
// idle. So after staging its own, each work item that stages x emits loops
// marked kSpreadPrefetchesAttrName over the cache lines of the next work
// item's rows of dy and x (the next block, else block 0 of the next image),
// which convgrad-cpu-spread-prefetches spreads over the FMAs of this item's
// GEMMs: the next transposes then read from L2.
//
// When the GEMM keeps its lane blocks outside its row blocks (rows of the
// lane operand wider than L1, cpu::getWgradGemmPasses), each buffer position
// gets a cache line more than its channels (cpu::getStagedPositionPadding):
// the transposes write, and the GEMMs read, the first C' (F') channels, so
// that a lane block's column of positions is an odd number of lines apart
// and spreads over all L1 sets.
//
// A channels-last op reads x and dy in place, unless dy's rows are too wide
// for L1 and its positions a conflicting stride apart (F = 512 f32): each
// work item then copies its rows of dy into such a padded buffer (%dys =
// copy dy[n, o_1 block, O..., F']) and the taps read x in place. Under a
// channel split (cpu::planWgradStaging: prefetchNextItem), marked loops
// over the next work item's dy rows and the x positions its windows read
// are spread over this item's GEMMs, as for the channels-first transposes.
//
// The buffers (one per task: slice t of a [T, ...] tensor made outside the
// forall) are loop-carried values overwritten by every work item before it
// reads them, so bufferization keeps them in place (in loops of a constant
// trip count, see the work-item split): no allocation per work item or per
// task. Every such size is decided by cpu::planWgradGemm,
// cpu::planWgradStaging and cpu::getGemmTiling (TilingStrategy.h) for the
// module's CPU target; this file only builds the IR.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/DepthwiseUtils.h"
#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCPUWGRADTOGEMM
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

/// Replaces `op` by the sum of the filter gradients of its output rows
/// [0, split) and [split, O_1) (spatial dimension 0): each reads the rows of
/// x its windows reach, with the padding that is left of the op's at its
/// ends. Fails, changing nothing, when a part's windows would read padding
/// only.
LogicalResult splitOutputRows(PatternRewriter &rewriter,
                              ConvBackwardFilterOp op, int64_t split) {
  ConvParams p = op.getConvParams();
  ConvDimPositions pos = p.positions();
  auto xType = cast<RankedTensorType>(op.getInput().getType());
  auto dyType = cast<RankedTensorType>(op.getGradOutput().getType());
  auto dwType = cast<RankedTensorType>(op.getGradFilter().getType());
  unsigned xRow = pos.spatial(0);
  ConvDimGeometry g = p.dim(0, xType.getDimSize(xRow), dwType.getDimSize(xRow));
  int64_t outputRows = dyType.getDimSize(xRow);
  struct Part {
    int64_t firstOutput, outputs, firstInput, inputs, padLow, padHigh;
  };
  SmallVector<Part> parts;
  for (auto [begin, end] : {std::pair<int64_t, int64_t>{0, split},
                            std::pair<int64_t, int64_t>{split, outputRows}}) {
    // Rows [start, stop) of x, in its unpadded coordinates, that the
    // windows of output rows [begin, end) read.
    int64_t start = begin * g.stride - g.padLow;
    int64_t stop = (end - 1) * g.stride + g.effectiveKernel() - g.padLow;
    int64_t first = std::max<int64_t>(0, start);
    int64_t last = std::min(g.inputSize, stop);
    if (end <= begin || last <= first)
      return failure();
    parts.push_back(
        {begin, end - begin, first, last - first, first - start, stop - last});
  }
  Location loc = op.getLoc();
  SmallVector<Value> gradients;
  for (const Part &part : parts) {
    Value x = sliceAlongDim(rewriter, loc, op.getInput(), xRow,
                            rewriter.getIndexAttr(part.firstInput),
                            part.inputs);
    Value dy = sliceAlongDim(rewriter, loc, op.getGradOutput(), xRow,
                             rewriter.getIndexAttr(part.firstOutput),
                             part.outputs);
    SmallVector<int64_t> padding(p.padLow);
    padding.append(p.padHigh);
    padding[0] = part.padLow;
    padding[p.spatialRank] = part.padHigh;
    auto partOp = cast<ConvBackwardFilterOp>(rewriter.clone(*op));
    rewriter.modifyOpInPlace(partOp, [&] {
      partOp.getInputMutable().assign(x);
      partOp.getGradOutputMutable().assign(dy);
      partOp.setPaddingAttr(rewriter.getDenseI64ArrayAttr(padding));
    });
    gradients.push_back(partOp.getGradFilter());
  }
  rewriter.replaceOp(
      op, sumTensors(rewriter, loc, gradients, dwType.getElementType()));
  return success();
}

struct DecomposeConvBackwardFilterAsGemm
    : OpRewritePattern<ConvBackwardFilterOp> {
  DecomposeConvBackwardFilterAsGemm(MLIRContext *ctx, PatternBenefit benefit,
                                    const cpu::CPUTarget &target,
                                    int64_t parallelTasks, int64_t blockBytes)
      : OpRewritePattern(ctx, benefit), target(target),
        parallelTasks(parallelTasks), blockBytes(blockBytes) {}

  LogicalResult matchAndRewrite(ConvBackwardFilterOp op,
                                PatternRewriter &rewriter) const override {
    if (unsupportedForDecomposition(op))
      return rewriter.notifyMatchFailure(op, "not decomposable");
    ConvParams p = op.getConvParams();
    if (p.groups != 1)
      return rewriter.notifyMatchFailure(op, "grouped: forward-conv form");
    ConvDimPositions pos = p.positions();
    unsigned r = p.spatialRank;
    Location loc = op.getLoc();
    auto xType = cast<RankedTensorType>(op.getInput().getType());
    auto dyType = cast<RankedTensorType>(op.getGradOutput().getType());
    auto dwType = cast<RankedTensorType>(op.getGradFilter().getType());
    // Only the batch may be dynamic (unsupportedForDecomposition checked the
    // channels); zero-size tensors have no GEMM worth emitting, and their
    // slices would not verify: both keep the forward-convolution form.
    for (auto type : {xType, dyType})
      for (int64_t i = 1; i < type.getRank(); ++i)
        if (type.isDynamicDim(i))
          return rewriter.notifyMatchFailure(op, "dynamic spatial size");
    for (auto type : {xType, dyType, dwType})
      if (llvm::is_contained(type.getShape(), 0))
        return rewriter.notifyMatchFailure(op, "zero-size tensor");

    // The geometry in channels-last coordinates: x padded by lo and hi - r
    // (negative: crop) is read by tap k at rows k * d + o * s, o in [0, O).
    ConvDimPositions last{r, /*channelsLast=*/true};
    SmallVector<int64_t> low(last.rank(), 0), high(last.rank(), 0);
    SmallVector<int64_t> kernel, outSizes, inSizes, paddedSizes;
    for (unsigned i = 0; i < r; ++i) {
      ConvDimGeometry g = p.dim(i, xType.getDimSize(pos.spatial(i)),
                                dwType.getDimSize(pos.spatial(i)));
      low[last.spatial(i)] = g.padLow;
      high[last.spatial(i)] = g.wgradPadHigh();
      kernel.push_back(g.kernelSize);
      outSizes.push_back(dyType.getDimSize(pos.spatial(i)));
      inSizes.push_back(xType.getDimSize(pos.spatial(i)));
      paddedSizes.push_back(inSizes.back() + g.padLow + g.wgradPadHigh());
    }

    int64_t c = xType.getDimSize(pos.channel());
    int64_t f = dyType.getDimSize(pos.channel());
    Type elementType = dwType.getElementType();
    Type accType = getAccumulatorType(elementType);
    int64_t numTaps = computeProduct(kernel);
    // The positions of x the taps read along each dimension: the rows their
    // windows span where they overlap, else K of every stride's S (a 1x1
    // stride-2 kernel reads every other row); padding is not read from x.
    int64_t inputPositions = 1;
    for (unsigned i = 0; i < r; ++i) {
      int64_t span = (outSizes[i] - 1) * p.strides[i] +
                     (kernel[i] - 1) * p.dilations[i] + 1;
      inputPositions *=
          std::max<int64_t>(1, std::min({span, outSizes[i] * kernel[i],
                                         inSizes[i]}));
    }
    cpu::WgradGemmPlan plan = cpu::planWgradGemm(
        c, f, numTaps, std::vector<int64_t>(outSizes.begin(), outSizes.end()),
        dyType.getElementTypeBitWidth(), accType.getIntOrFloatBitWidth(),
        target, parallelTasks, blockBytes,
        xType.isDynamicDim(0) ? 0 : xType.getDimSize(0), inputPositions);
    {
      cpu::WgradStagingShape staging;
      for (unsigned i = 1; i < r; ++i) {
        staging.inputRowPositions *= paddedSizes[i];
        staging.outputRowPositions *= outSizes[i];
      }
      staging.firstStride = p.strides[0];
      staging.firstWindow = (kernel[0] - 1) * p.dilations[0] + 1;
      staging.elementBits = std::max(xType.getElementTypeBitWidth(),
                                     dyType.getElementTypeBitWidth());
      staging.taps = numTaps;
      staging.accBits = accType.getIntOrFloatBitWidth();
      staging.channelsLast = pos.channelsLast;
      staging.batch = xType.isDynamicDim(0) ? 0 : xType.getDimSize(0);
      plan = cpu::planWgradStaging(plan, c, f, outSizes[0], staging, target);
    }
    // Output rows with no divisor near the rows that fit (a prime O_1): two
    // filter gradients, each with dividing blocks, summed in the op's type
    // (f16/bf16 gradients keep the plan: their partial sums would round).
    if (plan.rowSplit > 0 && accType == elementType &&
        succeeded(splitOutputRows(rewriter, op, plan.rowSplit)))
      return success();
    bool staged = plan.stageSlices;
    // Whether the work items stage x too (else x is transposed once, before
    // the tasks, see cpu::planWgradStaging).
    bool stagedX = staged && plan.stageInput;
    // Whether the GEMMs broadcast x's elements from x itself, channels-first
    // (cpu::WgradGemmPlan::readInputInPlace).
    bool xInPlace = staged && plan.readInputInPlace;

    // 1. Unless every work item stages its own slices (see the header), the
    //    operands become channels-last tensors, [N, S..., C] and
    //    [N, O..., F], and x is padded.
    //    With staged dy only, x alone becomes a padded channels-last tensor.
    Value x = op.getInput(), dy = op.getGradOutput();
    //    With x read in place, x is only padded, channels-first.
    ConvDimPositions xPos = xInPlace ? pos : last;
    if (!stagedX) {
      if (!pos.channelsLast) {
        SmallVector<int64_t> toLast = channelsFirstToLastPermutation(r);
        if (!xInPlace)
          x = transposeTensor(rewriter, loc, x, toLast);
        if (!staged)
          dy = transposeTensor(rewriter, loc, dy, toLast);
      }
      SmallVector<int64_t> xLow(xPos.rank(), 0), xHigh(xPos.rank(), 0);
      bool padsX = false;
      for (unsigned i = 0; i < r; ++i) {
        xLow[xPos.spatial(i)] = low[last.spatial(i)];
        xHigh[xPos.spatial(i)] = high[last.spatial(i)];
        padsX |= xLow[xPos.spatial(i)] > 0 || xHigh[xPos.spatial(i)] > 0;
      }
      // A padded channels-last copy whose rows are the GEMMs' lanes gets
      // rows of whole cache lines (the GEMMs read its first C channels).
      if (padsX && plan.lanesAlongC)
        xHigh[xPos.channel()] =
            cpu::getPaddedLanePitch(
                c, std::max<int64_t>(1, xType.getElementTypeBitWidth() / 8)) -
            c;
      x = padOrCrop(rewriter, loc, x, xLow, xHigh);
    }

    // B: the vector-lane dimension of the accumulator block (see header).
    bool lanesAlongC = plan.lanesAlongC;
    int64_t a = lanesAlongC ? f : c, b = lanesAlongC ? c : f;

    // 3. The accumulator [K_1 * .. * K_R * A, B], zero: the block of a tap
    //    is a plain 2-D slice of it. With parallel tasks, task t owns either
    //    rows [t * A', (t + 1) * A') (A' = A / T) or lanes [t * B', ...)
    //    (B' = B / T) of every tap's block, and accumulates them in its own
    //    [taps * A', B'] part of a [T * taps * A', B'] accumulator: no two
    //    tasks write the same element, so there is nothing to reduce.
    int64_t tasks = plan.tasks;
    using TaskSplit = cpu::WgradGemmPlan::TaskSplit;
    bool splitRows = tasks > 1 && plan.split == TaskSplit::Rows;
    bool splitLanes = tasks > 1 && plan.split == TaskSplit::Lanes;
    bool splitPositions = tasks > 1 && plan.split == TaskSplit::Positions;
    int64_t taskA = splitRows ? a / tasks : a;
    int64_t taskB = splitLanes ? b / tasks : b;
    Value acc;
    if (tasks == 1) {
      SmallVector<OpFoldResult> accSizes = {
          rewriter.getIndexAttr(numTaps * a), rewriter.getIndexAttr(b)};
      acc = createFilledTensor(rewriter, loc, accSizes, accType, 0.0);
    }

    // 4. for n, for blocks of o_1, [for its sub-blocks,] for k_1..k_R:
    //    acc[k] += GEMM of that (sub-)block of image n at tap k. The block of
    //    o_1 (output rows) is the plan's, whose dy slice all taps re-read
    //    from cache; the GEMMs take plan.rowsPerGemm rows of it at a time
    //    (all of it by default), whose slice all taps re-read from L1.
    int64_t rowsPerBlock = plan.rowsPerBlock;
    int64_t gemmRows =
        plan.rowsPerGemm > 0 && rowsPerBlock % plan.rowsPerGemm == 0
            ? plan.rowsPerGemm
            : rowsPerBlock;
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    SmallVector<Value> lbs(r + 2, zero), steps(r + 2, one), ubs;
    ubs.push_back(getValueOrCreateConstantIndexOp(
        rewriter, loc, getSizes(rewriter, loc, x)[0]));
    int64_t rowBlocksPerImage = outSizes[0] / rowsPerBlock;
    ubs.push_back(
        arith::ConstantIndexOp::create(rewriter, loc, rowBlocksPerImage));
    for (int64_t k : kernel)
      ubs.push_back(arith::ConstantIndexOp::create(rewriter, loc, k));
    SmallVector<int64_t> blockSizes(outSizes);
    blockSizes[0] = rowsPerBlock;
    SmallVector<int64_t> gemmSizes(blockSizes);
    gemmSizes[0] = gemmRows;

    // Slices keep every dimension (the image one has size 1 and is a
    // reduction loop of the GEMM): a rank-reducing slice with other unit
    // dimensions (C = 1, O = 1) is ambiguous, and upstream memref.subview
    // folding mishandles those.
    // A task reads its channels of each operand only.
    int64_t taskC = lanesAlongC ? taskB : taskA;
    int64_t taskF = lanesAlongC ? taskA : taskB;
    auto sliceType = [](ArrayRef<int64_t> sizes, int64_t channels,
                        Type elementType) {
      SmallVector<int64_t> shape = {1};
      llvm::append_range(shape, sizes);
      shape.push_back(channels);
      return RankedTensorType::get(shape, elementType);
    };
    auto xSliceType = sliceType(gemmSizes, taskC, xType.getElementType());
    if (xInPlace) {
      SmallVector<int64_t> shape = {1, taskC};
      llvm::append_range(shape, gemmSizes);
      xSliceType = RankedTensorType::get(shape, xType.getElementType());
    }
    auto dySliceType = sliceType(gemmSizes, taskF, dyType.getElementType());
    // A work item's dy rows, which its GEMMs slice.
    auto dyBlockType = sliceType(blockSizes, taskF, dyType.getElementType());
    auto blockType = RankedTensorType::get({taskA, taskB}, accType);

    // The register tiling of every GEMM (iteration space (a, b, n,
    // o_1..o_R)), for convgrad-tile-and-vectorize-contractions: o_R is its
    // innermost reduction.
    cpu::GemmTiling gemmTiling =
        cpu::getGemmTiling(taskA, taskB, gemmSizes.back(),
                           accType.getIntOrFloatBitWidth(), target,
                           /*allowRowRemainder=*/true);
    // Passes over the rows of the block (the second innermost output
    // dimension; none for 1-D ops) whose lane operand slice stays in L1.
    // Staged buffers may get a cache line more per position so that the
    // lane blocks' columns do not conflict in L1 (padding elements
    // appended to x's and dy's channels).
    int64_t xBytes = std::max<int64_t>(1, xType.getElementTypeBitWidth() / 8);
    int64_t dyBytes =
        std::max<int64_t>(1, dyType.getElementTypeBitWidth() / 8);
    int64_t xStagePad = 0, dyStagePad = 0;
    if (r >= 2) {
      int64_t laneBytes = lanesAlongC ? xBytes : dyBytes;
      // A staged lane operand's positions are whole cache lines apart
      // (getPaddedLanePitch): with 131 f32 channels (524 bytes) every lane
      // vector of the 128-lane part split two lines. Positions of the lane
      // operand are then its staged buffer's (padded) or its tensor's (x's
      // windows step s_R positions) channels apart.
      bool laneStaged = lanesAlongC ? stagedX : staged;
      int64_t lanePitch =
          laneStaged ? cpu::getPaddedLanePitch(taskB, laneBytes) : taskB;
      int64_t laneStride =
          laneStaged
              ? (lanePitch +
                 cpu::getStagedPositionPadding(lanePitch, laneBytes)) *
                    laneBytes
              : b * laneBytes * (lanesAlongC ? p.strides[r - 1] : 1);
      cpu::GemmPasses passes = cpu::getWgradGemmPasses(
          gemmSizes[r - 2], gemmSizes[r - 1], taskB, gemmTiling.laneTile,
          laneBytes, laneStride, target);
      gemmTiling.passRows = passes.rows;
      gemmTiling.laneBlocksOuter = passes.laneBlocksOuter;
      // Padding elements after each staged position's channels: the lane
      // operand's pitch, and a line more where the lane blocks' columns
      // would conflict (both operands).
      auto stagePad = [&](int64_t channels, int64_t bytes, bool lanes) {
        int64_t pitch = lanes ? lanePitch : channels;
        return pitch - channels +
               (passes.laneBlocksOuter
                    ? cpu::getStagedPositionPadding(pitch, bytes)
                    : 0);
      };
      if (stagedX)
        xStagePad = stagePad(taskC, xBytes, lanesAlongC);
      if (staged)
        dyStagePad = stagePad(taskF, dyBytes, !lanesAlongC);
    }

    // Staged slices (see the header): a work item transposes the rows of x
    // its windows read, [1, C', rows, S_2...] -> [1, rows, S_2 + pads...,
    // C'] with zero padding, and its rows of dy, [1, F', O', O_2...] ->
    // [1, O', O_2..., F'], into its task's buffers.
    int64_t inputBlockRows = (rowsPerBlock - 1) * p.strides[0] +
                             (kernel[0] - 1) * p.dilations[0] + 1;
    SmallVector<int64_t> xStageShape = {1, inputBlockRows};
    xStageShape.append(paddedSizes.begin() + 1, paddedSizes.end());
    xStageShape.push_back(taskC + xStagePad);
    SmallVector<int64_t> toLast = channelsFirstToLastPermutation(r);
    // Whether the staged x has zero padding (a crop, hi < 0, only drops
    // input positions).
    bool padded = llvm::any_of(low, [](int64_t v) { return v > 0; }) ||
                  llvm::any_of(high, [](int64_t v) { return v > 0; });
    // Fresh staging buffers of `count` tasks, [count, ...] (the first
    // dimension is the unit image dimension of one task's buffer): dy's,
    // after x's when the work items stage x too. They are
    // bufferization.alloc_tensor ops, not tensor.empty: CSE would merge the
    // empty tensors of x and dy when their types match (C = F), and the two
    // loop-carried buffers, never read before being written, would then
    // share one allocation.
    auto createStagingBuffers = [&](OpBuilder &bld, Location l,
                                    int64_t count) -> SmallVector<Value> {
      SmallVector<int64_t> xShape(xStageShape), dyShape(dyBlockType.getShape());
      xShape[0] = dyShape[0] = count;
      dyShape.back() += dyStagePad;
      SmallVector<Value> buffers;
      if (stagedX)
        buffers.push_back(bufferization::AllocTensorOp::create(
            bld, l, RankedTensorType::get(xShape, xType.getElementType()),
            ValueRange{}));
      buffers.push_back(bufferization::AllocTensorOp::create(
          bld, l, RankedTensorType::get(dyShape, dyType.getElementType()),
          ValueRange{}));
      return buffers;
    };
    auto fillZero = [&](OpBuilder &bld, Location l, Value tensor) -> Value {
      Type type = getElementTypeOrSelf(tensor.getType());
      Value zeroElement = arith::ConstantOp::create(
          bld, l, type, bld.getFloatAttr(type, 0.0));
      return linalg::FillOp::create(bld, l, ValueRange{zeroElement},
                                    ValueRange{tensor})
          .getResult(0);
    };
    // The first `channels` channels of a staging buffer (all of them but
    // its padding elements, getStagedPositionPadding).
    auto channelsOf = [&](OpBuilder &bld, Location l, Value buffer,
                          int64_t channels) -> Value {
      auto type = cast<RankedTensorType>(buffer.getType());
      if (type.getShape().back() == channels)
        return buffer;
      SmallVector<OpFoldResult> offsets(type.getRank(), bld.getIndexAttr(0));
      SmallVector<OpFoldResult> unit(type.getRank(), bld.getIndexAttr(1));
      SmallVector<OpFoldResult> sizes =
          getAsIndexOpFoldResult(bld.getContext(), type.getShape());
      sizes.back() = bld.getIndexAttr(channels);
      return tensor::ExtractSliceOp::create(bld, l, buffer, offsets, sizes,
                                            unit);
    };
    // `source` transposed to channels-last into those channels of `buffer`;
    // the whole buffer.
    auto transposeIntoChannels = [&](OpBuilder &bld, Location l, Value source,
                                     Value buffer, int64_t channels) -> Value {
      Value slot = channelsOf(bld, l, buffer, channels);
      // A channels-last op's rows (dy's only, to pad its positions) are
      // already in the buffer's layout.
      Value moved =
          pos.channelsLast
              ? linalg::CopyOp::create(bld, l, source, slot).getResult(0)
              : linalg::TransposeOp::create(bld, l, source, slot, toLast)
                    .getResult()
                    .front();
      if (slot == buffer)
        return moved;
      auto slice = slot.getDefiningOp<tensor::ExtractSliceOp>();
      return tensor::InsertSliceOp::create(bld, l, moved, buffer,
                                           slice.getMixedOffsets(),
                                           slice.getMixedSizes(),
                                           slice.getMixedStrides());
    };
    // The staged x of image n for output rows [firstRow, firstRow + O'):
    // row j of the buffer is row firstRow * s_1 + j - lo_1 of x, or zero
    // where that is padding. Every block rewrites the whole buffer starting
    // with an op that does not read it (a transpose, or the zero fill under
    // the row copies), so that bufferization sees no value flowing from one
    // work item to the next and keeps a task's buffer in place.
    // The row of x that the block of output rows from `firstRow` reads
    // first (negative in the low padding).
    auto firstInputRowOf = [&](OpBuilder &bld, Location l,
                               Value firstRow) -> Value {
      return arith::SubIOp::create(
          bld, l,
          arith::MulIOp::create(
              bld, l, firstRow,
              arith::ConstantIndexOp::create(bld, l, p.strides[0])),
          arith::ConstantIndexOp::create(bld, l, low[last.spatial(0)]));
    };
    auto stageInputRows = [&](OpBuilder &bld, Location l, Value buffer, Value n,
                              Value firstRow, OpFoldResult cOffset) -> Value {
      Value firstInputRow = firstInputRowOf(bld, l, firstRow);
      // x[n, the task's C' channels, `rows` rows from `inputRow`, the
      // positions of each inner dimension that the padding or crop keeps].
      auto inputSlice = [&](OpBuilder &ib, Location il, Value inputRow,
                            int64_t rows) {
        SmallVector<OpFoldResult> offsets(pos.rank(), ib.getIndexAttr(0));
        SmallVector<OpFoldResult> sizes(pos.rank(), ib.getIndexAttr(1));
        SmallVector<OpFoldResult> unit(pos.rank(), ib.getIndexAttr(1));
        offsets[0] = n;
        offsets[pos.channel()] = cOffset;
        sizes[pos.channel()] = ib.getIndexAttr(taskC);
        offsets[pos.spatial(0)] = inputRow;
        sizes[pos.spatial(0)] = ib.getIndexAttr(rows);
        for (unsigned i = 1; i < r; ++i) {
          int64_t lo = low[last.spatial(i)];
          offsets[pos.spatial(i)] = ib.getIndexAttr(std::max<int64_t>(0, -lo));
          sizes[pos.spatial(i)] = ib.getIndexAttr(
              std::min(inSizes[i], paddedSizes[i] - lo) -
              std::max<int64_t>(0, -lo));
        }
        return tensor::ExtractSliceOp::create(ib, il, x, offsets, sizes, unit)
            .getResult();
      };
      if (!padded) {
        // The rows are one slab of x: one transpose (into the channels
        // before the buffer's padding elements, which no GEMM reads).
        Value slab = inputSlice(bld, l, firstInputRow, inputBlockRows);
        return transposeIntoChannels(bld, l, slab, buffer, taskC);
      }
      buffer = fillZero(bld, l, buffer);
      // Rows before `top` read x rows < 0, rows from `bottom` on rows >= H:
      // zero padding (only the first and last blocks have any).
      Value zeroIdx = arith::ConstantIndexOp::create(bld, l, 0);
      Value oneIdx = arith::ConstantIndexOp::create(bld, l, 1);
      Value blockRows = arith::ConstantIndexOp::create(bld, l, inputBlockRows);
      auto clampToBlock = [&](Value rows) -> Value {
        return arith::MinSIOp::create(
            bld, l, arith::MaxSIOp::create(bld, l, rows, zeroIdx), blockRows);
      };
      Value top =
          clampToBlock(arith::SubIOp::create(bld, l, zeroIdx, firstInputRow));
      Value bottom = clampToBlock(arith::SubIOp::create(
          bld, l, arith::ConstantIndexOp::create(bld, l, inSizes[0]),
          firstInputRow));
      auto rowLoop = scf::ForOp::create(
          bld, l, top, bottom, oneIdx, ValueRange{buffer},
          [&](OpBuilder &rb, Location rl, Value row, ValueRange rowArgs) {
            Value inputRow = arith::AddIOp::create(rb, rl, firstInputRow, row);
            Value src = inputSlice(rb, rl, inputRow, 1);
            // The interior of buffer row `row`: [1, 1, S_2..., C'].
            auto srcType = cast<RankedTensorType>(src.getType());
            SmallVector<OpFoldResult> offsets(last.rank(), rb.getIndexAttr(0));
            SmallVector<OpFoldResult> sizes(last.rank(), rb.getIndexAttr(1));
            SmallVector<OpFoldResult> unit(last.rank(), rb.getIndexAttr(1));
            offsets[last.spatial(0)] = row;
            for (unsigned i = 1; i < r; ++i) {
              offsets[last.spatial(i)] =
                  rb.getIndexAttr(std::max<int64_t>(0, low[last.spatial(i)]));
              sizes[last.spatial(i)] =
                  rb.getIndexAttr(srcType.getDimSize(pos.spatial(i)));
            }
            sizes[last.channel()] = rb.getIndexAttr(taskC);
            Value dst = tensor::ExtractSliceOp::create(rb, rl, rowArgs[0],
                                                       offsets, sizes, unit);
            Value moved = linalg::TransposeOp::create(rb, rl, src, dst, toLast)
                              .getResult()
                              .front();
            scf::YieldOp::create(
                rb, rl,
                tensor::InsertSliceOp::create(rb, rl, moved, rowArgs[0],
                                              offsets, sizes, unit)
                    .getResult());
          });
      return rowLoop.getResult(0);
    };

    // Prefetches of the rows a work item stages, for the previous work item
    // to issue during its GEMMs (kSpreadPrefetchesAttrName): the transposes
    // read them from memory, a few lines per channel, too short a stream for
    // the hardware prefetchers, and with the FMAs idle (rows e and f of the
    // benchmark, channels-first: a third of the kernel's time in them). One
    // marked loop per operand, over the cache lines of the task's channels:
    // dy's rows of a block are one run per channel; x's rows (in the
    // subsampled view of a strided layer, elements s_R apart) are prefetched
    // row by row, clamped into x (padding rows are not read).
    auto markedPrefetchLoop =
        [&](OpBuilder &bld, Location l, int64_t count,
            function_ref<void(OpBuilder &, Location, Value)> body) {
          auto loop = scf::ForOp::create(
              bld, l, arith::ConstantIndexOp::create(bld, l, 0),
              arith::ConstantIndexOp::create(bld, l, count),
              arith::ConstantIndexOp::create(bld, l, 1), ValueRange{},
              [&](OpBuilder &lb, Location ll, Value j, ValueRange) {
                body(lb, ll, j);
                scf::YieldOp::create(lb, ll);
              });
          loop->setAttr(kSpreadPrefetchesAttrName, bld.getUnitAttr());
        };
    // `value` / `divisor` and `value` % `divisor` (constant divisor).
    auto divRem = [](OpBuilder &bld, Location l, Value value,
                     int64_t divisor) -> std::pair<Value, Value> {
      Value d = arith::ConstantIndexOp::create(bld, l, divisor);
      return {arith::DivUIOp::create(bld, l, value, d),
              arith::RemUIOp::create(bld, l, value, d)};
    };
    // The first element of cache line `index` (of `line` elements) of a run
    // whose last element is `last`, clamped to it.
    auto lineStart = [](OpBuilder &bld, Location l, Value index, int64_t line,
                        int64_t last) -> Value {
      return arith::MinUIOp::create(
          bld, l,
          arith::MulIOp::create(bld, l, index,
                                arith::ConstantIndexOp::create(bld, l, line)),
          arith::ConstantIndexOp::create(bld, l, last));
    };
    auto prefetchAt = [](OpBuilder &bld, Location l, Value buffer,
                         ValueRange indices, int64_t locality) {
      memref::PrefetchOp::create(bld, l, buffer, indices, /*isWrite=*/false,
                                 locality, /*isDataCache=*/true);
    };
    // A channels-last work item that copies its dy rows into a padded
    // buffer (the lane operand's positions a conflicting stride apart, F =
    // 512 f32) and reads its windows of x in place, in a task of a channel
    // split (cpu::planWgradStaging: prefetchNextItem): the next item's dy
    // rows (the task's F' channels of each position, the copy's source) and
    // the positions of x its windows read (the task's C' channels of each;
    // along a dimension of one tap only the window origins, s_i apart: the
    // 1x1 stride-2 layer reads every other row and column). Such tasks copy
    // a part of every dy position and read every x position at the same
    // time as the other tasks; without the prefetches their dy copies and
    // GEMMs took 3-6% more kernel CPU samples than one task's (row e, AVX2,
    // 2 threads).
    auto prefetchChannelsLastItem = [&](OpBuilder &bld, Location l, Value n,
                                        Value firstRow, OpFoldResult cOffset,
                                        OpFoldResult fOffset) {
      // Positions along each spatial dimension, and the offset of the
      // position of index i from the block's first.
      SmallVector<int64_t> dyPositions(blockSizes), xPositions, xStep;
      for (unsigned i = 0; i < r; ++i) {
        bool origins = kernel[i] == 1;
        xPositions.push_back(origins
                                 ? blockSizes[i]
                                 : (blockSizes[i] - 1) * p.strides[i] +
                                       (kernel[i] - 1) * p.dilations[i] + 1);
        xStep.push_back(origins ? p.strides[i] : 1);
      }
      int64_t dyLine = cpu::elementsPerCacheLine(dyBytes);
      int64_t xLine = cpu::elementsPerCacheLine(xBytes);
      int64_t dyLines = llvm::divideCeil(taskF, dyLine);
      int64_t xLines = llvm::divideCeil(taskC, xLine);
      int64_t itemBytes = computeProduct(dyPositions) * taskF * dyBytes +
                          computeProduct(xPositions) * taskC * xBytes;
      int64_t locality = cpu::getStagedRowsPrefetchLocality(itemBytes, target);
      // One marked loop over positions x lines of `buffer` (channels-last
      // coordinates): position index -> spatial indices (dimension i:
      // offset[i] + index * step[i]), line -> channel.
      auto prefetchPositions = [&](Value tensor, ArrayRef<int64_t> sizes,
                                   ArrayRef<int64_t> steps,
                                   SmallVector<Value> origin, int64_t lines,
                                   int64_t line, int64_t channels,
                                   OpFoldResult channelOffset) {
        Value buffer = readOnlyBuffer(bld, l, tensor);
        markedPrefetchLoop(
            bld, l, computeProduct(sizes) * lines,
            [&](OpBuilder &b, Location bl, Value j) {
              auto [rest, lineIndex] = divRem(b, bl, j, lines);
              SmallVector<Value> indices(last.rank());
              indices[0] = n;
              for (int i = r - 1; i >= 0; --i) {
                Value index = rest;
                if (i > 0) {
                  auto [outer, inner] = divRem(b, bl, rest, sizes[i]);
                  index = inner;
                  rest = outer;
                }
                if (steps[i] != 1)
                  index = arith::MulIOp::create(
                      b, bl, index,
                      arith::ConstantIndexOp::create(b, bl, steps[i]));
                if (origin[i])
                  index = arith::AddIOp::create(b, bl, origin[i], index);
                indices[last.spatial(i)] = index;
              }
              Value channel = lineStart(b, bl, lineIndex, line, channels - 1);
              indices[last.channel()] = arith::AddIOp::create(
                  b, bl, getValueOrCreateConstantIndexOp(b, bl, channelOffset),
                  channel);
              prefetchAt(b, bl, buffer, indices, locality);
            });
      };
      SmallVector<Value> dyOrigin(r), xOrigin(r);
      dyOrigin[0] = firstRow;
      xOrigin[0] = arith::MulIOp::create(
          bld, l, firstRow,
          arith::ConstantIndexOp::create(bld, l, p.strides[0]));
      prefetchPositions(dy, dyPositions, SmallVector<int64_t>(r, 1), dyOrigin,
                        dyLines, dyLine, taskF, fOffset);
      prefetchPositions(x, xPositions, xStep, xOrigin, xLines, xLine, taskC,
                        cOffset);
    };
    // Only when the work items stage x too: with x transposed once before
    // the tasks, the GEMMs stream it from memory themselves, and prefetches
    // of dy competed with that (AVX2 2 threads, row e: 13% slower).
    // Prefetching the next item's window of that transposed x as well (one
    // contiguous run of rows) did not pay either: kernel CPU samples within
    // noise (median of 5: -2% with the dy prefetches, +2% without them).
    auto prefetchWorkItem = [&](OpBuilder &bld, Location l, Value n,
                                Value firstRow, OpFoldResult cOffset,
                                OpFoldResult fOffset) {
      if (r < 2 || !staged || !plan.prefetchNextItem)
        return;
      if (pos.channelsLast) {
        prefetchChannelsLastItem(bld, l, n, firstRow, cOffset, fOffset);
        return;
      }
      if (!stagedX)
        return;
      // dy[n, f, firstRow.., :]: rowsPerBlock * O_2 * .. contiguous
      // elements per channel, one prefetch per line and one at the end.
      int64_t run = rowsPerBlock;
      for (unsigned i = 1; i < r; ++i)
        run *= outSizes[i];
      int64_t dyLine = cpu::elementsPerCacheLine(dyBytes);
      int64_t dyPoints = llvm::divideCeil(run - 1, dyLine) + 1;
      // x[n, c, row, .., :] for the inputBlockRows rows from firstRow * s_1
      // - lo_1 (clamped into x), all positions of the inner dimensions.
      int64_t innerStride = 1;
      if (auto slice = x.getDefiningOp<tensor::ExtractSliceOp>())
        if (std::optional<int64_t> stride =
                getConstantIntValue(slice.getMixedStrides().back()))
          innerStride = std::max<int64_t>(1, *stride);
      int64_t xLine =
          std::max<int64_t>(1, cpu::elementsPerCacheLine(xBytes) / innerStride);
      int64_t width = inSizes[r - 1];
      int64_t xPoints = llvm::divideCeil(width - 1, xLine) + 1;
      int64_t perChannel = inputBlockRows * xPoints;
      for (unsigned i = 1; i + 1 < r; ++i)
        perChannel *= inSizes[i];
      // The cache level they go to, for the item's bytes: taskF runs of dy
      // and taskC x rows (all the lines the prefetches touch).
      int64_t itemBytes =
          taskF * run * dyBytes +
          taskC * (perChannel / xPoints) * width * xBytes * innerStride;
      int64_t locality = cpu::getStagedRowsPrefetchLocality(itemBytes, target);
      Value dyBuffer = readOnlyBuffer(bld, l, dy);
      markedPrefetchLoop(
          bld, l, taskF * dyPoints, [&](OpBuilder &b, Location bl, Value j) {
            auto [channel, point] = divRem(b, bl, j, dyPoints);
            Value e = lineStart(b, bl, point, dyLine, run - 1);
            SmallVector<Value> indices(pos.rank());
            indices[0] = n;
            indices[pos.channel()] = arith::AddIOp::create(
                b, bl, getValueOrCreateConstantIndexOp(b, bl, fOffset),
                channel);
            for (unsigned i = r - 1; i >= 1; --i) {
              auto [rest, index] = divRem(b, bl, e, outSizes[i]);
              indices[pos.spatial(i)] = index;
              e = rest;
            }
            indices[pos.spatial(0)] = arith::AddIOp::create(b, bl, firstRow, e);
            prefetchAt(b, bl, dyBuffer, indices, locality);
          });
      // The x rows, row by row.
      Value xBuffer = readOnlyBuffer(bld, l, x);
      Value firstInputRow = firstInputRowOf(bld, l, firstRow);
      markedPrefetchLoop(
          bld, l, taskC * perChannel, [&](OpBuilder &b, Location bl, Value j) {
            SmallVector<Value> indices(pos.rank());
            auto [rest, point] = divRem(b, bl, j, xPoints);
            indices[pos.spatial(r - 1)] =
                lineStart(b, bl, point, xLine, width - 1);
            for (unsigned i = r - 2; i >= 1; --i) {
              auto [outer, index] = divRem(b, bl, rest, inSizes[i]);
              indices[pos.spatial(i)] = index;
              rest = outer;
            }
            auto [channel, row] = divRem(b, bl, rest, inputBlockRows);
            Value inputRow = arith::AddIOp::create(b, bl, firstInputRow, row);
            indices[pos.spatial(0)] = arith::MinSIOp::create(
                b, bl,
                arith::MaxSIOp::create(
                    b, bl, inputRow, arith::ConstantIndexOp::create(b, bl, 0)),
                arith::ConstantIndexOp::create(b, bl, inSizes[0] - 1));
            indices[0] = n;
            indices[pos.channel()] = arith::AddIOp::create(
                b, bl, getValueOrCreateConstantIndexOp(b, bl, cOffset),
                channel);
            prefetchAt(b, bl, xBuffer, indices, locality);
          });
    };

    // The loop nest accumulating into `inits[0]` ([taps * A', B']) the
    // channels [aOffset, aOffset + A') x [bOffset, bOffset + B') of every
    // image and block of output rows, or with `workItems` = (first, count)
    // the `count` of those from `first` on (work item i: image i /
    // rowBlocksPerImage, block i % that) only. Staged, `inits` also holds the
    // task's staging buffers.
    auto buildNest =
        [&](OpBuilder &builder, ValueRange inits, OpFoldResult aOffset,
            OpFoldResult bOffset,
            std::optional<std::pair<Value, Value>> workItems) -> scf::LoopNest {
      OpFoldResult cOffset = lanesAlongC ? bOffset : aOffset;
      OpFoldResult fOffset = lanesAlongC ? aOffset : bOffset;
      // Image and row-block loops (or one work-item loop), then the taps.
      SmallVector<Value> outerLbs(lbs.begin(), lbs.begin() + 2),
          outerUbs(ubs.begin(), ubs.begin() + 2),
          outerSteps(steps.begin(), steps.begin() + 2);
      if (workItems) {
        outerLbs = {zero};
        outerUbs = {workItems->second};
        outerSteps = {one};
      }
      return scf::buildLoopNest(
          builder, loc, outerLbs, outerUbs, outerSteps, inits,
          [&](OpBuilder &ob, Location ol, ValueRange outerIvs,
              ValueRange outerArgs) -> scf::ValueVector {
            Value n = outerIvs[0], rowBlock;
            if (workItems) {
              Value perImage =
                  arith::ConstantIndexOp::create(ob, ol, rowBlocksPerImage);
              Value item =
                  arith::AddIOp::create(ob, ol, workItems->first, outerIvs[0]);
              n = arith::DivUIOp::create(ob, ol, item, perImage);
              rowBlock = arith::RemUIOp::create(ob, ol, item, perImage);
            } else {
              rowBlock = outerIvs[1];
            }
            Value firstRow = arith::MulIOp::create(
                ob, ol, rowBlock,
                arith::ConstantIndexOp::create(ob, ol, rowsPerBlock));
            scf::ValueVector yielded(outerArgs.begin(), outerArgs.end());
            // dy[n:n+1, o_1 block]: [1, O'..., F'] and the window origin of
            // x: the padded x at image n, row firstRow * s_1, or the staged
            // x (whose row 0 is that row).
            Value dyBlock, xSource = x;
            SmallVector<OpFoldResult> xOrigin(last.rank(), ob.getIndexAttr(0));
            if (!stagedX) {
              xOrigin[0] = n;
              xOrigin[xPos.spatial(0)] =
                  arith::MulIOp::create(
                      ob, ol, firstRow,
                      arith::ConstantIndexOp::create(ob, ol, p.strides[0]))
                      .getResult();
              xOrigin[xPos.channel()] = cOffset;
            }
            if (staged) {
              SmallVector<OpFoldResult> offsets(pos.rank(), ob.getIndexAttr(0));
              SmallVector<OpFoldResult> sizes(pos.rank());
              SmallVector<OpFoldResult> unit(pos.rank(), ob.getIndexAttr(1));
              offsets[0] = n;
              offsets[pos.channel()] = fOffset;
              offsets[pos.spatial(0)] = firstRow;
              sizes[0] = ob.getIndexAttr(1);
              sizes[pos.channel()] = ob.getIndexAttr(taskF);
              for (unsigned i = 0; i < r; ++i)
                sizes[pos.spatial(i)] = ob.getIndexAttr(blockSizes[i]);
              Value dySlice = tensor::ExtractSliceOp::create(
                  ob, ol, dy, offsets, sizes, unit);
              // The loop-carried staging buffers: x's (when staged), dy's.
              unsigned dyArg = stagedX ? 2 : 1;
              yielded[dyArg] = transposeIntoChannels(ob, ol, dySlice,
                                                     outerArgs[dyArg], taskF);
              dyBlock = channelsOf(ob, ol, yielded[dyArg], taskF);
              if (stagedX) {
                xSource = stageInputRows(ob, ol, outerArgs[1], n, firstRow,
                                         cOffset);
                yielded[1] = xSource;
              }
              // The next work item's rows, prefetched during this one's
              // GEMMs: the next block of the image, else block 0 of the next
              // image (the last item: its own rows again).
              Value nextN, nextBlock;
              Value perImage =
                  arith::ConstantIndexOp::create(ob, ol, rowBlocksPerImage);
              if (workItems) {
                Value item = arith::AddIOp::create(ob, ol, workItems->first,
                                                   outerIvs[0]);
                Value lastItem = arith::SubIOp::create(
                    ob, ol,
                    arith::AddIOp::create(ob, ol, workItems->first,
                                          workItems->second),
                    one);
                Value next = arith::MinUIOp::create(
                    ob, ol, arith::AddIOp::create(ob, ol, item, one), lastItem);
                nextN = arith::DivUIOp::create(ob, ol, next, perImage);
                nextBlock = arith::RemUIOp::create(ob, ol, next, perImage);
              } else {
                Value block = arith::AddIOp::create(ob, ol, rowBlock, one);
                Value wrap = arith::CmpIOp::create(
                    ob, ol, arith::CmpIPredicate::eq, block, perImage);
                Value lastImage = arith::SubIOp::create(ob, ol, ubs[0], one);
                Value image = arith::MinUIOp::create(
                    ob, ol, arith::AddIOp::create(ob, ol, n, one), lastImage);
                nextN = arith::SelectOp::create(ob, ol, wrap, image, n);
                nextBlock = arith::SelectOp::create(ob, ol, wrap, zero, block);
              }
              prefetchWorkItem(
                  ob, ol, nextN,
                  arith::MulIOp::create(
                      ob, ol, nextBlock,
                      arith::ConstantIndexOp::create(ob, ol, rowsPerBlock)),
                  cOffset, fOffset);
            } else {
              SmallVector<OpFoldResult> offsets(last.rank(),
                                                ob.getIndexAttr(0));
              SmallVector<OpFoldResult> sizes(last.rank(), ob.getIndexAttr(1));
              SmallVector<OpFoldResult> unit(last.rank(), ob.getIndexAttr(1));
              offsets[0] = n;
              offsets[last.spatial(0)] = firstRow;
              for (unsigned i = 0; i < r; ++i)
                sizes[last.spatial(i)] = ob.getIndexAttr(blockSizes[i]);
              offsets[last.channel()] = fOffset;
              sizes[last.channel()] = ob.getIndexAttr(taskF);
              dyBlock = tensor::ExtractSliceOp::create(ob, ol, dyBlockType, dy,
                                                       offsets, sizes, unit);
            }
            SmallVector<Value> tapLbs(lbs.begin() + 2, lbs.end()),
                tapUbs(ubs.begin() + 2, ubs.end()),
                tapSteps(steps.begin() + 2, steps.end());
            // The taps' GEMMs on the block's output rows [subRow, subRow +
            // gemmRows) (subRow null: the whole block) accumulated into
            // `accIn`.
            auto buildTaps = [&](OpBuilder &tb, Location tl, Value accIn,
                                 Value subRow) -> Value {
              Value dyGemm = dyBlock, xSubRow;
              if (subRow) {
                SmallVector<OpFoldResult> offsets(last.rank(),
                                                  tb.getIndexAttr(0));
                SmallVector<OpFoldResult> sizes(last.rank(),
                                                tb.getIndexAttr(1));
                SmallVector<OpFoldResult> unit(last.rank(), tb.getIndexAttr(1));
                offsets[last.spatial(0)] = subRow;
                for (unsigned i = 0; i < r; ++i)
                  sizes[last.spatial(i)] = tb.getIndexAttr(gemmSizes[i]);
                sizes[last.channel()] = tb.getIndexAttr(taskF);
                dyGemm = tensor::ExtractSliceOp::create(
                    tb, tl, dySliceType, dyBlock, offsets, sizes, unit);
                xSubRow = arith::MulIOp::create(
                    tb, tl, subRow,
                    arith::ConstantIndexOp::create(tb, tl, p.strides[0]));
              }
              scf::LoopNest taps = scf::buildLoopNest(
                  tb, tl, tapLbs, tapUbs, tapSteps, ValueRange{accIn},
                  [&](OpBuilder &bld, Location l, ValueRange tapIvs,
                      ValueRange iterArgs) -> scf::ValueVector {
                    // x[origin + k * d + o * s, :]: [1, O'..., C'].
                    SmallVector<OpFoldResult> offsets(xOrigin);
                    SmallVector<OpFoldResult> sizes(last.rank(),
                                                    bld.getIndexAttr(1));
                    SmallVector<OpFoldResult> strides(last.rank(),
                                                      bld.getIndexAttr(1));
                    // The staged x is channels-last whatever x is.
                    ConvDimPositions tapPos = stagedX ? last : xPos;
                    sizes[tapPos.channel()] = bld.getIndexAttr(taskC);
                    for (unsigned i = 0; i < r; ++i) {
                      Value start =
                          arith::MulIOp::create(bld, l, tapIvs[i],
                                                arith::ConstantIndexOp::create(
                                                    bld, l, p.dilations[i]));
                      if (i == 0 && !stagedX)
                        start = arith::AddIOp::create(
                            bld, l, start,
                            getValueOrCreateConstantIndexOp(
                                bld, l, xOrigin[tapPos.spatial(0)]));
                      if (i == 0 && xSubRow)
                        start = arith::AddIOp::create(bld, l, start, xSubRow);
                      offsets[tapPos.spatial(i)] = start;
                      sizes[tapPos.spatial(i)] = bld.getIndexAttr(gemmSizes[i]);
                      strides[tapPos.spatial(i)] =
                          bld.getIndexAttr(p.strides[i]);
                    }
                    Value xTap = tensor::ExtractSliceOp::create(
                        bld, l, xSliceType, xSource, offsets, sizes, strides);
                    // acc[t * A : (t + 1) * A, :] with t the linear tap index.
                    Value tap = tapIvs[0];
                    for (unsigned i = 1; i < r; ++i)
                      tap = arith::AddIOp::create(
                          bld, l,
                          arith::MulIOp::create(bld, l, tap,
                                                arith::ConstantIndexOp::create(
                                                    bld, l, kernel[i])),
                          tapIvs[i]);
                    Value row = arith::MulIOp::create(
                        bld, l, tap,
                        arith::ConstantIndexOp::create(bld, l, taskA));
                    SmallVector<OpFoldResult> blockOffsets = {
                        row, bld.getIndexAttr(0)};
                    SmallVector<OpFoldResult> accBlockSizes = {
                        bld.getIndexAttr(taskA), bld.getIndexAttr(taskB)};
                    SmallVector<OpFoldResult> blockStrides(2,
                                                           bld.getIndexAttr(1));
                    Value block = tensor::ExtractSliceOp::create(
                        bld, l, blockType, iterArgs[0], blockOffsets,
                        accBlockSizes, blockStrides);

                    Value lhs = lanesAlongC ? dyGemm : xTap;
                    Value rhs = lanesAlongC ? xTap : dyGemm;
                    auto gemmOp =
                        createTaggedGemm(bld, l, lhs, rhs, block, gemmTiling,
                                         /*lhsChannelsFirst=*/xInPlace);
                    Value updated = tensor::InsertSliceOp::create(
                        bld, l, gemmOp.getResult(0), iterArgs[0], blockOffsets,
                        accBlockSizes, blockStrides);
                    return {updated};
                  });
              return taps.results.front();
            };
            if (gemmRows == rowsPerBlock) {
              yielded[0] = buildTaps(ob, ol, outerArgs[0], Value());
              return yielded;
            }
            auto subBlocks = scf::ForOp::create(
                ob, ol, arith::ConstantIndexOp::create(ob, ol, 0),
                arith::ConstantIndexOp::create(ob, ol, rowsPerBlock),
                arith::ConstantIndexOp::create(ob, ol, gemmRows),
                ValueRange{outerArgs[0]},
                [&](OpBuilder &sb, Location sl, Value subRow,
                    ValueRange subArgs) {
                  scf::YieldOp::create(sb, sl,
                                       buildTaps(sb, sl, subArgs[0], subRow));
                });
            yielded[0] = subBlocks.getResult(0);
            return yielded;
          });
    };

    Value result;
    if (tasks == 1) {
      SmallVector<Value> inits = {acc};
      if (staged)
        inits.append(createStagingBuffers(rewriter, loc, 1));
      scf::LoopNest nest = buildNest(rewriter, inits, rewriter.getIndexAttr(0),
                                     rewriter.getIndexAttr(0), std::nullopt);
      rewriter.setInsertionPointAfter(nest.loops.front());
      // [K_1 * .. * K_R * A, B] -> [K..., A, B].
      result = nest.results.front();
      for (unsigned i = 0; i < r; ++i)
        result = splitDim(rewriter, loc, result, i, kernel[i]);
      result = convertElementType(rewriter, loc, result, elementType);
    } else {
      // One scf.forall outside the image, row-block and tap loops: a single
      // parallel region per wgrad, each task a long sequential run of GEMMs.
      int64_t taskRows = numTaps * taskA;
      Value shared = tensor::EmptyOp::create(
          rewriter, loc, ArrayRef<int64_t>{tasks * taskRows, taskB}, accType);
      // Staged, task t uses slice t of [T, ...] staging buffers made outside
      // the forall. Every work item overwrites a buffer before it reads it
      // (stageInputRows), so bufferization keeps the slices in place: one
      // allocation before the parallel region, none per task.
      SmallVector<Value> stagingBuffers;
      if (staged)
        stagingBuffers = createStagingBuffers(rewriter, loc, tasks);
      auto forall = scf::ForallOp::create(
          rewriter, loc, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(tasks)},
          ValueRange{shared}, /*mapping=*/std::nullopt);
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(forall.getBody());
      Value task = forall.getInductionVars().front();
      auto taskRowsAt = [&](int64_t size) -> Value {
        return arith::MulIOp::create(
            rewriter, loc, task,
            arith::ConstantIndexOp::create(rewriter, loc, size));
      };
      SmallVector<OpFoldResult> partOffsets = {taskRowsAt(taskRows),
                                               rewriter.getIndexAttr(0)};
      SmallVector<OpFoldResult> partSizes = {rewriter.getIndexAttr(taskRows),
                                             rewriter.getIndexAttr(taskB)};
      SmallVector<OpFoldResult> unitStrides(2, rewriter.getIndexAttr(1));
      Value part = tensor::ExtractSliceOp::create(
          rewriter, loc, forall.getRegionIterArgs().front(), partOffsets,
          partSizes, unitStrides);
      Value zeroAcc = arith::ConstantOp::create(
          rewriter, loc, accType, rewriter.getFloatAttr(accType, 0.0));
      part = linalg::FillOp::create(rewriter, loc, ValueRange{zeroAcc},
                                    ValueRange{part})
                 .getResult(0);
      OpFoldResult zeroAttr = rewriter.getIndexAttr(0);
      OpFoldResult aOffset = splitRows ? taskRowsAt(taskA) : zeroAttr;
      OpFoldResult bOffset = splitLanes ? taskRowsAt(taskB) : zeroAttr;
      std::optional<std::pair<Value, Value>> workItems;
      if (splitPositions) {
        // Task t: work items [t * W / T, (t + 1) * W / T) of the W =
        // N * rowBlocksPerImage (balanced to one item, N dynamic or not).
        // The loop runs from 0 to the task's item count, a constant when T
        // divides a static W: one-shot bufferization keeps a loop-carried
        // staging buffer in place only in a loop that surely runs (with a
        // dynamic trip count, each task got a fresh, unpadded buffer
        // allocated in every call instead of its slice of the shared one).
        Value work = arith::MulIOp::create(rewriter, loc, ubs[0], ubs[1]);
        Value numTasks = arith::ConstantIndexOp::create(rewriter, loc, tasks);
        auto boundary = [&](Value t) -> Value {
          return arith::DivUIOp::create(
              rewriter, loc, arith::MulIOp::create(rewriter, loc, t, work),
              numTasks);
        };
        std::optional<int64_t> images = getConstantIntValue(ubs[0]);
        std::optional<int64_t> blocks = getConstantIntValue(ubs[1]);
        Value first, count;
        if (images && blocks && (*images * *blocks) % tasks == 0) {
          // Even split: task t runs items [t * c, (t + 1) * c), c constant.
          count = arith::ConstantIndexOp::create(rewriter, loc,
                                                 *images * *blocks / tasks);
          first = arith::MulIOp::create(rewriter, loc, task, count);
        } else {
          first = boundary(task);
          count = arith::SubIOp::create(
              rewriter, loc,
              boundary(arith::AddIOp::create(rewriter, loc, task, one)), first);
        }
        workItems = {first, count};
      }
      SmallVector<Value> inits = {part};
      for (Value buffer : stagingBuffers)
        inits.push_back(sliceAlongDim(rewriter, loc, buffer, 0, task, 1));
      scf::LoopNest nest =
          buildNest(rewriter, inits, aOffset, bOffset, workItems);
      rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
      tensor::ParallelInsertSliceOp::create(
          rewriter, loc, nest.results.front(),
          forall.getRegionIterArgs().front(), partOffsets, partSizes,
          unitStrides);
      rewriter.setInsertionPointAfter(forall);

      if (splitPositions) {
        // [T * taps * A, B] -> the sum of the T parts [taps * A, B] ->
        // [K..., A, B].
        result = sumBlocksAlongDim0(rewriter, loc, forall.getResult(0),
                                    tasks, elementType);
        for (unsigned i = 0; i < r; ++i)
          result = splitDim(rewriter, loc, result, i, kernel[i]);
      } else {
        // [T * taps * A', B'] -> [T, K..., A', B'].
        result = splitDim(rewriter, loc, forall.getResult(0), 0, tasks);
        for (unsigned i = 0; i < r; ++i)
          result = splitDim(rewriter, loc, result, i + 1, kernel[i]);
        result = convertElementType(rewriter, loc, result, elementType);
      }
    }

    // 5. [K..., A, B] -> the op's layout: [F, K..., C] or [F, C, K...].
    int64_t fDim = lanesAlongC ? r : r + 1, cDim = lanesAlongC ? r + 1 : r;
    SmallVector<int64_t> perm = {fDim};
    if (!pos.channelsLast)
      perm.push_back(cDim);
    for (unsigned i = 0; i < r; ++i)
      perm.push_back(i);
    if (pos.channelsLast)
      perm.push_back(cDim);
    // The dims of `result` that each of [K..., A, B] is: after a channel
    // split, result is [T, K..., A', B'], and A (rows split) or B (lanes)
    // is (T, A') or (T, B'). One transpose then puts every dim in place and
    // the task dim next to the one it split, which a collapse merges (two
    // transposes of the whole filter gradient before: 2.4 MB each for the
    // 3x3 256 -> 256 layer at 2 threads).
    bool channelSplit = splitRows || splitLanes;
    SmallVector<SmallVector<int64_t, 2>> dimsOf;
    for (unsigned i = 0; i < r + 2; ++i)
      dimsOf.push_back({channelSplit ? i + 1 : i});
    if (channelSplit) {
      SmallVector<int64_t, 2> &splitDims = dimsOf[splitRows ? r : r + 1];
      splitDims.insert(splitDims.begin(), 0);
    }
    SmallVector<int64_t> resultPerm;
    std::optional<int64_t> mergeAt;
    for (int64_t d : perm) {
      if (dimsOf[d].size() == 2)
        mergeAt = resultPerm.size();
      resultPerm.append(dimsOf[d].begin(), dimsOf[d].end());
    }
    result = transposeTensor(rewriter, loc, result, resultPerm);
    if (mergeAt)
      result = mergeDims(rewriter, loc, result, *mergeAt);
    rewriter.replaceOp(op, result);
    return success();
  }

private:
  cpu::CPUTarget target;
  /// Overrides of the strategy's task count and dy budget (0: none).
  int64_t parallelTasks;
  int64_t blockBytes;
};

struct WgradToGemmPass
    : public convgrad::impl::ConvGradCPUWgradToGemmBase<WgradToGemmPass> {
  using Base::Base;

  void runOnOperation() override {
    if (failed(applyPatternsForTarget(
            getOperation(), [&](RewritePatternSet &patterns,
                                const cpu::CPUTarget &target) {
              populateWgradToGemmPatterns(patterns, target, parallelTasks,
                                          blockBytes);
            })))
      return signalPassFailure();
  }
};

} // namespace

void mlir::convgrad::populateWgradToGemmPatterns(
    RewritePatternSet &patterns, const cpu::CPUTarget &target,
    int64_t parallelTasks, int64_t blockBytes, PatternBenefit benefit) {
  patterns.add<DecomposeConvBackwardFilterAsGemm>(
      patterns.getContext(), benefit, target, parallelTasks, blockBytes);
  populateSplitWideGroupWgradPatterns(patterns, target, benefit);
}

linalg::GenericOp mlir::convgrad::createTaggedGemm(
    OpBuilder &b, Location loc, Value lhs, Value rhs, Value block,
    const cpu::GemmTiling &tiling, bool lhsChannelsFirst) {
  unsigned numReductions = cast<ShapedType>(lhs.getType()).getRank() - 1;
  SmallVector<utils::IteratorType> iterators(2 + numReductions,
                                             utils::IteratorType::reduction);
  iterators[0] = iterators[1] = utils::IteratorType::parallel;
  auto gemm = linalg::GenericOp::create(
      b, loc, TypeRange{block.getType()}, ValueRange{lhs, rhs},
      ValueRange{block},
      getWgradGemmIndexingMaps(b.getContext(), numReductions, lhsChannelsFirst),
      iterators, /*doc=*/"", /*libraryCall=*/"",
      [](OpBuilder &bb, Location bl, ValueRange args) {
        linalg::YieldOp::create(
            bb, bl, multiplyAccumulate(bb, bl, args[2], args[0], args[1]));
      });
  SmallVector<int64_t> sizes = {tiling.rowTile, tiling.laneTile,
                                tiling.reductionTile};
  if (tiling.rowSplit || tiling.laneSplit)
    sizes.append({tiling.rowSplit, tiling.laneSplit});
  gemm->setAttr(kGemmTilingAttrName, b.getDenseI64ArrayAttr(sizes));
  if (tiling.passRows > 1)
    gemm->setAttr(kGemmPassRowsAttrName,
                  b.getI64IntegerAttr(tiling.passRows));
  if (tiling.laneSplit && tiling.swappedRemainderLanes)
    gemm->setAttr(kGemmSwappedRemainderLanesAttrName,
                  b.getI64IntegerAttr(tiling.swappedRemainderLanes));
  if (tiling.laneBlocksOuter)
    gemm->setAttr(kGemmLaneBlocksOuterAttrName, b.getUnitAttr());
  return gemm;
}

SmallVector<AffineMap, 3> mlir::convgrad::getWgradGemmIndexingMaps(
    MLIRContext *ctx, unsigned numReductions, bool lhsChannelsFirst) {
  unsigned numLoops = 2 + numReductions;
  auto operandMap = [&](unsigned channelLoop) {
    SmallVector<AffineExpr> exprs;
    for (unsigned i = 2; i < numLoops; ++i)
      exprs.push_back(getAffineDimExpr(i, ctx));
    exprs.push_back(getAffineDimExpr(channelLoop, ctx));
    return AffineMap::get(numLoops, 0, exprs, ctx);
  };
  AffineMap blockMap = AffineMap::get(
      numLoops, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)}, ctx);
  AffineMap lhsMap = operandMap(0);
  if (lhsChannelsFirst) {
    // (r_1, a, r_2, ...): the image, the channel, the positions.
    SmallVector<AffineExpr> exprs = {getAffineDimExpr(2, ctx),
                                     getAffineDimExpr(0, ctx)};
    for (unsigned i = 3; i < numLoops; ++i)
      exprs.push_back(getAffineDimExpr(i, ctx));
    lhsMap = AffineMap::get(numLoops, 0, exprs, ctx);
  }
  return {lhsMap, operandMap(1), blockMap};
}
