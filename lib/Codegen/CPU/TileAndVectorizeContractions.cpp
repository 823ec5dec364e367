//===- TileAndVectorizeContractions.cpp - Register-blocked GEMMs ----------===//
//
// Code generation for the GEMM-like linalg.generic ops of the filter
// gradient (DecomposeWgradAsGemm.cpp), which carry their register tiling as
// `convgrad.gemm_tiling = array<i64: rows, lanes, unroll>`:
//
//   block[a, b] += lhs[o_1, ..., o_R, a] * rhs[o_1, ..., o_R, b]
//
// with a, b parallel and the output positions o reduced. On tensors:
//
//   1. scf.for tiles of (o_1..o_{R-1}: 1, a: rows, b: lanes, o_R: unroll),
//      interchanged so that the outer output positions are the outer loops:
//      one row of both operands (e.g. 56 x 64 f32) is loaded into L1 once
//      and reused by every register block, and each block accumulates a
//      whole row before it is stored.
//      With convgrad.gemm_pass_rows = P (cpu::getGemmPassRows), the loops
//      are instead passes (o_1..o_{R-2}: 1, o_{R-1}: P), then a, b, then
//      the pass's positions: each block is read and written once per pass
//      of P rows, not once per row (measured on ResNet's 14 x 14 x 256 3x3
//      filter gradient, whose 256 KiB tap block streams from L2: passes of
//      2 rows took 12% less time).
//   2. Each tile becomes transfer_reads of [o_R, a] and [o_R, b] and a
//      vector.contract of their outer products into the [a, b] block, which
//      is carried through the o_R loop as a vector (registers) and which
//      convgrad-lower-vectors lowers to one broadcast of lhs[o, a] and one
//      FMA with the contiguous vector rhs[o, b0:b0+lanes] per row a.
//      A channels-first lhs, lhs[o_1, a, o_2, ..., o_R] (an image's
//      activations read where they are), is read element by element: each
//      element is one broadcast load.
//
// The tiles are vectorized here rather than by the linalg vectorizer, whose
// contraction keeps the unit reduction dimensions of the tile (o_1..o_{R-1})
// that the outer-product lowering of vector.contract does not handle. The
// sizes are decisions of the tiling strategy (cpu::getGemmTiling), made when
// the GEMM was created; this pass only checks that they divide the ranges,
// or the parts of the ranges before and after the strategy's split points
// (a prime channel count: full blocks, then one remainder block).
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/SubsetOpInterfaceImpl.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADTILEANDVECTORIZECONTRACTIONS
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;

namespace {

/// Whether `op` is a GEMM the wgrad-to-GEMM rewrite handed over (it carries
/// kGemmTilingAttrName) and has its form: `block[a, b] += lhs[o..., a] *
/// rhs[o..., b]` (iteration space (a, b, o...), possibly with element type
/// extensions).
bool isOuterProductGemm(linalg::GenericOp op) {
  if (!op->hasAttr(convgrad::kGemmTilingAttrName) ||
      op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureTensorSemantics() || !linalg::isaContractionOpInterface(op))
    return false;
  unsigned numLoops = op.getNumLoops();
  if (numLoops < 3)
    return false;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned i = 0; i < numLoops; ++i)
    if ((i < 2) != (iterators[i] == utils::IteratorType::parallel))
      return false;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  for (bool lhsChannelsFirst : {false, true})
    if (ArrayRef<AffineMap>(maps) ==
        ArrayRef<AffineMap>(convgrad::getWgradGemmIndexingMaps(
            op.getContext(), numLoops - 2, lhsChannelsFirst)))
      return true;
  return false;
}

/// Whether GEMM `op` reads its lhs channels-first, lhs[o_1, a, o_2...].
bool hasChannelsFirstLhs(linalg::GenericOp op) {
  return op.getIndexingMapsArray()[0].getResult(1) ==
         getAffineDimExpr(0, op.getContext());
}

/// Tile sizes of one GEMM over its iteration space (a, b, o...).
struct GemmTiles {
  SmallVector<int64_t> inner; ///< register tiles
  SmallVector<int64_t> interchange;
};

