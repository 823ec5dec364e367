//===- ConvGradToLinalg.cpp - convgrad to upstream linalg -----------------===//
//
// Lowers convgrad.conv to upstream linalg named convolutions (explicit
// tensor.pad for the padding, reshapes that expose groups), and the two data
// movement ops of the decomposition to tensor/linalg ops. A linalg.generic is
// used only where upstream has no named op for the rank/layout/grouping.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Conversion/ConvGradToLinalg/ConvGradToLinalg.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADTOLINALG
#include "convgrad/Conversion/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

//===----------------------------------------------------------------------===//
// convgrad.conv
//===----------------------------------------------------------------------===//

/// The output of the convolution before the convolution runs: zeros, or the
/// bias broadcast along the channel dimension, in the accumulator type.
Value createAccumulatorInit(OpBuilder &b, Location loc, ConvOp op,
                            Type accType) {
  ConvParams p = op.getConvParams();
  ConvDimPositions pos = p.positions();
  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < outType.getRank(); ++i) {
    if (!outType.isDynamicDim(i))
      sizes.push_back(b.getIndexAttr(outType.getDimSize(i)));
    else if (i == pos.outer())
      sizes.push_back(getSizes(b, loc, op.getInput())[pos.outer()]);
    else
      sizes.push_back(getSizes(b, loc, op.getFilter())[pos.outer()]);
  }
  if (!op.getBias())
    return createFilledTensor(b, loc, sizes, accType, 0.0);

  Value empty = tensor::EmptyOp::create(b, loc, sizes, accType);
  unsigned rank = outType.getRank();
  AffineMap biasMap =
      AffineMap::get(rank, 0, b.getAffineDimExpr(pos.channel()));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{empty.getType()}, ValueRange{op.getBias()},
             ValueRange{empty},
             ArrayRef<AffineMap>{biasMap, b.getMultiDimIdentityMap(rank)},
             iterators, /*doc=*/"", /*libraryCall=*/"",
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc,
                                       castFloat(nb, nloc, args[0], accType));
             })
      .getResult(0);
}

/// A named linalg convolution with strides and dilations attributes.
template <typename NamedOp>
Value createNamedConv(OpBuilder &b, Location loc, Value input, Value filter,
                      Value init, const ConvParams &p) {
  return NamedOp::create(b, loc, TypeRange{init.getType()},
                         ValueRange{input, filter}, ValueRange{init},
                         b.getI64TensorAttr(p.strides),
                         b.getI64TensorAttr(p.dilations))
      .getResult(0);
}

/// Picks the upstream op for rank 1, 2 or 3.
template <typename Op1D, typename Op2D, typename Op3D>
Value createNamedConvOfRank(OpBuilder &b, Location loc, Value input,
                            Value filter, Value init, const ConvParams &p) {
  switch (p.spatialRank) {
  case 1:
    return createNamedConv<Op1D>(b, loc, input, filter, init, p);
  case 2:
    return createNamedConv<Op2D>(b, loc, input, filter, init, p);
  default:
    return createNamedConv<Op3D>(b, loc, input, filter, init, p);
  }
}

