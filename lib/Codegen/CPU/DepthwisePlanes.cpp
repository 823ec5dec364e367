//===- DepthwisePlanes.cpp - Channels-first depthwise convolutions --------===//
//
// A channels-first depthwise convolution reads and writes whole planes
// [N, C, S...]: every output plane is a small 2-D (1-D, 3-D) convolution of
// one input plane. Computing it channels-last costs two transposes of every
// activation (each as large as the whole layer's traffic), and the filter
// gradient in forward form reduces only over the batch. This rewrite
// computes such ops where the data is, one plane at a time, with vectors
// along the innermost spatial dimension:
//
//   - convolution (convgrad.conv with groups == C, any channel multiplier,
//     or groups of a few channels: C/G input planes per output plane), and
//     the data gradient of a depthwise or grouped op (the
//     stride-1 convolution of dy, with s - 1 zeros inserted between its
//     elements when strided, re-padded by (K - 1) * d - lo, which may be
//     negative: a crop, by the flipped filter; the zeros are inserted while
//     copying dy into the scratch plane, one shuffle per vector):
//       per output plane and register block of `rowBlock` rows x
//       `vectorBlock` vectors, acc[r][q] += broadcast(w[tap]) *
//       plane[(y + r) * s + k * d, (x + q * lanes) * s + k_W * d ...];
//   - filter gradient (convgrad.conv_backward_filter, depthwise or groups
//     of a few channels: C/G input planes m per filter):
//       per output plane (filter) and block of (m, kernel tap) pairs, one
//       accumulator vector per pair stays in registers over the whole
//       (n, y, x) reduction, acc[m, tap] += plane_m[y * s + k * d, x * s +
//       k_W * d ...] * dy[n, f, y, x ...]; one horizontal sum per (filter,
//       m, tap) at the end. The group's planes are copied by its first
//       filter, or, for 2-D planes with unit innermost stride (and element
//       types with masked loads), read where they are: no scratch; the
//       output rows and vectors where a tap reads outside the plane are
//       unrolled, reading x masked to the plane and shifted past the low
//       padding in registers, leaving out taps whose rows are outside; a
//       row's last vector of at most half the lanes is computed for two
//       rows at once, in the two halves of one vector (pairsRowTails).
//
// The input plane (the C/G planes of a group, once per group) is first
// copied into a small zero-bordered scratch plane
// (per task, in the accumulator type): its borders are zeroed once, so the
// padding (and a crop, for negative amounts) costs no branch and no full
// padded copy of the tensor, and every read of the kernel is a full,
// in-bounds vector load. Its innermost dimension is long enough for a whole
// number of vectors, so the last, partial vector of a row (a remainder) is
// computed with the same vectors: its store is masked (convolutions) or its
// lanes beyond the row do not accumulate (filter gradients: x read masked
// to zeros there), never a scalar loop. Its rows may be aligned to whole
// vectors (the strategy's scratchRowAlignment): stored from a column
// origin that puts input column 0 on a vector boundary, so that the copy's
// stores and the reads at the low padding's tap do not split cache lines.
// A convolution's register block reads each scratch vector once and feeds
// it to all of its (tap, row) products (input-stationary: no vector stays
// live across taps), each accumulator still summing its taps in tap order.
// With the strategy's prefetchPlanesAhead, each of a 2-D convolution's row
// blocks also prefetches its share of the input planes that the copy reads
// that many output planes later (a filter gradient's with the copy: of the
// x planes of the filter that many on, and its rows of that dy plane).
// An innermost stride s > 1 reads s vectors and keeps every s-th lane (one
// shuffle); a filter gradient's copy instead keeps the s phases of each
// scratch row apart (tiling.phaseSplitColumns: one shuffle per copied
// vector), so that each of its taps reads one contiguous vector. Kernel taps
// and register blocks are unrolled; planes, images, rows and vectors are scf
// loops; one scf.forall over blocks of output planes gives each thread its
// planes (no reduction between threads).
//
// Channels-last grouped ops and channel multipliers that the channels-last
// depthwise path (run before) does not compute are computed the same way
// between transposes of their operands and result (one pass over each
// activation; a channels-last vector along 4 channels per group would fill
// a quarter of its lanes, except in that path's grouped data gradient).
//
// Every size (lanes, register blocks, tap blocks, tasks) and whether the
// form applies at all (innermost stride, taps, terms, scratch size, layout)
// is decided by cpu::getDepthwisePlaneTiling and
// cpu::isChannelsLastPlanewise (TilingStrategy.h) for the module's target.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/DepthwiseUtils.h"
#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Utils/ConvShape.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <map>

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCPUDEPTHWISEPLANES
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

/// A convolution computed plane by plane, channels-first:
///   out[n, o, y...] (+)= sum over m < terms and taps k of
///       in[n, inPlane(o, m), y * s + k * d - lo] * filter(o, m, k)
/// with inPlane(o, m) = (o / outPerGroup) * terms + m.
struct PlaneConv {
  unsigned rank = 0;
  SmallVector<int64_t> inSizes, outSizes, kernel, strides, dilations, padLow;
  int64_t planes = 1;      ///< output planes per image
  int64_t terms = 1;       ///< input planes summed into one output plane
  int64_t outPerGroup = 1; ///< consecutive output planes sharing inputs
  /// The filter is that of a data gradient [F, C/G, K...] read flipped:
  /// w[g * terms + m, o - g * outPerGroup, K - 1 - k]; else w[o, m, k].
  bool backwardData = false;
  /// Zeros inserted between input elements (s - 1 per dimension: the data
  /// gradient of a strided convolution as a stride-1 convolution); empty
  /// for none.
  SmallVector<int64_t> inputStrides;

  int64_t inputStride(unsigned i) const {
    return inputStrides.empty() ? 1 : inputStrides[i];
  }
  int64_t numTaps() const {
    int64_t taps = 1;
    for (int64_t k : kernel)
      taps *= k;
    return taps;
  }
  /// The kernel position of linear tap t (row-major).
  SmallVector<int64_t> tap(int64_t t) const {
    SmallVector<int64_t> k(rank);
    for (int i = rank - 1; i >= 0; --i) {
      k[i] = t % kernel[i];
      t /= kernel[i];
    }
    return k;
  }
  /// Vectors along an output row (the last one partial when the row is not
  /// a multiple of `lanes`).
  int64_t rowVectors(int64_t lanes) const {
    return (outSizes.back() + lanes - 1) / lanes;
  }
  /// The scratch plane: every padded row a window reads, and whole vectors
  /// (s lanes apart) along the innermost dimension.
  SmallVector<int64_t> scratchSizes(int64_t lanes) const {
    SmallVector<int64_t> sizes;
    for (unsigned i = 0; i + 1 < rank; ++i)
      sizes.push_back((outSizes[i] - 1) * strides[i] +
                      (kernel[i] - 1) * dilations[i] + 1);
    sizes.push_back(rowVectors(lanes) * lanes * strides.back() +
                    (kernel.back() - 1) * dilations.back());
    return sizes;
  }

  // The edges of a 2-D plane read in place (see wgradTapsFromInput).
  /// Offset of the input position that tap k reads along dimension i from
  /// output position y * s there.
  int64_t offset(unsigned i, ArrayRef<int64_t> k) const {
    return k[i] * dilations[i] - padLow[i];
  }
  /// Whether tap k of output row y reads a row inside the plane.
  bool rowInside(int64_t y, ArrayRef<int64_t> k) const {
    int64_t row = y * strides[0] + offset(0, k);
    return row >= 0 && row < inSizes[0];
  }
  /// Whether tap k of output vector q (innermost stride 1) reads columns
  /// inside the row, and q is a full vector.
  bool vectorInside(int64_t q, int64_t lanes, ArrayRef<int64_t> k) const {
    int64_t col = q * lanes + offset(1, k);
    return col >= 0 && col + lanes <= inSizes[1] &&
           (q + 1) * lanes <= outSizes[1];
  }
  /// [lo, hi): the output rows whose every tap of `taps` (linear, modulo
  /// the terms) reads inside the plane (an interval: the conditions are
  /// monotone in y); empty at lo = hi.
  std::pair<int64_t, int64_t> insideRows(ArrayRef<int64_t> taps) const {
    return insideInterval(outSizes[0], taps,
                          [&](int64_t y, auto k) { return rowInside(y, k); });
  }
  /// [lo, hi): the output vectors of a row whose every tap of `taps`
  /// reads inside the row.
  std::pair<int64_t, int64_t> insideVectors(ArrayRef<int64_t> taps,
                                            int64_t lanes) const {
    return insideInterval(rowVectors(lanes), taps, [&](int64_t q, auto k) {
      return vectorInside(q, lanes, k);
    });
  }

private:
  template <typename Inside>
  std::pair<int64_t, int64_t>
  insideInterval(int64_t end, ArrayRef<int64_t> taps, Inside inside) const {
    auto all = [&](int64_t i) {
      return llvm::all_of(taps, [&](int64_t t) {
        return inside(i, ArrayRef<int64_t>(tap(t % numTaps())));
      });
    };
    int64_t lo = 0;
    while (lo < end && !all(lo))
      ++lo;
    int64_t hi = lo;
    while (hi < end && all(hi))
      ++hi;
    return {lo, hi};
  }
};

/// Emits the rewrite's loops and vectors for one op.
class PlaneEmitter {
public:
  PlaneEmitter(OpBuilder &b, Location loc, const PlaneConv &pc,
               const cpu::DepthwisePlaneTiling &tiling, Type elementType,
               Type accType)
      : b(b), loc(loc), pc(pc), tiling(tiling), elementType(elementType),
        accType(accType),
        vecType(VectorType::get({tiling.lanes}, accType)) {}

  /// Where scratch column 0 (of pc.scratchSizes) is stored in a row: input
  /// column 0, at scratch column padLow, then starts on a multiple of the
  /// strategy's row alignment.
  int64_t columnOrigin() const {
    int64_t align = tiling.scratchRowAlignment;
    return ((-pc.padLow.back()) % align + align) % align;
  }

  /// The innermost stride s whose phases the scratch rows keep apart
  /// (tiling.phaseSplitColumns), else 1: logical column c of a row (input
  /// column c - lo, for the low padding lo) is then element c / s of the
  /// row's phase c % s, each phase phaseLength() elements, so that the
  /// lanes x0 + j of a tap read contiguous elements of one phase.
  int64_t phases() const {
    return tiling.phaseSplitColumns ? pc.strides.back() : 1;
  }

