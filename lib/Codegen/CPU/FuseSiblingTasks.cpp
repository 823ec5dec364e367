//===- FuseSiblingTasks.cpp - One task loop for siblings on the same input ===//
//
// convgrad-tile-and-vectorize tiles each convolution into its own scf.forall
// of tasks. The stride phases of a data gradient are siblings with the same
// tasks (images x blocks of output rows) that read the same rows of the same
// output gradient, as are the parts of a convolution split at a remainder of
// columns. Run one after the other, each loop streams the whole input
// through the core, and an input larger than the cache (the RGB stem's
// 27 MB output gradient) comes from memory once per loop. Fused, a task runs
// the bodies in turn on rows its first body brought into cache. The
// decision (how large a shared input must be) is cpu::fusesSiblingTasks.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/DepthwiseUtils.h"
#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/SliceUtils.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Affine/ViewLikeInterfaceUtils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/IR/TensorTilingInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"

#include <limits>
#include <numeric>

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCPUFUSESIBLINGTASKS
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

/// The tensors that `loop`'s tasks read: values from above its body, up to
/// the tensors they slice.
llvm::SetVector<Value> readTensors(scf::ForallOp loop) {
  llvm::SetVector<Value> roots;
  visitUsedValuesDefinedAbove(loop.getRegion(), [&](OpOperand *operand) {
    if (isa<RankedTensorType>(operand->get().getType()))
      roots.insert(sliceRoot(operand->get()));
  });
  return roots;
}

/// Bytes of the statically shaped tensors that both loops read.
int64_t sharedInputBytes(scf::ForallOp first, scf::ForallOp second) {
  llvm::SetVector<Value> firstReads = readTensors(first);
  int64_t bytes = 0;
  for (Value root : readTensors(second)) {
    auto type = cast<RankedTensorType>(root.getType());
    if (!firstReads.contains(root) || !type.hasStaticShape() ||
        !type.getElementType().isIntOrFloat())
      continue;
    bytes += type.getNumElements() *
             std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
  }
  return bytes;
}

/// Whether the static index ranges that `a` and `b` cover (offsets, sizes
/// and strides of slices of one tensor) miss each other along some dim:
/// apart, or interleaved (the stride phases of a data gradient: offsets 0
/// and 1 at stride 2), when no index is both offsetA + i * strideA and
/// offsetB + j * strideB, i.e. gcd(strideA, strideB) does not divide
/// offsetA - offsetB.
bool disjointSlices(OffsetSizeAndStrideOpInterface a,
                    OffsetSizeAndStrideOpInterface b) {
  for (unsigned d = 0, e = a.getStaticOffsets().size();
       d < e && d < b.getStaticOffsets().size(); ++d) {
    auto range = [d](OffsetSizeAndStrideOpInterface op) {
      int64_t offset = op.getStaticOffsets()[d], size = op.getStaticSizes()[d],
              stride = op.getStaticStrides()[d];
      if (ShapedType::isDynamic(offset) || ShapedType::isDynamic(size) ||
          ShapedType::isDynamic(stride) || size <= 0)
        return std::optional<std::pair<int64_t, int64_t>>();
      return std::optional<std::pair<int64_t, int64_t>>(
          std::make_pair(offset, offset + (size - 1) * stride));
    };
    std::optional<std::pair<int64_t, int64_t>> ra = range(a), rb = range(b);
    if (!ra || !rb)
      continue;
    if (ra->second < rb->first || rb->second < ra->first)
      return true;
    int64_t period = std::gcd(a.getStaticStrides()[d], b.getStaticStrides()[d]);
    if (period > 1 && (ra->first - rb->first) % period != 0)
      return true;
  }
  return false;
}

/// A destination of `loop` that is a slice of an insert into some tensor,
/// where the slice and the insert miss each other, is that slice of the
/// tensor before the insert (the same value). The parts of a convolution
/// split at a column (SplitAtPoints) chain that way; without the chain the
/// later part's loop no longer depends on the earlier one.
void forwardDisjointDestinations(scf::ForallOp loop) {
  for (Value out : loop.getOutputs()) {
    auto extract = out.getDefiningOp<tensor::ExtractSliceOp>();
    if (!extract)
      continue;
    while (auto insert =
               extract.getSource().getDefiningOp<tensor::InsertSliceOp>()) {
      if (insert.getDestType().getRank() != extract.getSourceType().getRank() ||
          !disjointSlices(extract, insert))
        break;
      extract.getSourceMutable().assign(insert.getDest());
    }
  }
}

/// Whether the loops have the same tasks: bounds, steps and mapping.
bool sameTasks(scf::ForallOp a, scf::ForallOp b) {
  return a.getMixedLowerBound() == b.getMixedLowerBound() &&
         a.getMixedUpperBound() == b.getMixedUpperBound() &&
         a.getMixedStep() == b.getMixedStep() &&
         a.getMapping() == b.getMapping();
}

/// The ops strictly between `first` and `second` (same block) that `second`
/// depends on, in block order; failure when `second` depends on `first`.
FailureOr<SmallVector<Operation *>> dependenciesBetween(scf::ForallOp first,
                                                       scf::ForallOp second) {
  llvm::SetVector<Operation *> deps;
  SmallVector<Value> worklist;
  auto pushUses = [&](Operation *op) {
    llvm::append_range(worklist, op->getOperands());
    for (Region &region : op->getRegions())
      visitUsedValuesDefinedAbove(region, [&](OpOperand *operand) {
        worklist.push_back(operand->get());
      });
  };
  pushUses(second);
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    Operation *def = value.getDefiningOp();
    if (!def)
      continue;
    // The definition in the loops' block (values from nested regions of
    // other ops are defined above them).
    def = second->getBlock()->findAncestorOpInBlock(*def);
    if (!def)
      continue;
    if (def == first.getOperation())
      return failure();
    if (!first->isBeforeInBlock(def) || !def->isBeforeInBlock(second) ||
        !deps.insert(def))
      continue;
    pushUses(def);
  }
  SmallVector<Operation *> ordered = deps.takeVector();
  llvm::sort(ordered, [](Operation *a, Operation *b) {
    return a->isBeforeInBlock(b);
  });
  return ordered;
}

