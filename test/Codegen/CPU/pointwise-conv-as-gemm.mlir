// --convgrad-cpu-pointwise-conv-as-gemm (AVX-512 target, 2 threads): a
// channels-first 1x1 convolution becomes, per image n, the GEMM
//   out[n][k, p] += wT[0, chunk, c, k] * x[n][0, chunk, c, p]
// over the flattened positions p (the vector lanes), in an scf.forall over
// the images, with its lane blocks outermost. No layout change of x or out.
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v4 threads=2" --convgrad-cpu-pointwise-conv-as-gemm --canonicalize --cse | FileCheck %s

// 196 positions: three blocks of 64 lanes, then a 4-lane remainder block
// (split at 192); 2 images for 2 threads: one task per image.
// CHECK-DAG: #[[WMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d3, d4, d0)>
// CHECK-DAG: #[[XMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d3, d4, d1)>
// CHECK-DAG: #[[BLOCK:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>
// CHECK-LABEL: func.func @pointwise
// CHECK-SAME: (%[[X:.*]]: tensor<2x64x14x14xf32>, %[[W:.*]]: tensor<40x64x1x1xf32>)
// CHECK: %[[XF:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1], [2, 3]] : tensor<2x64x14x14xf32> into tensor<2x64x196xf32>
// CHECK: %[[XC:.*]] = tensor.expand_shape %[[XF]] {{.*}} into tensor<2x1x64x196xf32>
// CHECK: %[[WF:.*]] = tensor.collapse_shape %[[W]] {{.*}} into tensor<40x64xf32>
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[WF]] : tensor<40x64xf32>) {{.*}} permutation = [1, 0]
// CHECK: %[[WC:.*]] = tensor.expand_shape %[[WT]] {{.*}} into tensor<1x1x64x40xf32>
// CHECK: %[[OUT:.*]] = scf.forall (%[[N:.*]]) in (2) shared_outs(%[[O:.*]] = %{{.*}}) -> (tensor<2x40x196xf32>)
// CHECK:   %[[XN:.*]] = tensor.extract_slice %[[XC]][%[[N]], 0, 0, 0] [1, 1, 64, 196]
// CHECK:   %[[ON:.*]] = tensor.extract_slice %[[O]][%[[N]], 0, 0] [1, 40, 196]
// CHECK:   %[[BLK:.*]] = tensor.collapse_shape %[[ON]] {{.*}} into tensor<40x196xf32>
// CHECK:   %[[ZERO:.*]] = linalg.fill {{.*}} outs(%[[BLK]] : tensor<40x196xf32>)
// CHECK:   %[[G:.*]] = linalg.generic {indexing_maps = [#[[WMAP]], #[[XMAP]], #[[BLOCK]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[WC]], %[[XN]] : tensor<1x1x64x40xf32>, tensor<1x1x64x196xf32>) outs(%[[ZERO]] : tensor<40x196xf32>)
// CHECK-SAME: attrs = {convgrad.gemm_lane_blocks_outer, convgrad.gemm_tiling = array<i64: 4, 64, 8, 0, 192>}
// CHECK:     arith.mulf
// CHECK:     arith.addf
// CHECK:   tensor.parallel_insert_slice %{{.*}} into %[[O]][%[[N]], 0, 0] [1, 40, 196]
// CHECK: %[[R:.*]] = tensor.expand_shape %[[OUT]] {{.*}} into tensor<2x40x14x14xf32>
// CHECK: return %[[R]]
// CHECK-NOT: convgrad.conv
func.func @pointwise(%x: tensor<2x64x14x14xf32>, %w: tensor<40x64x1x1xf32>) -> tensor<2x40x14x14xf32> {
  %y = convgrad.conv %x, %w : (tensor<2x64x14x14xf32>, tensor<40x64x1x1xf32>) -> tensor<2x40x14x14xf32>
  return %y : tensor<2x40x14x14xf32>
}

// -----

