// RUN: convgrad-opt %s --convgrad-crop-padding-taps -split-input-file | FileCheck %s

// Three taps 300000 apart, 600000 of low padding, 5 inputs: only the last
// tap reaches the input. The convolution over it needs no padding.
// CHECK-LABEL: func.func @conv_last_tap
// CHECK: %[[W:.*]] = tensor.extract_slice %arg1[0, 0, 2] [2, 2, 1] [1, 1, 1] : tensor<2x2x3xf32> to tensor<2x2x1xf32>
// CHECK: convgrad.conv %arg0, %[[W]], %arg2 dilations = [300000] : (tensor<1x2x5xf32>, tensor<2x2x1xf32>, tensor<2xf32>) -> tensor<1x2x5xf32>
func.func @conv_last_tap(%x: tensor<1x2x5xf32>, %w: tensor<2x2x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x5xf32> {
  %y = convgrad.conv %x, %w, %b padding = [600000, 0] dilations = [300000]
      : (tensor<1x2x5xf32>, tensor<2x2x3xf32>, tensor<2xf32>) -> tensor<1x2x5xf32>
  return %y : tensor<1x2x5xf32>
}

// -----

// The data gradient reads the same taps of the filter.
// CHECK-LABEL: func.func @dgrad_last_tap
// CHECK: %[[W:.*]] = tensor.extract_slice %arg1[0, 0, 2] [2, 2, 1] [1, 1, 1]
// CHECK: convgrad.conv_backward_data %arg0, %[[W]] strides = [7] padding = [0, 3] dilations = [300000] : (tensor<1x2x2xf32>, tensor<2x2x1xf32>) -> tensor<1x2x5xf32>
func.func @dgrad_last_tap(%dy: tensor<1x2x2xf32>, %w: tensor<2x2x3xf32>) -> tensor<1x2x5xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [7] padding = [600000, 3] dilations = [300000]
      : (tensor<1x2x2xf32>, tensor<2x2x3xf32>) -> tensor<1x2x5xf32>
  return %dx : tensor<1x2x5xf32>
}

// -----

// The filter gradient of the dropped taps is zero: the kept taps' gradient,
// padded back to the kernel size. Channels-last, 2-D: the first dimension
// keeps taps 2..2 of 3, the second keeps all; the high padding of 3 stays.
// CHECK-LABEL: func.func @wgrad_channels_last
// CHECK: %[[DW:.*]] = convgrad.conv_backward_filter %arg0, %arg1 strides = [7, 1] padding = [0, 1, 3, 1] dilations = [300000, 1] layout = channels_last : (tensor<1x5x4x2xf32>, tensor<1x2x4x2xf32>) -> tensor<2x1x3x2xf32>
// CHECK: tensor.pad %[[DW]] low[0, 2, 0, 0] high[0, 0, 0, 0]
// CHECK: tensor<2x1x3x2xf32> to tensor<2x3x3x2xf32>
func.func @wgrad_channels_last(%x: tensor<1x5x4x2xf32>, %dy: tensor<1x2x4x2xf32>) -> tensor<2x3x3x2xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [7, 1] padding = [600000, 1, 3, 1] dilations = [300000, 1] layout = channels_last
      : (tensor<1x5x4x2xf32>, tensor<1x2x4x2xf32>) -> tensor<2x3x3x2xf32>
  return %dw : tensor<2x3x3x2xf32>
}

// -----

// A dropped tap would need negative padding: taps are kept up to the one
// the padding allows (tap 0 reads only padding, but lo = 2 < d = 4 keeps it).
// CHECK-LABEL: func.func @kept_for_padding
// CHECK-NOT: tensor.extract_slice
// CHECK: convgrad.conv %arg0, %arg1 padding = [2, 0] dilations = [4]
func.func @kept_for_padding(%x: tensor<1x1x3xf32>, %w: tensor<1x1x2xf32>) -> tensor<1x1x1xf32> {
  %y = convgrad.conv %x, %w padding = [2, 0] dilations = [4]
      : (tensor<1x1x3xf32>, tensor<1x1x2xf32>) -> tensor<1x1x1xf32>
  return %y : tensor<1x1x1xf32>
}

// -----

