//===- TosaToConvGrad.cpp - TOSA convolutions to convgrad -----------------===//
//
// Imports the four TOSA convolution ops as channels-last convgrad ops. TOSA
// is channels-last like convgrad's `layout = channels_last`, and its conv
// weight `[OC, K..., IC]` is convgrad's channels-last filter, so a conv2d or
// conv3d maps attribute for attribute. The depthwise and transposed forms
// need their weights rearranged; see the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Conversion/TosaToConvGrad/TosaToConvGrad.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradDialect.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "convgrad-import-tosa"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADIMPORTTOSA
#include "convgrad/Conversion/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

/// Whether `value` is a constant whose elements are all zero.
static bool isZeroConstant(Value value) {
  DenseElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return false;
  if (isa<FloatType>(attr.getElementType()))
    return llvm::all_of(attr.getValues<APFloat>(),
                        [](const APFloat &v) { return v.isZero(); });
  return llvm::all_of(attr.getValues<APInt>(),
                      [](const APInt &v) { return v.isZero(); });
}

/// The checks every TOSA convolution op shares (they all have the operands
/// input, weight, bias, input_zp, weight_zp and an acc_type attribute).
template <typename TosaConvOp>
static std::optional<std::string> unsupportedConv(TosaConvOp op) {
  auto input = cast<RankedTensorType>(op.getInput().getType());
  auto weight = cast<RankedTensorType>(op.getWeight().getType());
  auto bias = cast<RankedTensorType>(op.getBias().getType());
  auto output = cast<RankedTensorType>(op.getOutput().getType());
  Type elementType = input.getElementType();
  if (!isSupportedElementType(elementType) || elementType.isF64())
    return std::string("element type is not f16, bf16 or f32");
  if (weight.getElementType() != elementType ||
      bias.getElementType() != elementType ||
      output.getElementType() != elementType)
    return std::string("input, weight, bias and output element types differ");
  if (op.getAccType() != getAccumulatorType(elementType))
    return std::string("acc_type is not f32 (convgrad accumulates in f32)");
  if (!isZeroConstant(op.getInputZp()) || !isZeroConstant(op.getWeightZp()))
    return std::string("a zero point is not a constant zero");
  if (!weight.hasStaticShape() || !bias.hasStaticShape())
    return std::string("the weight or bias shape is dynamic");
  for (RankedTensorType t : {input, output})
    if (llvm::any_of(t.getShape().drop_front(), ShapedType::isDynamic))
      return std::string("a size other than the batch is dynamic");
  return std::nullopt;
}

std::optional<std::string>
mlir::convgrad::unsupportedForConvGradImport(Operation *op) {
  return TypeSwitch<Operation *, std::optional<std::string>>(op)
      .Case<tosa::Conv2DOp, tosa::Conv3DOp, tosa::DepthwiseConv2DOp,
            tosa::TransposeConv2DOp>(
          [](auto conv) { return unsupportedConv(conv); })
      .Default([](Operation *) {
        return std::string("not a TOSA convolution");
      });
}

