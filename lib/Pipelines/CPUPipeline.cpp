//===- CPUPipeline.cpp - convgrad to LLVM for CPUs ------------------------===//

#include "convgrad/Pipelines/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::convgrad;

std::string
mlir::convgrad::getCPUPipelineString(const CPUPipelineOptions &options) {
  std::string pipeline = "convgrad-to-linalg,canonicalize,";
  // Let the last op of a function write straight into the caller's buffer
  // (bufferization.materialize_in_destination) instead of a temporary.
  pipeline += "eliminate-empty-tensors,";
  pipeline += "one-shot-bufferize{bufferize-function-boundaries "
              "function-boundary-type-conversion=identity-layout-map},";
  pipeline += "canonicalize,buffer-deallocation-pipeline,"
              "convert-bufferization-to-memref,";
  pipeline += "convert-linalg-to-loops,";
  pipeline += "expand-strided-metadata,lower-affine,convert-scf-to-cf,"
              "convert-to-llvm,reconcile-unrealized-casts";
  return pipeline;
}

void mlir::convgrad::buildCPUPipeline(OpPassManager &pm,
                                      const CPUPipelineOptions &options) {
  std::string pipeline = getCPUPipelineString(options);
  std::string error;
  llvm::raw_string_ostream os(error);
  if (failed(parsePassPipeline(pipeline, pm, os)))
    llvm::report_fatal_error(llvm::Twine("convgrad: invalid pipeline '") +
                             pipeline + "': " + error);
}

void mlir::convgrad::registerConvGradPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "convgrad-cpu-pipeline",
      "Lower convgrad (or linalg on tensors) to the LLVM dialect for CPUs: "
      "convgrad-to-linalg, one-shot bufferization across function boundaries, "
      "deallocation, loops, LLVM",
      buildCPUPipeline);
}
