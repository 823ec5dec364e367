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

#include "convgrad/Conversion/Passes.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Pipelines/Pipelines.h"
#include "convgrad/Reference/ConvReference.h"
#include "convgrad/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

using namespace mlir;
namespace ref = ::convgrad::reference;
namespace cg = mlir::convgrad;
namespace cl = llvm::cl;

static cl::opt<std::string> inputFile(
    cl::Positional,
    cl::desc("[input.mlir]: check every convgrad op of this module (its "
             "configuration comes from the op's attributes and types)"),
    cl::init(""));
static cl::opt<int64_t> dynamicBatchSize(
    "dynamic-batch-size",
    cl::desc("Batch size used to run ops of an input module whose batch is "
             "dynamic"),
    cl::init(2));
static cl::opt<unsigned> timeReps(
    "time",
    cl::desc("After checking, time each kernel: median of this many calls "
             "(0: do not time)"),
    cl::init(0));
static cl::opt<std::string> configFile(
    "config-file", cl::desc("Run every configuration line of this .cfg file"),
    cl::value_desc("file"));
static cl::opt<std::string> configLine(
    "config", cl::desc("Run one configuration given as a .cfg line, e.g. "
                       "'n=2 c=4 f=6 g=2 in=7,5 k=3,2 s=2,1'"),
    cl::value_desc("line"));
static cl::opt<unsigned> randomCount(
    "random", cl::desc("Run this many random valid configurations"),
    cl::init(0));
static cl::opt<uint64_t> seed("seed", cl::desc("Seed for inputs and --random"),
                              cl::init(1));
static cl::opt<std::string> passPipeline(
    "pass-pipeline",
    cl::desc("Pipeline from the kernels to the LLVM dialect (textual, without "
             "the builtin.module wrapper)"),
    cl::init("convgrad-cpu-pipeline"));
static cl::opt<bool> verbose("v", cl::desc("Print every configuration"),
                             cl::init(false));
static cl::opt<bool> dumpIR("dump-ir",
                            cl::desc("Print each kernel module before "
                                     "compiling it"),
                            cl::init(false));
static cl::list<std::string> sharedLibs(
    "shared-libs",
    cl::desc("Libraries the compiled code may call (none by default: the "
             "CPU pipeline's output is self-contained)"),
    cl::CommaSeparated);
static cl::opt<unsigned> maxFailures(
    "max-failures", cl::desc("Stop after this many failing configurations"),
    cl::init(20));
static cl::opt<unsigned> batchSize(
    "batch",
    cl::desc("Compile the kernels of this many configurations into one module "
             "and one ExecutionEngine (amortizes the JIT setup; the checks and "
             "the inputs are the same as with 1). A batch that fails to "
             "compile is retried one configuration at a time"),
    cl::init(1));
static cl::opt<unsigned> optLevel(
    "opt-level",
    cl::desc("LLVM optimization level (0-3) of the JIT-compiled kernels, for "
             "both the IR optimizer and the code generator"),
    cl::init(2));

namespace {

//===----------------------------------------------------------------------===//
// Host buffers in the element type of the kernel
//===----------------------------------------------------------------------===//

enum class ElemKind { F16, BF16, F32, F64 };

ElemKind parseElemKind(const std::string &s) {
  if (s == "f16")
    return ElemKind::F16;
  if (s == "bf16")
    return ElemKind::BF16;
  if (s == "f64")
    return ElemKind::F64;
  return ElemKind::F32;
}

size_t elemBytes(ElemKind k) {
  return k == ElemKind::F64 ? 8 : k == ElemKind::F32 ? 4 : 2;
}

/// Unit roundoff of the element type.
double unitRoundoff(ElemKind k) {
  switch (k) {
  case ElemKind::F16:
    return std::ldexp(1.0, -11);
  case ElemKind::BF16:
    return std::ldexp(1.0, -8);
  case ElemKind::F32:
    return std::ldexp(1.0, -24);
  case ElemKind::F64:
    return std::ldexp(1.0, -53);
  }
  return 0;
}

/// Unit roundoff of the accumulator (f32 for f16/bf16).
double accumulatorRoundoff(ElemKind k) {
  return k == ElemKind::F64 ? std::ldexp(1.0, -53) : std::ldexp(1.0, -24);
}

uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float bitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

uint16_t floatToBF16(float f) {
  uint32_t u = floatBits(f);
  u += 0x7fff + ((u >> 16) & 1); // round to nearest even
  return static_cast<uint16_t>(u >> 16);
}
float bf16ToFloat(uint16_t h) { return bitsFloat(uint32_t(h) << 16); }

float f16ToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  int exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  if (exp == 0) // zero or subnormal
    return (sign ? -1.0f : 1.0f) * std::ldexp(float(mant), -24);
  if (exp == 31)
    return bitsFloat(sign | 0x7f800000 | (mant << 13));
  return bitsFloat(sign | (uint32_t(exp - 15 + 127) << 23) | (mant << 13));
}

