//===- ConvGradOps.td - convgrad operations ----------------*- tablegen -*-===//

#ifndef CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADOPS_TD
#define CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADOPS_TD

include "convgrad/Dialect/ConvGrad/IR/ConvGradDialect.td"
include "convgrad/Dialect/ConvGrad/IR/ConvGradAttrs.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class ConvGrad_Op<string mnemonic, list<Trait> traits = []>
    : Op<ConvGrad_Dialect, mnemonic, traits>;

// The attributes of the forward convolution, shared by the forward op and the
// dgrad/wgrad ops that differentiate it. Absent means the PyTorch default.
defvar ConvGrad_ConvAttrs = (ins
  OptionalAttr<DenseI64ArrayAttr>:$strides,
  OptionalAttr<DenseI64ArrayAttr>:$padding,
  OptionalAttr<DenseI64ArrayAttr>:$dilations,
  DefaultValuedAttr<I64Attr, "1">:$groups,
  DefaultValuedAttr<ConvGrad_LayoutAttr,
                    "::mlir::convgrad::Layout::ChannelsFirst">:$layout
);

defvar ConvGrad_ConvAttrsFormat = [{
  (`strides` `=` $strides^)?
  (`padding` `=` $padding^)?
  (`dilations` `=` $dilations^)?
  (`groups` `=` $groups^)?
  (`layout` `=` custom<LayoutValue>($layout)^)?
  attr-dict `:` functional-type(operands, results)
}];

defvar ConvGrad_ConvAttrsDoc = [{

    Attributes (all optional; the defaults are PyTorch's):
    - `strides`, `dilations`: R entries each, default all 1.
    - `padding`: 2R entries, all low paddings then all high paddings
      (`[lo_0, ..., lo_(R-1), hi_0, ..., hi_(R-1)]`), default all 0.
      Asymmetric padding is allowed.
    - `groups`: default 1; must divide the input channels C and the output
      channels F.
    - `layout`: `channels_first` (default; input `N,C,S...`, filter
      `F,C/G,K...`, output `N,F,S...`) or `channels_last` (input `N,S...,C`,
      filter `F,K...,C/G`, output `N,S...,F`).

    Per spatial dimension the forward shape relation holds:
    `O = floor((H + lo + hi - Ke) / s) + 1` with `Ke = (K - 1) * d + 1`.
    Spatial and filter sizes are static; batch and channel sizes may be
    dynamic (`?`). All operands and the result share one element type
    (f16, bf16, f32 or f64); f16 and bf16 accumulate in f32.
}];

class ConvGrad_ConvFamilyOp<string mnemonic, list<Trait> traits = []>
    : ConvGrad_Op<mnemonic, !listconcat([Pure], traits)> {
  let hasVerifier = 1;
  code convParamsDecl = [{
    /// The number of spatial dimensions R (1, 2 or 3 for a valid op).
    unsigned getSpatialRank();
    /// The strides, dilations, paddings, groups and layout with defaults
    /// filled in for R spatial dimensions.
    ::mlir::convgrad::ConvParams getConvParams();
  }];
  let extraClassDeclaration = convParamsDecl;
}

//===----------------------------------------------------------------------===//
// ConvOp
//===----------------------------------------------------------------------===//

def ConvGrad_ConvOp : ConvGrad_ConvFamilyOp<"conv"> {
  let summary = "Forward convolution (PyTorch cross-correlation)";
  let description = !strconcat([{
    Computes, for each spatial position `o` of the output,

        output[n, f, o] = bias[f] + sum_{c, k} filter[f, c, k] * input[n, g*Cg + c, o*s + k*d - lo]

    where `g = f / (F/G)` is the group of output channel `f`, `Cg = C/G`, and
    input positions outside `[0, H)` read zero (the padding).

    Example (a 3x3 convolution with stride 2, padding 1 on every side and two
    groups, channels-first):

    ```mlir
    %y = convgrad.conv %x, %w, %b strides = [2, 2] padding = [1, 1, 1, 1] groups = 2
        : (tensor<8x64x56x56xf32>, tensor<128x32x3x3xf32>, tensor<128xf32>)
        -> tensor<8x128x28x28xf32>
    ```
  }], ConvGrad_ConvAttrsDoc);

  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$filter,
                            Optional<AnyRankedTensor>:$bias),
                       ConvGrad_ConvAttrs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = !strconcat("$input `,` $filter (`,` $bias^)?", ConvGrad_ConvAttrsFormat);
}

