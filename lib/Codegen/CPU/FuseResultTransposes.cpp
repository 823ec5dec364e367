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
// shared output disappears. A convolution split into full tiles and a
// remainder (57 columns = 56 + 1) is one forall per part, assembled by
// inserts: the transpose first distributes over the inserts, one per part,
// and again over the inserts of a part that was split again (67 channels =
// 64 + 3, then the columns of each).
// Run again after convgrad-cpu-fuse-sibling-tasks, the pass first collects
// the strided tiles of the stride phases that one task writes into a box of
// the task's own (mergePhaseTilesIntoBox), so that the transpose of a
// strided data gradient moves into the tasks too.
// Which transposes move is the strategy's decision
// (cpu::fuseResultTransposeIntoTasks).
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/SliceUtils.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"

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

/// The bytes of a task's tile if `part` is the single result of a forall of
/// tiles, used only once and written by one tensor.parallel_insert_slice;
/// otherwise -1.
int64_t getForallTileBytes(Value part) {
  auto result = dyn_cast<OpResult>(part);
  auto forall = result ? dyn_cast<scf::ForallOp>(result.getOwner()) : nullptr;
  if (!forall || !result.hasOneUse() || forall.getNumResults() != 1)
    return -1;
  tensor::ParallelInsertSliceOp insert = getTileInsert(forall, result);
  return insert ? staticBytes(insert.getSourceType()) : -1;
}

/// The inserts, first to last, that assemble `value` from parts in a
/// tensor.empty or a slice of one (a convolution split into full tiles and
/// remainder parts, cpu::remainderSplit; a part split again is assembled in
/// its slice of the whole), each at static offsets with unit strides and
/// used only by the next; empty if `value` is not such an assembly.
SmallVector<tensor::InsertSliceOp> getAssemblyInserts(Value value) {
  SmallVector<tensor::InsertSliceOp> inserts;
  while (auto insert = value.getDefiningOp<tensor::InsertSliceOp>()) {
    if (!insert->hasOneUse() || !insert.hasUnitStride() ||
        insert.getSourceType().getRank() != insert.getDestType().getRank() ||
        ShapedType::isDynamicShape(insert.getStaticOffsets()) ||
        ShapedType::isDynamicShape(insert.getStaticSizes()))
      return {};
    inserts.push_back(insert);
    value = insert.getDest();
  }
  if (!isEmptyContents(value))
    return {};
  std::reverse(inserts.begin(), inserts.end());
  return inserts;
}

/// Replaces every static slice a task takes of its shared output
/// `sharedOut`, whose contents are empty, by a tensor.empty of its own: the
/// task's tile no longer reads the shared output.
void replaceSlicesWithEmpty(RewriterBase &rewriter, BlockArgument sharedOut) {
  for (OpOperand &use : llvm::make_early_inc_range(sharedOut.getUses())) {
    auto slice = dyn_cast<tensor::ExtractSliceOp>(use.getOwner());
    if (!slice || !slice.getType().hasStaticShape())
      continue;
    rewriter.setInsertionPoint(slice);
    rewriter.replaceOpWithNewOp<tensor::EmptyOp>(
        slice, slice.getType().getShape(), slice.getType().getElementType());
  }
}

/// The parts that `value` is assembled from, the parts of parts that are
/// assemblies themselves included (getAssemblyInserts), or `value` itself.
void collectParts(Value value, SmallVectorImpl<Value> &parts) {
  SmallVector<tensor::InsertSliceOp> inserts = getAssemblyInserts(value);
  if (inserts.empty()) {
    parts.push_back(value);
    return;
  }
  for (tensor::InsertSliceOp insert : inserts)
    collectParts(insert.getSource(), parts);
}

/// The constant `a - b` of two index values or constants, or nullopt.
std::optional<int64_t> constantDelta(OpFoldResult a, OpFoldResult b) {
  std::optional<int64_t> ca = getConstantIntValue(a);
  std::optional<int64_t> cb = getConstantIntValue(b);
  if (ca && cb)
    return *ca - *cb;
  using Variable = ValueBoundsConstraintSet::Variable;
  MLIRContext *ctx = a.getContext() ? a.getContext() : b.getContext();
  if (!ctx)
    return std::nullopt;
  Variable var(
      AffineMap::get(2, 0, getAffineDimExpr(0, ctx) - getAffineDimExpr(1, ctx)),
      ArrayRef<Variable>{Variable(a), Variable(b)});
  FailureOr<int64_t> delta = ValueBoundsConstraintSet::computeConstantBound(
      presburger::BoundType::EQ, var);
  if (failed(delta))
    return std::nullopt;
  return *delta;
}

