
func.func @wgrad_output_size_dilated_cl(%x: tensor<1x9x4xf32>, %y: tensor<1x2x6xf32>) {
  // expected-error @+1 {{'grad_output' spatial dimension 0 is 2, but floor((H + lo + hi - Ke) / s) + 1 = floor((9 + 2 + 0 - 5) / 3) + 1 = 3}}
  %0 = convgrad.conv_backward_filter %x, %y strides = [3] padding = [2, 0] dilations = [2] layout = channels_last : (tensor<1x9x4xf32>, tensor<1x2x6xf32>) -> tensor<6x3x4xf32>
  return
}

