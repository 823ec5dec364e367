
func.func @wgrad_groups_negative(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'groups' must be >= 1, got -2}}
  %0 = convgrad.conv_backward_filter %x, %y groups = -2 : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

