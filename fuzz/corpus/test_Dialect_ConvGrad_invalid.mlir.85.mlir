
func.func @dgrad_output_size_strided(%y: tensor<1x8x4x5xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'grad_output' spatial dimension 1 is 5, but floor((H + lo + hi - Ke) / s) + 1 = floor((8 + 1 + 1 - 3) / 2) + 1 = 4}}
  %0 = convgrad.conv_backward_data %y, %w strides = [2, 2] padding = [1, 1, 1, 1] : (tensor<1x8x4x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

