// The machine code of convolutions with few output channels
// (convgrad-cpu-narrow-convs-to-channels-first + width vectors of
// convgrad-tile-and-vectorize), the data gradient of an RGB stem in both
// layouts.
// Through the whole pipeline, on AVX2 (16 x 256-bit registers) and AVX-512:
// every FMA loop keeps its accumulators, input vectors and broadcasts in
// registers (no spill or reload), and AVX2 code has no 512-bit instruction.
// RUN: convgrad-opt %s --convgrad-cpu-pipeline="target-cpu=znver3" | mlir-translate --mlir-to-llvmir \
// RUN:   | llc -O2 | %python %S/Inputs/fma-loop-report.py | FileCheck %s --check-prefix=ASM-AVX2
// ASM-AVX2:      fma-blocks: {{[1-9][0-9]*}}
// ASM-AVX2-NEXT: fma-blocks-with-spills: 0
// ASM-AVX2-NEXT: zmm-instructions: 0
// RUN: convgrad-opt %s --convgrad-cpu-pipeline="target-cpu=x86-64-v4" | mlir-translate --mlir-to-llvmir \
// RUN:   | llc -O2 | %python %S/Inputs/fma-loop-report.py | FileCheck %s --check-prefix=ASM-AVX512
// ASM-AVX512:      fma-blocks: {{[1-9][0-9]*}}
// ASM-AVX512-NEXT: fma-blocks-with-spills: 0

func.func @stem_dgrad(%dy: tensor<2x16x16x16xf32>, %w: tensor<16x7x7x3xf32>) -> tensor<2x32x32x3xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [3, 3, 3, 3] layout = channels_last
    : (tensor<2x16x16x16xf32>, tensor<16x7x7x3xf32>) -> tensor<2x32x32x3xf32>
  return %dx : tensor<2x32x32x3xf32>
}
func.func @stem_dgrad_channels_first(%dy: tensor<2x64x56x56xf32>, %w: tensor<64x3x7x7xf32>) -> tensor<2x3x112x112xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [3, 3, 3, 3]
    : (tensor<2x64x56x56xf32>, tensor<64x3x7x7xf32>) -> tensor<2x3x112x112xf32>
  return %dx : tensor<2x3x112x112xf32>
}
