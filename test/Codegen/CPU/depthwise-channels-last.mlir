// --convgrad-cpu-depthwise-channels-last: channels-last 2-D depthwise
// data and filter gradients with vectors along the (contiguous) channels,
// reading x and dy where they are: no padded copy, no transposed
// activation, no fill of dx.
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v4 threads=2" --convgrad-cpu-depthwise-channels-last --canonicalize --cse | FileCheck %s
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v3" --convgrad-cpu-depthwise-channels-last --canonicalize --cse | FileCheck %s --check-prefix=AVX2

// Filter gradient, 40 channels (2 full vectors of 16 + 8), dynamic batch,
// two threads. The 2 vectors' 18 accumulators leave no room for the dy
// windows of more than 2 output rows, so the windows are not carried: each
// column reads its 3 dy vectors per output row and vector again (from L1),
// and a pass takes 3 output rows (x rows re-read from L2: 5 + 3 per 3
// output rows instead of 4 + 2 per 2; their 8 lines per column and set
// fit the 8 ways of the default 32 KiB L1): work items are blocks of 3
// output rows, 4 per image (3, 3, 3, 1), in 4 chunks (2 per task: 4 / 2
// items per image and thread; chunk c: items [c * 4N / 4, (c + 1) * 4N /
// 4), image = item / 4, first row 3 (item mod 4)), each with all channels:
// whole pixels per thread, and its own zeroed [3, 3, 48] copy of the
// accumulators (40 padded to the partial vector) in a [12, 3, 48] buffer.
// 2 tasks claim chunks from one counter per task (task t: its own chunks
// 2t, 2t + 1 first, then those of task t + 1 mod 2 not yet claimed); the 4
// copies are summed after, in chunk order. Per item: the full block (2
// vectors), then the partial vector with masked loads. Per block and item,
// the 18 accumulators are loaded as 6 [3 kernel columns, 16] blocks; the
// blocks that reach outside x or dy (k = oh / 3 = 0: x row -1; 3: x rows
// 10, 11 and output rows 10, 11) are cases of an scf.index_switch on k,
// each the same pass over only its rows inside, all static (block 0: x
// rows 0-3), nothing zeroed; the others (default) one input-stationary
// pass over the x columns (stride 1) with no check. The item runs segment
// by segment of the x columns, every channel block within a segment (12
// columns: 5 x 12 x and 3 x 14 dy pixels of 160 B within half of L1):
// segment [0, 12): column 0, the interior loop 1..11 carrying the 18
// accumulators only (per vector 9 dy loads, 5 x loads, 27 FMAs: the x rows
// of the middle kernel rows feed 2 or 3 output rows), then the partial
// vector; segment [12, 20) likewise. Then [3, 3, 40] -> [40, 3, 3, 1].
// CHECK-LABEL: func.func @wgrad
// CHECK-SAME: (%[[X:.*]]: tensor<?x10x20x40xf32>, %[[DY:.*]]: tensor<?x10x20x40xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[ITEMS:.*]] = arith.muli %{{.*}}, %c4
// CHECK: %[[BUF:.*]] = memref.alloc() {alignment = 64 : i64} : memref<12x3x48xf32>
// CHECK: %[[NEXT:.*]] = memref.alloca() : memref<2xi64>
// CHECK: memref.store %c0_i64, %[[NEXT]][%c0]
// CHECK: memref.store %c0_i64, %[[NEXT]][%c1]
// CHECK: scf.forall (%[[T:.*]]) in (2) {
// CHECK:   scf.for %[[V:.*]] = %c0 to %c2 step %c1 {
// CHECK:     %[[TV:.*]] = arith.addi %[[T]], %[[V]]
// CHECK:     %[[VICTIM:.*]] = arith.remui %[[TV]], %c2
// CHECK:     scf.while
// CHECK:       %[[CLAIMED:.*]] = memref.atomic_rmw addi %c1_i64, %[[NEXT]][%[[VICTIM]]]
// CHECK:       %[[MORE:.*]] = arith.cmpi slt, %[[CLAIMED]], %c2_i64
// CHECK:       scf.condition(%[[MORE]]) %[[CLAIMED]]
// CHECK:     ^bb0(%[[C:.*]]: i64):
// CHECK:       %[[OWN:.*]] = arith.muli %[[VICTIM]], %c2
// CHECK:       %[[CI:.*]] = arith.index_cast %[[C]]
// CHECK:       %[[CHUNK:.*]] = arith.addi %[[OWN]], %[[CI]]
// CHECK:   %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<3x3x48xf32>
// CHECK:   %[[B0:.*]] = arith.muli %[[CHUNK]], %[[ITEMS]]
// CHECK:   %[[FIRST:.*]] = arith.divui %[[B0]], %c4
// CHECK:   %[[B1:.*]] = arith.muli %{{.*}}, %[[ITEMS]]
// CHECK:   %[[LAST:.*]] = arith.divui %[[B1]], %c4
// CHECK:   %[[ACC:.*]] = scf.for %[[ITEM:.*]] = %[[FIRST]] to %[[LAST]] step %c1 iter_args(%{{.*}} = %[[ZERO]])
// CHECK:     %[[N:.*]] = arith.divui %[[ITEM]], %c4
// CHECK:     %[[K:.*]] = arith.remui %[[ITEM]], %c4
// CHECK:     %[[OH:.*]] = arith.muli %[[K]], %c3
// CHECK-COUNT-6: vector.transfer_read %{{.*}} {in_bounds = [true, true]} : tensor<3x3x48xf32>, vector<3x16xf32>
// CHECK:     %[[OH1:.*]] = arith.addi %[[OH]], %c1
// CHECK:     %[[OH2:.*]] = arith.addi %[[OH]], %c2
// CHECK:     %[[BLOCK:.*]] = arith.divui %[[OH]], %c3
// CHECK:     scf.index_switch %[[BLOCK]] -> vector<16xf32>
// CHECK:     case 0 {
// CHECK-NOT:   arith.select
// CHECK:       scf.for %{{.*}} = %c1 to %c12 step %c1
// CHECK-NOT:     arith.select
// CHECK:         vector.transfer_read %[[X]][%[[N]], %c0, %{{.*}}, %c0]
// CHECK-NOT:     vector.transfer_read %[[X]][%[[N]], %c4
// CHECK:         vector.transfer_read %[[X]][%[[N]], %c3, %{{.*}}, %c0]
// CHECK:     case 3 {
// CHECK-NOT:   arith.select
// CHECK:     default {
// CHECK:       scf.for %[[J:.*]] = %c1 to %c12 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:         %[[PREV:.*]] = arith.addi %[[J]], %c-1
// CHECK:         vector.transfer_read %[[DY]][%[[N]], %[[OH]], %[[PREV]], %c0]
// CHECK:         vector.transfer_read %[[DY]][%[[N]], %[[OH]], %[[J]], %c0]
// CHECK:         %[[NEXT:.*]] = arith.addi %[[J]], %c1
// CHECK:         vector.transfer_read %[[DY]][%[[N]], %[[OH]], %[[NEXT]], %c0]
// CHECK-COUNT-3: vector.transfer_read %[[DY]][%[[N]], %[[OH]], %{{.*}}, %c16]
// CHECK-COUNT-6: vector.transfer_read %[[DY]][%[[N]], %[[OH1]], %{{.*}}, %c{{0|16}}]
// CHECK-COUNT-6: vector.transfer_read %[[DY]][%[[N]], %[[OH2]], %{{.*}}, %c{{0|16}}]
// CHECK-NOT:     arith.select
// CHECK:         vector.transfer_read %[[X]][%[[N]], %{{.*}}, %[[J]], %c0]
// CHECK-COUNT-3: vector.fma
// CHECK:         vector.transfer_read %[[X]][%[[N]], %[[OH]], %[[J]], %c0]
// CHECK-COUNT-6: vector.fma
// CHECK:         vector.transfer_read %[[X]][%[[N]], %[[OH1]], %[[J]], %c0]
// CHECK-COUNT-9: vector.fma
// CHECK:         vector.transfer_read %[[X]][%[[N]], %[[OH2]], %[[J]], %c0]
// CHECK-COUNT-6: vector.fma
// CHECK:         vector.transfer_read %[[X]][%[[N]], %{{.*}}, %[[J]], %c0]
// CHECK-COUNT-3: vector.fma
// CHECK-COUNT-5: vector.transfer_read %[[X]][%[[N]], %{{.*}}, %[[J]], %c16]
// CHECK-NOT:     arith.select
// CHECK:         scf.yield
// CHECK-NOT:   arith.select
// CHECK-COUNT-6: vector.transfer_write %{{.*}} {in_bounds = [true, true]} : vector<3x16xf32>, tensor<3x3x48xf32>
// CHECK:     vector.transfer_read %[[DY]][%[[N]], %[[OH]], %c1, %c32], %{{.*}} : tensor<?x10x20x40xf32>, vector<16xf32>
// CHECK:   %[[ROW:.*]] = arith.muli %[[CHUNK]], %c3
// CHECK:   %[[PART:.*]] = memref.subview %[[BUF]][%[[ROW]], 0, 0] [3, 3, 48]
// CHECK:   bufferization.materialize_in_destination %[[ACC]] in restrict writable %[[PART]]
// CHECK: %[[PARTS:.*]] = bufferization.to_tensor %[[BUF]] restrict
// CHECK: %[[P0:.*]] = tensor.extract_slice %[[PARTS]][0, 0, 0] [3, 3, 48]
// CHECK: %[[P1:.*]] = tensor.extract_slice %[[PARTS]][3, 0, 0] [3, 3, 48]
// CHECK: %[[P2:.*]] = tensor.extract_slice %[[PARTS]][6, 0, 0] [3, 3, 48]
// CHECK: %[[P3:.*]] = tensor.extract_slice %[[PARTS]][9, 0, 0] [3, 3, 48]
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[P0]], %[[P1]], %[[P2]], %[[P3]] : tensor<3x3x48xf32>, tensor<3x3x48xf32>, tensor<3x3x48xf32>, tensor<3x3x48xf32>)
// CHECK:   arith.addf
// CHECK: %[[USED:.*]] = tensor.extract_slice %[[SUM]][0, 0, 0] [3, 3, 40]
// CHECK: linalg.transpose ins(%[[USED]] : tensor<3x3x40xf32>) {{.*}} permutation = [2, 0, 1]
// CHECK: tensor.expand_shape {{.*}} into tensor<40x3x3x1xf32>
// CHECK-NOT: convgrad.conv
// AVX2 (16 registers, 5 vectors: a block of 2 would not divide them): one
// vector, the 3 kernel rows in one pass, 9 accumulators and a window of 2
// dy vectors carried.
// AVX2-LABEL: func.func @wgrad
// AVX2-NOT: scf.forall
// AVX2: tensor.empty() : tensor<3x3x40xf32>
// AVX2: scf.for %{{.*}} step %c8 iter_args
// AVX2: scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
func.func @wgrad(%x: tensor<?x10x20x40xf32>, %dy: tensor<?x10x20x40xf32>) -> tensor<40x3x3x1xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 40 layout = channels_last
    : (tensor<?x10x20x40xf32>, tensor<?x10x20x40xf32>) -> tensor<40x3x3x1xf32>
  return %dw : tensor<40x3x3x1xf32>
}

