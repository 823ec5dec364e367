// An AVX2 target (znver3: 16 x 256-bit registers), whatever the machine
// that compiles: the tiling strategy sizes the register blocks for 16
// registers, and LLVM generates AVX2 code for the functions.
//
// 1. The blocks: the data gradient's convolution (56 columns, 64 channels)
//    in blocks of 6 columns x 16 channels (12 accumulator registers, where
//    AVX-512 takes 4 x 64) over a loop of the kernel columns: one tap's 2
//    filter vectors in registers (3 unrolled taps' 6 would leave room for
//    8 accumulators, too few to hide the FMA latency); the 2 columns left
//    in 2 x 32 blocks. The filter gradient's GEMMs (64 x 64, 56 positions)
//    take 6 x 16 blocks (12 accumulators, 2 lane vectors, a broadcast), not
//    2 x 32 (8 accumulators, fewer than the FMA chains need), and one 4 x 16
//    block of the 4 rows left (cpu::getGemmTiling). The 6 x 16
//    block's 12 FMAs per input channel (6 cycles) are short next to the
//    loop's own instructions: its reduction loop steps by 4 channels (one
//    vector<1x6x4> read of dy, 48 FMAs per iteration); the 2 x 32 blocks'
//    3 unrolled taps (24 FMAs) step by one.
// RUN: convgrad-opt %s --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=znver3},convgrad-cpu-wgrad-to-gemm,convgrad-decompose,convgrad-to-linalg,canonicalize,func.func(convgrad-tile-and-vectorize,convgrad-tile-and-vectorize-contractions),canonicalize)" \
// RUN:   | FileCheck %s --check-prefix=BLOCKS
// BLOCKS: module attributes {convgrad.cpu_target = {cpu = "znver3", {{.*}}vector_bits = 256 : i64, vector_registers = 16 : i64}}
// BLOCKS-LABEL: func.func @dgrad
// BLOCKS:         scf.for %{{.*}} = %c0 to %c54 step %c6
// BLOCKS:           scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args(%{{.*}}) -> (vector<1x6x16xf32>)
// BLOCKS:             scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args(%{{.*}}) -> (vector<1x6x16xf32>)
// BLOCKS:               scf.for %{{.*}} = %c0 to %c64 step %c4 iter_args(%{{.*}}) -> (vector<1x6x16xf32>)
// BLOCKS:                 vector.contract {{.*}} : vector<1x6x4xf32>, vector<4x16xf32> into vector<1x6x16xf32>
// BLOCKS:         scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args(%{{.*}}) -> (vector<1x2x32xf32>)
// BLOCKS:         vector.contract {{.*}} : vector<1x2x1xf32>, vector<1x32xf32> into vector<1x2x32xf32>
// BLOCKS-NOT:     vector<{{.*}}x64xf32>
// BLOCKS-LABEL: func.func @wgrad
// BLOCKS:         linalg.fill
// BLOCKS:         vector.contract {{.*}} : vector<8x6xf32>, vector<8x16xf32> into vector<6x16xf32>
// BLOCKS:         vector.contract {{.*}} : vector<8x4xf32>, vector<8x16xf32> into vector<4x16xf32>
//
// 2. The LLVM functions carry the target; the FMAs of a block row are 16
//    or 32 lanes (2 or 4 AVX2 registers), and the machine code has no 512-bit
//    instruction and no spill or reload in any block that runs FMAs.
// RUN: convgrad-opt %s --convgrad-cpu-pipeline="target-cpu=znver3" | FileCheck %s --check-prefix=LLVM
// LLVM-NOT: convgrad.cpu_target
// LLVM: llvm.func @dgrad({{.*}}target_cpu = "znver3"
// LLVM: llvm.intr.fmuladd({{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// LLVM: llvm.intr.fmuladd({{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32>
// LLVM-NOT: vector<64xf32>
// RUN: convgrad-opt %s --convgrad-cpu-pipeline="target-cpu=znver3" | mlir-translate --mlir-to-llvmir \
// RUN:   | llc -O2 | %python %S/Inputs/fma-loop-report.py | FileCheck %s --check-prefix=ASM
// ASM:      fma-blocks: {{[1-9][0-9]*}}
// ASM-NEXT: fma-blocks-with-spills: 0
// ASM-NEXT: zmm-instructions: 0
// ASM-NEXT: ymm-fma: {{[1-9][0-9]*}}
//    The data gradient's two FMA blocks broadcast their dy elements with
//    broadcast loads (the 4-channel steps too: not a vector load whose
//    elements shuffles move to all lanes), and so do the filter gradient's
//    two GEMM blocks, whose 6 x elements LLVM loads with 4 broadcast loads
//    and one 2-element vector (the one block with shuffles).
// ASM-NEXT: fma-blocks-with-broadcast-loads: 4
// ASM-NEXT: fma-blocks-with-shuffles: 1

func.func @dgrad(%dy: tensor<1x2x56x64xf32>, %w: tensor<64x3x3x64xf32>) -> tensor<1x2x56x64xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] layout = channels_last
      : (tensor<1x2x56x64xf32>, tensor<64x3x3x64xf32>) -> tensor<1x2x56x64xf32>
  return %dx : tensor<1x2x56x64xf32>
}

func.func @wgrad(%x: tensor<1x4x56x64xf32>, %dy: tensor<1x4x56x64xf32>) -> tensor<64x3x3x64xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] layout = channels_last
      : (tensor<1x4x56x64xf32>, tensor<1x4x56x64xf32>) -> tensor<64x3x3x64xf32>
  return %dw : tensor<64x3x3x64xf32>
}
