//===- TilingStrategyTest.cpp - The CPU tiling decisions, without MLIR ----===//
//
// Pins the register blocks, cache blocks and task splits that the CPU code
// generator gets for the benchmark layers (bench/shapes.csv) and for odd
// sizes, on an AVX2 target (16 x 256-bit registers) and an AVX-512 target
// (32 x 512-bit registers). A change of a decision shows up here first.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "gtest/gtest.h"

#include <algorithm>

using namespace mlir::convgrad::cpu;

namespace {

const CPUTarget avx2 = CPUTarget::avx2();
const CPUTarget avx512 = CPUTarget::avx512();

/// Vector registers a convolution tile's accumulators use.
int64_t accumulators(const ConvTiling &t, int64_t columns, int64_t channels,
                     const CPUTarget &target) {
  (void)t;
  return columns * ((channels + target.lanes(32) - 1) / target.lanes(32));
}

using Block = std::pair<int64_t, int64_t>;

/// Output channels of a channels-last 2-D convolution's register tile:
/// tiled by the cache block when there is one.
int64_t outputChannelTile(const ConvTiling &t) {
  return t.cacheBlock.empty() ? t.inner[3] : t.cacheBlock[3];
}

/// (columns, channels) of the register block of a 2-D convolution with
/// `ow` output columns and `f` output channels, 3x3 kernel, `c` inputs.
/// The tiling of a conv_2d_nhwc_hwcf, or of the first part of its splits.
std::optional<ConvTiling> firstPartTiling(std::vector<int64_t> ranges,
                                          const CPUTarget &target) {
  std::optional<ConvTiling> t =
      getConvTiling(ConvKind::Conv2DNhwcHwcf, ranges, 32, target);
  while (t && !t->split.empty()) {
    for (size_t d = 0; d < ranges.size(); ++d)
      if (t->split[d] != 0)
        ranges[d] = t->split[d];
    t = getConvTiling(ConvKind::Conv2DNhwcHwcf, ranges, 32, target);
  }
  return t;
}

std::pair<int64_t, int64_t> convBlock(int64_t ow, int64_t f, int64_t c,
                                      const CPUTarget &target) {
  std::optional<ConvTiling> t = firstPartTiling({8, ow, ow, f, 3, 3, c},
                                                target);
  EXPECT_TRUE(t.has_value());
  if (!t)
    return {0, 0};
  return {t->inner[2], outputChannelTile(*t)};
}

TEST(Divisors, LargestAtMost) {
  EXPECT_EQ(largestDivisorAtMost(56, 8), 8);
  EXPECT_EQ(largestDivisorAtMost(57, 8), 3);
  EXPECT_EQ(largestDivisorAtMost(67, 64), 1); // prime
  EXPECT_EQ(largestDivisorAtMost(14, 100), 14);
  EXPECT_EQ(largestDivisorAtMost(0, 8), 1);   // nothing to divide
  EXPECT_EQ(largestDivisorAtMost(-1, 8), 1);  // dynamic
  EXPECT_EQ(largestDivisorAtMost(12, 0), 1);
  EXPECT_EQ(divisorsAtMost(12, 6), (std::vector<int64_t>{1, 2, 3, 4, 6}));
  EXPECT_EQ(divisorsAtMost(7, 0), (std::vector<int64_t>{1}));
}

TEST(Target, Presets) {
  EXPECT_EQ(avx2.lanes(32), 8);
  EXPECT_EQ(avx512.lanes(32), 16);
  EXPECT_EQ(avx512.lanes(64), 8);
  EXPECT_EQ(maxAccumulatorRegisters(avx2), 12);
  EXPECT_EQ(maxAccumulatorRegisters(avx512), 24);
  EXPECT_STREQ(avx2.isaName(), "avx2");
  EXPECT_STREQ(avx512.isaName(), "avx512");
}

// The benchmark rows' convolution register blocks. AVX-512: 4 x 64 for 56
// and 28 columns, 7 x 32 for 14 (what the pipeline has used since the
// register-block rule); AVX2: blocks within 12 of 16 registers, of a
// loop over the kernel columns (6 x 16 and 5 x 16: 10-12 accumulators, one
// tap's 2 filter vectors and a broadcast; the unrolled 3 taps left room
// for 2 x 32, 8 accumulators that wait on the FMA latency).
TEST(ConvTiling, BenchmarkRowsAVX512) {
  EXPECT_EQ(convBlock(56, 64, 64, avx512), (Block{4, 64}));
  EXPECT_EQ(convBlock(28, 128, 128, avx512), (Block{4, 64}));
  EXPECT_EQ(convBlock(14, 256, 256, avx512), (Block{7, 32}));
}

TEST(ConvTiling, BenchmarkRowsAVX2) {
  for (auto [ow, f] : {std::pair<int64_t, int64_t>{56, 64}, {28, 128},
                       {14, 256}, {112, 64}}) {
    auto [columns, channels] = convBlock(ow, f, f, avx2);
    EXPECT_LE(columns * ((channels + 7) / 8), 12) << ow << "x" << f;
    EXPECT_EQ(channels % 8, 0) << "whole AVX2 vectors";
  }
  EXPECT_EQ(convBlock(56, 64, 64, avx2), (Block{6, 16}));
  EXPECT_EQ(convBlock(14, 256, 256, avx2), (Block{6, 16})); // + 2 columns
  std::optional<ConvTiling> t = getConvTiling(
      ConvKind::Conv2DNhwcHwcf, {8, 56, 54, 64, 3, 3, 64}, 32, avx2);
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->inner.size(), 7u) << "no split of 54 = 9 x 6 columns";
  EXPECT_EQ(t->inner[5], 1) << "a loop over the kernel columns";
}

// Short reduction steps (fewer than 8 FMA cycles per input channel) take 4
// input channels per iteration; longer ones, and channel counts that are no
// multiple of 4 (2 channels would be shuffled), one.
TEST(ConvTiling, ReductionUnroll) {
  EXPECT_EQ(convReductionUnroll(12, 64, avx2), 4);    // 6 x 16, tap loop
  EXPECT_EQ(convReductionUnroll(8, 64, avx2), 4);     // 2 x 32, one tap
  EXPECT_EQ(convReductionUnroll(24, 64, avx2), 1);    // 2 x 32, 3 taps
  EXPECT_EQ(convReductionUnroll(16, 64, avx512), 1);  // 4 x 64, one tap
  EXPECT_EQ(convReductionUnroll(42, 256, avx512), 1); // 7 x 32, 3 taps
  EXPECT_EQ(convReductionUnroll(12, 66, avx2), 1);
  EXPECT_EQ(convReductionUnroll(12, 3, avx2), 1);
  EXPECT_EQ(convReductionUnroll(0, 64, avx2), 1);
  // The c_3x3_c256 data gradient: AVX2's 6 x 16 tap-loop blocks step by 4
  // channels of the 64-channel cache block; AVX-512's 7 x 32 blocks by one.
  std::optional<ConvTiling> t =
      firstPartTiling({8, 14, 14, 256, 3, 3, 256}, avx2);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->inner[6], 4);
  EXPECT_EQ(t->cacheBlock[6] % t->inner[6], 0);
  t = firstPartTiling({8, 14, 14, 256, 3, 3, 256}, avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->inner[6], 1);
  // Its 2 remaining columns (2 x 32, 3 unrolled taps): one.
  t = getConvTiling(ConvKind::Conv2DNhwcHwcf, {8, 14, 2, 256, 3, 3, 256}, 32,
                    avx2);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->inner[6], 1);
  // The forward form of a filter gradient keeps its one-channel steps.
  t = getConvTiling(ConvKind::Conv2DNhwcHwcf, {64, 3, 3, 256, 14, 14, 8}, 32,
                    avx2);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->inner[6], 1);
}

// Fewer output channels than lanes (a split's remainder): lanes along the
// reduction channels where that takes at most half the FMAs, in blocks of
// columns whose accumulators (filters x columns) fit and whose remainder
// block still covers the FMA latency.
TEST(ConvTiling, ReductionLanes) {
  // od_3x3_c67_57's data gradient, 3 of 67 output channels, 57 columns:
  // AVX-512 9 x 6 + 3 (18 accumulators; 8 x 7 + 1 would leave one column
  // of 3 latency-bound chains), AVX2 19 x 3.
  EXPECT_EQ(chooseReductionLaneColumns(3, 9, 67, 57, 32, avx512), 6);
  EXPECT_EQ(chooseReductionLaneColumns(3, 9, 67, 57, 32, avx2), 3);
  EXPECT_EQ(chooseReductionLaneColumns(3, 9, 67, 56, 32, avx512), 8);
  // The stride-2 phases of od_3x3_s2_c67to131_57 (131 channels): every
  // phase on AVX-512; the 1-tap phase keeps the lanes along the output
  // channels on AVX2 (17 masked FMAs + a reduction vs 131 FMAs: not half).
  EXPECT_GT(chooseReductionLaneColumns(3, 4, 131, 29, 32, avx512), 0);
  EXPECT_GT(chooseReductionLaneColumns(3, 1, 131, 29, 32, avx512), 0);
  EXPECT_GT(chooseReductionLaneColumns(3, 4, 131, 29, 32, avx2), 0);
  EXPECT_EQ(chooseReductionLaneColumns(3, 1, 131, 29, 32, avx2), 0);
  // Few reduction channels (a stem's 3 inputs), whole vectors of output
  // channels, or too many output channels per FMA saved: along f.
  EXPECT_EQ(chooseReductionLaneColumns(3, 9, 8, 57, 32, avx512), 0);
  EXPECT_EQ(chooseReductionLaneColumns(16, 9, 67, 57, 32, avx512), 0);
  EXPECT_EQ(chooseReductionLaneColumns(12, 9, 20, 57, 32, avx512), 0);
  // Accumulators within maxAccumulatorRegisters.
  for (const CPUTarget &target : {avx2, avx512})
    for (int64_t f = 1; f < target.lanes(32); ++f)
      if (int64_t b = chooseReductionLaneColumns(f, 9, 256, 57, 32, target))
        EXPECT_LE(f * b, maxAccumulatorRegisters(target)) << f;
  // The strategy's decision for the remainder part.
  std::optional<ConvTiling> t = getConvTiling(
      ConvKind::Conv2DNhwcHwcf, {8, 57, 57, 3, 3, 3, 67}, 32, avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->reductionLaneColumns, 6);
  EXPECT_EQ(t->parallel.size(), 2u);
  // A filter gradient's forward form (the kernel is a whole output
  // gradient) keeps its tiling.
  t = getConvTiling(ConvKind::Conv2DNhwcHwcf, {64, 3, 3, 3, 14, 14, 64}, 32,
                    avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->reductionLaneColumns, 0);
}

TEST(ConvTiling, ReductionLanesOverWidthForm) {
  // The stem data gradient's stride phases (3 filters, 64 channels, 4x4,
  // 4x3, 3x4 and 3x3 taps, 112 columns): lanes along the channels on both
  // targets (AVX-512's 3x3 phase: 9 taps x 4 vectors = 36 FMAs per sum).
  for (const CPUTarget &target : {avx2, avx512})
    for (auto [taps, kw] : {std::pair<int64_t, int64_t>{16, 4}, {12, 3},
                            {12, 4}, {9, 3}})
      EXPECT_TRUE(prefersReductionLanes(3, taps, kw, 64, 112, 32, target))
          << taps;
  // 16 channels on AVX-512: one vector; 9 FMAs per lane sum is too few,
  // 12 enough.
  EXPECT_FALSE(prefersReductionLanes(3, 9, 3, 16, 112, 32, avx512));
  EXPECT_TRUE(prefersReductionLanes(3, 12, 4, 16, 112, 32, avx512));
  // Channels that are not whole vectors (a masked tail), fewer channels
  // than lanes, a kernel wider than the blocks unroll, whole vectors of
  // filters: the width form (or lanes along the filters).
  EXPECT_FALSE(prefersReductionLanes(3, 16, 4, 60, 112, 32, avx2));
  EXPECT_FALSE(prefersReductionLanes(3, 16, 4, 4, 112, 32, avx2));
  EXPECT_FALSE(prefersReductionLanes(3, 33, 11, 64, 112, 32, avx2));
  EXPECT_FALSE(prefersReductionLanes(8, 16, 4, 64, 112, 32, avx2));
}

TEST(ConvTiling, ReductionLaneUnroll) {
  // 3 x 4 accumulators on AVX2 (12 FMAs, 6 cycles per channel vector): all
  // 8 vectors of 64 channels per step; 3 x 6 on AVX-512 (9 cycles): all 4.
  EXPECT_EQ(getReductionLaneUnroll(8, 12, avx2), 8);
  EXPECT_EQ(getReductionLaneUnroll(4, 18, avx512), 4);
  // Steps of at least 32 cycles: 16 vectors of 36 FMAs take 2 per step.
  EXPECT_EQ(getReductionLaneUnroll(16, 36, avx512), 2);
  EXPECT_EQ(getReductionLaneUnroll(1, 12, avx2), 1);
  // The strategy's decision for the stem's 4x4 phase.
  std::optional<ConvTiling> t = getConvTiling(
      ConvKind::Conv2DNhwcHwcf, {8, 112, 112, 3, 4, 4, 64}, 32, avx2);
  ASSERT_TRUE(t.has_value());
  ASSERT_GT(t->reductionLaneColumns, 0);
  EXPECT_EQ(t->reductionLaneUnroll, 8);
}

TEST(Divisors, RemainderSplits) {
  // Whole tiles and one remainder where the divisors degenerate.
  EXPECT_EQ(laneRemainderSplit(67, 16, 64), 64);  // prime: 64 + 3
  EXPECT_EQ(laneRemainderSplit(131, 16, 64), 128); // prime: 128 + 3
  EXPECT_EQ(laneRemainderSplit(67, 8, 32), 64);   // AVX2: 64 + 3
  EXPECT_EQ(laneRemainderSplit(35, 16, 64), 32);  // 35 lanes: 32 + 3
  EXPECT_EQ(laneRemainderSplit(96, 16, 64), 0);   // 32-lane blocks divide
  EXPECT_EQ(laneRemainderSplit(64, 16, 64), 0);
  EXPECT_EQ(laneRemainderSplit(3, 16, 64), 0);    // less than a vector
  EXPECT_EQ(laneRemainderSplit(48, 16, 64), 0);   // 16-lane blocks divide
  EXPECT_EQ(rowRemainderSplit(57, 8), 56);        // divisors 1, 3
  EXPECT_EQ(rowRemainderSplit(17, 8), 16);
  EXPECT_EQ(rowRemainderSplit(35, 8), 0);         // 7 rows divide
  EXPECT_EQ(rowRemainderSplit(56, 8), 0);
  EXPECT_EQ(rowRemainderSplit(5, 8), 0);          // one block
  EXPECT_EQ(rowRemainderSplit(67, 4), 64);        // GEMM rows: 64 + 3
  EXPECT_EQ(remainderSplit(3249, 16, 16), 3248);  // 57 x 57 plane
  EXPECT_EQ(remainderSplit(0, 16, 16), 0);
  EXPECT_EQ(remainderSplit(-1, 16, 16), 0);
}

/// The ranges of the parts of `ranges` split at `split` (0: not split).
std::vector<std::vector<int64_t>> splitParts(const std::vector<int64_t> &ranges,
                                             const std::vector<int64_t> &split) {
  std::vector<std::vector<int64_t>> parts = {ranges};
  for (size_t d = 0; d < split.size(); ++d) {
    if (split[d] == 0)
      continue;
    std::vector<std::vector<int64_t>> next;
    for (std::vector<int64_t> part : parts) {
      part[d] = split[d];
      next.push_back(part);
      part[d] = ranges[d] - split[d];
      next.push_back(part);
    }
    parts = next;
  }
  return parts;
}

// The cycle model of a register block's reduction step (3 taps): 4 x 4
// vectors is FMA-bound (48 FMAs on 2 units) as much as its streamed filter
// (12 vectors at 32 bytes per cycle); one column of 4 vectors waits on the
// FMA latency (3 chained FMAs per accumulator, 5 cycles each), or on L2
// when streamed. AVX2's 2 x 4 vectors wait on the latency too (24 FMAs in
// 12 cycles, 3 chained in 15), a tap of 6 x 2 does not.
TEST(ConvRowTiling, StepCycles) {
  EXPECT_DOUBLE_EQ(convBlockStepCycles(4, 4, 3, true, avx512), 24);
  EXPECT_DOUBLE_EQ(convBlockStepCycles(8, 2, 3, true, avx512), 24);
  EXPECT_DOUBLE_EQ(convBlockStepCycles(1, 4, 3, false, avx512), 15);
  EXPECT_DOUBLE_EQ(convBlockStepCycles(1, 4, 3, true, avx512), 24);
  EXPECT_DOUBLE_EQ(convBlockStepCycles(2, 4, 1, false, avx512), 5);
  EXPECT_DOUBLE_EQ(convBlockStepCycles(2, 4, 3, false, avx2), 15);
  EXPECT_DOUBLE_EQ(convBlockStepCycles(6, 2, 1, false, avx2), 6);
  // Without the slack: 4 cycles per chained FMA.
  EXPECT_DOUBLE_EQ(convBlockStepCycles(2, 4, 3, false, avx2, false), 12);
}

TEST(ConvRowTiling, Choice) {
  int64_t perChannel = 9 * 67 * 4; // 3x3 x 67 f32
  // Regular rows keep their dividing blocks.
  ConvRowTiling row = chooseConvRowTiling(56, 64, 3, perChannel, 8, 32, avx512);
  EXPECT_EQ(row.block, (RegisterBlock{4, 64}));
  EXPECT_EQ(row.widthSplit, 0);
  // 57 columns of 64 channels: 9 blocks of 6 x 32 and a 3-column part
  // (3 x 64, 18 cycles of FMAs), not 14 of 4 x 64 and a latency-bound
  // single column.
  row = chooseConvRowTiling(57, 64, 3, perChannel, 8, 32, avx512);
  EXPECT_EQ(row.block, (RegisterBlock{6, 32}));
  EXPECT_EQ(row.widthSplit, 54);
  // The 3 channels left of 67: one narrow vector, 8 rows.
  row = chooseConvRowTiling(57, 3, 3, perChannel, 8, 32, avx512);
  EXPECT_EQ(row.block, (RegisterBlock{8, 3}));
  EXPECT_EQ(row.widthSplit, 56);
  EXPECT_FALSE(row.tapLoop);
  // AVX2, 14 columns of 256 channels, 3 taps: unrolled, only 2 x 32 fit
  // (8 accumulators, 12 filter vectors), latency-bound; a tap loop of
  // 6 x 16 blocks keeps 12 accumulators busy. Its 2-column part takes
  // latency-bound 2 x 32 blocks of its own; 5 x 16 blocks would leave 4
  // such columns.
  row = chooseConvRowTiling(14, 256, 3, 9 * 256 * 4, 8, 32, avx2);
  EXPECT_EQ(row.block, (RegisterBlock{6, 16}));
  EXPECT_EQ(row.widthSplit, 12);
  EXPECT_TRUE(row.tapLoop);
  row = chooseConvRowTiling(2, 256, 3, 9 * 256 * 4, 8, 32, avx2);
  EXPECT_EQ(row.block, (RegisterBlock{2, 32}));
  EXPECT_FALSE(row.tapLoop);
  // AVX2, 2 taps (a phase of a strided 3 x 3 data gradient): no tap loop
  // is offered, so the chained FMAs count their plain latency; 2 x 32
  // blocks divide the 28 columns. With the slack of the tap-loop choice,
  // 5 x 16 blocks and a 3-column part won, twice the code to compile.
  row = chooseConvRowTiling(28, 64, 2, 6 * 128 * 4, 8, 32, avx2);
  EXPECT_EQ(row.block, (RegisterBlock{2, 32}));
  EXPECT_EQ(row.widthSplit, 0);
  EXPECT_FALSE(row.tapLoop);
  // Every block fits the registers with one kernel row of filter vectors
  // and a broadcast, on both targets.
  for (const CPUTarget &target : {avx2, avx512})
    for (int64_t width : {7, 14, 17, 28, 29, 35, 56, 57, 112})
      for (int64_t channels : {3, 16, 64, 96, 128, 256})
        for (int64_t taps : {1, 2, 3}) {
          row = chooseConvRowTiling(width, channels, taps, perChannel, 8, 32,
                                    target);
          int64_t lanes = target.lanes(32);
          int64_t vectors = (row.block.lanes + lanes - 1) / lanes;
          EXPECT_EQ(channels % row.block.lanes, 0);
          EXPECT_LE(row.block.rows, 8);
          EXPECT_LE(row.block.rows * vectors,
                    maxAccumulatorRegisters(target));
          // A kernel row of filter vectors (one tap's in a tap loop) and a
          // broadcast fit beside the accumulators, or those take half of
          // the registers at most.
          int64_t stepTaps = row.tapLoop ? 1 : taps;
          EXPECT_TRUE(!row.tapLoop || taps > 1);
          EXPECT_TRUE(row.block.rows * vectors + stepTaps * vectors + 1 <=
                          target.vectorRegisters ||
                      2 * row.block.rows * vectors <= target.vectorRegisters)
              << width << " x " << channels << " taps " << taps;
          if (row.widthSplit)
            EXPECT_EQ(row.widthSplit % row.block.rows, 0);
          else
            EXPECT_EQ(width % row.block.rows, 0);
        }
}

/// The parts that `ranges` ends as: split by getConvTiling, each part split
/// again by its own decision, until no part splits.
std::vector<std::vector<int64_t>> leafParts(const std::vector<int64_t> &ranges,
                                            const CPUTarget &target) {
  std::optional<ConvTiling> t =
      getConvTiling(ConvKind::Conv2DNhwcHwcf, ranges, 32, target);
  if (!t || t->split.empty())
    return {ranges};
  std::vector<std::vector<int64_t>> leaves;
  for (const std::vector<int64_t> &part : splitParts(ranges, t->split)) {
    EXPECT_LT(part[2] * part[3], ranges[2] * ranges[3]) << "parts shrink";
    for (const std::vector<int64_t> &leaf : leafParts(part, target))
      leaves.push_back(leaf);
  }
  return leaves;
}

TEST(ConvTiling, OddSizes) {
  // 57 columns, 67 channels (prime): split into 64 + 3 channels first; the
  // 64-channel part then splits off remainder columns of its own (AVX-512:
  // 54 + 3 columns of 6 x 32 and 3 x 64 blocks; AVX2: 56 + 1). Every part
  // ends with dividing tiles and whole vectors, and the accumulators fit;
  // the 3-channel part runs its lanes along the 67 reduction channels
  // (ReductionLanes), in blocks of columns of its own.
  for (const CPUTarget &target : {avx2, avx512}) {
    std::vector<int64_t> ranges = {8, 57, 57, 67, 3, 3, 67};
    std::optional<ConvTiling> t =
        getConvTiling(ConvKind::Conv2DNhwcHwcf, ranges, 32, target);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->split, (std::vector<int64_t>{0, 0, 0, 64, 0, 0, 0}));
    EXPECT_TRUE(t->inner.empty());
    int64_t columns = 0;
    for (const std::vector<int64_t> &part : leafParts(ranges, target)) {
      std::optional<ConvTiling> p =
          getConvTiling(ConvKind::Conv2DNhwcHwcf, part, 32, target);
      ASSERT_TRUE(p.has_value());
      EXPECT_TRUE(p->split.empty());
      if (part[3] == 3) {
        EXPECT_GT(p->reductionLaneColumns, 0) << "lanes along 67 channels";
        EXPECT_TRUE(p->inner.empty());
        columns += part[2] * part[3];
        continue;
      }
      int64_t f = outputChannelTile(*p);
      EXPECT_EQ(part[2] % p->inner[2], 0);
      EXPECT_EQ(part[3] % f, 0);
      EXPECT_LE(accumulators(*p, p->inner[2], f, target),
                maxAccumulatorRegisters(target));
      if (part[3] == 64)
        EXPECT_EQ(f % target.lanes(32), 0) << "whole vectors";
      columns += part[2] * part[3];
    }
    EXPECT_EQ(columns, 57 * 67) << "the parts cover the output";
  }
  std::optional<ConvTiling> wide = getConvTiling(
      ConvKind::Conv2DNhwcHwcf, {8, 57, 57, 64, 3, 3, 67}, 32, avx512);
  ASSERT_TRUE(wide.has_value());
  EXPECT_EQ(wide->split, (std::vector<int64_t>{0, 0, 54, 0, 0, 0, 0}));
  EXPECT_EQ(convBlock(54, 64, 67, avx512), (Block{6, 32}));
  EXPECT_EQ(convBlock(56, 64, 67, avx512), (Block{4, 64}));
  // 35 columns x 96 channels: 7 x 32, never 48 lanes (3 registers, which
  // LLVM widens to 4 and scalarizes in the loop).
  EXPECT_EQ(convBlock(35, 96, 96, avx512), (Block{7, 32}));
  // AVX2: 32 + 3 columns of 96 channels, every block within 12 registers.
  for (const std::vector<int64_t> &part :
       leafParts({8, 35, 35, 96, 3, 3, 96}, avx2)) {
    std::optional<ConvTiling> p =
        getConvTiling(ConvKind::Conv2DNhwcHwcf, part, 32, avx2);
    ASSERT_TRUE(p && p->split.empty());
    EXPECT_LE(accumulators(*p, p->inner[2], outputChannelTile(*p), avx2), 12);
  }
  std::optional<ConvTiling> t;
  // 3-D and depthwise convolutions split the same dims.
  t = getConvTiling(ConvKind::Conv3DNdhwcDhwcf, {2, 5, 57, 57, 67, 3, 3, 3, 8},
                    32, avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->split, (std::vector<int64_t>{0, 0, 0, 0, 64, 0, 0, 0, 0}));
  t = getConvTiling(ConvKind::DepthwiseConv2DNhwcHwc, {8, 57, 57, 67, 3, 3},
                    32, avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->split, (std::vector<int64_t>{0, 0, 0, 64, 0, 0}));
  // Zero-trip and dynamic ranges: nothing to tile.
  EXPECT_FALSE(getConvTiling(ConvKind::Conv2DNhwcHwcf,
                             {8, 0, 4, 4, 3, 3, 4}, 32, avx512));
  EXPECT_FALSE(getConvTiling(ConvKind::Conv2DNhwcHwcf,
                             {-1, 4, 4, 4, 3, 3, 4}, 32, avx512));
}