/// Fuses `second` into `first` when the strategy asks for it; returns the
/// fused loop.
FailureOr<scf::ForallOp> fuseSiblings(RewriterBase &rewriter,
                                      scf::ForallOp first,
                                      scf::ForallOp second,
                                      const cpu::CPUTarget &target) {
  if (!sameTasks(first, second) ||
      !cpu::fusesSiblingTasks(sharedInputBytes(first, second), target))
    return failure();
  FailureOr<SmallVector<Operation *>> deps = dependenciesBetween(first, second);
  if (failed(deps))
    return failure();
  // `second` and what it needs move above `first`; upstream's fusion then
  // puts the fused loop right after `second`, where the operands of both
  // loops are defined and before every use of their results.
  for (Operation *op : *deps)
    rewriter.moveOpBefore(op, first);
  rewriter.moveOpBefore(second, first);
  return fuseIndependentSiblingForallLoops(first, second, rewriter);
}

/// Whether `value` is available before `loop` (a block argument or defined
/// before it in its block), or is a tensor.empty of static shape that can
/// move there.
bool isDefinedBeforeOrMovable(Value value, scf::ForallOp loop) {
  Operation *def = value.getDefiningOp();
  if (!def)
    return value.getParentRegion()->isAncestor(loop->getParentRegion());
  if (def->getBlock() != loop->getBlock())
    return false;
  if (def->isBeforeInBlock(loop))
    return true;
  return isa<tensor::EmptyOp>(def) && def->getNumOperands() == 0;
}

/// The inserts that place results of `loop` one after the other into one
/// tensor (the stride phases of a data gradient into dx, the parts of a
/// split convolution into its result): the first into a tensor defined
/// before the loop, or a tensor.empty that can move there (dx, or the
/// transposed result of a phase computed on its own); each next into the
/// previous insert. Each is the only use of a result whose destination
/// starts empty (a tensor.empty or a slice of one), and of the previous
/// insert; all at static strides, missing each other. Empty when there are
/// not two.
SmallVector<tensor::InsertSliceOp> insertChain(scf::ForallOp loop) {
  auto placedResult = [&](tensor::InsertSliceOp insert) -> OpResult {
    auto result = dyn_cast<OpResult>(insert.getSource());
    if (!result || result.getOwner() != loop.getOperation() ||
        !result.hasOneUse() ||
        !isEmptyContents(loop.getOutputs()[result.getResultNumber()]) ||
        insert.getSourceType().getRank() != insert.getDestType().getRank() ||
        ShapedType::isDynamicShape(insert.getStaticStrides()))
      return nullptr;
    return result;
  };
  SmallVector<tensor::InsertSliceOp> chain;
  for (OpResult result : loop->getResults()) {
    if (!result.hasOneUse())
      continue;
    auto insert = dyn_cast<tensor::InsertSliceOp>(*result.getUsers().begin());
    if (!insert || !placedResult(insert) ||
        !isDefinedBeforeOrMovable(insert.getDest(), loop))
      continue;
    chain.push_back(insert);
    while (chain.back()->hasOneUse()) {
      auto next =
          dyn_cast<tensor::InsertSliceOp>(*chain.back()->getUsers().begin());
      if (!next || next.getDest() != chain.back().getResult() ||
          !placedResult(next) ||
          llvm::any_of(chain, [&](tensor::InsertSliceOp earlier) {
            return !disjointSlices(earlier, next);
          }))
        break;
      chain.push_back(next);
    }
    if (chain.size() >= 2)
      return chain;
    chain.clear();
  }
  return chain;
}

/// Makes the tasks of `loop` write the results that `chain` (insertChain)
/// places into one tensor there directly: one destination, the chain's
/// tensor, each body's slices moved to where its insert puts them.
/// Unfused, each loop's destination becomes a slice of dx by
/// eliminate-empty-tensors; fused, the later inserts' destinations are
/// results of the loop itself, and each phase would bufferize into a
/// temporary copied into dx after the loop (three copies of a quarter of
/// dx for a stride-2 data gradient). Returns the loop that replaces `loop`.
scf::ForallOp writeChainInPlace(RewriterBase &rewriter, scf::ForallOp loop,
                                ArrayRef<tensor::InsertSliceOp> chain) {
  llvm::SmallDenseMap<unsigned, tensor::InsertSliceOp> placedOutputs;
  for (tensor::InsertSliceOp insert : chain)
    placedOutputs[cast<OpResult>(insert.getSource()).getResultNumber()] =
        insert;
  tensor::InsertSliceOp first = chain.front();
  Value root = first.getDest();
  if (auto empty = root.getDefiningOp<tensor::EmptyOp>();
      empty && loop->isBeforeInBlock(empty))
    rewriter.moveOpBefore(empty, loop);
  SmallVector<Value> outputs;
  for (auto [i, out] : llvm::enumerate(loop.getOutputs()))
    if (!placedOutputs.count(i))
      outputs.push_back(out);
  outputs.push_back(root);

  rewriter.setInsertionPoint(loop);
  auto fused =
      scf::ForallOp::create(rewriter, loop.getLoc(), loop.getMixedLowerBound(),
                            loop.getMixedUpperBound(), loop.getMixedStep(),
                            outputs, loop.getMapping());
  Value whole = fused.getRegionIterArgs().back();
  // Every use of a placed destination is a slice of it (checked by
  // canWriteChainInPlace): the same slice of the whole tensor, composed
  // with the insert.
  for (tensor::InsertSliceOp insert : chain) {
    unsigned i = cast<OpResult>(insert.getSource()).getResultNumber();
    BlockArgument part = loop.getRegionIterArgs()[i];
    for (OpOperand &use : llvm::make_early_inc_range(part.getUses())) {
      auto slice = cast<OffsetSizeAndStrideOpInterface>(use.getOwner());
      // The index arithmetic of a store goes before the loop's terminator,
      // which holds only the stores.
      rewriter.setInsertionPoint(isa<tensor::ParallelInsertSliceOp>(*slice)
                                     ? slice->getParentOp()
                                     : slice.getOperation());
      // Cannot fail: the slice and the insert have the tensor's rank.
      SmallVector<OpFoldResult> offsets, sizes, strides;
      (void)affine::mergeOffsetsSizesAndStrides(
          rewriter, slice.getLoc(), insert, slice,
          llvm::SmallBitVector(insert.getSourceType().getRank()), offsets,
          sizes, strides);
      rewriter.setInsertionPoint(slice);
      if (auto extract = dyn_cast<tensor::ExtractSliceOp>(*slice)) {
        rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
            extract, extract.getType(), whole, offsets, sizes, strides);
      } else {
        auto store = cast<tensor::ParallelInsertSliceOp>(*slice);
        rewriter.replaceOpWithNewOp<tensor::ParallelInsertSliceOp>(
            store, store.getSource(), whole, offsets, sizes, strides);
      }
    }
  }
  // The body moves over; placed destinations have no uses left.
  SmallVector<Value> arguments(fused.getInductionVars());
  unsigned kept = 0;
  for (unsigned i = 0, e = loop.getOutputs().size(); i < e; ++i)
    arguments.push_back(
        placedOutputs.count(i) ? whole : fused.getRegionIterArgs()[kept++]);
  rewriter.eraseOp(fused.getBody()->getTerminator());
  rewriter.mergeBlocks(loop.getBody(), fused.getBody(), arguments);

  kept = 0;
  for (unsigned i = 0, e = loop->getNumResults(); i < e; ++i)
    if (!placedOutputs.count(i))
      rewriter.replaceAllUsesWith(loop->getResult(i), fused->getResult(kept++));
  Value result = fused->getResults().back();
  tensor::InsertSliceOp last = chain.back();
  rewriter.replaceAllUsesWith(last.getResult(), result);
  for (tensor::InsertSliceOp insert : llvm::reverse(chain))
    rewriter.eraseOp(insert);
  rewriter.eraseOp(loop);
  return fused;
}

