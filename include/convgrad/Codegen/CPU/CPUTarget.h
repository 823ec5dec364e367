//===- CPUTarget.h - What the CPU code generator knows of its target -----===//
//
// One plain struct that every CPU code generation decision reads: the vector
// width and register count (register blocks), the FMA units, the cache sizes
// (cache blocks) and the thread count (task splits), plus the LLVM CPU name
// and features that the generated functions are compiled for. It is filled
// once, from the host or from a CPU name and feature list
// (resolveCPUTarget), carried through the IR as a module attribute
// (convgrad/Codegen/CPU/Passes.h) and read by the passes and the tiling
// strategy. No MLIR dependency.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_CODEGEN_CPU_CPUTARGET_H
#define CONVGRAD_CODEGEN_CPU_CPUTARGET_H

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

// In mlir::convgrad for name lookup only: nothing here uses MLIR.
namespace mlir {
namespace convgrad {
namespace cpu {

/// Bytes of a cache line on the x86 cores convgrad targets (every Intel and
/// AMD core since the Pentium 4 and K8): the unit that prefetches fetch,
/// that cache sets hold and that a split load crosses.
inline constexpr int64_t kCacheLineBytes = 64;

/// Elements of `elementBytes` bytes in one cache line (at least one): the
/// stride of one prefetch per line along contiguous elements.
inline int64_t elementsPerCacheLine(int64_t elementBytes) {
  return std::max<int64_t>(1, kCacheLineBytes /
                                  std::max<int64_t>(1, elementBytes));
}

struct CPUTarget {
  /// LLVM's name of the CPU (`-mcpu`), e.g. "znver3", "x86-64-v4".
  std::string cpu = "x86-64";
  /// Whether this is the machine the compiler runs on.
  bool host = false;
  /// Changes to the CPU's LLVM features ("-avx512f,+fma"), applied after
  /// them: the code may use the CPU's features with these changes.
  std::string features;
  /// Bits per vector register the code should use (128, 256 or 512).
  int64_t vectorBits = 128;
  /// Architectural vector registers (16 for AVX2, 32 for AVX-512).
  int64_t vectorRegisters = 16;
  /// FMA instructions issued per cycle.
  int64_t fmaUnits = 2;
  /// The widest vector the core executes in one piece (0: vectorBits).
  /// Zen 4 runs each 512-bit operation as two 256-bit halves on its 256-bit
  /// units: the same FMA peak either way, but a 512-bit shuffle or load
  /// occupies its unit for both halves.
  int64_t nativeVectorBits = 0;
  /// Per-core data caches and the shared last level, in bytes.
  int64_t l1DataBytes = 32 * 1024;
  int64_t l2Bytes = 1024 * 1024;
  int64_t l3Bytes = 8 * 1024 * 1024;
  /// Threads the generated code runs on: 1 = sequential, N = N OpenMP
  /// threads, 0 = decided at run time (OMP_NUM_THREADS).
  int64_t threads = 1;

  /// Elements of `elementBits` per vector register (at least 1).
  int64_t lanes(int64_t elementBits) const;
  /// Elements of `elementBits` per vector of the native width (at most
  /// lanes(elementBits); at least 1).
  int64_t nativeLanes(int64_t elementBits) const;
  /// "avx512", "avx2" or "sse" from the vector width (for reports).
  const char *isaName() const;
  /// One line for reports and benchmark headers.
  std::string describe() const;
  /// Cycles per masked store of a whole vector (reciprocal throughput) in
  /// the code for this target: 1 under an AVX-512 mask register and for
  /// AVX's vmaskmovps on Intel cores; 12 for a 256-bit vmaskmovps on Zen 3
  /// to Zen 5, which microcode it (42 uops in LLVM's scheduling models; on
  /// Zen 4 the stride-2 interleave of the AVX2 stem data gradient's phases
  /// into its result took ~10% of the kernel's samples in those stores).
  int64_t maskedStoreCycles() const;
  /// Cycles per store of a whole vector (reciprocal throughput): the
  /// vector's width over the store data path's. 2 for a 512-bit store on
  /// Zen 4, whose data path is 256 bits wide (it splits AVX-512 operations
  /// into two 256-bit halves; one 256-bit store per cycle), and for a
  /// 256-bit store on Zen 1 (128 bits); 1 on Intel's cores and Zen 5,
  /// which store a whole vector of their widest kind per cycle.
  int64_t vectorStoreCycles() const;

  /// Fixed targets for tests and documentation: 16 x 256-bit registers
  /// (x86-64-v3) and 32 x 512-bit registers (x86-64-v4).
  static CPUTarget avx2();
  static CPUTarget avx512();
};

/// The target for a CPU name ("host" or empty: the machine this runs on) and
/// LLVM feature changes applied on top of that CPU's features (e.g.
/// "-avx512f" to compile AVX2 code on an AVX-512 host). AVX512-BF16 is
/// always turned off: convgrad converts bf16 with integer operations, and
/// LLVM 22's x86 back end aborts on bf16 vector shuffles, inserts and phis
/// when the feature is on (Zen 4, Zen 5, Cooper Lake). `vectorBits` and
/// `vectorRegisters` override what the features imply when non-zero. Fails
/// (nullopt) on a CPU name LLVM does not know, with `error` set.
std::optional<CPUTarget> resolveCPUTarget(const std::string &cpu,
                                          const std::string &features,
                                          int64_t vectorBits,
                                          int64_t vectorRegisters,
                                          int64_t threads, std::string &error);

/// The LLVM feature string that compiles for `target`: its CPU's features,
/// then its changes. A function's "target-features" replaces the features
/// of the TargetMachine that compiles it (a JIT's are the host's), and a
/// function with a target CPU but without features gets the machine's: AVX2
/// code JIT-compiled on an AVX-512 host would use AVX-512 registers and
/// masks. So every function carries the whole list, as clang writes it.
std::string getLLVMFeatures(const CPUTarget &target);

} // namespace cpu
} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_CODEGEN_CPU_CPUTARGET_H
