//===- TestCasesTest.cpp - Tests of the test-case lines and draws ---------===//
//
// Checks Testing/TestCases: the .cfg line parser and formatter (defaults,
// comments, errors, round trips, transposed cases) and the random test-case
// generator (always valid, covers the features, deterministic, draws
// transposed cases without moving the caller's generator).
//
//===----------------------------------------------------------------------===//

#include "convgrad/Testing/TestCases.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

using namespace convgrad::reference;
using namespace convgrad::testcases;

//===----------------------------------------------------------------------===//
// Random test-case generator.
//===----------------------------------------------------------------------===//

TEST(RandomTestCase, AlwaysValidAndCoversFeatures) {
  std::mt19937_64 rng(1);
  std::set<std::string> seen;
  for (int t = 0; t < 3000; ++t) {
    TestCase tc = randomTestCase(rng);
    const ConvConfig &cv = tc.conv;
    ASSERT_EQ(cv.validate(), "") << formatTestCase(tc);
    RandomLimits lim;
    ASSERT_LE(cv.batch, lim.maxBatch);
    ASSERT_LE(cv.groups, lim.maxGroups);
    seen.insert("rank" + std::to_string(cv.rank()));
    seen.insert(cv.layout == Layout::ChannelsFirst ? "cf" : "cl");
    seen.insert("type-" + tc.elementType);
    if (tc.dynamicBatch)
      seen.insert("dynbatch");
    if (cv.batch == 1) seen.insert("batch1");
    if (cv.batch == 3) seen.insert("batch3");
    int64_t C = cv.inChannels, F = cv.outChannels, G = cv.groups;
    if (G > 1 && G == C && G == F) seen.insert("depthwise");
    if (G > 1 && G == C && F == 2 * C) seen.insert("multiplier");
    if (G > 1 && C / G > 1 && F / G > 1) seen.insert("grouped");
    std::vector<int64_t> o = cv.outputSizes();
    for (unsigned i = 0; i < cv.rank(); ++i) {
      int64_t ke = (cv.kernelSizes[i] - 1) * cv.dilations[i] + 1;
      int64_t span = cv.inputSizes[i] + cv.padLow[i] + cv.padHigh[i] - ke;
      if (cv.padLow[i] > ke - 1) seen.insert("padLow>Ke-1");
      if (cv.padHigh[i] > ke - 1) seen.insert("padHigh>Ke-1");
      if (cv.padLow[i] != cv.padHigh[i]) seen.insert("asymmetric");
      if (cv.strides[i] > cv.kernelSizes[i]) seen.insert("stride>kernel");
      if (cv.strides[i] > 1 && cv.dilations[i] > 1) seen.insert("stride+dil");
      if (span % cv.strides[i] != 0) seen.insert("remainder");
      if (cv.kernelSizes[i] == 1) seen.insert("k1");
      seen.insert("s" + std::to_string(cv.strides[i]));
      seen.insert("d" + std::to_string(cv.dilations[i]));
      ASSERT_EQ(o[i], span / cv.strides[i] + 1);
    }
  }
  for (const char *want :
       {"rank1", "rank2", "rank3", "cf", "cl", "type-f32", "type-f64",
        "type-f16", "type-bf16", "dynbatch", "batch1", "batch3", "depthwise",
        "multiplier", "grouped", "padLow>Ke-1", "padHigh>Ke-1", "asymmetric",
        "stride>kernel", "stride+dil", "remainder", "k1", "s1", "s2", "s3",
        "s4", "d1", "d2", "d3"})
    EXPECT_TRUE(seen.count(want)) << "never generated: " << want;
}

TEST(RandomTestCase, DeterministicAndRespectsTinyLimits) {
  std::mt19937_64 a(5), b(5);
  for (int t = 0; t < 50; ++t)
    EXPECT_EQ(formatTestCase(randomTestCase(a)),
              formatTestCase(randomTestCase(b)));
  RandomLimits tiny;
  tiny.maxRank = 1;
  tiny.maxBatch = tiny.maxChannelsPerGroup = tiny.maxGroups = 1;
  tiny.maxSize = 1;
  tiny.maxKernel = 4;
  tiny.maxStride = 1;
  tiny.maxDilation = 3;
  tiny.maxPad = 0;
  std::mt19937_64 rng(3);
  for (int t = 0; t < 200; ++t) {
    TestCase tc = randomTestCase(rng, tiny);
    ASSERT_EQ(tc.conv.validate(), "") << formatTestCase(tc);
    EXPECT_EQ(tc.conv.kernelSizes, (std::vector<int64_t>{1}));
  }
}