/// Whether every use of the destinations that `chain` places is a slice
/// writeChainInPlace can move: extracts from it and the task's stores into
/// it.
bool canWriteChainInPlace(scf::ForallOp loop,
                          ArrayRef<tensor::InsertSliceOp> chain) {
  for (tensor::InsertSliceOp insert : chain) {
    unsigned i = cast<OpResult>(insert.getSource()).getResultNumber();
    for (OpOperand &use : loop.getRegionIterArgs()[i].getUses()) {
      Operation *user = use.getOwner();
      if (auto extract = dyn_cast<tensor::ExtractSliceOp>(user)) {
        if (extract.getSourceType().getRank() !=
            extract.getResultType().getRank())
          return false;
        continue;
      }
      auto store = dyn_cast<tensor::ParallelInsertSliceOp>(user);
      if (!store || use.get() != store.getDest() ||
          store.getSourceType().getRank() != store.getDestType().getRank())
        return false;
    }
  }
  return true;
}

/// The static-offset box of a task's tiles of one tensor: along each
/// dimension either the same offset and size for every tile, or constant
/// offsets and sizes, the box spanning them.
struct TileBox {
  SmallVector<OpFoldResult> offsets, sizes;
  /// Per dimension, whether the tiles' offsets are constants (the box's
  /// offset then too); otherwise all equal the box's.
  SmallVector<bool> constant;
};

/// The box of `tiles` (extracts of one tensor at unit strides, without
/// rank reduction) when they fill it exactly, each tile a part of it that
/// the others miss; nullopt otherwise.
std::optional<TileBox> getTileBox(ArrayRef<tensor::ExtractSliceOp> tiles) {
  tensor::ExtractSliceOp first = tiles.front();
  int64_t rank = first.getSourceType().getRank();
  Builder builder(first.getContext());
  TileBox box;
  int64_t boxElements = 1;
  for (int64_t d = 0; d < rank; ++d) {
    OpFoldResult offset = first.getMixedOffsets()[d];
    OpFoldResult size = first.getMixedSizes()[d];
    bool same = llvm::all_of(tiles, [&](tensor::ExtractSliceOp tile) {
      return isEqualConstantIntOrValue(tile.getMixedOffsets()[d], offset) &&
             isEqualConstantIntOrValue(tile.getMixedSizes()[d], size);
    });
    std::optional<int64_t> staticSize = getConstantIntValue(size);
    if (same && staticSize) {
      box.offsets.push_back(offset);
      box.sizes.push_back(size);
      box.constant.push_back(false);
      boxElements *= *staticSize;
      continue;
    }
    int64_t lo = std::numeric_limits<int64_t>::max(), hi = 0;
    for (tensor::ExtractSliceOp tile : tiles) {
      std::optional<int64_t> tileOffset =
          getConstantIntValue(tile.getMixedOffsets()[d]);
      std::optional<int64_t> tileSize =
          getConstantIntValue(tile.getMixedSizes()[d]);
      if (!tileOffset || !tileSize)
        return std::nullopt;
      lo = std::min(lo, *tileOffset);
      hi = std::max(hi, *tileOffset + *tileSize);
    }
    box.offsets.push_back(builder.getIndexAttr(lo));
    box.sizes.push_back(builder.getIndexAttr(hi - lo));
    box.constant.push_back(true);
    boxElements *= hi - lo;
  }
  // Pairwise disjoint tiles whose elements add up to the box's fill it.
  int64_t tileElements = 0;
  for (size_t i = 0; i < tiles.size(); ++i) {
    tensor::ExtractSliceOp tile = tiles[i];
    if (!tile.hasUnitStride() || tile.getResultType().getRank() != rank ||
        !tile.getResultType().hasStaticShape())
      return std::nullopt;
    tileElements += tile.getResultType().getNumElements();
    for (tensor::ExtractSliceOp other : tiles.take_front(i))
      if (!disjointSlices(tile, other))
        return std::nullopt;
  }
  if (tileElements != boxElements)
    return std::nullopt;
  return box;
}

