//===- VectorizeDataMovement.cpp - Vector copies, fills and transposes ----===//
//
// After bufferization, the data movement around the convolutions (layout
// transposes, the copies and fills that materialize tensor.pad and zero
// insertion, type conversions, the filter reverse) is a set of parallel
// linalg ops on memrefs. Lowered to loops they move one element per
// iteration. This pass tiles each of them so that a tile spans the
// contiguous innermost dimension (for a transpose also the dimension that is
// contiguous in its input) and vectorizes the tile: copies become vector
// loads and stores, transposes 2-D vector transposes. When the target has
// threads and the op is large (cpu::parallelizeDataMovement), the outermost
// tile loop becomes an scf.forall: the pads, zero fills, phase interleaves
// and layout transposes between the convolutions run on every thread, not
// as a sequential region between parallel ones.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
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

/// The operands and permutation of a transpose on memrefs (that reads the
/// output dimensions `reversed` marks backwards, if any) over fewer
/// dimensions: output dimensions that are also consecutive, in order, in
/// the input, and read in the same direction, move as one (NCHW -> NHWC is
/// [N, C, H*W] -> [N, H*W, C]; a kernel's [kh, kw] taps read backwards, one
/// merged kh * KW + kw read backwards). The merged dimension is larger, so a
/// transpose tile can span a full vector more often (28 x 28 = 49 x 16).
/// Null operands if nothing merges or the buffers' layouts cannot merge.
struct CollapsedTranspose {
  Value input, output;
  SmallVector<int64_t> permutation;
  SmallVector<bool> reversed;
};
CollapsedTranspose collapseTransposeOperands(RewriterBase &rewriter,
                                             Operation *op, Value input,
                                             Value init, ArrayRef<int64_t> perm,
                                             ArrayRef<bool> reversed) {
  // Groups of output dimensions [begin, end) with consecutive input dims.
  SmallVector<std::pair<int64_t, int64_t>> outputGroups;
  for (int64_t i = 0, e = perm.size(); i < e; ++i) {
    if (!outputGroups.empty() && perm[i] == perm[i - 1] + 1 &&
        reversed[i] == reversed[i - 1])
      outputGroups.back().second = i + 1;
    else
      outputGroups.push_back({i, i + 1});
  }
  if (outputGroups.size() == perm.size())
    return {};
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
  llvm::sort(inputOrder, [&](int64_t a, int64_t b) {
    return groupStarts[a] < groupStarts[b];
  });
  SmallVector<ReassociationIndices> inputReassoc;
  CollapsedTranspose collapsed;
  collapsed.permutation.resize(outputGroups.size());
  for (auto [position, group] : llvm::enumerate(inputOrder)) {
    auto [begin, end] = outputGroups[group];
    inputReassoc.push_back(llvm::to_vector(
        llvm::seq<int64_t>(perm[begin], perm[begin] + (end - begin))));
    collapsed.permutation[group] = position;
  }
  for (auto [begin, end] : outputGroups)
    collapsed.reversed.push_back(reversed[begin]);
  auto inputType = cast<MemRefType>(input.getType());
  auto outputType = cast<MemRefType>(init.getType());
  if (!memref::CollapseShapeOp::isGuaranteedCollapsible(inputType,
                                                        inputReassoc) ||
      !memref::CollapseShapeOp::isGuaranteedCollapsible(outputType,
                                                        outputReassoc))
    return {};
  rewriter.setInsertionPoint(op);
  Location loc = op->getLoc();
  collapsed.input =
      memref::CollapseShapeOp::create(rewriter, loc, input, inputReassoc);
  collapsed.output =
      memref::CollapseShapeOp::create(rewriter, loc, init, outputReassoc);
  return collapsed;
}

/// A transpose on memrefs over fewer dimensions (collapseTransposeOperands).
/// Returns the new op, or null if nothing merges.
linalg::TransposeOp collapseTransposeDims(RewriterBase &rewriter,
                                          linalg::TransposeOp op) {
  if (!op.hasPureBufferSemantics())
    return nullptr;
  ArrayRef<int64_t> perm = op.getPermutation();
  CollapsedTranspose collapsed =
      collapseTransposeOperands(rewriter, op, op.getInput(), op.getInit(), perm,
                                SmallVector<bool>(perm.size(), false));
  if (!collapsed.input)
    return nullptr;
  auto result =
      linalg::TransposeOp::create(rewriter, op.getLoc(), collapsed.input,
                                  collapsed.output, collapsed.permutation);
  rewriter.eraseOp(op);
  return result;
}