TEST(ConvTiling, FilterCacheBlocks) {
  // 3x3 x 512 x 512 f32 (9.4 MB) exceeds L2: blocked by input channels, the
  // block an eighth of L2 at most.
  std::optional<ConvTiling> t = getConvTiling(
      ConvKind::Conv2DNhwcHwcf, {8, 7, 7, 512, 3, 3, 512}, 32, avx512);
  ASSERT_TRUE(t.has_value());
  ASSERT_FALSE(t->cacheBlock.empty());
  int64_t f = t->cacheBlock[3], c = t->cacheBlock[6];
  EXPECT_LE(9 * f * c * 4, avx512.l2Bytes / 8);
  // Within three quarters of L1, so that every register block but the
  // first reads it from there.
  EXPECT_LE(9 * f * c * 4, avx512.l1DataBytes * 3 / 4);
  EXPECT_GT(9 * f * 2 * c * 4, avx512.l1DataBytes * 3 / 4);
  // The c_3x3_c256 data gradient's 7 x 32 tiles on a 48 KiB L1: 32
  // channels (36 KiB); 16 on a 32 KiB L1 (18 KiB).
  CPUTarget host = avx512;
  host.l1DataBytes = 48 << 10;
  EXPECT_EQ(cacheBlockReductionChannels(256, 9 * 32 * 4, host), 32);
  host.l1DataBytes = 32 << 10;
  EXPECT_EQ(cacheBlockReductionChannels(256, 9 * 32 * 4, host), 16);
  EXPECT_EQ(cacheBlockReductionChannels(256, 1 << 20, host), 1);
  // The benchmark's 3x3 x 64 x 64 filter (147 KB) fits: no blocks.
  t = getConvTiling(ConvKind::Conv2DNhwcHwcf, {8, 56, 56, 64, 3, 3, 64}, 32,
                    avx512);
  EXPECT_TRUE(t->cacheBlock.empty());
}

// A cache-blocked filter is streamed from L3 once per task: tasks take
// more rows, as long as each thread keeps two tasks.
TEST(ConvTiling, CacheBlockedTaskRows) {
  CPUTarget one = avx512, two = avx512, runtime = avx512;
  two.threads = 2;
  runtime.threads = 0;
  // The c_3x3_c256 data gradient (batch 8): whole images of 14 rows.
  EXPECT_EQ(cacheBlockedTaskRows(8, 14, 8, one), 14);
  EXPECT_EQ(cacheBlockedTaskRows(8, 14, 8, two), 14);
  EXPECT_EQ(cacheBlockedTaskRows(8, 14, 8, runtime), 14);
  // Fewer images: rows for two tasks per thread, never fewer than the
  // default task's (8 at most, the largest divisor of the rows).
  EXPECT_EQ(cacheBlockedTaskRows(1, 14, 8, two), 7);
  EXPECT_EQ(cacheBlockedTaskRows(1, 56, 8, two), 14);
  EXPECT_EQ(cacheBlockedTaskRows(2, 56, 8, runtime), 14);
  two.l2Bytes = 2 << 20;
  std::optional<ConvTiling> t =
      firstPartTiling({8, 14, 14, 256, 3, 3, 256}, two);
  ASSERT_TRUE(t.has_value());
  ASSERT_FALSE(t->cacheBlock.empty());
  EXPECT_EQ(t->parallel, (std::vector<int64_t>{1, 14}));
  // A filter that fits L2 keeps the default tasks of at most 8 rows.
  t = getConvTiling(ConvKind::Conv2DNhwcHwcf, {8, 56, 56, 64, 3, 3, 64}, 32,
                    two);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->parallel, (std::vector<int64_t>{1, 8}));
}

TEST(ConvTiling, PackedFilterBlocks) {
  // The c_3x3_c256 data gradient: 7 x 32 register tiles (AVX2: 5 x 16 of
  // the first 10 columns) of 256 output channels, filter rows 1 KiB apart;
  // the filter is packed in blocks of the tile's channels, which the cache
  // block tiles.
  for (const CPUTarget &target : {avx2, avx512}) {
    std::optional<ConvTiling> t =
        firstPartTiling({8, 14, 14, 256, 3, 3, 256}, target);
    ASSERT_TRUE(t.has_value());
    ASSERT_FALSE(t->cacheBlock.empty());
    EXPECT_EQ(t->filterBlock, t->cacheBlock[3]);
    EXPECT_EQ(t->filterBlock % target.lanes(32), 0);
    EXPECT_EQ(256 % t->filterBlock, 0);
    EXPECT_EQ(t->inner[3], 0); // the cache block's channels are the tile's
  }
  // One block covers all 64 output channels: read in place, no blocks.
  std::optional<ConvTiling> t = getConvTiling(
      ConvKind::Conv2DNhwcHwcf, {8, 56, 56, 64, 3, 3, 64}, 32, avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->filterBlock, 0);
  EXPECT_TRUE(t->cacheBlock.empty());
  // 67 output channels (prime) get tiles of one lane: no packing.
  t = getConvTiling(ConvKind::Conv2DNhwcHwcf, {8, 57, 57, 67, 3, 3, 67}, 32,
                    avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->filterBlock, 0);
  // The forward form of a filter gradient (wide kernel): never packed.
  t = getConvTiling(ConvKind::Conv2DNhwcHwcf, {64, 3, 3, 256, 14, 14, 8}, 32,
                    avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->filterBlock, 0);
}

// Register blocks start from zero in registers (the fill tiled with them)
// unless a cache block splits the input channels: those blocks' partial
// sums go through the output, which must then be zeroed first.
TEST(ConvTiling, RegisterBlocksStartFromZero) {
  for (const CPUTarget &target : {avx2, avx512}) {
    for (std::vector<int64_t> ranges :
         {std::vector<int64_t>{8, 56, 56, 64, 3, 3, 64},
          std::vector<int64_t>{8, 14, 14, 256, 3, 3, 256},
          std::vector<int64_t>{8, 7, 7, 512, 3, 3, 512},
          std::vector<int64_t>{64, 3, 3, 256, 14, 14, 8}}) {
      std::optional<ConvTiling> t = firstPartTiling(ranges, target);
      ASSERT_TRUE(t.has_value());
      bool channelBlocks = !t->cacheBlock.empty() && t->cacheBlock[6] != 0;
      EXPECT_EQ(t->fillInRegisterTile, !channelBlocks) << ranges[6];
    }
  }
  EXPECT_TRUE(getConvTiling(ConvKind::Conv2DNhwcHwcf,
                            {8, 56, 56, 64, 3, 3, 64}, 32, avx512)
                  ->fillInRegisterTile);
  EXPECT_FALSE(getConvTiling(ConvKind::Conv2DNhwcHwcf,
                             {8, 7, 7, 512, 3, 3, 512}, 32, avx512)
                   ->fillInRegisterTile);
}

TEST(ConvTiling, Depthwise) {
  std::optional<ConvTiling> t = getConvTiling(
      ConvKind::DepthwiseConv2DNhwcHwc, {8, 28, 28, 256, 3, 3}, 32, avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->inner[2], 4);  // columns: the window is in registers too
  EXPECT_EQ(t->inner[3], 64); // four vectors of channels
  t = getConvTiling(ConvKind::DepthwiseConv2DNhwcHwc, {8, 28, 28, 256, 3, 3},
                    32, avx2);
  EXPECT_EQ(t->inner[3], 32);
}

// Few output channels: vectors along the output width instead of the
// channels (the stride phases of the RGB stem's data gradient output 3
// channels, 112 columns). The width block must fill at least twice the lanes
// the channel block fills, with stride 1.
TEST(WidthVectors, Decision) {
  // Stem phases: 3 filters x 112 columns, 7 of AVX-512's vectors per row
  // (21 accumulators + 7 input vectors + 1 broadcast of 32 registers), 2 of
  // AVX2's (6 + 2 + 1 of 16; 3 vectors of 28 columns would spill).
  EXPECT_EQ(getWidthRegisterBlock(3, 112, 32, avx512), (RegisterBlock{3, 112}));
  EXPECT_EQ(getWidthRegisterBlock(3, 112, 32, avx2), (RegisterBlock{3, 16}));
  for (const CPUTarget &target : {avx2, avx512}) {
    EXPECT_TRUE(vectorizeAlongWidth(3, 112, 1, 32, target));
    EXPECT_TRUE(vectorizeAlongWidth(1, 56, 1, 32, target));
    EXPECT_FALSE(vectorizeAlongWidth(3, 112, 2, 32, target)); // strided rows
    EXPECT_FALSE(vectorizeAlongWidth(16, 112, 1, 32, target)); // full lanes
    EXPECT_FALSE(vectorizeAlongWidth(3, 3, 1, 32, target));   // narrow rows
    EXPECT_FALSE(vectorizeAlongWidth(0, 112, 1, 32, target));
  }
  // 8 filters fill half of AVX-512's lanes: only a row of whole vectors is
  // better; all of AVX2's.
  EXPECT_TRUE(vectorizeAlongWidth(8, 64, 1, 32, avx512));
  EXPECT_FALSE(vectorizeAlongWidth(8, 112, 1, 32, avx512)); // 28 of 32 lanes
  EXPECT_FALSE(vectorizeAlongWidth(8, 64, 1, 32, avx2));
  EXPECT_TRUE(vectorizeAlongWidth(4, 64, 1, 32, avx2));
  // Prime widths: one block of 7 AVX-512 vectors holds 97 columns; AVX2's
  // 3 vectors cannot, and its divisors are 1: channels-last stays. 113
  // columns would take 8 AVX-512 vectors per filter (33 registers for 3):
  // blocks of one filter, whose 8 vectors fill 113 of 128 lanes (3 of 16
  // channels-last).
  EXPECT_EQ(getWidthRegisterBlock(3, 97, 32, avx512), (RegisterBlock{3, 97}));
  EXPECT_TRUE(vectorizeAlongWidth(3, 97, 1, 32, avx512));
  EXPECT_FALSE(vectorizeAlongWidth(3, 97, 1, 32, avx2));
  EXPECT_EQ(getWidthRegisterBlock(3, 113, 32, avx512),
            (RegisterBlock{1, 113}));
  EXPECT_TRUE(vectorizeAlongWidth(3, 113, 1, 32, avx512));
  EXPECT_EQ(getWidthRegisterBlock(3, 57, 32, avx512), (RegisterBlock{3, 57}));
  // f64 has half the lanes.
  EXPECT_FALSE(vectorizeAlongWidth(5, 112, 1, 64, avx512));
  EXPECT_TRUE(vectorizeAlongWidth(3, 112, 1, 64, avx512));
}

// A lane remainder of output channels (67 = 64 + 3 on AVX-512, 64 + 3 on
// AVX2) is computed channels-first along the width when its FMAs saved
// exceed its input copy; whole vectors and wide remainders stay.
TEST(WidthVectors, ChannelsFirstRemainder) {
  // od_3x3_c67_57's data gradient: 67 channels at 57 x 57, 3 x 3, N = 8.
  LaneRemainderCandidate od;
  od.filters = 67;
  od.width = 57;
  od.reduction = 67 * 9;
  od.outputPositions = 8 * 57 * 57;
  od.copiedInputElements = 8 * 67 * 59 * 59;
  // On AVX-512 its 3 channels fill 3 of 16 lanes: split. On AVX2 3 of 8,
  // and the saving is less than the copy (measured: 3% slower split).
  EXPECT_EQ(channelsFirstRemainderSplit(od, 32, avx512), 64);
  EXPECT_EQ(channelsFirstRemainderSplit(od, 32, avx2), 0);
  // Whole vectors (64), a remainder that fills half the lanes or more
  // (76 = 64 + 12 on AVX-512), a strided row: no split.
  LaneRemainderCandidate whole = od;
  whole.filters = 64;
  EXPECT_EQ(channelsFirstRemainderSplit(whole, 32, avx512), 0);
  LaneRemainderCandidate wide = od;
  wide.filters = 76;
  EXPECT_EQ(channelsFirstRemainderSplit(wide, 32, avx512), 0);
  LaneRemainderCandidate strided = od;
  strided.stride = 2;
  EXPECT_EQ(channelsFirstRemainderSplit(strided, 32, avx512), 0);
  // A pointwise layer's 67 terms per output save less than copying its
  // padded input costs; unpadded (no copy) it splits.
  LaneRemainderCandidate pointwise = od;
  pointwise.reduction = 3;
  EXPECT_EQ(channelsFirstRemainderSplit(pointwise, 32, avx512), 0);
  pointwise.copiedInputElements = 0;
  EXPECT_EQ(channelsFirstRemainderSplit(pointwise, 32, avx512), 64);
  // Degenerate sizes.
  EXPECT_EQ(channelsFirstRemainderSplit(LaneRemainderCandidate{}, 32, avx512),
            0);
}

// Channels-first data: the width form also saves the layout transposes of
// the input and output, which dominate when the reduction per output is
// short (pointwise layers), but not a 3x3 layer's.
TEST(WidthVectors, SavedTransposes) {
  // The data gradient of MobileNet's 1x1 layer 32 -> 16 channels at 112x112
  // (N=8): 32 filters of 16 terms, 8x16 + 8x32 planes transposed.
  WidthFormCandidate pointwise;
  pointwise.filters = 32;
  pointwise.width = 112;
  pointwise.reduction = 16;
  pointwise.outputElements = 8 * 32 * 112 * 112;
  pointwise.transposedElements = 8 * (16 + 32) * 112 * 112;
  for (const CPUTarget &target : {avx2, avx512}) {
    // Full lanes channels-last: the lane fill alone keeps it.
    EXPECT_FALSE(vectorizeAlongWidth(32, 112, 1, 32, target));
    EXPECT_TRUE(vectorizeAlongWidthOrSaveTransposes(pointwise, 32, target));
    // Channels-last data: nothing to save.
    WidthFormCandidate channelsLast = pointwise;
    channelsLast.transposedElements = 0;
    EXPECT_FALSE(
        vectorizeAlongWidthOrSaveTransposes(channelsLast, 32, target));
    // Strided rows and rows narrower than a vector stay channels-last.
    WidthFormCandidate strided = pointwise;
    strided.stride = 2;
    EXPECT_FALSE(vectorizeAlongWidthOrSaveTransposes(strided, 32, target));
    WidthFormCandidate narrow = pointwise;
    narrow.width = 4;
    EXPECT_FALSE(vectorizeAlongWidthOrSaveTransposes(narrow, 32, target));
    // A 3x3 layer of 64 channels (576 terms, 2 moved elements per output).
    WidthFormCandidate conv3x3;
    conv3x3.filters = 64;
    conv3x3.width = 56;
    conv3x3.reduction = 64 * 9;
    conv3x3.outputElements = 8 * 64 * 56 * 56;
    conv3x3.transposedElements = 2 * conv3x3.outputElements;
    EXPECT_FALSE(vectorizeAlongWidthOrSaveTransposes(conv3x3, 32, target));
    // Degenerate sizes.
    WidthFormCandidate empty = pointwise;
    empty.outputElements = 0;
    EXPECT_FALSE(vectorizeAlongWidthOrSaveTransposes(empty, 32, target));
    EXPECT_FALSE(
        vectorizeAlongWidthOrSaveTransposes(WidthFormCandidate{}, 32, target));
  }
  // Measured on AVX-512 (dgrad, 1 thread): the width form gains up to 59
  // terms per moved element, breaks even at 82, loses beyond; the
  // threshold is 4 x 16 lanes (4 x 8 on AVX2).
  auto candidate = [](int64_t filters, int64_t width, int64_t reduction,
                      int64_t movedChannels) {
    WidthFormCandidate c;
    c.filters = filters;
    c.width = width;
    c.reduction = reduction;
    c.outputElements = filters * width;
    c.transposedElements = movedChannels * width;
    return c;
  };
  // 16 -> 96 channels: 96 terms per output, 7 moved elements (96 + 16 per
  // 16 outputs), 13.7 terms per moved element.
  EXPECT_TRUE(
      vectorizeAlongWidthOrSaveTransposes(candidate(16, 112, 96, 112), 32,
                                          avx512));
  EXPECT_TRUE(vectorizeAlongWidthOrSaveTransposes(
      candidate(16, 112, 96, 112), 32, avx2));
  // 32 filters of 144 terms at 56 columns (5.5 moved per output; the
  // 56-column block fills 56 of 64 lanes): 29.9 (measured 2.9 -> 1.6x
  // oneDNN's time).
  EXPECT_TRUE(vectorizeAlongWidthOrSaveTransposes(
      candidate(32, 56, 144, 144 + 32), 32, avx512));
  // 64 filters of 256 terms: 58.5 (2.0 -> 1.6x).
  EXPECT_TRUE(vectorizeAlongWidthOrSaveTransposes(
      candidate(64, 56, 256, 256 + 64), 32, avx512));
  // 128 filters of 512 terms at 28 columns: 117 (1.40 -> 1.50x).
  EXPECT_FALSE(vectorizeAlongWidthOrSaveTransposes(
      candidate(128, 28, 512, 512 + 128), 32, avx512));
  // A 3x3 layer of 16 channels: 144 terms, 2 moved elements: 82 (even).
  EXPECT_FALSE(vectorizeAlongWidthOrSaveTransposes(
      candidate(16, 56, 144, 32), 32, avx512));
  // AVX2's threshold is half of AVX-512's: 32 filters of 96 terms at 64
  // columns (whole vectors on both), 4 moved per output: 24 per moved
  // element, within 4 x 8; 64 filters of 256 terms (5 moved, 51) only on
  // AVX-512.
  EXPECT_TRUE(vectorizeAlongWidthOrSaveTransposes(
      candidate(32, 64, 96, 96 + 32), 32, avx2));
  EXPECT_TRUE(vectorizeAlongWidthOrSaveTransposes(
      candidate(64, 64, 256, 256 + 64), 32, avx512));
  EXPECT_FALSE(vectorizeAlongWidthOrSaveTransposes(
      candidate(64, 64, 256, 256 + 64), 32, avx2));
}

TEST(WidthVectors, Tiling) {
  // (n, f, oh, ow, c, kh, kw): one output row of the block, one input
  // channel and kernel row per step, kernel columns unrolled.
  std::optional<ConvTiling> t = getConvTiling(
      ConvKind::Conv2DNchwFchw, {8, 3, 112, 112, 64, 4, 4}, 32, avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->parallel, (std::vector<int64_t>{1, 0, 8}));
  EXPECT_EQ(t->inner, (std::vector<int64_t>{0, 3, 1, 112, 1, 1, 0}));
  EXPECT_EQ(t->fill, (std::vector<int64_t>{0, 3, 1, 112}));
  // AVX2: 3 x 16 blocks (6 FMAs per tap) of one image wait on the FMA
  // latency; of two images (12 FMAs per tap) they cover the 112 columns
  // without a remainder part. Each task takes the two images, and 4 rows:
  // a box of 8 (2 x 64 x 11 x 115 floats) exceeds the 512 KiB L2.
  t = getConvTiling(ConvKind::Conv2DNchwFchw, {8, 3, 112, 112, 64, 4, 4}, 32,
                    avx2);
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->split.empty());
  EXPECT_EQ(t->parallel, (std::vector<int64_t>{2, 0, 4}));
  // The stem's 3 x 3 phase (2 x 64 x 10 x 114 floats for 8 rows) alike: the
  // fused phases keep the same tasks.
  t = getConvTiling(ConvKind::Conv2DNchwFchw, {8, 3, 112, 112, 64, 3, 3}, 32,
                    avx2);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->parallel, (std::vector<int64_t>{2, 0, 4}));
  EXPECT_EQ(t->inner, (std::vector<int64_t>{0, 3, 1, 16, 1, 1, 0}));
  // A single image: blocks of 3 x 24 over the first 96 columns, the last
  // 16 a part of their own.
  t = getConvTiling(ConvKind::Conv2DNchwFchw, {1, 3, 112, 112, 64, 4, 4}, 32,
                    avx2);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->split, (std::vector<int64_t>{0, 0, 0, 96, 0, 0, 0}));
  t = getConvTiling(ConvKind::Conv2DNchwFchw, {1, 3, 112, 96, 64, 4, 4}, 32,
                    avx2);
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->split.empty());
  EXPECT_EQ(t->parallel, (std::vector<int64_t>{1, 0, 8}));
  EXPECT_EQ(t->inner, (std::vector<int64_t>{0, 3, 1, 24, 1, 1, 0}));
  // At most three quarters of the registers hold accumulators, and they,
  // the input vectors and a broadcast fit the register file.
  for (const CPUTarget &target : {avx2, avx512})
    for (int64_t f : {1, 2, 3, 5, 8, 16, 32, 96})
      for (int64_t w : {17, 56, 61, 112, 224}) {
        RegisterBlock b = getWidthRegisterBlock(f, w, 32, target);
        int64_t vectors = (b.lanes + target.lanes(32) - 1) / target.lanes(32);
        EXPECT_LE(b.rows * vectors, maxAccumulatorRegisters(target))
            << f << " x " << w;
        EXPECT_LE(b.rows * vectors + vectors + 1, target.vectorRegisters)
            << f << " x " << w;
        EXPECT_EQ(w % b.lanes, 0);
      }
  // The row tiling: the chosen blocks fit the same registers, the split
  // leaves full blocks before it, and it never costs more cycles than the
  // dividing block.
  ConvRowTiling stem = chooseWidthRowTiling(3, 112, 8, 4, 32, avx512);
  EXPECT_EQ(stem.block, (RegisterBlock{3, 112}));
  EXPECT_EQ(stem.widthSplit, 0);
  EXPECT_EQ(stem.images, 1);
  stem = chooseWidthRowTiling(3, 112, 1, 4, 32, avx2);
  EXPECT_EQ(stem.block, (RegisterBlock{3, 24}));
  EXPECT_EQ(stem.widthSplit, 96);
  EXPECT_EQ(stem.images, 1);
  stem = chooseWidthRowTiling(3, 112, 8, 4, 32, avx2);
  EXPECT_EQ(stem.block, (RegisterBlock{3, 16}));
  EXPECT_EQ(stem.widthSplit, 0);
  EXPECT_EQ(stem.images, 2);
  // The odd phase widths of a batch of 3 (59, 58 columns): blocks of 3
  // images would leave a part of other tasks; one image, 2 x 24 and a part.
  stem = chooseWidthRowTiling(3, 58, 3, 4, 32, avx2);
  EXPECT_EQ(stem.images, 1);
  EXPECT_EQ(stem.widthSplit, 48);
  EXPECT_EQ(widthBlockStepCycles(3, 2, 1, 4, avx2), 16.0); // FMA latency
  EXPECT_EQ(widthBlockStepCycles(3, 3, 1, 4, avx2), 18.0); // FMA units
  EXPECT_EQ(widthBlockStepCycles(3, 2, 2, 4, avx2), 24.0); // FMA units
  for (const CPUTarget &target : {avx2, avx512})
    for (int64_t f : {1, 2, 3, 5, 8, 16})
      for (int64_t w : {8, 17, 56, 61, 112, 224})
        for (int64_t batch : {1, 2, 8, 15})
          for (int64_t taps : {1, 3, 4, 7}) {
            ConvRowTiling row =
                chooseWidthRowTiling(f, w, batch, taps, 32, target);
            int64_t vectors =
                (row.block.lanes + target.lanes(32) - 1) / target.lanes(32);
            int64_t accumulators = row.block.rows * vectors * row.images;
            EXPECT_EQ(f % row.block.rows, 0);
            EXPECT_EQ(batch % row.images, 0);
            EXPECT_LE(accumulators, maxAccumulatorRegisters(target));
            if (row.images == 1)
              EXPECT_LE(accumulators + vectors + 1, target.vectorRegisters);
            else
              EXPECT_LE(accumulators + row.block.rows + 1,
                        target.vectorRegisters);
            if (row.images > 1)
              EXPECT_EQ(row.widthSplit, 0);
            if (row.widthSplit != 0) {
              EXPECT_GT(row.widthSplit, 0);
              EXPECT_LT(row.widthSplit, w);
              EXPECT_EQ(row.widthSplit % row.block.lanes, 0);
            } else {
              EXPECT_EQ(w % row.block.lanes, 0);
            }
          }
  // Many filters (pointwise layers): not all in one block of one vector
  // (16 filters x 16 columns: 17 loads for 16 FMAs) but a block with more
  // FMAs per load: 4 filters x 56 columns (8 loads, 16 FMAs) on AVX-512,
  // 4 x 16 (6 loads, 8 FMAs) on AVX2.
  EXPECT_EQ(getWidthRegisterBlock(16, 112, 32, avx512), (RegisterBlock{4, 56}));
  EXPECT_EQ(getWidthRegisterBlock(16, 112, 32, avx2), (RegisterBlock{4, 16}));
  // 1-D: (n, f, ow, c, kw), tasks of whole blocks of columns.
  t = getConvTiling(ConvKind::Conv1DNcwFcw, {2, 4, 61, 16, 3}, 32, avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->parallel, (std::vector<int64_t>{1, 0, 61}));
  EXPECT_EQ(t->inner, (std::vector<int64_t>{0, 4, 61, 1, 0}));
  EXPECT_FALSE(getConvTiling(ConvKind::Conv2DNchwFchw, {8, 3, -1, 112, 64, 4, 4},
                             32, avx512)
                   .has_value());
}

// A 3-D convolution is tiled as the 2-D one of one output depth and one
// kernel depth: od and kd tiles are 1 in the task and the register tiles
// (each tile is then a 2-D convolution), the rest is the 2-D decision.
// Sibling task loops (stride phases) fuse once their shared input leaves
// the L2: the RGB stem's 27 MB output gradient, not a 1 MB one.
TEST(FuseSiblingTasks, Decision) {
  for (const CPUTarget &target : {avx2, avx512}) {
    EXPECT_TRUE(fusesSiblingTasks(8 * 64 * 115 * 115 * 4, target));
    EXPECT_FALSE(fusesSiblingTasks(target.l2Bytes / 2, target));
    EXPECT_FALSE(fusesSiblingTasks(0, target));
  }
}

