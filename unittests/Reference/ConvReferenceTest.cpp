//===- ConvReferenceTest.cpp - Tests of the independent reference ---------===//
//
// Checks the loop-nest reference against hand-computed values (the seed
// 3x3 / 2x2 example and small strided / dilated / padded 1-D cases), the
// output-size arithmetic, the adjoint identities, an element-wise Jacobian
// check (columns of the forward map), the grouped = block-diagonal identity,
// and the layout equivalence (test cases drawn by Testing/TestCases, whose
// own tests are unittests/Testing/TestCasesTest.cpp).
//
//===----------------------------------------------------------------------===//

#include "convgrad/Reference/ConvReference.h"
#include "convgrad/Testing/TestCases.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using namespace convgrad::reference;
using namespace convgrad::testcases;

namespace {

ConvConfig makeConv(std::vector<int64_t> in, std::vector<int64_t> k,
                    std::vector<int64_t> s, std::vector<int64_t> d,
                    std::vector<int64_t> pl, std::vector<int64_t> ph,
                    int64_t n = 1, int64_t c = 1, int64_t f = 1, int64_t g = 1,
                    Layout layout = Layout::ChannelsFirst) {
  ConvConfig cv;
  cv.batch = n;
  cv.inChannels = c;
  cv.outChannels = f;
  cv.groups = g;
  cv.inputSizes = std::move(in);
  cv.kernelSizes = std::move(k);
  cv.strides = std::move(s);
  cv.dilations = std::move(d);
  cv.padLow = std::move(pl);
  cv.padHigh = std::move(ph);
  cv.layout = layout;
  return cv;
}

ConvConfig seedConv() {
  return makeConv({3, 3}, {2, 2}, {1, 1}, {1, 1}, {0, 0}, {0, 0});
}

std::vector<double> randomData(std::mt19937_64 &rng, int64_t count) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(static_cast<size_t>(count));
  for (double &e : v)
    e = dist(rng);
  return v;
}

void expectValues(const std::vector<double> &actual,
                  const std::vector<double> &expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_DOUBLE_EQ(actual[i], expected[i]) << "at flat index " << i;
}

/// Smaller limits for the (quadratic-cost) Jacobian test.
RandomLimits smallLimits() {
  RandomLimits l;
  l.maxBatch = 2;
  l.maxChannelsPerGroup = 2;
  l.maxGroups = 3;
  l.maxSize = 6;
  l.maxKernel = 3;
  return l;
}

/// CF [A, B, S] -> CL [A, S, B] (S = flattened spatial extent).
std::vector<double> toChannelsLast(const std::vector<double> &cf, int64_t a,
                                   int64_t b, int64_t s) {
  std::vector<double> cl(cf.size());
  for (int64_t ai = 0; ai < a; ++ai)
    for (int64_t bi = 0; bi < b; ++bi)
      for (int64_t si = 0; si < s; ++si)
        cl[(ai * s + si) * b + bi] = cf[(ai * b + bi) * s + si];
  return cl;
}

} // namespace

//===----------------------------------------------------------------------===//
// The seed example: x 3x3 = 1..9, w 2x2 = [[1,2],[3,4]], N=C=F=1, s=1, p=0.
//===----------------------------------------------------------------------===//

