// RUN: convgrad-opt %s --split-input-file --convgrad-cpu-apply-llvm-target | FileCheck %s

// Every LLVM function definition is compiled for the module's CPU target:
// the CPU and its whole feature list (the CPU's features, then the
// target's changes), since a function's features replace those of the
// machine that compiles it. Declarations are left alone, and the module
// keeps no convgrad attribute.
// CHECK:     module {
// CHECK:       llvm.func @kernel() attributes {target_cpu = "znver3", target_features = #llvm.target_features<[{{.*}}"+avx2",{{.*}}"-avx512f"]>}
// CHECK:       llvm.func @malloc(i64) -> !llvm.ptr
// CHECK-NOT:   target_cpu
module attributes {convgrad.cpu_target = {cpu = "znver3", features = "-avx512f", vector_bits = 256 : i64, vector_registers = 16 : i64, l2_bytes = 524288 : i64, threads = 1 : i64}} {
  llvm.func @kernel() {
    llvm.return
  }
  llvm.func @malloc(i64) -> !llvm.ptr
}

// -----

// A CPU without changes still gets its features written out: AVX2 code
// (znver3) JIT-compiled on an AVX-512 host would otherwise be compiled
// with the host's AVX-512 registers and masks.
// CHECK-LABEL: llvm.func @avx2_kernel()
// CHECK-SAME:    target_cpu = "znver3"
// CHECK-SAME:    target_features = #llvm.target_features<[{{.*}}"+avx2"
// CHECK-NOT:     avx512
// CHECK-SAME:    ]>
module attributes {convgrad.cpu_target = {cpu = "znver3", features = "", vector_bits = 256 : i64, vector_registers = 16 : i64, l2_bytes = 524288 : i64, threads = 1 : i64}} {
  llvm.func @avx2_kernel() {
    llvm.return
  }
}
