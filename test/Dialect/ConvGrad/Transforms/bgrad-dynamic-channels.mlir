// bgrad whose grad_output has a dynamic channel count but whose result type
// is static: the reduction is sized from the result type, so the IR stays
// valid (it used to produce a tensor<?xf32> for a tensor<6xf32> result).
// RUN: convgrad-opt %s --convgrad-decompose | FileCheck %s
// RUN: convgrad-opt %s --convgrad-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @bgrad_dyn_channel
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<6xf32>
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<2x?x4xf32>) outs(%{{.*}} : tensor<6xf32>)
// CHECK: return %[[SUM]] : tensor<6xf32>
func.func @bgrad_dyn_channel(%dy: tensor<2x?x4xf32>) -> tensor<6xf32> {
  %db = convgrad.conv_backward_bias %dy : (tensor<2x?x4xf32>) -> tensor<6xf32>
  return %db : tensor<6xf32>
}
