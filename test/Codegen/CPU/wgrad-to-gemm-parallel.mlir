// --convgrad-cpu-wgrad-to-gemm with T > 1 parallel tasks: ONE scf.forall of T
// tasks outside the image, row-block and tap loops (one parallel region per
// wgrad), each task accumulating a disjoint channel block of every tap into
// its own [taps * A', B'] part of the accumulator (no cross-task reduction).
// Rows split when A / T is a multiple of 4, else lanes when B / T is a
// multiple of 16 (lanes also when both split, the operand along B has more
// elements and B / T keeps the register block's lanes), else the tasks
// split the work items (image x block of
// output rows) and the T partial sums are added after the forall
// (wgrad-gemm.mlir pins T = 1).
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v4 threads=2" --convgrad-cpu-wgrad-to-gemm --canonicalize | FileCheck %s
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v4" --convgrad-cpu-wgrad-to-gemm="parallel-tasks=4" --canonicalize | FileCheck %s --check-prefix=T4
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v4 threads=2" --convgrad-cpu-wgrad-to-gemm="block-bytes=30000" --canonicalize | FileCheck %s --check-prefix=WORK

// A = C = 8, B = F = 16, 3 images (3 work items, which do not split evenly
// in 2 tasks): task t owns rows [4t, 4t + 4) of each tap's 8 x 16 block,
// reads channels 4t.. of x and all of dy.
// CHECK-LABEL: func.func @split_rows
// CHECK-SAME: (%[[X:.*]]: tensor<3x10x10x8xf32>, %[[DY:.*]]: tensor<3x10x10x16xf32>)
// CHECK: %[[XP:.*]] = tensor.pad %[[X]]
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<72x16xf32>
// CHECK: %[[ALL:.*]] = scf.forall (%[[T:.*]]) in (2) shared_outs(%[[OUT:.*]] = %[[INIT]]) -> (tensor<72x16xf32>) {
// CHECK:   %[[PART_ROW:.*]] = arith.muli %[[T]], %c36
// CHECK:   %[[PART:.*]] = tensor.extract_slice %[[OUT]][%[[PART_ROW]], 0] [36, 16] [1, 1]
// CHECK:   %[[ZERO:.*]] = linalg.fill {{.*}} outs(%[[PART]] : tensor<36x16xf32>)
// CHECK:   %[[C0:.*]] = arith.muli %[[T]], %c4
// CHECK:   %[[NEST:.*]] = scf.for %[[N:.*]] = %c0 to %c3 {{.*}} iter_args(%{{.*}} = %[[ZERO]]) -> (tensor<36x16xf32>)
// CHECK:     %[[DYN:.*]] = tensor.extract_slice %[[DY]][%[[N]], 0, 0, 0] [1, 10, 10, 16] [1, 1, 1, 1]
// CHECK:     scf.for %[[KH:.*]] = %c0 to %c3
// CHECK:       scf.for %[[KW:.*]] = %c0 to %c3 {{.*}} iter_args(%[[ITER:.*]] = %{{.*}})
// CHECK-NOT:     scf.forall
// CHECK:         %[[XK:.*]] = tensor.extract_slice %[[XP]][%[[N]], %[[KH]], %[[KW]], %[[C0]]] [1, 10, 10, 4] [1, 1, 1, 1]
// CHECK:         %[[BLK:.*]] = tensor.extract_slice %[[ITER]][%{{.*}}, 0] [4, 16] [1, 1] : tensor<36x16xf32> to tensor<4x16xf32>
// CHECK:         linalg.generic {{.*}} ins(%[[XK]], %[[DYN]] : tensor<1x10x10x4xf32>, tensor<1x10x10x16xf32>) outs(%[[BLK]] : tensor<4x16xf32>)
// CHECK:   scf.forall.in_parallel {
// CHECK:     tensor.parallel_insert_slice %[[NEST]] into %[[OUT]][%[[PART_ROW]], 0] [36, 16] [1, 1]
// [T, KH, KW, A', B'] -> [F, KH, KW, T, A'] -> [F, KH, KW, T * A' = C]: one
// transpose of the filter gradient.
// CHECK: %[[E:.*]] = tensor.expand_shape %[[ALL]] {{\[\[}}0, 1, 2, 3], [4]] output_shape [2, 3, 3, 4, 16]
// CHECK: %[[TR:.*]] = linalg.transpose ins(%[[E]] : {{.*}}) outs(%{{.*}} : tensor<16x3x3x2x4xf32>) permutation = [4, 1, 2, 0, 3]
// CHECK-NOT: linalg.transpose
// CHECK: %[[DW:.*]] = tensor.collapse_shape %[[TR]] {{\[\[}}0], [1], [2], [3, 4]] : tensor<16x3x3x2x4xf32> into tensor<16x3x3x8xf32>
// CHECK: return %[[DW]]
// T = 4: A / 4 = 2 is not a multiple of 4, B / 4 = 4 not one of 16: the
// four tasks split the two images (one row block each) instead of two tasks
// splitting the rows, and each accumulates whole 8 x 16 blocks.
// T4-LABEL: func.func @split_rows
// T4: scf.forall (%{{.*}}) in (4) shared_outs(%{{.*}}) -> (tensor<288x16xf32>)
// T4:   linalg.generic {{.*}} outs(%{{.*}} : tensor<8x16xf32>)
func.func @split_rows(%x: tensor<3x10x10x8xf32>, %dy: tensor<3x10x10x16xf32>) -> tensor<16x3x3x8xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] layout = channels_last : (tensor<3x10x10x8xf32>, tensor<3x10x10x16xf32>) -> tensor<16x3x3x8xf32>
  return %dw : tensor<16x3x3x8xf32>
}

