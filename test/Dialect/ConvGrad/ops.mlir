// Round trip of every convgrad op, custom form and generic form.
// RUN: convgrad-opt %s | convgrad-opt | FileCheck %s
// RUN: convgrad-opt %s --mlir-print-op-generic | convgrad-opt | FileCheck %s
// Defaults are elided when printed, even when the input spells them out.
// RUN: convgrad-opt %s | FileCheck %s --check-prefix=NODEFAULT
// RUN: convgrad-opt %s --mlir-print-op-generic | convgrad-opt | FileCheck %s --check-prefix=NODEFAULT
// NODEFAULT-NOT: channels_first
// NODEFAULT-NOT: groups = 1{{[^0-9]}}
// NODEFAULT-NOT: #convgrad.layout

//===----------------------------------------------------------------------===//
// R = 1
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @conv1d_cf_f32
// CHECK: %[[Y:.*]] = convgrad.conv %arg0, %arg1 : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
// CHECK: return %[[Y]]
func.func @conv1d_cf_f32(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) -> tensor<2x6x8xf32> {
  %y = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return %y : tensor<2x6x8xf32>
}

// Every attribute, bias, dynamic batch. W: Ke = 5, (11 + 1 + 2 - 5) / 2 = 4 -> O = 5.
// CHECK-LABEL: func.func @conv1d_cl_bf16_all
// CHECK: convgrad.conv %arg0, %arg1, %arg2 strides = [2] padding = [1, 2] dilations = [2] groups = 2 layout = channels_last : (tensor<?x11x4xbf16>, tensor<6x3x2xbf16>, tensor<6xbf16>) -> tensor<?x5x6xbf16>
func.func @conv1d_cl_bf16_all(%x: tensor<?x11x4xbf16>, %w: tensor<6x3x2xbf16>, %b: tensor<6xbf16>) -> tensor<?x5x6xbf16> {
  %y = convgrad.conv %x, %w, %b strides = [2] padding = [1, 2] dilations = [2] groups = 2 layout = channels_last
      : (tensor<?x11x4xbf16>, tensor<6x3x2xbf16>, tensor<6xbf16>) -> tensor<?x5x6xbf16>
  return %y : tensor<?x5x6xbf16>
}

// CHECK-LABEL: func.func @dgrad1d_cf_f16_all
// CHECK: convgrad.conv_backward_data %arg0, %arg1 strides = [2] padding = [1, 2] dilations = [2] groups = 2 : (tensor<?x6x5xf16>, tensor<6x2x3xf16>) -> tensor<?x4x11xf16>
func.func @dgrad1d_cf_f16_all(%dy: tensor<?x6x5xf16>, %w: tensor<6x2x3xf16>) -> tensor<?x4x11xf16> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2] padding = [1, 2] dilations = [2] groups = 2
      : (tensor<?x6x5xf16>, tensor<6x2x3xf16>) -> tensor<?x4x11xf16>
  return %dx : tensor<?x4x11xf16>
}

// CHECK-LABEL: func.func @wgrad1d_cl_f64_all
// CHECK: convgrad.conv_backward_filter %arg0, %arg1 strides = [2] padding = [1, 2] dilations = [2] groups = 2 layout = channels_last : (tensor<?x11x4xf64>, tensor<?x5x6xf64>) -> tensor<6x3x2xf64>
func.func @wgrad1d_cl_f64_all(%x: tensor<?x11x4xf64>, %dy: tensor<?x5x6xf64>) -> tensor<6x3x2xf64> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2] padding = [1, 2] dilations = [2] groups = 2 layout = channels_last
      : (tensor<?x11x4xf64>, tensor<?x5x6xf64>) -> tensor<6x3x2xf64>
  return %dw : tensor<6x3x2xf64>
}

// CHECK-LABEL: func.func @bgrad1d
// CHECK: convgrad.conv_backward_bias %arg0 layout = channels_last : (tensor<?x5x6xf16>) -> tensor<6xf16>
// CHECK: convgrad.conv_backward_bias %arg1 : (tensor<2x6x8xbf16>) -> tensor<6xbf16>
func.func @bgrad1d(%a: tensor<?x5x6xf16>, %b: tensor<2x6x8xbf16>) -> (tensor<6xf16>, tensor<6xbf16>) {
  %0 = convgrad.conv_backward_bias %a layout = channels_last : (tensor<?x5x6xf16>) -> tensor<6xf16>
  %1 = convgrad.conv_backward_bias %b : (tensor<2x6x8xbf16>) -> tensor<6xbf16>
  return %0, %1 : tensor<6xf16>, tensor<6xbf16>
}

