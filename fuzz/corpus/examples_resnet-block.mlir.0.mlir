// The backward pass of two convolution layers of a ResNet-like block, as a
// compiler would emit it (batch 2, fp32): a strided 3x3 convolution with
// padding and a grouped channels-last 3x3 convolution. `convgrad-run` derives
// each op's configuration from its attributes and types, compiles it through
// --convgrad-cpu-pipeline, runs it and checks it against the reference.

func.func @strided_dgrad(%dy: tensor<2x32x14x14xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<2x16x28x28xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1]
      : (tensor<2x32x14x14xf32>, tensor<32x16x3x3xf32>) -> tensor<2x16x28x28xf32>
  return %dx : tensor<2x16x28x28xf32>
}

func.func @strided_wgrad(%x: tensor<2x16x28x28xf32>, %dy: tensor<2x32x14x14xf32>) -> tensor<32x16x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 1, 1]
      : (tensor<2x16x28x28xf32>, tensor<2x32x14x14xf32>) -> tensor<32x16x3x3xf32>
  return %dw : tensor<32x16x3x3xf32>
}

func.func @grouped_dgrad(%dy: tensor<2x14x14x32xf32>, %w: tensor<32x3x3x8xf32>) -> tensor<2x14x14x32xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] groups = 4 layout = channels_last
      : (tensor<2x14x14x32xf32>, tensor<32x3x3x8xf32>) -> tensor<2x14x14x32xf32>
  return %dx : tensor<2x14x14x32xf32>
}

func.func @bias_grad(%dy: tensor<2x32x14x14xf32>) -> tensor<32xf32> {
  %db = convgrad.conv_backward_bias %dy : (tensor<2x32x14x14xf32>) -> tensor<32xf32>
  return %db : tensor<32xf32>
}
