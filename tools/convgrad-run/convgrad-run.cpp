//===- convgrad-run.cpp - JIT, run and check convgrad kernels -------------===//
//
// Builds the forward, dgrad, wgrad and bgrad kernels of convolution
// configurations with the convgrad op builders, compiles them through a pass
// pipeline with the MLIR ExecutionEngine, runs them on random inputs and
// checks every result element against the independent reference loop nests
// (lib/Reference) and the adjoint identities of the math note:
//
//   <conv(x, w) + b, dy> == <x, dgrad(dy, w)> + <b, bgrad(dy)>
//                        == <w, wgrad(x, dy)> + <b, bgrad(dy)>
//
// Configurations come from a .cfg file (one per line, see
// test/Integration/Numerics/Inputs) or from a seeded random generator.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Reference/ConvReference.h"
#include "convgrad/Testing/Check.h"
#include "convgrad/Testing/Compare.h"
#include "convgrad/Testing/HostTensor.h"
#include "convgrad/Testing/Jit.h"
#include "convgrad/Testing/Kernels.h"
#include "convgrad/Testing/TestCases.h"
#include "convgrad/Testing/Timing.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <optional>
#include <random>
#include <unistd.h>

using namespace mlir;
namespace ref = ::convgrad::reference;
namespace cases = ::convgrad::testcases;
namespace rt = ::convgrad::runtime;
namespace cg = mlir::convgrad;
namespace cl = llvm::cl;

static cl::OptionCategory runCategory("convgrad-run options");
static cl::opt<std::string> inputFile(
    cl::Positional,
    cl::desc("[input.mlir]: check every convgrad op of this module (its "
             "configuration comes from the op's attributes and types)"),
    cl::init(""), cl::cat(runCategory));
static cl::opt<int64_t> dynamicBatchSize(
    "dynamic-batch-size",
    cl::desc("Batch size used to run ops of an input module whose batch is "
             "dynamic"),
    cl::init(2), cl::cat(runCategory));
static cl::opt<unsigned> timeReps(
    "time",
    cl::desc("After checking, time each kernel: median of this many calls, "
             "after at least 20 ms of warm-up calls (0: do not time)"),
    cl::init(0), cl::cat(runCategory));
static cl::opt<std::string> configFile(
    "config-file", cl::desc("Run every configuration line of this .cfg file"),
    cl::value_desc("file"), cl::cat(runCategory));
static cl::opt<std::string> configLine(
    "config", cl::desc("Run one configuration given as a .cfg line, e.g. "
                       "'n=2 c=4 f=6 g=2 in=7,5 k=3,2 s=2,1'"),
    cl::value_desc("line"), cl::cat(runCategory));
static cl::opt<unsigned> randomCount(
    "random", cl::desc("Run this many random valid configurations"),
    cl::init(0), cl::cat(runCategory));
static cl::opt<uint64_t> seed("seed", cl::desc("Seed for inputs and --random"),
                              cl::init(1), cl::cat(runCategory));
static cl::opt<std::string> passPipeline(
    "pass-pipeline",
    cl::desc("Pipeline from the kernels to the LLVM dialect (textual, without "
             "the builtin.module wrapper; default: convgrad-cpu-pipeline)"),
    cl::init(""), cl::cat(runCategory));
static cl::opt<bool> verbose("v", cl::desc("Print every configuration"),
                             cl::init(false), cl::cat(runCategory));
static cl::opt<bool> dumpIR("dump-ir",
                            cl::desc("Print each kernel module before "
                                     "compiling it"),
                            cl::init(false), cl::cat(runCategory));
static cl::list<std::string> sharedLibs(
    "shared-libs",
    cl::desc("Libraries the compiled code may call (none by default: the "
             "CPU pipeline's output is self-contained)"),
    cl::CommaSeparated, cl::cat(runCategory));
static cl::opt<unsigned> maxFailures(
    "max-failures", cl::desc("Stop after this many failing configurations"),
    cl::init(20), cl::cat(runCategory));
static cl::opt<unsigned> batchSize(
    "batch",
    cl::desc("Compile the kernels of this many configurations into one module "
             "and one ExecutionEngine (amortizes the JIT setup; the checks and "
             "the inputs are the same as with 1). A batch that fails to "
             "compile is retried one configuration at a time"),
    cl::init(1), cl::cat(runCategory));
