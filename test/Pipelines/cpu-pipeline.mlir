// --convgrad-cpu-pipeline takes convgrad to the LLVM dialect only; the
// default (codegen=vector) uses 512-bit FMAs (16 x f32: the 16 channels), num-threads=2 parallel OpenMP
// regions (each stride phase has 16 output rows = two tasks of 8),
// codegen=loops scalar code. None needs a runtime library call other
// than malloc/free (and OpenMP's, when threaded).

// RUN: convgrad-opt %s --convgrad-cpu-pipeline="target-cpu=x86-64-v4" > %t.vec
// RUN: FileCheck %s --check-prefixes=CHECK,VEC < %t.vec
// RUN: FileCheck %s --check-prefix=CLEAN < %t.vec
// RUN: convgrad-opt %s --convgrad-cpu-pipeline="num-threads=2" > %t.omp
// RUN: FileCheck %s --check-prefixes=CHECK,OMP < %t.omp
// RUN: FileCheck %s --check-prefix=CLEAN < %t.omp
// RUN: convgrad-opt %s --convgrad-cpu-pipeline="codegen=loops" > %t.loops
// RUN: FileCheck %s --check-prefixes=CHECK,LOOPS < %t.loops
// RUN: FileCheck %s --check-prefix=CLEAN < %t.loops
// The pipeline passes its target and strategy options on to the passes
// that use them, and rejects unknown values when its options are parsed.
// RUN: convgrad-opt %s --convgrad-cpu-pipeline="target-cpu=znver3 target-features=-fma vector-registers=8 num-threads=2 wgrad-parallel-tasks=3 wgrad-block-bytes=4096 dgrad-strategy=zero-insertion" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=OPTS
// OPTS: convgrad-cpu-set-target{target-cpu=znver3 target-features=-fma threads=2 vector-bits=0 vector-registers=8}
// OPTS-NEXT: convgrad-crop-padding-taps
// OPTS-NEXT: convgrad-subsample-strided-input
// OPTS-NEXT: convgrad-cpu-wgrad-to-gemm{block-bytes=4096 parallel-tasks=3}
// OPTS-NEXT: convgrad-cpu-depthwise-channels-last
// OPTS-NEXT: convgrad-cpu-depthwise-planes
// OPTS-NEXT: convgrad-decompose{dgrad-strategy=zero-insertion}
// OPTS: convgrad-cpu-apply-llvm-target
// RUN: not convgrad-opt %s --convgrad-cpu-pipeline="codegen=vectr" 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: for the --codegen option: Cannot find option named 'vectr'!
// RUN: not convgrad-opt %s --convgrad-cpu-pipeline="target-cpu=pentium9" 2>&1 | FileCheck %s --check-prefix=BADCPU
// BADCPU: error: convgrad-cpu-set-target: unknown target CPU 'pentium9'

// The CLEAN lines: every function body, in each of the three forms, is free of
// convgrad, linalg and tensor ops and calls nothing but malloc and free (the
// C wrapper calls @dgrad itself). The call pattern matches an indirect call
// or any callee other than exactly @malloc and @free.
// CLEAN:       module
// CLEAN-NOT:   llvm.func
// CLEAN-LABEL: llvm.func @free(!llvm.ptr)
// CLEAN-NOT:   llvm.func
// CLEAN-LABEL: llvm.func @malloc(i64) -> !llvm.ptr
// CLEAN-NOT:   llvm.func
// CLEAN-LABEL: llvm.func @dgrad(
// CLEAN-NOT:   convgrad.
// CLEAN-NOT:   linalg.
// CLEAN-NOT:   tensor.
// CLEAN-NOT:   llvm.call {{(%|@([^mf(]|m[^a]|ma[^l]|mal[^l]|mall[^o]|mallo[^c]|malloc[^(]|f[^r]|fr[^e]|fre[^e]|free[^(]))}}
// CLEAN-NOT:   llvm.func
// CLEAN-LABEL: llvm.func @_mlir_ciface_dgrad(
// CLEAN-NOT:   convgrad.
// CLEAN-NOT:   linalg.
// CLEAN-NOT:   tensor.
// CLEAN-NOT:   llvm.call
// CLEAN:       llvm.call @dgrad(
// CLEAN-NOT:   llvm.call
// CLEAN:       llvm.return
// CLEAN-NEXT:  }
// CLEAN-NEXT:  }
// CLEAN-NOT:   {{.}}

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
