// RUN: convgrad-opt %s --split-input-file --convgrad-cpu-workspace --verify-diagnostics | FileCheck %s
// RUN: convgrad-opt %s --split-input-file --convgrad-cpu-workspace=threads=2 --verify-diagnostics | FileCheck %s --check-prefix=THREADS
// RUN: convgrad-opt %s --split-input-file --convgrad-cpu-workspace=threads=1 --verify-diagnostics | FileCheck %s --check-prefix=SEQUENTIAL
// RUN: convgrad-opt %s --split-input-file --convgrad-cpu-workspace=max-places=3 --verify-diagnostics | FileCheck %s --check-prefix=BOUNDED
// RUN: not convgrad-opt %s --convgrad-cpu-workspace=max-places=0 2>&1 | FileCheck %s --check-prefix=BAD-OPTION
// BAD-OPTION: convgrad-cpu-workspace: threads must be >= 0 and max-places >= 1, got threads=0 max-places=0

// Two temporaries live at the same time get separate bytes; a third, allocated
// after the first's last use, reuses them. Offsets are multiples of 64; the
// kernel checks the workspace's size first; the size function returns the
// packed total (4096 + 1024 bytes: the 2048-byte one fits in the first's).
// CHECK-LABEL: func.func @kernel(
// CHECK-SAME:      %[[X:.*]]: memref<32x32xf32>, %[[Y:.*]]: memref<32x32xf32>, %[[WS:.*]]: memref<?xi8>)
// CHECK-NEXT:    %[[ALIGNED:.*]] = memref.assume_alignment %[[WS]], 64 : memref<?xi8>
// CHECK-DAG:     %[[AT0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[AT4096:.*]] = arith.constant 4096 : index
// CHECK-DAG:     %[[TOTAL:.*]] = arith.constant 5120 : index
// CHECK:         %[[HAVE:.*]] = memref.dim %[[WS]], %{{.*}}
// CHECK:         %[[OK:.*]] = arith.cmpi uge, %[[HAVE]], %[[TOTAL]]
// CHECK:         cf.assert %[[OK]], "convgrad: the workspace of 'kernel' is smaller than kernel_workspace_size() says"
// CHECK:         %[[A:.*]] = memref.view %[[ALIGNED]][%[[AT0]]][] : memref<?xi8> to memref<32x32xf32>
// CHECK:         %[[B:.*]] = memref.view %[[ALIGNED]][%[[AT4096]]][] : memref<?xi8> to memref<16x16xf32>
// CHECK:         linalg.copy ins(%[[X]] : memref<32x32xf32>) outs(%[[A]] : memref<32x32xf32>)
// CHECK:         %[[C:.*]] = memref.view %[[ALIGNED]][%[[AT0]]][] : memref<?xi8> to memref<16x32xf32>
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     memref.dealloc
// CHECK:         return
// CHECK-LABEL: func.func @kernel_workspace_size(
// CHECK-SAME:      memref<32x32xf32>, %{{.*}}: memref<32x32xf32>) -> index attributes {llvm.emit_c_interface}
// CHECK:         %[[T:.*]] = arith.constant 5120 : index
// CHECK:         return %[[T]] : index
func.func @kernel(%x: memref<32x32xf32>, %y: memref<32x32xf32>) attributes {llvm.emit_c_interface} {
  %a = memref.alloc() {alignment = 64 : i64} : memref<32x32xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32>
  linalg.copy ins(%x : memref<32x32xf32>) outs(%a : memref<32x32xf32>)
  %sa = memref.subview %a[0, 0] [16, 16] [1, 1] : memref<32x32xf32> to memref<16x16xf32, strided<[32, 1]>>
  linalg.copy ins(%sa : memref<16x16xf32, strided<[32, 1]>>) outs(%b : memref<16x16xf32>)
  %c = memref.alloc() {alignment = 64 : i64} : memref<16x32xf32>
  %sy = memref.subview %y[0, 0] [16, 32] [1, 1] : memref<32x32xf32> to memref<16x32xf32, strided<[32, 1]>>
  linalg.copy ins(%sy : memref<16x32xf32, strided<[32, 1]>>) outs(%c : memref<16x32xf32>)
  %sb = memref.subview %y[0, 0] [16, 16] [1, 1] : memref<32x32xf32> to memref<16x16xf32, strided<[32, 1]>>
  linalg.copy ins(%b : memref<16x16xf32>) outs(%sb : memref<16x16xf32, strided<[32, 1]>>)
  %sc = memref.subview %y[16, 0] [16, 32] [1, 1] : memref<32x32xf32> to memref<16x32xf32, strided<[32, 1], offset: 512>>
  linalg.copy ins(%c : memref<16x32xf32>) outs(%sc : memref<16x32xf32, strided<[32, 1], offset: 512>>)
  memref.dealloc %a : memref<32x32xf32>
  memref.dealloc %b : memref<16x16xf32>
  memref.dealloc %c : memref<16x32xf32>
  return
}

