//===- InterleaveStridedCopies.cpp - Phase copies as one interleave -------===//
//
// A channels-first data gradient of stride s computes its stride phases in
// buffers of their own (VectorizeConvAlongWidth: in place they would be
// every s-th element of the result's rows) and bufferization copies each
// into its lattice of the result: s x s copies into strided subviews, each
// of which writes one element per store (LowerVectors; masked stores where
// cpu::storeStridedRowMasked says so). On the RGB stem's data gradient
// (AVX2, Zen 4, 1 thread) those stores were 4-6% of the kernel's samples.
// The s copies of one row lattice (the same rows, column offsets o, o + 1,
// ..., o + s - 1) together write every element of those rows: here they
// become one loop nest that reads a vector of each phase's row, interleaves
// them with shuffles and stores whole vectors of the result row, when
// cpu::interleavesStridedCopies decides so. The columns past the last whole
// vector of the narrowest phase stay strided copies.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace {

/// A linalg.copy from a fresh buffer (memref.alloc: no alias of the result)
/// of static shape with unit innermost stride into a static subview of a
/// memref whose innermost stride is 1.
struct StridedCopy {
  mutable linalg::CopyOp copy; // (its accessors are not const)
  Value base;
  SmallVector<int64_t> offsets, sizes, strides;
};

std::optional<StridedCopy> getStridedCopy(linalg::CopyOp copy) {
  if (!copy.hasPureBufferSemantics())
    return std::nullopt;
  Value input = copy.getInputs()[0];
  auto inputType = dyn_cast<MemRefType>(input.getType());
  if (!inputType || !inputType.hasStaticShape() || inputType.getRank() == 0 ||
      !input.getDefiningOp<memref::AllocOp>() ||
      !inputType.getElementType().isIntOrFloat())
    return std::nullopt;
  auto [inputStrides, inputOffset] = inputType.getStridesAndOffset();
  if (inputStrides.back() != 1)
    return std::nullopt;
  auto subview = copy.getOutputs()[0].getDefiningOp<memref::SubViewOp>();
  if (!subview || subview.getSourceType().getRank() != inputType.getRank())
    return std::nullopt;
  auto [baseStrides, baseOffset] =
      subview.getSourceType().getStridesAndOffset();
  if (baseStrides.back() != 1)
    return std::nullopt;
  StridedCopy c{copy, subview.getSource(),
                SmallVector<int64_t>(subview.getStaticOffsets()),
                SmallVector<int64_t>(subview.getStaticSizes()),
                SmallVector<int64_t>(subview.getStaticStrides())};
  for (ArrayRef<int64_t> list :
       {ArrayRef<int64_t>(c.offsets), ArrayRef<int64_t>(c.sizes),
        ArrayRef<int64_t>(c.strides)})
    if (llvm::any_of(list, ShapedType::isDynamic))
      return std::nullopt;
  if (ArrayRef<int64_t>(c.sizes) != inputType.getShape())
    return std::nullopt;
  return c;
}

/// Whether the two copies write disjoint elements of their base: the same
/// strides, and in a dimension of stride > 1 offsets of different classes
/// modulo the stride.
bool disjoint(const StridedCopy &a, const StridedCopy &b) {
  if (a.base != b.base || a.strides != b.strides)
    return false;
  for (auto [oa, ob, s] : llvm::zip(a.offsets, b.offsets, a.strides))
    if (s > 1 && oa % s != ob % s)
      return true;
  return false;
}

/// Whether the members of `group` (sorted by position in their block) may
/// all be performed at the last one's place: every op between the first
/// and the last is free of memory effects, or one of `copies` that writes
/// elements of the base disjoint from each member's. (Inputs are fresh
/// buffers, none of them the base.)
bool movableToLast(ArrayRef<const StridedCopy *> group,
                   ArrayRef<StridedCopy> copies) {
  Operation *first = group.front()->copy;
  Operation *last = group.back()->copy;
  for (Operation *op = first->getNextNode(); op != last;
       op = op->getNextNode()) {
    if (llvm::any_of(group, [&](const StridedCopy *m) {
          return m->copy.getOperation() == op;
        }))
      continue;
    if (isMemoryEffectFree(op))
      continue;
    const StridedCopy *other = llvm::find_if(
        copies, [&](const StridedCopy &c) { return c.copy == op; });
    if (other == copies.end())
      return false;
    if (!llvm::all_of(
            group, [&](const StridedCopy *m) { return disjoint(*m, *other); }))
      return false;
    // Its input must not be the buffer a member reads (it only reads it,
    // but keep the order of anything touching the members' inputs).
    Value input = other->copy.getInputs()[0];
    if (llvm::any_of(group, [&](const StridedCopy *m) {
          return m->copy.getInputs()[0] == input;
        }))
      return false;
  }
  return true;
}

