
func.func @conv_bias_size(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{'bias' has 5 elements but 'output' has 6 channels}}
  %0 = convgrad.conv %x, %w, %b : (tensor<2x4x10xf32>, tensor<6x4x3xf32>, tensor<5xf32>) -> tensor<2x6x8xf32>
  return
}

