//===- FuseResultTransposes.cpp - Layout transposes inside the conv tasks -===//
//
// The vector path computes a channels-first convolution in channels-last
// between transposes. Tiled, the convolution is an scf.forall whose tasks
// (one image, a block of output rows) each write a [1, rows, W, C] tile of a
// whole channels-last result, which a linalg.transpose then moves to the
// channels-first result: one more pass over the whole tensor, through L3 or
// memory when it is larger than the L2. This pass fuses that transpose into
// the forall as a consumer (scf::tileAndFuseConsumer): each task transposes
// its own tile, still in its L2, into its slice of the channels-first
// result. The channels-last result is then needed only tile by tile: the
// task's tile starts from a tensor.empty of its own (its initial contents
// were those of an empty tensor anyway), and the whole channels-last
// shared output disappears. Which transposes move is the strategy's
// decision (cpu::fuseResultTransposeIntoTasks).
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCPUFUSERESULTTRANSPOSES
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

int64_t staticBytes(Type type) {
  auto shaped = dyn_cast<RankedTensorType>(type);
  if (!shaped || !shaped.hasStaticShape() ||
      !shaped.getElementType().isIntOrFloat())
    return -1;
  return shaped.getNumElements() *
         llvm::divideCeil(shaped.getElementType().getIntOrFloatBitWidth(), 8);
}

/// The single tensor.parallel_insert_slice of `forall` that writes into the
/// shared output tied to `result`, or null.
tensor::ParallelInsertSliceOp getTileInsert(scf::ForallOp forall,
                                            OpResult result) {
  BlockArgument sharedOut =
      forall.getTiedBlockArgument(forall.getTiedOpOperand(result));
  SmallVector<Operation *> combining = forall.getCombiningOps(sharedOut);
  if (combining.size() != 1)
    return nullptr;
  return dyn_cast<tensor::ParallelInsertSliceOp>(combining.front());
}

/// A transpose of the whole result of a forall of tiles that the strategy
/// moves into the tasks; the forall's result is used by it only.
bool isFusionCandidate(linalg::TransposeOp transpose,
                       const cpu::CPUTarget &target) {
  if (!transpose.hasPureTensorSemantics())
    return false;
  auto result = dyn_cast<OpResult>(transpose.getInput());
  auto forall = result ? dyn_cast<scf::ForallOp>(result.getOwner()) : nullptr;
  if (!forall || !result.hasOneUse() || forall.getNumResults() != 1)
    return false;
  tensor::ParallelInsertSliceOp insert = getTileInsert(forall, result);
  if (!insert)
    return false;
  int64_t resultBytes = staticBytes(result.getType());
  int64_t tileBytes = staticBytes(insert.getSourceType());
  return resultBytes > 0 && tileBytes > 0 &&
         cpu::fuseResultTransposeIntoTasks(resultBytes, tileBytes, target);
}

/// After fusion the channels-last result of `forall` (tied to `result`) is
/// unused. If its shared output is a tensor.empty, each task's slice of it
/// is an empty tensor too: the task's tile becomes a tensor.empty of its
/// own, after which the shared output only receives the tile insert, and
/// the canonicalizer drops it.
void detachTileFromSharedOutput(RewriterBase &rewriter, scf::ForallOp forall,
                                OpResult result) {
  if (!result.use_empty())
    return;
  OpOperand *init = forall.getTiedOpOperand(result);
  if (!init->get().getDefiningOp<tensor::EmptyOp>())
    return;
  BlockArgument sharedOut = forall.getTiedBlockArgument(init);
  for (OpOperand &use : llvm::make_early_inc_range(sharedOut.getUses())) {
    auto slice = dyn_cast<tensor::ExtractSliceOp>(use.getOwner());
    if (!slice || !slice.getType().hasStaticShape())
      continue;
    rewriter.setInsertionPoint(slice);
    rewriter.replaceOpWithNewOp<tensor::EmptyOp>(
        slice, slice.getType().getShape(), slice.getType().getElementType());
  }
}

struct FuseResultTransposesPass
    : public convgrad::impl::ConvGradCPUFuseResultTransposesBase<
          FuseResultTransposesPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    FailureOr<cpu::CPUTarget> target = getCPUTarget(func);
    if (failed(target))
      return signalPassFailure();

    SmallVector<linalg::TransposeOp> candidates;
    func.walk([&](linalg::TransposeOp transpose) {
      if (isFusionCandidate(transpose, *target))
        candidates.push_back(transpose);
    });

    IRRewriter rewriter(&getContext());
    for (linalg::TransposeOp transpose : candidates) {
      auto forall = cast<scf::ForallOp>(transpose.getInput().getDefiningOp());
      // The fused transpose writes its tile into a slice of its init, which
      // becomes a shared output of the forall: it must exist before it (a
      // tensor.empty created after the forall moves up).
      Value transposeInit = transpose.getInit();
      Operation *initOp = transposeInit.getDefiningOp();
      DominanceInfo dominance(func);
      if (!dominance.properlyDominates(transposeInit, forall)) {
        if (!isa_and_present<tensor::EmptyOp>(initOp) ||
            initOp->getNumOperands() != 0)
          continue;
        rewriter.moveOpBefore(initOp, forall);
      }
      SmallVector<LoopLikeOpInterface> loops = {
          cast<LoopLikeOpInterface>(forall.getOperation())};
      FailureOr<scf::SCFFuseConsumerOfSliceResult> fused =
          scf::tileAndFuseConsumer(rewriter, transpose, loops);
      if (failed(fused))
        continue;
      if (transpose->use_empty())
        rewriter.eraseOp(transpose);
      auto newForall = cast<scf::ForallOp>(loops.front().getOperation());
      detachTileFromSharedOutput(rewriter, newForall,
                                 cast<OpResult>(newForall.getResult(0)));
    }
  }
};

} // namespace
