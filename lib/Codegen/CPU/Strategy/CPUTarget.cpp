//===- CPUTarget.cpp - The CPU target from LLVM's knowledge of CPUs ------===//

#include "convgrad/Codegen/CPU/CPUTarget.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/X86TargetParser.h"

#include <algorithm>
#include <unistd.h>

using namespace mlir::convgrad::cpu;

int64_t CPUTarget::lanes(int64_t elementBits) const {
  return std::max<int64_t>(1, vectorBits / std::max<int64_t>(8, elementBits));
}

int64_t CPUTarget::nativeLanes(int64_t elementBits) const {
  int64_t bits = nativeVectorBits > 0 ? std::min(vectorBits, nativeVectorBits)
                                      : vectorBits;
  return std::max<int64_t>(1, bits / std::max<int64_t>(8, elementBits));
}

const char *CPUTarget::isaName() const {
  if (vectorBits >= 512)
    return "avx512";
  if (vectorBits >= 256)
    return "avx2";
  return "sse";
}

std::string CPUTarget::describe() const {
  std::string s = "cpu=" + cpu + " isa=" + isaName() + " (" +
                  std::to_string(vectorRegisters) + " x " +
                  std::to_string(vectorBits) + "-bit vector registers), L1d " +
                  std::to_string(l1DataBytes / 1024) + " KiB, L2 " +
                  std::to_string(l2Bytes / 1024) + " KiB, threads ";
  s += threads == 0 ? std::string("runtime") : std::to_string(threads);
  return s;
}

/// Sets `name` in `enabled` with what it implies, as LLVM does when it
/// compiles: LLVM's table lists the features a CPU adds, not the ones they
/// imply (alderlake lists avxvnni and fma but not avx2, x86-64-v4 avx512vl
/// but not avx512f), and turning one off turns off the features that
/// depend on it ("-avx512f" all of AVX-512).
static void setFeature(llvm::StringMap<bool> &enabled, llvm::StringRef name,
                       bool on) {
  enabled[name] = on;
  llvm::X86::updateImpliedFeatures(name, on, enabled);
}

/// Adds the features of CPU `name` from LLVM's table of CPUs.
static void addCPUFeatures(llvm::StringMap<bool> &enabled,
                           llvm::StringRef name) {
  llvm::SmallVector<llvm::StringRef> cpuFeatures;
  llvm::X86::getFeaturesForCPU(name, cpuFeatures, /*NeedPlus=*/false);
  for (llvm::StringRef feature : cpuFeatures)
    setFeature(enabled, feature, true);
}

static bool isOn(const llvm::StringMap<bool> &enabled, llvm::StringRef name) {
  auto it = enabled.find(name);
  return it != enabled.end() && it->second;
}

/// Calls `apply(on, name)` for each change of a "+name,-name" list, in
/// order; returns the first malformed change (none applied after it).
static std::optional<std::string>
forEachChange(llvm::StringRef list,
              llvm::function_ref<void(bool, llvm::StringRef)> apply) {
  llvm::SmallVector<llvm::StringRef> changes;
  list.split(changes, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef change : changes) {
    change = change.trim();
    if (change.size() < 2 || (change[0] != '+' && change[0] != '-'))
      return change.str();
    apply(change[0] == '+', change.drop_front());
  }
  return std::nullopt;
}

int64_t CPUTarget::maskedStoreCycles() const {
  // The features the code is compiled with (getLLVMFeatures): the CPU's,
  // then the changes (well-formed: resolveCPUTarget checked them).
  llvm::StringMap<bool> enabled;
  addCPUFeatures(enabled, cpu);
  (void)forEachChange(features, [&](bool on, llvm::StringRef name) {
    setFeature(enabled, name, on);
  });
  if (isOn(enabled, "avx512vl"))
    return 1;
  switch (llvm::X86::parseArchX86(cpu, /*Only64Bit=*/true)) {
  case llvm::X86::CK_ZNVER3:
  case llvm::X86::CK_ZNVER4:
  case llvm::X86::CK_ZNVER5:
    return vectorBits >= 256 ? 12 : 1;
  default:
    return 1;
  }
}

int64_t CPUTarget::vectorStoreCycles() const {
  int64_t storeBits;
  switch (llvm::X86::parseArchX86(cpu, /*Only64Bit=*/true)) {
  case llvm::X86::CK_ZNVER1:
    storeBits = 128;
    break;
  case llvm::X86::CK_ZNVER2:
  case llvm::X86::CK_ZNVER3:
  case llvm::X86::CK_ZNVER4:
    storeBits = 256;
    break;
  default:
    return 1;
  }
  return std::max<int64_t>(1, vectorBits / storeBits);
}

