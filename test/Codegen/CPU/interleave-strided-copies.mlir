// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=x86-64-v3" --convgrad-vectorize-data-movement | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=x86-64-v4 threads=2" --convgrad-vectorize-data-movement | FileCheck %s --check-prefixes=CHECK,PAR

// The four stride phases of a channels-first data gradient (an odd output
// width of 39: phases of 20 and 19 columns) copied into their lattices of
// dx: per row lattice, the two column phases' rows are read a vector at a
// time, interleaved by one shuffle and stored as whole vectors of dx's row
// (cpu::interleavesStridedCopies), at the place of the later copy (the
// other row lattice's copy in between writes other elements). The columns
// past the last whole vector of the narrower phase (16 of 19 with 8
// or 16 lanes) stay strided copies, of 4 and 3 columns. With two
// threads the 400 KB copies split the images among them.
// CHECK-LABEL: func.func @phases
// CHECK:         %[[ROWS0:.*]] = memref.subview %{{.*}}[0, 0, 0, 0] [8, 3, 112, 32] [1, 1, 2, 1]
// AVX2:          scf.for %[[N:.*]] = %{{.*}} to %c8
// PAR:           scf.forall (%[[N:.*]]) in (8)
// CHECK:           scf.for %[[C:.*]] =
// CHECK:             scf.for %[[H:.*]] =
// AVX2:                scf.for %[[W:.*]] = %{{.*}} to %c16{{.*}} step %c8
// PAR:                 scf.for %[[W:.*]] = %{{.*}} to %c16{{.*}} step %c16
// AVX2:                  %[[E:.*]] = vector.transfer_read %[[A00:.*]][%[[N]], %[[C]], %[[H]], %[[W]]]{{.*}} vector<8xf32>
// AVX2:                  %[[O:.*]] = vector.transfer_read %[[A01:.*]][%[[N]], %[[C]], %[[H]], %[[W]]]{{.*}} vector<8xf32>
// AVX2:                  %[[R:.*]] = vector.shuffle %[[E]], %[[O]] [0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15]
// AVX2:                  %[[W2:.*]] = arith.muli %[[W]], %c2
// AVX2:                  vector.transfer_write %[[R]], %[[ROWS0]][%[[N]], %[[C]], %[[H]], %[[W2]]] {in_bounds = [true]} : vector<16xf32>
// PAR:                   vector.shuffle {{.*}} : vector<16xf32>, vector<16xf32>
// PAR:                   vector.transfer_write {{.*}} : vector<32xf32>
// CHECK:         %[[ROWS1:.*]] = memref.subview %{{.*}}[0, 0, 1, 0] [8, 3, 112, 32] [1, 1, 2, 1]
// CHECK:         vector.transfer_write {{.*}}, %[[ROWS1]]
// CHECK-NOT:     linalg.copy
// CHECK:         return
func.func @phases(%p00: memref<8x3x112x20xf32>, %p10: memref<8x3x112x20xf32>,
                  %p01: memref<8x3x112x19xf32>, %p11: memref<8x3x112x19xf32>,
                  %dx: memref<8x3x224x39xf32>) {
  %a00 = memref.alloc() : memref<8x3x112x20xf32>
  %a10 = memref.alloc() : memref<8x3x112x20xf32>
  %a01 = memref.alloc() : memref<8x3x112x19xf32>
  %a11 = memref.alloc() : memref<8x3x112x19xf32>
  memref.copy %p00, %a00 : memref<8x3x112x20xf32> to memref<8x3x112x20xf32>
  memref.copy %p10, %a10 : memref<8x3x112x20xf32> to memref<8x3x112x20xf32>
  memref.copy %p01, %a01 : memref<8x3x112x19xf32> to memref<8x3x112x19xf32>
  memref.copy %p11, %a11 : memref<8x3x112x19xf32> to memref<8x3x112x19xf32>
  %d00 = memref.subview %dx[0, 0, 0, 0] [8, 3, 112, 20] [1, 1, 2, 2] : memref<8x3x224x39xf32> to memref<8x3x112x20xf32, strided<[26208, 8736, 78, 2]>>
  linalg.copy ins(%a00 : memref<8x3x112x20xf32>) outs(%d00 : memref<8x3x112x20xf32, strided<[26208, 8736, 78, 2]>>)
  %d10 = memref.subview %dx[0, 0, 1, 0] [8, 3, 112, 20] [1, 1, 2, 2] : memref<8x3x224x39xf32> to memref<8x3x112x20xf32, strided<[26208, 8736, 78, 2], offset: 39>>
  linalg.copy ins(%a10 : memref<8x3x112x20xf32>) outs(%d10 : memref<8x3x112x20xf32, strided<[26208, 8736, 78, 2], offset: 39>>)
  %d01 = memref.subview %dx[0, 0, 0, 1] [8, 3, 112, 19] [1, 1, 2, 2] : memref<8x3x224x39xf32> to memref<8x3x112x19xf32, strided<[26208, 8736, 78, 2], offset: 1>>
  linalg.copy ins(%a01 : memref<8x3x112x19xf32>) outs(%d01 : memref<8x3x112x19xf32, strided<[26208, 8736, 78, 2], offset: 1>>)
  %d11 = memref.subview %dx[0, 0, 1, 1] [8, 3, 112, 19] [1, 1, 2, 2] : memref<8x3x224x39xf32> to memref<8x3x112x19xf32, strided<[26208, 8736, 78, 2], offset: 40>>
  linalg.copy ins(%a11 : memref<8x3x112x19xf32>) outs(%d11 : memref<8x3x112x19xf32, strided<[26208, 8736, 78, 2], offset: 40>>)
  memref.dealloc %a00 : memref<8x3x112x20xf32>
  memref.dealloc %a10 : memref<8x3x112x20xf32>
  memref.dealloc %a01 : memref<8x3x112x19xf32>
  memref.dealloc %a11 : memref<8x3x112x19xf32>
  return
}

