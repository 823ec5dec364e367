// --convgrad-cpu-wgrad-to-gemm (AVX-512 target): per image n and kernel tap k, the GEMM
//   acc[k] (A x B) += sum over o of A-op[n, o, a] * B-op[n, o, b]
// with B (the vector lanes later) the larger of C and F (C on ties), x read
// through a strided window xpad[n, k*d + o*s, :] and every map a projected
// permutation. Grouped wgrads keep the forward-convolution form.
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v4" --convgrad-cpu-wgrad-to-gemm --canonicalize | FileCheck %s
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v4" --convgrad-cpu-wgrad-to-gemm="block-bytes=2048" --canonicalize | FileCheck %s --check-prefix=ROWS
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v4" --convgrad-cpu-wgrad-to-gemm="block-bytes=2560" --canonicalize | FileCheck %s --check-prefix=STAGED

// Channels-last, F = 16 > C = 8: lanes along F, rows along C.
// CHECK-DAG: #[[XMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d3, d4, d0)>
// CHECK-DAG: #[[DYMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d3, d4, d1)>
// CHECK-DAG: #[[BLOCK:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>
// CHECK-LABEL: func.func @wgrad_cl
// CHECK-SAME: (%[[X:.*]]: tensor<2x10x10x8xf32>, %[[DY:.*]]: tensor<2x10x10x16xf32>)
// CHECK: %[[XP:.*]] = tensor.pad %[[X]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[ACC:.*]] = linalg.fill {{.*}} -> tensor<72x16xf32>
// The dy slice of a work item is taken once, outside the tap loops.
// CHECK: %[[LOOP:.*]] = scf.for %[[N:.*]] = %c0 to %c2 step %c1 iter_args(%{{.*}} = %[[ACC]])
// CHECK:   %[[DYN:.*]] = tensor.extract_slice %[[DY]][%[[N]], 0, 0, 0] [1, 10, 10, 16] [1, 1, 1, 1]
// CHECK:   scf.for %[[KH:.*]] = %c0 to %c3
// CHECK:     scf.for %[[KW:.*]] = %c0 to %c3 {{.*}} iter_args(%[[ITER:.*]] = %{{.*}})
// CHECK:       %[[XK:.*]] = tensor.extract_slice %[[XP]][%[[N]], %[[KH]], %[[KW]], 0] [1, 10, 10, 8] [1, 1, 1, 1]
// CHECK:       %[[BLK:.*]] = tensor.extract_slice %[[ITER]][%[[ROW:.*]], 0] [8, 16] [1, 1] : tensor<72x16xf32> to tensor<8x16xf32>
// CHECK:       %[[G:.*]] = linalg.generic {indexing_maps = [#[[XMAP]], #[[DYMAP]], #[[BLOCK]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[XK]], %[[DYN]] : {{.*}}) outs(%[[BLK]] : tensor<8x16xf32>)
// Passes of all 10 output rows: a row of the lane operand (10 x 16 f32) and
// its 10 broadcast lines take 1.25 KiB, 24 KiB fit (getGemmPassRows).
// CHECK-SAME:    attrs = {convgrad.gemm_pass_rows = 10 : i64, convgrad.gemm_tiling = array<i64: 4, 16, 5>}
// CHECK:         arith.mulf
// CHECK:         arith.addf
// CHECK:       tensor.insert_slice %[[G]] into %[[ITER]][%[[ROW]], 0] [8, 16] [1, 1]
// CHECK: %[[E2:.*]] = tensor.expand_shape %[[LOOP]] {{.*}} output_shape [3, 3, 8, 16]
// CHECK: %[[DW:.*]] = linalg.transpose ins(%[[E2]] : tensor<3x3x8x16xf32>) outs(%{{.*}} : tensor<16x3x3x8xf32>) permutation = [3, 0, 1, 2]
// CHECK: return %[[DW]]
// CHECK-NOT: convgrad.conv
// With a 2 KiB budget for the dy slice of one GEMM (one row: 10 x 16 f32 =
// 640 B), blocks of 2 output rows (the largest divisor of 10 with <= 3 rows):
// tap (kh, kw) of block j reads x rows kh + 2j, kh + 2j + 1.
// ROWS-LABEL: func.func @wgrad_cl
// ROWS: scf.for %[[N:[^ ]*]] = %c0 to %c2
// ROWS:   scf.for %[[J:[^ ]*]] = %c0 to %c5
// ROWS:     %[[ROW:.*]] = arith.muli %[[J]], %c2
// ROWS:     tensor.extract_slice %{{.*}}[%[[N]], %[[ROW]], 0, 0] [1, 2, 10, 16] [1, 1, 1, 1]
// ROWS:     scf.for %[[KH:[^ ]*]] = %c0 to %c3
// ROWS:       scf.for %[[KW:[^ ]*]] = %c0 to %c3
// ROWS:         %[[XROW:.*]] = arith.addi %[[KH]], %[[ROW]]
// ROWS:         tensor.extract_slice %{{.*}}[%[[N]], %[[XROW]], %[[KW]], 0] [1, 2, 10, 8] [1, 1, 1, 1]
// ROWS:         linalg.generic
func.func @wgrad_cl(%x: tensor<2x10x10x8xf32>, %dy: tensor<2x10x10x16xf32>) -> tensor<16x3x3x8xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] layout = channels_last : (tensor<2x10x10x8xf32>, tensor<2x10x10x16xf32>) -> tensor<16x3x3x8xf32>
  return %dw : tensor<16x3x3x8xf32>
}

