//===- RaiseLinalgToConvGrad.cpp - foreign linalg to convgrad ops ---------===//
//
// Recognizes the convolutions and gradients that other compilers emit in
// upstream linalg (torch-mlir, StableHLO-to-linalg, TOSA-to-linalg) and
// raises them into convgrad ops, so that those compilers get convgrad's
// kernels by adding one pass. A pattern only fires when the raised op means
// exactly what the matched IR computes; every check that fails leaves the IR
// untouched. The forward raise works on any linalg op that linalg's
// convolution interface describes, whatever the operand layouts: it reads the
// roles of the loops with inferConvolutionDims, checks every indexing map and
// the body itself, and moves the operands into convgrad's layout with
// transposes and reshapes. The gradient patterns then work on convgrad.conv,
// so they do not depend on the layout the producer chose.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Conversion/LinalgToConvGrad/LinalgToConvGrad.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradDialect.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Utils/ConvShape.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADRAISELINALG
#include "convgrad/Conversion/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

//===----------------------------------------------------------------------===//
// Small matchers
//===----------------------------------------------------------------------===//

/// Whether `v` is a float constant +0.0 (a -0.0 pad or fill is not what
/// convgrad's implicit zeros are, so it is not accepted).
bool isPositiveZero(Value v) { return matchPattern(v, m_PosZeroFloat()); }

/// Whether `v` is a tensor of +0.0: a splat constant, or a linalg.fill of
/// +0.0, or a broadcast (any linalg op with no tensor input read but a splat
/// constant) of one.
bool isZeroTensor(Value v) {
  // Reshapes of zeros are zeros.
  while (isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
                         tensor::CastOp>(v.getDefiningOp()))
    v = v.getDefiningOp()->getOperand(0);
  if (matchPattern(v, m_PosZeroFloat()))
    return true;
  if (auto fill = v.getDefiningOp<linalg::FillOp>())
    return isPositiveZero(fill.getInputs()[0]);
  return false;
}

/// Whether `v` is a block argument of `block` with the given number.
bool isBlockArg(Value v, Block &block, unsigned number) {
  auto arg = dyn_cast<BlockArgument>(v);
  return arg && arg.getOwner() == &block && arg.getArgNumber() == number;
}

/// Whether `v` is block argument `number`, possibly widened by one exact
/// arith.extf (f16/bf16 operands accumulated in f32).
bool isOperandRead(Value v, Block &block, unsigned number) {
  if (auto ext = v.getDefiningOp<arith::ExtFOp>())
    v = ext.getIn();
  return isBlockArg(v, block, number);
}

/// Whether the body of `op` is exactly `out + in0 * in1` (in either operand
/// order), with only exact widening of the operands.
bool isMultiplyAccumulateBody(linalg::LinalgOp op) {
  Block &block = *op.getBlock();
  if (block.getNumArguments() != 3 || block.getOperations().size() > 6)
    return false;
  auto yield = cast<linalg::YieldOp>(block.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value acc = add.getLhs(), prod = add.getRhs();
  if (!isBlockArg(acc, block, 2))
    std::swap(acc, prod);
  auto mul = prod.getDefiningOp<arith::MulFOp>();
  if (!isBlockArg(acc, block, 2) || !mul)
    return false;
  return (isOperandRead(mul.getLhs(), block, 0) &&
          isOperandRead(mul.getRhs(), block, 1)) ||
         (isOperandRead(mul.getLhs(), block, 1) &&
          isOperandRead(mul.getRhs(), block, 0));
}

/// Whether `op` is an elementwise linalg op with identity maps whose body
/// yields `cast(in)` for a single input: returns the cast op's name check.
template <typename CastOp>
bool isElementwiseCast(Operation *user, Type resultElementType) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(user);
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 || !generic.hasPureTensorSemantics() ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return false;
  Block &block = *generic.getBlock();
  auto yield = cast<linalg::YieldOp>(block.getTerminator());
  auto cast = yield.getValues()[0].getDefiningOp<CastOp>();
  return cast && isBlockArg(cast.getIn(), block, 0) &&
         cast.getType() == resultElementType &&
         block.getOperations().size() == 2;
}

/// The static value of every entry of `values`, or nullopt.
std::optional<SmallVector<int64_t>>
getStaticValues(ArrayRef<OpFoldResult> values) {
  SmallVector<int64_t> result;
  for (OpFoldResult v : values) {
    std::optional<int64_t> c = getConstantIntValue(v);
    if (!c)
      return std::nullopt;
    result.push_back(*c);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Layouts: from the loops of a linalg convolution to convgrad's operands
//===----------------------------------------------------------------------===//

/// One operand of a convgrad op described by loops of the linalg op: the
/// operand in convgrad's layout with every role present (`fullLoops`, -1 for
/// a role the linalg op does not have, which has size 1), and how these dims
/// merge into the convgrad operand's dims (`groups`, e.g. [G, C/G] -> C).
struct OperandLayout {
  SmallVector<int64_t> fullLoops;
  SmallVector<ReassociationIndices> groups;
};

/// The loop roles of a convolution, -1 for an absent one.
struct ConvLoops {
  int64_t batch = -1, group = -1, outChannel = -1, inChannel = -1;
  SmallVector<int64_t> outImage, filterLoop;
  SmallVector<int64_t> strides, dilations;
  /// Where the spatial dims of the input map start: used to choose the
  /// layout (channels-last when the channel dims come after them).
  bool channelsLast = false;
};

/// convgrad's input, filter and output of a convolution with these loops.
/// Input [N, (G, Cg), S...], filter [(G, Fg), Cg, K...], output
/// [N, (G, Fg), O...] (channels-first), with the channel dims last in the
/// activations and last in the filter for channels-last.
std::array<OperandLayout, 3> getConvGradLayouts(const ConvLoops &l) {
  auto make = [&](int64_t outer, ArrayRef<int64_t> pair,
                  ArrayRef<int64_t> spatial, bool outerIsPair,
                  int64_t filterChannel) {
    OperandLayout layout;
    // outer: N (one dim) or the (G, Fg) pair for filters.
    auto addDims = [&](ArrayRef<int64_t> loops) {
      ReassociationIndices group;
      for (int64_t loop : loops) {
        group.push_back(layout.fullLoops.size());
        layout.fullLoops.push_back(loop);
      }
      layout.groups.push_back(group);
    };
    if (outerIsPair)
      addDims(pair);
    else
      addDims({outer});
    SmallVector<int64_t> channel = outerIsPair
                                       ? SmallVector<int64_t>{filterChannel}
                                       : SmallVector<int64_t>(pair);
    if (!l.channelsLast)
      addDims(channel);
    for (int64_t s : spatial)
      addDims({s});
    if (l.channelsLast)
      addDims(channel);
    return layout;
  };
  // The input's spatial dims are named by the output loops they follow.
  return {make(l.batch, {l.group, l.inChannel}, l.outImage, false, -1),
          make(-1, {l.group, l.outChannel}, l.filterLoop, true, l.inChannel),
          make(l.batch, {l.group, l.outChannel}, l.outImage, false, -1)};
}

/// The static shape of `layout` given the loop sizes, before (`full`) and
/// after (`merged`) merging its groups.
SmallVector<int64_t> fullShape(const OperandLayout &layout,
                               ArrayRef<int64_t> loopSizes) {
  SmallVector<int64_t> shape;
  for (int64_t loop : layout.fullLoops)
    shape.push_back(loop < 0 ? 1 : loopSizes[loop]);
  return shape;
}
SmallVector<int64_t> mergedShape(const OperandLayout &layout,
                                 ArrayRef<int64_t> loopSizes) {
  SmallVector<int64_t> full = fullShape(layout, loopSizes), shape;
  for (const ReassociationIndices &group : layout.groups) {
    int64_t size = 1;
    for (int64_t i : group)
      size *= full[i];
    shape.push_back(size);
  }
  return shape;
}

/// The reassociation that inserts the absent (size-1) roles of `layout`
/// next to the present ones: present dims -> full dims.
SmallVector<ReassociationIndices> absentRoleReassociation(
    const OperandLayout &layout) {
  SmallVector<ReassociationIndices> result;
  ReassociationIndices leading;
  for (auto [i, loop] : llvm::enumerate(layout.fullLoops)) {
    if (loop < 0) {
      if (result.empty())
        leading.push_back(i);
      else
        result.back().push_back(i);
      continue;
    }
    ReassociationIndices group = leading;
    leading.clear();
    group.push_back(i);
    result.push_back(group);
  }
  return result;
}

/// Whether `layout` lists absent roles (so reshapes are needed).
bool hasAbsentRoles(const OperandLayout &layout) {
  return llvm::is_contained(layout.fullLoops, -1);
}
bool hasMergedGroups(const OperandLayout &layout) {
  return llvm::any_of(layout.groups, [](const ReassociationIndices &g) {
    return g.size() != 1;
  });
}

/// The result of `map` that is a function of `loop` (for the input, the
/// spatial dim `o * s + k * d` of output loop `o`).
int64_t resultOfLoop(AffineMap map, int64_t loop) {
  for (auto [j, expr] : llvm::enumerate(map.getResults()))
    if (expr.isFunctionOfDim(loop))
      return j;
  llvm_unreachable("every role of a matched convolution is in its maps");
}

/// Moves operand `value` of the linalg op (indexed by `map`) into convgrad's
/// layout `layout`.
Value toConvGradLayout(OpBuilder &b, Location loc, Value value, AffineMap map,
                       const OperandLayout &layout) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> permutation, full;
  for (int64_t loop : layout.fullLoops) {
    if (loop < 0) {
      full.push_back(1);
      continue;
    }
    permutation.push_back(resultOfLoop(map, loop));
    full.push_back(type.getDimSize(permutation.back()));
  }
  value = transposeTensor(b, loc, value, permutation);
  if (hasAbsentRoles(layout))
    value = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(full, type.getElementType()), value,
        absentRoleReassociation(layout));
  if (hasMergedGroups(layout))
    value = tensor::CollapseShapeOp::create(b, loc, value, layout.groups);
  return value;
}

