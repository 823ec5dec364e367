//===- VectorizeDataMovement.cpp - Vector copies, fills and transposes ----===//
//
// After bufferization, the data movement around the convolutions (layout
// transposes, the copies and fills that materialize tensor.pad and zero
// insertion, type conversions, the filter reverse) is a set of parallel
// linalg ops on memrefs. Lowered to loops they move one element per
// iteration. This pass tiles each of them so that a tile spans the
// contiguous innermost dimension (for a transpose also the dimension that is
// contiguous in its input) and vectorizes the tile: copies become vector
// loads and stores, transposes 2-D vector transposes.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADVECTORIZEDATAMOVEMENT
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;

namespace {

using mlir::convgrad::cpu::largestDivisorAtMost;

/// Rewrites a transpose on memrefs over fewer dimensions: output dimensions
/// that are also consecutive, in order, in the input move as one (NCHW ->
/// NHWC is [N, C, H*W] -> [N, H*W, C]). The merged dimension is larger, so a
/// transpose tile can span a full vector more often (28 x 28 = 49 x 16).
/// Returns the new op, or null if nothing merges or the buffers' layouts
/// cannot merge.
linalg::TransposeOp collapseTransposeDims(RewriterBase &rewriter,
                                          linalg::TransposeOp op) {
  if (!op.hasPureBufferSemantics())
    return nullptr;
  ArrayRef<int64_t> perm = op.getPermutation();
  // Groups of output dimensions [begin, end) with consecutive input dims.
  SmallVector<std::pair<int64_t, int64_t>> outputGroups;
  for (int64_t i = 0, e = perm.size(); i < e; ++i) {
    if (!outputGroups.empty() && perm[i] == perm[i - 1] + 1)
      outputGroups.back().second = i + 1;
    else
      outputGroups.push_back({i, i + 1});
  }
  if (outputGroups.size() == perm.size())
    return nullptr;
  SmallVector<ReassociationIndices> outputReassoc;
  for (auto [begin, end] : outputGroups)
    outputReassoc.push_back(llvm::to_vector(llvm::seq<int64_t>(begin, end)));
  // The same groups in input order; the new permutation sends output group
  // g to the input group that starts at perm[begin of g].
  SmallVector<int64_t> groupStarts;
  for (auto [begin, end] : outputGroups)
    groupStarts.push_back(perm[begin]);
  SmallVector<int64_t> inputOrder =
      llvm::to_vector(llvm::seq<int64_t>(0, outputGroups.size()));
  llvm::sort(inputOrder,
             [&](int64_t a, int64_t b) { return groupStarts[a] < groupStarts[b]; });
  SmallVector<ReassociationIndices> inputReassoc;
  SmallVector<int64_t> newPerm(outputGroups.size());
  for (auto [position, group] : llvm::enumerate(inputOrder)) {
    auto [begin, end] = outputGroups[group];
    inputReassoc.push_back(llvm::to_vector(
        llvm::seq<int64_t>(perm[begin], perm[begin] + (end - begin))));
    newPerm[group] = position;
  }
  auto inputType = cast<MemRefType>(op.getInput().getType());
  auto outputType = cast<MemRefType>(op.getInit().getType());
  if (!memref::CollapseShapeOp::isGuaranteedCollapsible(inputType,
                                                        inputReassoc) ||
      !memref::CollapseShapeOp::isGuaranteedCollapsible(outputType,
                                                        outputReassoc))
    return nullptr;
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value input = memref::CollapseShapeOp::create(rewriter, loc, op.getInput(),
                                                inputReassoc);
  Value output = memref::CollapseShapeOp::create(rewriter, loc, op.getInit(),
                                                 outputReassoc);
  auto collapsed =
      linalg::TransposeOp::create(rewriter, loc, input, output, newPerm);
  rewriter.eraseOp(op);
  return collapsed;
}

struct VectorizeDataMovementPass
    : public convgrad::impl::ConvGradVectorizeDataMovementBase<
          VectorizeDataMovementPass> {
  using Base::Base;

  /// Tile sizes giving one vector-sized tile, or nullopt to leave `op` alone.
  std::optional<SmallVector<int64_t>>
  getTileSizes(linalg::LinalgOp op, const mlir::convgrad::cpu::DataMovementTiling &tiling) {
    if (!op.hasPureBufferSemantics() ||
        op.getNumParallelLoops() != op.getNumLoops() || op.getNumLoops() == 0)
      return std::nullopt;
    if (!isa<linalg::FillOp, linalg::CopyOp, linalg::TransposeOp,
             linalg::GenericOp, linalg::MapOp>(op))
      return std::nullopt;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return std::nullopt;
    // Zero-size ops have nothing to vectorize (and upstream tiling crashes on
    // zero-trip loops; see TileAndVectorizeConvs).
    if (llvm::is_contained(ranges, 0))
      return std::nullopt;
    // Only ops whose maps are permutations (copies, casts, transposes);
    // anything reading `n - 1 - i` (reverse) or broadcasting stays scalar.
    for (AffineMap map : op.getIndexingMapsArray())
      if (!map.isPermutation() && !(map.getNumResults() == 0))
        return std::nullopt;
    unsigned n = ranges.size();
    SmallVector<int64_t> sizes(n, 1);
    sizes[n - 1] = largestDivisorAtMost(ranges[n - 1], tiling.innerTile);
    if (auto transpose = dyn_cast<linalg::TransposeOp>(op.getOperation())) {
      // The loop over the input's innermost dimension: contiguous reads.
      ArrayRef<int64_t> perm = transpose.getPermutation();
      auto it = llvm::find(perm, int64_t(n - 1));
      unsigned inner = it - perm.begin();
      if (inner != n - 1) {
        sizes[n - 1] = largestDivisorAtMost(ranges[n - 1], tiling.transposeTile);
        sizes[inner] = largestDivisorAtMost(ranges[inner], tiling.transposeTile);
      }
    }
    int64_t elements = 1;
    for (int64_t s : sizes)
      elements *= s;
    if (elements == 1)
      return std::nullopt; // nothing to gain
    return sizes;
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());
    FailureOr<mlir::convgrad::cpu::CPUTarget> target = mlir::convgrad::getCPUTarget(func);
    if (failed(target))
      return signalPassFailure();
    mlir::convgrad::cpu::DataMovementTiling tiling =
        mlir::convgrad::cpu::getDataMovementTiling(*target);
    SmallVector<linalg::TransposeOp> transposes;
    func.walk([&](linalg::TransposeOp op) { transposes.push_back(op); });
    for (linalg::TransposeOp op : transposes)
      (void)collapseTransposeDims(rewriter, op);

    SmallVector<std::pair<linalg::LinalgOp, SmallVector<int64_t>>> work;
    func.walk([&](linalg::LinalgOp op) {
      if (std::optional<SmallVector<int64_t>> sizes = getTileSizes(op, tiling))
        work.emplace_back(op, *sizes);
    });
    for (auto &[op, sizes] : work) {
      rewriter.setInsertionPoint(op);
      scf::SCFTilingOptions options;
      SmallVector<OpFoldResult> tileSizes;
      for (int64_t s : sizes)
        tileSizes.push_back(rewriter.getIndexAttr(s));
      options.setTileSizes(tileSizes);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue;
      rewriter.eraseOp(op);
      for (Operation *tile : tiled->tiledOps) {
        rewriter.setInsertionPoint(tile);
        FailureOr<linalg::VectorizationResult> result =
            linalg::vectorize(rewriter, tile);
        if (succeeded(result))
          rewriter.eraseOp(tile);
      }
    }
  }
};

} // namespace
