// convgrad-cpu-fuse-sibling-tasks: sibling scf.forall loops with the same
// tasks that read the same input fuse when that input exceeds the target's
// L2 (cpu::fusesSiblingTasks); the ops the later loop needs move above the
// earlier one; a destination sliced from a disjoint insert (the parts of a
// split convolution) no longer chains the loops; parts inserted into one
// tensor (nested, for a convolution split twice) are written into it by the
// fused loop, each task's tiles chained through one box. Loops that depend on
// each other, have other tasks or share a small input stay apart.

// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=x86-64-v3},func.func(convgrad-cpu-fuse-sibling-tasks))" | FileCheck %s

// Two stride phases reading a 27 MB output gradient: one loop, the first
// body then the second; the second's filter is computed before it.
// CHECK-LABEL: func.func @phases
// CHECK:         %[[F:.*]] = linalg.generic
// CHECK:         %[[R:.*]]:2 = scf.forall (%[[I:.*]]) in (8) shared_outs(%[[O1:.*]] = %{{.*}}, %[[O2:.*]] = %{{.*}})
// CHECK:           tensor.extract_slice %{{.*}}[%[[I]], 0, 0, 0] [1, 1, 1, 16]
// CHECK:           tensor.extract_slice %{{.*}}[%[[I]], 1, 0, 0] [1, 1, 1, 16]
// CHECK:           arith.addf
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.*}} into %[[O1]]
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.*}} into %[[O2]]
// CHECK-NOT:     scf.forall (
// CHECK:         return %[[R]]#0, %[[R]]#1
func.func @phases(%dy: tensor<8x64x115x115xf32>, %w: tensor<16xf32>,
                  %x: tensor<8x16xf32>, %y: tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %a = scf.forall (%i) in (8) shared_outs(%o = %x) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 0, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 16] [1, 1] : tensor<16xf32> into tensor<8x16xf32>
    }
  }
  %e = tensor.empty() : tensor<16xf32>
  %f = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%w : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<16xf32>
  %b = scf.forall (%i) in (8) shared_outs(%o = %y) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 1, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<16xf32>
    %t = arith.addf %s, %f : tensor<16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%i, 0] [1, 16] [1, 1] : tensor<16xf32> into tensor<8x16xf32>
    }
  }
  return %a, %b : tensor<8x16xf32>, tensor<8x16xf32>
}

// -----

// The two parts of a convolution split at column 16: the second part's
// destination is a slice of the first part's insert that misses it, i.e.
// a slice of the fill.
// CHECK-LABEL: func.func @split_parts
// CHECK:         %[[FILL:.*]] = linalg.fill
// CHECK-DAG:     %[[D1:.*]] = tensor.extract_slice %[[FILL]][0, 0] [8, 16]
// CHECK-DAG:     %[[D2:.*]] = tensor.extract_slice %[[FILL]][0, 16] [8, 8]
// CHECK:         %[[R:.*]]:2 = scf.forall (%{{.*}}) in (8) shared_outs(%{{.*}} = %[[D1]], %{{.*}} = %[[D2]])
// CHECK-NOT:     scf.forall (
// CHECK:         %[[P1:.*]] = tensor.insert_slice %[[R]]#0 into %[[FILL]][0, 0] [8, 16]
// CHECK:         tensor.insert_slice %[[R]]#1 into %[[P1]][0, 16] [8, 8]
func.func @split_parts(%dy: tensor<8x64x115x115xf32>) -> tensor<8x24xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x24xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<8x24xf32>) -> tensor<8x24xf32>
  %d1 = tensor.extract_slice %fill[0, 0] [8, 16] [1, 1] : tensor<8x24xf32> to tensor<8x16xf32>
  %a = scf.forall (%i) in (8) shared_outs(%o = %d1) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 0, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 16] [1, 1] : tensor<16xf32> into tensor<8x16xf32>
    }
  }
  %p1 = tensor.insert_slice %a into %fill[0, 0] [8, 16] [1, 1] : tensor<8x16xf32> into tensor<8x24xf32>
  %d2 = tensor.extract_slice %p1[0, 16] [8, 8] [1, 1] : tensor<8x24xf32> to tensor<8x8xf32>
  %b = scf.forall (%i) in (8) shared_outs(%o = %d2) -> (tensor<8x8xf32>) {
    %s = tensor.extract_slice %dy[%i, 0, 0, 16] [1, 1, 1, 8] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<8xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 8] [1, 1] : tensor<8xf32> into tensor<8x8xf32>
    }
  }
  %p2 = tensor.insert_slice %b into %p1[0, 16] [8, 8] [1, 1] : tensor<8x8xf32> into tensor<8x24xf32>
  return %p2 : tensor<8x24xf32>
}

// -----

// Two stride phases inserted, interleaved, into one empty dx: the fused
// loop writes both into dx itself (one destination; each body's slices move
// to the columns its insert puts them at), rather than into two
// temporaries copied into dx after the loop.
// CHECK-LABEL: func.func @phases_into_dx
// CHECK:         %[[DX:.*]] = tensor.empty() : tensor<8x32xf32>
// CHECK:         %[[R:.*]] = scf.forall (%[[I:.*]]) in (8) shared_outs(%[[O:.*]] = %[[DX]]) -> (tensor<8x32xf32>)
// CHECK:           tensor.extract_slice %[[O]][%[[I]], 0] [1, 16] [1, 2] : tensor<8x32xf32> to tensor<1x16xf32>
// CHECK:           tensor.extract_slice %[[O]][%[[I]], 1] [1, 16] [1, 2] : tensor<8x32xf32> to tensor<1x16xf32>
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.*}} into %[[O]][%[[I]], 0] [1, 16] [1, 2]
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.*}} into %[[O]][%[[I]], 1] [1, 16] [1, 2]
// CHECK-NOT:     tensor.insert_slice
// CHECK:         return %[[R]]
func.func @phases_into_dx(%dy: tensor<8x64x115x115xf32>) -> tensor<8x32xf32> {
  %e = tensor.empty() : tensor<8x16xf32>
  %a = scf.forall (%i) in (8) shared_outs(%o = %e) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 0, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<1x16xf32>
    %c = tensor.extract_slice %o[%i, 0] [1, 16] [1, 1] : tensor<8x16xf32> to tensor<1x16xf32>
    %t = arith.addf %s, %c : tensor<1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%i, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<8x16xf32>
    }
  }
  %b = scf.forall (%i) in (8) shared_outs(%o = %e) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 1, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<1x16xf32>
    %c = tensor.extract_slice %o[%i, 0] [1, 16] [1, 1] : tensor<8x16xf32> to tensor<1x16xf32>
    %t = arith.addf %s, %c : tensor<1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%i, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<8x16xf32>
    }
  }
  %dx = tensor.empty() : tensor<8x32xf32>
  %p0 = tensor.insert_slice %a into %dx[0, 0] [8, 16] [1, 2] : tensor<8x16xf32> into tensor<8x32xf32>
  %p1 = tensor.insert_slice %b into %p0[0, 1] [8, 16] [1, 2] : tensor<8x16xf32> into tensor<8x32xf32>
  return %p1 : tensor<8x32xf32>
}

