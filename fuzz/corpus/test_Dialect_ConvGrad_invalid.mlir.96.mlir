
func.func @wgrad_x_rank_mismatch(%x: tensor<2x4x10x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_filter' has rank 3 but 'input' has rank 4}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