/// After writeChainInPlace, each task of `loop` extracts the tiles of its
/// parts from one shared output and stores each back. Bufferization cannot
/// tell that the tiles miss each other: every part's tile but the last
/// would be a buffer of its own, copied in and out in every task. Instead
/// the task extracts the box of its tiles once, each part takes its tile
/// from the inserts of the parts before it and inserts it back, and the task
/// stores the box: each extract then matches an insert of the same slice of
/// the same tensor, which bufferizes in place. Applies where each tile is
/// extracted once, in the task's block, and stored once from a value
/// computed before the next tile is extracted.
void chainTilesInTasks(RewriterBase &rewriter, scf::ForallOp loop) {
  scf::InParallelOp terminator = loop.getTerminator();
  for (BlockArgument out : loop.getRegionIterArgs()) {
    SmallVector<tensor::ExtractSliceOp> tiles;
    SmallVector<tensor::ParallelInsertSliceOp> stores;
    bool other = false;
    for (Operation *user : out.getUsers()) {
      if (auto tile = dyn_cast<tensor::ExtractSliceOp>(user);
          tile && tile->getBlock() == loop.getBody())
        tiles.push_back(tile);
      else if (auto store = dyn_cast<tensor::ParallelInsertSliceOp>(user);
               store && store.getDest() == out)
        stores.push_back(store);
      else
        other = true;
    }
    if (other || tiles.size() < 2 || tiles.size() != stores.size())
      continue;
    llvm::sort(tiles, [](tensor::ExtractSliceOp a, tensor::ExtractSliceOp b) {
      return a->isBeforeInBlock(b);
    });
    // The store of each tile: the same slice, of a value computed before
    // the next tile is extracted.
    SmallVector<tensor::ParallelInsertSliceOp> tileStores;
    for (size_t i = 0; i < tiles.size(); ++i) {
      tensor::ExtractSliceOp tile = tiles[i];
      auto store = llvm::find_if(stores, [&](tensor::ParallelInsertSliceOp s) {
        return isEqualConstantIntOrValueArray(s.getMixedOffsets(),
                                              tile.getMixedOffsets()) &&
               isEqualConstantIntOrValueArray(s.getMixedSizes(),
                                              tile.getMixedSizes()) &&
               s.getSourceType() == tile.getResultType();
      });
      if (store == stores.end())
        break;
      Operation *def = store->getSource().getDefiningOp();
      if (def)
        def = loop.getBody()->findAncestorOpInBlock(*def);
      if (i + 1 < tiles.size() && def && !def->isBeforeInBlock(tiles[i + 1]))
        break;
      tileStores.push_back(*store);
    }
    if (tileStores.size() != tiles.size())
      continue;
    std::optional<TileBox> box = getTileBox(tiles);
    if (!box)
      continue;

    Location loc = loop.getLoc();
    rewriter.setInsertionPoint(tiles.front());
    Value chain = tensor::ExtractSliceOp::create(
        rewriter, loc, out, box->offsets, box->sizes,
        SmallVector<OpFoldResult>(box->offsets.size(),
                                  rewriter.getIndexAttr(1)));
    for (size_t i = 0; i < tiles.size(); ++i) {
      tensor::ExtractSliceOp tile = tiles[i];
      // The tile's place in the box.
      SmallVector<OpFoldResult> offsets;
      for (auto [d, offset] : llvm::enumerate(tile.getMixedOffsets()))
        offsets.push_back(rewriter.getIndexAttr(
            box->constant[d] ? *getConstantIntValue(offset) -
                                   *getConstantIntValue(box->offsets[d])
                             : 0));
      SmallVector<OpFoldResult> sizes = tile.getMixedSizes();
      SmallVector<OpFoldResult> strides(sizes.size(), rewriter.getIndexAttr(1));
      rewriter.setInsertionPoint(tile);
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          tile, tile.getResultType(), chain, offsets, sizes, strides);
      rewriter.setInsertionPoint(i + 1 < tiles.size()
                                     ? tiles[i + 1].getOperation()
                                     : terminator.getOperation());
      chain = tensor::InsertSliceOp::create(rewriter, loc,
                                            tileStores[i].getSource(), chain,
                                            offsets, sizes, strides);
    }
    for (tensor::ParallelInsertSliceOp store : tileStores)
      rewriter.eraseOp(store);
    rewriter.setInsertionPointToEnd(terminator.getBody());
    tensor::ParallelInsertSliceOp::create(
        rewriter, loc, chain, out, box->offsets, box->sizes,
        SmallVector<OpFoldResult>(box->offsets.size(),
                                  rewriter.getIndexAttr(1)));
  }
}

/// The first and last value of the `k`th induction variable of `loop`, if
/// its bounds and step are constants and it runs at least once.
std::optional<std::pair<int64_t, int64_t>> ivRange(scf::ForallOp loop,
                                                   unsigned k) {
  std::optional<int64_t> lb = getConstantIntValue(loop.getMixedLowerBound()[k]);
  std::optional<int64_t> ub = getConstantIntValue(loop.getMixedUpperBound()[k]);
  std::optional<int64_t> step = getConstantIntValue(loop.getMixedStep()[k]);
  if (!lb || !ub || !step || *step <= 0 || *ub <= *lb)
    return std::nullopt;
  return std::make_pair(*lb, *lb + (*ub - *lb - 1) / *step * *step);
}

/// Constant bounds (closed) of `index - base`, or of `index` when `base` is
/// null.
std::optional<std::pair<int64_t, int64_t>> deltaBounds(Value index,
                                                       Value base) {
  using Variable = ValueBoundsConstraintSet::Variable;
  MLIRContext *ctx = index.getContext();
  Variable var = base ? Variable(AffineMap::get(2, 0,
                                                getAffineDimExpr(0, ctx) -
                                                    getAffineDimExpr(1, ctx)),
                                 ValueRange{index, base})
                      : Variable(index);
  FailureOr<int64_t> lo = ValueBoundsConstraintSet::computeConstantBound(
      presburger::BoundType::LB, var);
  FailureOr<int64_t> hi = ValueBoundsConstraintSet::computeConstantBound(
      presburger::BoundType::UB, var, /*stopCondition=*/nullptr,
      /*closedUB=*/true);
  if (failed(lo) || failed(hi))
    return std::nullopt;
  return std::make_pair(*lo, *hi);
}

/// The box of a padded tensor that one task of a loop reads: per dim, the
/// loop induction variable its offset follows (-1: a constant offset) and
/// the closed range of indices relative to it.
struct TaskBox {
  SmallVector<int64_t> iv, lo, hi;
};

/// The smallest box that holds every element `reads` (vector reads of one
/// tensor inside `loop`, in bounds, along its minor dims) read in any task,
/// its relative ranges within the tensor for every task; nullopt when some
/// index has no constant bounds.
std::optional<TaskBox> getTaskBox(scf::ForallOp loop,
                                  ArrayRef<vector::TransferReadOp> reads,
                                  ArrayRef<int64_t> shape) {
  int64_t rank = shape.size();
  TaskBox box;
  // The reads of the register blocks of all bodies share most indices.
  llvm::DenseMap<std::pair<Value, Value>,
                 std::optional<std::pair<int64_t, int64_t>>>
      bounds;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t bestSize = std::numeric_limits<int64_t>::max();
    int64_t bestIv = -1, bestLo = 0, bestHi = 0;
    for (int64_t k = -1, e = loop.getInductionVars().size(); k < e; ++k) {
      Value base = k < 0 ? Value() : loop.getInductionVars()[k];
      int64_t lo = std::numeric_limits<int64_t>::max();
      int64_t hi = std::numeric_limits<int64_t>::min();
      bool bounded = true;
      for (vector::TransferReadOp read : reads) {
        std::pair<Value, Value> key(read.getIndices()[d], base);
        auto [it, inserted] = bounds.try_emplace(key);
        if (inserted)
          it->second = deltaBounds(key.first, base);
        std::optional<std::pair<int64_t, int64_t>> range = it->second;
        if (!range) {
          bounded = false;
          break;
        }
        VectorType vectorType = read.getVectorType();
        int64_t firstSpanned = rank - vectorType.getRank();
        int64_t extent =
            d < firstSpanned ? 1 : vectorType.getDimSize(d - firstSpanned);
        lo = std::min(lo, range->first);
        hi = std::max(hi, range->second + extent - 1);
      }
      if (!bounded)
        continue;
      if (k < 0) {
        // The reads are in bounds.
        lo = std::max<int64_t>(lo, 0);
        hi = std::min(hi, shape[d] - 1);
      } else {
        // Inside the tensor for every task.
        std::optional<std::pair<int64_t, int64_t>> ivs = ivRange(loop, k);
        if (!ivs || ivs->first + lo < 0 || ivs->second + hi > shape[d] - 1)
          continue;
      }
      if (hi - lo + 1 < bestSize) {
        bestSize = hi - lo + 1;
        bestIv = k;
        bestLo = lo;
        bestHi = hi;
      }
    }
    if (bestSize == std::numeric_limits<int64_t>::max())
      return std::nullopt;
    box.iv.push_back(bestIv);
    box.lo.push_back(bestLo);
    box.hi.push_back(bestHi);
  }
  return box;
}

