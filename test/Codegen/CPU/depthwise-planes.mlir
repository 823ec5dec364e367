// --convgrad-cpu-depthwise-planes: channels-first depthwise ops computed
// plane by plane, with vectors along the innermost spatial dimension, on a
// zero-bordered scratch copy of each input plane (no transposes, no padded
// copy of the tensor), or, for 2-D filter gradients, where the planes are.
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v4 threads=2" --convgrad-cpu-depthwise-planes --canonicalize | FileCheck %s
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v3" --convgrad-cpu-depthwise-planes --canonicalize | FileCheck %s --check-prefix=AVX2

// Filter gradient, dynamic batch, two threads: one scf.forall of 2 tasks
// over blocks of filters; the task's tap accumulators [2 filters, 9 taps,
// 16 lanes] live across images, images outermost (consecutive planes of x
// and dy stream through memory), each block of taps read and written as
// one [taps, lanes] vector (one write per block, not per tap, keeps
// bufferization's analysis of 3-D kernels short). x is read where it is
// (no scratch plane): per row one full vector of dy times 9 vectors of x
// and the last 4 columns, dy and x read masked at the row's end (zeros
// beyond it: an inf or NaN there must not reach the sums; no select per
// FMA). Each x row is read as its two whole vectors (columns 0-15, and
// 16-19 masked) and every kernel column's vector reaching past the row is
// one shuffle of them: column -1 (the low padding) shifted right one lane
// over zeros, column 15 on with the lanes past the output row's end (x[19]
// included) taken from the masked vector's zeros, column 17 on shifted
// left over zeros; column 1, wholly inside the row, is one load. Row 0
// (above the plane: kernel row 0 left out),
// rows 1 to 8 in blocks of two (the second row's reads of the first row's
// x fold), row 9 (below: kernel row 2 left out). In a block, the last 4
// columns of its two rows (at most half a vector each) are the two halves
// of one vector: dy and each tap's x read as two 8-lane halves (masked to
// the row) and concatenated, 9 FMAs for both rows instead of 18 half-empty
// ones. Each block of rows first
// prefetches its rows of the dy and x planes one filter ahead (the last
// filter at most), one prefetch per 64-byte line of the block's 40
// contiguous elements (at columns 0 and 16 of its first row, 12 of its
// second), read through a read-only buffer of each tensor. After the images, one
// horizontal sum per filter and tap.
// CHECK-LABEL: func.func @wgrad
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x10x20xf32>, %[[DY:.*]]: tensor<?x4x10x20xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: scf.forall (%[[T:.*]]) in (2) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<4x1x3x3xf32>)
// CHECK:   %[[ACCS:.*]] = linalg.fill {{.*}} -> tensor<2x9x16xf32>
// CHECK:   %[[IMG:.*]] = scf.for %[[I:.*]] = %c0 to %[[N]] step %c1 iter_args(%{{.*}} = %[[ACCS]]) -> (tensor<2x9x16xf32>)
// CHECK:     scf.for %[[FL:.*]] = %c0 to %{{.*}} step %c1 iter_args({{.*}}) -> (tensor<2x9x16xf32>)
// CHECK:       vector.transfer_read %{{.*}}[%[[FL]], %c0, %c0], %{{.*}} {in_bounds = [true, true]} : tensor<2x9x16xf32>, vector<9x16xf32>
// CHECK:       %[[DY0:.*]] = vector.transfer_read %[[DY]][%[[I]], %{{.*}}, %c0, %c0]{{.*}}{in_bounds = [true]}
// CHECK:       %[[XL:.*]] = vector.transfer_read %[[X]][%[[I]], %{{.*}}, %c0, %c0], %{{.*}} {in_bounds = [true]}
// CHECK:       %[[XS:.*]] = vector.shuffle %{{.*}}, %[[XL]] [15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]
// CHECK:       vector.fma %[[XS]], %[[DY0]], %{{.*}} : vector<16xf32>
// CHECK-COUNT-5: vector.fma
// CHECK:       %[[DYT:.*]] = vector.transfer_read %[[DY]][%[[I]], %{{.*}}, %c0, %c16], %{{.*}} : tensor<?x4x10x20xf32>, vector<16xf32>
// CHECK:       %[[XA:.*]] = vector.transfer_read %[[X]][%[[I]], %{{.*}}, %c0, %c0], %{{.*}} {in_bounds = [true]}
// CHECK:       %[[M4:.*]] = vector.constant_mask [4] : vector<16xi1>
// CHECK:       %[[XB:.*]] = vector.transfer_read %[[X]][%[[I]], %{{.*}}, %c0, %c16], %{{.*}}, %[[M4]] : tensor<?x4x10x20xf32>, vector<16xf32>
// CHECK:       %[[XT:.*]] = vector.shuffle %[[XA]], %[[XB]] [15, 16, 17, 18, 20, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]
// CHECK:       vector.fma %[[XT]], %[[DYT]], %{{.*}} : vector<16xf32>
// CHECK:       vector.fma
// CHECK:       %[[XC:.*]] = vector.transfer_read %[[X]][%[[I]], %{{.*}}, %c0, %c16]
// CHECK:       %[[XU:.*]] = vector.shuffle %[[XC]], %{{.*}} [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
// CHECK:       vector.fma %[[XU]], %[[DYT]], %{{.*}} : vector<16xf32>
// CHECK:       scf.for %[[Y0:.*]] = %c1 to %c9 step %c2 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:         %[[DYB:.*]] = bufferization.to_buffer %[[DY]] read_only : tensor<?x4x10x20xf32> to memref<?x4x10x20xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK:         %[[F1:.*]] = arith.addi %{{.*}}, %c1 : index
// CHECK-NEXT:    %[[FA:.*]] = arith.minsi %[[F1]], %c3 : index
// CHECK-NEXT:    memref.prefetch %[[DYB]][%[[I]], %[[FA]], %[[Y0]], %c0], read, locality<3>, data
// CHECK-NEXT:    memref.prefetch %[[DYB]][%[[I]], %[[FA]], %[[Y0]], %c16], read, locality<3>, data
// CHECK:         %[[Y1:.*]] = arith.addi %[[Y0]], %c1 : index
// CHECK-NEXT:    memref.prefetch %[[DYB]][%[[I]], %[[FA]], %[[Y1]], %c12], read, locality<3>, data
// CHECK:         %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK-COUNT-3: memref.prefetch %[[XB]]
// CHECK-NOT:     memref.prefetch
// CHECK-COUNT-18: vector.fma
// CHECK:         %[[DYP:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : vector<8xf32>, vector<8xf32>
// CHECK:         %[[XP:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : vector<8xf32>, vector<8xf32>
// CHECK-NEXT:    vector.fma %[[XP]], %[[DYP]], %{{.*}} : vector<16xf32>
// CHECK-COUNT-8: vector.fma %{{.*}}, %[[DYP]], %{{.*}} : vector<16xf32>
// CHECK-NOT:     vector.fma
// CHECK:         scf.yield
// CHECK-COUNT-12: vector.fma
// CHECK-NOT:     vector.fma
// CHECK-NOT:     arith.select
// CHECK:       vector.transfer_write %{{.*}}, %{{.*}}[%[[FL]], %c0, %c0] {in_bounds = [true, true]} : vector<9x16xf32>, tensor<2x9x16xf32>
// CHECK:   scf.for
// CHECK-COUNT-9: vector.reduction <add>
// CHECK: scf.forall.in_parallel
// CHECK:   tensor.parallel_insert_slice
// CHECK-NOT: convgrad.conv
// AVX2 shifts the edge columns that reach past the row in registers too:
// column 15 from vector 1 and the masked vector 2 (lane 4, past the output
// row, taken from its zeros); column 1 of row 0, wholly inside the row, is
// one load (no shuffle of vectors 0 and 1).
// AVX2-LABEL: func.func @wgrad
// AVX2-NOT: scf.forall
// AVX2: -> (tensor<4x9x8xf32>)
// AVX2: %[[V1:.*]] = vector.transfer_read %arg0[%arg2, %arg4, %c0, %c1], %{{.*}} {in_bounds = [true]}
// AVX2-NEXT: vector.fma %[[V1]]
// AVX2: vector.shuffle %{{.*}}, %{{.*}} [7, 8, 9, 10, 12, 12, 13, 14] : vector<8xf32>, vector<8xf32>
// AVX2: -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// AVX2: vector.constant_mask [4] : vector<8xi1>
func.func @wgrad(%x: tensor<?x4x10x20xf32>, %dy: tensor<?x4x10x20xf32>) -> tensor<4x1x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [1, 1] padding = [1, 1, 1, 1] groups = 4
    : (tensor<?x4x10x20xf32>, tensor<?x4x10x20xf32>) -> tensor<4x1x3x3xf32>
  return %dw : tensor<4x1x3x3xf32>
}

