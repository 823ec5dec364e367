//===- TilingStrategy.cpp - Every size decision of the CPU code generator ===//

#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <tuple>
#include <utility>

using namespace mlir::convgrad::cpu;

/// ceil(n / d) for n >= 0 and d > 0: how many blocks of d cover n.
static int64_t ceilDiv(int64_t n, int64_t d) { return (n + d - 1) / d; }

int64_t mlir::convgrad::cpu::largestDivisorAtMost(int64_t size, int64_t cap) {
  if (size <= 0 || cap <= 0)
    return 1;
  for (int64_t d = std::min(size, cap); d > 1; --d)
    if (size % d == 0)
      return d;
  return 1;
}

std::vector<int64_t> mlir::convgrad::cpu::divisorsAtMost(int64_t size,
                                                         int64_t cap) {
  std::vector<int64_t> divisors;
  for (int64_t d = 1; d <= std::min(size, cap); ++d)
    if (size % d == 0)
      divisors.push_back(d);
  if (divisors.empty())
    divisors.push_back(1);
  return divisors;
}

int64_t mlir::convgrad::cpu::remainderSplit(int64_t size, int64_t tile,
                                            int64_t minDivisor) {
  if (size <= 0 || tile <= 0 || size <= tile || size % tile == 0 ||
      largestDivisorAtMost(size, tile) >= std::max<int64_t>(1, minDivisor))
    return 0;
  return size - size % tile;
}

int64_t mlir::convgrad::cpu::laneRemainderSplit(int64_t size,
                                                int64_t vectorLanes,
                                                int64_t maxLanes) {
  if (vectorLanes <= 0 || size <= vectorLanes || size % vectorLanes == 0)
    return 0;
  for (int64_t d : divisorsAtMost(size, maxLanes))
    if (d % vectorLanes == 0)
      return 0;
  return size - size % vectorLanes;
}

int64_t mlir::convgrad::cpu::rowRemainderSplit(int64_t size, int64_t maxRows) {
  return remainderSplit(size, maxRows, (maxRows + 1) / 2);
}

/// Whether an accumulator row of `vectors` registers compiles to that many
/// registers: LLVM widens a vector of a non-power-of-two number of
/// registers (vector<48xf32>) and then scalarizes it where it is carried
/// through a loop (measured: a 5 x 48 block of 96 channels spent most of
/// its time in element inserts and spills).
static bool isWholeRegisterRow(int64_t vectors) {
  return vectors > 0 && (vectors & (vectors - 1)) == 0;
}

/// Whether an accumulator row of `lanes` lanes compiles to whole registers:
/// at most one vector, or a power-of-two number of full vectors. A row of
/// 24 f32 lanes on AVX-512 (one and a half registers) is widened and
/// scalarized like a non-power-of-two row (mb_pw_c24to144_56's filter
/// gradient, 144 = 6 x 24 lanes: 4 x 24 blocks ran at 9% of the FMA peak).
static bool isWholeRegisterRow(int64_t lanes, int64_t vectorLanes) {
  if (lanes <= vectorLanes)
    return true;
  return lanes % vectorLanes == 0 && isWholeRegisterRow(lanes / vectorLanes);
}

int64_t mlir::convgrad::cpu::maxAccumulatorRegisters(const CPUTarget &target) {
  return std::max<int64_t>(1, target.vectorRegisters * 3 / 4);
}

/// The score of a register block of `rows` broadcast rows x `lanes`
/// columns: useful FMA lanes per loaded value (`rows` broadcasts + its
/// vectors' loads).
static double fmaLanesPerLoad(int64_t rows, int64_t lanes,
                              int64_t vectorLanes) {
  int64_t vectors = ceilDiv(lanes, vectorLanes);
  return double(rows) * double(lanes) / double(vectorLanes) /
         double(rows + vectors);
}

RegisterBlock mlir::convgrad::cpu::chooseRegisterBlock(
    int64_t rows, int64_t lanes, int64_t maxRows, int64_t maxLanes,
    int64_t vectorLanes, int64_t maxAccumulators, bool nativeVectorRows) {
  RegisterBlock best;
  double bestScore = -1;
  vectorLanes = std::max<int64_t>(1, vectorLanes);
  for (int64_t r : divisorsAtMost(rows, maxRows)) {
    for (int64_t l : divisorsAtMost(lanes, maxLanes)) {
      int64_t vectors = ceilDiv(l, vectorLanes);
      if (!nativeVectorRows && !isWholeRegisterRow(l, vectorLanes))
        continue;
      if (r * vectors > maxAccumulators && !(r == 1 && vectors == 1))
        continue;
      double score = fmaLanesPerLoad(r, l, vectorLanes);
      if (score > bestScore + 1e-9 ||
          (score > bestScore - 1e-9 &&
           std::make_pair(l, r) > std::make_pair(best.lanes, best.rows))) {
        bestScore = score;
        best = {r, l};
      }
    }
  }
  return best;
}

ConvTileLimits mlir::convgrad::cpu::getConvTileLimits(const CPUTarget &target) {
  ConvTileLimits limits;
  // Four f32 vectors of output channels, so that a block of a few columns
  // fills the accumulator budget (64 channels on AVX-512, 32 on AVX2).
  limits.channelTile = 4 * target.lanes(32);
  limits.maxAccumulators = maxAccumulatorRegisters(target);
  // The filter block of a task is reused from L2.
  limits.filterCacheBytes = target.l2Bytes;
  return limits;
}

/// Kernel columns per vectorized 1-D convolution. The vectorizer unrolls
/// them, so small kernels stay whole (0 = untiled), while the huge kernels
/// of a filter gradient in forward form (the output gradient acts as
/// kernel) get a loop.
static int64_t kernelWidthTile(int64_t kw) {
  return kw <= 8 ? 0 : largestDivisorAtMost(kw, 4);
}

/// Adds the depth dims to a tiling of the 2-D convolution whose iteration
/// space is that of a 3-D one without od (inserted before 2-D dim 1, oh) and
/// kd (inserted before 2-D dim 4, kh). Register tiles and the task take one
/// output depth and one kernel depth, so each tile is a 2-D convolution;
/// cache blocks leave the depths alone. Loop orders visit od just outside oh
/// and kd just outside kh.
static ConvTiling addUnitDepth(ConvTiling t) {
  auto insertSizes = [](std::vector<int64_t> &sizes, int64_t depthTile) {
    if (sizes.empty())
      return;
    if (sizes.size() > 4)
      sizes.insert(sizes.begin() + 4, depthTile);
    if (sizes.size() > 1)
      sizes.insert(sizes.begin() + 1, depthTile);
  };
  auto insertOrder = [](std::vector<int64_t> &order) {
    std::vector<int64_t> order3d;
    for (int64_t dim : order) {
      if (dim == 1)
        order3d.push_back(1);
      if (dim == 4)
        order3d.push_back(5);
      order3d.push_back(dim + (dim >= 1) + (dim >= 4));
    }
    order = std::move(order3d);
  };
  insertSizes(t.split, 0);
  insertSizes(t.parallel, 1);
  insertSizes(t.inner, 1);
  insertSizes(t.fill, 1);
  insertSizes(t.cacheBlock, 0);
  insertOrder(t.innerOrder);
  insertOrder(t.cacheOrder);
  return t;
}

/// `ranges` without the entries of od (1) and kd (5): the 2-D convolution
/// of one output and one kernel depth, except that its kernel rows (kh, 2-D
/// dim 4) count the rows of all kernel depths: a task reuses the whole 3-D
/// filter, so that is what must fit the cache. The kh tile is 1 and no
/// other 2-D decision depends on kh.
static std::vector<int64_t> dropDepth(const std::vector<int64_t> &ranges) {
  std::vector<int64_t> ranges2d;
  for (size_t i = 0; i < ranges.size(); ++i)
    if (i != 1 && i != 5)
      ranges2d.push_back(i == 6 ? ranges[5] * ranges[6] : ranges[i]);
  return ranges2d;
}

/// The fraction of the vector lanes that `n` elements fill, rounded up to
/// whole vectors of `lanes`.
static double laneFill(int64_t n, int64_t lanes) {
  int64_t vectors = ceilDiv(n, lanes);
  return vectors == 0 ? 0.0 : double(n) / double(vectors * lanes);
}

/// Most vectors of columns of a width register block of `rows` filters:
/// rows x vectors accumulators (at most maxAccumulatorRegisters), the
/// vectors of one input row and a broadcast fit the vector registers.
static int64_t maxWidthBlockVectors(int64_t rows, const CPUTarget &target) {
  rows = std::max<int64_t>(1, rows);
  return std::max<int64_t>(
      1, std::min(maxAccumulatorRegisters(target) / rows,
                  (target.vectorRegisters - 1) / (rows + 1)));
}

RegisterBlock mlir::convgrad::cpu::getWidthRegisterBlock(
    int64_t filters, int64_t width, int64_t elementBits,
    const CPUTarget &target) {
  int64_t lanes = target.lanes(elementBits);
  int64_t maxAccumulators = maxAccumulatorRegisters(target);
  // For each number of filters F per block, as many vectors of columns k
  // as the registers hold: F x k accumulators, the k input row vectors
  // every filter's FMA reads, and one broadcast (7 x 16 columns for 3
  // filters on AVX-512, 3 x 8 on AVX2), so that a whole odd width (57, 97)
  // is one block rather than tiny divisors. More spills (measured on AVX2:
  // 4 vectors of 3 filters spill in every FMA loop). Then the F with the
  // most FMA lanes per load: all 16 filters of a block take one vector of
  // columns, and 17 loads feed its 16 FMAs (load-bound); 4 filters x 56
  // columns, 8 loads feed 14 vector FMAs.
  RegisterBlock best;
  double bestScore = -1;
  for (int64_t rows : divisorsAtMost(filters, maxAccumulators)) {
    int64_t maxVectors = maxWidthBlockVectors(rows, target);
    // VectorizeConvAlongWidth cuts the rows into native vectors itself.
    RegisterBlock block = chooseRegisterBlock(
        rows, width, rows, maxVectors * lanes, lanes, maxAccumulators,
        /*nativeVectorRows=*/true);
    double score = fmaLanesPerLoad(block.rows, block.lanes, lanes);
    if (score > bestScore + 1e-9) {
      bestScore = score;
      best = block;
    }
  }
  return best;
}

bool mlir::convgrad::cpu::vectorizeAlongWidth(int64_t filters, int64_t width,
                                              int64_t stride,
                                              int64_t elementBits,
                                              const CPUTarget &target) {
  int64_t lanes = target.lanes(elementBits);
  // At least one full vector of columns: narrower rows gain little, and
  // their degenerate stride-phase interleaves are not handled yet.
  if (filters <= 0 || width < lanes || stride != 1)
    return false;
  RegisterBlock block =
      getWidthRegisterBlock(filters, width, elementBits, target);
  return laneFill(block.lanes, lanes) >= 2 * laneFill(filters, lanes);
}

bool mlir::convgrad::cpu::vectorizeAlongWidthOrSaveTransposes(
    const WidthFormCandidate &conv, int64_t elementBits,
    const CPUTarget &target) {
  if (vectorizeAlongWidth(conv.filters, conv.width, conv.stride, elementBits,
                          target))
    return true;
  int64_t lanes = target.lanes(elementBits);
  if (conv.filters <= 0 || conv.width < lanes || conv.stride != 1 ||
      conv.reduction <= 0 || conv.outputElements <= 0 ||
      conv.transposedElements <= 0)
    return false;
  // Multiply-adds per output, counting the lanes the width block leaves
  // empty, against the elements moved per output, each worth 4 vectors of
  // multiply-adds.
  RegisterBlock block =
      getWidthRegisterBlock(conv.filters, conv.width, elementBits, target);
  double multiplyAdds =
      double(conv.reduction) / laneFill(block.lanes, lanes);
  double moved =
      double(conv.transposedElements) / double(conv.outputElements);
  constexpr double kVectorFmasPerMovedElement = 4;
  return multiplyAdds <= kVectorFmasPerMovedElement * double(lanes) * moved;
}

int64_t mlir::convgrad::cpu::channelsFirstRemainderSplit(
    const LaneRemainderCandidate &conv, int64_t elementBits,
    const CPUTarget &target) {
  int64_t lanes = target.lanes(elementBits);
  if (conv.filters <= 0 || conv.reduction <= 0 || conv.outputPositions <= 0 ||
      conv.width <= 0 || conv.copiedInputElements < 0)
    return 0;
  int64_t split = laneRemainderSplit(conv.filters, lanes,
                                     getConvTileLimits(target).channelTile);
  if (split == 0)
    return 0;
  int64_t remainder = conv.filters - split;
  if (!vectorizeAlongWidth(remainder, conv.width, conv.stride, elementBits,
                           target))
    return 0;
  // Vector FMAs of the remainder channels-last (one per output position and
  // reduction term) and along the width (remainder filters per vector of
  // columns, at the lane fill of its register block), and the FMAs its
  // input copy is worth: a copied element about 4 vector FMAs, as a
  // transposed one (vectorizeAlongWidthOrSaveTransposes). The copy streams
  // a tensor larger than L2 through memory: measured on AVX-512 (1 thread,
  // od_3x3_c67_57's data gradient, 8 x 67 x 59 x 59 elements) 8% of the
  // call, 4.3 vector FMAs of its main convolution per element. The
  // remainder's convolution then streams the copy once more: half as many
  // moves again (6 per element). On AVX2 (3 of 8 lanes) the saving falls
  // below that: measured 3% slower split (AVX-512: 9-12% faster).
  RegisterBlock block =
      getWidthRegisterBlock(remainder, conv.width, elementBits, target);
  double positions = double(conv.outputPositions);
  double channelsLast = positions * double(conv.reduction);
  double widthForm = positions * double(remainder) * double(conv.reduction) /
                     (double(lanes) * laneFill(block.lanes, lanes));
  constexpr double kVectorFmasPerCopiedElement = 6;
  double copy = double(conv.copiedInputElements) * kVectorFmasPerCopiedElement;
  return channelsLast - widthForm > copy ? split : 0;
}

/// Loads a core issues per cycle (two load ports since Haswell and Zen).
static constexpr double kLoadsPerCycle = 2;
/// Cycles of an FMA's latency (4 on Skylake to Rocket Lake, 5 on Zen 3).
static constexpr double kFmaLatencyCycles = 4;
/// Cycles per FMA of an accumulator's chain that the out-of-order core
/// sustains (see convBlockStepCycles): the latency and one cycle of slack.
static constexpr double kFmaChainCycles = kFmaLatencyCycles + 1;

/// Whether the unrolled `taps` kernel columns of a block of `vectors`
/// vectors leave room for fewer accumulators than the FMA units keep in
/// flight, so that a tap loop is worth offering (see chooseConvRowTiling).
static bool unrolledTapsStarveFmas(int64_t taps, int64_t vectors,
                                   const CPUTarget &target) {
  return taps >= 3 && target.vectorRegisters - 1 - taps * vectors <
                          kFmaChainCycles * double(target.fmaUnits);
}
/// Bytes per cycle that L2 sustains into L1 for a streamed filter: half of
/// the 64-byte line per cycle of its peak (other lines move too: the
/// input, the accumulators' blocks).
static constexpr double kL2BytesPerCycle = 32;

double mlir::convgrad::cpu::convBlockStepCycles(int64_t rows, int64_t vectors,
                                                int64_t taps,
                                                bool filterFromL2,
                                                const CPUTarget &target,
                                                bool chainSlack) {
  double fmas = double(rows * vectors * taps) /
                double(std::max<int64_t>(1, target.fmaUnits));
  double loads = double(rows + taps - 1 + taps * vectors) / kLoadsPerCycle;
  double latency =
      double(taps) * (chainSlack ? kFmaChainCycles : kFmaLatencyCycles);
  double cycles = std::max({fmas, loads, latency});
  if (filterFromL2)
    cycles = std::max(cycles, double(taps * vectors * target.vectorBits / 8) /
                                  kL2BytesPerCycle);
  return cycles;
}

/// chooseConvRowTiling, with the cycles of its blocks over the whole row x
/// channels.
static std::pair<ConvRowTiling, double>
chooseConvRowTilingAndCycles(int64_t width, int64_t channels, int64_t taps,
                             int64_t filterBytesPerChannel, int64_t maxRows,
                             int64_t elementBits, const CPUTarget &target) {
  int64_t lanes = target.lanes(elementBits);
  int64_t maxAccumulators = maxAccumulatorRegisters(target);
  taps = std::max<int64_t>(1, taps);
  ConvRowTiling best;
  double bestCycles = -1;
  auto better = [&](double cycles, const ConvRowTiling &c) {
    if (bestCycles < 0 || cycles < bestCycles * (1 - 1e-9))
      return true;
    if (cycles > bestCycles * (1 + 1e-9))
      return false;
    // Ties: no split, unrolled taps, more lanes, more rows.
    auto key = [](const ConvRowTiling &r) {
      return std::make_tuple(r.widthSplit == 0, !r.tapLoop, r.block.lanes,
                             r.block.rows);
    };
    return key(c) > key(best);
  };
  RegisterBlock dividing = chooseRegisterBlock(
      width, channels, maxRows, 4 * lanes, lanes, maxAccumulators);
  // The slack of chained FMAs decides between a tap loop and unrolled taps;
  // where no tap loop is offered, the plain latency: its slack favours
  // blocks of more rows, whose unrolled steps cost compile time (the 2-tap
  // and 1-tap phases of AVX2's strided 3 x 3 data gradient took twice as
  // long to compile, for no measured gain).
  bool chainSlack = false;
  for (int64_t l : divisorsAtMost(channels, 4 * lanes))
    chainSlack |= unrolledTapsStarveFmas(taps, ceilDiv(l, lanes), target);
  // The cycles of a remainder part of `columns` < width columns as
  // getConvTiling tiles it: by its own choice, not by the step cost of the
  // whole row's lanes (AVX2, 3 taps: a 2- or 4-column part takes unrolled
  // 2 x 32 blocks, whose 8 accumulators wait on the FMA latency; measured
  // on Zen 5, L1-resident, one loop exit per 64 steps: 85-88% of the FMA
  // peak, 5 x 16 tap-loop blocks 93-97%, 6 x 16 97-100%). Memoized.
  // Keyed by the remainder (< a block's rows), not sized by the width,
  // which a 1-D layer may make large.
  std::map<int64_t, double> remainderMemo;
  auto remainderCycles = [&](int64_t columns) {
    if (columns <= 0)
      return 0.0;
    auto [it, inserted] = remainderMemo.try_emplace(columns, 0.0);
    if (inserted)
      it->second = chooseConvRowTilingAndCycles(columns, channels, taps,
                                                filterBytesPerChannel, maxRows,
                                                elementBits, target)
                       .second;
    return it->second;
  };
  for (int64_t l : divisorsAtMost(channels, 4 * lanes)) {
    int64_t vectors = ceilDiv(l, lanes);
    if (!isWholeRegisterRow(vectors))
      continue;
    bool filterFromL2 =
        l * filterBytesPerChannel > target.l1DataBytes / 2;
    // The accumulators, one kernel row of filter vectors and a broadcast in
    // the registers (measured on AVX-512: 6 x 64 blocks of 3 taps spill,
    // 4 x 64 and 6 x 32 do not; AVX2: 3 x 32 spills); at most `maxRows`
    // rows (19 x 16 and 19 x 3 blocks spill: their broadcasts are hoisted).
    int64_t rowCap = std::min(
        {width, maxRows, maxAccumulators / vectors,
         (target.vectorRegisters - 1 - taps * vectors) / vectors});
    // The dividing block with the most FMA lanes per load
    // (chooseRegisterBlock) is a candidate too when its accumulators take
    // at most half of the registers: LLVM orders the filter vectors and
    // broadcasts into the other half (AVX2's 2 x 32, 8 accumulators and 12
    // filter vectors, does not spill; 3 x 32 and AVX-512's 6 x 64 do).
    int64_t dividingRows =
        l == dividing.lanes && width % dividing.rows == 0 &&
                2 * dividing.rows * vectors <= target.vectorRegisters
            ? dividing.rows
            : 0;
    // Cycles of the row x channels in blocks of r rows, `stepTaps` taps per
    // step, `steps` steps per kernel row. The remainder columns are a part
    // of their own that chooses its own blocks (remainderCycles).
    auto rowCycles = [&](int64_t r, int64_t stepTaps, int64_t steps) {
      return double(channels / l) * double(steps) * double(width / r) *
                 convBlockStepCycles(r, vectors, stepTaps, filterFromL2,
                                     target, chainSlack) +
             remainderCycles(width % r);
    };
    for (int64_t r = 1; r <= std::max({int64_t(1), rowCap, dividingRows});
         ++r) {
      if (r > std::max<int64_t>(1, rowCap) && r != dividingRows)
        continue;
      ConvRowTiling candidate{{r, l}, width % r ? width - width % r : 0};
      double cycles = rowCycles(r, taps, 1);
      if (better(cycles, candidate)) {
        bestCycles = cycles;
        best = candidate;
      }
    }
    // A tap loop holds one tap's filter vectors: room for more accumulators.
    // Only where the unrolled kernel row leaves room for fewer accumulators
    // than the FMA units keep in flight (AVX2's 3 taps; not AVX-512), and
    // for 3 taps or more: the 2-tap phases of a strided data gradient gain
    // less and, with the width splits of their tap loops, took about 3x
    // the compile time (d_3x3_s2, AVX2).
    if (!unrolledTapsStarveFmas(taps, vectors, target))
      continue;
    int64_t tapLoopRowCap =
        std::min({width, maxRows, maxAccumulators / vectors,
                  (target.vectorRegisters - 1 - vectors) / vectors});
    for (int64_t r = 1; r <= tapLoopRowCap; ++r) {
      ConvRowTiling candidate{{r, l}, width % r ? width - width % r : 0,
                              /*tapLoop=*/true};
      double cycles = rowCycles(r, 1, taps);
      if (better(cycles, candidate)) {
        bestCycles = cycles;
        best = candidate;
      }
    }
  }
  return {best, bestCycles};
}