// -----

// Channels-first, strided and dilated, C = 32 > F = 4 (one image: no
// image loop after canonicalization). A padded row of x has 11 positions,
// fewer than a transpose tile (16 on AVX-512): no staged slices
// (cpu::planWgradStaging), x and dy are transposed to channels-last as whole
// tensors, the window of tap k starts at k * d = 2k and
// steps by s = 2; lanes along C. The [F, C, KH, KW] result comes from the
// [KH, KW, F, C] accumulator with one transpose.
// Ke = 5, O = (11 - 5) / 2 + 1 = 4, r = 0.
// CHECK-LABEL: func.func @wgrad_cf_strided_dilated
// CHECK-SAME: (%[[X:.*]]: tensor<1x32x11x11xf32>, %[[DY:.*]]: tensor<1x4x4x4xf32>)
// CHECK-DAG: %[[XT:.*]] = linalg.transpose ins(%[[X]] : {{.*}}) outs(%{{.*}} : tensor<1x11x11x32xf32>) permutation = [0, 2, 3, 1]
// CHECK-DAG: %[[DYT:.*]] = linalg.transpose ins(%[[DY]] : {{.*}}) outs(%{{.*}} : tensor<1x4x4x4xf32>) permutation = [0, 2, 3, 1]
// CHECK: scf.for %[[KH:[^ ]*]] =
// CHECK:   scf.for %[[KW:[^ ]*]] =
// CHECK-DAG:   %[[OH:.*]] = arith.muli %[[KH]], %c2
// CHECK-DAG:   %[[OW:.*]] = arith.muli %[[KW]], %c2
// CHECK:       %[[XK:.*]] = tensor.extract_slice %[[XT]][0, %[[OH]], %[[OW]], 0] [1, 4, 4, 32] [1, 2, 2, 1]
// CHECK:       linalg.generic {{.*}} ins(%{{.*}}, %[[XK]] : tensor<1x4x4x4xf32>, tensor<1x4x4x32xf32>) outs(%{{.*}} : tensor<4x32xf32>)
// CHECK: linalg.transpose ins(%{{.*}} : tensor<3x3x4x32xf32>) outs(%{{.*}} : tensor<4x32x3x3xf32>) permutation = [2, 3, 0, 1]
func.func @wgrad_cf_strided_dilated(%x: tensor<1x32x11x11xf32>, %dy: tensor<1x4x4x4xf32>) -> tensor<4x32x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] dilations = [2, 2] : (tensor<1x32x11x11xf32>, tensor<1x4x4x4xf32>) -> tensor<4x32x3x3xf32>
  return %dw : tensor<4x32x3x3xf32>
}

// -----

// f16: the accumulator is f32 and is truncated at the end; the batch may be
// dynamic (a dynamic bound of the image loop, static GEMMs).
// CHECK-LABEL: func.func @wgrad_f16_dynamic_batch
// CHECK: linalg.fill {{.*}} -> tensor<144x16xf32>
// CHECK: %[[N:.*]] = tensor.dim %{{.*}}, %c0 : tensor<?x10x10x16xf16>
// CHECK: scf.for %{{.*}} = %c0 to %[[N]] step %c1
// CHECK:   linalg.generic
// CHECK:     arith.extf
// CHECK:     arith.extf
// CHECK:     arith.mulf {{.*}} : f32
// CHECK: arith.truncf
// CHECK: linalg.transpose {{.*}} outs(%{{.*}} : tensor<16x3x3x16xf16>)
func.func @wgrad_f16_dynamic_batch(%x: tensor<?x8x8x16xf16>, %dy: tensor<?x8x8x16xf16>) -> tensor<16x3x3x16xf16> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] layout = channels_last : (tensor<?x8x8x16xf16>, tensor<?x8x8x16xf16>) -> tensor<16x3x3x16xf16>
  return %dw : tensor<16x3x3x16xf16>
}