// -----

// Stride-1 data gradient: the convolution of dy (re-padded by K - 1 - lo =
// 1) by the flipped filter: the first FMA of a block takes w[c, 0, 2, 2].
// AVX-512: one block of all 8 rows x 2 vectors (the second one's store
// masked at the row's end); with AVX2, blocks of 4 rows x 3 vectors.
// Input-stationary: each scratch vector is read once and feeds every
// (tap, row) product of the block at once: scratch row 0 only the block's
// first row, scratch row 1 (column 0) its second row with tap (0, 0) and
// its first row with tap (1, 0) (w[c, 0, 1, 2]), each row's taps in tap
// order (the sums are those of tap order). Each block of rows first
// prefetches its share of the dy plane two planes ahead (the last at
// most), one prefetch per 64-byte line: AVX-512's one block all 10 lines
// of the 160 elements, AVX2's two blocks 5 each, from element 80 x the
// block's index (clamped to the plane's last element).
// CHECK-LABEL: func.func @dgrad
// CHECK-SAME: (%[[DY:.*]]: tensor<2x4x8x20xf32>, %[[W:.*]]: tensor<4x1x3x3xf32>)
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK:   %[[SCR:.*]] = scf.for {{.*}} -> (tensor<1x10x64xf32>)
// CHECK:     %[[DYB:.*]] = bufferization.to_buffer %[[DY]] read_only
// CHECK:     %[[FA:.*]] = arith.minsi %{{.*}}, %c3 : index
// CHECK-NEXT: memref.prefetch %[[DYB]][%{{.*}}, %[[FA]], %c0, %c0], read, locality<3>, data
// CHECK-NEXT: memref.prefetch %[[DYB]][%{{.*}}, %[[FA]], %c0, %c16], read, locality<3>, data
// CHECK-NEXT: memref.prefetch %[[DYB]][%{{.*}}, %[[FA]], %c1, %c12], read, locality<3>, data
// CHECK-COUNT-7: memref.prefetch %[[DYB]]
// CHECK-NOT: memref.prefetch
// CHECK:     %[[X00:.*]] = vector.transfer_read %[[SCR]][%c0, %c0, %c15]
// CHECK:     %[[W22:.*]] = tensor.extract %[[W]][%{{.*}}, %c0, %c2, %c2]
// CHECK:     %[[B22:.*]] = vector.broadcast %[[W22]] : f32 to vector<16xf32>
// CHECK:     %[[R0:.*]] = vector.fma %[[X00]], %[[B22]], %[[ZERO:.*]] : vector<16xf32>
// CHECK:     %[[X10:.*]] = vector.transfer_read %[[SCR]][%c0, %c1, %c15]
// CHECK-NOT: vector.transfer_read
// CHECK:     vector.fma %[[X10]], %[[B22]], %[[ZERO]] : vector<16xf32>
// CHECK:     %[[W12:.*]] = tensor.extract %[[W]][%{{.*}}, %c0, %c1, %c2]
// CHECK:     %[[B12:.*]] = vector.broadcast %[[W12]] : f32 to vector<16xf32>
// CHECK:     vector.fma %[[X10]], %[[B12]], %{{.*}} : vector<16xf32>
// CHECK-COUNT-16: vector.transfer_read %[[SCR]]
// CHECK:     vector.transfer_write {{.*}}, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<2x?x8x20xf32>
// CHECK:     vector.transfer_write %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %c16] : vector<16xf32>, tensor<2x?x8x20xf32>
// AVX2-LABEL: func.func @dgrad
// AVX2:   scf.for %[[Y0:.*]] = %c0 to %c8 step %c4
// AVX2:     %[[DYB:.*]] = bufferization.to_buffer %{{.*}} read_only
// AVX2:     %[[BLK:.*]] = arith.divui %[[Y0]], %c4 : index
// AVX2:     %[[E0:.*]] = arith.muli %[[BLK]], %c80 : index
// AVX2:     arith.minsi %[[E0]], %c159 : index
// AVX2-COUNT-5: memref.prefetch %[[DYB]]
// AVX2-NOT: memref.prefetch
// AVX2:     vector.broadcast {{.*}} : f32 to vector<8xf32>
// AVX2-COUNT-12: vector.fma
func.func @dgrad(%dy: tensor<2x4x8x20xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<2x4x8x20xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [1, 1] padding = [1, 1, 1, 1] groups = 4
    : (tensor<2x4x8x20xf32>, tensor<4x1x3x3xf32>) -> tensor<2x4x8x20xf32>
  return %dx : tensor<2x4x8x20xf32>
}