/// A forall whose tasks each write several strided tiles into their shared
/// output (the stride phases of a data gradient fused into one loop by
/// convgrad-cpu-fuse-sibling-tasks: every other row and column each) that
/// together cover a box exactly, the box of each task contiguous (all
/// phases of a block of output rows), and whose result only a transpose
/// reads: the tiles become strided inserts into a task-local box (a
/// tensor.empty), inserted into the shared output whole, so that the
/// transpose can then be fused into the tasks (one box of all phases, in
/// the task's cache, transposed with contiguous rows on both sides, where a
/// transpose per phase tile would write every other element of the
/// channels-first rows). Only when cpu::fuseResultTransposeIntoTasks
/// decides so for the box. Returns whether the forall changed.
bool mergePhaseTilesIntoBox(RewriterBase &rewriter, scf::ForallOp forall,
                            const cpu::CPUTarget &target) {
  if (forall.getNumResults() != 1 || !forall.getResult(0).hasOneUse())
    return false;
  auto transpose =
      dyn_cast<linalg::TransposeOp>(*forall.getResult(0).getUsers().begin());
  if (!transpose || transpose.getInput() != forall.getResult(0) ||
      !transpose.hasPureTensorSemantics())
    return false;
  OpOperand *init =
      forall.getTiedOpOperand(cast<OpResult>(forall.getResult(0)));
  if (!isEmptyContents(init->get()))
    return false;
  BlockArgument sharedOut = forall.getTiedBlockArgument(init);
  SmallVector<Operation *> combining = forall.getCombiningOps(sharedOut);
  if (combining.size() < 2)
    return false;
  Block *body = forall.getBody();
  SmallVector<tensor::ParallelInsertSliceOp> inserts;
  for (Operation *op : combining) {
    auto insert = dyn_cast<tensor::ParallelInsertSliceOp>(op);
    if (!insert ||
        insert.getSourceType().getRank() != insert.getDestType().getRank() ||
        ShapedType::isDynamicShape(insert.getStaticSizes()) ||
        ShapedType::isDynamicShape(insert.getStaticStrides()) ||
        (!inserts.empty() &&
         insert.getStaticStrides() != inserts.front().getStaticStrides()))
      return false;
    Operation *def = insert.getSource().getDefiningOp();
    if (!def || def->getBlock() != body || !insert.getSource().hasOneUse())
      return false;
    inserts.push_back(insert);
  }
  // The tiles in the order their producers run.
  llvm::sort(inserts, [](tensor::ParallelInsertSliceOp a,
                         tensor::ParallelInsertSliceOp b) {
    return a.getSource().getDefiningOp()->isBeforeInBlock(
        b.getSource().getDefiningOp());
  });
  ArrayRef<int64_t> strides = inserts.front().getStaticStrides();
  int64_t rank = strides.size();
  // Offsets of every tile relative to the first one's, per dim.
  SmallVector<SmallVector<int64_t>> deltas;
  SmallVector<OpFoldResult> firstOffsets = inserts.front().getMixedOffsets();
  for (tensor::ParallelInsertSliceOp insert : inserts) {
    SmallVector<int64_t> delta;
    SmallVector<OpFoldResult> offsets = insert.getMixedOffsets();
    for (int64_t d = 0; d < rank; ++d) {
      std::optional<int64_t> dd = constantDelta(offsets[d], firstOffsets[d]);
      if (!dd)
        return false;
      delta.push_back(*dd);
    }
    deltas.push_back(delta);
  }
  // The box: per dim, from the lowest offset to the highest element.
  SmallVector<int64_t> lo(rank, 0), box(rank, 0);
  SmallVector<OpFoldResult> origin(rank);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t hi = std::numeric_limits<int64_t>::min();
    lo[d] = std::numeric_limits<int64_t>::max();
    for (auto [k, insert] : llvm::enumerate(inserts)) {
      if (deltas[k][d] < lo[d]) {
        lo[d] = deltas[k][d];
        origin[d] = insert.getMixedOffsets()[d];
      }
      hi = std::max(hi, deltas[k][d] +
                            (insert.getStaticSizes()[d] - 1) * strides[d]);
    }
    box[d] = hi - lo[d] + 1;
  }
  // An exact cover: pairwise disjoint lattices whose elements add up to the
  // box's.
  int64_t boxElements = 1, tileElements = 0;
  for (int64_t d = 0; d < rank; ++d)
    boxElements *= box[d];
  for (auto [k, insert] : llvm::enumerate(inserts)) {
    int64_t n = 1;
    for (int64_t d = 0; d < rank; ++d)
      n *= insert.getStaticSizes()[d];
    tileElements += n;
    for (size_t j = 0; j < k; ++j) {
      bool disjoint = false;
      for (int64_t d = 0; d < rank && !disjoint; ++d) {
        int64_t a = deltas[k][d], b = deltas[j][d], s = strides[d];
        int64_t aEnd = a + (insert.getStaticSizes()[d] - 1) * s;
        int64_t bEnd = b + (inserts[j].getStaticSizes()[d] - 1) * s;
        disjoint = (a - b) % s != 0 || aEnd < b || bEnd < a;
      }
      if (!disjoint)
        return false;
    }
  }
  if (tileElements != boxElements)
    return false;
  auto elementType = inserts.front().getSourceType().getElementType();
  if (!elementType.isIntOrFloat())
    return false;
  int64_t boxBytes =
      boxElements * llvm::divideCeil(elementType.getIntOrFloatBitWidth(), 8);
  int64_t resultBytes = staticBytes(forall.getResult(0).getType());
  if (resultBytes <= 0 ||
      !cpu::fuseResultTransposeIntoTasks(resultBytes, boxBytes, target))
    return false;

  // The tiles start from empty tensors of their own (their slices of the
  // shared output were empty) and are inserted into the box right after
  // their producers; eliminate-empty-tensors then computes them in place.
  replaceSlicesWithEmpty(rewriter, sharedOut);
  Location loc = forall.getLoc();
  rewriter.setInsertionPointToStart(body);
  Value boxValue = tensor::EmptyOp::create(rewriter, loc, box, elementType);
  for (auto [k, insert] : llvm::enumerate(inserts)) {
    rewriter.setInsertionPointAfter(insert.getSource().getDefiningOp());
    SmallVector<int64_t> offsets;
    for (int64_t d = 0; d < rank; ++d)
      offsets.push_back(deltas[k][d] - lo[d]);
    boxValue = tensor::InsertSliceOp::create(
        rewriter, insert.getLoc(), insert.getSource(), boxValue, ValueRange{},
        ValueRange{}, ValueRange{}, offsets, insert.getStaticSizes(), strides);
  }
  rewriter.setInsertionPoint(inserts.back());
  SmallVector<OpFoldResult> sizes, unitStrides(rank, rewriter.getIndexAttr(1));
  for (int64_t b : box)
    sizes.push_back(rewriter.getIndexAttr(b));
  tensor::ParallelInsertSliceOp::create(rewriter, loc, boxValue, sharedOut,
                                        origin, sizes, unitStrides);
  for (tensor::ParallelInsertSliceOp insert : inserts)
    rewriter.eraseOp(insert);
  return true;
}