/// A transpose that reads dimensions backwards (getReversedTranspose) on
/// memrefs over fewer dimensions (collapseTransposeOperands).
void collapseReversedTransposeDims(RewriterBase &rewriter, linalg::GenericOp op,
                                   const convgrad::ReversedTranspose &rt) {
  if (!op.hasPureBufferSemantics())
    return;
  CollapsedTranspose collapsed = collapseTransposeOperands(
      rewriter, op, op.getDpsInputs()[0], op.getDpsInits()[0], rt.permutation,
      rt.reversed);
  if (!collapsed.input)
    return;
  convgrad::createReversedTransposeInto(rewriter, op.getLoc(), collapsed.input,
                                        collapsed.output, collapsed.permutation,
                                        collapsed.reversed);
  rewriter.eraseOp(op);
}

/// A tile of a transpose on memrefs without its unit dimensions. A unit
/// dimension between the two tiled ones (the row of an NCHW activation that
/// a tile of its transpose into the interior of a padded NHWC buffer reads:
/// [1, c, 1, w]) hides from the vector lowering that the tile is a plain 2-D
/// transpose, which it then reads one strided element at a time instead of
/// as rows transposed in registers. Returns the new op, or `op` unchanged.
linalg::TransposeOp dropUnitDims(RewriterBase &rewriter,
                                 linalg::TransposeOp op) {
  auto inputType = dyn_cast<MemRefType>(op.getInput().getType());
  if (!inputType || !inputType.hasStaticShape())
    return op;
  ArrayRef<int64_t> perm = op.getPermutation();
  SmallVector<int64_t> newIndex(perm.size(), -1), inputShape;
  for (auto [i, size] : llvm::enumerate(inputType.getShape()))
    if (size != 1) {
      newIndex[i] = inputShape.size();
      inputShape.push_back(size);
    }
  if (inputShape.size() == perm.size() || inputShape.size() < 2)
    return op;
  SmallVector<int64_t> newPerm, outputShape;
  for (int64_t p : perm)
    if (newIndex[p] >= 0) {
      newPerm.push_back(newIndex[p]);
      outputShape.push_back(inputType.getDimSize(p));
    }
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value input = memref::createCanonicalRankReducingSubViewOp(
      rewriter, loc, op.getInput(), inputShape);
  Value output = memref::createCanonicalRankReducingSubViewOp(
      rewriter, loc, op.getInit(), outputShape);
  auto reduced = linalg::TransposeOp::create(rewriter, loc, input, output,
                                             newPerm);
  rewriter.eraseOp(op);
  return reduced;
}

/// Rewrites a reverse on memrefs whose innermost dimensions are all
/// reversed (a flipped filter's [kh, kw] taps) as one reversed dimension:
/// reading [kh, kw] backwards is reading the merged kh * KW + kw backwards.
/// A 3x3 filter's tap is then one row of nine elements, one load, shuffle
/// and store, where each of its three rows of three was one (and a vector
/// of three is two loads or stores). Returns the new op, or null if fewer
/// than two innermost dimensions are reversed, the strategy would not move
/// the merged row as one (cpu::getReverseTiles: a 7x7 filter's 49 taps are
/// too many vectors of AVX2), or the buffers' layouts cannot merge them.
linalg::GenericOp collapseReversedRows(RewriterBase &rewriter,
                                       linalg::GenericOp op,
                                       ArrayRef<bool> reversed,
                                       const convgrad::cpu::CPUTarget &target) {
  int64_t rank = reversed.size();
  int64_t first = rank;
  while (first > 0 && reversed[first - 1])
    --first;
  if (rank - first < 2 || !op.hasPureBufferSemantics())
    return nullptr;
  auto inputType = dyn_cast<MemRefType>(op.getDpsInputs()[0].getType());
  auto outputType = dyn_cast<MemRefType>(op.getDpsInits()[0].getType());
  if (!inputType || !outputType || !outputType.hasStaticShape() ||
      !outputType.getElementType().isIntOrFloat())
    return nullptr;
  std::vector<int64_t> ranges(outputType.getShape().begin(),
                              outputType.getShape().begin() + first);
  ranges.push_back(computeProduct(outputType.getShape().drop_front(first)));
  std::vector<bool> collapsedReversed(first, false);
  collapsedReversed.push_back(true);
  if (!convgrad::cpu::getReverseTiles(ranges, collapsedReversed,
                                      outputType.getElementTypeBitWidth(),
                                      target))
    return nullptr;
  SmallVector<ReassociationIndices> reassoc;
  for (int64_t d = 0; d < first; ++d)
    reassoc.push_back({d});
  reassoc.push_back(llvm::to_vector(llvm::seq<int64_t>(first, rank)));
  if (!memref::CollapseShapeOp::isGuaranteedCollapsible(inputType, reassoc) ||
      !memref::CollapseShapeOp::isGuaranteedCollapsible(outputType, reassoc))
    return nullptr;
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value input = memref::CollapseShapeOp::create(rewriter, loc,
                                                op.getDpsInputs()[0], reassoc);
  Value output = memref::CollapseShapeOp::create(rewriter, loc,
                                                 op.getDpsInits()[0], reassoc);
  auto collapsed = convgrad::createReverseInto(
      rewriter, loc, input, output,
      SmallVector<bool>(collapsedReversed.begin(), collapsedReversed.end()));
  rewriter.eraseOp(op);
  return collapsed;
}

