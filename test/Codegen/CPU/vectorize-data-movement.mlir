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
// CHECK:               vector.transfer_write {{.*}} : vector<1x16x16xf32>
// AVX2-LABEL: func.func @transpose
// AVX2:         vector.transfer_write {{.*}} : vector<1x8x8xf32>

// A small fill (1 KiB) stays sequential even with threads: a parallel
// region would cost more than the fill.
// CHECK-LABEL: func.func @small_fill
// CHECK-NOT:     scf.forall
// CHECK:         vector.transfer_write {{.*}} : vector<1x64xf32>

// A pad's copy into the interior of a larger buffer (2.4 MiB).
// CHECK-LABEL: func.func @large_copy
// PAR:           scf.forall (%{{.*}}) in (%c8)
// SEQ-NOT:       scf.forall
// CHECK:         vector.transfer_write {{.*}} : vector<1x1x1x64xf32>
func.func @transpose(%a: memref<8x64x32x32xf32>, %b: memref<8x32x32x64xf32>) {
  linalg.transpose ins(%a : memref<8x64x32x32xf32>) outs(%b : memref<8x32x32x64xf32>) permutation = [0, 2, 3, 1]
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