// -----

// Forward, channel multiplier 2 (output plane f reads input plane f / 2),
// bias, innermost stride 2: each vector is two scratch vectors shuffled to
// the even lanes.
// CHECK-LABEL: func.func @conv_multiplier_stride2
// CHECK: arith.divui %{{.*}}, %c2
// CHECK: vector.transfer_read {{.*}} : tensor<1x{{[0-9]+}}x{{[0-9]+}}xf32>, vector<32xf32>
// CHECK: vector.shuffle {{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<32xf32>, vector<32xf32>
func.func @conv_multiplier_stride2(%x: tensor<1x3x9x40xf32>, %w: tensor<6x1x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x5x20xf32> {
  %y = convgrad.conv %x, %w, %b strides = [2, 2] padding = [1, 1, 1, 1] groups = 3
    : (tensor<1x3x9x40xf32>, tensor<6x1x3x3xf32>, tensor<6xf32>) -> tensor<1x6x5x20xf32>
  return %y : tensor<1x6x5x20xf32>
}

// -----

// Stride-2 data gradient: dy copied into the scratch with a zero after
// each element (rows 2 * j + 1, a vector of 16 spread over 32 lanes), then
// the stride-1 convolution by the flipped filter.
// CHECK-LABEL: func.func @dgrad_stride2
// CHECK: scf.for %[[J:.*]] = %c0 to %c5 step %c1
// CHECK:   %[[ROW:.*]] = arith.muli %[[J]], %c2 : index
// CHECK:   %[[DROW:.*]] = arith.addi %[[ROW]], %c1 : index
// CHECK:   %[[V:.*]] = vector.transfer_read {{.*}}[%{{.*}}, %{{.*}}, %[[J]], %c0]{{.*}} : tensor<1x4x5x5xf32>, vector<16xf32>
// CHECK:   %[[S:.*]] = vector.shuffle %[[V]], %{{.*}} [0, 16, 1, 16, 2, 16, 3, 16, 4, 16
// CHECK:   vector.transfer_write %[[S]], %{{.*}}[%c0, %[[DROW]], %c16] {in_bounds = [true]} : vector<32xf32>
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %c0, %c2, %c2]
func.func @dgrad_stride2(%dy: tensor<1x4x5x5xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x9x9xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] groups = 4
    : (tensor<1x4x5x5xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x9x9xf32>
  return %dx : tensor<1x4x9x9xf32>
}