/// The input of a tile `op` of a copy that reads some dimensions backwards
/// (output dim i is input dim perm[i], backwards where `reversed[i]`; the
/// tile's output has `shape`), its backwards dimensions read whole. The
/// tiler slices an input read as `n - 1 - i` as if it were read as `i`
/// (offset and size of the tile's own range); a backwards dimension is whole
/// in the tile, so its input slice is the whole source dimension. The tile
/// then reads that slice (valid, if scalar, should it stay a loop).
FailureOr<Value> readReversedDimsWhole(RewriterBase &rewriter,
                                       linalg::GenericOp op,
                                       ArrayRef<int64_t> perm,
                                       ArrayRef<bool> reversed,
                                       ArrayRef<int64_t> shape) {
  Value input = op.getDpsInputs()[0];
  auto view = input.getDefiningOp<memref::SubViewOp>();
  if (!view)
    return input;
  MemRefType sourceType = view.getSourceType();
  int64_t rank = shape.size();
  if (sourceType.getRank() != rank || !view.hasUnitStride())
    return failure();
  SmallVector<OpFoldResult> offsets = view.getMixedOffsets();
  SmallVector<OpFoldResult> sizes = view.getMixedSizes();
  for (int64_t i = 0; i < rank; ++i)
    if (reversed[i]) {
      if (sourceType.getDimSize(perm[i]) != shape[i])
        return failure();
      offsets[perm[i]] = rewriter.getIndexAttr(0);
      sizes[perm[i]] = rewriter.getIndexAttr(shape[i]);
    }
  Value whole = memref::SubViewOp::create(rewriter, op.getLoc(),
                                          view.getSource(), offsets, sizes,
                                          view.getMixedStrides());
  rewriter.modifyOpInPlace(op, [&] { op->setOperand(0, whole); });
  return whole;
}

/// Moves a tile of a reverse (getReversedDims; its reversed dimensions are
/// whole) as vector rows along the innermost dimension: each output row is
/// one read of the input row the input map reflects it to, reversed by one
/// shuffle when the innermost dimension is a reversed one, and one write.
LogicalResult moveReverseTileAsRows(RewriterBase &rewriter,
                                   linalg::GenericOp op,
                                   ArrayRef<bool> reversed) {
  Value input = op.getDpsInputs()[0];
  Value output = op.getDpsInits()[0];
  auto outType = dyn_cast<MemRefType>(output.getType());
  if (!outType || !outType.hasStaticShape() || outType.getRank() == 0 ||
      !isa<MemRefType>(input.getType()))
    return failure();
  ArrayRef<int64_t> shape = outType.getShape();
  size_t rank = shape.size();
  int64_t rowLength = shape.back();
  bool rowReversed = reversed.back();
  AffineMap inMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  Type elementType = outType.getElementType();
  auto rowType = VectorType::get({rowLength}, elementType);
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<int64_t> identity = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  FailureOr<Value> whole =
      readReversedDimsWhole(rewriter, op, identity, reversed, shape);
  if (failed(whole))
    return failure();
  input = *whole;
  auto inType = cast<MemRefType>(input.getType());
  for (size_t d = 0; d < rank; ++d)
    if (inType.getDimSize(d) != shape[d])
      return failure();
  Value padding = arith::ConstantOp::create(
      rewriter, loc, elementType, rewriter.getZeroAttr(elementType));
  SmallVector<int64_t> reverseMask;
  for (int64_t i = rowLength - 1; i >= 0; --i)
    reverseMask.push_back(i);
  auto indexValues = [&](ArrayRef<int64_t> indices) {
    SmallVector<Value> values;
    for (int64_t i : indices)
      values.push_back(arith::ConstantIndexOp::create(rewriter, loc, i));
    return values;
  };
  // Every output row [outer..., 0:rowLength), in odometer order.
  SmallVector<int64_t> outer(rank, 0);
  while (true) {
    // A reversed row starts where its last element is read.
    SmallVector<int64_t> first(outer);
    first.back() = rowReversed ? rowLength - 1 : 0;
    SmallVector<int64_t> from = inMap.compose(first);
    Value row = vector::TransferReadOp::create(
        rewriter, loc, rowType, input, indexValues(from), padding,
        ArrayRef<bool>{true});
    if (rowReversed)
      row = vector::ShuffleOp::create(rewriter, loc, row, row, reverseMask);
    vector::TransferWriteOp::create(rewriter, loc, row, output,
                                    indexValues(outer), ArrayRef<bool>{true});
    size_t d = rank - 1;
    while (d > 0 && ++outer[d - 1] == shape[d - 1])
      outer[--d] = 0;
    if (d == 0)
      break;
  }
  rewriter.eraseOp(op);
  return success();
}

