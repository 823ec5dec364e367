// Input of ../run-module.test: a dgrad with a dynamic channel count, which
// convgrad-run cannot build kernels for.
func.func @dynamic_channels(%dy: tensor<2x?x4x4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<2x4x6x6xf32> {
  %dx = convgrad.conv_backward_data %dy, %w : (tensor<2x?x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<2x4x6x6xf32>
  return %dx : tensor<2x4x6x6xf32>
}
