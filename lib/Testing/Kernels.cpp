//===- Kernels.cpp - convgrad kernels as callable functions ---------------===//
//
// The kernel builders of convgrad-run, shared.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Testing/Kernels.h"
#include "convgrad/Testing/TestCases.h"

#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
namespace rt = ::convgrad::runtime;
using namespace rt;
namespace ref = ::convgrad::reference;
namespace cases = ::convgrad::testcases;
namespace cg = mlir::convgrad;

const char *rt::kernelKindName(KernelKind kind) {
  switch (kind) {
  case KernelKind::Fwd:
    return "fwd";
  case KernelKind::Dgrad:
    return "dgrad";
  case KernelKind::Wgrad:
    return "wgrad";
  case KernelKind::Bgrad:
    return "bgrad";
  }
  return "?";
}

std::optional<KernelKind>
rt::parseKernelKind(const std::string &name) {
  for (unsigned i = 0; i < kNumKernelKinds; ++i)
    if (name == kernelKindName(KernelKind(i)))
      return KernelKind(i);
  return std::nullopt;
}

unsigned rt::kernelNumArgs(KernelKind kind) {
  switch (kind) {
  case KernelKind::Fwd:
    return 4;
  case KernelKind::Dgrad:
  case KernelKind::Wgrad:
    return 3;
  case KernelKind::Bgrad:
    return 2;
  }
  return 0;
}

Type rt::getElementType(MLIRContext *ctx, ElemKind kind) {
  Builder b(ctx);
  switch (kind) {
  case ElemKind::F16:
    return b.getF16Type();
  case ElemKind::BF16:
    return b.getBF16Type();
  case ElemKind::F32:
    return b.getF32Type();
  case ElemKind::F64:
    return b.getF64Type();
  }
  return {};
}

RankedTensorType rt::tensorType(ArrayRef<int64_t> shape,
                                               Type elementType,
                                               bool dynamicBatch) {
  SmallVector<int64_t> s(shape.begin(), shape.end());
  if (dynamicBatch && !s.empty())
    s[0] = ShapedType::kDynamic;
  return RankedTensorType::get(s, elementType);
}

void rt::buildKernel(
    OpBuilder &b, ModuleOp module, StringRef name,
    ArrayRef<RankedTensorType> inputTypes, RankedTensorType resultType,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  Location loc = b.getUnknownLoc();
  SmallVector<Type> argTypes;
  for (RankedTensorType t : inputTypes)
    argTypes.push_back(MemRefType::get(t.getShape(), t.getElementType()));
  auto outType =
      MemRefType::get(resultType.getShape(), resultType.getElementType());
  argTypes.push_back(outType);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto func =
      func::FuncOp::create(b, loc, name, b.getFunctionType(argTypes, {}));
  func->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  SmallVector<Value> tensors;
  for (auto [i, t] : llvm::enumerate(inputTypes))
    tensors.push_back(bufferization::ToTensorOp::create(
        b, loc, t, entry->getArgument(i), /*restrict=*/true));
  Value result = body(b, loc, tensors);
  auto materialize = bufferization::MaterializeInDestinationOp::create(
      b, loc, result, entry->getArguments().back());
  materialize.setRestrict(true);
  materialize.setWritable(true);
  func::ReturnOp::create(b, loc);
}

void rt::setConvAttrs(OpBuilder &b, Operation *op,
                                     const ref::ConvConfig &c) {
  auto isOne = [](int64_t v) { return v == 1; };
  auto isZero = [](int64_t v) { return v == 0; };
  if (!llvm::all_of(c.strides, isOne))
    op->setAttr("strides", b.getDenseI64ArrayAttr(c.strides));
  if (!llvm::all_of(c.dilations, isOne))
    op->setAttr("dilations", b.getDenseI64ArrayAttr(c.dilations));
  if (!llvm::all_of(c.padLow, isZero) || !llvm::all_of(c.padHigh, isZero)) {
    SmallVector<int64_t> padding(c.padLow.begin(), c.padLow.end());
    padding.append(c.padHigh.begin(), c.padHigh.end());
    op->setAttr("padding", b.getDenseI64ArrayAttr(padding));
  }
  if (c.groups != 1)
    op->setAttr("groups", b.getI64IntegerAttr(c.groups));
  if (c.layout == ref::Layout::ChannelsLast)
    op->setAttr("layout", cg::LayoutAttr::get(b.getContext(),
                                              cg::Layout::ChannelsLast));
}

