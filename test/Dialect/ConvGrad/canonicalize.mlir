// Folders of the data movement ops.
// RUN: convgrad-opt %s --canonicalize -split-input-file | FileCheck %s --check-prefixes=CHECK,SPLAT

// All strides 1: the op is the identity.
// CHECK-LABEL: func.func @insert_zeros_unit_strides
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x4xf32>)
// CHECK-NOT: convgrad.insert_zeros
// CHECK: return %[[A]] : tensor<2x3x4xf32>
func.func @insert_zeros_unit_strides(%a: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = convgrad.insert_zeros %a strides = [1, 1, 1] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Dynamic sizes with stride 1 keep their type: still the identity.
// CHECK-LABEL: func.func @insert_zeros_unit_strides_dynamic
// CHECK-SAME: (%[[A:.*]]: tensor<?x3x?xf16>)
// CHECK-NOT: convgrad.insert_zeros
// CHECK: return %[[A]] : tensor<?x3x?xf16>
func.func @insert_zeros_unit_strides_dynamic(%a: tensor<?x3x?xf16>) -> tensor<?x3x?xf16> {
  %0 = convgrad.insert_zeros %a strides = [1, 1, 1] : tensor<?x3x?xf16> -> tensor<?x3x?xf16>
  return %0 : tensor<?x3x?xf16>
}

// -----

// A stride > 1 along a dimension of size 1 changes nothing either
// ((1 - 1) * s + 1 = 1), but the folder only looks at the strides: the op stays.
// A stride > 1 along a larger dimension must stay.
// CHECK-LABEL: func.func @insert_zeros_kept
// CHECK: %[[Z:.*]] = convgrad.insert_zeros %arg0 strides = [1, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x7xf32>
// CHECK: return %[[Z]]
func.func @insert_zeros_kept(%a: tensor<2x3x4xf32>) -> tensor<2x3x7xf32> {
  %0 = convgrad.insert_zeros %a strides = [1, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x7xf32>
  return %0 : tensor<2x3x7xf32>
}

// -----

// Reversing only dimensions of size 1 is the identity.
// CHECK-LABEL: func.func @reverse_unit_dims
// CHECK-SAME: (%[[A:.*]]: tensor<4x8x1x1xf32>)
// CHECK-NOT: convgrad.reverse
// CHECK: return %[[A]] : tensor<4x8x1x1xf32>
func.func @reverse_unit_dims(%a: tensor<4x8x1x1xf32>) -> tensor<4x8x1x1xf32> {
  %0 = convgrad.reverse %a dimensions = [2, 3] : tensor<4x8x1x1xf32>
  return %0 : tensor<4x8x1x1xf32>
}

// -----

// Reversing no dimension is the identity.
// CHECK-LABEL: func.func @reverse_no_dims
// CHECK-SAME: (%[[A:.*]]: tensor<?x5xbf16>)
// CHECK-NOT: convgrad.reverse
// CHECK: return %[[A]] : tensor<?x5xbf16>
func.func @reverse_no_dims(%a: tensor<?x5xbf16>) -> tensor<?x5xbf16> {
  %0 = convgrad.reverse %a dimensions = [] : tensor<?x5xbf16>
  return %0 : tensor<?x5xbf16>
}

// -----

// One reversed dimension of size 3: kept.
// CHECK-LABEL: func.func @reverse_kept
// CHECK: %[[R:.*]] = convgrad.reverse %arg0 dimensions = [1, 2] : tensor<4x1x3xf32>
// CHECK: return %[[R]]
func.func @reverse_kept(%a: tensor<4x1x3xf32>) -> tensor<4x1x3xf32> {
  %0 = convgrad.reverse %a dimensions = [1, 2] : tensor<4x1x3xf32>
  return %0 : tensor<4x1x3xf32>
}

// -----

// A dynamic dimension is not known to be 1: kept.
// CHECK-LABEL: func.func @reverse_dynamic_kept
// CHECK: convgrad.reverse %arg0 dimensions = [0] : tensor<?x3xf32>
func.func @reverse_dynamic_kept(%a: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = convgrad.reverse %a dimensions = [0] : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A splat reads the same in any order: the reverse folds to the constant
// (materialized as arith.constant by the dialect).
// CHECK-LABEL: func.func @reverse_splat
// SPLAT-NOT: convgrad.reverse
// SPLAT: %[[C:.*]] = arith.constant dense<1.500000e+00> : tensor<4x8x3x3xf32>
// SPLAT-NOT: convgrad.reverse
// SPLAT: return %[[C]] : tensor<4x8x3x3xf32>
func.func @reverse_splat() -> tensor<4x8x3x3xf32> {
  %c = arith.constant dense<1.5> : tensor<4x8x3x3xf32>
  %0 = convgrad.reverse %c dimensions = [2, 3] : tensor<4x8x3x3xf32>
  return %0 : tensor<4x8x3x3xf32>
}

// -----

// A non-splat constant is not folded.
// CHECK-LABEL: func.func @reverse_non_splat
// CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[R:.*]] = convgrad.reverse %[[C]] dimensions = [0] : tensor<2xf32>
// CHECK: return %[[R]]
func.func @reverse_non_splat() -> tensor<2xf32> {
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = convgrad.reverse %c dimensions = [0] : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Folds compose: the filter rotation of a 1x1 kernel disappears, and the
// unused backward op with it (it is Pure).
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x1x1xf64>)
// CHECK-NOT: convgrad.
// CHECK: return %[[A]] : tensor<2x3x1x1xf64>
func.func @chain(%a: tensor<2x3x1x1xf64>) -> tensor<2x3x1x1xf64> {
  %0 = convgrad.insert_zeros %a strides = [1, 1, 1, 1] : tensor<2x3x1x1xf64> -> tensor<2x3x1x1xf64>
  %1 = convgrad.reverse %0 dimensions = [2, 3] : tensor<2x3x1x1xf64>
  %unused = convgrad.conv_backward_bias %1 : (tensor<2x3x1x1xf64>) -> tensor<3xf64>
  return %1 : tensor<2x3x1x1xf64>
}
