//===- UpstreamPipeline.h - MLIR 22's own TOSA path to LLVM -----*- C++ -*-===//
//
// `--convgrad-upstream-cpu-pipeline`: what a user of MLIR 22 gets for a TOSA
// (or linalg-on-tensors) function without convgrad. It is the peer that
// convgrad is compared with (convgrad-run --compare-pipeline, the benchmark),
// so it only uses upstream passes, with one exception that changes no
// arithmetic: memref.copy becomes linalg.copy (convgrad-copy-to-linalg) so
// that the output calls no runtime library, like convgrad's own pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_PIPELINES_UPSTREAMPIPELINE_H
#define CONVGRAD_PIPELINES_UPSTREAMPIPELINE_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;

namespace convgrad {

/// Options of `--convgrad-upstream-cpu-pipeline`.
struct UpstreamCPUPipelineOptions
    : public PassPipelineOptions<UpstreamCPUPipelineOptions> {
  PassOptions::Option<unsigned> numThreads{
      *this, "num-threads",
      llvm::cl::desc("1 = sequential loops; N > 1 = the parallel loops of "
                     "every linalg op as OpenMP regions with N threads (link "
                     "libomp); 0 = OpenMP, thread count from OMP_NUM_THREADS"),
      llvm::cl::init(1)};
  PassOptions::Option<bool> tosaDecompositions{
      *this, "tosa-decompositions",
      llvm::cl::desc("Run tosa-optional-decompositions first (a strided "
                     "transpose_conv2d becomes a space-to-depth conv2d over a "
                     "zero-padded kernel, depthwise 1x1 becomes a multiply)"),
      llvm::cl::init(true)};
};

/// Builds TOSA / linalg on tensors -> LLVM dialect with upstream passes:
/// tosa-optional-decompositions (optional), tosa-to-linalg-named,
/// tosa-to-linalg, tosa-to-tensor, tosa-to-arith, one-shot bufferization
/// across function boundaries (identity layouts), deallocation, linalg to
/// (parallel) loops, OpenMP for num-threads != 1, and the conversions to
/// LLVM. The result runs in the ExecutionEngine with no runtime library but
/// libomp.
void buildUpstreamCPUPipeline(OpPassManager &pm,
                              const UpstreamCPUPipelineOptions &options);

/// Registers `--convgrad-upstream-cpu-pipeline`.
void registerUpstreamCPUPipeline();

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_PIPELINES_UPSTREAMPIPELINE_H
