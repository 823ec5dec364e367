//===- Compare.cpp - One module, two pipelines, the same results ----------===//

#include "convgrad/Runtime/Compare.h"

#include "convgrad/Runtime/Kernels.h"
#include "convgrad/Runtime/Timing.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/Format.h"

#include <cmath>

using namespace mlir;
namespace rt = ::convgrad::runtime;
using namespace rt;

static std::optional<ElemKind> elemKindOf(Type t) {
  if (t.isF16())
    return ElemKind::F16;
  if (t.isBF16())
    return ElemKind::BF16;
  if (t.isF32())
    return ElemKind::F32;
  if (t.isF64())
    return ElemKind::F64;
  return std::nullopt;
}

/// Appends the element kind and shape of `type` to `entry`, or says why it
/// cannot be a kernel argument.
static bool addArgument(EntryPoint &entry, Type type, std::string &error) {
  auto shaped = dyn_cast<ShapedType>(type);
  std::optional<ElemKind> kind =
      shaped ? elemKindOf(shaped.getElementType()) : std::nullopt;
  auto memref = dyn_cast<MemRefType>(type);
  if (!shaped || !shaped.hasStaticShape() || !kind ||
      (memref && !memref.getLayout().isIdentity())) {
    llvm::raw_string_ostream os(error);
    os << "@" << entry.function << ": argument or result of type " << type
       << " is not a statically shaped f16/bf16/f32/f64 tensor or "
          "identity-layout memref";
    return false;
  }
  entry.kinds.push_back(*kind);
  entry.shapes.emplace_back(shaped.getShape().begin(),
                            shaped.getShape().end());
  return true;
}

bool rt::prepareEntryPoints(ModuleOp module, std::vector<EntryPoint> &entries,
                            std::string &error) {
  OpBuilder b(module.getContext());
  // Wrappers are appended to the module: collect the functions first.
  SmallVector<func::FuncOp> functions;
  for (auto fn : module.getOps<func::FuncOp>())
    if (fn.isPublic() && !fn.isExternal())
      functions.push_back(fn);
  for (func::FuncOp fn : functions) {
    EntryPoint entry;
    entry.function = fn.getName().str();
    FunctionType type = fn.getFunctionType();
    bool memrefStyle = type.getNumResults() == 0 &&
                       llvm::all_of(type.getInputs(), llvm::IsaPred<MemRefType>);
    bool tensorStyle =
        type.getNumResults() == 1 &&
        llvm::all_of(type.getInputs(), llvm::IsaPred<RankedTensorType>) &&
        isa<RankedTensorType>(type.getResult(0));
    if (!memrefStyle && !tensorStyle) {
      error = "@" + entry.function +
              ": expected (memref...) -> () in destination-passing style or "
              "(tensor...) -> tensor";
      return false;
    }
    for (Type t : type.getInputs())
      if (!addArgument(entry, t, error))
        return false;
    if (memrefStyle) {
      fn->setAttr("llvm.emit_c_interface", b.getUnitAttr());
      entry.symbol = entry.function;
      entry.firstOutput = 0;
    } else {
      if (!addArgument(entry, type.getResult(0), error))
        return false;
      entry.symbol = "__compare_" + entry.function;
      entry.firstOutput = type.getNumInputs();
      SmallVector<RankedTensorType> inputs;
      for (Type t : type.getInputs())
        inputs.push_back(cast<RankedTensorType>(t));
      buildKernel(b, module, entry.symbol, inputs,
                  cast<RankedTensorType>(type.getResult(0)),
                  [&](OpBuilder &builder, Location loc, ValueRange args) {
                    return func::CallOp::create(builder, loc, fn, args)
                        .getResult(0);
                  });
    }
    if (entry.kinds.size() > 6) {
      error = "@" + entry.function + ": more than 6 memref arguments";
      return false;
    }
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) {
    error = "no public function with a body";
    return false;
  }
  return true;
}

void rt::fillDyadic(HostTensor &t, std::mt19937_64 &rng) {
  std::uniform_int_distribution<int> quarters(-8, 8);
  for (size_t i = 0; i < t.size(); ++i)
    t.set(i, quarters(rng) / 4.0);
}

