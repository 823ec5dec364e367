//===- ConvReference.h - Independent convolution reference ------*- C++ -*-===//
//
// A direct loop-nest evaluation of the defining sums of an N-d convolution
// (PyTorch cross-correlation semantics) and of its three gradients: data
// (dgrad), filter (wgrad) and bias (bgrad). Stride, asymmetric padding,
// dilation and groups are supported, in channels-first and channels-last
// layouts, for spatial rank 1..3.
//
// This code deliberately uses only the C++17 standard library (no LLVM/MLIR)
// and does NOT rewrite the gradients as padded / zero-inserted convolutions:
// each function is its own loop nest over the defining formula, so it stays
// independent of the compiler it checks.
//
// Definitions, per spatial dimension (x is zero outside [0, H)):
//   Ke = (K-1)*d + 1,  O = floor((H + pl + ph - Ke) / s) + 1
//   y[n,f,o]  = b[f] + sum_{c in group(f), k} w[f,c,k] * x[n, g*Cg+c, o*s+k*d-pl]
//   dx[n,g*Cg+c,i] = sum_{f in group g, k, o : o*s+k*d-pl == i} dy[n,f,o]*w[f,c,k]
//   dw[f,c,k] = sum_{n,o} dy[n,f,o] * x[n, g*Cg+c, o*s+k*d-pl]
//   db[f]     = sum_{n,o} dy[n,f,o]
// with g = f / (F/G), Cg = C/G.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_REFERENCE_CONVREFERENCE_H
#define CONVGRAD_REFERENCE_CONVREFERENCE_H

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace convgrad {
namespace reference {

/// ChannelsFirst: x [N,C,S...], w [F,C/G,K...], y [N,F,O...] (NCHW / FCHW).
/// ChannelsLast:  x [N,S...,C], w [F,K...,C/G], y [N,O...,F] (NHWC / FHWC).
enum class Layout { ChannelsFirst, ChannelsLast };

struct ConvConfig {
  int64_t batch = 1, inChannels = 1, outChannels = 1, groups = 1;
  /// R entries each, R = 1..3.
  std::vector<int64_t> inputSizes, kernelSizes, strides, dilations, padLow,
      padHigh;
  Layout layout = Layout::ChannelsFirst;

  /// Number of spatial dimensions (= inputSizes.size()).
  unsigned rank() const;
  /// O = floor((H + pl + ph - ((K-1)*d+1)) / s) + 1 per spatial dim.
  std::vector<int64_t> outputSizes() const;
  /// CF: N,C,S...   CL: N,S...,C
  std::vector<int64_t> inputShape() const;
  /// CF: F,C/G,K... CL: F,K...,C/G
  std::vector<int64_t> filterShape() const;
  /// CF: N,F,O...   CL: N,O...,F
  std::vector<int64_t> outputShape() const;
  /// "" if valid, else a human-readable reason.
  std::string validate() const;
};

/// Product of the extents (1 for an empty shape).
int64_t numElements(const std::vector<int64_t> &shape);

/// value[i] is the exact-math result evaluated in double; absSum[i] is the sum
/// over the product terms feeding value[i] of |a*b| (plus |bias| for forward;
/// plus |dy| for backwardBias). Callers use absSum to bound rounding error.
struct Result {
  std::vector<double> value, absSum;
};

/// y (outputShape) from x (inputShape), w (filterShape), optional bias (F).
Result forward(const ConvConfig &conv, const std::vector<double> &x,
               const std::vector<double> &w, const std::vector<double> *bias);
/// dx (inputShape) from dy (outputShape) and w (filterShape).
Result backwardData(const ConvConfig &conv, const std::vector<double> &dy,
                    const std::vector<double> &w);
/// dw (filterShape) from x (inputShape) and dy (outputShape).
Result backwardFilter(const ConvConfig &conv, const std::vector<double> &x,
                      const std::vector<double> &dy);
/// db ({F}) from dy (outputShape).
Result backwardBias(const ConvConfig &conv, const std::vector<double> &dy);

/// A transposed convolution (PyTorch ConvTranspose1d/2d/3d). `conv` holds
/// its attributes as PyTorch names them: inChannels = C_in, outChannels =
/// C_out, inputSizes = S (its own input), kernel, strides, dilations,
/// paddings (which crop the output), groups, layout; plus outputPadding
/// (each below max(stride, dilation)). Per spatial dimension
///   O = (S-1)*s - pl - ph + d*(K-1) + opad + 1
///   y[n, g*Cog+co, o] = b[g*Cog+co]
///       + sum_{ci in group g, k, i : i*s + k*d - pl == o} x[n,ci,i] * w[ci,co,k]
/// with Cog = C_out/G. Shapes: x [N,C_in,S...], w [C_in,C_out/G,K...], y
/// [N,C_out,O...] (channels-last: [N,S...,C_in], [C_in,K...,C_out/G],
/// [N,O...,C_out]).
struct TransposedConvConfig {
  ConvConfig conv;
  std::vector<int64_t> outputPadding;

  std::vector<int64_t> outputSizes() const;
  std::vector<int64_t> inputShape() const;
  std::vector<int64_t> filterShape() const;
  std::vector<int64_t> outputShape() const;
  /// "" if valid, else a human-readable reason.
  std::string validate() const;
};

/// y (outputShape) from x (inputShape), w (filterShape), optional bias
/// (C_out): the defining sum above.
Result transposedForward(const TransposedConvConfig &conv,
                         const std::vector<double> &x,
                         const std::vector<double> &w,
                         const std::vector<double> *bias);
/// The gradients of that sum for an output gradient dy (outputShape):
///   dx[n,ci,i] = sum_{co,k : o = i*s + k*d - pl in range} dy[n,g*Cog+co,o] * w[ci,co,k]
///   dw[ci,co,k] = sum_{n,i : o = i*s + k*d - pl in range} x[n,ci,i] * dy[n,g*Cog+co,o]
///   db[co] = sum_{n,o} dy[n,co,o]
Result transposedBackwardData(const TransposedConvConfig &conv,
                              const std::vector<double> &dy,
                              const std::vector<double> &w);
Result transposedBackwardFilter(const TransposedConvConfig &conv,
                                const std::vector<double> &x,
                                const std::vector<double> &dy);
Result transposedBackwardBias(const TransposedConvConfig &conv,
                              const std::vector<double> &dy);

/// Plain inner product; the sizes must match.
double dot(const std::vector<double> &a, const std::vector<double> &b);


} // namespace reference
} // namespace convgrad

#endif // CONVGRAD_REFERENCE_CONVREFERENCE_H