  /// The first element of phase p that holds an input column, and how
  /// many do.
  std::pair<int64_t, int64_t> phaseColumns(int64_t p) const {
    int64_t s = phases(), lo = pc.padLow.back();
    int64_t first = std::max<int64_t>(0, llvm::divideCeilSigned(lo - p, s));
    int64_t last = floorDiv(pc.inSizes.back() - 1 + lo - p, s);
    return {first, std::max<int64_t>(0, last - first + 1)};
  }

  /// Elements of a phase row, in whole vectors: every vector the taps read
  /// (x0 + j + k * d / s) and every one the copy writes.
  int64_t phaseLength() const {
    int64_t s = phases(), lanes = tiling.lanes;
    int64_t length = pc.rowVectors(lanes) * lanes +
                     (pc.kernel.back() - 1) * pc.dilations.back() / s;
    for (int64_t p = 0; p < s; ++p) {
      auto [first, count] = phaseColumns(p);
      length = std::max<int64_t>(
          length, first + llvm::divideCeil(count, lanes) * lanes);
    }
    return llvm::alignTo(length, lanes);
  }

  /// A zero scratch tensor [terms, scratchSizes...] of the accumulator type,
  /// its rows columnOrigin() longer and rounded up to the row alignment (or
  /// its phase rows, see phases()).
  Value createScratch() {
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(pc.terms)};
    SmallVector<int64_t> sp = pc.scratchSizes(tiling.lanes);
    int64_t align = tiling.scratchRowAlignment;
    sp.back() =
        phases() > 1
            ? phases() * phaseLength()
            : llvm::divideCeil(columnOrigin() + sp.back(), align) * align;
    for (int64_t s : sp)
      sizes.push_back(b.getIndexAttr(s));
    return createFilledTensor(b, loc, sizes, accType, 0.0);
  }

  /// The `lanes` elements of `source` at `idx` whose innermost index is
  /// column `col` of a row of `rowSize` elements, zeros beyond the row
  /// (a partial vector when col + lanes > rowSize), in the accumulator
  /// type. LLVM has no masked load of bf16 vectors (AVX512-BF16 is off, see
  /// CPUTarget.h) and reads a partial one element by element; so a partial
  /// bf16 vector is the row's last full vector, converted and shifted down
  /// (one shuffle in the accumulator type), when the row has one.
  Value readRowVector(OpBuilder &bb, Location l, Value source,
                      SmallVector<Value> idx, int64_t col, int64_t rowSize) {
    int64_t lanes = tiling.lanes, valid = rowSize - col;
    bool inBounds = valid >= lanes;
    if (inBounds || !isa<BFloat16Type>(elementType) || rowSize < lanes) {
      idx.back() = indexConstant(bb, l, col);
      return readVector(bb, l, source, idx, inBounds);
    }
    idx.back() = indexConstant(bb, l, rowSize - lanes);
    Value v = readVector(bb, l, source, idx, /*inBounds=*/true);
    Value zeros = arith::ConstantOp::create(
        bb, l, vecType,
        DenseElementsAttr::get(vecType, bb.getFloatAttr(accType, 0.0)));
    SmallVector<int64_t> down;
    for (int64_t j = 0; j < lanes; ++j)
      down.push_back(j < valid ? lanes - valid + j : lanes);
    return vector::ShuffleOp::create(bb, l, v, zeros, down);
  }

  /// Lanes [lo, hi) of the vector at static column `col` (negative in the
  /// low padding) of the row at `rowIdx` in `source` (`rowSize` elements),
  /// zeros elsewhere, as one shuffle of the row's whole vectors (columns
  /// [q * lanes, (q + 1) * lanes), zeros beyond the row) that it spans:
  /// every column shift of a row then reuses the same two loads, which do
  /// not split more cache lines than the row itself, where a load at each
  /// shifted column splits one nearly always.
  Value shiftedRowVector(OpBuilder &bb, Value source, ArrayRef<Value> rowIdx,
                         int64_t col, int64_t lo, int64_t hi,
                         int64_t rowSize) {
    int64_t lanes = tiling.lanes;
    int64_t q = floorDiv(col, lanes), shift = col - q * lanes;
    Value zeros = arith::ConstantOp::create(
        bb, loc, vecType,
        DenseElementsAttr::get(vecType, bb.getFloatAttr(accType, 0.0)));
    // Whole vector q of the row, and how many of its lanes hold columns of
    // the row (the others are zeros); a vector outside the row or without
    // a lane of [lo, hi) is not read.
    auto wholeVector = [&](int64_t v, bool needed) -> std::pair<Value, int64_t> {
      int64_t start = v * lanes, valid = std::min(lanes, rowSize - start);
      if (!needed || start < 0 || valid <= 0)
        return {zeros, 0};
      SmallVector<Value> idx(rowIdx.begin(), rowIdx.end());
      idx.push_back(indexConstant(bb, loc, start));
      return {readVector(bb, loc, source, idx, valid == lanes, valid), valid};
    };
    auto [low, lowValid] = wholeVector(q, shift + lo < lanes);
    auto [high, highValid] = wholeVector(q + 1, shift + hi > lanes);
    // Lane j is lane shift + j of low ++ high; lanes outside [lo, hi) take
    // a lane known to be zero, or else a select zeroes them.
    std::optional<int64_t> zeroLane;
    if (lowValid < lanes)
      zeroLane = lowValid;
    else if (highValid < lanes)
      zeroLane = lanes + highValid;
    SmallVector<int64_t> indices;
    bool select = false;
    for (int64_t j = 0; j < lanes; ++j) {
      int64_t from = shift + j;
      bool isZero = from < lanes ? from >= lowValid : from - lanes >= highValid;
      if ((j >= lo && j < hi) || isZero) {
        indices.push_back(from);
      } else if (zeroLane) {
        indices.push_back(*zeroLane);
      } else {
        indices.push_back(from);
        select = true;
      }
    }
    Value v = vector::ShuffleOp::create(bb, loc, low, high, indices);
    if (!select)
      return v;
    Value mask = vector::CreateMaskOp::create(
        bb, loc, VectorType::get({lanes}, bb.getI1Type()),
        ValueRange{indexConstant(bb, loc, hi)});
    return arith::SelectOp::create(bb, loc, mask, v, zeros);
  }

  /// The `lanes` elements of `source` at `idx` (zeros beyond its end
  /// unless `inBounds`, and beyond the first `validLanes` if given), in the
  /// accumulator type.
  Value readVector(OpBuilder &bb, Location l, Value source, ValueRange idx,
                   bool inBounds, std::optional<int64_t> validLanes = {},
                   int64_t width = 0) {
    int64_t lanes = width > 0 ? width : tiling.lanes;
    Value padding = arith::ConstantOp::create(
        bb, l, elementType, bb.getFloatAttr(elementType, 0.0));
    auto type = VectorType::get({lanes}, elementType);
    Value v;
    if (validLanes && *validLanes < lanes) {
      Value mask = vector::ConstantMaskOp::create(
          bb, l, VectorType::get({lanes}, bb.getI1Type()),
          ArrayRef<int64_t>{*validLanes});
      auto map = AffineMap::getMinorIdentityMap(idx.size(), 1, bb.getContext());
      v = vector::TransferReadOp::create(bb, l, type, source, idx, map, padding,
                                         mask, bb.getBoolArrayAttr({inBounds}));
    } else {
      v = vector::TransferReadOp::create(bb, l, type, source, idx, padding,
                                         ArrayRef<bool>{inBounds});
    }
    return castElements(bb, l, v, accType);
  }

  /// Copies plane [n, channel] of `source` (sizes pc.inSizes) into slot
  /// `slot` of `scratch`: element j of a dimension to j * z + lo, for the
  /// low padding lo (a negative one crops) and z = pc.inputStride (zeros
  /// between the elements; the scratch is zero elsewhere).
  Value copyPlane(Value scratch, int64_t slot, Value source, Value n,
                  Value channel) {
    SmallVector<int64_t> sp = pc.scratchSizes(tiling.lanes);
    unsigned r = pc.rank;
    // Input positions that land inside the scratch plane, per dimension.
    auto range = [&](unsigned i) {
      int64_t z = pc.inputStride(i), lo = pc.padLow[i];
      int64_t first = std::max<int64_t>(0, -floorDiv(lo, z));
      int64_t last = std::min(pc.inSizes[i], floorDiv(sp[i] - 1 - lo, z) + 1);
      return std::make_pair(first, last);
    };
    SmallVector<Value> lbs, ubs, steps;
    for (unsigned i = 0; i + 1 < r; ++i) {
      auto [first, last] = range(i);
      if (last <= first)
        return scratch; // the windows read only padding
      lbs.push_back(indexConstant(b, loc, first));
      ubs.push_back(indexConstant(b, loc, last));
      steps.push_back(indexConstant(b, loc, 1));
    }
    int64_t first, last;
    std::tie(first, last) = range(r - 1);
    if (last <= first)
      return scratch;
    int64_t z = pc.inputStride(r - 1);
    int64_t lanes = tiling.lanes;
    int64_t full = (last - first) / lanes, tail = (last - first) % lanes;
    scf::LoopNest nest = scf::buildLoopNest(
        b, loc, lbs, ubs, steps, ValueRange{scratch},
        [&](OpBuilder &bb, Location l, ValueRange rows,
            ValueRange iter) -> scf::ValueVector {
          // `tailCol`: the row's last, partial vector at that column.
          auto copyVector = [&](OpBuilder &cb, Value dst, Value col,
                                bool inBounds, int64_t tailCol = 0) {
            SmallVector<Value> src = {n, channel};
            SmallVector<Value> dstIdx = {indexConstant(cb, l, slot)};
            for (unsigned i = 0; i + 1 < r; ++i) {
              src.push_back(rows[i]);
              dstIdx.push_back(
                  addIndex(cb, l, mulIndex(cb, l, rows[i], pc.inputStride(i)),
                           pc.padLow[i]));
            }
            src.push_back(col);
            dstIdx.push_back(addIndex(cb, l, mulIndex(cb, l, col, z),
                                      pc.padLow.back() + columnOrigin()));
            Value v = inBounds ? readVector(cb, l, source, src, true)
                               : readRowVector(cb, l, source, src, tailCol,
                                               pc.inSizes.back());
            if (z > 1) {
              // z - 1 zeros after each element: one shuffle with a zero
              // vector. The write may reach z - 1 lanes past the scratch.
              Value zeros = arith::ConstantOp::create(
                  cb, l, v.getType(),
                  DenseElementsAttr::get(cast<ShapedType>(v.getType()),
                                         cb.getFloatAttr(accType, 0.0)));
              SmallVector<int64_t> spread;
              for (int64_t j = 0; j < lanes * z; ++j)
                spread.push_back(j % z == 0 ? j / z : lanes);
              v = vector::ShuffleOp::create(cb, l, v, zeros, spread);
            }
            return vector::TransferWriteOp::create(
                       cb, l, v, dst, dstIdx,
                       ArrayRef<bool>{inBounds && z == 1})
                .getResult();
          };
          Value dst = iter[0];
          if (phases() > 1)
            return {copyPhases(bb, l, dst, slot, source, n, channel, rows)};
          if (full > 0) {
            auto loop = scf::ForOp::create(
                bb, l, indexConstant(bb, l, first),
                indexConstant(bb, l, first + full * lanes),
                indexConstant(bb, l, lanes), ValueRange{dst},
                [&](OpBuilder &lb, Location ll, Value col, ValueRange it) {
                  scf::YieldOp::create(lb, ll,
                                       copyVector(lb, it[0], col, true));
                });
            dst = loop.getResult(0);
          }
          // The last columns: masked at the source's and the scratch's end
          // (beyond the source they are zeros, beyond the scratch dropped).
          if (tail > 0)
            dst = copyVector(bb, dst,
                             indexConstant(bb, l, first + full * lanes), false,
                             first + full * lanes);
          return {dst};
        });
    return nest.results.front();
  }

  /// copyPlane's row `rows` of plane [n, channel] into its phase rows
  /// (phases()): phase p's vector at element i0 gathers input columns
  /// i0 * s + p - lo + j * s (one read of s vectors and one shuffle),
  /// masked at the row's end. The elements before each phase's first
  /// column (the low padding) stay zero.
  Value copyPhases(OpBuilder &bb, Location l, Value dst, int64_t slot,
                   Value source, Value n, Value channel, ValueRange rows) {
    int64_t s = phases(), lanes = tiling.lanes, lo = pc.padLow.back();
    int64_t inCols = pc.inSizes.back(), length = phaseLength();
    SmallVector<int64_t> every;
    for (int64_t j = 0; j < lanes; ++j)
      every.push_back(j * s);
    for (int64_t p = 0; p < s; ++p) {
      auto [first, count] = phaseColumns(p);
      if (count == 0)
        continue;
      int64_t vectors = llvm::divideCeil(count, lanes);
      // Input column of the vector at element first + v * lanes; the
      // vectors whose s * lanes columns all lie in the row read in bounds.
      auto column = [&, first = first](int64_t v) {
        return (first + v * lanes) * s + p - lo;
      };
      int64_t inside = std::clamp<int64_t>(
          floorDiv(inCols - lanes * s - column(0), lanes * s) + 1, 0, vectors);
      auto copyVector = [&, first = first](OpBuilder &cb, Value into, Value v,
                                           bool inBounds) -> Value {
        SmallVector<Value> src = {n, channel};
        SmallVector<Value> dstIdx = {indexConstant(cb, l, slot)};
        for (unsigned i = 0; i + 1 < pc.rank; ++i) {
          src.push_back(rows[i]);
          dstIdx.push_back(addIndex(cb, l, rows[i], pc.padLow[i]));
        }
        Value offset = mulIndex(cb, l, v, lanes);
        src.push_back(addIndex(cb, l, mulIndex(cb, l, offset, s), column(0)));
        dstIdx.push_back(addIndex(cb, l, offset, p * length + first));
        // Stride 2 reads its two vectors apart: the shuffle of two loads
        // is one two-source shuffle (vshufps + vpermpd on AVX2), where
        // LLVM narrows a shuffle of one double-width load into element
        // inserts.
        Value phase;
        if (s == 2) {
          Value halves[2];
          for (int64_t h = 0; h < 2; ++h) {
            SmallVector<Value> at = src;
            at.back() = addIndex(cb, l, src.back(), h * lanes);
            halves[h] = readVector(cb, l, source, at, inBounds);
          }
          phase = vector::ShuffleOp::create(cb, l, halves[0], halves[1], every);
        } else {
          Value wide =
              readVector(cb, l, source, src, inBounds, std::nullopt, lanes * s);
          phase = vector::ShuffleOp::create(cb, l, wide, wide, every);
        }
        return vector::TransferWriteOp::create(cb, l, phase, into, dstIdx,
                                               ArrayRef<bool>{true})
            .getResult();
      };
      if (inside > 0) {
        auto loop = scf::ForOp::create(
            bb, l, indexConstant(bb, l, 0), indexConstant(bb, l, inside),
            indexConstant(bb, l, 1), ValueRange{dst},
            [&](OpBuilder &lb, Location ll, Value v, ValueRange it) {
              scf::YieldOp::create(lb, ll, copyVector(lb, it[0], v, true));
            });
        dst = loop.getResult(0);
      }
      for (int64_t v = inside; v < vectors; ++v)
        dst = copyVector(bb, dst, indexConstant(bb, l, v), false);
    }
    return dst;
  }

  /// The vector of lanes x = x0 + j (j < lanes) of scratch row `rows`,
  /// reading column x * s + offset; zeros where `mask` (of the s * lanes
  /// elements read, see readMask) is false, if given. With phase rows
  /// (phases()), element x0 + offset / s of phase offset % s on: one read.
  Value readScratch(OpBuilder &bb, Value scratch, int64_t slot,
                    ArrayRef<Value> rows, Value x0, int64_t offset,
                    Value mask = Value()) {
    int64_t s = pc.strides.back(), lanes = tiling.lanes;
    SmallVector<Value> idx = {indexConstant(bb, loc, slot)};
    idx.append(rows.begin(), rows.end());
    if (phases() > 1) {
      // Logical column x0 * s + offset (offset >= 0: the low padding is
      // in the phase rows).
      idx.push_back(
          addIndex(bb, loc, x0, offset % s * phaseLength() + offset / s));
      s = 1;
    } else {
      idx.push_back(
          addIndex(bb, loc, mulIndex(bb, loc, x0, s), offset + columnOrigin()));
    }
    VectorType wide = VectorType::get({lanes * s}, accType);
    Value padding = arith::ConstantOp::create(bb, loc, accType,
                                              bb.getFloatAttr(accType, 0.0));
    Value v;
    if (mask) {
      // A masked read: one zero-masked load (a select of a full one becomes
      // an expand on AVX-512).
      auto map = AffineMap::getMinorIdentityMap(idx.size(), 1,
                                                bb.getContext());
      v = vector::TransferReadOp::create(bb, loc, wide, scratch, idx, map,
                                         padding, mask,
                                         bb.getBoolArrayAttr({true}));
    } else {
      v = vector::TransferReadOp::create(bb, loc, wide, scratch, idx, padding,
                                         ArrayRef<bool>{true});
    }
    if (s == 1)
      return v;
    SmallVector<int64_t> every;
    for (int64_t j = 0; j < lanes; ++j)
      every.push_back(j * s);
    return vector::ShuffleOp::create(bb, loc, v, v, every);
  }

  /// The mask of readScratch that keeps the first `validLanes` lanes.
  Value readMask(OpBuilder &bb, Location l, int64_t validLanes) {
    int64_t s = phases() > 1 ? 1 : pc.strides.back();
    return vector::ConstantMaskOp::create(
        bb, l, VectorType::get({tiling.lanes * s}, bb.getI1Type()),
        ArrayRef<int64_t>{validLanes * s});
  }

  /// The filter element of output plane `o`, term m and tap k, as a
  /// broadcast vector of the accumulator type.
  Value filterVector(OpBuilder &bb, Value filter, Value o, int64_t m,
                     ArrayRef<int64_t> k) {
    SmallVector<Value> idx;
    if (pc.backwardData) {
      // g = o / outPerGroup; w[g * terms + m, o - g * outPerGroup, K-1-k].
      Value g = arith::DivUIOp::create(bb, loc, o,
                                       indexConstant(bb, loc, pc.outPerGroup));
      idx.push_back(addIndex(bb, loc, mulIndex(bb, loc, g, pc.terms), m));
      idx.push_back(arith::SubIOp::create(
          bb, loc, o, mulIndex(bb, loc, g, pc.outPerGroup)));
      for (unsigned i = 0; i < pc.rank; ++i)
        idx.push_back(indexConstant(bb, loc, pc.kernel[i] - 1 - k[i]));
    } else {
      idx.push_back(o);
      idx.push_back(indexConstant(bb, loc, m));
      for (unsigned i = 0; i < pc.rank; ++i)
        idx.push_back(indexConstant(bb, loc, k[i]));
    }
    Value w = tensor::ExtractOp::create(bb, loc, filter, idx);
    return vector::BroadcastOp::create(bb, loc, vecType,
                                       castElements(bb, loc, w, accType));
  }

  /// Output plane `oLocal` of image n of `out` (its slice of a task):
  /// register blocks over the scratch planes. `oGlobal` indexes the filter
  /// and the bias.
  Value convPlane(Value out, Value scratch, Value filter, Value bias, Value n,
                  Value oLocal, Value oGlobal, Value input) {
    unsigned r = pc.rank;
    int64_t lanes = tiling.lanes;
    int64_t rowBlock = r >= 2 ? tiling.rowBlock : 1;
    SmallVector<Value> lbs, ubs, steps;
    for (unsigned i = 0; i + 1 < r; ++i) {
      lbs.push_back(indexConstant(b, loc, 0));
      ubs.push_back(indexConstant(b, loc, pc.outSizes[i]));
      steps.push_back(indexConstant(b, loc, i + 2 == r ? rowBlock : 1));
    }
    // Blocks of `vb` full vectors in a loop, then one block of the vectors
    // left (fewer than vb full ones and the partial one, masked).
    int64_t vb = tiling.vectorBlock;
    int64_t full = pc.outSizes.back() / lanes;
    int64_t looped = full / vb * vb;
    int64_t rest = pc.rowVectors(lanes) - looped;
    bool partial = pc.outSizes.back() % lanes != 0;
    scf::LoopNest nest = scf::buildLoopNest(
        b, loc, lbs, ubs, steps, ValueRange{out},
        [&](OpBuilder &bb, Location l, ValueRange rows,
            ValueRange iter) -> scf::ValueVector {
          Value dst = iter[0];
          if (int64_t ahead = tiling.prefetchPlanesAhead; ahead > 0 && r == 2)
            prefetchInputPlanesAhead(bb, l, input, n, oGlobal, ahead,
                                     rows.back(), rowBlock);
          if (looped > 0) {
            auto loop = scf::ForOp::create(
                bb, l, indexConstant(bb, l, 0), indexConstant(bb, l, looped),
                indexConstant(bb, l, vb), ValueRange{dst},
                [&](OpBuilder &lb, Location ll, Value v, ValueRange it) {
                  scf::YieldOp::create(lb, ll,
                                       convBlock(lb, it[0], scratch, filter,
                                                 bias, n, oLocal, oGlobal, rows,
                                                 rowBlock,
                                                 mulIndex(lb, ll, v, lanes), vb,
                                                 /*partialLast=*/false));
                });
            dst = loop.getResult(0);
          }
          if (rest > 0)
            dst = convBlock(
                bb, dst, scratch, filter, bias, n, oLocal, oGlobal, rows,
                rowBlock, indexConstant(bb, l, looped * lanes), rest, partial);
          return {dst};
        });
    return nest.results.front();
  }

  /// The scratch reads of a convolution's register block of `rowBlock`
  /// rows: per read, its offsets from the block's first window (per
  /// spatial dimension, in scratch elements) and the (tap, block row)
  /// products it feeds. Sorted by offsets, so that every block row meets
  /// its taps in tap order.
  std::map<SmallVector<int64_t>, SmallVector<std::pair<int64_t, int64_t>>>
  scratchReadsOfBlock(int64_t rowBlock) const {
    unsigned r = pc.rank;
    std::map<SmallVector<int64_t>, SmallVector<std::pair<int64_t, int64_t>>>
        reads;
    for (int64_t t = 0, e = pc.numTaps(); t < e; ++t) {
      SmallVector<int64_t> k = pc.tap(t);
      for (int64_t rr = 0; rr < rowBlock; ++rr) {
        SmallVector<int64_t> offsets;
        for (unsigned i = 0; i < r; ++i)
          offsets.push_back((i + 2 == r ? rr * pc.strides[i] : 0) +
                            k[i] * pc.dilations[i]);
        reads[offsets].push_back({t, rr});
      }
    }
    return reads;
  }

  /// One register block: rowBlock rows from `rows` x `vectors` vectors from
  /// column x0 of the output plane; the last vector's store is masked at the
  /// row's end when `partialLast`.
  Value convBlock(OpBuilder &bb, Value out, Value scratch, Value filter,
                  Value bias, Value n, Value oLocal, Value oGlobal,
                  ValueRange rows, int64_t rowBlock, Value x0, int64_t vectors,
                  bool partialLast) {
    unsigned r = pc.rank;
    int64_t lanes = tiling.lanes;
    Value init;
    if (bias) {
      Value bv = tensor::ExtractOp::create(bb, loc, bias, ValueRange{oGlobal});
      init = vector::BroadcastOp::create(bb, loc, vecType,
                                         castElements(bb, loc, bv, accType));
    } else {
      init = arith::ConstantOp::create(
          bb, loc, vecType,
          DenseElementsAttr::get(vecType, bb.getFloatAttr(accType, 0.0)));
    }
    SmallVector<Value> acc(rowBlock * vectors, init);
    SmallVector<Value> xs;
    for (int64_t q = 0; q < vectors; ++q)
      xs.push_back(addIndex(bb, loc, x0, q * lanes));
    // Input-stationary order: every scratch vector the block reads is
    // loaded once and feeds all of its (tap, row) products at once, so it
    // dies at once. (In tap order, the vectors that kernel rows share stay
    // live from one tap to the next: more than the registers hold besides
    // the accumulators, so the register allocator spills them.) Each
    // accumulator still adds its taps in tap order (the reads are sorted
    // by kernel position), so results do not change.
    for (int64_t m = 0; m < pc.terms; ++m) {
      SmallVector<Value> weights(pc.numTaps());
      for (const auto &[offsets, uses] : scratchReadsOfBlock(rowBlock)) {
        SmallVector<Value> srows;
        for (unsigned i = 0; i + 1 < r; ++i)
          srows.push_back(addIndex(
              bb, loc, mulIndex(bb, loc, rows[i], pc.strides[i]), offsets[i]));
        for (int64_t q = 0; q < vectors; ++q) {
          Value xv =
              readScratch(bb, scratch, m, srows, xs[q], offsets.back());
          for (auto [t, rr] : uses) {
            Value &w = weights[t];
            if (!w)
              w = filterVector(bb, filter, oGlobal, m, pc.tap(t));
            Value &a = acc[rr * vectors + q];
            a = vector::FMAOp::create(bb, loc, xv, w, a);
          }
        }
      }
    }
    for (int64_t rr = 0; rr < rowBlock; ++rr) {
      SmallVector<Value> idx = {n, oLocal};
      for (unsigned i = 0; i + 1 < r; ++i)
        idx.push_back(i + 2 == r ? addIndex(bb, loc, rows[i], rr) : rows[i]);
      idx.push_back(Value());
      for (int64_t q = 0; q < vectors; ++q) {
        idx.back() = xs[q];
        Value v = castElements(bb, loc, acc[rr * vectors + q], elementType);
        bool inBounds = !(partialLast && q + 1 == vectors);
        out = vector::TransferWriteOp::create(bb, loc, v, out, idx,
                                              ArrayRef<bool>{inBounds})
                  .getResult();
      }
    }
    return out;
  }

  /// Adds to `acc` (one vector per tap of `taps`: m * numTaps + tap for
  /// the m-th input plane of the group) the products of image n's scratch
  /// planes and dy[n, f] over every output position. With `prefetchInput`
  /// (x, for the strategy's prefetchPlanesAhead), each row block of 2-D
  /// planes also prefetches its share of the x planes that the scratch
  /// copy of the filter that many filters on reads, and its rows of that
  /// filter's dy plane.
  SmallVector<Value> wgradTaps(ValueRange acc, ArrayRef<int64_t> taps,
                               Value scratch, Value dy, Value n, Value f,
                               Value prefetchInput = Value()) {
    unsigned r = pc.rank;
    int64_t lanes = tiling.lanes;
    // Rows in blocks of rowBlock (the second innermost dim): with stride 1,
    // a block reads rowBlock + KH - 1 scratch rows for its rowBlock x KH
    // row products (equal reads fold).
    int64_t rowBlock = r >= 2 ? tiling.rowBlock : 1;
    SmallVector<Value> lbs, ubs, steps;
    for (unsigned i = 0; i + 1 < r; ++i) {
      lbs.push_back(indexConstant(b, loc, 0));
      ubs.push_back(indexConstant(b, loc, pc.outSizes[i]));
      steps.push_back(indexConstant(b, loc, i + 2 == r ? rowBlock : 1));
    }
    int64_t full = pc.outSizes.back() / lanes;
    int64_t tail = pc.outSizes.back() % lanes;
    scf::LoopNest nest = scf::buildLoopNest(
        b, loc, lbs, ubs, steps, acc,
        [&](OpBuilder &bb, Location l, ValueRange rows,
            ValueRange iter) -> scf::ValueVector {
          if (int64_t ahead = tiling.prefetchPlanesAhead;
              prefetchInput && ahead > 0 && r == 2) {
            // Into L2 (prefetcht1): the FMAs read the scratch planes from
            // L1 meanwhile.
            constexpr int64_t kL2Locality = 2;
            prefetchInputPlanesAhead(bb, l, prefetchInput, n, f, ahead,
                                     rows.back(), rowBlock, kL2Locality);
            prefetchPlaneRows(bb, l, dy, n, f, ahead, rows.back(), rowBlock,
                              kL2Locality);
          }
          // One vector of dy at row `rows` + rr, column x0, times each tap's
          // x vector.
          auto rowStep = [&](OpBuilder &sb, ValueRange accs, int64_t rr,
                             Value x0, bool inBounds) {
            SmallVector<Value> yRows;
            for (unsigned i = 0; i + 1 < r; ++i)
              yRows.push_back(i + 2 == r ? addIndex(sb, l, rows[i], rr)
                                         : rows[i]);
            SmallVector<Value> idx = {n, f};
            idx.append(yRows.begin(), yRows.end());
            idx.push_back(x0);
            Value dyv = inBounds ? readVector(sb, l, dy, idx, true)
                                 : readRowVector(sb, l, dy, idx, full * lanes,
                                                 pc.outSizes.back());
            // The row's last, partial vector: lanes beyond the row read x
            // as zeros (dy reads zeros there too), so they add +0 to their
            // accumulators, which are never -0 (they start at +0), and
            // leave them as they are: x there may be an inf or NaN of a
            // column no window of this tap reads. Masking each x load
            // rather than each FMA (a select of the accumulator) costs
            // nothing per FMA: LLVM turns selects along an accumulator's
            // chain into a blend after every FMA.
            Value xMask = inBounds ? Value() : readMask(sb, l, tail);
            SmallVector<Value> next;
            for (auto [j, t] : llvm::enumerate(taps)) {
              SmallVector<int64_t> k = pc.tap(t % pc.numTaps());
              SmallVector<Value> srows;
              for (unsigned i = 0; i + 1 < r; ++i)
                srows.push_back(
                    addIndex(sb, l, mulIndex(sb, l, yRows[i], pc.strides[i]),
                             k[i] * pc.dilations[i]));
              Value xv = readScratch(sb, scratch, t / pc.numTaps(), srows, x0,
                                     k.back() * pc.dilations.back(), xMask);
              next.push_back(vector::FMAOp::create(sb, l, xv, dyv, accs[j]));
            }
            return next;
          };
          // All rows of the block at column x0.
          auto step = [&](OpBuilder &sb, ValueRange accs, Value x0,
                          bool inBounds) {
            SmallVector<Value> next(accs.begin(), accs.end());
            for (int64_t rr = 0; rr < rowBlock; ++rr)
              next = rowStep(sb, next, rr, x0, inBounds);
            return next;
          };
          SmallVector<Value> cur(iter.begin(), iter.end());
          if (full > 0) {
            auto loop = scf::ForOp::create(
                bb, l, indexConstant(bb, l, 0),
                indexConstant(bb, l, full * lanes), indexConstant(bb, l, lanes),
                cur, [&](OpBuilder &lb, Location ll, Value x0, ValueRange it) {
                  scf::YieldOp::create(lb, ll, step(lb, it, x0, true));
                });
            cur.assign(loop.getResults().begin(), loop.getResults().end());
          }
          if (tail > 0)
            cur = step(bb, cur, indexConstant(bb, l, full * lanes), false);
          return cur;
        });
    return SmallVector<Value>(nest.results.begin(), nest.results.end());
  }

  /// Prefetches rows [row0, row0 + count) of plane [n, channel] of the
  /// [N, C, H, W] tensor `t` (one prefetch per cache line: consecutive
  /// blocks of rows are contiguous, so a block's last, partial line is the
  /// next block's first), for the plane `planesAhead` channels ahead of
  /// `channel`, the tensor's last at most.
  void prefetchPlaneRows(OpBuilder &bb, Location l, Value t, Value n,
                         Value channel, int64_t planesAhead, Value row0,
                         int64_t count, int64_t locality = 3) {
    auto type = cast<RankedTensorType>(t.getType());
    int64_t channels = type.getDimSize(1), width = type.getDimSize(3);
    int64_t lineElements = cpu::elementsPerCacheLine(
        type.getElementType().getIntOrFloatBitWidth() / 8);
    Value buffer = readOnlyBuffer(bb, l, t);
    Value ahead = arith::MinSIOp::create(
        bb, l, addIndex(bb, l, channel, planesAhead),
        indexConstant(bb, l, channels - 1));
    for (int64_t e = 0; e < count * width; e += lineElements)
      memref::PrefetchOp::create(
          bb, l, buffer,
          ValueRange{n, ahead, addIndex(bb, l, row0, e / width),
                     indexConstant(bb, l, e % width)},
          /*isWrite=*/false, locality, /*isDataCache=*/true);
  }

  /// The share of the input planes of the group `ahead` output planes
  /// after `o` (the tensor's last at most) that row block [y0, y0 +
  /// rowBlock) of a convolution, or of a filter gradient's scratch copy,
  /// prefetches: the planes' lines in as many equal parts as there are
  /// blocks, one prefetch per line.
  void prefetchInputPlanesAhead(OpBuilder &bb, Location l, Value input, Value n,
                                Value o, int64_t ahead, Value y0,
                                int64_t rowBlock, int64_t locality = 3) {
    auto type = cast<RankedTensorType>(input.getType());
    int64_t channels = type.getDimSize(1), height = type.getDimSize(2),
            width = type.getDimSize(3);
    int64_t lineElements = cpu::elementsPerCacheLine(
        type.getElementType().getIntOrFloatBitWidth() / 8);
    int64_t planeElements = height * width;
    int64_t lines = llvm::divideCeil(planeElements, lineElements);
    int64_t blocks = llvm::divideCeil(pc.outSizes[0], rowBlock);
    int64_t perBlock = llvm::divideCeil(lines, blocks);
    Value buffer = readOnlyBuffer(bb, l, input);
    Value group = arith::DivUIOp::create(bb, l, addIndex(bb, l, o, ahead),
                                         indexConstant(bb, l, pc.outPerGroup));
    Value block =
        arith::DivUIOp::create(bb, l, y0, indexConstant(bb, l, rowBlock));
    Value first = mulIndex(bb, l, block, perBlock * lineElements);
    Value last = indexConstant(bb, l, planeElements - 1);
    Value widthValue = indexConstant(bb, l, width);
    for (int64_t m = 0; m < pc.terms; ++m) {
      Value channel = arith::MinSIOp::create(
          bb, l, addIndex(bb, l, mulIndex(bb, l, group, pc.terms), m),
          indexConstant(bb, l, channels - 1));
      for (int64_t k = 0; k < perBlock; ++k) {
        Value e = arith::MinSIOp::create(
            bb, l, addIndex(bb, l, first, k * lineElements), last);
        memref::PrefetchOp::create(
            bb, l, buffer,
            ValueRange{n, channel, arith::DivUIOp::create(bb, l, e, widthValue),
                       arith::RemUIOp::create(bb, l, e, widthValue)},
            /*isWrite=*/false, locality, /*isDataCache=*/true);
      }
    }
  }

  /// wgradTaps reading x where it is, in `input` (tiling.readsInputRows: 2-D
  /// planes, innermost stride 1), group `group`'s planes. The output rows
  /// whose kernel rows (of `taps`) all lie inside the plane run in blocks
  /// of rowBlock rows; the rows above and below them, where the padding is,
  /// form one unrolled block each, leaving out the taps that read outside
  /// the plane. Along a row, the vectors whose taps all read inside the row
  /// (and the output row) run in a loop; the others are unrolled, each
  /// read of x masked to the columns inside both rows (dy is zero beyond
  /// the output row, x must be finite there) and shifted right past the
  /// low padding by one shuffle. Each lane still sums its (n, y, x) terms
  /// in the same order as wgradTaps.
  SmallVector<Value> wgradTapsFromInput(ValueRange acc, ArrayRef<int64_t> taps,
                                        Value input, Value dy, Value n, Value f,
                                        Value group) {
    int64_t lanes = tiling.lanes;
    int64_t outRows = pc.outSizes[0], outCols = pc.outSizes[1];
    int64_t inCols = pc.inSizes[1];
    auto rowOffset = [&](ArrayRef<int64_t> k) { return pc.offset(0, k); };
    auto colOffset = [&](ArrayRef<int64_t> k) { return pc.offset(1, k); };
    int64_t rowLo, rowHi, vecLo, vecHi;
    std::tie(rowLo, rowHi) = pc.insideRows(taps);
    std::tie(vecLo, vecHi) = pc.insideVectors(taps, lanes);

    // x[n, channel, row, col + j] for lanes j in [lo, hi), zeros elsewhere
    // (`col` static), or a full vector at a dynamic column.
    auto readX = [&](OpBuilder &sb, Value channel, Value row, Value col,
                     std::optional<int64_t> staticCol, int64_t lo,
                     int64_t hi) -> Value {
      if (!staticCol)
        return readVector(sb, loc, input, {n, channel, row, col}, true);
      // A column vector wholly inside the row is one load where it is
      // (masked to [lo, hi)); only those reaching past the row's ends are
      // shuffles of its whole vectors.
      bool insideRow = *staticCol >= 0 && *staticCol + lanes <= inCols;
      if (tiling.shiftsColumnsInRegisters && !insideRow)
        return shiftedRowVector(sb, input, {n, channel, row}, *staticCol, lo,
                                hi, inCols);
      int64_t start = *staticCol + lo;
      SmallVector<Value> idx = {n, channel, row, indexConstant(sb, loc, start)};
      bool inBounds = start + lanes <= inCols;
      Value v = readVector(sb, loc, input, idx, inBounds, hi - lo);
      if (lo == 0)
        return v;
      Value zeros = arith::ConstantOp::create(
          sb, loc, vecType,
          DenseElementsAttr::get(vecType, sb.getFloatAttr(accType, 0.0)));
      SmallVector<int64_t> right;
      for (int64_t j = 0; j < lanes; ++j)
        right.push_back(j >= lo ? j - lo : lanes);
      return vector::ShuffleOp::create(sb, loc, v, zeros, right);
    };
    // One vector of dy at output row y, column x0, times each tap's x
    // vector (static y and x0 where given: an edge).
    auto rowStep = [&](OpBuilder &sb, ValueRange accs, Value y,
                       std::optional<int64_t> staticY, Value x0,
                       std::optional<int64_t> staticX0) {
      bool dyInBounds = !staticX0 || *staticX0 + lanes <= outCols;
      Value dyv = readVector(sb, loc, dy, {n, f, y, x0}, dyInBounds);
      SmallVector<Value> next(accs.begin(), accs.end());
      for (auto [j, t] : llvm::enumerate(taps)) {
        SmallVector<int64_t> k = pc.tap(t % pc.numTaps());
        if (staticY && !pc.rowInside(*staticY, k))
          continue;
        int64_t lo = 0, hi = lanes;
        if (staticX0) {
          int64_t col = *staticX0 + colOffset(k);
          lo = std::max<int64_t>(0, -col);
          hi = std::min({lanes, inCols - col, outCols - *staticX0});
          if (hi <= lo)
            continue;
        }
        Value channel = addIndex(sb, loc, mulIndex(sb, loc, group, pc.terms),
                                 t / pc.numTaps());
        Value row = addIndex(sb, loc, mulIndex(sb, loc, y, pc.strides[0]),
                             rowOffset(k));
        Value xv =
            readX(sb, channel, row, addIndex(sb, loc, x0, colOffset(k)),
                  staticX0 ? std::optional<int64_t>(*staticX0 + colOffset(k))
                           : std::nullopt,
                  lo, hi);
        next[j] = vector::FMAOp::create(sb, loc, xv, dyv, next[j]);
      }
      return next;
    };
    // The partial last vectors of output rows y and y + 1 (column x0,
    // static; at most half a vector each: tiling.pairsRowTails) as the two
    // halves of one vector: one FMA per tap for both rows. Each half reads
    // its row's x masked to the columns inside the input row and the output
    // tail (a half left of column 0 shifted right past the low padding),
    // zeros where the tap's input row is outside the plane (static rows).
    auto pairStep = [&](OpBuilder &sb, ValueRange accs, Value y,
                        std::optional<int64_t> staticY, int64_t x0) {
      int64_t half = lanes / 2;
      int64_t valid = std::min(half, outCols - x0);
      auto halfType = VectorType::get({half}, accType);
      Value zeros = arith::ConstantOp::create(
          sb, loc, halfType,
          DenseElementsAttr::get(halfType, sb.getFloatAttr(accType, 0.0)));
      SmallVector<int64_t> concat;
      for (int64_t j = 0; j < lanes; ++j)
        concat.push_back(j);
      Value x0Value = indexConstant(sb, loc, x0);
      Value ys[2] = {y, addIndex(sb, loc, y, 1)};
      Value dyHalves[2];
      for (int i = 0; i < 2; ++i)
        dyHalves[i] = readVector(sb, loc, dy, {n, f, ys[i], x0Value},
                                 x0 + half <= outCols, valid, half);
      Value dyv =
          vector::ShuffleOp::create(sb, loc, dyHalves[0], dyHalves[1], concat);
      SmallVector<Value> next(accs.begin(), accs.end());
      for (auto [j, t] : llvm::enumerate(taps)) {
        SmallVector<int64_t> k = pc.tap(t % pc.numTaps());
        int64_t col = x0 + colOffset(k);
        int64_t lo = std::max<int64_t>(0, -col);
        int64_t hi = std::min({half, inCols - col, valid});
        if (hi <= lo)
          continue;
        Value channel = addIndex(sb, loc, mulIndex(sb, loc, group, pc.terms),
                                 t / pc.numTaps());
        Value xHalves[2];
        bool any = false;
        for (int i = 0; i < 2; ++i) {
          if (staticY && !pc.rowInside(*staticY + i, k)) {
            xHalves[i] = zeros;
            continue;
          }
          any = true;
          Value row = addIndex(sb, loc, mulIndex(sb, loc, ys[i], pc.strides[0]),
                               rowOffset(k));
          int64_t start = col + lo;
          Value v = readVector(sb, loc, input,
                               {n, channel, row, indexConstant(sb, loc, start)},
                               start + half <= inCols, hi - lo, half);
          if (lo > 0) {
            SmallVector<int64_t> right;
            for (int64_t jj = 0; jj < half; ++jj)
              right.push_back(jj >= lo ? jj - lo : half);
            v = vector::ShuffleOp::create(sb, loc, v, zeros, right);
          }
          xHalves[i] = v;
        }
        if (!any)
          continue;
        Value xv =
            vector::ShuffleOp::create(sb, loc, xHalves[0], xHalves[1], concat);
        next[j] = vector::FMAOp::create(sb, loc, xv, dyv, next[j]);
      }
      return next;
    };
    // Output rows [y0, y0 + count) (y0 static where given), every vector
    // of the row, each vector for all rows of the block.
    auto rowBlock = [&](OpBuilder &bb, SmallVector<Value> cur, Value y0,
                        std::optional<int64_t> staticY0, int64_t count) {
      auto step = [&](OpBuilder &sb, SmallVector<Value> accs, Value x0,
                      std::optional<int64_t> staticX0) {
        for (int64_t rr = 0; rr < count; ++rr)
          accs = rowStep(sb, accs, addIndex(sb, loc, y0, rr),
                         staticY0 ? std::optional<int64_t>(*staticY0 + rr)
                                  : std::nullopt,
                         x0, staticX0);
        return accs;
      };
      // The last, partial vector of row pairs (the last row of an odd
      // count alone).
      auto pairedStep = [&](OpBuilder &sb, SmallVector<Value> accs,
                            int64_t x0) {
        auto staticRow = [&](int64_t rr) -> std::optional<int64_t> {
          if (!staticY0)
            return std::nullopt;
          return *staticY0 + rr;
        };
        int64_t rr = 0;
        for (; rr + 1 < count; rr += 2)
          accs =
              pairStep(sb, accs, addIndex(sb, loc, y0, rr), staticRow(rr), x0);
        for (; rr < count; ++rr)
          accs = rowStep(sb, accs, addIndex(sb, loc, y0, rr), staticRow(rr),
                         indexConstant(sb, loc, x0), x0);
        return accs;
      };
      int64_t lastVector = pc.rowVectors(lanes) - 1;
      auto staticVectors = [&](int64_t first, int64_t end) {
        for (int64_t q = first; q < end; ++q)
          cur =
              tiling.pairsRowTails && q == lastVector
                  ? pairedStep(bb, cur, q * lanes)
                  : step(bb, cur, indexConstant(bb, loc, q * lanes), q * lanes);
      };
      staticVectors(0, vecLo);
      if (vecHi > vecLo) {
        auto loop = scf::ForOp::create(
            bb, loc, indexConstant(bb, loc, vecLo * lanes),
            indexConstant(bb, loc, vecHi * lanes),
            indexConstant(bb, loc, lanes), cur,
            [&](OpBuilder &lb, Location ll, Value x0, ValueRange it) {
              scf::YieldOp::create(
                  lb, ll,
                  step(lb, SmallVector<Value>(it.begin(), it.end()), x0,
                       std::nullopt));
            });
        cur.assign(loop.getResults().begin(), loop.getResults().end());
      }
      staticVectors(std::max(vecLo, vecHi), pc.rowVectors(lanes));
      return cur;
    };
    auto staticRows = [&](SmallVector<Value> cur, int64_t first, int64_t end) {
      if (end <= first)
        return cur;
      return rowBlock(b, cur, indexConstant(b, loc, first), first, end - first);
    };
    SmallVector<Value> cur(acc.begin(), acc.end());
    // Above, inside (blocks in a loop, then the rows left), below.
    cur = staticRows(cur, 0, rowLo);
    int64_t rowsInside = std::max<int64_t>(0, rowHi - rowLo);
    int64_t block = tiling.rowBlock;
    int64_t looped = rowLo + rowsInside / block * block;
    if (looped > rowLo) {
      auto loop = scf::ForOp::create(
          b, loc, indexConstant(b, loc, rowLo), indexConstant(b, loc, looped),
          indexConstant(b, loc, block), cur,
          [&](OpBuilder &lb, Location ll, Value y0, ValueRange it) {
            if (int64_t ahead = tiling.prefetchPlanesAhead) {
              // The block's rows of dy and of the group's x planes, for
              // the filter `ahead` filters on: its group is `ahead`
              // groups on when the groups have one filter, else fewer.
              prefetchPlaneRows(lb, ll, dy, n, f, ahead, y0, block);
              int64_t groupsAhead = llvm::divideCeil(ahead, pc.outPerGroup);
              Value inRow0 = mulIndex(lb, ll, y0, pc.strides[0]);
              for (int64_t m = 0; m < pc.terms; ++m)
                prefetchPlaneRows(
                    lb, ll, input, n,
                    addIndex(lb, ll, mulIndex(lb, ll, group, pc.terms), m),
                    groupsAhead * pc.terms, inRow0, block * pc.strides[0]);
            }
            scf::YieldOp::create(
                lb, ll,
                rowBlock(lb, SmallVector<Value>(it.begin(), it.end()), y0,
                         std::nullopt, block));
          });
      cur.assign(loop.getResults().begin(), loop.getResults().end());
    }
    cur = staticRows(cur, looped, std::max(rowLo, rowHi));
    return staticRows(cur, std::max(rowLo, rowHi), outRows);
  }

