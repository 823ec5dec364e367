
// bgrad f32: reduce over N and space, parallel over the channel (dim 1).
func.func @bgrad(%dy: tensor<2x6x4x4xf32>) -> tensor<6xf32> {
  %db = convgrad.conv_backward_bias %dy : (tensor<2x6x4x4xf32>) -> tensor<6xf32>
  return %db : tensor<6xf32>
}