//===----------------------------------------------------------------------===//
// R = 2
//===----------------------------------------------------------------------===//

// H, W: (7 + 1 + 1 - 3) / 2 = 3 -> 4.
// CHECK-LABEL: func.func @conv2d_cf_f16_grouped_bias
// CHECK: convgrad.conv %arg0, %arg1, %arg2 strides = [2, 2] padding = [1, 1, 1, 1] groups = 2 : (tensor<?x4x7x7xf16>, tensor<8x2x3x3xf16>, tensor<8xf16>) -> tensor<?x8x4x4xf16>
func.func @conv2d_cf_f16_grouped_bias(%x: tensor<?x4x7x7xf16>, %w: tensor<8x2x3x3xf16>, %b: tensor<8xf16>) -> tensor<?x8x4x4xf16> {
  %y = convgrad.conv %x, %w, %b strides = [2, 2] padding = [1, 1, 1, 1] groups = 2
      : (tensor<?x4x7x7xf16>, tensor<8x2x3x3xf16>, tensor<8xf16>) -> tensor<?x8x4x4xf16>
  return %y : tensor<?x8x4x4xf16>
}

// H: Ke = 5, (9 + 1 + 2 - 5) / 2 = 3 -> 4; W: Ke = 4, (8 + 0 + 1 - 4) / 1 = 5 -> 6.
// CHECK-LABEL: func.func @conv2d_cl_f64_all
// CHECK: convgrad.conv %arg0, %arg1 strides = [2, 1] padding = [1, 0, 2, 1] dilations = [2, 3] groups = 2 layout = channels_last : (tensor<?x9x8x6xf64>, tensor<4x3x2x3xf64>) -> tensor<?x4x6x4xf64>
func.func @conv2d_cl_f64_all(%x: tensor<?x9x8x6xf64>, %w: tensor<4x3x2x3xf64>) -> tensor<?x4x6x4xf64> {
  %y = convgrad.conv %x, %w strides = [2, 1] padding = [1, 0, 2, 1] dilations = [2, 3] groups = 2 layout = channels_last
      : (tensor<?x9x8x6xf64>, tensor<4x3x2x3xf64>) -> tensor<?x4x6x4xf64>
  return %y : tensor<?x4x6x4xf64>
}

// CHECK-LABEL: func.func @dgrad2d_cl_bf16_all
// CHECK: convgrad.conv_backward_data %arg0, %arg1 strides = [2, 1] padding = [1, 0, 2, 1] dilations = [2, 3] groups = 2 layout = channels_last : (tensor<?x4x6x4xbf16>, tensor<4x3x2x3xbf16>) -> tensor<?x9x8x6xbf16>
func.func @dgrad2d_cl_bf16_all(%dy: tensor<?x4x6x4xbf16>, %w: tensor<4x3x2x3xbf16>) -> tensor<?x9x8x6xbf16> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 1] padding = [1, 0, 2, 1] dilations = [2, 3] groups = 2 layout = channels_last
      : (tensor<?x4x6x4xbf16>, tensor<4x3x2x3xbf16>) -> tensor<?x9x8x6xbf16>
  return %dx : tensor<?x9x8x6xbf16>
}

// CHECK-LABEL: func.func @wgrad2d_cf_f32
// CHECK: convgrad.conv_backward_filter %arg0, %arg1 strides = [2, 2] padding = [1, 1, 1, 1] groups = 2 : (tensor<?x4x7x7xf32>, tensor<?x8x4x4xf32>) -> tensor<8x2x3x3xf32>
func.func @wgrad2d_cf_f32(%x: tensor<?x4x7x7xf32>, %dy: tensor<?x8x4x4xf32>) -> tensor<8x2x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 1, 1] groups = 2
      : (tensor<?x4x7x7xf32>, tensor<?x8x4x4xf32>) -> tensor<8x2x3x3xf32>
  return %dw : tensor<8x2x3x3xf32>
}