/// Moves a tile of a transpose that reads dimensions backwards
/// (getReversedTranspose; the tiles keep the backwards dimensions whole, see
/// cpu::getReversedTransposeTiles) as transposes of 2-D vectors: the output's
/// innermost dimension and the input's (a [16 x 9] read of 16 filters' nine
/// taps, the 9 x 16 result written as nine rows). A backwards dimension
/// among those two is reversed in registers: the outer one by writing the
/// rows in reverse order (free), the innermost by one shuffle per row. Every
/// other dimension of the tile that is not 1 (the whole [kh, kw] taps of a
/// channels-last filter around its [C, F] squares) is unrolled, each index
/// read from its mirrored position when the dimension is backwards.
LogicalResult moveReversedTransposeTile(RewriterBase &rewriter,
                                        linalg::GenericOp op,
                                        const convgrad::ReversedTranspose &rt) {
  Value input = op.getDpsInputs()[0];
  Value output = op.getDpsInits()[0];
  auto outType = dyn_cast<MemRefType>(output.getType());
  if (!outType || !outType.hasStaticShape() ||
      !isa<MemRefType>(input.getType()))
    return failure();
  ArrayRef<int64_t> shape = outType.getShape();
  int64_t rank = shape.size();
  ArrayRef<int64_t> perm = rt.permutation;
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  FailureOr<Value> whole =
      readReversedDimsWhole(rewriter, op, perm, rt.reversed, shape);
  if (failed(whole))
    return failure();
  input = *whole;
  auto inType = cast<MemRefType>(input.getType());
  for (int64_t i = 0; i < rank; ++i)
    if (inType.getDimSize(perm[i]) != shape[i])
      return failure();
  // The transposed pair: the output dim that is the input's innermost, and
  // the output's innermost (one dim if they are the same).
  int64_t inputInner = llvm::find(perm, rank - 1) - perm.begin();
  SmallVector<int64_t> pair = {inputInner};
  if (inputInner != rank - 1)
    pair.push_back(rank - 1);
  SmallVector<int64_t> unrolled;
  int64_t groups = 1;
  for (int64_t i = 0; i < rank; ++i)
    if (shape[i] != 1 && !llvm::is_contained(pair, i)) {
      unrolled.push_back(i);
      groups *= shape[i];
    }
  constexpr int64_t kMaxUnrolledGroups = 64;
  if (groups > kMaxUnrolledGroups)
    return failure();
  Type elementType = outType.getElementType();
  Value padding = arith::ConstantOp::create(rewriter, loc, elementType,
                                            rewriter.getZeroAttr(elementType));
  DenseMap<int64_t, Value> indexConstants;
  auto index = [&](int64_t i) {
    Value &c = indexConstants[i];
    if (!c)
      c = arith::ConstantIndexOp::create(rewriter, loc, i);
    return c;
  };
  // Read in the input's order: [output inner, input inner] for a pair.
  SmallVector<int64_t> readShape;
  SmallVector<AffineExpr> readExprs;
  for (int64_t i : llvm::reverse(pair)) {
    readShape.push_back(shape[i]);
    readExprs.push_back(rewriter.getAffineDimExpr(perm[i]));
  }
  AffineMap readMap = AffineMap::get(rank, 0, readExprs, rewriter.getContext());
  VectorType readType = VectorType::get(readShape, elementType);
  int64_t rowDim = rank - 1;
  int64_t rowLength = shape[rowDim];
  SmallVector<int64_t> reverseMask;
  for (int64_t e = rowLength - 1; e >= 0; --e)
    reverseMask.push_back(e);
  AffineMap rowMap = AffineMap::get(rank, 0, rewriter.getAffineDimExpr(rowDim));
  // Every index of the unrolled dims, in odometer order.
  SmallVector<int64_t> at(rank, 0);
  while (true) {
    SmallVector<Value> inIndices(rank), outIndices(rank);
    for (int64_t i = 0; i < rank; ++i) {
      bool mirrored = rt.reversed[i] && !llvm::is_contained(pair, i);
      inIndices[perm[i]] = index(mirrored ? shape[i] - 1 - at[i] : at[i]);
      outIndices[i] = index(at[i]);
    }
    Value tile = vector::TransferReadOp::create(
        rewriter, loc, readType, input, inIndices, padding, readMap,
        SmallVector<bool>(readShape.size(), true));
    if (pair.size() == 2)
      tile = vector::TransposeOp::create(rewriter, loc, tile,
                                         ArrayRef<int64_t>{1, 0});
    int64_t rows = pair.size() == 2 ? shape[inputInner] : 1;
    for (int64_t r = 0; r < rows; ++r) {
      Value row =
          pair.size() == 2
              ? vector::ExtractOp::create(rewriter, loc, tile, r).getResult()
              : tile;
      if (rt.reversed[rowDim])
        row = vector::ShuffleOp::create(rewriter, loc, row, row, reverseMask);
      SmallVector<Value> indices = outIndices;
      if (pair.size() == 2)
        indices[inputInner] = index(rt.reversed[inputInner] ? rows - 1 - r : r);
      vector::TransferWriteOp::create(rewriter, loc, row, output, indices,
                                      rowMap, ArrayRef<bool>{true});
    }
    int64_t u = unrolled.size();
    while (u > 0 && ++at[unrolled[u - 1]] == shape[unrolled[u - 1]])
      at[unrolled[--u]] = 0;
    if (u == 0)
      break;
  }
  rewriter.eraseOp(op);
  return success();
}