// -----

// The first insert's destination is defined before the loops (the
// transposed result of a phase computed on its own): the fused loop
// completes that tensor.
// CHECK-LABEL: func.func @phases_into_partial_dx
// CHECK-SAME:      %[[DX:[a-z0-9]+]]: tensor<8x48xf32>
// CHECK:         %[[R:.*]] = scf.forall (%[[I:.*]]) in (8) shared_outs(%[[O:.*]] = %[[DX]]) -> (tensor<8x48xf32>)
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.*}} into %[[O]][%[[I]], 1] [1, 16] [1, 3]
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.*}} into %[[O]][%[[I]], 2] [1, 16] [1, 3]
// CHECK-NOT:     tensor.insert_slice
// CHECK:         return %[[R]]
func.func @phases_into_partial_dx(%dy: tensor<8x64x115x115xf32>, %dx: tensor<8x48xf32>) -> tensor<8x48xf32> {
  %e = tensor.empty() : tensor<8x16xf32>
  %a = scf.forall (%i) in (8) shared_outs(%o = %e) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 0, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<8x16xf32>
    }
  }
  %b = scf.forall (%i) in (8) shared_outs(%o = %e) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 1, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<8x16xf32>
    }
  }
  %p0 = tensor.insert_slice %a into %dx[0, 1] [8, 16] [1, 3] : tensor<8x16xf32> into tensor<8x48xf32>
  %p1 = tensor.insert_slice %b into %p0[0, 2] [8, 16] [1, 3] : tensor<8x16xf32> into tensor<8x48xf32>
  return %p1 : tensor<8x48xf32>
}

// -----

// Fused, but each result stays in its own destination: the inserts overlap
// (both at column 0, stride 2: the second overwrites the first), or a
// destination starts from values (a fill) that dx does not hold.
// CHECK-LABEL: func.func @phases_overlap
// CHECK:         %[[R:.*]]:2 = scf.forall
// CHECK:         %[[P0:.*]] = tensor.insert_slice %[[R]]#0 into
// CHECK:         tensor.insert_slice %[[R]]#1 into %[[P0]][0, 0] [8, 16] [1, 2]
func.func @phases_overlap(%dy: tensor<8x64x115x115xf32>) -> tensor<8x32xf32> {
  %e = tensor.empty() : tensor<8x16xf32>
  %a = scf.forall (%i) in (8) shared_outs(%o = %e) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 0, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<8x16xf32>
    }
  }
  %b = scf.forall (%i) in (8) shared_outs(%o = %e) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 1, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<8x16xf32>
    }
  }
  %dx = tensor.empty() : tensor<8x32xf32>
  %p0 = tensor.insert_slice %a into %dx[0, 0] [8, 16] [1, 2] : tensor<8x16xf32> into tensor<8x32xf32>
  %p1 = tensor.insert_slice %b into %p0[0, 0] [8, 16] [1, 2] : tensor<8x16xf32> into tensor<8x32xf32>
  return %p1 : tensor<8x32xf32>
}

// CHECK-LABEL: func.func @phases_filled
// CHECK:         %[[R:.*]]:2 = scf.forall
// CHECK:         %[[P0:.*]] = tensor.insert_slice %[[R]]#0 into
// CHECK:         tensor.insert_slice %[[R]]#1 into %[[P0]][0, 1] [8, 16] [1, 2]
func.func @phases_filled(%dy: tensor<8x64x115x115xf32>) -> tensor<8x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %a = scf.forall (%i) in (8) shared_outs(%o = %e) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 0, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<8x16xf32>
    }
  }
  %b = scf.forall (%i) in (8) shared_outs(%o = %f) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 1, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<1x16xf32>
    %c = tensor.extract_slice %o[%i, 0] [1, 16] [1, 1] : tensor<8x16xf32> to tensor<1x16xf32>
    %t = arith.addf %s, %c : tensor<1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%i, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<8x16xf32>
    }
  }
  %dx = tensor.empty() : tensor<8x32xf32>
  %p0 = tensor.insert_slice %a into %dx[0, 0] [8, 16] [1, 2] : tensor<8x16xf32> into tensor<8x32xf32>
  %p1 = tensor.insert_slice %b into %p0[0, 1] [8, 16] [1, 2] : tensor<8x16xf32> into tensor<8x32xf32>
  return %p1 : tensor<8x32xf32>
}

// -----

