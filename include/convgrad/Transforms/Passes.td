//===- Passes.td - convgrad transformation passes ----------*- tablegen -*-===//

#ifndef CONVGRAD_TRANSFORMS_PASSES_TD
#define CONVGRAD_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvGradDecompose : Pass<"convgrad-decompose"> {
  let summary = "Rewrite convolution gradients as forward convolutions over "
                "explicit data movement";
  let description = [{
    Rewrites the backward ops of the `convgrad` dialect so that only forward
    `convgrad.conv` ops (and a reduction for the bias gradient) compute:

    - `convgrad.conv_backward_data` (dgrad) becomes a stride-1 convolution of
      the zero-inserted (`convgrad.insert_zeros`), re-padded gradient
      (`tensor.pad`, or `tensor.extract_slice` where the re-padding
      `Ke - 1 - lo` or `Ke - 1 - hi + r` is negative) with the filter whose
      spatial dimensions are reversed (`convgrad.reverse`) and whose channel
      roles are swapped within each group (`linalg.transpose`), keeping the
      forward dilation and groups.
    - `convgrad.conv_backward_filter` (wgrad) becomes a convolution of the
      (padded or cropped) input by the output gradient in which the batch is
      the reduced channel, the forward stride becomes the dilation and the
      forward dilation becomes the stride.
    - `convgrad.conv_backward_bias` (bgrad) becomes a `linalg.generic`
      reduction over batch and space, accumulating f16/bf16 in f32.

    Example:

    ```mlir
    %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2]
        : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
    ```
    becomes
    ```mlir
    %z = convgrad.insert_zeros %dy strides = [1, 1, 2, 2]
        : tensor<1x1x2x2xf32> -> tensor<1x1x3x3xf32>
    %p = tensor.pad %z low[0, 0, 1, 1] high[0, 0, 1, 1] { ... }
    %t = linalg.transpose ins(%w : ...) outs(...) permutation = [1, 0, 2, 3]
    %r = convgrad.reverse %t dimensions = [2, 3] : tensor<1x1x2x2xf32>
    %dx = convgrad.conv %p, %r : (...) -> tensor<1x1x4x4xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // CONVGRAD_TRANSFORMS_PASSES_TD
