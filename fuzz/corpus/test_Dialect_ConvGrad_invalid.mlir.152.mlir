
func.func @insert_zeros_stride_zero(%s: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'strides' entries must be >= 1, got 0 at index 1}}
  %0 = convgrad.insert_zeros %s strides = [1, 0, 1] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return
}

