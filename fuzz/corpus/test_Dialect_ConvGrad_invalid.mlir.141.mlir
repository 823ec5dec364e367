
func.func @bgrad_rank6(%dy: tensor<2x6x1x1x1x1xf32>) {
  // expected-error @+1 {{'grad_output' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 6}}
  %0 = convgrad.conv_backward_bias %dy : (tensor<2x6x1x1x1x1xf32>) -> tensor<6xf32>
  return
}