/// The inverse of toConvGradLayout for the output: from convgrad's result to
/// the layout of the linalg op's result (indexed by `map`).
Value fromConvGradLayout(OpBuilder &b, Location loc, Value value,
                         AffineMap map, const OperandLayout &layout,
                         ArrayRef<int64_t> loopSizes) {
  Type elementType = cast<RankedTensorType>(value.getType()).getElementType();
  if (hasMergedGroups(layout))
    value = tensor::ExpandShapeOp::create(
        b, loc,
        RankedTensorType::get(fullShape(layout, loopSizes), elementType), value,
        layout.groups);
  if (hasAbsentRoles(layout))
    value = tensor::CollapseShapeOp::create(b, loc, value,
                                            absentRoleReassociation(layout));
  // Result dim i of the linalg op is loop map.getDimPosition(i); find where
  // that loop sits among the present dims of the layout.
  SmallVector<int64_t> present;
  for (int64_t loop : layout.fullLoops)
    if (loop >= 0)
      present.push_back(loop);
  SmallVector<int64_t> permutation;
  for (unsigned i = 0; i < map.getNumResults(); ++i)
    permutation.push_back(
        llvm::find(present, map.getDimPosition(i)) - present.begin());
  return transposeTensor(b, loc, value, permutation);
}

//===----------------------------------------------------------------------===//
// Forward convolutions
//===----------------------------------------------------------------------===//

/// Reads `expr` as `o * s + k * d` (either order, s or d may be 1): returns
/// {o, s, k, d} with o in `outImage` and k in `filterLoop`.
std::optional<std::array<int64_t, 4>>
matchConvolvedExpr(AffineExpr expr, ArrayRef<unsigned> outImage,
                   ArrayRef<unsigned> filterLoop) {
  auto add = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!add || add.getKind() != AffineExprKind::Add)
    return std::nullopt;
  auto term = [](AffineExpr e) -> std::optional<std::pair<int64_t, int64_t>> {
    if (auto d = dyn_cast<AffineDimExpr>(e))
      return std::make_pair<int64_t, int64_t>(d.getPosition(), 1);
    auto mul = dyn_cast<AffineBinaryOpExpr>(e);
    if (!mul || mul.getKind() != AffineExprKind::Mul)
      return std::nullopt;
    AffineExpr lhs = mul.getLHS(), rhs = mul.getRHS();
    if (isa<AffineConstantExpr>(lhs))
      std::swap(lhs, rhs);
    auto d = dyn_cast<AffineDimExpr>(lhs);
    auto c = dyn_cast<AffineConstantExpr>(rhs);
    if (!d || !c || c.getValue() < 1)
      return std::nullopt;
    return std::make_pair<int64_t, int64_t>(d.getPosition(), c.getValue());
  };
  auto a = term(add.getLHS()), b = term(add.getRHS());
  if (!a || !b)
    return std::nullopt;
  if (llvm::is_contained(filterLoop, a->first))
    std::swap(a, b);
  if (!llvm::is_contained(outImage, a->first) ||
      !llvm::is_contained(filterLoop, b->first))
    return std::nullopt;
  return std::array<int64_t, 4>{a->first, a->second, b->first, b->second};
}

/// Reads the loop roles of `op` and checks that its indexing maps are exactly
/// those of a convolution with these roles (every dim once, no other terms).
FailureOr<ConvLoops> matchConvLoops(linalg::LinalgOp op) {
  FailureOr<linalg::ConvolutionDimensions> dims =
      linalg::inferConvolutionDims(op);
  if (failed(dims))
    return failure();
  unsigned r = dims->outputImage.size();
  if (dims->batch.size() != 1 || r < 1 || r > 3 ||
      dims->filterLoop.size() != r || dims->outputChannel.size() > 1 ||
      dims->inputChannel.size() > 1 || dims->depth.size() > 1)
    return failure();
  ConvLoops l;
  l.batch = dims->batch[0];
  auto single = [](ArrayRef<unsigned> v) -> int64_t {
    return v.empty() ? int64_t(-1) : int64_t(v[0]);
  };
  l.group = single(dims->depth);
  l.outChannel = single(dims->outputChannel);
  l.inChannel = single(dims->inputChannel);
  if (op.getNumLoops() != 1 + 2 * r + (l.group >= 0) + (l.outChannel >= 0) +
                              (l.inChannel >= 0))
    return failure();

  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  // Input: N, G?, Cg? and one `o * s + k * d` per spatial dim.
  AffineMap inMap = maps[0];
  SmallVector<int64_t> outImage, filterLoop, strides, dilations;
  int64_t firstSpatial = -1, lastChannel = -1;
  llvm::SmallDenseSet<int64_t> seen;
  for (auto [i, expr] : llvm::enumerate(inMap.getResults())) {
    if (auto d = dyn_cast<AffineDimExpr>(expr)) {
      int64_t p = d.getPosition();
      if (p != l.batch && p != l.group && p != l.inChannel)
        return failure();
      if (!seen.insert(p).second)
        return failure();
      if (p != l.batch)
        lastChannel = i;
      continue;
    }
    auto m = matchConvolvedExpr(expr, dims->outputImage, dims->filterLoop);
    if (!m || !seen.insert((*m)[0]).second || !seen.insert((*m)[2]).second)
      return failure();
    if (firstSpatial < 0)
      firstSpatial = i;
    outImage.push_back((*m)[0]);
    strides.push_back((*m)[1]);
    filterLoop.push_back((*m)[2]);
    dilations.push_back((*m)[3]);
  }
  if (seen.size() != 1 + 2 * r + (l.group >= 0) + (l.inChannel >= 0))
    return failure();
  l.outImage = outImage;
  l.filterLoop = filterLoop;
  l.strides = strides;
  l.dilations = dilations;
  l.channelsLast = lastChannel > firstSpatial;

  // Filter and output: projected permutations of exactly their roles.
  auto isPermutationOf = [](AffineMap map, SmallVector<int64_t> loops) {
    llvm::erase(loops, -1);
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/false) ||
        map.getNumResults() != loops.size())
      return false;
    return llvm::all_of(loops, [&](int64_t loop) {
      return map.getResultPosition(
                 getAffineDimExpr(loop, map.getContext())) != std::nullopt;
    });
  };
  SmallVector<int64_t> filterLoops = {l.group, l.outChannel, l.inChannel};
  llvm::append_range(filterLoops, l.filterLoop);
  SmallVector<int64_t> outputLoops = {l.batch, l.group, l.outChannel};
  llvm::append_range(outputLoops, l.outImage);
  if (!isPermutationOf(maps[1], filterLoops) ||
      !isPermutationOf(maps[2], outputLoops))
    return failure();

  // Reductions are exactly the input channel and the kernel loops.
  for (auto [i, it] : llvm::enumerate(op.getIteratorTypesArray())) {
    bool reduced = (int64_t)i == l.inChannel || llvm::is_contained(filterLoop, i);
    if (reduced != (it == utils::IteratorType::reduction))
      return failure();
  }
  return l;
}

/// The initial value of a convolution's accumulator: zeros (no bias), or a
/// 1-D bias broadcast along the output dim `channelDim`.
struct AccumulatorInit {
  bool zero = false;
  Value bias; // 1-D, element type of the convolution's operands.
};

std::optional<AccumulatorInit> matchAccumulatorInit(Value init,
                                                    int64_t channelDim,
                                                    Type elementType) {
  if (isZeroTensor(init))
    return AccumulatorInit{true, Value()};
  auto generic = init.getDefiningOp<linalg::GenericOp>();
  auto broadcast = init.getDefiningOp<linalg::BroadcastOp>();
  Value source;
  if (broadcast) {
    auto dims = broadcast.getDimensions();
    unsigned rank = broadcast.getInit().getType().getRank();
    if (dims.size() + 1 != rank || llvm::is_contained(dims, channelDim))
      return std::nullopt;
    source = broadcast.getInput();
  } else if (generic && generic.getNumDpsInputs() == 1 &&
             generic.getNumDpsInits() == 1 &&
             generic.getNumParallelLoops() == generic.getNumLoops()) {
    SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
    if (!maps[1].isIdentity() || maps[0].getNumResults() != 1 ||
        maps[0].getResult(0) !=
            getAffineDimExpr(channelDim, generic.getContext()))
      return std::nullopt;
    Block &block = *generic.getBlock();
    auto yield = cast<linalg::YieldOp>(block.getTerminator());
    if (!isOperandRead(yield.getValues()[0], block, 0) ||
        block.getOperations().size() > 2)
      return std::nullopt;
    source = generic.getDpsInputs()[0];
  } else {
    return std::nullopt;
  }
  if (isZeroTensor(source))
    return AccumulatorInit{true, Value()};
  auto type = dyn_cast<RankedTensorType>(source.getType());
  if (!type || type.getRank() != 1 || type.getElementType() != elementType)
    return std::nullopt;
  return AccumulatorInit{false, source};
}

/// The accumulator of a convolution whose output has separate group and
/// channel dims: zeros, or a bias broadcast on the merged channels and then
/// split into [G, F/G] (an expand_shape of exactly those two dims, group
/// first, as convgrad's and torch-mlir's grouped lowerings produce).
std::optional<AccumulatorInit>
matchGroupedAccumulatorInit(Value init, AffineMap outMap, int64_t groupLoop,
                            int64_t channelLoop, Type elementType) {
  if (isZeroTensor(init))
    return AccumulatorInit{true, Value()};
  auto expand = init.getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand)
    return std::nullopt;
  MLIRContext *ctx = init.getContext();
  int64_t g = *outMap.getResultPosition(getAffineDimExpr(groupLoop, ctx));
  int64_t f = *outMap.getResultPosition(getAffineDimExpr(channelLoop, ctx));
  for (auto [i, group] : llvm::enumerate(expand.getReassociationIndices())) {
    if (llvm::is_contained(group, g) || llvm::is_contained(group, f)) {
      if (group.size() != 2 || group[0] != g || group[1] != f)
        return std::nullopt;
      return matchAccumulatorInit(expand.getSrc(), i, elementType);
    }
  }
  return std::nullopt;
}