// -----

// Left to the channels-last path: plain depthwise channels-last ops, an innermost stride
// above 4, and data gradients whose zero insertion would multiply the FMAs
// by more than 4 (strides 3 x 2: their phases are convolutions after
// --convgrad-decompose).
// CHECK-LABEL: func.func @declined
// CHECK: convgrad.conv_backward_filter {{.*}} layout = channels_last
// CHECK: convgrad.conv %{{.*}} strides = [1, 5]
// CHECK: convgrad.conv_backward_data {{.*}} strides = [3, 2]
func.func @declined(%x: tensor<1x9x9x4xf32>, %dy: tensor<1x9x9x4xf32>, %x2: tensor<1x4x9x41xf32>, %w: tensor<4x1x3x3xf32>, %dy2: tensor<1x4x3x5xf32>) -> (tensor<4x3x3x1xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>) {
  %a = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 4 layout = channels_last
    : (tensor<1x9x9x4xf32>, tensor<1x9x9x4xf32>) -> tensor<4x3x3x1xf32>
  %b = convgrad.conv %x2, %w strides = [1, 5] padding = [1, 1, 1, 1] groups = 4
    : (tensor<1x4x9x41xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x9x9xf32>
  %c = convgrad.conv_backward_data %dy2, %w strides = [3, 2] padding = [1, 1, 1, 1] groups = 4
    : (tensor<1x4x3x5xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x9x9xf32>
  return %a, %b, %c : tensor<4x3x3x1xf32>, tensor<1x4x9x9xf32>, tensor<1x4x9x9xf32>
}

// -----

// Grouped data gradient, 2 groups of 4 channels (row g's form): each output
// plane sums 4 input planes of its group (4 scratch slots), copied once per
// group -- at the group's first plane or the task's first -- not once per
// output plane; the filter [F, C/G, 3, 3] is read at [g * 4 + m, o - g * 4]
// and flipped.
// CHECK-LABEL: func.func @dgrad_grouped
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK:   linalg.fill {{.*}} -> tensor<4x10x64xf32>
// CHECK:   scf.for
// CHECK:     scf.for %[[OL:.*]] = %c0 to %{{.*}} iter_args
// CHECK:       %[[O:.*]] = arith.addi %{{.*}}, %[[OL]]
// CHECK:       %[[G:.*]] = arith.divui %[[O]], %c4
// CHECK:       %[[R:.*]] = arith.remui %[[O]], %c4
// CHECK:       %[[GS:.*]] = arith.cmpi eq, %[[R]], %c0
// CHECK:       %[[TS:.*]] = arith.cmpi eq, %[[OL]], %c0
// CHECK:       %[[CP:.*]] = arith.ori %[[GS]], %[[TS]]
// CHECK:       scf.if %[[CP]] -> (tensor<4x10x64xf32>)
// CHECK-COUNT-4: vector.transfer_write {{.*}} : vector<16xf32>, tensor<4x10x64xf32>
// CHECK:       } else {
// CHECK:       tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %c2, %c2] : tensor<8x4x3x3xf32>
// CHECK-COUNT-36: vector.fma
// AVX2-LABEL: func.func @dgrad_grouped
// AVX2: scf.if
// AVX2: vector.fma {{.*}} : vector<8xf32>
func.func @dgrad_grouped(%dy: tensor<2x8x8x20xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<2x8x8x20xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [1, 1] padding = [1, 1, 1, 1] groups = 2
    : (tensor<2x8x8x20xf32>, tensor<8x4x3x3xf32>) -> tensor<2x8x8x20xf32>
  return %dx : tensor<2x8x8x20xf32>
}

// -----

// Channels-last grouped ops and channel multipliers (which the channels-last
// depthwise path declines) are computed channels-first between transposes:
// dy [N, H, W, F] and the filter [F, KH, KW, C/G] to [N, F, H, W] and
// [F, C/G, KH, KW], the result back to [N, H, W, C]; a filter gradient's
// x and dy, and dw [F, KH, KW, 1] back from [F, 1, KH, KW].
// CHECK-LABEL: func.func @channels_last
// CHECK: %[[DYT:.*]] = linalg.transpose ins(%{{.*}} : tensor<2x8x20x8xf32>) outs(%{{.*}} : tensor<2x8x8x20xf32>) permutation = [0, 3, 1, 2]
// CHECK: %[[WT:.*]] = linalg.transpose ins(%{{.*}} : tensor<8x3x3x4xf32>) outs(%{{.*}} : tensor<8x4x3x3xf32>) permutation = [0, 3, 1, 2]
// CHECK: %[[DX:.*]] = scf.forall
// CHECK: linalg.transpose ins(%[[DX]] : tensor<2x8x8x20xf32>) outs(%{{.*}} : tensor<2x8x20x8xf32>) permutation = [0, 2, 3, 1]
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x8x20x4xf32>) outs(%{{.*}} : tensor<2x4x8x20xf32>)
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x8x20x8xf32>) outs(%{{.*}} : tensor<2x8x8x20xf32>)
// CHECK: %[[DW:.*]] = scf.forall
// CHECK: vector.reduction <add>
// CHECK: linalg.transpose ins(%[[DW]] : tensor<8x1x3x3xf32>) outs(%{{.*}} : tensor<8x3x3x1xf32>) permutation = [0, 2, 3, 1]
func.func @channels_last(%dy: tensor<2x8x20x8xf32>, %w: tensor<8x3x3x4xf32>, %x: tensor<2x8x20x4xf32>, %dy2: tensor<2x8x20x8xf32>) -> (tensor<2x8x20x8xf32>, tensor<8x3x3x1xf32>) {
  %dx = convgrad.conv_backward_data %dy, %w strides = [1, 1] padding = [1, 1, 1, 1] groups = 2 layout = channels_last
    : (tensor<2x8x20x8xf32>, tensor<8x3x3x4xf32>) -> tensor<2x8x20x8xf32>
  %dw = convgrad.conv_backward_filter %x, %dy2 padding = [1, 1, 1, 1] groups = 4 layout = channels_last
    : (tensor<2x8x20x4xf32>, tensor<2x8x20x8xf32>) -> tensor<8x3x3x1xf32>
  return %dx, %dw : tensor<2x8x20x8xf32>, tensor<8x3x3x1xf32>
}

