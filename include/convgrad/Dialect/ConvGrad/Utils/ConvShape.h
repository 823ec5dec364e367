//===- ConvShape.h - Shape arithmetic of convolutions ---------*- C++ -*-===//
//
// The one place where convgrad computes convolution sizes: the forward shape
// relation, the remainder rows, and the re-padding amounts of the backward
// decompositions (see the math note in docs/ and the verifier). Plain integer
// arithmetic with no MLIR dependency, so it is unit-tested on its own.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_DIALECT_CONVGRAD_UTILS_CONVSHAPE_H
#define CONVGRAD_DIALECT_CONVGRAD_UTILS_CONVSHAPE_H

#include <cstdint>
#include <vector>

namespace mlir {
namespace convgrad {

/// Floor division that rounds towards negative infinity (b > 0).
int64_t floorDiv(int64_t a, int64_t b);

/// One output phase of a strided data gradient along one dimension: the
/// input positions i = residue + stride * t, t in [0, numOutputs). They are a
/// stride-1 convolution of the output gradient (re-padded by padLow/padHigh,
/// possibly negative) with the taps firstTap, firstTap + tapStep, ... of the
/// kernel in reverse order, at dilation `dilation` (numTaps >= 1).
struct DgradPhase {
  int64_t residue = 0;
  int64_t numOutputs = 0;
  int64_t firstTap = 0;
  int64_t tapStep = 1;
  int64_t numTaps = 0;
  int64_t dilation = 1;
  int64_t padLow = 0;
  int64_t padHigh = 0;
};

/// One spatial dimension of a convolution, PyTorch semantics. All quantities
/// are element counts along that dimension. Precondition of every member:
/// each field is in [0, 2^31 - 1] (stride, dilation, sizes >= 1), the bound
/// the op verifier enforces (ConvGradOps.cpp): then no product or sum below,
/// e.g. (K - 1) * d + 1, (O - 1) * s + 1 or k * d - lo, can overflow int64.
struct ConvDimGeometry {
  int64_t inputSize = 1;  ///< H
  int64_t kernelSize = 1; ///< K
  int64_t stride = 1;     ///< s
  int64_t dilation = 1;   ///< d
  int64_t padLow = 0;     ///< lo
  int64_t padHigh = 0;    ///< hi

  /// Ke = (K - 1) * d + 1: the extent of the dilated kernel.
  int64_t effectiveKernel() const { return (kernelSize - 1) * dilation + 1; }
  /// H + lo + hi.
  int64_t paddedInputSize() const { return inputSize + padLow + padHigh; }
  /// Whether at least one kernel window fits in the padded input.
  bool fits() const { return paddedInputSize() >= effectiveKernel(); }
  /// O = floor((H + lo + hi - Ke) / s) + 1 (<= 0 when the kernel does not fit).
  int64_t outputSize() const;
  /// r = (H + lo + hi - Ke) mod s: trailing input rows no window reaches.
  int64_t remainder() const;

  // Data gradient as a stride-1 convolution of a zero-inserted, re-padded dy.
  /// (O - 1) * s + 1: the length of dy after inserting s - 1 zeros.
  int64_t zeroInsertedSize() const { return (outputSize() - 1) * stride + 1; }
  /// Ke - 1 - lo. Negative when lo > Ke - 1: crop instead of pad.
  int64_t dgradPadLow() const { return effectiveKernel() - 1 - padLow; }
  /// Ke - 1 - hi + r. Negative when hi > Ke - 1 + r: crop instead of pad.
  int64_t dgradPadHigh() const {
    return effectiveKernel() - 1 - padHigh + remainder();
  }

  /// The data gradient split by output phase (i mod s): the phases that
  /// hold at least one position of dx and receive at least one tap, by
  /// increasing residue; at most min(K, s) of them, so their number never
  /// grows with the stride. Each is a stride-1 convolution over only the
  /// taps that reach it, so no MAC multiplies an inserted zero. Positions of
  /// the other residues have a zero gradient. See DgradPhase.
  std::vector<DgradPhase> dgradPhases() const;
  /// Whether the phases of dgradPhases() cover every position of dx (else
  /// the others must be filled with zeros).
  bool dgradReachesEveryPosition() const;

  // Filter gradient as a convolution of x by dy.
  /// (K - 1) * d + (O - 1) * s + 1: the part of the padded input that the
  /// forward windows read.
  int64_t wgradInputExtent() const {
    return effectiveKernel() + (outputSize() - 1) * stride;
  }
  /// hi - r: the high padding of x that keeps exactly wgradInputExtent()
  /// elements. Negative when the input must be cropped.
  int64_t wgradPadHigh() const { return padHigh - remainder(); }

  /// The input positions the windows read, o * s + k * d - lo, all lie on
  /// the lattice `offset + step * j` (step = gcd(s, d), or s for K = 1); see
  /// SubsampledInput.
  struct SubsampledInput subsampledInput() const;

  /// The taps [first, last] outside of which every tap reads only padding,
  /// for every output: with a dilation larger than the input, most taps of
  /// a window can never reach it. The range is narrowed only as far as the
  /// paddings of the convolution over the kept taps stay >= 0 (first * d <=
  /// lo, (K - 1 - last) * d <= hi; see TapRange). Empty (first > last) when
  /// no tap reaches the input.
  struct TapRange tapsReadingInput() const;
};

/// The kernel taps [first, last] of one dimension that a convolution keeps
/// (ConvDimGeometry::tapsReadingInput), and its geometry over them: K' =
/// last - first + 1 taps, lo' = lo - first * d, hi' = hi - (K - 1 - last) *
/// d; the output size is unchanged ((K' - 1) * d drops by as much as the
/// paddings).
struct TapRange {
  int64_t first = 0;
  int64_t last = -1;
  ConvDimGeometry geometry;

  bool empty() const { return first > last; }
  /// Whether taps are dropped at all.
  bool crops(int64_t kernelSize) const {
    return !empty() && (first > 0 || last < kernelSize - 1);
  }
};

/// The positions of the input that a convolution reads along one dimension,
/// as a strided slice of it: input[offset + step * j] for j in [0, size),
/// and the geometry of the same convolution over that slice (stride s / step,
/// dilation d / step, non-negative paddings, the same output size). With
/// step > 1 the input can be subsampled before any copy of it (a layout
/// change then moves 1 / step of it). size is 0 when every window lies in
/// the padding: nothing to slice.
struct SubsampledInput {
  int64_t offset = 0;
  int64_t step = 1;
  int64_t size = 0;
  ConvDimGeometry geometry;
};

/// Where the dimensions of an activation or filter tensor of spatial rank R
/// are. Activations are `N, C, S...` (channels-first) or `N, S..., C`
/// (channels-last); filters put `F` where `N` is and `C/G` where `C` is.
struct ConvDimPositions {
  unsigned spatialRank = 2;
  bool channelsLast = false;

  unsigned rank() const { return spatialRank + 2; }
  /// N for activations, F for filters.
  unsigned outer() const { return 0; }
  /// C or F for activations, C/G for filters.
  unsigned channel() const { return channelsLast ? spatialRank + 1 : 1; }
  /// The i-th spatial (or kernel) dimension.
  unsigned spatial(unsigned i) const { return channelsLast ? 1 + i : 2 + i; }
};

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_DIALECT_CONVGRAD_UTILS_CONVSHAPE_H