/// convgrad.conv from any linalg convolution on static tensors.
struct RaiseConvolution
    : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || op->getNumResults() != 1 ||
        op.hasIndexSemantics())
      return failure();
    if (!llvm::all_of(op->getOperandTypes(), [](Type t) {
          auto tt = dyn_cast<RankedTensorType>(t);
          return tt && tt.hasStaticShape();
        }))
      return rewriter.notifyMatchFailure(op, "not static tensors");
    FailureOr<ConvLoops> loops = matchConvLoops(op);
    if (failed(loops))
      return rewriter.notifyMatchFailure(op, "not a convolution");
    if (!isMultiplyAccumulateBody(op))
      return rewriter.notifyMatchFailure(op, "not a multiply-accumulate");

    // Element types: T x T -> T for f32/f64; f16/bf16 accumulate in f32 and
    // the only user truncates once.
    Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
    Type elementType = getElementTypeOrSelf(lhs.getType());
    Type accType = getElementTypeOrSelf(op->getResult(0).getType());
    if (getElementTypeOrSelf(rhs.getType()) != elementType ||
        !isSupportedElementType(elementType) ||
        getAccumulatorType(elementType) != accType)
      return rewriter.notifyMatchFailure(op, "element or accumulator type");
    Operation *replaced = op;
    if (accType != elementType) {
      if (!op->getResult(0).hasOneUse() ||
          !isElementwiseCast<arith::TruncFOp>(*op->user_begin(), elementType))
        return rewriter.notifyMatchFailure(op, "not truncated once");
      replaced = *op->user_begin();
    }

    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    unsigned r = loops->outImage.size();
    SmallVector<int64_t> loopSizes = op.getStaticLoopRanges();
    std::array<OperandLayout, 3> layouts = getConvGradLayouts(*loops);
    const OperandLayout &outLayout = layouts[2];

    // The bias: only where the output has one channel dim to broadcast on.
    int64_t outChannelLoop =
        loops->outChannel >= 0 ? loops->outChannel : loops->group;
    std::optional<AccumulatorInit> init;
    Value accInit = op.getDpsInits()[0];
    if (loops->outChannel >= 0 && loops->group >= 0)
      init = matchGroupedAccumulatorInit(accInit, maps[2], loops->group,
                                         loops->outChannel, elementType);
    else if (outChannelLoop >= 0)
      init = matchAccumulatorInit(
          accInit,
          *maps[2].getResultPosition(
              getAffineDimExpr(outChannelLoop, op.getContext())),
          elementType);
    else
      init = isZeroTensor(accInit) ? std::optional(AccumulatorInit{true, {}})
                                   : std::nullopt;
    if (!init)
      return rewriter.notifyMatchFailure(op, "accumulator is not zero or bias");

    // Fold a producing zero pad of the spatial dims, and crop the padded
    // input to the extent the windows read so that convgrad's shape relation
    // gives the same output size.
    Value input = lhs;
    SmallVector<int64_t> padLow(r, 0), padHigh(r, 0);
    SmallVector<int64_t> spatialInputDim(r);
    for (unsigned i = 0; i < r; ++i)
      for (auto [j, expr] : llvm::enumerate(maps[0].getResults()))
        if (expr.isFunctionOfDim(loops->outImage[i]))
          spatialInputDim[i] = j;
    if (auto pad = lhs.getDefiningOp<tensor::PadOp>()) {
      auto low = getStaticValues(pad.getMixedLowPad());
      auto high = getStaticValues(pad.getMixedHighPad());
      Value padValue = pad.getConstantPaddingValue();
      if (low && high && padValue && isPositiveZero(padValue) &&
          !pad.getNofold()) {
        bool spatialOnly = true;
        for (unsigned j = 0; j < low->size(); ++j)
          if (!llvm::is_contained(spatialInputDim, j) &&
              ((*low)[j] != 0 || (*high)[j] != 0))
            spatialOnly = false;
        if (spatialOnly) {
          input = pad.getSource();
          for (unsigned i = 0; i < r; ++i) {
            padLow[i] = (*low)[spatialInputDim[i]];
            padHigh[i] = (*high)[spatialInputDim[i]];
          }
        }
      }
    }
    auto inputType = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> cropHigh(inputType.getRank(), 0),
        noCrop(inputType.getRank(), 0);
    bool crops = false;
    for (unsigned i = 0; i < r; ++i) {
      int64_t size = inputType.getDimSize(spatialInputDim[i]);
      int64_t kernel = loopSizes[loops->filterLoop[i]];
      int64_t out = loopSizes[loops->outImage[i]];
      int64_t extent =
          (out - 1) * loops->strides[i] + (kernel - 1) * loops->dilations[i] + 1;
      int64_t excess = size + padLow[i] + padHigh[i] - extent;
      if (excess < 0 || out < 1 || kernel < 1)
        return rewriter.notifyMatchFailure(op, "windows exceed the input");
      // Rows beyond the last window are harmless unless a whole stride of
      // them would make convgrad's relation count one more output.
      excess -= excess % loops->strides[i];
      int64_t cut = std::min(excess, padHigh[i]);
      padHigh[i] -= cut;
      excess -= cut;
      if (excess >= size)
        return rewriter.notifyMatchFailure(op, "windows miss the input");
      cropHigh[spatialInputDim[i]] = -excess;
      crops |= excess > 0;
    }

    Location loc = op.getLoc();
    rewriter.setInsertionPoint(replaced);
    if (crops)
      input = padOrCrop(rewriter, loc, input, noCrop, cropHigh);
    // The input map's spatial dims still index `input` (only their sizes
    // changed), so the same layout moves apply.
    Value convInput =
        toConvGradLayout(rewriter, loc, input, maps[0], layouts[0]);
    Value convFilter = toConvGradLayout(rewriter, loc, rhs, maps[1], layouts[1]);
    SmallVector<int64_t> outShape = mergedShape(outLayout, loopSizes);
    int64_t groups = loops->group >= 0 ? loopSizes[loops->group] : 1;
    SmallVector<int64_t> padding(padLow);
    llvm::append_range(padding, padHigh);
    auto conv = ConvOp::create(
        rewriter, loc, RankedTensorType::get(outShape, elementType), convInput,
        convFilter, init->bias, rewriter.getDenseI64ArrayAttr(loops->strides),
        rewriter.getDenseI64ArrayAttr(padding),
        rewriter.getDenseI64ArrayAttr(loops->dilations),
        rewriter.getI64IntegerAttr(groups),
        LayoutAttr::get(rewriter.getContext(), loops->channelsLast
                                                   ? Layout::ChannelsLast
                                                   : Layout::ChannelsFirst));
    Value result = fromConvGradLayout(rewriter, loc, conv.getOutput(), maps[2],
                                      outLayout, loopSizes);
    rewriter.replaceOp(replaced, result);
    return success();
  }
};

/// A bias add after a convgrad.conv without bias: `y + b` broadcast along
/// the output channels, in f32 or f64 (in f16/bf16 the add would round a
/// second time, which convgrad's bias does not).
struct FoldBiasAdd : public OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    Type elementType = getElementTypeOrSelf(conv.getType());
    if (conv.getBias() || getAccumulatorType(elementType) != elementType ||
        !conv->hasOneUse())
      return failure();
    auto add = dyn_cast<linalg::GenericOp>(*conv->user_begin());
    // In the same block: the convolution moves to the add, not into a loop.
    if (!add || add->getBlock() != conv->getBlock() ||
        add.getNumDpsInputs() != 2 || add.getNumDpsInits() != 1 ||
        add.getNumParallelLoops() != add.getNumLoops() ||
        !add.hasPureTensorSemantics())
      return failure();
    SmallVector<AffineMap> maps = add.getIndexingMapsArray();
    unsigned convOperand = add.getDpsInputs()[0] == conv.getOutput() ? 0 : 1;
    Value bias = add.getDpsInputs()[1 - convOperand];
    if (add.getDpsInputs()[convOperand] != conv.getOutput() ||
        bias == conv.getOutput() || !maps[convOperand].isIdentity() ||
        !maps[2].isIdentity() || add.getResultTypes()[0] != conv.getType())
      return failure();
    Block &block = *add.getBlock();
    auto yield = cast<linalg::YieldOp>(block.getTerminator());
    auto sum = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
    if (!sum || block.getOperations().size() != 2 ||
        !((isBlockArg(sum.getLhs(), block, 0) &&
           isBlockArg(sum.getRhs(), block, 1)) ||
          (isBlockArg(sum.getLhs(), block, 1) &&
           isBlockArg(sum.getRhs(), block, 0))))
      return failure();
    // The bias map reads only the channel dim; every other result of it is
    // the constant 0 or a dim of size 1.
    ConvParams p = conv.getConvParams();
    unsigned channel = p.positions().channel();
    auto biasType = dyn_cast<RankedTensorType>(bias.getType());
    auto convType = cast<RankedTensorType>(conv.getType());
    if (!biasType || !biasType.hasStaticShape() ||
        biasType.getElementType() != elementType)
      return failure();
    AffineMap biasMap = maps[1 - convOperand];
    int64_t channelResult = -1;
    for (auto [i, expr] : llvm::enumerate(biasMap.getResults())) {
      if (expr == getAffineDimExpr(channel, conv.getContext())) {
        channelResult = i;
        continue;
      }
      auto c = dyn_cast<AffineConstantExpr>(expr);
      auto d = dyn_cast<AffineDimExpr>(expr);
      bool unit = biasType.getDimSize(i) == 1 &&
                  ((c && c.getValue() == 0) ||
                   (d && convType.getDimSize(d.getPosition()) == 1));
      if (!unit)
        return failure();
    }
    if (channelResult < 0 ||
        biasType.getDimSize(channelResult) != convType.getDimSize(channel))
      return failure();
    rewriter.setInsertionPoint(add);
    if (biasType.getRank() != 1) {
      ReassociationIndices all =
          llvm::to_vector(llvm::seq<int64_t>(0, biasType.getRank()));
      bias = tensor::CollapseShapeOp::create(rewriter, add.getLoc(), bias,
                                             ArrayRef<ReassociationIndices>{all});
    }
    // The bias may be defined after the convolution: move it to the add.
    rewriter.moveOpBefore(conv, add);
    rewriter.modifyOpInPlace(conv,
                             [&] { conv.getBiasMutable().assign(bias); });
    rewriter.replaceOp(add, conv.getOutput());
    return success();
  }
};