// A fraction of the cases are transposed convolutions, valid ones with every
// output padding drawn; the draw does not move the caller's generator, so a
// seed's cases keep the attributes they had with forward cases only.
TEST(RandomTestCase, DrawsTransposedWithoutChangingTheSeedsCases) {
  std::mt19937_64 a(42), b(42);
  RandomLimits forwardOnly;
  forwardOnly.transposedPercent = 0;
  int transposed = 0;
  std::set<int64_t> outputPaddings;
  const int kCases = 1000;
  for (int t = 0; t < kCases; ++t) {
    TestCase tc = randomTestCase(a);
    TestCase forward = randomTestCase(b, forwardOnly);
    SCOPED_TRACE(formatTestCase(tc));
    ASSERT_FALSE(forward.transposed);
    ASSERT_EQ(tc.conv.validate(), "");
    if (tc.transposed) {
      ++transposed;
      ASSERT_EQ(tc.transposedConfig().validate(), "");
      outputPaddings.insert(tc.outputPadding.begin(), tc.outputPadding.end());
      tc.transposed = false;
      tc.outputPadding.clear();
    }
    ASSERT_EQ(formatTestCase(tc), formatTestCase(forward));
  }
  EXPECT_GT(transposed, kCases / 8);
  EXPECT_LT(transposed, kCases / 2);
  EXPECT_TRUE(outputPaddings.count(0) && outputPaddings.count(1) &&
              outputPaddings.count(2));
}

//===----------------------------------------------------------------------===//
// Test-case lines.
//===----------------------------------------------------------------------===//

