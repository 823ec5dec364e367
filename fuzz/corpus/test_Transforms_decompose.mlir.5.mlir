
// Grouped: G = 2, C = 4 (Cg = 2), F = 6 (Fg = 3), 3x3, padding 1 (Ke-1-1 = 1 each side).
// Filter [6, 2, 3, 3] -> [G=2, Fg=3, Cg=2, 3, 3] -> swap Fg/Cg: permutation
// [0, 2, 1, 3, 4] -> [2, 2, 3, 3, 3] -> collapse [G*Cg = 4, Fg = 3, 3, 3].
func.func @dgrad_grouped(%dy: tensor<1x6x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x4x5x5xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] groups = 2
      : (tensor<1x6x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %dx : tensor<1x4x5x5xf32>
}