// -----

// 32 channels (4 vectors of 8) on AVX2 (16 registers): a cache line of
// channels (2 vectors) takes one kernel row per pass (2 x (3 + 3) + 1 <=
// 16, 2 x (6 + 3) + 1 > 16), and not even one vector's 9 accumulators fit
// with the windows of 2 output rows (9 + 6 + 2); without them a line's 18
// accumulators + 3 dy vectors + 2 exceed the registers by less than half
// of them, so a whole line takes blocks of 3 output rows (the 8 ways of
// 32 KiB), all kernel rows in one pass: 4 blocks per image (items = N x
// 4). The item runs segment by segment of the x columns (15 columns: 5 x
// 15 x and 3 x 17 dy pixels of 128 B within half of L1; [0, 15) then [15,
// 20)), every channel block of 16 within a segment, each block in two
// passes of one vector (9 accumulators carried by the interior loop, not
// 18), and prefetches nothing.
// CHECK-LABEL: func.func @wgrad_line_block
// AVX2-LABEL: func.func @wgrad_line_block
// AVX2-SAME: (%[[X:.*]]: tensor<?x10x20x32xf32>, %[[DY:.*]]: tensor<?x10x20x32xf32>)
// AVX2-NOT: scf.forall
// AVX2: %[[N:.*]] = tensor.dim %[[X]], %c0
// AVX2: arith.muli %[[N]], %c4
// AVX2: tensor.empty() : tensor<3x3x32xf32>
// AVX2: scf.for %{{.*}} = %c0 to %c32 step %c16 iter_args
// AVX2: scf.index_switch
// AVX2: default {
// AVX2:   scf.for %{{.*}} = %c1 to %c15 step %c1 iter_args({{.*}}) -> ([[V:vector<8xf32>]], [[V]], [[V]], [[V]], [[V]], [[V]], [[V]], [[V]], [[V]]) {
// AVX2-COUNT-9: vector.transfer_read %[[DY]]
// AVX2-COUNT-5: vector.transfer_read %[[X]]
// AVX2-NOT:     vector.transfer_read
// AVX2:         scf.yield
// AVX2: scf.index_switch
// AVX2: default {
// AVX2:   scf.for %{{.*}} = %c1 to %c15 step %c1 iter_args({{.*}}) -> ([[V]], [[V]], [[V]], [[V]], [[V]], [[V]], [[V]], [[V]], [[V]]) {
// AVX2: scf.for %{{.*}} = %c0 to %c32 step %c16 iter_args
// AVX2: scf.index_switch
// AVX2:   scf.for %{{.*}} = %c15 to %c19 step %c1 iter_args
// AVX2-NOT: memref.prefetch
func.func @wgrad_line_block(%x: tensor<?x10x20x32xf32>, %dy: tensor<?x10x20x32xf32>) -> tensor<32x3x3x1xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 32 layout = channels_last
    : (tensor<?x10x20x32xf32>, tensor<?x10x20x32xf32>) -> tensor<32x3x3x1xf32>
  return %dw : tensor<32x3x3x1xf32>
}

