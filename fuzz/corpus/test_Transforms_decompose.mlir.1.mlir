
// Strided with remainders. K = 3x3 (Ke = 3), s = [2, 3], lo = [1, 0], hi = [1, 1].
// H = 8: 8+1+1-3 = 7 -> O = 3+1 = 4, r = 7 mod 2 = 1.
// W = 7: 7+0+1-3 = 5 -> O = 1+1 = 2, r = 5 mod 3 = 2.
// insert_zeros: (4-1)*2+1 = 7, (2-1)*3+1 = 4.
// pad low: H 3-1-1 = 1, W 3-1-0 = 2; high: H 3-1-1+1 = 2, W 3-1-1+2 = 3.
// padded: 7+1+2 = 10, 4+2+3 = 9; stride-1 conv: 10-3+1 = 8, 9-3+1 = 7.
func.func @dgrad_strided_remainder(%dy: tensor<1x3x4x2xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x8x7xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 3] padding = [1, 0, 1, 1]
      : (tensor<1x3x4x2xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x8x7xf32>
  return %dx : tensor<1x2x8x7xf32>
}

