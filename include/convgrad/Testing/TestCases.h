//===- TestCases.h - Numerical test cases: .cfg lines, random draws -*- C++ -*-===//
//
// The configurations the numerical tests and tools run: one line of a .cfg
// file per case, and random valid cases. Kept apart from lib/Reference (the
// defining sums only). No MLIR dependency.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_TESTING_TESTCASES_H
#define CONVGRAD_TESTING_TESTCASES_H

#include "convgrad/Reference/ConvReference.h"

#include <random>
#include <string>
#include <vector>

namespace convgrad {
namespace testcases {

using reference::ConvConfig;
using reference::Layout;
using reference::TransposedConvConfig;

/// A numerical test case: one line of a .cfg file, e.g.
///   n=2 c=4 f=6 g=2 in=7,5 k=3,2 s=2,1 d=1,2 pl=1,0 ph=2,1 layout=cf type=f32 dynbatch=0
/// `in` and `k` are required (same length R = 1..3); s,d default to 1,
/// pl,ph to 0, n,c,f,g to 1, layout (cf|cl) to cf, type (f32|f64|f16|bf16) to
/// f32, dynbatch (0|1) to 0. `#` starts a comment.
///
/// `op=transpose` makes the line a transposed convolution (TransposedConvConfig:
/// c = C_in, f = C_out, in = its input sizes) with `opad=` its output padding
/// (default 0).
struct TestCase {
  ConvConfig conv;
  std::string elementType = "f32";
  bool dynamicBatch = false;
  bool transposed = false;
  std::vector<int64_t> outputPadding; ///< transposed only; R entries

  TransposedConvConfig transposedConfig() const {
    return TransposedConvConfig{conv, outputPadding};
  }
};

/// Parses one line. Returns false and sets `error` on bad syntax or on an
/// invalid configuration (ConvConfig::validate()). A blank or comment-only
/// line is an error too ("empty line"); use isBlankOrCommentLine() to skip
/// those when reading a file.
bool parseTestCase(const std::string &line, TestCase &out, std::string &error);
/// True if the line holds no tokens (only whitespace and/or a `#` comment).
bool isBlankOrCommentLine(const std::string &line);
/// Writes every key explicitly; round-trips through parseTestCase.
std::string formatTestCase(const TestCase &tc);

struct RandomLimits {
  unsigned maxRank = 3;
  int64_t maxBatch = 3, maxChannelsPerGroup = 4, maxGroups = 4, maxSize = 9,
          maxKernel = 4, maxStride = 4, maxDilation = 3, maxPad = 5;
  /// If > 0: C and F are at most this (channels per group shrink with G).
  int64_t maxChannels = 0;
  /// If > 0: the multiply-adds of the reference for fwd + dgrad + wgrad
  /// (referenceWork) are at most this; the largest dimensions other than
  /// one chosen at random are halved until they are.
  double maxReferenceWork = 0;
  /// About this percentage of the cases are transposed convolutions
  /// (`op=transpose`); 0 draws forward convolutions only.
  int64_t transposedPercent = 25;
};
/// Mid-size cases: C, F up to 160 (odd and prime counts included), spatial
/// sizes up to 64, batch up to 4, kernel up to 7, at most 3e6 reference
/// multiply-adds per configuration.
RandomLimits midSizeRandomLimits();
/// Multiply-adds of the reference loop nests of fwd, dgrad and wgrad.
double referenceWork(const ConvConfig &conv);
/// A random, always valid test case within `limits` (all limits must be >= 1;
/// maxRank is clamped to 1..3). Covers stride, dilation, asymmetric padding
/// (also larger than the kernel extent), G=1 / depthwise / channel-multiplier
/// / general groups, both layouts, all four element types, dynamic batch,
/// and transposed convolutions with output padding. The forward attributes
/// (`tc.conv`) are a valid convolution in every case, transposed or not, and
/// a seed draws the same attributes whatever `transposedPercent` is.
TestCase randomTestCase(std::mt19937_64 &rng, const RandomLimits &limits = {});

} // namespace testcases
} // namespace convgrad

#endif // CONVGRAD_TESTING_TESTCASES_H
