//===- Pipelines.h - convgrad pass pipelines --------------------*- C++ -*-===//

#ifndef CONVGRAD_PIPELINES_PIPELINES_H
#define CONVGRAD_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class OpPassManager;

namespace convgrad {

/// Options of `--convgrad-cpu-pipeline`.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<std::string> codegen{
      *this, "codegen",
      llvm::cl::desc("How linalg ops become loops: 'loops' lowers them to "
                     "scalar loop nests (a simple reference path), 'vector' "
                     "tiles and vectorizes the convolutions"),
      llvm::cl::init("loops")};
};

/// Builds convgrad (or linalg on tensors) -> LLVM dialect for CPUs: lowering
/// to linalg, bufferization across function boundaries (identity layouts),
/// deallocation, loop generation and conversion to LLVM. The result is ready
/// for `mlir-translate --mlir-to-llvmir`, `mlir-runner` and the
/// ExecutionEngine.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// The textual form of the pipeline (for `--mlir-print-ir-after-all` users
/// and error messages).
std::string getCPUPipelineString(const CPUPipelineOptions &options);

/// Registers `--convgrad-cpu-pipeline`.
void registerConvGradPipelines();

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_PIPELINES_PIPELINES_H