// -----

// The stem shape: A = C = 3 cannot split, B = F = 32 splits into 16 lanes
// per task (dy channels 16t..). f16 accumulates in f32; the batch is dynamic
// (a dynamic bound of the image loop inside the forall).
// CHECK-LABEL: func.func @split_lanes
// CHECK: %[[DYT:.*]] = linalg.transpose ins(%{{.*}} : tensor<?x32x6x6xf16>)
// CHECK: %[[XP:.*]] = tensor.pad
// CHECK: %[[N:.*]] = tensor.dim %[[XP]], %c0
// CHECK: %[[ALL:.*]] = scf.forall (%[[T:.*]]) in (2) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<54x16xf32>) {
// CHECK:   tensor.extract_slice %[[OUT]][%{{.*}}, 0] [27, 16] [1, 1]
// CHECK:   %[[F0:.*]] = arith.muli %[[T]], %c16
// CHECK:   scf.for %[[I:.*]] = %c0 to %[[N]] step %c1
// CHECK:     tensor.extract_slice %[[DYT]][%[[I]], 0, 0, %[[F0]]] [1, 6, 6, 16] [1, 1, 1, 1]
// CHECK:     scf.for
// CHECK:       scf.for
// CHECK:         tensor.extract_slice %[[XP]][%[[I]], %{{.*}}, %{{.*}}, 0] [1, 6, 6, 3] [1, 2, 2, 1]
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<3x16xf32>)
// CHECK:   scf.forall.in_parallel
// CHECK: tensor.expand_shape %[[ALL]] {{.*}} output_shape [2, 3, 3, 3, 16]
// CHECK: arith.truncf
// CHECK: %[[TR:.*]] = linalg.transpose {{.*}} outs(%{{.*}} : tensor<2x16x3x3x3xf16>) permutation = [0, 4, 3, 1, 2]
// CHECK: tensor.collapse_shape %[[TR]] {{\[\[}}0, 1], [2], [3], [4]] : tensor<2x16x3x3x3xf16> into tensor<32x3x3x3xf16>
// T = 4: 8 lanes per task is too few: four tasks over the work items.
// T4-LABEL: func.func @split_lanes
// T4: scf.forall (%{{.*}}) in (4) shared_outs(%{{.*}}) -> (tensor<108x32xf32>)
// T4:   linalg.generic {{.*}} outs(%{{.*}} : tensor<3x32xf32>)
func.func @split_lanes(%x: tensor<?x3x12x12xf16>, %dy: tensor<?x32x6x6xf16>) -> tensor<32x3x3x3xf16> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 1, 1] : (tensor<?x3x12x12xf16>, tensor<?x32x6x6xf16>) -> tensor<32x3x3x3xf16>
  return %dw : tensor<32x3x3x3xf16>
}

