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
