
// Channels-last grouped: filter [F=6, 3, 3, Cg=2] -> [G=2, Fg=3, 3, 3, Cg=2],
// swap Fg (dim 1) and Cg (dim 4): permutation [0, 4, 2, 3, 1] -> [2, 2, 3, 3, 3]
// -> [G*Cg = 4, 3, 3, Fg = 3].
func.func @dgrad_channels_last_grouped(%dy: tensor<2x5x5x6xf32>, %w: tensor<6x3x3x2xf32>) -> tensor<2x5x5x4xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] groups = 2 layout = channels_last
      : (tensor<2x5x5x6xf32>, tensor<6x3x3x2xf32>) -> tensor<2x5x5x4xf32>
  return %dx : tensor<2x5x5x4xf32>
}

