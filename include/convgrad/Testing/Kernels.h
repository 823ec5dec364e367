//===- Kernels.h - convgrad kernels as callable functions -------*- C++ -*-===//
//
// Builds the forward, dgrad, wgrad and bgrad kernels of a convolution
// configuration with the convgrad op builders. Each kernel is a function
// `@<kind><suffix>(inputs..., out)` in destination-passing style on memrefs
// with `llvm.emit_c_interface`, so after compilation it is called as
// `_mlir_ciface_<kind><suffix>(descriptor*...)`:
//
//   fwd   (x, w, b, y)     y  = conv(x, w) + b
//   dgrad (dy, w, dx)      dx = conv_backward_data(dy, w)
//   wgrad (x, dy, dw)      dw = conv_backward_filter(x, dy)
//   bgrad (dy, db)         db = conv_backward_bias(dy)
//
// Shapes are those of convgrad::reference::ConvConfig (inputShape,
// filterShape, outputShape, {F}).
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_TESTING_KERNELS_H
#define CONVGRAD_TESTING_KERNELS_H

#include "convgrad/Reference/ConvReference.h"
#include "convgrad/Testing/HostTensor.h"
#include "convgrad/Testing/TestCases.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>
#include <string>

namespace convgrad {
namespace runtime {

enum class KernelKind { Fwd = 0, Dgrad = 1, Wgrad = 2, Bgrad = 3 };
constexpr unsigned kNumKernelKinds = 4;

/// "fwd", "dgrad", "wgrad", "bgrad".
const char *kernelKindName(KernelKind kind);
/// The inverse of kernelKindName.
std::optional<KernelKind> parseKernelKind(const std::string &name);

/// A set of kernel kinds (bit i = KernelKind(i)).
using KernelMask = unsigned;
constexpr KernelMask kAllKernels = 0xf;
constexpr KernelMask maskOf(KernelKind kind) {
  return 1u << static_cast<unsigned>(kind);
}

/// Number of memref arguments of a kernel, its result included (4, 3, 3, 2).
unsigned kernelNumArgs(KernelKind kind);

/// The MLIR type of an element kind.
mlir::Type getElementType(mlir::MLIRContext *ctx, ElemKind kind);

/// A tensor type of `shape`, with a dynamic first (batch) dimension if
/// `dynamicBatch`.
mlir::RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape,
                                  mlir::Type elementType, bool dynamicBatch);

/// Appends `@name(inputs..., out)` to `module`: memref arguments of the input
/// types and of `resultType`, `llvm.emit_c_interface`, a body that converts
/// the memrefs to tensors (restrict), computes `body(tensors)` and
/// materializes the result in `out` (restrict, writable).
void buildKernel(
    mlir::OpBuilder &b, mlir::ModuleOp module, llvm::StringRef name,
    llvm::ArrayRef<mlir::RankedTensorType> inputTypes,
    mlir::RankedTensorType resultType,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   mlir::ValueRange)>
        body);

/// Sets strides, dilations, padding, groups and layout of `op` from `conv`,
/// leaving default values out.
void setConvAttrs(mlir::OpBuilder &b, mlir::Operation *op,
                  const reference::ConvConfig &conv);

/// Appends the kernels in `kinds` of one configuration to `module`, named
/// `<kind><suffix>` (e.g. "dgrad_3").
void addKernels(mlir::ModuleOp module, const reference::ConvConfig &conv,
                ElemKind elemKind, bool dynamicBatch, llvm::StringRef suffix,
                KernelMask kinds = kAllKernels);
/// The kernels of a transposed convolution, with the same names and
/// argument orders: fwd (x, w, b, y) is the conv_transpose; dgrad (dy, w,
/// dx), wgrad (x, dy, dw) and bgrad (dy, db) are its gradients as existing
/// ops (conv of dy, conv_backward_filter with dy as input and x as output
/// gradient, conv_backward_bias).
void addTransposedKernels(mlir::ModuleOp module,
                          const reference::TransposedConvConfig &conv,
                          ElemKind elemKind, bool dynamicBatch,
                          llvm::StringRef suffix,
                          KernelMask kinds = kAllKernels);
/// The same for a parsed .cfg line: element type and dynamic batch come from
/// `tc` (parseTestCase only accepts f16/bf16/f32/f64; anything else is taken
/// as f32, as convgrad-run always did).
void addKernels(mlir::ModuleOp module, const testcases::TestCase &tc,
                llvm::StringRef suffix, KernelMask kinds = kAllKernels);

/// A fresh module holding the kernels in `kinds` of `tc`.
mlir::OwningOpRef<mlir::ModuleOp> buildModule(mlir::MLIRContext *ctx,
                                              const testcases::TestCase &tc,
                                              llvm::StringRef suffix = "",
                                              KernelMask kinds = kAllKernels);

} // namespace runtime
} // namespace convgrad

#endif // CONVGRAD_TESTING_KERNELS_H
