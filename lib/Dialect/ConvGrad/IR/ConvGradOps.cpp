//===- ConvGradOps.cpp - convgrad operations and verifiers ----------------===//

#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;
using namespace mlir::convgrad;

bool mlir::convgrad::isSupportedElementType(Type type) {
  return type.isF16() || type.isBF16() || type.isF32() || type.isF64();
}

Type mlir::convgrad::getAccumulatorType(Type elementType) {
  if (elementType.isF16() || elementType.isBF16())
    return Float32Type::get(elementType.getContext());
  return elementType;
}

//===----------------------------------------------------------------------===//
// Custom assembly: `layout = channels_last` (the optional group elides the
// default, channels_first)
//===----------------------------------------------------------------------===//

static ParseResult parseLayoutValue(OpAsmParser &parser, LayoutAttr &layout) {
  StringRef keyword;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseKeyword(&keyword))
    return failure();
  std::optional<Layout> value = symbolizeLayout(keyword);
  if (!value)
    return parser.emitError(loc)
           << "expected 'channels_first' or 'channels_last', got '" << keyword
           << "'";
  layout = LayoutAttr::get(parser.getContext(), *value);
  return success();
}

static void printLayoutValue(OpAsmPrinter &printer, Operation *,
                             LayoutAttr layout) {
  printer << stringifyLayout(layout.getValue());
}

//===----------------------------------------------------------------------===//
// Shared verification of the convolution family
//===----------------------------------------------------------------------===//

namespace {
/// One of the three tensors a convolution relates, with the name the user
/// sees for it on the op being verified (an operand or the result).
struct NamedTensor {
  Type type;
  StringRef name;
};

/// The tensors of the forward convolution `output = conv(input, filter)`,
/// whichever of them the verified op takes or produces.
struct ConvTensors {
  NamedTensor input, filter, output;
};
} // namespace

static std::string formatDim(int64_t size) {
  return ShapedType::isDynamic(size) ? std::string("?") : std::to_string(size);
}

/// Checks rank (3..5) and element type of one tensor.
static LogicalResult verifyConvTensor(Operation *op, NamedTensor t) {
  auto type = dyn_cast<RankedTensorType>(t.type);
  if (!type)
    return op->emitOpError() << "'" << t.name << "' must be a ranked tensor, got "
                             << t.type;
  if (type.getRank() < 3 || type.getRank() > 5)
    return op->emitOpError()
           << "'" << t.name
           << "' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial "
              "dimensions), got rank "
           << type.getRank();
  if (!isSupportedElementType(type.getElementType()))
    return op->emitOpError()
           << "'" << t.name << "' has unsupported element type "
           << type.getElementType() << "; expected f16, bf16, f32 or f64";
  // Every later product of sizes (offsets, element counts of slices and
  // temporaries) is bounded by the element count of an operand.
  int64_t elements = 1;
  for (int64_t size : type.getShape())
    if (!ShapedType::isDynamic(size) &&
        llvm::MulOverflow(elements, size, elements))
      return op->emitOpError()
             << "'" << t.name << "' has more elements than int64 can count ("
             << t.type << ")";
  return success();
}

/// Bound on strides, dilations, paddings and spatial sizes: with every factor
/// below 2^31 the shape arithmetic cannot overflow int64.
static constexpr int64_t kMaxConvValue = (int64_t(1) << 31) - 1;

/// Checks that an optional array attribute has `expected` entries, each at
/// least `minValue` and at most kMaxConvValue.
static LogicalResult verifyArrayAttr(Operation *op, StringRef attrName,
                                     std::optional<ArrayRef<int64_t>> values,
                                     size_t expected, int64_t minValue,
                                     StringRef what) {
  if (!values)
    return success();
  if (values->size() != expected)
    return op->emitOpError()
           << "'" << attrName << "' has " << values->size()
           << " entries, expected " << expected << " (" << what << ")";
  for (auto [i, v] : llvm::enumerate(*values)) {
    if (v < minValue)
      return op->emitOpError() << "'" << attrName << "' entries must be >= "
                               << minValue << ", got " << v << " at index "
                               << i;
    if (v > kMaxConvValue)
      return op->emitOpError() << "'" << attrName << "' entries must be <= "
                               << kMaxConvValue << ", got " << v
                               << " at index " << i;
  }
  return success();
}