ConvRowTiling mlir::convgrad::cpu::chooseConvRowTiling(
    int64_t width, int64_t channels, int64_t taps,
    int64_t filterBytesPerChannel, int64_t maxRows, int64_t elementBits,
    const CPUTarget &target) {
  return chooseConvRowTilingAndCycles(width, channels, taps,
                                      filterBytesPerChannel, maxRows,
                                      elementBits, target)
      .first;
}

double mlir::convgrad::cpu::widthBlockStepCycles(int64_t rows,
                                                  int64_t vectors,
                                                  int64_t images,
                                                  int64_t taps,
                                                  const CPUTarget &target) {
  double fmas = double(rows * vectors * images * taps) /
                double(std::max<int64_t>(1, target.fmaUnits));
  double loads = double((rows + vectors * images) * taps) / kLoadsPerCycle;
  double latency = double(taps) * kFmaLatencyCycles;
  return std::max({fmas, loads, latency});
}

/// Most vectors of columns per image a width block of `rows` filters for
/// `images` > 1 images holds: its accumulators (at most
/// maxAccumulatorRegisters), the `rows` broadcast filter elements that every
/// image's FMAs share, and the one input vector that feeds them fit the
/// registers.
static int64_t maxMultiImageBlockVectors(int64_t rows, int64_t images,
                                         const CPUTarget &target) {
  int64_t accumulators = std::min(maxAccumulatorRegisters(target),
                                  target.vectorRegisters - rows - 1);
  return accumulators / (rows * images);
}

ConvRowTiling mlir::convgrad::cpu::chooseWidthRowTiling(
    int64_t filters, int64_t width, int64_t batch, int64_t taps,
    int64_t elementBits, const CPUTarget &target) {
  int64_t lanes = target.lanes(elementBits);
  taps = std::max<int64_t>(1, taps);
  auto vectorsOf = [&](int64_t columns) {
    return ceilDiv(columns, lanes);
  };
  ConvRowTiling best{
      getWidthRegisterBlock(filters, width, elementBits, target), 0};
  if (filters <= 0 || width <= 0)
    return best;
  // Cycles per image of the whole row: filters / rows blocks of filters,
  // each over the full blocks of columns and the remainder columns.
  auto rowCycles = [&](int64_t rows, int64_t columns, int64_t images) {
    double blocks = double(width / columns) *
                    widthBlockStepCycles(rows, vectorsOf(columns), images,
                                         taps, target);
    if (int64_t remainder = width % columns)
      blocks += widthBlockStepCycles(rows, vectorsOf(remainder), images, taps,
                                     target);
    return double(filters / rows) * blocks / double(images);
  };
  double bestCycles = rowCycles(best.block.rows, best.block.lanes, 1);
  for (int64_t images : divisorsAtMost(std::max<int64_t>(1, batch),
                                       maxAccumulatorRegisters(target)))
    for (int64_t rows :
         divisorsAtMost(filters, maxAccumulatorRegisters(target))) {
      int64_t maxVectors = images == 1
                               ? maxWidthBlockVectors(rows, target)
                               : maxMultiImageBlockVectors(rows, images,
                                                           target);
      for (int64_t v = 1; v <= maxVectors; ++v) {
        int64_t columns = v * lanes;
        if (columns > width)
          break;
        bool split = width % columns != 0;
        // A split's parts are tiled by decisions of their own; parts of
        // different images per task would be different task loops, which
        // convgrad-cpu-fuse-sibling-tasks cannot fuse (each would read the
        // shared input again).
        if (split && images > 1)
          continue;
        double cycles = rowCycles(rows, columns, images);
        // divisorsAtMost lists the fewest images first: a tie keeps them.
        if (cycles < bestCycles * (1 - 1e-9) ||
            (cycles <= bestCycles * (1 + 1e-9) && images == best.images &&
             !split &&
             (best.widthSplit != 0 || columns > best.block.lanes))) {
          bestCycles = cycles;
          best = {{rows, columns}, split ? width - width % columns : 0,
                  /*tapLoop=*/false, images};
        }
      }
    }
  return best;
}

/// Bytes the hardware prefetchers follow a stream within.
static constexpr int64_t kPageBytes = 4096;
/// Cycles ahead of its use a prefetch of a row from memory is issued.
static constexpr int64_t kPrefetchLeadCycles = 1024;
/// Most iterations a reduction loop prefetches ahead: more rows in flight
/// than the core tracks misses would evict one another from the L1.
static constexpr int64_t kMaxPrefetchDistance = 16;

/// Fewest FMAs per prefetched line for which prefetching gains.
static constexpr int64_t kMinFmasPerPrefetch = 6;

int64_t mlir::convgrad::cpu::stridedReductionPrefetchDistance(
    int64_t strideBytes, int64_t bufferBytes, int64_t fmasPerIteration,
    int64_t prefetchesPerIteration, const CPUTarget &target) {
  if (strideBytes < kPageBytes || bufferBytes <= target.l2Bytes ||
      fmasPerIteration <= 0 ||
      fmasPerIteration < kMinFmasPerPrefetch * prefetchesPerIteration)
    return 0;
  int64_t cycles = std::max<int64_t>(
      1, fmasPerIteration / std::max<int64_t>(1, target.fmaUnits));
  int64_t distance = std::clamp<int64_t>(
      ceilDiv(kPrefetchLeadCycles, cycles), 1, kMaxPrefetchDistance);
  // Iterations so short that the farthest prefetch is issued less than half
  // a memory access ahead hide little of it and only take load slots.
  if (distance * cycles < kPrefetchLeadCycles / 2)
    return 0;
  return distance;
}

/// Most prefetches per iteration of the loop a marked prefetch loop is
/// spread over (planSpreadPrefetches).
static constexpr int64_t kMaxSpreadPrefetchesPerIteration = 8;
/// Fewest vector FMAs per spread prefetch for which spreading gains.
static constexpr int64_t kMinFmasPerSpreadPrefetch = 10;

mlir::convgrad::cpu::SpreadPrefetchPlan
mlir::convgrad::cpu::planSpreadPrefetches(
    int64_t prefetches, int64_t nestPrefetches,
    const std::vector<int64_t> &trips, const std::vector<int64_t> &vectorFmas) {
  SpreadPrefetchPlan plan;
  if (prefetches <= 0 || trips.empty() || trips.size() != vectorFmas.size())
    return plan;
  for (int64_t t : trips)
    if (t <= 0)
      return plan;
  size_t level = 0;
  int64_t iterations = trips[0];
  while (level + 1 < trips.size() &&
         (iterations * trips[level + 1] <= prefetches ||
          ceilDiv(prefetches, iterations) > kMaxSpreadPrefetchesPerIteration)) {
    ++level;
    iterations *= trips[level];
  }
  if (vectorFmas[level] * iterations <
      kMinFmasPerSpreadPrefetch * std::max(prefetches, nestPrefetches))
    return plan;
  plan.level = static_cast<int64_t>(level);
  plan.perIteration = ceilDiv(prefetches, iterations);
  if (plan.perIteration == 1)
    while (trips[level] % (2 * plan.every) == 0 &&
           iterations / (2 * plan.every) >= prefetches)
      plan.every *= 2;
  return plan;
}

int64_t
mlir::convgrad::cpu::getStagedRowsPrefetchLocality(int64_t itemBytes,
                                                   const CPUTarget &target) {
  return itemBytes > target.l1DataBytes / 2 ? 2 : 3;
}

int64_t
mlir::convgrad::cpu::getNextTaskBoxPrefetchLocality(int64_t boxSourceBytes,
                                                    const CPUTarget &target) {
  if (boxSourceBytes <= 0 || 2 * boxSourceBytes > target.l3Bytes)
    return -1;
  return 3;
}

/// Cache lines per computed address of the next-task box prefetches
/// (getNextTaskBoxPrefetchLinesPerAddress).
static constexpr int64_t kNextTaskBoxLinesPerAddress = 4;

int64_t
mlir::convgrad::cpu::getNextTaskBoxPrefetchLinesPerAddress(int64_t runLines,
                                                           const CPUTarget &) {
  return runLines >= kNextTaskBoxLinesPerAddress ? kNextTaskBoxLinesPerAddress
                                                 : 1;
}

bool mlir::convgrad::cpu::fusesSiblingTasks(int64_t sharedInputBytes,
                                            const CPUTarget &target) {
  return sharedInputBytes > target.l2Bytes;
}

/// Most the boxes of a convolution's tasks copy, as a fraction of what they
/// cover (the padded tensor; the task's own rows): three quarters again.
static constexpr int64_t kMaxBoxCopyNumerator = 7;
static constexpr int64_t kMaxBoxCopyDenominator = 4;

bool mlir::convgrad::cpu::padsSharedInputInTasks(int64_t paddedBytes,
                                                 int64_t taskBoxBytes,
                                                 int64_t tasks,
                                                 const CPUTarget &target,
                                                 bool fusedSiblings) {
  int64_t threshold = fusedSiblings ? 2 * target.l2Bytes : target.l2Bytes;
  return paddedBytes > threshold && taskBoxBytes > 0 && tasks > 0 &&
         kMaxBoxCopyDenominator * taskBoxBytes * tasks <=
             kMaxBoxCopyNumerator * paddedBytes;
}

int64_t mlir::convgrad::cpu::chooseWidthTaskRows(
    int64_t rows, int64_t maxRows, int64_t images, int64_t channels,
    int64_t kernelRows, int64_t inputColumns, int64_t elementBits,
    const CPUTarget &target) {
  int64_t most = largestDivisorAtMost(rows, maxRows);
  int64_t elementBytes = std::max<int64_t>(1, elementBits / 8);
  auto boxBytes = [&](int64_t r) {
    return std::max<int64_t>(1, images) * channels *
           (r + std::max<int64_t>(1, kernelRows) - 1) * inputColumns *
           elementBytes;
  };
  // Halves of the rows (each a divisor) until the box fits, as long as the
  // halo rows stay within the bound padsSharedInputInTasks allows. Halving,
  // not the largest fitting divisor: the stride phases of a data gradient
  // (kernels of 4 and 3 rows, rows of 115 and 114 columns) must choose the
  // same tasks to run as one loop, and their boxes differ by up to a
  // third, less than a halving's step.
  int64_t r = most;
  while (boxBytes(r) > target.l2Bytes) {
    int64_t half = r / 2;
    if (r % 2 != 0 || half < 1 || rows % half != 0 ||
        kMaxBoxCopyDenominator * (half + kernelRows - 1) >
            kMaxBoxCopyNumerator * half)
      return most;
    r = half;
  }
  return r;
}

/// FMA cycles of a reduction step below which the loop's own instructions
/// (index and pointer increments, a fused compare and branch: integer uops
/// that the scheduler also puts on the FMA ports) and the mispredicted exit
/// of each short trip (one per kernel tap) take a visible share.
static constexpr int64_t kShortReductionStepCycles = 8;
/// Input channels per unrolled reduction step: one 16-byte group of f32
/// elements, whose broadcasts LLVM folds into broadcast loads. Two channels
/// it loads as one 8-byte vector and broadcasts with shuffles, which take
/// the FMA port 5 of AVX-512 (measured 5% slower, the stride-2 data
/// gradient's 4 x 64 blocks).
static constexpr int64_t kReductionUnrollChannels = 4;

int64_t mlir::convgrad::cpu::convReductionUnroll(int64_t fmasPerChannel,
                                                 int64_t channels,
                                                 const CPUTarget &target) {
  int64_t cycles =
      ceilDiv(fmasPerChannel, std::max<int64_t>(1, target.fmaUnits));
  if (fmasPerChannel <= 0 || cycles >= kShortReductionStepCycles ||
      channels % kReductionUnrollChannels != 0)
    return 1;
  return kReductionUnrollChannels;
}

/// The threads a plan splits work for: the target's, or 4 for a thread count
/// chosen at run time (num-threads=0).
static int64_t plannedThreads(const CPUTarget &target) {
  return target.threads == 0 ? 4 : target.threads;
}

/// The L1 share of a cache block of the filter (cacheBlockReductionChannels);
/// the rest holds the input rows its register blocks read.
static constexpr int64_t kCacheBlockL1Numerator = 3;
static constexpr int64_t kCacheBlockL1Denominator = 4;

int64_t mlir::convgrad::cpu::cacheBlockReductionChannels(
    int64_t channels, int64_t bytesPerChannel, const CPUTarget &target) {
  return largestDivisorAtMost(
      channels,
      std::max<int64_t>(1, target.l1DataBytes * kCacheBlockL1Numerator /
                               kCacheBlockL1Denominator /
                               std::max<int64_t>(1, bytesPerChannel)));
}

/// Tasks per thread that a cache-blocked convolution's task rows keep
/// (equal tasks: any count balances; more only shorten the last wait).
static constexpr int64_t kCacheBlockedTasksPerThread = 2;

int64_t mlir::convgrad::cpu::cacheBlockedTaskRows(int64_t batch, int64_t rows,
                                                  int64_t parallelRows,
                                                  const CPUTarget &target) {
  int64_t threads = plannedThreads(target);
  int64_t bound = std::max(parallelRows, batch * rows /
                                             (kCacheBlockedTasksPerThread *
                                              std::max<int64_t>(1, threads)));
  return largestDivisorAtMost(rows, bound);
}

int64_t mlir::convgrad::cpu::chooseReductionLaneColumns(
    int64_t filters, int64_t taps, int64_t channels, int64_t columns,
    int64_t elementBits, const CPUTarget &target) {
  int64_t lanes = target.lanes(elementBits);
  if (lanes < 2 || filters < 1 || filters >= lanes || channels < lanes ||
      taps < 1 || columns < 1)
    return 0;
  int64_t log2Lanes = 0;
  while ((int64_t(1) << (log2Lanes + 1)) <= lanes)
    ++log2Lanes;
  double alongF = double(taps) * double(channels);
  double alongC =
      double(filters) * (double(taps) * double(ceilDiv(channels, lanes)) +
                         double(2 * log2Lanes + 1));
  if (2 * alongC > alongF)
    return 0;
  // Registers: the accumulators, `filters` filter vectors and one input
  // vector.
  int64_t maxColumns =
      std::min(maxAccumulatorRegisters(target) / filters,
               (target.vectorRegisters - filters - 1) / filters);
  maxColumns = std::min(maxColumns, columns);
  if (maxColumns < 1)
    return 0;
  // Steps of FMA chains per row: a block of b columns issues filters x b
  // independent chains, which wait on the FMA latency below `chains`.
  int64_t chains = int64_t(kFmaLatencyCycles) * target.fmaUnits;
  auto blockCost = [&](int64_t b) { return std::max(filters * b, chains); };
  int64_t best = 0;
  int64_t bestCost = 0;
  for (int64_t b = maxColumns; b >= 1; --b) {
    int64_t cost = (columns / b) * blockCost(b) +
                   (columns % b ? blockCost(columns % b) : 0);
    if (best == 0 || cost < bestCost) {
      best = b;
      bestCost = cost;
    }
  }
  return best;
}

/// The reduction-lane columns (chooseReductionLaneColumns) that
/// getConvTiling gives a channels-last 2-D convolution, 0 for none: not for
/// kernels wider than the blocks unroll (kernelWidthTile != 0: a filter
/// gradient's "kernel" is a whole output gradient).
static int64_t reductionLaneColumnsOf(int64_t filters, int64_t kernelRows,
                                      int64_t kernelWidth, int64_t channels,
                                      int64_t width, int64_t elementBits,
                                      const CPUTarget &target) {
  if (kernelWidthTile(kernelWidth) != 0)
    return 0;
  return chooseReductionLaneColumns(filters, kernelRows * kernelWidth,
                                    channels, width, elementBits, target);
}

/// Instructions per output of the tree of horizontal sums of reduction-lane
/// accumulators (createLaneSums: two shuffles and an add per pair), and the
/// most they may add to the FMAs per output (prefersReductionLanes).
static constexpr int64_t kLaneSumInstructions = 3;
static constexpr int64_t kMaxLaneSumShareDenominator = 4;

bool mlir::convgrad::cpu::prefersReductionLanes(
    int64_t filters, int64_t taps, int64_t kernelWidth, int64_t channels,
    int64_t width, int64_t elementBits, const CPUTarget &target) {
  int64_t lanes = target.lanes(elementBits);
  if (lanes < 2 || channels % lanes != 0 || kernelWidth < 1 ||
      taps % kernelWidth != 0 ||
      reductionLaneColumnsOf(filters, taps / kernelWidth, kernelWidth,
                             channels, width, elementBits, target) == 0)
    return false;
  int64_t fmas = taps * (channels / lanes);
  return kMaxLaneSumShareDenominator * kLaneSumInstructions <= fmas;
}

/// Fewest FMA cycles per step of a reduction-lane block's channel loop
/// (getReductionLaneUnroll).
static constexpr int64_t kReductionLaneStepCycles = 32;

