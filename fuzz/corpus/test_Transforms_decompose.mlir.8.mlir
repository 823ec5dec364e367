
// Channels-last, strided, dynamic batch, f16. H = W = 5, K = 3, s = 2, padding 1:
// 5+1+1-3 = 4 -> O = 2+1 = 3, r = 0. insert_zeros along dims 1, 2: (3-1)*2+1 = 5.
// low 2-1 = 1, high 2-1+0 = 1 -> 7. Filter [F, K, K, C] -> [C, K, K, F]:
// permutation [3, 1, 2, 0]; reverse dims 1, 2.
func.func @dgrad_channels_last(%dy: tensor<?x3x3x6xf16>, %w: tensor<6x3x3x4xf16>) -> tensor<?x5x5x4xf16> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] layout = channels_last
      : (tensor<?x3x3x6xf16>, tensor<6x3x3x4xf16>) -> tensor<?x5x5x4xf16>
  return %dx : tensor<?x5x5x4xf16>
}

