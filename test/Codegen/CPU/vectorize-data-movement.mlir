// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=x86-64-v4 threads=2" --convgrad-vectorize-data-movement | FileCheck %s --check-prefixes=CHECK,PAR
// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=x86-64-v4" --convgrad-vectorize-data-movement | FileCheck %s --check-prefixes=CHECK,SEQ
// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=x86-64-v3" --convgrad-vectorize-data-movement | FileCheck %s --check-prefix=AVX2

// An NCHW -> NHWC transpose ([N, C, H*W] -> [N, H*W, C] after merging H and
// W): tiles of one vector square (16 x 16 f32 on AVX-512, 8 x 8 on AVX2).
// With two threads, the 2 MiB transpose is split across them: the image
// loop is an scf.forall (later an OpenMP loop), not a sequential region.
// CHECK-LABEL: func.func @transpose
// PAR:           scf.forall (%{{.*}}) in (%c8)
// SEQ-NOT:       scf.forall
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c1024 step %c16
// CHECK:             scf.for %{{.*}} = %{{.*}} to %c64 step %c16
// CHECK:               vector.transfer_write {{.*}} : vector<16x16xf32>
// AVX2-LABEL: func.func @transpose
// AVX2:         vector.transfer_write {{.*}} : vector<8x8xf32>

// An NCHW -> NHWC transpose into the interior of a padded buffer: H and W
// do not merge in the output, so a tile is [1, 16 c, 1, 14 w] of the input.
// Without its unit dimensions it is a plain 2-D transpose: rows of 14
// contiguous w read as vectors and transposed in registers (with the unit
// h between c and w the read was a gather, one element at a time).
// CHECK-LABEL: func.func @transpose_into_padded
// CHECK:         scf.for %{{.*}} = %{{.*}} to %c56{{.*}} step %c14
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c64{{.*}} step %c16
// CHECK:             %[[T:.*]] = vector.transfer_read {{.*}} {permutation_map = {{.*}}} : memref<16x14xf32, strided<[3136, 1], offset: ?>>, vector<14x16xf32>
// CHECK:             vector.transfer_write %[[T]], {{.*}} : vector<14x16xf32>, memref<14x16xf32, strided<[64, 1], offset: ?>>
func.func @transpose(%a: memref<8x64x32x32xf32>, %b: memref<8x32x32x64xf32>) {
  linalg.transpose ins(%a : memref<8x64x32x32xf32>) outs(%b : memref<8x32x32x64xf32>) permutation = [0, 2, 3, 1]
  return
}
func.func @transpose_into_padded(%a: memref<8x64x56x56xf32>, %b: memref<8x56x56x64xf32, strided<[215296, 3712, 64, 1], offset: 3776>>) {
  linalg.transpose ins(%a : memref<8x64x56x56xf32>) outs(%b : memref<8x56x56x64xf32, strided<[215296, 3712, 64, 1], offset: 3776>>) permutation = [0, 2, 3, 1]
  return
}
// The other way, a channels-last dy into the interior of a padded
// channels-first buffer (the RGB stem's data gradient, whose stride phases
// run channels-first): the two tiled dims (channels, columns) are the inner
// loops, images and rows outside them, so one pass of the inner loops
// reads one contiguous input row (112 pixels x 64 channels) and the
// channel squares re-read it from L1; with the channel loop outside the
// rows, each channel square read a half line of every pixel of the image.
// CHECK-LABEL: func.func @transpose_channels_last_into_padded
// PAR:           scf.forall (%{{.*}}) in (%c8)
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c112{{.*}} step %c1
// CHECK:             scf.for %{{.*}} = %{{.*}} to %c64{{.*}} step %c16
// CHECK:               scf.for %{{.*}} = %{{.*}} to %c112{{.*}} step %c16
// CHECK:                 vector.transfer_write {{.*}} : vector<16x16xf32>
// AVX2-LABEL: func.func @transpose_channels_last_into_padded
// AVX2:         scf.for %{{.*}} = %{{.*}} to %c112{{.*}} step %c1
// AVX2:           scf.for %{{.*}} = %{{.*}} to %c64{{.*}} step %c8
// AVX2:             scf.for %{{.*}} = %{{.*}} to %c112{{.*}} step %c8
// AVX2:               vector.transfer_write {{.*}} : vector<8x8xf32>
func.func @transpose_channels_last_into_padded(%a: memref<8x112x112x64xf32>, %b: memref<8x64x112x112xf32, strided<[846400, 13225, 115, 1], offset: 116>>) {
  linalg.transpose ins(%a : memref<8x112x112x64xf32>) outs(%b : memref<8x64x112x112xf32, strided<[846400, 13225, 115, 1], offset: 116>>) permutation = [0, 3, 1, 2]
  return
}
func.func @small_fill(%b: memref<4x64xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%b : memref<4x64xf32>)
  return
}
func.func @large_copy(%a: memref<8x34x34x64xf32>, %b: memref<8x34x34x64xf32, strided<[80000, 2300, 66, 1], offset: 67>>) {
  linalg.copy ins(%a : memref<8x34x34x64xf32>) outs(%b : memref<8x34x34x64xf32, strided<[80000, 2300, 66, 1], offset: 67>>)
  return
}

