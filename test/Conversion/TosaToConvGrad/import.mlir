// RUN: convgrad-opt %s --convgrad-import-tosa --split-input-file | FileCheck %s

// conv2d: TOSA's weight is the channels-last filter; pad [top, bottom, left,
// right] becomes padding [top, left, bottom, right]; the zero points go.
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<?x9x11x3xf32>, %[[W:.*]]: tensor<5x3x2x3xf32>, %[[B:.*]]: tensor<5xf32>)
// CHECK: %[[Y:.*]] = convgrad.conv %[[X]], %[[W]], %[[B]] strides = [2, 2] padding = [2, 1, 0, 1] dilations = [1, 2] layout = channels_last
// CHECK-SAME: -> tensor<?x5x6x5xf32>
// CHECK: return %[[Y]]
func.func @conv2d(%x: tensor<?x9x11x3xf32>, %w: tensor<5x3x2x3xf32>, %b: tensor<5xf32>) -> tensor<?x5x6x5xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 2>, pad = array<i64: 2, 0, 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x9x11x3xf32>, tensor<5x3x2x3xf32>, tensor<5xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x5x6x5xf32>
  return %0 : tensor<?x5x6x5xf32>
}

// -----

// One bias value for every channel is splat to the channel count.
// CHECK-LABEL: func.func @conv2d_scalar_bias
// CHECK: %[[V:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<1xf16>
// CHECK: %[[B:.*]] = tensor.splat %[[V]] : tensor<8xf16>
// CHECK: convgrad.conv %{{.*}}, %{{.*}}, %[[B]] layout = channels_last : (tensor<1x6x6x4xf16>, tensor<8x3x3x4xf16>, tensor<8xf16>) -> tensor<1x4x4x8xf16>
func.func @conv2d_scalar_bias(%x: tensor<1x6x6x4xf16>, %w: tensor<8x3x3x4xf16>, %b: tensor<1xf16>) -> tensor<1x4x4x8xf16> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf16>}> : () -> tensor<1xf16>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x6x6x4xf16>, tensor<8x3x3x4xf16>, tensor<1xf16>, tensor<1xf16>, tensor<1xf16>) -> tensor<1x4x4x8xf16>
  return %0 : tensor<1x4x4x8xf16>
}

// -----

// conv3d: pad [front, back, top, bottom, left, right].
// CHECK-LABEL: func.func @conv3d
// CHECK: convgrad.conv %{{.*}}, %{{.*}}, %{{.*}} strides = [1, 2, 2] padding = [1, 0, 1, 0, 0, 1] layout = channels_last
func.func @conv3d(%x: tensor<1x5x6x7x2xf32>, %w: tensor<3x3x2x3x2xf32>, %b: tensor<3xf32>) -> tensor<1x4x3x4x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.conv3d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1, 1>, pad = array<i64: 1, 0, 0, 0, 1, 1>, stride = array<i64: 1, 2, 2>} : (tensor<1x5x6x7x2xf32>, tensor<3x3x2x3x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x3x4x3xf32>
  return %0 : tensor<1x4x3x4x3xf32>
}

// -----

// depthwise: [KH, KW, C, M] -> [C, M, KH, KW] -> [C*M, KH, KW, 1], groups = C.
// CHECK-LABEL: func.func @depthwise
// CHECK: %[[T:.*]] = linalg.transpose ins(%{{.*}} : tensor<3x3x3x2xf32>) outs(%{{.*}} : tensor<3x2x3x3xf32>) permutation = [2, 3, 0, 1]
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[T]] {{\[}}[0, 1], [2], [3]] : tensor<3x2x3x3xf32> into tensor<6x3x3xf32>
// CHECK: %[[F:.*]] = tensor.expand_shape %[[C]] {{\[}}[0], [1], [2, 3]] output_shape [6, 3, 3, 1]
// CHECK: convgrad.conv %{{.*}}, %[[F]], %{{.*}} strides = [2, 2] padding = [1, 1, 1, 0] dilations = [2, 1] groups = 3 layout = channels_last : (tensor<2x9x8x3xf32>, tensor<6x3x3x1xf32>, tensor<6xf32>) -> tensor<2x4x4x6xf32>
func.func @depthwise(%x: tensor<2x9x8x3xf32>, %w: tensor<3x3x3x2xf32>, %b: tensor<6xf32>) -> tensor<2x4x4x6xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 2, 1>, pad = array<i64: 1, 1, 1, 0>, stride = array<i64: 2, 2>} : (tensor<2x9x8x3xf32>, tensor<3x3x3x2xf32>, tensor<6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x4x4x6xf32>
  return %0 : tensor<2x4x4x6xf32>
}

