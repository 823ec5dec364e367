//===- Passes.td - convgrad conversion passes --------------*- tablegen -*-===//

#ifndef CONVGRAD_CONVERSION_PASSES_TD
#define CONVGRAD_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvGradToLinalg : Pass<"convgrad-to-linalg"> {
  let summary = "Lower the convgrad dialect to upstream linalg, tensor and arith";
  let description = [{
    Takes a module that uses `convgrad` to upstream dialects only. It first
    applies the `--convgrad-decompose` patterns (backward ops become forward
    convolutions over explicit data movement), then lowers:

    - `convgrad.conv` to `tensor.pad` for the padding, an accumulator
      initialised with zeros or the broadcast bias, and an upstream named
      convolution: `linalg.conv_{1,2,3}d_*` for one group,
      `linalg.depthwise_conv_*` when every group has one input channel,
      an `scf.for` over M accumulating `linalg.depthwise_conv_*` on
      `[..., M, G]` transposes when a channels-last one has one output and
      M input channels per group (a multiplier depthwise data gradient),
      `linalg.conv_2d_ngchw_gfchw` / `linalg.conv_2d_nhwgc_gfhwc` for other
      2-D groupings (with `tensor.expand_shape`/`collapse_shape` exposing the
      group), and a `linalg.generic` only where upstream has no named op
      (grouped 1-D and 3-D, channels-first depthwise with a channel
      multiplier). f16 and bf16 accumulate in f32 and are truncated once.
    - `convgrad.insert_zeros` to a strided `tensor.insert_slice` into a zero
      tensor.
    - `convgrad.reverse` to a `linalg.generic` reading `n - 1 - i`.

    Ops that cannot be lowered (for example dynamic channel sizes in a
    backward op) get an error at their location and the pass fails.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // CONVGRAD_CONVERSION_PASSES_TD
