// convgrad.conv -> upstream linalg: which named op is chosen, with which
// strides/dilations, how padding, groups, bias and f16/bf16 are handled.
// RUN: convgrad-opt %s --convgrad-to-linalg -split-input-file -verify-diagnostics | FileCheck %s
// Nothing of the convgrad dialect is left in any successfully lowered case.
// RUN: convgrad-opt %s --convgrad-to-linalg -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=NOCG
// NOCG-NOT: convgrad.

//===----------------------------------------------------------------------===//
// One group: conv_{1,2,3}d in the op's layout
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @conv_1d_ncw
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x10xf32>, %[[W:.*]]: tensor<6x4x3xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x6x8xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<2x6x8xf32>) -> tensor<2x6x8xf32>
// CHECK-NOT: tensor.pad
// CHECK: %[[Y:.*]] = linalg.conv_1d_ncw_fcw {dilations = dense<1> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>} ins(%[[X]], %[[W]] : tensor<2x4x10xf32>, tensor<6x4x3xf32>) outs(%[[INIT]] : tensor<2x6x8xf32>) -> tensor<2x6x8xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @conv_1d_ncw(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) -> tensor<2x6x8xf32> {
  %y = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return %y : tensor<2x6x8xf32>
}

// -----

// Upstream's 1-D channels-last op wants the filter as [K, C, F]: [F, K, C]
// permuted by [1, 2, 0].
// CHECK-LABEL: func.func @conv_1d_nwc
// CHECK-SAME: (%[[X:.*]]: tensor<2x10x4xf32>, %[[W:.*]]: tensor<6x3x4xf32>)
// CHECK: %[[INIT:.*]] = linalg.fill {{.*}} -> tensor<2x8x6xf32>
// CHECK: %[[KCF:.*]] = linalg.transpose ins(%[[W]] : tensor<6x3x4xf32>) outs(%{{.*}} : tensor<3x4x6xf32>) permutation = [1, 2, 0]
// CHECK: linalg.conv_1d_nwc_wcf {dilations = dense<1> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>} ins(%[[X]], %[[KCF]] : tensor<2x10x4xf32>, tensor<3x4x6xf32>) outs(%[[INIT]] : tensor<2x8x6xf32>)
func.func @conv_1d_nwc(%x: tensor<2x10x4xf32>, %w: tensor<6x3x4xf32>) -> tensor<2x8x6xf32> {
  %y = convgrad.conv %x, %w layout = channels_last : (tensor<2x10x4xf32>, tensor<6x3x4xf32>) -> tensor<2x8x6xf32>
  return %y : tensor<2x8x6xf32>
}

// -----

