
// 1-D, dilation and stride: H = 9, K = 3, d = 2 (Ke = 5), s = 2, lo = 1, hi = 2.
// 9+1+2-5 = 7 -> O = 3+1 = 4, r = 1. insert_zeros: (4-1)*2+1 = 7.
// low 5-1-1 = 3, high 5-1-2+1 = 3 -> 13; conv with dilation 2: 13-5+1 = 9.
func.func @dgrad_dilation_stride_1d(%dy: tensor<2x4x4xf64>, %w: tensor<4x3x3xf64>) -> tensor<2x3x9xf64> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2] padding = [1, 2] dilations = [2]
      : (tensor<2x4x4xf64>, tensor<4x3x3xf64>) -> tensor<2x3x9xf64>
  return %dx : tensor<2x3x9xf64>
}