/// If `value` is a +0.0 tensor.pad of only the spatial dims (in layout
/// `pos`), returns its source and adds its amounts to `low`/`high`.
Value foldSpatialZeroPad(Value value, ConvDimPositions pos,
                         MutableArrayRef<int64_t> low,
                         MutableArrayRef<int64_t> high) {
  auto pad = value.getDefiningOp<tensor::PadOp>();
  if (!pad || pad.getNofold() || !pad.getConstantPaddingValue() ||
      !isPositiveZero(pad.getConstantPaddingValue()))
    return value;
  auto padLow = getStaticValues(pad.getMixedLowPad());
  auto padHigh = getStaticValues(pad.getMixedHighPad());
  if (!padLow || !padHigh || padLow->size() != pos.rank())
    return value;
  for (unsigned d : {pos.outer(), pos.channel()})
    if ((*padLow)[d] != 0 || (*padHigh)[d] != 0)
      return value;
  for (unsigned i = 0; i < pos.spatialRank; ++i) {
    low[i] += (*padLow)[pos.spatial(i)];
    high[i] += (*padHigh)[pos.spatial(i)];
  }
  return pad.getSource();
}

/// A zero pad of the spatial dims of a convgrad.conv's input (left where
/// the producer reshaped the padded tensor, e.g. to expose groups, and the
/// raise's reshapes folded away) becomes part of its padding.
struct FoldPadIntoConv : public OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    ConvParams p = conv.getConvParams();
    SmallVector<int64_t> low(p.padLow), high(p.padHigh);
    Value source = foldSpatialZeroPad(conv.getInput(), p.positions(), low, high);
    if (source == conv.getInput())
      return failure();
    llvm::append_range(low, high);
    rewriter.modifyOpInPlace(conv, [&] {
      conv.getInputMutable().assign(source);
      conv.setPaddingAttr(rewriter.getDenseI64ArrayAttr(low));
    });
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Data gradients
//===----------------------------------------------------------------------===//

/// Where each dim of a traced tensor comes from: `value[...]` at
/// `sourceDim[i]`, reversed (`n - 1 - i`) when `reversed[i]`; -1 for a unit
/// dim that a reshape inserted (`source` may have lower rank).
struct PermutedReversed {
  Value source;
  SmallVector<int64_t> sourceDim;
  SmallVector<bool> reversed;
};

/// The dims of `shape` that are not 1, and the reassociation that merges
/// every unit dim into a neighbour (into the next one when leading).
SmallVector<ReassociationIndices> unitDimsReassociation(ArrayRef<int64_t> shape) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices leading;
  for (auto [i, size] : llvm::enumerate(shape)) {
    if (size == 1 && !groups.empty()) {
      groups.back().push_back(i);
      continue;
    }
    leading.push_back(i);
    if (size != 1) {
      groups.push_back(leading);
      leading.clear();
    }
  }
  if (!leading.empty() && !groups.empty())
    llvm::append_range(groups.back(), leading);
  return groups;
}

/// `value` reshaped to `shape`, which has the same non-unit sizes in the
/// same order: drops its unit dims, then inserts those of `shape`.
Value reshapeUnitDims(OpBuilder &b, Location loc, Value value,
                      ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  SmallVector<ReassociationIndices> collapse =
      unitDimsReassociation(type.getShape());
  if ((int64_t)collapse.size() != type.getRank())
    value = tensor::CollapseShapeOp::create(b, loc, value, collapse);
  SmallVector<ReassociationIndices> expand = unitDimsReassociation(shape);
  if (expand.size() != shape.size())
    value = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), value,
        expand);
  return value;
}

/// The value of an index computed from constants by arith.addi / subi (as
/// tosa-to-linalg writes `(n - 1)` for a reverse), or nullopt. The raise
/// does not let the driver fold the user's ops, so it evaluates these here.
std::optional<int64_t> getConstantIndexArithmetic(Value v, unsigned depth = 0) {
  if (std::optional<int64_t> c = getConstantIntValue(v))
    return c;
  Operation *def = v.getDefiningOp();
  if (depth > 4 || !isa_and_nonnull<arith::AddIOp, arith::SubIOp>(def))
    return std::nullopt;
  std::optional<int64_t> lhs =
      getConstantIndexArithmetic(def->getOperand(0), depth + 1);
  std::optional<int64_t> rhs =
      getConstantIndexArithmetic(def->getOperand(1), depth + 1);
  if (!lhs || !rhs)
    return std::nullopt;
  return isa<arith::AddIOp>(def) ? *lhs + *rhs : *lhs - *rhs;
}

/// Whether `index` is `linalg.index i` (returns i, reversed = false) or
/// `(n - 1) - linalg.index i` for the size n of that dim.
std::optional<std::pair<int64_t, bool>>
matchIndexOrReversed(Value index, ArrayRef<int64_t> shape) {
  if (auto idx = index.getDefiningOp<linalg::IndexOp>())
    return std::make_pair<int64_t, bool>(idx.getDim(), false);
  auto sub = index.getDefiningOp<arith::SubIOp>();
  if (!sub)
    return std::nullopt;
  auto idx = sub.getRhs().getDefiningOp<linalg::IndexOp>();
  std::optional<int64_t> c = getConstantIndexArithmetic(sub.getLhs());
  if (!idx || !c || idx.getDim() >= shape.size() ||
      *c != shape[idx.getDim()] - 1)
    return std::nullopt;
  return std::make_pair<int64_t, bool>(idx.getDim(), true);
}

/// Follows `value` back through transposes and reverses (linalg.transpose,
/// permuting or reversing linalg.generic, convgrad.reverse) to the tensor
/// they rearrange.
PermutedReversed traceTransposesAndReverses(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  PermutedReversed t{value,
                     llvm::to_vector(llvm::seq<int64_t>(0, type.getRank())),
                     SmallVector<bool>(type.getRank(), false)};
  // Composes a step `t.source[j] = next[map[j]]` (reversed when flip[j]).
  auto compose = [&](Value next, ArrayRef<int64_t> map, ArrayRef<bool> flip) {
    for (unsigned i = 0; i < t.sourceDim.size(); ++i) {
      int64_t j = t.sourceDim[i];
      if (j < 0)
        continue;
      t.reversed[i] = t.reversed[i] != flip[j];
      t.sourceDim[i] = map[j];
    }
    t.source = next;
  };
  for (unsigned steps = 0; steps < 16; ++steps) {
    Operation *def = t.source.getDefiningOp();
    auto shape = cast<RankedTensorType>(t.source.getType()).getShape();
    SmallVector<bool> none(shape.size(), false);
    if (auto expand = dyn_cast_or_null<tensor::ExpandShapeOp>(def)) {
      // Only the insertion of unit dims: each group keeps one source dim.
      SmallVector<int64_t> map(shape.size(), -1);
      bool unitsOnly = true;
      for (auto [g, group] : llvm::enumerate(expand.getReassociationIndices())) {
        auto kept = llvm::find_if(group, [&](int64_t i) { return shape[i] != 1; });
        if (llvm::count_if(group, [&](int64_t i) { return shape[i] != 1; }) > 1)
          unitsOnly = false;
        map[kept == group.end() ? group.front() : *kept] = g;
      }
      if (!unitsOnly)
        break;
      compose(expand.getSrc(), map, none);
      continue;
    }
    if (auto transpose = dyn_cast_or_null<linalg::TransposeOp>(def)) {
      compose(transpose.getInput(), transpose.getPermutation(), none);
      continue;
    }
    if (auto reverse = dyn_cast_or_null<ReverseOp>(def)) {
      SmallVector<bool> flip(none);
      for (int64_t d : reverse.getDimensions())
        flip[d] = true;
      compose(reverse.getSource(),
              llvm::to_vector(llvm::seq<int64_t>(0, shape.size())), flip);
      continue;
    }
    auto generic = dyn_cast_or_null<linalg::GenericOp>(def);
    if (!generic || generic.getNumDpsInits() != 1 ||
        generic.getNumParallelLoops() != generic.getNumLoops() ||
        !generic.getIndexingMapsArray().back().isIdentity())
      break;
    Block &block = *generic.getBlock();
    auto yield = cast<linalg::YieldOp>(block.getTerminator());
    Value yielded = yield.getValues()[0];
    if (generic.getNumDpsInputs() == 1 && isBlockArg(yielded, block, 0) &&
        block.getOperations().size() == 1) {
      // A permuting and reversing copy: result[d] = input[map(d)], each
      // result of the map `d_j` or `(n_j - 1) - d_j` (convgrad's own reverse).
      AffineMap map = generic.getIndexingMapsArray()[0];
      auto inShape =
          cast<RankedTensorType>(generic.getDpsInputs()[0].getType()).getShape();
      if (map.getNumResults() != shape.size() ||
          map.getNumDims() != shape.size())
        break;
      SmallVector<int64_t> toInput(shape.size(), -1);
      SmallVector<bool> flip(shape.size(), false);
      bool ok = true;
      for (auto [r, expr] : llvm::enumerate(map.getResults())) {
        AffineExpr dim = expr;
        bool reversed = false;
        if (auto sum = dyn_cast<AffineBinaryOpExpr>(expr);
            sum && sum.getKind() == AffineExprKind::Add) {
          auto c = dyn_cast<AffineConstantExpr>(sum.getRHS());
          auto neg = dyn_cast<AffineBinaryOpExpr>(sum.getLHS());
          auto minusOne = neg ? dyn_cast<AffineConstantExpr>(neg.getRHS())
                              : AffineConstantExpr();
          if (!c || !neg || neg.getKind() != AffineExprKind::Mul ||
              !minusOne || minusOne.getValue() != -1 ||
              c.getValue() != inShape[r] - 1) {
            ok = false;
            break;
          }
          dim = neg.getLHS();
          reversed = true;
        }
        auto d = dyn_cast<AffineDimExpr>(dim);
        if (!d || toInput[d.getPosition()] != -1) {
          ok = false;
          break;
        }
        toInput[d.getPosition()] = r;
        flip[d.getPosition()] = reversed;
      }
      if (!ok)
        break;
      compose(generic.getDpsInputs()[0], toInput, flip);
      continue;
    }
    // A gather of another tensor at `index` or `n - 1 - index` per dim.
    auto extract = yielded.getDefiningOp<tensor::ExtractOp>();
    if (generic.getNumDpsInputs() != 0 || !extract ||
        extract->getBlock() != &block)
      break;
    auto sourceShape = extract.getTensor().getType().getShape();
    if (sourceShape.size() != shape.size() || sourceShape != shape)
      break;
    SmallVector<int64_t> map(shape.size());
    SmallVector<bool> flip(shape.size(), false);
    llvm::SmallDenseSet<int64_t> used;
    bool ok = true;
    for (auto [k, index] : llvm::enumerate(extract.getIndices())) {
      auto m = matchIndexOrReversed(index, shape);
      // Only a reversal in place (dim k of the result reads dim k).
      if (!m || m->first != (int64_t)k || !used.insert(m->first).second) {
        ok = false;
        break;
      }
      map[k] = k;
      flip[k] = m->second;
    }
    if (!ok)
      break;
    compose(extract.getTensor(), map, flip);
  }
  return t;
}

