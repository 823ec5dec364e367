// RUN: convgrad-opt %s --convgrad-cpu-pad-in-place | FileCheck %s
// RUN: convgrad-opt %s --convgrad-cpu-pad-in-place --eliminate-empty-tensors \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries" --cse --canonicalize \
// RUN:   | FileCheck %s --check-prefix=BUF

// The pad of a layout transpose becomes fills of the border (top and bottom
// rows, then the left and right columns of the rows between), created
// before the transpose, and an insert of the transpose into the interior;
// bufferized, the transpose writes into the interior of the padded buffer,
// no copy remains, and no fill writes the interior (each side's runs are
// a pixel's 16 channels, a cache line: cpu::fillsPaddedBorderOnly). A column side is one
// slab per row: a loop over the rows (a single fill of the whole side would
// lower to constant-trip loops that LLVM unrolls into one huge block).
// CHECK-LABEL: func.func @transpose_then_pad
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C5:.*]] = arith.constant 5 : index
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<1x7x7x16xf32>
// CHECK:         %[[S0:.*]] = tensor.extract_slice %[[E]][0, 0, 0, 0] [1, 1, 7, 16] [1, 1, 1, 1]
// CHECK:         %[[F0:.*]] = linalg.fill {{.*}} outs(%[[S0]] : tensor<1x1x7x16xf32>)
// CHECK:         %[[I0:.*]] = tensor.insert_slice %[[F0]] into %[[E]][0, 0, 0, 0] [1, 1, 7, 16]
// CHECK:         %[[F1:.*]] = linalg.fill {{.*}} -> tensor<1x1x7x16xf32>
// CHECK:         %[[I1:.*]] = tensor.insert_slice %[[F1]] into %[[I0]][0, 6, 0, 0] [1, 1, 7, 16]
// CHECK:         %[[L2:.*]] = scf.for %[[R2:.*]] = %[[C0]] to %[[C5]] {{.*}} iter_args(%[[A2:.*]] = %[[I1]])
// CHECK:           %[[Y2:.*]] = arith.addi
// CHECK:           %[[F2:.*]] = linalg.fill {{.*}} -> tensor<1x1x1x16xf32>
// CHECK:           tensor.insert_slice %[[F2]] into %[[A2]][0, %[[Y2]], 0, 0] [1, 1, 1, 16]
// CHECK:         %[[L3:.*]] = scf.for %[[R3:.*]] = %[[C0]] to %[[C5]] {{.*}} iter_args(%[[A3:.*]] = %[[L2]])
// CHECK:           %[[Y3:.*]] = arith.addi
// CHECK:           %[[F3:.*]] = linalg.fill {{.*}} -> tensor<1x1x1x16xf32>
// CHECK:           tensor.insert_slice %[[F3]] into %[[A3]][0, %[[Y3]], 6, 0] [1, 1, 1, 16]
// CHECK-NOT:     linalg.fill
// CHECK:         %[[T:.*]] = linalg.transpose
// CHECK:         tensor.insert_slice %[[T]] into %[[L3]][0, 1, 1, 0] [1, 5, 5, 16] [1, 1, 1, 1]
// CHECK-NOT:     tensor.pad
// BUF-LABEL: func.func @transpose_then_pad
// BUF:         %[[A:.*]] = memref.alloc() {{.*}} : memref<1x7x7x16xf32>
// BUF-NOT:     linalg.fill {{.*}} outs(%[[A]]
// BUF-COUNT-2: linalg.fill {{.*}} outs(%{{.*}} : memref<1x1x7x16xf32, strided
// BUF:         scf.for
// BUF:           linalg.fill {{.*}} outs(%{{.*}} : memref<1x1x1x16xf32, strided
// BUF:         scf.for
// BUF:           linalg.fill {{.*}} outs(%{{.*}} : memref<1x1x1x16xf32, strided
// BUF:         %[[I:.*]] = memref.subview %[[A]][0, 1, 1, 0] [1, 5, 5, 16] [1, 1, 1, 1]
// BUF:         linalg.transpose {{.*}} outs(%[[I]]
// BUF-NOT:     memref.copy
// BUF:         return %[[A]]
func.func @transpose_then_pad(%x: tensor<1x16x5x5xf32>) -> tensor<1x7x7x16xf32> {
  %e = tensor.empty() : tensor<1x5x5x16xf32>
  %t = linalg.transpose ins(%x : tensor<1x16x5x5xf32>) outs(%e : tensor<1x5x5x16xf32>) permutation = [0, 2, 3, 1]
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %t low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x5x5x16xf32> to tensor<1x7x7x16xf32>
  return %p : tensor<1x7x7x16xf32>
}

