//===- FuseFillIntoTasks.cpp - Zero fills of strided inserts in the tasks -===//
//
// A strided data gradient whose stride phases do not cover its result (a
// 1x1 kernel of stride 2 writes one element in four) inserts its products
// with strides into a linalg.fill of zeros. Bufferized, that fill is a pass
// over the whole result between two barriers: memory bound, so a second
// thread hardly speeds it up, and nothing overlaps it. When the inserted
// value is the result of an scf.forall of tiles, this pass moves the fill
// into the tasks: each task fills its region of the result and inserts its
// tile there, so that one thread's fill overlaps the other's compute and
// the tile is written into lines the task has just filled.
// Which fills move is the strategy's decision (cpu::fusesFillIntoTasks).
// LLVM turns a task's fill of a contiguous region into a memset call
// (glibc's string stores for such sizes, which may write whole lines
// without reading them first). Measured on the 1x1 stride-2 256 -> 512
// data gradient (AVX2, channels-first, 1 thread): the same fill as plain
// vector stores (no-builtin-memset) took 4% more CPU samples (kernel and
// libc, 3 alternating runs), although the masked stores of the inserted
// tile then write into lines the fill has just brought into the cache.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/SliceUtils.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCPUFUSEFILLINTOTASKS
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

bool haveSameSlice(OffsetSizeAndStrideOpInterface a,
                   OffsetSizeAndStrideOpInterface b) {
  return isEqualConstantIntOrValueArray(a.getMixedOffsets(),
                                        b.getMixedOffsets()) &&
         isEqualConstantIntOrValueArray(a.getMixedSizes(), b.getMixedSizes()) &&
         isEqualConstantIntOrValueArray(a.getMixedStrides(),
                                        b.getMixedStrides());
}

/// A strided insert of a forall's tiles into a fill, and how each task's
/// region of the filled tensor follows from its tile.
struct FillFusion {
  linalg::FillOp fill;
  tensor::InsertSliceOp insert;
  scf::ForallOp forall;
  tensor::ParallelInsertSliceOp tileInsert;
  /// Between the forall's result and the insert, or null.
  tensor::ExpandShapeOp expand;
  /// The forall wrote into this strided slice of the fill (the same slice
  /// as `insert`), or null: it wrote into an empty tensor.
  tensor::ExtractSliceOp initSlice;
  /// Per dimension of the inserted tensor: whether the tasks tile it (else
  /// every tile covers it whole).
  SmallVector<bool> tiled;
  const cpu::CPUTarget *target = nullptr;
};

/// The tile offsets and sizes of `f.tileInsert` in the dimensions of the
/// inserted tensor (after `f.expand`); false if an expanded group of
/// dimensions is tiled (a tile is then not a box of the expanded tensor).
bool getInsertedTile(FillFusion f, SmallVectorImpl<OpFoldResult> &offsets,
                     SmallVectorImpl<int64_t> &sizes) {
  SmallVector<OpFoldResult> tileOffsets = f.tileInsert.getMixedOffsets();
  ArrayRef<int64_t> tileSizes = f.tileInsert.getStaticSizes();
  auto forallType = cast<RankedTensorType>(f.forall.getResult(0).getType());
  if (!f.expand) {
    offsets.assign(tileOffsets);
    sizes.assign(tileSizes.begin(), tileSizes.end());
    return true;
  }
  ArrayRef<int64_t> expandedShape = f.expand.getResultType().getShape();
  for (auto [d, group] : llvm::enumerate(f.expand.getReassociationIndices())) {
    if (group.size() == 1) {
      offsets.push_back(tileOffsets[d]);
      sizes.push_back(tileSizes[d]);
      continue;
    }
    if (!isZeroInteger(tileOffsets[d]) ||
        tileSizes[d] != forallType.getDimSize(d))
      return false;
    for (int64_t e : group) {
      offsets.push_back(OpFoldResult(
          IntegerAttr::get(IndexType::get(f.forall.getContext()), 0)));
      sizes.push_back(expandedShape[e]);
    }
  }
  return true;
}

