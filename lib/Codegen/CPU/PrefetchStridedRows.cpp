//===- PrefetchStridedRows.cpp - Rows of far-apart planes, fetched ahead --===//
//
// The channel loop of a convolution vectorized along its width
// (VectorizeConvAlongWidth.cpp) reads, per channel, a few rows of that
// channel's input plane: rows a plane (tens of KiB) apart from one
// iteration to the next. The hardware prefetchers follow streams within a
// page, so each of those rows misses on its first use; when the buffer is
// larger than the L2 (the padded output gradient of the RGB stem's data
// gradient, 27 MB) the first stride phase of each task waited on memory
// for most of its rows. This pass prefetches them a few iterations ahead,
// as the tiling strategy decides (cpu::stridedReductionPrefetchDistance).
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCPUPREFETCHSTRIDEDROWS
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

/// `index` as a base value plus a constant: the operand and constant of an
/// affine.apply of `operand + c` (how the vectorizer offsets the columns of
/// one row), no value and the constant of a constant index, otherwise
/// `index` itself plus 0.
std::pair<Value, int64_t> splitConstantOffset(Value index) {
  APInt constantIndex;
  if (matchPattern(index, m_ConstantInt(&constantIndex)))
    return {Value(), constantIndex.getSExtValue()};
  auto apply = index.getDefiningOp<affine::AffineApplyOp>();
  if (!apply || apply.getMapOperands().size() != 1)
    return {index, 0};
  AffineExpr expr = apply.getAffineMap().getResult(0);
  auto sum = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!sum || sum.getKind() != AffineExprKind::Add)
    return {index, 0};
  auto constant = dyn_cast<AffineConstantExpr>(sum.getRHS());
  if (!constant || !isa<AffineDimExpr, AffineSymbolExpr>(sum.getLHS()))
    return {index, 0};
  return {apply.getMapOperands()[0], constant.getValue()};
}

/// How many times one iteration of `loop` runs `op`: the static trip
/// counts of the loops between them.
int64_t timesPerIteration(Operation *op, scf::ForOp loop) {
  int64_t times = 1;
  for (Operation *parent = op->getParentOp(); parent && parent != loop;
       parent = parent->getParentOp())
    if (auto inner = dyn_cast<scf::ForOp>(parent))
      if (std::optional<APInt> trips = inner.getStaticTripCount())
        times *= trips->getSExtValue();
  return times;
}

/// The vector FMAs one iteration of `loop` issues.
int64_t countFmasPerIteration(scf::ForOp loop) {
  int64_t fmas = 0;
  loop.getBody()->walk(
      [&](vector::FMAOp fma) { fmas += timesPerIteration(fma, loop); });
  return fmas;
}

/// The loads of one row: same buffer, same block, same indices except the
/// innermost, whose base they share and whose constant offsets span
/// [first, last] elements.
struct RowLoads {
  vector::LoadOp anchor; ///< the first load, where the prefetches go
  SmallVector<Value> outerIndices;
  Value base;
  int64_t first = 0, last = 0;
  bool valid = true;
};

