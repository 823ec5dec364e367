// RUN: convgrad-opt %s --convgrad-subsample-strided-input --split-input-file | FileCheck %s

// A 1x1 stride-2 filter gradient reads every other row and column of x:
// it reads them through a strided slice, at stride 1.
// CHECK-LABEL: func.func @wgrad_1x1_stride2
// CHECK-SAME:    (%[[X:.*]]: tensor<8x16x56x56xf32>, %[[DY:.*]]: tensor<8x32x28x28xf32>)
// CHECK:         %[[XS:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [8, 16, 28, 28] [1, 1, 2, 2]
// CHECK:         convgrad.conv_backward_filter %[[XS]], %[[DY]] : (tensor<8x16x28x28xf32>, tensor<8x32x28x28xf32>) -> tensor<32x16x1x1xf32>
func.func @wgrad_1x1_stride2(%x: tensor<8x16x56x56xf32>, %dy: tensor<8x32x28x28xf32>) -> tensor<32x16x1x1xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2]
      : (tensor<8x16x56x56xf32>, tensor<8x32x28x28xf32>) -> tensor<32x16x1x1xf32>
  return %dw : tensor<32x16x1x1xf32>
}

// -----

// Padding 1 with stride 3: the windows read rows 2, 5, 8 (offset 2); the
// slice keeps them and the padding becomes 1 low (the window at -1 reads
// padding) and 0 high. Dilation 2 with stride 2 (3x3 kernel): step
// gcd(2, 2) = 2 along W, stride and dilation 1. The dynamic batch stays.
// CHECK-LABEL: func.func @forward_padded
// CHECK-SAME:    (%[[X:.*]]: tensor<?x4x9x10xf32>
// CHECK:         %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK:         %[[XS:.*]] = tensor.extract_slice %[[X]][0, 0, 2, 0] [%[[N]], 4, 3, 5] [1, 1, 3, 2]
// CHECK:         convgrad.conv %[[XS]], %{{.*}} padding = [1, 0, 0, 0] : (tensor<?x4x3x5xf32>, tensor<6x4x1x3xf32>) -> tensor<?x6x4x3xf32>
func.func @forward_padded(%x: tensor<?x4x9x10xf32>, %w: tensor<6x4x1x3xf32>) -> tensor<?x6x4x3xf32> {
  %y = convgrad.conv %x, %w strides = [3, 2] padding = [1, 0, 0, 0] dilations = [1, 2]
      : (tensor<?x4x9x10xf32>, tensor<6x4x1x3xf32>) -> tensor<?x6x4x3xf32>
  return %y : tensor<?x6x4x3xf32>
}

// -----

// Every position is read (3x3 stride 2, dilation 1): no change. Channels-last
// ops have no layout change to save: no change either.
// CHECK-LABEL: func.func @unchanged
// CHECK-NOT:     tensor.extract_slice
// CHECK:         convgrad.conv_backward_filter {{.*}} strides = [2, 2]
// CHECK:         convgrad.conv_backward_filter {{.*}} strides = [2, 2]
func.func @unchanged(%x: tensor<1x4x9x9xf32>, %dy: tensor<1x4x4x4xf32>,
                     %xl: tensor<1x9x9x4xf32>, %dyl: tensor<1x5x5x4xf32>)
    -> (tensor<4x4x3x3xf32>, tensor<4x1x1x4xf32>) {
  %a = convgrad.conv_backward_filter %x, %dy strides = [2, 2]
      : (tensor<1x4x9x9xf32>, tensor<1x4x4x4xf32>) -> tensor<4x4x3x3xf32>
  %b = convgrad.conv_backward_filter %xl, %dyl strides = [2, 2] layout = channels_last
      : (tensor<1x9x9x4xf32>, tensor<1x5x5x4xf32>) -> tensor<4x1x1x4xf32>
  return %a, %b : tensor<4x4x3x3xf32>, tensor<4x1x1x4xf32>
}