/// Matches `insert` (of a forall's tiles, with strides, into a fill) and
/// checks that the tasks' regions of the filled tensor tile it exactly.
std::optional<FillFusion> matchFillFusion(tensor::InsertSliceOp insert,
                                          DominanceInfo &dominance,
                                          const cpu::CPUTarget &target) {
  FillFusion f;
  f.insert = insert;
  f.target = &target;
  f.fill = insert.getDest().getDefiningOp<linalg::FillOp>();
  auto destType = insert.getDestType();
  if (!f.fill || !f.fill.hasPureTensorSemantics() ||
      !destType.hasStaticShape() || !destType.getElementType().isIntOrFloat() ||
      insert.getSourceType().getRank() != destType.getRank() ||
      ShapedType::isDynamicShape(insert.getStaticOffsets()) ||
      ShapedType::isDynamicShape(insert.getStaticSizes()) ||
      ShapedType::isDynamicShape(insert.getStaticStrides()))
    return std::nullopt;

  Value source = insert.getSource();
  if ((f.expand = source.getDefiningOp<tensor::ExpandShapeOp>())) {
    if (!f.expand->hasOneUse())
      return std::nullopt;
    source = f.expand.getSrc();
  }
  auto result = dyn_cast<OpResult>(source);
  f.forall = result ? dyn_cast<scf::ForallOp>(result.getOwner()) : nullptr;
  if (!f.forall || f.forall.getNumResults() != 1 || !result.hasOneUse() ||
      f.forall.getMapping())
    return std::nullopt;
  BlockArgument sharedOut = f.forall.getRegionIterArgs().front();
  SmallVector<Operation *> combining = f.forall.getCombiningOps(sharedOut);
  if (combining.size() != 1)
    return std::nullopt;
  f.tileInsert = dyn_cast<tensor::ParallelInsertSliceOp>(combining.front());
  if (!f.tileInsert || !f.tileInsert.hasUnitStride() ||
      f.tileInsert.getSourceType().getRank() !=
          f.tileInsert.getDestType().getRank() ||
      ShapedType::isDynamicShape(f.tileInsert.getStaticSizes()))
    return std::nullopt;

  // The fill is used by the insert alone, and by the strided slice the
  // forall wrote into if it did not write into an empty tensor.
  Value init = f.forall.getOutputs().front();
  for (Operation *user : f.fill->getResult(0).getUsers()) {
    if (user == insert)
      continue;
    auto slice = dyn_cast<tensor::ExtractSliceOp>(user);
    if (!slice || f.initSlice || f.expand || slice.getResult() != init ||
        !slice->hasOneUse() ||
        !haveSameSlice(cast<OffsetSizeAndStrideOpInterface>(*slice),
                       cast<OffsetSizeAndStrideOpInterface>(*insert)))
      return std::nullopt;
    f.initSlice = slice;
  }
  if (!f.initSlice && !isEmptyContents(init))
    return std::nullopt;
  // The fill's value and destination become the tasks' and the forall's.
  if (!dominance.properlyDominates(f.fill.getInputs()[0], f.forall) ||
      !dominance.properlyDominates(f.fill.getDpsInits()[0], f.forall))
    return std::nullopt;
  // The body reads its shared output only as slices of the tile (the tile
  // insert aside): those become slices of the filled region, or empty
  // tensors.
  for (OpOperand &use : sharedOut.getUses()) {
    if (use.getOwner() == f.tileInsert)
      continue;
    auto slice = dyn_cast<tensor::ExtractSliceOp>(use.getOwner());
    if (!slice || slice->getBlock() != f.forall.getBody() ||
        !slice.getType().hasStaticShape() ||
        (f.initSlice &&
         !haveSameSlice(cast<OffsetSizeAndStrideOpInterface>(*slice),
                        cast<OffsetSizeAndStrideOpInterface>(*f.tileInsert))))
      return std::nullopt;
  }

  SmallVector<OpFoldResult> tileOffsets;
  SmallVector<int64_t> tileSizes;
  if (!getInsertedTile(f, tileOffsets, tileSizes))
    return std::nullopt;
  ArrayRef<int64_t> insertedShape = insert.getSourceType().getShape();
  for (auto [d, size] : llvm::enumerate(insertedShape)) {
    bool whole = isZeroInteger(tileOffsets[d]) && tileSizes[d] == size;
    f.tiled.push_back(!whole);
    // A tiled dimension's regions (stride x tile) cover the filled
    // dimension exactly only from offset 0 on and to its end.
    if (!whole &&
        (insert.getStaticOffsets()[d] != 0 ||
         insert.getStaticStrides()[d] * size != destType.getDimSize(d)))
      return std::nullopt;
  }
  int64_t filledBytes = destType.getNumElements() *
                        llvm::divideCeil(destType.getElementTypeBitWidth(), 8);
  if (!cpu::fusesFillIntoTasks(filledBytes, target))
    return std::nullopt;
  return f;
}

/// stride x `offset`, folded when constant.
OpFoldResult scaleOffset(RewriterBase &rewriter, Location loc,
                         OpFoldResult offset, int64_t stride) {
  if (std::optional<int64_t> c = getConstantIntValue(offset))
    return rewriter.getIndexAttr(*c * stride);
  if (stride == 1)
    return offset;
  Value strideValue = arith::ConstantIndexOp::create(rewriter, loc, stride);
  return arith::MulIOp::create(rewriter, loc, cast<Value>(offset), strideValue)
      .getResult();
}

