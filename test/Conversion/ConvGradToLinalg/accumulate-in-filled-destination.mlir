// RUN: convgrad-opt %s --convgrad-to-linalg -split-input-file | FileCheck %s
// RUN: convgrad-opt %s --convgrad-decompose="dgrad-strategy=phase" --convgrad-to-linalg -split-input-file | FileCheck %s --check-prefix=PHASE

// The only stride phase of a 1x1 stride-2 data gradient (ResNet's
// downsampling shortcut) writes a quarter of dx; the rest is the zero fill.
// Its convolution accumulates in that strided slice of the filled dx, not
// in a zero fill of its own that the same positions would get twice.
// PHASE-LABEL: func.func @dgrad_1x1_stride2
// PHASE:         %[[DX:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x8x8x4xf32>)
// PHASE-NOT:     linalg.fill
// PHASE:         %[[ACC:.*]] = tensor.extract_slice %[[DX]][0, 0, 0, 0] [2, 4, 4, 4] [1, 2, 2, 1]
// PHASE:         %[[CONV:.*]] = linalg.conv_2d_nhwc_fhwc {{.*}} outs(%[[ACC]] : tensor<2x4x4x4xf32>)
// PHASE:         tensor.insert_slice %[[CONV]] into %[[DX]][0, 0, 0, 0] [2, 4, 4, 4] [1, 2, 2, 1]
func.func @dgrad_1x1_stride2(%dy: tensor<2x4x4x8xf32>, %w: tensor<8x1x1x4xf32>) -> tensor<2x8x8x4xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] layout = channels_last
      : (tensor<2x4x4x8xf32>, tensor<8x1x1x4xf32>) -> tensor<2x8x8x4xf32>
  return %dx : tensor<2x8x8x4xf32>
}

// -----

// The same on linalg: a matmul accumulating into a zero fill, inserted into
// a zero-filled tensor, accumulates in the slice.
// CHECK-LABEL: func.func @same_fill
// CHECK:         %[[DST:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<8x8xf32>)
// CHECK-NOT:     linalg.fill
// CHECK:         %[[ACC:.*]] = tensor.extract_slice %[[DST]][2, 0] [4, 8] [1, 1]
// CHECK:         %[[MM:.*]] = linalg.matmul {{.*}} outs(%[[ACC]] : tensor<4x8xf32>)
// CHECK:         tensor.insert_slice %[[MM]] into %[[DST]][2, 0] [4, 8] [1, 1]
func.func @same_fill(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>) -> tensor<8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %dst = linalg.fill ins(%zero : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%acc : tensor<4x8xf32>) -> tensor<4x8xf32>
  %r = tensor.insert_slice %mm into %dst[2, 0] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}

// -----

// Different fill values: the accumulator keeps its own fill.
// CHECK-LABEL: func.func @other_fill
// CHECK:         %[[ACC:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4x8xf32>)
// CHECK:         linalg.matmul {{.*}} outs(%[[ACC]] : tensor<4x8xf32>)
func.func @other_fill(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>) -> tensor<8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %dst = linalg.fill ins(%one : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%acc : tensor<4x8xf32>) -> tensor<4x8xf32>
  %r = tensor.insert_slice %mm into %dst[2, 0] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}

// -----

// A destination that is not a fill (another phase was inserted first: its
// positions are not known to hold the fill value): unchanged.
// CHECK-LABEL: func.func @not_a_fill
// CHECK:         %[[ACC:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4x8xf32>)
// CHECK:         linalg.matmul {{.*}} outs(%[[ACC]] : tensor<4x8xf32>)
func.func @not_a_fill(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %dst: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<4x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%acc : tensor<4x8xf32>) -> tensor<4x8xf32>
  %r = tensor.insert_slice %mm into %dst[2, 0] [4, 8] [1, 1] : tensor<4x8xf32> into tensor<8x8xf32>
  return %r : tensor<8x8xf32>
}