private:
  OpBuilder &b;
  Location loc;
  const PlaneConv &pc;
  const cpu::DepthwisePlaneTiling &tiling;
  Type elementType, accType;
  VectorType vecType;
};

/// The spatial sizes of an activation or filter: [N, C, S...] and
/// [F, C/G, K...] channels-first, [N, S..., C] and [F, K..., C/G]
/// channels-last.
SmallVector<int64_t> spatialSizes(Value v, unsigned rank, bool channelsLast) {
  auto shape = cast<RankedTensorType>(v.getType()).getShape();
  unsigned first = channelsLast ? 1 : 2;
  return SmallVector<int64_t>(shape.begin() + first,
                              shape.begin() + first + rank);
}

/// `v` (an activation or a filter) with its channel dimension moved:
/// channels-last to channels-first ([N, S..., C] to [N, C, S...]; filters
/// [F, K..., C/G] to [F, C/G, K...]) when `toFirst`, else back.
Value transposeChannels(OpBuilder &b, Location loc, Value v, bool toFirst) {
  unsigned spatialRank = cast<RankedTensorType>(v.getType()).getRank() - 2;
  return transposeTensor(b, loc, v,
                         toFirst ? channelsLastToFirstPermutation(spatialRank)
                                 : channelsFirstToLastPermutation(spatialRank));
}