// -----

// A dynamic batch: the size is computed from the arguments, in the kernel
// and in the size function alike. A temporary of a sequential loop's body
// gets one place (the loop is its lifetime); a parallel loop of unknown trip
// count runs as max-places (64) chunks, and its temporary gets 64 places of
// 16 + 4096 bytes; a returned buffer stays on the heap.
// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME:      %[[X:.*]]: memref<?x8xf32>, %[[WS:.*]]: memref<?xi8>) -> memref<8xf32>
// CHECK-NEXT:    %[[ALIGNED:.*]] = memref.assume_alignment %[[WS]], 64 : memref<?xi8>
// CHECK:         %[[N:.*]] = memref.dim %[[X]], %{{.*}}
// CHECK:         %[[BYTES:.*]] = arith.muli %{{.*}}, %[[N]]
// CHECK:         cf.assert
// CHECK:         memref.view %[[ALIGNED]][%{{.*}}][%{{.*}}] : memref<?xi8> to memref<?x8xf32>
// CHECK:         scf.for
// CHECK:           memref.view %[[ALIGNED]][%{{.*}}][] : memref<?xi8> to memref<8xf32>
// CHECK:         scf.forall (%{{.*}}) in (64)
// CHECK:           memref.view %[[ALIGNED]][%{{.*}}][] : memref<?xi8> to memref<4xf32>
// CHECK:         %[[R:.*]] = memref.alloc() : memref<8xf32>
// CHECK:         return %[[R]]
// CHECK-LABEL: func.func @dynamic_workspace_size(
// CHECK-SAME:      %[[X2:.*]]: memref<?x8xf32>) -> index
// CHECK:         memref.dim %[[X2]], %{{.*}}
// CHECK:         arith.ceildivui
// CHECK:         return
func.func @dynamic(%x: memref<?x8xf32>) -> memref<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?x8xf32>
  %t = memref.alloc(%n) : memref<?x8xf32>
  linalg.copy ins(%x : memref<?x8xf32>) outs(%t : memref<?x8xf32>)
  scf.for %i = %c0 to %n step %c1 {
    %row = memref.alloc() : memref<8xf32>
    %s = memref.subview %t[%i, 0] [1, 8] [1, 1] : memref<?x8xf32> to memref<8xf32, strided<[1], offset: ?>>
    linalg.copy ins(%s : memref<8xf32, strided<[1], offset: ?>>) outs(%row : memref<8xf32>)
    memref.dealloc %row : memref<8xf32>
  }
  scf.forall (%i) in (%n) {
    %half = memref.alloc() : memref<4xf32>
    %s = memref.subview %t[%i, 0] [1, 4] [1, 1] : memref<?x8xf32> to memref<4xf32, strided<[1], offset: ?>>
    linalg.copy ins(%s : memref<4xf32, strided<[1], offset: ?>>) outs(%half : memref<4xf32>)
    memref.dealloc %half : memref<4xf32>
  }
  %r = memref.alloc() : memref<8xf32>
  memref.dealloc %t : memref<?x8xf32>
  return %r : memref<8xf32>
}

// -----

// Functions called inside the module are helpers of a kernel, not kernels:
// their signature stays.
// CHECK-LABEL: func.func private @helper(%{{.*}}: memref<4xf32>)
// CHECK:         memref.alloc
func.func private @helper(%x: memref<4xf32>) {
  %t = memref.alloc() : memref<4xf32>
  memref.dealloc %t : memref<4xf32>
  return
}
// CHECK-LABEL: func.func @caller(%{{.*}}: memref<4xf32>, %{{.*}}: memref<?xi8>)
func.func @caller(%x: memref<4xf32>) {
  func.call @helper(%x) : (memref<4xf32>) -> ()
  return
}

// -----

// expected-error @+1 {{cannot get a workspace: 'k_workspace_size' already exists}}
func.func @k(%x: memref<4xf32>) {
  return
}
func.func private @k_workspace_size(%x: memref<4xf32>) -> index

// -----

