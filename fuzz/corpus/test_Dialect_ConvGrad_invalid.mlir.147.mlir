
func.func @bgrad_result_size(%dy: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_bias' has 8 elements but 'grad_output' has 6 channels (dimension 1)}}
  %0 = convgrad.conv_backward_bias %dy : (tensor<2x6x8xf32>) -> tensor<8xf32>
  return
}

