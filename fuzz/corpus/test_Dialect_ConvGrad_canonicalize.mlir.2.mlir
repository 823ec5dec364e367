
// A stride > 1 along a dimension of size 1 changes nothing either
// ((1 - 1) * s + 1 = 1), but the folder only looks at the strides: the op stays.
// A stride > 1 along a larger dimension must stay.
func.func @insert_zeros_kept(%a: tensor<2x3x4xf32>) -> tensor<2x3x7xf32> {
  %0 = convgrad.insert_zeros %a strides = [1, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x7xf32>
  return %0 : tensor<2x3x7xf32>
}

