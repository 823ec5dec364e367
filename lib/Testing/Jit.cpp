//===- Jit.cpp - Compile and call convgrad kernels ------------------------===//
//
// The compile step of convgrad-run (pipeline, ExecutionEngine with an
// explicit optimization level, the bf16 rounding symbol), shared.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Testing/Jit.h"

#include "convgrad/Codegen/CPU/CPUTarget.h"
#include "convgrad/InitAll.h"
#include "convgrad/Pipelines/Pipelines.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>
#include <set>

using namespace mlir;
namespace rt = ::convgrad::runtime;
using namespace rt;

#ifndef CONVGRAD_LLVM_LIBRARY_DIR
#define CONVGRAD_LLVM_LIBRARY_DIR "/usr/lib/llvm-22/lib"
#endif

void rt::initialize() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    // The AVX2 8 x 8 transposes carry their blends as inline assembly
    // (convgrad-lower-vectors), which the JIT's object streamer parses.
    llvm::InitializeNativeTargetAsmParser();
    registerAllPasses();
    mlir::convgrad::registerAllPasses();
  });
}

void rt::registerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  mlir::convgrad::registerAllDialects(registry);
}

std::unique_ptr<MLIRContext> rt::createContext() {
  DialectRegistry registry;
  registerDialects(registry);
  auto ctx = std::make_unique<MLIRContext>(registry);
  ctx->loadAllAvailableDialects();
  return ctx;
}

std::string rt::defaultOpenMPLibrary() {
  return CONVGRAD_LLVM_LIBRARY_DIR "/libomp.so";
}

std::optional<mlir::convgrad::cpu::CPUTarget>
rt::resolveJitTarget(const JitOptions &options, std::string &error) {
  if (!options.pipeline.empty()) {
    error = "the target of pass pipeline '" + options.pipeline + "'";
    return std::nullopt;
  }
  std::unique_ptr<mlir::convgrad::CPUPipelineOptions> cpuOptions =
      mlir::convgrad::CPUPipelineOptions::createFromString(options.cpuOptions);
  if (!cpuOptions) {
    error = "bad convgrad-cpu-pipeline options '" + options.cpuOptions + "'";
    return std::nullopt;
  }
  unsigned threads = options.numThreads.value_or(cpuOptions->numThreads);
  return mlir::convgrad::cpu::resolveCPUTarget(
      cpuOptions->targetCpu, cpuOptions->targetFeatures,
      cpuOptions->vectorBits, cpuOptions->vectorRegisters, threads, error);
}

std::string rt::describeCPUTarget(const JitOptions &options) {
  std::string error;
  std::optional<mlir::convgrad::cpu::CPUTarget> target =
      resolveJitTarget(options, error);
  if (target)
    return target->describe();
  return options.pipeline.empty() ? "(" + error + ")" : error;
}

void rt::registerRuntimeSymbols(ExecutionEngine &engine) {
  engine.registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("__truncsfbf2")] = {
        llvm::orc::ExecutorAddr::fromPtr(&convgrad_runtime_truncsfbf2),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
}

