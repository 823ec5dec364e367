//===- DepthwiseChannelsLast.cpp - Channels-last depthwise gradients ------===//
//
// In NHWC the channels of a pixel are contiguous, so a depthwise kernel
// (every channel its own 2-D convolution) vectorizes along the channels:
// one vector load per pixel and tap, and the lanes never mix. The generic
// path instead pads dy or x into a copy, fills the result, and computes
// the filter gradient as a depthwise convolution whose "filter" is dy
// (transposing both activations). This rewrite computes both gradients
// where the data is:
//
//   - data gradient, dx[n, i, j, c] = sum over taps (kh, kw) whose output
//     position is whole and inside dy of
//       dy[n, (i + lo_h - kh d_h) / s_h, (j + lo_w - kw d_w) / s_w, c]
//         * w[c, kh, kw]:
//     per output row i, the columns j of a stride phase p (j = p + s_w q)
//     read dy column q + off(kw), off = (p + lo_w - kw d_w) / s_w, for the
//     kernel columns kw of that phase only (no FMA on an inserted zero).
//     A register block is `columnBlock` consecutive q x `channelVectors`
//     vectors; the filter is transposed once to [KH, KW, 1, C] so that a
//     tap's filter vector is one load. Grouped data gradients of k > 1
//     channels and k filters per group (k divides the lanes: whole groups
//     per vector) sum k terms per output: dx[c] = sum over j < k of
//     dy[k (c / k) + j] * w[k (c / k) + j, tap, c mod k]. Each output vector
//     has k accumulators, A_r += dy * W_r along f with W_r[f] = w[f, tap,
//     (f mod k + r) mod k] (the filter arranged once as [KH, KW, k, C]),
//     and is the sum of A_r rotated by r within the groups of k lanes:
//     k - 1 in-lane shuffles per output vector, none per tap;
//   - filter gradient, dw[c, kh, kw] = sum over (n, oh, ow) of
//       x[n, oh s_h - lo_h + kh d_h, ow s_w - lo_w + kw d_w, c] * dy[n, oh, ow,
//       c]:
//     per block of channel vectors and block of kernel rows, one
//     accumulator vector per (kernel row, kernel column, channel vector)
//     over the output positions. With stride 1 along the width the pass is
//     input-stationary: per x column j, each kernel row's x vector is
//     loaded once for its KW FMAs with dy columns j + lo - kw d, a window
//     of (KW - 1) d + 1 dy vectors carried in registers across the columns
//     (one new dy load per column, shared by the block's kernel rows: 1 + R
//     loads per R x KW FMAs); when the kernel rows take several passes,
//     the x columns are split into segments, each passed over by every
//     block of kernel rows in turn so that its dy stays in L1 (channel
//     blocks of pixels a multiple of 4 KiB apart share few L1 sets). When
//     the whole kernel fits the registers with the dy windows of several
//     output rows, a pass takes a block of B output rows and all kernel
//     rows: per column, each of the (B - 1) s_h + (KH - 1) d_h + 1 x rows
//     is loaded once for every (output row, kernel row) pair that reads it,
//     so a pixel's channel block comes from L2 about once per pass, not KH
//     times (a pass keeps nothing in L1 for the next one). Else
//     dy-stationary: per output position, one
//     dy load serves the KW FMAs of each kernel row, each with its x load.
//     Parallel tasks split the work items (output rows, or blocks of
//     them) of all images, each
//     into its own copy of the accumulators (summed after), or the channel
//     blocks when there are fewer rows than threads. Grouped filter
//     gradients of k > 1 channels and k filters per group: lane c of x
//     (group c / k) meets the k filters of its group, so each x vector
//     feeds k accumulators A_r += x * rot_r(dy), rot_r(dy)[c] = dy[k (c / k)
//     + (c mod k + r) mod k] (k - 1 in-lane shuffles per dy vector, shared
//     by every tap), and dw[f, kh, kw, j] is gathered once from lane
//     k (f / k) + j of A_((f - j) mod k). A channels-first one with more
//     channels per group than DepthwisePlanes takes is computed so between
//     transposes of x and dy (GroupedWgradViaChannelsLast).
//
// The padding costs no copy and no per-element branch: whether a kernel
// row is inside the input is decided once per output row (scf.if), and the
// output columns whose windows reach the padding (few: about the padding /
// stride on each side) are unrolled with exactly their taps, around a loop
// over the interior columns where every tap is inside. Channels: blocks of
// full vectors in a loop; a partial last vector is one more block whose
// loads and stores are masked, never a scalar loop.
//
// Every size (lanes, register blocks, tasks) and whether the form applies
// come from cpu::getDepthwiseChannelsLastTiling (TilingStrategy.h).
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/DepthwiseUtils.h"
#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include <map>

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCPUDEPTHWISECHANNELSLAST
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

/// The geometry of a 2-D depthwise convolution x [N, H, W, C] -> dy
/// [N, OH, OW, C] with a KH x KW kernel (the forward direction, whichever
/// gradient is computed).
struct DepthwiseGeometry {
  int64_t channels = 0;
  /// Channels (and filters) per group: 1 for a depthwise op.
  int64_t groupChannels = 1;
  int64_t inSizes[2] = {0, 0};  ///< H, W
  int64_t outSizes[2] = {0, 0}; ///< OH, OW
  int64_t kernel[2] = {0, 0};
  int64_t strides[2] = {1, 1}, dilations[2] = {1, 1}, padLow[2] = {0, 0};

  /// The x column of output column ow and kernel column kw.
  int64_t inputColumn(int64_t ow, int64_t kw) const {
    return ow * strides[1] - padLow[1] + kw * dilations[1];
  }
};

/// A column of a register block: its offset from the block's base and the
/// kernel columns it takes.
struct BlockColumn {
  int64_t offset = 0;
  SmallVector<int64_t> kernelColumns;
};

/// One stride phase of a data gradient's output columns: j = phase +
/// s_w * q for q < count; kernel column kw reads dy column q + offsets[kw].
struct ColumnPhase {
  int64_t phase = 0, count = 0;
  SmallVector<int64_t> kernelColumns, offsets;
  /// The q range where every kernel column of the phase reads inside dy.
  int64_t interiorBegin = 0, interiorEnd = 0;

  /// The kernel columns that read inside dy (of `outCols` columns) at q.
  SmallVector<int64_t> validAt(int64_t q, int64_t outCols) const {
    SmallVector<int64_t> valid;
    for (auto [kw, off] : llvm::zip(kernelColumns, offsets))
      if (q + off >= 0 && q + off < outCols)
        valid.push_back(kw);
    return valid;
  }
  int64_t offsetOf(int64_t kw) const {
    for (auto [k, off] : llvm::zip(kernelColumns, offsets))
      if (k == kw)
        return off;
    llvm_unreachable("kernel column not in the phase");
  }
};

int64_t floorDivide(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/// The stride phases of the data gradient of `g`.
SmallVector<ColumnPhase> dataGradientPhases(const DepthwiseGeometry &g) {
  SmallVector<ColumnPhase> phases;
  int64_t s = g.strides[1], d = g.dilations[1], lo = g.padLow[1];
  int64_t width = g.inSizes[1], outCols = g.outSizes[1];
  for (int64_t p = 0; p < s && p < width; ++p) {
    ColumnPhase ph;
    ph.phase = p;
    ph.count = (width - p + s - 1) / s;
    for (int64_t kw = 0; kw < g.kernel[1]; ++kw) {
      int64_t t = p + lo - kw * d;
      if (t - floorDivide(t, s) * s != 0)
        continue;
      ph.kernelColumns.push_back(kw);
      ph.offsets.push_back(floorDivide(t, s));
    }
    int64_t begin = 0, end = ph.count;
    for (int64_t off : ph.offsets) {
      begin = std::max(begin, -off);
      end = std::min(end, outCols - off);
    }
    // No tap, or no column where all are inside: every column is a border.
    if (ph.kernelColumns.empty() || begin >= end)
      begin = end = ph.count;
    ph.interiorBegin = begin;
    ph.interiorEnd = end;
    phases.push_back(ph);
  }
  return phases;
}

/// The output column range [begin, end) of a filter gradient where every
/// kernel column reads inside x (empty: begin == end == OW).
std::pair<int64_t, int64_t> filterGradientInterior(const DepthwiseGeometry &g) {
  int64_t outCols = g.outSizes[1];
  int64_t begin = 0;
  while (begin < outCols && g.inputColumn(begin, 0) < 0)
    ++begin;
  int64_t end = begin;
  while (end < outCols && g.inputColumn(end, g.kernel[1] - 1) < g.inSizes[1])
    ++end;
  // Columns past `end` with the first tap before the input do not exist:
  // inputColumn grows with ow.
  if (begin >= end)
    return {outCols, outCols};
  return {begin, end};
}

/// The x column range [begin, end) of a stride-1 filter gradient where
/// every kernel column meets a dy column inside dy (x column j, kernel
/// column kw: dy column j + lo - kw d); empty: begin == end == W.
std::pair<int64_t, int64_t>
filterGradientInputInterior(const DepthwiseGeometry &g) {
  int64_t width = g.inSizes[1], reach = (g.kernel[1] - 1) * g.dilations[1];
  int64_t begin = std::max<int64_t>(0, reach - g.padLow[1]);
  int64_t end = std::min(width, g.outSizes[1] - g.padLow[1]);
  if (begin >= end)
    return {width, width};
  return {begin, end};
}

/// The work items of one image of a filter gradient: its blocks of
/// outputRowBlock output rows (the last one may be shorter).
int64_t outputRowBlocks(const DepthwiseGeometry &g,
                        const cpu::DepthwiseChannelsLastTiling &tiling) {
  return (g.outSizes[0] + tiling.outputRowBlock - 1) / tiling.outputRowBlock;
}

/// Emits the vectors of one op: channel vectors of `lanes` accumulators,
/// loads and stores masked for the partial last vector.
class ChannelVectors {
public:
  ChannelVectors(Location loc, Type accType, int64_t lanes)
      : loc(loc), accType(accType), lanes(lanes),
        vecType(VectorType::get({lanes}, accType)) {}

  /// The accumulator-typed vector at `indices` of `source` (the last index
  /// along the channels), masked beyond its end when `masked`.
  Value read(OpBuilder &b, Value source, ValueRange indices,
             bool masked) const {
    Type srcElem = getElementTypeOrSelf(source.getType());
    Value padding = arith::ConstantOp::create(b, loc, srcElem,
                                              b.getFloatAttr(srcElem, 0.0));
    Value v = vector::TransferReadOp::create(
        b, loc, VectorType::get({lanes}, srcElem), source, indices, padding,
        ArrayRef<bool>{!masked});
    return castElements(b, loc, v, accType);
  }
  Value zero(OpBuilder &b) const {
    return arith::ConstantOp::create(
        b, loc, vecType,
        DenseElementsAttr::get(vecType, b.getFloatAttr(accType, 0.0)));
  }

  Location loc;
  Type accType;
  int64_t lanes;
  VectorType vecType;
};

/// `cond ? then(values) : values` as an scf.if yielding the values.
SmallVector<Value>
ifThenUpdate(OpBuilder &b, Location loc, Value cond, ValueRange values,
             function_ref<SmallVector<Value>(OpBuilder &, ValueRange)> then) {
  auto ifOp = scf::IfOp::create(
      b, loc, cond,
      [&](OpBuilder &tb, Location l) {
        scf::YieldOp::create(tb, l, then(tb, values));
      },
      [&](OpBuilder &eb, Location l) { scf::YieldOp::create(eb, l, values); });
  return SmallVector<Value>(ifOp.getResults().begin(), ifOp.getResults().end());
}

/// Whether 0 <= v < size, for an index v.
Value inRange(OpBuilder &b, Location loc, Value v, int64_t size) {
  Value lo = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, v,
                                   indexConstant(b, loc, 0));
  Value hi = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, v,
                                   indexConstant(b, loc, size));
  return arith::AndIOp::create(b, loc, lo, hi);
}