static cl::opt<std::string> comparePipeline(
    "compare-pipeline",
    cl::desc("Compare mode: compile the public functions of the input module "
             "with --pass-pipeline and with this pipeline, call both on the "
             "same inputs (multiples of 1/4 in [-2, 2], so linear layers must "
             "agree bit for bit) and compare every output element; --time=N "
             "also times both sides. Functions: (memref...) -> () in "
             "destination-passing style or (tensor...) -> tensor, static "
             "shapes"),
    cl::value_desc("pipeline"), cl::cat(runCategory));
static cl::opt<double> compareTolerance(
    "compare-tolerance",
    cl::desc("Compare mode: relative tolerance (0: results must be equal; "
             "set it for non-linear ops or long chains of layers)"),
    cl::init(0.0), cl::cat(runCategory));
static cl::opt<std::string> checkMode(
    "check",
    cl::desc("How results are compared with the reference: exact (default: "
             "inputs on a dyadic grid on which every sum is exact, results "
             "must match to the last bit of the output type) or statistical "
             "(random inputs, a sqrt(n) u sum|terms| bound; see Check.h)"),
    cl::init("exact"), cl::cat(runCategory));
static cl::opt<bool> timeOnly(
    "time-only",
    cl::desc("With --time: skip the reference and the adjoint checks, only "
             "time the kernels (repeated timing rounds of a configuration "
             "another run already checked; the reference loop nests of a "
             "large 3-D layer take seconds)"),
    cl::init(false), cl::cat(runCategory));
static cl::opt<std::string> randomSize(
    "random-size",
    cl::desc("Sizes of --random configurations: small (default: C, F <= 16, "
             "spatial <= 9) or mid (C, F up to 160, spatial up to 64, "
             "reference work capped per configuration)"),
    cl::init("small"), cl::cat(runCategory));
static cl::opt<unsigned> optLevel(
    "opt-level",
    cl::desc("LLVM optimization level (0-3) of the JIT-compiled kernels, for "
             "both the IR optimizer and the code generator"),
    cl::init(2), cl::cat(runCategory));
static cl::opt<bool> verifyEach(
    "verify-each",
    cl::desc("Verify the IR after every pass of the pipeline (default; off: "
             "once, after the whole pipeline)"),
    cl::init(true), cl::cat(runCategory));

namespace {

/// Checks configurations: compiles their kernels (ConvGradRuntime), runs them
/// on random inputs and compares with the reference.
struct Runner {
  MLIRContext &ctx;
  unsigned numPassed = 0, numFailed = 0;

  rt::JitOptions jitOptions() const {
    rt::JitOptions options;
    options.pipeline = passPipeline;
    options.optLevel = optLevel;
    options.verifyEachPass = verifyEach;
    options.sharedLibs.assign(sharedLibs.begin(), sharedLibs.end());
    if (dumpIR)
      options.dumpModule = &llvm::outs();
    return options;
  }

  /// Times the four kernels of `tc` (--time calls each) and prints them.
  void timeKernels(const cases::TestCase &tc, rt::KernelCall &fwd,
                   rt::KernelCall &dgrad, rt::KernelCall &wgrad,
                   rt::KernelCall &bgrad) {
    const ref::ConvConfig &c = tc.conv;
    int64_t kernelSize = ref::numElements(c.kernelSizes);
    int64_t outSpatial = ref::numElements(
        tc.transposed ? tc.transposedConfig().outputSizes() : c.outputSizes());
    if (tc.transposed) // as in run(): the longest of its sums
      outSpatial = std::max(outSpatial, ref::numElements(c.inputSizes));
    int64_t cg = c.inChannels / c.groups;
    // FLOPs of one convolution: 2 * N * F * (C / G) * prod(O) * prod(K).
    double convFlops = 2.0 * c.batch * c.outChannels * cg * outSpatial *
                       kernelSize;
    rt::TimingOptions timing;
    timing.warmup = 1;
    // Sub-millisecond kernels: one warm-up call leaves the caches, the
    // branch predictors and the OpenMP workers cold for the first timed
    // ones, and a median of a few such calls moved the rank table's
    // ratios by 10%.
    timing.minWarmupSeconds = 0.02;
    timing.reps = timeReps;
    auto report = [&](const char *name, rt::KernelCall &call, double flops) {
      double ms = rt::timeFunction([&] { call(); }, timing).medianMs;
      llvm::outs() << llvm::format("  %-5s %9.3f ms %8.2f GFLOP/s\n", name,
                                   ms, flops / ms * 1e-6);
    };
    llvm::outs() << "timing (median of " << timeReps
                 << " calls): " << cases::formatTestCase(tc) << "\n";
    report("fwd", fwd, convFlops);
    report("dgrad", dgrad, convFlops);
    report("wgrad", wgrad, convFlops);
    report("bgrad", bgrad, double(c.batch) * c.outChannels * outSpatial);
  }

