
// Channels-last grouped wgrad, dynamic batch: x padded [N, 7, 7, G*Cg]
// -> [N, 7, 7, G, Cg] -> [Cg, 7, 7, G, N] (permutation [4, 1, 2, 3, 0])
// -> [Cg = 2, 7, 7, G*N = ?]; dy [N, 5, 5, G*Fg] -> [N, 5, 5, G, Fg]
// -> [G, Fg, 5, 5, N] (permutation [3, 4, 1, 2, 0]) -> [6, 5, 5, ?].
// conv [2, 3, 3, 6] -> [6, 3, 3, 2] (permutation [3, 1, 2, 0]).
func.func @wgrad_channels_last_grouped(%x: tensor<?x5x5x4xf32>, %dy: tensor<?x5x5x6xf32>) -> tensor<6x3x3x2xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 2 layout = channels_last
      : (tensor<?x5x5x4xf32>, tensor<?x5x5x6xf32>) -> tensor<6x3x3x2xf32>
  return %dw : tensor<6x3x3x2xf32>
}