// Elements without a bit width (index) are never split (and do not crash
// the size estimate).
// CHECK-LABEL: func.func @index_fill
// CHECK-NOT:     scf.forall
func.func @index_fill(%b: memref<8x34x34x64xindex>) {
  %z = arith.constant 0 : index
  linalg.fill ins(%z : index) outs(%b : memref<8x34x34x64xindex>)
  return
}

// A large fill whose outer dimension is 1 (the filter gradient of a 1x1
// kernel, a GEMM result with one task dimension): the threads split the
// first tile loop with more than one iteration, not the one-iteration one.
// CHECK-LABEL: func.func @unit_outer_fill
// PAR:           scf.forall (%{{.*}}) in (%c256
// SEQ-NOT:       scf.forall
// CHECK:         vector.transfer_write {{.*}} : vector<1x1x64xf32>
func.func @unit_outer_fill(%b: memref<1x256x512xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%b : memref<1x256x512xf32>)
  return
}

// 67 channels (prime) x 17 x 17 = 289 positions (divisors 1, 17): no
// divisor tile of at least half a vector, so the transpose is split into
// 16 x 16 squares of the first 288 positions x 64 channels and static
// remainder parts (3 channels, 1 position), each vectorized: no 1-wide
// tiles, no scalar loop.
// CHECK-LABEL: func.func @transpose_prime_channels
// CHECK:         scf.for %{{.*}} = %{{.*}} to %c288{{.*}} step %c16
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c64{{.*}} step %c16
// CHECK:             vector.transfer_write {{.*}} : vector<16x16xf32>, memref<16x16xf32, strided<[67, 1], offset: ?>>
// CHECK:         scf.for %{{.*}} = %{{.*}} to %c288{{.*}} step %c16
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c3{{.*}} step %c3
// CHECK:             vector.transfer_write {{.*}} : vector<16x3xf32>, memref<16x3xf32, strided<[67, 1], offset: ?>>
// CHECK:         vector.transfer_write {{.*}} : vector<1x1x16xf32>
// CHECK:         vector.transfer_write {{.*}} : vector<1x1x3xf32>
// CHECK-NOT:     linalg.transpose
// CHECK:         return
func.func @transpose_prime_channels(%a: memref<2x67x17x17xf32>, %b: memref<2x17x17x67xf32>) {
  linalg.transpose ins(%a : memref<2x67x17x17xf32>) outs(%b : memref<2x17x17x67xf32>) permutation = [0, 2, 3, 1]
  return
}

// A copy of rows of 67: a 64-element vector and a 3-element one per row.
// CHECK-LABEL: func.func @copy_prime_rows
// CHECK:         vector.transfer_write {{.*}} : vector<1x64xf32>
// CHECK:         vector.transfer_write {{.*}} : vector<1x3xf32>
// CHECK-NOT:     linalg.copy
// CHECK:         return
func.func @copy_prime_rows(%a: memref<4x67xf32>, %b: memref<4x67xf32>) {
  linalg.copy ins(%a : memref<4x67xf32>) outs(%b : memref<4x67xf32>)
  return
}

