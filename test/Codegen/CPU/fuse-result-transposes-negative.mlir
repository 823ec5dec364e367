// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=x86-64-v4},func.func(convgrad-cpu-fuse-result-transposes))" | FileCheck %s
// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=x86-64-v3},func.func(convgrad-cpu-fuse-result-transposes))" | FileCheck %s --check-prefix=AVX2

// Forall results the pass must leave alone (4 MiB, large enough to fuse).

// The channels-last result is also returned: the transpose stays outside.
// CHECK-LABEL: func.func @result_used_twice
// CHECK:         %[[R:.*]] = scf.forall {{.*}} -> (tensor<4x32x32x256xf32>)
// CHECK-NOT:       linalg.transpose
// CHECK:         } {mapping = [#gpu.thread<x>]}
// CHECK:         linalg.transpose ins(%[[R]]
func.func @result_used_twice(%x: tensor<4x32x32x256xf32>) -> (tensor<4x32x32x256xf32>, tensor<4x256x32x32xf32>) {
  %e = tensor.empty() : tensor<4x32x32x256xf32>
  %r = scf.forall (%n) in (4) shared_outs(%o = %e) -> (tensor<4x32x32x256xf32>) {
    %xs = tensor.extract_slice %x[%n, 0, 0, 0] [1, 32, 32, 256] [1, 1, 1, 1] : tensor<4x32x32x256xf32> to tensor<1x32x32x256xf32>
    %os = tensor.extract_slice %o[%n, 0, 0, 0] [1, 32, 32, 256] [1, 1, 1, 1] : tensor<4x32x32x256xf32> to tensor<1x32x32x256xf32>
    %c = linalg.copy ins(%xs : tensor<1x32x32x256xf32>) outs(%os : tensor<1x32x32x256xf32>) -> tensor<1x32x32x256xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %c into %o[%n, 0, 0, 0] [1, 32, 32, 256] [1, 1, 1, 1] : tensor<1x32x32x256xf32> into tensor<4x32x32x256xf32>
    }
  } {mapping = [#gpu.thread<x>]}
  %e2 = tensor.empty() : tensor<4x256x32x32xf32>
  %t = linalg.transpose ins(%r : tensor<4x32x32x256xf32>) outs(%e2 : tensor<4x256x32x32xf32>) permutation = [0, 3, 1, 2]
  return %r, %t : tensor<4x32x32x256xf32>, tensor<4x256x32x32xf32>
}

// -----

// A task's tile of 4 MiB (one image) would not stay in the L2 (1 MiB) until
// it is transposed.
// CHECK-LABEL: func.func @tile_too_large
// CHECK:         %[[R:.*]] = scf.forall
// CHECK:         linalg.transpose ins(%[[R]]
// AVX2-LABEL: func.func @tile_too_large
// AVX2:         %[[R:.*]] = scf.forall
// AVX2:         linalg.transpose ins(%[[R]]
func.func @tile_too_large(%x: tensor<4x32x32x256xf32>) -> tensor<4x256x32x32xf32> {
  %e = tensor.empty() : tensor<4x32x32x256xf32>
  %r = scf.forall (%n) in (4) shared_outs(%o = %e) -> (tensor<4x32x32x256xf32>) {
    %xs = tensor.extract_slice %x[%n, 0, 0, 0] [1, 32, 32, 256] [1, 1, 1, 1] : tensor<4x32x32x256xf32> to tensor<1x32x32x256xf32>
    %os = tensor.extract_slice %o[%n, 0, 0, 0] [1, 32, 32, 256] [1, 1, 1, 1] : tensor<4x32x32x256xf32> to tensor<1x32x32x256xf32>
    %c = linalg.copy ins(%xs : tensor<1x32x32x256xf32>) outs(%os : tensor<1x32x32x256xf32>) -> tensor<1x32x32x256xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %c into %o[%n, 0, 0, 0] [1, 32, 32, 256] [1, 1, 1, 1] : tensor<1x32x32x256xf32> into tensor<4x32x32x256xf32>
    }
  }
  %e2 = tensor.empty() : tensor<4x256x32x32xf32>
  %t = linalg.transpose ins(%r : tensor<4x32x32x256xf32>) outs(%e2 : tensor<4x256x32x32xf32>) permutation = [0, 3, 1, 2]
  return %t : tensor<4x256x32x32xf32>
}

// -----

// Tiles of 8 rows (256 KiB), fused also on AVX2. The shared output is the
// caller's tensor, not an empty one: the tiles keep reading their slices of
// it (its contents are the tiles' initial values), so it stays a shared
// output next to the channels-first result.
// CHECK-LABEL: func.func @fused_shared_output_kept
// CHECK-SAME:    %[[X:.*]]: tensor<4x32x32x256xf32>, %[[INIT:.*]]: tensor<4x32x32x256xf32>
// CHECK:         %[[R:.*]]:2 = scf.forall (%[[N:.*]], %[[H:.*]]) in (4, 4) shared_outs(%[[O:.*]] = %[[INIT]], %[[D:.*]] = %{{.*}}) -> (tensor<4x32x32x256xf32>, tensor<4x256x32x32xf32>)
// CHECK:           tensor.extract_slice %[[O]]
// CHECK:           linalg.copy
// CHECK:           linalg.transpose
// CHECK:         return %[[R]]#1
// AVX2-LABEL: func.func @fused_shared_output_kept
// AVX2:         scf.forall {{.*}} -> (tensor<4x32x32x256xf32>, tensor<4x256x32x32xf32>)
func.func @fused_shared_output_kept(%x: tensor<4x32x32x256xf32>, %init: tensor<4x32x32x256xf32>) -> tensor<4x256x32x32xf32> {
  %r = scf.forall (%n, %hb) in (4, 4) shared_outs(%o = %init) -> (tensor<4x32x32x256xf32>) {
    %h = affine.apply affine_map<(d0) -> (d0 * 8)>(%hb)
    %xs = tensor.extract_slice %x[%n, %h, 0, 0] [1, 8, 32, 256] [1, 1, 1, 1] : tensor<4x32x32x256xf32> to tensor<1x8x32x256xf32>
    %os = tensor.extract_slice %o[%n, %h, 0, 0] [1, 8, 32, 256] [1, 1, 1, 1] : tensor<4x32x32x256xf32> to tensor<1x8x32x256xf32>
    %c = linalg.copy ins(%xs : tensor<1x8x32x256xf32>) outs(%os : tensor<1x8x32x256xf32>) -> tensor<1x8x32x256xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %c into %o[%n, %h, 0, 0] [1, 8, 32, 256] [1, 1, 1, 1] : tensor<1x8x32x256xf32> into tensor<4x32x32x256xf32>
    }
  }
  %e2 = tensor.empty() : tensor<4x256x32x32xf32>
  %t = linalg.transpose ins(%r : tensor<4x32x32x256xf32>) outs(%e2 : tensor<4x256x32x32xf32>) permutation = [0, 3, 1, 2]
  return %t : tensor<4x256x32x32xf32>
}