/// Only used on values that are already exactly representable in f16 (the
/// generated inputs), so truncation is exact.
uint16_t floatToF16Exact(float f) {
  if (f == 0.0f)
    return std::signbit(f) ? 0x8000 : 0;
  uint32_t u = floatBits(f);
  uint16_t sign = (u >> 16) & 0x8000;
  int exp = int((u >> 23) & 0xff) - 127 + 15;
  if (exp <= 0) { // subnormal
    float scaled = std::fabs(f) * std::ldexp(1.0f, 24);
    return sign | uint16_t(scaled);
  }
  return sign | uint16_t(exp << 10) | uint16_t((u >> 13) & 0x3ff);
}

/// A dense row-major tensor in the kernel's element type, plus its values
/// as doubles for the reference.
struct HostTensor {
  ElemKind kind;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

  HostTensor(ElemKind kind, std::vector<int64_t> shape)
      : kind(kind), shape(std::move(shape)),
        bytes(ref::numElements(this->shape) * elemBytes(kind)) {}

  size_t size() const { return ref::numElements(shape); }

  double get(size_t i) const {
    switch (kind) {
    case ElemKind::F64: {
      double d;
      std::memcpy(&d, &bytes[i * 8], 8);
      return d;
    }
    case ElemKind::F32: {
      float f;
      std::memcpy(&f, &bytes[i * 4], 4);
      return f;
    }
    case ElemKind::F16:
    case ElemKind::BF16: {
      uint16_t h;
      std::memcpy(&h, &bytes[i * 2], 2);
      return kind == ElemKind::F16 ? f16ToFloat(h) : bf16ToFloat(h);
    }
    }
    return 0;
  }

  /// Fills with uniform values in [-1, 1] that are exact in the element type.
  void randomize(std::mt19937_64 &rng) {
    std::uniform_int_distribution<int> dist(-1024, 1024);
    for (size_t i = 0; i < size(); ++i) {
      float v = float(dist(rng)) / 1024.0f; // exact in f16; bf16 rounds below
      switch (kind) {
      case ElemKind::F64: {
        double d = v;
        std::memcpy(&bytes[i * 8], &d, 8);
        break;
      }
      case ElemKind::F32:
        std::memcpy(&bytes[i * 4], &v, 4);
        break;
      case ElemKind::F16: {
        uint16_t h = floatToF16Exact(v);
        std::memcpy(&bytes[i * 2], &h, 2);
        break;
      }
      case ElemKind::BF16: {
        uint16_t h = floatToBF16(v);
        std::memcpy(&bytes[i * 2], &h, 2);
        break;
      }
      }
    }
  }

  void fillNaN() { std::memset(bytes.data(), 0xff, bytes.size()); }

  std::vector<double> values() const {
    std::vector<double> v(size());
    for (size_t i = 0; i < size(); ++i)
      v[i] = get(i);
    return v;
  }

