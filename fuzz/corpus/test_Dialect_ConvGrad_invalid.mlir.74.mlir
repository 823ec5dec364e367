
func.func @dgrad_filter_f(%y: tensor<2x6x8xf32>, %w: tensor<5x4x3xf32>) {
  // expected-error @+1 {{'filter' has 5 output channels (dimension 0) but 'grad_output' has 6 channels}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<5x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