/// The grouped data-gradient filter w [G*Fg, Cg, K...] (in `pos`'s layout)
/// when `t` (the stride-1 convolution's filter [G*Cg, Fg, K...], traced) is
/// w with the kernel reversed and the channel roles swapped inside each
/// group the way convgrad's own decomposition does it: expand_shape
/// [G*Fg] -> [G, Fg], a transpose swapping Fg and Cg, collapse_shape
/// [G, Cg] -> [G*Cg]. Null otherwise.
Value matchGroupedChannelSwap(const PermutedReversed &t, ConvDimPositions pos,
                              int64_t groups, RankedTensorType filterType) {
  for (unsigned d = 0; d < pos.rank(); ++d) {
    bool spatial = d != pos.outer() && d != pos.channel();
    if (t.sourceDim[d] != (int64_t)d ||
        t.reversed[d] != (spatial && filterType.getDimSize(d) != 1))
      return Value();
  }
  auto collapse = t.source.getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse)
    return Value();
  // [G, Cg, rest...] -> [G*Cg, rest...].
  SmallVector<ReassociationIndices> merged = collapse.getReassociationIndices();
  if (merged.size() != pos.rank() || merged[0] != ReassociationIndices{0, 1} ||
      !llvm::all_of(llvm::drop_begin(merged),
                    [](const ReassociationIndices &g) { return g.size() == 1; }))
    return Value();
  auto transpose = collapse.getSrc().getDefiningOp<linalg::TransposeOp>();
  if (!transpose)
    return Value();
  // In the expanded rank, Cg sits at 1 and Fg at pos.channel() + 1 after the
  // transpose; before it, Fg at 1 and Cg at pos.channel() + 1.
  unsigned cg = pos.channel() + 1;
  SmallVector<int64_t> swap =
      llvm::to_vector(llvm::seq<int64_t>(0, pos.rank() + 1));
  std::swap(swap[1], swap[cg]);
  if (transpose.getPermutation() != ArrayRef<int64_t>(swap))
    return Value();
  auto expand = transpose.getInput().getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand || expand.getSrcType().getRank() != pos.rank() ||
      expand.getResultType().getDimSize(0) != groups)
    return Value();
  SmallVector<ReassociationIndices> split = expand.getReassociationIndices();
  if (split[0] != ReassociationIndices{0, 1} ||
      !llvm::all_of(llvm::drop_begin(split),
                    [](const ReassociationIndices &g) { return g.size() == 1; }))
    return Value();
  return expand.getSrc();
}

/// Strided zero insertion of the output gradient: `dy` placed at
/// `offset + o * stride` (per spatial dim) in a zero tensor, nothing else.
struct ZeroInsertion {
  Value gradOutput;
  SmallVector<int64_t> offsets, strides;
};

std::optional<ZeroInsertion> matchZeroInsertion(Value value,
                                                ArrayRef<unsigned> spatial) {
  unsigned rank = cast<RankedTensorType>(value.getType()).getRank();
  if (auto insert = value.getDefiningOp<InsertZerosOp>()) {
    ZeroInsertion z{insert.getSource(), {}, {}};
    for (unsigned i = 0; i < rank; ++i) {
      bool isSpatial = llvm::is_contained(spatial, i);
      if (!isSpatial && insert.getStrides()[i] != 1)
        return std::nullopt;
      if (isSpatial) {
        z.offsets.push_back(0);
        z.strides.push_back(insert.getStrides()[i]);
      }
    }
    return z;
  }
  auto insert = value.getDefiningOp<tensor::InsertSliceOp>();
  if (!insert || !isZeroTensor(insert.getDest()))
    return std::nullopt;
  auto offsets = getStaticValues(insert.getMixedOffsets());
  auto strides = getStaticValues(insert.getMixedStrides());
  auto sizes = getStaticValues(insert.getMixedSizes());
  auto sourceType = insert.getSourceType();
  if (!offsets || !strides || !sizes || !sourceType.hasStaticShape() ||
      sourceType.getRank() != rank)
    return std::nullopt;
  ZeroInsertion z{insert.getSource(), {}, {}};
  for (unsigned i = 0; i < rank; ++i) {
    if ((*sizes)[i] != sourceType.getDimSize(i))
      return std::nullopt;
    if (!llvm::is_contained(spatial, i)) {
      if ((*offsets)[i] != 0 || (*strides)[i] != 1 ||
          (*sizes)[i] != insert.getDestType().getDimSize(i))
        return std::nullopt;
      continue;
    }
    if ((*strides)[i] < 1)
      return std::nullopt;
    z.offsets.push_back((*offsets)[i]);
    z.strides.push_back((*strides)[i]);
  }
  return z;
}

/// The least high padding with which a forward convolution of an input of
/// size `h` (low padding `lo`, kernel `k`, stride `s`, dilation `d`) has `o`
/// outputs, or nullopt when no padding gives `o`. A gradient does not depend
/// on the high padding beyond that count, so the least one states it.
std::optional<int64_t> leastHighPadding(int64_t h, int64_t lo, int64_t k,
                                        int64_t s, int64_t d, int64_t o) {
  ConvDimGeometry g{h, k, s, d, lo, 0};
  if (lo < 0 || o < 1)
    return std::nullopt;
  g.padHigh = std::max<int64_t>(0, (o - 1) * s + g.effectiveKernel() - h - lo);
  if (!g.fits() || g.outputSize() != o)
    return std::nullopt;
  return g.padHigh;
}

/// convgrad.conv_backward_data from a stride-1 convgrad.conv of a
/// zero-inserted output gradient by a reversed, channel-swapped filter.
///
/// With the forward stride s and dilation d, the convolution reads dy[o] at
/// padded position q = lo + off + o * s, and computes for every i
/// sum_k w'[k] P[i + k * d] = sum_{o, k: o*s + (K-1-k)*d - pl = i} dy[o] w[K-1-k]
/// with pl = Ke - 1 - lo - off: the data gradient with forward low padding
/// pl. The high padding is any that gives O outputs for the result's size.
struct RaiseDataGradient : public OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    ConvParams p = conv.getConvParams();
    unsigned r = p.spatialRank;
    if (conv.getBias() || llvm::any_of(p.strides, [](int64_t s) {
          return s != 1;
        }))
      return failure();
    ConvDimPositions pos = p.positions();
    SmallVector<unsigned> spatial;
    for (unsigned i = 0; i < r; ++i)
      spatial.push_back(pos.spatial(i));
    std::optional<ZeroInsertion> z =
        matchZeroInsertion(conv.getInput(), spatial);
    if (!z)
      return rewriter.notifyMatchFailure(conv, "input is not zero-inserted");
    auto dyType = dyn_cast<RankedTensorType>(z->gradOutput.getType());
    auto filterType = cast<RankedTensorType>(conv.getFilter().getType());
    auto dxType = cast<RankedTensorType>(conv.getType());
    if (!dyType || !dyType.hasStaticShape() || !filterType.hasStaticShape() ||
        !dxType.hasStaticShape())
      return failure();

    // The filter: w'[g*Cg + c, f, k] = w[g*Fg + f, c, K-1-k]. Ungrouped, or
    // depthwise with one channel per group and no multiplier.
    int64_t groups = p.groups;
    int64_t convOut = filterType.getDimSize(pos.outer());
    int64_t convIn = filterType.getDimSize(pos.channel());
    PermutedReversed t = traceTransposesAndReverses(conv.getFilter());
    Value groupedFilter;
    if (groups != 1 && !(groups == convOut && convIn == 1)) {
      groupedFilter = matchGroupedChannelSwap(t, pos, groups, filterType);
      if (!groupedFilter)
        return rewriter.notifyMatchFailure(conv, "grouped filter");
    }
    auto wType = cast<RankedTensorType>(t.source.getType());
    // For each dim of the dgrad filter [F, Cg, K...] (in the conv's layout),
    // the dim of w' it is and whether it must be reversed there.
    SmallVector<int64_t> targetFromConvDim(pos.rank());
    SmallVector<bool> mustReverse(pos.rank(), false);
    // w' outer (C) is w's Cg (ungrouped) or F (depthwise); w' channel (Fg)
    // is w's F (ungrouped) or the unit Cg (depthwise).
    targetFromConvDim[pos.outer()] = groups == 1 ? pos.channel() : pos.outer();
    targetFromConvDim[pos.channel()] =
        groups == 1 ? pos.outer() : pos.channel();
    for (unsigned i = 0; i < r; ++i) {
      targetFromConvDim[pos.spatial(i)] = pos.spatial(i);
      mustReverse[pos.spatial(i)] = filterType.getDimSize(pos.spatial(i)) != 1;
    }
    // The dim of w each non-unit dim of the dgrad filter [F, Cg, K...] comes
    // from (ungrouped and depthwise filters)
    // from; w's other dims must all be units (they may be fewer or more than
    // the filter's, reshaped below).
    SmallVector<int64_t> sourceOfTarget(pos.rank(), -1);
    for (unsigned d = 0; d < pos.rank() && !groupedFilter; ++d) {
      if (filterType.getDimSize(d) == 1)
        continue;
      if (t.reversed[d] != mustReverse[d])
        return rewriter.notifyMatchFailure(conv, "filter is not reversed");
      sourceOfTarget[targetFromConvDim[d]] = t.sourceDim[d];
    }
    SmallVector<int64_t> perm;
    for (int64_t s : sourceOfTarget)
      if (s >= 0)
        perm.push_back(s);
    for (int64_t s = 0; s < wType.getRank() && !groupedFilter; ++s)
      if (!llvm::is_contained(perm, s)) {
        if (wType.getDimSize(s) != 1)
          return failure();
        perm.push_back(s);
      }
    SmallVector<int64_t> filterShape(filterType.getShape());
    for (unsigned d = 0; d < pos.rank(); ++d)
      filterShape[targetFromConvDim[d]] = filterType.getDimSize(d);

    // Padding: pl from the position of dy[0]; ph the least that gives O.
    SmallVector<int64_t> padLow(r), padHigh(r);
    for (unsigned i = 0; i < r; ++i) {
      int64_t kernel = filterType.getDimSize(pos.spatial(i));
      int64_t ke = (kernel - 1) * p.dilations[i] + 1;
      padLow[i] = ke - 1 - (p.padLow[i] + z->offsets[i]);
      std::optional<int64_t> high = leastHighPadding(
          dxType.getDimSize(pos.spatial(i)), padLow[i], kernel, z->strides[i],
          p.dilations[i], dyType.getDimSize(pos.spatial(i)));
      if (!high)
        return rewriter.notifyMatchFailure(conv, "no forward padding fits");
      padHigh[i] = *high;
    }
    SmallVector<int64_t> padding(padLow);
    llvm::append_range(padding, padHigh);
    rewriter.setInsertionPoint(conv);
    Value filter = groupedFilter
                       ? groupedFilter
                       : reshapeUnitDims(rewriter, conv.getLoc(),
                                         transposeTensor(rewriter, conv.getLoc(),
                                                         t.source, perm),
                                         filterShape);
    rewriter.replaceOpWithNewOp<ConvBackwardDataOp>(
        conv, dxType, z->gradOutput, filter,
        rewriter.getDenseI64ArrayAttr(z->strides),
        rewriter.getDenseI64ArrayAttr(padding),
        rewriter.getDenseI64ArrayAttr(p.dilations),
        rewriter.getI64IntegerAttr(groups), conv.getLayoutAttr());
    return success();
  }
};

