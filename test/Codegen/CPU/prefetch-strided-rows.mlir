// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=x86-64-v3" --convgrad-cpu-prefetch-strided-rows --split-input-file | FileCheck %s

// The channel loop of a width-vectorized register tile (3 filters x 24
// columns, 3 kernel rows x 3 taps, as --convgrad-lower-vectors leaves it):
// per channel it loads 27 columns of 3 rows of that channel's plane, planes
// 52900 bytes apart in a 27 MB buffer, and issues 81 FMAs (9 per line).
// Each row gets prefetches of the cache lines its loads span (columns 0, 16
// and 25 of the row), 16 channels ahead, the last channel at most; the
// filter's short rows are not prefetched.
// CHECK-LABEL: func.func @width_tile
// CHECK:         scf.for %[[C:.*]] = %{{.*}} to %[[C64:.*]] step %[[C1:.*]] iter_args
// CHECK:           %[[STEP:.*]] = arith.muli %[[C1]], %[[C16:.*]] : index
// CHECK:           %[[NEXT:.*]] = arith.addi %[[C]], %[[STEP]] : index
// CHECK:           %[[LAST:.*]] = arith.subi %[[C64]], %{{.*}} : index
// CHECK:           %[[AHEAD:.*]] = arith.minsi %[[NEXT]], %[[LAST]] : index
// CHECK:           scf.for %[[KH:.*]] = {{.*}} iter_args
// CHECK-NOT:         memref.prefetch %[[W:.*]]
// CHECK:             %[[ROW:.*]] = affine.apply
// CHECK-NEXT:        memref.prefetch %[[IN:.*]][%[[N:.*]], %[[AHEAD]], %[[ROW]], %[[COL:.*]]], read, locality<3>, data : memref<8x64x115x115xf32>
// CHECK:             %[[C16COL:.*]] = arith.addi %[[COL]], %{{.*}} : index
// CHECK-NEXT:        memref.prefetch %[[IN]][%[[N]], %[[AHEAD]], %[[ROW]], %[[C16COL]]]
// CHECK:             %[[C25COL:.*]] = arith.addi %[[COL]], %{{.*}} : index
// CHECK-NEXT:        memref.prefetch %[[IN]][%[[N]], %[[AHEAD]], %[[ROW]], %[[C25COL]]]
// CHECK-NOT:         memref.prefetch
// CHECK:             vector.load %[[IN]][%[[N]], %[[C]], %[[ROW]], %[[COL]]]
// CHECK-NOT:         memref.prefetch
// CHECK:             scf.yield
#col1 = affine_map<()[s0] -> (s0 + 1)>
#col2 = affine_map<()[s0] -> (s0 + 2)>
#col8 = affine_map<()[s0] -> (s0 + 8)>
#col16 = affine_map<()[s0] -> (s0 + 16)>
#col18 = affine_map<()[s0] -> (s0 + 18)>
#row = affine_map<(d0)[s0] -> (d0 + s0)>
func.func @width_tile(%in: memref<8x64x115x115xf32>, %w: memref<64x3x3xf32>,
                      %n: index, %h: index, %col: index,
                      %init: vector<8xf32>) -> vector<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c64 = arith.constant 64 : index
  %r = scf.for %c = %c0 to %c64 step %c1 iter_args(%acc = %init) -> (vector<8xf32>) {
    %r1 = scf.for %kh = %c0 to %c3 step %c1 iter_args(%a = %acc) -> (vector<8xf32>) {
      %t0 = memref.load %w[%c, %kh, %c0] : memref<64x3x3xf32>
      %row = affine.apply #row(%kh)[%h]
      %x0 = vector.load %in[%n, %c, %row, %col] : memref<8x64x115x115xf32>, vector<8xf32>
      %i8 = affine.apply #col8()[%col]
      %x1 = vector.load %in[%n, %c, %row, %i8] : memref<8x64x115x115xf32>, vector<8xf32>
      %i16 = affine.apply #col16()[%col]
      %x2 = vector.load %in[%n, %c, %row, %i16] : memref<8x64x115x115xf32>, vector<8xf32>
      %i1 = affine.apply #col1()[%col]
      %y0 = vector.load %in[%n, %c, %row, %i1] : memref<8x64x115x115xf32>, vector<8xf32>
      %i2 = affine.apply #col2()[%col]
      %z0 = vector.load %in[%n, %c, %row, %i2] : memref<8x64x115x115xf32>, vector<8xf32>
      %i18 = affine.apply #col18()[%col]
      %z2 = vector.load %in[%n, %c, %row, %i18] : memref<8x64x115x115xf32>, vector<8xf32>
      %b = vector.broadcast %t0 : f32 to vector<8xf32>
      %f0 = vector.fma %b, %x0, %a : vector<8xf32>
      %f1 = vector.fma %b, %x1, %f0 : vector<8xf32>
      %f2 = vector.fma %b, %x2, %f1 : vector<8xf32>
      %f3 = vector.fma %b, %y0, %f2 : vector<8xf32>
      %f4 = vector.fma %b, %z0, %f3 : vector<8xf32>
      %f5 = vector.fma %b, %z2, %f4 : vector<8xf32>
      %f6 = vector.fma %b, %x0, %f5 : vector<8xf32>
      %f7 = vector.fma %b, %x1, %f6 : vector<8xf32>
      %f8 = vector.fma %b, %x2, %f7 : vector<8xf32>
      %f9 = vector.fma %b, %y0, %f8 : vector<8xf32>
      %f10 = vector.fma %b, %z0, %f9 : vector<8xf32>
      %f11 = vector.fma %b, %z2, %f10 : vector<8xf32>
      %f12 = vector.fma %b, %x0, %f11 : vector<8xf32>
      %f13 = vector.fma %b, %x1, %f12 : vector<8xf32>
      %f14 = vector.fma %b, %x2, %f13 : vector<8xf32>
      %f15 = vector.fma %b, %y0, %f14 : vector<8xf32>
      %f16 = vector.fma %b, %z0, %f15 : vector<8xf32>
      %f17 = vector.fma %b, %z2, %f16 : vector<8xf32>
      %f18 = vector.fma %b, %x0, %f17 : vector<8xf32>
      %f19 = vector.fma %b, %x1, %f18 : vector<8xf32>
      %f20 = vector.fma %b, %x2, %f19 : vector<8xf32>
      %f21 = vector.fma %b, %y0, %f20 : vector<8xf32>
      %f22 = vector.fma %b, %z0, %f21 : vector<8xf32>
      %f23 = vector.fma %b, %z2, %f22 : vector<8xf32>
      %f24 = vector.fma %b, %x0, %f23 : vector<8xf32>
      %f25 = vector.fma %b, %x1, %f24 : vector<8xf32>
      %f26 = vector.fma %b, %x2, %f25 : vector<8xf32>
      scf.yield %f26 : vector<8xf32>
    }
    scf.yield %r1 : vector<8xf32>
  }
  return %r : vector<8xf32>
}