// The fused stride phases of the RGB stem's data gradient pad their own
// boxes of its 27 MB output gradient (56 tasks of 2 images x 64 channels x
// 11 rows x 115 columns: 1.34 times the padded tensor), not of a padded
// tensor within twice the L2, nor when the tasks' boxes add up to more than
// half again the padded tensor (tasks that split a dimension the input
// lacks). A single convolution's tasks pad their boxes once the padded
// tensor exceeds the L2: the 256-channel 3x3 layer at 14 x 14, 8 x 16 x 16 x
// 256 floats in 8 image tasks.
TEST(PadsSharedInputInTasks, Decision) {
  int64_t padded = 8 * 64 * 115 * 115 * 4, box = 2 * 64 * 11 * 115 * 4;
  for (const CPUTarget &target : {avx2, avx512}) {
    for (bool fused : {true, false}) {
      EXPECT_TRUE(padsSharedInputInTasks(padded, box, 56, target, fused));
      EXPECT_FALSE(
          padsSharedInputInTasks(target.l2Bytes / 2, 1024, 56, target, fused));
      EXPECT_FALSE(padsSharedInputInTasks(padded, box, 2 * 56, target, fused));
      EXPECT_FALSE(padsSharedInputInTasks(padded, 0, 56, target, fused));
    }
    // p2_3x3_s2_c256_16's padded 8 x 9 x 9 x 256 floats: 1.3x znver3's L2.
    EXPECT_FALSE(padsSharedInputInTasks(2 * target.l2Bytes,
                                        2 * target.l2Bytes / 8, 8, target,
                                        /*fusedSiblings=*/true));
    EXPECT_TRUE(padsSharedInputInTasks(2 * target.l2Bytes,
                                       2 * target.l2Bytes / 8, 8, target,
                                       /*fusedSiblings=*/false));
    EXPECT_FALSE(padsSharedInputInTasks(target.l2Bytes, target.l2Bytes / 8, 8,
                                        target, /*fusedSiblings=*/false));
  }
  int64_t paddedC = 8 * 16 * 16 * 256 * 4;
  EXPECT_TRUE(padsSharedInputInTasks(paddedC, paddedC / 8, 8, avx512, false));
  // The AVX2 stem's tasks of 4 rows: 112 boxes of 7 rows, 1.70 times the
  // padded tensor.
  int64_t box4 = 2 * 64 * 7 * 115 * 4;
  EXPECT_TRUE(padsSharedInputInTasks(padded, box4, 112, avx2, true));
}

// Rows per task of a width-vectorized convolution: the largest divisor of
// the rows up to the limit, halved until its box fits the L2 while the halo
// rows stay within three quarters of the task's rows.
TEST(WidthVectors, TaskRows) {
  // 24 phase rows of the stem's width (the numerics' case): 6 rows of the
  // 3 x 3 phase would fit (467 KB), but the 4 x 4 phase needs 4: both
  // halve to 4 and stay one loop.
  EXPECT_EQ(chooseWidthTaskRows(24, 8, 2, 64, 4, 115, 32, avx2), 4);
  EXPECT_EQ(chooseWidthTaskRows(24, 8, 2, 64, 3, 114, 32, avx2), 4);
  // The stem's 4 x 4 phase: 8 rows (647 KB) fit AVX-512's 1 MiB, not
  // znver3's 512 KiB, where 7 rows (589 KB) do not either: 4 (412 KB).
  EXPECT_EQ(chooseWidthTaskRows(112, 8, 2, 64, 4, 115, 32, avx512), 8);
  EXPECT_EQ(chooseWidthTaskRows(112, 8, 2, 64, 4, 115, 32, avx2), 4);
  EXPECT_EQ(chooseWidthTaskRows(112, 8, 2, 64, 3, 114, 32, avx2), 4);
  // A box that fits keeps the largest divisor up to the limit.
  EXPECT_EQ(chooseWidthTaskRows(112, 8, 2, 16, 4, 115, 32, avx2), 8);
  EXPECT_EQ(chooseWidthTaskRows(56, 8, 1, 64, 3, 58, 32, avx2), 8);
  EXPECT_EQ(chooseWidthTaskRows(28, 8, 1, 64, 3, 30, 32, avx2), 7);
  // No divisor with few enough halo rows fits: the largest up to the limit
  // (7 x 7 kernel: 2 rows would copy 8 rows for every 2).
  EXPECT_EQ(chooseWidthTaskRows(112, 8, 2, 64, 7, 118, 32, avx2), 8);
  EXPECT_EQ(chooseWidthTaskRows(112, 8, 8, 256, 4, 115, 32, avx2), 8);
}

// A task of the stem's fused phases prefetches the 2 images x 64 channels x
// 11 rows x 112 columns of the output gradient the next task copies into
// its box (630 KiB, beyond znver3's L2) into L1 during its FMAs; nothing
// for an empty box or one beyond half the L3.
TEST(PadsSharedInputInTasks, NextBoxPrefetchLocality) {
  int64_t boxSource = 2 * 64 * 11 * 112 * 4;
  for (const CPUTarget &target : {avx2, avx512}) {
    EXPECT_EQ(getNextTaskBoxPrefetchLocality(boxSource, target), 3);
    EXPECT_EQ(getNextTaskBoxPrefetchLocality(1024, target), 3);
    EXPECT_EQ(getNextTaskBoxPrefetchLocality(target.l3Bytes / 2, target), 3);
    EXPECT_EQ(getNextTaskBoxPrefetchLocality(target.l3Bytes / 2 + 64, target),
              -1);
    EXPECT_EQ(getNextTaskBoxPrefetchLocality(0, target), -1);
    // Four lines per computed address (the stem's runs: 78 lines), one for
    // runs shorter than that.
    EXPECT_EQ(getNextTaskBoxPrefetchLinesPerAddress(78, target), 4);
    EXPECT_EQ(getNextTaskBoxPrefetchLinesPerAddress(4, target), 4);
    EXPECT_EQ(getNextTaskBoxPrefetchLinesPerAddress(3, target), 1);
    EXPECT_EQ(getNextTaskBoxPrefetchLinesPerAddress(1, target), 1);
  }
}

// A reduction loop prefetches rows a page or more apart from a buffer
// beyond the L2 (the stem's 64 planes of 115 x 115 floats), about a
// thousand cycles ahead: 16 iterations of the 3x3 phase's 81 FMAs, 15 of
// the 4x4 phase's 144 on AVX2; nothing for rows within a page (a GEMM's
// short rows, the channels of a channels-last pixel), an L2-resident
// buffer, fewer than 6 FMAs per prefetched line, or iterations so short
// that 16 of them cover less than half a memory access (a pointwise width
// form's 12 FMAs). The 3x3 phase of the stem's 2 images x 3 x 16 blocks on
// AVX2: 108 FMAs per channel, 18 prefetched lines, 16 iterations ahead.
TEST(StridedReductionPrefetch, Distance) {
  int64_t plane = 115 * 115 * 4, buffer = 8 * 64 * plane;
  EXPECT_EQ(stridedReductionPrefetchDistance(plane, buffer, 81, 9, avx2), 16);
  EXPECT_EQ(stridedReductionPrefetchDistance(plane, buffer, 144, 12, avx2),
            15);
  EXPECT_EQ(stridedReductionPrefetchDistance(plane, buffer, 4096, 0, avx2), 1);
  EXPECT_EQ(stridedReductionPrefetchDistance(plane, buffer, 108, 18, avx2),
            16);
  EXPECT_EQ(stridedReductionPrefetchDistance(plane, buffer, 108, 19, avx2), 0);
  for (const CPUTarget &target : {avx2, avx512}) {
    EXPECT_EQ(stridedReductionPrefetchDistance(2048, buffer, 144, 12, target),
              0);
    EXPECT_EQ(stridedReductionPrefetchDistance(plane, target.l2Bytes, 144, 12,
                                               target),
              0);
    EXPECT_EQ(stridedReductionPrefetchDistance(plane, buffer, 0, 0, target), 0);
    // Pointwise width forms: 12 FMAs per 3 or 2 lines, 6 cycles per
    // iteration.
    EXPECT_EQ(stridedReductionPrefetchDistance(plane, buffer, 12, 3, target),
              0);
    EXPECT_EQ(stridedReductionPrefetchDistance(plane, buffer, 12, 2, target),
              0);
    EXPECT_EQ(stridedReductionPrefetchDistance(plane, buffer, 12, 0, target),
              0);
  }
}

TEST(ConvTiling, ThreeDimensional) {
  for (const CPUTarget &target : {avx2, avx512}) {
    // (n, od, oh, ow, f, kd, kh, kw, c), cache-blocked (512 x 512 x 3x3x3).
    for (std::vector<int64_t> ranges :
         {std::vector<int64_t>{2, 8, 28, 28, 64, 3, 3, 3, 64},
          std::vector<int64_t>{1, 5, 7, 7, 512, 3, 3, 3, 512},
          std::vector<int64_t>{1, 3, 57, 57, 67, 1, 3, 3, 67}}) {
      std::optional<ConvTiling> t3 =
          getConvTiling(ConvKind::Conv3DNdhwcDhwcf, ranges, 32, target);
      std::optional<ConvTiling> t2 = getConvTiling(
          ConvKind::Conv2DNhwcHwcf,
          {ranges[0], ranges[2], ranges[3], ranges[4], ranges[5] * ranges[6],
           ranges[7], ranges[8]},
          32, target);
      ASSERT_TRUE(t3 && t2);
      if (!t2->split.empty()) {
        // 57 columns, 67 channels: the 2-D split with unit depths.
        std::vector<int64_t> split = t2->split;
        split.insert(split.begin() + 4, 0); // kd
        split.insert(split.begin() + 1, 0); // od
        EXPECT_EQ(t3->split, split);
        EXPECT_TRUE(t3->inner.empty());
        continue;
      }
      std::vector<int64_t> inner = t2->inner;
      inner.insert(inner.begin() + 4, 1); // kd
      inner.insert(inner.begin() + 1, 1); // od
      EXPECT_EQ(t3->inner, inner);
      std::vector<int64_t> parallel = t2->parallel;
      parallel.insert(parallel.begin() + 1, 1);
      EXPECT_EQ(t3->parallel, parallel);
      EXPECT_EQ(t3->fill.size(), 5u); // (n, od, oh, ow, f)
      EXPECT_EQ(t3->fill[1], 1);
      EXPECT_EQ(t3->cacheBlock.empty(), t2->cacheBlock.empty());
      // Orders are permutations of the 9 dims, od just outside oh, kd just
      // outside kh.
      for (const std::vector<int64_t> *order :
           {&t3->innerOrder, &t3->cacheOrder}) {
        if (order->empty())
          continue;
        std::vector<int64_t> sorted = *order;
        std::sort(sorted.begin(), sorted.end());
        EXPECT_EQ(sorted, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
        auto at = [&](int64_t dim) {
          return std::find(order->begin(), order->end(), dim) - order->begin();
        };
        EXPECT_EQ(at(1) + 1, at(2));
        EXPECT_EQ(at(5) + 1, at(6));
      }
    }
    // Depthwise (n, od, oh, ow, kd, kh, kw, c): upstream's order, c last.
    std::optional<ConvTiling> t = getConvTiling(
        ConvKind::DepthwiseConv3DNdhwcDhwc, {2, 4, 28, 28, 3, 3, 3, 256}, 32,
        target);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->inner, (std::vector<int64_t>{0, 1, 1, 4, 1, 1, 0,
                                              4 * target.lanes(32)}));
    EXPECT_EQ(t->parallel, (std::vector<int64_t>{1, 1, 7})); // rows of 28
    EXPECT_EQ(t->fill, (std::vector<int64_t>{0, 1, 1, 4, 4 * target.lanes(32)}));
  }
  // The filter a task reuses is the whole 3-D filter: 3x3x3 x 128 x 128 f32
  // (1.8 MB) exceeds AVX-512's L2 and is blocked, although one 3x3 depth
  // slice (590 KB) would fit.
  std::optional<ConvTiling> t = getConvTiling(
      ConvKind::Conv3DNdhwcDhwcf, {1, 4, 14, 14, 128, 3, 3, 3, 128}, 32, avx512);
  // (Both are blocked by output channels for the packed filter; the input
  // channel block, dim c, is what the size decides.)
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->cacheBlock.size(), 9u);
  EXPECT_NE(t->cacheBlock[8], 0);
  std::optional<ConvTiling> t2 = getConvTiling(
      ConvKind::Conv2DNhwcHwcf, {1, 14, 14, 128, 3, 3, 128}, 32, avx512);
  ASSERT_TRUE(t2.has_value());
  EXPECT_TRUE(t2->cacheBlock.empty() || t2->cacheBlock[6] == 0);
  // Wrong rank: nothing to tile.
  EXPECT_FALSE(getConvTiling(ConvKind::Conv3DNdhwcDhwcf, {1, 2, 3, 4, 5, 6, 7},
                             32, avx512));
}

// The wgrad GEMMs of the benchmark rows (lanes along the larger channel
// count; rows of dy per GEMM from a quarter of L2; tasks from threads).
TEST(WgradGemm, BenchmarkRows) {
  CPUTarget two = avx512;
  two.threads = 2;
  // Row a: C = F = 64, 56 x 56 outputs, f32.
  WgradGemmPlan plan = planWgradGemm(64, 64, 9, {56, 56}, 32, 32, two);
  EXPECT_TRUE(plan.lanesAlongC);
  EXPECT_EQ(plan.rowsPerBlock, 14); // 14 x 56 x 64 x 4 B = 200 KB <= 256 KB
  EXPECT_EQ(plan.tasks, 2);
  EXPECT_EQ(plan.split, WgradGemmPlan::TaskSplit::Rows);
  GemmTiling g = getGemmTiling(32, 64, 56, 32, two);
  EXPECT_EQ(g.rowTile, 4);
  EXPECT_EQ(g.laneTile, 64);
  EXPECT_EQ(g.reductionTile, 8);
  // Row f, the stem: C = 3, F = 64: lanes along F, tasks split the lanes.
  plan = planWgradGemm(3, 64, 49, {112, 112}, 32, 32, two);
  EXPECT_FALSE(plan.lanesAlongC);
  EXPECT_EQ(plan.tasks, 2);
  EXPECT_EQ(plan.split, WgradGemmPlan::TaskSplit::Lanes);
  g = getGemmTiling(3, 32, 112, 32, two);
  EXPECT_EQ(g.rowTile, 3);
  EXPECT_EQ(g.laneTile, 32);
  // Row e: C = 256, F = 512 at 1 thread: one task.
  plan = planWgradGemm(256, 512, 1, {28, 28}, 32, 32, avx512);
  EXPECT_FALSE(plan.lanesAlongC);
  EXPECT_EQ(plan.tasks, 1);
}

// Staged slices of channels-first wgrads (planWgradStaging): the benchmark
// rows stage, with blocks whose x and dy slices fit half of L2.
TEST(WgradGemm, StagingBenchmarkRows) {
  for (const CPUTarget &target : {avx2, avx512}) {
    CPUTarget two = target;
    two.threads = 2;
    for (const CPUTarget &t : {target, two}) {
      int64_t budget = t.l2Bytes / 2;
      // Row a: 3x3 pad 1, 56 x 56 (rows of 58 padded positions).
      WgradGemmPlan plan = planWgradGemm(64, 64, 9, {56, 56}, 32, 32, t);
      WgradStagingShape a{/*inputRowPositions=*/58, /*outputRowPositions=*/56,
                          /*firstStride=*/1, /*firstWindow=*/3,
                          /*elementBits=*/32};
      WgradGemmPlan staged = planWgradStaging(plan, 64, 64, 56, a, t);
      EXPECT_TRUE(staged.stageSlices);
      EXPECT_LE(staged.rowsPerBlock, plan.rowsPerBlock);
      EXPECT_EQ(56 % staged.rowsPerBlock, 0);
      // A task stages its channels: C = F = 64 with lanes along C, so a
      // Rows split halves F (dy), a Lanes split C (x).
      bool split = staged.tasks > 1;
      int64_t taskC =
          split && staged.split == WgradGemmPlan::TaskSplit::Lanes ? 32 : 64;
      int64_t taskF =
          split && staged.split == WgradGemmPlan::TaskSplit::Rows ? 32 : 64;
      EXPECT_LE(((staged.rowsPerBlock + 2) * 58 * taskC +
                 staged.rowsPerBlock * 56 * taskF) * 4,
                budget);
      // x is staged by the work items unless a channel split has every
      // task read all of x's channels.
      EXPECT_EQ(staged.stageInput,
                !split || staged.split != WgradGemmPlan::TaskSplit::Rows);
      // Everything else is the plan's.
      EXPECT_EQ(staged.tasks, plan.tasks);
      EXPECT_EQ(staged.split, plan.split);
      EXPECT_EQ(staged.lanesAlongC, plan.lanesAlongC);
      // x is read in place, channels-first, when every task reads all of
      // it as the broadcast operand (lanes along F).
      EXPECT_EQ(staged.readInputInPlace,
                !staged.stageInput && !staged.lanesAlongC);
      // Row e after subsampling: 1x1, 28 x 28, C = 256, F = 512.
      plan = planWgradGemm(256, 512, 1, {28, 28}, 32, 32, t);
      staged = planWgradStaging(plan, 256, 512, 28, {28, 28, 1, 1, 32}, t);
      EXPECT_TRUE(staged.stageSlices);
      EXPECT_EQ(staged.readInputInPlace,
                !staged.stageInput && !staged.lanesAlongC);
      // Row f, the stem: 7x7 stride 2 pad 3, 112 x 112 outputs of 3 -> 64.
      plan = planWgradGemm(3, 64, 49, {112, 112}, 32, 32, t);
      staged = planWgradStaging(plan, 3, 64, 112, {230, 112, 2, 7, 32}, t);
      EXPECT_TRUE(staged.stageSlices);
      // The halo (5 rows) is re-transposed at most once per block's rows.
      EXPECT_GE(staged.rowsPerBlock * 2, 5);
    }
  }
}

// Output rows with no divisor near the rows that fit (29, prime, at stride
// 2: 67 -> 131 channels, 57 x 57 inputs) split into a part of whole blocks
// and a remainder, each planned without a further split; sizes with such a
// divisor (28) keep their blocks.
TEST(WgradGemm, PrimeOutputRowsSplit) {
  WgradStagingShape od{/*inputRowPositions=*/59, /*outputRowPositions=*/29,
                       /*firstStride=*/2, /*firstWindow=*/3,
                       /*elementBits=*/32};
  auto plan = [](int64_t rows, const WgradStagingShape &shape,
                 const CPUTarget &t) {
    WgradGemmPlan gemm = planWgradGemm(67, 131, 9, {rows, 29}, 32, 32, t, 0,
                                       0, /*batch=*/8);
    return planWgradStaging(gemm, 67, 131, rows, shape, t);
  };
  for (const CPUTarget &target : {avx2, avx512}) {
    CPUTarget two = target;
    two.threads = 2;
    for (const CPUTarget &t : {target, two}) {
      WgradGemmPlan whole = plan(29, od, t);
      ASSERT_GT(whole.rowSplit, 1);
      ASSERT_LT(whole.rowSplit, 29);
      WgradGemmPlan blocks = plan(whole.rowSplit, od, t);
      WgradGemmPlan rest = plan(29 - whole.rowSplit, od, t);
      EXPECT_EQ(blocks.rowSplit, 0);
      EXPECT_EQ(rest.rowSplit, 0);
      EXPECT_EQ(whole.rowSplit % blocks.rowsPerBlock, 0);
      EXPECT_GT(blocks.rowsPerBlock, 1);
      EXPECT_EQ(plan(28, od, t).rowSplit, 0);
    }
  }
}

// A staged work-item split whose partial filter gradient and slices overfill
// L2 becomes the channel split whose tasks stage less.
TEST(WgradGemm, StagedWorkItemsFitL2) {
  using Split = WgradGemmPlan::TaskSplit;
  for (CPUTarget two : {avx512, avx2}) {
    two.threads = 2;
    two.l2Bytes = 1024 * 1024;
    // Row e after subsampling (1x1, 28 x 28, C = 256, F = 512, lanes along
    // F): 512 KiB per copy + 4 rows of slices (358 KiB), planned for a 1 MiB
    // L2 and staged for a 768 KiB one, which it overfills. Lanes halve F
    // (dy, the larger slice), so each task stages 240 KiB, against 297 KiB
    // for Rows.
    WgradStagingShape e{/*inputRowPositions=*/28, /*outputRowPositions=*/28,
                        /*firstStride=*/1, /*firstWindow=*/1,
                        /*elementBits=*/32, /*taps=*/1, /*accBits=*/32};
    WgradGemmPlan plan = planWgradGemm(256, 512, 1, {28, 28}, 32, 32, two, 0,
                                       0, /*batch=*/8);
    ASSERT_EQ(plan.split, Split::Positions);
    ASSERT_FALSE(plan.lanesAlongC);
    CPUTarget smallerL2 = two;
    smallerL2.l2Bytes = 768 * 1024;
    WgradGemmPlan staged = planWgradStaging(plan, 256, 512, 28, e, smallerL2);
    EXPECT_TRUE(staged.stageSlices);
    EXPECT_EQ(staged.split, Split::Lanes);
    EXPECT_EQ(staged.tasks, 2);
    EXPECT_EQ(staged.rowsPerBlock, plan.rowsPerBlock);
    // Both tasks read all 256 channels of x, the GEMMs' broadcast operand
    // (lanes along F): they read it where it is, channels-first, instead of
    // a copy transposed before the tasks or by each of them.
    EXPECT_FALSE(staged.stageInput);
    EXPECT_FALSE(staged.lanesAlongC);
    EXPECT_TRUE(staged.readInputInPlace);
    // A 1 MiB L2 holds both (870 KiB): the work items stay split, though
    // the rows being transposed find little L2 left.
    staged = planWgradStaging(plan, 256, 512, 28, e, two);
    EXPECT_EQ(staged.split, Split::Positions);
    // Each task stages its own images of x.
    EXPECT_TRUE(staged.stageInput);
    EXPECT_FALSE(staged.readInputInPlace);
    // Row a (3x3 pad 1, 64 channels, 144 KiB per copy) fits 1 MiB.
    WgradStagingShape a{58, 56, 1, 3, 32, /*taps=*/9, 32};
    plan = planWgradGemm(64, 64, 9, {56, 56}, 32, 32, two, 0, 0, 8);
    ASSERT_EQ(plan.split, Split::Positions);
    EXPECT_EQ(planWgradStaging(plan, 64, 64, 56, a, two).split,
              Split::Positions);
    // The 34 rows of 3x3 96 -> 96 at 35 x 35 (332 KiB per copy, 17-row
    // blocks): beyond 3/4 of a 1 MiB L2 with their slices, they take a split
    // along C, whose tasks stage their own x channels; the split along F of
    // row e needed the whole L2 to be overfilled.
    WgradStagingShape in96{37, 35, 1, 3, 32, /*taps=*/9, 32};
    in96.batch = 8;
    plan = planWgradGemm(96, 96, 9, {34, 35}, 32, 32, two, 0, 0, 8);
    ASSERT_EQ(plan.split, Split::Positions);
    ASSERT_TRUE(plan.lanesAlongC);
    staged = planWgradStaging(plan, 96, 96, 34, in96, two);
    EXPECT_EQ(staged.split, Split::Lanes);
    EXPECT_TRUE(staged.stageInput);
    // 67 channels split no register blocks: work items, whatever the L2.
    CPUTarget smallL2 = two;
    smallL2.l2Bytes = 256 * 1024;
    WgradStagingShape od{59, 57, 1, 3, 32, /*taps=*/9, 32};
    plan = planWgradGemm(67, 67, 9, {57, 57}, 32, 32, smallL2, 0, 0, 8);
    ASSERT_EQ(plan.split, Split::Positions);
    EXPECT_EQ(planWgradStaging(plan, 67, 67, 57, od, smallL2).split,
              Split::Positions);
  }
}

// A channel split along F would have the tasks read x from one transposed
// copy in memory; with more than one tap, evenly split work items stage
// their own x rows instead, while a task's partial filter gradient fits L2.
TEST(WgradGemm, StagedWorkItemsKeepStagedInput) {
  using Split = WgradGemmPlan::TaskSplit;
  for (CPUTarget two : {avx512, avx2}) {
    two.threads = 2;
    two.l2Bytes = 1024 * 1024;
    // Row b: 3x3 pad 1, 28 x 28, C = F = 128 (lanes along C): 590 KiB per
    // copy, within L2, so planWgradGemm splits the work items, and staging
    // keeps them, each staging its own x rows; a plan that splits F (Rows)
    // comes back as work items too.
    WgradStagingShape b{/*inputRowPositions=*/30, /*outputRowPositions=*/28,
                        /*firstStride=*/1, /*firstWindow=*/3,
                        /*elementBits=*/32, /*taps=*/9, /*accBits=*/32};
    b.batch = 8;
    // Row b's plan on `target` splits the work items; staging it, or the
    // same plan with an F split (Rows), stages x and ends in `expected`.
    auto expectStagedSplit = [&](const CPUTarget &target, Split expected) {
      WgradGemmPlan plan = planWgradGemm(128, 128, 9, {28, 28}, 32, 32,
                                         target, 0, 0, /*batch=*/8);
      ASSERT_TRUE(plan.lanesAlongC);
      ASSERT_EQ(plan.split, Split::Positions);
      for (Split planned : {Split::Positions, Split::Rows}) {
        plan.split = planned;
        WgradGemmPlan staged =
            planWgradStaging(plan, 128, 128, 28, b, target);
        EXPECT_TRUE(staged.stageSlices);
        EXPECT_EQ(staged.split, expected);
        EXPECT_TRUE(staged.stageInput);
        EXPECT_EQ(staged.tasks, 2);
      }
    };
    CPUTarget twoMiB = two;
    twoMiB.l2Bytes = 2 * 1024 * 1024;
    expectStagedSplit(twoMiB, Split::Positions);
    // Of 1 MiB, the copy and a work item's slices fill more than 3/4: the
    // tasks split C (Lanes) and stage their own channels of x.
    expectStagedSplit(two, Split::Lanes);
    // A dynamic batch, or 3 images of one block each: no even split.
    b.batch = 0;
    WgradGemmPlan plan =
        planWgradGemm(128, 128, 9, {28, 28}, 32, 32, two, 0, 0, 0);
    ASSERT_EQ(plan.split, Split::Rows);
    WgradGemmPlan staged = planWgradStaging(plan, 128, 128, 28, b, two);
    EXPECT_EQ(staged.split, Split::Rows);
    EXPECT_FALSE(staged.stageInput);
    // The split a layer's plan takes, and the one staging then takes.
    auto splits = [&](int64_t c, int64_t f, int64_t taps, int64_t size,
                      const WgradStagingShape &shape) {
      WgradGemmPlan plan = planWgradGemm(c, f, taps, {size, size}, 32, 32,
                                         two, 0, 0, shape.batch);
      return std::make_pair(
          plan.split, planWgradStaging(plan, c, f, size, shape, two).split);
    };
    WgradStagingShape odd = b;
    odd.batch = 3;
    odd.inputRowPositions = 16;
    odd.outputRowPositions = 14;
    EXPECT_EQ(splits(128, 128, 9, 14, odd),
              std::make_pair(Split::Rows, Split::Rows));
    // Row c: 256 channels at 14 x 14, 2.25 MiB per copy, more than L2.
    WgradStagingShape c{16, 14, 1, 3, 32, /*taps=*/9, 32};
    c.batch = 8;
    auto [cPlanned, cStaged] = splits(256, 256, 9, 14, c);
    EXPECT_NE(cPlanned, Split::Positions);
    EXPECT_NE(cStaged, Split::Positions);
    // One tap (row e, whose work items overfill a 768 KiB L2 with 870 KiB):
    // the channel split stays.
    WgradStagingShape e{28, 28, 1, 1, 32, /*taps=*/1, 32};
    e.batch = 8;
    CPUTarget smallerL2 = two;
    smallerL2.l2Bytes = 768 * 1024;
    WgradGemmPlan ePlan =
        planWgradGemm(256, 512, 1, {28, 28}, 32, 32, two, 0, 0, e.batch);
    EXPECT_EQ(planWgradStaging(ePlan, 256, 512, 28, e, smallerL2).split,
              Split::Lanes);
    // Channels last: nothing is transposed, the split stays.
    WgradStagingShape bLast = b;
    bLast.channelsLast = true;
    bLast.batch = 8;
    auto [lastPlanned, lastStaged] = splits(128, 128, 9, 28, bLast);
    EXPECT_EQ(lastStaged, lastPlanned);
  }
}

