
// wgrad 1-D with stride 3 and dilation 2 (distinct, so the swap shows):
// H = 9, K = 3, Ke = 5, lo 1, hi 2: 9+3-5 = 7 -> O = 2+1 = 3, r = 1;
// pad low 1, high 2-1 = 1 -> 11 = (3-1)*2 + (3-1)*3 + 1.
// conv strides = [2] (forward dilation), dilations = [3] (forward stride):
// floor((11 - ((3-1)*3+1)) / 2) + 1 = 3 = K.
func.func @wgrad_dilation_1d(%x: tensor<2x3x9xf64>, %dy: tensor<2x4x3xf64>) -> tensor<4x3x3xf64> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [3] padding = [1, 2] dilations = [2]
      : (tensor<2x3x9xf64>, tensor<2x4x3xf64>) -> tensor<4x3x3xf64>
  return %dw : tensor<4x3x3xf64>
}