/// Runs `body` for the channel blocks: blocks of `blockVectors` full
/// vectors in a loop (channel offset dynamic), then one block of the
/// partial last vector (masked) when `channels` is not a multiple of the
/// lanes. `body(builder, channelOffset, vectors, masked, carried)` returns
/// the new carried values.
SmallVector<Value>
forEachChannelBlock(OpBuilder &b, Location loc, int64_t channels, int64_t lanes,
                    int64_t blockVectors, ValueRange carried,
                    function_ref<SmallVector<Value>(OpBuilder &, Value, int64_t,
                                                    bool, ValueRange)>
                        body) {
  SmallVector<Value> cur(carried.begin(), carried.end());
  int64_t full = channels / lanes;
  int64_t blocks = full / blockVectors;
  int64_t step = blockVectors * lanes;
  if (blocks == 1) {
    cur = body(b, indexConstant(b, loc, 0), blockVectors, false, cur);
  } else if (blocks > 1) {
    auto loop = scf::ForOp::create(
        b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, blocks * step),
        indexConstant(b, loc, step), cur,
        [&](OpBuilder &lb, Location l, Value c0, ValueRange it) {
          scf::YieldOp::create(lb, l, body(lb, c0, blockVectors, false, it));
        });
    cur.assign(loop.getResults().begin(), loop.getResults().end());
  }
  int64_t rest = full - blocks * blockVectors;
  if (rest > 0)
    cur = body(b, indexConstant(b, loc, blocks * step), rest, false, cur);
  if (channels % lanes != 0)
    cur = body(b, indexConstant(b, loc, full * lanes), 1, true, cur);
  return cur;
}

//===----------------------------------------------------------------------===//
// Data gradient
//===----------------------------------------------------------------------===//

/// The data gradient dx of `g` into `out` (a [1, rows, W, C] slice of dx
/// for image n from row `firstRow`).
class DataGradientEmitter {
public:
  DataGradientEmitter(const DepthwiseGeometry &g,
                      const cpu::DepthwiseChannelsLastTiling &tiling,
                      const ChannelVectors &cv, Value dy, Value filterT)
      : g(g), tiling(tiling), cv(cv), dy(dy), filterT(filterT),
        phases(dataGradientPhases(g)) {}

  /// The rows [firstRow, firstRow + rows) of image n.
  Value emitRows(OpBuilder &b, Location loc, Value out, Value n, Value firstRow,
                 int64_t rows) {
    auto loop = scf::ForOp::create(
        b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, rows),
        indexConstant(b, loc, 1), ValueRange{out},
        [&](OpBuilder &rb, Location l, Value local, ValueRange it) {
          Value row = arith::AddIOp::create(rb, l, firstRow, local);
          SmallVector<Value> res = forEachChannelBlock(
              rb, l, g.channels, cv.lanes, tiling.channelVectors, it,
              [&](OpBuilder &cb, Value c0, int64_t vectors, bool masked,
                  ValueRange cit) -> SmallVector<Value> {
                return {emitPhases(cb, l, cit[0], n, row, local, c0, vectors,
                                   masked)};
              });
          scf::YieldOp::create(rb, l, res);
        });
    return loop.getResult(0);
  }

private:
  /// Every column of output row `row` (`local` in `out`) for one channel
  /// block.
  Value emitPhases(OpBuilder &b, Location loc, Value out, Value n, Value row,
                   Value local, Value c0, int64_t vectors, bool masked) {
    // Unrolled kernel rows: per kernel row, whether it reads a dy row and
    // that row, shared by every block of the output row. (Looped kernel
    // rows compute theirs in each block's loop.)
    SmallVector<std::pair<Value, Value>> kernelRows;
    if (!tiling.loopKernelRows)
      for (int64_t kh = 0; kh < g.kernel[0]; ++kh)
        kernelRows.push_back(dyRowOf(
            b, loc, addIndex(b, loc, row, g.padLow[0] - kh * g.dilations[0])));
    int64_t cb = tiling.columnBlock;
    for (const ColumnPhase &ph : phases) {
      auto block = [&](OpBuilder &bb, Value dst, Value base,
                       ArrayRef<BlockColumn> cols) {
        return emitBlock(bb, loc, dst, ph, n, row, kernelRows, local, c0,
                         vectors, masked, base, cols);
      };
      // Border columns: static, each with the kernel columns inside dy.
      auto borders = [&](Value dst, int64_t begin, int64_t end) {
        for (int64_t q0 = begin; q0 < end; q0 += cb) {
          SmallVector<BlockColumn> cols;
          for (int64_t q = q0; q < std::min(end, q0 + cb); ++q)
            cols.push_back({q, ph.validAt(q, g.outSizes[1])});
          dst = block(b, dst, indexConstant(b, loc, 0), cols);
        }
        return dst;
      };
      out = borders(out, 0, ph.interiorBegin);
      int64_t interior = ph.interiorEnd - ph.interiorBegin;
      int64_t looped = interior / cb * cb;
      SmallVector<BlockColumn> full;
      for (int64_t q = 0; q < cb; ++q)
        full.push_back({q, ph.kernelColumns});
      if (looped == cb) {
        out = block(b, out, indexConstant(b, loc, ph.interiorBegin), full);
      } else if (looped > cb) {
        auto loop = scf::ForOp::create(
            b, loc, indexConstant(b, loc, ph.interiorBegin),
            indexConstant(b, loc, ph.interiorBegin + looped),
            indexConstant(b, loc, cb), ValueRange{out},
            [&](OpBuilder &lb, Location l, Value q0, ValueRange it) {
              scf::YieldOp::create(lb, l, block(lb, it[0], q0, full));
            });
        out = loop.getResult(0);
      }
      if (looped < interior) {
        SmallVector<BlockColumn> rest;
        for (int64_t q = ph.interiorBegin + looped; q < ph.interiorEnd; ++q)
          rest.push_back({q, ph.kernelColumns});
        out = block(b, out, indexConstant(b, loc, 0), rest);
      }
      out = borders(out, ph.interiorEnd, ph.count);
    }
    return out;
  }

  /// For t = row + lo - kh d of a kernel row: whether the row reads a dy
  /// row (0 <= t < OH s and s divides t) and that dy row, t / s.
  std::pair<Value, Value> dyRowOf(OpBuilder &b, Location loc, Value t) const {
    int64_t s = g.strides[0];
    Value cond = inRange(b, loc, t, g.outSizes[0] * s);
    if (s == 1)
      return {cond, t};
    // t >= 0 where it matters: remsi's sign does not.
    Value sv = indexConstant(b, loc, s);
    Value rem = arith::RemSIOp::create(b, loc, t, sv);
    cond = arith::AndIOp::create(
        b, loc, cond,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rem,
                              indexConstant(b, loc, 0)));
    return {cond, arith::DivSIOp::create(b, loc, t, sv)};
  }

  /// One register block: columns q = base + col.offset of phase `ph`, x
  /// `vectors` channel vectors from c0, of output row `row` (its unrolled
  /// `kernelRows`, empty when they are looped).
  Value emitBlock(OpBuilder &b, Location loc, Value out, const ColumnPhase &ph,
                  Value n, Value row,
                  ArrayRef<std::pair<Value, Value>> kernelRows, Value local,
                  Value c0, int64_t vectors, bool masked, Value base,
                  ArrayRef<BlockColumn> cols) {
    SmallVector<Value> channel;
    for (int64_t v = 0; v < vectors; ++v)
      channel.push_back(addIndex(b, loc, c0, v * cv.lanes));
    // Accumulator r of (column ci, vector v): acc[(ci * vectors + v) * k +
    // r], summed after the rotation of its groups by r (see rotateSum).
    int64_t k = g.groupChannels;
    SmallVector<Value> acc(cols.size() * vectors * k, cv.zero(b));
    bool anyTap = llvm::any_of(
        cols, [](const BlockColumn &c) { return !c.kernelColumns.empty(); });
    if (anyTap) {
      // Per channel vector: the tap filter vectors, then each dy vector the
      // block reads, once, into every (column, tap) that reads it. Columns
      // of a block share dy vectors across taps; loading each where it is
      // used keeps the live set at the accumulators + KW filter vectors +
      // one dy vector (all of a block's dy vectors live at once would
      // spill).
      std::map<int64_t, SmallVector<std::pair<size_t, size_t>>>
          readers; // dy column offset -> (column, tap index)
      for (auto [ci, col] : llvm::enumerate(cols))
        for (auto [ti, kw] : llvm::enumerate(ph.kernelColumns))
          if (llvm::is_contained(col.kernelColumns, kw))
            readers[col.offset + ph.offsets[ti]].push_back({ci, ti});
      // The terms of kernel row kh (an index) when `cond`, dy row `dyRow`.
      auto addKernelRow = [&](OpBuilder &kb, Value kh, Value cond,
                              Value dyRow, ValueRange accs) {
        return ifThenUpdate(
            kb, loc, cond, accs,
            [&](OpBuilder &tb, ValueRange cur) -> SmallVector<Value> {
              SmallVector<Value> next(cur.begin(), cur.end());
              for (int64_t v = 0; v < vectors; ++v) {
                if (tiling.tapFilterVectors) {
                  // Tap by tap: its k filter vectors, then the dy vector of
                  // every column that reads it (loaded again per tap).
                  for (auto [ti, kw] : llvm::enumerate(ph.kernelColumns)) {
                    SmallVector<Value> w;
                    for (int64_t r = 0; r < k; ++r)
                      w.push_back(
                          cv.read(tb, filterT,
                                  {kh, indexConstant(tb, loc, kw),
                                   indexConstant(tb, loc, r), channel[v]},
                                  masked));
                    for (auto [ci, col] : llvm::enumerate(cols)) {
                      if (!llvm::is_contained(col.kernelColumns, kw))
                        continue;
                      Value dyCol =
                          addIndex(tb, loc, base, col.offset + ph.offsets[ti]);
                      Value d = cv.read(tb, dy, {n, dyRow, dyCol, channel[v]},
                                        masked);
                      for (int64_t r = 0; r < k; ++r) {
                        Value &a = next[(ci * vectors + v) * k + r];
                        a = vector::FMAOp::create(tb, loc, d, w[r], a);
                      }
                    }
                  }
                  continue;
                }
                // The filter flipped: dx sums dy[i + lo - k] * w[k]; term r
                // of tap kw at w[ti * k + r].
                SmallVector<Value> w;
                for (int64_t kw : ph.kernelColumns)
                  for (int64_t r = 0; r < k; ++r)
                    w.push_back(cv.read(tb, filterT,
                                        {kh, indexConstant(tb, loc, kw),
                                         indexConstant(tb, loc, r), channel[v]},
                                        masked));
                for (auto &[offset, uses] : readers) {
                  Value dyCol = addIndex(tb, loc, base, offset);
                  Value d =
                      cv.read(tb, dy, {n, dyRow, dyCol, channel[v]}, masked);
                  for (auto [ci, ti] : uses) {
                    for (int64_t r = 0; r < k; ++r) {
                      Value &a = next[(ci * vectors + v) * k + r];
                      a = vector::FMAOp::create(tb, loc, d, w[ti * k + r], a);
                    }
                  }
                }
              }
              return next;
            });
      };
      if (tiling.loopKernelRows) {
        auto loop = scf::ForOp::create(
            b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, g.kernel[0]),
            indexConstant(b, loc, 1), acc,
            [&](OpBuilder &lb, Location l, Value kh, ValueRange it) {
              Value t = arith::SubIOp::create(
                  lb, l, addIndex(lb, l, row, g.padLow[0]),
                  mulIndex(lb, l, kh, g.dilations[0]));
              auto [cond, dyRow] = dyRowOf(lb, l, t);
              scf::YieldOp::create(lb, l, addKernelRow(lb, kh, cond, dyRow, it));
            });
        acc.assign(loop.getResults().begin(), loop.getResults().end());
      } else {
        for (int64_t kh = 0; kh < g.kernel[0]; ++kh)
          acc = addKernelRow(b, indexConstant(b, loc, kh), kernelRows[kh].first,
                             kernelRows[kh].second, acc);
      }
    }
    // The block's output vectors as one [columns, vectors x lanes] vector,
    // written into the slice of its columns (output column j = phase + s
    // q, the columns s apart): one tensor write per block rather than one
    // per vector. Bufferization's analysis grows with the cube of the
    // writes into one tensor, and a short row (every column unrolled, as
    // in a strided gradient of a narrow image) had hundreds of them.
    Type destElem = getElementTypeOrSelf(out.getType());
    int64_t columns = cols.size(), width = vectors * cv.lanes;
    auto blockType = VectorType::get({columns, width}, destElem);
    Value outBlock = arith::ConstantOp::create(
        b, loc, blockType,
        DenseElementsAttr::get(blockType, b.getFloatAttr(destElem, 0.0)));
    for (auto [ci, col] : llvm::enumerate(cols)) {
      assert(col.offset == cols.front().offset + static_cast<int64_t>(ci) &&
             "the columns of a block are consecutive");
      for (int64_t v = 0; v < vectors; ++v) {
        size_t first = (ci * vectors + v) * k;
        Value sum = rotateSum(
            b, loc, ArrayRef<Value>(acc).slice(first, k));
        outBlock = vector::InsertStridedSliceOp::create(
            b, loc, castElements(b, loc, sum, destElem), outBlock,
            ArrayRef<int64_t>{static_cast<int64_t>(ci), v * cv.lanes},
            ArrayRef<int64_t>{1});
      }
    }
    Value q0 = addIndex(b, loc, base, cols.front().offset);
    Value j0 = addIndex(b, loc, mulIndex(b, loc, q0, g.strides[1]), ph.phase);
    // A partial last vector writes the channels that exist (masked).
    int64_t sliceChannels = masked ? g.channels % cv.lanes : width;
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), local, j0, c0};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(1),
                                       b.getIndexAttr(columns),
                                       b.getIndexAttr(sliceChannels)};
    SmallVector<OpFoldResult> steps = {b.getIndexAttr(1), b.getIndexAttr(1),
                                       b.getIndexAttr(g.strides[1]),
                                       b.getIndexAttr(1)};
    Value slice =
        tensor::ExtractSliceOp::create(b, loc, out, offsets, sizes, steps);
    Value zero = indexConstant(b, loc, 0);
    auto write = vector::TransferWriteOp::create(
        b, loc, outBlock, slice, ValueRange{zero, zero, zero, zero},
        ArrayRef<bool>{true, !masked});
    return tensor::InsertSliceOp::create(b, loc, write.getResult(), out,
                                         offsets, sizes, steps)
        .getResult();
  }

  /// The output vector of the k = groupChannels accumulators `terms` of
  /// one (column, channel vector): accumulator r holds, in lane f (group
  /// f / k), dy[f] * w[f, tap, (f mod k + r) mod k] summed over the taps:
  /// the term of dx channel (f mod k + r) mod k of the group, so lane c of
  /// the result sums terms[r][k (c / k) + (c mod k - r) mod k] over r.
  Value rotateSum(OpBuilder &b, Location loc, ArrayRef<Value> terms) const {
    int64_t k = terms.size();
    Value sum = terms[0];
    for (int64_t r = 1; r < k; ++r) {
      SmallVector<int64_t> mask;
      for (int64_t c = 0; c < cv.lanes; ++c)
        mask.push_back(c / k * k + (c % k - r + k) % k);
      Value rotated =
          vector::ShuffleOp::create(b, loc, terms[r], terms[r], mask);
      sum = arith::AddFOp::create(b, loc, sum, rotated);
    }
    return sum;
  }

  const DepthwiseGeometry &g;
  const cpu::DepthwiseChannelsLastTiling &tiling;
  const ChannelVectors &cv;
  Value dy, filterT;
  SmallVector<ColumnPhase> phases;
};

