//===- TensorUtils.cpp - Data movement helpers for the rewrites -----------===//

#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::convgrad;

SmallVector<OpFoldResult> mlir::convgrad::getSizes(OpBuilder &b, Location loc,
                                                   Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (type.isDynamicDim(i))
      sizes.push_back(tensor::DimOp::create(b, loc, value, i).getResult());
    else
      sizes.push_back(b.getIndexAttr(type.getDimSize(i)));
  }
  return sizes;
}

Value mlir::convgrad::createFilledTensor(OpBuilder &b, Location loc,
                                         ArrayRef<OpFoldResult> sizes,
                                         Type elementType, double value) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, elementType);
  // Integer and index element types (convgrad.insert_zeros accepts any
  // element type) get an integer constant: a FloatAttr of a non-float type
  // is malformed IR (found by convgrad-fuzz-gen).
  TypedAttr attr = elementType.isIntOrIndex()
                       ? TypedAttr(b.getIntegerAttr(elementType,
                                                    static_cast<int64_t>(value)))
                       : TypedAttr(b.getFloatAttr(elementType, value));
  Value scalar = arith::ConstantOp::create(b, loc, attr);
  return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{empty})
      .getResult(0);
}

SmallVector<int64_t>
mlir::convgrad::channelsFirstToLastPermutation(unsigned spatialRank) {
  SmallVector<int64_t> perm = {0};
  for (unsigned i = 0; i < spatialRank; ++i)
    perm.push_back(2 + i);
  perm.push_back(1);
  return perm;
}

SmallVector<int64_t>
mlir::convgrad::channelsLastToFirstPermutation(unsigned spatialRank) {
  SmallVector<int64_t> perm = {0, spatialRank + 1};
  for (unsigned i = 0; i < spatialRank; ++i)
    perm.push_back(1 + i);
  return perm;
}

Value mlir::convgrad::transposeTensor(OpBuilder &b, Location loc, Value source,
                                      ArrayRef<int64_t> permutation) {
  if (llvm::equal(permutation, llvm::seq<int64_t>(0, permutation.size())))
    return source;
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, source);
  SmallVector<OpFoldResult> permuted;
  for (int64_t p : permutation)
    permuted.push_back(sizes[p]);
  Value init = tensor::EmptyOp::create(b, loc, permuted, type.getElementType());
  return linalg::TransposeOp::create(b, loc, source, init, permutation)
      .getResult()[0];
}

Value mlir::convgrad::splitDim(OpBuilder &b, Location loc, Value source,
                               int64_t dim, int64_t outer) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, source);
  SmallVector<OpFoldResult> outputShape;
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0, j = 0; i < type.getRank(); ++i) {
    if (i != dim) {
      outputShape.push_back(sizes[i]);
      shape.push_back(type.getDimSize(i));
      reassociation.push_back({j++});
      continue;
    }
    outputShape.push_back(b.getIndexAttr(outer));
    shape.push_back(outer);
    if (type.isDynamicDim(i)) {
      Value outerValue = arith::ConstantIndexOp::create(b, loc, outer);
      outputShape.push_back(
          arith::DivUIOp::create(b, loc, cast<Value>(sizes[i]), outerValue)
              .getResult());
      shape.push_back(ShapedType::kDynamic);
    } else {
      outputShape.push_back(b.getIndexAttr(type.getDimSize(i) / outer));
      shape.push_back(type.getDimSize(i) / outer);
    }
    reassociation.push_back({j, j + 1});
    j += 2;
  }
  return tensor::ExpandShapeOp::create(b, loc, type.clone(shape), source,
                                       reassociation, outputShape);
}

Value mlir::convgrad::mergeDims(OpBuilder &b, Location loc, Value source,
                                int64_t dim) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (i == dim) {
      reassociation.push_back({i, i + 1});
      ++i;
    } else {
      reassociation.push_back({i});
    }
  }
  return tensor::CollapseShapeOp::create(b, loc, source, reassociation);
}