// Channels-last filter gradients stage (copy) dy only, and only when its
// positions are a conflicting stride apart in rows too wide for one L1 pass.
TEST(WgradGemm, StagingChannelsLast) {
  for (const CPUTarget &target : {avx2, avx512}) {
    CPUTarget two = target;
    two.threads = 2;
    for (const CPUTarget &t : {target, two}) {
      // Row e in NHWC (1x1 stride 2, 28 x 28, C = 256, F = 512: 2 KiB
      // between dy positions, 56 KiB rows).
      WgradStagingShape e{/*inputRowPositions=*/28, /*outputRowPositions=*/28,
                          /*firstStride=*/2, /*firstWindow=*/1,
                          /*elementBits=*/32, /*taps=*/1, /*accBits=*/32,
                          /*channelsLast=*/true};
      WgradGemmPlan plan =
          planWgradGemm(256, 512, 1, {28, 28}, 32, 32, t, 0, 0, /*batch=*/8);
      ASSERT_FALSE(plan.lanesAlongC);
      WgradGemmPlan staged = planWgradStaging(plan, 256, 512, 28, e, t);
      EXPECT_TRUE(staged.stageSlices);
      EXPECT_FALSE(staged.stageInput);
      // 1 MiB of L2 holds the task's copy of the filter gradient and its dy
      // rows (512 KiB + 224 KiB): the work items stay split.
      EXPECT_EQ(staged.split, plan.split);
      // F = 528: 2112 bytes apart, no conflict; the rows are read in place.
      plan = planWgradGemm(256, 528, 1, {28, 28}, 32, 32, t, 0, 0, 8);
      EXPECT_FALSE(planWgradStaging(plan, 256, 528, 28, e, t).stageSlices);
      // 64 channels, 56 x 56 (14 KiB rows): a pass of one row fits L1.
      WgradStagingShape a{58, 56, 1, 3, 32, 9, 32, /*channelsLast=*/true};
      plan = planWgradGemm(64, 64, 9, {56, 56}, 32, 32, t, 0, 0, 8);
      EXPECT_FALSE(planWgradStaging(plan, 64, 64, 56, a, t).stageSlices);
      // Lanes along C (x is the lane operand): x is read in place.
      plan = planWgradGemm(512, 256, 1, {28, 28}, 32, 32, t, 0, 0, 8);
      ASSERT_TRUE(plan.lanesAlongC);
      EXPECT_FALSE(planWgradStaging(plan, 512, 256, 28, e, t).stageSlices);
    }
  }
}

// A channels-last work item prefetches the next one's dy rows and x
// positions only when its task shares both operands' memory streams with the
// other tasks (a channel split); a channels-first one whenever it stages x.
TEST(WgradGemm, PrefetchNextItem) {
  using Split = WgradGemmPlan::TaskSplit;
  WgradStagingShape e{
      /*inputRowPositions=*/28, /*outputRowPositions=*/28,
      /*firstStride=*/2,        /*firstWindow=*/1,
      /*elementBits=*/32,       /*taps=*/1,
      /*accBits=*/32,
      /*channelsLast=*/true};
  auto staged = [&](const CPUTarget &t, int64_t batch) {
    WgradGemmPlan plan =
        planWgradGemm(256, 512, 1, {28, 28}, 32, 32, t, 0, 0, batch);
    return planWgradStaging(plan, 256, 512, 28, e, t);
  };
  CPUTarget two = avx2;
  two.threads = 2;
  // Row e in NHWC, AVX2 (512 KiB L2) at 2 threads: F splits.
  WgradGemmPlan plan = staged(two, 8);
  ASSERT_TRUE(plan.stageSlices);
  ASSERT_EQ(plan.split, Split::Lanes);
  EXPECT_TRUE(plan.prefetchNextItem);
  // One task: its streams are the hardware prefetchers'.
  plan = staged(avx2, 8);
  ASSERT_TRUE(plan.stageSlices);
  EXPECT_FALSE(plan.prefetchNextItem);
  // AVX-512 (1 MiB L2) at 2 threads: the tasks split the work items, each
  // reading only its own images.
  CPUTarget two512 = avx512;
  two512.threads = 2;
  plan = staged(two512, 8);
  ASSERT_TRUE(plan.stageSlices);
  ASSERT_EQ(plan.split, Split::Positions);
  EXPECT_FALSE(plan.prefetchNextItem);
  // A dynamic batch splits the channels there too.
  plan = staged(two512, 0);
  ASSERT_TRUE(plan.stageSlices);
  ASSERT_NE(plan.split, Split::Positions);
  EXPECT_TRUE(plan.prefetchNextItem);
  // Channels-first: with the work items staging x (one task), and not when
  // x is transposed once before a channel split's tasks.
  WgradStagingShape cf = e;
  cf.channelsLast = false;
  cf.firstStride = 1;
  plan = planWgradGemm(256, 512, 1, {28, 28}, 32, 32, avx2, 0, 0, 8);
  plan = planWgradStaging(plan, 256, 512, 28, cf, avx2);
  ASSERT_TRUE(plan.stageSlices);
  EXPECT_TRUE(plan.stageInput);
  EXPECT_TRUE(plan.prefetchNextItem);
  plan = planWgradGemm(256, 512, 1, {28, 28}, 32, 32, two, 0, 0, 8);
  plan = planWgradStaging(plan, 256, 512, 28, cf, two);
  ASSERT_TRUE(plan.stageSlices);
  EXPECT_FALSE(plan.stageInput);
  EXPECT_FALSE(plan.prefetchNextItem);
}

// When the staged form loses: rows shorter than a transpose tile (1-D ops,
// tiny images), blocks too small for their halo, slices beyond L2.
TEST(WgradGemm, StagingRejects) {
  for (const CPUTarget &t : {avx2, avx512}) {
    int64_t tile = getDataMovementTiling(t).transposeTile;
    WgradGemmPlan plan = planWgradGemm(64, 64, 3, {56}, 32, 32, t);
    // 1-D: a row is one position.
    EXPECT_FALSE(
        planWgradStaging(plan, 64, 64, 56, {1, 1, 1, 3, 32}, t).stageSlices);
    plan = planWgradGemm(64, 64, 9, {tile - 3, tile - 3}, 32, 32, t);
    EXPECT_FALSE(planWgradStaging(plan, 64, 64, tile - 3,
                                  {tile - 1, tile - 3, 1, 3, 32}, t)
                     .stageSlices);
    EXPECT_TRUE(planWgradStaging(plan, 64, 64, tile - 3,
                                 {tile, tile - 3, 1, 3, 32}, t)
                    .stageSlices);
    // One output row per block (a tiny dy budget) and a 3-row window at
    // stride 1: each block would transpose 3 x rows for 1.
    plan = planWgradGemm(64, 64, 9, {56, 56}, 32, 32, t, 0,
                         /*blockBytesOverride=*/56 * 64 * 4);
    EXPECT_EQ(plan.rowsPerBlock, 1);
    EXPECT_FALSE(
        planWgradStaging(plan, 64, 64, 56, {58, 56, 1, 3, 32}, t).stageSlices);
    // A row of x larger than half of L2: no block fits.
    int64_t wide = t.l2Bytes / (2 * 4 * 64) + 1;
    plan = planWgradGemm(64, 64, 1, {4, wide}, 32, 32, t);
    EXPECT_FALSE(planWgradStaging(plan, 64, 64, 4, {wide, wide, 1, 1, 32}, t)
                     .stageSlices);
    // Degenerate shapes: no staging, no crash.
    EXPECT_FALSE(
        planWgradStaging(plan, 64, 64, 0, {wide, wide, 1, 1, 32}, t)
            .stageSlices);
    EXPECT_FALSE(planWgradStaging(plan, 64, 64, 4, {wide, wide, 0, 1, 32}, t)
                     .stageSlices);
  }
}

TEST(WgradGemm, AVX2BlocksFit) {
  for (auto [a, b] : {std::pair<int64_t, int64_t>{64, 64}, {128, 128},
                      {3, 64}, {67, 67}, {96, 160}}) {
    GemmTiling g = getGemmTiling(a, b, 56, 32, avx2);
    EXPECT_EQ((g.rowSplit ? g.rowSplit : a) % g.rowTile, 0);
    EXPECT_EQ((g.laneSplit ? g.laneSplit : b) % g.laneTile, 0);
    EXPECT_LE(g.rowTile * ((g.laneTile + 7) / 8), 12) << a << "x" << b;
  }
  EXPECT_EQ(getGemmTiling(64, 64, 56, 32, avx2).laneTile, 32);
}

// The tiling a GEMM is generated with (allowRowRemainder) may take more
// rows than divide A when the dividing block is AVX2's 2 x 4 (8
// accumulators, fewer than the two FMA units' chains sustain): 6 x 2 (12
// accumulators, 2 lane vectors and a broadcast: 15 registers), its
// remainder rows one block. Not for a reduction of two steps or fewer (14
// positions), nor where the plans ask (no allowRowRemainder), nor for
// AVX-512's 4 x 4 (16 accumulators), nor for a prime count of rows already
// split.
TEST(WgradGemm, AVX2RowRemainderBlocks) {
  GemmTiling g = getGemmTiling(64, 64, 56, 32, avx2, true);
  EXPECT_EQ(g.rowTile, 6);
  EXPECT_EQ(g.laneTile, 16);
  EXPECT_EQ(g.rowSplit, 60);
  EXPECT_EQ(g.laneSplit, 0);
  EXPECT_EQ(g.reductionTile, 8);
  EXPECT_TRUE(fitsGemmRegisters(g.rowTile, g.laneTile / 8, avx2));
  // Rows that 6 divides: no split.
  g = getGemmTiling(96, 64, 56, 32, avx2, true);
  EXPECT_EQ(g.rowTile, 6);
  EXPECT_EQ(g.rowSplit, 0);
  // A task's half of 64 rows, and 512 rows x 256 lanes.
  g = getGemmTiling(32, 64, 28, 32, avx2, true);
  EXPECT_EQ(g.rowTile, 6);
  EXPECT_EQ(g.rowSplit, 30);
  g = getGemmTiling(512, 256, 28, 32, avx2, true);
  EXPECT_EQ(g.rowTile, 6);
  EXPECT_EQ(g.rowSplit, 510);
  // AVX-512 lanes that divide into one-vector blocks only (144 = 9 x 16):
  // 4 x 64 blocks up to lane 128, then one 4 x 16 block; not for 96 lanes
  // (4 x 32 blocks: 8 accumulators, more than half of the 10 chains), nor
  // where the plans ask, nor for a remainder of three vectors (112 = 64 +
  // 48: 48 lanes are no whole register row), nor on AVX2 (4 x 16 of 144).
  g = getGemmTiling(24, 144, 56, 32, avx512, true);
  EXPECT_EQ(g.rowTile, 4);
  EXPECT_EQ(g.laneTile, 64);
  EXPECT_EQ(g.laneSplit, 128);
  EXPECT_EQ(g.rowSplit, 0);
  g = getGemmTiling(16, 96, 112, 32, avx512, true);
  EXPECT_EQ(g.laneTile, 32);
  EXPECT_EQ(g.laneSplit, 0);
  EXPECT_EQ(getGemmTiling(24, 144, 56, 32, avx512).laneSplit, 0);
  EXPECT_EQ(getGemmTiling(24, 112, 56, 32, avx512, true).laneSplit, 0);
  EXPECT_EQ(getGemmTiling(24, 144, 56, 32, avx2, true).laneSplit, 0);
  // Short reductions, the plans' tiling, AVX-512, prime rows: unchanged.
  for (auto [a, b, reduction, target, allow] :
       {std::tuple<int64_t, int64_t, int64_t, CPUTarget, bool>{
            256, 256, 14, avx2, true},
        {64, 64, 56, avx2, false},
        {64, 64, 56, avx512, true},
        {256, 256, 28, avx512, true},
        {67, 67, 57, avx2, true}}) {
    GemmTiling with = getGemmTiling(a, b, reduction, 32, target, allow);
    GemmTiling without = getGemmTiling(a, b, reduction, 32, target);
    EXPECT_EQ(with.rowTile, without.rowTile) << a << "x" << b;
    EXPECT_EQ(with.laneTile, without.laneTile) << a << "x" << b;
    EXPECT_EQ(with.rowSplit, without.rowSplit) << a << "x" << b;
  }
  EXPECT_EQ(getGemmTiling(64, 64, 56, 32, avx2).rowTile, 2);
  // Narrow GEMMs whose shape, not the registers, limits the block.
  g = getGemmTiling(64, 16, 56, 32, avx2, true);
  EXPECT_EQ(g.rowTile * g.laneTile,
            getGemmTiling(64, 16, 56, 32, avx2).rowTile *
                getGemmTiling(64, 16, 56, 32, avx2).laneTile);
  for (int64_t a : {1, 2, 3, 5, 6, 7, 9, 64, 96, 128, 192, 256, 512})
    for (int64_t b : {8, 16, 24, 32, 64, 67, 96, 256}) {
      GemmTiling t = getGemmTiling(a, b, 56, 32, avx2, true);
      EXPECT_TRUE(fitsGemmRegisters(t.rowTile, (t.laneTile + 7) / 8, avx2))
          << a << "x" << b;
      EXPECT_EQ((t.rowSplit ? t.rowSplit : a) % t.rowTile, 0) << a << "x" << b;
      EXPECT_EQ((t.laneSplit ? t.laneSplit : b) % t.laneTile, 0)
          << a << "x" << b;
    }
}

// Register blocks leave room for their operands (fitsGemmRegisters): on
// AVX2 the stem's 3 x 4 block (12 accumulators, 3 broadcasts, a vector)
// spilled, 3 x 2 does not; 96 rows take 2 x 4 instead of 3 x 4. AVX-512
// keeps its blocks.
TEST(WgradGemm, AVX2BlocksLeaveOperandRegisters) {
  EXPECT_FALSE(fitsGemmRegisters(3, 4, avx2));
  EXPECT_TRUE(fitsGemmRegisters(3, 2, avx2));
  EXPECT_TRUE(fitsGemmRegisters(2, 4, avx2));
  EXPECT_TRUE(fitsGemmRegisters(4, 4, avx512));
  GemmTiling g = getGemmTiling(3, 64, 112, 32, avx2);
  EXPECT_EQ(g.rowTile, 3);
  EXPECT_EQ(g.laneTile, 16);
  g = getGemmTiling(96, 64, 56, 32, avx2);
  EXPECT_EQ(g.rowTile * g.laneTile / 8, 8);
  g = getGemmTiling(3, 64, 112, 32, avx512);
  EXPECT_EQ(g.rowTile, 3);
  EXPECT_EQ(g.laneTile, 64);
  for (int64_t a : {1, 2, 3, 5, 6, 7, 9, 96, 192})
    for (int64_t b : {8, 16, 24, 32, 64, 67, 96}) {
      GemmTiling t = getGemmTiling(a, b, 56, 32, avx2);
      EXPECT_TRUE(fitsGemmRegisters(t.rowTile, (t.laneTile + 7) / 8, avx2))
          << a << "x" << b;
    }
}

// Passes of output rows (getGemmPassRows): as many rows as keep the lane
// operand's slices (and a line of the broadcast operand per position) in
// three quarters of L1, a divisor of the block's rows.
TEST(WgradGemm, PassRows) {
  for (const CPUTarget &target : {avx2, avx512}) {
    CPUTarget l1Of48 = target;
    l1Of48.l1DataBytes = 48 * 1024;
    // ResNet's 3x3 layers, lane rows of 14 KiB (14 x 256, 28 x 128 and
    // 56 x 64 f32): 2 rows (29.5 KiB with the broadcast lines) in 36 KiB;
    // a 32 KiB L1 (24 KiB) takes one row at a time.
    for (auto [rows, positions, lanes] :
         {std::tuple<int64_t, int64_t, int64_t>{14, 14, 256},
          {28, 28, 128},
          {8, 56, 64}}) {
      int64_t laneRowBytes = positions * lanes * 4;
      EXPECT_EQ(getGemmPassRows(rows, positions, laneRowBytes, l1Of48), 2);
      EXPECT_EQ(getGemmPassRows(rows, positions, laneRowBytes, target), 1);
    }
    // Always a divisor of the rows: 9 rows of 3.75 KiB fit, 7 divide 7 and
    // 14; none but 1 divides 13.
    EXPECT_EQ(getGemmPassRows(7, 12, 12 * 64 * 4, l1Of48), 7);
    EXPECT_EQ(getGemmPassRows(14, 12, 12 * 64 * 4, l1Of48), 7);
    EXPECT_EQ(getGemmPassRows(13, 14, 14 * 256 * 4, l1Of48), 1);
    // Degenerate inputs: one row per pass.
    EXPECT_EQ(getGemmPassRows(1, 14, 1024, l1Of48), 1);
    EXPECT_EQ(getGemmPassRows(0, 14, 1024, l1Of48), 1);
    EXPECT_EQ(getGemmPassRows(14, 0, 0, l1Of48), 1);
    // A row larger than L1: one row per pass.
    EXPECT_EQ(getGemmPassRows(8, 224, 224 * 64 * 4, l1Of48), 1);
  }
}

// Wide rows of the lane operand (beyond L1 with their broadcast lines):
// lane blocks outside and passes of the rows of one lane block, when the
// positions are a conflict-free stride apart (getWgradGemmPasses).
TEST(WgradGemm, LaneStationaryPasses) {
  for (const CPUTarget &target : {avx2, avx512}) {
    CPUTarget l1Of48 = target;
    l1Of48.l1DataBytes = 48 * 1024;
    int64_t laneTile = getGemmTiling(256, 512, 7, 32, target).laneTile;
    // Row e: 28 x 512 f32 rows of dy (56 KiB), staged 528 f32 apart (33
    // lines): 36 KiB take 4 rows of 28 x (64 lanes + a line) on AVX-512.
    int64_t padded = (512 + getStagedPositionPadding(512, 4)) * 4;
    EXPECT_EQ(padded, 528 * 4);
    GemmPasses passes =
        getWgradGemmPasses(4, 28, 512, laneTile, 4, padded, l1Of48);
    EXPECT_TRUE(passes.laneBlocksOuter);
    EXPECT_LE(passes.rows * 28 * (laneTile * 4 + 64), 36 * 1024);
    if (laneTile == 64)
      EXPECT_EQ(passes.rows, 4);
    // Always a divisor of the block's rows: 7 rows get passes of 1.
    EXPECT_EQ(getWgradGemmPasses(7, 28, 512, laneTile, 4, padded, l1Of48).rows,
              1);
    // Read in place, 2 KiB apart: the column of a lane block falls into
    // few L1 sets; the per-row passes of getGemmPassRows stay.
    passes = getWgradGemmPasses(4, 28, 512, laneTile, 4, 512 * 4, l1Of48);
    EXPECT_FALSE(passes.laneBlocksOuter);
    EXPECT_EQ(passes.rows, getGemmPassRows(4, 28, 28 * 512 * 4, l1Of48));
    // Rows that fit: getGemmPassRows's passes, lane blocks inside.
    passes = getWgradGemmPasses(14, 14, 256, laneTile, 4, 257 * 4, l1Of48);
    EXPECT_FALSE(passes.laneBlocksOuter);
    EXPECT_EQ(passes.rows, 2);
    // One lane block: nothing to keep stationary.
    EXPECT_FALSE(getWgradGemmPasses(4, 224, laneTile, laneTile, 4,
                                    (laneTile + 16) * 4, l1Of48)
                     .laneBlocksOuter);
    // Degenerate inputs: one row per pass, lane blocks inside.
    for (GemmPasses p : {getWgradGemmPasses(0, 28, 512, laneTile, 4, 0, target),
                         getWgradGemmPasses(4, 0, 512, laneTile, 4, 0, target),
                         getWgradGemmPasses(4, 28, 512, 0, 4, 2112, target)}) {
      EXPECT_EQ(p.rows, 1);
      EXPECT_FALSE(p.laneBlocksOuter);
    }
    // Row e's plan: blocks of rows whose passes are longest (4 of 28 rows,
    // where the quarter-L2 budget alone would take 7).
    WgradGemmPlan plan = planWgradGemm(256, 512, 1, {28, 28}, 32, 32, l1Of48,
                                       0, /*blockBytesOverride=*/7 * 28 * 2048);
    EXPECT_EQ(plan.rowsPerBlock, 4);
  }
}

// The stem's GEMMs (3 register rows of 64 lanes) take one output row at a
// time on AVX-512, whose 28 KB of dy stay in L1 for all 49 taps; 4-row
// blocks, AVX2 and single-tap GEMMs take their whole block.
TEST(WgradGemm, RowsPerGemm) {
  CPUTarget l1Of48 = avx512;
  l1Of48.l1DataBytes = 48 * 1024;
  WgradGemmPlan stem = planWgradGemm(3, 64, 49, {112, 112}, 32, 32, l1Of48);
  EXPECT_EQ(stem.rowsPerBlock, 8);
  EXPECT_EQ(stem.rowsPerGemm, 1);
  // Its staged blocks keep their rows; the GEMMs still take one.
  WgradStagingShape shape;
  shape.inputRowPositions = 229;
  shape.outputRowPositions = 112;
  shape.firstStride = 2;
  shape.firstWindow = 7;
  WgradGemmPlan staged = planWgradStaging(stem, 3, 64, 112, shape, l1Of48);
  EXPECT_TRUE(staged.stageSlices);
  EXPECT_EQ(staged.rowsPerGemm, 1);
  EXPECT_EQ(staged.rowsPerBlock % staged.rowsPerGemm, 0);
  // 32 B a cycle of AVX2 vectors for 3 rows, of AVX-512 ones for 4: L2
  // keeps up.
  CPUTarget avx2L1 = avx2;
  avx2L1.l1DataBytes = 48 * 1024;
  WgradGemmPlan stem2 = planWgradGemm(3, 64, 49, {112, 112}, 32, 32, avx2L1);
  EXPECT_EQ(stem2.rowsPerGemm, stem2.rowsPerBlock);
  WgradGemmPlan wide = planWgradGemm(64, 64, 9, {56, 56}, 32, 32, l1Of48);
  EXPECT_EQ(wide.rowsPerGemm, wide.rowsPerBlock);
  EXPECT_EQ(getWgradRowsPerGemm(8, 1, 3, 28672, l1Of48), 8);
  // Half of L1 bounds the slice: 4 rows of 6 KB.
  EXPECT_EQ(getWgradRowsPerGemm(8, 9, 2, 6144, l1Of48), 4);
  EXPECT_EQ(getWgradRowsPerGemm(0, 9, 2, 6144, l1Of48), 1);
  EXPECT_EQ(getWgradRowsPerGemm(8, 9, 0, 6144, l1Of48), 8);
}

// Staging buffers get a line more per position when their positions would
// be an even number of lines apart.
TEST(WgradGemm, StagedPositionPadding) {
  EXPECT_EQ(getStagedPositionPadding(512, 4), 16);
  EXPECT_EQ(getStagedPositionPadding(256, 4), 16);
  EXPECT_EQ(getStagedPositionPadding(256, 2), 32);
  EXPECT_EQ(getStagedPositionPadding(16, 4), 0);  // one line: odd
  EXPECT_EQ(getStagedPositionPadding(48, 4), 0);  // three lines
  EXPECT_EQ(getStagedPositionPadding(67, 4), 0);  // not whole lines
  EXPECT_EQ(getStagedPositionPadding(0, 4), 0);
  EXPECT_EQ(getStagedPositionPadding(512, 0), 0);
  EXPECT_TRUE(isConflictFreeStride(33 * 64));
  EXPECT_FALSE(isConflictFreeStride(32 * 64));
  EXPECT_FALSE(isConflictFreeStride(0));
}

TEST(WgradGemm, PrimeChannelsSplit) {
  // 67 x 67: full blocks of the first 64 rows and lanes, then one block of
  // the remaining 3 (a narrow vector), on both targets.
  for (const CPUTarget &target : {avx2, avx512}) {
    GemmTiling g = getGemmTiling(67, 67, 57, 32, target);
    EXPECT_EQ(g.rowSplit, 64);
    EXPECT_EQ(g.laneSplit, 64);
    EXPECT_EQ(64 % g.rowTile, 0);
    EXPECT_EQ(g.laneTile % target.lanes(32), 0);
    EXPECT_EQ(64 % g.laneTile, 0);
  }
  GemmTiling g = getGemmTiling(67, 67, 57, 32, avx512);
  EXPECT_EQ(g.rowTile, 4);
  EXPECT_EQ(g.laneTile, 64);
  // The 64 x 3 lane remainder: 3 broadcasts x 4 vectors, not 64 x 1 masked.
  EXPECT_EQ(g.swappedRemainderLanes, 64);
  EXPECT_EQ(getGemmTiling(67, 67, 57, 32, avx2).swappedRemainderLanes, 32);
  // 131 lanes: 128 + 3.
  EXPECT_EQ(getGemmTiling(67, 131, 29, 32, avx512).laneSplit, 128);
  // 96: 32-lane blocks divide, never 48 (see chooseRegisterBlock).
  g = getGemmTiling(96, 96, 35, 32, avx512);
  EXPECT_EQ(g.rowSplit, 0);
  EXPECT_EQ(g.laneSplit, 0);
  EXPECT_EQ(g.laneTile, 32);
  // 144 = 9 vectors: 24 lanes (one and a half registers) never, one
  // vector divides (AVX2: two).
  g = getGemmTiling(24, 144, 56, 32, avx512);
  EXPECT_EQ(g.laneTile, 16);
  EXPECT_EQ(getGemmTiling(24, 144, 56, 32, avx2).laneTile, 16);
  EXPECT_EQ(chooseRegisterBlock(24, 144, 4, 64, 16, 24).lanes, 16);
  EXPECT_EQ(chooseRegisterBlock(4, 24, 4, 64, 16, 24).lanes, 12);
  // Power-of-two channels are not split.
  g = getGemmTiling(64, 64, 56, 32, avx512);
  EXPECT_EQ(g.rowSplit, 0);
  EXPECT_EQ(g.laneSplit, 0);
  EXPECT_EQ(g.swappedRemainderLanes, 0);
}

