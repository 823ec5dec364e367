// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=x86-64-v4},convgrad-decompose,convgrad-convert-to-channels-last,convgrad-to-linalg,canonicalize,func.func(convgrad-tile-and-vectorize,convgrad-cpu-fuse-result-transposes),canonicalize)" | FileCheck %s
// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=x86-64-v4},convgrad-decompose,convgrad-convert-to-channels-last,convgrad-to-linalg,canonicalize,func.func(convgrad-tile-and-vectorize,convgrad-cpu-fuse-result-transposes,convgrad-cpu-pad-in-place),canonicalize,eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries},canonicalize)" | FileCheck %s --check-prefix=BUF

// A channels-first data gradient of 1 MiB (x86-64-v4: 1 MiB of L2, which
// the separate transpose, reading 1 MiB and writing 1 MiB, would exceed):
// each task of the convolution transposes its [1, 8, 32, 64] tile into its
// [1, 64, 8, 32] slice of the channels-first result, the only shared
// output; the tile starts from an empty tensor of its own, and no
// channels-last result of the whole tensor is left.
// CHECK-LABEL: func.func @fused_3x3
// CHECK-NOT:     -> (tensor<4x32x32x64xf32>)
// CHECK:         %[[DX:.*]] = tensor.empty() : tensor<4x64x32x32xf32>
// CHECK:         scf.forall (%[[N:.*]], %[[H:.*]]) = (0, 0) to (4, 32) step (1, 8) shared_outs(%[[OUT:.*]] = %[[DX]]) -> (tensor<4x64x32x32xf32>)
// CHECK:           %[[TILE:.*]] = tensor.empty() : tensor<1x8x32x64xf32>
// CHECK:           scf.for {{.*}} iter_args(%{{.*}} = %[[TILE]])
// CHECK:           %[[SLICE:.*]] = tensor.extract_slice %[[OUT]][%[[N]], 0, %[[H]], 0] [1, 64, 8, 32] [1, 1, 1, 1]
// CHECK:           %[[T:.*]] = linalg.transpose ins(%{{.*}} : tensor<1x8x32x64xf32>) outs(%[[SLICE]] : tensor<1x64x8x32xf32>) permutation = [0, 3, 1, 2]
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %[[T]] into %[[OUT]][%[[N]], 0, %[[H]], 0] [1, 64, 8, 32] [1, 1, 1, 1]
// CHECK-NOT:     tensor<4x32x32x64xf32>
// CHECK-NOT:     linalg.transpose
// CHECK:         return
// Bufferized (dy transposed into its padded buffer): one tile buffer per
// task; no whole channels-last buffer of the result.
// BUF-LABEL: func.func @fused_3x3
// BUF-NOT:     memref<4x32x32x64xf32>
// BUF:         %[[DX:.*]] = memref.alloc() {{.*}} : memref<4x64x32x32xf32>
// BUF:         scf.forall
// BUF:           %[[TILE:.*]] = memref.alloc() {{.*}} : memref<1x8x32x64xf32>
// BUF:           %[[SLICE:.*]] = memref.subview %[[DX]]
// BUF:           linalg.transpose ins(%[[TILE]] : memref<1x8x32x64xf32>) outs(%[[SLICE]] : {{.*}}) permutation = [0, 3, 1, 2]
// BUF-NOT:     memref<4x32x32x64xf32>
// BUF:         return %[[DX]]
func.func @fused_3x3(%dy: tensor<4x64x32x32xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<4x64x32x32xf32> {
  %0 = convgrad.conv_backward_data %dy, %w strides = [1, 1] padding = [1, 1, 1, 1] : (tensor<4x64x32x32xf32>, tensor<64x64x3x3xf32>) -> tensor<4x64x32x32xf32>
  return %0 : tensor<4x64x32x32xf32>
}

// -----

// 256 KiB: the separate transpose stays in the L2; it is left after the
// convolution's forall.
// CHECK-LABEL: func.func @small_not_fused
// CHECK:         %[[R:.*]] = scf.forall {{.*}} -> (tensor<1x32x32x64xf32>)
// CHECK:         linalg.transpose ins(%[[R]] : tensor<1x32x32x64xf32>) {{.*}} permutation = [0, 3, 1, 2]
func.func @small_not_fused(%dy: tensor<1x64x32x32xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<1x64x32x32xf32> {
  %0 = convgrad.conv_backward_data %dy, %w strides = [1, 1] padding = [1, 1, 1, 1] : (tensor<1x64x32x32xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x32x32xf32>
  return %0 : tensor<1x64x32x32xf32>
}

// -----

// 39 columns, split into 32 + 7 (two convolutions, each its own forall,
// assembled by inserts): the transpose distributes over the inserts, each
// part's tasks transpose their tile, and the channels-first parts are
// inserted at the permuted offsets (column 32).
// CHECK-LABEL: func.func @split_width
// CHECK:         %[[DX:.*]] = tensor.empty() : tensor<4x64x20x39xf32>
// CHECK:         %[[P0:.*]] = scf.forall {{.*}} -> (tensor<4x64x20x32xf32>)
// CHECK:           tensor.empty() : tensor<1x5x32x64xf32>
// CHECK:           linalg.transpose ins(%{{.*}} : tensor<1x5x32x64xf32>) outs(%{{.*}} : tensor<1x64x5x32xf32>) permutation = [0, 3, 1, 2]
// CHECK:         %[[I0:.*]] = tensor.insert_slice %[[P0]] into %[[DX]][0, 0, 0, 0] [4, 64, 20, 32] [1, 1, 1, 1]
// CHECK:         %[[P1:.*]] = scf.forall {{.*}} -> (tensor<4x64x20x7xf32>)
// CHECK:           tensor.empty() : tensor<1x5x7x64xf32>
// CHECK:           linalg.transpose ins(%{{.*}} : tensor<1x5x7x64xf32>) outs(%{{.*}} : tensor<1x64x5x7xf32>) permutation = [0, 3, 1, 2]
// CHECK:         %[[I1:.*]] = tensor.insert_slice %[[P1]] into %[[I0]][0, 0, 0, 32] [4, 64, 20, 7] [1, 1, 1, 1]
// CHECK-NOT:     linalg.transpose
// CHECK:         return %[[I1]]
func.func @split_width(%dy: tensor<4x64x20x39xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<4x64x20x39xf32> {
  %0 = convgrad.conv_backward_data %dy, %w strides = [1, 1] padding = [1, 1, 1, 1] : (tensor<4x64x20x39xf32>, tensor<64x64x3x3xf32>) -> tensor<4x64x20x39xf32>
  return %0 : tensor<4x64x20x39xf32>
}

// -----

// 67 channels split into 64 + 3, and the 64-channel part's 57 columns again
// (54 + 3; the 3-channel part runs its lanes along the reduction channels,
// all 57 columns in one forall): the transpose distributes over the channel
// parts, then over the column parts, and all three foralls transpose their
// tiles; the channels-first parts are assembled as the channels-last ones
// were, at the permuted offsets (channel 64, column 54).
// CHECK-LABEL: func.func @split_channels_and_width
// CHECK:         %[[DX:.*]] = tensor.empty() : tensor<4x67x20x57xf32>
// CHECK:         %[[C0:.*]] = tensor.empty() : tensor<4x64x20x57xf32>
// CHECK:         %[[P0:.*]] = scf.forall {{.*}} -> (tensor<4x64x20x54xf32>)
// CHECK:           linalg.transpose ins(%{{.*}} : tensor<1x5x54x64xf32>) outs(%{{.*}} : tensor<1x64x5x54xf32>) permutation = [0, 3, 1, 2]
// CHECK:         %[[I0:.*]] = tensor.insert_slice %[[P0]] into %[[C0]][0, 0, 0, 0] [4, 64, 20, 54]
// CHECK:         %[[P1:.*]] = scf.forall {{.*}} -> (tensor<4x64x20x3xf32>)
// CHECK:           linalg.transpose ins(%{{.*}} : tensor<1x5x3x64xf32>) outs(%{{.*}} : tensor<1x64x5x3xf32>) permutation = [0, 3, 1, 2]
// CHECK:         %[[I1:.*]] = tensor.insert_slice %[[P1]] into %[[I0]][0, 0, 0, 54] [4, 64, 20, 3]
// CHECK:         %[[J0:.*]] = tensor.insert_slice %[[I1]] into %[[DX]][0, 0, 0, 0] [4, 64, 20, 57]
// CHECK:         %[[C1:.*]] = tensor.empty() : tensor<4x3x20x57xf32>
// CHECK:         %[[P2:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[C1]]) -> (tensor<4x3x20x57xf32>)
// CHECK:           linalg.transpose ins(%{{.*}} : tensor<1x5x57x3xf32>) outs(%{{.*}} : tensor<1x3x5x57xf32>) permutation = [0, 3, 1, 2]
// CHECK:         %[[J1:.*]] = tensor.insert_slice %[[P2]] into %[[J0]][0, 64, 0, 0] [4, 3, 20, 57]
// CHECK-NOT:     linalg.transpose
// CHECK:         return %[[J1]]
func.func @split_channels_and_width(%dy: tensor<4x67x20x57xf32>, %w: tensor<67x67x3x3xf32>) -> tensor<4x67x20x57xf32> {
  %0 = convgrad.conv_backward_data %dy, %w strides = [1, 1] padding = [1, 1, 1, 1] : (tensor<4x67x20x57xf32>, tensor<67x67x3x3xf32>) -> tensor<4x67x20x57xf32>
  return %0 : tensor<4x67x20x57xf32>
}