  /// Compiles (unless `shared` already holds its kernels, named with
  /// `suffix`) and checks one configuration; returns false with a message on
  /// any mismatch or compilation failure.
  bool run(const cases::TestCase &tc, std::mt19937_64 &rng, std::string &message,
           rt::CompiledModule *shared = nullptr, StringRef suffix = "") {
    std::unique_ptr<rt::CompiledModule> owned;
    rt::CompiledModule *compiled = shared;
    std::mt19937_64 rngAtStart = rng; // for the retry below
    if (!compiled) {
      OwningOpRef<ModuleOp> module = rt::buildModule(&ctx, tc);
      owned = rt::CompiledModule::compile(*module, jitOptions(), message);
      if (!owned)
        return false;
      compiled = owned.get();
    }

    const ref::ConvConfig &c = tc.conv;
    ref::TransposedConvConfig tconv = tc.transposedConfig();
    rt::ElemKind kind =
        rt::parseElemKind(tc.elementType).value_or(rt::ElemKind::F32);
    std::vector<int64_t> xShape = tc.transposed ? tconv.inputShape()
                                                : c.inputShape(),
                         wShape = tc.transposed ? tconv.filterShape()
                                                : c.filterShape(),
                         yShape = tc.transposed ? tconv.outputShape()
                                                : c.outputShape();
    rt::HostTensor x(kind, xShape), w(kind, wShape),
        bias(kind, {c.outChannels}), dy(kind, yShape);
    int64_t kernelSize = ref::numElements(c.kernelSizes);
    int64_t outSpatial = ref::numElements(
        tc.transposed ? tconv.outputSizes() : c.outputSizes());
    int64_t cg = c.inChannels / c.groups, fg = c.outChannels / c.groups;
    // A transposed convolution's sums: y over (C_in/G) x K terms, dx over
    // (C_out/G) x K, dw over N x S.
    if (tc.transposed)
      outSpatial = std::max(outSpatial, ref::numElements(c.inputSizes));
    // The longest reduction of the four kernels (fwd adds the bias term).
    size_t longest = std::max<size_t>({size_t(cg * kernelSize + 1),
                                       size_t(fg * kernelSize),
                                       size_t(c.batch * outSpatial)});
    std::optional<rt::DyadicGrid> grid;
    if (*rt::parseCheckMode(checkMode) == rt::CheckMode::Exact)
      grid = rt::exactGrid(kind, longest);
    for (rt::HostTensor *t : {&x, &w, &bias, &dy}) {
      if (grid)
        t->randomizeDyadic(rng, grid->maxNumerator, grid->fractionBits);
      else
        t->randomize(rng);
    }
    rt::HostTensor y(kind, yShape), dx(kind, xShape), dw(kind, wShape),
        db(kind, {c.outChannels});
    for (rt::HostTensor *t : {&y, &dx, &dw, &db})
      t->fillNaN(); // Elements the kernel does not write stand out.

    std::string lookupErrors;
    rt::KernelCall fwd = compiled->prepare(("fwd" + suffix).str(),
                                           {&x, &w, &bias, &y}, lookupErrors);
    rt::KernelCall dgrad = compiled->prepare(("dgrad" + suffix).str(),
                                             {&dy, &w, &dx}, lookupErrors);
    rt::KernelCall wgrad = compiled->prepare(("wgrad" + suffix).str(),
                                             {&x, &dy, &dw}, lookupErrors);
    rt::KernelCall bgrad =
        compiled->prepare(("bgrad" + suffix).str(), {&dy, &db}, lookupErrors);
    bool allFound = fwd && dgrad && wgrad && bgrad;
    if (!allFound && shared) {
      // A batch that links but does not materialize (e.g. an unresolved
      // symbol in another configuration's kernels): compile this one alone so
      // the failure is attributed to the right configuration.
      rng = rngAtStart;
      return run(tc, rng, message);
    }
    if (!allFound) {
      message = "a kernel is missing from the compiled module: " + lookupErrors;
      return false;
    }
    fwd();
    dgrad();
    wgrad();
    bgrad();

    if (timeOnly && timeReps > 0) {
      timeKernels(tc, fwd, dgrad, wgrad, bgrad);
      return true;
    }

    // 1. Every element against the defining sums.
    std::vector<double> xv = x.values(), wv = w.values(), bv = bias.values(),
                        dyv = dy.values();
    ref::Result yRef = tc.transposed ? ref::transposedForward(tconv, xv, wv, &bv)
                                     : ref::forward(c, xv, wv, &bv);
    ref::Result dxRef = tc.transposed
                            ? ref::transposedBackwardData(tconv, dyv, wv)
                            : ref::backwardData(c, dyv, wv);
    ref::Result dwRef = tc.transposed
                            ? ref::transposedBackwardFilter(tconv, xv, dyv)
                            : ref::backwardFilter(c, xv, dyv);
    ref::Result dbRef = tc.transposed ? ref::transposedBackwardBias(tconv, dyv)
                                      : ref::backwardBias(c, dyv);
    // Exact mode (when a grid fits): the reference sums are exact in double.
    if (grid && !(rt::checkExact("fwd", y, yRef.value, message) &&
                  rt::checkExact("dgrad", dx, dxRef.value, message) &&
                  rt::checkExact("wgrad", dw, dwRef.value, message) &&
                  rt::checkExact("bgrad", db, dbRef.value, message)))
      return false;
    if (!grid && (!rt::checkResult("fwd", y, yRef, cg * kernelSize, message) ||
        !rt::checkResult("dgrad", dx, dxRef, fg * kernelSize, message) ||
        !rt::checkResult("wgrad", dw, dwRef, c.batch * outSpatial, message) ||
        !rt::checkResult("bgrad", db, dbRef, c.batch * outSpatial, message)))
      return false;

    if (timeReps > 0)
      timeKernels(tc, fwd, dgrad, wgrad, bgrad);

    // 2. The adjoint identities on the compiled results.
    std::vector<double> yv = y.values(), dxv = dx.values(), dwv = dw.values(),
                        dbv = db.values();
    double lhs = ref::dot(yv, dyv) - ref::dot(bv, dbv);
    double viaData = ref::dot(xv, dxv), viaFilter = ref::dot(wv, dwv);
    double scale = 0; // sum |x w dy| over all product terms
    for (size_t i = 0; i < dyv.size(); ++i)
      scale += std::fabs(dyv[i]) * yRef.absSum[i];
    for (size_t i = 0; i < bv.size(); ++i)
      scale += std::fabs(bv[i]) * dbRef.absSum[i];
    size_t n = std::max<size_t>({size_t(cg * kernelSize),
                                 size_t(fg * kernelSize),
                                 size_t(c.batch * outSpatial)});
    double tol = 4.0 *
                     (rt::unitRoundoff(kind) +
                      n * rt::accumulatorRoundoff(kind)) *
                     scale +
                 1e-300;
    if (!(std::fabs(lhs - viaData) <= tol &&
          std::fabs(lhs - viaFilter) <= tol)) {
      llvm::raw_string_ostream os(message);
      os << "adjoint identity: <y - b, dy> = " << lhs << ", <x, dx> = "
         << viaData << ", <w, dw> = " << viaFilter << " (tolerance " << tol
         << ")";
      return false;
    }
    return true;
  }
};

} // namespace