TEST(WgradGemm, SwappedLaneRemainder) {
  for (const CPUTarget &target : {avx2, avx512}) {
    int64_t lanes = target.lanes(32);
    // Up to four whole vectors of rows, dividing them.
    EXPECT_EQ(chooseSwappedLaneRemainderTile(64, 3, 32, target),
              std::min<int64_t>(64, 4 * lanes));
    EXPECT_EQ(chooseSwappedLaneRemainderTile(2 * lanes, 3, 32, target),
              2 * lanes);
    EXPECT_EQ(chooseSwappedLaneRemainderTile(3 * lanes, 1, 32, target),
              lanes);
    // Rows not whole vectors, fewer rows than a vector, a remainder of a
    // whole vector or none: masked as before.
    EXPECT_EQ(chooseSwappedLaneRemainderTile(lanes + 3, 3, 32, target), 0);
    EXPECT_EQ(chooseSwappedLaneRemainderTile(lanes / 2, 3, 32, target), 0);
    EXPECT_EQ(chooseSwappedLaneRemainderTile(64, lanes, 32, target), 0);
    EXPECT_EQ(chooseSwappedLaneRemainderTile(64, 0, 32, target), 0);
    // Broadcast rows x vectors stay within the accumulator registers.
    int64_t rem = lanes - 1;
    int64_t tile = chooseSwappedLaneRemainderTile(4 * lanes, rem, 32, target);
    EXPECT_GT(tile, 0);
    EXPECT_LE(rem * (tile / lanes), maxAccumulatorRegisters(target));
  }
}

// With a static batch whose work items split evenly, small filter
// gradients split the work items even where the channels would split.
TEST(WgradGemm, SmallFiltersSplitWorkItems) {
  for (CPUTarget two : {avx512, avx2}) {
    two.threads = 2;
    two.l2Bytes = 2 * 1024 * 1024;
    auto split = [&](int64_t c, int64_t f, int64_t taps,
                     std::vector<int64_t> sizes, int64_t batch) {
      return planWgradGemm(c, f, taps, sizes, 32, 32, two, 0, 0, batch).split;
    };
    using Split = WgradGemmPlan::TaskSplit;
    // The benchmark rows at N = 8: the stem (37 KB per copy), 3x3 64 ->
    // 128 stride 2 (288 KB), 64 channels (144 KB), 128 channels (576 KB),
    // the 1x1 256 -> 512 (512 KB): work items; 3x3 256 channels (2.25 MB,
    // above half of L2): rows.
    EXPECT_EQ(split(3, 64, 49, {112, 112}, 8), Split::Positions);
    EXPECT_EQ(split(64, 128, 9, {28, 28}, 8), Split::Positions);
    EXPECT_EQ(split(64, 64, 9, {56, 56}, 8), Split::Positions);
    EXPECT_EQ(split(128, 128, 9, {28, 28}, 8), Split::Positions);
    EXPECT_EQ(split(256, 512, 1, {28, 28}, 8), Split::Positions);
    EXPECT_EQ(split(256, 256, 9, {14, 14}, 8), Split::Rows);
    // A dynamic batch, or work items that do not split evenly (3 images of
    // one row block), keep the channel split.
    EXPECT_EQ(split(64, 64, 9, {14, 14}, 0), Split::Rows);
    EXPECT_EQ(split(64, 64, 9, {14, 14}, 3), Split::Rows);
    EXPECT_EQ(split(3, 64, 49, {14, 14}, 3), Split::Lanes);
    EXPECT_EQ(split(64, 64, 9, {14, 14}, 4), Split::Positions);
  }
  // One task: no split to choose.
  EXPECT_EQ(planWgradGemm(64, 64, 9, {56, 56}, 32, 32, avx512, 0, 0, 8).tasks,
            1);
}

// A channel split splits the operand with more elements per image: each
// task reads all of the other one.
TEST(WgradGemm, ChannelSplitTakesTheLargerOperand) {
  CPUTarget two = avx2;
  two.threads = 2;
  using Split = WgradGemmPlan::TaskSplit;
  // The 1x1 stride-2 256 -> 512 layer (512 KB per copy, above half of the
  // AVX2 target's L2): x is read at 28 x 28 of its 56 x 56 positions, dy
  // has twice its channels: F, the lanes, split.
  EXPECT_EQ(planWgradGemm(256, 512, 1, {28, 28}, 32, 32, two, 0, 0, 8,
                          28 * 28)
                .split,
            Split::Lanes);
  // Without the input positions, x counts as many positions as dy.
  EXPECT_EQ(planWgradGemm(256, 512, 1, {28, 28}, 32, 32, two, 0, 0, 8).split,
            Split::Lanes);
  // 3x3 stride 2, 64 -> 128 at 56 x 56 (288 KB per copy): x reads 56 x 56
  // positions of 64 channels, dy 28 x 28 of 128: x, along the rows, would
  // split, but 32 rows per task leave each task a 2-row remainder block
  // (5 x 6 + 2) where the 64 rows have 10 x 6 + 4: the lanes split (see
  // ChannelSplitKeepsBlockCycles). (At N = 8 its copy fits L2 and its
  // work items split instead: a dynamic batch here.)
  EXPECT_EQ(
      planWgradGemm(64, 128, 9, {28, 28}, 32, 32, two, 0, 0, 0, 56 * 56).split,
      Split::Lanes);
  EXPECT_EQ(
      planWgradGemm(64, 128, 9, {28, 28}, 32, 32, two, 0, 0, 8, 56 * 56).split,
      Split::Positions);
  // With 14 positions per row (no remainder block: 4-row blocks), the rows.
  EXPECT_EQ(
      planWgradGemm(64, 128, 9, {14, 14}, 32, 32, two, 0, 0, 0, 28 * 28).split,
      Split::Rows);
  // Equal operands (3x3, 256 channels at 14 x 14) keep the Rows split.
  EXPECT_EQ(planWgradGemm(256, 256, 9, {14, 14}, 32, 32, two, 0, 0, 8,
                          14 * 14)
                .split,
            Split::Rows);
}

// A channel split is taken only when its tasks' register blocks cost no
// more cycles in all than the single GEMM's: a task's share of the rows
// must not add (or grow) a remainder block.
TEST(WgradGemm, ChannelSplitKeepsBlockCycles) {
  CPUTarget two = avx2;
  two.threads = 2;
  using Split = WgradGemmPlan::TaskSplit;
  // The single GEMM's tiling: 64 rows in blocks of 6 and a 4-row remainder
  // block, 2 vectors (28 positions per row allow the wider block).
  GemmTiling whole = getGemmTiling(64, 128, 28, 32, two, true);
  EXPECT_EQ(whole.rowTile, 6);
  EXPECT_EQ(whole.laneTile, 16);
  EXPECT_EQ(whole.rowSplit, 60);
  // Rows would be 2 x (5 x 6 + 2): the lanes keep 64 rows per task. A
  // dynamic batch (no work-item split) keeps that choice.
  EXPECT_EQ(
      planWgradGemm(64, 128, 9, {28, 28}, 32, 32, two, 0, 0, 0, 56 * 56).split,
      Split::Lanes);
  // 96 rows are 16 blocks of 6, 48 per task 8: the rows stay whole.
  EXPECT_EQ(
      planWgradGemm(96, 128, 9, {28, 28}, 32, 32, two, 0, 0, 0, 56 * 56).split,
      Split::Rows);
}

TEST(WgradGemm, TaskSplits) {
  CPUTarget runtime = avx512;
  runtime.threads = 0; // decided at run time: 4 tasks
  WgradGemmPlan plan = planWgradGemm(64, 64, 9, {56, 56}, 32, 32, runtime);
  EXPECT_EQ(plan.tasks, 4);
  // 67 x 67 (and 67 -> 131): neither rows nor lanes split into whole
  // register blocks: the two tasks split the positions, on both targets.
  for (CPUTarget two : {avx512, avx2}) {
    two.threads = 2;
    for (auto [c, f] : {std::pair<int64_t, int64_t>{67, 67}, {67, 131}}) {
      WgradGemmPlan plan = planWgradGemm(c, f, 9, {57, 57}, 32, 32, two);
      EXPECT_EQ(plan.tasks, 2);
      EXPECT_EQ(plan.split, WgradGemmPlan::TaskSplit::Positions);
    }
    // Even channel splits stay channel splits: rows of the 64 x 64 row a
    // (lanes on AVX2, whose 64 rows are 10 blocks of 6 and one of 4, 32
    // rows 5 of 6 and one of 2: see ChannelSplitKeepsBlockCycles) and
    // lanes of the 3 -> 64 stem.
    EXPECT_EQ(planWgradGemm(64, 64, 9, {56, 56}, 32, 32, two).split,
              two.vectorBits == 256 ? WgradGemmPlan::TaskSplit::Lanes
                                    : WgradGemmPlan::TaskSplit::Rows);
    EXPECT_EQ(planWgradGemm(3, 64, 49, {112, 112}, 32, 32, two).split,
              WgradGemmPlan::TaskSplit::Lanes);
  }
  // 4 tasks of 64 x 64 rows split in 16 (4 register blocks of 4) each; 4
  // tasks of 8 x 16 would be 2 rows or 4 lanes each: positions, not fewer
  // tasks that leave threads idle.
  EXPECT_EQ(plan.split, WgradGemmPlan::TaskSplit::Rows);
  plan = planWgradGemm(8, 16, 9, {10, 10}, 32, 32, runtime);
  EXPECT_EQ(plan.tasks, 4);
  EXPECT_EQ(plan.split, WgradGemmPlan::TaskSplit::Positions);
  // Many threads and a large prime filter: the partial filter gradients
  // (3x3 x 1021 x 1021 f32, 37.5 MB each) stay within 32 L2s (64 MB).
  CPUTarget many = avx512;
  many.threads = 64;
  many.l2Bytes = 2 * 1024 * 1024;
  plan = planWgradGemm(1021, 1021, 9, {7, 7}, 32, 32, many);
  EXPECT_EQ(plan.split, WgradGemmPlan::TaskSplit::Positions);
  EXPECT_EQ(plan.tasks, 1);
  plan = planWgradGemm(67, 67, 9, {57, 57}, 32, 32, many);
  EXPECT_EQ(plan.tasks, 64); // 161 KB each
  // One thread: one task, whatever the channels.
  EXPECT_EQ(planWgradGemm(67, 67, 9, {57, 57}, 32, 32, avx512).tasks, 1);
  // Overrides win.
  EXPECT_EQ(planWgradGemm(64, 64, 9, {56, 56}, 32, 32, avx512, 4).tasks, 4);
  EXPECT_EQ(
      planWgradGemm(64, 64, 9, {56, 56}, 32, 32, avx512, 0, 2048).rowsPerBlock,
      1);
}

TEST(DataMovement, VectorSquares) {
  EXPECT_EQ(getDataMovementTiling(avx512).transposeTile, 16);
  EXPECT_EQ(getDataMovementTiling(avx512).innerTile, 64);
  EXPECT_EQ(getDataMovementTiling(avx2).transposeTile, 8);
  EXPECT_EQ(getDataMovementTiling(avx2).innerTile, 32);
}

TEST(DataMovement, AVXNetworkForEightByEightF32Tiles) {
  // AVX2's f32 transpose tile is 8 x 8: the AVX network; AVX-512 keeps its
  // lowering for its 8 x 8 remainder tiles; SSE has no 256-bit vectors.
  EXPECT_TRUE(transposeByAVX8x8Network(8, 8, 32, avx2));
  EXPECT_FALSE(transposeByAVX8x8Network(8, 8, 32, avx512));
  CPUTarget sse = avx2;
  sse.vectorBits = 128;
  EXPECT_FALSE(transposeByAVX8x8Network(8, 8, 32, sse));
  // Other shapes and element types keep their lowerings.
  EXPECT_FALSE(transposeByAVX8x8Network(16, 16, 32, avx512));
  EXPECT_FALSE(transposeByAVX8x8Network(8, 4, 32, avx2));
  EXPECT_FALSE(transposeByAVX8x8Network(8, 8, 16, avx2));
}

TEST(DataMovement, RemainderTiles) {
  // NCHW -> NHWC of 67 channels x 57 x 57 (collapsed to [8, 67, 3249]
  // -> [8, 3249, 67]): 9 of the 3249 positions (a divisor of at least half
  // a vector) x 16 channels, the channels split 64 + 3 (not 1-wide tiles).
  DataMovementTiles t = getDataMovementTiles({8, 3249, 67}, 1, avx512);
  EXPECT_EQ(t.sizes, (std::vector<int64_t>{1, 9, 16}));
  EXPECT_EQ(t.split, (std::vector<int64_t>{0, 0, 64}));
  // 17 x 17 = 289 positions: divisors 1, 17: 288 + 1.
  t = getDataMovementTiles({8, 289, 131}, 1, avx512);
  EXPECT_EQ(t.sizes, (std::vector<int64_t>{1, 16, 16}));
  EXPECT_EQ(t.split, (std::vector<int64_t>{0, 288, 128}));
  // Power-of-two layers keep their tiles: 16 x 16, and 14 of 56 columns.
  t = getDataMovementTiles({8, 3136, 64}, 1, avx512);
  EXPECT_EQ(t.sizes, (std::vector<int64_t>{1, 16, 16}));
  EXPECT_EQ(t.split, (std::vector<int64_t>{0, 0, 0}));
  t = getDataMovementTiles({8, 64, 56, 56}, 1, avx512);
  EXPECT_EQ(t.sizes, (std::vector<int64_t>{1, 16, 1, 14}));
  EXPECT_EQ(t.split, (std::vector<int64_t>{0, 0, 0, 0}));
  t = getDataMovementTiles({8, 67, 96}, 1, avx2);
  EXPECT_EQ(t.sizes, (std::vector<int64_t>{1, 8, 8}));
  EXPECT_EQ(t.split, (std::vector<int64_t>{0, 64, 0}));
  // Row e's staged x ([256, 7, 28] -> [7, 28, 256], every other element
  // of the source rows): whole squares of the deinterleaved rows and a
  // remainder, 28 = 16 + 12, not 14 + 14; AVX2 8 + 8 + 8 + 4, not 7 x 4.
  t = getDataMovementTiles({7, 28, 256}, 1, avx512, /*inputInnerStride=*/2);
  EXPECT_EQ(t.sizes, (std::vector<int64_t>{1, 16, 16}));
  EXPECT_EQ(t.split, (std::vector<int64_t>{0, 16, 0}));
  t = getDataMovementTiles({7, 28, 256}, 1, avx2, /*inputInnerStride=*/2);
  EXPECT_EQ(t.sizes, (std::vector<int64_t>{1, 8, 8}));
  EXPECT_EQ(t.split, (std::vector<int64_t>{0, 24, 0}));
  // A stride read element by element keeps the divisor tiles.
  t = getDataMovementTiles({7, 28, 256}, 1, avx512, /*inputInnerStride=*/16);
  EXPECT_EQ(t.sizes, (std::vector<int64_t>{1, 14, 16}));
  EXPECT_EQ(t.split, (std::vector<int64_t>{0, 0, 0}));
  // Copies: rows of up to 64 elements, 67 = 64 + 3; 57 is one row.
  t = getDataMovementTiles({8, 57, 67}, 2, avx512);
  EXPECT_EQ(t.sizes, (std::vector<int64_t>{1, 1, 64}));
  EXPECT_EQ(t.split, (std::vector<int64_t>{0, 0, 64}));
  t = getDataMovementTiles({8, 67, 57}, 2, avx512);
  EXPECT_EQ(t.sizes, (std::vector<int64_t>{1, 1, 57}));
  EXPECT_EQ(t.split, (std::vector<int64_t>{0, 0, 0}));
}

TEST(DataMovement, TransposeLoopsTiledDimsInnermost) {
  // A channels-last dy [8, 112, 112, 64] into a padded channels-first
  // buffer (output [8, 64, 112, 112], input innermost = dim 1): images and
  // rows outside, then the channel squares and the column squares, so a
  // pass of the inner loops reads one 28 KiB row of dy.
  DataMovementTiles t = getDataMovementTiles({8, 64, 112, 112}, 1, avx2);
  EXPECT_EQ(t.sizes, (std::vector<int64_t>{1, 8, 1, 8}));
  EXPECT_EQ(t.order, (std::vector<int64_t>{0, 2, 1, 3}));
  t = getDataMovementTiles({8, 64, 56, 56}, 1, avx512);
  EXPECT_EQ(t.order, (std::vector<int64_t>{0, 2, 1, 3}));
  // Collapsed [N, C, H*W] -> [N, H*W, C]: already that order.
  t = getDataMovementTiles({8, 3136, 64}, 1, avx512);
  EXPECT_EQ(t.order, (std::vector<int64_t>{0, 1, 2}));
  // Copies keep the dims' order.
  t = getDataMovementTiles({8, 57, 67}, 2, avx512);
  EXPECT_TRUE(t.order.empty());
}

TEST(DataMovement, AlignedPaddedRows) {
  // The stem's dy, 8 x 64 x 115 x 115 padded (1 low, 2 high columns of
  // 112): interior from column 8, rows of 128 on AVX2.
  int64_t bytes = 8 * 64 * 115 * 115 * 4;
  std::optional<PaddedRowLayout> l = alignPaddedRows(1, 112, 2, 32, bytes, avx2);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->low, 8);
  EXPECT_EQ(l->size, 128);
  // AVX-512's 144 for 115 would be a fifth of the row extra.
  EXPECT_FALSE(alignPaddedRows(1, 112, 2, 32, bytes, avx512));
  l = alignPaddedRows(1, 224, 2, 32, 8 * 64 * 227 * 227 * 4, avx512);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->low, 16);
  EXPECT_EQ(l->size, 256);
  // Small buffers, short rows, no width padding, aligned rows: unchanged.
  EXPECT_FALSE(alignPaddedRows(1, 112, 2, 32, avx2.l2Bytes, avx2));
  EXPECT_FALSE(alignPaddedRows(1, 14, 2, 32, bytes, avx2));
  EXPECT_FALSE(alignPaddedRows(0, 112, 0, 32, bytes, avx2));
  EXPECT_FALSE(alignPaddedRows(8, 112, 8, 32, bytes, avx2));
}

TEST(DataMovement, ParallelOnlyWhenWorthIt) {
  CPUTarget two = avx512;
  two.threads = 2;
  CPUTarget runtime = avx512;
  runtime.threads = 0;
  int64_t imageBatch = 8 * 64 * 56 * 56 * 4; // a row-a activation, 6.4 MB
  EXPECT_TRUE(parallelizeDataMovement(imageBatch, two));
  EXPECT_TRUE(parallelizeDataMovement(imageBatch, runtime));
  EXPECT_FALSE(parallelizeDataMovement(imageBatch, avx512)); // one thread
  EXPECT_FALSE(parallelizeDataMovement(9 * 64 * 64 * 4, two)); // a filter
}

TEST(DataMovement, FillFusedIntoTasksWhenItWouldSpill) {
  // Row e's data gradient (8 x 256 x 56 x 56 f32, 25.7 MB): a separate
  // zero fill streams it through memory.
  EXPECT_TRUE(fusesFillIntoTasks(8 * 256 * 56 * 56 * 4, avx512));
  EXPECT_TRUE(fusesFillIntoTasks(8 * 256 * 56 * 56 * 4, avx2));
  // A 256 KiB result stays in the L2: the separate fill costs little.
  EXPECT_FALSE(fusesFillIntoTasks(64 * 32 * 32 * 4, avx512));
}

TEST(DataMovement, FusedFillChunkStaysInL1) {
  // Row e's channels-first planes (56 x 56 f32, 12.5 KiB): one per chunk in
  // a 48 KiB L1 (half: 24 KiB), none whole in a 32 KiB one.
  CPUTarget zen5 = avx512;
  zen5.l1DataBytes = 48 * 1024;
  EXPECT_EQ(getFusedFillChunk(256, 56 * 56 * 4, zen5), 1);
  // 14 x 14 planes (784 B): 16 of 256 in 16 KiB.
  EXPECT_EQ(getFusedFillChunk(256, 14 * 14 * 4, avx2), 16);
  // A divisor of the extent: 67 channels of 1 KiB go one by one.
  EXPECT_EQ(getFusedFillChunk(67, 1024, avx2), 1);
  EXPECT_EQ(getFusedFillChunk(4, 1024, avx2), 4);
}

TEST(DataMovement, ResultTransposeFusedWhenItWouldSpill) {
  // Row a's data gradient (6.4 MB) in tasks of one image and 8 rows
  // ([1, 8, 56, 64] f32, 112 KiB): the separate transpose would stream
  // 12.8 MB through the cache; the tile stays in the L2 (1 MiB for the
  // fixed targets).
  int64_t rowA = 8 * 64 * 56 * 56 * 4;
  int64_t rowATile = 8 * 56 * 64 * 4;
  EXPECT_TRUE(fuseResultTransposeIntoTasks(rowA, rowATile, avx512));
  EXPECT_TRUE(fuseResultTransposeIntoTasks(rowA, rowATile, avx2));
  // Row c (8 x 256 x 14 x 14, 1.6 MB), tiles of 7 rows: read and write of
  // the separate pass exceed a 2 MiB L2 too.
  CPUTarget largeL2 = avx512;
  largeL2.l2Bytes = 2 * 1024 * 1024;
  EXPECT_TRUE(fuseResultTransposeIntoTasks(8 * 256 * 14 * 14 * 4,
                                           7 * 14 * 256 * 4, largeL2));
  // One small image (256 KiB): the separate transpose stays in the L2.
  EXPECT_FALSE(
      fuseResultTransposeIntoTasks(64 * 32 * 32 * 4, 8 * 32 * 64 * 4, avx512));
  // A task's tile of one whole 4 MiB image would leave the L2 before it is
  // transposed.
  int64_t image = 256 * 64 * 64 * 4;
  EXPECT_FALSE(fuseResultTransposeIntoTasks(4 * image, image, avx512));
  EXPECT_FALSE(fuseResultTransposeIntoTasks(4 * image, image, avx2));
  EXPECT_FALSE(fuseResultTransposeIntoTasks(4 * image, 0, avx512));
}

TEST(DataMovement, PaddedBorderOnlyWhenSidesFillCacheLines) {
  // Channels-last dy of row a padded by one pixel: the narrowest side is a
  // pixel's 64 f32 channels (256 bytes).
  EXPECT_TRUE(fillsPaddedBorderOnly(64 * 4));
  EXPECT_TRUE(fillsPaddedBorderOnly(16 * 4));
  // Channels-first padding of the width: one or two elements per row, the
  // RGB stem's 8 x 64 x 112 rows would be 57344 tiny fills each side.
  EXPECT_FALSE(fillsPaddedBorderOnly(4));
  EXPECT_FALSE(fillsPaddedBorderOnly(2 * 4));
  EXPECT_FALSE(fillsPaddedBorderOnly(3 * 2));
  // Nothing padded.
  EXPECT_FALSE(fillsPaddedBorderOnly(0));
}

TEST(DataMovement, PaddedColumnsFilledWithTheRows) {
  // The RGB stem's channels-first dy, 112 columns a row: its padding
  // columns are stored with each row on both targets.
  EXPECT_TRUE(fillsPaddedColumnsWithRows(112, 32, avx2));
  EXPECT_TRUE(fillsPaddedColumnsWithRows(112, 32, avx512));
  // A row of one vector still is; 8 floats are one AVX2 vector but half an
  // AVX-512 one.
  EXPECT_TRUE(fillsPaddedColumnsWithRows(16, 32, avx512));
  EXPECT_TRUE(fillsPaddedColumnsWithRows(8, 32, avx2));
  EXPECT_FALSE(fillsPaddedColumnsWithRows(8, 32, avx512));
  // 16 bf16 elements are one AVX2 vector.
  EXPECT_TRUE(fillsPaddedColumnsWithRows(16, 16, avx2));
  // Rows of a few elements (a 3-wide image) and no rows at all.
  EXPECT_FALSE(fillsPaddedColumnsWithRows(3, 32, avx2));
  EXPECT_FALSE(fillsPaddedColumnsWithRows(0, 32, avx512));
}

TEST(DataMovement, ReversedTransposeTilesKeepReversedDimsWhole) {
  using Sizes = std::vector<int64_t>;
  // A 3x3 kernel's 9 taps fold into the packing transpose, 7x7's 49 not.
  EXPECT_TRUE(foldsReverseIntoTranspose(9));
  EXPECT_TRUE(foldsReverseIntoTranspose(16));
  EXPECT_FALSE(foldsReverseIntoTranspose(49));
  EXPECT_FALSE(foldsReverseIntoTranspose(0));
  // An FCHW filter packed into [F/32, 9, C, 32] from [F, F/32, 32, 9] (the
  // taps merged, read backwards, the input's innermost): 16 x 9 tiles on
  // AVX-512; on AVX2 8 x 9, the taps not split into 8 + 1 as a plain
  // transpose's would be.
  std::optional<DataMovementTiles> t = getReversedTransposeTiles(
      {8, 9, 256, 32}, 1, {false, true, false, false}, avx512);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sizes, (Sizes{1, 0, 1, 16}));
  EXPECT_EQ(t->split, (Sizes{0, 0, 0, 0}));
  t = getReversedTransposeTiles({8, 9, 256, 32}, 1, {false, true, false, false},
                                avx2);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sizes, (Sizes{1, 0, 1, 8}));
  EXPECT_EQ(t->split, (Sizes{0, 0, 0, 0}));
  // 49 taps: not folded (the packing keeps a reverse before it).
  EXPECT_FALSE(getReversedTransposeTiles({2, 49, 64, 32}, 1,
                                         {false, true, false, false}, avx512));
}