// Not fused: the second loop reads the first one's result; other tasks; a
// shared input that fits the L2; an overlapping destination slice.
// CHECK-LABEL: func.func @dependent
// CHECK-COUNT-2: scf.forall (
func.func @dependent(%dy: tensor<8x64x115x115xf32>, %x: tensor<8x16xf32>, %y: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %a = scf.forall (%i) in (8) shared_outs(%o = %x) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 0, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 16] [1, 1] : tensor<16xf32> into tensor<8x16xf32>
    }
  }
  %b = scf.forall (%i) in (8) shared_outs(%o = %y) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 1, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<16xf32>
    %r = tensor.extract_slice %a[%i, 0] [1, 16] [1, 1] : tensor<8x16xf32> to tensor<16xf32>
    %t = arith.addf %s, %r : tensor<16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%i, 0] [1, 16] [1, 1] : tensor<16xf32> into tensor<8x16xf32>
    }
  }
  return %b : tensor<8x16xf32>
}

// CHECK-LABEL: func.func @other_tasks
// CHECK-COUNT-2: scf.forall (
func.func @other_tasks(%dy: tensor<8x64x115x115xf32>, %x: tensor<8x16xf32>, %y: tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %a = scf.forall (%i) in (8) shared_outs(%o = %x) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 0, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 16] [1, 1] : tensor<16xf32> into tensor<8x16xf32>
    }
  }
  %b = scf.forall (%i) = (0) to (8) step (2) shared_outs(%o = %y) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 1, 0, 0] [2, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<2x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [2, 16] [1, 1] : tensor<2x16xf32> into tensor<8x16xf32>
    }
  }
  return %a, %b : tensor<8x16xf32>, tensor<8x16xf32>
}

// CHECK-LABEL: func.func @small_input
// CHECK-COUNT-2: scf.forall (
func.func @small_input(%dy: tensor<8x4x16x16xf32>, %x: tensor<8x16xf32>, %y: tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %a = scf.forall (%i) in (8) shared_outs(%o = %x) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 0, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x4x16x16xf32> to tensor<16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 16] [1, 1] : tensor<16xf32> into tensor<8x16xf32>
    }
  }
  %b = scf.forall (%i) in (8) shared_outs(%o = %y) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 1, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x4x16x16xf32> to tensor<16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 16] [1, 1] : tensor<16xf32> into tensor<8x16xf32>
    }
  }
  return %a, %b : tensor<8x16xf32>, tensor<8x16xf32>
}

// CHECK-LABEL: func.func @overlapping_destination
// CHECK-COUNT-2: scf.forall (
func.func @overlapping_destination(%dy: tensor<8x64x115x115xf32>, %fill: tensor<8x24xf32>) -> tensor<8x24xf32> {
  %d1 = tensor.extract_slice %fill[0, 0] [8, 16] [1, 1] : tensor<8x24xf32> to tensor<8x16xf32>
  %a = scf.forall (%i) in (8) shared_outs(%o = %d1) -> (tensor<8x16xf32>) {
    %s = tensor.extract_slice %dy[%i, 0, 0, 0] [1, 1, 1, 16] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 16] [1, 1] : tensor<16xf32> into tensor<8x16xf32>
    }
  }
  %p1 = tensor.insert_slice %a into %fill[0, 0] [8, 16] [1, 1] : tensor<8x16xf32> into tensor<8x24xf32>
  %d2 = tensor.extract_slice %p1[0, 8] [8, 8] [1, 1] : tensor<8x24xf32> to tensor<8x8xf32>
  %b = scf.forall (%i) in (8) shared_outs(%o = %d2) -> (tensor<8x8xf32>) {
    %s = tensor.extract_slice %dy[%i, 0, 0, 16] [1, 1, 1, 8] [1, 1, 1, 1] : tensor<8x64x115x115xf32> to tensor<8xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 8] [1, 1] : tensor<8xf32> into tensor<8x8xf32>
    }
  }
  %p2 = tensor.insert_slice %b into %p1[0, 8] [8, 8] [1, 1] : tensor<8x8xf32> into tensor<8x24xf32>
  return %p2 : tensor<8x24xf32>
}

// -----