// -----

// 32 channels on AVX2 (8 lanes) with a 4 x 3 kernel, whose 12 accumulators
// leave no room for 3 dy vectors (12 + 3 + 2 > 16) to take blocks of
// output rows: a block covers a cache line of channels (2 vectors of 8,
// step 16) rather than the whole kernel of one vector: one kernel row per
// pass over dy (2 x 3 accumulators + 2 x 2 carried dy vectors), four
// passes.
// CHECK-LABEL: func.func @wgrad_line
// AVX2-LABEL: func.func @wgrad_line
// AVX2:       scf.for %{{.*}} = %c0 to %c32 step %c16 iter_args
// AVX2-COUNT-4: scf.for %{{.*}} = %c1 to %c19 step %c1 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
func.func @wgrad_line(%x: tensor<?x10x20x32xf32>, %dy: tensor<?x10x20x32xf32>) -> tensor<32x4x3x1xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 2, 1] groups = 32 layout = channels_last
    : (tensor<?x10x20x32xf32>, tensor<?x10x20x32xf32>) -> tensor<32x4x3x1xf32>
  return %dw : tensor<32x4x3x1xf32>
}

// -----

// 256 channels (1 KiB pixels: a channel offset meets 4 of the 64 L1 sets)
// on AVX2 (32 KiB L1), 4 x 3 kernel (as @wgrad_line): 4 passes of one
// kernel row over a cache line of channels, each re-reading dy; the 20 x
// columns in segments of 5 so that a segment's dy stays in L1 for its
// passes: per channel block, segment [0, 5) (border column 0, then columns
// 1..4), segments [5, 10) and [10, 15) in a loop (columns counted from the
// segment start S, its window loaded at dy columns S - 1 and S), then [15,
// 20) (columns 15..18 and the border column 19). AVX-512 (one pass: the 4
// kernel rows) keeps whole rows.
// CHECK-LABEL: func.func @wgrad_segments
// CHECK:           scf.for %{{.*}} = %c1 to %c19 step %c1
// CHECK-NOT:       step %c5
// CHECK:           return
// AVX2-LABEL: func.func @wgrad_segments
// AVX2-SAME: (%[[X:.*]]: tensor<?x10x20x256xf32>, %[[DY:.*]]: tensor<?x10x20x256xf32>)
// AVX2:          scf.for %{{.*}} = %c0 to %c256 step %c16 iter_args
// AVX2-COUNT-4:    scf.for %{{.*}} = %c1 to %c5 step %c1 iter_args
// AVX2:            scf.for %[[S:.*]] = %c5 to %c15 step %c5 iter_args
// AVX2:              %[[PREV:.*]] = arith.addi %[[S]], %c-1
// AVX2:              vector.transfer_read %[[DY]][%{{.*}}, %{{.*}}, %[[PREV]], %{{.*}}]
// AVX2:              vector.transfer_read %[[DY]][%{{.*}}, %{{.*}}, %[[S]], %{{.*}}]
// AVX2:              scf.for %[[I:.*]] = %c0 to %c5 step %c1 iter_args
// AVX2-NEXT:           %[[J:.*]] = arith.addi %[[S]], %[[I]]
// AVX2-COUNT-3:      scf.for %{{.*}} = %c0 to %c5 step %c1 iter_args
// AVX2:              scf.yield %{{.*}} : tensor<4x3x256xf32>
// AVX2-COUNT-4:    scf.for %{{.*}} = %c15 to %c19 step %c1 iter_args
// AVX2-NOT:        scf.for
// AVX2:          return
func.func @wgrad_segments(%x: tensor<?x10x20x256xf32>, %dy: tensor<?x10x20x256xf32>) -> tensor<256x4x3x1xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 2, 1] groups = 256 layout = channels_last
    : (tensor<?x10x20x256xf32>, tensor<?x10x20x256xf32>) -> tensor<256x4x3x1xf32>
  return %dw : tensor<256x4x3x1xf32>
}

