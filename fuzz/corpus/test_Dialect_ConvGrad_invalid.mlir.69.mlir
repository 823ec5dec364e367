
func.func @dgrad_groups_zero(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'groups' must be >= 1, got 0}}
  %0 = convgrad.conv_backward_data %y, %w groups = 0 : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