TEST(DataMovement, ReverseTilesAsVectorRows) {
  using Sizes = std::vector<int64_t>;
  // The flipped 3x3 filter of a data gradient, FCHW [F, C, 3, 3]: a tile
  // is [1, 1, 3, 3] (three rows of three taps, each reversed in
  // registers), nothing split.
  std::optional<DataMovementTiles> t =
      getReverseTiles({256, 256, 3, 3}, {false, false, true, true}, 32, avx512);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sizes, (Sizes{1, 1, 0, 0}));
  EXPECT_EQ(t->split, (Sizes{0, 0, 0, 0}));
  EXPECT_TRUE(getReverseTiles({256, 256, 3, 3}, {false, false, true, true},
                              32, avx2));
  // FHWC [F, 3, 3, C]: nine rows of 64 channels (32 on AVX2), none
  // reversed in registers.
  t = getReverseTiles({128, 3, 3, 256}, {false, true, true, false}, 32,
                      avx512);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sizes, (Sizes{1, 0, 0, 64}));
  t = getReverseTiles({128, 3, 3, 256}, {false, true, true, false}, 32, avx2);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sizes, (Sizes{1, 0, 0, 32}));
  // 67 channels have no divisor of a vector: one row of 67, not a split
  // (a remainder part cannot be sliced) nor 67 rows of one element.
  t = getReverseTiles({67, 3, 3, 67}, {false, true, true, false}, 16, avx512);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->sizes, (Sizes{1, 0, 0, 67}));
  EXPECT_EQ(t->split, (Sizes{0, 0, 0, 0}));
  // A 7x7 filter's taps are 49 rows; a 9x9 one's 81 stay scalar.
  EXPECT_TRUE(getReverseTiles({64, 7, 7, 64}, {false, true, true, false}, 32,
                              avx2));
  EXPECT_FALSE(getReverseTiles({64, 9, 9, 64}, {false, true, true, false}, 32,
                               avx512));
  // A long reversed row: four vectors at most (64 f32 on AVX-512, 32 on
  // AVX2).
  EXPECT_TRUE(getReverseTiles({4, 64}, {false, true}, 32, avx512));
  EXPECT_FALSE(getReverseTiles({4, 64}, {false, true}, 32, avx2));
  EXPECT_FALSE(getReverseTiles({4, 1000}, {false, true}, 32, avx512));
  EXPECT_FALSE(getReverseTiles({4, 0}, {false, true}, 32, avx512));
}

TEST(DataMovement, StridedRowsMaskedWhenFewerVectors) {
  // Row e channels-first: 14 f32 of a transpose tile every other element
  // span 27 lanes, two AVX-512 (or four AVX2) masked stores, not 14.
  EXPECT_TRUE(storeStridedRowMasked(14, 2, 32, avx512));
  EXPECT_TRUE(storeStridedRowMasked(8, 2, 32, avx2));
  EXPECT_TRUE(storeStridedRowMasked(16, 4, 32, avx512));
  // A stride as wide as a vector: each element in its own vector.
  EXPECT_FALSE(storeStridedRowMasked(16, 16, 32, avx512));
  EXPECT_FALSE(storeStridedRowMasked(8, 8, 32, avx2));
  // Nothing to spread: one element, or contiguous.
  EXPECT_FALSE(storeStridedRowMasked(1, 2, 32, avx512));
  EXPECT_FALSE(storeStridedRowMasked(16, 1, 32, avx512));
  // SSE has no masked store of 32-bit lanes.
  CPUTarget sse = avx2;
  sse.vectorBits = 128;
  EXPECT_FALSE(storeStridedRowMasked(8, 2, 32, sse));
  // AVX2 on Zen 3 to Zen 5: a vmaskmovps store takes 12 cycles, the 8
  // elements of a stride-2 row 8 scalar stores, not 2 x 12 cycles (the stem
  // data gradient's phases on Zen 4: ~10% fewer kernel samples). With
  // AVX-512 the same cores store under a mask register.
  std::string error;
  for (const char *cpu : {"znver3", "znver4", "znver5"}) {
    std::optional<CPUTarget> zen =
        resolveCPUTarget(cpu, "-avx512f", 0, 0, 1, error);
    ASSERT_TRUE(zen.has_value()) << cpu;
    EXPECT_FALSE(storeStridedRowMasked(8, 2, 32, *zen)) << cpu;
    EXPECT_FALSE(storeStridedRowMasked(14, 2, 32, *zen)) << cpu;
  }
  std::optional<CPUTarget> zen4 =
      resolveCPUTarget("znver4", "", 0, 0, 1, error);
  ASSERT_TRUE(zen4.has_value());
  EXPECT_TRUE(storeStridedRowMasked(14, 2, 32, *zen4));
  // An AVX-512 CPU compiled for 256-bit vectors keeps its mask registers.
  zen4->vectorBits = 256;
  EXPECT_TRUE(storeStridedRowMasked(8, 2, 32, *zen4));
  for (const char *cpu : {"skylake", "haswell", "x86-64-v3"}) {
    std::optional<CPUTarget> intel = resolveCPUTarget(cpu, "", 0, 0, 1, error);
    ASSERT_TRUE(intel.has_value()) << cpu;
    EXPECT_TRUE(storeStridedRowMasked(8, 2, 32, *intel)) << cpu;
  }
}

TEST(DataMovement, StridedCopiesInterleavedFromOneVector) {
  // Row f channels-first: the two column phases of a stem data gradient's
  // 112-column rows, interleaved by vectors (AVX2 8, AVX-512 16 lanes).
  EXPECT_TRUE(interleavesStridedCopies(112, 2, 32, avx2));
  EXPECT_TRUE(interleavesStridedCopies(112, 2, 32, avx512));
  // At least one whole vector per phase's row.
  EXPECT_TRUE(interleavesStridedCopies(8, 2, 32, avx2));
  EXPECT_FALSE(interleavesStridedCopies(7, 2, 32, avx2));
  EXPECT_FALSE(interleavesStridedCopies(15, 2, 32, avx512));
  EXPECT_TRUE(interleavesStridedCopies(16, 2, 16, avx2));
  // Only 2-way interleaves; contiguous copies are no phases.
  EXPECT_FALSE(interleavesStridedCopies(112, 3, 32, avx2));
  EXPECT_FALSE(interleavesStridedCopies(112, 4, 32, avx512));
  EXPECT_FALSE(interleavesStridedCopies(112, 1, 32, avx2));
  // SSE: unpcklps/unpckhps of 4 lanes.
  CPUTarget sse = avx2;
  sse.vectorBits = 128;
  EXPECT_TRUE(interleavesStridedCopies(4, 2, 32, sse));
}

TEST(DataMovement, StridedRowsDeinterleavedWhenTwoPerVector) {
  // Row e channels-first: the staged transpose reads tiles of 14 f32 of
  // every other element of the subsampled x, a span of 27 lanes: two
  // AVX-512 loads (the second masked) and a shuffle, not 14 scalar loads;
  // the 7-element tiles of AVX2 span 13 lanes, two loads.
  EXPECT_TRUE(loadStridedRowDeinterleaved(14, 2, 32, avx512));
  EXPECT_TRUE(loadStridedRowDeinterleaved(7, 2, 32, avx2));
  // f16: 27 lanes fit one AVX-512 vector.
  EXPECT_TRUE(loadStridedRowDeinterleaved(14, 2, 16, avx512));
  // Wider strides while each vector still brings two elements.
  EXPECT_TRUE(loadStridedRowDeinterleaved(16, 4, 32, avx512));
  EXPECT_TRUE(loadStridedRowDeinterleaved(16, 8, 32, avx512));
  EXPECT_TRUE(loadStridedRowDeinterleaved(8, 4, 32, avx2));
  // One element per vector: scalar.
  EXPECT_FALSE(loadStridedRowDeinterleaved(16, 16, 32, avx512));
  EXPECT_FALSE(loadStridedRowDeinterleaved(8, 8, 32, avx2));
  // Fewer vectors than elements, but not two elements each: a masked
  // store pays, a deinterleaving load does not.
  EXPECT_TRUE(storeStridedRowMasked(16, 12, 32, avx512));
  EXPECT_FALSE(loadStridedRowDeinterleaved(16, 12, 32, avx512));
  // Nothing to pick out: one element, or contiguous.
  EXPECT_FALSE(loadStridedRowDeinterleaved(1, 2, 32, avx512));
  EXPECT_FALSE(loadStridedRowDeinterleaved(16, 1, 32, avx512));
  // SSE has no masked load for the last vector of the span.
  CPUTarget sse = avx2;
  sse.vectorBits = 128;
  EXPECT_FALSE(loadStridedRowDeinterleaved(8, 2, 32, sse));
}

/// The tiling of a channels-first depthwise kernel with the defaults of
/// row h (3x3, stride 1, one term, a small scratch plane).
std::optional<DepthwisePlaneTiling>
planeTiling(DepthwisePlaneKind kind, std::vector<int64_t> out,
            const CPUTarget &target, int64_t taps = 9, int64_t stride = 1,
            int64_t terms = 1, int64_t scratch = 30 * 34) {
  return getDepthwisePlaneTiling(kind, 256, out, taps, stride, terms, scratch,
                                 32, target);
}

TEST(DepthwisePlanes, ConvolutionBlocksFitTheRegisters) {
  // Row h, 28x28: AVX-512 has 2 vectors of 16 per row (the second
  // partial), so blocks of 7 rows x 2 vectors (14 of 24 accumulators); AVX2
  // 4 vectors of 8 (the last partial), blocks of 2 rows x 4 (8 of 12).
  auto t = planeTiling(DepthwisePlaneKind::Convolution, {28, 28}, avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->lanes, 16);
  EXPECT_EQ(std::make_pair(t->rowBlock, t->vectorBlock), Block(7, 2));
  t = planeTiling(DepthwisePlaneKind::Convolution, {28, 28}, avx2);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->lanes, 8);
  EXPECT_EQ(std::make_pair(t->rowBlock, t->vectorBlock), Block(2, 4));
  // 7x7 (ConvNeXt, 56x56): the unrolled body stays within 512 FMAs.
  t = planeTiling(DepthwisePlaneKind::Convolution, {56, 56}, avx512, 49);
  EXPECT_EQ(std::make_pair(t->rowBlock, t->vectorBlock), Block(2, 4));
  EXPECT_LE(t->rowBlock * t->vectorBlock * 49, 512);
  // Every block divides its dimension and fits the accumulator budget, on
  // both targets, for odd and prime sizes too (MobileNet 112 and 56, 57).
  for (const CPUTarget &target : {avx2, avx512})
    for (std::vector<int64_t> out : std::vector<std::vector<int64_t>>{
             {112, 112}, {56, 56}, {57, 57}, {14, 14}, {7, 7}, {45}, {5, 9, 21}}) {
      auto tiling = planeTiling(DepthwisePlaneKind::Convolution, out, target);
      ASSERT_TRUE(tiling.has_value());
      int64_t rows = out.size() >= 2 ? out[out.size() - 2] : 1;
      int64_t rowVectors = (out.back() + target.lanes(32) - 1) / target.lanes(32);
      EXPECT_EQ(rows % tiling->rowBlock, 0);
      EXPECT_LE(tiling->vectorBlock, rowVectors);
      EXPECT_LE(tiling->rowBlock * tiling->vectorBlock,
                maxAccumulatorRegisters(target));
    }
}

TEST(DepthwisePlanes, FilterGradientTapBlocks) {
  // 3x3: one accumulator per tap on both targets.
  auto t = planeTiling(DepthwisePlaneKind::FilterGradient, {28, 28}, avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->tapBlocks, (std::vector<int64_t>{9}));
  EXPECT_EQ(t->rowBlock, 4); // dy rows per step
  t = planeTiling(DepthwisePlaneKind::FilterGradient, {28, 28}, avx2);
  EXPECT_EQ(t->tapBlocks, (std::vector<int64_t>{9}));
  t = planeTiling(DepthwisePlaneKind::FilterGradient, {57, 57}, avx2);
  EXPECT_EQ(t->rowBlock, 3);
  // 7x7 (ConvNeXt): 49 taps in balanced blocks within 24 / 12 registers.
  t = planeTiling(DepthwisePlaneKind::FilterGradient, {56, 56}, avx512, 49);
  EXPECT_EQ(t->tapBlocks, (std::vector<int64_t>{17, 16, 16}));
  t = planeTiling(DepthwisePlaneKind::FilterGradient, {56, 56}, avx2, 49);
  EXPECT_EQ(t->tapBlocks, (std::vector<int64_t>{10, 10, 10, 10, 9}));
  // Groups of 4 channels (row g): 4 input planes x 9 taps, 36
  // accumulators in 2 / 3 blocks (of whole planes here).
  t = planeTiling(DepthwisePlaneKind::FilterGradient, {28, 28}, avx512, 9, 1,
                  4, 4 * 30 * 34);
  EXPECT_EQ(t->tapBlocks, (std::vector<int64_t>{18, 18}));
  t = planeTiling(DepthwisePlaneKind::FilterGradient, {28, 28}, avx2, 9, 1, 4,
                  4 * 30 * 34);
  EXPECT_EQ(t->tapBlocks, (std::vector<int64_t>{12, 12, 12}));
}

TEST(DepthwisePlanes, FilterGradientNativeVectorWidth) {
  // A core that runs 512-bit operations as two 256-bit halves (Zen 4):
  // plane-by-plane filter gradients use 256-bit vectors (the same FMA peak,
  // half the cost per shuffle and load), convolutions and the channels-last
  // form keep the full width.
  CPUTarget zen4 = CPUTarget::avx512();
  zen4.nativeVectorBits = 256;
  EXPECT_EQ(
      getDepthwisePlaneLanes(DepthwisePlaneKind::FilterGradient, 32, zen4), 8);
  EXPECT_EQ(getDepthwisePlaneLanes(DepthwisePlaneKind::Convolution, 32, zen4),
            16);
  EXPECT_EQ(getDepthwisePlaneLanes(DepthwisePlaneKind::FilterGradient, 32,
                                   CPUTarget::avx512()),
            16);
  auto t = planeTiling(DepthwisePlaneKind::FilterGradient, {28, 28}, zen4);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->lanes, 8);
  auto cl = getDepthwiseChannelsLastTiling(
      DepthwiseChannelsLastKind::FilterGradient, 256, 1, 3, 3, 28, 2, 32, zen4);
  ASSERT_TRUE(cl.has_value());
  EXPECT_EQ(cl->lanes, 16);
}

TEST(DepthwisePlanes, FilterGradientNativeWidthOnlyReadingInPlace) {
  // 3x3, pad 1: 2 edge rows, and 2 edge vectors per row (the first, left
  // of column 0, and the last, past the row's end).
  auto geometry = [](std::vector<int64_t> out) {
    return [out](int64_t lanes) {
      int64_t rowVectors = (out[1] + lanes - 1) / lanes;
      DepthwisePlaneGeometry g;
      g.scratchElements = (out[0] + 2) * (rowVectors * lanes + 2);
      g.edgeRows = 2;
      g.edgeVectors = 2;
      return g;
    };
  };
  auto select = [&](std::vector<int64_t> out, const CPUTarget &target) {
    return selectDepthwisePlaneTiling(DepthwisePlaneKind::FilterGradient, 32,
                                      out, 9, 1, 1, 32, target, 1, true,
                                      geometry(out));
  };
  CPUTarget zen4 = CPUTarget::avx512();
  zen4.nativeVectorBits = 256;
  // Row h (28x28) and 56x56 read in place at 256 bits: native width.
  for (int64_t size : {28, 56}) {
    auto t = select({size, size}, zen4);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->lanes, 8);
    EXPECT_TRUE(t->readsInputRows);
  }
  // mb_dw3x3_c32_112 (112x112): 14 vectors of 8 per row unroll 576 edge
  // FMAs, past the budget (the scratch copy); 7 of 16 read in place.
  auto t = select({112, 112}, zen4);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->lanes, 16);
  EXPECT_TRUE(t->readsInputRows);
  // Where neither width reads in place (every row an edge), the native one.
  auto none = selectDepthwisePlaneTiling(
      DepthwisePlaneKind::FilterGradient, 32, {200, 200}, 9, 1, 1, 32, zen4, 1,
      true, [](int64_t lanes) {
        DepthwisePlaneGeometry g;
        g.scratchElements = 202 * (((200 + lanes - 1) / lanes) * lanes + 2);
        g.edgeRows = 200;
        g.edgeVectors = (200 + lanes - 1) / lanes;
        return g;
      });
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->lanes, 8);
  EXPECT_FALSE(none->readsInputRows);
  // A core without half-width execution, and convolutions: the full width.
  EXPECT_EQ(select({112, 112}, avx512)->lanes, 16);
  EXPECT_EQ(select({28, 28}, avx512)->lanes, 16);
  EXPECT_EQ(selectDepthwisePlaneTiling(DepthwisePlaneKind::Convolution, 32,
                                       {28, 28}, 9, 1, 1, 32, zen4, 1, true,
                                       geometry({28, 28}))
                ->lanes,
            16);
}

TEST(WgradGemm, PaddedLanePitchWholeLines) {
  // Rows of at least two cache lines become whole lines; narrower ones and
  // whole-line ones keep their channels.
  EXPECT_EQ(getPaddedLanePitch(67, 4), 80);
  EXPECT_EQ(getPaddedLanePitch(64, 4), 64);
  EXPECT_EQ(getPaddedLanePitch(33, 4), 48);
  EXPECT_EQ(getPaddedLanePitch(31, 4), 31);
  EXPECT_EQ(getPaddedLanePitch(3, 4), 3);
  EXPECT_EQ(getPaddedLanePitch(67, 2), 96);
  EXPECT_EQ(getPaddedLanePitch(63, 2), 63);
  EXPECT_EQ(getPaddedLanePitch(67, 8), 72);
}

TEST(DepthwisePlanes, GroupedGradientsPlanewiseUpTo4Channels) {
  // Channels-first grouped filter and data gradients of up to 4 channels
  // per group are computed plane by plane; with more, the channels-last
  // kernel between transposes.
  EXPECT_FALSE(isGroupedOpViaChannelsLast(2));
  EXPECT_FALSE(isGroupedOpViaChannelsLast(4));
  EXPECT_TRUE(isGroupedOpViaChannelsLast(8));
  EXPECT_FALSE(planeTiling(DepthwisePlaneKind::FilterGradient, {28, 28},
                           avx512, 9, 1, 8, 8 * 30 * 34)
                   .has_value());
}

TEST(DepthwisePlanes, TasksAndDeclines) {
  CPUTarget two = avx512;
  two.threads = 2;
  EXPECT_EQ(planeTiling(DepthwisePlaneKind::FilterGradient, {28, 28}, two)
                ->tasks,
            2);
  EXPECT_EQ(planeTiling(DepthwisePlaneKind::Convolution, {28, 28}, avx512)
                ->tasks,
            1);
  CPUTarget runtime = avx2;
  runtime.threads = 0;
  EXPECT_EQ(planeTiling(DepthwisePlaneKind::Convolution, {28, 28}, runtime)
                ->tasks,
            4);
  // Innermost stride 4 reads 4 vectors and shuffles; 5 is left to the
  // channels-last path, as are unrolled bodies of more than 64 taps or 4
  // terms and scratch planes beyond half of L2.
  EXPECT_TRUE(planeTiling(DepthwisePlaneKind::Convolution, {14, 14}, avx2, 9, 4));
  EXPECT_FALSE(planeTiling(DepthwisePlaneKind::Convolution, {14, 14}, avx2, 9, 5));
  EXPECT_FALSE(planeTiling(DepthwisePlaneKind::FilterGradient, {14, 14}, avx2, 81));
  EXPECT_FALSE(planeTiling(DepthwisePlaneKind::Convolution, {14, 14}, avx2, 9, 1, 5));
  EXPECT_FALSE(planeTiling(DepthwisePlaneKind::Convolution, {14, 14}, avx512, 9,
                           1, 1, avx512.l2Bytes));
  EXPECT_FALSE(planeTiling(DepthwisePlaneKind::Convolution, {0, 14}, avx512));
  // A strided data gradient as a zero-inserted convolution: up to 4x the
  // FMAs (stride 2 x 2) against two transposes of every activation.
  EXPECT_TRUE(getDepthwisePlaneTiling(DepthwisePlaneKind::Convolution, 96,
                                      {112, 112}, 9, 1, 1, 114 * 114, 32,
                                      avx512, /*zeroInsertion=*/4));
  EXPECT_FALSE(getDepthwisePlaneTiling(DepthwisePlaneKind::Convolution, 96,
                                       {112, 112}, 9, 1, 1, 114 * 114, 32,
                                       avx512, /*zeroInsertion=*/6));
}

TEST(DepthwisePlanes, ScratchRowsAlignedToVectors) {
  // Row h's scratch rows start input column 0 on a vector boundary (16
  // lanes on AVX-512, 8 on AVX2), for both kinds.
  for (DepthwisePlaneKind kind :
       {DepthwisePlaneKind::Convolution, DepthwisePlaneKind::FilterGradient}) {
    EXPECT_EQ(planeTiling(kind, {28, 28}, avx512)->scratchRowAlignment, 16);
    EXPECT_EQ(planeTiling(kind, {28, 28}, avx2)->scratchRowAlignment, 8);
  }
  // A scratch plane near the budget (half of L2) stays packed: 2 vectors
  // of padding per row would exceed it.
  int64_t budget = avx512.l2Bytes / 2 / 4;
  auto t = planeTiling(DepthwisePlaneKind::Convolution, {500, 500}, avx512, 9,
                       1, 1, budget - 100);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->scratchRowAlignment, 1);
}

TEST(DepthwisePlanes, FilterGradientsReadTwoDimensionalInputInPlace) {
  // Row h (28x28, 3x3, pad 1): 2 edge rows and 2 edge vectors (the first,
  // left of column 0, and the partial last): in place on both targets.
  auto wgrad = [](std::vector<int64_t> out, const CPUTarget &target,
                  int64_t taps, int64_t stride, bool masked, int64_t edgeRows,
                  int64_t edgeVectors) {
    return getDepthwisePlaneTiling(DepthwisePlaneKind::FilterGradient, 256, out,
                                   taps, stride, 1, 30 * 34, 32, target, 1,
                                   masked, edgeRows, edgeVectors);
  };
  EXPECT_TRUE(wgrad({28, 28}, avx512, 9, 1, true, 2, 2)->readsInputRows);
  EXPECT_TRUE(wgrad({28, 28}, avx2, 9, 1, true, 2, 2)->readsInputRows);
  // Both shift the edge columns in registers (one two-source shuffle each
  // on AVX-512, vperm2f128 and two vshufps on AVX2) rather than load them
  // at every shifted column.
  EXPECT_TRUE(
      wgrad({28, 28}, avx512, 9, 1, true, 2, 2)->shiftsColumnsInRegisters);
  EXPECT_TRUE(
      wgrad({28, 28}, avx2, 9, 1, true, 2, 2)->shiftsColumnsInRegisters);
  EXPECT_FALSE(
      wgrad({28, 28}, avx512, 9, 1, false, 2, 2)->shiftsColumnsInRegisters);
  // Rows of 28 end in a vector of 4 columns of 8 (AVX2, and Zen 4's native
  // 256 bits): two rows' tails share a vector. Not when the tail is more
  // than half a vector (28 = 16 + 12 at 512 bits, 37 = 4 x 8 + 5), nor when
  // there is none (32), nor without the in-place form.
  CPUTarget zen4 = avx512;
  zen4.nativeVectorBits = 256;
  EXPECT_TRUE(wgrad({28, 28}, zen4, 9, 1, true, 2, 2)->pairsRowTails);
  EXPECT_TRUE(wgrad({28, 28}, avx2, 9, 1, true, 2, 2)->pairsRowTails);
  EXPECT_FALSE(wgrad({28, 28}, avx512, 9, 1, true, 2, 2)->pairsRowTails);
  EXPECT_TRUE(wgrad({12, 4}, avx2, 9, 1, true, 2, 1)->pairsRowTails);
  EXPECT_FALSE(wgrad({28, 37}, avx2, 9, 1, true, 2, 2)->pairsRowTails);
  EXPECT_FALSE(wgrad({28, 32}, avx2, 9, 1, true, 2, 1)->pairsRowTails);
  EXPECT_FALSE(wgrad({28, 28}, avx512, 9, 1, false, 2, 2)->pairsRowTails);
  // Not: bf16 (no masked loads), an innermost stride, 1-D and 3-D planes,
  // convolutions.
  EXPECT_FALSE(wgrad({28, 28}, avx512, 9, 1, false, 2, 2)->readsInputRows);
  EXPECT_FALSE(wgrad({14, 14}, avx512, 9, 2, true, 1, 1)->readsInputRows);
  EXPECT_FALSE(wgrad({28}, avx512, 3, 1, true, 0, 2)->readsInputRows);
  EXPECT_FALSE(wgrad({8, 28, 28}, avx512, 27, 1, true, 0, 2)->readsInputRows);
  EXPECT_FALSE(planeTiling(DepthwisePlaneKind::Convolution, {28, 28}, avx512)
                   ->readsInputRows);
  // Nor when the unrolled edges outgrow the code budget: every row an
  // edge (a dilation as large as the plane).
  EXPECT_FALSE(wgrad({200, 200}, avx512, 9, 1, true, 200, 13)->readsInputRows);
}

TEST(DepthwisePlanes, FilterGradientsReadingInPlacePrefetchPlanesAhead) {
  auto wgrad = [](std::vector<int64_t> out, const CPUTarget &target,
                  int64_t taps, int64_t terms, int64_t edgeRows,
                  int64_t edgeVectors) {
    int64_t scratch = terms * (out[0] + 2) * (out[1] + 6);
    return getDepthwisePlaneTiling(DepthwisePlaneKind::FilterGradient, 256, out,
                                   taps, 1, terms, scratch, 32, target, 1,
                                   true, edgeRows, edgeVectors);
  };
  // Row h: planes of 3 KiB, one filter ahead on both targets (36 FMAs per
  // row and 4 lines of x and dy on AVX2, 18 on AVX-512).
  EXPECT_EQ(wgrad({28, 28}, avx512, 9, 1, 2, 2)->prefetchPlanesAhead, 1);
  EXPECT_EQ(wgrad({28, 28}, avx2, 9, 1, 2, 2)->prefetchPlanesAhead, 1);
  // Not when the planes computed and prefetched outgrow the L1 that
  // prefetcht0 fills (mb_dw3x3_c144_56: 4 planes of 12.5 KiB; 112x112:
  // 49 KiB each), although within a quarter of the L2 (196 KiB of 1 MiB),
  // nor beyond that (160x160).
  EXPECT_EQ(wgrad({56, 56}, avx512, 9, 1, 2, 2)->prefetchPlanesAhead, 0);
  EXPECT_EQ(wgrad({56, 56}, avx2, 9, 1, 2, 2)->prefetchPlanesAhead, 0);
  EXPECT_EQ(wgrad({112, 112}, avx512, 9, 1, 2, 2)->prefetchPlanesAhead, 0);
  EXPECT_EQ(wgrad({160, 160}, avx512, 9, 1, 2, 2)->prefetchPlanesAhead, 0);
  // Nor with few FMAs per line (a 1x1 kernel: 2 per row of 4 lines), nor
  // without reading in place (bf16: the scratch copy streams the plane).
  EXPECT_EQ(wgrad({28, 28}, avx512, 1, 1, 0, 0)->prefetchPlanesAhead, 0);
  EXPECT_EQ(getDepthwisePlaneTiling(DepthwisePlaneKind::FilterGradient, 256,
                                    {28, 28}, 9, 1, 1, 30 * 34, 32, avx512, 1,
                                    false, 2, 2)
                ->prefetchPlanesAhead,
            0);
}

