//===- LowerVectors.cpp - Vector code of the tiles, ready for LLVM --------===//
//
// After bufferization, keeps each tile's accumulator in registers and lowers
// the vector ops the linalg vectorizer produced, in separate stages: one
// pattern set with everything at once can loop for a very long time.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADLOWERVECTORS
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;

namespace {

/// The allocation `value` is a view of, or null if it is not a view of a
/// local allocation (a function argument may alias another one).
Operation *getLocalAllocation(Value value) {
  auto memref = dyn_cast<MemrefValue>(value);
  if (!memref)
    return nullptr;
  Operation *root = memref::skipViewLikeOps(memref).getDefiningOp();
  return isa_and_nonnull<memref::AllocOp, memref::AllocaOp>(root) ? root
                                                                  : nullptr;
}

/// Moves one read/write pair of the same vector out of `loop`, if the loop
/// runs at least once and nothing else in it touches the allocation; the
/// vector then travels through an iter_arg.
bool hoistAccumulatorPair(RewriterBase &rewriter, scf::ForOp loop) {
  std::optional<APInt> tripCount = loop.getStaticTripCount();
  if (!tripCount || tripCount->isZero())
    return false;
  for (auto read : loop.getBody()->getOps<vector::TransferReadOp>()) {
    Operation *alloc = getLocalAllocation(read.getBase());
    if (!alloc || !llvm::all_of(read->getOperands(), [&](Value v) {
          return loop.isDefinedOutsideOfLoop(v);
        }))
      continue;
    vector::TransferWriteOp write;
    for (auto candidate : loop.getBody()->getOps<vector::TransferWriteOp>())
      if (candidate.getBase() == read.getBase() &&
          candidate.getIndices() == read.getIndices() &&
          candidate.getVectorType() == read.getVectorType() &&
          candidate.getPermutationMap() == read.getPermutationMap() &&
          !candidate.getMask() && !read.getMask() &&
          read->isBeforeInBlock(candidate))
        write = candidate;
    if (!write)
      continue;
    // Any other access to the same allocation, through any view, may alias.
    bool aliased = false;
    loop.getBody()->walk([&](Operation *op) {
      if (op == read || op == write)
        return;
      for (Value operand : op->getOperands())
        if (isa<BaseMemRefType>(operand.getType()) &&
            getLocalAllocation(operand) == alloc)
          aliased = true;
    });
    if (aliased)
      continue;
    loop.moveOutOfLoop(read);
    write->moveAfter(loop);
    FailureOr<LoopLikeOpInterface> newLoop =
        cast<LoopLikeOpInterface>(loop.getOperation())
            .replaceWithAdditionalYields(
                rewriter, read.getResult(),
                /*replaceInitOperandUsesInLoop=*/true,
                [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
                  return SmallVector<Value>{write.getVector()};
                });
    if (failed(newLoop))
      return false;
    write.getValueToStoreMutable().assign(newLoop->getLoopResults()->back());
    return true;
  }
  return false;
}

/// Upstream's hoistRedundantVectorTransfers gives up on a buffer that has a
/// view-like user anywhere in the function, which every accumulator of a
/// channels-first convolution has (the transposes that read it back). A
/// local allocation cannot alias a function argument, so checking the uses
/// inside the loop is enough.
void hoistAccumulators(func::FuncOp func) {
  IRRewriter rewriter(func.getContext());
  bool changed = true;
  while (changed) {
    changed = false;
    func.walk([&](scf::ForOp loop) {
      if (hoistAccumulatorPair(rewriter, loop)) {
        changed = true;
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
  }
}

struct LowerVectorsPass
    : public convgrad::impl::ConvGradLowerVectorsBase<LowerVectorsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // The accumulator block of a tile is read before and written after the
    // reduction loops: hoist that pair out so it lives in registers.
    linalg::hoistRedundantVectorTransfers(func, /*verifyNonZeroTrip=*/true);
    hoistAccumulators(func);

    // 16 x 16 tiles of the layout transposes: the 8-stage unpack and shuffle
    // network; other shapes one 1-D shuffle.
    if (failed(convgrad::lowerVectorsInStages(func,
                                              /*shuffle16x16Transposes=*/true)))
      return signalPassFailure();
  }
};
} // namespace

LogicalResult mlir::convgrad::lowerVectorsInStages(func::FuncOp func,
                                                   bool shuffle16x16Transposes) {
  MLIRContext *ctx = func.getContext();
  auto applyStage = [&](function_ref<void(RewritePatternSet &)> populate) {
    RewritePatternSet patterns(ctx);
    populate(patterns);
    vector::populateVectorTransferDropUnitDimsPatterns(patterns);
    return applyPatternsGreedily(func, std::move(patterns));
  };
  if (failed(applyStage([](RewritePatternSet &p) {
        vector::populateCastAwayVectorLeadingOneDimPatterns(p);
      })) ||
      failed(applyStage([](RewritePatternSet &p) {
        vector::populateVectorContractLoweringPatterns(
            p, vector::VectorContractLowering::OuterProduct);
        vector::populateVectorOuterProductLoweringPatterns(p);
      })))
    return failure();
  return applyStage([&](RewritePatternSet &p) {
    vector::populateVectorTransferPermutationMapLoweringPatterns(p);
    vector::populateVectorMultiReductionLoweringPatterns(
        p, vector::VectorMultiReductionLowering::InnerParallel);
    vector::populateVectorBroadcastLoweringPatterns(p);
    if (shuffle16x16Transposes)
      vector::populateVectorTransposeLoweringPatterns(
          p, vector::VectorTransposeLowering::Shuffle16x16);
    vector::populateVectorShapeCastLoweringPatterns(p);
    vector::populateVectorTransferLoweringPatterns(p, /*maxRank=*/1);
  });
}