/// The copies of `group` (columns o, o + 1, ..., o + s - 1 of the same rows,
/// s = the innermost stride) as a loop nest over the rows and over
/// `interleaved` columns (a multiple of `lanes`) of every phase: a vector of
/// each phase's row, shuffled into s vectors of the result row, one store;
/// the columns of each member from `interleaved` on stay a strided copy.
void interleave(RewriterBase &rewriter, ArrayRef<const StridedCopy *> group,
                Operation *last, int64_t interleaved, int64_t lanes,
                bool parallel) {
  const StridedCopy &head = *group.front();
  int64_t stride = head.strides.back();
  int64_t rank = head.sizes.size();
  Location loc = head.copy.getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(last);
  auto elementType =
      cast<MemRefType>(head.copy.getInputs()[0].getType()).getElementType();

  // The rows the group writes, with unit innermost stride.
  SmallVector<OpFoldResult> offsets, sizes, strides;
  for (int64_t d = 0; d < rank; ++d) {
    offsets.push_back(rewriter.getIndexAttr(head.offsets[d]));
    sizes.push_back(rewriter.getIndexAttr(d + 1 == rank ? interleaved * stride
                                                        : head.sizes[d]));
    strides.push_back(
        rewriter.getIndexAttr(d + 1 == rank ? 1 : head.strides[d]));
  }
  Value rows = memref::SubViewOp::create(rewriter, loc, head.base, offsets,
                                         sizes, strides);

  // Loops over the outer dims (the outermost with more than one iteration
  // split across threads when `parallel`), then over the columns.
  SmallVector<Value> ivs;
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  bool distributed = !parallel;
  for (int64_t d = 0; d < rank; ++d) {
    bool inner = d + 1 == rank;
    int64_t upper = inner ? interleaved : head.sizes[d];
    int64_t step = inner ? lanes : 1;
    if (!inner && upper == 1) {
      ivs.push_back(zero);
      continue;
    }
    if (!inner && !distributed) {
      distributed = true;
      auto forall = scf::ForallOp::create(
          rewriter, loc, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(upper)},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1)}, ValueRange{},
          /*mapping=*/std::nullopt);
      ivs.push_back(forall.getInductionVars()[0]);
      rewriter.setInsertionPoint(forall.getBody()->getTerminator());
      continue;
    }
    auto loop = scf::ForOp::create(
        rewriter, loc, zero,
        arith::ConstantIndexOp::create(rewriter, loc, upper),
        step == 1 ? one : arith::ConstantIndexOp::create(rewriter, loc, step));
    ivs.push_back(loop.getInductionVar());
    rewriter.setInsertionPoint(loop.getBody()->getTerminator());
  }

  auto rowType = VectorType::get({lanes}, elementType);
  SmallVector<Value> phases;
  for (const StridedCopy *m : group)
    phases.push_back(vector::TransferReadOp::create(
        rewriter, loc, rowType, m->copy.getInputs()[0], ivs,
        /*padding=*/std::nullopt, ArrayRef<bool>{true}));
  // Lane i of the row is lane i / s of phase i % s: for two phases one
  // two-source shuffle, for more the phases side by side first.
  SmallVector<int64_t> pick;
  for (int64_t i = 0; i < stride * lanes; ++i)
    pick.push_back((i % stride) * lanes + i / stride);
  Value row;
  if (stride == 2) {
    row = vector::ShuffleOp::create(rewriter, loc, phases[0], phases[1], pick);
  } else {
    Value joined = phases.front();
    for (int64_t k = 1; k < stride; ++k)
      joined = vector::ShuffleOp::create(
          rewriter, loc, joined, phases[k],
          llvm::to_vector(llvm::seq<int64_t>(0, (k + 1) * lanes)));
    row = vector::ShuffleOp::create(rewriter, loc, joined, joined, pick);
  }
  SmallVector<Value> indices(ivs);
  indices.back() = arith::MulIOp::create(
      rewriter, loc, ivs.back(),
      arith::ConstantIndexOp::create(rewriter, loc, stride));
  vector::TransferWriteOp::create(rewriter, loc, row, rows, indices,
                                  ArrayRef<bool>{true});
}

