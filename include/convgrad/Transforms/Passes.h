//===- Passes.h - convgrad transformation passes ----------------*- C++ -*-===//

#ifndef CONVGRAD_TRANSFORMS_PASSES_H
#define CONVGRAD_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace convgrad {

#define GEN_PASS_DECL
#include "convgrad/Transforms/Passes.h.inc"

/// How a strided data gradient becomes forward convolutions.
enum class DgradStrategy {
  /// One stride-1 convolution of the zero-inserted, re-padded output
  /// gradient (the math note's form; 1 - 1/s^R of its MACs hit zeros).
  ZeroInsertion,
  /// s^R stride-1 convolutions, one per output phase, over only the kernel
  /// taps that reach it, interleaved with strided inserts.
  Phase,
};
/// Parses "zero-insertion" or "phase".
FailureOr<DgradStrategy> parseDgradStrategy(StringRef name);

/// How a filter gradient is computed.
enum class WgradStrategy {
  /// One forward convolution of the padded input by the output gradient in
  /// which the batch is the reduced channel (the math note's form).
  Conv,
  /// Ungrouped, static-channel filter gradients: per image and kernel tap a
  /// GEMM dw[tap] += dy^T * (strided window of x) in channels-last, as a
  /// linalg.generic with projected-permutation maps inside an scf.for nest
  /// (see populateDecomposeWgradAsGemmPatterns). Others use Conv.
  Gemm,
};
/// Parses "conv" or "gemm".
FailureOr<WgradStrategy> parseWgradStrategy(StringRef name);

/// Patterns that rewrite conv_backward_data, conv_backward_filter and
/// conv_backward_bias into forward convgrad.conv ops (and a linalg reduction
/// for the bias gradient) over explicit data movement.
void populateDecomposeConvBackwardPatterns(
    RewritePatternSet &patterns,
    DgradStrategy dgradStrategy = DgradStrategy::ZeroInsertion,
    WgradStrategy wgradStrategy = WgradStrategy::Conv,
    int64_t wgradBlockBytes = 262144, int64_t wgradParallelTasks = 1);

/// The pattern that rewrites an ungrouped conv_backward_filter whose shapes
/// are static except for the batch into an scf.for nest over images and
/// kernel taps around one GEMM-like linalg.generic per tap (iterators
/// (a, b) parallel, output positions reduction; only projected-permutation
/// indexing maps), between channels-last transposes, the padding of x and
/// the final transpose to the filter layout. It does not match grouped or
/// zero-size ops; with `benefit` above the forward-convolution pattern's,
/// those fall back to it. Each GEMM covers the block of output rows whose
/// output gradient fits in `blockBytes` (0: whole images). With
/// `parallelTasks` > 1, the nest is inside one scf.forall whose tasks own
/// disjoint channel blocks of the accumulator (rows when each keeps a
/// multiple of 4, else lanes when each keeps a multiple of 16, else fewer
/// tasks), so that a wgrad is one parallel region.
void populateDecomposeWgradAsGemmPatterns(RewritePatternSet &patterns,
                                          PatternBenefit benefit = 1,
                                          int64_t blockBytes = 262144,
                                          int64_t parallelTasks = 1);

/// The indexing maps of the GEMM blocks that the wgrad-as-GEMM rewrite emits
/// and convgrad-tile-and-vectorize-contractions recognizes: over the
/// iteration space (a, b, r_1..r_numReductions), lhs[r..., a],
/// rhs[r..., b] and block[a, b].
SmallVector<AffineMap, 3> getWgradGemmIndexingMaps(MLIRContext *ctx,
                                                   unsigned numReductions);

/// Patterns that rewrite channels-first convgrad.conv ops into channels-last
/// ones between transposes.
void populateConvertToChannelsLastPatterns(RewritePatternSet &patterns);

/// Patterns that turn grouped (not depthwise) convgrad.conv ops into an
/// scf.for over groups of ungrouped convolutions on channel slices.
void populateSplitGroupsPatterns(RewritePatternSet &patterns);

/// Why the decomposition patterns cannot rewrite `op` (a reason to report at
/// the op), or nullopt when they can or `op` is not a backward op.
std::optional<std::string> unsupportedForDecomposition(Operation *op);

#define GEN_PASS_REGISTRATION
#include "convgrad/Transforms/Passes.h.inc"

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_TRANSFORMS_PASSES_H