// Sides of one element (a channels-first tensor padded along its width):
// the border would be a loop of single-element fills, so the whole padded
// tensor is filled, still before the transpose that writes its interior.
// CHECK-LABEL: func.func @narrow_sides_fill_whole
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<1x4x7x7xf32>
// CHECK:         %[[F:.*]] = linalg.fill {{.*}} outs(%[[E]] : tensor<1x4x7x7xf32>)
// CHECK-NOT:     scf.for
// CHECK:         %[[T:.*]] = linalg.transpose
// CHECK:         tensor.insert_slice %[[T]] into %[[F]][0, 0, 1, 1] [1, 4, 5, 5] [1, 1, 1, 1]
func.func @narrow_sides_fill_whole(%x: tensor<1x5x5x4xf32>) -> tensor<1x4x7x7xf32> {
  %e = tensor.empty() : tensor<1x4x5x5xf32>
  %t = linalg.transpose ins(%x : tensor<1x5x5x4xf32>) outs(%e : tensor<1x4x5x5xf32>) permutation = [0, 3, 1, 2]
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %t low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x5x5xf32> to tensor<1x4x7x7xf32>
  return %p : tensor<1x4x7x7xf32>
}

// A pad of a function argument has no producer to write in place, and its
// sides (4 channels, 16 bytes) are too narrow for a border fill: left alone
// (its bufferization is the same fill and copy).
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

// A pad of a function argument whose sides are whole cache lines (16
// channels): the argument is copied into a tensor whose border alone is
// filled, before the copy; bufferized, no fill covers the interior.
// CHECK-LABEL: func.func @argument_pad_wide_sides
// CHECK-SAME:    (%[[X:.*]]: tensor<1x5x5x16xf32>)
// CHECK-NOT:     tensor.pad
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<1x7x7x16xf32>
// CHECK:         tensor.extract_slice %[[E]][0, 0, 0, 0] [1, 1, 7, 16]
// CHECK:         scf.for
// CHECK:         %[[BORDER:.*]] = scf.for
// CHECK:         tensor.insert_slice %[[X]] into %[[BORDER]][0, 1, 1, 0] [1, 5, 5, 16] [1, 1, 1, 1]
// BUF-LABEL: func.func @argument_pad_wide_sides
// BUF-SAME:    (%[[X:.*]]: memref<1x5x5x16xf32
// BUF:         %[[ALLOC:.*]] = memref.alloc() {{.*}} : memref<1x7x7x16xf32>
// BUF-NOT:     linalg.fill {{.*}} outs(%[[ALLOC]] : memref<1x7x7x16xf32>)
// BUF:         %[[INTERIOR:.*]] = memref.subview %[[ALLOC]][0, 1, 1, 0] [1, 5, 5, 16]
// BUF:         memref.copy %[[X]], %[[INTERIOR]]
func.func @argument_pad_wide_sides(%x: tensor<1x5x5x16xf32>) -> tensor<1x7x7x16xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x5x5x16xf32> to tensor<1x7x7x16xf32>
  return %p : tensor<1x7x7x16xf32>
}