/// The columns of `c` from `from` on as a copy of their own (nothing when
/// there are none), before `c`, which is erased.
void keepColumnsFrom(RewriterBase &rewriter, const StridedCopy &c,
                     int64_t from) {
  int64_t rank = c.sizes.size();
  int64_t columns = c.sizes.back() - from;
  if (columns > 0) {
    rewriter.setInsertionPoint(c.copy);
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0)), sizes,
        strides(rank, rewriter.getIndexAttr(1));
    offsets.back() = rewriter.getIndexAttr(from);
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(
          rewriter.getIndexAttr(d + 1 == rank ? columns : c.sizes[d]));
    Location loc = c.copy.getLoc();
    Value in = memref::SubViewOp::create(rewriter, loc, c.copy.getInputs()[0],
                                         offsets, sizes, strides);
    Value out = memref::SubViewOp::create(rewriter, loc, c.copy.getOutputs()[0],
                                          offsets, sizes, strides);
    linalg::CopyOp::create(rewriter, loc, in, out);
  }
  rewriter.eraseOp(c.copy);
}

} // namespace

void mlir::convgrad::interleaveStridedCopies(RewriterBase &rewriter,
                                             func::FuncOp func,
                                             const cpu::CPUTarget &target) {
  SmallVector<Block *> blocks;
  func.walk([&](Block *block) { blocks.push_back(block); });
  for (Block *block : blocks) {
    SmallVector<StridedCopy> copies;
    for (Operation &op : *block)
      if (auto copy = dyn_cast<linalg::CopyOp>(op))
        if (std::optional<StridedCopy> c = getStridedCopy(copy))
          copies.push_back(*c);
    // All groups are found on the block as it is, then rewritten.
    struct Group {
      SmallVector<const StridedCopy *> columns; // in column order
      Operation *last;                          // in block order
      int64_t interleaved, lanes;
      bool parallel;
    };
    SmallVector<Group> groups;
    SmallVector<bool> used(copies.size(), false);
    for (size_t i = 0; i < copies.size(); ++i) {
      const StridedCopy &head = copies[i];
      int64_t stride = head.strides.back();
      if (used[i] || stride < 2)
        continue;
      // The members for columns o + 1, ..., o + s - 1 of the same rows.
      SmallVector<const StridedCopy *> group(stride, nullptr);
      SmallVector<size_t> indices(stride, 0);
      group[0] = &head;
      indices[0] = i;
      for (size_t j = 0; j < copies.size(); ++j) {
        const StridedCopy &c = copies[j];
        int64_t k = c.offsets.back() - head.offsets.back();
        if (used[j] || j == i || k < 1 || k >= stride || group[k] ||
            c.base != head.base || c.strides != head.strides ||
            ArrayRef<int64_t>(c.offsets).drop_back() !=
                ArrayRef<int64_t>(head.offsets).drop_back() ||
            ArrayRef<int64_t>(c.sizes).drop_back() !=
                ArrayRef<int64_t>(head.sizes).drop_back())
          continue;
        group[k] = &c;
        indices[k] = j;
      }
      if (llvm::is_contained(group, nullptr))
        continue;
      // The columns every phase has (an odd width: phase 0 one more).
      int64_t narrowest = head.sizes.back();
      for (const StridedCopy *m : group)
        narrowest = std::min(narrowest, m->sizes.back());
      Type elementType =
          cast<MemRefType>(head.copy.getInputs()[0].getType()).getElementType();
      int64_t bits = elementType.getIntOrFloatBitWidth();
      if (!cpu::interleavesStridedCopies(narrowest, stride, bits, target))
        continue;
      int64_t lanes = target.lanes(bits);
      SmallVector<const StridedCopy *> ordered(group);
      llvm::sort(ordered, [](const StridedCopy *a, const StridedCopy *b) {
        return a->copy->isBeforeInBlock(b->copy);
      });
      if (!movableToLast(ordered, copies))
        continue;
      int64_t rowElements = 1;
      for (int64_t size : ArrayRef<int64_t>(head.sizes).drop_back())
        rowElements *= size;
      bool parallel = !head.copy->getParentOfType<scf::ForallOp>() &&
                      !head.copy->getParentOfType<scf::ParallelOp>() &&
                      cpu::parallelizeDataMovement(
                          rowElements * stride * narrowest * bits / 8, target);
      groups.push_back({group, ordered.back()->copy, narrowest / lanes * lanes,
                        lanes, parallel});
      for (size_t k : indices)
        used[k] = true;
    }
    for (Group &g : groups) {
      interleave(rewriter, g.columns, g.last, g.interleaved, g.lanes,
                 g.parallel);
      for (const StridedCopy *m : g.columns)
        keepColumnsFrom(rewriter, *m, g.interleaved);
    }
  }
}