// A convolution split twice (channels 24 = 16 + 8, then the columns of each
// part 10 = 8 + 2), each part's loop on a slice of a slice of one empty
// result, the parts assembled by nested inserts. The fused loop writes the
// whole result; each task extracts the box of its four tiles once, takes
// each tile from the inserts of the tiles before it and stores the box:
// every slice is then extracted and inserted back at the same place of the
// same tensor, which bufferizes in place (no buffer per part).
// CHECK-LABEL: func.func @nested_split_parts
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<8x10x24xf32>
// CHECK:         %[[R:.*]] = scf.forall (%[[I:.*]]) in (8) shared_outs(%[[O:.*]] = %[[E]]) -> (tensor<8x10x24xf32>)
// CHECK:           %[[B0:.*]] = tensor.extract_slice %[[O]][%[[I]], 0, 0] [1, 10, 24] [1, 1, 1]
// CHECK:           %[[T0:.*]] = tensor.extract_slice %[[B0]][0, 0, 0] [1, 8, 16] [1, 1, 1]
// CHECK:           %[[F0:.*]] = linalg.fill ins(%{{.*}}) outs(%[[T0]]
// CHECK:           %[[B1:.*]] = tensor.insert_slice %[[F0]] into %[[B0]][0, 0, 0] [1, 8, 16] [1, 1, 1]
// CHECK:           %[[T1:.*]] = tensor.extract_slice %[[B1]][0, 8, 0] [1, 2, 16] [1, 1, 1]
// CHECK:           %[[F1:.*]] = linalg.fill ins(%{{.*}}) outs(%[[T1]]
// CHECK:           %[[B2:.*]] = tensor.insert_slice %[[F1]] into %[[B1]][0, 8, 0] [1, 2, 16] [1, 1, 1]
// CHECK:           %[[T2:.*]] = tensor.extract_slice %[[B2]][0, 0, 16] [1, 8, 8] [1, 1, 1]
// CHECK:           %[[F2:.*]] = linalg.fill ins(%{{.*}}) outs(%[[T2]]
// CHECK:           %[[B3:.*]] = tensor.insert_slice %[[F2]] into %[[B2]][0, 0, 16] [1, 8, 8] [1, 1, 1]
// CHECK:           %[[T3:.*]] = tensor.extract_slice %[[B3]][0, 8, 16] [1, 2, 8] [1, 1, 1]
// CHECK:           %[[F3:.*]] = linalg.fill ins(%{{.*}}) outs(%[[T3]]
// CHECK:           %[[B4:.*]] = tensor.insert_slice %[[F3]] into %[[B3]][0, 8, 16] [1, 2, 8] [1, 1, 1]
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %[[B4]] into %[[O]][%[[I]], 0, 0] [1, 10, 24] [1, 1, 1]
// CHECK-NOT:     scf.forall (
// CHECK-NOT:     tensor.insert_slice
// CHECK:         return %[[R]]
func.func @nested_split_parts(%dy: tensor<8x64x115x115xf32>) -> tensor<8x10x24xf32> {
  %z = arith.constant 0 : index
  %k0 = arith.constant 0 : index
  %k1 = arith.constant 1 : index
  %k2 = arith.constant 2 : index
  %k3 = arith.constant 3 : index
  %e = tensor.empty() : tensor<8x10x24xf32>
  %h0 = tensor.extract_slice %e[0, 0, 0] [8, 10, 16] [1, 1, 1] : tensor<8x10x24xf32> to tensor<8x10x16xf32>
  %d0 = tensor.extract_slice %h0[0, 0, 0] [8, 8, 16] [1, 1, 1] : tensor<8x10x16xf32> to tensor<8x8x16xf32>
  %a = scf.forall (%i) in (8) shared_outs(%o = %d0) -> (tensor<8x8x16xf32>) {
    %x = tensor.extract %dy[%i, %z, %z, %z] : tensor<8x64x115x115xf32>
    %t = tensor.extract_slice %o[%i, 0, 0] [1, 8, 16] [1, 1, 1] : tensor<8x8x16xf32> to tensor<1x8x16xf32>
    %f = linalg.fill ins(%x : f32) outs(%t : tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %f into %o[%i, 0, 0] [1, 8, 16] [1, 1, 1] : tensor<1x8x16xf32> into tensor<8x8x16xf32>
    }
  }
  %p0 = tensor.insert_slice %a into %h0[0, 0, 0] [8, 8, 16] [1, 1, 1] : tensor<8x8x16xf32> into tensor<8x10x16xf32>
  %d1 = tensor.extract_slice %h0[0, 8, 0] [8, 2, 16] [1, 1, 1] : tensor<8x10x16xf32> to tensor<8x2x16xf32>
  %b = scf.forall (%i) in (8) shared_outs(%o = %d1) -> (tensor<8x2x16xf32>) {
    %x = tensor.extract %dy[%i, %k1, %z, %z] : tensor<8x64x115x115xf32>
    %t = tensor.extract_slice %o[%i, 0, 0] [1, 2, 16] [1, 1, 1] : tensor<8x2x16xf32> to tensor<1x2x16xf32>
    %f = linalg.fill ins(%x : f32) outs(%t : tensor<1x2x16xf32>) -> tensor<1x2x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %f into %o[%i, 0, 0] [1, 2, 16] [1, 1, 1] : tensor<1x2x16xf32> into tensor<8x2x16xf32>
    }
  }
  %p1 = tensor.insert_slice %b into %p0[0, 8, 0] [8, 2, 16] [1, 1, 1] : tensor<8x2x16xf32> into tensor<8x10x16xf32>
  %q0 = tensor.insert_slice %p1 into %e[0, 0, 0] [8, 10, 16] [1, 1, 1] : tensor<8x10x16xf32> into tensor<8x10x24xf32>
  %h1 = tensor.extract_slice %e[0, 0, 16] [8, 10, 8] [1, 1, 1] : tensor<8x10x24xf32> to tensor<8x10x8xf32>
  %d2 = tensor.extract_slice %h1[0, 0, 0] [8, 8, 8] [1, 1, 1] : tensor<8x10x8xf32> to tensor<8x8x8xf32>
  %g = scf.forall (%i) in (8) shared_outs(%o = %d2) -> (tensor<8x8x8xf32>) {
    %x = tensor.extract %dy[%i, %k2, %z, %z] : tensor<8x64x115x115xf32>
    %t = tensor.extract_slice %o[%i, 0, 0] [1, 8, 8] [1, 1, 1] : tensor<8x8x8xf32> to tensor<1x8x8xf32>
    %f = linalg.fill ins(%x : f32) outs(%t : tensor<1x8x8xf32>) -> tensor<1x8x8xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %f into %o[%i, 0, 0] [1, 8, 8] [1, 1, 1] : tensor<1x8x8xf32> into tensor<8x8x8xf32>
    }
  }
  %p2 = tensor.insert_slice %g into %h1[0, 0, 0] [8, 8, 8] [1, 1, 1] : tensor<8x8x8xf32> into tensor<8x10x8xf32>
  %d3 = tensor.extract_slice %h1[0, 8, 0] [8, 2, 8] [1, 1, 1] : tensor<8x10x8xf32> to tensor<8x2x8xf32>
  %d = scf.forall (%i) in (8) shared_outs(%o = %d3) -> (tensor<8x2x8xf32>) {
    %x = tensor.extract %dy[%i, %k3, %z, %z] : tensor<8x64x115x115xf32>
    %t = tensor.extract_slice %o[%i, 0, 0] [1, 2, 8] [1, 1, 1] : tensor<8x2x8xf32> to tensor<1x2x8xf32>
    %f = linalg.fill ins(%x : f32) outs(%t : tensor<1x2x8xf32>) -> tensor<1x2x8xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %f into %o[%i, 0, 0] [1, 2, 8] [1, 1, 1] : tensor<1x2x8xf32> into tensor<8x2x8xf32>
    }
  }
  %p3 = tensor.insert_slice %d into %p2[0, 8, 0] [8, 2, 8] [1, 1, 1] : tensor<8x2x8xf32> into tensor<8x10x8xf32>
  %q1 = tensor.insert_slice %p3 into %q0[0, 0, 16] [8, 10, 8] [1, 1, 1] : tensor<8x10x8xf32> into tensor<8x10x24xf32>
  return %q1 : tensor<8x10x24xf32>
}