struct TileAndVectorizeContractionsPass
    : public convgrad::impl::ConvGradTileAndVectorizeContractionsBase<
          TileAndVectorizeContractionsPass> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    // hoistLoopInvariantSubsets sees transfers as subsets of their tensor.
    vector::registerSubsetOpInterfaceExternalModels(registry);
  }

  /// The tiles of `op` (of ranges `ranges`) for rows x lanes register blocks
  /// and `unroll` reduction steps; nullopt (the op stays as it is) when they
  /// do not divide the ranges.
  static std::optional<GemmTiles> getTiles(ArrayRef<int64_t> ranges,
                                           int64_t rows, int64_t lanes,
                                           int64_t unroll,
                                           bool laneBlocksOuter,
                                           bool blocksOutside = false) {
    unsigned n = ranges.size();
    if (rows <= 0 || lanes <= 0 || unroll <= 0 || ranges[0] % rows != 0 ||
        ranges[1] % lanes != 0 || ranges[n - 1] % unroll != 0)
      return std::nullopt;
    GemmTiles t;
    t.inner.assign(n, 1);
    t.inner[0] = rows;
    t.inner[1] = lanes;
    t.inner[n - 1] = unroll;
    // Loops: o_1..o_{R-1}, a, b, o_R; or b, o_1..o_{R-1}, a, o_R; or, in a
    // pass of output rows (blocksOutside), a, b (or b, a), o_1..o_R.
    if (blocksOutside) {
      t.interchange = {laneBlocksOuter ? 1 : 0, laneBlocksOuter ? 0 : 1};
      for (unsigned i = 2; i < n; ++i)
        t.interchange.push_back(i);
      return t;
    }
    if (laneBlocksOuter)
      t.interchange.push_back(1);
    for (unsigned i = 2; i + 1 < n; ++i)
      t.interchange.push_back(i);
    t.interchange.push_back(0);
    if (!laneBlocksOuter)
      t.interchange.push_back(1);
    t.interchange.push_back(n - 1);
    return t;
  }

  /// Tiles and vectorizes `op` as its convgrad.gemm_tiling attribute says:
  /// with split points (cpu::GemmTiling::rowSplit, laneSplit), the rows or
  /// lanes from the split on are a part of their own, one block wide.
  /// Leaves `op` alone when the attribute is malformed or its sizes do not
  /// divide the (parts') ranges.
  void tileAndVectorize(RewriterBase &rewriter, linalg::GenericOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic) ||
        llvm::is_contained(ranges, 0))
      return;
    auto sizes =
        op->getAttrOfType<DenseI64ArrayAttr>(convgrad::kGemmTilingAttrName);
    if (!sizes || (sizes.size() != 3 && sizes.size() != 5))
      return;
    int64_t rows = sizes[0], lanes = sizes[1], unroll = sizes[2];
    bool laneBlocksOuter = op->hasAttr(convgrad::kGemmLaneBlocksOuterAttrName);
    int64_t passRows = 1;
    if (auto attr =
            op->getAttrOfType<IntegerAttr>(convgrad::kGemmPassRowsAttrName))
      passRows = attr.getInt();
    SmallVector<int64_t> splitPoints(ranges.size(), 0);
    if (sizes.size() == 5) {
      splitPoints[0] = sizes[3];
      splitPoints[1] = sizes[4];
    }
    bool unsplit = llvm::all_of(splitPoints, [](int64_t p) { return p == 0; });
    if (unsplit && passRows > 1) {
      if (std::optional<linalg::GenericOp> pass =
              tilePasses(rewriter, op, passRows, rows, lanes, unroll)) {
        if (std::optional<GemmTiles> t =
                getTiles(pass->getStaticLoopRanges(), rows, lanes, unroll,
                         laneBlocksOuter, /*blocksOutside=*/true))
          (void)tileAndVectorize(rewriter, *pass, *t);
        return;
      }
    }
    if (unsplit) {
      if (std::optional<GemmTiles> t = getTiles(ranges, rows, lanes, unroll,
                                                       laneBlocksOuter))
        (void)tileAndVectorize(rewriter, op, *t);
      return;
    }
    int64_t swappedLanes = 0;
    if (auto attr = op->getAttrOfType<IntegerAttr>(
            convgrad::kGemmSwappedRemainderLanesAttrName))
      swappedLanes = attr.getInt();
    int64_t mainRows = splitPoints[0] ? splitPoints[0] : ranges[0];
    FailureOr<SmallVector<Operation *>> parts =
        convgrad::splitAtPoints(rewriter, op, splitPoints);
    if (failed(parts))
      return;
    for (Operation *part : *parts) {
      auto gemm = cast<linalg::GenericOp>(part);
      SmallVector<int64_t> partRanges = gemm.getStaticLoopRanges();
      bool isLaneRemainder = splitPoints[1] && partRanges[1] < lanes &&
                             partRanges[0] == mainRows;
      // The exchange makes the lhs the lanes: not for a channels-first lhs.
      if (isLaneRemainder && swappedLanes > 0 && mainRows % swappedLanes == 0 &&
          !hasChannelsFirstLhs(gemm)) {
        // Rows of the exchanged GEMM: the remainder lanes, one block.
        linalg::GenericOp swapped = swapOperands(rewriter, gemm);
        if (std::optional<GemmTiles> t =
                getTiles(swapped.getStaticLoopRanges(), partRanges[1],
                         swappedLanes, unroll, laneBlocksOuter))
          (void)tileAndVectorize(rewriter, swapped, *t);
        continue;
      }
      // The remainder of a split dim is one block.
      int64_t partRows = splitPoints[0] && partRanges[0] < rows
                             ? partRanges[0] : rows;
      int64_t partLanes = splitPoints[1] && partRanges[1] < lanes
                              ? partRanges[1] : lanes;
      if (std::optional<GemmTiles> t =
              getTiles(partRanges, partRows, partLanes, unroll,
                       laneBlocksOuter))
        (void)tileAndVectorize(rewriter, gemm, *t);
    }
  }

  /// Replaces the GEMM `block[a, b] += lhs[o..., a] * rhs[o..., b]` by
  /// `blockT[b, a] += rhs[o..., b] * lhs[o..., a]` between transposes of
  /// the block, and returns it. Every element accumulates the same
  /// products in the same order (the multiplication commutes), so the
  /// result is bit for bit the same.
  static linalg::GenericOp swapOperands(RewriterBase &rewriter,
                                        linalg::GenericOp op) {
    rewriter.setInsertionPoint(op);
    Location loc = op.getLoc();
    Value block = op.getDpsInits()[0];
    auto blockType = cast<RankedTensorType>(block.getType());
    auto transposedType = RankedTensorType::get(
        {blockType.getDimSize(1), blockType.getDimSize(0)},
        blockType.getElementType());
    auto transpose = [&](Value source, RankedTensorType type) -> Value {
      Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                            type.getElementType());
      return linalg::TransposeOp::create(rewriter, loc, source, empty,
                                         ArrayRef<int64_t>{1, 0})
          .getResult()
          .front();
    };
    Value blockT = transpose(block, transposedType);
    auto swapped = linalg::GenericOp::create(
        rewriter, loc, TypeRange{transposedType},
        ValueRange{op.getDpsInputs()[1], op.getDpsInputs()[0]},
        ValueRange{blockT}, op.getIndexingMapsArray(),
        op.getIteratorTypesArray(),
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
          Block *body = op.getBody();
          IRMapping map;
          map.map(body->getArgument(0), args[1]);
          map.map(body->getArgument(1), args[0]);
          map.map(body->getArgument(2), args[2]);
          for (Operation &bodyOp : body->getOperations())
            b.clone(bodyOp, map);
        });
    // Back into the block itself (not a fresh tensor): the GEMM's result
    // stays an update of its accumulator, which bufferizes in place when
    // the accumulator is a loop-carried value (the f32 parts of a bf16 or
    // f16 filter gradient, carried across images).
    rewriter.replaceOp(op, linalg::TransposeOp::create(
                               rewriter, loc, swapped.getResult(0), block,
                               ArrayRef<int64_t>{1, 0})
                               .getResult()
                               .front());
    return swapped;
  }

  /// Tiles the outer output dimensions of `op` (iteration space (a, b, n,
  /// o_1..o_R), R >= 2) into passes: 1 of each of n..o_{R-2} and `passRows`
  /// of o_{R-1}, and returns the GEMM of one pass. Nothing changes (nullopt)
  /// unless passRows divides o_{R-1} and the register tiles (`rows`,
  /// `lanes`, `unroll`) divide the GEMM: then the GEMM keeps its per-row
  /// schedule.
  static std::optional<linalg::GenericOp>
  tilePasses(RewriterBase &rewriter, linalg::GenericOp op, int64_t passRows,
             int64_t rows, int64_t lanes, int64_t unroll) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    unsigned n = ranges.size();
    if (n < 5 || passRows > ranges[n - 2] || ranges[n - 2] % passRows != 0 ||
        !getTiles(ranges, rows, lanes, unroll, /*laneBlocksOuter=*/false))
      return std::nullopt;
    SmallVector<int64_t> sizes(n, 0);
    for (unsigned i = 2; i + 2 < n; ++i)
      sizes[i] = 1;
    sizes[n - 2] = passRows;
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled))
      return std::nullopt;
    rewriter.replaceOp(op, tiled->replacements);
    return cast<linalg::GenericOp>(tiled->tiledOps.front());
  }

  /// Replaces a tile `block[a, b] += lhs[1.., k, a] * rhs[1.., k, b]` by
  /// vector transfers around a vector.contract of shape (a, b, k).
  void vectorizeTile(RewriterBase &rewriter, linalg::GenericOp op) {
    rewriter.setInsertionPoint(op);
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
    Value block = op.getDpsInits()[0];
    auto blockType = cast<RankedTensorType>(block.getType());
    Type accType = blockType.getElementType();
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);

    auto toAccType = [&](Value v) -> Value {
      auto vectorType = cast<VectorType>(v.getType());
      if (vectorType.getElementType() == accType)
        return v;
      return arith::ExtFOp::create(rewriter, loc, vectorType.clone(accType), v);
    };
    // A channels-first lhs tile [1, a, 1.., k] as its [k, a] elements: each
    // becomes one broadcast load once the contraction is lowered
    // (extract(from_elements) folds), where a transposed transfer_read of
    // the strided tile would be assembled in registers and spill the block.
    auto readElements = [&](Value source) -> Value {
      auto type = cast<RankedTensorType>(source.getType());
      int64_t rank = type.getRank();
      int64_t k = type.getDimSize(rank - 1), a = type.getDimSize(1);
      SmallVector<Value> elements;
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < a; ++j) {
          SmallVector<Value> indices(rank, zero);
          indices[1] = arith::ConstantIndexOp::create(rewriter, loc, j);
          indices[rank - 1] = arith::ConstantIndexOp::create(rewriter, loc, i);
          elements.push_back(
              tensor::ExtractOp::create(rewriter, loc, source, indices));
        }
      return toAccType(vector::FromElementsOp::create(
          rewriter, loc, VectorType::get({k, a}, type.getElementType()),
          elements));
    };
    auto read = [&](Value source) -> Value {
      auto type = cast<RankedTensorType>(source.getType());
      int64_t rank = type.getRank();
      auto vectorType = VectorType::get(type.getShape().take_back(2),
                                        type.getElementType());
      SmallVector<Value> indices(rank, zero);
      SmallVector<bool> inBounds(2, true);
      Value v = vector::TransferReadOp::create(
          rewriter, loc, vectorType, source, indices,
          /*padding=*/std::nullopt,
          AffineMap::getMinorIdentityMap(rank, 2, ctx), inBounds);
      return toAccType(v);
    };
    Value lhsVector = hasChannelsFirstLhs(op) ? readElements(lhs) : read(lhs);
    Value rhsVector = read(rhs);
    Value accVector = read(block);

    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    Value product = vector::ContractionOp::create(
        rewriter, loc, lhsVector, rhsVector, accVector,
        ArrayRef<ArrayRef<AffineExpr>>{{k, m}, {k, n}, {m, n}},
        ArrayRef<vector::IteratorType>{vector::IteratorType::parallel,
                                       vector::IteratorType::parallel,
                                       vector::IteratorType::reduction});
    SmallVector<bool> inBounds(2, true);
    Value written = vector::TransferWriteOp::create(
                        rewriter, loc, product, block, ValueRange{zero, zero},
                        inBounds)
                        .getResult();
    rewriter.replaceOp(op, written);
  }

  /// Tiles `op` as `t` says and vectorizes the tiles; leaves it untouched if
  /// tiling fails.
  LogicalResult tileAndVectorize(RewriterBase &rewriter, linalg::GenericOp op,
                                 const GemmTiles &t) {
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), t.inner))
        .setInterchange(t.interchange);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()),
                          options);
    if (failed(tiled))
      return failure();
    rewriter.replaceOp(op, tiled->replacements);
    for (Operation *tile : tiled->tiledOps)
      if (auto generic = dyn_cast<linalg::GenericOp>(tile))
        if (generic.hasPureTensorSemantics() &&
            llvm::all_of(generic->getOperandTypes(), [](Type type) {
              return cast<ShapedType>(type).hasStaticShape();
            }))
          vectorizeTile(rewriter, generic);
    return success();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);

    SmallVector<linalg::GenericOp> gemms;
    func.walk([&](linalg::GenericOp op) {
      if (isOuterProductGemm(op))
        gemms.push_back(op);
    });
    for (linalg::GenericOp op : gemms)
      tileAndVectorize(rewriter, op);

    // Fold the slices around the vector transfers so that bufferization
    // reads and writes the tiles in place.
    convgrad::foldSlicesIntoTransfers(func);

    // The block's read and write do not depend on the innermost (o_R) loop:
    // carry the block through it as a vector. On buffers the same hoisting
    // (convgrad-lower-vectors) would give up, as the accumulator buffer has
    // view-like users.
    SmallVector<scf::ForOp> loops;
    func.walk([&](scf::ForOp loop) {
      if (llvm::any_of(loop.getBody()->getOperations(), [](Operation &op) {
            return isa<vector::ContractionOp>(op);
          }))
        loops.push_back(loop);
    });
    // In a pass, the loops over the pass's outer positions are around that
    // loop: the block is carried through them too, hoisted loop by loop
    // outwards (hoisting stops having an effect at the register block
    // loops, whose indices the block's transfers use).
    for (scf::ForOp loop : loops) {
      Operation *current = loop;
      while (auto forOp = dyn_cast_or_null<scf::ForOp>(current)) {
        LoopLikeOpInterface hoisted =
            hoistLoopInvariantSubsets(rewriter, forOp);
        current = hoisted->getParentOp();
      }
    }
  }
};

} // namespace