/// Whether some tap of a data gradient reaches position `h` of dx (padded
/// index `h + lo`): `h + lo = o * s + k * d` for o < O, k < K.
bool isReachedByTap(int64_t h, int64_t lo, int64_t outputSize,
                    int64_t kernelSize, int64_t stride, int64_t dilation) {
  for (int64_t k = 0; k < kernelSize; ++k) {
    int64_t rest = h + lo - k * dilation;
    if (rest >= 0 && rest % stride == 0 && rest / stride < outputSize)
      return true;
  }
  return false;
}

/// The data gradient `dgrad` with its result moved to a window that starts
/// at `start[i]` (may be negative) and has `size[i]` positions along each
/// spatial dim, when that is again a data gradient: the low padding becomes
/// lo + start (>= 0), and every position of the new window outside the old
/// one must be one that no tap reaches (the zeros a pad adds), so the values
/// are exactly those of the crop or pad. Null otherwise.
Value moveDataGradientWindow(PatternRewriter &rewriter, ConvBackwardDataOp dgrad,
                             ArrayRef<int64_t> start, ArrayRef<int64_t> size,
                             RankedTensorType resultType) {
  ConvParams p = dgrad.getConvParams();
  ConvDimPositions pos = p.positions();
  auto dxType = cast<RankedTensorType>(dgrad.getType());
  auto dyType = cast<RankedTensorType>(dgrad.getGradOutput().getType());
  auto filterType = cast<RankedTensorType>(dgrad.getFilter().getType());
  SmallVector<int64_t> padLow(p.spatialRank), padHigh(p.spatialRank);
  for (unsigned i = 0; i < p.spatialRank; ++i) {
    unsigned d = pos.spatial(i);
    int64_t h = dxType.getDimSize(d), o = dyType.getDimSize(d);
    int64_t k = filterType.getDimSize(d);
    if (ShapedType::isDynamic(h) || ShapedType::isDynamic(o))
      return Value();
    padLow[i] = p.padLow[i] + start[i];
    for (int64_t x = start[i]; x < start[i] + size[i]; ++x)
      if ((x < 0 || x >= h) &&
          isReachedByTap(x, p.padLow[i], o, k, p.strides[i], p.dilations[i]))
        return Value();
    std::optional<int64_t> high = leastHighPadding(
        size[i], padLow[i], k, p.strides[i], p.dilations[i], o);
    if (!high)
      return Value();
    padHigh[i] = *high;
  }
  SmallVector<int64_t> padding(padLow);
  llvm::append_range(padding, padHigh);
  return ConvBackwardDataOp::create(
      rewriter, dgrad.getLoc(), resultType, dgrad.getGradOutput(),
      dgrad.getFilter(), rewriter.getDenseI64ArrayAttr(p.strides),
      rewriter.getDenseI64ArrayAttr(padding),
      rewriter.getDenseI64ArrayAttr(p.dilations),
      rewriter.getI64IntegerAttr(p.groups), dgrad.getLayoutAttr());
}

/// A crop of the spatial dims of a data gradient's result (unit strides,
/// static offsets and sizes) is the data gradient of the cropped window: a
/// producer computes dgrad on a larger window (e.g. on the padded input, or
/// with less padding) and slices it.
struct FoldCropIntoDataGradient
    : public OpRewritePattern<tensor::ExtractSliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::ExtractSliceOp slice,
                                PatternRewriter &rewriter) const override {
    auto dgrad = slice.getSource().getDefiningOp<ConvBackwardDataOp>();
    auto resultType = slice.getResultType();
    if (!dgrad || !dgrad->hasOneUse() ||
        resultType.getRank() != slice.getSourceType().getRank())
      return failure();
    auto offsets = getStaticValues(slice.getMixedOffsets());
    auto sizes = getStaticValues(slice.getMixedSizes());
    auto strides = getStaticValues(slice.getMixedStrides());
    if (!offsets || !sizes || !strides ||
        llvm::any_of(*strides, [](int64_t s) { return s != 1; }))
      return failure();
    ConvDimPositions pos = dgrad.getConvParams().positions();
    for (unsigned d : {pos.outer(), pos.channel()})
      if ((*offsets)[d] != 0 ||
          (*sizes)[d] != slice.getSourceType().getDimSize(d))
        return failure();
    SmallVector<int64_t> start, size;
    for (unsigned i = 0; i < pos.spatialRank; ++i) {
      start.push_back((*offsets)[pos.spatial(i)]);
      size.push_back((*sizes)[pos.spatial(i)]);
    }
    rewriter.setInsertionPoint(slice);
    Value moved = moveDataGradientWindow(rewriter, dgrad, start, size,
                                         resultType);
    if (!moved)
      return rewriter.notifyMatchFailure(slice, "not a data gradient");
    rewriter.replaceOp(slice, moved);
    return success();
  }
};

/// A +0.0 pad of the spatial dims of a data gradient's result is the data
/// gradient of the larger window when the added positions are ones no tap
/// reaches (and the low padding stays >= 0): a producer computes dgrad on a
/// smaller window and pads it back (e.g. the rows output_padding adds).
struct FoldPadIntoDataGradient : public OpRewritePattern<tensor::PadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::PadOp pad,
                                PatternRewriter &rewriter) const override {
    auto dgrad = pad.getSource().getDefiningOp<ConvBackwardDataOp>();
    if (!dgrad || !dgrad->hasOneUse() || pad.getNofold() ||
        !pad.getConstantPaddingValue() ||
        !isPositiveZero(pad.getConstantPaddingValue()))
      return failure();
    auto low = getStaticValues(pad.getMixedLowPad());
    auto high = getStaticValues(pad.getMixedHighPad());
    auto resultType = cast<RankedTensorType>(pad.getResultType());
    if (!low || !high || !resultType.hasStaticShape())
      return failure();
    ConvDimPositions pos = dgrad.getConvParams().positions();
    for (unsigned d : {pos.outer(), pos.channel()})
      if ((*low)[d] != 0 || (*high)[d] != 0)
        return failure();
    SmallVector<int64_t> start, size;
    for (unsigned i = 0; i < pos.spatialRank; ++i) {
      start.push_back(-(*low)[pos.spatial(i)]);
      size.push_back(resultType.getDimSize(pos.spatial(i)));
    }
    rewriter.setInsertionPoint(pad);
    Value moved =
        moveDataGradientWindow(rewriter, dgrad, start, size, resultType);
    if (!moved)
      return rewriter.notifyMatchFailure(pad, "padded positions are reached");
    rewriter.replaceOp(pad, moved);
    return success();
  }
};

/// convgrad.conv_transpose from a stride-1 convolution by a filter reversed
/// along every spatial dim, channels in place (upstream's
/// tosa-optional-decompositions of a stride-1 tosa.transpose_conv2d, the
/// reverses as tosa-to-linalg writes them):
///   y[o] = b + sum x[o + k*d - P] * w[K-1-k] = b + sum_{i + k'*d - lo = o}
///          x[i] * w[k'] with lo = (K-1)*d - P (the same for the high side),
/// and the filter's outer and channel roles swapped into conv_transpose's
/// [C_in, C_out, K...]. Ungrouped; both paddings must stay >= 0.
struct RaiseStride1TransposedConvolution : public OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    ConvParams p = conv.getConvParams();
    ConvDimPositions pos = p.positions();
    auto filterType = cast<RankedTensorType>(conv.getFilter().getType());
    if (p.groups != 1 || !filterType.hasStaticShape() ||
        llvm::any_of(p.strides, [](int64_t s) { return s != 1; }))
      return failure();
    PermutedReversed t = traceTransposesAndReverses(conv.getFilter());
    if (t.source == conv.getFilter() ||
        cast<RankedTensorType>(t.source.getType()).getShape() !=
            filterType.getShape())
      return failure();
    bool anyReversed = false;
    for (unsigned d = 0; d < pos.rank(); ++d) {
      if (filterType.getDimSize(d) == 1)
        continue;
      bool spatial = d != pos.outer() && d != pos.channel();
      if (t.sourceDim[d] != (int64_t)d || t.reversed[d] != spatial)
        return rewriter.notifyMatchFailure(conv, "not a reversed filter");
      anyReversed |= spatial;
    }
    if (!anyReversed)
      return failure();
    SmallVector<int64_t> padding(2 * p.spatialRank);
    for (unsigned i = 0; i < p.spatialRank; ++i) {
      int64_t extent =
          (filterType.getDimSize(pos.spatial(i)) - 1) * p.dilations[i];
      padding[i] = extent - p.padLow[i];
      padding[p.spatialRank + i] = extent - p.padHigh[i];
      if (padding[i] < 0 || padding[p.spatialRank + i] < 0)
        return rewriter.notifyMatchFailure(conv, "would need negative padding");
    }
    SmallVector<int64_t> swap =
        llvm::to_vector(llvm::seq<int64_t>(0, pos.rank()));
    std::swap(swap[pos.outer()], swap[pos.channel()]);
    rewriter.setInsertionPoint(conv);
    Value filter = transposeTensor(rewriter, conv.getLoc(), t.source, swap);
    SmallVector<Value> operands = {conv.getInput(), filter};
    if (conv.getBias())
      operands.push_back(conv.getBias());
    auto transposed = ConvTransposeOp::create(
        rewriter, conv.getLoc(), TypeRange{conv.getType()}, operands);
    transposed.setStridesAttr(conv.getStridesAttr());
    transposed.setDilationsAttr(conv.getDilationsAttr());
    transposed.setLayoutAttr(conv.getLayoutAttr());
    transposed.setPaddingAttr(rewriter.getDenseI64ArrayAttr(padding));
    rewriter.replaceOp(conv, transposed.getOutput());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Filter gradients