// -----

// A single output row (fewer work items than threads): the two tasks split
// the channels instead (32 accumulator channels each, no copies to sum).
// CHECK-LABEL: func.func @wgrad_one_row
// CHECK: scf.forall (%{{.*}}) in (2) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<3x3x64xf32>)
// CHECK-NOT: arith.addf
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0] [3, 3, 40]
func.func @wgrad_one_row(%x: tensor<?x3x20x40xf32>, %dy: tensor<?x1x20x40xf32>) -> tensor<40x3x3x1xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [0, 1, 0, 1] groups = 40 layout = channels_last
    : (tensor<?x3x20x40xf32>, tensor<?x1x20x40xf32>) -> tensor<40x3x3x1xf32>
  return %dw : tensor<40x3x3x1xf32>
}

// -----

// Strided data gradient (stride 2, padding 1): the filter transposed once
// to [3, 3, 1 term, 32]; tasks are (image, block of 5 rows); per output row i,
// kernel row kh reads dy row (i + 1 - kh) / 2 when it is whole and inside
// dy (remsi, divsi; one scf.if each). Even columns (phase 0) take kernel
// column 1 only: one block of 6 columns x 2 vectors, stored as one
// [6, 32] vector into the slice of columns 0, 2, ..., 10 (one tensor write
// per block: bufferization's analysis grows fast with the writes into one
// tensor); odd columns take kernel columns 0 and 2.
// CHECK-LABEL: func.func @dgrad_stride2
// CHECK-SAME: (%[[DY:.*]]: tensor<2x5x6x32xf32>, %[[W:.*]]: tensor<32x3x3x1xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[TAPS:.*]] = linalg.transpose {{.*}} outs(%{{.*}} : tensor<3x3x32xf32>) permutation = [1, 2, 0]
// CHECK: %[[WT:.*]] = tensor.expand_shape %[[TAPS]] {{.*}} into tensor<3x3x1x32xf32>
// CHECK-NOT: linalg.fill
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (2, 2)
// CHECK:   tensor.extract_slice {{.*}} [1, 5, 12, 32]
// CHECK:   scf.for %[[I:.*]] = %c0 to %c5 step %c1
// CHECK:     arith.remsi %{{.*}}, %c2
// CHECK:     arith.divsi %{{.*}}, %c2
// CHECK:     scf.if %{{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:       vector.transfer_read %[[WT]][%c0, %c1, %c0, %c0]
// CHECK:       vector.transfer_read %[[WT]][%c0, %c1, %c0, %c16]
// CHECK-COUNT-12: vector.fma
// CHECK-NOT:   vector.transfer_read %[[WT]][%c0, %c0
// CHECK:       scf.yield
// CHECK-COUNT-12: vector.insert_strided_slice %{{.*}} : vector<16xf32> into vector<6x32xf32>
// CHECK:     %[[EVEN:.*]] = tensor.extract_slice %{{.*}}[0, %[[I]], 0, 0] [1, 1, 6, 32] [1, 1, 2, 1]
// CHECK:     %[[BLOCK:.*]] = vector.transfer_write %{{.*}}, %[[EVEN]][%c0, %c0, %c0, %c0] {in_bounds = [true, true]} : vector<6x32xf32>, tensor<1x1x6x32xf32>
// CHECK:     tensor.insert_slice %[[BLOCK]] into %{{.*}}[0, %[[I]], 0, 0] [1, 1, 6, 32] [1, 1, 2, 1]
// CHECK:     scf.if
// CHECK:       vector.transfer_read %[[WT]][%c0, %c0, %c0, %c0]
// CHECK:       vector.transfer_read %[[WT]][%c0, %c2, %c0, %c0]
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: convgrad.conv
func.func @dgrad_stride2(%dy: tensor<2x5x6x32xf32>, %w: tensor<32x3x3x1xf32>) -> tensor<2x10x12x32xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] groups = 32 layout = channels_last
    : (tensor<2x5x6x32xf32>, tensor<32x3x3x1xf32>) -> tensor<2x10x12x32xf32>
  return %dx : tensor<2x10x12x32xf32>
}