// -----

// A = 32, B = 64: four tasks of 8 rows each.
// T4-LABEL: func.func @four_tasks
// T4: scf.forall (%[[T:.*]]) in (4) shared_outs(%{{.*}}) -> (tensor<96x64xf32>)
// T4:   tensor.extract_slice %{{.*}}[%{{.*}}, 0] [24, 64] [1, 1]
// T4:   %[[C0:.*]] = arith.muli %[[T]], %c8
// T4:   scf.for
// T4:     scf.for
// T4:       tensor.extract_slice %{{.*}}[%{{.*}}, %{{.*}}, %[[C0]]] [1, 16, 8] [1, 1, 1]
// T4:       linalg.generic {{.*}} outs(%{{.*}} : tensor<8x64xf32>)
// T4: linalg.transpose {{.*}} outs(%{{.*}} : tensor<64x3x4x8xf32>) permutation = [3, 1, 0, 2]
func.func @four_tasks(%x: tensor<2x18x32xf32>, %dy: tensor<2x16x64xf32>) -> tensor<64x3x32xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy layout = channels_last : (tensor<2x18x32xf32>, tensor<2x16x64xf32>) -> tensor<64x3x32xf32>
  return %dw : tensor<64x3x32xf32>
}

// -----

// C = 2, F = 8: no channel split fits. Each task runs the work items from
// its first, t * (N / T), of the N x 1 (one row block per image), as many
// as N / T (a constant: the one-item loop folds away), with the whole 2 x 8
// block of each tap, in its own [taps * 2, 8] part; one elementwise generic
// adds the two parts.
// CHECK-LABEL: func.func @split_positions
// CHECK-SAME: (%[[X:.*]]: tensor<2x10x2xf32>, %[[DY:.*]]: tensor<2x10x8xf32>)
// CHECK: %[[XP:.*]] = tensor.pad %[[X]]
// CHECK: %[[ALL:.*]] = scf.forall (%[[T:.*]]) in (2) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<12x8xf32>) {
// CHECK:   %[[PART_ROW:.*]] = arith.muli %[[T]], %c6
// CHECK:   %[[PART:.*]] = tensor.extract_slice %[[OUT]][%[[PART_ROW]], 0] [6, 8] [1, 1]
// CHECK:   %[[ZERO:.*]] = linalg.fill {{.*}} outs(%[[PART]] : tensor<6x8xf32>)
// CHECK:   tensor.extract_slice %[[DY]][%[[T]], 0, 0] [1, 10, 8]
// CHECK:   %[[NEST:.*]] = scf.for %[[K:.*]] = %c0 to %c3 step %c1 iter_args(%{{.*}} = %[[ZERO]]) -> (tensor<6x8xf32>)
// CHECK:     tensor.extract_slice %[[XP]][%[[T]], %[[K]], 0] [1, 10, 2]
// CHECK:     linalg.generic {{.*}} outs(%{{.*}} : tensor<2x8xf32>)
// CHECK:   scf.forall.in_parallel {
// CHECK:     tensor.parallel_insert_slice %[[NEST]] into %[[OUT]][%[[PART_ROW]], 0] [6, 8] [1, 1]
// CHECK: %[[P0:.*]] = tensor.extract_slice %[[ALL]][0, 0] [6, 8] [1, 1]
// CHECK: %[[P1:.*]] = tensor.extract_slice %[[ALL]][6, 0] [6, 8] [1, 1]
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[P0]], %[[P1]] : tensor<6x8xf32>, tensor<6x8xf32>) outs(%{{.*}} : tensor<6x8xf32>)
// CHECK:   arith.addf
// CHECK: %[[E:.*]] = tensor.expand_shape %[[SUM]] {{\[\[}}0, 1], [2]] output_shape [3, 2, 8]
// CHECK: %[[DW:.*]] = linalg.transpose ins(%[[E]] : tensor<3x2x8xf32>) outs(%{{.*}} : tensor<8x3x2xf32>) permutation = [2, 0, 1]
// CHECK: return %[[DW]]
func.func @split_positions(%x: tensor<2x10x2xf32>, %dy: tensor<2x10x8xf32>) -> tensor<8x3x2xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1] layout = channels_last : (tensor<2x10x2xf32>, tensor<2x10x8xf32>) -> tensor<8x3x2xf32>
  return %dw : tensor<8x3x2xf32>
}