/// The channels-first type of a result of `type`, channels-last if
/// `channelsLast`.
RankedTensorType channelsFirstType(RankedTensorType type, bool channelsLast) {
  if (!channelsLast)
    return type;
  SmallVector<int64_t> shape(type.getShape());
  std::rotate(shape.begin() + 1, shape.end() - 1, shape.end());
  return RankedTensorType::get(shape, type.getElementType());
}

/// The channels-first view of an operand of an op in `channelsLast`.
Value channelsFirst(OpBuilder &b, Location loc, Value v, bool channelsLast) {
  return channelsLast ? transposeChannels(b, loc, v, /*toFirst=*/true) : v;
}

/// The strategy's tiling of `pc`, or nullopt when the form does not apply.
std::optional<cpu::DepthwisePlaneTiling>
planeTiling(const PlaneConv &pc, cpu::DepthwisePlaneKind kind, Type elementType,
            Type accType, const cpu::CPUTarget &target) {
  int64_t bits = accType.getIntOrFloatBitWidth();
  int64_t zeroInsertion = 1;
  for (unsigned i = 0; i < pc.rank; ++i)
    zeroInsertion *= pc.inputStride(i);
  // The plane's scratch size and the rows and vectors where some tap reads
  // outside a 2-D plane, at vectors of `lanes`.
  auto geometry = [&](int64_t lanes) {
    cpu::DepthwisePlaneGeometry g;
    g.scratchElements = pc.terms;
    for (int64_t s : pc.scratchSizes(lanes))
      g.scratchElements *= s;
    if (pc.rank == 2) {
      SmallVector<int64_t> taps =
          llvm::to_vector(llvm::seq<int64_t>(0, pc.numTaps()));
      auto [rowLo, rowHi] = pc.insideRows(taps);
      auto [vecLo, vecHi] = pc.insideVectors(taps, lanes);
      g.edgeRows = pc.outSizes[0] - (rowHi - rowLo);
      g.edgeVectors = pc.rowVectors(lanes) - (vecHi - vecLo);
    }
    return g;
  };
  return cpu::selectDepthwisePlaneTiling(
      kind, pc.planes,
      std::vector<int64_t>(pc.outSizes.begin(), pc.outSizes.end()),
      pc.numTaps(), pc.strides.back(), pc.terms, bits, target, zeroInsertion,
      !isa<BFloat16Type>(elementType), geometry);
}

