// RUN: convgrad-opt %s --convgrad-cpu-pad-in-place | FileCheck %s
// RUN: convgrad-opt %s --convgrad-cpu-pad-in-place --eliminate-empty-tensors \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries" --cse --canonicalize \
// RUN:   | FileCheck %s --check-prefix=BUF

// The pad of a layout transpose becomes a fill created before the transpose
// and an insert of the transpose into it; bufferized, the transpose writes
// into the interior of the padded buffer and no copy remains.
// CHECK-LABEL: func.func @transpose_then_pad
// CHECK:         %[[F:.*]] = linalg.fill {{.*}} -> tensor<1x7x7x4xf32>
// CHECK:         %[[T:.*]] = linalg.transpose
// CHECK:         tensor.insert_slice %[[T]] into %[[F]][0, 1, 1, 0] [1, 5, 5, 4] [1, 1, 1, 1]
// CHECK-NOT:     tensor.pad
// BUF-LABEL: func.func @transpose_then_pad
// BUF:         %[[A:.*]] = memref.alloc() {{.*}} : memref<1x7x7x4xf32>
// BUF:         linalg.fill {{.*}} outs(%[[A]]
// BUF:         %[[I:.*]] = memref.subview %[[A]][0, 1, 1, 0] [1, 5, 5, 4] [1, 1, 1, 1]
// BUF:         linalg.transpose {{.*}} outs(%[[I]]
// BUF-NOT:     memref.copy
// BUF:         return %[[A]]
func.func @transpose_then_pad(%x: tensor<1x4x5x5xf32>) -> tensor<1x7x7x4xf32> {
  %e = tensor.empty() : tensor<1x5x5x4xf32>
  %t = linalg.transpose ins(%x : tensor<1x4x5x5xf32>) outs(%e : tensor<1x5x5x4xf32>) permutation = [0, 2, 3, 1]
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %t low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x5x5x4xf32> to tensor<1x7x7x4xf32>
  return %p : tensor<1x7x7x4xf32>
}

// A pad of a function argument has no producer to write in place: left
// alone (its bufferization is the same fill and copy).
// CHECK-LABEL: func.func @argument_pad
// CHECK:         tensor.pad
func.func @argument_pad(%x: tensor<1x5x5x4xf32>) -> tensor<1x7x7x4xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x5x5x4xf32> to tensor<1x7x7x4xf32>
  return %p : tensor<1x7x7x4xf32>
}