/// Grouped convolution with the group split out of the channels, as a
/// linalg.generic, for the ranks and layouts upstream has no named op for:
///   channels-first: input [N, G, Cg, S...], filter [G, Fg, Cg, K...],
///                   output [N, G, Fg, O...]
///   channels-last:  input [N, S..., G, Cg], filter [G, Fg, K..., Cg],
///                   output [N, O..., G, Fg]
/// Loops: (n, g, fg, o_1..o_R | cg, k_1..k_R).
Value createGenericGroupedConv(OpBuilder &b, Location loc, Value input,
                               Value filter, Value init, const ConvParams &p) {
  unsigned r = p.spatialRank;
  unsigned numLoops = 4 + 2 * r;
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  AffineExpr n = d(0), g = d(1), fg = d(2), cg = d(3 + r);
  SmallVector<AffineExpr> window, kernel, out;
  for (unsigned i = 0; i < r; ++i) {
    AffineExpr o = d(3 + i), k = d(4 + r + i);
    window.push_back(o * p.strides[i] + k * p.dilations[i]);
    kernel.push_back(k);
    out.push_back(o);
  }
  SmallVector<AffineExpr> inExprs, filterExprs, outExprs;
  if (p.isChannelsLast()) {
    inExprs = {n};
    inExprs.append(window);
    inExprs.append({g, cg});
    filterExprs = {g, fg};
    filterExprs.append(kernel);
    filterExprs.push_back(cg);
    outExprs = {n};
    outExprs.append(out);
    outExprs.append({g, fg});
  } else {
    inExprs = {n, g, cg};
    inExprs.append(window);
    filterExprs = {g, fg, cg};
    filterExprs.append(kernel);
    outExprs = {n, g, fg};
    outExprs.append(out);
  }
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, inExprs, ctx),
                                 AffineMap::get(numLoops, 0, filterExprs, ctx),
                                 AffineMap::get(numLoops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  for (unsigned i = 3 + r; i < numLoops; ++i)
    iterators[i] = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{input, filter},
             ValueRange{init}, maps, iterators, /*doc=*/"",
             /*libraryCall=*/"",
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nloc,
                   multiplyAccumulate(nb, nloc, args[2], args[0], args[1]));
             })
      .getResult(0);
}

/// G == 1: conv_{1,2,3}d in the op's layout. Upstream's 1-D and 3-D
/// channels-last ops want the filter as [K..., C, F].
Value lowerUngrouped(OpBuilder &b, Location loc, Value input, Value filter,
                     Value init, const ConvParams &p) {
  if (!p.isChannelsLast())
    return createNamedConvOfRank<linalg::Conv1DNcwFcwOp,
                                 linalg::Conv2DNchwFchwOp,
                                 linalg::Conv3DNcdhwFcdhwOp>(b, loc, input,
                                                             filter, init, p);
  if (p.spatialRank == 2)
    return createNamedConv<linalg::Conv2DNhwcFhwcOp>(b, loc, input, filter,
                                                     init, p);
  // [F, K..., C] -> [K..., C, F].
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(1, p.spatialRank + 2));
  perm.push_back(0);
  Value kcf = transposeTensor(b, loc, filter, perm);
  if (p.spatialRank == 1)
    return createNamedConv<linalg::Conv1DNwcWcfOp>(b, loc, input, kcf, init, p);
  return createNamedConv<linalg::Conv3DNdhwcDhwcfOp>(b, loc, input, kcf, init,
                                                     p);
}

/// One input channel per group (G == C), channel multiplier M = F / C:
/// upstream's depthwise convolutions. Returns null when there is no named op
/// (channels-first with M > 1).
Value lowerDepthwise(OpBuilder &b, Location loc, Value input, Value filter,
                     Value init, const ConvParams &p, int64_t multiplier) {
  ConvDimPositions pos = p.positions();
  unsigned r = p.spatialRank;
  // Drop the unit C/G dimension of the filter: [F, K...].
  Value fk = p.isChannelsLast() ? mergeDims(b, loc, filter, r)
                                : mergeDims(b, loc, filter, 0);
  if (!p.isChannelsLast()) {
    if (multiplier != 1)
      return nullptr;
    return createNamedConvOfRank<linalg::DepthwiseConv1DNcwCwOp,
                                 linalg::DepthwiseConv2DNchwChwOp,
                                 linalg::DepthwiseConv3DNcdhwCdhwOp>(
        b, loc, input, fk, init, p);
  }
  if (multiplier == 1) {
    // [C, K...] -> [K..., C].
    SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(1, r + 1));
    perm.push_back(0);
    Value kc = transposeTensor(b, loc, fk, perm);
    return createNamedConvOfRank<linalg::DepthwiseConv1DNwcWcOp,
                                 linalg::DepthwiseConv2DNhwcHwcOp,
                                 linalg::DepthwiseConv3DNdhwcDhwcOp>(
        b, loc, input, kc, init, p);
  }
  // [C*M, K...] -> [C, M, K...] -> [K..., C, M]; output [N, O..., C, M].
  Value cmk = splitDim(b, loc, fk, 0, p.groups);
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(2, r + 2));
  perm.append({0, 1});
  Value kcm = transposeTensor(b, loc, cmk, perm);
  Value initCM = splitDim(b, loc, init, pos.channel(), p.groups);
  Value conv = createNamedConvOfRank<linalg::DepthwiseConv1DNwcWcmOp,
                                     linalg::DepthwiseConv2DNhwcHwcmOp,
                                     linalg::DepthwiseConv3DNdhwcDhwcmOp>(
      b, loc, input, kcm, initCM, p);
  return mergeDims(b, loc, conv, pos.channel());
}