TEST(SeedExample, Shapes) {
  ConvConfig cv = seedConv();
  EXPECT_EQ(cv.validate(), "");
  EXPECT_EQ(cv.rank(), 2u);
  EXPECT_EQ(cv.outputSizes(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(cv.inputShape(), (std::vector<int64_t>{1, 1, 3, 3}));
  EXPECT_EQ(cv.filterShape(), (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(cv.outputShape(), (std::vector<int64_t>{1, 1, 2, 2}));
}

TEST(SeedExample, Forward) {
  ConvConfig cv = seedConv();
  std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<double> w{1, 2, 3, 4};
  // y11 = w11 x11 + w12 x12 + w21 x21 + w22 x22 = 1 + 4 + 12 + 20 = 37
  // y12 = w11 x12 + w12 x13 + w21 x22 + w22 x23 = 2 + 6 + 15 + 24 = 47
  // y21 = w11 x21 + w12 x22 + w21 x31 + w22 x32 = 4 + 10 + 21 + 32 = 67
  // y22 = w11 x22 + w12 x23 + w21 x32 + w22 x33 = 5 + 12 + 24 + 36 = 77
  Result y = forward(cv, x, w, nullptr);
  expectValues(y.value, {37, 47, 67, 77});
  expectValues(y.absSum, {37, 47, 67, 77}); // all terms positive
  std::vector<double> b{10};
  Result yb = forward(cv, x, w, &b);
  expectValues(yb.value, {47, 57, 77, 87});
  expectValues(yb.absSum, {47, 57, 77, 87});
  std::vector<double> bn{-10};
  Result ybn = forward(cv, x, w, &bn);
  expectValues(ybn.value, {27, 37, 57, 67});
  expectValues(ybn.absSum, {47, 57, 77, 87}); // |bias| is added
}

TEST(SeedExample, BackwardData) {
  ConvConfig cv = seedConv();
  std::vector<double> dy{1, 2, 3, 4}; // dy11 dy12 dy21 dy22
  std::vector<double> w{1, 2, 3, 4};  // w11 w12 w21 w22
  // dx11 = dy11 w11                               = 1
  // dx12 = dy11 w12 + dy12 w11                    = 2 + 2 = 4
  // dx13 = dy12 w12                               = 4
  // dx21 = dy11 w21 + dy21 w11                    = 3 + 3 = 6
  // dx22 = dy11 w22 + dy12 w21 + dy21 w12 + dy22 w11 = 4 + 6 + 6 + 4 = 20
  // dx23 = dy12 w22 + dy22 w12                    = 8 + 8 = 16
  // dx31 = dy21 w21                               = 9
  // dx32 = dy21 w22 + dy22 w21                    = 12 + 12 = 24
  // dx33 = dy22 w22                               = 16
  Result dx = backwardData(cv, dy, w);
  expectValues(dx.value, {1, 4, 4, 6, 20, 16, 9, 24, 16});
  expectValues(dx.absSum, {1, 4, 4, 6, 20, 16, 9, 24, 16});

  // A second, asymmetric pair: dy = [[1,0],[0,-1]], w = [[1,2],[3,4]].
  // dx11 = 1, dx12 = 2, dx13 = 0, dx21 = 3, dx22 = 4 - 1 = 3, dx23 = -2,
  // dx31 = 0, dx32 = -3, dx33 = -4.
  Result dx2 = backwardData(cv, {1, 0, 0, -1}, w);
  expectValues(dx2.value, {1, 2, 0, 3, 3, -2, 0, -3, -4});
  expectValues(dx2.absSum, {1, 2, 0, 3, 5, 2, 0, 3, 4});
}

TEST(SeedExample, BackwardFilter) {
  ConvConfig cv = seedConv();
  std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9};
  // dw11 = dy11 x11 + dy12 x12 + dy21 x21 + dy22 x22 = 1 + 4 + 12 + 20 = 37
  // dw12 = dy11 x12 + dy12 x13 + dy21 x22 + dy22 x23 = 2 + 6 + 15 + 24 = 47
  // dw21 = dy11 x21 + dy12 x22 + dy21 x31 + dy22 x32 = 4 + 10 + 21 + 32 = 67
  // dw22 = dy11 x22 + dy12 x23 + dy21 x32 + dy22 x33 = 5 + 12 + 24 + 36 = 77
  Result dw = backwardFilter(cv, x, {1, 2, 3, 4});
  expectValues(dw.value, {37, 47, 67, 77});
  // dy = [[1,0],[0,2]]: dw11 = x11 + 2 x22 = 11, dw12 = x12 + 2 x23 = 14,
  //                     dw21 = x21 + 2 x32 = 20, dw22 = x22 + 2 x33 = 23.
  Result dw2 = backwardFilter(cv, x, {1, 0, 0, 2});
  expectValues(dw2.value, {11, 14, 20, 23});
}

TEST(SeedExample, BackwardBias) {
  ConvConfig cv = seedConv();
  Result db = backwardBias(cv, {1, 2, 3, 4});
  expectValues(db.value, {10});
  expectValues(db.absSum, {10});
  Result db2 = backwardBias(cv, {1, -2, 3, -4});
  expectValues(db2.value, {-2});
  expectValues(db2.absSum, {10});
}

//===----------------------------------------------------------------------===//
// Hand-computed 1-D cases with stride, dilation, padding.
//===----------------------------------------------------------------------===//

// H=5, K=2, s=2, d=2, pl=1, ph=2: Ke=3, O = floor((5+3-3)/2)+1 = 3, r = 1.
// y[o] = w0 x[2o-1] + w1 x[2o+1].
TEST(HandComputed, StridedDilatedPadded1D) {
  ConvConfig cv = makeConv({5}, {2}, {2}, {2}, {1}, {2});
  ASSERT_EQ(cv.validate(), "");
  EXPECT_EQ(cv.outputSizes(), (std::vector<int64_t>{3}));
  std::vector<double> x{1, 2, 3, 4, 5}, w{1, 10}, dy{1, 2, 3};
  // o=0: 0 + 10*x1 = 20; o=1: x1 + 10*x3 = 42; o=2: x3 + 10*x5(pad) = 4.
  expectValues(forward(cv, x, w, nullptr).value, {20, 42, 4});
  // dx[i]: pairs (o,k) with 2o + 2k - 1 = i. Even i: none.
  // i=1: (0,1),(1,0) -> 1*10 + 2*1 = 12; i=3: (1,1),(2,0) -> 2*10 + 3*1 = 23.
  expectValues(backwardData(cv, dy, w).value, {0, 12, 0, 23, 0});
  // dw[0] = sum_o dy[o] x[2o-1] = 0 + 2*2 + 3*4 = 16
  // dw[1] = sum_o dy[o] x[2o+1] = 1*2 + 2*4 + 3*0 = 10
  expectValues(backwardFilter(cv, x, dy).value, {16, 10});
  expectValues(backwardBias(cv, dy).value, {6});
}

// H=3, K=2, pl=3, ph=4 (both > Ke-1 = 1): O = 3+7-2+1 = 9; several outputs
// read only padding. y[o] = w0 x[o-3] + w1 x[o-2].
TEST(HandComputed, PaddingLargerThanKernel1D) {
  ConvConfig cv = makeConv({3}, {2}, {1}, {1}, {3}, {4});
  ASSERT_EQ(cv.validate(), "");
  EXPECT_EQ(cv.outputSizes(), (std::vector<int64_t>{9}));
  std::vector<double> x{1, 2, 3}, w{1, 10};
  std::vector<double> dy{1, 2, 3, 4, 5, 6, 7, 8, 9};
  expectValues(forward(cv, x, w, nullptr).value,
               {0, 0, 10, 21, 32, 3, 0, 0, 0});
  std::vector<double> b{0.5};
  expectValues(forward(cv, x, w, &b).value,
               {0.5, 0.5, 10.5, 21.5, 32.5, 3.5, 0.5, 0.5, 0.5});
  // dx[i] = dy[i+3] w0 + dy[i+2] w1 (0-based dy[o] = o+1).
  expectValues(backwardData(cv, dy, w).value, {34, 45, 56});
  // dw[0] = sum_{o=3..5} dy[o] x[o-3] = 4 + 10 + 18 = 32
  // dw[1] = sum_{o=2..4} dy[o] x[o-2] = 3 + 8 + 15 = 26
  expectValues(backwardFilter(cv, x, dy).value, {32, 26});
}

// Depthwise (G=C=F=2), 1-D, channels-last: channel 1 must not see channel 0.
TEST(HandComputed, Depthwise1DChannelsLast) {
  ConvConfig cv = makeConv({3}, {2}, {1}, {1}, {0}, {0}, 1, 2, 2, 2,
                           Layout::ChannelsLast);
  ASSERT_EQ(cv.validate(), "");
  EXPECT_EQ(cv.inputShape(), (std::vector<int64_t>{1, 3, 2}));
  EXPECT_EQ(cv.filterShape(), (std::vector<int64_t>{2, 2, 1}));
  EXPECT_EQ(cv.outputShape(), (std::vector<int64_t>{1, 2, 2}));
  // x[c=0] = 1,2,3; x[c=1] = 10,20,30 (interleaved NWC).
  std::vector<double> x{1, 10, 2, 20, 3, 30};
  // w[f=0] = (1, 2); w[f=1] = (3, 4) over k ([F,K,1]).
  std::vector<double> w{1, 2, 3, 4};
  // y[f=0] = 1*1+2*2 = 5, 1*2+2*3 = 8; y[f=1] = 3*10+4*20 = 110, 3*20+4*30 = 180
  expectValues(forward(cv, x, w, nullptr).value, {5, 110, 8, 180});
}

// Grouped with C=4, F=2, G=2, 1x1 kernel: y[f] = sum_{c in group} w[f,c] x[c].
TEST(HandComputed, Grouped1x1) {
  ConvConfig cv = makeConv({1}, {1}, {1}, {1}, {0}, {0}, 1, 4, 2, 2);
  ASSERT_EQ(cv.validate(), "");
  std::vector<double> x{1, 2, 3, 4}, w{1, 10, 100, 1000};
  // y0 = 1*1 + 10*2 = 21; y1 = 100*3 + 1000*4 = 4300.
  expectValues(forward(cv, x, w, nullptr).value, {21, 4300});
  // dx[c] = sum_f dy[f] w[f, c - g*Cg]: dy = (1, 2) -> 1, 10, 200, 2000.
  expectValues(backwardData(cv, {1, 2}, w).value, {1, 10, 200, 2000});
  // dw[f,c] = dy[f] x[g*Cg + c]: 1, 2, 6, 8.
  expectValues(backwardFilter(cv, x, {1, 2}).value, {1, 2, 6, 8});
}

//===----------------------------------------------------------------------===//
// Output-size arithmetic and validation.
//===----------------------------------------------------------------------===//

TEST(OutputSize, Arithmetic) {
  struct Row {
    int64_t h, k, s, d, pl, ph, o;
  } rows[] = {
      {8, 3, 2, 1, 0, 0, 3}, // (8-3)/2 = 2 rem 1 -> O=3, r=1
      {7, 3, 2, 1, 0, 0, 3}, // (7-3)/2 = 2 rem 0 -> O=3, r=0
      {9, 3, 4, 1, 0, 0, 2}, // (9-3)/4 = 1 rem 2
      {3, 2, 1, 1, 3, 0, 5}, // pad larger than kernel
      {3, 2, 1, 1, 0, 3, 5},
      {9, 3, 1, 4, 0, 0, 1}, // Ke = 9 = H
      {9, 3, 1, 3, 1, 1, 5}, // Ke = 7
      {5, 5, 1, 1, 0, 0, 1}, // kernel == input
      {1, 1, 3, 1, 0, 0, 1}, // stride larger than input
      {4, 1, 5, 1, 0, 0, 1}, // 1x1, stride 5 > H
      {6, 2, 3, 2, 2, 1, 3}, // Ke=3, (6+3-3)/3 = 2 rem 0
      {1, 3, 1, 1, 1, 1, 1}, // input only 1, padded to kernel
  };
  for (const Row &r : rows) {
    ConvConfig cv = makeConv({r.h}, {r.k}, {r.s}, {r.d}, {r.pl}, {r.ph});
    EXPECT_EQ(cv.validate(), "") << "h=" << r.h << " k=" << r.k;
    EXPECT_EQ(cv.outputSizes(), (std::vector<int64_t>{r.o}))
        << "h=" << r.h << " k=" << r.k << " s=" << r.s << " d=" << r.d
        << " pl=" << r.pl << " ph=" << r.ph;
  }
  // Mixed ranks and both layouts.
  ConvConfig cv = makeConv({7, 5, 4}, {3, 2, 1}, {2, 1, 3}, {1, 2, 1},
                           {1, 0, 0}, {2, 1, 0}, 2, 6, 4, 2);
  ASSERT_EQ(cv.validate(), "");
  // dim0: (7+3-3)/2+1 = 4; dim1: (5+1-3)/1+1 = 4; dim2: (4-1)/3+1 = 2.
  EXPECT_EQ(cv.outputSizes(), (std::vector<int64_t>{4, 4, 2}));
  EXPECT_EQ(cv.inputShape(), (std::vector<int64_t>{2, 6, 7, 5, 4}));
  EXPECT_EQ(cv.filterShape(), (std::vector<int64_t>{4, 3, 3, 2, 1}));
  EXPECT_EQ(cv.outputShape(), (std::vector<int64_t>{2, 4, 4, 4, 2}));
  cv.layout = Layout::ChannelsLast;
  EXPECT_EQ(cv.inputShape(), (std::vector<int64_t>{2, 7, 5, 4, 6}));
  EXPECT_EQ(cv.filterShape(), (std::vector<int64_t>{4, 3, 2, 1, 3}));
  EXPECT_EQ(cv.outputShape(), (std::vector<int64_t>{2, 4, 4, 2, 4}));
  EXPECT_EQ(numElements(cv.inputShape()), 2 * 7 * 5 * 4 * 6);
  EXPECT_EQ(numElements({}), 1);
}

TEST(Validate, Rejections) {
  ConvConfig ok = makeConv({5, 5}, {3, 3}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, 1,
                           4, 6, 2);
  ASSERT_EQ(ok.validate(), "");
  auto expectInvalid = [](const ConvConfig &cv, const std::string &needle) {
    std::string e = cv.validate();
    EXPECT_NE(e, "");
    EXPECT_NE(e.find(needle), std::string::npos) << "reason: " << e;
  };
  ConvConfig cv = ok;
  cv.inputSizes = {};
  cv.kernelSizes = cv.strides = cv.dilations = cv.padLow = cv.padHigh = {};
  expectInvalid(cv, "rank");
  cv = makeConv({2, 2, 2, 2}, {1, 1, 1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1},
                {0, 0, 0, 0}, {0, 0, 0, 0});
  expectInvalid(cv, "rank");
  cv = ok; cv.kernelSizes = {3};          expectInvalid(cv, "kernel");
  cv = ok; cv.strides = {1, 1, 1};        expectInvalid(cv, "strides");
  cv = ok; cv.padHigh = {0};              expectInvalid(cv, "high paddings");
  cv = ok; cv.strides = {1, 0};           expectInvalid(cv, "stride");
  cv = ok; cv.dilations = {0, 1};         expectInvalid(cv, "dilation");
  cv = ok; cv.padLow = {-1, 0};           expectInvalid(cv, "low padding");
  cv = ok; cv.padHigh = {0, -2};          expectInvalid(cv, "high padding");
  cv = ok; cv.groups = 0;                 expectInvalid(cv, "groups");
  cv = ok; cv.groups = 3;                 expectInvalid(cv, "input channels");
  cv = ok; cv.outChannels = 5;            expectInvalid(cv, "output channels");
  cv = ok; cv.batch = 0;                  expectInvalid(cv, "batch");
  cv = ok; cv.inChannels = 0;             expectInvalid(cv, "input channels");
  cv = ok; cv.inputSizes = {0, 5};        expectInvalid(cv, "input size");
  cv = ok; cv.kernelSizes = {3, 0};       expectInvalid(cv, "kernel size");
  cv = ok; cv.inputSizes = {2, 5};        expectInvalid(cv, "output size");
  cv = ok; cv.dilations = {1, 3};         expectInvalid(cv, "output size");
  // ... but padding can make it fit again.
  cv = ok; cv.dilations = {1, 3}; cv.padHigh = {0, 2};
  EXPECT_EQ(cv.validate(), "");
}

TEST(Validate, ComputeRejectsBadInput) {
  ConvConfig cv = seedConv();
  std::vector<double> x(9, 1.0), w(4, 1.0), dy(4, 1.0);
  EXPECT_THROW(forward(cv, std::vector<double>(8), w, nullptr),
               std::invalid_argument);
  EXPECT_THROW(forward(cv, x, std::vector<double>(3), nullptr),
               std::invalid_argument);
  std::vector<double> badBias(2);
  EXPECT_THROW(forward(cv, x, w, &badBias), std::invalid_argument);
  EXPECT_THROW(backwardData(cv, std::vector<double>(5), w),
               std::invalid_argument);
  EXPECT_THROW(backwardFilter(cv, x, std::vector<double>(5)),
               std::invalid_argument);
  EXPECT_THROW(backwardBias(cv, std::vector<double>(5)),
               std::invalid_argument);
  ConvConfig bad = cv;
  bad.strides = {0, 1};
  EXPECT_THROW(forward(bad, x, w, nullptr), std::invalid_argument);
  EXPECT_THROW(dot({1, 2}, {1}), std::invalid_argument);
  EXPECT_DOUBLE_EQ(dot({1, 2, 3}, {4, -5, 6}), 12.0);
}

//===----------------------------------------------------------------------===//
// Identities on random configurations.
//===----------------------------------------------------------------------===//

// <forward(x,w), dy> == <x, dgrad(dy,w)> == <w, wgrad(x,dy)>, and the bias
// gradient is the per-channel sum of dy (and the adjoint of adding the bias).
TEST(RandomIdentities, Adjoint) {
  std::mt19937_64 rng(20240611);
  const int kCases = 400;
  for (int t = 0; t < kCases; ++t) {
    TestCase tc = randomTestCase(rng);
    const ConvConfig &cv = tc.conv;
    SCOPED_TRACE(formatTestCase(tc));
    ASSERT_EQ(cv.validate(), "");
    std::vector<double> x = randomData(rng, numElements(cv.inputShape()));
    std::vector<double> w = randomData(rng, numElements(cv.filterShape()));
    std::vector<double> dy = randomData(rng, numElements(cv.outputShape()));
    std::vector<double> b = randomData(rng, cv.outChannels);

    Result y = forward(cv, x, w, nullptr);
    Result dx = backwardData(cv, dy, w);
    Result dw = backwardFilter(cv, x, dy);
    Result db = backwardBias(cv, dy);
    ASSERT_EQ(y.value.size(), dy.size());
    ASSERT_EQ(dx.value.size(), x.size());
    ASSERT_EQ(dw.value.size(), w.size());
    ASSERT_EQ(db.value.size(), static_cast<size_t>(cv.outChannels));

    // Scale: sum of |every product term| of the triple sum (same for all
    // three forms), so the tolerance is relative to the magnitude summed.
    double scale = 0.0;
    for (size_t i = 0; i < dy.size(); ++i)
      scale += y.absSum[i] * std::fabs(dy[i]);
    double tol = 1e-9 * std::max(scale, 1e-300);
    double a = dot(y.value, dy), bx = dot(x, dx.value),
           cw = dot(w, dw.value);
    EXPECT_NEAR(a, bx, tol);
    EXPECT_NEAR(a, cw, tol);
    EXPECT_NEAR(bx, cw, tol);

    // bgrad == per-channel sum of dy, indexed independently here.
    std::vector<int64_t> oShape = cv.outputShape();
    int64_t spatial = numElements(cv.outputSizes());
    std::vector<double> sums(cv.outChannels, 0.0);
    for (int64_t n = 0; n < cv.batch; ++n)
      for (int64_t f = 0; f < cv.outChannels; ++f)
        for (int64_t s = 0; s < spatial; ++s) {
          int64_t off = cv.layout == Layout::ChannelsFirst
                            ? (n * cv.outChannels + f) * spatial + s
                            : (n * spatial + s) * cv.outChannels + f;
          sums[f] += dy[off];
        }
    for (int64_t f = 0; f < cv.outChannels; ++f)
      EXPECT_NEAR(db.value[f], sums[f], 1e-12 * (db.absSum[f] + 1.0));

    // Bias adjoint: <forward(x,w,b) - forward(x,w), dy> == <b, db>.
    Result yb = forward(cv, x, w, &b);
    std::vector<double> diff(yb.value.size());
    for (size_t i = 0; i < diff.size(); ++i)
      diff[i] = yb.value[i] - y.value[i];
    EXPECT_NEAR(dot(diff, dy), dot(b, db.value), 1e-9 * (scale + 1.0));

    // absSum bounds |value| everywhere.
    for (const Result *r : {&y, &dx, &dw, &db, &yb})
      for (size_t i = 0; i < r->value.size(); ++i)
        ASSERT_LE(std::fabs(r->value[i]), r->absSum[i] * (1 + 1e-12) + 1e-300);
  }
}

// Element-wise check through the Jacobian of the (linear) forward map:
//   dx[j] = <forward(e_j, w), dy>,   dw[j] = <forward(x, e_j), dy>.
// This uses only forward(), so a bug in the dgrad / wgrad loop nests that the
// inner-product identity could hide (e.g. a compensating permutation) shows.
TEST(RandomIdentities, JacobianColumns) {
  std::mt19937_64 rng(777);
  for (int t = 0; t < 80; ++t) {
    RandomLimits lim = smallLimits();
    lim.maxRank = t % 3 + 1;
    TestCase tc = randomTestCase(rng, lim);
    const ConvConfig &cv = tc.conv;
    SCOPED_TRACE(formatTestCase(tc));
    std::vector<double> x = randomData(rng, numElements(cv.inputShape()));
    std::vector<double> w = randomData(rng, numElements(cv.filterShape()));
    std::vector<double> dy = randomData(rng, numElements(cv.outputShape()));
    Result dx = backwardData(cv, dy, w);
    Result dw = backwardFilter(cv, x, dy);
    std::vector<double> e(x.size(), 0.0);
    for (size_t j = 0; j < x.size(); ++j) {
      e[j] = 1.0;
      double expect = dot(forward(cv, e, w, nullptr).value, dy);
      e[j] = 0.0;
      ASSERT_NEAR(dx.value[j], expect, 1e-12 * (dx.absSum[j] + 1.0))
          << "dx at " << j;
    }
    std::vector<double> ew(w.size(), 0.0);
    for (size_t j = 0; j < w.size(); ++j) {
      ew[j] = 1.0;
      double expect = dot(forward(cv, x, ew, nullptr).value, dy);
      ew[j] = 0.0;
      ASSERT_NEAR(dw.value[j], expect, 1e-12 * (dw.absSum[j] + 1.0))
          << "dw at " << j;
    }
  }
}

// A grouped convolution equals the ungrouped one with a block-diagonal filter
// (zero where the input channel is outside the output channel's group).
TEST(RandomIdentities, GroupedEqualsBlockDiagonal) {
  std::mt19937_64 rng(4242);
  int grouped = 0;
  for (int t = 0; t < 300 && grouped < 80; ++t) {
    TestCase tc = randomTestCase(rng);
    ConvConfig cv = tc.conv;
    if (cv.groups == 1)
      continue;
    ++grouped;
    cv.layout = Layout::ChannelsFirst;
    SCOPED_TRACE(formatTestCase(tc));
    ConvConfig dense = cv;
    dense.groups = 1;
    int64_t F = cv.outChannels, C = cv.inChannels, G = cv.groups;
    int64_t Cg = C / G, Fg = F / G;
    int64_t K = numElements(cv.kernelSizes);
    std::vector<double> x = randomData(rng, numElements(cv.inputShape()));
    std::vector<double> w = randomData(rng, numElements(cv.filterShape()));
    std::vector<double> dy = randomData(rng, numElements(cv.outputShape()));
    std::vector<double> wd(F * C * K, 0.0);
    for (int64_t f = 0; f < F; ++f)
      for (int64_t c = 0; c < Cg; ++c)
        for (int64_t k = 0; k < K; ++k)
          wd[(f * C + (f / Fg) * Cg + c) * K + k] = w[(f * Cg + c) * K + k];

    Result yg = forward(cv, x, w, nullptr), yd = forward(dense, x, wd, nullptr);
    for (size_t i = 0; i < yg.value.size(); ++i)
      ASSERT_NEAR(yg.value[i], yd.value[i], 1e-12 * (yg.absSum[i] + 1.0));
    Result dxg = backwardData(cv, dy, w), dxd = backwardData(dense, dy, wd);
    for (size_t i = 0; i < dxg.value.size(); ++i)
      ASSERT_NEAR(dxg.value[i], dxd.value[i], 1e-12 * (dxg.absSum[i] + 1.0));
    Result dwg = backwardFilter(cv, x, dy), dwd = backwardFilter(dense, x, dy);
    for (int64_t f = 0; f < F; ++f)
      for (int64_t c = 0; c < Cg; ++c)
        for (int64_t k = 0; k < K; ++k) {
          size_t gi = (f * Cg + c) * K + k;
          size_t di = (f * C + (f / Fg) * Cg + c) * K + k;
          ASSERT_NEAR(dwg.value[gi], dwd.value[di],
                      1e-12 * (dwg.absSum[gi] + 1.0));
        }
  }
  EXPECT_GE(grouped, 40);
}

// Channels-last results equal channels-first results after permuting.
TEST(RandomIdentities, ChannelsLastMatchesChannelsFirst) {
  std::mt19937_64 rng(99);
  for (int t = 0; t < 200; ++t) {
    TestCase tc = randomTestCase(rng);
    ConvConfig cf = tc.conv;
    cf.layout = Layout::ChannelsFirst;
    ConvConfig cl = cf;
    cl.layout = Layout::ChannelsLast;
    SCOPED_TRACE(formatTestCase(tc));
    int64_t N = cf.batch, C = cf.inChannels, F = cf.outChannels;
    int64_t Cg = C / cf.groups;
    int64_t H = numElements(cf.inputSizes), K = numElements(cf.kernelSizes),
            O = numElements(cf.outputSizes());
    std::vector<double> x = randomData(rng, numElements(cf.inputShape()));
    std::vector<double> w = randomData(rng, numElements(cf.filterShape()));
    std::vector<double> dy = randomData(rng, numElements(cf.outputShape()));
    std::vector<double> b = randomData(rng, F);
    std::vector<double> xl = toChannelsLast(x, N, C, H);
    std::vector<double> wl = toChannelsLast(w, F, Cg, K);
    std::vector<double> dyl = toChannelsLast(dy, N, F, O);

    auto same = [](const std::vector<double> &lastRes,
                   const std::vector<double> &firstPermuted) {
      ASSERT_EQ(lastRes.size(), firstPermuted.size());
      for (size_t i = 0; i < lastRes.size(); ++i)
        ASSERT_DOUBLE_EQ(lastRes[i], firstPermuted[i]) << "at " << i;
    };
    Result yf = forward(cf, x, w, &b), yl = forward(cl, xl, wl, &b);
    same(yl.value, toChannelsLast(yf.value, N, F, O));
    same(yl.absSum, toChannelsLast(yf.absSum, N, F, O));
    Result dxf = backwardData(cf, dy, w), dxl = backwardData(cl, dyl, wl);
    same(dxl.value, toChannelsLast(dxf.value, N, C, H));
    same(dxl.absSum, toChannelsLast(dxf.absSum, N, C, H));
    Result dwf = backwardFilter(cf, x, dy), dwl = backwardFilter(cl, xl, dyl);
    same(dwl.value, toChannelsLast(dwf.value, F, Cg, K));
    same(dwl.absSum, toChannelsLast(dwf.absSum, F, Cg, K));
    Result dbf = backwardBias(cf, dy), dbl = backwardBias(cl, dyl);
    same(dbl.value, dbf.value);
  }
}

//===----------------------------------------------------------------------===//
// Transposed convolution
//===----------------------------------------------------------------------===//

// S=3, K=2, s=2, d=1, pl=1, ph=0, opad=1: O = 2*2 - 1 - 0 + 1 + 1 + 1 = 6.
// y[o] = sum_{i,k : 2i + k - 1 = o} x[i] w[k] (+ b), the scatter form.
TEST(Transposed, HandComputed1D) {
  TransposedConvConfig tc{makeConv({3}, {2}, {2}, {1}, {1}, {0}), {1}};
  ASSERT_EQ(tc.validate(), "");
  EXPECT_EQ(tc.outputSizes(), (std::vector<int64_t>{6}));
  std::vector<double> x{1, 2, 3}, w{1, 10}, b{100}, dy{1, 2, 3, 4, 5, 6};
  // o=0: (0,1) 10; o=1: (1,0) 2; o=2: (1,1) 20; o=3: (2,0) 3; o=4: (2,1)
  // 30; o=5 (the output padding): nothing.
  expectValues(transposedForward(tc, x, w, nullptr).value,
               {10, 2, 20, 3, 30, 0});
  expectValues(transposedForward(tc, x, w, &b).value,
               {110, 102, 120, 103, 130, 100});
  // dx[i] = sum_k dy[2i + k - 1] w[k]: i=0: dy0*10; i=1: dy1 + dy2*10;
  // i=2: dy3 + dy4*10.
  expectValues(transposedBackwardData(tc, dy, w).value, {10, 32, 54});
  // dw[k] = sum_i x[i] dy[2i + k - 1]: k=0: 2*dy1 + 3*dy3 = 16;
  // k=1: dy0 + 2*dy2 + 3*dy4 = 22.
  expectValues(transposedBackwardFilter(tc, x, dy).value, {16, 22});
  expectValues(transposedBackwardBias(tc, dy).value, {21});
}

// output_padding >= stride with a larger dilation (PyTorch allows it):
// S=2, K=2, s=1, d=3, ph=1, opad=2: O = 1 - 1 + 3 + 2 + 1 = 6, the last two
// rows are reached by no input.
TEST(Transposed, OutputPaddingBeyondStride) {
  TransposedConvConfig tc{makeConv({2}, {2}, {1}, {3}, {0}, {1}), {2}};
  ASSERT_EQ(tc.validate(), "");
  EXPECT_EQ(tc.outputSizes(), (std::vector<int64_t>{6}));
  std::vector<double> x{1, 2}, w{1, 10};
  // o = i + 3k: (0,0)->0 x0, (1,0)->1 x1, (0,1)->3 10x0, (1,1)->4 10x1.
  expectValues(transposedForward(tc, x, w, nullptr).value,
               {1, 2, 0, 10, 20, 0});
  TransposedConvConfig bad = tc;
  bad.outputPadding = {3};
  EXPECT_NE(bad.validate().find("max(stride, dilation)"), std::string::npos);
}

// <y - b, dy> = <x, dx> = <w, dw> and <b, db> = sum of dy per channel, on a
// grouped 2-D channels-last case.
TEST(Transposed, AdjointIdentities) {
  TransposedConvConfig tc{makeConv({3, 4}, {3, 2}, {2, 1}, {1, 2}, {1, 0},
                                   {0, 1}, /*n=*/2, /*c=*/4, /*f=*/6, /*g=*/2,
                                   Layout::ChannelsLast),
                          {1, 1}};
  ASSERT_EQ(tc.validate(), "");
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> dist(-1, 1);
  auto random = [&](std::vector<int64_t> shape) {
    std::vector<double> v(numElements(shape));
    for (double &e : v)
      e = dist(rng);
    return v;
  };
  std::vector<double> x = random(tc.inputShape()), w = random(tc.filterShape()),
                      dy = random(tc.outputShape());
  double lhs = dot(transposedForward(tc, x, w, nullptr).value, dy);
  EXPECT_NEAR(lhs, dot(x, transposedBackwardData(tc, dy, w).value), 1e-12);
  EXPECT_NEAR(lhs, dot(w, transposedBackwardFilter(tc, x, dy).value), 1e-12);
}
