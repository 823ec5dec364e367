
func.func @dgrad_w_rank6(%y: tensor<2x6x8xf32>, %w: tensor<6x4x1x1x1x1xf32>) {
  // expected-error @+1 {{'filter' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 6}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x4x1x1x1x1xf32>) -> tensor<2x4x10xf32>
  return
}