// -----

// Fused stride phases that read one padded copy of a 27 MB function
// argument (cpu::padsSharedInputInTasks): each task pads the box its bodies
// read (2 images, one channel, 4 rows from its first, columns 0 to 16, the
// vector lanes included) from the argument into its own tensor: fills of
// the box's border (the rows above and below the image, at run-time counts,
// and the left column), the slice of the argument inserted into the rest;
// the reads index that box relative to the task's image and row.
// CHECK-LABEL: func.func @shared_pad_in_tasks
// CHECK-SAME:    (%[[DY:[^:]*]]: tensor<8x64x112x112xf32>
// CHECK:         scf.forall (%[[N:.*]], %[[H:.*]]) = (0, 0) to (8, 112) step (2, 8)
// CHECK:           %[[SRC:.*]] = tensor.extract_slice %[[DY]][%[[N]], 0, %{{.*}}, 0] [2, 1, %[[ROWS:.*]], 16] [1, 1, 1, 1]
// CHECK:           %[[E:.*]] = tensor.empty() : tensor<2x1x4x17xf32>
// CHECK:           linalg.fill {{.*}} -> tensor<2x1x?x17xf32>
// CHECK:           linalg.fill {{.*}} -> tensor<2x1x?x17xf32>
// CHECK:           linalg.fill {{.*}} -> tensor<2x1x?x1xf32>
// CHECK-NOT:       linalg.fill
// CHECK:           %[[BOX:.*]] = tensor.insert_slice %[[SRC]] into %{{.*}}[0, 0, %{{.*}}, 1] [2, 1, %[[ROWS]], 16]
// CHECK:           scf.for
// CHECK:             vector.transfer_read %[[BOX]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}]
// CHECK:           scf.for
// CHECK:             vector.transfer_read %[[BOX]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}]
// CHECK-NOT:     scf.forall (
func.func @shared_pad_in_tasks(%dy: tensor<8x64x112x112xf32>, %x: tensor<8x112x16xf32>,
                               %y: tensor<8x112x16xf32>) -> (tensor<8x112x16xf32>, tensor<8x112x16xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %zero = arith.constant dense<0.000000e+00> : vector<16xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %p = tensor.pad %dy low[0, 0, 1, 1] high[0, 0, 2, 2] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %cst : f32
  } : tensor<8x64x112x112xf32> to tensor<8x64x115x115xf32>
  %a = scf.forall (%n, %h) = (0, 0) to (8, 112) step (2, 8) shared_outs(%o = %x) -> (tensor<8x112x16xf32>) {
    %r = scf.for %kh = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> (vector<16xf32>) {
      %row = affine.apply affine_map<(d0)[s0] -> (d0 + s0)>(%kh)[%h]
      %v = vector.transfer_read %p[%n, %c0, %row, %c0], %cst {in_bounds = [true]} : tensor<8x64x115x115xf32>, vector<16xf32>
      %s = arith.addf %acc, %v : vector<16xf32>
      scf.yield %s : vector<16xf32>
    }
    %e = tensor.empty() : tensor<1x1x16xf32>
    %t = vector.transfer_write %r, %e[%c0, %c0, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<1x1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%n, %h, 0] [1, 1, 16] [1, 1, 1] : tensor<1x1x16xf32> into tensor<8x112x16xf32>
    }
  }
  %b = scf.forall (%n, %h) = (0, 0) to (8, 112) step (2, 8) shared_outs(%o = %y) -> (tensor<8x112x16xf32>) {
    %r = scf.for %kh = %c0 to %c3 step %c1 iter_args(%acc = %zero) -> (vector<16xf32>) {
      %row = affine.apply affine_map<(d0)[s0] -> (d0 + s0)>(%kh)[%h]
      %n1 = affine.apply affine_map<(d0) -> (d0 + 1)>(%n)
      %v = vector.transfer_read %p[%n1, %c0, %row, %c1], %cst {in_bounds = [true]} : tensor<8x64x115x115xf32>, vector<16xf32>
      %s = arith.addf %acc, %v : vector<16xf32>
      scf.yield %s : vector<16xf32>
    }
    %e = tensor.empty() : tensor<1x1x16xf32>
    %t = vector.transfer_write %r, %e[%c0, %c0, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<1x1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%n, %h, 0] [1, 1, 16] [1, 1, 1] : tensor<1x1x16xf32> into tensor<8x112x16xf32>
    }
  }
  return %a, %b : tensor<8x112x16xf32>, tensor<8x112x16xf32>
}

// -----