//===----------------------------------------------------------------------===//
// Filter gradient
//===----------------------------------------------------------------------===//

class FilterGradientEmitter {
public:
  FilterGradientEmitter(const DepthwiseGeometry &g,
                        const cpu::DepthwiseChannelsLastTiling &tiling,
                        const ChannelVectors &cv, Value x, Value dy)
      : g(g), tiling(tiling), cv(cv), x(x), dy(dy),
        interior(filterGradientInterior(g)) {}

  /// Accumulates into `acc` (a zero [KH, KW k, width] tensor of
  /// accumulators for the channels from `accC0`) the filter gradient of the
  /// work items [firstItem, lastItem) of all images (blocks of
  /// outputRowBlock output rows, item n * outputRowBlocks + k), for the
  /// full channel blocks at channel offsets [fullBegin, fullEnd) and, when
  /// `hasTail`, the partial last vector at `tailC0` (masked). Per work item
  /// (see emitOutputRowBlock for blocks of several output rows; else one
  /// output row), the channel blocks, and per block
  /// and segment of the x columns every block of kernel rows: x and dy
  /// stream through once, all channels of a pixel together, the rows of a
  /// block re-read from L1 by its kernel row blocks; the accumulators are
  /// reloaded from `acc` (in L1) per row and segment.
  Value emitTask(OpBuilder &b, Location loc, Value acc, Value accC0,
                 Value fullBegin, Value fullEnd, Value hasTail, int64_t tailC0,
                 Value firstItem, Value lastItem) {
    int64_t blockChannels = tiling.channelVectors * cv.lanes;
    // The kernel rows of the block of `vectors` vectors from c0 over the x
    // columns `xColumns`: per sub-block of passVectors vectors (one after
    // the other: the segment's lines stay in L1 between them), every block
    // of kernel rows.
    auto segmentRows = [&](OpBuilder &sb, Location sl, Value segmentAcc,
                           Value c0, int64_t vectors, bool masked, Value n,
                           Value oh, ColumnRange xColumns) {
      int64_t pass = tiling.passVectors > 0 && tiling.passVectors < vectors
                         ? tiling.passVectors
                         : vectors;
      for (int64_t v0 = 0; v0 < vectors; v0 += pass) {
        Value sub = addIndex(sb, sl, c0, v0 * cv.lanes);
        for (int64_t kh0 = 0; kh0 < g.kernel[0]; kh0 += tiling.kernelRowBlock) {
          int64_t rows = std::min(tiling.kernelRowBlock, g.kernel[0] - kh0);
          segmentAcc = emitBlockRow(sb, sl, segmentAcc, accC0, sub,
                                    std::min(pass, vectors - v0), masked, kh0,
                                    rows, n, oh, xColumns);
        }
      }
      return segmentAcc;
    };
    // `body` over every segment of the x columns.
    auto forSegments =
        [&](OpBuilder &kb, Location kl, Value cur,
            function_ref<Value(OpBuilder &, Location, Value, ColumnRange)>
                body) {
          // Segments k of whole interior columns ([k s, (k + 1) s) within
          // the interior) run in a loop when there are two or more, the
          // others (borders, a shorter last one) unrolled: the code of a
          // segment is as long as that of a whole row.
          int64_t width = g.inSizes[1];
          // (The dy-stationary form reads whole rows.)
          int64_t segment = tiling.inputStationary && tiling.segmentColumns > 0
                                ? tiling.segmentColumns
                                : width;
          int64_t count = (width + segment - 1) / segment;
          auto [rowBegin, rowEnd] = filterGradientInputInterior(g);
          int64_t loopFirst = (rowBegin + segment - 1) / segment;
          int64_t loopEnd = std::min(count, rowEnd / segment);
          if (loopEnd - loopFirst < 2)
            loopFirst = loopEnd = count;
          auto unrolled = [&](int64_t from, int64_t to) {
            for (int64_t k = from; k < to; ++k)
              cur = body(
                  kb, kl, cur,
                  {k * segment, std::min(width, (k + 1) * segment), Value()});
          };
          unrolled(0, loopFirst);
          if (loopEnd > loopFirst) {
            auto loop = scf::ForOp::create(
                kb, kl, indexConstant(kb, kl, loopFirst * segment),
                indexConstant(kb, kl, loopEnd * segment),
                indexConstant(kb, kl, segment), ValueRange{cur},
                [&](OpBuilder &lb, Location l, Value start, ValueRange it) {
                  scf::YieldOp::create(lb, l,
                                       body(lb, l, it[0], {0, segment, start}));
                });
            cur = loop.getResult(0);
          }
          unrolled(loopEnd, count);
          return cur;
        };
    // Every channel block (and the partial last vector) over `xColumns`.
    auto allBlocks = [&](OpBuilder &rb, Location rl, Value cur, Value n,
                         Value oh,
                         function_ref<Value(OpBuilder &, Location, Value, Value,
                                            int64_t, bool)>
                             blockBody) {
      auto blocks = scf::ForOp::create(
          rb, rl, fullBegin, fullEnd, indexConstant(rb, rl, blockChannels),
          ValueRange{cur},
          [&](OpBuilder &cb, Location cl, Value c0, ValueRange cit) {
            scf::YieldOp::create(
                cb, cl,
                blockBody(cb, cl, cit[0], c0, tiling.channelVectors, false));
          });
      cur = blocks.getResult(0);
      if (hasTail) {
        auto ifOp = scf::IfOp::create(
            rb, rl, hasTail,
            [&](OpBuilder &tb, Location tl) {
              scf::YieldOp::create(tb, tl,
                                   blockBody(tb, tl, cur,
                                             indexConstant(tb, tl, tailC0), 1,
                                             true));
            },
            [&](OpBuilder &eb, Location el) {
              scf::YieldOp::create(eb, el, cur);
            });
        cur = ifOp.getResult(0);
      }
      return cur;
    };
    auto items = scf::ForOp::create(
        b, loc, firstItem, lastItem, indexConstant(b, loc, 1), ValueRange{acc},
        [&](OpBuilder &rb, Location rl, Value item, ValueRange it) {
          // Item n * blocks + k: block k of outputRowBlock output rows of
          // image n.
          Value rowBlocks = indexConstant(rb, rl, outputRowBlocks(g, tiling));
          Value n = arith::DivUIOp::create(rb, rl, item, rowBlocks);
          Value oh =
              mulIndex(rb, rl, arith::RemUIOp::create(rb, rl, item, rowBlocks),
                       tiling.outputRowBlock);
          Value cur;
          if (tiling.segmentsOutsideBlocks) {
            cur = forSegments(
                rb, rl, it[0],
                [&](OpBuilder &sb, Location sl, Value segAcc,
                    ColumnRange xColumns) {
                  return allBlocks(sb, sl, segAcc, n, oh,
                                   [&](OpBuilder &cb, Location cl, Value bAcc,
                                       Value c0, int64_t vectors, bool masked) {
                                     return segmentRows(cb, cl, bAcc, c0,
                                                        vectors, masked, n, oh,
                                                        xColumns);
                                   });
                });
          } else {
            cur = allBlocks(rb, rl, it[0], n, oh,
                            [&](OpBuilder &cb, Location cl, Value bAcc,
                                Value c0, int64_t vectors, bool masked) {
                              return forSegments(
                                  cb, cl, bAcc,
                                  [&](OpBuilder &sb, Location sl, Value segAcc,
                                      ColumnRange xColumns) {
                                    return segmentRows(sb, sl, segAcc, c0,
                                                       vectors, masked, n, oh,
                                                       xColumns);
                                  });
                            });
          }
          scf::YieldOp::create(rb, rl, cur);
        });
    return items.getResult(0);
  }

private:
  /// A segment of x columns: [first, second), or, when `start` is set,
  /// the interior columns [start, start + second - first) (one iteration
  /// of a loop over equal segments).
  struct ColumnRange {
    int64_t first, second;
    Value start;
  };