/// The task's box `local` (a tensor.pad of a slice of the source, maybe
/// cast to its static shape) as the source inserted into a tensor whose
/// border alone is filled: one fill per padded side, [0, low) and
/// [low + interior, size) along each dimension d, over the interior of the
/// dimensions before d and all of those after it (as PadInPlace's
/// fillBorder, with the run-time sizes of a box at the image's edge).
/// Bufferized, a pad fills the whole box before copying the source into it:
/// a memset of the stem's 630 KiB boxes, 3% of its samples.
Value fillBorderAndInsert(RewriterBase &rewriter, Value local) {
  auto cast = local.getDefiningOp<tensor::CastOp>();
  auto pad = (cast ? cast.getSource() : local).getDefiningOp<tensor::PadOp>();
  Value padValue = pad ? pad.getConstantPaddingValue() : Value();
  if (!pad || !padValue)
    return local;
  auto type = cast ? cast.getType() : pad.getResultType();
  auto staticType = dyn_cast<RankedTensorType>(type);
  if (!staticType || !staticType.hasStaticShape())
    return local;
  Location loc = pad.getLoc();
  rewriter.setInsertionPoint(pad);
  MLIRContext *ctx = rewriter.getContext();
  AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
  int64_t rank = staticType.getRank();
  SmallVector<OpFoldResult> low = pad.getMixedLowPad();
  SmallVector<OpFoldResult> interior =
      tensor::getMixedSizes(rewriter, loc, pad.getSource());
  Value result = tensor::EmptyOp::create(rewriter, loc, staticType.getShape(),
                                         staticType.getElementType());
  for (int64_t d = 0; d < rank; ++d) {
    OpFoldResult size = rewriter.getIndexAttr(staticType.getDimSize(d));
    OpFoldResult highOffset = affine::makeComposedFoldedAffineApply(
        rewriter, loc, d0 + d1, {low[d], interior[d]});
    OpFoldResult highSize = affine::makeComposedFoldedAffineApply(
        rewriter, loc, d0 - d1, {size, highOffset});
    std::pair<OpFoldResult, OpFoldResult> sides[] = {
        {rewriter.getIndexAttr(0), low[d]}, {highOffset, highSize}};
    for (auto [sideOffset, sideSize] : sides) {
      if (isConstantIntValue(sideSize, 0))
        continue;
      SmallVector<OpFoldResult> offsets, sizes;
      for (int64_t e = 0; e < rank; ++e) {
        offsets.push_back(e < d    ? low[e]
                          : e == d ? sideOffset
                                   : rewriter.getIndexAttr(0));
        sizes.push_back(e < d ? interior[e]
                        : e == d
                            ? sideSize
                            : rewriter.getIndexAttr(staticType.getDimSize(e)));
      }
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      Value side = tensor::ExtractSliceOp::create(rewriter, loc, result,
                                                  offsets, sizes, strides);
      Value filled =
          linalg::FillOp::create(rewriter, loc, padValue, side).getResult(0);
      result = tensor::InsertSliceOp::create(rewriter, loc, filled, result,
                                             offsets, sizes, strides);
    }
  }
  SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
  result = tensor::InsertSliceOp::create(rewriter, loc, pad.getSource(), result,
                                         low, interior, strides);
  if (cast) {
    rewriter.replaceOp(cast, result);
    if (pad->use_empty())
      rewriter.eraseOp(pad);
  } else {
    rewriter.replaceOp(pad, result);
  }
  return result;
}

/// Whether `value` is the only result of a destination-style op that writes
/// a fresh tensor (tensor.empty), which bufferization can place anywhere,
/// e.g. in the interior of a padded buffer (PadInPlace).
bool isFreshResult(Value value) {
  auto producer = value.getDefiningOp<DestinationStyleOpInterface>();
  return producer && producer->getNumResults() == 1 &&
         producer.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>();
}

