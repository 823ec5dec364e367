
func.func @conv_w_rank2(%x: tensor<2x4x10xf32>, %w: tensor<6x4xf32>) {
  // expected-error @+1 {{'filter' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 2}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4xf32>) -> tensor<2x6x8xf32>
  return
}