static LogicalResult
verifyConvFamily(Operation *op, const ConvTensors &t,
                 std::optional<ArrayRef<int64_t>> strides,
                 std::optional<ArrayRef<int64_t>> padding,
                 std::optional<ArrayRef<int64_t>> dilations, int64_t groups,
                 const ConvParams &params, NamedTensor *bias = nullptr) {
  for (const NamedTensor &nt : {t.input, t.filter, t.output})
    if (failed(verifyConvTensor(op, nt)))
      return failure();
  auto input = cast<RankedTensorType>(t.input.type);
  auto filter = cast<RankedTensorType>(t.filter.type);
  auto output = cast<RankedTensorType>(t.output.type);

  for (const NamedTensor &nt : {t.filter, t.output}) {
    auto type = cast<RankedTensorType>(nt.type);
    if (type.getRank() != input.getRank())
      return op->emitOpError()
             << "'" << nt.name << "' has rank " << type.getRank() << " but '"
             << t.input.name << "' has rank " << input.getRank()
             << "; input, filter and output must all have rank R + 2";
    if (type.getElementType() != input.getElementType())
      return op->emitOpError()
             << "'" << nt.name << "' element type " << type.getElementType()
             << " differs from '" << t.input.name << "' element type "
             << input.getElementType();
  }

  unsigned rank = input.getRank() - 2;
  if (failed(verifyArrayAttr(op, "strides", strides, rank, 1,
                             "one per spatial dimension")) ||
      failed(verifyArrayAttr(op, "dilations", dilations, rank, 1,
                             "one per spatial dimension")) ||
      failed(verifyArrayAttr(op, "padding", padding, 2 * rank, 0,
                             "all low paddings, then all high paddings")))
    return failure();
  if (groups < 1)
    return op->emitOpError() << "'groups' must be >= 1, got " << groups;

  ConvDimPositions pos = params.positions();
  for (const NamedTensor &nt : {t.input, t.filter, t.output}) {
    auto type = cast<RankedTensorType>(nt.type);
    for (unsigned i = 0; i < rank; ++i) {
      if (type.isDynamicDim(pos.spatial(i)))
        return op->emitOpError()
               << "'" << nt.name << "' dimension " << pos.spatial(i)
               << " (spatial dimension " << i
               << ") must be static; only batch and channel sizes may be "
                  "dynamic";
      if (type.getDimSize(pos.spatial(i)) > kMaxConvValue)
        return op->emitOpError()
               << "'" << nt.name << "' dimension " << pos.spatial(i)
               << " (spatial dimension " << i << ") is "
               << type.getDimSize(pos.spatial(i)) << "; spatial sizes must be <= "
               << kMaxConvValue;
    }
  }

  // Channels and groups.
  int64_t c = input.getDimSize(pos.channel());
  int64_t f = output.getDimSize(pos.channel());
  int64_t filterF = filter.getDimSize(pos.outer());
  int64_t filterC = filter.getDimSize(pos.channel());
  if (!ShapedType::isDynamic(c) && c % groups != 0)
    return op->emitOpError() << "'groups' (" << groups
                             << ") must divide the channels of '"
                             << t.input.name << "' (" << c << ")";
  if (!ShapedType::isDynamic(f) && f % groups != 0)
    return op->emitOpError() << "'groups' (" << groups
                             << ") must divide the channels of '"
                             << t.output.name << "' (" << f << ")";
  if (!ShapedType::isDynamic(f) && !ShapedType::isDynamic(filterF) &&
      f != filterF)
    return op->emitOpError()
           << "'" << t.filter.name << "' has " << filterF
           << " output channels (dimension 0) but '" << t.output.name
           << "' has " << f << " channels";
  int64_t groupedC = 0;
  if (!ShapedType::isDynamic(filterC) &&
      llvm::MulOverflow(filterC, groups, groupedC))
    return op->emitOpError()
           << "'" << t.filter.name << "' has " << filterC
           << " input channels per group (dimension " << pos.channel()
           << "), times " << groups
           << " group(s) that overflows int64; expected the channels of '"
           << t.input.name << "' (" << formatDim(c) << ")";
  if (!ShapedType::isDynamic(c) && !ShapedType::isDynamic(filterC) &&
      groupedC != c)
    return op->emitOpError()
           << "'" << t.filter.name << "' has " << filterC
           << " input channels per group (dimension " << pos.channel()
           << ") but '" << t.input.name << "' has " << c << " channels in "
           << groups << " group(s), i.e. " << c / groups << " per group";

  int64_t nIn = input.getDimSize(pos.outer());
  int64_t nOut = output.getDimSize(pos.outer());
  if (!ShapedType::isDynamic(nIn) && !ShapedType::isDynamic(nOut) &&
      nIn != nOut)
    return op->emitOpError() << "batch size of '" << t.input.name << "' ("
                             << nIn << ") differs from batch size of '"
                             << t.output.name << "' (" << nOut << ")";

  // The forward shape relation, per spatial dimension.
  for (unsigned i = 0; i < rank; ++i) {
    // Found by convgrad-fuzz-gen: with K = 0 the dilated extent
    // (K - 1) * d + 1 is <= 0 and the rewrites built malformed IR. PyTorch
    // (and lib/Reference) require K >= 1 as well.
    if (filter.getDimSize(pos.spatial(i)) < 1)
      return op->emitOpError()
             << "'" << t.filter.name << "' dimension " << pos.spatial(i)
             << " (kernel size of spatial dimension " << i << ") is "
             << filter.getDimSize(pos.spatial(i)) << "; kernel sizes must be "
             << ">= 1";
    ConvDimGeometry g = params.dim(i, input.getDimSize(pos.spatial(i)),
                                   filter.getDimSize(pos.spatial(i)));
    if (!g.fits())
      return op->emitOpError()
             << "spatial dimension " << i << ": the padded size of '"
             << t.input.name << "' (" << g.inputSize << " + " << g.padLow
             << " + " << g.padHigh << " = " << g.paddedInputSize()
             << ") is smaller than the dilated kernel extent (" << g.kernelSize
             << " - 1) * " << g.dilation << " + 1 = " << g.effectiveKernel();
    int64_t o = output.getDimSize(pos.spatial(i));
    if (o != g.outputSize())
      return op->emitOpError()
             << "'" << t.output.name << "' spatial dimension " << i << " is "
             << o << ", but floor((H + lo + hi - Ke) / s) + 1 = floor(("
             << g.inputSize << " + " << g.padLow << " + " << g.padHigh
             << " - " << g.effectiveKernel() << ") / " << g.stride
             << ") + 1 = " << g.outputSize();
  }

  if (bias) {
    auto biasType = dyn_cast<RankedTensorType>(bias->type);
    if (!biasType || biasType.getRank() != 1)
      return op->emitOpError() << "'" << bias->name
                               << "' must be a 1-D tensor, got " << bias->type;
    if (biasType.getElementType() != input.getElementType())
      return op->emitOpError()
             << "'" << bias->name << "' element type "
             << biasType.getElementType() << " differs from '" << t.input.name
             << "' element type " << input.getElementType();
    int64_t b = biasType.getDimSize(0);
    if (!ShapedType::isDynamic(b) && !ShapedType::isDynamic(f) && b != f)
      return op->emitOpError()
             << "'" << bias->name << "' has " << b << " elements but '"
             << t.output.name << "' has " << f << " channels";
  }
  return success();
}