int64_t mlir::convgrad::cpu::getReductionLaneUnroll(int64_t channelVectors,
                                                    int64_t fmasPerVector,
                                                    const CPUTarget &target) {
  if (channelVectors <= 1 || fmasPerVector <= 0)
    return 1;
  int64_t cycles =
      ceilDiv(fmasPerVector, std::max<int64_t>(1, target.fmaUnits));
  for (int64_t u : divisorsAtMost(channelVectors, channelVectors))
    if (u * cycles >= kReductionLaneStepCycles)
      return u;
  return channelVectors;
}

std::optional<ConvTiling> mlir::convgrad::cpu::getConvTiling(
    ConvKind kind, const std::vector<int64_t> &ranges, int64_t elementBits,
    const CPUTarget &target) {
  // A dynamic (negative) or zero-trip range leaves nothing to tile, and
  // upstream tiling crashes on zero-trip loops (found by convgrad-fuzz-gen).
  for (int64_t r : ranges)
    if (r <= 0)
      return std::nullopt;
  ConvTileLimits limits = getConvTileLimits(target);
  int64_t lanes = target.lanes(elementBits);
  ConvTiling t;
  // Splits of the parallel dims whose dividing tiles degenerate (output
  // columns, `rowsDim`; channels along the lanes, `lanesDim`): the parts
  // are tiled on their own. Returns whether there is any.
  auto splitDims = [&](int64_t rowsDim, int64_t rowsCap, int64_t lanesDim) {
    std::vector<int64_t> split(ranges.size(), 0);
    if (rowsDim >= 0)
      split[rowsDim] = rowRemainderSplit(ranges[rowsDim], rowsCap);
    split[lanesDim] =
        laneRemainderSplit(ranges[lanesDim], lanes, limits.channelTile);
    if (std::all_of(split.begin(), split.end(),
                    [](int64_t s) { return s == 0; }))
      return false;
    t.split = std::move(split);
    return true;
  };
  switch (kind) {
  case ConvKind::Conv2DNhwcHwcf: {
    if (ranges.size() != 7)
      return std::nullopt;
    // (n, oh, ow, f, kh, kw, c). Output channels that no whole vectors
    // divide are split first (67 = 64 + 3); each part then chooses its
    // register blocks along the row, and may split off remainder columns.
    if (splitDims(-1, 0, 3))
      return t;
    int64_t elementBytes = std::max<int64_t>(1, elementBits / 8);
    int64_t kwTile = kernelWidthTile(ranges[5]);
    // Fewer output channels than lanes (a split's remainder, a stem's
    // phases): lanes along the reduction channels when that needs fewer
    // FMAs.
    if (int64_t columns = reductionLaneColumnsOf(ranges[3], ranges[4],
                                                 ranges[5], ranges[6],
                                                 ranges[2], elementBits,
                                                 target)) {
      t.reductionLaneColumns = columns;
      t.reductionLaneUnroll = getReductionLaneUnroll(
          ranges[6] / target.lanes(elementBits), ranges[3] * columns, target);
      t.parallel = {1, largestDivisorAtMost(ranges[1], limits.parallelRows)};
      return t;
    }
    ConvRowTiling row = chooseConvRowTiling(
        ranges[2], ranges[3], kwTile == 0 ? ranges[5] : kwTile,
        ranges[4] * ranges[5] * ranges[6] * elementBytes, limits.widthTile,
        elementBits, target);
    if (row.widthSplit != 0) {
      t.split.assign(ranges.size(), 0);
      t.split[2] = row.widthSplit;
      return t;
    }
    // Output channel blocks outermost.
    RegisterBlock block = row.block;
    int64_t ow = block.rows, f = block.lanes;
    // A filter larger than the L2 budget (see the cache blocks below) is
    // streamed from L3 once per task: tasks of more rows read it less often.
    int64_t taps = ranges[4] * ranges[5];
    bool filterFits =
        taps * ranges[3] * ranges[6] * elementBytes <= limits.filterCacheBytes;
    t.parallel = {
        1, largestDivisorAtMost(
               ranges[1],
               filterFits ? limits.parallelRows
                          : cacheBlockedTaskRows(ranges[0], ranges[1],
                                                 limits.parallelRows, target))};
    t.inner = {0, 1, ow, f, 1, row.tapLoop ? 1 : kwTile,
               largestDivisorAtMost(ranges[6], limits.reductionTile)};
    t.fill = {0, 1, ow, f};
    // A filter larger than the L2 budget is streamed from L3 by every tile.
    // It is then split into blocks of [KH, KW, c, f], each reused by every
    // row and column of the task before the next (the partial sums go
    // through the output, once per block). A block fits the L1 share of a
    // pass's operands (cacheBlockReductionChannels), so that the register
    // blocks after the first read it from L1. Measured: a smaller filter
    // gains nothing from blocks, and loses up to 30% (rows b, d of the
    // benchmark).
    int64_t c = filterFits ? ranges[6]
                           : cacheBlockReductionChannels(
                                 ranges[6], taps * f * elementBytes, target);
    c = std::max(c, t.inner[6]);
    if (c % t.inner[6] != 0)
      c = t.inner[6];
    if (kwTile == 0) {
      // Input channels per step of the reduction loop: its FMAs (the tap
      // loop's one kernel column, or all of them unrolled) unrolled over
      // enough channels to outweigh the loop's own instructions.
      int64_t vectors = ceilDiv(f, lanes);
      t.inner[6] = convReductionUnroll(
          ow * vectors * (row.tapLoop ? 1 : ranges[5]), c, target);
    }
    // A filter gradient's "kernel" is a whole output gradient: no block of
    // it fits, keep whole channel rows.
    if (kwTile != 0) {
      t.innerOrder = {0, 3, 1, 2, 4, 5, 6};
      t.fillInRegisterTile = true;
      return t;
    }
    // Every tile streams the filter slice of its output channel block, f of
    // each row of F channels. With F a multiple of a large power of two
    // (F = 256: rows 1 KiB apart) those rows fall into a few sets of the
    // set-associative caches, and the slice misses even the L2: measured
    // 3.5x slower per FMA than the same kernel with F = f (the c_3x3_c256
    // data gradient). A filter wider than one block is therefore packed
    // block by block, each block's slice contiguous (blocks of whole
    // vectors: a narrower block is no row of the register tile).
    if (f < ranges[3] && ranges[3] % f == 0 && f % lanes == 0)
      t.filterBlock = f;
    // Input channel blocks (the reduction) pass partial sums through the
    // output; otherwise each register block starts from zero.
    t.fillInRegisterTile = c == ranges[6];
    if (c == ranges[6] && t.filterBlock == 0) {
      // No blocks: output channel blocks outermost.
      t.innerOrder = {0, 3, 1, 2, 4, 5, 6};
    } else {
      t.cacheBlock = {0, 0, 0, f, 0, 0, c == ranges[6] ? 0 : c};
      t.cacheOrder = {0, 3, 6, 1, 2, 4, 5};
      t.inner[3] = 0;
    }
    return t;
  }
  case ConvKind::DepthwiseConv2DNhwcHwc: {
    if (ranges.size() != 6)
      return std::nullopt;
    // (n, oh, ow, c, kh, kw). A depthwise tile also holds its input window
    // and one filter vector per tap in registers: fewer columns.
    int64_t width = std::min(limits.widthTile, limits.depthwiseWidth);
    if (splitDims(2, width, 3))
      return t;
    int64_t ow = largestDivisorAtMost(ranges[2], width);
    int64_t c = largestDivisorAtMost(ranges[3], limits.channelTile);
    t.parallel = {1, largestDivisorAtMost(ranges[1], limits.parallelRows)};
    t.inner = {0, 1, ow, c, 1, 0};
    t.fill = {0, 1, ow, c};
    return t;
  }
  case ConvKind::Conv1DNwcWcf: {
    if (ranges.size() != 5)
      return std::nullopt;
    // (n, ow, f, kw, c): parallel over blocks of columns.
    if (splitDims(-1, 0, 2))
      return t;
    int64_t columns = largestDivisorAtMost(
        ranges[1], limits.parallelRows * limits.widthTile);
    RegisterBlock block =
        chooseRegisterBlock(columns, ranges[2], limits.widthTile,
                            limits.channelTile, lanes, limits.maxAccumulators);
    t.parallel = {1, columns};
    t.inner = {0, block.rows, block.lanes, 0,
               largestDivisorAtMost(ranges[4], limits.reductionTile)};
    t.innerOrder = {0, 2, 1, 3, 4};
    t.fill = {0, block.rows, block.lanes};
    return t;
  }
  case ConvKind::DepthwiseConv1DNwcWc: {
    if (ranges.size() != 4)
      return std::nullopt;
    // (n, ow, c, kw)
    if (splitDims(-1, 0, 2))
      return t;
    int64_t columns = largestDivisorAtMost(
        ranges[1], limits.parallelRows * limits.widthTile);
    int64_t width = std::min(limits.widthTile, limits.depthwiseWidth);
    int64_t ow = largestDivisorAtMost(columns, width);
    int64_t c = largestDivisorAtMost(ranges[2], limits.channelTile);
    t.parallel = {1, columns};
    t.inner = {0, ow, c, 0};
    t.fill = {0, ow, c};
    return t;
  }
  case ConvKind::Conv2DNchwFchw: {
    if (ranges.size() != 7)
      return std::nullopt;
    // (n, f, oh, ow, c, kh, kw): one output row of `block.rows` filters x
    // `block.lanes` columns in registers while the input channels and
    // kernel rows are reduced; the kernel columns are unrolled.
    ConvRowTiling row =
        chooseWidthRowTiling(ranges[1], ranges[3], ranges[0],
                             kernelWidthTile(ranges[6]) == 0
                                 ? ranges[6]
                                 : kernelWidthTile(ranges[6]),
                             elementBits, target);
    if (row.widthSplit != 0) {
      t.split.assign(ranges.size(), 0);
      t.split[3] = row.widthSplit;
      return t;
    }
    // A task takes the images of one block (VectorizeConvAlongWidth
    // interleaves them).
    RegisterBlock block = row.block;
    // Output rows per task: a task's box of the input fits the L2
    // (chooseWidthTaskRows; stride-1 convolutions: a row of kw - 1 more
    // columns, kh - 1 more rows).
    t.parallel = {row.images, 0,
                  chooseWidthTaskRows(ranges[2], limits.parallelRows,
                                      row.images, ranges[4], ranges[5],
                                      ranges[3] + ranges[6] - 1, elementBits,
                                      target)};
    t.inner = {0, block.rows, 1, block.lanes,
               largestDivisorAtMost(ranges[4], limits.reductionTile), 1,
               kernelWidthTile(ranges[6])};
    t.innerOrder = {0, 2, 1, 3, 4, 5, 6};
    t.fill = {0, block.rows, 1, block.lanes};
    return t;
  }
  case ConvKind::Conv1DNcwFcw: {
    if (ranges.size() != 5)
      return std::nullopt;
    // (n, f, ow, c, kw): parallel over blocks of whole register blocks of
    // columns.
    RegisterBlock block =
        getWidthRegisterBlock(ranges[1], ranges[2], elementBits, target);
    int64_t columns =
        block.lanes * largestDivisorAtMost(ranges[2] / block.lanes,
                                           limits.parallelRows);
    t.parallel = {1, 0, columns};
    t.inner = {0, block.rows, block.lanes,
               largestDivisorAtMost(ranges[3], limits.reductionTile),
               kernelWidthTile(ranges[4])};
    t.fill = {0, block.rows, block.lanes};
    return t;
  }
  case ConvKind::Conv3DNdhwcDhwcf: {
    if (ranges.size() != 9)
      return std::nullopt;
    std::optional<ConvTiling> t2d = getConvTiling(
        ConvKind::Conv2DNhwcHwcf, dropDepth(ranges), elementBits, target);
    if (!t2d)
      return std::nullopt;
    return addUnitDepth(*t2d);
  }
  case ConvKind::DepthwiseConv3DNdhwcDhwc: {
    if (ranges.size() != 8)
      return std::nullopt;
    // Upstream puts c last: (n, od, oh, ow, kd, kh, kw, c). Decide in the
    // 2-D depthwise order (n, od, oh, ow, c, kd, kh, kw), then move c back.
    std::vector<int64_t> ordered = {ranges[0], ranges[1], ranges[2],
                                    ranges[3], ranges[7], ranges[4],
                                    ranges[5], ranges[6]};
    std::optional<ConvTiling> t2d = getConvTiling(
        ConvKind::DepthwiseConv2DNhwcHwc, dropDepth(ordered), elementBits,
        target);
    if (!t2d)
      return std::nullopt;
    ConvTiling t3d = addUnitDepth(*t2d);
    for (std::vector<int64_t> *sizes :
         {&t3d.split, &t3d.parallel, &t3d.inner, &t3d.cacheBlock}) {
      if (sizes->size() <= 4)
        continue; // c and the kernel dims untiled
      sizes->resize(8, 0);
      std::rotate(sizes->begin() + 4, sizes->begin() + 5, sizes->end());
    }
    // The 2-D depthwise tiling has no loop orders to move.
    if (!t3d.innerOrder.empty() || !t3d.cacheOrder.empty())
      return std::nullopt;
    return t3d;
  }
  }
  return std::nullopt;
}

/// Most rows of a GEMM register block (broadcasts per step). With four
/// vectors of lanes, 4 rows keep 16 of AVX-512's registers busy, which
/// measured best for the wgrad GEMMs; more rows only lengthen the reduction
/// a task needs to amortize its block.
static constexpr int64_t kMaxGemmRows = 4;
/// Unrolled outer products per step of the innermost reduction loop.
static constexpr int64_t kGemmReductionUnroll = 8;
/// Most rows of a register block that leaves a remainder of rows
/// (chooseRowRemainderBlock).
static constexpr int64_t kMaxRemainderGemmRows = 2 * kMaxGemmRows;

bool mlir::convgrad::cpu::fitsGemmRegisters(int64_t rows, int64_t vectors,
                                             const CPUTarget &target) {
  if (rows * vectors <= 1)
    return true;
  // The accumulators, the smaller operand set held while the other streams
  // through one register, and a spare: LLVM loads two adjacent broadcast
  // elements at once (vmovsd, then a shuffle), which holds one more.
  return rows * vectors + std::min(rows, vectors) + 1 < target.vectorRegisters;
}

/// Accumulators per register block, averaged over the rows of an `a`-row
/// GEMM that takes blocks of `rows` x `vectors` and one block of the
/// remaining a % rows rows.
static double meanAccumulators(int64_t a, int64_t rows, int64_t vectors) {
  int64_t remainder = a % rows;
  return (double(a - remainder) * double(rows * vectors) +
          double(remainder) * double(remainder * vectors)) /
         double(a);
}

/// A register block whose rows need not divide `a` (the rows from
/// a - a % rows on are a remainder block), for when the dividing `block`
/// is as wide as blocks get (four vectors) and the register file, not the
/// GEMM's shape, left it fewer accumulators than the FMA units sustain
/// (fmaUnits x kFmaChainCycles; AVX2's 2 x 4 block: 8 of 10): the block of
/// more rows that fits the registers (fitsGemmRegisters) with the most
/// accumulators averaged over the rows, remainder included. nullopt when
/// none has more than `block`.
static std::optional<RegisterBlock>
chooseRowRemainderBlock(int64_t a, int64_t b, const RegisterBlock &block,
                        int64_t lanes, const CPUTarget &target) {
  int64_t vectors = ceilDiv(block.lanes, lanes);
  int64_t accumulators = block.rows * vectors;
  if (vectors < 4 ||
      double(accumulators) >=
          double(std::max<int64_t>(1, target.fmaUnits)) * kFmaChainCycles)
    return std::nullopt;
  std::optional<RegisterBlock> best;
  double bestMean = double(accumulators);
  for (int64_t r = block.rows + 1; r <= std::min(a, kMaxRemainderGemmRows);
       ++r) {
    for (int64_t v : {1, 2, 4}) {
      if (b % (v * lanes) != 0 || r * v > maxAccumulatorRegisters(target) ||
          !fitsGemmRegisters(r, v, target))
        continue;
      double mean = meanAccumulators(a, r, v);
      if (mean > bestMean + 1e-9) {
        bestMean = mean;
        best = RegisterBlock{r, v * lanes};
      }
    }
  }
  return best;
}

/// A register block of four vectors whose lanes need not divide `b` (the
/// lanes from b - b % (4 x lanes) on are one remainder block of the same
/// rows), for when the dividing `block` is narrower than four vectors and
/// has at most half the accumulators the FMA units sustain: 144 f32 lanes
/// on AVX-512 (9 vectors) divide into blocks of one vector only (4 x 16, 4
/// accumulators: latency-bound), while 128 of them take 4 x 64 blocks (16)
/// and the last 16 one 4 x 16 block. The remainder part is a second loop
/// nest over the positions, which a block closer to the sustained chains
/// does not repay: 96 = 64 + 32 lanes instead of 4 x 32 blocks (8
/// accumulators) made mb_pw_c16to96_112's staged channels-first filter
/// gradient 24-35% slower. The remainder must be whole registers
/// (isWholeRegisterRow). Returns the block and the split point, or nullopt
/// when the lanes-weighted mean of accumulators does not grow.
static std::optional<std::pair<RegisterBlock, int64_t>>
chooseLaneRemainderBlock(int64_t a, int64_t b, const RegisterBlock &block,
                         int64_t lanes, const CPUTarget &target) {
  int64_t wide = 4 * lanes;
  int64_t vectors = ceilDiv(block.lanes, lanes);
  if (vectors >= 4 || b % lanes != 0 || b <= wide ||
      2.0 * double(block.rows * vectors) >
          double(std::max<int64_t>(1, target.fmaUnits)) * kFmaChainCycles)
    return std::nullopt;
  int64_t split = b - b % wide, remainder = b % wide;
  if (remainder == 0 || !isWholeRegisterRow(remainder, lanes))
    return std::nullopt;
  RegisterBlock wideBlock;
  for (int64_t maxAccumulators = maxAccumulatorRegisters(target);
       maxAccumulators >= 1; --maxAccumulators) {
    wideBlock = chooseRegisterBlock(a, split, kMaxGemmRows, wide, lanes,
                                    maxAccumulators);
    if (fitsGemmRegisters(wideBlock.rows, ceilDiv(wideBlock.lanes, lanes),
                          target))
      break;
  }
  double mean =
      (double(wideBlock.rows * ceilDiv(wideBlock.lanes, lanes) * split) +
       double(wideBlock.rows * ceilDiv(remainder, lanes) * remainder)) /
      double(b);
  if (mean <= double(block.rows * vectors) + 1e-9)
    return std::nullopt;
  return std::make_pair(wideBlock, split);
}