/// The convolution `pc` of `input` by `filter` (+ `bias`) into a new tensor
/// of `resultType`.
Value buildPlaneConv(OpBuilder &b, Location loc, const PlaneConv &pc,
                     const cpu::DepthwisePlaneTiling &tiling, Value input,
                     Value filter, Value bias, RankedTensorType resultType,
                     Type accType) {
  Type elementType = resultType.getElementType();
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, input);
  sizes[1] = b.getIndexAttr(pc.planes);
  for (unsigned i = 0; i < pc.rank; ++i)
    sizes[2 + i] = b.getIndexAttr(pc.outSizes[i]);
  Value init = tensor::EmptyOp::create(b, loc, sizes, elementType);
  Value batch = tensor::DimOp::create(b, loc, input, 0);
  return forEachTask(
      b, loc, tiling.tasks, pc.planes, init, /*planeDim=*/1,
      [&](OpBuilder &tb, Value first, Value count, Value slice) {
        PlaneEmitter e(tb, loc, pc, tiling, elementType, accType);
        Value scratch = e.createScratch();
        auto images = scf::ForOp::create(
            tb, loc, indexConstant(tb, loc, 0), batch,
            indexConstant(tb, loc, 1), ValueRange{slice, scratch},
            [&](OpBuilder &nb, Location l, Value n, ValueRange it) {
              auto planesLoop = scf::ForOp::create(
                  nb, l, indexConstant(nb, l, 0), count,
                  indexConstant(nb, l, 1), it,
                  [&](OpBuilder &pb, Location pl, Value oLocal,
                      ValueRange pit) {
                    PlaneEmitter pe(pb, pl, pc, tiling, elementType, accType);
                    Value o = arith::AddIOp::create(pb, pl, first, oLocal);
                    Value group = arith::DivUIOp::create(
                        pb, pl, o, indexConstant(pb, pl, pc.outPerGroup));
                    auto copyGroup = [&](OpBuilder &cb, Value scr) {
                      PlaneEmitter ce(cb, pl, pc, tiling, elementType,
                                      accType);
                      for (int64_t m = 0; m < pc.terms; ++m) {
                        Value channel = addIndex(
                            cb, pl, mulIndex(cb, pl, group, pc.terms), m);
                        scr = ce.copyPlane(scr, m, input, n, channel);
                      }
                      return scr;
                    };
                    // The output planes of a group read the same input
                    // planes: copied at the group's first plane (or the
                    // task's first, which may start mid-group) only.
                    Value scr = pit[1];
                    if (pc.outPerGroup == 1) {
                      scr = copyGroup(pb, scr);
                    } else {
                      Value groupStart = arith::CmpIOp::create(
                          pb, pl, arith::CmpIPredicate::eq,
                          arith::RemUIOp::create(
                              pb, pl, o,
                              indexConstant(pb, pl, pc.outPerGroup)),
                          indexConstant(pb, pl, 0));
                      Value taskStart = arith::CmpIOp::create(
                          pb, pl, arith::CmpIPredicate::eq, oLocal,
                          indexConstant(pb, pl, 0));
                      Value copy =
                          arith::OrIOp::create(pb, pl, groupStart, taskStart);
                      auto ifOp = scf::IfOp::create(
                          pb, pl, copy,
                          [&](OpBuilder &tb, Location l) {
                            scf::YieldOp::create(tb, l, copyGroup(tb, scr));
                          },
                          [&](OpBuilder &eb, Location l) {
                            scf::YieldOp::create(eb, l, scr);
                          });
                      scr = ifOp.getResult(0);
                    }
                    Value out = pe.convPlane(pit[0], scr, filter, bias, n,
                                             oLocal, o, input);
                    scf::YieldOp::create(pb, pl, ValueRange{out, scr});
                  });
              scf::YieldOp::create(nb, l, planesLoop.getResults());
            });
        return images.getResult(0);
      });
}