namespace {

/// The bias as a `[channels]` tensor: TOSA also allows one value for all.
Value expandBias(OpBuilder &b, Location loc, Value bias, int64_t channels) {
  auto type = cast<RankedTensorType>(bias.getType());
  if (type.getDimSize(0) == channels)
    return bias;
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value scalar = tensor::ExtractOp::create(b, loc, bias, ValueRange{zero});
  return tensor::SplatOp::create(
      b, loc, RankedTensorType::get({channels}, type.getElementType()), scalar);
}

/// A channels-last convgrad op's attributes (defaults left out).
void setChannelsLastConvAttrs(OpBuilder &b, Operation *op,
                              ArrayRef<int64_t> strides,
                              ArrayRef<int64_t> dilations,
                              ArrayRef<int64_t> padLow,
                              ArrayRef<int64_t> padHigh, int64_t groups) {
  auto isOne = [](int64_t v) { return v == 1; };
  auto isZero = [](int64_t v) { return v == 0; };
  if (!llvm::all_of(strides, isOne))
    op->setAttr("strides", b.getDenseI64ArrayAttr(strides));
  if (!llvm::all_of(dilations, isOne))
    op->setAttr("dilations", b.getDenseI64ArrayAttr(dilations));
  if (!llvm::all_of(padLow, isZero) || !llvm::all_of(padHigh, isZero)) {
    SmallVector<int64_t> padding(padLow);
    padding.append(padHigh.begin(), padHigh.end());
    op->setAttr("padding", b.getDenseI64ArrayAttr(padding));
  }
  if (groups != 1)
    op->setAttr("groups", b.getI64IntegerAttr(groups));
  op->setAttr("layout", LayoutAttr::get(b.getContext(), Layout::ChannelsLast));
}

/// TOSA's `pad` lists (low, high) per spatial dimension; convgrad lists all
/// low paddings, then all high ones.
void splitPad(ArrayRef<int64_t> pad, SmallVectorImpl<int64_t> &low,
              SmallVectorImpl<int64_t> &high) {
  for (size_t i = 0; i + 1 < pad.size(); i += 2) {
    low.push_back(pad[i]);
    high.push_back(pad[i + 1]);
  }
}

/// Checks the shared preconditions (reporting the reason as the match
/// failure, visible under -debug).
template <typename TosaConvOp>
LogicalResult checkImportable(TosaConvOp op, PatternRewriter &rewriter) {
  if (std::optional<std::string> reason = unsupportedConv(op)) {
    LLVM_DEBUG(llvm::dbgs() << DEBUG_TYPE ": leaving " << op->getName()
                            << " at " << op.getLoc() << ": " << *reason
                            << "\n");
    return rewriter.notifyMatchFailure(op, *reason);
  }
  return success();
}

/// Replaces a forward TOSA convolution (conv2d, conv3d, depthwise_conv2d)
/// by a channels-last convgrad.conv of its input with `filter` (convgrad's
/// channels-last filter layout) and its bias.
template <typename TosaConvOp>
void replaceWithConv(PatternRewriter &rewriter, TosaConvOp op, Value filter,
                     int64_t groups) {
  Location loc = op.getLoc();
  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  Value bias =
      expandBias(rewriter, loc, op.getBias(), outType.getShape().back());
  auto conv = ConvOp::create(rewriter, loc, TypeRange{outType},
                             ValueRange{op.getInput(), filter, bias});
  SmallVector<int64_t> low, high;
  splitPad(op.getPad(), low, high);
  setChannelsLastConvAttrs(rewriter, conv, op.getStride(), op.getDilation(),
                           low, high, groups);
  rewriter.replaceOp(op, conv.getOutput());
}

/// tosa.conv2d and tosa.conv3d: the same op with TOSA's pad order.
template <typename TosaConvOp>
struct ImportConv : OpRewritePattern<TosaConvOp> {
  using OpRewritePattern<TosaConvOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(TosaConvOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(checkImportable(op, rewriter)))
      return failure();
    replaceWithConv(rewriter, op, op.getWeight(), /*groups=*/1);
    return success();
  }
};

/// tosa.depthwise_conv2d: groups = C, weight [KH, KW, C, M] rearranged to
/// the grouped filter [C*M, KH, KW, 1] (group c owns output channels
/// c*M .. c*M + M - 1, TOSA's output channel order).
struct ImportDepthwiseConv : OpRewritePattern<tosa::DepthwiseConv2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::DepthwiseConv2DOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(checkImportable(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    int64_t kw = weightType.getDimSize(1), c = weightType.getDimSize(2);
    // [KH, KW, C, M] -> [C, M, KH, KW] -> [C*M, KH, KW] -> [C*M, KH, KW, 1].
    Value filter =
        transposeTensor(rewriter, loc, op.getWeight(), {2, 3, 0, 1});
    filter = mergeDims(rewriter, loc, filter, 0);
    filter = splitDim(rewriter, loc, filter, 2, kw);
    replaceWithConv(rewriter, op, filter, /*groups=*/c);
    return success();
  }
};

/// tosa.transpose_conv2d: out[iy*s + top + ky] += in[iy] * w[ky] is the data
/// gradient dx[o] = sum dy[i] w'[k], o = i*s + k - lo, of a stride-s
/// convolution with lo = -top; negative out_pad entries are that padding
/// (a crop), positive ones zero rows added around the result. Imported as
/// convgrad.conv_transpose (with its bias) when that states the op, else as
/// conv_backward_data, pad and bias add.
struct ImportTransposeConv : OpRewritePattern<tosa::TransposeConv2DOp> {
  using OpRewritePattern::OpRewritePattern;