//===----------------------------------------------------------------------===//
// ConvBackwardDataOp
//===----------------------------------------------------------------------===//

def ConvGrad_ConvBackwardDataOp : ConvGrad_ConvFamilyOp<"conv_backward_data"> {
  let summary = "Gradient of a convolution with respect to its input (dgrad)";
  let description = !strconcat([{
    Given the gradient of the forward output and the filter, computes

        grad_input[n, g*Cg + c, i] = sum_{f in group g, k, o : o*s + k*d - lo = i}
                                         grad_output[n, f, o] * filter[f, c, k]

    The attributes are those of the forward convolution. The result type fixes
    the spatial sizes of the forward input: several input sizes give the same
    output size when the stride is larger than one (the remainder rows `r` that
    no output window reads get a zero gradient).

    Example (the data gradient of a stride-2 3x3 convolution of a 7x7 input):

    ```mlir
    %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1]
        : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x7x7xf32>
    ```
  }], ConvGrad_ConvAttrsDoc);

  let arguments = !con((ins AnyRankedTensor:$grad_output, AnyRankedTensor:$filter),
                       ConvGrad_ConvAttrs);
  let results = (outs AnyRankedTensor:$grad_input);
  let assemblyFormat = !strconcat("$grad_output `,` $filter", ConvGrad_ConvAttrsFormat);
}

//===----------------------------------------------------------------------===//
// ConvTransposeOp
//===----------------------------------------------------------------------===//

def ConvGrad_ConvTransposeOp : ConvGrad_ConvFamilyOp<"conv_transpose"> {
  let summary = "Transposed convolution (PyTorch ConvTranspose1d/2d/3d)";
  let description = !strconcat([{
    The layer PyTorch calls `ConvTranspose`, ONNX `ConvTranspose` and TOSA
    `transpose_conv2d`: for each spatial position `o` of the output,

        output[n, g*Cog + co, o] = bias[g*Cog + co]
            + sum_{ci in group g, k, i : i*s + k*d - lo = o}
                  input[n, ci, i] * filter[ci, co, k]

    with `Cog = C_out / G`. The input is `N, C_in, S...` (channels-last:
    `N, S..., C_in`), the filter PyTorch's `C_in, C_out/G, K...`
    (channels-last: `C_in, K..., C_out/G`), the optional bias `C_out`. The
    attributes are those of the convolution it transposes (`padding` crops
    the output, low then high), plus `output_padding` (one entry per spatial
    dimension, default 0, each below `max(stride, dilation)` as in PyTorch)
    which adds that many rows at the high end. Per spatial dimension the
    output size is

        (S - 1) * s - lo - hi + d * (K - 1) + output_padding + 1

    It is the data gradient of the convolution with these attributes when
    `output_padding < stride`; `convgrad-decompose` rewrites it into a
    `conv_backward_data` (high padding reduced by `output_padding`, rows no
    input reaches appended as zeros) and a bias add, so it is lowered through
    the same stride-phase path.

    Its own gradients are existing ops (see docs/conv-backward-math.md): the
    input gradient is a forward `conv` of the output gradient with the same
    filter and attributes (high padding reduced by `output_padding`), the
    filter gradient a `conv_backward_filter` with the output gradient as
    input and the input as output gradient, the bias gradient a
    `conv_backward_bias`.

    Example (a 3x3 stride-2 decoder layer, padding 1, output_padding 1):

    ```mlir
    %y = convgrad.conv_transpose %x, %w, %b output_padding = [1, 1]
        strides = [2, 2] padding = [1, 1, 1, 1]
        : (tensor<1x16x8x8xf32>, tensor<16x8x3x3xf32>, tensor<8xf32>) -> tensor<1x8x16x16xf32>
    ```
  }], ConvGrad_ConvAttrsDoc);

  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$filter,
                            Optional<AnyRankedTensor>:$bias),
                       ConvGrad_ConvAttrs,
                       (ins OptionalAttr<DenseI64ArrayAttr>:$output_padding));
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = !strconcat("$input `,` $filter (`,` $bias^)? "
                                  "(`output_padding` `=` $output_padding^)?",
                                  ConvGrad_ConvAttrsFormat);
  let extraClassDeclaration = convParamsDecl # [{
    /// output_padding with the default (zeros) filled in.
    ::llvm::SmallVector<int64_t> getOutputPaddingOrDefault();
  }];
}