// Padding becomes tensor.pad: lo = [1, 0], hi = [2, 1] -> 9+1+2 = 12, 9+0+1 = 10.
// H: (12 - 3) / 2 + 1 = 5; W: Ke = (3-1)*2+1 = 5, 10 - 5 + 1 = 6. The last
// padded row, (12 - 3) mod 2 = 1, is read by no window: the high padding
// of H drops to 1 (the padded input holds exactly the rows the windows read).
// CHECK-LABEL: func.func @conv_2d_nchw
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x9x9xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[ZERO]] : f32
// CHECK: } : tensor<1x3x9x9xf32> to tensor<1x3x11x10xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<1x4x5x6xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>} ins(%[[P]], %[[W]] : tensor<1x3x11x10xf32>, tensor<4x3x3x3xf32>) outs(%[[INIT]] : tensor<1x4x5x6xf32>) -> tensor<1x4x5x6xf32>
func.func @conv_2d_nchw(%x: tensor<1x3x9x9xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x5x6xf32> {
  %y = convgrad.conv %x, %w strides = [2, 1] padding = [1, 0, 2, 1] dilations = [1, 2]
      : (tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x5x6xf32>
  return %y : tensor<1x4x5x6xf32>
}

// -----

// Channels-last 2-D takes the filter as is; dynamic batch sizes the init.
// CHECK-LABEL: func.func @conv_2d_nhwc
// CHECK-SAME: (%[[X:.*]]: tensor<?x9x9x3xf64>, %[[W:.*]]: tensor<4x3x3x3xf64>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0 : tensor<?x9x9x3xf64>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x7x7x4xf64>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f64) outs(%[[E]] : tensor<?x7x7x4xf64>)
// CHECK-NOT: linalg.transpose
// CHECK: linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[X]], %[[W]] : tensor<?x9x9x3xf64>, tensor<4x3x3x3xf64>) outs(%[[INIT]] : tensor<?x7x7x4xf64>) -> tensor<?x7x7x4xf64>
func.func @conv_2d_nhwc(%x: tensor<?x9x9x3xf64>, %w: tensor<4x3x3x3xf64>) -> tensor<?x7x7x4xf64> {
  %y = convgrad.conv %x, %w layout = channels_last : (tensor<?x9x9x3xf64>, tensor<4x3x3x3xf64>) -> tensor<?x7x7x4xf64>
  return %y : tensor<?x7x7x4xf64>
}

// -----

// CHECK-LABEL: func.func @conv_3d_ncdhw
// CHECK: linalg.conv_3d_ncdhw_fcdhw {dilations = dense<1> : tensor<3xi64>, strides = dense<[1, 2, 1]> : tensor<3xi64>} ins(%arg0, %arg1 : tensor<1x2x4x4x4xf32>, tensor<3x2x2x2x2xf32>) outs(%{{.*}} : tensor<1x3x3x2x3xf32>)
func.func @conv_3d_ncdhw(%x: tensor<1x2x4x4x4xf32>, %w: tensor<3x2x2x2x2xf32>) -> tensor<1x3x3x2x3xf32> {
  %y = convgrad.conv %x, %w strides = [1, 2, 1] : (tensor<1x2x4x4x4xf32>, tensor<3x2x2x2x2xf32>) -> tensor<1x3x3x2x3xf32>
  return %y : tensor<1x3x3x2x3xf32>
}

// -----

// 3-D channels-last: filter [F, D, H, W, C] -> [D, H, W, C, F].
// CHECK-LABEL: func.func @conv_3d_ndhwc
// CHECK: %[[T:.*]] = linalg.transpose ins(%arg1 : tensor<3x2x2x2x2xf32>) outs(%{{.*}} : tensor<2x2x2x2x3xf32>) permutation = [1, 2, 3, 4, 0]
// CHECK: linalg.conv_3d_ndhwc_dhwcf {dilations = dense<1> : tensor<3xi64>, strides = dense<1> : tensor<3xi64>} ins(%arg0, %[[T]] : tensor<1x4x4x4x2xf32>, tensor<2x2x2x2x3xf32>) outs(%{{.*}} : tensor<1x3x3x3x3xf32>)
func.func @conv_3d_ndhwc(%x: tensor<1x4x4x4x2xf32>, %w: tensor<3x2x2x2x2xf32>) -> tensor<1x3x3x3x3xf32> {
  %y = convgrad.conv %x, %w layout = channels_last : (tensor<1x4x4x4x2xf32>, tensor<3x2x2x2x2xf32>) -> tensor<1x3x3x3x3xf32>
  return %y : tensor<1x3x3x3x3xf32>
}

//===----------------------------------------------------------------------===//
// Depthwise (G = C), multiplier 1: depthwise_conv_*
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @dw_1d_ncw
// CHECK: %[[FK:.*]] = tensor.collapse_shape %arg1 {{\[}}[0, 1], [2]] : tensor<3x1x3xf32> into tensor<3x3xf32>
// CHECK: linalg.depthwise_conv_1d_ncw_cw {dilations = dense<1> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>} ins(%arg0, %[[FK]] : tensor<1x3x8xf32>, tensor<3x3xf32>) outs(%{{.*}} : tensor<1x3x6xf32>)
func.func @dw_1d_ncw(%x: tensor<1x3x8xf32>, %w: tensor<3x1x3xf32>) -> tensor<1x3x6xf32> {
  %y = convgrad.conv %x, %w groups = 3 : (tensor<1x3x8xf32>, tensor<3x1x3xf32>) -> tensor<1x3x6xf32>
  return %y : tensor<1x3x6xf32>
}

// -----

// CHECK-LABEL: func.func @dw_2d_nchw
// CHECK: %[[FK:.*]] = tensor.collapse_shape %arg1 {{\[}}[0, 1], [2], [3]] : tensor<3x1x3x3xf32> into tensor<3x3x3xf32>
// CHECK: linalg.depthwise_conv_2d_nchw_chw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%arg0, %[[FK]] : tensor<1x3x8x8xf32>, tensor<3x3x3xf32>) outs(%{{.*}} : tensor<1x3x4x4xf32>)
func.func @dw_2d_nchw(%x: tensor<1x3x8x8xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<1x3x4x4xf32> {
  %y = convgrad.conv %x, %w dilations = [2, 2] groups = 3 : (tensor<1x3x8x8xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @dw_3d_ncdhw
// CHECK: %[[FK:.*]] = tensor.collapse_shape %arg1 {{\[}}[0, 1], [2], [3], [4]] : tensor<3x1x2x2x2xf32> into tensor<3x2x2x2xf32>
// CHECK: linalg.depthwise_conv_3d_ncdhw_cdhw {dilations = dense<1> : tensor<3xi64>, strides = dense<1> : tensor<3xi64>} ins(%arg0, %[[FK]] : tensor<1x3x4x4x4xf32>, tensor<3x2x2x2xf32>) outs(%{{.*}} : tensor<1x3x3x3x3xf32>)
func.func @dw_3d_ncdhw(%x: tensor<1x3x4x4x4xf32>, %w: tensor<3x1x2x2x2xf32>) -> tensor<1x3x3x3x3xf32> {
  %y = convgrad.conv %x, %w groups = 3 : (tensor<1x3x4x4x4xf32>, tensor<3x1x2x2x2xf32>) -> tensor<1x3x3x3x3xf32>
  return %y : tensor<1x3x3x3x3xf32>
}

// -----

// Channels-last: [C, K, 1] -> [C, K] -> [K, C]. The last input column,
// (8 - 3) mod 2 = 1, is read by no window: the input is cropped to 7.
// CHECK-LABEL: func.func @dw_1d_nwc
// CHECK: %[[XS:.*]] = tensor.extract_slice %arg0[0, 0, 0] [1, 7, 3] [1, 1, 1] : tensor<1x8x3xf32> to tensor<1x7x3xf32>
// CHECK: %[[CK:.*]] = tensor.collapse_shape %arg1 {{\[}}[0], [1, 2]] : tensor<3x3x1xf32> into tensor<3x3xf32>
// CHECK: %[[KC:.*]] = linalg.transpose ins(%[[CK]] : tensor<3x3xf32>) outs(%{{.*}} : tensor<3x3xf32>) permutation = [1, 0]
// CHECK: linalg.depthwise_conv_1d_nwc_wc {dilations = dense<1> : tensor<1xi64>, strides = dense<2> : tensor<1xi64>} ins(%[[XS]], %[[KC]] : tensor<1x7x3xf32>, tensor<3x3xf32>) outs(%{{.*}} : tensor<1x3x3xf32>)
func.func @dw_1d_nwc(%x: tensor<1x8x3xf32>, %w: tensor<3x3x1xf32>) -> tensor<1x3x3xf32> {
  %y = convgrad.conv %x, %w strides = [2] groups = 3 layout = channels_last : (tensor<1x8x3xf32>, tensor<3x3x1xf32>) -> tensor<1x3x3xf32>
  return %y : tensor<1x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @dw_2d_nhwc
// CHECK: %[[CK:.*]] = tensor.collapse_shape %arg1 {{\[}}[0], [1], [2, 3]] : tensor<3x3x3x1xf32> into tensor<3x3x3xf32>
// CHECK: %[[KC:.*]] = linalg.transpose ins(%[[CK]] : tensor<3x3x3xf32>) outs(%{{.*}} : tensor<3x3x3xf32>) permutation = [1, 2, 0]
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%arg0, %[[KC]] : tensor<1x8x8x3xf32>, tensor<3x3x3xf32>) outs(%{{.*}} : tensor<1x6x6x3xf32>)
func.func @dw_2d_nhwc(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x1xf32>) -> tensor<1x6x6x3xf32> {
  %y = convgrad.conv %x, %w groups = 3 layout = channels_last : (tensor<1x8x8x3xf32>, tensor<3x3x3x1xf32>) -> tensor<1x6x6x3xf32>
  return %y : tensor<1x6x6x3xf32>
}

// -----

// CHECK-LABEL: func.func @dw_3d_ndhwc
// CHECK: %[[CK:.*]] = tensor.collapse_shape %arg1 {{\[}}[0], [1], [2], [3, 4]] : tensor<3x2x2x2x1xf32> into tensor<3x2x2x2xf32>
// CHECK: %[[KC:.*]] = linalg.transpose ins(%[[CK]] : tensor<3x2x2x2xf32>) outs(%{{.*}} : tensor<2x2x2x3xf32>) permutation = [1, 2, 3, 0]
// CHECK: linalg.depthwise_conv_3d_ndhwc_dhwc {dilations = dense<1> : tensor<3xi64>, strides = dense<1> : tensor<3xi64>} ins(%arg0, %[[KC]] : tensor<1x4x4x4x3xf32>, tensor<2x2x2x3xf32>) outs(%{{.*}} : tensor<1x3x3x3x3xf32>)
func.func @dw_3d_ndhwc(%x: tensor<1x4x4x4x3xf32>, %w: tensor<3x2x2x2x1xf32>) -> tensor<1x3x3x3x3xf32> {
  %y = convgrad.conv %x, %w groups = 3 layout = channels_last : (tensor<1x4x4x4x3xf32>, tensor<3x2x2x2x1xf32>) -> tensor<1x3x3x3x3xf32>
  return %y : tensor<1x3x3x3x3xf32>
}

//===----------------------------------------------------------------------===//
// Depthwise with channel multiplier M = F / C, channels-last: *_wcm family
//===----------------------------------------------------------------------===//

// -----

// [C*M = 6, K, 1] -> [6, K] -> [C = 3, M = 2, K] -> [K, C, M]; the output is
// viewed as [N, O, C, M] and merged back.
// CHECK-LABEL: func.func @dwm_1d_nwc
// CHECK: %[[INIT:.*]] = linalg.fill {{.*}} -> tensor<1x6x6xf32>
// CHECK: %[[FK:.*]] = tensor.collapse_shape %arg1 {{\[}}[0], [1, 2]] : tensor<6x3x1xf32> into tensor<6x3xf32>
// CHECK: %[[CMK:.*]] = tensor.expand_shape %[[FK]] {{\[}}[0, 1], [2]] output_shape [3, 2, 3] : tensor<6x3xf32> into tensor<3x2x3xf32>
// CHECK: %[[KCM:.*]] = linalg.transpose ins(%[[CMK]] : tensor<3x2x3xf32>) outs(%{{.*}} : tensor<3x3x2xf32>) permutation = [2, 0, 1]
// CHECK: %[[INITCM:.*]] = tensor.expand_shape %[[INIT]] {{\[}}[0], [1], [2, 3]] output_shape [1, 6, 3, 2] : tensor<1x6x6xf32> into tensor<1x6x3x2xf32>
// CHECK: %[[Y:.*]] = linalg.depthwise_conv_1d_nwc_wcm {dilations = dense<1> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>} ins(%arg0, %[[KCM]] : tensor<1x8x3xf32>, tensor<3x3x2xf32>) outs(%[[INITCM]] : tensor<1x6x3x2xf32>)
// CHECK: tensor.collapse_shape %[[Y]] {{\[}}[0], [1], [2, 3]] : tensor<1x6x3x2xf32> into tensor<1x6x6xf32>
func.func @dwm_1d_nwc(%x: tensor<1x8x3xf32>, %w: tensor<6x3x1xf32>) -> tensor<1x6x6xf32> {
  %y = convgrad.conv %x, %w groups = 3 layout = channels_last : (tensor<1x8x3xf32>, tensor<6x3x1xf32>) -> tensor<1x6x6xf32>
  return %y : tensor<1x6x6xf32>
}

// -----

// CHECK-LABEL: func.func @dwm_2d_nhwc
// CHECK: %[[KCM:.*]] = linalg.transpose ins(%{{.*}} : tensor<3x2x3x3xf32>) outs(%{{.*}} : tensor<3x3x3x2xf32>) permutation = [2, 3, 0, 1]
// CHECK: %[[INITCM:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1], [2], [3, 4]] output_shape [1, 3, 3, 3, 2] : tensor<1x3x3x6xf32> into tensor<1x3x3x3x2xf32>
// CHECK: %[[Y:.*]] = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%arg0, %[[KCM]] : tensor<1x5x5x3xf32>, tensor<3x3x3x2xf32>) outs(%[[INITCM]] : tensor<1x3x3x3x2xf32>)
// CHECK: tensor.collapse_shape %[[Y]] {{\[}}[0], [1], [2], [3, 4]] : tensor<1x3x3x3x2xf32> into tensor<1x3x3x6xf32>
func.func @dwm_2d_nhwc(%x: tensor<1x5x5x3xf32>, %w: tensor<6x3x3x1xf32>) -> tensor<1x3x3x6xf32> {
  %y = convgrad.conv %x, %w groups = 3 layout = channels_last : (tensor<1x5x5x3xf32>, tensor<6x3x3x1xf32>) -> tensor<1x3x3x6xf32>
  return %y : tensor<1x3x3x6xf32>
}

// -----

// CHECK-LABEL: func.func @dwm_3d_ndhwc
// CHECK: %[[KCM:.*]] = linalg.transpose ins(%{{.*}} : tensor<3x2x2x2x2xf32>) outs(%{{.*}} : tensor<2x2x2x3x2xf32>) permutation = [2, 3, 4, 0, 1]
// CHECK: %[[Y:.*]] = linalg.depthwise_conv_3d_ndhwc_dhwcm {dilations = dense<1> : tensor<3xi64>, strides = dense<1> : tensor<3xi64>} ins(%arg0, %[[KCM]] : tensor<1x4x4x4x3xf32>, tensor<2x2x2x3x2xf32>) outs(%{{.*}} : tensor<1x3x3x3x3x2xf32>)
// CHECK: tensor.collapse_shape %[[Y]] {{\[}}[0], [1], [2], [3], [4, 5]] : tensor<1x3x3x3x3x2xf32> into tensor<1x3x3x3x6xf32>
func.func @dwm_3d_ndhwc(%x: tensor<1x4x4x4x3xf32>, %w: tensor<6x2x2x2x1xf32>) -> tensor<1x3x3x3x6xf32> {
  %y = convgrad.conv %x, %w groups = 3 layout = channels_last : (tensor<1x4x4x4x3xf32>, tensor<6x2x2x2x1xf32>) -> tensor<1x3x3x3x6xf32>
  return %y : tensor<1x3x3x3x6xf32>
}

//===----------------------------------------------------------------------===//
// Grouped 2-D: conv_2d_ngchw_gfchw / conv_2d_nhwgc_gfhwc
//===----------------------------------------------------------------------===//

// -----

// G = 2, C = 4 (Cg = 2), F = 6 (Fg = 3).
// CHECK-LABEL: func.func @grouped_2d_nchw
// CHECK: %[[INIT:.*]] = linalg.fill {{.*}} -> tensor<1x6x3x3xf32>
// CHECK: %[[XG:.*]] = tensor.expand_shape %arg0 {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 5, 5] : tensor<1x4x5x5xf32> into tensor<1x2x2x5x5xf32>
// CHECK: %[[WG:.*]] = tensor.expand_shape %arg1 {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3] : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK: %[[IG:.*]] = tensor.expand_shape %[[INIT]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 3, 3, 3] : tensor<1x6x3x3xf32> into tensor<1x2x3x3x3xf32>
// CHECK: %[[Y:.*]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[XG]], %[[WG]] : tensor<1x2x2x5x5xf32>, tensor<2x3x2x3x3xf32>) outs(%[[IG]] : tensor<1x2x3x3x3xf32>)
// CHECK: tensor.collapse_shape %[[Y]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x3x3xf32> into tensor<1x6x3x3xf32>
func.func @grouped_2d_nchw(%x: tensor<1x4x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32> {
  %y = convgrad.conv %x, %w groups = 2 : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32>
  return %y : tensor<1x6x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @grouped_2d_nhwc
// CHECK: %[[XG:.*]] = tensor.expand_shape %arg0 {{\[}}[0], [1], [2], [3, 4]] output_shape [1, 5, 5, 2, 2] : tensor<1x5x5x4xf32> into tensor<1x5x5x2x2xf32>
// CHECK: %[[WG:.*]] = tensor.expand_shape %arg1 {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 3, 3, 2] : tensor<6x3x3x2xf32> into tensor<2x3x3x3x2xf32>
// CHECK: %[[IG:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1], [2], [3, 4]] output_shape [1, 3, 3, 2, 3] : tensor<1x3x3x6xf32> into tensor<1x3x3x2x3xf32>
// CHECK: %[[Y:.*]] = linalg.conv_2d_nhwgc_gfhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[XG]], %[[WG]] : tensor<1x5x5x2x2xf32>, tensor<2x3x3x3x2xf32>) outs(%[[IG]] : tensor<1x3x3x2x3xf32>)
// CHECK: tensor.collapse_shape %[[Y]] {{\[}}[0], [1], [2], [3, 4]] : tensor<1x3x3x2x3xf32> into tensor<1x3x3x6xf32>
func.func @grouped_2d_nhwc(%x: tensor<1x5x5x4xf32>, %w: tensor<6x3x3x2xf32>) -> tensor<1x3x3x6xf32> {
  %y = convgrad.conv %x, %w groups = 2 layout = channels_last : (tensor<1x5x5x4xf32>, tensor<6x3x3x2xf32>) -> tensor<1x3x3x6xf32>
  return %y : tensor<1x3x3x6xf32>
}

// -----

// Channels-first depthwise with a multiplier has no depthwise named op, but in
// 2-D the grouped one applies (Cg = 1).
// CHECK-LABEL: func.func @dwm_2d_nchw
// CHECK-NOT: linalg.generic
// CHECK: linalg.conv_2d_ngchw_gfchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x3x1x5x5xf32>, tensor<3x2x1x3x3xf32>) outs(%{{.*}} : tensor<1x3x2x3x3xf32>)
func.func @dwm_2d_nchw(%x: tensor<1x3x5x5xf32>, %w: tensor<6x1x3x3xf32>) -> tensor<1x6x3x3xf32> {
  %y = convgrad.conv %x, %w groups = 3 : (tensor<1x3x5x5xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x3x3xf32>
  return %y : tensor<1x6x3x3xf32>
}

// -----

// Grouped with a dynamic channel count: the group split divides at run time.
// CHECK-LABEL: func.func @grouped_2d_dynamic_channels
// CHECK-SAME: (%[[X:.*]]: tensor<1x?x5x5xf32>
// CHECK-DAG: %[[C:.*]] = tensor.dim %[[X]], %c1
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK: %[[CG:.*]] = arith.divui %[[C]], %[[C2]] : index
// CHECK: tensor.expand_shape %[[X]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, %[[CG]], 5, 5] : tensor<1x?x5x5xf32> into tensor<1x2x?x5x5xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw
func.func @grouped_2d_dynamic_channels(%x: tensor<1x?x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32> {
  %y = convgrad.conv %x, %w groups = 2 : (tensor<1x?x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32>
  return %y : tensor<1x6x3x3xf32>
}

//===----------------------------------------------------------------------===//
// linalg.generic fallback: grouped 1-D / 3-D, channels-first depthwise with
// a multiplier outside 2-D. Loops (n, g, fg, o... | cg, k...).
//===----------------------------------------------------------------------===//

// -----

// 1-D channels-first, s = 2, d = 3: input [N, G, Cg, W] read at o*2 + k*3.
// W: Ke = (2-1)*3+1 = 4, (10 - 4) / 2 + 1 = 4.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3 * 2 + d5 * 3)>
// CHECK-DAG: #[[FI:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d4, d5)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @grouped_1d_generic
// CHECK: %[[XG:.*]] = tensor.expand_shape %arg0 {{\[}}[0], [1, 2], [3]] output_shape [1, 2, 2, 10] : tensor<1x4x10xf32> into tensor<1x2x2x10xf32>
// CHECK: %[[WG:.*]] = tensor.expand_shape %arg1 {{\[}}[0, 1], [2], [3]] output_shape [2, 3, 2, 2] : tensor<6x2x2xf32> into tensor<2x3x2x2xf32>
// CHECK: %[[IG:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3]] output_shape [1, 2, 3, 4] : tensor<1x6x4xf32> into tensor<1x2x3x4xf32>
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[FI]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[XG]], %[[WG]] : tensor<1x2x2x10xf32>, tensor<2x3x2x2xf32>) outs(%[[IG]] : tensor<1x2x3x4xf32>)
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[M:.*]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK: %[[S:.*]] = arith.addf %[[ACC]], %[[M]] : f32
// CHECK: linalg.yield %[[S]] : f32
// CHECK: tensor.collapse_shape %[[Y]] {{\[}}[0], [1, 2], [3]] : tensor<1x2x3x4xf32> into tensor<1x6x4xf32>
func.func @grouped_1d_generic(%x: tensor<1x4x10xf32>, %w: tensor<6x2x2xf32>) -> tensor<1x6x4xf32> {
  %y = convgrad.conv %x, %w strides = [2] dilations = [3] groups = 2 : (tensor<1x4x10xf32>, tensor<6x2x2xf32>) -> tensor<1x6x4xf32>
  return %y : tensor<1x6x4xf32>
}

// -----

// 3-D channels-last: input [N, D, H, W, G, Cg], filter [G, Fg, KD, KH, KW, Cg],
// output [N, D, H, W, G, Fg].
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d3 + d7, d4 + d8, d5 + d9, d1, d6)>
// CHECK-DAG: #[[FI:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d1, d2, d7, d8, d9, d6)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d3, d4, d5, d1, d2)>
// CHECK-LABEL: func.func @grouped_3d_cl_generic
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[FI]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<1x4x4x4x2x2xf32>, tensor<2x2x2x2x2x2xf32>) outs(%{{.*}} : tensor<1x3x3x3x2x2xf32>)
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2], [3], [4, 5]] : tensor<1x3x3x3x2x2xf32> into tensor<1x3x3x3x4xf32>
func.func @grouped_3d_cl_generic(%x: tensor<1x4x4x4x4xf32>, %w: tensor<4x2x2x2x2xf32>) -> tensor<1x3x3x3x4xf32> {
  %y = convgrad.conv %x, %w groups = 2 layout = channels_last : (tensor<1x4x4x4x4xf32>, tensor<4x2x2x2x2xf32>) -> tensor<1x3x3x3x4xf32>
  return %y : tensor<1x3x3x3x4xf32>
}

// -----

// 1-D channels-first depthwise with multiplier 2: the grouped generic with Cg = 1.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3 + d5)>
// CHECK-DAG: #[[FI:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d4, d5)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @dwm_1d_ncw_generic
// CHECK-NOT: linalg.depthwise
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[FI]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<1x3x1x8xf32>, tensor<3x2x1x3xf32>) outs(%{{.*}} : tensor<1x3x2x6xf32>)
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2], [3]] : tensor<1x3x2x6xf32> into tensor<1x6x6xf32>
func.func @dwm_1d_ncw_generic(%x: tensor<1x3x8xf32>, %w: tensor<6x1x3xf32>) -> tensor<1x6x6xf32> {
  %y = convgrad.conv %x, %w groups = 3 : (tensor<1x3x8xf32>, tensor<6x1x3xf32>) -> tensor<1x6x6xf32>
  return %y : tensor<1x6x6xf32>
}

//===----------------------------------------------------------------------===//
// Bias and element types
//===----------------------------------------------------------------------===//

// -----

// The bias, broadcast along the channel dimension, initializes the accumulator
// (no fill); dynamic batch.
// CHECK-DAG: #[[BC:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @bias
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x5x5xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NOT: linalg.fill
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x4x3x3xf32>
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[BC]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[B]] : tensor<4xf32>) outs(%[[E]] : tensor<?x4x3x3xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: linalg.yield %[[IN]] : f32
// CHECK-NOT: linalg.fill
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%[[X]], %[[W]] : tensor<?x3x5x5xf32>, tensor<4x3x3x3xf32>) outs(%[[INIT]] : tensor<?x4x3x3xf32>)
func.func @bias(%x: tensor<?x3x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<?x4x3x3xf32> {
  %y = convgrad.conv %x, %w, %b : (tensor<?x3x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x3x3xf32>
  return %y : tensor<?x4x3x3xf32>
}

// -----

// f16 with bias, channels-last: the bias is extended into an f32 accumulator,
// the named op accumulates in f32 (outs f32), and one truncf generic rounds.
// CHECK-DAG: #[[BC:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @f16_bias
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x3x3x4xf32>
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[BC]], #[[ID]]], {{.*}} ins(%arg2 : tensor<4xf16>) outs(%[[E]] : tensor<1x3x3x4xf32>)
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: %[[ACC:.*]] = linalg.conv_2d_nhwc_fhwc {{.*}} ins(%arg0, %arg1 : tensor<1x5x5x3xf16>, tensor<4x3x3x3xf16>) outs(%[[INIT]] : tensor<1x3x3x4xf32>) -> tensor<1x3x3x4xf32>
// CHECK: %[[E16:.*]] = tensor.empty() : tensor<1x3x3x4xf16>
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], {{.*}} ins(%[[ACC]] : tensor<1x3x3x4xf32>) outs(%[[E16]] : tensor<1x3x3x4xf16>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK-NOT: arith.truncf
// CHECK: return %[[Y]] : tensor<1x3x3x4xf16>
func.func @f16_bias(%x: tensor<1x5x5x3xf16>, %w: tensor<4x3x3x3xf16>, %b: tensor<4xf16>) -> tensor<1x3x3x4xf16> {
  %y = convgrad.conv %x, %w, %b layout = channels_last : (tensor<1x5x5x3xf16>, tensor<4x3x3x3xf16>, tensor<4xf16>) -> tensor<1x3x3x4xf16>
  return %y : tensor<1x3x3x4xf16>
}

// -----

// bf16 through the generic fallback: extf of both operands in the body, f32
// accumulator, one truncf after the collapse.
// CHECK-LABEL: func.func @bf16_grouped_generic
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<1x6x8xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x2x10xbf16>, tensor<2x3x2x3xbf16>) outs(%{{.*}} : tensor<1x2x3x8xf32>)
// CHECK: ^bb0(%[[A:.*]]: bf16, %[[B:.*]]: bf16, %[[ACC:.*]]: f32):
// CHECK: %[[AE:.*]] = arith.extf %[[A]] : bf16 to f32
// CHECK: %[[BE:.*]] = arith.extf %[[B]] : bf16 to f32
// CHECK: %[[M:.*]] = arith.mulf %[[AE]], %[[BE]] : f32
// CHECK: arith.addf %[[ACC]], %[[M]] : f32
// CHECK: %[[C:.*]] = tensor.collapse_shape %{{.*}} : tensor<1x2x3x8xf32> into tensor<1x6x8xf32>
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<1x6x8xf32>) outs(%{{.*}} : tensor<1x6x8xbf16>)
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK-NOT: arith.truncf
func.func @bf16_grouped_generic(%x: tensor<1x4x10xbf16>, %w: tensor<6x2x3xbf16>) -> tensor<1x6x8xbf16> {
  %y = convgrad.conv %x, %w groups = 2 : (tensor<1x4x10xbf16>, tensor<6x2x3xbf16>) -> tensor<1x6x8xbf16>
  return %y : tensor<1x6x8xbf16>
}

