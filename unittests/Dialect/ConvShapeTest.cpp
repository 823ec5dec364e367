//===- ConvShapeTest.cpp - Shape arithmetic of convolutions ---------------===//

#include "convgrad/Dialect/ConvGrad/Utils/ConvShape.h"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <set>

using mlir::convgrad::ConvDimGeometry;
using mlir::convgrad::ConvDimPositions;
using mlir::convgrad::floorDiv;

namespace {

ConvDimGeometry dim(int64_t h, int64_t k, int64_t s = 1, int64_t d = 1,
                    int64_t lo = 0, int64_t hi = 0) {
  return ConvDimGeometry{h, k, s, d, lo, hi};
}

TEST(ConvShape, FloorDivRoundsTowardsNegativeInfinity) {
  EXPECT_EQ(floorDiv(7, 2), 3);
  EXPECT_EQ(floorDiv(-1, 2), -1);
  EXPECT_EQ(floorDiv(-4, 2), -2);
  EXPECT_EQ(floorDiv(0, 3), 0);
}

TEST(ConvShape, SeedExample) {
  // 3x3 input, 2x2 kernel, stride 1: 2x2 output, dy re-padded by 1 each side.
  ConvDimGeometry g = dim(3, 2);
  EXPECT_EQ(g.effectiveKernel(), 2);
  EXPECT_EQ(g.outputSize(), 2);
  EXPECT_EQ(g.remainder(), 0);
  EXPECT_EQ(g.zeroInsertedSize(), 2);
  EXPECT_EQ(g.dgradPadLow(), 1);
  EXPECT_EQ(g.dgradPadHigh(), 1);
  EXPECT_EQ(g.wgradInputExtent(), 3);
  EXPECT_EQ(g.wgradPadHigh(), 0);
}

TEST(ConvShape, RemainderRows) {
  // H=8, K=3, s=2: windows at 0,2,4 -> O=3, row 7 unread (r=1).
  ConvDimGeometry g = dim(8, 3, 2);
  EXPECT_EQ(g.outputSize(), 3);
  EXPECT_EQ(g.remainder(), 1);
  EXPECT_EQ(g.zeroInsertedSize(), 5);
  EXPECT_EQ(g.dgradPadLow(), 2);
  EXPECT_EQ(g.dgradPadHigh(), 3); // Ke - 1 - hi + r = 2 - 0 + 1
  // Zero-inserted dy re-padded has H + Ke - 1 elements.
  EXPECT_EQ(g.zeroInsertedSize() + g.dgradPadLow() + g.dgradPadHigh(),
            g.inputSize + g.effectiveKernel() - 1);
  EXPECT_EQ(g.wgradInputExtent(), 7);
  EXPECT_EQ(g.wgradPadHigh(), -1); // crop the unread row
}

TEST(ConvShape, DilationAndStride) {
  ConvDimGeometry g = dim(10, 3, 3, 2, 1, 2);
  EXPECT_EQ(g.effectiveKernel(), 5);
  EXPECT_EQ(g.paddedInputSize(), 13);
  EXPECT_EQ(g.outputSize(), 3); // floor(8 / 3) + 1
  EXPECT_EQ(g.remainder(), 2);
  EXPECT_EQ(g.wgradInputExtent(), 11);
}

TEST(ConvShape, PaddingLargerThanKernelGivesNegativeRepadding) {
  ConvDimGeometry g = dim(4, 2, 1, 1, 3, 0);
  EXPECT_EQ(g.outputSize(), 6);
  EXPECT_EQ(g.dgradPadLow(), -2); // crop two rows of dy
  EXPECT_EQ(g.dgradPadHigh(), 1);
  EXPECT_EQ(g.zeroInsertedSize() + g.dgradPadLow() + g.dgradPadHigh(),
            g.inputSize + g.effectiveKernel() - 1);
}

TEST(ConvShape, StrideLargerThanKernel) {
  ConvDimGeometry g = dim(9, 2, 4);
  EXPECT_EQ(g.outputSize(), 2);
  EXPECT_EQ(g.remainder(), 3);
  EXPECT_EQ(g.zeroInsertedSize(), 5);
}

TEST(ConvShape, KernelThatDoesNotFit) {
  ConvDimGeometry g = dim(2, 3, 1, 2);
  EXPECT_FALSE(g.fits());
  EXPECT_LE(g.outputSize(), 0);
  EXPECT_TRUE(dim(5, 3, 1, 2).fits());
  EXPECT_EQ(dim(5, 3, 1, 2).outputSize(), 1);
}

TEST(ConvShape, RepaddedLengthIdentityHoldsEverywhere) {
  // For every valid geometry the re-padded dy has H + Ke - 1 elements and the
  // wgrad crop keeps exactly the extent the forward windows read.
  for (int64_t h = 1; h <= 9; ++h)
    for (int64_t k = 1; k <= 4; ++k)
      for (int64_t s = 1; s <= 4; ++s)
        for (int64_t d = 1; d <= 3; ++d)
          for (int64_t lo = 0; lo <= 5; ++lo)
            for (int64_t hi = 0; hi <= 5; ++hi) {
              ConvDimGeometry g = dim(h, k, s, d, lo, hi);
              if (!g.fits())
                continue;
              ASSERT_GE(g.outputSize(), 1);
              ASSERT_GE(g.remainder(), 0);
              ASSERT_LT(g.remainder(), s);
              ASSERT_EQ(g.zeroInsertedSize() + g.dgradPadLow() +
                            g.dgradPadHigh(),
                        h + g.effectiveKernel() - 1);
              ASSERT_EQ(h + lo + g.wgradPadHigh(), g.wgradInputExtent());
            }
}

TEST(ConvShape, DgradPhasesMatchTheDefiningSum) {
  // For every input position i, the (output, tap) pairs a phase reads must be
  // exactly those of the definition o*s + k*d - lo == i, 0 <= o < O.
  int checked = 0;
  for (int64_t h = 1; h <= 9; ++h)
    for (int64_t k = 1; k <= 4; ++k)
      for (int64_t s = 1; s <= 4; ++s)
        for (int64_t d = 1; d <= 3; ++d)
          for (int64_t lo = 0; lo <= 5; ++lo)
            for (int64_t hi = 0; hi <= 3; ++hi) {
              ConvDimGeometry g = dim(h, k, s, d, lo, hi);
              if (!g.fits())
                continue;
              std::vector<mlir::convgrad::DgradPhase> phases = g.dgradPhases();
              ASSERT_LE(int64_t(phases.size()), std::min(s, k));
              int64_t covered = 0;
              std::map<int64_t, const mlir::convgrad::DgradPhase *> byResidue;
              for (const auto &p : phases) {
                covered += p.numOutputs;
                ASSERT_GE(p.numTaps, 1);
                ASSERT_GE(p.numOutputs, 1);
                ASSERT_TRUE(byResidue.emplace(p.residue, &p).second);
                // The re-padded dy fits the stride-1 conv.
                ASSERT_EQ(g.outputSize() + p.padLow + p.padHigh,
                          p.numOutputs + (p.numTaps - 1) * p.dilation);
              }
              ASSERT_EQ(covered == h, g.dgradReachesEveryPosition());
              for (int64_t i = 0; i < h; ++i) {
                std::set<std::pair<int64_t, int64_t>> expected, actual;
                for (int64_t o = 0; o < g.outputSize(); ++o)
                  for (int64_t t = 0; t < k; ++t)
                    if (o * s + t * d - lo == i)
                      expected.insert({o, t});
                auto found = byResidue.find(i % s);
                mlir::convgrad::DgradPhase none;
                const auto &p = found == byResidue.end() ? none : *found->second;
                int64_t row = i / s;
                for (int64_t j = 0; j < p.numTaps; ++j) {
                  int64_t o = row - p.padLow + j * p.dilation;
                  int64_t tap = p.firstTap + (p.numTaps - 1 - j) * p.tapStep;
                  ASSERT_LT(tap, k);
                  if (o >= 0 && o < g.outputSize())
                    actual.insert({o, tap});
                }
                ASSERT_EQ(expected, actual)
                    << "H=" << h << " K=" << k << " s=" << s << " d=" << d
                    << " lo=" << lo << " hi=" << hi << " i=" << i;
                ++checked;
              }
            }
  EXPECT_GT(checked, 10000);
}

TEST(ConvShape, DgradPhasesDoNotGrowWithTheStride) {
  // A stride far beyond the kernel extent: one phase per tap at most.
  ConvDimGeometry g = dim(1, 1, 2147483647, 1, 0, 0);
  ASSERT_EQ(g.dgradPhases().size(), 1u);
  EXPECT_TRUE(g.dgradReachesEveryPosition());
  ConvDimGeometry wide = dim(20000, 3, 5000, 2, 1, 1);
  std::vector<mlir::convgrad::DgradPhase> phases = wide.dgradPhases();
  ASSERT_EQ(phases.size(), 3u);
  EXPECT_FALSE(wide.dgradReachesEveryPosition());
  EXPECT_EQ(phases[0].residue, 1);    // tap 1: 1*2 - 1
  EXPECT_EQ(phases[1].residue, 3);    // tap 2: 2*2 - 1
  EXPECT_EQ(phases[2].residue, 4999); // tap 0: (0 - 1) mod 5000
}

TEST(ConvShape, DimPositions) {
  ConvDimPositions cf{2, false}, cl{3, true};
  EXPECT_EQ(cf.rank(), 4u);
  EXPECT_EQ(cf.channel(), 1u);
  EXPECT_EQ(cf.spatial(0), 2u);
  EXPECT_EQ(cl.rank(), 5u);
  EXPECT_EQ(cl.channel(), 4u);
  EXPECT_EQ(cl.spatial(2), 3u);
}

TEST(ConvShape, SubsampledInputReadsTheSamePositions) {
  // Every (output, tap) pair reads the same input element through the slice
  // (or padding in both), with the same output size and paddings >= 0.
  int subsampled = 0;
  for (int64_t h = 1; h <= 9; ++h)
    for (int64_t k = 1; k <= 4; ++k)
      for (int64_t s = 1; s <= 4; ++s)
        for (int64_t d = 1; d <= 3; ++d)
          for (int64_t lo = 0; lo <= 4; ++lo)
            for (int64_t hi = 0; hi <= 3; ++hi) {
              ConvDimGeometry g = dim(h, k, s, d, lo, hi);
              if (!g.fits())
                continue;
              mlir::convgrad::SubsampledInput sub = g.subsampledInput();
              const ConvDimGeometry &sg = sub.geometry;
              ASSERT_EQ(sub.step, k == 1 ? s : std::gcd(s, d));
              ASSERT_GE(sub.offset, 0);
              ASSERT_LT(sub.offset, sub.step);
              ASSERT_GE(sg.padLow, 0);
              ASSERT_GE(sg.padHigh, 0);
              ASSERT_EQ(sg.inputSize, sub.size);
              if (sub.size == 0)
                continue;
              ASSERT_EQ(sg.outputSize(), g.outputSize());
              for (int64_t o = 0; o < g.outputSize(); ++o)
                for (int64_t t = 0; t < k; ++t) {
                  int64_t i = o * s + t * d - lo;
                  int64_t j = o * sg.stride + t * sg.dilation - sg.padLow;
                  bool inInput = i >= 0 && i < h;
                  ASSERT_EQ(inInput, j >= 0 && j < sub.size);
                  if (inInput)
                    ASSERT_EQ(i, sub.offset + sub.step * j);
                }
              subsampled += sub.step > 1;
            }
  EXPECT_GT(subsampled, 0);
  // Row e of the benchmark: 1x1 stride 2 reads every other row.
  mlir::convgrad::SubsampledInput e = dim(56, 1, 2).subsampledInput();
  EXPECT_EQ(e.step, 2);
  EXPECT_EQ(e.offset, 0);
  EXPECT_EQ(e.size, 28);
  EXPECT_EQ(e.geometry.stride, 1);
  EXPECT_EQ(e.geometry.padHigh, 0);
}

TEST(ConvShape, TapsReadingInputKeepEveryTapThatReadsTheInput) {
  // Against the definition: tap k reads the input iff some output o has
  // 0 <= o*s + k*d - lo < H. Every such tap is kept, the cropped geometry
  // has non-negative paddings and the same output size, and each kept tap
  // reads the same positions at its new index.
  int cropped = 0;
  for (int64_t h = 1; h <= 7; ++h)
    for (int64_t k = 1; k <= 5; ++k)
      for (int64_t s = 1; s <= 4; ++s)
        for (int64_t d = 1; d <= 9; d += 2)
          for (int64_t lo = 0; lo <= 12; lo += 3)
            for (int64_t hi = 0; hi <= 12; hi += 4) {
              ConvDimGeometry g = dim(h, k, s, d, lo, hi);
              if (!g.fits())
                continue;
              auto reads = [&](int64_t tap) {
                for (int64_t o = 0; o < g.outputSize(); ++o) {
                  int64_t i = o * s + tap * d - lo;
                  if (i >= 0 && i < h)
                    return true;
                }
                return false;
              };
              mlir::convgrad::TapRange r = g.tapsReadingInput();
              bool anyReads = false;
              for (int64_t tap = 0; tap < k; ++tap)
                anyReads |= reads(tap);
              ASSERT_EQ(r.empty(), !anyReads);
              if (r.empty())
                continue;
              for (int64_t tap = 0; tap < k; ++tap)
                if (tap < r.first || tap > r.last)
                  ASSERT_FALSE(reads(tap));
              const ConvDimGeometry &c = r.geometry;
              ASSERT_GE(c.padLow, 0);
              ASSERT_GE(c.padHigh, 0);
              ASSERT_EQ(c.kernelSize, r.last - r.first + 1);
              ASSERT_EQ(c.outputSize(), g.outputSize());
              ASSERT_EQ(c.padLow, lo - r.first * d);
              cropped += r.crops(k);
            }
  EXPECT_GT(cropped, 100);
}

TEST(ConvShape, TapsReadingInputBoundsHugeDilation) {
  // 3 taps 300000 apart, padded by 600000 below: only the last tap reaches
  // the 5 inputs; the convolution over it needs no padding at all.
  mlir::convgrad::TapRange r = dim(5, 3, 1, 300000, 600000, 0).tapsReadingInput();
  EXPECT_EQ(r.first, 2);
  EXPECT_EQ(r.last, 2);
  EXPECT_EQ(r.geometry.padLow, 0);
  EXPECT_EQ(r.geometry.padHigh, 0);
  EXPECT_EQ(r.geometry.paddedInputSize(), 5);
}

} // namespace
