// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=znver3},convgrad-decompose{dgrad-strategy=phase},convgrad-convert-to-channels-last,convgrad-to-linalg,canonicalize,func.func(convgrad-tile-and-vectorize,convgrad-cpu-fuse-result-transposes,convgrad-cpu-fuse-fill-into-tasks,convgrad-cpu-fuse-sibling-tasks,convgrad-cpu-fuse-result-transposes),canonicalize)" | FileCheck %s
// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=znver3},convgrad-decompose{dgrad-strategy=phase},convgrad-convert-to-channels-last,convgrad-to-linalg,canonicalize,func.func(convgrad-tile-and-vectorize,convgrad-cpu-fuse-result-transposes,convgrad-cpu-fuse-fill-into-tasks,convgrad-cpu-fuse-sibling-tasks,convgrad-cpu-fuse-result-transposes,convgrad-cpu-pad-in-place),canonicalize,eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries},canonicalize)" | FileCheck %s --check-prefix=BUF

// A channels-first stride-2 data gradient (1.6 MB result, znver3: 512 KiB
// of L2): its four stride phases are one loop after
// convgrad-cpu-fuse-sibling-tasks, whose tasks write every other row and
// column (a [1, 7, 28, 64] tile per phase) of a [1, 14, 56, 64] box of
// the channels-last result. The second run of the pass collects them into
// a box of the task's own (strided inserts into a tensor.empty, in the
// order the phases are computed) and moves the transpose into the task: one
// [1, 14, 56, 64] -> [1, 64, 14, 56] transpose with contiguous rows on both
// sides, inserted whole into the channels-first result, the only shared
// output; no channels-last result of the whole tensor is left.
// CHECK-LABEL: func.func @phases_3x3_s2
// CHECK-NOT:     tensor<2x56x56x64xf32>
// CHECK:         %[[DX:.*]] = tensor.empty() : tensor<2x64x56x56xf32>
// CHECK:         scf.forall (%[[N:.*]], %[[H:.*]]) = (0, 0) to (2, 28) step (1, 7) shared_outs(%[[OUT:.*]] = %[[DX]]) -> (tensor<2x64x56x56xf32>)
// CHECK:           %[[BOX:.*]] = tensor.empty() : tensor<1x14x56x64xf32>
// CHECK:           %[[B0:.*]] = tensor.insert_slice %{{.*}} into %[[BOX]][0, 0, 0, 0] [1, 7, 28, 64] [1, 2, 2, 1]
// CHECK:           %[[B1:.*]] = tensor.insert_slice %{{.*}} into %[[B0]][0, 1, 0, 0] [1, 7, 28, 64] [1, 2, 2, 1]
// CHECK:           %[[B2:.*]] = tensor.insert_slice %{{.*}} into %[[B1]][0, 0, 1, 0] [1, 7, 28, 64] [1, 2, 2, 1]
// CHECK:           %[[B3:.*]] = tensor.insert_slice %{{.*}} into %[[B2]][0, 1, 1, 0] [1, 7, 28, 64] [1, 2, 2, 1]
// CHECK:           %[[ROW:.*]] = affine.apply #{{.*}}()[%[[H]]]
// CHECK:           %[[SLICE:.*]] = tensor.extract_slice %[[OUT]][%[[N]], 0, %[[ROW]], 0] [1, 64, 14, 56] [1, 1, 1, 1]
// CHECK:           %[[T:.*]] = linalg.transpose ins(%[[B3]] : tensor<1x14x56x64xf32>) outs(%[[SLICE]] : tensor<1x64x14x56xf32>) permutation = [0, 3, 1, 2]
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %[[T]] into %[[OUT]][%[[N]], 0, %[[ROW]], 0] [1, 64, 14, 56] [1, 1, 1, 1]
// CHECK-NOT:     tensor<2x56x56x64xf32>
// CHECK:         return
// Bufferized: one box buffer per task, the phases computed in place into
// its strided views; no whole channels-last buffer of the result.
// BUF-LABEL: func.func @phases_3x3_s2
// BUF-NOT:     memref<2x56x56x64xf32>
// BUF:         %[[DX:.*]] = memref.alloc() {{.*}} : memref<2x64x56x56xf32>
// BUF:         scf.forall
// BUF:           %[[BOX:.*]] = memref.alloc() {{.*}} : memref<1x14x56x64xf32>
// BUF-NOT:       memref.alloc
// BUF:           memref.subview %[[BOX]][0, 0, 0, 0] [1, 7, 28, 64] [1, 2, 2, 1]
// BUF-NOT:       memref.alloc
// BUF:           %[[SLICE:.*]] = memref.subview %[[DX]]
// BUF:           linalg.transpose ins(%[[BOX]] : memref<1x14x56x64xf32>) outs(%[[SLICE]] : {{.*}}) permutation = [0, 3, 1, 2]
// BUF-NOT:     memref<2x56x56x64xf32>
// BUF:         return %[[DX]]
func.func @phases_3x3_s2(%dy: tensor<2x128x28x28xf32>, %w: tensor<128x64x3x3xf32>) -> tensor<2x64x56x56xf32> {
  %0 = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] : (tensor<2x128x28x28xf32>, tensor<128x64x3x3xf32>) -> tensor<2x64x56x56xf32>
  return %0 : tensor<2x64x56x56xf32>
}

// -----

// The same gradient channels-last: no transpose reads the phases' loop, whose
// tasks keep writing their strided tiles into the whole result.
// CHECK-LABEL: func.func @phases_channels_last
// CHECK:         scf.forall {{.*}} -> (tensor<2x56x56x64xf32>)
// CHECK-NOT:       tensor<1x14x56x64xf32>
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.*}} [1, 7, 28, 64] [1, 2, 2, 1]
// CHECK-NOT:     linalg.transpose
// CHECK:         return
func.func @phases_channels_last(%dy: tensor<2x28x28x128xf32>, %w: tensor<128x3x3x64xf32>) -> tensor<2x56x56x64xf32> {
  %0 = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] layout = channels_last : (tensor<2x28x28x128xf32>, tensor<128x3x3x64xf32>) -> tensor<2x56x56x64xf32>
  return %0 : tensor<2x56x56x64xf32>
}