// -----

// 1-D: one tap loop; no passes of rows (the GEMM has a single output
// dimension).
// CHECK-LABEL: func.func @wgrad_1d
// CHECK: scf.for
// CHECK:   scf.for %{{.*}} = %c0 to %c3
// CHECK:     linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME:  tensor<1x10x4xf32>, tensor<1x10x8xf32>
// CHECK-NOT:   gemm_pass_rows
// CHECK-SAME:  attrs = {convgrad.gemm_tiling
func.func @wgrad_1d(%x: tensor<2x4x10xf32>, %dy: tensor<2x8x10xf32>) -> tensor<8x4x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1] : (tensor<2x4x10xf32>, tensor<2x8x10xf32>) -> tensor<8x4x3xf32>
  return %dw : tensor<8x4x3xf32>
}

// -----

// Grouped: the forward-convolution form.
// CHECK-LABEL: func.func @wgrad_grouped
// CHECK-NOT: linalg.generic
// CHECK: convgrad.conv
func.func @wgrad_grouped(%x: tensor<2x8x6x6xf32>, %dy: tensor<2x8x6x6xf32>) -> tensor<8x4x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 2 : (tensor<2x8x6x6xf32>, tensor<2x8x6x6xf32>) -> tensor<8x4x3x3xf32>
  return %dw : tensor<8x4x3x3xf32>
}

// -----

// Channels-first with rows of 20 positions: every work item (image, block of
// output rows) stages its slices in channels-last buffers created once and
// carried by the loops, instead of whole-tensor transposes and a pad. dy:
// one transpose of the block's rows. x: a zero fill of the staged
// [1, rows + 2, 22, 8] buffer, then one transpose per input row that is not
// padding (rows [1, 11) of the padded image: one block per image here, the
// bounds fold), into the interior columns [1, 21). The taps read the staged
// x at k * d and the staged dy as a whole.
// CHECK-LABEL: func.func @wgrad_cf_staged
// CHECK-SAME: (%[[X:.*]]: tensor<2x8x10x20xf32>, %[[DY:.*]]: tensor<2x16x10x20xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[ACC:.*]] = linalg.fill {{.*}} -> tensor<72x16xf32>
// CHECK: %[[XS0:.*]] = bufferization.alloc_tensor() : tensor<1x12x22x8xf32>
// CHECK: %[[DYS0:.*]] = bufferization.alloc_tensor() : tensor<1x10x20x16xf32>
// CHECK: scf.for %[[N:.*]] = %c0 to %c2 step %c1 iter_args(%[[A:.*]] = %[[ACC]], %[[XS:.*]] = %[[XS0]], %[[DYS:.*]] = %[[DYS0]])
// CHECK:   %[[DYN:.*]] = tensor.extract_slice %[[DY]][%[[N]], 0, 0, 0] [1, 16, 10, 20] [1, 1, 1, 1]
// CHECK:   %[[DYT:.*]] = linalg.transpose ins(%[[DYN]] : tensor<1x16x10x20xf32>) outs(%[[DYS]] : tensor<1x10x20x16xf32>) permutation = [0, 2, 3, 1]
// CHECK:   %[[ZERO:.*]] = linalg.fill {{.*}} outs(%[[XS]] : tensor<1x12x22x8xf32>)
// CHECK:   %[[XT:.*]] = scf.for %[[J:.*]] = %c1 to %c11 step %c1 iter_args(%[[XBUF:.*]] = %[[ZERO]])
// CHECK:     %[[XROW:.*]] = arith.addi %[[J]], %c-1
// CHECK:     %[[SRC:.*]] = tensor.extract_slice %[[X]][%[[N]], 0, %[[XROW]], 0] [1, 8, 1, 20] [1, 1, 1, 1]
// CHECK:     %[[DST:.*]] = tensor.extract_slice %[[XBUF]][0, %[[J]], 1, 0] [1, 1, 20, 8] [1, 1, 1, 1]
// CHECK:     %[[T:.*]] = linalg.transpose ins(%[[SRC]] : tensor<1x8x1x20xf32>) outs(%[[DST]] : tensor<1x1x20x8xf32>) permutation = [0, 2, 3, 1]
// CHECK:     tensor.insert_slice %[[T]] into %[[XBUF]][0, %[[J]], 1, 0] [1, 1, 20, 8] [1, 1, 1, 1]
// CHECK:   scf.for %[[KH:.*]] = %c0 to %c3
// CHECK:     scf.for %[[KW:.*]] = %c0 to %c3
// CHECK:       %[[XK:.*]] = tensor.extract_slice %[[XT]][0, %[[KH]], %[[KW]], 0] [1, 10, 20, 8] [1, 1, 1, 1]
// CHECK:       linalg.generic {{.*}} ins(%[[XK]], %[[DYT]] : tensor<1x10x20x8xf32>, tensor<1x10x20x16xf32>) outs(%{{.*}} : tensor<8x16xf32>)
// CHECK:   scf.yield %{{.*}}, %[[XT]], %[[DYT]]
// Blocks of 2 output rows (a 2.5 KiB dy budget): the staged x holds the 4
// padded rows 2j .. 2j + 3 of block j, input rows 2j - 1 ..; the rows that
// are padding (the first row of block 0, the last of block 4) keep the fill:
// the copied rows are [clamp(1 - 2j), clamp(11 - 2j)), clamp to [0, 4].
// STAGED-LABEL: func.func @wgrad_cf_staged
// STAGED: scf.for %[[N:.*]] = %c0 to %c2
// STAGED:   scf.for %[[J:.*]] = %c0 to %c5 {{.*}} -> (tensor<72x16xf32>, tensor<1x4x22x8xf32>, tensor<1x2x20x16xf32>)
// STAGED:     %[[ROW:.*]] = arith.muli %[[J]], %c2
// STAGED:     tensor.extract_slice %{{.*}}[%[[N]], 0, %[[ROW]], 0] [1, 16, 2, 20] [1, 1, 1, 1]
// STAGED:     %[[FIRST:.*]] = arith.subi %[[ROW]], %c1
// STAGED:     linalg.fill {{.*}} -> tensor<1x4x22x8xf32>
// STAGED:     %[[TOP0:.*]] = arith.subi %c1, %[[ROW]]
// STAGED:     %[[TOP1:.*]] = arith.maxsi %[[TOP0]], %c0
// STAGED:     %[[TOP:.*]] = arith.minsi %[[TOP1]], %c4
// STAGED:     %[[BOT0:.*]] = arith.subi %c11, %[[ROW]]
// STAGED:     %[[BOT1:.*]] = arith.maxsi %[[BOT0]], %c0
// STAGED:     %[[BOT:.*]] = arith.minsi %[[BOT1]], %c4
// STAGED:     scf.for %[[R:.*]] = %[[TOP]] to %[[BOT]] step %c1
// STAGED:       %[[XROW:.*]] = arith.addi %[[FIRST]], %[[R]]
// STAGED:       tensor.extract_slice %{{.*}}[%[[N]], 0, %[[XROW]], 0] [1, 8, 1, 20]
// STAGED:       linalg.transpose
func.func @wgrad_cf_staged(%x: tensor<2x8x10x20xf32>, %dy: tensor<2x16x10x20xf32>) -> tensor<16x8x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] : (tensor<2x8x10x20xf32>, tensor<2x16x10x20xf32>) -> tensor<16x8x3x3xf32>
  return %dw : tensor<16x8x3x3xf32>
}

