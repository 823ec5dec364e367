//===- Compare.h - One module, two pipelines, the same results --*- C++ -*-===//
//
// Compiles the public functions of a module through two pass pipelines (for
// example convgrad's and upstream MLIR's), calls both versions on the same
// inputs and compares every output element. The inputs are multiples of 1/4
// in [-2, 2]: every product of two of them is a multiple of 1/16 of
// magnitude <= 4, so a sum of up to 2^18 such products is exact in f32 (2^47
// in f64) whatever order it is summed in, and the two versions of a linear
// layer must agree bit for bit. That stops holding for reductions longer
// than ~2^16 terms in f32 (the bias and the rounding to f16/bf16 outputs
// are exact; leave a margin), for chains of layers whose intermediate
// values outgrow 24 significant bits, and for non-linear ops (exp, divide):
// give those a relative tolerance.
//
// Function signatures, in destination-passing style like the kernels of
// Kernels.h:
//   - `(memref..., memref...)` with no results: called as is (every
//     argument is filled, every argument is compared after the call);
//   - `(tensor...) -> tensor`: called through a generated wrapper
//     `@__compare_<name>(memref inputs..., memref result)`.
// Shapes must be static; element types f16, bf16, f32, f64; at most six
// memref arguments (KernelCall).
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_RUNTIME_COMPARE_H
#define CONVGRAD_RUNTIME_COMPARE_H

#include "convgrad/Runtime/HostTensor.h"
#include "convgrad/Runtime/Jit.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <random>
#include <string>
#include <vector>

namespace convgrad {
namespace runtime {

/// A callable public function of a module: the symbol to look up (the
/// function or its wrapper) and its memref arguments.
struct EntryPoint {
  std::string function; ///< the function as written in the module
  std::string symbol;   ///< the `_mlir_ciface_` name to call
  std::vector<ElemKind> kinds;
  std::vector<std::vector<int64_t>> shapes;
  /// Arguments [firstOutput, end) are results; those before are inputs (only
  /// compared for memref functions, which may write any argument).
  unsigned firstOutput = 0;
};

/// Finds the public functions with a body of `module`, adds the tensor
/// wrappers and `llvm.emit_c_interface`. Returns false with `error` naming
/// the first function whose signature is not supported.
bool prepareEntryPoints(mlir::ModuleOp module, std::vector<EntryPoint> &entries,
                        std::string &error);

/// Fills `t` with multiples of 1/4 in [-2, 2] (exact in every element type).
void fillDyadic(HostTensor &t, std::mt19937_64 &rng);

struct CompareOptions {
  /// The two sides: pipelines, optimization level, shared libraries.
  JitOptions first, second;
  uint64_t seed = 1;
  /// Relative tolerance; 0 = the results must be equal (NaN equals NaN).
  double tolerance = 0;
  /// If non-zero, times every function on both sides (median of this many
  /// calls after one warm-up call).
  unsigned timeReps = 0;
};

/// Compiles `module` (not modified) both ways, runs every entry point of
/// both on the same inputs and prints one line per function to `os`
/// ("PASS @f: ..." or "FAIL @f: ..." with the first mismatch), and timings
/// when asked. Returns the number of failing functions, or -1 (with a
/// message on `os`) if the module has no entry point or does not compile.
int compareModule(mlir::ModuleOp module, const CompareOptions &options,
                  llvm::raw_ostream &os);

} // namespace runtime
} // namespace convgrad

#endif // CONVGRAD_RUNTIME_COMPARE_H