/// `@name(dy, db)`: db = conv_backward_bias(dy).
static void buildBgradKernel(OpBuilder &b, ModuleOp module, StringRef name,
                             RankedTensorType yType, RankedTensorType bType,
                             ref::Layout layout) {
  buildKernel(b, module, name, {yType}, bType,
              [&](OpBuilder &nb, Location l, ValueRange t) {
                auto layoutAttr = cg::LayoutAttr::get(
                    nb.getContext(), layout == ref::Layout::ChannelsLast
                                         ? cg::Layout::ChannelsLast
                                         : cg::Layout::ChannelsFirst);
                return cg::ConvBackwardBiasOp::create(nb, l, bType, t[0],
                                                      layoutAttr)
                    .getResult();
              });
}

/// `@name(inputs..., result)`: one convgrad op `OpTy` with the attributes of
/// `c`, on the kernel's tensors as they are or on what `operands` makes of
/// them.
template <typename OpTy>
static void buildConvKernel(
    OpBuilder &b, ModuleOp module, StringRef name,
    ArrayRef<RankedTensorType> inputTypes, RankedTensorType resultType,
    const ref::ConvConfig &c,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
        operands = nullptr) {
  buildKernel(b, module, name, inputTypes, resultType,
              [&](OpBuilder &nb, Location l, ValueRange t) {
                SmallVector<Value> args =
                    operands ? operands(nb, l, t) : llvm::to_vector(t);
                auto op = OpTy::create(nb, l, TypeRange{resultType}, args);
                setConvAttrs(nb, op, c);
                return op.getResult();
              });
}

namespace {
/// The tensors of the kernels of one configuration (a direct or a transposed
/// one: x, w and y as its inputShape, filterShape and outputShape).
struct KernelTensorTypes {
  RankedTensorType x, w, y, bias;

  template <typename Config>
  KernelTensorTypes(MLIRContext *ctx, const Config &config,
                    int64_t outChannels, ElemKind elemKind,
                    bool dynamicBatch) {
    Type et = getElementType(ctx, elemKind);
    x = tensorType(config.inputShape(), et, dynamicBatch);
    w = tensorType(config.filterShape(), et, false);
    y = tensorType(config.outputShape(), et, dynamicBatch);
    bias = RankedTensorType::get({outChannels}, et);
  }
};
} // namespace

/// The name of the kernel of `kind` with `suffix`.
static std::string kernelName(KernelKind kind, StringRef suffix) {
  return (Twine(kernelKindName(kind)) + suffix).str();
}

void rt::addKernels(ModuleOp module, const ref::ConvConfig &c,
                                   ElemKind elemKind, bool dynamicBatch,
                                   StringRef suffix, KernelMask kinds) {
  OpBuilder b(module.getContext());
  KernelTensorTypes types(module.getContext(), c, c.outChannels, elemKind,
                          dynamicBatch);
  if (kinds & maskOf(KernelKind::Fwd))
    buildConvKernel<cg::ConvOp>(b, module, kernelName(KernelKind::Fwd, suffix),
                                {types.x, types.w, types.bias}, types.y, c);
  if (kinds & maskOf(KernelKind::Dgrad))
    buildConvKernel<cg::ConvBackwardDataOp>(
        b, module, kernelName(KernelKind::Dgrad, suffix), {types.y, types.w},
        types.x, c);
  if (kinds & maskOf(KernelKind::Wgrad))
    buildConvKernel<cg::ConvBackwardFilterOp>(
        b, module, kernelName(KernelKind::Wgrad, suffix), {types.x, types.y},
        types.w, c);
  if (kinds & maskOf(KernelKind::Bgrad))
    buildBgradKernel(b, module, kernelName(KernelKind::Bgrad, suffix), types.y,
                     types.bias, c.layout);
}