GemmTiling mlir::convgrad::cpu::getGemmTiling(int64_t a, int64_t b,
                                        int64_t innerReduction,
                                        int64_t accBits,
                                        const CPUTarget &target,
                                        bool allowRowRemainder) {
  int64_t lanes = target.lanes(accBits);
  GemmTiling t;
  // Prime channel counts: full blocks of the part before the split, one
  // block of the remainder.
  t.rowSplit = rowRemainderSplit(a, kMaxGemmRows);
  t.laneSplit = laneRemainderSplit(b, lanes, 4 * lanes);
  int64_t blockRows = t.rowSplit ? t.rowSplit : a;
  int64_t blockLanes = t.laneSplit ? t.laneSplit : b;
  RegisterBlock block;
  for (int64_t maxAccumulators = maxAccumulatorRegisters(target);
       maxAccumulators >= 1; --maxAccumulators) {
    block = chooseRegisterBlock(blockRows, blockLanes, kMaxGemmRows,
                                4 * lanes, lanes, maxAccumulators);
    if (fitsGemmRegisters(block.rows, ceilDiv(block.lanes, lanes),
                          target))
      break;
  }
  t.reductionTile = largestDivisorAtMost(innerReduction, kGemmReductionUnroll);
  // Not for a reduction of at most two steps: LLVM unrolls the two-trip loop
  // of the 2 x 4 block whole, not that of the wider block, whose exit then
  // mispredicts every other trip and whose accumulators are loaded and
  // stored every 14 positions (measured on the 14 x 14 x 256 3x3 filter
  // gradient: 13% of the samples outside the innermost loop, 6-14% slower
  // than 2 x 4; one step of 14 positions, unrolled, has LLVM hoist the 84
  // broadcasts out of the lane blocks' loop and spill them).
  if (allowRowRemainder && !t.rowSplit && !t.laneSplit &&
      innerReduction > 2 * t.reductionTile) {
    if (std::optional<std::pair<RegisterBlock, int64_t>> wider =
            chooseLaneRemainderBlock(a, b, block, lanes, target)) {
      block = wider->first;
      t.laneSplit = wider->second;
    } else if (std::optional<RegisterBlock> wider =
                   chooseRowRemainderBlock(a, b, block, lanes, target)) {
      block = *wider;
      if (a % block.rows)
        t.rowSplit = a - a % block.rows;
    }
  }
  t.rowTile = block.rows;
  t.laneTile = block.lanes;
  if (t.laneSplit)
    t.swappedRemainderLanes = chooseSwappedLaneRemainderTile(
        t.rowSplit ? t.rowSplit : a, b - t.laneSplit, accBits, target);
  return t;
}

int64_t mlir::convgrad::cpu::chooseSwappedLaneRemainderTile(
    int64_t rows, int64_t remainderLanes, int64_t accBits,
    const CPUTarget &target) {
  int64_t lanes = target.lanes(accBits);
  if (lanes <= 1 || remainderLanes <= 0 || remainderLanes >= lanes ||
      rows < lanes || rows % lanes != 0)
    return 0;
  // Whole register rows of a power-of-two count of vectors (see
  // isWholeRegisterRow), as many as divide the rows and fit.
  for (int64_t vectors = 4; vectors >= 1; vectors /= 2)
    if (rows % (vectors * lanes) == 0 &&
        remainderLanes * vectors <= maxAccumulatorRegisters(target))
      return vectors * lanes;
  return 0;
}

/// The L1 share of a GEMM pass's operand slices (kPassL1Numerator /
/// kPassL1Denominator); the rest holds the register blocks' accumulator
/// lines on their way to and from L2. Measured on the 3x3 wgrads of 14 KiB
/// lane rows (ResNet's 14 x 14 x 256, 28 x 28 x 128, 28 x 28 x 128 of a
/// stride-2 layer, 56 x 56 x 64; 48 KiB L1): passes of 2 rows (28 KiB,
/// within the budget) beat one row by 12%, 7%, 1.4% and 0.5%; 4 rows
/// (56 KiB, beyond L1) lost 5% to 18% against one row.
static constexpr int64_t kPassL1Numerator = 3;
static constexpr int64_t kPassL1Denominator = 4;

int64_t mlir::convgrad::cpu::getGemmPassRows(int64_t blockRows,
                                             int64_t rowPositions,
                                             int64_t laneRowBytes,
                                             const CPUTarget &target) {
  if (blockRows <= 1 || rowPositions <= 0 || laneRowBytes <= 0)
    return 1;
  int64_t rowBytes = laneRowBytes + rowPositions * kCacheLineBytes;
  int64_t budget = target.l1DataBytes * kPassL1Numerator / kPassL1Denominator;
  return largestDivisorAtMost(blockRows,
                              std::max<int64_t>(1, budget / rowBytes));
}

/// The L1 share of getGemmPassRows, for one lane block's rows.
static int64_t gemmPassBudget(const CPUTarget &target) {
  return target.l1DataBytes * kPassL1Numerator / kPassL1Denominator;
}

bool mlir::convgrad::cpu::isConflictFreeStride(int64_t stride) {
  return stride > 0 && stride % (2 * kCacheLineBytes) != 0;
}

int64_t mlir::convgrad::cpu::getStagedPositionPadding(int64_t channels,
                                                      int64_t elementBytes) {
  if (channels < 1 || elementBytes < 1 ||
      isConflictFreeStride(channels * elementBytes) ||
      kCacheLineBytes % elementBytes != 0)
    return 0;
  return kCacheLineBytes / elementBytes;
}

GemmPasses mlir::convgrad::cpu::getWgradGemmPasses(
    int64_t blockRows, int64_t rowPositions, int64_t lanes, int64_t laneTile,
    int64_t laneElementBytes, int64_t lanePositionStride,
    const CPUTarget &target) {
  GemmPasses passes;
  if (blockRows < 1 || rowPositions < 1 || lanes < 1 || laneTile < 1 ||
      laneElementBytes < 1)
    return passes;
  int64_t laneRowBytes = rowPositions * lanes * laneElementBytes;
  int64_t budget = gemmPassBudget(target);
  // A single lane block has nothing to keep stationary.
  if (laneRowBytes + rowPositions * kCacheLineBytes <= budget ||
      laneTile >= lanes || !isConflictFreeStride(lanePositionStride)) {
    passes.rows = getGemmPassRows(blockRows, rowPositions, laneRowBytes,
                                  target);
    return passes;
  }
  // Measured on the 1x1 stride-2 256 -> 512 filter gradient (28 x 28 x 512
  // f32 rows of dy, 56 KiB): every 4 x 64 register block read its 7 KiB of
  // each row from L2, 40 bytes a cycle with the block's own load and store.
  passes.laneBlocksOuter = true;
  int64_t tileRowBytes =
      rowPositions * (laneTile * laneElementBytes + kCacheLineBytes);
  passes.rows = largestDivisorAtMost(
      blockRows, std::max<int64_t>(1, budget / tileRowBytes));
  return passes;
}

/// Pages the first-level data TLB of current x86 cores maps (64 entries of
/// 4 KiB on Zen 3 and on Intel's cores since Skylake). The 1x1 stride-2
/// 512 -> 256 data gradient (x rows of 784 f32, 3 KiB apart) at AVX2 took
/// 6-8% fewer samples in chunks of 32 or 64 channels (32 to 64 pages of x)
/// than of 128 (the half-L1 bound); padding the filter's rows off their
/// 1 KiB stride (L1 set conflicts) gained nothing, and AVX-512's chunks of
/// 64 ran as fast as of 32. Not measured directly (no hardware counters
/// under KVM).
static constexpr int64_t kL1DtlbPages = 64;

/// Idle lanes a pointwise GEMM may leave in its last vector of positions,
/// as a fraction of all lanes (1 / kMaxIdleLaneFraction): beyond, the
/// channels-last form, with full vectors of channels, wins.
static constexpr int64_t kMaxIdleLaneFraction = 8;
/// Fewest input channels (in vectors of lanes) of a pointwise GEMM.
static constexpr int64_t kMinReductionVectors = 4;

PointwiseGemmPlan mlir::convgrad::cpu::planPointwiseGemm(
    int64_t channels, int64_t filters, int64_t positions, int64_t batch,
    int64_t inputBits, int64_t accBits, const CPUTarget &target,
    bool inputIsWindow, bool outputIsInterleaved) {
  PointwiseGemmPlan plan;
  int64_t lanes = target.lanes(accBits);
  if (channels <= 0 || filters <= 0 || positions < lanes || inputIsWindow ||
      outputIsInterleaved)
    return plan;
  int64_t vectors = ceilDiv(positions, lanes);
  int64_t idleLanes = vectors * lanes - positions;
  if (idleLanes * kMaxIdleLaneFraction > vectors * lanes)
    return plan;
  // A short reduction does not amortize the output block's zero fill, load
  // and store; the width form of convgrad-cpu-narrow-convs-to-channels-first
  // then moves less (measured on MobileNet's pointwise data gradients: 16
  // terms 1.5x faster in the width form, 96 terms 1.2x faster as a GEMM,
  // 144 even).
  if (channels < kMinReductionVectors * lanes)
    return plan;
  plan.useGemm = true;

  // Tasks: the images when they split evenly among the threads (each task
  // then reads its own images only), else also the filters, in whole
  // register blocks.
  int64_t threads = plannedThreads(target);
  int64_t rowUnit = getGemmTiling(filters, positions, 1, accBits, target)
                        .rowTile;
  if (threads > 1 && !(batch > 0 && batch % threads == 0) &&
      filters % threads == 0 && (filters / threads) % rowUnit == 0)
    plan.filterTasks = threads;

  // Lane blocks of whole vectors (a divisor of P would give 56 lanes for
  // 28 x 28 outputs: 3.5 vectors), the most vectors (up to 4, at most P)
  // whose remainder block is a power-of-two number of vectors, which LLVM
  // keeps in registers.
  int64_t blockVectors = 1;
  for (int64_t v : {4, 2}) {
    if (v * lanes > positions)
      continue;
    int64_t rest = positions % (v * lanes);
    int64_t restVectors = ceilDiv(rest, lanes);
    if (rest == 0 || (restVectors & (restVectors - 1)) == 0) {
      blockVectors = v;
      break;
    }
  }
  int64_t laneBlock = blockVectors * lanes;
  int64_t taskFilters = filters / plan.filterTasks;
  int64_t inputBytes = std::max<int64_t>(1, inputBits / 8);
  int64_t panelBytes = laneBlock * inputBytes;
  // A register block's pass over the chunk reads a row of x per input
  // channel, P elements apart: at most the pages the first-level data TLB
  // maps (kL1DtlbPages), a row per page when rows are a page or more apart.
  int64_t rowBytes = positions * inputBytes;
  int64_t pageRows = rowBytes >= kPageBytes
                         ? kL1DtlbPages
                         : kL1DtlbPages * kPageBytes / rowBytes;
  plan.reductionChunk = largestDivisorAtMost(
      channels,
      std::max<int64_t>(
          1, std::min(target.l1DataBytes / 2 / panelBytes, pageRows)));
  plan.tiling = getGemmTiling(taskFilters, laneBlock, plan.reductionChunk,
                              accBits, target);
  plan.tiling.laneTile = laneBlock;
  plan.tiling.laneSplit =
      positions % laneBlock ? positions - positions % laneBlock : 0;
  return plan;
}

/// The memory all tasks' partial filter gradients may take, in L2 sizes
/// (64 MB on a 2 MB-L2 core): far above any layer's measured needs at a few
/// threads, a bound on a machine with many.
static constexpr int64_t kMaxPartialFilterL2s = 32;

bool mlir::convgrad::cpu::splitsWgradGroupsIntoGemms(int64_t groupChannels,
                                                     int64_t groupFilters,
                                                     int64_t accBits,
                                                     const CPUTarget &target) {
  int64_t lanes = target.lanes(accBits);
  return groupChannels >= lanes && groupFilters >= lanes;
}

/// Whether `tasks` tasks of a filter gradient should split its work items
/// (images x blocks of output rows) rather than its channels; see
/// planWgradGemm. `partBytes` is one task's copy of the accumulator of a
/// kernel of `taps` taps.
static bool preferWorkItemSplit(int64_t tasks, int64_t batch,
                                int64_t rowBlocksPerImage, int64_t taps,
                                int64_t partBytes, const CPUTarget &target) {
  if (tasks <= 1 || batch <= 0 || rowBlocksPerImage <= 0)
    return false;
  int64_t maxPartBytes = taps > 1 ? target.l2Bytes : target.l2Bytes / 2;
  return (batch * rowBlocksPerImage) % tasks == 0 && partBytes <= maxPartBytes;
}

/// One task's copy of a [taps * A, B] filter gradient accumulator.
static int64_t partialFilterBytes(int64_t taps, int64_t a, int64_t b,
                                  int64_t accBits) {
  return std::max<int64_t>(1, taps) * a * b * std::max<int64_t>(1, accBits / 8);
}

namespace {
/// Which channel splits give each of `tasks` tasks whole register blocks of
/// the [A, B] accumulator: rows in multiples of the block's rows, lanes in
/// whole vectors; the rows also in no more block cycles than the single
/// task's GEMM (a Lanes split that narrows the block is weighed in
/// planWgradGemm).
struct ChannelSplits {
  bool rows = false;
  bool lanes = false;
};
} // namespace

/// Modelled cycles per reduction position of an [a, b] GEMM's register
/// blocks as getGemmTiling tiles it for an innermost reduction of
/// `innerReduction` positions: full blocks and the block of the remaining
/// rows (convBlockStepCycles: a block of few accumulators is bound by the
/// FMA latency, not by its FMAs). 0 when the lanes do not split into whole
/// blocks (a lane remainder: no model).
static double gemmBlockCycles(int64_t a, int64_t b, int64_t innerReduction,
                              int64_t accBits, const CPUTarget &target) {
  GemmTiling t = getGemmTiling(a, b, innerReduction, accBits, target,
                               /*allowRowRemainder=*/true);
  int64_t lanes = target.lanes(accBits);
  if (t.laneSplit || t.laneTile < 1 || b % t.laneTile != 0 || t.rowTile < 1)
    return 0;
  int64_t vectors = ceilDiv(t.laneTile, lanes);
  int64_t fullRows = t.rowSplit ? t.rowSplit : a - a % t.rowTile;
  double perLaneBlock =
      double(fullRows / t.rowTile) *
      convBlockStepCycles(t.rowTile, vectors, 1, false, target, true);
  if (a > fullRows)
    perLaneBlock +=
        convBlockStepCycles(a - fullRows, vectors, 1, false, target, true);
  return double(b / t.laneTile) * perLaneBlock;
}

/// A channel split whose `tasks` tasks of [taskA, taskB] register blocks
/// cost more block cycles in all than the single [a, b] GEMM does: a task's
/// share of the rows leaves a remainder block the whole GEMM does not have,
/// or a larger one (the 3x3 stride-2 64 -> 128 layer on AVX2, 28 positions
/// per row: 64 rows = 10 blocks of 6 + one of 4; 2 tasks of 32 = 5 of 6 +
/// one of 2 each, 70 block cycles per lane block against 65, where 2 tasks
/// of 64 lanes keep the 65; measured at 2 threads, kernel CPU samples of 6
/// alternating runs: Rows 826-905, median 840; Lanes 690-884, median 801).
static bool addsBlockCycles(int64_t a, int64_t b, int64_t taskA, int64_t taskB,
                            int64_t tasks, int64_t innerReduction,
                            int64_t accBits, const CPUTarget &target) {
  double whole = gemmBlockCycles(a, b, innerReduction, accBits, target);
  double part = gemmBlockCycles(taskA, taskB, innerReduction, accBits, target);
  return whole > 0 && part > 0 && double(tasks) * part > whole * (1 + 1e-9);
}

static ChannelSplits getChannelSplits(int64_t a, int64_t b, int64_t tasks,
                                      int64_t accBits, const CPUTarget &target,
                                      int64_t innerReduction = 1) {
  ChannelSplits splits;
  if (tasks <= 1)
    return splits;
  int64_t rowUnit = getGemmTiling(a, b, 1, accBits, target).rowTile;
  int64_t laneUnit = target.lanes(accBits);
  splits.rows = a % tasks == 0 && (a / tasks) % rowUnit == 0 &&
                !addsBlockCycles(a, b, a / tasks, b, tasks, innerReduction,
                                 accBits, target);
  splits.lanes = b % tasks == 0 && (b / tasks) % laneUnit == 0;
  return splits;
}

int64_t mlir::convgrad::cpu::getWgradRowsPerGemm(int64_t rowsPerBlock,
                                                 int64_t taps, int64_t rowTile,
                                                 int64_t laneRowBytes,
                                                 const CPUTarget &target) {
  if (rowsPerBlock <= 1 || taps <= 1 || rowTile < 1 || laneRowBytes < 1)
    return std::max<int64_t>(1, rowsPerBlock);
  double streamedBytesPerCycle =
      double(std::max<int64_t>(1, target.fmaUnits) * target.vectorBits / 8) /
      double(rowTile);
  if (streamedBytesPerCycle <= kL2BytesPerCycle)
    return rowsPerBlock;
  return largestDivisorAtMost(
      rowsPerBlock,
      std::max<int64_t>(1, target.l1DataBytes / 2 / laneRowBytes));
}