  /// A memref descriptor {allocated, aligned, offset, sizes[R], strides[R]}
  /// for this buffer: every field is 8 bytes, so it is an int64 array.
  std::vector<int64_t> descriptor() {
    std::vector<int64_t> d(3 + 2 * shape.size());
    auto ptr = reinterpret_cast<int64_t>(bytes.data());
    d[0] = d[1] = ptr;
    d[2] = 0;
    int64_t stride = 1;
    for (int64_t i = shape.size() - 1; i >= 0; --i) {
      d[3 + i] = shape[i];
      d[3 + shape.size() + i] = stride;
      stride *= shape[i];
    }
    return d;
  }
};

/// f32 -> bf16 with round-to-nearest-even. x86 without AVX512-BF16 keeps
/// bf16 values in registers as f32 and calls this compiler-rt builtin to
/// round them (GCC 12's libgcc does not have it), so the JIT gets ours.
extern "C" __bf16 convgrad_truncsfbf2(float f) {
  uint16_t bits = floatToBF16(f);
  if (std::isnan(f))
    bits = 0x7fc0;
  __bf16 result;
  std::memcpy(&result, &bits, 2);
  return result;
}

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

Type getElementType(MLIRContext *ctx, ElemKind kind) {
  Builder b(ctx);
  switch (kind) {
  case ElemKind::F16:
    return b.getF16Type();
  case ElemKind::BF16:
    return b.getBF16Type();
  case ElemKind::F32:
    return b.getF32Type();
  case ElemKind::F64:
    return b.getF64Type();
  }
  return {};
}

/// A kernel `@name(inputs..., out)` in destination-passing style on memrefs
/// with a C interface: the body computes on tensors and writes its result
/// into the caller's `out` buffer.
void buildKernel(OpBuilder &b, ModuleOp module, StringRef name,
                 ArrayRef<RankedTensorType> inputTypes,
                 RankedTensorType resultType,
                 function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  Location loc = b.getUnknownLoc();
  SmallVector<Type> argTypes;
  for (RankedTensorType t : inputTypes)
    argTypes.push_back(MemRefType::get(t.getShape(), t.getElementType()));
  auto outType =
      MemRefType::get(resultType.getShape(), resultType.getElementType());
  argTypes.push_back(outType);
  b.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(b, loc, name,
                                   b.getFunctionType(argTypes, {}));
  func->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  SmallVector<Value> tensors;
  for (auto [i, t] : llvm::enumerate(inputTypes))
    tensors.push_back(bufferization::ToTensorOp::create(
        b, loc, t, entry->getArgument(i), /*restrict=*/true));
  Value result = body(b, loc, tensors);
  auto materialize = bufferization::MaterializeInDestinationOp::create(
      b, loc, result, entry->getArguments().back());
  materialize.setRestrict(true);
  materialize.setWritable(true);
  func::ReturnOp::create(b, loc);
}

RankedTensorType tensorType(ArrayRef<int64_t> shape, Type elementType,
                            bool dynamicBatch) {
  SmallVector<int64_t> s(shape.begin(), shape.end());
  if (dynamicBatch)
    s[0] = ShapedType::kDynamic;
  return RankedTensorType::get(s, elementType);
}

/// The attributes of the configuration, default ones left out.
void setConvAttrs(OpBuilder &b, Operation *op, const ref::ConvConfig &c) {
  auto isOne = [](int64_t v) { return v == 1; };
  auto isZero = [](int64_t v) { return v == 0; };
  if (!llvm::all_of(c.strides, isOne))
    op->setAttr("strides", b.getDenseI64ArrayAttr(c.strides));
  if (!llvm::all_of(c.dilations, isOne))
    op->setAttr("dilations", b.getDenseI64ArrayAttr(c.dilations));
  if (!llvm::all_of(c.padLow, isZero) || !llvm::all_of(c.padHigh, isZero)) {
    SmallVector<int64_t> padding(c.padLow.begin(), c.padLow.end());
    padding.append(c.padHigh.begin(), c.padHigh.end());
    op->setAttr("padding", b.getDenseI64ArrayAttr(padding));
  }
  if (c.groups != 1)
    op->setAttr("groups", b.getI64IntegerAttr(c.groups));
  if (c.layout == ref::Layout::ChannelsLast)
    op->setAttr("layout", cg::LayoutAttr::get(
                              b.getContext(), cg::Layout::ChannelsLast));
}

