//===- Pipelines.h - convgrad pass pipelines --------------------*- C++ -*-===//
//
// `--convgrad-cpu-pipeline` as typed C++: four stage functions that add the
// passes with their options (pm.addPass(createX(options))), so that a
// misspelt pass or option is a compile error, and an unknown option value
// (the enums below) an error when the pipeline's options are parsed.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_PIPELINES_PIPELINES_H
#define CONVGRAD_PIPELINES_PIPELINES_H

#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h"

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;

namespace convgrad {

/// How linalg ops become loops.
enum class Codegen {
  /// Tiled for registers and caches, vectorized (the fast path).
  Vector,
  /// Plain scalar loop nests (a simple reference path).
  Loops,
};

/// How filter gradients are computed.
enum class WgradStrategy {
  /// Ungrouped, static-channel ones as one register-blocked GEMM per image
  /// and kernel tap (--convgrad-cpu-wgrad-to-gemm); the others as Conv.
  Gemm,
  /// A forward convolution with the batch as the reduced channel (the math
  /// note's form).
  Conv,
};

/// Where kernels keep their temporaries (padded copies, transposes, phase
/// outputs).
enum class Temporaries {
  /// malloc and free inside every call.
  Heap,
  /// One caller-provided buffer, the kernel's last argument, sized by
  /// `<kernel>_workspace_size` (--convgrad-cpu-workspace).
  Workspace,
};

/// Options of `--convgrad-cpu-pipeline`.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<Codegen> codegen{
      *this, "codegen", llvm::cl::desc("How linalg ops become loops"),
      llvm::cl::init(Codegen::Vector),
      llvm::cl::values(
          clEnumValN(Codegen::Vector, "vector",
                     "tile for registers and caches, vectorize"),
          clEnumValN(Codegen::Loops, "loops",
                     "scalar loop nests (a simple reference path)"))};
  PassOptions::Option<DgradStrategy> dgradStrategy{
      *this, "dgrad-strategy",
      llvm::cl::desc("How strided data gradients become convolutions"),
      llvm::cl::init(DgradStrategy::Phase),
      llvm::cl::values(
          clEnumValN(DgradStrategy::Phase, "phase",
                     "one stride-1 convolution per output phase, no MAC on "
                     "inserted zeros"),
          clEnumValN(DgradStrategy::ZeroInsertion, "zero-insertion",
                     "one convolution of the zero-inserted gradient (the "
                     "math note's form)"))};
  PassOptions::Option<WgradStrategy> wgradStrategy{
      *this, "wgrad-strategy",
      llvm::cl::desc("How filter gradients are computed"),
      llvm::cl::init(WgradStrategy::Gemm),
      llvm::cl::values(
          clEnumValN(WgradStrategy::Gemm, "gemm",
                     "ungrouped ones as one register-blocked GEMM per image "
                     "and kernel tap"),
          clEnumValN(WgradStrategy::Conv, "conv",
                     "a forward convolution with the batch as the reduced "
                     "channel"))};
  PassOptions::Option<Temporaries> temporaries{
      *this, "temporaries",
      llvm::cl::desc("Where kernels keep their temporaries"),
      llvm::cl::init(Temporaries::Heap),
      llvm::cl::values(
          clEnumValN(Temporaries::Heap, "heap",
                     "malloc and free in every call"),
          clEnumValN(Temporaries::Workspace, "workspace",
                     "a caller-provided buffer, the kernel's last argument "
                     "(memref<?xi8>, 64-byte aligned); "
                     "<kernel>_workspace_size(<other arguments>) returns its "
                     "size in bytes: no call allocates"))};
  PassOptions::Option<unsigned> numThreads{
      *this, "num-threads",
      llvm::cl::desc("Threads for the parallel loops: 1 = sequential code "
                     "with no runtime library; N > 1 = OpenMP with N threads "
                     "(link libomp); 0 = OpenMP, thread count from "
                     "OMP_NUM_THREADS at run time"),
      llvm::cl::init(1)};
  PassOptions::Option<std::string> targetCpu{
      *this, "target-cpu",
      llvm::cl::desc("The CPU to compile for: 'host' or an LLVM CPU name "
                     "(znver3, skylake-avx512, x86-64-v3, ...). Tile sizes "
                     "follow its vector width, registers and caches, and "
                     "LLVM generates code for it"),
      llvm::cl::init("host")};
  PassOptions::Option<std::string> targetFeatures{
      *this, "target-features",
      llvm::cl::desc("Changes to the CPU's features, e.g. '-avx512f' for "
                     "AVX2 code on an AVX-512 machine"),
      llvm::cl::init("")};
  PassOptions::Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Vector register width the tiles are sized for (0: "
                     "from the target)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> vectorRegisters{
      *this, "vector-registers",
      llvm::cl::desc("Vector registers the tiles may use (0: from the "
                     "target)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> wgradParallelTasks{
      *this, "wgrad-parallel-tasks",
      llvm::cl::desc("wgrad-strategy=gemm: override the parallel tasks of a "
                     "filter gradient (0: one per thread; 4 for a run-time "
                     "thread count)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> wgradBlockBytes{
      *this, "wgrad-block-bytes",
      llvm::cl::desc("wgrad-strategy=gemm: override the output gradient "
                     "bytes per GEMM (0: a quarter of the target's L2)"),
      llvm::cl::init(0)};
  PassOptions::Option<bool> prefetchStridedRows{
      *this, "prefetch-strided-rows",
      llvm::cl::desc("Prefetch the rows reduction loops read a page or more "
                     "apart (convgrad-cpu-prefetch-strided-rows)"),
      llvm::cl::init(true)};
};

/// Stage 1: convgrad (or linalg on tensors) to linalg on tensors. Records
/// the CPU target, computes filter gradients as GEMMs, backward ops as
/// forward convolutions, channels-first ones in channels-last, grouped ones
/// as loops over groups, and lowers to upstream linalg.
void buildConvGradToLinalgStage(OpPassManager &pm,
                                const CPUPipelineOptions &options);
/// Stage 2: tiles and vectorizes convolutions and GEMMs (codegen=vector).
void buildTileAndVectorizeStage(OpPassManager &pm,
                                const CPUPipelineOptions &options);
/// Stage 3: one-shot bufferization across function boundaries (identity
/// layouts), deallocation (or the workspace convention), copies as
/// vectorized loops.
void buildBufferizationStage(OpPassManager &pm,
                             const CPUPipelineOptions &options);
/// Stage 4: parallel loops to OpenMP or sequential loops, everything to the
/// LLVM dialect, the LLVM functions marked with the target CPU.
void buildLowerToLLVMStage(OpPassManager &pm,
                           const CPUPipelineOptions &options);

/// Tensors to buffers for functions that callers pass memref descriptors
/// to: one-shot bufferization across function boundaries with identity
/// layouts, deallocation, and strided copies (pads, insertions) as
/// linalg.copy instead of calls into MLIR's runner library.
void buildBufferizeForCallers(OpPassManager &pm);

/// From loops, vectors and memrefs (of any pipeline) to the LLVM dialect:
/// arith expansion (bf16 conversions as integer ops, no compiler-rt
/// helper), strided metadata, affine, memrefs, control flow, then the
/// vector (`vector`), math, OpenMP (`openmp`) and remaining conversions.
/// memrefs become LLVM before control flow, so that OpenMP regions stay
/// single-block.
void buildLoopsToLLVM(OpPassManager &pm, bool vector, bool openmp);

/// All four stages: the result is ready for `mlir-translate
/// --mlir-to-llvmir`, `mlir-runner` and the ExecutionEngine.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers `--convgrad-cpu-pipeline` (through convgrad::registerAllPasses).
void registerConvGradPipelines();

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_PIPELINES_PIPELINES_H