/// Channels-last, one output channel per group (F == G) and M = C / G > 1
/// input channels each: the data gradient of a depthwise convolution with a
/// channel multiplier. It is the sum over m of the depthwise convolutions of
/// the input channels {g * M + m} with the filter taps of m: an scf.for over
/// m accumulating upstream depthwise convolutions on [..., M, G] transposes
/// of input and filter, whose channels are contiguous (split into G ungrouped
/// convolutions of one output channel each, it would not vectorize).
Value lowerDepthwiseSum(OpBuilder &b, Location loc, Value input, Value filter,
                        Value init, const ConvParams &p, int64_t multiplier) {
  unsigned r = p.spatialRank;
  // [N, S..., G * M] -> [N, S..., G, M] -> [N, S..., M, G].
  Value inputGM = splitDim(b, loc, input, r + 1, p.groups);
  SmallVector<int64_t> inputPerm = llvm::to_vector(llvm::seq<int64_t>(0, r + 1));
  inputPerm.append({r + 2, r + 1});
  Value inputMG = transposeTensor(b, loc, inputGM, inputPerm);
  // [G, K..., M] -> [K..., M, G].
  SmallVector<int64_t> filterPerm =
      llvm::to_vector(llvm::seq<int64_t>(1, r + 2));
  filterPerm.push_back(0);
  Value filterKMG = transposeTensor(b, loc, filter, filterPerm);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value count = arith::ConstantIndexOp::create(b, loc, multiplier);
  auto loop = scf::ForOp::create(
      b, loc, zero, count, one, ValueRange{init},
      [&](OpBuilder &nb, Location l, Value m, ValueRange acc) {
        Value x = sliceWithoutDim(nb, l, inputMG, r + 1, m);
        Value w = sliceWithoutDim(nb, l, filterKMG, r, m);
        Value conv = createNamedConvOfRank<linalg::DepthwiseConv1DNwcWcOp,
                                           linalg::DepthwiseConv2DNhwcHwcOp,
                                           linalg::DepthwiseConv3DNdhwcDhwcOp>(
            nb, l, x, w, acc[0], p);
        scf::YieldOp::create(nb, l, conv);
      });
  return loop.getResult(0);
}

/// G > 1: split the group out of the channels of input, filter and output,
/// and use conv_2d_ngchw_gfchw / conv_2d_nhwgc_gfhwc, or a generic for 1-D
/// and 3-D.
Value lowerGrouped(OpBuilder &b, Location loc, Value input, Value filter,
                   Value init, const ConvParams &p) {
  ConvDimPositions pos = p.positions();
  Value groupedInput = splitDim(b, loc, input, pos.channel(), p.groups);
  Value groupedFilter = splitDim(b, loc, filter, pos.outer(), p.groups);
  Value groupedInit = splitDim(b, loc, init, pos.channel(), p.groups);
  Value conv;
  if (p.spatialRank == 2 && !p.isChannelsLast())
    conv = createNamedConv<linalg::Conv2DNgchwGfchwOp>(
        b, loc, groupedInput, groupedFilter, groupedInit, p);
  else if (p.spatialRank == 2)
    conv = createNamedConv<linalg::Conv2DNhwgcGfhwcOp>(
        b, loc, groupedInput, groupedFilter, groupedInit, p);
  else
    conv = createGenericGroupedConv(b, loc, groupedInput, groupedFilter,
                                    groupedInit, p);
  return mergeDims(b, loc, conv, pos.channel());
}