/// Bytes of everything convgrad-run allocates for one configuration: the
/// host tensors (inputs and outputs, `elemBytes` each) and the reference's
/// doubles (inputs, results, sums of magnitudes): about 2 elemBytes + 32
/// bytes per element of x, w, y and the bias. std::nullopt if that
/// overflows 64 bits.
static std::optional<uint64_t> bytesNeeded(const cases::TestCase &tc,
                                           size_t elemBytes) {
  const ref::ConvConfig &c = tc.conv;
  ref::TransposedConvConfig t = tc.transposedConfig();
  uint64_t total = uint64_t(c.outChannels);
  std::vector<std::vector<int64_t>> shapes =
      tc.transposed ? std::vector<std::vector<int64_t>>{t.inputShape(),
                                                        t.filterShape(),
                                                        t.outputShape()}
                    : std::vector<std::vector<int64_t>>{
                          c.inputShape(), c.filterShape(), c.outputShape()};
  for (const std::vector<int64_t> &shape : shapes) {
    uint64_t elements = 1;
    for (int64_t e : shape)
      if (e < 0 || __builtin_mul_overflow(elements, uint64_t(e), &elements))
        return std::nullopt;
    if (__builtin_add_overflow(total, elements, &total))
      return std::nullopt;
  }
  uint64_t bytes;
  if (__builtin_mul_overflow(total, uint64_t(2 * elemBytes + 32), &bytes))
    return std::nullopt;
  return bytes;
}