/// The kernels run here, on the host: code for another CPU (the AVX2 table's
/// target-cpu=znver3 on an Intel machine) must not use instructions this one
/// lacks, or the first of them stops the process (SIGILL: LLVM selects
/// SSE4a's insertq for some f16 shuffles on znver3). A function compiled for
/// another CPU, or with a feature the host reports absent, gets every feature
/// the host lacks turned off ("-name" after its list, so also those its
/// features imply: +xop brings fma4 and sse4a); the tiling stays the
/// target's. Returns the features of the functions' own lists turned off.
static std::set<std::string> withoutFeaturesHostLacks(ModuleOp module) {
  llvm::StringMap<bool> host = llvm::sys::getHostCPUFeatures();
  std::string hostCpu = llvm::sys::getHostCPUName().str();
  SmallVector<std::string> hostLacks;
  for (const auto &feature : host)
    if (!feature.getValue())
      hostLacks.push_back(feature.getKey().str());
  llvm::sort(hostLacks);
  std::set<std::string> dropped;
  module.walk([&](LLVM::LLVMFuncOp fn) {
    LLVM::TargetFeaturesAttr features = fn.getTargetFeaturesAttr();
    std::optional<StringRef> cpu = fn.getTargetCpu();
    bool foreign = cpu && *cpu != hostCpu;
    SmallVector<std::string> list;
    // Later entries win ("+pku" of the CPU, then "-pku" of a VM host).
    llvm::StringMap<bool> enabled;
    if (features)
      for (StringAttr feature : features.getFeatures()) {
        list.push_back(feature.getValue().str());
        StringRef name = feature.getValue();
        if (name.size() > 1)
          enabled[name.drop_front()] = name.front() == '+';
      }
    for (const auto &feature : enabled) {
      auto it = host.find(feature.getKey());
      if (feature.getValue() && it != host.end() && !it->second) {
        dropped.insert(feature.getKey().str());
        foreign = true;
      }
    }
    if (!foreign)
      return;
    for (const std::string &name : hostLacks)
      list.push_back("-" + name);
    SmallVector<StringRef> refs(list.begin(), list.end());
    fn.setTargetFeaturesAttr(
        LLVM::TargetFeaturesAttr::get(module.getContext(), refs));
  });
  return dropped;
}