// CHECK-LABEL: func.func @bgrad2d_f64
// CHECK: convgrad.conv_backward_bias %arg0 : (tensor<?x8x4x4xf64>) -> tensor<8xf64>
func.func @bgrad2d_f64(%dy: tensor<?x8x4x4xf64>) -> tensor<8xf64> {
  %db = convgrad.conv_backward_bias %dy : (tensor<?x8x4x4xf64>) -> tensor<8xf64>
  return %db : tensor<8xf64>
}

//===----------------------------------------------------------------------===//
// R = 3
//===----------------------------------------------------------------------===//

// Depthwise (groups = C = 4, multiplier 2). D: (5 + 1 - 3) / 1 = 3 -> 4;
// H: (6 + 1 - 3) / 2 = 2 -> 3; W: (7 + 1 - 3) / 3 = 1 -> 2.
// CHECK-LABEL: func.func @conv3d_cl_f32_depthwise
// CHECK: convgrad.conv %arg0, %arg1, %arg2 strides = [1, 2, 3] padding = [1, 1, 1, 0, 0, 0] dilations = [1, 1, 1] groups = 4 layout = channels_last : (tensor<?x5x6x7x4xf32>, tensor<8x3x3x3x1xf32>, tensor<8xf32>) -> tensor<?x4x3x2x8xf32>
func.func @conv3d_cl_f32_depthwise(%x: tensor<?x5x6x7x4xf32>, %w: tensor<8x3x3x3x1xf32>, %b: tensor<8xf32>) -> tensor<?x4x3x2x8xf32> {
  %y = convgrad.conv %x, %w, %b strides = [1, 2, 3] padding = [1, 1, 1, 0, 0, 0] dilations = [1, 1, 1] groups = 4 layout = channels_last
      : (tensor<?x5x6x7x4xf32>, tensor<8x3x3x3x1xf32>, tensor<8xf32>) -> tensor<?x4x3x2x8xf32>
  return %y : tensor<?x4x3x2x8xf32>
}

// CHECK-LABEL: func.func @conv3d_cf_bf16
// CHECK: convgrad.conv %arg0, %arg1 : (tensor<2x3x5x6x7xbf16>, tensor<6x3x2x2x2xbf16>) -> tensor<2x6x4x5x6xbf16>
func.func @conv3d_cf_bf16(%x: tensor<2x3x5x6x7xbf16>, %w: tensor<6x3x2x2x2xbf16>) -> tensor<2x6x4x5x6xbf16> {
  %y = convgrad.conv %x, %w : (tensor<2x3x5x6x7xbf16>, tensor<6x3x2x2x2xbf16>) -> tensor<2x6x4x5x6xbf16>
  return %y : tensor<2x6x4x5x6xbf16>
}

// CHECK-LABEL: func.func @dgrad3d_cf_f64
// CHECK: convgrad.conv_backward_data %arg0, %arg1 dilations = [2, 1, 1] : (tensor<2x6x3x5x6xf64>, tensor<6x3x2x2x2xf64>) -> tensor<2x3x5x6x7xf64>
func.func @dgrad3d_cf_f64(%dy: tensor<2x6x3x5x6xf64>, %w: tensor<6x3x2x2x2xf64>) -> tensor<2x3x5x6x7xf64> {
  %dx = convgrad.conv_backward_data %dy, %w dilations = [2, 1, 1]
      : (tensor<2x6x3x5x6xf64>, tensor<6x3x2x2x2xf64>) -> tensor<2x3x5x6x7xf64>
  return %dx : tensor<2x3x5x6x7xf64>
}

// CHECK-LABEL: func.func @dgrad3d_cl_f32_depthwise
// CHECK: convgrad.conv_backward_data %arg0, %arg1 strides = [1, 2, 3] padding = [1, 1, 1, 0, 0, 0] groups = 4 layout = channels_last : (tensor<?x4x3x2x8xf32>, tensor<8x3x3x3x1xf32>) -> tensor<?x5x6x7x4xf32>
func.func @dgrad3d_cl_f32_depthwise(%dy: tensor<?x4x3x2x8xf32>, %w: tensor<8x3x3x3x1xf32>) -> tensor<?x5x6x7x4xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [1, 2, 3] padding = [1, 1, 1, 0, 0, 0] groups = 4 layout = channels_last
      : (tensor<?x4x3x2x8xf32>, tensor<8x3x3x3x1xf32>) -> tensor<?x5x6x7x4xf32>
  return %dx : tensor<?x5x6x7x4xf32>
}

