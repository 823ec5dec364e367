
// One reversed dimension of size 3: kept.
func.func @reverse_kept(%a: tensor<4x1x3xf32>) -> tensor<4x1x3xf32> {
  %0 = convgrad.reverse %a dimensions = [1, 2] : tensor<4x1x3xf32>
  return %0 : tensor<4x1x3xf32>
}