  /// Kernel rows [kh0, kh0 + rows) of output row oh of image n for the
  /// channel block of `vectors` vectors from c0 and the x columns
  /// `xColumns` (input-stationary; the dy-stationary form gets whole rows):
  /// its accumulators are read from and written back to `acc` (at channel
  /// c0 - accC0).
  Value emitBlockRow(OpBuilder &b, Location loc, Value acc, Value accC0,
                     Value c0, int64_t vectors, bool masked, int64_t kh0,
                     int64_t rows, Value n, Value oh, ColumnRange xColumns) {
    SmallVector<Value> channel, accChannel;
    Value local = arith::SubIOp::create(b, loc, c0, accC0);
    for (int64_t v = 0; v < vectors; ++v) {
      channel.push_back(addIndex(b, loc, c0, v * cv.lanes));
      accChannel.push_back(addIndex(b, loc, local, v * cv.lanes));
    }
    // Accumulator columns: KW x k (kernel column, rotation) terms.
    int64_t terms = termsPerRow();
    auto accIndex = [&](int64_t r, int64_t t, int64_t v) -> SmallVector<Value> {
      return {indexConstant(b, loc, kh0 + r), indexConstant(b, loc, t),
              accChannel[v]};
    };
    // acc[(r * KW k + t) * vectors + v]; one [terms, lanes] transfer per
    // kernel row and vector (a chain of one transfer per accumulator on
    // the tensor would make bufferization's analysis quadratic in them).
    auto termsType = VectorType::get({terms, cv.lanes}, cv.accType);
    SmallVector<Value> cur(rows * terms * vectors);
    Value padding = arith::ConstantOp::create(
        b, loc, cv.accType, b.getFloatAttr(cv.accType, 0.0));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t v = 0; v < vectors; ++v) {
        Value block = vector::TransferReadOp::create(
            b, loc, termsType, acc, accIndex(r, 0, v), padding,
            ArrayRef<bool>{true, true});
        for (int64_t t = 0; t < terms; ++t)
          cur[(r * terms + t) * vectors + v] =
              vector::ExtractOp::create(b, loc, block, t);
      }
    cur =
        tiling.outputRowBlock > 1
            ? emitOutputRowBlock(b, loc, cur, n, oh, channel, masked, xColumns)
            : emitKernelRowBlock(b, loc, cur, kh0, rows, n, oh, channel, masked,
                                 xColumns);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t v = 0; v < vectors; ++v) {
        SmallVector<Value> rowTerms;
        for (int64_t t = 0; t < terms; ++t)
          rowTerms.push_back(cur[(r * terms + t) * vectors + v]);
        acc = vector::TransferWriteOp::create(
                  b, loc, stackVectors(b, loc, rowTerms), acc,
                  accIndex(r, 0, v), ArrayRef<bool>{true, true})
                  .getResult();
      }
    return acc;
  }

  /// The accumulators `cur` of kernel rows [kh0, kh0 + rows) plus the
  /// products of output row oh of image n (see emitBlockRow).
  SmallVector<Value> emitKernelRowBlock(OpBuilder &b, Location loc,
                                        SmallVector<Value> cur, int64_t kh0,
                                        int64_t rows, Value n, Value oh,
                                        ArrayRef<Value> channel, bool masked,
                                        ColumnRange xColumns) {
    // Usually every kernel row is inside x: all rows in one pass over the
    // columns (dy loaded once, rows x KW x vectors independent FMA chains);
    // at the top and bottom borders, each row inside x on its own.
    SmallVector<int64_t> rs;
    SmallVector<Value> xRows, conds;
    for (int64_t r = 0; r < rows; ++r) {
      auto [xRow, cond] = inputRow(b, loc, oh, kh0 + r);
      rs.push_back(r);
      xRows.push_back(xRow);
      conds.push_back(cond);
    }
    if (rows == 1) {
      cur = emitKernelRows(b, loc, cur, rs, xRows, conds[0], n, oh, channel,
                           masked, xColumns);
    } else {
      Value all = conds[0];
      for (Value c : ArrayRef<Value>(conds).drop_front())
        all = arith::AndIOp::create(b, loc, all, c);
      auto ifOp = scf::IfOp::create(
          b, loc, all,
          [&](OpBuilder &tb, Location l) {
            Value yes = arith::ConstantIntOp::create(tb, l, 1, 1);
            scf::YieldOp::create(tb, l,
                                 emitKernelRows(tb, l, cur, rs, xRows, yes, n,
                                                oh, channel, masked, xColumns));
          },
          [&](OpBuilder &eb, Location l) {
            SmallVector<Value> each = cur;
            for (int64_t r = 0; r < rows; ++r)
              each = emitKernelRows(eb, l, each, {r}, {xRows[r]}, conds[r], n,
                                    oh, channel, masked, xColumns);
            scf::YieldOp::create(eb, l, each);
          });
      cur.assign(ifOp.getResults().begin(), ifOp.getResults().end());
    }
    return cur;
  }

  /// The accumulators `cur` of every kernel row plus the products of the
  /// output rows [oh0, oh0 + outputRowBlock) of image n in one
  /// input-stationary pass over whole rows: output row oh and kernel row kh
  /// read x row oh s_h - lo_h + kh d_h, and each x row is loaded once per
  /// column for all of its (output row, kernel row) pairs. Blocks whose x
  /// rows and output rows are all inside x and dy (most) take no check;
  /// the others (near the top and bottom of an image, a shorter last block)
  /// read their rows clamped into x and dy, zeroed outside.
  SmallVector<Value> emitOutputRowBlock(OpBuilder &b, Location loc,
                                        SmallVector<Value> cur, Value n,
                                        Value oh0, ArrayRef<Value> channel,
                                        bool masked, ColumnRange xColumns) {
    int64_t block = tiling.outputRowBlock;
    // The (output row t, kernel row kh) pairs of each x row, by its offset
    // t s_h + kh d_h from oh0 s_h - lo_h.
    RowBlockUses uses;
    for (int64_t t = 0; t < block; ++t)
      for (int64_t kh = 0; kh < g.kernel[0]; ++kh)
        uses[t * g.strides[0] + kh * g.dilations[0]].push_back({t, kh});
    Value xBase =
        addIndex(b, loc, mulIndex(b, loc, oh0, g.strides[0]), -g.padLow[0]);
    Value allInside = arith::ConstantIntOp::create(b, loc, 1, 1);
    auto inside = [&](Value row, int64_t size) {
      Value in = inRange(b, loc, row, size);
      allInside = arith::AndIOp::create(b, loc, allInside, in);
      return in;
    };
    SmallVector<InputRowTerms> xRows;
    for (auto &[offset, pairs] : uses) {
      Value row = addIndex(b, loc, xBase, offset);
      xRows.push_back({row, inside(row, g.inSizes[0]), pairs});
    }
    SmallVector<OutputRow> dyRows;
    for (int64_t t = 0; t < block; ++t) {
      Value row = addIndex(b, loc, oh0, t);
      dyRows.push_back({row, inside(row, g.outSizes[0])});
    }
    auto pass = [&](OpBuilder &pb, Location pl, bool checked) {
      auto clamp = [&](Value row, int64_t size) -> Value {
        Value low =
            arith::MaxSIOp::create(pb, pl, row, indexConstant(pb, pl, 0));
        return arith::MinSIOp::create(pb, pl, low,
                                      indexConstant(pb, pl, size - 1));
      };
      SmallVector<InputRowTerms> xs = xRows;
      SmallVector<OutputRow> dys = dyRows;
      for (InputRowTerms &r : xs)
        r = checked
                ? InputRowTerms{clamp(r.row, g.inSizes[0]), r.inside, r.uses}
                : InputRowTerms{r.row, Value(), r.uses};
      for (OutputRow &r : dys)
        r = checked ? OutputRow{clamp(r.row, g.outSizes[0]), r.inside}
                    : OutputRow{r.row, Value()};
      scf::YieldOp::create(pb, pl,
                           emitInputStationaryColumns(pb, pl, cur, xs, dys, n,
                                                      channel, masked,
                                                      xColumns));
    };
    // The blocks that reach outside x or dy are known from their index k
    // (oh0 = k B): each gets its own pass over exactly its rows inside,
    // with no clamp and no zeroed vector (a checked pass multiplies zeros
    // and keeps its selects' operands live: it took 469 instructions per 24
    // FMAs against 66 per 36 in the unchecked loop). Only when there are
    // many such blocks (padding far beyond the kernel) the checked pass
    // takes them.
    constexpr int64_t kMaxStaticBorderBlocks = 8;
    SmallVector<int64_t> borderBlocks = outputRowBorderBlocks(uses);
    if (int64_t(borderBlocks.size()) <= kMaxStaticBorderBlocks) {
      Value k = arith::DivUIOp::create(b, loc, oh0,
                                       indexConstant(b, loc, block));
      auto switchOp = scf::IndexSwitchOp::create(
          b, loc, ValueRange(cur).getTypes(), k, borderBlocks,
          borderBlocks.size());
      for (auto [region, blockIndex] :
           llvm::zip(switchOp.getCaseRegions(), borderBlocks)) {
        OpBuilder cb = OpBuilder::atBlockBegin(&region.emplaceBlock());
        scf::YieldOp::create(cb, loc,
                             emitStaticBorderBlock(cb, loc, cur, n, blockIndex,
                                                   uses, channel, masked,
                                                   xColumns));
      }
      OpBuilder db =
          OpBuilder::atBlockBegin(&switchOp.getDefaultRegion().emplaceBlock());
      pass(db, loc, false);
      return SmallVector<Value>(switchOp.getResults().begin(),
                                switchOp.getResults().end());
    }
    auto ifOp = scf::IfOp::create(
        b, loc, allInside,
        [&](OpBuilder &tb, Location l) { pass(tb, l, false); },
        [&](OpBuilder &eb, Location l) { pass(eb, l, true); });
    return SmallVector<Value>(ifOp.getResults().begin(),
                              ifOp.getResults().end());
  }

  /// The (output row t, kernel row kh) pairs of each x row of a block of
  /// output rows, by the x row's offset t s_h + kh d_h from oh0 s_h - lo_h.
  using RowBlockUses =
      std::map<int64_t, SmallVector<std::pair<int64_t, int64_t>>>;

  /// The indices k of the blocks of output rows (oh0 = k outputRowBlock)
  /// that read an x row outside x or hold an output row past dy's end.
  SmallVector<int64_t> outputRowBorderBlocks(const RowBlockUses &uses) const {
    SmallVector<int64_t> blocks;
    int64_t block = tiling.outputRowBlock;
    for (int64_t k = 0, e = outputRowBlocks(g, tiling); k < e; ++k) {
      int64_t oh0 = k * block;
      bool inside = oh0 + block <= g.outSizes[0];
      for (auto &entry : uses) {
        int64_t row = oh0 * g.strides[0] - g.padLow[0] + entry.first;
        inside &= row >= 0 && row < g.inSizes[0];
      }
      if (!inside)
        blocks.push_back(k);
    }
    return blocks;
  }

  /// The pass of block k of output rows (see emitOutputRowBlock) over its
  /// x rows inside x and its output rows inside dy only, all static.
  SmallVector<Value> emitStaticBorderBlock(OpBuilder &b, Location loc,
                                           SmallVector<Value> cur, Value n,
                                           int64_t k, const RowBlockUses &uses,
                                           ArrayRef<Value> channel, bool masked,
                                           ColumnRange xColumns) {
    int64_t oh0 = k * tiling.outputRowBlock;
    // Output row t of the block is dy row oh0 + t: renumbered over the rows
    // inside dy.
    SmallVector<OutputRow> dyRows;
    SmallVector<int64_t> dyIndex(tiling.outputRowBlock, -1);
    for (int64_t t = 0; t < tiling.outputRowBlock; ++t)
      if (oh0 + t < g.outSizes[0]) {
        dyIndex[t] = dyRows.size();
        dyRows.push_back({indexConstant(b, loc, oh0 + t), Value()});
      }
    SmallVector<InputRowTerms> xRows;
    for (auto &[offset, pairs] : uses) {
      int64_t row = oh0 * g.strides[0] - g.padLow[0] + offset;
      if (row < 0 || row >= g.inSizes[0])
        continue;
      InputRowTerms terms{indexConstant(b, loc, row), Value(), {}};
      for (auto [t, kh] : pairs)
        if (dyIndex[t] >= 0)
          terms.uses.push_back({dyIndex[t], kh});
      if (!terms.uses.empty())
        xRows.push_back(std::move(terms));
    }
    if (xRows.empty())
      return cur;
    return emitInputStationaryColumns(b, loc, cur, xRows, dyRows, n, channel,
                                      masked, xColumns);
  }

  /// Accumulators per kernel row and channel vector: one per kernel column
  /// and rotation r < k (k = channels per group; see emitKernelRows).
  int64_t termsPerRow() const { return g.kernel[1] * g.groupChannels; }

  /// dy vector `d` rotated by r within the groups of k lanes: lane c holds
  /// d[k (c / k) + (c mod k + r) mod k], the dy channel (filter) whose
  /// product with x channel c is the term r of the accumulators.
  Value rotateWithinGroups(OpBuilder &b, Location loc, Value d,
                           int64_t r) const {
    int64_t k = g.groupChannels;
    if (r == 0)
      return d;
    SmallVector<int64_t> mask;
    for (int64_t c = 0; c < cv.lanes; ++c)
      mask.push_back(c / k * k + (c % k + r) % k);
    return vector::ShuffleOp::create(b, loc, d, d, mask);
  }

  /// The x row of output row oh and kernel row kh, and whether it is
  /// inside x.
  std::pair<Value, Value> inputRow(OpBuilder &b, Location loc, Value oh,
                                   int64_t kh) {
    Value xRow = addIndex(b, loc, mulIndex(b, loc, oh, g.strides[0]),
                          kh * g.dilations[0] - g.padLow[0]);
    return {xRow, inRange(b, loc, xRow, g.inSizes[0])};
  }

  /// Adds the block rows `rs` (kernel rows kh0 + r, accumulators
  /// acc[(r * KW + kw) * vectors + v]) of output row oh of image n, when
  /// `cond` (their x rows are inside x): one pass over the output columns,
  /// each dy vector feeding every kernel row and column.
  SmallVector<Value> emitKernelRows(OpBuilder &b, Location loc,
                                    ArrayRef<Value> acc, ArrayRef<int64_t> rs,
                                    ArrayRef<Value> xRows, Value cond, Value n,
                                    Value oh, ArrayRef<Value> channel,
                                    bool masked, ColumnRange xColumns) {
    int64_t vectors = channel.size(), kw = g.kernel[1];
    int64_t groupChannels = g.groupChannels, terms = termsPerRow();
    // Only these rows' accumulators flow through the if and the loops.
    auto slot = [&](size_t i, int64_t t, int64_t v) {
      return (rs[i] * terms + t) * vectors + v;
    };
    SmallVector<Value> mine;
    for (size_t i = 0; i < rs.size(); ++i)
      for (int64_t t = 0; t < terms; ++t)
        for (int64_t v = 0; v < vectors; ++v)
          mine.push_back(acc[slot(i, t, v)]);
    auto local = [&](size_t i, int64_t t, int64_t v) {
      return (i * terms + t) * vectors + v;
    };
    mine = ifThenUpdate(
        b, loc, cond, mine,
        [&](OpBuilder &tb, ValueRange cur) -> SmallVector<Value> {
          SmallVector<Value> next(cur.begin(), cur.end());
          if (tiling.inputStationary) {
            SmallVector<InputRowTerms> terms;
            for (size_t i = 0; i < rs.size(); ++i)
              terms.push_back({xRows[i], Value(), {{0, int64_t(i)}}});
            return emitInputStationaryColumns(tb, loc, next, terms,
                                              {{oh, Value()}}, n, channel,
                                              masked, xColumns);
          }
          // One output column: dy times each kernel column inside x.
          auto column = [&](OpBuilder &cb, SmallVector<Value> a, Value ow,
                            ArrayRef<int64_t> kernelColumns) {
            // Groups of k > 1 channels: term r of x channel c is its
            // product with filter k (c / k) + (c mod k + r) mod k, dy
            // rotated by r; x is loaded once for its k terms.
            for (int64_t v = 0; v < vectors; ++v) {
              Value d = cv.read(cb, dy, {n, oh, ow, channel[v]}, masked);
              SmallVector<Value> xs;
              for (size_t i = 0; i < rs.size(); ++i) {
                for (int64_t k : kernelColumns) {
                  Value xCol =
                      addIndex(cb, loc, mulIndex(cb, loc, ow, g.strides[1]),
                               k * g.dilations[1] - g.padLow[1]);
                  xs.push_back(
                      cv.read(cb, x, {n, xRows[i], xCol, channel[v]}, masked));
                }
              }
              for (int64_t r = 0; r < groupChannels; ++r) {
                Value rotated = rotateWithinGroups(cb, loc, d, r);
                Value *xv = xs.begin();
                for (size_t i = 0; i < rs.size(); ++i) {
                  for (int64_t k : kernelColumns) {
                    Value &s = a[local(i, k * groupChannels + r, v)];
                    s = vector::FMAOp::create(cb, loc, *xv++, rotated, s);
                  }
                }
              }
            }
            return a;
          };
          auto border = [&](int64_t begin, int64_t end) {
            for (int64_t ow = begin; ow < end; ++ow) {
              SmallVector<int64_t> valid;
              for (int64_t k = 0; k < kw; ++k) {
                int64_t c = g.inputColumn(ow, k);
                if (c >= 0 && c < g.inSizes[1])
                  valid.push_back(k);
              }
              if (!valid.empty())
                next = column(tb, next, indexConstant(tb, loc, ow), valid);
            }
          };
          border(0, interior.first);
          if (interior.second > interior.first) {
            SmallVector<int64_t> all;
            for (int64_t k = 0; k < kw; ++k)
              all.push_back(k);
            auto loop = scf::ForOp::create(
                tb, loc, indexConstant(tb, loc, interior.first),
                indexConstant(tb, loc, interior.second),
                indexConstant(tb, loc, 1), next,
                [&](OpBuilder &lb, Location l, Value ow, ValueRange it) {
                  scf::YieldOp::create(
                      lb, l,
                      column(lb, SmallVector<Value>(it.begin(), it.end()), ow,
                             all));
                });
            next.assign(loop.getResults().begin(), loop.getResults().end());
          }
          border(interior.second, g.outSizes[1]);
          return next;
        });
    SmallVector<Value> result(acc.begin(), acc.end());
    for (size_t i = 0; i < rs.size(); ++i)
      for (int64_t t = 0; t < terms; ++t)
        for (int64_t v = 0; v < vectors; ++v)
          result[slot(i, t, v)] = mine[local(i, t, v)];
    return result;
  }

  /// An x row of an input-stationary pass: its index, whether it is inside
  /// x (null: known to be; else its vectors are zero), and the (dy row,
  /// accumulator row) pairs that it feeds: dy row t of the pass's dy rows
  /// times x row for the accumulators of row i (slot (i KW + kw) vectors +
  /// v).
  struct InputRowTerms {
    Value row, inside;
    SmallVector<std::pair<int64_t, int64_t>> uses;
  };
  /// A dy row of an input-stationary pass and whether it is inside dy
  /// (null: known to be; else its vectors are zero).
  struct OutputRow {
    Value row, inside;
  };

  /// The input-stationary pass (depthwise, stride 1 along the width) over
  /// the x columns `xColumns` of the x rows `xRows` against the dy rows
  /// `dyRows`. Per x column j and channel vector, the x vector of each x
  /// row is loaded once and feeds the KW accumulators of each of its uses,
  /// times dy columns j + lo - kw d of the use's dy row. Over the interior
  /// columns (every kernel column inside dy), a window of the (KW - 1) d + 1
  /// dy columns up to j + lo is carried per dy row across the loop, one new
  /// dy vector loaded per column and row; the border columns around it
  /// (unrolled) load the dy columns of their valid kernel columns.
  SmallVector<Value> emitInputStationaryColumns(
      OpBuilder &b, Location loc, SmallVector<Value> acc,
      ArrayRef<InputRowTerms> xRows, ArrayRef<OutputRow> dyRows, Value n,
      ArrayRef<Value> channel, bool masked, ColumnRange xColumns) {
    int64_t vectors = channel.size(), kernelCols = g.kernel[1];
    int64_t d = g.dilations[1], lo = g.padLow[1];
    int64_t window = (kernelCols - 1) * d + 1;
    int64_t outRows = dyRows.size();
    auto slot = [&](int64_t i, int64_t kw, int64_t v) {
      return (i * kernelCols + kw) * vectors + v;
    };
    // A vector of `source`, zero where `inside` is false.
    auto readInside = [&](OpBuilder &rb, Value source, ValueRange indices,
                          Value inside) -> Value {
      Value vec = cv.read(rb, source, indices, masked);
      if (!inside)
        return vec;
      return arith::SelectOp::create(rb, loc, inside, vec, cv.zero(rb));
    };
    auto readDy = [&](OpBuilder &rb, int64_t t, Value column, int64_t v) {
      return readInside(rb, dy, {n, dyRows[t].row, column, channel[v]},
                        dyRows[t].inside);
    };
    // Column j: `dyAt(t, v, kw)` is the dy vector of dy row t and kernel
    // column kw (only the `kernelColumns` are read).
    auto column = [&](OpBuilder &cb, SmallVector<Value> &a, Value j,
                      ArrayRef<int64_t> kernelColumns,
                      function_ref<Value(int64_t, int64_t, int64_t)> dyAt) {
      for (int64_t v = 0; v < vectors; ++v)
        for (const InputRowTerms &xRow : xRows) {
          Value xv =
              readInside(cb, x, {n, xRow.row, j, channel[v]}, xRow.inside);
          for (auto [t, i] : xRow.uses)
            for (int64_t kw : kernelColumns) {
              Value &s = a[slot(i, kw, v)];
              s = vector::FMAOp::create(cb, loc, xv, dyAt(t, v, kw), s);
            }
        }
    };
    auto border = [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j) {
        SmallVector<int64_t> valid;
        for (int64_t kw = 0; kw < kernelCols; ++kw) {
          int64_t dyCol = j + lo - kw * d;
          if (dyCol >= 0 && dyCol < g.outSizes[1])
            valid.push_back(kw);
        }
        if (valid.empty())
          continue;
        // dy vectors of the valid kernel columns, per dy row and vector.
        SmallVector<Value> dys(outRows * vectors * kernelCols);
        auto at = [&](int64_t t, int64_t v, int64_t kw) {
          return (t * vectors + v) * kernelCols + kw;
        };
        for (int64_t t = 0; t < outRows; ++t)
          for (int64_t v = 0; v < vectors; ++v)
            for (int64_t kw : valid)
              dys[at(t, v, kw)] =
                  readDy(b, t, indexConstant(b, loc, j + lo - kw * d), v);
        column(b, acc, indexConstant(b, loc, j), valid,
               [&](int64_t t, int64_t v, int64_t kw) {
                 return dys[at(t, v, kw)];
               });
      }
    };
    // The interior and the borders within the segment: [first, begin),
    // [begin, end), [end, second).
    int64_t first = xColumns.first, second = xColumns.second;
    Value start = xColumns.start;
    auto [rowBegin, rowEnd] = filterGradientInputInterior(g);
    int64_t begin = start ? first : std::clamp(rowBegin, first, second);
    int64_t end = start ? second : std::clamp(rowEnd, begin, second);
    // x column c of the segment.
    auto columnAt = [&](OpBuilder &cb, int64_t c) -> Value {
      return start ? addIndex(cb, loc, start, c - first)
                   : indexConstant(cb, loc, c);
    };
    border(first, begin);
    if (end > begin) {
      // The window of x column j: dy columns j + lo - (window - 1) + t for
      // t < window; the loop carries the first window - 1 of each dy row
      // and channel vector, or (not carryDyWindow) reads the window's
      // kernel columns in every column, from L1, to leave the registers to
      // more output rows.
      SmallVector<Value> carried = acc;
      bool carry = tiling.carryDyWindow;
      for (int64_t r = 0; carry && r < outRows; ++r)
        for (int64_t v = 0; v < vectors; ++v)
          for (int64_t t = 0; t + 1 < window; ++t)
            carried.push_back(
                readDy(b, r, columnAt(b, begin + lo - (window - 1) + t), v));
      SmallVector<int64_t> all;
      for (int64_t kw = 0; kw < kernelCols; ++kw)
        all.push_back(kw);
      size_t accCount = acc.size();
      // Constant bounds (the segment's columns counted from its start):
      // LLVM then knows the trip count of a short segment.
      auto loop = scf::ForOp::create(
          b, loc, indexConstant(b, loc, begin), indexConstant(b, loc, end),
          indexConstant(b, loc, 1), carried,
          [&](OpBuilder &lb, Location l, Value jc, ValueRange it) {
            Value j = start ? arith::AddIOp::create(lb, l, start,
                                                    addIndex(lb, l, jc, -first))
                                  .getResult()
                            : jc;
            SmallVector<Value> a(it.begin(), it.begin() + accCount);
            // windows[(r vectors + v) window + t]: dy column j + lo -
            // (window - 1) + t of dy row r.
            SmallVector<Value> windows;
            for (int64_t r = 0; r < outRows; ++r)
              for (int64_t v = 0; v < vectors; ++v) {
                if (!carry) {
                  // Only the columns of kernel columns (every d-th).
                  for (int64_t t = 0; t < window; ++t)
                    windows.push_back(
                        (window - 1 - t) % d == 0
                            ? readDy(lb, r,
                                     addIndex(lb, l, j, lo - (window - 1) + t),
                                     v)
                            : Value());
                  continue;
                }
                ValueRange old =
                    it.drop_front(accCount + (r * vectors + v) * (window - 1))
                        .take_front(window - 1);
                windows.append(old.begin(), old.end());
                windows.push_back(readDy(lb, r, addIndex(lb, l, j, lo), v));
              }
            column(lb, a, j, all, [&](int64_t r, int64_t v, int64_t kw) {
              return windows[(r * vectors + v) * window + window - 1 - kw * d];
            });
            SmallVector<Value> yielded = a;
            for (int64_t r = 0; carry && r < outRows; ++r)
              for (int64_t v = 0; v < vectors; ++v)
                for (int64_t t = 1; t < window; ++t)
                  yielded.push_back(windows[(r * vectors + v) * window + t]);
            scf::YieldOp::create(lb, l, yielded);
          });
      acc.assign(loop.getResults().begin(),
                 loop.getResults().begin() + accCount);
    }
    border(end, second);
    return acc;
  }

  const DepthwiseGeometry &g;
  const cpu::DepthwiseChannelsLastTiling &tiling;
  const ChannelVectors &cv;
  Value x, dy;
  std::pair<int64_t, int64_t> interior;
};

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// The shape of a ranked tensor value (empty for anything else).
ArrayRef<int64_t> shapeOf(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type ? type.getShape() : ArrayRef<int64_t>{};
}

