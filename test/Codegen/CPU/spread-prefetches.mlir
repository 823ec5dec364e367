// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=x86-64-v4" --convgrad-cpu-spread-prefetches --split-input-file | FileCheck %s

// A marked loop of 600 prefetches before a nest of 4 x 2 x 64 = 512
// iterations of 16 FMAs (vector<256xf32> on AVX-512; 13 per prefetch) (a pass loop, a row-block loop of lower bound 0 and
// step 4, the reduction loop): P = ceil(600 / 512) = 2 per iteration,
// iteration i = (a * 2 + rb / 4) * 64 + k issues j = (2i + q) * 600 / 1024
// for q = 0, 1, at the start of the innermost body; the marked loop is gone.
// CHECK-LABEL: func.func @spread
// CHECK-NOT:   convgrad.spread_prefetches
// CHECK:       scf.for %[[A:.*]] = %c0 to %c4 step %c1 {
// CHECK:         scf.for %[[RB:.*]] = %c0 to %c8 step %c4 {
// CHECK:           scf.for %[[K:.*]] = %c0 to %c64 step %c1 iter_args
// CHECK-NEXT:        %[[RBI:.*]] = arith.divui %[[RB]], %c4{{(_[0-9]+)?}}
// CHECK-NEXT:        %[[I0:.*]] = arith.muli %[[A]], %c2{{(_[0-9]+)?}}
// CHECK-NEXT:        %[[I1:.*]] = arith.addi %[[I0]], %[[RBI]]
// CHECK-NEXT:        %[[I2:.*]] = arith.muli %[[I1]], %c64{{(_[0-9]+)?}}
// CHECK-NEXT:        %[[I:.*]] = arith.addi %[[I2]], %[[K]]
// CHECK-NEXT:        %[[S:.*]] = arith.muli %[[I]], %c2{{(_[0-9]+)?}}
// CHECK-NEXT:        %[[K0:.*]] = arith.muli %[[S]], %c600{{(_[0-9]+)?}}
// CHECK-NEXT:        %[[J0:.*]] = arith.divui %[[K0]], %c1024{{(_[0-9]+)?}}
// CHECK-NEXT:        %[[L0:.*]] = arith.muli %[[J0]], %c16{{(_[0-9]+)?}}
// CHECK-NEXT:        memref.prefetch %{{.*}}[%[[L0]]], read, locality<2>, data
// CHECK-NEXT:        %[[S1:.*]] = arith.addi %[[S]], %c1{{(_[0-9]+)?}} :
// CHECK-NEXT:        %[[K1:.*]] = arith.muli %[[S1]], %c600{{(_[0-9]+)?}}
// CHECK-NEXT:        %[[J1:.*]] = arith.divui %[[K1]], %c1024{{(_[0-9]+)?}}
// CHECK-NEXT:        %[[L1:.*]] = arith.muli %[[J1]], %c16{{(_[0-9]+)?}}
// CHECK-NEXT:        memref.prefetch %{{.*}}[%[[L1]]], read, locality<2>, data
// CHECK-NEXT:        vector.load
// CHECK-NEXT:        vector.fma
// CHECK-NOT:     memref.prefetch
func.func @spread(%src: memref<9600xf32>, %a: memref<64x256xf32>, %out: memref<256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %c600 = arith.constant 600 : index
  scf.for %j = %c0 to %c600 step %c1 {
    %e = arith.muli %j, %c16 : index
    memref.prefetch %src[%e], read, locality<2>, data : memref<9600xf32>
  } {convgrad.spread_prefetches}
  scf.for %p = %c0 to %c4 step %c1 {
    scf.for %rb = %c0 to %c8 step %c4 {
      %init = vector.load %out[%c0] : memref<256xf32>, vector<256xf32>
      %r = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %init) -> (vector<256xf32>) {
        %v = vector.load %a[%k, %c0] : memref<64x256xf32>, vector<256xf32>
        %f = vector.fma %v, %v, %acc : vector<256xf32>
        scf.yield %f : vector<256xf32>
      }
      vector.store %r, %out[%c0] : memref<256xf32>, vector<256xf32>
    }
  }
  return
}

// -----

// No FMAs after the marked loop (the codegen=loops path): it is erased.
// CHECK-LABEL: func.func @no_fmas
// CHECK-NOT:   memref.prefetch
// CHECK:       linalg.copy
// CHECK-NOT:   memref.prefetch
func.func @no_fmas(%src: memref<9600xf32>, %dst: memref<9600xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c600 = arith.constant 600 : index
  scf.for %j = %c0 to %c600 step %c1 {
    %e = arith.muli %j, %c16 : index
    memref.prefetch %src[%e], read, locality<2>, data : memref<9600xf32>
  } {convgrad.spread_prefetches}
  linalg.copy ins(%src : memref<9600xf32>) outs(%dst : memref<9600xf32>)
  return
}

// -----

