// Forms convgrad-import-tosa does not import stay as they are (upstream's
// TOSA lowering compiles them); unsupported=remark says why at the op,
// unsupported=error makes each an error.
// RUN: convgrad-opt %s --convgrad-import-tosa | FileCheck %s
// RUN: convgrad-opt %s --convgrad-import-tosa="unsupported=remark" --verify-diagnostics -o /dev/null
// RUN: not convgrad-opt %s --convgrad-import-tosa="unsupported=error" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ERROR

// CHECK-NOT: convgrad.
// CHECK-LABEL: func.func @int8
// CHECK: tosa.conv2d
// CHECK-LABEL: func.func @nonzero_zero_point
// CHECK: tosa.conv2d
// CHECK-LABEL: func.func @f16_accumulator
// CHECK: tosa.depthwise_conv2d
// CHECK-LABEL: func.func @dynamic_width
// CHECK: tosa.transpose_conv2d
// ERROR: :[[@LINE+9]]:8: error: 'tosa.conv2d' op cannot be imported into convgrad: element type is not f16, bf16 or f32
// ERROR: :[[@LINE+16]]:8: error: 'tosa.conv2d' op cannot be imported into convgrad: a zero point is not a constant zero
// ERROR: :[[@LINE+22]]:8: error: 'tosa.depthwise_conv2d' op cannot be imported into convgrad: acc_type is not f32
// ERROR: :[[@LINE+28]]:8: error: 'tosa.transpose_conv2d' op cannot be imported into convgrad: a size other than the batch is dynamic

func.func @int8(%x: tensor<1x4x4x2xi8>, %w: tensor<3x1x1x2xi8>, %b: tensor<3xi32>) -> tensor<1x4x4x3xi32> {
  %izp = "tosa.const"() <{values = dense<5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wzp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-remark @below {{left to upstream's TOSA lowering: element type is not f16, bf16 or f32}}
  %0 = tosa.conv2d %x, %w, %b, %izp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x1x1x2xi8>, tensor<3xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x3xi32>
  return %0 : tensor<1x4x4x3xi32>
}

// TOSA requires float zero points to be zero, but only checks constants.
func.func @nonzero_zero_point(%x: tensor<1x4x4x2xf32>, %w: tensor<3x1x1x2xf32>, %b: tensor<3xf32>, %izp: tensor<1xf32>) -> tensor<1x4x4x3xf32> {
  %wzp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-remark @below {{left to upstream's TOSA lowering: a zero point is not a constant zero}}
  %0 = tosa.conv2d %x, %w, %b, %izp, %wzp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<3x1x1x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x3xf32>
  return %0 : tensor<1x4x4x3xf32>
}

func.func @f16_accumulator(%x: tensor<1x4x4x2xf16>, %w: tensor<1x1x2x1xf16>, %b: tensor<2xf16>) -> tensor<1x4x4x2xf16> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf16>}> : () -> tensor<1xf16>
  // expected-remark @below {{left to upstream's TOSA lowering: acc_type is not f32 (convgrad accumulates in f32)}}
  %0 = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f16, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf16>, tensor<1x1x2x1xf16>, tensor<2xf16>, tensor<1xf16>, tensor<1xf16>) -> tensor<1x4x4x2xf16>
  return %0 : tensor<1x4x4x2xf16>
}

func.func @dynamic_width(%x: tensor<1x4x?x2xf32>, %w: tensor<3x2x2x2xf32>, %b: tensor<3xf32>) -> tensor<1x8x?x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-remark @below {{left to upstream's TOSA lowering: a size other than the batch is dynamic}}
  %0 = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x?x2xf32>, tensor<3x2x2x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x?x3xf32>
  return %0 : tensor<1x8x?x3xf32>
}