WgradGemmPlan mlir::convgrad::cpu::planWgradGemm(
    int64_t channels, int64_t filters, int64_t taps,
    const std::vector<int64_t> &outputSizes, int64_t gradBits, int64_t accBits,
    const CPUTarget &target, int64_t tasksOverride,
    int64_t blockBytesOverride, int64_t batch, int64_t inputPositions) {
  WgradGemmPlan plan;
  // B, the lane dimension, is the larger channel count (C on ties: rows of
  // x are contiguous along C).
  plan.lanesAlongC = channels >= filters;
  int64_t a = plan.lanesAlongC ? filters : channels;
  int64_t b = plan.lanesAlongC ? channels : filters;

  // Rows of dy per GEMM: a quarter of L2, so that all taps re-read the slice
  // (and the matching rows of x) from cache.
  int64_t blockBytes =
      blockBytesOverride > 0 ? blockBytesOverride : target.l2Bytes / 4;
  int64_t rowBytes = filters * std::max<int64_t>(1, gradBits / 8);
  for (size_t i = 1; i < outputSizes.size(); ++i)
    rowBytes *= std::max<int64_t>(1, outputSizes[i]);
  int64_t firstDim = outputSizes.empty() ? 1 : outputSizes[0];
  int64_t maxRows =
      std::max<int64_t>(1, blockBytes / std::max<int64_t>(1, rowBytes));
  plan.rowsPerBlock = largestDivisorAtMost(firstDim, maxRows);
  plan.fittingRows = std::min(std::max<int64_t>(1, firstDim), maxRows);
  plan.rowSplit = rowRemainderSplit(firstDim, maxRows);
  // 2-D GEMMs pass over the rows of a block (getWgradGemmPasses): when the
  // passes keep lane blocks outside (assuming the staged, padded stride: a
  // channels-last op read in place keeps its 1-row passes whichever block),
  // the block whose passes are longest (28 rows of 28 x 512 f32 dy: blocks
  // of 7 rows would make passes of 1 row, blocks of 4 rows passes of 4).
  if (outputSizes.size() == 2 && firstDim > 0) {
    // The stride of a staged, padded lane operand (getStagedPositionPadding).
    int64_t laneTile = getGemmTiling(a, b, 1, accBits, target).laneTile;
    int64_t laneBytes = std::max<int64_t>(1, gradBits / 8);
    int64_t stride =
        (b + getStagedPositionPadding(b, laneBytes)) * laneBytes;
    auto passes = [&](int64_t rows) {
      return getWgradGemmPasses(rows, outputSizes[1], b, laneTile, laneBytes,
                                stride, target);
    };
    if (passes(plan.rowsPerBlock).laneBlocksOuter) {
      for (int64_t rows = plan.rowsPerBlock - 1; rows >= 1; --rows)
        if (firstDim % rows == 0 &&
            passes(rows).rows > passes(plan.rowsPerBlock).rows)
          plan.rowsPerBlock = rows;
    }
  }

  // The rows every tap's GEMM takes at a time: with few register rows, the
  // lane operand's slice must stay in L1 for all taps.
  int64_t laneRowBytes = b * std::max<int64_t>(1, gradBits / 8);
  for (size_t i = 1; i < outputSizes.size(); ++i)
    laneRowBytes *= std::max<int64_t>(1, outputSizes[i]);
  plan.rowsPerGemm = getWgradRowsPerGemm(
      plan.rowsPerBlock, taps, getGemmTiling(a, b, 1, accBits, target).rowTile,
      laneRowBytes, target);

  // Tasks: one per thread (4 when the count is decided at run time). A task
  // owns whole register blocks: rows in multiples of the block's rows, or
  // else lanes in whole vectors. When neither splits into that many tasks
  // (67 or 131 channels), the tasks split the work items (images x blocks of
  // output rows) instead: every task then runs the single-task GEMMs, full
  // blocks and remainder, on its share of the positions, and the T partial
  // filter gradients are summed afterwards (T x taps x A x B additions,
  // against N x O_1 x .. x O_R x as many FMAs: negligible). Fewer tasks than
  // threads would leave a thread idle for the whole kernel (measured: the
  // 67-channel layer at 2 threads was as slow as at 1).
  int64_t wanted = tasksOverride > 0   ? tasksOverride
                   : target.threads == 0 ? 4
                                         : target.threads;
  if (wanted <= 1)
    return plan;
  plan.tasks = wanted;
  int64_t partBytes = partialFilterBytes(taps, a, b, accBits);
  ChannelSplits channelSplits =
      getChannelSplits(a, b, wanted, accBits, target,
                       outputSizes.empty() ? 1 : outputSizes.back());
  // Each task of a channel split reads all of the operand it does not
  // split: the split takes the operand with more elements per image (the
  // 1x1 stride-2 256 -> 512 layer's dy, 28 x 28 x 512, against the 28 x 28
  // x 256 positions of x it reads: a Rows split would have both tasks read
  // all of dy, 12.8 MB each at N = 8).
  int64_t outputPositions = 1;
  for (int64_t size : outputSizes)
    outputPositions *= std::max<int64_t>(1, size);
  int64_t xElements =
      channels * (inputPositions > 0 ? inputPositions : outputPositions);
  int64_t dyElements = filters * outputPositions;
  bool lanesOperandLarger =
      plan.lanesAlongC ? xElements > dyElements : dyElements > xElements;
  // Unless a task's lanes would narrow the register block (64 lanes in 4
  // tasks of 16: one vector per broadcast instead of four).
  bool lanesKeepBlock =
      channelSplits.lanes &&
      getGemmTiling(a, b / wanted, 1, accBits, target).laneTile >=
          getGemmTiling(a, b, 1, accBits, target).laneTile;
  if (preferWorkItemSplit(wanted, batch, firstDim / plan.rowsPerBlock, taps,
                          partBytes, target))
    plan.split = WgradGemmPlan::TaskSplit::Positions;
  else if (channelSplits.lanes &&
           ((lanesOperandLarger && lanesKeepBlock) || !channelSplits.rows))
    plan.split = WgradGemmPlan::TaskSplit::Lanes;
  else if (channelSplits.rows)
    plan.split = WgradGemmPlan::TaskSplit::Rows;
  else {
    // Every task's partial filter gradient is a whole [taps * A, B]: with
    // many threads and a large filter (a 3x3 1021 x 1021 layer is 38 MB per
    // task) fewer tasks keep the copies within a memory budget.
    plan.split = WgradGemmPlan::TaskSplit::Positions;
    int64_t budget = kMaxPartialFilterL2s * target.l2Bytes;
    plan.tasks = std::max<int64_t>(1, std::min(wanted, budget / partBytes));
  }
  return plan;
}

/// The share of L2 (kL2FootprintNumerator / kL2FootprintDenominator) that
/// a work-item task's partial filter gradient and staged slices may fill
/// before a channel split along C replaces the work items; the rest holds
/// the rows of x and dy being transposed into the slices.
static constexpr int64_t kL2FootprintNumerator = 3;
static constexpr int64_t kL2FootprintDenominator = 4;

/// Whether a channels-last filter gradient planned as `plan`, whose lane
/// operand is dy, reads dy from a staged buffer of padded positions: when
/// its F channels are not whole cache lines (getPaddedLanePitch: 131 f32
/// filters, 524 bytes, split most lane vectors across two lines; the 3x3
/// stride-2 67 -> 131 layer's channels-first form, staged so, ran 13%
/// faster), or when the GEMM passes keep lane blocks outside
/// (getWgradGemmPasses) only so: in place, a row of F channels is too wide
/// for L1 and F elements are a conflicting stride.
static bool needsPaddedGradOutput(const WgradGemmPlan &plan, int64_t channels,
                                  int64_t filters,
                                  const WgradStagingShape &shape,
                                  const CPUTarget &target) {
  using TaskSplit = WgradGemmPlan::TaskSplit;
  if (plan.lanesAlongC)
    return false;
  int64_t elementBytes = std::max<int64_t>(1, shape.elementBits / 8);
  if (getPaddedLanePitch(filters, elementBytes) != filters)
    return true;
  bool split = plan.tasks > 1;
  int64_t taskA =
      split && plan.split == TaskSplit::Rows ? channels / plan.tasks : channels;
  int64_t taskB =
      split && plan.split == TaskSplit::Lanes ? filters / plan.tasks : filters;
  int64_t laneTile = getGemmTiling(taskA, taskB, 1, shape.accBits, target)
                         .laneTile;
  int64_t rows = plan.rowsPerGemm > 0 ? plan.rowsPerGemm : plan.rowsPerBlock;
  auto lanesOuter = [&](int64_t stride) {
    return getWgradGemmPasses(rows, shape.outputRowPositions, taskB, laneTile,
                              elementBytes, stride, target)
        .laneBlocksOuter;
  };
  int64_t paddedStride =
      (taskB + getStagedPositionPadding(taskB, elementBytes)) * elementBytes;
  return !lanesOuter(filters * elementBytes) && lanesOuter(paddedStride);
}

WgradGemmPlan mlir::convgrad::cpu::planWgradStaging(
    WgradGemmPlan plan, int64_t channels, int64_t filters,
    int64_t firstOutputSize, const WgradStagingShape &shape,
    const CPUTarget &target) {
  int64_t elementBytes = std::max<int64_t>(1, shape.elementBits / 8);
  if (firstOutputSize < 1 || shape.firstStride < 1 || shape.firstWindow < 1 ||
      shape.outputRowPositions < 1)
    return plan;
  // Channels-first rows are transposed, a tile of positions at a time;
  // channels-last ones only copied, and only dy to pad its positions.
  if (shape.channelsLast
          ? !needsPaddedGradOutput(plan, channels, filters, shape, target)
          : shape.inputRowPositions <
                getDataMovementTiling(target).transposeTile)
    return plan;
  using TaskSplit = WgradGemmPlan::TaskSplit;
  // A task stages its own channels of each operand: with a channel split,
  // one of them is whole in every task (staged once per task). A
  // channels-last op stages dy only.
  auto stagedBytes = [&](TaskSplit taskSplit, int64_t rows) {
    bool split = plan.tasks > 1;
    bool splitA = split && taskSplit == TaskSplit::Rows;
    bool splitB = split && taskSplit == TaskSplit::Lanes;
    bool splitC = plan.lanesAlongC ? splitB : splitA;
    bool splitF = plan.lanesAlongC ? splitA : splitB;
    int64_t taskC = splitC ? channels / plan.tasks : channels;
    int64_t taskF = splitF ? filters / plan.tasks : filters;
    int64_t inputRows =
        shape.channelsLast
            ? 0
            : (rows - 1) * shape.firstStride + shape.firstWindow;
    return (inputRows * shape.inputRowPositions * taskC +
            rows * shape.outputRowPositions * taskF) *
           elementBytes;
  };
  int64_t budget = target.l2Bytes / 2;
  auto stagedRows = [&](TaskSplit taskSplit) {
    int64_t rows = plan.rowsPerBlock;
    while (rows > 1 && stagedBytes(taskSplit, rows) > budget)
      rows = largestDivisorAtMost(firstOutputSize, rows - 1);
    return rows;
  };
  // The GEMM's row and lane channels, and the bytes of one task's partial
  // filter gradient when the tasks split the work items.
  int64_t a = plan.lanesAlongC ? filters : channels;
  int64_t b = plan.lanesAlongC ? channels : filters;
  int64_t partBytes = partialFilterBytes(shape.taps, a, b, shape.accBits);
  TaskSplit taskSplit = plan.split;
  TaskSplit splitAlongC = plan.lanesAlongC ? TaskSplit::Lanes : TaskSplit::Rows;
  // A channel split along F leaves all of x's channels in every task, so x
  // is transposed once into a padded copy in memory that the tasks' GEMMs
  // read back (stageInput below), where a single task stages the x rows of
  // each work item, hot in L2, for the taps that re-read them. With more
  // than one tap, work items keep that: each task runs the single-task plan
  // on its share of them, with its own partial filter gradient, when the
  // items split evenly (a static batch) and the partial fits L2 (summing
  // the T copies then costs about 1% of the FMAs of row b, 3x3 128 -> 128 at
  // 28 x 28: 590 KiB per copy; measured 2 threads, F split: the GEMM loop
  // ran 7% slower than at 1 thread). One tap reads each x row once, from
  // wherever it is, so the 1x1 layers keep the channel split.
  if (!shape.channelsLast && plan.tasks > 1 && shape.taps > 1 &&
      shape.batch > 0 && taskSplit != TaskSplit::Positions &&
      taskSplit != splitAlongC) {
    int64_t itemRows = stagedRows(TaskSplit::Positions);
    if (preferWorkItemSplit(plan.tasks, shape.batch,
                            firstOutputSize / itemRows, shape.taps, partBytes,
                            target) &&
        stagedBytes(TaskSplit::Positions, itemRows) <= budget)
      taskSplit = TaskSplit::Positions;
  }
  if (plan.tasks > 1 && taskSplit == TaskSplit::Positions) {
    // Every work item of a task rewrites the task's whole partial filter
    // gradient and its staged slices, while the rows they are transposed
    // from stream through the same L2: when the two leave less than a
    // quarter of L2 for those rows, a channel split (when one gives whole
    // register blocks) halves both the accumulator and one slice. It takes
    // the split whose tasks stage less, as each stages all of the operand
    // along the unsplit channels.
    ChannelSplits channelSplits = getChannelSplits(
        a, b, plan.tasks, shape.accBits, target, shape.outputRowPositions);
    int64_t footprint =
        partBytes +
        stagedBytes(TaskSplit::Positions, stagedRows(TaskSplit::Positions));
    if (channelSplits.rows || channelSplits.lanes) {
      bool lanes = channelSplits.lanes &&
                   (!channelSplits.rows ||
                    stagedBytes(TaskSplit::Lanes, plan.rowsPerBlock) <
                        stagedBytes(TaskSplit::Rows, plan.rowsPerBlock));
      TaskSplit channelSplit = lanes ? TaskSplit::Lanes : TaskSplit::Rows;
      // A channel split that keeps all of x in every task transposes x in a
      // pass of its own before the tasks (stageInput below), bound by memory
      // bandwidth, which grows far less than the threads (Zen 4: 22 GB/s
      // read by one core, 30 by two), where the work items prefetch their
      // rows during the previous item's GEMM: such a split only replaces
      // work items that overfill L2 (the 1x1 stride-2 256 -> 512 layer on a
      // 1 MiB L2: 512 KiB per copy and 358 KiB of slices per work-item
      // task; at 2 threads 8.39-8.45 ms, against 8.75-8.80 with the Lanes
      // split, whose tasks keep 256 KiB and 240 KiB but wait for that pass).
      // A split along C stages its own x channels in every task (3x3 96 ->
      // 96 at 35 x 35: 3% faster than its work-item split).
      int64_t l2Share =
          channelSplit == splitAlongC
              ? target.l2Bytes * kL2FootprintNumerator / kL2FootprintDenominator
              : target.l2Bytes;
      if (footprint > l2Share)
        taskSplit = channelSplit;
    }
  }
  int64_t rows = stagedRows(taskSplit);
  // The rows that fit, dividing or not: when the dividing ones are fewer
  // than half of them, the op is split instead (see rowSplit).
  int64_t fittingRows = std::max(plan.rowsPerBlock, plan.fittingRows);
  while (fittingRows > 1 && stagedBytes(taskSplit, fittingRows) > budget)
    --fittingRows;
  plan.fittingRows = fittingRows;
  plan.rowSplit = rowRemainderSplit(firstOutputSize, fittingRows);
  if (stagedBytes(taskSplit, rows) > budget)
    return plan;
  // Rows read by two consecutive blocks are transposed by both.
  int64_t halo = std::max<int64_t>(0, shape.firstWindow - shape.firstStride);
  if (!shape.channelsLast && halo > rows * shape.firstStride)
    return plan;
  plan.split = taskSplit;
  plan.rowsPerBlock = rows;
  if (plan.rowsPerGemm > 0)
    plan.rowsPerGemm = largestDivisorAtMost(rows, plan.rowsPerGemm);
  plan.stageSlices = true;
  // A channel split that keeps all of x's channels in every task would have
  // each task transpose all of x (see the header).
  plan.stageInput = !shape.channelsLast &&
                    (plan.tasks <= 1 || taskSplit == TaskSplit::Positions ||
                     taskSplit == splitAlongC);
  // x then stays whole in every task. As the broadcast operand (lanes along
  // F) the GEMMs read it where it is: one scalar per row and position, from
  // as many row streams as the register block has rows, instead of a
  // channels-last copy written by a memory-bound pass before the tasks
  // (the 1x1 stride-2 256 -> 512 layer, AVX2 at 2 threads: 10.1-11.3 ms
  // with that pass, 8.6-8.9 without). As the lane operand it needs its
  // channels contiguous, so the copy stays.
  plan.readInputInPlace =
      !shape.channelsLast && !plan.stageInput && !plan.lanesAlongC;
  // See the header: channels-last tasks of a channel split share the
  // memory streams of both operands.
  plan.prefetchNextItem =
      shape.channelsLast ? plan.tasks > 1 && taskSplit != TaskSplit::Positions
                         : plan.stageInput;
  return plan;
}

/// Input planes per output plane that the plane-by-plane form unrolls.
static constexpr int64_t kMaxPlaneTerms = 4;

bool mlir::convgrad::cpu::isGroupedOpViaChannelsLast(
    int64_t groupChannels) {
  return groupChannels > kMaxPlaneTerms;
}

int64_t mlir::convgrad::cpu::getPaddedLanePitch(int64_t channels,
                                                int64_t elementBytes) {
  int64_t line = elementsPerCacheLine(elementBytes);
  if (channels < 2 * line)
    return channels;
  return ceilDiv(channels, line) * line;
}

/// Fewest FMAs per cache line a depthwise plane loop prefetches: each
/// prefetch takes a load slot from them.
static constexpr int64_t kMinFMAsPerPrefetchedLine = 4;

/// Whether a 2-D depthwise plane loop can prefetch planes ahead of its use:
/// the planes in flight and in use (`planesInUse` planes of `rows` rows of
/// `rowBytes`) stay within a quarter of the L2, and the FMAs of one output
/// row (`fmasPerRow`) cover the lines it prefetches (a row of each of
/// `prefetchedPlanes` planes) at kMinFMAsPerPrefetchedLine each.
static bool fitsPlanePrefetch(int64_t planesInUse, int64_t prefetchedPlanes,
                              int64_t rowBytes, int64_t rows,
                              int64_t fmasPerRow, const CPUTarget &target) {
  int64_t linesPerRow = prefetchedPlanes * ceilDiv(rowBytes, kCacheLineBytes);
  return planesInUse * rows * rowBytes <= target.l2Bytes / 4 &&
         fmasPerRow >= kMinFMAsPerPrefetchedLine * linesPerRow;
}

/// Depthwise filter gradients feed each FMA a shuffled or unaligned x vector
/// besides its dy vector (the kernel columns' shifts), and sum into few
/// accumulators. Where the core executes full-width vectors in halves
/// (nativeVectorBits: Zen 4's 512-bit operations), vectors of the native
/// width reach the same FMA peak (two half-width FMAs per cycle against one
/// full-width), while every full-width shuffle, masked or line-splitting
/// load occupies its unit for both halves and, where it shares a unit with
/// the FMAs, delays them. Row h's filter gradient on Zen 4 at 512 bits ran
/// at 65% (NCHW) of the FMA peak, at 256 bits with the same
/// 32 registers 75% (1 thread, min of 3 rounds each; row g's grouped one
/// 68% -> 76%). Not (yet) the channels-last filter gradient: at 256 bits
/// row h's NHWC one was no faster (0.362 -> 0.347 ms, within the noise of a
/// loaded host) and mb_dw3x3_c144_56's NHWC one 5x slower (its tiling for
/// 18 vectors of channels was not revisited).
static int64_t depthwiseFilterGradientLanes(int64_t accBits,
                                            const CPUTarget &target) {
  return target.nativeLanes(accBits);
}

int64_t mlir::convgrad::cpu::getDepthwisePlaneLanes(DepthwisePlaneKind kind,
                                                    int64_t accBits,
                                                    const CPUTarget &target) {
  return kind == DepthwisePlaneKind::FilterGradient
             ? depthwiseFilterGradientLanes(accBits, target)
             : target.lanes(accBits);
}