struct ConvOpToLinalg : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (std::optional<std::string> reason = unsupportedForLinalg(op))
      return rewriter.notifyMatchFailure(op, *reason);
    ConvParams p = op.getConvParams();
    ConvDimPositions pos = p.positions();
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    auto filterType = cast<RankedTensorType>(op.getFilter().getType());
    Type accType = getAccumulatorType(outType.getElementType());

    // Explicit zero padding; the linalg convolutions have none. The
    // remainder rows that no window reads ((H + lo + hi - Ke) mod s) are
    // left out: the padded input then holds exactly the rows the windows
    // read, which upstream's conv decompositions assume (a 2-D tile with
    // one output row and one kernel row is rewritten as 1-D by dropping the
    // input row dimension, invalid IR when that dimension is 2).
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    SmallVector<int64_t> low(pos.rank(), 0), high(pos.rank(), 0);
    for (unsigned i = 0; i < p.spatialRank; ++i) {
      unsigned d = pos.spatial(i);
      low[d] = p.padLow[i];
      high[d] = p.padHigh[i];
      if (!inputType.isDynamicDim(d) && !filterType.isDynamicDim(d)) {
        ConvDimGeometry g =
            p.dim(i, inputType.getDimSize(d), filterType.getDimSize(d));
        if (g.fits())
          high[d] = g.wgradPadHigh();
      }
    }
    Value input = padOrCrop(rewriter, loc, op.getInput(), low, high);
    Value filter = op.getFilter();
    Value init = createAccumulatorInit(rewriter, loc, op, accType);

    Value conv;
    int64_t channelsPerGroup = filterType.getDimSize(pos.channel());
    int64_t f = filterType.getDimSize(pos.outer());
    // A zero-size operand leaves every sum empty (or nothing to compute):
    // the result is its initial value, the bias or zero. The linalg forms
    // would slice groups and windows out of zero-size dimensions (found by
    // convgrad-fuzz-gen: a grouped transposed convolution of 0 channels).
    auto hasZeroDim = [](Value v) {
      return llvm::is_contained(cast<RankedTensorType>(v.getType()).getShape(),
                                0);
    };
    if (hasZeroDim(op.getInput()) || hasZeroDim(op.getFilter()) ||
        hasZeroDim(op.getOutput()))
      conv = init;
    else if (p.groups == 1)
      conv = lowerUngrouped(rewriter, loc, input, filter, init, p);
    else if (channelsPerGroup == 1)
      conv = lowerDepthwise(rewriter, loc, input, filter, init, p,
                            f / p.groups);
    else if (f == p.groups && p.isChannelsLast() &&
             !ShapedType::isDynamic(channelsPerGroup))
      conv = lowerDepthwiseSum(rewriter, loc, input, filter, init, p,
                               channelsPerGroup);
    if (!conv)
      conv = lowerGrouped(rewriter, loc, input, filter, init, p);

    rewriter.replaceOp(op, convertElementType(rewriter, loc, conv,
                                              outType.getElementType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// convgrad.insert_zeros and convgrad.reverse
//===----------------------------------------------------------------------===//

/// Zero insertion as a strided tensor.insert_slice into a zero tensor.
struct InsertZerosToTensor : OpRewritePattern<InsertZerosOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(InsertZerosOp op,
                                PatternRewriter &rewriter) const override {
    if (std::optional<std::string> reason = unsupportedForLinalg(op))
      return rewriter.notifyMatchFailure(op, *reason);
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<OpFoldResult> srcSizes = getSizes(rewriter, loc, op.getSource());
    SmallVector<OpFoldResult> sizes, offsets, strides;
    for (auto [i, stride] : llvm::enumerate(op.getStrides())) {
      sizes.push_back(resultType.isDynamicDim(i)
                          ? srcSizes[i]
                          : rewriter.getIndexAttr(resultType.getDimSize(i)));
      offsets.push_back(rewriter.getIndexAttr(0));
      strides.push_back(rewriter.getIndexAttr(stride));
    }
    Value zeros = createFilledTensor(rewriter, loc, sizes,
                                     resultType.getElementType(), 0.0);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, op.getSource(), zeros, offsets, srcSizes, strides);
    return success();
  }
};