//===----------------------------------------------------------------------===//

/// Whether `t` reads a tensor of layout `pos` with the roles of its outer
/// and channel dims swapped and its spatial dims in place (none reversed):
/// `t[a, b, s...] = source[b', a', s...]` up to the layout. Unit dims are
/// not constrained.
bool isOuterChannelSwap(const PermutedReversed &t, ArrayRef<int64_t> shape,
                        ConvDimPositions pos) {
  if ((unsigned)cast<RankedTensorType>(t.source.getType()).getRank() !=
      pos.rank())
    return false;
  for (unsigned d = 0; d < pos.rank(); ++d) {
    if (shape[d] == 1)
      continue;
    unsigned expected = d == pos.outer()     ? pos.channel()
                        : d == pos.channel() ? pos.outer()
                                             : d;
    if (t.sourceDim[d] != expected || t.reversed[d])
      return false;
  }
  return true;
}

/// A tensor as a rearrangement of another one: `value[map(i)] = source[i]`
/// for every index i of `source`, `map` simplified (floordiv and mod by the
/// static sizes where a reshape splits a dim; the index of a unit dim of
/// `source` replaced by 0, as the simplifier does not know its bounds).
struct IndexTrace {
  Value source;
  AffineMap map;
};

/// `map` over the indices of a tensor of `shape`, simplified with the index
/// of every unit dim replaced by 0.
AffineMap withUnitDimsZero(AffineMap map, ArrayRef<int64_t> shape) {
  MLIRContext *ctx = map.getContext();
  SmallVector<AffineExpr> dims;
  for (auto [i, size] : llvm::enumerate(shape))
    dims.push_back(size == 1 ? getAffineConstantExpr(0, ctx)
                             : getAffineDimExpr(i, ctx));
  return simplifyAffineMap(map.replaceDimsAndSymbols(dims, {}, shape.size(), 0));
}

/// Whether `t` is a plain copy: `value[i] = source[i]`, same type.
bool isIdentityTrace(const IndexTrace &t, Value value) {
  auto type = cast<RankedTensorType>(t.source.getType());
  return type == value.getType() &&
         t.map == withUnitDimsZero(AffineMap::getMultiDimIdentityMap(
                                       type.getRank(), type.getContext()),
                                   type.getShape());
}

/// Follows `value` back through linalg.transpose and static
/// tensor.expand_shape / tensor.collapse_shape (which is how producers move
/// the group out of a channel dim and into another one) and returns the map
/// from the indices of the tensor they rearrange to those of `value`.
/// Follows at most `maxSteps` ops.
IndexTrace traceIndexRearrangement(Value value, unsigned maxSteps = 16) {
  MLIRContext *ctx = value.getContext();
  auto rank = cast<RankedTensorType>(value.getType()).getRank();
  IndexTrace t{value, AffineMap::getMultiDimIdentityMap(rank, ctx)};
  for (unsigned steps = 0; steps < maxSteps; ++steps) {
    Operation *def = t.source.getDefiningOp();
    // `step` maps the indices of the op's source to those of its result.
    AffineMap step;
    Value next;
    if (auto transpose = dyn_cast_or_null<linalg::TransposeOp>(def)) {
      next = transpose.getInput();
      step = AffineMap::getPermutationMap(transpose.getPermutation(), ctx);
    } else if (auto expand = dyn_cast_or_null<tensor::ExpandShapeOp>(def)) {
      auto shape = expand.getResultType().getShape();
      // (a zero-size dim has no index to trace; found by convgrad-fuzz)
      if (!expand.getResultType().hasStaticShape() ||
          llvm::is_contained(shape, 0))
        break;
      next = expand.getSrc();
      SmallVector<AffineExpr> results(shape.size());
      // Bounds the simplifier does not know are written out: a unit dim is
      // 0, and the mod is only taken when a dim of the group before this
      // one is not a unit dim.
      for (auto [g, group] :
           llvm::enumerate(expand.getReassociationIndices())) {
        int64_t inner = 1, outer = 1;
        for (int64_t i : group)
          outer *= shape[i];
        for (int64_t i : llvm::reverse(group)) {
          outer /= shape[i];
          AffineExpr e = getAffineDimExpr(g, ctx).floorDiv(inner);
          results[i] = shape[i] == 1 ? getAffineConstantExpr(0, ctx)
                       : outer == 1  ? e
                                     : e % shape[i];
          inner *= shape[i];
        }
      }
      step = AffineMap::get(expand.getSrcType().getRank(), 0, results, ctx);
    } else if (auto collapse = dyn_cast_or_null<tensor::CollapseShapeOp>(def)) {
      auto shape = collapse.getSrcType().getShape();
      if (!collapse.getSrcType().hasStaticShape() ||
          llvm::is_contained(shape, 0))
        break;
      next = collapse.getSrc();
      SmallVector<AffineExpr> results;
      for (const ReassociationIndices &group :
           collapse.getReassociationIndices()) {
        AffineExpr e = getAffineConstantExpr(0, ctx);
        for (int64_t i : group)
          e = e * shape[i] + getAffineDimExpr(i, ctx);
        results.push_back(e);
      }
      step = AffineMap::get(shape.size(), 0, results, ctx);
    } else {
      break;
    }
    t.source = next;
    t.map = simplifyAffineMap(t.map.compose(step));
  }
  auto sourceType = cast<RankedTensorType>(t.source.getType());
  if (sourceType.hasStaticShape())
    t.map = withUnitDimsZero(t.map, sourceType.getShape());
  return t;
}

/// The operands of a grouped filter gradient, when `conv` (G groups) is
///   r[c', (g, f)] = sum x'[c', (g, n), k * d + o * s] * dy'[(g, f), n, o]
/// with x' = x [N, G*Cg, S...] rearranged so that
/// x'[c mod Cg, (c floordiv Cg) * N + n] = x[n, c] (the per-group channel
/// outer, the group and batch merged into the contracted channel), and
/// dy' = dy [N, G*Fg, O...] with its outer and channel dims swapped. This is
/// convgrad's own lowering of a grouped wgrad and how batch-contracted
/// grouped convolutions are written. Returns {x, dy} or nullopt.
std::optional<std::pair<Value, Value>>
matchGroupedFilterGradientOperands(ConvOp conv, const ConvParams &p) {
  ConvDimPositions pos = p.positions();
  MLIRContext *ctx = conv.getContext();
  auto resultType = cast<RankedTensorType>(conv.getType());
  IndexTrace x = traceIndexRearrangement(conv.getInput());
  IndexTrace dy = traceIndexRearrangement(conv.getFilter());
  auto xType = cast<RankedTensorType>(x.source.getType());
  auto dyType = cast<RankedTensorType>(dy.source.getType());
  if (xType.getRank() != pos.rank() || dyType.getRank() != pos.rank() ||
      !xType.hasStaticShape() || !dyType.hasStaticShape())
    return std::nullopt;
  int64_t batch = xType.getDimSize(pos.outer());
  int64_t channelsPerGroup = resultType.getDimSize(pos.outer());
  if (dyType.getDimSize(pos.outer()) != batch ||
      xType.getDimSize(pos.channel()) != p.groups * channelsPerGroup ||
      cast<RankedTensorType>(conv.getInput().getType())
              .getDimSize(pos.channel()) != p.groups * batch)
    return std::nullopt;
  AffineExpr n = getAffineDimExpr(pos.outer(), ctx);
  AffineExpr c = getAffineDimExpr(pos.channel(), ctx);
  SmallVector<AffineExpr> xResults, dyResults;
  for (unsigned d = 0; d < pos.rank(); ++d) {
    AffineExpr same = getAffineDimExpr(d, ctx);
    if (d == pos.outer()) {
      xResults.push_back(c % channelsPerGroup);
      dyResults.push_back(c);
    } else if (d == pos.channel()) {
      xResults.push_back(c.floorDiv(channelsPerGroup) * batch + n);
      dyResults.push_back(n);
    } else {
      xResults.push_back(same);
      dyResults.push_back(same);
    }
  }
  auto expected = [&](ArrayRef<AffineExpr> results, RankedTensorType type) {
    return withUnitDimsZero(AffineMap::get(pos.rank(), 0, results, ctx),
                            type.getShape());
  };
  if (x.map != expected(xResults, xType) ||
      dy.map != expected(dyResults, dyType))
    return std::nullopt;
  return std::make_pair(x.source, dy.source);
}

