// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=znver3 threads=2" | FileCheck %s --check-prefix=ZEN3
// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=skylake-avx512" | FileCheck %s --check-prefix=SKX
// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=skylake-avx512 target-features=-avx512f" | FileCheck %s --check-prefix=NO512
// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=znver4" | FileCheck %s --check-prefix=ZEN4
// RUN: convgrad-opt %s --convgrad-cpu-set-target | FileCheck %s --check-prefix=HOST
// RUN: not convgrad-opt %s --convgrad-cpu-set-target="target-cpu=pentium9" 2>&1 | FileCheck %s --check-prefix=BADCPU
// RUN: not convgrad-opt %s --convgrad-cpu-set-target="target-features=avx2" 2>&1 | FileCheck %s --check-prefix=BADFEATURE
//
// The target's facts as the module attribute every CPU pass reads.
// ZEN3: module attributes {convgrad.cpu_target = {cpu = "znver3", features = "", fma_units = 2 : i64, host = false, l1_bytes = 32768 : i64, l2_bytes = 524288 : i64, l3_bytes = 8388608 : i64, native_vector_bits = 0 : i64, threads = 2 : i64, vector_bits = 256 : i64, vector_registers = 16 : i64}}
// SKX: {cpu = "skylake-avx512", features = ""{{.*}}vector_bits = 512 : i64, vector_registers = 32 : i64}
// Code for CPUs with AVX512-BF16 is compiled without it (LLVM 22 aborts on
// bf16 vector shuffles with it; convgrad needs none of its instructions).
// Zen 4 runs its 512-bit operations as two 256-bit halves.
// ZEN4: {cpu = "znver4", features = "-avx512bf16"{{.*}}native_vector_bits = 256 : i64{{.*}}vector_bits = 512 : i64
// NO512: {cpu = "skylake-avx512", features = "-avx512f"{{.*}}vector_bits = 256 : i64, vector_registers = 16 : i64}
// HOST: {cpu = "{{.+}}", {{.*}}host = true
// BADCPU: error: convgrad-cpu-set-target: unknown target CPU 'pentium9'
// BADFEATURE: error: convgrad-cpu-set-target: bad target feature 'avx2' (expected '+name' or '-name')
func.func @f() {
  return
}