// CHECK-LABEL: func.func @wgrad3d_cl_f16_all
// CHECK: convgrad.conv_backward_filter %arg0, %arg1 strides = [1, 2, 3] padding = [1, 1, 1, 0, 0, 0] dilations = [1, 1, 1] groups = 4 layout = channels_last : (tensor<?x5x6x7x4xf16>, tensor<?x4x3x2x8xf16>) -> tensor<8x3x3x3x1xf16>
func.func @wgrad3d_cl_f16_all(%x: tensor<?x5x6x7x4xf16>, %dy: tensor<?x4x3x2x8xf16>) -> tensor<8x3x3x3x1xf16> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [1, 2, 3] padding = [1, 1, 1, 0, 0, 0] dilations = [1, 1, 1] groups = 4 layout = channels_last
      : (tensor<?x5x6x7x4xf16>, tensor<?x4x3x2x8xf16>) -> tensor<8x3x3x3x1xf16>
  return %dw : tensor<8x3x3x3x1xf16>
}

// CHECK-LABEL: func.func @bgrad3d_cl_bf16
// CHECK: convgrad.conv_backward_bias %arg0 layout = channels_last : (tensor<?x4x3x2x8xbf16>) -> tensor<8xbf16>
func.func @bgrad3d_cl_bf16(%dy: tensor<?x4x3x2x8xbf16>) -> tensor<8xbf16> {
  %db = convgrad.conv_backward_bias %dy layout = channels_last : (tensor<?x4x3x2x8xbf16>) -> tensor<8xbf16>
  return %db : tensor<8xbf16>
}

//===----------------------------------------------------------------------===//
// Explicit defaults are accepted and elided.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @explicit_defaults
// CHECK: convgrad.conv %arg0, %arg1 : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
// CHECK: convgrad.conv_backward_data %arg2, %arg1 : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
// CHECK: convgrad.conv_backward_filter %arg0, %arg2 : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
// CHECK: convgrad.conv_backward_bias %arg2 : (tensor<2x6x8xf32>) -> tensor<6xf32>
func.func @explicit_defaults(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>, %dy: tensor<2x6x8xf32>)
    -> (tensor<2x6x8xf32>, tensor<2x4x10xf32>, tensor<6x4x3xf32>, tensor<6xf32>) {
  %y = convgrad.conv %x, %w groups = 1 layout = channels_first
      : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  %dx = convgrad.conv_backward_data %dy, %w groups = 1 layout = channels_first
      : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  %dw = convgrad.conv_backward_filter %x, %dy groups = 1 layout = channels_first
      : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  %db = convgrad.conv_backward_bias %dy layout = channels_first : (tensor<2x6x8xf32>) -> tensor<6xf32>
  return %y, %dx, %dw, %db : tensor<2x6x8xf32>, tensor<2x4x10xf32>, tensor<6x4x3xf32>, tensor<6xf32>
}