void rt::addTransposedKernels(ModuleOp module,
                              const ref::TransposedConvConfig &tc,
                              ElemKind elemKind, bool dynamicBatch,
                              StringRef suffix, KernelMask kinds) {
  OpBuilder b(module.getContext());
  const ref::ConvConfig &c = tc.conv;
  KernelTensorTypes types(module.getContext(), tc, c.outChannels, elemKind,
                          dynamicBatch);
  // The convolution that reads the output gradient: the output padding
  // lowers its high padding; rows beyond the high padding (output_padding >
  // padHigh, possible when output_padding >= stride) are read by no window
  // and are cropped first (see ConvTransposeOp's description).
  ref::ConvConfig readDy = c;
  SmallVector<int64_t> noCrop(types.y.getRank(), 0), crop(types.y.getRank(), 0);
  for (unsigned i = 0; i < c.rank(); ++i) {
    readDy.padHigh[i] =
        std::max<int64_t>(0, c.padHigh[i] - tc.outputPadding[i]);
    unsigned dim = c.layout == ref::Layout::ChannelsLast ? 1 + i : 2 + i;
    crop[dim] = -std::max<int64_t>(0, tc.outputPadding[i] - c.padHigh[i]);
  }
  auto croppedDy = [&](OpBuilder &nb, Location l, Value dy) {
    return cg::padOrCrop(nb, l, dy, noCrop, crop);
  };

  if (kinds & maskOf(KernelKind::Fwd))
    buildKernel(
        b, module, kernelName(KernelKind::Fwd, suffix),
        {types.x, types.w, types.bias}, types.y,
        [&](OpBuilder &nb, Location l, ValueRange t) {
          auto op = cg::ConvTransposeOp::create(nb, l, TypeRange{types.y},
                                                ValueRange{t[0], t[1], t[2]});
          setConvAttrs(nb, op, c);
          if (llvm::any_of(tc.outputPadding, [](int64_t v) { return v != 0; }))
            op.setOutputPaddingAttr(nb.getDenseI64ArrayAttr(tc.outputPadding));
          return op.getResult();
        });
  // dx = conv(dy, w): the filter is already [C_in, C_out/G, K...], a
  // forward filter from C_out to C_in channels.
  if (kinds & maskOf(KernelKind::Dgrad))
    buildConvKernel<cg::ConvOp>(
        b, module, kernelName(KernelKind::Dgrad, suffix), {types.y, types.w},
        types.x, readDy, [&](OpBuilder &nb, Location l, ValueRange t) {
          return SmallVector<Value>{croppedDy(nb, l, t[0]), t[1]};
        });
  // dw = conv_backward_filter with dy as the input and x as the output
  // gradient of that convolution.
  if (kinds & maskOf(KernelKind::Wgrad))
    buildConvKernel<cg::ConvBackwardFilterOp>(
        b, module, kernelName(KernelKind::Wgrad, suffix), {types.x, types.y},
        types.w, readDy, [&](OpBuilder &nb, Location l, ValueRange t) {
          return SmallVector<Value>{croppedDy(nb, l, t[1]), t[0]};
        });
  if (kinds & maskOf(KernelKind::Bgrad))
    buildBgradKernel(b, module, kernelName(KernelKind::Bgrad, suffix), types.y,
                     types.bias, c.layout);
}

void rt::addKernels(ModuleOp module, const cases::TestCase &tc,
                                   StringRef suffix, KernelMask kinds) {
  ElemKind kind = parseElemKind(tc.elementType).value_or(ElemKind::F32);
  if (tc.transposed)
    return addTransposedKernels(module, tc.transposedConfig(), kind,
                                tc.dynamicBatch, suffix, kinds);
  addKernels(module, tc.conv, kind, tc.dynamicBatch, suffix, kinds);
}

OwningOpRef<ModuleOp> rt::buildModule(MLIRContext *ctx,
                                                     const cases::TestCase &tc,
                                                     StringRef suffix,
                                                     KernelMask kinds) {
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(ctx));
  addKernels(*module, tc, suffix, kinds);
  return module;
}
