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
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvGradRaiseLinalg : Pass<"convgrad-raise-linalg"> {
  let summary = "Raise convolutions and their gradients written in linalg into convgrad ops";
  let description = [{
    Recognizes, on tensors with static shapes, the convolutions that other
    compilers' lowerings (torch-mlir, StableHLO-to-linalg, TOSA-to-linalg)
    emit in upstream `linalg`/`tensor` ops, and rewrites them into `convgrad`
    ops when the semantics are exactly equal; anything else is left as it is:

    - Forward convolutions: every `linalg` op that linalg's convolution
      interface (`inferConvolutionDims`) describes as one batch dimension,
      1 to 3 convolved dimensions, and optional input channel, output channel
      and group/depth dimensions, with an input indexed by `o * s + k * d` and
      a multiply-accumulate body: all named `linalg.conv_*d_*`, grouped
      `conv_2d_ngchw_*`/`nhwgc_*`, `depthwise_conv_*` (with and without a
      channel multiplier) and `linalg.generic` convolutions, in any operand
      layout (transposes and reshapes to convgrad's layouts are inserted).
      A producing `tensor.pad` of +0.0 is folded into `padding`; an
      accumulator of zeros or of a broadcast bias becomes the bias operand;
      a following elementwise bias add (f32/f64) is folded into the bias.
      f16/bf16 operands must accumulate in f32 and be truncated once by the
      only user (an exact match of convgrad's accumulation); f16 accumulating
      in f16 is not raised.
    - Data gradients: a stride-1 convolution of the output gradient inserted
      with a stride into a zero tensor (`tensor.insert_slice` or
      `convgrad.insert_zeros`, padded or at an offset), by the forward filter
      with its kernel reversed (`linalg.generic` reading `K - 1 - i` with
      `tensor.extract`, or `convgrad.reverse`) and its channel roles swapped
      (`linalg.transpose` or a permuting `linalg.generic`), ungrouped or
      depthwise, becomes `convgrad.conv_backward_data`.
    - Bias gradients: a sum (`linalg.reduce` or `linalg.generic`) of a rank
      3 to 5 tensor over every dimension but the channel (dimension 1 or the
      last one) into a zero-filled accumulator becomes
      `convgrad.conv_backward_bias`.

    Example (torch-mlir's form of a padded NCHW convolution with bias):
    ```mlir
    %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] { ^bb0(%i: index, %j: index, %k: index, %l: index):
      tensor.yield %zero : f32 } : tensor<1x4x8x8xf32> to tensor<1x4x10x10xf32>
    %init = linalg.generic {indexing_maps = [affine_map<(n, f, h, w) -> (f)>, affine_map<(n, f, h, w) -> (n, f, h, w)>],
        iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%b : tensor<6xf32>) outs(%e : tensor<1x6x8x8xf32>) { ^bb0(%in: f32, %out: f32): linalg.yield %in : f32 } -> tensor<1x6x8x8xf32>
    %y = linalg.conv_2d_nchw_fchw ins(%p, %w : tensor<1x4x10x10xf32>, tensor<6x4x3x3xf32>) outs(%init : tensor<1x6x8x8xf32>) -> tensor<1x6x8x8xf32>
    ```
    becomes
    ```mlir
    %y = convgrad.conv %x, %w, %b padding = [1, 1, 1, 1]
        : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>) -> tensor<1x6x8x8xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::convgrad::ConvGradDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // CONVGRAD_CONVERSION_PASSES_TD
