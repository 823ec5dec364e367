
// Grouped wgrad: N = 2, G = 2, C = 4 (Cg = 2), F = 6 (Fg = 3), 3x3, padding 1.
// x padded [N, G*Cg, 7, 7] -> [N, G, Cg, 7, 7] -> [Cg, G, N, 7, 7]
//   (permutation [2, 1, 0, 3, 4]) -> [Cg, G*N = 4, 7, 7].
// dy [N, G*Fg, 5, 5] -> [N, G, Fg, 5, 5] -> [G, Fg, N, 5, 5]
//   (permutation [1, 2, 0, 3, 4]) -> [F = 6, N = 2, 5, 5].
// conv groups 2: 7 - 5 + 1 = 3 -> [Cg=2, F=6, 3, 3] -> [6, 2, 3, 3].
func.func @wgrad_grouped(%x: tensor<2x4x5x5xf32>, %dy: tensor<2x6x5x5xf32>) -> tensor<6x2x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 2
      : (tensor<2x4x5x5xf32>, tensor<2x6x5x5xf32>) -> tensor<6x2x3x3xf32>
  return %dw : tensor<6x2x3x3xf32>
}