// Every tap reaches the input (and a dynamic batch): unchanged.
// CHECK-LABEL: func.func @unchanged
// CHECK-NOT: tensor.extract_slice
// CHECK: convgrad.conv_backward_data %arg0, %arg1 strides = [2, 2] padding = [1, 1, 1, 1]
func.func @unchanged(%dy: tensor<?x8x4x4xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x3x8x8xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1]
      : (tensor<?x8x4x4xf32>, tensor<8x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return %dx : tensor<?x3x8x8xf32>
}

// -----

// conv_transpose is cropped as the data gradient it is: output_padding 2
// fits in the high padding 3 (the dgrad keeps 1), then tap 2 alone reaches
// the output, and the bias is added after the data gradient.
// CHECK-LABEL: func.func @transpose_last_tap
// CHECK: %[[W:.*]] = tensor.extract_slice %arg1[0, 0, 2] [2, 2, 1] [1, 1, 1]
// CHECK: %[[DX:.*]] = convgrad.conv_backward_data %arg0, %[[W]] strides = [7] padding = [0, 1] dilations = [300000] : (tensor<1x2x2xf32>, tensor<2x2x1xf32>) -> tensor<1x2x7xf32>
// CHECK: linalg.generic {{.*}} ins(%arg2 : tensor<2xf32>) outs(%[[DX]] : tensor<1x2x7xf32>)
func.func @transpose_last_tap(%x: tensor<1x2x2xf32>, %w: tensor<2x2x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x7xf32> {
  %y = convgrad.conv_transpose %x, %w, %b output_padding = [2] strides = [7] padding = [600000, 3] dilations = [300000]
      : (tensor<1x2x2xf32>, tensor<2x2x3xf32>, tensor<2xf32>) -> tensor<1x2x7xf32>
  return %y : tensor<1x2x7xf32>
}

// -----

// A conv_transpose whose taps all reach the output stays a conv_transpose.
// CHECK-LABEL: func.func @transpose_unchanged
// CHECK-NEXT: convgrad.conv_transpose %arg0, %arg1 padding = [1, 1]
func.func @transpose_unchanged(%x: tensor<1x2x2xf32>, %w: tensor<2x2x3xf32>) -> tensor<1x2x2xf32> {
  %y = convgrad.conv_transpose %x, %w padding = [1, 1]
      : (tensor<1x2x2xf32>, tensor<2x2x3xf32>) -> tensor<1x2x2xf32>
  return %y : tensor<1x2x2xf32>
}

// -----

// Stride 1000, taps 300000 apart, 600010 of low padding and 5 inputs: no tap
// of any window reaches the input, so every product reads padding. The
// result is the bias, the gradients are zero (the padded input had 602015
// elements: 13 s and 875 MB per kernel when computed).
// CHECK-LABEL: func.func @conv_only_padding
// CHECK-NOT: convgrad.conv
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x3xf32>)
// CHECK: linalg.generic {{.*}} ins(%arg2 : tensor<2xf32>) outs(%[[Z]] : tensor<1x2x3xf32>)
func.func @conv_only_padding(%x: tensor<1x2x5xf32>, %w: tensor<2x2x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x3xf32> {
  %y = convgrad.conv %x, %w, %b strides = [1000] padding = [600010, 2000] dilations = [300000]
      : (tensor<1x2x5xf32>, tensor<2x2x3xf32>, tensor<2xf32>) -> tensor<1x2x3xf32>
  return %y : tensor<1x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @dgrad_only_padding
// CHECK: %[[N:.*]] = tensor.dim %arg0, %c0 : tensor<?x2x3xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x2x5xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x2x5xf32>)
// CHECK-NEXT: return %[[Z]]
func.func @dgrad_only_padding(%dy: tensor<?x2x3xf32>, %w: tensor<2x2x3xf32>) -> tensor<?x2x5xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [1000] padding = [600010, 2000] dilations = [300000]
      : (tensor<?x2x3xf32>, tensor<2x2x3xf32>) -> tensor<?x2x5xf32>
  return %dx : tensor<?x2x5xf32>
}

// -----

// CHECK-LABEL: func.func @wgrad_only_padding
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x2x3xf32>)
// CHECK-NEXT: return %[[Z]]
func.func @wgrad_only_padding(%x: tensor<1x2x5xf32>, %dy: tensor<1x2x3xf32>) -> tensor<2x2x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [1000] padding = [600010, 2000] dilations = [300000]
      : (tensor<1x2x5xf32>, tensor<1x2x3xf32>) -> tensor<2x2x3xf32>
  return %dw : tensor<2x2x3xf32>
}