// The flipped 3x3 filter of a data gradient, FCHW (convgrad.reverse as
// convgrad-to-linalg lowers it): [kh, kw] read backwards is the merged
// nine taps read backwards, so each [1, 1, 9] tile is one row of nine
// taps, read from the mirrored position and reversed by one shuffle (not
// three rows of three, nor a scalar loop); with two threads the 2.4 MB
// filter is split across them.
// CHECK-LABEL: func.func @reverse_filter_taps
// CHECK:         %[[A:.*]] = memref.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : memref<256x256x3x3xf32> into memref<256x256x9xf32>
// CHECK:         %[[B:.*]] = memref.collapse_shape %arg1 {{\[}}[0], [1], [2, 3]] : memref<256x256x3x3xf32> into memref<256x256x9xf32>
// PAR:           scf.forall (%{{.*}}) in (%c256)
// SEQ-NOT:       scf.forall
// CHECK-NOT:     linalg.generic
// CHECK:         %[[DST:.*]] = memref.subview %[[B]][%{{.*}}, %{{.*}}, 0] [1, 1, 9]
// CHECK:         %[[SRC:.*]] = memref.subview %[[A]][%{{.*}}, %{{.*}}, 0] [1, 1, 9]
// CHECK:         vector.transfer_read %[[SRC]]{{.*}} vector<9xf32>
// CHECK:         vector.shuffle %{{.*}} [8, 7, 6, 5, 4, 3, 2, 1, 0] : vector<9xf32>, vector<9xf32>
// CHECK:         vector.transfer_write %{{.*}}, %[[DST]]
// CHECK-NOT:     vector.transfer_read
// AVX2-LABEL: func.func @reverse_filter_taps
// AVX2:         vector.shuffle {{.*}} [8, 7, 6, 5, 4, 3, 2, 1, 0] : vector<9xf32>
func.func @reverse_filter_taps(%a: memref<256x256x3x3xf32>, %b: memref<256x256x3x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, -d2 + 2, -d3 + 2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a : memref<256x256x3x3xf32>) outs(%b : memref<256x256x3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}

// A 7x7 filter's 49 taps are one row of four AVX-512 vectors, but more
// than four AVX2 vectors: there the taps stay seven rows of seven.
// CHECK-LABEL: func.func @reverse_filter_taps_7x7
// CHECK:         memref.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : memref<64x3x7x7xf32> into memref<64x3x49xf32>
// CHECK:         vector.shuffle %{{.*}} : vector<49xf32>, vector<49xf32>
// AVX2-LABEL: func.func @reverse_filter_taps_7x7
// AVX2-NOT:     memref.collapse_shape
// AVX2-COUNT-7: vector.shuffle {{.*}} [6, 5, 4, 3, 2, 1, 0] : vector<7xf32>
// AVX2-NOT:     vector.shuffle
// AVX2:         return
func.func @reverse_filter_taps_7x7(%a: memref<64x3x7x7xf32>, %b: memref<64x3x7x7xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, -d2 + 6, -d3 + 6)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a : memref<64x3x7x7xf32>) outs(%b : memref<64x3x7x7xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}

// The same flip of an FHWC filter: the channels are contiguous and not
// reversed, so a tile is the six [kh, kw] rows of 64 channels (from the
// mirrored tap each), moved without a shuffle.
// CHECK-LABEL: func.func @reverse_filter_channels_last
// CHECK-NOT:     linalg.generic
// CHECK:         %[[SRC:.*]] = memref.subview %arg0[%{{.*}}, 0, 0, %{{.*}}] [1, 2, 3, 64]
// CHECK-NOT:     vector.shuffle
// CHECK-COUNT-6: vector.transfer_read %[[SRC]]{{.*}} vector<64xf32>
// CHECK-NOT:     vector.transfer_read
// CHECK-NOT:     vector.shuffle
// CHECK:         return
func.func @reverse_filter_channels_last(%a: memref<8x2x3x128xf32>, %b: memref<8x2x3x128xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, -d1 + 1, -d2 + 2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a : memref<8x2x3x128xf32>) outs(%b : memref<8x2x3x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}