// conv_transpose's output_padding: two stride phases inserted into a zero
// fill, then padded by one row and column of zeros. The pad moves to the
// destination and merges with the fill; bufferized, the phases write into
// the final buffer and no 3x3 temporary is filled and copied.
// CHECK-LABEL: func.func @phases_then_pad
// CHECK-SAME:    (%[[A:.*]]: tensor<1x2x1x4xf32>, %[[B:.*]]: tensor<1x1x1x4xf32>)
// CHECK:         %[[F:.*]] = linalg.fill {{.*}} -> tensor<1x4x4x4xf32>
// CHECK:         %[[I0:.*]] = tensor.insert_slice %[[A]] into %[[F]][0, 0, 0, 0] [1, 2, 1, 4] [1, 2, 2, 1]
// CHECK:         %[[I1:.*]] = tensor.insert_slice %[[B]] into %[[I0]][0, 1, 1, 0] [1, 1, 1, 4] [1, 2, 2, 1]
// CHECK-NOT:     tensor.pad
// CHECK:         return %[[I1]]
// BUF-LABEL: func.func @phases_then_pad
// BUF:         %[[M:.*]] = memref.alloc() {{.*}} : memref<1x4x4x4xf32>
// BUF-NOT:     memref.alloc
// BUF-NOT:     memref.copy {{.*}} memref<1x3x3x4xf32
// BUF:         return %[[M]]
func.func @phases_then_pad(%a: tensor<1x2x1x4xf32>, %b: tensor<1x1x1x4xf32>) -> tensor<1x4x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3x3x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x3x4xf32>) -> tensor<1x3x3x4xf32>
  %i0 = tensor.insert_slice %a into %f[0, 0, 0, 0] [1, 2, 1, 4] [1, 2, 2, 1] : tensor<1x2x1x4xf32> into tensor<1x3x3x4xf32>
  %i1 = tensor.insert_slice %b into %i0[0, 1, 1, 0] [1, 1, 1, 4] [1, 2, 2, 1] : tensor<1x1x1x4xf32> into tensor<1x3x3x4xf32>
  %p = tensor.pad %i1 low[0, 0, 0, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x3x3x4xf32> to tensor<1x4x4x4xf32>
  return %p : tensor<1x4x4x4xf32>
}

// Padded by another value than the fill's: the pad stays where it is.
// CHECK-LABEL: func.func @pad_by_other_value
// CHECK:         %[[I:.*]] = tensor.insert_slice
// CHECK:         tensor.pad %[[I]]
func.func @pad_by_other_value(%a: tensor<1x2x2x4xf32>) -> tensor<1x4x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<1x3x3x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x3x4xf32>) -> tensor<1x3x3x4xf32>
  %i0 = tensor.insert_slice %a into %f[0, 0, 0, 0] [1, 2, 2, 4] [1, 2, 2, 1] : tensor<1x2x2x4xf32> into tensor<1x3x3x4xf32>
  %p = tensor.pad %i0 low[0, 1, 0, 0] high[0, 0, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %one : f32
  } : tensor<1x3x3x4xf32> to tensor<1x4x4x4xf32>
  return %p : tensor<1x4x4x4xf32>
}

// Padded at the start of one dimension only (a causal 1-D window): one fill,
// of the low rows.
// CHECK-LABEL: func.func @low_only_pad
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<1x6x16xf32>
// CHECK:         %[[F:.*]] = linalg.fill {{.*}} -> tensor<1x2x16xf32>
// CHECK:         %[[I:.*]] = tensor.insert_slice %[[F]] into %[[E]][0, 0, 0] [1, 2, 16]
// CHECK-NOT:     linalg.fill
// CHECK:         %[[T:.*]] = linalg.transpose
// CHECK:         tensor.insert_slice %[[T]] into %[[I]][0, 2, 0] [1, 4, 16] [1, 1, 1]
func.func @low_only_pad(%x: tensor<1x16x4xf32>) -> tensor<1x6x16xf32> {
  %e = tensor.empty() : tensor<1x4x16xf32>
  %t = linalg.transpose ins(%x : tensor<1x16x4xf32>) outs(%e : tensor<1x4x16xf32>) permutation = [0, 2, 1]
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %t low[0, 2, 0] high[0, 0, 0] {
  ^bb0(%i: index, %j: index, %k: index):
    tensor.yield %zero : f32
  } : tensor<1x4x16xf32> to tensor<1x6x16xf32>
  return %p : tensor<1x6x16xf32>
}
