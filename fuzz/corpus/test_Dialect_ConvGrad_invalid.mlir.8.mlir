
func.func @conv_x_rank_mismatch(%x: tensor<2x4x10x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'filter' has rank 3 but 'input' has rank 4}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

