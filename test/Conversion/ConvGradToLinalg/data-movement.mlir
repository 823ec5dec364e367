// convgrad.insert_zeros and convgrad.reverse on their own through
// --convgrad-to-linalg.
// RUN: convgrad-opt %s --convgrad-to-linalg -split-input-file -verify-diagnostics | FileCheck %s
// RUN: convgrad-opt %s --convgrad-to-linalg -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=NOCG
// NOCG-NOT: convgrad.

// (3-1)*2+1 = 5, (4-1)*3+1 = 10: the source goes to every 2nd row and every
// 3rd column of a zero-filled 5x10 tensor.
// CHECK-LABEL: func.func @insert_zeros_2d
// CHECK-SAME: (%[[S:.*]]: tensor<3x4xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<5x10xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<5x10xf32>) -> tensor<5x10xf32>
// CHECK: %[[R:.*]] = tensor.insert_slice %[[S]] into %[[Z]][0, 0] [3, 4] [2, 3] : tensor<3x4xf32> into tensor<5x10xf32>
// CHECK: return %[[R]] : tensor<5x10xf32>
func.func @insert_zeros_2d(%s: tensor<3x4xf32>) -> tensor<5x10xf32> {
  %0 = convgrad.insert_zeros %s strides = [2, 3] : tensor<3x4xf32> -> tensor<5x10xf32>
  return %0 : tensor<5x10xf32>
}

// -----

// Dynamic batch (stride 1 there): the zero tensor and the slice are sized by
// tensor.dim. (2-1)*2+1 = 3, (3-1)*2+1 = 5.
// CHECK-LABEL: func.func @insert_zeros_dynamic_batch
// CHECK-SAME: (%[[S:.*]]: tensor<?x2x3xf16>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f16
// CHECK: %[[N:.*]] = tensor.dim %[[S]], %c0 : tensor<?x2x3xf16>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x3x5xf16>
// CHECK: %[[Z:.*]] = linalg.fill ins(%[[ZERO]] : f16) outs(%[[E]] : tensor<?x3x5xf16>)
// CHECK: tensor.insert_slice %[[S]] into %[[Z]][0, 0, 0] [%[[N]], 2, 3] [1, 2, 2] : tensor<?x2x3xf16> into tensor<?x3x5xf16>
func.func @insert_zeros_dynamic_batch(%s: tensor<?x2x3xf16>) -> tensor<?x3x5xf16> {
  %0 = convgrad.insert_zeros %s strides = [1, 2, 2] : tensor<?x2x3xf16> -> tensor<?x3x5xf16>
  return %0 : tensor<?x3x5xf16>
}

// -----

// Rank 5, bf16, stride along the last dimension only.
// CHECK-LABEL: func.func @insert_zeros_rank5
// CHECK: linalg.fill ins(%{{.*}} : bf16) outs(%{{.*}} : tensor<1x2x1x1x7xbf16>)
// CHECK: tensor.insert_slice %arg0 into %{{.*}}[0, 0, 0, 0, 0] [1, 2, 1, 1, 3] [1, 1, 1, 1, 3] : tensor<1x2x1x1x3xbf16> into tensor<1x2x1x1x7xbf16>
func.func @insert_zeros_rank5(%s: tensor<1x2x1x1x3xbf16>) -> tensor<1x2x1x1x7xbf16> {
  %0 = convgrad.insert_zeros %s strides = [1, 1, 1, 1, 3] : tensor<1x2x1x1x3xbf16> -> tensor<1x2x1x1x7xbf16>
  return %0 : tensor<1x2x1x1x7xbf16>
}

// -----

// All strides 1: nothing to do (the op folds away).
// CHECK-LABEL: func.func @insert_zeros_identity
// CHECK-SAME: (%[[S:.*]]: tensor<?x4xf64>)
// CHECK-NOT: tensor.insert_slice
// CHECK-NOT: linalg.fill
// CHECK: return %[[S]] : tensor<?x4xf64>
func.func @insert_zeros_identity(%s: tensor<?x4xf64>) -> tensor<?x4xf64> {
  %0 = convgrad.insert_zeros %s strides = [1, 1] : tensor<?x4xf64> -> tensor<?x4xf64>
  return %0 : tensor<?x4xf64>
}

// -----