// -----

// 7x7 data gradient, 64 channels (4 vectors): the 49 taps unrolled would
// leave 2 columns per block, so the kernel rows are a loop carrying the
// accumulators (one scf.if per kernel row: its dy row is inside dy) around
// the 7 unrolled taps of a row, and the blocks keep as many columns as
// the registers besides a row's 7 filter vectors hold (the 3 border
// columns on the left: 3 x 4 = 12 accumulators). The filter reads take
// the kernel row from the loop.
// CHECK-LABEL: func.func @dgrad_7x7
// CHECK-SAME: (%[[DY:.*]]: tensor<1x12x12x64xf32>, %[[W:.*]]: tensor<64x7x7x1xf32>)
// CHECK: %[[WT:.*]] = tensor.expand_shape {{.*}} into tensor<7x7x1x64xf32>
// CHECK: scf.forall
// CHECK:   scf.for %[[I:.*]] = %c0 to %c6 step %c1
// CHECK:     %[[ACC:.*]]:12 = scf.for %[[KH:.*]] = %c0 to %c7 step %c1 iter_args(
// CHECK:       scf.if %{{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:         vector.transfer_read %[[WT]][%[[KH]], %c0, %c0, %c0]
// CHECK-NOT:     vector.transfer_read %[[WT]][%c
// CHECK:     vector.insert_strided_slice %[[ACC]]#0, %{{.*}} {offsets = [0, 0], strides = [1]} : vector<16xf32> into vector<3x64xf32>
// CHECK:     tensor.extract_slice %{{.*}}[0, %[[I]], 0, 0] [1, 1, 3, 64] [1, 1, 1, 1]
func.func @dgrad_7x7(%dy: tensor<1x12x12x64xf32>, %w: tensor<64x7x7x1xf32>) -> tensor<1x12x12x64xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [3, 3, 3, 3] groups = 64 layout = channels_last
    : (tensor<1x12x12x64xf32>, tensor<64x7x7x1xf32>) -> tensor<1x12x12x64xf32>
  return %dx : tensor<1x12x12x64xf32>
}