/// What the three patterns share: the target, and the plane convolution of
/// an op's operands before the op-specific parts.
template <typename OpTy>
struct PlanesPattern : OpRewritePattern<OpTy> {
  PlanesPattern(MLIRContext *ctx, const cpu::CPUTarget &target,
                PatternBenefit benefit)
      : OpRewritePattern<OpTy>(ctx, benefit), target(target) {}

  /// The PlaneConv of `op` reading `input`, writing `output`, with the
  /// kernel sizes of `kernelOf` (strides, dilations and low padding of the
  /// op), or failure for ungrouped, dynamic (except the batch) and
  /// zero-size ops. Channels-last ops are computed channels-first between
  /// transposes (see replaceByPlaneConv) when the strategy says so.
  FailureOr<PlaneConv> planeConv(OpTy op, PatternRewriter &rewriter,
                                 const ConvParams &p, Value input,
                                 Value output, Value kernelOf) const {
    if (p.groups <= 1)
      return rewriter.notifyMatchFailure(op, "ungrouped");
    if (!staticButBatch(input) || !staticButBatch(output) ||
        !staticButBatch(kernelOf))
      return rewriter.notifyMatchFailure(op, "dynamic or zero-size");
    PlaneConv pc;
    pc.rank = p.spatialRank;
    bool cl = p.isChannelsLast();
    pc.inSizes = spatialSizes(input, pc.rank, cl);
    pc.outSizes = spatialSizes(output, pc.rank, cl);
    pc.kernel = spatialSizes(kernelOf, pc.rank, cl);
    pc.strides = p.strides;
    pc.dilations = p.dilations;
    pc.padLow = p.padLow;
    return pc;
  }