/// convgrad.conv_backward_filter from the convolution of the input by the
/// output gradient in which the batch is the contracted channel (the form of
/// the math note, of StableHLO's wgrad and, after the forward raise, of
/// torch-mlir's direct linalg.generic wgrad):
///   r[c, f, k] = sum_{n, o} x[n, c, k * d + o * s - lo] * dy[n, f, o]
/// with the convolution's stride d (the forward dilation) and dilation s
/// (the forward stride); x and dy in the same layout. Grouped: see
/// matchGroupedFilterGradientOperands.
struct RaiseFilterGradient : public OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    ConvParams p = conv.getConvParams();
    ConvDimPositions pos = p.positions();
    unsigned r = p.spatialRank;
    if (conv.getBias())
      return failure();
    auto inType = cast<RankedTensorType>(conv.getInput().getType());
    auto filterType = cast<RankedTensorType>(conv.getFilter().getType());
    auto outType = cast<RankedTensorType>(conv.getType());
    if (!inType.hasStaticShape() || !filterType.hasStaticShape())
      return failure();
    PermutedReversed x = traceTransposesAndReverses(conv.getInput());
    PermutedReversed dy = traceTransposesAndReverses(conv.getFilter());
    if (p.groups != 1) {
      auto grouped = matchGroupedFilterGradientOperands(conv, p);
      if (!grouped)
        return rewriter.notifyMatchFailure(conv, "not a grouped wgrad");
      x.source = grouped->first;
      dy.source = grouped->second;
    } else if (!isOuterChannelSwap(x, inType.getShape(), pos) ||
               !isOuterChannelSwap(dy, filterType.getShape(), pos)) {
      return rewriter.notifyMatchFailure(conv, "batch is not contracted");
    }
    // A plain forward convolution whose batch and channels are both 1 also
    // looks like this; it is cheaper left as it is.
    if (x.source == conv.getInput() && dy.source == conv.getFilter())
      return failure();

    // Forward stride s = the conv's dilation, dilation d = its stride. A
    // zero pad of x (before the transposes) is forward padding too.
    SmallVector<int64_t> strides(p.dilations), dilations(p.strides);
    SmallVector<int64_t> padLow(p.padLow), padHigh(r), unusedHigh(p.padHigh);
    x.source = foldSpatialZeroPad(x.source, pos, padLow, unusedHigh);
    auto xType = cast<RankedTensorType>(x.source.getType());
    for (unsigned i = 0; i < r; ++i) {
      std::optional<int64_t> high = leastHighPadding(
          xType.getDimSize(pos.spatial(i)), padLow[i],
          outType.getDimSize(pos.spatial(i)), strides[i], dilations[i],
          filterType.getDimSize(pos.spatial(i)));
      if (!high)
        return rewriter.notifyMatchFailure(conv, "no forward padding fits");
      padHigh[i] = *high;
    }
    SmallVector<int64_t> padding(padLow);
    llvm::append_range(padding, padHigh);

    // dw is [F, C, K...] in the layout; the conv's result is [C, F, K...]:
    // swap outer and channel back (and fold into a single transposing user).
    SmallVector<int64_t> dwShape(outType.getShape());
    std::swap(dwShape[pos.outer()], dwShape[pos.channel()]);
    SmallVector<int64_t> toResult =
        llvm::to_vector(llvm::seq<int64_t>(0, pos.rank()));
    std::swap(toResult[pos.outer()], toResult[pos.channel()]);
    Operation *replaced = conv;
    if (conv->hasOneUse())
      if (auto user = dyn_cast<linalg::TransposeOp>(*conv->user_begin())) {
        SmallVector<int64_t> composed;
        for (int64_t d : user.getPermutation())
          composed.push_back(toResult[d]);
        toResult = composed;
        replaced = user;
      }
    rewriter.setInsertionPoint(replaced);
    Value dw = ConvBackwardFilterOp::create(
        rewriter, conv.getLoc(),
        RankedTensorType::get(dwShape, outType.getElementType()), x.source,
        dy.source, rewriter.getDenseI64ArrayAttr(strides),
        rewriter.getDenseI64ArrayAttr(padding),
        rewriter.getDenseI64ArrayAttr(dilations),
        rewriter.getI64IntegerAttr(p.groups), conv.getLayoutAttr());
    rewriter.replaceOp(replaced,
                       transposeTensor(rewriter, conv.getLoc(), dw, toResult));
    return success();
  }
};

/// Whether `value`, the result of a chain of transposes and reshapes, only
/// feeds convgrad ops or rearranges the result of one.
bool isNextToConvGradOp(Value value) {
  auto isConvGradOp = [](Operation *op) {
    return op && isa<ConvGradDialect>(op->getDialect());
  };
  if (isConvGradOp(traceIndexRearrangement(value).source.getDefiningOp()))
    return true;
  return !value.use_empty() && llvm::all_of(value.getUsers(), isConvGradOp);
}

/// A chain of transposes and reshapes that puts every element back where it
/// was, between a convgrad op and what the producer did with the linalg op it
/// replaces (e.g. the raise's expand_shape of a grouped result followed by
/// the producer's collapse_shape), or between the producer's rearrangement
/// of an operand and the raise's inverse one: folds to its source. Identity
/// chains that neither start at a convgrad op nor only feed convgrad ops
/// are the user's own and stay.
struct FoldIdentityRearrangement : public RewritePattern {
  FoldIdentityRearrangement(MLIRContext *ctx, PatternBenefit benefit)
      : RewritePattern(MatchAnyOpTypeTag(), benefit, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<linalg::TransposeOp, tensor::ExpandShapeOp,
             tensor::CollapseShapeOp>(op) ||
        op->getNumResults() != 1)
      return failure();
    Value result = op->getResult(0);
    if (!isNextToConvGradOp(result))
      return rewriter.notifyMatchFailure(op, "not next to a convgrad op");
    // The nearest tensor of the chain that `result` is a copy of.
    for (unsigned steps = 1; steps <= 16; ++steps) {
      IndexTrace t = traceIndexRearrangement(result, steps);
      if (t.source == result)
        break;
      if (isIdentityTrace(t, result)) {
        rewriter.replaceOp(op, t.source);
        return success();
      }
    }
    return failure();
  }
};

/// Upstream's composition of reshapes (a collapse_shape of an expand_shape
/// or of another collapse_shape becomes one reshape), restricted to the
/// reshapes around convgrad ops: the raise's own reshapes of operands and
/// results meet the producer's there, and the gradient matchers read the
/// composed form. The user's unrelated reshapes stay as they are.
template <typename ComposePattern>
struct ComposeReshapesNextToConvGradOp : public ComposePattern {
  using ComposePattern::ComposePattern;

  LogicalResult matchAndRewrite(tensor::CollapseShapeOp op,
                                PatternRewriter &rewriter) const override {
    if (!isNextToConvGradOp(op.getResult()))
      return rewriter.notifyMatchFailure(op, "not next to a convgrad op");
    return ComposePattern::matchAndRewrite(op, rewriter);
  }
};

//===----------------------------------------------------------------------===//
// Bias gradients
//===----------------------------------------------------------------------===//

/// convgrad.conv_backward_bias from a sum of a rank 3-5 tensor over all its
/// dims but the channel (dim 1, or the last one) into zeros. f16/bf16 sums
/// must accumulate in f32 and be truncated once, as convgrad's do.
struct RaiseBiasGradient
    : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 1 ||
        op.getNumDpsInits() != 1 || op->getNumResults() != 1 ||
        op.hasIndexSemantics())
      return failure();
    auto inType = dyn_cast<RankedTensorType>(op.getDpsInputs()[0].getType());
    auto outType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!inType || !outType || inType.getRank() < 3 || inType.getRank() > 5 ||
        outType.getRank() != 1 || !inType.hasStaticShape())
      return failure();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    if (!maps[0].isIdentity() || maps[1].getNumResults() != 1)
      return failure();
    auto channel = dyn_cast<AffineDimExpr>(maps[1].getResult(0));
    int64_t last = inType.getRank() - 1;
    if (!channel || (channel.getPosition() != 1 && channel.getPosition() != last))
      return failure();
    for (auto [i, it] : llvm::enumerate(op.getIteratorTypesArray()))
      if ((it == utils::IteratorType::parallel) != (i == channel.getPosition()))
        return failure();
    Block &block = *op.getBlock();
    auto yield = cast<linalg::YieldOp>(block.getTerminator());
    auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
    if (!add || block.getOperations().size() > 3 ||
        !((isOperandRead(add.getLhs(), block, 0) &&
           isBlockArg(add.getRhs(), block, 1)) ||
          (isOperandRead(add.getRhs(), block, 0) &&
           isBlockArg(add.getLhs(), block, 1))))
      return failure();
    if (!isZeroTensor(op.getDpsInits()[0]))
      return failure();
    Type elementType = inType.getElementType();
    if (!isSupportedElementType(elementType) ||
        getAccumulatorType(elementType) != outType.getElementType())
      return failure();
    Operation *replaced = op;
    if (outType.getElementType() != elementType) {
      if (!op->getResult(0).hasOneUse() ||
          !isElementwiseCast<arith::TruncFOp>(*op->user_begin(), elementType))
        return failure();
      replaced = *op->user_begin();
    }
    bool channelsLast = channel.getPosition() == last && last != 1;
    rewriter.setInsertionPoint(replaced);
    rewriter.replaceOpWithNewOp<ConvBackwardBiasOp>(
        replaced, RankedTensorType::get(outType.getShape(), elementType),
        op.getDpsInputs()[0],
        LayoutAttr::get(rewriter.getContext(), channelsLast
                                                   ? Layout::ChannelsLast
                                                   : Layout::ChannelsFirst));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct ConvGradRaiseLinalgPass
    : public convgrad::impl::ConvGradRaiseLinalgBase<ConvGradRaiseLinalgPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateRaiseLinalgToConvGradPatterns(patterns);
    // The driver's folding would rewrite every op of the module (e.g. fold
    // the user's own collapse_shape of an expand_shape): the patterns fold
    // what the raise creates or matches, nothing else.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    // Whatever the patterns leave, the IR is valid: a non-converged rewrite
    // is not an error.
    (void)applyPatternsGreedily(getOperation(), std::move(patterns), config);
  }
};

} // namespace

void mlir::convgrad::populateRaiseLinalgToConvGradPatterns(
    RewritePatternSet &patterns) {
  patterns.add<RaiseConvolution, RaiseBiasGradient>(patterns.getContext());
  // The gradient forms are recognized on convgrad.conv, before a bias add is
  // folded into it (a data gradient has no bias).
  patterns.add<RaiseDataGradient, RaiseFilterGradient,
               RaiseStride1TransposedConvolution>(patterns.getContext(),
                                                  /*benefit=*/2);
  patterns.add<FoldBiasAdd, FoldPadIntoConv, FoldIdentityRearrangement,
               FoldCropIntoDataGradient, FoldPadIntoDataGradient,
               ComposeReshapesNextToConvGradOp<ComposeCollapseOfExpandOp<
                   tensor::CollapseShapeOp, tensor::ExpandShapeOp,
                   tensor::CastOp, tensor::DimOp, RankedTensorType>>,
               ComposeReshapesNextToConvGradOp<ComposeReassociativeReshapeOps<
                   tensor::CollapseShapeOp, ReshapeOpKind::kCollapse>>>(
      patterns.getContext(), /*benefit=*/1);
}