// 1-D, f16 accumulating in f32, dynamic batch: a forall over the batch,
// then one conversion to f16.
// CHECK-LABEL: func.func @pointwise_f16_dynamic_batch
// CHECK: %[[OUT:.*]] = scf.forall (%{{.*}}) in (%{{.*}}) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<?x12x64xf32>)
// CHECK:   linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x1x64x12xf16>, tensor<1x1x64x64xf16>) outs(%{{.*}} : tensor<12x64xf32>)
// CHECK:     arith.extf
// CHECK: linalg.generic {{.*}} ins(%[[OUT]] : tensor<?x12x64xf32>) outs(%{{.*}} : tensor<?x12x64xf16>)
// CHECK:   arith.truncf
func.func @pointwise_f16_dynamic_batch(%x: tensor<?x64x64xf16>, %w: tensor<12x64x1xf16>) -> tensor<?x12x64xf16> {
  %y = convgrad.conv %x, %w : (tensor<?x64x64xf16>, tensor<12x64x1xf16>) -> tensor<?x12x64xf16>
  return %y : tensor<?x12x64xf16>
}

// -----

// A batch that does not split among the threads: the tasks also split the
// filters, 32 each (8 register blocks of 4), 3 images x 2 tasks.
// CHECK-LABEL: func.func @pointwise_filter_tasks
// CHECK: scf.forall (%[[I:.*]]) in (6) shared_outs
// CHECK:   linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x1x64x32xf32>, tensor<1x1x64x256xf32>) outs(%{{.*}} : tensor<32x256xf32>)
func.func @pointwise_filter_tasks(%x: tensor<3x64x16x16xf32>, %w: tensor<64x64x1x1xf32>) -> tensor<3x64x16x16xf32> {
  %y = convgrad.conv %x, %w : (tensor<3x64x16x16xf32>, tensor<64x64x1x1xf32>) -> tensor<3x64x16x16xf32>
  return %y : tensor<3x64x16x16xf32>
}

// -----

// Fewer than 4 vectors of input channels: the width form moves less.
// CHECK-LABEL: func.func @short_reduction
// CHECK: convgrad.conv
func.func @short_reduction(%x: tensor<2x32x14x14xf32>, %w: tensor<40x32x1x1xf32>) -> tensor<2x40x14x14xf32> {
  %y = convgrad.conv %x, %w : (tensor<2x32x14x14xf32>, tensor<40x32x1x1xf32>) -> tensor<2x40x14x14xf32>
  return %y : tensor<2x40x14x14xf32>
}

// -----

// 7 x 7 positions leave 15 of 64 lanes idle: channels-last form (unchanged).
// CHECK-LABEL: func.func @small_plane
// CHECK: convgrad.conv
func.func @small_plane(%x: tensor<2x64x7x7xf32>, %w: tensor<40x64x1x1xf32>) -> tensor<2x40x7x7xf32> {
  %y = convgrad.conv %x, %w : (tensor<2x64x7x7xf32>, tensor<40x64x1x1xf32>) -> tensor<2x40x7x7xf32>
  return %y : tensor<2x40x7x7xf32>
}

// -----

// Strided, padded, grouped, biased and channels-last 1x1 convolutions keep
// their form (the pipeline subsamples strided inputs before).
// CHECK-LABEL: func.func @not_pointwise_gemms
// CHECK-COUNT-5: convgrad.conv
func.func @not_pointwise_gemms(%x: tensor<2x64x14x14xf32>, %w: tensor<40x64x1x1xf32>,
                               %wg: tensor<40x32x1x1xf32>, %b: tensor<40xf32>,
                               %xl: tensor<2x14x14x64xf32>, %wl: tensor<40x1x1x64xf32>)
    -> (tensor<2x40x7x7xf32>, tensor<2x40x16x16xf32>, tensor<2x40x14x14xf32>, tensor<2x40x14x14xf32>, tensor<2x14x14x40xf32>) {
  %s = convgrad.conv %x, %w strides = [2, 2] : (tensor<2x64x14x14xf32>, tensor<40x64x1x1xf32>) -> tensor<2x40x7x7xf32>
  %p = convgrad.conv %x, %w padding = [1, 1, 1, 1] : (tensor<2x64x14x14xf32>, tensor<40x64x1x1xf32>) -> tensor<2x40x16x16xf32>
  %g = convgrad.conv %x, %wg groups = 2 : (tensor<2x64x14x14xf32>, tensor<40x32x1x1xf32>) -> tensor<2x40x14x14xf32>
  %bb = convgrad.conv %x, %w, %b : (tensor<2x64x14x14xf32>, tensor<40x64x1x1xf32>, tensor<40xf32>) -> tensor<2x40x14x14xf32>
  %l = convgrad.conv %xl, %wl layout = channels_last : (tensor<2x14x14x64xf32>, tensor<40x1x1x64xf32>) -> tensor<2x14x14x40xf32>
  return %s, %p, %g, %bb, %l : tensor<2x40x7x7xf32>, tensor<2x40x16x16xf32>, tensor<2x40x14x14xf32>, tensor<2x40x14x14xf32>, tensor<2x14x14x40xf32>
}