// Kept as strided copies: a write of dx between the two column phases
// (a fill of the same elements would be reordered), and a stride of 3.
// CHECK-LABEL: func.func @not_interleaved
// CHECK-NOT:     vector<16xf32>
// CHECK-NOT:     vector<32xf32>
// CHECK-NOT:     vector<48xf32>
// CHECK:         return
func.func @not_interleaved(%dx: memref<2x64x64xf32>, %dy: memref<2x64x96xf32>) {
  %cst = arith.constant 0.0 : f32
  %a0 = memref.alloc() : memref<2x64x32xf32>
  %a1 = memref.alloc() : memref<2x64x32xf32>
  linalg.fill ins(%cst : f32) outs(%a0 : memref<2x64x32xf32>)
  linalg.fill ins(%cst : f32) outs(%a1 : memref<2x64x32xf32>)
  %d0 = memref.subview %dx[0, 0, 0] [2, 64, 32] [1, 1, 2] : memref<2x64x64xf32> to memref<2x64x32xf32, strided<[4096, 64, 2]>>
  linalg.copy ins(%a0 : memref<2x64x32xf32>) outs(%d0 : memref<2x64x32xf32, strided<[4096, 64, 2]>>)
  linalg.fill ins(%cst : f32) outs(%dx : memref<2x64x64xf32>)
  %d1 = memref.subview %dx[0, 0, 1] [2, 64, 32] [1, 1, 2] : memref<2x64x64xf32> to memref<2x64x32xf32, strided<[4096, 64, 2], offset: 1>>
  linalg.copy ins(%a1 : memref<2x64x32xf32>) outs(%d1 : memref<2x64x32xf32, strided<[4096, 64, 2], offset: 1>>)
  %b0 = memref.alloc() : memref<2x64x32xf32>
  %b1 = memref.alloc() : memref<2x64x32xf32>
  %b2 = memref.alloc() : memref<2x64x32xf32>
  linalg.fill ins(%cst : f32) outs(%b0 : memref<2x64x32xf32>)
  linalg.fill ins(%cst : f32) outs(%b1 : memref<2x64x32xf32>)
  linalg.fill ins(%cst : f32) outs(%b2 : memref<2x64x32xf32>)
  %e0 = memref.subview %dy[0, 0, 0] [2, 64, 32] [1, 1, 3] : memref<2x64x96xf32> to memref<2x64x32xf32, strided<[6144, 96, 3]>>
  linalg.copy ins(%b0 : memref<2x64x32xf32>) outs(%e0 : memref<2x64x32xf32, strided<[6144, 96, 3]>>)
  %e1 = memref.subview %dy[0, 0, 1] [2, 64, 32] [1, 1, 3] : memref<2x64x96xf32> to memref<2x64x32xf32, strided<[6144, 96, 3], offset: 1>>
  linalg.copy ins(%b1 : memref<2x64x32xf32>) outs(%e1 : memref<2x64x32xf32, strided<[6144, 96, 3], offset: 1>>)
  %e2 = memref.subview %dy[0, 0, 2] [2, 64, 32] [1, 1, 3] : memref<2x64x96xf32> to memref<2x64x32xf32, strided<[6144, 96, 3], offset: 2>>
  linalg.copy ins(%b2 : memref<2x64x32xf32>) outs(%e2 : memref<2x64x32xf32, strided<[6144, 96, 3], offset: 2>>)
  return
}