/// Reverse as a linalg.generic that reads `source[..., n - 1 - i, ...]`.
struct ReverseToLinalg : OpRewritePattern<ReverseOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReverseOp op,
                                PatternRewriter &rewriter) const override {
    if (std::optional<std::string> reason = unsupportedForLinalg(op))
      return rewriter.notifyMatchFailure(op, *reason);
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    unsigned rank = type.getRank();
    SmallVector<AffineExpr> exprs;
    for (unsigned i = 0; i < rank; ++i)
      exprs.push_back(rewriter.getAffineDimExpr(i));
    for (int64_t d : op.getDimensions())
      exprs[d] = rewriter.getAffineConstantExpr(type.getDimSize(d) - 1) -
                 rewriter.getAffineDimExpr(d);
    AffineMap inMap = AffineMap::get(rank, 0, exprs, rewriter.getContext());
    Value init = tensor::EmptyOp::create(
        rewriter, loc, getSizes(rewriter, loc, op.getSource()),
        type.getElementType());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    rewriter.replaceOpWithNewOp<linalg::GenericOp>(
        op, TypeRange{type}, ValueRange{op.getSource()}, ValueRange{init},
        ArrayRef<AffineMap>{inMap, rewriter.getMultiDimIdentityMap(rank)},
        iterators, /*doc=*/"", /*libraryCall=*/"",
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    return success();
  }
};

/// The fill value of `v` if it is a linalg.fill result, else null.
Value getFillValue(Value v) {
  auto fill = v.getDefiningOp<linalg::FillOp>();
  return fill ? fill.getInputs()[0] : Value();
}

/// Whether `a` and `b` are the same fill value (the same SSA value or equal
/// constants).
bool sameFillValue(Value a, Value b) {
  if (!a || !b)
    return false;
  if (a == b)
    return true;
  Attribute ca, cb;
  return matchPattern(a, m_Constant(&ca)) && matchPattern(b, m_Constant(&cb)) &&
         ca == cb;
}