// -----

// Grouped data gradient, 8 groups of 4 channels (and 4 filters): vectors
// of 16 channels hold 4 whole groups. The filter [32, 3, 3, 4] is gathered
// once into its terms [3, 3, 4, 32], W[kh, kw, r, f] = w[f, kh, kw, (f mod 4
// + r) mod 4]. A block is 4 columns x 1 vector of 4 accumulators each
// (16, besides the 12 filter vectors of a kernel row): per tap, the 4 terms
// of the filter and one dy load feed 4 FMAs, no shuffle. Each output vector
// is then the sum of its accumulator r rotated by r within the groups of 4
// lanes (3 in-lane shuffles, once per block).
// CHECK-LABEL: func.func @dgrad_groups4
// CHECK-SAME: (%[[DY:.*]]: tensor<1x6x8x32xf32>, %[[W:.*]]: tensor<32x3x3x4xf32>)
// CHECK: %[[WT:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<3x3x4x32xf32>)
// CHECK:   %[[F:.*]] = linalg.index 3
// CHECK:   %[[FMOD:.*]] = arith.remui %[[F]], %c4
// CHECK:   %[[SUM:.*]] = arith.addi %[[FMOD]], %{{.*}}
// CHECK:   %[[TERM:.*]] = arith.remui %[[SUM]], %c4
// CHECK:   tensor.extract %[[W]][%[[F]], %{{.*}}, %{{.*}}, %[[TERM]]]
// CHECK: scf.forall
// CHECK:   scf.for %[[C:.*]] = %c0 to %c32 step %c16
// CHECK:     scf.if %{{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4: vector.transfer_read %[[WT]][%c0, %c0, %c{{[0-3]}}, %[[C]]]
// CHECK-COUNT-4: vector.transfer_read %[[WT]][%c0, %c1, %c{{[0-3]}}, %[[C]]]
// CHECK:         vector.transfer_read %[[DY]]
// CHECK-COUNT-4: vector.fma
// CHECK-NOT:     vector.shuffle
// CHECK:         scf.yield
// CHECK:     %[[R1:.*]] = vector.shuffle %{{.*}} [3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14]
// CHECK:     %[[S1:.*]] = arith.addf %{{.*}}, %[[R1]]
// CHECK:     %[[R2:.*]] = vector.shuffle %{{.*}} [2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13]
// CHECK:     %[[S2:.*]] = arith.addf %[[S1]], %[[R2]]
// CHECK:     %[[R3:.*]] = vector.shuffle %{{.*}} [1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12]
// CHECK:     %[[S3:.*]] = arith.addf %[[S2]], %[[R3]]
// CHECK:     vector.insert_strided_slice %[[S3]]
// CHECK-NOT: convgrad.conv
// AVX2 (16 registers): a kernel row's 12 filter vectors would leave no
// room for 4 accumulators, so only one tap's 4 filter vectors are live at a
// time: blocks of 2 columns x 1 vector (8 accumulators), per tap its 4
// filter vectors, then each column's dy vector (read again per tap, or
// shared by CSE where a column of one tap is that of another) into 4 FMAs.
// AVX2-LABEL: func.func @dgrad_groups4
// AVX2-NOT:   convgrad.conv
// AVX2:       scf.for %[[C:.*]] = %c0 to %c32 step %c8
// AVX2:         scf.for %{{.*}} = %c1 to %c7 step %c2
// AVX2:           scf.if %{{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// AVX2-COUNT-4:     vector.transfer_read %{{.*}}[%c0, %c0, %c{{[0-3]}}, %[[C]]]{{.*}} : tensor<3x3x4x32xf32>, vector<8xf32>
// AVX2-NEXT:        arith.addi
// AVX2-NEXT:        vector.transfer_read %arg0
// AVX2-COUNT-4:     vector.fma
// AVX2-NEXT:        arith.addi
// AVX2-NEXT:        vector.transfer_read %arg0
// AVX2-COUNT-4:     vector.fma
// AVX2-NEXT:        vector.transfer_read %{{.*}}[%c0, %c1, %c0, %[[C]]]
// AVX2:           vector.shuffle %{{.*}} [3, 0, 1, 2, 7, 4, 5, 6]
func.func @dgrad_groups4(%dy: tensor<1x6x8x32xf32>, %w: tensor<32x3x3x4xf32>) -> tensor<1x6x8x32xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] groups = 8 layout = channels_last
    : (tensor<1x6x8x32xf32>, tensor<32x3x3x4xf32>) -> tensor<1x6x8x32xf32>
  return %dx : tensor<1x6x8x32xf32>
}

