//===- Passes.h - Target-neutral rewrites of convgrad ops -------*- C++ -*-===//
//
// Rewrites of convgrad ops into other convgrad ops and upstream tensor ops
// that hold on every target: backward ops as forward convolutions,
// channels-first as channels-last, grouped as a loop over groups.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_DIALECT_CONVGRAD_TRANSFORMS_PASSES_H
#define CONVGRAD_DIALECT_CONVGRAD_TRANSFORMS_PASSES_H

#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

#include <optional>
#include <string>

namespace mlir {
class RewritePatternSet;

namespace convgrad {

/// How a strided data gradient becomes forward convolutions.
enum class DgradStrategy {
  /// One stride-1 convolution of the zero-inserted, re-padded output
  /// gradient (the math note's form; 1 - 1/s^R of its MACs hit zeros).
  ZeroInsertion,
  /// s^R stride-1 convolutions, one per output phase, over only the kernel
  /// taps that reach it, interleaved with strided inserts.
  Phase,
};

#define GEN_PASS_DECL
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h.inc"

/// Patterns that rewrite conv_backward_data, conv_backward_filter and
/// conv_backward_bias into forward convgrad.conv ops (and a linalg reduction
/// for the bias gradient) over explicit data movement.
void populateDecomposeConvBackwardPatterns(
    RewritePatternSet &patterns,
    DgradStrategy dgradStrategy = DgradStrategy::ZeroInsertion);

/// The data gradient a conv_transpose is computed as: the conv_backward_data
/// of the convolution it transposes, whose gradient input is the transposed
/// output without the `appendedHigh` rows that output_padding adds beyond
/// the last row any input reaches (zeros, appended after it).
struct TransposedConvAsDataGradient {
  ConvParams params; ///< of the conv_backward_data: its padding
  SmallVector<int64_t> appendedHigh;   ///< per dimension of the output
  SmallVector<int64_t> gradInputShape; ///< of the conv_backward_data
};
TransposedConvAsDataGradient
getTransposedConvAsDataGradient(ConvTransposeOp op);

/// Replaces `op` by that data gradient, the appended zeros and the bias
/// (the rewrite of populateDecomposeConvBackwardPatterns; the caller checks
/// unsupportedForDecomposition first).
void replaceConvTransposeByDataGradient(RewriterBase &rewriter,
                                        ConvTransposeOp op);

/// Patterns that rewrite channels-first convgrad.conv ops into channels-last
/// ones between transposes.
void populateConvertToChannelsLastPatterns(RewritePatternSet &patterns);

/// `op` (a convgrad.conv in the other layout) computed in `layout` between
/// transposes of its operands and result; returns the result in `op`'s
/// layout.
Value computeConvInLayout(RewriterBase &rewriter, ConvOp op, Layout layout);

/// The layout-change folds of populateConvertToChannelsLastPatterns alone
/// (transposes composed, moved before pads and after the phase inserts), for
/// passes that change the layout of some convolutions themselves.
void populateFoldLayoutTransposesPatterns(RewritePatternSet &patterns);

/// Patterns that turn grouped (not depthwise) convgrad.conv ops into an
/// scf.for over groups of ungrouped convolutions on channel slices.
void populateSplitGroupsPatterns(RewritePatternSet &patterns);

/// Patterns that make channels-first convgrad.conv and conv_backward_filter
/// ops whose windows read only a lattice of the input (1x1 stride 2) read a
/// strided slice of it, with stride and dilation divided by the lattice step.
void populateSubsampleStridedInputPatterns(RewritePatternSet &patterns);

/// Patterns that make convgrad.conv, conv_backward_data and
/// conv_backward_filter ops use only the kernel taps that reach the input
/// (ConvDimGeometry::tapsReadingInput): the filter is sliced, the filter
/// gradient of the other taps is zero. A conv_transpose with such taps
/// becomes the data gradient it is (replaceConvTransposeByDataGradient),
/// which is then cropped.
void populateCropPaddingTapsPatterns(RewritePatternSet &patterns);

/// Why the decomposition patterns cannot rewrite `op` (a reason to report at
/// the op), or nullopt when they can or `op` is not a backward op.
std::optional<std::string> unsupportedForDecomposition(Operation *op);

#define GEN_PASS_REGISTRATION
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h.inc"

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_DIALECT_CONVGRAD_TRANSFORMS_PASSES_H