// -----

// Staged without padding (1x1): the x rows of a block are one slab of x,
// moved by one transpose, like dy's.
// Then the lines of the next work item's rows (image min(n + 1, 1)), in
// two loops marked for convgrad-cpu-spread-prefetches: dy's 8 x 24 = 192
// elements of each of its 32 channels, one run, at elements 0, 16, .., 176
// and 191 (13 per channel); x's 8 rows of 24 elements of each of its 16
// channels, at columns 0, 16 and 23 (3 per row).
// CHECK-LABEL: func.func @wgrad_cf_staged_unpadded
// CHECK-SAME: (%[[X:.*]]: tensor<2x16x8x24xf32>, %[[DY:.*]]: tensor<2x32x8x24xf32>)
// CHECK-NOT: linalg.fill {{.*}} -> tensor<1x8x24x16xf32>
// CHECK: scf.for %[[N:.*]] = %c0 to %c2 step %c1 iter_args(%{{.*}} = %{{.*}}, %[[XS:.*]] = %{{.*}}, %[[DYS:.*]] = %{{.*}})
// CHECK:   %[[DYT:.*]] = linalg.transpose ins(%{{.*}} : tensor<1x32x8x24xf32>) outs(%[[DYS]] : tensor<1x8x24x32xf32>)
// CHECK:   %[[XN:.*]] = tensor.extract_slice %[[X]][%[[N]], 0, 0, 0] [1, 16, 8, 24] [1, 1, 1, 1]
// CHECK:   %[[XT:.*]] = linalg.transpose ins(%[[XN]] : tensor<1x16x8x24xf32>) outs(%[[XS]] : tensor<1x8x24x16xf32>)
// CHECK:   %[[N1:.*]] = arith.addi %[[N]], %c1
// CHECK:   %[[NEXT:.*]] = arith.minui %[[N1]], %c1
// CHECK:   %[[DYB:.*]] = bufferization.to_buffer %[[DY]] read_only
// CHECK:   scf.for %[[J:.*]] = %c0 to %c416 step %c1 {
// CHECK:     %[[F:.*]] = arith.divui %[[J]], %c13
// CHECK:     %[[P:.*]] = arith.remui %[[J]], %c13
// CHECK:     %[[E0:.*]] = arith.muli %[[P]], %c16
// CHECK:     %[[E:.*]] = arith.minui %[[E0]], %c191
// CHECK:     %[[ROW:.*]] = arith.divui %[[E]], %c24
// CHECK:     %[[COL:.*]] = arith.remui %[[E]], %c24
// CHECK:     memref.prefetch %[[DYB]][%[[NEXT]], %[[F]], %[[ROW]], %[[COL]]], read, locality<2>, data
// CHECK:   } {convgrad.spread_prefetches}
// CHECK:   %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK:   scf.for %[[J:.*]] = %c0 to %c384 step %c1 {
// CHECK:     %[[R:.*]] = arith.divui %[[J]], %c3
// CHECK:     %[[P:.*]] = arith.remui %[[J]], %c3
// CHECK:     %[[COL0:.*]] = arith.muli %[[P]], %c16
// CHECK:     %[[COL:.*]] = arith.minui %[[COL0]], %c23
// CHECK:     %[[C:.*]] = arith.divui %[[R]], %c8
// CHECK:     %[[ROW:.*]] = arith.remui %[[R]], %c8
// CHECK:     memref.prefetch %[[XB]][%[[NEXT]], %[[C]], %{{.*}}, %[[COL]]], read, locality<2>, data
// CHECK:   } {convgrad.spread_prefetches}
// CHECK:   linalg.generic {{.*}} ins(%[[XT]], %[[DYT]] : tensor<1x8x24x16xf32>, tensor<1x8x24x32xf32>)
func.func @wgrad_cf_staged_unpadded(%x: tensor<2x16x8x24xf32>, %dy: tensor<2x32x8x24xf32>) -> tensor<32x16x1x1xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy : (tensor<2x16x8x24xf32>, tensor<2x32x8x24xf32>) -> tensor<32x16x1x1xf32>
  return %dw : tensor<32x16x1x1xf32>
}