// -----

// bf16 named op (no bias): f32 fill, outs f32, one truncf.
// CHECK-LABEL: func.func @bf16_named
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x6x8xf32>)
// CHECK: %[[ACC:.*]] = linalg.conv_1d_ncw_fcw {{.*}} ins(%arg0, %arg1 : tensor<2x4x10xbf16>, tensor<6x4x3xbf16>) outs(%{{.*}} : tensor<2x6x8xf32>) -> tensor<2x6x8xf32>
// CHECK: linalg.generic {{.*}} ins(%[[ACC]] : tensor<2x6x8xf32>) outs(%{{.*}} : tensor<2x6x8xbf16>)
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @bf16_named(%x: tensor<2x4x10xbf16>, %w: tensor<6x4x3xbf16>) -> tensor<2x6x8xbf16> {
  %y = convgrad.conv %x, %w : (tensor<2x4x10xbf16>, tensor<6x4x3xbf16>) -> tensor<2x6x8xbf16>
  return %y : tensor<2x6x8xbf16>
}

// -----

// f64 stays f64: no conversion generic.
// CHECK-LABEL: func.func @f64_no_conversion
// CHECK: %[[Y:.*]] = linalg.conv_1d_ncw_fcw {{.*}} outs(%{{.*}} : tensor<2x6x8xf64>) -> tensor<2x6x8xf64>
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @f64_no_conversion(%x: tensor<2x4x10xf64>, %w: tensor<6x4x3xf64>) -> tensor<2x6x8xf64> {
  %y = convgrad.conv %x, %w : (tensor<2x4x10xf64>, tensor<6x4x3xf64>) -> tensor<2x6x8xf64>
  return %y : tensor<2x6x8xf64>
}