  /// Whether the strategy declines channels-last op `pc` (plain
  /// depthwise ones are the channels-last depthwise path's).
  bool declinesLayout(const ConvParams &p, const PlaneConv &pc) const {
    return p.isChannelsLast() &&
           !cpu::isChannelsLastPlanewise(pc.terms, pc.outPerGroup);
  }

  /// Replaces `op` by the convolution `pc` of `input` by `filter` (+ `bias`)
  /// into `resultType` (channels-last ones between transposes), unless the
  /// strategy declines it.
  LogicalResult replaceByPlaneConv(OpTy op, PatternRewriter &rewriter,
                                   const ConvParams &p, const PlaneConv &pc,
                                   Value input, Value filter, Value bias,
                                   RankedTensorType resultType) const {
    if (declinesLayout(p, pc))
      return rewriter.notifyMatchFailure(op, "channels-last depthwise");
    Type accType = getAccumulatorType(resultType.getElementType());
    std::optional<cpu::DepthwisePlaneTiling> tiling =
        planeTiling(pc, cpu::DepthwisePlaneKind::Convolution,
                    resultType.getElementType(), accType, target);
    if (!tiling)
      return rewriter.notifyMatchFailure(op, "the strategy declines");
    Location loc = op.getLoc();
    bool cl = p.isChannelsLast();
    Value result = buildPlaneConv(
        rewriter, loc, pc, *tiling, channelsFirst(rewriter, loc, input, cl),
        channelsFirst(rewriter, loc, filter, cl), bias,
        channelsFirstType(resultType, cl), accType);
    if (cl)
      result = transposeChannels(rewriter, loc, result, /*toFirst=*/false);
    rewriter.replaceOp(op, result);
    return success();
  }

  cpu::CPUTarget target;
};

/// The channels of an activation.
int64_t channels(Value v, bool channelsLast) {
  auto type = cast<RankedTensorType>(v.getType());
  return type.getDimSize(channelsLast ? type.getRank() - 1 : 1);
}

/// Depthwise convgrad.conv (groups == C, any multiplier), and grouped ones
/// with one output channel per group (groups == F).
struct ConvAsPlanes : PlanesPattern<ConvOp> {
  using PlanesPattern::PlanesPattern;

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    ConvParams p = op.getConvParams();
    FailureOr<PlaneConv> pc = planeConv(op, rewriter, p, op.getInput(),
                                        op.getOutput(), op.getFilter());
    if (failed(pc))
      return failure();
    bool cl = p.isChannelsLast();
    int64_t c = channels(op.getInput(), cl), f = channels(op.getOutput(), cl);
    pc->planes = f;
    pc->terms = c / p.groups;
    pc->outPerGroup = f / p.groups;
    return replaceByPlaneConv(
        op, rewriter, p, *pc, op.getInput(), op.getFilter(), op.getBias(),
        cast<RankedTensorType>(op.getOutput().getType()));
  }
};

/// The data gradient of a depthwise convolution (groups == C): the
/// stride-1 convolution of (zero-inserted) dy by the flipped filter.
struct DgradAsPlanes : PlanesPattern<ConvBackwardDataOp> {
  using PlanesPattern::PlanesPattern;

  LogicalResult matchAndRewrite(ConvBackwardDataOp op,
                                PatternRewriter &rewriter) const override {
    ConvParams p = op.getConvParams();
    FailureOr<PlaneConv> pc =
        planeConv(op, rewriter, p, op.getGradOutput(), op.getGradInput(),
                  op.getFilter());
    if (failed(pc))
      return failure();
    bool cl = p.isChannelsLast();
    int64_t f = channels(op.getGradOutput(), cl),
            c = channels(op.getGradInput(), cl);
    // dx = the stride-1 convolution of dy with s - 1 zeros between its
    // elements, re-padded by Ke - 1 - lo, by the flipped filter.
    pc->strides.assign(pc->rank, 1);
    pc->inputStrides = p.strides;
    for (unsigned i = 0; i < pc->rank; ++i)
      pc->padLow[i] = (pc->kernel[i] - 1) * p.dilations[i] - p.padLow[i];
    pc->planes = c;
    pc->terms = f / p.groups;
    pc->outPerGroup = c / p.groups;
    pc->backwardData = true;
    return replaceByPlaneConv(
        op, rewriter, p, *pc, op.getGradOutput(), op.getFilter(), Value(),
        cast<RankedTensorType>(op.getGradInput().getType()));
  }
};

/// The filter gradient of a depthwise (groups == C, any multiplier) or
/// grouped convolution (C/G input planes per filter): vector accumulators
/// per (input plane of the group, tap) over (n, y, x).
struct WgradAsPlanes : PlanesPattern<ConvBackwardFilterOp> {
  using PlanesPattern::PlanesPattern;

