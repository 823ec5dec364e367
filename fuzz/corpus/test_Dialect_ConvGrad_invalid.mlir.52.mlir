
func.func @dgrad_x_rank_mismatch(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'filter' has rank 3 but 'grad_input' has rank 4}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10x10xf32>
  return
}