/// Adds the kernels `fwd<suffix>`, `dgrad<suffix>`, `wgrad<suffix>` and
/// `bgrad<suffix>` of one configuration to `module`.
void addKernels(ModuleOp module, const ref::TestCase &tc, StringRef suffix) {
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  const ref::ConvConfig &c = tc.conv;
  Type et = getElementType(ctx, parseElemKind(tc.elementType));
  auto xType = tensorType(c.inputShape(), et, tc.dynamicBatch);
  auto wType = tensorType(c.filterShape(), et, false);
  auto yType = tensorType(c.outputShape(), et, tc.dynamicBatch);
  auto bType = RankedTensorType::get({c.outChannels}, et);

  buildKernel(b, module, ("fwd" + suffix).str(), {xType, wType, bType}, yType,
              [&](OpBuilder &nb, Location l, ValueRange t) {
                auto op = cg::ConvOp::create(
                    nb, l, yType, t[0], t[1], t[2], nullptr, nullptr, nullptr,
                    nb.getI64IntegerAttr(1), nullptr);
                setConvAttrs(nb, op, c);
                return op.getResult();
              });
  buildKernel(b, module, ("dgrad" + suffix).str(), {yType, wType}, xType,
              [&](OpBuilder &nb, Location l, ValueRange t) {
                auto op = cg::ConvBackwardDataOp::create(
                    nb, l, xType, t[0], t[1], nullptr, nullptr, nullptr,
                    nb.getI64IntegerAttr(1), nullptr);
                setConvAttrs(nb, op, c);
                return op.getResult();
              });
  buildKernel(b, module, ("wgrad" + suffix).str(), {xType, yType}, wType,
              [&](OpBuilder &nb, Location l, ValueRange t) {
                auto op = cg::ConvBackwardFilterOp::create(
                    nb, l, wType, t[0], t[1], nullptr, nullptr, nullptr,
                    nb.getI64IntegerAttr(1), nullptr);
                setConvAttrs(nb, op, c);
                return op.getResult();
              });
  buildKernel(b, module, ("bgrad" + suffix).str(), {yType}, bType,
              [&](OpBuilder &nb, Location l, ValueRange t) {
                auto layout = cg::LayoutAttr::get(
                    ctx, c.layout == ref::Layout::ChannelsLast
                             ? cg::Layout::ChannelsLast
                             : cg::Layout::ChannelsFirst);
                return cg::ConvBackwardBiasOp::create(nb, l, bType, t[0],
                                                            layout)
                    .getResult();
              });
}

OwningOpRef<ModuleOp> buildModule(MLIRContext *ctx, const ref::TestCase &tc,
                                  StringRef suffix = "") {
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(ctx));
  addKernels(*module, tc, suffix);
  return module;
}

//===----------------------------------------------------------------------===//
// Checking
//===----------------------------------------------------------------------===//

/// Compares `got` with the reference element by element. The bound is the
/// rounding of the result (u_out |ref|) plus a worst-case accumulation error
/// (n u_acc sum|terms|), with a safety factor of 2.
bool checkResult(const char *what, const HostTensor &got,
                 const ref::Result &expected, size_t reductionSize,
                 std::string &message) {
  double uOut = unitRoundoff(got.kind), uAcc = accumulatorRoundoff(got.kind);
  for (size_t i = 0; i < got.size(); ++i) {
    double g = got.get(i), e = expected.value[i];
    double tol = 2.0 * (uOut * std::fabs(e) +
                        (reductionSize + 1) * uAcc * expected.absSum[i]) +
                 1e-300;
    if (!(std::fabs(g - e) <= tol)) {
      llvm::raw_string_ostream os(message);
      os << what << "[" << i << "] = " << g << ", expected " << e
         << " (|diff| " << std::fabs(g - e) << " > tolerance " << tol << ")";
      return false;
    }
  }
  return true;
}