// -----

// Rows within a page of each other (a GEMM's k loop over 256 floats) and
// planes of a buffer that fits the L2 are left to the hardware, as are rows
// that feed fewer than 8 FMAs per line (a pointwise layer's width form).
// CHECK-LABEL: func.func @near_rows
// CHECK-NOT:     memref.prefetch
func.func @near_rows(%a: memref<4096x256xf32>, %p: memref<4x64x16x16xf32>,
                     %init: vector<8xf32>) -> vector<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %r = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %init) -> (vector<8xf32>) {
    %x = vector.load %a[%k, %c0] : memref<4096x256xf32>, vector<8xf32>
    %y = vector.load %p[%c0, %k, %c0, %c0] : memref<4x64x16x16xf32>, vector<8xf32>
    %f = vector.fma %x, %y, %acc : vector<8xf32>
    scf.yield %f : vector<8xf32>
  }
  return %r : vector<8xf32>
}

// -----

// An outer loop over images (no accumulators carried) is not a register
// tile's reduction: prefetching a whole image ahead would evict the current
// one.
// CHECK-LABEL: func.func @image_loop
// CHECK-NOT:     memref.prefetch
func.func @image_loop(%in: memref<8x64x115x115xf32>, %out: memref<8x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %n = %c0 to %c8 step %c1 {
    %x = vector.load %in[%n, %c0, %c0, %c0] : memref<8x64x115x115xf32>, vector<8xf32>
    %f = vector.fma %x, %x, %x : vector<8xf32>
    vector.store %f, %out[%n, %c0] : memref<8x8xf32>, vector<8xf32>
  }
  return
}

// -----

// A pointwise layer's width form: 2 FMAs per channel for the 2 lines its
// row spans: the prefetches would cost more load slots than they save.
// CHECK-LABEL: func.func @few_fmas_per_line
// CHECK-NOT:     memref.prefetch
func.func @few_fmas_per_line(%in: memref<8x64x115x115xf32>, %n: index, %h: index,
                             %init: vector<8xf32>) -> vector<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %r = scf.for %c = %c0 to %c64 step %c1 iter_args(%acc = %init) -> (vector<8xf32>) {
    %x = vector.load %in[%n, %c, %h, %c0] : memref<8x64x115x115xf32>, vector<8xf32>
    %y = vector.load %in[%n, %c, %h, %c8] : memref<8x64x115x115xf32>, vector<8xf32>
    %f = vector.fma %x, %x, %acc : vector<8xf32>
    %g = vector.fma %y, %y, %f : vector<8xf32>
    scf.yield %g : vector<8xf32>
  }
  return %r : vector<8xf32>
}