// -----

// C = F: the staged x and dy have one type, and are still two buffers
// (alloc_tensor, which CSE does not merge; two merged tensor.empty ops, never
// read before written, would bufferize to one allocation for both).
// CHECK-LABEL: func.func @wgrad_cf_staged_same_types
// CHECK: %[[XS:.*]] = bufferization.alloc_tensor() : tensor<1x8x24x16xf32>
// CHECK: %[[DYS:.*]] = bufferization.alloc_tensor() : tensor<1x8x24x16xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1 iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %[[XS]], %{{.*}} = %[[DYS]])
func.func @wgrad_cf_staged_same_types(%x: tensor<2x16x8x24xf32>, %dy: tensor<2x16x8x24xf32>) -> tensor<16x16x1x1xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy : (tensor<2x16x8x24xf32>, tensor<2x16x8x24xf32>) -> tensor<16x16x1x1xf32>
  return %dw : tensor<16x16x1x1xf32>
}

// -----

// 67 channels (64 + 3): the GEMM carries split points (64, 64) and the lanes
// per block of its exchanged lane remainder (3 x 64 instead of 64 x 3 lanes
// of a masked vector, cpu::chooseSwappedLaneRemainderTile).
// CHECK-LABEL: func.func @prime_channels
// CHECK:         linalg.generic {{.*}} convgrad.gemm_swapped_remainder_lanes = 64 : i64, {{.*}}convgrad.gemm_tiling = array<i64: 4, 64, {{[0-9]+}}, 64, 64>
func.func @prime_channels(%x: tensor<1x8x8x67xf32>, %dy: tensor<1x8x8x67xf32>) -> tensor<67x3x3x67xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] layout = channels_last : (tensor<1x8x8x67xf32>, tensor<1x8x8x67xf32>) -> tensor<67x3x3x67xf32>
  return %dw : tensor<67x3x3x67xf32>
}

// -----