/// Whether the strategy moves `transpose` into the tasks of the forall(s)
/// that compute its input: the whole result of one forall, or the parts of
/// a split convolution, each the result of its own forall, assembled by
/// inserts. The decision is on the whole tensor and the largest tile.
bool isFusionCandidate(linalg::TransposeOp transpose,
                       const cpu::CPUTarget &target) {
  if (!transpose.hasPureTensorSemantics())
    return false;
  SmallVector<Value> parts;
  collectParts(transpose.getInput(), parts);
  int64_t largestTile = 0;
  for (Value part : parts) {
    int64_t tileBytes = getForallTileBytes(part);
    if (tileBytes <= 0)
      return false;
    largestTile = std::max(largestTile, tileBytes);
  }
  int64_t resultBytes = staticBytes(transpose.getInput().getType());
  return resultBytes > 0 &&
         cpu::fuseResultTransposeIntoTasks(resultBytes, largestTile, target);
}

/// transpose(insert(p_k, ... insert(p_1, empty))) ->
/// insert(transpose(p_k), ... insert(transpose(p_1), empty')): one transpose
/// per part, each created where its part's insert was (right after the
/// part's forall, so that the chain stays in order for empty-tensor
/// elimination). Returns the parts' transposes.
SmallVector<linalg::TransposeOp>
distributeOverInserts(RewriterBase &rewriter, linalg::TransposeOp transpose,
                      ArrayRef<tensor::InsertSliceOp> inserts) {
  ArrayRef<int64_t> perm = transpose.getPermutation();
  auto permuted = [&](ArrayRef<int64_t> values) {
    SmallVector<int64_t> result;
    for (int64_t d : perm)
      result.push_back(values[d]);
    return result;
  };
  auto resultType = cast<RankedTensorType>(transpose.getInit().getType());
  tensor::InsertSliceOp first = inserts.front();
  Operation *root = first.getDest().getDefiningOp();
  rewriter.setInsertionPoint(root);
  Value assembled = tensor::EmptyOp::create(
      rewriter, root->getLoc(), resultType.getShape(),
      resultType.getElementType());
  SmallVector<linalg::TransposeOp> partTransposes;
  for (tensor::InsertSliceOp insert : inserts) {
    rewriter.setInsertionPoint(insert);
    Location loc = insert.getLoc();
    Value part = insert.getSource();
    auto partType = cast<RankedTensorType>(part.getType());
    Value partInit = tensor::EmptyOp::create(
        rewriter, loc, permuted(partType.getShape()), partType.getElementType());
    auto partTranspose =
        linalg::TransposeOp::create(rewriter, loc, part, partInit, perm);
    partTransposes.push_back(partTranspose);
    SmallVector<int64_t> strides(perm.size(), 1);
    assembled = tensor::InsertSliceOp::create(
        rewriter, loc, partTranspose->getResult(0), assembled, ValueRange{},
        ValueRange{}, ValueRange{}, permuted(insert.getStaticOffsets()),
        permuted(insert.getStaticSizes()), strides);
  }
  rewriter.replaceOp(transpose, assembled);
  for (tensor::InsertSliceOp insert : llvm::reverse(inserts))
    rewriter.eraseOp(insert);
  return partTransposes;
}