// -----

// Groups of 8 channels (half an AVX-512 vector: two groups per vector),
// stride 2: 8 accumulators per output vector, only one tap's 8 filter
// vectors live (a kernel row's 24 would leave no room): blocks of 2
// columns x 1 vector (16 accumulators). Each output vector is the sum of
// its accumulator r rotated by r within the groups of 8 lanes (7 shuffles
// once per block, none per tap). AVX2 (8 lanes, 16 registers) declines.
// CHECK-LABEL: func.func @dgrad_groups8_stride2
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<3x3x8x32xf32>)
// CHECK: scf.forall
// CHECK:   scf.if %{{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:   vector.shuffle %{{.*}} [7, 0, 1, 2, 3, 4, 5, 6, 15, 8, 9, 10, 11, 12, 13, 14]
// CHECK:   vector.shuffle %{{.*}} [1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 15, 8]
// CHECK-NOT: convgrad.conv
// AVX2-LABEL: func.func @dgrad_groups8_stride2
// AVX2: convgrad.conv_backward_data
func.func @dgrad_groups8_stride2(%dy: tensor<1x4x4x32xf32>, %w: tensor<32x3x3x8xf32>) -> tensor<1x8x8x32xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] groups = 4 layout = channels_last
    : (tensor<1x4x4x32xf32>, tensor<32x3x3x8xf32>) -> tensor<1x8x8x32xf32>
  return %dx : tensor<1x8x8x32xf32>
}

// -----

// A task's dx tile stays within half the L2 (x86-64-v4: 1 MiB): rows of 64
// x 256 f32 (64 KiB), 8 per task (not 32, half the image per thread), so
// that a channels-first op's result transpose can move into the tasks
// (convgrad-cpu-fuse-result-transposes).
// CHECK-LABEL: func.func @dgrad_groups8_task_tiles
// CHECK: scf.forall (%{{.*}}) in (8)
// CHECK:   tensor.parallel_insert_slice %{{.*}} into %{{.*}}[0, %{{.*}}, 0, 0] [1, 8, 64, 256] [1, 1, 1, 1]
func.func @dgrad_groups8_task_tiles(%dy: tensor<1x32x32x256xf32>, %w: tensor<256x3x3x8xf32>) -> tensor<1x64x64x256xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] groups = 32 layout = channels_last
    : (tensor<1x32x32x256xf32>, tensor<256x3x3x8xf32>) -> tensor<1x64x64x256xf32>
  return %dx : tensor<1x64x64x256xf32>
}

// -----

// Not rewritten: a channel multiplier (F = 2 C) and channels-first
// depthwise ops (convgrad-cpu-depthwise-planes' part).
// CHECK-LABEL: func.func @multiplier
// CHECK: convgrad.conv_backward_filter {{.*}} groups = 16 layout = channels_last
// CHECK-LABEL: func.func @channels_first
// CHECK: convgrad.conv_backward_filter
func.func @multiplier(%x: tensor<1x8x8x16xf32>, %dy: tensor<1x8x8x32xf32>) -> tensor<32x3x3x1xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 16 layout = channels_last
    : (tensor<1x8x8x16xf32>, tensor<1x8x8x32xf32>) -> tensor<32x3x3x1xf32>
  return %dw : tensor<32x3x3x1xf32>
}
func.func @channels_first(%x: tensor<1x16x8x8xf32>, %dy: tensor<1x16x8x8xf32>) -> tensor<16x1x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 16
    : (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>) -> tensor<16x1x3x3xf32>
  return %dw : tensor<16x1x3x3xf32>
}

// -----