// -----

// Grouped filter gradient, 2 groups of 4 channels (and 4 filters): each
// filter has 4 x 9 (input plane of its group, tap) accumulators in the
// task's [4 filters, 36, 16] tensor, 2 blocks of 18 (each a pass over dy).
// The group's 4 planes are read where they are (no scratch plane, no
// copy): plane m of filter f's group is channel (f / 4) * 4 + m of x. The
// 6 rows (one above and one below, 6 of 9 taps each; 4 inside, a block of
// 3 and the one left) are all unrolled: 174 FMAs per block of 18 taps
// (the block of 3 computes the last 4 columns of two of its rows in one
// vector: 18 fewer).
// Then one horizontal sum per filter, plane and tap: dw[f, m, kh, kw].
// CHECK-LABEL: func.func @wgrad_grouped
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x8x6x20xf32>
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK-NOT: tensor<4x8x64xf32>
// CHECK:   linalg.fill {{.*}} -> tensor<4x36x16xf32>
// CHECK:     %[[G:.*]] = arith.divui %{{.*}}, %c4 : index
// CHECK-NOT: scf.if
// CHECK:     %[[C0:.*]] = arith.muli %[[G]], %c4 : index
// CHECK:     vector.transfer_read %[[X]][%{{.*}}, %[[C0]], %c0, %c0]
// CHECK-COUNT-174: vector.fma
// CHECK-NOT: vector.fma
// CHECK:     vector.transfer_write {{.*}} : vector<18x16xf32>, tensor<4x36x16xf32>
// CHECK-COUNT-174: vector.fma
// CHECK-NOT: vector.fma
// CHECK:     vector.transfer_write {{.*}} : vector<18x16xf32>, tensor<4x36x16xf32>
// CHECK:   scf.for
// CHECK:     vector.reduction <add>
// CHECK:     tensor.insert %{{.*}}[%{{.*}}, %c0, %c0, %c0] : tensor<?x4x3x3xf32>
// CHECK-COUNT-35: vector.reduction <add>
// CHECK:     tensor.insert %{{.*}}[%{{.*}}, %c3, %c2, %c2] : tensor<?x4x3x3xf32>
// CHECK-NOT: convgrad.conv
// AVX2 (3 vectors of 8 per row: 15 unrolled steps of 36 taps, beyond the
// strategy's budget) copies the group's planes into a scratch.
// AVX2-LABEL: func.func @wgrad_grouped
// AVX2: -> (tensor<8x36x8xf32>, tensor<4x8x40xf32>)
func.func @wgrad_grouped(%x: tensor<2x8x6x20xf32>, %dy: tensor<2x8x6x20xf32>) -> tensor<8x4x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 2
    : (tensor<2x8x6x20xf32>, tensor<2x8x6x20xf32>) -> tensor<8x4x3x3xf32>
  return %dw : tensor<8x4x3x3xf32>
}

