// RUN: convgrad-opt %s -split-input-file -convgrad-to-linalg -verify-diagnostics | FileCheck %s
// RUN: convgrad-opt %s -split-input-file -convgrad-cpu-pipeline -verify-diagnostics > /dev/null
//
// Pass inputs found by the fuzzers (tools/convgrad-fuzz, docs/robustness.md),
// minimized. Each one used to crash or produce malformed IR; now the pass
// either lowers it correctly or reports it at the op.

// convgrad-fuzz-gen (CONVGRAD_FUZZ_STRICT): the zeros of insert_zeros were an
// arith.constant with a FloatAttr of type complex<f32>, malformed IR that
// only failed in the LLVM conversion.
func.func @insert_zeros_complex(%a: tensor<7xcomplex<f32>>) -> tensor<25xcomplex<f32>> {
  // expected-error @+1 {{could not be lowered to linalg: cannot insert zeros of element type complex<f32>; expected an integer, index or floating-point type}}
  %r = convgrad.insert_zeros %a strides = [4] : tensor<7xcomplex<f32>> -> tensor<25xcomplex<f32>>
  return %r : tensor<25xcomplex<f32>>
}

// -----

// The same pattern on integer and index element types now makes an integer
// zero (it used to be a FloatAttr of integer type).
// CHECK-LABEL: func.func @insert_zeros_i32
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: linalg.fill ins(%[[ZERO]] : i32)
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0] [3] [2] : tensor<3xi32> into tensor<5xi32>
func.func @insert_zeros_i32(%a: tensor<3xi32>) -> tensor<5xi32> {
  %r = convgrad.insert_zeros %a strides = [2] : tensor<3xi32> -> tensor<5xi32>
  return %r : tensor<5xi32>
}

// -----

// CHECK-LABEL: func.func @insert_zeros_index
// CHECK: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK: linalg.fill ins(%[[ZERO]] : index)
func.func @insert_zeros_index(%a: tensor<2x3xindex>) -> tensor<3x3xindex> {
  %r = convgrad.insert_zeros %a strides = [2, 1] : tensor<2x3xindex> -> tensor<3x3xindex>
  return %r : tensor<3x3xindex>
}

// -----

// convgrad-fuzz-gen: with a zero-size channel dimension, the crop of the
// re-padding (padding larger than Ke - 1) was a tensor.extract_slice at
// offset 0 of a size-0 dimension, which does not verify; the result is now
// an empty (zero-filled) tensor. The CPU pipeline then crashed in upstream
// tiling on the zero-trip convolution (convgrad-tile-and-vectorize and
// convgrad-vectorize-data-movement now leave zero-size ops alone).
// (No linalg convolution at all now: a zero-size operand makes the result
// its initial value, see @zero_channels_conv.)
// CHECK-LABEL: func.func @zero_channels_dgrad
// CHECK-NOT: tensor.extract_slice
// CHECK-NOT: linalg.conv
// CHECK: return %{{.*}} : tensor<?x3x0xf32>
func.func @zero_channels_dgrad(%dy: tensor<?x5x0xf32>, %w: tensor<0x1x0xf32>) -> tensor<?x3x0xf32> {
  %r = convgrad.conv_backward_data %dy, %w padding = [1, 1] layout = channels_last : (tensor<?x5x0xf32>, tensor<0x1x0xf32>) -> tensor<?x3x0xf32>
  return %r : tensor<?x3x0xf32>
}

// -----

// (The dgrad above and this wgrad have results with no element: nothing to
// be zero.)
// CHECK-LABEL: func.func @zero_channels_wgrad
// CHECK-NOT: tensor.extract_slice
// CHECK:     return %{{.*}} : tensor<0x0x1xf32>
func.func @zero_channels_wgrad(%x: tensor<2x0x3xf32>, %dy: tensor<2x0x5xf32>) -> tensor<0x0x1xf32> {
  %r = convgrad.conv_backward_filter %x, %dy padding = [1, 1] : (tensor<2x0x3xf32>, tensor<2x0x5xf32>) -> tensor<0x0x1xf32>
  return %r : tensor<0x0x1xf32>
}

// -----

// With no input channel the reduction is empty: the result must be zeros.
// A zero-size operand makes the result its initial value: the zero fill of
// the whole 2x4x5 result, with no convolution.
// CHECK-LABEL: func.func @zero_channels_conv
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[INIT:.*]] = tensor.empty() : tensor<2x4x5xf32>
// CHECK-NEXT:    %[[ZEROS:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[INIT]] : tensor<2x4x5xf32>)
// CHECK-NEXT:    return %[[ZEROS]] : tensor<2x4x5xf32>
func.func @zero_channels_conv(%x: tensor<2x0x3xf32>, %w: tensor<4x0x1xf32>) -> tensor<2x4x5xf32> {
  %r = convgrad.conv %x, %w padding = [1, 1] : (tensor<2x0x3xf32>, tensor<4x0x1xf32>) -> tensor<2x4x5xf32>
  return %r : tensor<2x4x5xf32>
}

// -----

// convgrad-fuzz-gen: a grouped transposed convolution (4 groups) of 0
// channels was lowered to a loop over the groups slicing a zero-size
// channel dimension, which does not verify. A zero-size operand now makes
// the result its initial value: the bias, broadcast.
// CHECK-LABEL: func.func @zero_channels_grouped_transpose
// CHECK-NOT: tensor.extract_slice
// CHECK-NOT: linalg.depthwise
// CHECK: linalg.generic
// CHECK: return %{{.*}} : tensor<?x0x4xf32>
func.func @zero_channels_grouped_transpose(%a0: tensor<?x3x0xf32>) -> tensor<?x0x4xf32> {
  %c1 = arith.constant dense<1.5> : tensor<0x1x1xf32>
  %c2 = arith.constant dense<1.5> : tensor<4xf32>
  %r0 = convgrad.conv_transpose %a0, %c1, %c2 output_padding = [1] strides = [5] padding = [6, 6] dilations = [4] groups = 4 layout = channels_last : (tensor<?x3x0xf32>, tensor<0x1x1xf32>, tensor<4xf32>) -> tensor<?x0x4xf32>
  return %r0 : tensor<?x0x4xf32>
}
