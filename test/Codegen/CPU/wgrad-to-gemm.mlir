// --convgrad-cpu-wgrad-to-gemm (AVX-512 target): per image n and kernel tap k, the GEMM
//   acc[k] (A x B) += sum over o of A-op[n, o, a] * B-op[n, o, b]
// with B (the vector lanes later) the larger of C and F (C on ties), x read
// through a strided window xpad[n, k*d + o*s, :] and every map a projected
// permutation. Grouped wgrads keep the forward-convolution form.
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v4" --convgrad-cpu-wgrad-to-gemm --canonicalize | FileCheck %s
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v4" --convgrad-cpu-wgrad-to-gemm="block-bytes=2048" --canonicalize | FileCheck %s --check-prefix=ROWS

// Channels-last, F = 16 > C = 8: lanes along F, rows along C.
// CHECK-DAG: #[[XMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d3, d4, d0)>
// CHECK-DAG: #[[DYMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d3, d4, d1)>
// CHECK-DAG: #[[BLOCK:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>
// CHECK-LABEL: func.func @wgrad_cl
// CHECK-SAME: (%[[X:.*]]: tensor<2x10x10x8xf32>, %[[DY:.*]]: tensor<2x10x10x16xf32>)
// CHECK: %[[XP:.*]] = tensor.pad %[[X]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[ACC:.*]] = linalg.fill {{.*}} -> tensor<72x16xf32>
// CHECK: %[[LOOP:.*]] = scf.for %[[N:.*]] = %c0 to %c2 step %c1 iter_args(%{{.*}} = %[[ACC]])
// CHECK:   scf.for %[[KH:.*]] = %c0 to %c3
// CHECK:     scf.for %[[KW:.*]] = %c0 to %c3 {{.*}} iter_args(%[[ITER:.*]] = %{{.*}})
// CHECK:       %[[DYN:.*]] = tensor.extract_slice %[[DY]][%[[N]], 0, 0, 0] [1, 10, 10, 16] [1, 1, 1, 1]
// CHECK:       %[[XK:.*]] = tensor.extract_slice %[[XP]][%[[N]], %[[KH]], %[[KW]], 0] [1, 10, 10, 8] [1, 1, 1, 1]
// CHECK:       %[[BLK:.*]] = tensor.extract_slice %[[ITER]][%[[ROW:.*]], 0] [8, 16] [1, 1] : tensor<72x16xf32> to tensor<8x16xf32>
// CHECK:       %[[G:.*]] = linalg.generic {indexing_maps = [#[[XMAP]], #[[DYMAP]], #[[BLOCK]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[XK]], %[[DYN]] : {{.*}}) outs(%[[BLK]] : tensor<8x16xf32>)
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
// ROWS:     scf.for %[[KH:[^ ]*]] = %c0 to %c3
// ROWS:       scf.for %[[KW:[^ ]*]] = %c0 to %c3
// ROWS:         %[[ROW:.*]] = arith.muli %[[J]], %c2
// ROWS:         tensor.extract_slice %{{.*}}[%[[N]], %[[ROW]], 0, 0] [1, 2, 10, 16] [1, 1, 1, 1]
// ROWS:         %[[XROW:.*]] = arith.addi %[[KH]], %[[ROW]]
// ROWS:         tensor.extract_slice %{{.*}}[%[[N]], %[[XROW]], %[[KW]], 0] [1, 2, 10, 8] [1, 1, 1, 1]
// ROWS:         linalg.generic
func.func @wgrad_cl(%x: tensor<2x10x10x8xf32>, %dy: tensor<2x10x10x16xf32>) -> tensor<16x3x3x8xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] layout = channels_last : (tensor<2x10x10x8xf32>, tensor<2x10x10x16xf32>) -> tensor<16x3x3x8xf32>
  return %dw : tensor<16x3x3x8xf32>
}

// -----

// Channels-first, strided and dilated, C = 32 > F = 4 (one image: no
// image loop after canonicalization): x and dy are
// transposed to channels-last, the window of tap k starts at k * d = 2k and
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

// 1-D: one tap loop.
// CHECK-LABEL: func.func @wgrad_1d
// CHECK: scf.for
// CHECK:   scf.for %{{.*}} = %c0 to %c3
// CHECK:     linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME:  tensor<1x10x4xf32>, tensor<1x10x8xf32>
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
