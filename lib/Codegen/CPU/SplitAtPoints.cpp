//===- SplitAtPoints.cpp - Static remainder parts of a tiled op -----------===//
//
// A dimension whose register or vector tile does not divide it (67 channels
// in blocks of 64 lanes) is split into the whole tiles and one remainder
// part before tiling, so that both parts are tiled without remainder and
// keep static shapes; upstream tiling with a non-dividing size would give
// dynamic tiles, which the vectorizers leave scalar.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;

FailureOr<SmallVector<Operation *>>
mlir::convgrad::splitAtPoints(RewriterBase &rewriter, Operation *op,
                              ArrayRef<int64_t> splitPoints) {
  auto tileable = dyn_cast<TilingInterface>(op);
  auto dps = dyn_cast<DestinationStyleOpInterface>(op);
  if (!tileable || !dps)
    return failure();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  SmallVector<Range> domain = tileable.getIterationDomain(rewriter);
  SmallVector<utils::IteratorType> iterators =
      tileable.getLoopIteratorTypes();
  if (splitPoints.size() != domain.size())
    return failure();
  // The [begin, end) pieces of every loop.
  SmallVector<SmallVector<std::pair<int64_t, int64_t>>> pieces;
  bool anySplit = false;
  for (auto [range, point, iterator] :
       llvm::zip_equal(domain, splitPoints, iterators)) {
    std::optional<int64_t> offset = getConstantIntValue(range.offset);
    std::optional<int64_t> size = getConstantIntValue(range.size);
    if (!offset || !size || *offset != 0)
      return failure();
    if (point == 0) {
      pieces.push_back({{0, *size}});
      continue;
    }
    if (point < 0 || point >= *size ||
        iterator != utils::IteratorType::parallel)
      return failure();
    pieces.push_back({{0, point}, {point, *size}});
    anySplit = true;
  }
  if (!anySplit)
    return SmallVector<Operation *>{op};

  Location loc = op->getLoc();
  SmallVector<Value> results(dps.getDpsInits());
  bool onTensors = op->getNumResults() != 0;
  if (onTensors && results.size() != op->getNumResults())
    return failure();
  SmallVector<Operation *> parts;
  // Every combination of the pieces, the last loop fastest.
  SmallVector<size_t> choice(pieces.size(), 0);
  while (true) {
    SmallVector<OpFoldResult> offsets, sizes;
    for (auto [dimPieces, c] : llvm::zip_equal(pieces, choice)) {
      offsets.push_back(rewriter.getIndexAttr(dimPieces[c].first));
      sizes.push_back(
          rewriter.getIndexAttr(dimPieces[c].second - dimPieces[c].first));
    }
    FailureOr<TilingResult> part =
        tileable.getTiledImplementation(rewriter, offsets, sizes);
    if (failed(part) || part->tiledOps.empty())
      return failure();
    Operation *partOp = part->tiledOps.front();
    parts.push_back(partOp);
    // A part reads its destination slice from the results so far, not from
    // the original destination that earlier parts' inserts overwrite in
    // place: bufferization would otherwise copy it (and fails inside a loop
    // whose iter_arg it is).
    if (onTensors) {
      OpBuilder::InsertionGuard partGuard(rewriter);
      rewriter.setInsertionPoint(partOp);
      auto partDps = cast<DestinationStyleOpInterface>(partOp);
      for (auto [i, init] : llvm::enumerate(partDps.getDpsInitsMutable())) {
        auto slice = init.get().getDefiningOp<tensor::ExtractSliceOp>();
        if (i >= results.size() || !slice ||
            slice.getSource() != dps.getDpsInits()[i] ||
            results[i] == slice.getSource())
          continue;
        Value fromResults = tensor::ExtractSliceOp::create(
            rewriter, loc, slice.getType(), results[i],
            slice.getMixedOffsets(), slice.getMixedSizes(),
            slice.getMixedStrides());
        OpOperand &operand = init;
        rewriter.modifyOpInPlace(partOp, [&] { operand.set(fromResults); });
      }
    }
    for (auto [i, value] : llvm::enumerate(part->tiledValues)) {
      if (!onTensors)
        break;
      SmallVector<OpFoldResult> resultOffsets, resultSizes;
      if (failed(tileable.getResultTilePosition(rewriter, i, offsets, sizes,
                                                resultOffsets, resultSizes)))
        return failure();
      SmallVector<OpFoldResult> strides(resultOffsets.size(),
                                        rewriter.getIndexAttr(1));
      results[i] = tensor::InsertSliceOp::create(
          rewriter, loc, value, results[i], resultOffsets, resultSizes,
          strides);
    }
    // Next combination.
    int64_t dim = pieces.size() - 1;
    while (dim >= 0 && ++choice[dim] == pieces[dim].size())
      choice[dim--] = 0;
    if (dim < 0)
      break;
  }
  if (onTensors)
    rewriter.replaceOp(op, results);
  else
    rewriter.eraseOp(op);
  return parts;
}
