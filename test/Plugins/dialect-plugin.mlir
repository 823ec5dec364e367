// The stock mlir-opt (linked to libMLIR.so) parses, verifies and prints
// convgrad through the dialect plugin.
// REQUIRES: plugins
// RUN: mlir-opt %s --load-dialect-plugin=%convgrad_lib_dir/ConvGradDialectPlugin%shlibext \
// RUN:   --split-input-file --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @round_trip
// CHECK: convgrad.conv %{{.*}}, %{{.*}}, %{{.*}} strides = [2, 2] padding = [1, 1, 1, 1] groups = 2
// CHECK: convgrad.conv_backward_data %{{.*}}, %{{.*}} strides = [2, 2] padding = [1, 1, 1, 1] groups = 2 layout = channels_last
// CHECK: convgrad.conv_backward_bias %{{.*}} :
func.func @round_trip(%x: tensor<8x64x56x56xf32>, %w: tensor<128x32x3x3xf32>, %b: tensor<128xf32>,
                      %dy: tensor<8x28x28x128xf32>, %wl: tensor<128x3x3x32xf32>)
    -> (tensor<8x128x28x28xf32>, tensor<8x56x56x64xf32>, tensor<128xf32>) {
  %y = convgrad.conv %x, %w, %b strides = [2, 2] padding = [1, 1, 1, 1] groups = 2
      : (tensor<8x64x56x56xf32>, tensor<128x32x3x3xf32>, tensor<128xf32>) -> tensor<8x128x28x28xf32>
  %dx = convgrad.conv_backward_data %dy, %wl strides = [2, 2] padding = [1, 1, 1, 1] groups = 2
      layout = channels_last
      : (tensor<8x28x28x128xf32>, tensor<128x3x3x32xf32>) -> tensor<8x56x56x64xf32>
  %db = convgrad.conv_backward_bias %y : (tensor<8x128x28x28xf32>) -> tensor<128xf32>
  return %y, %dx, %db : tensor<8x128x28x28xf32>, tensor<8x56x56x64xf32>, tensor<128xf32>
}

// -----

func.func @bad_grad_output(%dy: tensor<1x8x5x5xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @below {{'grad_output' spatial dimension 0 is 5}}
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1]
      : (tensor<1x8x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %dx : tensor<1x4x8x8xf32>
}
