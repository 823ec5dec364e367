//===- UpstreamCodegen.h - Upstream-only tiling and vectorization -*- C++ -*-===//
//
// The two code generation steps of --convgrad-upstream-cpu-pipeline's vector
// path, built only from MLIR 22's own tiling, decomposition, vectorization
// and vector lowering entry points (private to lib/Pipelines).
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_LIB_PIPELINES_UPSTREAMCODEGEN_H
#define CONVGRAD_LIB_PIPELINES_UPSTREAMCODEGEN_H

#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir {
namespace convgrad {

/// On tensors: every static linalg.conv_2d_nhwc_hwcf becomes an scf.forall
/// over output rows around scf.for tiles of (columns x output channels x
/// input channels), each decomposed to a 1-D convolution
/// (populateDecomposeConvolutionPatterns) and vectorized (linalg::vectorize).
/// Other convolutions (depthwise with multiplier, 3-D) have no upstream
/// decomposition and stay as they are.
std::unique_ptr<Pass> createUpstreamTileAndVectorizeConvsPass();

/// On memrefs: hoists the accumulator transfers out of the reduction loops
/// (linalg::hoistRedundantVectorTransfers) and lowers contractions to outer
/// products and transfers to 1-D loads and stores.
std::unique_ptr<Pass> createUpstreamLowerVectorsPass();

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_LIB_PIPELINES_UPSTREAMCODEGEN_H