/// The geometry of a channels-last 2-D depthwise op without multiplier
/// (groups == C == F) with x `x`, dy `dy` and filter (gradient) `filter`,
/// static except the batch; failure otherwise.
FailureOr<DepthwiseGeometry> depthwiseGeometry(const ConvParams &p,
                                               ArrayRef<int64_t> xs,
                                               ArrayRef<int64_t> ys,
                                               ArrayRef<int64_t> ws) {
  if (!p.isChannelsLast() || p.spatialRank != 2)
    return failure();
  // Static but the batch.
  for (ArrayRef<int64_t> shape : {xs, ys, ws})
    if (shape.size() != 4 ||
        llvm::any_of(shape.drop_front(), [](int64_t d) { return d <= 0; }) ||
        shape[0] == 0)
      return failure();
  // x [N, H, W, C], dy [N, OH, OW, F], filter [F, KH, KW, C / groups]
  // with F = C: groups of as many channels as filters.
  if (p.groups * ws[3] != xs[3] || ys[3] != xs[3] || ws[0] != xs[3])
    return failure();
  DepthwiseGeometry g;
  g.channels = xs[3];
  g.groupChannels = ws[3];
  for (int i = 0; i < 2; ++i) {
    g.inSizes[i] = xs[1 + i];
    g.outSizes[i] = ys[1 + i];
    g.kernel[i] = ws[1 + i];
    g.strides[i] = p.strides[i];
    g.dilations[i] = p.dilations[i];
    g.padLow[i] = p.padLow[i];
    if (g.strides[i] < 1 || g.dilations[i] < 1)
      return failure();
  }
  return g;
}