TEST(DepthwisePlanes, StridedFilterGradientsSplitPhasesAndPrefetch) {
  // Stride 2 reads x from the scratch copy; its row blocks prefetch the
  // planes the next filter's copy reads. mb_dw3x3_s2_c144_56 (28 x 28
  // outputs, a 57 x 66 scratch plane): at 8 lanes (AVX2, Zen 4's native
  // 256 bits) 4 vectors x 9 taps x stride 2 = 72 per row against 9 lines
  // of x and 2 of dy; at 16 lanes 36 < 44, so not.
  auto wgrad = [](std::vector<int64_t> out, const CPUTarget &target,
                  int64_t stride, int64_t scratch) {
    return getDepthwisePlaneTiling(DepthwisePlaneKind::FilterGradient, 144, out,
                                   9, stride, 1, scratch, 32, target);
  };
  CPUTarget zen4 = avx512;
  zen4.nativeVectorBits = 256;
  EXPECT_FALSE(wgrad({28, 28}, avx2, 2, 57 * 66)->readsInputRows);
  EXPECT_EQ(wgrad({28, 28}, avx2, 2, 57 * 66)->prefetchPlanesAhead, 1);
  // Its scratch rows keep their two phases apart; not at stride 1 (read in
  // place), nor for convolutions.
  EXPECT_TRUE(wgrad({28, 28}, avx2, 2, 57 * 66)->phaseSplitColumns);
  EXPECT_TRUE(wgrad({28}, avx2, 3, 90)->phaseSplitColumns);
  EXPECT_FALSE(wgrad({28, 28}, avx2, 1, 30 * 36)->phaseSplitColumns);
  EXPECT_FALSE(getDepthwisePlaneTiling(DepthwisePlaneKind::Convolution, 144,
                                       {28, 28}, 9, 2, 1, 57 * 66, 32, avx2)
                   ->phaseSplitColumns);
  EXPECT_EQ(wgrad({28, 28}, zen4, 2, 57 * 66)->prefetchPlanesAhead, 1);
  EXPECT_EQ(wgrad({28, 28}, avx512, 2, 57 * 66)->prefetchPlanesAhead, 0);
  // Not when the planes in flight pass a quarter of the L2 (a 193 x 194
  // scratch plane, 146 KiB), nor for 1-D planes.
  ASSERT_TRUE(wgrad({96, 96}, avx2, 2, 193 * 194));
  EXPECT_EQ(wgrad({96, 96}, avx2, 2, 193 * 194)->prefetchPlanesAhead, 0);
  EXPECT_EQ(wgrad({784}, avx2, 2, 1570)->prefetchPlanesAhead, 0);
}

TEST(DepthwisePlanes, ConvolutionsPrefetchInputPlanesAhead) {
  auto conv = [](std::vector<int64_t> out, const CPUTarget &target,
                 int64_t taps, int64_t terms) {
    int64_t scratch = terms * (out[0] + 2) * (out.back() + 32);
    return getDepthwisePlaneTiling(DepthwisePlaneKind::Convolution, 256, out,
                                   taps, 1, terms, scratch, 32, target);
  };
  // Row h's data gradient: the input planes two ahead on both targets (18
  // FMAs per row of 2 lines on AVX-512, 36 on AVX2).
  EXPECT_EQ(conv({28, 28}, avx512, 9, 1)->prefetchPlanesAhead, 2);
  EXPECT_EQ(conv({28, 28}, avx2, 9, 1)->prefetchPlanesAhead, 2);
  // Within a quarter of the L2 only (112x112 is, 160x160 not), with
  // enough FMAs per line (not a 1x1 kernel), 2-D planes only.
  EXPECT_EQ(conv({112, 112}, avx512, 9, 1)->prefetchPlanesAhead, 2);
  EXPECT_EQ(conv({160, 160}, avx512, 9, 1)->prefetchPlanesAhead, 0);
  EXPECT_EQ(conv({28, 28}, avx512, 1, 1)->prefetchPlanesAhead, 0);
  EXPECT_EQ(conv({28}, avx512, 3, 1)->prefetchPlanesAhead, 0);
}

TEST(DepthwisePlanes, GroupedConvolutionsOfFewChannelsPerGroup) {
  // Row g's data gradient (32 groups of 4 channels): 4 terms per output
  // plane, 4 scratch planes; 2 x 9 x 4 FMAs per row, so blocks of 7 rows
  // on AVX-512 (504 unrolled FMAs), and 2 rows x 4 vectors on AVX2.
  auto t = planeTiling(DepthwisePlaneKind::Convolution, {28, 28}, avx512, 9, 1,
                       4, 4 * 30 * 34);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->vectorBlock, 2);
  EXPECT_EQ(t->rowBlock, 7);
  auto a = planeTiling(DepthwisePlaneKind::Convolution, {28, 28}, avx2, 9, 1,
                       4, 4 * 30 * 32);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->lanes, 8);
  EXPECT_LE(a->rowBlock * a->vectorBlock, 12);
  // 8 channels per group: the unrolled terms would be too many.
  EXPECT_FALSE(planeTiling(DepthwisePlaneKind::Convolution, {28, 28}, avx512,
                           9, 1, 8, 8 * 30 * 34));
}

TEST(DepthwisePlanes, ChannelsLastGroupedOpsGoPlanewise) {
  // Plain depthwise stays with the channels-last depthwise path; channel
  // multipliers (forward: outPerGroup; data gradient: terms) and groups of
  // several channels go plane by plane between transposes.
  EXPECT_FALSE(isChannelsLastPlanewise(1, 1));
  EXPECT_TRUE(isChannelsLastPlanewise(1, 2));
  EXPECT_TRUE(isChannelsLastPlanewise(2, 1));
  EXPECT_TRUE(isChannelsLastPlanewise(4, 4));
  EXPECT_FALSE(isChannelsLastPlanewise(0, 4));
}

TEST(Target, Resolve) {
  std::string error;
  struct Case {
    const char *cpu, *features;
    int64_t vectorBits, vectorRegisters;
  };
  const Case cases[] = {
      {"x86-64-v2", "", 128, 16},
      {"x86-64-v3", "", 256, 16},
      {"x86-64-v4", "", 512, 32},
      {"skylake-avx512", "", 512, 32},
      {"skylake-avx512", "-avx512f", 256, 16},
      {"x86-64-v4", "-avx512f", 256, 16},
      // LLVM lists alderlake's avxvnni and fma, not the avx2 they imply.
      {"alderlake", "", 256, 16},
  };
  for (const Case &c : cases) {
    std::optional<CPUTarget> t =
        resolveCPUTarget(c.cpu, c.features, 0, 0, 2, error);
    ASSERT_TRUE(t.has_value()) << c.cpu << ": " << error;
    EXPECT_EQ(t->vectorBits, c.vectorBits) << c.cpu << " " << c.features;
    EXPECT_EQ(t->vectorRegisters, c.vectorRegisters) << c.cpu;
    EXPECT_EQ(t->features, c.features) << c.cpu;
    EXPECT_EQ(t->threads, 2);
  }
  EXPECT_FALSE(resolveCPUTarget("no-such-cpu", "", 0, 0, 1, error));
  EXPECT_NE(error.find("no-such-cpu"), std::string::npos);
  EXPECT_FALSE(resolveCPUTarget("znver3", "avx2", 0, 0, 1, error));
  EXPECT_TRUE(resolveCPUTarget("host", "", 0, 0, 1, error).has_value());
}

TEST(Target, VectorStoreCycles) {
  // Zen 4 stores 256 bits per cycle: a 512-bit vector in two; Zen 5 and
  // Intel's AVX-512 cores a whole vector per cycle; Zen 1 128 bits.
  std::string error;
  auto cycles = [&](const char *cpu, const char *features) {
    std::optional<CPUTarget> t =
        resolveCPUTarget(cpu, features, 0, 0, 1, error);
    EXPECT_TRUE(t.has_value()) << cpu;
    return t ? t->vectorStoreCycles() : -1;
  };
  EXPECT_EQ(cycles("znver4", ""), 2);
  EXPECT_EQ(cycles("znver4", "-avx512f"), 1);
  EXPECT_EQ(cycles("znver3", ""), 1);
  EXPECT_EQ(cycles("znver5", ""), 1);
  EXPECT_EQ(cycles("znver1", ""), 2);
  EXPECT_EQ(cycles("skylake-avx512", ""), 1);
  EXPECT_EQ(cycles("sapphirerapids", ""), 1);
  EXPECT_EQ(CPUTarget::avx512().vectorStoreCycles(), 1);
  EXPECT_EQ(CPUTarget::avx2().vectorStoreCycles(), 1);
}

} // namespace

/// The tiling of a channels-last depthwise gradient, f32, 28 output rows,
/// 2 border columns (3x3, padding 1) unless told.
std::optional<DepthwiseChannelsLastTiling>
channelsLastTiling(DepthwiseChannelsLastKind kind, int64_t channels,
                   const CPUTarget &target, int64_t kh = 3, int64_t kw = 3,
                   int64_t rows = 28, int64_t borders = 2,
                   int64_t columnStride = 1, int64_t columnDilation = 1) {
  return getDepthwiseChannelsLastTiling(kind, channels, /*groupChannels=*/1,
                                        kh, kw, rows, borders, 32, target,
                                        columnStride, columnDilation);
}

/// Expects an input-stationary filter-gradient tiling of blocks of
/// `outputRows` output rows over `vectors` vectors of `lanes` channels, each
/// taking all 3 kernel rows, with the dy windows reloaded from L1.
void expectReloadedRowBlocks(
    const std::optional<DepthwiseChannelsLastTiling> &t, int64_t lanes,
    int64_t vectors, int64_t outputRows) {
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->lanes, lanes);
  EXPECT_TRUE(t->inputStationary);
  EXPECT_EQ(t->channelVectors, vectors);
  EXPECT_EQ(t->kernelRowBlock, 3);
  EXPECT_EQ(t->outputRowBlock, outputRows);
  EXPECT_FALSE(t->carryDyWindow);
}

TEST(DepthwiseChannelsLast, FilterGradientBlocks) {
  using K = DepthwiseChannelsLastKind;
  CPUTarget two = avx512;
  two.threads = 2;
  // Row h (256 channels, 3x3), stride 1: input-stationary, blocks of
  // output rows with the whole kernel: 2 vectors x (9 accumulators + the
  // windows of 2 output rows, 6 dy vectors) + 2 = 32 registers carried;
  // without carrying the windows (2 x 9 + 2 + 3 registers), as many output
  // rows as the L1 ways hold 2B + 2 lines per column (32 KiB, 8 ways: 3;
  // 48 KiB, 12 ways: 5): 5 + 3 x rows read from L2 per 3 output rows
  // instead of 4 + 2 per 2. 2 threads: 2 tasks splitting the blocks of
  // output rows (each task every channel: whole pixels), not the channels.
  auto t = channelsLastTiling(K::FilterGradient, 256, avx512);
  expectReloadedRowBlocks(t, /*lanes=*/16, /*vectors=*/2, /*outputRows=*/3);
  // Segment by segment of the x columns, every channel block within a
  // segment, both vectors in one pass (2 x 9 + 2 + 3 <= 32), no prefetch.
  EXPECT_TRUE(t->segmentsOutsideBlocks);
  EXPECT_EQ(t->passVectors, 2);
  CPUTarget wideL1 = avx512;
  wideL1.l1DataBytes = 48 * 1024;
  EXPECT_EQ(channelsLastTiling(K::FilterGradient, 256, wideL1)->outputRowBlock,
            5);
  EXPECT_EQ(t->tasks, 1);
  EXPECT_FALSE(t->splitPositions);
  EXPECT_EQ(t->positionChunks, 0);
  t = channelsLastTiling(K::FilterGradient, 256, two);
  EXPECT_EQ(t->tasks, 2);
  EXPECT_TRUE(t->splitPositions);
  EXPECT_EQ(t->channelVectors, 2);
  // In 4 chunks per task (10 blocks of 3 output rows per image: at least
  // 4 per thread), each claimed by its task first, then by the other.
  EXPECT_EQ(t->positionChunks, 8);
  // 4 output rows (2 blocks of 2 per image): 1 chunk per task, no claims.
  EXPECT_EQ(
      channelsLastTiling(K::FilterGradient, 256, two, 3, 3, 4)->positionChunks,
      0);
  // One vector when 2 do not divide the vectors (144 channels: 9), then the
  // windows of 7 output rows fit (9 + 21 + 2), balanced over the output
  // rows (28: 7; 10: 5 + 5; 13: 7 + 6), carried (not reloaded: 3 rows of
  // 8 x and dy lines per 3 would read more from L2 than 16 per 7); one
  // output row or kernel row: no block of output rows.
  t = channelsLastTiling(K::FilterGradient, 144, avx512);
  EXPECT_EQ(t->channelVectors, 1);
  EXPECT_EQ(t->outputRowBlock, 7);
  EXPECT_TRUE(t->carryDyWindow);
  EXPECT_EQ(channelsLastTiling(K::FilterGradient, 144, avx512, 3, 3, 10)
                ->outputRowBlock,
            5);
  EXPECT_EQ(channelsLastTiling(K::FilterGradient, 144, avx512, 3, 3, 13)
                ->outputRowBlock,
            7);
  EXPECT_EQ(channelsLastTiling(K::FilterGradient, 256, avx512, 3, 3, 1)
                ->outputRowBlock,
            1);
  EXPECT_EQ(
      channelsLastTiling(K::FilterGradient, 256, avx512, 1, 3)->outputRowBlock,
      1);
  // AVX2 (16 registers): not even one vector fits with the carried
  // windows of 2 output rows (9 + 6 + 2), but without them a line of
  // channels (2 vectors: 18 + 3 + 2 = 23, at most 16 + 8 with LLVM
  // spilling the excess to L1) takes blocks of output rows as L1 allows
  // them (32 KiB: 3, 48 KiB: 5) rather than 3 passes of one kernel row
  // over a line of channels or blocks of half a line.
  t = channelsLastTiling(K::FilterGradient, 256, avx2);
  expectReloadedRowBlocks(t, /*lanes=*/8, /*vectors=*/2, /*outputRows=*/3);
  // A line of channels per block, segment by segment of the columns, in
  // passes of one vector (9 + 2 + 3 <= 16: the block's 18 accumulators do
  // not fit), no prefetch.
  EXPECT_TRUE(t->segmentsOutsideBlocks);
  EXPECT_EQ(t->passVectors, 1);
  CPUTarget avx2WideL1 = avx2;
  avx2WideL1.l1DataBytes = 48 * 1024;
  EXPECT_EQ(
      channelsLastTiling(K::FilterGradient, 256, avx2WideL1)->outputRowBlock,
      5);
  // Not with one output row (then one vector, all 3 kernel rows in one
  // pass), nor when the ways hold fewer than 2 (a 16 KiB L1, 4 ways: 2B + 2
  // <= 4).
  t = channelsLastTiling(K::FilterGradient, 256, avx2, 3, 3, /*rows=*/1);
  EXPECT_EQ(t->outputRowBlock, 1);
  EXPECT_TRUE(t->carryDyWindow);
  CPUTarget avx2SmallL1 = avx2;
  avx2SmallL1.l1DataBytes = 16 * 1024;
  t = channelsLastTiling(K::FilterGradient, 256, avx2SmallL1);
  EXPECT_EQ(t->outputRowBlock, 1);
  EXPECT_EQ(t->channelVectors, 2);
  EXPECT_EQ(t->kernelRowBlock, 1);
  // A 4 x 3 kernel (12 + 3 + 2 > 16 even without the windows): a block
  // covers a cache line of channels (2 vectors of 8) first, one kernel row
  // per pass (2 x (3 + 3) + 1 = 13).
  t = channelsLastTiling(K::FilterGradient, 256, avx2, 4, 3);
  EXPECT_EQ(t->channelVectors, 2);
  EXPECT_EQ(t->kernelRowBlock, 1);
  EXPECT_EQ(t->outputRowBlock, 1);
  // Nor when a pass takes the whole kernel: 40 channels (5 vectors, a line
  // would not divide them): one vector, all 3 kernel rows, carried windows;
  // 5x5 on AVX-512 (25 + 5 + 1 registers; without the windows 25 + 5 + 2
  // = 32 spilled): one vector, the 5 kernel rows per output row.
  t = channelsLastTiling(K::FilterGradient, 40, avx2);
  EXPECT_EQ(t->channelVectors, 1);
  EXPECT_EQ(t->kernelRowBlock, 3);
  EXPECT_EQ(t->outputRowBlock, 1);
  EXPECT_TRUE(t->carryDyWindow);
  t = channelsLastTiling(K::FilterGradient, 96, avx512, 5, 5, 56, 4);
  EXPECT_EQ(t->channelVectors, 1);
  EXPECT_EQ(t->kernelRowBlock, 5);
  EXPECT_EQ(t->outputRowBlock, 1);
  EXPECT_TRUE(t->carryDyWindow);
  // Stride 2 along the width: dy-stationary, a cache line of channels in
  // blocks of 2 + 1 kernel rows (12 and 6 of 12 accumulators).
  t = channelsLastTiling(K::FilterGradient, 256, avx2, 3, 3, 28, 2,
                         /*columnStride=*/2);
  EXPECT_FALSE(t->inputStationary);
  EXPECT_EQ(t->channelVectors, 2);
  EXPECT_EQ(t->kernelRowBlock, 2);
  // A dilated window too wide for the registers with one kernel row (7
  // columns, d = 2: 7 + 13 + 1 > 16) is dy-stationary too; d = 2 with 3
  // columns (window 5) is not.
  EXPECT_FALSE(channelsLastTiling(K::FilterGradient, 96, avx2, 7, 7, 56, 12,
                                  1, /*columnDilation=*/2)
                   ->inputStationary);
  t = channelsLastTiling(K::FilterGradient, 96, avx2, 3, 3, 28, 4, 1, 2);
  EXPECT_TRUE(t->inputStationary);
  EXPECT_LE(t->channelVectors * (t->kernelRowBlock * 3 + 5) + 1, 16);
  // Not when the channels leave each thread a single vector: 16 channels
  // on 2 threads split across the channels (1 output row).
  CPUTarget avx2Two = avx2;
  avx2Two.threads = 2;
  t = channelsLastTiling(K::FilterGradient, 16, avx2Two, 3, 3, /*rows=*/1);
  EXPECT_EQ(t->channelVectors, 1);
  // 7x7 (ConvNeXt): one vector, blocks of kernel rows of 7 accumulators
  // each within 24 (blocks of 3 rows: 3, 3, 1) / 12 (1 row) accumulators.
  t = channelsLastTiling(K::FilterGradient, 96, avx512, 7, 7, 56, 6);
  EXPECT_EQ(t->channelVectors, 1);
  EXPECT_EQ(t->kernelRowBlock, 3);
  t = channelsLastTiling(K::FilterGradient, 96, avx2, 7, 7, 56, 6);
  EXPECT_EQ(t->kernelRowBlock, 1);
  // The block divides the full vectors (144 = 9 vectors: blocks of 1, 3
  // would exceed 24 accumulators). Fewer output rows than threads (1 x 1
  // output, whatever N): tasks split the channels, never more vectors per
  // block than leave every thread one: 32 channels on 2 threads, 1 vector
  // each; with rows for every thread, one task has both, in blocks of 2
  // output rows per pass.
  EXPECT_EQ(channelsLastTiling(K::FilterGradient, 144, avx512)->channelVectors,
            1);
  t = channelsLastTiling(K::FilterGradient, 32, two, 3, 3, /*rows=*/1);
  EXPECT_FALSE(t->splitPositions);
  EXPECT_EQ(t->channelVectors, 1);
  EXPECT_EQ(t->tasks, 2);
  EXPECT_EQ(t->positionChunks, 0);
  t = channelsLastTiling(K::FilterGradient, 32, two);
  EXPECT_TRUE(t->splitPositions);
  EXPECT_EQ(t->channelVectors, 2);
  EXPECT_EQ(t->outputRowBlock, 3);
  EXPECT_EQ(t->tasks, 2);
  // Odd channel counts: the partial vector is a block (task) of its own.
  for (const CPUTarget &target : {avx2, avx512, two})
    for (int64_t c : {3, 24, 67, 96, 144, 384}) {
      auto tiling = channelsLastTiling(K::FilterGradient, c, target);
      ASSERT_TRUE(tiling.has_value());
      int64_t full = c / tiling->lanes;
      if (full > 0)
        EXPECT_EQ(full % tiling->channelVectors, 0) << c;
      // Input-stationary: accumulators, dy windows and an x vector; blocks
      // of output rows that reload the windows (3 dy vectors, an x vector
      // and a zero) exceed the registers by at most half of them (spilled
      // to L1).
      EXPECT_TRUE(tiling->inputStationary);
      int64_t accumulators =
          tiling->kernelRowBlock * 3 * tiling->channelVectors;
      if (tiling->carryDyWindow) {
        EXPECT_LE(accumulators, maxAccumulatorRegisters(target));
        EXPECT_LE(tiling->channelVectors * (tiling->kernelRowBlock * 3 + 3) + 1,
                  target.vectorRegisters);
      } else {
        EXPECT_LE(accumulators + 3 + 2,
                  target.vectorRegisters + target.vectorRegisters / 2);
      }
      EXPECT_GE(tiling->tasks, 1);
    }
}

TEST(DepthwiseChannelsLast, InputStationarySegments) {
  using K = DepthwiseChannelsLastKind;
  // Row h with a 4 x 3 kernel on AVX2: 4 passes of one kernel row over a
  // cache line of channels (2 vectors of 8). 256 f32 channels are 1 KiB
  // pixels: one channel offset meets 4 of the 64 L1 sets; 32 KiB (8 ways):
  // 16 of those 32 lines per segment, 3 per column (dy, x of two passes):
  // at most 5 columns, 28 columns in 6 segments of 5 (the last 3). (3 x 3
  // takes blocks of output rows, whole rows.)
  auto h = channelsLastTiling(K::FilterGradient, 256, avx2, 4, 3);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->kernelRowBlock, 1);
  EXPECT_EQ(getInputStationarySegmentColumns(*h, 256, 32, 4, 3, 28, avx2), 5);
  // 3 x 3 takes blocks of 3 output rows, segments outside the channel
  // blocks: as many columns as keep (5 S x + 3 (S + 2) dy pixels of 1 KiB)
  // within half of L1: 1 (14 KiB of 16); 32 channels (128 B pixels): 15
  // ((8 x 15 + 6) x 128 B <= 16 KiB); rows that short: whole rows.
  auto h3 = channelsLastTiling(K::FilterGradient, 256, avx2);
  ASSERT_TRUE(h3.has_value());
  ASSERT_TRUE(h3->segmentsOutsideBlocks);
  EXPECT_EQ(h3->outputRowBlock, 3);
  EXPECT_EQ(getInputStationarySegmentColumns(*h3, 256, 32, 3, 3, 28, avx2), 1);
  EXPECT_EQ(getInputStationarySegmentColumns(*h3, 32, 32, 3, 3, 112, avx2), 15);
  EXPECT_EQ(getInputStationarySegmentColumns(*h3, 32, 32, 3, 3, 14, avx2), 0);
  // Where the accumulators' stores of a segment take as long as its FMAs
  // (AVX-512 on Zen 4, two cycles per store: 18 x 2 against 1 x 3 x 18 / 2
  // for row h's segments of 1 column), a block that takes one pass per
  // segment (2 vectors of 16) keeps its accumulators in registers across
  // whole rows; AVX2 on the same core (one cycle per 256-bit store; passes
  // of one vector), AVX-512 on Intel (18 against 27) and segments of 15
  // columns (32 channels) keep the segments.
  // Zen 4 (with `features` changed) and its 32 KiB L1, whatever the host.
  auto zen4Target = [](const std::string &features) {
    std::string error;
    std::optional<CPUTarget> target =
        resolveCPUTarget("znver4", features, 0, 0, 1, error);
    if (target)
      target->l1DataBytes = 32 * 1024;
    return target;
  };
  std::optional<CPUTarget> zen4 = zen4Target("");
  ASSERT_TRUE(zen4.has_value());
  auto hZen4 = channelsLastTiling(K::FilterGradient, 256, *zen4);
  ASSERT_TRUE(hZen4.has_value());
  ASSERT_TRUE(hZen4->segmentsOutsideBlocks);
  EXPECT_EQ(hZen4->passVectors, 2);
  EXPECT_EQ(getInputStationarySegmentColumns(*hZen4, 256, 32, 3, 3, 28, *zen4),
            0);
  EXPECT_EQ(getInputStationarySegmentColumns(*hZen4, 32, 32, 3, 3, 112, *zen4),
            15);
  auto hIntel = channelsLastTiling(K::FilterGradient, 256, avx512);
  ASSERT_TRUE(hIntel.has_value());
  EXPECT_EQ(
      getInputStationarySegmentColumns(*hIntel, 256, 32, 3, 3, 28, avx512), 1);
  std::optional<CPUTarget> zen4Avx2 = zen4Target("-avx512f");
  ASSERT_TRUE(zen4Avx2.has_value());
  auto hAvx2 = channelsLastTiling(K::FilterGradient, 256, *zen4Avx2);
  ASSERT_TRUE(hAvx2.has_value());
  EXPECT_EQ(hAvx2->passVectors, 1);
  EXPECT_EQ(
      getInputStationarySegmentColumns(*hAvx2, 256, 32, 3, 3, 28, *zen4Avx2),
      1);
  // 48 KiB (12 ways): at most 8 columns, 4 segments of 7.
  CPUTarget wideL1 = avx2;
  wideL1.l1DataBytes = 48 * 1024;
  EXPECT_EQ(getInputStationarySegmentColumns(*h, 256, 32, 4, 3, 28, wideL1), 7);
  // bf16 x (512 B pixels, 8 sets; a block of 2 x 8 lanes is half a line):
  // at most 10 columns, 3 segments of 10 (the last 8).
  EXPECT_EQ(getInputStationarySegmentColumns(*h, 256, 16, 4, 3, 28, avx2), 10);
  // Pixels that are not a multiple of 4 KiB apart spread over more sets:
  // 96 channels (384 B, 6 lines: 32 sets) allow 42 columns (56: 2
  // segments of 28); 144 (576 B, 9 lines: every set) whole rows.
  auto c96 = channelsLastTiling(K::FilterGradient, 96, avx2, 4, 3, 56, 2);
  ASSERT_TRUE(c96.has_value());
  EXPECT_EQ(getInputStationarySegmentColumns(*c96, 96, 32, 4, 3, 56, avx2), 28);
  auto c144 = channelsLastTiling(K::FilterGradient, 144, avx2, 4, 3, 56, 2);
  ASSERT_TRUE(c144.has_value());
  EXPECT_EQ(getInputStationarySegmentColumns(*c144, 144, 32, 4, 3, 56, avx2),
            0);
  // One pass over dy per row (AVX-512: the 3 kernel rows in one block),
  // dy-stationary tilings and rows of at most 4 columns: whole rows.
  auto h512 = channelsLastTiling(K::FilterGradient, 144, avx512);
  ASSERT_TRUE(h512.has_value());
  EXPECT_EQ(h512->kernelRowBlock, 3);
  EXPECT_FALSE(h512->segmentsOutsideBlocks);
  EXPECT_EQ(getInputStationarySegmentColumns(*h512, 144, 32, 3, 3, 28, avx512),
            0);
  auto strided = channelsLastTiling(K::FilterGradient, 256, avx2, 3, 3, 28, 2,
                                    /*columnStride=*/2);
  ASSERT_TRUE(strided.has_value());
  EXPECT_FALSE(strided->inputStationary);
  EXPECT_EQ(getInputStationarySegmentColumns(*strided, 256, 32, 3, 3, 56, avx2),
            0);
  EXPECT_EQ(getInputStationarySegmentColumns(*h, 256, 32, 4, 3, 4, avx2), 0);
  // 7x7 (one kernel row per pass on AVX2, a window of 7 dy vectors):
  // whole rows.
  auto cx = channelsLastTiling(K::FilterGradient, 384, avx2, 7, 7, 14, 6);
  ASSERT_TRUE(cx.has_value());
  EXPECT_EQ(cx->kernelRowBlock, 1);
  EXPECT_EQ(getInputStationarySegmentColumns(*cx, 384, 32, 7, 7, 14, avx2), 0);
  // Segments never below 4 columns, whatever the cache: a 4 KiB L1 (1
  // way) gives 4 (28 columns: 7 segments).
  CPUTarget tinyL1 = avx2;
  tinyL1.l1DataBytes = 4096;
  EXPECT_EQ(getInputStationarySegmentColumns(*h, 256, 32, 4, 3, 28, tinyL1), 4);
}

