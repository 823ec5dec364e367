
func.func @dgrad_w_i8(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xi8>) {
  // expected-error @+1 {{'filter' has unsupported element type 'i8'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x4x3xi8>) -> tensor<2x4x10xf32>
  return
}

