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

    A linalg op whose accumulator is a fill and whose result is inserted
    into a tensor filled with the same value (the stride phase of a data
    gradient whose kernel does not reach every position, inserted into the
    zero-filled dx) accumulates in that slice of the destination instead,
    so those positions are filled once.

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

def ConvGradImportTosa : Pass<"convgrad-import-tosa"> {
  let summary = "Import TOSA convolutions as convgrad ops";
  let description = [{
    Rewrites the convolutions of a TOSA program into channels-last convgrad
    ops, so that `--convgrad-cpu-pipeline` compiles them, and leaves every
    other op to upstream's TOSA lowering:

    - `tosa.conv2d` / `tosa.conv3d` (weight `[OC, K..., IC]`, which is
      convgrad's channels-last filter) become `convgrad.conv` with the bias;
      `pad = [top, bottom, left, right]` (`[front, back, top, ...]` in 3-D)
      becomes `padding = [top, left, bottom, right]`.
    - `tosa.depthwise_conv2d` (weight `[KH, KW, C, M]`) becomes a
      `convgrad.conv` with `groups = C` and the weight transposed and
      reshaped to `[C*M, KH, KW, 1]` (output channel `c*M + m`).
    - `tosa.transpose_conv2d` (weight `[OC, KH, KW, IC]`, unflipped,
      `out[iy*s + top + ky] += in[iy] * w[ky]`) becomes the data gradient of
      the stride-`s` convolution it transposes: `convgrad.conv_backward_data`
      of the input with the weight transposed to `[IC, KH, KW, OC]`, whose
      padding is the negative part of `out_pad` (a crop, so no cropped
      output is computed); the positive part pads the result with zeros,
      then the bias is added.

    Only float types (f16, bf16, f32) whose `acc_type` is convgrad's
    accumulator (f32), with zero points that are constant zeros and static
    sizes except the batch, are imported; anything else is left as it is
    (see the `unsupported` option).

    Example:

    ```mlir
    %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32,
        dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 0>,
        stride = array<i64: 2, 2>} : (tensor<1x9x8x3xf32>,
        tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>)
        -> tensor<1x5x4x4xf32>
    // becomes
    %y = convgrad.conv %x, %w, %b strides = array<i64: 2, 2>
        padding = array<i64: 1, 1, 1, 0> layout = channels_last
        : (tensor<1x9x8x3xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>)
        -> tensor<1x5x4x4xf32>
    ```

    A whole TOSA function compiles with
    `convgrad-import-tosa,func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-tensor,tosa-to-arith),convgrad-cpu-pipeline`
    (`--convgrad-tosa-cpu-pipeline`).
  }];
  let options = [
    Option<"unsupported", "unsupported",
           "::mlir::convgrad::UnsupportedTosaPolicy",
           "::mlir::convgrad::UnsupportedTosaPolicy::Ignore",
           "What to do with a TOSA convolution that cannot be imported",
           [{::llvm::cl::values(
             clEnumValN(::mlir::convgrad::UnsupportedTosaPolicy::Ignore,
                        "ignore", "leave it to upstream's TOSA lowering"),
             clEnumValN(::mlir::convgrad::UnsupportedTosaPolicy::Remark,
                        "remark", "leave it, with a remark saying why"),
             clEnumValN(::mlir::convgrad::UnsupportedTosaPolicy::Error,
                        "error", "report an error at the op"))}]>,
  ];
  let dependentDialects = [
    "::mlir::convgrad::ConvGradDialect",
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
      (`linalg.transpose`, a permuting `linalg.generic` or the
      convolution's own indexing maps), ungrouped, depthwise, or grouped
      with the roles swapped inside each group by an expand_shape, a
      transpose and a collapse_shape, becomes `convgrad.conv_backward_data`.
    - Filter gradients: a convolution of the input by the output gradient
      in which the batch is the contracted channel (forward stride as
      dilation, forward dilation as stride: torch-mlir's direct
      `linalg.generic` wgrad, StableHLO's transposed form), ungrouped,
      becomes `convgrad.conv_backward_filter`.
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