// -----

// 67 x 67 channels over a dynamic batch, two row blocks of 10 per image
// (block-bytes=30000):
// W = 2N work items, task t runs [t * W / 2, (t + 1) * W / 2); work item w
// is image w / 2, output rows 10 * (w % 2)..
// The f16 sum converts back in the same generic.
// WORK-LABEL: func.func @split_positions_dynamic
// WORK: %[[N:.*]] = tensor.dim
// WORK: scf.forall (%[[T:.*]]) in (2) shared_outs(%{{.*}}) -> (tensor<1206x67xf32>)
// WORK:   %[[W:.*]] = arith.muli %[[N]], %c2
// WORK:   %[[B0:.*]] = arith.muli %[[T]], %[[W]]
// WORK:   %[[FIRST:.*]] = arith.divui %[[B0]], %c2
// WORK:   %[[T1:.*]] = arith.addi %[[T]], %c1
// WORK:   %[[B1:.*]] = arith.muli %[[T1]], %[[W]]
// WORK:   %[[END:.*]] = arith.divui %[[B1]], %c2
// WORK:   %[[COUNT:.*]] = arith.subi %[[END]], %[[FIRST]]
// WORK:   scf.for %[[I:[^ ]*]] = %c0 to %[[COUNT]] step %c1
// WORK:     %[[ITEM:.*]] = arith.addi %[[FIRST]], %[[I]]
// WORK:     %[[IMG:.*]] = arith.divui %[[ITEM]], %c2
// WORK:     %[[BLK:.*]] = arith.remui %[[ITEM]], %c2
// WORK:     %[[ROW:.*]] = arith.muli %[[BLK]], %c10
// WORK:     tensor.extract_slice %{{.*}}[%[[IMG]], %[[ROW]], 0, 0] [1, 10, 20, 67]
// WORK:     scf.for
// WORK:       scf.for
// WORK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<67x67xf32>)
// WORK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<603x67xf32>, tensor<603x67xf32>) outs(%{{.*}} : tensor<603x67xf16>)
// WORK:   arith.addf
// WORK:   arith.truncf
func.func @split_positions_dynamic(%x: tensor<?x20x20x67xf16>, %dy: tensor<?x20x20x67xf16>) -> tensor<67x3x3x67xf16> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] layout = channels_last : (tensor<?x20x20x67xf16>, tensor<?x20x20x67xf16>) -> tensor<67x3x3x67xf16>
  return %dw : tensor<67x3x3x67xf16>
}

// -----

// Channels-first with staged slices (rows of 20 positions), 3 images, rows
// split (A = C = 8, 4 per task): task t stages its 4 channels of x and all of dy
// in slice t of [2, ...] buffers made before the forall (one allocation for
// both tasks after bufferization, none per task), and carries them through
// its loop over the images.
// CHECK-LABEL: func.func @staged_split_rows
// CHECK-SAME: (%[[X:.*]]: tensor<3x8x10x20xf32>, %[[DY:.*]]: tensor<3x16x10x20xf32>)
// CHECK-NOT: tensor.pad
// CHECK-DAG: %[[XS:.*]] = bufferization.alloc_tensor() : tensor<2x12x22x4xf32>
// CHECK-DAG: %[[DYS:.*]] = bufferization.alloc_tensor() : tensor<2x10x20x16xf32>
// CHECK: scf.forall (%[[T:.*]]) in (2) shared_outs(%{{.*}}) -> (tensor<72x16xf32>) {
// CHECK:   %[[C0:.*]] = arith.muli %[[T]], %c4
// CHECK:   %[[XT:.*]] = tensor.extract_slice %[[XS]][%[[T]], 0, 0, 0] [1, 12, 22, 4] [1, 1, 1, 1]
// CHECK:   %[[DYT:.*]] = tensor.extract_slice %[[DYS]][%[[T]], 0, 0, 0] [1, 10, 20, 16] [1, 1, 1, 1]
// CHECK:   scf.for %[[N:.*]] = %c0 to %c3 {{.*}} iter_args(%{{.*}} = %{{.*}}, %[[XB:.*]] = %[[XT]], %[[DYB:.*]] = %[[DYT]])
// CHECK:     linalg.transpose ins(%{{.*}} : tensor<1x16x10x20xf32>) outs(%[[DYB]] : tensor<1x10x20x16xf32>)
// CHECK:     linalg.fill {{.*}} outs(%[[XB]] : tensor<1x12x22x4xf32>)
// CHECK:     scf.for
// CHECK:       tensor.extract_slice %[[X]][%[[N]], %[[C0]], %{{.*}}, 0] [1, 4, 1, 20] [1, 1, 1, 1]
// CHECK:       linalg.transpose {{.*}} outs(%{{.*}} : tensor<1x1x20x4xf32>)
// CHECK:     linalg.generic {{.*}} outs(%{{.*}} : tensor<4x16xf32>)
// CHECK:   scf.forall.in_parallel
func.func @staged_split_rows(%x: tensor<3x8x10x20xf32>, %dy: tensor<3x16x10x20xf32>) -> tensor<16x8x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] : (tensor<3x8x10x20xf32>, tensor<3x16x10x20xf32>) -> tensor<16x8x3x3xf32>
  return %dw : tensor<16x8x3x3xf32>
}