// A reversed row longer than four vectors (a 1-D kernel of 1000 taps) is
// not unrolled into one shuffle: it stays a loop.
// CHECK-LABEL: func.func @reverse_long_row
// CHECK:         linalg.generic
// CHECK-NOT:     vector.shuffle
func.func @reverse_long_row(%a: memref<4x1000xf32>, %b: memref<4x1000xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, -d1 + 999)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a : memref<4x1000xf32>) outs(%b : memref<4x1000xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}

// The channel swap of a 1x1 filter, [F, C, 1, 1] -> [C, F, 1, 1]: without
// its unit dimensions a 2-D transpose in vector squares (16 x 16 f32 on
// AVX-512), split across threads; with them its innermost dimension was one
// element, every tile one element, and the 512 KB transpose a scalar loop.
// CHECK-LABEL: func.func @transpose_1x1_filter
// CHECK-NOT:     linalg.transpose
// PAR:           scf.forall
// CHECK:         vector.transfer_write {{.*}} : vector<16x16xf32>
// AVX2-LABEL: func.func @transpose_1x1_filter
// AVX2:         vector.transfer_write {{.*}} : vector<8x8xf32>
func.func @transpose_1x1_filter(%a: memref<512x256x1x1xf32>, %b: memref<256x512x1x1xf32>) {
  linalg.transpose ins(%a : memref<512x256x1x1xf32>) outs(%b : memref<256x512x1x1xf32>) permutation = [1, 0, 2, 3]
  return
}

// The staged x of a 1x1 stride-2 channels-first filter gradient (row e):
// 16 channels x 7 rows x 28 positions of every other column of the source.
// The tiles of a stride read deinterleaved (lower-vectors: masked span loads
// and a shuffle) are whole 16 x 16 squares and a 16 x 12 remainder (8 x 8
// and 8 x 4 on AVX2), not 14-wide (7-wide) divisor tiles, whose transposes
// LLVM merges with the deinterleaving shuffles. A stride read element by
// element (16) keeps the divisor tiles.
// CHECK-LABEL: func.func @transpose_strided_input
// CHECK:         vector.transfer_read {{.*}} : memref<16x16xf32, strided<[3136, 2], offset: ?>>, vector<16x16xf32>
// CHECK:         vector.transfer_read {{.*}} : memref<16x12xf32, strided<[3136, 2], offset: ?>>, vector<12x16xf32>
// CHECK-NOT:     linalg.transpose
// AVX2-LABEL:  func.func @transpose_strided_input
// AVX2:          vector.transfer_read {{.*}} : memref<8x8xf32, strided<[3136, 2], offset: ?>>, vector<8x8xf32>
// AVX2:          vector.transfer_read {{.*}} : memref<8x4xf32, strided<[3136, 2], offset: ?>>, vector<4x8xf32>
// CHECK-LABEL: func.func @transpose_wide_stride_input
// CHECK:         vector.transfer_read {{.*}} : memref<16x14xf32, strided<[25088, 16], offset: ?>>, vector<14x16xf32>
func.func @transpose_strided_input(%a: memref<16x7x28xf32, strided<[3136, 112, 2], offset: ?>>, %b: memref<7x28x16xf32>) {
  linalg.transpose ins(%a : memref<16x7x28xf32, strided<[3136, 112, 2], offset: ?>>) outs(%b : memref<7x28x16xf32>) permutation = [1, 2, 0]
  return
}
func.func @transpose_wide_stride_input(%a: memref<16x7x28xf32, strided<[25088, 896, 16], offset: ?>>, %b: memref<7x28x16xf32>) {
  linalg.transpose ins(%a : memref<16x7x28xf32, strided<[25088, 896, 16], offset: ?>>) outs(%b : memref<7x28x16xf32>) permutation = [1, 2, 0]
  return
}

