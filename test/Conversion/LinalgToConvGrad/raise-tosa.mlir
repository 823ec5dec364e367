// Real foreign IR: upstream's TOSA lowering (MLIR 22's own passes) of TOSA
// convolutions, then --convgrad-raise-linalg. The raise recovers a convgrad
// op for every convolution, and the raised IR through --convgrad-cpu-pipeline
// computes the same values, element for element on dyadic inputs, as the TOSA
// through upstream's lowering and through convgrad's TOSA import.

// RUN: mlir-opt %s --pass-pipeline="builtin.module(func.func(tosa-optional-decompositions,tosa-to-linalg-named,tosa-to-linalg,tosa-to-tensor,tosa-to-arith))" \
// RUN: | convgrad-opt --convgrad-raise-linalg | FileCheck %s
// Against upstream's lowering of the same TOSA, and against convgrad's own
// TOSA import (--convgrad-tosa-cpu-pipeline):
// RUN: convgrad-run %s --pass-pipeline="func.func(tosa-optional-decompositions,tosa-to-linalg-named,tosa-to-linalg,tosa-to-tensor,tosa-to-arith),convgrad-raise-linalg,convgrad-cpu-pipeline" \
// RUN:   --compare-pipeline=convgrad-upstream-cpu-pipeline | FileCheck %s --check-prefix=EXEC
// RUN: convgrad-run %s --pass-pipeline="func.func(tosa-optional-decompositions,tosa-to-linalg-named,tosa-to-linalg,tosa-to-tensor,tosa-to-arith),convgrad-raise-linalg,convgrad-cpu-pipeline" \
// RUN:   --compare-pipeline=convgrad-tosa-cpu-pipeline | FileCheck %s --check-prefix=EXEC
// EXEC-COUNT-6: PASS @
// EXEC: all functions agree

// CHECK-LABEL: func.func @conv2d(
// CHECK: convgrad.conv %{{.*}}, %{{.*}}, %{{.*}} strides = [2, 2] padding = [1, 1, 0, 1] dilations = [1, 1] layout = channels_last : (tensor<1x8x7x4xf32>, tensor<6x3x3x4xf32>, tensor<6xf32>) -> tensor<1x4x4x6xf32>
// CHECK-NOT: linalg.conv
func.func @conv2d(%x: tensor<1x8x7x4xf32>, %w: tensor<6x3x3x4xf32>, %b: tensor<6xf32>) -> tensor<1x4x4x6xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %r = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 1, 0, 1, 1>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<1x8x7x4xf32>, tensor<6x3x3x4xf32>, tensor<6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x6xf32>
  return %r : tensor<1x4x4x6xf32>
}

// CHECK-LABEL: func.func @conv2d_bf16(
// CHECK: convgrad.conv %{{.*}}, %{{.*}}, %{{.*}} strides = [1, 1] padding = [0, 0, 0, 0] dilations = [2, 1] layout = channels_last : (tensor<1x7x5x2xbf16>, tensor<3x2x3x2xbf16>, tensor<3xbf16>) -> tensor<1x5x3x3xbf16>
func.func @conv2d_bf16(%x: tensor<1x7x5x2xbf16>, %w: tensor<3x2x3x2xbf16>, %b: tensor<3xbf16>) -> tensor<1x5x3x3xbf16> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xbf16>}> : () -> tensor<1xbf16>
  %r = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 2, 1>} : (tensor<1x7x5x2xbf16>, tensor<3x2x3x2xbf16>, tensor<3xbf16>, tensor<1xbf16>, tensor<1xbf16>) -> tensor<1x5x3x3xbf16>
  return %r : tensor<1x5x3x3xbf16>
}

// CHECK-LABEL: func.func @depthwise(
// CHECK: convgrad.conv %{{.*}}, %{{.*}}, %{{.*}} strides = [1, 1] padding = [1, 1, 1, 1] dilations = [1, 1] groups = 4 layout = channels_last
// CHECK-NOT: linalg.depthwise
func.func @depthwise(%x: tensor<1x6x6x4xf32>, %w: tensor<3x3x4x2xf32>, %b: tensor<8xf32>) -> tensor<1x6x6x8xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %r = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x6x6x4xf32>, tensor<3x3x4x2xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x6x8xf32>
  return %r : tensor<1x6x6x8xf32>
}

// CHECK-LABEL: func.func @conv3d(
// CHECK: convgrad.conv %{{.*}}, %{{.*}}, %{{.*}} strides = [1, 2, 1] padding = [1, 0, 1, 1, 1, 1] dilations = [1, 1, 1] layout = channels_last
func.func @conv3d(%x: tensor<1x4x6x4x2xf32>, %w: tensor<3x3x3x3x2xf32>, %b: tensor<3xf32>) -> tensor<1x4x3x4x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %r = tosa.conv3d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 1, 1, 0, 1, 1, 1>, stride = array<i64: 1, 2, 1>, dilation = array<i64: 1, 1, 1>} : (tensor<1x4x6x4x2xf32>, tensor<3x3x3x3x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x3x4x3xf32>
  return %r : tensor<1x4x3x4x3xf32>
}

// A strided transpose_conv2d: tosa-optional-decompositions splits the kernel
// into stride^2 sub-kernels of one stride-1 conv2d (no inserted zeros) and
// interleaves the outputs; that convolution (by the reversed sub-kernels) is
// raised, as the stride-1 conv_transpose by the sub-kernels, the interleave
// stays.
// CHECK-LABEL: func.func @transpose_conv2d(
// CHECK: convgrad.conv_transpose %{{.*}}, %{{.*}} strides = [1, 1] padding = [0, 0, 0, 0] dilations = [1, 1] layout = channels_last : (tensor<1x3x3x2xf32>, tensor<2x2x2x12xf32>) -> tensor<1x4x4x12xf32>
// CHECK-NOT: linalg.conv
func.func @transpose_conv2d(%x: tensor<1x3x3x2xf32>, %w: tensor<3x3x3x2xf32>, %b: tensor<3xf32>) -> tensor<1x7x7x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %r = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x3x3x2xf32>, tensor<3x3x3x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x7x7x3xf32>
  return %r : tensor<1x7x7x3xf32>
}


// A stride-1 transpose_conv2d: tosa-optional-decompositions writes a conv2d
// by the kernel reversed along H and W (two tosa.reverse) with a padding of
// K - 1 + out_pad; the raise states it as the conv_transpose that
// --convgrad-import-tosa makes of it (padding 1, 0 / 1, 2 = -out_pad).
// CHECK-LABEL: func.func @transpose_conv2d_stride1(
// CHECK: %[[W:.*]] = linalg.transpose ins(%arg1 : tensor<2x3x3x3xf32>) outs(%{{.*}} : tensor<3x3x3x2xf32>) permutation = [3, 1, 2, 0]
// CHECK-NEXT: convgrad.conv_transpose %arg0, %[[W]], %arg2 strides = [1, 1] padding = [1, 0, 1, 2] dilations = [1, 1] layout = channels_last : (tensor<1x4x5x3xf32>, tensor<3x3x3x2xf32>, tensor<2xf32>) -> tensor<1x4x5x2xf32>
// CHECK-NOT: convgrad.conv 
func.func @transpose_conv2d_stride1(%x: tensor<1x4x5x3xf32>, %w: tensor<2x3x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x4x5x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: -1, -1, 0, -2>, stride = array<i64: 1, 1>} : (tensor<1x4x5x3xf32>, tensor<2x3x3x3xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x5x2xf32>
  return %0 : tensor<1x4x5x2xf32>
}
