//===- FuzzCommon.cpp - The path every convgrad fuzz input takes ---------===//

#include "FuzzCommon.h"

#include "convgrad/Conversion/Passes.h"
#include "convgrad/InitAll.h"
#include "convgrad/Pipelines/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <cstdlib>

using namespace mlir;

namespace convgrad_fuzz {

static std::atomic<unsigned long> stageCounts[5];

static bool envSet(const char *name) {
  const char *v = std::getenv(name);
  return v && *v && std::string(v) != "0";
}

void initialize() {
  registerAllPasses();
  convgrad::registerAllPasses();
}

void enableStatsAtExit() {
  if (!envSet("CONVGRAD_FUZZ_STATS"))
    return;
  std::atexit([] {
    static const char *names[5] = {"parse failed", "verify failed",
                                   "convgrad-to-linalg failed",
                                   "cpu pipeline failed", "compiled"};
    llvm::errs() << "convgrad-fuzz stages:";
    for (int i = 0; i < 5; ++i)
      llvm::errs() << " " << names[i] << "=" << stageCounts[i].load() << ";";
    llvm::errs() << "\n";
  });
}

/// Every dialect and extension the lowering may load (bufferization and
/// convert-to-llvm interfaces live in these registrations).
static const DialectRegistry &fullRegistry() {
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry();
    registerAllDialects(*r);
    registerAllExtensions(*r);
    convgrad::registerAllDialects(*r);
    return r;
  }();
  return *registry;
}

[[noreturn]] static void reportBug(StringRef what, ModuleOp module,
                                   const std::string &diagnostics) {
  llvm::errs() << "convgrad-fuzz: BUG: " << what << "\n"
               << diagnostics << "\n";
  module.print(llvm::errs());
  llvm::errs() << "\n";
  llvm::errs().flush();
  std::abort();
}

static Stage finish(Stage s) {
  ++stageCounts[static_cast<int>(s)];
  return s;
}

Stage runInput(StringRef text) {
  bool verbose = envSet("CONVGRAD_FUZZ_VERBOSE");
  // Only what the issue asks the parser to accept: convgrad, func, arith,
  // tensor (and builtin). The lowering registers the rest afterwards.
  DialectRegistry parseRegistry;
  parseRegistry.insert<convgrad::ConvGradDialect, func::FuncDialect,
                       arith::ArithDialect, tensor::TensorDialect>();
  MLIRContext ctx(parseRegistry, MLIRContext::Threading::DISABLED);

  std::string diagnostics;
  llvm::raw_string_ostream diagOS(diagnostics);
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
    diagOS << diag.getLocation() << ": " << diag << "\n";
    for (Diagnostic &note : diag.getNotes())
      diagOS << "  note: " << note << "\n";
    return success();
  });
  auto done = [&](Stage s) {
    if (verbose) {
      llvm::errs() << diagnostics;
      llvm::errs().flush();
    }
    return finish(s);
  };

  ParserConfig config(&ctx, /*verifyAfterParse=*/false);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, config);
  if (!module)
    return done(Stage::ParseFailed);
  if (failed(verify(*module)))
    return done(Stage::VerifyFailed);

  ctx.appendDialectRegistry(fullRegistry());

  // 1. --convgrad-to-linalg. Its output must verify whenever it succeeds.
  {
    PassManager pm(&ctx);
    pm.enableVerifier(false);
    pm.addPass(convgrad::createConvGradToLinalg());
    if (failed(pm.run(*module)))
      return done(Stage::LoweringFailed);
    if (failed(verify(*module)))
      reportBug("--convgrad-to-linalg succeeded but its output does not "
                "verify",
                *module, diagnostics);
  }

  // 1b. --convgrad-raise-linalg on that output: linalg named and generic
  // convolutions, pads, zero insertion and reverses of every shape the
  // generator reaches, i.e. foreign linalg. It must not crash and its output
  // must verify. On a copy, so the CPU pipeline below still compiles the
  // lowering's own output.
  {
    OwningOpRef<ModuleOp> raised = module->clone();
    PassManager pm(&ctx);
    pm.enableVerifier(false);
    pm.addPass(convgrad::createConvGradRaiseLinalg());
    if (failed(pm.run(*raised)))
      reportBug("--convgrad-raise-linalg failed", *raised, diagnostics);
    if (failed(verify(*raised)))
      reportBug("--convgrad-raise-linalg produced IR that does not verify",
                *raised, diagnostics);
  }

  // 2. The CPU pipeline.
  {
    PassManager pm(&ctx);
    convgrad::CPUPipelineOptions options;
    convgrad::buildCPUPipeline(pm, options);
    if (failed(pm.run(*module))) {
      if (envSet("CONVGRAD_FUZZ_STRICT"))
        reportBug("the CPU pipeline failed on the output of "
                  "--convgrad-to-linalg",
                  *module, diagnostics);
      return done(Stage::PipelineFailed);
    }
  }
  return done(Stage::Compiled);
}

} // namespace convgrad_fuzz
