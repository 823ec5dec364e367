
// 3-D, bf16. K = [2, 3, 1], s = [1, 2, 1], lo = [0, 1, 0], hi = [1, 0, 0].
// D = 4: 4+0+1-2 = 3 -> O = 4, r = 0; low 1-0 = 1, high 1-1+0 = 0 -> 5 -> conv 4.
// H = 5: 5+1+0-3 = 3 -> O = 1+1 = 2, r = 1; zero-inserted (2-1)*2+1 = 3;
//        low 2-1 = 1, high 2-0+1 = 3 -> 7 -> conv 5.
// W = 6: 6-1 = 5 -> O = 6, r = 0; low 0, high 0.
func.func @dgrad_3d(%dy: tensor<1x3x4x2x6xbf16>, %w: tensor<3x2x2x3x1xbf16>) -> tensor<1x2x4x5x6xbf16> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [1, 2, 1] padding = [0, 1, 0, 1, 0, 0]
      : (tensor<1x3x4x2x6xbf16>, tensor<3x2x2x3x1xbf16>) -> tensor<1x2x4x5x6xbf16>
  return %dx : tensor<1x2x4x5x6xbf16>
}