/// Prefetches, spread over this task's FMA nests, of the elements of
/// `source` (static shape) that the next task of `loop` copies into its
/// box: box dim d of the padded tensor (low padding `low`) is dim perm[d] of
/// `source` (perm empty: the same dim). A box is copied with the FMA units
/// idle, its rows read from memory (short runs a plane apart, too short for
/// the hardware prefetchers: 13% of the AVX2 stem data gradient's samples
/// on Zen 4 went to that copy); fetched during the previous task's
/// arithmetic, the copy reads them from the caches (4%). The next task is the
/// next in the loop's row-major order (OpenMP's static schedule gives each
/// thread consecutive tasks); the last task prefetches its own box. One marked
/// loop (kSpreadPrefetchesAttrName) before each FMA nest of the task's body,
/// each over a share of the box's cache lines: the innermost dims of the
/// source the box spans wholly are one contiguous run per index of the
/// dims before them, prefetched a line apart and at its last element; every
/// index is clamped into the source. One computed address serves
/// cpu::getNextTaskBoxPrefetchLinesPerAddress lines of a run (a line apart,
/// the group's first clamped so that all stay in the source).
void prefetchNextTaskBox(RewriterBase &rewriter, scf::ForallOp loop,
                         const TaskBox &box, ArrayRef<int64_t> low,
                         Value source, ArrayRef<int64_t> perm,
                         const cpu::CPUTarget &target) {
  auto sourceType = dyn_cast<RankedTensorType>(source.getType());
  if (!sourceType || !sourceType.hasStaticShape() ||
      !sourceType.getElementType().isIntOrFloat())
    return;
  ArrayRef<int64_t> shape = sourceType.getShape();
  int64_t rank = shape.size();
  // boxDim[s]: the box dim that is source dim s.
  SmallVector<int64_t> boxDim(rank);
  for (int64_t d = 0; d < rank; ++d)
    boxDim[perm.empty() ? d : perm[d]] = d;
  // The source dims from `first` on are wholly in every task's box.
  auto spansWholly = [&](int64_t s) {
    int64_t d = boxDim[s];
    return box.iv[d] < 0 && box.lo[d] - low[d] <= 0 &&
           box.hi[d] - low[d] >= shape[s] - 1;
  };
  int64_t first = rank;
  while (first > 0 && spansWholly(first - 1))
    --first;
  if (first == 0)
    return;
  int64_t runDim = first - 1;
  int64_t inner = 1;
  for (int64_t s = first; s < rank; ++s)
    inner *= shape[s];
  SmallVector<int64_t> extent(rank);
  for (int64_t s = 0; s < rank; ++s)
    extent[s] = box.hi[boxDim[s]] - box.lo[boxDim[s]] + 1;
  int64_t elementBytes =
      std::max<int64_t>(1, sourceType.getElementTypeBitWidth() / 8);
  int64_t line = cpu::elementsPerCacheLine(elementBytes);
  int64_t run = extent[runDim] * inner;
  int64_t points = llvm::divideCeil(run - 1, line) + 1;
  int64_t runs = 1;
  for (int64_t s = 0; s < runDim; ++s)
    runs *= extent[s];
  int64_t locality =
      cpu::getNextTaskBoxPrefetchLocality(runs * run * elementBytes, target);
  // Lines per computed address: the points of a run in groups (the last may
  // reach past the run's end, into the source's next elements).
  int64_t runSize = shape[runDim] * inner;
  int64_t group = cpu::getNextTaskBoxPrefetchLinesPerAddress(points, target);
  if (group < 1 || (group - 1) * line >= runSize)
    group = 1;
  int64_t groups = llvm::divideCeil(points, group);
  int64_t count = groups * runs;
  if (locality < 0)
    return;
  // The FMA nests of the task.
  SmallVector<Operation *> nests;
  for (Operation &op : loop.getBody()->without_terminator()) {
    bool fmas = false;
    op.walk([&](vector::FMAOp) {
      fmas = true;
      return WalkResult::interrupt();
    });
    if (fmas)
      nests.push_back(&op);
  }
  if (nests.empty())
    return;

  Location loc = loop.getLoc();
  rewriter.setInsertionPointToStart(loop.getBody());
  auto constant = [&](OpBuilder &b, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  // The next task's induction variables.
  unsigned ivs = loop.getInductionVars().size();
  SmallVector<int64_t> lbs, steps, trips;
  for (unsigned k = 0; k < ivs; ++k) {
    std::optional<std::pair<int64_t, int64_t>> range = ivRange(loop, k);
    std::optional<int64_t> step = getConstantIntValue(loop.getMixedStep()[k]);
    if (!range || !step)
      return;
    lbs.push_back(range->first);
    steps.push_back(*step);
    trips.push_back((range->second - range->first) / *step + 1);
  }
  Value linear = constant(rewriter, 0);
  int64_t tasks = 1;
  for (unsigned k = 0; k < ivs; ++k) {
    Value index = arith::DivUIOp::create(
        rewriter, loc,
        arith::SubIOp::create(rewriter, loc, loop.getInductionVars()[k],
                              constant(rewriter, lbs[k])),
        constant(rewriter, steps[k]));
    linear = arith::AddIOp::create(
        rewriter, loc,
        arith::MulIOp::create(rewriter, loc, linear,
                              constant(rewriter, trips[k])),
        index);
    tasks *= trips[k];
  }
  Value next = arith::MinUIOp::create(
      rewriter, loc,
      arith::AddIOp::create(rewriter, loc, linear, constant(rewriter, 1)),
      constant(rewriter, tasks - 1));
  SmallVector<Value> nextIvs(ivs);
  for (int k = ivs - 1; k >= 0; --k) {
    Value index = arith::RemUIOp::create(rewriter, loc, next,
                                         constant(rewriter, trips[k]));
    next = arith::DivUIOp::create(rewriter, loc, next,
                                  constant(rewriter, trips[k]));
    nextIvs[k] = arith::AddIOp::create(
        rewriter, loc,
        arith::MulIOp::create(rewriter, loc, index,
                              constant(rewriter, steps[k])),
        constant(rewriter, lbs[k]));
  }
  // The first source index of the next task's box along each source dim
  // (maybe negative: in the padding).
  SmallVector<Value> start(rank);
  for (int64_t s = 0; s < rank; ++s) {
    int64_t d = boxDim[s];
    Value offset = constant(rewriter, box.lo[d] - low[d]);
    start[s] = box.iv[d] < 0 ? offset
                             : arith::AddIOp::create(rewriter, loc,
                                                     nextIvs[box.iv[d]], offset)
                                   .getResult();
  }
  // The source with its dims from runDim on as one: a run is one index
  // range of that dim.
  Value collapsed = source;
  if (first < rank) {
    SmallVector<ReassociationIndices> groups;
    for (int64_t s = 0; s < runDim; ++s)
      groups.push_back({s});
    groups.emplace_back();
    for (int64_t s = runDim; s < rank; ++s)
      groups.back().push_back(s);
    collapsed = tensor::CollapseShapeOp::create(rewriter, loc, source, groups);
  }
  Value buffer = readOnlyBuffer(rewriter, loc, collapsed);
  Value runStart = arith::MulIOp::create(rewriter, loc, start[runDim],
                                         constant(rewriter, inner));
  auto clampInto = [&](OpBuilder &b, Value index, int64_t size) -> Value {
    return arith::MinSIOp::create(
        b, loc, arith::MaxSIOp::create(b, loc, index, constant(b, 0)),
        constant(b, size - 1));
  };
  // Group j of the count: its run (the dims before runDim, row-major) and
  // its first point within the run.
  auto prefetchPoint = [&](OpBuilder &b, Value j) {
    SmallVector<Value> indices(runDim + 1);
    Value rest = arith::DivUIOp::create(b, loc, j, constant(b, groups));
    Value point = arith::RemUIOp::create(b, loc, j, constant(b, groups));
    for (int64_t s = runDim - 1; s >= 0; --s) {
      Value index =
          s == 0 ? rest
                 : arith::RemUIOp::create(b, loc, rest, constant(b, extent[s]))
                       .getResult();
      if (s > 0)
        rest = arith::DivUIOp::create(b, loc, rest, constant(b, extent[s]));
      indices[s] = clampInto(b, arith::AddIOp::create(b, loc, start[s], index),
                             shape[s]);
    }
    // Point k of a run is at k * line. One line per address: the last
    // point is the run's last element. Groups: the last group's lines may
    // reach past the run (into the line of run - 1 or the next), and the
    // group's first is clamped so that all its lines stay in the source.
    Value e = arith::MulIOp::create(b, loc, point, constant(b, group * line));
    if (group == 1)
      e = arith::MinUIOp::create(b, loc, e, constant(b, run - 1));
    Value first = clampInto(b, arith::AddIOp::create(b, loc, runStart, e),
                            runSize - (group - 1) * line);
    for (int64_t g = 0; g < group; ++g) {
      indices[runDim] =
          g == 0 ? first
                 : arith::AddIOp::create(b, loc, first, constant(b, g * line))
                       .getResult();
      memref::PrefetchOp::create(b, loc, buffer, indices, /*isWrite=*/false,
                                 locality, /*isDataCache=*/true);
    }
  };
  int64_t shares = nests.size();
  for (int64_t c = 0; c < shares; ++c) {
    int64_t begin = c * count / shares, end = (c + 1) * count / shares;
    if (end <= begin)
      continue;
    rewriter.setInsertionPoint(nests[c]);
    auto marked = scf::ForOp::create(
        rewriter, loc, constant(rewriter, 0), constant(rewriter, end - begin),
        constant(rewriter, 1), ValueRange{},
        [&](OpBuilder &b, Location l, Value j, ValueRange) {
          prefetchPoint(
              b, begin == 0 ? j
                            : arith::AddIOp::create(b, l, j, constant(b, begin))
                                  .getResult());
          scf::YieldOp::create(b, l);
        });
    marked->setAttr(kSpreadPrefetchesAttrName, rewriter.getUnitAttr());
  }
}

/// The tasks of a convolution (or the fused tasks of the stride phases of a
/// data gradient, `fused`) all read one padded copy of their input:
/// bufferized, the whole tensor is copied into a padded buffer before the
/// loop (the RGB stem's 27 MB), which goes to memory and comes back when the
/// tasks read it. When the strategy asks for it
/// (cpu::padsSharedInputInTasks), each task pads its own box of the input
/// instead (the rows of its images its bodies read, with their halo), and
/// its reads take their elements from there, in L2. Only for the
/// pad of a tensor that is not a fresh result (whose producer would write
/// the padded buffer's interior in place: PadInPlace), read only by vector
/// reads in bounds, whose box never lies wholly in the padding.
void padSharedInputInTasks(RewriterBase &rewriter, scf::ForallOp loop,
                           const cpu::CPUTarget &target, bool fused) {
  llvm::SetVector<Value> padded;
  visitUsedValuesDefinedAbove(loop.getRegion(), [&](OpOperand *operand) {
    if (operand->get().getDefiningOp<tensor::PadOp>())
      padded.insert(operand->get());
  });
  int64_t tasks = 1;
  for (unsigned k = 0, e = loop.getInductionVars().size(); k < e; ++k) {
    std::optional<std::pair<int64_t, int64_t>> ivs = ivRange(loop, k);
    std::optional<int64_t> step = getConstantIntValue(loop.getMixedStep()[k]);
    if (!ivs || !step)
      return;
    tasks *= (ivs->second - ivs->first) / *step + 1;
  }
  for (Value value : padded) {
    auto pad = value.getDefiningOp<tensor::PadOp>();
    RankedTensorType type = pad.getResultType();
    if (!type.hasStaticShape() || !pad.getConstantPaddingValue() ||
        pad.getNofold() || !type.getElementType().isIntOrFloat())
      continue;
    // A layout transpose of a tensor that is not a fresh result (the output
    // gradient of a channels-last data gradient computed channels-first)
    // moves into the tasks with the pad: each task transposes the rows of
    // its box, into its box, where the whole transpose would stream the
    // tensor to memory and the tasks would read it back from there.
    linalg::TransposeOp transpose;
    if (isFreshResult(pad.getSource())) {
      transpose = pad.getSource().getDefiningOp<linalg::TransposeOp>();
      if (!transpose || !transpose->hasOneUse() ||
          isFreshResult(transpose.getInput()))
        continue;
    }
    SmallVector<int64_t> low(pad.getStaticLow()), high(pad.getStaticHigh());
    if (ShapedType::isDynamicShape(low) || ShapedType::isDynamicShape(high))
      continue;
    SmallVector<vector::TransferReadOp> reads;
    bool onlyReads = true;
    for (OpOperand &use : value.getUses()) {
      if (!loop->isProperAncestor(use.getOwner()))
        continue;
      auto read = dyn_cast<vector::TransferReadOp>(use.getOwner());
      if (!read || read.getBase() != value || read.getMask() ||
          !read.getPermutationMap().isMinorIdentity() ||
          llvm::any_of(read.getInBoundsValues(), [](bool b) { return !b; })) {
        onlyReads = false;
        break;
      }
      reads.push_back(read);
    }
    if (!onlyReads || reads.empty())
      continue;
    ArrayRef<int64_t> shape = type.getShape();
    std::optional<TaskBox> box = getTaskBox(loop, reads, shape);
    if (!box)
      continue;
    // Every task's box overlaps the source: the first index of the box is
    // at most its last, its last at least its first.
    int64_t elementBytes =
        std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
    int64_t boxBytes = elementBytes;
    bool overlapsSource = true;
    for (int64_t d = 0, e = shape.size(); d < e; ++d) {
      int64_t first = 0, last = 0;
      if (box->iv[d] >= 0) {
        std::optional<std::pair<int64_t, int64_t>> ivs =
            ivRange(loop, box->iv[d]);
        first = ivs->first;
        last = ivs->second;
      }
      int64_t sourceLast = shape[d] - high[d] - 1;
      if (first + box->hi[d] < low[d] || last + box->lo[d] > sourceLast)
        overlapsSource = false;
      boxBytes *= box->hi[d] - box->lo[d] + 1;
    }
    if (!overlapsSource ||
        !cpu::padsSharedInputInTasks(type.getNumElements() * elementBytes,
                                     boxBytes, tasks, target, fused))
      continue;

    Location loc = pad.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
    rewriter.setInsertionPointToStart(loop.getBody());
    SmallVector<OpFoldResult> offsets, sizes;
    for (int64_t d = 0, e = shape.size(); d < e; ++d) {
      sizes.push_back(rewriter.getIndexAttr(box->hi[d] - box->lo[d] + 1));
      if (box->iv[d] < 0) {
        offsets.push_back(rewriter.getIndexAttr(box->lo[d]));
        continue;
      }
      offsets.push_back(affine::makeComposedFoldedAffineApply(
          rewriter, loc, d0 + box->lo[d],
          {OpFoldResult(loop.getInductionVars()[box->iv[d]])}));
    }
    FailureOr<TilingResult> slab = tensor::bubbleUpPadSlice(
        rewriter, pad, offsets, sizes, /*generateZeroSliceGuard=*/false);
    if (failed(slab) || slab->tiledValues.size() != 1)
      continue;
    Value local = slab->tiledValues[0];
    if (transpose) {
      auto localCast = local.getDefiningOp<tensor::CastOp>();
      Value localSource = localCast ? localCast.getSource() : local;
      auto localPad = localSource.getDefiningOp<tensor::PadOp>();
      auto slice =
          localPad
              ? localPad.getSource().getDefiningOp<tensor::ExtractSliceOp>()
              : tensor::ExtractSliceOp();
      if (!slice || slice.getSource() != transpose.getResult()[0])
        continue;
      rewriter.setInsertionPoint(slice);
      FailureOr<TilingResult> tiled =
          tensor::replaceExtractSliceWithTiledProducer(
              rewriter, slice, cast<OpResult>(transpose.getResult()[0]));
      if (failed(tiled) || tiled->tiledValues.size() != 1 ||
          tiled->tiledOps.size() != 1)
        continue;
      // The tile writes a fresh tensor (not a slice of the whole
      // transpose's), which bufferization places in the box's interior.
      auto tiledOp = cast<DestinationStyleOpInterface>(tiled->tiledOps[0]);
      OpOperand *init = tiledOp.getDpsInitOperand(0);
      rewriter.setInsertionPoint(tiledOp);
      Value fresh = tensor::EmptyOp::create(
          rewriter, tiledOp->getLoc(),
          tensor::getMixedSizes(rewriter, tiledOp->getLoc(), init->get()),
          getElementTypeOrSelf(init->get().getType()));
      Value oldInit = init->get();
      rewriter.modifyOpInPlace(tiledOp, [&] { init->set(fresh); });
      if (Operation *dead = oldInit.getDefiningOp(); dead && dead->use_empty())
        rewriter.eraseOp(dead);
      rewriter.replaceOp(slice, tiled->tiledValues[0]);
    }
    auto localType = dyn_cast<RankedTensorType>(local.getType());
    if (!localType || !localType.hasStaticShape())
      continue;
    local = fillBorderAndInsert(rewriter, local);
    for (vector::TransferReadOp read : reads) {
      rewriter.setInsertionPoint(read);
      SmallVector<Value> indices;
      for (auto [d, index] : llvm::enumerate(read.getIndices())) {
        if (box->iv[d] < 0) {
          indices.push_back(box->lo[d] == 0
                                ? index
                                : getValueOrCreateConstantIndexOp(
                                      rewriter, read.getLoc(),
                                      affine::makeComposedFoldedAffineApply(
                                          rewriter, read.getLoc(),
                                          d0 - box->lo[d], {index})));
          continue;
        }
        indices.push_back(getValueOrCreateConstantIndexOp(
            rewriter, read.getLoc(),
            affine::makeComposedFoldedAffineApply(
                rewriter, read.getLoc(), d0 - d1 - box->lo[d],
                {index, loop.getInductionVars()[box->iv[d]]})));
      }
      rewriter.modifyOpInPlace(read, [&] {
        read.getBaseMutable().assign(local);
        read.getIndicesMutable().assign(indices);
      });
    }
    if (transpose)
      prefetchNextTaskBox(rewriter, loop, *box, low, transpose.getInput(),
                          transpose.getPermutation(), target);
    else
      prefetchNextTaskBox(rewriter, loop, *box, low, pad.getSource(), {},
                          target);
    // The whole transpose (and its pad) have no reader left.
    if (transpose && value.use_empty()) {
      rewriter.eraseOp(pad);
      if (transpose->use_empty())
        rewriter.eraseOp(transpose);
    }
  }
}

struct FuseSiblingTasksPass
    : mlir::convgrad::impl::ConvGradCPUFuseSiblingTasksBase<FuseSiblingTasksPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    FailureOr<cpu::CPUTarget> target = getCPUTarget(func);
    if (failed(target))
      return signalPassFailure();
    IRRewriter rewriter(func.getContext());
    // The task loops of the convolutions are in the function's body.
    for (Block &block : func.getBody()) {
      // Each loop tries to join the last loop before it (the fused loop of
      // its predecessors, when they fused).
      SmallVector<scf::ForallOp> loops;
      for (Operation &op : block)
        if (auto loop = dyn_cast<scf::ForallOp>(op))
          loops.push_back(loop);
      for (scf::ForallOp loop : loops)
        forwardDisjointDestinations(loop);
      scf::ForallOp previous;
      llvm::SmallPtrSet<Operation *, 4> fusedSet;
      for (scf::ForallOp loop : loops) {
        if (previous) {
          FailureOr<scf::ForallOp> fused =
              fuseSiblings(rewriter, previous, loop, *target);
          if (succeeded(fused)) {
            fusedSet.erase(previous);
            previous = *fused;
            fusedSet.insert(previous);
            continue;
          }
        }
        previous = loop;
      }
      SmallVector<scf::ForallOp> fusedLoops;
      for (Operation &op : block)
        if (auto loop = dyn_cast<scf::ForallOp>(op))
          fusedLoops.push_back(loop);
      // A convolution split twice (67 channels = 64 + 3, each part's 57
      // columns = 54 + 3) is assembled by nested chains: each part's chain
      // into a slice of the result, and those slices into the result. Each
      // rewrite turns the innermost chains into one result of the loop that
      // the next chain places, until the loop writes the whole result.
      for (scf::ForallOp loop : fusedLoops) {
        bool wasFused = fusedSet.contains(loop);
        while (true) {
          SmallVector<tensor::InsertSliceOp> chain = insertChain(loop);
          if (chain.empty() || !canWriteChainInPlace(loop, chain))
            break;
          loop = writeChainInPlace(rewriter, loop, chain);
        }
        chainTilesInTasks(rewriter, loop);
        padSharedInputInTasks(rewriter, loop, *target, wasFused);
      }
    }
  }
};

} // namespace