/// The spatial rank of a convolution-family op, from the rank of `type`
/// (0 when that is not a ranked tensor of rank >= 2; the verifier reports it).
static unsigned spatialRankOf(Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked || ranked.getRank() < 2)
    return 0;
  return ranked.getRank() - 2;
}

/// Fills in defaults for entries the op leaves out. Attributes of the wrong
/// length (rejected by the verifier) read as defaults so that callers that
/// run before verification never index out of bounds.
template <typename OpTy>
static ConvParams getConvParamsImpl(OpTy op, unsigned rank) {
  ConvParams p;
  p.spatialRank = rank;
  auto orDefault = [&](std::optional<ArrayRef<int64_t>> attr, size_t size,
                       int64_t dflt) {
    if (attr && attr->size() == size)
      return llvm::SmallVector<int64_t>(attr->begin(), attr->end());
    return llvm::SmallVector<int64_t>(size, dflt);
  };
  p.strides = orDefault(op.getStrides(), rank, 1);
  p.dilations = orDefault(op.getDilations(), rank, 1);
  llvm::SmallVector<int64_t> padding = orDefault(op.getPadding(), 2 * rank, 0);
  p.padLow.assign(padding.begin(), padding.begin() + rank);
  p.padHigh.assign(padding.begin() + rank, padding.end());
  p.groups = op.getGroups();
  p.layout = op.getLayout();
  return p;
}