// -----

// bf16 rows of 20 = 16 + 4 (8 + 8 + 4 with AVX2): LLVM has no masked load of
// bf16 vectors (it would read the last 4 elements one by one), so the
// partial vector of a row (of x in the copy, of dy in the kernel) is the
// row's last full vector, converted to f32 and shifted down over zeros.
// CHECK-LABEL: func.func @wgrad_bf16_rows
// CHECK: vector.transfer_read %{{.*}}[%c0, %{{.*}}, %{{.*}}, %c4], %{{.*}} {in_bounds = [true]} : tensor<1x4x6x20xbf16>, vector<16xbf16>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16] : vector<16xf32>, vector<16xf32>
// CHECK-NOT: in_bounds = [false]
// CHECK: return
// AVX2-LABEL: func.func @wgrad_bf16_rows
// AVX2: vector.transfer_read %{{.*}}[%c0, %{{.*}}, %{{.*}}, %c12], %{{.*}} {in_bounds = [true]} : tensor<1x4x6x20xbf16>, vector<8xbf16>
// AVX2: vector.shuffle %{{.*}}, %{{.*}} [4, 5, 6, 7, 8, 8, 8, 8] : vector<8xf32>, vector<8xf32>
// AVX2-NOT: in_bounds = [false]
// AVX2: return
func.func @wgrad_bf16_rows(%x: tensor<1x4x6x20xbf16>, %dy: tensor<1x4x6x20xbf16>) -> tensor<4x1x3x3xbf16> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 4
    : (tensor<1x4x6x20xbf16>, tensor<1x4x6x20xbf16>) -> tensor<4x1x3x3xbf16>
  return %dw : tensor<4x1x3x3xbf16>
}