using KernelFn4 = void (*)(void *, void *, void *, void *);
using KernelFn3 = void (*)(void *, void *, void *);
using KernelFn2 = void (*)(void *, void *);

struct Runner {
  MLIRContext &ctx;
  unsigned numPassed = 0, numFailed = 0;

  /// Runs the pass pipeline on `module` and JIT-compiles it.
  bool compile(ModuleOp module, std::unique_ptr<ExecutionEngine> &engineOut,
               std::string &message) {
    if (failed(verify(module))) {
      message = "the kernel module does not verify";
      return false;
    }
    if (dumpIR)
      module.print(llvm::outs());
    PassManager pm(&ctx);
    std::string error;
    llvm::raw_string_ostream errs(error);
    if (failed(parsePassPipeline(passPipeline, pm, errs))) {
      message = "bad --pass-pipeline: " + error;
      return false;
    }
    if (failed(pm.run(module))) {
      message = "the pass pipeline failed";
      return false;
    }
    ExecutionEngineOptions options;
    // Kept alive for the engine's whole creation (options holds a reference).
    unsigned level = std::min(3u, unsigned(optLevel));
    auto transformer = makeOptimizingTransformer(level, 0, nullptr);
    options.transformer = transformer;
    SmallVector<StringRef> libs;
    for (const std::string &lib : sharedLibs)
      libs.push_back(lib);
    options.sharedLibPaths = libs;
    // ExecutionEngine compiles with the TargetMachine it is given (or one it
    // makes at the default level), so the code generation level goes there.
    auto codeGenLevel = static_cast<llvm::CodeGenOptLevel>(level);
    options.jitCodeGenOptLevel = codeGenLevel;
    std::unique_ptr<llvm::TargetMachine> tm;
    if (auto tmBuilder = llvm::orc::JITTargetMachineBuilder::detectHost()) {
      tmBuilder->setCodeGenOptLevel(codeGenLevel);
      if (auto created = tmBuilder->createTargetMachine())
        tm = std::move(*created);
      else
        llvm::consumeError(created.takeError());
    } else {
      llvm::consumeError(tmBuilder.takeError());
    }
    auto created = ExecutionEngine::create(module, options, std::move(tm));
    if (!created) {
      message = "JIT compilation failed: " + llvm::toString(created.takeError());
      return false;
    }
    engineOut = std::move(*created);
    engineOut->registerSymbols([](llvm::orc::MangleAndInterner interner) {
      llvm::orc::SymbolMap symbols;
      symbols[interner("__truncsfbf2")] = {
          llvm::orc::ExecutorAddr::fromPtr(&convgrad_truncsfbf2),
          llvm::JITSymbolFlags::Exported};
      return symbols;
    });
    return true;
  }

