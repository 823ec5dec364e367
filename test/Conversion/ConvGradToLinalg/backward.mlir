// dgrad, wgrad and bgrad all the way through --convgrad-to-linalg: only
// upstream ops remain; zero insertion is a strided tensor.insert_slice into a
// zero-filled tensor; reverse is a linalg.generic reading n-1-i.
// The cases at the end cannot be lowered and say why, at the op.
// RUN: convgrad-opt %s --convgrad-to-linalg -split-input-file -verify-diagnostics | FileCheck %s
// RUN: convgrad-opt %s --convgrad-to-linalg -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=NOCG
// NOCG-NOT: convgrad.

// Strided dgrad, dynamic batch. K = 3x3, s = [2, 3], lo = [1, 0], hi = [1, 1]:
// O = [4, 2], zero-inserted [7, 4], re-padded low [1, 2], high [2, 3] (see
// test/Transforms/decompose.mlir @dgrad_strided_remainder for the arithmetic).
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, -d2 + 2, -d3 + 2)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @dgrad_strided
// CHECK-SAME: (%[[DY:.*]]: tensor<?x3x4x2xf32>, %[[W:.*]]: tensor<3x2x3x3xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[N:.*]] = tensor.dim %[[DY]], %c0 : tensor<?x3x4x2xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x3x7x4xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<?x3x7x4xf32>) -> tensor<?x3x7x4xf32>
// CHECK: %[[I:.*]] = tensor.insert_slice %[[DY]] into %[[Z]][0, 0, 0, 0] [%[[N]], 3, 4, 2] [1, 1, 2, 3] : tensor<?x3x4x2xf32> into tensor<?x3x7x4xf32>
// CHECK: %[[P:.*]] = tensor.pad %[[I]] low[0, 0, 1, 2] high[0, 0, 2, 3]
// CHECK: } : tensor<?x3x7x4xf32> to tensor<?x3x10x9xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[W]] : tensor<3x2x3x3xf32>) outs(%{{.*}} : tensor<2x3x3x3xf32>) permutation = [1, 0, 2, 3]
// CHECK: %[[RE:.*]] = tensor.empty() : tensor<2x3x3x3xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[REV]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[T]] : tensor<2x3x3x3xf32>) outs(%[[RE]] : tensor<2x3x3x3xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: linalg.yield %[[IN]] : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<?x2x8x7xf32>)
// CHECK: %[[DX:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[P]], %[[R]] : tensor<?x3x10x9xf32>, tensor<2x3x3x3xf32>) outs(%[[INIT]] : tensor<?x2x8x7xf32>)
// CHECK: return %[[DX]]
func.func @dgrad_strided(%dy: tensor<?x3x4x2xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<?x2x8x7xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 3] padding = [1, 0, 1, 1]
      : (tensor<?x3x4x2xf32>, tensor<3x2x3x3xf32>) -> tensor<?x2x8x7xf32>
  return %dx : tensor<?x2x8x7xf32>
}

// -----

// Grouped channels-last f16 dgrad with stride 2. H = W = 5, K = 3, padding 1:
// O = 3; zero-inserted (3-1)*2+1 = 5 along dims 1, 2 (insert_slice strides
// [1, 2, 2, 1]) in f16; re-pad 1/1 -> 7; reversed kernel dims 1 and 2
// (-d + 2); conv_2d_nhwgc_gfhwc accumulating in f32; one truncf.
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, -d1 + 2, -d2 + 2, d3)>
// CHECK-LABEL: func.func @dgrad_grouped_f16_cl
// CHECK-SAME: (%[[DY:.*]]: tensor<2x3x3x6xf16>, %[[W:.*]]: tensor<6x3x3x2xf16>)
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f16) outs(%{{.*}} : tensor<2x5x5x6xf16>)
// CHECK: %[[I:.*]] = tensor.insert_slice %[[DY]] into %[[Z]][0, 0, 0, 0] [2, 3, 3, 6] [1, 2, 2, 1] : tensor<2x3x3x6xf16> into tensor<2x5x5x6xf16>
// CHECK: %[[P:.*]] = tensor.pad %[[I]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: linalg.transpose {{.*}} permutation = [0, 4, 2, 3, 1]
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[REV]], #{{.*}}], {{.*}} ins(%{{.*}} : tensor<4x3x3x3xf16>) outs(%{{.*}} : tensor<4x3x3x3xf16>)
// CHECK: %[[XG:.*]] = tensor.expand_shape %[[P]] {{\[}}[0], [1], [2], [3, 4]] output_shape [2, 7, 7, 2, 3] : tensor<2x7x7x6xf16> into tensor<2x7x7x2x3xf16>
// CHECK: %[[WG:.*]] = tensor.expand_shape %[[R]] {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 2, 3, 3, 3] : tensor<4x3x3x3xf16> into tensor<2x2x3x3x3xf16>
// CHECK: %[[ACC:.*]] = linalg.conv_2d_nhwgc_gfhwc {{.*}} ins(%[[XG]], %[[WG]] : tensor<2x7x7x2x3xf16>, tensor<2x2x3x3x3xf16>) outs(%{{.*}} : tensor<2x5x5x2x2xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[ACC]]
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<2x5x5x4xf32>) outs(%{{.*}} : tensor<2x5x5x4xf16>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK-NOT: arith.truncf
func.func @dgrad_grouped_f16_cl(%dy: tensor<2x3x3x6xf16>, %w: tensor<6x3x3x2xf16>) -> tensor<2x5x5x4xf16> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] groups = 2 layout = channels_last
      : (tensor<2x3x3x6xf16>, tensor<6x3x3x2xf16>) -> tensor<2x5x5x4xf16>
  return %dx : tensor<2x5x5x4xf16>
}

