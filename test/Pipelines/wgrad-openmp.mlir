// The wgrad GEMMs at num-threads=2: one OpenMP region (one scf.forall of
// two channel-block tasks around the image, row-block and tap loops) whose
// body holds the register-blocked 4 x 64 FMAs; at one thread no region.
// RUN: convgrad-opt %s --convgrad-cpu-pipeline="num-threads=2 target-cpu=x86-64-v4" | FileCheck %s --check-prefixes=CHECK,OMP
// RUN: convgrad-opt %s --convgrad-cpu-pipeline="target-cpu=x86-64-v4" | FileCheck %s --check-prefixes=CHECK,SEQ

// CHECK-LABEL: llvm.func @wgrad(
// At one thread no OpenMP op anywhere in the body, before the FMAs too.
// SEQ-NOT:     omp.
// OMP:         omp.parallel
// OMP-NEXT:      omp.wsloop
// OMP-NEXT:        omp.loop_nest
// OMP-NOT:       omp.parallel
// CHECK:         llvm.intr.fmuladd({{.*}}) : (vector<64xf32>, vector<64xf32>, vector<64xf32>) -> vector<64xf32>
// OMP:           omp.terminator
// CHECK-NOT:   omp.
// CHECK-LABEL: llvm.func @_mlir_ciface_wgrad(
func.func @wgrad(%x: memref<2x64x16x16xf32>, %dy: memref<2x64x16x16xf32>, %dw: memref<64x64x3x3xf32>) attributes {llvm.emit_c_interface} {
  %t = bufferization.to_tensor %x restrict : memref<2x64x16x16xf32> to tensor<2x64x16x16xf32>
  %g = bufferization.to_tensor %dy restrict : memref<2x64x16x16xf32> to tensor<2x64x16x16xf32>
  %r = convgrad.conv_backward_filter %t, %g padding = [1, 1, 1, 1] : (tensor<2x64x16x16xf32>, tensor<2x64x16x16xf32>) -> tensor<64x64x3x3xf32>
  bufferization.materialize_in_destination %r in restrict writable %dw : (tensor<64x64x3x3xf32>, memref<64x64x3x3xf32>) -> ()
  return
}
