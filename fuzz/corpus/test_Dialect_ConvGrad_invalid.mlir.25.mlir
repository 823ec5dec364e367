
func.func @conv_groups_zero(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'groups' must be >= 1, got 0}}
  %0 = convgrad.conv %x, %w groups = 0 : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

