
func.func @conv_filter_f(%x: tensor<2x4x10xf32>, %w: tensor<5x4x3xf32>) {
  // expected-error @+1 {{'filter' has 5 output channels (dimension 0) but 'output' has 6 channels}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<5x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