// -----

// The 1x1 phase of a 3x3 stride-2 data gradient reads a window of the padded
// dy: flattening it would copy it; the channels-last form shares the layout
// change of dy with the other phases (unchanged here).
// CHECK-LABEL: func.func @window_of_padded_input
// CHECK-NOT:     linalg.generic
// CHECK:         convgrad.conv
func.func @window_of_padded_input(%x: tensor<2x128x29x29xf32>, %w: tensor<64x128x1x1xf32>) -> tensor<2x64x28x28xf32> {
  %s = tensor.extract_slice %x[0, 0, 0, 0] [2, 128, 28, 28] [1, 1, 1, 1] : tensor<2x128x29x29xf32> to tensor<2x128x28x28xf32>
  %y = convgrad.conv %s, %w : (tensor<2x128x28x28xf32>, tensor<64x128x1x1xf32>) -> tensor<2x64x28x28xf32>
  return %y : tensor<2x64x28x28xf32>
}

// -----

// The 1x1 phase of a 3x3 stride-2 data gradient of odd size (57 = 29 + 28)
// reads all of dy, but its result is interleaved with the other phases
// (inserted with strides 2): in channels-first that interleave moves single
// elements along the width, and the other phases, computed channels-last,
// would each be transposed back to join it; the channels-last form
// interleaves whole channel vectors and shares one layout change of the
// result (unchanged here). A unit-stride insert, or a lone strided one (a
// 1x1 stride-2 data gradient: one phase into zeros), keeps the GEMM.
// CHECK-LABEL: func.func @interleaved_phase
// CHECK-NOT:     linalg.generic
// CHECK:         convgrad.conv
// CHECK:         tensor.insert_slice {{.*}} [1, 1, 2, 2]
// CHECK-LABEL: func.func @lone_strided_insert
// CHECK:         linalg.generic
// CHECK-NOT:     convgrad.conv
// CHECK-LABEL: func.func @unit_stride_insert
// CHECK:         linalg.generic
// CHECK-NOT:     convgrad.conv
func.func @interleaved_phase(%x: tensor<2x128x29x29xf32>, %w: tensor<64x128x1x1xf32>, %z: tensor<2x64x28x29xf32>, %dx: tensor<2x64x57x57xf32>) -> tensor<2x64x57x57xf32> {
  %y = convgrad.conv %x, %w : (tensor<2x128x29x29xf32>, tensor<64x128x1x1xf32>) -> tensor<2x64x29x29xf32>
  %r = tensor.insert_slice %y into %dx[0, 0, 0, 0] [2, 64, 29, 29] [1, 1, 2, 2] : tensor<2x64x29x29xf32> into tensor<2x64x57x57xf32>
  %s = tensor.insert_slice %z into %r[0, 0, 1, 0] [2, 64, 28, 29] [1, 1, 2, 2] : tensor<2x64x28x29xf32> into tensor<2x64x57x57xf32>
  return %s : tensor<2x64x57x57xf32>
}
func.func @lone_strided_insert(%x: tensor<2x128x29x29xf32>, %w: tensor<64x128x1x1xf32>, %dx: tensor<2x64x57x57xf32>) -> tensor<2x64x57x57xf32> {
  %y = convgrad.conv %x, %w : (tensor<2x128x29x29xf32>, tensor<64x128x1x1xf32>) -> tensor<2x64x29x29xf32>
  %r = tensor.insert_slice %y into %dx[0, 0, 0, 0] [2, 64, 29, 29] [1, 1, 2, 2] : tensor<2x64x29x29xf32> into tensor<2x64x57x57xf32>
  return %r : tensor<2x64x57x57xf32>
}
func.func @unit_stride_insert(%x: tensor<2x128x29x29xf32>, %w: tensor<64x128x1x1xf32>, %dx: tensor<2x64x57x57xf32>) -> tensor<2x64x57x57xf32> {
  %y = convgrad.conv %x, %w : (tensor<2x128x29x29xf32>, tensor<64x128x1x1xf32>) -> tensor<2x64x29x29xf32>
  %r = tensor.insert_slice %y into %dx[0, 0, 0, 0] [2, 64, 29, 29] [1, 1, 1, 1] : tensor<2x64x29x29xf32> into tensor<2x64x57x57xf32>
  return %r : tensor<2x64x57x57xf32>
}

