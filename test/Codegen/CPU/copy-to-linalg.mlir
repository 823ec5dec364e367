// RUN: convgrad-opt %s --convgrad-copy-to-linalg | FileCheck %s

// Bufferization writes a pad or an insertion as memref.copy into a strided
// view; as linalg.copy it becomes loops that the CPU pipeline vectorizes,
// not a call into MLIR's runner library.
// CHECK-LABEL: func.func @copy
// CHECK-NOT:     memref.copy
// CHECK:         linalg.copy ins(%{{.*}} : memref<4x8xf32>) outs(%{{.*}} : memref<4x8xf32, strided<[16, 1], offset: 2>>)
func.func @copy(%a: memref<4x8xf32>, %b: memref<4x8xf32, strided<[16, 1], offset: 2>>) {
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32, strided<[16, 1], offset: 2>>
  return
}
