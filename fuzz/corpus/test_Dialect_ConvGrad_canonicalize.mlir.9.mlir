
// Folds compose: the filter rotation of a 1x1 kernel disappears, and the
// unused backward op with it (it is Pure).
func.func @chain(%a: tensor<2x3x1x1xf64>) -> tensor<2x3x1x1xf64> {
  %0 = convgrad.insert_zeros %a strides = [1, 1, 1, 1] : tensor<2x3x1x1xf64> -> tensor<2x3x1x1xf64>
  %1 = convgrad.reverse %0 dimensions = [2, 3] : tensor<2x3x1x1xf64>
  %unused = convgrad.conv_backward_bias %1 : (tensor<2x3x1x1xf64>) -> tensor<3xf64>
  return %1 : tensor<2x3x1x1xf64>
}