// A 180-degree rotation of 3x3 kernels: dims 2 and 3 read 3-1-i = -i + 2.
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, -d2 + 2, -d3 + 2)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @reverse_kernel
// CHECK-SAME: (%[[S:.*]]: tensor<4x8x3x3xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x8x3x3xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[REV]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[S]] : tensor<4x8x3x3xf32>) outs(%[[E]] : tensor<4x8x3x3xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
// CHECK: return %[[R]]
func.func @reverse_kernel(%s: tensor<4x8x3x3xf32>) -> tensor<4x8x3x3xf32> {
  %0 = convgrad.reverse %s dimensions = [2, 3] : tensor<4x8x3x3xf32>
  return %0 : tensor<4x8x3x3xf32>
}

// -----

// Dynamic batch, non-square, some dimensions kept: dim 1 reads 5-1-i, dim 3
// reads 2-1-i, dims 0 and 2 are untouched.
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, -d1 + 4, d2, -d3 + 1)>
// CHECK-LABEL: func.func @reverse_dynamic_batch
// CHECK-SAME: (%[[S:.*]]: tensor<?x5x3x2xf16>)
// CHECK: %[[N:.*]] = tensor.dim %[[S]], %c0 : tensor<?x5x3x2xf16>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x5x3x2xf16>
// CHECK: linalg.generic {indexing_maps = [#[[REV]], #{{.*}}], {{.*}} ins(%[[S]] : tensor<?x5x3x2xf16>) outs(%[[E]] : tensor<?x5x3x2xf16>)
func.func @reverse_dynamic_batch(%s: tensor<?x5x3x2xf16>) -> tensor<?x5x3x2xf16> {
  %0 = convgrad.reverse %s dimensions = [1, 3] : tensor<?x5x3x2xf16>
  return %0 : tensor<?x5x3x2xf16>
}

// -----

// Rank 5 (a 3-D filter), one of the reversed dims has size 1 (reads 1-1-i = 0).
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, -d2 + 1, -d3 + 2, -d4)>
// CHECK-LABEL: func.func @reverse_3d_kernel
// CHECK: linalg.generic {indexing_maps = [#[[REV]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%arg0 : tensor<3x2x2x3x1xbf16>)
func.func @reverse_3d_kernel(%s: tensor<3x2x2x3x1xbf16>) -> tensor<3x2x2x3x1xbf16> {
  %0 = convgrad.reverse %s dimensions = [2, 3, 4] : tensor<3x2x2x3x1xbf16>
  return %0 : tensor<3x2x2x3x1xbf16>
}

// -----

// Reversing only size-1 dimensions is the identity.
// CHECK-LABEL: func.func @reverse_identity
// CHECK-SAME: (%[[S:.*]]: tensor<2x1x1xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[S]] : tensor<2x1x1xf32>
func.func @reverse_identity(%s: tensor<2x1x1xf32>) -> tensor<2x1x1xf32> {
  %0 = convgrad.reverse %s dimensions = [1, 2] : tensor<2x1x1xf32>
  return %0 : tensor<2x1x1xf32>
}

// -----

// The two ops chained as the data gradient uses them.
// CHECK-LABEL: func.func @chain
// CHECK: %[[I:.*]] = tensor.insert_slice %arg0 into %{{.*}}[0, 0, 0] [1, 2, 3] [1, 1, 2] : tensor<1x2x3xf32> into tensor<1x2x5xf32>
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[I]] : tensor<1x2x5xf32>)
// CHECK: return %[[R]]
func.func @chain(%s: tensor<1x2x3xf32>) -> tensor<1x2x5xf32> {
  %0 = convgrad.insert_zeros %s strides = [1, 1, 2] : tensor<1x2x3xf32> -> tensor<1x2x5xf32>
  %1 = convgrad.reverse %0 dimensions = [2] : tensor<1x2x5xf32>
  return %1 : tensor<1x2x5xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Not lowerable: dynamic sizes along a reversed or zero-inserted dimension.
//===----------------------------------------------------------------------===//

func.func @reverse_dynamic_dim(%s: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{'convgrad.reverse' op could not be lowered to linalg: cannot reverse dynamic dimension 0}}
  %0 = convgrad.reverse %s dimensions = [0, 1] : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @insert_zeros_dynamic_dim(%s: tensor<2x?xf32>) -> tensor<2x?xf32> {
  // expected-error @+1 {{'convgrad.insert_zeros' op could not be lowered to linalg: cannot insert zeros along dynamic dimension 1}}
  %0 = convgrad.insert_zeros %s strides = [1, 2] : tensor<2x?xf32> -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}
