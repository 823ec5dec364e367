//===- VectorizeConvAlongWidth.cpp - Channels-first conv tiles as row FMAs ===//
//
// A register tile of a channels-first 1-D convolution with stride 1
// (linalg.conv_1d_ncw_fcw: out[n, f, w] += in[n, c, w + kw * d] * filter[f,
// c, kw]) becomes, per image, one accumulator vector per output channel
// along the output columns, and per (input channel, kernel column): one
// contiguous (unaligned) load of the input row, one broadcast filter element
// per output channel, one FMA per output channel:
//
//   acc[f] = vector.fma(broadcast(filter[f, c, kw]), in[n, c, kw*d : +W],
//                       acc[f])
//
// (each row W cut into vectors of the target's width).
//
// Upstream's vectorizer handles conv_1d_ncw_fcw by transposing it to the
// channels-last form and contracting along the output channels, which fills
// only F of the vector lanes; convolutions with few output channels
// (cpu::vectorizeAlongWidth) are the ones tiled into this form, so every
// lane does useful work and no padding is multiplied.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace {

/// Most multiply-adds one tile may unroll into (filters x input channels x
/// kernel columns x images): a register tile has a few hundred; an untiled
/// convolution is left to the loop lowering.
constexpr int64_t kMaxUnrolledSteps = 4096;

/// `value` (a scalar or vector of floats) converted to `elementType` the way
/// linalg's convolutions cast their operands to the accumulator type.
Value castToAccumulator(OpBuilder &b, Location loc, Value value,
                        Type elementType) {
  Type type = value.getType();
  Type source = getElementTypeOrSelf(type);
  if (source == elementType)
    return value;
  Type target = type == source
                    ? elementType
                    : cast<VectorType>(type).clone(elementType);
  if (source.getIntOrFloatBitWidth() < elementType.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, target, value);
  return arith::TruncFOp::create(b, loc, target, value);
}

struct VectorizeConv1DNcwAlongWidth
    : OpRewritePattern<linalg::Conv1DNcwFcwOp> {
  VectorizeConv1DNcwAlongWidth(MLIRContext *ctx, int64_t vectorBits)
      : OpRewritePattern(ctx), vectorBits(vectorBits) {}

  LogicalResult matchAndRewrite(linalg::Conv1DNcwFcwOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Value input = op.getInputs()[0], filter = op.getInputs()[1];
    Value output = op.getOutputs()[0];
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    auto filterType = dyn_cast<RankedTensorType>(filter.getType());
    auto outputType = dyn_cast<RankedTensorType>(output.getType());
    if (!inputType || !filterType || !outputType ||
        !inputType.hasStaticShape() || !filterType.hasStaticShape() ||
        !outputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Type accType = outputType.getElementType();
    if (!isa<FloatType>(accType) ||
        !isa<FloatType>(inputType.getElementType()) ||
        !isa<FloatType>(filterType.getElementType()))
      return rewriter.notifyMatchFailure(op, "not a float convolution");
    if (!llvm::all_of(op.getStrides().getValues<int64_t>(),
                      [](int64_t s) { return s == 1; }))
      return rewriter.notifyMatchFailure(op, "strided input rows");
    int64_t dilation = *op.getDilations().getValues<int64_t>().begin();
    int64_t images = outputType.getDimSize(0);
    int64_t filters = outputType.getDimSize(1);
    int64_t width = outputType.getDimSize(2);
    int64_t channels = filterType.getDimSize(1);
    int64_t kernel = filterType.getDimSize(2);
    if (images * filters * channels * kernel > kMaxUnrolledSteps ||
        width == 0 || filters == 0)
      return rewriter.notifyMatchFailure(op, "not a register tile");

    Location loc = op.getLoc();
    auto index = [&](int64_t i) {
      return arith::ConstantIndexOp::create(rewriter, loc, i).getResult();
    };
    // Each output row is cut into vectors of the target's width (the last
    // one partial): a longer vector would be widened and split by LLVM
    // into more registers than it holds.
    int64_t lanes = std::max<int64_t>(
        1, vectorBits / std::max<int64_t>(1, accType.getIntOrFloatBitWidth()));
    SmallVector<std::pair<int64_t, int64_t>> pieces; // (column, size)
    for (int64_t column = 0; column < width; column += lanes)
      pieces.push_back({column, std::min(lanes, width - column)});
    auto read = [&](Value source, int64_t i, int64_t j, int64_t column,
                    int64_t size, Type elementType) {
      return vector::TransferReadOp::create(
                 rewriter, loc, VectorType::get({size}, elementType), source,
                 ValueRange{index(i), index(j), index(column)},
                 /*padding=*/std::nullopt, ArrayRef<bool>{true})
          .getResult();
    };
    // acc[n][f][p]: one transfer pair per vector, which
    // convgrad-lower-vectors hoists out of the reduction loops into
    // registers. The images of a tile share each broadcast filter element
    // and interleave their FMAs, so that their independent accumulator
    // chains hide the FMA latency (cpu::ConvRowTiling::images); all of them
    // are read before and written after the reduction, which the hoisting
    // requires.
    SmallVector<SmallVector<SmallVector<Value>>> acc(
        images, SmallVector<SmallVector<Value>>(filters));
    for (int64_t n = 0; n < images; ++n)
      for (int64_t f = 0; f < filters; ++f)
        for (auto [column, size] : pieces)
          acc[n][f].push_back(read(output, n, f, column, size, accType));
    for (int64_t c = 0; c < channels; ++c) {
      for (int64_t kw = 0; kw < kernel; ++kw) {
        SmallVector<Value> taps;
        for (int64_t f = 0; f < filters; ++f)
          taps.push_back(castToAccumulator(
              rewriter, loc,
              tensor::ExtractOp::create(
                  rewriter, loc, filter,
                  ValueRange{index(f), index(c), index(kw)}),
              accType));
        for (int64_t n = 0; n < images; ++n) {
          for (auto [p, piece] : llvm::enumerate(pieces)) {
            auto [column, size] = piece;
            Value row = castToAccumulator(
                rewriter, loc,
                read(input, n, c, column + kw * dilation, size,
                     inputType.getElementType()),
                accType);
            for (int64_t f = 0; f < filters; ++f) {
              Value splat = vector::BroadcastOp::create(
                  rewriter, loc, VectorType::get({size}, accType), taps[f]);
              acc[n][f][p] = vector::FMAOp::create(rewriter, loc, splat, row,
                                                   acc[n][f][p]);
            }
          }
        }
      }
    }
    Value result = output;
    for (int64_t n = 0; n < images; ++n)
      for (int64_t f = 0; f < filters; ++f)
        for (auto [p, piece] : llvm::enumerate(pieces))
          result = vector::TransferWriteOp::create(
                       rewriter, loc, acc[n][f][p], result,
                       ValueRange{index(n), index(f), index(piece.first)},
                       ArrayRef<bool>{true})
                       .getResult();
    rewriter.replaceOp(op, result);
    return success();
  }

  int64_t vectorBits;
};

} // namespace

void mlir::convgrad::populateVectorizeConvAlongWidthPatterns(
    RewritePatternSet &patterns, int64_t vectorBits) {
  patterns.add<VectorizeConv1DNcwAlongWidth>(patterns.getContext(),
                                             vectorBits);
}