  LogicalResult matchAndRewrite(ConvBackwardFilterOp op,
                                PatternRewriter &rewriter) const override {
    ConvParams p = op.getConvParams();
    FailureOr<PlaneConv> planes =
        planeConv(op, rewriter, p, op.getInput(), op.getGradOutput(),
                  op.getGradFilter());
    if (failed(planes))
      return failure();
    PlaneConv &pc = *planes;
    bool cl = p.isChannelsLast();
    auto dwType = channelsFirstType(
        cast<RankedTensorType>(op.getGradFilter().getType()), cl);
    int64_t c = channels(op.getInput(), cl), f = dwType.getDimSize(0);
    if (c % p.groups != 0 || f % p.groups != 0)
      return rewriter.notifyMatchFailure(op, "groups do not divide C and F");
    pc.planes = f;
    pc.terms = c / p.groups;
    pc.outPerGroup = f / p.groups;
    if (declinesLayout(p, pc))
      return rewriter.notifyMatchFailure(op, "channels-last depthwise");
    Type elementType = dwType.getElementType();
    Type accType = getAccumulatorType(elementType);
    std::optional<cpu::DepthwisePlaneTiling> tiling =
        planeTiling(pc, cpu::DepthwisePlaneKind::FilterGradient, elementType,
                    accType, target);
    if (!tiling)
      return rewriter.notifyMatchFailure(op, "the strategy declines");

    Location loc = op.getLoc();
    Value x = channelsFirst(rewriter, loc, op.getInput(), cl);
    Value dy = channelsFirst(rewriter, loc, op.getGradOutput(), cl);
    Value init = tensor::EmptyOp::create(rewriter, loc, dwType.getShape(),
                                         elementType);
    Value batch = tensor::DimOp::create(rewriter, loc, x, 0);
    VectorType vecType = VectorType::get({tiling->lanes}, accType);
    Value result = forEachTask(
        rewriter, loc, tiling->tasks, f, init, /*planeDim=*/0,
        [&](OpBuilder &tb, Value first, Value count, Value slice) {
          PlaneEmitter e(tb, loc, pc, *tiling, elementType, accType);
          bool inPlace = tiling->readsInputRows;
          // The tap accumulators of the task's filters, [filters, terms x
          // taps, lanes] (term m, tap t at m * taps + t: the filter's m-th
          // input plane of its group), kept across images: images
          // outermost, so that the task streams its consecutive planes of
          // x and dy through memory.
          int64_t numTaps = pc.numTaps() * pc.terms;
          int64_t perTask = (f + tiling->tasks - 1) / tiling->tasks;
          Value accs = createFilledTensor(
              tb, loc,
              {tb.getIndexAttr(perTask), tb.getIndexAttr(numTaps),
               tb.getIndexAttr(tiling->lanes)},
              accType, 0.0);
          Value accPad = arith::ConstantOp::create(
              tb, loc, accType, tb.getFloatAttr(accType, 0.0));
          auto accIndex = [&](OpBuilder &ib, Location il, Value fLocal,
                              int64_t t) -> SmallVector<Value> {
            return {fLocal, indexConstant(ib, il, t), indexConstant(ib, il, 0)};
          };
          SmallVector<Value> carried = {accs};
          if (!inPlace)
            carried.push_back(e.createScratch());
          auto images = scf::ForOp::create(
              tb, loc, indexConstant(tb, loc, 0), batch,
              indexConstant(tb, loc, 1), carried,
              [&](OpBuilder &nb, Location nl, Value n, ValueRange nit) {
                auto filters = scf::ForOp::create(
                    nb, nl, indexConstant(nb, nl, 0), count,
                    indexConstant(nb, nl, 1), nit,
                    [&](OpBuilder &fb, Location l, Value fLocal,
                        ValueRange fit) {
                      Value fIdx = arith::AddIOp::create(fb, l, first, fLocal);
                      Value group = arith::DivUIOp::create(
                          fb, l, fIdx, indexConstant(fb, l, pc.outPerGroup));
                      PlaneEmitter fe(fb, l, pc, *tiling, elementType,
                                      accType);
                      // The group's input planes, copied by its first
                      // filter (or the task's first), unless read in place.
                      Value scr = inPlace ? Value() : fit[1];
                      auto copyGroup = [&](OpBuilder &cb, Location cl,
                                           Value scratch) {
                        PlaneEmitter ce(cb, cl, pc, *tiling, elementType,
                                        accType);
                        for (int64_t m = 0; m < pc.terms; ++m)
                          scratch = ce.copyPlane(
                              scratch, m, x, n,
                              addIndex(cb, cl,
                                       mulIndex(cb, cl, group, pc.terms), m));
                        return scratch;
                      };
                      if (!inPlace && pc.outPerGroup == 1) {
                        scr = copyGroup(fb, l, scr);
                      } else if (!inPlace) {
                        Value zeroIdx = indexConstant(fb, l, 0);
                        Value groupStart = arith::CmpIOp::create(
                            fb, l, arith::CmpIPredicate::eq,
                            arith::RemUIOp::create(
                                fb, l, fIdx,
                                indexConstant(fb, l, pc.outPerGroup)),
                            zeroIdx);
                        Value taskStart = arith::CmpIOp::create(
                            fb, l, arith::CmpIPredicate::eq, fLocal, zeroIdx);
                        auto ifOp = scf::IfOp::create(
                            fb, l,
                            arith::OrIOp::create(fb, l, groupStart, taskStart),
                            [&](OpBuilder &tb2, Location tl) {
                              scf::YieldOp::create(
                                  tb2, tl, ValueRange{copyGroup(tb2, tl, scr)});
                            },
                            [&](OpBuilder &eb, Location el) {
                              scf::YieldOp::create(eb, el, ValueRange{scr});
                            });
                        scr = ifOp.getResult(0);
                      }
                      // Each block of taps is read and written as one
                      // [taps, lanes] vector: a write per tap made a 3-D
                      // kernel's hundreds of writes into `acc`, which took
                      // bufferization's analysis minutes.
                      Value acc = fit[0];
                      int64_t firstTap = 0;
                      for (int64_t size : tiling->tapBlocks) {
                        auto blockType =
                            VectorType::get({size, tiling->lanes}, accType);
                        Value block = vector::TransferReadOp::create(
                            fb, l, blockType, acc,
                            accIndex(fb, l, fLocal, firstTap), accPad,
                            ArrayRef<bool>{true, true});
                        SmallVector<int64_t> taps;
                        SmallVector<Value> current;
                        for (int64_t t = 0; t < size; ++t) {
                          taps.push_back(firstTap + t);
                          current.push_back(
                              vector::ExtractOp::create(fb, l, block, t));
                        }
                        SmallVector<Value> updated =
                            inPlace
                                ? fe.wgradTapsFromInput(current, taps, x, dy, n,
                                                        fIdx, group)
                                : fe.wgradTaps(current, taps, scr, dy, n, fIdx,
                                               firstTap == 0 ? x : Value());
                        acc = vector::TransferWriteOp::create(
                                  fb, l, stackVectors(fb, l, updated), acc,
                                  accIndex(fb, l, fLocal, firstTap),
                                  ArrayRef<bool>{true, true})
                                  .getResult();
                        firstTap += size;
                      }
                      SmallVector<Value> yielded = {acc};
                      if (scr)
                        yielded.push_back(scr);
                      scf::YieldOp::create(fb, l, yielded);
                    });
                scf::YieldOp::create(nb, nl, filters.getResults());
              });
          // One horizontal sum per filter and tap, rounded once. Few taps
          // are unrolled; many are a loop: unrolled, a 3-D kernel's
          // hundreds of scalar inserts into one tensor took bufferization's
          // analysis (which grows with the cube of the writes into a
          // tensor) minutes.
          constexpr int64_t kMaxUnrolledTaps = 64;
          auto sumTap = [&](OpBuilder &ib, Location il, Value fLocal, Value t,
                            ArrayRef<Value> taps, Value dw) -> Value {
            Value v = vector::TransferReadOp::create(
                ib, il, vecType, images.getResult(0),
                ValueRange{fLocal, t, indexConstant(ib, il, 0)}, accPad,
                ArrayRef<bool>{true});
            Value sum = vector::ReductionOp::create(
                ib, il, vector::CombiningKind::ADD, v);
            SmallVector<Value> idx = {fLocal};
            idx.append(taps.begin(), taps.end());
            return tensor::InsertOp::create(
                ib, il, castElements(ib, il, sum, elementType), dw, idx);
          };
          auto filters = scf::ForOp::create(
              tb, loc, indexConstant(tb, loc, 0), count,
              indexConstant(tb, loc, 1), ValueRange{slice},
              [&](OpBuilder &fb, Location l, Value fLocal, ValueRange fit) {
                Value dw = fit[0];
                if (numTaps <= kMaxUnrolledTaps) {
                  for (int64_t t = 0; t < numTaps; ++t) {
                    // dw[f, term, k...] of linear tap t.
                    SmallVector<Value> taps = {
                        indexConstant(fb, l, t / pc.numTaps())};
                    for (int64_t k : pc.tap(t % pc.numTaps()))
                      taps.push_back(indexConstant(fb, l, k));
                    dw = sumTap(fb, l, fLocal, indexConstant(fb, l, t), taps,
                                dw);
                  }
                  scf::YieldOp::create(fb, l, ValueRange{dw});
                  return;
                }
                auto loop = scf::ForOp::create(
                    fb, l, indexConstant(fb, l, 0),
                    indexConstant(fb, l, numTaps), indexConstant(fb, l, 1),
                    ValueRange{dw},
                    [&](OpBuilder &ib, Location il, Value t, ValueRange it) {
                      // [term, k...] of linear tap t (row-major).
                      SmallVector<Value> taps(pc.kernel.size() + 1);
                      Value rest = t;
                      for (size_t i = pc.kernel.size(); i > 0; --i) {
                        Value size = indexConstant(ib, il, pc.kernel[i - 1]);
                        taps[i] = arith::RemUIOp::create(ib, il, rest, size);
                        rest = arith::DivUIOp::create(ib, il, rest, size);
                      }
                      taps[0] = rest;
                      scf::YieldOp::create(
                          ib, il,
                          ValueRange{sumTap(ib, il, fLocal, t, taps, it[0])});
                    });
                scf::YieldOp::create(fb, l, loop.getResults());
              });
          return filters.getResult(0);
        });
    if (cl)
      result = transposeChannels(rewriter, loc, result, /*toFirst=*/false);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DepthwisePlanesPass
    : public convgrad::impl::ConvGradCPUDepthwisePlanesBase<
          DepthwisePlanesPass> {
  using Base::Base;

  void runOnOperation() override {
    if (failed(applyPatternsForTarget(
            getOperation(),
            [](RewritePatternSet &patterns, const cpu::CPUTarget &target) {
              populateDepthwisePlanesPatterns(patterns, target);
            })))
      return signalPassFailure();
  }
};

} // namespace

void mlir::convgrad::populateDepthwisePlanesPatterns(
    RewritePatternSet &patterns, const cpu::CPUTarget &target,
    PatternBenefit benefit) {
  patterns.add<ConvAsPlanes, DgradAsPlanes, WgradAsPlanes>(
      patterns.getContext(), target, benefit);
}
