// Staged filter gradients whose two tasks split the work items, with the
// temporaries in the workspace: no call allocates. Every task stages into its
// slice of buffers made once before the parallel region; a work-item loop
// with a dynamic trip count made one-shot bufferization give each task a
// fresh buffer instead (a malloc in the OpenMP region of every call, and for
// channels-last dy without the padding of its positions).
// RUN: convgrad-opt %s --split-input-file --convgrad-cpu-pipeline="num-threads=2 target-cpu=x86-64-v4 temporaries=workspace" | FileCheck %s

// Channels-first: each work item transposes its rows of x and dy.
// CHECK-LABEL: llvm.func @staged_cf(
// CHECK-NOT:     llvm.call @malloc
// CHECK:         omp.parallel
// CHECK-NOT:     llvm.call @malloc
// CHECK:         llvm.return
func.func @staged_cf(%x: memref<2x64x32x32xf32>, %dy: memref<2x64x32x32xf32>, %dw: memref<64x64x3x3xf32>) attributes {llvm.emit_c_interface} {
  %t = bufferization.to_tensor %x restrict : memref<2x64x32x32xf32> to tensor<2x64x32x32xf32>
  %g = bufferization.to_tensor %dy restrict : memref<2x64x32x32xf32> to tensor<2x64x32x32xf32>
  %r = convgrad.conv_backward_filter %t, %g padding = [1, 1, 1, 1] : (tensor<2x64x32x32xf32>, tensor<2x64x32x32xf32>) -> tensor<64x64x3x3xf32>
  bufferization.materialize_in_destination %r in restrict writable %dw : (tensor<64x64x3x3xf32>, memref<64x64x3x3xf32>) -> ()
  return
}

// -----

// Channels-last, 512 f32 filters (2 KiB between dy's positions): each work
// item copies its rows of dy into a buffer with padded positions.
// CHECK-LABEL: llvm.func @staged_cl(
// CHECK-NOT:     llvm.call @malloc
// CHECK:         omp.parallel
// CHECK-NOT:     llvm.call @malloc
// CHECK:         llvm.return
func.func @staged_cl(%x: memref<2x56x56x256xf32>, %dy: memref<2x28x28x512xf32>, %dw: memref<512x1x1x256xf32>) attributes {llvm.emit_c_interface} {
  %t = bufferization.to_tensor %x restrict : memref<2x56x56x256xf32> to tensor<2x56x56x256xf32>
  %g = bufferization.to_tensor %dy restrict : memref<2x28x28x512xf32> to tensor<2x28x28x512xf32>
  %r = convgrad.conv_backward_filter %t, %g strides = [2, 2] layout = channels_last : (tensor<2x56x56x256xf32>, tensor<2x28x28x512xf32>) -> tensor<512x1x1x256xf32>
  bufferization.materialize_in_destination %r in restrict writable %dw : (tensor<512x1x1x256xf32>, memref<512x1x1x256xf32>) -> ()
  return
}