TEST(Parse, FullExample) {
  TestCase tc;
  std::string err;
  ASSERT_TRUE(parseTestCase("n=2 c=4 f=6 g=2 in=7,5 k=3,2 s=2,1 d=1,2 pl=1,0 "
                            "ph=2,1 layout=cf type=f32 dynbatch=0",
                            tc, err))
      << err;
  EXPECT_EQ(err, "");
  const ConvConfig &cv = tc.conv;
  EXPECT_EQ(cv.batch, 2);
  EXPECT_EQ(cv.inChannels, 4);
  EXPECT_EQ(cv.outChannels, 6);
  EXPECT_EQ(cv.groups, 2);
  EXPECT_EQ(cv.inputSizes, (std::vector<int64_t>{7, 5}));
  EXPECT_EQ(cv.kernelSizes, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(cv.strides, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(cv.dilations, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(cv.padLow, (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(cv.padHigh, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(cv.layout, Layout::ChannelsFirst);
  EXPECT_EQ(tc.elementType, "f32");
  EXPECT_FALSE(tc.dynamicBatch);
  EXPECT_EQ(cv.outputSizes(), (std::vector<int64_t>{4, 4}));
}

TEST(Parse, DefaultsCommentsAndWhitespace) {
  TestCase tc;
  std::string err;
  ASSERT_TRUE(parseTestCase("  \tk=1,2,3   in=4,5,6  # trailing comment s=9",
                            tc, err))
      << err;
  const ConvConfig &cv = tc.conv;
  EXPECT_EQ(cv.batch, 1);
  EXPECT_EQ(cv.inChannels, 1);
  EXPECT_EQ(cv.outChannels, 1);
  EXPECT_EQ(cv.groups, 1);
  EXPECT_EQ(cv.strides, (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(cv.dilations, (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(cv.padLow, (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(cv.padHigh, (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(cv.layout, Layout::ChannelsFirst);
  EXPECT_EQ(tc.elementType, "f32");
  EXPECT_FALSE(tc.dynamicBatch);

  ASSERT_TRUE(parseTestCase("in=9 k=2 layout=cl type=bf16 dynbatch=1 n=3",
                            tc, err))
      << err;
  EXPECT_EQ(tc.conv.layout, Layout::ChannelsLast);
  EXPECT_EQ(tc.elementType, "bf16");
  EXPECT_TRUE(tc.dynamicBatch);
  EXPECT_EQ(tc.conv.batch, 3);

  EXPECT_TRUE(isBlankOrCommentLine(""));
  EXPECT_TRUE(isBlankOrCommentLine("   \t "));
  EXPECT_TRUE(isBlankOrCommentLine("# in=3 k=2"));
  EXPECT_TRUE(isBlankOrCommentLine("   # comment"));
  EXPECT_FALSE(isBlankOrCommentLine("in=3 k=2"));
}

TEST(Parse, Errors) {
  struct Row {
    const char *line;
    const char *needle; // must appear in the error message
  } rows[] = {
      {"", "empty"},
      {"   # only a comment", "empty"},
      {"in=5 k=3 foo=1", "foo=1"},
      {"in=5 k=3 s", "'s'"},
      {"in=5 k=3 =3", "=3"},
      {"in=5 k=x", "k=x"},
      {"in=5 k=3 n=two", "n=two"},
      {"in=5 k=3 n=2.5", "n=2.5"},
      {"in=5 k=3 s=+1", "s=+1"},
      {"in=5,,5 k=3,3,3", "in=5,,5"},
      {"in=5,5, k=3,3", "in=5,5,"},
      {"in=5 k=3 pl=1,1", "pl=1,1"},
      {"in=5,5 k=3 ", "k=3"},
      {"in=5,5 k=3,3 d=1", "d=1"},
      {"in=5,5 k=3,3 ph=0,0,0", "ph=0,0,0"},
      {"in=5,5,5,5 k=1,1,1,1", "in=5,5,5,5"},
      {"k=3", "'in'"},
      {"in=5", "'k'"},
      {"in=5 k=3 n=1 n=2", "n=2"},
      {"in=5 k=3 layout=nchw", "layout=nchw"},
      {"in=5 k=3 type=f8", "type=f8"},
      {"in=5 k=3 dynbatch=2", "dynbatch=2"},
      {"in=5 k=3 dynbatch=true", "dynbatch=true"},
      {"in=5 k=3 c=4 f=6 g=3", "invalid convolution"},
      {"in=2 k=3", "output size"},
      {"in=5 k=3 s=0", "stride"},
      {"in=5 k=3 pl=-1", "low padding"},
      {"in=5 k=0", "kernel size"},
      {"in=5 k=3 n=0", "batch"},
      {"in=5 k=3 n=99999999999999999999", "n=99999999999999999999"},
  };
  for (const Row &r : rows) {
    TestCase tc;
    tc.elementType = "sentinel";
    std::string err;
    EXPECT_FALSE(parseTestCase(r.line, tc, err)) << "line: " << r.line;
    EXPECT_NE(err.find(r.needle), std::string::npos)
        << "line: '" << r.line << "' error: '" << err << "' expected to mention '"
        << r.needle << "'";
    EXPECT_EQ(tc.elementType, "sentinel") << "output modified on failure";
  }
}

TEST(Parse, RoundTripRandom) {
  std::mt19937_64 rng(123);
  for (int t = 0; t < 1000; ++t) {
    TestCase tc = randomTestCase(rng);
    std::string line = formatTestCase(tc);
    TestCase back;
    std::string err;
    ASSERT_TRUE(parseTestCase(line, back, err)) << line << ": " << err;
    EXPECT_EQ(formatTestCase(back), line);
    EXPECT_EQ(back.conv.batch, tc.conv.batch);
    EXPECT_EQ(back.conv.inChannels, tc.conv.inChannels);
    EXPECT_EQ(back.conv.outChannels, tc.conv.outChannels);
    EXPECT_EQ(back.conv.groups, tc.conv.groups);
    EXPECT_EQ(back.conv.inputSizes, tc.conv.inputSizes);
    EXPECT_EQ(back.conv.kernelSizes, tc.conv.kernelSizes);
    EXPECT_EQ(back.conv.strides, tc.conv.strides);
    EXPECT_EQ(back.conv.dilations, tc.conv.dilations);
    EXPECT_EQ(back.conv.padLow, tc.conv.padLow);
    EXPECT_EQ(back.conv.padHigh, tc.conv.padHigh);
    EXPECT_EQ(back.conv.layout, tc.conv.layout);
    EXPECT_EQ(back.elementType, tc.elementType);
    EXPECT_EQ(back.dynamicBatch, tc.dynamicBatch);
  }
}

//===----------------------------------------------------------------------===//
// Transposed test cases.
//===----------------------------------------------------------------------===//

TEST(Transposed, ParseAndFormat) {
  TestCase tc;
  std::string err;
  ASSERT_TRUE(parseTestCase("n=2 c=4 f=6 g=2 in=3 k=3 s=2 pl=1 ph=1 "
                            "op=transpose opad=1",
                            tc, err))
      << err;
  EXPECT_TRUE(tc.transposed);
  EXPECT_EQ(tc.outputPadding, (std::vector<int64_t>{1}));
  TestCase back;
  ASSERT_TRUE(parseTestCase(formatTestCase(tc), back, err)) << err;
  EXPECT_EQ(formatTestCase(back), formatTestCase(tc));
  EXPECT_FALSE(parseTestCase("in=3 k=3 opad=1", tc, err));
  EXPECT_NE(err.find("op=transpose"), std::string::npos);
  EXPECT_FALSE(parseTestCase("in=3 k=3 s=2 op=transpose opad=2", tc, err));
  EXPECT_NE(err.find("max(stride, dilation)"), std::string::npos);
}
