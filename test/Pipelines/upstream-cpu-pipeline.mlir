// --convgrad-upstream-cpu-pipeline, the upstream peer: its 2-D convolutions
// are register-tiled and vectorized with upstream's own transforms, also
// when the width (11 columns) has no divisor near the tile (8 + a peeled 3);
// vectorize=false gives plain loops.
// RUN: convgrad-opt %s --convgrad-upstream-cpu-pipeline | FileCheck %s
// RUN: convgrad-opt %s --convgrad-upstream-cpu-pipeline="vectorize=false" | FileCheck %s --check-prefix=LOOPS
// RUN: convgrad-opt %s --convgrad-upstream-cpu-pipeline="num-threads=2" | FileCheck %s --check-prefix=OMP

// CHECK-LABEL: llvm.func @conv
// CHECK: llvm.intr.fmuladd({{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>)
// CHECK-NOT: llvm.intr.fmuladd({{.*}}) : (f32, f32, f32)
// CHECK-LABEL: llvm.func @_mlir_ciface_conv

// LOOPS-LABEL: llvm.func @conv
// LOOPS-NOT: vector<
// LOOPS: llvm.fmul %{{.*}}, %{{.*}} : f32

// OMP: omp.parallel
// OMP: omp.wsloop

func.func @conv(%x: tensor<1x3x13x8xf32>, %w: tensor<32x3x3x8xf32>, %b: tensor<32xf32>) -> tensor<1x1x11x32xf32> attributes {llvm.emit_c_interface} {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x13x8xf32>, tensor<32x3x3x8xf32>, tensor<32xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x11x32xf32>
  return %0 : tensor<1x1x11x32xf32>
}