/// The slice of `source` that keeps `size` elements from `offset` along `dim`
/// and all of every other dimension, of type `resultType` (null: inferred,
/// the same rank as `source`).
static Value extractSliceAlongDim(OpBuilder &b, Location loc, Value source,
                                  int64_t dim, OpFoldResult offset,
                                  int64_t size, RankedTensorType resultType) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, source);
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  offsets[dim] = offset;
  sizes[dim] = b.getIndexAttr(size);
  return tensor::ExtractSliceOp::create(b, loc, resultType, source, offsets,
                                        sizes, strides);
}

Value mlir::convgrad::sliceAlongDim(OpBuilder &b, Location loc, Value source,
                                    int64_t dim, OpFoldResult offset,
                                    int64_t size) {
  return extractSliceAlongDim(b, loc, source, dim, offset, size,
                              RankedTensorType());
}

Value mlir::convgrad::sliceWithoutDim(OpBuilder &b, Location loc, Value source,
                                      int64_t dim, OpFoldResult index) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + dim);
  return extractSliceAlongDim(
      b, loc, source, dim, index, /*size=*/1,
      RankedTensorType::get(shape, type.getElementType()));
}

Value mlir::convgrad::padOrCrop(OpBuilder &b, Location loc, Value source,
                                ArrayRef<int64_t> low, ArrayRef<int64_t> high) {
  auto type = cast<RankedTensorType>(source.getType());
  int64_t rank = type.getRank();
  // Along each dimension the result is the window [-low, size + high) of the
  // source extended by zeros. Only static (spatial) sizes are cropped.
  SmallVector<int64_t> keepBegin(rank, 0), keepEnd(type.getShape());
  SmallVector<int64_t> resultShape(type.getShape());
  bool crops = false, pads = false, empty = false;
  for (int64_t i = 0; i < rank; ++i) {
    if (low[i] == 0 && high[i] == 0)
      continue;
    assert(!type.isDynamicDim(i) && "cannot pad or crop a dynamic dimension");
    int64_t size = type.getDimSize(i);
    keepBegin[i] = std::max<int64_t>(0, -low[i]);
    keepEnd[i] = std::min<int64_t>(size, size + high[i]);
    resultShape[i] = size + low[i] + high[i];
    crops |= keepBegin[i] > 0 || keepEnd[i] < size;
    pads |= low[i] > 0 || high[i] > 0;
    // Cropping more than the whole dimension leaves nothing of the source:
    // the result is all padding.
    empty |= keepEnd[i] <= keepBegin[i];
  }
  // A source with a zero-size dimension has no element to keep either; an
  // extract_slice of it would not verify (offset 0 >= size 0, found by
  // convgrad-fuzz-gen with zero channels).
  if ((crops || pads) && llvm::is_contained(type.getShape(), 0))
    empty = true;
  if (empty) {
    SmallVector<OpFoldResult> sizes = getSizes(b, loc, source);
    for (int64_t i = 0; i < rank; ++i)
      if (!type.isDynamicDim(i))
        sizes[i] = b.getIndexAttr(resultShape[i]);
    return createFilledTensor(b, loc, sizes, type.getElementType(), 0.0);
  }
  if (crops) {
    SmallVector<OpFoldResult> offsets, sizes = getSizes(b, loc, source),
                                       strides(rank, b.getIndexAttr(1));
    SmallVector<int64_t> shape(type.getShape());
    for (int64_t i = 0; i < rank; ++i) {
      offsets.push_back(b.getIndexAttr(keepBegin[i]));
      if (!type.isDynamicDim(i)) {
        shape[i] = keepEnd[i] - keepBegin[i];
        sizes[i] = b.getIndexAttr(shape[i]);
      }
    }
    source = tensor::ExtractSliceOp::create(b, loc, type.clone(shape), source,
                                            offsets, sizes, strides);
  }
  if (!pads)
    return source;
  SmallVector<OpFoldResult> lowPad, highPad;
  for (int64_t i = 0; i < rank; ++i) {
    lowPad.push_back(b.getIndexAttr(std::max<int64_t>(0, low[i])));
    highPad.push_back(b.getIndexAttr(std::max<int64_t>(0, high[i])));
  }
  Value zero = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(type.getElementType(), 0.0));
  return tensor::PadOp::create(b, loc, type.clone(resultShape), source, lowPad,
                               highPad, zero);
}