/// The dimension along which a task fills and inserts its region a chunk
/// at a time, or none: the first of extent > 1 that its tile covers whole,
/// unstrided from offset 0, when the tile has a buffer of its own (its
/// contents do not start from the filled region).
std::optional<int64_t> getChunkDim(FillFusion f, ArrayRef<int64_t> tileSizes) {
  if (f.initSlice)
    return std::nullopt;
  auto destType = f.insert.getDestType();
  for (int64_t d = 0, e = destType.getRank(); d < e; ++d) {
    if (f.tiled[d] || f.insert.getStaticStrides()[d] != 1 ||
        f.insert.getStaticOffsets()[d] != 0 || tileSizes[d] <= 1 ||
        tileSizes[d] != destType.getDimSize(d))
      continue;
    return d;
  }
  return std::nullopt;
}

/// scf.for over chunks of `dim` of the task's `region`: fill the chunk,
/// insert the chunk of `tile` with the insert's strides. Returns the filled
/// region.
Value fillAndInsertInChunks(RewriterBase &rewriter, Location loc, FillFusion f,
                            Value tile, Value region,
                            ArrayRef<int64_t> tileSizes, int64_t dim) {
  auto regionType = cast<RankedTensorType>(region.getType());
  int64_t extent = regionType.getDimSize(dim);
  int64_t sliceBytes = regionType.getNumElements() / extent *
                       llvm::divideCeil(regionType.getElementTypeBitWidth(), 8);
  int64_t chunk = cpu::getFusedFillChunk(extent, sliceBytes, *f.target);
  Value lb = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value ub = arith::ConstantIndexOp::create(rewriter, loc, extent);
  Value step = arith::ConstantIndexOp::create(rewriter, loc, chunk);
  auto loop = scf::ForOp::create(
      rewriter, loc, lb, ub, step, ValueRange{region},
      [&](OpBuilder &b, Location loc, Value iv, ValueRange args) {
        int64_t rank = regionType.getRank();
        SmallVector<OpFoldResult> zeros(rank, b.getIndexAttr(0));
        SmallVector<OpFoldResult> ones(rank, b.getIndexAttr(1));
        SmallVector<OpFoldResult> offsets = zeros;
        offsets[dim] = iv;
        SmallVector<OpFoldResult> chunkRegion =
            getAsIndexOpFoldResult(b.getContext(), regionType.getShape());
        chunkRegion[dim] = b.getIndexAttr(chunk);
        SmallVector<int64_t> chunkTileSizes(tileSizes);
        chunkTileSizes[dim] = chunk;
        SmallVector<OpFoldResult> chunkTile =
            getAsIndexOpFoldResult(b.getContext(), chunkTileSizes);
        Value slice = tensor::ExtractSliceOp::create(b, loc, args[0], offsets,
                                                     chunkRegion, ones);
        Value filled = linalg::FillOp::create(b, loc, f.fill.getInputs(), slice)
                           .getResult(0);
        Value tileChunk = tensor::ExtractSliceOp::create(b, loc, tile, offsets,
                                                         chunkTile, ones);
        SmallVector<OpFoldResult> localOffsets;
        for (int64_t offset : f.insert.getStaticOffsets())
          localOffsets.push_back(b.getIndexAttr(offset));
        for (int64_t d = 0; d < rank; ++d)
          if (f.tiled[d])
            localOffsets[d] = b.getIndexAttr(0);
        Value written = tensor::InsertSliceOp::create(
            b, loc, tileChunk, filled, localOffsets, chunkTile,
            getAsIndexOpFoldResult(b.getContext(),
                                   f.insert.getStaticStrides()));
        Value acc = tensor::InsertSliceOp::create(b, loc, written, args[0],
                                                  offsets, chunkRegion, ones);
        scf::YieldOp::create(b, loc, acc);
      });
  return loop.getResult(0);
}