// 35 filters (lanes along F, 140 bytes per position): the staged dy holds
// each position's channels in whole cache lines (48 f32, 3 lines), so that
// no lane vector of the GEMM splits a line; the transpose writes its first
// 35 channels, the GEMM reads them. x, the broadcast operand, keeps its 8.
// CHECK-LABEL: func.func @wgrad_cf_staged_lane_pitch
// CHECK: bufferization.alloc_tensor() : tensor<1x12x22x8xf32>
// CHECK: %[[DYS:.*]] = bufferization.alloc_tensor() : tensor<1x10x20x48xf32>
// CHECK: scf.for %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %[[DYB:.*]] = %[[DYS]])
// CHECK:   %[[DYSLOT:.*]] = tensor.extract_slice %[[DYB]][0, 0, 0, 0] [1, 10, 20, 35] [1, 1, 1, 1]
// CHECK:   %[[DYT:.*]] = linalg.transpose ins(%{{.*}} : tensor<1x35x10x20xf32>) outs(%[[DYSLOT]] : tensor<1x10x20x35xf32>)
// CHECK:   linalg.generic {{.*}} ins(%{{.*}}, %[[DYT]] : tensor<1x10x20x8xf32>, tensor<1x10x20x35xf32>)
func.func @wgrad_cf_staged_lane_pitch(%x: tensor<2x8x10x20xf32>, %dy: tensor<2x35x10x20xf32>) -> tensor<35x8x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] : (tensor<2x8x10x20xf32>, tensor<2x35x10x20xf32>) -> tensor<35x8x3x3xf32>
  return %dw : tensor<35x8x3x3xf32>
}

// -----

// The same channels-last: dy, read in place, would put its 35 channels (140
// bytes) as the lanes of every position: each work item copies its dy rows
// into a buffer of 48 per position (cpu::planWgradStaging), and the GEMM
// reads the copy's first 35; x, the broadcast operand, is read in place.
// CHECK-LABEL: func.func @wgrad_cl_staged_lane_pitch
// CHECK: %[[DYS:.*]] = bufferization.alloc_tensor() : tensor<1x10x20x48xf32>
// CHECK: scf.for %{{.*}} iter_args(%{{.*}} = %{{.*}}, %[[DYB:.*]] = %[[DYS]])
// CHECK:   %[[DYSLOT:.*]] = tensor.extract_slice %[[DYB]][0, 0, 0, 0] [1, 10, 20, 35] [1, 1, 1, 1]
// CHECK:   %[[DYC:.*]] = linalg.copy ins(%{{.*}} : tensor<1x10x20x35xf32>) outs(%[[DYSLOT]] : tensor<1x10x20x35xf32>)
// CHECK:   linalg.generic {{.*}} ins(%{{.*}}, %[[DYC]] : tensor<1x10x20x8xf32>, tensor<1x10x20x35xf32>)
func.func @wgrad_cl_staged_lane_pitch(%x: tensor<2x10x20x8xf32>, %dy: tensor<2x10x20x35xf32>) -> tensor<35x3x3x8xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] layout = channels_last : (tensor<2x10x20x8xf32>, tensor<2x10x20x35xf32>) -> tensor<35x3x3x8xf32>
  return %dw : tensor<35x3x3x8xf32>
}

// -----

// Rows of dy wider than the L1 share (40 x 256 f32 = 40 KiB; 24 KiB on this
// 32 KiB-L1 target): the GEMM keeps its lane blocks outside its row blocks
// (cpu::getWgradGemmPasses), and the staging buffers get a cache line more per
// position (256 + 16, 64 + 16 f32: 17 and 5 lines, not 16 and 4, so that a
// lane block's column spreads over the L1 sets). The transposes write the
// buffers' first channels; the GEMM reads those channels only.
// CHECK-LABEL: func.func @wgrad_cf_wide_rows
// CHECK: %[[XS:.*]] = bufferization.alloc_tensor() : tensor<1x5x40x80xf32>
// CHECK: %[[DYS:.*]] = bufferization.alloc_tensor() : tensor<1x5x40x272xf32>
// CHECK: scf.for %{{.*}} iter_args(%{{.*}} = %{{.*}}, %[[XB:.*]] = %[[XS]], %[[DYB:.*]] = %[[DYS]])
// CHECK:   %[[DYSLOT:.*]] = tensor.extract_slice %[[DYB]][0, 0, 0, 0] [1, 5, 40, 256] [1, 1, 1, 1]
// CHECK:   %[[DYT:.*]] = linalg.transpose ins(%{{.*}} : tensor<1x256x5x40xf32>) outs(%[[DYSLOT]] : tensor<1x5x40x256xf32>)
// CHECK:   %[[DYNEXT:.*]] = tensor.insert_slice %[[DYT]] into %[[DYB]][0, 0, 0, 0] [1, 5, 40, 256] [1, 1, 1, 1]
// CHECK:   %[[XSLOT:.*]] = tensor.extract_slice %[[XB]][0, 0, 0, 0] [1, 5, 40, 64] [1, 1, 1, 1]
// CHECK:   %[[XT:.*]] = linalg.transpose ins(%{{.*}} : tensor<1x64x5x40xf32>) outs(%[[XSLOT]] : tensor<1x5x40x64xf32>)
// CHECK:   %[[XNEXT:.*]] = tensor.insert_slice %[[XT]] into %[[XB]]
// CHECK:   linalg.generic {{.*}} ins(%[[XT]], %[[DYT]] : tensor<1x5x40x64xf32>, tensor<1x5x40x256xf32>)
// CHECK-SAME: attrs = {convgrad.gemm_lane_blocks_outer, convgrad.gemm_tiling = array<i64: 4, 64, 8>}
// CHECK:   scf.yield %{{.*}}, %[[XNEXT]], %[[DYNEXT]]
func.func @wgrad_cf_wide_rows(%x: tensor<1x64x40x40xf32>, %dy: tensor<1x256x40x40xf32>) -> tensor<256x64x1x1xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy : (tensor<1x64x40x40xf32>, tensor<1x256x40x40xf32>) -> tensor<256x64x1x1xf32>
  return %dw : tensor<256x64x1x1xf32>
}

