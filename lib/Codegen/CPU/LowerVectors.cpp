//===- LowerVectors.cpp - Vector code of the tiles, ready for LLVM --------===//
//
// After bufferization, keeps each tile's accumulator in registers and lowers
// the vector ops the linalg vectorizer produced, in separate stages: one
// pattern set with everything at once can loop for a very long time.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/Dialect/X86Vector/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <type_traits>

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADLOWERVECTORS
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;

namespace {

/// The buffer `value` is a view of, if no access to another buffer can
/// alias it: a local allocation, or an argument of the function. The
/// arguments of a kernel are distinct buffers (the `restrict` contract of
/// the to_tensor and materialize_in_destination ops it was bufferized from;
/// upstream's hoistRedundantVectorTransfers relies on it too, for
/// accumulators that are arguments themselves). A strided phase of a data
/// gradient writes its accumulators through a view of the argument. Null if
/// the root is anything else (a call result, a cast of unknown origin).
Value getDistinctBuffer(Value value) {
  auto memref = dyn_cast<MemrefValue>(value);
  if (!memref)
    return nullptr;
  Value root = memref::skipViewLikeOps(memref);
  if (isa_and_nonnull<memref::AllocOp, memref::AllocaOp>(root.getDefiningOp()))
    return root;
  auto argument = dyn_cast<BlockArgument>(root);
  if (argument &&
      isa<FunctionOpInterface>(argument.getOwner()->getParentOp()) &&
      argument.getOwner()->isEntryBlock())
    return root;
  return nullptr;
}

/// Whether transfers `a` and `b` of the same memref touch disjoint elements:
/// along some memref dim their indices differ by a constant at least the
/// extent of the earlier one (1 along a dim the vector does not span).
/// Unlike upstream's isDisjointTransferSet, vectors of different sizes
/// qualify: a row that VectorizeConvAlongWidth cuts into full vectors and a
/// partial last one (56 columns: 3 x 16 + 8) is a register block whose
/// accumulators must all be hoisted.
bool isDisjointTransfer(VectorTransferOpInterface a,
                        VectorTransferOpInterface b) {
  if (a.getBase() != b.getBase() || a.getMask() || b.getMask() ||
      !a.getPermutationMap().isMinorIdentity() ||
      !b.getPermutationMap().isMinorIdentity())
    return false;
  int64_t rank = a.getIndices().size();
  auto extent = [&](VectorTransferOpInterface transfer, int64_t dim) {
    VectorType type = transfer.getVectorType();
    int64_t firstSpanned = rank - type.getRank();
    return dim < firstSpanned ? 1 : type.getDimSize(dim - firstSpanned);
  };
  for (int64_t dim = 0; dim < rank; ++dim) {
    FailureOr<int64_t> delta = ValueBoundsConstraintSet::computeConstantDelta(
        b.getIndices()[dim], a.getIndices()[dim]);
    if (succeeded(delta) &&
        (*delta >= extent(a, dim) || -*delta >= extent(b, dim)))
      return true;
  }
  return false;
}

/// Moves one read/write pair of the same vector out of `loop`, if the loop
/// runs at least once and nothing else in it touches the allocation; the
/// vector then travels through an iter_arg.
bool hoistAccumulatorPair(RewriterBase &rewriter, scf::ForOp loop) {
  std::optional<APInt> tripCount = loop.getStaticTripCount();
  if (!tripCount || tripCount->isZero())
    return false;
  for (auto read : loop.getBody()->getOps<vector::TransferReadOp>()) {
    Value buffer = getDistinctBuffer(read.getBase());
    if (!buffer || !llvm::all_of(read->getOperands(), [&](Value v) {
          return loop.isDefinedOutsideOfLoop(v);
        }))
      continue;
    vector::TransferWriteOp write;
    for (auto candidate : loop.getBody()->getOps<vector::TransferWriteOp>())
      if (candidate.getBase() == read.getBase() &&
          candidate.getIndices() == read.getIndices() &&
          candidate.getVectorType() == read.getVectorType() &&
          candidate.getPermutationMap() == read.getPermutationMap() &&
          !candidate.getMask() && !read.getMask() &&
          read->isBeforeInBlock(candidate))
        write = candidate;
    if (!write)
      continue;
    // Any other access to the same buffer, through any view, may alias (a
    // buffer of unknown origin may be an argument, not a local allocation);
    // not a transfer of the same view at provably disjoint indices (the
    // other vectors of a register block held as several vectors).
    bool isArgument = isa<BlockArgument>(buffer);
    bool aliased = false;
    loop.getBody()->walk([&](Operation *op) {
      if (op == read || op == write)
        return;
      auto transfer = dyn_cast<VectorTransferOpInterface>(op);
      auto disjoint = [&](Operation *pairOp) {
        auto pairTransfer = cast<VectorTransferOpInterface>(pairOp);
        return vector::isDisjointTransferSet(pairTransfer, transfer) ||
               isDisjointTransfer(pairTransfer, transfer);
      };
      if (transfer && transfer.getBase() == read.getBase() &&
          disjoint(read) && disjoint(write))
        return;
      for (Value operand : op->getOperands())
        if (isa<BaseMemRefType>(operand.getType())) {
          Value other = getDistinctBuffer(operand);
          aliased |= other == buffer || (!other && isArgument);
        }
    });
    if (aliased)
      continue;
    loop.moveOutOfLoop(read);
    write->moveAfter(loop);
    FailureOr<LoopLikeOpInterface> newLoop =
        cast<LoopLikeOpInterface>(loop.getOperation())
            .replaceWithAdditionalYields(
                rewriter, read.getResult(),
                /*replaceInitOperandUsesInLoop=*/true,
                [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
                  return SmallVector<Value>{write.getVector()};
                });
    if (failed(newLoop))
      return false;
    write.getValueToStoreMutable().assign(newLoop->getLoopResults()->back());
    return true;
  }
  return false;
}

/// Upstream's hoistRedundantVectorTransfers gives up on a buffer that has a
/// view-like user anywhere in the function, which every accumulator of a
/// channels-first convolution has (the transposes that read it back). A
/// local allocation cannot alias a function argument, so checking the uses
/// inside the loop is enough.
void hoistAccumulators(func::FuncOp func) {
  IRRewriter rewriter(func.getContext());
  bool changed = true;
  while (changed) {
    changed = false;
    func.walk([&](scf::ForOp loop) {
      if (hoistAccumulatorPair(rewriter, loop)) {
        changed = true;
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
  }
}

/// Most elements of a transfer unrolled into scalar loads or stores.
constexpr int64_t kMaxScalarizedTransfer = 1024;

/// The memref of `op` if it is an unmasked, in-bounds transfer whose vector
/// dims are memref dims in order, the last one innermost, and that dimension
/// has a static stride other than 1. Such a transfer (the interleave of a
/// stride phase into a channels-first data gradient: every other element of
/// a row) is not a vector load or store, and the generic 1-D lowering spills
/// the whole vector once per element; unrolled, it is one scalar load or
/// store per element.
template <typename TransferOp>
MemRefType getScalarizableStridedTransfer(TransferOp op) {
  auto type = dyn_cast<MemRefType>(op.getBase().getType());
  VectorType vectorType = op.getVectorType();
  AffineMap map = op.getPermutationMap();
  if (!type || op.getMask() || !map.isProjectedPermutation() ||
      map.getNumResults() == 0 ||
      map.getDimPosition(map.getNumResults() - 1) != map.getNumDims() - 1 ||
      !llvm::is_sorted(llvm::map_range(
          llvm::seq<unsigned>(0, map.getNumResults()),
          [&](unsigned i) { return map.getDimPosition(i); })) ||
      vectorType.isScalable() ||
      vectorType.getNumElements() > kMaxScalarizedTransfer ||
      llvm::any_of(op.getInBoundsValues(), [](bool b) { return !b; }))
    return nullptr;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) || strides.empty() ||
      ShapedType::isDynamic(strides.back()) || strides.back() == 1)
    return nullptr;
  return type;
}

/// The memref indices of element `position` of the vector of `op`.
template <typename TransferOp>
SmallVector<Value> elementIndices(PatternRewriter &rewriter, TransferOp op,
                                  ArrayRef<int64_t> position) {
  SmallVector<Value> indices(op.getIndices());
  AffineMap map = op.getPermutationMap();
  for (auto [i, p] : llvm::enumerate(position)) {
    unsigned dim = map.getDimPosition(i);
    if (p != 0)
      indices[dim] = arith::AddIOp::create(
          rewriter, op.getLoc(), indices[dim],
          arith::ConstantIndexOp::create(rewriter, op.getLoc(), p));
  }
  return indices;
}

/// A strided transfer (getScalarizableStridedTransfer) as one scalar load
/// and vector.insert, or vector.extract and scalar store, per element.
template <typename TransferOp>
struct ScalarizeStridedTransfer : OpRewritePattern<TransferOp> {
  using OpRewritePattern<TransferOp>::OpRewritePattern;
  static constexpr bool isRead =
      std::is_same_v<TransferOp, vector::TransferReadOp>;

  LogicalResult matchAndRewrite(TransferOp op,
                                PatternRewriter &rewriter) const override {
    if (!getScalarizableStridedTransfer(op))
      return rewriter.notifyMatchFailure(op, "not a strided transfer");
    Location loc = op.getLoc();
    VectorType type = op.getVectorType();
    Value result;
    if constexpr (isRead)
      result = arith::ConstantOp::create(rewriter, loc, type,
                                         rewriter.getZeroAttr(type));
    for (SmallVector<int64_t> position :
         StaticTileOffsetRange(type.getShape(),
                               SmallVector<int64_t>(type.getRank(), 1))) {
      SmallVector<Value> indices = elementIndices(rewriter, op, position);
      if constexpr (isRead) {
        Value element =
            memref::LoadOp::create(rewriter, loc, op.getBase(), indices);
        result =
            vector::InsertOp::create(rewriter, loc, element, result, position);
      } else {
        Value element =
            vector::ExtractOp::create(rewriter, loc, op.getVector(), position);
        memref::StoreOp::create(rewriter, loc, element, op.getBase(), indices);
      }
    }
    if constexpr (isRead)
      rewriter.replaceOp(op, result);
    else
      rewriter.eraseOp(op);
    return success();
  }
};

/// The memory of `base` (a memref whose innermost stride s is static and
/// not 1: getScalarizableStridedTransfer) with a unit innermost stride: the
/// innermost size n becomes the span (n - 1) * s + 1 of the elements, index
/// i of `base` is index i * s of the view. Null if n is dynamic.
Value createUnitStrideView(PatternRewriter &rewriter, Location loc,
                           Value base) {
  auto type = cast<MemRefType>(base.getType());
  auto [strides, offset] = type.getStridesAndOffset();
  int64_t lastSize = type.getShape().back();
  if (ShapedType::isDynamic(lastSize))
    return nullptr;
  int64_t span = (lastSize - 1) * strides.back() + 1;
  auto metadata = memref::ExtractStridedMetadataOp::create(rewriter, loc, base);
  SmallVector<OpFoldResult> viewSizes = metadata.getConstifiedMixedSizes();
  SmallVector<OpFoldResult> viewStrides = metadata.getConstifiedMixedStrides();
  viewSizes.back() = rewriter.getIndexAttr(span);
  viewStrides.back() = rewriter.getIndexAttr(1);
  SmallVector<int64_t> viewShape(type.getShape());
  viewShape.back() = span;
  SmallVector<int64_t> unitStrides(strides);
  unitStrides.back() = 1;
  auto viewType = MemRefType::get(
      viewShape, type.getElementType(),
      StridedLayoutAttr::get(rewriter.getContext(), offset, unitStrides),
      type.getMemorySpace());
  return memref::ReinterpretCastOp::create(
      rewriter, loc, viewType, metadata.getBaseBuffer(),
      metadata.getConstifiedMixedOffset(), viewSizes, viewStrides);
}

/// The indices in createUnitStrideView's view of the first element of the
/// row of `op`'s vector at `position` (whose last entry is 0).
template <typename TransferOp>
SmallVector<Value> rowIndicesInUnitStrideView(PatternRewriter &rewriter,
                                              TransferOp op,
                                              ArrayRef<int64_t> position,
                                              int64_t stride) {
  SmallVector<Value> indices = elementIndices(rewriter, op, position);
  indices.back() = arith::MulIOp::create(
      rewriter, op.getLoc(), indices.back(),
      arith::ConstantIndexOp::create(rewriter, op.getLoc(), stride));
  return indices;
}

/// The innermost stride of a strided transfer (getScalarizableStridedTransfer)
/// whose rows the strategy's `rule` (storeStridedRowMasked,
/// loadStridedRowDeinterleaved: elements per row, stride, element bits,
/// target) moves as whole spans; nullopt otherwise.
template <typename TransferOp>
std::optional<int64_t> getSpanMovedStride(
    TransferOp op, const convgrad::cpu::CPUTarget &target,
    bool (*rule)(int64_t, int64_t, int64_t,
                 const convgrad::cpu::CPUTarget &)) {
  MemRefType type = getScalarizableStridedTransfer(op);
  Type elementType = op.getVectorType().getElementType();
  if (!type || !elementType.isIntOrFloat())
    return std::nullopt;
  int64_t stride = type.getStridesAndOffset().first.back();
  if (!rule(op.getVectorType().getShape().back(), stride,
            elementType.getIntOrFloatBitWidth(), target))
    return std::nullopt;
  return stride;
}

/// A strided write (getScalarizableStridedTransfer) whose rows the strategy
/// stores masked (convgrad::cpu::storeStridedRowMasked): per row of the
/// vector, one shuffle spreads the elements `stride` lanes apart over the span they
/// cover and one masked store writes that span through a unit-stride view
/// of the same memory, leaving the elements in between (another phase's, or
/// the zero fill's) untouched.
struct MaskStridedTransferWrite : OpRewritePattern<vector::TransferWriteOp> {
  MaskStridedTransferWrite(MLIRContext *ctx,
                           const convgrad::cpu::CPUTarget &target)
      : OpRewritePattern(ctx, /*benefit=*/3), target(target) {}

  LogicalResult matchAndRewrite(vector::TransferWriteOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<int64_t> movedStride =
        getSpanMovedStride(op, target, convgrad::cpu::storeStridedRowMasked);
    if (!movedStride)
      return rewriter.notifyMatchFailure(op, "stored element by element");
    int64_t stride = *movedStride;
    VectorType vectorType = op.getVectorType();
    Type elementType = vectorType.getElementType();
    int64_t elements = vectorType.getShape().back();

    Location loc = op.getLoc();
    Value view = createUnitStrideView(rewriter, loc, op.getBase());
    if (!view)
      return rewriter.notifyMatchFailure(op, "dynamic innermost size");

    int64_t span = (elements - 1) * stride + 1;
    SmallVector<int64_t> spread;
    SmallVector<bool> maskBits;
    for (int64_t lane = 0; lane < span; ++lane) {
      bool mine = lane % stride == 0;
      // Lane `elements` of the shuffle is the second operand's first one.
      spread.push_back(mine ? lane / stride : elements);
      maskBits.push_back(mine);
    }
    auto spanType = VectorType::get({span}, elementType);
    auto rowType = VectorType::get({elements}, elementType);
    Value mask = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(VectorType::get({span}, rewriter.getI1Type()),
                               ArrayRef<bool>(maskBits)));
    Value poison = ub::PoisonOp::create(rewriter, loc, rowType);
    SmallVector<int64_t> rowShape(vectorType.getRank(), 1);
    rowShape.back() = elements;
    for (SmallVector<int64_t> position : StaticTileOffsetRange(
             vectorType.getShape(), rowShape)) {
      SmallVector<Value> indices =
          rowIndicesInUnitStrideView(rewriter, op, position, stride);
      ArrayRef<int64_t> rowPosition = ArrayRef<int64_t>(position).drop_back();
      Value row = rowPosition.empty()
                      ? op.getVector()
                      : vector::ExtractOp::create(rewriter, loc,
                                                  op.getVector(), rowPosition)
                            .getResult();
      Value spreadRow = vector::ShuffleOp::create(rewriter, loc, spanType, row,
                                                  poison, spread);
      vector::MaskedStoreOp::create(rewriter, loc, view, indices, mask,
                                    spreadRow);
    }
    rewriter.eraseOp(op);
    return success();
  }

  convgrad::cpu::CPUTarget target;
};

/// A strided read (getScalarizableStridedTransfer: a transpose tile of the
/// subsampled input of a strided channels-first convolution, every other
/// element of a row) whose rows the strategy deinterleaves
/// (convgrad::cpu::loadStridedRowDeinterleaved): per row of the vector, one
/// masked load of the whole vectors that cover the span of its elements
/// through a unit-stride view of the same memory (the lanes past the span
/// masked off: never touched, even at the end of a buffer) and one shuffle
/// that picks out every stride-th lane.
struct DeinterleaveStridedTransferRead
    : OpRewritePattern<vector::TransferReadOp> {
  DeinterleaveStridedTransferRead(MLIRContext *ctx,
                                  const convgrad::cpu::CPUTarget &target)
      : OpRewritePattern(ctx, /*benefit=*/3), target(target) {}

  LogicalResult matchAndRewrite(vector::TransferReadOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<int64_t> movedStride = getSpanMovedStride(
        op, target, convgrad::cpu::loadStridedRowDeinterleaved);
    if (!movedStride)
      return rewriter.notifyMatchFailure(op, "loaded element by element");
    int64_t stride = *movedStride;
    VectorType vectorType = op.getVectorType();
    Type elementType = vectorType.getElementType();
    int64_t elements = vectorType.getShape().back();

    Location loc = op.getLoc();
    Value view = createUnitStrideView(rewriter, loc, op.getBase());
    if (!view)
      return rewriter.notifyMatchFailure(op, "dynamic innermost size");

    // Whole vectors of the target, so that LLVM loads the full ones plainly
    // and masks only the last.
    int64_t span = (elements - 1) * stride + 1;
    int64_t lanes = target.lanes(elementType.getIntOrFloatBitWidth());
    int64_t loaded = (span + lanes - 1) / lanes * lanes;
    SmallVector<bool> maskBits;
    for (int64_t lane = 0; lane < loaded; ++lane)
      maskBits.push_back(lane < span);
    SmallVector<int64_t> pick;
    for (int64_t i = 0; i < elements; ++i)
      pick.push_back(i * stride);
    auto loadedType = VectorType::get({loaded}, elementType);
    Value mask = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(VectorType::get({loaded}, rewriter.getI1Type()),
                               ArrayRef<bool>(maskBits)));
    Value passThru = ub::PoisonOp::create(rewriter, loc, loadedType);
    Value result = ub::PoisonOp::create(rewriter, loc, vectorType);
    SmallVector<int64_t> rowShape(vectorType.getRank(), 1);
    rowShape.back() = elements;
    for (SmallVector<int64_t> position : StaticTileOffsetRange(
             vectorType.getShape(), rowShape)) {
      SmallVector<Value> indices =
          rowIndicesInUnitStrideView(rewriter, op, position, stride);
      Value covering = vector::MaskedLoadOp::create(rewriter, loc, loadedType,
                                                view, indices, mask, passThru);
      Value row =
          vector::ShuffleOp::create(rewriter, loc, covering, covering, pick);
      ArrayRef<int64_t> rowPosition = ArrayRef<int64_t>(position).drop_back();
      result = rowPosition.empty()
                   ? row
                   : vector::InsertOp::create(rewriter, loc, row, result,
                                              rowPosition)
                         .getResult();
    }
    rewriter.replaceOp(op, result);
    return success();
  }

