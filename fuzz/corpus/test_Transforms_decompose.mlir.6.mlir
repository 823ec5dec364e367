
// Depthwise, multiplier 1 (G = C = F = 3): [C, 1, K] is its own channel swap,
// no reshape and no transpose; only the reverse.
func.func @dgrad_depthwise(%dy: tensor<1x3x5x5xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<1x3x5x5xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] groups = 3
      : (tensor<1x3x5x5xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x5x5xf32>
  return %dx : tensor<1x3x5x5xf32>
}

