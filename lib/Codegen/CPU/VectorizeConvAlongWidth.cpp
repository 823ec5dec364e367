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
  using OpRewritePattern::OpRewritePattern;

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
    auto accVectorType = VectorType::get({width}, accType);
    // The accumulator block is read and written as one [filters x width]
    // vector: one transfer pair, which convgrad-lower-vectors hoists out of
    // the reduction loops into registers.
    auto blockType = VectorType::get({filters, width}, accType);
    Value result = output;
    for (int64_t n = 0; n < images; ++n) {
      Value block = vector::TransferReadOp::create(
          rewriter, loc, blockType, output,
          ValueRange{index(n), index(0), index(0)},
          /*padding=*/std::nullopt, ArrayRef<bool>{true, true});
      SmallVector<Value> acc;
      for (int64_t f = 0; f < filters; ++f)
        acc.push_back(vector::ExtractOp::create(rewriter, loc, block, f));
      for (int64_t c = 0; c < channels; ++c) {
        for (int64_t kw = 0; kw < kernel; ++kw) {
          Value row = vector::TransferReadOp::create(
              rewriter, loc, VectorType::get({width}, inputType.getElementType()),
              input, ValueRange{index(n), index(c), index(kw * dilation)},
              /*padding=*/std::nullopt, ArrayRef<bool>{true});
          row = castToAccumulator(rewriter, loc, row, accType);
          for (int64_t f = 0; f < filters; ++f) {
            Value tap = tensor::ExtractOp::create(
                rewriter, loc, filter, ValueRange{index(f), index(c),
                                                  index(kw)});
            Value splat = vector::BroadcastOp::create(
                rewriter, loc, accVectorType,
                castToAccumulator(rewriter, loc, tap, accType));
            acc[f] = vector::FMAOp::create(rewriter, loc, splat, row, acc[f]);
          }
        }
      }
      for (int64_t f = 0; f < filters; ++f)
        block = vector::InsertOp::create(rewriter, loc, acc[f], block, f);
      result = vector::TransferWriteOp::create(
                   rewriter, loc, block, result,
                   ValueRange{index(n), index(0), index(0)},
                   ArrayRef<bool>{true, true})
                   .getResult();
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::convgrad::populateVectorizeConvAlongWidthPatterns(
    RewritePatternSet &patterns) {
  patterns.add<VectorizeConv1DNcwAlongWidth>(patterns.getContext());
}