// -----

// The same rows channels-last: read in place, positions 1 KiB apart (an even
// number of lines) would put a lane block's column into a quarter of the L1
// sets, and each register block would stream its lanes of a row from L2.
// Each work item instead copies its dy rows into a buffer of padded
// positions (256 + 16 f32, cpu::planWgradStaging), whose lane blocks stay
// outside; x, the broadcast operand, is read in place.
// CHECK-LABEL: func.func @wgrad_cl_wide_rows
// CHECK-SAME: (%[[X:.*]]: tensor<1x40x40x64xf32>, %[[DY:.*]]: tensor<1x40x40x256xf32>)
// CHECK: %[[DYS:.*]] = bufferization.alloc_tensor() : tensor<1x5x40x272xf32>
// CHECK: scf.for %{{.*}} iter_args(%{{.*}} = %{{.*}}, %[[DYB:.*]] = %[[DYS]])
// CHECK:   %[[DYROWS:.*]] = tensor.extract_slice %[[DY]][0, %{{.*}}, 0, 0] [1, 5, 40, 256]
// CHECK:   %[[DYSLOT:.*]] = tensor.extract_slice %[[DYB]][0, 0, 0, 0] [1, 5, 40, 256] [1, 1, 1, 1]
// CHECK:   %[[DYC:.*]] = linalg.copy ins(%[[DYROWS]] : tensor<1x5x40x256xf32>) outs(%[[DYSLOT]] : tensor<1x5x40x256xf32>)
// CHECK:   %[[DYNEXT:.*]] = tensor.insert_slice %[[DYC]] into %[[DYB]]
// CHECK:   %[[XROWS:.*]] = tensor.extract_slice %[[X]][0, %{{.*}}, 0, 0] [1, 5, 40, 64]
// CHECK:   linalg.generic {{.*}} ins(%[[XROWS]], %[[DYC]] : tensor<1x5x40x64xf32>, tensor<1x5x40x256xf32>)
// CHECK-SAME: attrs = {convgrad.gemm_lane_blocks_outer, convgrad.gemm_tiling = array<i64: 4, 64, 8>}
// CHECK:   scf.yield %{{.*}}, %[[DYNEXT]]
func.func @wgrad_cl_wide_rows(%x: tensor<1x40x40x64xf32>, %dy: tensor<1x40x40x256xf32>) -> tensor<256x1x1x64xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy layout = channels_last : (tensor<1x40x40x64xf32>, tensor<1x40x40x256xf32>) -> tensor<256x1x1x64xf32>
  return %dw : tensor<256x1x1x64xf32>
}

// -----