/// "" if the configuration's buffers fit in half of the physical memory,
/// else why not (checked before anything is allocated).
static std::string memoryProblem(const cases::TestCase &tc) {
  rt::ElemKind kind =
      rt::parseElemKind(tc.elementType).value_or(rt::ElemKind::F32);
  uint64_t physical =
      uint64_t(sysconf(_SC_PHYS_PAGES)) * uint64_t(sysconf(_SC_PAGESIZE));
  std::optional<uint64_t> bytes = bytesNeeded(tc, rt::elemBytes(kind));
  if (bytes && *bytes <= physical / 2)
    return "";
  std::string need = bytes ? std::to_string(*bytes / (1 << 20)) + " MiB"
                           : std::string("more than 2^64 bytes");
  return "the tensors of this configuration (and the reference's copies) "
         "need " +
         need + ", more than half of this machine's memory (" +
         std::to_string(physical / (1 << 20)) + " MiB): not run";
}

/// The configuration of a convgrad op as a .cfg line: what the kernels of
/// that op are built and checked from.
static std::string describeOp(Operation *op, std::string &error) {
  auto dims = [](RankedTensorType t, const cg::ConvDimPositions &pos,
                 unsigned rank) {
    std::vector<int64_t> v;
    for (unsigned i = 0; i < rank; ++i)
      v.push_back(t.getDimSize(pos.spatial(i)));
    return v;
  };
  auto list = [](llvm::ArrayRef<int64_t> v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i)
      out += (i ? "," : "") + std::to_string(v[i]);
    return out;
  };
  auto typeName = [](Type t) {
    std::string name;
    llvm::raw_string_ostream os(name);
    t.print(os);
    return name;
  };
  auto batch = [&](RankedTensorType t) {
    return t.isDynamicDim(0) ? dynamicBatchSize.getValue() : t.getDimSize(0);
  };
  RankedTensorType input, filter, output;
  cg::ConvParams p;
  std::optional<SmallVector<int64_t>> transposedOpad;
  if (auto conv = dyn_cast<cg::ConvOp>(op)) {
    input = conv.getInput().getType();
    filter = conv.getFilter().getType();
    output = conv.getOutput().getType();
    p = conv.getConvParams();
  } else if (auto dgrad = dyn_cast<cg::ConvBackwardDataOp>(op)) {
    input = dgrad.getGradInput().getType();
    filter = dgrad.getFilter().getType();
    output = dgrad.getGradOutput().getType();
    p = dgrad.getConvParams();
  } else if (auto wgrad = dyn_cast<cg::ConvBackwardFilterOp>(op)) {
    input = wgrad.getInput().getType();
    filter = wgrad.getGradFilter().getType();
    output = wgrad.getGradOutput().getType();
    p = wgrad.getConvParams();
  } else if (auto transpose = dyn_cast<cg::ConvTransposeOp>(op)) {
    // A transposed convolution: its own input and output, PyTorch's weight.
    input = transpose.getInput().getType();
    filter = transpose.getFilter().getType();
    output = transpose.getOutput().getType();
    p = transpose.getConvParams();
    transposedOpad = transpose.getOutputPaddingOrDefault();
  } else if (auto bgrad = dyn_cast<cg::ConvBackwardBiasOp>(op)) {
    // The bias gradient depends on grad_output only: check it as part of a
    // 1x..x1 convolution whose output has that shape.
    auto dy = cast<RankedTensorType>(bgrad.getGradOutput().getType());
    cg::ConvDimPositions pos{bgrad.getSpatialRank(),
                             bgrad.getLayout() == cg::Layout::ChannelsLast};
    std::vector<int64_t> ones(pos.spatialRank, 1);
    return "n=" + std::to_string(batch(dy)) +
           " c=" + std::to_string(dy.getDimSize(pos.channel())) +
           " f=" + std::to_string(dy.getDimSize(pos.channel())) +
           " in=" + list(dims(dy, pos, pos.spatialRank)) + " k=" + list(ones) +
           " layout=" + (pos.channelsLast ? "cl" : "cf") +
           " type=" + typeName(dy.getElementType()) +
           " dynbatch=" + (dy.isDynamicDim(0) ? "1" : "0");
  } else {
    return "";
  }
  cg::ConvDimPositions pos = p.positions();
  if (!filter.hasStaticShape() || input.isDynamicDim(pos.channel()) ||
      output.isDynamicDim(pos.channel())) {
    error = "only the batch size may be dynamic";
    return "";
  }
  int64_t outChannels = transposedOpad
                            ? output.getDimSize(pos.channel())
                            : filter.getDimSize(0);
  std::string transposedKeys =
      transposedOpad ? " op=transpose opad=" + list(*transposedOpad) : "";
  return "n=" + std::to_string(batch(input)) +
         " c=" + std::to_string(input.getDimSize(pos.channel())) +
         " f=" + std::to_string(outChannels) +
         " g=" + std::to_string(p.groups) +
         " in=" + list(dims(input, pos, p.spatialRank)) +
         " k=" + list(dims(filter, pos, p.spatialRank)) +
         " s=" + list(p.strides) + " d=" + list(p.dilations) +
         " pl=" + list(p.padLow) + " ph=" + list(p.padHigh) +
         " layout=" + (p.isChannelsLast() ? "cl" : "cf") +
         " type=" + typeName(input.getElementType()) +
         " dynbatch=" + (input.isDynamicDim(0) ? "1" : "0") + transposedKeys;
}