// Grouped filter gradient, 8 groups of 4 channels (and 4 filters): vectors
// of 16 channels hold 4 whole groups. Each x vector feeds 4 accumulators,
// one per rotation r of dy within the groups (lane c: dy[4 (c / 4) +
// (c mod 4 + r) mod 4]), so the accumulators are [KH, KW x 4, C] per task
// (two tasks sharing the 8 output rows in 8 chunks of one row per image,
// 24 = 8 x 3 kernel rows); a kernel row is 12 accumulators, blocks of 2
// kernel rows and 1. The gradient [32, 3, 3, 4] is gathered from the sum
// of the chunk copies.
// CHECK-LABEL: func.func @grouped_wgrad
// CHECK:       memref.alloc() {alignment = 64 : i64} : memref<24x12x32xf32>
// CHECK:       scf.forall (%{{.*}}) in (2)
// CHECK:         linalg.fill {{.*}} -> tensor<3x12x32xf32>
// CHECK:         %[[D:.*]] = vector.transfer_read %arg1
// CHECK:         %[[X:.*]] = vector.transfer_read %arg0
// CHECK:         vector.fma %[[X]], %[[D]]
// CHECK:         %[[R1:.*]] = vector.shuffle %[[D]], %[[D]] [1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12]
// CHECK:         vector.fma %[[X]], %[[R1]]
// CHECK:         vector.shuffle %[[D]], %[[D]] [2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13]
// CHECK:         vector.shuffle %[[D]], %[[D]] [3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14]
// CHECK:         bufferization.materialize_in_destination
// CHECK:       linalg.generic {{.*}} ins({{.*}} : tensor<3x12x32xf32>, tensor<3x12x32xf32>, tensor<3x12x32xf32>, tensor<3x12x32xf32>, tensor<3x12x32xf32>, tensor<3x12x32xf32>, tensor<3x12x32xf32>, tensor<3x12x32xf32>)
// CHECK:       %[[DW:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<32x3x3x4xf32>)
// CHECK:         tensor.extract
// CHECK:       return %[[DW]]
// CHECK-NOT:   convgrad.conv
// On AVX2 a kernel row (12 accumulators, 3 x vectors) and dy and its
// rotation need 17 of the 16 registers: still one kernel row per block
// (LLVM keeps one accumulator on the stack), 12 accumulators carried
// through the columns.
// AVX2-LABEL: func.func @grouped_wgrad
// AVX2-NOT:   convgrad.conv
// AVX2:       tensor.empty() : tensor<3x12x32xf32>
// AVX2:       scf.for %{{.*}} = %c1 to %c7 step %c1 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// AVX2:         %[[D:.*]] = vector.transfer_read %arg1
// AVX2-COUNT-3: vector.fma %{{.*}}, %[[D]]
// AVX2:         %[[R1:.*]] = vector.shuffle %[[D]], %[[D]] [1, 2, 3, 0, 5, 6, 7, 4]
// AVX2-COUNT-3: vector.fma %{{.*}}, %[[R1]]
func.func @grouped_wgrad(%x: tensor<1x8x8x32xf32>, %dy: tensor<1x8x8x32xf32>) -> tensor<32x3x3x4xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 8 layout = channels_last
    : (tensor<1x8x8x32xf32>, tensor<1x8x8x32xf32>) -> tensor<32x3x3x4xf32>
  return %dw : tensor<32x3x3x4xf32>
}

// -----

// A channels-first grouped filter gradient of 8 channels per group (more
// than the plane-by-plane form takes; 3 groups, stride 2, dynamic batch)
// is the channels-last one between transposes of x and dy (one pass each)
// and of the small gradient back; 24 channels are a full vector and a
// masked one (accumulators padded to 32). With groups of 4 or fewer,
// convgrad-cpu-depthwise-planes computes it where the data is.
// CHECK-LABEL: func.func @grouped_wgrad_channels_first
// CHECK:       linalg.transpose ins(%arg0 : tensor<?x24x7x9xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK:       linalg.transpose ins(%arg1 : tensor<?x24x4x5xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK:       scf.forall
// CHECK:         vector.shuffle {{.*}} [1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 15, 8]
// CHECK:       %[[DW:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<24x3x3x8xf32>)
// CHECK:       %[[CF:.*]] = linalg.transpose ins(%[[DW]] : tensor<24x3x3x8xf32>) {{.*}} permutation = [0, 3, 1, 2]
// CHECK:       return %[[CF]]
// CHECK-NOT:   convgrad.conv
// CHECK-LABEL: func.func @grouped_wgrad_channels_first_planes
// CHECK-NOT:   linalg.transpose
// CHECK:       convgrad.conv_backward_filter
// On AVX2, 8 rotations of 3 kernel columns do not fit the registers.
// AVX2-LABEL: func.func @grouped_wgrad_channels_first
// AVX2-NOT:   linalg.transpose
// AVX2:       convgrad.conv_backward_filter
func.func @grouped_wgrad_channels_first(%x: tensor<?x24x7x9xf32>, %dy: tensor<?x24x4x5xf32>) -> tensor<24x8x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 1, 1] groups = 3
    : (tensor<?x24x7x9xf32>, tensor<?x24x4x5xf32>) -> tensor<24x8x3x3xf32>
  return %dw : tensor<24x8x3x3xf32>
}
func.func @grouped_wgrad_channels_first_planes(%x: tensor<?x24x7x9xf32>, %dy: tensor<?x24x4x5xf32>) -> tensor<24x4x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 1, 1] groups = 6
    : (tensor<?x24x7x9xf32>, tensor<?x24x4x5xf32>) -> tensor<24x4x3x3xf32>
  return %dw : tensor<24x4x3x3xf32>
}
