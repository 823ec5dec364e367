// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=x86-64-v3},func.func(convgrad-cpu-fuse-fill-into-tasks))" | FileCheck %s
// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=x86-64-v3},func.func(convgrad-cpu-fuse-fill-into-tasks),canonicalize,cse,eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries},cse,canonicalize)" | FileCheck %s --check-prefix=BUF

// A 1x1 stride-2 data gradient computed channels-first (8 x 64 x 32 x 32,
// 2 MiB, more than the L2): the forall's per-image tiles [1, 64, 256],
// expanded to 16 x 16, go with strides 2 into a fill of zeros. Each task
// fills its image of dx and inserts its tile there, 4 channels (16 KiB,
// half of x86-64-v3's L1) at a time so that the strided insert writes into
// lines the fill has just written; the tile starts from an empty tensor of
// its own.
// CHECK-LABEL: func.func @expanded_tiles
// CHECK:         %[[ZERO:.*]] = arith.constant 0.0
// CHECK:         %[[DX:.*]] = tensor.empty() : tensor<8x64x32x32xf32>
// CHECK-NOT:     linalg.fill
// CHECK:         %[[R:.*]] = scf.forall (%[[N:.*]]) in (8) shared_outs(%[[O:.*]] = %[[DX]]) -> (tensor<8x64x32x32xf32>)
// CHECK:           %[[TILE0:.*]] = tensor.empty() : tensor<1x64x256xf32>
// CHECK:           %[[TILE:.*]] = linalg.copy ins(%{{.*}}) outs(%[[TILE0]]
// CHECK:           %[[REGION:.*]] = tensor.extract_slice %[[O]][%[[N]], 0, 0, 0] [1, 64, 32, 32] [1, 1, 1, 1]
// CHECK:           %[[EXP:.*]] = tensor.expand_shape %[[TILE]] {{\[}}[0], [1], [2, 3]] output_shape [1, 64, 16, 16]
// CHECK:           %[[C4:.*]] = arith.constant 4 : index
// CHECK:           %[[W:.*]] = scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %[[C4]] iter_args(%[[ACC:.*]] = %[[REGION]])
// CHECK:             %[[CHUNK:.*]] = tensor.extract_slice %[[ACC]][0, %[[C]], 0, 0] [1, 4, 32, 32] [1, 1, 1, 1]
// CHECK:             %[[FILLED:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[CHUNK]] : tensor<1x4x32x32xf32>)
// CHECK:             %[[PART:.*]] = tensor.extract_slice %[[EXP]][0, %[[C]], 0, 0] [1, 4, 16, 16] [1, 1, 1, 1]
// CHECK:             %[[INS:.*]] = tensor.insert_slice %[[PART]] into %[[FILLED]][0, 0, 0, 0] [1, 4, 16, 16] [1, 1, 2, 2]
// CHECK:             %[[NEXT:.*]] = tensor.insert_slice %[[INS]] into %[[ACC]][0, %[[C]], 0, 0] [1, 4, 32, 32] [1, 1, 1, 1]
// CHECK:             scf.yield %[[NEXT]]
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %[[W]] into %[[O]][%[[N]], 0, 0, 0] [1, 64, 32, 32] [1, 1, 1, 1]
// CHECK:         return %[[R]]
// The fill is a task's, chunk by chunk of its image of dx, in place.
// BUF-LABEL: func.func @expanded_tiles
// BUF:         %[[DX:.*]] = memref.alloc() {{.*}} : memref<8x64x32x32xf32>
// BUF-NOT:     linalg.fill
// BUF:         scf.forall
// BUF:           scf.for
// BUF-NOT:         memref.alloc
// BUF:             linalg.fill {{.*}} outs(%{{.*}} : memref<1x4x32x32xf32, strided
// BUF:             memref.copy {{.*}} to memref<1x4x16x16xf32, strided<[65536, 1024, 64, 2], offset: ?>>
func.func @expanded_tiles(%dy: tensor<8x64x256xf32>) -> tensor<8x64x32x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64x32x32xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64x32x32xf32>) -> tensor<8x64x32x32xf32>
  %empty = tensor.empty() : tensor<8x64x256xf32>
  %r = scf.forall (%n) in (8) shared_outs(%o = %empty) -> (tensor<8x64x256xf32>) {
    %in = tensor.extract_slice %dy[%n, 0, 0] [1, 64, 256] [1, 1, 1] : tensor<8x64x256xf32> to tensor<1x64x256xf32>
    %s = tensor.extract_slice %o[%n, 0, 0] [1, 64, 256] [1, 1, 1] : tensor<8x64x256xf32> to tensor<1x64x256xf32>
    %t = linalg.copy ins(%in : tensor<1x64x256xf32>) outs(%s : tensor<1x64x256xf32>) -> tensor<1x64x256xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%n, 0, 0] [1, 64, 256] [1, 1, 1] : tensor<1x64x256xf32> into tensor<8x64x256xf32>
    }
  }
  %x = tensor.expand_shape %r [[0], [1], [2, 3]] output_shape [8, 64, 16, 16] : tensor<8x64x256xf32> into tensor<8x64x16x16xf32>
  %dx = tensor.insert_slice %x into %fill[0, 0, 0, 0] [8, 64, 16, 16] [1, 1, 2, 2] : tensor<8x64x16x16xf32> into tensor<8x64x32x32xf32>
  return %dx : tensor<8x64x32x32xf32>
}

