// The wgrad GEMMs of --convgrad-cpu-wgrad-to-gemm (AVX-512 target) become
// register blocks: per output row (n, oh), row-tile x lane-tile blocks of the
// [A, B] accumulator, each reduced over reduction-tile output columns at a
// time by a vector.contract of outer products; no linalg op is left in the
// loops.

// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=x86-64-v4},convgrad-cpu-wgrad-to-gemm,convgrad-decompose,canonicalize,convgrad-to-linalg,canonicalize,func.func(convgrad-tile-and-vectorize-contractions),canonicalize,cse)" | FileCheck %s

// C = F = 64: lanes along C. Loops: image, taps, passes of 4 output rows
// (convgrad.gemm_pass_rows: 4 rows of 16 x 64 f32 and their broadcast lines
// fit three quarters of the target's 32 KiB L1), 4-row blocks of f, then
// the pass's rows and 8 columns of ow; the 4 x 64 block is read before the
// pass's rows, carried through them and the ow loop as a vector, and
// written once per pass.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[ACC:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @wgrad
// CHECK-NOT:   scf.forall
// CHECK:       scf.for %[[N:.*]] = %c0 to %c2
// CHECK:         scf.for %[[KH:.*]] = %c0 to %c3
// CHECK:           scf.for %[[KW:.*]] = %c0 to %c3
// CHECK:             scf.for %[[PASS:.*]] = %c0 to %c16 step %c4
// CHECK:               scf.for %[[F:.*]] = %c0 to %c64 step %c4
// CHECK:                 %[[INIT:.*]] = vector.transfer_read %{{.*}} vector<4x64xf32>
// CHECK-NOT:             vector.transfer_write
// CHECK:                 %[[ROWS:.*]] = scf.for %[[ROW:.*]] = %c0 to %c4 step %c1 iter_args(%[[PBLK:.*]] = %[[INIT]]) -> (vector<4x64xf32>)
// CHECK:                   %[[BLKS:.*]] = scf.for %[[OW:.*]] = %c0 to %c16 step %c8 iter_args(%[[BLK:.*]] = %[[PBLK]]) -> (vector<4x64xf32>)
// CHECK:                     %[[OH:.*]] = affine.apply #{{.*}}(){{\[}}%[[PASS]], %[[ROW]]{{\]}}
// CHECK-DAG:                 %[[DY:.*]] = vector.transfer_read %{{.*}}[%[[N]], %[[OH]], %[[OW]], %[[F]]]{{.*}} vector<8x4xf32>
// CHECK-DAG:                 %[[X:.*]] = vector.transfer_read %{{.*}} vector<8x64xf32>
// CHECK:                     %[[R:.*]] = vector.contract {indexing_maps = [#[[LHS]], #[[RHS]], #[[ACC]]], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %[[DY]], %[[X]], %[[BLK]] : vector<8x4xf32>, vector<8x64xf32> into vector<4x64xf32>
// CHECK:                     scf.yield %[[R]]
// CHECK:                   scf.yield %[[BLKS]]
// CHECK:                 vector.transfer_write %[[ROWS]]
// CHECK-NOT:   linalg.generic
// PAR-LABEL: func.func @wgrad
// PAR:         scf.forall (%{{.*}}) = (0) to (64) step (32)
// PAR:           vector.contract
func.func @wgrad(%x: tensor<2x16x16x64xf32>, %dy: tensor<2x16x16x64xf32>) -> tensor<64x3x3x64xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] layout = channels_last : (tensor<2x16x16x64xf32>, tensor<2x16x16x64xf32>) -> tensor<64x3x3x64xf32>
  return %dw : tensor<64x3x3x64xf32>
}

// -----

// A stem (C = 3): lanes along F = 64, x broadcast; with two tasks the 64
// lanes are split into two blocks of 32.
// CHECK-LABEL: func.func @stem
// CHECK:         vector.contract {{.*}} : vector<8x3xf32>, vector<8x64xf32> into vector<3x64xf32>
// PAR-LABEL: func.func @stem
// PAR:         scf.forall (%{{.*}}) = (0) to (64) step (32)
// PAR:           vector.contract {{.*}} : vector<8x3xf32>, vector<8x32xf32> into vector<3x32xf32>
func.func @stem(%x: tensor<1x3x31x31xf32>, %dy: tensor<1x64x16x16xf32>) -> tensor<64x3x7x7xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [3, 3, 3, 3] : (tensor<1x3x31x31xf32>, tensor<1x64x16x16xf32>) -> tensor<64x3x7x7xf32>
  return %dw : tensor<64x3x7x7xf32>
}

// -----