Value mlir::convgrad::sumTensors(OpBuilder &b, Location loc, ValueRange terms,
                                 Type elementType) {
  auto type = cast<RankedTensorType>(terms.front().getType());
  Value init = tensor::EmptyOp::create(b, loc, getSizes(b, loc, terms.front()),
                                       elementType);
  SmallVector<AffineMap> maps(terms.size() + 1,
                              b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto sum = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, terms, ValueRange{init}, maps,
      iterators, [&](OpBuilder &bb, Location bl, ValueRange args) {
        Value total = args[0];
        for (Value term : args.drop_front().drop_back())
          total = arith::AddFOp::create(bb, bl, total, term);
        linalg::YieldOp::create(bb, bl, castFloat(bb, bl, total, elementType));
      });
  return sum.getResult(0);
}

Value mlir::convgrad::sumBlocksAlongDim0(OpBuilder &b, Location loc,
                                         Value source, int64_t parts,
                                         Type elementType) {
  auto type = cast<RankedTensorType>(source.getType());
  int64_t rows = type.getDimSize(0) / parts;
  SmallVector<Value> blocks;
  for (int64_t p = 0; p < parts; ++p)
    blocks.push_back(
        sliceAlongDim(b, loc, source, 0, b.getIndexAttr(p * rows), rows));
  return sumTensors(b, loc, blocks, elementType);
}

Value mlir::convgrad::castFloat(OpBuilder &b, Location loc, Value value,
                                Type type) {
  unsigned from = value.getType().getIntOrFloatBitWidth();
  unsigned to = type.getIntOrFloatBitWidth();
  if (value.getType() == type)
    return value;
  if (from < to)
    return arith::ExtFOp::create(b, loc, type, value);
  return arith::TruncFOp::create(b, loc, type, value);
}

Value mlir::convgrad::multiplyAccumulate(OpBuilder &b, Location loc, Value acc,
                                         Value lhs, Value rhs) {
  Type type = acc.getType();
  Value prod = arith::MulFOp::create(b, loc, castFloat(b, loc, lhs, type),
                                     castFloat(b, loc, rhs, type));
  return arith::AddFOp::create(b, loc, acc, prod);
}

Value mlir::convgrad::convertElementType(OpBuilder &b, Location loc,
                                         Value source, Type elementType) {
  auto type = cast<RankedTensorType>(source.getType());
  if (type.getElementType() == elementType)
    return source;
  Value init = tensor::EmptyOp::create(b, loc, getSizes(b, loc, source),
                                       elementType);
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{source},
             ValueRange{init}, ArrayRef<AffineMap>{identity, identity},
             iterators, /*doc=*/"", /*libraryCall=*/"",
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nloc, castFloat(nb, nloc, args[0], elementType));
             })
      .getResult(0);
}

Value mlir::convgrad::addChannelBias(OpBuilder &b, Location loc, Value source,
                                     Value bias, unsigned channelDim) {
  auto type = cast<RankedTensorType>(source.getType());
  unsigned rank = type.getRank();
  Type elementType = type.getElementType();
  Type sumType = elementType.isF16() || elementType.isBF16()
                     ? Type(b.getF32Type())
                     : elementType;
  AffineMap biasMap = AffineMap::get(rank, 0, b.getAffineDimExpr(channelDim));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{bias}, ValueRange{source},
             ArrayRef<AffineMap>{biasMap, b.getMultiDimIdentityMap(rank)},
             iterators, /*doc=*/"", /*libraryCall=*/"",
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value sum = arith::AddFOp::create(
                   nb, nloc, castFloat(nb, nloc, args[1], sumType),
                   castFloat(nb, nloc, args[0], sumType));
               linalg::YieldOp::create(nb, nloc,
                                       castFloat(nb, nloc, sum, elementType));
             })
      .getResult(0);
}