//===----------------------------------------------------------------------===//
// What cannot be lowered
//===----------------------------------------------------------------------===//

// -----

func.func @grouped_dynamic_filters(%x: tensor<1x4x5x5xf32>, %w: tensor<?x2x3x3xf32>) -> tensor<1x?x3x3xf32> {
  // expected-error @+1 {{'convgrad.conv' op could not be lowered to linalg: a grouped convolution needs a static number of filters}}
  %y = convgrad.conv %x, %w groups = 2 : (tensor<1x4x5x5xf32>, tensor<?x2x3x3xf32>) -> tensor<1x?x3x3xf32>
  return %y : tensor<1x?x3x3xf32>
}

// -----

// An ungrouped convolution with an unknown number of filters is fine: the
// output channel count comes from the filter.
// CHECK-LABEL: func.func @ungrouped_dynamic_filters
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x5x5xf32>, %[[W:.*]]: tensor<?x4x3x3xf32>)
// CHECK: %[[F:.*]] = tensor.dim %[[W]], %c0
// CHECK: tensor.empty(%[[F]]) : tensor<1x?x3x3xf32>
// CHECK: linalg.conv_2d_nchw_fchw
func.func @ungrouped_dynamic_filters(%x: tensor<1x4x5x5xf32>, %w: tensor<?x4x3x3xf32>) -> tensor<1x?x3x3xf32> {
  %y = convgrad.conv %x, %w : (tensor<1x4x5x5xf32>, tensor<?x4x3x3xf32>) -> tensor<1x?x3x3xf32>
  return %y : tensor<1x?x3x3xf32>
}