// 6 prefetches over the same nest: the outer loop's 4 iterations are at
// most 6 and its 8 (with the row blocks) more, so its body issues
// P = ceil(6 / 4) = 2 each, j = (2a + q) * 6 / 8; the inner loops have none.
// CHECK-LABEL: func.func @few
// CHECK:       scf.for %[[A:.*]] = %c0 to %c4 step %c1 {
// CHECK-NEXT:    %[[S:.*]] = arith.muli %[[A]], %c2
// CHECK-NEXT:    %[[K0:.*]] = arith.muli %[[S]], %c6
// CHECK-NEXT:    %[[J0:.*]] = arith.divui %[[K0]], %c8
// CHECK-NEXT:    %[[L0:.*]] = arith.muli %[[J0]], %c16
// CHECK-NEXT:    memref.prefetch %{{.*}}[%[[L0]]]
// CHECK-NEXT:    %[[S1:.*]] = arith.addi %[[S]], %c1
// CHECK-NEXT:    %[[K1:.*]] = arith.muli %[[S1]], %c6
// CHECK-NEXT:    %[[J1:.*]] = arith.divui %[[K1]], %c8
// CHECK-NEXT:    %[[L1:.*]] = arith.muli %[[J1]], %c16
// CHECK-NEXT:    memref.prefetch %{{.*}}[%[[L1]]]
// CHECK-NEXT:    scf.for
// CHECK-NOT:     memref.prefetch
func.func @few(%src: memref<9600xf32>, %a: memref<64x256xf32>, %out: memref<256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.for %j = %c0 to %c6 step %c1 {
    %e = arith.muli %j, %c16 : index
    memref.prefetch %src[%e], read, locality<2>, data : memref<9600xf32>
  } {convgrad.spread_prefetches}
  scf.for %p = %c0 to %c4 step %c1 {
    scf.for %rb = %c0 to %c8 step %c4 {
      %init = vector.load %out[%c0] : memref<256xf32>, vector<256xf32>
      %r = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %init) -> (vector<256xf32>) {
        %v = vector.load %a[%k, %c0] : memref<64x256xf32>, vector<256xf32>
        %f = vector.fma %v, %v, %acc : vector<256xf32>
        scf.yield %f : vector<256xf32>
      }
      vector.store %r, %out[%c0] : memref<256xf32>, vector<256xf32>
    }
  }
  return
}

// -----

// 600 prefetches over 512 FMAs of one vector each (fewer than 11 per
// prefetch): the marked loop is erased, the nest keeps no prefetch.
// CHECK-LABEL: func.func @too_few_fmas
// CHECK-NOT:   memref.prefetch
// CHECK:       vector.fma
// CHECK-NOT:   memref.prefetch
func.func @too_few_fmas(%src: memref<9600xf32>, %a: memref<64x16xf32>, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c600 = arith.constant 600 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.for %j = %c0 to %c600 step %c1 {
    %e = arith.muli %j, %c16 : index
    memref.prefetch %src[%e], read, locality<2>, data : memref<9600xf32>
  } {convgrad.spread_prefetches}
  scf.for %p = %c0 to %c4 step %c1 {
    scf.for %rb = %c0 to %c8 step %c4 {
      %init = vector.load %out[%c0] : memref<16xf32>, vector<16xf32>
      %r = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %init) -> (vector<16xf32>) {
        %v = vector.load %a[%k, %c0] : memref<64x16xf32>, vector<16xf32>
        %f = vector.fma %v, %v, %acc : vector<16xf32>
        scf.yield %f : vector<16xf32>
      }
      vector.store %r, %out[%c0] : memref<16xf32>, vector<16xf32>
    }
  }
  return
}

// -----

// 100 prefetches over 4 x 64 iterations (25 each of the outer loop's would
// be more than 8): one per iteration of the inner loop would leave 156 of
// them prefetching a line again; every 2nd of its iterations issues one
// (128 >= 100; every 4th: 64 < 100), j = (i / 2) * 100 / 128.
// CHECK-LABEL: func.func @every_second
// CHECK:       scf.for %[[A:.*]] = %c0 to %c4 step %c1 {
// CHECK:         scf.for %[[K:.*]] = %c0 to %c64 step %c1 iter_args
// CHECK-NEXT:      %[[I0:.*]] = arith.muli %[[A]], %c64{{(_[0-9]+)?}}
// CHECK-NEXT:      %[[I:.*]] = arith.addi %[[I0]], %[[K]]
// CHECK-NEXT:      %[[R:.*]] = arith.remui %[[K]], %c2{{(_[0-9]+)?}}
// CHECK-NEXT:      %[[ISSUES:.*]] = arith.cmpi eq, %[[R]], %c0{{(_[0-9]+)?}}
// CHECK-NEXT:      scf.if %[[ISSUES]] {
// CHECK-NEXT:        %[[H:.*]] = arith.divui %[[I]], %c2{{(_[0-9]+)?}}
// CHECK-NEXT:        %[[S:.*]] = arith.muli %[[H]], %c1{{(_[0-9]+)?}}
// CHECK-NEXT:        %[[K0:.*]] = arith.muli %[[S]], %c100{{(_[0-9]+)?}}
// CHECK-NEXT:        %[[J:.*]] = arith.divui %[[K0]], %c128{{(_[0-9]+)?}}
// CHECK-NEXT:        %[[L:.*]] = arith.muli %[[J]], %c16{{(_[0-9]+)?}}
// CHECK-NEXT:        memref.prefetch %{{.*}}[%[[L]]], read, locality<2>, data
// CHECK-NEXT:      }
// CHECK-NEXT:      vector.load
// CHECK-NEXT:      vector.fma
// CHECK-NOT:     memref.prefetch
func.func @every_second(%src: memref<9600xf32>, %a: memref<64x256xf32>, %out: memref<256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %c100 = arith.constant 100 : index
  scf.for %j = %c0 to %c100 step %c1 {
    %e = arith.muli %j, %c16 : index
    memref.prefetch %src[%e], read, locality<2>, data : memref<9600xf32>
  } {convgrad.spread_prefetches}
  scf.for %p = %c0 to %c4 step %c1 {
    %init = vector.load %out[%c0] : memref<256xf32>, vector<256xf32>
    %r = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %init) -> (vector<256xf32>) {
      %v = vector.load %a[%k, %c0] : memref<64x256xf32>, vector<256xf32>
      %f = vector.fma %v, %v, %acc : vector<256xf32>
      scf.yield %f : vector<256xf32>
    }
    vector.store %r, %out[%c0] : memref<256xf32>, vector<256xf32>
  }
  return
}