//===----------------------------------------------------------------------===//
// ConvOp
//===----------------------------------------------------------------------===//

unsigned ConvOp::getSpatialRank() { return spatialRankOf(getInput().getType()); }
ConvParams ConvOp::getConvParams() {
  return getConvParamsImpl(*this, getSpatialRank());
}

LogicalResult ConvOp::verify() {
  ConvTensors t{{getInput().getType(), "input"},
                {getFilter().getType(), "filter"},
                {getOutput().getType(), "output"}};
  NamedTensor bias{getBias() ? getBias().getType() : Type(), "bias"};
  return verifyConvFamily(*this, t, getStrides(), getPadding(), getDilations(),
                          getGroups(), getConvParams(),
                          getBias() ? &bias : nullptr);
}

//===----------------------------------------------------------------------===//
// ConvBackwardDataOp
//===----------------------------------------------------------------------===//

unsigned ConvBackwardDataOp::getSpatialRank() {
  return spatialRankOf(getGradOutput().getType());
}
ConvParams ConvBackwardDataOp::getConvParams() {
  return getConvParamsImpl(*this, getSpatialRank());
}

LogicalResult ConvBackwardDataOp::verify() {
  ConvTensors t{{getGradInput().getType(), "grad_input"},
                {getFilter().getType(), "filter"},
                {getGradOutput().getType(), "grad_output"}};
  return verifyConvFamily(*this, t, getStrides(), getPadding(), getDilations(),
                          getGroups(), getConvParams());
}

//===----------------------------------------------------------------------===//
// ConvTransposeOp
//===----------------------------------------------------------------------===//

unsigned ConvTransposeOp::getSpatialRank() {
  return spatialRankOf(getInput().getType());
}
ConvParams ConvTransposeOp::getConvParams() {
  return getConvParamsImpl(*this, getSpatialRank());
}
SmallVector<int64_t> ConvTransposeOp::getOutputPaddingOrDefault() {
  unsigned rank = getSpatialRank();
  std::optional<ArrayRef<int64_t>> opad = getOutputPadding();
  if (opad && opad->size() == rank)
    return SmallVector<int64_t>(opad->begin(), opad->end());
  return SmallVector<int64_t>(rank, 0);
}