// -----

// Channels-last, one output and M = 2 input channels per group: input
// [N, H, W, G*M] -> [N, H, W, M, G], filter [G, KH, KW, M] -> [KH, KW, M, G],
// and an scf.for over M accumulates depthwise convolutions of the slices.
// CHECK-LABEL: func.func @depthwise_sum_2d_nhwc
// CHECK: %[[XS:.*]] = tensor.expand_shape %arg0 {{\[}}[0], [1], [2], [3, 4]] {{.*}} : tensor<1x5x5x8xf32> into tensor<1x5x5x4x2xf32>
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[XS]] : tensor<1x5x5x4x2xf32>) outs(%{{.*}} : tensor<1x5x5x2x4xf32>) permutation = [0, 1, 2, 4, 3]
// CHECK: %[[WT:.*]] = linalg.transpose ins(%arg1 : tensor<4x3x3x2xf32>) outs(%{{.*}} : tensor<3x3x2x4xf32>) permutation = [1, 2, 3, 0]
// CHECK: scf.for %[[M:.*]] = %c0 to %c2 step %c1 iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<1x3x3x4xf32>)
// CHECK:   %[[X:.*]] = tensor.extract_slice %[[XT]][0, 0, 0, %[[M]], 0] [1, 5, 5, 1, 4] [1, 1, 1, 1, 1] : tensor<1x5x5x2x4xf32> to tensor<1x5x5x4xf32>
// CHECK:   %[[W:.*]] = tensor.extract_slice %[[WT]][0, 0, %[[M]], 0] [3, 3, 1, 4] [1, 1, 1, 1] : tensor<3x3x2x4xf32> to tensor<3x3x4xf32>
// CHECK:   linalg.depthwise_conv_2d_nhwc_hwc {{.*}} ins(%[[X]], %[[W]] : tensor<1x5x5x4xf32>, tensor<3x3x4xf32>) outs(%[[ACC]] : tensor<1x3x3x4xf32>)
func.func @depthwise_sum_2d_nhwc(%x: tensor<1x5x5x8xf32>, %w: tensor<4x3x3x2xf32>) -> tensor<1x3x3x4xf32> {
  %y = convgrad.conv %x, %w groups = 4 layout = channels_last : (tensor<1x5x5x8xf32>, tensor<4x3x3x2xf32>) -> tensor<1x3x3x4xf32>
  return %y : tensor<1x3x3x4xf32>
}
