//===- CPUTargetAttr.cpp - The CPU target in the IR ------------------------===//
//
// The CPU target travels with the module as the `convgrad.cpu_target`
// dictionary: --convgrad-cpu-set-target writes it, every CPU pass reads it
// (getCPUTarget), and --convgrad-cpu-apply-llvm-target finally puts the CPU
// name and features on the LLVM functions so that LLVM compiles for the same
// target the tiles were chosen for.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCPUSETTARGET
#define GEN_PASS_DEF_CONVGRADCPUAPPLYLLVMTARGET
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;
using cpu::CPUTarget;

namespace {
/// The integer fields of the dictionary and where they live in CPUTarget.
struct IntegerField {
  StringLiteral name;
  int64_t CPUTarget::*member;
};
constexpr IntegerField kIntegerFields[] = {
    {"vector_bits", &CPUTarget::vectorBits},
    {"vector_registers", &CPUTarget::vectorRegisters},
    {"fma_units", &CPUTarget::fmaUnits},
    {"native_vector_bits", &CPUTarget::nativeVectorBits},
    {"l1_bytes", &CPUTarget::l1DataBytes},
    {"l2_bytes", &CPUTarget::l2Bytes},
    {"l3_bytes", &CPUTarget::l3Bytes},
    {"threads", &CPUTarget::threads},
};
} // namespace

DictionaryAttr mlir::convgrad::getCPUTargetAttr(MLIRContext *ctx,
                                                const CPUTarget &target) {
  Builder b(ctx);
  SmallVector<NamedAttribute> entries = {
      b.getNamedAttr("cpu", b.getStringAttr(target.cpu)),
      b.getNamedAttr("host", b.getBoolAttr(target.host)),
      b.getNamedAttr("features", b.getStringAttr(target.features))};
  for (const IntegerField &field : kIntegerFields)
    entries.push_back(b.getNamedAttr(
        field.name, b.getI64IntegerAttr(target.*field.member)));
  return b.getDictionaryAttr(entries);
}

bool mlir::convgrad::hasCPUTarget(Operation *op) {
  for (Operation *at = op; at; at = at->getParentOp())
    if (at->hasAttr(kCPUTargetAttrName))
      return true;
  return false;
}

FailureOr<CPUTarget> mlir::convgrad::getCPUTarget(Operation *op) {
  for (Operation *at = op; at; at = at->getParentOp()) {
    Attribute attr = at->getAttr(kCPUTargetAttrName);
    if (!attr)
      continue;
    auto dict = dyn_cast<DictionaryAttr>(attr);
    if (!dict)
      return at->emitError() << "'" << kCPUTargetAttrName
                             << "' must be a dictionary";
    CPUTarget target;
    if (auto cpu = dict.getAs<StringAttr>("cpu"))
      target.cpu = cpu.str();
    if (auto host = dict.getAs<BoolAttr>("host"))
      target.host = host.getValue();
    if (auto features = dict.getAs<StringAttr>("features"))
      target.features = features.str();
    for (const IntegerField &field : kIntegerFields)
      if (auto value = dict.getAs<IntegerAttr>(field.name))
        target.*field.member = value.getInt();
    if (target.vectorBits < 64 || target.vectorRegisters < 1 ||
        target.threads < 0 || target.l2Bytes < 1)
      return at->emitError() << "'" << kCPUTargetAttrName
                             << "' has an impossible vector width, register "
                                "count, L2 size or thread count";
    return target;
  }
  // No attribute: the machine this runs on, sequential.
  static const CPUTarget host = [] {
    std::string error;
    return cpu::resolveCPUTarget("host", "", 0, 0, 1, error)
        .value_or(CPUTarget());
  }();
  return host;
}

namespace {

struct SetTargetPass
    : public convgrad::impl::ConvGradCPUSetTargetBase<SetTargetPass> {
  using Base::Base;

  void runOnOperation() override {
    std::string error;
    std::optional<CPUTarget> target = cpu::resolveCPUTarget(
        targetCpu, targetFeatures, vectorBits, vectorRegisters, threads, error);
    if (!target) {
      getOperation().emitError() << "convgrad-cpu-set-target: " << error;
      return signalPassFailure();
    }
    getOperation()->setAttr(kCPUTargetAttrName,
                            getCPUTargetAttr(&getContext(), *target));
  }
};

struct ApplyLLVMTargetPass
    : public convgrad::impl::ConvGradCPUApplyLLVMTargetBase<ApplyLLVMTargetPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!module->hasAttr(kCPUTargetAttrName))
      return;
    FailureOr<CPUTarget> target = getCPUTarget(module);
    if (failed(target))
      return signalPassFailure();
    MLIRContext *ctx = &getContext();
    auto cpuName = StringAttr::get(ctx, target->cpu);
    // The whole feature list, not only the changes: without it the
    // compiling machine's features would apply (see getLLVMFeatures).
    auto features =
        LLVM::TargetFeaturesAttr::get(ctx, cpu::getLLVMFeatures(*target));
    module.walk([&](LLVM::LLVMFuncOp func) {
      if (func.isExternal())
        return;
      func.setTargetCpuAttr(cpuName);
      func.setTargetFeaturesAttr(features);
    });
    // The functions carry the target now; the module is plain LLVM dialect.
    module->removeAttr(kCPUTargetAttrName);
  }
};

} // namespace

LogicalResult mlir::convgrad::applyPatternsForTarget(
    Operation *op,
    function_ref<void(RewritePatternSet &, const CPUTarget &)> populate) {
  FailureOr<CPUTarget> target = getCPUTarget(op);
  if (failed(target))
    return failure();
  RewritePatternSet patterns(op->getContext());
  populate(patterns, *target);
  return applyPatternsGreedily(op, std::move(patterns));
}
