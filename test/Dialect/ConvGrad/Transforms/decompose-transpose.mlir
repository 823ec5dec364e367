// convgrad-decompose on conv_transpose: the data gradient of the convolution
// it transposes, then the bias. The same pass decomposes that dgrad further
// (here its zero-insertion form: a stride-1 conv of the zero-inserted, padded
// input with the reversed, role-swapped filter; decompose.mlir tests it).
// RUN: convgrad-opt %s --split-input-file --convgrad-decompose | FileCheck %s

// output_padding <= padHigh: the dgrad's high padding shrinks by it
// (3x3 s2 padding 1 output_padding 1: [1, 1, 0, 0]), nothing is appended.
// (Re-padding of the zero-inserted input: low (K-1)d - lo = 1, high
// (K-1)d - hi' = 2 with hi' = 0.)
// CHECK-LABEL: func.func @opad_within_padding
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 2, 2]
// CHECK: %[[DX:.*]] = convgrad.conv %{{.*}}, %{{.*}} groups = 2 : (tensor<1x6x10x10xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<4xf32>) outs(%[[DX]] : tensor<1x4x8x8xf32>)
func.func @opad_within_padding(%x: tensor<1x6x4x4xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %y = convgrad.conv_transpose %x, %w, %b output_padding = [1, 1] strides = [2, 2] padding = [1, 1, 1, 1] groups = 2
      : (tensor<1x6x4x4xf32>, tensor<6x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return %y : tensor<1x4x8x8xf32>
}

// -----

// output_padding >= stride (dilation 3): no convolution of this output size
// exists; the dgrad ends at the last row an input reaches (7) and one zero
// row is appended (output_padding 2 - padHigh 1).
// CHECK-LABEL: func.func @opad_beyond_stride
// CHECK: %[[DX:.*]] = convgrad.conv %{{.*}}, %{{.*}} dilations = [3] : (tensor<1x3x10xf32>, tensor<2x3x2xf32>) -> tensor<1x2x7xf32>
// CHECK: %[[Y:.*]] = tensor.pad %[[DX]] low[0, 0, 0] high[0, 0, 1]
// CHECK: return %[[Y]] : tensor<1x2x8xf32>
func.func @opad_beyond_stride(%x: tensor<1x3x4xf32>, %w: tensor<3x2x2xf32>) -> tensor<1x2x8xf32> {
  %y = convgrad.conv_transpose %x, %w output_padding = [2] padding = [0, 1] dilations = [3]
      : (tensor<1x3x4xf32>, tensor<3x2x2xf32>) -> tensor<1x2x8xf32>
  return %y : tensor<1x2x8xf32>
}

// -----

// bf16 with a bias: computed in f32 from widened operands, rounded once.
// CHECK-LABEL: func.func @bf16_bias
// CHECK: arith.extf {{.*}} : bf16 to f32
// CHECK: convgrad.conv {{.*}} -> tensor<2x2x5xf32>
// CHECK: ins(%{{.*}} : tensor<2xbf16>) outs(%{{.*}} : tensor<2x2x5xf32>)
// CHECK: arith.addf {{.*}} : f32
// CHECK: arith.truncf {{.*}} : f32 to bf16
func.func @bf16_bias(%x: tensor<2x3x3xbf16>, %w: tensor<3x2x3xbf16>, %b: tensor<2xbf16>) -> tensor<2x2x5xbf16> {
  %y = convgrad.conv_transpose %x, %w, %b : (tensor<2x3x3xbf16>, tensor<3x2x3xbf16>, tensor<2xbf16>) -> tensor<2x2x5xbf16>
  return %y : tensor<2x2x5xbf16>
}