/// Output columns unrolled because their windows reach the padding.
int64_t dataGradientBorderColumns(const DepthwiseGeometry &g) {
  int64_t n = 0;
  for (const ColumnPhase &ph : dataGradientPhases(g))
    n += ph.count - (ph.interiorEnd - ph.interiorBegin);
  return n;
}
int64_t filterGradientBorderColumns(const DepthwiseGeometry &g) {
  auto [begin, end] = filterGradientInterior(g);
  int64_t outputBorder = g.outSizes[1] - (end - begin);
  if (g.strides[1] != 1)
    return outputBorder;
  // Stride 1 may be input-stationary, which unrolls the x columns around
  // its interior instead.
  auto [inBegin, inEnd] = filterGradientInputInterior(g);
  return std::max(outputBorder, g.inSizes[1] - (inEnd - inBegin));
}

/// What both patterns decide before emitting: the op's geometry, its
/// accumulator type and the strategy's tiling; failure (with the reason
/// reported at `op`) when the op is not a static channels-last 2-D
/// depthwise op or the strategy declines it.
struct PlannedDepthwiseOp {
  DepthwiseGeometry geometry;
  Type accType;
  cpu::DepthwiseChannelsLastTiling tiling;
};

FailureOr<PlannedDepthwiseOp>
planDepthwiseOp(PatternRewriter &rewriter, Operation *op, const ConvParams &p,
                cpu::DepthwiseChannelsLastKind kind, ArrayRef<int64_t> x,
                ArrayRef<int64_t> dy, ArrayRef<int64_t> kernel,
                const cpu::CPUTarget &target) {
  FailureOr<DepthwiseGeometry> geometry = depthwiseGeometry(p, x, dy, kernel);
  if (failed(geometry))
    return rewriter.notifyMatchFailure(
        op, "not a static channels-last 2-D depthwise op");
  const DepthwiseGeometry &g = *geometry;
  bool dgrad = kind == cpu::DepthwiseChannelsLastKind::DataGradient;
  Type accType = getAccumulatorType(getElementTypeOrSelf(op->getResult(0)));
  std::optional<cpu::DepthwiseChannelsLastTiling> tiling =
      cpu::getDepthwiseChannelsLastTiling(
          kind, g.channels, g.groupChannels, g.kernel[0], g.kernel[1],
          dgrad ? g.inSizes[0] : g.outSizes[0],
          dgrad ? dataGradientBorderColumns(g) : filterGradientBorderColumns(g),
          accType.getIntOrFloatBitWidth(), target, g.strides[1],
          g.dilations[1],
          dgrad ? g.inSizes[1] * g.channels *
                      std::max<int64_t>(1, accType.getIntOrFloatBitWidth() / 8)
                : 0);
  if (!tiling)
    return rewriter.notifyMatchFailure(op, "the strategy declines");
  if (!dgrad) {
    // Operand 0 of a filter gradient is x.
    Type xType = getElementTypeOrSelf(op->getOperand(0).getType());
    tiling->segmentColumns = cpu::getInputStationarySegmentColumns(
        *tiling, g.channels, xType.getIntOrFloatBitWidth(), g.kernel[0],
        g.kernel[1], g.inSizes[1], target);
  }
  return PlannedDepthwiseOp{g, accType, *tiling};
}

/// A new tensor of `shape` whose element at index i is `source` at
/// `sourceIndex(i)`: a gather (a linalg.generic with tensor.extract), for
/// the small rearrangements of filters and filter gradients.
Value gather(OpBuilder &b, Location loc, Value source, ArrayRef<int64_t> shape,
             function_ref<SmallVector<Value>(OpBuilder &, Location,
                                             ArrayRef<Value>)>
                 sourceIndex) {
  auto type = cast<RankedTensorType>(source.getType());
  Value init =
      tensor::EmptyOp::create(b, loc, shape, type.getElementType());
  unsigned rank = shape.size();
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
      ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank)},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &bb, Location bl, ValueRange) {
        SmallVector<Value> index;
        for (unsigned d = 0; d < rank; ++d)
          index.push_back(linalg::IndexOp::create(bb, bl, d));
        linalg::YieldOp::create(
            bb, bl,
            tensor::ExtractOp::create(bb, bl, source,
                                      sourceIndex(bb, bl, index))
                .getResult());
      });
  return generic.getResult(0);
}

/// The filter [F, KH, KW, k] of groups of k channels and filters (F = C =
/// G k) as the terms [KH, KW, k, F] of the data gradient:
/// W[kh, kw, r, f] = w[f, kh, kw, (f mod k + r) mod k] (the filter of
/// dy channel f for dx channel (f mod k + r) mod k of its group), so that
/// one tap's term r is one vector along f. For k = 1, [KH, KW, 1, F].
Value filterToTermsByChannels(OpBuilder &b, Location loc, Value filter,
                              int64_t groupChannels) {
  auto type = cast<RankedTensorType>(filter.getType());
  ArrayRef<int64_t> ws = type.getShape();
  int64_t k = groupChannels;
  if (k == 1) {
    Value taps = transposeTensor(b, loc, mergeDims(b, loc, filter, 2),
                                 {1, 2, 0});
    return splitDim(b, loc, taps, 2, 1);
  }
  // (kh, kw, r, f) -> filter[f, kh, kw, (f mod k + r) mod k]: along the
  // last (k-wide) dimension, once per op on a small tensor.
  return gather(b, loc, filter, {ws[1], ws[2], k, ws[0]},
                [&](OpBuilder &bb, Location bl, ArrayRef<Value> i) {
                  Value kv = indexConstant(bb, bl, k);
                  Value term = arith::RemUIOp::create(
                      bb, bl,
                      arith::AddIOp::create(
                          bb, bl, arith::RemUIOp::create(bb, bl, i[3], kv),
                          i[2]),
                      kv);
                  return SmallVector<Value>{i[3], i[0], i[1], term};
                });
}