// -----

// transpose_conv2d: the data gradient with the weight's channels swapped;
// negative out_pad is its padding (a crop), positive out_pad zero rows
// around it; the bias is added last, everywhere.
// CHECK-LABEL: func.func @transpose_conv
// CHECK: %[[F:.*]] = linalg.transpose ins(%{{.*}} : tensor<3x3x2x2xf32>) outs(%{{.*}} : tensor<2x3x2x3xf32>) permutation = [3, 1, 2, 0]
// CHECK: %[[DX:.*]] = convgrad.conv_backward_data %{{.*}}, %[[F]] strides = [2, 1] padding = [0, 0, 0, 1] layout = channels_last : (tensor<1x3x4x2xf32>, tensor<2x3x2x3xf32>) -> tensor<1x7x4x3xf32>
// CHECK: %[[P:.*]] = tensor.pad %[[DX]] low[0, 2, 0, 0] high[0, 0, 0, 0]
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<3xf32>) outs(%[[P]] : tensor<1x9x4x3xf32>)
// CHECK: arith.addf
func.func @transpose_conv(%x: tensor<1x3x4x2xf32>, %w: tensor<3x3x2x2xf32>, %b: tensor<3xf32>) -> tensor<1x9x4x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 2, 0, 0, -1>, stride = array<i64: 2, 1>} : (tensor<1x3x4x2xf32>, tensor<3x3x2x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x9x4x3xf32>
  return %0 : tensor<1x9x4x3xf32>
}

// -----

// transpose_conv2d that convgrad.conv_transpose states: top/left out_pad <= 0
// (padding, a crop), bottom/right out_pad < stride (positive: output_padding,
// negative: padding); the weight [OC, KH, KW, IC] becomes [IC, KH, KW, OC],
// the bias stays on the op.
// CHECK-LABEL: func.func @transpose_conv_exact
// CHECK: %[[F:.*]] = linalg.transpose ins(%{{.*}} : tensor<3x3x3x2xf32>) outs(%{{.*}} : tensor<2x3x3x3xf32>) permutation = [3, 1, 2, 0]
// CHECK-NEXT: %[[Y:.*]] = convgrad.conv_transpose %arg0, %[[F]], %arg2 output_padding = [1, 0] strides = [2, 2] padding = [0, 1, 0, 1] layout = channels_last : (tensor<1x3x3x2xf32>, tensor<2x3x3x3xf32>, tensor<3xf32>) -> tensor<1x8x5x3xf32>
// CHECK-NEXT: return %[[Y]]
func.func @transpose_conv_exact(%x: tensor<1x3x3x2xf32>, %w: tensor<3x3x3x2xf32>, %b: tensor<3xf32>) -> tensor<1x8x5x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 1, -1, -1>, stride = array<i64: 2, 2>} : (tensor<1x3x3x2xf32>, tensor<3x3x3x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x5x3xf32>
  return %0 : tensor<1x8x5x3xf32>
}

// -----

// A bottom out_pad of a whole stride (no output_padding can state it) keeps
// the data-gradient form.
// CHECK-LABEL: func.func @transpose_conv_out_pad_stride
// CHECK-NOT: convgrad.conv_transpose
// CHECK: convgrad.conv_backward_data
// CHECK: tensor.pad
func.func @transpose_conv_out_pad_stride(%x: tensor<1x3x3x2xf32>, %w: tensor<3x3x3x2xf32>, %b: tensor<3xf32>) -> tensor<1x7x9x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 0, 0, 2>, stride = array<i64: 2, 2>} : (tensor<1x3x3x2xf32>, tensor<3x3x3x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x7x9x3xf32>
  return %0 : tensor<1x7x9x3xf32>
}