// The RGB stem: 3-row register blocks would stream dy from L2 for each of
// the 49 taps faster than L2 delivers on AVX-512, so the work item (16
// staged output rows) runs all taps on 4 rows (16 KiB of dy: half of L1) at
// a time: tap (kh, kw) of rows [r, r + 4) reads staged x rows kh + 2 r ...
// CHECK-LABEL: func.func @wgrad_cf_stem
// CHECK:       %[[DYT:.*]] = linalg.transpose ins(%{{.*}} : tensor<1x64x16x16xf32>) outs(%{{.*}} : tensor<1x16x16x64xf32>)
// CHECK:       %[[XT:.*]] = scf.for {{.*}} -> (tensor<1x37x37x3xf32>)
// CHECK:       scf.for %[[R:.*]] = %c0 to %c16 step %c4 iter_args(%{{.*}} = %{{.*}}) -> (tensor<147x64xf32>)
// CHECK:         %[[DYR:.*]] = tensor.extract_slice %[[DYT]][0, %[[R]], 0, 0] [1, 4, 16, 64] [1, 1, 1, 1]
// CHECK:         %[[XR:.*]] = arith.muli %[[R]], %c2
// CHECK:         scf.for %[[KH:.*]] = %c0 to %c7
// CHECK:           scf.for %[[KW:.*]] = %c0 to %c7
// CHECK:             %[[XROW:.*]] = arith.addi %[[KH]], %[[XR]]
// CHECK:             %[[XK:.*]] = tensor.extract_slice %[[XT]][0, %[[XROW]], %[[KW]], 0] [1, 4, 16, 3] [1, 2, 2, 1]
// CHECK:             linalg.generic {{.*}} ins(%[[XK]], %[[DYR]] : tensor<1x4x16x3xf32>, tensor<1x4x16x64xf32>) outs(%{{.*}} : tensor<3x64xf32>)
func.func @wgrad_cf_stem(%x: tensor<1x3x32x32xf32>, %dy: tensor<1x64x16x16xf32>) -> tensor<64x3x7x7xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [3, 3, 3, 3] : (tensor<1x3x32x32xf32>, tensor<1x64x16x16xf32>) -> tensor<64x3x7x7xf32>
  return %dw : tensor<64x3x7x7xf32>
}

// -----

// 13 output rows (prime) of which 3 fit the 2 KiB dy budget: blocks of 1
// row would be the only divisor, so the op splits into output rows [0, 12)
// (blocks of 3 rows, all of x padded by 1 row on top) and row 12 (x rows 11
// and 12, padded by 1 row below), and the two filter gradients are summed.
// ROWS-LABEL: func.func @wgrad_prime_rows
// ROWS-SAME: (%[[X:.*]]: tensor<2x13x10x8xf32>, %[[DY:.*]]: tensor<2x13x10x16xf32>)
// ROWS: %[[DY0:.*]] = tensor.extract_slice %[[DY]][0, 0, 0, 0] [2, 12, 10, 16]
// ROWS: tensor.pad %[[X]] low[0, 1, 1, 0] high[0, 0, 1, 0]
// ROWS: scf.for
// ROWS:   scf.for %{{.*}} = %c0 to %c4
// ROWS:     tensor.extract_slice %[[DY0]][%{{.*}}, %{{.*}}, 0, 0] [1, 3, 10, 16]
// ROWS: %[[DW0:.*]] = linalg.transpose
// ROWS: %[[X1:.*]] = tensor.extract_slice %[[X]][0, 11, 0, 0] [2, 2, 10, 8]
// ROWS: tensor.extract_slice %[[DY]][0, 12, 0, 0] [2, 1, 10, 16]
// ROWS: tensor.pad %[[X1]] low[0, 0, 1, 0] high[0, 1, 1, 0]
// ROWS: %[[DW1:.*]] = linalg.transpose
// ROWS: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[DW0]], %[[DW1]] : tensor<16x3x3x8xf32>, tensor<16x3x3x8xf32>)
// ROWS:   arith.addf
// ROWS: return %[[SUM]]
func.func @wgrad_prime_rows(%x: tensor<2x13x10x8xf32>, %dy: tensor<2x13x10x16xf32>) -> tensor<16x3x3x8xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] layout = channels_last : (tensor<2x13x10x8xf32>, tensor<2x13x10x16xf32>) -> tensor<16x3x3x8xf32>
  return %dw : tensor<16x3x3x8xf32>
}

// -----

// 144 filters = 9 AVX-512 vectors divide only into one-vector blocks (4 x 16:
// 4 accumulators, latency-bound; 24 lanes would be one and a half registers):
// lanes [0, 128) take 4 x 64 blocks, lanes [128, 144) one 4 x 16 block
// (split point 128 after rows, lanes, unroll and the row split 0).
// CHECK-LABEL: func.func @wgrad_pointwise_lane_remainder
// CHECK: linalg.generic
// CHECK-SAME: convgrad.gemm_tiling = array<i64: 4, 64, 8, 0, 128>
func.func @wgrad_pointwise_lane_remainder(%x: tensor<1x2x56x24xf32>, %dy: tensor<1x2x56x144xf32>) -> tensor<144x1x1x24xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy layout = channels_last : (tensor<1x2x56x24xf32>, tensor<1x2x56x144xf32>) -> tensor<144x1x1x24xf32>
  return %dw : tensor<144x1x1x24xf32>
}