// -----

// A data gradient's filter: a tap of the transposed layer filter (the
// one phase of a 1x1 stride-2 data gradient that does MACs). The GEMM
// reads that tap of the layer's [C, K] filter itself; no transpose.
// CHECK-LABEL: func.func @pointwise_transposed_filter_tap
// CHECK-SAME: (%{{.*}}: tensor<2x64x14x14xf32>, %[[W:.*]]: tensor<64x40x3x3xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[TAP:.*]] = tensor.extract_slice %[[W]][0, 0, 1, 2] [64, 40, 1, 1] [1, 1, 1, 1]
// CHECK: %[[WM:.*]] = tensor.collapse_shape %[[TAP]] {{.*}} into tensor<64x40xf32>
// CHECK: %[[WC:.*]] = tensor.expand_shape %[[WM]] {{.*}} into tensor<1x1x64x40xf32>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {{.*}} ins(%[[WC]], %{{.*}} : tensor<1x1x64x40xf32>, tensor<1x1x64x196xf32>)
func.func @pointwise_transposed_filter_tap(%x: tensor<2x64x14x14xf32>, %w: tensor<64x40x3x3xf32>) -> tensor<2x40x14x14xf32> {
  %e = tensor.empty() : tensor<40x64x3x3xf32>
  %t = linalg.transpose ins(%w : tensor<64x40x3x3xf32>) outs(%e : tensor<40x64x3x3xf32>) permutation = [1, 0, 2, 3]
  %tap = tensor.extract_slice %t[0, 0, 1, 2] [40, 64, 1, 1] [1, 1, 2, 2] : tensor<40x64x3x3xf32> to tensor<40x64x1x1xf32>
  %y = convgrad.conv %x, %tap : (tensor<2x64x14x14xf32>, tensor<40x64x1x1xf32>) -> tensor<2x40x14x14xf32>
  return %y : tensor<2x40x14x14xf32>
}

// -----

// A transpose of only part of the channels is no tap of the layer's
// filter: the GEMM transposes the filter as given.
// CHECK-LABEL: func.func @pointwise_partial_transposed_filter
// CHECK: tensor.extract_slice %{{.*}}[0, 8, 0, 0] [40, 64, 1, 1]
// CHECK: linalg.transpose ins(%{{.*}} : tensor<40x64xf32>) {{.*}} permutation = [1, 0]
func.func @pointwise_partial_transposed_filter(%x: tensor<2x64x14x14xf32>, %w: tensor<72x40x1x1xf32>) -> tensor<2x40x14x14xf32> {
  %e = tensor.empty() : tensor<40x72x1x1xf32>
  %t = linalg.transpose ins(%w : tensor<72x40x1x1xf32>) outs(%e : tensor<40x72x1x1xf32>) permutation = [1, 0, 2, 3]
  %tap = tensor.extract_slice %t[0, 8, 0, 0] [40, 64, 1, 1] [1, 1, 1, 1] : tensor<40x72x1x1xf32> to tensor<40x64x1x1xf32>
  %y = convgrad.conv %x, %tap : (tensor<2x64x14x14xf32>, tensor<40x64x1x1xf32>) -> tensor<2x40x14x14xf32>
  return %y : tensor<2x40x14x14xf32>
}

// -----

// Rows of x a page or more apart (16 x 67 = 1072 f32, 4288 B): a register
// block's pass over the chunk reads one per input channel, so the chunk is
// at most the 64 pages of the first-level data TLB (64 channels, not the
// 128 whose 32-lane panel fits half of L1).
// CHECK-LABEL: func.func @rows_a_page_apart
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x4x64x16xf32>, tensor<1x4x64x1072xf32>) outs(%{{.*}} : tensor<16x1072xf32>)
// CHECK-SAME: convgrad.gemm_tiling = array<i64: 4, 32, 8, 0, 1056>
func.func @rows_a_page_apart(%x: tensor<2x256x16x67xf32>, %w: tensor<16x256x1x1xf32>) -> tensor<2x16x16x67xf32> {
  %y = convgrad.conv %x, %w : (tensor<2x256x16x67xf32>, tensor<16x256x1x1xf32>) -> tensor<2x16x16x67xf32>
  return %y : tensor<2x16x16x67xf32>
}