// C = F = 67 (prime): the GEMM tiling carries split points (64, 64), and
// each tap's [67, 67] block is computed as four static parts: 4 x 64
// register blocks of the first 64 x 64, then the 64 x 3 lane remainder with
// its operands exchanged (convgrad.gemm_swapped_remainder_lanes = 64) on its
// transposed block: 3 broadcasts x 4 full vectors, not 64 FMAs of 3 useful
// lanes; then one block of the 3 remaining rows, and of the 3 x 3 corner
// (narrow vectors, not scalar loops); each part is written into its slice of
// the block.
// CHECK-LABEL: func.func @wgrad_prime_channels
// CHECK:         vector.contract {{.*}} : vector<4x4xf32>, vector<4x64xf32> into vector<4x64xf32>
// CHECK:         tensor.insert_slice {{.*}}[0, 0] [64, 64] [1, 1] : tensor<64x64xf32> into tensor<67x67xf32>
// CHECK:         linalg.transpose ins({{.*}} : tensor<64x3xf32>) outs({{.*}} : tensor<3x64xf32>) permutation = [1, 0]
// CHECK:         vector.contract {{.*}} : vector<4x3xf32>, vector<4x64xf32> into vector<3x64xf32>
// CHECK:         linalg.transpose ins({{.*}} : tensor<3x64xf32>) outs({{.*}} : tensor<64x3xf32>) permutation = [1, 0]
// CHECK:         tensor.insert_slice {{.*}}[0, 64] [64, 3] [1, 1] : tensor<64x3xf32> into tensor<67x67xf32>
// CHECK:         vector.contract {{.*}} : vector<4x3xf32>, vector<4x64xf32> into vector<3x64xf32>
// CHECK:         tensor.insert_slice {{.*}}[64, 0] [3, 64] [1, 1] : tensor<3x64xf32> into tensor<67x67xf32>
// CHECK:         vector.contract {{.*}} : vector<4x3xf32>, vector<4x3xf32> into vector<3x3xf32>
// CHECK:         tensor.insert_slice {{.*}}[64, 64] [3, 3] [1, 1] : tensor<3x3xf32> into tensor<67x67xf32>
// CHECK-NOT:     linalg.generic
func.func @wgrad_prime_channels(%x: tensor<1x6x6x67xf32>, %dy: tensor<1x4x4x67xf32>) -> tensor<67x3x3x67xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy layout = channels_last : (tensor<1x6x6x67xf32>, tensor<1x4x4x67xf32>) -> tensor<67x3x3x67xf32>
  return %dw : tensor<67x3x3x67xf32>
}

// -----

// convgrad.gemm_lane_blocks_outer (the channels-first pointwise GEMMs of
// --convgrad-cpu-pointwise-conv-as-gemm): the blocks of 64 lanes (positions)
// are the outermost loop, then the chunks of the reduction, then the 4-row
// blocks (filters), so that one chunk x 64 block of x stays in L1 while all
// filter blocks reuse it. The 16 positions after the split at 128 are one
// block of their own.
// CHECK-LABEL: func.func @lane_blocks_outer
// CHECK:       scf.for %[[P:.*]] = %c0 to %c128 step %c64
// CHECK:         scf.for %[[CH:.*]] = %c0 to %c2 step %c1
// CHECK:           scf.for %[[K:.*]] = %c0 to %c8 step %c4
// CHECK:             vector.transfer_read %{{.*}} vector<4x64xf32>
// CHECK:             scf.for %{{.*}} = %c0 to %c16 step %c8
// CHECK:               vector.contract {{.*}} : vector<8x4xf32>, vector<8x64xf32> into vector<4x64xf32>
// CHECK:       scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK:         scf.for %{{.*}} = %c0 to %c8 step %c4
// CHECK:           vector.contract {{.*}} : vector<8x4xf32>, vector<8x16xf32> into vector<4x16xf32>
// CHECK-NOT:   linalg.generic
#wt = affine_map<(a, b, n, ch, c) -> (n, ch, c, a)>
#x = affine_map<(a, b, n, ch, c) -> (n, ch, c, b)>
#blk = affine_map<(a, b, n, ch, c) -> (a, b)>
func.func @lane_blocks_outer(%w: tensor<1x2x16x8xf32>, %x: tensor<1x2x16x144xf32>, %o: tensor<8x144xf32>) -> tensor<8x144xf32> {
  %r = linalg.generic {indexing_maps = [#wt, #x, #blk], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%w, %x : tensor<1x2x16x8xf32>, tensor<1x2x16x144xf32>) outs(%o : tensor<8x144xf32>) attrs = {convgrad.gemm_lane_blocks_outer, convgrad.gemm_tiling = array<i64: 4, 64, 8, 0, 128>} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x144xf32>
  return %r : tensor<8x144xf32>
}