struct PrefetchStridedRowsPass
    : public convgrad::impl::ConvGradCPUPrefetchStridedRowsBase<
          PrefetchStridedRowsPass> {
  void runOnOperation() override {
    FailureOr<cpu::CPUTarget> target = getCPUTarget(getOperation());
    if (failed(target))
      return signalPassFailure();
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops)
      prefetchRows(loop, *target);
  }

  void prefetchRows(scf::ForOp loop, const cpu::CPUTarget &target) {
    // Only the reduction loop of a register tile (its accumulators carried
    // in vectors): its next iterations are what the rows are for. An outer
    // loop over images or tiles would fetch a whole tile ahead, evicting
    // what the current one reads (a depthwise filter gradient's image loop
    // ran 15% slower).
    if (!llvm::any_of(loop.getInitArgs(), [](Value init) {
          return isa<VectorType>(init.getType());
        }))
      return;
    Value iv = loop.getInductionVar();
    // In program order (a loop body reads a handful of rows).
    SmallVector<RowLoads> rows;
    int64_t fmas = -1;
    loop.getBody()->walk([&](vector::LoadOp load) {
      auto type = dyn_cast<MemRefType>(load.getBase().getType());
      ValueRange indices = load.getIndices();
      if (!type || !type.hasStaticShape() || indices.size() < 2 ||
          load.getVectorType().getRank() != 1)
        return;
      auto position = llvm::find(indices.drop_back(), iv);
      if (position == indices.drop_back().end())
        return;
      int64_t dim = position - indices.begin();
      SmallVector<int64_t> strides;
      int64_t offset;
      if (failed(type.getStridesAndOffset(strides, offset)) ||
          strides.back() != 1 || ShapedType::isDynamic(strides[dim]))
        return;
      int64_t elementBytes = type.getElementTypeBitWidth() / 8;
      if (elementBytes <= 0)
        return;
      if (fmas < 0)
        fmas = countFmasPerIteration(loop);
      if (cpu::stridedReductionPrefetchDistance(
              strides[dim] * elementBytes,
              type.getNumElements() * elementBytes, fmas,
              /*prefetchesPerIteration=*/0, target) == 0)
        return;
      auto [base, constant] = splitConstantOffset(indices.back());
      int64_t end = constant + load.getVectorType().getNumElements() - 1;
      SmallVector<Value> outer(indices.drop_back());
      auto sameRow = [&](RowLoads &row) {
        return row.anchor->getBlock() == load->getBlock() &&
               row.anchor.getBase() == load.getBase() &&
               row.outerIndices == outer;
      };
      auto it = llvm::find_if(rows, sameRow);
      if (it == rows.end()) {
        rows.push_back({load, outer, base, constant, end, true});
        return;
      }
      RowLoads &row = *it;
      if (row.base != base) {
        row.valid = false;
        return;
      }
      row.first = std::min(row.first, constant);
      row.last = std::max(row.last, end);
    });
    if (rows.empty())
      return;

    DominanceInfo dominance(loop);
    // The prefetches go before a row's first load: its base index must be
    // defined there already.
    llvm::erase_if(rows, [&](RowLoads &row) {
      return !row.valid ||
             (row.base && !dominance.properlyDominates(row.base, row.anchor));
    });
    // One prefetch per cache line a row spans, at its first column, every
    // line after it and its last column.
    auto prefetchColumns = [](const RowLoads &row, int64_t lineElements) {
      SmallVector<int64_t> columns;
      for (int64_t c = row.first; c < row.last; c += lineElements)
        columns.push_back(c);
      columns.push_back(row.last);
      return columns;
    };
    int64_t prefetches = 0;
    for (RowLoads &row : rows) {
      auto type = cast<MemRefType>(row.anchor.getBase().getType());
      int64_t lineElements =
          cpu::elementsPerCacheLine(type.getElementTypeBitWidth() / 8);
      prefetches += int64_t(prefetchColumns(row, lineElements).size()) *
                    timesPerIteration(row.anchor, loop);
    }
    OpBuilder b(loop.getBody(), loop.getBody()->begin());
    Location loc = loop.getLoc();
    Value ahead;
    for (RowLoads &rowLoads : rows) {
      RowLoads *row = &rowLoads;
      auto type = cast<MemRefType>(row->anchor.getBase().getType());
      int64_t elementBytes = type.getElementTypeBitWidth() / 8;
      SmallVector<int64_t> strides;
      int64_t offset;
      (void)type.getStridesAndOffset(strides, offset);
      ValueRange indices = row->anchor.getIndices();
      int64_t dim = llvm::find(indices, iv) - indices.begin();
      int64_t distance = cpu::stridedReductionPrefetchDistance(
          strides[dim] * elementBytes, type.getNumElements() * elementBytes,
          fmas, prefetches, target);
      if (distance == 0)
        continue;
      if (!ahead) {
        // min(iv + distance * step, ub - 1): the last iteration's rows
        // again rather than past the loop's range.
        Value step = arith::MulIOp::create(
            b, loc, loop.getStep(),
            arith::ConstantIndexOp::create(b, loc, distance));
        Value next = arith::AddIOp::create(b, loc, iv, step);
        Value last = arith::SubIOp::create(
            b, loc, loop.getUpperBound(),
            arith::ConstantIndexOp::create(b, loc, 1));
        ahead = arith::MinSIOp::create(b, loc, next, last);
      }
      OpBuilder rowBuilder(row->anchor);
      SmallVector<Value> at(indices.begin(), indices.end());
      at[dim] = ahead;
      int64_t lineElements = cpu::elementsPerCacheLine(elementBytes);
      for (int64_t column : prefetchColumns(*row, lineElements)) {
        Value index = row->base;
        if (!row->base)
          index = arith::ConstantIndexOp::create(rowBuilder, loc, column);
        else if (column != 0)
          index = arith::AddIOp::create(
              rowBuilder, loc, row->base,
              arith::ConstantIndexOp::create(rowBuilder, loc, column));
        at.back() = index;
        memref::PrefetchOp::create(rowBuilder, loc, row->anchor.getBase(), at,
                                   /*isWrite=*/false, /*localityHint=*/3,
                                   /*isDataCache=*/true);
      }
    }
  }
};

} // namespace
