// --convgrad-cpu-wgrad-to-gemm on grouped filter gradients: groups that
// hold a vector of channels and of filters (16 f32 lanes on AVX-512, 8 on
// AVX2) become a loop over the groups around an ungrouped filter gradient
// on the group's channel slices, computed as GEMMs; narrower groups are
// left to the depthwise and grouped kernels.
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v4" --convgrad-cpu-wgrad-to-gemm --canonicalize | FileCheck %s
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v3" --convgrad-cpu-wgrad-to-gemm --canonicalize | FileCheck %s --check-prefix=AVX2

// Channels-last, 2 groups of 32 channels and filters, dynamic batch: group
// g reads channels [32 g, 32 g + 32) of x and dy, its [32, 3, 3, 32]
// gradient (a GEMM per image and tap) is inserted at filters 32 g.
// CHECK-LABEL: func.func @wide_groups
// CHECK:   scf.for %[[G:.*]] = %c0 to %c2 step %c1 iter_args(%[[DW:.*]] = %{{.*}}) -> (tensor<64x3x3x32xf32>)
// CHECK:     %[[C0:.*]] = arith.muli %[[G]], %c32
// CHECK:     tensor.extract_slice %arg0[0, 0, 0, %[[C0]]] [%{{.*}}, 6, 7, 32] [1, 1, 1, 1]
// CHECK:     %[[F0:.*]] = arith.muli %[[G]], %c32
// CHECK:     tensor.extract_slice %arg1[0, 0, 0, %[[F0]]] [%{{.*}}, 6, 7, 32] [1, 1, 1, 1]
// CHECK:     linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK:     tensor.insert_slice %{{.*}} into %[[DW]][%{{.*}}, 0, 0, 0] [32, 3, 3, 32] [1, 1, 1, 1]
// CHECK-NOT: convgrad.conv
// AVX2-LABEL: func.func @wide_groups
// AVX2: scf.for
// AVX2: linalg.generic
func.func @wide_groups(%x: tensor<?x6x7x64xf32>, %dy: tensor<?x6x7x64xf32>) -> tensor<64x3x3x32xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 2 layout = channels_last
    : (tensor<?x6x7x64xf32>, tensor<?x6x7x64xf32>) -> tensor<64x3x3x32xf32>
  return %dw : tensor<64x3x3x32xf32>
}

// -----

// Channels-first, stride 2, 16 channels and 24 filters per group: the
// group's filters [24 g, 24 g + 24) of the [48, 16, 3, 3] gradient.
// CHECK-LABEL: func.func @wide_groups_channels_first
// CHECK:   scf.for %[[G:.*]] = %c0 to %c2 step %c1
// CHECK:     tensor.extract_slice %arg0[0, %{{.*}}, 0, 0] [2, 16, 8, 8] [1, 1, 1, 1]
// CHECK:     tensor.extract_slice %arg1[0, %{{.*}}, 0, 0] [2, 24, 4, 4] [1, 1, 1, 1]
// CHECK:     linalg.generic
// CHECK:     tensor.insert_slice %{{.*}} into %{{.*}}[%{{.*}}, 0, 0, 0] [24, 16, 3, 3] [1, 1, 1, 1]
// CHECK-NOT: convgrad.conv
func.func @wide_groups_channels_first(%x: tensor<2x32x8x8xf32>, %dy: tensor<2x48x4x4xf32>) -> tensor<48x16x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 1, 1] groups = 2
    : (tensor<2x32x8x8xf32>, tensor<2x48x4x4xf32>) -> tensor<48x16x3x3xf32>
  return %dw : tensor<48x16x3x3xf32>
}

// -----

// 8 channels per group: a GEMM's vector on AVX2, not on AVX-512.
// CHECK-LABEL: func.func @eight_per_group
// CHECK-NOT: scf.for
// CHECK: convgrad.conv_backward_filter
// AVX2-LABEL: func.func @eight_per_group
// AVX2: scf.for
// AVX2: linalg.generic
// AVX2-NOT: convgrad.conv
func.func @eight_per_group(%x: tensor<1x6x6x32xf32>, %dy: tensor<1x6x6x32xf32>) -> tensor<32x3x3x8xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 4 layout = channels_last
    : (tensor<1x6x6x32xf32>, tensor<1x6x6x32xf32>) -> tensor<32x3x3x8xf32>
  return %dw : tensor<32x3x3x8xf32>
}