/// Adds one configuration per convgrad op of the module in `path`.
static bool addModuleOps(
    const std::string &path,
    llvm::function_ref<bool(const std::string &, const std::string &)> add) {
  std::unique_ptr<MLIRContext> ctx = rt::createContext();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, ctx.get());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(path, sourceMgr,
                                                           ctx.get());
  if (!module)
    return false;
  bool ok = true, any = false;
  module->walk([&](Operation *op) {
    if (!isa<cg::ConvGradDialect>(op->getDialect()))
      return;
    std::string error;
    std::string line = describeOp(op, error);
    if (line.empty()) {
      if (!error.empty()) {
        op->emitError() << "convgrad-run cannot run this op: " << error;
        ok = false;
      }
      return;
    }
    auto func = op->getParentOfType<func::FuncOp>();
    llvm::outs() << "@" << (func ? func.getName() : StringRef("?")) << ": "
                 << op->getName() << ": " << line << "\n";
    ok &= add(line, path);
    any = true;
  });
  if (ok && !any)
    llvm::errs() << "convgrad-run: no convgrad op in '" << path << "'\n";
  return ok && any;
}

/// --compare-pipeline: the input module through both pipelines.
static int compareInputModule() {
  if (inputFile.empty()) {
    llvm::errs() << "convgrad-run: --compare-pipeline needs an input module\n";
    return 2;
  }
  std::unique_ptr<MLIRContext> ctx = rt::createContext();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, ctx.get());
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(inputFile, sourceMgr, ctx.get());
  if (!module)
    return 2;
  rt::CompareOptions options;
  options.first = options.second = Runner{*ctx}.jitOptions();
  options.second.pipeline = comparePipeline;
  options.seed = seed;
  options.tolerance = compareTolerance;
  options.timeReps = timeReps;
  // Both sides' temporaries are reused between timed calls, as a host that
  // calls kernels repeatedly (and convgrad-bench) would set it up.
  if (timeReps > 0)
    (void)rt::retainFreedHeapMemory();
  int failures = rt::compareModule(*module, options, llvm::outs());
  if (failures < 0)
    return 2;
  llvm::outs() << "convgrad-run: compared '"
               << (passPipeline.empty() ? std::string("convgrad-cpu-pipeline")
                                        : passPipeline.getValue())
               << "' with '"
               << comparePipeline << "': "
               << (failures == 0 ? "all functions agree"
                                 : std::to_string(failures) +
                                       " function(s) differ")
               << "\n";
  return failures == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  rt::initialize(); // passes and pipelines, before the options are parsed
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "convgrad-run: JIT-compile convgrad forward/dgrad/wgrad/bgrad kernels "
      "through a pass pipeline, run them on random inputs, and check them "
      "against reference loop nests and the adjoint identities\n");
  if (!rt::parseCheckMode(checkMode)) {
    llvm::errs() << "convgrad-run: --check must be exact or statistical\n";
    return 2;
  }
  if (randomSize != "small" && randomSize != "mid") {
    llvm::errs() << "convgrad-run: --random-size must be small or mid\n";
    return 2;
  }

  if (!comparePipeline.empty())
    return compareInputModule();

  std::vector<std::pair<std::string, cases::TestCase>> cases;
  auto addLine = [&](const std::string &line, const std::string &where) {
    if (cases::isBlankOrCommentLine(line))
      return true;
    cases::TestCase tc;
    std::string error;
    if (!cases::parseTestCase(line, tc, error)) {
      llvm::errs() << where << ": " << error << "\n";
      return false;
    }
    std::string tooLarge = memoryProblem(tc);
    if (!tooLarge.empty()) {
      llvm::errs() << where << ": " << tooLarge << "\n";
      return false;
    }
    cases.emplace_back(line, tc);
    return true;
  };
  if (!configFile.empty()) {
    std::ifstream in(configFile);
    if (!in) {
      llvm::errs() << "convgrad-run: cannot open '" << configFile << "'\n";
      return 2;
    }
    std::string line;
    for (int lineNo = 1; std::getline(in, line); ++lineNo)
      if (!addLine(line, configFile + ":" + std::to_string(lineNo)))
        return 2;
  }
  if (!configLine.empty() && !addLine(configLine, "--config"))
    return 2;
  if (!inputFile.empty()) {
    if (!addModuleOps(inputFile, addLine))
      return 2;
    verbose = true; // say which of the module's ops passed
  }
  std::mt19937_64 rng(seed);
  for (unsigned i = 0; i < randomCount; ++i) {
    cases::TestCase tc = cases::randomTestCase(
        rng, randomSize == "mid" ? cases::midSizeRandomLimits()
                                 : cases::RandomLimits());
    cases.emplace_back(cases::formatTestCase(tc), tc);
  }
  if (cases.empty()) {
    llvm::errs() << "convgrad-run: nothing to run; give an input .mlir "
                    "file, --config-file, --config or --random\n";
    return 2;
  }

  std::unique_ptr<MLIRContext> ctx = rt::createContext();
  Runner runner{*ctx};
  auto start = std::chrono::steady_clock::now();
  // With --batch=N, the kernels of N configurations share one module and one
  // ExecutionEngine; a batch that fails to compile falls back to compiling
  // each of its configurations alone (engine stays null).
  std::unique_ptr<rt::CompiledModule> batchEngine;
  size_t batchBegin = 0, batchEnd = 0;
  for (size_t index = 0; index < cases.size(); ++index) {
    auto &[line, tc] = cases[index];
    if (batchSize > 1 && index >= batchEnd) {
      batchBegin = index;
      batchEnd = std::min(cases.size(), index + batchSize);
      OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(ctx.get()));
      for (size_t i = batchBegin; i < batchEnd; ++i)
        rt::addKernels(*module, cases[i].second,
                       "_" + std::to_string(i - batchBegin));
      std::string ignored;
      batchEngine.reset();
      batchEngine =
          rt::CompiledModule::compile(*module, runner.jitOptions(), ignored);
    }
    std::string suffix =
        batchEngine ? "_" + std::to_string(index - batchBegin) : "";
    std::string message;
    // Inputs depend only on the seed and the configuration's position.
    std::mt19937_64 inputRng(seed * 0x9e3779b97f4a7c15ULL + runner.numPassed +
                             runner.numFailed);
    if (runner.run(tc, inputRng, message, batchEngine.get(), suffix)) {
      ++runner.numPassed;
      if (verbose)
        llvm::outs() << "PASS: " << line << "\n";
    } else {
      ++runner.numFailed;
      llvm::outs() << "FAIL: " << line << "\n  " << message << "\n";
      if (runner.numFailed >= maxFailures)
        break;
    }
  }
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  llvm::outs() << "convgrad-run: " << runner.numPassed << " configurations passed, "
               << runner.numFailed << " failed (4 kernels each, "
               << llvm::format("%.1f", seconds) << " s)\n";
  return runner.numFailed == 0 ? 0 : 1;
}