std::optional<DepthwisePlaneTiling>
mlir::convgrad::cpu::getDepthwisePlaneTiling(
    DepthwisePlaneKind kind, int64_t planes,
    const std::vector<int64_t> &outputSizes, int64_t taps,
    int64_t innermostStride, int64_t terms, int64_t scratchElements,
    int64_t accBits, const CPUTarget &target, int64_t zeroInsertion,
    bool maskedElementLoads, int64_t edgeRows, int64_t edgeVectors,
    int64_t lanes) {
  // Limits of the unrolled code: s loads and a shuffle per vector, every
  // tap and term of a register block inline.
  constexpr int64_t kMaxInnermostStride = 4;
  constexpr int64_t kMaxTaps = 64;
  constexpr int64_t kMaxTerms = kMaxPlaneTerms;
  // Zero insertion wastes all but 1 / zeroInsertion of the FMAs, which
  // still beats transposing every activation of a depthwise layer for
  // stride 2 (4x); beyond, the phase-split channels-last path does less.
  constexpr int64_t kMaxZeroInsertion = 4;
  if (zeroInsertion < 1 || zeroInsertion > kMaxZeroInsertion)
    return std::nullopt;
  if (outputSizes.empty() || planes <= 0 || taps <= 0 || taps > kMaxTaps ||
      innermostStride < 1 || innermostStride > kMaxInnermostStride ||
      terms < 1 || terms > kMaxTerms)
    return std::nullopt;
  for (int64_t size : outputSizes)
    if (size <= 0)
      return std::nullopt;
  // The scratch plane (and the input rows it is copied from) stays in L2
  // while the kernel reads it `taps` times.
  int64_t accBytes = std::max<int64_t>(1, accBits / 8);
  if (scratchElements <= 0 || scratchElements * accBytes > target.l2Bytes / 2)
    return std::nullopt;

  DepthwisePlaneTiling t;
  t.lanes = lanes > 0 ? lanes : getDepthwisePlaneLanes(kind, accBits, target);
  int64_t maxAcc = maxAccumulatorRegisters(target);
  // Rows per block (second innermost dim; divides it). With stride 1 a
  // block of R rows reads R + KH - 1 input rows for its R x KH row
  // products, so taller blocks load less; the unrolled body (blocks x taps
  // FMAs) stays below kMaxUnrolledFMAs for compile time.
  constexpr int64_t kMaxRows = 8;
  constexpr int64_t kMaxUnrolledFMAs = 512;
  int64_t rows =
      outputSizes.size() >= 2 ? outputSizes[outputSizes.size() - 2] : 1;
  auto rowBlockFor = [&](int64_t maxRows, int64_t fmasPerRow) {
    int64_t cap =
        std::min({kMaxRows, maxRows,
                  std::max<int64_t>(1, kMaxUnrolledFMAs /
                                           std::max<int64_t>(1, fmasPerRow))});
    return largestDivisorAtMost(rows, std::max<int64_t>(1, cap));
  };
  if (kind == DepthwisePlaneKind::Convolution) {
    // A register block of rows x vectors of a row (the partial last vector
    // of a row included: its store is masked), within the accumulator
    // budget; the other registers hold the filter broadcast and the loaded
    // input vectors. At least 8 independent accumulators keep two FMA
    // units busy through their latency, so short rows take more rows.
    int64_t rowVectors = (outputSizes.back() + t.lanes - 1) / t.lanes;
    t.vectorBlock = std::min<int64_t>({4, rowVectors, maxAcc});
    t.rowBlock = rowBlockFor(maxAcc / t.vectorBlock,
                             t.vectorBlock * taps * terms);
    // 2-D planes: each row block also prefetches its share of the input
    // planes of the output plane two ahead, as the filter gradient below
    // (the same bounds: the planes in flight within a quarter of the L2,
    // at least kMinFMAsPerPrefetchedLine FMAs per prefetched line). The scratch
    // copy of each input plane otherwise waits on its misses with the FMA units
    // idle (row h's data gradient on AVX-512 at N = 8: 44% of the samples in
    // the copy, 1.15x oneDNN where at N = 1, its planes in L2, it is 1.03x).
    if (outputSizes.size() == 2) {
      constexpr int64_t kPlanesAhead = 2;
      if (fitsPlanePrefetch(kPlanesAhead * (terms + 1), terms,
                            outputSizes.back() * accBytes, rows,
                            rowVectors * taps * terms, target))
        t.prefetchPlanesAhead = kPlanesAhead;
    }
  } else {
    // One accumulator per tap and term (input plane of the group); more
    // than the accumulators (7x7 kernels, groups of several channels) are
    // split into balanced blocks, each a pass over dy and the scratch.
    int64_t accumulators = taps * terms;
    int64_t blocks = ceilDiv(accumulators, maxAcc);
    for (int64_t b = 0; b < blocks; ++b)
      t.tapBlocks.push_back(accumulators / blocks +
                            (b < accumulators % blocks ? 1 : 0));
    // Rows per step: dy rows and input rows reused across kernel rows.
    t.rowBlock = rowBlockFor(4, t.tapBlocks.front());
    // 2-D planes with unit innermost stride read x where it is: a scratch
    // copy costs a load and a store per input vector, while reading in
    // place costs one shuffle per row and kernel column left of the
    // plane's first vector (the low padding), and masks at the edges. The
    // edges need masked loads of the element type, and are unrolled: the
    // edge rows (and the inside rows left over by the blocks) with all
    // their vectors, a block's edge vectors, for every tap block. Their
    // FMAs stay within kMaxUnrolledFMAs, which keeps compile time near the
    // scratch form's (row h: 16 steps of 9 taps; a 7x7 kernel on 56x56 has
    // 40 steps of 49 taps: 3x the pipeline's time, so it keeps the copy).
    if (outputSizes.size() == 2 && innermostStride == 1 && maskedElementLoads) {
      int64_t rowVectors = (outputSizes.back() + t.lanes - 1) / t.lanes;
      int64_t leftRows = edgeRows + (rows - edgeRows) % t.rowBlock;
      int64_t unrolledSteps = leftRows * rowVectors + t.rowBlock * edgeVectors;
      t.readsInputRows = unrolledSteps * accumulators <= kMaxUnrolledFMAs;
      // Rows of 28 f32 are 112 B: a load at every shifted column splits a
      // cache line nearly always (row h: 44 loads per 72 FMAs, most split).
      // AVX-512 forms each edge column from the row's whole vectors by one
      // two-source shuffle (vpermt2ps/valignd, zero-masked) instead: 20
      // loads and 24 shuffles, on a port FMAs leave free. AVX2 has no
      // single-instruction lane shift across two ymm registers, but
      // vperm2f128 and two vshufps (LLVM's lowering) still beat the
      // split loads and the vmaskmovps + vpermps + vblendps of the
      // shifted, masked reads: row h's filter gradient on AVX2 went from
      // 0.056 to 0.047 ms at N = 1 (its planes in L2), 0.460 to 0.445 at
      // N = 8 (min of 6 alternating runs each). Not the column vectors
      // wholly inside the row (the mechanism loads them where they are):
      // at Zen 4's native 256 bits, LLVM fused the two whole vectors of
      // such a shift into one 512-bit load (split across lines 3 rows in 4)
      // and a 512-bit vpermps, 6 per row block of row h's first vector;
      // loaded, row h's NCHW filter gradient took 810-863 perf samples per
      // 600 calls against 868-960 (5 alternating rounds, 1 thread, loaded
      // host), 849-975 against 895-986 at 2 threads, and on AVX2 936-1061
      // against 958-1166 (4 rounds).
      t.shiftsColumnsInRegisters = t.readsInputRows;
      // A row whose last vector holds at most half the lanes (row h: 28 =
      // 3 x 8 + 4) spends up to half its tail FMAs on zeros (an eighth of
      // row h's), and those read x masked at the row's end. Two rows of a
      // block share one tail vector instead (each half read as a half-width
      // load, concatenated): row h's filter gradient on Zen 4 (AVX-512 at
      // 256 bits, N = 8, 1 thread, loaded host) spent ~21% of the kernel's
      // perf samples in its tail vectors, 12.6% paired; the kernel 880-949
      // -> 848-934 samples per 600 calls (3 alternating rounds), 2 threads
      // 881-931 -> 831-867. On AVX2 (znver3) within the noise (1016-1124
      // -> 1009-1106).
      int64_t tail = outputSizes.back() % t.lanes;
      t.pairsRowTails = t.readsInputRows && t.lanes % 2 == 0 && tail > 0 &&
                        2 * tail <= t.lanes && t.rowBlock >= 2;
      // Planes one filter ahead: a plane's compute (its taps' FMAs) covers
      // an L3 access, and the planes in flight and in use (terms of x and
      // one of dy each, of the filter computed and the one prefetched) stay
      // within a quarter of the L2 (and the L1: below). Each row block
      // prefetches its own rows of the next filter's planes, so one filter
      // ahead spreads the prefetches over the plane that they run ahead of (two
      // ahead gives the lines an extra plane's time in L1 before their use, our
      // guess at why it was slower). Row h's filter gradient, AVX2, N = 8, on a
      // loaded host, two -> one filter ahead: 15 alternating runs, min
      // (median) 1 thread 0.505 (0.618) -> 0.473 (0.559) ms, 2 threads
      // 0.263 (0.772) -> 0.253 (0.573); about 4% fewer perf samples in the
      // kernel; three ahead was slower than two. Each prefetch takes a load
      // slot: only with at least kMinFMAsPerPrefetchedLine FMAs per prefetched
      // line (a 3x3 kernel on 28-wide rows has 4 lines of x and dy per row, and
      // 36 FMAs on AVX2, 18 on AVX-512).
      //
      // And only while those planes (the filter's in use and the next
      // one's prefetched) fit the L1 data cache, where the prefetches
      // (prefetcht0) put them: larger planes evict the rows of the plane in
      // use that its next row blocks and kernel rows read again, and the
      // lines prefetched before they are used. mb_dw3x3_c144_56 (56 x 56
      // planes: 4 of 12.5 KiB against a 32 KiB L1), NCHW filter gradient on
      // Zen 4, loaded host, min of 2 x 3 alternating rounds, 1 thread: 1.62
      // -> 0.88 ms on AVX-512, 1.25 -> 0.87 on AVX2 (2 threads 0.74 ->
      // 0.34); perf samples in the kernel per call: 2.05-2.14 -> 1.09-1.20
      // ms (AVX-512), 1.82-2.37 -> 1.20-1.35 (AVX2); mb_dw3x3_c32_112 (112 x
      // 112 planes) 1.41 -> 1.11 ms on AVX-512. Row h (4 planes of 3 KiB)
      // keeps it: without it, its samples moved within the noise (+-5%) on
      // AVX-512 and AVX2 at 1 thread, and grew 4% at 2 threads on AVX2.
      constexpr int64_t kPlanesAhead = 1;
      int64_t planesInL1 = (kPlanesAhead + 1) * (terms + 1);
      if (t.readsInputRows &&
          fitsPlanePrefetch(planesInL1, terms + 1,
                            outputSizes.back() * accBytes, rows,
                            rowVectors * accumulators, target) &&
          planesInL1 * rows * outputSizes.back() * accBytes <=
              target.l1DataBytes)
        t.prefetchPlanesAhead = kPlanesAhead;
    }
    // With the scratch copy, the copy of each filter's x planes waits on
    // their misses with the FMA units idle (mb_dw3x3_s2_c144_56, NCHW
    // filter gradient on Zen 4, stride 2: half the kernel's perf samples
    // in the copy), so each row block prefetches its share of the planes
    // that the next filter's copy reads (and its rows of that filter's dy
    // plane), as a convolution's row blocks do. Strided planes read s
    // vectors and shuffle once per x vector, so s times the FMAs of a row
    // cover its prefetched lines.
    // A strided x vector read from a packed scratch row is s loads and a
    // shuffle (two on AVX2) for each of the kernel's taps, while the copy
    // touches each input vector once: mb_dw3x3_s2_c144_56's NCHW filter
    // gradient spent 90 shuffles per 36 FMAs in its FMA loop. The copy
    // keeps the row's phases apart instead.
    t.phaseSplitColumns = !t.readsInputRows && innermostStride > 1;
    if (!t.readsInputRows && outputSizes.size() == 2) {
      constexpr int64_t kPlanesAhead = 1;
      int64_t outCols = outputSizes.back();
      int64_t rowVectors = ceilDiv(outCols, t.lanes);
      int64_t scratchLinesPerRow =
          ceilDiv(scratchElements * accBytes, rows * kCacheLineBytes);
      int64_t linesPerRow =
          scratchLinesPerRow + ceilDiv(outCols * accBytes, kCacheLineBytes);
      int64_t planeBytes = (scratchElements + rows * outCols) * accBytes;
      if ((kPlanesAhead + 1) * planeBytes <= target.l2Bytes / 4 &&
          rowVectors * accumulators * innermostStride >=
              kMinFMAsPerPrefetchedLine * linesPerRow)
        t.prefetchPlanesAhead = kPlanesAhead;
    }
  }
  // Scratch rows aligned to whole vectors: a row-h filter gradient reads
  // 22 vectors per 36 FMAs, and a load that splits a cache line costs two;
  // aligned, the copy's stores and the reads of one kernel column do not
  // split. It costs at most a vector of padding per row (and 2 per row of
  // the plane before the copy's first column), unless that no longer fits
  // the scratch budget.
  // (A scratch row is at least an output row long.)
  int64_t rowsOfScratch =
      std::max<int64_t>(1, scratchElements / outputSizes.back());
  if ((scratchElements + rowsOfScratch * 2 * t.lanes) * accBytes <=
      target.l2Bytes / 2)
    t.scratchRowAlignment = t.lanes;
  // One task per thread (4 when the count is decided at run time), each a
  // block of whole planes.
  int64_t threads = plannedThreads(target);
  t.tasks = std::max<int64_t>(1, std::min(threads, planes));
  return t;
}

/// A filter gradient at the native width (depthwiseFilterGradientLanes)
/// only where it reads x in place there, or cannot at the full width either:
/// twice the vectors per row unroll twice the edge code, and where that
/// outgrows the unrolling budget (readsInputRows) the scratch copy costs
/// more than the native width saves. mb_dw3x3_c32_112's NCHW filter
/// gradient (112-wide rows: 14 vectors of 8, 576 unrolled edge FMAs; 7 of
/// 16, 324) took 2.0-2.4 ms at 256 bits with the copy against 1.1-1.4 ms at
/// 512 bits in place (Zen 4, 1 thread, loaded host, min of 3 rounds).
std::optional<DepthwisePlaneTiling>
mlir::convgrad::cpu::selectDepthwisePlaneTiling(
    DepthwisePlaneKind kind, int64_t planes,
    const std::vector<int64_t> &outputSizes, int64_t taps,
    int64_t innermostStride, int64_t terms, int64_t accBits,
    const CPUTarget &target, int64_t zeroInsertion, bool maskedElementLoads,
    const std::function<DepthwisePlaneGeometry(int64_t lanes)> &geometry) {
  auto tilingAt = [&](int64_t lanes) {
    DepthwisePlaneGeometry g = geometry(lanes);
    return getDepthwisePlaneTiling(
        kind, planes, outputSizes, taps, innermostStride, terms,
        g.scratchElements, accBits, target, zeroInsertion, maskedElementLoads,
        g.edgeRows, g.edgeVectors, lanes);
  };
  int64_t preferred = getDepthwisePlaneLanes(kind, accBits, target);
  int64_t full = target.lanes(accBits);
  std::optional<DepthwisePlaneTiling> t = tilingAt(preferred);
  if (preferred == full || (t && t->readsInputRows))
    return t;
  std::optional<DepthwisePlaneTiling> wide = tilingAt(full);
  if (!t || (wide && wide->readsInputRows))
    return wide;
  return t;
}

bool mlir::convgrad::cpu::isChannelsLastPlanewise(int64_t terms,
                                                  int64_t outPerGroup) {
  return terms >= 1 && outPerGroup >= 1 && (terms > 1 || outPerGroup > 1);
}

/// Output rows per data gradient task: enough blocks for every thread
/// even with one image, and a task's tile (rows of `outputRowBytes`, 0 when
/// unknown) within half the L2, dividing the rows. A channels-first op's
/// result transpose then moves into the tasks (fuseResultTransposeIntoTasks
/// asks the same of a tile), each transposing its tile while it is in L2
/// instead of a pass over the whole channels-last dx after the tasks: row
/// rx_g32_s2_c256_56 (3.2 MB per image), NCHW, AVX-512: 14.1-14.7 -> 6.0-6.2
/// ms at 1 thread (whole images: 54% of the samples in that pass), 3.8-3.9
/// -> 2.6-2.7 ms at 2.
static int64_t dataGradientTaskRows(int64_t outputRows, int64_t threads,
                                    int64_t outputRowBytes,
                                    const CPUTarget &target) {
  int64_t rows = std::max<int64_t>(1, outputRows / threads);
  if (outputRowBytes > 0)
    rows = std::min(rows, std::max<int64_t>(1, target.l2Bytes / 2 /
                                                   outputRowBytes));
  return largestDivisorAtMost(outputRows, rows);
}

/// The channels-last data gradient of groups of k = `groupChannels` > 1
/// channels (and k filters): vectors along the channels hold whole groups
/// (k divides the lanes), and each output vector has k accumulators, A_r
/// += dy * W_r with W_r[f] = w[f, tap, (f mod k + r) mod k], rotated
/// within the groups and summed once per block (k - 1 shuffles per output
/// vector, none per tap). Every tap then costs k FMAs per output vector and
/// KW x k filter vectors stay live per kernel row, so the register block
/// is what the registers hold besides them and prefers columns (each
/// filter vector serves every column). When that leaves fewer accumulators
/// than cover the FMA latency (fmaUnits x kFmaLatencyCycles chains; AVX2
/// with k = 4 and 3 kernel columns: none), only one tap's k filter vectors
/// are live at a time (tapFilterVectors), the dy vectors of a block loaded
/// once per tap instead of once (from L1: k FMAs per dy load still): AVX2
/// then holds 2 output vectors (8 accumulators) instead of declining, which
/// left the op to the plane-by-plane form between transposes of dy and dx
/// (row g, 1 thread: the transposes were ~40% of its samples). Groups of
/// up to 8 channels are taken (AVX-512: two groups per vector, 16
/// accumulators with one tap's 8 filter vectors; AVX2 has no room for them
/// and declines): rx_g32_s2_c256_56's NHWC dgrad took 14-18 ms split into
/// one convolution per group and stride phase, 2.7 ms so (oneDNN 2.6).
/// Larger groups are declined.
static std::optional<DepthwiseChannelsLastTiling>
getGroupedDataGradientTiling(int64_t channels, int64_t groupChannels,
                             int64_t taps, int64_t kernelCols,
                             int64_t outputRows, int64_t outputRowBytes,
                             int64_t maxAcc,
                             DepthwiseChannelsLastTiling t,
                             const CPUTarget &target) {
  constexpr int64_t kMaxGroupChannels = 8;
  constexpr int64_t kMaxUnrolledFMAs = 512;
  int64_t k = groupChannels;
  if (k < 2 || k > kMaxGroupChannels || t.lanes % k != 0 || channels % k != 0)
    return std::nullopt;
  // Registers besides the accumulators: the filter vectors of a kernel
  // row (or of a tap), a dy vector and a rotated one.
  auto outputsWith = [&](int64_t filterVectors) {
    return std::min(maxAcc, target.vectorRegisters - filterVectors - 2) / k;
  };
  int64_t outputs = outputsWith(kernelCols * k);
  int64_t chains = int64_t(kFmaLatencyCycles) * target.fmaUnits;
  if (outputs * k < chains && outputsWith(k) > outputs) {
    outputs = outputsWith(k);
    t.tapFilterVectors = true;
  }
  if (outputs < 1)
    return std::nullopt;
  t.columnBlock = std::max<int64_t>(
      1, std::min<int64_t>({8, outputs, kMaxUnrolledFMAs / (taps * k)}));
  t.channelVectors = largestDivisorAtMost(
      std::max<int64_t>(1, channels / t.lanes),
      std::max<int64_t>(1, outputs / t.columnBlock));
  int64_t threads = plannedThreads(target);
  t.taskRows =
      dataGradientTaskRows(outputRows, threads, outputRowBytes, target);
  return t;
}

/// Filter gradient tasks: the output rows of all images (at least OH work
/// items, whatever N) when there are enough for every thread, each task
/// streaming whole pixels (all channels contiguous) into its own copy of
/// the accumulators (KH x KW x C per term, summed after: a negligible
/// fraction of the N x OH x OW x KH x KW x C FMAs). Split by channel
/// blocks instead, every thread would read a strided part of every pixel;
/// that is the split when there are fewer rows than threads (no reduction
/// between threads).
///
/// Split by positions, each task's items are kPositionChunksPerTask chunks
/// (fewer when there are fewer items per image and thread), each with its
/// own copy of the accumulators: a task takes its own chunks first, then
/// what another task has not started (positionChunks). Even in work, the
/// two threads of row h on AVX2 (NHWC, 2 threads on a shared Zen 4 host)
/// did not finish together: the one that runs the second task took
/// 1.3-1.9x the first one's CPU time for the same work (barrier wait 16% of
/// thread time on a quiet host, 7% to 30% loaded); with the chunks, the
/// faster thread takes over the slower one's last chunks. Chunks claimed
/// in any order (one counter) lost every call's affinity of a task to its
/// images, whose x and dy then came from another core's caches (0.47 ms
/// against 0.28 static); 4 chunks per task 0.185 ms (min of 8 alternating
/// runs under load 6; 2 per task 0.208, static 0.458 in the same runs).
constexpr int64_t kPositionChunksPerTask = 4;