// A task's temporary in a parallel loop: one place per iteration that runs
// at once. With the thread count unknown (threads=0), one per iteration of
// the loop (8 x 256 bytes, each followed by a page so that the prefetchers of
// one thread stay out of the next thread's place, beside the 64 of %t); with
// threads=2 the 8 iterations run as 2 chunks of 4 in order, one place per
// chunk; with threads=1 the loop is sequential: one place. With threads=0
// and max-places=3, the 8 iterations run as 3 chunks (of 3, 3 and 2): 3
// places, however long the loop.
// CHECK-LABEL: func.func @tasks(
// CHECK-SAME:      %{{.*}}: memref<4x6x64xf32>, %[[WS:.*]]: memref<?xi8>)
// CHECK-NEXT:    %[[ALIGNED:.*]] = memref.assume_alignment %[[WS]], 64 : memref<?xi8>
// CHECK-DAG:     %[[C34880:.*]] = arith.constant 34880 : index
// CHECK:         cf.assert
// CHECK:         scf.forall (%[[I:.*]], %[[J:.*]]) = (0, 0) to (4, 6) step (1, 3)
// CHECK:           %[[J2:.*]] = arith.divui %[[J]], %{{.*}}
// CHECK:           %[[IJ:.*]] = arith.addi %{{.*}}, %[[J2]]
// CHECK:           %[[AT:.*]] = arith.muli %[[IJ]], %{{.*}}
// CHECK:           %[[OFF:.*]] = arith.addi %{{.*}}, %[[AT]]
// CHECK:           memref.view %[[ALIGNED]][%[[OFF]]][] : memref<?xi8> to memref<64xf32>
// CHECK-NOT:       memref.dealloc
// THREADS-LABEL: func.func @tasks(
// THREADS:         arith.cmpi uge, %{{.*}}, %c8768
// THREADS:         scf.forall (%[[T:.*]]) in (2)
// THREADS:           %[[BEGIN:.*]] = arith.muli %[[T]], %[[C4:.*]] : index
// THREADS:           %[[END:.*]] = arith.minui
// THREADS:           scf.for %[[K:.*]] = %[[BEGIN]] to %[[END]]
// THREADS:             %[[COL:.*]] = arith.remui %[[K]], %[[C2:.*]] : index
// THREADS:             %[[ROW:.*]] = arith.divui %[[K]], %[[C2]] : index
// THREADS:             %[[J:.*]] = arith.muli %[[COL]], %{{.*}} : index
// THREADS:             %[[AT:.*]] = arith.muli %[[T]], %{{.*}} : index
// THREADS:             %[[OFF:.*]] = arith.addi %{{.*}}, %[[AT]] : index
// THREADS:             %[[TILE:.*]] = memref.view %{{.*}}[%[[OFF]]][] : memref<?xi8> to memref<64xf32>
// THREADS:             memref.subview %{{.*}}[%[[ROW]], %[[J]], 0]
// THREADS-NOT:         memref.dealloc
// BOUNDED-LABEL: func.func @tasks(
// BOUNDED:         arith.cmpi uge, %{{.*}}, %c13120
// BOUNDED:         scf.forall (%[[T:.*]]) in (3)
// BOUNDED:           %[[BEGIN:.*]] = arith.muli %[[T]], %[[C3:.*]] : index
// BOUNDED:           scf.for %{{.*}} = %[[BEGIN]] to
// BOUNDED:             %[[AT:.*]] = arith.muli %[[T]], %{{.*}} : index
// BOUNDED:             memref.view %{{.*}}[%{{.*}}][] : memref<?xi8> to memref<64xf32>
// BOUNDED-LABEL: func.func @tasks_workspace_size(
// BOUNDED:         arith.constant 13120 : index
// SEQUENTIAL-LABEL: func.func @tasks(
// SEQUENTIAL:         scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (4, 6) step (1, 3)
// SEQUENTIAL:           memref.view %{{.*}}[%{{.*}}][] : memref<?xi8> to memref<64xf32>
// SEQUENTIAL-LABEL: func.func @tasks_workspace_size(
// SEQUENTIAL:         %[[C320:.*]] = arith.constant 320 : index
// SEQUENTIAL:         return %[[C320]]
func.func @tasks(%x: memref<4x6x64xf32>) {
  %t = memref.alloc() : memref<16xf32>
  scf.forall (%i, %j) = (0, 0) to (4, 6) step (1, 3) {
    %tile = memref.alloc() : memref<64xf32>
    %row = memref.subview %x[%i, %j, 0] [1, 1, 64] [1, 1, 1] : memref<4x6x64xf32> to memref<64xf32, strided<[1], offset: ?>>
    linalg.copy ins(%row : memref<64xf32, strided<[1], offset: ?>>) outs(%tile : memref<64xf32>)
    linalg.copy ins(%tile : memref<64xf32>) outs(%row : memref<64xf32, strided<[1], offset: ?>>)
    memref.dealloc %tile : memref<64xf32>
  }
  %head = memref.subview %x[0, 0, 0] [1, 1, 16] [1, 1, 1] : memref<4x6x64xf32> to memref<16xf32, strided<[1]>>
  linalg.copy ins(%head : memref<16xf32, strided<[1]>>) outs(%t : memref<16xf32>)
  memref.dealloc %t : memref<16xf32>
  return
}