// -----

// Filter gradient with stride 2: x is read from a zero-bordered scratch
// copy of each plane whose rows keep their two phases apart, 40 elements
// each: phase 0 holds the padded row's even columns (the low padding's zero
// at 0, input columns 1, 3, ..., 63 at 1-32), phase 1 the odd ones (input
// columns 0, 2, ..., 62 at 40-71). The copy gathers 8 columns of a phase
// from two loads by one shuffle (3 vectors of phase 0 in a loop, its last
// read masked at the row's end; 4 of phase 1), and every tap's x vector is
// one read of a phase row: kernel column 0 phase 0 at x0, column 1 phase 1
// at x0, column 2 phase 0 at x0 + 1; no shuffle in the FMA loop.
// Each block of 4 output rows first prefetches into L2 (locality 2: the
// FMAs read the scratch from L1 meanwhile) its half of the x plane that the
// next filter's copy reads (32 of its 64 lines, the last filter's at most)
// and its 4 rows of that filter's dy plane (8 lines). On AVX2, 4 vectors x
// 9 taps x stride 2 per output row cover its 11 lines; at AVX-512's 16
// lanes (36) they do not: no prefetch.
// CHECK-LABEL: func.func @wgrad_stride2
// CHECK: tensor<1x17x96xf32>
// CHECK-NOT: memref.prefetch
// CHECK: return
// AVX2-LABEL: func.func @wgrad_stride2
// AVX2: linalg.fill {{.*}} -> tensor<1x17x80xf32>
// AVX2: scf.for %[[R:.*]] = %c0 to %c16 step %c1
// AVX2-NEXT: scf.for %[[V:.*]] = %c0 to %c3 step %c1
// AVX2: %[[C0:.*]] = arith.muli %[[V]], %c16 : index
// AVX2: %[[C1:.*]] = arith.addi %[[C0]], %c1 : index
// AVX2: %[[E1:.*]] = arith.addi %{{.*}}, %c1 : index
// AVX2: %[[A:.*]] = vector.transfer_read %arg0[%{{.*}}, %{{.*}}, %[[R]], %[[C1]]], %{{.*}} {in_bounds = [true]} : tensor<2x4x16x64xf32>, vector<8xf32>
// AVX2: %[[B:.*]] = vector.transfer_read %arg0{{.*}} {in_bounds = [true]} : tensor<2x4x16x64xf32>, vector<8xf32>
// AVX2-NEXT: %[[P:.*]] = vector.shuffle %[[A]], %[[B]] [0, 2, 4, 6, 8, 10, 12, 14] : vector<8xf32>, vector<8xf32>
// AVX2-NEXT: vector.transfer_write %[[P]], %{{.*}}[%c0, %{{.*}}, %[[E1]]] {in_bounds = [true]}
// AVX2: vector.transfer_read %arg0[%{{.*}}, %{{.*}}, %[[R]], %c49], %{{.*}} {in_bounds = [true]}
// AVX2-NEXT: vector.transfer_read %arg0[%{{.*}}, %{{.*}}, %[[R]], %c57], %{{.*}} : tensor<2x4x16x64xf32>, vector<8xf32>
// AVX2: vector.transfer_write %{{.*}}, %{{.*}}[%c0, %{{.*}}, %c25] {in_bounds = [true]}
// AVX2: scf.for %{{.*}} = %c0 to %c4 step %c1
// AVX2: scf.for %[[Y0:.*]] = %c0 to %c8 step %c4
// AVX2-NEXT: %[[XB:.*]] = bufferization.to_buffer %arg0 read_only
// AVX2: %[[F1:.*]] = arith.addi %{{.*}}, %c1 : index
// AVX2: %[[FA:.*]] = arith.minsi %[[F1]], %c3 : index
// AVX2-COUNT-32: memref.prefetch %[[XB]][%arg2, %[[FA]], %{{.*}}, %{{.*}}], read, locality<2>, data
// AVX2: %[[DYB:.*]] = bufferization.to_buffer %arg1 read_only
// AVX2: memref.prefetch %[[DYB]][%arg2, %{{.*}}, %[[Y0]], %c0], read, locality<2>, data
// AVX2-COUNT-7: memref.prefetch %[[DYB]]
// AVX2-NOT: memref.prefetch
// AVX2: scf.for %[[X0:.*]] = %c0 to %c32 step %c8
// AVX2-NEXT: %[[DYV:.*]] = vector.transfer_read %arg1
// AVX2-NEXT: %[[ROW:.*]] = arith.muli %[[Y0]], %c2 : index
// AVX2-NEXT: %[[K0:.*]] = vector.transfer_read %[[SCR:.*]][%c0, %[[ROW]], %[[X0]]], %{{.*}} {in_bounds = [true]} : tensor<1x17x80xf32>, vector<8xf32>
// AVX2-NEXT: vector.fma %[[K0]], %[[DYV]]
// AVX2: %[[P1:.*]] = arith.addi %[[X0]], %c40 : index
// AVX2-NEXT: %[[K1:.*]] = vector.transfer_read %[[SCR]][%c0, %{{.*}}, %[[P1]]]
// AVX2-NEXT: vector.fma %[[K1]], %[[DYV]]
// AVX2: %[[N1:.*]] = arith.addi %[[X0]], %c1 : index
// AVX2-NEXT: %[[K2:.*]] = vector.transfer_read %[[SCR]][%c0, %{{.*}}, %[[N1]]]
// AVX2-NEXT: vector.fma %[[K2]], %[[DYV]]
// AVX2-NOT: vector.shuffle
// AVX2: scf.yield
func.func @wgrad_stride2(%x: tensor<2x4x16x64xf32>, %dy: tensor<2x4x8x32xf32>) -> tensor<4x1x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 1, 1] groups = 4
    : (tensor<2x4x16x64xf32>, tensor<2x4x8x32xf32>) -> tensor<4x1x3x3xf32>
  return %dw : tensor<4x1x3x3xf32>
}