// A fill of the padding value over a whole fresh buffer, then a copy into
// its interior (the bufferized pad of a channels-first argument): the fill
// covers only the top row and the two bottom rows of each plane (whole
// rows), and a loop over the interior rows copies each row and stores its
// left column and its two right columns in the same iteration; no pass of
// the whole buffer. With two threads the rows are one scf.forall over
// images, channels and rows (a row per task).
// CHECK-LABEL: func.func @pad_columns_with_rows
// CHECK-NOT:     linalg.map
// CHECK:         memref.subview %[[P:.*]][0, 0, 0, 0] [8, 64, 1, 19]
// CHECK:         vector.transfer_write {{.*}} : vector<1x1x1x19xf32>
// CHECK:         memref.subview %[[P]][0, 0, 17, 0] [8, 64, 2, 19]
// CHECK:         vector.transfer_write {{.*}} : vector<1x1x1x19xf32>
// PAR:           scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (8, 64, 16)
// SEQ-NOT:       scf.forall
// SEQ:           scf.for %{{.*}} = %{{.*}} to %c8{{.*}} step %c1
// SEQ:             scf.for %{{.*}} = %{{.*}} to %c64{{.*}} step %c1
// SEQ:               scf.for %{{.*}} = %{{.*}} to %c16{{.*}} step %c1
// CHECK:           linalg.fill {{.*}} outs(%{{.*}} : memref<1x1x1x1xf32
// CHECK:           vector.transfer_read {{.*}} : memref<1x1x1x16xf32, strided<[16384, 256, 16, 1], offset: ?>>, vector<1x1x1x16xf32>
// CHECK:           vector.transfer_write {{.*}} : vector<1x1x1x16xf32>, memref<1x1x1x16xf32, strided<[23104, 361, 19, 1], offset: ?>>
// CHECK:           memref.subview %[[P]][%{{.*}}, %{{.*}}, %{{.*}}, 17] [1, 1, 1, 2]
// CHECK:           vector.transfer_write {{.*}} : vector<1x1x1x2xf32>
// CHECK-NOT:     vector<1x1x1x19xf32>
// CHECK:         return
// AVX2-LABEL:  func.func @pad_columns_with_rows
// AVX2-NOT:      linalg.map
// AVX2:          vector.transfer_write {{.*}} : vector<1x1x1x16xf32>, memref<1x1x1x16xf32, strided<[23104, 361, 19, 1], offset: ?>>
// AVX2:          vector.transfer_write {{.*}} : vector<1x1x1x2xf32>
func.func @pad_columns_with_rows(%a: memref<8x64x16x16xf32>) -> memref<8x64x19x19xf32> {
  %zero = arith.constant 0.0 : f32
  %p = memref.alloc() {alignment = 64 : i64} : memref<8x64x19x19xf32>
  linalg.map outs(%p : memref<8x64x19x19xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %interior = memref.subview %p[0, 0, 1, 1] [8, 64, 16, 16] [1, 1, 1, 1] : memref<8x64x19x19xf32> to memref<8x64x16x16xf32, strided<[23104, 361, 19, 1], offset: 20>>
  linalg.copy ins(%a : memref<8x64x16x16xf32>) outs(%interior : memref<8x64x16x16xf32, strided<[23104, 361, 19, 1], offset: 20>>)
  return %p : memref<8x64x19x19xf32>
}

// Rows of 4 elements, shorter than a vector (cpu::fillsPaddedColumnsWithRows):
// the whole buffer is filled, rows of 7, then the interior copied.
// CHECK-LABEL: func.func @pad_short_rows
// CHECK:         vector.transfer_write {{.*}} : vector<1x1x1x7xf32>
// CHECK:         vector.transfer_write {{.*}} : vector<1x1x1x4xf32>
// CHECK-NOT:     linalg.fill
func.func @pad_short_rows(%a: memref<2x4x4x4xf32>) -> memref<2x4x7x7xf32> {
  %zero = arith.constant 0.0 : f32
  %p = memref.alloc() {alignment = 64 : i64} : memref<2x4x7x7xf32>
  linalg.fill ins(%zero : f32) outs(%p : memref<2x4x7x7xf32>)
  %interior = memref.subview %p[0, 0, 1, 1] [2, 4, 4, 4] [1, 1, 1, 1] : memref<2x4x7x7xf32> to memref<2x4x4x4xf32, strided<[196, 49, 7, 1], offset: 8>>
  linalg.copy ins(%a : memref<2x4x4x4xf32>) outs(%interior : memref<2x4x4x4xf32, strided<[196, 49, 7, 1], offset: 8>>)
  return %p : memref<2x4x7x7xf32>
}

// The same padding around a channels-last -> channels-first transpose (the
// dy of a narrow convolution): after the border rows, a loop over the
// images and rows (not the channels, which a row of the input gathers)
// that per position transposes a [w, c] slice into the c rows of the buffer
// and then fills those rows' padding columns, while they are in cache.
// CHECK-LABEL: func.func @pad_columns_before_transpose
// CHECK:         memref.subview %[[P:.*]][0, 0, 0, 0] [2, 64, 1, 19]
// CHECK:         memref.subview %[[P]][0, 0, 17, 0] [2, 64, 2, 19]
// CHECK:         scf.for %{{.*}} = %{{.*}} to %c16{{.*}} step %c1
// CHECK:             memref.subview %{{.*}}[%[[N:.*]], %[[H:.*]], 0, 0] [1, 1, 16, 64]
// CHECK:             memref.subview %[[P]][%[[N]], %{{.*}}, %{{.*}}, 1] [1, 64, 1, 16]
// CHECK:             vector.transfer_write {{.*}} : vector<16x16xf32>, memref<16x16xf32, strided<[361, 1], offset: ?>>
// CHECK:             memref.subview %[[P]][%[[N]], 0, %{{.*}}, 0] [1, 64, 1, 1]
// CHECK-NEXT:        linalg.fill {{.*}} outs(%{{.*}} : memref<1x64x1x1xf32
// CHECK:             memref.subview %[[P]][%[[N]], 0, %{{.*}}, 17] [1, 64, 1, 2]
// CHECK:             vector.transfer_write {{.*}} : vector<1x1x1x2xf32>
// CHECK-NOT:     linalg.transpose
// CHECK-NOT:     vector<1x1x1x19xf32>
// CHECK:         return
func.func @pad_columns_before_transpose(%a: memref<2x16x16x64xf32>) -> memref<2x64x19x19xf32> {
  %zero = arith.constant 0.0 : f32
  %p = memref.alloc() {alignment = 64 : i64} : memref<2x64x19x19xf32>
  linalg.fill ins(%zero : f32) outs(%p : memref<2x64x19x19xf32>)
  %interior = memref.subview %p[0, 0, 1, 1] [2, 64, 16, 16] [1, 1, 1, 1] : memref<2x64x19x19xf32> to memref<2x64x16x16xf32, strided<[23104, 361, 19, 1], offset: 20>>
  linalg.transpose ins(%a : memref<2x16x16x64xf32>) outs(%interior : memref<2x64x16x16xf32, strided<[23104, 361, 19, 1], offset: 20>>) permutation = [0, 3, 1, 2]
  return %p : memref<2x64x19x19xf32>
}

// A task's copy of its run-time count of rows (the interior of its padded
// box, fewer rows at the image's edges: cpu::padsSharedInputInTasks): loops
// over the images, the channels and the rows, in that order, of copies of
// one static row, each vectorized; each plane's rows are read one after the
// other.
// AVX2-LABEL: func.func @dynamic_rows_copy
// AVX2-DAG:     %[[C2:.*]] = arith.constant 2 : index
// AVX2-DAG:     %[[C64:.*]] = arith.constant 64 : index
// AVX2:         %[[N:.*]] = memref.dim %{{.*}}, %c2
// AVX2:         scf.for %{{.*}} = %{{.*}} to %[[C2]]
// AVX2:           scf.for %{{.*}} = %{{.*}} to %[[C64]]
// AVX2:             scf.for %{{.*}} = %{{.*}} to %[[N]]
// AVX2:               vector.transfer_read {{.*}} vector<1x1x1x{{[0-9]+}}xf32>
// AVX2:               vector.transfer_write {{.*}} vector<1x1x1x{{[0-9]+}}xf32>
// AVX2-NOT:     linalg.copy
func.func @dynamic_rows_copy(%a: memref<2x64x?x112xf32, strided<[802816, 12544, 112, 1], offset: ?>>, %b: memref<2x64x?x112xf32, strided<[80960, 1265, 115, 1], offset: ?>>) {
  linalg.copy ins(%a : memref<2x64x?x112xf32, strided<[802816, 12544, 112, 1], offset: ?>>) outs(%b : memref<2x64x?x112xf32, strided<[80960, 1265, 115, 1], offset: ?>>)
  return
}

// A task's transpose of its run-time count of channels-last rows into the
// interior of its channels-first box (cpu::padsSharedInputInTasks of a
// transposed output gradient): a loop over the run-time rows of one static
// [2, 112, 64] transpose per row, tiled in 8 x 8 squares read transposed.
// AVX2-LABEL: func.func @dynamic_rows_transpose
// AVX2:         %[[N:.*]] = memref.dim %{{.*}}, %{{.*}} : memref<2x?x112x64xf32
// AVX2:         scf.for %{{.*}} = %{{.*}} to %[[N]]
// AVX2:           scf.for %{{.*}} = %{{.*}} to %c2
// AVX2:             scf.for
// AVX2:               scf.for
// AVX2:                 %[[V:.*]] = vector.transfer_read {{.*}} {permutation_map = {{.*}}} : memref<8x8xf32, strided<[64, 1], offset: ?>>, vector<8x8xf32>
// AVX2:                 vector.transfer_write %[[V]], {{.*}} : vector<8x8xf32>, memref<8x8xf32, strided<[1265, 1], offset: ?>>
// AVX2-NOT:     linalg.transpose
func.func @dynamic_rows_transpose(%a: memref<2x?x112x64xf32, strided<[802816, 7168, 64, 1], offset: ?>>, %b: memref<2x64x?x112xf32, strided<[80960, 1265, 115, 1], offset: ?>>) {
  linalg.transpose ins(%a : memref<2x?x112x64xf32, strided<[802816, 7168, 64, 1], offset: ?>>) outs(%b : memref<2x64x?x112xf32, strided<[80960, 1265, 115, 1], offset: ?>>) permutation = [0, 3, 1, 2]
  return
}

// The other way (a channels-first output gradient into a task's
// channels-last box): the run-time rows sit between the channels and the
// columns; one static [64, 56] transpose per row.
// AVX2-LABEL: func.func @dynamic_rows_transpose_to_channels_last
// AVX2:         %[[N:.*]] = memref.dim %{{.*}}, %{{.*}} : memref<1x64x?x56xf32
// AVX2:         scf.for %{{.*}} = %{{.*}} to %[[N]]
// AVX2:           scf.for
// AVX2:             scf.for
// AVX2:               vector.transfer_read {{.*}} {permutation_map = {{.*}}} : memref<8x8xf32, strided<[3136, 1], offset: ?>>, vector<8x8xf32>
// AVX2-NOT:     linalg.transpose
func.func @dynamic_rows_transpose_to_channels_last(%a: memref<1x64x?x56xf32, strided<[200704, 3136, 56, 1], offset: ?>>, %b: memref<1x?x56x64xf32, strided<[215296, 3712, 64, 1], offset: ?>>) {
  linalg.transpose ins(%a : memref<1x64x?x56xf32, strided<[200704, 3136, 56, 1], offset: ?>>) outs(%b : memref<1x?x56x64xf32, strided<[215296, 3712, 64, 1], offset: ?>>) permutation = [0, 2, 3, 1]
  return
}

// A data gradient's FCHW filter packed into [F/32, 3, 3, C, 32] blocks with
// the kernel rotation folded in (convgrad-tile-and-vectorize): a transpose
// that reads the [kh, kw] taps backwards. The taps merge into one dimension
// read backwards (nine), which is whole in every tile: a [16 x 9] read of 16
// filters' taps, transposed in registers, its nine rows written in reverse
// order; no shuffle reverses anything and no separate pass flips the taps.
// CHECK-LABEL: func.func @pack_reversed_filter_taps
// CHECK:         %[[A:.*]] = memref.collapse_shape %arg0 {{\[}}[0], [1], [2], [3, 4]] : memref<256x8x32x3x3xf32> into memref<256x8x32x9xf32>
// CHECK:         %[[B:.*]] = memref.collapse_shape %arg1 {{\[}}[0], [1, 2], [3], [4]] : memref<8x3x3x256x32xf32> into memref<8x9x256x32xf32>
// PAR:           scf.forall (%{{.*}}) in (%c8)
// SEQ-NOT:       scf.forall
// CHECK-NOT:     linalg.generic
// CHECK:         %[[DST:.*]] = memref.subview %[[B]][%{{.*}}, 0, %{{.*}}, %{{.*}}] [1, 9, 1, 16]
// CHECK:         %[[SRC:.*]] = memref.subview %[[A]][%{{.*}}, %{{.*}}, %{{.*}}, 0] [1, 1, 16, 9]
// CHECK:         %[[T:.*]] = vector.transfer_read %[[SRC]]{{.*}} : memref<1x1x16x9xf32, {{.*}}>, vector<16x9xf32>
// CHECK:         %[[TT:.*]] = vector.transpose %[[T]], [1, 0] : vector<16x9xf32> to vector<9x16xf32>
// CHECK-NOT:     vector.shuffle
// CHECK:         %[[R0:.*]] = vector.extract %[[TT]][0] : vector<16xf32> from vector<9x16xf32>
// CHECK:         vector.transfer_write %[[R0]], %[[DST]][%[[Z:c0[_0-9]*]], %c8{{[_0-9]*}}, %[[Z]], %[[Z]]]
// CHECK-COUNT-7: vector.transfer_write
// CHECK:         %[[R8:.*]] = vector.extract %[[TT]][8] : vector<16xf32> from vector<9x16xf32>
// CHECK:         vector.transfer_write %[[R8]], %[[DST]][%[[Z]], %[[Z]], %[[Z]], %[[Z]]]
// CHECK-NOT:     vector.transfer_write
// AVX2-LABEL: func.func @pack_reversed_filter_taps
// AVX2:         vector.transpose %{{.*}}, [1, 0] : vector<8x9xf32> to vector<9x8xf32>
// AVX2-NOT:     linalg.generic
// AVX2:         return
func.func @pack_reversed_filter_taps(%a: memref<256x8x32x3x3xf32>, %b: memref<8x3x3x256x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d3, d0, d4, -d1 + 2, -d2 + 2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%a : memref<256x8x32x3x3xf32>) outs(%b : memref<8x3x3x256x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}

// The same packing of a channels-last (FHWC) filter: the channels stay
// innermost, so a tile is the nine taps' rows of 32 channels, each read
// from its mirrored tap, without a shuffle.
// CHECK-LABEL: func.func @pack_reversed_filter_taps_channels_last
// CHECK:         %[[A:.*]] = memref.collapse_shape %arg0 {{\[}}[0], [1, 2], [3], [4]] : memref<256x3x3x8x32xf32> into memref<256x9x8x32xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         %[[SRC:.*]] = memref.subview %[[A]][{{.*}}] [1, 9, 1, 32]
// CHECK:         vector.transfer_read %[[SRC]][%[[Z:c0[_0-9]*]], %c8{{[_0-9]*}}, %[[Z]], %[[Z]]]{{.*}} vector<32xf32>
// CHECK-NEXT:    vector.transfer_write %{{.*}}[%[[Z]], %[[Z]], %[[Z]], %[[Z]]]
// CHECK-COUNT-8: vector.transfer_read %[[SRC]]
// CHECK-NOT:     vector.shuffle
// CHECK-NOT:     vector.transfer_read
// CHECK:         return
func.func @pack_reversed_filter_taps_channels_last(%a: memref<256x3x3x8x32xf32>, %b: memref<8x3x3x256x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d3, -d1 + 2, -d2 + 2, d0, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%a : memref<256x3x3x8x32xf32>) outs(%b : memref<8x3x3x256x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}