// -----

// The layer of @split_rows with 2 images: its 2 work items split evenly and
// each task's copy of the 3x3 x 8 x 16 filter gradient is small
// (cpu::planWgradGemm), so the tasks split the work items, though the
// channels would split: each task reads only its image of x and dy and
// keeps whole 4 x 16 register blocks; the two copies are summed.
// CHECK-LABEL: func.func @small_filter_splits_work_items
// CHECK: %[[ALL:.*]] = scf.forall (%[[T:.*]]) in (2) shared_outs(%{{.*}}) -> (tensor<144x16xf32>) {
// CHECK:   tensor.extract_slice %{{.*}}[%[[T]], 0, 0, 0] [1, 10, 10, 16]
// CHECK:   scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK:       linalg.generic {{.*}} outs(%{{.*}} : tensor<8x16xf32>)
// CHECK: %[[P0:.*]] = tensor.extract_slice %[[ALL]][0, 0] [72, 16] [1, 1]
// CHECK: %[[P1:.*]] = tensor.extract_slice %[[ALL]][72, 0] [72, 16] [1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[P0]], %[[P1]] : tensor<72x16xf32>, tensor<72x16xf32>)
// CHECK:   arith.addf
func.func @small_filter_splits_work_items(%x: tensor<2x10x10x8xf32>, %dy: tensor<2x10x10x16xf32>) -> tensor<16x3x3x8xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] layout = channels_last : (tensor<2x10x10x8xf32>, tensor<2x10x10x16xf32>) -> tensor<16x3x3x8xf32>
  return %dw : tensor<16x3x3x8xf32>
}

// -----

// Both channels split into whole register blocks (A = C = 8: 4 rows per
// task; B = F = 128: 64 lanes per task, the whole register block's) and the
// 3 work items do not split evenly: the tasks split the operand with more
// elements per image. The 1x1 stride-2 kernel reads 4 x 4 positions of 8
// channels of x, dy has 4 x 4 of 128: each task takes 64 channels of dy
// (the lanes) and reads all of x, where a Rows split would have both tasks
// read all of dy.
// CHECK-LABEL: func.func @channel_split_takes_larger_operand
// CHECK-SAME: (%[[X:.*]]: tensor<3x8x8x8xf32>, %[[DY:.*]]: tensor<3x4x4x128xf32>)
// CHECK: scf.forall (%[[T:.*]]) in (2) shared_outs(%{{.*}}) -> (tensor<16x64xf32>) {
// CHECK:   %[[F0:.*]] = arith.muli %[[T]], %c64
// CHECK:   scf.for %[[N:.*]] = %c0 to %c3
// CHECK:     %[[DYN:.*]] = tensor.extract_slice %[[DY]][%[[N]], 0, 0, %[[F0]]] [1, 4, 4, 64] [1, 1, 1, 1]
// CHECK:     %[[XN:.*]] = tensor.extract_slice %{{.*}}[%[[N]], 0, 0, 0] [1, 4, 4, 8] [1, 2, 2, 1]
// CHECK:     linalg.generic {{.*}} ins(%[[XN]], %[[DYN]] : tensor<1x4x4x8xf32>, tensor<1x4x4x64xf32>) outs(%{{.*}} : tensor<8x64xf32>)
func.func @channel_split_takes_larger_operand(%x: tensor<3x8x8x8xf32>, %dy: tensor<3x4x4x128xf32>) -> tensor<128x1x1x8xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] layout = channels_last : (tensor<3x8x8x8xf32>, tensor<3x4x4x128xf32>) -> tensor<128x1x1x8xf32>
  return %dw : tensor<128x1x1x8xf32>
}