void fuseFillIntoTasks(RewriterBase &rewriter, FillFusion f) {
  Location loc = f.insert.getLoc();
  auto destType = f.insert.getDestType();
  int64_t rank = destType.getRank();
  SmallVector<OpFoldResult> tileOffsets;
  SmallVector<int64_t> tileSizes;
  (void)getInsertedTile(f, tileOffsets, tileSizes);
  ArrayRef<int64_t> strides = f.insert.getStaticStrides();
  BlockArgument sharedOut = f.forall.getRegionIterArgs().front();

  // The task's region of the filled tensor, its fill, and where its tile
  // goes in that region. The region is computed where the tile starts: at
  // the body's slice of the tile (a forall that wrote into the fill), or
  // before the tile insert (the tile comes from an empty tensor).
  Operation *regionPoint = f.tileInsert->getParentOp();
  if (f.initSlice) {
    for (Operation *user : sharedOut.getUsers())
      if (user != f.tileInsert && user->isBeforeInBlock(regionPoint))
        regionPoint = user;
  }
  rewriter.setInsertionPoint(regionPoint);
  SmallVector<OpFoldResult> regionOffsets, regionSizes, localOffsets;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t insertOffset = f.insert.getStaticOffsets()[d];
    if (f.tiled[d]) {
      regionOffsets.push_back(
          scaleOffset(rewriter, loc, tileOffsets[d], strides[d]));
      regionSizes.push_back(rewriter.getIndexAttr(strides[d] * tileSizes[d]));
      localOffsets.push_back(rewriter.getIndexAttr(0));
    } else {
      regionOffsets.push_back(rewriter.getIndexAttr(0));
      regionSizes.push_back(rewriter.getIndexAttr(destType.getDimSize(d)));
      localOffsets.push_back(rewriter.getIndexAttr(insertOffset));
    }
  }
  SmallVector<OpFoldResult> unitStrides(rank, rewriter.getIndexAttr(1));
  SmallVector<OpFoldResult> tileSizeAttrs =
      getAsIndexOpFoldResult(rewriter.getContext(), tileSizes);
  SmallVector<OpFoldResult> strideAttrs =
      getAsIndexOpFoldResult(rewriter.getContext(), strides);
  sharedOut.setType(destType);
  Value region = tensor::ExtractSliceOp::create(
      rewriter, loc, sharedOut, regionOffsets, regionSizes, unitStrides);
  Value filled =
      linalg::FillOp::create(rewriter, loc, f.fill.getInputs(), region)
          .getResult(0);

  // The body's slices of its old shared output.
  for (OpOperand &use : llvm::make_early_inc_range(sharedOut.getUses())) {
    auto slice = dyn_cast<tensor::ExtractSliceOp>(use.getOwner());
    if (!slice || use.getOwner() == f.tileInsert ||
        slice.getSource() != sharedOut || slice.getResult() == region)
      continue;
    rewriter.setInsertionPoint(slice);
    if (f.initSlice)
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          slice, slice.getType(), filled, localOffsets, tileSizeAttrs,
          strideAttrs);
    else
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(
          slice, slice.getType().getShape(), slice.getType().getElementType());
  }

  // The tile goes into the filled region with the insert's strides, the
  // region into the new shared output.
  rewriter.setInsertionPoint(f.tileInsert->getParentOp());
  Value tile = f.tileInsert.getSource();
  if (f.expand) {
    auto tileType = RankedTensorType::get(tileSizes, destType.getElementType());
    tile = tensor::ExpandShapeOp::create(rewriter, loc, tileType, tile,
                                         f.expand.getReassociationIndices());
  }
  Value written;
  std::optional<int64_t> chunkDim = getChunkDim(f, tileSizes);
  if (!chunkDim) {
    written = tensor::InsertSliceOp::create(
        rewriter, loc, tile, filled, localOffsets, tileSizeAttrs, strideAttrs);
  } else {
    // The tile has a buffer of its own: fill and insert a chunk at a time,
    // the fill of the whole region moved into the loop.
    rewriter.eraseOp(filled.getDefiningOp());
    written = fillAndInsertInChunks(rewriter, loc, f, tile, region, tileSizes,
                                    *chunkDim);
  }
  rewriter.setInsertionPoint(f.tileInsert);
  tensor::ParallelInsertSliceOp::create(rewriter, loc, written, sharedOut,
                                        regionOffsets, regionSizes,
                                        unitStrides);
  rewriter.eraseOp(f.tileInsert);

  // The forall now writes the whole filled tensor.
  rewriter.modifyOpInPlace(f.forall, [&] {
    f.forall.getOutputsMutable()[0].set(f.fill.getDpsInits()[0]);
    f.forall.getResult(0).setType(destType);
  });
  rewriter.replaceOp(f.insert, f.forall.getResult(0));
  if (f.expand)
    rewriter.eraseOp(f.expand);
  if (f.initSlice)
    rewriter.eraseOp(f.initSlice);
  rewriter.eraseOp(f.fill);
}

struct FuseFillIntoTasksPass
    : public convgrad::impl::ConvGradCPUFuseFillIntoTasksBase<
          FuseFillIntoTasksPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    FailureOr<cpu::CPUTarget> target = getCPUTarget(func);
    if (failed(target))
      return signalPassFailure();

    SmallVector<FillFusion> fusions;
    DominanceInfo dominance(func);
    func.walk([&](tensor::InsertSliceOp insert) {
      if (std::optional<FillFusion> f =
              matchFillFusion(insert, dominance, *target))
        fusions.push_back(*f);
    });
    IRRewriter rewriter(&getContext());
    for (FillFusion &f : fusions)
      fuseFillIntoTasks(rewriter, f);
  }
};

} // namespace
