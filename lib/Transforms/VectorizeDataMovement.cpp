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

#include "convgrad/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADVECTORIZEDATAMOVEMENT
#include "convgrad/Transforms/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;

namespace {

int64_t divisorAtMost(int64_t size, int64_t cap) {
  for (int64_t d = std::min(size, cap); d > 1; --d)
    if (size % d == 0)
      return d;
  return 1;
}

struct VectorizeDataMovementPass
    : public convgrad::impl::ConvGradVectorizeDataMovementBase<
          VectorizeDataMovementPass> {
  using Base::Base;

  /// Tile sizes giving one vector-sized tile, or nullopt to leave `op` alone.
  std::optional<SmallVector<int64_t>> getTileSizes(linalg::LinalgOp op) {
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
    sizes[n - 1] = divisorAtMost(ranges[n - 1], innerTile);
    if (auto transpose = dyn_cast<linalg::TransposeOp>(op.getOperation())) {
      // The loop over the input's innermost dimension: contiguous reads.
      ArrayRef<int64_t> perm = transpose.getPermutation();
      auto it = llvm::find(perm, int64_t(n - 1));
      unsigned inner = it - perm.begin();
      if (inner != n - 1) {
        sizes[n - 1] = divisorAtMost(ranges[n - 1], transposeTile);
        sizes[inner] = divisorAtMost(ranges[inner], transposeTile);
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
    SmallVector<std::pair<linalg::LinalgOp, SmallVector<int64_t>>> work;
    func.walk([&](linalg::LinalgOp op) {
      if (std::optional<SmallVector<int64_t>> sizes = getTileSizes(op))
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