  convgrad::cpu::CPUTarget target;
};

struct LowerVectorsPass
    : public convgrad::impl::ConvGradLowerVectorsBase<LowerVectorsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // The accumulator block of a tile is read before and written after the
    // reduction loops: hoist that pair out so it lives in registers.
    linalg::hoistRedundantVectorTransfers(func, /*verifyNonZeroTrip=*/true);
    hoistAccumulators(func);

    // 16 x 16 tiles of the layout transposes: the 8-stage unpack and shuffle
    // network; other shapes one 1-D shuffle. Strided transfers element by
    // element (the generic lowering spills the whole vector per element).
    // The recorded target (the host without one); an invalid one has been
    // reported, and its strided transfers move element by element.
    FailureOr<convgrad::cpu::CPUTarget> target = convgrad::getCPUTarget(func);
    if (failed(convgrad::lowerVectorsInStages(
            func, /*shuffle16x16Transposes=*/true, [&](RewritePatternSet &p) {
              p.add<ScalarizeStridedTransfer<vector::TransferReadOp>,
                    ScalarizeStridedTransfer<vector::TransferWriteOp>>(
                  p.getContext(), /*benefit=*/2);
              if (failed(target))
                return;
              p.add<MaskStridedTransferWrite,
                    DeinterleaveStridedTransferRead>(p.getContext(), *target);
              // 8 x 8 f32 transpose tiles (AVX2's vector squares): the AVX
              // network, ahead of the generic 1-D shuffle (benefit 10).
              constexpr int64_t kSide = 8, kBits = 32;
              if (convgrad::cpu::transposeByAVX8x8Network(kSide, kSide, kBits,
                                                          *target))
                x86vector::avx2::populateSpecializedTransposeLoweringPatterns(
                    p, x86vector::avx2::LoweringOptions().setTransposeOptions(
                           x86vector::avx2::TransposeLoweringOptions()
                               .lower8x8xf32()));
            })))
      return signalPassFailure();
    // A register block that starts from zero (its fill tiled with it,
    // TileAndVectorizeConvs) stores a zero block and reads it back before
    // its reduction loops: the zeros are forwarded to the read, and the
    // store, which the block's final store overwrites, is erased. (After
    // the stages, where both transfers have the same unit-dim-free type.)
    IRRewriter rewriter(func.getContext());
    vector::transferOpflowOpt(rewriter, func);
  }
};
} // namespace