static void splitFilterGradientTasks(DepthwiseChannelsLastTiling &t,
                                     int64_t channels, int64_t outputRows,
                                     int64_t threads) {
  t.splitPositions = threads > 1 && outputRows >= threads;
  int64_t channelBlocks = channels / t.lanes / t.channelVectors +
                          (channels % t.lanes != 0 ? 1 : 0);
  t.tasks = t.splitPositions
                ? threads
                : std::max<int64_t>(1, std::min(threads, channelBlocks));
  int64_t perTask =
      std::min<int64_t>(kPositionChunksPerTask, outputRows / threads);
  t.positionChunks = t.splitPositions && perTask > 1 ? perTask * threads : 0;
}

/// Blocks of `size` (kernel rows, output rows) of at most `most`, balanced
/// over as few blocks as that takes (each block is one pass over x and dy).
static int64_t balancedBlock(int64_t size, int64_t most) {
  int64_t blocks = ceilDiv(size, most);
  return ceilDiv(size, blocks);
}

/// The channels-last filter gradient of groups of k = `groupChannels` > 1
/// channels (and k filters): vectors along the channels hold whole groups
/// (k divides the lanes), and each x vector feeds k accumulators, A_r +=
/// x * rot_r(dy), where rot_r rotates dy by r within the groups: lane c of
/// A_r sums the gradient of filter k (c / k) + (c mod k + r) mod k for
/// channel c mod k. So a tap costs k FMAs per x load and k - 1 shuffles per
/// dy vector serve every tap of the block. A kernel row of one channel
/// vector keeps KW x k accumulators and its KW x vectors live; a block is
/// as many kernel rows as the registers hold besides dy and its rotation,
/// balanced over the rows. One kernel row that needs one register more
/// than there are (AVX2 with k = 4 and 3 kernel columns: 12 + 3 + 2 = 17 >
/// 16) is still taken: LLVM keeps one accumulator on the stack (a load and
/// a store per output column), which beat the plane-by-plane form between
/// transposes of x and dy that the op otherwise falls to (row g, AVX2, 1
/// thread: ~1.6 -> ~0.95 ms; the transposes were a third of its samples).
/// Declined when even that does not fit, or k is above 8 (the shuffles
/// would approach the FMAs).
static std::optional<DepthwiseChannelsLastTiling>
getGroupedFilterGradientTiling(int64_t channels, int64_t groupChannels,
                               int64_t kernelRows, int64_t kernelCols,
                               int64_t outputRows,
                               DepthwiseChannelsLastTiling t,
                               const CPUTarget &target) {
  constexpr int64_t kMaxGroupChannels = 8;
  int64_t k = groupChannels;
  if (k < 2 || k > kMaxGroupChannels || t.lanes % k != 0 || channels % k != 0)
    return std::nullopt;
  int64_t registersPerRow = kernelCols * (k + 1);
  int64_t rowsFit = (target.vectorRegisters - 2) / registersPerRow;
  if (rowsFit < 1 && registersPerRow + 2 <= target.vectorRegisters + 1)
    rowsFit = 1;
  if (rowsFit < 1)
    return std::nullopt;
  t.channelVectors = 1;
  t.kernelRowBlock = balancedBlock(kernelRows, rowsFit);
  splitFilterGradientTasks(t, channels, outputRows, plannedThreads(target));
  return t;
}

/// The input-stationary depthwise filter gradient (stride 1 along the
/// width; see DepthwiseChannelsLastTiling::inputStationary), or nullopt
/// when one kernel row of one channel vector does not fit the registers (a
/// dilated window too wide). Per column and channel vector, a block of R
/// kernel rows loads one dy vector and R x vectors for R x KW FMAs, where
/// the dy-stationary form loads 1 + R x KW: with more loads than FMAs, two
/// load ports bound it at about one FMA per cycle (row h at N = 1, its data
/// in L2, on AVX2: 2 vectors in blocks of 2 + 1 kernel rows, 59 GFLOP/s;
/// input-stationary 2 vectors x 1 kernel row, 3 passes: 78-86). A block of V
/// vectors holds V (R KW accumulators + a window of (KW - 1) d + 1 dy vectors)
/// + 1 registers (the x vector in flight). A block covers a cache line of
/// channels first when a kernel row of it fits: a pass over a row of pixels
/// C channels apart uses the whole of every line it brings into L1, not
/// half of it and the other half a pass later (row h on AVX2: 1 vector in
/// one block of 3 kernel rows, 4 loads per 9 FMAs, was slower than 2
/// vectors x 1 kernel row: 57-59 GFLOP/s). Then as many kernel
/// rows per block as fit (each block is a pass that re-reads dy),
/// balanced, then as many more vectors as fit with them (at most
/// `maxVectors`; blocks divide the full vectors).
///
/// When the whole kernel of a cache line of channels fits with the dy
/// windows of two or more output rows, a pass takes a block of output rows
/// instead (outputRowBlock; registers: V (KH KW accumulators + B windows) +
/// 2, the x vector in flight and a zero for rows outside x): an x row of a
/// pixel's channel block is then read from L2 about once per pass instead
/// of KH times. First as many vectors as fit with 2 output rows (at most
/// `maxVectors`, dividing the full vectors), then as many output rows as
/// fit with them, balanced over the `outputRows`. More vectors before more
/// rows: with pixels a multiple of 4 KiB / V lines apart, a pass's lines
/// fall on V times 4 of the 64 L1 sets (x and dy alike when their
/// addresses agree modulo 4 KiB), and its 2B + 2 row streams of 7 or more
/// rows then thrashed them (row h, 3x3 over 256 channels on AVX-512, x and
/// dy congruent modulo 4 KiB, 1 thread: 2 vectors x 2 output rows 0.24 ms,
/// 1 x 7 0.29-0.31, 1 x 2 0.31-0.32, the old 2 vectors x 3 kernel rows per
/// output row 0.28; at other offsets of dy 1 x 7 was fastest, 0.18-0.23
/// against 0.21-0.28 for 2 x 2 and 0.24-0.28 for the old form). When not
/// even the windows of 2 output rows fit with a line of channels, nor the
/// whole kernel in one pass, blocks of output rows that reload the windows
/// from L1 (see below) come before blocks of kernel rows.
static std::optional<DepthwiseChannelsLastTiling>
getInputStationaryFilterGradientTiling(int64_t fullVectors, int64_t maxVectors,
                                       int64_t kernelRows, int64_t kernelCols,
                                       int64_t outputRows,
                                       int64_t columnDilation, int64_t accBits,
                                       DepthwiseChannelsLastTiling t,
                                       const CPUTarget &target) {
  int64_t window = (kernelCols - 1) * columnDilation + 1;
  auto fits = [&](int64_t vectors, int64_t rows) {
    return vectors * (rows * kernelCols + window) + 1 <=
           target.vectorRegisters;
  };
  if (!fits(1, 1))
    return std::nullopt;
  auto mostVectors = [&](int64_t atLeast, int64_t cap, int64_t rows) {
    int64_t v = atLeast;
    while (v < cap && fits(v + 1, rows))
      ++v;
    return v;
  };
  maxVectors = std::max<int64_t>(1, std::min(maxVectors, fullVectors));
  int64_t lineVectors = std::max<int64_t>(
      1, kCacheLineBytes / (t.lanes * std::max<int64_t>(1, accBits / 8)));
  int64_t lineBlock = largestDivisorAtMost(
      fullVectors, mostVectors(1, std::min(lineVectors, maxVectors), 1));
  int64_t rowsFit = 1;
  while (rowsFit < kernelRows && fits(lineBlock, rowsFit + 1))
    ++rowsFit;
  t.inputStationary = true;
  auto fitsOutputRows = [&](int64_t vectors, int64_t outputRowBlock) {
    return vectors * (kernelRows * kernelCols + outputRowBlock * window) + 2 <=
           target.vectorRegisters;
  };
  // Without the carried windows, B is bounded by L1 instead of the
  // registers: per column, each of the B + KH - 1 x rows (stride and
  // dilation 1 along the height assumed) and B dy rows brings a line per
  // channel line, and with pixels a multiple of 4 KiB / V lines apart
  // those lines of one column share a set: they must fit its ways (L1 /
  // 4 KiB) so that each dy line stays for the window's next columns (1
  // vector x 7 output rows carried, 16 such lines on 12 ways, thrashed
  // when x and dy were congruent modulo 4 KiB: 0.29-0.31 ms on h). Its
  // loop body is unrolled: at most kMaxRowBlockFMAs FMAs per column. The
  // registers: the V KH KW accumulators, the x vector in flight, a zero
  // and the KW dy vectors of a window. 0 when they do not fit.
  constexpr int64_t kMaxRowBlockFMAs = 128;
  int64_t ways = std::max<int64_t>(1, target.l1DataBytes / 4096);
  auto reloadedOutputRows = [&](int64_t vectors, int64_t registers) {
    int64_t kernelFMAs = vectors * kernelRows * kernelCols;
    int64_t rows = 0;
    if (kernelFMAs + 2 + kernelCols <= registers)
      while (rows < outputRows && 2 * (rows + 1) + kernelRows - 1 <= ways &&
             (rows + 1) * kernelFMAs <= kMaxRowBlockFMAs)
        ++rows;
    return rows;
  };
  // Blocks of output rows without the windows run segment by segment of
  // the x columns, every channel block within a segment
  // (segmentsOutsideBlocks; the segment's width comes with the channels:
  // getInputStationarySegmentColumns), each block in passes of as many
  // vectors as fit the registers (passVectors: a spilling line block's
  // vectors one after the other, its lines in L1 for the second): a work
  // item then streams its rows of x and dy pixel after pixel, all
  // channels, instead of once per channel block along rows of pixels C
  // channels apart, whose lines share a few L1 sets and which the
  // hardware prefetchers do not follow. Nor does it prefetch itself (row h
  // on AVX2, N = 8, 1 thread: 0.78-0.81 ms per channel block with the
  // prefetch of the next block's rows, 0.61-0.66 without, 0.46-0.48 by
  // segments of 2 columns; AVX-512: 0.54 -> 0.45). Nor, by segments, does
  // each channel block prefetch its line of the item's new rows (x below
  // the previous item's window, dy) 1, 2 or 4 segments ahead: row h on
  // AVX2, N = 8, min of 7 alternating runs, 1 thread 0.464 ms without,
  // 0.466 / 0.487 / 0.523 with; 2 threads 0.334 and 0.326 / 0.320 / 0.323
  // (a loaded host): no gain beyond the noise, so not kept.
  auto reloadWindows = [&](int64_t vectors, int64_t rowBlock) {
    t.channelVectors = vectors;
    t.kernelRowBlock = kernelRows;
    t.carryDyWindow = false;
    t.outputRowBlock = balancedBlock(outputRows, rowBlock);
    t.segmentsOutsideBlocks = true;
    int64_t pass = vectors;
    while (pass > 1 && (vectors % pass != 0 ||
                        pass * kernelRows * kernelCols + 2 + kernelCols >
                            target.vectorRegisters))
      --pass;
    t.passVectors = pass;
    return t;
  };
  if (kernelRows > 1 && outputRows > 1 && fitsOutputRows(lineBlock, 2)) {
    int64_t vectors = lineBlock;
    while (vectors < maxVectors && fitsOutputRows(vectors + 1, 2))
      ++vectors;
    vectors = largestDivisorAtMost(fullVectors, vectors);
    int64_t rowBlock = 2;
    while (rowBlock < outputRows && fitsOutputRows(vectors, rowBlock + 1))
      ++rowBlock;
    // Rows read from L2 per output row: (2B + KH - 1) / B, fewer with the
    // larger block.
    int64_t reloaded = reloadedOutputRows(vectors, target.vectorRegisters);
    if (reloaded > rowBlock && (2 * reloaded + kernelRows - 1) * rowBlock <
                                   (2 * rowBlock + kernelRows - 1) * reloaded)
      return reloadWindows(vectors, reloaded);
    t.channelVectors = vectors;
    t.kernelRowBlock = kernelRows;
    t.outputRowBlock = balancedBlock(outputRows, rowBlock);
    return t;
  }
  // When not even the windows of 2 output rows fit with a cache line of
  // channels (AVX2, 3x3: 2 x (9 + 6) + 2 > 16) and a pass over a line
  // cannot take the whole kernel either (2 x (6 + 3) + 1 > 16: KH passes
  // of one kernel row, each re-reading a row of x and, unless a segment of
  // it stays in L1, of dy), blocks of output rows without the windows
  // still take a whole line of channels when its accumulators exceed the
  // registers by at most half of them: LLVM keeps the excess in L1, a load
  // and a store per spilled value and column, which the load and store
  // ports absorb, whereas a block of half a line fetches every line from
  // L2 twice (a pass's lines evict themselves from their few sets before
  // the block of the other half), and that L2 traffic, not the FMAs,
  // bounded it. Row h on AVX2 (3x3 over 256 channels, B = 3): 2 vectors
  // read 8 lines per 54 FMAs (51 loads and 23 stores), 1 vector 8 lines
  // per 27 FMAs (14 loads). Then (a line does not divide the channels, or
  // spills more) fewer vectors: half a line (1 vector of 8 f32), whose
  // other half the next block reads again from L2. Per column and vector,
  // B = 3 output rows: 5 x loads and 9 L1 dy loads for 27 FMAs, all its
  // registers live at once, against 2 loads per 3 FMAs in passes whose
  // accumulators LLVM promoted to registers across a segment's 3 passes
  // and spilled (row h on AVX2: 57 stack accesses per 90 FMAs; llvm-mca
  // on znver5: 1.6 FMAs per cycle, the row block 2.0). Not when a pass
  // takes the whole kernel (5x5 on AVX-512: 25 accumulators + a window of
  // 5; without the windows, 25 + 5 + 2 = 32 registers spilled 86 stack
  // accesses per 85 FMAs).
  //
  // (These blocks, once prefetching their next rows channel block by
  // channel block, now stream whole pixels segment by segment: see
  // reloadWindows.)
  if (kernelRows > 1 && outputRows > 1 && rowsFit < kernelRows) {
    if (lineVectors > 1 && lineBlock == lineVectors) {
      int64_t spilling = reloadedOutputRows(
          lineBlock, target.vectorRegisters + target.vectorRegisters / 2);
      if (spilling >= 2)
        return reloadWindows(lineBlock, spilling);
    }
    int64_t vectors = largestDivisorAtMost(fullVectors, lineBlock);
    while (vectors > 1 &&
           reloadedOutputRows(vectors, target.vectorRegisters) < 2)
      vectors = largestDivisorAtMost(fullVectors, vectors - 1);
    int64_t reloaded = reloadedOutputRows(vectors, target.vectorRegisters);
    if (reloaded >= 2)
      return reloadWindows(vectors, reloaded);
  }
  t.kernelRowBlock = balancedBlock(kernelRows, rowsFit);
  t.channelVectors = largestDivisorAtMost(
      fullVectors, mostVectors(lineBlock, maxVectors, t.kernelRowBlock));
  return t;
}

std::optional<DepthwiseChannelsLastTiling>
mlir::convgrad::cpu::getDepthwiseChannelsLastTiling(
    DepthwiseChannelsLastKind kind, int64_t channels, int64_t groupChannels,
    int64_t kernelRows, int64_t kernelCols, int64_t outputRows,
    int64_t borderColumns, int64_t accBits, const CPUTarget &target,
    int64_t columnStride, int64_t columnDilation, int64_t outputRowBytes) {
  // Limits of the unrolled code: every tap of a register block, and every
  // border column (its own taps), inline.
  constexpr int64_t kMaxTaps = 64;
  constexpr int64_t kMaxBorderColumns = 64;
  constexpr int64_t kMaxUnrolledFMAs = 512;
  int64_t maxAcc = maxAccumulatorRegisters(target);
  int64_t taps = kernelRows * kernelCols;
  if (channels <= 0 || kernelRows <= 0 || kernelCols <= 0 || outputRows <= 0 ||
      taps > kMaxTaps || kernelCols > maxAcc || borderColumns < 0 ||
      borderColumns > kMaxBorderColumns || columnStride < 1 ||
      columnDilation < 1)
    return std::nullopt;
  DepthwiseChannelsLastTiling t;
  t.lanes = target.lanes(accBits);
  int64_t fullVectors = channels / t.lanes;
  bool dgrad = kind == DepthwiseChannelsLastKind::DataGradient;
  if (groupChannels != 1)
    return dgrad ? getGroupedDataGradientTiling(channels, groupChannels, taps,
                                                kernelCols, outputRows,
                                                outputRowBytes, maxAcc, t,
                                                target)
                 : getGroupedFilterGradientTiling(channels, groupChannels,
                                                  kernelRows, kernelCols,
                                                  outputRows, t, target);
  int64_t threads = plannedThreads(target);
  if (!dgrad) {
    // Tasks as splitFilterGradientTasks decides; with channel tasks, at
    // most fullVectors / threads vectors per block so that every thread
    // gets one. Stride 1 along the width: input-stationary when a kernel
    // row of it fits. Else (dy-stationary) a block holds the whole kernel in registers when it fits
    // (taps x vectors accumulators), else one vector and blocks of kernel
    // rows, balanced. The accumulators are reloaded per output row (the
    // blocks are the innermost loop, so that x and dy stream row by row):
    // KH x KW x vectors loads and stores against OW x as many FMAs.
    bool splitPositions = threads > 1 && outputRows >= threads;
    int64_t perThread = splitPositions ? fullVectors : fullVectors / threads;
    if (columnStride == 1) {
      if (std::optional<DepthwiseChannelsLastTiling> stationary =
              getInputStationaryFilterGradientTiling(
                  fullVectors, perThread, kernelRows, kernelCols, outputRows,
                  columnDilation, accBits, t, target)) {
        // The work items of an image are its blocks of output rows.
        int64_t rowBlock = stationary->outputRowBlock;
        splitFilterGradientTasks(*stationary, channels,
                                 ceilDiv(outputRows, rowBlock),
                                 threads);
        return stationary;
      }
    }
    int64_t cap = std::max<int64_t>(1, std::min(perThread, maxAcc / taps));
    // But at least a cache line of channels per block when a kernel row of
    // them fits the registers (then in blocks of kernel rows): a pass over
    // a row of pixels C channels apart then uses the whole of every line
    // it brings in, instead of half of it, the other half a pass later
    // (AVX2, row h: 2 vectors in blocks of 2 + 1 kernel rows, 0.82 -> 0.61
    // ms at N = 8 on one thread, where x and dy come from memory).
    int64_t lineVectors = std::max<int64_t>(
        1, kCacheLineBytes / (t.lanes * std::max<int64_t>(1, accBits / 8)));
    if (cap < lineVectors && kernelCols * lineVectors <= maxAcc &&
        perThread >= lineVectors)
      cap = lineVectors;
    t.channelVectors = largestDivisorAtMost(fullVectors, cap);
    t.kernelRowBlock = balancedBlock(
        kernelRows,
        std::max<int64_t>(1, maxAcc / (kernelCols * t.channelVectors)));
    splitFilterGradientTasks(t, channels, outputRows, threads);
    return t;
  }
  // Data gradient: a register block of columns x channel vectors, the
  // other registers hold the filter vectors and dy. Four vectors (a cache
  // line each) per column amortize a tap's filter loads over the columns;
  // the unrolled block (taps x accumulators FMAs) stays below
  // kMaxUnrolledFMAs. When that would cost columns, the kernel rows become
  // a loop and only a kernel row's taps are unrolled (7x7: 2 columns and
  // ~1200 unrolled FMAs per phase, compiled in 0.8 s, against 6-8 columns
  // and 7x fewer FMAs). Tasks are blocks of rows of one image, enough for
  // every thread even with one image.
  t.channelVectors = largestDivisorAtMost(fullVectors, 4);
  int64_t registerColumns =
      std::max<int64_t>(1, std::min<int64_t>(8, maxAcc / t.channelVectors));
  auto columnsUnrolling = [&](int64_t unrolledTaps) {
    return std::max<int64_t>(
        1, std::min(registerColumns,
                    kMaxUnrolledFMAs / (unrolledTaps * t.channelVectors)));
  };
  t.columnBlock = columnsUnrolling(taps);
  if (t.columnBlock < registerColumns && kernelRows > 1) {
    // Live per kernel row: the accumulators, its KW filter vectors, a dy
    // vector and a spare (7x7 with all 24 accumulators spilled 13 vectors
    // per row); fewer channel vectors when that would leave one column
    // (AVX2: 16 registers, 7 filter vectors).
    t.loopKernelRows = true;
    int64_t budget =
        std::max<int64_t>(1, target.vectorRegisters - kernelCols - 2);
    if (budget / t.channelVectors < 2)
      t.channelVectors =
          largestDivisorAtMost(fullVectors, std::max<int64_t>(1, budget / 2));
    t.columnBlock = std::max<int64_t>(
        1, std::min(columnsUnrolling(kernelCols), budget / t.channelVectors));
  }
  t.taskRows =
      dataGradientTaskRows(outputRows, threads, outputRowBytes, target);
  return t;
}