// -----

// Channels-first, staged, lanes split (B = F = 128: 64 per task), which
// leaves x's 8 channels whole in every task: x is the GEMMs' broadcast
// operand (rows along C), which they read where it is, channels-first
// (cpu::WgradGemmPlan::readInputInPlace): x is only padded, with no
// transpose, and each work item stages only its task's 64 channels of dy
// (one buffer, no x buffer). The GEMM's lhs map is (n, c, rows, columns).
// CHECK-DAG: #[[XMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d0, d3, d4)>
// CHECK-LABEL: func.func @staged_split_lanes_shares_x
// CHECK-SAME: (%[[X:.*]]: tensor<3x8x10x20xf32>, %[[DY:.*]]: tensor<3x128x10x20xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[XP:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK-NOT: bufferization.alloc_tensor
// CHECK: %[[DYS:.*]] = bufferization.alloc_tensor() : tensor<2x10x20x64xf32>
// CHECK-NOT: bufferization.alloc_tensor
// CHECK: scf.forall (%[[T:.*]]) in (2) shared_outs(%{{.*}}) -> (tensor<144x64xf32>) {
// CHECK:   %[[F0:.*]] = arith.muli %[[T]], %c64
// CHECK:   %[[DYT:.*]] = tensor.extract_slice %[[DYS]][%[[T]], 0, 0, 0] [1, 10, 20, 64] [1, 1, 1, 1]
// CHECK:   scf.for %[[N:.*]] = %c0 to %c3 {{.*}} iter_args(%{{.*}} = %{{.*}}, %[[DYB:.*]] = %[[DYT]])
// CHECK:     %[[DYN:.*]] = tensor.extract_slice %[[DY]][%[[N]], %[[F0]], 0, 0] [1, 64, 10, 20] [1, 1, 1, 1]
// CHECK:     %[[DYC:.*]] = linalg.transpose ins(%[[DYN]] : tensor<1x64x10x20xf32>) outs(%[[DYB]] : tensor<1x10x20x64xf32>)
// CHECK-NOT: linalg.transpose
// CHECK:     %[[XW:.*]] = tensor.extract_slice %[[XP]][%[[N]], 0, %{{.*}}, %{{.*}}] [1, 8, 10, 20] [1, 1, 1, 1]
// CHECK:     linalg.generic {indexing_maps = [#[[XMAP]], {{.*}} ins(%[[XW]], %[[DYC]] : tensor<1x8x10x20xf32>, tensor<1x10x20x64xf32>) outs(%{{.*}} : tensor<8x64xf32>)
// CHECK:   scf.forall.in_parallel
func.func @staged_split_lanes_shares_x(%x: tensor<3x8x10x20xf32>, %dy: tensor<3x128x10x20xf32>) -> tensor<128x8x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] : (tensor<3x8x10x20xf32>, tensor<3x128x10x20xf32>) -> tensor<128x8x3x3xf32>
  return %dw : tensor<128x8x3x3xf32>
}

// -----

