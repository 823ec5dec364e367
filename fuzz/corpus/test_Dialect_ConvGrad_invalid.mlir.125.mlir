
func.func @wgrad_dynamic_y_spatial_cl(%x: tensor<2x10x10x4xf32>, %y: tensor<2x8x?x6xf32>) {
  // expected-error @+1 {{'grad_output' spatial dimension 2 must be static}}
  %0 = convgrad.conv_backward_filter %x, %y layout = channels_last : (tensor<2x10x10x4xf32>, tensor<2x8x?x6xf32>) -> tensor<6x3x3x4xf32>
  return
}