/// The inverse arrangement for filter gradients: the accumulators
/// [KH, KW k, C] of groups of k channels and filters, term r of kernel
/// column kw in column kw k + r, hold in lane c the gradient of filter
/// k (c / k) + (c mod k + r) mod k for its channel c mod k (dy rotated by r
/// against x; see FilterGradientEmitter). Returns the filter gradient
/// [F, KH, KW, k] (F = C): dw[f, kh, kw, j] = terms[kh, kw k + (f - j) mod
/// k, k (f / k) + j]. For k = 1, a transpose.
Value termsByChannelsToFilter(OpBuilder &b, Location loc, Value terms,
                              int64_t kernelCols, int64_t groupChannels) {
  auto type = cast<RankedTensorType>(terms.getType());
  ArrayRef<int64_t> ts = type.getShape();
  int64_t k = groupChannels;
  if (k == 1)
    return splitDim(b, loc, transposeTensor(b, loc, terms, {2, 0, 1}), 2,
                    kernelCols);
  // Once per op on the small gradient: (f, kh, kw, j) -> terms[kh, kw k +
  // r, f - f mod k + j], r = (f mod k - j) mod k (k added first to stay
  // non-negative).
  return gather(b, loc, terms, {ts[2], ts[0], kernelCols, k},
                [&](OpBuilder &bb, Location bl, ArrayRef<Value> i) {
                  Value kv = indexConstant(bb, bl, k);
                  Value inGroup = arith::RemUIOp::create(bb, bl, i[0], kv);
                  Value r = arith::RemUIOp::create(
                      bb, bl,
                      arith::SubIOp::create(
                          bb, bl, arith::AddIOp::create(bb, bl, inGroup, kv),
                          i[3]),
                      kv);
                  Value column = arith::AddIOp::create(
                      bb, bl, arith::MulIOp::create(bb, bl, i[2], kv), r);
                  Value channel = arith::AddIOp::create(
                      bb, bl, arith::SubIOp::create(bb, bl, i[0], inGroup),
                      i[3]);
                  return SmallVector<Value>{i[1], column, channel};
                });
}

struct DgradChannelsLast : OpRewritePattern<ConvBackwardDataOp> {
  DgradChannelsLast(MLIRContext *ctx, const cpu::CPUTarget &target,
                    PatternBenefit benefit)
      : OpRewritePattern(ctx, benefit), target(target) {}

  LogicalResult matchAndRewrite(ConvBackwardDataOp op,
                                PatternRewriter &rewriter) const override {
    Value dy = op.getGradOutput(), filter = op.getFilter();
    Value dx = op.getGradInput();
    FailureOr<PlannedDepthwiseOp> plan = planDepthwiseOp(
        rewriter, op, op.getConvParams(),
        cpu::DepthwiseChannelsLastKind::DataGradient, shapeOf(dx),
        shapeOf(dy), shapeOf(filter), target);
    if (failed(plan))
      return failure();
    const DepthwiseGeometry &g = plan->geometry;
    auto dxType = cast<RankedTensorType>(dx.getType());
    Type elementType = dxType.getElementType();
    Type accType = plan->accType;
    const cpu::DepthwiseChannelsLastTiling *tiling = &plan->tiling;

    Location loc = op.getLoc();
    Value filterT =
        filterToTermsByChannels(rewriter, loc, filter, g.groupChannels);
    ChannelVectors cv(loc, accType, tiling->lanes);
    DataGradientEmitter emitter(g, *tiling, cv, dy, filterT);
    Value init = tensor::EmptyOp::create(
        rewriter, loc, getDxSizes(rewriter, loc, dy, g), elementType);
    // One task per (image, block of taskRows rows).
    int64_t rowTasks = g.inSizes[0] / tiling->taskRows;
    SmallVector<OpFoldResult> lbs = {rewriter.getIndexAttr(0),
                                     rewriter.getIndexAttr(0)};
    SmallVector<OpFoldResult> ubs = {getSizes(rewriter, loc, dy).front(),
                                     rewriter.getIndexAttr(rowTasks)};
    SmallVector<OpFoldResult> steps = {rewriter.getIndexAttr(1),
                                       rewriter.getIndexAttr(1)};
    auto forall =
        scf::ForallOp::create(rewriter, loc, lbs, ubs, steps, ValueRange{init},
                              /*mapping=*/std::nullopt);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(forall.getBody());
      Value n = forall.getInductionVars()[0];
      Value firstRow = mulIndex(rewriter, loc, forall.getInductionVars()[1],
                                tiling->taskRows);
      Value shared = forall.getRegionIterArgs().front();
      SmallVector<OpFoldResult> offsets = {
          n, firstRow, rewriter.getIndexAttr(0), rewriter.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes = {
          rewriter.getIndexAttr(1), rewriter.getIndexAttr(tiling->taskRows),
          rewriter.getIndexAttr(g.inSizes[1]),
          rewriter.getIndexAttr(g.channels)};
      SmallVector<OpFoldResult> strides(4, rewriter.getIndexAttr(1));
      Value slice = tensor::ExtractSliceOp::create(rewriter, loc, shared,
                                                   offsets, sizes, strides);
      Value result =
          emitter.emitRows(rewriter, loc, slice, n, firstRow, tiling->taskRows);
      rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
      tensor::ParallelInsertSliceOp::create(rewriter, loc, result, shared,
                                            offsets, sizes, strides);
    }
    rewriter.replaceOp(op, forall.getResult(0));
    return success();
  }

  /// dx's sizes [N, H, W, C] (N from dy).
  static SmallVector<OpFoldResult>
  getDxSizes(OpBuilder &b, Location loc, Value dy, const DepthwiseGeometry &g) {
    return {getSizes(b, loc, dy).front(), b.getIndexAttr(g.inSizes[0]),
            b.getIndexAttr(g.inSizes[1]), b.getIndexAttr(g.channels)};
  }

  cpu::CPUTarget target;
};

struct WgradChannelsLast : OpRewritePattern<ConvBackwardFilterOp> {
  WgradChannelsLast(MLIRContext *ctx, const cpu::CPUTarget &target,
                    PatternBenefit benefit)
      : OpRewritePattern(ctx, benefit), target(target) {}

  LogicalResult matchAndRewrite(ConvBackwardFilterOp op,
                                PatternRewriter &rewriter) const override {
    Value x = op.getInput(), dy = op.getGradOutput();
    Value dw = op.getGradFilter();
    FailureOr<PlannedDepthwiseOp> plan = planDepthwiseOp(
        rewriter, op, op.getConvParams(),
        cpu::DepthwiseChannelsLastKind::FilterGradient, shapeOf(x),
        shapeOf(dy), shapeOf(dw), target);
    if (failed(plan))
      return failure();
    const DepthwiseGeometry &g = plan->geometry;
    auto dwType = cast<RankedTensorType>(dw.getType());
    Type elementType = dwType.getElementType();
    Type accType = plan->accType;
    const cpu::DepthwiseChannelsLastTiling *tiling = &plan->tiling;

    Location loc = op.getLoc();
    int64_t lanes = tiling->lanes;
    int64_t fullBlocks = g.channels / lanes / tiling->channelVectors;
    bool partial = g.channels % lanes != 0;
    ChannelVectors cv(loc, accType, lanes);
    FilterGradientEmitter emitter(g, *tiling, cv, x, dy);
    Value batch = tensor::DimOp::create(rewriter, loc, x, 0);
    Value items = arith::MulIOp::create(
        rewriter, loc, batch,
        indexConstant(rewriter, loc, outputRowBlocks(g, *tiling)));
    Value zero = arith::ConstantOp::create(rewriter, loc, accType,
                                           rewriter.getFloatAttr(accType, 0.0));
    Value taps = tiling->splitPositions
                     ? emitPositionTasks(rewriter, loc, emitter, g, *tiling,
                                         items, zero, fullBlocks, partial)
                     : emitChannelTasks(rewriter, loc, emitter, g, *tiling,
                                        items, zero, fullBlocks, partial);
    // [KH, KW k, padded C] -> [C, KH, KW, k] in the element type.
    taps = sliceAlongDim(rewriter, loc, taps, 2, rewriter.getIndexAttr(0),
                         g.channels);
    taps = convertElementType(rewriter, loc, taps, elementType);
    rewriter.replaceOp(op, termsByChannelsToFilter(rewriter, loc, taps,
                                                   g.kernel[1],
                                                   g.groupChannels));
    return success();
  }

  /// Tasks that each own a range of channel blocks and every work item:
  /// blocks of channelVectors full vectors (the strategy's block divides
  /// them), and one block of the partial last vector if any; each task owns
  /// perTask consecutive blocks, its slice of the [KH, KW, padded C]
  /// accumulators padded to whole blocks so that every slice is static.
  static Value emitChannelTasks(OpBuilder &b, Location loc,
                                FilterGradientEmitter &emitter,
                                const DepthwiseGeometry &g,
                                const cpu::DepthwiseChannelsLastTiling &tiling,
                                Value items, Value zero, int64_t fullBlocks,
                                bool partial) {
    int64_t blockChannels = tiling.channelVectors * tiling.lanes;
    int64_t blocks = fullBlocks + (partial ? 1 : 0);
    int64_t tasks = std::min(tiling.tasks, blocks);
    int64_t perTask = (blocks + tasks - 1) / tasks;
    tasks = (blocks + perTask - 1) / perTask;
    int64_t tailTask = fullBlocks / perTask;
    int64_t taskChannels = perTask * blockChannels;
    Value init = tensor::EmptyOp::create(
        b, loc,
        ArrayRef<int64_t>{g.kernel[0], g.kernel[1] * g.groupChannels,
                          tasks * taskChannels},
        zero.getType());
    return forEachTask(
        b, loc, tasks, tasks * taskChannels, init, /*planeDim=*/2,
        [&](OpBuilder &tb, Value accC0, Value, Value slice) -> Value {
          // The task's full blocks end at min(its end, the last full block).
          Value fullEnd = arith::MinSIOp::create(
              tb, loc, addIndex(tb, loc, accC0, taskChannels),
              indexConstant(tb, loc, fullBlocks * blockChannels));
          Value hasTail;
          if (partial)
            hasTail = arith::CmpIOp::create(
                tb, loc, arith::CmpIPredicate::eq, accC0,
                indexConstant(tb, loc, tailTask * taskChannels));
          Value acc = linalg::FillOp::create(tb, loc, zero, slice).getResult(0);
          return emitter.emitTask(tb, loc, acc, accC0, accC0, fullEnd, hasTail,
                                  fullBlocks * blockChannels,
                                  indexConstant(tb, loc, 0), items);
        });
  }

  /// Share `share` of `shares` of the work items, [share * I / shares,
  /// (share + 1) * I / shares), over every channel, accumulated into `acc`
  /// (filled with `zero` first).
  static Value emitItemShare(OpBuilder &b, Location loc,
                             FilterGradientEmitter &emitter, Value acc,
                             Value zero, Value share, int64_t shares,
                             Value items, int64_t fullChannels, bool partial) {
    auto boundary = [&](Value s) -> Value {
      return arith::DivUIOp::create(b, loc,
                                    arith::MulIOp::create(b, loc, s, items),
                                    indexConstant(b, loc, shares));
    };
    Value hasTail;
    if (partial)
      hasTail = arith::ConstantIntOp::create(b, loc, 1, 1);
    Value c0 = indexConstant(b, loc, 0);
    Value filled = linalg::FillOp::create(b, loc, zero, acc).getResult(0);
    return emitter.emitTask(
        b, loc, filled, c0, c0, indexConstant(b, loc, fullChannels), hasTail,
        fullChannels, boundary(share), boundary(addIndex(b, loc, share, 1)));
  }

  /// Tasks that each own a range of the work items (output rows of all
  /// images, balanced to one row) and every channel, accumulating into
  /// their own [KH, KW, padded C] part of a [tasks * KH, KW, padded C]
  /// tensor; returns the sum of the parts.
  static Value emitPositionTasks(OpBuilder &b, Location loc,
                                 FilterGradientEmitter &emitter,
                                 const DepthwiseGeometry &g,
                                 const cpu::DepthwiseChannelsLastTiling &tiling,
                                 Value items, Value zero, int64_t fullBlocks,
                                 bool partial) {
    int64_t tasks = tiling.tasks;
    int64_t fullChannels = fullBlocks * tiling.channelVectors * tiling.lanes;
    int64_t paddedChannels = fullChannels + (partial ? tiling.lanes : 0);
    if (tiling.positionChunks > tasks)
      return emitClaimedChunks(b, loc, emitter, g, tiling, items, zero,
                               fullChannels, paddedChannels, partial);
    Value init = tensor::EmptyOp::create(
        b, loc,
        ArrayRef<int64_t>{tasks * g.kernel[0], g.kernel[1] * g.groupChannels,
                          paddedChannels},
        zero.getType());
    Value parts = forEachTask(
        b, loc, tasks, tasks * g.kernel[0], init, /*planeDim=*/0,
        [&](OpBuilder &tb, Value firstRow, Value, Value part) -> Value {
          // Task t = firstRow / KH: items [t * I / T, (t + 1) * I / T).
          Value task = arith::DivUIOp::create(
              tb, loc, firstRow, indexConstant(tb, loc, g.kernel[0]));
          return emitItemShare(tb, loc, emitter, part, zero, task, tasks, items,
                               fullChannels, partial);
        });
    return sumBlocksAlongDim0(b, loc, parts, tasks, zero.getType());
  }