// The same phases reading a channels-last argument transposed channels-first
// before the pad: the transpose moves into the tasks with the pad, each task
// transposes the rows of its box (in the argument's layout) into a fresh
// tensor inserted into its box; no transpose of the whole argument is left.
// CHECK-LABEL: func.func @shared_transposed_pad_in_tasks
// CHECK-SAME:    (%[[DY:[^:]*]]: tensor<8x112x112x64xf32>
// CHECK-NOT:     linalg.transpose
// CHECK:         scf.forall (%[[N:.*]], %[[H:.*]]) = (0, 0) to (8, 112) step (2, 8)
// CHECK:           %[[SRC:.*]] = tensor.extract_slice %[[DY]][%[[N]], %{{.*}}, 0, 0] [2, %[[ROWS:.*]], 16, 1] [1, 1, 1, 1]
// CHECK:           %[[T0:.*]] = tensor.empty(%[[ROWS]]) : tensor<2x1x?x16xf32>
// CHECK:           %[[T:.*]] = linalg.transpose ins(%[[SRC]] : tensor<2x?x16x1xf32>) outs(%[[T0]] : tensor<2x1x?x16xf32>) permutation = [0, 3, 1, 2]
// CHECK:           %[[E:.*]] = tensor.empty() : tensor<2x1x4x17xf32>
// CHECK:           %[[BOX:.*]] = tensor.insert_slice %[[T]] into %{{.*}}[0, 0, %{{.*}}, 1] [2, 1, %{{.*}}, 16]
// CHECK:           vector.transfer_read %[[BOX]]
// CHECK:           vector.transfer_read %[[BOX]]
// CHECK-NOT:     scf.forall (
func.func @shared_transposed_pad_in_tasks(%dyl: tensor<8x112x112x64xf32>, %x: tensor<8x112x16xf32>,
                               %y: tensor<8x112x16xf32>) -> (tensor<8x112x16xf32>, tensor<8x112x16xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %zero = arith.constant dense<0.000000e+00> : vector<16xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %te = tensor.empty() : tensor<8x64x112x112xf32>
  %dy = linalg.transpose ins(%dyl : tensor<8x112x112x64xf32>) outs(%te : tensor<8x64x112x112xf32>) permutation = [0, 3, 1, 2]
  %p = tensor.pad %dy low[0, 0, 1, 1] high[0, 0, 2, 2] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %cst : f32
  } : tensor<8x64x112x112xf32> to tensor<8x64x115x115xf32>
  %a = scf.forall (%n, %h) = (0, 0) to (8, 112) step (2, 8) shared_outs(%o = %x) -> (tensor<8x112x16xf32>) {
    %r = scf.for %kh = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> (vector<16xf32>) {
      %row = affine.apply affine_map<(d0)[s0] -> (d0 + s0)>(%kh)[%h]
      %v = vector.transfer_read %p[%n, %c0, %row, %c0], %cst {in_bounds = [true]} : tensor<8x64x115x115xf32>, vector<16xf32>
      %s = arith.addf %acc, %v : vector<16xf32>
      scf.yield %s : vector<16xf32>
    }
    %e = tensor.empty() : tensor<1x1x16xf32>
    %t = vector.transfer_write %r, %e[%c0, %c0, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<1x1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%n, %h, 0] [1, 1, 16] [1, 1, 1] : tensor<1x1x16xf32> into tensor<8x112x16xf32>
    }
  }
  %b = scf.forall (%n, %h) = (0, 0) to (8, 112) step (2, 8) shared_outs(%o = %y) -> (tensor<8x112x16xf32>) {
    %r = scf.for %kh = %c0 to %c3 step %c1 iter_args(%acc = %zero) -> (vector<16xf32>) {
      %row = affine.apply affine_map<(d0)[s0] -> (d0 + s0)>(%kh)[%h]
      %n1 = affine.apply affine_map<(d0) -> (d0 + 1)>(%n)
      %v = vector.transfer_read %p[%n1, %c0, %row, %c1], %cst {in_bounds = [true]} : tensor<8x64x115x115xf32>, vector<16xf32>
      %s = arith.addf %acc, %v : vector<16xf32>
      scf.yield %s : vector<16xf32>
    }
    %e = tensor.empty() : tensor<1x1x16xf32>
    %t = vector.transfer_write %r, %e[%c0, %c0, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<1x1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%n, %h, 0] [1, 1, 16] [1, 1, 1] : tensor<1x1x16xf32> into tensor<8x112x16xf32>
    }
  }
  return %a, %b : tensor<8x112x16xf32>, tensor<8x112x16xf32>
}

// -----

// The same phases with FMA nests: each task also prefetches the rows of the
// argument that the next task (in row-major order over images and row
// blocks; the last of the 56 tasks its own) copies into its box, one loop
// marked for convgrad-cpu-spread-prefetches before each nest, over half of
// the box's 16 cache lines each (2 images x 4 rows x 2 lines of columns
// -1 to 15, clamped into the argument).
// CHECK-LABEL: func.func @shared_pad_prefetch_next_box
// CHECK-SAME:    (%[[DY:[^:]*]]: tensor<8x64x112x112xf32>
// CHECK:         scf.forall (%[[N:.*]], %[[H:.*]]) = (0, 0) to (8, 112) step (2, 8)
// CHECK:           %[[SUCC:.*]] = arith.addi %{{.*}}, %c1{{(_[0-9]+)?}} : index
// CHECK:           %[[NEXT:.*]] = arith.minui %[[SUCC]], %c55 : index
// CHECK:           %[[BUF:.*]] = bufferization.to_buffer %[[DY]] read_only
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c8{{(_[0-9]+)?}} step
// CHECK:             %[[ROW:.*]] = arith.minsi %{{.*}}, %c111 : index
// CHECK:             %[[IMAGE:.*]] = arith.minsi %{{.*}}, %c7 : index
// CHECK:             %[[COLUMN:.*]] = arith.minsi %{{.*}}, %c111{{(_[0-9]+)?}} : index
// CHECK:             memref.prefetch %[[BUF]][%[[IMAGE]], %{{.*}}, %[[ROW]], %[[COLUMN]]], read, locality<3>, data
// CHECK:           } {convgrad.spread_prefetches}
// CHECK-NEXT:      scf.for {{.*}} iter_args
// CHECK:             vector.fma
// CHECK:           scf.for %[[J:.*]] = %{{.*}} to %c8{{(_[0-9]+)?}} step
// CHECK:             arith.addi %[[J]], %c8
// CHECK:             memref.prefetch %[[BUF]][{{.*}}], read, locality<3>, data
// CHECK:           } {convgrad.spread_prefetches}
// CHECK-NEXT:      scf.for {{.*}} iter_args
// CHECK:             vector.fma
// CHECK-NOT:     scf.forall (
func.func @shared_pad_prefetch_next_box(%dy: tensor<8x64x112x112xf32>, %x: tensor<8x112x16xf32>,
                               %y: tensor<8x112x16xf32>) -> (tensor<8x112x16xf32>, tensor<8x112x16xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %zero = arith.constant dense<0.000000e+00> : vector<16xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %p = tensor.pad %dy low[0, 0, 1, 1] high[0, 0, 2, 2] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %cst : f32
  } : tensor<8x64x112x112xf32> to tensor<8x64x115x115xf32>
  %a = scf.forall (%n, %h) = (0, 0) to (8, 112) step (2, 8) shared_outs(%o = %x) -> (tensor<8x112x16xf32>) {
    %r = scf.for %kh = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> (vector<16xf32>) {
      %row = affine.apply affine_map<(d0)[s0] -> (d0 + s0)>(%kh)[%h]
      %v = vector.transfer_read %p[%n, %c0, %row, %c0], %cst {in_bounds = [true]} : tensor<8x64x115x115xf32>, vector<16xf32>
      %s = vector.fma %v, %v, %acc : vector<16xf32>
      scf.yield %s : vector<16xf32>
    }
    %e = tensor.empty() : tensor<1x1x16xf32>
    %t = vector.transfer_write %r, %e[%c0, %c0, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<1x1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%n, %h, 0] [1, 1, 16] [1, 1, 1] : tensor<1x1x16xf32> into tensor<8x112x16xf32>
    }
  }
  %b = scf.forall (%n, %h) = (0, 0) to (8, 112) step (2, 8) shared_outs(%o = %y) -> (tensor<8x112x16xf32>) {
    %r = scf.for %kh = %c0 to %c3 step %c1 iter_args(%acc = %zero) -> (vector<16xf32>) {
      %row = affine.apply affine_map<(d0)[s0] -> (d0 + s0)>(%kh)[%h]
      %n1 = affine.apply affine_map<(d0) -> (d0 + 1)>(%n)
      %v = vector.transfer_read %p[%n1, %c0, %row, %c1], %cst {in_bounds = [true]} : tensor<8x64x115x115xf32>, vector<16xf32>
      %s = vector.fma %v, %v, %acc : vector<16xf32>
      scf.yield %s : vector<16xf32>
    }
    %e = tensor.empty() : tensor<1x1x16xf32>
    %t = vector.transfer_write %r, %e[%c0, %c0, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<1x1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%n, %h, 0] [1, 1, 16] [1, 1, 1] : tensor<1x1x16xf32> into tensor<8x112x16xf32>
    }
  }
  return %a, %b : tensor<8x112x16xf32>, tensor<8x112x16xf32>
}

