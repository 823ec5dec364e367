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
      llvm::cl::init("vector")};
  PassOptions::Option<std::string> dgradStrategy{
      *this, "dgrad-strategy",
      llvm::cl::desc("Strided data gradients: 'phase' (one stride-1 "
                     "convolution per output phase, no MAC on inserted "
                     "zeros) or 'zero-insertion' (the math note's form)"),
      llvm::cl::init("phase")};
  PassOptions::Option<std::string> wgradStrategy{
      *this, "wgrad-strategy",
      llvm::cl::desc("Filter gradients: 'gemm' (ungrouped ones as one "
                     "register-blocked GEMM per image and kernel tap) or "
                     "'conv' (a forward convolution with the batch as the "
                     "reduced channel)"),
      llvm::cl::init("gemm")};
  PassOptions::Option<int64_t> wgradBlockBytes{
      *this, "wgrad-block-bytes",
      llvm::cl::desc("wgrad-strategy=gemm: bytes of output gradient per GEMM "
                     "(blocks of output rows that all kernel taps re-read "
                     "from cache; 0: whole images)"),
      llvm::cl::init(262144)};
  PassOptions::Option<unsigned> numThreads{
      *this, "num-threads",
      llvm::cl::desc("Threads for the parallel tile loops: 1 = sequential code "
                     "with no runtime library; N > 1 = OpenMP with N threads "
                     "(link libomp); 0 = OpenMP, thread count from "
                     "OMP_NUM_THREADS at run time"),
      llvm::cl::init(1)};
  PassOptions::Option<int64_t> wgradParallelTasks{
      *this, "wgrad-parallel-tasks",
      llvm::cl::desc("wgrad-strategy=gemm: parallel tasks of a filter "
                     "gradient (disjoint channel blocks of the accumulator, "
                     "one scf.forall around all its GEMMs); 0 = derive from "
                     "num-threads (1 thread: 1, N: N, runtime count: 4)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> parallelRows{
      *this, "parallel-rows",
      llvm::cl::desc("Output rows per parallel task (codegen=vector)"),
      llvm::cl::init(8)};
  PassOptions::Option<int64_t> widthTile{
      *this, "width-tile",
      llvm::cl::desc("Most output columns per register tile (codegen=vector)"),
      llvm::cl::init(8)};
  PassOptions::Option<int64_t> channelTile{
      *this, "channel-tile",
      llvm::cl::desc("Most output channels per register tile (codegen=vector)"),
      llvm::cl::init(64)};
  PassOptions::Option<int64_t> reductionTile{
      *this, "reduction-tile",
      llvm::cl::desc("Input channels per reduction step (codegen=vector)"),
      llvm::cl::init(1)};
  PassOptions::Option<int64_t> maxAccumulators{
      *this, "max-accumulators",
      llvm::cl::desc("Most vector registers of accumulators per convolution "
                     "register tile (codegen=vector)"),
      llvm::cl::init(24)};
  PassOptions::Option<int64_t> filterCacheBytes{
      *this, "filter-cache-bytes",
      llvm::cl::desc("Filters larger than this are split into cache blocks "
                     "of output x input channels (codegen=vector)"),
      llvm::cl::init(1048576)};
  PassOptions::Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Bits per vector register, to count the registers of a "
                     "tile (codegen=vector)"),
      llvm::cl::init(512)};
  PassOptions::Option<int64_t> gemmRowTile{
      *this, "gemm-row-tile",
      llvm::cl::desc("Rows of the register block of the wgrad GEMMs "
                     "(codegen=vector)"),
      llvm::cl::init(4)};
  PassOptions::Option<int64_t> gemmLaneTile{
      *this, "gemm-lane-tile",
      llvm::cl::desc("Vector lanes of the register block of the wgrad GEMMs "
                     "(codegen=vector)"),
      llvm::cl::init(64)};
  PassOptions::Option<int64_t> gemmReductionTile{
      *this, "gemm-reduction-tile",
      llvm::cl::desc("Output columns per unrolled step of the wgrad GEMMs "
                     "(codegen=vector)"),
      llvm::cl::init(8)};
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