TEST(DepthwiseChannelsLast, DataGradientBlocks) {
  using K = DepthwiseChannelsLastKind;
  CPUTarget two = avx512;
  two.threads = 2;
  // Row h: 4 vectors (a cache line each) x 6 columns = 24 accumulators;
  // tasks of 28 rows (one image) on one thread, 14 on two.
  auto t = channelsLastTiling(K::DataGradient, 256, avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(std::make_pair(t->channelVectors, t->columnBlock), Block(4, 6));
  EXPECT_EQ(t->taskRows, 28);
  EXPECT_EQ(channelsLastTiling(K::DataGradient, 256, two)->taskRows, 14);
  // AVX2: 4 vectors x 3 columns = 12.
  t = channelsLastTiling(K::DataGradient, 256, avx2);
  EXPECT_EQ(std::make_pair(t->channelVectors, t->columnBlock), Block(4, 3));
  // 96 channels = 6 vectors: blocks of 3 (dividing 6) x 8 columns, the
  // 3x3 kernel unrolled whole.
  t = channelsLastTiling(K::DataGradient, 96, avx512);
  EXPECT_EQ(std::make_pair(t->channelVectors, t->columnBlock), Block(3, 8));
  EXPECT_FALSE(t->loopKernelRows);
  // 7x7: 49 taps unrolled would leave 3 columns per block; the kernel rows
  // loop instead, a row's 7 taps unrolled, with as many columns as the
  // registers besides a kernel row's 7 filter vectors, a dy vector and a
  // spare hold: 3 vectors x 7 columns (21 + 9 <= 32).
  t = channelsLastTiling(K::DataGradient, 96, avx512, 7, 7, 56, 6);
  EXPECT_TRUE(t->loopKernelRows);
  EXPECT_EQ(std::make_pair(t->channelVectors, t->columnBlock), Block(3, 7));
  // AVX2 (16 registers): 3 vectors x 2 columns (6 + 9 <= 16) rather than
  // 4 vectors x 1.
  t = channelsLastTiling(K::DataGradient, 384, avx2, 7, 7, 14, 6);
  EXPECT_TRUE(t->loopKernelRows);
  EXPECT_EQ(std::make_pair(t->channelVectors, t->columnBlock), Block(3, 2));
  // A single kernel row has nothing to loop.
  EXPECT_FALSE(channelsLastTiling(K::DataGradient, 96, avx512, 1, 24, 56, 12)
                   ->loopKernelRows);
  // Task rows divide the rows (57: 19 on 2 threads).
  EXPECT_EQ(channelsLastTiling(K::DataGradient, 64, two, 3, 3, 57)->taskRows,
            19);
}

TEST(DepthwiseChannelsLast, GroupedDataGradient) {
  using K = DepthwiseChannelsLastKind;
  CPUTarget two = avx512;
  two.threads = 2;
  auto grouped = [](K kind, int64_t channels, int64_t groupChannels,
                    const CPUTarget &target, int64_t kh = 3, int64_t kw = 3) {
    return getDepthwiseChannelsLastTiling(kind, channels, groupChannels, kh,
                                          kw, /*outputRows=*/28,
                                          /*borderColumns=*/2, 32, target);
  };
  // Row g (128 channels, groups of 4): 4 accumulators per output vector,
  // 32 - 12 filter vectors - 2 leaves 18: 4 columns x 1 vector (columns
  // first: each filter vector serves every column); tasks of 14 rows on 2
  // threads.
  auto t = grouped(K::DataGradient, 128, 4, two);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(std::make_pair(t->channelVectors, t->columnBlock), Block(1, 4));
  EXPECT_EQ(t->taskRows, 14);
  // Groups of 2: 32 - 6 - 2 = 24 accumulators, 12 output vectors: 8
  // columns x 1 vector.
  t = grouped(K::DataGradient, 128, 2, avx512);
  EXPECT_EQ(std::make_pair(t->channelVectors, t->columnBlock), Block(1, 8));
  // 5x5, groups of 4: 32 - 20 - 2 = 10 accumulators, 2 columns; the
  // unrolled block within 512 FMAs.
  t = grouped(K::DataGradient, 64, 4, avx512, 5, 5);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->columnBlock, 2);
  EXPECT_LE(t->columnBlock * t->channelVectors * 4 * 25, 512);
  EXPECT_FALSE(t->tapFilterVectors);
  // AVX2 with groups of 4 and 3 kernel columns: a kernel row's 12 filter
  // vectors would leave no room for 4 accumulators, so one tap's 4 filter
  // vectors are live at a time: 16 - 4 - 2 = 10, 2 columns x 1 vector (8
  // accumulators, the FMA latency of 2 units).
  t = grouped(K::DataGradient, 128, 4, avx2);
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->tapFilterVectors);
  EXPECT_EQ(std::make_pair(t->channelVectors, t->columnBlock), Block(1, 2));
  // Groups of 2 on AVX2: 16 - 6 - 2 = 8 accumulators with the kernel row's
  // filter vectors, enough chains: 4 columns.
  t = grouped(K::DataGradient, 128, 2, avx2);
  ASSERT_TRUE(t.has_value());
  EXPECT_FALSE(t->tapFilterVectors);
  EXPECT_EQ(t->columnBlock, 4);
  // Row g on AVX-512 keeps the kernel row's filter vectors (16
  // accumulators).
  EXPECT_FALSE(grouped(K::DataGradient, 128, 4, two)->tapFilterVectors);
  // Groups of 8 (rx_g32_s2_c256_56): a kernel row's 24 filter vectors
  // leave no room, one tap's 8 leave 22 registers: 2 output vectors (16
  // accumulators), as 2 columns x 1 vector. AVX2 (8 lanes, 16 registers)
  // has no room for one output vector's 8 accumulators.
  t = grouped(K::DataGradient, 256, 8, avx512);
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->tapFilterVectors);
  EXPECT_EQ(std::make_pair(t->channelVectors, t->columnBlock), Block(1, 2));
  EXPECT_FALSE(grouped(K::DataGradient, 256, 8, avx2).has_value());
  // Its tasks keep their dx tile within half the L2 (1 MiB here): 56 rows
  // of 56 x 256 f32 (56 KiB each) in tasks of 8 rows (448 KiB), not whole
  // images (3.2 MB), so that a channels-first op's result transpose moves
  // into the tasks; without the row bytes, one task per image.
  auto rxTiling = [&](int64_t rowBytes) {
    return getDepthwiseChannelsLastTiling(
        K::DataGradient, 256, 8, 3, 3, /*outputRows=*/56,
        /*borderColumns=*/2, 32, avx512, /*columnStride=*/2,
        /*columnDilation=*/1, rowBytes);
  };
  EXPECT_EQ(rxTiling(56 * 256 * 4)->taskRows, 8);
  EXPECT_EQ(rxTiling(0)->taskRows, 56);
  // Depthwise too (144 channels at 112 x 112: 63 KiB rows, 8 per task).
  EXPECT_EQ(getDepthwiseChannelsLastTiling(K::DataGradient, 144, 1, 3, 3, 112,
                                           2, 32, avx512, 1, 1, 112 * 144 * 4)
                ->taskRows,
            8);
  // Declined: groups that do not divide the lanes (3) or are above 8
  // channels (16), and channels not whole groups.
  EXPECT_FALSE(grouped(K::DataGradient, 96, 3, avx512).has_value());
  EXPECT_FALSE(grouped(K::DataGradient, 128, 16, avx512).has_value());
  EXPECT_FALSE(grouped(K::DataGradient, 130, 4, avx512).has_value());
}

TEST(DepthwiseChannelsLast, GroupedFilterGradient) {
  using K = DepthwiseChannelsLastKind;
  CPUTarget two = avx512;
  two.threads = 2;
  auto grouped = [](int64_t channels, int64_t groupChannels,
                    const CPUTarget &target, int64_t kh = 3, int64_t kw = 3,
                    int64_t outputRows = 28) {
    return getDepthwiseChannelsLastTiling(
        K::FilterGradient, channels, groupChannels, kh, kw, outputRows,
        /*borderColumns=*/2, 32, target);
  };
  // Row g (groups of 4, 3x3): a kernel row is 3 x 4 accumulators and 3 x
  // vectors; 30 registers besides dy and its rotation hold 2 rows, so the
  // 3 rows are blocks of 2 (and 1); one channel vector per block. 28
  // output rows split over 2 threads, each into its own accumulators.
  auto t = grouped(128, 4, two);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->lanes, 16);
  EXPECT_EQ(t->channelVectors, 1);
  EXPECT_EQ(t->kernelRowBlock, 2);
  EXPECT_TRUE(t->splitPositions);
  EXPECT_EQ(t->tasks, 2);
  // Groups of 2: 9 registers per row, all 3 rows in one block; groups of
  // 8: 27 per row, one row per block.
  EXPECT_EQ(grouped(128, 2, avx512)->kernelRowBlock, 3);
  EXPECT_EQ(grouped(128, 8, avx512)->kernelRowBlock, 1);
  // One output row on 2 threads: tasks split the channel blocks (8).
  t = grouped(128, 4, two, 3, 3, /*outputRows=*/1);
  EXPECT_FALSE(t->splitPositions);
  EXPECT_EQ(t->tasks, 2);
  // AVX2 with groups of 4 and 3 kernel columns: a row takes 15 of the 16
  // registers, one short of dy and its rotation: still one row per block
  // (one accumulator spilled beats transposing x and dy for the planes).
  t = grouped(128, 4, avx2);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->lanes, 8);
  EXPECT_EQ(t->kernelRowBlock, 1);
  EXPECT_EQ(grouped(128, 2, avx2)->kernelRowBlock, 1);
  // A 3x1 kernel of groups of 4 on AVX2 (5 registers per row): 2 rows
  // fit with dy and its rotation, not 3 (the one-register allowance is
  // only for a single row).
  EXPECT_EQ(grouped(128, 4, avx2, 3, 1)->kernelRowBlock, 2);
  // Declined: 4 kernel columns of groups of 4 on AVX2 (20 registers), 7
  // kernel columns of groups of 4 on AVX-512 (35 registers), groups above
  // 8 or not dividing the lanes, and channels not whole groups.
  EXPECT_FALSE(grouped(128, 4, avx2, 3, 4).has_value());
  EXPECT_FALSE(grouped(128, 4, avx512, 7, 7).has_value());
  EXPECT_FALSE(grouped(256, 16, avx512).has_value());
  EXPECT_FALSE(grouped(96, 3, avx512).has_value());
  EXPECT_FALSE(grouped(130, 4, avx512).has_value());
}

TEST(DepthwiseChannelsLast, Declines) {
  using K = DepthwiseChannelsLastKind;
  for (K kind : {K::DataGradient, K::FilterGradient}) {
    // More kernel columns than accumulators, more than 64 taps or border
    // columns, empty sizes.
    EXPECT_FALSE(channelsLastTiling(kind, 64, avx2, 1, 13).has_value());
    EXPECT_FALSE(channelsLastTiling(kind, 64, avx512, 9, 9).has_value());
    EXPECT_FALSE(
        channelsLastTiling(kind, 64, avx512, 3, 3, 28, 65).has_value());
    EXPECT_FALSE(channelsLastTiling(kind, 0, avx512).has_value());
    EXPECT_FALSE(channelsLastTiling(kind, 64, avx512, 3, 3, 0).has_value());
    EXPECT_TRUE(channelsLastTiling(kind, 64, avx512, 8, 8, 28, 64).has_value());
  }
}

TEST(PointwiseGemm, LayersAlongThePositions) {
  // Row e's data-gradient phase: 512 -> 256 channels at 28 x 28 = 784
  // positions = 12 blocks of 64 lanes and one vector.
  CPUTarget two = avx512;
  two.threads = 2;
  PointwiseGemmPlan plan = planPointwiseGemm(512, 256, 784, 8, 32, 32, two);
  EXPECT_TRUE(plan.useGemm);
  EXPECT_EQ(plan.filterTasks, 1); // 8 images: 4 per thread
  EXPECT_EQ(plan.tiling.rowTile, 4);
  EXPECT_EQ(plan.tiling.laneTile, 64);
  EXPECT_EQ(plan.tiling.laneSplit, 768);
  // The chunk x 64 lanes block of x fits half of L1.
  EXPECT_LE(plan.reductionChunk * 64 * 4, avx512.l1DataBytes / 2);
  EXPECT_EQ(512 % plan.reductionChunk, 0);
  // 3 images on 2 threads: the filters split too, in whole blocks.
  plan = planPointwiseGemm(512, 256, 784, 3, 32, 32, two);
  EXPECT_EQ(plan.filterTasks, 2);
  EXPECT_EQ(128 % plan.tiling.rowTile, 0);
  // A dynamic batch likewise.
  EXPECT_EQ(planPointwiseGemm(512, 256, 784, 0, 32, 32, two).filterTasks, 2);
  // MobileNet's 112 x 112 pointwise data gradients: 96 -> 16 channels is a
  // GEMM of whole blocks; 16 -> 32 is too short a reduction.
  plan = planPointwiseGemm(96, 16, 112 * 112, 8, 32, 32, avx512);
  EXPECT_TRUE(plan.useGemm);
  EXPECT_EQ(plan.tiling.laneSplit, 0);
  EXPECT_EQ(plan.reductionChunk, 48); // 48 x 64 lanes x 4 B: half a 32 KiB L1
  EXPECT_FALSE(planPointwiseGemm(16, 32, 112 * 112, 8, 32, 32, avx512).useGemm);
  EXPECT_TRUE(planPointwiseGemm(32, 32, 112 * 112, 8, 32, 32, avx2).useGemm);
}

// A register block's pass over the reduction chunk reads a row of x per
// input channel: at most the 64 pages of the first-level data TLB.
TEST(PointwiseGemm, ChunkRowsWithinTheDataTlb) {
  // Row e's data-gradient phase at AVX2: 784 f32 rows (3136 B) and a
  // 32-lane panel, which would take 128 channels within half of L1; 83
  // rows span 64 pages: chunks of 64.
  CPUTarget two = avx2;
  two.threads = 2;
  PointwiseGemmPlan plan = planPointwiseGemm(512, 256, 784, 8, 32, 32, two);
  EXPECT_EQ(plan.tiling.laneTile, 32);
  EXPECT_EQ(plan.reductionChunk, 64);
  // AVX-512's 64-lane panel already bounds the chunk to 64.
  two = avx512;
  two.threads = 2;
  EXPECT_EQ(planPointwiseGemm(512, 256, 784, 8, 32, 32, two).reductionChunk,
            64);
  // Rows a page or more apart (16 x 67 f32): a page per channel.
  plan = planPointwiseGemm(256, 16, 16 * 67, 2, 32, 32, two);
  EXPECT_EQ(plan.tiling.laneTile, 32);
  EXPECT_EQ(plan.reductionChunk, 64);
  // Short rows leave the L1 bound alone (14 x 14 f32: 784 B).
  plan = planPointwiseGemm(512, 256, 196, 8, 32, 32, avx2);
  EXPECT_EQ(plan.reductionChunk * plan.tiling.laneTile * 4,
            avx2.l1DataBytes / 2);
}

TEST(PointwiseGemm, IdleLanesKeepChannelsLast) {
  // 7 x 7: 49 positions in 4 vectors of 16 lanes leave 15 idle; in 7 of 8
  // lanes (AVX2), 7 of 56 (one eighth: still the GEMM).
  EXPECT_FALSE(planPointwiseGemm(256, 256, 49, 8, 32, 32, avx512).useGemm);
  EXPECT_TRUE(planPointwiseGemm(256, 256, 49, 8, 32, 32, avx2).useGemm);
  // Fewer positions than lanes.
  for (const CPUTarget &target : {avx2, avx512})
    EXPECT_FALSE(planPointwiseGemm(64, 8, 4, 1, 32, 32, target).useGemm);
  // 14 x 14 = 196 positions: 4 of 208 lanes idle on AVX-512.
  PointwiseGemmPlan plan = planPointwiseGemm(256, 256, 196, 8, 32, 32, avx512);
  EXPECT_TRUE(plan.useGemm);
  EXPECT_EQ(plan.tiling.laneSplit, 192);
  // On AVX2 (8 lanes), 4 of 200.
  plan = planPointwiseGemm(256, 256, 196, 8, 32, 32, avx2);
  EXPECT_TRUE(plan.useGemm);
  EXPECT_EQ(plan.tiling.laneTile % 8, 0);
  EXPECT_LE(plan.tiling.rowTile * plan.tiling.laneTile / 8, 12);
}

TEST(PointwiseGemm, WindowsOfALargerInputStayChannelsLast) {
  // The 1x1 phase of a 3x3 stride-2 data gradient reads a 28 x 28 window of
  // the 29 x 29 padded dy: the same layer as a GEMM of a whole x otherwise.
  for (const CPUTarget &target : {avx2, avx512}) {
    EXPECT_TRUE(
        planPointwiseGemm(128, 64, 784, 8, 32, 32, target).useGemm);
    EXPECT_FALSE(planPointwiseGemm(128, 64, 784, 8, 32, 32, target,
                                   /*inputIsWindow=*/true)
                     .useGemm);
  }
}

TEST(PointwiseGemm, InterleavedPhasesStayChannelsLast) {
  // The 1x1 phase of a 3x3 stride-2 data gradient of 57 x 57 reads all of
  // the 29 x 29 dy but is interleaved with the other phases: channels-last,
  // like them.
  for (const CPUTarget &target : {avx2, avx512}) {
    EXPECT_TRUE(planPointwiseGemm(131, 67, 841, 8, 32, 32, target).useGemm);
    EXPECT_FALSE(planPointwiseGemm(131, 67, 841, 8, 32, 32, target,
                                   /*inputIsWindow=*/false,
                                   /*outputIsInterleaved=*/true)
                     .useGemm);
  }
}

TEST(PointwiseGemm, LaneBlocksNeverExceedThePositions) {
  // f64 on AVX-512 (8 lanes), 16 positions: one block of two vectors, not a
  // 32-lane block wider than the GEMM.
  PointwiseGemmPlan plan = planPointwiseGemm(130, 4, 16, 1, 64, 64, avx512);
  EXPECT_TRUE(plan.useGemm);
  EXPECT_EQ(plan.tiling.laneTile, 16);
  EXPECT_EQ(plan.tiling.laneSplit, 0);
  // Remainder blocks are a power-of-two number of vectors: 784 % 64 = 16,
  // 96 % 64 = 32, but 112 % 64 = 48 (3 vectors): blocks of 32 then 16.
  EXPECT_EQ(planPointwiseGemm(64, 8, 96, 1, 32, 32, avx512).tiling.laneTile,
            64);
  plan = planPointwiseGemm(64, 8, 112, 1, 32, 32, avx512);
  EXPECT_EQ(plan.tiling.laneTile, 32);
  EXPECT_EQ(plan.tiling.laneSplit, 96);
}

TEST(WgradGemm, WideGroupsSplitIntoGemms) {
  // A group is one GEMM when its channels and filters each fill a vector
  // of accumulators: 16 f32 lanes on AVX-512, 8 on AVX2, 8 f64 lanes.
  EXPECT_TRUE(splitsWgradGroupsIntoGemms(16, 16, 32, avx512));
  EXPECT_TRUE(splitsWgradGroupsIntoGemms(32, 64, 32, avx512));
  EXPECT_FALSE(splitsWgradGroupsIntoGemms(8, 8, 32, avx512));
  EXPECT_FALSE(splitsWgradGroupsIntoGemms(16, 4, 32, avx512));
  EXPECT_TRUE(splitsWgradGroupsIntoGemms(8, 8, 32, avx2));
  EXPECT_TRUE(splitsWgradGroupsIntoGemms(8, 8, 64, avx512));
}

// A marked prefetch loop of L lines goes to the deepest loop of the nest
// whose iterations in all are at most L: the example of the pass
// description (512 lines over 4 x 64 iterations: 2 per innermost
// iteration), and one level deeper when that loop would issue more than 8
// per iteration (100 lines over 2 x 4 iterations: 13; then 1 in each of
// 800). A nest with fewer than 10 vector FMAs per prefetch of all the
// marked loops before it gets none (the 1x1 32 -> 16 layer's 9.7).
TEST(SpreadPrefetches, LevelAndCount) {
  SpreadPrefetchPlan plan =
      planSpreadPrefetches(512, 512, {4, 64}, {64 * 24, 24});
  EXPECT_EQ(plan.level, 1);
  EXPECT_EQ(plan.perIteration, 2);
  plan = planSpreadPrefetches(100, 100, {2, 4, 100}, {4000, 1000, 10});
  EXPECT_EQ(plan.level, 2);
  EXPECT_EQ(plan.perIteration, 1);
  // 800 iterations for 100 lines: every 4th issues one (200 do; every 8th
  // would not divide the 100 trips).
  EXPECT_EQ(plan.every, 4);
  // 8 per iteration is still fine: 64 lines over 8 iterations.
  plan = planSpreadPrefetches(64, 64, {8, 100}, {1000, 10});
  EXPECT_EQ(plan.level, 0);
  EXPECT_EQ(plan.perIteration, 8);
  // More lines than iterations in all: the innermost loop, several each.
  plan = planSpreadPrefetches(1000, 1000, {10, 10}, {2000, 200});
  EXPECT_EQ(plan.level, 1);
  EXPECT_EQ(plan.perIteration, 10);
  EXPECT_EQ(plan.every, 1);
  EXPECT_EQ(planSpreadPrefetches(512, 512, {4, 64}, {64 * 24, 24}).every, 1);
  // The AVX2 stem data gradient's phase nest (7 column blocks x 8 rows x 64
  // channels) and its 624 addresses of 4 lines: every 4th channel (896
  // iterations issue); 1792 addresses: every iteration, none skipped.
  plan =
      planSpreadPrefetches(624, 624, {7, 8, 64}, {64 * 8 * 192, 64 * 192, 192});
  EXPECT_EQ(plan.level, 2);
  EXPECT_EQ(plan.perIteration, 1);
  EXPECT_EQ(plan.every, 4);
  EXPECT_EQ(planSpreadPrefetches(1792, 1792, {7, 8, 64},
                                 {64 * 8 * 192, 64 * 192, 192})
                .every,
            2);
  EXPECT_EQ(planSpreadPrefetches(1793, 1793, {7, 8, 64},
                                 {64 * 8 * 192, 64 * 192, 192})
                .every,
            1);
  // 10 FMAs per prefetch is enough, 9.75 (of all the marked loops) is not.
  EXPECT_EQ(planSpreadPrefetches(256, 256, {4, 64}, {640, 10}).level, 1);
  EXPECT_EQ(planSpreadPrefetches(128, 256, {4, 64}, {640, 10}).level, 1);
  EXPECT_EQ(planSpreadPrefetches(128, 263, {4, 64}, {640, 10}).level, -1);
  EXPECT_EQ(planSpreadPrefetches(256, 0, {4, 64}, {624, 9}).level, -1);
  // Nothing to place, or no loop to place it in.
  EXPECT_EQ(planSpreadPrefetches(0, 0, {4, 64}, {640, 10}).level, -1);
  EXPECT_EQ(planSpreadPrefetches(8, 8, {}, {}).level, -1);
  EXPECT_EQ(planSpreadPrefetches(8, 8, {4, 0}, {640, 10}).level, -1);
}

// The rows of the next work item go into L2 when they exceed half of L1
// (every staged layer's items: 60 KiB and more), else into L1.
TEST(SpreadPrefetches, StagedRowsLocality) {
  for (const CPUTarget &target : {avx2, avx512}) {
    EXPECT_EQ(getStagedRowsPrefetchLocality(336 * 1024, target), 2);
    EXPECT_EQ(
        getStagedRowsPrefetchLocality(target.l1DataBytes / 2 + 64, target), 2);
    EXPECT_EQ(getStagedRowsPrefetchLocality(target.l1DataBytes / 2, target), 3);
  }
}