/// The offsets, sizes and strides of the whole of a memref of static
/// `type`'s shape: the slice that loops then narrow, dim by dim.
std::tuple<SmallVector<OpFoldResult>, SmallVector<OpFoldResult>,
           SmallVector<OpFoldResult>>
wholeSlice(RewriterBase &rewriter, MemRefType type) {
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes, strides(rank, rewriter.getIndexAttr(1));
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
  return {offsets, sizes, strides};
}

/// A copy whose only run-time sizes are outer dims as loops over the dims up
/// to the last run-time one, in order, of copies of static shape. Looping
/// over the run-time dims alone would visit the outer static dims innermost:
/// a task's padded box of 2 images x 64 channels x ? rows (the stem's stride
/// phases) then reads one row of each of 128 planes per step, which the
/// hardware prefetchers do not follow; in order, it reads each plane's rows
/// one after the other.
void loopOverOuterDims(RewriterBase &rewriter, linalg::CopyOp op) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value in = op.getInputs()[0], out = op.getOutputs()[0];
  auto type = cast<MemRefType>(in.getType());
  int64_t rank = type.getRank();
  auto [offsets, sizes, strides] = wholeSlice(rewriter, type);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  int64_t lastDynamic = rank - 1;
  while (!type.isDynamicDim(lastDynamic))
    --lastDynamic;
  SmallVector<Value> ubs;
  for (int64_t d = 0; d <= lastDynamic; ++d)
    ubs.push_back(
        type.isDynamicDim(d)
            ? memref::DimOp::create(rewriter, loc, in, d).getResult()
            : arith::ConstantIndexOp::create(rewriter, loc, type.getDimSize(d))
                  .getResult());
  for (int64_t d = 0; d <= lastDynamic; ++d) {
    if (!type.isDynamicDim(d) && type.getDimSize(d) == 1)
      continue;
    auto loop = scf::ForOp::create(rewriter, loc, zero, ubs[d], one);
    rewriter.setInsertionPointToStart(loop.getBody());
    offsets[d] = loop.getInductionVar();
    sizes[d] = rewriter.getIndexAttr(1);
  }
  Value inSlice =
      memref::SubViewOp::create(rewriter, loc, in, offsets, sizes, strides);
  Value outSlice =
      memref::SubViewOp::create(rewriter, loc, out, offsets, sizes, strides);
  linalg::CopyOp::create(rewriter, loc, inSlice, outSlice);
  rewriter.eraseOp(op);
}