LogicalResult ConvTransposeOp::verify() {
  unsigned rank = getSpatialRank();
  ConvParams p = getConvParams();
  if (failed(verifyArrayAttr(*this, "output_padding", getOutputPadding(), rank,
                             0, "one per spatial dimension")))
    return failure();
  SmallVector<int64_t> opad = getOutputPaddingOrDefault();
  for (unsigned i = 0; i < rank; ++i)
    if (opad[i] >= std::max(p.strides[i], p.dilations[i]))
      return emitOpError() << "'output_padding' entry " << i << " is "
                           << opad[i] << "; it must be smaller than "
                           << "max(stride, dilation) = "
                           << std::max(p.strides[i], p.dilations[i]);

  // The output size, from the transposed convolution's own formula (when
  // the shapes are well-formed enough to read it; verifyConvFamily reports
  // the rest).
  auto input = dyn_cast<RankedTensorType>(getInput().getType());
  auto filter = dyn_cast<RankedTensorType>(getFilter().getType());
  auto output = dyn_cast<RankedTensorType>(getOutput().getType());
  ConvDimPositions pos = p.positions();
  if (rank >= 1 && input && filter && output &&
      filter.getRank() == input.getRank() &&
      output.getRank() == input.getRank()) {
    for (unsigned i = 0; i < rank; ++i) {
      int64_t s = input.getDimSize(pos.spatial(i)),
              k = filter.getDimSize(pos.spatial(i)),
              o = output.getDimSize(pos.spatial(i));
      if (ShapedType::isDynamic(s) || ShapedType::isDynamic(k) ||
          ShapedType::isDynamic(o) || k < 1 || s > kMaxConvValue ||
          k > kMaxConvValue)
        continue;
      int64_t expected = (s - 1) * p.strides[i] - p.padLow[i] - p.padHigh[i] +
                         p.dilations[i] * (k - 1) + opad[i] + 1;
      if (o != expected)
        return emitOpError()
               << "'output' spatial dimension " << i << " is " << o
               << ", but (S - 1) * s - lo - hi + d * (K - 1) + "
                  "output_padding + 1 = ("
               << s << " - 1) * " << p.strides[i] << " - " << p.padLow[i]
               << " - " << p.padHigh[i] << " + " << p.dilations[i] << " * ("
               << k << " - 1) + " << opad[i] << " + 1 = " << expected;
    }
  }

  // Everything else is the convolution this op transposes: its input is
  // our output, its output our input, the same filter; output_padding only
  // lowers the high padding the forward relation sees.
  ConvParams forward = p;
  for (unsigned i = 0; i < rank && i < forward.padHigh.size(); ++i)
    forward.padHigh[i] -= opad[i];
  ConvTensors t{{getOutput().getType(), "output"},
                {getFilter().getType(), "filter"},
                {getInput().getType(), "input"}};
  if (failed(verifyConvFamily(*this, t, getStrides(), getPadding(),
                              getDilations(), getGroups(), forward)))
    return failure();
  if (!getBias())
    return success();
  auto bias = dyn_cast<RankedTensorType>(getBias().getType());
  if (!bias || bias.getRank() != 1)
    return emitOpError() << "'bias' must be a 1-D tensor, got "
                         << getBias().getType();
  if (bias.getElementType() != output.getElementType())
    return emitOpError() << "'bias' element type " << bias.getElementType()
                         << " differs from 'output' element type "
                         << output.getElementType();
  int64_t b = bias.getDimSize(0), c = output.getDimSize(pos.channel());
  if (!ShapedType::isDynamic(b) && !ShapedType::isDynamic(c) && b != c)
    return emitOpError() << "'bias' has " << b << " elements but 'output' has "
                         << c << " channels";
  return success();
}

//===----------------------------------------------------------------------===//
// ConvBackwardFilterOp
//===----------------------------------------------------------------------===//

unsigned ConvBackwardFilterOp::getSpatialRank() {
  return spatialRankOf(getInput().getType());
}
ConvParams ConvBackwardFilterOp::getConvParams() {
  return getConvParamsImpl(*this, getSpatialRank());
}

LogicalResult ConvBackwardFilterOp::verify() {
  ConvTensors t{{getInput().getType(), "input"},
                {getGradFilter().getType(), "grad_filter"},
                {getGradOutput().getType(), "grad_output"}};
  return verifyConvFamily(*this, t, getStrides(), getPadding(), getDilations(),
                          getGroups(), getConvParams());
}

//===----------------------------------------------------------------------===//
// ConvBackwardBiasOp
//===----------------------------------------------------------------------===//

unsigned ConvBackwardBiasOp::getSpatialRank() {
  return spatialRankOf(getGradOutput().getType());
}

