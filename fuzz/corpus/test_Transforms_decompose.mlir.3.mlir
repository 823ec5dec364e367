
// The crop removes everything along H: H = 1, K = 1 (Ke = 1), s = 3, lo = 2,
// hi = 0: 1+2+0-1 = 2 -> O = 0+1 = 1, r = 2. The only forward window reads
// x[0*3 + 0 - 2] = x[-2], padding: dx is zero.
// insert_zeros: (1-1)*3+1 = 1; low 0-2 = -2, high 0-0+2 = 2: keep [2, 1), empty.
// W = 5, K = 3, lo = 0, hi = 1: O = 5+1-3+1 = 4, r = 0; low 2, high 2-1+0 = 1.
// Result: a zero tensor of 1+(-2)+2 = 1 by 4+2+1 = 7; the conv gives 1x5.
func.func @dgrad_crop_everything(%dy: tensor<1x3x1x4xf32>, %w: tensor<3x2x1x3xf32>) -> tensor<1x2x1x5xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [3, 1] padding = [2, 0, 0, 1]
      : (tensor<1x3x1x4xf32>, tensor<3x2x1x3xf32>) -> tensor<1x2x1x5xf32>
  return %dx : tensor<1x2x1x5xf32>
}