/// A transpose whose innermost dims (the input's and the output's) are static
/// as loops over its run-time dims, in the input's order, of transposes of
/// static shape: a task's box of a channels-last output gradient, 2 images x
/// ? rows x 112 columns x 64 channels, into its channels-first box is one
/// [2, 112, 64] transpose per row, which reads the input's contiguous rows
/// one after the other; a channels-first one into a channels-last box,
/// [1, 64, ?, 56], one [64, 56] transpose per row.
void loopOverRunTimeDims(RewriterBase &rewriter, linalg::TransposeOp op) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value in = op.getInput(), out = op.getInit();
  auto type = cast<MemRefType>(in.getType());
  ArrayRef<int64_t> perm = op.getPermutation();
  int64_t rank = type.getRank();
  auto [offsets, sizes, strides] = wholeSlice(rewriter, type);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  SmallVector<Value> ubs;
  for (int64_t d = 0; d < rank; ++d)
    ubs.push_back(type.isDynamicDim(d)
                      ? memref::DimOp::create(rewriter, loc, in, d).getResult()
                      : Value());
  for (int64_t d = 0; d < rank; ++d) {
    if (!type.isDynamicDim(d))
      continue;
    auto loop = scf::ForOp::create(rewriter, loc, zero, ubs[d], one);
    rewriter.setInsertionPointToStart(loop.getBody());
    offsets[d] = loop.getInductionVar();
    sizes[d] = rewriter.getIndexAttr(1);
  }
  // Output dim i is input dim perm[i].
  SmallVector<OpFoldResult> outOffsets, outSizes;
  for (int64_t i = 0; i < rank; ++i) {
    outOffsets.push_back(offsets[perm[i]]);
    outSizes.push_back(sizes[perm[i]]);
  }
  Value inSlice =
      memref::SubViewOp::create(rewriter, loc, in, offsets, sizes, strides);
  Value outSlice = memref::SubViewOp::create(rewriter, loc, out, outOffsets,
                                             outSizes, strides);
  linalg::TransposeOp::create(rewriter, loc, inSlice, outSlice, perm);
  rewriter.eraseOp(op);
}

/// The static stride of `type`'s innermost dimension in memory (a
/// subsampled input read every other element: 2), else 1.
int64_t innermostStride(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (succeeded(type.getStridesAndOffset(strides, offset)) &&
      !strides.empty() && !ShapedType::isDynamic(strides.back()))
    return strides.back();
  return 1;
}