// -----

// 1-D dgrad with dilation 2 and stride 2: H = 9, K = 3, Ke = 5, lo 1, hi 2:
// O = 4, r = 1; zero-inserted 7 (insert_slice stride 2), re-pad 3/3 -> 13;
// the reverse reads 3-1-d = -d + 2; conv_1d keeps the dilation.
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, -d2 + 2)>
// CHECK-LABEL: func.func @dgrad_dilated_1d
// CHECK: %[[I:.*]] = tensor.insert_slice %arg0 into %{{.*}}[0, 0, 0] [2, 4, 4] [1, 1, 2] : tensor<2x4x4xf64> into tensor<2x4x7xf64>
// CHECK: %[[P:.*]] = tensor.pad %[[I]] low[0, 0, 3] high[0, 0, 3]
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[REV]], #{{.*}}]
// CHECK: linalg.conv_1d_ncw_fcw {dilations = dense<2> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>} ins(%[[P]], %[[R]] : tensor<2x4x13xf64>, tensor<3x4x3xf64>) outs(%{{.*}} : tensor<2x3x9xf64>)
func.func @dgrad_dilated_1d(%dy: tensor<2x4x4xf64>, %w: tensor<4x3x3xf64>) -> tensor<2x3x9xf64> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2] padding = [1, 2] dilations = [2]
      : (tensor<2x4x4xf64>, tensor<4x3x3xf64>) -> tensor<2x3x9xf64>
  return %dx : tensor<2x3x9xf64>
}

// -----

// wgrad, dynamic batch: crop (extract_slice) + pad of x, batch<->channel
// transposes, conv_2d with dilations = forward stride 2, final transpose.
// CHECK-LABEL: func.func @wgrad
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x9x7xf32>, %[[DY:.*]]: tensor<?x8x4x4xf32>)
// CHECK: %[[S:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [%{{.*}}, 4, 8, 7] [1, 1, 1, 1]
// CHECK: %[[P:.*]] = tensor.pad %[[S]] low[0, 0, 1, 1] high[0, 0, 0, 1]
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[P]] : tensor<?x4x9x9xf32>) outs(%{{.*}} : tensor<4x?x9x9xf32>) permutation = [1, 0, 2, 3]
// CHECK: %[[DT:.*]] = linalg.transpose ins(%[[DY]] : tensor<?x8x4x4xf32>) outs(%{{.*}} : tensor<8x?x4x4xf32>) permutation = [1, 0, 2, 3]
// CHECK: %[[C:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[XT]], %[[DT]] : tensor<4x?x9x9xf32>, tensor<8x?x4x4xf32>) outs(%{{.*}} : tensor<4x8x3x3xf32>)
// CHECK: %[[DW:.*]] = linalg.transpose ins(%[[C]] : tensor<4x8x3x3xf32>) outs(%{{.*}} : tensor<8x4x3x3xf32>) permutation = [1, 0, 2, 3]
// CHECK: return %[[DW]]
func.func @wgrad(%x: tensor<?x4x9x7xf32>, %dy: tensor<?x8x4x4xf32>) -> tensor<8x4x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 0, 1]
      : (tensor<?x4x9x7xf32>, tensor<?x8x4x4xf32>) -> tensor<8x4x3x3xf32>
  return %dw : tensor<8x4x3x3xf32>
}

// -----

// Grouped 1-D wgrad, dynamic batch: the grouped conv is the generic fallback
// (G = 2, Cg = 2, Fg = 3, N = ?); the reshapes between the decomposition and
// the lowering cancel out.
// CHECK-LABEL: func.func @wgrad_grouped_1d
// CHECK: %[[XT:.*]] = linalg.transpose ins(%{{.*}} : tensor<?x2x2x10xf32>) outs(%{{.*}} : tensor<2x2x?x10xf32>) permutation = [2, 1, 0, 3]
// CHECK: %[[DT:.*]] = linalg.transpose ins(%{{.*}} : tensor<?x2x3x8xf32>) outs(%{{.*}} : tensor<2x3x?x8xf32>) permutation = [1, 2, 0, 3]
// CHECK: %[[G:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[XT]], %[[DT]] : tensor<2x2x?x10xf32>, tensor<2x3x?x8xf32>) outs(%{{.*}} : tensor<2x2x3x3xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[G]] {{\[}}[0], [1, 2], [3]] : tensor<2x2x3x3xf32> into tensor<2x6x3xf32>
// CHECK: linalg.transpose ins(%[[C]] : tensor<2x6x3xf32>) outs(%{{.*}} : tensor<6x2x3xf32>) permutation = [1, 0, 2]
func.func @wgrad_grouped_1d(%x: tensor<?x4x10xf32>, %dy: tensor<?x6x8xf32>) -> tensor<6x2x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy groups = 2 : (tensor<?x4x10xf32>, tensor<?x6x8xf32>) -> tensor<6x2x3xf32>
  return %dw : tensor<6x2x3xf32>
}

