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
  bool vector = options.codegen == "vector";
  bool openmp = options.numThreads != 1;
  // The wgrad GEMMs are not split into parallel tasks by
  // convgrad-tile-and-vectorize-contractions: its scf.forall would be one
  // OpenMP region per image, row block and kernel tap (5488 for the 7x7
  // stem, a few microseconds of work each), which measured slower at 2
  // threads than 1. convgrad-decompose puts one scf.forall around all the
  // GEMMs of a wgrad instead (wgrad-parallel-tasks).
  unsigned gemmTasks = 1;
  int64_t wgradTasks = options.wgradParallelTasks;
  if (wgradTasks <= 0)
    wgradTasks = options.numThreads == 0 ? 4 : options.numThreads;
  std::string p;
  llvm::raw_string_ostream os(p);

  // convgrad -> linalg on tensors. The vector path computes every
  // convolution in channels-last (transposes around channels-first ones).
  os << "convgrad-decompose{dgrad-strategy=" << options.dgradStrategy
     << " wgrad-strategy=" << options.wgradStrategy
     << " wgrad-block-bytes=" << options.wgradBlockBytes
     << " wgrad-parallel-tasks=" << wgradTasks << "},";
  if (vector)
    os << "convgrad-convert-to-channels-last,convgrad-split-groups,";
  os << "canonicalize,convgrad-to-linalg,canonicalize,cse,";
  if (vector)
    os << "func.func(convgrad-tile-and-vectorize{parallel-rows="
       << options.parallelRows << " width-tile=" << options.widthTile
       << " channel-tile=" << options.channelTile
       << " reduction-tile=" << options.reductionTile
       << " max-accumulators=" << options.maxAccumulators
       << " filter-cache-bytes=" << options.filterCacheBytes
       << " vector-bits=" << options.vectorBits
       << "},convgrad-tile-and-vectorize-contractions{row-tile="
       << options.gemmRowTile << " lane-tile=" << options.gemmLaneTile
       << " reduction-tile=" << options.gemmReductionTile
       << " parallel-tasks=" << gemmTasks
       << "}),canonicalize,cse,";

  // Bufferization. eliminate-empty-tensors lets the last op of a function
  // write straight into the caller's buffer (materialize_in_destination).
  os << "eliminate-empty-tensors,"
        "one-shot-bufferize{bufferize-function-boundaries "
        "function-boundary-type-conversion=identity-layout-map},"
        "canonicalize,cse,fold-memref-alias-ops,canonicalize,"
        "buffer-deallocation-pipeline,convert-bufferization-to-memref,";
  // Copies as loops, not calls into a runtime library.
  os << "convgrad-copy-to-linalg,";
  if (vector)
    os << "func.func(convgrad-vectorize-data-movement),"
          "loop-invariant-code-motion,func.func(convgrad-lower-vectors),"
          "canonicalize,cse,";

  // Parallel tiles: OpenMP, or sequential loops.
  if (openmp)
    os << "scf-forall-to-parallel,convert-scf-to-openmp{num-threads="
       << options.numThreads << "},";
  else
    os << "scf-forall-to-for,";

  // Loops and LLVM. finalize-memref-to-llvm runs before convert-scf-to-cf so
  // that the OpenMP regions it creates stay single-block.
  os << "convert-linalg-to-loops,";
  if (vector)
    os << "convert-vector-to-scf{full-unroll=true},";
  // bf16 conversions as integer ops: no compiler-rt helper needed.
  os << "arith-expand{include-bf16},";
  os << "expand-strided-metadata,lower-affine,finalize-memref-to-llvm,"
        "convert-scf-to-cf,canonicalize,cse,";
  if (vector)
    os << "convert-vector-to-llvm,";
  os << "convert-ub-to-llvm,convert-math-to-llvm,";
  if (openmp)
    os << "convert-openmp-to-llvm,";
  os << "convert-to-llvm,reconcile-unrealized-casts";
  return p;
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
