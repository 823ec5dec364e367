// The convgrad pattern sets as transform dialect pattern descriptors, applied
// by the transform interpreter to the payload ops of a handle.
// RUN: convgrad-opt %s --transform-interpreter --split-input-file | FileCheck %s
// test/Plugins/transform-ops.test runs this file through the stock mlir-opt.

// Both sets in one region: the data gradient reaches upstream linalg.
// CHECK-LABEL: func.func @dgrad_to_linalg
// CHECK-NOT:   convgrad.
// CHECK:       tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 0] [1, 8, 4, 4] [1, 1, 2, 2]
// CHECK:       linalg.conv_2d_nchw_fchw
// CHECK-SAME:    -> tensor<1x4x7x7xf32>
// CHECK-NOT:   convgrad.
// CHECK:       return
func.func @dgrad_to_linalg(%dy: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x4x7x7xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1]
      : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x7x7xf32>
  return %dx : tensor<1x4x7x7xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.convgrad.decompose
      transform.apply_patterns.convgrad.to_linalg
    } : !transform.any_op
    transform.yield
  }
}

// -----

// Only the decomposition, and only in the function the handle points to.
// CHECK-LABEL: func.func @decomposed
// CHECK:       convgrad.insert_zeros %{{.*}} strides = [1, 1, 2, 2]
// CHECK:       convgrad.reverse %{{.*}} dimensions = [2, 3]
// CHECK:       convgrad.conv %
// CHECK-NOT:   convgrad.conv_backward_data
// CHECK-LABEL: func.func @untouched
// CHECK:       convgrad.conv_backward_data
func.func @decomposed(%dy: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x4x7x7xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1]
      : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x7x7xf32>
  return %dx : tensor<1x4x7x7xf32>
}

func.func @untouched(%dy: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x4x7x7xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1]
      : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x7x7xf32>
  return %dx : tensor<1x4x7x7xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} attributes {sym_name = "decomposed"} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.convgrad.decompose
    } : !transform.any_op
    transform.yield
  }
}

// -----

// to_linalg alone lowers the forward op (the weight gradient's bias-free
// forward convolution here) and leaves backward ops for `decompose`.
// CHECK-LABEL: func.func @forward_only
// CHECK:       linalg.conv_2d_nhwc_fhwc
// CHECK:       convgrad.conv_backward_bias
func.func @forward_only(%x: tensor<2x9x9x4xf32>, %w: tensor<8x3x3x4xf32>) -> (tensor<2x7x7x8xf32>, tensor<8xf32>) {
  %y = convgrad.conv %x, %w layout = channels_last
      : (tensor<2x9x9x4xf32>, tensor<8x3x3x4xf32>) -> tensor<2x7x7x8xf32>
  %db = convgrad.conv_backward_bias %y layout = channels_last : (tensor<2x7x7x8xf32>) -> tensor<8xf32>
  return %y, %db : tensor<2x7x7x8xf32>, tensor<8xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.convgrad.to_linalg
    } : !transform.any_op
    transform.yield
  }
}