/// A generic x86-64 CPU of `bits`-wide vectors and the L2 of its era.
static CPUTarget genericX86(const char *cpu, int64_t bits, int64_t registers,
                            int64_t l2Bytes) {
  CPUTarget t;
  t.cpu = cpu;
  t.vectorBits = bits;
  t.vectorRegisters = registers;
  t.l2Bytes = l2Bytes;
  return t;
}

CPUTarget CPUTarget::avx2() {
  return genericX86("x86-64-v3", 256, 16, 512 * 1024);
}

CPUTarget CPUTarget::avx512() {
  return genericX86("x86-64-v4", 512, 32, 1024 * 1024);
}

/// A cache size from the C library (0 where the machine does not say).
static int64_t hostCacheBytes(int name) {
  long bytes = sysconf(name);
  return bytes > 0 ? int64_t(bytes) : 0;
}

std::optional<CPUTarget>
mlir::convgrad::cpu::resolveCPUTarget(const std::string &cpu,
                                const std::string &features,
                                int64_t vectorBits, int64_t vectorRegisters,
                                int64_t threads, std::string &error) {
  CPUTarget target;
  llvm::StringMap<bool> enabled;
  bool host = cpu.empty() || cpu == "host";
  // Changes to them, which LLVM applies after the CPU's.
  std::string changeList;
  auto addChange = [&](bool on, llvm::StringRef name) {
    setFeature(enabled, name, on);
    changeList += (changeList.empty() ? "" : ",") + std::string(on ? "+" : "-") +
                  name.str();
  };
  if (host) {
    // The host's name, and where the machine differs from LLVM's idea of
    // that CPU (a virtual machine may hide features), the differences.
    target.cpu = llvm::sys::getHostCPUName().str();
    target.host = true;
    addCPUFeatures(enabled, target.cpu);
    llvm::StringMap<bool> defaults = enabled;
    std::vector<std::pair<std::string, bool>> hostFeatures;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      hostFeatures.emplace_back(feature.getKey().str(), feature.getValue());
    std::sort(hostFeatures.begin(), hostFeatures.end());
    for (const auto &[name, on] : hostFeatures) {
      auto it = defaults.find(name);
      if (on != (it != defaults.end() && it->second))
        addChange(on, name);
    }
    if (int64_t l1 = hostCacheBytes(_SC_LEVEL1_DCACHE_SIZE))
      target.l1DataBytes = l1;
    if (int64_t l2 = hostCacheBytes(_SC_LEVEL2_CACHE_SIZE))
      target.l2Bytes = l2;
    if (int64_t l3 = hostCacheBytes(_SC_LEVEL3_CACHE_SIZE))
      target.l3Bytes = l3;
  } else {
    if (llvm::X86::parseArchX86(cpu, /*Only64Bit=*/true) ==
        llvm::X86::CK_None) {
      error = "unknown target CPU '" + cpu +
              "' (an LLVM x86-64 CPU name such as 'znver3', 'skylake-avx512', "
              "'x86-64-v3', or 'host')";
      return std::nullopt;
    }
    target.cpu = cpu;
    addCPUFeatures(enabled, cpu);
  }
  // The user's changes on top: "+feature,-feature".
  if (std::optional<std::string> bad = forEachChange(features, addChange)) {
    error = "bad target feature '" + *bad + "' (expected '+name' or '-name')";
    return std::nullopt;
  }
  // LLVM 22 cannot select bf16 vector shuffles, inserts and phis with
  // AVX512-BF16 ("Do not know how to soft promote this operator's
  // operand"); convgrad needs none of its instructions (bf16 conversions
  // are integer operations), so the code is compiled without it.
  if (isOn(enabled, "avx512bf16"))
    addChange(false, "avx512bf16");
  bool avx512 = isOn(enabled, "avx512f");
  bool avx2 = isOn(enabled, "avx2");
  target.vectorBits = avx512 ? 512 : avx2 ? 256 : 128;
  target.vectorRegisters = avx512 ? 32 : 16;
  if (!host)
    target.l2Bytes = avx512 ? 1024 * 1024 : 512 * 1024;
  if (vectorBits > 0)
    target.vectorBits = vectorBits;
  if (vectorRegisters > 0)
    target.vectorRegisters = vectorRegisters;
  // Zen 4 executes 512-bit operations as two halves on 256-bit units
  // (Zen 5's server and desktop cores have 512-bit ones).
  if (target.vectorBits > 256 && target.cpu == "znver4")
    target.nativeVectorBits = 256;
  target.threads = threads;

  target.features = changeList;
  return target;
}

std::string mlir::convgrad::cpu::getLLVMFeatures(const CPUTarget &target) {
  llvm::SmallVector<llvm::StringRef> cpuFeatures;
  llvm::X86::getFeaturesForCPU(target.cpu, cpuFeatures, /*NeedPlus=*/true);
  std::string list = llvm::join(cpuFeatures, ",");
  if (!target.features.empty())
    list += (list.empty() ? "" : ",") + target.features;
  return list;
}