// -----

// The channels-last form: the forall's tasks (an image, 4 of its 16 rows
// of products) write into the strided slice of the fill. Each task fills
// its 8 rows of dx (stride x tile along the tiled height) and computes its
// tile in the same strided slice of them, in place.
// CHECK-LABEL: func.func @strided_shared_output
// CHECK:         %[[ZERO:.*]] = arith.constant 0.0
// CHECK:         %[[DX:.*]] = tensor.empty() : tensor<8x32x32x64xf32>
// CHECK-NOT:     linalg.fill
// CHECK:         %[[R:.*]] = scf.forall (%[[N:.*]], %[[H:.*]]) = (0, 0) to (8, 16) step (1, 4) shared_outs(%[[O:.*]] = %[[DX]]) -> (tensor<8x32x32x64xf32>)
// CHECK:           %[[H2:.*]] = arith.muli %[[H]], %{{.*}} : index
// CHECK:           %[[REGION:.*]] = tensor.extract_slice %[[O]][%[[N]], %[[H2]], 0, 0] [1, 8, 32, 64] [1, 1, 1, 1]
// CHECK:           %[[FILLED:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[REGION]] : tensor<1x8x32x64xf32>)
// CHECK:           %[[S:.*]] = tensor.extract_slice %[[FILLED]][0, 0, 0, 0] [1, 4, 16, 64] [1, 2, 2, 1]
// CHECK:           %[[T:.*]] = linalg.copy ins(%{{.*}}) outs(%[[S]]
// CHECK:           %[[W:.*]] = tensor.insert_slice %[[T]] into %[[FILLED]][0, 0, 0, 0] [1, 4, 16, 64] [1, 2, 2, 1]
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %[[W]] into %[[O]][%[[N]], %[[H2]], 0, 0] [1, 8, 32, 64] [1, 1, 1, 1]
// CHECK:         return %[[R]]
// BUF-LABEL: func.func @strided_shared_output
// BUF:         scf.forall
// BUF-NOT:       memref.alloc
// BUF:           linalg.fill
// BUF-NOT:       memref.alloc
// BUF:           linalg.copy
// BUF-NOT:       memref.copy
// BUF:         return
func.func @strided_shared_output(%dy: tensor<8x16x16x64xf32>) -> tensor<8x32x32x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x32x32x64xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<8x32x32x64xf32>) -> tensor<8x32x32x64xf32>
  %v = tensor.extract_slice %fill[0, 0, 0, 0] [8, 16, 16, 64] [1, 2, 2, 1] : tensor<8x32x32x64xf32> to tensor<8x16x16x64xf32>
  %r = scf.forall (%n, %h) = (0, 0) to (8, 16) step (1, 4) shared_outs(%o = %v) -> (tensor<8x16x16x64xf32>) {
    %in = tensor.extract_slice %dy[%n, %h, 0, 0] [1, 4, 16, 64] [1, 1, 1, 1] : tensor<8x16x16x64xf32> to tensor<1x4x16x64xf32>
    %s = tensor.extract_slice %o[%n, %h, 0, 0] [1, 4, 16, 64] [1, 1, 1, 1] : tensor<8x16x16x64xf32> to tensor<1x4x16x64xf32>
    %t = linalg.copy ins(%in : tensor<1x4x16x64xf32>) outs(%s : tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %o[%n, %h, 0, 0] [1, 4, 16, 64] [1, 1, 1, 1] : tensor<1x4x16x64xf32> into tensor<8x16x16x64xf32>
    }
  }
  %dx = tensor.insert_slice %r into %fill[0, 0, 0, 0] [8, 16, 16, 64] [1, 2, 2, 1] : tensor<8x16x16x64xf32> into tensor<8x32x32x64xf32>
  return %dx : tensor<8x32x32x64xf32>
}