//===----------------------------------------------------------------------===//
// ConvBackwardFilterOp
//===----------------------------------------------------------------------===//

def ConvGrad_ConvBackwardFilterOp : ConvGrad_ConvFamilyOp<"conv_backward_filter"> {
  let summary = "Gradient of a convolution with respect to its filter (wgrad)";
  let description = !strconcat([{
    Given the forward input and the gradient of the forward output, computes

        grad_filter[f, c, k] = sum_{n, o} grad_output[n, f, o] * input[n, g*Cg + c, o*s + k*d - lo]

    The attributes are those of the forward convolution; the result type fixes
    the kernel size.

    Example (channels-last, depthwise):

    ```mlir
    %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 32
        layout = channels_last
        : (tensor<?x28x28x32xf32>, tensor<?x28x28x32xf32>) -> tensor<32x3x3x1xf32>
    ```
  }], ConvGrad_ConvAttrsDoc);

  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$grad_output),
                       ConvGrad_ConvAttrs);
  let results = (outs AnyRankedTensor:$grad_filter);
  let assemblyFormat = !strconcat("$input `,` $grad_output", ConvGrad_ConvAttrsFormat);
}

//===----------------------------------------------------------------------===//
// ConvBackwardBiasOp
//===----------------------------------------------------------------------===//

def ConvGrad_ConvBackwardBiasOp : ConvGrad_Op<"conv_backward_bias", [Pure]> {
  let summary = "Gradient of a convolution with respect to its bias (bgrad)";
  let description = [{
    Sums the gradient of the forward output over the batch and every spatial
    dimension, per output channel: `grad_bias[f] = sum_{n, o} grad_output[n, f, o]`.
    `layout` says where the channel dimension is (default `channels_first`).
    f16 and bf16 accumulate in f32.

    Example:

    ```mlir
    %db = convgrad.conv_backward_bias %dy layout = channels_last
        : (tensor<8x28x28x64xf32>) -> tensor<64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$grad_output,
                       DefaultValuedAttr<ConvGrad_LayoutAttr,
                           "::mlir::convgrad::Layout::ChannelsFirst">:$layout);
  let results = (outs AnyRankedTensor:$grad_bias);
  let assemblyFormat = [{
    $grad_output (`layout` `=` custom<LayoutValue>($layout)^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    unsigned getSpatialRank();
  }];
}

//===----------------------------------------------------------------------===//
// Data movement of the decomposition
//===----------------------------------------------------------------------===//

def ConvGrad_InsertZerosOp : ConvGrad_Op<"insert_zeros", [Pure]> {
  let summary = "Insert `s - 1` zeros between neighbouring elements";
  let description = [{
    Along every dimension `i`, places `source[j]` at `result[j * strides[i]]`
    and zero in between: a dimension of size `n` becomes `(n - 1) * s + 1`.
    This is the zero-insertion that turns the data gradient of a strided
    convolution into a stride-1 convolution. `strides` has one entry per
    dimension (1 leaves the dimension alone).

    Example:

    ```mlir
    %z = convgrad.insert_zeros %dy strides = [1, 1, 2, 2]
        : tensor<2x8x4x4xf32> -> tensor<2x8x7x7xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$source, DenseI64ArrayAttr:$strides);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $source `strides` `=` $strides attr-dict `:` type($source) `->` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$source, "::llvm::ArrayRef<int64_t>":$strides)>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def ConvGrad_ReverseOp : ConvGrad_Op<"reverse",
    [Pure, AllTypesMatch<["source", "result"]>]> {
  let summary = "Reverse the order of elements along some dimensions";
  let description = [{
    `result[..., i, ...] = source[..., n - 1 - i, ...]` along each of
    `dimensions`. Reversing the spatial dimensions of a filter rotates it by
    180 degrees in 2-D, as the data gradient requires.

    Example:

    ```mlir
    %r = convgrad.reverse %w dimensions = [2, 3] : tensor<4x8x3x3xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$source, DenseI64ArrayAttr:$dimensions);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $source `dimensions` `=` $dimensions attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

#endif // CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADOPS_TD
