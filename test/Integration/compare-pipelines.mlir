// convgrad-run --compare-pipeline: one module through two pipelines, the same
// dyadic inputs on both sides, every output element compared (bit for bit:
// the sums of these linear layers are exact whatever their order).

// convgrad's pipeline against upstream MLIR's on linalg on tensors and a
// memref function in destination-passing style, with timing.
// RUN: convgrad-run %s --compare-pipeline=convgrad-upstream-cpu-pipeline --time=2 | FileCheck %s
// CHECK: PASS @linalg_conv: 160 elements are identical
// CHECK-NEXT: time @linalg_conv: {{.*}} ms vs {{.*}} ms (second/first {{.*}}x, median of 2)
// CHECK: PASS @matmul_dps: 40 elements are identical
// CHECK: convgrad-run: compared 'convgrad-cpu-pipeline' with 'convgrad-upstream-cpu-pipeline': all functions agree

// TOSA through upstream's path, sequential against OpenMP with 2 threads,
// with and without tosa-optional-decompositions (the transposed convolution
// needs them).
// RUN: convgrad-run %S/Inputs/compare-tosa.mlir --shared-libs=%libomp \
// RUN:   --pass-pipeline=convgrad-upstream-cpu-pipeline \
// RUN:   --compare-pipeline='convgrad-upstream-cpu-pipeline{num-threads=2}' | FileCheck %s --check-prefix=TOSA
// TOSA: PASS @strided_conv: 80 elements are identical
// TOSA: PASS @transpose_conv: 960 elements are identical
// TOSA: PASS @depthwise_multiplier: 216 elements are identical
// TOSA: all functions agree

// Unsupported signatures are reported, not run.
// RUN: not convgrad-run %S/Inputs/compare-bad-signature.mlir --compare-pipeline=convgrad-upstream-cpu-pipeline 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: @dynamic: argument or result of type tensor<?x4xf32> is not a statically shaped f16/bf16/f32/f64 tensor or identity-layout memref

func.func @linalg_conv(%x: tensor<2x6x7x3xf32>, %w: tensor<3x2x3x4xf32>) -> tensor<2x4x5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x4x5x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x4x5x4xf32>) -> tensor<2x4x5x4xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<2x6x7x3xf32>, tensor<3x2x3x4xf32>) outs(%acc : tensor<2x4x5x4xf32>) -> tensor<2x4x5x4xf32>
  return %y : tensor<2x4x5x4xf32>
}

func.func @matmul_dps(%a: memref<4x3xf32>, %b: memref<3x4xf32>, %c: memref<4x4xf32>) {
  linalg.matmul ins(%a, %b : memref<4x3xf32>, memref<3x4xf32>) outs(%c : memref<4x4xf32>)
  return
}

// Private functions are not entry points.
func.func private @helper(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