// 3x3, C = F = 96: a task's copy of the filter gradient (332 KB) fits L2,
// so the 2 images split (cpu::planWgradGemm), though the channels would:
// each task stages its own image's x rows and dy into its slices of the
// staging buffers (a channel split along F would leave all of x's channels
// in each task and transpose x once into a padded copy in memory), with its
// own copy of the whole filter gradient; the copies are summed.
// CHECK-LABEL: func.func @staged_split_positions_keeps_x
// CHECK-SAME: (%[[X:.*]]: tensor<2x96x10x20xf32>, %[[DY:.*]]: tensor<2x96x10x20xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[XS:.*]] = bufferization.alloc_tensor() : tensor<2x12x22x96xf32>
// CHECK: %[[DYS:.*]] = bufferization.alloc_tensor() : tensor<2x10x20x96xf32>
// CHECK: %[[ALL:.*]] = scf.forall (%[[T:.*]]) in (2) shared_outs(%{{.*}}) -> (tensor<1728x96xf32>) {
// CHECK:   tensor.extract_slice %[[XS]][%[[T]], 0, 0, 0] [1, 12, 22, 96]
// CHECK:   tensor.extract_slice %[[DYS]][%[[T]], 0, 0, 0] [1, 10, 20, 96]
// CHECK:   %[[DYN:.*]] = tensor.extract_slice %[[DY]][%[[T]], 0, 0, 0] [1, 96, 10, 20]
// CHECK:   linalg.transpose ins(%[[DYN]] : tensor<1x96x10x20xf32>)
// CHECK:   scf.for
// CHECK:     tensor.extract_slice %[[X]][%[[T]], 0, %{{.*}}, 0] [1, 96, 1, 20]
// CHECK:     linalg.transpose
// CHECK:       linalg.generic {{.*}} outs(%{{.*}} : tensor<96x96xf32>)
// CHECK: %[[P0:.*]] = tensor.extract_slice %[[ALL]][0, 0] [864, 96] [1, 1]
// CHECK: %[[P1:.*]] = tensor.extract_slice %[[ALL]][864, 0] [864, 96] [1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[P0]], %[[P1]] : tensor<864x96xf32>, tensor<864x96xf32>)
// CHECK:   arith.addf
func.func @staged_split_positions_keeps_x(%x: tensor<2x96x10x20xf32>, %dy: tensor<2x96x10x20xf32>) -> tensor<96x96x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] : (tensor<2x96x10x20xf32>, tensor<2x96x10x20xf32>) -> tensor<96x96x3x3xf32>
  return %dw : tensor<96x96x3x3xf32>
}

// -----

// C = F = 128: a task's copy (590 KB) and its work item's slices (237 KB)
// would fill more than 3/4 of this target's 1 MiB L2 (cpu::planWgradStaging):
// the tasks split C, the lanes, instead: each stages its own 64 channels of
// x and all of dy, and accumulates its [taps * 128, 64] part; one transpose
// gathers the parts into the filter gradient.
// CHECK-LABEL: func.func @staged_positions_overfill_split_c
// CHECK-SAME: (%[[X:.*]]: tensor<2x128x10x20xf32>, %[[DY:.*]]: tensor<2x128x10x20xf32>)
// CHECK: %[[XS:.*]] = bufferization.alloc_tensor() : tensor<2x12x22x64xf32>
// CHECK: %[[DYS:.*]] = bufferization.alloc_tensor() : tensor<2x10x20x128xf32>
// CHECK: scf.forall (%{{.*}}) in (2) shared_outs(%{{.*}}) -> (tensor<2304x64xf32>) {
// CHECK:     tensor.extract_slice %[[X]][%{{.*}}, %{{.*}}, %{{.*}}, 0] [1, 64, 1, 20]
// CHECK:       linalg.generic {{.*}} outs(%{{.*}} : tensor<128x64xf32>)
// CHECK:   scf.forall.in_parallel
// CHECK-NOT: arith.addf
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x3x128x64xf32>) outs(%{{.*}} : tensor<128x2x64x3x3xf32>) permutation = [3, 0, 4, 1, 2]
func.func @staged_positions_overfill_split_c(%x: tensor<2x128x10x20xf32>, %dy: tensor<2x128x10x20xf32>) -> tensor<128x128x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] : (tensor<2x128x10x20xf32>, tensor<2x128x10x20xf32>) -> tensor<128x128x3x3xf32>
  return %dw : tensor<128x128x3x3xf32>
}

// -----

