// What the decomposition cannot handle (anything dynamic except the batch) is
// reported at the op and the pass fails. The same cases through
// --convgrad-to-linalg ("could not be lowered to linalg: <same reason>") are in
// test/Conversion/ConvGradToLinalg/backward.mlir, the lowering-only limits in
// conv.mlir and data-movement.mlir there: a RUN line cannot start with `not`
// here (lit.cfg.py does not put the LLVM tools directory on PATH), so each
// pass's exact message is pinned with -verify-diagnostics in its own file.
// RUN: convgrad-opt %s --convgrad-decompose -split-input-file -verify-diagnostics

// Dynamic channels of grad_output.
func.func @dgrad_dynamic_grad_output_channels(%dy: tensor<1x?x5x5xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{'convgrad.conv_backward_data' op cannot be decomposed: dynamic channel sizes are not supported; only the batch size may be dynamic}}
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1]
      : (tensor<1x?x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %dx : tensor<1x4x5x5xf32>
}

// -----

// Dynamic channels of the result (grad_input), channels-last.
func.func @dgrad_dynamic_grad_input_channels(%dy: tensor<?x5x5x6xf32>, %w: tensor<6x3x3x4xf32>) -> tensor<?x5x5x?xf32> {
  // expected-error @+1 {{'convgrad.conv_backward_data' op cannot be decomposed: dynamic channel sizes are not supported; only the batch size may be dynamic}}
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] layout = channels_last
      : (tensor<?x5x5x6xf32>, tensor<6x3x3x4xf32>) -> tensor<?x5x5x?xf32>
  return %dx : tensor<?x5x5x?xf32>
}

// -----

// Dynamic filter: static channels of the activations, unknown filter count.
func.func @dgrad_dynamic_filter(%dy: tensor<1x6x5x5xf32>, %w: tensor<?x4x3x3xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{'convgrad.conv_backward_data' op cannot be decomposed: the filter shape must be static}}
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1]
      : (tensor<1x6x5x5xf32>, tensor<?x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %dx : tensor<1x4x5x5xf32>
}

// -----

// Dynamic channels per group of the filter (1-D, grouped).
func.func @dgrad_dynamic_filter_channels(%dy: tensor<2x6x8xf32>, %w: tensor<6x?x3xf32>) -> tensor<2x4x10xf32> {
  // expected-error @+1 {{'convgrad.conv_backward_data' op cannot be decomposed: the filter shape must be static}}
  %dx = convgrad.conv_backward_data %dy, %w groups = 2
      : (tensor<2x6x8xf32>, tensor<6x?x3xf32>) -> tensor<2x4x10xf32>
  return %dx : tensor<2x4x10xf32>
}

// -----

// wgrad: dynamic channels of the input.
func.func @wgrad_dynamic_input_channels(%x: tensor<2x?x10xf32>, %dy: tensor<2x6x8xf32>) -> tensor<6x4x3xf32> {
  // expected-error @+1 {{'convgrad.conv_backward_filter' op cannot be decomposed: dynamic channel sizes are not supported; only the batch size may be dynamic}}
  %dw = convgrad.conv_backward_filter %x, %dy : (tensor<2x?x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return %dw : tensor<6x4x3xf32>
}

// -----

// wgrad: dynamic channels of grad_output (3-D, channels-last, dynamic batch).
func.func @wgrad_dynamic_grad_output_channels(%x: tensor<?x4x4x4x2xf16>, %dy: tensor<?x2x2x2x?xf16>) -> tensor<3x3x3x3x2xf16> {
  // expected-error @+1 {{'convgrad.conv_backward_filter' op cannot be decomposed: dynamic channel sizes are not supported; only the batch size may be dynamic}}
  %dw = convgrad.conv_backward_filter %x, %dy layout = channels_last
      : (tensor<?x4x4x4x2xf16>, tensor<?x2x2x2x?xf16>) -> tensor<3x3x3x3x2xf16>
  return %dw : tensor<3x3x3x3x2xf16>
}

// -----

// wgrad: the result filter has a dynamic size.
func.func @wgrad_dynamic_grad_filter(%x: tensor<2x4x10xf32>, %dy: tensor<2x6x8xf32>) -> tensor<?x4x3xf32> {
  // expected-error @+1 {{'convgrad.conv_backward_filter' op cannot be decomposed: the filter shape must be static}}
  %dw = convgrad.conv_backward_filter %x, %dy : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<?x4x3xf32>
  return %dw : tensor<?x4x3xf32>
}

// -----

// Every offending op is reported, not just the first; the decomposable op in
// between is left alone by the failed pass.
func.func @several(%dy: tensor<1x?x5x5xf32>, %w: tensor<6x4x3x3xf32>, %x: tensor<1x4x5x5xf32>, %dy2: tensor<1x6x5x5xf32>)
    -> (tensor<1x4x5x5xf32>, tensor<6x4x3x3xf32>, tensor<?x4x3x3xf32>) {
  // expected-error @+1 {{cannot be decomposed: dynamic channel sizes are not supported}}
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1]
      : (tensor<1x?x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  %dw = convgrad.conv_backward_filter %x, %dy2 padding = [1, 1, 1, 1]
      : (tensor<1x4x5x5xf32>, tensor<1x6x5x5xf32>) -> tensor<6x4x3x3xf32>
  // expected-error @+1 {{cannot be decomposed: the filter shape must be static}}
  %dw2 = convgrad.conv_backward_filter %x, %dy2 padding = [1, 1, 1, 1]
      : (tensor<1x4x5x5xf32>, tensor<1x6x5x5xf32>) -> tensor<?x4x3x3xf32>
  return %dx, %dw, %dw2 : tensor<1x4x5x5xf32>, tensor<6x4x3x3xf32>, tensor<?x4x3x3xf32>
}
