
// Reversing only dimensions of size 1 is the identity.
func.func @reverse_unit_dims(%a: tensor<4x8x1x1xf32>) -> tensor<4x8x1x1xf32> {
  %0 = convgrad.reverse %a dimensions = [2, 3] : tensor<4x8x1x1xf32>
  return %0 : tensor<4x8x1x1xf32>
}