int64_t mlir::convgrad::cpu::getInputStationarySegmentColumns(
    const DepthwiseChannelsLastTiling &tiling, int64_t channels,
    int64_t elementBits, int64_t kernelRows, int64_t kernelCols,
    int64_t inputColumns, const CPUTarget &target) {
  // x86 L1 data caches are indexed within a 4 KiB page (64 sets of lines;
  // 32 KiB 8-way, 48 KiB 12-way): the capacity sets the ways.
  constexpr int64_t kL1WayBytes = 4096;
  // Row h on AVX2 (3 passes of one kernel row): segments of 4, 7, 14 and 28
  // (whole rows) x columns ran at 89, 93-98, 78-86 and 71-73 GFLOP/s at
  // N = 1 (data in L2).
  constexpr int64_t kMinSegmentColumns = 4;
  // Only passes of one kernel row (dy re-read KH times per row) of at most
  // kMaxSegmentKernelColumns columns: with wider windows or blocks of
  // several rows, the segments' code (border columns unrolled per segment,
  // a window reloaded per segment) spilled registers: 7x7 in blocks of 3 +
  // 3 + 1 rows on AVX-512 (cx_dw7x7_c384_14: 463 stack accesses instead of
  // 44, 0.41 -> 14 ms), 7x7 one row per pass on AVX2 (347 instead of 39).
  constexpr int64_t kMaxSegmentKernelColumns = 3;
  if (tiling.inputStationary && tiling.segmentsOutsideBlocks && channels > 0) {
    // A segment of S columns of a block of B output rows, all channels:
    // (B + KH - 1) S x pixels and B (S + KW - 1) dy pixels, as many columns
    // as keep that within half of L1 (so that the dy columns that the next
    // segment's windows read again are still there), at least 1 (row h,
    // 1 KiB pixels, B = 3: 1 or 2 columns, 0.46-0.48 ms on AVX2 at N = 8;
    // 3: 0.51, 4: 0.57).
    int64_t pixelBytes = channels * std::max<int64_t>(1, elementBits / 8);
    int64_t block = std::max<int64_t>(1, tiling.outputRowBlock);
    int64_t columns = 1;
    auto footprint = [&](int64_t s) {
      return ((block + kernelRows - 1) * s + block * (s + kernelCols - 1)) *
             pixelBytes;
    };
    while (columns < inputColumns &&
           footprint(columns + 1) <= target.l1DataBytes / 2)
      ++columns;
    // Each segment reloads a pass's V KH KW accumulators from L1 and stores
    // them back, against S V B KH KW FMAs. When those stores take at least
    // as long as the FMAs (V KH KW store cycles, CPUTarget::
    // vectorStoreCycles, against S V B KH KW / fmaUnits), they bound the
    // pass: a block that takes one pass per segment (no other pass of its
    // own reads the segment's lines again) keeps its accumulators in
    // registers across whole rows instead, at the cost of the KW - 1 dy
    // columns that the next segment's windows would have found in L1. Row
    // h on Zen 4 with AVX-512 (1 KiB pixels, B = 3, S = 1: 18 accumulator
    // stores of two cycles per 48-54 FMAs; 1 thread): 77-82 GFLOP/s, S = 2:
    // 84-92, 4: 93-96, 7 or 14: 97-101, whole rows 102-105. Not for long
    // segments (32 channels, 128 B pixels: S = 15, whole rows 7% slower on
    // Zen 4), nor row h where a store takes one cycle (AVX-512 on Intel:
    // 2 < 3), nor blocks in several passes (AVX2's line of channels in
    // passes of one vector), whose second pass reads the segment from L1
    // (32 channels on AVX2, Zen 4: 45 GFLOP/s by segments of 15, 35 by
    // whole rows).
    bool onePass =
        tiling.passVectors <= 0 || tiling.passVectors >= tiling.channelVectors;
    if (onePass &&
        target.vectorStoreCycles() * std::max<int64_t>(1, target.fmaUnits) >=
            columns * block)
      return 0;
    return columns >= inputColumns ? 0 : columns;
  }
  if (!tiling.inputStationary || tiling.kernelRowBlock != 1 ||
      tiling.outputRowBlock != 1 || kernelRows < 2 ||
      kernelCols > kMaxSegmentKernelColumns || channels <= 0 ||
      inputColumns <= kMinSegmentColumns)
    return 0;
  int64_t sets = kL1WayBytes / kCacheLineBytes;
  int64_t ways = std::max<int64_t>(1, target.l1DataBytes / kL1WayBytes);
  int64_t elementBytes = std::max<int64_t>(1, elementBits / 8);
  int64_t pixelBytes = channels * elementBytes;
  // The sets that one channel offset meets along a row: all of them unless
  // the pixels are whole lines apart, then 64 / gcd(64, lines per pixel).
  int64_t pixelSets =
      pixelBytes % kCacheLineBytes != 0
          ? sets
          : sets / std::gcd(sets, (pixelBytes / kCacheLineBytes) % sets);
  int64_t blockLines = std::max<int64_t>(
      1, (tiling.channelVectors * tiling.lanes * elementBytes +
          kCacheLineBytes - 1) /
             kCacheLineBytes);
  int64_t budgetLines = std::min(sets, pixelSets * blockLines) * ways / 2;
  // Per x column: its dy line(s), and the x lines of the previous and the
  // current pass.
  int64_t linesPerColumn = blockLines * (1 + 2 * tiling.kernelRowBlock);
  int64_t maxColumns =
      std::max(kMinSegmentColumns, budgetLines / linesPerColumn);
  if (maxColumns >= inputColumns)
    return 0;
  int64_t segments = ceilDiv(inputColumns, maxColumns);
  return ceilDiv(inputColumns, segments);
}

bool mlir::convgrad::cpu::parallelizeDataMovement(int64_t bytes,
                                                  const CPUTarget &target) {
  // An OpenMP region costs a few microseconds to open and join; a copy of
  // 256 KiB takes tens (L2-resident) to a hundred (from memory).
  constexpr int64_t kMinParallelBytes = 256 * 1024;
  return target.threads != 1 && bytes >= kMinParallelBytes;
}

bool mlir::convgrad::cpu::fillsPaddedBorderOnly(
    int64_t narrowestSideRunBytes) {
  return narrowestSideRunBytes >= kCacheLineBytes;
}

bool mlir::convgrad::cpu::fillsPaddedColumnsWithRows(
    int64_t rowElements, int64_t elementBits, const CPUTarget &target) {
  return rowElements > 0 && rowElements >= target.lanes(elementBits);
}

std::optional<PaddedRowLayout> mlir::convgrad::cpu::alignPaddedRows(
    int64_t low, int64_t interior, int64_t high, int64_t elementBits,
    int64_t bufferBytes, const CPUTarget &target) {
  int64_t lanes = target.lanes(elementBits);
  if (lanes <= 1 || low < 0 || high < 0 || (low == 0 && high == 0) ||
      interior < 4 * lanes || bufferBytes <= target.l2Bytes)
    return std::nullopt;
  int64_t size = low + interior + high;
  if (low % lanes == 0 && size % lanes == 0)
    return std::nullopt;
  PaddedRowLayout layout;
  layout.low = ceilDiv(low, lanes) * lanes;
  layout.size = ceilDiv(layout.low + interior + high, lanes) * lanes;
  // At most an eighth of each row extra: every extra column is filled and
  // streamed through memory with the buffer (AVX-512's rows of 144 for 115
  // measured 3-10% slower on the stem, AVX2's 128 4-8% faster).
  if (8 * (layout.size - size) > layout.size)
    return std::nullopt;
  return layout;
}

bool mlir::convgrad::cpu::fusesFillIntoTasks(int64_t filledBytes,
                                              const CPUTarget &target) {
  return filledBytes > target.l2Bytes;
}

int64_t mlir::convgrad::cpu::getFusedFillChunk(int64_t extent,
                                               int64_t sliceBytes,
                                               const CPUTarget &target) {
  return largestDivisorAtMost(
      extent, target.l1DataBytes / 2 / std::max<int64_t>(1, sliceBytes));
}

bool mlir::convgrad::cpu::fuseResultTransposeIntoTasks(
    int64_t resultBytes, int64_t taskTileBytes, const CPUTarget &target) {
  // The separate transpose reads the channels-last result and writes the
  // channels-first one: both pass through the cache at once.
  bool separatePassSpills = 2 * resultBytes > target.l2Bytes;
  bool tileStaysInL2 = taskTileBytes > 0 && 2 * taskTileBytes <= target.l2Bytes;
  return separatePassSpills && tileStaysInL2;
}

DataMovementTiling
mlir::convgrad::cpu::getDataMovementTiling(const CPUTarget &target) {
  DataMovementTiling t;
  // Four f32 vectors of a copy per tile; a transpose tile is one vector
  // square (16 x 16 on AVX-512, 8 x 8 on AVX2), the size of the shuffle
  // network the vector lowering emits.
  t.innerTile = 4 * target.lanes(32);
  t.transposeTile = target.lanes(32);
  return t;
}

/// The vectors that cover a row of `elements` elements `stride` apart, or 0
/// when the target has no masked vector loads and stores for the last one
/// (vmaskmovps on AVX, a mask register on AVX-512; SSE has none for 32-bit
/// lanes, LLVM would move element by element anyway) or there is nothing to
/// spread (one element, or a contiguous row).
static int64_t stridedRowSpanVectors(int64_t elements, int64_t stride,
                                     int64_t elementBits,
                                     const CPUTarget &target) {
  constexpr int64_t kMinMaskedMoveBits = 256;
  if (target.vectorBits < kMinMaskedMoveBits || elements < 2 || stride < 2)
    return 0;
  int64_t span = (elements - 1) * stride + 1;
  int64_t lanes = target.lanes(elementBits);
  return ceilDiv(span, lanes);
}

bool mlir::convgrad::cpu::storeStridedRowMasked(int64_t elements,
                                                int64_t stride,
                                                int64_t elementBits,
                                                const CPUTarget &target) {
  // Masked stores of the span against one scalar store (one cycle) per
  // element: AVX2 on Zen 3 to Zen 5 (12 cycles per vmaskmovps) stores a
  // stride-2 row of 8 f32 element by element (8 cycles, not 2 x 12).
  int64_t vectors =
      stridedRowSpanVectors(elements, stride, elementBits, target);
  return vectors > 0 && vectors * target.maskedStoreCycles() < elements;
}

bool mlir::convgrad::cpu::interleavesStridedCopies(int64_t elements,
                                                   int64_t stride,
                                                   int64_t elementBits,
                                                   const CPUTarget &target) {
  // A 2-way interleave of two vectors is two unpacks (plus two lane
  // permutes above 128 bits) for two whole output vectors; wider strides
  // take a multi-stage network per output vector, not measured.
  constexpr int64_t kInterleavedStride = 2;
  int64_t lanes = target.lanes(elementBits);
  return stride == kInterleavedStride && lanes > 1 && elements >= lanes;
}

bool mlir::convgrad::cpu::loadStridedRowDeinterleaved(int64_t elements,
                                                      int64_t stride,
                                                      int64_t elementBits,
                                                      const CPUTarget &target) {
  // A masked store keeps a scalar store's cost per element it replaces; a
  // loaded vector also pays for its share of the shuffle that gathers the
  // elements (a two-source permute per vector on AVX-512, two shuffles on
  // AVX2), which is only cheaper than the scalar loads and inserts when it
  // brings two elements or more.
  int64_t vectors =
      stridedRowSpanVectors(elements, stride, elementBits, target);
  return vectors > 0 && 2 * vectors <= elements;
}

DataMovementTiles mlir::convgrad::cpu::getDataMovementTiles(
    const std::vector<int64_t> &ranges, int64_t inputInner,
    const CPUTarget &target, int64_t inputInnerStride, int64_t elementBits) {
  DataMovementTiling tiling = getDataMovementTiling(target);
  DataMovementTiles t;
  size_t n = ranges.size();
  t.sizes.assign(n, 1);
  t.split.assign(n, 0);
  if (n == 0)
    return t;
  // A tile dim of `tile` elements, or of its largest divisor when that is
  // at least `minDivisor`, else whole tiles and a remainder.
  auto tileDim = [&](size_t dim, int64_t tile, int64_t minDivisor) {
    t.split[dim] = remainderSplit(ranges[dim], tile, minDivisor);
    t.sizes[dim] =
        t.split[dim] ? tile : largestDivisorAtMost(ranges[dim], tile);
  };
  if (inputInner < 0 || inputInner >= int64_t(n) - 1) {
    // Copies: contiguous rows of at least a vector.
    tileDim(n - 1, tiling.innerTile, target.lanes(32));
    return t;
  }
  // Transposes: vector squares, or tiles of a divisor of at least half a
  // vector (14 of 56 columns: what power-of-two layers have always had),
  // else whole squares and a remainder (67 channels: 64 + 3, not 1).
  tileDim(n - 1, tiling.transposeTile, tiling.transposeTile / 2);
  // A strided input read deinterleaved (loadStridedRowDeinterleaved): whole
  // squares and a remainder (28 = 16 + 12, not 14 + 14). A square's rows
  // go from the deinterleaving shuffles into the 16 x 16 shuffle network;
  // LLVM merges the shuffles of a narrower tile with the deinterleaving
  // ones into one network that spills (llvm-mca, AVX-512: 16 x 14 tiles
  // 0.72 cycles per element, 16 x 16 0.32, 16 x 12 0.73).
  bool deinterleaved =
      inputInnerStride > 1 &&
      loadStridedRowDeinterleaved(tiling.transposeTile, inputInnerStride,
                                  elementBits, target);
  tileDim(inputInner, tiling.transposeTile,
          deinterleaved ? tiling.transposeTile : tiling.transposeTile / 2);
  // The two tiled dims innermost, the others outside them in their order.
  for (size_t d = 0; d < n; ++d)
    if (int64_t(d) != inputInner && d != n - 1)
      t.order.push_back(d);
  t.order.push_back(inputInner);
  t.order.push_back(n - 1);
  return t;
}

bool mlir::convgrad::cpu::foldsReverseIntoTranspose(int64_t reversedElements) {
  // The folded tiles unroll the reversed elements: as rows of a transpose
  // tile (at most a vector square's 16) or as transposes of their own.
  constexpr int64_t kMaxFoldedReverseElements = 16;
  return reversedElements >= 1 && reversedElements <= kMaxFoldedReverseElements;
}

std::optional<DataMovementTiles> mlir::convgrad::cpu::getReversedTransposeTiles(
    const std::vector<int64_t> &ranges, int64_t inputInner,
    const std::vector<bool> &reversed, const CPUTarget &target,
    int64_t inputInnerStride, int64_t elementBits) {
  if (reversed.size() != ranges.size())
    return std::nullopt;
  int64_t reversedElements = 1;
  for (size_t d = 0; d < ranges.size(); ++d)
    if (reversed[d])
      reversedElements *= ranges[d];
  if (!foldsReverseIntoTranspose(reversedElements))
    return std::nullopt;
  DataMovementTiles t = getDataMovementTiles(ranges, inputInner, target,
                                             inputInnerStride, elementBits);
  for (size_t d = 0; d < ranges.size(); ++d)
    if (reversed[d]) {
      t.sizes[d] = 0;
      t.split[d] = 0;
    }
  return t;
}

std::optional<DataMovementTiles> mlir::convgrad::cpu::getReverseTiles(
    const std::vector<int64_t> &ranges, const std::vector<bool> &reversed,
    int64_t elementBits, const CPUTarget &target) {
  // Every row is one load and one store in straight-line code; a 3x3 or
  // 7x7 filter's taps are 9 or 49 rows.
  constexpr int64_t kMaxUnrolledRows = 64;
  // A reversed row is one shuffle, whose lowering is a permute per vector.
  constexpr int64_t kMaxReversedRowVectors = 4;
  size_t n = ranges.size();
  if (n == 0 || reversed.size() != n || elementBits < 1 ||
      std::any_of(ranges.begin(), ranges.end(),
                  [](int64_t r) { return r < 1; }))
    return std::nullopt;
  DataMovementTiling tiling = getDataMovementTiling(target);
  int64_t lanes = std::max<int64_t>(1, target.lanes(elementBits));
  DataMovementTiles t;
  t.sizes.assign(n, 1);
  t.split.assign(n, 0);
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < n; ++d)
    if (reversed[d]) {
      t.sizes[d] = 0;
      rows *= ranges[d];
    }
  int64_t row = ranges[n - 1];
  if (reversed[n - 1]) {
    t.sizes[n - 1] = 0;
    if (row > kMaxReversedRowVectors * lanes)
      return std::nullopt;
  } else {
    int64_t divisor = largestDivisorAtMost(row, tiling.innerTile);
    if (divisor >= lanes || row > 2 * tiling.innerTile)
      row = divisor;
    t.sizes[n - 1] = row;
  }
  if (rows > kMaxUnrolledRows)
    return std::nullopt;
  return t;
}

bool mlir::convgrad::cpu::transposeByAVX8x8Network(int64_t rows, int64_t cols,
                                                   int64_t elementBits,
                                                   const CPUTarget &target) {
  constexpr int64_t kNetworkSide = 8;
  constexpr int64_t kNetworkElementBits = 32;
  constexpr int64_t kNetworkVectorBits = kNetworkSide * kNetworkElementBits;
  // Only where the network's square is the target's transpose tile: wider
  // targets keep their own lowering (and their code) for the remainder
  // tiles of this size, narrower ones have no 256-bit vectors.
  return rows == kNetworkSide && cols == kNetworkSide &&
         elementBits == kNetworkElementBits &&
         target.vectorBits == kNetworkVectorBits;
}