// -----

// The same with rows of 112 columns: the box spans the argument's columns,
// a run is 2 images x (channel 0, rows h - 1 to h + 2 of 112 columns: 448
// elements, 29 points a line apart). One address per 4 lines
// (cpu::getNextTaskBoxPrefetchLinesPerAddress): 8 groups per run, 16 in
// all, 8 per nest; each prefetches its first line, clamped so that all 4
// stay in the run dim (12544 - 3 * 16 elements), and 3 more a line apart.
// CHECK-LABEL: func.func @shared_pad_prefetch_next_box_groups
// CHECK:         scf.forall
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c8{{(_[0-9]+)?}} step
// CHECK:             %[[GROUP:.*]] = arith.remui %{{.*}}, %c8{{(_[0-9]+)?}} : index
// CHECK:             %[[E:.*]] = arith.muli %[[GROUP]], %c64{{(_[0-9]+)?}} : index
// CHECK:             %[[AT:.*]] = arith.addi %{{.*}}, %[[E]] : index
// CHECK:             %[[LOW:.*]] = arith.maxsi %[[AT]], %c0{{(_[0-9]+)?}} : index
// CHECK:             %[[FIRST:.*]] = arith.minsi %[[LOW]], %c12495 : index
// CHECK:             memref.prefetch %[[BUF:.*]][%{{.*}}, %[[FIRST]]], read, locality<3>, data
// CHECK:             %[[SECOND:.*]] = arith.addi %[[FIRST]], %c16{{(_[0-9]+)?}} : index
// CHECK:             memref.prefetch %[[BUF]][%{{.*}}, %[[SECOND]]], read, locality<3>, data
// CHECK:             %[[THIRD:.*]] = arith.addi %[[FIRST]], %c32{{(_[0-9]+)?}} : index
// CHECK:             memref.prefetch %[[BUF]][%{{.*}}, %[[THIRD]]], read, locality<3>, data
// CHECK:             %[[FOURTH:.*]] = arith.addi %[[FIRST]], %c48{{(_[0-9]+)?}} : index
// CHECK:             memref.prefetch %[[BUF]][%{{.*}}, %[[FOURTH]]], read, locality<3>, data
// CHECK-NOT:         memref.prefetch
// CHECK:           } {convgrad.spread_prefetches}
// CHECK-NEXT:      scf.for {{.*}} iter_args
// CHECK:             vector.fma
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c8{{(_[0-9]+)?}} step
// CHECK-COUNT-4:     memref.prefetch
// CHECK-NOT:         memref.prefetch
// CHECK:           } {convgrad.spread_prefetches}
func.func @shared_pad_prefetch_next_box_groups(%dy: tensor<8x64x112x112xf32>, %x: tensor<8x112x112xf32>,
                               %y: tensor<8x112x112xf32>) -> (tensor<8x112x112xf32>, tensor<8x112x112xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %zero = arith.constant dense<0.000000e+00> : vector<112xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %p = tensor.pad %dy low[0, 0, 1, 1] high[0, 0, 2, 2] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %cst : f32
  } : tensor<8x64x112x112xf32> to tensor<8x64x115x115xf32>
  %a = scf.forall (%n, %h) = (0, 0) to (8, 112) step (2, 8) shared_outs(%o = %x) -> (tensor<8x112x112xf32>) {
    %r = scf.for %kh = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> (vector<112xf32>) {
      %row = affine.apply affine_map<(d0)[s0] -> (d0 + s0)>(%kh)[%h]
      %v = vector.transfer_read %p[%n, %c0, %row, %c0], %cst {in_bounds = [true]} : tensor<8x64x115x115xf32>, vector<112xf32>
      %s = vector.fma %v, %v, %acc : vector<112xf32>
      scf.yield %s : vector<112xf32>
    }
    %e = tensor.empty() : tensor<1x1x112xf32>
    %t = vector.transfer_write %r, %e[%c0, %c0, %c0] {in_bounds = [true]} : vector<112xf32>, tensor<1x1x112xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%n, %h, 0] [1, 1, 112] [1, 1, 1] : tensor<1x1x112xf32> into tensor<8x112x112xf32>
    }
  }
  %b = scf.forall (%n, %h) = (0, 0) to (8, 112) step (2, 8) shared_outs(%o = %y) -> (tensor<8x112x112xf32>) {
    %r = scf.for %kh = %c0 to %c3 step %c1 iter_args(%acc = %zero) -> (vector<112xf32>) {
      %row = affine.apply affine_map<(d0)[s0] -> (d0 + s0)>(%kh)[%h]
      %n1 = affine.apply affine_map<(d0) -> (d0 + 1)>(%n)
      %v = vector.transfer_read %p[%n1, %c0, %row, %c1], %cst {in_bounds = [true]} : tensor<8x64x115x115xf32>, vector<112xf32>
      %s = vector.fma %v, %v, %acc : vector<112xf32>
      scf.yield %s : vector<112xf32>
    }
    %e = tensor.empty() : tensor<1x1x112xf32>
    %t = vector.transfer_write %r, %e[%c0, %c0, %c0] {in_bounds = [true]} : vector<112xf32>, tensor<1x1x112xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%n, %h, 0] [1, 1, 112] [1, 1, 1] : tensor<1x1x112xf32> into tensor<8x112x112xf32>
    }
  }
  return %a, %b : tensor<8x112x112xf32>, tensor<8x112x112xf32>
}