// Channels-last 1x1 stride 2, C = 16, F = 512 (dy positions a conflicting
// 2 KiB apart): with a dynamic batch the tasks split F (lanes). Each work
// item copies its task's 256 channels of its 4 dy rows into a padded buffer
// and, before its GEMMs, issues marked prefetch loops (spread over them by
// convgrad-cpu-spread-prefetches) over the next item's work (the next block
// of rows, else block 0 of the next image): its dy rows (4 x 28 positions x
// 16 lines of the task's channels) and the x positions its windows read in
// place (rows 8 * block + 2 * i, columns 2 * j: 4 x 28 positions x one line
// of 16 channels).
// CHECK-LABEL: func.func @cl_staged_split_lanes_prefetches
// CHECK-SAME: (%[[X:.*]]: tensor<?x16x56x16xf32>, %[[DY:.*]]: tensor<?x8x28x512xf32>)
// CHECK: %[[XC:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [%{{.*}}, 15, 55, 16] [1, 1, 1, 1]
// CHECK: scf.forall (%[[T:.*]]) in (2)
// CHECK:   %[[F0:.*]] = arith.muli %[[T]], %c256
// CHECK:   scf.for %[[N:.*]] = %c0 to %{{.*}} step %c1
// CHECK:     scf.for %[[B:.*]] = %c0 to %c2 step %c1
// CHECK:       linalg.copy ins(%{{.*}} : tensor<1x4x28x256xf32>)
// CHECK:       %[[NB:.*]] = arith.addi %[[B]], %c1
// CHECK:       %[[WRAP:.*]] = arith.cmpi eq, %[[NB]], %c2
// CHECK:       %[[NN:.*]] = arith.select %[[WRAP]], %{{.*}}, %[[N]]
// CHECK:       %[[NBLK:.*]] = arith.select %[[WRAP]], %c0, %[[NB]]
// CHECK:       %[[DYROW0:.*]] = arith.muli %[[NBLK]], %c4
// CHECK:       %[[XROW0:.*]] = arith.muli %[[NBLK]], %c8
// CHECK:       %[[DYB:.*]] = bufferization.to_buffer %[[DY]] read_only
// CHECK:       scf.for %[[J:.*]] = %c0 to %c1792 step %c1 {
// CHECK:         %[[POS:.*]] = arith.divui %[[J]], %c16
// CHECK:         %[[LINE:.*]] = arith.remui %[[J]], %c16
// CHECK:         %[[ROW:.*]] = arith.divui %[[POS]], %c28
// CHECK:         %[[COL:.*]] = arith.remui %[[POS]], %c28
// CHECK:         %[[DYROW:.*]] = arith.addi %[[DYROW0]], %[[ROW]]
// CHECK:         %[[CH:.*]] = arith.muli %[[LINE]], %c16
// CHECK:         %[[CHC:.*]] = arith.minui %[[CH]], %c255
// CHECK:         %[[F:.*]] = arith.addi %[[F0]], %[[CHC]]
// CHECK:         memref.prefetch %[[DYB]][%[[NN]], %[[DYROW]], %[[COL]], %[[F]]], read, locality<2>, data
// CHECK:       } {convgrad.spread_prefetches}
// CHECK:       %[[XB:.*]] = bufferization.to_buffer %[[XC]] read_only
// CHECK:       scf.for %[[J:.*]] = %c0 to %c112 step %c1 {
// CHECK:         %[[ROW:.*]] = arith.divui %[[J]], %c28
// CHECK:         %[[COL:.*]] = arith.remui %[[J]], %c28
// CHECK:         %[[XCOL:.*]] = arith.muli %[[COL]], %c2
// CHECK:         %[[XROWOFF:.*]] = arith.muli %[[ROW]], %c2
// CHECK:         %[[XROW:.*]] = arith.addi %[[XROW0]], %[[XROWOFF]]
// CHECK:         memref.prefetch %[[XB]][%[[NN]], %[[XROW]], %[[XCOL]], %c0], read, locality<2>, data
// CHECK:       } {convgrad.spread_prefetches}
// CHECK:       linalg.generic {{.*}} outs(%{{.*}} : tensor<16x256xf32>)
func.func @cl_staged_split_lanes_prefetches(%x: tensor<?x16x56x16xf32>, %dy: tensor<?x8x28x512xf32>) -> tensor<512x1x1x16xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] layout = channels_last : (tensor<?x16x56x16xf32>, tensor<?x8x28x512xf32>) -> tensor<512x1x1x16xf32>
  return %dw : tensor<512x1x1x16xf32>
}