namespace {
/// The buffers of one side's call of an entry point.
struct Arguments {
  std::vector<HostTensor> tensors;
  std::vector<HostTensor *> pointers() {
    std::vector<HostTensor *> p;
    for (HostTensor &t : tensors)
      p.push_back(&t);
    return p;
  }
};
} // namespace

/// Buffers for `entry` with the inputs drawn from `seed` (the same on both
/// sides) and outputs of tensor functions set to NaN (unwritten elements
/// show).
static Arguments makeArguments(const EntryPoint &entry, uint64_t seed) {
  Arguments args;
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < entry.kinds.size(); ++i) {
    args.tensors.emplace_back(entry.kinds[i], entry.shapes[i]);
    if (entry.firstOutput != 0 && i >= entry.firstOutput)
      args.tensors.back().fillNaN();
    else
      fillDyadic(args.tensors.back(), rng);
  }
  return args;
}

/// Compares one argument of both sides; describes the first mismatch.
static bool sameValues(const HostTensor &a, const HostTensor &b,
                       double tolerance, std::string &message) {
  size_t mismatches = 0, first = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    double x = a.get(i), y = b.get(i);
    bool same = x == y || (std::isnan(x) && std::isnan(y)) ||
                (tolerance > 0 &&
                 std::fabs(x - y) <=
                     tolerance * std::max(std::fabs(x), std::fabs(y)));
    if (!same && mismatches++ == 0)
      first = i;
  }
  if (mismatches == 0)
    return true;
  llvm::raw_string_ostream os(message);
  os << mismatches << " of " << a.size() << " elements differ, first ["
     << first << "]: " << llvm::format("%.17g", a.get(first)) << " vs "
     << llvm::format("%.17g", b.get(first));
  return false;
}

int rt::compareModule(ModuleOp module, const CompareOptions &options,
                      llvm::raw_ostream &os) {
  OwningOpRef<ModuleOp> firstModule = module.clone();
  std::vector<EntryPoint> entries;
  std::string error;
  if (!prepareEntryPoints(*firstModule, entries, error)) {
    os << "error: " << error << "\n";
    return -1;
  }
  OwningOpRef<ModuleOp> secondModule = firstModule->clone();
  std::unique_ptr<CompiledModule> first =
      CompiledModule::compile(*firstModule, options.first, error);
  if (!first) {
    os << "error: first pipeline: " << error << "\n";
    return -1;
  }
  std::unique_ptr<CompiledModule> second =
      CompiledModule::compile(*secondModule, options.second, error);
  if (!second) {
    os << "error: second pipeline: " << error << "\n";
    return -1;
  }

  int failures = 0;
  for (auto [index, entry] : llvm::enumerate(entries)) {
    uint64_t seed = options.seed * 0x9e3779b97f4a7c15ULL + index;
    Arguments a = makeArguments(entry, seed), b = makeArguments(entry, seed);
    std::string lookupError;
    KernelCall callA = first->prepare(entry.symbol, a.pointers(), lookupError);
    KernelCall callB = second->prepare(entry.symbol, b.pointers(), lookupError);
    if (!callA || !callB) {
      os << "FAIL @" << entry.function << ": " << lookupError << "\n";
      ++failures;
      continue;
    }
    callA();
    callB();
    std::string message;
    size_t compared = 0;
    bool same = true;
    for (size_t i = entry.firstOutput; i < entry.kinds.size() && same; ++i) {
      same = sameValues(a.tensors[i], b.tensors[i], options.tolerance, message);
      if (!same)
        message = "argument " + std::to_string(i) + ": " + message;
      compared += a.tensors[i].size();
    }
    if (!same) {
      os << "FAIL @" << entry.function << ": " << message << "\n";
      ++failures;
      continue;
    }
    os << "PASS @" << entry.function << ": " << compared << " elements "
       << (options.tolerance > 0 ? "agree" : "are identical") << "\n";
    if (options.timeReps > 0) {
      TimingOptions timing;
      timing.warmup = 1;
      timing.reps = options.timeReps;
      double msA = timeFunction([&] { callA(); }, timing).medianMs;
      double msB = timeFunction([&] { callB(); }, timing).medianMs;
      os << llvm::format("  time @%s: %.3f ms vs %.3f ms (second/first "
                         "%.2fx, median of %u)\n",
                         entry.function.c_str(), msA, msB, msB / msA,
                         options.timeReps);
    }
  }
  return failures;
}