LogicalResult ConvBackwardBiasOp::verify() {
  if (failed(verifyConvTensor(*this, {getGradOutput().getType(), "grad_output"})))
    return failure();
  auto dy = cast<RankedTensorType>(getGradOutput().getType());
  auto db = dyn_cast<RankedTensorType>(getGradBias().getType());
  if (!db || db.getRank() != 1)
    return emitOpError() << "'grad_bias' must be a 1-D tensor, got "
                         << getGradBias().getType();
  if (db.getElementType() != dy.getElementType())
    return emitOpError() << "'grad_bias' element type " << db.getElementType()
                         << " differs from 'grad_output' element type "
                         << dy.getElementType();
  ConvDimPositions pos{getSpatialRank(),
                       getLayout() == Layout::ChannelsLast};
  int64_t f = dy.getDimSize(pos.channel());
  int64_t b = db.getDimSize(0);
  if (!ShapedType::isDynamic(f) && !ShapedType::isDynamic(b) && f != b)
    return emitOpError() << "'grad_bias' has " << b
                         << " elements but 'grad_output' has " << f
                         << " channels (dimension " << pos.channel() << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// InsertZerosOp
//===----------------------------------------------------------------------===//

static int64_t zeroInsertedSize(int64_t size, int64_t stride) {
  if (ShapedType::isDynamic(size))
    return stride == 1 ? size : ShapedType::kDynamic;
  return size == 0 ? 0 : (size - 1) * stride + 1;
}

void InsertZerosOp::build(OpBuilder &builder, OperationState &state,
                          Value source, ArrayRef<int64_t> strides) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<int64_t> shape;
  for (auto [size, stride] : llvm::zip(type.getShape(), strides))
    shape.push_back(zeroInsertedSize(size, stride));
  build(builder, state, type.clone(shape), source,
        builder.getDenseI64ArrayAttr(strides));
}

LogicalResult InsertZerosOp::verify() {
  auto src = cast<RankedTensorType>(getSource().getType());
  auto res = cast<RankedTensorType>(getResult().getType());
  if (src.getElementType() != res.getElementType())
    return emitOpError() << "result element type " << res.getElementType()
                         << " differs from source element type "
                         << src.getElementType();
  if (failed(verifyArrayAttr(*this, "strides", getStrides(), src.getRank(), 1,
                             "one per source dimension")))
    return failure();
  if (res.getRank() != src.getRank())
    return emitOpError() << "result rank " << res.getRank()
                         << " differs from source rank " << src.getRank();
  for (auto [i, stride] : llvm::enumerate(getStrides())) {
    // Found by convgrad-fuzz-gen: (size - 1) * stride + 1 must not overflow.
    int64_t size = src.getDimSize(i), product;
    if (!ShapedType::isDynamic(size) && size > 0 &&
        (llvm::MulOverflow(size - 1, stride, product) ||
         product >= std::numeric_limits<int64_t>::max()))
      return emitOpError() << "result dimension " << i
                           << " overflows: (size - 1) * stride + 1 with size "
                           << size << " and stride " << stride
                           << " does not fit in 64 bits";
    int64_t expected = zeroInsertedSize(size, stride);
    if (res.getDimSize(i) != expected)
      return emitOpError() << "result dimension " << i << " is "
                           << formatDim(res.getDimSize(i)) << ", expected "
                           << formatDim(expected)
                           << " ((size - 1) * stride + 1 with size "
                           << formatDim(src.getDimSize(i)) << " and stride "
                           << stride << ")";
  }
  return success();
}

OpFoldResult InsertZerosOp::fold(FoldAdaptor) {
  if (llvm::all_of(getStrides(), [](int64_t s) { return s == 1; }) &&
      getSource().getType() == getType())
    return getSource();
  return {};
}

//===----------------------------------------------------------------------===//
// ReverseOp
//===----------------------------------------------------------------------===//

LogicalResult ReverseOp::verify() {
  auto type = cast<RankedTensorType>(getSource().getType());
  int64_t previous = -1;
  for (int64_t dim : getDimensions()) {
    if (dim < 0 || dim >= type.getRank())
      return emitOpError() << "dimension " << dim << " is out of range for a "
                           << "tensor of rank " << type.getRank();
    if (dim <= previous)
      return emitOpError()
             << "'dimensions' must be strictly increasing, got " << dim
             << " after " << previous;
    previous = dim;
  }
  return success();
}

OpFoldResult ReverseOp::fold(FoldAdaptor adaptor) {
  auto type = cast<RankedTensorType>(getSource().getType());
  // Reversing nothing, or only dimensions of size 1, is the identity.
  if (llvm::all_of(getDimensions(),
                   [&](int64_t d) { return type.getDimSize(d) == 1; }))
    return getSource();
  // A splat reads the same in any order.
  if (auto splat = dyn_cast_if_present<SplatElementsAttr>(adaptor.getSource()))
    return splat;
  return {};
}

#define GET_OP_CLASSES
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.cpp.inc"