  /// Tasks that claim chunks of the work items (chunk c: items [c * I / K,
  /// (c + 1) * I / K) of K = positionChunks) from an atomic counter until
  /// none is left, each chunk accumulating into its own zeroed [KH, KW,
  /// padded C] part of a [K * KH, KW, padded C] buffer; returns the sum of
  /// the parts in chunk order (the same whichever thread took a chunk).
  static Value emitClaimedChunks(OpBuilder &b, Location loc,
                                 FilterGradientEmitter &emitter,
                                 const DepthwiseGeometry &g,
                                 const cpu::DepthwiseChannelsLastTiling &tiling,
                                 Value items, Value zero, int64_t fullChannels,
                                 int64_t paddedChannels, bool partial) {
    int64_t chunks = tiling.positionChunks;
    Type accType = zero.getType();
    int64_t kernelRows = g.kernel[0];
    int64_t kernelCols = g.kernel[1] * g.groupChannels;
    auto partsType = MemRefType::get(
        {chunks * kernelRows, kernelCols, paddedChannels}, accType);
    Value parts =
        memref::AllocOp::create(b, loc, partsType, b.getI64IntegerAttr(64));
    Type i64 = b.getI64Type();
    int64_t tasks = tiling.tasks;
    int64_t perTask = chunks / tasks;
    // One counter per task over its own chunks [t m, (t + 1) m): a task
    // claims its own first, then the rest of the others' (the next task's
    // first), so that every call gives a task the same chunks (the same x
    // and dy in its caches) unless another lags.
    Value counters =
        memref::AllocaOp::create(b, loc, MemRefType::get({tasks}, i64));
    Value zero64 = arith::ConstantIntOp::create(b, loc, i64, 0);
    for (int64_t t = 0; t < tasks; ++t)
      memref::StoreOp::create(b, loc, zero64, counters,
                              ValueRange{indexConstant(b, loc, t)});
    auto forall = scf::ForallOp::create(
        b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(tasks)}, ValueRange{},
        /*mapping=*/std::nullopt);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(forall.getBody());
      Value task = forall.getInductionVars().front();
      auto victims = scf::ForOp::create(b, loc, indexConstant(b, loc, 0),
                                        indexConstant(b, loc, tasks),
                                        indexConstant(b, loc, 1));
      b.setInsertionPointToStart(victims.getBody());
      Value victim = arith::RemUIOp::create(
          b, loc,
          arith::AddIOp::create(b, loc, task, victims.getInductionVar()),
          indexConstant(b, loc, tasks));
      auto loop = scf::WhileOp::create(b, loc, TypeRange{i64}, ValueRange{});
      b.createBlock(&loop.getBefore());
      Value claimed = memref::AtomicRMWOp::create(
          b, loc, arith::AtomicRMWKind::addi,
          arith::ConstantIntOp::create(b, loc, i64, 1), counters,
          ValueRange{victim});
      Value more = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::slt, claimed,
          arith::ConstantIntOp::create(b, loc, i64, perTask));
      scf::ConditionOp::create(b, loc, more, ValueRange{claimed});
      Block *after = b.createBlock(&loop.getAfter(), {}, {i64}, {loc});
      Value chunk = arith::AddIOp::create(
          b, loc, mulIndex(b, loc, victim, perTask),
          arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                     after->getArgument(0)));
      Value empty = tensor::EmptyOp::create(
          b, loc, ArrayRef<int64_t>{kernelRows, kernelCols, paddedChannels},
          accType);
      Value acc = emitItemShare(b, loc, emitter, empty, zero, chunk, chunks,
                                items, fullChannels, partial);
      Value part = memref::SubViewOp::create(
          b, loc, parts,
          ArrayRef<OpFoldResult>{mulIndex(b, loc, chunk, kernelRows),
                                 b.getIndexAttr(0), b.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(kernelRows),
                                 b.getIndexAttr(kernelCols),
                                 b.getIndexAttr(paddedChannels)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                                 b.getIndexAttr(1)});
      auto store = bufferization::MaterializeInDestinationOp::create(
          b, loc, TypeRange{}, acc, part);
      store.setRestrict(true);
      store.setWritable(true);
      scf::YieldOp::create(b, loc, ValueRange{});
    }
    Value partsTensor = bufferization::ToTensorOp::create(
        b, loc, memref::getTensorTypeFromMemRefType(partsType), parts,
        /*restrict=*/true, /*writable=*/false);
    return sumBlocksAlongDim0(b, loc, partsTensor, chunks, accType);
  }

  cpu::CPUTarget target;
};

/// Whether channels-first 2-D grouped `op`, with activations `x` (its input
/// or data gradient) and `dy` and filter (or filter gradient) `w`, runs as
/// its channels-last form of `kind` between transposes: that form computes
/// it (planDepthwiseOp) and the plane-by-plane one declines its groups
/// (cpu::isGroupedOpViaChannelsLast: too many channels per
/// group). `params` are the op's, `wLast` is set to w's channels-last shape.
LogicalResult
matchGroupedViaChannelsLast(PatternRewriter &rewriter, Operation *op,
                            ConvParams params,
                            cpu::DepthwiseChannelsLastKind kind, Value x,
                            Value dy, Value w, const cpu::CPUTarget &target,
                            SmallVector<int64_t> &wLast) {
  if (params.isChannelsLast() || params.spatialRank != 2)
    return rewriter.notifyMatchFailure(op, "not a channels-first 2-D op");
  if (shapeOf(x).size() != 4 || shapeOf(dy).size() != 4 ||
      shapeOf(w).size() != 4)
    return rewriter.notifyMatchFailure(op, "not ranked");
  SmallVector<int64_t> toLast = channelsFirstToLastPermutation(2);
  auto permuted = [&](Value v) {
    return applyPermutation(shapeOf(v), toLast);
  };
  params.layout = Layout::ChannelsLast;
  wLast = permuted(w);
  FailureOr<PlannedDepthwiseOp> plan = planDepthwiseOp(
      rewriter, op, params, kind, permuted(x), permuted(dy), wLast, target);
  if (failed(plan))
    return failure();
  if (!cpu::isGroupedOpViaChannelsLast(
          plan->geometry.groupChannels))
    return rewriter.notifyMatchFailure(op, "plane by plane");
  return success();
}

/// Replaces channels-first `op` by its channels-last form on `operands`
/// transposed to channels-last, whose result has `resultShape`, and that
/// result transposed back.
template <typename OpTy>
void replaceByChannelsLastForm(PatternRewriter &rewriter, OpTy op,
                               ValueRange operands,
                               ArrayRef<int64_t> resultShape) {
  SmallVector<int64_t> toLast = channelsFirstToLastPermutation(2);
  Location loc = op.getLoc();
  SmallVector<Value> transposed;
  for (Value v : operands)
    transposed.push_back(transposeTensor(rewriter, loc, v, toLast));
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  auto channelsLast =
      OpTy::create(rewriter, loc, TypeRange{type.clone(resultShape)},
                   transposed, op->getAttrs());
  channelsLast.setLayoutAttr(
      LayoutAttr::get(rewriter.getContext(), Layout::ChannelsLast));
  rewriter.replaceOp(op,
                     transposeTensor(rewriter, loc, channelsLast->getResult(0),
                                     channelsLastToFirstPermutation(2)));
}

/// A channels-first grouped filter gradient (groups of k channels and
/// filters that WgradChannelsLast computes) that the plane-by-plane form
/// does not take (cpu::isGroupedOpViaChannelsLast: too many
/// channels per group) as the channels-last op between transposes of x and
/// dy (one vectorized, parallel pass over each) and of the small gradient
/// back. Otherwise it would be decomposed into a convolution by dy with
/// vectors along the images, a few lanes wide.
struct GroupedWgradViaChannelsLast : OpRewritePattern<ConvBackwardFilterOp> {
  GroupedWgradViaChannelsLast(MLIRContext *ctx, const cpu::CPUTarget &target,
                              PatternBenefit benefit)
      : OpRewritePattern(ctx, benefit), target(target) {}

  LogicalResult matchAndRewrite(ConvBackwardFilterOp op,
                                PatternRewriter &rewriter) const override {
    Value x = op.getInput(), dy = op.getGradOutput(), dw = op.getGradFilter();
    SmallVector<int64_t> dwShape;
    if (failed(matchGroupedViaChannelsLast(
            rewriter, op, op.getConvParams(),
            cpu::DepthwiseChannelsLastKind::FilterGradient, x, dy, dw, target,
            dwShape)))
      return failure();
    replaceByChannelsLastForm(rewriter, op, {x, dy}, dwShape);
    return success();
  }

  cpu::CPUTarget target;
};

/// The data gradient counterpart of GroupedWgradViaChannelsLast: a
/// channels-first grouped data gradient whose groups the plane-by-plane
/// form declines (the same limit of its unrolled terms per output plane,
/// cpu::isGroupedOpViaChannelsLast) and DgradChannelsLast
/// computes, as that op between a transpose of dy to channels-last and one
/// of dx back (each one vectorized, parallel pass). Otherwise it would be
/// split into one stride-1 convolution per stride phase and group, a few
/// output channels each, vectorized along the width (rx_g32_s2_c256_56,
/// AVX-512, 8 channels per group: 4.6x oneDNN's time).
struct GroupedDgradViaChannelsLast : OpRewritePattern<ConvBackwardDataOp> {
  GroupedDgradViaChannelsLast(MLIRContext *ctx, const cpu::CPUTarget &target,
                              PatternBenefit benefit)
      : OpRewritePattern(ctx, benefit), target(target) {}

  LogicalResult matchAndRewrite(ConvBackwardDataOp op,
                                PatternRewriter &rewriter) const override {
    Value dy = op.getGradOutput(), filter = op.getFilter();
    Value dx = op.getGradInput();
    SmallVector<int64_t> filterShape;
    if (failed(matchGroupedViaChannelsLast(
            rewriter, op, op.getConvParams(),
            cpu::DepthwiseChannelsLastKind::DataGradient, dx, dy, filter,
            target, filterShape)))
      return failure();
    replaceByChannelsLastForm(
        rewriter, op, {dy, filter},
        applyPermutation(shapeOf(dx), channelsFirstToLastPermutation(2)));
    return success();
  }

  cpu::CPUTarget target;
};

struct DepthwiseChannelsLastPass
    : public convgrad::impl::ConvGradCPUDepthwiseChannelsLastBase<
          DepthwiseChannelsLastPass> {
  using Base::Base;

  void runOnOperation() override {
    if (failed(applyPatternsForTarget(
            getOperation(),
            [](RewritePatternSet &patterns, const cpu::CPUTarget &target) {
              populateDepthwiseChannelsLastPatterns(patterns, target);
            })))
      return signalPassFailure();
  }
};

} // namespace

void mlir::convgrad::populateDepthwiseChannelsLastPatterns(
    RewritePatternSet &patterns, const cpu::CPUTarget &target,
    PatternBenefit benefit) {
  patterns.add<DgradChannelsLast, WgradChannelsLast,
               GroupedWgradViaChannelsLast, GroupedDgradViaChannelsLast>(
      patterns.getContext(), target, benefit);
}