std::unique_ptr<ExecutionEngine>
rt::compileModule(ModuleOp module, const JitOptions &options,
                                 std::string &error, CompileStats *stats) {
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  if (failed(verify(module))) {
    error = "the kernel module does not verify";
    return nullptr;
  }
  if (options.dumpModule)
    module.print(*options.dumpModule);

  auto t0 = Clock::now();
  PassManager pm(module->getContext());
  std::string parseError;
  llvm::raw_string_ostream errs(parseError);
  std::string pipelineName = options.pipeline;
  if (!options.pipeline.empty()) {
    if (failed(parsePassPipeline(options.pipeline, pm, errs))) {
      error = "bad pass pipeline '" + options.pipeline + "': " + parseError;
      return nullptr;
    }
  } else {
    std::unique_ptr<mlir::convgrad::CPUPipelineOptions> cpuOptions =
        mlir::convgrad::CPUPipelineOptions::createFromString(
            options.cpuOptions);
    if (!cpuOptions) {
      error = "bad convgrad-cpu-pipeline options '" + options.cpuOptions +
              "' (see stderr)";
      return nullptr;
    }
    if (options.numThreads)
      cpuOptions->numThreads = *options.numThreads;
    mlir::convgrad::buildCPUPipeline(pm, *cpuOptions);
    pipelineName = "convgrad-cpu-pipeline";
  }
  pm.enableVerifier(options.verifyEachPass);
  if (failed(pm.run(module))) {
    error = "the pass pipeline '" + pipelineName + "' failed";
    return nullptr;
  }
  if (!options.verifyEachPass && failed(verify(module))) {
    error = "the pass pipeline '" + pipelineName + "' produced invalid IR";
    return nullptr;
  }
  std::set<std::string> dropped = withoutFeaturesHostLacks(module);
  if (!dropped.empty()) {
    // Once per process and set: a batch of kernels would repeat it.
    static std::mutex noteMutex;
    static std::set<std::set<std::string>> noted;
    std::lock_guard<std::mutex> lock(noteMutex);
    if (noted.insert(dropped).second) {
      std::string list;
      for (const std::string &name : dropped)
        list += (list.empty() ? "" : ", ") + name;
      llvm::errs() << "note: this machine lacks " << list
                   << " of the target CPU: the kernels are compiled without "
                      "them (tiling unchanged)\n";
    }
  }
  auto t1 = Clock::now();
  // A function defined in the module: looking it up below compiles the
  // whole module (one materialization unit).
  std::string definedFunction;
  for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
    if (!fn.isExternal()) {
      definedFunction = fn.getName().str();
      break;
    }

  ExecutionEngineOptions engineOptions;
  unsigned level = std::min(3u, options.optLevel);
  // Kept alive for the engine's whole creation (options holds a reference).
  auto transformer = makeOptimizingTransformer(level, 0, nullptr);
  engineOptions.transformer = transformer;
  SmallVector<StringRef> libs(options.sharedLibs.begin(),
                              options.sharedLibs.end());
  engineOptions.sharedLibPaths = libs;
  engineOptions.enableObjectDump = !options.dumpObject.empty();
  // ExecutionEngine compiles with the TargetMachine it is given (or one it
  // makes at the default level), so the code generation level goes there.
  auto codeGenLevel = static_cast<llvm::CodeGenOptLevel>(level);
  engineOptions.jitCodeGenOptLevel = codeGenLevel;
  std::unique_ptr<llvm::TargetMachine> tm;
  if (auto tmBuilder = llvm::orc::JITTargetMachineBuilder::detectHost()) {
    tmBuilder->setCodeGenOptLevel(codeGenLevel);
    // LLVM 22's X86 instruction selection aborts ("Do not know how to soft
    // promote this operator's operand") on some bf16 vector code when
    // AVX512-BF16 is enabled (Sapphire Rapids hosts); without it bf16 is
    // converted with integer ops, as on every other x86 host.
    tmBuilder->getFeatures().AddFeature("avx512bf16", false);
    if (auto created = tmBuilder->createTargetMachine())
      tm = std::move(*created);
    else
      llvm::consumeError(created.takeError());
  } else {
    llvm::consumeError(tmBuilder.takeError());
  }
  auto created = ExecutionEngine::create(module, engineOptions, std::move(tm));
  if (!created) {
    error = "JIT compilation failed: " + llvm::toString(created.takeError());
    return nullptr;
  }
  std::unique_ptr<ExecutionEngine> engine = std::move(*created);
  registerRuntimeSymbols(*engine);
  // ExecutionEngine::create only builds the JIT; the IR is optimized and
  // compiled on the first lookup. Materialize everything now so that the
  // JIT time is measured here and not in the first kernel call.
  if (!definedFunction.empty()) {
    if (auto fn = engine->lookup(definedFunction); !fn) {
      llvm::consumeError(fn.takeError());
    } else if (!options.dumpObject.empty()) {
      // The object's symbol table gives the function's offset in it, and
      // this its address in the process: together, where the code sits.
      engine->dumpToObjectFile(options.dumpObject);
      llvm::errs() << "# object " << options.dumpObject << " "
                   << definedFunction << " " << *fn << "\n";
    }
  }
  auto t2 = Clock::now();
  if (stats) {
    stats->pipelineSeconds = seconds(t0, t1);
    stats->jitSeconds = seconds(t1, t2);
  }
  return engine;
}

//===----------------------------------------------------------------------===//
// KernelCall, CompiledModule
//===----------------------------------------------------------------------===//