/// A linalg op that accumulates into a fill and whose result is inserted
/// into a tensor filled with the same value (the stride phase of a data
/// gradient that not every position of is reached: its convolution result
/// goes into the zero-filled dx) accumulates into that slice of the
/// destination instead: the positions it writes are then filled once, by
/// the destination's fill, not a second time in a temporary of its own
/// (which bufferization places in dx as well).
struct AccumulateInFilledDestination : OpRewritePattern<tensor::InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::InsertSliceOp insert,
                                PatternRewriter &rewriter) const override {
    auto producer = insert.getSource().getDefiningOp<linalg::LinalgOp>();
    if (!producer || !producer.hasPureTensorSemantics() ||
        producer->getNumResults() != 1 || producer.getNumDpsInits() != 1 ||
        !insert.getSource().hasOneUse())
      return rewriter.notifyMatchFailure(insert, "not a linalg op's only use");
    OpOperand *init = producer.getDpsInitOperand(0);
    Value value = getFillValue(init->get());
    if (!value || !sameFillValue(value, getFillValue(insert.getDest())))
      return rewriter.notifyMatchFailure(insert,
                                         "not a fill into the same fill");
    // The slice is taken before the producer: its destination and
    // (static) position must be defined there.
    Operation *destFill = insert.getDest().getDefiningOp();
    if (destFill->getBlock() != producer->getBlock() ||
        !destFill->isBeforeInBlock(producer) ||
        !insert.getOffsets().empty() || !insert.getSizes().empty() ||
        !insert.getStrides().empty())
      return rewriter.notifyMatchFailure(insert, "destination not before");
    // The slice must be the producer's type exactly (not rank-reducing).
    RankedTensorType sliceType = insert.getSourceType();
    if (sliceType != producer->getResult(0).getType())
      return rewriter.notifyMatchFailure(insert, "reshaping insert");
    rewriter.setInsertionPoint(producer);
    auto slice = tensor::ExtractSliceOp::create(
        rewriter, insert.getLoc(), sliceType, insert.getDest(),
        insert.getMixedOffsets(), insert.getMixedSizes(),
        insert.getMixedStrides());
    rewriter.modifyOpInPlace(producer, [&] { init->set(slice.getResult()); });
    return success();
  }
};

struct ConvGradToLinalgPass
    : public convgrad::impl::ConvGradToLinalgBase<ConvGradToLinalgPass> {
  void runOnOperation() override {
    Operation *root = getOperation();
    RewritePatternSet patterns(&getContext());
    populateDecomposeConvBackwardPatterns(patterns);
    populateConvGradToLinalgPatterns(patterns);
    if (failed(applyPatternsGreedily(root, std::move(patterns))))
      return signalPassFailure();

    // Whatever is left could not be lowered: say why, at the op.
    bool failedAny = false;
    root->walk([&](Operation *op) {
      if (!isa<ConvGradDialect>(op->getDialect()))
        return;
      std::optional<std::string> reason = unsupportedForLinalg(op);
      if (!reason)
        reason = unsupportedForDecomposition(op);
      op->emitOpError() << "could not be lowered to linalg: "
                        << reason.value_or("no lowering pattern applied");
      failedAny = true;
    });
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace

std::optional<std::string>
mlir::convgrad::unsupportedForLinalg(Operation *op) {
  if (auto reverse = dyn_cast<ReverseOp>(op)) {
    auto type = cast<RankedTensorType>(reverse.getType());
    for (int64_t d : reverse.getDimensions())
      if (type.isDynamicDim(d))
        return "cannot reverse dynamic dimension " + std::to_string(d);
  }
  if (auto insert = dyn_cast<InsertZerosOp>(op)) {
    auto type = cast<RankedTensorType>(insert.getSource().getType());
    // The inserted zeros are an arith.constant: integer, index or float only
    // (found by convgrad-fuzz-gen: complex<f32> reached LLVM as a malformed
    // constant).
    Type elementType = type.getElementType();
    if (!elementType.isIntOrIndexOrFloat()) {
      std::string typeName;
      llvm::raw_string_ostream os(typeName);
      os << elementType;
      return "cannot insert zeros of element type " + typeName +
             "; expected an integer, index or floating-point type";
    }
    for (auto [i, stride] : llvm::enumerate(insert.getStrides()))
      if (stride != 1 && type.isDynamicDim(i))
        return "cannot insert zeros along dynamic dimension " +
               std::to_string(i);
  }
  if (auto conv = dyn_cast<ConvOp>(op)) {
    ConvParams p = conv.getConvParams();
    auto filterType = cast<RankedTensorType>(conv.getFilter().getType());
    if (filterType.isDynamicDim(p.positions().outer()) && p.groups > 1)
      return std::string("a grouped convolution needs a static number of "
                         "filters");
  }
  return std::nullopt;
}

void mlir::convgrad::populateConvGradToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ConvOpToLinalg, InsertZerosToTensor, ReverseToLinalg,
               AccumulateInFilledDestination>(patterns.getContext());
}