  /// Compiles (unless `shared` already holds its kernels, named with
  /// `suffix`) and checks one configuration; returns false with a message on
  /// any mismatch or compilation failure.
  bool run(const ref::TestCase &tc, std::mt19937_64 &rng, std::string &message,
           ExecutionEngine *shared = nullptr, StringRef suffix = "") {
    std::unique_ptr<ExecutionEngine> owned;
    ExecutionEngine *engine = shared;
    std::mt19937_64 rngAtStart = rng; // for the retry below
    if (!engine) {
      OwningOpRef<ModuleOp> module = buildModule(&ctx, tc);
      if (!compile(*module, owned, message))
        return false;
      engine = owned.get();
    }

    const ref::ConvConfig &c = tc.conv;
    ElemKind kind = parseElemKind(tc.elementType);
    HostTensor x(kind, c.inputShape()), w(kind, c.filterShape()),
        bias(kind, {c.outChannels}), dy(kind, c.outputShape());
    x.randomize(rng);
    w.randomize(rng);
    bias.randomize(rng);
    dy.randomize(rng);
    HostTensor y(kind, c.outputShape()), dx(kind, c.inputShape()),
        dw(kind, c.filterShape()), db(kind, {c.outChannels});
    for (HostTensor *t : {&y, &dx, &dw, &db})
      t->fillNaN(); // Elements the kernel does not write stand out.

    std::string lookupErrors;
    auto lookup = [&](const char *name) -> void * {
      auto fn = engine->lookup(("_mlir_ciface_" + Twine(name) + suffix).str());
      if (!fn) {
        lookupErrors += llvm::toString(fn.takeError()) + "; ";
        return nullptr;
      }
      return *fn;
    };
    void *fwd = lookup("fwd"), *dgrad = lookup("dgrad"),
         *wgrad = lookup("wgrad"), *bgrad = lookup("bgrad");
    if ((!fwd || !dgrad || !wgrad || !bgrad) && shared) {
      // A batch that links but does not materialize (e.g. an unresolved
      // symbol in another configuration's kernels): compile this one alone so
      // the failure is attributed to the right configuration.
      rng = rngAtStart;
      return run(tc, rng, message);
    }
    if (!fwd || !dgrad || !wgrad || !bgrad) {
      message = "a kernel is missing from the compiled module: " + lookupErrors;
      return false;
    }
    auto dX = x.descriptor(), dW = w.descriptor(), dB = bias.descriptor(),
         dDY = dy.descriptor(), dY = y.descriptor(), dDX = dx.descriptor(),
         dDW = dw.descriptor(), dDB = db.descriptor();
    reinterpret_cast<KernelFn4>(fwd)(dX.data(), dW.data(), dB.data(),
                                     dY.data());
    reinterpret_cast<KernelFn3>(dgrad)(dDY.data(), dW.data(), dDX.data());
    reinterpret_cast<KernelFn3>(wgrad)(dX.data(), dDY.data(), dDW.data());
    reinterpret_cast<KernelFn2>(bgrad)(dDY.data(), dDB.data());

    // 1. Every element against the defining sums.
    std::vector<double> xv = x.values(), wv = w.values(), bv = bias.values(),
                        dyv = dy.values();
    int64_t kernelSize = ref::numElements(c.kernelSizes);
    int64_t outSpatial = ref::numElements(c.outputSizes());
    int64_t cg = c.inChannels / c.groups, fg = c.outChannels / c.groups;
    ref::Result yRef = ref::forward(c, xv, wv, &bv);
    ref::Result dxRef = ref::backwardData(c, dyv, wv);
    ref::Result dwRef = ref::backwardFilter(c, xv, dyv);
    ref::Result dbRef = ref::backwardBias(c, dyv);
    if (!checkResult("fwd", y, yRef, cg * kernelSize, message) ||
        !checkResult("dgrad", dx, dxRef, fg * kernelSize, message) ||
        !checkResult("wgrad", dw, dwRef, c.batch * outSpatial, message) ||
        !checkResult("bgrad", db, dbRef, c.batch * outSpatial, message))
      return false;

    if (timeReps > 0) {
      // FLOPs of one convolution: 2 * N * F * (C / G) * prod(O) * prod(K).
      double convFlops = 2.0 * c.batch * c.outChannels * cg * outSpatial *
                         kernelSize;
      auto median = [&](auto call) {
        call(); // warm-up
        std::vector<double> times;
        for (unsigned i = 0; i < timeReps; ++i) {
          auto t0 = std::chrono::steady_clock::now();
          call();
          times.push_back(std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - t0)
                              .count());
        }
        std::nth_element(times.begin(), times.begin() + times.size() / 2,
                         times.end());
        return times[times.size() / 2];
      };
      double tf = median([&] {
        reinterpret_cast<KernelFn4>(fwd)(dX.data(), dW.data(), dB.data(),
                                         dY.data());
      });
      double td = median([&] {
        reinterpret_cast<KernelFn3>(dgrad)(dDY.data(), dW.data(), dDX.data());
      });
      double tw = median([&] {
        reinterpret_cast<KernelFn3>(wgrad)(dX.data(), dDY.data(), dDW.data());
      });
      double tb = median([&] {
        reinterpret_cast<KernelFn2>(bgrad)(dDY.data(), dDB.data());
      });
      auto report = [&](const char *name, double t, double flops) {
        llvm::outs() << llvm::format("  %-5s %9.3f ms %8.2f GFLOP/s\n", name,
                                     t * 1e3, flops / t * 1e-9);
      };
      llvm::outs() << "timing (median of " << timeReps
                   << " calls): " << ref::formatTestCase(tc) << "\n";
      report("fwd", tf, convFlops);
      report("dgrad", td, convFlops);
      report("wgrad", tw, convFlops);
      report("bgrad", tb, double(c.batch) * c.outChannels * outSpatial);
    }

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
    double tol = 4.0 * (unitRoundoff(kind) + n * accumulatorRoundoff(kind)) *
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
  return "n=" + std::to_string(batch(input)) +
         " c=" + std::to_string(input.getDimSize(pos.channel())) +
         " f=" + std::to_string(filter.getDimSize(0)) +
         " g=" + std::to_string(p.groups) +
         " in=" + list(dims(input, pos, p.spatialRank)) +
         " k=" + list(dims(filter, pos, p.spatialRank)) +
         " s=" + list(p.strides) + " d=" + list(p.dilations) +
         " pl=" + list(p.padLow) + " ph=" + list(p.padHigh) +
         " layout=" + (p.isChannelsLast() ? "cl" : "cf") +
         " type=" + typeName(input.getElementType()) +
         " dynbatch=" + (input.isDynamicDim(0) ? "1" : "0");
}

