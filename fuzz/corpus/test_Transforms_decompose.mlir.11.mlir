
// wgrad, dynamic batch, crop at the high end. K = 3 (Ke = 3), s = 2.
// H = 9, lo 1, hi 0: 9+1-3 = 7 -> O = 4, r = 1: pad low 1, high 0-1 = -1 (crop 1).
// W = 7, lo 1, hi 1: 7+2-3 = 6 -> O = 4, r = 0: pad low 1, high 1.
// Kept extent (K-1)*d + (O-1)*s + 1 = 2+6+1 = 9 in both dims.
// x [N, C, 9, 9] -> [C, N, 9, 9]; dy [N, F, 4, 4] -> [F, N, 4, 4];
// conv strides = d = 1 (elided), dilations = s = 2: 9 - ((4-1)*2+1) + 1 = 3;
// [Cg=4, F=8, 3, 3] -> [8, 4, 3, 3].
func.func @wgrad(%x: tensor<?x4x9x7xf32>, %dy: tensor<?x8x4x4xf32>) -> tensor<8x4x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 0, 1]
      : (tensor<?x4x9x7xf32>, tensor<?x8x4x4xf32>) -> tensor<8x4x3x3xf32>
  return %dw : tensor<8x4x3x3xf32>
}

