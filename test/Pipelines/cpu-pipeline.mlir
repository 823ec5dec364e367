// --convgrad-cpu-pipeline takes convgrad to the LLVM dialect only; the
// default (codegen=vector) uses 512-bit FMAs (16 x f32: the 16 channels), num-threads=2 parallel OpenMP
// regions (each stride phase has 16 output rows = two tasks of 8),
// codegen=loops scalar code. None needs a runtime library call other
// than malloc/free (and OpenMP's, when threaded).

// RUN: convgrad-opt %s --convgrad-cpu-pipeline | FileCheck %s --check-prefixes=CHECK,VEC
// RUN: convgrad-opt %s --convgrad-cpu-pipeline="num-threads=2" | FileCheck %s --check-prefixes=CHECK,OMP
// RUN: convgrad-opt %s --convgrad-cpu-pipeline="codegen=loops" | FileCheck %s --check-prefixes=CHECK,LOOPS
// The pipeline passes its tiling options on to the passes that use them.
// RUN: convgrad-opt %s --convgrad-cpu-pipeline="max-accumulators=8 filter-cache-bytes=4096 vector-bits=256 gemm-lane-tile=32" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=OPTS
// OPTS: convgrad-tile-and-vectorize{{{.*}}filter-cache-bytes=4096 max-accumulators=8{{.*}}vector-bits=256
// OPTS: convgrad-tile-and-vectorize-contractions{{{.*}}lane-tile=32

// CHECK-NOT: convgrad.
// CHECK-NOT: linalg.
// CHECK-NOT: tensor.
// CHECK-NOT: memrefCopy
// CHECK-LABEL: llvm.func @dgrad(
// VEC:         llvm.intr.fmuladd({{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// OMP:         omp.parallel
// OMP:         omp.wsloop
// LOOPS-NOT:   vector<
// CHECK-LABEL: llvm.func @_mlir_ciface_dgrad(
func.func @dgrad(%dy: memref<1x32x16x16xf32>, %w: memref<32x16x3x3xf32>, %dx: memref<1x16x32x32xf32>) attributes {llvm.emit_c_interface} {
  %t = bufferization.to_tensor %dy restrict : memref<1x32x16x16xf32> to tensor<1x32x16x16xf32>
  %f = bufferization.to_tensor %w restrict : memref<32x16x3x3xf32> to tensor<32x16x3x3xf32>
  %r = convgrad.conv_backward_data %t, %f strides = [2, 2] padding = [1, 1, 1, 1]
      : (tensor<1x32x16x16xf32>, tensor<32x16x3x3xf32>) -> tensor<1x16x32x32xf32>
  bufferization.materialize_in_destination %r in restrict writable %dx
      : (tensor<1x16x32x32xf32>, memref<1x16x32x32xf32>) -> ()
  return
}
