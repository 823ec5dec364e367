//===- ConvShape.cpp - Shape arithmetic of convolutions -------------------===//

#include "convgrad/Utils/ConvShape.h"

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

} // namespace convgrad
} // namespace mlir
