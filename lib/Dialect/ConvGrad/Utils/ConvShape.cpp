//===- ConvShape.cpp - Shape arithmetic of convolutions -------------------===//

#include "convgrad/Dialect/ConvGrad/Utils/ConvShape.h"

#include <algorithm>
#include <numeric>

namespace mlir {
namespace convgrad {

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t ConvDimGeometry::outputSize() const {
  return floorDiv(paddedInputSize() - effectiveKernel(), stride) + 1;
}

int64_t ConvDimGeometry::remainder() const {
  int64_t span = paddedInputSize() - effectiveKernel();
  return span - floorDiv(span, stride) * stride;
}

std::vector<DgradPhase> ConvDimGeometry::dgradPhases() const {
  // dx[i] = sum over taps k and outputs o with o*s + k*d - lo = i of
  // dy[o] * w[k]. For i = residue + s*t the taps with
  // (residue + lo - k*d) mod s == 0 contribute, reading o = t + q_k with
  // q_k = (residue + lo - k*d) / s. Valid taps are k0, k0 + m, ... with
  // m = s / gcd(s, d), and q drops by d' = d / gcd(s, d) from one to the next.
  // The first taps k0 < min(K, m) reach pairwise distinct residues
  // (k0*d - lo) mod s, so at most min(K, m) phases exist whatever the
  // stride: they are enumerated from the taps, never from the residues.
  int64_t g = std::gcd(stride, dilation);
  int64_t step = stride / g, dil = dilation / g;
  int64_t outputs = outputSize();
  std::vector<DgradPhase> phases;
  for (int64_t k = 0; k < std::min(kernelSize, step); ++k) {
    int64_t residue = (k * dilation - padLow) % stride;
    if (residue < 0)
      residue += stride;
    if (residue >= inputSize)
      continue; // this phase holds no position of dx
    DgradPhase p;
    p.residue = residue;
    p.numOutputs = (inputSize - residue - 1) / stride + 1;
    p.tapStep = step;
    p.dilation = dil;
    p.firstTap = k;
    p.numTaps = (kernelSize - k + step - 1) / step;
    // Reversed taps j' = 0..J-1 read dy[t + base + j' * d'].
    int64_t q0 = floorDiv(residue + padLow - p.firstTap * dilation, stride);
    int64_t base = q0 - (p.numTaps - 1) * dil;
    p.padLow = -base;
    p.padHigh = p.numOutputs + (p.numTaps - 1) * dil - outputs + base;
    phases.push_back(p);
  }
  std::sort(phases.begin(), phases.end(),
            [](const DgradPhase &a, const DgradPhase &b) {
              return a.residue < b.residue;
            });
  return phases;
}

bool ConvDimGeometry::dgradReachesEveryPosition() const {
  int64_t positions = 0;
  for (const DgradPhase &p : dgradPhases())
    positions += p.numOutputs;
  return positions == inputSize;
}

SubsampledInput ConvDimGeometry::subsampledInput() const {
  SubsampledInput sub;
  // Positions read: o * s + k * d - lo. With one tap only the stride
  // matters (the dilation is then arbitrary: keep 1).
  sub.step = kernelSize == 1 ? stride : std::gcd(stride, dilation);
  sub.offset = -padLow - floorDiv(-padLow, sub.step) * sub.step;
  ConvDimGeometry &g = sub.geometry;
  g.kernelSize = kernelSize;
  g.stride = stride / sub.step;
  g.dilation = kernelSize == 1 ? 1 : dilation / sub.step;
  g.padLow = (padLow + sub.offset) / sub.step;
  // The last lattice position read, in slice coordinates; the slice stops
  // there (paddings stay >= 0) or at the end of the input.
  int64_t lastRead = (outputSize() - 1) * g.stride +
                     (kernelSize - 1) * g.dilation - g.padLow;
  int64_t available = inputSize > sub.offset
                          ? (inputSize - sub.offset + sub.step - 1) / sub.step
                          : 0;
  sub.size = std::max<int64_t>(0, std::min(available, lastRead + 1));
  g.inputSize = sub.size;
  g.padHigh = std::max<int64_t>(0, lastRead + 1 - sub.size);
  return sub;
}

TapRange ConvDimGeometry::tapsReadingInput() const {
  TapRange range;
  int64_t outputs = outputSize();
  // Tap k reads o * s + k * d - lo for o in [0, O): the input [0, H) iff the
  // first o with o * s >= lo - k * d is below O and lands before H.
  auto readsInput = [&](int64_t k) {
    int64_t start = padLow - k * dilation;
    int64_t o = std::max<int64_t>(0, -floorDiv(-start, stride));
    return o < outputs && o * stride - start < inputSize;
  };
  int64_t first = 0;
  while (first < kernelSize && !readsInput(first))
    ++first;
  if (first == kernelSize)
    return range; // empty: every window lies in the padding
  int64_t last = kernelSize - 1;
  while (last > first && !readsInput(last))
    --last;
  // Dropped taps shift the paddings: keep them non-negative.
  range.first = std::min(first, padLow / dilation);
  range.last = std::max(last, kernelSize - 1 - padHigh / dilation);
  range.geometry = *this;
  range.geometry.kernelSize = range.last - range.first + 1;
  range.geometry.padLow = padLow - range.first * dilation;
  range.geometry.padHigh = padHigh - (kernelSize - 1 - range.last) * dilation;
  return range;
}

} // namespace convgrad
} // namespace mlir
