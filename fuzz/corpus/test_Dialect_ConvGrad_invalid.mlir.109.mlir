
func.func @wgrad_stride_negative(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'strides' entries must be >= 1, got -2 at index 0}}
  %0 = convgrad.conv_backward_filter %x, %y strides = [-2] : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