// -----

// A 256 KiB result stays in the L2: the separate fill stays.
// CHECK-LABEL: func.func @small_result
// CHECK:         linalg.fill {{.*}} -> tensor<2x32x32x32xf32>
// CHECK:         scf.forall (%{{.*}}) in (2) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<2x32x256xf32>)
// CHECK:         tensor.insert_slice {{.*}} [1, 1, 2, 2]
func.func @small_result(%dy: tensor<2x32x256xf32>) -> tensor<2x32x32x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x32x32x32xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<2x32x32x32xf32>) -> tensor<2x32x32x32xf32>
  %empty = tensor.empty() : tensor<2x32x256xf32>
  %r = scf.forall (%n) in (2) shared_outs(%o = %empty) -> (tensor<2x32x256xf32>) {
    %in = tensor.extract_slice %dy[%n, 0, 0] [1, 32, 256] [1, 1, 1] : tensor<2x32x256xf32> to tensor<1x32x256xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %in into %o[%n, 0, 0] [1, 32, 256] [1, 1, 1] : tensor<1x32x256xf32> into tensor<2x32x256xf32>
    }
  }
  %x = tensor.expand_shape %r [[0], [1], [2, 3]] output_shape [2, 32, 16, 16] : tensor<2x32x256xf32> into tensor<2x32x16x16xf32>
  %dx = tensor.insert_slice %x into %fill[0, 0, 0, 0] [2, 32, 16, 16] [1, 1, 2, 2] : tensor<2x32x16x16xf32> into tensor<2x32x32x32xf32>
  return %dx : tensor<2x32x32x32xf32>
}

// -----

// The tasks tile the height, inserted from row 1 on: their regions (two
// rows per product row) would leave row 0 unfilled. Unchanged.
// CHECK-LABEL: func.func @tiled_dim_at_offset
// CHECK:         linalg.fill {{.*}} -> tensor<8x33x32x64xf32>
// CHECK:         scf.forall
// CHECK:         tensor.insert_slice {{.*}} into %{{.*}}[0, 1, 0, 0] [8, 16, 16, 64] [1, 2, 2, 1]
func.func @tiled_dim_at_offset(%dy: tensor<8x16x16x64xf32>) -> tensor<8x33x32x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x33x32x64xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<8x33x32x64xf32>) -> tensor<8x33x32x64xf32>
  %empty = tensor.empty() : tensor<8x16x16x64xf32>
  %r = scf.forall (%n, %h) = (0, 0) to (8, 16) step (1, 4) shared_outs(%o = %empty) -> (tensor<8x16x16x64xf32>) {
    %in = tensor.extract_slice %dy[%n, %h, 0, 0] [1, 4, 16, 64] [1, 1, 1, 1] : tensor<8x16x16x64xf32> to tensor<1x4x16x64xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %in into %o[%n, %h, 0, 0] [1, 4, 16, 64] [1, 1, 1, 1] : tensor<1x4x16x64xf32> into tensor<8x16x16x64xf32>
    }
  }
  %dx = tensor.insert_slice %r into %fill[0, 1, 0, 0] [8, 16, 16, 64] [1, 2, 2, 1] : tensor<8x16x16x64xf32> into tensor<8x33x32x64xf32>
  return %dx : tensor<8x33x32x64xf32>
}
