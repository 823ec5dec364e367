//===- PadColumnsInCopyRows.cpp - Padding columns stored with the rows ----===//
//
// One-shot bufferization materializes a tensor.pad whose source is not a
// fresh result (a function argument: the channels-first dy of a data
// gradient) as a fill of the whole padded buffer with the padding value and
// a copy of the source into its interior. The fill is a whole pass over the
// padded buffer that the copy then writes again: on the RGB stem's data
// gradient (8 x 64 x 115 x 115 floats, 27 MB) about a tenth of the call at
// one thread. A channels-first padding of the width is one or two elements
// per row, too narrow to fill as the border alone (PadInPlace,
// cpu::fillsPaddedBorderOnly). Here the copy's loop over the interior rows
// stores them instead: per row, the copy of the row and fills of its left
// and right padding columns, whose cache lines the row's copy writes too;
// the fill covers only the border slabs of the outer dimensions (the top
// and bottom rows, whole rows). A transpose into the interior (the
// channels-last dy made channels-first for a narrow convolution, whose
// padded fill PadInPlace keeps whole for the same reason) whose input's
// contiguous dimension becomes an outer dimension of the buffer (the
// channels) is likewise split by the other outer dimensions (n, h): per
// position, the 2-D transpose of its slice into those rows, then the fills
// of their padding columns, whose cache lines it just wrote. As a loop of
// its own before the transpose, that fill touched two lines per row of the
// stem's 27 MB dy that the transpose wrote again after they left the
// caches (AVX2, NHWC, 1 thread: about 5% of the kernel's samples). Any
// other transpose stays whole, after a loop over the interior rows that
// fills only their padding columns.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace {

/// The value that `op`, a linalg.fill or an input-less linalg.map yielding a
/// constant, writes into every element of its memref, and that memref; or
/// nulls.
std::pair<Value, Value> getConstantFill(Operation *op) {
  if (auto fill = dyn_cast<linalg::FillOp>(op)) {
    if (fill.hasPureBufferSemantics() &&
        matchPattern(fill.getInputs()[0], m_Constant()))
      return {fill.getInputs()[0], fill.getOutputs()[0]};
    return {};
  }
  auto map = dyn_cast<linalg::MapOp>(op);
  if (!map || !map.hasPureBufferSemantics() || !map.getInputs().empty())
    return {};
  Block &body = map.getMapper().front();
  if (!llvm::hasSingleElement(body.without_terminator()) &&
      !body.without_terminator().empty())
    return {};
  Value yielded = body.getTerminator()->getOperand(0);
  if (yielded.getParentRegion() == &map.getMapper() ||
      !matchPattern(yielded, m_Constant()))
    return {};
  return {yielded, map.getInit()};
}

/// A fill of a fresh buffer followed by a copy or a transpose into its
/// interior.
struct PaddedCopy {
  Operation *fill;
  Value value;           ///< the padding value
  Value buffer;          ///< the padded buffer
  linalg::LinalgOp copy; ///< source -> subview(buffer) of the interior
  SmallVector<int64_t> low, interior;
};

/// `fill` and the copy or transpose after it (only subviews between them)
/// into a static unit-stride subview of the same fresh buffer, with at least
/// one padded side; or nothing.
std::optional<PaddedCopy> matchPaddedCopy(Operation *fill) {
  auto [value, buffer] = getConstantFill(fill);
  if (!value || !buffer.getDefiningOp<memref::AllocOp>())
    return std::nullopt;
  auto type = cast<MemRefType>(buffer.getType());
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getRank() < 1)
    return std::nullopt;
  Operation *next = fill->getNextNode();
  while (next && isa<memref::SubViewOp>(next))
    next = next->getNextNode();
  if (!isa_and_nonnull<linalg::CopyOp, linalg::TransposeOp>(next))
    return std::nullopt;
  auto copy = cast<linalg::LinalgOp>(next);
  if (!copy.hasPureBufferSemantics())
    return std::nullopt;
  auto interior = copy.getDpsInits()[0].getDefiningOp<memref::SubViewOp>();
  if (!interior || interior.getSource() != buffer ||
      interior.getSourceType().getRank() != interior.getType().getRank() ||
      ShapedType::isDynamicShape(interior.getStaticOffsets()) ||
      ShapedType::isDynamicShape(interior.getStaticSizes()) ||
      !llvm::all_of(interior.getStaticStrides(),
                    [](int64_t s) { return s == 1; }))
    return std::nullopt;
  PaddedCopy match{fill, value, buffer, copy,
                   llvm::to_vector(interior.getStaticOffsets()),
                   llvm::to_vector(interior.getStaticSizes())};
  if (llvm::equal(match.interior, type.getShape()))
    return std::nullopt; // nothing padded
  return match;
}