// The generic form with the default attributes spelled out as properties.
// CHECK-LABEL: func.func @generic_defaults
// CHECK: convgrad.conv %arg0, %arg1 : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
// CHECK: convgrad.conv_backward_bias %{{.*}} : (tensor<2x6x8xf32>) -> tensor<6xf32>
func.func @generic_defaults(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) -> tensor<6xf32> {
  %y = "convgrad.conv"(%x, %w) <{groups = 1 : i64, layout = #convgrad.layout<channels_first>}>
      : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  %db = "convgrad.conv_backward_bias"(%y) <{layout = #convgrad.layout<channels_first>}>
      : (tensor<2x6x8xf32>) -> tensor<6xf32>
  return %db : tensor<6xf32>
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @insert_zeros
// CHECK: convgrad.insert_zeros %arg0 strides = [1, 2, 3] : tensor<?x4x3xf32> -> tensor<?x7x7xf32>
// CHECK: convgrad.insert_zeros %arg1 strides = [2, 2, 1, 1] : tensor<3x1x5x2xf16> -> tensor<5x1x5x2xf16>
// CHECK: convgrad.insert_zeros %arg2 strides = [4, 2] : tensor<0x2xbf16> -> tensor<0x3xbf16>
// CHECK: convgrad.insert_zeros %arg3 strides = [1, 1, 1, 1, 2] : tensor<1x1x1x1x2xf64> -> tensor<1x1x1x1x3xf64>
func.func @insert_zeros(%a: tensor<?x4x3xf32>, %b: tensor<3x1x5x2xf16>, %c: tensor<0x2xbf16>, %d: tensor<1x1x1x1x2xf64>)
    -> (tensor<?x7x7xf32>, tensor<5x1x5x2xf16>, tensor<0x3xbf16>, tensor<1x1x1x1x3xf64>) {
  %0 = convgrad.insert_zeros %a strides = [1, 2, 3] : tensor<?x4x3xf32> -> tensor<?x7x7xf32>
  %1 = convgrad.insert_zeros %b strides = [2, 2, 1, 1] : tensor<3x1x5x2xf16> -> tensor<5x1x5x2xf16>
  %2 = convgrad.insert_zeros %c strides = [4, 2] : tensor<0x2xbf16> -> tensor<0x3xbf16>
  %3 = convgrad.insert_zeros %d strides = [1, 1, 1, 1, 2] : tensor<1x1x1x1x2xf64> -> tensor<1x1x1x1x3xf64>
  return %0, %1, %2, %3 : tensor<?x7x7xf32>, tensor<5x1x5x2xf16>, tensor<0x3xbf16>, tensor<1x1x1x1x3xf64>
}

// CHECK-LABEL: func.func @reverse
// CHECK: convgrad.reverse %arg0 dimensions = [2, 3] : tensor<4x8x3x3xf32>
// CHECK: convgrad.reverse %arg1 dimensions = [1] : tensor<?x5xbf16>
// CHECK: convgrad.reverse %arg2 dimensions = [0, 2, 4] : tensor<2x3x4x5x6xf16>
// CHECK: convgrad.reverse %arg3 dimensions = [] : tensor<2x3xf64>
func.func @reverse(%a: tensor<4x8x3x3xf32>, %b: tensor<?x5xbf16>, %c: tensor<2x3x4x5x6xf16>, %d: tensor<2x3xf64>)
    -> (tensor<4x8x3x3xf32>, tensor<?x5xbf16>, tensor<2x3x4x5x6xf16>, tensor<2x3xf64>) {
  %0 = convgrad.reverse %a dimensions = [2, 3] : tensor<4x8x3x3xf32>
  %1 = convgrad.reverse %b dimensions = [1] : tensor<?x5xbf16>
  %2 = convgrad.reverse %c dimensions = [0, 2, 4] : tensor<2x3x4x5x6xf16>
  %3 = convgrad.reverse %d dimensions = [] : tensor<2x3xf64>
  return %0, %1, %2, %3 : tensor<4x8x3x3xf32>, tensor<?x5xbf16>, tensor<2x3x4x5x6xf16>, tensor<2x3xf64>
}

// -----

// CHECK-LABEL: func.func @conv_transpose
// CHECK: convgrad.conv_transpose %{{.*}}, %{{.*}}, %{{.*}} output_padding = [1, 1] strides = [2, 2] padding = [1, 1, 1, 1] groups = 2 layout = channels_last : (tensor<?x4x5x6xf32>, tensor<6x3x3x2xf32>, tensor<4xf32>) -> tensor<?x8x10x4xf32>
func.func @conv_transpose(%x: tensor<?x4x5x6xf32>, %w: tensor<6x3x3x2xf32>, %b: tensor<4xf32>) -> tensor<?x8x10x4xf32> {
  %y = convgrad.conv_transpose %x, %w, %b output_padding = [1, 1] strides = [2, 2] padding = [1, 1, 1, 1] groups = 2 layout = channels_last
      : (tensor<?x4x5x6xf32>, tensor<6x3x3x2xf32>, tensor<4xf32>) -> tensor<?x8x10x4xf32>
  return %y : tensor<?x8x10x4xf32>
}