// -----

// bgrad bf16, dynamic batch: f32 reduction, one truncf.
// CHECK-LABEL: func.func @bgrad
// CHECK: %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction"]} ins(%arg0 : tensor<?x6x4xbf16>) outs(%{{.*}} : tensor<6xf32>)
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: linalg.generic {{.*}} ins(%[[S]] : tensor<6xf32>) outs(%{{.*}} : tensor<6xbf16>)
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @bgrad(%dy: tensor<?x6x4xbf16>) -> tensor<6xbf16> {
  %db = convgrad.conv_backward_bias %dy : (tensor<?x6x4xbf16>) -> tensor<6xbf16>
  return %db : tensor<6xbf16>
}

// -----

// A whole training step: forward, then the three gradients, in one function.
// CHECK-LABEL: func.func @training_step
// CHECK-COUNT-3: linalg.conv_2d_ngchw_gfchw
// CHECK-NOT: linalg.conv_2d_ngchw_gfchw
// CHECK: return
func.func @training_step(%x: tensor<2x4x7x7xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>, %dy: tensor<2x8x4x4xf32>)
    -> (tensor<2x8x4x4xf32>, tensor<2x4x7x7xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) {
  %y = convgrad.conv %x, %w, %b strides = [2, 2] padding = [1, 1, 1, 1] groups = 2
      : (tensor<2x4x7x7xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<2x8x4x4xf32>
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] groups = 2
      : (tensor<2x8x4x4xf32>, tensor<8x2x3x3xf32>) -> tensor<2x4x7x7xf32>
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 1, 1] groups = 2
      : (tensor<2x4x7x7xf32>, tensor<2x8x4x4xf32>) -> tensor<8x2x3x3xf32>
  %db = convgrad.conv_backward_bias %dy : (tensor<2x8x4x4xf32>) -> tensor<8xf32>
  return %y, %dx, %dw, %db : tensor<2x8x4x4xf32>, tensor<2x4x7x7xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Not lowerable: the decomposition's limits, reported by --convgrad-to-linalg
// (the same cases under --convgrad-decompose: test/Transforms/decompose-invalid.mlir).
//===----------------------------------------------------------------------===//

func.func @dgrad_dynamic_channels(%dy: tensor<1x?x5x5xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{'convgrad.conv_backward_data' op could not be lowered to linalg: dynamic channel sizes are not supported; only the batch size may be dynamic}}
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1]
      : (tensor<1x?x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %dx : tensor<1x4x5x5xf32>
}

// -----

func.func @dgrad_dynamic_filter(%dy: tensor<1x6x5x5xf32>, %w: tensor<?x4x3x3xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{'convgrad.conv_backward_data' op could not be lowered to linalg: the filter shape must be static}}
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1]
      : (tensor<1x6x5x5xf32>, tensor<?x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %dx : tensor<1x4x5x5xf32>
}

// -----

func.func @wgrad_dynamic_channels(%x: tensor<?x4x4x4x2xf16>, %dy: tensor<?x2x2x2x?xf16>) -> tensor<3x3x3x3x2xf16> {
  // expected-error @+1 {{'convgrad.conv_backward_filter' op could not be lowered to linalg: dynamic channel sizes are not supported; only the batch size may be dynamic}}
  %dw = convgrad.conv_backward_filter %x, %dy layout = channels_last
      : (tensor<?x4x4x4x2xf16>, tensor<?x2x2x2x?xf16>) -> tensor<3x3x3x3x2xf16>
  return %dw : tensor<3x3x3x3x2xf16>
}

// -----

func.func @wgrad_dynamic_grad_filter(%x: tensor<2x4x10xf32>, %dy: tensor<2x6x8xf32>) -> tensor<?x4x3xf32> {
  // expected-error @+1 {{'convgrad.conv_backward_filter' op could not be lowered to linalg: the filter shape must be static}}
  %dw = convgrad.conv_backward_filter %x, %dy : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<?x4x3xf32>
  return %dw : tensor<?x4x3xf32>
}

// -----

// Only the offending op is reported; the pass fails as a whole.
func.func @mixed(%dy: tensor<1x?x5x5xf32>, %w: tensor<6x4x3x3xf32>, %dy2: tensor<1x6x5x5xf32>) -> (tensor<1x4x5x5xf32>, tensor<6xf32>) {
  // expected-error @+1 {{'convgrad.conv_backward_data' op could not be lowered to linalg: dynamic channel sizes are not supported}}
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1]
      : (tensor<1x?x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  %db = convgrad.conv_backward_bias %dy2 : (tensor<1x6x5x5xf32>) -> tensor<6xf32>
  return %dx, %db : tensor<1x4x5x5xf32>, tensor<6xf32>
}