LogicalResult mlir::convgrad::lowerVectorsInStages(
    func::FuncOp func, bool shuffle16x16Transposes,
    function_ref<void(RewritePatternSet &)> addFinalPatterns) {
  MLIRContext *ctx = func.getContext();
  auto applyStage = [&](function_ref<void(RewritePatternSet &)> populate) {
    RewritePatternSet patterns(ctx);
    populate(patterns);
    vector::populateVectorTransferDropUnitDimsPatterns(patterns);
    return applyPatternsGreedily(func, std::move(patterns));
  };
  if (failed(applyStage([](RewritePatternSet &p) {
        vector::populateCastAwayVectorLeadingOneDimPatterns(p);
      })) ||
      failed(applyStage([](RewritePatternSet &p) {
        vector::populateVectorContractLoweringPatterns(
            p, vector::VectorContractLowering::OuterProduct);
        vector::populateVectorOuterProductLoweringPatterns(p);
      })))
    return failure();
  return applyStage([&](RewritePatternSet &p) {
    vector::populateVectorTransferPermutationMapLoweringPatterns(p);
    vector::populateVectorMultiReductionLoweringPatterns(
        p, vector::VectorMultiReductionLowering::InnerParallel);
    vector::populateVectorBroadcastLoweringPatterns(p);
    if (shuffle16x16Transposes)
      vector::populateVectorTransposeLoweringPatterns(
          p, vector::VectorTransposeLowering::Shuffle16x16);
    vector::populateVectorShapeCastLoweringPatterns(p);
    vector::populateVectorTransferLoweringPatterns(p, /*maxRank=*/1);
    if (addFinalPatterns)
      addFinalPatterns(p);
  });
}