/// Calls the `_mlir_ciface_` function `fn` with one pointer per memref
/// argument.
template <typename Result>
static Result callWithPointers(void *fn, llvm::ArrayRef<void *> a) {
  using Ptr = void *;
  switch (a.size()) {
  case 1:
    return reinterpret_cast<Result (*)(Ptr)>(fn)(a[0]);
  case 2:
    return reinterpret_cast<Result (*)(Ptr, Ptr)>(fn)(a[0], a[1]);
  case 3:
    return reinterpret_cast<Result (*)(Ptr, Ptr, Ptr)>(fn)(a[0], a[1], a[2]);
  case 4:
    return reinterpret_cast<Result (*)(Ptr, Ptr, Ptr, Ptr)>(fn)(a[0], a[1],
                                                                a[2], a[3]);
  case 5:
    return reinterpret_cast<Result (*)(Ptr, Ptr, Ptr, Ptr, Ptr)>(fn)(
        a[0], a[1], a[2], a[3], a[4]);
  case 6:
    return reinterpret_cast<Result (*)(Ptr, Ptr, Ptr, Ptr, Ptr, Ptr)>(fn)(
        a[0], a[1], a[2], a[3], a[4], a[5]);
  case 7:
    return reinterpret_cast<Result (*)(Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, Ptr)>(
        fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
  default:
    llvm::report_fatal_error("convgrad runtime: kernels with more than 7 "
                             "memref arguments are not supported");
  }
}

KernelCall::KernelCall(void *entry, std::vector<MemRefDescriptor> descriptors,
                       std::shared_ptr<void> workspace, int64_t workspaceBytes)
    : entry_(entry), descriptors_(std::move(descriptors)),
      workspace_(std::move(workspace)), workspaceBytes_(workspaceBytes) {
  for (MemRefDescriptor &d : descriptors_)
    argPtrs_.push_back(d.data());
}

void KernelCall::operator()() { callWithPointers<void>(entry_, argPtrs_); }

std::unique_ptr<CompiledModule>
CompiledModule::compile(ModuleOp module, const JitOptions &options,
                        std::string &error) {
  CompileStats stats;
  auto engine = compileModule(module, options, error, &stats);
  if (!engine)
    return nullptr;
  return std::make_unique<CompiledModule>(std::move(engine), stats);
}

CompiledModule::CompiledModule(std::unique_ptr<ExecutionEngine> engine,
                               CompileStats stats)
    : engine_(std::move(engine)), stats_(stats) {}

void *CompiledModule::lookup(StringRef name, std::string &error) {
  auto fn = engine_->lookup(("_mlir_ciface_" + name).str());
  if (!fn) {
    error += llvm::toString(fn.takeError()) + "; ";
    return nullptr;
  }
  return *fn;
}

KernelCall CompiledModule::prepare(StringRef name, ArrayRef<HostTensor *> args,
                                   std::string &error) {
  void *entry = lookup(name, error);
  if (!entry)
    return {};
  if (args.empty() || args.size() > 6) {
    error += "kernel '" + name.str() + "': unsupported argument count; ";
    return {};
  }
  std::vector<MemRefDescriptor> descriptors;
  std::vector<void *> pointers;
  for (HostTensor *t : args) {
    descriptors.push_back(t->descriptor());
    pointers.push_back(descriptors.back().data());
  }
  // The workspace convention: the size function takes the kernel's other
  // arguments; the workspace (memref<?xi8>, 64-byte aligned) comes last.
  auto sizeFn = engine_->lookup(("_mlir_ciface_" + name + "_workspace_size").str());
  if (!sizeFn) {
    llvm::consumeError(sizeFn.takeError());
    return KernelCall(entry, std::move(descriptors));
  }
  int64_t bytes = callWithPointers<int64_t>(*sizeFn, pointers);
  constexpr int64_t kAlign = 64;
  std::shared_ptr<void> workspace(
      std::aligned_alloc(kAlign, std::max<int64_t>(kAlign, (bytes + kAlign - 1) /
                                                               kAlign * kAlign)),
      std::free);
  // All-ones bytes are a NaN in every float type the kernels use (f64, f32,
  // f16, bf16): a kernel that lets an element of its temporaries it never
  // wrote (a border it forgot to zero, the alignment tail of a scratch row)
  // reach a result turns that result into NaN, which the exact check
  // reports, where fresh heap pages would hold harmless zeros.
  std::memset(workspace.get(), 0xFF, bytes);
  int64_t base = reinterpret_cast<int64_t>(workspace.get());
  descriptors.push_back({base, base, 0, bytes, 1});
  return KernelCall(entry, std::move(descriptors), std::move(workspace), bytes);
}
