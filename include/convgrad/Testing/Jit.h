//===- Jit.h - Compile and call convgrad kernels ----------------*- C++ -*-===//
//
// Runs a textual pass pipeline (by default `convgrad-cpu-pipeline`) on a
// kernel module and JIT-compiles the result with mlir::ExecutionEngine, then
// looks kernels up by name and calls them on HostTensors.
//
//   convgrad::runtime::initialize();            // once per process
//   auto ctx = convgrad::runtime::createContext();
//   auto module = buildModule(ctx.get(), tc);   // Kernels.h
//   JitOptions opts;
//   opts.pipeline = "convgrad-cpu-pipeline{num-threads=2}";
//   opts.sharedLibs = {defaultOpenMPLibrary()};
//   std::string error;
//   auto compiled = CompiledModule::compile(*module, opts, error);
//   KernelCall dgrad = compiled->prepare("dgrad", {&dy, &w, &dx}, error);
//   dgrad();
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_TESTING_JIT_H
#define CONVGRAD_TESTING_JIT_H

#include "convgrad/Codegen/CPU/CPUTarget.h"
#include "convgrad/Testing/HostTensor.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace convgrad {
namespace runtime {

/// Initializes the native LLVM target and registers every upstream and
/// convgrad pass and pipeline (so textual pipelines parse). Idempotent and
/// thread-safe; call it before compiling (a tool that parses MLIR command
/// line options calls it before cl::ParseCommandLineOptions). It replaces a
/// tool's own registerAllPasses / registerConvGrad*Passes /
/// registerConvGradPipelines calls: registering the pipeline twice is a
/// fatal error in MLIR.
void initialize();

/// Adds every upstream dialect, extension and LLVM IR translation plus the
/// convgrad dialect to `registry`.
void registerDialects(mlir::DialectRegistry &registry);

/// A context with registerDialects' registry, all dialects loaded.
std::unique_ptr<mlir::MLIRContext> createContext();

/// The LLVM OpenMP runtime of the MLIR installation convgrad was built
/// against (…/lib/libomp.so): what `num-threads` != 1 code needs.
std::string defaultOpenMPLibrary();

struct JitOptions {
  /// A pass pipeline from the kernel module to the LLVM dialect as a user
  /// wrote it (textual, without the builtin.module wrapper). Empty: the
  /// CPU pipeline (mlir::convgrad::buildCPUPipeline) with `cpuOptions`.
  std::string pipeline;
  /// Options of the CPU pipeline as a user wrote them (e.g.
  /// "target-cpu=znver3"), used when `pipeline` is empty.
  std::string cpuOptions;
  /// The CPU pipeline's thread count, over what `cpuOptions` says.
  std::optional<unsigned> numThreads;
  /// LLVM optimization level 0-3 for both the IR optimizer and the code
  /// generator.
  unsigned optLevel = 2;
  /// Verify the IR after every pass of the pipeline (as mlir-opt does by
  /// default). Off: the module is verified once, after the whole pipeline;
  /// a pass that breaks the IR is then reported at the end, not by name.
  bool verifyEachPass = true;
  /// Shared libraries the compiled code may call (e.g. libomp for OpenMP).
  std::vector<std::string> sharedLibs;
  /// If set, the module is printed here before the pipeline runs.
  llvm::raw_ostream *dumpModule = nullptr;
  /// If set, the machine code is written to this object file, and the
  /// address its text was loaded at printed to stderr: samples of `perf
  /// record -e cpu-clock` (no hardware counters needed) then map to its
  /// instructions (utils/perf-jit-loops.py).
  std::string dumpObject;
};

/// The CPU target that `options` compile for with convgrad-cpu-pipeline
/// (nullopt with `error` set for bad options, or when `options.pipeline`
/// names another pipeline).
std::optional<mlir::convgrad::cpu::CPUTarget>
resolveJitTarget(const JitOptions &options, std::string &error);

/// The CPU target that `options` compile for, as one line (CPU name, ISA,
/// vector registers, caches, threads), or why it cannot be resolved.
std::string describeCPUTarget(const JitOptions &options);

/// Where compilation time went.
struct CompileStats {
  double pipelineSeconds = 0; ///< the MLIR pass pipeline
  double jitSeconds = 0;      ///< LLVM IR translation, optimization, codegen
};

/// The ABI of every registered runtime symbol (today only `__truncsfbf2`).
void registerRuntimeSymbols(mlir::ExecutionEngine &engine);

/// Runs the pipeline of `options` on `module` (in place) and JIT-compiles
/// it.
/// Returns null with `error` set on a verifier, pipeline or JIT failure.
std::unique_ptr<mlir::ExecutionEngine>
compileModule(mlir::ModuleOp module, const JitOptions &options,
              std::string &error, CompileStats *stats = nullptr);

/// A prepared call of a kernel: its entry point and the descriptors of its
/// arguments, built once so repeated calls (timing) only make the call. The
/// HostTensors must outlive it. A kernel compiled with the workspace
/// convention (pipeline option temporaries=workspace) gets its workspace
/// here: sized once by `<name>_workspace_size`, owned by the call.
class KernelCall {
public:
  KernelCall() = default;
  KernelCall(void *entry, std::vector<MemRefDescriptor> descriptors,
             std::shared_ptr<void> workspace = nullptr,
             int64_t workspaceBytes = 0);
  /// Move-only: the argument pointers point into this call's descriptors
  /// (a move keeps them in place, a copy would not).
  KernelCall(KernelCall &&) = default;
  KernelCall &operator=(KernelCall &&) = default;
  KernelCall(const KernelCall &) = delete;
  KernelCall &operator=(const KernelCall &) = delete;
  explicit operator bool() const { return entry_ != nullptr; }
  /// Calls `_mlir_ciface_<name>(&desc[0], ..., &desc[n-1])`.
  void operator()();
  /// The workspace this call passes, in bytes (0 without the convention).
  int64_t workspaceBytes() const { return workspaceBytes_; }

private:
  void *entry_ = nullptr;
  std::vector<MemRefDescriptor> descriptors_;
  std::vector<void *> argPtrs_;
  std::shared_ptr<void> workspace_;
  int64_t workspaceBytes_ = 0;
};

/// A compiled module: an ExecutionEngine plus kernel lookup.
class CompiledModule {
public:
  /// compileModule() wrapped; null on failure.
  static std::unique_ptr<CompiledModule>
  compile(mlir::ModuleOp module, const JitOptions &options, std::string &error);

  explicit CompiledModule(std::unique_ptr<mlir::ExecutionEngine> engine,
                          CompileStats stats = {});

  mlir::ExecutionEngine &engine() { return *engine_; }
  const CompileStats &stats() const { return stats_; }

  /// The address of `_mlir_ciface_<name>`, or null with `error` appended.
  void *lookup(llvm::StringRef name, std::string &error);

  /// lookup() plus the descriptors of `args` (inputs then output, in the
  /// kernel's argument order). An empty KernelCall with `error` appended if
  /// the kernel is missing or takes a different number of arguments.
  KernelCall prepare(llvm::StringRef name, llvm::ArrayRef<HostTensor *> args,
                     std::string &error);

private:
  std::unique_ptr<mlir::ExecutionEngine> engine_;
  CompileStats stats_;
};

} // namespace runtime
} // namespace convgrad

#endif // CONVGRAD_TESTING_JIT_H