// -----

// A single loop (no siblings) reading one padded copy of an argument beyond
// the L2 (8 x 64 x 18 x 18 floats, 648 KiB against x86-64-v3's 512 KiB) pads
// its tasks' boxes too (cpu::padsSharedInputInTasks; fused siblings only
// beyond twice the L2): each task fills the rows of its box above and below
// the image and inserts its slice of the argument, and reads the box. A
// padded copy within the L2 stays whole.
// CHECK-LABEL: func.func @single_pad_in_tasks
// CHECK-SAME:    (%[[DY:[^:]*]]: tensor<8x64x16x16xf32>
// CHECK:         scf.forall (%[[N:.*]], %[[H:.*]]) = (0, 0) to (8, 16) step (1, 8)
// CHECK:           %[[SRC:.*]] = tensor.extract_slice %[[DY]][%[[N]], 0, %{{.*}}, 0] [1, 1, %[[ROWS:.*]], 16] [1, 1, 1, 1]
// CHECK:           tensor.empty() : tensor<1x1x3x16xf32>
// CHECK:           linalg.fill
// CHECK:           linalg.fill
// CHECK:           %[[BOX:.*]] = tensor.insert_slice %[[SRC]] into %{{.*}}[0, 0, %{{.*}}, 0] [1, 1, %[[ROWS]], 16]
// CHECK:           scf.for
// CHECK:             vector.transfer_read %[[BOX]]
// CHECK-LABEL: func.func @single_pad_within_l2
// CHECK:         tensor.pad
// CHECK:         scf.forall
// CHECK-NOT:       linalg.fill
// CHECK:         return
func.func @single_pad_in_tasks(%dy: tensor<8x64x16x16xf32>, %x: tensor<8x16x16xf32>) -> tensor<8x16x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %zero = arith.constant dense<0.000000e+00> : vector<16xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %p = tensor.pad %dy low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %cst : f32
  } : tensor<8x64x16x16xf32> to tensor<8x64x18x18xf32>
  %a = scf.forall (%n, %h) = (0, 0) to (8, 16) step (1, 8) shared_outs(%o = %x) -> (tensor<8x16x16xf32>) {
    %r = scf.for %kh = %c0 to %c3 step %c1 iter_args(%acc = %zero) -> (vector<16xf32>) {
      %row = affine.apply affine_map<(d0)[s0] -> (d0 + s0)>(%kh)[%h]
      %v = vector.transfer_read %p[%n, %c0, %row, %c1], %cst {in_bounds = [true]} : tensor<8x64x18x18xf32>, vector<16xf32>
      %s = arith.addf %acc, %v : vector<16xf32>
      scf.yield %s : vector<16xf32>
    }
    %e = tensor.empty() : tensor<1x1x16xf32>
    %t = vector.transfer_write %r, %e[%c0, %c0, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<1x1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%n, %h, 0] [1, 1, 16] [1, 1, 1] : tensor<1x1x16xf32> into tensor<8x16x16xf32>
    }
  }
  return %a : tensor<8x16x16xf32>
}
func.func @single_pad_within_l2(%dy: tensor<8x16x16x16xf32>, %x: tensor<8x16x16xf32>) -> tensor<8x16x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %zero = arith.constant dense<0.000000e+00> : vector<16xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %p = tensor.pad %dy low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %cst : f32
  } : tensor<8x16x16x16xf32> to tensor<8x16x18x18xf32>
  %a = scf.forall (%n, %h) = (0, 0) to (8, 16) step (1, 8) shared_outs(%o = %x) -> (tensor<8x16x16xf32>) {
    %r = scf.for %kh = %c0 to %c3 step %c1 iter_args(%acc = %zero) -> (vector<16xf32>) {
      %row = affine.apply affine_map<(d0)[s0] -> (d0 + s0)>(%kh)[%h]
      %v = vector.transfer_read %p[%n, %c0, %row, %c1], %cst {in_bounds = [true]} : tensor<8x16x18x18xf32>, vector<16xf32>
      %s = arith.addf %acc, %v : vector<16xf32>
      scf.yield %s : vector<16xf32>
    }
    %e = tensor.empty() : tensor<1x1x16xf32>
    %t = vector.transfer_write %r, %e[%c0, %c0, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<1x1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%n, %h, 0] [1, 1, 16] [1, 1, 1] : tensor<1x1x16xf32> into tensor<8x16x16xf32>
    }
  }
  return %a : tensor<8x16x16xf32>
}
