
// Depthwise with multiplier 2 (G = C = 3, F = 6, Fg = 2, Cg = 1): the channel
// roles do swap: [6, 1, 3, 3] -> [3, 2, 1, 3, 3] -> [3, 1, 2, 3, 3] -> [3, 2, 3, 3].
func.func @dgrad_depthwise_multiplier(%dy: tensor<1x6x5x5xf32>, %w: tensor<6x1x3x3xf32>) -> tensor<1x3x5x5xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] groups = 3
      : (tensor<1x6x5x5xf32>, tensor<6x1x3x3xf32>) -> tensor<1x3x5x5xf32>
  return %dx : tensor<1x3x5x5xf32>
}