/// A fill of `buffer`'s slab at `offsets` of `sizes` with `value`.
void fillSlab(OpBuilder &b, Location loc, Value value, Value buffer,
              ArrayRef<OpFoldResult> offsets, ArrayRef<int64_t> sizes) {
  SmallVector<OpFoldResult> sizeAttrs, strides;
  for (int64_t size : sizes) {
    sizeAttrs.push_back(b.getIndexAttr(size));
    strides.push_back(b.getIndexAttr(1));
  }
  Value slab = memref::SubViewOp::create(b, loc, buffer, offsets, sizeAttrs,
                                         strides);
  linalg::FillOp::create(b, loc, value, slab);
}

void rewritePaddedCopy(RewriterBase &rewriter, PaddedCopy m,
                       bool parallel) {
  Location loc = m.copy.getLoc();
  auto type = cast<MemRefType>(m.buffer.getType());
  int64_t rank = type.getRank();
  int64_t inner = rank - 1;
  rewriter.setInsertionPoint(m.copy);
  // The border slabs of the outer dimensions, disjoint as in PadInPlace's
  // fillBorder: along dimension d, over the interior of the dimensions
  // before it and the whole extent of those after it (whole rows).
  for (int64_t d = 0; d < inner; ++d) {
    int64_t high = type.getDimSize(d) - m.low[d] - m.interior[d];
    for (auto [sideOffset, sideSize] :
         {std::pair{int64_t(0), m.low[d]},
          std::pair{m.low[d] + m.interior[d], high}}) {
      if (sideSize == 0)
        continue;
      SmallVector<OpFoldResult> offsets;
      SmallVector<int64_t> sizes;
      for (int64_t e = 0; e < rank; ++e) {
        offsets.push_back(rewriter.getIndexAttr(
            e < d ? m.low[e] : e == d ? sideOffset : 0));
        sizes.push_back(e < d    ? m.interior[e]
                        : e == d ? sideSize
                                 : type.getDimSize(e));
      }
      fillSlab(rewriter, loc, m.value, m.buffer, offsets, sizes);
    }
  }
  int64_t width = m.interior[inner];
  int64_t highColumns = type.getDimSize(inner) - m.low[inner] - width;
  bool copiesRows = isa<linalg::CopyOp>(m.copy);
  if (!copiesRows && m.low[inner] == 0 && highColumns == 0) {
    rewriter.eraseOp(m.fill); // the border slabs are all the padding
    return;
  }
  // A transpose whose input's innermost dimension becomes an outer
  // dimension `gathered` of the buffer (NHWC -> NCHW: the channels) writes
  // the rows of that dimension together: per position of the other outer
  // dimensions (n, h), a 2-D transpose of [w, c] into [c, w] rows. The loop
  // below then runs over those other dimensions only, and per position
  // transposes its slice and fills the padding columns of the rows it just
  // wrote, while their cache lines are in L1.
  int64_t gathered = -1;
  if (auto transpose = dyn_cast<linalg::TransposeOp>(m.copy.getOperation())) {
    ArrayRef<int64_t> perm = transpose.getPermutation();
    int64_t fromInner = llvm::find(perm, rank - 1) - perm.begin();
    if (fromInner != inner)
      gathered = fromInner;
  }
  // The interior rows: one scf.forall over all the outer dimensions of more
  // than one position when the copy is split across threads (a task per
  // row; the OpenMP loop divides them), else one scf.for per dimension.
  SmallVector<Value> positions(inner);
  SmallVector<int64_t> loopDims;
  for (int64_t d = 0; d < inner; ++d)
    if (m.interior[d] > 1 && d != gathered)
      loopDims.push_back(d);
  OpBuilder::InsertionGuard guard(rewriter);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  for (int64_t d = 0; d < inner; ++d)
    positions[d] = zero;
  if (parallel && !loopDims.empty()) {
    SmallVector<OpFoldResult> lbs, ubs, steps;
    for (int64_t d : loopDims) {
      lbs.push_back(rewriter.getIndexAttr(0));
      ubs.push_back(rewriter.getIndexAttr(m.interior[d]));
      steps.push_back(rewriter.getIndexAttr(1));
    }
    auto forall = scf::ForallOp::create(rewriter, loc, lbs, ubs, steps,
                                        ValueRange{},
                                        /*mapping=*/std::nullopt);
    for (auto [d, iv] : llvm::zip_equal(loopDims, forall.getInductionVars()))
      positions[d] = iv;
    rewriter.setInsertionPoint(forall.getBody()->getTerminator());
  } else {
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (int64_t d : loopDims) {
      Value count =
          arith::ConstantIndexOp::create(rewriter, loc, m.interior[d]);
      auto loop = scf::ForOp::create(rewriter, loc, zero, count, one);
      positions[d] = loop.getInductionVar();
      rewriter.setInsertionPoint(loop.getBody()->getTerminator());
    }
  }
  // The row: the copy of the source's row and the padding columns on either
  // side of it.
  SmallVector<OpFoldResult> sourceOffsets, rowOffsets;
  SmallVector<int64_t> rowSizes(rank, 1);
  for (int64_t d = 0; d < inner; ++d) {
    sourceOffsets.push_back(positions[d]);
    rowOffsets.push_back(
        m.low[d] == 0
            ? OpFoldResult(positions[d])
            : OpFoldResult(arith::AddIOp::create(
                               rewriter, loc, positions[d],
                               arith::ConstantIndexOp::create(rewriter, loc,
                                                              m.low[d]))
                               .getResult()));
  }
  SmallVector<OpFoldResult> ones(rank, rewriter.getIndexAttr(1));
  auto rowSlice = [&](Value memref, ArrayRef<OpFoldResult> outer,
                      int64_t column, int64_t columns) {
    SmallVector<OpFoldResult> offsets(outer);
    offsets.push_back(rewriter.getIndexAttr(column));
    SmallVector<OpFoldResult> sizes(rank, rewriter.getIndexAttr(1));
    sizes.back() = rewriter.getIndexAttr(columns);
    return memref::SubViewOp::create(rewriter, loc, memref, offsets, sizes,
                                     ones)
        .getResult();
  };
  if (gathered >= 0) {
    // This position's slice of the transpose: whole along `gathered` and
    // the columns, one position along the other dimensions.
    auto transpose = cast<linalg::TransposeOp>(m.copy.getOperation());
    ArrayRef<int64_t> perm = transpose.getPermutation();
    SmallVector<OpFoldResult> inOffsets(rank), inSizes(rank), outOffsets,
        outSizes;
    for (int64_t d = 0; d < rank; ++d) {
      bool whole = d == gathered || d == inner;
      OpFoldResult at =
          whole ? OpFoldResult(rewriter.getIndexAttr(0)) : positions[d];
      OpFoldResult size = rewriter.getIndexAttr(whole ? m.interior[d] : 1);
      inOffsets[perm[d]] = at;
      inSizes[perm[d]] = size;
      outOffsets.push_back(
          d == inner ? OpFoldResult(rewriter.getIndexAttr(m.low[inner]))
                     : rowOffsets[d]);
      outSizes.push_back(size);
    }
    if (m.low[gathered] > 0)
      outOffsets[gathered] = rewriter.getIndexAttr(m.low[gathered]);
    Value in = memref::SubViewOp::create(rewriter, loc, transpose.getInput(),
                                         inOffsets, inSizes, ones);
    Value out = memref::SubViewOp::create(rewriter, loc, m.buffer, outOffsets,
                                          outSizes, ones);
    linalg::TransposeOp::create(rewriter, loc, in, out, perm);
    rowOffsets[gathered] = rewriter.getIndexAttr(m.low[gathered]);
    rowSizes[gathered] = m.interior[gathered];
  }
  if (m.low[inner] > 0) {
    SmallVector<OpFoldResult> offsets(rowOffsets);
    offsets.push_back(rewriter.getIndexAttr(0));
    rowSizes.back() = m.low[inner];
    fillSlab(rewriter, loc, m.value, m.buffer, offsets, rowSizes);
  }
  if (copiesRows)
    linalg::CopyOp::create(
        rewriter, loc,
        rowSlice(m.copy.getDpsInputs()[0], sourceOffsets, 0, width),
        rowSlice(m.buffer, rowOffsets, m.low[inner], width));
  if (highColumns > 0) {
    SmallVector<OpFoldResult> offsets(rowOffsets);
    offsets.push_back(rewriter.getIndexAttr(m.low[inner] + width));
    rowSizes.back() = highColumns;
    fillSlab(rewriter, loc, m.value, m.buffer, offsets, rowSizes);
  }
  // Another transpose (rows of the interior gathered from the columns of
  // its input) stays, after the loop that filled the padding columns.
  if (copiesRows || gathered >= 0)
    rewriter.eraseOp(m.copy);
  rewriter.eraseOp(m.fill);
}

} // namespace

void mlir::convgrad::fillPaddedColumnsWithCopyRows(
    RewriterBase &rewriter, func::FuncOp func, const cpu::CPUTarget &target) {
  SmallVector<PaddedCopy> matches;
  func.walk([&](Operation *op) {
    if (std::optional<PaddedCopy> m = matchPaddedCopy(op)) {
      auto type = cast<MemRefType>(m->buffer.getType());
      if (type.getElementType().isIntOrFloat() &&
          cpu::fillsPaddedColumnsWithRows(
              m->interior.back(), type.getElementTypeBitWidth(), target))
        matches.push_back(*m);
    }
  });
  for (PaddedCopy &m : matches) {
    auto type = cast<MemRefType>(m.buffer.getType());
    bool parallel =
        !m.copy->getParentOfType<scf::ForallOp>() &&
        !m.copy->getParentOfType<scf::ParallelOp>() &&
        cpu::parallelizeDataMovement(
            type.getNumElements() *
                std::max<int64_t>(1, type.getElementTypeBitWidth() / 8),
            target);
    rewritePaddedCopy(rewriter, m, parallel);
  }
}
