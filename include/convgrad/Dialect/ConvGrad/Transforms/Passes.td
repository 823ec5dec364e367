//===- Passes.td - convgrad transformation passes ----------*- tablegen -*-===//

#ifndef CONVGRAD_DIALECT_CONVGRAD_TRANSFORMS_PASSES_TD
#define CONVGRAD_DIALECT_CONVGRAD_TRANSFORMS_PASSES_TD

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
      forward dilation becomes the stride. (On CPUs,
      `--convgrad-cpu-wgrad-to-gemm` runs first and computes ungrouped
      filter gradients as GEMMs instead.)
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
  let options = [
    Option<"dgradStrategy", "dgrad-strategy", "::mlir::convgrad::DgradStrategy",
           "::mlir::convgrad::DgradStrategy::ZeroInsertion",
           "How a strided dgrad becomes forward convolutions",
           [{::llvm::cl::values(
             clEnumValN(::mlir::convgrad::DgradStrategy::ZeroInsertion,
                        "zero-insertion",
                        "one convolution of the zero-inserted gradient, as in "
                        "the math note"),
             clEnumValN(::mlir::convgrad::DgradStrategy::Phase, "phase",
                        "one stride-1 convolution per output phase over only "
                        "the taps that reach it: no MAC on an inserted zero"))}]>,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvGradConvertToChannelsLast : Pass<"convgrad-convert-to-channels-last"> {
  let summary = "Compute channels-first convolutions in channels-last";
  let description = [{
    Rewrites every `convgrad.conv` with `layout = channels_first` into a
    channels-last convolution between transposes of its operands and result:

        input [N, C, S...] -> [N, S..., C]    filter [F, C/G, K...] -> [F, K..., C/G]
        output [N, S..., F] -> [N, F, S...]

    On CPUs a channels-last convolution vectorizes along the contiguous
    channel dimension (about 3x faster than vectorizing the channels-first
    form directly), and the transposes vectorize too. Run it after
    `--convgrad-decompose` so the convolutions of the gradients benefit.

    Layout changes that meet are folded: consecutive transposes compose, a
    transpose of a unit-stride window (at least half of its source) read by
    a convolution becomes a window of one transpose of the source (the
    stride phases of a data gradient read windows of one padded dy, which
    then changes layout once), a transpose moves before a constant pad that
    only equal transposes read, and the strided inserts of a
    phase-split data gradient move into the phases' layout so one transpose
    of the whole result remains. Not an insert into a zero fill (phases that
    reach only part of the result, e.g. 1x1 stride 2): the fill stays in the
    result's layout and only the phases are transposed.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvGradSplitGroups : Pass<"convgrad-split-groups"> {
  let summary = "Compute grouped convolutions as a loop over groups";
  let description = [{
    Rewrites a `convgrad.conv` with `groups > 1` and more than one input
    channel per group into an `scf.for` over the groups whose body convolves
    one channel slice of the input with the group's filters
    (`tensor.extract_slice`) and inserts the result into the output
    (`tensor.insert_slice`). Upstream linalg cannot vectorize its grouped
    named convolutions; the ungrouped body is tiled and vectorized like any
    other convolution. Depthwise convolutions (one input channel per group)
    are left alone: they have vectorizable upstream forms.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvGradCropPaddingTaps : Pass<"convgrad-crop-padding-taps"> {
  let summary = "Drop the kernel taps that read only padding";
  let description = [{
    Along each spatial dimension, tap `k` of a window reads the input
    position `o * s + k * d - lo`. With a dilation larger than the input,
    taps that never reach the input for any output `o` multiply only the
    padding, and the padded input that the convolution materializes grows
    with the dilation and padding, not with the problem (3 taps 300000
    apart padded by 600000 read a 600005-element row for 5 inputs). This
    pass rewrites `convgrad.conv`, `conv_backward_data` and
    `conv_backward_filter` to use only the taps from the first to the last
    that reach the input (a slice of the filter; the filter gradient of the
    dropped taps is zero), with the paddings lowered by the dropped extent,
    so the cost depends on the input, kernel and output sizes only. Taps are
    kept where dropping them would make a padding negative. When along some
    dimension no tap reaches the input, every product reads padding: the
    result is the bias (or zero) and the gradients are zero. A
    `conv_transpose` whose data-gradient form drops taps is rewritten into
    that form (the `conv_backward_data` of the convolution it transposes,
    as `convgrad-decompose` does), which is then cropped. Ops with dynamic
    spatial or kernel sizes are left alone.

    Example:

    ```mlir
    %y = convgrad.conv %x, %w strides = [1] padding = [600000, 0]
        dilations = [300000]
        : (tensor<1x2x5xf32>, tensor<2x2x3xf32>) -> tensor<1x2x5xf32>
    ```
    becomes
    ```mlir
    %w2 = tensor.extract_slice %w[0, 0, 2] [2, 2, 1] [1, 1, 1]
        : tensor<2x2x3xf32> to tensor<2x2x1xf32>
    %y = convgrad.conv %x, %w2 dilations = [300000]
        : (tensor<1x2x5xf32>, tensor<2x2x1xf32>) -> tensor<1x2x5xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvGradSubsampleStridedInput : Pass<"convgrad-subsample-strided-input"> {
  let summary = "Read strided windows of the input through a strided slice";
  let description = [{
    The windows of a convolution read the input positions
    `o * s + k * d - lo` along each spatial dimension. They lie on a lattice
    of step `gcd(s, d)` (`s` for a one-tap kernel): a 1x1 stride-2
    convolution reads every other row and column. This pass rewrites each
    channels-first `convgrad.conv` and `convgrad.conv_backward_filter` whose
    step exceeds 1 in some dimension to read a strided
    `tensor.extract_slice` of its input, with stride and dilation divided by
    the step and the paddings that keep the output size. Run before the
    layout changes (`--convgrad-convert-to-channels-last`,
    `--convgrad-cpu-wgrad-to-gemm`): they then transpose the slice, a
    quarter of the input of a 1x1 stride-2 layer, instead of all of it.

    Example:

    ```mlir
    %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2]
        : (tensor<8x256x56x56xf32>, tensor<8x512x28x28xf32>) -> tensor<512x256x1x1xf32>
    ```
    becomes
    ```mlir
    %xs = tensor.extract_slice %x[0, 0, 0, 0] [8, 256, 28, 28] [1, 1, 2, 2]
    %dw = convgrad.conv_backward_filter %xs, %dy strides = [1, 1]
        dilations = [1, 1] padding = [0, 0, 0, 0] : ...
    ```
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

#endif // CONVGRAD_DIALECT_CONVGRAD_TRANSFORMS_PASSES_TD
