
func.func @conv_dynamic_w_spatial(%x: tensor<2x4x10xf32>, %w: tensor<6x4x?xf32>) {
  // expected-error @+1 {{'filter' spatial dimension 2 must be static}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x?xf32>) -> tensor<2x6x8xf32>
  return
}

