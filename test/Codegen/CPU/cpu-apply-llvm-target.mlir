// RUN: convgrad-opt %s --convgrad-cpu-apply-llvm-target | FileCheck %s

// Every LLVM function definition is compiled for the module's CPU target;
// declarations are left alone, and the module keeps no convgrad attribute.
// CHECK:     module {
// CHECK:       llvm.func @kernel() attributes {target_cpu = "znver3", target_features = #llvm.target_features<["-avx512f"]>}
// CHECK:       llvm.func @malloc(i64) -> !llvm.ptr
// CHECK-NOT:   target_cpu
module attributes {convgrad.cpu_target = {cpu = "znver3", features = "-avx512f", vector_bits = 256 : i64, vector_registers = 16 : i64, l2_bytes = 524288 : i64, threads = 1 : i64}} {
  llvm.func @kernel() {
    llvm.return
  }
  llvm.func @malloc(i64) -> !llvm.ptr
}