  /// convgrad.conv_transpose states the op exactly when no zero rows come
  /// before the result (top and left out_pad <= 0: padding that crops) and
  /// fewer than `stride` come after it (a positive bottom or right out_pad
  /// is output_padding, rows no input reaches; a negative one crops):
  /// output[o] = bias + sum in[i] * w[k] with o = i*s + k - lo, lo = -top.
  /// Fails, creating nothing, otherwise.
  static LogicalResult replaceWithConvTranspose(PatternRewriter &rewriter,
                                                tosa::TransposeConv2DOp op) {
    ArrayRef<int64_t> outPad = op.getOutPad(), strides = op.getStride();
    SmallVector<int64_t> padding(4, 0), outputPadding(2, 0);
    for (unsigned i = 0; i < 2; ++i) {
      int64_t top = outPad[2 * i], bottom = outPad[2 * i + 1];
      if (top > 0 || bottom >= strides[i])
        return failure();
      padding[i] = -top;
      padding[2 + i] = std::max<int64_t>(0, -bottom);
      outputPadding[i] = std::max<int64_t>(0, bottom);
    }
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    // [OC, KH, KW, IC] -> channels-last [C_in = IC, KH, KW, C_out = OC].
    Value filter =
        transposeTensor(rewriter, loc, op.getWeight(), {3, 1, 2, 0});
    Value bias =
        expandBias(rewriter, loc, op.getBias(), outType.getShape().back());
    auto convTranspose = ConvTransposeOp::create(
        rewriter, loc, TypeRange{outType},
        ValueRange{op.getInput(), filter, bias});
    setChannelsLastConvAttrs(rewriter, convTranspose, strides, {1, 1},
                             ArrayRef<int64_t>(padding).take_front(2),
                             ArrayRef<int64_t>(padding).drop_front(2),
                             /*groups=*/1);
    if (llvm::any_of(outputPadding, [](int64_t p) { return p != 0; }))
      convTranspose.setOutputPaddingAttr(
          rewriter.getDenseI64ArrayAttr(outputPadding));
    rewriter.replaceOp(op, convTranspose.getOutput());
    return success();
  }

  LogicalResult matchAndRewrite(tosa::TransposeConv2DOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(checkImportable(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    ArrayRef<int64_t> outPad = op.getOutPad(), strides = op.getStride();
    if (succeeded(replaceWithConvTranspose(rewriter, op)))
      return success();
    SmallVector<int64_t> cropLow, cropHigh;
    SmallVector<int64_t> extendLow(4, 0), extendHigh(4, 0);
    SmallVector<int64_t> dxShape = {inType.getDimSize(0)};
    for (unsigned i = 0; i < 2; ++i) {
      int64_t top = outPad[2 * i], bottom = outPad[2 * i + 1];
      cropLow.push_back(std::max<int64_t>(0, -top));
      cropHigh.push_back(std::max<int64_t>(0, -bottom));
      extendLow[1 + i] = std::max<int64_t>(0, top);
      extendHigh[1 + i] = std::max<int64_t>(0, bottom);
      dxShape.push_back((inType.getDimSize(1 + i) - 1) * strides[i] +
                        weightType.getDimSize(1 + i) - cropLow[i] -
                        cropHigh[i]);
    }
    dxShape.push_back(outType.getShape().back());
    // [OC, KH, KW, IC] -> the dgrad's filter [F = IC, KH, KW, C = OC].
    Value filter =
        transposeTensor(rewriter, loc, op.getWeight(), {3, 1, 2, 0});
    auto dgrad = ConvBackwardDataOp::create(
        rewriter, loc,
        TypeRange{RankedTensorType::get(dxShape, outType.getElementType())},
        ValueRange{op.getInput(), filter});
    setChannelsLastConvAttrs(rewriter, dgrad, strides, {1, 1}, cropLow,
                             cropHigh, /*groups=*/1);
    Value result = padOrCrop(rewriter, loc, dgrad.getGradInput(), extendLow,
                             extendHigh);
    if (result.getType() != outType)
      result = tensor::CastOp::create(rewriter, loc, outType, result);

    // + bias[oc] everywhere, the added rows included.
    Value bias =
        expandBias(rewriter, loc, op.getBias(), outType.getShape().back());
    Value withBias = addChannelBias(rewriter, loc, result, bias, 3);
    rewriter.replaceOp(op, withBias);
    return success();
  }
};

struct ConvGradImportTosaPass
    : public convgrad::impl::ConvGradImportTosaBase<ConvGradImportTosaPass> {
  using ConvGradImportTosaBase::ConvGradImportTosaBase;
  void runOnOperation() override {
    Operation *root = getOperation();
    RewritePatternSet patterns(&getContext());
    populateTosaToConvGradPatterns(patterns);
    // One walk, no folding: the rest of the TOSA program stays as written.
    walkAndApplyPatterns(root, std::move(patterns));
    if (unsupported == UnsupportedTosaPolicy::Ignore)
      return;
    bool failedAny = false;
    root->walk([&](Operation *op) {
      if (!isa<tosa::Conv2DOp, tosa::Conv3DOp, tosa::DepthwiseConv2DOp,
               tosa::TransposeConv2DOp>(op))
        return;
      std::string reason =
          unsupportedForConvGradImport(op).value_or("no pattern applied");
      if (unsupported == UnsupportedTosaPolicy::Error) {
        op->emitOpError() << "cannot be imported into convgrad: " << reason;
        failedAny = true;
      } else {
        op->emitRemark() << "left to upstream's TOSA lowering: " << reason;
      }
    });
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace

void mlir::convgrad::populateTosaToConvGradPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ImportConv<tosa::Conv2DOp>, ImportConv<tosa::Conv3DOp>,
               ImportDepthwiseConv, ImportTransposeConv>(
      patterns.getContext());
}