/// Adds one configuration per convgrad op of the module in `path`.
static bool addModuleOps(
    const std::string &path,
    llvm::function_ref<bool(const std::string &, const std::string &)> add) {
  DialectRegistry registry;
  registerAllDialects(registry);
  registry.insert<cg::ConvGradDialect>();
  MLIRContext ctx(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &ctx);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(path, sourceMgr,
                                                           &ctx);
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

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  registerAllPasses();
  cg::registerConvGradTransformsPasses();
  cg::registerConvGradConversionPasses();
  cg::registerConvGradPipelines();
  cl::ParseCommandLineOptions(
      argc, argv,
      "convgrad-run: JIT-compile convgrad forward/dgrad/wgrad/bgrad kernels "
      "through a pass pipeline, run them on random inputs, and check them "
      "against reference loop nests and the adjoint identities\n");

  std::vector<std::pair<std::string, ref::TestCase>> cases;
  auto addLine = [&](const std::string &line, const std::string &where) {
    if (ref::isBlankOrCommentLine(line))
      return true;
    ref::TestCase tc;
    std::string error;
    if (!ref::parseTestCase(line, tc, error)) {
      llvm::errs() << where << ": " << error << "\n";
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
    ref::TestCase tc = ref::randomTestCase(rng);
    cases.emplace_back(ref::formatTestCase(tc), tc);
  }
  if (cases.empty()) {
    llvm::errs() << "convgrad-run: nothing to run; give an input .mlir "
                    "file, --config-file, --config or --random\n";
    return 2;
  }

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<cg::ConvGradDialect>();
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();

  Runner runner{ctx};
  auto start = std::chrono::steady_clock::now();
  // With --batch=N, the kernels of N configurations share one module and one
  // ExecutionEngine; a batch that fails to compile falls back to compiling
  // each of its configurations alone (engine stays null).
  std::unique_ptr<ExecutionEngine> batchEngine;
  size_t batchBegin = 0, batchEnd = 0;
  for (size_t index = 0; index < cases.size(); ++index) {
    auto &[line, tc] = cases[index];
    if (batchSize > 1 && index >= batchEnd) {
      batchBegin = index;
      batchEnd = std::min(cases.size(), index + batchSize);
      OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&ctx));
      for (size_t i = batchBegin; i < batchEnd; ++i)
        addKernels(*module, cases[i].second, "_" + std::to_string(i - batchBegin));
      std::string ignored;
      batchEngine.reset();
      if (!runner.compile(*module, batchEngine, ignored))
        batchEngine.reset();
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