struct VectorizeDataMovementPass
    : public convgrad::impl::ConvGradVectorizeDataMovementBase<
          VectorizeDataMovementPass> {
  using Base::Base;

  /// The strategy's tiles of `op` (vector-sized tiles, split points of a
  /// remainder and the order of the tile loops), or nullopt to leave `op`
  /// alone.
  std::optional<mlir::convgrad::cpu::DataMovementTiles>
  getTiles(linalg::LinalgOp op, const mlir::convgrad::cpu::CPUTarget &target) {
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
    // A reverse: the strategy's tiles keep its reversed dimensions whole.
    if (std::optional<SmallVector<bool>> reversed = convgrad::getReversedDims(op)) {
      Type elementType = getElementTypeOrSelf(op.getDpsInits()[0].getType());
      if (!elementType.isIntOrFloat())
        return std::nullopt;
      return mlir::convgrad::cpu::getReverseTiles(
          std::vector<int64_t>(ranges.begin(), ranges.end()),
          std::vector<bool>(reversed->begin(), reversed->end()),
          elementType.getIntOrFloatBitWidth(), target);
    }
    // A transpose that reads dimensions backwards: the tiles of a transpose
    // whose backwards dimensions are not split.
    if (std::optional<convgrad::ReversedTranspose> rt =
            convgrad::getReversedTranspose(op)) {
      auto inputType = cast<MemRefType>(op.getDpsInputs()[0].getType());
      if (!inputType.getElementType().isIntOrFloat())
        return std::nullopt;
      int64_t inner = llvm::find(rt->permutation, int64_t(ranges.size() - 1)) -
                      rt->permutation.begin();
      return mlir::convgrad::cpu::getReversedTransposeTiles(
          std::vector<int64_t>(ranges.begin(), ranges.end()), inner,
          std::vector<bool>(rt->reversed.begin(), rt->reversed.end()), target,
          innermostStride(inputType),
          inputType.getElementType().getIntOrFloatBitWidth());
    }
    // Otherwise only ops whose maps are permutations (copies, casts,
    // transposes); anything broadcasting stays scalar.
    for (AffineMap map : op.getIndexingMapsArray())
      if (!map.isPermutation() && !(map.getNumResults() == 0))
        return std::nullopt;
    int64_t inputInner = ranges.size() - 1;
    // The input's innermost stride in memory (the subsampled input of a
    // strided layer reads every other element) and element width.
    int64_t inputInnerStride = 1, elementBits = 32;
    if (auto transpose = dyn_cast<linalg::TransposeOp>(op.getOperation())) {
      // The loop over the input's innermost dimension: contiguous reads.
      inputInner = llvm::find(transpose.getPermutation(),
                              int64_t(ranges.size() - 1)) -
                   transpose.getPermutation().begin();
      auto inputType = cast<MemRefType>(transpose.getInput().getType());
      inputInnerStride = innermostStride(inputType);
      if (inputType.getElementType().isIntOrFloat())
        elementBits = inputType.getElementType().getIntOrFloatBitWidth();
    }
    mlir::convgrad::cpu::DataMovementTiles tiles =
        mlir::convgrad::cpu::getDataMovementTiles(
            std::vector<int64_t>(ranges.begin(), ranges.end()), inputInner,
            target, inputInnerStride, elementBits);
    int64_t elements = 1;
    for (int64_t s : tiles.sizes)
      elements *= s;
    if (elements == 1)
      return std::nullopt; // nothing to gain
    return tiles;
  }

  /// Whether the strategy splits `op` across threads; never inside a loop
  /// that is already parallel.
  static bool parallel(linalg::LinalgOp op,
                       const mlir::convgrad::cpu::CPUTarget &target) {
    if (op->getParentOfType<scf::ForallOp>() ||
        op->getParentOfType<scf::ParallelOp>())
      return false;
    int64_t bytes = 0;
    for (Value init : op.getDpsInits()) {
      auto type = cast<MemRefType>(init.getType());
      // (index and complex elements have no bit width to count)
      if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
        return false;
      bytes += type.getNumElements() *
               std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
    }
    return mlir::convgrad::cpu::parallelizeDataMovement(bytes, target);
  }

  /// Turns the outermost of the tile loops (disjoint output tiles, no loop-
  /// carried value) that has more than one iteration into an scf.forall:
  /// the outer dims of a filter or of a GEMM result are often 1 (a 1x1
  /// kernel's [512, 256, 1, 1], a [1, 1, T, A, B] task transpose), and a
  /// forall over one iteration is a sequential region.
  static void distributeOutermostLoop(RewriterBase &rewriter,
                                      ArrayRef<LoopLikeOpInterface> loops) {
    const LoopLikeOpInterface *multi =
        llvm::find_if(loops, [](LoopLikeOpInterface l) {
          std::optional<APInt> trips = l.getStaticTripCount();
          return !trips || trips->getZExtValue() > 1;
        });
    if (multi == loops.end())
      return;
    LoopLikeOpInterface chosen = *multi;
    auto loop = dyn_cast<scf::ForOp>(chosen.getOperation());
    if (!loop || loop.getNumResults() != 0)
      return;
    rewriter.setInsertionPoint(loop);
    auto forall = scf::ForallOp::create(
        rewriter, loop.getLoc(), ArrayRef<OpFoldResult>{loop.getLowerBound()},
        ArrayRef<OpFoldResult>{loop.getUpperBound()},
        ArrayRef<OpFoldResult>{loop.getStep()}, ValueRange{},
        /*mapping=*/std::nullopt);
    rewriter.eraseOp(loop.getBody()->getTerminator());
    rewriter.inlineBlockBefore(loop.getBody(),
                               forall.getBody()->getTerminator(),
                               forall.getInductionVars());
    rewriter.eraseOp(loop);
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());
    FailureOr<mlir::convgrad::cpu::CPUTarget> target =
        mlir::convgrad::getCPUTarget(func);
    if (failed(target))
      return signalPassFailure();
    // A padded copy's padding columns go with its rows (before the walk
    // below, which tiles the row copies and fills this creates).
    convgrad::fillPaddedColumnsWithCopyRows(rewriter, func, *target);
    // The copies of the stride phases into a result's lattices: whole rows
    // interleaved by shuffles.
    convgrad::interleaveStridedCopies(rewriter, func, *target);
    // Transposes whose run-time sizes are not the innermost dims become
    // loops of transposes of static shape.
    SmallVector<linalg::TransposeOp> dynamicTransposes;
    func.walk([&](linalg::TransposeOp op) {
      auto type = dyn_cast<MemRefType>(op.getInput().getType());
      if (!type || !op.hasPureBufferSemantics() || type.hasStaticShape())
        return;
      // Both innermost dims (the input's, the output's) static: the
      // static tiles are transposes of whole rows.
      if (!type.isDynamicDim(type.getRank() - 1) &&
          !type.isDynamicDim(op.getPermutation().back()))
        dynamicTransposes.push_back(op);
    });
    for (linalg::TransposeOp op : dynamicTransposes)
      loopOverRunTimeDims(rewriter, op);
    SmallVector<linalg::TransposeOp> transposes;
    func.walk([&](linalg::TransposeOp op) { transposes.push_back(op); });
    // Unit dimensions first: a 1x1 filter's [F, C, 1, 1] -> [C, F, 1, 1]
    // is then the 2-D transpose it is, tiled in vector squares, rather
    // than a "copy" of 1-element rows left as a scalar loop.
    for (linalg::TransposeOp op : transposes)
      (void)collapseTransposeDims(rewriter, dropUnitDims(rewriter, op));
    SmallVector<std::pair<linalg::GenericOp, SmallVector<bool>>> reverses;
    func.walk([&](linalg::GenericOp op) {
      if (std::optional<SmallVector<bool>> reversed =
              convgrad::getReversedDims(op))
        reverses.emplace_back(op, *reversed);
    });
    for (auto &[op, reversed] : reverses)
      (void)collapseReversedRows(rewriter, op, reversed, *target);
    SmallVector<std::pair<linalg::GenericOp, convgrad::ReversedTranspose>>
        reversedTransposes;
    func.walk([&](linalg::GenericOp op) {
      if (std::optional<convgrad::ReversedTranspose> rt =
              convgrad::getReversedTranspose(op))
        reversedTransposes.emplace_back(op, *rt);
    });
    for (auto &[op, rt] : reversedTransposes)
      collapseReversedTransposeDims(rewriter, op, rt);

    // Copies whose only run-time sizes are outer dims become loops of copies
    // of static shape, which the walk below vectorizes.
    SmallVector<linalg::CopyOp> dynamicCopies;
    func.walk([&](linalg::CopyOp op) {
      auto type = dyn_cast<MemRefType>(op.getInputs()[0].getType());
      auto outType = dyn_cast<MemRefType>(op.getOutputs()[0].getType());
      if (type && outType && !type.hasStaticShape() &&
          type.getShape() == outType.getShape() &&
          !ShapedType::isDynamic(type.getShape().back()))
        dynamicCopies.push_back(op);
    });
    for (linalg::CopyOp op : dynamicCopies)
      loopOverOuterDims(rewriter, op);

    SmallVector<
        std::pair<linalg::LinalgOp, mlir::convgrad::cpu::DataMovementTiles>>
        work;
    func.walk([&](linalg::LinalgOp op) {
      if (std::optional<mlir::convgrad::cpu::DataMovementTiles> tiles =
              getTiles(op, *target))
        work.emplace_back(op, *tiles);
    });
    // A dim the strategy splits (remainderSplit): whole tiles, then a
    // remainder part whose tile is the whole remainder.
    struct Part {
      linalg::LinalgOp op;
      SmallVector<int64_t> sizes;
      SmallVector<int64_t> order;
    };
    SmallVector<Part> parts;
    for (auto &[op, tiles] : work) {
      SmallVector<int64_t> split(tiles.split.begin(), tiles.split.end());
      FailureOr<SmallVector<Operation *>> pieces =
          convgrad::splitAtPoints(rewriter, op, split);
      if (failed(pieces))
        continue;
      for (Operation *piece : *pieces) {
        auto pieceOp = cast<linalg::LinalgOp>(piece);
        SmallVector<int64_t> pieceRanges = pieceOp.getStaticLoopRanges();
        SmallVector<int64_t> sizes(tiles.sizes.begin(), tiles.sizes.end());
        for (auto [i, point] : llvm::enumerate(split))
          if (point != 0)
            sizes[i] = std::min(sizes[i], pieceRanges[i]);
        parts.push_back(
            {pieceOp, sizes,
             SmallVector<int64_t>(tiles.order.begin(), tiles.order.end())});
      }
    }
    for (auto &[op, sizes, order] : parts) {
      rewriter.setInsertionPoint(op);
      scf::SCFTilingOptions options;
      SmallVector<OpFoldResult> tileSizes;
      for (int64_t s : sizes)
        tileSizes.push_back(rewriter.getIndexAttr(s));
      options.setTileSizes(tileSizes);
      if (!order.empty())
        options.setInterchange(order);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue;
      if (parallel(op, *target))
        distributeOutermostLoop(rewriter, tiled->loops);
      rewriter.eraseOp(op);
      for (Operation *tile : tiled->tiledOps) {
        if (auto transpose = dyn_cast<linalg::TransposeOp>(tile))
          tile = dropUnitDims(rewriter, transpose);
        if (auto generic = dyn_cast<linalg::GenericOp>(tile))
          if (std::optional<SmallVector<bool>> reversed =
                  convgrad::getReversedDims(generic)) {
            (void)moveReverseTileAsRows(rewriter, generic, *reversed);
            continue;
          }
        if (auto generic = dyn_cast<linalg::GenericOp>(tile))
          if (std::optional<convgrad::ReversedTranspose> rt =
                  convgrad::getReversedTranspose(generic)) {
            (void)moveReversedTransposeTile(rewriter, generic, *rt);
            continue;
          }
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