/// After fusion the channels-last result of `forall` (tied to `result`) is
/// unused. If its shared output is a tensor.empty (or a slice of one), each
/// task's slice of it is an empty tensor too: the task's tile becomes a
/// tensor.empty of its own, after which the shared output only receives the
/// tile insert, and the canonicalizer drops it.
void detachTileFromSharedOutput(RewriterBase &rewriter, scf::ForallOp forall,
                                OpResult result) {
  if (!result.use_empty())
    return;
  OpOperand *init = forall.getTiedOpOperand(result);
  if (!isEmptyContents(init->get()))
    return;
  BlockArgument sharedOut = forall.getTiedBlockArgument(init);
  replaceSlicesWithEmpty(rewriter, sharedOut);
}

/// Fuses `transpose`, whose input is the single result of a forall of tiles,
/// into that forall; leaves it alone if upstream's consumer fusion fails.
void fuseIntoForall(RewriterBase &rewriter, DominanceInfo &dominance,
                    linalg::TransposeOp transpose) {
  auto forall = cast<scf::ForallOp>(transpose.getInput().getDefiningOp());
  // The fused transpose writes its tile into a slice of its init, which
  // becomes a shared output of the forall: it must exist before it (a
  // tensor.empty created after the forall moves up).
  Value transposeInit = transpose.getInit();
  Operation *initOp = transposeInit.getDefiningOp();
  if (!dominance.properlyDominates(transposeInit, forall)) {
    if (!isa_and_present<tensor::EmptyOp>(initOp) ||
        initOp->getNumOperands() != 0)
      return;
    rewriter.moveOpBefore(initOp, forall);
  }
  SmallVector<LoopLikeOpInterface> loops = {
      cast<LoopLikeOpInterface>(forall.getOperation())};
  FailureOr<scf::SCFFuseConsumerOfSliceResult> fused =
      scf::tileAndFuseConsumer(rewriter, transpose, loops);
  if (failed(fused))
    return;
  if (transpose->use_empty())
    rewriter.eraseOp(transpose);
  auto newForall = cast<scf::ForallOp>(loops.front().getOperation());
  detachTileFromSharedOutput(rewriter, newForall,
                             cast<OpResult>(newForall.getResult(0)));
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

    IRRewriter rewriter(&getContext());
    SmallVector<scf::ForallOp> foralls;
    func.walk([&](scf::ForallOp forall) { foralls.push_back(forall); });
    for (scf::ForallOp forall : foralls)
      mergePhaseTilesIntoBox(rewriter, forall, *target);

    SmallVector<linalg::TransposeOp> candidates;
    func.walk([&](linalg::TransposeOp transpose) {
      if (isFusionCandidate(transpose, *target))
        candidates.push_back(transpose);
    });

    for (linalg::TransposeOp transpose : candidates) {
      // Distributed over the parts, and over the parts of a part that is
      // an assembly itself, down to the foralls.
      SmallVector<linalg::TransposeOp> toFuse;
      SmallVector<linalg::TransposeOp> worklist = {transpose};
      while (!worklist.empty()) {
        linalg::TransposeOp next = worklist.pop_back_val();
        SmallVector<tensor::InsertSliceOp> inserts =
            getAssemblyInserts(next.getInput());
        if (inserts.empty()) {
          toFuse.push_back(next);
          continue;
        }
        SmallVector<linalg::TransposeOp> partTransposes =
            distributeOverInserts(rewriter, next, inserts);
        worklist.append(partTransposes.rbegin(), partTransposes.rend());
      }
      for (linalg::TransposeOp partTranspose : toFuse) {
        // Fusion replaces foralls: dominance is recomputed for each.
        DominanceInfo dominance(func);
        fuseIntoForall(rewriter, dominance, partTranspose);
      }
    }
  }
};

} // namespace
