// RUN: convgrad-opt %s -split-input-file -verify-diagnostics
//
// Inputs found by the fuzzers (tools/convgrad-fuzz, docs/robustness.md),
// minimized. Each one used to crash (ASan/UBSan report or assertion) or
// miscompile; now the verifier or the pass rejects it with a message at the
// op.

// convgrad-fuzz-gen: UBSan signed-integer-overflow in the insert_zeros
// verifier computing (size - 1) * stride + 1 with a huge stride.
func.func @insert_zeros_huge_stride(%a: tensor<3xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{'strides' entries must be <=}}
  %r = convgrad.insert_zeros %a strides = [9223372036854775807] : tensor<3xf32> -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// The same overflow with an allowed stride and a huge size.
func.func @insert_zeros_huge_size(%a: tensor<4611686018427387904xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{result dimension 0 overflows: (size - 1) * stride + 1 with size 4611686018427387904 and stride 4 does not fit in 64 bits}}
  %r = convgrad.insert_zeros %a strides = [4] : tensor<4611686018427387904xf32> -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// convgrad-fuzz-gen: a kernel of size 0 verified (its dilated extent
// (K - 1) * d + 1 is <= 0) and --convgrad-to-linalg then built a
// tensor.extract_slice that does not verify.
func.func @zero_kernel(%dy: tensor<?x6x0xf32>, %w: tensor<0x0x0xf32>) -> tensor<?x5x0xf32> {
  // expected-error @+1 {{'filter' dimension 1 (kernel size of spatial dimension 0) is 0; kernel sizes must be >= 1}}
  %r = convgrad.conv_backward_data %dy, %w strides = [1] padding = [0, 0] dilations = [1] groups = 1 layout = channels_last : (tensor<?x6x0xf32>, tensor<0x0x0xf32>) -> tensor<?x5x0xf32>
  return %r : tensor<?x5x0xf32>
}

// -----

func.func @zero_kernel_wgrad(%x: tensor<1x2x4xf32>, %dy: tensor<1x3x5xf32>) -> tensor<3x2x0xf32> {
  // expected-error @+1 {{'grad_filter' dimension 2 (kernel size of spatial dimension 0) is 0; kernel sizes must be >= 1}}
  %r = convgrad.conv_backward_filter %x, %dy : (tensor<1x2x4xf32>, tensor<1x3x5xf32>) -> tensor<3x2x0xf32>
  return %r : tensor<3x2x0xf32>
}
